"""Large arrays written once: allocated without NumPy's huge-page hint.

With transparent huge pages in ``madvise`` mode (common), NumPy's madvise(MADV_HUGEPAGE) on every
new array of 4 MiB or more makes each first touch stop for memory compaction: filling the kept
outputs of export_controls_base (2.9 KB per sample) took 2.5x longer with the hint than without
(measured; see benchmarks/bench_loop.py). Arrays that are written once, chunk by chunk, gain
nothing from huge pages.
"""

from __future__ import annotations

import numpy as np


def _hugepage_switch():
    """NumPy's switch for the hint on new large arrays, or None where it is missing."""
    try:
        from numpy._core import multiarray
    except ImportError:  # NumPy < 2
        from numpy.core import multiarray
    return getattr(multiarray, "_set_madvise_hugepage", None)


def empty(shape: tuple[int, ...]) -> np.ndarray:
    """``np.empty(shape)`` (float64) without the huge-page hint."""
    switch = _hugepage_switch()
    if switch is None:
        return np.empty(shape)
    before = switch(False)
    try:
        return np.empty(shape)
    finally:
        switch(before)
