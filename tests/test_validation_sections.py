"""One validation pass owns every section (issue 14.1, 14.5): what `validate` accepts, the commands accept."""

import pathlib
import warnings

import pytest

from costsim.cli import main
from costsim.errors import CostsimWarning, ScenarioError
from costsim.scenario import load_scenario, scenario_from_text
from costsim.scenario.policy import expand_policy, load_policies

ROOT = pathlib.Path(__file__).resolve().parents[1]
R1 = ROOT / "scenarios" / "reference_r1.yaml"

BASE = """\
name: base
years: {start: 2025, stop: 2028}
params:
  a_x: {dist: uniform, low: 1, high: 2}
  b_x: {dist: uniform, low: 1, high: 2}
  c_x: {dist: uniform, low: 1, high: 2}
  d_x: 3
formulas:
  out_x: "a_x * b_x * c_x * d_x"
"""


def _validate(tmp_path, text, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    code = main(["validate", str(path)])
    return code, capsys.readouterr().err, path


@pytest.mark.parametrize(("extra", "expected"), [
    ("plots: [{kind: fann, output: out_x}]\n",
     "s.yaml:10: plots[0].kind: unknown figure kind; expected one of fan, hist, race, cdf, tornado, checks, got "
     "'fann' (str). Did you mean 'fan'?"),
    ("sensitivity: {method: sobl}\n",
     "s.yaml:10: sensitivity.method: unknown method; expected one of sobol, morris, tornado, got 'sobl' (str). "
     "Did you mean 'sobol'?"),
    ("sweeps:\n  params.a_y.high: [2, 3]\n",
     "s.yaml:11: sweeps.params.a_y.high: sweeps a parameter the scenario does not have: 'a_y'; expected a "
     "parameter of params: (or policy:), got 'a_y' (str). Did you mean 'a_x'?"),
    ("sweeps:\n  a_x.hgh: [2, 3]\n",
     "s.yaml:11: sweeps.a_x.hgh: params.a_x (uniform) has no field 'hgh'; expected one of claim, dist, field, fit, "
     "high, low, max, min, note, scale, source, value, got 'hgh' (str). Did you mean 'high'?"),
    ("plots: [{kind: fan, output: out_x, file: ../../etc/x}]\n",
     "s.yaml:10: plots[0].file: must be a plain file stem; expected letters, digits, _ . - (no folders, no "
     "extension), got '../../etc/x' (str)"),
    ("correlations:\n  - [a_x, b_x, 0.9]\n  - [b_x, c_x, 0.9]\n  - [a_x, c_x, -0.9]\n",
     "s.yaml:13: correlations[2]: correlation of a_x and c_x makes the matrix not positive definite; expected a "
     "consistent set of correlations, got -0.9. Given a_x~b_x 0.9, b_x~c_x 0.9, this value is "
     "impossible; weaken it or one of the others."),
    ("policy: {preset: [1]}\n",
     "s.yaml:10: policy.preset: unknown policy preset; expected one of "),
])
def test_validate_refuses_what_the_commands_would(tmp_path, capsys, extra, expected):
    code, err, _ = _validate(tmp_path, BASE + extra, capsys)
    assert code == 2
    assert expected in err.replace(str(tmp_path) + "/", "")
    assert "Traceback" not in err


def test_min_above_max_is_refused(tmp_path, capsys):
    text = BASE.replace("a_x: {dist: uniform, low: 1, high: 2}", "a_x: {dist: uniform, low: 1, high: 2, min: 9, max: 1}")
    code, err, _ = _validate(tmp_path, text, capsys)
    assert code == 2
    assert "s.yaml:4: params.a_x.max: must exceed min (every sample would be clipped to one value); expected > 9, " \
           "got 1" in err


def test_sections_are_typed_and_frozen():
    text = BASE + ("plots: [{kind: fan, output: out_x}]\nsweeps: {a_x.high: [2, 3]}\n"
                   "sensitivity: {method: morris, trajectories: 10}\n")
    s = scenario_from_text(text)
    assert [p.kind for p in s.plots] == ["fan"]
    assert s.sweeps[0].path == "params.a_x.high" and s.sweeps[0].values == (2, 3)
    assert s.sensitivity.method == "morris" and s.sensitivity.options() == {"method": "morris", "trajectories": 10}
    assert s.formulas == {"out_x": "a_x * b_x * c_x * d_x"}
    with pytest.raises(AttributeError):
        s.plots = ()


def test_no_plots_key_leaves_the_choice_to_the_report():
    assert scenario_from_text(BASE).plots is None


def test_policy_loader_reads_presets_through_yamlio():
    presets = load_policies()
    assert "strict" in presets
    params, issues = expand_policy({"preset": {"a": 1}})
    assert params == {} and issues[0].path == "policy.preset"


def test_a_bundled_sweep_block_still_validates():
    s = load_scenario(R1, ["sweeps={params.base_budget_usd: [1.0e+8, 1.0e+9]}"])
    assert s.sweeps[0].values == (1.0e8, 1.0e9)


# ----------------------------------------------------------------------------------- names without units (19.4)
UNITLESS = """\
years: {start: 2025, stop: 2026}
params:
  a: {dist: uniform, low: 1, high: 2}
formulas:
  b: "a * 2"
"""


def test_a_name_without_a_unit_is_accepted_with_a_warning():
    with pytest.warns(CostsimWarning) as record:
        s = scenario_from_text(UNITLESS, "u.yaml")
    texts = [str(w.message) for w in record]
    assert texts == [
        "u.yaml:3: params.a: name has no unit suffix; its unit is unknown, so no unit checks involve it "
        "(strict_units: true makes this an error)",
        "u.yaml:5: formulas.b: name has no unit suffix; its unit is unknown, so no unit checks involve it "
        "(strict_units: true makes this an error)"]
    assert s.outputs == ("b",)


def test_strict_units_makes_it_an_error():
    with pytest.raises(ScenarioError) as info:
        scenario_from_text("strict_units: true\n" + UNITLESS, "u.yaml")
    assert "u.yaml:4: params.a: parameter name has no unit suffix" in str(info.value)
    assert "u.yaml:6: formulas.b: formula name has no unit suffix" in str(info.value)


def test_strict_flag_on_the_command_line(tmp_path, capsys):
    path = tmp_path / "u.yaml"
    path.write_text(UNITLESS, encoding="utf-8")
    assert main(["validate", "--strict", str(path)]) == 2
    assert "params.a: parameter name has no unit suffix" in capsys.readouterr().err


def test_run_of_a_unitless_scenario(tmp_path, capsys):
    path = tmp_path / "u.yaml"
    path.write_text(UNITLESS, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CostsimWarning)
        assert main(["run", str(path), "-n", "64"]) == 0
    assert "b" in capsys.readouterr().out


def test_bundled_scenarios_stay_strict():
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        load_scenario(path, strict=True)


def test_the_sensitivity_tables_agree_with_the_sensitivity_module():
    import costsim.sensitivity as sa
    from costsim.scenario.sections import SENSITIVITY_KEYS, SENSITIVITY_METHODS

    assert tuple(sa.METHODS) == SENSITIVITY_METHODS and tuple(sa.OPTION_KEYS) == SENSITIVITY_KEYS


def test_bundled_sections_are_parsed():
    s = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    assert s.plots is None or all(p.kind for p in s.plots)
    ishigami = load_scenario(ROOT / "examples" / "ishigami.yaml")
    assert ishigami.sensitivity is not None or ishigami.sweeps or ishigami.plots is not None


def test_swept_values_are_checked_at_validate(tmp_path, capsys):
    extra = "sweeps:\n  params.a_x.high: [3, 0.5]\n  d_x: [1, abc]\n"
    code, err, _ = _validate(tmp_path, BASE + extra, capsys)
    assert code == 2
    err = err.replace(str(tmp_path) + "/", "")
    assert "s.yaml:11: sweeps.params.a_x.high: value 0.5 gives params.a_x.high: must exceed low; expected > 1.0, " \
           "got 0.5" in err
    assert "s.yaml:12: sweeps.d_x: value 'abc' gives params.d_x: must be a number" in err


def test_a_swept_value_outside_a_model_domain_is_refused():
    path = ROOT / "scenarios" / "dozens_of_gpus.yaml"
    with pytest.raises(ScenarioError, match="sweeps.essay_decline_x_per_year: value 0.9 gives "
                                            "params.essay_decline_x_per_year: out of the model's domain"):
        load_scenario(path, ["sweeps={essay_decline_x_per_year: [2, 0.9]}"])


@pytest.mark.parametrize("value", ["true", "3", "'x'", "[1]"])
def test_a_sweeps_block_that_is_not_a_mapping_is_an_error_not_a_crash(value):
    # found by the fuzz test: `sweeps: true` raised TypeError while the sweep values were checked
    text = ("name: t\nyears: {start: 2025, stop: 2027}\nparams:\n  a_usd: 1.0\nformulas:\n  b_usd: a_usd * 2\n"
            f"sweeps: {value}\n")
    with pytest.raises(ScenarioError, match="sweeps: must map scenario paths to values"):
        scenario_from_text(text)
