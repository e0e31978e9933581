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
