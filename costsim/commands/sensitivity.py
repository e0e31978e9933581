"""``costsim sensitivity``: Sobol' indices, Morris screening or a tornado of a scenario's outputs."""

from __future__ import annotations

import argparse

from costsim.commands.common import (Progress, add_scenario_options, count, count_at_least, fmt, load_plugins,
                                     parallel_options)


def refuse_existing(path: str | None, force: bool) -> None:
    """Refuse, before any work, what the write at the end would refuse after it.

    An existing file without --force; with or without it, an empty name (nothing was written),
    a folder, or a path through a file (the run's results were lost at the write).
    """
    if path is None:
        return
    from pathlib import Path

    from costsim.errors import OutputError

    if not path.strip():
        raise OutputError(f"{path!r}: empty file name; expected a file name such as out.csv")
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{path}: is a folder; expected a file name")
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"{path}: {parent} is a file, not a folder; expected a path through folders")
            break
    if not force and (target.exists() or target.is_symlink()):
        raise OutputError(f"{path}: file exists; expected a new file name, or --force to replace it")

EPILOG = """\
methods:
  sobol    first-order (S1) and total (ST) Sobol' indices with 95% bootstrap intervals, from a
           Saltelli design of (d + 2) x N_base rows drawn through the scenario's own sampling
           (SALib's estimators). S1 = share of the output's variance due to the parameter alone;
           ST = including its interactions. ST - S1 large means interactions matter.
  morris   Morris elementary effects: mu* (overall influence), sigma (non-linearity and
           interactions); a cheap screening for scenarios with many parameters. Needs SALib.
  tornado  each parameter at its 5th and 95th percentile, the others at their medians: the swing.

Outputs that span orders of magnitude (USD, FLOP, ...) are analysed as log10 unless --linear.
A scenario's `sensitivity:` block may set method, outputs, years, n_base, resamples, log10,
trajectories, levels, quantiles and bounds; options given here win. For Sobol', --design picks
the Saltelli design's draws: sobol (default, a scrambled Sobol' sequence) or mc.

examples:
  costsim sensitivity scenarios/reference_r1.yaml
  costsim sensitivity scenarios/reference_r1.yaml --years 2030 --n-base 4096 --csv s.csv
  costsim sensitivity scenarios/export_controls_essay.yaml --method morris --workers 2
  costsim sensitivity scenarios/reference_r1.yaml --method tornado --quantiles 0.1,0.9
"""


def register(sub) -> None:
    p = sub.add_parser("sensitivity", help="which parameters drive each output: Sobol', Morris or tornado",
                       description="Global sensitivity analysis of a scenario's outputs, per output and year.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", help="scenario YAML file")
    add_scenario_options(p, samples=False)
    p.add_argument("--method", choices=("sobol", "morris", "tornado"),
                   help="default: the scenario's sensitivity.method, else sobol")
    p.add_argument("--output", dest="outputs", action="append", metavar="NAME",
                   help="analyse this output (repeatable; default: the scenario's outputs)")
    p.add_argument("--years", metavar="Y,Y", help="years to show (default: sensitivity.years, else summary_years)")
    p.add_argument("-n", "--samples", type=count, dest="samples_instead_of_n_base", help=argparse.SUPPRESS)
    p.add_argument("--n-base", type=count_at_least(2), metavar="N",
                   help="Sobol': base rows, a power of two; (d+2) x N evaluations (default: ~samples/(d+2))")
    p.add_argument("--resamples", type=count_at_least(0), metavar="R", help="Sobol': bootstrap resamples (default 100)")
    p.add_argument("--estimator", choices=("numpy", "salib"), default=None,
                   help="Sobol': numpy (vectorised, default) or SALib.analyze.sobol itself; the same formulas")
    p.add_argument("--trajectories", type=count_at_least(2), metavar="R", help="Morris: trajectories (default 100)")
    p.add_argument("--levels", type=count_at_least(2), metavar="P", help="Morris: grid levels, even (default 4)")
    p.add_argument("--quantiles", metavar="LO,HI", help="tornado: percentiles of the swing (default 0.05,0.95)")
    p.add_argument("--linear", action="store_true", help="analyse raw outputs, never log10")
    p.add_argument("--csv", metavar="FILE", help="write every output, year and parameter as CSV (atomically)")
    p.add_argument("--force", action="store_true", help="replace an existing --csv file")
    p.set_defaults(func=cmd_sensitivity)


def _years(text: str | None, default) -> list[int]:
    if not text:
        return list(default)
    try:
        return list(dict.fromkeys(int(y) for y in text.split(",")))  # a year given twice is shown once
    except ValueError:
        from costsim.errors import Issue, ScenarioError

        raise ScenarioError("--years", [Issue("--years", "must be comma-separated years", "2025,2030", text)]) from None


def cmd_sensitivity(args) -> int:
    import warnings

    from costsim import sensitivity as sa
    from costsim.errors import CostsimWarning, Issue, ScenarioError
    from costsim.scenario import load_scenario

    if getattr(args, "samples_instead_of_n_base", None) is not None:
        raise ScenarioError("-n", [Issue("-n", "sensitivity takes no -n", "--n-base N (Sobol': base rows, "
                                         "(d+2) x N evaluations) or --trajectories R (Morris)",
                                         args.samples_instead_of_n_base)])
    load_plugins(args)
    scenario = load_scenario(args.file, args.overrides, plugins=args.plugins)
    opts = sa.options(scenario)
    method = args.method or opts.get("method", "sobol")
    years = _years(args.years, opts.get("years") or scenario.summary_years)
    outside = [y for y in years if y not in {int(t) for t in scenario.years}]
    if args.years and outside:  # refuse before spending the evaluations on years never shown
        raise ScenarioError("--years", [Issue("--years", "year not in the scenario's years",
                                              f"whole years in {int(scenario.years[0])}..{int(scenario.years[-1])}",
                                              outside[0])])
    refuse_existing(args.csv, args.force)
    own = {"--n-base": ("sobol", args.n_base), "--resamples": ("sobol", args.resamples),
           "--design": ("sobol", args.design), "--trajectories": ("morris", args.trajectories),
           "--levels": ("morris", args.levels), "--quantiles": ("tornado", args.quantiles),
           "--estimator": ("sobol", args.estimator)}
    ignored = [(flag, m) for flag, (m, value) in own.items() if value is not None and m != method]
    if ignored:  # it would be silently dropped: another analysis than the one asked for
        flag, m = ignored[0]
        raise ScenarioError(flag, [Issue(flag, f"is an option of --method {m}, not of {method}",
                                         f"--method {m}, or no {flag}", getattr(args, flag[2:].replace("-", "_")))])
    log10 = False if args.linear else None
    outputs = tuple(dict.fromkeys(args.outputs)) if args.outputs else None  # each once
    notes = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CostsimWarning)
        if method == "sobol":
            design = args.design or "sobol"
            if design == "lhs":
                raise ScenarioError("--design", [Issue("--design", "Sobol' indices need a sobol or mc design",
                                                       "sobol or mc", design)])
            res = sa.sobol(scenario, n_base=args.n_base, seed=args.seed, outputs=outputs, log10=log10,
                           num_resamples=args.resamples, design=design, estimator=args.estimator or "numpy",
                           progress=Progress(f"{scenario.name} sobol"), **parallel_options(args))
            head = (f"Sobol' indices, N_base={res.meta['n_base']:,} ({res.meta['evaluations']:,} evaluations, "
                    f"{res.meta['design']} design), seed {res.meta['seed']}; +- = 95% bootstrap interval "
                    f"({res.meta['num_resamples']} resamples)")
        elif method == "morris":
            res = sa.morris(scenario, trajectories=args.trajectories, seed=args.seed, num_levels=args.levels,
                            outputs=outputs, years=years, log10=log10, progress=Progress(f"{scenario.name} morris"),
                            **parallel_options(args))
            head = (f"Morris screening, {res.meta['trajectories']} trajectories on {res.meta['levels']} levels "
                    f"({res.meta['evaluations']:,} evaluations), seed {res.meta['seed']}; effects per unit of "
                    "the [0, 1] quantile grid")
        else:
            q = None
            if args.quantiles:
                try:
                    q = tuple(float(x) for x in args.quantiles.split(","))
                    if len(q) != 2 or not 0 < q[0] < q[1] < 1:
                        raise ValueError
                except ValueError:
                    raise ScenarioError("--quantiles", [Issue("--quantiles", "must be two probabilities, low first",
                                                              "e.g. 0.05,0.95", args.quantiles)]) from None
            res = sa.tornado(scenario, outputs=outputs, quantiles=q, log10=log10)
            lo, hi = res.meta["quantiles"]
            head = (f"tornado: each parameter at its {lo:.0%} and {hi:.0%} values (or given bounds), the others at "
                    "their medians")
    for w in caught:
        if issubclass(w.category, CostsimWarning):
            notes.append(str(w.message))
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    print(f"{scenario.name}: {head}")
    for note in notes:
        print(f"note: {note}")
    _print(res, years)
    if args.csv:
        from costsim.store import atomic_write

        text = res.to_csv(tuple(years))
        atomic_write(args.csv, lambda p: p.write_text(text, encoding="utf-8"), force=args.force)
        print(f"\nsaved to {args.csv}")
    return 0


def _label(name: str, transform: str) -> str:
    from costsim.units import label_of

    return f"log10 {label_of(name)}" if transform == "log10" else label_of(name)


def _print(res, years) -> None:
    for name, out in res.outputs.items():
        yrs = [y for y in years if y in res.years] if "year" in out.axes else [None]
        blocs = list(res.blocs) if "bloc" in out.axes else [None]
        for y in yrs:
            for b in blocs:
                where = ", ".join(str(x) for x in (y, b) if x is not None)
                print(f"\n{_label(name, out.transform)}" + (f", {where}" if where else ""))
                ranked = res.ranked(name, y, b)
                width = max(len(r["param"]) for r in ranked)
                if res.method == "sobol":
                    print(f"  {'parameter':<{width}}  {'S1':>16}  {'ST':>16}")
                    for r in ranked:
                        bar = "#" * int(round(20 * max(0.0, min(1.0, r["ST"])))) if r["ST"] == r["ST"] else ""
                        print(f"  {r['param']:<{width}}  {_pm(r['S1'], r['S1_conf']):>16}  "
                              f"{_pm(r['ST'], r['ST_conf']):>16}  {bar}")
                    s1 = sum(r["S1"] for r in ranked)
                    if s1 == s1:
                        print(f"  {'sum of S1':<{width}}  {s1:>16.3f}   (1 - sum = share of interactions)")
                    else:
                        print("  (the output is constant here: nothing to apportion)")
                elif res.method == "morris":
                    print(f"  {'parameter':<{width}}  {'mu*':>18}  {'mu':>10}  {'sigma':>10}")
                    for r in ranked:
                        print(f"  {r['param']:<{width}}  {_pm(r['mu_star'], r['mu_star_conf'], 4):>18}  "
                              f"{fmt(r['mu']):>10}  {fmt(r['sigma']):>10}")
                else:
                    base = res.at(name, y, b)["base"]
                    unit = " decades" if out.transform == "log10" else ""
                    print(f"  all at median: {fmt(base)}")
                    print(f"  {'parameter':<{width}}  {'low -> high input':>24}  {'output low, high':>22}  swing")
                    for r in ranked:
                        print(f"  {r['param']:<{width}}  {fmt(r['low_input']) + ' -> ' + fmt(r['high_input']):>24}  "
                              f"{fmt(r['low']) + ', ' + fmt(r['high']):>22}  {fmt(r['swing'])}{unit}")


def _pm(x: float, e: float, digits: int = 3) -> str:
    if x != x:
        return "n/a"
    if e != e:
        return f"{x:.{digits}f}"
    return f"{x:.{digits}f} +- {e:.{digits}f}"
