"""Where the work runs: in this process, in a local process pool, or on a Dask cluster.

Work is cut into *tasks* (chunks of samples of one run, or whole sweep points). A task carries
the scenario's *recipe* (the text of every file of its ``extends`` chain, the ``--set``
overrides, the source name and the plugin files), never the Scenario itself: formula models hold
closures that do not pickle. A worker rebuilds the Scenario from the recipe, once per process
(parsed files and built scenarios are cached), exactly as ``costsim rerun`` does from a manifest.

Results are identical however the work is split: a run's draws are made up front by the caller
and sent with each chunk, a sweep point draws from its own seed, models are pure, and results
are put back in place by index. Only the wall time changes.

Executors
---------
* serial: ``workers`` is None or 1 and no scheduler: a plain loop in this process.
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

import copy
import functools
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from costsim.errors import CostsimError, Issue, ModelError, ScenarioError
from costsim.scenario import Scenario

SCHEDULER_ENV = "COSTSIM_DASK_SCHEDULER"
IN_FLIGHT_PER_WORKER = 2


# ----------------------------------------------------------------------------------- recipes
@dataclass(frozen=True)
class Recipe:
    """Everything needed to rebuild a Scenario in another process (hashable, picklable).

    ``texts`` are ``(path, text)`` of the extends chain (top file last), ``root`` the directory
    relative paths were given from, ``plugins`` absolute paths of plugin files to load first.
    """

    texts: tuple[tuple[str, str], ...]
    overrides: tuple[str, ...]
    source: str
    root: str
    plugins: tuple[str, ...] = ()

    def with_overrides(self, extra: Iterable[str]) -> Recipe:
        """The same recipe with more ``--set`` overrides applied after the existing ones."""
        return Recipe(self.texts, (*self.overrides, *extra), self.source, self.root, self.plugins)


def recipe_of(scenario: Scenario) -> Recipe:
    """The recipe of a Scenario built from files or text (``load_scenario``, ``scenario_from_text``)."""
    if not scenario.texts:
        raise ScenarioError(scenario.source, [Issue(
            "", "this scenario has no stored file text, so it cannot be rebuilt in another process",
            "a scenario from load_scenario() or scenario_from_text()", None,
            hint="Run it without workers/scheduler, or load it from a file.")])
    return Recipe(tuple((str(p), str(t)) for p, t in scenario.texts), tuple(scenario.overrides),
                  scenario.source, os.getcwd(), scenario.plugins)


def _norm(root: str, path: str) -> str:
    return os.path.normpath(os.path.join(root, path))


@functools.lru_cache(maxsize=8)
def _parsed(texts: tuple[tuple[str, str], ...], source: str, root: str):
    """Parse (YAML) and merge the extends chain once per process: ``(data, lines, texts, top)``."""
    from costsim import scenario as scenario_module

    files = {_norm(root, p): t for p, t in texts}
    top = Path(_norm(root, texts[-1][0]))

    def reader(p: Path) -> str:
        return files[os.path.normpath(str(p))]

    # The YAML parse is ~95% of loading a scenario; a sweep re-validates one parse per point.
    data, lines, chain = scenario_module.load_raw(top, reader, source)
    return data, lines, tuple(chain), top


@functools.lru_cache(maxsize=64)
def build(recipe: Recipe) -> Scenario:
    """Rebuild (and cache, per process) the Scenario of a recipe: parse, override, validate."""
    from costsim.scenario import apply_override, validate

    data0, lines, texts, top = _parsed(recipe.texts, recipe.source, recipe.root)
    data = copy.deepcopy(data0)  # validation expands policy presets in place
    issues: list[Issue] = []
    for assignment in recipe.overrides:
        issues.extend(apply_override(data, assignment))
    if issues:
        raise ScenarioError(recipe.source, issues)
    return validate(data, lines, recipe.source, top.parent, texts, tuple(recipe.overrides), recipe.plugins)


def build_in_worker(recipe: Recipe) -> Scenario:
    """:func:`build` without re-showing the scenario's CostsimWarnings (the parent has shown them)."""
    import warnings

    from costsim.errors import CostsimWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CostsimWarning)
        return build(recipe)


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


def execute(fn: Callable, tasks: list, on_result: Callable[[int, object], None], *,
            workers: int | None = None, scheduler: object | None = None) -> None:
    """Run ``fn(task)`` for every task and call ``on_result(index, result)`` as each finishes.

    ``fn`` must be a module-level function (it is pickled by reference). Exceptions raised by a
    task propagate; pending tasks are then cancelled. Ctrl-C in the parent cancels the rest.
    """
    check_workers(workers)
    if scheduler is not None:
        _execute_dask(fn, tasks, on_result, scheduler)
    elif workers is not None and int(workers) > 1 and len(tasks) > 1:
        _execute_pool(fn, tasks, on_result, int(workers))
    else:
        for i, task in enumerate(tasks):
            on_result(i, fn(task))


def _ignore_sigint() -> None:
    # Ctrl-C reaches the whole process group; only the parent should act on it (and cancel).
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _mp_context():
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        # imported once in the fork server, so each worker starts warm
        ctx.set_forkserver_preload(["costsim.parallel", "costsim.engine", "costsim.models"])
        return ctx
    return multiprocessing.get_context("spawn")


def _execute_pool(fn, tasks, on_result, workers: int) -> None:
    pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=_mp_context(),
                               initializer=_ignore_sigint)
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


def _execute_dask(fn, tasks, on_result, scheduler) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise CostsimError("a Dask scheduler was given but dask.distributed is not installed; "
                           "expected `pip install 'costsim[dask]'`") from None
    own = not isinstance(scheduler, Client)
    try:
        client = Client(scheduler, set_as_default=False, timeout=30) if own else scheduler
    except OSError as exc:
        raise CostsimError(f"cannot reach the Dask scheduler {scheduler!r}: {exc}; expected the address "
                           "of a running scheduler, e.g. tcp://10.0.0.5:8786") from None
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
    """Evaluate one chunk in a worker: ``("ok", outputs, axes)`` or ``("bad", tally)``."""
    from costsim.engine import evaluate_values

    scenario = build_in_worker(task.recipe)
    m = task.stop - task.start
    try:
        outputs, axes = evaluate_values(scenario, task.values, m, keep=task.keep, chunk_size=m)
    except ModelError:
        bad = _tally_bad(scenario, task.values, task.start)
        if not bad:
            raise
        return ("bad", bad)
    return ("ok", outputs, axes)


def _tally_bad(scenario: Scenario, values: dict, start: int) -> dict:
    """Non-finite tallies of a chunk, with sample numbers of the whole run (picklable)."""
    from costsim.graph import evaluate

    bad: dict = {}
    env: dict[str, object] = dict(scenario.constants)
    env["year"] = scenario.years[None, :]
    for name, arr in values.items():
        env[name] = arr[:, None]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # tallied, as in the engine
        evaluate(list(scenario.nodes), env, offset=start, bad=bad)
    for entry in bad.values():
        entry.node = SimpleNamespace(label=entry.node.label)  # nodes hold unpicklable closures
    return bad


def evaluate_parallel(scenario: Scenario, values: dict[str, np.ndarray], n: int, *,
                      keep: tuple[str, ...] | None = None, chunk_size: int | None = None,
                      progress: Callable[[int, int], None] | None = None, workers: int | None = None,
                      scheduler: object | None = None) -> tuple[dict[str, np.ndarray], dict[str, tuple]]:
    """``engine.evaluate_values`` with the chunks sent to workers; the same outputs, bit for bit.

    A ModelError names the same counts and first bad sample as an in-process evaluation.
    """
    from costsim.engine import _bad_message, default_chunk

    keep = tuple(scenario.outputs if keep is None else keep)
    chunk = int(chunk_size or default_chunk(scenario))
    recipe = recipe_of(scenario)
    tasks = [ChunkTask(recipe, a, min(n, a + chunk), {k: v[a:min(n, a + chunk)] for k, v in values.items()}, keep)
             for a in range(0, n, chunk)]
    outputs: dict[str, np.ndarray] = {}
    axes: dict[str, tuple] = {}
    bads: dict[int, dict] = {}
    done = [0]

    def on_result(i: int, result) -> None:
        task = tasks[i]
        if result[0] == "bad":
            bads[i] = result[1]
        else:
            _, out, ax = result
            for name in keep:
                if name not in outputs:
                    outputs[name] = np.empty((n,) + out[name].shape[1:])
                    axes[name] = ax[name]
                outputs[name][task.start:task.stop] = out[name]
        done[0] += task.stop - task.start
        if progress is not None:
            progress(done[0], n)

    execute(run_chunk, tasks, on_result, workers=workers, scheduler=scheduler)
    if bads:
        merged: dict = {}
        rows: dict[str, int] = {}
        for i in sorted(bads):
            for name, entry in bads[i].items():
                rows[name] = rows.get(name, 0) + tasks[i].stop - tasks[i].start
                if name in merged:
                    merged[name].count += entry.count
                    merged[name].total += entry.total
                else:
                    merged[name] = entry
        for name, entry in merged.items():
            # chunks without bad values report no size; count every sample's values, whatever the split
            entry.total = entry.total // rows[name] * n
        raise ModelError(_bad_message(scenario, merged, n))
    return outputs, axes


def evaluate(scenario: Scenario, values: dict[str, np.ndarray], n: int, *, keep: tuple[str, ...] | None = None,
             chunk_size: int | None = None, progress: Callable[[int, int], None] | None = None,
             workers: int | None = None, scheduler: object | None = None
             ) -> tuple[dict[str, np.ndarray], dict[str, tuple]]:
    """``engine.evaluate_values`` in this process, or :func:`evaluate_parallel` when asked for workers."""
    if is_parallel(workers, scheduler):
        return evaluate_parallel(scenario, values, n, keep=keep, chunk_size=chunk_size, progress=progress,
                                 workers=workers, scheduler=scheduler)
    from costsim.engine import evaluate_values

    return evaluate_values(scenario, values, n, keep=keep, chunk_size=chunk_size, progress=progress)
