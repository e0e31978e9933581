"""Fan charts of an output over the years, overlays of scenarios, and distributions at one year."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import FuncFormatter

from costsim.plots.style import (
    MUTED,
    PALETTE,
    axis_label,
    fmt_value,
    house_style,
    legend_above,
    new_axes,
    plain_ticks,
    scenario_title,
    set_title,
    unit_for,
    use_log,
    year_ticks,
)

DEFAULT_BANDS = (0.9, 0.8, 0.5)
_DASHES = ("-", "--", "-.", ":")


def _year_series(results, name: str, bloc) -> np.ndarray:
    """(n, T) samples of a year-axis output (one bloc of a per-bloc output)."""
    if name not in results.outputs:
        results._get(name)  # raises KeyError with a "did you mean"
        raise ValueError(f"{name!r} is a parameter, not an output; fan charts show outputs over the years")
    axes = results.axes_of(name)
    if "year" not in axes:
        raise ValueError(f"{name!r} has no year axis (axes: {axes or 'none'}); expected an output over the years. "
                         "Use cdf() or distribution() for per-sample values")
    arr = np.asarray(results.outputs[name], dtype=float)
    if "bloc" in axes:
        if bloc is None:
            raise ValueError(f"{name!r} has one series per bloc ({', '.join(results.blocs)}); pass bloc=..., "
                             "or use race() to draw every bloc")
        arr = arr[..., results.bloc_index(bloc)]
    return arr


def _varies_over_years(results, name: str) -> bool:
    arr = np.asarray(results.outputs.get(name, results.params.get(name)), dtype=float)
    if arr.ndim < 2 or arr.shape[1] < 2:
        return False
    with np.errstate(invalid="ignore"):  # NaN samples compare unequal; they do not make a trend
        return bool(np.any(arr != arr[:, :1]) and not np.all(np.isnan(arr) | (arr == arr[:, :1])))


def cap_flag_name(name: str) -> str:
    """The output that marks where ``name``'s samples are a cap, not a measurement: its name without
    the unit suffix, then ``_capped_flag`` (``follower_lag_years`` -> ``follower_lag_capped_flag``)."""
    from costsim.units import suffix_of

    suffix = suffix_of(name)
    stem = name[: -len(suffix)] if suffix and name.endswith(suffix) and suffix != name else name
    return f"{stem}_capped_flag"


def _cap_line(results, name: str, bloc, arr: np.ndarray) -> tuple[list[np.ndarray], np.ndarray] | None:
    """(the cap in each year, one line per sign of the samples on it; the share of samples on it),
    when the results keep ``name``'s cap flag (a lag is capped above, or below when the follower
    leads and is never overtaken)."""
    flag_name = cap_flag_name(name)
    if flag_name not in results.outputs or "year" not in results.axes_of(flag_name):
        return None
    per_bloc = "bloc" in results.axes_of(flag_name)
    if per_bloc and bloc is None:  # a per-bloc flag cannot mark an output of one series
        return None
    flags = _year_series(results, flag_name, bloc if per_bloc else None) > 0.5
    if flags.shape != arr.shape or not flags.any():
        return None
    lines = []
    for on_side, extreme, filler in ((flags & (arr >= 0), np.max, -np.inf), (flags & (arr < 0), np.min, np.inf)):
        if on_side.any():
            cap = extreme(np.where(on_side, arr, filler), axis=0)
            cap[~on_side.any(axis=0)] = np.nan  # no sample on this side of the cap that year: no line
            lines.append(cap)
    return lines, flags.mean(axis=0)


def _band_label(level: float) -> str:
    return f"{level:.0%} interval"


def fan(results, name: str, *, ax=None, bloc: str | int | None = None, bands=DEFAULT_BANDS,
        log: bool | None = None, color: str | None = None, label: str | None = None, title: str | None = None):
    """Fan chart: the median of an output over the years with central credible bands.

    Parameters
    ----------
    results : Results
    name : str
        An output with a ``year`` axis (``("year",)``, or ``("year", "bloc")`` with ``bloc``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default: a new Figure's).
    bloc : str or int, optional
        The bloc to draw, for per-bloc outputs.
    bands : sequence of float
        Central interval levels, drawn as nested shaded bands (default 90%, 80%, 50%).
    log : bool, optional
        Log y axis; default: when the quantity spans decades (see ``style.use_log``).
    color, label, title : str, optional
        Series colour, legend prefix (e.g. a scenario name) and axes title.

    Returns
    -------
    matplotlib.axes.Axes
        One line (the median) and one filled band per level.
    """
    arr = _year_series(results, name, bloc)
    years = np.asarray(results.years, dtype=float)
    levels = sorted((float(b) for b in bands), reverse=True)
    qs = sorted({0.5, *[(1 - b) / 2 for b in levels], *[(1 + b) / 2 for b in levels]})
    quant = dict(zip(qs, np.quantile(arr, qs, axis=0), strict=True))
    color = color or PALETTE[0]
    prefix = f"{label}: " if label else ""
    with house_style():
        ax = new_axes(ax)
        for i, level in enumerate(levels):
            lo, hi = quant[(1 - level) / 2], quant[(1 + level) / 2]
            alpha = 0.14 + 0.16 * i
            ax.fill_between(years, lo, hi, color=color, alpha=alpha, linewidth=0,
                            label=prefix + _band_label(level))
        ax.plot(years, quant[0.5], color=color, linewidth=2.0, label=prefix + "median")
        capped = _cap_line(results, name, bloc, arr)
        if capped is not None:  # samples at a cap are lower bounds: say where, or the bands read as measured
            caps, share = capped
            for k, cap in enumerate(caps):
                ax.plot(years, cap, color=MUTED, linewidth=1.2, linestyle="--", gid="cap",
                        label=prefix + "cap: not reached within the horizon" if k == 0 else None)
            at_cap = share >= 0.5
            if at_cap.any():
                ax.plot(years[at_cap], quant[0.5][at_cap], linestyle="none", marker="o", markersize=6,
                        markerfacecolor="white", markeredgecolor=color, gid="median_at_cap",
                        label=prefix + "median at the cap (a lower bound)")
        if use_log(name, [quant[q] for q in qs], log):
            ax.set_yscale("log")
        ax.set_xlabel("year")
        ax.set_ylabel(axis_label(name))
        year_ticks(ax)
        plain_ticks(ax.yaxis, unit_for(name))
        where = f" [{results.blocs[results.bloc_index(bloc)]}]" if bloc is not None else ""
        set_title(ax, title if title is not None else scenario_title(results, name + where))
        _legend(ax)
    return ax


def _legend(ax, **kw) -> None:
    handles, labels = ax.get_legend_handles_labels()
    # the median first, then bands from narrow to wide, is how a reader scans a fan
    order = sorted(range(len(labels)), key=lambda i: (0 if labels[i].endswith("median") else 1, labels[i]))
    legend_above(ax, [handles[i] for i in order], [labels[i] for i in order], **kw)


def fan_compare(results_list, name: str, *, labels=None, ax=None, band: float = 0.8, bloc=None,
                log: bool | None = None, title: str | None = None):
    """Several scenarios' fan charts of one output overlaid: each a median and one band.

    Parameters
    ----------
    results_list : sequence of Results
        Runs that all have output ``name`` with a year axis (their years may differ).
    name : str
    labels : sequence of str, optional
        Legend names (default: each run's scenario name).
    band : float
        The one central interval drawn per scenario (default 80%; more bands would hide each other).
    ax, bloc, log, title
        As in :func:`fan`.

    Returns
    -------
    matplotlib.axes.Axes
        One median line and one band per scenario.
    """
    results_list = list(results_list)
    if not results_list:
        raise ValueError("fan_compare needs at least one Results")
    if labels is None:
        labels = [r.meta.get("scenario") or f"run {i + 1}" for i, r in enumerate(results_list)]
    labels = list(labels)
    if len(labels) != len(results_list):
        raise ValueError(f"labels: expected {len(results_list)} labels (one per Results), got {len(labels)}")
    lo_q, hi_q = (1 - band) / 2, (1 + band) / 2
    everything = []
    with house_style():
        ax = new_axes(ax)
        for i, (res, lab) in enumerate(zip(results_list, labels, strict=True)):
            arr = _year_series(res, name, bloc)
            lo, med, hi = np.quantile(arr, [lo_q, 0.5, hi_q], axis=0)
            years = np.asarray(res.years, dtype=float)
            c = PALETTE[i % len(PALETTE)]
            ax.fill_between(years, lo, hi, color=c, alpha=0.18, linewidth=0)
            # dashes tell apart scenarios whose medians coincide (a line would hide the one below)
            ax.plot(years, med, color=c, linewidth=2.0, linestyle=_DASHES[i % len(_DASHES)],
                    label=str(lab))
            everything += [lo, med, hi]
        if use_log(name, everything, log):
            ax.set_yscale("log")
        ax.set_xlabel("year")
        ax.set_ylabel(axis_label(name))
        year_ticks(ax)
        plain_ticks(ax.yaxis, unit_for(name))
        where = ""
        if bloc is not None:
            first = results_list[0]
            where = f" [{first.blocs[first.bloc_index(bloc)]}]"
        set_title(ax, title if title is not None
                  else f"{name}{where} by scenario (median, {band:.0%} band)")
        legend_above(ax)
    return ax


def distribution(results, name: str, *, year: float | None = None, bloc: str | int | None = None, ax=None,
                 log: bool | None = None, bins: int | None = None, color: str | None = None,
                 title: str | None = None):
    """Histogram (density) of an output's samples at one year, with its median and 90% interval.

    For outputs of a single-year scenario, per-sample scalars, or a slice of a fan chart.

    Parameters
    ----------
    results : Results
    name : str
        An output or a sampled parameter.
    year : float, optional
        Year to slice (default: the first year) for outputs with a year axis.
    bloc : str or int, optional
        Bloc to slice for per-bloc outputs (required for them).
    log : bool, optional
        Log x axis and log-spaced bins; default: when the values span decades.
    bins : int, optional
        Number of bins (default: sqrt(n) / 2, between 10 and 60).
    ax, color, title
        As in :func:`fan`.

    Returns
    -------
    matplotlib.axes.Axes
        One histogram and three vertical lines (5%, median, 95%); one line for a constant.
    """
    axes = results.axes_of(name)
    if "bloc" in axes and bloc is None:
        raise ValueError(f"{name!r} has one series per bloc ({', '.join(results.blocs)}); pass bloc=...")
    year_asked = year is not None
    if "year" in axes and year is None:
        year = results.years[0]  # the documented default, named in the title below
    x = np.asarray(results.at_year(name, year, bloc), dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        raise ValueError(f"{name!r}: no finite samples to draw")
    p5, p50, p95 = np.quantile(x, [0.05, 0.5, 0.95])
    unit = unit_for(name) or ""
    color = color or PALETTE[0]
    with house_style():
        ax = new_axes(ax)
        lo, hi = float(np.min(x)), float(np.max(x))
        logx = use_log(name, x, log) and lo > 0
        if lo == hi:  # the same value in every sample: a histogram would be one meaningless slab
            ax.axvline(lo, color=color, linewidth=2.0, label=f"{fmt_value(lo, unit)} in every sample")
            ax.set_yticks([])
        else:
            k = bins if bins is not None else int(np.clip(np.sqrt(x.size) / 2, 10, 60))
            edges = np.geomspace(lo, hi, k + 1) if logx else np.linspace(lo, hi, k + 1)
            ax.hist(x, bins=edges, weights=np.full(x.size, 1.0 / x.size), color=color, alpha=0.55,
                    histtype="stepfilled", edgecolor="none")  # one polygon, not a patch per bin
            if logx:
                ax.set_xscale("log")
            ax.axvline(p50, color=color, linewidth=2.0, label=f"median {fmt_value(p50, unit)}")
            ax.axvline(p5, color=MUTED, linewidth=1.2, linestyle="--",
                       label=f"90% interval [{fmt_value(p5, unit)}, {fmt_value(p95, unit)}]")
            ax.axvline(p95, color=MUTED, linewidth=1.2, linestyle="--")
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{100 * v:.3g}%"))
        plain_ticks(ax.xaxis, unit_for(name))
        ax.set_xlabel(axis_label(name))
        ax.set_ylabel("share of samples per bin" + (" (log-spaced bins)" if logx and lo != hi else ""))
        ax.grid(True, axis="y")
        ax.grid(False, axis="x")
        where = []
        if "year" in axes and (year_asked or _varies_over_years(results, name)):
            # a value the same in every year (a 2030 shortfall, a cluster's power) gets no year
            where.append(str(int(year)))
        if bloc is not None:
            where.append(results.blocs[results.bloc_index(bloc)])
        suffix = f" ({', '.join(where)})" if where else ""
        set_title(ax, title if title is not None
                     else scenario_title(results, name + suffix))
        ax.legend(loc="best")
    return ax
