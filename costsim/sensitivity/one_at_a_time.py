"""One-at-a-time swings (tornado): each parameter at its low and high value, the others at their medians."""

from __future__ import annotations

import difflib

import numpy as np

from costsim.errors import Issue, ScenarioError
from costsim.sampling import to_values
from costsim.scenario import Scenario
from costsim.sensitivity.common import (
    OutputIndices,
    SensitivityResult,
    evaluate_rows,
    load,
    need_uncertain,
    options,
    outputs_of,
    transform_output,
)


def tornado(scenario: Scenario | str, *, outputs: tuple[str, ...] | None = None,
            quantiles: tuple[float, float] | None = None, bounds: dict[str, tuple[float, float]] | None = None,
            log10: bool | None = None, overrides: tuple[str, ...] = ()) -> SensitivityResult:
    """One-at-a-time swings: each parameter at its low and high value, all others at their medians.

    Low and high are the ``quantiles`` (default 5% and 95%) of each uncertain parameter, or the
    ``bounds`` given for it (which may also name a constant, to swing it too). ``swing`` is
    ``|output(high) - output(low)|``, in decades for outputs analysed in log10. Correlations are
    ignored: the other parameters stay at their medians.
    """
    scenario = load(scenario, overrides)
    opts = options(scenario)
    keep = outputs_of(scenario, outputs or opts.get("outputs"))
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
        need_uncertain(scenario, "a tornado")
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
    out, axes = evaluate_rows(scenario, values, rows, keep)
    results: dict[str, OutputIndices] = {}
    low_in = np.array([values[name][1 + 2 * j] for j, name in enumerate(names)])
    high_in = np.array([values[name][2 + 2 * j] for j, name in enumerate(names)])
    for name in keep:
        y, transform = transform_output(name, out[name], log10)
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
