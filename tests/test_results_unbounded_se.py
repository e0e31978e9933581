"""The Monte Carlo error of a quantile the sample cannot bound is inf, not 0 (red-team 4: the 99.9th
percentile of 100 draws printed '+- 0 (MC se)', so a check on it was decided with no margin)."""

import math

import numpy as np

from costsim.cli import main
from costsim.results import quantiles_with_se


def test_an_extreme_quantile_of_a_small_sample_has_no_bounded_error():
    x = np.random.default_rng(3).standard_normal(100)
    values, se = quantiles_with_se(x, [0.001, 0.5, 0.999])
    assert math.isinf(se[0]) and math.isinf(se[2])  # the window runs past the first / last draw
    assert 0 < se[1] < 1  # the median's is bounded
    assert values[2] == np.quantile(x, 0.999)  # the estimate itself is unchanged


def test_the_sample_extremes_have_no_bounded_error():
    x = np.random.default_rng(4).standard_normal(1000)
    _, se = quantiles_with_se(x, [0.0, 1.0, 0.05, 0.95])
    assert math.isinf(se[0]) and math.isinf(se[1]) and np.isfinite(se[2:]).all()


def test_a_check_on_it_is_too_close_to_call(tmp_path, capsys):
    path = tmp_path / "q.yaml"
    path.write_text("""\
schema_version: 1
name: q
years: {start: 2025, stop: 2026}
samples: 100
params:
  x_usd: {dist: normal, mean: 0, sd: 1, source: "assumption: a test"}
formulas:
  y_usd: "x_usd * (year - 2025)"
checks:
  - {claim: "the top is below 10", output: y_usd, year: 2026, stat: q0.999, below: 10}
""", encoding="utf-8")
    rc = main(["run", str(path)])
    out = capsys.readouterr().out
    assert "+- inf (MC se)" in out and "cannot bound" in out and "run with more samples" in out, out
    assert rc == 0  # too close to call is not a failure (exit 1 is a failed check)


def test_a_constant_sample_keeps_an_exact_zero_error():
    """A constant output (every sample the same) has no Monte Carlo error at any quantile."""
    _, se = quantiles_with_se(np.full(20, 3.5), [0.0, 0.05, 0.5, 0.95, 1.0])
    np.testing.assert_array_equal(se, 0.0)
