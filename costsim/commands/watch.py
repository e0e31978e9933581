"""``costsim watch``: rerun a scenario and refresh its figures whenever the file is saved."""

from __future__ import annotations

import argparse
import sys
import time

EPILOG = """\
examples:
  costsim watch scenarios/baseline.yaml                 figures in baseline_watch/, open its index.html
  costsim watch my.yaml -o /tmp/my -n 5000 --interval 0.5

Open OUT/index.html in a browser once: the page reloads itself every 2 seconds, so each save of
the scenario (or of a file it extends) shows up within a few seconds. An invalid scenario shows
its errors on the page and in the terminal, and the watch goes on. Stop with Ctrl-C.
Each refresh replaces OUT atomically, so the browser never sees a half-written folder.
"""


def register(sub) -> None:
    from costsim.commands.common import add_scenario_options

    p = sub.add_parser("watch", help="rerun a scenario and refresh its figures on every save",
                       description="Watch a scenario file: on every save, rerun it and rewrite its figures and "
                                   "page (OUT/index.html, reloading itself).",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", help="scenario YAML file")
    p.add_argument("-o", "--output", metavar="DIR", help="folder for the page and figures (default: <name>_watch)")
    add_scenario_options(p, samples=False)
    p.add_argument("-n", "--samples", type=int, default=5_000, metavar="N",
                   help="samples per run, at most (default 5000: quick reruns)")
    p.add_argument("--interval", type=float, default=0.5, metavar="S", help="seconds between checks (default 0.5)")
    p.add_argument("--max-runs", type=int, metavar="K", help="stop after K runs (for scripts and tests)")
    p.set_defaults(func=cmd_watch)


def _stamp(paths) -> tuple:
    """What changes when any watched file is saved: (path, mtime_ns, size) of each."""
    import os

    out = []
    for p in paths:
        try:
            st = os.stat(p)
            out.append((str(p), st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((str(p), None, None))
    return tuple(out)


def _watched(file: str, section) -> list[str]:
    """The scenario file and every file of its extends chain (when it loaded)."""
    from pathlib import Path

    paths = [str(Path(file))]
    results = section.results
    if results is not None:
        for f in results.meta.get("files", []):
            if f.get("path") and f["path"] not in paths and Path(f["path"]).is_file():
                paths.append(f["path"])
    return paths


def cmd_watch(args) -> int:
    from pathlib import Path

    from costsim.commands.common import load_plugins, parallel_options
    from costsim.errors import OutputError
    from costsim.report import run_section, write_report
    from costsim.store import check_target

    load_plugins(args)
    run_options = parallel_options(args)
    source = Path(args.file)
    if not source.is_file():
        print(f"error: {source}: no such file", file=sys.stderr)
        return 2
    out = Path(args.output or f"{source.stem}_watch")
    check_target(out, force=True)  # a folder costsim did not write is never replaced
    runs = 0
    last = None
    watched = [str(source)]
    print(f"watching {source}; page: {out.resolve()}/index.html (Ctrl-C to stop)", flush=True)
    try:
        while True:
            stamp = _stamp(watched)
            if stamp != last:
                time.sleep(0.15)  # let the editor finish writing the file
                stamp = _stamp(watched)
                t0 = time.perf_counter()
                section = run_section(source, samples=args.samples, seed=args.seed, overrides=args.overrides,
                                      design=args.design, run_options=run_options)
                try:
                    write_report([section], out, force=True, compare=False, title=f"costsim watch: {section.name}",
                                 live=None)
                except OutputError as exc:
                    print(f"error: {exc}", file=sys.stderr)
                    return 2
                runs += 1
                _print_run(section, out, time.perf_counter() - t0)
                watched = _watched(str(source), section)
                last = _stamp(watched) if watched != [str(source)] else stamp
                if args.max_runs is not None and runs >= args.max_runs:
                    return 0
            time.sleep(max(0.05, args.interval))
    except KeyboardInterrupt:
        print("\nstopped watching", file=sys.stderr)
        return 0


def _print_run(section, out, wall: float) -> None:
    clock = time.strftime("%H:%M:%S")
    if section.error:
        print(f"[{clock}] {section.name}: {section.error_kind} error (page shows it too):", file=sys.stderr)
        print(section.error, file=sys.stderr, flush=True)
        return
    r = section.results
    checks = f", {len(r.checks) - section.failed_checks}/{len(r.checks)} checks passed" if r.checks else ""
    figs = sum(1 for f in section.figures if f.png)
    print(f"[{clock}] {section.name}: n={r.n:,}, {figs} figures{checks} ({wall:.1f} s) -> {out}/index.html",
          flush=True)
    for c in r.checks:
        if not c.passed:
            print(f"    FAIL  {c.claim}", flush=True)
