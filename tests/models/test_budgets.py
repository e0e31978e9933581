"""Property tests of the budgets family (costsim.models.budgets), and the budget -> score chain."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from costsim.models.budgets import budget_growth, budget_with_price_response, compute_from_budget
from costsim.models.scaling_laws import capability_score_log_linear, effective_compute

FAST = settings(max_examples=40, deadline=None)
YEAR = np.arange(2023.0, 2036.0)[None, :]
positive = st.floats(min_value=1.0, max_value=1.0e13)


def _col(x):
    return np.array([[x]], dtype=float)


def _score(budget, flop_per_usd, mfu, per_decade):
    physical = compute_from_budget(frontier_budget_usd=budget, hardware_flop_per_usd=flop_per_usd, mfu_frac=mfu)
    eff = effective_compute(year=YEAR, base_year=2024.0, physical_flop=physical["physical_flop"],
                            algorithmic_efficiency_x_per_year=_col(2.8))
    score = capability_score_log_linear(effective_flop_log10=eff["effective_flop_log10"],
                                        score_reference_flop_log10=_col(24.0), reference_capability_score=_col(0.2),
                                        capability_per_decade_score=per_decade)
    return physical["physical_flop_log10"], score["capability_score"]


@FAST
@given(budget=positive, flop_per_usd=st.floats(min_value=1e15, max_value=1e21),
       mfu=st.floats(min_value=0.05, max_value=1.0), per_decade=st.floats(min_value=0.0, max_value=1.0))
def test_doubling_the_budget_adds_log10_2_and_never_lowers_the_score(budget, flop_per_usd, mfu, per_decade):
    log_one, score_one = _score(_col(budget), _col(flop_per_usd), _col(mfu), _col(per_decade))
    log_two, score_two = _score(_col(2 * budget), _col(flop_per_usd), _col(mfu), _col(per_decade))
    np.testing.assert_allclose(log_two - log_one, np.log10(2.0), rtol=0, atol=1e-12)
    assert np.all(score_two >= score_one)


@FAST
@given(base=positive, growth=st.floats(min_value=0.5, max_value=10.0))
def test_budget_equals_base_at_base_year_and_grows_by_its_multiple(base, growth):
    out = budget_growth(year=YEAR, base_year=2023.0, budget_base_usd=_col(base),
                        budget_x_per_year=_col(growth))["frontier_budget_usd"]
    assert out.shape == (1, YEAR.shape[1])
    np.testing.assert_allclose(out[0, 0], base, rtol=1e-12)
    np.testing.assert_allclose(out[0, 1:] / out[0, :-1], growth, rtol=1e-9)


@FAST
@given(base=positive, growth=st.floats(min_value=0.5, max_value=10.0), rate=st.floats(min_value=1.0, max_value=10.0),
       elasticity=st.floats(min_value=0.0, max_value=2.0))
def test_a_falling_cost_curve_raises_spend(base, growth, rate, elasticity):
    decline = rate ** np.maximum(YEAR - 2024.0, 0)
    plain = budget_growth(year=YEAR, base_year=2023.0, budget_base_usd=_col(base), budget_x_per_year=_col(growth))
    response = budget_with_price_response(year=YEAR, base_year=2023.0, budget_base_usd=_col(base),
                                          budget_x_per_year=_col(growth), cost_decline_x=decline,
                                          spend_price_elasticity=_col(elasticity))
    assert np.all(response["frontier_budget_usd"] >= plain["frontier_budget_usd"] * (1 - 1e-12))
    none = budget_with_price_response(year=YEAR, base_year=2023.0, budget_base_usd=_col(base),
                                      budget_x_per_year=_col(growth), cost_decline_x=decline,
                                      spend_price_elasticity=_col(0.0))
    np.testing.assert_allclose(none["frontier_budget_usd"], plain["frontier_budget_usd"], rtol=1e-12)


def test_outputs_broadcast_to_samples_by_years():
    n = 5
    out = budget_with_price_response(year=YEAR, base_year=2023.0, budget_base_usd=np.full((n, 1), 4e7),
                                     budget_x_per_year=np.full((n, 1), 2.4), cost_decline_x=np.ones((n, YEAR.shape[1])),
                                     spend_price_elasticity=np.full((n, 1), 0.2))
    assert out["frontier_budget_usd"].shape == (n, YEAR.shape[1])
