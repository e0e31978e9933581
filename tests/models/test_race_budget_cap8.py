"""The follower's hard budget cap bounds its wallet's sum (session 8).

``follower_budget_cap_usd_per_year`` capped each of the follower's three foreign channels (imports,
smuggling, remote access) on its own. Under a binding GDP ceiling the wallet's split then moved the
money the cap took from one channel into the others, and a lower cap raised the follower's stock
(31 of the base scenario's 2,000 samples, by up to 2.5%, with a cap of 3e10 against 1e11). The cap
now bounds the channels' sum: a lower cap lowers every channel, the sum never exceeds the cap.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from race_fixtures import ALL, INF, column, hand_race, log_uniform, race

LEADER, FOLLOWER = 0, 1
SLACK = 1e-9
CAPPED = {
    **ALL,
    "leader_budget_cap_usd_per_year": st.just(INF),
    "leader_budget_ceiling_gdp_frac": column(log_uniform(1e-4, 1.0)),
    "follower_budget_ceiling_gdp_frac": column(log_uniform(1e-4, 1.0)),
    "follower_smuggling_budget_usd_per_year": column(log_uniform(1e8, 1e12)),
    "follower_remote_budget_usd_per_year": column(log_uniform(1e8, 1e12)),
    "remote_access_frac": column(st.floats(0.0, 1.0, exclude_max=True)),  # its domain [0, 1)
    "electricity_usd_per_kwh": column(st.floats(0.0, 0.2)),
}
capped_st = st.fixed_dictionaries(CAPPED)
years_st = st.integers(2, 20).map(lambda t: np.arange(2025.0, 2025.0 + t)[None, :])
cap_st = column(log_uniform(1e8, 1e13))
SETTINGS = settings(max_examples=60, deadline=None)


def _remote_budget(year, p, out):
    """The follower's remote-access budget: the H100e it can pay to rent times the year's rent."""
    rent = p["remote_rent_per_h100e_usd_per_year"] * 2.0 ** (-(year - year[0, 0]) / p["price_performance_doubling_years"])
    return out["follower_remote_demand_h100e"] * rent


def _wallet(year, p, out):
    """What the follower spends abroad: imports and smuggling, plus its remote-access budget."""
    return out["follower_foreign_spend_usd_per_year"] + _remote_budget(year, p, out)


@SETTINGS
@given(year=years_st, p=capped_st, a=cap_st, b=cap_st)
def test_a_lower_follower_cap_never_raises_its_compute_and_never_lowers_the_leaders(year, p, a, b):
    low, high = np.minimum(a, b), np.maximum(a, b)
    tight = race(year, {**p, "follower_budget_cap_usd_per_year": low})
    loose = race(year, {**p, "follower_budget_cap_usd_per_year": high})
    for name in ("stock_h100e", "stock_membw_h100e", "usable_h100e", "largest_run_flop"):
        assert np.all(tight[name][..., FOLLOWER] <= loose[name][..., FOLLOWER] * (1 + SLACK)), name
    # (the compute it rents may rise: a share of the leader's stock, which keeps the chips no longer
    # smuggled; usable_h100e, stock plus rent, never does)
    # the chips the follower no longer smuggles stay with the leader (no packaging cap here: no rationing)
    assert np.all(tight["stock_h100e"][..., LEADER] >= loose["stock_h100e"][..., LEADER] * (1 - SLACK))
    assert np.all(_wallet(year, p, tight) <= _wallet(year, p, loose) * (1 + SLACK))


@SETTINGS
@given(year=years_st, p=capped_st, cap=cap_st)
def test_the_followers_foreign_spending_never_exceeds_its_cap(year, p, cap):
    out = race(year, {**p, "follower_budget_cap_usd_per_year": cap})
    wallet = _wallet(year, p, out)
    assert np.all(np.isfinite(wallet))
    assert np.all(wallet <= cap * (1 + SLACK))
    # and the import budget is at most the cap on its own
    assert np.all(out["bloc_budget_usd_per_year"][..., FOLLOWER] <= cap * (1 + SLACK))


def test_a_cap_on_the_sum_keeps_each_channels_share():
    """A cap that binds from the first year, no ceiling: each channel is its stated share of the cap
    (imports 2 parts, remote access 1), where a cap on each channel gave each the whole cap."""
    year = np.arange(2025.0, 2031.0)[None, :]
    p = hand_race(follower_budget_usd_per_year=2.0e10, follower_smuggling_budget_usd_per_year=0.0,
                  follower_remote_budget_usd_per_year=1.0e10, follower_budget_x_per_year=1.3,
                  follower_budget_cap_usd_per_year=1.0e10, remote_access_frac=0.1)
    out = race(year, p)
    np.testing.assert_allclose(out["bloc_budget_usd_per_year"][0, :, FOLLOWER], 1.0e10 * 2.0 / 3.0, rtol=1e-12)
    np.testing.assert_allclose(_remote_budget(year, p, out)[0], 1.0e10 / 3.0, rtol=1e-12)
