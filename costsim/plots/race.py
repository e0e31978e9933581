"""The export-control race: leader vs follower over the years, and CDFs of crossing years."""

from __future__ import annotations

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
    scenario_title,
    set_title,
    unit_for,
    use_log,
    year_ticks,
)


def race(results, name: str, *, ax=None, band: float = 0.8, log: bool | None = None,
         blocs=None, title: str | None = None):
    """Leader vs follower: each bloc's median of a per-bloc output over the years, with one band.

    Parameters
    ----------
    results : Results
    name : str
        An output with axes ``("year", "bloc")``, e.g. ``largest_run_effective_flop``.
    ax : matplotlib.axes.Axes, optional
    band : float
        Central interval drawn around each bloc's median (default 80%).
    log : bool, optional
        Log y axis; default: when the quantity spans decades.
    blocs : sequence of str, optional
        Which blocs to draw (default: all, leader first).
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        One median line and one band per bloc; the legend names the blocs.
    """
    axes = results.axes_of(name)
    if axes != ("year", "bloc"):
        results._get(name)
        raise ValueError(f"{name!r} has axes {axes or '(none)'}; a race chart needs an output with axes "
                         "('year', 'bloc')")
    arr = np.asarray(results.outputs[name], dtype=float)
    years = np.asarray(results.years, dtype=float)
    chosen = list(results.blocs) if blocs is None else [results.blocs[results.bloc_index(b)] for b in blocs]
    lo_q, hi_q = (1 - band) / 2, (1 + band) / 2
    drawn = []
    with house_style():
        ax = new_axes(ax)
        for i, bloc in enumerate(chosen):
            col = arr[..., results.bloc_index(bloc)]
            lo, med, hi = np.quantile(col, [lo_q, 0.5, hi_q], axis=0)
            c = PALETTE[i % len(PALETTE)]
            ax.fill_between(years, lo, hi, color=c, alpha=0.2, linewidth=0, label=f"{bloc}: {band:.0%} interval")
            ax.plot(years, med, color=c, linewidth=2.0, label=f"{bloc}: median")
            drawn += [lo, med, hi]
        if use_log(name, drawn, log):
            ax.set_yscale("log")
        ax.set_xlabel("year")
        ax.set_ylabel(axis_label(name))
        year_ticks(ax)
        plain_ticks(ax.yaxis, unit_for(name))
        set_title(ax, title if title is not None else scenario_title(results, f"{name}, {' vs '.join(chosen)}"))
        handles, labels = ax.get_legend_handles_labels()
        # pair each bloc's median with its band: median lines first reads best
        order = sorted(range(len(labels)), key=lambda k: (chosen.index(labels[k].split(":")[0]),
                                                          0 if labels[k].endswith("median") else 1))
        legend_above(ax, [handles[k] for k in order], [labels[k] for k in order], ncol=len(chosen))  # a column a bloc
    return ax


def _ecdf(x: np.ndarray, points: int = 800) -> tuple[np.ndarray, np.ndarray]:
    """Empirical CDF, at ``points`` evenly spaced levels when there are more samples.

    The curve looks the same, and the SVG stays small.
    """
    x = np.sort(x)
    if x.size <= points:
        return x, np.arange(1, x.size + 1) / x.size
    ps = np.arange(1, points + 1) / points
    idx = np.ceil(ps * x.size).astype(np.int64) - 1
    return x[idx], ps


def cdf(results, name: str, *, threshold: float | None = None, below: bool | None = None, blocs=None, ax=None,
        horizon: bool = True, xlabel: str | None = None, title: str | None = None):
    """Empirical CDF of a per-sample value: one curve per bloc for per-bloc values.

    Parameters
    ----------
    results : Results
    name : str
        A per-sample output (axes ``()`` or ``("bloc",)``), e.g. ``capability_crossing_year``; or,
        with ``threshold``, an output over the years whose first crossing of the threshold is drawn
        (``Results.crossing_year``; samples that never cross are left out of the curve, which then
        ends below 1).
    threshold : float, optional
        Level for a crossing year of an output over the years: the fractional year each sample
        first reaches it (``Results.crossing_year``, interpolated on the log scale).
    below : bool, optional
        With ``threshold``: the year the output first falls *below* it (a falling cost), or
        (False) first reaches it. Default: below when the output's median falls over the years.
    blocs : sequence of str, optional
        Blocs to draw (default: all of a per-bloc output).
    horizon : bool
        Mark the last simulated year with a dashed line when some values reach it (crossing years
        beyond it are extrapolated).
    xlabel, title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        One step line per bloc (one for a scalar output).
    """
    axes = results.axes_of(name)
    years = np.asarray(results.years, dtype=float)
    series: list[tuple[str | None, np.ndarray]] = []
    if threshold is not None:
        if "year" not in axes:
            raise ValueError(f"{name!r} has no year axis; threshold= needs an output over the years")
        chosen = (list(results.blocs) if blocs is None else list(blocs)) if "bloc" in axes else [None]
        if below is None:
            below = _falls(results, name, chosen)
        for b in chosen:
            series.append((b, results.crossing_year(name, float(threshold), b, below=below)))
        is_year = True
        verb = "falls below" if below else "reaches"
        shown = fmt_value(float(threshold), unit_for(name) or "")
        label = xlabel or f"year {name} first {verb} {shown} [calendar year]"
    else:
        if "year" in axes:
            raise ValueError(f"{name!r} is an output over the years; pass threshold=... to draw the CDF of its "
                             "crossing year, or use distribution() for one year")
        arr = np.asarray(results._get(name), dtype=float)
        if "bloc" in axes:
            chosen = list(results.blocs) if blocs is None else list(blocs)
            series = [(b, arr[:, results.bloc_index(b)]) for b in chosen]
        else:
            series = [(None, arr)]
        is_year = name.endswith("_year") or name == "year"
        label = xlabel or axis_label(name)
    with house_style():
        ax = new_axes(ax)
        for i, (b, x) in enumerate(series):
            n_all = x.size
            x = x[np.isfinite(x)]
            xs, ps = _ecdf(x)
            ps = ps * (x.size / n_all) if n_all else ps  # never-crossing samples keep the curve below 1
            c = PALETTE[i % len(PALETTE)]
            med = np.median(x) if x.size else np.nan
            text = (f"{b}: " if b else "") + (f"median {med:.1f}" if is_year else f"median {fmt_value(med, unit_for(name) or '')}")
            if x.size < n_all:
                text += f", {1 - x.size / n_all:.0%} never"
            if threshold is not None and n_all and np.any(x <= years[0]):
                text += f", {np.sum(x <= years[0]) / n_all:.0%} already in {int(years[0])}"
            ax.step(xs, ps, where="post", color=c, linewidth=2.0, label=text)
        if threshold is not None:
            # the simulated years, not matplotlib's padding around one repeated value (1920-2130)
            pad = 0.02 * max(float(years[-1] - years[0]), 1.0)
            ax.set_xlim(float(years[0]) - pad, float(years[-1]) + pad)
            if not any(np.isfinite(x).any() for _, x in series):
                ax.text(0.5, 0.5, f"no sample {verb} {shown} by {int(years[-1])}", transform=ax.transAxes,
                        ha="center", va="center", color=MUTED)
        beyond = threshold is None and any(np.nanmax(x, initial=-np.inf) >= years[-1] for _, x in series
                                           if np.isfinite(x).any())
        if is_year and horizon and beyond:  # only when some samples reach the horizon
            ax.axvline(years[-1], color=MUTED, linestyle="--", linewidth=1.0,
                       label=f"last simulated year ({int(years[-1])}); later values extrapolated")
        ax.set_ylim(0, 1.02)
        ax.set_xlabel(label)
        ax.set_ylabel("P(value <= x)" if not is_year else "P(crossed by year x)")
        if is_year:
            year_ticks(ax)
        else:
            plain_ticks(ax.xaxis, unit_for(name))
        what = f"the year {name} {'<' if below else '>='} {shown}" if threshold is not None else name
        set_title(ax, title if title is not None else scenario_title(results, f"CDF of {what}"))
        ax.legend(loc="lower right")
    return ax


def _falls(results, name: str, blocs) -> bool:
    """Whether an output over the years falls: its median in the last year is below the first's."""
    arr = np.asarray(results.outputs[name], dtype=float)
    if arr.ndim == 3:
        arr = arr[..., results.bloc_index(blocs[0])] if blocs[0] is not None else arr[..., 0]
    med = np.nanmedian(arr[:, [0, -1]], axis=0)
    return bool(med[1] < med[0])


def crossing_cdf(results, name: str = "capability_crossing_year", **kw):
    """CDF of each bloc's crossing year (see :func:`cdf`); ``name`` defaults to the race model's."""
    return cdf(results, name, **kw)
