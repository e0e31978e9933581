"""Unit suffixes: lookup, labels, and the error for a name without a unit."""

import pytest

from costsim.errors import RegistryError
from costsim.units import UNIT_SUFFIXES, label_of, suffix_of, unit_of


@pytest.mark.parametrize(("name", "unit"), [
    ("training_cost_usd", "USD"),
    ("price_usd_per_flop", "USD/FLOP"),          # longest suffix wins over _flop
    ("chip_peak_flop_per_s", "FLOP/s"),
    ("decline_x_per_year", "growth multiple per year"),
    ("depreciation_per_year", "1/year"),
    ("halving_time_years", "years (a duration)"),
    ("base_year", "calendar year"),
    ("year", "calendar year"),
])
def test_unit_of_reads_the_longest_suffix(name, unit):
    assert unit_of(name) == unit


def test_a_name_without_a_unit_is_refused_with_the_table():
    with pytest.raises(RegistryError) as err:
        unit_of("cost")
    assert str(err.value) == (
        "'cost' has no unit suffix; expected a name ending in one of "
        f"{', '.join(sorted(UNIT_SUFFIXES))}, got 'cost'")


def test_a_bare_suffix_is_not_a_name():
    assert suffix_of("usd") is None and suffix_of("_usd") is None


@pytest.mark.parametrize(("name", "label"), [
    ("training_cost_usd", "training cost [USD]"),
    ("follower_lag_years", "follower lag [years]"),
    ("on_trend_cheaper_x", "on trend cheaper [x]"),
    ("bloc_capability_score", "bloc capability score"),
    ("mfu_frac", "mfu [fraction]"),
])
def test_labels_are_words_then_a_short_unit(name, label):
    assert label_of(name) == label
