"""Red-team findings (round 2) fixed through public seams: one test per finding, each failing on the old code."""

from __future__ import annotations

import pathlib

import pytest

from costsim.cli import main
from costsim.engine import run
from costsim.scenario import scenario_from_text

from conftest import TINY_SCENARIO

SCENARIOS = pathlib.Path(__file__).resolve().parents[1] / "scenarios"

CHECK_NO_YEAR = TINY_SCENARIO + """\
checks:
  - claim: "physical FLOP is positive"
    output: physical_flop
    above: 1
"""


@pytest.fixture(scope="module")
def tiny_results():
    return run(scenario_from_text(TINY_SCENARIO), n=64)


# finding 1 -----------------------------------------------------------------------------------------
def test_probability_without_year_on_a_per_year_output_raises(tiny_results):
    with pytest.raises(ValueError, match="year axis"):
        tiny_results.probability("effective_flop > 1e29")
    with pytest.raises(ValueError, match="name a year"):
        tiny_results.probability("effective_flop", above=1e29)


def test_at_year_without_year_on_a_per_year_output_raises(tiny_results):
    with pytest.raises(ValueError, match="year axis"):
        tiny_results.at_year("effective_flop")
    # with the year it works, as before
    assert tiny_results.at_year("effective_flop", 2028).shape == (64,)
    assert tiny_results.probability("effective_flop[2028] > 0")[0] == 1.0


# finding 25 ----------------------------------------------------------------------------------------
def test_at_year_fractional_year_says_whole_year(tiny_results):
    with pytest.raises(KeyError, match="whole year"):
        tiny_results.at_year("effective_flop", 2026.5)


# finding 2 -----------------------------------------------------------------------------------------
def test_check_without_year_on_per_year_output_is_refused(tmp_path, capsys):
    path = tmp_path / "noyear.yaml"
    path.write_text(CHECK_NO_YEAR)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "checks[0].year" in err and "year axis" in err and "2025..2028" in err and "got None" in err


FORMULA_CHECK_NO_YEAR = """\
years: {start: 2025, stop: 2030}
params:
  a_usd: {dist: uniform, low: 1, high: 2}
formulas:
  b_usd: "a_usd * (year - 2024)"
outputs: [b_usd]
checks:
  - claim: "b positive"
    output: b_usd
    above: 0
"""


def test_check_without_year_on_a_formula_that_changes_with_the_year_exits_2(tmp_path, capsys):
    path = tmp_path / "formula_noyear.yaml"
    path.write_text(FORMULA_CHECK_NO_YEAR)
    assert main(["run", str(path), "-n", "50", "-q"]) == 2
    err = capsys.readouterr().err
    assert "checks[0].year" in err and "changes with the year" in err and "Traceback" not in err


def test_output_constant_in_time_needs_no_year():
    """No ambiguity, no error: a per-year output equal in every year gives the same answer at any year."""
    from costsim.results import Results
    import numpy as np

    years = np.arange(2025.0, 2029.0)
    const = Results(years, {}, {"x_usd": np.tile(np.arange(10.0)[:, None], (1, 4))}, {"x_usd": ("year",)})
    assert const.probability("x_usd >= 5") == const.probability("x_usd[2028] >= 5")


# findings 3, 14 (domains of the non-race models) -----------------------------------------------------
@pytest.mark.parametrize("override, path", [
    ("params.base_budget_usd=-1e8", "params.base_budget_usd"),
    ("params.budget_growth_x_per_year=-1.3", "params.budget_growth_x_per_year"),
    ("params.hardware_gain_x_per_year={dist: choice, values: [-1, 2]}", "params.hardware_gain_x_per_year"),
    ("params.base_flop_per_usd=-1", "params.base_flop_per_usd"),
])
def test_meaningless_negative_inputs_are_refused_at_validation(override, path, capsys):
    assert main(["validate", str(SCENARIOS / "reference_r1.yaml"), "--set", override]) == 2
    err = capsys.readouterr().err
    assert path in err and "domain" in err


def test_a_normal_growth_multiple_that_goes_negative_is_refused():
    text = TINY_SCENARIO.replace("budget_growth_x_per_year: {dist: lognormal_ci, low: 2, high: 4}",
                                 "budget_growth_x_per_year: {dist: normal, mean: 1.3, sd: 1}")
    from costsim.errors import ScenarioError
    with pytest.raises(ScenarioError, match=r"budget_growth_x_per_year.*domain"):
        scenario_from_text(text)


def test_every_bundled_scenario_still_validates_with_the_domains():
    from costsim.scenario import load_scenario
    for path in sorted(SCENARIOS.glob("*.yaml")) + sorted((SCENARIOS.parent / "examples").glob("*.yaml")):
        load_scenario(path)


# finding 10 ----------------------------------------------------------------------------------------
def test_a_check_too_close_to_call_prints_close_not_pass_or_fail(capsys):
    code = main(["run", str(SCENARIOS / "reference_r1.yaml"), "-n", "2", "-q"])
    out = capsys.readouterr().out
    assert "  CLOSE R1 closed form" in out
    assert "PASS" not in out and "FAIL" not in out
    assert "0 of 2 checks passed; 2 too close to call" in out
    assert code == 0  # documented: the exit code follows the decided checks only (none failed)


def test_at_n_1_a_check_cannot_be_judged(capsys):
    res = run(SCENARIOS / "reference_r1.yaml", n=1)
    median_check = res.checks[0]
    assert median_check.verdict == "CLOSE" and not median_check.conclusive
    main(["run", str(SCENARIOS / "reference_r1.yaml"), "-n", "1", "-q"])
    assert "cannot be judged at n=1" in capsys.readouterr().out


def test_decided_checks_keep_pass_and_fail(tmp_path, capsys):
    text = TINY_SCENARIO + """\
checks:
  - claim: "always true"
    output: physical_flop
    year: 2028
    above: 0
  - claim: "always false"
    output: physical_flop
    year: 2028
    below: 0
"""
    path = tmp_path / "decided.yaml"
    path.write_text(text)
    assert main(["run", str(path), "-n", "200", "-q"]) == 1
    out = capsys.readouterr().out
    assert "  PASS  always true" in out and "  FAIL  always false" in out and "1 of 2 checks passed\n" in out


# findings 6, 8 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("axis", ["seed=1,2", "samples=10,20"])
def test_sweep_over_seed_or_samples_is_refused(axis, capsys):
    assert main(["sweep", str(SCENARIOS / "reference_r1.yaml"), "--over", axis, "-n", "50"]) == 2
    assert "is not a sweep axis" in capsys.readouterr().err


def test_a_sweeps_block_over_seed_is_refused():
    from costsim.errors import ScenarioError
    with pytest.raises(ScenarioError, match="seed is not a sweep axis"):
        scenario_from_text(TINY_SCENARIO + "sweeps:\n  seed: [1, 2]\n")


@pytest.mark.parametrize("argv", [
    ["run", "--set", "policy.preset=strict", "-n", "50", "-q"],
    ["sweep", "--over", "policy.preset=strict,leaky", "-n", "50"],
])
def test_a_policy_on_a_scenario_without_a_race_model_is_refused(argv, capsys):
    assert main([argv[0], str(SCENARIOS / "reference_r1.yaml"), *argv[1:]]) == 2
    err = capsys.readouterr().err
    assert "policy.preset" in err and "no model of the scenario reads the policy parameters" in err


def test_a_policy_on_a_race_scenario_is_still_accepted():
    from costsim.scenario import load_scenario
    load_scenario(SCENARIOS / "export_controls_base.yaml", ["policy.preset=strict"])


# finding 13 ----------------------------------------------------------------------------------------
def test_a_formula_whose_constant_part_overflows_is_refused_at_validation(tmp_path, capsys):
    text = TINY_SCENARIO + 'formulas:\n  x_usd: "base_flop_per_usd ** 20"\n'
    path = tmp_path / "overflow.yaml"
    path.write_text(text)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "formulas.x_usd" in err and "constant part evaluates to inf" in err


def test_a_formula_over_constants_that_stays_finite_still_runs():
    text = TINY_SCENARIO + 'formulas:\n  x_usd: "base_flop_per_usd ** 2 * base_budget_usd"\n'
    res = run(scenario_from_text(text), n=16, keep=("x_usd",))
    assert res.at_year("x_usd", 2028).shape == (16,)


# small ones: 18, 21, 24, 30 ------------------------------------------------------------------------
def test_sensitivity_years_past_the_horizon_exit_2(capsys):
    assert main(["sensitivity", str(SCENARIOS / "reference_r1.yaml"), "--years", "2040"]) == 2
    err = capsys.readouterr().err
    assert "--years" in err and "2025..2035" in err and "2040" in err


def test_sensitivity_dash_n_points_at_n_base(capsys):
    assert main(["sensitivity", str(SCENARIOS / "reference_r1.yaml"), "-n", "3"]) == 2
    assert "--n-base" in capsys.readouterr().err


@pytest.mark.parametrize("text, value", [("1e5", 100000), ("100_000", 100000), ("2000", 2000), ("1.0e3", 1000)])
def test_counts_read_as_in_yaml(text, value):
    from costsim.commands.common import count
    assert count(text) == value


@pytest.mark.parametrize("argv", [["run", "-q"], ["sweep", "--over", "cost_decline_x_per_year.high=8"]])
def test_dash_n_accepts_1e2(argv, capsys):
    assert main([argv[0], str(SCENARIOS / "reference_r1.yaml"), *argv[1:], "-n", "1e2"]) in (0, 1)


def test_dash_n_refuses_a_fraction():
    with pytest.raises(SystemExit) as info:
        main(["run", str(SCENARIOS / "reference_r1.yaml"), "-n", "1.5"])
    assert info.value.code == 2


def test_run_header_keeps_whole_words(capsys):
    from costsim.scenario import load_scenario
    scenario = load_scenario(SCENARIOS / "deepseek_v3.yaml")
    assert len(" ".join(scenario.description.split())) > 200
    main(["run", str(SCENARIOS / "deepseek_v3.yaml"), "-n", "100"])
    header = capsys.readouterr().out.splitlines()[1].strip()
    assert header.endswith(" ...")
    words = " ".join(scenario.description.split()).split()
    shown = header[: -len(" ...")].split()
    assert shown == words[: len(shown)]  # every shown word whole, in order


def test_a_list_scenario_says_list_not_str(tmp_path, capsys):
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "got a list" in err and "(str)" not in err
