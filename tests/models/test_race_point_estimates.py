"""A point-estimate race (every parameter fixed) with one per-sample input left runs, on any preset.

Session 6's speed rewrite wrote both chip flows of race_chip_supply into shared buffers sized from
different inputs: with every input constant except the follower's chip performance (rules_2022
keeps ``allowed_chip_perf_ratio`` uncertain), the leader's flow had one row and the follower's n,
and a run of 2 or more samples failed with a broadcast error (found by the review, never on main
before). The leader's flow is the same in both outputs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from costsim.engine import run
from costsim.scenario import load_scenario

PATH = Path(__file__).resolve().parents[2] / "scenarios" / "export_controls_base.yaml"


KEEP = ["chip_flow_h100e_per_year", "chip_flow_membw_h100e_per_year", "stock_h100e"]


def _point(preset: str, free: str):
    common = [f"policy.preset={preset}", "correlations=[]", "checks=[]", "plots=[]", f"outputs={KEEP}"]
    base = load_scenario(PATH, common)
    one = run(base, n=1, seed=3)  # one draw of every uncertain parameter, fixed below
    fixed = [f"params.{k}={float(np.asarray(one.params[k]).reshape(-1)[0])!r}" for k in base.uncertain if k != free]
    return load_scenario(PATH, [*common, *fixed])


@pytest.mark.parametrize("preset,free", [("rules_2022", "allowed_chip_perf_ratio"),
                                         ("rules_2023", "domestic_perf_ratio"),
                                         ("strict", "domestic_perf_x_per_year")])
@pytest.mark.parametrize("n", [2, 3, 40])
def test_one_free_input_of_the_followers_flow(preset, free, n):
    scenario = _point(preset, free)
    assert list(scenario.uncertain) == [free]
    res = run(scenario, n=n, seed=1)
    flow, membw = res.outputs["chip_flow_h100e_per_year"], res.outputs["chip_flow_membw_h100e_per_year"]
    np.testing.assert_array_equal(flow[..., 0], membw[..., 0])  # the leader's flow, in both
    stock = res.outputs["stock_h100e"]
    assert stock.shape[0] == n and np.isfinite(stock).all()
    assert np.ptp(stock[:, -1, 1]) > 0  # the free input moves the follower's stock


def _all_fixed_but(free: str):
    common = ["correlations=[]", "checks=[]", "plots=[]"]
    base = load_scenario(PATH, common)
    one = run(base, n=1, seed=3)
    fixed = [f"params.{k}={float(np.asarray(one.params[k]).reshape(-1)[0])!r}" for k in base.uncertain if k != free]
    return load_scenario(PATH, [*common, *fixed])


FREE = list(load_scenario(PATH, ["correlations=[]"]).uncertain)


@pytest.mark.parametrize("free", FREE)
def test_a_point_estimate_with_any_one_input_free_runs(free):
    """Five of these failed before session 6's review (a broadcast error in race_compute_stock or
    _shared_wallet: the rows were counted from some inputs only): leader_run_share_frac,
    follower_run_share_frac, utilization_frac, run_length_years, follower_remote_budget_usd_per_year."""
    scenario = _all_fixed_but(free)
    assert list(scenario.uncertain) == [free]
    res = run(scenario, n=3, seed=1)
    for name, arr in res.outputs.items():
        assert arr.shape[0] == 3 and np.isfinite(arr).all(), name
