"""The scenario's analysis sections, checked by the one validation pass: ``plots:``, ``sweeps:``,
``sensitivity:`` and ``correlations:`` (the matrix as a whole).

Each parser returns typed, frozen values (:class:`PlotSpec`, :class:`Axis`,
:class:`SensitivitySpec`) that the consumers (report, plot, sweep, sensitivity) read from the
``Scenario`` instead of re-reading its raw data, so ``costsim validate`` and the commands can
not disagree. The tables here (``KINDS``, ``SENSITIVITY_METHODS``...) are the ones the JSON
Schema is generated from.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from dataclasses import dataclass

import numpy as np

from costsim.errors import Issue, ScenarioError

TOP_KEYS = (
    "schema_version", "name", "description", "extends", "years", "samples", "seed", "sampling",
    "blocs", "summary_years", "params", "correlations", "models", "formulas", "outputs", "checks",
    "plots", "sweeps", "sensitivity", "policy", "data", "as_of", "strict_units",
)


# ----------------------------------------------------------------------------------- plots
KINDS = {
    "fan": "an output over the years: median and 50/80/90% bands (bloc: for per-bloc outputs)",
    "hist": "the distribution of an output at one year (year:, bloc:)",
    "race": "leader vs follower of an output with axes (year, bloc)",
    "cdf": "CDF of a per-sample value per bloc (crossing years); or threshold: for an output over the years",
    "tornado": "what moves an output: each parameter swung alone from its 5th to its 95th percentile",
    "checks": "the scenario's checks: claim, value, PASS/FAIL",
}
ENTRY_KEYS = ("kind", "output", "log", "year", "bloc", "threshold", "title", "file")


@dataclass(frozen=True)
class PlotSpec:
    """One figure a scenario asks for (validated)."""

    kind: str
    output: str | None = None
    log: bool | None = None
    year: int | None = None
    bloc: str | None = None
    threshold: float | None = None
    title: str | None = None
    file: str | None = None  # file stem; default derived from kind, output and bloc

    @property
    def stem(self) -> str:
        if self.file:
            return self.file
        parts = [self.kind] + [str(p) for p in (self.output, self.bloc, self.year) if p is not None]
        return re.sub(r"[^A-Za-z0-9_.-]+", "_", "_".join(parts))

    def describe(self) -> str:
        bits = [self.kind] + [f"{k}={v}" for k, v in (("output", self.output), ("bloc", self.bloc),
                                                       ("year", self.year), ("threshold", self.threshold))
                              if v is not None]
        return " ".join(bits)


def _hint(got: object, choices) -> str:
    close = difflib.get_close_matches(str(got), list(choices), n=1)
    return f"Did you mean {close[0]!r}?" if close else ""


def parse_plots(raw, outputs: dict[str, tuple[str, ...] | None], years, blocs, *, source: str = "<scenario>",
                lines: dict[str, int] | None = None, has_checks: bool = True) -> list[PlotSpec]:
    """Validate a scenario's ``plots:`` list; return PlotSpecs or raise one ScenarioError.

    Parameters
    ----------
    raw : list of mappings
        The ``plots:`` value as read from YAML.
    outputs : dict
        Output name -> its axes (``("year",)``, ``("year", "bloc")``, ``("bloc",)``, ``()``), or
        None when not known before running (formula outputs): their axes are then not checked.
    years, blocs : sequences
        The scenario's years and bloc names.
    source : str
        File name for the messages; ``lines`` maps ``plots[2].output`` to its line.
    """
    lines = lines or {}
    issues: list[Issue] = []
    years = [int(y) for y in years]

    def add(path, problem, expected=None, got=None, hint=""):
        issues.append(Issue(path, problem, expected, got, line=_line(lines, path), hint=hint))

    if raw is None:
        return []
    if not isinstance(raw, list):
        add("plots", "must be a list of figure entries", "[{kind: fan, output: training_cost_usd}, ...]", raw)
        raise ScenarioError(source, issues)
    specs: list[PlotSpec] = []
    for i, entry in enumerate(raw):
        at = f"plots[{i}]"
        if isinstance(entry, str):
            entry = {"kind": entry}
        if not isinstance(entry, dict):
            add(at, "must be a mapping", "{kind: fan, output: NAME}", entry)
            continue
        bad = False
        for key in entry:
            if key not in ENTRY_KEYS:
                add(f"{at}.{key}", "unknown key", f"one of {', '.join(ENTRY_KEYS)}", key, _hint(key, ENTRY_KEYS))
                bad = True
        kind = entry.get("kind")
        if kind not in KINDS:
            add(f"{at}.kind", "unknown figure kind", f"one of {', '.join(KINDS)}", kind, _hint(kind, KINDS))
            continue
        output = entry.get("output")
        axes = None
        if kind == "checks":
            if output is not None:
                add(f"{at}.output", "a checks table takes no output", "no output:", output)
                bad = True
            if not has_checks:
                add(f"{at}.kind", "the scenario has no checks to tabulate", "checks: in the scenario", kind)
                bad = True
        elif output is None:
            issues.append(Issue(at, f"a {kind} figure needs an output", f"{{kind: {kind}, output: NAME}}",
                                line=_line(lines, at)))
            continue
        elif output not in outputs:
            add(f"{at}.output", "unknown output", "one of the scenario's outputs (outputs:)", output,
                _hint(output, outputs))
            continue
        else:
            axes = outputs[output]
        log = entry.get("log")
        if log is not None and not isinstance(log, bool):
            add(f"{at}.log", "must be true or false", "true | false", log)
            bad = True
        year = entry.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int) or year not in years):
            add(f"{at}.year", "must be a year of the scenario",
                f"a whole year in {years[0]}..{years[-1]}" if years else "a year", year)
            bad = True
        bloc = entry.get("bloc")
        if bloc is not None and bloc not in blocs:
            add(f"{at}.bloc", "unknown bloc", f"one of {', '.join(blocs)}", bloc, _hint(bloc, blocs))
            bad = True
        threshold = entry.get("threshold")
        if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, (int, float))
                                      or not math.isfinite(threshold)):
            add(f"{at}.threshold", "must be a number", "a finite number (write 1.0e+29)", threshold)
            bad = True
        for key in ("title", "file"):
            val = entry.get(key)
            if val is not None and not isinstance(val, str):
                add(f"{at}.{key}", "must be text", "a string", val)
                bad = True
        if entry.get("file") is not None and not re.match(r"^[A-Za-z0-9_.-]+$", str(entry["file"])):
            add(f"{at}.file", "must be a plain file stem", "letters, digits, _ . - (no folders, no extension)",
                entry["file"])
            bad = True
        if axes is not None:
            problem = _axes_problem(kind, axes, bloc, threshold)
            if problem:
                add(f"{at}.output", problem[0], problem[1], output)
                bad = True
            else:
                for key in _ignored(kind, axes, entry):  # drawn without it: the figure is not what was asked
                    add(f"{at}.{key}", f"a {kind} figure of {output} does not use {key}: (it would be ignored)",
                        f"no {key}:", entry[key])
                    bad = True
        elif kind == "checks":
            for key in ("year", "bloc", "threshold"):
                if entry.get(key) is not None:
                    add(f"{at}.{key}", f"a checks table does not use {key}: (it would be ignored)", f"no {key}:",
                        entry[key])
                    bad = True
        if not bad:
            specs.append(PlotSpec(kind, output, log, year, bloc,
                                  None if threshold is None else float(threshold), entry.get("title"),
                                  entry.get("file")))
    stems = {}
    for i, spec in enumerate(specs):
        if spec.stem in stems:
            add(f"plots[{i}]", "draws the same file as an earlier entry",
                "a distinct entry, or file: to name it", spec.stem)
        stems[spec.stem] = i
    if issues:
        raise ScenarioError(source, issues)
    return specs


def _line(lines: dict[str, int], path: str) -> int | None:
    """Line of ``path``, or of its nearest enclosing entry (``plots[2].log`` -> ``plots[2]``)."""
    while path:
        if path in lines:
            return lines[path]
        up = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", path)
        if up == path:
            return None
        path = up
    return None


def _ignored(kind: str, axes: tuple[str, ...], entry: dict) -> list[str]:
    """The keys of a plots: entry that its kind and output's axes would not use."""
    has_year, has_bloc = "year" in axes, "bloc" in axes
    bloc = {"bloc"} if has_bloc else set()
    year = {"year"} if has_year else set()
    used = {"fan": bloc, "hist": year | bloc, "tornado": year | bloc, "race": set(),
            "cdf": ({"threshold"} if has_year else set()) | bloc}.get(kind, set())
    return [key for key in ("year", "bloc", "threshold") if entry.get(key) is not None and key not in used]


def _axes_problem(kind: str, axes: tuple[str, ...], bloc, threshold) -> tuple[str, str] | None:
    has_year, has_bloc = "year" in axes, "bloc" in axes
    shown = f"axes ({', '.join(axes)})" if axes else "a per-sample value"
    if kind == "fan":
        if not has_year:
            return f"a fan chart needs an output over the years; this one is {shown}", "an output with a year axis"
        if has_bloc and bloc is None:
            return "this output has one series per bloc; add bloc: or use kind: race", "bloc: NAME"
    if kind == "race" and axes != ("year", "bloc"):
        return f"a race chart needs an output with axes (year, bloc); this one is {shown}", "axes (year, bloc)"
    if kind == "cdf" and has_year and threshold is None:
        return "a CDF of an output over the years needs threshold: (its crossing year)", "threshold: NUMBER"
    if kind in ("hist", "tornado") and has_bloc and bloc is None:
        return "this output has one series per bloc; add bloc:", "bloc: NAME"
    return None


# ----------------------------------------------------------------------------------- sweeps
@dataclass(frozen=True)
class Axis:
    """One swept path and its values (``texts``: each value as written into the override)."""

    path: str
    values: tuple
    texts: tuple[str, ...]

    def overrides(self, i: int) -> str:
        return f"{self.path}={self.texts[i]}"


# ----------------------------------------------------------------------------------- parsing axes
def _path(key: str) -> str:
    key = key.strip()
    first = key.split(".", 1)[0].split("[", 1)[0]
    return key if first in TOP_KEYS else f"params.{key}"


def _yaml_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return json.dumps(str(value))  # quoted, so "on" or "1e3" stay strings


def _number(text: str) -> float | None:
    from costsim.yamlio import load_value

    try:
        value = load_value(text)
    except ScenarioError:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return value


MAX_AXIS_VALUES = 1_000_000  # values of one lo:hi:num range (each becomes an override text)


def _range(path: str, low, high, num, log, where: str) -> tuple[Axis | None, list[Issue]]:
    issues = []
    if not isinstance(num, int) or isinstance(num, bool) or num < 1:
        issues.append(Issue(where, "number of values must be a positive whole number", ">= 1", num))
    elif num > MAX_AXIS_VALUES:  # listed before the grid's size is checked: 1e8 values hung, 1e12 a MemoryError
        issues.append(Issue(where, "too many values on one axis", f"at most {MAX_AXIS_VALUES:,}", num,
                            hint="A grid is refused past 10,000 points unless --max-points allows it."))
    if log and isinstance(low, (int, float)) and isinstance(high, (int, float)) and not (low > 0 and high > 0):
        issues.append(Issue(where, "a log-spaced range needs positive ends", "low > 0 and high > 0", [low, high]))
    if issues:
        return None, issues
    grid = np.geomspace(low, high, num) if log else np.linspace(low, high, num)
    if num == 1:
        grid = np.array([float(low)])
    values: list = [float(f"{v:.12g}") for v in grid]
    if not log and isinstance(low, int) and isinstance(high, int) and all(v == int(v) for v in values):
        values = [int(v) for v in values]
    return Axis(path, tuple(values), tuple(_yaml_text(v) for v in values)), []


#: Paths a sweep cannot vary: each point's samples and seed are the sweep's own (``-n``, ``--seed``,
#: ``--independent-seeds``), so a point's ``seed=``/``samples=`` would be overwritten: same rows, new labels.
_NOT_AXES = {
    "seed": "every point runs on the sweep's root seed (--seed), or on its own seed with --independent-seeds",
    "samples": "every point runs at the sweep's -n (default: the scenario's samples:)",
}


def _not_an_axis(path: str, where: str) -> list[Issue]:
    reason = _NOT_AXES.get(path)
    return [] if reason is None else [Issue(where, f"{path} is not a sweep axis: {reason}",
                                            "a parameter or section path, e.g. params.x=1,2,4", path)]


def _parse_spec(path: str, spec: str, where: str) -> tuple[Axis | None, list[Issue]]:
    from costsim.yamlio import load_value

    spec = spec.strip()
    parts = spec.split(":")
    if len(parts) in (3, 4) and "," not in spec:
        low, high = _number(parts[0]), _number(parts[1])
        num = _number(parts[2])
        log = len(parts) == 4
        if log and parts[3].strip() != "log":
            return None, [Issue(where, "unknown range scale", "lo:hi:num or lo:hi:num:log", spec)]
        if low is None or high is None or num is None or num != int(num):
            return None, [Issue(where, "cannot read the range", "lo:hi:num with numbers, e.g. 1:8:4 or 1e8:1e10:3:log",
                                spec)]
        return _range(path, low, high, int(num), log, where)
    tokens = [t.strip() for t in spec.split(",")]
    if not spec or any(not t for t in tokens):
        return None, [Issue(where, "empty value in the list", "comma-separated values, e.g. 1,2,4,8", spec)]
    values = []
    for t in tokens:
        try:
            values.append(load_value(t))
        except ScenarioError:
            return None, [Issue(where, "cannot read value", "a YAML scalar (number or word)", t)]
    return Axis(path, tuple(values), tuple(tokens)), []


def parse_over(text: str) -> Axis:
    """Read one ``--over PATH=VALUES`` option.

    >>> parse_over("params.base_budget_usd=1e8:1e10:3:log").values
    (100000000.0, 1000000000.0, 10000000000.0)
    >>> parse_over("cost_decline_x_per_year=2,4").path
    'params.cost_decline_x_per_year'
    """
    if "=" not in text:
        raise ScenarioError("--over", [Issue("--over", "must be PATH=VALUES", "e.g. params.x=1,2,4 or params.x=1:8:4",
                                             text)])
    key, spec = text.split("=", 1)
    path = _path(key)
    axis, issues = _parse_spec(path, spec, f"--over {path}")
    issues = _not_an_axis(path, f"--over {path}") + issues
    if issues:
        raise ScenarioError("--over", issues)
    return axis


def sweep_path(key: str) -> str:
    """The full ``--set`` path of a sweep key or ``--over`` path (a bare name means ``params.NAME``)."""
    return _path(key)


def parse_sweeps(raw) -> tuple[tuple[Axis, ...], list[Issue]]:
    """Read a ``sweeps:`` block into axes (paths not yet checked against the scenario)."""
    if raw is None:
        return (), []
    if not isinstance(raw, dict) or not raw:
        return (), [Issue("sweeps", "must map scenario paths to values", "e.g. {params.x: [1, 2, 4]}", raw)]
    axes, issues = [], []
    for key, spec in raw.items():
        where = f"sweeps.{key}"
        path = _path(str(key))
        found: list[Issue] = []
        axis = None
        if isinstance(spec, list) and spec:
            if any(v is None or isinstance(v, (list, dict)) for v in spec):
                found = [Issue(where, "values must be numbers or words", "a list of scalars", spec)]
            else:
                axis = Axis(path, tuple(spec), tuple(_yaml_text(v) for v in spec))
        elif isinstance(spec, str):
            axis, found = _parse_spec(path, spec, where)
        elif isinstance(spec, dict):
            unknown = sorted(set(spec) - {"low", "high", "num", "log"})
            lo, hi = spec.get("low"), spec.get("high")
            if unknown:
                found = [Issue(where, f"unknown range key {unknown[0]!r}", "low, high, num, log", unknown[0])]
            elif not all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
                         for x in (lo, hi)):
                found = [Issue(where, "a range needs numbers low and high", "{low: 1, high: 8, num: 4}", spec)]
            else:
                axis, found = _range(path, lo, hi, spec.get("num"), bool(spec.get("log", False)), where)
        else:
            found = [Issue(where, "must be a list of values, a range or a string", "[1, 2, 4] or {low: 1, high: 8, "
                           "num: 4} or '1:8:4'", spec)]
        found = _not_an_axis(path, where) or found
        issues.extend(Issue(where, i.problem, i.expected, i.got, hint=i.hint) for i in found)
        if axis is not None and not found:
            axes.append(axis)
    return tuple(axes), issues


# ----------------------------------------------------------------------------------- sensitivity
SENSITIVITY_METHODS = ("sobol", "morris", "tornado")
SENSITIVITY_KEYS = ("method", "outputs", "years", "n_base", "resamples", "log10", "trajectories", "levels",
                    "quantiles", "bounds")


@dataclass(frozen=True)
class SensitivitySpec:
    """The checked ``sensitivity:`` block: only the keys the scenario wrote, in its order."""

    items: tuple[tuple[str, object], ...] = ()

    @property
    def method(self) -> str:
        return str(dict(self.items).get("method", "sobol"))

    def options(self) -> dict:
        """The block as a fresh dict (``log10: auto`` read as None: decide per output)."""
        import copy

        out = copy.deepcopy(dict(self.items))
        if out.get("log10") == "auto":
            out["log10"] = None
        return out


def parse_sensitivity(raw, *, outputs, years, params: dict) -> tuple[SensitivitySpec | None, list[Issue]]:
    """Check a ``sensitivity:`` block against the scenario's outputs, years and parameters.

    Returns the spec (None without a block) and the issues, located by path only.
    """
    if raw is None:
        return None, []
    if not isinstance(raw, dict):
        return None, [Issue("sensitivity", "must be a mapping",
                            "e.g. {method: sobol, n_base: 4096, outputs: [...]}", raw)]
    issues: list[Issue] = []

    def bad(key, problem, expected, got=None, hint=""):
        issues.append(Issue(f"sensitivity.{key}", problem, expected, raw[key] if got is None else got, hint=hint))

    for key in raw:
        if key not in SENSITIVITY_KEYS:
            issues.append(Issue(f"sensitivity.{key}", "unknown sensitivity key",
                                ", ".join(SENSITIVITY_KEYS), key, hint=_hint(key, SENSITIVITY_KEYS)))
    if "method" in raw and raw["method"] not in SENSITIVITY_METHODS:
        bad("method", "unknown method", f"one of {', '.join(SENSITIVITY_METHODS)}",
            hint=_hint(raw["method"], SENSITIVITY_METHODS))
    for key in ("n_base", "resamples", "trajectories", "levels"):
        if key in raw and (isinstance(raw[key], bool) or not isinstance(raw[key], int) or raw[key] < 2):
            bad(key, "must be a whole number", ">= 2")
    names = raw.get("outputs")
    if names is not None:
        if not isinstance(names, list) or not all(isinstance(o, str) for o in names):
            bad("outputs", "must be a list of output names", "[effective_flop]")
        else:
            for i, name in enumerate(names):
                if name not in outputs:
                    issues.append(Issue(f"sensitivity.outputs[{i}]", "unknown output",
                                        "an output of the scenario's models or formulas", name,
                                        hint=_hint(name, outputs)))
    if "years" in raw:
        ys = raw["years"]
        if not isinstance(ys, list) or not all(isinstance(y, int) and not isinstance(y, bool) for y in ys):
            bad("years", "must be a list of years", "[2030]")
        elif years is not None:
            known = {int(y) for y in years}
            for i, y in enumerate(ys):
                if y not in known:
                    issues.append(Issue(f"sensitivity.years[{i}]", "year not in the scenario's years",
                                        f"a whole year in {int(years[0])}..{int(years[-1])}", y))
    if "log10" in raw and raw["log10"] not in (True, False, "auto"):
        bad("log10", "must be auto, true or false", "auto | true | false")
    q = raw.get("quantiles")
    if q is not None and not (isinstance(q, list) and len(q) == 2
                              and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in q)
                              and 0 < q[0] < q[1] < 1):
        bad("quantiles", "must be two probabilities, low first", "[0.05, 0.95]")
    b = raw.get("bounds")
    if b is not None:
        if not (isinstance(b, dict) and all(isinstance(v, list) and len(v) == 2 and all(
                isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in v)
                for v in b.values())):
            bad("bounds", "must map parameters to [low, high]", "{cost_decline_x_per_year: [2, 8]}")
        else:
            for name in b:
                if name not in params:
                    issues.append(Issue(f"sensitivity.bounds.{name}", "unknown parameter", "a parameter name",
                                        name, hint=_hint(name, params)))
                elif not b[name][0] <= b[name][1]:  # the tornado then labelled 5 its low input and 2 its high
                    issues.append(Issue(f"sensitivity.bounds.{name}", "low must not exceed high",
                                        "[low, high] with low <= high", b[name]))
    if issues:
        return None, issues
    return SensitivitySpec(tuple(raw.items())), []


# ----------------------------------------------------------------------------------- correlations
def correlation_issue(correlations, lines: dict | None = None) -> Issue | None:
    """The pair that makes the copula's correlation matrix impossible (not positive definite), if any.

    The same rule as the sampler (rank correlation -> Pearson ``2 sin(pi rho / 6)``); the issue
    names the pair that pushes the smallest eigenvalue below zero the most and the other pairs
    that conflict with it, so ``validate`` refuses what ``run`` would.
    """
    if not correlations:
        return None
    names: list[str] = []
    for a, b, _ in correlations:
        for x in (a, b):
            if x not in names:
                names.append(x)
    idx = {n: i for i, n in enumerate(names)}
    corr = np.eye(len(names))
    for a, b, rho in correlations:
        corr[idx[a], idx[b]] = corr[idx[b], idx[a]] = 2.0 * math.sin(math.pi * rho / 6.0)
    try:
        np.linalg.cholesky(corr)
        return None
    except np.linalg.LinAlgError:
        pass
    _, vectors = np.linalg.eigh(corr)
    v = vectors[:, 0]
    share = [float(v[idx[a]] * v[idx[b]] * corr[idx[a], idx[b]]) for a, b, _ in correlations]
    k = min(range(len(share)), key=lambda j: (round(share[j], 9), -j))
    a, b, rho = correlations[k]
    others = [f"{x}~{y} {r:g}" for j, (x, y, r) in enumerate(correlations) if j != k and share[j] < -1e-9]
    given = f"Given {', '.join(others)}, this" if others else "This"
    return Issue(f"correlations[{k}]", f"correlation of {a} and {b} makes the matrix not positive definite",
                 "a consistent set of correlations", rho,
                 hint=f"{given} value is impossible; weaken it or one of the others.")
