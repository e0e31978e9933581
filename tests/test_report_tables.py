"""The report's tables are computed once per run: the HTML and the Markdown page share them, and the
report's workers compute them beside the summary CSVs (the pages then only format them)."""

from __future__ import annotations

import numpy as np

from costsim import report
from costsim.units import fmt_value
from costsim.report.tables import param_table, remember_tables, section_tables, summary_table


def _section(tiny_scenario_file):
    return report.run_section(str(tiny_scenario_file), samples=64)


def test_summary_and_param_tables_are_the_quantiles_and_stay_the_same(tiny_scenario_file):
    s = _section(tiny_scenario_file)
    r = s.results
    first = summary_table(r)
    row = dict(first[0])
    x = np.asarray(r.at_year(row["output"], row["year"] or None, row["bloc"] or None), dtype=float)
    assert [row["p05"], row["median"], row["p95"]] == [float(v) for v in np.quantile(x, [0.05, 0.5, 0.95])]
    first[0]["median"] = -1.0  # a caller changing its rows changes nobody else's
    again = summary_table(r)
    assert again[0]["median"] == row["median"] != -1.0
    assert again[1:] == first[1:]
    assert param_table(r, s.constants) == param_table(r, s.constants)


def test_pages_show_the_tables_remembered_for_a_section(tiny_scenario_file):
    """What a worker computed (section_tables) is what the pages print: no second computation."""
    s = _section(tiny_scenario_file)
    tables = section_tables(s)
    summary_key = next(k for k in tables if k[0] == "summary")
    marked = [dict(row, median=4.321e-29) for row in tables[summary_key]]
    shown = fmt_value(4.321e-29, marked[0]["unit"])
    assert shown not in report.section_html(s)
    remember_tables(s.results, {summary_key: marked})
    html = report.section_html(s)
    md = report.markdown(s.results, years=list(summary_key[1]), figures=[], constants=s.constants)
    assert html.count(shown) == md.count(shown) == len(marked)


def test_tables_of_another_run_are_computed_for_it(tiny_scenario_file):
    a, b = _section(tiny_scenario_file), _section(tiny_scenario_file)
    key = next(k for k in section_tables(a) if k[0] == "summary")
    remember_tables(a.results, {key: [dict(row, median=7.0) for row in summary_table(a.results, list(key[1]))]})
    assert all(row["median"] == 7.0 for row in summary_table(a.results, list(key[1])))
    assert summary_table(b.results, list(key[1])) == section_tables(b)[key]
    assert any(row["median"] != 7.0 for row in summary_table(b.results, list(key[1])))
