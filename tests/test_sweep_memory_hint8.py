"""A sweep refused for memory says what would help: fewer points when its result tables are the
problem, fewer samples when the samples are.

Before: a 1e6-point sweep at -n 10 was told "Use fewer samples (-n 1,846,891 fits)", more samples
than it had asked for, while only its result tables (5.7 GiB) did not fit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

R1 = Path(__file__).parents[1] / "scenarios" / "reference_r1.yaml"


def _sweep(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, COSTSIM_MAX_MEMORY_GB="1")
    return subprocess.run([sys.executable, "-m", "costsim.cli", "sweep", str(R1), *args], capture_output=True,
                          text=True, env=env)


def test_too_many_points_are_told_to_sweep_fewer_points():
    out = _sweep("--over", "params.cost_decline_x_per_year.high=3:9:1000",
                 "--over", "params.budget_growth_x_per_year.high=3:9:1000", "-n", "10", "--max-points", "1000000")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "sweep fewer points" in out.stderr and "Use fewer samples" not in out.stderr


def test_too_many_samples_are_still_told_to_use_fewer_samples():
    out = _sweep("--over", "params.cost_decline_x_per_year.high=3,9", "-n", "200000000")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "Use fewer samples" in out.stderr
