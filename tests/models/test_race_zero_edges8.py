"""Inputs at which the race has no compute to compare are refused at validation, by name.

Red-team (round 4): a bloc power cap that falls to 0 (growth 0) retires the whole fleet since the
fleet is held at its power (2e5ccc6); a campus without power, a run share of 0 or chips whose
power efficiency never improves at all (0x a year) likewise leave a largest run of 0 FLOP, whose
log10 is -inf. Each validated and the run then failed in race_algorithms or race_gap (exit 3).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BASE = Path(__file__).parents[2] / "scenarios" / "export_controls_base.yaml"


@pytest.mark.parametrize("name", ["leader_power_x_per_year", "follower_power_x_per_year", "campus_power_cap_w",
                                  "campus_power_x_per_year", "power_efficiency_x_per_year",
                                  "leader_run_share_frac", "follower_run_share_frac"])
def test_a_zero_that_leaves_no_compute_is_refused_by_name(name):
    out = subprocess.run([sys.executable, "-m", "costsim.cli", "validate", str(BASE), "--set",
                          f"params.{name}={{dist: constant, value: 0}}"], capture_output=True, text=True)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert f"params.{name}: out of the model's domain" in out.stderr


def test_a_small_positive_value_still_runs():
    out = subprocess.run([sys.executable, "-m", "costsim.cli", "run", str(BASE), "-n", "300", "-q", "--set",
                          "params.leader_power_x_per_year={dist: constant, value: 0.5}"], capture_output=True,
                         text=True)
    assert out.returncode in (0, 1), out.stderr  # a falling cap: a run (its checks may fail), not an error
    assert "model error" not in out.stderr
