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

    def make(mask) -> Box:
        restricted = {names[j]: (box_lo[j], box_hi[j]) for j in range(d) if box_lo[j] > lo[j] or box_hi[j] < hi[j]}
        m = int(mask.sum())
        return Box(restricted, float(y[mask].sum() / total), float(y[mask].mean()) if m else 0.0, m / n)

    trajectory = [make(inside)]
    while inside.mean() > min_support:
        lower, upper = np.quantile(x[inside], [alpha, 1 - alpha], axis=0)
        # every candidate peel at once, columns in the order (input 0 low, input 0 high, input 1 low, ...)
        keep = np.empty((n, 2 * d), dtype=bool)
        np.greater_equal(x, lower, out=keep[:, 0::2])
        np.less_equal(x, upper, out=keep[:, 1::2])
        keep &= inside[:, None]
        count = keep.sum(axis=0)
        ok = (count != 0) & (count != inside.sum()) & ~(count / n < min_support)
        if not ok.any():
            break
        score = np.where(ok, (keep & y[:, None]).sum(axis=0) / np.maximum(count, 1), -np.inf)
        k = int(np.argmax(score))  # the first of the best, as a scan over inputs and sides would keep
        j, side = divmod(k, 2)
        if side == 0:
            box_lo[j] = lower[j]
        else:
            box_hi[j] = upper[j]
        inside = keep[:, k].copy()
        trajectory.append(make(inside))
    good = [b for b in trajectory if b.coverage >= min_coverage]
    chosen = max(good, key=lambda b: (b.density, b.coverage)) if good else trajectory[0]
    return chosen, trajectory


def swing_values(samples: dict, names: list[str], q=(0.05, 0.95)) -> dict:
    """The low and high value (quantiles ``q`` of the drawn samples) at which to fix each input."""
    return {k: (float(np.quantile(samples[k], q[0])), float(np.quantile(samples[k], q[1]))) for k in names}
