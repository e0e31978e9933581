"""``costsim eval "EXPR"``: a one-line estimate with distributions written inline."""

from __future__ import annotations

import argparse

from costsim.commands.common import count

EPILOG = """\
examples:
  costsim eval "lognormal_ci(4e7, 1e8) / uniform(3, 5) ** 2"
  costsim eval "to(2e6, 3e6) * uniform(1.5, 2.5)" -n 100000 --seed 7     GPU-hours x price
  costsim eval "4 ** uniform(0.75, 1) * to(1.5, 3)"                     years of a 4x/year decline

Each distribution call is an independent uncertain quantity, its arguments the distribution's
fields in order or by name:
  uniform(low, high)  loguniform(low, high)  normal(mean, sd)  lognormal(mu, sigma)
  lognormal_ci(low, high[, credibility=0.9])  normal_ci(low, high[, credibility=0.9])
  to(low, high) = lognormal_ci: 90% in [low, high]   triangular(low, mode, high)
  pert(low, mode, high[, lamb=4])  beta(a, b[, low, high])  choice([values][, weights=[...]])
The rest is a scenario formula: + - * / **, comparisons, 'a if c else b', exp, log, sqrt,
minimum, maximum, clip, where, ... (docs/FORMULAS.md), with the same checks and messages. It
runs as a one-formula scenario through the same engine as `costsim run`.

Prints the median, the 90% interval [5%, 95%], the mean and a text histogram of the central 99%.
exit codes: 0 ok; 2 the expression is invalid; 3 it gave non-finite values (e.g. a division by 0).
"""


def register(sub) -> None:
    p = sub.add_parser("eval", help="estimate a formula with inline distributions (Squiggle-style)",
                       description="Evaluate one formula whose quantities may be distributions written inline, "
                                   "e.g. lognormal_ci(4e7, 1e8) / uniform(3, 5) ** 2.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("expression", metavar="EXPR", help="the formula (quote it for the shell)")
    p.add_argument("-n", "--samples", type=count, default=10_000, metavar="N",
                   help="number of Monte Carlo samples (default 10000)")
    p.add_argument("--seed", type=int, default=1, help="root seed (default 1); same seed, same numbers")
    p.add_argument("--design", choices=("mc", "lhs", "sobol"), default="mc", help="sampling design (default mc)")
    p.add_argument("--no-histogram", dest="histogram", action="store_false", help="print the numbers only")
    p.set_defaults(func=cmd_eval)


def cmd_eval(args) -> int:
    import numpy as np

    from costsim.commands.common import fmt
    from costsim.errors import Issue, ScenarioError
    from costsim.inline import estimate, histogram, values
    from costsim.results import mean_sd, quantiles_with_se

    if args.samples < 1:
        raise ScenarioError("-n", [Issue("--samples", "must be at least 1", ">= 1", args.samples)])
    results = estimate(args.expression, n=args.samples, seed=args.seed, design=args.design)
    x = values(results)
    (p5, p50, p95), (_, se50, _) = quantiles_with_se(x, [0.05, 0.5, 0.95])
    mean, sd = mean_sd(x)
    print(f"{' '.join(args.expression.split())}   (n={results.n:,}, seed={args.seed}, {args.design})")
    print(f"  median        {fmt(float(p50))}   (MC se {fmt(float(se50))})")
    print(f"  90% interval  [{fmt(float(p5))}, {fmt(float(p95))}]")
    print(f"  mean          {fmt(mean)}   (sd {fmt(sd)})")
    if args.histogram and np.ptp(x) > 0:
        print()
        for line in histogram(x):
            print(line)
    return 0
