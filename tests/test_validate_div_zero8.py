"""A formula dividing by a constant zero is flagged at validation; the run decides whether it matters.

Found by red-team: ``per_x_usd: "a_usd / (1 - 1)"`` (or ``a_usd / 0``) validated without a word;
``costsim run`` then stopped with "1000 of 1000 values are not finite". Now validation warns,
naming the line, the path and the divisor; the divisor is folded like any constant part, with the
scenario's constant parameters, so ``a_usd / c_x`` with ``c_x: 0`` is flagged too, and a branch
that a constant condition discards (``a_usd / c_x if c_x > 0 else a_usd``) is a guard and is not.
A warning, not an error (review): an inf bounded by ``minimum()`` is a deliberate limit (a sweep
over a price that reaches 0 buys the cap), and such a scenario must still run.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costsim.engine import run
from costsim.errors import CostsimWarning, ModelError
from costsim.formulas import compile_formula, unit_mix_warnings
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


def _warnings(c: str, formula: str) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CostsimWarning)
        scenario_from_text(TEXT % (c, formula), "d.yaml")
    return [str(w.message) for w in caught if issubclass(w.category, CostsimWarning)]


@pytest.mark.parametrize("formula", ["a_usd / 0", "a_usd / (1 - 1)", "a_usd / 0.0", "a_usd / -0.0",
                                     "a_usd / (2 * 0)", "(a_usd + 1) / (3 - 3) * 2",
                                     "where(a_usd > 1.5, a_usd / 0, a_usd)"])
def test_a_division_by_a_constant_zero_is_flagged_naming_line_path_and_divisor(formula):
    [message] = [w for w in _warnings("1.0", formula) if "division by zero" in w]
    assert message.startswith("d.yaml:9: formulas.per_x_usd: division by zero")
    assert "/" in message


def test_a_constant_parameter_zero_as_divisor_is_flagged_and_named():
    [message] = [w for w in _warnings("0", "a_usd / c_x") if "division by zero" in w]
    assert "c_x = 0" in message


def test_an_inf_that_reaches_an_output_still_stops_the_run():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CostsimWarning)
        scenario = scenario_from_text(TEXT % ("1.0", "a_usd / 0"), "d.yaml")
    with pytest.raises(ModelError, match="not finite"):
        run(scenario, n=50)


def test_an_inf_that_minimum_bounds_is_a_limit_and_runs():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CostsimWarning)
        scenario = scenario_from_text(TEXT % ("0", "minimum(a_usd / c_x, 5)"), "d.yaml")
    assert (run(scenario, n=50).outputs["per_x_usd"] == 5).all()


def test_the_cli_validates_it_with_the_warning(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text(TEXT % ("1.0", "a_usd / (1 - 1)"), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "costsim.cli", "validate", str(path)], capture_output=True, text=True)
    assert out.returncode == 0
    assert f"{path}:9: formulas.per_x_usd: division by zero" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("c, formula", [("0", "a_usd / c_x if c_x > 0 else a_usd"),
                                        ("0", "where(c_x == 0, a_usd, a_usd / c_x)"),
                                        ("2.0", "a_usd / c_x"), ("1.0", "a_usd / (1 - 0.5)"),
                                        ("1.0", "0 / a_usd"), ("1.0", "a_usd / (a_usd - 0.5)")])
def test_divisions_that_are_not_by_a_constant_zero_are_not_flagged(c, formula):
    assert not [w for w in _warnings(c, formula) if "division by zero" in w]


@settings(max_examples=60, deadline=None)
@given(a=st.integers(-5, 5), b=st.integers(-5, 5), op=st.sampled_from(["-", "*", "+"]))
def test_flagged_exactly_when_the_divisor_folds_to_zero(a, b, op):
    divisor = {"-": a - b, "*": a * b, "+": a + b}[op]
    spec, issues = compile_formula("y_usd", f"x_usd / ({a} {op} {b})", path="p.yaml", line=1)
    assert issues == [] and spec is not None
    flagged = [w for w in unit_mix_warnings(spec) if "division by zero" in w.problem]
    assert bool(flagged) == (divisor == 0)
