"""The report's job pool: one function that maps a job over its arguments in worker processes.

The pool itself is costsim's generic executor (``costsim.parallel.map_jobs``); this module
only chooses how many workers the report's figures get.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence


def default_jobs(count: int) -> int:
    """Worker processes for ``count`` jobs: the idle cores this process may use, at least 1
    (:func:`costsim.cores.idle_lanes`, the rule every part that chooses lanes follows).

    Figures are CPU-bound: a second worker helps on an idle 2-core machine, and only slows
    both down when other work already keeps the cores busy. The rule gives a worker per idle
    core, and one more while at least half a core is idle besides (2 cores: two workers up to a
    load of 1.5). Measured on the bundled report: at load 0.9, 61 s with one worker; at load
    1.9, 39.5 s with two against 47.1 s with one; at load 2.3-2.6 the same within noise; at load
    3-3.7 two were slower (64 vs 49 s, 61 vs 55 s). A report takes seconds, so when the 1-minute
    load average (which trails by a minute: on a machine that has just finished other work it
    still counts that work) leaves fewer workers, the cores busy now count instead when fewer.
    The output does not depend on the number of workers.
    """
    from costsim.cores import idle_lanes

    return idle_lanes(max(1, int(count)), measure=True)


def run_jobs(fn: Callable, args: Sequence[tuple], jobs: int, *, cost: Callable[[int], float] | None = None,
             done: Callable[[int, object], None] | None = None) -> list:
    """``[fn(*a) for a in args]``, run in ``jobs`` worker processes (in this process when 1).

    ``cost(i)`` orders the work, dearest first, so no worker is left with a long job at the end
    while the others idle; the results keep the order of ``args``. ``done(i, result)`` is called
    in this process as each job finishes. The work goes through costsim's one executor
    (:func:`costsim.parallel.map_jobs`), forked so the workers share the already imported models,
    plugins, matplotlib and the figure plans.
    """
    import gc

    from costsim.parallel import map_jobs

    # frozen here only when nothing is frozen yet: unfreeze() thaws everything, a caller's too
    forked = jobs > 1 and len(args) > 1 and fork_available() and gc.get_freeze_count() == 0
    if forked:
        # the objects alive now (modules, matplotlib, the runs' Results) are left out of the workers'
        # garbage collections: each full collection of a worker would walk them all, and touch
        # every page they lie on (copying it); unfrozen again here once the pool is done
        gc.freeze()
    try:
        return map_jobs(fn, args, workers=jobs, star=True, cost=cost, on_result=done,
                        start_method="fork" if fork_available() else None)
    finally:
        if forked:
            gc.unfreeze()


def fork_available() -> bool:
    """Whether worker processes can be forked (they then share this process's data unpickled)."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()
