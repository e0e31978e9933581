"""A check on a per-bloc output must say which bloc: without ``bloc:`` it was judged on the first.

Found by red-team: a check written about China's 2030 stock, without ``bloc:``, was accepted and
judged on the US median (7.2e7 against China's 7.0e6), silently. A check without ``year:`` on a
per-year output was already refused; ``bloc:`` now follows the same rule.
"""

from __future__ import annotations

import pytest

from costsim.errors import ScenarioError
from costsim.scenario import load_scenario

BASE = "scenarios/export_controls_base.yaml"
CHECK = 'checks=[{claim: "China stock 2030 median below 1e7", output: stock_h100e, year: 2030, stat: median, ' \
        'below: 1.0e+7%s}]'


def test_a_check_without_bloc_on_a_per_bloc_output_is_refused():
    with pytest.raises(ScenarioError) as err:
        load_scenario(BASE, [CHECK % ""])
    text = str(err.value)
    assert "checks[0].bloc" in text and "required" in text and "bloc axis" in text
    assert "US" in text and "China" in text  # the blocs it may name


def test_the_same_check_naming_its_bloc_is_accepted():
    s = load_scenario(BASE, [CHECK % ", bloc: China"])
    assert s.checks[0].bloc == "China"
