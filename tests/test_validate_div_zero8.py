"""A formula dividing by a constant zero is refused at validation (it failed only after the run).

Found by red-team: ``per_x_usd: "a_usd / (1 - 1)"`` (or ``a_usd / 0``) validated; ``costsim run``
then stopped with "1000 of 1000 values are not finite". The divisor is folded like any constant
part, with the scenario's constant parameters, so ``a_usd / c_x`` with ``c_x: 0`` is refused too;
a branch that a constant condition discards (``a_usd / c_x if c_x > 0 else a_usd``) is a guard and
is accepted.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costsim.cli import main
from costsim.errors import ScenarioError
from costsim.formulas import compile_formula
from costsim.scenario import scenario_from_text

TEXT = """\
schema_version: 1
name: div
years: {start: 2025, stop: 2027}
samples: 100
params:
  a_usd: {dist: uniform, low: 1, high: 2}
  c_x: %s
formulas:
  per_x_usd: "%s"
"""


@pytest.mark.parametrize("formula", ["a_usd / 0", "a_usd / (1 - 1)", "a_usd / 0.0", "a_usd / -0.0",
                                     "a_usd / (2 * 0)", "(a_usd + 1) / (3 - 3) * 2",
                                     "where(a_usd > 1.5, a_usd / 0, a_usd)"])
def test_a_division_by_a_constant_zero_is_refused_naming_line_path_expected_got(formula):
    with pytest.raises(ScenarioError) as err:
        scenario_from_text(TEXT % ("1.0", formula), "d.yaml")
    [issue] = err.value.issues
    assert (issue.path, issue.line) == ("formulas.per_x_usd", 9)
    assert "division by zero" in issue.problem
    assert issue.expected == "a divisor that is not the constant 0"
    assert "/" in repr(issue.got)


def test_a_constant_parameter_zero_as_divisor_is_refused_and_named():
    with pytest.raises(ScenarioError) as err:
        scenario_from_text(TEXT % ("0", "a_usd / c_x"), "d.yaml")
    [issue] = err.value.issues  # only this: c_x is not also reported as unused
    assert "division by zero" in issue.problem and "c_x = 0" in issue.problem


def test_the_cli_refuses_it_with_exit_2_before_running(tmp_path, capsys):
    path = tmp_path / "d.yaml"
    path.write_text(TEXT % ("1.0", "a_usd / (1 - 1)"), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:9: formulas.per_x_usd: division by zero" in err and "Traceback" not in err


@pytest.mark.parametrize("c, formula", [("0", "a_usd / c_x if c_x > 0 else a_usd"),
                                        ("0", "where(c_x == 0, a_usd, a_usd / c_x)"),
                                        ("2.0", "a_usd / c_x"), ("1.0", "a_usd / (1 - 0.5)"),
                                        ("1.0", "0 / a_usd"), ("1.0", "a_usd / (a_usd - 0.5)")])
def test_divisions_that_are_not_by_a_constant_zero_are_accepted(c, formula):
    scenario_from_text(TEXT % (c, formula), "d.yaml")


@settings(max_examples=60, deadline=None)
@given(a=st.integers(-5, 5), b=st.integers(-5, 5), op=st.sampled_from(["-", "*", "+"]))
def test_refused_exactly_when_the_divisor_folds_to_zero(a, b, op):
    divisor = {"-": a - b, "*": a * b, "+": a + b}[op]
    spec, issues = compile_formula("y_usd", f"x_usd / ({a} {op} {b})", path="p.yaml", line=1)
    if divisor == 0:
        assert spec is None and "division by zero" in issues[0].problem
    else:
        assert issues == [] and spec is not None
