"""The report opens with the claims ledger: one table whose verdicts link to the scenarios' sections."""

import json
import re

from costsim import report
from costsim.bundled import packaged_scenarios_folder
from costsim.ledger import judge


def test_the_ledger_leads_the_report_and_links_to_the_sections(tmp_path):
    folder = packaged_scenarios_folder()
    files = [folder / "deepseek_v3.yaml", folder / "claims_bandwidth.yaml"]
    out = report.build_report(files, tmp_path / "r", samples=64, jobs=1, ledger=True, compare=False).folder
    page = (out / "index.html").read_text(encoding="utf-8")
    ledger_at = page.index('<section id="ledger">')
    first_section = min(page.index(f'id="s-{f.stem}"') for f in files)
    assert ledger_at < first_section  # it opens the report
    links = set(re.findall(r'href="#(s-[A-Za-z0-9_-]+)"', page[ledger_at:page.index("</section>", ledger_at)]))
    for f in files:  # the verdicts of claims tested by a reported scenario point at its section
        assert f"s-{f.stem}" in links
    md = (out / "report.md").read_text(encoding="utf-8")
    assert md.index("## Claims ledger") < md.index("## deepseek_v3")
    records = json.loads((out / "report.json").read_text(encoding="utf-8"))["ledger"]
    assert [r["id"] for r in records] == [r["id"] for r in judge()]
    assert {r["verdict"] for r in records} <= {"holds", "fails", "too close to call", "untested"}
    # every claim too close to call gets its "what would flip it": PRIM boxes and swings
    close = [r["id"] for r in records if r["verdict"] == "too close to call"]
    assert close
    for cid in close:
        block = page.index(f"<details><summary><code>{cid}</code></summary>")
        assert "holds where:" in page[block:page.index("</details>", block)]
    assert "### What would flip" in md


def test_a_report_of_other_files_has_no_ledger_unless_asked(tiny_scenario_file, tmp_path):
    out = report.build_report([tiny_scenario_file], tmp_path / "r", samples=32, jobs=1).folder
    assert 'id="ledger"' not in (out / "index.html").read_text(encoding="utf-8")


def test_cli_report_of_a_folder_with_every_ledger_scenario_opens_with_the_ledger(tmp_path, monkeypatch, capsys):
    import shutil

    from costsim.cli import main

    shutil.copytree(packaged_scenarios_folder(), tmp_path / "scenarios")  # a local copy, as after `pip install .`
    monkeypatch.chdir(tmp_path)
    assert main(["report", "-o", "out", "-n", "16", "--quiet", "--jobs", "1", "--formats", "png",
                 "--no-compare"]) in (0, 1)
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert '<section id="ledger">' in page
    assert main(["report", "-o", "out2", "-n", "16", "--quiet", "--jobs", "1", "--formats", "png", "--no-compare",
                 "--no-ledger", "scenarios/reference_r1.yaml"]) in (0, 1)
    assert 'id="ledger"' not in (tmp_path / "out2" / "index.html").read_text(encoding="utf-8")
