"""Reading a scenario: its text, the ``extends:`` chain (key-by-key deep merge) and ``--set`` overrides.

Produces raw data plus ``{path: (file, line)}``; :func:`costsim.scenario.validate` turns it into a
Scenario. Policy for ``extends:``: a ``.yaml``/``.yml`` path relative to the file naming it
(absolute paths and ``~`` are refused unread).
"""

from __future__ import annotations

import copy
import difflib
import os
import re
from collections.abc import Callable
from pathlib import Path

from costsim.errors import Issue, ScenarioError, TypeName
from costsim.scenario.sections import TOP_KEYS
from costsim.yamlio import load_value, load_yaml, read_text

MAX_EXTENDS = 10

Loc = tuple[str, int]  # (file, line)


def _read(path: Path, reader: Callable[[Path], str] | None, source: str) -> str:
    if reader is not None:
        try:
            return reader(path)
        except KeyError:
            raise ScenarioError(source, [Issue("", "no such file in the stored manifest", "a stored file",
                                               str(path))]) from None
    return read_text(path, source)


def _merge(parent: object, child: object) -> object:
    """Key-by-key deep merge: mappings merge, anything else replaces; ``null`` deletes a key.

    A parameter mapping whose ``dist`` differs from the parent's replaces it whole (fields of
    another distribution would not fit).
    """
    if isinstance(parent, dict) and isinstance(child, dict):
        if "dist" in child and child.get("dist") != parent.get("dist"):
            return copy.deepcopy(child)
        out = copy.deepcopy(parent)
        for key, value in child.items():
            if value is None and key in out:
                del out[key]
            elif key in out:
                out[key] = _merge(out[key], value)
            else:
                out[key] = copy.deepcopy(value)
        return out
    return copy.deepcopy(child)


def _load_chain(path: Path, source: str, reader, chain: tuple[str, ...]
                ) -> tuple[dict, dict[str, Loc], list[tuple[str, str]]]:
    text = _read(path, reader, source)
    data, raw_lines = load_yaml(text, source)
    if not isinstance(data, dict):
        raise ScenarioError(source, [Issue("", "a scenario must be a mapping of keys",
                                           "name:, years:, params:, models: ...", TypeName.of(data),
                                           line=1)])
    lines: dict[str, Loc] = {k: (source, v) for k, v in raw_lines.items()}
    texts = [(str(path), text)]
    parent_ref = data.get("extends")
    if parent_ref is None:
        return data, lines, texts
    if not isinstance(parent_ref, str):
        raise ScenarioError(source, [Issue("extends", "must be a file path", "a relative path like base.yaml",
                                           parent_ref, line=raw_lines.get("extends"))])
    # Policy: a parent is a .yaml file named relative to the file that extends it. An absolute
    # path (or ~) would let a scenario read, and error messages echo, any file on the machine.
    if os.path.isabs(parent_ref) or parent_ref.startswith("~"):
        raise ScenarioError(source, [Issue("extends", "must be a path relative to this file",
                                           "a relative path like base.yaml", parent_ref,
                                           line=raw_lines.get("extends"),
                                           hint="Copy or link the parent next to the scenario.")])
    if not parent_ref.lower().endswith((".yaml", ".yml")):
        raise ScenarioError(source, [Issue("extends", "must name a scenario file", "a path ending in .yaml or .yml",
                                           parent_ref, line=raw_lines.get("extends"))])
    parent = (path.parent / parent_ref)
    try:
        key = str(parent.resolve()) if reader is None else os.path.normpath(parent)
        here = str(path.resolve()) if reader is None else os.path.normpath(path)
    except (OSError, ValueError, RuntimeError) as exc:  # a NUL byte in the name, a symlink loop
        raise ScenarioError(source, [Issue("extends", f"cannot use this path ({exc})", "a relative path like base.yaml",
                                           parent_ref, line=raw_lines.get("extends"))]) from None
    if key in chain or key == here:
        names = " -> ".join([*(Path(c).name for c in chain), Path(here).name, Path(key).name])
        raise ScenarioError(source, [Issue("extends", f"extends cycle: {names}", "a chain without cycles",
                                           parent_ref, line=raw_lines.get("extends"))])
    if len(chain) >= MAX_EXTENDS:
        raise ScenarioError(source, [Issue("extends", "extends chain too long", f"at most {MAX_EXTENDS} files",
                                           len(chain) + 1, line=raw_lines.get("extends"))])
    parent_source = str(Path(source).parent / parent_ref) if source != "<string>" else parent_ref
    try:
        pdata, plines, ptexts = _load_chain(parent, parent_source, reader, (*chain, here))
    except ScenarioError as exc:
        if not all(i.path == "" and i.line is None for i in exc.issues):
            raise
        # the parent could not be read at all (missing, a folder, too large): say so at `extends:`
        raise ScenarioError(source, [Issue("extends", f"{i.problem}: {parent_source}", i.expected, i.got,
                                           line=raw_lines.get("extends"), hint=i.hint)
                                     for i in exc.issues]) from None
    merged = _merge(pdata, {k: v for k, v in data.items() if k != "extends"})
    merged_lines = dict(plines)
    merged_lines.update(lines)
    return merged, merged_lines, [*ptexts, *texts]


_PATH_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_PATH_RE = re.compile(r"^[^.\[\]]+(?:\[\d+\])*(?:\.[^.\[\]]+(?:\[\d+\])*)*$")  # a.b[0].c, no empty keys


def apply_override(data: dict, assignment: str) -> list[Issue]:
    """Apply ``path=value`` (``--set``) to raw scenario data in place; return problems."""
    if "=" not in assignment:
        return [Issue("", "override must be path=value", "e.g. params.decline_x_per_year.high=8",
                      assignment, source="--set")]
    path, text = assignment.split("=", 1)
    path = path.strip()
    tokens = [(m.group(1), m.group(2)) for m in _PATH_TOKEN.finditer(path)]
    if not tokens or not _PATH_RE.match(path):
        return [Issue(path, "bad override path", "dotted keys with [i] for list items", path, source="--set")]
    first = tokens[0][0]
    if first == "extends":
        return [Issue(path, "extends cannot be set on the command line", "extends: in the scenario file", text,
                      source="--set", hint="Run the parent file itself, or write a small file that extends it.")]
    if first not in TOP_KEYS:
        own = data.get("params") if isinstance(data.get("params"), dict) else {}
        if first in own:  # a bare parameter name, as `sweep --over` accepts: x.high means params.x.high
            path = f"params.{path}"
            tokens.insert(0, ("params", None))
        else:
            close = difflib.get_close_matches(first, [*TOP_KEYS, *map(str, own)], n=1)
            hint = (f"Did you mean {'params.' if close[0] in own else ''}{close[0]}"
                    f"{path[len(first):]!s}?") if close else "A new parameter is params.NAME=VALUE."
            return [Issue(path, "unknown scenario key or parameter", "a top-level key (params., years., ...) or "
                          "the name of a parameter", first, source="--set", hint=hint)]
    if first == "params" and len(tokens) >= 3 and tokens[1][0] is not None:
        own = data.get("params") if isinstance(data.get("params"), dict) else {}
        name = tokens[1][0]
        if name not in own:  # a field of a parameter the scenario does not have
            close = difflib.get_close_matches(name, list(map(str, own)), n=1)
            rest = path.split(name, 1)[1]
            hint = f"Did you mean params.{close[0]}{rest}?" if close else ""
            if "policy" in data:
                from costsim.models.compute_race import POLICY_PARAMS

                if name in POLICY_PARAMS:
                    hint = f"It comes from the policy preset: set it whole with policy.override.{name}=VALUE."
            return [Issue(path, f"no parameter {name!r} to change a field of", "an existing parameter (a new one is "
                          "set whole: params.NAME=VALUE)", name, source="--set", hint=hint)]
    try:
        value = load_value(text) if text.strip() else ""
    except ScenarioError as exc:
        return [Issue(path, "bad override value", "a YAML value", text, source="--set",
                      hint=exc.issues[0].problem)]
    node: object = data
    for i, (key, idx) in enumerate(tokens):
        last = i == len(tokens) - 1
        if key is not None:
            if not isinstance(node, dict):
                return [Issue(path, f"cannot set key {key!r} inside a {type(node).__name__}",
                              "a path through mappings", path, source="--set")]
            if last:
                node[key] = value
            else:
                node = node.setdefault(key, {}) if not isinstance(node.get(key), (dict, list)) else node[key]
                if not isinstance(node, (dict, list)):
                    return [Issue(path, "path goes through a value", "a path through mappings", path, source="--set")]
        else:
            pos = int(idx)
            if not isinstance(node, list) or pos >= len(node):
                return [Issue(path, f"no list item [{pos}]", "an existing list index", path, source="--set")]
            if last:
                node[pos] = value
            else:
                node = node[pos]
    return []
