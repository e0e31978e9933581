"""Options: one refused where it would be ignored, and each message names its option once.

Before: `costsim sensitivity --method tornado --estimator salib` ran a tornado and dropped the
estimator without a word (the other Sobol'-only options were refused); messages about an option
read `--name: --name: must be a plain name`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from costsim.errors import Issue, ScenarioError

R1 = Path(__file__).parents[1] / "scenarios" / "reference_r1.yaml"


def _cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "costsim.cli", *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("method", ["tornado", "morris"])
def test_the_sobol_estimator_is_refused_for_other_methods(method):
    out = _cli("sensitivity", str(R1), "--method", method, "--estimator", "salib")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "--estimator: is an option of --method sobol" in out.stderr


def test_an_options_issue_names_it_once(tmp_path):
    out = _cli("init", "--name", "a b", str(tmp_path / "x.yaml"))
    assert out.returncode == 2
    assert out.stderr.count("--name") == 1, out.stderr
    assert str(ScenarioError("--years", [Issue("--years", "must be comma-separated years", "2025,2030", "x")])) \
        .startswith("--years: must be")
    # a scenario file's issue keeps its file and its path
    assert str(ScenarioError("s.yaml", [Issue("params.a", "bad", "good", 1, line=3)])).startswith("s.yaml:3: params.a: bad")
