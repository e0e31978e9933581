"""Budgets and spending: frontier budgets with and without a response to the falling cost curve,
and what doubling a budget does to compute and to the capability score.

Run: python examples/budgets_example.py
"""

import numpy as np

from costsim.models.budgets import budget_growth, budget_with_price_response, compute_from_budget
from costsim.models.scaling_laws import capability_score_log_linear

if __name__ == "__main__":
    years = np.arange(2023.0, 2031.0)[None, :]
    decline = 4.0 ** np.maximum(years - 2024.0, 0)  # the essay's ~4x/year from 2024
    plain = budget_growth(year=years, base_year=2023.0, budget_base_usd=4.0e7, budget_x_per_year=2.4)
    print("largest training budget, $B (GPT-4's $40M in 2023, growing 2.4x/year; cottier2024)")
    print("  year   no response   elasticity 0.15   elasticity 0.3")
    rows = [plain["frontier_budget_usd"]]
    for eps in (0.15, 0.3):
        rows.append(budget_with_price_response(year=years, base_year=2023.0, budget_base_usd=4.0e7,
                                               budget_x_per_year=2.4, cost_decline_x=decline,
                                               spend_price_elasticity=eps)["frontier_budget_usd"])
    for t, year in enumerate(years[0]):
        print(f"  {int(year)}  " + "  ".join(f"{np.broadcast_to(r, years.shape)[0, t] / 1e9:14.2f}" for r in rows))

    budgets = np.array([[1e8, 2e8]])
    flop = compute_from_budget(frontier_budget_usd=budgets, hardware_flop_per_usd=1.78e18, mfu_frac=0.4)
    score = capability_score_log_linear(effective_flop_log10=flop["physical_flop_log10"],
                                        score_reference_flop_log10=np.log10(1e6 * 1.78e18 * 0.4),
                                        reference_capability_score=0.2, capability_per_decade_score=0.2)
    d_log = np.diff(flop["physical_flop_log10"])[0, 0]
    d_score = np.diff(score["capability_score"])[0, 0]
    print(f"\ndoubling $100M -> $200M adds {d_log:.6f} to log10(FLOP) (log10 2 = {np.log10(2):.6f}) "
          f"and {d_score:+.3f} to the score")
