"""exp(), sin(), cos() and tanh() of a quantity with a unit warn: their argument must be a pure number.

(log, sqrt and the like of a quantity are usual, log10 of FLOP for one, and stay silent; so do the
growth idioms ``x_per_year ** years`` and ``exp(years * log(x_per_year))``.)
"""

from __future__ import annotations

import pytest

from costsim.formulas import compile_formula, unit_mix_warnings


def warnings_of(text, name="y_x"):
    spec, issues = compile_formula(name, text, path="s.yaml", line=3)
    assert issues == []
    return [w.render("s.yaml") for w in unit_mix_warnings(spec)]


@pytest.mark.parametrize("func", ["exp", "sin", "cos", "tanh"])
def test_a_function_of_a_pure_number_warns_on_a_quantity(func):
    assert warnings_of(f"{func}(a_usd)") == [
        f"s.yaml:3: formulas.y_x: {func}() of a quantity in USD; expected a dimensionless argument "
        f"(e.g. {func}(x / reference) or a rate times a duration), got '{func}(a_usd)'"]
    assert len(warnings_of(f"1 + {func}(b_flop)")) == 1


@pytest.mark.parametrize("text", [
    "exp(a_usd / b_usd)",  # a ratio of the same unit is a number
    "exp(util_frac)",
    "exp((year - 2025) * log(growth_x_per_year))",  # the growth idiom
    "growth_x_per_year ** (year - 2025)",
    "log10(a_flop) + sqrt(b_flop) * 0",
    "exp(2.0)",
])
def test_pure_numbers_and_usual_functions_of_quantities_do_not_warn(text):
    assert warnings_of(text) == []
