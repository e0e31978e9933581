"""Morris screening: elementary effects along SALib trajectories on a p-level grid.

References
----------
Morris, M. D. (1991). Factorial sampling plans for preliminary computational experiments.
Technometrics 33(2), 161-174. doi:10.1080/00401706.1991.10484804
Campolongo, F., Cariboni, J., Saltelli, A. (2007). An effective screening design for sensitivity
analysis of large models. Environmental Modelling & Software 22(10), 1509-1518.
doi:10.1016/j.envsoft.2006.10.004
Herman, J., Usher, W. (2017). SALib: An open-source Python library for sensitivity analysis.
Journal of Open Source Software 2(9), 97. doi:10.21105/joss.00097
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from costsim.errors import Issue, ScenarioError
from costsim.scenario import Scenario
from costsim.sensitivity.common import (
    STATS,
    OutputIndices,
    SensitivityResult,
    check_rows,
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
    need_salib("Morris screening")
    from SALib.analyze import morris as salib_morris_analyze
    from SALib.sample import morris as salib_morris_sample

    scenario = load(scenario, overrides)
    opts = options(scenario)
    names = need_uncertain(scenario, "Morris screening")
    d = len(names)
    trajectories = int(opts.get("trajectories", 100) if trajectories is None else trajectories)
    levels = int(opts.get("levels", 4) if num_levels is None else num_levels)
    if trajectories < 2:  # one trajectory has no spread (sigma nan); 0 was read as the default
        raise ScenarioError(scenario.source, [Issue("trajectories", "too few trajectories", ">= 2", trajectories)])
    if levels < 2 or levels % 2:
        raise ScenarioError(scenario.source, [Issue("levels", "Morris needs an even number of levels", "4, 6, 8...",
                                                    levels)])
    seed = int(scenario.seed if seed is None else seed)
    keep = outputs_of(scenario, outputs or opts.get("outputs"))
    log10 = opts.get("log10") if log10 is None else log10
    correlated = warn_correlated(scenario, "Morris")
    problem = {"num_vars": d, "names": list(names), "bounds": [[0.0, 1.0]] * d}
    t0 = time.perf_counter()
    x = salib_morris_sample.sample(problem, trajectories, num_levels=levels, seed=derived_seed(seed, "morris:design"))
    rows = x.shape[0]
    check_rows(scenario, rows, keep, design_floats=len(names), chunk_size=chunk_size,
               what="the Morris design", flag="--trajectories", per_unit=d + 1, unit="trajectories")
    values, clipped = values_from_uniforms(scenario, names, (x * (levels - 1) + 0.5) / levels)
    out, axes = evaluate_rows(scenario, values, rows, keep, chunk_size, progress, workers, scheduler)
    want = None if years is None else {int(y) for y in years}
    results: dict[str, OutputIndices] = {}
    for name in keep:
        y, transform = transform_output(name, out.pop(name), log10)
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
                                              seed=derived_seed(seed, "morris:bootstrap"))
            for k in STATS["morris"]:
                stats[k][:, c] = np.asarray(si[k], dtype=float)
        results[name] = OutputIndices(transform, axes[name], {k: v.reshape((d,) + rest) for k, v in stats.items()})
    meta = {"method": "morris", "scenario": scenario.name, "source": scenario.source, "trajectories": trajectories,
            "levels": levels, "evaluations": rows, "seed": seed, "num_resamples": num_resamples,
            "conf_level": conf_level, "correlated": correlated, "clipped_samples": clipped,
            "wall_time_s": round(time.perf_counter() - t0, 4)}
    return SensitivityResult("morris", tuple(names), scenario.years.copy(), scenario.blocs, results, meta)


