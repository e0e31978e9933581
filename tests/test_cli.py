"""The command line: exit codes, messages without tracebacks, --set precedence, validate/models/schema."""

import json
import pathlib
import subprocess
import sys

import pytest

from costsim.cli import main

SCENARIOS = pathlib.Path(__file__).resolve().parents[1] / "scenarios"

FOUR_ERRORS = """\
name: four_errors
years: {start: 2025, stop: 2030}
params:
  cost_decline_x_per_year: {dist: lognormal_ci, low: 8, high: 2}
  hardware_gain_x_per_year: {dist: lognormal_ci, low: "1.25", high: 1.45}
  budget_growth_x_per_year: {dist: lognormal_cl, low: 2, high: 4}
  base_budget_usd: {dist: lognormal_ci, low: 5e7, high: 5e8}
  base_flop_per_usd: 2.5e+17
modles:
  - use: budget_physical_flop
"""

MODEL_ERROR = """\
years: {start: 2025, stop: 2026}
params:
  a_x: {dist: uniform, low: 0, high: 1}
formulas:
  b_x: "log(a_x - 0.5)"
"""


def _cli(*argv: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "costsim.cli", *map(str, argv)], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


@pytest.fixture
def tiny(tiny_scenario_file):
    return tiny_scenario_file


def test_run_ok_exit_0(tiny, capsys):
    assert main(["run", str(tiny), "-n", "100"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("tiny: n=100 seed=7 design=mc (")
    assert "effective [FLOP]  2025" in out


def test_failed_check_exit_1(tiny, tiny_scenario_text, capsys):
    tiny.write_text(tiny_scenario_text
                    + "checks:\n  - {claim: absurd, output: effective_flop, year: 2028, above: 1e50}\n")
    assert main(["run", str(tiny), "-n", "100"]) == 1
    out = capsys.readouterr().out
    assert "  FAIL  absurd\n        median(effective_flop 2028) >= 1e+50: measured " in out
    assert out.endswith("0 of 1 checks passed\n")


def test_four_errors_at_once_exit_2_without_traceback(tmp_path):
    path = tmp_path / "four.yaml"
    path.write_text(FOUR_ERRORS)
    proc = _cli("run", "four.yaml", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr == (
        "4 problems in four.yaml:\n"
        "four.yaml:4: params.cost_decline_x_per_year.high: must exceed low; expected > 8.0, got 2.0\n"
        "four.yaml:5: params.hardware_gain_x_per_year.low: must be a number; expected a finite number (write 5e25 or "
        "5.0e+25), got '1.25' (str)\n"
        "four.yaml:6: params.budget_growth_x_per_year.dist: unknown distribution; expected one of beta, choice, "
        "constant, lognormal, lognormal_ci, loguniform, normal, normal_ci, pert, triangular, uniform, got "
        "'lognormal_cl' (str). Did you mean 'lognormal_ci'?\n"
        "four.yaml:9: modles: unknown key; expected one of schema_version, name, description, extends, years, samples, "
        "seed, sampling, blocs, summary_years, params, correlations, models, formulas, outputs, checks, plots, sweeps, "
        "sensitivity, policy, data, as_of, strict_units, got 'modles' (str). Did you mean 'models'?\n")


@pytest.mark.parametrize("content", [
    "a: !!python/object/apply:os.system ['echo pwned']\n",
    "a: &a [*a]\n",
    b"\x00\x01\x02binary",
    "a: caf\xe9\n".encode("latin-1"),
])
def test_hostile_files_exit_2(tmp_path, capsys, content):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:1: ") and "pwned" not in capsys.readouterr().out


def test_model_error_exit_3(tmp_path, capsys):
    path = tmp_path / "me.yaml"
    path.write_text(MODEL_ERROR)
    assert main(["run", str(path), "-n", "100", "--seed", "1"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("model error: formulas.b_x -> b_x: ")
    assert "values are not finite (first: sample " in err and "inputs of that sample: a_x=" in err


def test_output_folder_problems_exit_2(tiny, tmp_path, capsys):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    assert main(["run", str(tiny), "-n", "10", "-o", str(tmp_path / "taken")]) == 2
    assert capsys.readouterr().err == (f"error: {tmp_path / 'taken'}: folder exists; expected a new folder, or --force "
                                       "to replace it (the old results stay intact until the new ones are complete)\n")


def test_set_beats_extends_beats_base(tmp_path, tiny_scenario_text, capsys):
    (tmp_path / "base.yaml").write_text(tiny_scenario_text.replace("seed: 7", "seed: 1"))
    (tmp_path / "child.yaml").write_text("extends: base.yaml\nseed: 2\n")
    for argv, seed in [(["run", str(tmp_path / "base.yaml")], 1), (["run", str(tmp_path / "child.yaml")], 2),
                       (["run", str(tmp_path / "child.yaml"), "--set", "seed=3"], 3),
                       (["run", str(tmp_path / "child.yaml"), "--set", "seed=3", "--seed", "4"], 4)]:
        assert main([*argv, "-n", "10"]) == 0
        assert f" seed={seed} " in capsys.readouterr().out


def test_validate_explain(capsys):
    assert main(["validate", "--explain", str(SCENARIOS / "reference_r1.yaml")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (f"ok: {SCENARIOS / 'reference_r1.yaml'} (5 params, 4 uncertain, 3 models/formulas, 1 outputs, "
                      "2 checks)")
    assert out[1] == ("  cost_decline_x_per_year   lognormal, 90% in [2, 8]  ->  median 4, 90% [2, 8], "
                      "1%..99% [1.501, 10.66] growth multiple per year")
    assert out[-1] == ("  base_flop_per_usd         constant 2.500e+17 FLOP/USD   "
                       "source: R1 spec: hardware FLOP per USD in 2025")


def test_validate_reports_every_file(tmp_path, tiny_scenario_text, capsys):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(tiny_scenario_text)
    bad.write_text(FOUR_ERRORS)
    assert main(["validate", str(good), str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out.startswith(f"ok: {good} (")
    assert captured.err.startswith(f"4 problems in {bad}:\n")


def test_models_lists_inputs_outputs_and_units(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    for name in ("budget_physical_flop", "decline_algorithmic_efficiency", "effective_flop_product"):
        assert f"\n{name}  [builtin]\n" in f"\n{out}"
    assert main(["models", "effective_flop_product"]) == 0
    assert capsys.readouterr().out == (
        "effective_flop_product  [builtin]\n"
        "    Effective compute: physical FLOP times the algorithmic efficiency multiplier.\n"
        "    in   physical_flop                    FLOP                       Physical training FLOP.\n"
        "    in   algorithmic_efficiency_x         multiple (dimensionless)   Compute-equivalent multiplier of "
        "algorithmic progress relative to the base year.\n"
        "    out  effective_flop                   FLOP                       (n, T)\n")
    assert main(["models", "efective_flop_product"]) == 2
    assert capsys.readouterr().err == "unknown model 'efective_flop_product'; did you mean 'effective_flop_product'?\n"


def test_schema_is_json_and_knows_every_key(capsys):
    from costsim.scenario import TOP_KEYS

    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["properties"]) == set(TOP_KEYS) and schema["additionalProperties"] is False


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    assert "Quick start:" in capsys.readouterr().out
