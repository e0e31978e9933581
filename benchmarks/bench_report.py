"""Time `costsim report` on the bundled scenarios (issue 6: under 60 s on a 2-core machine).

Runs every scenarios/*.yaml at the report's default cap of 20,000 samples, draws every figure as
PNG and SVG, and writes the pages, into a temporary folder, exactly as `costsim report` does.
Prints the wall time (what a user waits), the CPU time of this process and its workers, the
number of figures, and the load average, since other processes on a shared machine slow the
wall time down.

Run from the repository root: python benchmarks/bench_report.py [--jobs J] [--repeats R] [--samples N]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

BUDGET_S = 60.0


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: costsim's default)")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--samples", type=int, default=20_000)
    args = parser.parse_args()

    t_import = time.perf_counter()
    from costsim.report import build_report, bundled_scenarios, default_jobs

    import_s = time.perf_counter() - t_import
    files = bundled_scenarios("scenarios")
    jobs = args.jobs or default_jobs(len(files))
    print(f"{len(files)} scenarios, -n {args.samples}, {jobs} worker(s), {os.cpu_count()} cores; "
          f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"import costsim.report (numpy, scipy, matplotlib): {import_s:.2f} s")
    walls = []
    for i in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            cpu0, t0 = cpu_seconds(), time.perf_counter()
            summary = build_report(files, Path(tmp) / "report", samples=args.samples, jobs=jobs)
            wall, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
            files_written = sum(1 for p in (Path(tmp) / "report").rglob("*") if p.is_file())
        figures = sum(1 for s in summary.sections for f in s.figures if f.png) + len(summary.comparisons)
        status = ", ".join(f"{s.name} {s.status}" for s in summary.sections if s.status != "OK") or "all OK"
        print(f"run {i + 1}: {wall:6.1f} s wall, {cpu:6.1f} s CPU; {figures} figures ({2 * figures} files), "
              f"{files_written} files in all; {status}")
        walls.append(wall + import_s)
    best = min(walls)
    print(f"best: {best:.1f} s including imports (budget {BUDGET_S:.0f} s): {'OK' if best < BUDGET_S else 'OVER'}; "
          f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if best < BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
