"""Quantiles and their MC errors from exact order statistics, also on the fast path for large samples (issue 18).

`quantiles_with_se` used one partial sort with 28 ranks (about four full partitions: 41 ms a
column at 1e6); large samples now partially sort only a window of values around each wanted
rank. The numbers must be the partial sort's, bit for bit, whatever the data (ties, sorted,
constant, periodic data that fools a strided subsample, inf and nan).
"""

from __future__ import annotations

import numpy as np
import pytest

from costsim.results import SUMMARY_QUANTILES, quantiles_with_se

Z95 = 1.959963984540054


def _reference(x, qs):
    """The one-partial-sort computation (the code before the fast path)."""
    n = x.shape[0]
    qs = np.asarray(qs, dtype=float)
    h = (n - 1) * qs
    lo = np.floor(h).astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    half = Z95 * np.sqrt(n * qs * (1 - qs))
    raw_lo, raw_hi = np.floor(n * qs - half).astype(np.int64), np.ceil(n * qs + half).astype(np.int64)
    r_lo, r_hi = np.clip(raw_lo, 0, n - 1), np.clip(raw_hi, 0, n - 1)
    part = np.partition(x, np.unique(np.concatenate([lo, hi, r_lo, r_hi])))
    with np.errstate(over="ignore", invalid="ignore"):
        se = (part[r_hi] - part[r_lo]) / (2 * Z95)
    # an interval the sample cannot bound (past its first or last rank; q 0 and 1): inf
    se = np.where((raw_lo < 0) | (raw_hi > n - 1) | (qs <= 0) | (qs >= 1), np.inf, se)
    with np.errstate(over="ignore", invalid="ignore"):
        return part[lo] + (h - lo) * (part[hi] - part[lo]), se


def _samples(kind, n, rng):
    if kind == "lognormal":
        return np.exp(2.0 * rng.standard_normal(n))
    if kind == "ties":
        return np.round(rng.exponential(3.0, n))
    if kind == "sorted":
        return np.sort(rng.standard_normal(n))
    if kind == "reversed":
        return np.sort(rng.standard_normal(n))[::-1].copy()
    if kind == "constant":
        return np.full(n, 2.5)
    if kind == "periodic":  # every 16th value is huge: a strided subsample sees only those
        x = rng.random(n)
        x[::16] = 1e6 + rng.random(x[::16].shape[0])
        return x
    if kind == "two_values":
        return np.where(rng.random(n) < 0.3, -1.0, 7.0)
    if kind == "with_inf":
        x = rng.standard_normal(n)
        x[rng.integers(0, n, 50)] = np.inf
        x[rng.integers(0, n, 50)] = -np.inf
        return x
    if kind == "with_nan":
        x = rng.standard_normal(n)
        x[rng.integers(0, n, 30)] = np.nan
        return x
    raise ValueError(kind)


KINDS = ["lognormal", "ties", "sorted", "reversed", "constant", "periodic", "two_values", "with_inf", "with_nan"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n", [99_999, 100_000, 250_001])
def test_quantiles_are_the_partial_sorts_bit_for_bit(kind, n):
    rng = np.random.default_rng(n + len(kind))
    x = _samples(kind, n, rng)
    want_v, want_s = _reference(x, SUMMARY_QUANTILES)
    for overwrite in (False, True):
        got_v, got_s = quantiles_with_se(x.copy(), SUMMARY_QUANTILES, overwrite=overwrite)
        np.testing.assert_array_equal(got_v, want_v)
        np.testing.assert_array_equal(got_s, want_s)


def test_a_strided_column_is_not_modified_and_gives_the_same_numbers():
    rng = np.random.default_rng(5)
    table = np.exp(rng.standard_normal((200_000, 3)))
    before = table.copy()
    got = quantiles_with_se(table[:, 1], [0.01, 0.5, 0.99])
    want = _reference(np.ascontiguousarray(table[:, 1]), [0.01, 0.5, 0.99])
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    np.testing.assert_array_equal(table, before)


def test_extreme_quantiles_and_a_single_quantile():
    rng = np.random.default_rng(9)
    x = rng.standard_normal(300_000)
    for qs in ([0.0, 1.0], [1e-6, 1 - 1e-6], [0.5], [0.001, 0.002, 0.003]):
        got = quantiles_with_se(x, qs)
        want = _reference(x, qs)
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])
