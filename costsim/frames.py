"""Results as data frames and in notebooks: pandas, xarray, a compact repr and an HTML table.

These back the methods of :class:`costsim.results.Results`::

    res.to_pandas()    # the tidy summary (summary.csv) as a DataFrame
    res.to_xarray()    # every sample: a Dataset with dims sample, year, bloc; units in attrs
    res                # in a notebook: a summary table (median and 90% interval) and the checks

pandas and xarray are optional (``pip install 'costsim[frames]'``); they are imported only here,
only when asked for.
"""

from __future__ import annotations

import html
import importlib

import numpy as np

from costsim.units import suffix_of, unit_of

SUMMARY_COLUMNS = ("scenario", "output", "unit", "bloc", "year", "statistic", "value", "mc_se")
MAX_HTML_YEARS = 3  # columns of the notebook table: first, middle and last year
MAX_REPR_OUTPUTS = 8  # a repr stays a few lines; to_pandas() and to_xarray() have everything


def _require(module: str, what: str):
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"{what} needs {module}, which is not installed; install it with "
                          f"pip install 'costsim[frames]' (or pip install {module})") from None


def _unit(name: str) -> str:
    return unit_of(name) if suffix_of(name) else ""


def to_pandas(results):
    """The tidy summary of a run as a pandas DataFrame, one row per statistic.

    Columns: scenario, output, unit, bloc, year, statistic (mean, sd, p05 ... p95), value and
    mc_se (its Monte Carlo standard error), the rows of ``summary.csv`` at full precision.
    ``year`` is a nullable integer (``<NA>`` for outputs without a year axis) and ``bloc`` is
    ``""`` for outputs without a bloc axis, as in summary.csv.
    """
    pd = _require("pandas", "Results.to_pandas()")
    frame = pd.DataFrame(results.summary_rows(), columns=list(SUMMARY_COLUMNS))
    frame["year"] = pd.array([None if y == "" else int(y) for y in frame["year"]], dtype="Int64")
    frame["value"] = frame["value"].astype(float)
    frame["mc_se"] = frame["mc_se"].astype(float)
    return frame


def to_xarray(results):
    """Every sample of a run as an xarray Dataset.

    Each output is a variable over ``sample`` and its own axes (``year``, ``bloc``); each
    sampled parameter is a variable over ``sample``. ``attrs`` carry the unit (``units``) and
    whether a variable is an output or a parameter (``kind``); the Dataset's attrs carry the
    scenario name, n, seed, design and costsim version. Arrays are shared, not copied.
    """
    xr = _require("xarray", "Results.to_xarray()")
    coords = {"sample": np.arange(results.n), "year": np.asarray(results.years).astype(int)}
    if results.blocs:
        coords["bloc"] = list(results.blocs)
    data = {}
    for name, arr in results.params.items():
        if name in results.outputs or np.ndim(arr) != 1:
            continue
        data[name] = xr.Variable(("sample",), arr, {"units": _unit(name), "kind": "parameter"})
    for name, arr in results.outputs.items():
        dims = ("sample", *results.axes_of(name))
        data[name] = xr.Variable(dims, arr, {"units": _unit(name), "kind": "output"})
    used = {d for v in data.values() for d in v.dims}
    meta = results.meta
    attrs = {"scenario": meta.get("scenario", ""), "n": results.n, "seed": meta.get("seed", ""),
             "design": meta.get("design", ""), "costsim_version": meta.get("costsim_version", "")}
    return xr.Dataset(data, coords={k: v for k, v in coords.items() if k in used}, attrs=attrs)


def _fmt(x: float) -> str:
    if x != x:
        return "nan"
    ax = abs(x)
    if ax != 0 and (ax >= 1e5 or ax < 1e-3):
        return f"{x:.3e}"
    return f"{x:.4g}"


def _header(results) -> str:
    meta = results.meta
    name = meta.get("scenario") or "?"
    years = np.asarray(results.years)
    span = f"years {int(years[0])}-{int(years[-1])}" if len(years) else "no years"
    return f"{name}: n={results.n:,} seed={meta.get('seed', '?')} design={meta.get('design', '?')}, {span}"


def _shape(results, name: str) -> str:
    return "(" + ", ".join(("sample", *results.axes_of(name))) + ")"


def results_repr(results) -> str:
    """A few lines: scenario, n, seed, years; each output with unit and axes; the checks' tally."""
    lines = [f"<costsim Results {_header(results)}>"]
    names = list(results.outputs)
    for name in names[:MAX_REPR_OUTPUTS]:
        unit = _unit(name)
        lines.append(f"  {name}" + (f" [{unit}]" if unit else "") + f" {_shape(results, name)}")
    if len(names) > MAX_REPR_OUTPUTS:
        lines.append(f"  ... and {len(names) - MAX_REPR_OUTPUTS} more outputs")
    with_blocs = any("bloc" in results.axes_of(name) for name in names)
    lines.append(f"  {len(results.params)} sampled parameters" + (f", blocs {', '.join(results.blocs)}"
                                                                     if with_blocs else ""))
    if results.checks:
        passed = sum(c.verdict == "PASS" for c in results.checks)
        close = sum(c.verdict == "CLOSE" for c in results.checks)
        lines.append(f"  checks: {passed} of {len(results.checks)} passed"
                     + (f", {close} too close to call" if close else ""))
    return "\n".join(lines)


def _table_years(results) -> list:
    years = [int(y) for y in np.asarray(results.years)]
    if len(years) <= MAX_HTML_YEARS:
        return years
    return [years[0], years[len(years) // 2], years[-1]]


def summary_html(results) -> str:
    """An HTML table of each output's median and 90% interval (first, middle, last year) and the checks."""
    esc = html.escape
    years = _table_years(results)
    head = "".join(f"<th>{y}</th>" for y in years)
    rows = []
    for name in results.outputs:
        axes = results.axes_of(name)
        for bloc in (results.blocs if "bloc" in axes else (None,)):
            span = "" if "year" in axes else f' colspan="{len(years)}"'  # one value for every year
            cells = []
            for year in (years if "year" in axes else [None]):
                p5, p50, p95 = results.quantiles(name, [0.05, 0.5, 0.95], year=year, bloc=bloc)
                cells.append(f"<td{span}>{esc(_fmt(float(p50)))}<br><small>[{esc(_fmt(float(p5)))}, "
                             f"{esc(_fmt(float(p95)))}]</small></td>")
            label = esc(name) + (f" {{{esc(bloc)}}}" if bloc else "")
            rows.append(f"<tr><td><code>{label}</code></td><td>{esc(_unit(name))}</td>{''.join(cells)}</tr>")
    parts = [f"<div><p><b>costsim Results</b> {esc(_header(results))}</p>",
             "<table><thead><tr><th>output</th><th>unit</th>" + head + "</tr></thead>",
             "<tbody>" + "".join(rows) + "</tbody></table>",
             "<p><small>median, and [5%, 95%] below it</small></p>"]
    if results.checks:
        checks = "".join(
            f"<tr><td>{c.verdict}</td><td>{esc(c.claim)}</td>"
            f"<td>{esc(c.description)}: {esc(_fmt(c.value))} &plusmn; {esc(_fmt(c.se))}</td></tr>"
            for c in results.checks)
        parts.append("<table><thead><tr><th></th><th>check</th><th>measured (MC se)</th></tr></thead>"
                     f"<tbody>{checks}</tbody></table>")
    parts.append("</div>")
    return "\n".join(parts)


__all__ = ["results_repr", "summary_html", "to_pandas", "to_xarray"]
