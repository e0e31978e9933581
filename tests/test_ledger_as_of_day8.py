"""A claim's as_of excludes data of the claim's own day and keeps those of the day before, in
leap and common years alike (the same decimal years as the data's).

Before: as_of was day / 365.25 rounded to 4 decimals while the data's dates are day / (days in
that year): in a leap year, data published on the claim's own day were fitted as if earlier.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import example, given, settings
from hypothesis import strategies as st

from costsim.calibration.data import decimal_year
from costsim.ledger.judge import as_of_overrides

FITTED = {"params": {"growth_x_per_year": {"fit": {"data": "epoch_notable_models"}}}}


def _as_of(day: dt.date) -> float:
    (override,) = [o for o in as_of_overrides(FITTED, day.isoformat()) if o.startswith("as_of=")]
    return float(override.removeprefix("as_of="))


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=dt.date(2000, 1, 2), max_value=dt.date(2040, 12, 31)))
@example(dt.date(2024, 12, 30))  # a leap year's late day: 364 / 365.25 > 364 / 366
def test_the_claims_own_day_is_out_and_the_day_before_is_in(day):
    cut = _as_of(day)
    assert not decimal_year(day.isoformat()) < cut  # published that day: not before the claim
    assert decimal_year((day - dt.timedelta(days=1)).isoformat()) < cut  # the day before: before it
