"""The tables of a report (quantiles at chosen years, parameters with sources) and shared text."""

from __future__ import annotations

import math
import platform
import re
import weakref
from collections.abc import Sequence

import numpy as np

from costsim import __version__
from costsim.plots.style import fmt_number, fmt_se, fmt_value
from costsim.report.sections import Section
from costsim.results import Results
from costsim.units import suffix_of, unit_of


def _years_for(results: Results, summary_years: Sequence[int] = ()) -> list[int]:
    years = [int(y) for y in results.years]
    chosen = [int(y) for y in summary_years if y in years]
    return chosen or list(dict.fromkeys([years[0], years[len(years) // 2], years[-1]]))


# Tables already computed, per Results (whose arrays are read-only): the HTML and the Markdown page
# show the same tables, and a report's worker may compute them beside the summary CSV (remember_tables)
_TABLES: dict[int, tuple[weakref.ref, dict]] = {}


def _tables_of(results: Results) -> dict:
    entry = _TABLES.get(id(results))
    if entry is None or entry[0]() is not results:
        entry = _TABLES[id(results)] = (weakref.ref(results), {})
        weakref.finalize(results, _TABLES.pop, id(results), None)
    return entry[1]


def _table_key(kind: str, results: Results, arg) -> tuple:
    if kind == "summary":
        return (kind, tuple(int(y) for y in (_years_for(results) if arg is None else arg)))
    return (kind, tuple(sorted((str(k), float(v)) for k, v in (arg or {}).items())))


def remember_tables(results: Results, tables: dict) -> None:
    """Keep tables computed elsewhere (by :func:`section_tables`, e.g. in a worker) for this Results."""
    _tables_of(results).update(tables)


def section_tables(section: Section) -> dict:
    """The tables a section's pages show (summary at its years, parameters), for :func:`remember_tables`."""
    results = section.results
    years = _years_for(results, section.summary_years)
    return {_table_key("summary", results, years): summary_table(results, years),
            _table_key("params", results, section.constants): param_table(results, section.constants)}


def summary_table(results: Results, years: Sequence[int] | None = None) -> list[dict]:
    """Rows ``{output, unit, bloc, year, median, p05, p95}`` at the given years.

    Default years: first, middle and last. One row per output x bloc x year; per-sample outputs
    get one row per bloc. Computed once per Results and years (the arrays are read-only).
    """
    key = _table_key("summary", results, years)
    known = _tables_of(results)
    if key not in known:
        known[key] = _summary_rows(results, years)
    return [dict(row) for row in known[key]]


def _summary_rows(results: Results, years: Sequence[int] | None) -> list[dict]:
    years = _years_for(results) if years is None else list(years)
    rows = []
    for name, _arr in results.outputs.items():
        axes = results.axes_of(name)
        unit = unit_of(name) if suffix_of(name) else ""
        blocs = list(results.blocs) if "bloc" in axes else [None]
        yrs = years if "year" in axes else [None]
        for bloc in blocs:
            for yr in yrs:
                x = np.asarray(results.at_year(name, yr, bloc), dtype=float)
                p05, p50, p95 = np.quantile(x, [0.05, 0.5, 0.95])
                rows.append({"output": name, "unit": unit, "bloc": bloc or "", "year": "" if yr is None else yr,
                             "median": float(p50), "p05": float(p05), "p95": float(p95)})
    return rows


def param_table(results: Results, constants: dict[str, float] | None = None) -> list[dict]:
    """Rows ``{name, unit, dist, median, p05, p95, source, note}``, one per parameter.

    Sampled parameters are summarised from their samples, constants by their value. Computed once
    per Results and constants.
    """
    key = _table_key("params", results, constants)
    known = _tables_of(results)
    if key not in known:
        known[key] = _param_rows(results, constants)
    return [dict(row) for row in known[key]]


def _param_rows(results: Results, constants: dict[str, float] | None) -> list[dict]:
    meta = results.meta.get("params", {}) or {}
    rows = []
    for name, info in meta.items():
        unit = unit_of(name) if suffix_of(name) else ""
        row = {"name": name, "unit": unit, "dist": info.get("dist", ""), "source": info.get("source") or "",
               "note": info.get("note") or "", "median": math.nan, "p05": math.nan, "p95": math.nan}
        if name in results.params:
            p05, p50, p95 = np.quantile(np.asarray(results.params[name], dtype=float), [0.05, 0.5, 0.95])
            row.update(median=float(p50), p05=float(p05), p95=float(p95))
        else:
            value = _constant_value(name, info, constants or {})
            row.update(median=value, p05=value, p95=value, dist="constant")
        rows.append(row)
    return rows


def _constant_value(name: str, info: dict, constants: dict[str, float]) -> float:
    if name in constants:
        return float(constants[name])
    try:
        return float(str(info.get("dist", "")).split()[-1])
    except (ValueError, IndexError):
        return math.nan


def _interval(lo: float, hi: float, unit: str = "") -> str:
    return fmt_value(lo, unit) if lo == hi else f"[{fmt_value(lo, unit)}, {fmt_value(hi, unit)}]"


def _check_measured(c) -> str:
    # a median, mean or percentile of an output is in the output's unit; P(...) is a probability
    m = re.match(r"^(?:median|mean|p\d+|q\d+)\(([A-Za-z0-9_]+)", str(c.description))
    unit = (unit_of(m.group(1)) if m and suffix_of(m.group(1)) else "")
    if unit in ("W", "FLOP", "FLOP/s", "USD"):
        se = f" ± {fmt_value(c.se, unit, 2)}" if c.se == c.se and c.se > 0 else ""
        return f"{fmt_value(c.value, unit)}{se}"
    se = f" ± {fmt_se(c.se)}" if c.se == c.se and c.se > 0 else ""
    return f"{fmt_number(c.value)}{se}"


def _check_note(c, n: int) -> str:
    if c.conclusive:
        return ""
    more = f"; about {c.needed_samples:,} samples would settle it" if c.needed_samples else ""
    return f"too close to call at n={n:,}{more}"


def _verdict(c) -> str:
    return ("PASS" if c.passed else "FAIL") + ("" if c.conclusive else "?")


def _overview_sentence(sections: Sequence[Section]) -> str:
    ok = sum(s.status == "OK" for s in sections)
    fail = sum(s.status == "FAIL" for s in sections)
    err = sum(s.status == "ERROR" for s in sections)
    noun = "scenario" if len(sections) == 1 else "scenarios"
    close = sum(s.status == "OK" and s.close_checks > 0 for s in sections)
    parts = [f"{len(sections)} {noun}: {ok - close} ran with every check passing"]
    if close:
        parts.append(f"{close} with no check failed but some too close to call at their sample count")
    if fail:
        parts.append(f"{fail} with failed checks")
    if err:
        parts.append(f"{err} could not run")
    return ", ".join(parts) + "."


def versions() -> dict[str, str]:
    import matplotlib
    import scipy

    return {"costsim": __version__, "numpy": np.__version__, "scipy": scipy.__version__,
            "matplotlib": matplotlib.__version__, "python": platform.python_version()}


def _versions_line() -> str:
    return "Made with " + ", ".join(f"{k} {v}" for k, v in versions().items()) + "."
