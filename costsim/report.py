"""The report: run scenarios, draw their figures, and write index.html, report.md and report.json.

Layout of a report folder (written atomically: built in a hidden sibling and renamed into place,
so a failed or interrupted report never replaces a good one)::

    index.html                 opens offline in a browser: no scripts, no external fetches
    report.md                  the same content in Markdown
    report.json                scenarios, seeds, n, checks, figures, versions (no timestamps)
    figures/<scenario>/*.png   every figure as PNG (embedded in the HTML) and SVG (linked)
    data/<scenario>_summary.csv  the tidy summary of each run

The same scenarios, seed and n give byte-identical SVG files, HTML and Markdown.
A scenario that fails to load or run becomes an error section; the others are reported.
"""

from __future__ import annotations

import html
import json
import math
import platform
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from costsim import __version__
from costsim.errors import ModelError, ScenarioError
from costsim.plots import PlotSpec, default_specs, draw, fan_compare, save_figure
from costsim.plots.style import fmt_number, fmt_se
from costsim.results import Results
from costsim.store import atomic_folder, check_target
from costsim.units import suffix_of, unit_of

DEFAULT_SAMPLES = 20_000
FIGURE_FORMATS = ("png", "svg")
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
            "tornado": f"What moves {out}{where}: its median when each parameter is in its lowest / highest 10%",
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

    @property
    def anchor(self) -> str:
        return "s-" + re.sub(r"[^A-Za-z0-9_-]+", "-", self.key or self.name)

    @property
    def failed_checks(self) -> int:
        return 0 if self.results is None else sum(not c.passed for c in self.results.checks)

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


# ---------------------------------------------------------------------------------- running
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
    return section


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


def write_figures(section: Section, folder: Path, formats: Sequence[str] = FIGURE_FORMATS) -> None:
    """Draw the section's figures into ``folder/figures/<key>/``.

    A figure that cannot be drawn (e.g. no finite samples) is recorded with its reason instead.
    """
    if section.results is None:
        return
    rel = Path("figures") / (section.key or section.name)
    (folder / rel).mkdir(parents=True, exist_ok=True)
    section.figures = []
    for spec in section.specs:
        fig = FigureFile(spec)
        try:
            ax = draw(spec, section.results)
        except (ValueError, KeyError) as exc:
            fig.error = str(exc).strip("'\"")
            section.figures.append(fig)
            continue
        _save(ax, fig, folder, rel, formats)
        section.figures.append(fig)
    from costsim.plots import sobol_bars

    from costsim.plots.calibration import plot_fit, plot_projection_over_history

    for f in section.fits:
        results = section.results
        if f.overlay and f.overlay in results.outputs and "year" in results.axes_of(f.overlay):
            qs = (0.05, 0.5, 0.95)
            values = results.quantiles(f.overlay, qs)
            ax = plot_projection_over_history(f.trend, results.years, dict(zip(qs, values, strict=True)),
                                              label=f"{section.name}: {f.overlay}")
            fig = FigureFile(PlotSpec("history", f.overlay))
        else:
            ax = plot_fit(f.trend)
            fig = FigureFile(PlotSpec("fit", f.name))
        _save(ax, fig, folder, rel, formats)
        section.figures.append(fig)
    for output, year, data in section.sobol:
        fig = FigureFile(PlotSpec("sobol", output, year=year))
        title = f"{section.name}: share of the variance of {output} in {year}, by parameter"
        _save(sobol_bars(data, output=output, title=title), fig, folder, rel, formats)
        section.figures.append(fig)


def _save(ax, fig: FigureFile, folder: Path, rel: Path, formats: Sequence[str]) -> None:
    for fmt in formats:
        name = (rel / f"{fig.spec.stem}.{fmt}").as_posix()
        save_figure(ax, folder / name)
        if fmt == "png":
            fig.png = name
        elif fmt == "svg":
            fig.svg = name
    ax.figure.clear()  # figures are not tracked by pyplot; this frees their artists now


def comparison_candidates(sections: Sequence[Section]) -> list[tuple[str, int | None, list[Section]]]:
    """Outputs to overlay across scenarios: ``(output, bloc, sections)``.

    Candidates are outputs over the years that two or more multi-year sections share (a per-bloc
    output is compared for its last bloc, the follower). They are ranked by how many scenarios
    share them, then drawn in a section's figures first, per-bloc first, then in the order of a
    scenario's ``outputs:`` list, or downstream (later) outputs first when it has none.
    ``x_log10`` is skipped when ``x`` is a candidate. Each comparison is credited to its first
    scenario, which gets at most MAX_COMPARISONS_PER_GROUP, so related scenarios (the
    export-control variants) do not crowd out the others; MAX_COMPARISONS in all.
    """
    shared: dict[tuple[str, int | None], list[Section]] = {}
    rank: dict[tuple[str, int | None], tuple] = {}
    for s in sections:
        r = s.results
        if r is None or len(r.years) < 2:
            continue
        drawn = {spec.output for spec in s.specs if spec.kind in ("fan", "race")}
        names = [n for n in r.outputs if r.axes_of(n) in (("year",), ("year", "bloc")) and not n.endswith("_flag")]
        for pos, name in enumerate(names):
            key = (name, -1 if "bloc" in r.axes_of(name) else None)
            shared.setdefault(key, []).append(s)
            best = (0 if name in drawn else 1, 0 if key[1] is not None else 1, pos if s.listed_outputs else -pos)
            rank[key] = min(rank.get(key, best), best)
    names = {k[0] for k in shared}
    keys = [k for k, group in shared.items() if len(group) >= 2
            and not (k[0].endswith("_log10") and k[0][: -len("_log10")] in names)]
    keys.sort(key=lambda k: (-len(shared[k]), rank[k]))
    out, credit = [], {}
    for key in keys:
        first = shared[key][0].key or shared[key][0].name
        if credit.get(first, 0) >= MAX_COMPARISONS_PER_GROUP:
            continue
        credit[first] = credit.get(first, 0) + 1
        out.append((key[0], key[1], shared[key]))
    return out[:MAX_COMPARISONS]


def comparison_figures(sections: Sequence[Section], folder: Path,
                       formats: Sequence[str] = FIGURE_FORMATS) -> list[FigureFile]:
    """Overlay scenarios that share an output over the years (see :func:`comparison_candidates`)."""
    out = []
    rel = Path("figures") / "_compare"
    for name, bloc, group in comparison_candidates(sections):
        (folder / rel).mkdir(parents=True, exist_ok=True)
        stem = f"compare_{name}" + ("_follower" if bloc is not None else "")
        spec = PlotSpec("compare", name, bloc=None if bloc is None else "follower", file=stem)
        ax = fan_compare([s.results for s in group], name, labels=[s.name for s in group], bloc=bloc)
        fig = FigureFile(spec)
        _save(ax, fig, folder, rel, formats)
        out.append(fig)
    return out


# ---------------------------------------------------------------------------------- tables
def _years_for(results: Results, summary_years: Sequence[int] = ()) -> list[int]:
    years = [int(y) for y in results.years]
    chosen = [int(y) for y in summary_years if y in years]
    return chosen or list(dict.fromkeys([years[0], years[len(years) // 2], years[-1]]))


def summary_table(results: Results, years: Sequence[int] | None = None) -> list[dict]:
    """Rows ``{output, unit, bloc, year, median, p05, p95}`` at the given years.

    Default years: first, middle and last. One row per output x bloc x year; per-sample outputs
    get one row per bloc.
    """
    years = _years_for(results) if years is None else list(years)
    rows = []
    for name, _arr in results.outputs.items():
        axes = results.axes_of(name)
        unit = unit_of(name) if suffix_of(name) else ""
        blocs = list(results.blocs) if "bloc" in axes else [None]
        yrs = years if "year" in axes else [None]
        for bloc in blocs:
            for yr in yrs:
                x = np.asarray(results.at_year(name, yr, bloc), dtype=float)
                p05, p50, p95 = np.quantile(x, [0.05, 0.5, 0.95])
                rows.append({"output": name, "unit": unit, "bloc": bloc or "", "year": "" if yr is None else yr,
                             "median": float(p50), "p05": float(p05), "p95": float(p95)})
    return rows


def param_table(results: Results, constants: dict[str, float] | None = None) -> list[dict]:
    """Rows ``{name, unit, dist, median, p05, p95, source, note}``, one per parameter.

    Sampled parameters are summarised from their samples, constants by their value.
    """
    meta = results.meta.get("params", {}) or {}
    rows = []
    for name, info in meta.items():
        unit = unit_of(name) if suffix_of(name) else ""
        row = {"name": name, "unit": unit, "dist": info.get("dist", ""), "source": info.get("source") or "",
               "note": info.get("note") or "", "median": math.nan, "p05": math.nan, "p95": math.nan}
        if name in results.params:
            p05, p50, p95 = np.quantile(np.asarray(results.params[name], dtype=float), [0.05, 0.5, 0.95])
            row.update(median=float(p50), p05=float(p05), p95=float(p95))
        else:
            value = _constant_value(name, info, constants or {})
            row.update(median=value, p05=value, p95=value, dist="constant")
        rows.append(row)
    return rows


def _constant_value(name: str, info: dict, constants: dict[str, float]) -> float:
    if name in constants:
        return float(constants[name])
    try:
        return float(str(info.get("dist", "")).split()[-1])
    except (ValueError, IndexError):
        return math.nan


def _interval(lo: float, hi: float) -> str:
    return fmt_number(lo) if lo == hi else f"[{fmt_number(lo)}, {fmt_number(hi)}]"


def _check_measured(c) -> str:
    se = f" ± {fmt_se(c.se)}" if c.se == c.se and c.se > 0 else ""
    return f"{fmt_number(c.value)}{se}"


def _check_note(c, n: int) -> str:
    if c.conclusive:
        return ""
    more = f"; about {c.needed_samples:,} samples would settle it" if c.needed_samples else ""
    return f"too close to call at n={n:,}{more}"


def _verdict(c) -> str:
    return ("PASS" if c.passed else "FAIL") + ("" if c.conclusive else "?")


# ---------------------------------------------------------------------------------- markdown
def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(results: Results, *, years: Sequence[int] | None = None, figures: Sequence[FigureFile] = (),
             constants: dict[str, float] | None = None, heading: int = 2) -> str:
    """Markdown of one run: run facts, checks, figures, quantiles at chosen years, parameters with sources."""
    h = "#" * heading
    meta = results.meta
    name = meta.get("scenario", "scenario")
    out = [f"{h} {name}", ""]
    desc = " ".join(str(meta.get("description") or "").split())
    if desc:
        out += [desc, ""]
    out += [(f"n = {results.n:,} samples, seed {meta.get('seed')}, design {meta.get('design')}, "
            f"source `{meta.get('source', '')}`"), ""]
    if results.checks:
        passed = sum(c.passed for c in results.checks)
        out += [f"{h}# Checks: {passed} of {len(results.checks)} passed", "",
                "| verdict | claim | test | measured ± MC error |", "|---|---|---|---|"]
        for c in results.checks:
            note = _check_note(c, results.n)
            out.append(f"| **{_verdict(c)}** | {_md(c.claim)} | {_md(c.description)} | {_check_measured(c)}"
                       f"{' (' + note + ')' if note else ''} |")
        out.append("")
    if figures:
        out += [f"{h}# Figures", ""]
        for f in figures:
            if f.png:
                out += [f"![{f.title}]({f.png})", "", f"[SVG]({f.svg})" if f.svg else "", ""]
            else:
                out += [f"*{f.title}: not drawn ({_md(f.error)})*", ""]
    yrs = _years_for(results) if years is None else list(years)
    out += [f"{h}# Summary (median and 90% interval)", "", "| output | bloc | year | median | 90% interval | unit |",
            "|---|---|---|---|---|---|"]
    for r in summary_table(results, yrs):
        out.append(f"| {r['output']} | {r['bloc']} | {r['year']} | {fmt_number(r['median'])} | "
                   f"{_interval(r['p05'], r['p95'])} | {_md(r['unit'])} |")
    out += ["", f"{h}# Parameters", "", "| parameter | distribution | median | 90% interval | unit | source |",
            "|---|---|---|---|---|---|"]
    for p in param_table(results, constants):
        src = p["source"] + (f" ({p['note']})" if p["note"] else "")
        out.append(f"| {p['name']} | {_md(p['dist'])} | {fmt_number(p['median'])} | {_interval(p['p05'], p['p95'])}"
                   f" | {_md(p['unit'])} | {_md(' '.join(src.split()))} |")
    clipped = meta.get("clipped_samples") or {}
    if clipped:
        out += ["", "Clipped to min/max: " + ", ".join(f"{k}: {v:,} samples" for k, v in clipped.items())]
    out.append("")
    return "\n".join(out)


def report_markdown(sections: Sequence[Section], comparisons: Sequence[FigureFile] = ()) -> str:
    """The whole report as Markdown."""
    out = ["# costsim report", "", _overview_sentence(sections), "",
           "| scenario | status | n | seed | checks |", "|---|---|---|---|---|"]
    for s in sections:
        r = s.results
        checks = f"{len(r.checks) - s.failed_checks} of {len(r.checks)} passed" if r is not None and r.checks else ""
        out.append(f"| [{s.name}](#{s.name.lower()}) | {s.status} | {f'{r.n:,}' if r else ''} | "
                   f"{r.meta.get('seed') if r else ''} | {checks} |")
    out.append("")
    if comparisons:
        out += ["## Scenarios compared", ""]
        for f in comparisons:
            out += [f"![{f.title}]({f.png})", ""]
    for s in sections:
        if s.results is None:
            out += [f"## {s.name}", "", f"**ERROR** ({s.error_kind}) in `{s.source}`:", "", "```", s.error or "",
                    "```", ""]
        else:
            out.append(markdown(s.results, years=_years_for(s.results, s.summary_years), figures=s.figures,
                                constants=s.constants))
    out += [_versions_line(), ""]
    return "\n".join(out)


def _overview_sentence(sections: Sequence[Section]) -> str:
    ok = sum(s.status == "OK" for s in sections)
    fail = sum(s.status == "FAIL" for s in sections)
    err = sum(s.status == "ERROR" for s in sections)
    noun = "scenario" if len(sections) == 1 else "scenarios"
    parts = [f"{len(sections)} {noun}: {ok} ran with every check passing"]
    if fail:
        parts.append(f"{fail} with failed checks")
    if err:
        parts.append(f"{err} could not run")
    return ", ".join(parts) + "."


def versions() -> dict[str, str]:
    import matplotlib
    import scipy

    return {"costsim": __version__, "numpy": np.__version__, "scipy": scipy.__version__,
            "matplotlib": matplotlib.__version__, "python": platform.python_version()}


def _versions_line() -> str:
    return "Made with " + ", ".join(f"{k} {v}" for k, v in versions().items()) + "."


# ---------------------------------------------------------------------------------- html
CSS = """
:root { --ok: #1a7f37; --fail: #cf222e; --err: #9a6700; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font: 15px/1.5 "DejaVu Sans", system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328;
       margin: 0; background: #f6f8fa; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; }
h1 { margin: 0 0 4px; font-size: 28px; }
h2 { margin: 40px 0 8px; padding-top: 16px; border-top: 2px solid var(--line); font-size: 22px; }
h3 { margin: 24px 0 8px; font-size: 17px; }
p.lead, p.meta { color: var(--muted); margin: 4px 0; }
code { font-size: 13px; background: #f6f8fa; padding: 1px 4px; border-radius: 4px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.src { color: var(--muted); font-size: 12px; max-width: 420px; }
.badge { display: inline-block; min-width: 52px; text-align: center; padding: 1px 8px; border-radius: 10px;
         color: #fff; font-weight: 700; font-size: 12px; }
.OK, .PASS { background: var(--ok); } .FAIL { background: var(--fail); } .ERROR { background: var(--err); }
.figs { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 16px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px; background: #fff; }
figure img { width: 100%; height: auto; display: block; }
figcaption { font-size: 12px; color: var(--muted); margin-top: 4px; }
figure.wide { grid-column: 1 / -1; }
pre.error { background: #fff8c5; border: 1px solid #d4a72c; padding: 12px; white-space: pre-wrap; font-size: 13px; }
nav table td:first-child a { font-weight: 600; }
footer { margin-top: 48px; color: var(--muted); font-size: 12px; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _badge(word: str) -> str:
    cls = word.rstrip("?")
    return f'<span class="badge {cls}">{_e(word)}</span>'


def _figure_html(f: FigureFile) -> str:
    wide = " wide" if f.spec.kind == "checks" else ""
    if not f.png:
        return f'<figure{wide}><figcaption>{_e(f.title)}: not drawn ({_e(f.error)})</figcaption></figure>'
    svg = f' · <a href="{_e(f.svg)}">SVG</a>' if f.svg else ""
    return (f'<figure class="fig{wide}"><a href="{_e(f.png)}"><img src="{_e(f.png)}" alt="{_e(f.title)}" '
            f'loading="eager"></a><figcaption>{_e(f.title)} · <a href="{_e(f.png)}">PNG</a>{svg}</figcaption>'
            "</figure>")


def section_html(s: Section) -> str:
    """The HTML of one scenario section."""
    out = [f'<section id="{_e(s.anchor)}">', f"<h2>{_e(s.name)} {_badge(s.status)}</h2>"]
    if s.results is None:
        out += [(f'<p class="meta">{_e(s.error_kind)} error in <code>{_e(s.source)}</code>; the scenario was not '
                "run. Fix it and run the report again.</p>"), f'<pre class="error">{_e(s.error)}</pre>', "</section>"]
        return "\n".join(out)
    r = s.results
    meta = r.meta
    desc = " ".join(str(meta.get("description") or "").split())
    if desc:
        out.append(f'<p class="lead">{_e(desc)}</p>')
    out.append(f'<p class="meta">n = {r.n:,} samples · seed {_e(meta.get("seed"))} · design '
               f'{_e(meta.get("design"))} · source <code>{_e(meta.get("source", s.source))}</code> · '
               f'<a href="data/{_e(s.key or s.name)}_summary.csv">summary CSV</a></p>')
    if r.checks:
        passed = sum(c.passed for c in r.checks)
        out += [f"<h3>Checks: {passed} of {len(r.checks)} passed</h3>",
                "<table><tr><th>verdict</th><th>claim</th><th>test</th><th>measured ± MC error</th></tr>"]
        for c in r.checks:
            note = _check_note(c, r.n)
            note_html = f'<br><small class="src">{_e(note)}</small>' if note else ""
            out.append(f"<tr><td>{_badge(_verdict(c))}</td><td>{_e(c.claim)}</td><td><code>{_e(c.description)}"
                       f"</code></td><td class=\"num\">{_e(_check_measured(c))}{note_html}</td></tr>")
        out.append("</table>")
        table_fig = next((f for f in s.figures if f.spec.kind == "checks" and f.png), None)
        if table_fig:
            svg = f' · <a href="{_e(table_fig.svg)}">SVG</a>' if table_fig.svg else ""
            out.append(f'<p class="meta">The checks as a figure: <a href="{_e(table_fig.png)}">PNG</a>{svg}</p>')
    if s.figures:
        out += ["<h3>Figures</h3>", '<div class="figs">']
        out += [_figure_html(f) for f in s.figures if f.spec.kind != "checks"]
        out.append("</div>")
    years = _years_for(r, s.summary_years)
    out += ["<h3>Summary: median and 90% interval</h3>",
            ("<table><tr><th>output</th><th>bloc</th><th>year</th><th>median</th><th>90% interval</th>"
            "<th>unit</th></tr>")]
    for row in summary_table(r, years):
        out.append(f"<tr><td><code>{_e(row['output'])}</code></td><td>{_e(row['bloc'])}</td><td>{_e(row['year'])}"
                   f"</td><td class=\"num\">{_e(fmt_number(row['median']))}</td><td class=\"num\">"
                   f"{_e(_interval(row['p05'], row['p95']))}</td><td>{_e(row['unit'])}</td></tr>")
    out.append("</table>")
    out += ["<h3>Parameters</h3>", ("<table><tr><th>parameter</th><th>distribution</th><th>median</th>"
            "<th>90% interval</th><th>unit</th><th>source</th></tr>")]
    for p in param_table(r, s.constants):
        note = f"<br><i>{_e(p['note'])}</i>" if p["note"] else ""
        out.append(f"<tr><td><code>{_e(p['name'])}</code></td><td>{_e(p['dist'])}</td><td class=\"num\">"
                   f"{_e(fmt_number(p['median']))}</td><td class=\"num\">{_e(_interval(p['p05'], p['p95']))}</td>"
                   f"<td>{_e(p['unit'])}</td><td class=\"src\">{_e(p['source'])}{note}</td></tr>")
    out.append("</table>")
    clipped = meta.get("clipped_samples") or {}
    if clipped:
        out.append('<p class="meta">Clipped to min/max: '
                   + _e(", ".join(f"{k}: {v:,} samples" for k, v in clipped.items())) + "</p>")
    out.append("</section>")
    return "\n".join(out)


def report_html(sections: Sequence[Section], comparisons: Sequence[FigureFile] = (), *,
                title: str = "costsim report", refresh_s: int | None = None) -> str:
    """The whole report as one HTML page (inline CSS; images by relative path)."""
    head = ['<!DOCTYPE html>', '<html lang="en">', "<head>", '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">', f"<title>{_e(title)}</title>"]
    if refresh_s:
        head.append(f'<meta http-equiv="refresh" content="{int(refresh_s)}">')
    head += [f"<style>{CSS}</style>", "</head>", "<body>", "<main>", f"<h1>{_e(title)}</h1>",
             f'<p class="lead">{_e(_overview_sentence(sections))}</p>', "<nav><table>",
             "<tr><th>scenario</th><th>status</th><th>n</th><th>seed</th><th>checks</th><th>figures</th></tr>"]
    for s in sections:
        r = s.results
        checks = f"{len(r.checks) - s.failed_checks} of {len(r.checks)} passed" if r is not None and r.checks else ""
        figs = sum(1 for f in s.figures if f.png)
        head.append(f'<tr><td><a href="#{_e(s.anchor)}">{_e(s.name)}</a></td><td>{_badge(s.status)}</td>'
                    f'<td class="num">{f"{r.n:,}" if r else ""}</td><td class="num">'
                    f'{_e(r.meta.get("seed")) if r else ""}</td><td>{_e(checks)}</td><td class="num">{figs}</td></tr>')
    head.append("</table></nav>")
    body = []
    if comparisons:
        body += ['<section id="compare">', "<h2>Scenarios compared</h2>",
                 '<p class="meta">Median and 80% interval of outputs that several scenarios share.</p>',
                 '<div class="figs">', *[_figure_html(f) for f in comparisons], "</div>", "</section>"]
    body += [section_html(s) for s in sections]
    foot = [(f"<footer>{_e(_versions_line())} Figures: PNG shown, SVG linked; tables: median and 90% interval "
            "(5th to 95th percentile) of the Monte Carlo samples; MC error = Monte Carlo standard error.</footer>"),
            "</main>", "</body>", "</html>", ""]
    return "\n".join(head + body + foot)


def report_manifest(sections: Sequence[Section], comparisons: Sequence[FigureFile] = (),
                    samples_cap: int | None = None) -> dict:
    """report.json: what was run and with what; no timestamps, so equal inputs give equal bytes."""
    entries = []
    for s in sections:
        e = {"name": s.name, "source": s.source, "status": s.status}
        if s.results is not None:
            r = s.results
            e.update(n=r.n, seed=r.meta.get("seed"), design=r.meta.get("design"),
                     scenario_sha256=r.meta.get("scenario_sha256"),
                     checks={"passed": sum(c.passed for c in r.checks), "total": len(r.checks)},
                     figures=[{"kind": f.spec.kind, "output": f.spec.output, "png": f.png, "svg": f.svg,
                               "error": f.error} for f in s.figures])
        else:
            e.update(error_kind=s.error_kind, error=s.error)
        entries.append(e)
    return {"costsim_version": __version__, "kind": "report", "samples_cap": samples_cap, "versions": versions(),
            "scenarios": entries, "comparisons": [{"output": f.spec.output, "png": f.png, "svg": f.svg}
                                                  for f in comparisons]}


# ---------------------------------------------------------------------------------- writing
def _write_data(section: Section, folder: Path) -> None:
    if section.results is not None:
        (folder / "data").mkdir(exist_ok=True)
        (folder / "data" / f"{section.key}_summary.csv").write_text(section.results.summary_csv(), encoding="utf-8")


def _write_pages(folder: Path, sections: Sequence[Section], comparisons: Sequence[FigureFile], *,
                 samples_cap: int | None, title: str, refresh_s: int | None) -> None:
    (folder / "index.html").write_text(report_html(sections, comparisons, title=title, refresh_s=refresh_s),
                                       encoding="utf-8")
    (folder / "report.md").write_text(report_markdown(sections, comparisons), encoding="utf-8")
    manifest = report_manifest(sections, comparisons, samples_cap)
    (folder / "report.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def write_report(sections: Sequence[Section], out: str | Path, *, force: bool = False,
                 samples_cap: int | None = None, compare: bool = True, title: str = "costsim report",
                 refresh_s: int | None = None, progress: ProgressFn | None = None) -> ReportSummary:
    """Draw the figures of sections already run and write the report folder atomically."""
    out = Path(out)
    _unique_keys(sections)
    with atomic_folder(out, force) as tmp:
        for s in sections:
            if progress:
                progress(f"figures of {s.name}")
            write_figures(s, tmp)
            _write_data(s, tmp)
        comparisons = comparison_figures(sections, tmp) if compare else []
        _write_pages(tmp, sections, comparisons, samples_cap=samples_cap, title=title, refresh_s=refresh_s)
    return ReportSummary(out, tuple(sections), tuple(comparisons))


def _unique_keys(sections: Sequence[Section]) -> None:
    """Give every section a distinct file-name key (its name, then name_2, name_3 ...)."""
    seen: set[str] = set()
    for s in sections:
        base = re.sub(r"[^A-Za-z0-9_.-]+", "_", s.key or s.name)
        key, i = base, 1
        while key in seen:
            i += 1
            key = f"{base}_{i}"
        s.key = key
        seen.add(key)


def _section_job(path: str, key: str, folder: str, samples: int | None, seed: int | None,
                 overrides: tuple[str, ...], design: str | None, run_options: dict | None) -> Section:
    """Run one scenario and draw its figures into ``folder`` (runs in a worker process)."""
    section = run_section(path, samples=samples, seed=seed, overrides=overrides, design=design,
                          run_options=run_options)
    section.key = key
    write_figures(section, Path(folder))
    _write_data(section, Path(folder))
    return section


def default_jobs(count: int) -> int:
    """Worker processes for ``count`` scenarios: the idle cores, at most 2, at least 1.

    Figures are CPU-bound: a second worker helps on an idle 2-core machine, and only slows
    both down when other work already keeps the cores busy (measured: 49 s with one worker,
    64 s with two, on 2 cores at load 3). The output does not depend on the number of workers.
    """
    import os

    cores = os.cpu_count() or 1
    try:
        idle = cores - os.getloadavg()[0]
    except OSError:  # no load average on this platform
        idle = cores
    # ceil: a second worker as soon as a core is partly idle (load 0.9 on 2 cores -> 2 workers;
    # measured 61 s with one worker on the bundled set at that load), one when both are busy
    return max(1, min(2, count, cores, math.ceil(idle)))


def build_report(paths: Sequence[str | Path], out: str | Path, *, samples: int | None = DEFAULT_SAMPLES,
                 seed: int | None = None, overrides: Sequence[str] = (), force: bool = False,
                 jobs: int | None = None, compare: bool = True, title: str = "costsim report",
                 refresh_s: int | None = None, progress: ProgressFn | None = None, design: str | None = None,
                 run_options: dict | None = None) -> ReportSummary:
    """Run the scenarios, draw their figures and write the report into ``out`` atomically.

    An existing ``out`` is refused before any work unless ``force`` (and then only a costsim
    report folder is replaced, once the new one is complete). ``jobs`` worker processes run the
    scenarios and draw their figures (default: :func:`default_jobs`); the output does not depend
    on it. ``design`` and ``run_options`` (``workers``, ``scheduler``: parallel evaluation inside
    each run) go to :func:`costsim.engine.run`; with either of those, scenarios run one at a time.
    """
    check_target(out, force)  # refuse before spending time on the runs
    out = Path(out)
    paths = [str(p) for p in paths]
    keys = [Section(Path(p).stem, p) for p in paths]
    _unique_keys(keys)
    run_options = {k: v for k, v in (run_options or {}).items() if v is not None}
    if run_options:
        jobs = 1  # the runs parallelise themselves; a scheduler does not cross into worker processes
    jobs = default_jobs(len(paths)) if jobs is None else max(1, int(jobs))
    with atomic_folder(out, force) as tmp:
        args = [(p, k.key, str(tmp), samples, seed, tuple(overrides), design, run_options or None)
                for p, k in zip(paths, keys, strict=True)]
        if jobs == 1:
            sections = []
            for a in args:
                sections.append(_section_job(*a))
                if progress:
                    progress(f"{sections[-1].name}: {sections[-1].status}")
        else:
            sections = _run_pool(args, jobs, progress)
        if progress:
            progress("comparisons and pages")
        comparisons = comparison_figures(sections, tmp) if compare else []
        _write_pages(tmp, sections, comparisons, samples_cap=samples, title=title, refresh_s=refresh_s)
    return ReportSummary(out, tuple(sections), tuple(comparisons))


def _run_pool(args: list[tuple], jobs: int, progress: ProgressFn | None) -> list[Section]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # fork shares the already imported models, plugins and matplotlib with the workers
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    results: list[Section | None] = [None] * len(args)
    # biggest files first (they have the most outputs and figures), so no worker is left with a
    # long scenario at the end while the other idles; the sections keep the order given
    def size(i: int) -> int:
        try:
            return Path(args[i][0]).stat().st_size
        except OSError:
            return 0

    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        futures = {pool.submit(_section_job, *args[i]): i for i in sorted(range(len(args)), key=lambda i: -size(i))}
        for fut in as_completed(futures):
            sec = fut.result()
            results[futures[fut]] = sec
            if progress:
                progress(f"{sec.name}: {sec.status}")
    return [s for s in results if s is not None]


def html_references(page: str) -> list[str]:
    """Relative paths an HTML page points at (src= and href=, without #anchors or URLs)."""
    refs = re.findall(r'(?:src|href)="([^"#][^"]*)"', page)
    return [html.unescape(r) for r in refs if not re.match(r"^[a-z]+:", r)]


__all__ = ["DEFAULT_SAMPLES", "FigureFile", "ReportSummary", "Section", "build_report", "bundled_scenarios",
           "comparison_candidates", "default_jobs", "html_references", "markdown", "param_table", "report_html",
           "report_markdown", "run_section", "summary_table", "write_figures", "write_report"]
