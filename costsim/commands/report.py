"""``costsim report``: run scenarios and write an offline HTML + Markdown report with every figure."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

EPILOG = """\
examples:
  costsim report                                   every scenarios/*.yaml -> report/index.html, opened
                                                   by the claims ledger (costsim claims)
  costsim report --force                           replace the previous report/ (only once the new one is done)
  costsim report scenarios/export_controls_*.yaml -o out/export_report -n 50000
  costsim report my.yaml --set params.leak_frac.high=0.5 -o my_report

Each scenario runs with min(-n, its samples:) samples (default -n 20000; the report states n).
Figures come from the scenario's plots: list, or defaults chosen from the outputs' shapes (fan
charts over the years, leader-vs-follower race charts, crossing-year CDFs, a tornado, the
checks). Every figure is written as PNG (shown on the pages), or in the --formats given (e.g.
--formats png,svg adds a linked SVG of each), all from one layout; the same seed gives the same
bytes. Replacing a report (--force) copies the figures whose inputs (their data and the drawing
code, by content hash) are unchanged. A scenario that fails to load or run appears as an error
section and the others are still reported.

The folder is written atomically: an interrupted or failed report leaves the previous one intact.
An existing folder is replaced only with --force, and only if costsim wrote it.

exit codes: 0 every scenario ran and every check passed; 1 a check failed; 2 a scenario is
invalid (or bad options); 3 a model produced non-finite values.
"""


def register(sub) -> None:
    from costsim.commands.common import add_scenario_options, count

    p = sub.add_parser("report", help="run scenarios into an HTML + Markdown report with figures",
                       description="Run scenarios (default: every scenarios/*.yaml in the current folder) and "
                                   "write index.html, report.md, report.json and the figures into a folder.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="*", metavar="SCENARIO", help="scenario YAML files (default: scenarios/*.yaml)")
    p.add_argument("-o", "--output", default="report", metavar="DIR", help="report folder (default: report)")
    p.add_argument("--force", action="store_true", help="replace an existing report folder of costsim's (files you added to it are kept)")
    add_scenario_options(p, samples=False)
    p.add_argument("-n", "--samples", type=count, default=20_000, metavar="N",
                   help="samples per scenario, at most (default 20000; a scenario asking for fewer keeps its own)")
    p.add_argument("-j", "--jobs", type=int, metavar="J",
                   help="worker processes running scenarios and drawing figures (default: one per idle core); "
                        "the report is the same for any J")
    p.add_argument("--formats", default="png", metavar="LIST",
                   help="figure formats, saved from one layout (default png, what the pages show; any of png, svg, "
                        "pdf, e.g. png,svg for vector copies linked beside each figure)")
    p.add_argument("--no-reuse", dest="reuse", action="store_false",
                   help="draw every figure again, even those unchanged since the report being replaced")
    p.add_argument("--no-compare", dest="compare", action="store_false",
                   help="leave out the figures that overlay scenarios sharing an output")
    p.add_argument("--ledger", dest="ledger", action="store_true", default=None,
                   help="open the report with the claims ledger (default: when no files are named and the "
                        "scenarios folder holds every scenario its verdicts link to, e.g. the bundled ones)")
    p.add_argument("--no-ledger", dest="ledger", action="store_false", help="leave the claims ledger out")
    p.add_argument("--quiet", action="store_true", help="print only the final line and problems")
    p.set_defaults(func=cmd_report)


def cmd_report(args) -> int:
    from costsim.commands.common import load_plugins, parallel_options
    from costsim.errors import Issue, ScenarioError
    from costsim.report import build_report, bundled_scenarios, check_formats

    check_formats(args.formats.split(","))
    if args.samples is not None and args.samples < 1:
        raise ScenarioError("-n", [Issue("--samples", "must be at least 1", ">= 1", args.samples)])
    load_plugins(args)
    from costsim.bundled import scenarios_folder  # ./scenarios/, else the ones installed with costsim

    files = args.files or bundled_scenarios(scenarios_folder())
    ledger = args.ledger
    if ledger is None:  # by default when every section the ledger's verdicts link to is in the report
        from costsim.ledger import load_ledger

        named = {Path(f).stem for f in files}
        ledger = not args.files and {c.scenario for c in load_ledger().claims if c.scenario} <= named
    t0 = time.perf_counter()

    def progress(text: str) -> None:
        if not args.quiet:
            print(f"[{time.perf_counter() - t0:5.1f} s] {text}", file=sys.stderr, flush=True)

    summary = build_report(files, args.output, samples=args.samples, seed=args.seed, overrides=args.overrides,
                           force=args.force, jobs=args.jobs, progress=progress, compare=args.compare,
                           design=args.design, run_options=parallel_options(args),
                           formats=args.formats.split(","), reuse=args.reuse,
                           ledger=ledger)
    wall = time.perf_counter() - t0
    from costsim.commands.common import kept_note
    from costsim.results import checks_text

    n_figs = not_drawn = 0
    for s in summary.sections:
        figs = [f for f in s.figures if f.files]
        n_figs += len(figs)
        if s.error:
            print(f"ERROR {s.name} ({s.source}): {s.error_kind} error", file=sys.stderr)
            for line in s.error.splitlines():
                print(f"    {line}", file=sys.stderr)
            continue
        r = s.results
        checks = f", checks: {checks_text(r.checks)}" if r.checks else ""
        missing = [f for f in s.figures if not f.files]
        if not args.quiet or s.failed_checks:
            print(f"{s.status:<5} {s.name}: n={r.n:,}, {len(figs)} figures{checks}")
        for c in r.checks:
            if c.verdict == "FAIL":
                print(f"      FAIL  {c.claim}\n            {c.description}: measured {c.value:.4g}")
        for f in missing:
            print(f"      figure {f.title} not drawn: {f.error}", file=sys.stderr)
        not_drawn += len(missing)
    drawn = [f for f in summary.comparisons if f.files]
    n_figs += len(drawn)
    for f in summary.comparisons:
        if not f.files:
            not_drawn += 1
            print(f"      comparison figure {f.title} not drawn: {f.error}", file=sys.stderr)
    kinds = " + ".join(f.upper() for f in check_formats(args.formats.split(",")))
    missed = f" ({not_drawn} could not be drawn: see above)" if not_drawn else ""
    print(f"wrote {summary.folder}/index.html, report.md and {n_figs} figures ({kinds}){missed} in {wall:.1f} s"
          f"{kept_note(summary.folder)}")
    return summary.exit_code
