"""Sobol' first-order and total indices from a Saltelli design, with bootstrap intervals.

The estimators are SALib's (``SALib.analyze.sobol`` with ``calc_second_order=False``): Saltelli
et al. (2010) for S1 and Jansen (1999) for ST, written in numpy and vectorised over years and
outputs; ``estimator="salib"`` calls SALib itself.

References
----------
Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M., Tarantola, S. (2010). Variance
based sensitivity analysis of model output. Computer Physics Communications 181(2), 259-270.
doi:10.1016/j.cpc.2009.09.018
Jansen, M. J. W. (1999). Analysis of variance designs for model output. Computer Physics
Communications 117, 35-43. doi:10.1016/S0010-4655(98)00154-4
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from scipy import special

from costsim.budget import kept_floats
from costsim.callers import warn
from costsim.errors import CostsimWarning, Issue, ScenarioError
from costsim.sampling import param_rng, sobol_points
from costsim.scenario import Scenario
from costsim.sensitivity.common import (
    _EPS,
    STATS,
    OutputIndices,
    SensitivityResult,
    check_rows,
    default_n_base,
    derived_seed,
    evaluate_rows,
    load,
    need_salib,
    need_uncertain,
    options,
    outputs_of,
    transform_output,
    values_from_uniforms,
    warn_correlated,
)


def saltelli_uniforms(names: list[str], n_base: int, seed: int, design: str = "sobol") -> np.ndarray:
    """Uniform Saltelli design ``(d + 2, n_base, d)``: blocks A, B, then AB_1..AB_d.

    ``sobol``: one scrambled Sobol' sequence over 2d dimensions (A its first d columns, B the
    rest), as SALib's ``sobol.sample``, keyed by the seed and the names. ``mc``: A and B from each
    parameter's own name-keyed stream (first and second n_base draws).
    """
    d = len(names)
    if design == "sobol":
        if n_base & (n_base - 1):
            below = 1 << (n_base.bit_length() - 1)
            near = below if n_base - below <= 2 * below - n_base else 2 * below  # the nearer power of two
            warn(f"Sobol' design with n_base={n_base}: a power of two (e.g. {near}) "
                          "keeps the sequence balanced", CostsimWarning)
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
    need_salib("estimator='salib'")
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
    scenario = load(scenario, overrides)
    opts = options(scenario)
    names = need_uncertain(scenario, "Sobol' analysis")
    d = len(names)
    n_base = int(default_n_base(scenario) if n_base is None else n_base)
    if n_base < 2:
        raise ScenarioError(scenario.source, [Issue("n_base", "too few base rows", ">= 2", n_base)])
    seed = int(scenario.seed if seed is None else seed)
    keep = outputs_of(scenario, outputs or opts.get("outputs"))
    log10 = opts.get("log10") if log10 is None else log10
    num_resamples = int(opts.get("resamples", 100) if num_resamples is None else num_resamples)
    if num_resamples < 0:
        raise ScenarioError(scenario.source, [Issue("resamples", "must be a whole number", ">= 0", num_resamples)])
    if estimator not in ("numpy", "salib"):
        raise ScenarioError("estimator", [Issue("estimator", "unknown estimator", "numpy or salib", estimator)])
    correlated = warn_correlated(scenario, "Sobol'")
    rows = (d + 2) * n_base
    check_rows(scenario, rows, keep, analysis_floats=6.0 * kept_floats(scenario, keep),
               design_floats=len(names), chunk_size=chunk_size, what="the Sobol' design", flag="--n-base",
               per_unit=d + 2, unit="base rows", power_of_two=True)
    t0 = time.perf_counter()
    u = saltelli_uniforms(names, n_base, seed, design).reshape(rows, d)
    values, clipped = values_from_uniforms(scenario, names, u)
    del u
    out, axes = evaluate_rows(scenario, values, rows, keep, chunk_size, progress, workers, scheduler)
    del values
    boot_seed = derived_seed(seed, "sobol:bootstrap")
    results: dict[str, OutputIndices] = {}
    for name in keep:
        y, transform = transform_output(name, out.pop(name), log10)
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


