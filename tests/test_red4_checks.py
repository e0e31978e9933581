"""Red team 4: checks that cannot be judged as written.

Before: ``stat: p0`` (the sample minimum) validated and printed "measured 2.09 +- 0 (MC se)", a
verdict with no Monte Carlo margin; a probability check with ``above: 1.5`` / ``below: -1`` /
``between: [2, 3]`` validated and failed whatever the model said.
"""

import pytest

from costsim.cli import main
from costsim.errors import ScenarioError
from costsim.scenario import scenario_from_text

TEXT = """\
schema_version: 1
name: checks
years: {{start: 2024, stop: 2025}}
samples: 200
params:
  rate_x: {{dist: uniform, low: 1.0, high: 2.0, source: "test"}}
formulas:
  value_x: "rate_x * 2 * (year - 2024)"
outputs: [value_x]
checks:
  - claim: "the check"
    output: value_x
    year: 2025
    {check}
"""


@pytest.mark.parametrize("stat", ["p0", "p00", "q0.0", "q.0"])
def test_the_sample_minimum_is_refused_as_a_check_statistic(stat):
    with pytest.raises(ScenarioError) as info:
        scenario_from_text(TEXT.format(check=f"stat: {stat}\n    below: 100"), "c.yaml")
    assert "checks[0].stat" in str(info.value) and "minimum" in str(info.value)


@pytest.mark.parametrize("stat", ["p1", "p05", "q0.001", "median"])
def test_other_quantiles_still_validate(stat):
    scenario_from_text(TEXT.format(check=f"stat: {stat}\n    below: 100"), "c.yaml")


@pytest.mark.parametrize("cond, key", [("above: 1.5", "above"), ("below: -1", "below"),
                                       ("between: [2, 3]", "between"), ("between: [-2, -1]", "between")])
def test_a_probability_check_that_can_never_hold_is_refused(cond, key):
    text = TEXT.format(check=f"probability_of: {{above: 3}}\n    {cond}")
    with pytest.raises(ScenarioError) as info:
        scenario_from_text(text, "c.yaml")
    assert f"checks[0].{key}" in str(info.value) and "c.yaml:" in str(info.value)


@pytest.mark.parametrize("cond", ["above: 1", "below: 0", "above: 0.5", "between: [0.9, 2]", "above: -0.5"])
def test_probability_thresholds_a_probability_can_meet_still_validate(cond):
    scenario_from_text(TEXT.format(check=f"probability_of: {{above: 3}}\n    {cond}"), "c.yaml")


def test_validate_refuses_what_run_would_misjudge(tmp_path, capsys):
    path = tmp_path / "c.yaml"
    path.write_text(TEXT.format(check="probability_of: {above: 3}\n    above: 1.5"), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    assert "can never hold" in capsys.readouterr().err


def test_a_year_between_steps_names_the_step():
    # "expected a whole year in 2024..2030, got 2025" read as if 2025 were inside the range
    text = TEXT.format(check="below: 100").replace("stop: 2025}", "stop: 2030, step: 2}")
    with pytest.raises(ScenarioError) as info:
        scenario_from_text(text.replace("year: 2025", "year: 2025"), "c.yaml")
    assert "a whole year in 2024..2030 step 2, got 2025" in str(info.value)
