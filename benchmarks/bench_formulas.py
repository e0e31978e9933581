"""Formula evaluation vs the same arithmetic written by hand in numpy (issue 11).

R1 at N = 1e6 samples over T = 11 years: the three formulas of
examples/reference_r1_formulas.yaml against the registered models they mirror
(costsim.models.reference, plain numpy), and one single-expression formula against the same
expression written inline in numpy. Best of 5 wall-clock repeats, in one process, after a warm-up.

Run: python benchmarks/bench_formulas.py [N [REPEATS]]

Wall time is what a user waits; CPU time of this process is the steadier comparison on a shared
machine (other processes' load inflates wall time, not this process's CPU time).
"""

from __future__ import annotations

import sys
import time

import numpy as np

from costsim.formulas import compile_formula
from costsim.models.reference import (
    budget_physical_flop,
    decline_algorithmic_efficiency,
    effective_flop_product,
)

R1_FORMULAS = {
    "physical_flop": "(base_budget_usd * base_flop_per_usd)"
                     " * exp((year - 2025) * log(budget_growth_x_per_year * hardware_gain_x_per_year))",
    "algorithmic_efficiency_x": "exp((year - 2025) * log(cost_decline_x_per_year / hardware_gain_x_per_year))",
    "effective_flop": "physical_flop * algorithmic_efficiency_x",
}
ONE_LINE = ("base_budget_usd * base_flop_per_usd * budget_growth_x_per_year ** (year - 2025)"
            " * hardware_gain_x_per_year ** (year - 2025)"
            " * (cost_decline_x_per_year / hardware_gain_x_per_year) ** (year - 2025)")


def inputs(n: int, seed: int = 0) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    lognormal = {"cost_decline_x_per_year": (2, 8), "hardware_gain_x_per_year": (1.25, 1.45),
                 "budget_growth_x_per_year": (2, 4), "base_budget_usd": (5e7, 5e8)}
    env: dict[str, object] = {"year": np.arange(2025.0, 2036.0)[None, :], "base_flop_per_usd": 2.5e17}
    for name, (lo, hi) in lognormal.items():
        mu, sigma = 0.5 * np.log(lo * hi), np.log(hi / lo) / (2 * 1.6448536269514722)
        env[name] = np.exp(mu + sigma * rng.standard_normal((n, 1)))
    return env


def by_hand_models(env):
    phys = budget_physical_flop(
        year=env["year"], base_year=2025.0, base_budget_usd=env["base_budget_usd"],
        budget_growth_x_per_year=env["budget_growth_x_per_year"],
        base_flop_per_usd=env["base_flop_per_usd"],
        hardware_gain_x_per_year=env["hardware_gain_x_per_year"])["physical_flop"]
    algo = decline_algorithmic_efficiency(
        year=env["year"], base_year=2025.0, cost_decline_x_per_year=env["cost_decline_x_per_year"],
        hardware_gain_x_per_year=env["hardware_gain_x_per_year"])["algorithmic_efficiency_x"]
    return effective_flop_product(physical_flop=phys, algorithmic_efficiency_x=algo)["effective_flop"]


def by_hand_one_line(env):
    k = env["year"] - 2025
    return (env["base_budget_usd"] * env["base_flop_per_usd"] * env["budget_growth_x_per_year"] ** k
            * env["hardware_gain_x_per_year"] ** k
            * (env["cost_decline_x_per_year"] / env["hardware_gain_x_per_year"]) ** k)


def compiled(name: str, text: str):
    spec, issues = compile_formula(name, text, path="bench", line=None)
    if issues:
        raise SystemExit("\n".join(i.render("bench") for i in issues))
    return spec


def formulas_chain(specs):
    def run(env):
        env = dict(env)
        for spec in specs:
            env.update(spec.func(**{k: env[k] for k in spec.inputs}))
        return env["effective_flop"]
    return run


def formula_one_line(spec):
    return lambda env: spec.func(**{k: env[k] for k in spec.inputs})["effective_flop"]


def best_of(fns, env, repeats: int = 5) -> tuple[list[float], list[float], list[np.ndarray]]:
    """Best wall and CPU time of each function; repeats interleave, so load hits both alike."""
    outs = [fn(env) for fn in fns]  # warm-up (page faults of the first large allocations)
    wall = [[] for _ in fns]
    cpu = [[] for _ in fns]
    for _ in range(repeats):
        for fn, w, c in zip(fns, wall, cpu):
            t0, c0 = time.perf_counter(), time.process_time()
            fn(env)
            c.append(time.process_time() - c0)
            w.append(time.perf_counter() - t0)
    return [min(t) for t in wall], [min(t) for t in cpu], outs


def main(n: int = 1_000_000, repeats: int = 5) -> None:
    env = inputs(n)
    chain = formulas_chain([compiled(k, v) for k, v in R1_FORMULAS.items()])
    one = formula_one_line(compiled("effective_flop", ONE_LINE))
    print(f"R1 formula evaluation, N = {n:,}, T = 11, best of {repeats} (numpy {np.__version__})")
    for label, hand, formula in (("3 formulas vs reference models", by_hand_models, chain),
                                 ("1 formula vs inline numpy", by_hand_one_line, one)):
        (w_hand, w_formula), (c_hand, c_formula), (a, b) = best_of((hand, formula), env, repeats)
        same = "identical" if np.array_equal(a, b) else f"max rel diff {np.max(np.abs(b / a - 1)):.1e}"
        print(f"  {label}: results {same}\n"
              f"    wall  numpy {w_hand * 1e3:7.1f} ms   formula {w_formula * 1e3:7.1f} ms   "
              f"ratio {w_formula / w_hand:4.2f}\n"
              f"    CPU   numpy {c_hand * 1e3:7.1f} ms   formula {c_formula * 1e3:7.1f} ms   "
              f"ratio {c_formula / c_hand:4.2f}")


if __name__ == "__main__":
    main(*(int(float(a)) for a in sys.argv[1:3]))
