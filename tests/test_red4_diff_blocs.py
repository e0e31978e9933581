"""Red team 4: diff of scenarios with different bloc names said nothing about it.

Per-bloc rows are compared by position (leader first) and labelled with A's names; with B's
blocs named otherwise the output gave no hint that 'US' in the table was B's 'Leader'.
"""

from costsim.diff import diff
from costsim.scenario import scenario_from_text

TEXT = """\
schema_version: 1
name: {name}
years: {{start: 2024, stop: 2025}}
samples: 100
blocs: {blocs}
params:
  rate_x: {{dist: uniform, low: 1.0, high: 2.0, source: "test"}}
formulas:
  value_x: "rate_x * 2"
outputs: [value_x]
"""


def test_different_bloc_names_are_noted():
    a = scenario_from_text(TEXT.format(name="a", blocs="[US, China]"), "a.yaml")
    b = scenario_from_text(TEXT.format(name="b", blocs="[Leader, Follower]"), "b.yaml")
    res = diff(a, b)
    assert any("blocs differ (A US, China; B Leader, Follower)" in note for note in res.structure)


def test_same_blocs_add_no_note():
    a = scenario_from_text(TEXT.format(name="a", blocs="[US, China]"), "a.yaml")
    assert diff(a, overrides_b=("rate_x.high=3",)).structure == ()
