"""Figures of the calibration: data points with a fitted trend, backtests, a projection over history.

Every function draws on ``ax`` (or on a new Figure when ``ax`` is None, without pyplot, so nothing
depends on a display) and returns the Axes. The y axis is logarithmic, labels carry units, and each
figure credits the data: "Data: Epoch AI, CC BY 4.0".
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from costsim.calibration import (
    CREDIT,
    METHOD_LABELS,
    BacktestResult,
    GapResult,
    TrendFit,
)

_POINTS = "#4c72b0"
_RECORDS = "#c44e52"
_TREND = "#222222"
_LATER = "#dd8452"
_PROJECTION = "#55a868"


def _axes(ax):
    if ax is not None:
        return ax
    fig = Figure(figsize=(8, 5), layout="constrained")
    return fig.add_subplot()


def _y_label(column: str) -> str:
    """'Training compute (FLOP)' -> 'Training compute [FLOP]' (units in brackets, like the other plots)."""
    if column.endswith(")") and "(" in column:
        name, unit = column[:-1].rsplit("(", 1)
        return f"{name.strip()} [{unit.strip()}]"
    return column


def _credit(ax) -> None:
    ax.annotate(CREDIT, xy=(1.0, -0.01), xycoords="axes fraction", ha="right", va="top", fontsize=7,
                color="0.4", xytext=(0, -22), textcoords="offset points")


def _growth_text(trend: TrendFit) -> str:
    lo, hi = trend.growth_interval()
    return f"{trend.growth_x_per_year:.2g}x/yr [{lo:.2g}, {hi:.2g}]"


def plot_fit(trend: TrendFit, ax=None, *, extend_to: float | None = None, band: str = "both",
             label_points: tuple = ()) -> object:
    """Draw the data, the fitted trend, its band, and the credit line.

    Parameters
    ----------
    trend : TrendFit
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default: a new Figure's).
    extend_to : float, optional
        Draw the trend up to this year (default: the last data point).
    band : {"both", "line", "prediction", "none"}
        ``line``: interval of the trend line itself; ``prediction``: interval of one new model;
        ``both`` draws the two, the prediction band lighter.
    label_points : tuple of str
        Model names to annotate (e.g. ``("DeepSeek-V3",)``), when they are among the points.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    sel = trend.selection
    if trend.method == "envelope":
        others = ~trend.used
        ax.scatter(sel.years[others], 10.0 ** sel.log10_y[others], s=12, color="0.7", alpha=0.7,
                   label="other models", zorder=2)
        ax.scatter(trend.years, 10.0 ** trend.log10_y, s=22, color=_RECORDS, label="record-setting models",
                   zorder=3)
    else:
        ax.scatter(trend.years, 10.0 ** trend.log10_y, s=14, color=_POINTS, alpha=0.75,
                   label=f"models (n = {trend.n})", zorder=3)
    start = float(trend.years.min())
    stop = float(trend.years.max()) if extend_to is None else float(extend_to)
    grid = np.linspace(start, stop, 200)
    pct = f"{trend.level:.0%}"
    if band in ("both", "prediction"):
        lo, hi = trend.prediction_interval(grid)
        ax.fill_between(grid, lo, hi, color=_TREND, alpha=0.08, linewidth=0,
                        label=f"{pct} prediction interval (one model)")
    if band in ("both", "line"):
        lo, hi = trend.line_interval(grid)
        ax.fill_between(grid, lo, hi, color=_TREND, alpha=0.22, linewidth=0, label=f"{pct} interval of the trend")
    ax.plot(grid, 10.0 ** trend.predict_log10(grid), color=_TREND, linewidth=1.8,
            label=f"trend {_growth_text(trend)}")
    names = list(sel.names)
    for name in label_points:
        if name in names:
            i = names.index(name)
            ax.annotate(name, (sel.years[i], 10.0 ** sel.log10_y[i]), xytext=(4, -10), textcoords="offset points",
                        fontsize=8)
    ax.set_yscale("log")
    _house_ticks(ax)
    ax.set_xlabel("publication date [calendar year]")
    ax.set_ylabel(_y_label(trend.y_column))
    filters = "; ".join(sel.filters) or "all models"
    ax.set_title(f"{_y_label(trend.y_column)}: {filters}\n{METHOD_LABELS[trend.method]}", fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    _credit(ax)
    return ax


def plot_projection_over_history(trend: TrendFit, years, quantiles: dict, ax=None, *,
                                 label: str = "scenario projection") -> object:
    """Overlay a projection (e.g. a scenario output's quantiles) on the data and its fitted trend.

    Parameters
    ----------
    trend : TrendFit
        The history: its points and fitted trend are drawn first.
    years : array_like, (T,)
        Years of the projection.
    quantiles : dict[float, array_like (T,)]
        Quantile level -> values in y's units (not logged), e.g. ``{0.05: ..., 0.5: ..., 0.95: ...}``.
        Pairs symmetric about 0.5 are drawn as bands, 0.5 as the median line.
    label : str
        Legend label of the projection.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    years = np.asarray(years, dtype=float)
    plot_fit(trend, ax, extend_to=float(years.max()), band="line")
    levels = sorted(float(q) for q in quantiles)
    lows = [q for q in levels if q < 0.5]
    for i, q in enumerate(lows):
        partner = min(levels, key=lambda other: abs(other - (1 - q)))
        if abs(partner - (1 - q)) > 1e-9:
            continue
        alpha = 0.15 + 0.2 * i / max(len(lows), 1)
        ax.fill_between(years, np.asarray(quantiles[_key(quantiles, q)], dtype=float),
                        np.asarray(quantiles[_key(quantiles, partner)], dtype=float), color=_PROJECTION,
                        alpha=alpha, linewidth=0, label=f"{label}: {partner - q:.0%} band")
    median = _key(quantiles, 0.5, missing_ok=True)
    if median is not None:
        ax.plot(years, np.asarray(quantiles[median], dtype=float), color=_PROJECTION, linewidth=2,
                label=f"{label}: median")
    ax.legend(fontsize=8, loc="upper left")
    return ax


def _key(quantiles: dict, q: float, missing_ok: bool = False):
    for key in quantiles:
        if abs(float(key) - q) < 1e-9:
            return key
    if missing_ok:
        return None
    raise KeyError(q)


def plot_backtest(result: BacktestResult, ax=None) -> object:
    """Draw a backtest: the fit before the cut-off, its projection band, and the later points."""
    ax = _axes(ax)
    trend = result.fit
    stop = float(result.test_years.max())
    plot_fit(trend, ax, extend_to=stop, band="none")
    grid = np.linspace(result.cutoff, stop, 100)
    lo, hi = trend.prediction_interval(grid, result.level)
    ax.fill_between(grid, lo, hi, color=_LATER, alpha=0.18, linewidth=0,
                    label=f"projection, {result.level:.0%} prediction interval")
    ax.scatter(result.test_years, 10.0 ** result.test_log10_y, s=16, color=_LATER, marker="D", zorder=4,
               label=f"later models (n = {result.n_test}), coverage {result.coverage:.2f}")
    ax.axvline(result.cutoff, color="0.3", linestyle="--", linewidth=1)
    ax.set_title(f"Backtest, cut-off {result.cutoff:g}: {_y_label(trend.y_column)}\n"
                 f"median error {result.median_error_years:+.2f} years; log score {result.mean_log_score:.2f}",
                 fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    return ax


def plot_gap(result: GapResult, ax=None) -> object:
    """Draw each group's frontier by year with the ratio's interval on a twin axis."""
    ax = _axes(ax)
    years = result.years
    for i, (label, color) in enumerate(zip(result.labels, (_POINTS, _RECORDS))):
        ax.plot(years, 10.0 ** result.frontier_log10[i], marker="o", color=color, label=f"{label} frontier")
    ax.set_yscale("log")
    _house_ticks(ax)
    ax.set_xlabel("calendar year")
    ax.set_ylabel(_y_label(result.y_column))
    ax.grid(True, alpha=0.3)
    twin = ax.twinx()
    twin.plot(years, result.years_behind, color="0.2", linestyle="--", label="years behind (B vs A)")
    twin.fill_between(years, result.years_behind_low, result.years_behind_high, color="0.2", alpha=0.12,
                      linewidth=0)
    twin.set_ylabel("years behind [years]")
    handles = ax.get_legend_handles_labels()
    twin_handles = twin.get_legend_handles_labels()
    ax.legend(handles[0] + twin_handles[0], handles[1] + twin_handles[1], fontsize=8, loc="upper left")
    ax.set_title(f"Gap in {_y_label(result.y_column)}: {result.labels[0]} vs {result.labels[1]}", fontsize=10)
    _credit(ax)
    return ax


def _house_ticks(ax) -> None:
    """Log y labels as 10²⁶ and whole calendar years on x, like every other costsim figure.

    (The house style turns maths text off, so matplotlib's default log labels, written in
    mathtext, would show as raw $...$.)
    """
    from matplotlib.ticker import MaxNLocator

    from costsim.plots.style import plain_ticks

    plain_ticks(ax.yaxis)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
