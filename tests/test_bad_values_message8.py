"""The first bad sample's inputs say how many values a row holds, not only its first six.

Before: `year=[2025.0, 2026.0, 2027.0, 2028.0, 2029.0, 2030.0]` for a 2025-2035 run: it read as
though the run ended in 2030.
"""

from __future__ import annotations

import pytest

from costsim.engine import run
from costsim.errors import ModelError
from costsim.scenario import scenario_from_text

TEXT = """
schema_version: 1
name: nanp
years: {start: 2025, stop: 2035}
samples: 100
seed: 1
params:
  a_x: {dist: uniform, low: -1, high: 1, source: "test"}
formulas:
  b_x: "log(a_x) + 0 * year"
"""


def test_a_long_input_row_is_shown_as_cut():
    with pytest.raises(ModelError) as err:
        run(scenario_from_text(TEXT), n=100)
    text = str(err.value)
    assert "year=[2025, 2026, 2027, 2028, 2029, 2030, ... (11 values)]" in text
    assert "a_x=-" in text  # a per-sample input: its one value
