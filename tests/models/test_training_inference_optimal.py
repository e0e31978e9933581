"""Tokens per parameter from the expected inference demand (training.inference_optimal_split)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from costsim.models.scaling_laws import chinchilla_loss, chinchilla_optimal
from costsim.models.training import inference_optimal_split

LAW = dict(chinchilla_e_loss=1.8172, chinchilla_a_loss=482.01, chinchilla_b_loss=2085.43,
           chinchilla_alpha_exponent=0.3478, chinchilla_beta_exponent=0.3658)  # scaling.chinchilla_besiroglu
K = dict(train_flop_per_param_per_token=6.0, inference_flop_per_param_per_token=2.0)  # scaling.flop_per_token


def split(loss, tokens):
    return inference_optimal_split(target_loss=np.asarray(loss), lifetime_inference_tokens=np.asarray(tokens), **K, **LAW)


@settings(max_examples=50, deadline=None)
@given(flop=st.floats(1e20, 1e30))
def test_without_inference_it_is_the_compute_optimal_split(flop):
    best = chinchilla_optimal(training_flop=np.array([[flop]]), train_flop_per_param_per_token=6.0, **LAW)
    out = split(best["optimal_loss"], [[0.0]])
    np.testing.assert_allclose(out["inference_optimal_params"], best["optimal_params"], rtol=1e-9)
    np.testing.assert_allclose(out["inference_optimal_tokens"], best["optimal_tokens"], rtol=1e-9)
    np.testing.assert_allclose(out["inference_optimal_training_flop"], flop, rtol=1e-9)


@settings(max_examples=50, deadline=None)
@given(flop=st.floats(1e21, 1e29), served=st.floats(1e9, 1e18), k=st.floats(1.5, 100.0))
def test_more_demand_trains_a_smaller_model_longer_at_the_same_loss(flop, served, k):
    loss = chinchilla_optimal(training_flop=np.array([[flop]]), train_flop_per_param_per_token=6.0, **LAW)["optimal_loss"]
    few, many = split(loss, [[served]]), split(loss, [[served * k]])
    assert np.all(many["inference_optimal_params"] < few["inference_optimal_params"])
    assert np.all(many["inference_optimal_tokens_per_param"] > few["inference_optimal_tokens_per_param"])
    for out in (few, many):  # the quality is held
        reached = chinchilla_loss(model_params=out["inference_optimal_params"],
                                  data_tokens=out["inference_optimal_tokens"], **LAW)["chinchilla_loss"]
        np.testing.assert_allclose(reached, loss, rtol=1e-9)


@settings(max_examples=50, deadline=None)
@given(flop=st.floats(1e21, 1e29), served=st.floats(1e9, 1e18), shift=st.floats(-0.5, 0.5).filter(lambda s: abs(s) > 1e-3))
def test_the_split_minimizes_training_plus_serving_flop(flop, served, shift):
    """Any other model on the same iso-loss curve costs more over its life."""
    loss = chinchilla_optimal(training_flop=np.array([[flop]]), train_flop_per_param_per_token=6.0, **LAW)["optimal_loss"]
    out = split(loss, [[served]])
    n, d = out["inference_optimal_params"], out["inference_optimal_tokens"]
    life = 6.0 * n * d + 2.0 * n * served
    other_n = n * np.exp(shift)
    gap = loss - LAW["chinchilla_e_loss"] - LAW["chinchilla_a_loss"] * other_n ** -LAW["chinchilla_alpha_exponent"]
    if np.all(gap > 0):  # that size can reach the loss at all
        other_d = (LAW["chinchilla_b_loss"] / gap) ** (1.0 / LAW["chinchilla_beta_exponent"])
        assert np.all(6.0 * other_n * other_d + 2.0 * other_n * served >= life * (1 - 1e-9))


def test_deepseek_v3s_ratio_is_optimal_for_about_1e14_tokens_served():
    """At DeepSeek-V3's own loss on the law, ~1e14 lifetime tokens give ~400 tokens per parameter."""
    loss = chinchilla_loss(model_params=3.7e10, data_tokens=1.48e13, **LAW)["chinchilla_loss"]
    out = split(loss, 1.0e14)
    assert 300 < float(out["inference_optimal_tokens_per_param"]) < 600
    assert 10 < float(split(loss, 0.0)["inference_optimal_tokens_per_param"]) < 30  # ~20 compute-optimal
