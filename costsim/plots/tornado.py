"""Tornado diagrams: how far an output moves when each parameter goes from low to high."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from costsim.plots.style import (
    MUTED,
    PALETTE,
    axis_label,
    fmt_value,
    house_style,
    legend_above,
    new_axes,
    plain_ticks,
    set_title,
    unit_for,
    use_log,
)


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
            high_label: str = "parameter at its high value", title: str | None = None, method: str | None = None):
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
    method : str, optional
        How the swings were computed, written under the axis (e.g. "one at a time").

    Bars of parameters with no effect (a swing of exactly zero, or, when the data carry
    ``low_se`` and ``high_se`` Monte Carlo errors, a swing within two errors of zero) are left out
    and named under the axis: noise is never drawn as influence. With errors, each bar end gets a
    whisker of two errors.

    Returns
    -------
    matplotlib.axes.Axes
        Two bar containers (low side, high side), bars ordered widest on top.
    """
    names, low, high, data_base = _rows(data)
    base = data_base if base is None else float(base)
    low_se, high_se = _errors(data, low.size)
    swing = np.abs(high - low)
    scale = max([float(np.max(np.abs(np.concatenate([low, high])), initial=0.0))] + ([abs(base)] if base else []))
    noise = 2.0 * np.hypot(low_se, high_se) if low_se is not None else np.zeros_like(swing)
    # a swing of a few ulps is rounding, not influence
    flat = (swing <= noise) | (swing <= 1e-12 * scale)
    no_effect = [names[i] for i in np.flatnonzero(flat)]
    keep = np.flatnonzero(~flat)
    order = keep[np.argsort(-swing[keep], kind="stable")]
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
        if low_se is not None and len(names):
            ends = np.concatenate([low, high])
            errs = 2.0 * np.concatenate([low_se[order], high_se[order]])
            ax.errorbar(ends, np.concatenate([y, y]), xerr=errs, fmt="none", ecolor="0.15", elinewidth=1.0,
                        capsize=2.5)
        if not names:
            ax.text(0.5, 0.5, "no parameter moves this output", transform=ax.transAxes, ha="center",
                    va="center", color=MUTED)
        logged = transform == "log10"
        if not logged and use_log(output, np.concatenate([low, high, [centre]]), log):
            ax.set_xscale("log")
        plain_ticks(ax.xaxis, None if logged else unit_for(output))
        if base is not None:
            ax.axvline(base, color=MUTED, linewidth=1.0)
        ax.set_yticks(y, names)
        ax.set_ylim(-0.6, max(len(names), 1) - 0.4)
        ax.grid(False, axis="y")
        notes = []
        if base is not None:
            notes.append(f"grey line: base {fmt_value(base, unit_for(output) or '')}")
        if hidden:
            notes.append(f"{hidden} parameters with smaller effects not shown")
        if no_effect:
            shown = ", ".join(no_effect[:4]) + (f" and {len(no_effect) - 4} more" if len(no_effect) > 4 else "")
            why = "within 2 MC errors of no effect" if low_se is not None else "no effect"
            notes.append(f"{why}: {shown}")
        if method:
            notes.append(method)
        xlabel = axis_label(output) if output else "output"
        if logged:
            xlabel = f"log10 of {xlabel}"
        ax.set_xlabel(xlabel + "".join("\n" + _wrap(n) for n in notes))
        set_title(ax, title if title is not None else f"What moves {output or 'the output'}")
        legend_above(ax, ncol=2)  # above the bars: it can never cover one
    return ax


def _wrap(text: str, width: int = 84) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def _errors(data, d: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Monte Carlo errors of the low and high values, when the data carry them."""
    get = data.get if isinstance(data, Mapping) else (lambda k, default=None: getattr(data, k, default))
    lo, hi = get("low_se", None), get("high_se", None)
    if lo is None or hi is None:
        return None, None
    return np.asarray(lo, dtype=float).reshape(d), np.asarray(hi, dtype=float).reshape(d)


def tornado_from_samples(results, output: str, *, year: float | None = None, bloc=None, frac: float = 0.1,
                         stat: str = "median") -> dict:
    """A tornado from an existing Monte Carlo run, with no extra model evaluations.

    For each sampled parameter: the ``stat`` (median or mean) of the output over the samples whose
    parameter lies in its lowest ``frac`` and in its highest ``frac``. Other parameters vary as
    sampled, so this is a conditional (one-at-a-time in expectation) swing, not a Sobol index.

    Each value carries its Monte Carlo error (``low_se``, ``high_se``: the standard error of a
    median of m samples, sqrt(pi / 2) * sd / sqrt(m), or sd / sqrt(m) for the mean), so
    :func:`tornado` can leave out the parameters whose swing is within the noise.

    Returns
    -------
    dict
        ``{"names", "low", "high", "low_se", "high_se", "base"}``, ready for :func:`tornado`.
    """
    y = np.asarray(results.at_year(output, year, bloc), dtype=float)
    if y.ndim != 1:
        raise ValueError(f"{output!r} has one series per bloc; pass bloc=...")
    reduce = np.median if stat == "median" else np.mean
    names, lows, highs, low_ses, high_ses = [], [], [], [], []
    factor = np.sqrt(np.pi / 2) if stat == "median" else 1.0
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
        low_ses.append(float(factor * np.std(y[lo_sel]) / np.sqrt(lo_sel.sum())))
        high_ses.append(float(factor * np.std(y[hi_sel]) / np.sqrt(hi_sel.sum())))
    return {"names": names, "low": lows, "high": highs, "low_se": low_ses, "high_se": high_ses,
            "base": float(reduce(y))}
