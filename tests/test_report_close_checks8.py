"""The report counts checks as `costsim run` does: a check too close to call has neither passed nor failed.

Before: the report counted a CLOSE check whose point estimate passed as passed ("5 of 5 passed",
"every check passing" for export_controls_timeline_2022_2025 at its 2,000 samples), and one whose
point estimate failed as failed (status FAIL, exit 1), where `costsim run` printed "1 too close to
call" and exited 0.
"""

from __future__ import annotations

import json
import subprocess
import sys

TEXT = """
schema_version: 1
name: close
years: {start: 2025, stop: 2025}
samples: 200
seed: 1
params:
  a_x: {dist: uniform, low: 0, high: 1, source: "test"}
formulas:
  b_x: "a_x * 1"
checks:
  - {claim: "at least a half", output: b_x, stat: mean, above: 0.5}
  - {claim: "below a half", output: b_x, stat: mean, below: 0.5}
  - {claim: "positive", output: b_x, stat: mean, above: 0}
"""


def _cli(tmp_path, *args):
    return subprocess.run([sys.executable, "-m", "costsim.cli", *args], capture_output=True, text=True, cwd=tmp_path)


def test_the_report_and_run_agree_on_close_checks(tmp_path):
    (tmp_path / "close.yaml").write_text(TEXT, encoding="utf-8")
    run = _cli(tmp_path, "run", "close.yaml", "-q")
    assert run.returncode == 0 and "1 of 3 checks passed; 2 too close to call" in run.stdout
    rep = _cli(tmp_path, "report", "close.yaml", "-o", "rep", "--no-ledger")
    assert rep.returncode == 0, rep.stdout + rep.stderr  # no decided check failed
    assert "checks: 1 of 3 passed, 2 too close to call" in rep.stdout
    md = (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    assert "Checks: 1 of 3 passed, 2 too close to call" in md
    assert "1 scenario: 0 ran with every check passing, 1 with no check failed but some too close to call" in md
    (section,) = json.loads((tmp_path / "rep" / "report.json").read_text(encoding="utf-8"))["scenarios"]
    assert section["checks"] == {"passed": 1, "close": 2, "total": 3}


def test_watch_and_the_notebook_count_close_checks_as_run_does(tmp_path):
    (tmp_path / "close.yaml").write_text(TEXT, encoding="utf-8")
    watch = _cli(tmp_path, "watch", "close.yaml", "-o", "w", "--no-serve", "--max-runs", "1")
    assert watch.returncode == 0, watch.stderr
    assert "checks: 1 of 3 passed, 2 too close to call" in watch.stdout and "FAIL" not in watch.stdout
    from costsim.engine import run
    from costsim.scenario import scenario_from_text

    results = run(scenario_from_text(TEXT), n=200)
    assert "checks: 1 of 3 passed, 2 too close to call" in repr(results)
    assert results._repr_html_().count("<td>CLOSE</td>") == 2
