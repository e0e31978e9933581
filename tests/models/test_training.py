"""Property tests of the training-run family (costsim.models.training)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from costsim.models.training import (
    gpu_hours_from_flop,
    implied_mfu,
    owned_training_cost,
    rental_training_cost,
    rl_spend_line,
    training_energy,
    training_flop_from_tokens,
    wall_clock_time,
)

FAST = settings(max_examples=40, deadline=None)
H800_BF16, H800_FP8 = 9.894e14, 1.9789e15


def _col(x):
    return np.array([[x]], dtype=float)


def test_deepseek_v3_numbers():
    flop = training_flop_from_tokens(active_params=3.7e10, training_tokens=1.48e13,
                                     train_flop_per_param_per_token=6.0)["training_flop"]
    np.testing.assert_allclose(flop, 3.2856e24)
    bf16 = implied_mfu(training_flop=flop, training_gpu_hours=2.664e6, chip_peak_flop_per_s=H800_BF16)
    fp8 = implied_mfu(training_flop=flop, training_gpu_hours=2.664e6, chip_peak_flop_per_s=H800_FP8)
    np.testing.assert_allclose(bf16["implied_mfu_frac"], 0.3463, atol=5e-4)
    np.testing.assert_allclose(fp8["implied_mfu_frac"], 0.1731, atol=5e-4)
    cost = rental_training_cost(training_gpu_hours=2.788e6, price_usd_per_gpu_hour=2.0)["training_cost_usd"]
    np.testing.assert_allclose(cost, 5.576e6)
    hours = wall_clock_time(training_gpu_hours=2.664e6, cluster_chips=2048.0)["wall_clock_hours"]
    assert hours < 61 * 24  # under two months


@FAST
@given(flop=st.floats(min_value=1e18, max_value=1e30), mfu=st.floats(min_value=0.01, max_value=1.0),
       peak=st.floats(min_value=1e13, max_value=1e16))
def test_implied_mfu_inverts_gpu_hours(flop, mfu, peak):
    hours = gpu_hours_from_flop(training_flop=_col(flop), chip_peak_flop_per_s=peak, mfu_frac=_col(mfu))
    back = implied_mfu(training_flop=_col(flop), training_gpu_hours=hours["training_gpu_hours"],
                       chip_peak_flop_per_s=peak)["implied_mfu_frac"]
    np.testing.assert_allclose(back, mfu, rtol=1e-12)


@FAST
@given(k=st.floats(min_value=0.01, max_value=100.0))
def test_flop_cost_energy_and_time_are_linear(k):
    n, d = _col(3.7e10), _col(1.48e13)
    base = training_flop_from_tokens(active_params=n, training_tokens=d, train_flop_per_param_per_token=6.0)
    more = training_flop_from_tokens(active_params=k * n, training_tokens=d, train_flop_per_param_per_token=6.0)
    np.testing.assert_allclose(more["training_flop"], k * base["training_flop"], rtol=1e-12)
    hours = _col(2.788e6)
    for func, args, out in [
        (rental_training_cost, dict(price_usd_per_gpu_hour=2.0), "training_cost_usd"),
        (training_energy, dict(chip_power_w=700.0, server_overhead_ratio=1.4, pue_ratio=1.2), "training_energy_kwh"),
        (wall_clock_time, dict(cluster_chips=2048.0), "wall_clock_hours"),
    ]:
        np.testing.assert_allclose(func(training_gpu_hours=k * hours, **args)[out],
                                   k * func(training_gpu_hours=hours, **args)[out], rtol=1e-12)


def test_owned_cost_is_amortized_capex_plus_energy():
    # one chip for a full amortization period costs exactly its capex (plus energy)
    hours_4y = 4 * 365.25 * 24
    energy = training_energy(training_gpu_hours=hours_4y, chip_power_w=700.0, server_overhead_ratio=1.0,
                             pue_ratio=1.0)["training_energy_kwh"]
    np.testing.assert_allclose(energy, 0.7 * hours_4y)
    cost = owned_training_cost(training_gpu_hours=hours_4y, capex_usd_per_chip=4.5e4, amortization_years=4.0,
                               training_energy_kwh=energy, electricity_usd_per_kwh=0.0)["owned_training_cost_usd"]
    np.testing.assert_allclose(cost, 4.5e4)


@FAST
@given(rl_base=st.floats(min_value=1e4, max_value=1e9), rl_growth=st.floats(min_value=1.0, max_value=1000.0),
       max_ratio=st.floats(min_value=0.01, max_value=10.0))
def test_rl_line_grows_at_its_rate_until_its_ceiling(rl_base, rl_growth, max_ratio):
    year = np.arange(2025.0, 2036.0)[None, :]
    pre = 1e8 * 2.4 ** (year - 2025.0)
    out = rl_spend_line(year=year, base_year=2025.0, pretraining_cost_usd=pre, rl_base_cost_usd=_col(rl_base),
                        rl_cost_x_per_year=_col(rl_growth), rl_max_to_pretraining_ratio=max_ratio)
    rl = out["rl_cost_usd"]
    assert np.all(rl <= max_ratio * pre * (1 + 1e-12))
    np.testing.assert_allclose(rl, np.minimum(rl_base * rl_growth ** (year - 2025.0), max_ratio * pre), rtol=1e-9)
    np.testing.assert_allclose(out["total_training_cost_usd"], pre + rl, rtol=1e-12)
    assert np.all((out["rl_share_frac"] >= 0) & (out["rl_share_frac"] <= 1))
