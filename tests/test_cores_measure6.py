"""Idle lanes right after a run: the load average still counts the run just made.

On 2 cores, a run that kept both busy for a few seconds leaves a 1-minute load of 1.5 or more,
and the next run (or the statistics of this one) got one lane on idle cores: export_controls_base
at 1e6 took 12.3 s instead of ~6 s when run right after another. A big job (``measure=True``:
kernel.lanes_for with work >= MEASURE_WORK, Results.fill_stats with many values) now also looks
at the cores busy now (/proc/stat over 50 ms), and takes the lower count. An idle load average
costs no sample.
"""

from __future__ import annotations

import os

import pytest

from costsim import cores, kernel
from costsim.scenario import scenario_from_text


@pytest.fixture
def two_cores(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.delenv(kernel.THREADS_ENV, raising=False)
    calls = []

    def set_state(load: float, busy: float | None):
        monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))

        def busy_now(interval=0.1):
            calls.append(interval)
            return busy
        monkeypatch.setattr(cores, "busy_now", busy_now)
    return set_state, calls


def test_a_stale_load_average_does_not_cost_a_lane(two_cores):
    set_state, calls = two_cores
    set_state(load=1.9, busy=0.05)  # the last run's processes are still in the average; nothing runs now
    assert cores.idle_lanes(2) == 1
    assert cores.idle_lanes(2, measure=True) == 2
    assert calls == [cores.BUSY_SAMPLE_S]


@pytest.mark.parametrize("busy,lanes", [(1.9, 1), (2.0, 1), (1.2, 2), (None, 1)])
def test_cores_busy_now_still_limit_the_lanes(two_cores, busy, lanes):
    set_state, _ = two_cores
    set_state(load=1.9, busy=busy)  # busy: another process really runs (None: no /proc/stat: the load)
    assert cores.idle_lanes(2, measure=True) == lanes


def test_a_busy_sample_never_adds_lanes_beyond_the_load(two_cores):
    set_state, _ = two_cores
    set_state(load=1.6, busy=1.95)  # the sample is busier than the average: the average's count
    assert cores.idle_lanes(2, measure=True) == cores.idle_lanes(2) == 1


def test_an_idle_load_average_takes_no_sample(two_cores):
    set_state, calls = two_cores
    set_state(load=0.3, busy=2.0)
    assert cores.idle_lanes(2, measure=True) == 2
    assert calls == []


def test_only_big_runs_measure(two_cores):
    set_state, calls = two_cores
    set_state(load=1.9, busy=0.0)
    s = scenario_from_text("years: {start: 2025, stop: 2034}\nparams:\n  a_usd: {dist: uniform, low: 1, high: 2}\n"
                           "formulas:\n  b_usd: a_usd * 2\n")
    small = int(kernel.MEASURE_WORK / kernel.work_of(s, 1)) // 10
    assert kernel.lanes_for(s, small) == 1 and calls == []  # a sample would cost more than the lane gains
    big = int(kernel.MEASURE_WORK / kernel.work_of(s, 1)) + 1
    assert kernel.lanes_for(s, big) == 2 and len(calls) == 1
    assert kernel.lanes_for(s) == 1 and len(calls) == 1  # no sample count given: the load average alone


def test_busy_now_is_a_share_of_the_machines_cores_or_none():
    busy = cores.busy_now(0.02)
    if busy is None:
        pytest.skip("no /proc/stat on this platform")
    assert 0.0 <= busy <= (os.cpu_count() or 1) + 1e-9
