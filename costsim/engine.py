"""Run a scenario: budget -> sample -> evaluate the model graph in chunks -> check outputs -> Results.

Evaluation is vectorized over samples and chunked (:mod:`costsim.kernel`), so memory stays
bounded by the kept outputs, and results are identical whatever the chunk size or the executor.
An in-process ``mc`` run draws its parameters chunk by chunk as it evaluates them
(:class:`costsim.sampling.RowDraws`: the same numbers as drawing them whole, up front, which
the other designs and the executors do), so only the draws the Results keep fill memory. Work leaves the process only through :mod:`costsim.parallel`,
which is imported only then.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from costsim import __version__
from costsim.errors import Issue, ModelError, ScenarioError  # noqa: F401 (ModelError: engine.ModelError)
from costsim.kernel import default_chunk, evaluate_values  # noqa: F401 (re-exported: the engine's public API)
from costsim.results import Results
from costsim.sampling import RowDraws, draw, draws_by_rows
from costsim.scenario import Scenario, load_scenario
from costsim.store import atomic_folder

ProgressFn = Callable[[int, int], None]


def check_memory(scenario: Scenario, n: int, keep: tuple[str, ...], *, design: str | None = None,
                 chunk_size: int | None = None, kept_years: int | None = None, row_draws: bool = False,
                 kept_params: int | None = None, extra_floats: int = 0, threads: int = 1) -> None:
    """Refuse, before it starts, a run whose peak memory would not fit (see :mod:`costsim.budget`)."""
    from costsim import budget

    budget.check_run(scenario, n, keep, design=design, chunk_size=chunk_size, kept_years=kept_years,
                     row_draws=row_draws, kept_params=kept_params, extra_floats=extra_floats, threads=threads)


def kept_year_index(scenario: Scenario, keep_years) -> np.ndarray | None:
    """Indices of the years a run keeps (``run(keep_years=...)``).

    None (every year) when ``keep_years`` is None or covers every year, or when a check without
    ``year:`` reads an output over the years: whether that output is the same in every year (so
    the check may omit the year) is judged on all of them. A check's year outside these is kept
    for its output only (:func:`check_year_index`).
    """
    if keep_years is None:
        return None
    years = [int(y) for y in scenario.years]
    wanted = set()
    for y in keep_years:
        if isinstance(y, bool) or not isinstance(y, (int, float, np.integer, np.floating)) or float(y) not in years:
            raise ScenarioError(scenario.source, [Issue("keep_years", "not a year of the scenario",
                                                        f"years in {years[0]}..{years[-1]}", y)])
        wanted.add(int(y))
    from costsim.kernel import output_axes

    axes = output_axes(scenario)
    for check in scenario.checks:
        if check.year is None and "year" in (axes.get(check.output) or ()):
            return None
    index = np.array([i for i, y in enumerate(years) if y in wanted], dtype=np.intp)
    return None if len(index) == len(years) else index


def check_year_index(scenario: Scenario, year_index: np.ndarray | None) -> dict[str, np.ndarray]:
    """``{output: indices of years}`` a check reads that ``year_index`` does not keep.

    Those columns are kept apart, for that output only (one check year of one output costs a
    column, not a column of every output), and the check is evaluated on them: the same
    column of numbers, so the same verdict.
    """
    if year_index is None:
        return {}
    from costsim.kernel import output_axes

    axes = output_axes(scenario)
    years = [int(y) for y in scenario.years]
    kept = {years[i] for i in year_index}
    extra: dict[str, set[int]] = {}
    for check in scenario.checks:
        if check.year is not None and int(check.year) not in kept and "year" in (axes.get(check.output) or ()):
            extra.setdefault(check.output, set()).add(int(check.year))
    return {name: np.array([i for i, y in enumerate(years) if y in ys], dtype=np.intp) for name, ys in extra.items()}


def as_scenario(scenario: Scenario | str | Path | dict, overrides: list[str] | tuple[str, ...] = (), *,
                plugins: tuple[str, ...] | list[str] = ()) -> Scenario:
    """A Scenario from a Scenario, a file path, a mapping (the parsed YAML) or YAML text.

    A string is a path when it names an existing file or has no line break and ends in
    ``.yaml``/``.yml``; otherwise it is read as YAML text. ``overrides`` (``--set``) apply to
    all but a Scenario, which is already built.
    """
    from costsim.scenario import scenario_from_text

    if isinstance(scenario, Scenario):
        if overrides:
            from costsim.recipe import build, recipe_of

            return build(recipe_of(scenario).with_overrides(overrides))
        return scenario
    if isinstance(scenario, dict):
        from costsim.yamlio import dump_yaml

        return scenario_from_text(dump_yaml(scenario), "<dict>", tuple(overrides), plugins=plugins)
    if isinstance(scenario, Path):
        return load_scenario(scenario, overrides, plugins=plugins)
    if isinstance(scenario, str):
        looks_like_path = "\n" not in scenario and (scenario.endswith((".yaml", ".yml")) or ":" not in scenario)
        if looks_like_path or os.path.isfile(scenario):
            return load_scenario(scenario, overrides, plugins=plugins)
        return scenario_from_text(scenario, "<string>", tuple(overrides), plugins=plugins)
    raise TypeError(f"run() takes a Scenario, a path, a dict or YAML text; got {type(scenario).__name__}")


def run(scenario: Scenario | str | Path | dict, n: int | None = None, seed: int | None = None, *,
        overrides: list[str] | tuple[str, ...] = (), design: str | None = None, chunk_size: int | None = None,
        keep: tuple[str, ...] | None = None, progress: ProgressFn | None = None,
        workers: int | None = None, scheduler: object | None = None,
        plugins: tuple[str, ...] | list[str] = (), keep_years=None, threads: int | None = None,
        keep_params=None) -> Results:
    """Run a scenario and return its Results.

    Parameters
    ----------
    scenario : Scenario, path, dict or str
        A built Scenario, a scenario file, the parsed YAML as a mapping, or YAML text (see
        :func:`as_scenario`).
    n, seed, design : optional
        Samples, root seed and sampling design (default: the scenario's).
    overrides : ``--set`` assignments, optional
    chunk_size, keep, progress :
        Samples per evaluated chunk; outputs to keep (default: the scenario's, plus what its
        checks test); ``progress(done, total)``.
    workers, scheduler :
        ``workers=N`` evaluates the chunks in N local processes (in this process when the run is
        too small to gain from it; on Linux, N forked processes that fill shared arrays, at most
        one per core, when no other thread runs here), ``scheduler`` (a Dask address or ``distributed.Client``) on
        a Dask cluster (see :mod:`costsim.parallel`). The draws are made here, up front, so the
        Results are identical however the work is split (in this process, ``mc`` draws are made
        chunk by chunk: the same numbers).
    plugins : plugin files to load first (for a path, a dict or text).
    keep_years : years, optional
        Keep outputs over the years only at these years: the Results' ``years`` are those years,
        their numbers the same as a full run's; a check's year among the others is kept for the
        check's output only, apart, and the check evaluated on it (the same verdict). For a run
        whose samples are only summarised at a few years (``costsim run`` without ``-o``): its
        memory and time of storing the outputs shrink in proportion. Default: every year.
    threads : int, optional
        An in-process run evaluates its chunks in this many lanes: on Linux, forked processes
        that fill shared arrays (when no other Python thread runs here and ``COSTSIM_FORK`` is not
        ``0``), else threads (NumPy releases the GIL in its loops, but the models' small steps
        hold it); default ``COSTSIM_THREADS``, else the cores the load average leaves idle, at
        most 2. The Results are the same, bit for bit, whatever the number.
    keep_params : parameter names, optional
        Keep the draws of only these uncertain parameters in the Results' ``params`` (``()``:
        none; ``costsim run`` without ``-o``, which only prints outputs and checks). Default:
        every one. Outputs and checks are the same; an in-process ``mc`` run then never holds
        the other draws, whole.

    >>> from costsim.engine import run
    >>> res = run("scenarios/reference_r1.yaml", n=1000, seed=1)  # doctest: +SKIP
    """
    scenario = as_scenario(scenario, overrides, plugins=plugins)
    from costsim.progress import as_progress  # progress=True: a tqdm.auto bar; False/None: none

    progress = as_progress(progress, scenario.name)
    n = int(scenario.samples if n is None else n)
    seed = int(scenario.seed if seed is None else seed)
    design = design or scenario.sampling
    keep = tuple(scenario.outputs if keep is None else keep)
    keep += tuple(dict.fromkeys(c.output for c in scenario.checks if c.output not in keep))  # checks need them
    if n < 1:
        raise ScenarioError(scenario.source, [Issue("samples", "must be at least 1", ">= 1", n)])
    year_index = kept_year_index(scenario, keep_years)
    check_index = {k: v for k, v in check_year_index(scenario, year_index).items() if k in keep}
    if keep_params is not None:
        keep_params = tuple(str(k) for k in keep_params)
        unknown = [k for k in keep_params if k not in scenario.uncertain]
        if unknown:
            raise ScenarioError(scenario.source, [Issue("keep_params", "not an uncertain parameter of the scenario",
                                                        "names of uncertain parameters", unknown[0])])
    executors = scheduler is not None or (workers is not None and int(workers) != 1)
    if executors and scheduler is None and threads is None and int(workers) > 1:
        from costsim.kernel import fork_allowed, lanes_for_workers
        from costsim.parallel import check_workers

        check_workers(workers)
        if fork_allowed():  # local workers: forked processes share this one's draws and outputs (no pipes)
            executors, threads = False, lanes_for_workers(int(workers))
    row_draws = not executors and draws_by_rows(design)
    from costsim.budget import kept_floats

    extra_floats = sum(kept_floats(scenario, (k,), kept_years=len(v)) for k, v in check_index.items())
    if not executors:
        from costsim.kernel import lanes_for

        threads = lanes_for(scenario, n) if threads is None else int(threads)
    check_memory(scenario, n, keep, design=design, chunk_size=chunk_size,
                 kept_years=None if year_index is None else len(year_index), row_draws=row_draws,
                 kept_params=None if keep_params is None else len(keep_params), extra_floats=extra_floats,
                 threads=1 if executors else threads)
    t0 = time.perf_counter()
    if executors:
        from costsim.parallel import evaluate

        values, clipped = draw(scenario, n, seed, design)
        check_outputs = {}

        outputs, axes = evaluate(scenario, values, n, keep=keep, chunk_size=chunk_size, progress=progress,
                                 workers=workers, scheduler=scheduler)
        if year_index is not None:  # the executors keep every year; the kept years' columns, copied
            check_outputs = {k: np.ascontiguousarray(outputs[k][:, idx]) for k, idx in check_index.items()}
            outputs = {k: (np.ascontiguousarray(v[:, year_index]) if axes[k] and axes[k][0] == "year" else v)
                       for k, v in outputs.items()}
        if keep_params is not None:
            values = {k: v for k, v in values.items() if k in keep_params}
    else:
        draws = RowDraws(scenario, n, seed, design, keep=keep_params)
        check_outputs = {}
        outputs, axes = evaluate_values(scenario, draws, n, keep=keep, chunk_size=chunk_size, progress=progress,
                                        year_index=year_index, threads=threads,
                                        check_years=check_index, check_outputs=check_outputs)
        values, clipped = draws.kept, draws.clipped
        del draws
    wall = time.perf_counter() - t0
    meta = manifest(scenario, n=n, seed=seed, design=design, wall_time_s=wall, clipped=clipped)
    years = scenario.years.copy() if year_index is None else scenario.years[year_index].copy()
    if year_index is not None:
        meta["kept_years"] = [int(y) for y in years]
    if keep_params is not None:
        meta["kept_params"] = list(values)
    results = Results(years, values, outputs, axes, scenario.blocs, meta)
    _require_check_years(scenario, results)
    checks = []
    for c in scenario.checks:
        on = results
        if c.output in check_outputs and c.year is not None and int(c.year) not in set(int(y) for y in years):
            # a check's year the Results do not keep: its output's own columns (the same numbers)
            on = Results(scenario.years[check_index[c.output]].copy(), {}, {c.output: check_outputs[c.output]},
                         {c.output: axes[c.output]}, scenario.blocs, meta)
        checks.append(on.evaluate_check(c))
    checks = tuple(checks)
    return Results(results.years, values, outputs, axes, scenario.blocs, meta, checks, results.stats_cache)


def _require_check_years(scenario: Scenario, results: Results) -> None:
    """A check without ``year:`` on an output that changes with the year is refused (a formula's axes are
    known only now; models' outputs were refused at validation)."""
    issues = []
    for i, check in enumerate(scenario.checks):
        if check.year is None and "year" in results.axes_of(check.output):
            try:
                results.at_year(check.output, None)
            except ValueError:
                issues.append(Issue(f"checks[{i}].year", f"required: output {check.output!r} changes with the year",
                                    f"year: a whole year in {int(results.years[0])}..{int(results.years[-1])}",
                                    None, check.line))
    if issues:
        raise ScenarioError(scenario.source, issues)


def versions() -> dict[str, str]:
    import scipy

    return {"costsim": __version__, "numpy": np.__version__, "scipy": scipy.__version__,
            "python": platform.python_version()}


def manifest(scenario: Scenario, *, n: int, seed: int, design: str, wall_time_s: float,
             clipped: dict[str, int] | None = None) -> dict:
    """Provenance of a run: enough to reproduce it byte for byte (see ``costsim rerun``)."""
    return {
        "costsim_version": __version__,
        "scenario": scenario.name,
        "description": scenario.description,
        "source": scenario.source,
        "scenario_sha256": scenario.text_hash,
        "files": [{"path": p, "text": t} for p, t in scenario.texts],
        "extends_chain": [p for p, _ in scenario.texts],
        "overrides": list(scenario.overrides),
        "plugins": list(scenario.plugins),
        "seed": seed,
        "n": n,
        "design": design,
        "years": [int(y) for y in scenario.years],
        "versions": versions(),
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "wall_time_s": round(wall_time_s, 4),
        "clipped_samples": clipped or {},
        "params": {name: {"dist": p.dist.describe(), "kind": p.dist.kind, "source": p.source, "note": p.note}
                   for name, p in scenario.params.items()},
    }


def save_results(results: Results, folder: str | Path, *, force: bool = False, swap: str = "auto") -> Path:
    """Write ``summary.csv``, ``samples.npz`` and ``manifest.json`` atomically into ``folder``.

    Each file's write is a stage observers see (:func:`costsim.store.observe_writes`); ``swap``
    as in :func:`costsim.store.atomic_folder`.
    """
    from costsim.store import stage

    folder = Path(folder)
    with atomic_folder(folder, force, swap=swap) as tmp:
        stage("summary.csv", tmp / "summary.csv")
        (tmp / "summary.csv").write_text(results.summary_csv(), encoding="utf-8")
        stage("samples.npz", tmp / "samples.npz")
        np.savez(tmp / "samples.npz", **results.arrays())
        meta = dict(results.meta)
        meta.update(results.manifest_extra())
        stage("manifest.json", tmp / "manifest.json")
        (tmp / "manifest.json").write_text(json.dumps(meta, indent=1, default=float), encoding="utf-8")
    return folder


def rerun(folder: str | Path, n: int | None = None, seed: int | None = None, *,
          plugins: tuple[str, ...] | list[str] = ()) -> Results:
    """Reproduce a saved run from its manifest's stored scenario texts, overrides, seed and n.

    A manifest names the plugin files the run used, but costsim never loads code because a file
    says so: each must also be given in ``plugins`` (``costsim rerun DIR --plugin FILE.py``).
    """
    folder = Path(folder)

    def bad(problem: str, got: object = None) -> ScenarioError:
        return ScenarioError(str(folder), [Issue("manifest.json", problem, "a results folder written by costsim run -o",
                                                 got)])

    try:
        meta = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise bad("cannot read the run's manifest", str(exc)) from None
    try:
        files = {f["path"]: f["text"] for f in meta.get("files", [])}
        chain = [str(p) for p in meta["extends_chain"]]
        overrides = [str(o) for o in meta.get("overrides", [])]
        used = [str(p) for p in meta.get("plugins", [])]
        stored_n, stored_seed, design = int(meta["n"]), int(meta["seed"]), meta.get("design")
        if not files or not chain or not all(isinstance(t, str) for t in files.values()):
            raise ValueError("no scenario text")
        if stored_n < 1 or stored_seed < 0 or design not in (None, "mc", "lhs", "sobol"):
            raise ValueError(f"n={stored_n}, seed={stored_seed}, design={design!r}")
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise bad("manifest is incomplete or damaged", f"{type(exc).__name__}: {exc}") from None
    allowed = {Path(p).resolve() for p in plugins}
    missing = [p for p in used if Path(p).resolve() not in allowed]
    if missing:
        raise ScenarioError(str(folder), [Issue(
            "manifest.json", "the run used plugin code, which costsim loads only when asked",
            "--plugin for each plugin file",
            hint="Read the files, then: costsim rerun " + str(folder) + "".join(f" --plugin {p}" for p in missing))])
    from costsim.recipe import Recipe, build

    # the same rebuild as a worker's: the stored texts of the extends chain, the overrides, the plugins
    texts = tuple((p, files[p]) for p in chain if p in files)
    if len(texts) != len(chain):
        raise bad("manifest is incomplete or damaged", "a file of extends_chain has no stored text")
    recipe = Recipe(texts, tuple(overrides), str(meta.get("source", chain[-1])), os.getcwd(),
                    tuple(str(Path(p).resolve()) for p in used))
    scenario = build(recipe)
    return run(scenario, n=stored_n if n is None else n, seed=stored_seed if seed is None else seed,
               design=design)
