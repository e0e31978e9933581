"""Validation: merged scenario data -> a frozen ``Scenario``, or one ScenarioError listing every problem.

Every key is checked and the Issues are collected (with file lines) and raised once: the
parameters (claim defaults from ``scenario.claims``, policy presets from ``scenario.policy``),
the models and formulas (wired by name), checks, correlations, sweeps and the analysis sections
(``scenario.sections``), the domains the models accept, and the inputs nobody reads.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import math
import re
import unicodedata
import warnings
from pathlib import Path

import numpy as np

from costsim.distributions import Dist, make_dist
from costsim.errors import CostsimWarning, Issue, ScenarioError, TypeName
from costsim.graph import Node, wire
from costsim.registry import MODELS, load_builtin_models
from costsim.scenario.claims import _resolve_claim, finite
from costsim.scenario.reading import Loc, apply_override
from costsim.scenario.sections import (
    TOP_KEYS,
    Axis,
    correlation_issue,
    parse_plots,
    parse_sensitivity,
    parse_sweeps,
)
from costsim.scenario.spec import Check, Param, Scenario
from costsim.units import suffix_of

SCHEMA_VERSION = 1
SAMPLINGS = ("mc", "lhs", "sobol")
PARAM_META = {"source", "note", "min", "max", "dist", "claim", "field", "scale", "fit"}
MAX_SAMPLES = 100_000_000
MAX_YEARS = 500
STAT_RE = re.compile(r"^(mean|median|sd|p\d{1,2}|q0?\.\d+)$")
CHECK_KEYS = {"claim", "output", "year", "bloc", "stat", "probability_of", "between", "above", "below"}


def _is_year_of(year: object, years: np.ndarray) -> bool:
    """True for a whole number that is one of ``years`` (never converting a huge int to float)."""
    return (isinstance(year, int) and not isinstance(year, bool) and abs(year) < 10**6
            and bool(np.any(years == year)))


class _Validator:
    def __init__(self, data: dict, lines: dict[str, Loc], source: str, base_dir: Path):
        self.data = data
        self.lines = lines
        self.source = source
        self.base_dir = base_dir
        self.issues: list[Issue] = []
        self.as_of: float | None = None  # fit: parameters use only data published before this year
        self.strict_units = True
        self.override_paths: tuple[str, ...] = ()

    def place(self, path: str) -> str:
        """``file:line`` of ``path`` for a warning (the scenario's source when it has no line)."""
        where = self.at(path)
        return f"{where.get('source') or self.source}:{where['line']}" if where["line"] else self.source

    def at(self, path: str) -> dict:
        for op in self.override_paths:  # a value from the command line is located there, not in a file
            if path == op or path.startswith((op + ".", op + "[")):
                return {"line": None, "source": "--set"}
        loc = self.lines.get(path)
        while loc is None and path:  # the nearest enclosing key or item: plots[2].log -> plots[2]
            up = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", path)
            if up == path:
                break
            path = up
            loc = self.lines.get(path)
        if loc is None:
            return {"line": None}
        src, line = loc
        return {"line": line, "source": None if src == self.source else src}

    def add(self, path: str, problem: str, expected: str | None = None, got: object = None, hint: str = "",
            loc_path: str | None = None, **kw):
        if expected is None:
            self.issues.append(Issue(path, problem, hint=hint, **self.at(loc_path or path), **kw))
        else:
            self.issues.append(Issue(path, problem, expected, got, hint=hint, **self.at(loc_path or path), **kw))

    def unitless_ok(self, path: str, name: str, what: str) -> bool:
        """A name without a unit suffix: an error under strict_units, else one warning line."""
        if self.strict_units:
            self.add(path, f"{what} name has no unit suffix", "a name ending in a unit such as _usd, _flop, "
                     "_x_per_year, _frac (see `costsim params --units`)", name,
                     hint="Or set strict_units: false to accept it without unit checks.")
            return False
        warnings.warn(f"{self.place(path)}: {path}: name has no unit suffix; its unit is unknown, so no unit checks "
                      "involve it (strict_units: true makes this an error)", CostsimWarning, stacklevel=5)
        return True

    def relocate(self, issues) -> None:
        """Add issues located by path only, with the file and line of that path (or its parent)."""
        for i in issues:
            self.issues.append(Issue(i.path, i.problem, i.expected, i.got, hint=i.hint, **self.at(i.path)))

    def number(self, path, value, *, integer=False, lo=None, hi=None) -> float | None:
        if integer and isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            value = int(value)  # `samples: 1e6` is a whole number as people write it
        ok_type = isinstance(value, int) if integer else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok_type or (not integer and not finite(value)):
            want = "a whole number" if integer else "a finite number (write 5e25 or 5.0e+25)"
            self.add(path, "must be a number" if not integer else "must be a whole number", want, value)
            return None
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            rng = " <= ".join(str(x) for x in (lo, "value", hi) if x is not None)
            self.add(path, "out of range", rng, value)
            return None
        return value

    def unknown_keys(self, mapping: dict, allowed, prefix: str, what: str):
        for key in mapping:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), list(allowed), n=1)
                path = f"{prefix}.{key}" if prefix else str(key)
                self.add(path, f"unknown {what}", f"one of {', '.join(allowed)}", key,
                         hint=f"Did you mean {close[0]!r}?" if close else "")


class _LineNumbers:
    """``{path: line}`` read through from the ``{path: (file, line)}`` map (no copy per parameter)."""

    def __init__(self, lines: dict[str, Loc]):
        self._lines = lines

    def get(self, path: str, default: int | None = None) -> int | None:
        loc = self._lines.get(path)
        return default if loc is None else loc[1]


CLAIM_ONLY_KEYS = ("field", "scale")  # they qualify a claim's numbers; a parameter's own are in its unit


def _claim_only_keys(v: _Validator, path: str, spec: dict) -> bool:
    """``scale:``/``field:`` without ``claim:`` would be dropped unread: refuse them (True if refused).

    ``scale`` converts only a claim's numbers (the scenario's own are read in the parameter's
    unit, see docs/SCENARIO_FORMAT.md), so without a claim it has nothing to convert.
    """
    if "claim" in spec:
        return False
    refused = False
    for key in CLAIM_ONLY_KEYS:
        if key not in spec:
            continue
        refused = True
        hint = ""
        if key == "scale" and _is_plain_number(spec["scale"]):
            own = {k: spec[k] for k in ("value", "low", "high", "mode") if _is_plain_number(spec.get(k))}
            if own:
                hint = ("Write the numbers in the parameter's unit yourself, e.g. "
                        + ", ".join(f"{k}: {val * spec['scale']:.6g}" for k, val in own.items())
                        + f" ({' '.join(f'{val:g}' for val in own.values())} times {spec['scale']:g}).")
        v.add(f"{path}.{key}", f"applies only to the numbers of a claim, and this parameter has no claim:",
              f"claim: ID with {key}:, or no {key}:", spec[key], hint=hint)
    return refused


def _is_plain_number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and finite(x)


def _unused_scale(v: _Validator, path: str, spec: dict, from_claim: tuple[str, ...]) -> None:
    """A claim's ``scale:`` that converts nothing (the scenario wrote every field): one warning line.

    Not when a field was replaced with ``--set`` (overriding a claim's number is what --set is for).
    """
    if "scale" not in spec or from_claim:
        return
    fields = ("value", "low", "high", "mode")
    if any(op in (path, *(f"{path}.{k}" for k in fields)) for op in v.override_paths):
        return
    warnings.warn(f"{v.place(path + '.scale')}: {path}.scale: has no effect: the scenario writes every number of this parameter "
                  "itself, in the parameter's unit (scale converts only the claim's numbers)",
                  CostsimWarning, stacklevel=5)


def _params(v: _Validator, raw: object) -> dict[str, Param]:
    params: dict[str, Param] = {}
    if raw is None:
        return params
    if not isinstance(raw, dict):
        v.add("params", "must be a mapping of parameter names", "name: value or name: {dist: ...}",
              TypeName.of(raw))
        return params
    for name, spec in raw.items():
        path = f"params.{name}"
        if not isinstance(name, str) or not name.isidentifier():
            v.add(path, "parameter name must be an identifier", "letters, digits and _", name)
            continue
        if unicodedata.normalize("NFKC", name) != name:
            # formulas are parsed as Python, which reads every name in NFKC form: 'ﬁrate_x' as 'firate_x'
            v.add(path, "parameter name changes under Unicode NFKC normalization (formulas would read it as "
                  f"{unicodedata.normalize('NFKC', name)!r})", "a name in NFKC form",
                  name)
            continue
        if suffix_of(name) is None and not v.unitless_ok(path, name, "parameter"):
            continue
        if isinstance(spec, (int, float)) and not isinstance(spec, bool):
            if v.number(path, spec) is not None:
                params[name] = Param(name, Dist("constant", (("value", float(spec)),)))
            continue
        if not isinstance(spec, dict):
            v.add(path, "must be a number or a mapping with dist:", "e.g. 2.0 or {dist: uniform, low: 1, high: 3}",
                  spec)
            continue
        spec = dict(spec)
        if _claim_only_keys(v, path, spec):
            continue
        from_claim: tuple[str, ...] = ()
        if "claim" in spec:
            cited = spec
            spec, from_claim, issues = _resolve_claim(spec, path, v.at(path)["line"])
            if issues:
                v.issues.extend(issues)
                continue
            _unused_scale(v, path, cited, from_claim)
        if "fit" in spec:
            try:
                from costsim.calibration import resolve_fit_param
            except ImportError:
                v.add(f"{path}.fit", "data fits are not available in this installation")
                continue
            spec, issues = resolve_fit_param(spec, v.base_dir, as_of=v.as_of)
            if issues:
                v.issues.extend(Issue(i.path if i.path.startswith("params.") else f"{path}{i.path}",
                                      i.problem, i.expected, i.got, hint=i.hint, **v.at(path)) if not i.line else i
                                for i in issues)
                continue
        kind = spec.get("dist", "constant" if "value" in spec else None)
        if kind is None:
            v.add(f"{path}.dist", "missing dist", "dist: one of constant, uniform, lognormal_ci, ...", None,
                  loc_path=path)
            continue
        fields = {k: val for k, val in spec.items() if k not in PARAM_META}
        dist, issues = make_dist(kind, fields, path, _LineNumbers(v.lines))
        for issue in issues:
            v.issues.append(Issue(issue.path, issue.problem, issue.expected, issue.got, hint=issue.hint,
                                  **v.at(issue.path)))
        clip = {}
        for bound in ("min", "max"):
            if bound in spec:
                clip[bound] = v.number(f"{path}.{bound}", spec[bound])
        if clip.get("min") is not None and clip.get("max") is not None and not clip["min"] < clip["max"]:
            v.add(f"{path}.max", "must exceed min (every sample would be clipped to one value)",
                  f"> {clip['min']!r}", clip["max"])
        elif dist is not None and not dist.is_constant and clip:
            # a bound past every draw the sampler can make clips every sample to that one value
            from costsim.distributions import _extremes

            lowest, _, highest = _extremes(dist)
            for bound, past, edge, word in (("min", lambda b: b >= highest, highest, "highest"),
                                            ("max", lambda b: b <= lowest, lowest, "lowest")):
                if clip.get(bound) is not None and past(clip[bound]):
                    v.add(f"{path}.{bound}", f"beyond every draw of {dist.describe()} (every sample would be "
                          f"clipped to one value)", f"{'<' if bound == 'min' else '>'} {edge:.6g}, the {word} draw",
                          clip[bound])
        if dist is not None and dist.is_constant:
            # a constant is never sampled, so never clipped: a bound it breaks would be ignored
            value = float(dist.f["value"])
            for bound, breaks in (("min", lambda b: value < b), ("max", lambda b: value > b)):
                if clip.get(bound) is not None and breaks(clip[bound]):
                    v.add(f"{path}.value", f"constant beyond its own {bound}: (a constant is not clipped)",
                          f"{'>=' if bound == 'min' else '<='} {clip[bound]!r}", value)
        for meta in ("source", "note"):
            if meta in spec and not isinstance(spec[meta], str):
                v.add(f"{path}.{meta}", "must be text", "a string", spec[meta])
        if dist is not None:
            params[name] = Param(name, dist, str(spec.get("source", "") or ""), str(spec.get("note", "") or ""),
                                 clip.get("min"), clip.get("max"), from_claim)
    return params


_SAME_UNIT = {"_ratio": "multiple", "_x": "multiple"}  # a ratio and a multiple are one quantity (a gap ratio is a gap x)


def _same_unit(a: str, b: str) -> bool:
    """Two names whose unit suffixes say the same unit (a name without a suffix says nothing)."""
    from costsim.units import unit_of

    sa, sb = suffix_of(a), suffix_of(b)
    if sa is None or sb is None:
        return True
    return _SAME_UNIT.get(sa, unit_of(a)) == _SAME_UNIT.get(sb, unit_of(b))


def _unit_words(name: str) -> str:
    from costsim.units import unit_of

    return unit_of(name) or "no unit"


def _models(v: _Validator, raw: object) -> list[Node]:
    nodes: list[Node] = []
    if raw is None:
        return nodes
    if not isinstance(raw, list):
        v.add("models", "must be a list", "- use: model_name", TypeName.of(raw))
        return nodes
    registry = MODELS
    for i, item in enumerate(raw):
        path = f"models[{i}]"
        if isinstance(item, str):
            item = {"use": item}
        if not isinstance(item, dict):
            v.add(path, "must be a mapping", "use: model_name", item)
            continue
        v.unknown_keys(item, ("use", "bind", "rename", "id"), path, "model key")
        use = item.get("use")
        if not isinstance(use, str) or use not in registry:
            close = difflib.get_close_matches(str(use), sorted(registry), n=1)
            v.add(f"{path}.use", "unknown model", "a registered model (see `costsim models`)", use,
                  hint=f"Did you mean {close[0]!r}?" if close else "")
            continue
        spec = registry[use]
        bind_raw = item.get("bind") or {}
        rename_raw = item.get("rename") or {}
        bind: dict[str, object] = {}
        rename: dict[str, str] = {}
        if not isinstance(bind_raw, dict):
            v.add(f"{path}.bind", "must be a mapping", "input: other_name or input: number", bind_raw)
            bind_raw = {}
        if not isinstance(rename_raw, dict):
            v.add(f"{path}.rename", "must be a mapping", "output: new_name", rename_raw)
            rename_raw = {}
        for key, val in bind_raw.items():
            bpath = f"{path}.bind.{key}"
            if key not in spec.inputs:
                close = difflib.get_close_matches(str(key), spec.inputs, n=1)
                v.add(bpath, f"model {use!r} has no input {key!r}", f"one of {', '.join(spec.inputs)}", key,
                      hint=f"Did you mean {close[0]!r}?" if close else "")
            elif isinstance(val, str):
                bind[key] = val
                if not _same_unit(key, val):  # dollars fed to a FLOP input: every number after it in the wrong unit
                    v.add(bpath, f"binds {val!r} ({_unit_words(val)}) to input {key!r} ({_unit_words(key)})",
                          f"a name in {_unit_words(key)} (the suffix {suffix_of(key)!r})", val)
            elif v.number(bpath, val) is not None:
                bind[key] = float(val)
            else:  # reported; bound all the same, so the input does not also show as unproduced
                bind[key] = math.nan
        for key, val in rename_raw.items():
            rpath = f"{path}.rename.{key}"
            if key not in spec.outputs:
                v.add(rpath, f"model {use!r} has no output {key!r}", f"one of {', '.join(spec.outputs)}", key)
            elif not isinstance(val, str) or not val.isidentifier() or suffix_of(val) is None \
                    or unicodedata.normalize("NFKC", val) != val:
                v.add(rpath, "new name must be an identifier with a unit suffix", "e.g. run2_training_cost_usd", val)
            elif not _same_unit(key, val):  # FLOP renamed to *_usd: printed and plotted as dollars
                v.add(rpath, f"renames {key!r} ({_unit_words(key)}) to a name in {_unit_words(val)}",
                      f"a new name in {_unit_words(key)} (ending in {suffix_of(key)!r})", val)
                rename[key] = val  # reported; renamed all the same, so its readers do not also show as unknown
            else:
                rename[key] = val
        label = f"{path} ({item.get('id') or use})"
        nodes.append(Node(label, path, spec, bind, rename, v.at(path)["line"]))
    return nodes


def _formulas(v: _Validator, raw: object, params: dict[str, Param] | None = None) -> list[Node]:
    nodes: list[Node] = []
    if raw is None:
        return nodes
    if not isinstance(raw, dict):
        v.add("formulas", "must be a mapping", "output_name: \"expression\"", TypeName.of(raw))
        return nodes
    from costsim.formulas import compile_formula, unit_mix_warnings

    for name, text in raw.items():
        path = f"formulas.{name}"
        loc = v.at(path)
        unit_ok = not isinstance(name, str) or suffix_of(name) is not None or v.unitless_ok(path, name, "formula")
        if not unit_ok:
            continue
        spec, issues = compile_formula(str(name), text, path=path, line=loc["line"], require_unit=False)
        constants = {n: p.value for n, p in (params or {}).items() if p.is_constant and spec is not None
                     and n in spec.inputs}
        noted = unit_mix_warnings(spec) if spec is not None else []
        if constants:  # the same constant-part check as for literals, with the constant parameters' values
            folded, issues = compile_formula(str(name), text, path=path, line=loc["line"], require_unit=False,
                                             constants=constants)
            with_values = f"(with {', '.join(f'{n} = {c:g}' for n, c in constants.items())})"
            issues = [Issue(i.path, f"{i.problem} {with_values}", i.expected, i.got, i.line, i.hint, i.source)
                      for i in issues]
            spec = spec if not issues else None
            if folded is not None:  # the warnings with the constants' values: a division by c_x = 0 shows here
                noted = [w if w in noted else dataclasses.replace(w, problem=f"{w.problem} {with_values}")
                         for w in unit_mix_warnings(folded)]
        for issue in issues:
            v.issues.append(issue if issue.source or not loc.get("source") else
                            Issue(issue.path, issue.problem, issue.expected, issue.got, issue.line,
                                  issue.hint, loc["source"]))
        if spec is not None:
            for warning in noted:
                warnings.warn(warning.render(v.source), CostsimWarning, stacklevel=4)
            nodes.append(Node(path, path, spec, {}, {}, loc["line"]))
    return nodes


def _check_axes(v: _Validator, raw: object, checks: list[Check], declared_axes: dict,
                years: np.ndarray | None = None, blocs: tuple[str, ...] = (),
                formula_axes: dict[str, tuple[str, ...]] | None = None) -> None:
    """A check's ``year:``/``bloc:`` on an output without that axis would be ignored: refuse it.

    A check without ``year:`` on an output with a year axis (several years), or without ``bloc:``
    on an output with a bloc axis (several blocs), would be judged at a year or on a bloc nobody
    chose (the first: a check on China's stock written without ``bloc:`` was judged on the US's):
    refuse it too.

    A formula's output varies with the year (or the bloc) only through an input that does (see
    :func:`_formula_axes`): a ``year:`` or ``bloc:`` on one that cannot is refused as for a model's
    output (the check was judged on the one value the kernel broadcasts over years and blocs). A
    formula's output that may vary with the year is refused without ``year:`` at run time, when its
    values show whether it does (``costsim.engine``).
    """
    if not isinstance(raw, list):
        return
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("output"), str):
            continue
        axes = declared_axes.get(item["output"])
        if axes is None:
            axes = (formula_axes or {}).get(item["output"])
            if axes is None:
                continue
            for key, axis, what in (("year", "year", "the same value in every year (no input of its formula "
                                     "changes with the year)"),
                                    ("bloc", "bloc", "one value for all blocs (no input of its formula has a bloc "
                                     "axis)")):
                valid = _is_year_of(item.get(key), years) if key == "year" and years is not None else \
                    item.get(key) in blocs if key == "bloc" else True  # else refused already by _checks
                if item.get(key) is not None and axis not in axes and valid:
                    v.add(f"checks[{i}].{key}", f"output {item['output']!r} has {what}, so {key}: would be ignored",
                          f"no {key}:", item[key])
            continue
        if item.get("year") is None and "year" in axes and years is not None and len(years) > 1:
            v.add(f"checks[{i}].year", f"required: output {item['output']!r} has a year axis",
                  f"year: a whole year in {int(years[0])}..{int(years[-1])}", None,
                  loc_path=f"checks[{i}]")
        if item.get("bloc") is None and "bloc" in axes and len(blocs) > 1:
            v.add(f"checks[{i}].bloc", f"required: output {item['output']!r} has a bloc axis",
                  f"bloc: one of {', '.join(blocs)}", None, loc_path=f"checks[{i}]")
        for key, axis, what in (("year", "year", "one value for all years"), ("bloc", "bloc", "one value, not per bloc")):
            if item.get(key) is not None and axis not in axes:
                v.add(f"checks[{i}].{key}", f"output {item['output']!r} has {what}, so {key}: would be ignored",
                      f"no {key}:", item[key])


def _formula_axes(ordered, params) -> dict[str, tuple[str, ...]]:
    """The axes each formula's output truly varies along: the union of its inputs' (a subset of
    ``("year", "bloc")``).

    A parameter has none, ``year`` has the year axis, a model's output its declared axes, a
    formula's output its own inputs' union. The kernel gives every formula's output a year axis
    (:func:`costsim.kernel.resolve_axes`), broadcasting one that has none, so the values alone
    cannot say which years a ``year:`` picks. An input of unknown axes (an unknown name, reported
    elsewhere) leaves the output out.
    """
    known: dict[str, tuple[str, ...] | None] = {name: () for name in params}
    known["year"] = ("year",)
    out_axes: dict[str, tuple[str, ...]] = {}
    for node in ordered:
        if node.spec.origin != "formula":
            for out in node.outputs:
                known[out] = node.axes_of(out)
            continue
        ins = [known.get(src) if isinstance(src := node.source_of(i), str) else () for i in node.spec.inputs]
        axes = None if any(a is None for a in ins) else \
            tuple(ax for ax in ("year", "bloc") if any(ax in a for a in ins))
        for out in node.outputs:
            known[out] = axes
            if axes is not None:
                out_axes[out] = axes
    return out_axes


def _plot_axes(ordered, params) -> dict[str, tuple[str, ...] | None]:
    """Every output's axes as the kernel will resolve them, formulas included (for plots: entries).

    A formula's output has (year, bloc) when any input has a bloc axis, else (year,) (as
    costsim.kernel.resolve_axes); without it a race chart of a formula passed validation and the
    figure then failed. Checks keep the declared axes only (a formula's year axis is checked there
    from its values).
    """
    known: dict[str, tuple[str, ...] | None] = {name: () for name in params}
    known["year"] = ("year",)
    for node in ordered:
        if node.spec.origin == "formula":
            ins = [known.get(node.source_of(i)) if isinstance(node.source_of(i), str) else () for i in node.spec.inputs]
            if any(a is None for a in ins):
                out_axes = None  # an input of unknown axes: not checked, as before
            else:
                out_axes = ("year", "bloc") if any("bloc" in a for a in ins) else ("year",)
            for out in node.outputs:
                known[out] = out_axes
        else:
            for out in node.outputs:
                known[out] = node.axes_of(out)
    return known


def _span(years) -> str:
    """``2025..2040``, with the step when it is not 1 (``2025..2040 step 5``: 2026 is not a year of it)."""
    text = f"{int(years[0])}..{int(years[-1])}"
    return text + (f" step {int(years[1] - years[0])}" if len(years) > 1 and years[1] - years[0] != 1 else "")


def _never_a_probability(test: tuple[str, float, float]) -> bool:
    """A probability check's condition no value in [0, 1] meets (above 1.5, below -1, between [2, 3])."""
    key, lo, hi = test
    if key == "above":
        return lo > 1.0
    if key == "below":
        return hi < 0.0
    return lo > 1.0 or hi < 0.0


def _checks(v: _Validator, raw: object, years: np.ndarray | None, blocs: tuple[str, ...],
            produced: set[str]) -> list[Check]:
    checks: list[Check] = []
    if raw is None:
        return checks
    if not isinstance(raw, list):
        v.add("checks", "must be a list", "- claim: ... output: ... between: [a, b]", TypeName.of(raw))
        return checks

    def condition(mapping, path, what):
        keys = [k for k in ("between", "above", "below") if k in mapping]
        if len(keys) != 1:
            v.add(path, f"{what} needs exactly one of between, above, below", "one of them", keys or None)
            return None
        key = keys[0]
        val = mapping[key]
        if key == "between":
            if (not isinstance(val, list) or len(val) != 2
                    or any(v.number(f"{path}.between", x) is None for x in val)):
                if isinstance(val, list) and len(val) == 2:
                    return None
                v.add(f"{path}.between", "must be a pair of numbers", "[low, high]", val)
                return None
            if not val[0] <= val[1]:
                v.add(f"{path}.between", "low must not exceed high", "[low, high] with low <= high", val)
                return None
            return ("between", float(val[0]), float(val[1]))
        if v.number(f"{path}.{key}", val) is None:
            return None
        return (key, float(val), float(val))

    for i, item in enumerate(raw):
        path = f"checks[{i}]"
        if not isinstance(item, dict):
            v.add(path, "must be a mapping", "claim:, output:, year:, stat:, between:/above:/below:", item)
            continue
        v.unknown_keys(item, tuple(sorted(CHECK_KEYS)), path, "check key")
        claim = item.get("claim")
        if not isinstance(claim, str) or not claim.strip():
            v.add(f"{path}.claim", "missing the claim being checked", "a sentence", claim, loc_path=path)
        output = item.get("output")
        if not isinstance(output, str) or output not in produced:
            close = difflib.get_close_matches(str(output), sorted(produced), n=1)
            v.add(f"{path}.output", "unknown output", "an output of the scenario's models or formulas", output,
                  hint=f"Did you mean {close[0]!r}?" if close else "", loc_path=f"{path}.output"
                  if f"{path}.output" in v.lines else path)
        year = item.get("year")
        if year is not None and years is not None:
            if not _is_year_of(year, years):
                v.add(f"{path}.year", "year not in the scenario's years",
                      f"a whole year in {_span(years)}", year)
                year = None
        bloc = item.get("bloc")
        if bloc is not None and bloc not in blocs:
            v.add(f"{path}.bloc", "unknown bloc", f"one of {', '.join(blocs) or '(no blocs: set blocs:)'}", bloc)
        event = None
        stat = item.get("stat")
        if "probability_of" in item:
            if stat not in (None, "probability"):
                v.add(f"{path}.stat", "a probability check takes no other stat", "no stat", stat)
            ev = item["probability_of"]
            if not isinstance(ev, dict):
                v.add(f"{path}.probability_of", "must be a mapping", "{above: x} or {between: [a, b]}", ev)
            else:
                v.unknown_keys(ev, ("above", "below", "between"), f"{path}.probability_of", "event key")
                event = condition(ev, f"{path}.probability_of", "an event")
            stat = "probability"
        else:
            stat = stat or "median"
            if not isinstance(stat, str) or not STAT_RE.match(stat):
                v.add(f"{path}.stat", "unknown statistic", "mean, median, sd, p5..p95 or q0.xx", stat)
            elif re.fullmatch(r"p0+|q0?\.0+", stat):
                # the sample minimum: its Monte Carlo error printed as 0, a verdict with no margin at all
                v.add(f"{path}.stat", "the 0th percentile is the sample minimum, which has no Monte Carlo error",
                      "a quantile above 0, e.g. p1 or q0.001", stat)
        test = condition(item, path, "a check")
        if test is not None and stat == "probability" and _never_a_probability(test):
            # a probability lies in [0, 1]: such a check fails whatever the model says
            key = test[0]
            v.add(f"{path}.{key}", "a probability check can never hold with this threshold", "a threshold in [0, 1]",
                  item.get(key))
            test = None
        if test is not None and (event is not None or stat != "probability") and isinstance(claim, str):
            checks.append(Check(claim.strip(), str(output), year, bloc, str(stat), event, test, v.at(path)["line"]))
    return checks


def _correlations(v: _Validator, raw: object, params: dict[str, Param]) -> list[tuple[str, str, float]]:
    out: list[tuple[str, str, float]] = []
    if raw is None:
        return out
    if not isinstance(raw, list):
        v.add("correlations", "must be a list", "- [param_a, param_b, 0.5]", TypeName.of(raw))
        return out
    seen = set()
    for i, item in enumerate(raw):
        path = f"correlations[{i}]"
        if isinstance(item, dict):
            pair = item.get("params")
            item = [*(pair if isinstance(pair, list) else [pair, None]), item.get("rho")]
        if not isinstance(item, list) or len(item) != 3:
            v.add(path, "must be [param_a, param_b, rank_correlation]", "[a, b, 0.5]", item)
            continue
        a, b, rho = item
        bad = False
        for name in (a, b):
            if not isinstance(name, str) or name not in params:
                close = difflib.get_close_matches(str(name), sorted(params), n=1)
                v.add(path, f"unknown parameter {name!r}", "a parameter name", name,
                      hint=f"Did you mean {close[0]!r}?" if close else "")
                bad = True
            elif params[name].is_constant:
                v.add(path, f"parameter {name!r} is a constant", "an uncertain parameter", name)
                bad = True
        if a == b and not bad:
            v.add(path, "a parameter cannot correlate with itself", "two different names", [a, b])
            bad = True
        if v.number(f"{path}", rho, lo=-0.999, hi=0.999) is None:
            bad = True
        if not bad:
            if frozenset((a, b)) in seen:
                v.add(path, "pair given twice", "each pair once", [a, b])
                continue
            seen.add(frozenset((a, b)))
            out.append((a, b, float(rho)))
    return out


def _expand_policy(v: _Validator, data: dict) -> None:
    policy = data.get("policy")
    if policy is None:
        return
    from costsim.scenario.policy import expand_policy

    params, issues = expand_policy(policy)
    for issue in issues:
        v.issues.append(Issue(issue.path, issue.problem, issue.expected, issue.got, hint=issue.hint,
                              **v.at(issue.path)))
    own = data.get("params") or {}
    if isinstance(own, dict):
        merged = dict(params)
        merged.update(own)  # the scenario's own params override the preset's
        data["params"] = merged


def _sweep_path_issues(sweeps: tuple[Axis, ...], data: dict, params: dict[str, Param]) -> list[Issue]:
    """Each swept path must name something the scenario has: a top-level key, a parameter, its field."""
    from costsim.distributions import DISTRIBUTIONS

    issues: list[Issue] = []
    raw_params = data.get("params") if isinstance(data.get("params"), dict) else {}
    for axis in sweeps:
        where = next((f"sweeps.{k}" for k in (data.get("sweeps") or {}) if _sweep_key_path(k) == axis.path),
                     "sweeps")
        tokens = re.split(r"[.\[]", axis.path)
        if tokens[0] not in TOP_KEYS:
            issues.append(Issue(where, "unknown scenario key", f"one of {', '.join(TOP_KEYS)}", tokens[0],
                                hint=_did_you_mean(tokens[0], TOP_KEYS)))
            continue
        if tokens[0] != "params" or len(tokens) < 2:
            continue
        name = tokens[1]
        if name not in raw_params:
            issues.append(Issue(where, f"sweeps a parameter the scenario does not have: {name!r}",
                                "a parameter of params: (or policy:)", name,
                                hint=_did_you_mean(name, raw_params)))
            continue
        if len(tokens) < 3:
            continue
        spec = raw_params[name]
        fld = tokens[2]
        if not isinstance(spec, dict):
            issues.append(Issue(where, f"params.{name} is a constant, it has no field {fld!r}",
                                f"params.{name} (the value itself)", axis.path))
            continue
        kind = spec.get("dist", "constant" if "value" in spec else None)
        known = set(PARAM_META) | {"dist", "value"}
        if kind in DISTRIBUTIONS:
            known |= set(DISTRIBUTIONS[kind].required) | set(DISTRIBUTIONS[kind].optional)
        if "claim" in spec:
            known |= {"low", "high", "mode", "value"}
        if fld not in known:
            issues.append(Issue(where, f"params.{name} ({kind}) has no field {fld!r}",
                                f"one of {', '.join(sorted(known))}", fld, hint=_did_you_mean(fld, known)))
    return issues


def _check_sweep_values(v: _Validator, sweeps, data: dict, params: dict[str, Param], nodes) -> None:
    """Each swept value of a parameter (or of one of its fields) must give a valid parameter.

    Checked one parameter at a time, as ``--set`` would apply it (cheap: no full validation per
    point); combinations of axes and other keys are still checked by ``sweep`` before it runs.
    """
    raw_params = data.get("params") if isinstance(data.get("params"), dict) else {}
    raw_sweeps = data.get("sweeps")
    keys = {_sweep_key_path(k): f"sweeps.{k}" for k in raw_sweeps} if isinstance(raw_sweeps, dict) else {}
    for axis in sweeps:
        tokens = re.split(r"[.\[]", axis.path)
        if tokens[0] != "params" or len(tokens) < 2 or tokens[1] not in params:
            continue
        name = tokens[1]
        spec = raw_params.get(name)
        if isinstance(spec, dict) and "fit" in spec:
            continue  # a fitted parameter: refitting per value is the sweep's job
        where = keys.get(axis.path, "sweeps")
        for value, text in zip(axis.values, axis.texts, strict=True):
            scratch = _Validator({}, {}, v.source, v.base_dir)
            scratch.strict_units, scratch.as_of = v.strict_units, v.as_of
            tmp = {"params": {name: copy.deepcopy(spec)}}
            found = apply_override(tmp, f"{axis.path}={text}")
            if not found:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    new = _params(scratch, tmp["params"])
                if name in new:
                    _check_domains(scratch, nodes, {**params, name: new[name]})
                found = scratch.issues
            for i in found[:1]:  # the first problem of this value is enough to fix it
                v.add(where, f"value {value!r} gives {i.path or axis.path}: {i.problem}", i.expected,
                      *(() if i.expected is None else (i.got,)), hint=i.hint)
            if found:
                break  # one bad value per axis: the rest likely share the problem


def _sweep_key_path(key: object) -> str:
    from costsim.scenario.sections import sweep_path

    return sweep_path(str(key))


def _did_you_mean(got: object, choices) -> str:
    close = difflib.get_close_matches(str(got), sorted(map(str, choices)), n=1)
    return f"Did you mean {close[0]!r}?" if close else ""


# A distribution without bounds (normal, lognormal...) is checked on its central 99.8%: a
# lognormal decline of 2.5-6.4x/yr has draws below 1 only ~1 in a million, and the model's own
# "never" covers those; a bounded one (uniform, pert, choice...) on all it can draw.
DOMAIN_TAIL = 1e-3
_BOUNDED_KINDS = {"constant", "uniform", "loguniform", "triangular", "pert", "beta", "choice"}


def _drawn_range(param: Param) -> tuple[float, float]:
    """Lowest and highest value a parameter takes (after min/max clipping), tails as DOMAIN_TAIL says.

    Closed forms (costsim's own ndtri for normal quantiles), so validation never imports scipy.
    """
    from costsim.distributions import ndtri

    f, kind = param.dist.f, param.dist.kind
    if kind == "constant":
        lo = hi = float(f["value"])
    elif kind == "choice":
        lo, hi = float(min(f["values"])), float(max(f["values"]))
    elif kind == "beta":
        lo, hi = float(f.get("low", 0.0)), float(f.get("high", 1.0))
    elif "low" in f and "high" in f and kind in _BOUNDED_KINDS:
        lo, hi = float(f["low"]), float(f["high"])
    else:
        z = float(ndtri(1 - DOMAIN_TAIL))
        if kind in ("normal_ci", "lognormal_ci"):
            zc = float(ndtri(0.5 + float(f.get("credibility", 0.9)) / 2))
            if kind == "normal_ci":
                mid, half = 0.5 * (f["low"] + f["high"]), (f["high"] - f["low"]) / (2 * zc)
                lo, hi = mid - half * z, mid + half * z
            else:
                mu = 0.5 * (math.log(f["low"]) + math.log(f["high"]))
                sigma = (math.log(f["high"]) - math.log(f["low"])) / (2 * zc)
                lo, hi = math.exp(mu - sigma * z), math.exp(mu + sigma * z)
        elif kind == "normal":
            lo, hi = f["mean"] - f["sd"] * z, f["mean"] + f["sd"] * z
        elif kind == "lognormal":
            lo, hi = math.exp(f["mu"] - f["sigma"] * z), math.exp(f["mu"] + f["sigma"] * z)
        else:  # a kind added later: its own quantile function
            with np.errstate(all="ignore"):
                lo, hi = (float(x) for x in param.dist.ppf(np.array([DOMAIN_TAIL, 1 - DOMAIN_TAIL])))
    if param.clip_min is not None:
        lo, hi = max(lo, param.clip_min), max(hi, param.clip_min)
    if param.clip_max is not None:
        lo, hi = min(lo, param.clip_max), min(hi, param.clip_max)
    return lo, hi


FRACTION_DOMAIN = "[0, 1]"  # what the _frac unit suffix means (costsim params --units)
YEAR_MIN, YEAR_MAX = 1900, 2500  # the calendar years a scenario's years: may span
YEAR_DOMAIN = f"[{YEAR_MIN}, {YEAR_MAX}]"  # what the _year unit suffix (a calendar year) may take


def _check_domains(v: _Validator, nodes, params: dict[str, Param]) -> None:
    """Constants and parameter distributions fed to a model input must lie in its declared domain.

    An input of costsim's own models named ``..._frac`` is a fraction, in [0, 1], unless the model
    declares a narrower domain (found by red-team: ``leak_frac=1.5`` validated and tripled
    smuggling; ``leak_frac=-0.1`` validated and the run then failed).

    An input of any model in a calendar year (the ``_year`` suffix, ``year`` itself) lies in
    YEAR_DOMAIN, the span ``years:`` may take, unless the model declares its own domain (found by
    red-team: ``bind: {base_year: 1e300}`` validated and every output printed 0).
    """
    from costsim.registry import Domain
    from costsim.units import unit_of

    found: dict[tuple, list[str]] = {}  # one issue per parameter and rule, naming every model it feeds
    fraction = Domain.parse(FRACTION_DOMAIN)
    calendar = Domain.parse(YEAR_DOMAIN)
    for node in nodes:
        declared = dict(getattr(node.spec, "domains", {}))
        if node.spec.origin == "builtin":  # a fraction (the _frac suffix): [0, 1] unless the model says more
            declared = {**{i: fraction for i in node.spec.inputs if i.endswith("_frac")}, **declared}
        if node.spec.origin != "formula":  # a calendar year: in the span years: may take
            declared = {**{i: calendar for i in node.spec.inputs if unit_of(i) == "calendar year"}, **declared}
        for name, domain in declared.items():
            src = node.source_of(name)
            rule = f"input {name!r} of {node.spec.name} must be {domain.describe()}"
            if isinstance(src, float):
                if not math.isnan(src) and not domain.contains(src):
                    found.setdefault((f"{node.path}.bind.{name}", "out of the model's domain", rule,
                                      domain.describe(), src), []).append(node.path)
                continue
            param = params.get(src) if isinstance(src, str) else None
            if param is None:
                continue  # a model output: only known at run time
            if param.is_constant:
                if not domain.contains(param.value):
                    found.setdefault((f"params.{src}", "out of the model's domain", rule, domain.describe(),
                                      param.value), []).append(node.path)
                continue
            lo, hi = _drawn_range(param)
            if not (domain.contains(lo) and domain.contains(hi)):
                bad = lo if not domain.contains(lo) else hi
                share = "every draw" if param.dist.kind in _BOUNDED_KINDS else \
                    f"its central {100 * (1 - 2 * DOMAIN_TAIL):g}%"
                found.setdefault((f"params.{src}", f"{param.dist.describe()} draws values out of the model's domain",
                                  rule, f"a distribution with {share} {domain.describe()}", float(f"{bad:.6g}")),
                                 []).append(node.path)
    for (path, problem, rule, expected, got), where in found.items():
        v.add(path, f"{problem} ({rule}; {', '.join(where)})", expected, got)


def _yearly_steps(v: _Validator, nodes, years: np.ndarray | None) -> None:
    """A ``years: step`` other than 1 with a model that sums or compounds per step is refused.

    Such a model (``@model(..., yearly_steps=True)``; a formula with ``cumsum``, ``cumprod``,
    ``diff`` or ``lag``) treats each step as one year: race_compute_stock added each step's
    end-year flow for the whole step, and its stocks came out 1.23-1.30x those of yearly steps on
    the same draws (found by red-team). Models computing each year in closed form are unaffected.
    """
    if years is None or len(years) < 2 or float(years[1] - years[0]) == 1.0:
        return
    stepped = [node for node in nodes if getattr(node.spec, "yearly_steps", False)]
    if not stepped:
        return
    step = int(years[1] - years[0])
    names = ", ".join(node.label if node.spec.origin != "formula" else f"{node.path} (a time function)"
                      for node in stepped)
    v.add("years.step", f"{names} {'sum or compound' if len(stepped) > 1 else 'sums or compounds'} per step "
          f"of years as if each step were one year, so a step of {step} would give wrong numbers",
          "step: 1 (or no step:)", step, loc_path="years.step" if "years.step" in v.lines else "years",
          hint="Use yearly steps and list the years to show in summary_years: (or run --years).")


def _unread_policy(v: _Validator, policy: object, nodes) -> None:
    """A ``policy:`` (a file's or ``--set policy.preset=...``) that no model reads changes nothing: refuse it."""
    if policy is None:
        return
    from costsim.scenario.policy import POLICY_PARAMS

    used = {src for node in nodes for inp in node.spec.inputs if isinstance(src := node.source_of(inp), str)}
    if used & set(POLICY_PARAMS):
        return
    path = next((op for op in v.override_paths if op == "policy" or op.startswith("policy.")), "policy")
    got = policy.get("preset", policy) if isinstance(policy, dict) else policy
    v.add(path, "no model of the scenario reads the policy parameters, so the policy would change nothing",
          "a scenario with a compute-race model (e.g. race_chip_supply), or no policy:", got,
          hint="A policy preset sets export-control parameters; see scenarios/export_controls_base.yaml.")


def _read_names(v: _Validator, nodes) -> set[str]:
    """Names the models and formulas read (through ``bind:`` too), and every name a formula refused
    for another reason mentions (its parameters are not also reported as unused)."""
    used = {src for node in nodes for inp in node.spec.inputs if isinstance(src := node.source_of(inp), str)}
    formulas = v.data.get("formulas") if isinstance(v.data.get("formulas"), dict) else {}
    compiled = {out for node in nodes if node.spec.origin == "formula" for out in node.outputs}
    for name, text in formulas.items():
        if name not in compiled and isinstance(text, str):
            used |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    return used


def _unused_new_params(v: _Validator, nodes, params: dict[str, Param]) -> None:
    """``--set params.NEW=...`` that adds a parameter no model or formula reads changes nothing: refuse it.

    (A misspelt name, ``params.cost_decline_x_per_yr=3``, would otherwise run the scenario unchanged.)
    """
    used = _read_names(v, nodes)
    for op in v.override_paths:
        m = re.fullmatch(r"params\.([A-Za-z_][A-Za-z0-9_]*)", op)
        if m is None or op in v.lines or m.group(1) in used:  # in a file: a parameter kept on purpose
            continue
        name = m.group(1)
        close = difflib.get_close_matches(name, sorted(used & set(params)), n=1)
        v.add(op, "adds a parameter that no model or formula uses, so it would change nothing",
              "the name of a parameter the models read", name,
              hint=f"Did you mean params.{close[0]}?" if close else "List them with `costsim validate --explain`.")


def _new_in_children(texts) -> dict[str, str]:
    """``{parameter: parent file}`` for each parameter an ``extends:`` child adds to its parent chain.

    ``texts`` are the chain's ``(file, text)`` pairs, root first (each file extends the one before
    it). A parameter the child's parent already has (in its ``params:``, or from its ``policy:``)
    is an override, not new.
    """
    from costsim.scenario.policy import POLICY_PARAMS
    from costsim.scenario.reading import _merge
    from costsim.yamlio import load_yaml

    new: dict[str, str] = {}
    merged: dict = {}
    for i, (file, text) in enumerate(texts):
        try:
            data, _ = load_yaml(text, str(file))
        except ScenarioError:  # already read once by the chain; never expected here
            return new
        if not isinstance(data, dict):
            return new
        own = data.get("params") if isinstance(data.get("params"), dict) else {}
        if i > 0:
            have = set(merged.get("params") or {}) | (set(POLICY_PARAMS) if merged.get("policy") is not None else set())
            for name in own:
                if isinstance(name, str) and name not in have and own[name] is not None:
                    new[name] = str(texts[i - 1][0])
        merged = _merge(merged, {k: val for k, val in data.items() if k != "extends"})
    return new


def _unused_child_params(v: _Validator, nodes, params: dict[str, Param], texts) -> None:
    """A parameter that an ``extends:`` child adds and no model or formula reads changes nothing: refuse it.

    A misspelt override (``diffusion_dealy_years: 3`` in a child of a scenario with
    ``diffusion_delay_years``) would otherwise add a new, unread parameter and run the parent's
    value unchanged. A file without ``extends:`` may keep unread parameters on purpose (a cited
    claim's other field, as claims_sonnet_cost.yaml's ``sonnet_high_usd``), so only a child's new
    ones are refused; a ``--set params.NEW=...`` is refused by :func:`_unused_new_params`.
    """
    if len(texts) < 2:
        return
    used = _read_names(v, nodes)
    unread = [name for name in params if name not in used and f"params.{name}" in v.lines
              and not any(op == f"params.{name}" or op.startswith(f"params.{name}.") for op in v.override_paths)]
    if not unread:
        return
    new = _new_in_children(texts)
    for name in unread:
        if name not in new:
            continue
        parent = Path(new[name]).name
        close = difflib.get_close_matches(name, sorted(used & set(params)), n=1)
        v.add(f"params.{name}", f"adds a parameter that {parent} does not have and that no model or formula "
              "uses, so it would change nothing", f"the name of a parameter the models read (to override "
              f"one of {parent})", name,
              hint=f"Did you mean {close[0]!r}?" if close else "List them with `costsim validate --explain`.")


def _override_path(assignment: str, data: dict) -> str:
    """The full path an override set (``x.high=4`` -> ``params.x.high``)."""
    path = assignment.split("=", 1)[0].strip()
    first = re.split(r"[.\[]", path, maxsplit=1)[0]
    return path if first in TOP_KEYS else f"params.{path}"


def _load_plugin_files(plugins) -> tuple[str, ...]:
    """Load each plugin file (once per process) and return their absolute paths."""
    paths = tuple(str(Path(p).resolve()) for p in plugins or ())
    if paths:
        from costsim.plugins import load_plugin

        for path in paths:
            load_plugin(path)
    return paths


def validate(data: dict, lines: dict[str, Loc], source: str, base_dir: Path,
             texts: tuple = (), overrides: tuple = (), plugins: tuple = (), *, strict: bool = False) -> Scenario:
    """Validate raw scenario data; return a Scenario or raise one ScenarioError with every Issue.

    ``plugins`` are plugin files (paths) whose models the scenario may use: they are loaded first
    and recorded on the Scenario, so a rerun or a worker process can load them again.
    ``strict=True`` (``--strict``) makes a name without a unit suffix an error, as
    ``strict_units: true`` in the scenario does; otherwise it is accepted with one warning.
    """
    plugins = _load_plugin_files(plugins)
    load_builtin_models()
    v = _Validator(data, lines, source, base_dir)
    v.override_paths = tuple(_override_path(o, data) for o in overrides)
    v.unknown_keys(data, TOP_KEYS, "", "key")
    strict_units = data.get("strict_units", False)
    if not isinstance(strict_units, bool):
        v.add("strict_units", "must be true or false", "true | false", strict_units)
        strict_units = True
    strict_units = bool(strict_units or strict)
    v.strict_units = strict_units

    sv = data.get("schema_version", SCHEMA_VERSION)
    if sv != SCHEMA_VERSION:
        v.add("schema_version", "unsupported schema version", str(SCHEMA_VERSION), sv)
    name = data.get("name", Path(source).stem if source != "<string>" else "scenario")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", name or ""):
        v.add("name", "must be a short identifier", "letters, digits, _ . -", name)
        name = "scenario"
    description = data.get("description", "")
    if not isinstance(description, str):
        v.add("description", "must be text", "a string", description)
        description = ""

    years = None
    yr = data.get("years")
    if yr is None:
        v.add("years", "missing years", "years: {start: 2025, stop: 2035}", None, loc_path="")
    elif not isinstance(yr, dict):
        v.add("years", "must be a mapping", "{start: 2025, stop: 2035, step: 1}", yr)
    else:
        v.unknown_keys(yr, ("start", "stop", "step"), "years", "years key")
        start = v.number("years.start", yr.get("start"), integer=True, lo=YEAR_MIN, hi=YEAR_MAX)
        stop = v.number("years.stop", yr.get("stop"), integer=True, lo=YEAR_MIN, hi=YEAR_MAX)
        step = v.number("years.step", yr.get("step", 1), integer=True, lo=1, hi=100)
        if None not in (start, stop, step):
            if stop < start:
                v.add("years.stop", "must not be before start", f">= {start}", stop)
            elif (stop - start) // step + 1 > MAX_YEARS:
                v.add("years", "too many years", f"at most {MAX_YEARS}", (stop - start) // step + 1)
            else:
                years = np.arange(start, stop + 1, step, dtype=float)

    samples = data.get("samples", 10_000)
    samples = v.number("samples", samples, integer=True, lo=1, hi=MAX_SAMPLES) or 10_000
    seed = data.get("seed", 0)
    seed = v.number("seed", seed, integer=True, lo=0, hi=2**63 - 1)
    seed = 0 if seed is None else seed
    sampling = data.get("sampling", "mc")
    if sampling not in SAMPLINGS:
        close = difflib.get_close_matches(str(sampling), SAMPLINGS, n=1)
        v.add("sampling", "unknown sampling design", "one of mc, lhs, sobol", sampling,
              hint=f"Did you mean {close[0]!r}?" if close else "")
        sampling = "mc"

    blocs_raw = data.get("blocs", ["leader", "follower"])
    blocs: tuple[str, ...] = ("leader", "follower")
    if not isinstance(blocs_raw, list) or len(blocs_raw) < 2 or not all(isinstance(b, str) for b in blocs_raw) \
            or len(set(blocs_raw)) != len(blocs_raw):
        v.add("blocs", "must be a list of distinct names, leader first", "[US, China]", blocs_raw)
    else:
        blocs = tuple(blocs_raw)

    as_of = data.get("as_of")
    if as_of is not None:
        v.as_of = v.number("as_of", as_of, lo=1900, hi=2500)
    policy_raw = data.get("policy")
    _expand_policy(v, data)
    params = _params(v, data.get("params"))
    correlations = _correlations(v, data.get("correlations"), params)
    nodes = _models(v, data.get("models")) + _formulas(v, data.get("formulas"), params)
    flat_lines = {k: loc[1] for k, loc in lines.items()}
    declared = set(params) | {k for k in (data.get("params") or {}) if isinstance(k, str)} \
        if isinstance(data.get("params"), dict) else set(params)
    ordered, producer, wiring_issues = wire(nodes, declared, flat_lines)
    for issue in wiring_issues:
        v.issues.append(Issue(issue.path, issue.problem, issue.expected, issue.got, hint=issue.hint,
                              **v.at(issue.path)))
    produced = set(producer)
    _check_domains(v, ordered, params)
    _yearly_steps(v, ordered, years)
    _unused_new_params(v, ordered, params)
    _unused_child_params(v, ordered, params, texts)
    if not wiring_issues:
        _unread_policy(v, policy_raw, ordered)

    outputs_raw = data.get("outputs")
    outputs: tuple[str, ...] = tuple(producer)
    if outputs_raw is not None:
        if not isinstance(outputs_raw, list) or not all(isinstance(o, str) for o in outputs_raw):
            v.add("outputs", "must be a list of output names", "[training_cost_usd, training_flop]", outputs_raw)
        else:
            for i, out in enumerate(outputs_raw):
                if out not in produced:
                    close = difflib.get_close_matches(out, sorted(produced), n=1)
                    v.add(f"outputs[{i}]", "unknown output", "an output of the scenario's models or formulas",
                          out, hint=f"Did you mean {close[0]!r}?" if close else "")
            outputs = tuple(dict.fromkeys(outputs_raw))
    if not nodes and not v.issues:
        v.add("models", "no models or formulas", "at least one model (models:) or formula (formulas:)", None,
              loc_path="")

    checks = _checks(v, data.get("checks"), years, blocs, produced)
    if outputs_raw == [] and not checks:
        v.add("outputs", "lists no output, so the run would compute nothing to show",
              "output names (or no outputs: key, for every output)", outputs_raw)
    # an output a check tests is kept even when outputs: lists others (the check needs its samples)
    outputs = tuple(dict.fromkeys((*outputs, *(c.output for c in checks))))

    summary_years: tuple[int, ...] = ()
    sy = data.get("summary_years")
    if years is not None:
        if sy is None:
            summary_years = tuple(dict.fromkeys(int(y) for y in (years[0], years[len(years) // 2], years[-1])))
        elif not isinstance(sy, list) or not sy or not all(_is_year_of(y, years) for y in sy):
            v.add("summary_years", "must list years of the scenario" + (" (an empty list shows no summary; "
                  "leave summary_years out for the first, middle and last)" if sy == [] else ""),
                  f"whole years in {_span(years)}", sy)
        else:
            summary_years = tuple(sy)

    pd_issue = correlation_issue(correlations)
    if pd_issue is not None:
        v.relocate([pd_issue])
    declared_axes = {out: node.axes_of(out) for node in ordered for out in node.outputs}
    two_bloc = next((node for node in ordered if node.spec.origin == "builtin"
                     and any("bloc" in node.axes_of(out) for out in node.outputs)), None)
    if two_bloc is not None and len(blocs) != 2 and "blocs" in data:
        # costsim's race models compute a leader and a follower: a third bloc was named on the page and
        # ignored by the models, then the results' columns failed with an IndexError
        v.add("blocs", f"{two_bloc.label} computes two blocs (a leader and a follower)",
              "two distinct names, leader first, e.g. [US, China]", data["blocs"])
    _check_axes(v, data.get("checks"), checks, declared_axes, years, blocs, _formula_axes(ordered, params))
    every_axes = _plot_axes(ordered, params)  # once: it resolves every output's axes
    axes = {o: every_axes.get(o) for o in outputs}
    plots = None
    if data.get("plots") is not None:
        try:
            plots = tuple(parse_plots(data["plots"], axes, years if years is not None else (), blocs,
                                      source=source, has_checks=bool(checks)))
        except ScenarioError as exc:
            v.relocate(exc.issues)
    sweeps, sweep_issues = parse_sweeps(data.get("sweeps"))
    v.relocate(sweep_issues)
    path_issues = _sweep_path_issues(sweeps, data, params)
    v.relocate(path_issues)
    if not path_issues:
        _check_sweep_values(v, sweeps, data, params, ordered)
    sensitivity, sens_issues = parse_sensitivity(data.get("sensitivity"), outputs=produced, years=years,
                                                 params=params)
    v.relocate(sens_issues)
    if "data" in data and data["data"] is not None and not isinstance(data["data"], (list, dict, str)):
        v.add("data", "must be a list or mapping", "see docs/CALIBRATION.md", data["data"])
    raw_params = data.get("params") if isinstance(data.get("params"), dict) else {}
    fit_params = {k: copy.deepcopy(p) for k, p in raw_params.items() if isinstance(p, dict) and "fit" in p}
    if v.as_of is not None and not fit_params and not v.issues:
        warnings.warn(f"{v.place('as_of')}: as_of: has no effect: no parameter of this scenario has fit:, and as_of limits only "
                      "fitted parameters to data published before it (parameters cited from claims keep their "
                      "values; `costsim claims` judges each claim with the data of its date)",
                      CostsimWarning, stacklevel=4)
    formulas_raw = data.get("formulas") if isinstance(data.get("formulas"), dict) else {}

    if v.issues:
        raise ScenarioError(source, v.issues)
    return Scenario(
        name=name, description=description, source=source, years=years, samples=int(samples), seed=int(seed),
        sampling=sampling, params=params, correlations=tuple(correlations), nodes=tuple(ordered),
        outputs=outputs, checks=tuple(checks), blocs=blocs, summary_years=summary_years, raw=data,
        texts=tuple(texts), overrides=tuple(overrides), lines=flat_lines, plugins=plugins,
        plots=plots, sweeps=sweeps, sensitivity=sensitivity,
        formulas={str(k): str(t) for k, t in formulas_raw.items()}, fit_params=fit_params, as_of=v.as_of,
        outputs_listed=outputs_raw is not None, strict_units=strict_units,
    )
