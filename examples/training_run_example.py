"""Training runs: DeepSeek-V3's reported run through the Python API, and its implied MFU.

Run: python examples/training_run_example.py
"""

from pathlib import Path

from costsim.engine import run
from costsim.models.training import gpu_hours_from_flop, implied_mfu, training_flop_from_tokens

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"

if __name__ == "__main__":
    flop = training_flop_from_tokens(active_params=3.7e10, training_tokens=1.48e13,
                                     train_flop_per_param_per_token=6.0)["training_flop"]
    for precision, peak in (("BF16", 9.894e14), ("FP8", 1.9789e15)):
        mfu = implied_mfu(training_flop=flop, training_gpu_hours=2.664e6, chip_peak_flop_per_s=peak)
        print(f"DeepSeek-V3: {flop:.3e} FLOP; implied MFU at {precision} peak: {mfu['implied_mfu_frac']:.1%}")
    hours = gpu_hours_from_flop(training_flop=flop, chip_peak_flop_per_s=9.894e14, mfu_frac=0.4)
    print(f"at 40% BF16 MFU the run would take {hours['training_gpu_hours'] / 1e6:.2f}M H800-hours\n")

    res = run(SCENARIOS / "deepseek_v3.yaml", n=1000, seed=1)
    low, mid, high = res.quantiles("owned_training_cost_usd", [0.05, 0.5, 0.95], year=2024)
    print(f"owned-hardware cost of the 2.788M GPU-hours: ${mid / 1e6:.2f}M (90%: ${low / 1e6:.2f}-{high / 1e6:.2f}M)")
    for check in res.checks:
        print(("PASS " if check.passed else "FAIL ") + check.claim)
