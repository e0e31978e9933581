"""What a run keeps in memory besides the draws (issue 18, export_controls_base at 1e6 <= 1 GB).

- a check's year that ``keep_years`` leaves out is kept for the check's output only, apart (it was
  kept for every output over the years: 24 floats a sample of export_controls_base, 192 MB at 1e6),
  and the check is evaluated on those columns: the same verdicts and numbers;
- a chunk's arrays are dropped after their last reader (a model's output nobody keeps or reads
  again no longer lives until the chunk ends).
"""

from __future__ import annotations

import numpy as np
import pytest

from costsim.engine import run
from costsim.plugins import load_plugin
from costsim.scenario import load_scenario, scenario_from_text

RACE = "scenarios/export_controls_base.yaml"


@pytest.fixture(scope="module")
def race():
    return load_scenario(RACE)


def test_a_checks_year_is_kept_for_its_output_only(race):
    full = run(race, n=800, seed=3)
    part = run(race, n=800, seed=3, keep_years=[2027])
    assert [int(y) for y in part.years] == [2027]
    for name, arr in part.outputs.items():
        if "year" in part.axes_of(name):
            assert arr.shape[1] == 1, name
            assert np.array_equal(arr, full.outputs[name][:, [2]]), name
    # every check (median, probability, per bloc, at 2025/2026/2030, none at 2027) as the full run's
    assert {c.output for c in race.checks} and all(c.year != 2027 for c in race.checks)
    assert [c.as_dict() for c in part.checks] == [c.as_dict() for c in full.checks]


def test_check_columns_with_workers_are_the_in_process_ones(race):
    one = run(race, n=300, seed=2, keep_years=[2035])
    two = run(race, n=300, seed=2, keep_years=[2035], workers=2)
    assert [c.as_dict() for c in one.checks] == [c.as_dict() for c in two.checks]
    for name in one.outputs:
        assert np.array_equal(one.outputs[name], two.outputs[name])


PROBE = '''
import weakref

import numpy as np

from costsim.registry import model

_SEEN = []


@model(outputs=("probe_big_x",))
def probe_big(*, a_x, year):
    out = a_x * (year - 2024.0)
    _SEEN.append(weakref.ref(out))
    return {"probe_big_x": out}


@model(outputs=("probe_small_x",))
def probe_small(*, probe_big_x):
    return {"probe_small_x": probe_big_x * 2.0}


@model(outputs=("probe_dropped_x",))
def probe_dropped(*, probe_small_x):
    """1 where the chunk's probe_big_x array is gone by now (its last reader has run), else 0."""
    gone = 1.0 if _SEEN[-1]() is None else 0.0
    return {"probe_dropped_x": probe_small_x * 0.0 + gone}
'''

PROBED = """\
years: {start: 2025, stop: 2030}
params:
  a_x: {dist: uniform, low: 1, high: 2}
models:
  - use: probe_big
  - use: probe_small
  - use: probe_dropped
outputs: [%s]
"""


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    path = tmp_path_factory.mktemp("probe") / "probe.py"
    path.write_text(PROBE)
    load_plugin(path)
    return path


def test_an_array_nobody_reads_again_is_dropped_before_the_chunk_ends(probe):
    s = scenario_from_text(PROBED % "probe_small_x, probe_dropped_x", "probe.yaml", plugins=(str(probe),))
    res = run(s, n=5000, seed=1, chunk_size=512, threads=1)
    assert np.all(res.outputs["probe_dropped_x"] == 1.0)


def test_a_kept_array_is_not_dropped(probe):
    s = scenario_from_text(PROBED % "probe_big_x, probe_dropped_x", "probe.yaml", plugins=(str(probe),))
    res = run(s, n=5000, seed=1, chunk_size=512, threads=1)
    assert np.all(res.outputs["probe_dropped_x"] == 0.0)
    np.testing.assert_array_equal(res.outputs["probe_big_x"],
                                  res.params["a_x"][:, None] * (res.years[None, :] - 2024.0))
