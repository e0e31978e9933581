"""A GDP ceiling share above 1 is refused at validation: it would let a bloc spend more than its GDP."""

from __future__ import annotations

from pathlib import Path

import pytest

from costsim.errors import ScenarioError
from costsim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.mark.parametrize("file, name", [
    ("export_controls_base.yaml", "leader_budget_ceiling_gdp_frac"),
    ("export_controls_base.yaml", "follower_budget_ceiling_gdp_frac"),
    ("baseline.yaml", "budget_ceiling_gdp_frac"),
])
def test_a_ceiling_share_above_one_is_out_of_the_models_domain(file, name):
    with pytest.raises(ScenarioError, match=rf"params\.{name}: out of the model's domain .* got 5"):
        load_scenario(SCENARIOS / file, [f"{name}=5"])
    load_scenario(SCENARIOS / file, [f"{name}=1"])  # the whole GDP is the largest ceiling allowed
