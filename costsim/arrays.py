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


def shared_empty(shape: tuple[int, ...]) -> np.ndarray:
    """A float64 array in anonymous shared memory: what a forked child writes into it, this process sees.

    Used for the kept outputs of a run evaluated on forked processes (costsim.kernel): each
    process fills its own rows in place, so nothing is copied back through pipes. Its pages are
    not touched until written, as with :func:`empty`; the memory is freed with the array.
    """
    import mmap

    shape = tuple(int(k) for k in shape)
    nbytes = 8 * int(np.prod(shape, dtype=np.int64))
    if nbytes == 0:
        return np.empty(shape)
    buf = mmap.mmap(-1, nbytes, flags=mmap.MAP_SHARED | mmap.MAP_ANONYMOUS)
    return np.frombuffer(buf, dtype=np.float64).reshape(shape)
