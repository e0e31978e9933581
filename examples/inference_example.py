"""Inference: decode throughput per chip from a roofline (H800 vs H20 vs B200, with and without an
MLA-style KV cache), and the API price gaps of the inference_prices scenario.

Run: python examples/inference_example.py
"""

from pathlib import Path

import numpy as np

from costsim.engine import run
from costsim.models.inference import decode_roofline, serving_cost

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
CHIPS = {  # FP8 dense FLOP/s, HBM bytes/s, HBM bytes (costsim/data/chips.yaml)
    "H800": (1.9789e15, 3.35e12, 8.0e10),
    "H20": (2.96e14, 4.0e12, 9.6e10),
    "B200": (4.5e15, 7.7e12, 1.8e11),
}
V3 = dict(replica_chips=16.0, active_params=3.7e10, weights_read_params=6.71e11, weight_bytes_per_param=1.0,
          decode_flop_per_param_per_token=2.0, kv_cache_bytes_per_token=3.277e5, context_tokens=4096.0,
          compute_utilization_frac=0.5, bandwidth_utilization_frac=0.8)

if __name__ == "__main__":
    batches = np.array([[64.0, 256.0, 1024.0, 4096.0]])
    print("DeepSeek-V3 decode, tokens/s per chip (16-chip replica, 4k context) at batch", batches[0].astype(int))
    for name, (flop, bw, mem) in CHIPS.items():
        for label, reduction in (("MLA (-80% KV)", 0.8), ("GQA KV", 0.0)):
            out = decode_roofline(chip_peak_flop_per_s=flop, chip_memory_bandwidth_bytes_per_s=bw,
                                  chip_memory_bytes=mem, kv_reduction_frac=reduction,
                                  requested_batch_count=batches, **V3)
            tps = out["decode_tokens_per_s"][0]
            print(f"  {name:5s} {label:14s} " + "  ".join(f"{v:7.0f}" for v in tps)
                  + f"   (compute roof {float(out['compute_bound_tokens_per_s'][0, 0]):,.0f})")
    h800 = decode_roofline(chip_peak_flop_per_s=1.9789e15, chip_memory_bandwidth_bytes_per_s=3.35e12,
                           chip_memory_bytes=8.0e10, kv_reduction_frac=0.8, requested_batch_count=256.0, **V3)
    cost = serving_cost(decode_tokens_per_s=h800["decode_tokens_per_s"], price_usd_per_gpu_hour=2.0)
    print(f"H800 at $2/hour, batch 256: ${float(cost['serving_cost_usd_per_mtok']):.2f} per million output tokens\n")

    res = run(SCENARIOS / "inference_prices.yaml", n=1000, seed=1)
    for name in ("price_gap_x", "cached_price_gap_x", "curve_explained_x", "residual_gap_x"):
        low, mid, high = res.quantiles(name, [0.05, 0.5, 0.95], year=2025)
        print(f"{name:20s} median {mid:6.1f}x  (90%: {low:.1f}-{high:.1f}x)")
