"""The report: run scenarios, draw their figures, and write index.html, report.md and report.json.

Layout of a report folder (written atomically: built in a hidden sibling and renamed into place,
so a failed or interrupted report never replaces a good one)::

    index.html                 opens offline in a browser: no scripts, no external fetches
    report.md                  the same content in Markdown
    report.json                scenarios, seeds, n, checks, figures and their content keys (no timestamps)
    figures/<scenario>/*.png   every figure in each format asked for (default PNG, shown; --formats png,svg adds SVG, linked)
    data/<scenario>_summary.csv  the tidy summary of each run

The same scenarios, seed and n give byte-identical files. A scenario that fails to load or run
becomes an error section; the others are reported. Figures whose content key (drawing code and
the data they read) is unchanged are copied from the report being replaced, not drawn again.

The package, in the data's order: :mod:`~costsim.report.sections` (run one scenario),
:mod:`~costsim.report.figures` (what each figure reads, its key, drawing it),
:mod:`~costsim.report.pool` (the job pool), :mod:`~costsim.report.tables`,
:mod:`~costsim.report.markdown_page`, :mod:`~costsim.report.html_page`,
:mod:`~costsim.report.build` (orchestration) and :mod:`~costsim.report.live` (the watch server).
"""

from __future__ import annotations

from costsim.report.build import (
    build_report,
    check_formats,
    draw_figures,
    previous_figures,
    write_report,
)
from costsim.report.figures import (
    Plan,
    comparison_candidates,
    comparison_figures,
    comparison_plans,
    figure_key,
    section_plans,
    write_figures,
)
from costsim.report.html_page import (
    html_references,
    report_html,
    report_manifest,
    section_html,
)
from costsim.report.markdown_page import markdown, report_markdown
from costsim.report.pool import default_jobs, run_jobs
from costsim.report.sections import (
    DEFAULT_SAMPLES,
    FIGURE_FORMATS,
    FigureFile,
    ReportSummary,
    Section,
    bundled_scenarios,
    run_section,
    sobol_for_report,
    tornados_for_report,
)
from costsim.report.tables import param_table, summary_table, versions

__all__ = ["DEFAULT_SAMPLES", "FIGURE_FORMATS", "FigureFile", "Plan", "ReportSummary", "Section", "build_report",
           "bundled_scenarios", "check_formats", "comparison_candidates", "comparison_figures", "comparison_plans",
           "default_jobs", "draw_figures", "figure_key", "html_references", "markdown", "param_table",
           "previous_figures", "report_html", "report_manifest", "report_markdown", "run_jobs", "run_section",
           "section_html", "section_plans", "sobol_for_report", "summary_table", "tornados_for_report", "versions",
           "write_figures", "write_report"]
