"""Sensitivity of outputs to uncertain parameters: tornado, Sobol' indices and Morris screening.

Every design goes through costsim's own sampling path (uniform draws -> the scenario's copula ->
each parameter's inverse CDF), so distributions, ``min``/``max`` clipping and correlations are
the scenario's, and constants never appear. All three methods report per output and per year
(and per bloc), vectorized over all of them at once.

Outputs that usually span orders of magnitude (``costsim.units.spans_decades``: ``_usd``,
``_flop``...) are analysed as ``log10`` by default; variance-based indices of the raw values
would be dominated by the upper tail. ``log10=False`` analyses raw values, ``log10=True`` forces
log10 everywhere. An output with values <= 0 is analysed raw, with a warning.

Methods
-------
tornado
    One at a time: each uncertain parameter moved to its 5th and 95th percentiles (or given
    bounds) while all others stay at their medians; the swing of each output. Cheap (1 + 2d rows).
sobol
    First-order (S1) and total (ST) indices with bootstrap confidence intervals, from a
    Saltelli design of ``(d + 2) * n_base`` rows: matrices A and B from one scrambled Sobol'
    sequence over 2d dimensions (or Monte Carlo streams), and AB_i = A with column i from B.
    The estimators are SALib's (``SALib.analyze.sobol`` with ``calc_second_order=False``):
    Saltelli et al. (2010) for S1 and Jansen (1999) for ST, on the output standardised first
    (per year), with the same bootstrap. They are written here in numpy, vectorised over years
    and outputs, and tested against SALib on the same Y; ``estimator="salib"`` calls SALib itself.
morris
    Elementary effects along SALib Morris trajectories (``SALib.sample.morris``) on a p-level
    grid; level ``k`` of ``p`` is mapped to the quantile ``(k + 1/2) / p`` of each parameter (the
    grid's cell centres, so unbounded distributions stay finite), and ``SALib.analyze.morris``
    gives mu, mu* and sigma. Effects are per unit of the [0, 1] Morris grid.

Correlations: Sobol' indices assume independent inputs. With ``correlations:`` the designs are
built on the independent uniform factors *behind* the Gaussian copula, so every row is still a
draw from the scenario's joint distribution, but the index of a parameter is that of its own
factor: the first parameter of a correlated group also carries what it induces in the others.
A CostsimWarning says so, and the result's ``meta["correlated"]`` is True.

References
----------
Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M., Tarantola, S. (2010). Variance
based sensitivity analysis of model output. Computer Physics Communications 181(2), 259-270.
doi:10.1016/j.cpc.2009.09.018
Jansen, M. J. W. (1999). Analysis of variance designs for model output. Computer Physics
Communications 117, 35-43. doi:10.1016/S0010-4655(98)00154-4
Morris, M. D. (1991). Factorial sampling plans for preliminary computational experiments.
Technometrics 33(2), 161-174. doi:10.1080/00401706.1991.10484804
Campolongo, F., Cariboni, J., Saltelli, A. (2007). An effective screening design for sensitivity
analysis of large models. Environmental Modelling & Software 22(10), 1509-1518.
doi:10.1016/j.envsoft.2006.10.004
Herman, J., Usher, W. (2017). SALib: An open-source Python library for sensitivity analysis.
Journal of Open Source Software 2(9), 97. doi:10.21105/joss.00097
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from costsim.engine import check_memory, evaluate_values
from costsim.errors import CostsimError, CostsimWarning, Issue, ScenarioError
from costsim.sampling import apply_copula, copula_cholesky, name_key, param_rng, sobol_points, to_values
from costsim.scenario import Scenario, load_scenario
from costsim.units import spans_decades

METHODS = ("sobol", "morris", "tornado")
STATS = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu", "mu_star", "sigma", "mu_star_conf"),
    "tornado": ("low_input", "high_input", "low", "high", "swing"),
}
RANK_BY = {"sobol": "ST", "morris": "mu_star", "tornado": "swing"}
_EPS = 2.0**-54  # as costsim.sampling: keeps [0, 1) draws inside (0, 1)
OPTION_KEYS = ("method", "outputs", "years", "n_base", "resamples", "log10", "trajectories", "levels",
               "quantiles", "bounds")


# ----------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class OutputIndices:
    """Indices of one output: ``stats[name]`` is ``(d,) + axes`` (parameters first)."""

    transform: str  # "log10" or "linear"
    axes: tuple[str, ...]
    stats: dict[str, np.ndarray]
    base: np.ndarray | None = None  # tornado: the output with every parameter at its median


@dataclass(frozen=True)
class SensitivityResult:
    """Indices of every analysed output: ``outputs[name].stats[stat]`` shaped ``(d,) + axes``."""

    method: str
    params: tuple[str, ...]
    years: np.ndarray
    blocs: tuple[str, ...]
    outputs: dict[str, OutputIndices]
    meta: dict = field(default_factory=dict)

    def _column(self, name: str, year: int | None, bloc: str | None) -> tuple:
        out = self.outputs.get(name)
        if out is None:
            close = difflib.get_close_matches(name, list(self.outputs), n=1)
            raise KeyError(f"no analysed output {name!r}" + (f"; did you mean {close[0]!r}?" if close else ""))
        index: list = []
        for axis in out.axes:
            if axis == "year":
                y = self.years[0] if year is None else year
                hits = np.nonzero(self.years == y)[0]
                if not len(hits):
                    raise KeyError(f"year {y} is not in {int(self.years[0])}..{int(self.years[-1])}")
                index.append(int(hits[0]))
            else:
                b = self.blocs[0] if bloc is None else bloc
                if b not in self.blocs:
                    raise KeyError(f"bloc {b!r} is not one of {self.blocs}")
                index.append(self.blocs.index(b))
        return tuple(index)

    def at(self, output: str, year: int | None = None, bloc: str | None = None) -> dict[str, np.ndarray]:
        """Every statistic at one year (default: the first) and bloc: ``{stat: (d,)}``.

        Also ``names`` (the parameters) and, for a tornado, ``base`` (the output with every
        parameter at its median), so the dict can go straight to ``costsim.plots`` (``sobol_bars``,
        ``tornado``).
        """
        idx = self._column(output, year, bloc)
        out = self.outputs[output]
        got: dict = {"names": list(self.params)}
        got.update({k: v[(slice(None), *idx)] for k, v in out.stats.items()})
        if out.base is not None:
            got["base"] = float(out.base[idx])
        return got

    def ranked(self, output: str, year: int | None = None, bloc: str | None = None) -> list[dict]:
        """Parameters with their statistics at one year, most influential first."""
        every = self.at(output, year, bloc)
        stats = {k: every[k] for k in STATS[self.method]}
        key = stats[RANK_BY[self.method]]
        order = sorted(range(len(self.params)), key=lambda i: (-np.nan_to_num(key[i], nan=-np.inf), i))
        return [{"param": self.params[i], **{k: float(v[i]) for k, v in stats.items()}} for i in order]

    def rows(self, years: tuple[int, ...] | None = None) -> list[dict]:
        """Tidy rows: method, output, transform, bloc, year, param and the statistics."""
        rows = []
        for name, out in self.outputs.items():
            yrs = [int(y) for y in self.years if years is None or int(y) in years] if "year" in out.axes else [None]
            blocs = list(self.blocs) if "bloc" in out.axes else [None]
            for y in yrs:
                for b in blocs:
                    for entry in self.ranked(name, y, b):
                        rows.append({"method": self.method, "output": name, "transform": out.transform,
                                     "bloc": b or "", "year": "" if y is None else y, **entry})
        return rows

    def to_csv(self, years: tuple[int, ...] | None = None) -> str:
        """The tidy rows as CSV text (floats with 6 significant digits)."""
        buf = io.StringIO()
        cols = ["method", "output", "transform", "bloc", "year", "param", *STATS[self.method]]
        writer = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
        writer.writeheader()
        for row in self.rows(years):
            writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in row.items()})
        return buf.getvalue()


# ----------------------------------------------------------------------------------- options
def options(scenario: Scenario) -> dict:
    """The scenario's ``sensitivity:`` block (checked when the scenario was validated), as a dict."""
    return scenario.sensitivity.options() if scenario.sensitivity is not None else {}


def default_n_base(scenario: Scenario) -> int:
    """``sensitivity.n_base``, else the power of two nearest samples / (d + 2), in [2^8, 2^16]."""
    opts = options(scenario)
    if "n_base" in opts:
        return int(opts["n_base"])
    d = max(len(scenario.uncertain), 1)
    k = round(math.log2(max(scenario.samples, 1) / (d + 2)))
    return 1 << int(min(max(k, 8), 16))


# ----------------------------------------------------------------------------------- helpers
def _load(scenario: Scenario | str, overrides) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario, tuple(overrides))


def _outputs(scenario: Scenario, outputs) -> tuple[str, ...]:
    if not outputs:
        return tuple(scenario.outputs)
    produced = list(scenario.output_axes())
    issues = []
    for name in outputs:
        if name not in produced:
            close = difflib.get_close_matches(name, produced, n=1)
            issues.append(Issue("outputs", "unknown output", "an output of the scenario's models or formulas", name,
                                hint=f"Did you mean {close[0]!r}?" if close else ""))
    if issues:
        raise ScenarioError(scenario.source, issues)
    return tuple(dict.fromkeys(outputs))


def _transform(name: str, y: np.ndarray, log10: bool | None) -> tuple[np.ndarray, str]:
    want = spans_decades(name) if log10 is None else bool(log10)
    if not want:
        return y, "linear"
    if np.all(y > 0):
        return np.log10(y), "log10"
    warnings.warn(f"{name}: {int(np.count_nonzero(~(y > 0)))} values are <= 0 or NaN, so it is analysed without "
                  "log10", CostsimWarning, stacklevel=3)
    return y, "linear"


def _derived_seed(seed: int, label: str) -> int:
    state = np.random.SeedSequence(int(seed), spawn_key=(name_key(label),)).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(1))


def _warn_correlated(scenario: Scenario, method: str) -> bool:
    if not scenario.correlations:
        return False
    pairs = ", ".join(f"{a}~{b}" for a, b, _ in scenario.correlations)
    warnings.warn(f"{scenario.name}: {method} indices assume independent inputs, but the scenario correlates "
                  f"{pairs}; the indices are those of the independent factors behind the copula (the first "
                  "parameter of a correlated group also carries what it induces in the others)",
                  CostsimWarning, stacklevel=3)
    return True


def _evaluate(scenario, values, rows, keep, chunk_size, progress, workers, scheduler):
    from costsim.parallel import evaluate

    return evaluate(scenario, values, rows, keep=keep, chunk_size=chunk_size, progress=progress, workers=workers,
                    scheduler=scheduler)


def _need_uncertain(scenario: Scenario, method: str) -> list[str]:
    names = scenario.uncertain
    if not names:
        raise ScenarioError(scenario.source, [Issue("params", f"{method} needs uncertain parameters",
                                                    "at least one parameter with a dist:", 0)])
    return names


def _salib(what: str):
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise CostsimError(f"{what} needs SALib, an optional extra; expected `pip install 'costsim[sensitivity]'` "
                           "(or `pip install SALib`)") from None


# ----------------------------------------------------------------------------------- Sobol'
def saltelli_uniforms(names: list[str], n_base: int, seed: int, design: str = "sobol") -> np.ndarray:
    """Uniform Saltelli design ``(d + 2, n_base, d)``: blocks A, B, then AB_1..AB_d.

    ``sobol``: one scrambled Sobol' sequence over 2d dimensions (A its first d columns, B the
    rest), as SALib's ``sobol.sample``, keyed by the seed and the names. ``mc``: A and B from each
    parameter's own name-keyed stream (first and second n_base draws).
    """
    d = len(names)
    if design == "sobol":
        if n_base & (n_base - 1):
            warnings.warn(f"Sobol' design with n_base={n_base}: a power of two (e.g. {1 << (n_base.bit_length() - 1)}) "
                          "keeps the sequence balanced", CostsimWarning, stacklevel=3)
        u = sobol_points(seed, [f"saltelli:A:{n}" for n in names] + [f"saltelli:B:{n}" for n in names], n_base)
        ua, ub = u[:, :d], u[:, d:]
    elif design == "mc":
        ua, ub = np.empty((n_base, d)), np.empty((n_base, d))
        for j, name in enumerate(names):
            draws = param_rng(seed, f"saltelli:{name}").random(2 * n_base) + _EPS
            ua[:, j], ub[:, j] = draws[:n_base], draws[n_base:]
    else:
        raise ScenarioError("--design", [Issue("design", "unknown design for Sobol' indices", "sobol or mc", design)])
    out = np.empty((d + 2, n_base, d))
    out[0], out[1] = ua, ub
    for i in range(d):
        out[2 + i] = ua
        out[2 + i, :, i] = ub[:, i]
    return out


def _values_from_uniforms(scenario: Scenario, names: list[str], u2d: np.ndarray):
    u = {name: np.ascontiguousarray(u2d[:, j]) for j, name in enumerate(names)}
    return to_values(scenario, apply_copula(u, copula_cholesky(scenario)))


def sobol_estimates(y_a: np.ndarray, y_b: np.ndarray, y_ab: np.ndarray, *, num_resamples: int = 100,
                    conf_level: float = 0.95, seed: int | np.random.Generator | None = None) -> dict[str, np.ndarray]:
    """First-order and total Sobol' indices with bootstrap intervals, vectorised over columns.

    The estimators of ``SALib.analyze.sobol`` (``calc_second_order=False``), per column:
    Y is standardised over all rows, then with V = var([A; B])
    S1_i = mean(B (AB_i - A)) / V (Saltelli et al. 2010) and ST_i = mean((A - AB_i)^2) / (2 V)
    (Jansen 1999). The interval is ``z * sd`` over bootstrap resamples of the base rows, drawn as
    SALib draws them (``default_rng(seed).integers(N, size=(N, num_resamples))``), so with the
    same seed the intervals equal SALib's.

    Parameters
    ----------
    y_a, y_b : array (N,) or (N, K)
        Outputs on the rows of A and of B.
    y_ab : array (d, N) or (d, N, K)
        Outputs on AB_i (A with column i taken from B).

    Returns
    -------
    dict of S1, S1_conf, ST, ST_conf, each (d,) or (d, K); NaN for a constant column.
    """
    y_a, y_b, y_ab = (np.asarray(x, dtype=float) for x in (y_a, y_b, y_ab))
    squeeze = y_a.ndim == 1
    if squeeze:
        y_a, y_b, y_ab = y_a[:, None], y_b[:, None], y_ab[..., None]
    d, n, k = y_ab.shape
    rows = (d + 2) * n
    mean = (y_a.sum(axis=0) + y_b.sum(axis=0) + y_ab.sum(axis=(0, 1))) / rows
    ss = ((y_a - mean) ** 2).sum(axis=0) + ((y_b - mean) ** 2).sum(axis=0) + ((y_ab - mean) ** 2).sum(axis=(0, 1))
    sd = np.sqrt(ss / rows)
    ok = np.isfinite(sd) & (sd > 0)
    scale = np.where(ok, sd, 1.0)
    a, b, ab = (y_a - mean) / scale, (y_b - mean) / scale, (y_ab - mean) / scale
    s1_terms = b * (ab - a)  # (d, N, K)
    st_terms = 0.5 * (a - ab) ** 2
    var = np.var(np.concatenate([a, b]), axis=0)
    good = ok & (var > np.finfo(float).eps)
    denom = np.where(good, var, 1.0)
    out = {"S1": s1_terms.mean(axis=1) / denom, "ST": st_terms.mean(axis=1) / denom}
    if num_resamples:
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        r = rng.integers(n, size=(n, num_resamples))  # as SALib: column j is resample j
        # Resample j's mean of any x is counts[j] @ x / N, so one matrix product over all the
        # per-row terms serves every resample, parameter and column at once.
        counts = np.empty((num_resamples, n))
        for j, idx in enumerate(np.ascontiguousarray(r.T)):
            counts[j] = np.bincount(idx, minlength=n)
        per_row = np.concatenate([a, b, a * a, b * b, s1_terms.transpose(1, 0, 2).reshape(n, d * k),
                                  st_terms.transpose(1, 0, 2).reshape(n, d * k)], axis=1)
        means = counts @ per_row / n  # (R, 4K + 2dK)
        ma, mb, ma2, mb2 = (means[:, i * k:(i + 1) * k] for i in range(4))
        var_r = 0.5 * (ma2 + mb2) - (0.5 * (ma + mb)) ** 2  # var of [A; B] in each resample, (R, K)
        var_r = np.where(var_r > np.finfo(float).eps, var_r, np.nan)[:, None, :]
        z = float(special.ndtri(0.5 + conf_level / 2))
        s1_r = means[:, 4 * k:4 * k + d * k].reshape(num_resamples, d, k) / var_r
        st_r = means[:, 4 * k + d * k:].reshape(num_resamples, d, k) / var_r
        with np.errstate(invalid="ignore"):  # all-NaN columns (a constant output) stay NaN
            out["S1_conf"] = z * np.std(s1_r, axis=0, ddof=1)
            out["ST_conf"] = z * np.std(st_r, axis=0, ddof=1)
    else:
        out["S1_conf"] = np.full((d, k), np.nan)
        out["ST_conf"] = np.full((d, k), np.nan)
    for key in out:
        out[key] = np.where(good, out[key], np.nan)
        if squeeze:
            out[key] = out[key][:, 0]
    return out


def _salib_sobol(y_a, y_b, y_ab, names, num_resamples, conf_level, seed) -> dict[str, np.ndarray]:
    _salib("estimator='salib'")
    from SALib.analyze import sobol as salib_sobol

    d, n, k = y_ab.shape
    problem = {"num_vars": d, "names": list(names), "bounds": [[0.0, 1.0]] * d}
    out = {key: np.full((d, k), np.nan) for key in STATS["sobol"]}
    for c in range(k):
        # SALib's layout: per base row, A, AB_1..AB_d, B
        y = np.column_stack([y_a[:, c], *(y_ab[i, :, c] for i in range(d)), y_b[:, c]]).ravel()
        if not np.ptp(y) > 0:
            continue
        si = salib_sobol.analyze(problem, y, calc_second_order=False, num_resamples=num_resamples,
                                 conf_level=conf_level, seed=seed)
        for key in out:
            out[key][:, c] = si[key]
    return out


def sobol(scenario: Scenario | str, n_base: int | None = None, seed: int | None = None, *,
          outputs: tuple[str, ...] | None = None, log10: bool | None = None, num_resamples: int | None = None,
          conf_level: float = 0.95, design: str = "sobol", estimator: str = "numpy",
          overrides: tuple[str, ...] = (), chunk_size: int | None = None, workers: int | None = None,
          scheduler: object | None = None, progress: Callable[[int, int], None] | None = None
          ) -> SensitivityResult:
    """First-order and total Sobol' indices of every output, per year, with bootstrap intervals.

    Parameters
    ----------
    scenario : Scenario or path
    n_base : int, optional
        Base rows N (a power of two); the design has ``(d + 2) N`` rows. Default
        :func:`default_n_base`.
    seed : int, optional
        Root seed of the design and the bootstrap (default: the scenario's).
    outputs : names, optional
        Outputs to analyse (default: ``sensitivity.outputs``, else the scenario's outputs).
    log10 : bool or None
        None (default): log10 of outputs that span decades; True/False: all or none.
    num_resamples, conf_level :
        Bootstrap resamples (default 100) and the interval's level.
    design : "sobol" or "mc"
    estimator : "numpy" or "salib"
        The same estimators; "salib" calls ``SALib.analyze.sobol`` column by column (slower).
    chunk_size, workers, scheduler, progress :
        How the rows are evaluated (see :mod:`costsim.parallel`); results do not depend on them.

    Examples
    --------
    >>> res = sobol("scenarios/reference_r1.yaml", n_base=4096)  # doctest: +SKIP
    >>> res.at("effective_flop", 2030)["S1"]  # doctest: +SKIP
    array([0.735, 0.   , 0.184, 0.081])
    """
    scenario = _load(scenario, overrides)
    opts = options(scenario)
    names = _need_uncertain(scenario, "Sobol' analysis")
    d = len(names)
    n_base = int(n_base or default_n_base(scenario))
    if n_base < 2:
        raise ScenarioError(scenario.source, [Issue("n_base", "too few base rows", ">= 2", n_base)])
    seed = int(scenario.seed if seed is None else seed)
    keep = _outputs(scenario, outputs or opts.get("outputs"))
    log10 = opts.get("log10") if log10 is None else log10
    num_resamples = int(opts.get("resamples", 100) if num_resamples is None else num_resamples)
    if estimator not in ("numpy", "salib"):
        raise ScenarioError("estimator", [Issue("estimator", "unknown estimator", "numpy or salib", estimator)])
    correlated = _warn_correlated(scenario, "Sobol'")
    rows = (d + 2) * n_base
    check_memory(scenario, rows, keep)
    t0 = time.perf_counter()
    u = saltelli_uniforms(names, n_base, seed, design).reshape(rows, d)
    values, clipped = _values_from_uniforms(scenario, names, u)
    del u
    out, axes = _evaluate(scenario, values, rows, keep, chunk_size, progress, workers, scheduler)
    del values
    boot_seed = _derived_seed(seed, "sobol:bootstrap")
    results: dict[str, OutputIndices] = {}
    for name in keep:
        y, transform = _transform(name, out.pop(name), log10)
        rest = y.shape[1:]
        y = y.reshape(d + 2, n_base, -1)
        if estimator == "salib":
            est = _salib_sobol(y[0], y[1], y[2:], names, num_resamples, conf_level, boot_seed)
        else:
            est = sobol_estimates(y[0], y[1], y[2:], num_resamples=num_resamples, conf_level=conf_level,
                                  seed=boot_seed)
        results[name] = OutputIndices(transform, axes[name], {k: est[k].reshape((d,) + rest) for k in STATS["sobol"]})
    meta = {"method": "sobol", "scenario": scenario.name, "source": scenario.source, "n_base": n_base,
            "evaluations": rows, "seed": seed, "design": design, "estimator": estimator,
            "num_resamples": num_resamples, "conf_level": conf_level, "correlated": correlated,
            "clipped_samples": clipped, "wall_time_s": round(time.perf_counter() - t0, 4)}
    return SensitivityResult("sobol", tuple(names), scenario.years.copy(), scenario.blocs, results, meta)


# ----------------------------------------------------------------------------------- Morris
def morris(scenario: Scenario | str, trajectories: int | None = None, seed: int | None = None, *,
           num_levels: int | None = None, outputs: tuple[str, ...] | None = None, years: tuple[int, ...] | None = None,
           log10: bool | None = None, num_resamples: int = 1000, conf_level: float = 0.95,
           overrides: tuple[str, ...] = (), chunk_size: int | None = None, workers: int | None = None,
           scheduler: object | None = None, progress: Callable[[int, int], None] | None = None
           ) -> SensitivityResult:
    """Morris screening (mu, mu*, sigma and mu*'s bootstrap interval) of every output, per year.

    ``trajectories`` (default ``sensitivity.trajectories``, else 100) trajectories of ``d + 1``
    rows on a ``num_levels``-level grid (default 4) from ``SALib.sample.morris``; level k maps to
    the quantile ``(k + 1/2) / num_levels`` of each parameter. ``years`` limits the analysed years
    (default: all). Needs SALib (``costsim[sensitivity]``).
    """
    _salib("Morris screening")
    from SALib.analyze import morris as salib_morris_analyze
    from SALib.sample import morris as salib_morris_sample

    scenario = _load(scenario, overrides)
    opts = options(scenario)
    names = _need_uncertain(scenario, "Morris screening")
    d = len(names)
    trajectories = int(trajectories or opts.get("trajectories", 100))
    levels = int(num_levels or opts.get("levels", 4))
    if levels % 2:
        raise ScenarioError(scenario.source, [Issue("levels", "Morris needs an even number of levels", "4, 6, 8...",
                                                    levels)])
    seed = int(scenario.seed if seed is None else seed)
    keep = _outputs(scenario, outputs or opts.get("outputs"))
    log10 = opts.get("log10") if log10 is None else log10
    correlated = _warn_correlated(scenario, "Morris")
    problem = {"num_vars": d, "names": list(names), "bounds": [[0.0, 1.0]] * d}
    t0 = time.perf_counter()
    x = salib_morris_sample.sample(problem, trajectories, num_levels=levels, seed=_derived_seed(seed, "morris:design"))
    rows = x.shape[0]
    check_memory(scenario, rows, keep)
    values, clipped = _values_from_uniforms(scenario, names, (x * (levels - 1) + 0.5) / levels)
    out, axes = _evaluate(scenario, values, rows, keep, chunk_size, progress, workers, scheduler)
    want = None if years is None else {int(y) for y in years}
    results: dict[str, OutputIndices] = {}
    for name in keep:
        y, transform = _transform(name, out.pop(name), log10)
        rest = y.shape[1:]
        flat = y.reshape(rows, -1)
        stats = {k: np.full((d, flat.shape[1]), np.nan) for k in STATS["morris"]}
        year_of_col = np.broadcast_to(
            scenario.years.reshape((-1,) + (1,) * (len(rest) - 1)) if "year" in axes[name] else np.zeros(1),
            rest or (1,)).reshape(-1)
        for c in range(flat.shape[1]):
            if want is not None and "year" in axes[name] and int(year_of_col[c]) not in want:
                continue
            si = salib_morris_analyze.analyze(problem, x, np.ascontiguousarray(flat[:, c]), num_resamples=num_resamples,
                                              conf_level=conf_level, num_levels=levels,
                                              seed=_derived_seed(seed, "morris:bootstrap"))
            for k in STATS["morris"]:
                stats[k][:, c] = np.asarray(si[k], dtype=float)
        results[name] = OutputIndices(transform, axes[name], {k: v.reshape((d,) + rest) for k, v in stats.items()})
    meta = {"method": "morris", "scenario": scenario.name, "source": scenario.source, "trajectories": trajectories,
            "levels": levels, "evaluations": rows, "seed": seed, "num_resamples": num_resamples,
            "conf_level": conf_level, "correlated": correlated, "clipped_samples": clipped,
            "wall_time_s": round(time.perf_counter() - t0, 4)}
    return SensitivityResult("morris", tuple(names), scenario.years.copy(), scenario.blocs, results, meta)


# ----------------------------------------------------------------------------------- tornado
def tornado(scenario: Scenario | str, *, outputs: tuple[str, ...] | None = None,
            quantiles: tuple[float, float] | None = None, bounds: dict[str, tuple[float, float]] | None = None,
            log10: bool | None = None, overrides: tuple[str, ...] = ()) -> SensitivityResult:
    """One-at-a-time swings: each parameter at its low and high value, all others at their medians.

    Low and high are the ``quantiles`` (default 5% and 95%) of each uncertain parameter, or the
    ``bounds`` given for it (which may also name a constant, to swing it too). ``swing`` is
    ``|output(high) - output(low)|``, in decades for outputs analysed in log10. Correlations are
    ignored: the other parameters stay at their medians.
    """
    scenario = _load(scenario, overrides)
    opts = options(scenario)
    keep = _outputs(scenario, outputs or opts.get("outputs"))
    log10 = opts.get("log10") if log10 is None else log10
    lo_q, hi_q = (quantiles or opts.get("quantiles") or (0.05, 0.95))
    bounds = dict(opts.get("bounds") or {}) | dict(bounds or {})
    unknown = [b for b in bounds if b not in scenario.params]
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(scenario.params), n=1)
        raise ScenarioError(scenario.source, [Issue("bounds", "unknown parameter", "a parameter of the scenario",
                                                    unknown[0], hint=f"Did you mean {close[0]!r}?" if close else "")])
    names = list(scenario.uncertain) + [b for b in bounds if b not in scenario.uncertain]
    if not names:
        _need_uncertain(scenario, "a tornado")
    d = len(names)
    rows = 1 + 2 * d
    u = {name: np.full(rows, 0.5) for name in scenario.uncertain}
    for j, name in enumerate(names):
        if name in u:
            u[name][1 + 2 * j] = lo_q
            u[name][2 + 2 * j] = hi_q
    values, _ = to_values(scenario, u)
    for j, name in enumerate(names):
        if name not in values:
            values[name] = np.full(rows, scenario.params[name].value)
        if name in bounds:
            values[name][1 + 2 * j], values[name][2 + 2 * j] = (float(v) for v in bounds[name])
    out, axes = evaluate_values(scenario, values, rows, keep=keep)
    results: dict[str, OutputIndices] = {}
    low_in = np.array([values[name][1 + 2 * j] for j, name in enumerate(names)])
    high_in = np.array([values[name][2 + 2 * j] for j, name in enumerate(names)])
    for name in keep:
        y, transform = _transform(name, out[name], log10)
        rest = y.shape[1:]
        low, high = y[1::2], y[2::2]
        stats = {"low_input": np.broadcast_to(low_in.reshape((d,) + (1,) * len(rest)), (d,) + rest).copy(),
                 "high_input": np.broadcast_to(high_in.reshape((d,) + (1,) * len(rest)), (d,) + rest).copy(),
                 "low": low, "high": high, "swing": np.abs(high - low)}
        results[name] = OutputIndices(transform, axes[name], stats, base=y[0])
    meta = {"method": "tornado", "scenario": scenario.name, "source": scenario.source, "quantiles": [lo_q, hi_q],
            "bounds": {k: list(v) for k, v in bounds.items()}, "evaluations": rows,
            "correlated": bool(scenario.correlations)}
    return SensitivityResult("tornado", tuple(names), scenario.years.copy(), scenario.blocs, results, meta)
