"""A one-column summary of a per-bloc output names its bloc: never silently the first one.

Before: ``summary_stats("stock_h100e", 2030)`` returned the US (first bloc) numbers with no
word, 10x China's; ``at_year(..., bloc=5)`` failed with numpy's IndexError and ``bloc=True`` gave bloc 1.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from costsim.engine import run

RACE = Path(__file__).parents[1] / "scenarios" / "export_controls_base.yaml"


@pytest.fixture(scope="module")
def race():
    return run(RACE, n=400)


@pytest.mark.parametrize("method", ["summary_stats", "summary_quantiles"])
def test_a_summary_of_a_per_bloc_output_needs_a_bloc(race, method):
    with pytest.raises(ValueError, match="bloc axis"):
        getattr(race, method)("stock_h100e", 2030)


def test_named_and_indexed_blocs_give_their_own_column(race):
    stock = race.at_year("stock_h100e", 2030)  # (n, B)
    for i, name in enumerate(race.blocs):
        p50_name = race.summary_stats("stock_h100e", 2030, name)["p50"][0]
        p50_index = race.summary_quantiles("stock_h100e", 2030, i, qs=(0.5,))[0]
        expected = float(np.quantile(stock[:, i], 0.5))
        assert p50_name == pytest.approx(expected, rel=1e-12)
        assert p50_index == pytest.approx(expected, rel=1e-12)
    assert race.summary_stats("stock_h100e", 2030, race.blocs[0])["p50"] != race.summary_stats(
        "stock_h100e", 2030, race.blocs[1])["p50"]


def test_a_negative_index_counts_from_the_end(race):
    assert race.bloc_index(-1) == len(race.blocs) - 1
    assert np.array_equal(race.at_year("stock_h100e", 2030, bloc=-1), race.at_year("stock_h100e", 2030, bloc=race.blocs[-1]))


@pytest.mark.parametrize("bad", [-3, 2, True, False, 1.0, "EU"])
def test_a_bloc_out_of_range_or_of_the_wrong_type_is_refused(race, bad):
    with pytest.raises(KeyError, match="bloc"):
        race.at_year("stock_h100e", 2030, bloc=bad)
    with pytest.raises(KeyError, match="bloc"):
        race.bloc_index(bad)


def test_an_output_without_a_bloc_axis_needs_no_bloc(race):
    assert set(race.summary_stats("follower_lag_years", 2030)) >= {"mean", "p50"}
