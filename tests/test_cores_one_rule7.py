"""One rule chooses lanes everywhere, and it never gives more lanes than usable cores.

Before, three rules lived side by side: cores.idle_lanes (a run's threads or forked lanes,
``--workers``, the statistics' threads), report.pool.default_jobs (the report's workers) and
parallel.idle_cores (the share pool_pays assumes). idle_lanes rounded "one lane more while half a
core is idle" without capping at the cores this process may use: ``--workers 4`` on 2 idle cores
forked 3 lanes, and under ``taskset -c 0`` a run took 2 lanes on its one core; pool_pays assumed 3
idle cores on an idle 2-core machine.
"""

from __future__ import annotations

import os

import pytest

from costsim import cores, kernel, parallel
from costsim.report import pool


@pytest.fixture
def machine(monkeypatch):
    monkeypatch.delenv(kernel.THREADS_ENV, raising=False)

    def set_machine(count: int, allowed: set[int], load: float, busy: float | None = None):
        monkeypatch.setattr(os, "cpu_count", lambda: count)
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(allowed), raising=False)
        monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
        monkeypatch.setattr(cores, "busy_now", lambda interval=0.1: busy)
    return set_machine


def test_never_more_lanes_than_usable_cores(machine):
    machine(2, {0, 1}, load=0.0)
    assert cores.idle_lanes(4) == 2
    assert kernel.lanes_for_workers(4) == 2  # --workers 4 on 2 idle cores: 2 lanes, not 3
    assert parallel.idle_cores() == 2.0  # what pool_pays assumes: the lanes the pool would get


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no CPU affinity on this platform")
def test_one_allowed_core_gets_one_lane(machine):
    machine(2, {0}, load=0.0)  # taskset -c 0 on an idle 2-core machine
    assert cores.idle_lanes(2) == 1
    assert kernel.idle_threads() == 1
    assert pool.default_jobs(100) == 1


@pytest.mark.parametrize("count,allowed,load,busy,most,expected", [
    (2, {0, 1}, 0.0, None, 8, 2), (2, {0, 1}, 0.6, None, 2, 2), (2, {0, 1}, 1.2, None, 2, 2),
    (2, {0, 1}, 1.6, None, 2, 1), (2, {0, 1}, 1.6, 0.2, 2, 2), (2, {0, 1}, 1.9, 1.95, 2, 1),
    (2, {0, 1}, 3.0, None, 2, 1), (4, {0, 1, 2}, 1.0, 1.0, 100, 3), (4, {0, 1, 2}, 3.6, 3.8, 100, 1),
    (4, {0, 1}, 2.0, None, 4, 2), (1, {0}, 0.5, None, 3, 1),
])
def test_the_report_and_the_runs_choose_alike(machine, count, allowed, load, busy, most, expected):
    machine(count, allowed, load, busy)
    assert cores.idle_lanes(most, measure=True) == expected
    assert pool.default_jobs(most) == expected


def test_a_sweeps_pool_is_not_refused_for_a_stale_load_average(machine):
    """pool_pays asks after seconds of timed work: right after another run the load average (1.7
    on 2 cores) still counts that run; the cores busy now (0.1) leave both for the pool."""
    machine(2, {0, 1}, load=1.7, busy=0.1)
    assert parallel.idle_cores() == 2.0
    assert parallel.pool_pays(10.0, 2, 0.0)
    machine(2, {0, 1}, load=1.7, busy=1.7)  # another process really runs: one core to share
    assert parallel.idle_cores() == 1.0
    assert not parallel.pool_pays(10.0, 2, 0.0)
