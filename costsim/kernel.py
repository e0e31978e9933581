"""The chunk kernel: evaluate a scenario's graph on given draws, chunk by chunk, in this process.

This module knows nothing of executors (process pools, Dask): it turns parameter values
``{name: (n,)}`` into the kept outputs ``{name: (n,) + axes}`` and tallies non-finite values. Every
executor in :mod:`costsim.parallel` calls :func:`evaluate_block` on its share of the samples, so
results are identical whatever the split. Its own lanes are the chunk loop's: threads, or (Linux)
forked children of this process that fill rows of the same shared arrays and send back only their
tallies (:func:`fork_allowed`); either way the serial loop's numbers, tallies and errors.

Axes come from declarations, never from array shapes: a model declares the axes of its outputs
(``@model(axes=...)``, default ``("year",)``) and a formula's output axes follow from its inputs'
(:func:`costsim.formulas.bind_input_axes`), resolved once in the graph's order by :func:`plan`.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from costsim.arrays import empty, shared_empty
from costsim.cores import idle_lanes, usable
from costsim.errors import Issue, ModelError, ScenarioError
from costsim.graph import BadValues, Node, evaluate, read_only

DEFAULT_CHUNK_BYTES = 16 * 2**20  # ~2 MiB per (chunk, T) array: stays in cache; measured 20% faster than 64 MiB on R1
TEMPORARIES_PER_SAMPLE = 8  # live (chunk, T, B) arrays assumed by default_chunk and the memory budget
MIN_CHUNKS_PER_THREAD = 4  # fewer chunks than this per thread: the serial loop
THREADS_ENV = "COSTSIM_THREADS"  # threads of an in-process run (default: the idle cores, at most 2)
MAX_AUTO_THREADS = 2
# work (kernel.work_of) from which a run measures the busy cores before choosing its lanes: export_controls_base
# at 1e6 is 2.9e8 (~5 s of CPU), R1 at 1e6 3.3e7 (~0.4 s, where a 50 ms sample would cost 12%)
MEASURE_WORK = 1e8
ProgressFn = Callable[[int, int], None]
# glibc's malloc, tuned once before a long chunk loop (see tune_malloc): blocks up to this size come
# from the heap, and up to this much free memory stays mapped at the heap's top between chunks
MALLOC_MMAP_THRESHOLD = 8 * 2**20
MALLOC_TRIM_THRESHOLD = 128 * 2**20
MALLOC_ENV = "COSTSIM_MALLOC_TUNE"  # "0": leave malloc as it is
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (glibc malloc.h)
_MALLOC_TUNED: list[bool] = []
_LIBC: list = []


def default_chunk(scenario) -> int:
    """Samples per chunk: about 16 MiB of live (chunk, T) float64 temporaries per 8 arrays."""
    per_sample = TEMPORARIES_PER_SAMPLE * len(scenario.years) * max(len(scenario.blocs), 1) * 8
    return int(max(1024, min(1 << 20, DEFAULT_CHUNK_BYTES // per_sample)))


# ----------------------------------------------------------------------------------- axes
@dataclass(frozen=True)
class Plan:
    """The scenario's nodes in order, formulas bound to their inputs' axes, and every name's axes."""

    nodes: tuple[Node, ...]
    axes: dict[str, tuple[str, ...]]


def resolve_axes(nodes, param_names) -> Plan:
    """Axes of every produced name from declarations, in graph order (no array is looked at).

    Parameters and constants are per sample (``()``), ``year`` is ``("year",)``, a model output
    has its declared axes, and a formula's output has ``("year", "bloc")`` when any input has a
    bloc axis, else ``("year",)``; formulas are bound to their inputs' axes so that an ``(n, B)``
    input is never read as ``(n, T)``, even when ``T == B``.
    """
    known: dict[str, tuple[str, ...]] = {name: () for name in param_names}
    known["year"] = ("year",)
    bound = []
    for node in nodes:
        if node.spec.origin == "formula":
            from costsim.formulas import bind_input_axes  # only scenarios with formulas pay its import

            inputs = {}
            for inp in node.spec.inputs:
                src = node.source_of(inp)
                inputs[inp] = known.get(src, ()) if isinstance(src, str) else ()
            node = dataclasses.replace(node, spec=bind_input_axes(node.spec, inputs))
            inverse = {v: k for k, v in node.rename.items()}
            for out in node.outputs:
                known[out] = node.spec.axes_of(inverse.get(out, out))
        else:
            for out in node.outputs:
                known[out] = node.axes_of(out)
        bound.append(node)
    produced = {out: known[out] for node in bound for out in node.outputs}
    return Plan(tuple(bound), produced)


_PLANS: dict[int, tuple[weakref.ref, Plan]] = {}


def plan(scenario) -> Plan:
    """:func:`resolve_axes` of a Scenario, computed once per Scenario object."""
    key = id(scenario)
    hit = _PLANS.get(key)
    if hit is not None and hit[0]() is scenario:
        return hit[1]
    result = resolve_axes(scenario.nodes, scenario.params)
    _PLANS[key] = (weakref.ref(scenario, lambda _, k=key: _PLANS.pop(k, None)), result)
    return result


def output_axes(scenario) -> dict[str, tuple[str, ...]]:
    """Axes after the sample axis of every name the scenario's models and formulas produce."""
    return dict(plan(scenario).axes)


def _target_shape(axes: tuple[str, ...], m: int, t: int, b: int) -> tuple[int, ...]:
    return (m,) + tuple(t if a == "year" else b for a in axes)


def _store(out: np.ndarray, value, axes, a: int, b_: int, year_index: np.ndarray | None = None,
           t: int = 0) -> None:
    value = np.asarray(value, dtype=float)
    if axes == () and value.ndim == 2 and value.shape[1] == 1:
        value = value[:, 0]
    if axes == ("bloc",) and value.ndim == 3 and value.shape[1] == 1:
        value = value[:, 0, :]
    if year_index is not None and axes and axes[0] == "year" and value.ndim >= 2 and value.shape[1] == t:
        # only the kept years (a value constant in time broadcasts as before), taken straight into place
        target = out[a:b_]
        if value.shape[0] == target.shape[0] and value.shape[2:] == target.shape[2:]:
            np.take(value, year_index, axis=1, out=target, mode="clip")  # clip: unbuffered (indices are valid)
            return
        value = value[:, year_index]
    out[a:b_] = value


def tune_malloc() -> bool:
    """Keep a chunk's freed memory for the next chunk instead of returning it to the OS (glibc only).

    By default glibc returns the freed top of its heap to the OS whenever more than twice its
    dynamic mmap threshold is free, which is after every chunk: each chunk then faults its whole
    working set in again, page by page (on this kind of VM a fresh MiB costs ~15x the multiply
    that fills it; measured: system time of export_controls_base at 1e6 3.5 s -> 0.5 s). Called
    once per process before a chunk loop of more than one chunk; sets the mmap threshold to
    MALLOC_MMAP_THRESHOLD (arrays above it, such as the kept outputs, are still mapped and
    unmapped whole) and the trim threshold to MALLOC_TRIM_THRESHOLD. Numbers are unaffected
    (only where memory comes from). Returns whether the settings are in force; ``COSTSIM_MALLOC_TUNE=0``
    leaves malloc alone.
    """
    if _MALLOC_TUNED:
        return _MALLOC_TUNED[0]
    ok = False
    if os.environ.get(MALLOC_ENV, "").strip() != "0":
        try:
            libc_version = os.confstr("CS_GNU_LIBC_VERSION")  # None or absent off glibc
        except (AttributeError, ValueError, OSError):
            libc_version = None
        if libc_version:
            try:
                import ctypes

                libc = ctypes.CDLL(None)
                _LIBC.append(libc)
                ok = bool(libc.mallopt(_M_MMAP_THRESHOLD, MALLOC_MMAP_THRESHOLD)) and bool(
                    libc.mallopt(_M_TRIM_THRESHOLD, MALLOC_TRIM_THRESHOLD))
            except (OSError, AttributeError):
                ok = False
    _MALLOC_TUNED.append(ok)
    return ok


def release_memory() -> None:
    """Return the free memory of every malloc arena to the OS (after a chunk loop on threads: the
    threads' arenas keep their chunks' freed memory, which the main thread cannot reuse)."""
    if _MALLOC_TUNED and _MALLOC_TUNED[0] and _LIBC:
        try:
            _LIBC[0].malloc_trim(0)
        except (OSError, AttributeError):
            pass


# ----------------------------------------------------------------------------------- evaluation
def evaluate_block(scenario, values: dict[str, np.ndarray], n: int, *, keep: tuple[str, ...] | None = None,
                   chunk_size: int | None = None, progress: ProgressFn | None = None, offset: int = 0,
                   start: int = 0, stop: int | None = None, outputs: dict[str, np.ndarray] | None = None,
                   axes: dict[str, tuple] | None = None, bad: dict[str, BadValues] | None = None,
                   year_index: np.ndarray | None = None, threads: int | None = None,
                   check_years: dict[str, np.ndarray] | None = None,
                   check_outputs: dict[str, np.ndarray] | None = None
                   ) -> tuple[dict[str, np.ndarray], dict[str, tuple], dict[str, BadValues]]:
    """Evaluate samples ``start:stop`` (default all ``n``) of ``values`` chunk by chunk: ``(outputs, axes, bad)``.

    ``values`` is ``{name: (n,)}``, or an object whose ``take(a, b)`` returns the values of rows
    ``a:b`` (:class:`costsim.sampling.RowDraws`: the draws made chunk by chunk, so only the
    chunks in flight hold draws); it may be called from the evaluating threads.

    ``year_index`` (indices into the scenario's years, increasing) keeps outputs over the years
    only at those years: ``(n, len(year_index)[, B])`` instead of ``(n, T[, B])``; the models
    still see every year. ``threads`` (default 1) evaluates chunks on that many threads of this
    process; the outputs, tallies and errors are the serial loop's, bit for bit.
    ``check_years`` ``{name: year indices}`` also keeps those years of a kept output over the
    years, apart, in ``check_outputs`` (filled in place: a check's own columns).

    ``outputs`` (``{name: (n,) + axes}``) and ``axes`` from an earlier call are filled in place,
    so one run may be evaluated in parts; ``offset`` is the index of ``values``' first sample in
    the whole run (for messages). Non-finite model outputs are tallied into ``bad`` (name ->
    BadValues), not raised.
    """
    keep = tuple(scenario.outputs if keep is None else keep)
    chunk = int(chunk_size or default_chunk(scenario))
    stop = n if stop is None else stop
    years_row = read_only(scenario.years[None, :])
    t, nb = len(scenario.years), len(scenario.blocs)
    if year_index is not None:
        year_index = np.asarray(year_index, dtype=np.intp)
    t_kept = t if year_index is None else len(year_index)
    p = plan(scenario)
    nodes = list(p.nodes)
    constants = {k: read_only(v) if isinstance(v, np.ndarray) else v for k, v in scenario.constants.items()}
    outputs = {} if outputs is None else outputs
    axes = {} if axes is None else axes
    bad = {} if bad is None else bad
    check_outputs = {} if check_outputs is None else check_outputs
    rows = getattr(values, "take", None)

    steps = _steps(nodes, keep)

    def run_chunk(a: int, b_: int, tally: dict[str, BadValues]) -> dict[str, object]:
        env: dict[str, object] = dict(constants)
        env["year"] = years_row
        if rows is not None:  # draws made for these rows only (sampling.RowDraws): the same numbers
            for name, arr in rows(a, b_).items():
                env[name] = read_only(arr[:, None])
        else:
            for name, arr in values.items():
                env[name] = read_only(arr[a:b_, None])
        dims = (b_ - a, t, nb)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            # non-finite values are tallied and reported once, not warned per chunk
            for step, dead in steps:  # a chunk's arrays are dropped after their last reader
                evaluate(step, env, offset=offset + a, bad=tally, dims=dims)
                for name in dead:
                    env.pop(name, None)
        return {name: env[name] for name in keep}

    def store(a: int, b_: int, kept: dict[str, object]) -> None:
        for name in keep:
            value = kept[name]
            if name not in outputs:
                ax = p.axes.get(name, ("year",))
                axes[name] = ax
                outputs[name] = alloc[0](_target_shape(ax, n, t_kept, nb))
            if check_years and name in check_years:
                if name not in check_outputs:
                    check_outputs[name] = alloc[0](_target_shape(axes[name], n, len(check_years[name]), nb))
                _store(check_outputs[name], value, axes[name], a, b_, check_years[name], t)
            try:
                _store(outputs[name], value, axes[name], a, b_, year_index, t)
            except ValueError:
                raise ModelError(f"output {name!r} has shape {np.shape(value)}; expected it to broadcast to "
                                 f"{_target_shape(axes[name], b_ - a, t, nb)} (axes: samples, "
                                 f"{', '.join(axes[name]) or 'none'})") from None
        tick[0](b_ - a)

    done = [start]

    def report(rows_done: int) -> None:  # rows stored so far, here and (forked) in the children
        done[0] += rows_done
        if progress is not None:
            progress(done[0], n)

    alloc, tick = [empty], [report]
    spans = [(a, min(stop, a + chunk)) for a in range(start, stop, chunk)]
    threads = max(1, min(int(threads or 1), len(spans) // MIN_CHUNKS_PER_THREAD))
    if threads > 1 and chunk_size is None:
        # the default chunk is the memory budget's: the threads' chunks and the one being stored share
        # it (on glibc, with tune_malloc, the chunk size hardly changes the CPU time: measured)
        chunk = max(1, -(-chunk // (threads + 1)))
        spans = [(a, min(stop, a + chunk)) for a in range(start, stop, chunk)]
    if len(spans) > 1:
        tune_malloc()
    if threads < 2:
        for a, b_ in spans:
            store(a, b_, run_chunk(a, b_, bad))
        return outputs, axes, bad
    if not outputs and not check_outputs and fork_allowed():
        # on forked processes: the first chunk here allocates every kept array in shared memory,
        # then each process fills its own consecutive chunks in place (threads share one GIL,
        # which the race's many small year-by-year steps hold most of the time: measured)
        alloc[0] = shared_empty
        share = getattr(values, "share_rows", None)
        if share is not None:
            share()
        store(*spans[0], run_chunk(*spans[0], bad))
        _on_processes(_consecutive(spans[1:], threads), run_chunk, store, bad, values, tick)
        release_memory()
        return outputs, axes, bad
    # chunks on threads (NumPy releases the GIL in its loops), stored and tallied here in chunk
    # order, so outputs, tallies and errors are those of the serial loop
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(threads, thread_name_prefix="costsim-chunk")
    try:
        pending = []
        todo = iter(spans)
        for span in itertools.islice(todo, threads):  # one chunk a thread (a queued one would add its memory)
            part: dict[str, BadValues] = {}
            pending.append((span, part, pool.submit(run_chunk, *span, part)))
        while pending:
            (a, b_), part, future = pending.pop(0)
            kept = future.result()
            for span in itertools.islice(todo, 1):
                nxt: dict[str, BadValues] = {}
                pending.append((span, nxt, pool.submit(run_chunk, *span, nxt)))
            merge_into(bad, part)
            store(a, b_, kept)
            del kept
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    release_memory()
    return outputs, axes, bad


FORK_ENV = "COSTSIM_FORK"  # "0": chunks on threads, never on forked processes


def fork_allowed() -> bool:
    """May a run's chunks go to forked processes? Linux, ``COSTSIM_FORK`` not "0", and no other
    Python thread in this process but tqdm's monitor (a fork copies only the calling thread: a lock
    another thread holds, say a server's, would stay locked in the child). Elsewhere chunks go to
    threads."""
    import sys
    import threading

    env = os.environ.get(FORK_ENV, "").strip()
    if env not in ("", "0", "1"):
        raise ScenarioError("environment", [Issue(FORK_ENV, "must be 0 (threads) or 1 (forked processes where safe)",
                                                  "0 or 1", env)])
    others = [t for t in threading.enumerate() if t is not threading.current_thread() and not _harmless(t)]
    return env != "0" and sys.platform.startswith("linux") and hasattr(os, "fork") and not others


def _harmless(thread) -> bool:
    """tqdm's monitor thread (left by a progress bar): it only sleeps and adjusts bars, which a
    child never draws (a child sends its rows to this process, whose callback draws)."""
    return type(thread).__name__ == "TMonitor" and type(thread).__module__.startswith("tqdm")


def _consecutive(spans: list[tuple[int, int]], parts: int) -> list[list[tuple[int, int]]]:
    """``spans`` cut into ``parts`` consecutive groups of about the same number of rows."""
    total = sum(b - a for a, b in spans)
    groups: list[list[tuple[int, int]]] = [[] for _ in range(parts)]
    seen = 0
    for a, b in spans:
        groups[min(parts - 1, seen * parts // max(total, 1))].append((a, b))
        seen += b - a
    return [g for g in groups if g]


def _on_processes(groups, run_chunk, store, bad, values, tick) -> None:
    """Evaluate the first group of spans here and every other group in a forked child, in place.

    Each child stores its chunks into the shared arrays, reports its rows as they are stored,
    and sends back its tallies (and the draws' clip counts, and the warnings it raised, replayed
    here) or its error. Tallies merge in span order, and the error raised is the earliest
    group's: those of the serial loop. Where a fork cannot be made (or a thread started since
    the lanes were chosen: a plugin's, say), the groups left are evaluated here.
    """
    import pickle
    import signal
    from multiprocessing import Pipe

    counts = getattr(values, "clip_counts", None)
    at_fork = counts() if counts is not None else None
    children: list[tuple[int, object]] = []
    reaped: set[int] = set()
    here = list(groups[0])
    stopping = (signal.SIGINT, signal.SIGTERM)
    finished: dict[int, tuple] = {}  # child index -> its last message
    try:
        for k, group in enumerate(groups[1:], start=1):
            if not fork_allowed():  # a thread started since (the first chunk ran a user's code)
                here.extend(span for g in groups[k:] for span in g)
                break
            mine, theirs = Pipe(duplex=False)
            _flush()  # a child must not write this process's pending output
            old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, stopping)  # no Ctrl-C between fork and bookkeeping
            try:
                # (Python >= 3.12 warns of BLAS's own threads here: a DeprecationWarning, which the
                # default filters hide outside __main__; changing the filters around it would reset
                # every module's registry of warnings already shown)
                pid = os.fork()
            except OSError:  # no more processes (a container's pids.max): the rest here
                signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
                mine.close()
                theirs.close()
                here.extend(span for g in groups[k:] for span in g)
                break
            if pid == 0:  # the child: never returns into the caller's code
                _child(k, group, mine, theirs, run_chunk, store, tick, counts, old_mask)
            children.append((pid, mine))
            signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
            theirs.close()

        def read(k: int, conn, block: bool) -> None:
            """Messages of child ``k`` until its last one (``block``) or while there are any."""
            while k not in finished and (block or conn.poll(0)):
                try:
                    msg = conn.recv()
                except EOFError:  # it ended without its last message
                    pid = children[k][0]
                    _, status = os.waitpid(pid, 0)
                    reaped.add(pid)
                    finished[k] = ("died", _ended(status))
                    return
                if msg[0] == "rows":
                    tick[0](msg[1])
                else:
                    finished[k] = msg

        for a, b_ in here:
            store(a, b_, run_chunk(a, b_, bad))
            for k, (_, conn) in enumerate(children):
                read(k, conn, block=False)
        for k, (_, conn) in enumerate(children):
            read(k, conn, block=True)
            msg = finished[k]
            if msg[0] == "died":
                raise ModelError(f"a process evaluating chunks of this run ended without its results ({msg[1]})")
            _replay(msg[-1])  # its warnings, through this process's filters and registries
            if msg[0] == "error":
                try:
                    exc = pickle.loads(msg[1]) if msg[1] is not None else None
                except Exception:  # noqa: BLE001
                    exc = None
                raise exc if isinstance(exc, BaseException) else ModelError(msg[2])
            merge_into(bad, msg[1])
            if counts is not None and msg[2] is not None:
                values.add_clip_counts({key: v - at_fork.get(key, 0) for key, v in msg[2].items()})
    finally:
        old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, stopping)  # every child stopped, even on a second Ctrl-C
        try:
            for k, (pid, conn) in enumerate(children):
                if pid not in reaped:  # an unreaped child's pid is still its own: safe to signal
                    if k not in finished:  # still at work (an error here, Ctrl-C): stopped
                        try:
                            os.kill(pid, signal.SIGKILL)
                        except ProcessLookupError:
                            pass
                    try:  # one that sent its last message exits right after it
                        os.waitpid(pid, 0)
                    except ChildProcessError:
                        pass
                conn.close()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)


_PR_SET_PDEATHSIG = 1  # prctl's option number (linux/prctl.h)


def _child(k, group, mine, theirs, run_chunk, store, tick, counts, old_mask) -> None:
    """A forked lane: evaluate ``group``, send what the parent needs, and exit (never return)."""
    import pickle
    import random
    import signal
    import warnings

    code = 0
    caught: list = []
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops its children
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the command's handler: the parent reports it
        try:  # die with the parent, whatever kills it
            import ctypes

            ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
        if os.getppid() == 1:  # the parent died before prctl
            os._exit(1)
        mine.close()
        # a plugin's global random streams: each lane its own (a copy of the parent's would repeat it)
        np.random.seed((np.random.randint(0, 2**31) + k) % 2**32)
        random.seed(random.getrandbits(64) + k)
        tick[0] = lambda rows: theirs.send(("rows", rows))
        tally: dict[str, BadValues] = {}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")  # every one goes back, and the parent's filters decide
            for a, b_ in group:
                store(a, b_, run_chunk(a, b_, tally))
        _flush()  # what the lane's models printed, before the parent hears it is done
        theirs.send(("done", portable(tally), counts() if counts is not None else None, _warned(caught)))
    except BaseException as exc:  # noqa: BLE001  sent to the parent, raised there
        code = 1
        try:
            blob = pickle.dumps(exc)
            pickle.loads(blob)  # an error that does not come back whole is sent as its text
        except BaseException:  # noqa: BLE001
            blob = None
        _flush()
        try:
            theirs.send(("error", blob, f"{type(exc).__name__}: {exc}", _warned(caught)))
        except BaseException:  # noqa: BLE001  the parent is gone
            pass
    finally:
        os._exit(code)


def _flush() -> None:
    """Write out this process's buffered stdout and stderr (before a fork, and a child's before it exits)."""
    import sys

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001  a closed or odd stream: nothing to write out
            pass


def _warned(caught) -> list[tuple]:
    """Recorded warnings as (text, category, file, line), their category a Warning the parent has."""
    import pickle

    out = []
    for w in caught or ():
        category = w.category if isinstance(w.category, type) and issubclass(w.category, Warning) else UserWarning
        try:
            pickle.loads(pickle.dumps(category))
        except Exception:  # noqa: BLE001  a class the parent could not find
            category = UserWarning
        out.append((str(w.message), category, w.filename, w.lineno))
    return out


def _replay(warned: list[tuple]) -> None:
    """Warn here what a child warned, as if raised here: the module of the warning's file keeps
    its registry, so a warning shown once per place is shown once, as in the serial loop."""
    import sys
    import warnings

    for text, category, filename, lineno in warned:
        module = next((m for m in list(sys.modules.values())
                       if getattr(m, "__file__", None) == filename), None)
        registry = None if module is None else module.__dict__.setdefault("__warningregistry__", {})
        warnings.warn_explicit(text, category, filename, lineno,
                               module=None if module is None else module.__name__, registry=registry)


def _ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return f"killed by signal {sig}" + (" (out of memory?)" if sig == 9 else "")
    return f"exit status {os.WEXITSTATUS(status) if os.WIFEXITED(status) else status}"


def _steps(nodes, keep) -> list[tuple[list, tuple[str, ...]]]:
    """The nodes one at a time, each with the names no later node reads and no one keeps
    (dropped from a chunk's arrays once it has run: its memory is the live arrays', not all)."""
    keep = set(keep)
    last: dict[str, int] = {}
    for i, node in enumerate(nodes):
        for inp in node.spec.inputs:
            src = node.source_of(inp)
            if isinstance(src, str):
                last[src] = i
        for out in node.outputs:
            last.setdefault(out, i)
    dead: dict[int, list[str]] = {}
    for name, i in last.items():
        if name not in keep:
            dead.setdefault(i, []).append(name)
    return [([node], tuple(dead.get(i, ()))) for i, node in enumerate(nodes)]


def merge_into(bad: dict[str, BadValues], part: dict[str, BadValues]) -> None:
    """Add a later chunk's tallies to ``bad`` (counts add up; the first bad sample stays the earliest)."""
    for name, entry in part.items():
        if name in bad:
            bad[name].count += entry.count
            bad[name].total += entry.total
        else:
            bad[name] = entry


def portable(bad: dict[str, BadValues]) -> dict[str, BadValues]:
    """The tallies with their nodes reduced to labels, so they pickle (nodes hold closures)."""
    for entry in bad.values():
        entry.node = SimpleNamespace(label=entry.node.label)
    return bad


def merge_bad(parts: list[dict[str, BadValues]]) -> dict[str, BadValues]:
    """Tallies of consecutive blocks as one: counts add up, the first bad sample is the earliest."""
    merged: dict[str, BadValues] = {}
    for part in parts:
        merge_into(merged, part)
    return merged


def bad_message(scenario, bad: dict[str, BadValues], n: int) -> str:
    """One line per output with non-finite values: counts, the first bad sample and its inputs."""
    parts = []
    for name, entry in bad.items():
        idx = entry.first_index
        year = ""
        if len(idx) > 1 and idx[1] < len(scenario.years):
            year = f", year {int(scenario.years[idx[1]])}"
        inputs = ", ".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}"
                           for k, v in entry.first_inputs.items())
        total = n * entry.per_sample  # every chunk's values, not only the chunks that had bad ones
        parts.append(f"{entry.node.label} -> {name}: {entry.count} of {total} values are not finite "
                     f"(first: sample {entry.first_sample}{year}, value {entry.first_value}); inputs of that "
                     f"sample: {inputs}")
    return "\n".join(parts)


def work_of(scenario, n: int) -> float:
    """Values computed by a run of ``n`` samples: samples x years x blocs x models and formulas."""
    return float(n) * len(scenario.years) * max(len(scenario.blocs), 1) * max(len(scenario.nodes), 1)


def idle_threads(*, measure: bool = False) -> int:
    """Threads for an in-process run: ``COSTSIM_THREADS`` if set (a whole number >= 1, at most the
    cores this process may run on: more threads than cores only add their chunks' memory), else
    the cores the load average leaves idle (at least 1, at most MAX_AUTO_THREADS; ``measure``: see
    :func:`costsim.cores.idle_lanes`)."""
    cores = usable()
    env = os.environ.get(THREADS_ENV, "").strip()
    if env:
        try:
            asked = int(env)
        except ValueError:
            asked = 0
        if asked < 1:
            raise ScenarioError("environment", [Issue(THREADS_ENV, "must be a whole number of threads >= 1",
                                                      f"e.g. 1 or {cores}", env)])
        return min(asked, cores)
    return idle_lanes(MAX_AUTO_THREADS, measure=measure)


def lanes_for(scenario, n: int | None = None) -> int:
    """Lanes for a scenario's in-process run: :func:`idle_threads`, but one when a model comes
    from a plugin (unless ``COSTSIM_THREADS`` asks for more). A run of ``n`` samples whose work
    is at least MEASURE_WORK (about a second or more of evaluation) also looks at the cores busy
    now when the load average is high (a 50 ms sample: see :func:`costsim.cores.idle_lanes`).

    costsim's own models and formulas are pure, so chunks in several lanes give the serial loop's
    numbers bit for bit; a user's plugin may keep state (a module cache, numpy's global random
    state) and runs in one lane unless asked.
    """
    own = all(getattr(node.spec, "origin", "builtin") in ("builtin", "formula") for node in scenario.nodes)
    if not (own or os.environ.get(THREADS_ENV, "").strip()):
        return 1
    return idle_threads(measure=n is not None and work_of(scenario, n) >= MEASURE_WORK)


def lanes_for_workers(workers: int) -> int:
    """Forked lanes for ``--workers N``: at most N and the cores the load average leaves idle (on a
    busy machine more processes only share the same cores: as the process pool, never much slower
    than in-process)."""
    return idle_lanes(int(workers))


def evaluate_values(scenario, values: dict[str, np.ndarray], n: int, *, keep: tuple[str, ...] | None = None,
                    chunk_size: int | None = None, progress: ProgressFn | None = None,
                    year_index: np.ndarray | None = None, threads: int | None = None,
                    check_years: dict[str, np.ndarray] | None = None,
                    check_outputs: dict[str, np.ndarray] | None = None
                    ) -> tuple[dict[str, np.ndarray], dict[str, tuple]]:
    """Evaluate the scenario's graph on given parameter values ``{name: (n,)}`` in this process.

    Returns (outputs, axes) for the kept outputs (at the years of ``year_index`` only, when
    given: see :func:`evaluate_block`). Raises ModelError when any model output is non-finite,
    with counts and the first bad sample's inputs.
    """
    outputs, axes, bad = evaluate_block(scenario, values, n, keep=keep, chunk_size=chunk_size, progress=progress,
                                        year_index=year_index, threads=threads, check_years=check_years,
                                        check_outputs=check_outputs)
    if bad:
        raise ModelError(bad_message(scenario, bad, n))
    return outputs, axes
