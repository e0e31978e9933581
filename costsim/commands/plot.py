"""``costsim plot``: one figure of a saved run (or of a scenario, run first) into a PNG, SVG or PDF file."""

from __future__ import annotations

import argparse

KIND_CHOICES = ("fan", "hist", "race", "cdf", "tornado", "checks")

EPILOG = """\
kinds:
  fan       an output over the years: median with 50/80/90% bands (--bloc for per-bloc outputs);
            with several SOURCEs, their medians and 80% bands overlaid
  hist      the distribution of an output at one year (--year, --bloc)
  race      leader vs follower of an output with a bloc axis
  cdf       CDF of a per-sample value per bloc (crossing years), or of the (fractional) year an
            output over the years first reaches --threshold (--above) or falls below it (--below;
            the default when its median falls)
  tornado   what moves an output: of a scenario file, each parameter swung alone from its 5th to
            its 95th percentile (as `costsim sensitivity --method tornado`); of a results folder,
            the median with each parameter in its lowest / highest 10%, with MC errors, bars
            within 2 errors left out
  checks    the scenario's checks as a table: claim, value, PASS/FAIL

examples:
  costsim run scenarios/reference_r1.yaml -o out/r1
  costsim plot out/r1 --kind fan --output effective_flop -o r1_fan.svg
  costsim plot scenarios/export_controls_base.yaml --kind race --output largest_run_effective_flop -o race.png
  costsim plot scenarios/export_controls_base.yaml --kind cdf --output capability_crossing_year -o cdf.pdf
  costsim plot scenarios/baseline.yaml --kind cdf --output capability_cost_usd --threshold 1e6 --below -o c.png
  costsim plot out/r1 out/baseline --kind fan --output effective_flop -o compare.png
  costsim plot out/r1 --list                       outputs, their axes, and the kinds that fit them

SOURCE is a results folder written by `costsim run -o` (or `costsim rerun -o`), or a scenario
file, which is run first with -n samples (default: min(20000, its samples:)). The format comes
from the file extension (.png, .svg, .pdf); the same data give the same bytes.
"""


def register(sub) -> None:
    from costsim.commands.common import add_scenario_options, count

    p = sub.add_parser("plot", help="draw one figure of a run or scenario into PNG/SVG/PDF",
                       description="Draw one figure from a saved run or a scenario file.", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="results folder or scenario YAML file")
    p.add_argument("--kind", choices=KIND_CHOICES, help="figure kind (see below)")
    p.add_argument("--output", dest="name", metavar="NAME", help="the output (or parameter, for hist) to draw")
    p.add_argument("-o", "--out", dest="file", metavar="FILE", help="figure file: .png, .svg or .pdf")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.add_argument("--bloc", help="bloc of a per-bloc output (fan, hist, cdf)")
    p.add_argument("--year", type=int, help="year for hist and tornado (default: first / last)")
    p.add_argument("--threshold", type=float, help="cdf of an output over the years: the level it crosses")
    way = p.add_mutually_exclusive_group()
    way.add_argument("--below", dest="below", action="store_true", default=None,
                     help="with --threshold: the year the output first falls below it (default for a falling output)")
    way.add_argument("--above", dest="below", action="store_false",
                     help="with --threshold: the year the output first reaches it (default for a rising output)")
    scale = p.add_mutually_exclusive_group()
    scale.add_argument("--log", dest="log", action="store_true", default=None, help="log scale")
    scale.add_argument("--linear", dest="log", action="store_false", help="linear scale")
    p.add_argument("--title", help="figure title (default: from the scenario and output)")
    p.add_argument("--list", action="store_true", help="list the outputs, their axes and the kinds that fit")
    add_scenario_options(p, samples=False)
    p.add_argument("-n", "--samples", type=count, metavar="N",
                   help="samples when SOURCE is a scenario file (default: min(20000, its samples:))")
    p.set_defaults(func=cmd_plot)


def _load(source: str, args):
    """``(Results, Scenario or None)`` of a results folder, or of running a scenario file."""
    from pathlib import Path

    from costsim.errors import Issue, ScenarioError

    path = Path(source)
    if path.is_dir():
        if not (path / "manifest.json").is_file():
            raise ScenarioError(source, [Issue("", "not a results folder", "a folder written by costsim run -o "
                                               "(manifest.json, samples.npz) or a scenario file", source)])
        from costsim.results import Results

        return Results.load(path), None
    from costsim.commands.common import parallel_options
    from costsim.engine import run
    from costsim.scenario import load_scenario

    scenario = load_scenario(path, args.overrides, plugins=getattr(args, "plugins", ()))
    n = args.samples if args.samples is not None else min(20_000, scenario.samples)
    return run(scenario, n=n, seed=args.seed, design=args.design, **parallel_options(args)), scenario


def _fits(results, name: str) -> str:
    axes = results.axes_of(name)
    if axes == ("year",):
        return "fan, hist, tornado, cdf --threshold" if len(results.years) > 1 else "hist, tornado"
    if axes == ("year", "bloc"):
        return "race, fan/hist/tornado --bloc, cdf --threshold"
    if axes == ("bloc",):
        return "cdf, hist/tornado --bloc"
    return "cdf, hist, tornado"


def cmd_plot(args) -> int:
    from costsim.commands.common import load_plugins
    from costsim.errors import Issue, ScenarioError

    load_plugins(args)
    if args.file is not None and not args.list:  # before running a scenario, not after
        from pathlib import Path

        from costsim.commands.sensitivity import refuse_existing
        from costsim.plots.style import FORMATS

        if Path(args.file).suffix.lower() not in FORMATS:
            raise ScenarioError("costsim plot", [Issue("-o", "unknown figure format", "a file ending in .png, .svg or "
                                                       ".pdf", args.file)])
        refuse_existing(args.file, args.force)
    loaded = [_load(s, args) for s in args.sources]
    results_list = [r for r, _ in loaded]
    first = results_list[0]
    if args.list:
        width = max((len(n) for n in first.outputs), default=10)
        for name in first.outputs:
            axes = first.axes_of(name)
            print(f"  {name:<{width}}  axes ({', '.join(axes) or 'per sample'})  kinds: {_fits(first, name)}")
        if first.checks:
            print("  (checks)  kinds: checks")
        return 0
    missing = [Issue(opt, "is required", what) for opt, what, val in (
        ("--kind", f"one of {', '.join(KIND_CHOICES)}", args.kind), ("-o", "a .png, .svg or .pdf file", args.file))
        if val is None]
    if missing:
        raise ScenarioError("costsim plot", missing)
    try:
        ax = _draw(args, results_list, loaded[0][1])
    except ValueError as exc:  # what the plot function cannot draw from these results (a log axis of values <= 0 ...)
        if isinstance(exc, ScenarioError):
            raise
        raise ScenarioError("costsim plot", [Issue("", str(exc))]) from None
    from costsim.plots import save_figure
    from costsim.store import atomic_write

    atomic_write(args.file, lambda tmp: save_figure(ax, tmp), force=args.force)
    print(f"wrote {args.file}")
    return 0


_OPTION = {"kind": "--kind", "output": "--output", "bloc": "--bloc", "year": "--year", "threshold": "--threshold",
           "log": "--log", "title": "--title"}


def _cli_spelling(text, blocs=()):
    """A plots: entry's YAML spelling ("add bloc:", "threshold: NUMBER") as the options of this command."""
    import re

    if not text:
        return text
    names = f" (one of {', '.join(blocs)})" if blocs else ""
    text = re.sub(r"\bbloc: NAME\b", f"--bloc NAME{names}", text)
    return re.sub(r"\b(" + "|".join(_OPTION) + r"):(?= |\)|$)", lambda m: _OPTION[m.group(1)], text)


def _draw(args, results_list, scenario=None):
    """Validate the options like a scenario's plots: entry, then draw."""
    from pathlib import Path

    from costsim.errors import Issue, ScenarioError
    from costsim.plots import draw, fan_compare, parse_plots
    from costsim.plots.style import FORMATS

    first = results_list[0]
    if Path(args.file).suffix.lower() not in FORMATS:
        raise ScenarioError("costsim plot", [Issue("-o", "unknown figure format", "a file ending in .png, .svg or "
                                                   ".pdf", args.file)])
    entry = {"kind": args.kind}
    for key in ("name", "bloc", "year", "threshold", "log", "title"):
        value = getattr(args, key)
        if value is not None:
            entry["output" if key == "name" else key] = value
    outputs = {n: first.axes_of(n) for n in first.outputs}
    if args.kind == "hist" and args.name in first.params:
        outputs[args.name] = ()  # a sampled parameter's distribution is a fair question too
    try:
        (spec,) = parse_plots([entry], outputs, first.years, first.blocs, source="costsim plot",
                              has_checks=bool(first.checks))
    except ScenarioError as exc:
        issues = []
        for issue in exc.issues:
            key = issue.path.split(".")[-1] if "." in issue.path else "output"
            issues.append(Issue(_OPTION.get(key, key), _cli_spelling(issue.problem, first.blocs),
                                _cli_spelling(issue.expected, first.blocs), issue.got, hint=issue.hint))
        raise ScenarioError("costsim plot", issues) from None
    if args.below is not None and spec.threshold is None:  # drawn without it: not what was asked
        raise ScenarioError("costsim plot", [Issue("--below" if args.below else "--above",
                                                   "is read only with --threshold (the crossing-year CDF)",
                                                   "--kind cdf --threshold NUMBER", args.kind)])
    if len(results_list) > 1:
        if spec.kind != "fan":
            raise ScenarioError("costsim plot", [Issue("--kind", "several sources are overlaid as fan charts only",
                                                       "fan", spec.kind)])
        return fan_compare(results_list, spec.output, bloc=spec.bloc, log=spec.log, title=spec.title,
                           labels=[r.meta.get("scenario") or s for r, s in zip(results_list, args.sources,
                                                                                 strict=True)])
    if spec.kind == "cdf" and spec.threshold is not None and args.below is not None:
        from costsim.plots import cdf

        return cdf(first, spec.output, threshold=spec.threshold, below=args.below,
                   blocs=None if spec.bloc is None else [spec.bloc], title=spec.title)
    tornado = None
    if spec.kind == "tornado" and scenario is not None:
        # the same one-at-a-time swing as the report and `costsim sensitivity --method tornado`
        from costsim.report import tornados_for_report
        from costsim.report.sections import tornado_key

        tornado = tornados_for_report(scenario, [spec]).get(tornado_key(spec, first.years))
    return draw(spec, first, tornado=tornado)
