"""The lag's sign says who leads, even where its cap is 0 (session 8).

At ``extrapolation_limit_years = 0`` the cap of the last year is 0: a follower ahead that the leader
never reaches got a lag of +0.0, the sign of a leader ahead (18 of the base scenario's 2,000 samples
with the limit at 0). Its lag is now -0.0: minus the cap, flagged, its sign bit set.
"""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from race_fixtures import SETTINGS

from costsim.models.compute_race import race_gap

LEADER, FOLLOWER = 0, 1


def _gap(log_eff, limit):
    years = np.arange(2025.0, 2025.0 + log_eff.shape[1])[None, :]
    return race_gap(year=years, largest_run_effective_flop=10.0 ** log_eff, extrapolation_limit_years=limit)


def test_a_leading_follower_at_a_zero_cap_has_a_negative_zero_lag():
    # row 0: the follower ahead by a decade in every year, both growing alike; row 1: the leader ahead
    base = np.linspace(25.0, 28.0, 4)
    log_eff = np.stack([np.stack([base, base + 1.0], axis=-1), np.stack([base + 1.0, base], axis=-1)])
    out = _gap(log_eff, np.zeros((2, 1)))
    lag, flag = out["follower_lag_years"], out["follower_lag_capped_flag"]
    # a year behind (or ahead) until the last year, where the other bloc is not reached within a
    # limit of 0: the lag is the cap, 0, flagged, with the leading bloc's sign
    np.testing.assert_array_equal(lag, [[-1.0, -1.0, -1.0, 0.0], [1.0, 1.0, 1.0, 0.0]])
    np.testing.assert_array_equal(flag, [[0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 1.0]])
    assert np.signbit(lag[0, -1]) and not np.signbit(lag[1, -1])  # the cap 0 keeps its sign


trajectory_st = st.lists(st.lists(st.floats(-0.5, 1.0), min_size=2, max_size=2), min_size=2, max_size=10)


@SETTINGS
@given(rows=st.lists(trajectory_st, min_size=1, max_size=4), limit=st.sampled_from([0.0, 0.5, 5.0]),
       start=st.floats(-2.0, 2.0))
def test_the_lags_sign_bit_is_set_exactly_where_the_follower_leads(rows, limit, start):
    t = min(len(r) for r in rows)
    steps = np.array([r[:t] for r in rows])  # (n, t, 2): yearly log10 steps of each bloc
    log_eff = 25.0 + np.cumsum(steps, axis=1)
    log_eff[:, :, FOLLOWER] += start
    out = _gap(log_eff, np.full((len(rows), 1), limit))
    lag, flag = out["follower_lag_years"], out["follower_lag_capped_flag"]
    follower_leads = log_eff[..., FOLLOWER] > log_eff[..., LEADER]
    np.testing.assert_array_equal(np.signbit(lag), follower_leads)
    # a capped lag is the cap with that sign: +-(last year + limit - t)
    years = np.arange(2025.0, 2025.0 + t)
    cap = years[-1] + limit - years[None, :]
    on = flag == 1
    np.testing.assert_allclose(lag[on], np.where(follower_leads, -cap, cap)[on], rtol=0, atol=1e-9)
