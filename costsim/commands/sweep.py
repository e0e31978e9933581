"""``costsim sweep``: a full grid over scenario values, each point a Monte Carlo run."""

from __future__ import annotations

import argparse

from costsim.commands.common import Progress, add_scenario_options, count_at_least, fmt, load_plugins, parallel_options

EPILOG = """\
values of --over PATH=VALUES (PATH is any --set path; a bare parameter name means params.NAME):
  1,2,4,8             these values (numbers or words, e.g. policy.preset=strict,leaky)
  1:8:4               4 values evenly spaced from 1 to 8, inclusive
  1e8:1e10:3:log      3 values evenly spaced in log10: 1e8, 1e9, 1e10
Several --over make a full grid (first one slowest). Without --over, the scenario's `sweeps:`
block is used (path: [values] or path: {low, high, num, log}).

Every point runs on the root seed (--seed): draws are keyed by parameter name, so all points see
the same draws (common random numbers) and differences between rows are the swept values'
effect, not Monte Carlo noise. --independent-seeds gives each point its own seed, spawned from
--seed and the point's index. The table is identical for any --workers, --scheduler or chunk
size. A grid of more than 10,000 points is refused before any work unless --max-points allows it.
The scenario's checks are judged at every point and the points where one fails or is too close
to call are listed; they do not set the exit code (unlike `costsim run`): a sweep moves the very
inputs the checks were written for, so failing points are its finding, not an error.

examples:
  costsim sweep scenarios/reference_r1.yaml --over params.cost_decline_x_per_year.high=4,8,16
  costsim sweep scenarios/export_controls_essay.yaml --over ai_speedup_x=1:4:10 \\
      --over diffusion_delay_years=0.25:2.5:10 -n 2000 --workers 2 -o sweep.csv
  costsim sweep scenarios/export_controls_base.yaml --over policy.preset=rules_2023,strict,leaky
"""


def register(sub) -> None:
    p = sub.add_parser("sweep", help="run a scenario over a grid of values; one table indexed by them",
                       description="Run a full grid of scenario values, each point a Monte Carlo run with its own "
                                   "seed, and summarise every output per point.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", help="scenario YAML file")
    p.add_argument("--over", dest="axes", action="append", default=[], metavar="PATH=VALUES",
                   help="a swept path and its values (repeatable; default: the scenario's sweeps: block)")
    add_scenario_options(p)
    p.add_argument("--output", dest="outputs", action="append", metavar="NAME",
                   help="summarise this output (repeatable; default: the scenario's outputs)")
    p.add_argument("--years", metavar="Y,Y", help="years to summarise (default: summary_years; 'all' for every year)")
    p.add_argument("--show", metavar="Y,Y", help="years to print (default: the last of --years)")
    p.add_argument("--chunk-size", type=count_at_least(1), metavar="N", help="samples per evaluated chunk (memory bound)")
    p.add_argument("--same-seed", action="store_true",
                   help="every point uses the root seed (common random numbers; the default)")
    p.add_argument("--independent-seeds", action="store_true",
                   help="each point gets its own seed spawned from --seed and its index")
    p.add_argument("--max-points", type=count_at_least(1), metavar="N", default=None,
                   help="allow grids of up to N points (default: 10,000)")
    p.add_argument("-o", "--csv", metavar="FILE", help="write the whole table as CSV (atomically)")
    p.add_argument("--force", action="store_true", help="replace an existing CSV file")
    p.set_defaults(func=cmd_sweep)


def cmd_sweep(args) -> int:
    from costsim.commands.sensitivity import _years, refuse_existing
    from costsim.scenario import load_scenario
    from costsim.sweep import axes_from_scenario, parse_over, sweep

    load_plugins(args)
    scenario = load_scenario(args.file, args.overrides, plugins=args.plugins)
    refuse_existing(args.csv, args.force)
    axes = [parse_over(a) for a in args.axes] if args.axes else axes_from_scenario(scenario)
    years = () if args.years == "all" else _years(args.years, scenario.summary_years)
    from costsim.sweep import DEFAULT_MAX_POINTS, count_points

    n_points = count_points(axes)
    if args.show and years:  # a year not summarised would print no table at all
        kept = [int(y) for y in years]
        absent = [y for y in _years(args.show, ()) if y not in kept]
        if absent:
            from costsim.errors import Issue, ScenarioError

            raise ScenarioError("--show", [Issue("--show", "not a summarised year", "one of --years ("
                                                 + ", ".join(map(str, kept)) + ")", absent[0])])
    if args.same_seed and args.independent_seeds:
        from costsim.errors import Issue, ScenarioError

        raise ScenarioError("--independent-seeds", [Issue("--independent-seeds", "cannot be combined with --same-seed",
                                                          "one of them", None)])
    table = sweep(scenario, axes, n=args.samples, seed=args.seed, design=args.design,
                  outputs=tuple(dict.fromkeys(args.outputs)) if args.outputs else None,
                  years=tuple(years) if args.years else None,
                  chunk_size=args.chunk_size, independent_seeds=args.independent_seeds,
                  max_points=args.max_points or DEFAULT_MAX_POINTS,
                  progress=Progress(f"{scenario.name} sweep ({n_points:,} points)"),
                  validate_progress=Progress(f"{scenario.name} validating {n_points:,} points"),
                  **parallel_options(args))
    shown = _years(args.show, [years[-1]] if years else [int(scenario.years[-1])])
    print(f"{scenario.name}: sweep of {table.meta['points']} points over "
          f"{' x '.join(f'{a.path} ({len(a.values)})' for a in axes)}, seed {table.meta['seed']}"
          f"{' (a spawned seed per point)' if args.independent_seeds else ' (same seed at every point)'} "
          f"({table.meta['wall_time_s']:.2f} s)")
    _print(table, shown)
    if table.checks:
        _print_checks(table)
    if args.csv:
        from costsim.store import atomic_write

        text = table.to_csv()
        atomic_write(args.csv, lambda p: p.write_text(text, encoding="utf-8"), force=args.force)
        print(f"\nsaved {len(table.rows):,} rows to {args.csv}")
    return 0  # failing points are reported above, not an error (see EPILOG)


MAX_LISTED = 20  # failed or undecided checks listed by point; the rest counted


def _print_checks(table) -> None:
    """Counts by verdict over all points (a CLOSE check is neither passed nor failed), then which did not pass."""
    paths = [a.path for a in table.axes]
    passed = sum(c["verdict"] == "PASS" for c in table.checks)
    failed = [c for c in table.checks if c["verdict"] == "FAIL"]
    close = [c for c in table.checks if c["verdict"] == "CLOSE"]
    line = f"\nchecks: {passed} of {len(table.checks)} passed over all points"
    if close:
        line += f"; {len(close)} too close to call (CLOSE: neither passed nor failed)"
    print(line)
    listed = [*failed, *close]
    for c in listed[:MAX_LISTED]:
        where = ", ".join(f"{p.removeprefix('params.')}=" + (f"{c[p]:.10g}" if isinstance(c[p], float) else str(c[p]))
                          for p in paths)
        print(f"  {c['verdict']:<5} {where}: {c['claim']}  ({c['check']}: measured {fmt(c['value'])})")
    if len(listed) > MAX_LISTED:
        print(f"  ... and {len(listed) - MAX_LISTED} more (the CSV's points and the table above)")


def _print(table, shown) -> None:
    from costsim.units import label_of

    groups: dict[tuple, list[dict]] = {}
    for row in table.rows:
        if row["year"] == "" or row["year"] in shown:
            groups.setdefault((row["output"], row["bloc"], row["year"]), []).append(row)
    paths = [a.path for a in table.axes]
    short = [p.removeprefix("params.") for p in paths]
    for (output, bloc, year), rows in groups.items():
        where = ", ".join(str(x) for x in (year, bloc) if x != "")
        print(f"\n{label_of(output)}" + (f", {where}" if where else ""))
        labels = {p: _distinct_labels([r[p] for r in rows if isinstance(r[p], float)]) for p in paths}
        cells = [[labels[p][r[p]] if isinstance(r[p], float) else str(r[p]) for p in paths]
                 + [fmt(r["p50"]), f"[{fmt(r['p05'])}, {fmt(r['p95'])}]"] for r in rows]
        head = [*short, "median", "90% interval"]
        widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(head)]
        print("  " + "  ".join(f"{h:>{w}}" for h, w in zip(head, widths, strict=True)))
        for c in cells:
            print("  " + "  ".join(f"{x:>{w}}" for x, w in zip(c, widths, strict=True)))


def _distinct_labels(values: list[float]) -> dict[float, str]:
    """Each axis value's label: 4 significant digits (as ``fmt``), more where two values of the
    axis would otherwise print the same (1.0001 and 1.0002 are two rows, not two 1s)."""
    unique = sorted(set(values))
    labels = {v: fmt(v) for v in unique}
    digits = 4
    while len(set(labels.values())) < len(unique) and digits < 17:
        digits += 1
        labels = {v: f"{v:.{digits}g}" for v in unique}
    return labels
