"""run(keep_years=...): outputs kept only at the years that are read, with the same numbers (issue 18).

`costsim run` without -o reads the samples only at the printed years and at the checks' years; a
full run of export_controls_base kept 16 years of 42 outputs (7.4 KB a sample, 7.5 GiB at 1e6).
"""

from __future__ import annotations

import numpy as np
import pytest

from costsim.engine import run
from costsim.errors import ScenarioError
from costsim.scenario import load_scenario, scenario_from_text

RACE = "scenarios/export_controls_base.yaml"

YEARLY = """\
name: yearly
years: {start: 2025, stop: 2034}
samples: 400
seed: 3
params:
  a_x: {dist: lognormal_ci, low: 1.0, high: 3.0}
  g_x: {dist: uniform, low: 1.1, high: 1.5}
formulas:
  v_x: "a_x * g_x ** (year - 2025)"
  w_x: "v_x * 2"
checks:
  - {claim: grows, output: w_x, year: 2031, stat: median, above: 0}
"""


@pytest.fixture(scope="module")
def race():
    return load_scenario(RACE)


def test_kept_years_have_the_full_runs_numbers(race):
    full = run(race, n=600, seed=1)
    part = run(race, n=600, seed=1, keep_years=[2027, 2035])
    # the checks' years (2025, 2026, 2030) are kept for the checks' outputs only, apart (DRAWS)
    assert [int(y) for y in part.years] == [2027, 2035]
    for name, arr in part.outputs.items():
        axes = part.axes_of(name)
        if "year" in axes:
            assert arr.shape[1] == 2
            assert np.array_equal(arr, full.outputs[name][:, [2, 10]])
        else:
            assert np.array_equal(arr, full.outputs[name])
        blocs = part.blocs if "bloc" in axes else [None]
        years = [2027, 2035] if "year" in axes else [None]
        for bloc in blocs:
            for year in years:
                assert part.summary_stats(name, year, bloc) == full.summary_stats(name, year, bloc)
    assert [c.as_dict() for c in part.checks] == [c.as_dict() for c in full.checks]


def test_a_checks_year_is_kept_and_its_verdict_unchanged():
    s = scenario_from_text(YEARLY, "y.yaml")
    full = run(s)
    part = run(s, keep_years=[])
    # the check's year is kept apart, for its output only (DRAWS): the Results keep no year
    assert [int(y) for y in part.years] == []
    assert part.outputs["w_x"].shape == (400, 0)
    assert part.checks == full.checks


def test_keep_years_covering_every_year_or_none_keeps_everything():
    s = scenario_from_text(YEARLY, "y.yaml")
    assert run(s, keep_years=list(range(2025, 2035))).outputs["v_x"].shape == (400, 10)
    assert run(s, keep_years=None).outputs["v_x"].shape == (400, 10)


def test_a_check_without_a_year_keeps_every_year():
    # whether an output over the years is the same in every year is judged on all of them
    text = YEARLY.replace('  w_x: "v_x * 2"\n', '  w_x: "v_x * 2"\n  c_x: "a_x + 0 * year"\n')
    text += "  - {claim: constant, output: c_x, stat: median, above: 0}\n"
    s = scenario_from_text(text, "y.yaml")
    res = run(s, keep_years=[2030])
    assert len(res.years) == 10
    assert [c.as_dict() for c in res.checks] == [c.as_dict() for c in run(s).checks]


def test_a_year_outside_the_scenario_is_refused():
    s = scenario_from_text(YEARLY, "y.yaml")
    with pytest.raises(ScenarioError, match="keep_years"):
        run(s, keep_years=[2050])


def test_keep_years_with_workers_gives_the_same_arrays(race):
    one = run(race, n=300, seed=2, keep_years=[2030])
    two = run(race, n=300, seed=2, keep_years=[2030], workers=2)
    assert one.years.tolist() == two.years.tolist()
    for name in one.outputs:
        assert np.array_equal(one.outputs[name], two.outputs[name])


def test_costsim_run_without_o_prints_what_a_saved_run_prints(tmp_path, capsys):
    from costsim.cli import main

    args = [RACE, "-n", "500", "--seed", "4"]
    assert main(["run", *args, "-o", str(tmp_path / "out")]) == 0
    saved = capsys.readouterr().out
    assert main(["run", *args]) == 0
    printed = capsys.readouterr().out
    saved = saved[:saved.index("\nsaved to")]
    assert "checks passed" in printed and "2035" in printed
    assert printed.split("\n", 1)[1] == saved.split("\n", 1)[1]  # the first line has the wall time


# ----------------------------------------------------------------------------- chunks on threads
def test_threads_give_the_serial_runs_arrays_bit_for_bit(race):
    one = run(race, n=3000, seed=6, chunk_size=256, threads=1)
    two = run(race, n=3000, seed=6, chunk_size=256, threads=2)
    assert set(one.outputs) == set(two.outputs)
    for name in one.outputs:
        assert np.array_equal(one.outputs[name], two.outputs[name]), name
    assert [c.as_dict() for c in one.checks] == [c.as_dict() for c in two.checks]


def test_threads_report_the_same_first_bad_sample_and_counts():
    from costsim.errors import ModelError

    text = YEARLY.replace('  w_x: "v_x * 2"\n', '  w_x: "v_x * 2"\n  bad_x: "log(a_x - 1.5)"\n')
    s = scenario_from_text(text, "y.yaml")
    messages = []
    for threads in (1, 3):
        with pytest.raises(ModelError) as info:
            run(s, n=4000, seed=2, chunk_size=100, threads=threads)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert "bad_x" in messages[0] and " of 4000 values are not finite (first: sample 5," in messages[0]
