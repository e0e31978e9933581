"""The sweep table prints two axis values that differ as two labels.

Before: the values 1.0001 and 1.0002 were both printed "1" (4 significant digits), so the rows
could not be told apart.
"""

from __future__ import annotations

import subprocess
import sys

TEXT = """
schema_version: 1
name: sweep_t
years: {start: 2025, stop: 2027}
samples: 200
seed: 1
params:
  a_score: {dist: uniform, low: 0, high: 1, source: "test"}
  k_score: {value: 3.0, source: "test"}
formulas:
  y_score: "a_score + k_score + (year - 2025)"
outputs: [y_score]
"""


def _rows(tmp_path, values: str) -> list[str]:
    (tmp_path / "s.yaml").write_text(TEXT, encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "costsim.cli", "sweep", "s.yaml", "--over",
                          f"params.a_score.high={values}"], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    start = next(i for i, ln in enumerate(lines) if "a_score.high" in ln and "median" in ln)
    return [ln.split()[0] for ln in lines[start + 1:] if ln.strip()][:len(values.split(","))]


def test_values_close_together_get_distinct_labels(tmp_path):
    assert _rows(tmp_path, "1.0001,1.0002") == ["1.0001", "1.0002"]


def test_ordinary_values_keep_four_significant_digits(tmp_path):
    assert _rows(tmp_path, "0.5,2") == ["0.5", "2"]
