"""Red team 4: plot options a figure would not use, and a threshold on an output without years.

Before: ``costsim plot --kind cdf --threshold 3`` of a per-sample output (lead_at_crossing_years)
ended in a ValueError traceback, and a scenario's ``plots:`` entry saying the same validated and
then crashed the figure; ``--threshold nan`` drew a figure; ``--bloc`` on an output without
blocs, ``--year`` on a fan/race/checks figure or a per-sample output, and ``--below`` without
``--threshold`` were silently dropped (a figure other than the one asked for, exit 0).
"""

from pathlib import Path

import pytest

from costsim.cli import main
from costsim.errors import ScenarioError
from costsim.scenario import load_scenario

BASE = str(Path(__file__).resolve().parents[1] / "scenarios" / "export_controls_base.yaml")


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run") / "base"
    assert main(["run", BASE, "-n", "300", "-o", str(folder)]) in (0, 1)
    return str(folder)


@pytest.mark.parametrize("argv, option", [
    (["--kind", "cdf", "--output", "lead_at_crossing_years", "--threshold", "3"], "--threshold"),
    (["--kind", "hist", "--output", "lead_at_crossing_years", "--year", "2030"], "--year"),
    (["--kind", "fan", "--output", "largest_run_effective_flop", "--bloc", "US", "--year", "2030"], "--year"),
    (["--kind", "race", "--output", "largest_run_effective_flop", "--year", "2030"], "--year"),
    (["--kind", "checks", "--year", "2030"], "--year"),
    (["--kind", "cdf", "--output", "lead_at_crossing_years", "--below"], "--below"),
    (["--kind", "fan", "--output", "largest_run_effective_flop", "--bloc", "US", "--above"], "--above"),
])
def test_an_option_the_figure_would_ignore_exits_2(saved, tmp_path, capsys, argv, option):
    out = tmp_path / "f.png"
    assert main(["plot", saved, *argv, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert option in err and "Traceback" not in err
    assert not out.exists()


def test_a_threshold_must_be_finite(saved, tmp_path, capsys):
    out = tmp_path / "f.png"
    assert main(["plot", saved, "--kind", "cdf", "--output", "largest_run_effective_flop", "--threshold", "nan",
                 "-o", str(out)]) == 2
    assert "--threshold" in capsys.readouterr().err and not out.exists()


def test_the_options_a_figure_reads_still_work(saved, tmp_path):
    for i, argv in enumerate([
        ["--kind", "cdf", "--output", "largest_run_effective_flop", "--threshold", "1e27", "--above"],
        ["--kind", "hist", "--output", "largest_run_effective_flop", "--bloc", "China", "--year", "2030"],
        ["--kind", "cdf", "--output", "lead_at_crossing_years"],
        ["--kind", "fan", "--output", "largest_run_effective_flop", "--bloc", "US"],
    ]):
        out = tmp_path / f"f{i}.png"
        assert main(["plot", saved, *argv, "-o", str(out)]) == 0
        assert out.stat().st_size > 0


def test_a_plots_entry_with_a_threshold_on_a_per_sample_output_fails_validation():
    entry = 'plots=[{kind: cdf, output: lead_at_crossing_years, threshold: 3}]'
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASE, (entry,))
    assert "plots[0].threshold" in str(info.value)


FORMULA = """\
schema_version: 1
name: pf
years: {start: 2024, stop: 2026}
params:
  rate_x: {dist: uniform, low: 1.0, high: 2.0, source: "test"}
formulas:
  value_x: "rate_x ** (year - 2023)"
outputs: [value_x]
"""


@pytest.mark.parametrize("entry, path", [
    ("{kind: race, output: value_x}", "plots[0].output"),
    ("{kind: cdf, output: value_x}", "plots[0].output"),
    ("{kind: fan, output: value_x, bloc: leader}", "plots[0].bloc"),
])
def test_a_plots_entry_on_a_formula_output_is_checked_at_validation(entry, path):
    # formula outputs' axes were unknown before running: validate passed, the figure then raised
    from costsim.scenario import scenario_from_text

    with pytest.raises(ScenarioError) as info:
        scenario_from_text(FORMULA + f"plots:\n  - {entry}\n", "pf.yaml")
    assert path in str(info.value)


def test_a_fitting_plots_entry_on_a_formula_output_still_validates():
    from costsim.scenario import scenario_from_text

    s = scenario_from_text(FORMULA + "plots:\n  - {kind: fan, output: value_x}\n  - {kind: hist, output: value_x, "
                           "year: 2025}\n", "pf.yaml")
    assert [p.kind for p in s.plots] == ["fan", "hist"]
