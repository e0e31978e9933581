"""A scenario whose ``years: step`` is not 1 is refused when a model in it sums or compounds per step.

Found by red-team: with ``years: {step: 2}`` race_compute_stock added each step's end-year flow
for the whole step, and its stocks came out 1.23-1.30x those of yearly steps on the same draws;
race_algorithms steps its recurrences once per step from the last step's level (the follower's
effective FLOP 0.71-0.95x). Such models declare ``@model(..., yearly_steps=True)``, a formula with
a time function (cumsum, cumprod, diff, lag) counts as one, and validation refuses the step;
models in closed form in the year (R1) run at any step.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costsim.cli import main
from costsim.engine import run
from costsim.errors import ScenarioError
from costsim.registry import load_builtin_models
from costsim.scenario import load_scenario, scenario_from_text

RACE = "scenarios/export_controls_base.yaml"
R1 = "scenarios/reference_r1.yaml"


def _race(step: int) -> list[str]:
    stop = 2025 + 10 * step
    return [f"years={{start: 2025, stop: {stop}, step: {step}}}", f"summary_years=[2025, {stop}]", "checks=null",
            "plots=null"]


def test_the_race_with_a_step_of_2_is_refused_naming_the_models_path_expected_got():
    with pytest.raises(ScenarioError) as err:
        load_scenario(RACE, _race(2))
    [issue] = err.value.issues
    assert (issue.path, issue.expected, issue.got) == ("years.step", "step: 1 (or no step:)", 2)
    assert "race_compute_stock" in issue.problem and "race_algorithms" in issue.problem


def test_the_cli_refuses_it_with_exit_2_naming_the_file_and_line(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text("schema_version: 1\nname: s\nextends: base.yaml\nyears: {start: 2025, stop: 2035, step: 2}\n"
                    "summary_years: [2025, 2035]\nchecks: null\nplots: null\n", encoding="utf-8")
    (tmp_path / "base.yaml").write_text(open(RACE, encoding="utf-8").read(), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:4: years.step" in err and "Traceback" not in err


@settings(max_examples=8, deadline=None)
@given(step=st.integers(1, 5))
def test_the_race_is_refused_exactly_when_the_step_is_not_1(step):
    if step == 1:
        assert load_scenario(RACE, _race(step)).years[1] - 2025 == 1
    else:
        with pytest.raises(ScenarioError) as err:
            load_scenario(RACE, _race(step))
        assert [i.path for i in err.value.issues] == ["years.step"]


def test_the_stock_and_algorithm_models_declare_it_and_closed_form_ones_do_not():
    models = load_builtin_models()
    assert models["race_compute_stock"].yearly_steps and models["race_algorithms"].yearly_steps
    assert not any(models[m].yearly_steps for m in ("budget_physical_flop", "decline_algorithmic_efficiency",
                                                    "effective_flop_product", "race_chip_supply"))


def test_an_r1_scenario_with_a_step_of_2_runs_and_matches_the_yearly_run_on_its_years():
    yearly = run(load_scenario(R1, ["checks=null"]), n=500, seed=4)
    stepped = run(load_scenario(R1, ["years={start: 2025, stop: 2035, step: 2}", "summary_years=[2025, 2035]",
                                     "checks=null"]), n=500, seed=4)
    assert list(stepped.years) == list(range(2025, 2036, 2))
    np.testing.assert_allclose(stepped.outputs["effective_flop"], yearly.outputs["effective_flop"][:, ::2],
                               rtol=1e-12)


FORMULA = """\
schema_version: 1
name: f
years: {start: 2025, stop: 2031, step: %d}
samples: 100
params:
  flow_usd_per_year: {dist: uniform, low: 1, high: 2}
formulas:
  total_usd: "%s"
"""


@pytest.mark.parametrize("text", ["cumsum(flow_usd_per_year * 1.0)", "diff(flow_usd_per_year * year)",
                                  "lag(flow_usd_per_year * year, 1, 0)", "cumprod(flow_usd_per_year / 2)"])
def test_a_formula_with_a_time_function_is_refused_at_a_step_of_2_and_accepted_at_1(text):
    with pytest.raises(ScenarioError) as err:
        scenario_from_text(FORMULA % (2, text), "f.yaml")
    [issue] = err.value.issues
    assert issue.path == "years.step" and "formulas.total_usd" in issue.problem
    scenario_from_text(FORMULA % (1, text), "f.yaml")


def test_a_formula_without_one_is_accepted_at_a_step_of_2():
    s = scenario_from_text(FORMULA % (2, "flow_usd_per_year * (year - 2024)"), "f.yaml")
    assert list(s.years) == [2025, 2027, 2029, 2031]


PLUGIN = """\
from costsim.registry import model


@model(outputs=("level_usd",), yearly_steps=%s)
def %s(*, year, flow_usd_per_year):
    import numpy as np
    return {"level_usd": np.cumsum(flow_usd_per_year * (year * 0 + 1), axis=1)}
"""


@pytest.mark.parametrize("declared", [True, False])
def test_a_plugin_model_declaring_yearly_steps_is_refused_at_a_step_of_2(tmp_path, declared):
    name = f"yearly_plugin8_{str(declared).lower()}"
    plugin = tmp_path / f"{name}.py"
    plugin.write_text(PLUGIN % (declared, name), encoding="utf-8")
    text = (FORMULA % (2, "flow_usd_per_year * 2")) + f"models:\n  - use: {name}\n"
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    if declared:
        with pytest.raises(ScenarioError) as err:
            load_scenario(path, plugins=(str(plugin),))
        assert [i.path for i in err.value.issues] == ["years.step"] and name in err.value.issues[0].problem
    else:
        load_scenario(path, plugins=(str(plugin),))
