"""Distributions: field checks with exact messages, and inverse CDFs checked against scipy.stats."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from costsim.distributions import DISTRIBUTIONS, U_MAX, U_MIN, make_dist
from costsim.testing import FIELD_STRATEGIES

LINES = {"params.a_x": 3, "params.a_x.dist": 4, "params.a_x.low": 5, "params.a_x.high": 6}


def _issues(kind, fields):
    dist, issues = make_dist(kind, fields, "params.a_x", LINES)
    assert (dist is None) == bool(issues)
    return [i.render("s.yaml") for i in issues]


def _scipy(kind: str, f: dict):
    """The scipy.stats equivalent of a costsim distribution (None for choice/constant)."""
    if kind == "uniform":
        return stats.uniform(loc=f["low"], scale=f["high"] - f["low"])
    if kind == "loguniform":
        return stats.loguniform(f["low"], f["high"])
    if kind == "normal":
        return stats.norm(f["mean"], f["sd"])
    if kind == "lognormal":
        return stats.lognorm(s=f["sigma"], scale=math.exp(f["mu"]))
    z = stats.norm.ppf(0.5 + f.get("credibility", 0.9) / 2)
    if kind == "lognormal_ci":
        mu = 0.5 * (math.log(f["low"]) + math.log(f["high"]))
        return stats.lognorm(s=(math.log(f["high"]) - math.log(f["low"])) / (2 * z), scale=math.exp(mu))
    if kind == "normal_ci":
        return stats.norm(0.5 * (f["low"] + f["high"]), (f["high"] - f["low"]) / (2 * z))
    width = f.get("high", 1.0) - f.get("low", 0.0)
    if kind == "triangular":
        return stats.triang((f["mode"] - f["low"]) / width, loc=f["low"], scale=width)
    if kind == "pert":
        lamb = f.get("lamb", 4.0)
        a = 1 + lamb * (f["mode"] - f["low"]) / width
        b = 1 + lamb * (f["high"] - f["mode"]) / width
        return stats.beta(a, b, loc=f["low"], scale=width)
    if kind == "beta":
        return stats.beta(f["a"], f["b"], loc=f.get("low", 0.0), scale=width)
    return None


def _support(kind: str, f: dict) -> tuple[float, float]:
    if kind in ("uniform", "loguniform", "triangular", "pert") or kind == "beta":
        return f.get("low", 0.0), f.get("high", 1.0)
    if kind in ("lognormal", "lognormal_ci"):
        return 0.0, math.inf
    if kind == "choice":
        return min(f["values"]), max(f["values"])
    if kind == "constant":
        return f["value"], f["value"]
    return -math.inf, math.inf


def test_every_distribution_has_a_field_strategy():
    assert set(FIELD_STRATEGIES) == set(DISTRIBUTIONS)


any_dist = st.sampled_from(sorted(FIELD_STRATEGIES)).flatmap(
    lambda k: st.tuples(st.just(k), FIELD_STRATEGIES[k]()))
uniforms = st.lists(st.floats(U_MIN, U_MAX), min_size=1, max_size=50)


@settings(max_examples=300, deadline=None)
@given(spec=any_dist, u=uniforms)
def test_ppf_is_monotone_within_support_and_finite(spec, u):
    kind, fields = spec
    dist, issues = make_dist(kind, fields, "p", {})
    assert not issues
    u = np.sort(np.asarray(u + [U_MIN, U_MAX]))
    x = dist.ppf(u)
    assert x.shape == u.shape and np.isfinite(x).all()
    assert np.all(np.diff(x) >= -1e-12 * np.maximum(1.0, np.abs(x[1:])))
    lo, hi = _support(kind, dist.f)
    tol = 1e-9 * max(1.0, abs(lo) if math.isfinite(lo) else 1.0, abs(hi) if math.isfinite(hi) else 1.0)
    assert np.all(x >= lo - tol) and np.all(x <= hi + tol)


@settings(max_examples=300, deadline=None)
@given(spec=any_dist.filter(lambda s: s[0] not in ("choice", "constant")),
       u=st.lists(st.floats(1e-6, 1 - 1e-6), min_size=1, max_size=20))
def test_ppf_matches_scipy(spec, u):
    kind, fields = spec
    dist, _ = make_dist(kind, fields, "p", {})
    u = np.asarray(u)
    np.testing.assert_allclose(dist.ppf(u), _scipy(kind, dist.f).ppf(u), rtol=1e-7, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(fields=FIELD_STRATEGIES["choice"](), u=uniforms)
def test_choice_follows_its_weights(fields, u):
    dist, _ = make_dist("choice", fields, "p", {})
    values = np.asarray(fields["values"], dtype=float)
    w = np.asarray(fields.get("weights") or [1] * len(values), dtype=float)
    order = np.argsort(values, kind="stable")  # the quantile function runs over sorted values
    values, w = values[order], w[order]
    cum = np.cumsum(w / w.sum())
    x = dist.ppf(np.asarray(u))
    expected = values[np.minimum(np.searchsorted(cum, u, side="right"), len(values) - 1)]
    np.testing.assert_array_equal(x, expected)


def test_constant_ppf_is_its_value_in_any_shape():
    dist, _ = make_dist("constant", {"value": 2.5}, "p", {})
    assert dist.ppf(np.zeros((3, 2))).tolist() == [[2.5, 2.5]] * 3


def test_credibility_sets_the_interval():
    dist, _ = make_dist("lognormal_ci", {"low": 2, "high": 8, "credibility": 0.8}, "p", {})
    np.testing.assert_allclose(dist.ppf(np.array([0.1, 0.5, 0.9])), [2.0, 4.0, 8.0], rtol=1e-12)
    dist, _ = make_dist("normal_ci", {"low": -1, "high": 3}, "p", {})
    np.testing.assert_allclose(dist.ppf(np.array([0.05, 0.5, 0.95])), [-1.0, 1.0, 3.0], rtol=1e-12)


# ----------------------------------------------------------------------------- exact messages
def test_unknown_distribution_suggests_the_closest():
    assert _issues("unifrom", {}) == [
        "s.yaml:4: params.a_x.dist: unknown distribution; expected one of beta, choice, constant, lognormal, "
        "lognormal_ci, loguniform, normal, normal_ci, pert, triangular, uniform, got 'unifrom' (str). "
        "Did you mean 'uniform'?"]


def test_unknown_fields_that_are_not_text():
    # a flow mapping with a typo: {low: 2, high: 2,64389} has a key 64389 (an int)
    assert _issues("uniform", {"low": 2, "high": 2, 64389: None}) == [
        "s.yaml: params.a_x.64389: unknown field of a uniform distribution; expected one of high, low, got 64389"]


def test_missing_and_unknown_fields():
    assert _issues("uniform", {"low": 1}) == [
        "s.yaml:4: params.a_x.high: missing field of a uniform distribution; expected fields low, high, got None"]
    assert _issues("uniform", {"low": 1, "high": 2, "hgih": 3}) == [
        "s.yaml: params.a_x.hgih: unknown field of a uniform distribution; expected one of high, low, "
        "got 'hgih' (str). Did you mean 'high'?"]


@pytest.mark.parametrize("value, got", [
    ("1e3", "'1e3' (str)"), (True, "True (bool)"), (float("nan"), "nan"), (float("inf"), "inf"),
    (10**400, repr(10**400)[:77] + "..."), ([1], "[1]"),
])
def test_fields_must_be_finite_numbers(value, got):
    assert _issues("uniform", {"low": value, "high": 2}) == [
        f"s.yaml:5: params.a_x.low: must be a number; expected a finite number (write 5e25 or 5.0e+25), got {got}"]


def test_support_checks():
    assert _issues("uniform", {"low": 2, "high": 1}) == [
        "s.yaml:6: params.a_x.high: must exceed low; expected > 2.0, got 1.0"]
    assert _issues("lognormal_ci", {"low": -1, "high": 2}) == [
        "s.yaml:5: params.a_x.low: must be positive; expected > 0, got -1.0"]
    assert _issues("lognormal_ci", {"low": 1, "high": 2, "credibility": 1.5}) == [
        "s.yaml: params.a_x.credibility: must be a probability; expected 0 < credibility < 1, got 1.5"]
    assert _issues("normal_ci", {"low": 1, "high": 2, "credibility": 5e-324}) == [  # z would be 0
        "s.yaml: params.a_x.credibility: must be a probability; expected 0 < credibility < 1, got 5e-324"]
    assert _issues("triangular", {"low": 1, "mode": 5, "high": 3}) == [
        "s.yaml: params.a_x.mode: must lie between low and high; expected 1.0 <= mode <= 3.0, got 5.0"]
    assert _issues("beta", {"a": 0, "b": 1}) == ["s.yaml: params.a_x.a: must be positive; expected > 0, got 0.0"]
    assert _issues("choice", {"values": []}) == [
        "s.yaml: params.a_x.values: must be a non-empty list of numbers; expected [1, 2, 4], got []"]
    assert _issues("choice", {"values": [1, 2], "weights": [1]}) == [
        "s.yaml: params.a_x.weights: must be a list as long as values; expected 2 numbers, got [1]"]


@pytest.mark.parametrize("kind, fields, where", [
    ("lognormal", {"mu": 710, "sigma": 1}, "median"),
    ("lognormal", {"mu": 0, "sigma": 100}, "highest"),
    ("uniform", {"low": -1e308, "high": 1e308}, "lowest"),
    ("normal", {"mean": 0, "sd": 1e308}, "lowest"),
    ("loguniform", {"low": 1e-300, "high": 1e308}, None),  # fine: computed in log space
])
def test_distributions_reaching_beyond_float64_are_refused(kind, fields, where):
    issues = _issues(kind, fields)
    if where is None:
        assert issues == []
    else:
        assert len(issues) == 1 and issues[0].startswith(
            f"s.yaml:3: params.a_x: the {where} draw of this distribution is beyond float64's range; "
            "expected finite values at every draw (fields of smaller magnitude), got ")


def test_extreme_normal_quantiles_are_scipy_s():
    from scipy import special

    from costsim.distributions import Z_MAX, Z_MIN

    assert (Z_MIN, Z_MAX) == (float(special.ndtri(U_MIN)), float(special.ndtri(U_MAX)))


def test_validating_needs_no_scipy():
    import subprocess
    import sys

    cases = [("lognormal_ci", {"low": 1, "high": 9, "credibility": 0.8}), ("normal", {"mean": 0, "sd": 1}),
             ("pert", {"low": 0, "mode": 1, "high": 3}), ("beta", {"a": 2, "b": 3}), ("normal_ci", {"low": 1, "high": 2})]
    code = ("import sys\nfrom costsim.distributions import make_dist\n"
            f"for kind, f in {cases!r}:\n"
            "    assert make_dist(kind, f, 'p', {})[1] == []\n"
            "print('scipy' in sys.modules)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout == "False\n", proc.stderr
