"""Axes come from declarations, never from array shapes (issue 15.6)."""

import numpy as np
import pytest

from costsim import kernel
from costsim.engine import run
from costsim.plugins import load_plugin
from costsim.scenario import scenario_from_text

PLUGIN = '''\
import numpy as np

from costsim.registry import model


@model(outputs=("bloc_share_frac",), axes={"bloc_share_frac": ("bloc",)})
def axes_test_bloc_share(*, leader_share_frac):
    """Share of each bloc: the leader's and the rest, (n, B) for two blocs."""
    return {"bloc_share_frac": np.concatenate([leader_share_frac, 1.0 - leader_share_frac], axis=1)}
'''


@pytest.fixture(scope="module")
def plugin(tmp_path_factory):
    path = tmp_path_factory.mktemp("plugin") / "bloc_share.py"
    path.write_text(PLUGIN)
    load_plugin(path)
    return path


def _scenario(plugin, years: int):
    text = (f"years: {{start: 2025, stop: {2024 + years}}}\nblocs: [leader, follower]\nparams:\n"
            "  leader_share_frac: {dist: uniform, low: 0.6, high: 0.9}\n  growth_x_per_year: 2.0\n"
            "models:\n  - use: axes_test_bloc_share\n"
            "formulas:\n  doubled_frac: 'bloc_share_frac * 2'\n"
            "  grown_frac: 'bloc_share_frac * growth_x_per_year ** (year - 2025)'\n"
            "outputs: [bloc_share_frac, doubled_frac, grown_frac]\n")
    return scenario_from_text(text, "axes.yaml", plugins=[plugin])


@pytest.mark.parametrize("years", [1, 2, 3, 4])
def test_a_per_bloc_output_in_a_formula_is_labelled_by_bloc_whatever_the_number_of_years(plugin, years):
    # with two years and two blocs the old engine guessed the formula's (n, B) input as (n, T):
    # leader and follower came back labelled as the years 2025 and 2026
    res = run(_scenario(plugin, years), n=50, seed=3)
    assert res.axes_of("bloc_share_frac") == ("bloc",)
    assert res.axes_of("doubled_frac") == ("year", "bloc")
    assert res.outputs["doubled_frac"].shape == (50, years, 2)
    share = res.outputs["bloc_share_frac"]
    for t in range(years):
        np.testing.assert_allclose(res.outputs["doubled_frac"][:, t, :], 2 * share)
        np.testing.assert_allclose(res.outputs["grown_frac"][:, t, :], share * 2.0**t)
    leader = res.params["leader_share_frac"]
    np.testing.assert_allclose(res.at_year("doubled_frac", 2025, "follower"), 2 * (1 - leader))


def test_axes_are_known_before_anything_is_evaluated(plugin):
    scenario = _scenario(plugin, 2)
    assert kernel.output_axes(scenario) == {"bloc_share_frac": ("bloc",), "doubled_frac": ("year", "bloc"),
                                            "grown_frac": ("year", "bloc")}
    plain = scenario_from_text("years: {start: 2025, stop: 2026}\nparams:\n  a_x: 2.0\n"
                               "  b_x: {dist: uniform, low: 1, high: 2}\n"
                               "formulas:\n  c_x: 'a_x * b_x'\n  d_x: 'c_x * 2'\n")
    assert kernel.output_axes(plain) == {"c_x": ("year",), "d_x": ("year",)}
