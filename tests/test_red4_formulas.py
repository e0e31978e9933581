"""Red team 4: clip(x, lo, hi) with constant lo > hi made the formula one constant, silently.

numpy's clip returns hi everywhere when lo > hi: ``clip(rate_x, 5, 1)`` validated and ran as the
constant 1 (also with lo a constant parameter). Constant bounds in the wrong order are refused.
"""

import pytest

from costsim.cli import main
from costsim.errors import ScenarioError
from costsim.scenario import scenario_from_text

TEXT = """\
schema_version: 1
name: fo
years: {{start: 2024, stop: 2025}}
params:
  rate_x: {{dist: uniform, low: 1, high: 2, source: s}}
  floor_x: 5
formulas:
  out_x: "{formula}"
outputs: [out_x]
"""


@pytest.mark.parametrize("formula", ["clip(rate_x, 5, 1)", "clip(rate_x, floor_x, 1)", "clip(rate_x, 2 * 3, 1)"])
def test_clip_with_constant_bounds_in_the_wrong_order_is_refused(formula):
    with pytest.raises(ScenarioError) as info:
        scenario_from_text(TEXT.format(formula=formula), "fo.yaml")
    assert "fo.yaml:8" in str(info.value) and "clip() needs lo <= hi" in str(info.value)


@pytest.mark.parametrize("formula", ["clip(rate_x, 1, 5)", "clip(rate_x, 1.5, 1.5)", "clip(rate_x, 1, floor_x)"])
def test_clip_with_ordered_bounds_still_compiles(formula):
    scenario_from_text(TEXT.format(formula=formula), "fo.yaml")


def test_eval_refuses_it_too(capsys):
    assert main(["eval", "clip(uniform(1, 2), 5, 1)"]) == 2
    assert "lo <= hi" in capsys.readouterr().err
