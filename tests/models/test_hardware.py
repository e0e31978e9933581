"""Property tests of the chips/clusters/power family (costsim.models.hardware) and the chip catalog."""

from importlib import resources

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from costsim.models.hardware import (
    brain_power_comparison,
    chips_for_run,
    cluster_capex,
    cluster_run_flop,
    compute_shortfall,
    facility_power,
    h100_equivalents,
    run_energy,
)

FAST = settings(max_examples=40, deadline=None)
factor = st.floats(min_value=0.01, max_value=100.0)
H100_BF16 = 9.894e14


def _col(x):
    return np.array([[x]], dtype=float)


def _chips(flop=3.3e24, mfu=0.4, hours=720.0):
    return chips_for_run(training_flop=_col(flop), chip_peak_flop_per_s=H100_BF16, mfu_frac=_col(mfu),
                         run_length_hours=_col(hours))["required_chips"]


@FAST
@given(k=factor)
def test_chips_needed_scale_linearly_with_flop(k):
    np.testing.assert_allclose(_chips(flop=3.3e24 * k), k * _chips(), rtol=1e-12)


@FAST
@given(k=st.floats(min_value=0.01, max_value=1.0))
def test_chips_needed_scale_inversely_with_utilization(k):
    np.testing.assert_allclose(_chips(mfu=k), _chips(mfu=1.0) / k, rtol=1e-12)


@FAST
@given(k=factor)
def test_chips_needed_scale_inversely_with_time(k):
    np.testing.assert_allclose(_chips(hours=720.0 * k), _chips() / k, rtol=1e-12)


@FAST
@given(chips=st.floats(min_value=1.0, max_value=1e7), mfu=st.floats(min_value=0.01, max_value=1.0),
       hours=st.floats(min_value=1.0, max_value=1e5))
def test_cluster_flop_and_chips_needed_are_inverse(chips, mfu, hours):
    flop = cluster_run_flop(cluster_chips=_col(chips), chip_peak_flop_per_s=H100_BF16, mfu_frac=_col(mfu),
                            run_length_hours=_col(hours))["cluster_flop"]
    back = chips_for_run(training_flop=flop, chip_peak_flop_per_s=H100_BF16, mfu_frac=_col(mfu),
                         run_length_hours=_col(hours))["required_chips"]
    np.testing.assert_allclose(back, chips, rtol=1e-12)
    short = compute_shortfall(training_flop=2 * flop, cluster_flop=flop)["compute_shortfall_x"]
    np.testing.assert_allclose(short, 2.0)


def test_deepseek_v3_cluster_time():
    # 3.29e24 FLOP on 2,048 H800s at the implied 34.6% BF16 MFU: ~1,300 hours (54 days)
    chips = chips_for_run(training_flop=3.2856e24, chip_peak_flop_per_s=H100_BF16, mfu_frac=0.3463,
                          run_length_hours=2.664e6 / 2048)["required_chips"]
    np.testing.assert_allclose(chips, 2048, rtol=1e-3)


@FAST
@given(chips=st.floats(min_value=1.0, max_value=1e7), overhead=st.floats(min_value=1.0, max_value=2.0),
       pue=st.floats(min_value=1.0, max_value=2.0), hours=st.floats(min_value=1.0, max_value=1e4))
def test_power_energy_and_capex_are_linear_in_chips(chips, overhead, pue, hours):
    power = facility_power(cluster_chips=_col(chips), chip_power_w=700.0, server_overhead_ratio=_col(overhead),
                           pue_ratio=_col(pue))["facility_power_w"]
    np.testing.assert_allclose(power, chips * 700.0 * overhead * pue, rtol=1e-12)
    energy = run_energy(facility_power_w=power, run_length_hours=_col(hours))["run_energy_kwh"]
    np.testing.assert_allclose(energy, power * hours / 1000.0, rtol=1e-12)
    capex = cluster_capex(cluster_chips=_col(chips), capex_usd_per_chip=4.5e4)["cluster_capex_usd"]
    np.testing.assert_allclose(capex, chips * 4.5e4, rtol=1e-12)


def test_a_million_h100s_draw_gigawatts_and_dwarf_a_brain():
    power = facility_power(cluster_chips=1e6, chip_power_w=700.0, server_overhead_ratio=1.45,
                           pue_ratio=1.3)["facility_power_w"]
    assert 1e9 < power < 2e9
    brains = brain_power_comparison(facility_power_w=power, brain_power_w=20.0)["brain_equivalents_x"]
    np.testing.assert_allclose(brains, power / 20.0)
    h100e = h100_equivalents(cluster_chips=1e6, chip_peak_flop_per_s=1.48e14,
                             reference_peak_flop_per_s=H100_BF16)["cluster_h100e"]
    np.testing.assert_allclose(h100e, 1.48e14 / H100_BF16 * 1e6)


# ------------------------------------------------------------------ the chip catalog
def _load(name):
    return yaml.safe_load(resources.files("costsim.data").joinpath(name).read_text(encoding="utf-8"))


CATALOG = _load("chips.yaml")["chips"]
CLAIMS = {e["id"]: e for e in _load("claims.yaml")["chips"]}
CONVERSIONS = {  # chips.yaml field: (claims.yaml field, scale)
    "bf16_flop_per_s": ("bf16_tflops", 1e12),
    "fp8_flop_per_s": ("fp8_tflops", 1e12),
    "memory_bytes": ("memory_gb", 1e9),
    "memory_bandwidth_bytes_per_s": ("memory_bw_tb_s", 1e12),
    "interconnect_bytes_per_s": ("interconnect_gb_s", 1e9),
    "power_w": ("power_w", 1.0),
    "tpp": ("tpp", 1.0),
    "performance_density": ("performance_density", 1.0),
    "die_mm2": ("die_mm2", 1.0),
    "price_usd": ("price_usd", 1.0),
}


def test_catalog_has_the_chips_of_the_debate_and_every_claims_chip():
    required = {"H100_SXM", "H800_SXM", "H20", "A100_SXM", "A800_SXM", "B200", "Ascend_910B", "Ascend_910C"}
    assert required <= set(CATALOG)
    assert {c["claim"] for c in CATALOG.values()} == set(CLAIMS)


def _scaled(value, scale):
    if isinstance(value, dict):
        return {k: v * scale for k, v in value.items()}
    return value * scale


@pytest.mark.parametrize("chip", sorted(CATALOG))
def test_catalog_agrees_with_claims(chip):
    entry = CATALOG[chip]
    claim = CLAIMS[entry["claim"]]
    assert entry["source"] == claim["source"]
    for field, (claim_field, scale) in CONVERSIONS.items():
        ours, theirs = entry.get(field), claim.get(claim_field)
        if theirs is None:
            assert ours is None, f"{chip}.{field}: claims.yaml has no {claim_field}"
            continue
        expected = _scaled(theirs, scale)
        if isinstance(expected, dict):
            assert set(ours) == set(expected), f"{chip}.{field}"
            for key in expected:
                np.testing.assert_allclose(ours[key], expected[key], rtol=1e-9, err_msg=f"{chip}.{field}.{key}")
        else:
            np.testing.assert_allclose(ours, expected, rtol=1e-9, err_msg=f"{chip}.{field}")


@pytest.mark.parametrize("chip", sorted(CATALOG))
def test_tpp_is_dense_tops_times_bit_length(chip):
    """TPP = 2 x MacTOPS x bit length = dense TOPS x 16 at BF16 (the export rules' metric)."""
    entry = CATALOG[chip]
    bf16, tpp = entry["bf16_flop_per_s"], entry["tpp"]
    if isinstance(bf16, dict):
        bf16, tpp = bf16["central"], tpp["central"]
    np.testing.assert_allclose(bf16 / 1e12 * 16, tpp, rtol=1e-3)
    if entry.get("die_mm2") and entry.get("performance_density"):
        np.testing.assert_allclose(tpp / entry["die_mm2"], entry["performance_density"], rtol=5e-3)


def test_rental_price_performance():
    from costsim.models.hardware import rental_price_performance

    out = rental_price_performance(chip_peak_flop_per_s=H100_BF16, price_usd_per_gpu_hour=2.0)
    np.testing.assert_allclose(out["rental_flop_per_usd"], H100_BF16 * 3600 / 2.0)
