"""A check's ``year:``/``bloc:`` on a formula's output that has no such axis is refused at validation.

Found by red-team: ``total_usd: "a_usd + b_usd"`` (parameters only) with a check ``year: 2027``
validated and passed, judged on the one value the kernel broadcasts over the years; a ``bloc:
follower`` on it was printed as ``[follower]`` and judged on the only series there is. A model's
output without the axis was already refused; a formula's now follows the same rule, its axes read
from its inputs' (a parameter has none, ``year`` the year axis, a model's output its declared ones).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costsim.cli import main
from costsim.errors import ScenarioError
from costsim.scenario import load_scenario, scenario_from_text

HEAD = """\
schema_version: 1
name: axes
years: {start: 2025, stop: 2030}
samples: 200
params:
  a_usd: {dist: uniform, low: 1, high: 2}
  b_usd: 3.0
formulas:
  total_usd: "%s"
  twice_usd: "total_usd * 2"
checks:
  - {claim: "the check", output: %s, %s stat: median, between: [0, 1.0e+9]}
"""


def _text(formula: str, output: str = "total_usd", where: str = "year: 2027,") -> str:
    return HEAD % (formula, output, where)


def test_a_year_on_a_formula_of_parameters_only_is_refused_naming_line_path_expected_got():
    with pytest.raises(ScenarioError) as err:
        scenario_from_text(_text("a_usd + b_usd"), "f.yaml")
    [issue] = err.value.issues
    assert (issue.path, issue.line, issue.expected, issue.got) == ("checks[0].year", 12, "no year:", 2027)
    assert "same value in every year" in issue.problem and "total_usd" in issue.problem


def test_the_cli_refuses_it_with_exit_2(tmp_path, capsys):
    path = tmp_path / "f.yaml"
    path.write_text(_text("a_usd + b_usd"), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    assert f"{path}:12: checks[0].year" in capsys.readouterr().err


def test_a_formula_of_a_year_free_formula_is_year_free_too():
    with pytest.raises(ScenarioError) as err:
        scenario_from_text(_text("a_usd + b_usd", "twice_usd"), "f.yaml")
    assert [i.path for i in err.value.issues] == ["checks[0].year"]


def test_a_bloc_on_a_formula_without_a_bloc_input_is_refused():
    with pytest.raises(ScenarioError) as err:
        scenario_from_text(_text("a_usd * (year - 2024)", where="year: 2027, bloc: follower,"), "f.yaml")
    [issue] = err.value.issues
    assert (issue.path, issue.got) == ("checks[0].bloc", "follower")
    assert "one value for all blocs" in issue.problem


@pytest.mark.parametrize("formula", ["a_usd * (year - 2024)", "b_usd + year * 0.001"])
def test_a_year_on_a_formula_that_reads_year_is_accepted(formula):
    s = scenario_from_text(_text(formula, "twice_usd"), "f.yaml")
    assert s.checks[0].year == 2027


def test_a_year_and_bloc_on_a_formula_of_a_per_bloc_model_output_are_accepted():
    s = load_scenario("scenarios/export_controls_base.yaml", [
        'formulas={stock_k_h100e: "stock_h100e / 1000"}',
        'checks=[{claim: c, output: stock_k_h100e, year: 2030, bloc: China, stat: median, above: 0}]',
        "plots=null"])
    assert (s.checks[0].year, s.checks[0].bloc) == (2030, "China")


@settings(max_examples=40, deadline=None)
@given(reads=st.lists(st.sampled_from(["a_usd", "b_usd", "year"]), min_size=1, max_size=4),
       chained=st.booleans())
def test_year_is_refused_exactly_when_no_input_changes_with_the_year(reads, chained):
    formula = " + ".join(f"{r} * 1.0" if r != "year" else "(year - 2024) * 1.0" for r in reads)
    text = _text(formula, "twice_usd" if chained else "total_usd")
    if "year" in reads:
        assert scenario_from_text(text, "f.yaml").checks[0].year == 2027
    else:
        with pytest.raises(ScenarioError) as err:
            scenario_from_text(text, "f.yaml")
        assert [i.path for i in err.value.issues] == ["checks[0].year"]
