"""``costsim watch``: rerun a scenario on every save and push the changed figures to a live page."""

from __future__ import annotations

import argparse
import sys
import threading
import time

_PRINT_LOCK = threading.Lock()

EPILOG = """\
examples:
  costsim watch scenarios/baseline.yaml              serves http://127.0.0.1:PORT/ ; open it once
  costsim watch my.yaml -o /tmp/my -n 5000 --port 8765
  costsim watch my.yaml --no-serve                   only rewrite the folder (open OUT/index.html)

The page is served by a small local server (127.0.0.1 only) and updated in place by server-sent
events: no reloads, so it keeps its scroll position. On each save of the scenario (or of a file
it extends) the scenario is rerun and only the figures whose inputs changed are redrawn; each is
on the page as soon as it is saved. An invalid scenario shows its errors in place of its section
(and in the terminal), and the watch goes on. Stop with Ctrl-C.
"""


def register(sub) -> None:
    from costsim.commands.common import add_scenario_options, count, count_at_least

    p = sub.add_parser("watch", help="rerun a scenario on every save; a live page shows the new figures",
                       description="Watch a scenario file: on every save, rerun it, redraw the figures whose inputs "
                                   "changed and push them to the page served on 127.0.0.1.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", help="scenario YAML file")
    p.add_argument("-o", "--output", metavar="DIR", help="folder for the page and figures (default: <name>_watch)")
    add_scenario_options(p, samples=False)
    p.add_argument("-n", "--samples", type=count, default=5_000, metavar="N",
                   help="samples per run, at most (default 5000: quick reruns)")
    p.add_argument("--interval", type=_interval, default=0.1, metavar="S", help="seconds between checks (default 0.1)")
    p.add_argument("--port", type=_port, default=0, metavar="P", help="port on 127.0.0.1 (default: a free one)")
    p.add_argument("--no-serve", dest="serve", action="store_false", help="write the folder only, no server")
    p.add_argument("--formats", default="png", metavar="LIST", help="figure formats (default png; e.g. png,svg)")
    p.add_argument("--max-runs", type=count_at_least(1), metavar="K",
                   help="stop after K runs (for scripts and tests; waits up to 10 s for a connected page to show "
                        "the last figures)")
    p.set_defaults(func=cmd_watch)


def _interval(text: str) -> float:
    """argparse type of --interval: positive seconds (0 or less was a busy loop, inf never looked again)."""
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds such as 0.1, got {text!r}")
    return value


def _port(text: str) -> int:
    """argparse type of --port: 0 (a free one) to 65535 (past it the server's bind was an OverflowError)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port 0..65535 (0: a free one), got {text!r}")
    return value


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
    from costsim.report import check_formats, run_section
    from costsim.report.live import LiveReport, LiveServer
    from costsim.store import check_target, clear_costsim_entries

    load_plugins(args)
    run_options = parallel_options(args)
    formats = check_formats(args.formats.split(","))
    source = Path(args.file)
    if not source.is_file():
        print(f"error: {source}: no such file", file=sys.stderr)
        return 2
    out = Path(args.output or f"{source.stem}_watch")
    check_target(out, force=True)  # a folder costsim did not write is never replaced
    kept = clear_costsim_entries(out) if out.exists() else ()  # what a user added there stays
    out.mkdir(parents=True, exist_ok=True)
    if kept:
        print(f"kept what you had added to {out}/: {', '.join(kept)}")
    title = f"costsim watch: {source.stem}"
    server = None
    if args.serve:
        try:
            server = LiveServer(out, args.port, title=title, on_seen=_print_seen).start()
        except OSError as exc:  # the port is taken, or not ours to bind (a traceback)
            from costsim.errors import OutputError

            raise OutputError(f"--port {args.port}: cannot serve on 127.0.0.1:{args.port}: {exc.strerror or exc}; "
                              "expected a free port, or --port 0 for any free one") from None
    live = LiveReport(out, key=source.stem, title=title, formats=formats,
                      publish=server.publish if server else None)
    where = server.url if server else f"{out.resolve()}/index.html"
    print(f"watching {source}; page: {where} (Ctrl-C to stop)", flush=True)
    runs, last, watched = 0, None, [str(source)]
    try:
        while True:
            stamp = _stamp(watched)
            if stamp != last:
                t0 = time.perf_counter()
                section = run_section(source, samples=args.samples, seed=args.seed, overrides=args.overrides,
                                      design=args.design, run_options=run_options)
                up = live.update(section, t0)
                runs += 1
                _print_run(up, where)
                watched = _watched(str(source), section)
                last = _stamp(watched) if watched != [str(source)] else stamp
                if args.max_runs is not None and runs >= args.max_runs:
                    if server is not None and server.clients:
                        keys = {live.current[f][0] for f in up.drawn}
                        server.wait_seen(keys, timeout=10.0)
                    return 0
            time.sleep(max(0.02, args.interval))
    except KeyboardInterrupt:
        print("\nstopped watching", file=sys.stderr)
        return 0
    finally:
        live.close()
        if server is not None:
            server.close()


def _print_seen(seen) -> None:
    # called from the server's threads: one write per line, under a lock, so lines never interleave
    line = f"[{time.strftime('%H:%M:%S')}] page {seen.page} shows {seen.id} {seen.key} ({seen.width} px wide)\n"
    with _PRINT_LOCK:
        sys.stdout.write(line)
        sys.stdout.flush()


def _print_run(up, where: str) -> None:
    with _PRINT_LOCK:
        _print_run_locked(up, where)


def _print_run_locked(up, where: str) -> None:
    clock = time.strftime("%H:%M:%S")
    section = up.section
    if section.error:
        print(f"[{clock}] {section.name}: {section.error_kind} error (the page shows it in place):", file=sys.stderr)
        print(section.error, file=sys.stderr, flush=True)
        return
    r = section.results
    from costsim.results import checks_text

    checks = f", checks: {checks_text(r.checks)}" if r.checks else ""
    first = f", first after {up.first_figure_s:.2f} s" if up.first_figure_s is not None else ""
    print(f"[{clock}] {section.name}: n={r.n:,}, {len(up.drawn)} figures redrawn{first}, {len(up.kept)} unchanged"
          f"{checks} ({up.wall_s:.2f} s) -> {where}", flush=True)
    for c in r.checks:
        if c.verdict == "FAIL":
            print(f"    FAIL  {c.claim}", flush=True)
