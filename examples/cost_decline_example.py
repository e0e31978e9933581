"""Cost of a fixed capability: the ~4x/year claim under three trend shapes, and how much of the
spread in 2030-2035 comes from the choice of shape rather than from the rate.

Run: python examples/cost_decline_example.py
"""

from pathlib import Path

import numpy as np

from costsim.engine import run
from costsim.models.cost_decline import fixed_capability_cost

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SHAPES = ("exponential", "logistic", "experience curve")


def one_curve_per_shape():
    """The three shapes at the essay's 4x/year, from the same $40M in 2024."""
    years = np.arange(2024.0, 2031.0)[None, :]
    col = np.ones((3, 1))
    out = fixed_capability_cost(
        year=years, base_year=2024.0, capability_base_cost_usd=4.0e7 * col, decline_x_per_year=4.0 * col,
        shape_choice_index=np.array([[0.0], [1.0], [2.0]]), decline_ceiling_x=1.0e4 * col,
        experience_decline_x_per_doubling=1.25 * col, budget_x_per_year=2.4 * col,
        spend_price_elasticity=0.2 * col, decline_cap_x=1.0e12,
    )
    print("cost of a $40M (2024) capability, decline 4x/year at the base year")
    print("  year  " + "  ".join(f"{s:>17}" for s in SHAPES))
    for t, year in enumerate(years[0]):
        print(f"  {int(year)}  " + "  ".join(f"{c:17,.0f}" for c in out["capability_cost_usd"][:, t]))


def spread_by_shape():
    """Share of the variance of log10(cost) explained by the sampled shape (between-group share)."""
    res = run(SCENARIOS / "baseline.yaml", n=2000, seed=1)
    shape = res.params["shape_choice_index"]
    for year in (2027, 2030, 2035):
        log_cost = np.log10(res.at_year("capability_cost_usd", year))
        groups = [log_cost[shape == s] for s in (0, 1, 2)]
        between = sum(len(g) * (g.mean() - log_cost.mean()) ** 2 for g in groups) / len(log_cost)
        medians = ", ".join(f"{name} ${10 ** np.median(g):,.0f}" for name, g in zip(SHAPES, groups, strict=True))
        print(f"  {year}: {between / log_cost.var():5.1%} of the spread from the shape; medians: {medians}")
    capped = res.at_year("capped_flag", 2035).mean()
    print(f"  samples capped against blow-ups by 2035: {capped:.2%}")


if __name__ == "__main__":
    one_curve_per_shape()
    print("\nbaseline scenario (n=2000): how much does the choice of shape matter?")
    spread_by_shape()
