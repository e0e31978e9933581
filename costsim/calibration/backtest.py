"""Backtests: fit the models published before a cut-off and score the projection on the later ones."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from costsim.calibration.data import METHOD_LABELS, Selection, _data_error, _fmt_year, _frozen, parse_year
from costsim.calibration.fits import TrendFit, fit, fit_trend, record_mask
from costsim.errors import DataError

# ---------------------------------------------------------------------------------------------
# Backtest


@dataclass(frozen=True, eq=False)
class BacktestResult:
    """A trend fitted on data before a cut-off, scored on the points published after it.

    Attributes
    ----------
    fit : TrendFit
        The fit on points before ``cutoff``.
    cutoff : float
    test_years, test_log10_y : numpy.ndarray
        The later points (for ``envelope``: the later record-setting points, records counted
        over the whole series).
    test_names : tuple[str, ...]
    loc, scale : numpy.ndarray
        The predictive t distribution (df = ``fit.df``) of each later point's log10 y.
    level : float
        Credibility of the interval whose coverage is scored.
    coverage : float
        Share of later points inside the central ``level`` prediction interval.
    mean_log_score : float
        Mean log predictive density of the later points' log10 y (nats; higher is better).
    median_error_years : float
        Median of (observed - projected log10 y) / slope: how many years of trend growth the data
        came in above (+) or below (-) the projection.
    median_abs_error_years : float
    later_fit : TrendFit or None
        The same method fitted on the later points alone (when there are >= 3 of them).
    """

    fit: TrendFit
    cutoff: float
    test_years: np.ndarray
    test_log10_y: np.ndarray
    test_names: tuple
    loc: np.ndarray
    scale: np.ndarray
    level: float
    coverage: float
    mean_log_score: float
    median_error_years: float
    median_abs_error_years: float
    later_fit: TrendFit | None

    @property
    def n_test(self) -> int:
        """Number of later points scored."""
        return len(self.test_years)

    @property
    def z(self) -> np.ndarray:
        """Standardized errors (observed - projected) / predictive scale."""
        return (self.test_log10_y - self.loc) / self.scale

    def summary(self) -> str:
        """A few lines describing the backtest, as `costsim backtest` prints them."""
        f = self.fit
        lo, hi = f.growth_interval()
        pct = f"{self.level:.0%}"
        inside = int(round(self.coverage * self.n_test))
        what = "record-setting models" if f.method == "envelope" else "models"
        lines = [
            f"Backtest of {f.y_column}: {METHOD_LABELS[f.method]}",
            f"  fit      before {_fmt_year(self.cutoff)}: {f.growth_x_per_year:.3g}x per year, "
            f"{f.level:.0%} CI [{lo:.3g}, {hi:.3g}], n = {f.n}, residual sd {f.residual_sd_log10:.3g} dex",
        ]
        if self.later_fit is not None:
            llo, lhi = self.later_fit.growth_interval()
            lines.append(f"  later    from {_fmt_year(self.cutoff)} alone: {self.later_fit.growth_x_per_year:.3g}x "
                         f"per year, {f.level:.0%} CI [{llo:.3g}, {lhi:.3g}], n = {self.later_fit.n}")
        span = f"{self.test_years.min():.1f}-{self.test_years.max():.1f}"
        lines += [
            f"  scored   {self.n_test} {what} published {span}",
            f"  coverage {self.coverage:.2f} inside the {pct} prediction interval ({inside} of {self.n_test}; "
            f"{self.level:.2f} if calibrated)",
            f"  log score {self.mean_log_score:.3f} nats per model (mean log density of log10 y)",
            f"  error    median {self.median_error_years:+.2f} years of trend growth "
            f"({'data ahead of' if self.median_error_years > 0 else 'data behind'} the projection); "
            f"median |error| {self.median_abs_error_years:.2f} years",
        ]
        return "\n".join(lines)


def backtest(selection: Selection, *, cutoff, method: str = "ols", level: float = 0.9, horizon=None,
             n_boot: int = 2000, seed: int | None = 0) -> BacktestResult:
    """Fit on points published before ``cutoff`` and score the projection on the points after it.

    Parameters
    ----------
    selection : Selection
        The full series (both sides of the cut-off), as :func:`select` returns it.
    cutoff : float or str
        The cut-off year or date; the fit sees ``year < cutoff``.
    method : str
        Fit method (see :func:`fit_trend`). For ``envelope`` the later points scored are the later
        record-setting points, records being counted over the whole series.
    level : float
        Credibility of the scored prediction interval (default 0.9).
    horizon : float, optional
        Score only points with ``cutoff <= year < cutoff + horizon``.

    Returns
    -------
    BacktestResult

    Raises
    ------
    DataError
        If either side of the cut-off has too few points.
    """
    try:
        cutoff = parse_year(cutoff)
    except ValueError:
        raise _data_error(selection.dataset_label, "cutoff", "not a year", "a year (2020) or a date",
                          cutoff) from None
    if len(selection.years) and float(selection.years.min()) >= cutoff:
        raise _data_error(selection.dataset_label, "cutoff", "the cut-off comes before the first selected point, "
                          "so nothing is left to fit",
                          f"a cut-off after {selection.years.min():.2f} (the first point kept by --since and the "
                          "filters)", cutoff)
    if horizon is not None and (isinstance(horizon, bool) or not isinstance(horizon, (int, float, np.integer,
                                                                                   np.floating))
                                or not float(horizon) > 0 or not np.isfinite(float(horizon))):
        # a window of no years scores nothing: the error blamed the cut-off
        raise _data_error(selection.dataset_label, "horizon", "must be a positive number of years", "> 0", horizon)
    train = selection.restrict(until=cutoff)
    trend = fit_trend(train, method=method, level=level, n_boot=n_boot, seed=seed)
    later = selection.restrict(since=cutoff, until=None if horizon is None else cutoff + float(horizon))
    if method == "envelope":
        records = record_mask(selection.years, selection.log10_y)
        keep = records & (selection.years >= cutoff)
        if horizon is not None:
            keep &= selection.years < cutoff + float(horizon)
        years, log10_y = selection.years[keep], selection.log10_y[keep]
        names = tuple(np.asarray(selection.names, dtype=object)[keep])
    else:
        years, log10_y, names = later.years, later.log10_y, later.names
    if len(years) == 0:
        raise _data_error(selection.dataset_label, "cutoff", "no points after the cut-off to score",
                          f"a cut-off before the last point ({selection.years.max():.2f})", cutoff)
    order = np.lexsort((log10_y, years))
    years, log10_y = _frozen(years[order]), _frozen(log10_y[order])
    names = tuple(np.asarray(names, dtype=object)[order])
    loc = _frozen(trend.predict_log10(years))
    scale = _frozen(trend.predictive_scale(years))
    z = (log10_y - loc) / scale
    tq = float(stats.t.ppf(0.5 + level / 2, trend.df))
    coverage = float(np.mean(np.abs(z) <= tq))
    log_score = float(np.mean(stats.t.logpdf(z, trend.df) - np.log(scale)))
    err_years = (log10_y - loc) / trend.slope_log10_per_year
    try:
        later_fit = fit_trend(later, method=method, level=level, n_boot=n_boot, seed=seed)
    except DataError:  # too few later points for a fit of their own: the scores still stand
        later_fit = None
    return BacktestResult(trend, cutoff, years, log10_y, names, loc, scale, float(level), coverage, log_score,
                          float(np.median(err_years)), float(np.median(np.abs(err_years))), later_fit)
