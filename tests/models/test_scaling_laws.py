"""Property tests of the scaling family (costsim.models.scaling_laws)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from costsim.models.scaling_laws import (
    capability_score_log_linear,
    chinchilla_loss,
    chinchilla_optimal,
    compute_gap_to_loss_gap,
    effective_compute,
    score_gap_to_compute_x,
)

FAST = settings(max_examples=40, deadline=None)
HOFFMANN = dict(chinchilla_e_loss=1.69, chinchilla_a_loss=406.4, chinchilla_b_loss=410.7,
                chinchilla_alpha_exponent=0.34, chinchilla_beta_exponent=0.28)
BESIROGLU = dict(chinchilla_e_loss=1.8172, chinchilla_a_loss=482.01, chinchilla_b_loss=2085.43,
                 chinchilla_alpha_exponent=0.3478, chinchilla_beta_exponent=0.3658)

law = st.fixed_dictionaries({
    "chinchilla_e_loss": st.floats(min_value=0.5, max_value=3.0),
    "chinchilla_a_loss": st.floats(min_value=10.0, max_value=5000.0),
    "chinchilla_b_loss": st.floats(min_value=10.0, max_value=5000.0),
    "chinchilla_alpha_exponent": st.floats(min_value=0.1, max_value=0.6),
    "chinchilla_beta_exponent": st.floats(min_value=0.1, max_value=0.6),
})
budget_flop = st.floats(min_value=1.0e18, max_value=1.0e30)


def _col(x):
    return np.array([[x]], dtype=float)


@FAST
@given(params=law, flop=budget_flop,
       log_factor=st.floats(min_value=-3.0, max_value=3.0).filter(lambda v: abs(v) > 1e-3))
def test_chinchilla_optimum_spends_the_budget_and_beats_any_other_split(params, flop, log_factor):
    opt = chinchilla_optimal(training_flop=_col(flop), train_flop_per_param_per_token=6.0, **params)
    n_opt, d_opt = opt["optimal_params"], opt["optimal_tokens"]
    np.testing.assert_allclose(6.0 * n_opt * d_opt, flop, rtol=1e-9)
    np.testing.assert_allclose(opt["optimal_tokens_per_param"], d_opt / n_opt, rtol=1e-9)
    at_opt = chinchilla_loss(model_params=n_opt, data_tokens=d_opt, **params)["chinchilla_loss"]
    np.testing.assert_allclose(opt["optimal_loss"], at_opt, rtol=1e-12)
    n_other = n_opt * 10.0 ** log_factor
    other = chinchilla_loss(model_params=n_other, data_tokens=flop / (6.0 * n_other), **params)["chinchilla_loss"]
    assert np.all(at_opt <= other + 1e-12 * other)


def test_besiroglu_fit_gives_about_20_tokens_per_parameter():
    opt = chinchilla_optimal(training_flop=np.array([[1e22, 1e24, 1e26]]), train_flop_per_param_per_token=6.0,
                             **BESIROGLU)
    assert np.all((opt["optimal_tokens_per_param"] > 10) & (opt["optimal_tokens_per_param"] < 40))


@FAST
@given(params=law, flop=budget_flop, gap=st.floats(min_value=1.0, max_value=1000.0))
def test_loss_gap_equals_the_optimal_loss_at_the_smaller_budget(params, flop, gap):
    big = chinchilla_optimal(training_flop=_col(flop), train_flop_per_param_per_token=6.0, **params)
    small = chinchilla_optimal(training_flop=_col(flop / gap), train_flop_per_param_per_token=6.0, **params)
    shared = {k: params[k] for k in ("chinchilla_e_loss", "chinchilla_alpha_exponent", "chinchilla_beta_exponent")}
    gap_loss = compute_gap_to_loss_gap(optimal_loss=big["optimal_loss"], effective_compute_gap_x=_col(gap),
                                       **shared)["loss_gap_loss"]
    np.testing.assert_allclose(gap_loss, small["optimal_loss"] - big["optimal_loss"], rtol=1e-7, atol=1e-12)


@FAST
@given(physical=st.floats(min_value=1e10, max_value=1e30), rate=st.floats(min_value=1.0, max_value=10.0))
def test_effective_compute_is_physical_at_the_base_year_and_grows_after(physical, rate):
    year = np.arange(2024.0, 2031.0)[None, :]
    out = effective_compute(year=year, base_year=2024.0, physical_flop=_col(physical),
                            algorithmic_efficiency_x_per_year=_col(rate))
    np.testing.assert_allclose(out["effective_flop"][0, 0], physical, rtol=1e-12)
    np.testing.assert_allclose(out["effective_flop_log10"][0], np.log10(physical) + (year[0] - 2024) * np.log10(rate),
                               rtol=1e-12)
    assert np.all(np.diff(out["effective_flop_log10"], axis=1) >= 0)


@FAST
@given(log10_flop=st.floats(min_value=20.0, max_value=32.0), per_decade=st.floats(min_value=0.0, max_value=1.0),
       decades=st.floats(min_value=0.0, max_value=5.0))
def test_score_is_linear_in_log10_compute(log10_flop, per_decade, decades):
    args = dict(score_reference_flop_log10=_col(24.0), reference_capability_score=_col(0.2),
                capability_per_decade_score=_col(per_decade))
    low = capability_score_log_linear(effective_flop_log10=_col(log10_flop), **args)["capability_score"]
    high = capability_score_log_linear(effective_flop_log10=_col(log10_flop + decades), **args)["capability_score"]
    np.testing.assert_allclose(high - low, per_decade * decades, atol=1e-12)
    assert np.all(high >= low)


def test_essay_scaling_example():
    # $1M -> 20%, $10M -> 40%, $100M -> 60%: each 10x of spend (compute) adds 0.2
    spend_log10 = np.log10(np.array([[1e6, 1e7, 1e8]]))
    score = capability_score_log_linear(effective_flop_log10=spend_log10, score_reference_flop_log10=_col(6.0),
                                        reference_capability_score=_col(0.2),
                                        capability_per_decade_score=_col(0.2))["capability_score"]
    np.testing.assert_allclose(score, [[0.2, 0.4, 0.6]], atol=1e-12)


@FAST
@given(gap_score=st.floats(min_value=0.0, max_value=1.0), per_decade=st.floats(min_value=0.05, max_value=1.0))
def test_score_gap_converts_to_the_compute_factor_that_closes_it(gap_score, per_decade):
    factor = score_gap_to_compute_x(capability_gap_score=_col(gap_score),
                                    capability_per_decade_score=_col(per_decade))["effective_compute_gap_x"]
    args = dict(score_reference_flop_log10=_col(24.0), reference_capability_score=_col(0.0),
                capability_per_decade_score=_col(per_decade))
    base = capability_score_log_linear(effective_flop_log10=_col(25.0), **args)["capability_score"]
    more = capability_score_log_linear(effective_flop_log10=25.0 + np.log10(factor), **args)["capability_score"]
    np.testing.assert_allclose(more - base, gap_score, atol=1e-9)
