"""``follower_lag_capped_flag`` marks the lags that are the horizon's cap, not a measurement.

Found by red-team: in export_controls_essay, 62% of the samples' 2033 lags were capped at
``year[-1] + extrapolation_limit_years - t`` (17 years) and the printed median was exactly 17.000;
by 2040 97% were capped, so the median lag "fell" from 17 to 10 years only because the cap
shrinks. Crossing years had a flag for this (crossing_within_horizon_flag); the lag had none.
"""

from __future__ import annotations

import numpy as np

from costsim.engine import run
from costsim.scenario import load_scenario


def test_the_flag_marks_exactly_the_lags_at_the_cap():
    s = load_scenario("scenarios/export_controls_essay.yaml")
    r = run(s, n=2000, seed=2, keep=("follower_lag_years", "follower_lag_capped_flag"))
    lag, flag = r.outputs["follower_lag_years"], r.outputs["follower_lag_capped_flag"]
    limit = float(dict(s.params["extrapolation_limit_years"].dist.fields)["value"])  # a constant here
    room = r.years[-1] + limit - np.broadcast_to(r.years[None, :], lag.shape)  # time left to the cap
    assert set(np.unique(flag)) <= {0.0, 1.0}
    assert np.array_equal(np.abs(lag[flag == 1.0]), room[flag == 1.0])
    assert np.all(np.abs(lag[flag == 0.0]) <= room[flag == 0.0])
    late = list(r.years).index(2033)
    assert flag[:, late].mean() > 0.5  # the case the red-team found: most 2033 lags are the cap
    assert flag[:, 0].mean() < 0.05  # and early years are measured
