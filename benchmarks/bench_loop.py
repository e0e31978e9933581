"""The run path's speed, each figure printed with its yardstick measured in the same run (issue 18).

Usage (from the repository root):

    python benchmarks/bench_loop.py            # every section
    python benchmarks/bench_loop.py --quick    # smaller sizes, fewer repeats

Sections and targets:

1. R1 scenario file -> summary.csv at n = 1e6, against a lean numpy script that draws the same
   four lognormals, evaluates R1 and writes the same per-year statistics (mean, sd, 7 quantiles,
   their Monte Carlo errors): <= 1.5x. In-process (imports excluded) and end to end (a fresh
   process each, imports included; costsim writes summary.csv only via --quiet run + summary).
2. A 1e4-sample `costsim run` end to end: <= 0.4 s at low load (yardstick: `python -c "import numpy"`).
3. `--workers 2` against in-process, for runs and sweeps below and above the work threshold of
   costsim.parallel.MIN_PARALLEL_WORK: never slower by more than 10%.
4. export_controls_base at 1e6 samples: `costsim run` end to end, time and peak RSS against the
   lean R1 script at 1e6: <= 5x and <= 1 GB (also printed: the same run saved with -o, and the
   API's run() + summary_csv(), which keep every year of every output).
5. Kept targets: `costsim --help` < 0.3 s; R1 at 1e7 under 1.5 GB peak (Sobol' against SALib:
   benchmarks/bench_sensitivity.py).

Prints figures and ratios; asserts nothing. Speed targets live here, never in timed tests.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
R1 = ROOT / "scenarios" / "reference_r1.yaml"
RACE = ROOT / "scenarios" / "export_controls_base.yaml"

# The lean yardstick: numpy only. The same draws' distributions as reference_r1.yaml (lognormals
# from 90% intervals), the same model, the same statistics per year, written as CSV.
LEAN = r'''
import sys, time
import numpy as np
Z90 = 1.6448536269514722
Z95 = 1.959963984540054
QS = np.array([0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95])

def lognormal(rng, low, high, n):
    mu, sigma = 0.5 * (np.log(low) + np.log(high)), (np.log(high) - np.log(low)) / (2 * Z90)
    return np.exp(mu + sigma * rng.standard_normal(n))

def quantiles_with_se(x, qs):
    n = x.shape[0]
    h = (n - 1) * qs
    lo = np.floor(h).astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    half = Z95 * np.sqrt(n * qs * (1 - qs))
    r_lo = np.clip(np.floor(n * qs - half).astype(np.int64), 0, n - 1)
    r_hi = np.clip(np.ceil(n * qs + half).astype(np.int64), 0, n - 1)
    x.partition(np.unique(np.concatenate([lo, hi, r_lo, r_hi])))
    return x[lo] + (h - lo) * (x[hi] - x[lo]), (x[r_hi] - x[r_lo]) / (2 * Z95)

def lean_r1(n, path):
    rng = np.random.default_rng(1)
    decline = lognormal(rng, 2.0, 8.0, n)[:, None]
    hardware = lognormal(rng, 1.25, 1.45, n)[:, None]
    growth = lognormal(rng, 2.0, 4.0, n)[:, None]
    budget = lognormal(rng, 5e7, 5e8, n)[:, None]
    k = np.arange(2025.0, 2036.0)[None, :] - 2025.0
    eff = np.exp(k * np.log(growth * hardware)) * (budget * 2.5e17) * np.exp(k * np.log(decline / hardware))
    lines = ["scenario,output,unit,bloc,year,statistic,value,mc_se"]
    for t in range(eff.shape[1]):
        x = np.array(eff[:, t], order="C")
        mean, sd = float(x.mean()), float(x.std(ddof=1))
        year = 2025 + t
        lines.append(f"r1,effective_flop,FLOP,,{year},mean,{mean:.10g},{sd / np.sqrt(n):.3g}")
        lines.append(f"r1,effective_flop,FLOP,,{year},sd,{sd:.10g},{sd / np.sqrt(2 * (n - 1)):.3g}")
        vals, ses = quantiles_with_se(x, QS)
        for q, v, s in zip(QS, vals, ses):
            lines.append(f"r1,effective_flop,FLOP,,{year},p{round(q * 100):02d},{v:.10g},{s:.3g}")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")

if __name__ == "__main__":
    lean_r1(int(sys.argv[1]), sys.argv[2])
    import resource
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
'''


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def best_of_alternating(fa, fb, least: int = 3, total_s: float = 0.5, most: int = 60) -> tuple[float, float]:
    """Best times of ``fa`` and ``fb`` run in turns (A, B, A, B...): at least ``least`` each, and more
    (up to ``most``) until each side has run ``total_s`` seconds, so that millisecond cases are not
    decided by one stray pause of the machine."""
    times: tuple[list[float], list[float]] = ([], [])
    while len(times[0]) < least or (sum(times[0]) < total_s and len(times[0]) < most):
        for fn, acc in zip((fa, fb), times):
            gc.collect()
            t0 = time.perf_counter()
            fn()
            acc.append(time.perf_counter() - t0)
    return min(times[0]), min(times[1])


def proc_time(cmd: list[str], repeats: int, env=None) -> tuple[float, int]:
    """Best wall time of a command in a fresh process, and its last line (peak RSS in KiB where printed)."""
    best, last = float("inf"), 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
        wall = time.perf_counter() - t0
        if out.returncode not in (0, 1):
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr[-2000:]}")
        best = min(best, wall)
        lines = out.stdout.strip().splitlines()
        if lines and lines[-1].strip().isdigit():
            last = int(lines[-1])
    return best, last


def ratio_line(label: str, value: float, yard: float, target: float | None, unit: str = "s") -> None:
    r = value / yard if yard else float("nan")
    verdict = "" if target is None else ("  ok" if r <= target else f"  MISSES target <= {target}x")
    print(f"  {label:<52} {value:8.3f} {unit}   yardstick {yard:8.3f} {unit}   ratio {r:5.2f}{verdict}")


def section_r1(n: int, repeats: int, tmp: Path) -> None:
    print(f"\n== 1. R1 file -> summary.csv at n = {n:.0e} (lean numpy yardstick) ==")
    namespace: dict = {}
    exec(compile(LEAN, "lean_r1", "exec"), namespace)
    lean = namespace["lean_r1"]
    from costsim.engine import run
    from costsim.scenario import load_scenario

    def ours():
        res = run(load_scenario(R1), n=n, seed=1)
        (tmp / "summary.csv").write_text(res.summary_csv(), encoding="utf-8")

    lean(1000, tmp / "lean.csv")
    ours()
    t_lean = best_of(lambda: lean(n, tmp / "lean.csv"), repeats)
    t_ours = best_of(ours, repeats)
    ratio_line("in-process: run() + summary_csv() -> file", t_ours, t_lean, 1.5)
    lean_py = tmp / "lean_r1.py"
    lean_py.write_text(LEAN)
    costsim = [sys.executable, "-m", "costsim.cli"]
    t_lean_p, _ = proc_time([sys.executable, str(lean_py), str(n), str(tmp / "lean.csv")], repeats)
    out = tmp / "out"

    def cli():
        shutil.rmtree(out, ignore_errors=True)
        return proc_time([*costsim, "run", str(R1), "-n", str(n), "-o", str(out), "--quiet"], 1)[0]

    t_cli = min(cli() for _ in range(repeats))
    ratio_line("end to end: costsim run -n N -o DIR (+ samples.npz)", t_cli, t_lean_p, None)
    code = ("import sys; from costsim.engine import run; r = run(sys.argv[1], n=int(sys.argv[2])); "
            "open(sys.argv[3], 'w').write(r.summary_csv())")
    t_py, _ = proc_time([sys.executable, "-c", code, str(R1), str(n), str(tmp / "s.csv")], repeats)
    ratio_line("end to end: python -c run(file) -> summary.csv", t_py, t_lean_p, 1.5)


def section_startup(repeats: int) -> None:
    print("\n== 2. A 1e4-sample run, end to end (target <= 0.4 s at low load) ==")
    t_np, _ = proc_time([sys.executable, "-c", "import numpy"], repeats)
    t_run, _ = proc_time([sys.executable, "-m", "costsim.cli", "run", str(R1), "-n", "10000", "--quiet"], repeats)
    ratio_line("costsim run reference_r1 -n 10000 --quiet", t_run, t_np, None)
    print(f"  {'target 0.4 s':<52} {'ok' if t_run <= 0.4 else 'MISSES'}")
    code = ("import sys; from costsim.engine import run; run(sys.argv[1], n=10000); "
            "print(int('costsim.parallel' in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(R1)], capture_output=True, text=True, cwd=ROOT)
    print(f"  parallel module imported by a serial run: {'yes' if out.stdout.strip() == '1' else 'no'}")
    print("  details (CPU, with/without bytecode cache, imports): python benchmarks/bench_start.py")


def _workers(quick: bool) -> None:
    from costsim import parallel
    from costsim.engine import run
    from costsim.scenario import load_scenario
    from costsim.sweep import sweep

    print(f"\n== 3. --workers 2 against in-process (threshold MIN_PARALLEL_WORK = {parallel.MIN_PARALLEL_WORK:.0e}) ==")
    r1 = load_scenario(R1)
    cases = [("run R1 n=1e4", lambda w: run(r1, n=10_000, workers=w), parallel.work_of(r1, 10_000)),
             ("run R1 n=1e6", lambda w: run(r1, n=1_000_000, workers=w), parallel.work_of(r1, 1_000_000)),
             ("sweep R1 4 points x n=1e4", lambda w: sweep(r1, ["base_budget_usd=1e8,2e8,4e8,8e8"], n=10_000,
                                                          workers=w), 4 * parallel.work_of(r1, 10_000)),
             ("sweep R1 8 points x n=2e5", lambda w: sweep(r1, ["base_budget_usd=1e8:1e9:8:log"], n=200_000,
                                                          workers=w), 8 * parallel.work_of(r1, 200_000))]
    if not quick:
        race = load_scenario(RACE)
        cases.append(("run export_controls_base n=1e5", lambda w: run(race, n=100_000, workers=w),
                      parallel.work_of(race, 100_000)))
    for label, fn, work in cases:
        fn(None)
        t1, t2 = best_of_alternating(lambda: fn(None), lambda: fn(2))  # in-process, then --workers 2, in turns
        saved = parallel.MIN_PARALLEL_WORK, parallel.PARALLEL_MARGIN
        parallel.MIN_PARALLEL_WORK, parallel.PARALLEL_MARGIN = 0, 0.0  # what the pool alone would cost
        try:
            t_pool = best_of(lambda: fn(2), 2)
        finally:
            parallel.MIN_PARALLEL_WORK, parallel.PARALLEL_MARGIN = saved
        ratio_line(f"{label} (work {work:.1e}) --workers 2", t2, t1, 1.1)
        print(f"  {'':<52} always a pool: {t_pool:.3f} s ({t_pool / t1:.2f}x)")


PEAK = ("import resource, subprocess, sys; rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
        "u = resource.getrusage(resource.RUSAGE_CHILDREN); print(rc); print(u.ru_maxrss); print(u.ru_utime + u.ru_stime)")


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(parents.get(p, ()))
    return out


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_peak_pss(cmd: list[str], every_s: float = 0.02) -> tuple[int, int]:
    """Run ``cmd``; ``(return code, peak KiB)`` of the summed PSS of it and its descendants, sampled.

    PSS counts a page shared by k processes as 1/k in each, so the sum is the tree's memory: a
    forked run's shared arrays once, each process's own pages once (maxrss of one process would
    leave out the others, and summing RSS would count the shared arrays twice).
    """
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, sum(_pss_kib(p) for p in _tree(proc.pid)))
        time.sleep(every_s)
    return proc.returncode, peak


def section_race(n: int, tmp: Path, everything: bool = False) -> None:
    """Targets: `costsim run scenarios/export_controls_base.yaml -n 1e6` <= 5x the lean R1 at 1e6, <= 1 GB peak.

    Measured end to end in fresh processes (imports included, as a user runs it): the command
    itself (no -o: only the printed years and the checks' years are kept); with ``--race-all``
    also the same run saved with -o (every output at every year, plus summary.csv and a 7 GB
    samples.npz at 1e6) and the API's run() + summary_csv() of every column. Memory: the maxrss of
    the largest process, and (Linux) the peak of the process tree's summed PSS in a second run,
    which counts forked lanes' own pages and their shared arrays once (the target's figure).
    """
    print(f"\n== 4. export_controls_base at n = {n:.0e}: time and peak RSS against the lean R1 (targets 5x, 1 GB) ==")
    from costsim.kernel import fork_allowed, idle_threads

    lanes = idle_threads()
    kind = "forked processes" if lanes > 1 and fork_allowed() else "threads" if lanes > 1 else "one thread"
    print(f"  lanes of the run now (COSTSIM_THREADS, else the idle cores, at most 2): {lanes} ({kind})")
    lean_py = tmp / "lean_r1.py"
    lean_py.write_text(LEAN)
    # best of 3: the yardstick itself moves 0.7-1.3 s at 1e6 from run to run on this VM
    t_lean, rss_lean = proc_time([sys.executable, str(lean_py), str(n), str(tmp / "lean.csv")], 3)
    print(f"  {'lean numpy R1 (yardstick)':<52} {t_lean:8.3f} s   peak {rss_lean / 2**20:6.3f} GiB")
    costsim = [sys.executable, "-m", "costsim.cli", "run", str(RACE), "-n", str(n)]
    out = tmp / "race_out"
    runs = [("costsim run -n N (the target)", costsim),
            ("costsim run -n N -o DIR (keeps every year)", [*costsim, "-o", str(out), "--force"]),
            ("python -c run(file) + summary_csv()", [sys.executable, "-c",
             "import sys; from costsim.engine import run; run(sys.argv[1], n=int(sys.argv[2])).summary_csv()",
             str(RACE), str(n)])]
    for label, cmd in (runs if everything else runs[:1]):
        wall, done = float("inf"), None
        for _ in range(2 if "target" in label else 1):  # the target: best of 2, as the yardstick's best
            t0 = time.perf_counter()
            this = subprocess.run([sys.executable, "-c", PEAK, *cmd], capture_output=True, text=True, cwd=ROOT)
            if time.perf_counter() - t0 < wall:
                wall, done = time.perf_counter() - t0, this
        lines = done.stdout.split()
        if done.returncode or len(lines) < 2 or lines[0] not in ("0", "1"):
            print(f"  {label}: failed\n{done.stderr[-2000:]}")
            continue
        rss, cpu = int(lines[1]), float(lines[2])
        target = 5.0 if "target" in label else None
        ratio_line(f"{label} (time)", wall, t_lean, target)
        print(f"  {'':<52} CPU (user + system) {cpu:.2f} s")
        print(f"  {'':<52} peak RSS of its largest process {rss / 2**20:.3f} GiB ({rss * 1024 / 1e9:.2f} GB)")
        if sys.platform.startswith("linux"):  # again, its whole tree's memory sampled (forked lanes too)
            rc, pss = tree_peak_pss(cmd)
            fits = "ok" if pss * 1024 <= 1e9 else "MISSES"
            print(f"  {'':<52} peak memory of the process tree (PSS, sampled every 20 ms) {pss / 2**20:.3f} GiB "
                  f"({pss * 1024 / 1e9:.3f} GB)" + (f"   target 1 GB {fits}" if target else ""))
        shutil.rmtree(out, ignore_errors=True)


def section_kept(quick: bool) -> None:
    print("\n== 5. Kept targets ==")
    t_help, _ = proc_time([sys.executable, "-m", "costsim.cli", "--help"], 3)
    print(f"  {'costsim --help':<52} {t_help:8.3f} s   target < 0.3 s {'ok' if t_help < 0.3 else 'MISSES'}")
    if quick:
        return
    code = ("import resource, sys; from costsim.engine import run; r = run(sys.argv[1], n=10_000_000); "
            "r.quantiles('effective_flop', [0.05, 0.5, 0.95]); print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    t, kb = proc_time([sys.executable, "-c", code, str(R1)], 1)
    print(f"  {'R1 at n = 1e7: peak RSS of the process':<52} {kb / 2**20:8.3f} GiB ({t:.1f} s)")
    if sys.platform.startswith("linux"):  # forked lanes' own pages too, shared arrays once
        _, pss = tree_peak_pss([sys.executable, "-c", code, str(R1)])
        print(f"  {'R1 at n = 1e7: peak memory of the process tree (PSS)':<52} {pss / 2**20:8.3f} GiB "
              f"target < 1.5 GB {'ok' if pss * 1024 < 1.5e9 else 'MISSES'}")
    else:
        print(f"  {'':<52} target < 1.5 GB {'ok' if kb * 1024 < 1.5e9 else 'MISSES'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", type=int, action="append", help="run only these sections (1-5)")
    parser.add_argument("--race-n", type=float, default=None, help="samples of section 4 (default 1e6, --quick 2e5)")
    parser.add_argument("--race-all", action="store_true", help="section 4 also times the run saved with -o and the API")
    args = parser.parse_args()
    sections = set(args.only or [1, 2, 3, 4, 5])
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}; "
          f"{os.cpu_count()} cores; python {sys.version.split()[0]}")
    repeats = 2 if args.quick else 3
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if 1 in sections:
            section_r1(200_000 if args.quick else 1_000_000, repeats, tmp)
        if 2 in sections:
            section_startup(repeats + 2)
        if 3 in sections:
            _workers(args.quick)
        if 4 in sections:
            section_race(int(args.race_n) if args.race_n else 200_000 if args.quick else 1_000_000, tmp, args.race_all)
        if 5 in sections:
            section_kept(args.quick)
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
