"""Over-training: the split of a fixed training compute between parameters and tokens."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from costsim.models.training import overtrained_split


@settings(max_examples=50, deadline=None)
@given(flop=st.floats(1e20, 1e30), ratio=st.floats(1.0, 1000.0), k=st.floats(1.01, 10.0))
def test_overtraining_keeps_the_compute_and_shrinks_serving_cost(flop, ratio, k):
    args = dict(training_flop=np.array([[flop]]), train_flop_per_param_per_token=6.0,
                inference_flop_per_param_per_token=2.0)
    out = overtrained_split(target_tokens_per_param=np.array([[ratio]]), **args)
    np.testing.assert_allclose(6.0 * out["overtrained_params"] * out["overtrained_tokens"], flop, rtol=1e-12)
    np.testing.assert_allclose(out["overtrained_tokens"] / out["overtrained_params"], ratio, rtol=1e-12)
    more = overtrained_split(target_tokens_per_param=np.array([[ratio * k]]), **args)
    assert np.all(more["serving_flop_per_token"] < out["serving_flop_per_token"])
    np.testing.assert_allclose(out["serving_flop_per_token"] / more["serving_flop_per_token"], np.sqrt(k), rtol=1e-9)


def test_llama3_405b_and_deepseek_v3_ratios_give_their_reported_sizes():
    """practice.llama3_405b: 3.8e25 FLOP at ~38 tokens/param -> ~4e11 params; deepseek_v3: ~400 per active."""
    llama = overtrained_split(training_flop=3.79e25, train_flop_per_param_per_token=6.0,
                              target_tokens_per_param=1.56e13 / 4.05e11, inference_flop_per_param_per_token=2.0)
    np.testing.assert_allclose(llama["overtrained_params"], 4.05e11, rtol=1e-2)
    v3_flop = 6.0 * 3.7e10 * 1.48e13
    v3 = overtrained_split(training_flop=v3_flop, train_flop_per_param_per_token=6.0,
                           target_tokens_per_param=1.48e13 / 3.7e10, inference_flop_per_param_per_token=2.0)
    np.testing.assert_allclose(v3["overtrained_params"], 3.7e10, rtol=1e-9)
