"""The report's formats and its pool: PNG by default (every figure still shown), other formats when
asked, and one pool (figures, summary CSVs, the ledger's "what would flip it") whose worker count
is chosen once and does not change the report."""

from __future__ import annotations

import os
import re

import pytest

from costsim import cores, report
from costsim.bundled import packaged_scenarios_folder
from costsim.cli import main


def _figures(summary):
    return [f for s in summary.sections for f in s.figures] + list(summary.comparisons)


def test_default_report_writes_png_and_both_pages_show_every_figure(tiny_scenario_file, tmp_path):
    summary = report.build_report([tiny_scenario_file], tmp_path / "r", samples=32, jobs=1)
    out = summary.folder
    assert {p.suffix for p in (out / "figures").rglob("*") if p.is_file()} == {".png"}
    figures = _figures(summary)
    assert figures and all(f.png and f.files == (f.png,) for f in figures)
    page = (out / "index.html").read_text(encoding="utf-8")
    shown = set(re.findall(r'<img src="([^"]+)"', page))
    assert shown == {f.png for f in figures}
    md = (out / "report.md").read_text(encoding="utf-8")
    assert set(re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)) == {f.png for f in figures}
    assert "\n\n\n" not in md  # no empty line left where the links to other formats would be


def test_formats_png_svg_on_the_command_line_link_the_svg_beside_each_png(tiny_scenario_file, tmp_path, capsys):
    assert main(["report", str(tiny_scenario_file), "-o", str(tmp_path / "r"), "-n", "32", "--jobs", "1",
                 "--formats", "png,svg", "--quiet"]) in (0, 1)
    assert "(PNG + SVG)" in capsys.readouterr().out
    figs = tmp_path / "r" / "figures"
    pngs = {p.with_suffix("").relative_to(figs) for p in figs.rglob("*.png")}
    assert pngs and pngs == {p.with_suffix("").relative_to(figs) for p in figs.rglob("*.svg")}
    page = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert page.count(">SVG</a>") == len(pngs) == page.count("<img ")


def test_worker_count_is_chosen_once_before_the_report_loads_the_machine(tiny_scenario_file, tmp_path,
                                                                        monkeypatch):
    """Asked again later, the load average would count the report's own runs and take a core away."""
    import costsim.report.build as build

    loads = iter([0.0] + [5.0] * 100)  # idle at the start, then busy (with the report's own work)
    monkeypatch.setattr(os, "getloadavg", lambda: (next(loads), 0.0, 0.0))
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(cores, "busy_now", lambda interval=0.1: None)  # the load average alone
    used = []
    real = build.run_jobs

    def recording(fn, args, jobs, **kw):
        used.append(jobs)
        return real(fn, args, jobs, **kw)

    monkeypatch.setattr(build, "run_jobs", recording)
    report.build_report([tiny_scenario_file], tmp_path / "r", samples=32)
    assert used and set(used) == {2}


def test_default_workers_count_the_cores_busy_now_when_the_load_average_still_counts_finished_work(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.6, 2.5, 3.0))  # a minute of earlier work still counted
    for busy_now, workers in ((0.1, 2), (1.4, 2), (1.9, 1), (None, 1)):
        monkeypatch.setattr(cores, "busy_now", lambda interval=0.1, b=busy_now: b)
        assert report.default_jobs(10**6) == workers, busy_now
    monkeypatch.setattr(os, "getloadavg", lambda: (1.5, 1.5, 1.5))  # half a core idle: a second worker
    monkeypatch.setattr(cores, "busy_now", lambda interval=0.1: None)
    assert report.default_jobs(10**6) == 2
    monkeypatch.setattr(os, "getloadavg", lambda: (0.3, 0.3, 0.3))
    monkeypatch.setattr(cores, "busy_now", lambda interval=0.1: 1.8)  # the lower of the two counts
    assert report.default_jobs(10**6) == 2
    assert report.default_jobs(1) == 1  # never more workers than jobs


def test_busy_now_is_a_share_of_the_cores_or_none():
    busy = cores.busy_now(0.05)
    if os.path.exists("/proc/stat"):  # where the count can be read, it must be: None only where it cannot
        assert busy is not None
    assert busy is None or -1e-9 <= busy <= (os.cpu_count() or 1) + 1e-9


@pytest.mark.slow  # two ledger reports: ~25 s CPU (--runslow); test_report_ledger covers the same jobs in one worker
def test_ledger_report_is_the_same_with_one_or_two_workers(tmp_path):
    """The why jobs of the ledger's close claims and the figures share one pool; the pages do not depend on it."""
    folder = packaged_scenarios_folder()
    files = [folder / "deepseek_v3.yaml", folder / "claims_bandwidth.yaml"]
    one = report.build_report(files, tmp_path / "one", samples=64, jobs=1, ledger=True, compare=False).folder
    two = report.build_report(files, tmp_path / "two", samples=64, jobs=2, ledger=True, compare=False).folder
    rels = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert rels == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    assert any(r.parts[0] == "data" for r in rels)  # the summary CSVs are written by the pool too
    for rel in rels:
        assert (one / rel).read_bytes() == (two / rel).read_bytes(), rel
    md = (two / "report.md").read_text(encoding="utf-8")
    assert "### What would flip" in md and "holds where:" in md
