"""The gap between two groups of models (e.g. US and Chinese): frontier ratio and catch-up lag."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from costsim.calibration.data import (
    COMPUTE_COLUMN, Dataset, FRONTIER_STATS, Filter, Selection, _as_filters_raw, _data_error, _frozen,
    parse_filter, select,
)
from costsim.calibration.fits import _canonical_order, record_mask

# ---------------------------------------------------------------------------------------------
# Gap between two groups


@dataclass(frozen=True, eq=False)
class GapResult:
    """The gap in frontier y between a leading group A and a following group B, year by year.

    Attributes
    ----------
    labels : tuple[str, str]
        Names of groups A and B.
    years : numpy.ndarray, (T,)
        Calendar years (integers as floats).
    frontier_log10 : numpy.ndarray, (2, T)
        Each group's frontier log10 y in each year (``nan`` before its first model).
    counts : numpy.ndarray, (2, T)
        Models per group and year.
    ratio, ratio_low, ratio_high : numpy.ndarray, (T,)
        Frontier of A / frontier of B, with its bootstrap interval at ``level``.
    years_behind, years_behind_low, years_behind_high : numpy.ndarray, (T,)
        log10(ratio) / A's frontier slope: how many years of A's frontier growth B is behind.
    catch_up_years, catch_up_low, catch_up_high : numpy.ndarray, (T,)
        The export-control race model's ``follower_lag_years`` read off the data: the time from
        year t until B's frontier first reaches A's frontier of year t (log10 linear between
        years). ``inf`` when B had not reached it by the end of the data (at least the time left).
    growth_x_per_year : tuple[float, float]
        Frontier growth of A and B (OLS of each frontier series on year).
    growth_interval : tuple[tuple[float, float], tuple[float, float]]
    trend_ratio, trend_years_behind : tuple[float, float, float]
        The gap between the two fitted frontier trends at the last year: (point, low, high).
    record_lags : list[dict]
        For each record set by B: its date, level, the date A first reached that level, and the lag.
    frontier : str
        ``record`` (largest model to date), ``max`` (largest of the year) or ``top<k>`` (mean log10
        of the year's k largest).
    """

    labels: tuple
    y_column: str
    years: np.ndarray
    frontier_log10: np.ndarray
    counts: np.ndarray
    ratio: np.ndarray
    ratio_low: np.ndarray
    ratio_high: np.ndarray
    years_behind: np.ndarray
    years_behind_low: np.ndarray
    years_behind_high: np.ndarray
    catch_up_years: np.ndarray
    catch_up_low: np.ndarray
    catch_up_high: np.ndarray
    growth_x_per_year: tuple
    growth_interval: tuple
    trend_ratio: tuple
    trend_years_behind: tuple
    record_lags: list
    frontier: str
    level: float
    n_boot: int
    selections: tuple = field(default=())

    def summary(self) -> str:
        """A table of the gap by year, as `costsim gap` prints it."""
        a, b = self.labels
        pct = f"{self.level:.0%}"
        fr = {"record": "largest model to date", "max": "largest model of the year"}.get(
            self.frontier, f"mean log10 of the year's {self.frontier[3:]} largest models")
        lines = [
            f"Gap in {self.y_column}: A = {a}, B = {b}",
            f"  frontier = {fr}; {pct} bootstrap ranges over models ({self.n_boot} resamples)",
            f"  {'year':>6} {'n A':>4} {'n B':>4} {'frontier A':>11} {'frontier B':>11} "
            f"{'A/B ratio':>10} {pct + ' range':>20} {'years behind':>13} {pct + ' range':>16} "
            f"{'catch-up':>9} {pct + ' range':>16}",
        ]
        one_sided = False
        for t in range(len(self.years)):
            fa, fb = self.frontier_log10[:, t]
            if np.isnan(fa) and np.isnan(fb):
                continue
            mark_r = _one_sided(self.ratio[t], self.ratio_low[t], self.ratio_high[t])
            mark_y = _one_sided(self.years_behind[t], self.years_behind_low[t], self.years_behind_high[t])
            one_sided |= bool(mark_r or mark_y)
            lines.append(
                f"  {int(self.years[t]):>6} {int(self.counts[0, t]):>4} {int(self.counts[1, t]):>4} "
                f"{_e(fa):>11} {_e(fb):>11} {_num(self.ratio[t]):>10} "
                f"{'[' + _num(self.ratio_low[t]) + ', ' + _num(self.ratio_high[t]) + ']' + mark_r:>20} "
                f"{_yr(self.years_behind[t]):>13} "
                f"{'[' + _yr(self.years_behind_low[t]) + ', ' + _yr(self.years_behind_high[t]) + ']' + mark_y:>16} "
                f"{_lag(self.catch_up_years[t]):>9} "
                f"{'[' + _lag(self.catch_up_low[t]) + ', ' + _lag(self.catch_up_high[t]) + ']':>16}")
        (ga, gb), ((la, ha), (lb, hb)) = self.growth_x_per_year, self.growth_interval
        r, rl, rh = self.trend_ratio
        yb, yl, yh = self.trend_years_behind
        if one_sided:
            lines.append("  * the range ends at the point estimate: resampling can drop a group's top model but never "
                         "add a larger one, so a bootstrap of a maximum is one-sided there. Read it as how far the "
                         f"value moves if some models were missing, not as a {pct} confidence interval.")
        lines.append("  years behind = log10(A/B) / A's frontier slope; catch-up = time until B first reached A's "
                     "frontier of that year (the race model's follower_lag_years; '>' not yet reached)")
        lines += [
            f"  frontier growth: A {ga:.3g}x/yr [{la:.3g}, {ha:.3g}], B {gb:.3g}x/yr [{lb:.3g}, {hb:.3g}]",
            f"  fitted trends at {int(self.years[-1])}: A/B = {_num(r)} [{_num(rl)}, {_num(rh)}], "
            f"B is {_yr(yb)} years behind [{_yr(yl)}, {_yr(yh)}]",
        ]
        if self.record_lags:
            lines.append("  records set by B, and when A had first reached that level:")
            for lag in self.record_lags:
                reached = f"{lag['a_year']:.2f} ({lag['a_model']})" if lag["a_model"] else "never (A below)"
                lag_text = f"{lag['lag_years']:+.2f} years" if lag["a_model"] else "B ahead"
                lines.append(f"    {lag['b_year']:.2f} {lag['b_model']:<28} {10 ** lag['log10_y']:.3g}: "
                             f"A reached it {reached} -> {lag_text}")
        return "\n".join(lines)


def _one_sided(point: float, low: float, high: float) -> str:
    """'*' when a bootstrap range of a maximum ends at its point estimate (one-sided by construction)."""
    if not (np.isfinite(point) and np.isfinite(low) and np.isfinite(high)) or low == high:
        return ""
    return "*" if np.isclose(low, point, rtol=1e-9, atol=0) or np.isclose(high, point, rtol=1e-9, atol=0) else ""


def _e(log10_value: float) -> str:
    return "-" if np.isnan(log10_value) else f"{10 ** log10_value:.3g}"


def _num(value: float) -> str:
    return "-" if not np.isfinite(value) else f"{value:.3g}"


def _yr(value: float) -> str:
    return "-" if not np.isfinite(value) else f"{value:+.2f}"


def _lag(value: float) -> str:
    if np.isnan(value):
        return "-"
    return ">" if np.isinf(value) else f"{value:.2f}"


def catch_up(leader: np.ndarray, follower: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Years from grid[t] until ``follower`` first reaches ``leader[:, t]``: (R, T) -> (R, T).

    log10 is linear between grid years; 0 if the follower is already level or ahead; ``inf`` if it
    never gets there within the grid; ``nan`` if the leader has no value in year t.
    """
    rows, size = leader.shape
    out = np.full((rows, size), np.inf)
    for t in range(size):
        target = leader[:, t]
        open_ = np.isfinite(target)
        out[~open_, t] = np.nan
        first = open_ & (follower[:, t] >= target)
        out[first, t] = 0.0
        open_ &= ~first
        for s in range(t + 1, size):
            prev, cur = follower[:, s - 1], follower[:, s]
            hit = open_ & (cur >= target)
            if not hit.any():
                continue
            with np.errstate(invalid="ignore", divide="ignore"):  # a nan start (no model yet) jumps to s
                frac = np.where(np.isfinite(prev) & (cur > prev), (target - prev) / (cur - prev), 1.0)
            out[hit, t] = (s - 1 - t) + np.clip(frac[hit], 0.0, 1.0) * (grid[s] - grid[s - 1])
            open_ &= ~hit
    return out


def _frontier_by_year(years_b, log10_b, grid, frontier: str) -> np.ndarray:
    """Frontier log10 y per calendar year, vectorized over bootstrap rows: (B, n) -> (B, T)."""
    out = np.full((years_b.shape[0], len(grid)), np.nan)
    k = int(frontier[3:]) if frontier.startswith("top") else 1
    for t, year in enumerate(grid):
        mask = years_b < year + 1 if frontier == "record" else (years_b >= year) & (years_b < year + 1)
        masked = np.where(mask, log10_b, -np.inf)
        if k == 1:
            best = masked.max(axis=1)
        else:
            top = -np.sort(-masked, axis=1)[:, :k]
            finite = np.isfinite(top)
            count = finite.sum(axis=1)
            best = np.where(count > 0, np.where(finite, top, 0.0).sum(axis=1) / np.maximum(count, 1), -np.inf)
        out[:, t] = np.where(np.isfinite(best), best, np.nan)
    return out


def _slopes_ignoring_nan(grid, series) -> tuple[np.ndarray, np.ndarray]:
    """OLS slope and intercept of each row of ``series`` (B, T) on ``grid`` (T,), skipping nan cells."""
    w = np.isfinite(series)
    count = w.sum(axis=1)
    safe = np.where(w, series, 0.0)
    xm = (w * grid).sum(axis=1) / np.maximum(count, 1)
    ym = safe.sum(axis=1) / np.maximum(count, 1)
    dx = np.where(w, grid - xm[:, None], 0.0)
    sxx = (dx**2).sum(axis=1)
    slope = np.full(series.shape[0], np.nan)
    ok = (count >= 2) & (sxx > 0)
    slope[ok] = (dx * (safe - ym[:, None])).sum(axis=1)[ok] / sxx[ok]
    return slope, ym - slope * xm


def gap(dataset: Dataset, *, group_a, group_b, y: str = COMPUTE_COLUMN, filters=(), since=None, until=None,
        frontier: str = "record", level: float = 0.9, n_boot: int = 1000, seed: int | None = 0,
        labels: tuple | None = None) -> GapResult:
    """Measure, year by year, how far group B's frontier is behind group A's.

    Parameters
    ----------
    dataset : Dataset
    group_a, group_b : str or sequence of str
        Filters defining each group, e.g. ``"Country (from Organization)==United States of America"``
        and ``"Country (from Organization)==China"``; ANDed with ``filters``.
    y : str
        Column compared (default training compute).
    since, until : optional
        Publication-year bounds of the models considered.
    frontier : {"record", "max", "top<k>"}
        ``record``: largest model to date (default); ``max``: largest of the year; ``top3``: mean
        log10 of the year's three largest.
    level : float
        Credibility of the bootstrap intervals.
    n_boot : int
        Bootstrap resamples (models resampled with replacement within each group).
    seed : int or None

    Returns
    -------
    GapResult
        ``ratio`` is A's frontier / B's; ``years_behind`` = log10(ratio) / (A's frontier slope in
        dex per year). A bootstrap of a maximum is biased low (a resample misses the top model
        about a third of the time), more so for the group with fewer models: read the intervals
        as a spread, not an exact coverage.
    """
    if not (frontier in FRONTIER_STATS or re.fullmatch(r"top[1-9]\d*", str(frontier))):
        raise _data_error(dataset.label, "frontier", "unknown frontier statistic", "record, max or top<k> (top3)",
                          frontier)
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 10:
        raise _data_error(dataset.label, "n_boot", "too few bootstrap resamples for a range", "a whole number >= 10",
                          n_boot)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise _data_error(dataset.label, "seed", "must be a whole number >= 0", ">= 0", seed)
    base = _as_filters_raw(filters)
    sels = []
    for key, group in (("group_a", group_a), ("group_b", group_b)):
        group_filters = _as_filters_raw(group)
        if not group_filters:
            raise _data_error(dataset.label, key, "a group needs at least one filter", "'COLUMN=VALUE'", group)
        for flt in group_filters:  # checked here first so a mistake is reported against the group
            (flt if isinstance(flt, Filter) else parse_filter(flt, path=key, source=dataset.label)).mask(
                dataset, path=key)
        sels.append(_canonical_order(select(dataset, y, base + group_filters, since=since, until=until)))
    if labels is None:
        labels = tuple(" & ".join(parse_filter(f).values[0] if isinstance(f, str) else f.values[0]
                                  for f in _as_filters_raw(g)) for g in (group_a, group_b))
    for label, sel in zip(labels, sels):
        if sel.n < 2:
            raise _data_error(dataset.label, "group", f"too few models in group {label!r}", ">= 2", sel.n)
    start = math.floor(min(float(s.years.min()) for s in sels))
    stop = math.floor(max(float(s.years.max()) for s in sels))
    grid = np.arange(start, stop + 1, dtype=float)
    rng = np.random.default_rng(seed)
    point, boots, counts = [], [], []
    for sel in sels:
        point.append(_frontier_by_year(sel.years[None, :], sel.log10_y[None, :], grid, frontier)[0])
        idx = rng.integers(0, sel.n, size=(n_boot, sel.n))
        boots.append(_frontier_by_year(sel.years[idx], sel.log10_y[idx], grid, frontier))
        counts.append(np.array([np.sum((sel.years >= g) & (sel.years < g + 1)) for g in grid]))
    pa, pb = point
    ba, bb = boots
    slope_a, icpt_a = _slopes_ignoring_nan(grid, np.vstack([pa, ba]))
    slope_b, icpt_b = _slopes_ignoring_nan(grid, np.vstack([pb, bb]))
    lo_q, hi_q = 0.5 - level / 2, 0.5 + level / 2
    diff = np.vstack([pa - pb, ba - bb])  # (1 + B, T)
    with np.errstate(divide="ignore", invalid="ignore"):  # a flat or falling A frontier has no "years behind"
        behind = diff / np.where(slope_a > 0, slope_a, np.nan)[:, None]

    def band(rows):
        finite = np.isfinite(rows)
        lo = np.full(rows.shape[1], np.nan)
        hi = np.full(rows.shape[1], np.nan)
        for t in range(rows.shape[1]):
            if finite[:, t].sum() >= 2:
                lo[t], hi[t] = np.quantile(rows[finite[:, t], t], [lo_q, hi_q])
        return lo, hi

    rlo, rhi = band(diff[1:])
    blo, bhi = band(behind[1:])
    catch = catch_up(np.vstack([pa, ba]), np.vstack([pb, bb]), grid)
    defined = ~np.isnan(catch[1:])
    catch_lo = np.full(len(grid), np.nan)
    catch_hi = np.full(len(grid), np.nan)
    for t in range(len(grid)):
        if defined[:, t].sum() >= 2:  # inf (not reached yet) sorts last, as the longest lag
            catch_lo[t], catch_hi[t] = np.quantile(catch[1:][defined[:, t], t], [lo_q, hi_q], method="inverted_cdf")
    last = grid[-1]
    trend_diff = (icpt_a + slope_a * last) - (icpt_b + slope_b * last)
    with np.errstate(divide="ignore", invalid="ignore"):
        trend_behind = trend_diff / np.where(slope_a > 0, slope_a, np.nan)

    def point_band(values):
        rest = values[1:][np.isfinite(values[1:])]
        lo, hi = np.quantile(rest, [lo_q, hi_q]) if len(rest) >= 2 else (np.nan, np.nan)
        return float(values[0]), float(lo), float(hi)

    def growth(slopes):
        p, lo, hi = point_band(slopes)
        return 10**p, (10**lo, 10**hi)

    ga, gia = growth(slope_a)
    gb, gib = growth(slope_b)
    td = point_band(trend_diff)
    return GapResult(
        tuple(labels), sels[0].y_column, _frozen(grid), np.vstack([pa, pb]), np.vstack(counts),
        10 ** diff[0], 10**rlo, 10**rhi, behind[0], blo, bhi, catch[0], catch_lo, catch_hi, (ga, gb), (gia, gib),
        tuple(10**v for v in td), point_band(trend_behind), _record_lags(sels[0], sels[1]), str(frontier),
        float(level), int(n_boot), tuple(sels))


def _record_lags(a: Selection, b: Selection) -> list[dict]:
    lags = []
    rec_b = record_mask(b.years, b.log10_y)
    for i in np.flatnonzero(rec_b):
        reached = np.flatnonzero(a.log10_y >= b.log10_y[i])
        if len(reached):
            j = reached[np.argmin(a.years[reached])]
            lags.append({"b_year": float(b.years[i]), "b_model": b.names[i], "log10_y": float(b.log10_y[i]),
                         "a_year": float(a.years[j]), "a_model": a.names[j],
                         "lag_years": float(b.years[i] - a.years[j])})
        else:
            lags.append({"b_year": float(b.years[i]), "b_model": b.names[i], "log10_y": float(b.log10_y[i]),
                         "a_year": math.nan, "a_model": "", "lag_years": math.nan})
    return lags
