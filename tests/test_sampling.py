"""Sampling: seeds, name-keyed streams, chunking invariance, designs and the Gaussian copula."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from costsim import sampling
from costsim.distributions import U_MAX, U_MIN
from costsim.engine import run
from costsim.errors import CostsimWarning, ScenarioError
from costsim.sampling import draw, uniforms
from costsim.scenario import scenario_from_text

BASE = """\
years: {start: 2025, stop: 2027}
params:
  a_x: {dist: lognormal_ci, low: 1, high: 10}
  b_x: {dist: uniform, low: 0, high: 1}
  c_x: {dist: normal, mean: 5, sd: 1}
%s
formulas:
  d_x: "a_x * b_x + c_x"
"""


def _scenario(extra_params: str = "", correlations: str = "", sampling_design: str = "mc"):
    text = BASE % extra_params + correlations + f"sampling: {sampling_design}\n"
    return scenario_from_text(text, "s.yaml")


def test_same_seed_same_draws_and_other_seed_other_draws():
    s = _scenario()
    one, _ = draw(s, 100, 7)
    two, _ = draw(s, 100, 7)
    other, _ = draw(s, 100, 8)
    for name in one:
        np.testing.assert_array_equal(one[name], two[name])
        assert not np.array_equal(one[name], other[name])


@pytest.mark.parametrize("design", ["mc", "lhs"])
def test_adding_a_parameter_does_not_move_the_others(design):
    before, _ = draw(_scenario(sampling_design=design), 200, 3)
    after, _ = draw(_scenario("  z_x: {dist: uniform, low: 0, high: 9}", sampling_design=design), 200, 3)
    assert set(after) == set(before) | {"z_x"}
    for name in before:
        np.testing.assert_array_equal(before[name], after[name])


@settings(max_examples=20, deadline=None)
@given(names=st.lists(st.from_regex(r"\A[a-z]{1,6}_x\Z"), min_size=2, max_size=5, unique=True),
       seed=st.integers(0, 2**32))
def test_each_parameter_has_its_own_stream(names, seed):
    # order and company do not matter: a parameter's draws depend on the seed and its name only
    params = "\n".join(f"  {n}: {{dist: uniform, low: 0, high: 1}}" for n in names)
    text = f"years: {{start: 2025, stop: 2025}}\nparams:\n{params}\nformulas:\n  out_x: \"{names[-1]}\"\n"
    full, _ = draw(scenario_from_text(text, "s.yaml"), 50, seed)
    alone, _ = draw(scenario_from_text(text.replace(params, params.splitlines()[-1]), "s.yaml"), 50, seed)
    np.testing.assert_array_equal(full[names[-1]], alone[names[-1]])


def test_chunk_size_does_not_change_results(tiny_scenario_text):
    s = scenario_from_text(tiny_scenario_text, "tiny.yaml")
    small = run(s, n=1000, seed=5, chunk_size=7)
    big = run(s, n=1000, seed=5, chunk_size=1000)
    assert small.outputs.keys() == big.outputs.keys()
    for name in small.outputs:
        np.testing.assert_array_equal(small.outputs[name], big.outputs[name])
    assert small.summary_csv() == big.summary_csv()


def test_lhs_puts_one_draw_in_each_stratum():
    u = uniforms(_scenario(sampling_design="lhs"), 500, 11)
    for draws in u.values():
        assert sorted(np.floor(draws * 500).astype(int)) == list(range(500))


def test_sobol_warns_when_n_is_not_a_power_of_two():
    s = _scenario(sampling_design="sobol")
    with pytest.warns(CostsimWarning, match="sobol sampling with n=100: a power of two"):
        uniforms(s, 100, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        u = uniforms(s, 128, 1)
    assert all(0 < x.min() and x.max() < 1 for x in u.values())


@pytest.mark.parametrize("design", ["mc", "lhs", "sobol"])
def test_draws_stay_inside_the_open_unit_interval(design, monkeypatch):
    class Top:  # a generator whose draws are all the largest float64 below 1
        def random(self, n):
            return np.full(n, U_MAX)

        def permutation(self, n):
            return np.full(n, n - 1)

    monkeypatch.setattr(sampling, "param_rng", lambda seed, name: Top())
    s = _scenario(sampling_design=design)
    u = uniforms(s, 8, 0)
    for draws in u.values():
        assert np.all(draws >= U_MIN) and np.all(draws <= U_MAX) and np.all(draws < 1.0)
    values, _ = draw(s, 8, 0)
    assert all(np.isfinite(x).all() for x in values.values())


def test_u_max_is_needed():
    # U_MAX + U_MIN rounds to 1.0 (half to even), which would make normal draws infinite
    assert U_MAX + U_MIN == 1.0


@settings(max_examples=6, deadline=None)
@given(rho=st.floats(-0.9, 0.9))
def test_copula_gives_the_requested_rank_correlation(rho):
    s = _scenario(correlations=f"correlations:\n  - [a_x, c_x, {rho!r}]\n")
    values, _ = draw(s, 20_000, 2)
    got = stats.spearmanr(values["a_x"], values["c_x"]).statistic
    assert abs(got - rho) < 0.03
    assert abs(stats.spearmanr(values["a_x"], values["b_x"]).statistic) < 0.03


def test_copula_keeps_the_marginals():
    s = _scenario(correlations="correlations:\n  - [a_x, b_x, 0.7]\n")
    values, _ = draw(s, 20_000, 4)
    assert stats.kstest(values["b_x"], "uniform").pvalue > 0.001
    assert abs(np.median(values["a_x"]) - np.sqrt(10)) < 0.1


def test_consistent_correlations_are_accepted():
    s = _scenario(correlations="correlations:\n  - [a_x, b_x, 0.9]\n  - [b_x, c_x, 0.9]\n  - [a_x, c_x, 0.9]\n")
    values, _ = draw(s, 2000, 1)
    assert stats.spearmanr(values["a_x"], values["c_x"]).statistic > 0.8


def test_impossible_correlations_name_the_pair():
    with pytest.raises(ScenarioError) as info:  # refused when the scenario is validated, before any draw
        _scenario(correlations="correlations:\n  - [a_x, b_x, 0.9]\n  - [b_x, c_x, 0.9]\n  - [a_x, c_x, -0.9]\n")
    assert str(info.value) == (
        "s.yaml:12: correlations[2]: correlation of a_x and c_x makes the matrix not positive definite; expected a "
        "consistent set of correlations, got -0.9. Given a_x~b_x 0.9, b_x~c_x 0.9, this value is impossible; weaken "
        "it or one of the others.")


def test_min_and_max_clip_and_count():
    text = (BASE % "  e_x: {dist: normal, mean: 0, sd: 1, min: -1, max: 1}").replace('"a_x * b_x + c_x"', '"e_x"')
    s = scenario_from_text(text, "s.yaml")
    values, clipped = draw(s, 10_000, 9)
    assert values["e_x"].min() == -1 and values["e_x"].max() == 1
    outside = int(np.count_nonzero(np.abs(s.params["e_x"].dist.ppf(uniforms(s, 10_000, 9)["e_x"])) > 1))
    assert clipped == {"e_x": outside} and 2800 < outside < 3600  # P(|Z| > 1) = 0.317
