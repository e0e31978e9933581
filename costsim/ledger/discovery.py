"""Scenario discovery for a claim: under which assumptions does its verdict flip?

``prim`` is a small implementation of the Patient Rule Induction Method (Friedman and Fisher
1999), as EMA Workbench users know it: peel a box off the input space, a quantile ``alpha`` of one
input at a time, always the peel that leaves the highest share of target cases inside, until the
box holds less than ``min_support`` of the samples. ``swing`` is the one-at-a-time swing: each
uncertain input fixed at its 5th and at its 95th percentile, every other input as drawn.

References
----------
Friedman, J. H., Fisher, N. I. (1999), "Bump hunting in high-dimensional data", Statistics and
Computing 9, 123-143. Kwakkel, J. H. (2017), "The Exploratory Modeling Workbench", Environmental
Modelling & Software 96, 239-250.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Box:
    """A PRIM box: per-input limits, with its coverage and density of the target cases."""

    limits: dict  # input name -> (low, high), only the inputs the box restricts
    coverage: float  # share of all target cases inside the box
    density: float  # share of the box's samples that are target cases
    support: float  # share of all samples inside the box

    def as_dict(self) -> dict:
        return {"limits": {k: [float(a), float(b)] for k, (a, b) in self.limits.items()},
                "coverage": float(self.coverage), "density": float(self.density), "support": float(self.support)}


def prim(x: np.ndarray, y: np.ndarray, names: list[str], *, alpha: float = 0.05, min_support: float = 0.05,
         min_coverage: float = 0.5) -> tuple[Box, list[Box]]:
    """Peel a box around the samples where ``y`` is true; return (chosen box, peeling trajectory).

    ``x`` is ``(n, d)``, ``y`` ``(n,)`` booleans. The chosen box is the densest one on the
    trajectory that still covers ``min_coverage`` of the target cases.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=bool)
    n, d = x.shape
    total = max(int(y.sum()), 1)
    lo, hi = x.min(axis=0), x.max(axis=0)
    box_lo, box_hi = lo.copy(), hi.copy()
    inside = np.ones(n, dtype=bool)
    q = np.asanyarray([alpha, 1 - alpha])  # as np.quantile reads them
    # The box's quantiles, np.quantile's numbers (method linear), for finite inputs and float quantiles
    # in [0, 1] (otherwise np.quantile itself: its NaN rules, its errors). Without a zero among the
    # inputs, equal values are the same bits, so any order gives the same order statistics: each
    # input's values inside the box are kept sorted (sorted once, then the rows that leave the box
    # are dropped from every input's order). With a zero (-0.0 == 0.0), NumPy's own partition steps
    # (quantiles_of_rows), which place equal values as np.quantile does.
    exact = q.dtype == np.float64 and bool(((q >= 0) & (q <= 1)).all()) and bool(np.isfinite(x).all())
    by_row = np.ascontiguousarray(x.T) if exact else None
    sorted_rows = sorted_values = None
    if exact and d and n and not (x == 0).any():
        sorted_rows = np.argsort(by_row, axis=1)  # (d, n): each input's rows, by value
        sorted_values = np.take_along_axis(by_row, sorted_rows, axis=1)

    def make(mask) -> Box:
        restricted = {names[j]: (box_lo[j], box_hi[j]) for j in range(d) if box_lo[j] > lo[j] or box_hi[j] < hi[j]}
        m = int(mask.sum())
        return Box(restricted, float(y[mask].sum() / total), float(y[mask].mean()) if m else 0.0, m / n)

    trajectory = [make(inside)]
    while inside.mean() > min_support:
        rows = np.flatnonzero(inside)
        if sorted_values is not None:
            lower, upper = quantiles_of_sorted(sorted_values, q)
        elif by_row is not None:
            lower, upper = quantiles_of_rows(by_row[:, rows], q)
        else:
            lower, upper = np.quantile(x[rows], [alpha, 1 - alpha], axis=0)
        # every candidate peel at once, columns in the order (input 0 low, input 0 high, input 1 low, ...),
        # over the rows inside the box (those outside it stay outside every peel)
        xs = x[rows]
        keep = np.empty((len(rows), 2 * d), dtype=bool)
        np.greater_equal(xs, lower, out=keep[:, 0::2])
        np.less_equal(xs, upper, out=keep[:, 1::2])
        count = keep.sum(axis=0)
        ok = (count != 0) & (count != len(rows)) & ~(count / n < min_support)
        if not ok.any():
            break
        score = np.where(ok, (keep & y[rows, None]).sum(axis=0) / np.maximum(count, 1), -np.inf)
        k = int(np.argmax(score))  # the first of the best, as a scan over inputs and sides would keep
        j, side = divmod(k, 2)
        if side == 0:
            box_lo[j] = lower[j]
        else:
            box_hi[j] = upper[j]
        inside = np.zeros(n, dtype=bool)
        inside[rows[keep[:, k]]] = True
        if sorted_values is not None:  # the rows that left the box, out of every input's order
            still = inside[sorted_rows]
            sorted_rows = sorted_rows[still].reshape(d, -1)
            sorted_values = sorted_values[still].reshape(d, -1)
        trajectory.append(make(inside))
    good = [b for b in trajectory if b.coverage >= min_coverage]
    chosen = max(good, key=lambda b: (b.density, b.coverage)) if good else trajectory[0]
    return chosen, trajectory


def _virtual_indexes(m: int, q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """NumPy's linear-method indexes of ``q`` into ``m`` sorted values: (floor, next, gamma (len(q), 1)),
    both indexes -1 (the last) at or past the end."""
    virtual = (m - 1) * q
    prev = np.floor(virtual)
    nxt = prev + 1
    past = virtual >= m - 1
    prev[past] = -1
    nxt[past] = -1
    before = virtual < 0
    prev[before] = 0
    nxt[before] = 0
    prev, nxt = prev.astype(np.intp), nxt.astype(np.intp)
    return prev, nxt, np.asanyarray(virtual - prev, dtype=virtual.dtype).reshape(-1, 1)


def _lerp(a: np.ndarray, b: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    """NumPy's quantile interpolation: ``a + (b - a) gamma``, or ``b - (b - a)(1 - gamma)`` where ``gamma >= 0.5``."""
    diff_b_a = b - a
    out = np.add(a, diff_b_a * gamma)
    np.subtract(b, diff_b_a * (1 - gamma), out=out, where=gamma >= 0.5, casting="unsafe", dtype=type(out.dtype))
    return out


def quantiles_of_sorted(values: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``np.quantile(values.T, q, axis=0)`` (method linear) of rows ``values`` ``(d, m)`` already sorted,
    finite, without zeros (equal values then have the same bits): shape ``(len(q), d)``."""
    q = np.asanyarray(q, dtype=float)
    prev, nxt, gamma = _virtual_indexes(values.shape[1], q)
    return _lerp(values[:, prev].T, values[:, nxt].T, gamma)


def quantiles_of_rows(rows: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``np.quantile(rows.T, q, axis=0)`` (method linear), the same numbers, for finite ``rows`` ``(d, m)``
    and ``q`` in [0, 1]: shape ``(len(q), d)``. ``rows`` is reordered in place.

    NumPy's own steps: the virtual index ``(m - 1) q``, its floor and the next index (both the last
    element at or past the end), the weight ``gamma`` = virtual index - floor, the two order
    statistics by partition with NumPy's kth (along contiguous rows here, instead of down strided
    columns), and
    NumPy's interpolation ``a + (b - a) gamma``, or ``b - (b - a)(1 - gamma)`` where ``gamma >= 0.5``.
    """
    q = np.asanyarray(q, dtype=float)
    prev, nxt, gamma = _virtual_indexes(rows.shape[1], q)
    # the same kth as NumPy's (with the first and the last): the same selection steps, so among equal
    # values (-0.0 and 0.0) the same one lands at each index
    rows.partition(np.unique(np.concatenate(([0, -1], prev, nxt))), axis=1)
    return _lerp(rows[:, prev].T, rows[:, nxt].T, gamma)


def swing_values(samples: dict, names: list[str], q=(0.05, 0.95)) -> dict:
    """The low and high value (quantiles ``q`` of the drawn samples) at which to fix each input."""
    return {k: (float(np.quantile(samples[k], q[0])), float(np.quantile(samples[k], q[1]))) for k in names}
