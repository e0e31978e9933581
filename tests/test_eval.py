"""``costsim eval``: inline distributions, the formula grammar and messages, exit codes."""

from __future__ import annotations

import numpy as np
import pytest

from costsim.cli import main
from costsim.errors import ScenarioError
from costsim.inline import estimate, parse_inline, values


def _eval(capsys, *argv):
    code = main(["eval", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_rewrite_keeps_the_expression_as_written():
    formula, calls = parse_inline("lognormal_ci(4e7, 1e8) / uniform(3, 5) ** 2")
    assert formula == "inline_1_x / inline_2_x ** 2"
    assert [(c.kind, c.fields, c.text) for c in calls] == [
        ("lognormal_ci", {"low": 4e7, "high": 1e8}, "lognormal_ci(4e7, 1e8)"),
        ("uniform", {"low": 3, "high": 5}, "uniform(3, 5)")]


def test_non_ascii_text_does_not_shift_the_rewrite():
    formula, _ = parse_inline("where(1 > 0, uniform(1, 2), 0)  ")
    assert formula == "where(1 > 0, inline_1_x, 0)"
    with pytest.raises(ScenarioError, match="unknown name"):
        estimate("uniform(1, 2) + é_x", n=10)


def test_lognormal_ci_median_and_interval_match_the_closed_form():
    x = values(estimate("lognormal_ci(1, 100)", n=40_000, seed=2))
    assert np.median(x) == pytest.approx(10.0, rel=0.03)  # sqrt(1 * 100)
    lo, hi = np.quantile(x, [0.05, 0.95])
    assert lo == pytest.approx(1.0, rel=0.05) and hi == pytest.approx(100.0, rel=0.05)


def test_each_call_is_an_independent_draw():
    x = values(estimate("uniform(0, 1) - uniform(0, 1)", n=40_000, seed=3))
    assert np.std(x) == pytest.approx(np.sqrt(1 / 6), rel=0.02)  # 0 if both calls were one parameter


def test_formula_functions_work_on_inline_draws():
    x = values(estimate("where(uniform(0, 1) > 0.75, 1, 0) + 0 * to(1, 10)", n=40_000, seed=4))
    assert x.mean() == pytest.approx(0.25, abs=0.01)
    x = values(estimate("choice([1, 2, 3]) * lognormal_ci(1, 10, credibility=0.8)", n=1000, seed=4))
    assert x.shape == (1000,)


def test_prints_median_interval_mean_and_histogram(capsys):
    code, out, _ = _eval(capsys, "lognormal_ci(4e7, 1e8) / uniform(3, 5) ** 2", "-n", "5000", "--seed", "9")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "lognormal_ci(4e7, 1e8) / uniform(3, 5) ** 2   (n=5,000, seed=9, mc)"
    assert lines[1].startswith("  median") and lines[2].startswith("  90% interval  [")
    assert lines[3].startswith("  mean")
    assert sum("|" in line for line in lines) == 13  # 12 bins and the closing edge
    median = float(lines[1].split()[1])
    assert 3e6 < median < 5e6  # ~ sqrt(4e7 * 1e8) / 16


def test_same_seed_same_numbers(capsys):
    first = _eval(capsys, "normal(0, 1)", "--seed", "5")[1]
    assert _eval(capsys, "normal(0, 1)", "--seed", "5")[1] == first
    assert _eval(capsys, "normal(0, 1)", "--seed", "6")[1] != first


@pytest.mark.parametrize(("expr", "message"), [
    ("uniform(5, 3)", "eval: uniform(5, 3).high: must exceed low; expected > 5.0, got 3.0"),
    ("lognormal_cl(1, 2)", "Did you mean 'lognormal_ci'?"),
    ("uniform(1, x)", "uniform(1, x): argument high must be a number written out"),
    ("uniform(1, 2, 3)", "too many arguments for uniform; expected at most 2: low, high, got 3"),
    ("uniform(1, 2) + foo", "eval: unknown name; expected a distribution call such as uniform(1, 2), year or pi"),
    ("lognormal_ci(1, 10, credibilty=0.8)", "Did you mean 'credibility'?"),
    ("uniform(1, 2) // 2", "'//'"),  # the formula compiler's own message
    ("uniform(1, 2) +", "invalid expression"),
])
def test_errors_exit_2_with_one_clear_line(capsys, expr, message):
    code, out, err = _eval(capsys, expr)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err
    assert "inline_" not in err  # generated names never show


def test_non_finite_values_exit_3_naming_the_call(capsys):
    code, _, err = _eval(capsys, "log(uniform(-1, 1))", "-n", "1000")
    assert code == 3
    assert "not finite" in err and "uniform(-1, 1)=" in err and "inline_" not in err


def test_bad_sample_count_exits_2(capsys):
    assert _eval(capsys, "uniform(0, 1)", "-n", "0")[0] == 2
