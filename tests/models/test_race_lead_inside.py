"""Less leakage and more enforcement lengthen the leader's lead at the crossing, where both crossings
are inside the horizon (the property test of test_compute_race compares the lead for these two
levers only on such rows, which some draws lack: this test always has them)."""

import numpy as np
import pytest
from race_fixtures import ALL, NEUTRAL, race

YEAR = np.arange(2025.0, 2041.0)[None, :]


def _params(**changes):
    p = {name: 1.0 for name in ALL}
    p.update(NEUTRAL)
    p.update(market_price_usd_per_h100e=4.0e4, leader_budget_usd_per_year=1.0e11, follower_budget_usd_per_year=1.0e10,
             leader_budget_cap_usd_per_year=1.0e12, follower_budget_cap_usd_per_year=1.0e11,
             domestic_capacity_chips_per_year=1.0e5, domestic_capacity_cap_chips_per_year=1.0e6,
             leader_initial_stock_h100e=1.0e6, follower_initial_stock_h100e=1.0e5, leak_frac=0.3,
             leader_run_share_frac=0.02, follower_run_share_frac=0.01, utilization_frac=0.4, run_length_years=0.3,
             h100_peak_flop_per_s=9.894e14, depreciation_per_year=0.2, ai_speedup_threshold_flop=1.0e28,
             capability_reference_flop=3.8e25, powerful_ai_threshold_flop=1.0e28, extrapolation_limit_years=10.0,
             unipolar_window_min_years=2.0, necessity_elasticity=0.0, diffusion_delay_years=1.0,
             enforcement_frac=0.0)
    p.update(changes)
    return p


@pytest.mark.parametrize("threshold_flop", [1e27, 3e27, 1e28])
@pytest.mark.parametrize(("lever", "values"), [("leak_frac", (0.3, 0.15, 0.0)), ("enforcement_frac", (0.0, 0.5, 0.9))])
def test_the_lead_at_the_crossing_grows_as_a_leakage_lever_tightens(threshold_flop, lever, values):
    leads = []
    for value in values:  # loosest first
        out = race(YEAR, _params(**{lever: value, "powerful_ai_threshold_flop": threshold_flop}))
        assert np.all(out["crossing_within_horizon_flag"] > 0)  # both crossings inside: not vacuous
        leads.append(float(out["lead_at_crossing_years"][0]))
    assert leads == sorted(leads) and leads[-1] > leads[0] + 0.3, leads
