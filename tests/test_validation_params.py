"""Keys a parameter accepts are used, or refused (exit 2) or warned about: never silently dropped."""

import pathlib
import warnings

import pytest

from costsim.cli import main
from costsim.errors import CostsimWarning, ScenarioError
from costsim.scenario import load_scenario, scenario_from_text

ROOT = pathlib.Path(__file__).resolve().parents[1]

RUN = """\
name: run
years: {start: 2025, stop: 2026}
samples: 50
params:
  cluster_chips: 1000
  chip_peak_flop_per_s: 1.0e+15
  mfu_frac: 0.4
  run_length_hours:
    value: 0.27
%s
models:
  - use: cluster_run_flop
"""


def _validate(tmp_path, extra, capsys, *argv):
    path = tmp_path / "s.yaml"
    path.write_text(RUN % extra, encoding="utf-8")
    code = main(["validate", str(path), *argv])
    return code, capsys.readouterr()


def test_scale_without_claim_is_an_error_with_file_line(tmp_path, capsys):
    # the bug: 0.27 "years" with a scale to hours ran as 0.27 hours
    code, out = _validate(tmp_path, "    scale: 8766", capsys)
    assert code == 2
    assert ("s.yaml:10: params.run_length_hours.scale: applies only to the numbers of a claim, and this parameter "
            "has no claim:; expected claim: ID with scale:, or no scale:, got 8766. Write the numbers in the "
            "parameter's unit yourself, e.g. value: 2366.82 (0.27 times 8766).") in out.err


def test_scale_without_claim_refused_by_run_too(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(RUN % "    scale: 8766", encoding="utf-8")
    assert main(["run", str(path)]) == 2
    assert "params.run_length_hours.scale" in capsys.readouterr().err


def test_scale_set_on_the_command_line_without_claim_is_located_there(tmp_path, capsys):
    code, out = _validate(tmp_path, "", capsys, "--set", "params.run_length_hours.scale=2")
    assert code == 2
    assert "--set: params.run_length_hours.scale: applies only to the numbers of a claim" in out.err


def test_field_without_claim_is_an_error(tmp_path, capsys):
    code, out = _validate(tmp_path, "    field: total", capsys)
    assert code == 2
    assert "s.yaml:10: params.run_length_hours.field: applies only to the numbers of a claim" in out.err


@pytest.mark.parametrize(("extra", "expected"), [
    ("    min: 1", "params.run_length_hours.value: constant beyond its own min: (a constant is not clipped); "
                  "expected >= 1, got 0.27"),
    ("    max: 0.1", "params.run_length_hours.value: constant beyond its own max: (a constant is not clipped); "
                    "expected <= 0.1, got 0.27"),
])
def test_constant_outside_its_own_bounds_is_an_error(tmp_path, capsys, extra, expected):
    code, out = _validate(tmp_path, extra, capsys)
    assert code == 2
    assert expected in out.err


def test_constant_inside_its_bounds_is_fine(tmp_path, capsys):
    code, _ = _validate(tmp_path, "    min: 0\n    max: 1", capsys)
    assert code == 0


def test_claim_scale_still_converts_the_claims_numbers():
    text = RUN.replace("  chip_peak_flop_per_s: 1.0e+15",
                       "  chip_peak_flop_per_s: {claim: chip.H800_SXM, field: bf16_tflops, scale: 1.0e+12}") % ""
    s = scenario_from_text(text)
    assert s.params["chip_peak_flop_per_s"].value > 1e14  # TFLOP/s -> FLOP/s


def test_claim_scale_that_converts_nothing_warns():
    cited = "  chip_peak_flop_per_s: {claim: chip.H800_SXM, field: bf16_tflops, scale: 1.0e+12, value: 9.0e+14}"
    text = RUN.replace("  chip_peak_flop_per_s: 1.0e+15", cited) % ""
    with pytest.warns(CostsimWarning, match=r"params.chip_peak_flop_per_s.scale: has no effect"):
        s = scenario_from_text(text)
    assert s.params["chip_peak_flop_per_s"].value == 9.0e14  # the scenario's own number, as written


def test_claim_field_replaced_with_set_does_not_warn():
    cited = "  chip_peak_flop_per_s: {claim: chip.H800_SXM, field: bf16_tflops, scale: 1.0e+12}"
    text = RUN.replace("  chip_peak_flop_per_s: 1.0e+15", cited) % ""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = scenario_from_text(text, overrides=["params.chip_peak_flop_per_s.value=9e14"])
    assert s.params["chip_peak_flop_per_s"].value == 9.0e14


def test_every_bundled_scenario_is_still_valid():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for path in sorted((ROOT / "scenarios").glob("*.yaml")):
            load_scenario(path)


# ------------------------------------------------------------------ validate NAME (bundled scenarios)
def test_validate_accepts_a_bundled_scenario_name(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./scenarios here: the packaged copy is found
    assert main(["validate", "reference_r1"]) == 0
    assert capsys.readouterr().out.startswith("ok: reference_r1 (")


def test_validate_explain_accepts_a_bundled_scenario_name(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "--explain", "reference_r1.yaml"]) == 0
    assert "cost_decline_x_per_year" in capsys.readouterr().out


def test_validate_unknown_name_lists_the_bundled_names(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "reference_r2"]) == 2
    err = capsys.readouterr().err
    assert "no such file, and no bundled scenario of that name" in err and "Did you mean 'reference_r1'?" in err


def test_params_accepts_a_bundled_scenario_name(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["params", "reference_r1"]) == 0
    assert "cost_decline_x_per_year" in capsys.readouterr().out


def test_scenario_error_type_unchanged():
    with pytest.raises(ScenarioError):
        scenario_from_text(RUN % "    scale: 2")


# ------------------------------------------------------------------ inputs the CLI used to drop silently
R1 = ROOT / "scenarios" / "reference_r1.yaml"


def test_set_that_adds_a_parameter_nothing_uses_is_refused(capsys):
    # a misspelt name ran reference_r1 unchanged
    assert main(["validate", str(R1), "--set", "params.cost_decline_x_per_year_x=3"]) == 2
    assert ("--set: params.cost_decline_x_per_year_x: adds a parameter that no model or formula uses, so it would "
            "change nothing; expected the name of a parameter the models read, got 'cost_decline_x_per_year_x' (str). "
            "Did you mean params.cost_decline_x_per_year?") in capsys.readouterr().err


def test_set_of_a_used_parameter_still_works():
    s = load_scenario(R1, ["params.cost_decline_x_per_year=3"])
    assert s.params["cost_decline_x_per_year"].value == 3.0


def test_run_years_outside_the_scenario_refused(capsys):
    assert main(["run", str(R1), "-n", "64", "--years", "2030,2040"]) == 2
    assert "--years: not a year of the scenario; expected years in 2025..2035, got 2040" in capsys.readouterr().err


def test_run_years_repeated_shown_once(capsys):
    assert main(["run", str(R1), "-n", "64", "--years", "2030,2030"]) in (0, 1)  # 1: a check fails at n=64
    table = capsys.readouterr().out.split("\nchecks:")[0]
    assert sum(" 2030 " in line for line in table.splitlines()) == 1


@pytest.mark.parametrize("seed", ["-1", str(2**64)])
def test_run_seed_out_of_range_is_a_clean_error(capsys, seed):
    assert main(["run", str(R1), "-n", "64", "--seed", seed]) == 2  # was a numpy traceback
    assert "--seed: out of range; expected 0 <= seed <= 9223372036854775807" in capsys.readouterr().err


@pytest.mark.parametrize(("override", "expected"), [
    ("checks[0].bloc=leader", "--set: checks[0].bloc: output 'effective_flop' has one value, not per bloc, so bloc: "
                              "would be ignored; expected no bloc:, got 'leader' (str)"),
    ("summary_years=[]", "--set: summary_years: must list years of the scenario (an empty list shows no summary"),
])
def test_check_and_summary_inputs_that_would_be_ignored_are_refused(capsys, override, expected):
    assert main(["validate", str(R1), "--set", override]) == 2
    assert expected in capsys.readouterr().err


def test_empty_outputs_without_checks_is_refused(capsys):
    assert main(["validate", str(R1), "--set", "outputs=[]", "--set", "checks=[]"]) == 2
    assert "--set: outputs: lists no output, so the run would compute nothing to show" in capsys.readouterr().err


def test_check_year_on_an_output_without_years_is_refused(capsys):
    essay = ROOT / "scenarios" / "export_controls_essay.yaml"
    check = "checks=[{claim: c, output: lead_at_crossing_years, year: 2030, stat: median, above: 0}]"
    assert main(["validate", str(essay), "--set", check]) == 2
    assert ("--set: checks[0].year: output 'lead_at_crossing_years' has one value for all years, so year: would "
            "be ignored; expected no year:, got 2030") in capsys.readouterr().err
