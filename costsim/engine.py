"""Run a scenario: sample -> evaluate the model graph in chunks -> check outputs -> Results.

Evaluation is vectorized over samples and chunked, so memory stays bounded by the kept
outputs, and results are identical whatever the chunk size (all draws are made up front).
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
from costsim.errors import Issue, ModelError, ScenarioError
from costsim.graph import BadValues, evaluate
from costsim.results import Results
from costsim.sampling import draw
from costsim.scenario import Scenario, load_scenario
from costsim.store import atomic_folder

DEFAULT_CHUNK_BYTES = 16 * 2**20  # ~2 MiB per (chunk, T) array: stays in cache; measured 20% faster than 64 MiB on R1
ProgressFn = Callable[[int, int], None]


def default_chunk(scenario: Scenario) -> int:
    """Samples per chunk: about 16 MiB of live (chunk, T) float64 temporaries per 8 arrays."""
    per_sample = 8 * len(scenario.years) * max(len(scenario.blocs), 1) * 8
    return int(max(1024, min(1 << 20, DEFAULT_CHUNK_BYTES // per_sample)))


def _available_bytes() -> float:
    env = os.environ.get("COSTSIM_MAX_MEMORY_GB")
    if env:
        try:
            gib = float(env)
        except ValueError:
            gib = float("nan")
        if not gib > 0 or gib == float("inf"):
            raise ScenarioError("environment", [Issue("COSTSIM_MAX_MEMORY_GB", "must be a positive number of GiB",
                                                      "e.g. 16", env)])
        return gib * 2**30
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return 0.8 * int(line.split()[1]) * 1024
    except OSError:
        pass
    return 8 * 2**30


def _per_sample_floats(scenario: Scenario, keep: tuple[str, ...]) -> int:
    axes = scenario.output_axes()
    t, b = len(scenario.years), len(scenario.blocs)
    size = len(scenario.uncertain)
    for name in keep:
        ax = axes.get(name) or ("year",)
        size += (t if "year" in ax else 1) * (b if "bloc" in ax else 1)
    return size


def _size(nbytes: float) -> str:
    return f"{nbytes / 2**30:.1f} GiB" if nbytes >= 2**30 else f"{nbytes / 2**20:.1f} MiB"


def check_memory(scenario: Scenario, n: int, keep: tuple[str, ...]) -> None:
    """Refuse, before it starts, a run whose kept arrays would not fit in memory."""
    need = 8.0 * n * _per_sample_floats(scenario, keep)
    have = _available_bytes()
    if need > have:
        fit = int(have / (8.0 * _per_sample_floats(scenario, keep)))
        raise ScenarioError(scenario.source, [Issue(
            "samples", f"the run would need about {_size(need)} for its arrays",
            f"at most about {_size(have)} available", n,
            hint=f"Use fewer samples (-n {fit:,} fits), keep fewer outputs (outputs:), or fewer years; "
                 "or set COSTSIM_MAX_MEMORY_GB if you know better.")])


def _target_shape(axes: tuple[str, ...], m: int, t: int, b: int) -> tuple[int, ...]:
    return (m,) + tuple(t if a == "year" else b for a in axes)


def _infer_axes(value: np.ndarray) -> tuple[str, ...]:
    if value.ndim >= 3:
        return ("year", "bloc")
    return ("year",)


def _store(out: np.ndarray, value, axes, a: int, b_: int) -> None:
    value = np.asarray(value, dtype=float)
    if axes == () and value.ndim == 2 and value.shape[1] == 1:
        value = value[:, 0]
    if axes == ("bloc",) and value.ndim == 3 and value.shape[1] == 1:
        value = value[:, 0, :]
    out[a:b_] = value


def evaluate_values(scenario: Scenario, values: dict[str, np.ndarray], n: int, *,
                    keep: tuple[str, ...] | None = None, chunk_size: int | None = None,
                    progress: ProgressFn | None = None) -> tuple[dict[str, np.ndarray], dict[str, tuple]]:
    """Evaluate the scenario's graph on given parameter values ``{name: (n,)}``.

    Returns (outputs, axes) for the kept outputs. Raises ModelError when any model output is
    non-finite, with counts and the first bad sample's inputs.
    """
    keep = tuple(scenario.outputs if keep is None else keep)
    chunk = int(chunk_size or default_chunk(scenario))
    years_row = scenario.years[None, :]
    t, nb = len(scenario.years), len(scenario.blocs)
    declared = scenario.output_axes()
    constants = scenario.constants
    outputs: dict[str, np.ndarray] = {}
    axes: dict[str, tuple] = {}
    bad: dict[str, BadValues] = {}
    for a in range(0, n, chunk):
        b_ = min(n, a + chunk)
        env: dict[str, object] = dict(constants)
        env["year"] = years_row
        for name, arr in values.items():
            env[name] = arr[a:b_, None]
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            # non-finite values are tallied and reported once below, not warned per chunk
            evaluate(list(scenario.nodes), env, offset=a, bad=bad)
        for name in keep:
            value = np.asarray(env[name], dtype=float)
            if name not in outputs:
                ax = declared.get(name)
                if ax is None:  # formulas: axes known only once evaluated
                    ax = _infer_axes(value)
                if ax == ("year", "bloc") and value.ndim == 3:
                    nb = value.shape[2]
                axes[name] = ax
                outputs[name] = np.empty(_target_shape(ax, n, t, nb))
            try:
                _store(outputs[name], value, axes[name], a, b_)
            except ValueError:
                raise ModelError(f"output {name!r} has shape {value.shape}; expected it to broadcast to "
                                 f"{_target_shape(axes[name], b_ - a, t, nb)} (axes: samples, "
                                 f"{', '.join(axes[name]) or 'none'})") from None
        if progress is not None:
            progress(b_, n)
    if bad:
        raise ModelError(_bad_message(scenario, bad, n))
    return outputs, axes


def _bad_message(scenario: Scenario, bad: dict[str, BadValues], n: int) -> str:
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


def run(scenario: Scenario | str | Path, n: int | None = None, seed: int | None = None, *,
        overrides: list[str] | tuple[str, ...] = (), design: str | None = None, chunk_size: int | None = None,
        keep: tuple[str, ...] | None = None, progress: ProgressFn | None = None,
        workers: int | None = None, scheduler: object | None = None) -> Results:
    """Run a scenario (a Scenario or a path) and return its Results.

    ``workers=N`` evaluates the chunks in N local processes and ``scheduler`` (a Dask scheduler
    address or a ``distributed.Client``) on a Dask cluster (see ``costsim.parallel``). The draws
    are made here, up front, so the Results are identical however the work is split.

    >>> from costsim.engine import run
    >>> res = run("scenarios/reference_r1.yaml", n=1000, seed=1)  # doctest: +SKIP
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides)
    from costsim.progress import as_progress  # progress=True: a tqdm.auto bar; False/None: none

    progress = as_progress(progress, scenario.name)
    n = int(scenario.samples if n is None else n)
    seed = int(scenario.seed if seed is None else seed)
    design = design or scenario.sampling
    keep = tuple(scenario.outputs if keep is None else keep)
    keep += tuple(dict.fromkeys(c.output for c in scenario.checks if c.output not in keep))  # checks need them
    if n < 1:
        raise ScenarioError(scenario.source, [Issue("samples", "must be at least 1", ">= 1", n)])
    check_memory(scenario, n, keep)
    t0 = time.perf_counter()
    values, clipped = draw(scenario, n, seed, design)
    if scheduler is not None or (workers is not None and int(workers) > 1):
        from costsim.parallel import evaluate_parallel

        outputs, axes = evaluate_parallel(scenario, values, n, keep=keep, chunk_size=chunk_size, progress=progress,
                                          workers=workers, scheduler=scheduler)
    else:
        outputs, axes = evaluate_values(scenario, values, n, keep=keep, chunk_size=chunk_size, progress=progress)
    wall = time.perf_counter() - t0
    meta = manifest(scenario, n=n, seed=seed, design=design, wall_time_s=wall, clipped=clipped)
    results = Results(scenario.years.copy(), values, outputs, axes, scenario.blocs, meta)
    checks = tuple(results.evaluate_check(c) for c in scenario.checks)
    return Results(results.years, values, outputs, axes, scenario.blocs, meta, checks)


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


def save_results(results: Results, folder: str | Path, *, force: bool = False) -> Path:
    """Write ``summary.csv``, ``samples.npz`` and ``manifest.json`` atomically into ``folder``."""
    folder = Path(folder)
    with atomic_folder(folder, force) as tmp:
        (tmp / "summary.csv").write_text(results.summary_csv(), encoding="utf-8")
        np.savez(tmp / "samples.npz", **results.arrays())
        meta = dict(results.meta)
        meta.update(results.manifest_extra())
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
    top = chain[-1]

    def reader(p: Path) -> str:
        key = str(p)
        if key in files:
            return files[key]
        resolved = str(p.resolve())
        if resolved in files:
            return files[resolved]
        raise KeyError(key)

    scenario = load_scenario(top, overrides, reader=reader, plugins=used, source=meta.get("source", top))
    return run(scenario, n=stored_n if n is None else n, seed=stored_seed if seed is None else seed,
               design=design)
