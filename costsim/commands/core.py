"""``costsim run | validate | models | params | schema | rerun``."""

from __future__ import annotations

import argparse
import math
import sys
import textwrap

from costsim.commands.common import Progress, add_scenario_options, fmt, kept_note, load_plugins, parallel_options

EXIT_DIFFERS = 4  # rerun: the reproduced summary.csv differs from the saved one

SCHEMA_EPILOG = """\
editors (VS Code, Neovim, ... with the YAML language server):
  costsim schema -o costsim.schema.json
then put this line at the top of a scenario file:
  # yaml-language-server: $schema=costsim.schema.json
(a path relative to the scenario file, or an absolute path or URL). The schema checks keys,
types, distribution fields and the names of figure kinds, methods and presets as you type;
`costsim validate` checks the rest (outputs, years, wiring of the models, units).
"""

RUN_EPILOG = """\
examples:
  costsim run scenarios/reference_r1.yaml
  costsim run scenarios/reference_r1.yaml -n 1000000 --seed 1
  costsim run scenarios/deepseek_v3.yaml --set params.price_usd_per_gpu_hour=2.5 -o out/ds_2_5
  costsim run my.yaml --plugin my_models.py

The summary shows the median and the 90% interval [5%, 95%] of each output at the scenario's
summary_years. Each check prints PASS or FAIL with its measured value and Monte Carlo error when
that error decides it, and CLOSE when it is too close to call at this sample count (it says how
many samples would settle it; at -n 1 there is no error and no check can be judged). Exit code:
1 if any decided check FAILs, else 0; a CLOSE check is neither passed nor failed (it is not counted
in "N of M checks passed").
With -o DIR the run is saved as summary.csv, samples.npz and manifest.json (written atomically;
an existing folder is only replaced with --force). `costsim rerun DIR` reproduces it.
"""


def register(sub) -> None:
    p = sub.add_parser("run", help="run a scenario: summary table and checks",
                       description="Run a scenario file's Monte Carlo simulation.", epilog=RUN_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", help="scenario YAML file, or the name of a bundled scenario (e.g. reference_r1)")
    add_scenario_options(p)
    p.add_argument("-o", "--output", metavar="DIR", help="save the results into this new folder")
    p.add_argument("--force", action="store_true", help="replace an existing results folder of costsim's (files you added to it are kept)")
    p.add_argument("--years", metavar="Y,Y", help="years to show in the summary (default: summary_years:)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the checks (and no progress bar)")
    p.add_argument("--strict", action="store_true", help="a name without a unit suffix is an error "
                   "(as strict_units: true)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("validate", help="check scenario files without running them",
                       description="Validate scenario files: every problem in every file, with file:line.",
                       epilog="examples:\n  costsim validate scenarios/*.yaml\n"
                              "  costsim validate --explain scenarios/on_trend.yaml   # median, 1%, 99% of inputs",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+", help="scenario YAML files, or names of bundled scenarios (e.g. reference_r1)")
    p.add_argument("--explain", action="store_true",
                   help="echo what each uncertain parameter implies (median, 1st and 99th percentile)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE")
    p.add_argument("--plugin", dest="plugins", action="append", default=[], metavar="FILE.py")
    p.add_argument("--strict", action="store_true", help="a name without a unit suffix is an error "
                   "(as strict_units: true)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("models", help="list every model with inputs, outputs, units and origin",
                       description="List the registered models (built-in, plugins, installed packages).")
    p.add_argument("--plugin", dest="plugins", action="append", default=[], metavar="FILE.py")
    p.add_argument("name", nargs="?", help="show one model only")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("params", help="list inputs with unit, meaning and source",
                       description="With a scenario: its parameters (distribution, median, 90% interval, source). "
                                   "Without: every model input's unit and meaning. --claims lists the citable "
                                   "data entries, --units the unit suffixes.")
    p.add_argument("file", nargs="?", help="scenario YAML file")
    p.add_argument("--claims", action="store_true", help="list the ids of costsim/data/claims.yaml")
    p.add_argument("--units", action="store_true", help="list the unit suffixes names must end with")
    p.add_argument("--plugin", dest="plugins", action="append", default=[], metavar="FILE.py")
    p.set_defaults(func=cmd_params)

    p = sub.add_parser("schema", help="print the JSON Schema of scenario files (for editors)",
                       description="Print (or write with -o) the JSON Schema of the scenario format, generated "
                                   "from the validator's own tables.",
                       epilog=SCHEMA_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-o", "--output", metavar="FILE", help="write the schema to this file instead of printing it "
                   "(a new file; an existing one only with --force, replaced whole once written)")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("rerun", help="reproduce a saved run from its manifest",
                       description="Re-run a results folder from the scenario text, overrides, seed and n stored "
                                   "in its manifest.json, and compare the new summary with the saved one.",
                       epilog="exit codes: 0 identical and every check passed; 1 a check failed, or no saved "
                              f"summary.csv to compare; {EXIT_DIFFERS} the new summary.csv DIFFERS from the saved one; "
                              "2 invalid scenario or folder; 3 model error.")
    p.add_argument("folder", help="results folder written by costsim run -o")
    p.add_argument("-o", "--output", metavar="DIR", help="save the reproduced results here")
    p.add_argument("--force", action="store_true")
    p.add_argument("--plugin", dest="plugins", action="append", default=[], metavar="FILE.py",
                   help="load this plugin file; needed for each plugin the run used (a results folder "
                        "never loads code by itself)")
    p.set_defaults(func=cmd_rerun)


# ----------------------------------------------------------------------------- run
def _summary_years(scenario, text):
    from costsim.errors import Issue, ScenarioError

    if not text:
        return list(scenario.summary_years)
    try:
        years = [int(y) for y in text.split(",")]
    except ValueError:
        raise ScenarioError("--years", [Issue("--years", "must be comma-separated years", "2025,2030", text)])
    known = {int(y) for y in scenario.years}
    missing = [y for y in years if y not in known]
    if missing:  # the summary would silently leave them out
        raise ScenarioError("--years", [Issue("--years", "not a year of the scenario",
                                              f"years in {int(scenario.years[0])}..{int(scenario.years[-1])}"
                                              + (f" step {int(scenario.years[1] - scenario.years[0])}"
                                                 if len(scenario.years) > 1 and scenario.years[1] - scenario.years[0] != 1
                                                 else ""), missing[0])])
    return list(dict.fromkeys(years))


MAX_SEED = 2**63 - 1  # as seed: in a scenario


def _check_seed_option(args) -> None:
    """``--seed -1`` would reach numpy's seeding and end in a traceback: refuse it as seed: would be."""
    seed = getattr(args, "seed", None)
    if seed is not None and not 0 <= seed <= MAX_SEED:
        from costsim.errors import Issue, ScenarioError

        raise ScenarioError("--seed", [Issue("--seed", "out of range", f"0 <= seed <= {MAX_SEED}", seed)])


def print_summary(results, scenario, years, out=None) -> None:
    out = out or sys.stdout
    from costsim.results import PRINTED_QUANTILES
    from costsim.units import SI_UNITS, fmt_value, label_of, suffix_of, unit_of

    rows = []
    for name in results.outputs:
        unit = unit_of(name) if suffix_of(name) else ""
        show = (lambda x, u=unit: fmt_value(x, u)) if unit in (*SI_UNITS, "USD") else fmt  # 2.31 GW, $5.58M
        axes = results.axes_of(name)
        blocs = list(results.blocs) if "bloc" in axes else [None]
        yrs = [y for y in years if y in results.years] if "year" in axes else [None]
        for bl in blocs:
            for yr in yrs:
                # the summary.csv numbers, computed once (only the three printed: fewer passes)
                p5, p50, p95 = results.summary_quantiles(name, yr, bl, PRINTED_QUANTILES)
                rows.append((label_of(name) + (f" {{{bl}}}" if bl else ""), "" if yr is None else str(yr),
                             show(p50), f"[{show(p5)}, {show(p95)}]"))
    if not rows:
        return
    w = [max(len(r[i]) for r in rows + [("output", "year", "median", "90% interval")]) for i in range(4)]
    head = ("output", "year", "median", "90% interval")
    out.write(f"{head[0]:<{w[0]}}  {head[1]:>{w[1]}}  {head[2]:>{w[2]}}  {head[3]:<{w[3]}}\n")
    for r in rows:
        out.write(f"{r[0]:<{w[0]}}  {r[1]:>{w[1]}}  {r[2]:>{w[2]}}  {r[3]:<{w[3]}}\n")


def print_checks(results, out=None) -> int:
    out = out or sys.stdout
    failed = 0
    if not results.checks:
        return 0
    out.write("\nchecks:\n")
    close = 0
    for c in results.checks:
        verdict = c.verdict
        failed += verdict == "FAIL"
        close += verdict == "CLOSE"
        out.write(f"  {verdict:<5} {c.claim}\n        {c.description}: measured {fmt(c.value)} +- {fmt(c.se)} (MC se)\n")
        if verdict == "CLOSE" and not math.isfinite(c.se):
            out.write(f"        cannot be judged at n={results.n:,}: the sample cannot bound this statistic's Monte Carlo "
                      "error (an extreme quantile of too few samples); run with more samples\n")
        elif verdict == "CLOSE":
            need = f"; about {c.needed_samples:,} samples would settle it" if c.needed_samples else ""
            out.write(f"        too close to call at n={results.n:,}{need}\n")
    passed = len(results.checks) - failed - close
    line = f"{passed} of {len(results.checks)} checks passed"
    if close:
        line += (f"; {close} too close to call (CLOSE: neither passed nor failed; the exit code counts only "
                 f"decided checks)")
    out.write(line + "\n")
    return failed


def _check_output_option(args) -> None:
    """``-o ''`` names no folder: refuse it rather than silently save nothing."""
    if args.output is not None and not args.output.strip():
        from costsim.errors import Issue, ScenarioError

        raise ScenarioError("-o", [Issue("-o", "empty folder name", "a folder to create, e.g. -o out/run1",
                                         args.output)])


def cmd_run(args) -> int:
    from costsim.bundled import resolve_scenario
    from costsim.engine import run, save_results
    from costsim.results import PRINTED_QUANTILES
    from costsim.scenario import load_scenario
    from costsim.store import check_target

    _check_output_option(args)
    _check_seed_option(args)
    load_plugins(args)
    scenario = load_scenario(resolve_scenario(args.file), args.overrides, plugins=args.plugins, strict=args.strict)
    if args.output:
        check_target(args.output, args.force)  # refuse before spending time on the run
    years = _summary_years(scenario, args.years)
    n = args.samples if args.samples is not None else scenario.samples
    # without -o only the printed years (and the checks' years) are read: the rest is not kept
    keep_years = None if args.output else ([] if args.quiet else years)
    results = run(scenario, n=n, seed=args.seed, design=args.design, progress=Progress(f"{scenario.name}", quiet=args.quiet),
                  keep_years=keep_years, keep_params=None if args.output else (), **parallel_options(args))
    if not args.quiet:
        print(f"{scenario.name}: n={results.n:,} seed={results.meta['seed']} design={results.meta['design']} "
              f"({results.meta['wall_time_s']:.2f} s)")
        if scenario.description:
            print(f"  {textwrap.shorten(scenario.description, 200, placeholder=' ...', break_on_hyphens=False)}")  # whole words
        print()
        # the printed quantiles in blocked passes on the idle cores (summary.csv's numbers; with -o
        # every statistic, as summary.csv needs them all), two columns gathered at a time: the kept
        # outputs already fill most of the memory budget
        results.fill_stats(scratch_bytes=2 * 8 * results.n, quantiles=None if args.output else PRINTED_QUANTILES)
        print_summary(results, scenario, years)
    if results.meta.get("clipped_samples"):
        for name, count in results.meta["clipped_samples"].items():
            print(f"note: {count:,} samples of {name} were clipped to its min/max")
    failed = print_checks(results)
    if args.output:
        save_results(results, args.output, force=args.force)
        print(f"\nsaved to {args.output}/ (summary.csv, samples.npz, manifest.json){kept_note(args.output)}")
    return 1 if failed else 0


# ----------------------------------------------------------------------------- validate
def cmd_validate(args) -> int:
    from costsim.bundled import resolve_scenario
    from costsim.errors import ScenarioError
    from costsim.scenario import load_scenario

    load_plugins(args)
    bad = 0
    for f in args.files:
        try:
            s = load_scenario(resolve_scenario(f), args.overrides, plugins=args.plugins, strict=args.strict)
        except ScenarioError as exc:
            print(str(exc), file=sys.stderr)
            bad += 1
            continue
        print(f"ok: {f} ({len(s.params)} params, {len(s.uncertain)} uncertain, {len(s.nodes)} models/formulas, "
              f"{len(s.outputs)} outputs, {len(s.checks)} checks)")
        if args.explain:
            _explain(s)
    return 2 if bad else 0


EXPLAIN_MAX_VALUES = 8  # a longer choice list is summarized (a 150k-value list made a 1 MB line)


def _short_describe(dist) -> str:
    values = dist.f.get("values") if dist.kind == "choice" else None
    if values is not None and len(values) > EXPLAIN_MAX_VALUES:
        return f"choice of {len(values):,} values in [{fmt(min(values))}, {fmt(max(values))}]"
    return dist.describe()


def _explain(s) -> None:
    import numpy as np

    from costsim.units import suffix_of, unit_of

    width = max((len(n) for n in s.params), default=10)
    for name, p in s.params.items():
        unit = unit_of(name) if suffix_of(name) is not None else "(unit unknown)"
        if p.is_constant:
            print(f"  {name:<{width}}  constant {fmt(p.value)} {unit}" + (f"   source: {p.source}" if p.source else ""))
            continue
        q = p.dist.ppf(np.array([0.01, 0.05, 0.5, 0.95, 0.99]))
        clipped = ""
        if p.clip_min is not None or p.clip_max is not None:
            # the draws are clipped, and a quantile of a clipped draw is the clipped quantile (clip is monotone)
            lo = -np.inf if p.clip_min is None else p.clip_min
            hi = np.inf if p.clip_max is None else p.clip_max
            q = np.clip(q, lo, hi)
            clipped = f" clipped to [{fmt(lo) if p.clip_min is not None else '-inf'}, " \
                      f"{fmt(hi) if p.clip_max is not None else 'inf'}]"
        print(f"  {name:<{width}}  {_short_describe(p.dist)}{clipped}  ->  median {fmt(q[2])}, 90% [{fmt(q[1])}, "
              f"{fmt(q[3])}], 1%..99% [{fmt(q[0])}, {fmt(q[4])}] {unit}")
        if p.source:
            print(f"  {'':<{width}}  source: {p.source}")


# ----------------------------------------------------------------------------- models / params
def cmd_models(args) -> int:
    from costsim.registry import load_builtin_models
    from costsim.units import unit_of

    load_plugins(args)
    models = load_builtin_models()
    names = [args.name] if args.name else sorted(models)
    for name in names:
        if name not in models:
            import difflib

            close = difflib.get_close_matches(name, sorted(models), n=1)
            print(f"unknown model {name!r}" + (f"; did you mean {close[0]!r}?" if close else ""), file=sys.stderr)
            return 2
        spec = models[name]
        print(f"{spec.name}  [{spec.origin}]")
        if spec.summary:
            print(f"    {spec.summary}")
        for inp in spec.inputs:
            meaning = spec.meanings.get(inp, "")
            print(f"    in   {inp:<32} {unit_of(inp):<26} {meaning}")
        for out in spec.outputs:
            axes = spec.axes_of(out)
            shape = "(n, " + ", ".join("T" if a == "year" else "bloc" for a in axes) + ")" if axes else "(n,)"
            print(f"    out  {out:<32} {unit_of(out):<26} {shape}")
    return 0


def cmd_params(args) -> int:
    load_plugins(args)
    if args.units:
        from costsim.units import UNIT_SUFFIXES

        for suffix, unit in sorted(UNIT_SUFFIXES.items()):
            print(f"  {suffix:<22} {unit}")
        return 0
    if args.claims:
        from costsim.scenario import claims_index

        for cid, entry in claims_index().items():
            val = entry.get("value", "")
            rng = f"[{entry['low']}, {entry['high']}]" if "low" in entry else ""
            print(f"  {cid:<42} {entry.get('kind', ''):<9} {val}{rng} {entry.get('unit', '')}  ({entry.get('source')})")
        return 0
    if args.file:
        from costsim.scenario import load_scenario

        from costsim.bundled import resolve_scenario

        _explain(load_scenario(resolve_scenario(args.file), plugins=args.plugins))
        return 0
    from costsim.registry import load_builtin_models
    from costsim.units import unit_of

    seen: dict[str, list[str]] = {}
    meanings: dict[str, str] = {}
    for spec in load_builtin_models().values():
        for inp in spec.inputs:
            seen.setdefault(inp, []).append(spec.name)
            meanings.setdefault(inp, spec.meanings.get(inp, ""))
    for inp in sorted(seen):
        print(f"  {inp:<34} {unit_of(inp):<26} {meanings[inp]}  (used by {', '.join(seen[inp])})")
    return 0


def cmd_schema(args) -> int:
    import json

    from costsim.schema import scenario_schema

    text = json.dumps(scenario_schema(), indent=2) + "\n"
    if args.output is None:
        sys.stdout.write(text)
        return 0
    _check_output_option(args)
    from costsim.store import atomic_write

    # never over a user's file unasked, and never half-written (OutputError: exit 2, its message)
    atomic_write(args.output, lambda tmp: tmp.write_text(text, encoding="utf-8"), force=bool(args.force))
    print(f"wrote {args.output}; add `# yaml-language-server: $schema={args.output}` to a scenario's first line")
    return 0


def cmd_rerun(args) -> int:
    from pathlib import Path

    from costsim.engine import rerun, save_results
    from costsim.store import check_target

    _check_output_option(args)
    load_plugins(args)
    if args.output:
        check_target(args.output, args.force)  # refuse before spending time on the run
    results = rerun(args.folder, plugins=args.plugins)
    try:
        old = (Path(args.folder) / "summary.csv").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        old = None
    new = results.summary_csv()
    same = old == new
    verdict = "identical, byte for byte" if same else "DIFFERS" if old is not None else \
        "not compared (the folder holds no readable summary.csv)"
    print(f"rerun of {args.folder}: n={results.n:,} seed={results.meta['seed']}: summary.csv {verdict}")
    if args.output:
        save_results(results, args.output, force=args.force)
        print(f"saved to {args.output}/{kept_note(args.output)}")
    failed = print_checks(results)
    if old is not None and not same:
        return EXIT_DIFFERS
    return 1 if (failed or old is None) else 0
