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
from pathlib import Path

import yaml

from costsim.errors import Issue, ScenarioError

MAX_BYTES = 2_000_000
MAX_NODES = 200_000
MAX_ALIASES = 1_000
MAX_DEPTH = 64


class _Loader(yaml.SafeLoader):
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
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise ScenarioError(source, [Issue("", "file is too large", f"at most {MAX_BYTES:,} bytes", size)])
        data = p.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(source, [Issue("", "no such file", "an existing scenario file", str(path))]) from None
    except IsADirectoryError:
        raise ScenarioError(source, [Issue("", "is a folder", "a scenario file (.yaml)", str(path))]) from None
    except PermissionError:
        raise ScenarioError(source, [Issue("", "permission denied", "a readable file", str(path))]) from None
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


def _check_tree(root: yaml.Node, source: str) -> None:
    """Refuse tags, over-deep nesting and alias bombs before constructing any Python object."""
    sizes: dict[int, int] = {}

    def size(node, depth):
        if depth > MAX_DEPTH:
            raise _LimitError(f"nesting deeper than {MAX_DEPTH} levels", node.start_mark.line + 1)
        key = id(node)
        if key in sizes:
            return sizes[key]
        if node.tag not in _ALLOWED_TAGS:
            raise _TagError(node.tag, node.start_mark.line + 1)
        total = 1
        sizes[key] = 1  # guards recursive aliases
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k, depth + 1) + size(v, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item, depth + 1)
        if total > MAX_NODES:
            raise _LimitError(f"expands to more than {MAX_NODES:,} values (alias bomb?)",
                              node.start_mark.line + 1)
        sizes[key] = total
        return total

    size(root, 0)


class _TagError(Exception):
    def __init__(self, tag: str, line: int):
        super().__init__(tag, line)
        self.tag = tag
        self.line = line


def load_yaml(text: str, source: str = "<string>") -> tuple[object, dict[str, int]]:
    """Parse YAML text; return the data and ``{dotted.path: 1-based line}``.

    Raises ScenarioError for syntax errors, refused tags, alias bombs and duplicate keys.
    """
    if len(text) > MAX_BYTES:
        raise ScenarioError(source, [Issue("", "text is too large", f"at most {MAX_BYTES:,} characters", len(text))])
    loader = _Loader(text)
    try:
        try:
            root = loader.get_single_node()
        except _LimitError as exc:
            raise ScenarioError(source, [Issue("", f"refused: {exc.what}", f"at most {MAX_ALIASES} aliases",
                                               loader.alias_count, line=exc.line)]) from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = (exc.problem or exc.context or "invalid YAML").strip()
            raise ScenarioError(source, [Issue("", f"YAML syntax error: {problem}",
                                               line=(mark.line + 1) if mark else None)]) from None
        except yaml.YAMLError as exc:
            raise ScenarioError(source, [Issue("", f"YAML error: {exc}")]) from None
        if root is None:
            return {}, {}
        try:
            _check_tree(root, source)
        except _TagError as exc:
            raise ScenarioError(source, [Issue(
                "", "tag refused: a scenario is plain data", "no tags (plain mappings, lists, numbers, text)",
                exc.tag, line=exc.line, hint="costsim never constructs objects or runs code from a file.")]) from None
        except _LimitError as exc:
            raise ScenarioError(source, [Issue("", f"refused: {exc.what}", line=exc.line)]) from None
        try:
            data = loader.construct_document(root)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ScenarioError(source, [Issue("", f"YAML error: {getattr(exc, 'problem', exc)}",
                                               line=(mark.line + 1) if mark else None)]) from None
        except (TypeError, ValueError, RecursionError) as exc:
            raise ScenarioError(source, [Issue("", f"YAML value error: {exc}",
                                               line=root.start_mark.line + 1)]) from None
    finally:
        loader.dispose()

    lines: dict[str, int] = {}
    issues: list[Issue] = []

    def walk(node, path):
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                name = str(key.value)
                child = f"{path}.{name}" if path else name
                line = key.start_mark.line + 1
                if name in seen:
                    issues.append(Issue(child, "duplicate key", "each key once", name, line=line,
                                        hint=f"It is already set on line {seen[name]}."))
                seen[name] = line
                lines[child] = line
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[f"{path}[{i}]"] = item.start_mark.line + 1
                walk(item, f"{path}[{i}]")

    walk(root, "")
    if issues:
        raise ScenarioError(source, issues)
    return data, lines


def load_value(text: str) -> object:
    """Parse one scalar or flow value as costsim's loader would (for ``--set path=value``)."""
    data, _ = load_yaml(text, "--set")
    return data


def dump_yaml(data: object) -> str:
    """Write plain data as YAML (block style, keys in their given order)."""
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True)
