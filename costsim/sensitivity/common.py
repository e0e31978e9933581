"""What every sensitivity method shares: result types, the ``sensitivity:`` options, helpers."""

from __future__ import annotations

import csv
import difflib
import io
import math
from dataclasses import dataclass, field

import numpy as np

from costsim.callers import warn
from costsim.errors import CostsimError, CostsimWarning, Issue, ScenarioError
from costsim.sampling import apply_copula, copula_cholesky, name_key, to_values
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
def load(scenario: Scenario | str, overrides) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario, tuple(overrides))


def outputs_of(scenario: Scenario, outputs) -> tuple[str, ...]:
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


def transform_output(name: str, y: np.ndarray, log10: bool | None) -> tuple[np.ndarray, str]:
    want = spans_decades(name) if log10 is None else bool(log10)
    if not want:
        return y, "linear"
    if np.all(y > 0):
        return np.log10(y), "log10"
    warn(f"{name}: {int(np.count_nonzero(~(y > 0)))} values are <= 0 or NaN, so it is analysed without "
                  "log10", CostsimWarning)
    return y, "linear"


def derived_seed(seed: int, label: str) -> int:
    state = np.random.SeedSequence(int(seed), spawn_key=(name_key(label),)).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(1))


def warn_correlated(scenario: Scenario, method: str) -> bool:
    if not scenario.correlations:
        return False
    pairs = ", ".join(f"{a}~{b}" for a, b, _ in scenario.correlations)
    warn(f"{scenario.name}: {method} indices assume independent inputs, but the scenario correlates "
                  f"{pairs}; the indices are those of the independent factors behind the copula (the first "
                  "parameter of a correlated group also carries what it induces in the others)", CostsimWarning)
    return True


def evaluate_rows(scenario, values, rows, keep, chunk_size=None, progress=None, workers=None, scheduler=None):
    """Evaluate a design's rows through the one run path (in this process or on workers)."""
    from costsim.parallel import evaluate

    return evaluate(scenario, values, rows, keep=keep, chunk_size=chunk_size, progress=progress, workers=workers,
                    scheduler=scheduler)


def check_rows(scenario, rows: int, keep, *, analysis_floats: float = 0.0, design_floats: float = 0.0,
               chunk_size: int | None = None, what: str = "the analysis", flag: str = "--n-base",
               per_unit: int = 1, unit: str = "base rows", power_of_two: bool = False) -> None:
    """Refuse, before anything is drawn, a design whose peak memory would not fit."""
    from costsim import budget

    est = budget.estimate(scenario, rows, keep, chunk_size=chunk_size, analysis_floats=analysis_floats,
                          design_floats=design_floats)
    budget.check(scenario, est, what=what, path="rows", flag=flag, per_unit=per_unit, unit=unit,
                 power_of_two=power_of_two)


def need_uncertain(scenario: Scenario, method: str) -> list[str]:
    names = scenario.uncertain
    if not names:
        raise ScenarioError(scenario.source, [Issue("params", f"{method} needs uncertain parameters",
                                                    "at least one parameter with a dist:", 0)])
    return names


def need_salib(what: str):
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise CostsimError(f"{what} needs SALib, an optional extra; expected `pip install 'costsim[sensitivity]'` "
                           "(or `pip install SALib`)") from None


def values_from_uniforms(scenario: Scenario, names: list[str], u2d: np.ndarray):
    u = {name: np.ascontiguousarray(u2d[:, j]) for j, name in enumerate(names)}
    return to_values(scenario, apply_copula(u, copula_cholesky(scenario)))
