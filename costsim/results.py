"""Results of a run: arrays, statistics with their Monte Carlo error, checks, save and load.

A Results holds ``years (T,)``, sampled ``params {name: (n,)}`` and ``outputs {name: (n, ...)}``
whose axes after the sample axis are given by ``axes[name]`` (``("year",)`` for most outputs,
``("year", "bloc")`` for per-bloc outputs, ``()`` for per-sample scalars). Every reported
quantile and probability carries its Monte Carlo standard error.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from costsim.arrays import empty
from costsim.errors import DataError
from costsim.scenario import Check
from costsim.units import suffix_of, unit_of

Z95 = 1.959963984540054
SUMMARY_QUANTILES = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)
PRINTED_QUANTILES = (0.05, 0.50, 0.95)  # the printed table's median and 90% interval
PARALLEL_STATS_VALUES = 4_000_000  # below this many values a thread pool costs more than it saves
MEASURE_STATS_VALUES = 50_000_000  # from this many (~0.3 s of statistics) the busy cores are measured (50 ms)
BLOCK_BYTES = 2**21  # rows per block of the column gather: ~2 MiB, inside the cache
STATS_SCRATCH_BYTES = 64 * 2**20  # the gathered columns of one output at a time, at most (or one column)


def _stat_q(stat: str) -> float | None:
    if stat == "median":
        return 0.5
    if stat.startswith("p"):
        return int(stat[1:]) / 100.0
    if stat.startswith("q"):
        return float(stat[1:])
    return None


def quantiles_with_se(x: np.ndarray, qs, *, overwrite: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles of a 1-D sample (NumPy's default 'linear' rule) and their Monte Carlo errors.

    The standard error comes from the order-statistic 95% interval of each quantile:
    ranks ``n q -+ 1.96 sqrt(n q (1 - q))``, SE = (x_hi - x_lo) / (2 * 1.96); where that interval
    reaches past the sample's first or last rank (an extreme quantile of a small sample: the
    99.9th percentile of 100 draws; and the minimum and maximum themselves) the sample cannot
    bound it, and the SE is inf (a check on it is too close to call), not the width of a window
    cut off at the end. The order
    statistics are exact: one partial sort serves all quantiles and their intervals (for large
    samples, a partial sort of the few values around each wanted rank: :func:`_order_stats`);
    ``overwrite=True`` lets the partial sort reorder ``x`` itself (a writeable scratch copy)
    instead of a new copy.
    """
    n = x.shape[0]
    qs = np.asarray(qs, dtype=float)
    if n == 1:
        return np.full(qs.shape, float(x[0])), np.full(qs.shape, np.nan)
    h = (n - 1) * qs
    lo = np.floor(h).astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    half = Z95 * np.sqrt(n * qs * (1 - qs))
    r_lo, r_hi = np.floor(n * qs - half).astype(np.int64), np.ceil(n * qs + half).astype(np.int64)
    unbounded = (r_lo < 0) | (r_hi > n - 1) | (qs <= 0.0) | (qs >= 1.0)  # q 0 and 1: the sample's extremes
    r_lo, r_hi = np.clip(r_lo, 0, n - 1), np.clip(r_hi, 0, n - 1)
    kth = np.unique(np.concatenate([lo, hi, r_lo, r_hi]))
    at = _order_stats(x, kth) if n >= SELECT_MIN_SAMPLES else None
    if at is None:
        if overwrite and x.flags.writeable and x.flags.c_contiguous:
            x.partition(kth)
            part = x
        else:
            part = np.partition(x, kth)
        at = part[kth]

    def ranked(idx):
        return at[np.searchsorted(kth, idx)]

    with np.errstate(over="ignore", invalid="ignore"):
        values = ranked(lo) + (h - lo) * (ranked(hi) - ranked(lo))
        se = (ranked(r_hi) - ranked(r_lo)) / (2 * Z95)
    if not (np.isfinite(values).all() and np.isfinite(se).all()) and np.isfinite(at).all():
        # differences of values near +-1.8e308 overflow; the same quantities in a safe order
        w = h - lo
        values = np.where(np.isfinite(values), values, ranked(lo) * (1 - w) + ranked(hi) * w)
        se = np.where(np.isfinite(se), se, ranked(r_hi) / (2 * Z95) - ranked(r_lo) / (2 * Z95))
    if unbounded.any():  # a sample of one value throughout (a constant output) bounds every quantile exactly
        se = np.where(unbounded, 0.0 if np.min(x) == np.max(x) else np.inf, se)
    return values, se


SELECT_MIN_SAMPLES = 100_000  # below this one partial sort is as fast
SELECT_STEP = 16  # every 16th sample estimates where the wanted ranks lie
SELECT_MARGIN_SD = 4.0  # windows this many binomial sds wide on each side (a miss falls back to a partial sort)


def _order_stats(x: np.ndarray, kth: np.ndarray) -> np.ndarray | None:
    """The values of ranks ``kth`` (sorted, unique) of ``x``, as ``np.partition(x, kth)[kth]`` gives them.

    Faster than one partial sort with many ranks: a sorted subsample of every SELECT_STEP-th
    value brackets each wanted rank by a window of values; the values inside each window (a few
    percent of the samples) are gathered and partially sorted, and the count below the window
    gives the ranks. Each window is verified to hold its ranks, so the result is exact; None
    (the caller sorts) when a window misses them or the subsample holds inf or nan. ``x`` is not
    modified.
    """
    n = x.shape[0]
    sub = np.sort(x[::SELECT_STEP])
    m = sub.shape[0]
    if m < 2 or not (np.isfinite(sub[0]) and np.isfinite(sub[-1])):
        return None
    p = (kth + 0.5) / n
    d = SELECT_MARGIN_SD * np.sqrt(m * p * (1 - p)) + 2.0
    a = np.floor(p * m - d).astype(np.int64)
    b = np.ceil(p * m + d).astype(np.int64)
    low = np.where(a >= 0, sub[np.clip(a, 0, m - 1)], -np.inf)
    high = np.where(b < m, sub[np.clip(b, 0, m - 1)], np.inf)
    groups = [[0, 0]]  # [first, last] rank index of each window; overlapping windows are merged
    for i in range(1, len(kth)):
        if low[i] > high[groups[-1][0]:i].max():
            groups.append([i, i])
        else:
            groups[-1][1] = i
    out = []
    for first, last in groups:
        lo_v, hi_v = low[first], high[first:last + 1].max()
        ranks = kth[first:last + 1]
        below = int(np.count_nonzero(x < lo_v)) if lo_v > -np.inf else 0
        window = np.compress((x >= lo_v) & (x <= hi_v), x)  # = x[mask] (in x's order), faster
        if ranks[0] < below or ranks[-1] >= below + window.shape[0]:
            return None
        pos = ranks - below
        window.partition(pos)
        out.append(window[pos])
    return np.concatenate(out)


def mean_sd(x: np.ndarray) -> tuple[float, float]:
    """Mean and sample standard deviation of a 1-D sample, without overflow for huge values.

    Values beyond about 1e154 overflow when squared, and sums of values near 1.8e308 overflow;
    such samples are scaled by their largest magnitude first (other samples are computed
    directly, so their digits do not change).
    """
    n = x.shape[0]
    scale = float(np.maximum(x.max(), -x.min())) if n else 0.0  # max |x| (NaN if any), without a copy
    if math.isfinite(scale) and scale > 1e150:
        y = x / scale
        return float(y.mean()) * scale, (float(y.std(ddof=1)) * scale if n > 1 else 0.0)
    return float(x.mean()), (float(x.std(ddof=1)) if n > 1 else 0.0)


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one scenario check, with the measured value and its Monte Carlo error."""

    claim: str
    description: str
    value: float
    se: float
    passed: bool
    conclusive: bool
    needed_samples: int | None

    @property
    def verdict(self) -> str:
        """``PASS`` or ``FAIL`` when the Monte Carlo error decides it, else ``CLOSE`` (too close to call, or
        no error to judge by, as at n=1): a CLOSE check has neither passed nor failed."""
        if not self.conclusive:
            return "CLOSE"
        return "PASS" if self.passed else "FAIL"

    def as_dict(self) -> dict:
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in self.__dict__.items()}


def checks_text(checks) -> str:
    """``4 of 5 passed, 1 too close to call``: the decided passes and the CLOSE checks, as ``costsim run``
    counts them (the report's pages, its checks figure, watch and a notebook's repr say it this way)."""
    passed = sum(c.verdict == "PASS" for c in checks)
    close = sum(c.verdict == "CLOSE" for c in checks)
    return f"{passed} of {len(checks)} passed" + (f", {close} too close to call" if close else "")


@dataclass(frozen=True)
class Results:
    """Arrays and metadata of a run. Arrays are read-only."""

    years: np.ndarray
    params: dict[str, np.ndarray]
    outputs: dict[str, np.ndarray]
    axes: dict[str, tuple[str, ...]]
    blocs: tuple[str, ...] = ()
    meta: dict = field(default_factory=dict)
    checks: tuple[CheckResult, ...] = ()
    # statistics of each (output, year, bloc) column, computed once for the summary, the printed
    # table and the checks alike (pass it on when the same arrays get a new Results)
    stats_cache: dict = field(default_factory=dict, repr=False, compare=False)
    # values of single quantiles {(output, year index, bloc index, q): value} where only they were asked
    # for (the printed table): summary_stats' numbers, without the other statistics
    quantile_cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        for arr in (*self.params.values(), *self.outputs.values(), self.years):
            if isinstance(arr, np.ndarray):
                arr.flags.writeable = False

    # ------------------------------------------------------------------ access
    @property
    def n(self) -> int:
        for arr in self.outputs.values():
            return int(arr.shape[0])
        return 0

    def _get(self, name: str) -> np.ndarray:
        if name in self.outputs:
            return self.outputs[name]
        if name in self.params:
            return self.params[name]
        import difflib

        close = difflib.get_close_matches(name, [*self.outputs, *self.params], n=1)
        raise KeyError(f"no output or parameter {name!r}" + (f"; did you mean {close[0]!r}?" if close else ""))

    def axes_of(self, name: str) -> tuple[str, ...]:
        return self.axes.get(name, ()) if name in self.outputs else ()

    def year_index(self, year: float) -> int:
        idx = np.nonzero(self.years == year)[0]
        if not len(idx):
            lo, hi = int(self.years[0]), int(self.years[-1])
            if isinstance(year, (int, float, np.number)) and math.isfinite(float(year)) \
                    and float(year) != round(float(year)) and lo <= float(year) <= hi:
                raise KeyError(f"year {year} must be a whole year (the years are {lo}..{hi})")
            raise KeyError(f"year {year} is not in {lo}..{hi}")
        return int(idx[0])

    def _year_of(self, name: str, year: float | None) -> float:
        """``year``, or any year when the output is the same in all of them (one year, or constant in
        time); an output that changes with the year needs one named (no silent first year)."""
        if year is not None:
            return year
        arr = self._get(name)
        if len(self.years) == 1 or np.array_equal(arr, np.broadcast_to(arr[:, :1], arr.shape), equal_nan=True):
            return self.years[0]
        raise ValueError(f"{name!r} has a year axis ({int(self.years[0])}..{int(self.years[-1])}); name a year, "
                         f"e.g. year={int(self.years[-1])} or '{name}[{int(self.years[-1])}] > ...'")

    def bloc_index(self, bloc: str | int) -> int:
        """Index ``0 .. B-1`` of a bloc given by name or by index (Python's: -1 is the last bloc); an
        index out of range or a bool is refused, never wrapped or read as 0/1."""
        if isinstance(bloc, (int, np.integer)) and not isinstance(bloc, (bool, np.bool_)):
            b = len(self.blocs)
            if not -b <= int(bloc) < b:
                raise KeyError(f"bloc index {int(bloc)} is not in {-b}..{b - 1} (blocs {self.blocs})")
            return int(bloc) % b
        if not isinstance(bloc, str) or bloc not in self.blocs:
            raise KeyError(f"bloc {bloc!r} is not one of {self.blocs}")
        return self.blocs.index(bloc)

    def _bloc_of(self, name: str, bloc: str | int | None) -> int:
        """Index of ``bloc`` for a per-bloc output's one-column summary: a bloc must be named (no silent first bloc)."""
        if bloc is None:
            raise ValueError(f"{name!r} has a bloc axis ({', '.join(map(str, self.blocs))}); name a bloc, "
                             f"e.g. bloc={self.blocs[0]!r}")
        return self.bloc_index(bloc)

    def at_year(self, name: str, year: float | None = None, bloc: str | int | None = None) -> np.ndarray:
        """Samples of an output at one year (and bloc): ``(n,)``, or ``(n, B)`` without a bloc."""
        arr = self._get(name)
        axes = self.axes_of(name)
        if "year" in axes:
            arr = arr[:, self.year_index(self._year_of(name, year))]
        if "bloc" in axes and bloc is not None:
            arr = arr[..., self.bloc_index(bloc)]
        return arr

    def quantiles(self, name: str, q, *, year: float | None = None, bloc: str | int | None = None) -> np.ndarray:
        """Quantiles over samples: shape ``(len(q),) + remaining axes`` (all years when year is None)."""
        arr = self._get(name)
        axes = self.axes_of(name)
        if year is not None and "year" in axes:
            arr = arr[:, self.year_index(year)]
        if bloc is not None and "bloc" in axes:
            arr = arr[..., self.bloc_index(bloc)]
        qs = np.atleast_1d(np.asarray(q, dtype=float))
        flat = arr.reshape(arr.shape[0], -1)
        out = np.empty((len(qs), flat.shape[1]))
        for j in range(flat.shape[1]):  # column by column: one column's copy, not the whole array's
            out[:, j] = np.quantile(flat[:, j], qs)
        out = out.reshape((len(qs),) + arr.shape[1:])
        return out[0] if np.ndim(q) == 0 else out

    def probability(self, name_or_expr: str, year: float | None = None, *, above: float | None = None,
                    below: float | None = None, bloc: str | int | None = None) -> tuple[float, float]:
        """P(event) and its standard error, e.g. ``probability("effective_flop[2030] > 1e29")``.

        ``above`` means ``>=`` and ``below`` means ``<`` (so above/below a bound split the samples).
        """
        if above is None and below is None:
            m = re.match(r"^\s*(\w+)\s*(?:\[\s*(\d{4})\s*\])?\s*(?:\{\s*(\w+)\s*\})?\s*(>=|>|<=|<)\s*"
                         r"([-+0-9.eE]+)\s*$", name_or_expr)
            if not m:
                raise ValueError(f"cannot read {name_or_expr!r}; expected e.g. 'effective_flop[2030] > 1e29'")
            name, yr, bl, op, num = m.groups()
            x = self.at_year(name, float(yr) if yr else year, bl if bl else bloc)
            thr = float(num)
            hit = {">": x > thr, ">=": x >= thr, "<": x < thr, "<=": x <= thr}[op]
        else:
            x = self.at_year(name_or_expr, year, bloc)
            hit = np.ones(x.shape, bool)
            if above is not None:
                hit &= x >= above
            if below is not None:
                hit &= x < below
        p = float(np.mean(hit, axis=0)) if hit.ndim == 1 else np.mean(hit, axis=0)
        se = np.sqrt(np.maximum(p * (1 - p), 0.0) / hit.shape[0])
        return p, (float(se) if np.ndim(se) == 0 else se)

    def crossing_year(self, name: str, threshold: float, bloc: str | int | None = None, *, below: bool = False,
                      interpolate: bool = True) -> np.ndarray:
        """When each sample's output first crosses ``threshold``: ``(n,)``, or ``(n, B)`` without a bloc.

        Rising (default): the first time the output reaches ``threshold`` (``>=``); ``below=True``:
        the first time it falls below it (``<``), as for a falling cost. With ``interpolate``
        (default) the year is fractional, interpolated between the two years around the crossing
        on the log scale when both values and the threshold are positive (quantities that grow or
        decline exponentially), else linearly: a cost of $1.1M in 2026 and $0.4M in 2027 falls
        below $1M in 2026.09, not "2027". ``interpolate=False`` gives the first whole year at or
        past the crossing. NaN where a sample never crosses within the years; a sample already
        past the threshold in the first year gets the first year.
        """
        arr = np.asarray(self._get(name), dtype=float)
        axes = self.axes_of(name)
        if "year" not in axes:
            raise KeyError(f"{name!r} has no year axis (axes: {', '.join(axes) or 'none'}); a crossing year needs "
                           "an output per year")
        if "bloc" in axes and bloc is not None:
            arr = arr[..., self.bloc_index(bloc)]
        n, t = arr.shape[0], arr.shape[1]
        rest = arr.shape[2:]
        flat = arr.reshape(n, t, -1)
        thr = float(threshold)
        hit = flat < thr if below else flat >= thr
        first = np.argmax(hit, axis=1)  # (n, K)
        years = np.asarray(self.years, dtype=float)
        out = years[first]
        if interpolate and t > 1:
            rows, cols = np.nonzero(hit.any(axis=1) & (first > 0))
            k = first[rows, cols]
            v0, v1 = flat[rows, k - 1, cols], flat[rows, k, cols]
            logs = (v0 > 0) & (v1 > 0) & (thr > 0)
            with np.errstate(divide="ignore", invalid="ignore"):  # the other branch of each where
                f_log = (np.log(thr) - np.log(np.where(logs, v0, 1.0))) / (
                    np.log(np.where(logs, v1, 2.0)) - np.log(np.where(logs, v0, 1.0)))
                f_lin = (thr - v0) / (v1 - v0)
            f = np.clip(np.where(logs, f_log, f_lin), 0.0, 1.0)
            out[rows, cols] = years[k - 1] + f * (years[k] - years[k - 1])
        out[~hit.any(axis=1)] = np.nan
        return out.reshape((n,) + rest)

    # ------------------------------------------------------------------ summaries
    def _column(self, name: str, yi: int | None, bi: int | None) -> np.ndarray:
        col = self._get(name)
        axes = self.axes_of(name)
        if "year" in axes and yi is not None:
            col = col[:, yi]
        if "bloc" in axes and bi is not None:
            col = col[:, bi] if col.ndim == 2 else col[..., bi]
        return col

    def column_stats(self, name: str, yi: int | None = None, bi: int | None = None
                     ) -> tuple[float, float, np.ndarray, np.ndarray]:
        """``(mean, sd, quantiles, their MC errors)`` at SUMMARY_QUANTILES of one column, computed once.

        ``yi``/``bi`` index the year and bloc (None where the output has no such axis).
        """
        key = (name, yi, bi)
        hit = self.stats_cache.get(key)
        if hit is None:
            # one contiguous scratch copy serves mean, sd (fast on contiguous memory, and bit for
            # bit the strided column's) and the in-place partial sort of the quantiles
            x = np.array(self._column(name, yi, bi), dtype=float, order="C")
            mean, sd = mean_sd(x)
            vals, ses = quantiles_with_se(x, SUMMARY_QUANTILES, overwrite=True)
            hit = self.stats_cache[key] = (mean, sd, vals, ses)
        return hit

    def summary_stats(self, name: str, year: float | None = None, bloc: str | int | None = None
                      ) -> dict[str, tuple[float, float]]:
        """``{"mean", "sd", "p05", ..., "p95": (value, MC error)}`` of one output at a year and bloc.

        The same numbers as ``summary.csv`` (computed once per column and kept).
        """
        axes = self.axes_of(name)
        yi = self.year_index(self._year_of(name, year)) if "year" in axes else None
        bi = self._bloc_of(name, bloc) if "bloc" in axes else None
        mean, sd, vals, ses = self.column_stats(name, yi, bi)
        n = self.n if name in self.outputs else int(self._get(name).shape[0])
        out = {"mean": (mean, sd / math.sqrt(n)), "sd": (sd, sd / math.sqrt(2 * max(n - 1, 1)))}
        for q, v, e in zip(SUMMARY_QUANTILES, vals, ses, strict=True):
            out[f"p{round(q * 100):02d}"] = (float(v), float(e))
        return out

    def summary_quantiles(self, name: str, year: float | None = None, bloc: str | int | None = None,
                          qs=PRINTED_QUANTILES) -> tuple[float, ...]:
        """Values of quantiles ``qs`` of one output at a year and bloc: those of :meth:`summary_stats`
        (``summary.csv``), bit for bit, without computing the column's other statistics.

        Each quantile's value depends only on its own two order statistics, so the fewer wanted
        here cost fewer passes over the samples (the printed table wants 3 of 7, no errors).
        """
        axes = self.axes_of(name)
        yi = self.year_index(self._year_of(name, year)) if "year" in axes else None
        bi = self._bloc_of(name, bloc) if "bloc" in axes else None
        full = self.stats_cache.get((name, yi, bi))
        out = []
        for q in qs:
            q = float(q)
            if full is not None and q in SUMMARY_QUANTILES:
                out.append(float(full[2][SUMMARY_QUANTILES.index(q)]))
                continue
            key = (name, yi, bi, q)
            if key not in self.quantile_cache:
                self._keep_quantiles((name, yi, bi), np.array(self._column(name, yi, bi), dtype=float, order="C"), qs)
            out.append(self.quantile_cache[key])
        return tuple(out)

    def _keep_quantiles(self, key: tuple, x: np.ndarray, qs) -> None:
        """Keep the values of quantiles ``qs`` of column ``x`` (a scratch copy, reordered) under ``key + (q,)``."""
        vals, _ = quantiles_with_se(x, qs, overwrite=True)
        for q, v in zip(qs, vals, strict=True):
            self.quantile_cache.setdefault((*key, float(q)), float(v))

    def fill_stats(self, *, scratch_bytes: int | None = None, quantiles=None) -> None:
        """Compute (and keep) the statistics of every output column now, as :meth:`summary_stats`
        and ``summary.csv`` give them (the same numbers): in blocked passes, on the idle cores.

        ``scratch_bytes`` bounds the columns gathered at once (default STATS_SCRATCH_BYTES; at
        least one column): less memory, the same numbers. ``quantiles`` (e.g. PRINTED_QUANTILES):
        only these quantiles' values, as :meth:`summary_quantiles` then gives them (fewer passes).
        """
        self._fill_stats(scratch_bytes, None if quantiles is None else tuple(float(q) for q in quantiles))

    def _fill_stats(self, scratch_bytes: int | None = None, quantiles: tuple[float, ...] | None = None) -> None:
        """Statistics of every output column, an output's columns gathered in blocked passes.

        A column of an ``(n, T, B)`` output is strided (one cache line per value): gathering the
        columns one by one cost more than the statistics. Here the columns of an output (as many
        as fit in STATS_SCRATCH_BYTES at once) are transposed to ``(columns, n)`` in cache-sized
        blocks of rows, then summarised, on a few
        threads when there are many values (the partial sorts release the GIL). Every column's
        numbers are those of :meth:`column_stats`, bit for bit (with ``quantiles``: those of
        :meth:`summary_quantiles`).
        """
        from costsim.cores import idle_lanes, usable

        def done(key) -> bool:
            if key in self.stats_cache:
                return True
            return quantiles is not None and all((*key, q) in self.quantile_cache for q in quantiles)

        def one(x: np.ndarray, key) -> None:
            if quantiles is None:
                mean, sd = mean_sd(x)
                vals, ses = quantiles_with_se(x, SUMMARY_QUANTILES, overwrite=True)
                self.stats_cache.setdefault(key, (mean, sd, vals, ses))
            else:
                self._keep_quantiles(key, x, quantiles)

        plan = []  # (name, flat (n, cols), keys) of the outputs with columns still to summarise
        values = 0
        for name, arr in self.outputs.items():
            axes = self.axes_of(name)
            shape = arr.shape[1:]
            cols = int(np.prod(shape)) if shape else 1
            keys = [(name, *self._key_of(axes, shape, j)) for j in range(cols)]
            if cols < 2 or all(done(k) for k in keys):
                continue
            n = arr.shape[0]
            plan.append((arr.reshape(n, cols), keys))
            values += n * sum(not done(k) for k in keys)
        if not plan:
            return
        # threads only on idle cores: on a busy machine they slowed the summary (measured 0.59 vs 0.54 s);
        # one pool serves every output's columns; many values (a second's work or so) also look at the
        # cores busy now, when the load average (which still counts the run just made) is high
        threads = min(idle_lanes(usable(), measure=values >= MEASURE_STATS_VALUES), 8)
        pool = None
        if threads >= 2 and values >= PARALLEL_STATS_VALUES:
            from concurrent.futures import ThreadPoolExecutor

            pool = ThreadPoolExecutor(threads, thread_name_prefix="costsim-stats")
        try:
            for flat, keys in plan:
                n, cols = flat.shape
                scratch = STATS_SCRATCH_BYTES if scratch_bytes is None else int(scratch_bytes)
                group = max(1, min(cols, scratch // (8 * max(n, 1))))  # columns gathered at once
                for first in range(0, cols, group):
                    span = range(first, min(cols, first + group))
                    todo = [j - first for j in span if not done(keys[j])]
                    if not todo:
                        continue
                    # the whole span is gathered (a fancy index per block cost more than the extra columns)
                    by_column = empty((len(span), n))
                    step = max(1, BLOCK_BYTES // (8 * cols))
                    for a in range(0, n, step):
                        by_column[:, a:a + step] = flat[a:a + step, span.start:span.stop].T
                    if pool is None or len(todo) < 2:
                        for i in todo:
                            one(by_column[i], keys[first + i])
                    else:
                        list(pool.map(lambda i, b=by_column, f=first, k=keys: one(b[i], k[f + i]), todo))
                    del by_column
        finally:
            if pool is not None:
                pool.shutdown()

    @staticmethod
    def _key_of(axes: tuple[str, ...], shape: tuple[int, ...], j: int) -> tuple[int | None, int | None]:
        idx = np.unravel_index(j, shape) if shape else ()
        pos = dict(zip(axes, (int(i) for i in idx), strict=False))
        return pos.get("year"), pos.get("bloc")

    def summary_rows(self) -> list[dict]:
        """Tidy rows: scenario, output, unit, bloc, year, statistic, value, mc_se."""
        rows = []
        scen = self.meta.get("scenario", "")
        self._fill_stats()
        for name, arr in self.outputs.items():
            axes = self.axes_of(name)
            unit = unit_of(name) if suffix_of(name) else ""
            years = list(self.years) if "year" in axes else [None]
            blocs = list(self.blocs) if "bloc" in axes else [None]
            n = arr.shape[0]
            for yi, yr in enumerate(years):
                for bi, bl in enumerate(blocs):
                    mean, sd, vals, ses = self.column_stats(name, yi if yr is not None else None,
                                                            bi if bl is not None else None)
                    base = {"scenario": scen, "output": name, "unit": unit, "bloc": bl or "",
                            "year": "" if yr is None else int(yr)}
                    rows.append({**base, "statistic": "mean", "value": mean, "mc_se": sd / math.sqrt(n)})
                    rows.append({**base, "statistic": "sd", "value": sd,
                                 "mc_se": sd / math.sqrt(2 * max(n - 1, 1))})
                    for q, v, e in zip(SUMMARY_QUANTILES, vals, ses, strict=True):
                        rows.append({**base, "statistic": f"p{round(q * 100):02d}", "value": float(v),
                                     "mc_se": float(e)})
        return rows

    def summary_csv(self) -> str:
        """The tidy summary as CSV text (values written with 10 significant digits)."""
        buf = io.StringIO()
        cols = ["scenario", "output", "unit", "bloc", "year", "statistic", "value", "mc_se"]
        writer = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
        writer.writeheader()
        for row in self.summary_rows():
            row = dict(row)
            row["value"] = f"{row['value']:.10g}"
            row["mc_se"] = "" if not math.isfinite(row["mc_se"]) else f"{row['mc_se']:.3g}"
            writer.writerow(row)
        return buf.getvalue()

    # ------------------------------------------------------------------ checks
    def statistic(self, check: Check) -> tuple[float, float]:
        """The value of a check's statistic and its Monte Carlo standard error."""
        q = None if check.stat == "probability" else _stat_q(check.stat)
        cached = check.stat in ("mean", "sd") or (q is not None and any(abs(q - s) < 1e-12 for s in SUMMARY_QUANTILES))
        axes = self.axes_of(check.output)
        if cached and check.output in self.outputs and (check.bloc is not None or "bloc" not in axes):
            stats = self.summary_stats(check.output, check.year, check.bloc)
            key = check.stat if check.stat in ("mean", "sd") else f"p{round(q * 100):02d}"
            return stats[key]
        x = np.asarray(self.at_year(check.output, check.year, check.bloc), dtype=float)
        if x.ndim > 1:  # a per-bloc output checked without a bloc (the validator refuses it): never the first bloc
            raise ValueError(f"check on {check.output!r} names no bloc; expected one of {self.blocs}")
        n = x.shape[0]
        if check.stat == "probability":
            kind, a, b = check.event
            hit = x >= a if kind == "above" else x < a if kind == "below" else (x >= a) & (x <= b)
            p = float(hit.mean())
            return p, math.sqrt(max(p * (1 - p), 1.0 / n) / n)
        if check.stat == "mean":
            mean, sd = mean_sd(x)
            return mean, sd / math.sqrt(n)
        if check.stat == "sd":
            sd = mean_sd(x)[1]
            return sd, sd / math.sqrt(2 * max(n - 1, 1))
        v, s = quantiles_with_se(x, [q])
        return float(v[0]), float(s[0])

    def evaluate_check(self, check: Check) -> CheckResult:
        value, se = self.statistic(check)
        kind, a, b = check.test
        # a probability lies in [0, 1]: a bound at or beyond an end of that range can never be crossed
        # by the Monte Carlo error, so it decides nothing (P = 1 against [0.99, 1] is settled by 0.99 alone)
        lo_edge, hi_edge = (0.0, 1.0) if check.stat == "probability" else (-math.inf, math.inf)
        if kind == "between":
            passed = a <= value <= b
            margins = [abs(value - a)] if a > lo_edge else []
            margins += [abs(value - b)] if b < hi_edge else []
            margin = min(margins, default=math.inf)
            cond = f"in [{a:.4g}, {b:.4g}]"
        elif kind == "above":
            passed, margin, cond = value >= a, abs(value - a) if a > lo_edge else math.inf, f">= {a:.4g}"
        else:
            passed, margin, cond = value <= a, abs(value - a) if a < hi_edge else math.inf, f"<= {a:.4g}"
        conclusive = math.isfinite(se) and not (se > 0 and margin < 2 * se)  # no error (n=1): cannot judge
        needed = None
        if not conclusive:
            ratio = 2 * se / max(margin, 1e-300)
            needed_f = self.n * ratio * ratio  # may be inf (float products overflow quietly; ** raises)
            # beyond 1e15 samples no run would settle it
            needed = int(math.ceil(needed_f)) if margin > 0 and needed_f <= 1e15 else None
        where = check.output
        if check.year is not None:
            where += f" {check.year}"
        if check.bloc:
            where += f" [{check.bloc}]"
        if check.stat == "probability":
            ek, ea, eb = check.event
            event = {"above": f">= {ea:.4g}", "below": f"< {ea:.4g}", "between": f"in [{ea:.4g}, {eb:.4g}]"}[ek]
            desc = f"P({where} {event}) {cond}"
        else:
            desc = f"{check.stat}({where}) {cond}"
        return CheckResult(check.claim, desc, value, se, bool(passed), conclusive, needed)

    # ------------------------------------------------------------------ notebooks and data frames
    def to_pandas(self):
        """The tidy summary (the rows of summary.csv) as a pandas DataFrame; see costsim.frames."""
        from costsim.frames import to_pandas

        return to_pandas(self)

    def to_xarray(self):
        """Every sample as an xarray Dataset (dims sample, year, bloc; units in attrs); see costsim.frames."""
        from costsim.frames import to_xarray

        return to_xarray(self)

    def __repr__(self) -> str:
        from costsim.frames import results_repr

        return results_repr(self)

    def _repr_html_(self) -> str:
        from costsim.frames import summary_html

        return summary_html(self)

    # ------------------------------------------------------------------ save / load
    def arrays(self) -> dict[str, np.ndarray]:
        out = {"years": self.years}
        out.update({f"param:{k}": v for k, v in self.params.items()})
        out.update({f"output:{k}": v for k, v in self.outputs.items()})
        return out

    def manifest_extra(self) -> dict:
        return {"axes": {k: list(v) for k, v in self.axes.items()}, "blocs": list(self.blocs),
                "checks": [c.as_dict() for c in self.checks]}

    @classmethod
    def load(cls, folder: str | Path) -> Results:
        """Read a results folder written by ``costsim run -o`` (or :func:`costsim.io.save_results`)."""
        folder = Path(folder)
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            with np.load(folder / "samples.npz", allow_pickle=False) as npz:
                years = npz["years"]
                params = {k[6:]: npz[k] for k in npz.files if k.startswith("param:")}
                outputs = {k[7:]: npz[k] for k in npz.files if k.startswith("output:")}
            axes = {k: tuple(v) for k, v in manifest.get("axes", {}).items()}
            checks = tuple(CheckResult(**{k: (float("nan") if v is None and k in ("value", "se") else v)
                                          for k, v in c.items()}) for c in manifest.get("checks", []))
        except (OSError, ValueError, KeyError, TypeError, AttributeError, EOFError, zipfile.BadZipFile) as exc:
            reason = f"{exc.strerror}: {exc.filename}" if isinstance(exc, OSError) and exc.strerror else \
                f"{type(exc).__name__}: {exc}"
            raise DataError(f"{folder}: not a readable costsim results folder ({reason}); expected the "
                            "manifest.json and samples.npz that costsim run -o writes") from None
        return cls(years, params, outputs, axes, tuple(manifest.get("blocs", [])), manifest, checks)
