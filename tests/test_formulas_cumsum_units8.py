"""cumsum of a flow per year is its stock: no unit warning where none is due, one where it is.

Before: `total_usd: "cumsum(spend_usd_per_year)"` warned that the result is in USD/year (a false
alarm over yearly steps), while `total_usd_per_year: "cumsum(spend_usd_per_year)"` passed quietly.
"""

from __future__ import annotations

import warnings

import pytest

from costsim.errors import CostsimWarning
from costsim.scenario import scenario_from_text

TEXT = """
schema_version: 1
name: cum
years: {{start: 2025, stop: 2030}}
samples: 100
seed: 1
params:
  spend_usd_per_year: {{dist: uniform, low: 1.0e+9, high: 2.0e+9, source: "test"}}
  chips_made_chips_per_year: {{value: 1.0e+5, source: "test"}}
formulas:
  {name}: "{expr}"
"""


def _unit_warnings(name: str, expr: str) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CostsimWarning)
        scenario_from_text(TEXT.format(name=name, expr=expr))
    return [str(w.message) for w in caught if issubclass(w.category, CostsimWarning)]


@pytest.mark.parametrize("name, expr", [("total_usd", "cumsum(spend_usd_per_year)"),
                                        ("fleet_chips", "cumsum(chips_made_chips_per_year)")])
def test_a_flow_summed_over_the_years_is_its_stock(name, expr):
    assert _unit_warnings(name, expr) == []


def test_a_summed_flow_named_as_a_flow_is_warned_about():
    assert any("USD" in w for w in _unit_warnings("total_usd_per_year", "cumsum(spend_usd_per_year)"))
