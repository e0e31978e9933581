"""The only YAML reader: numbers as people write them, a line map, and refusal of anything but data."""

import math
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costsim import yamlio
from costsim.errors import ScenarioError
from costsim.yamlio import decode, dump_yaml, load_value, load_yaml, read_text


def _error(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        load_yaml(text, "s.yaml")
    return str(info.value)


def test_numbers_as_people_write_them_are_floats_and_yes_no_stay_text():
    data, _ = load_yaml("a: 1e25\nb: 5.0e25\nc: 1e-18\nd: -2E+3\ne: 1_000\nf: yes\ng: on\nh: true\n"
                        "i: False\nj: 0x10\nk: .inf\nl: ~\nm: 5.0e+25\n")
    assert data == {"a": 1e25, "b": 5e25, "c": 1e-18, "d": -2000.0, "e": 1000, "f": "yes", "g": "on", "h": True,
                    "i": False, "j": 16, "k": math.inf, "l": None, "m": 5e25}
    assert type(data["a"]) is float and type(data["e"]) is int


def test_line_map_covers_keys_and_list_items():
    _, lines = load_yaml("a:\n  b: [1, 2]\n  c:\n    - x\n    - {d: 3}\n")
    assert lines == {"a": 1, "a.b": 2, "a.b[0]": 2, "a.b[1]": 2, "a.c": 3, "a.c[0]": 4, "a.c[1]": 5, "a.c[1].d": 5}


def test_line_map_uses_keys_as_the_validator_sees_them():
    _, lines = load_yaml("~: 1\n0x10: 2\ntrue: 3\n")
    assert lines == {"None": 1, "16": 2, "True": 3}


def test_empty_text_and_comments_are_an_empty_mapping():
    assert load_yaml("") == ({}, {})
    assert load_yaml("# only a comment\n") == ({}, {})


def test_duplicate_keys_are_reported_with_both_lines():
    assert _error("a: 1\nb: 2\na: 3\n") == \
        "s.yaml:3: a: duplicate key; expected each key once, got 'a' (str). It is already set on line 1."


def test_keys_equal_in_python_are_duplicates():
    assert _error("1: a\n1.0: b\n") == \
        "s.yaml:2: 1.0: duplicate key; expected each key once, got '1.0' (str). It is already set on line 1."


@pytest.mark.parametrize("text, tag", [
    ('a: !!python/object/apply:os.system ["echo hi"]\n', "tag:yaml.org,2002:python/object/apply:os.system"),
    ("a: !!python/name:os.system\n", "tag:yaml.org,2002:python/name:os.system"),
    ("!!python/object/new:object {}\n", "tag:yaml.org,2002:python/object/new:object"),
    ("a: !custom 1\n", "!custom"),
    ("a: !!binary aGk=\n", "tag:yaml.org,2002:binary"),
    ("a: !!set {x, y}\n", "tag:yaml.org,2002:set"),
])
def test_tags_are_refused(text, tag):
    assert _error(text) == (f"s.yaml:1: tag refused: a scenario is plain data; expected no tags (plain mappings, "
                            f"lists, numbers, text), got {tag!r} (str). costsim never constructs objects or runs "
                            "code from a file.")


def test_dates_and_merge_keys_are_refused_with_a_way_out():
    assert _error("a: 2025-01-01\n") == \
        "s.yaml:1: a date or time is not a value costsim reads. Write a year as a number (2025), or quote the text."
    assert load_yaml('a: "2025-01-01"\n')[0] == {"a": "2025-01-01"}
    assert _error("a: &x {b: 1}\nc: {<<: *x}\n") == \
        "s.yaml:2: merge keys (<<) are not supported. Write the keys out, or share settings with extends: base.yaml."


def test_plain_aliases_are_fine():
    data, lines = load_yaml("a: &x {b: 1}\nc: *x\n")
    assert data == {"a": {"b": 1}, "c": {"b": 1}} and lines["c.b"] == 1


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "&a {b: *a}\n", "a: &a {b: [1, {c: *a}]}\n"])
def test_recursive_anchors_are_refused(text):
    assert _error(text).endswith("refused: an alias refers to the value that contains it (recursive anchor)")


def test_too_many_aliases_are_refused():
    text = "a: &a 1\nl: [" + ", ".join(["*a"] * 1001) + "]\n"
    assert _error(text) == "s.yaml:2: refused: more than 1000 aliases; expected at most 1000 aliases, got 1001"


def test_deep_nesting_is_refused():
    assert _error("a: " + "[" * 100 + "]" * 100 + "\n") == "s.yaml:1: refused: nesting deeper than 64 levels"


def test_nesting_built_up_through_aliases_counts_in_full():
    lines = ["a0: &a0 " + "[" * 40 + "1" + "]" * 40]
    lines += [f"a{i}: &a{i} " + "[" * 40 + f"*a{i - 1}" + "]" * 40 for i in range(1, 30)]
    assert _error("\n".join(lines) + "\n") == "s.yaml:1: refused: nesting deeper than 64 levels"


def test_syntax_errors_have_a_line():
    assert _error("a: 1\nb: c: d\n") == "s.yaml:2: YAML syntax error: mapping values are not allowed here"
    assert _error("a: [1, 2\n") == "s.yaml:2: YAML syntax error: expected ',' or ']', but got '<stream end>'"
    assert _error("---\na: 1\n---\nb: 2\n") == "s.yaml:3: YAML syntax error: but found another document"


def test_escapes_beyond_unicode_are_located():
    assert _error('a: 1\nb: "x \\U0011B544"\n') == \
        "s.yaml:2: YAML syntax error: an escape names a character beyond U+10FFFF"


def test_control_characters_are_located():
    assert _error("a: 1\n\x07b: 2\n") == (
        "s.yaml:2: control character in the text; expected printable UTF-8 text, got 'U+0007 at character 5' (str). "
        'Remove it, or write it as an escape such as "\\t" inside double quotes.')


def test_surrogate_escapes_are_refused():
    # PyYAML keeps them as lone surrogates, which no file or terminal can encode later
    assert _error('a: "\\ud83d"\n') == ("s.yaml:1: a: text holds a surrogate code point (an escape in "
                                        "\\ud800-\\udfff); expected valid Unicode text, got '\\ud83d' (str). "
                                        "Write characters beyond U+FFFF as one escape, e.g. \\U0001F600.")
    assert _error('a: "\\ud83d\\ude00"\n').startswith("s.yaml:1: a: text holds a surrogate code point")
    assert load_yaml('a: "\\U0001F600"\n')[0] == {"a": "\U0001f600"}


def test_oversized_text_is_refused(monkeypatch):
    monkeypatch.setattr(yamlio, "MAX_BYTES", 100)
    assert _error("a: " + "x" * 200) == "s.yaml: text is too large; expected at most 100 characters, got 203"


# ----------------------------------------------------------------------------- bytes and files
def test_utf8_with_bom_decodes():
    assert decode("\ufeffa: 1".encode("utf-8"), "s.yaml") == "a: 1"


def test_binary_data_is_located():
    with pytest.raises(ScenarioError) as info:
        decode(b"a: 1\nb: \x00\x01", "s.yaml")
    assert str(info.value) == "s.yaml:2: binary data, not a YAML text file; expected UTF-8 text, got 'a NUL byte' (str)"


def test_other_encodings_are_located():
    with pytest.raises(ScenarioError) as info:
        decode("a: 1\nb: caf\xe9\n".encode("latin-1"), "s.yaml")
    assert str(info.value) == ("s.yaml:2: file is not valid UTF-8; expected UTF-8 text, got 'byte 0xe9 at offset 11' "
                               "(str). Save the file as UTF-8.")
    with pytest.raises(ScenarioError, match="binary data"):
        decode("a: 1\n".encode("utf-16"), "s.yaml")  # UTF-16 holds NUL bytes


def test_read_text_problems(tmp_path, monkeypatch):
    def err(path):
        with pytest.raises(ScenarioError) as info:
            read_text(path, "s.yaml")
        return str(info.value)

    assert err(tmp_path / "missing.yaml") == f"s.yaml: no such file; expected an existing scenario file, got " \
                                             f"'{tmp_path / 'missing.yaml'}' (str)"
    assert err(tmp_path) == f"s.yaml: is a folder; expected a scenario file (.yaml), got '{tmp_path}' (str)"
    assert err("/dev/zero") == "s.yaml: not a regular file; expected a scenario file (.yaml), got '/dev/zero' (str)"
    assert err(tmp_path / "a\0b.yaml").startswith("s.yaml: cannot read the file: ")
    big = tmp_path / "big.yaml"
    big.write_text("a: 1\n" * 30)
    monkeypatch.setattr(yamlio, "MAX_BYTES", 100)
    assert err(big) == "s.yaml: file is too large; expected at most 100 bytes, got 150"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path):
    path = tmp_path / "secret.yaml"
    path.write_text("a: 1\n")
    path.chmod(0)
    with pytest.raises(ScenarioError, match="permission denied"):
        read_text(path)


def test_fifo_is_not_read(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ScenarioError, match="not a regular file"):
        read_text(fifo)  # opening a FIFO with no writer would block forever


# ----------------------------------------------------------------------------- values and dumping
def test_load_value_reads_one_value_like_a_file():
    assert load_value("1e25") == 1e25
    assert load_value("[1, 2]") == [1, 2]
    assert load_value("yes") == "yes"
    with pytest.raises(ScenarioError, match="tag refused"):
        load_value("!!python/name:os.system")


_plain = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
              st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=10),
              st.sampled_from(["1e25", "yes", "on", "no", "~", "2025-01-01", "0x10", "1_000", ".inf", "<<"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=10)


@settings(max_examples=100, deadline=None)
@given(data=st.dictionaries(st.text(min_size=1, max_size=8), _plain, max_size=4))
def test_dump_yaml_round_trips_through_load_yaml(data):
    text = dump_yaml(data)
    try:
        again, _ = load_yaml(text)
    except ScenarioError as exc:
        # the only data load_yaml may refuse is data it would refuse anyway: lone surrogates
        assert "surrogate" in str(exc)
        return
    assert again == data
