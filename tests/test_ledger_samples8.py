"""`costsim claims -n N` runs N samples per scenario: asking for more samples settles more.

Before: each run used min(N, the scenario's samples:), so -n 50000 on a race claim still ran the
scenario's 2,000 and printed the same statistic and MC error as -n 4000; no record said its n.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from costsim.ledger import judge, load_ledger
from costsim.ledger.why import why
from costsim.scenario import load_scenario
from costsim.ledger.judge import scenario_path

CLAIM = "essay.bipolar_without_controls"  # export_controls_no_controls, samples: 2000


def _scenario_samples(claim_id: str) -> int:
    return load_scenario(scenario_path(load_ledger().get(claim_id).scenario)).samples


def test_an_explicit_n_above_the_scenarios_samples_is_run():
    own = _scenario_samples(CLAIM)
    more = 2 * own
    rec = judge([CLAIM], n=more)[0]
    assert rec["n"] == more
    base = judge([CLAIM])[0]
    assert base["n"] == min(own, load_ledger().samples)  # the default: the ledger's samples, at most
    assert rec["mc_se"] < base["mc_se"]  # more samples, a smaller Monte Carlo error


def test_why_runs_the_n_asked_for():
    own = _scenario_samples(CLAIM)
    assert why(CLAIM, n=own + 500, swing=False)["n"] == own + 500


@pytest.mark.parametrize("n", [1500, 2500])
def test_the_cli_prints_and_records_the_n_of_each_verdict(n):
    out = subprocess.run([sys.executable, "-m", "costsim.cli", "claims", CLAIM, "-n", str(n), "--json"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)[0]["n"] == n
    text = subprocess.run([sys.executable, "-m", "costsim.cli", "claims", CLAIM, "-n", str(n)],
                          capture_output=True, text=True)
    assert f"n={n:,}]" in text.stdout
