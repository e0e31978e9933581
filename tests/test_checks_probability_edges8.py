"""A probability check whose bound sits at an end of [0, 1] is decided by its other bound.

Before: P = 1 against `between: [0.99, 1]` (and P = 0 against `[0, 0.01]`) was CLOSE at every
sample count: the distance to the nearer bound, 1 itself, is 0, so no Monte Carlo error could
ever clear it, while the same claim written `below: 0.01` passed.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costsim.engine import run
from costsim.scenario import scenario_from_text

TEXT = """
schema_version: 1
name: edges
years: {{start: 2025, stop: 2025}}
samples: 2000
seed: 3
params:
  a_x: {{dist: uniform, low: 1, high: 3, source: "test"}}
formulas:
  b_x: "a_x * 2"
checks:
  - {{claim: "almost surely", output: b_x, probability_of: {{above: {t}}}, between: [{lo}, 1]}}
  - {{claim: "almost never", output: b_x, probability_of: {{below: {t}}}, between: [0, {hi}]}}
  - {{claim: "the same, one-sided", output: b_x, probability_of: {{below: {t}}}, below: {hi}}}
"""


def _checks(t: float, lo: float, hi: float, n: int = 2000):
    return run(scenario_from_text(TEXT.format(t=t, lo=lo, hi=hi)), n=n).checks


def test_a_certain_event_passes_against_a_band_ending_at_one():
    checks = _checks(1, 0.99, 0.01)  # b_x >= 2 in every sample
    assert [(c.passed, c.conclusive) for c in checks] == [(True, True)] * 3


@settings(max_examples=20, deadline=None)
@given(st.floats(0.5, 0.999), st.floats(0.001, 0.5))
def test_the_two_sided_band_decides_as_its_inner_bound_alone(lo, hi):
    # P(b >= 1) = 1, P(b < 1) = 0 exactly: the band's inner bound alone decides, like a one-sided check
    two_sided_low, two_sided_high, one_sided = _checks(1, lo, hi, n=500)
    assert two_sided_high.conclusive == one_sided.conclusive and two_sided_high.passed == one_sided.passed
    assert two_sided_low.passed and two_sided_low.conclusive == (1 - lo > 2 * two_sided_low.se)


def test_an_interior_bound_still_decides_closeness():
    # P(b >= 5) = 0.25 (b uniform on [2, 6]): against [0.24, 1] the lower bound is within 2 se at n=2000
    (close, _, _) = _checks(5, 0.24, 0.5)
    assert not close.conclusive and close.value == pytest.approx(0.25, abs=0.03)
