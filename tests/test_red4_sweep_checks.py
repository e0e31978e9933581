"""Red team 4: sweep counted a check too close to call as passed (or failed) by its point estimate.

``costsim run`` says "0 of 1 checks passed; 1 too close to call" for a check whose Monte Carlo
error straddles its threshold; ``costsim sweep`` of the same scenario said "checks: 2 of 2
passed over all points", and never said which points failed.
"""

from costsim.cli import main
from costsim.sweep import sweep

TEXT = """\
schema_version: 1
name: sc
years: {start: 2024, stop: 2026}
samples: 1000
seed: 1
params:
  rate_x: {dist: uniform, low: 1.0, high: 2.0, source: "test"}
  k_x: {dist: constant, value: 2.0, source: "test"}
formulas:
  value_x: "rate_x ** (year - 2023) * k_x"
outputs: [value_x]
checks:
  - claim: "value 2025"
    output: value_x
    year: 2025
    stat: p95
    below: 7.6
"""


def _write(tmp_path):
    path = tmp_path / "sc.yaml"
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_a_close_check_is_close_in_the_sweep_as_in_run(tmp_path, capsys):
    path = _write(tmp_path)
    assert main(["run", str(path)]) == 0
    assert "1 too close to call" in capsys.readouterr().out
    assert main(["sweep", str(path), "--over", "k_x=2,2.0001"]) == 0
    out = capsys.readouterr().out
    assert "checks: 0 of 2 passed over all points; 2 too close to call" in out
    assert "CLOSE k_x=2.0001: value 2025" in out


def test_failed_points_are_named(tmp_path, capsys):
    assert main(["sweep", str(_write(tmp_path)), "--over", "k_x=1,100"]) == 0
    out = capsys.readouterr().out
    assert "checks: 1 of 2 passed over all points" in out
    assert "FAIL  k_x=100: value 2025" in out


def test_the_table_records_the_verdict_and_its_error(tmp_path):
    table = sweep(str(_write(tmp_path)), ["k_x=2,100"])
    assert [c["verdict"] for c in table.checks] == ["CLOSE", "FAIL"]
    assert all(c["se"] > 0 for c in table.checks)
