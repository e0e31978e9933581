"""R1 against the peers: costsim vs plain numpy, squigglepy, EMA Workbench and SALib, in one process.

Usage (from the repository root):

    python benchmarks/bench_r1.py              # creates benchmarks/.venv-peers once, then re-runs itself there
    python benchmarks/bench_r1.py --quick      # smaller sizes, skips the slow peers

The peers' implementations of R1 live in ../shared/bench/r1 (the costsim peer comparison); when that
folder is absent, only costsim's own figures are printed. costsim is installed into the same
environment so every ratio comes from one process, one numpy. Prints figures; asserts nothing.

Targets (issue 9): R1 at N=1e6 from scenario file to summary <= 1.5x plain numpy; Sobol S1+ST of R1
at N_base=2^14 no slower than SALib's sample+evaluate+analyze; R1 at N=1e7 under 1.5 GB peak
memory; `costsim --help` < 0.3 s; `costsim validate` of every bundled scenario < 1 s.
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_BENCH = ROOT.parent / "shared" / "bench"
VENV = ROOT / "benchmarks" / ".venv-peers"
PEER_PACKAGES = ["numpy", "scipy", "pyyaml", "squigglepy", "ema-workbench", "SALib", "matplotlib"]
SCENARIO = ROOT / "scenarios" / "reference_r1.yaml"


def ensure_env() -> None:
    """Re-run this script inside a venv holding the peers and costsim (created on first use)."""
    if os.environ.get("COSTSIM_BENCH_INNER") == "1":
        return
    py = VENV / "bin" / "python"
    if not py.exists():
        print(f"creating {VENV} with the peers ({', '.join(PEER_PACKAGES)}) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "-e", str(ROOT)], check=True)
    env = dict(os.environ, COSTSIM_BENCH_INNER="1")
    sys.exit(subprocess.call([str(py), __file__, *sys.argv[1:]], env=env))


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def costsim_r1(n: int, seed: int = 1):
    """Scenario file -> validated scenario -> samples -> model -> per-year 5/50/95% + P(>1e29)."""
    import numpy as np

    from costsim.engine import run
    from costsim.results import quantiles_with_se
    from costsim.scenario import load_scenario

    res = run(load_scenario(SCENARIO), n=n, seed=seed)
    eff = res.outputs["effective_flop"]
    q = np.array([quantiles_with_se(eff[:, t], [0.05, 0.5, 0.95])[0] for t in range(eff.shape[1])])
    p = res.probability("effective_flop[2030] > 1e29")
    return q, p


def section_mc(sizes, peers: bool, slow: bool) -> None:
    print("\n== R1 Monte Carlo: scenario/spec -> samples -> per-year 5/50/95% + P(eff 2030 > 1e29) ==")
    impls = {"costsim (scenario file -> summary)": lambda n: costsim_r1(n)}
    if peers:
        sys.path.insert(0, str(SHARED_BENCH))
        from r1 import impl_numpy, spec

        impls["numpy reference"] = lambda n: spec.summarize(impl_numpy.simulate(n, 0))
        if slow:
            from r1 import impl_ema, impl_squigglepy

            impls["squigglepy sq.sample(fn)"] = lambda n: spec.summarize(impl_squigglepy.simulate_fn(n, 0))
            impls["EMA Workbench sequential"] = lambda n: spec.summarize(impl_ema.simulate(n, 0))
    slow_cap = {"squigglepy sq.sample(fn)": 20_000, "EMA Workbench sequential": 20_000}
    print(f"{'N':>9} {'implementation':<36} {'best s':>9} {'samples/s':>11} {'x numpy':>8}")
    for n in sizes:
        ref = None
        rows = []
        for name, fn in impls.items():
            m = min(n, slow_cap.get(name, n))
            fn(min(m, 1000))  # warm-up (imports, caches)
            t = best_of(lambda: fn(m), 3 if m * 1.0 < 5e6 else 1)
            per = t / m
            if name == "numpy reference":
                ref = per
            rows.append((name, m, t, per))
        for name, m, t, per in rows:
            ratio = f"{per / ref:8.2f}" if ref else "       -"
            note = f" (N={m:.0e})" if m != n else ""
            print(f"{n:9.0e} {name:<36} {t:9.4f} {1 / per:11.3e} {ratio}{note}")


def section_sobol(peers: bool) -> None:
    print("\n== Sobol' S1 + ST of log10 effective FLOP 2030, N_base = 2^14 ==")
    try:
        from costsim.sensitivity import sobol
    except ImportError as exc:
        print(f"costsim.sensitivity not available: {exc}")
        return
    from costsim.scenario import load_scenario

    scen = load_scenario(SCENARIO)

    def ours():
        return sobol(scen, n_base=2**14, seed=1, outputs=("effective_flop",))

    ours()
    t_ours = best_of(ours, 5)
    s1 = ours().at("effective_flop", 2030)
    print(f"costsim.sensitivity.sobol (all 11 years)  {t_ours:8.4f} s   S1 2030: "
          + ", ".join(f"{n} {v:.3f}" for n, v in zip(s1["names"], s1["S1"], strict=True)))
    if peers:
        sys.path.insert(0, str(SHARED_BENCH))
        from r1 import impl_salib

        fn = getattr(impl_salib, "sobol", None) or getattr(impl_salib, "sobol_salib", None)
        if fn is None:
            print("impl_salib has no sobol function; see shared/bench/r1/impl_salib.py")
            return
        try:
            fn(2**14, 0)
            t_salib = best_of(lambda: fn(2**14, 0), 5)
        except TypeError:
            fn(2**14)
            t_salib = best_of(lambda: fn(2**14), 5)
        print(f"SALib sample + evaluate + analyze         {t_salib:8.4f} s   costsim/SALib = {t_ours / t_salib:.2f}")


def section_memory(n: int) -> None:
    print(f"\n== Peak memory: R1 at N = {n:.0e} (separate process, ru_maxrss) ==")
    code = ("import resource,sys; sys.argv=['x']; from costsim.engine import run; "
            f"r=run({str(SCENARIO)!r}, n={n}, seed=1); r.quantiles('effective_flop',[0.05,0.5,0.95]); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if out.returncode:
        print(out.stderr[-2000:])
        return
    kb = int(out.stdout.strip().splitlines()[-1])
    print(f"peak RSS {kb / 1024:.0f} MiB ({kb / 1024**2:.2f} GiB), wall {wall:.1f} s; target < 1.5 GB")


def section_cli() -> None:
    print("\n== CLI start-up ==")
    exe = Path(sys.executable).with_name("costsim")
    for label, cmd in [("costsim --help", [str(exe), "--help"]),
                       ("costsim validate scenarios/*.yaml",
                        [str(exe), "validate", *map(str, sorted((ROOT / "scenarios").glob("*.yaml")))])]:
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            subprocess.run(cmd, capture_output=True, cwd=ROOT)
            times.append(time.perf_counter() - t0)
        times.sort()
        print(f"{label:<36} median {times[2]:.3f} s (min {times[0]:.3f}, max {times[-1]:.3f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="N up to 1e5, no slow peers, no 1e7 memory run")
    ap.add_argument("--no-peers", action="store_true", help="costsim's own figures only (no venv)")
    args = ap.parse_args()
    peers = SHARED_BENCH.exists() and not args.no_peers
    if peers:
        ensure_env()
    import numpy

    print(f"# R1 benchmark  python {sys.version.split()[0]}  numpy {numpy.__version__}  cpus {os.cpu_count()}")
    sizes = [1e4, 1e5] if args.quick else [1e4, 1e5, 1e6]
    section_mc([int(s) for s in sizes], peers, slow=not args.quick)
    section_sobol(peers)
    if not args.quick:
        section_memory(10_000_000)
    section_cli()


if __name__ == "__main__":
    main()
