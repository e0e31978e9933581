"""Red team 4: a sweep range with a huge count was listed before the grid's size was checked.

``--over rate_x.high=2:8:100000000`` ran for minutes building 1e8 override texts (then the
10,000-point refusal); ``2:8:1e12`` ended in a numpy MemoryError traceback. A range is now
refused past MAX_AXIS_VALUES values, at once, naming the option or the sweeps: key.
"""

import time

import pytest

from costsim.cli import main
from costsim.errors import ScenarioError
from costsim.scenario import load_scenario
from costsim.sweep import parse_over

TEXT = """\
schema_version: 1
name: ax
years: {start: 2024, stop: 2025}
params:
  rate_x: {dist: uniform, low: 1.0, high: 2.0, source: "test"}
formulas:
  value_x: "rate_x * 2"
outputs: [value_x]
"""


@pytest.mark.parametrize("num", ["100000000", "1e12"])
def test_a_huge_range_is_refused_at_once(tmp_path, capsys, num):
    path = tmp_path / "ax.yaml"
    path.write_text(TEXT, encoding="utf-8")
    t0 = time.process_time()
    assert main(["sweep", str(path), "--over", f"rate_x.high=2:8:{num}", "-n", "10"]) == 2
    assert time.process_time() - t0 < 5  # was minutes (1e8) or a MemoryError (1e12)
    err = capsys.readouterr().err
    assert "too many values on one axis" in err and "Traceback" not in err


def test_a_huge_range_in_a_sweeps_block_is_refused(tmp_path):
    path = tmp_path / "ax.yaml"
    path.write_text(TEXT + "sweeps:\n  rate_x.high: {low: 2, high: 8, num: 100000000}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="too many values on one axis"):
        load_scenario(path)


def test_ranges_people_write_still_parse():
    assert parse_over("rate_x.high=2:8:4").values == (2, 4, 6, 8)
    assert len(parse_over("rate_x.high=2:8:1000").values) == 1000
