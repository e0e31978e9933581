"""The ``plots:`` key of a scenario: which figures it produces, checked up front, with defaults.

A scenario lists figure entries::

    plots:
      - {kind: fan, output: training_cost_usd, log: true}
      - {kind: race, output: largest_run_effective_flop}
      - {kind: cdf, output: capability_crossing_year}
      - {kind: hist, output: implied_mfu_frac, year: 2024}
      - {kind: tornado, output: effective_flop, year: 2030}
      - {kind: checks}

Without ``plots:`` a scenario gets :func:`default_specs`: a fan chart of each output over the
years (at most six; histograms for a single-year scenario), a race chart of each per-bloc output,
a CDF of each per-sample value (crossing years), a tornado of the first varying output, and the
checks table when there are checks.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from costsim.errors import Issue, ScenarioError

KINDS = {
    "fan": "an output over the years: median and 50/80/90% bands (bloc: for per-bloc outputs)",
    "hist": "the distribution of an output at one year (year:, bloc:)",
    "race": "leader vs follower of an output with axes (year, bloc)",
    "cdf": "CDF of a per-sample value per bloc (crossing years); or threshold: for an output over the years",
    "tornado": "what moves an output: each parameter swung alone from its 5th to its 95th percentile",
    "checks": "the scenario's checks: claim, value, PASS/FAIL",
}
ENTRY_KEYS = ("kind", "output", "log", "year", "bloc", "threshold", "title", "file")
MAX_DEFAULT_FANS = 6
MAX_DEFAULT_RACES = 3
MAX_DEFAULT_CDFS = 3


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
        if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, (int, float))):
            add(f"{at}.threshold", "must be a number", "a number (write 1.0e+29)", threshold)
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


def default_specs(results, *, prefer: str = "first") -> list[PlotSpec]:
    """The figures a scenario without ``plots:`` gets, chosen from the shapes of its outputs.

    A fan chart of each output over the years (histograms for a single-year scenario; at most
    MAX_DEFAULT_FANS), a race chart of each per-bloc output (at most MAX_DEFAULT_RACES), a CDF of
    each per-sample value such as a crossing year (at most MAX_DEFAULT_CDFS), a tornado of the
    first output that varies, and the checks table. 0/1 flags and outputs that are the same in
    every sample are left out. ``prefer="last"`` keeps the last outputs when there are more than
    the caps: without an ``outputs:`` list the outputs come in model order, and the downstream
    ones are the results a reader wants.
    """
    if prefer not in ("first", "last"):
        raise ValueError(f"prefer must be 'first' or 'last', got {prefer!r}")
    multi_year = len(results.years) > 1

    def pick(names: list[str], cap: int) -> list[str]:
        chosen = names[:cap] if prefer == "first" else names[-cap:] if cap else []
        return [n for n in names if n in chosen]

    outputs = [n for n in results.outputs if not n.endswith("_flag")]
    year_outputs = [n for n in outputs if results.axes_of(n) == ("year",) and _varies(results.outputs[n])]
    bloc_outputs = [n for n in outputs if results.axes_of(n) == ("year", "bloc") and _varies(results.outputs[n])]
    per_sample = [n for n in outputs if results.axes_of(n) in ((), ("bloc",)) and _varies(results.outputs[n])]
    specs: list[PlotSpec] = []
    for name in pick(year_outputs, MAX_DEFAULT_FANS):
        # an output the same in every year (a cluster's power) has a distribution, not a trend
        over_years = multi_year and _varies_over_years(results.outputs[name])
        specs.append(PlotSpec("fan", name) if over_years else PlotSpec("hist", name))
    for name in pick(bloc_outputs, MAX_DEFAULT_RACES):
        specs.append(PlotSpec("race", name) if multi_year else PlotSpec("hist", name, bloc=results.blocs[0]))
    for name in pick(per_sample, MAX_DEFAULT_CDFS):
        specs.append(PlotSpec("cdf", name))
    fans = pick(year_outputs, MAX_DEFAULT_FANS)
    scalars = [n for n in per_sample if results.axes_of(n) == ()]
    # the tornado explains the headline: the first listed output, or the most downstream one
    targets = fans + scalars if prefer == "first" else scalars[::-1] + fans[::-1]
    driver = _tornado_default(results, targets, bloc_outputs)
    if driver is not None:
        specs.append(driver)
    if results.checks:
        specs.append(PlotSpec("checks"))
    return specs


def _varies(arr) -> bool:
    import numpy as np

    a = np.asarray(arr, dtype=float)
    return bool(a.size) and bool(np.nanmax(a) > np.nanmin(a))


def _varies_over_years(arr) -> bool:
    import numpy as np

    a = np.asarray(arr, dtype=float)
    return bool(np.any(a != a[:, :1]))


def _tornado_default(results, targets: list[str], bloc_outputs: list[str]) -> PlotSpec | None:
    """A tornado of the first target that varies (at the last year), when two or more parameters vary."""
    if sum(_varies(v) for v in results.params.values()) < 2:
        return None
    last = int(results.years[-1])
    for name in targets:
        if "year" in results.axes_of(name):
            if _varies(results.at_year(name, last)):
                return PlotSpec("tornado", name, year=last if len(results.years) > 1 else None)
        elif _varies(results.outputs[name]):
            return PlotSpec("tornado", name)
    for name in bloc_outputs:
        if _varies(results.at_year(name, last, results.blocs[0])):
            return PlotSpec("tornado", name, year=last, bloc=results.blocs[0])
    return None


def draw(spec: PlotSpec, results, *, tornado: dict | None = None):
    """Draw one PlotSpec from Results on a new Figure; return its Axes.

    ``tornado``: the one-at-a-time swings of a tornado spec (``{"names", "low", "high", "base",
    "quantiles"}``, e.g. from ``costsim.sensitivity.tornado(...).at(output, year, bloc)``), as the
    report and ``costsim plot SCENARIO`` draw it. Without them a tornado is read from the samples
    (:func:`costsim.plots.tornado_from_samples`) with each bar's Monte Carlo error, and bars within
    two errors of zero are left out; the figure says which of the two methods it shows.
    """
    from costsim.plots.checks import checks_table
    from costsim.plots.fan import distribution, fan
    from costsim.plots.race import cdf, race
    from costsim.plots.tornado import tornado as tornado_plot
    from costsim.plots.tornado import tornado_from_samples

    if spec.kind == "fan":
        return fan(results, spec.output, bloc=spec.bloc, log=spec.log, title=spec.title)
    if spec.kind == "hist":
        return distribution(results, spec.output, year=spec.year, bloc=spec.bloc, log=spec.log, title=spec.title)
    if spec.kind == "race":
        return race(results, spec.output, log=spec.log, title=spec.title)
    if spec.kind == "cdf":
        return cdf(results, spec.output, threshold=spec.threshold,
                   blocs=None if spec.bloc is None else [spec.bloc], title=spec.title)
    if spec.kind == "tornado":
        year = spec.year if spec.year is not None else (
            int(results.years[-1]) if "year" in results.axes_of(spec.output) else None)
        over_years = "year" in results.axes_of(spec.output) and len(results.years) > 1
        where = f" in {year}" if year is not None and (spec.year is not None or over_years) else ""
        title = spec.title or f"{results.meta.get('scenario', '')}: what moves {spec.output}{where}".lstrip(": ")
        if tornado is not None:
            lo_q, hi_q = tornado.get("quantiles", (0.05, 0.95))
            return tornado_plot(tornado, output=spec.output, log=spec.log, title=title,
                                low_label=f"parameter at its {_pct(lo_q)} percentile",
                                high_label=f"parameter at its {_pct(hi_q)} percentile",
                                method="one at a time: each parameter swung alone, the others at their medians")
        data = tornado_from_samples(results, spec.output, year=year, bloc=spec.bloc)
        return tornado_plot(data, output=spec.output, log=spec.log, title=title,
                            low_label="median, parameter in its lowest 10%",
                            high_label="median, parameter in its highest 10%",
                            method="from the samples: median with each parameter in its lowest / highest 10%, "
                                   "others as sampled; whiskers: 2 MC errors")
    if spec.kind == "checks":
        return checks_table(results, title=spec.title)
    raise ValueError(f"unknown figure kind {spec.kind!r}; expected one of {', '.join(KINDS)}")


def _pct(q: float) -> str:
    p = round(100 * float(q), 1)
    text = f"{p:g}"
    suffix = "th" if 10 <= p % 100 <= 20 or int(p) != p else {1: "st", 2: "nd", 3: "rd"}.get(int(p) % 10, "th")
    return text + suffix
