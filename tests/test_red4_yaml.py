"""Red team 4: YAML 1.1's base-60 and leading-zero octal numbers became other numbers, silently.

``rate_x: 1:30`` ran as 90 (1 * 60 + 30), ``12:00`` as 720, ``017`` as 15: a ratio, a time or a
zero-padded number turned into another value with no word. They are now kept as the text
written, so the validator refuses them with file, line and the text; the forms people write
for numbers (2, 2.5, 1e25, 5.0e+25, 1_000, 0x10, .5, .inf refused as before) read as before.
"""

import pytest

from costsim.cli import main
from costsim.errors import ScenarioError
from costsim.scenario import scenario_from_text

TEXT = """\
schema_version: 1
name: y
years: {{start: 2024, stop: 2025}}
params:
  rate_x: {value}
formulas:
  value_x: "rate_x * 1"
outputs: [value_x]
"""


@pytest.mark.parametrize("written", ["1:30", "12:00", "-1:30", "1:30.5", "190:20:30", "017", "-017", "[1, 1:30]"])
def test_base_60_and_octal_are_refused_not_converted(written):
    text = TEXT.format(value=written if not written.startswith("[") else
                       "{dist: choice, values: " + written + ", source: s}")
    with pytest.raises(ScenarioError) as info:
        scenario_from_text(text, "y.yaml")
    assert "y.yaml:5" in str(info.value) and "params.rate_x" in str(info.value)


@pytest.mark.parametrize("written, value", [("2", 2.0), ("2.5", 2.5), ("1e25", 1e25), ("5.0e+25", 5e25),
                                            ("1_000", 1000.0), ("0x10", 16.0), (".5", 0.5), ("007.5", 7.5)])
def test_numbers_people_write_read_as_before(written, value):
    s = scenario_from_text(TEXT.format(value=written), "y.yaml")
    assert s.params["rate_x"].value == value


def test_set_of_a_time_is_refused_too(tmp_path, capsys):
    path = tmp_path / "y.yaml"
    path.write_text(TEXT.format(value="2"), encoding="utf-8")
    assert main(["run", str(path), "--set", "rate_x=1:30"]) == 2
    assert "'1:30'" in capsys.readouterr().err
