"""The cores this process may run on, and how many of them the load average leaves idle.

One rule (:func:`idle_lanes`) for every part that chooses how many lanes to use: the chunk
kernel's threads or forked processes, ``--workers`` on forked lanes, the statistics' threads
(costsim.results), the report's workers (costsim.report.pool.default_jobs) and the share of the
cores a sweep's pool is assumed to get (costsim.parallel.idle_cores, for pool_pays).
"""

from __future__ import annotations

import os


def usable() -> int:
    """Cores this process may run on (its CPU affinity; the machine's count where there is none)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


BUSY_SAMPLE_S = 0.05  # how long busy_now watches /proc/stat when a big run asks (idle_lanes(measure=True))


def busy_now(interval: float = 0.1) -> float | None:
    """Cores of the machine busy over the next ``interval`` seconds, from ``/proc/stat`` (None where
    there is none). The load average trails by a minute: on a machine that has just finished other
    work (the previous run, say) it still counts that work; this counts what runs now."""
    import time

    def sample():
        with open("/proc/stat", encoding="ascii") as fh:
            fields = [float(v) for v in fh.readline().split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0.0)  # idle + iowait
        return sum(fields[:8]), idle  # user nice system idle iowait irq softirq steal

    try:
        total0, idle0 = sample()
        time.sleep(interval)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    if total1 <= total0:
        return None
    return (os.cpu_count() or 1) * (1.0 - (idle1 - idle0) / (total1 - total0))


def idle_lanes(most: int, *, measure: bool = False) -> int:
    """Lanes the load leaves room for: at least 1, at most ``most`` and the cores this process may
    use (:func:`usable`). The one rule for every part that chooses lanes or workers.

    Idle cores: the machine's cores less the 1-minute load average (which counts the whole
    machine), at most the usable ones. Rounded with one lane more while half a core is idle
    besides: a load of 1.2 on 2 cores leaves most of a core, and the average also still counts
    this process's own last run (this process counts as free). Where there is no load average,
    every usable core. ``measure`` (for work that takes seconds): when the load average leaves
    fewer than ``most`` lanes, the cores busy now (:func:`busy_now` over BUSY_SAMPLE_S) count
    instead when fewer: right after a run the average still counts that run's processes, and the
    next run would get one lane on idle cores.
    """
    cores = usable()
    machine = max(os.cpu_count() or 1, cores)
    top = max(1, min(int(most), cores))
    try:
        busy = os.getloadavg()[0]
    except OSError:
        return top

    def lanes_at(busy_cores: float) -> int:
        return int(min(cores, machine - busy_cores) + 1.5)

    lanes = lanes_at(busy)
    if measure and lanes < top:
        now = busy_now(BUSY_SAMPLE_S)
        if now is not None and now < busy:
            lanes = lanes_at(now)
    return max(1, min(lanes, top))
