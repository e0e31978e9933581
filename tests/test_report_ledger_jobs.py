"""The report judges the ledger in its figure pool, one job per scenario (each with the whys of its
close claims): the records are the whole ledger's judge, in ledger order, and the whys `claims --why`'s."""

from __future__ import annotations

import json

import pytest

from costsim import report
from costsim.bundled import packaged_scenarios_folder
from costsim.ledger import judge, load_ledger
from costsim.ledger.profiles import all_profiles
from costsim.ledger.why import report_whys


def test_judging_each_scenarios_claims_apart_gives_the_whole_ledgers_records():
    """What the report's per-scenario ledger jobs rely on (a record depends on its claim and its scenario only)."""
    profiles = all_profiles()
    whole = judge(profiles=profiles)
    groups: dict = {}
    for c in load_ledger().claims:
        groups.setdefault(c.scenario if c.tested else None, []).append(c.id)
    assert len(groups) > 2
    apart = {r["id"]: r for ids in reversed(list(groups.values())) for r in judge(ids, profiles=profiles)}
    assert [apart[r["id"]] for r in whole] == whole


@pytest.mark.slow  # the whole ledger and its whys: ~15 s CPU (--runslow)
def test_ledger_report_records_and_whys_are_judge_and_claims_why(tmp_path):
    folder = packaged_scenarios_folder()
    files = [folder / "deepseek_v3.yaml", folder / "claims_bandwidth.yaml"]
    out = report.build_report(files, tmp_path / "r", samples=64, jobs=2, ledger=True, compare=False).folder
    manifest = json.loads((out / "report.json").read_text(encoding="utf-8"))
    records = judge(profiles=all_profiles())
    assert manifest["ledger"] == json.loads(json.dumps(records))
    md = (out / "report.md").read_text(encoding="utf-8")
    whys = report_whys(records)
    assert whys
    for text in whys.values():
        assert text.splitlines()[-1] in md
