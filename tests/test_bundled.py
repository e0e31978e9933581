"""Smoke tests: every bundled scenario validates, runs at small n and passes its checks;
every example script runs."""

import pathlib
import subprocess
import sys

import pytest

from costsim.engine import run
from costsim.scenario import load_scenario

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
EXAMPLE_SCENARIOS = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS + EXAMPLE_SCENARIOS, ids=lambda p: p.name)
def test_scenario_validates_and_runs(path):
    scenario = load_scenario(path)
    n = 4096 if scenario.sampling == "sobol" else 3000
    results = run(scenario, n=n)
    assert set(results.outputs) == set(scenario.outputs)
    for name, arr in results.outputs.items():
        assert arr.shape[0] == n, name


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_bundled_scenario_checks_pass(path):
    scenario = load_scenario(path)
    results = run(scenario)  # the scenario's own n and seed: what `costsim run` reports
    failed = [f"{c.claim}: {c.description}, measured {c.value:.4g}" for c in results.checks if not c.passed]
    assert not failed, "\n".join(failed)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(path):
    proc = subprocess.run([sys.executable, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip(), "an example should print what it shows"
