"""Time `costsim report` on the bundled scenarios and `costsim watch`'s save -> figure latency (issue 18).

Each figure is printed beside a yardstick measured in the same run, and the ratio, since the
wall times on a shared machine move with its load (the load average is printed too):

* report: every scenarios/*.yaml at the report's default cap of 20,000 samples, every figure as
  PNG and SVG, the pages, into a temporary folder, exactly as `costsim report` does; once cold
  (nothing to reuse) and once replacing that report (unchanged figures copied). Yardstick: plain
  matplotlib drawing and saving the same number of simple line charts (PNG + SVG, constrained
  layout), in one process. Target: the cold report <= 15 s at low load.
* watch: for each bundled scenario, `costsim watch` runs in a subprocess at its default 5,000
  samples; the scenario's seed is changed on disk (so every figure changes) and the time from
  the save to the first and to the last pushed figure event (read by a server-sent-events client,
  as the page gets them) is measured. Yardstick: plain matplotlib drawing and saving one simple
  PNG. Target: save -> updated figure <= 1 s.

No target is asserted in a test: this script prints, and exits 1 when a target is missed.
Run from the repository root: python benchmarks/bench_report.py [--jobs J] [--samples N] [--skip-watch]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPORT_TARGET_S = 15.0
WATCH_TARGET_S = 1.0


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def yardstick_figures(count: int, folder: Path, formats=("png", "svg")) -> float:
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


def bench_report(args) -> bool:
    from costsim.report import build_report, bundled_scenarios, default_jobs

    files = bundled_scenarios("scenarios")
    jobs = args.jobs or default_jobs(10**6)
    print(f"report: {len(files)} scenarios, -n {args.samples}, {jobs} worker(s) for figures, {os.cpu_count()} "
          f"cores; load average before: {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report"
        cpu0, t0 = cpu_seconds(), time.perf_counter()
        summary = build_report(files, out, samples=args.samples, jobs=args.jobs)
        cold, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
        figures = sum(len(s.figures) for s in summary.sections) + len(summary.comparisons)
        t0 = time.perf_counter()
        build_report(files, out, samples=args.samples, jobs=args.jobs, force=True)
        warm = time.perf_counter() - t0
        (Path(tmp) / "y").mkdir()
        stick = yardstick_figures(figures, Path(tmp) / "y")
    status = ", ".join(f"{s.name} {s.status}" for s in summary.sections if s.status != "OK") or "all OK"
    print(f"  cold report: {cold:6.1f} s wall, {cpu:6.1f} s CPU; {figures} figures; {status}")
    print(f"  replacing it, unchanged figures reused: {warm:6.1f} s wall")
    print(f"  yardstick, plain matplotlib: {figures} line charts as PNG + SVG in one process: {stick:6.1f} s")
    print(f"  ratio cold report / yardstick: {cold / stick:.2f}; reused / yardstick: {warm / stick:.2f}")
    ok = cold <= REPORT_TARGET_S
    print(f"  target cold report <= {REPORT_TARGET_S:.0f} s: {'OK' if ok else 'OVER'}; load average after: {load()}")
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
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: costsim's default)")
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--skip-watch", action="store_true")
    parser.add_argument("--skip-report", action="store_true")
    args = parser.parse_args()
    t0 = time.perf_counter()
    import costsim.report  # noqa: F401  (numpy, scipy, matplotlib)

    print(f"import costsim.report: {time.perf_counter() - t0:.2f} s")
    ok = True
    if not args.skip_report:
        ok &= bench_report(args)
    if not args.skip_watch:
        ok &= bench_watch()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
