"""Grid sweeps: every combination of values of chosen scenario paths, each point a Monte Carlo run.

An *axis* is a ``--set`` path (any scenario value: ``params.x`` for a constant,
``params.x.high`` for one field of a distribution, ``policy.preset``...) and a list of values.
The grid is the full product of the axes, first axis slowest, streamed (never listed; a grid
past ``max_points``, default 10,000, is refused before any work unless allowed). Each point is
the scenario with that point's overrides, run by default on the root seed: draws are keyed by
parameter name, so every point sees the same draws (common random numbers) and the
differences between points are the effect of the swept values, not Monte Carlo noise.
``independent_seeds=True`` gives each point its own seed, spawned from the root seed and keyed by
the point's index (``SeedSequence(seed, spawn_key=(index,))``), so a point's numbers do not
depend on which other points exist. Either way the table does not depend on the chunk size or
on how many workers share the work.

Values are written as in ``--over``:

* ``1,2,4,8``: the listed values (YAML scalars: numbers, strings such as ``strict``);
* ``1:8:4``: 4 values evenly spaced from 1 to 8, inclusive;
* ``1e8:1e10:3:log``: 3 values evenly spaced in log10 (1e8, 1e9, 1e10).

or in a scenario's ``sweeps:`` block, a mapping from path to a list, a range mapping
``{low, high, num, log}`` or one of the strings above::

    sweeps:
      params.cost_decline_x_per_year.high: [4, 8, 16]
      params.base_budget_usd: {low: 1.0e+8, high: 1.0e+10, num: 3, log: true}

A bare parameter name (``ai_speedup_x``) means ``params.ai_speedup_x``.

The result is a :class:`SweepTable`: one row per point, output, bloc and year, indexed by the
swept values, with the mean, sd and the 5th, 50th and 95th percentiles.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from costsim.errors import Issue, ScenarioError
from costsim.scenario import Scenario, load_scenario
from costsim.scenario.sections import Axis, parse_over

STATS = ("mean", "sd", "p05", "p50", "p95")
_QUANTILES = (0.05, 0.50, 0.95)


def axes_from_scenario(scenario: Scenario) -> list[Axis]:
    """The axes of the scenario's ``sweeps:`` block (empty when it has none), checked at validation."""
    return list(scenario.sweeps)


def point_seed(seed: int, index: int) -> int:
    """The seed of sweep point ``index``: ``SeedSequence(seed, spawn_key=(index,))`` as a 63-bit int."""
    state = np.random.SeedSequence(int(seed), spawn_key=(int(index),)).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(1))


# ----------------------------------------------------------------------------------- the table
@dataclass(frozen=True)
class SweepTable:
    """Summaries of every grid point: ``rows`` (one per point, output, bloc, year) and ``checks``."""

    axes: tuple[Axis, ...]
    rows: tuple[dict, ...]
    checks: tuple[dict, ...] = ()
    meta: dict = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        return ("point", *(a.path for a in self.axes), "seed", "n", "output", "bloc", "year", *STATS)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(a.values) for a in self.axes)

    def to_csv(self) -> str:
        """The rows as CSV text (floats with 10 significant digits)."""
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(self.columns), lineterminator="\n")
        writer.writeheader()
        for row in self.rows:
            writer.writerow({k: (f"{v:.10g}" if isinstance(v, float) else v) for k, v in row.items()})
        return buf.getvalue()

    def grid(self, output: str, stat: str = "p50", *, year: int | None = None, bloc: str | None = None
             ) -> np.ndarray:
        """One statistic of one output over the grid, shaped like the axes (NaN where missing)."""
        if stat not in STATS:
            raise KeyError(f"unknown statistic {stat!r}; expected one of {', '.join(STATS)}")
        out = np.full(self.shape, np.nan)
        found = False
        seen: dict[int, tuple] = {}
        for row in self.rows:
            if row["output"] != output or (year is not None and row["year"] != year) \
                    or (bloc is not None and row["bloc"] != bloc):
                continue
            where = (row.get("year"), row.get("bloc"))
            if seen.setdefault(row["point"], where) != where:  # one cell, two values: refuse to pick one
                raise KeyError(f"output {output!r} has several rows per point (year {seen[row['point']][0]} and "
                               f"{where[0]}, bloc {seen[row['point']][1]} and {where[1]}); pass year= and/or bloc=")
            out[np.unravel_index(row["point"], self.shape)] = row[stat]
            found = True
        if not found:
            names = sorted({r["output"] for r in self.rows})
            raise KeyError(f"no rows for output {output!r} (year {year}, bloc {bloc}); outputs: {', '.join(names)}")
        return out


def summarise(results, outputs: tuple[str, ...], years: tuple[int, ...] | None) -> list[dict]:
    """Mean, sd and 5/50/95% of each kept output at the given years (all when None), per bloc."""
    rows = []
    for name in outputs:
        arr = np.asarray(results.outputs[name], dtype=float)
        axes = results.axes_of(name)
        if "year" in axes:
            picked = [(i, int(y)) for i, y in enumerate(results.years) if years is None or int(y) in years]
            arr = arr[:, [i for i, _ in picked]]
            yrs = [y for _, y in picked]
        else:
            arr = arr[:, None]
            yrs = [""]
        if "bloc" not in axes:
            arr = arr[..., None]
        blocs = list(results.blocs) if "bloc" in axes else [""]
        if arr.size == 0:
            continue
        # every statistic of every (year, bloc) column in one call each
        mean = arr.mean(axis=0)
        sd = arr.std(axis=0, ddof=1) if arr.shape[0] > 1 else np.zeros(arr.shape[1:])
        q = np.quantile(arr, _QUANTILES, axis=0)
        for yi, year in enumerate(yrs):
            for bi, bloc in enumerate(blocs):
                rows.append({"output": name, "bloc": bloc, "year": year, "mean": float(mean[yi, bi]),
                             "sd": float(sd[yi, bi]), "p05": float(q[0, yi, bi]), "p50": float(q[1, yi, bi]),
                             "p95": float(q[2, yi, bi])})
    return rows


@dataclass(frozen=True)
class PointTask:
    """One grid point for a worker: the point's recipe, samples, seed and what to summarise."""

    recipe: object
    n: int | None
    seed: int
    design: str | None
    chunk_size: int | None
    keep: tuple[str, ...] | None
    years: tuple[int, ...] | None


def run_point_scenario(scenario: Scenario, task: PointTask) -> tuple[int, list[dict], list[dict]]:
    """Run one grid point's scenario and summarise it: ``(n, rows, checks)``."""
    from costsim.engine import run

    n = int(scenario.samples if task.n is None else task.n)
    keep = tuple(scenario.outputs if task.keep is None else task.keep)
    # run() also keeps the outputs the scenario's checks test, whatever `keep` says
    res = run(scenario, n=n, seed=task.seed, design=task.design, chunk_size=task.chunk_size, keep=keep)
    # verdict: PASS, FAIL or CLOSE (too close to call at this n: neither passed nor failed, as costsim run says)
    checks = [{"claim": c.claim, "check": c.description, "value": c.value, "se": c.se, "passed": c.passed,
               "verdict": c.verdict} for c in res.checks]
    return n, summarise(res, keep, task.years), checks


def run_point(task: PointTask):
    """Worker entry point: rebuild the point's scenario from its recipe, run it, summarise it."""
    from costsim.recipe import build_in_worker

    return run_point_scenario(build_in_worker(task.recipe), task)


def count_points(axes: list[Axis]) -> int:
    """Points of the full grid (the product of the axes' lengths), without listing them."""
    return math.prod(len(a.values) for a in axes)


def _check_size(scenario: Scenario, axes: list[Axis], n: int, keep, years, max_points: int | None,
                workers: int | None, design: str | None, chunk_size: int | None) -> None:
    from costsim import budget

    points = count_points(axes)
    t = len(scenario.years)
    if max_points is not None and points > max_points:
        shape = " x ".join(f"{len(a.values):,}" for a in axes)
        raise ScenarioError(scenario.source, [Issue(
            "sweeps", f"the grid has {points:,} points ({shape}), about {points * n * t:.3g} sample-years of work",
            f"at most {max_points:,} points", points,
            hint="Sweep fewer values, or allow it with --max-points N (sweep(..., max_points=N)).")])
    names = tuple(scenario.outputs if keep is None else keep)
    years_kept = t if not years else len(years)
    rows_per_point = sum(years_kept for _ in names) * max(len(scenario.blocs), 1)
    copies = max(int(workers or 1), 1)
    est = budget.estimate(scenario, n, names, design=design, chunk_size=chunk_size, copies=copies,
                          points=points, fixed=ROW_BYTES * rows_per_point * points)
    tables = budget.size_text(ROW_BYTES * rows_per_point * points)
    budget.check(scenario, est, what=f"the sweep of {points:,} points",
                 fixed_hint=f"Its result tables alone take about {tables} ({points:,} points x {rows_per_point:,} rows): "
                            "sweep fewer points (fewer values per --over axis), fewer years (--years) or "
                            f"fewer outputs; or set {budget.MEMORY_ENV} if you know better.")


ROW_BYTES = 1024  # a summary row (a dict of ~13 values) as Python objects
DEFAULT_MAX_POINTS = 10_000
KEEP_BUILT = 512  # validated point scenarios kept for the run; more are rebuilt (cached parse) when run


def sweep(scenario: Scenario | str, axes: list[Axis] | list[str] | None = None, n: int | None = None,
          seed: int | None = None, *, overrides: tuple[str, ...] = (), design: str | None = None,
          outputs: tuple[str, ...] | None = None, years: tuple[int, ...] | None = None,
          chunk_size: int | None = None, workers: int | None = None, scheduler: object | None = None,
          same_seed: bool | None = None, independent_seeds: bool | None = None,
          max_points: int | None = DEFAULT_MAX_POINTS,
          progress: Callable[[int, int], None] | None = None,
          validate_progress: Callable[[int, int], None] | None = None) -> SweepTable:
    """Run the full grid of ``axes`` (default: the scenario's ``sweeps:``) and summarise each point.

    Parameters
    ----------
    scenario : Scenario or path
    axes : list of Axis or of ``"path=values"`` strings, optional
    n, seed : int, optional
        Samples per point and the root seed (default: the scenario's).
    outputs, years : optional
        What to summarise (default: the scenario's outputs, and its summary_years; ``years=()``
        keeps every year).
    chunk_size, workers, scheduler :
        How to split the work (see :mod:`costsim.parallel`); the table does not depend on them.
    independent_seeds : bool
        False (default): every point uses the root seed, so name-keyed draws are the same at
        every point (common random numbers) and differences between points are the swept
        values' effect, not Monte Carlo noise. True: each point gets its own seed spawned from
        the root seed and its index (:func:`point_seed`). ``same_seed=False`` means the same.
    max_points : int or None
        Refuse a grid with more points (exit 2), before any work; None allows any size.
    progress : ``progress(done, total)`` after each point.
    validate_progress : ``validate_progress(done, total)`` while the points are validated (every
        point is checked before any runs; a large grid takes a while).

    Examples
    --------
    >>> table = sweep("scenarios/reference_r1.yaml", ["params.base_budget_usd=1e8,1e9"], n=1000)  # doctest: +SKIP
    >>> table.grid("effective_flop", "p50", year=2030)  # doctest: +SKIP
    """
    from costsim import parallel
    from costsim.parallel import execute, work_of
    from costsim.recipe import build, recipe_of

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides)
    if axes is None:
        axes = axes_from_scenario(scenario)
    axes = [a if isinstance(a, Axis) else parse_over(a) for a in axes]
    if not axes:
        raise ScenarioError(scenario.source, [Issue("sweeps", "nothing to sweep", "--over PATH=VALUES or a sweeps: "
                                                    "block", None)])
    dup = [a.path for a in axes if [b.path for b in axes].count(a.path) > 1]
    if dup:
        raise ScenarioError("--over", [Issue("--over", "path swept twice", "each path once", dup[0])])
    independent = bool(independent_seeds) if independent_seeds is not None else same_seed is False
    years_asked = None if years is None else tuple(int(y) for y in years)
    years = tuple(scenario.summary_years) if years is None else (tuple(int(y) for y in years) or None)
    keep = None if outputs is None else tuple(outputs)
    root_seed = int(scenario.seed if seed is None else seed)
    n_run = int(scenario.samples if n is None else n)
    _check_size(scenario, axes, n_run, keep, years, max_points, workers, design, chunk_size)
    base = recipe_of(scenario)
    points = count_points(axes)

    def combos():  # streamed: the grid is never listed
        return itertools.product(*(range(len(a.values)) for a in axes))

    def recipe_at(combo):
        return base.with_overrides(a.overrides(j) for a, j in zip(axes, combo, strict=True))

    def seed_at(i: int) -> int:
        return point_seed(root_seed, i) if independent else root_seed

    # Validate every point before running any, and report every bad point at once.
    t_valid = time.perf_counter()
    built: list[Scenario] = []
    issues: dict[tuple, list] = {}  # an issue -> the points that have it
    for i, combo in enumerate(combos()):
        if validate_progress is not None:
            validate_progress(i, points)
        try:
            point = build(recipe_at(combo))
        except ScenarioError as exc:
            label = ", ".join(f"{a.path}={a.texts[j]}" for a, j in zip(axes, combo, strict=True))
            for x in exc.issues:
                issues.setdefault((x.path, x.problem, x.expected, repr(x.got), x.line), [x]).append(
                    f"sweep point {i}: {label}")
            continue
        missing = [o for o in keep or () if o not in point.outputs]
        if missing:
            x = Issue("outputs", "not an output of the scenario", f"one of {', '.join(point.outputs)}", missing[0])
            issues.setdefault((x.path, x.problem, x.expected, repr(x.got), x.line), [x]).append(f"sweep point {i}")
        absent = [y for y in years_asked or () if y not in {int(t) for t in point.years}]
        if absent:  # asked for by the caller: a year no point has would give no rows, silently
            span = f"{int(point.years[0])}-{int(point.years[-1])}"
            x = Issue("years", "not a year of the scenario", f"years in {span}", absent[0])
            label = ", ".join(f"{a.path}={a.texts[j]}" for a, j in zip(axes, combo, strict=True))
            issues.setdefault((x.path, x.problem, x.expected, repr(x.got), x.line), [x]).append(
                f"sweep point {i}: {label}")
        if len(built) < KEEP_BUILT:
            built.append(point)
    if validate_progress is not None:
        validate_progress(points, points)
    if issues:
        found = []
        for x, *where in issues.values():
            more = f"; and {len(where) - 1} more point{'s' if len(where) > 2 else ''}" if len(where) > 1 else ""
            found.append(Issue(x.path, f"{x.problem} ({where[0]}{more})", x.expected,
                               *(() if x.expected is None else (x.got,)), line=x.line, hint=x.hint, source=x.source))
        raise ScenarioError(scenario.source, found)

    build_s = (time.perf_counter() - t_valid) / max(points, 1)  # what a worker pays again per point

    def tasks():
        for i, combo in enumerate(combos()):
            yield PointTask(recipe_at(combo), n, seed_at(i), design, chunk_size, keep, years)

    # Rows are made as results arrive, in point order: only points finished ahead of an
    # earlier one wait in `pending` (a few per worker), never the whole grid.
    rows: list[dict] = []
    checks: list[dict] = []
    pending: dict[int, tuple] = {}
    order = enumerate(combos())
    waiting = [next(order, None)]  # the next point to make rows of
    done = [0]

    def on_result(i: int, result) -> None:
        pending[i] = result
        done[0] += 1
        while waiting[0] is not None and waiting[0][0] in pending:
            k, combo = waiting[0]
            n_i, point_rows, point_checks = pending.pop(k)
            index = {a.path: a.values[j] for a, j in zip(axes, combo, strict=True)}
            head = {"point": k, **index, "seed": seed_at(k), "n": n_i}
            rows.extend({**head, **r} for r in point_rows)
            checks.extend({"point": k, **index, **c} for c in point_checks)
            waiting[0] = next(order, None)
        if progress is not None:
            progress(done[0], points)

    t0 = time.perf_counter()
    if scheduler is not None:
        execute(run_point, tasks(), on_result, workers=workers, scheduler=scheduler)
    else:
        # in-process, unless the grid is big enough and the first point, timed here, says a pool pays
        stream = tasks()
        pool = workers is not None and int(workers) > 1 and points > 1 and \
            points * work_of(scenario, n_run) >= parallel.MIN_PARALLEL_WORK
        for i, task in enumerate(stream):
            point = built[i] if i < len(built) else build(task.recipe)
            on_result(i, run_point_scenario(point, task))
            if pool and i == 0:
                if parallel.pool_pays((time.perf_counter() - t0) * (points - 1), int(workers), 0.0,
                                      worker_extra_s=build_s * (points - 1)):
                    execute(run_point, stream, lambda k, result: on_result(k + 1, result), workers=workers)
                    break
                pool = False
    meta = {"scenario": scenario.name, "source": scenario.source, "seed": root_seed, "same_seed": not independent,
            "independent_seeds": independent, "points": points, "design": design or scenario.sampling,
            "axes": {a.path: list(a.values) for a in axes}, "wall_time_s": round(time.perf_counter() - t0, 4)}
    return SweepTable(tuple(axes), tuple(rows), tuple(checks), meta)
