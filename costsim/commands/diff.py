"""``costsim diff``: two scenarios on the same draws; per-sample differences and their causes."""

from __future__ import annotations

import argparse

from costsim.commands.common import add_scenario_options, fmt, load_plugins, parallel_options

EPILOG = """\
Both scenarios run with the same seed and sample count. Parameters are drawn from streams keyed
by their names (mc and lhs designs), so sample i of A and of B share every unchanged parameter:
the difference is computed sample by sample.

report, per output and year:
  difference    log10(B / A) in decades for outputs spanning orders of magnitude (USD, FLOP...;
                --linear for B - A), else B - A: mean, median and 90% interval of the per-sample
                difference
  P(B > A)      share of samples where B is higher
  P(flip)       share of samples where the difference has the opposite sign to its median
  attribution   for each changed parameter, B re-evaluated with that one parameter reverted to A's
                values: its mean contribution and share of the mean difference; the rest is
                "(interactions and structure)" (interactions, added/removed parameters, changed
                models or formulas)

examples:
  costsim diff scenarios/export_controls_base.yaml scenarios/export_controls_essay.yaml
  costsim diff scenarios/reference_r1.yaml --set-b params.cost_decline_x_per_year.high=16
  costsim diff scenarios/export_controls_base.yaml --set-b policy.preset=strict -n 5000 --years 2030
"""


def register(sub) -> None:
    p = sub.add_parser("diff", help="compare two scenarios sample by sample; what accounts for the change",
                       description="Paired comparison of scenario B against A on the same name-keyed draws.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("a", metavar="A.yaml", help="the reference scenario")
    p.add_argument("b", metavar="B.yaml", nargs="?", help="the changed scenario (default: A with --set-b)")
    add_scenario_options(p)
    p.add_argument("--set-b", dest="overrides_b", action="append", default=[], metavar="PATH=VALUE",
                   help="override a value of B only (repeatable); --set applies to both")
    p.add_argument("--output", dest="outputs", action="append", metavar="NAME",
                   help="compare this output (repeatable; default: every output both keep)")
    p.add_argument("--years", metavar="Y,Y", help="years to compare (default: A's summary_years)")
    p.add_argument("--linear", action="store_true", help="differences B - A even for outputs spanning decades")
    p.add_argument("--no-attribution", action="store_true", help="skip the per-parameter re-evaluations")
    p.add_argument("--csv", metavar="FILE", help="write differences and attribution as CSV (atomically)")
    p.add_argument("--force", action="store_true", help="replace an existing --csv file")
    p.set_defaults(func=cmd_diff)


def cmd_diff(args) -> int:
    import warnings

    from costsim.commands.sensitivity import _years, refuse_existing
    from costsim.diff import diff
    from costsim.errors import CostsimWarning
    from costsim.scenario import load_scenario

    load_plugins(args)
    refuse_existing(args.csv, args.force)
    a = load_scenario(args.a, args.overrides, plugins=args.plugins)
    b = None
    if args.b:
        b = load_scenario(args.b, [*args.overrides, *args.overrides_b], plugins=args.plugins)
    years = _years(args.years, ()) if args.years else None  # None: A's summary_years that B has too
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CostsimWarning)
        res = diff(a, b, n=args.samples, seed=args.seed, overrides_b=tuple(args.overrides_b) if b is None else (),
                   design=args.design, outputs=tuple(dict.fromkeys(args.outputs)) if args.outputs else None,
                   years=None if years is None else tuple(years),
                   log10=False if args.linear else None, attribute=not args.no_attribution, **parallel_options(args))
    m = res.meta
    b_name = args.b or f"{args.a} with {', '.join(args.overrides_b) or 'no change'}"
    print(f"B = {b_name}\nA = {args.a}\nn={m['n']:,} seed={m['seed']} design={m['design']}: "
          f"{len(m['paired_params'])} parameters share their draws ({m['wall_time_s']:.2f} s)")
    for w in caught:
        if issubclass(w.category, CostsimWarning):
            print(f"note: {w.message}")
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    if res.changed:
        print("\nchanged parameters (A -> B):")
        width = max(len(p) for p in res.changed)
        for p, text in res.changed.items():
            print(f"  {p:<{width}}  {text}")
    for note in res.structure:
        print(f"  also: {note}")
    _print(res)
    if args.csv:
        from costsim.store import atomic_write

        text = res.to_csv()
        atomic_write(args.csv, lambda p: p.write_text(text, encoding="utf-8"), force=args.force)
        print(f"\nsaved to {args.csv}")
    return 0


def _print(res) -> None:
    from costsim.units import label_of

    for r in res.rows:
        where = ", ".join(str(x) for x in (r["year"], r["bloc"]) if x != "")
        unit = " decades" if r["scale"] == "log10 ratio" else ""
        what = "log10(B / A)" if r["scale"] == "log10 ratio" else "B - A"
        print(f"\n{label_of(r['output'])}" + (f", {where}" if where else "") + f": {what}")
        print(f"  median {fmt(r['p50'])}{unit}, 90% [{fmt(r['p05'])}, {fmt(r['p95'])}], mean {fmt(r['mean'])}; "
              f"P(B > A) {r['p_b_above_a']:.3f}, P(flip) {r['p_sign_flip']:.3f}")
        parts = [x for x in res.attribution if x["output"] == r["output"] and x["year"] == r["year"]
                 and x["bloc"] == r["bloc"]]
        if parts:
            width = max(len(x["param"]) for x in parts)
            for x in parts:
                share = "" if x["share"] != x["share"] else f"  ({x['share']:.0%})"
                print(f"    {x['param']:<{width}}  {fmt(x['mean_contribution']):>10}{share}")
