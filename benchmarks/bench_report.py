"""Time `costsim report` on the bundled scenarios and `costsim watch`'s save -> figure latency (issue 18).

Each figure is printed beside a yardstick measured in the same run, and the ratio, since the
wall times on a shared machine move with its load (the load average is printed too):

* report: exactly what a user types, ``costsim report -o DIR --force`` in the repository root
  (every scenarios/*.yaml at the default cap of 20,000 samples, opened by the claims ledger and
  what would flip its close claims; figures in the default format, PNG), in a subprocess, into
  a fresh folder (nothing to reuse): with the worker count costsim chooses, then with ``-j 2``
  and ``-j 1``; each with its wall time and CPU seconds (the CPU does not depend on the load
  much, the wall time does). Then replacing that report (unchanged figures copied). Yardstick:
  plain matplotlib drawing and saving the same number of simple line charts (PNG, constrained
  layout) in one process. Target: the cold report <= 15 s at low load (on 2 cores: about half
  its CPU seconds, plus ~2 s that run in one process).
* watch: for each bundled scenario, `costsim watch` runs in a subprocess at its default 5,000
  samples; the scenario's seed is changed on disk (so every figure changes) and the time from
  the save to the first and to the last pushed figure event (read by a server-sent-events client,
  as the page gets them) is measured. Yardstick: plain matplotlib drawing and saving one simple
  PNG. Target: save -> updated figure <= 1 s.

No target is asserted in a test: this script prints, and exits 1 when a target is missed.
Run from the repository root:
python benchmarks/bench_report.py [--jobs J ...] [--formats png] [--skip-watch] [--skip-report]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPORT_TARGET_S = 15.0
WATCH_TARGET_S = 1.0
ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "import sys; from costsim.cli import main; sys.exit(main(sys.argv[1:]))"]


def child_cpu_seconds() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return children.ru_utime + children.ru_stime


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def yardstick_figures(count: int, folder: Path, formats=("png",)) -> float:
    """Seconds for plain matplotlib to draw and save ``count`` simple line charts, one process."""
    import numpy as np
    from matplotlib.figure import Figure

    x = np.arange(2025, 2036)
    t0 = time.perf_counter()
    for i in range(count):
        fig = Figure(figsize=(7.0, 4.2), layout="constrained")
        ax = fig.add_subplot()
        ax.fill_between(x, 0.5 * x, 2.0 * x, alpha=0.3)
        ax.plot(x, x * (1 + i / count), label="median")
        ax.set_xlabel("year")
        ax.set_ylabel("value [unit]")
        ax.set_title(f"yardstick figure {i}")
        ax.legend()
        for fmt in formats:
            fig.savefig(folder / f"y{i}.{fmt}", format=fmt, dpi=150)
    return time.perf_counter() - t0


def cli_report(out: Path, jobs: int | None, formats: str | None) -> dict:
    """One ``costsim report -o OUT --force`` in a subprocess: wall, CPU, figures, workers, exit code."""
    cmd = [*CLI, "report", "-o", str(out), "--force"]
    if jobs is not None:
        cmd += ["-j", str(jobs)]
    if formats:
        cmd += ["--formats", formats]
    before = load()
    cpu0, t0 = child_cpu_seconds(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, child_cpu_seconds() - cpu0
    figs = re.search(r"and (\d+) figures", proc.stdout)
    workers = re.search(r"pool: (\d+) workers?\b", proc.stderr)
    if figs is None:
        raise RuntimeError(f"costsim report failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return {"wall": wall, "cpu": cpu, "figures": int(figs.group(1)), "rc": proc.returncode,
            "workers": int(workers.group(1)) if workers else None, "load_before": before, "load_after": load()}


def bench_report(args) -> bool:
    from costsim.report import bundled_scenarios

    import matplotlib

    files = bundled_scenarios(ROOT / "scenarios")
    # the figures' CPU depends on matplotlib's version (3.11's text engine: 1.5x; constraints.txt)
    print(f"report: costsim report -o DIR --force in {ROOT.name}/ ({len(files)} bundled scenarios, default -n, "
          f"claims ledger), {os.cpu_count()} cores, matplotlib {matplotlib.__version__}")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        runs = []
        for jobs in args.jobs:
            out = Path(tmp) / f"report_{jobs or 'auto'}"
            r = cli_report(out, jobs, args.formats)
            runs.append((jobs, r))
            label = "costsim's choice" if jobs is None else f"-j {jobs}"
            print(f"  cold, {label:16s}: {r['wall']:6.1f} s wall, {r['cpu']:6.1f} s CPU, {r['workers']} worker(s), "
                  f"{r['figures']} figures, exit {r['rc']}; load {r['load_before']} -> {r['load_after']}")
            if jobs is None:
                ok &= r["wall"] <= REPORT_TARGET_S
        kept = Path(tmp) / "kept"
        shutil.copytree(Path(tmp) / f"report_{args.jobs[0] or 'auto'}", kept)
        warm = cli_report(kept, args.jobs[0], args.formats)
        print(f"  replacing a report, unchanged figures reused: {warm['wall']:6.1f} s wall, {warm['cpu']:6.1f} s CPU "
              "(the runs and the ledger are made again)")
        figures = runs[0][1]["figures"]
        (Path(tmp) / "y").mkdir()
        stick = yardstick_figures(figures, Path(tmp) / "y")
    print(f"  yardstick, plain matplotlib: {figures} line charts as PNG in one process: {stick:6.1f} s "
          f"(load {load()})")
    for jobs, r in runs:
        label = "costsim's choice" if jobs is None else f"-j {jobs}"
        print(f"  ratio cold report ({label}) / yardstick: wall {r['wall'] / stick:.2f}, CPU {r['cpu'] / stick:.2f}")
    print(f"  ratio reused / yardstick: {warm['wall'] / stick:.2f}")
    if None in args.jobs:
        print(f"  target cold report (costsim's choice of workers) <= {REPORT_TARGET_S:.0f} s: "
              f"{'OK' if ok else 'OVER'}")
    return ok


class _Events:
    """A server-sent-events client on a thread: the arrival time of each event, by name."""

    def __init__(self, url: str):
        host, port = re.match(r"http://([^:/]+):(\d+)/", url).groups()
        self.conn = http.client.HTTPConnection(host, int(port), timeout=120)
        self.conn.request("GET", "/events")
        self.resp = self.conn.getresponse()
        self.got: list[tuple[str, float]] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for _ in range(1_000_000):
            try:
                line = self.resp.fp.readline().decode("utf-8")
            except OSError:
                return
            if not line:
                return
            if line.startswith("event: "):
                with self.lock:
                    self.got.append((line[7:].strip(), time.monotonic()))

    def wait(self, name: str, count: int, timeout: float) -> list[float]:
        end = time.monotonic() + timeout
        for _ in range(10_000_000):
            with self.lock:
                times = [t for n, t in self.got if n == name]
            if len(times) >= count or time.monotonic() >= end:
                return times
            time.sleep(0.005)
        return times


def _lines(proc, found: list[str]):
    for _ in range(100_000):
        line = proc.stdout.readline()
        if not line:
            return
        found.append(line)


def watch_latency(scenario: Path, folder: Path) -> tuple[float, float, int]:
    """(save -> first figure, save -> last figure, figures) for one scenario under `costsim watch`."""
    text = scenario.read_text(encoding="utf-8")
    edited = folder / scenario.name
    edited.write_text(text, encoding="utf-8")
    # extends: paths are relative to the scenario's folder: keep them working from the copy
    for other in scenario.parent.glob("*.yaml"):
        if other != scenario and not (folder / other.name).exists():
            (folder / other.name).write_text(other.read_text(encoding="utf-8"), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from costsim.cli import main; sys.exit(main(sys.argv[1:]))",
                             "watch", str(edited), "-o", str(folder / f"{scenario.stem}_watch"), "--max-runs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    threading.Thread(target=_lines, args=(proc, lines), daemon=True).start()
    try:
        url = None
        for _ in range(6000):
            m = re.search(r"page: (http://127\.0\.0\.1:\d+/)", "".join(lines))
            if m:
                url = m.group(1)
                break
            time.sleep(0.01)
        if url is None:
            raise RuntimeError("watch did not start:\n" + "".join(lines))
        for _ in range(6000):  # the first run is done when its line is printed
            if re.search(r"figures redrawn", "".join(lines)):
                break
            time.sleep(0.01)
        events = _Events(url)
        time.sleep(0.2)  # _Events returns once the stream's headers arrived; give the server a beat
        seed = re.search(r"^seed:\s*(\d+)", text, flags=re.MULTILINE)
        new = re.sub(r"^seed:\s*\d+", f"seed: {int(seed.group(1)) + 1}", text, flags=re.MULTILINE) if seed \
            else re.sub(r"^(name:.*)$", r"\1\nseed: 12345", text, count=1, flags=re.MULTILINE)
        before = len(events.wait("section", 0, 0))
        t_save = time.monotonic()
        edited.write_text(new, encoding="utf-8")
        events.wait("section", before + 1, 60)  # the update is complete when its section is pushed
        times = [t for t in events.wait("figure", 0, 0) if t > t_save]
        proc.wait(timeout=60)
        if not times:
            raise RuntimeError("no figure pushed after the save:\n" + "".join(lines))
        return times[0] - t_save, times[-1] - t_save, len(times)
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)


def bench_watch() -> bool:
    import numpy as np
    from matplotlib.figure import Figure

    from costsim.report import bundled_scenarios

    print(f"watch: save -> figure pushed to the page, default -n 5000; load average before: {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        fig = Figure(figsize=(7.0, 4.2), layout="constrained")
        ax = fig.add_subplot()
        ax.plot(np.arange(11), np.arange(11.0))
        ax.set_title("yardstick")
        fig.savefig(Path(tmp) / "y.png", dpi=150)
        stick = time.perf_counter() - t0
        worst = 0.0
        for f in bundled_scenarios("scenarios"):
            first, last, count = watch_latency(f, Path(tmp))
            worst = max(worst, first)
            print(f"  {f.stem:28s} first figure {first:5.2f} s ({first / stick:5.1f}x yardstick), all {count:2d} "
                  f"{last:5.2f} s")
    print(f"  yardstick, plain matplotlib: one simple PNG drawn and saved in-process: {stick:.2f} s")
    ok = worst <= WATCH_TARGET_S
    print(f"  worst save -> first figure {worst:.2f} s ({worst / stick:.1f}x yardstick); target <= "
          f"{WATCH_TARGET_S:.0f} s: {'OK' if ok else 'OVER'}; load average after: {load()}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=lambda v: None if v == "auto" else int(v), nargs="+",
                        default=[None, 2, 1], metavar="J",
                        help="worker counts of the cold reports, 'auto' for costsim's choice (default: auto 2 1)")
    parser.add_argument("--formats", default=None, help="figure formats of the reports (default: costsim's, png)")
    parser.add_argument("--skip-watch", action="store_true")
    parser.add_argument("--skip-report", action="store_true")
    args = parser.parse_args()
    t0 = time.perf_counter()
    import costsim.report  # noqa: F401  (numpy, scipy, matplotlib)

    print(f"import costsim.report: {time.perf_counter() - t0:.2f} s; load average {load()}")
    ok = True
    if not args.skip_report:
        ok &= bench_report(args)
    if not args.skip_watch:
        ok &= bench_watch()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
