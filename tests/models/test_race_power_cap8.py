"""A bloc's fleet never draws more than its power (session 8).

The initial stock was never checked against the first year's power cap, and a cap that fell (or a
year's chips drawing more per H100e) retired nothing: in export_controls_timeline_2022_2025 433 of
2,000 samples had a fleet above its bloc's power, up to 2.7x. Chips the power cannot run are now
retired at once, the initial stock's included, as deliveries beyond the power are never installed.
"""

import pathlib

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from race_fixtures import ALL, INF, SETTINGS, column, hand_race, log_uniform, race, years_st

from costsim.cli import main

LEADER, FOLLOWER = 0, 1
BASE = pathlib.Path(__file__).resolve().parents[2] / "scenarios" / "export_controls_base.yaml"
SLACK = 1e-9
POWERED = {
    **ALL,
    "leader_power_cap_w": column(log_uniform(1e7, 1e11)),
    "follower_power_cap_w": column(log_uniform(1e6, 1e11)),
    # power that falls, as well as grows (the domain is > 0)
    "leader_power_x_per_year": column(st.floats(0.3, 2.0)),
    "follower_power_x_per_year": column(st.floats(0.3, 2.0)),
    "follower_smuggling_budget_usd_per_year": column(log_uniform(1e8, 1e11)),
}
powered_st = st.fixed_dictionaries(POWERED)
COMPUTE = ("stock_h100e", "stock_membw_h100e", "usable_h100e", "largest_run_flop", "largest_run_effective_flop")


@SETTINGS
@given(year=years_st, p=powered_st)
def test_no_fleet_ever_draws_more_than_its_blocs_power(year, p):
    out = race(year, p)
    assert np.all(out["stock_power_w"] <= out["bloc_power_cap_w"] * (1 + SLACK))
    assert np.all(out["stock_h100e"] * out["bloc_h100e_power_w"] <= out["bloc_power_cap_w"] * (1 + SLACK))
    # chips are conserved: the first year's stock and the chips retired then are the initial stock
    initial = np.concatenate([p["leader_initial_stock_h100e"], p["follower_initial_stock_h100e"]], axis=1)
    np.testing.assert_allclose(out["stock_h100e"][:, 0] + out["retired_h100e_per_year"][:, 0], initial, rtol=1e-12)
    assert np.all(out["retired_h100e_per_year"] >= 0.0)
    dt = np.diff(year[0])[None, :, None]
    np.testing.assert_allclose(out["stock_h100e"][:, 1:], out["stock_h100e"][:, :-1]
                               + (out["installed_h100e_per_year"][:, 1:] - out["retired_h100e_per_year"][:, 1:]) * dt,
                               rtol=1e-9, atol=1e-6)


@SETTINGS
@given(year=years_st, p=powered_st, k=st.floats(0.0, 1.0), bloc=st.sampled_from((LEADER, FOLLOWER)))
def test_more_power_never_lowers_output_and_none_removes_the_limit(year, p, k, bloc):
    side = ("leader", "follower")[bloc]
    tight = race(year, {**p, f"{side}_power_cap_w": p[f"{side}_power_cap_w"] * max(k, 1e-6)})
    capped = race(year, p)
    free = race(year, {**p, "leader_power_cap_w": INF, "follower_power_cap_w": INF})
    for name in COMPUTE:
        assert np.all(tight[name] <= capped[name] * (1 + SLACK)), name
        assert np.all(capped[name] <= free[name] * (1 + SLACK)), name
    np.testing.assert_array_equal(free["unpowered_h100e_per_year"], 0.0)
    np.testing.assert_array_equal(free["retired_h100e_per_year"][:, 0], 0.0)


def test_a_fleet_beyond_its_power_is_retired_at_once():
    """Leader: 1e6 H100e at 1 kW and 5e8 W of power (half of it), power halving each year,
    no depreciation: the stock is the power's 5e5, then 2.5e5, ...; the rest is retired."""
    year = np.arange(2025.0, 2029.0)[None, :]
    p = hand_race(leader_power_cap_w=5.0e8, leader_power_x_per_year=0.5, depreciation_per_year=0.0,
                  leader_h100e_power_w=1000.0)
    out = race(year, p)
    runs = 5.0e5 * 0.5 ** np.arange(4)
    np.testing.assert_allclose(out["stock_h100e"][0, :, LEADER], runs, rtol=1e-12)
    np.testing.assert_allclose(out["retired_h100e_per_year"][0, :, LEADER], [5.0e5, *(runs[:-1] - runs[1:])],
                               rtol=1e-12)
    np.testing.assert_allclose(out["installed_h100e_per_year"][0, 1:, LEADER], 0.0)
    # bandwidth goes with the FLOP/s it came with
    np.testing.assert_allclose(out["stock_membw_h100e"][0, :, LEADER], runs * p["leader_initial_membw_ratio"],
                               rtol=1e-12)


def test_a_bloc_without_power_is_refused_by_name(capsys):
    """A power cap of 0 would retire a bloc's whole fleet (no compute, an infinite gap): out of the domain."""
    assert main(["validate", str(BASE), "--set", "params.follower_power_cap_w=0"]) == 2
    err = capsys.readouterr().err
    assert "params.follower_power_cap_w: out of the model's domain (input 'follower_power_cap_w' of " \
           "race_power_supply must be > 0" in err
    assert "got 0.0" in err and "Traceback" not in err
