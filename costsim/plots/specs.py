"""The ``plots:`` key of a scenario: which figures it produces, checked up front, with defaults.

A scenario lists figure entries::

    plots:
      - {kind: fan, output: training_cost_usd, log: true}
      - {kind: race, output: largest_run_effective_flop}
      - {kind: cdf, output: capability_crossing_year}
      - {kind: hist, output: implied_mfu_frac, year: 2024}
      - {kind: tornado, output: effective_flop, year: 2030}
      - {kind: checks}

Without ``plots:`` a scenario gets :func:`default_specs`: a fan chart of each output over the
years (at most six; histograms for a single-year scenario), a race chart of each per-bloc output,
a CDF of each per-sample value (crossing years), a tornado of the first varying output, and the
checks table when there are checks.
"""

from __future__ import annotations

from costsim.scenario.sections import ENTRY_KEYS, KINDS, PlotSpec, parse_plots

__all__ = ["ENTRY_KEYS", "KINDS", "PlotSpec", "default_specs", "draw", "parse_plots"]

MAX_DEFAULT_FANS = 6
MAX_DEFAULT_RACES = 3
MAX_DEFAULT_CDFS = 3


def default_specs(results, *, prefer: str = "first") -> list[PlotSpec]:
    """The figures a scenario without ``plots:`` gets, chosen from the shapes of its outputs.

    A fan chart of each output over the years (histograms for a single-year scenario; at most
    MAX_DEFAULT_FANS), a race chart of each per-bloc output (at most MAX_DEFAULT_RACES), a CDF of
    each per-sample value such as a crossing year (at most MAX_DEFAULT_CDFS), a tornado of the
    first output that varies, and the checks table. 0/1 flags and outputs that are the same in
    every sample are left out. ``prefer="last"`` keeps the last outputs when there are more than
    the caps: without an ``outputs:`` list the outputs come in model order, and the downstream
    ones are the results a reader wants.
    """
    if prefer not in ("first", "last"):
        raise ValueError(f"prefer must be 'first' or 'last', got {prefer!r}")
    multi_year = len(results.years) > 1

    def pick(names: list[str], cap: int) -> list[str]:
        chosen = names[:cap] if prefer == "first" else names[-cap:] if cap else []
        return [n for n in names if n in chosen]

    outputs = [n for n in results.outputs if not n.endswith("_flag")]
    year_outputs = [n for n in outputs if results.axes_of(n) == ("year",) and _varies(results.outputs[n])]
    bloc_outputs = [n for n in outputs if results.axes_of(n) == ("year", "bloc") and _varies(results.outputs[n])]
    per_sample = [n for n in outputs if results.axes_of(n) in ((), ("bloc",)) and _varies(results.outputs[n])]
    specs: list[PlotSpec] = []
    for name in pick(year_outputs, MAX_DEFAULT_FANS):
        # an output the same in every year (a cluster's power) has a distribution, not a trend
        over_years = multi_year and _varies_over_years(results.outputs[name])
        specs.append(PlotSpec("fan", name) if over_years else PlotSpec("hist", name))
    for name in pick(bloc_outputs, MAX_DEFAULT_RACES):
        specs.append(PlotSpec("race", name) if multi_year else PlotSpec("hist", name, bloc=results.blocs[0]))
    for name in pick(per_sample, MAX_DEFAULT_CDFS):
        specs.append(PlotSpec("cdf", name))
    fans = pick(year_outputs, MAX_DEFAULT_FANS)
    scalars = [n for n in per_sample if results.axes_of(n) == ()]
    # the tornado explains the headline: the first listed output, or the most downstream one
    targets = fans + scalars if prefer == "first" else scalars[::-1] + fans[::-1]
    driver = _tornado_default(results, targets, bloc_outputs)
    if driver is not None:
        specs.append(driver)
    if results.checks:
        specs.append(PlotSpec("checks"))
    return specs


def _varies(arr) -> bool:
    import numpy as np

    a = np.asarray(arr, dtype=float)
    return bool(a.size) and bool(np.nanmax(a) > np.nanmin(a))


def _varies_over_years(arr) -> bool:
    import numpy as np

    a = np.asarray(arr, dtype=float)
    return bool(np.any(a != a[:, :1]))


def _tornado_default(results, targets: list[str], bloc_outputs: list[str]) -> PlotSpec | None:
    """A tornado of the first target that varies (at the last year), when two or more parameters vary."""
    if sum(_varies(v) for v in results.params.values()) < 2:
        return None
    last = int(results.years[-1])
    for name in targets:
        if "year" in results.axes_of(name):
            if _varies(results.at_year(name, last)):
                return PlotSpec("tornado", name, year=last if len(results.years) > 1 else None)
        elif _varies(results.outputs[name]):
            return PlotSpec("tornado", name)
    for name in bloc_outputs:
        if _varies(results.at_year(name, last, results.blocs[0])):
            return PlotSpec("tornado", name, year=last, bloc=results.blocs[0])
    return None


def draw(spec: PlotSpec, results, *, tornado: dict | None = None):
    """Draw one PlotSpec from Results on a new Figure; return its Axes.

    ``tornado``: the one-at-a-time swings of a tornado spec (``{"names", "low", "high", "base",
    "quantiles"}``, e.g. from ``costsim.sensitivity.tornado(...).at(output, year, bloc)``), as the
    report and ``costsim plot SCENARIO`` draw it. Without them a tornado is read from the samples
    (:func:`costsim.plots.tornado_from_samples`) with each bar's Monte Carlo error, and bars within
    two errors of zero are left out; the figure says which of the two methods it shows.
    """
    from costsim.plots.checks import checks_table
    from costsim.plots.fan import distribution, fan
    from costsim.plots.race import cdf, race
    from costsim.plots.tornado import tornado as tornado_plot
    from costsim.plots.tornado import tornado_from_samples

    if spec.kind == "fan":
        return fan(results, spec.output, bloc=spec.bloc, log=spec.log, title=spec.title)
    if spec.kind == "hist":
        return distribution(results, spec.output, year=spec.year, bloc=spec.bloc, log=spec.log, title=spec.title)
    if spec.kind == "race":
        return race(results, spec.output, log=spec.log, title=spec.title)
    if spec.kind == "cdf":
        return cdf(results, spec.output, threshold=spec.threshold,
                   blocs=None if spec.bloc is None else [spec.bloc], title=spec.title)
    if spec.kind == "tornado":
        year = spec.year if spec.year is not None else (
            int(results.years[-1]) if "year" in results.axes_of(spec.output) else None)
        over_years = "year" in results.axes_of(spec.output) and len(results.years) > 1
        where = f" in {year}" if year is not None and (spec.year is not None or over_years) else ""
        title = spec.title or f"{results.meta.get('scenario', '')}: what moves {spec.output}{where}".lstrip(": ")
        if tornado is not None:
            lo_q, hi_q = tornado.get("quantiles", (0.05, 0.95))
            return tornado_plot(tornado, output=spec.output, log=spec.log, title=title,
                                low_label=f"parameter at its {_pct(lo_q)} percentile",
                                high_label=f"parameter at its {_pct(hi_q)} percentile",
                                method="one at a time: each parameter swung alone, the others at their medians")
        data = tornado_from_samples(results, spec.output, year=year, bloc=spec.bloc)
        return tornado_plot(data, output=spec.output, log=spec.log, title=title,
                            low_label="median, parameter in its lowest 10%",
                            high_label="median, parameter in its highest 10%",
                            method="from the samples: median with each parameter in its lowest / highest 10%, "
                                   "others as sampled; whiskers: 2 MC errors")
    if spec.kind == "checks":
        return checks_table(results, title=spec.title)
    raise ValueError(f"unknown figure kind {spec.kind!r}; expected one of {', '.join(KINDS)}")


def _pct(q: float) -> str:
    p = round(100 * float(q), 1)
    text = f"{p:g}"
    suffix = "th" if 10 <= p % 100 <= 20 or int(p) != p else {1: "st", 2: "nd", 3: "rd"}.get(int(p) % 10, "th")
    return text + suffix
