"""Uniform draws -> (copula) -> inverse CDF: one path for Monte Carlo, Latin hypercube and Sobol.

Seeding: the root seed becomes ``SeedSequence(seed)``. For ``mc`` and ``lhs`` each uncertain
parameter draws from its own stream, ``SeedSequence(seed, spawn_key=(key(name),))``, where
``key`` is a stable hash of the parameter's name. Adding, removing or editing one parameter
therefore never moves another's draws, and two versions of a scenario can be compared sample
by sample. ``sobol`` draws one scrambled Sobol' sequence over all uncertain dimensions (the
points are only low-discrepancy jointly), so it is keyed by the root seed and the ordered names.

The draws never depend on how evaluation is chunked or split across workers. A run's draws
may be made whole, up front (:func:`draw`), or rows ``a:b`` at a time during evaluation
(:class:`RowDraws`, what :func:`costsim.engine.run` uses): for ``mc`` each parameter's stream
is advanced to row ``a`` (PCG64 draws one 64-bit word per double), the copula and every inverse
CDF work row by row, so the rows are the same numbers, bit for bit, as the whole draw's. ``lhs``
(a permutation of all rows per parameter) and ``sobol`` (one sequence) are drawn whole and
handed out by rows.
"""

from __future__ import annotations

import hashlib
import math
import threading
import warnings

import numpy as np

from costsim.callers import warn
from costsim.distributions import OF_NORMAL, U_MAX, U_MIN, ndtri
from costsim.errors import CostsimWarning, Issue, ScenarioError
from costsim.scenario import Scenario

_EPS = U_MIN  # shifts [0, 1) draws into (0, 1) so the inverse CDF stays finite
# 1 - 2**-53 + 2**-54 rounds up to 1.0 (half to even), so the top is capped at U_MAX explicitly


def name_key(name: str) -> int:
    """A stable 64-bit key of a parameter name (independent of Python's hash seed)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


def param_rng(seed: int, name: str) -> np.random.Generator:
    """The generator of one parameter's own stream."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(name_key(name),)))


def _mc_one(seed: int, name: str, n: int) -> np.ndarray:
    u = param_rng(seed, name).random(n)
    u += _EPS
    np.minimum(u, U_MAX, out=u)
    return u


def _lhs_one(seed: int, name: str, n: int) -> np.ndarray:
    rng = param_rng(seed, name)
    u = rng.permutation(n).astype(float)
    u += rng.random(n)
    u /= n
    np.clip(u, _EPS, U_MAX, out=u)
    return u


def _mc(seed: int, names: list[str], n: int) -> dict[str, np.ndarray]:
    return {name: _mc_one(seed, name, n) for name in names}


def _lhs(seed: int, names: list[str], n: int) -> dict[str, np.ndarray]:
    return {name: _lhs_one(seed, name, n) for name in names}


ONE_STREAM = {"mc": _mc_one, "lhs": _lhs_one}  # designs whose columns are drawn one parameter at a time


def sobol_points(seed: int, names: list[str], n: int, *, skip_warning: bool = False) -> np.ndarray:
    """Scrambled Sobol' points ``(n, d)`` in (0, 1), seeded by the root seed and the names."""
    from scipy.stats import qmc

    key = np.random.SeedSequence(seed, spawn_key=(name_key("\x1f".join(names)),))
    rng = np.random.default_rng(key)
    try:
        engine = qmc.Sobol(d=len(names), scramble=True, rng=rng)
    except TypeError:  # SciPy < 1.15 spells it seed=
        engine = qmc.Sobol(d=len(names), scramble=True, seed=rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # costsim warns about non-powers of two itself
        u = engine.random(n)
    return np.clip(u, _EPS, U_MAX)


def _sobol(seed: int, names: list[str], n: int) -> dict[str, np.ndarray]:
    if n & (n - 1):
        warn(f"sobol sampling with n={n}: a power of two (e.g. {1 << (n.bit_length() - 1)}) "
             "keeps the sequence balanced", CostsimWarning)
    u = sobol_points(seed, names, n)
    return {name: np.ascontiguousarray(u[:, j]) for j, name in enumerate(names)}


DESIGNS = {"mc": _mc, "lhs": _lhs, "sobol": _sobol}


def spearman_to_pearson(rho: float) -> float:
    """Pearson correlation of the Gaussian copula that gives rank (Spearman) correlation ``rho``."""
    return 2.0 * math.sin(math.pi * rho / 6.0)


def copula_cholesky(scenario: Scenario) -> tuple[list[str], np.ndarray] | None:
    """Cholesky factor of the copula's correlation matrix over the correlated parameters.

    When the pairs together are impossible (the matrix is not positive definite), the error
    names the pair that pushes the smallest eigenvalue below zero the most (of equals, the
    last written) and lists the other pairs that conflict with it.
    """
    if not scenario.correlations:
        return None
    names: list[str] = []
    for a, b, _ in scenario.correlations:
        for x in (a, b):
            if x not in names:
                names.append(x)
    idx = {n: i for i, n in enumerate(names)}
    corr = np.eye(len(names))
    for a, b, rho in scenario.correlations:
        corr[idx[a], idx[b]] = corr[idx[b], idx[a]] = spearman_to_pearson(rho)
    try:
        return names, np.linalg.cholesky(corr)
    except np.linalg.LinAlgError:
        pass
    _, vectors = np.linalg.eigh(corr)
    v = vectors[:, 0]  # the direction in which the matrix is negative
    share = [float(v[idx[a]] * v[idx[b]] * corr[idx[a], idx[b]]) for a, b, _ in scenario.correlations]
    k = min(range(len(share)), key=lambda j: (round(share[j], 9), -j))
    a, b, rho = scenario.correlations[k]
    others = [f"{x}~{y} {r:g}" for j, (x, y, r) in enumerate(scenario.correlations)
              if j != k and share[j] < -1e-9]
    path = f"correlations[{k}]"
    given = f"Given {', '.join(others)}, this" if others else "This"
    raise ScenarioError(scenario.source, [Issue(
        path, f"correlation of {a} and {b} makes the matrix not positive definite", "a consistent set of "
        "correlations", rho, line=scenario.lines.get(path),
        hint=f"{given} value is impossible; weaken it or one of the others.")])


def apply_copula(u: dict[str, np.ndarray], chol: tuple[list[str], np.ndarray] | None) -> dict[str, np.ndarray]:
    """Correlate uniform draws through a Gaussian copula (ranks keep their marginals)."""
    if chol is None:
        return u
    from scipy import special

    names, lower = chol
    z = np.stack([special.ndtri(u[n]) for n in names], axis=1)
    zc = z @ lower.T
    out = dict(u)
    for j, n in enumerate(names):
        out[n] = np.clip(special.ndtr(zc[:, j]), _EPS, U_MAX)
    return out


def uniforms(scenario: Scenario, n: int, seed: int, design: str | None = None) -> dict[str, np.ndarray]:
    """Uniform draws ``{name: (n,)}`` of every uncertain parameter, correlated as the scenario says."""
    design = design or scenario.sampling
    names = scenario.uncertain
    if not names:
        return {}
    u = DESIGNS[design](seed, names, n)
    return apply_copula(u, copula_cholesky(scenario))


def to_values(scenario: Scenario, u: dict[str, np.ndarray], *, joint_normal: bool = False
              ) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """Inverse-CDF transform of uniform draws; returns values and clip counts per parameter.

    ``joint_normal``: the normal quantiles of every normal-based parameter are computed in one
    ``ndtri`` call over their draws side by side (elementwise: the same numbers; for a chunk's
    rows, where one call per parameter costs more in overhead than in arithmetic).
    """
    values: dict[str, np.ndarray] = {}
    clipped: dict[str, int] = {}
    z: dict[str, np.ndarray] = {}
    if joint_normal:
        names = [name for name, draws in u.items()
                 if scenario.params[name].dist.kind in OF_NORMAL and np.ndim(draws) == 1]
        if len(names) > 1:
            flat = ndtri(np.concatenate([u[name] for name in names]))
            ends = np.cumsum([len(u[name]) for name in names])[:-1]
            z = dict(zip(names, np.split(flat, ends), strict=True))
    for name, draws in u.items():
        p = scenario.params[name]
        if name in z:
            x = np.asarray(OF_NORMAL[p.dist.kind](p.dist.f, z.pop(name)), dtype=float)
        else:
            x = p.dist.ppf(draws)
        if p.clip_min is not None or p.clip_max is not None:
            lo = -np.inf if p.clip_min is None else p.clip_min
            hi = np.inf if p.clip_max is None else p.clip_max
            count = int(np.count_nonzero((x < lo) | (x > hi)))
            if count:
                clipped[name] = count
                np.clip(x, lo, hi, out=x)
        values[name] = x
    return values, clipped


def draw(scenario: Scenario, n: int, seed: int, design: str | None = None
         ) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """Sample every uncertain parameter: ``({name: (n,)}, {name: clipped count})``.

    Without correlations, mc and lhs draw and transform one parameter at a time, so only one
    column of uniforms is alive at once (peak memory at n = 1e7 drops by 8 bytes x n x d).
    """
    design = design or scenario.sampling
    if design in ONE_STREAM and not scenario.correlations:
        values: dict[str, np.ndarray] = {}
        clipped: dict[str, int] = {}
        for name in scenario.uncertain:
            v, c = to_values(scenario, {name: ONE_STREAM[design](seed, name, n)})
            values.update(v)
            clipped.update(c)
        return values, clipped
    return to_values(scenario, uniforms(scenario, n, seed, design))


def _copula_rows(u: dict[str, np.ndarray], chol, n: int) -> dict[str, np.ndarray]:
    """:func:`apply_copula` of some rows of an ``n``-row draw, the same numbers as the whole's.

    NumPy multiplies a one-row matrix by the BLAS's vector routine, whose rounding may differ
    from the matrix routine's that a whole draw of more rows uses: a single row (a last chunk of
    one sample) is therefore correlated together with a copy of itself.
    """
    if chol is None:
        return u
    names = chol[0]
    if n > 1 and len(next(iter(u.values()))) == 1:
        two = dict(u)
        for name in names:
            two[name] = np.repeat(u[name], 2)
        return {k: v[:1].copy() for k, v in apply_copula(two, chol).items()}
    return apply_copula(u, chol)


class _SharedDraws:
    """Values of rows ``a:b`` of uncorrelated ``mc`` parameters, shared by the runs of a
    :func:`shared_draws` block (see there), at most ``max_bytes`` of them (the oldest forgotten first)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = int(max_bytes)
        self.lock = threading.Lock()
        self.entries: dict[tuple, tuple[np.ndarray, int, object]] = {}  # key -> (values, clipped, held)
        self.bytes = 0
        self.hits = self.misses = 0

    def get(self, key: tuple):
        with self.lock:
            hit = self.entries.get(key)
            if hit is None:
                self.misses += 1
            else:
                self.hits += 1
            return hit

    def put(self, key: tuple, values: np.ndarray, clipped: int, held: object) -> None:
        values = values.copy()  # never a caller's array: they are handed out as copies too
        with self.lock:
            if key in self.entries or values.nbytes > self.max_bytes:
                return
            while self.entries and self.bytes + values.nbytes > self.max_bytes:
                old = self.entries.pop(next(iter(self.entries)))
                self.bytes -= old[0].nbytes
            self.entries[key] = (values, clipped, held)
            self.bytes += values.nbytes


_SHARED: _SharedDraws | None = None
_SHARED_DEPTH = 0
_SHARED_LOCK = threading.Lock()


class shared_draws:
    """``with shared_draws(): ...``: the ``mc`` runs made in the block share the draws of their
    uncorrelated parameters (the ledger's swing runs change one parameter of ~75 at a time and
    would otherwise draw the other ~74 again, each time).

    A parameter's values in rows ``a:b`` of a run are kept under everything they depend on: the
    root seed, the parameter's name (its stream), the run's ``n`` and the rows, the design
    (``mc``), the distribution (kind, its definition in :data:`costsim.distributions.DISTRIBUTIONS`
    and every field's exact value), the clip bounds, and that it is not correlated (correlated
    parameters are always drawn: their values depend on their partners' draws and the
    correlations); another run asking for the same key gets a copy of the same numbers, and the
    Results are the same, bit for bit, as without the block. Blocks nest (the outermost owns the
    store, forgotten when it ends); at most ``max_bytes`` of values are kept (a run whose draws
    alone would not fit does not use the store: the ledger's runs of 2,000 samples of ~75
    parameters take 1.2 MB each). ``hits`` and
    ``misses`` count the parameters' chunks found in the store and drawn, in the block.
    """

    def __init__(self, max_bytes: int = 64 << 20):
        self.max_bytes = int(max_bytes)
        self._store: _SharedDraws | None = None

    def __enter__(self) -> shared_draws:
        global _SHARED, _SHARED_DEPTH
        with _SHARED_LOCK:
            if _SHARED_DEPTH == 0:
                _SHARED = _SharedDraws(self.max_bytes)
            _SHARED_DEPTH += 1
            self._store = _SHARED
        return self

    @property
    def hits(self) -> int:
        return 0 if self._store is None else self._store.hits

    @property
    def misses(self) -> int:
        return 0 if self._store is None else self._store.misses

    def __exit__(self, *exc) -> None:
        global _SHARED, _SHARED_DEPTH
        with _SHARED_LOCK:
            _SHARED_DEPTH -= 1
            if _SHARED_DEPTH == 0:
                _SHARED = None


def _draw_key(scenario: Scenario, name: str, seed: int, n: int, design: str) -> tuple[tuple, object]:
    """(the key of a parameter's draws but for the rows, what the key's ids refer to: held with the entry)."""
    from costsim.distributions import DISTRIBUTIONS

    p = scenario.params[name]
    kind = DISTRIBUTIONS.get(p.dist.kind)
    of_normal = OF_NORMAL.get(p.dist.kind)
    return ((int(seed), name, int(n), design, p.dist.kind, id(kind), id(of_normal), repr(p.dist.fields),
             repr(p.clip_min), repr(p.clip_max)), (kind, of_normal))


def draws_by_rows(design: str) -> bool:
    """Whether :class:`RowDraws` makes a design's rows as they are taken (else it draws them whole first)."""
    return design == "mc"


class RowDraws:
    """The draws of a run, made rows ``a:b`` at a time: the same numbers as :func:`draw` (n, seed, design).

    ``take(a, b)`` returns ``{name: (b - a,)}`` values and may be called from several threads
    at once, for any rows in any order. Parameters named in ``keep`` (default: every uncertain
    one) are also gathered into ``kept`` ``{name: (n,)}`` as rows are taken; ``clipped`` counts
    the clipped samples of the rows taken so far (every row once: the whole run's counts).
    Designs that need every row at once (``lhs``, ``sobol``) are drawn whole on creation
    (``rows_at_once`` is then False).
    """

    def __init__(self, scenario: Scenario, n: int, seed: int, design: str | None = None, *,
                 keep: tuple[str, ...] | list[str] | None = None):
        self.scenario, self.n, self.seed = scenario, int(n), int(seed)
        self.design = design or scenario.sampling
        self.names = list(scenario.uncertain)
        keep = self.names if keep is None else [k for k in self.names if k in set(keep)]
        self.rows_at_once = draws_by_rows(self.design)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._taken = False  # whether take() has made rows (share_rows must come first)
        if self.rows_at_once:
            self._chol = copula_cholesky(scenario)
            self._shared = _SHARED  # a shared_draws() block's store, when this run is made in one
            if self._shared is not None and 8 * self.n * len(self.names) > self._shared.max_bytes:
                self._shared = None  # a run whose draws alone overflow the store would only churn it
            self._keys: dict[str, tuple] = {}
            if self._shared is not None:
                correlated = set(self._chol[0]) if self._chol is not None else set()
                self._keys = {name: _draw_key(scenario, name, self.seed, self.n, self.design)
                              for name in self.names if name not in correlated}
            self._states: dict[str, dict] = {}  # each stream's start, made when first needed
            self.kept = {name: np.empty(self.n) for name in keep}
            self._clipped: dict[str, int] = {}
        else:
            self._values, self._clipped = draw(scenario, self.n, self.seed, self.design)
            self.kept = {name: self._values[name] for name in keep}

    def _uniforms(self, name: str, a: int, m: int) -> np.ndarray:
        gen = getattr(self._local, "gen", None)
        if gen is None:  # one bit generator per thread, set to each stream's state in turn
            gen = self._local.gen = np.random.Generator(np.random.PCG64(0))
        bits = gen.bit_generator
        state = self._states.get(name)
        if state is None:
            state = self._states[name] = param_rng(self.seed, name).bit_generator.state
        bits.state = state
        bits.advance(a)  # one 64-bit word per double: row a of the whole stream
        u = gen.random(m)
        u += _EPS
        np.minimum(u, U_MAX, out=u)
        return u

    def take(self, a: int, b: int) -> dict[str, np.ndarray]:
        """Values ``{name: (b - a,)}`` of rows ``a:b`` of every uncertain parameter."""
        if not self.rows_at_once:
            return {name: v[a:b] for name, v in self._values.items()}
        m = b - a
        self._taken = True
        found: dict[str, tuple] = {}
        if self._shared is not None:
            for name, (key, _) in self._keys.items():
                hit = self._shared.get(key + (a, b))
                if hit is not None:
                    found[name] = hit
        u = {name: self._uniforms(name, a, m) for name in self.names if name not in found}  # a chunk's: small
        values, clipped = to_values(self.scenario, _copula_rows(u, self._chol, self.n), joint_normal=True)
        del u
        if self._shared is not None:
            for name, (key, held) in self._keys.items():
                if name not in found:
                    self._shared.put(key + (a, b), values[name], clipped.get(name, 0), held)
            if found:
                drawn, values, clipped = values, {}, dict(clipped)
                for name in self.names:  # the order of a run without the block
                    if name in found:
                        values[name] = found[name][0].copy()
                        if found[name][1]:
                            clipped[name] = found[name][1]
                    else:
                        values[name] = drawn[name]
        for name, arr in self.kept.items():
            arr[a:b] = values[name]
        if clipped:
            with self._lock:
                for name, count in clipped.items():
                    self._clipped[name] = self._clipped.get(name, 0) + count
        return values

    @property
    def clipped(self) -> dict[str, int]:
        """Clipped samples per parameter (of the rows taken), in the order :func:`draw` gives them."""
        return {name: self._clipped[name] for name in self.names if self._clipped.get(name)}

    # rows taken in forked processes (costsim.kernel evaluates a run's chunks there)
    def share_rows(self) -> None:
        """Keep the kept draws in shared memory, so rows a forked child takes are seen here.

        Called before any row is taken (the kept rows are not copied)."""
        if self.rows_at_once:
            from costsim.arrays import shared_empty

            if self._clipped or self._taken:
                raise RuntimeError("share_rows() after rows were taken")
            self.kept = {name: shared_empty(arr.shape) for name, arr in self.kept.items()}

    def clip_counts(self) -> dict[str, int]:
        """Clipped samples per parameter of the rows taken so far (a copy)."""
        with self._lock:
            return dict(self._clipped)

    def add_clip_counts(self, counts: dict[str, int]) -> None:
        """Add the clip counts of rows taken elsewhere (a forked child's)."""
        with self._lock:
            for name, count in counts.items():
                if count:
                    self._clipped[name] = self._clipped.get(name, 0) + int(count)
