"""Less leakage and more enforcement lengthen the leader's lead at the crossing, where both crossings
are inside the horizon (the property test of test_compute_race compares the lead for these two
levers only on such rows, which some draws lack: this test always has them)."""

import numpy as np
import pytest
from race_fixtures import hand_race, race

YEAR = np.arange(2025.0, 2041.0)[None, :]


def _params(**changes):
    return hand_race(**{"leak_frac": 0.3, "enforcement_frac": 0.0, **changes})


@pytest.mark.parametrize("threshold_flop", [1e27, 3e27, 1e28])
@pytest.mark.parametrize(("lever", "values"), [("leak_frac", (0.3, 0.15, 0.0)), ("enforcement_frac", (0.0, 0.5, 0.9))])
def test_the_lead_at_the_crossing_grows_as_a_leakage_lever_tightens(threshold_flop, lever, values):
    leads = []
    for value in values:  # loosest first
        out = race(YEAR, _params(**{lever: value, "powerful_ai_threshold_flop": threshold_flop}))
        assert np.all(out["crossing_within_horizon_flag"] > 0)  # both crossings inside: not vacuous
        leads.append(float(out["lead_at_crossing_years"][0]))
    assert leads == sorted(leads) and leads[-1] > leads[0] + 0.3, leads
