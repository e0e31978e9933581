"""Long lists of numbers read exactly as PyYAML's own resolvers would read them (their speed: benchmarks/bench_yaml.py)."""

import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from costsim.errors import ScenarioError
from costsim.yamlio import load_yaml


class _Reference(yaml.SafeLoader):
    """PyYAML's SafeLoader with the two rules costsim documents: 1e25 is a float, yes/no are text."""


_Reference.add_implicit_resolver("tag:yaml.org,2002:float",
                                 re.compile(r"^[-+]?(?:\d[\d_]*)?(?:\.\d*)?[eE][-+]?\d+$"), list("-+0123456789."))
for _first, _resolvers in list(_Reference.yaml_implicit_resolvers.items()):
    _Reference.yaml_implicit_resolvers[_first] = [(t, r) for t, r in _resolvers if t != "tag:yaml.org,2002:bool"]
_Reference.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                 list("tTfF"))

number_like = st.text(alphabet="0123456789+-.eE_x:", min_size=1, max_size=9)


@settings(max_examples=400, deadline=None)
@given(words=st.lists(number_like, min_size=1, max_size=6))
def test_plain_numbers_read_as_pyyaml_reads_them(words):
    text = "a: [" + ", ".join(words) + "]\nb:\n" + "".join(f"  - {w}\n" for w in words) + \
        "".join(f"c{i}: {w}\n" for i, w in enumerate(words))
    try:
        expected = yaml.load(text, Loader=_Reference)
    except (yaml.YAMLError, ValueError):
        return  # not YAML costsim would accept either
    try:
        got, _ = load_yaml(text)
    except ScenarioError:
        return  # costsim's own refusals (dates, ...) are tested elsewhere
    assert got == expected
    assert [type(x) for x in got["a"]] == [type(x) for x in expected["a"]]
    assert [type(got[f"c{i}"]) for i in range(len(words))] == [type(expected[f"c{i}"]) for i in range(len(words))]


def test_long_list_keeps_lines_and_values():
    text = "v:\n" + "".join(f"  - {x}\n" for x in ("1", "2.5", "3e2", "0x10", "1_000", "+.5", "-0", "07"))
    data, lines = load_yaml(text)
    assert data["v"] == [1, 2.5, 300.0, 16, 1000, "+.5", 0, 7]
    assert lines["v[3]"] == 5


def test_a_bad_value_in_a_long_list_is_located_at_the_list(tmp_path):
    values = [str(i + 2) for i in range(5_000)]
    values[4_321] = "x"
    path = tmp_path / "big.yaml"
    path.write_text("years: {start: 2025, stop: 2026}\nparams:\n  a_x:\n    dist: choice\n    values: ["
                    + ", ".join(values) + "]\nformulas:\n  out_x: a_x * 2\n", encoding="utf-8")
    from costsim.scenario import load_scenario

    with pytest.raises(ScenarioError, match=r"big.yaml:5: params.a_x.values: must be a non-empty list of numbers"):
        load_scenario(path)


def test_explain_summarizes_a_long_choice(tmp_path, capsys):
    from costsim.cli import main

    path = tmp_path / "big.yaml"
    path.write_text("years: {start: 2025, stop: 2026}\nparams:\n  a_x: {dist: choice, values: ["
                    + ", ".join(str(i + 2) for i in range(3_000)) + "]}\nformulas:\n  out_x: a_x * 2\n",
                    encoding="utf-8")
    assert main(["validate", "--explain", str(path)]) == 0
    out = capsys.readouterr().out
    assert "choice of 3,000 values in [2, 3001]" in out
    assert max(len(line) for line in out.splitlines()) < 300  # was one line with every value
