"""Red team 4: YAML 1.1's base-60 and leading-zero octal numbers became other numbers, silently.

``rate_x: 1:30`` ran as 90 (1 * 60 + 30), ``12:00`` as 720, ``017`` as 15: a ratio, a time or a
zero-padded number turned into another value with no word. They are refused with file and line,
saying what YAML 1.1 reads them as; every other number form reads as PyYAML reads it (07 and 00
too: the same value either way).
"""

import pytest

from costsim.cli import main
from costsim.errors import ScenarioError
from costsim.scenario import scenario_from_text
from costsim.yamlio import load_yaml

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


@pytest.mark.parametrize("written, read_as", [("1:30", "90"), ("12:00", "720"), ("-1:30", "-90"),
                                              ("1:30.5", "90.5"), ("017", "15"), ("-017", "-15"),
                                              ("{dist: choice, values: [1, 1:30], source: s}", "90")])
def test_base_60_and_octal_are_refused_not_converted(written, read_as):
    with pytest.raises(ScenarioError) as info:
        scenario_from_text(TEXT.format(value=written), "y.yaml")
    text = str(info.value)
    assert "y.yaml:5" in text and "YAML 1.1" in text and f"read as {read_as}" in text


@pytest.mark.parametrize("written, value", [("2", 2.0), ("2.5", 2.5), ("1e25", 1e25), ("5.0e+25", 5e25),
                                            ("1_000", 1000.0), ("0x10", 16.0), (".5", 0.5), ("007.5", 7.5),
                                            ("07", 7.0), ("00", 0.0), ("'1:30'", None)])
def test_numbers_people_write_read_as_before(written, value):
    if value is None:  # quoted: text, refused by the validator as not a number (no silent 90)
        with pytest.raises(ScenarioError, match="'1:30'"):
            scenario_from_text(TEXT.format(value=written), "y.yaml")
        return
    s = scenario_from_text(TEXT.format(value=written), "y.yaml")
    assert s.params["rate_x"].value == value


def test_a_long_list_with_one_base_60_value_names_its_line():
    values = ", ".join(str(i + 1) for i in range(5000))
    with pytest.raises(ScenarioError, match="y.yaml:3"):
        load_yaml("a: 1\nb: 2\nc: [" + values + ", 2:15]\n", "y.yaml")


def test_set_of_a_time_is_refused_too(tmp_path, capsys):
    path = tmp_path / "y.yaml"
    path.write_text(TEXT.format(value="2"), encoding="utf-8")
    assert main(["run", str(path), "--set", "rate_x=1:30"]) == 2
    assert "base-60" in capsys.readouterr().err
    assert main(["run", str(path), "--set", "rate_x=017"]) == 2
    assert "octal" in capsys.readouterr().err
