"""A ``claim:``-cited parameter: the claim supplies defaults, what the scenario writes wins (issue 15.1)."""

import pathlib

import pytest


from costsim.cli import main
from costsim.errors import CostsimWarning
from costsim.scenario import load_scenario, scenario_from_text

ROOT = pathlib.Path(__file__).resolve().parents[1]
ON_TREND = ROOT / "scenarios" / "on_trend.yaml"


def test_set_high_on_a_claim_range_changes_the_distribution():
    plain = load_scenario(ON_TREND).params["lag_years"]
    edited = load_scenario(ON_TREND, ["params.lag_years.high=24"]).params["lag_years"]
    assert plain.dist.describe() == "uniform(0.75, 1)"
    assert edited.dist.describe() == "uniform(0.75, 24)"
    assert edited.from_claim == ("low",)
    assert plain.from_claim == ("low", "high")


def test_explain_names_the_fields_from_the_claim(capsys):
    assert main(["validate", "--explain", str(ON_TREND), "--set", "params.lag_years.high=24"]) == 0
    out = capsys.readouterr().out
    assert "lag_years" in out and "uniform(0.75, 24)" in out
    assert "from the claim: low; set in the scenario: high" in out


def test_low_and_high_written_in_the_file_take_effect(tmp_path):
    text = ON_TREND.read_text(encoding="utf-8").replace(
        "    scale: 0.08333333333333333\n", "    scale: 0.08333333333333333\n    low: 9\n    high: 24\n")
    path = tmp_path / "on_trend.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.warns(CostsimWarning, match=r"on_trend.yaml:\d+: params.lag_years.scale: has no effect"):
        param = load_scenario(path).params["lag_years"]
    assert param.dist.describe() == "uniform(9, 24)"  # as written, not scaled
    assert param.from_claim == ()


def test_set_value_on_a_constant_claim_wins():
    param = load_scenario(ON_TREND, ["params.effective_compute_gap_x.value=4"]).params["effective_compute_gap_x"]
    assert param.value == 4.0
    assert "set in the scenario: value" in param.source


def test_own_range_on_a_one_number_claim_is_a_distribution():
    text = """\
years: {start: 2025, stop: 2026}
params:
  gap_x: {claim: essay.scaling_curve_gap, dist: uniform, low: 1.5, high: 3}
formulas:
  out_x: "gap_x * 2"
"""
    param = scenario_from_text(text).params["gap_x"]
    assert param.dist.describe() == "uniform(1.5, 3)"


def test_a_sweep_over_a_claim_field_changes_the_answer():
    from costsim.sweep import sweep

    table = sweep(str(ON_TREND), ["lag_years.high=1,12,24"], n=256)
    medians = [float(x) for x in table.grid("on_trend_cheaper_x", "p50").ravel()]
    assert len(set(medians)) == 3 and medians == sorted(medians)  # a longer lag: more decline, cheaper


def test_the_run_manifest_says_which_fields_came_from_the_claim(tmp_path, capsys):
    import json

    out = tmp_path / "res"
    assert main(["run", str(ON_TREND), "-n", "64", "--set", "params.lag_years.high=24", "-o", str(out)]) in (0, 1)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    text = json.dumps(manifest)
    assert "from the claim: low; set in the scenario: high" in text
