"""Chips, clusters and power: the catalog side by side for one DeepSeek-V3-sized run, and what
"millions of chips" cost and draw.

Run: python examples/chips_power_example.py
"""

from importlib import resources
from pathlib import Path

import yaml

from costsim.engine import run
from costsim.models.hardware import chips_for_run, facility_power

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def central(value):
    return value["central"] if isinstance(value, dict) else value


if __name__ == "__main__":
    catalog = yaml.safe_load(resources.files("costsim.data").joinpath("chips.yaml").read_text())["chips"]
    flop, hours, mfu = 3.2856e24, 60 * 24.0, 0.35  # DeepSeek-V3's pre-training FLOP in 60 days
    print(f"chips to train {flop:.2e} FLOP in 60 days at {mfu:.0%} BF16 MFU, and their facility power")
    for name, chip in catalog.items():
        peak = central(chip["bf16_flop_per_s"])
        chips = chips_for_run(training_flop=flop, chip_peak_flop_per_s=peak, mfu_frac=mfu,
                              run_length_hours=hours)["required_chips"]
        power_w = central(chip["power_w"]) if not isinstance(chip["power_w"], dict) else (
            chip["power_w"]["low"] + chip["power_w"]["high"]) / 2
        watts = facility_power(cluster_chips=chips, chip_power_w=power_w, server_overhead_ratio=1.45,
                               pue_ratio=1.2)["facility_power_w"]
        print(f"  {name:12s} {peak / 1e12:7.0f} TFLOP/s  TPP {central(chip['tpp']):7.0f}  "
              f"{chips:8,.0f} chips  {watts / 1e6:6.1f} MW")

    res = run(SCENARIOS / "millions_of_chips.yaml", n=1000, seed=1)
    for name, unit, scale in (("cluster_capex_usd", "$B", 1e9), ("facility_power_w", "GW", 1e9),
                              ("brain_equivalents_x", "million brains", 1e6)):
        low, mid, high = res.quantiles(name, [0.05, 0.5, 0.95], year=2027)
        print(f"millions of H100s: {name}: {mid / scale:.2f} {unit} (90%: {low / scale:.2f}-{high / scale:.2f})")
