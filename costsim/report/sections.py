"""A report's sections: one scenario each, loaded, validated and run (or the error that stopped it)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from costsim.errors import ModelError, ScenarioError
from costsim.plots import PlotSpec, default_specs
from costsim.results import Results

DEFAULT_SAMPLES = 20_000
FIGURE_FORMATS = ("png",)  # what the pages show; SVG and PDF when asked (--formats png,svg)
MAX_COMPARISONS = 6
MAX_COMPARISONS_PER_GROUP = 3
ProgressFn = Callable[[str], None]


@dataclass
class FigureFile:
    """One figure of a section: files relative to the report folder, or the reason it is missing."""

    spec: PlotSpec
    png: str | None = None
    svg: str | None = None
    error: str | None = None
    key: str = ""  # content hash of what the figure is drawn from (figures.figure_key)
    files: tuple[str, ...] = ()  # every format written, in the report's format order
    size: tuple[int, int] | None = None  # pixel width and height of the PNG (the page reserves its room)

    @property
    def title(self) -> str:
        """A caption for a reader."""
        spec = self.spec
        out = spec.output or ""
        where = "".join(f" {x}" for x in (spec.bloc, spec.year) if x is not None)
        captions = {
            "fan": f"{out}{where} over the years: median with 50%, 80% and 90% intervals",
            "hist": f"Distribution of {out}{where} over the samples, with its median and 90% interval",
            "race": f"{out} by bloc over the years: median and 80% interval",
            "cdf": f"Cumulative distribution of {out}" + (f" crossing {spec.threshold:g}" if spec.threshold else ""),
            "tornado": f"What moves {out}{where}: one at a time, each parameter at its 5th and 95th percentile "
                       "with the others at their medians; parameters with no effect get no bar",
            "checks": "The checks: claim, measured value and verdict",
            "compare": f"{out} across scenarios: median and 80% interval",
            "history": f"{out}: the scenario's projection (median, 90% interval) over the data it was fitted to "
                       "(Epoch AI, CC BY 4.0) and the fitted trend",
            "fit": f"The data and fitted trend behind parameter {out} (Epoch AI, CC BY 4.0)",
            "sobol": f"Sobol' indices of {out}{where}: the share of its variance due to each parameter alone "
                     "(first order, S1) and with its interactions (total, ST), with 95% bootstrap intervals",
        }
        return captions.get(spec.kind, spec.describe())


@dataclass
class Section:
    """One scenario of the report: its Results, or why it has none."""

    name: str
    source: str
    results: Results | None = None
    key: str = ""  # file-name key, unique in the report (figures/<key>/, data/<key>_summary.csv)
    listed_outputs: bool = False  # the scenario lists outputs: in the author's order of interest
    summary_years: tuple[int, ...] = ()
    constants: dict[str, float] = field(default_factory=dict)
    specs: list[PlotSpec] = field(default_factory=list)
    figures: list[FigureFile] = field(default_factory=list)
    error: str | None = None
    error_kind: str | None = None  # "scenario" | "model"
    sobol: list[tuple[str, int | None, dict]] = field(default_factory=list)  # (output, year, indices)
    fits: list = field(default_factory=list)  # calibration.ScenarioFit of the scenario's fit: params
    tornados: dict = field(default_factory=dict)  # output -> one-at-a-time swings (sensitivity.tornado)

    @property
    def anchor(self) -> str:
        return "s-" + re.sub(r"[^A-Za-z0-9_-]+", "-", self.key or self.name)

    @property
    def failed_checks(self) -> int:
        """Checks the Monte Carlo error decides as failed (a CLOSE one has neither passed nor failed, as in `run`)."""
        return 0 if self.results is None else sum(c.verdict == "FAIL" for c in self.results.checks)

    @property
    def close_checks(self) -> int:
        """Checks too close to call at this sample count."""
        return 0 if self.results is None else sum(c.verdict == "CLOSE" for c in self.results.checks)

    @property
    def status(self) -> str:
        if self.error:
            return "ERROR"
        return "FAIL" if self.failed_checks else "OK"


@dataclass(frozen=True)
class ReportSummary:
    """What a report run produced: its folder, sections and the exit code the CLI should return."""

    folder: Path
    sections: tuple[Section, ...]
    comparisons: tuple[FigureFile, ...]

    @property
    def exit_code(self) -> int:
        """3 if a model failed, 2 if a scenario was invalid, 1 if a check failed, else 0."""
        kinds = {s.error_kind for s in self.sections if s.error}
        if "model" in kinds:
            return 3
        if "scenario" in kinds:
            return 2
        return 1 if any(s.failed_checks for s in self.sections) else 0


def bundled_scenarios(folder: str | Path = "scenarios") -> list[Path]:
    """The scenario files of a folder (``scenarios/*.yaml``), sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ScenarioError(str(folder), [_issue(
            "", "no scenarios folder here", "a folder scenarios/ with *.yaml files (run from the costsim "
            "repository) or scenario files on the command line", str(folder.resolve()))])
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise ScenarioError(str(folder), [_issue("", "no scenario files", "*.yaml files in the folder", None)])
    return files


def _issue(path, problem, expected, got):
    from costsim.errors import Issue

    return Issue(path, problem, expected, got)


def run_section(path: str | Path, *, samples: int | None = DEFAULT_SAMPLES, seed: int | None = None,
                overrides: Sequence[str] = (), design: str | None = None, run_options: dict | None = None
                ) -> Section:
    """Load, validate and run one scenario; errors become the section's ``error``.

    ``samples`` caps the sample count: each scenario runs ``min(samples, its samples:)`` (None:
    the scenario's own). ``design`` and ``run_options`` (``workers``, ``scheduler``) go to
    :func:`costsim.engine.run`. Only costsim's own errors (invalid scenario, unusable model
    output) are caught; anything else is a bug and propagates.
    """
    from costsim.engine import run
    from costsim.scenario import load_scenario

    path = Path(path)
    section = Section(path.stem, str(path))
    try:
        scenario = load_scenario(path, list(overrides))
        section.name, section.summary_years = scenario.name, tuple(int(y) for y in scenario.summary_years)
        section.constants = dict(scenario.constants)
        if scenario.plots is not None:  # checked when the scenario was validated
            section.specs = list(scenario.plots)
        n = scenario.samples if samples is None else min(int(samples), scenario.samples)
        section.results = run(scenario, n=n, seed=seed, design=design, **(run_options or {}))
    except ScenarioError as exc:
        section.error, section.error_kind = str(exc), "scenario"
        return section
    except ModelError as exc:
        section.error, section.error_kind = str(exc), "model"
        return section
    section.listed_outputs = scenario.outputs_listed
    section.sobol = sobol_for_report(scenario, seed)
    if scenario.fit_params:
        from costsim.calibration import scenario_fits

        section.fits = scenario_fits(dict(scenario.fit_params), Path(scenario.source).parent, as_of=scenario.as_of)
    if scenario.plots is None:
        section.specs = default_specs(section.results, prefer="first" if section.listed_outputs else "last")
    section.tornados = tornados_for_report(scenario, section.specs)
    return section


def tornado_key(spec: PlotSpec, years) -> tuple:
    """(output, year, bloc) of a tornado spec; the year defaults to the last for outputs over the years."""
    return spec.output, spec.year if spec.year is not None else int(years[-1]), spec.bloc


def tornados_for_report(scenario, specs: Sequence[PlotSpec]) -> dict[tuple, dict]:
    """The one-at-a-time swings behind the section's tornado figures, keyed by :func:`tornado_key`.

    The same method as ``costsim sensitivity --method tornado`` (each parameter at its 5th and
    95th percentile, the others at their medians), so a parameter with no effect gets no bar.
    A scenario with no uncertain parameter gets none (its tornado figure says so).
    """
    wanted = [s for s in specs if s.kind == "tornado"]
    if not wanted or not scenario.uncertain:
        return {}
    from costsim.sensitivity import tornado

    outputs = tuple(dict.fromkeys(s.output for s in wanted))
    res = tornado(scenario, outputs=outputs, log10=False)
    lo_q, hi_q = res.meta["quantiles"]
    found = {}
    for spec in wanted:
        key = tornado_key(spec, scenario.years)
        out = res.outputs[spec.output]
        year = key[1] if "year" in out.axes else None
        stats = res.at(spec.output, year, spec.bloc)
        found[key] = {"names": list(stats["names"]), "low": stats["low"], "high": stats["high"],
                      "base": stats["base"], "quantiles": (float(lo_q), float(hi_q))}
    return found


def sobol_for_report(scenario, seed: int | None) -> list[tuple[str, int | None, dict]]:
    """Sobol' indices for the report, when the scenario's ``sensitivity:`` block asks for Sobol'.

    The block's ``outputs``, ``years`` (default: the last year) and ``n_base`` apply; a scenario
    without the block gets none (the report's tornado needs no extra runs).
    """
    if scenario.sensitivity is None or scenario.sensitivity.method != "sobol" or not scenario.uncertain:
        return []
    from costsim.sensitivity import options, sobol

    opts = options(scenario)
    result = sobol(scenario, seed=seed, outputs=tuple(opts["outputs"]) if opts.get("outputs") else None)
    years = opts.get("years") or [int(scenario.years[-1])]
    found = []
    for name in result.outputs:
        for year in years:
            found.append((name, int(year), result.at(name, year)))
    return found
