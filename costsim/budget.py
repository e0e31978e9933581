"""One resource budget: estimate a job's peak memory before allocating, and refuse what cannot fit.

The estimate counts what is alive at the peak: the draws (kept in the Results; a run that draws
its rows chunk by chunk holds only the kept parameters' whole columns), the transient uniforms
and inverse-CDF temporaries of sampling (whole, or a chunk's), the kept outputs, the per-chunk temporaries of
evaluation and the copies the statistics take, times the number of worker processes that hold
them at once. It is compared with the smallest of

* ``COSTSIM_MAX_MEMORY_GB`` (when set: the user knows better),
* the memory available now (``MemAvailable``, less a 20% margin for everything else),
* the address-space limit (``RLIMIT_AS``, ``ulimit -v``) less what the process already maps,
* the cgroup's ``memory.max`` less its ``memory.current`` (containers, systemd slices),

and a job that does not fit is refused with exit 2 (a ScenarioError) naming the limit, the
estimate and a sample count or chunk size that fits, before anything is drawn.
"""

from __future__ import annotations

import math
import os
import resource
from dataclasses import dataclass, field
from pathlib import Path

from costsim.errors import Issue, ScenarioError

MEMORY_ENV = "COSTSIM_MAX_MEMORY_GB"
AVAILABLE_SHARE = 0.8  # of MemAvailable: the rest is for the page cache, other processes, the interpreter
BYTES = 8  # float64


def size_text(nbytes: float) -> str:
    """``5.7 GiB`` or ``120.0 MiB``: a memory size as the refusals print it."""
    if nbytes >= 2**30:
        return f"{nbytes / 2**30:.1f} GiB"
    return f"{nbytes / 2**20:.1f} MiB"


def _env_limit() -> float | None:
    env = os.environ.get(MEMORY_ENV)
    if not env:
        return None
    try:
        gib = float(env)
    except ValueError:
        gib = float("nan")
    if not gib > 0 or gib == float("inf"):
        raise ScenarioError("environment", [Issue(MEMORY_ENV, "must be a positive number of GiB", "e.g. 16", env)])
    return gib * 2**30


def _meminfo() -> float | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return AVAILABLE_SHARE * int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _mapped_bytes() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


def _address_space() -> float | None:
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or soft < 0:
        return None
    return max(float(soft) - _mapped_bytes(), 0.0)


def _cgroup_file(name: str) -> Path | None:
    try:
        text = Path("/proc/self/cgroup").read_text(encoding="ascii")
    except OSError:
        return None
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3 and parts[0] == "0" and parts[1] == "":  # cgroup v2
            path = Path("/sys/fs/cgroup") / parts[2].lstrip("/") / name
            return path if path.is_file() else (Path("/sys/fs/cgroup") / name)
    return None


def _cgroup() -> float | None:
    limit_file = _cgroup_file("memory.max")
    if limit_file is None:
        return None
    try:
        text = limit_file.read_text(encoding="ascii").strip()
        if text == "max":
            return None
        limit = float(int(text))
    except (OSError, ValueError):
        return None
    try:
        used = float(int(limit_file.with_name("memory.current").read_text(encoding="ascii").strip()))
    except (OSError, ValueError):
        used = 0.0
    return max(limit - used, 0.0)


def limits() -> list[tuple[str, float]]:
    """Every memory limit that applies now: ``[(what it is, bytes left under it)]``."""
    env = _env_limit()
    if env is not None:
        return [(f"set by {MEMORY_ENV}", env)]
    found = []
    for label, value in (("available memory (80% of MemAvailable)", _meminfo()),
                         ("left under the address-space limit (ulimit -v)", _address_space()),
                         ("left under the cgroup's memory.max", _cgroup())):
        if value is not None:
            found.append((label, value))
    return found or [("assumed available (no limit could be read)", 8.0 * 2**30)]


def available() -> tuple[str, float]:
    """The tightest limit: ``(what it is, bytes)``."""
    return min(limits(), key=lambda item: item[1])


# ----------------------------------------------------------------------------------- estimates
@dataclass(frozen=True)
class Estimate:
    """Peak memory of a job: bytes per row (a sample, a design row) times rows, plus fixed bytes.

    ``parts`` names what makes up the peak (bytes at ``rows``); ``work`` counts evaluations of
    one year (rows x years x points).
    """

    rows: int
    per_row: float
    fixed: float
    parts: dict[str, float] = field(default_factory=dict)
    work: float = 0.0
    chunk_per_row: float = 0.0  # per-chunk temporaries per row, when a job is smaller than one chunk

    @property
    def peak(self) -> float:
        return self.per_row * self.rows + self.fixed

    def rows_that_fit(self, have: float) -> int:
        """The most rows that fit in ``have`` bytes (chunks shrink with the job: then so do temporaries)."""
        if self.per_row <= 0:
            return self.rows
        big = (have - self.fixed) / self.per_row
        small = have / (self.per_row + self.chunk_per_row) if self.chunk_per_row else 0.0
        return max(int(max(big, small)), 0)


def kept_floats(scenario, keep, *, kept_years: int | None = None) -> int:
    """Floats per sample of the kept outputs (their declared axes; ``kept_years`` of the years, default all)."""
    from costsim.kernel import output_axes

    axes = output_axes(scenario)
    t, b = len(scenario.years) if kept_years is None else kept_years, max(len(scenario.blocs), 1)
    size = 0
    for name in keep:
        ax = axes.get(name) or ()
        size += (t if "year" in ax else 1) * (b if "bloc" in ax else 1)
    return size


def estimate(scenario, rows: int, keep, *, design: str | None = None, chunk_size: int | None = None,
             copies: int = 1, analysis_floats: float = 0.0, design_floats: float = 0.0, points: int = 1,
             fixed: float = 0.0, kept_years: int | None = None, row_draws: bool = False,
             kept_params: int | None = None, extra_floats: float = 0.0, threads: int = 1) -> Estimate:
    """Peak memory of evaluating ``rows`` samples of a scenario (``copies`` at once, e.g. workers).

    ``threads``: chunks evaluated at once in the process. The default chunk is shared by the
    threads (:func:`costsim.kernel.evaluate_block` splits it), so only a given ``chunk_size``
    counts its temporaries once per thread (and once for the chunk being stored).

    ``kept_years``: outputs are kept at this many of the years (``run(keep_years=...)``; default all).
    ``row_draws``: the draws are made chunk by chunk during evaluation (an in-process ``mc`` run,
    :class:`costsim.sampling.RowDraws`): only ``kept_params`` (default: every uncertain one)
    columns are held whole, and the sampling temporaries are a chunk's. ``extra_floats``: floats
    per row kept besides ``keep`` at ``kept_years`` (a check's own columns).
    ``analysis_floats``: floats per row an analysis holds besides the kept outputs (Sobol'
    estimators); ``design_floats``: floats per row of a design matrix built before the draws.
    """
    from costsim.kernel import TEMPORARIES_PER_SAMPLE, default_chunk

    design = design or scenario.sampling
    d = len(scenario.uncertain)
    t, b = len(scenario.years), max(len(scenario.blocs), 1)
    kept = kept_floats(scenario, keep, kept_years=kept_years) + extra_floats
    largest = max((kept_floats(scenario, (name,), kept_years=kept_years) for name in keep), default=0)
    # mc/lhs without correlations transform one column at a time (about 3 columns alive);
    # a joint design (sobol, a copula) holds u, z and the correlated z of every parameter
    joint = design == "sobol" or bool(scenario.correlations)
    draw_tmp = 3.0 * d if joint else (3.0 if d else 0.0)
    # the statistics gather up to 64 MiB of an output's columns at once (see Results._fill_stats),
    # then a column's deviations: one column plus the gathered ones
    stats_tmp = 3.0
    gathered = min(BYTES * largest * rows, 64.0 * 2**20) if largest > 1 else 0.0
    chunk = min(int(chunk_size or default_chunk(scenario)), max(rows, 1))
    held, row_tmp, chunk_draws = d, max(draw_tmp, stats_tmp), 0.0  # drawn whole: every column, up front
    if row_draws:  # only the kept columns whole; the draws of the chunks in flight (a thread's and the next)
        held = d if kept_params is None else min(int(kept_params), d)
        row_tmp = stats_tmp
        from costsim.kernel import MAX_AUTO_THREADS

        chunk_draws = BYTES * chunk * (d + draw_tmp) * (MAX_AUTO_THREADS + 1)
    per_row = BYTES * (held + kept + analysis_floats + design_floats + row_tmp)
    names = sum(len(node.outputs) for node in scenario.nodes)
    in_flight = int(threads) + 1 if chunk_size and int(threads) > 1 else 1
    chunk_bytes = BYTES * chunk * t * b * (names + TEMPORARIES_PER_SAMPLE) * in_flight + chunk_draws
    chunk_bytes = max(chunk_bytes, gathered)
    parts = {"draws": BYTES * held * rows, "kept outputs": BYTES * kept * rows,
             "temporaries": BYTES * row_tmp * rows + chunk_bytes}
    if analysis_floats or design_floats:
        parts["analysis"] = BYTES * (analysis_floats + design_floats) * rows
    if copies > 1:
        parts = {k: v * copies for k, v in parts.items()}
    if fixed:
        parts["tables"] = fixed
    return Estimate(int(rows), per_row * copies, chunk_bytes * copies + fixed, parts,
                    float(rows) * t * max(points, 1), BYTES * t * b * (names + TEMPORARIES_PER_SAMPLE) * copies)


def check(scenario, est: Estimate, *, what: str = "the run", path: str = "samples", flag: str = "-n",
          got: object = None, per_unit: int = 1, unit: str = "samples", power_of_two: bool = False,
          fixed_hint: str | None = None) -> None:
    """Refuse, before it starts, a job whose estimated peak memory exceeds the tightest limit.

    The hint names the largest ``flag`` value that fits: rows that fit divided by ``per_unit``
    rows per unit (a Sobol' base row makes ``d + 2`` rows), rounded down to a power of two where
    the option wants one. Where fewer ``unit`` would not help (the fixed part alone, a sweep's
    result tables, does not fit, or no fewer rows fit than were asked for), the hint is
    ``fixed_hint``.
    """
    label, have = available()
    if est.peak <= have:
        return
    fit = est.rows_that_fit(have) // max(per_unit, 1)
    if power_of_two and fit >= 1:
        fit = 1 << (fit.bit_length() - 1)
    detail = ", ".join(f"{k} {size_text(v)}" for k, v in est.parts.items() if v > 0)
    if fixed_hint is not None and (est.fixed >= have or fit >= est.rows // max(per_unit, 1)):
        hint = fixed_hint
    elif fit >= 1:
        hint = (f"Use fewer {unit} ({flag} {fit:,} fits), keep fewer outputs (outputs:), or fewer years; "
                f"or set {MEMORY_ENV} if you know better.")
    else:
        hint = f"Even one sample does not fit: free memory, raise the limit, or set {MEMORY_ENV} if you know better."
    raise ScenarioError(scenario.source, [Issue(
        path, f"{what} would need about {size_text(est.peak)} at its peak ({detail})",
        f"at most about {size_text(have)} ({label})", est.rows if got is None else got, hint=hint)])


def check_run(scenario, n: int, keep, *, design: str | None = None, chunk_size: int | None = None,
              copies: int = 1, kept_years: int | None = None, row_draws: bool = False,
              kept_params: int | None = None, extra_floats: float = 0.0, threads: int = 1) -> Estimate:
    """Estimate and check the peak memory of a run of ``n`` samples (see :func:`check`)."""
    est = estimate(scenario, n, keep, design=design, chunk_size=chunk_size, copies=copies, kept_years=kept_years,
                   row_draws=row_draws, kept_params=kept_params, extra_floats=extra_floats, threads=threads)
    check(scenario, est)
    return est


def workers_that_fit(per_worker: float, workers: int) -> int:
    """How many of ``workers`` processes each needing ``per_worker`` bytes fit under the tightest limit."""
    _, have = available()
    return max(1, min(workers, int(have // max(per_worker, 1.0)))) if math.isfinite(have) else workers
