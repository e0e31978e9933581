"""Horizon guards (issue 16.7): every bundled scenario stays finite to 2100 at its default
distributions, and no spending series ever exceeds world GDP; plus the model-side fixes they rest on."""

import pathlib

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from costsim.engine import run
from costsim.models.budgets import gdp_saturating_budget
from costsim.models.cost_decline import years_to_close_gap
from costsim.scenario import load_scenario

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
ANCHORS = yaml.safe_load((ROOT / "costsim" / "data" / "anchors_2025.yaml").read_text(encoding="utf-8"))
WORLD_GDP_2024_USD = next(e["value"] for e in ANCHORS["money"] if e["id"] == "econ.world_gdp_2024")
GDP_GROWTH_BOUND_X_PER_YEAR = 1.05  # the top of baseline's world_gdp_x_per_year (econ.world_gdp_2024 note: ~3%/yr)
SPENDING_WORDS = ("budget", "spend", "cost")


def _spending(results):
    """Spending series; ``uncapped_*`` trends are counterfactuals kept to show why a cap is needed."""
    for name, arr in results.outputs.items():
        if name.endswith(("_usd", "_usd_per_year")) and any(w in name for w in SPENDING_WORDS) \
                and not name.startswith("uncapped_") \
                and arr.ndim >= 2 and arr.shape[1] == results.years.size:
            yield name, arr


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_bundled_scenario_stays_finite_to_2100_and_below_world_gdp(path):
    # the checks go: a one-year scenario's checks name no year, which is ambiguous over 2024-2100;
    # and so do the figures (a plots: list may tabulate the checks)
    scenario = load_scenario(path, ["years.stop=2100", "checks=[]", "plots=null"])
    results = run(scenario, n=256, seed=3)  # raises ModelError (exit 3) on any non-finite output
    for name, arr in results.outputs.items():
        assert np.all(np.isfinite(arr)), name
    gdp = WORLD_GDP_2024_USD * GDP_GROWTH_BOUND_X_PER_YEAR ** np.maximum(results.years - 2024, 0)
    for name, arr in _spending(results):
        over = arr > gdp.reshape((1, -1) + (1,) * (arr.ndim - 2))
        assert not over.any(), f"{name}: {int(over.sum())} values above world GDP"


@settings(max_examples=50, deadline=None)
@given(uncapped=st.floats(0.0, 1e30), ceiling=st.floats(1e-6, 1.0), growth=st.floats(1.0, 1.1),
       k=st.floats(0.0, 1.0), t=st.integers(1, 100))
def test_a_saturating_budget_never_exceeds_its_ceiling_or_gdp(uncapped, ceiling, growth, k, t):
    year = np.arange(2024.0, 2024.0 + t)[None, :]
    trend = np.full((1, t), uncapped)
    args = dict(year=year, gdp_base_year=2024.0, world_gdp_base_usd=1.1e14, world_gdp_x_per_year=growth)
    out = gdp_saturating_budget(uncapped_frontier_budget_usd=trend, budget_ceiling_gdp_frac=ceiling, **args)
    assert np.all(out["frontier_budget_usd"] <= ceiling * out["world_gdp_usd"] * (1 + 1e-12))
    assert np.all(out["frontier_budget_usd"] <= trend)
    lower = gdp_saturating_budget(uncapped_frontier_budget_usd=trend * k, budget_ceiling_gdp_frac=ceiling, **args)
    assert np.all(lower["frontier_budget_usd"] <= out["frontier_budget_usd"] * (1 + 1e-12))  # monotone
    free = gdp_saturating_budget(uncapped_frontier_budget_usd=trend, budget_ceiling_gdp_frac=np.inf, **args)
    np.testing.assert_array_equal(free["frontier_budget_usd"], trend)  # no ceiling: the trend itself


@settings(max_examples=50, deadline=None)
@given(shortfall=st.floats(1e-3, 1e6), decline=st.floats(0.1, 10.0))
def test_catch_up_years_are_never_negative(shortfall, decline):
    years = years_to_close_gap(compute_shortfall_x=np.array([[shortfall]]),
                               decline_x_per_year=np.array([[decline]]))["catch_up_years"]
    assert np.all(years >= 0.0)


def test_a_gap_that_never_closes_is_reported_as_never_not_as_negative_years():
    """15.5: decline 0.9 gave -55 years; decline exactly 1 gave nan/inf even with nothing missing."""
    out = years_to_close_gap(compute_shortfall_x=np.array([[350.0], [0.5], [350.0], [350.0]]),
                             decline_x_per_year=np.array([[0.9], [1.0], [1.0], [4.0]]))["catch_up_years"]
    assert out[0, 0] == np.inf  # never
    assert out[1, 0] == 0.0  # nothing missing: 0 years, whatever the decline
    assert out[2, 0] == np.inf
    np.testing.assert_allclose(out[3, 0], np.log(350.0) / np.log(4.0))
