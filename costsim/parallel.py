"""Where the work runs: in this process, in a local process pool, or on a Dask cluster.

This is the one run path: ``run``, ``rerun``, ``sweep``, ``diff``, the sensitivity methods and the
report's figure jobs all hand their work to :func:`evaluate` (samples of one run, split into
chunks evaluated by :mod:`costsim.kernel`) or to :func:`map_jobs` / :func:`execute` (any
module-level function over a list of jobs). The engine imports this module only when work
leaves the process.

Work is cut into *tasks* (chunks of samples of one run, or whole sweep points). A task carries
the scenario's *recipe* (:mod:`costsim.recipe`: the text of every file of its ``extends`` chain,
the ``--set`` overrides, the source name and the plugin files), never the Scenario itself:
formula models hold closures that do not pickle. A worker rebuilds the Scenario from the
recipe, once per process, exactly as ``costsim rerun`` does from a manifest.

Results are identical however the work is split: a run's draws are made up front by the caller
and sent with each chunk, a sweep point's draws depend only on its seed, models are pure, and
results are put back in place by index. Only the wall time changes.

Executors
---------
* serial: ``workers`` is None or 1 and no scheduler, or work that would not gain from a pool
  (:func:`worth_parallel`, then :func:`pool_pays` on a timed first chunk or point): a plain
  loop in this process.
* local processes: ``workers=N`` (``--workers N``): a ``concurrent.futures`` pool of N processes
  (``forkserver`` where available, else ``spawn``; workers ignore Ctrl-C, the parent cancels).
* Dask: ``scheduler="tcp://host:8786"`` (``--scheduler``, or the ``COSTSIM_DASK_SCHEDULER``
  environment variable at the command line), or a ``distributed.Client``. Needs the optional
  extra ``costsim[dask]`` here and on the workers, which must also be able to import costsim
  and read any plugin files and data files the scenario names (same paths).

At most a few tasks per worker are in flight at once, so memory stays bounded by the kept
outputs whatever the number of tasks.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from costsim.errors import CostsimError, Issue, ModelError, ScenarioError
from costsim.kernel import bad_message, default_chunk, evaluate_block, lanes_for, merge_bad, portable, work_of
from costsim.recipe import Recipe, build, build_in_worker, recipe_of  # noqa: F401 (public here too)
from costsim.scenario import Scenario

SCHEDULER_ENV = "COSTSIM_DASK_SCHEDULER"
IN_FLIGHT_PER_WORKER = 2
# Choosing in-process or a local pool (benchmarks/bench_loop.py measures both): below
# MIN_PARALLEL_WORK values (samples x years x blocs x models) work stays here. Above it, the
# first chunk (or sweep point) is timed here and the rest goes to the pool only if the pool's
# estimated time, POOL_START_S per worker (start, rebuild the scenario) plus the transfer of draws
# and outputs at TRANSFER_BYTES_PER_S plus the work shared by the workers, beats doing it here by
# PARALLEL_MARGIN, with the work shared by no more workers than there are idle cores. Measured on
# 2 cores: a pool start 0.1-0.4 s per worker (fork server, scipy import, rebuilding the scenario),
# ~250-300 MB/s through the pipes (pickle both ways). Tests set MIN_PARALLEL_WORK and
# PARALLEL_MARGIN to 0 to force the pool.
MIN_PARALLEL_WORK = 3e7
POOL_START_S = 0.3
TRANSFER_BYTES_PER_S = 300e6
PARALLEL_MARGIN = 1.1


# ----------------------------------------------------------------------------------- executors
def resolve_scheduler(value: str | None) -> str | None:
    """The Dask scheduler address to use: the option if given, else ``$COSTSIM_DASK_SCHEDULER``."""
    value = value or os.environ.get(SCHEDULER_ENV, "").strip()
    return value or None


def is_parallel(workers: int | None, scheduler: object | None) -> bool:
    """True when work should leave this process (more than one worker, or a Dask scheduler)."""
    return scheduler is not None or (workers is not None and int(workers) > 1)


def check_workers(workers: int | None) -> None:
    if workers is not None and (isinstance(workers, bool) or int(workers) < 1):
        raise ScenarioError("workers", [Issue("", "must be a positive number of processes", ">= 1", workers)])


def execute(fn: Callable, tasks: Iterable, on_result: Callable[[int, object], None], *,
            workers: int | None = None, scheduler: object | None = None, start_method: str | None = None) -> None:
    """Run ``fn(task)`` for every task and call ``on_result(index, result)`` as each finishes.

    ``tasks`` may be any iterable (a generator streams: at most a few tasks per worker are
    made ahead). ``fn`` must be a module-level function (it is pickled by reference).
    Exceptions raised by a task propagate; pending tasks are then cancelled. Ctrl-C in the
    parent cancels the rest. ``start_method`` (``"fork"``, ``"forkserver"``, ``"spawn"``)
    chooses how local workers start (default: forkserver with costsim preloaded).
    """
    check_workers(workers)
    if scheduler is not None:
        _execute_dask(fn, tasks, on_result, scheduler)
    elif workers is not None and int(workers) > 1 and not (isinstance(tasks, (list, tuple)) and len(tasks) <= 1):
        _execute_pool(fn, tasks, on_result, int(workers), start_method)
    else:
        for i, task in enumerate(tasks):
            on_result(i, fn(task))


def _star(job):
    fn, args = job
    return fn(*args)


def map_jobs(fn: Callable, jobs: Iterable, *, workers: int | None = None, scheduler: object | None = None,
             star: bool = False, cost: Callable[[int], float] | None = None,
             on_result: Callable[[int, object], None] | None = None, start_method: str | None = None) -> list:
    """``[fn(job) for job in jobs]`` on the chosen executor; results in the order of ``jobs``.

    The generic job executor (the report's figure jobs use it). ``fn`` must be a module-level
    function. ``star=True`` calls ``fn(*job)``. ``workers`` None or 1 runs in this process, in
    order; more start a local pool (``start_method="fork"`` shares what the parent has imported,
    e.g. matplotlib and plugins; default: a fork server with costsim preloaded), ``scheduler``
    a Dask cluster. ``cost(i)`` (``i`` an index into ``jobs``) orders a pool's submissions,
    dearest first, so no worker is left with a long job at the end. ``on_result(i, result)`` is
    called in this process as each job finishes. An exception in a job is raised here; the
    jobs not started are cancelled.
    """
    jobs = list(jobs)
    order = list(range(len(jobs)))
    pooled = scheduler is not None or (workers is not None and int(workers) > 1 and len(jobs) > 1)
    if cost is not None and pooled:
        order.sort(key=lambda i: -cost(i))
    results: list = [None] * len(jobs)

    def done(k: int, result) -> None:
        i = order[k]
        results[i] = result
        if on_result is not None:
            on_result(i, result)

    if star:
        execute(_star, [(fn, tuple(jobs[i])) for i in order], done, workers=workers, scheduler=scheduler,
                start_method=start_method)
    else:
        execute(fn, [jobs[i] for i in order], done, workers=workers, scheduler=scheduler, start_method=start_method)
    return results


def _ignore_sigint() -> None:
    # Ctrl-C reaches the whole process group; only the parent should act on it (and cancel).
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _mp_context(start_method: str | None = None):
    import multiprocessing  # here, not at the top: the CLI imports this module for its options

    if start_method is not None:
        methods = multiprocessing.get_all_start_methods()
        return multiprocessing.get_context(start_method if start_method in methods else "spawn")
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        # imported once in the fork server, so each worker starts warm
        ctx.set_forkserver_preload(["costsim.parallel", "costsim.kernel", "costsim.models", "scipy.special"])
        return ctx
    return multiprocessing.get_context("spawn")


def _execute_pool(fn, tasks, on_result, workers: int, start_method: str | None = None) -> None:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    if isinstance(tasks, (list, tuple)):
        workers = min(workers, len(tasks))
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context(start_method), initializer=_ignore_sigint)
    pending: dict = {}
    queue = iter(enumerate(tasks))
    window = IN_FLIGHT_PER_WORKER * workers

    def fill():
        for i, task in queue:
            pending[pool.submit(fn, task)] = i
            if len(pending) >= window:
                return

    try:
        fill()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in sorted(done, key=pending.get):
                i = pending.pop(fut)
                on_result(i, fut.result())
            fill()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


PROBE_TIMEOUT_S = 5.0  # a TCP connect to a live scheduler takes milliseconds; Client's own timeout stays 30 s


def _probe_scheduler(scheduler) -> None:
    """Fail at once when nothing listens at a tcp:// scheduler address.

    distributed's Client retries a refused connection until its timeout (30 s); a plain TCP
    connect tells "refused" or "no such host" in milliseconds. Other address forms (inproc://,
    tls://, a scheduler file) are left to the Client.
    """
    import socket
    from urllib.parse import urlsplit

    if not isinstance(scheduler, str) or not scheduler.startswith("tcp://"):
        return
    parts = urlsplit(scheduler)
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host or port is None:
        return
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S):
            pass
    except OSError as exc:
        raise _unreachable(scheduler, exc) from None


def _unreachable(scheduler, exc: OSError) -> CostsimError:
    return CostsimError(f"cannot reach the Dask scheduler {scheduler!r}: {exc}; expected the address "
                        "of a running scheduler, e.g. tcp://10.0.0.5:8786")


def _execute_dask(fn, tasks, on_result, scheduler) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise CostsimError("a Dask scheduler was given but dask.distributed is not installed; "
                           "expected `pip install 'costsim[dask]'`") from None
    own = not isinstance(scheduler, Client)
    if own:
        _probe_scheduler(scheduler)
    try:
        client = Client(scheduler, set_as_default=False, timeout=30) if own else scheduler
    except OSError as exc:
        raise _unreachable(scheduler, exc) from None
    futures: list = []
    try:
        threads = sum(client.nthreads().values()) or 1
        window = IN_FLIGHT_PER_WORKER * threads
        queue = iter(enumerate(tasks))
        index: dict = {}
        running = as_completed()

        def submit(k: int) -> None:
            for _ in range(k):
                item = next(queue, None)
                if item is None:
                    return
                i, task = item
                fut = client.submit(fn, task, pure=False)
                index[fut.key] = i
                futures.append(fut)
                running.add(fut)

        submit(window)
        for fut in running:
            i = index.pop(fut.key)
            result = fut.result()
            fut.release()
            on_result(i, result)
            submit(1)
    except BaseException:
        if futures:
            client.cancel(futures)
        raise
    finally:
        if own:
            client.close()


# ----------------------------------------------------------------------------------- chunks of a run
@dataclass(frozen=True)
class ChunkTask:
    """Samples ``start:stop`` of one run: the recipe, those samples' draws, the outputs to keep."""

    recipe: Recipe
    start: int
    stop: int
    values: dict
    keep: tuple[str, ...]


def run_chunk(task: ChunkTask):
    """Evaluate one chunk in a worker: ``(outputs, axes, bad tallies)``, all picklable."""
    scenario = build_in_worker(task.recipe)
    m = task.stop - task.start
    outputs, axes, bad = evaluate_block(scenario, task.values, m, keep=task.keep, offset=task.start)
    return outputs, axes, portable(bad)


def worth_parallel(scenario: Scenario, n: int, workers: int | None, scheduler: object | None) -> bool:
    """Might ``n`` samples gain from leaving this process? A scheduler always; a local pool above MIN_PARALLEL_WORK."""
    if scheduler is not None:
        return True
    return workers is not None and int(workers) > 1 and work_of(scenario, n) >= MIN_PARALLEL_WORK


def idle_cores() -> float:
    """Cores free for more workers now: the lanes :func:`costsim.cores.idle_lanes` gives a pool
    (the one rule; this process counts as free). Asked after seconds of timed work (pool_pays),
    so when the load average leaves fewer it also samples the cores busy now (50 ms): right after
    another run the average still counts that run."""
    from costsim.cores import idle_lanes, usable

    return float(idle_lanes(usable(), measure=True))


def pool_pays(seconds_here: float, workers: int, transfer_bytes: float, idle: float | None = None, *,
              worker_extra_s: float = 0.0) -> bool:
    """Would ``workers`` local processes finish work that takes ``seconds_here`` in this process sooner?

    The work is shared by at most as many workers as there are idle cores (a busy machine gains
    nothing from more processes; ``idle``: default :func:`idle_cores`), after starting them and
    moving the data. ``worker_extra_s``: work only the workers do (rebuilding scenarios that this
    process already has), shared like the rest.
    """
    sharing = min(float(workers), idle_cores() if idle is None else max(1.0, idle))
    pool = POOL_START_S * workers + transfer_bytes / TRANSFER_BYTES_PER_S + (seconds_here + worker_extra_s) / sharing
    return pool * PARALLEL_MARGIN < seconds_here


def evaluate_parallel(scenario: Scenario, values: dict[str, np.ndarray], n: int, *,
                      keep: tuple[str, ...] | None = None, chunk_size: int | None = None,
                      progress: Callable[[int, int], None] | None = None, workers: int | None = None,
                      scheduler: object | None = None, start: int = 0, outputs: dict | None = None,
                      axes: dict | None = None, bad: dict | None = None
                      ) -> tuple[dict[str, np.ndarray], dict[str, tuple], dict]:
    """Samples ``start:n`` evaluated in chunks on workers, filled into ``outputs``: ``(outputs, axes, bad)``.

    The same outputs as :func:`costsim.kernel.evaluate_block`, bit for bit, and the same tallies.
    """
    keep = tuple(scenario.outputs if keep is None else keep)
    chunk = int(chunk_size or default_chunk(scenario))
    recipe = recipe_of(scenario)
    bounds = [(a, min(n, a + chunk)) for a in range(start, n, chunk)]
    tasks = (ChunkTask(recipe, a, b, {k: v[a:b] for k, v in values.items()}, keep) for a, b in bounds)
    outputs = {} if outputs is None else outputs
    axes = {} if axes is None else axes
    bads: dict[int, dict] = {}
    done = [start]

    def on_result(i: int, result) -> None:
        a, b = bounds[i]
        out, ax, part = result
        if part:
            bads[i] = part
        for name in keep:
            if name not in outputs:
                outputs[name] = np.empty((n,) + out[name].shape[1:])
                axes[name] = ax[name]
            outputs[name][a:b] = out[name]
        done[0] += b - a
        if progress is not None:
            progress(done[0], n)

    execute(run_chunk, tasks, on_result, workers=workers, scheduler=scheduler)
    merged = merge_bad([bad or {}] + [bads[i] for i in sorted(bads)])
    return outputs, axes, merged


def evaluate(scenario: Scenario, values: dict[str, np.ndarray], n: int, *, keep: tuple[str, ...] | None = None,
             chunk_size: int | None = None, progress: Callable[[int, int], None] | None = None,
             workers: int | None = None, scheduler: object | None = None
             ) -> tuple[dict[str, np.ndarray], dict[str, tuple]]:
    """Evaluate ``n`` samples in this process or on workers; the same results either way, bit for bit.

    The one entry point for evaluating draws: ``run``, ``diff`` and the sensitivity methods use
    it. A Dask scheduler always gets the work. With ``workers > 1`` the work stays here below
    MIN_PARALLEL_WORK; above it the first chunk is evaluated here and timed, and the rest goes to
    the pool only when :func:`pool_pays` (so ``--workers N`` is never much slower than in-process).
    """
    from costsim.budget import kept_floats

    check_workers(workers)
    keep = tuple(scenario.outputs if keep is None else keep)
    chunk = int(chunk_size or default_chunk(scenario))
    if scheduler is not None:
        outputs, axes, bad = evaluate_parallel(scenario, values, n, keep=keep, chunk_size=chunk, progress=progress,
                                               scheduler=scheduler)
    elif not worth_parallel(scenario, n, workers, None) or n <= chunk:  # here, on the idle cores' threads
        outputs, axes, bad = evaluate_block(scenario, values, n, keep=keep, chunk_size=chunk, progress=progress,
                                            threads=lanes_for(scenario))
    else:
        t0 = time.perf_counter()
        outputs, axes, bad = evaluate_block(scenario, values, n, keep=keep, chunk_size=chunk, progress=progress,
                                            stop=chunk)
        seconds_here = (time.perf_counter() - t0) * (n - chunk) / chunk
        transfer = 8.0 * (n - chunk) * (len(values) + kept_floats(scenario, keep))
        if pool_pays(seconds_here, int(workers), transfer):
            outputs, axes, bad = evaluate_parallel(scenario, values, n, keep=keep, chunk_size=chunk,
                                                   progress=progress, workers=workers, start=chunk,
                                                   outputs=outputs, axes=axes, bad=portable(bad))
        else:
            evaluate_block(scenario, values, n, keep=keep, chunk_size=chunk, progress=progress, start=chunk,
                           outputs=outputs, axes=axes, bad=bad, threads=lanes_for(scenario))
    if bad:
        raise ModelError(bad_message(scenario, bad, n))
    return outputs, axes
