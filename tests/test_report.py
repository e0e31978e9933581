"""Tests of costsim.report and the report, plot and watch commands: pages, files, atomic writes."""

from __future__ import annotations

import json
import re

import pytest

from costsim import report
from costsim.cli import main
from costsim.errors import OutputError
from costsim.store import is_costsim_folder

CHECKS = """\
checks:
  - claim: "Effective FLOP in 2028 beats $1 worth of 2025 (passes)"
    output: effective_flop
    year: 2028
    above: 1.0e+20
"""
FAILING = """\
checks:
  - claim: "Effective FLOP stays below 1e20 (fails)"
    output: effective_flop
    year: 2028
    below: 1.0e+20
"""
PLOTS = """\
plots:
  - {kind: fan, output: effective_flop}
  - {kind: hist, output: physical_flop, year: 2026}
"""
BAD = "schema_version: 1\nname: broken\nyears: {start: 2025, stop: 2028}\nparamz: {}\n"


def _write_scenarios(folder, tiny):
    folder.mkdir()
    (folder / "tiny.yaml").write_text(tiny + CHECKS, encoding="utf-8")
    (folder / "tiny_plots.yaml").write_text(tiny.replace("name: tiny", "name: tiny_plots") + PLOTS, encoding="utf-8")
    (folder / "broken.yaml").write_text(BAD, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory):
    """Three scenario files: tiny with checks, tiny_plots with a plots: list, and an invalid one."""
    from conftest import TINY_SCENARIO

    return _write_scenarios(tmp_path_factory.mktemp("s") / "scenarios", TINY_SCENARIO)


@pytest.fixture
def quick(tmp_path, tiny_scenario_text):
    """One scenario that draws no figures (plots: []), for tests of the folder rather than figures."""
    path = tmp_path / "quick.yaml"
    path.write_text(tiny_scenario_text.replace("name: tiny", "name: quick") + "plots: []\n" + CHECKS, encoding="utf-8")
    return path


def _build(scenarios, out, **kw):
    files = [scenarios / "tiny.yaml", scenarios / "tiny_plots.yaml", scenarios / "broken.yaml"]
    kw.setdefault("jobs", 1)
    kw.setdefault("formats", ("png", "svg"))  # PNG shown, SVG linked (the default is PNG alone)
    return report.build_report(files, out, samples=64, **kw)


@pytest.fixture(scope="module")
def built(scenarios, tmp_path_factory):
    return _build(scenarios, tmp_path_factory.mktemp("r") / "report")


def test_report_folder_has_pages_figures_and_manifest(built):
    out = built.folder
    assert {p.name for p in out.iterdir()} == {"index.html", "report.md", "report.json", "figures", "data"}
    assert is_costsim_folder(out)
    assert [s.status for s in built.sections] == ["OK", "OK", "ERROR"]
    assert built.exit_code == 2  # an invalid scenario
    manifest = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [e["name"] for e in manifest["scenarios"]] == ["tiny", "tiny_plots", "broken"]
    assert manifest["scenarios"][0]["n"] == 64
    assert manifest["scenarios"][0]["seed"] == 7
    assert manifest["scenarios"][2]["error_kind"] == "scenario"
    assert "created" not in json.dumps(manifest)  # no timestamps: equal inputs, equal bytes


def test_html_references_only_files_that_exist(built):
    page = (built.folder / "index.html").read_text(encoding="utf-8")
    refs = report.html_references(page)
    assert refs, "the page references its figures"
    assert all((built.folder / ref).is_file() for ref in refs), [r for r in refs if not (built.folder / r).is_file()]
    assert sum(ref.endswith(".png") for ref in refs) >= 4
    assert any(ref.endswith(".svg") for ref in refs)
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)  # nothing fetched from the network


def test_markdown_references_only_files_that_exist(built):
    text = (built.folder / "report.md").read_text(encoding="utf-8")
    refs = re.findall(r"\]\(([^)#]+)\)", text)
    assert refs
    assert all((built.folder / ref).is_file() for ref in refs)


def test_page_shows_checks_parameters_sources_and_errors(built):
    page = (built.folder / "index.html").read_text(encoding="utf-8")
    assert "beats $1 worth of 2025 (passes)" in page
    assert '<span class="badge PASS">PASS</span>' in page
    assert "<code>base_budget_usd</code>" in page
    assert "lognormal, 90% in [5e+07, 5e+08]" in page
    assert 'broken.yaml:4: paramz: unknown key' in page
    assert '<pre class="error">' in page
    assert "n = 64 samples" in page


def test_scenario_plots_key_chooses_the_figures(built):
    by_name = {s.name: s for s in built.sections}
    assert [(f.spec.kind, f.spec.output) for f in by_name["tiny_plots"].figures] == [
        ("fan", "effective_flop"), ("hist", "physical_flop")]
    assert {f.spec.kind for f in by_name["tiny"].figures} == {"fan", "tornado", "checks"}
    assert [f.spec.output for f in built.comparisons] == ["effective_flop", "physical_flop"]  # shared by both


def test_bad_plots_entry_is_an_error_section_with_its_line(tmp_path, tiny_scenario_text):
    path = tmp_path / "bad_plots.yaml"
    path.write_text(tiny_scenario_text + "plots:\n  - {kind: fan, output: effective_flp}\n", encoding="utf-8")
    section = report.run_section(path, samples=16)
    assert section.error_kind == "scenario"
    line = len(tiny_scenario_text.splitlines()) + 2
    assert section.error == (f"{path}:{line}: plots[0].output: unknown output; expected one of the scenario's outputs "
                             "(outputs:), got 'effective_flp' (str). Did you mean 'effective_flop'?")


def test_failed_check_gives_exit_1(tmp_path, tiny_scenario_text):
    path = tmp_path / "failing.yaml"
    path.write_text(tiny_scenario_text + "plots: []\n" + FAILING, encoding="utf-8")
    summary = report.build_report([path], tmp_path / "r", samples=64, jobs=1)
    assert summary.exit_code == 1
    assert summary.sections[0].status == "FAIL"
    assert '<span class="badge FAIL">FAIL</span>' in (tmp_path / "r" / "index.html").read_text(encoding="utf-8")


def test_report_is_byte_identical_and_does_not_depend_on_jobs(scenarios, built, tmp_path):
    one = built.folder
    two = _build(scenarios, tmp_path / "two", jobs=2).folder
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    for rel in files:
        assert (one / rel).read_bytes() == (two / rel).read_bytes(), rel


def test_existing_report_is_refused_before_any_run(built, monkeypatch):
    def boom(*a, **k):
        raise AssertionError("ran a scenario although the folder would be refused")

    monkeypatch.setattr(report, "run_section", boom)
    with pytest.raises(OutputError, match=r"folder exists; expected a new folder, or --force"):
        report.build_report(["x.yaml"], built.folder, jobs=1)


def test_failed_report_leaves_the_previous_one_in_place(quick, tmp_path, monkeypatch):
    out = report.build_report([quick], tmp_path / "report", samples=32, jobs=1).folder
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    calls = []

    def fail_second(*a, **k):
        calls.append(a)
        if len(calls) == 2:
            raise KeyboardInterrupt  # as if interrupted while running the second scenario
        return real(*a, **k)

    real = report.run_section
    monkeypatch.setattr(report, "run_section", fail_second)
    with pytest.raises(KeyboardInterrupt):
        report.build_report([quick, quick], out, samples=32, jobs=1, force=True)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no half-written folder left


def test_forced_report_replaces_the_folder_whole(quick, tmp_path):
    out = report.build_report([quick], tmp_path / "report", samples=32, jobs=1).folder
    stale = out / "figures" / "stale.png"
    stale.parent.mkdir(exist_ok=True)
    stale.write_bytes(b"old")
    report.build_report([quick], out, samples=32, jobs=1, force=True)
    assert not stale.exists()
    assert (out / "index.html").is_file()


def test_markdown_of_one_run(built):
    results = built.sections[0].results
    text = report.markdown(results, years=[2025, 2028])
    assert text.startswith("## tiny\n")
    assert "| effective_flop |  | 2028 |" in text
    assert "| base_flop_per_usd | constant | 2.5e17 | 2.5e17 | FLOP/USD |" in text
    assert "### Checks: 1 of 1 passed" in text


# ------------------------------------------------------------------------------ commands
def test_cli_report_says_when_there_is_no_scenarios_folder(tmp_path, monkeypatch):
    # without ./scenarios/ `costsim report` falls back to the scenarios installed with costsim
    # (issue 19; run end to end from a wheel in tests/test_wheel.py); a folder that is not there
    # is still reported as such
    from costsim.bundled import packaged_scenarios_folder, scenarios_folder
    from costsim.errors import ScenarioError

    monkeypatch.chdir(tmp_path)
    assert scenarios_folder() == packaged_scenarios_folder() is not None
    with pytest.raises(ScenarioError, match="no scenarios folder here"):
        report.bundled_scenarios(tmp_path / "scenarios")


def test_cli_report_runs_the_scenarios_folder(quick, tmp_path, monkeypatch, capsys):
    (tmp_path / "scenarios").mkdir()
    quick.rename(tmp_path / "scenarios" / "quick.yaml")
    monkeypatch.chdir(tmp_path)
    assert main(["report", "-o", "out", "-n", "32", "--quiet", "--jobs", "1"]) == 0
    assert "wrote out/index.html" in capsys.readouterr().out
    assert main(["report", "-o", "out", "-n", "32", "--quiet"]) == 2  # exists, no --force
    assert "folder exists" in capsys.readouterr().err


def test_cli_plot_draws_from_a_results_folder(tiny_scenario_file, tmp_path, capsys):
    assert main(["run", str(tiny_scenario_file), "-n", "50", "-o", str(tmp_path / "run"), "--quiet"]) == 0
    target = tmp_path / "fan.svg"
    assert main(["plot", str(tmp_path / "run"), "--kind", "fan", "--output", "effective_flop", "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith("<?xml")
    capsys.readouterr()
    assert main(["plot", str(tmp_path / "run"), "--kind", "race", "--output", "effective_flop",
                 "-o", str(tmp_path / "r.png")]) == 2
    assert capsys.readouterr().err.strip() == (
        "costsim plot: --output: a race chart needs an output with axes (year, bloc); this one is axes (year); "
        "expected axes (year, bloc), got 'effective_flop' (str)")


def test_cli_plot_runs_a_scenario_file(tiny_scenario_file, tmp_path):
    target = tmp_path / "t.png"
    assert main(["plot", str(tiny_scenario_file), "--kind", "tornado", "--output", "effective_flop", "--year", "2028",
                 "-n", "64", "-o", str(target)]) == 0
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_watch_writes_a_live_page_without_meta_refresh(tiny_scenario_file, tmp_path, capsys):
    out = tmp_path / "w"
    assert main(["watch", str(tiny_scenario_file), "-o", str(out), "-n", "32", "--max-runs", "1", "--no-serve"]) == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'http-equiv="refresh"' not in page  # updates are pushed; a reload would lose the scroll position
    assert 'new EventSource("/events")' in page
    assert "tiny: n=32, 3 figures redrawn" in capsys.readouterr().out
