"""Every in-domain input of the race gives finite outputs; the two edges that did not are refused (session 8).

``remote_access_frac = 1`` with a remote budget that rents the leader's whole fleet left the
leader no compute (its largest run 0 FLOP, a log10 of -inf, NaN lags and crossings), and an initial
bandwidth ratio of 0 left a bloc nothing to serve with (it fielded 0 FLOP: an infinite gap). Both ran
the whole race and failed in race_gap; they are now out of race_compute_stock's domain, refused at
validation by name, and the race is finite up to those edges.
"""

import pathlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from race_fixtures import ALL, SETTINGS, column, log_uniform, race, years_st

from costsim.cli import main

BASE = pathlib.Path(__file__).resolve().parents[2] / "scenarios" / "export_controls_base.yaml"
EDGES = {
    **ALL,
    # the lever up to (not at) its edge, against budgets that rent every chip the lever allows
    "remote_access_frac": column(st.one_of(st.just(0.0), st.floats(0.9, 1.0, exclude_max=True))),
    "follower_remote_budget_usd_per_year": column(log_uniform(1e8, 1e14)),
    # bandwidth near 0, stocks small, no new chips for the follower, serving on
    "leader_initial_membw_ratio": column(st.one_of(log_uniform(1e-9, 1e-3), st.floats(0.5, 3.0))),
    "follower_initial_membw_ratio": column(st.one_of(log_uniform(1e-9, 1e-3), st.floats(0.5, 3.0))),
    "leader_initial_stock_h100e": column(log_uniform(1e-3, 1e8)),
    "follower_initial_stock_h100e": column(log_uniform(1e-3, 1e8)),
    "domestic_yield_frac": column(st.sampled_from([0.0, 0.5])),
    "allowed_import_frac": column(st.sampled_from([0.0, 1.0])),
    "leak_frac": column(st.sampled_from([0.0, 0.1])),
    "serving_weight_exponent": column(st.floats(0.0, 1.0)),
}

# the fixture's packaging, power and campus caps are inf (no limit): these outputs are those caps
INF_CAPS = {"market_supply_cap_h100e_per_year", "market_packages_count_per_year", "bloc_power_cap_w",
            "run_power_limit_w"}


@SETTINGS
@given(year=years_st, p=st.fixed_dictionaries(EDGES))
def test_the_race_is_finite_up_to_the_domains_edges(year, p):
    out = race(year, p)  # (a RuntimeWarning, a log10 of 0, is an error in the test suite)
    for name, value in out.items():
        if name not in INF_CAPS:
            assert np.all(np.isfinite(value)), name
    assert np.all(out["usable_h100e"] > 0)  # the leader keeps a share of its fleet, the follower rents it
    assert np.all(out["serving_capacity_membw_h100e"] > 0)


@pytest.mark.parametrize(("override", "rule"), [
    (["params.remote_access_frac=1", "params.follower_remote_budget_usd_per_year=1e13"], "must be 0 <= value < 1"),
    (["params.follower_initial_membw_ratio=0"], "must be > 0"),
    (["params.leader_initial_membw_ratio=0"], "must be > 0"),
])
def test_the_edges_that_left_a_bloc_nothing_are_refused_by_name(override, rule, capsys):
    args = ["run", str(BASE), "-n", "50", "-q"]
    for item in override:
        args += ["--set", item]
    assert main(args) == 2
    err = capsys.readouterr().err
    name = override[0].split("=")[0]
    assert f"{name}: out of the model's domain" in err and "of race_compute_stock " + rule in err
    assert "Traceback" not in err
