"""The speed and memory mechanisms of an in-process run (issue 18: export_controls_base at 1e6 samples).

- glibc's malloc is tuned once before a chunk loop (``kernel.tune_malloc``; ``COSTSIM_MALLOC_TUNE=0``
  leaves it alone), so chunks stop faulting their memory in again: where memory comes from, never
  the numbers;
- threads share the default chunk (each runs a third of it on two threads), so the chunks in
  flight fit the memory budget's one chunk; a given ``chunk_size`` is counted once per chunk in
  flight by the budget;
- ``COSTSIM_THREADS`` must be a whole number >= 1 and is capped at the cores the process may use;
- ``Results.fill_stats`` computes every column's statistics in blocked passes: the numbers of
  ``summary_stats`` computed one column at a time, whatever the scratch size.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from costsim import budget, kernel
from costsim.engine import run
from costsim.errors import ScenarioError
from costsim.scenario import scenario_from_text

TEXT = """\
years: {start: 2025, stop: 2031}
samples: 20000
seed: 3
blocs: [A, B]
params:
  base_usd: {dist: lognormal_ci, low: 1.0e+6, high: 1.0e+8}
  growth_x: {dist: uniform, low: 1.1, high: 2.0}
  share_frac: {dist: normal_ci, low: 0.2, high: 0.4}
formulas:
  cost_usd: base_usd * growth_x ** (year - 2025)
  half_usd: cost_usd * share_frac
"""


def scenario():
    return scenario_from_text(TEXT, "speed.yaml")


def _in_subprocess(code: str, **env) -> str:
    full = {**os.environ, **env}
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=full,
                         check=True)
    return out.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_malloc_is_tuned_once_unless_switched_off():
    code = """
        import os
        from costsim import kernel
        print(kernel.tune_malloc(), kernel.tune_malloc())
    """
    on = _in_subprocess(code, COSTSIM_MALLOC_TUNE="")
    off = _in_subprocess(code, COSTSIM_MALLOC_TUNE="0")
    glibc = bool(os.confstr("CS_GNU_LIBC_VERSION")) if hasattr(os, "confstr") else False
    assert on == ("True True" if glibc else "False False")
    assert off == "False False"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_a_tuned_run_gives_the_numbers_of_an_untuned_one():
    code = """
        import hashlib, numpy as np
        from costsim.engine import run
        from costsim.scenario import scenario_from_text
        r = run(scenario_from_text(open(0).read() if False else %r, "speed.yaml"), n=30000, chunk_size=1000, threads=2)
        h = hashlib.sha256()
        for k in sorted(r.outputs):
            h.update(np.ascontiguousarray(r.outputs[k]).tobytes())
        print(h.hexdigest(), r.summary_csv().count(chr(10)))
    """ % TEXT
    assert _in_subprocess(code, COSTSIM_MALLOC_TUNE="") == _in_subprocess(code, COSTSIM_MALLOC_TUNE="0")


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_costsim_threads_must_be_a_whole_number_of_at_least_one(monkeypatch, value):
    monkeypatch.setenv("COSTSIM_THREADS", value)
    with pytest.raises(ScenarioError, match="COSTSIM_THREADS"):
        run(scenario(), n=100)


def test_costsim_threads_is_capped_at_the_cores(monkeypatch):
    monkeypatch.setenv("COSTSIM_THREADS", "1000")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert kernel.idle_threads() == cores
    monkeypatch.setenv("COSTSIM_THREADS", "1")
    assert kernel.idle_threads() == 1


def test_threads_share_the_default_chunk_and_give_the_serial_numbers():
    s = scenario()
    chunk = kernel.default_chunk(s)
    n = 12 * chunk + 17
    steps = {1: [], 2: []}
    runs = {}
    for threads in (1, 2):
        runs[threads] = run(s, n=n, threads=threads, progress=lambda done, total, t=threads: steps[t].append(done))
    assert steps[1][0] == chunk and steps[1][-1] == n
    assert steps[2][0] == -(-chunk // 3) and steps[2][-1] == n  # two threads' chunks and the stored one
    for name in runs[1].outputs:
        assert runs[1].outputs[name].tobytes() == runs[2].outputs[name].tobytes()
    assert runs[1].summary_csv() == runs[2].summary_csv()


def test_a_given_chunk_size_is_counted_once_per_chunk_in_flight():
    s = scenario()
    keep = tuple(s.outputs)
    one = budget.estimate(s, 10**6, keep, chunk_size=50_000, row_draws=True)
    two = budget.estimate(s, 10**6, keep, chunk_size=50_000, row_draws=True, threads=2)
    assert two.peak > one.peak
    per_chunk = 8 * 50_000 * len(s.years) * len(s.blocs) * (sum(len(node.outputs) for node in s.nodes)
                                                            + kernel.TEMPORARIES_PER_SAMPLE)
    assert two.parts["temporaries"] - one.parts["temporaries"] == 2 * per_chunk  # 3 chunks in flight, not 1
    # the default chunk is shared by the threads: the same estimate
    assert budget.estimate(s, 10**6, keep, row_draws=True, threads=2).peak == \
        budget.estimate(s, 10**6, keep, row_draws=True).peak


@pytest.mark.parametrize("scratch", [None, 1, 2 * 8 * 150_000])
def test_fill_stats_gives_the_numbers_of_each_column_alone(scratch):
    s = scenario()
    res = run(s, n=150_000, seed=5)  # above the fast order statistics' threshold
    fresh = run(s, n=150_000, seed=5)
    res.fill_stats(scratch_bytes=scratch)
    for name in res.outputs:
        axes = res.axes_of(name)
        for year in (res.years if "year" in axes else [None]):
            for bloc in (res.blocs if "bloc" in axes else [None]):
                assert res.summary_stats(name, year, bloc) == fresh.summary_stats(name, year, bloc)
    assert res.summary_csv() == fresh.summary_csv()
    assert np.isfinite(res.summary_stats("cost_usd", 2030)["p50"][0])
