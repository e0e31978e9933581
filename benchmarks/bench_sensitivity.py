"""Sensitivity and sweep benchmarks (issues 5 and 9); a script, not a timed test.

1. R1 Sobol' first-order + total indices at N_base = 2^14, ``costsim.sensitivity.sobol`` (Saltelli
   design through costsim's sampling, graph evaluation of all 11 years, log10, estimators and a
   100-resample bootstrap for every year) against SALib's own pipeline on the same model
   (``sobol.sample`` with lognormal dists, a numpy evaluation of log10 effective FLOP in 2030 only,
   ``sobol.analyze`` with 100 resamples), in one process, interleaved rounds, best of N.
2. A 10-parameter Sobol' analysis at N_base = 2^14: a product of ten lognormal inputs written as a
   formula (log10 of it is additive, so S1 has a closed form), costsim against SALib's pipeline.
3. A 10 x 10 grid sweep of scenarios/export_controls_essay.yaml (ai_speedup_x x
   diffusion_delay_years, the scenario's 2,000 samples per point), in this process and on 2
   local worker processes; the two tables must be identical.

Run: python benchmarks/bench_sensitivity.py [--rounds 5] [--skip-sweep]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy import special

ROOT = Path(__file__).resolve().parents[1]
Z90 = float(special.ndtri(0.95))

R1_INPUTS = {  # name -> 90% interval (R1.md)
    "cost_decline_x_per_year": (2.0, 8.0),
    "hardware_gain_x_per_year": (1.25, 1.45),
    "budget_growth_x_per_year": (2.0, 4.0),
    "base_budget_usd": (5e7, 5e8),
}
TEN_INPUTS = {  # name -> (90% interval, exponent is k = year - 2025?)
    "base_budget_usd": ((5e7, 5e8), False),
    "training_share_ratio": ((0.2, 0.6), False),
    "base_flop_per_usd": ((1e17, 5e17), False),
    "utilization_ratio": ((0.3, 0.5), False),
    "data_quality_x": ((1.0, 3.0), False),
    "post_training_x": ((1.0, 2.0), False),
    "compute_access_ratio": ((0.5, 1.0), False),
    "budget_growth_x_per_year": ((2.0, 4.0), True),
    "hardware_gain_x_per_year": ((1.25, 1.45), True),
    "algo_gain_x_per_year": ((1.5, 4.0), True),
}


def ln_params(lo: float, hi: float) -> tuple[float, float]:
    return 0.5 * (math.log(lo) + math.log(hi)), (math.log(hi) - math.log(lo)) / (2 * Z90)


def closed_form_s1(inputs: dict, k: float) -> dict[str, float]:
    parts = {n: (ln_params(*iv)[1] * (k if grows else 1.0)) ** 2 for n, (iv, grows) in inputs.items()}
    total = sum(parts.values())
    return {n: v / total for n, v in parts.items()}


def ten_parameter_scenario_text() -> str:
    lines = ["schema_version: 1", "name: ten_inputs",
             "description: Frontier effective compute as a product of ten lognormal inputs (benchmark).",
             "years: {start: 2025, stop: 2035}", "samples: 100000", "seed: 7", "sampling: mc", "params:"]
    for name, ((lo, hi), _) in TEN_INPUTS.items():
        lines.append(f"  {name}: {{dist: lognormal_ci, low: {lo!r}, high: {hi!r}}}")
    lines += ["formulas:",
              "  physical_flop: >-",
              "    base_budget_usd * training_share_ratio * base_flop_per_usd * utilization_ratio",
              "    * exp((year - 2025) * log(budget_growth_x_per_year * hardware_gain_x_per_year))",
              "  effective_flop: >-",
              "    physical_flop * data_quality_x * post_training_x * compute_access_ratio",
              "    * exp((year - 2025) * log(algo_gain_x_per_year))",
              "outputs: [effective_flop]"]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------- SALib pipelines
def salib_pipeline(inputs: dict[str, tuple], log10_model, n_base: int, seed: int) -> tuple[dict, dict]:
    """SALib's own sample + evaluate + analyze, S1/ST only, 100 resamples; returns (Si, timings)."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    names = list(inputs)
    problem = {"num_vars": len(names), "names": names, "bounds": [list(ln_params(*inputs[n])) for n in names],
               "dists": ["lognorm"] * len(names)}
    t0 = time.perf_counter()
    x = sobol_sample.sample(problem, n_base, calc_second_order=False, seed=seed)
    t1 = time.perf_counter()
    y = log10_model(x)
    t2 = time.perf_counter()
    si = sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=100, seed=seed + 1)
    t3 = time.perf_counter()
    return si, {"sample": t1 - t0, "evaluate": t2 - t1, "analyze": t3 - t2, "total": t3 - t0, "rows": len(y)}


def r1_log10_2030(x: np.ndarray) -> np.ndarray:
    """log10 effective FLOP in 2030 (k = 5) for SALib's (rows, 4) matrix in R1_INPUTS order."""
    lx = np.log10(x)
    return lx[:, 3] + math.log10(2.5e17) + 5 * (lx[:, 2] + lx[:, 1]) + 5 * (lx[:, 0] - lx[:, 1])


def ten_log10_2030(x: np.ndarray) -> np.ndarray:
    lx = np.log10(x)
    grows = np.array([g for _, g in TEN_INPUTS.values()])
    return lx[:, ~grows].sum(axis=1) + 5 * lx[:, grows].sum(axis=1)


def best_of(fn, rounds: int):
    best, out = math.inf, None
    for _ in range(rounds):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


# ----------------------------------------------------------------------------------- sections
def bench_r1(rounds: int) -> None:
    from costsim.scenario import load_scenario
    from costsim.sensitivity import sobol

    scen = load_scenario(ROOT / "scenarios" / "reference_r1.yaml")
    nb = 2**14
    sobol(scen, n_base=nb)  # warm-ups: imports (scipy.stats.qmc, SALib, pandas) are not timed
    salib_pipeline(R1_INPUTS, r1_log10_2030, nb, 1)
    ours, theirs, tm = math.inf, math.inf, {}
    for r in range(rounds):  # interleaved, so both see the same machine load
        t, res = best_of(lambda: sobol(scen, n_base=nb), 1)
        ours = min(ours, t)
        t, (si, timing) = best_of(lambda r=r: salib_pipeline(R1_INPUTS, r1_log10_2030, nb, 100 + r), 1)
        if t < theirs:
            theirs, tm = t, timing
    at = res.at("effective_flop", 2030)
    # hardware_gain cancels exactly ((decline / hw)^k hw^k), so it has no variance share
    exact = closed_form_s1({n: (iv, n != "base_budget_usd") for n, iv in R1_INPUTS.items()
                            if n != "hardware_gain_x_per_year"}, 5.0)
    exact["hardware_gain_x_per_year"] = 0.0
    print(f"== 1. R1 Sobol' S1 + ST at N_base = 2^14 (best of {rounds} interleaved rounds) ==")
    print(f"costsim sobol(): {ours:.3f} s for {res.meta['evaluations']:,} rows x 11 years, all years analysed, "
          "100-resample bootstrap")
    print(f"SALib pipeline:  {theirs:.3f} s (sample {tm['sample']:.3f}, evaluate {tm['evaluate']:.4f} [2030 only], "
          f"analyze {tm['analyze']:.3f}) for {tm['rows']:,} rows")
    print(f"ratio costsim / SALib = {ours / theirs:.2f}  ({'faster' if ours < theirs else 'SLOWER'})")
    print(f"{'S1 at 2030':<26} {'closed form':>11} {'costsim':>16} {'SALib':>16}")
    for i, name in enumerate(res.params):
        j = list(R1_INPUTS).index(name)
        print(f"{name:<26} {exact[name]:>11.4f} {at['S1'][i]:>8.4f}+-{at['S1_conf'][i]:.4f} "
              f"{si['S1'][j]:>8.4f}+-{si['S1_conf'][j]:.4f}")


def bench_ten(rounds: int) -> None:
    from costsim.scenario import scenario_from_text
    from costsim.sensitivity import sobol

    inputs = {n: iv for n, (iv, _) in TEN_INPUTS.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scen = scenario_from_text(ten_parameter_scenario_text(), source="ten_inputs.yaml")
    nb = 2**14
    sobol(scen, n_base=nb)
    salib_pipeline(inputs, ten_log10_2030, nb, 1)
    ours, theirs, tm = math.inf, math.inf, {}
    for r in range(rounds):
        t, res = best_of(lambda: sobol(scen, n_base=nb), 1)
        ours = min(ours, t)
        t, (si, timing) = best_of(lambda r=r: salib_pipeline(inputs, ten_log10_2030, nb, 100 + r), 1)
        if t < theirs:
            theirs, tm = t, timing
    exact = closed_form_s1(TEN_INPUTS, 5.0)
    at = res.at("effective_flop", 2030)
    err = max(abs(at["S1"][i] - exact[n]) for i, n in enumerate(res.params))
    err_st = max(abs(at["ST"][i] - exact[n]) for i, n in enumerate(res.params))
    err_salib = max(abs(si["S1"][j] - exact[n]) for j, n in enumerate(inputs))
    print(f"\n== 2. 10-parameter Sobol' at N_base = 2^14 (product of ten lognormals; best of {rounds}) ==")
    print(f"costsim sobol(): {ours:.3f} s for {res.meta['evaluations']:,} rows x 11 years (formulas), all years")
    print(f"SALib pipeline:  {theirs:.3f} s (sample {tm['sample']:.3f}, evaluate {tm['evaluate']:.4f} [2030 only], "
          f"analyze {tm['analyze']:.3f}) for {tm['rows']:,} rows")
    print(f"ratio costsim / SALib = {ours / theirs:.2f}")
    print(f"max |S1 - closed form| at 2030: costsim {err:.4f}, SALib {err_salib:.4f}; "
          f"max |ST - closed form|: costsim {err_st:.4f}")
    top = res.ranked("effective_flop", 2030)[:3]
    print("largest at 2030: " + ", ".join(f"{r['param']} S1 {r['S1']:.3f} (exact {exact[r['param']]:.3f})"
                                          for r in top))


def bench_sweep() -> None:
    from costsim.scenario import load_scenario
    from costsim.sweep import parse_over, sweep

    path = ROOT / "scenarios" / "export_controls_essay.yaml"
    print("\n== 3. 10 x 10 grid sweep of export_controls_essay.yaml ==")
    if not path.exists():
        print(f"skipped: {path} does not exist yet")
        return
    scen = load_scenario(path)
    axes = [parse_over("ai_speedup_x=1:4:10"), parse_over("diffusion_delay_years=0.25:2.5:10")]
    sweep(scen, [parse_over("ai_speedup_x=2")], n=200)  # warm-up
    t0 = time.perf_counter()
    serial = sweep(scen, axes)
    t_serial = time.perf_counter() - t0
    t0 = time.perf_counter()
    pooled = sweep(scen, axes, workers=2)
    t_pool = time.perf_counter() - t0
    same = serial.to_csv() == pooled.to_csv()
    n = serial.rows[0]["n"]
    print(f"100 points x {n:,} samples x {len(scen.years)} years, {len(scen.outputs)} outputs, "
          f"{len(serial.rows):,} table rows")
    print(f"in this process: {t_serial:.2f} s ({1000 * t_serial / 100:.0f} ms per point); "
          f"--workers 2: {t_pool:.2f} s (incl. starting the pool); tables identical: {same}")
    window = serial.grid("unipolar_window_years", "p50", bloc="US")  # the leader's window
    lag = serial.grid("follower_lag_years", "p50", year=2030)
    speed = axes[0].values
    delay = axes[1].values
    print("median US unipolar window [years] (rows: ai_speedup_x, columns: diffusion_delay_years)")
    print("        " + " ".join(f"{d:>5.2f}" for d in delay))
    for s, row in zip(speed, window, strict=True):
        print(f"  {s:>5.2f} " + " ".join(f"{v:>5.2f}" for v in row))
    print("median follower lag in 2030 [years]")
    print("        " + " ".join(f"{d:>5.2f}" for d in delay))
    for s, row in zip(speed, lag, strict=True):
        print(f"  {s:>5.2f} " + " ".join(f"{v:>5.2f}" for v in row))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--skip-sweep", action="store_true")
    args = ap.parse_args()
    import platform

    import costsim

    try:
        import SALib  # noqa: F401
    except ImportError:
        print("SALib is needed for the comparison: pip install 'costsim[sensitivity]'", file=sys.stderr)
        return 2
    from importlib.metadata import version

    print(f"# costsim {costsim.__version__}, SALib {version('SALib')}, numpy {np.__version__}, "
          f"python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}")
    bench_r1(args.rounds)
    bench_ten(max(1, args.rounds // 2))
    if not args.skip_sweep:
        bench_sweep()
    return 0


if __name__ == "__main__":
    sys.exit(main())
