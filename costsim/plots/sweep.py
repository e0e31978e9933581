"""Sweeps: an output statistic over a grid of two parameters (heatmap) or along one (lines)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.colors import LogNorm, Normalize

from costsim.plots.style import (
    PALETTE,
    fmt_number,
    house_style,
    new_axes,
    plain_ticks,
    set_title,
    use_log,
)
from costsim.units import label_of

_LOW_KEYS = ("low", "p05", "p5", "q05")
_HIGH_KEYS = ("high", "p95", "q95")


def sweep_heatmap(x, y, z, *, x_name: str, y_name: str, output: str | None = None, stat: str = "median",
                  ax=None, log: bool | None = None, annotate: bool | None = None, cmap: str = "viridis",
                  title: str | None = None):
    """Heatmap of an output statistic over a grid of two swept parameters.

    Parameters
    ----------
    x, y : array_like, (nx,), (ny,)
        Values of the two parameters (drawn as evenly spaced cells, labelled with the values, so
        log-spaced grids read as well as linear ones).
    z : array_like, (ny, nx)
        The statistic at each grid point: ``z[j, i]`` for ``y[j]``, ``x[i]``. A
        ``costsim.sweep.SweepTable`` grid is shaped like its axes, (nx, ny), so pass
        ``table.grid(output, "p50", year=...).T`` with ``x = table.axes[0].values``,
        ``y = table.axes[1].values``.
    x_name, y_name : str
        Parameter names (axis labels with units).
    output : str, optional
        The output the statistic is of (colour-bar label with units).
    stat : str
        Name of the statistic, e.g. "median", "P(crossing by 2030)".
    ax : matplotlib.axes.Axes, optional
    log : bool, optional
        Logarithmic colour scale; default: when the values span decades.
    annotate : bool, optional
        Write each cell's value (default: for grids of at most 12 x 12).
    cmap : str
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        With one image (``ax.images[0]``) and a colour bar.
    """
    x = np.asarray(x, dtype=float).reshape(-1)
    y = np.asarray(y, dtype=float).reshape(-1)
    z = np.asarray(z, dtype=float)
    if z.shape != (y.size, x.size):
        raise ValueError(f"sweep_heatmap: z must have shape (len(y), len(x)) = ({y.size}, {x.size}); got {z.shape}")
    finite = z[np.isfinite(z)]
    logc = use_log(output, finite, log) and finite.size > 0 and float(finite.min()) > 0
    if logc:
        norm = LogNorm(float(finite.min()), float(finite.max()))
    else:
        norm = Normalize(float(finite.min()), float(finite.max())) if finite.size else Normalize(0.0, 1.0)
    annotate = (x.size <= 12 and y.size <= 12) if annotate is None else annotate
    with house_style():
        ax = new_axes(ax, figsize=(7.0, 5.0))
        image = ax.imshow(z, origin="lower", aspect="auto", cmap=cmap, norm=norm, interpolation="nearest")
        ax.set_xticks(np.arange(x.size), [fmt_number(v) for v in x], rotation=45 if x.size > 6 else 0)
        ax.set_yticks(np.arange(y.size), [fmt_number(v) for v in y])
        ax.grid(False)
        ax.set_xlabel(label_of(x_name))
        ax.set_ylabel(label_of(y_name))
        what = f"{stat} of {label_of(output)}" if output else stat
        bar = ax.figure.colorbar(image, ax=ax)
        bar.set_label(what)
        if annotate:
            for j in range(y.size):
                for i in range(x.size):
                    v = z[j, i]
                    shade = norm(v) if np.isfinite(v) else 0.0
                    ax.text(i, j, fmt_number(v), ha="center", va="center", fontsize=7,
                            color="black" if shade > 0.6 else "white")
        set_title(ax, title if title is not None else f"{stat} of {output or 'the output'} by {x_name} and {y_name}")
    return ax


def _pick(stats: Mapping, keys) -> np.ndarray | None:
    for k in keys:
        if k in stats:
            return np.asarray(stats[k], dtype=float)
    return None


def sweep_lines(x, series, *, x_name: str, output: str | None = None, ax=None, log: bool | None = None,
                logx: bool | None = None, title: str | None = None, band_label: str = "90% interval"):
    """An output statistic along one swept parameter: a median line with its interval, per series.

    Parameters
    ----------
    x : array_like, (k,)
        Values of the swept parameter.
    series : mapping
        Either one series ``{"median": (k,), "low": (k,), "high": (k,)}`` (``low``/``high``
        optional; ``p05``/``p95`` accepted), or several: ``{label: {"median": ..., ...}, ...}``.
    x_name : str
        Swept parameter name (x label with units).
    output : str, optional
        The output (y label with units).
    ax : matplotlib.axes.Axes, optional
    log, logx : bool, optional
        Log y / x axis; default: when the values span decades.
    title, band_label : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        One line (and one band when low/high are given) per series.
    """
    x = np.asarray(x, dtype=float).reshape(-1)
    if isinstance(series, Mapping) and "median" in series:
        groups = {None: series}
    elif isinstance(series, Mapping) and all(isinstance(v, Mapping) for v in series.values()):
        groups = dict(series)
    else:
        raise ValueError("sweep_lines: series must be {'median': ..., 'low': ..., 'high': ...} or "
                         "{label: {'median': ...}, ...}")
    values = []
    with house_style():
        ax = new_axes(ax)
        for i, (label, stats) in enumerate(groups.items()):
            med = _pick(stats, ("median", "p50"))
            if med is None or med.shape != x.shape:
                raise ValueError(f"sweep_lines: series {label or 'median'!r} needs a 'median' of shape {x.shape}")
            lo, hi = _pick(stats, _LOW_KEYS), _pick(stats, _HIGH_KEYS)
            c = PALETTE[i % len(PALETTE)]
            prefix = f"{label}: " if label is not None else ""
            if lo is not None and hi is not None:
                ax.fill_between(x, lo, hi, color=c, alpha=0.2, linewidth=0, label=prefix + band_label)
                values += [lo, hi]
            ax.plot(x, med, color=c, linewidth=2.0, marker="o", markersize=3.5, label=prefix + "median")
            values.append(med)
        if use_log(output, values, log):
            ax.set_yscale("log")
        if use_log(x_name, x, logx):
            ax.set_xscale("log")
        plain_ticks(ax.xaxis)
        plain_ticks(ax.yaxis)
        ax.set_xlabel(label_of(x_name))
        ax.set_ylabel(label_of(output) if output else "output")
        set_title(ax, title if title is not None else f"{output or 'the output'} along {x_name}")
        ax.legend(loc="best")
    return ax

