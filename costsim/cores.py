"""The cores this process may run on, and how many of them the load average leaves idle.

One rule for every part that chooses how many lanes to use: the chunk kernel's threads or forked
processes, ``--workers`` on forked lanes, and the statistics' threads (costsim.results).
"""

from __future__ import annotations

import os


def usable() -> int:
    """Cores this process may run on (its CPU affinity; the machine's count where there is none)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def idle_lanes(most: int) -> int:
    """Lanes the load leaves room for: at least 1, at most ``most``.

    The 1-minute load is rounded: a load of 1.2 on 2 cores leaves most of a core, and the average
    also still counts this process's own last run (this process counts as free). Where there is
    no load average, every usable core.
    """
    cores = usable()
    try:
        cores = int(cores - os.getloadavg()[0] + 1.5)
    except OSError:
        pass
    return max(1, min(cores, most))
