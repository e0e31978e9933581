"""Log-linear trend fits (ols, robust, envelope, bootstrap) and residuals of one model against a trend."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
from scipy import stats

from costsim.calibration.data import (
    COMPUTE_COLUMN, CREDIT, Dataset, METHODS, METHOD_LABELS, NAME_COLUMN, Selection, _MIN_POINTS, _data_error,
    _did_you_mean, _fmt_year, _frozen, load_dataset, select,
)
from costsim.errors import DataError

_MIN_BOOT = 10  # as a fit: block's n_boot (costsim.calibration.params)

# ---------------------------------------------------------------------------------------------
# Fitting


@dataclass(frozen=True, eq=False)
class TrendFit:
    """A log-linear trend ``log10(y) = log10_at_center + slope * (year - center_year)``.

    Attributes
    ----------
    selection : Selection
        All the points offered to the fit (for ``envelope``, ``used`` marks the records).
    used : numpy.ndarray
        Boolean mask over ``selection`` of the points fitted.
    method : str
        One of ``ols``, ``robust``, ``envelope``, ``bootstrap``.
    level : float
        Credibility of ``slope_interval`` (0.9 = central 90%).
    center_year, log10_at_center : float
        The line passes through (center_year, log10_at_center); center_year is the mean fitted year.
    slope_log10_per_year, slope_se : float
        Slope in dex per year and its standard error.
    center_se : float
        Standard error of the line's height at ``center_year``.
    slope_interval : tuple[float, float]
        Interval of the slope at ``level`` (dex per year).
    residual_sd_log10 : float
        Spread of the points around the line, in dex (``robust``: 1.4826 x MAD).
    df : int
        Degrees of freedom of the predictive t distribution (n - 2).
    boot_slopes : numpy.ndarray or None
        Bootstrap replicates of the slope (``bootstrap`` only).
    """

    selection: Selection
    used: np.ndarray
    method: str
    level: float
    center_year: float
    log10_at_center: float
    slope_log10_per_year: float
    slope_se: float
    center_se: float
    slope_interval: tuple
    residual_sd_log10: float
    df: int
    boot_slopes: np.ndarray | None = None
    seed: int | None = None

    # -- derived numbers ---------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of points fitted."""
        return int(self.used.sum())

    @property
    def years(self) -> np.ndarray:
        """Years of the fitted points."""
        return self.selection.years[self.used]

    @property
    def log10_y(self) -> np.ndarray:
        """log10 y of the fitted points."""
        return self.selection.log10_y[self.used]

    @property
    def y_column(self) -> str:
        """The column fitted."""
        return self.selection.y_column

    @property
    def growth_x_per_year(self) -> float:
        """Growth multiple per year, ``10 ** slope``."""
        return float(10.0 ** self.slope_log10_per_year)

    @property
    def doubling_time_years(self) -> float:
        """Years for y to double along the trend (``inf`` if it does not grow)."""
        return float(np.log10(2.0) / self.slope_log10_per_year) if self.slope_log10_per_year > 0 else math.inf

    def slope_interval_at(self, level: float | None = None) -> tuple[float, float]:
        """Interval of the slope (dex per year) at ``level`` (default: the fit's own)."""
        level = self.level if level is None else float(level)
        if not 0.0 < level < 1.0:
            raise DataError(f"level must be a probability; expected 0 < level < 1, got {level!r}")
        if level == self.level:
            return tuple(self.slope_interval)
        if self.method == "bootstrap" and self.boot_slopes is not None:
            lo, hi = np.quantile(self.boot_slopes, [0.5 - level / 2, 0.5 + level / 2])
            return float(lo), float(hi)
        if self.method == "robust":
            _, _, lo, hi = stats.theilslopes(self.log10_y, self.years, alpha=level)
            return float(lo), float(hi)
        half = stats.t.ppf(0.5 + level / 2, self.df) * self.slope_se
        return self.slope_log10_per_year - half, self.slope_log10_per_year + half

    def growth_interval(self, level: float | None = None) -> tuple[float, float]:
        """Interval of the growth multiple per year at ``level`` (default: the fit's own)."""
        lo, hi = self.slope_interval_at(level)
        return float(10.0 ** lo), float(10.0 ** hi)

    def predict_log10(self, year) -> np.ndarray:
        """The trend's log10 y at ``year`` (any shape)."""
        return self.log10_at_center + self.slope_log10_per_year * (np.asarray(year, dtype=float) - self.center_year)

    def predictive_scale(self, year) -> np.ndarray:
        """Scale of the predictive t distribution of a new point's log10 y at ``year``.

        ``sqrt(residual_sd**2 + center_se**2 + (year - center_year)**2 * slope_se**2)``: the spread
        of points around the line plus the uncertainty of the line itself.
        """
        dx = np.asarray(year, dtype=float) - self.center_year
        return np.sqrt(self.residual_sd_log10**2 + self.center_se**2 + (dx * self.slope_se) ** 2)

    def line_scale(self, year) -> np.ndarray:
        """Standard error of the trend line's log10 y at ``year`` (no point-to-point spread)."""
        dx = np.asarray(year, dtype=float) - self.center_year
        return np.sqrt(self.center_se**2 + (dx * self.slope_se) ** 2)

    def prediction_interval(self, year, level: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Central ``level`` interval of a new model's y (not logged) at ``year``."""
        level = self.level if level is None else level
        half = stats.t.ppf(0.5 + level / 2, self.df) * self.predictive_scale(year)
        mid = self.predict_log10(year)
        return 10.0 ** (mid - half), 10.0 ** (mid + half)

    def line_interval(self, year, level: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Central ``level`` interval of the trend line itself (y, not logged) at ``year``."""
        level = self.level if level is None else level
        half = stats.t.ppf(0.5 + level / 2, self.df) * self.line_scale(year)
        mid = self.predict_log10(year)
        return 10.0 ** (mid - half), 10.0 ** (mid + half)

    def residual_in_sd(self, year: float, value: float) -> float:
        """How far ``value`` at ``year`` is from the trend, in residual standard deviations."""
        return float((np.log10(value) - self.predict_log10(year)) / self.residual_sd_log10)

    # -- text --------------------------------------------------------------------------------
    def source_note(self) -> str:
        """The ``source:`` text of a parameter taken from this fit: data, filter, years, n, method."""
        sel = self.selection
        data = (f"Epoch AI 'Notable AI Models' (CC BY 4.0), {sel.dataset_label}"
                if sel.dataset_label != "arrays" else "arrays")
        date = f" (data as of {sel.data_date})" if sel.data_date else ""
        return (f"{data}{date}; y = {sel.y_column}; {sel.describe().replace(f'n = {sel.n}', f'n = {self.n}')}; "
                f"{self.method}: {METHOD_LABELS[self.method]}")

    def summary(self, *, at_year: float | None = None) -> str:
        """A few lines describing the fit, as `costsim fit` prints them."""
        sel = self.selection
        lo, hi = self.growth_interval()
        pct = f"{self.level:.0%}"
        unit = _unit_of_column(sel.y_column)
        lines = [f"{sel.y_column}: log-linear trend, {METHOD_LABELS[self.method]}"]
        if sel.dataset_label != "arrays":
            lines.append(f"  data    {sel.dataset_label} ({CREDIT}; data as of {sel.data_date})")
        rows = sel.describe().replace(f"n = {sel.n}", f"n = {self.n}")
        if self.method == "envelope":
            rows += f" record-setting points of {sel.n}"
        span = f"{self.years.min():.1f}-{self.years.max():.1f}" if self.n else "-"
        lines.append(f"  rows    {rows} (published {span})")
        doubling = self.doubling_time_years
        dbl = f"doubling every {doubling * 12:.1f} months" if math.isfinite(doubling) else "not growing"
        lines.append(f"  growth  {self.growth_x_per_year:.3g}x per year, {pct} CI [{lo:.3g}, {hi:.3g}]  ({dbl})")
        lines.append(f"  spread  residual sd {self.residual_sd_log10:.3g} dex (a factor of "
                     f"{10 ** self.residual_sd_log10:.3g} either way)")
        year = at_year if at_year is not None else math.floor(float(self.years.max())) + 1.0
        plo, phi = self.prediction_interval(year)
        lines.append(f"  trend   {10 ** float(self.predict_log10(year)):.3g} {unit} at {_fmt_year(year)}; "
                     f"{pct} prediction interval for one model {float(plo):.3g} to {float(phi):.3g}")
        if sel.n_missing:
            rows_text = "row matches" if sel.n_missing == 1 else "rows match"
            lines.append(f"  note    {sel.n_missing} {rows_text} but without a usable {sel.y_column!r} (skipped)")
        return "\n".join(lines)


def _unit_of_column(column: str) -> str:
    match = re.search(r"\(([^)]*)\)\s*$", column)
    return match[1] if match else ""


def _canonical_order(sel: Selection) -> Selection:
    order = np.lexsort((sel.log10_y, sel.years))
    return Selection(_frozen(sel.years[order]), _frozen(sel.log10_y[order]),
                     tuple(np.asarray(sel.names, dtype=object)[order]), sel.y_column, sel.filters, sel.since,
                     sel.until, sel.dataset_label, sel.data_date, sel.n_missing)


def record_mask(years, log10_y) -> np.ndarray:
    """Mark the record-setting points: larger than every point published before them.

    Points are taken in (year, log10 y) order; the first point is a record.

    Returns
    -------
    numpy.ndarray of bool, aligned with the inputs.
    """
    years = np.asarray(years, dtype=float)
    log10_y = np.asarray(log10_y, dtype=float)
    order = np.lexsort((log10_y, years))
    ordered = log10_y[order]
    previous_max = np.concatenate(([-np.inf], np.maximum.accumulate(ordered)[:-1]))
    out = np.zeros(len(years), dtype=bool)
    out[order] = ordered > previous_max
    return out


def fit_trend(selection: Selection, *, method: str = "ols", level: float = 0.9, n_boot: int = 2000,
              seed: int | None = 0) -> TrendFit:
    """Fit ``log10(y) = a + b * (year - center)`` to a selection.

    Parameters
    ----------
    selection : Selection
    method : {"ols", "robust", "envelope", "bootstrap"}
        See the module docstring.
    level : float
        Credibility of the slope interval, 0 < level < 1 (default 0.9).
    n_boot : int
        Bootstrap replicates (``bootstrap`` only).
    seed : int or None
        Seed of the bootstrap's ``numpy.random.Generator`` (``bootstrap`` only).

    Returns
    -------
    TrendFit

    Raises
    ------
    DataError
        For an unknown method, a level outside (0, 1), fewer than 3 points, a single year, or (bootstrap)
        fewer than 10 resamples or a negative seed.
    """
    if method not in METHODS:
        raise _data_error(selection.dataset_label, "method", "unknown fit method", f"one of {', '.join(METHODS)}",
                          method, _did_you_mean(str(method), list(METHODS)))
    if isinstance(level, bool) or not 0.0 < level < 1.0:
        raise _data_error(selection.dataset_label, "level", "must be a probability", "0 < level < 1", level)
    if method == "bootstrap":
        if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < _MIN_BOOT:
            raise _data_error(selection.dataset_label, "n_boot", "too few bootstrap resamples for an interval",
                              f"a whole number >= {_MIN_BOOT}", n_boot)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
            raise _data_error(selection.dataset_label, "seed", "must be a whole number >= 0", ">= 0", seed)
    sel = _canonical_order(selection)
    used = record_mask(sel.years, sel.log10_y) if method == "envelope" else np.ones(sel.n, dtype=bool)
    used.flags.writeable = False
    x, y = sel.years[used], sel.log10_y[used]
    what = "record-setting points" if method == "envelope" else "points"
    if len(x) < _MIN_POINTS:
        raise _data_error(sel.dataset_label, "", f"too few {what} to fit a trend", f">= {_MIN_POINTS}",
                          len(x), f"Loosen the filters or the year range ({sel.describe()}).")
    if np.ptp(x) == 0:
        raise _data_error(sel.dataset_label, "", "all points share one date; a trend needs a spread of years",
                          "two or more distinct years", float(x[0]))
    n = len(x)
    df = n - 2
    center = float(x.mean())
    dx = x - center
    sxx = float(dx @ dx)
    slope = float(dx @ (y - y.mean()) / sxx)
    height = float(y.mean())
    resid = y - height - slope * dx
    # all-equal residuals (a perfect line) give sd 0: keep a tiny floor so z-scores stay finite
    sd = max(float(np.sqrt(resid @ resid / df)), 1e-12) if df > 0 else 1e-12
    slope_se = sd / math.sqrt(sxx)
    center_se = sd / math.sqrt(n)
    tq = float(stats.t.ppf(0.5 + level / 2, df))
    interval = (slope - tq * slope_se, slope + tq * slope_se)
    boot = None
    if method == "robust":
        ts = stats.theilslopes(y, x, alpha=level)
        slope = float(ts.slope)
        height = float(ts.intercept + slope * center)
        interval = (float(ts.low_slope), float(ts.high_slope))
        resid = y - height - slope * dx
        mad_sd = 1.4826 * float(np.median(np.abs(resid - np.median(resid))))
        if mad_sd < 1e-12 and df > 0:
            # half the points on the line (three points: Theil-Sen puts two on it) is not a perfect fit;
            # the MAD said 1e-12 dex, "a factor of 1 either way": use the residuals' rms instead
            mad_sd = float(np.sqrt(resid @ resid / df))
        sd = max(mad_sd, 1e-12)
        slope_se = (interval[1] - interval[0]) / (2 * float(stats.norm.ppf(0.5 + level / 2)))
        center_se = math.sqrt(math.pi / 2) * sd / math.sqrt(n)  # the median's efficiency under normality
    elif method == "bootstrap":
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, n, size=(n_boot, n))
        xb, yb = x[idx], y[idx]
        xm, ym = xb.mean(axis=1, keepdims=True), yb.mean(axis=1, keepdims=True)
        bsxx = ((xb - xm) ** 2).sum(axis=1)
        ok = bsxx > 0  # a resample of one repeated year has no slope
        if int(ok.sum()) < 2:
            raise _data_error(sel.dataset_label, "", "the bootstrap resamples have no spread of years",
                              "points in more distinct years", n, f"Loosen the filters ({sel.describe()}).")
        boot = ((xb - xm) * (yb - ym)).sum(axis=1)[ok] / bsxx[ok]
        heights = ym[ok, 0] + boot * (center - xm[ok, 0])
        lo, hi = np.quantile(boot, [0.5 - level / 2, 0.5 + level / 2])
        interval = (float(lo), float(hi))
        slope_se = float(boot.std(ddof=1))
        center_se = float(heights.std(ddof=1))
        boot.flags.writeable = False
    return TrendFit(sel, used, method, float(level), center, height, slope, slope_se, center_se,
                    (float(interval[0]), float(interval[1])), sd, df, boot, seed if method == "bootstrap" else None)


def fit(data=None, *, y: str = COMPUTE_COLUMN, filters=(), since=None, until=None, method: str = "ols",
        level: float = 0.9, n_boot: int = 2000, seed: int | None = 0) -> TrendFit:
    """Load, select and fit in one call (see :func:`load_dataset`, :func:`select`, :func:`fit_trend`).

    Examples
    --------
    >>> f = fit(y="Training compute (FLOP)", filters=["Frontier model=True"], since=2010)
    >>> 4.0 < f.growth_x_per_year < 5.0
    True
    """
    selection = select(load_dataset(data), y, filters, since=since, until=until)
    return fit_trend(selection, method=method, level=level, n_boot=n_boot, seed=seed)


def residual_in_sd(trend: TrendFit, dataset: Dataset, model: str, column: str | None = None) -> dict:
    """Place one model of the dataset against a trend: its residual in dex and in residual sds.

    Parameters
    ----------
    trend : TrendFit
    dataset : Dataset
    model : str
        A value of the Model column, e.g. ``"DeepSeek-V3"`` (need not pass the fit's filters).
    column : str, optional
        The column to read (default: the trend's y column).

    Returns
    -------
    dict
        ``model, year, value, trend_value, residual_log10, residual_sd, predictive_percentile``.
        ``residual_sd`` is (log10 value - trend) / residual_sd_log10; ``predictive_percentile`` is
        where the value falls in the predictive t distribution at that date (0-100).
    """
    row = dataset.find_model(model)
    column = trend.y_column if column is None else column
    year = float(dataset.years[row])
    value = dataset.value(row, column)
    if not (value > 0):
        raise _data_error(dataset.label, "model", f"no usable {column!r} for this model", "a positive number",
                          dataset.column(column)[row])
    mid = float(trend.predict_log10(year))
    resid = math.log10(value) - mid
    pct = 100 * float(stats.t.cdf(resid / float(trend.predictive_scale(year)), trend.df))
    return {"model": dataset.columns[NAME_COLUMN][row], "year": year, "value": value, "trend_value": 10**mid,
            "residual_log10": resid, "residual_sd": resid / trend.residual_sd_log10, "predictive_percentile": pct}
