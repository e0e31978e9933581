"""Building a report folder: run the sections, draw their figures, write the pages atomically."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from costsim.report.figures import (
    Plan,
    comparison_plans,
    figure_key,
    reuse_or_draw,
    section_plans,
)
from costsim.report.html_page import report_html, report_manifest
from costsim.report.markdown_page import report_markdown
from costsim.report.pool import default_jobs, fork_available, run_jobs
from costsim.report.sections import (
    DEFAULT_SAMPLES,
    FIGURE_FORMATS,
    FigureFile,
    ProgressFn,
    ReportSummary,
    Section,
)
from costsim.report.tables import remember_tables, section_tables
from costsim.store import atomic_folder, check_target, is_costsim_folder


def _write_data(section: Section, folder: Path) -> dict | None:
    """Write the section's summary CSV; return its page tables (computed here, in a worker, not by the pages)."""
    if section.results is None:
        return None
    (folder / "data").mkdir(exist_ok=True)
    (folder / "data" / f"{section.key}_summary.csv").write_text(section.results.summary_csv(), encoding="utf-8")
    return section_tables(section)


def _write_pages(folder: Path, sections: Sequence[Section], comparisons: Sequence[FigureFile], *,
                 samples_cap: int | None, title: str, live: str | None, ledger: tuple | None = None) -> None:
    lead_html = lead_md = ""
    if ledger is not None:  # (records, whys)
        from costsim.ledger.render import report_section_html, report_section_markdown

        lead_html, lead_md = report_section_html(*ledger), report_section_markdown(*ledger)
    (folder / "index.html").write_text(report_html(sections, comparisons, title=title, live=live, lead=lead_html),
                                       encoding="utf-8")
    (folder / "report.md").write_text(report_markdown(sections, comparisons, lead=lead_md), encoding="utf-8")
    manifest = report_manifest(sections, comparisons, samples_cap)
    if ledger is not None:
        manifest["ledger"] = ledger[0]
    (folder / "report.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def previous_figures(folder: str | Path | None) -> dict[str, tuple[Path, FigureFile]]:
    """The figures of an earlier report in ``folder``, by content key (empty if there is none).

    A figure of a new report whose key is listed here is copied from that folder instead of drawn.
    """
    from costsim.plots import PlotSpec

    if folder is None:
        return {}
    folder = Path(folder)
    try:
        manifest = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(manifest, dict) or manifest.get("kind") != "report":
        return {}
    found = {}
    entries = [f for s in manifest.get("scenarios", []) for f in s.get("figures", [])]
    entries += manifest.get("comparisons", [])
    for f in entries:
        if isinstance(f, dict) and f.get("key") and f.get("files"):
            fig = FigureFile(PlotSpec(str(f.get("kind", "fan")), f.get("output")), error=f.get("error"),
                             key=f["key"], files=tuple(f["files"]))
            found[f["key"]] = (folder, fig)
    return found


_SHARED: list[Plan] = []  # the plans a forked worker draws, by index (inherited, never pickled)
_SHARED_LEDGER: tuple | None = None  # (ledger, belief profiles) the ledger jobs judge with, read once per report
_SHARED_SECTIONS: list[Section] = []  # the sections whose summary CSVs a forked worker writes


def _draw_shared(i: int, folder: str, formats: tuple[str, ...], key: str) -> FigureFile:
    return reuse_or_draw(_SHARED[i], Path(folder), formats, {}, key)


def _ledger_job(ids: tuple[str, ...]) -> tuple[list[dict], list[tuple[str, str]]]:
    """The ledger's records of one scenario's claims (:func:`costsim.ledger.judge` under every belief
    profile) and the ``costsim claims --why`` text of those the report explains (``needs_why``).

    Each record depends only on its claim and its scenario's runs, so judging a scenario's claims
    apart gives the records of the whole ledger's judge; the whys of a scenario share their swing
    runs.
    """
    from costsim.ledger import judge, load_ledger
    from costsim.ledger.profiles import all_profiles
    from costsim.ledger.why import format_why, needs_why, why

    from costsim.sampling import shared_draws

    # read once by the pool's parent for every ledger job (forked: inherited), else here
    ledger, profiles = _SHARED_LEDGER if _SHARED_LEDGER is not None else (load_ledger(), all_profiles())
    cache: dict = {}  # the file read once, and judge's runs kept for the whys' base runs
    with shared_draws():  # one store for the judge's runs and the swing runs of the scenario
        records = judge(list(ids), ledger=ledger, profiles=profiles, cache=cache)
        whys = [(r["id"], format_why(why(r["id"], ledger=ledger, cache=cache))) for r in records
                if needs_why(r) and r["verdict"] != "untested"]
    return records, whys


def _job(kind: str, *args):
    """One job of the report's pool: a figure, one scenario's ledger records and whys, a run, a CSV."""
    if kind == "figure":
        return _draw_shared(*args)
    if kind == "ledger":
        return _ledger_job(*args)
    if kind == "section":
        return _section_job(*args)
    if kind == "data":
        i, folder = args
        return _write_data(_SHARED_SECTIONS[i], Path(folder))
    return _ledger_plan()  # "plan"


def _ledger_plan() -> tuple[tuple[str, ...], list[tuple[tuple[str, ...], float]]]:
    """(every claim id in ledger order, the claims grouped by scenario), each group with a rough
    cost: its scenario's uncertain parameters (a close claim's why makes two runs per parameter)."""
    from costsim.ledger import load_ledger

    claims = load_ledger().claims
    groups: dict[str | None, list[str]] = {}
    for c in claims:
        groups.setdefault(c.scenario if c.tested else None, []).append(c.id)
    return tuple(c.id for c in claims), [(tuple(ids), _why_cost(name, ids) if name else 0.0)
                                         for name, ids in groups.items()]


def _why_cost(name: str, ids: Sequence[str]) -> float:
    """Roughly the work of a why group: two runs per uncertain parameter, made once for the group."""
    try:
        from costsim.ledger.judge import scenario_path
        from costsim.scenario import load_raw

        params = load_raw(scenario_path(name))[0].get("params") or {}
        return float(len(params)) + 0.1 * len(ids)
    except Exception:  # noqa: BLE001  only an ordering hint; the job itself reports the problem
        return 1.0


def draw_figures(sections: Sequence[Section], folder: Path, *, formats: Sequence[str] = FIGURE_FORMATS,
                 compare: bool = True, jobs: int = 1, cache: dict | None = None,
                 progress: ProgressFn | None = None) -> list[FigureFile]:
    """Draw every figure of the sections (and the comparisons) into ``folder``; return the comparisons.

    Each section's ``figures`` are set in page order. A figure whose content key is in ``cache``
    (:func:`previous_figures`) is copied, the others are drawn, spread over ``jobs`` processes.
    """
    return _draw_and_explain(sections, folder, formats=formats, compare=compare, jobs=jobs, cache=cache,
                             progress=progress, ledger_plan=None, data=False)[0]


def _draw_and_explain(sections: Sequence[Section], folder: Path, *, formats: Sequence[str], compare: bool,
                      jobs: int, cache: dict | None, progress: ProgressFn | None,
                      ledger_plan: tuple | None, data: bool
                      ) -> tuple[list[FigureFile], list[dict] | None, dict[str, str]]:
    """Draw the figures and, with a ``ledger_plan`` (:func:`_ledger_plan`), judge the ledger and
    explain its close claims, in one pool.

    Returns (the comparisons, the ledger's records in ledger order or None, {claim id: why text}
    in record order). The ledger jobs (one per scenario; those with close claims take seconds)
    are handed out first, dearest first, and the figures (a tenth of a second each) fill the
    workers around them. With ``data``, each section's summary CSV (and its page tables) is
    written by a job of the same pool.
    """
    formats = tuple(formats)
    cache = cache or {}
    owners: list[tuple[int, Plan]] = []
    for si, s in enumerate(sections):
        owners += [(si, p) for p in section_plans(s)]
    if compare:
        owners += [(-1, p) for p in comparison_plans(sections)]
    keys = [figure_key(p, formats) for _, p in owners]
    figures: list[FigureFile | None] = [None] * len(owners)
    todo = []
    for i, ((_, plan), key) in enumerate(zip(owners, keys, strict=True)):
        if key in cache:
            figures[i] = reuse_or_draw(plan, folder, formats, cache, key)
        else:
            todo.append(i)
    order, groups = ledger_plan if ledger_plan is not None else ((), [])
    jobs = jobs if fork_available() else 1
    if progress:
        progress(f"pool: {jobs} worker{'s' if jobs > 1 else ''}")
        progress(f"figures: {len(todo)} to draw, {len(owners) - len(todo)} unchanged"
                 + (f"; claims ledger: {sum(len(ids) for ids, _ in groups)} claims judged under every belief "
                    "profile beside them, with what would flip the close ones" if groups else ""))
    global _SHARED, _SHARED_SECTIONS, _SHARED_LEDGER
    _SHARED, _SHARED_SECTIONS = [owners[i][1] for i in todo], list(sections)
    tasks = [("ledger", ids) for ids, _ in groups] + [("figure", k, str(folder), formats, keys[i])
                                                     for k, i in enumerate(todo)]
    costs = [1e6 + cost for _, cost in groups] + [0.0] * len(todo)
    if data:
        tasks += [("data", i, str(folder)) for i in range(len(sections))]
        costs += [0.0] * len(sections)
    try:
        if groups:  # read once, here, for every ledger job (the forked workers inherit them)
            from costsim.ledger import load_ledger
            from costsim.ledger.profiles import all_profiles

            _SHARED_LEDGER = (load_ledger(), all_profiles())
        done = run_jobs(_job, tasks, jobs, cost=costs.__getitem__)
    finally:
        _SHARED, _SHARED_SECTIONS, _SHARED_LEDGER = [], [], None
    for k, i in enumerate(todo):
        figures[i] = done[len(groups) + k]
    if data:  # the page tables the data jobs computed (the same numbers the pages would compute)
        for s, tables in zip(sections, done[len(groups) + len(todo):], strict=True):
            if tables is not None:
                remember_tables(s.results, tables)
    records = None
    if ledger_plan is not None:
        by_id = {r["id"]: r for part, _ in done[:len(groups)] for r in part}
        records = [by_id[i] for i in order]  # the ledger's order, as judge() gives it
    texts = dict(t for _, part in done[:len(groups)] for t in part)
    whys = {r["id"]: texts[r["id"]] for r in (records or ()) if r["id"] in texts}  # report_whys' order
    for s in sections:
        s.figures = []
    comparisons = []
    for (si, _), fig in zip(owners, figures, strict=True):
        (comparisons if si < 0 else sections[si].figures).append(fig)
    return comparisons, records, whys


def _write_all(sections: Sequence[Section], folder: Path, *, formats, compare, jobs, cache, progress,
               samples_cap, title, live, ledger_plan=None) -> list[FigureFile]:
    """Write the data, the figures and the pages; with ``ledger_plan`` the report opens with the ledger."""
    comparisons, records, whys = _draw_and_explain(sections, folder, formats=formats, compare=compare, jobs=jobs,
                                                   cache=cache, progress=progress, ledger_plan=ledger_plan,
                                                   data=True)
    if progress:
        progress("pages")
    _write_pages(folder, sections, comparisons, samples_cap=samples_cap, title=title, live=live,
                 ledger=None if records is None else (records, whys))
    return comparisons


def write_report(sections: Sequence[Section], out: str | Path, *, force: bool = False,
                 samples_cap: int | None = None, compare: bool = True, title: str = "costsim report",
                 progress: ProgressFn | None = None, formats: Sequence[str] = FIGURE_FORMATS,
                 jobs: int = 1, reuse: bool = True, live: str | None = None) -> ReportSummary:
    """Draw the figures of sections already run and write the report folder atomically.

    With ``reuse``, figures whose content key matches one in the report already at ``out`` are
    copied from it. ``live`` (a URL path such as ``"/events"``) makes the page follow updates
    pushed by ``costsim watch``'s server.
    """
    out = Path(out)
    _unique_keys(sections)
    cache = previous_figures(out) if reuse and force and is_costsim_folder(out) else {}
    with atomic_folder(out, force) as tmp:
        comparisons = _write_all(sections, tmp, formats=formats, compare=compare, jobs=jobs, cache=cache,
                                 progress=progress, samples_cap=samples_cap, title=title, live=live)
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


def _section_job(path: str, key: str, samples: int | None, seed: int | None, overrides: tuple[str, ...],
                 design: str | None, run_options: dict | None) -> Section:
    """Run one scenario (in a worker process, or here)."""
    import costsim.report as package  # through the package, so the public seam is the one used

    section = package.run_section(path, samples=samples, seed=seed, overrides=overrides, design=design,
                                  run_options=run_options)
    section.key = key
    return section


def build_report(paths: Sequence[str | Path], out: str | Path, *, samples: int | None = DEFAULT_SAMPLES,
                 seed: int | None = None, overrides: Sequence[str] = (), force: bool = False,
                 jobs: int | None = None, compare: bool = True, title: str = "costsim report",
                 progress: ProgressFn | None = None, design: str | None = None, run_options: dict | None = None,
                 formats: Sequence[str] = FIGURE_FORMATS, reuse: bool = True, ledger: bool = False
                 ) -> ReportSummary:
    """Run the scenarios, draw their figures and write the report into ``out`` atomically.

    An existing ``out`` is refused before any work unless ``force`` (and then only a costsim
    report folder is replaced, once the new one is complete; with ``reuse``, its figures whose
    content key is unchanged are copied instead of drawn again). ``jobs`` worker processes run
    the scenarios, then draw the figures (default: :func:`default_jobs`); the output does not
    depend on it. ``formats`` are the figure formats (png, svg, pdf), all saved from one layout.
    ``design`` and ``run_options`` (``workers``, ``scheduler``: parallel evaluation inside each
    run) go to :func:`costsim.engine.run`; with either of those, scenarios run one at a time.
    ``ledger`` opens the report with the claims ledger (:func:`costsim.ledger.judge` under every
    belief profile; its verdicts link to the scenarios' sections, so use it with the bundled set),
    and, for each claim too close to call or split between profiles, what would flip it
    (``costsim claims --why``: PRIM boxes and one-at-a-time swings).
    """
    check_target(out, force)  # refuse before spending time on the runs
    out = Path(out)
    formats = check_formats(formats)
    paths = [str(p) for p in paths]
    keys = [Section(Path(p).stem, p) for p in paths]
    _unique_keys(keys)
    run_options = {k: v for k, v in (run_options or {}).items() if v is not None}
    # chosen once, now, from the load of the machine without this report: measured later, the load
    # average would count this report's own work and take the second core away from it
    jobs = default_jobs(10**6) if jobs is None else max(1, int(jobs))
    run_jobs_n = 1 if run_options else jobs  # the runs parallelise themselves; a scheduler stays here
    cache = previous_figures(out) if reuse and force and is_costsim_folder(out) else {}
    with atomic_folder(out, force) as tmp:
        args = [(p, k.key, samples, seed, tuple(overrides), design, run_options or None)
                for p, k in zip(paths, keys, strict=True)]
        tasks = [("section", *a) for a in args] + ([("plan",)] if ledger else [])

        def size(i: int) -> float:  # the biggest files first (the ledger's plan: reading a few files)
            if i >= len(args):
                return float("inf")
            try:
                return Path(args[i][0]).stat().st_size
            except OSError:
                return 0.0

        def done(i: int, result) -> None:
            if progress and i < len(args):
                progress(f"{result.name}: {result.status}")

        if run_jobs_n > 1 and fork_available():
            _warm_imports(paths)
        finished = run_jobs(_job, tasks, run_jobs_n, cost=size, done=done)
        sections = finished[:len(args)]
        comparisons = _write_all(sections, tmp, formats=formats, compare=compare, jobs=jobs, cache=cache,
                                 progress=progress, samples_cap=samples, title=title, live=None,
                                 ledger_plan=finished[len(args)] if ledger else None)
    return ReportSummary(out, tuple(sections), tuple(comparisons))


def _warm_imports(paths: Sequence[str]) -> None:
    """Import here, before the runs' workers are forked from this process, what they all need.

    Each worker would otherwise import the engine and the models itself; and a scenario with
    ``fit:`` parameters sends back a Section holding calibration objects, whose unpickling here
    imports ``costsim.calibration`` (scipy.stats, ~0.5 s) in the thread that hands the workers
    their next jobs: both workers stood idle meanwhile (measured: ~0.6 s). A file's text is
    looked at for ``fit:`` only as a hint (a fit in an ``extends`` parent is imported later, as
    before); nothing here changes what the report holds.
    """
    import costsim.engine  # noqa: F401
    from costsim.registry import load_builtin_models

    load_builtin_models()
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "fit:" in text:
            try:
                import costsim.calibration  # noqa: F401
            except ImportError:  # an installation without the fits: its scenarios report the error
                pass
            return


def check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    """Figure formats, checked: a non-empty subset of png, svg, pdf, in the order given."""
    from costsim.errors import Issue, ScenarioError

    formats = tuple(dict.fromkeys(str(f).lower().lstrip(".") for f in formats))
    bad = [f for f in formats if f not in ("png", "svg", "pdf")]
    if bad or not formats:
        raise ScenarioError("--formats", [Issue("--formats", "unknown figure format", "some of png, svg, pdf",
                                                bad[0] if bad else "")])
    return formats
