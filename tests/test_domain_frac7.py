"""A fraction fed to costsim's own models must lie in [0, 1] (the ``_frac`` suffix's meaning).

Found by red-team: ``--set policy.override.leak_frac=1.5`` validated and roughly tripled smuggling
while 7 of 8 checks still passed; ``leak_frac=-0.1`` validated, then the run failed.
"""

from __future__ import annotations

import pytest

from costsim.errors import ScenarioError
from costsim.scenario import load_scenario

BASE = "scenarios/export_controls_base.yaml"


@pytest.mark.parametrize("override", ["policy.override.leak_frac=1.5", "policy.override.leak_frac=-0.1",
                                      "params.package_yield_frac={dist: uniform, low: 0.5, high: 1.5}"])
def test_a_fraction_outside_0_1_is_refused_naming_the_input(override):
    with pytest.raises(ScenarioError) as err:
        load_scenario(BASE, [override])
    text = str(err.value)
    assert "out of the model's domain" in text and "0 <= value <= 1" in text


@pytest.mark.parametrize("override", ["policy.override.leak_frac=0.0", "policy.override.leak_frac=1.0",
                                      "params.leader_run_share_frac={dist: uniform, low: 0.01, high: 0.04}"])
def test_fractions_inside_are_accepted(override):
    assert load_scenario(BASE, [override]).name


def test_a_bloc_serving_nothing_is_refused_by_validate():
    """follower_serving_share_frac = 0 validated, then every sample's gap ratio was inf and the run failed."""
    with pytest.raises(ScenarioError, match="follower_serving_share_frac"):
        load_scenario(BASE, ["params.follower_serving_share_frac=0"])
