"""A fan chart marks the samples that are a cap, not a measurement (``<stem>_capped_flag``).

The report's fan of follower_lag_years showed a median that followed the horizon's cap from 2033
on (17, 16, ... 10 years), and read as a lag that shrinks: the chart now draws the cap and marks
the years whose median sits on it.
"""

from __future__ import annotations

import numpy as np

from costsim.engine import run
from costsim.plots.fan import cap_flag_name, fan
from costsim.scenario import load_scenario


def test_the_flag_of_an_output_is_named_from_its_stem():
    assert cap_flag_name("follower_lag_years") == "follower_lag_capped_flag"


def test_the_cap_and_the_medians_on_it_are_drawn():
    r = run(load_scenario("scenarios/export_controls_essay.yaml"), n=2000, seed=2)
    ax = fan(r, "follower_lag_years")
    lines = {line.get_gid(): line for line in ax.lines}
    cap, marks = lines["cap"], lines["median_at_cap"]
    flags = r.outputs["follower_lag_capped_flag"] > 0.5
    lag = r.outputs["follower_lag_years"]
    on = flags.mean(axis=0) >= 0.5
    assert np.array_equal(marks.get_xdata(), r.years[on])
    assert np.allclose(marks.get_ydata(), np.median(lag, axis=0)[on])
    t = int(np.argmax(flags.any(axis=0)))  # the first year with a sample on the cap
    assert np.isclose(cap.get_ydata()[t], lag[flags[:, t], t].max())
    assert "cap" in " ".join(ax.get_legend_handles_labels()[1])


def test_without_the_flag_nothing_is_added():
    s = load_scenario("scenarios/export_controls_essay.yaml")
    r = run(s, n=500, seed=2, keep=("follower_lag_years",))
    ax = fan(r, "follower_lag_years")
    assert {line.get_gid() for line in ax.lines} == {None}


def test_a_cap_below_zero_is_drawn_below_zero():
    """Where the follower leads and is never overtaken the capped lag is negative (t - cap)."""
    r = run(load_scenario("scenarios/export_controls_essay.yaml"), n=400, seed=2)
    r.outputs["follower_lag_years"] = -np.asarray(r.outputs["follower_lag_years"])
    ax = fan(r, "follower_lag_years")
    caps = [line for line in ax.lines if line.get_gid() == "cap"]
    assert caps and all(np.nanmax(line.get_ydata()) < 0 for line in caps)
