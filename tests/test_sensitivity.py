"""Sensitivity analysis (issue 5): Sobol' on analytic benchmarks, SALib agreement, Morris, tornado, CLI."""

import math
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import special

from costsim import sensitivity as sa
from costsim.cli import main
from costsim.errors import CostsimError, CostsimWarning, ScenarioError
from costsim.scenario import load_scenario, scenario_from_text

ROOT = Path(__file__).parents[1]
R1 = ROOT / "scenarios" / "reference_r1.yaml"
ISHIGAMI = ROOT / "examples" / "ishigami.yaml"
R1_NAMES = ("cost_decline_x_per_year", "hardware_gain_x_per_year", "budget_growth_x_per_year", "base_budget_usd")
# R1.md closed form: log10 effective FLOP is normal; variance shares at 2030 (k = 5)
R1_S1_2030 = {"cost_decline_x_per_year": 0.7351, "hardware_gain_x_per_year": 0.0,
              "budget_growth_x_per_year": 0.1838, "base_budget_usd": 0.0811}


def _log10_sd(low, high):
    return math.log10(high / low) / (2 * float(special.ndtri(0.95)))


def ishigami_indices(a=7.0, b=0.1):
    """Analytic first-order and total indices of the Ishigami function (Ishigami & Homma 1990)."""
    v = a**2 / 8 + b * math.pi**4 / 5 + b**2 * math.pi**8 / 18 + 0.5
    v1 = 0.5 * (1 + b * math.pi**4 / 5) ** 2
    v2 = a**2 / 8
    vt3 = 8 * b**2 * math.pi**8 / 225
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + vt3, v2, vt3]) / v


# ----------------------------------------------------------------------------------- Sobol'
def test_ishigami_sobol_indices_match_the_analytic_values():
    res = sa.sobol(load_scenario(ISHIGAMI), n_base=4096)
    s1, st = ishigami_indices()
    got = res.at("ishigami_index")
    assert res.params == ("x1_index", "x2_index", "x3_index")
    assert res.outputs["ishigami_index"].transform == "linear"
    np.testing.assert_allclose(got["S1"], s1, atol=0.03)
    np.testing.assert_allclose(got["ST"], st, atol=0.03)
    assert np.all(got["S1_conf"] > 0)
    assert np.all(got["S1_conf"] < 0.1)


def test_r1_first_order_indices_are_within_002_of_the_closed_form():
    res = sa.sobol(load_scenario(R1))  # default N_base: 2^14 for 100,000 samples and 4 parameters
    assert res.meta["n_base"] == 2**14
    assert res.meta["evaluations"] == 6 * 2**14
    assert res.outputs["effective_flop"].transform == "log10"
    at = res.at("effective_flop", 2030)
    for i, name in enumerate(res.params):
        assert abs(at["S1"][i] - R1_S1_2030[name]) < 0.02, name
        assert abs(at["ST"][i] - R1_S1_2030[name]) < 0.02, name  # additive in log10: ST = S1
    assert res.ranked("effective_flop", 2030)[0]["param"] == "cost_decline_x_per_year"
    assert res.outputs["effective_flop"].stats["S1"].shape == (4, 11)


def test_sobol_is_the_same_for_the_same_seed_and_changes_with_it():
    a = sa.sobol(R1, n_base=512, seed=3, num_resamples=20)
    b = sa.sobol(R1, n_base=512, seed=3, num_resamples=20)
    c = sa.sobol(R1, n_base=512, seed=4, num_resamples=20)
    for k in sa.STATS["sobol"]:
        np.testing.assert_array_equal(a.outputs["effective_flop"].stats[k], b.outputs["effective_flop"].stats[k])
    assert not np.array_equal(a.outputs["effective_flop"].stats["S1"], c.outputs["effective_flop"].stats["S1"])


def test_numpy_estimators_agree_with_salib_analyze_sobol_on_the_same_y():
    salib_sobol = pytest.importorskip("SALib.analyze.sobol")
    rng = np.random.default_rng(7)
    d, n = 3, 1024
    x_a, x_b = rng.uniform(-np.pi, np.pi, (n, d)), rng.uniform(-np.pi, np.pi, (n, d))

    def f(x):  # Ishigami plus an offset: standardisation matters
        return 40 + np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])

    y_a, y_b = f(x_a), f(x_b)
    y_ab = np.empty((d, n))
    for i in range(d):
        x = x_a.copy()
        x[:, i] = x_b[:, i]
        y_ab[i] = f(x)
    ours = sa.sobol_estimates(y_a, y_b, y_ab, num_resamples=50, seed=11)
    y = np.column_stack([y_a, *y_ab, y_b]).ravel()  # SALib's row layout: A, AB_1..AB_d, B
    problem = {"num_vars": d, "names": ["a", "b", "c"], "bounds": [[0, 1]] * d}
    theirs = salib_sobol.analyze(problem, y, calc_second_order=False, num_resamples=50, seed=11)
    for key in ("S1", "ST", "S1_conf", "ST_conf"):
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-9, atol=1e-12, err_msg=key)


def test_estimators_vectorise_over_columns_and_give_nan_for_a_constant_column():
    rng = np.random.default_rng(0)
    y_a, y_b, y_ab = rng.random((64, 1)), rng.random((64, 1)), rng.random((2, 64, 1))
    const = sa.sobol_estimates(np.ones((64, 1)), np.ones((64, 1)), np.ones((2, 64, 1)), num_resamples=10, seed=1)
    both = sa.sobol_estimates(np.hstack([y_a, np.ones((64, 1))]), np.hstack([y_b, np.ones((64, 1))]),
                              np.concatenate([y_ab, np.ones((2, 64, 1))], axis=2), num_resamples=10, seed=1)
    one = sa.sobol_estimates(y_a, y_b, y_ab, num_resamples=10, seed=1)
    assert np.all(np.isnan(const["S1"]))
    assert np.all(np.isnan(const["ST_conf"]))
    np.testing.assert_allclose(both["S1"][:, 0], one["S1"][:, 0])
    np.testing.assert_allclose(both["ST_conf"][:, 0], one["ST_conf"][:, 0])
    assert np.all(np.isnan(both["S1"][:, 1]))


def test_salib_estimator_option_gives_the_numpy_numbers():
    pytest.importorskip("SALib")
    ours = sa.sobol(R1, n_base=256, num_resamples=20)
    theirs = sa.sobol(R1, n_base=256, num_resamples=20, estimator="salib")
    for k in sa.STATS["sobol"]:
        np.testing.assert_allclose(ours.outputs["effective_flop"].stats[k], theirs.outputs["effective_flop"].stats[k],
                                   rtol=1e-9, atol=1e-12, err_msg=k)


def test_outputs_spanning_decades_are_analysed_in_log10_unless_asked_not_to():
    assert sa.sobol(R1, n_base=256, num_resamples=0).outputs["effective_flop"].transform == "log10"
    assert sa.sobol(R1, n_base=256, num_resamples=0, log10=False).outputs["effective_flop"].transform == "linear"


def test_mc_design_also_recovers_r1():
    at = sa.sobol(R1, n_base=2**14, design="mc", num_resamples=0).at("effective_flop", 2030)
    for i, name in enumerate(R1_NAMES):
        assert abs(at["S1"][i] - R1_S1_2030[name]) < 0.05, name


def test_correlated_inputs_warn_and_are_flagged():
    scen = load_scenario(R1, ["correlations=[[cost_decline_x_per_year, budget_growth_x_per_year, 0.5]]"])
    with pytest.warns(CostsimWarning, match=r"assume independent inputs, but the scenario correlates "
                                            r"cost_decline_x_per_year~budget_growth_x_per_year"):
        res = sa.sobol(scen, n_base=256, num_resamples=0)
    assert res.meta["correlated"] is True


def test_non_power_of_two_base_warns():
    with pytest.warns(CostsimWarning, match=r"^Sobol' design with n_base=300: a power of two \(e\.g\. 256\)"):
        sa.sobol(R1, n_base=300, num_resamples=0)


def test_a_scenario_without_uncertain_parameters_is_refused():
    scen = scenario_from_text("years: {start: 2025, stop: 2026}\nparams: {a_usd: 1.0}\n"
                              "formulas: {b_usd: 'a_usd * 2'}\n")
    with pytest.raises(ScenarioError) as err:
        sa.sobol(scen)
    assert str(err.value) == ("<string>: params: Sobol' analysis needs uncertain parameters; "
                              "expected at least one parameter with a dist:, got 0")


def test_sensitivity_block_is_checked():
    text = R1.read_text().replace("outputs: [effective_flop]", "outputs: [effective_flop]\nsensitivity:\n"
                                  "  n_bse: 1024\n  method: sobol")
    with pytest.raises(ScenarioError) as err:  # at validation, before any command reads the block
        scenario_from_text(text, source="r1.yaml", base_dir=R1.parent)
    line = text.splitlines().index("  n_bse: 1024") + 1
    assert str(err.value) == (f"r1.yaml:{line}: sensitivity.n_bse: unknown sensitivity key; expected method, outputs, "
                              "years, n_base, resamples, log10, trajectories, levels, quantiles, bounds, got 'n_bse' "
                              "(str). Did you mean 'n_base'?")


def test_sensitivity_block_sets_defaults():
    text = R1.read_text() + "\nsensitivity: {n_base: 512, resamples: 10}\n"
    res = sa.sobol(scenario_from_text(text, base_dir=R1.parent))
    assert res.meta["n_base"] == 512
    assert res.meta["num_resamples"] == 10


# ----------------------------------------------------------------------------------- Morris
def test_morris_on_r1_matches_the_closed_form_elementary_effect():
    pytest.importorskip("SALib")
    res = sa.morris(R1, trajectories=20, years=(2030,))
    at = res.at("effective_flop", 2030)
    # level k of 4 -> quantile (k + 1/2)/4; a step of 2 levels moves z by ndtri(5/8) - ndtri(1/8)
    # (= ndtri(7/8) - ndtri(3/8)), and SALib divides by delta = 4 / (2 * 3)
    dz = float(special.ndtri(5 / 8) - special.ndtri(1 / 8))
    expect = {"cost_decline_x_per_year": 5 * _log10_sd(2, 8), "budget_growth_x_per_year": 5 * _log10_sd(2, 4),
              "base_budget_usd": _log10_sd(5e7, 5e8), "hardware_gain_x_per_year": 0.0}
    for i, name in enumerate(res.params):
        assert at["mu_star"][i] == pytest.approx(expect[name] * dz / (2 / 3), abs=1e-9), name
        assert at["sigma"][i] == pytest.approx(0.0, abs=1e-9)
    assert np.all(np.isnan(res.at("effective_flop", 2025)["mu_star"]))  # years not asked for


def test_morris_says_what_is_missing_without_salib(monkeypatch):
    monkeypatch.setitem(sys.modules, "SALib", None)
    with pytest.raises(CostsimError) as err:
        sa.morris(R1)
    assert str(err.value) == ("Morris screening needs SALib, an optional extra; expected "
                              "`pip install 'costsim[sensitivity]'` (or `pip install SALib`)")


# ----------------------------------------------------------------------------------- tornado
def test_tornado_swings_of_r1_are_exact():
    res = sa.tornado(R1)
    at = res.at("effective_flop", 2030)
    swing = dict(zip(res.params, at["swing"], strict=True))
    assert swing["cost_decline_x_per_year"] == pytest.approx(5 * math.log10(8 / 2))
    assert swing["budget_growth_x_per_year"] == pytest.approx(5 * math.log10(4 / 2))
    assert swing["base_budget_usd"] == pytest.approx(1.0)
    assert swing["hardware_gain_x_per_year"] == pytest.approx(0.0, abs=1e-12)
    base = res.outputs["effective_flop"].base[list(res.years).index(2030)]
    assert base == pytest.approx(30.8649, abs=1e-3)  # R1.md: median of log10 effective FLOP in 2030
    assert [r["param"] for r in res.ranked("effective_flop", 2030)][:3] == [
        "cost_decline_x_per_year", "budget_growth_x_per_year", "base_budget_usd"]


def test_tornado_takes_bounds_also_for_a_constant():
    res = sa.tornado(R1, bounds={"base_flop_per_usd": (1e17, 1e18)}, quantiles=(0.25, 0.75))
    assert res.params[-1] == "base_flop_per_usd"
    np.testing.assert_allclose(res.outputs["effective_flop"].stats["swing"][-1], 1.0)
    assert res.meta["quantiles"] == [0.25, 0.75]


# ----------------------------------------------------------------------------------- CLI
def _block(text: str, header: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(header)
    out = []
    for line in lines[start + 2:]:
        if not line.startswith("  ") or line.startswith("  sum of"):
            break
        out.append(line)
    return out


def test_cli_sensitivity_of_r1_prints_2030_first_order_indices_near_the_closed_form(capsys):
    assert main(["sensitivity", str(R1)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("reference_r1: Sobol' indices, N_base=16,384 (98,304 evaluations, sobol design), seed 1")
    rows = _block(out, "log10 effective [FLOP], 2030")
    got = {line.split()[0]: float(line.split()[1]) for line in rows}
    assert set(got) == set(R1_S1_2030)
    for name, value in R1_S1_2030.items():
        assert abs(got[name] - value) < 0.02, name


def test_cli_tornado_and_csv(tmp_path, capsys):
    target = tmp_path / "t.csv"
    assert main(["sensitivity", str(R1), "--method", "tornado", "--years", "2030", "--csv", str(target)]) == 0
    out = capsys.readouterr().out
    assert "cost_decline_x_per_year" in out
    assert "3.01 decades" in out
    lines = target.read_text().splitlines()
    assert lines[0] == "method,output,transform,bloc,year,param,low_input,high_input,low,high,swing"
    assert len(lines) == 1 + 4
    assert main(["sensitivity", str(R1), "--method", "tornado", "--csv", str(target)]) == 2  # exists: refused
