"""The printed table's quantiles without the rest of the statistics (issue 18: the race's summary).

``costsim run`` without ``-o`` prints each column's median and 90% interval. ``Results.summary_quantiles``
and ``fill_stats(quantiles=...)`` compute only those quantiles' values: they must be summary_stats'
(summary.csv's) numbers bit for bit, whatever was computed before, on both paths of the order
statistics (below and above SELECT_MIN_SAMPLES) and for awkward columns (ties, constants, infinities,
NaN); and the full statistics must then still be summary.csv's.
"""

from __future__ import annotations

import struct

import numpy as np
import pytest

from costsim.results import PRINTED_QUANTILES, SELECT_MIN_SAMPLES, SUMMARY_QUANTILES, Results


def _bits(values) -> list[bytes]:
    return [struct.pack("<d", float(v)) for v in values]


def _columns(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = 5
    lognormal = np.exp(rng.normal(size=(n, t, 2)) * 3.0)
    ties = np.round(rng.uniform(size=(n, t)) * 4.0)  # five values: quantiles fall on ties
    spiky = np.where(rng.uniform(size=(n, t)) < 0.2, np.inf, rng.normal(size=(n, t)))  # p95 is inf
    constant = np.full((n, t), 2.5)
    nan = rng.normal(size=(n, t))
    nan[:: 7, 1] = np.nan
    huge = rng.uniform(1.0, 1.7, size=(n, t)) * 1e308  # differences overflow: the safe formula
    return {"lognormal_usd": lognormal, "ties_x": ties, "spiky_x": spiky, "constant_x": constant,
            "nan_x": nan, "huge_x": huge}


def _results(n: int, seed: int) -> Results:
    cols = _columns(n, seed)
    axes = {k: ("year", "bloc") if v.ndim == 3 else ("year",) for k, v in cols.items()}
    return Results(np.arange(2025.0, 2030.0), {}, cols, axes, blocs=("A", "B"))


def _stats(res: Results, name, year, bloc) -> dict:
    with np.errstate(invalid="ignore", over="ignore"):  # the mean and sd of the inf and NaN columns
        return res.summary_stats(name, year, bloc)


def _keys(res: Results):
    for name in res.outputs:
        for year in res.years:
            for bloc in (res.blocs if "bloc" in res.axes_of(name) else [None]):
                yield name, float(year), bloc


@pytest.mark.parametrize("n", [2001, SELECT_MIN_SAMPLES + 4321])
@pytest.mark.parametrize("how", ["alone", "filled", "filled_one_column_at_a_time"])
def test_summary_quantiles_are_summary_stats_values_bit_for_bit(n, how):
    res, reference = _results(n, 11), _results(n, 11)
    if how == "filled":
        res.fill_stats(quantiles=PRINTED_QUANTILES)
    elif how == "filled_one_column_at_a_time":
        res.fill_stats(quantiles=PRINTED_QUANTILES, scratch_bytes=1)
    checked = 0
    for name, year, bloc in _keys(res):
        got = res.summary_quantiles(name, year, bloc, PRINTED_QUANTILES)
        stats = _stats(reference, name, year, bloc)
        want = [stats[f"p{round(q * 100):02d}"][0] for q in PRINTED_QUANTILES]
        assert _bits(got) == _bits(want), (name, year, bloc, got, want)
        checked += 1
    assert checked == 2 * 5 + 5 * 5  # one output with two blocs, five without, five years each


def test_filling_only_the_printed_quantiles_computes_nothing_else():
    res = _results(SELECT_MIN_SAMPLES + 10, 3)
    res.fill_stats(quantiles=PRINTED_QUANTILES)
    assert res.stats_cache == {}  # no mean, sd or other quantile was computed
    assert len(res.quantile_cache) == (2 * 5 + 5 * 5) * len(PRINTED_QUANTILES)


def test_full_statistics_after_the_quantiles_are_still_summary_csvs():
    res, reference = _results(SELECT_MIN_SAMPLES + 10, 5), _results(SELECT_MIN_SAMPLES + 10, 5)
    res.fill_stats(quantiles=PRINTED_QUANTILES)
    with np.errstate(invalid="ignore", over="ignore"):
        assert res.summary_csv() == reference.summary_csv()
    # and the quantiles read from the full statistics are the same values
    for name, year, bloc in _keys(res):
        assert _bits(res.summary_quantiles(name, year, bloc)) == \
            _bits(reference.summary_quantiles(name, year, bloc))


def test_any_summary_quantile_and_any_order_of_requests():
    res, reference = _results(5003, 8), _results(5003, 8)
    qs = (0.95, 0.10, 0.5)
    for name, year, bloc in _keys(res):
        got = res.summary_quantiles(name, year, bloc, qs)
        again = res.summary_quantiles(name, year, bloc, (0.10,))
        stats = _stats(reference, name, year, bloc)
        assert _bits(got) == _bits([stats[f"p{round(q * 100):02d}"][0] for q in qs])
        assert _bits(again) == _bits([stats["p10"][0]])
    assert set(SUMMARY_QUANTILES) >= set(qs)
