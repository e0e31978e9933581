"""The report's job pool: one function that maps a job over its arguments in worker processes.

Kept behind :func:`run_jobs` so the report can switch to costsim's generic executor
(``costsim.parallel``) with a one-line change once it offers one.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence


def default_jobs(count: int) -> int:
    """Worker processes for ``count`` jobs: the idle cores, at least 1.

    Figures are CPU-bound: a second worker helps on an idle 2-core machine, and only slows
    both down when other work already keeps the cores busy (measured: 49 s with one worker,
    64 s with two, on 2 cores at load 3). The output does not depend on the number of workers.
    """
    cores = os.cpu_count() or 1
    try:
        idle = cores - os.getloadavg()[0]
    except OSError:  # no load average on this platform
        idle = cores
    # ceil: a second worker as soon as a core is partly idle (load 0.9 on 2 cores -> 2 workers;
    # measured 61 s with one worker on the bundled set at that load), one when all are busy
    return max(1, min(count, cores, math.ceil(idle)))


def run_jobs(fn: Callable, args: Sequence[tuple], jobs: int, *, cost: Callable[[int], float] | None = None,
             done: Callable[[int, object], None] | None = None) -> list:
    """``[fn(*a) for a in args]``, run in ``jobs`` worker processes (in this process when 1).

    ``cost(i)`` orders the work, dearest first, so no worker is left with a long job at the end
    while the others idle; the results keep the order of ``args``. ``done(i, result)`` is called
    in this process as each job finishes.
    """
    if jobs <= 1 or len(args) <= 1:
        out = []
        for i, a in enumerate(args):
            out.append(fn(*a))
            if done:
                done(i, out[-1])
        return out
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # fork shares the already imported models, plugins and matplotlib with the workers
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    order = sorted(range(len(args)), key=lambda i: -(cost(i) if cost else 0.0))
    results: list = [None] * len(args)
    with ProcessPoolExecutor(max_workers=min(jobs, len(args)), mp_context=ctx) as pool:
        futures = {pool.submit(fn, *args[i]): i for i in order}
        for fut in as_completed(futures):
            i = futures[fut]
            results[i] = fut.result()
            if done:
                done(i, results[i])
    return results


def fork_available() -> bool:
    """Whether worker processes can be forked (they then share this process's data unpickled)."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()
