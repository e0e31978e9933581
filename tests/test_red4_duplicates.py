"""Red team 4: an output or year named twice was analysed and printed twice.

``diff --output X --output X`` printed (and wrote to its CSV) every difference twice, ``sweep
--output X --output X`` doubled the table's rows, ``sensitivity --years 2025,2025`` printed the
indices twice (``run --years`` already showed a repeated year once).
"""

from costsim.cli import main

TEXT = """\
schema_version: 1
name: dup
years: {start: 2024, stop: 2026}
samples: 100
params:
  rate_x: {dist: uniform, low: 1.0, high: 2.0, source: "test"}
  other_x: {dist: uniform, low: 1.0, high: 2.0, source: "test"}
formulas:
  value_x: "rate_x * other_x"
outputs: [value_x]
"""


def _path(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text(TEXT, encoding="utf-8")
    return str(path)


def test_diff_output_named_twice_is_compared_once(tmp_path, capsys):
    csv = tmp_path / "d.csv"
    assert main(["diff", _path(tmp_path), "--set-b", "rate_x.high=3", "--output", "value_x", "--output", "value_x",
                 "--years", "2025", "--csv", str(csv)]) == 0
    assert capsys.readouterr().out.count("\nvalue [x], 2025") == 1
    assert sum(line.startswith("difference,") for line in csv.read_text(encoding="utf-8").splitlines()) == 1


def test_sweep_output_named_twice_is_summarised_once(tmp_path, capsys):
    csv = tmp_path / "s.csv"
    assert main(["sweep", _path(tmp_path), "--over", "rate_x.high=3,4", "--output", "value_x", "--output", "value_x",
                 "--years", "2025", "-o", str(csv)]) == 0
    assert len(csv.read_text(encoding="utf-8").splitlines()) == 1 + 2


def test_sensitivity_year_named_twice_is_shown_once(tmp_path, capsys):
    assert main(["sensitivity", _path(tmp_path), "--n-base", "64", "--years", "2025,2025"]) == 0
    assert capsys.readouterr().out.count("value [x], 2025") == 1
