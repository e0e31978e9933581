"""The JSON Schema and the validator agree (issue 14.10, 19.5): bundled files valid, each class of mistake not."""

import json
import pathlib

import pytest

from costsim.cli import main
from costsim.errors import ScenarioError
from costsim.scenario import TOP_KEYS, scenario_from_text
from costsim.schema import scenario_schema
from costsim.yamlio import load_yaml

jsonschema = pytest.importorskip("jsonschema")

ROOT = pathlib.Path(__file__).resolve().parents[1]
FILES = sorted([*(ROOT / "scenarios").glob("*.yaml"), *(ROOT / "examples").glob("*.yaml")])
VALIDATOR = jsonschema.Draft202012Validator(scenario_schema())

GOOD = """\
name: good
years: {start: 2025, stop: 2028}
params:
  a_x: {dist: uniform, low: 1, high: 2}
  b_x: {dist: lognormal_ci, low: 1, high: 4}
formulas:
  out_x: "a_x * b_x"
"""


def _data(text: str) -> dict:
    data, _ = load_yaml(text, "s.yaml")
    return data


def test_the_schema_is_itself_valid():
    jsonschema.Draft202012Validator.check_schema(scenario_schema())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_bundled_scenario_and_example_is_valid(path):
    errors = [e.message for e in VALIDATOR.iter_errors(_data(path.read_text(encoding="utf-8")))]
    assert not errors, errors


def test_the_good_file_is_valid_under_both():
    scenario_from_text(GOOD)
    assert not list(VALIDATOR.iter_errors(_data(GOOD)))


MISTAKES = {
    "unknown top key": GOOD + "modles: []\n",
    "missing years": GOOD.replace("years: {start: 2025, stop: 2028}\n", ""),
    "unknown distribution": GOOD.replace("dist: uniform", "dist: unifrom"),
    "field of another distribution": GOOD.replace("low: 1, high: 2}", "low: 1, high: 2, mode: 1.5}"),
    "text for a number": GOOD.replace("low: 1, high: 2", "low: '1', high: 2"),
    "unknown figure kind": GOOD + "plots: [{kind: fann, output: out_x}]\n",
    "bad plot file": GOOD + "plots: [{kind: fan, output: out_x, file: ../x}]\n",
    "unknown sensitivity method": GOOD + "sensitivity: {method: sobl}\n",
    "unknown sensitivity key": GOOD + "sensitivity: {n_bse: 10}\n",
    "policy preset not a name": GOOD + "policy: {preset: [1]}\n",
    "unknown policy preset": GOOD + "policy: {preset: strickt}\n",
    "bad sweep range": GOOD + "sweeps: {a_x.high: {low: 1, hihg: 3}}\n",
    "absolute extends": "extends: /etc/passwd\n" + GOOD,
    "bad sampling": GOOD + "sampling: sobolx\n",
    "correlation out of range": GOOD + "correlations: [[a_x, b_x, 1.5]]\n",
    "check without output": GOOD + "checks: [{claim: c, above: 1}]\n",
    "bad name": GOOD.replace("name: good", "name: 'a b'"),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_each_class_of_mistake_is_refused_by_both(mistake):
    text = MISTAKES[mistake]
    assert list(VALIDATOR.iter_errors(_data(text))), f"the schema accepts: {mistake}"
    with pytest.raises(ScenarioError):
        scenario_from_text(text, "s.yaml")


def test_schema_dash_o_writes_the_file(tmp_path, capsys):
    out = tmp_path / "costsim.schema.json"
    assert main(["schema", "-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == scenario_schema()
    assert "yaml-language-server: $schema=" in capsys.readouterr().out


def test_schema_help_shows_the_editor_line(capsys):
    with pytest.raises(SystemExit):
        main(["schema", "--help"])
    assert "# yaml-language-server: $schema=costsim.schema.json" in capsys.readouterr().out


@pytest.mark.parametrize("key", sorted(set(TOP_KEYS) - {"years", "params", "formulas", "name"}))
def test_the_schema_allows_a_null_key_exactly_where_the_validator_does(key):
    jsonschema = pytest.importorskip("jsonschema")
    text = ("name: t\nyears: {start: 2025, stop: 2027}\nparams:\n  a_usd: 1.0\nformulas:\n  b_usd: a_usd * 2\n"
            f"{key}: null\n")
    try:
        scenario_from_text(text)
        validator_ok = True
    except ScenarioError:
        validator_ok = False
    schema_ok = jsonschema.Draft202012Validator(scenario_schema()).is_valid(_data(text))
    assert schema_ok == validator_ok, f"{key}: null — validator {validator_ok}, schema {schema_ok}"
