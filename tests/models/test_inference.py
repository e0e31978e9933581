"""Property tests of the inference family (costsim.models.inference)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from costsim.models.inference import (
    blended_price,
    decode_roofline,
    inference_price_trend,
    price_gap,
    price_gap_decomposition,
    serving_cost,
)

FAST = settings(max_examples=60, deadline=None)
V3 = dict(replica_chips=16.0, active_params=3.7e10, weights_read_params=6.71e11, weight_bytes_per_param=1.0,
          decode_flop_per_param_per_token=2.0, kv_cache_bytes_per_token=3.277e5, kv_reduction_frac=0.8,
          context_tokens=4096.0, requested_batch_count=256.0, compute_utilization_frac=0.5,
          bandwidth_utilization_frac=0.8)
H800 = dict(chip_peak_flop_per_s=1.9789e15, chip_memory_bandwidth_bytes_per_s=3.35e12, chip_memory_bytes=8.0e10)
H20 = dict(chip_peak_flop_per_s=2.96e14, chip_memory_bandwidth_bytes_per_s=4.0e12, chip_memory_bytes=9.6e10)


def _col(x):
    return np.array([[x]], dtype=float)


roofline_inputs = st.fixed_dictionaries({
    "chip_peak_flop_per_s": st.floats(min_value=1e13, max_value=1e16),
    "chip_memory_bandwidth_bytes_per_s": st.floats(min_value=1e11, max_value=1e13),
    "chip_memory_bytes": st.floats(min_value=1e10, max_value=3e11),
    "replica_chips": st.floats(min_value=1.0, max_value=64.0),
    "active_params": st.floats(min_value=1e9, max_value=1e12),
    "weights_read_params": st.floats(min_value=1e9, max_value=2e12),
    "weight_bytes_per_param": st.sampled_from([0.5, 1.0, 2.0]),
    "decode_flop_per_param_per_token": st.just(2.0),
    "kv_cache_bytes_per_token": st.floats(min_value=1e3, max_value=2e6),
    "kv_reduction_frac": st.floats(min_value=0.0, max_value=0.95),
    "context_tokens": st.floats(min_value=1.0, max_value=2e5),
    "requested_batch_count": st.floats(min_value=1.0, max_value=4096.0),
    "compute_utilization_frac": st.floats(min_value=0.05, max_value=1.0),
    "bandwidth_utilization_frac": st.floats(min_value=0.05, max_value=1.0),
})


@FAST
@given(args=roofline_inputs)
def test_roofline_throughput_never_exceeds_either_bound(args):
    out = decode_roofline(**{k: _col(v) for k, v in args.items()})
    tps = out["decode_tokens_per_s"]
    assert np.all(np.isfinite(tps)) and np.all(tps >= 0)
    assert np.all(tps <= out["compute_bound_tokens_per_s"] * (1 + 1e-12))
    assert np.all(tps <= out["memory_bound_tokens_per_s"] * (1 + 1e-12))
    assert np.all(out["decode_batch_count"] <= args["requested_batch_count"])
    used = args["weights_read_params"] * args["weight_bytes_per_param"] + out["decode_batch_count"] * (
        args["context_tokens"] * args["kv_cache_bytes_per_token"] * (1 - args["kv_reduction_frac"]))
    assert np.all((out["decode_batch_count"] == 0) | (used <= args["replica_chips"] * args["chip_memory_bytes"] * (
        1 + 1e-9)))


@FAST
@given(args=roofline_inputs, more=st.floats(min_value=0.0, max_value=0.9))
def test_a_smaller_kv_cache_never_lowers_throughput(args, more):
    base = decode_roofline(**{k: _col(v) for k, v in args.items()})["decode_tokens_per_s"]
    reduced = dict(args, kv_reduction_frac=args["kv_reduction_frac"] + more * (1 - args["kv_reduction_frac"]))
    better = decode_roofline(**{k: _col(v) for k, v in reduced.items()})["decode_tokens_per_s"]
    assert np.all(better >= base * (1 - 1e-12))


def test_weights_that_do_not_fit_give_zero_throughput():
    out = decode_roofline(**H800, **dict(V3, replica_chips=4.0))  # 320 GB < 671 GB of weights
    assert out["decode_tokens_per_s"] == 0.0 and out["decode_batch_count"] == 0.0


def test_h20_matches_h800_for_memory_bound_decode_but_not_for_compute():
    h800 = decode_roofline(**H800, **V3)
    h20 = decode_roofline(**H20, **V3)
    assert h800["decode_tokens_per_s"] == h800["memory_bound_tokens_per_s"]  # bandwidth-bound
    assert h20["decode_tokens_per_s"] >= h800["decode_tokens_per_s"]  # more bandwidth, more memory
    assert h20["compute_bound_tokens_per_s"] < 0.2 * h800["compute_bound_tokens_per_s"]
    big = dict(V3, requested_batch_count=4096.0)
    assert decode_roofline(**H20, **big)["decode_tokens_per_s"] < decode_roofline(**H800, **big)["decode_tokens_per_s"]


@FAST
@given(base=st.floats(min_value=0.01, max_value=100.0), rate=st.floats(min_value=1.0, max_value=1000.0))
def test_price_trend_starts_at_base_and_never_rises(base, rate):
    year = np.arange(2024.0, 2031.0)[None, :]
    price = inference_price_trend(year=year, base_year=2024.0, base_price_usd_per_mtok=_col(base),
                                  inference_decline_x_per_year=_col(rate))["inference_price_usd_per_mtok"]
    np.testing.assert_allclose(price[0, 0], base, rtol=1e-12)
    assert np.all(np.diff(price, axis=1) <= 0)


@FAST
@given(inp=st.floats(min_value=0.01, max_value=100.0), outp=st.floats(min_value=0.01, max_value=100.0),
       share=st.floats(min_value=0.0, max_value=1.0))
def test_blended_price_lies_between_input_and_output_prices(inp, outp, share):
    blend = blended_price(input_price_usd_per_mtok=_col(inp), output_price_usd_per_mtok=_col(outp),
                          input_share_frac=_col(share))["blended_price_usd_per_mtok"]
    assert min(inp, outp) * (1 - 1e-12) <= blend[0, 0] <= max(inp, outp) * (1 + 1e-12)


def test_price_gap_and_its_decomposition():
    gap = price_gap(high_price_usd_per_mtok=15.0, low_price_usd_per_mtok=1.10)["price_gap_x"]
    np.testing.assert_allclose(gap, 15.0 / 1.10)
    parts = price_gap_decomposition(price_gap_x=16.0, lag_years=1.0, decline_x_per_year=4.0,
                                    effective_compute_gap_x=2.0)
    np.testing.assert_allclose(parts["curve_explained_x"], 8.0)
    np.testing.assert_allclose(parts["residual_gap_x"], 2.0)


@FAST
@given(tps=st.floats(min_value=1.0, max_value=1e5), k=st.floats(min_value=0.1, max_value=10.0))
def test_serving_cost_is_inverse_in_throughput(tps, k):
    one = serving_cost(decode_tokens_per_s=_col(tps), price_usd_per_gpu_hour=2.0)["serving_cost_usd_per_mtok"]
    more = serving_cost(decode_tokens_per_s=_col(k * tps), price_usd_per_gpu_hour=2.0)["serving_cost_usd_per_mtok"]
    np.testing.assert_allclose(more, one / k, rtol=1e-12)
    np.testing.assert_allclose(one, 2.0 / (tps * 3600) * 1e6, rtol=1e-12)
