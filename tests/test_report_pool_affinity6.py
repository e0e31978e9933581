"""The report's workers never outnumber the cores the process may run on (its CPU affinity).

``os.cpu_count()`` is the machine's count: under ``taskset -c 0`` (or a container's cpuset) on 2
cores the report started 2 workers that shared one core. The load figures still count the
whole machine.
"""

from __future__ import annotations

import os

import pytest

from costsim import cores
from costsim.report import pool


@pytest.fixture
def idle_machine(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    monkeypatch.setattr(cores, "busy_now", lambda interval=0.1: 0.0)


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no CPU affinity on this platform")
@pytest.mark.parametrize("allowed", [{0}, {0, 1}, {0, 1, 2, 3}])
def test_workers_at_most_the_cores_of_the_affinity(idle_machine, monkeypatch, allowed):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(allowed))
    assert pool.default_jobs(100) == len(allowed)


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no CPU affinity on this platform")
def test_a_busy_machine_still_limits_the_workers(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
    monkeypatch.setattr(os, "getloadavg", lambda: (3.6, 3.0, 3.0))  # 0.4 of the machine's 4 cores idle
    monkeypatch.setattr(cores, "busy_now", lambda interval=0.1: 3.8)
    assert pool.default_jobs(100) == 1
    monkeypatch.setattr(os, "getloadavg", lambda: (1.0, 1.0, 1.0))  # 3 idle, 3 usable: 3 (4 with the extra)
    monkeypatch.setattr(cores, "busy_now", lambda interval=0.1: 1.0)
    assert pool.default_jobs(100) == 3
