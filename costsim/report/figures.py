"""A report's figures: what each one draws from, its content key, and drawing it into the folder.

Every figure of a report is a :class:`Plan`: its spec, the data it reads (``inputs``) and a
function that draws it. The plan's :func:`figure_key` hashes the drawing code, the formats and
those inputs, so a figure whose key is unchanged can be copied from a previous report instead of
drawn again (:func:`reuse_or_draw`), and ``costsim watch`` redraws only the figures whose inputs
changed. Drawing lays a figure out once and saves every format from that one layout.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from costsim.plots import PlotSpec, draw, fan_compare, save_figure
from costsim.plots.fan import cap_flag_name
from costsim.report.sections import (
    FIGURE_FORMATS,
    MAX_COMPARISONS,
    MAX_COMPARISONS_PER_GROUP,
    FigureFile,
    Section,
    tornado_key,
)


@dataclass(frozen=True)
class Plan:
    """One figure to draw: its spec, the folder it goes in, what it reads and how it is drawn."""

    spec: PlotSpec
    rel: str  # folder relative to the report: figures/<section key>
    inputs: tuple
    make: Callable[[], object]  # -> Axes


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the code that draws figures (costsim's plots, units and this module) and of matplotlib."""
    import matplotlib

    import costsim.plots

    h = hashlib.sha256(matplotlib.__version__.encode())
    # the plots, this module, and units.py (axis labels and decades come from the names' units)
    files = sorted(Path(costsim.plots.__file__).parent.glob("*.py")) + [Path(__file__),
                                                                        Path(costsim.plots.__file__).parents[1] / "units.py"]
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def _feed(h, obj) -> None:
    """Hash ``obj`` by content: arrays by dtype, shape and bytes; containers item by item."""
    if isinstance(obj, np.ndarray):
        a = np.ascontiguousarray(obj)
        h.update(f"a{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    elif isinstance(obj, Mapping):
        h.update(b"{")
        for k in sorted(obj, key=str):
            _feed(h, str(k))
            _feed(h, obj[k])
        h.update(b"}")
    elif isinstance(obj, (list, tuple)):
        h.update(f"[{len(obj)}".encode())
        for x in obj:
            _feed(h, x)
        h.update(b"]")
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        h.update(type(obj).__name__.encode())
        _feed(h, {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)})
    elif isinstance(obj, (str, int, float, bool, type(None), np.generic)):
        h.update(repr(obj).encode())
    elif hasattr(obj, "__dict__"):
        h.update(type(obj).__name__.encode())
        _feed(h, vars(obj))
    else:
        h.update(repr(obj).encode())


def figure_key(plan: Plan, formats: Sequence[str]) -> str:
    """The content hash of a figure: drawing code, spec, formats and the data it reads."""
    h = hashlib.sha256(code_version().encode())
    _feed(h, [plan.spec, plan.rel, list(formats), plan.inputs])
    return h.hexdigest()[:32]


def _results_inputs(results, name: str | None) -> tuple:
    """What a figure of one output reads from a Results: that output (or parameter) and the labels."""
    meta = (results.meta.get("scenario"), list(results.blocs), results.years)
    if name in results.outputs:
        flag = cap_flag_name(name)  # a fan also marks the samples at a cap, when the results keep its flag
        extra = (flag, results.outputs[flag]) if flag in results.outputs else ()
        return (*meta, results.axes_of(name), results.outputs[name], *extra)
    if name in results.params:
        return (*meta, "param", results.params[name])
    return (*meta, results.outputs, results.params)


def section_plans(section: Section) -> list[Plan]:
    """Every figure of a section, in page order: its plots, fit figures, then Sobol' bars."""
    results = section.results
    if results is None:
        return []
    rel = (Path("figures") / (section.key or section.name)).as_posix()
    plans = []
    for spec in section.specs:
        if spec.kind == "checks":
            inputs = (results.meta.get("scenario"), results.n, results.checks)
        elif spec.kind == "tornado":
            inputs = (results.meta.get("scenario"), results.years, list(results.blocs),
                      section.tornados.get(tornado_key(spec, results.years)))
        else:
            inputs = _results_inputs(results, spec.output)
        plans.append(Plan(spec, rel, inputs, functools.partial(_draw_spec, spec, section)))
    for f in section.fits:
        if f.overlay and f.overlay in results.outputs and "year" in results.axes_of(f.overlay):
            spec = PlotSpec("history", f.overlay)
            inputs = (section.name, f.trend, _results_inputs(results, f.overlay))
        else:
            spec = PlotSpec("fit", f.name)
            inputs = (f.trend,)
        plans.append(Plan(spec, rel, inputs, functools.partial(_draw_fit, f, section)))
    for output, year, data in section.sobol:
        spec = PlotSpec("sobol", output, year=year)
        plans.append(Plan(spec, rel, (section.name, data), functools.partial(_draw_sobol, section.name, output,
                                                                             year, data)))
    return plans


def _draw_spec(spec: PlotSpec, section: Section):
    tornado = section.tornados.get(tornado_key(spec, section.results.years)) if spec.kind == "tornado" else None
    return draw(spec, section.results, tornado=tornado)


def _draw_fit(f, section: Section):
    from costsim.plots.calibration import plot_fit, plot_projection_over_history

    results = section.results
    if f.overlay and f.overlay in results.outputs and "year" in results.axes_of(f.overlay):
        qs = (0.05, 0.5, 0.95)
        values = results.quantiles(f.overlay, qs)
        return plot_projection_over_history(f.trend, results.years, dict(zip(qs, values, strict=True)),
                                            label=f"{section.name}: {f.overlay}")
    return plot_fit(f.trend)


def _draw_sobol(name: str, output: str, year, data):
    from costsim.plots import sobol_bars

    title = f"{name}: share of the variance of {output} in {year}, by parameter"
    return sobol_bars(data, output=output, title=title)


def comparison_plans(sections: Sequence[Section]) -> list[Plan]:
    """The figures overlaying scenarios that share an output (see :func:`comparison_candidates`)."""
    plans = []
    for name, bloc, group in comparison_candidates(sections):
        stem = f"compare_{name}" + ("_follower" if bloc is not None else "")
        spec = PlotSpec("compare", name, bloc=None if bloc is None else "follower", file=stem)
        inputs = tuple((s.name, _results_inputs(s.results, name)) for s in group) + (bloc,)
        make = functools.partial(fan_compare, [s.results for s in group], name, labels=[s.name for s in group],
                                 bloc=bloc)
        plans.append(Plan(spec, "figures/_compare", inputs, make))
    return plans


def draw_plan(plan: Plan, folder: Path, formats: Sequence[str] = FIGURE_FORMATS) -> FigureFile:
    """Draw one figure into ``folder/plan.rel`` in every format, from one layout.

    A figure that cannot be drawn (e.g. no finite samples) is returned with its reason instead.
    """
    fig = FigureFile(plan.spec)
    try:
        ax = plan.make()
    except (ValueError, KeyError) as exc:
        fig.error = str(exc).strip("'\"")
        return fig
    (folder / plan.rel).mkdir(parents=True, exist_ok=True)
    names = {fmt: f"{plan.rel}/{plan.spec.stem}.{fmt}" for fmt in formats}
    save_figure(ax, *(folder / n for n in names.values()))
    # no ax.figure.clear(): clearing rebuilds the axes (~10 ms); unreferenced, the figure is collected
    fig.png, fig.svg = names.get("png"), names.get("svg")
    fig.files = tuple(names.values())
    fig.size = png_size(folder / fig.png) if fig.png else None
    return fig


def png_size(path: Path) -> tuple[int, int] | None:
    """(width, height) in pixels from a PNG's header."""
    with open(path, "rb") as fh:
        head = fh.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def reuse_or_draw(plan: Plan, folder: Path, formats: Sequence[str], cache: Mapping[str, tuple[Path, FigureFile]],
                  key: str) -> FigureFile:
    """Copy the figure from a previous report when its key is known there, else draw it."""
    hit = cache.get(key)
    if hit is not None:
        old_folder, old = hit
        sources = [old_folder / f for f in old.files]
        if old.error is None and old.files and all(p.is_file() for p in sources):
            (folder / plan.rel).mkdir(parents=True, exist_ok=True)
            fig = FigureFile(plan.spec, key=key)
            names = {fmt: f"{plan.rel}/{plan.spec.stem}.{fmt}" for fmt in formats}
            for src, fmt in zip(sources, formats, strict=True):
                shutil.copyfile(src, folder / names[fmt])
            fig.png, fig.svg, fig.files = names.get("png"), names.get("svg"), tuple(names.values())
            fig.size = png_size(folder / fig.png) if fig.png else None
            return fig
        if old.error is not None:
            return dataclasses.replace(old, spec=plan.spec, key=key)
    fig = draw_plan(plan, folder, formats)
    fig.key = key
    return fig


def write_figures(section: Section, folder: Path, formats: Sequence[str] = FIGURE_FORMATS) -> None:
    """Draw the section's figures into ``folder/figures/<key>/`` (sets ``section.figures``)."""
    section.figures = [reuse_or_draw(p, folder, formats, {}, figure_key(p, formats)) for p in section_plans(section)]


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
    return [reuse_or_draw(p, folder, formats, {}, figure_key(p, formats)) for p in comparison_plans(sections)]
