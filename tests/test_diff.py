"""Paired comparison (issue 5): both scenarios on the same name-keyed draws; attribution of the change."""

import math
from pathlib import Path

import numpy as np
import pytest

from costsim.cli import main
from costsim.diff import RESIDUAL, diff
from costsim.errors import CostsimWarning, ScenarioError
from costsim.sampling import draw
from costsim.scenario import load_scenario

ROOT = Path(__file__).parents[1]
R1 = ROOT / "scenarios" / "reference_r1.yaml"
R1_FORMULAS = ROOT / "examples" / "reference_r1_formulas.yaml"
CHANGE = ("params.cost_decline_x_per_year.high=16", "params.base_budget_usd.low=1e8")


def test_differences_are_per_sample_and_attribution_is_exact_for_an_additive_model():
    res = diff(R1, n=5000, overrides_b=CHANGE)
    assert res.changed == {
        "cost_decline_x_per_year": "lognormal, 90% in [2, 8] -> lognormal, 90% in [2, 16]",
        "base_budget_usd": "lognormal, 90% in [5e+07, 5e+08] -> lognormal, 90% in [1e+08, 5e+08]"}
    assert res.structure == ()
    assert res.meta["paired_params"] == ["hardware_gain_x_per_year", "budget_growth_x_per_year"]
    # the exact per-sample answer from the draws: log10 eff = ... + k log10(decline) + log10(budget)
    a = load_scenario(R1)
    b = load_scenario(R1, CHANGE)
    va, _ = draw(a, 5000, 1)
    vb, _ = draw(b, 5000, 1)
    d_decline = np.log10(vb["cost_decline_x_per_year"]) - np.log10(va["cost_decline_x_per_year"])
    d_budget = np.log10(vb["base_budget_usd"]) - np.log10(va["base_budget_usd"])
    row = res.row("effective_flop", 2030)
    assert row["scale"] == "log10 ratio"
    total = 5 * d_decline + d_budget
    assert row["mean"] == pytest.approx(total.mean(), rel=1e-9)
    assert row["p50"] == pytest.approx(np.quantile(total, 0.5), rel=1e-9)
    assert row["p_b_above_a"] == pytest.approx(np.mean(total > 0))
    assert row["p_sign_flip"] == pytest.approx(np.mean(total < 0))
    parts = res.contributions("effective_flop", 2030)
    assert parts["cost_decline_x_per_year"] == pytest.approx(5 * d_decline.mean(), rel=1e-9)
    assert parts["base_budget_usd"] == pytest.approx(d_budget.mean(), rel=1e-9)
    assert parts[RESIDUAL] == 0.0
    assert res.contributions("effective_flop", 2025)["cost_decline_x_per_year"] == 0.0  # k = 0 in 2025


def test_identical_scenarios_differ_by_nothing():
    res = diff(R1, R1, n=1000)
    assert res.changed == {}
    assert res.attribution == ()
    for row in res.rows:
        assert row["mean"] == row["p05"] == row["p95"] == 0.0
        assert row["p_sign_flip"] == 0.0
        assert row["p_b_above_a"] == 0.0


def test_models_and_formulas_of_the_same_arithmetic_agree_sample_by_sample():
    res = diff(R1, R1_FORMULAS, n=2000, years=())
    assert res.structure == ("models or formulas differ",)
    assert len(res.rows) == 11
    assert max(abs(r[k]) for r in res.rows for k in ("p05", "p95")) < 1e-9


def test_sobol_design_with_different_names_is_not_paired():
    with pytest.warns(CostsimWarning, match=r"^the sobol design draws one sequence over all uncertain names"):
        diff(R1, n=256, design="sobol", overrides_b=("params.hardware_gain_x_per_year=1.3",))


def test_outputs_must_exist_in_both():
    with pytest.raises(ScenarioError) as err:
        diff(R1, n=10, outputs=("physical_flop_usd",))
    assert str(err.value).endswith("outputs: not an output of both scenarios; expected an output of A and of B, got "
                                   "'physical_flop_usd' (str)")


def test_cli_diff_reports_differences_and_attribution(tmp_path, capsys):
    target = tmp_path / "d.csv"
    argv = ["diff", str(R1), "-n", "4000", "--years", "2030", "--csv", str(target)]
    for assignment in CHANGE:
        argv += ["--set-b", assignment]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "2 parameters share their draws" in out
    assert "effective [FLOP], 2030: log10(B / A)" in out
    share = next(line for line in out.splitlines()
                 if line.strip().startswith("cost_decline_x_per_year") and line.endswith("%)"))
    assert 0.7 < float(share.split()[1]) < 0.8  # ~ 5 * log10(2) / 2 decades on average
    lines = target.read_text().splitlines()
    assert lines[0] == ("kind,output,scale,bloc,year,mean,sd,p05,p50,p95,p_b_above_a,p_sign_flip,param,"
                        "mean_contribution,share")
    assert [line.split(",")[0] for line in lines[1:]] == ["difference"] + ["attribution"] * 3
    assert math.isclose(sum(float(line.split(",")[-1]) for line in lines[2:]), 1.0, rel_tol=1e-9)
