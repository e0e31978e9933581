"""Tornado diagrams: how far an output moves when each parameter goes from low to high."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from costsim.plots.style import MUTED, PALETTE, fmt_number, house_style, new_axes, plain_ticks, set_title, use_log
from costsim.units import label_of


def _rows(data) -> tuple[list[str], np.ndarray, np.ndarray, float | None]:
    """(names, low, high, base) from a mapping, an object with names/low/high, or (name, low, high) rows."""
    base = getattr(data, "base", None)
    if isinstance(data, Mapping) and {"names", "low", "high"} <= set(data):
        names, low, high = list(data["names"]), data["low"], data["high"]
        base = data.get("base", base)
    elif isinstance(data, Mapping):
        names = list(data)
        pairs = [tuple(data[k]) for k in names]
        low, high = [p[0] for p in pairs], [p[1] for p in pairs]
    elif all(hasattr(data, a) for a in ("names", "low", "high")):
        names, low, high = list(data.names), data.low, data.high
    else:
        rows = list(data)
        names, low, high = [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
    low = np.asarray(low, dtype=float).reshape(-1)
    high = np.asarray(high, dtype=float).reshape(-1)
    if not (len(names) == low.size == high.size):
        raise ValueError(f"tornado: expected one low and one high value per parameter; got {len(names)} names, "
                         f"{low.size} lows, {high.size} highs")
    return [str(n) for n in names], low, high, (None if base is None else float(np.asarray(base).reshape(-1)[0]))


def tornado(data, *, base: float | None = None, output: str | None = None, transform: str | None = None,
            ax=None, log: bool | None = None, max_params: int = 10, low_label: str = "parameter at its low value",
            high_label: str = "parameter at its high value", title: str | None = None):
    """Tornado diagram: one bar per parameter from the output at its low to its high value.

    Parameters
    ----------
    data
        Per-parameter output values, in any of these forms:

        * ``{param: (output_when_low, output_when_high)}``;
        * ``{"names": [...], "low": [...], "high": [...], "base": x}`` (``base`` optional);
        * an object with attributes ``names``, ``low``, ``high`` (and optionally ``base``), such as
          the result of ``costsim.sensitivity.tornado``;
        * rows ``(param, low, high)``.
    base : float, optional
        Output with every parameter at its central value; bars start from it (default: the
        mean of the lows and highs' midpoints, drawn only when given).
    output : str, optional
        Name of the output, for the axis label with units.
    transform : {"log10", "linear"}, optional
        How the values were analysed (``SensitivityResult.outputs[name].transform``): with
        "log10" the axis reads "log10 of ..." and stays linear.
    ax : matplotlib.axes.Axes, optional
    log : bool, optional
        Log x axis; default: when the values span decades (never for log10 values).
    max_params : int
        Draw the widest ``max_params`` bars only (the title says how many are left out).
    low_label, high_label : str, optional
        Legend text of the two sides.
    title : str, optional
        Title. The x label says the base value and how many parameters were left out.

    Returns
    -------
    matplotlib.axes.Axes
        Two bar containers (low side, high side), bars ordered widest on top.
    """
    names, low, high, data_base = _rows(data)
    base = data_base if base is None else float(base)
    swing = np.abs(high - low)
    order = np.argsort(-swing, kind="stable")
    hidden = max(0, len(order) - max_params)
    order = order[:max_params][::-1]  # barh draws bottom-up: widest ends on top
    names = [names[i] for i in order]
    low, high = low[order], high[order]
    centre = base if base is not None else float(np.median((low + high) / 2)) if low.size else 0.0
    row_in = 0.38
    height = max(2.4, 1.5 + row_in * (len(names) + 1.2))
    with house_style():
        ax = new_axes(ax, figsize=(7.0, height))
        y = np.arange(len(names))
        ax.barh(y, low - centre, left=centre, color=PALETTE[0], height=0.6, label=low_label)
        ax.barh(y, high - centre, left=centre, color=PALETTE[1], height=0.6, label=high_label)
        logged = transform == "log10"
        if not logged and use_log(output, np.concatenate([low, high, [centre]]), log):
            ax.set_xscale("log")
        plain_ticks(ax.xaxis)
        if base is not None:
            ax.axvline(base, color=MUTED, linewidth=1.0)
        ax.set_yticks(y, names)
        # an empty row above the widest bar holds the legend, so it never covers a bar
        ax.set_ylim(-0.6, len(names) + 0.4)
        ax.grid(False, axis="y")
        notes = []
        if base is not None:
            notes.append(f"grey line: base {fmt_number(base)}")
        if hidden:
            notes.append(f"{hidden} parameters with smaller effects not shown")
        xlabel = label_of(output) if output else "output"
        if logged:
            xlabel = f"log10 of {xlabel}"
        ax.set_xlabel(xlabel + ("\n" + "; ".join(notes) if notes else ""))
        set_title(ax, title if title is not None else f"What moves {output or 'the output'}")
        ax.legend(loc="upper right", ncol=1, fontsize=7.5, borderaxespad=0.2)
    return ax


def tornado_from_samples(results, output: str, *, year: float | None = None, bloc=None, frac: float = 0.1,
                         stat: str = "median") -> dict:
    """A tornado from an existing Monte Carlo run, with no extra model evaluations.

    For each sampled parameter: the ``stat`` (median or mean) of the output over the samples whose
    parameter lies in its lowest ``frac`` and in its highest ``frac``. Other parameters vary as
    sampled, so this is a conditional (one-at-a-time in expectation) swing, not a Sobol index.

    Returns
    -------
    dict
        ``{"names", "low", "high", "base"}``, ready for :func:`tornado`.
    """
    y = np.asarray(results.at_year(output, year, bloc), dtype=float)
    if y.ndim != 1:
        raise ValueError(f"{output!r} has one series per bloc; pass bloc=...")
    reduce = np.median if stat == "median" else np.mean
    names, lows, highs = [], [], []
    for name, x in results.params.items():
        x = np.asarray(x, dtype=float)
        if x.ndim != 1 or np.ptp(x) == 0:
            continue
        lo_cut, hi_cut = np.quantile(x, [frac, 1 - frac])
        lo_sel, hi_sel = x <= lo_cut, x >= hi_cut
        if not lo_sel.any() or not hi_sel.any():
            continue
        names.append(name)
        lows.append(float(reduce(y[lo_sel])))
        highs.append(float(reduce(y[hi_sel])))
    return {"names": names, "low": lows, "high": highs, "base": float(reduce(y))}
