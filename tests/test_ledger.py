"""The claims ledger: structure, verdicts from thresholds, as-of dates, reproducibility, profiles, discovery."""

import io
import json
from contextlib import redirect_stdout

import numpy as np
import pytest

from costsim.cli import main
from costsim.engine import run
from costsim.errors import ScenarioError
from costsim.ledger import (CLOSE, FAILS, HOLDS, UNTESTED, as_of_overrides, judge, load_ledger, scenario_path,
                            summary)
from costsim.ledger.discovery import prim
from costsim.ledger.judge import run_for, verdict_of
from costsim.ledger.profiles import load_profile, profile_names, profile_overrides
from costsim.ledger.render import anchor, to_html, to_markdown
from costsim.ledger.why import why
from costsim.scenario import load_raw, load_scenario

REQUIRED = {"id", "quote", "source", "date", "scenario", "check", "verdict", "probability", "mc_se"}


@pytest.fixture(scope="module")
def records():
    return judge()


def _cli(*argv) -> str:
    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(list(argv)) == 0
    return buf.getvalue()


def test_ledger_covers_the_debate(records):
    s = summary(records)
    assert s["claims"] >= 40
    assert s["with_verdict"] >= 35
    assert len({r["id"] for r in records}) == len(records)
    for r in records:
        assert REQUIRED <= set(r)
        assert r["verdict"] in (HOLDS, FAILS, CLOSE, UNTESTED)
        if r["verdict"] == UNTESTED:
            assert r["reason"], r["id"]


def test_every_check_reference_resolves(records):
    ledger = load_ledger()
    by_id = {r["id"]: r for r in records}
    for claim in ledger.claims:
        if claim.tested and not claim.evidence_date:
            assert not by_id[claim.id]["reason"].startswith("no unique check"), by_id[claim.id]["reason"]
            assert by_id[claim.id]["probability"] is not None


def test_api_price_gap_verdict_follows_the_claimed_range_at_each_date(records):
    """Expected verdicts come from the claim's 15-50x and the scenario's own medians, at both price dates."""
    rec = {r["id"]: r for r in records}["hn.api_price_gap"]
    path = scenario_path("inference_prices")
    raw = load_raw(path)[0]
    dated = as_of_overrides(raw, "2025-01-29")
    assert dated and all("api_price_v3_launch" in o for o in dated)
    n = load_ledger().samples
    then = float(np.median(run(load_scenario(path, dated), n=n).at_year("price_gap_x")))
    now = float(np.median(run(load_scenario(path), n=n).at_year("price_gap_x")))
    expect = (lambda m: HOLDS if 15.0 <= m <= 50.0 else FAILS)
    assert rec["verdict"] == expect(then)
    assert rec["value"] == pytest.approx(then, rel=1e-5)
    assert expect(then) != expect(now)  # the launch and standard prices give different verdicts
    assert rec["later"]["verdict"] == expect(now)


def test_as_of_rebinding_depends_on_the_date():
    raw = load_raw(scenario_path("inference_prices"))[0]
    assert as_of_overrides(raw, "2025-03-01") == []
    assert len(as_of_overrides(raw, "2025-01-10")) == 3
    fitted = load_raw(scenario_path("claims_spending"))[0]
    assert as_of_overrides(fitted, "2025-01-29") == ["as_of=2025.0767"]


def test_evidence_published_later_is_untested_as_of_the_claim(records):
    rec = {r["id"]: r for r in records}["essay.rl_stage_spend_now"]
    assert rec["verdict"] == UNTESTED and "2025-09-17" in rec["reason"]
    assert rec["later"]["verdict"] in (HOLDS, FAILS, CLOSE)


def test_verdicts_reproduce_byte_for_byte():
    a = _cli("claims", "--json", "hn.api_price_gap", "essay.powerful_ai_years", "essay.unipolar_with_controls")
    b = _cli("claims", "--json", "hn.api_price_gap", "essay.powerful_ai_years", "essay.unipolar_with_controls")
    assert a == b
    assert [r["id"] for r in json.loads(a)] == ["hn.api_price_gap", "essay.powerful_ai_years",
                                               "essay.unipolar_with_controls"]


def test_claims_command_prints_one_line_per_claim_asked():
    out = _cli("claims", "hn.bandwidth_deficit.memory", "hn.bandwidth_deficit.interconnect")
    lines = [ln for ln in out.splitlines() if ln.startswith("hn.")]
    assert [ln.split()[0] for ln in lines] == ["hn.bandwidth_deficit.memory", "hn.bandwidth_deficit.interconnect"]
    assert "claims_bandwidth" in lines[0]


def test_bandwidth_is_judged_per_metric(records):
    """H800 vs H100: the same HBM bandwidth, 56% less NVLink (from the chip catalogue)."""
    import yaml
    from importlib import resources

    chips = yaml.safe_load(resources.files("costsim.data").joinpath("chips.yaml").read_text())["chips"]
    mem = 1 - chips["H800_SXM"]["memory_bandwidth_bytes_per_s"] / chips["H100_SXM"]["memory_bandwidth_bytes_per_s"]
    link = 1 - chips["H800_SXM"]["interconnect_bytes_per_s"] / chips["H100_SXM"]["interconnect_bytes_per_s"]
    by_id = {r["id"]: r for r in records}
    assert by_id["hn.bandwidth_deficit.memory"]["verdict"] == (HOLDS if 0.5 <= mem <= 0.8 else FAILS)
    assert by_id["hn.bandwidth_deficit.interconnect"]["verdict"] == (HOLDS if 0.5 <= link <= 0.8 else FAILS)


def test_spending_claim_can_fail_on_falling_spend(tmp_path):
    """The Jevons check is a test: fed data whose frontier spend falls, it fails."""
    years = np.linspace(2016.0, 2024.0, 30)
    rng = np.random.default_rng(0)
    cost = 1e8 * 0.5 ** (years - 2016.0) * np.exp(rng.normal(0, 0.3, years.size))
    lines = ["Model,Publication date,Training compute (FLOP),Training compute cost (2023 USD),Frontier model"]
    for i, (y, c) in enumerate(zip(years, cost)):
        month = int((y % 1) * 12) + 1
        lines.append(f"m{i},{int(y)}-{month:02d}-15,{1e24 * 4 ** (y - 2016):.6g},{c:.6g},True")
    csv = tmp_path / "falling.csv"
    csv.write_text("\n".join(lines) + "\n")
    ledger = load_ledger()
    claim = ledger.get("essay.spend_rises_with_efficiency")
    over = (f"params.frontier_cost_x_per_year.fit.data={csv}", f"params.frontier_flop_x_per_year.fit.data={csv}",
            f"params.frontier_cost_mid_2024_usd.fit.data={csv}")
    falling = verdict_of(claim, ledger, run_for("claims_spending", [claim], over, 2000))
    bundled = verdict_of(claim, ledger, run_for("claims_spending", [claim], (), 2000))
    assert falling["verdict"] == FAILS and falling["probability"] < 0.05
    assert bundled["verdict"] == HOLDS


def test_prim_finds_a_known_box():
    rng = np.random.default_rng(1)
    x = rng.random((4000, 3))
    y = (x[:, 0] > 0.6) & (x[:, 1] < 0.3)
    box, trajectory = prim(x, y, ["a", "b", "c"], min_coverage=0.8)
    assert set(box.limits) == {"a", "b"}
    assert box.limits["a"][0] == pytest.approx(0.6, abs=0.03)
    assert box.limits["b"][1] == pytest.approx(0.3, abs=0.03)
    assert box.density > 0.95 and box.coverage >= 0.8
    assert trajectory[0].density == pytest.approx(y.mean())


def test_why_names_inputs_and_ranges_for_every_tested_claim():
    ledger = load_ledger()
    for claim in ledger.claims:
        info = why(claim.id, ledger=ledger, n=500, swing=False)
        if not claim.tested:
            assert info["verdict"] == UNTESTED and info["reason"]
            continue
        assert "holds_box" in info and "fails_box" in info, claim.id
        for key in ("holds_box", "fails_box"):
            if info[key] is not None:
                assert all(lo <= hi for lo, hi in info[key]["limits"].values())


def test_why_swing_finds_the_threshold_flips_the_date_claim():
    info = why("essay.powerful_ai_years", n=1000)
    top = info["swing"][0]
    assert top["input"] == "powerful_ai_threshold_flop" and top["flips"]
    assert top["at_low"]["statistic"] > top["at_high"]["statistic"]
    grid = list(info["curve"]["grid"].values())
    assert all(a >= b for a, b in zip(grid, grid[1:]))  # P(crossed) never rises with the threshold


def test_profiles_are_overlays_through_set_overrides():
    assert {"essay", "critics", "neutral"} <= set(profile_names())
    path = scenario_path("on_trend")
    raw = load_raw(path)[0]
    critics = load_profile("critics")
    over = profile_overrides(critics, raw)
    assert over and all(o.split("=", 1)[0].removeprefix("params.") in raw["params"] for o in over)
    res = run(load_scenario(path, over), n=500)
    gap = np.asarray(res.params["effective_compute_gap_x"])
    spec = critics.params["effective_compute_gap_x"]
    assert gap.min() >= spec["low"] and gap.max() <= spec["high"] and gap.std() > 0
    essay = run(load_scenario(path, profile_overrides(load_profile("essay"), raw)), n=500)
    assert np.all(np.asarray(essay.params.get("effective_compute_gap_x", [2.0])) == 2.0)


def test_profile_verdicts_in_the_records():
    recs = judge(["essay.powerful_ai_years"], profiles=[load_profile(p) for p in ("essay", "critics")])
    assert set(recs[0]["profiles"]) == {"essay", "critics"}
    assert all(v in (HOLDS, FAILS, CLOSE, UNTESTED, "model error") for v in recs[0]["profiles"].values())


def test_tables_escape_text_and_link_verdicts():
    rec = {"id": "x|y", "quote": "a <b> | c*d", "who": "w", "source": "hn2025", "date": "2025-01-29",
           "kind": "arithmetic", "scenario": "on_trend", "check": "", "verdict": HOLDS, "probability": 0.5,
           "mc_se": 0.01, "reason": "", "later": None, "profiles": {}}
    md = to_markdown([rec])
    row = md.splitlines()[2]
    assert row.count(" | ") == 7  # the pipes inside cells are escaped
    assert "x\\|y" in row and f"]({anchor('on_trend')})" in row
    page = to_html([rec])
    assert "<b>" not in page and "&lt;b&gt;" in page and f'href="{anchor("on_trend")}"' in page


def test_ledger_rejects_bad_entries(tmp_path):
    bad = tmp_path / "ledger.yaml"
    bad.write_text('claims:\n  - id: a\n    quote: "One. Two."\n    who: w\n    date: "2025-01-29"\n'
                   '    source: hn2025\n    kind: opinion\n    untested: why\n')
    with pytest.raises(ScenarioError) as err:
        load_ledger(bad)
    text = str(err.value)
    assert "one sentence" in text and "unknown kind" in text


def test_report_sections_wrap_the_tables(records):
    from costsim.ledger.render import report_section_html, report_section_markdown

    page = report_section_html(records)
    assert page.startswith('<section id="ledger">') and page.count("<tr>") == len(records) + 1
    md = report_section_markdown(records)
    assert md.startswith("## Claims ledger") and md.count("\n| ") == len(records) + 1


def test_claims_why_and_profile_set_on_the_command_line():
    out = _cli("claims", "--why", "--no-swing", "hn.no_substitute_2_3_years", "comments.china_ppp")
    assert "holds where:" in out and "fails where:" in out and "coverage" in out and "density" in out
    assert "comments.china_ppp: untested" in out
    sets = _cli("claims", "--profile-set", "essay", "on_trend").splitlines()
    assert sets and all(s.startswith("--set=params.") for s in sets)
    scenario = load_scenario(scenario_path("on_trend"), [s.removeprefix("--set=") for s in sets])
    assert scenario.params["effective_compute_gap_x"].is_constant


def test_markdown_and_html_commands_print_one_row_per_claim():
    md = _cli("claims", "--markdown", "hn.api_price_gap", "hn.tsmc_shock")
    assert len([ln for ln in md.splitlines() if ln.startswith("| hn")]) == 2
    assert "later data: fails" in md
    page = _cli("claims", "--html", "hn.api_price_gap")
    assert page.count("<tr>") == 2 and 'class="ledger"' in page
