"""The only YAML reader: plain data only, floats like ``1e25``, a ``{path: line}`` map, and limits.

Safety rules (a scenario is data, never code):
- only the safe constructors: ``!!python/...`` and any other explicit tag is refused;
- aliases are bounded: a file whose aliases would expand to more than ``MAX_NODES`` nodes
  (a "billion laughs" file) is refused before anything walks it;
- files larger than ``MAX_BYTES``, binary files and non-UTF-8 text are reported, not crashed on;
- duplicate keys are reported (PyYAML would silently keep the last one).
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

import yaml

from costsim.errors import Issue, ScenarioError

MAX_BYTES = 2_000_000
MAX_NODES = 200_000
MAX_ALIASES = 1_000
MAX_DEPTH = 64
MAX_ITEM_LINES = 1_000  # a list of more plain values than this gets one line (its own), not one per value


_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
# Plain numbers in the forms people write (2, -3, 0.5, 1e25, 5.0e+25): the tag and value every
# implicit resolver and constructor below give them, found without walking PyYAML's resolver list
# and constructor per value (most of the time a 150k-value `choice` list took). Anything else
# (0x10, 1_000, 017, .5, +.5, 1:30, .inf) takes PyYAML's path.
_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_PLAIN_FLOAT = re.compile(r"[-+]?[0-9]+(?:\.[0-9]*(?:[eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)")


class _FastNumbers:
    """Resolver and constructor shortcuts for plain decimal numbers (same tags, same values)."""

    def resolve(self, kind, value, implicit):
        if kind is _SCALAR and implicit[0]:
            m = _PLAIN_NUMBER.fullmatch(value)
            if m is not None:
                return _INT if m.lastindex == 1 else _FLOAT
        return super().resolve(kind, value, implicit)

    def construct_sequence(self, node, deep=False):
        if not isinstance(node, yaml.SequenceNode):
            return super().construct_sequence(node, deep=deep)
        out = []
        for child in node.value:
            if type(child) is yaml.ScalarNode:
                tag, text = child.tag, child.value
                if tag == _INT and _PLAIN_INT.fullmatch(text):
                    out.append(int(text))
                    continue
                if tag == _FLOAT and _PLAIN_FLOAT.fullmatch(text):
                    out.append(float(text))
                    continue
            out.append(self.construct_object(child, deep=deep))
        return out


_SCALAR = yaml.ScalarNode
_PLAIN_NUMBER = re.compile(r"[-+]?(?:(0|[1-9][0-9]*)|([0-9]+(?:\.[0-9]*(?:[eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)))")


class _Loader(_FastNumbers, yaml.SafeLoader):
    """SafeLoader that also reads 1e25 and 5.0e25 as floats, and counts aliases."""

    def __init__(self, stream):
        super().__init__(stream)
        self.alias_count = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise _LimitError(f"more than {MAX_ALIASES} aliases", mark.line + 1)
        return super().compose_node(parent, index)


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\d[\d_]*)?(?:\.\d*)?[eE][-+]?\d+$"),
    list("-+0123456789."),
)
# YAML 1.1 reads yes/no/on/off as booleans; costsim keeps them as the strings people wrote,
# so a typo like `sampling: on` is reported as an unknown value rather than becoming True.
for _first, _resolvers in list(_Loader.yaml_implicit_resolvers.items()):
    _Loader.yaml_implicit_resolvers[_first] = [
        (tag, regexp) for tag, regexp in _resolvers if tag != "tag:yaml.org,2002:bool"
    ]
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

_ALLOWED_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


class _LimitError(Exception):
    def __init__(self, what: str, line: int | None):
        super().__init__(what, line)
        self.what = what
        self.line = line


def read_text(path: str | Path, source: str | None = None) -> str:
    """Read a scenario file as UTF-8 text, reporting size, binary and encoding problems."""
    source = source or str(path)
    p = Path(path)
    try:
        info = p.stat()
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(str(path))
        if not stat.S_ISREG(info.st_mode):  # /dev/zero, a FIFO, a terminal: could block or never end
            raise ScenarioError(source, [Issue("", "not a regular file", "a scenario file (.yaml)", str(path))])
        if info.st_size > MAX_BYTES:
            raise ScenarioError(source, [Issue("", "file is too large", f"at most {MAX_BYTES:,} bytes",
                                               info.st_size)])
        with open(p, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)  # the file may grow between stat and read
        if len(data) > MAX_BYTES:
            raise ScenarioError(source, [Issue("", "file is too large", f"at most {MAX_BYTES:,} bytes",
                                               f"more than {MAX_BYTES:,}")])
    except ScenarioError:
        raise
    except FileNotFoundError:
        raise ScenarioError(source, [Issue("", "no such file", "an existing scenario file", str(path))]) from None
    except IsADirectoryError:
        raise ScenarioError(source, [Issue("", "is a folder", "a scenario file (.yaml)", str(path))]) from None
    except PermissionError:
        raise ScenarioError(source, [Issue("", "permission denied", "a readable file", str(path))]) from None
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte in the name, an I/O error
        problem = getattr(exc, "strerror", None) or str(exc)
        raise ScenarioError(source, [Issue("", f"cannot read the file: {problem}", "a readable scenario file",
                                           str(path))]) from None
    return decode(data, source)


def decode(data: bytes, source: str) -> str:
    """Decode bytes as UTF-8 (BOM allowed); binary and other encodings are errors with a line."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ScenarioError(source, [Issue("", "binary data, not a YAML text file", "UTF-8 text",
                                           "a NUL byte", line=line)])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ScenarioError(source, [Issue(
            "", "file is not valid UTF-8", "UTF-8 text", f"byte 0x{data[exc.start]:02x} at offset {exc.start}",
            line=line, hint="Save the file as UTF-8.")]) from None


def _check_tree(root: yaml.Node, source: str, allowed_implicit: frozenset = frozenset()) -> None:
    """Refuse tags, over-deep nesting and alias bombs before constructing any Python object.

    Each node is measured once (its expanded size and height are remembered), so an alias
    costs nothing to check, yet nesting built up through aliases counts in full. Only what
    aliases add counts towards ``MAX_NODES``: values written out in the text are bounded by
    ``MAX_BYTES`` already, so a long alias-free list is never taken for a bomb.
    """
    measured: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded values, levels below)
    open_nodes: set[int] = set()
    added = [0]  # values that aliases add to the data

    def too_deep(node):
        return _LimitError(f"nesting deeper than {MAX_DEPTH} levels", node.start_mark.line + 1)

    def measure(node, depth):
        if depth > MAX_DEPTH:
            raise too_deep(node)
        key = id(node)
        if key in open_nodes:  # an alias inside its own anchor: the data would contain itself
            raise _LimitError("an alias refers to the value that contains it (recursive anchor)",
                              node.start_mark.line + 1)
        if key in measured:
            total, height = measured[key]
            if depth + height > MAX_DEPTH:
                raise too_deep(node)
            added[0] += total
            return total, height
        if node.tag not in _ALLOWED_TAGS and node.tag not in allowed_implicit:
            raise _TagError(node.tag, node.start_mark.line + 1,
                            implicit=isinstance(node, yaml.ScalarNode) and not node.style  # plain scalar: None from PyYAML, "" from libyaml
                            and node.tag in _IMPLICIT_REFUSED)
        if type(node) is yaml.ScalarNode and node.tag in _NUMBER_TAGS and not node.style:
            _refuse_ambiguous_number(node)  # a lone value (--set x=017); children are checked below
        open_nodes.add(key)
        children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else \
            list(node.value) if isinstance(node, yaml.SequenceNode) else []
        total, height = 1, 0
        for child in children:
            if type(child) is yaml.ScalarNode and child.tag in _ALLOWED_TAGS and depth < MAX_DEPTH:
                if child.tag in _NUMBER_TAGS and not child.style:
                    _refuse_ambiguous_number(child)
                total += 1  # a plain value: nothing below it to measure (the common case, kept cheap)
                height = height or 1
                continue
            size, below = measure(child, depth + 1)
            total += size
            height = max(height, below + 1)
        if added[0] > MAX_NODES:
            raise _LimitError(f"expands to more than {MAX_NODES:,} values (alias bomb?)", node.start_mark.line + 1)
        open_nodes.discard(key)
        measured[key] = (total, height)
        return total, height

    measure(root, 0)


_NUMBER_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})
_BASE60 = "costsim:base-60"
_OCTAL = "costsim:octal"


def _refuse_ambiguous_number(node: yaml.ScalarNode) -> None:
    """YAML 1.1 numbers that are not what they look like: 1:30 is 90 (base 60), 017 is 15 (octal).

    Read as PyYAML reads them they silently became other numbers (a ratio, a time, a zero-padded
    count); they are refused with their line. 07, 00 and 0_7 mean the same either way and pass.
    """
    v = node.value
    if ":" in v:
        raise _TagError(_BASE60, node.start_mark.line + 1, implicit=True, text=v)
    s = v.lstrip("+-")
    if len(s) > 1 and s[0] == "0" and s[1] in "01234567_":
        digits = s.replace("_", "")
        if digits.isdigit() and int(digits, 8) != int(digits):
            raise _TagError(_OCTAL, node.start_mark.line + 1, implicit=True, text=v)


# Types YAML 1.1 gives plain text by itself; costsim refuses them like explicit tags, but says so
_IMPLICIT_REFUSED = {
    "tag:yaml.org,2002:timestamp": ("a date or time is not a value costsim reads",
                                    "Write a year as a number (2025), or quote the text."),
    "tag:yaml.org,2002:merge": ("merge keys (<<) are not supported",
                                "Write the keys out, or share settings with extends: base.yaml."),
}


_DATES = frozenset({"tag:yaml.org,2002:timestamp"})


class _TagError(Exception):
    def __init__(self, tag: str, line: int, implicit: bool = False, text: str = ""):
        super().__init__(tag, line, implicit)
        self.tag = tag
        self.line = line
        self.implicit = implicit
        self.text = text


_SURROGATE = re.compile("[\ud800-\udfff]")


def _line_map(loader: _Loader, root: yaml.Node, text: str | None = None) -> tuple[dict[str, int], list[Issue]]:
    """``{dotted.path: line}`` of every key and list item; duplicate keys and bad text as Issues.

    A list of more than ``MAX_ITEM_LINES`` plain values keeps only its own line (messages about
    it name the list), so a 150k-value ``choice`` adds no 150k entries to every map of lines.

    Paths use the keys as constructed (``~`` is ``None``, ``0x10`` is ``16``), as the validator
    sees them, and keys equal in Python (``1`` and ``1.0``) count as duplicates, since the
    mapping keeps only the last.
    """
    lines: dict[str, int] = {}
    issues: list[Issue] = []
    # a surrogate is in the text itself or comes from a \u/\U escape: without either, no value holds one
    check_text = text is None or "\\u" in text or "\\U" in text or bool(_SURROGATE.search(text))

    def key_of(node):
        if isinstance(node, yaml.ScalarNode):
            try:
                return loader.construct_object(node)
            except (yaml.YAMLError, ValueError, TypeError):
                return node.value
        return node.value

    def text_ok(node, path):
        if check_text and isinstance(node, yaml.ScalarNode) and _SURROGATE.search(node.value):
            issues.append(Issue(path, "text holds a surrogate code point (an escape in \\ud800-\\udfff)",
                                "valid Unicode text", node.value, line=node.start_mark.line + 1,
                                hint="Write characters beyond U+FFFF as one escape, e.g. \\U0001F600."))

    def walk(node, path):
        if isinstance(node, yaml.MappingNode):
            seen: dict[object, int] = {}
            for key, value in node.value:
                obj = key_of(key)
                name = str(obj)
                child = f"{path}.{name}" if path else name
                line = key.start_mark.line + 1
                text_ok(key, child)
                try:
                    marker = obj
                    hash(marker)
                except TypeError:
                    marker = name
                if marker in seen:
                    issues.append(Issue(child, "duplicate key", "each key once", name, line=line,
                                        hint=f"It is already set on line {seen[marker]}."))
                seen[marker] = line
                lines[child] = line
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            items = node.value
            if len(items) > MAX_ITEM_LINES and all(type(item) is yaml.ScalarNode for item in items):
                # a long list of plain values (a `choice`'s values): messages name the list, at its line
                if check_text:
                    for i, item in enumerate(items):
                        text_ok(item, f"{path}[{i}]")
                return
            for i, item in enumerate(items):
                child = f"{path}[{i}]"
                lines[child] = item.start_mark.line + 1
                if type(item) is yaml.ScalarNode:  # no call per value
                    if check_text:
                        text_ok(item, child)
                else:
                    walk(item, child)
        else:
            text_ok(node, path)

    walk(root, "")
    return lines, issues


if getattr(yaml, "__with_libyaml__", False):
    class _CLoader(_FastNumbers, yaml.CSafeLoader):
        """libyaml's parser with costsim's resolvers: the fast path for clean, alias-free text."""

    _CLoader.yaml_implicit_resolvers = {k: list(v) for k, v in _Loader.yaml_implicit_resolvers.items()}
else:  # PyYAML built without libyaml: the Python parser does everything
    _CLoader = None

_UNPARSED = object()
# An alias is "*name" at the start of a value: after a line start, a space or a flow indicator.
# A false match only costs speed (the Python loader then counts aliases); "a * b" or "a*b" in a
# formula does not match.
_MAYBE_ALIAS = re.compile(r"(?:^|[\s\[{,])\*[^\s,\[\]{}]", re.MULTILINE)


def _many_aliases(text: str) -> bool:
    """More than MAX_ALIASES places that may be aliases (an upper bound: ``a *b`` counts too)."""
    count = 0
    for _ in _MAYBE_ALIAS.finditer(text):
        count += 1
        if count > MAX_ALIASES:
            return True
    return False


def _fast_compose(text: str):
    """Compose with libyaml (about 14x faster) when that cannot change any outcome.

    Only text with at most ``MAX_ALIASES`` possible aliases (beyond that the Python loader counts
    them exactly; libyaml shares an aliased node as PyYAML does, so ``_check_tree`` measures what
    they expand to either way) and without characters PyYAML's
    reader refuses; any parse problem falls back to the Python loader, whose messages costsim
    reports. Returns (loader, root) or (None, _UNPARSED).
    """
    if _CLoader is None or _many_aliases(text) or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None, _UNPARSED
    loader = _CLoader(text)
    try:
        return loader, loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        loader.dispose()
        if "nesting depth" in str(exc.problem):  # libyaml stops at 1000 levels; PyYAML would recurse
            mark = exc.problem_mark or exc.context_mark
            raise _LimitError(f"nesting deeper than {MAX_DEPTH} levels", mark.line + 1 if mark else 1) from None
        return None, _UNPARSED
    except (yaml.YAMLError, ValueError):
        loader.dispose()
        return None, _UNPARSED


def _deepest(text: str) -> int | None:
    """Line where the nesting first goes beyond ``MAX_DEPTH`` (libyaml's event stream, no recursion).

    Run before PyYAML's composer, which recurses once per level (a RecursionError past ~1,000
    levels, and seconds spent getting there). None when within the limit or not parseable here.
    """
    if _CLoader is None:
        return None
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_CLoader):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH + 1:
                    return event.start_mark.line + 1
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in str(exc.problem):
            mark = exc.problem_mark or exc.context_mark
            return mark.line + 1 if mark else 1
        return None
    except (yaml.YAMLError, ValueError):
        return None
    return None


def load_yaml(text: str, source: str = "<string>", *, dates: bool = False) -> tuple[object, dict[str, int]]:
    """Parse YAML text; return the data and ``{dotted.path: 1-based line}``.

    Raises ScenarioError for syntax errors, refused tags, nesting deeper than ``MAX_DEPTH``,
    alias bombs and duplicate keys. ``dates=True`` (costsim's own data files, such as
    ``data/claims.yaml``) reads ``2025-01-29`` as a ``datetime.date``; a scenario never does.
    """
    if len(text) > MAX_BYTES:
        raise ScenarioError(source, [Issue("", "text is too large", f"at most {MAX_BYTES:,} characters", len(text))])
    try:
        loader, root = _fast_compose(text)
        if loader is None:
            deep_line = _deepest(text)
            if deep_line is not None:
                raise _LimitError(f"nesting deeper than {MAX_DEPTH} levels", deep_line)
    except _LimitError as exc:
        raise ScenarioError(source, [Issue("", f"refused: {exc.what}", line=exc.line)]) from None
    try:
        if loader is None:
            loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # a control character: PyYAML checks the text up front
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise ScenarioError(source, [Issue(
            "", "control character in the text", "printable UTF-8 text", f"U+{char:04X} at character {exc.position}",
            line=text[: exc.position].count("\n") + 1,
            hint="Remove it, or write it as an escape such as \"\\t\" inside double quotes.")]) from None
    try:
        try:
            if root is _UNPARSED:
                root = loader.get_single_node()
        except RecursionError:  # PyYAML without libyaml: nesting too deep to pre-scan
            raise ScenarioError(source, [Issue("", f"refused: nesting deeper than {MAX_DEPTH} levels",
                                               line=loader.line + 1)]) from None
        except _LimitError as exc:
            raise ScenarioError(source, [Issue("", f"refused: {exc.what}", f"at most {MAX_ALIASES} aliases",
                                               loader.alias_count, line=exc.line)]) from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = (exc.problem or exc.context or "invalid YAML").strip()
            raise ScenarioError(source, [Issue("", f"YAML syntax error: {problem}",
                                               line=(mark.line + 1) if mark else 1)]) from None
        except yaml.YAMLError as exc:
            raise ScenarioError(source, [Issue("", f"YAML error: {exc}", line=1)]) from None
        except ValueError as exc:  # e.g. an escape beyond Unicode ("\U0011B544"): PyYAML's chr() raises
            problem = "an escape names a character beyond U+10FFFF" if "chr()" in str(exc) else str(exc)
            raise ScenarioError(source, [Issue("", f"YAML syntax error: {problem}", line=loader.line + 1)]) from None
        if root is None:
            return {}, {}
        try:
            _check_tree(root, source, _DATES if dates else frozenset())
        except _TagError as exc:
            if exc.tag in (_BASE60, _OCTAL):
                value = yaml.load(exc.text, Loader=yaml.SafeLoader)  # what YAML 1.1 makes of it
                kind = "a base-60 number" if exc.tag == _BASE60 else "an octal number"
                raise ScenarioError(source, [Issue(
                    "", f"{exc.text} is {kind} in YAML 1.1 (read as {value!r}, not what it looks like)",
                    line=exc.line, hint=f"Write the number you mean (e.g. {value!r}), or quote {exc.text!r} "
                    "if it is text.")]) from None
            if exc.implicit:
                problem, hint = _IMPLICIT_REFUSED[exc.tag]
                raise ScenarioError(source, [Issue("", problem, line=exc.line, hint=hint)]) from None
            raise ScenarioError(source, [Issue(
                "", "tag refused: a scenario is plain data", "no tags (plain mappings, lists, numbers, text)",
                exc.tag, line=exc.line, hint="costsim never constructs objects or runs code from a file.")]) from None
        except _LimitError as exc:
            raise ScenarioError(source, [Issue("", f"refused: {exc.what}", line=exc.line)]) from None
        try:
            data = loader.construct_document(root)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ScenarioError(source, [Issue("", f"YAML error: {getattr(exc, 'problem', None) or exc}",
                                               line=(mark.line + 1) if mark else root.start_mark.line + 1)]) from None
        except (TypeError, ValueError, RecursionError) as exc:
            raise ScenarioError(source, [Issue("", f"YAML value error: {exc}",
                                               line=root.start_mark.line + 1)]) from None
        lines, issues = _line_map(loader, root, text)
    finally:
        loader.dispose()

    if issues:
        raise ScenarioError(source, issues)
    return data, lines


def load_value(text: str) -> object:
    """Parse one scalar or flow value as costsim's loader would (for ``--set path=value``)."""
    data, _ = load_yaml(text, "--set")
    return data


class _Dumper(yaml.SafeDumper):
    """SafeDumper that quotes exactly the strings costsim's loader would not read back as strings."""


_Dumper.yaml_implicit_resolvers = {k: list(v) for k, v in _Loader.yaml_implicit_resolvers.items()}
Dumper = _Dumper  # public name, for tools that write scenario text (costsim.testing)


def _has_line_separators(data: object) -> bool:
    if isinstance(data, str):
        return bool(re.search("[\x85\u2028\u2029]", data))
    if isinstance(data, dict):
        return any(_has_line_separators(k) or _has_line_separators(v) for k, v in data.items())
    if isinstance(data, (list, tuple)):
        return any(_has_line_separators(v) for v in data)
    return False


def dump_yaml(data: object) -> str:
    """Write plain data as YAML (block style, keys in their given order); load_yaml reads it back."""
    # PyYAML writes NEL and the Unicode line/paragraph separators raw, then folds them to spaces
    # when reading; text holding them is written with escapes instead
    raw_ok = not _has_line_separators(data)
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=raw_ok)
