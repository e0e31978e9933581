"""The ledger under review: each verdict is decided by a statistic traceable to the claim's words, shown
with its threshold and MC error; `too close to call` says what straddles; the help teaches."""

import csv
import io
import json
import re
from contextlib import redirect_stdout
from importlib import resources
from pathlib import Path

import pytest

from costsim.cli import main
from costsim.engine import run
from costsim.ledger import CLOSE, FAILS, HOLDS, UNTESTED, build_scenario, judge, load_ledger, scenario_path, summary
from costsim.ledger.book import Claim, Ledger
from costsim.ledger.judge import Run, match_check, verdict_of
from costsim.ledger.render import format_line
from costsim.scenario import claims_index, load_raw, scenario_from_text

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def records():
    return {r["id"]: r for r in judge()}


def _cli(*argv) -> str:
    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(list(argv)) == 0
    return buf.getvalue()


# ------------------------------------------------------------------ the deciding statistic is shown
def test_line_shows_the_statistic_that_decides_not_an_unrelated_share(records):
    """The old line printed `holds  P=0.426`, the share of samples in range, for a median test."""
    r = records["essay.cost_decline_per_year"]
    line = format_line(r)
    assert r["statistic"] == "median(component_decline_x_per_year 2024)"  # the year the check names
    assert f"= {r['value']:.4g} ± {r['value_se']:.4g}" in line
    assert "needs in [3.2, 5]" in line
    assert "P=" not in line and f"{r['probability']:.3f}" not in line


def test_json_carries_statistic_threshold_and_mc_error():
    recs = json.loads(_cli("claims", "--json"))
    tested = [r for r in recs if r["verdict"] != UNTESTED]
    assert len(tested) >= 35
    for r in tested:
        assert r["statistic"] and r["threshold"] and r["threshold_text"], r["id"]
        assert r["value"] is not None and r["value_se"] is not None and r["value_se"] >= 0, r["id"]
        assert r["decided_by"] in ("check", "probability"), r["id"]
        if r["decided_by"] == "probability":
            # the statistic is P(claim) itself, set against the ledger's band
            assert r["threshold"] == {"band": [0.2, 0.8]}
            assert r["value"] == r["probability"] and r["value_se"] == r["mc_se"]
            assert r["statistic"].startswith("P(")


def test_every_tested_verdict_follows_from_the_statistic_and_threshold_in_the_record():
    """A reader can re-derive each verdict from the JSON alone (value ± 2 se against the threshold)."""
    for r in json.loads(_cli("claims", "--json")):
        if r["verdict"] == UNTESTED:
            continue
        v, se = r["value"], r["value_se"]
        (kind, t), = r["threshold"].items()
        if kind == "band":
            expect = HOLDS if v - 2 * se >= t[1] else FAILS if v + 2 * se <= t[0] else CLOSE
        else:
            lo, hi = (t if kind == "between" else (t, float("inf")) if kind == "above" else (float("-inf"), t))
            inside = lo <= v <= hi
            margin = min(abs(v - lo), abs(v - hi))
            expect = CLOSE if se > 0 and margin < 2 * se else HOLDS if inside else FAILS
        assert r["verdict"] == expect, (r["id"], v, se, r["threshold"])


# ------------------------------------------------------------------ verdict semantics at the band edges
UNIFORM = """
schema_version: 1
name: edge
years: {start: 2025, stop: 2025}
samples: 4000
seed: 7
sampling: mc
params:
  u_frac: {dist: uniform, low: 0.0, high: 1.0, source: "test"}
formulas:
  x_frac: "u_frac * 1.0"
outputs: [x_frac]
checks:
"""


def _judge_on_uniform(tests: dict[str, dict], judge_: str = "probability") -> dict:
    text = UNIFORM + "".join(
        f"  - claim: \"[ledger {cid}] t\"\n    output: x_frac\n" + "".join(f"    {k}: {json.dumps(v)}\n"
                                                                         for k, v in t.items())
        for cid, t in tests.items())
    scenario = scenario_from_text(text)
    results = run(scenario)
    claims = [Claim(id=cid, quote="q", who="w", date="2025-01-29", source="amodei2025", kind="forecast",
                    scenario="edge", test=t, judge=judge_) for cid, t in tests.items()]
    ledger = Ledger(tuple(claims), 4000, (0.2, 0.8), "test")
    r = Run(scenario, results, {c.id: match_check(scenario, c) for c in claims})
    return {c.id: verdict_of(c, ledger, r) for c in claims}


def test_probability_verdicts_at_and_inside_the_band():
    out = _judge_on_uniform({
        "a.clear_holds": {"probability_of": {"below": 0.9}, "above": 0.5},       # P ~ 0.9
        "a.inside": {"probability_of": {"below": 0.5}, "above": 0.5},            # P ~ 0.5
        "a.edge": {"probability_of": {"below": 0.805}, "above": 0.5},            # P ~ 0.805, se ~ 0.006
        "a.clear_fails": {"probability_of": {"below": 0.1}, "above": 0.5},       # P ~ 0.1
    })
    assert out["a.clear_holds"]["verdict"] == HOLDS and out["a.clear_fails"]["verdict"] == FAILS
    assert out["a.inside"]["verdict"] == CLOSE and "prior spread" in out["a.inside"]["reason"]
    edge = out["a.edge"]
    assert edge["value"] > 0.8 and edge["value"] - 2 * edge["value_se"] < 0.8
    assert edge["verdict"] == CLOSE and "MC error" in edge["reason"]
    for v in out.values():
        assert v["threshold"] == {"band": [0.2, 0.8]}


def test_check_verdict_too_close_only_when_the_mc_error_straddles():
    out = _judge_on_uniform({
        "m.near": {"between": [0.0, 0.502]},    # the median ~0.5 lies within 2 se (~0.009) of 0.502
        "m.far": {"between": [0.0, 0.6]},
        "m.miss": {"above": 0.6},
    }, judge_="check")
    assert out["m.near"]["verdict"] == CLOSE and "MC error" in out["m.near"]["reason"]
    assert out["m.far"]["verdict"] == HOLDS and out["m.miss"]["verdict"] == FAILS
    assert out["m.far"]["statistic"] == "median(x_frac)" and out["m.far"]["threshold"] == {"between": [0.0, 0.6]}


# ------------------------------------------------------------------ claims whose test changed
def test_sonnet_cost_is_tested_against_the_training_cost_model(records):
    """Old: P(frontier cost trend at mid-2024 >= $20M) >= 0.05, which nearly anything passes."""
    r = records["essay.sonnet_training_cost"]
    entry = claims_index()["essay.sonnet_training_cost"]
    assert r["scenario"] == "claims_sonnet_cost"
    assert r["statistic"] == "median(sonnet_training_cost_usd)"
    assert r["threshold"] == {"between": [entry["low"], entry["high"]]}
    assert r["verdict"] == HOLDS


def test_sonnet_compute_input_is_epochs_bundled_estimate():
    flop = claims_index()["epoch.sonnet_3_5_training_flop"]
    assert flop["source"] == "epoch_notable_models"
    text = resources.files("costsim.data").joinpath("notable_ai_models_2025-02-24.csv").read_text(encoding="utf-8")
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["Model"] == "Claude 3.5 Sonnet")
    assert float(row["Training compute (FLOP)"]) == pytest.approx(flop["value"], rel=1e-6)
    raw = load_raw(scenario_path("claims_sonnet_cost"))[0]
    assert "epoch.sonnet_3_5_training_flop" in raw["params"]["training_flop"]["source"]


def test_sonnet_cost_test_can_fail():
    ledger = load_ledger()
    claim = ledger.get("essay.sonnet_training_cost")
    for flop, expected in ((3.65e26, FAILS), (3.65e24, FAILS), (3.65e25, HOLDS)):
        scenario = build_scenario("claims_sonnet_cost", [f"params.training_flop={flop!r}"], [claim])
        r = Run(scenario, run(scenario, n=2000), {claim.id: match_check(scenario, claim)})
        assert verdict_of(claim, ledger, r)["verdict"] == expected, flop


def test_deepseek_lag_is_judged_at_the_claims_7_to_10_months(records):
    """Old: the negation of the race scenario's own 1-3 year finding, which is not the claim."""
    r = records["essay.deepseek_lag"]
    entry = claims_index()["essay.deepseek_lag"]
    lo, hi = r["threshold"]["between"]
    assert lo == pytest.approx(entry["low"] / 12, abs=1e-3) and hi == pytest.approx(entry["high"] / 12, abs=1e-3)
    assert r["statistic"] == "median(follower_lag_years 2025)" and r["verdict"] == FAILS


def test_rl_stage_around_1m_is_read_to_half_an_order_of_magnitude(records):
    """Old: within a factor of 5 of $1M, which R1's $294k passed; 'around $1M' does not stretch that far."""
    r = records["essay.rl_stage_spend_now"]
    assert r["verdict"] == UNTESTED  # as of its date: the evidence came later
    assert r["later"]["threshold"] == {"between": [0.316, 3.16]} and r["later"]["verdict"] == FAILS


def test_own_nvidia_is_catch_up_and_exceed_not_a_shrinking_gap(records):
    """Old: median gap in 2030 <= 15x ('the gap shrinks'); the claim is that China catches up and exceeds."""
    r = records["comments.own_nvidia"]
    assert r["statistic"] == "P(effective_flop_gap_ratio 2040 < 1)" and r["decided_by"] == "probability"
    assert r["verdict"] != HOLDS


def test_powerful_ai_chips_is_judged_against_independent_thresholds(records):
    r = records["essay.powerful_ai_chips"]
    assert r["verdict"] != UNTESTED and r["statistic"] == "P(chips_needed_h100e_count 2027 >= 1e+06)"
    assert claims_index()["essay.powerful_ai_chips"]["value"] == 1.0e6


@pytest.mark.parametrize("cid", ["marcus.controls_paradox", "essay.scaling_curve_gap"])
def test_claims_a_scenario_assumes_are_untested(records, cid):
    """Both were `holds` on checks whose scenario takes the claim as an input."""
    r = records[cid]
    assert r["verdict"] == UNTESTED and "circular" in r["reason"]


@pytest.mark.parametrize("cid", ["essay.controls_deny_millions", "essay.bipolar_without_controls",
                                 "essay.unipolar_with_controls", "essay.commanding_lead"])
def test_race_forecasts_are_decided_by_their_probability(records, cid):
    assert records[cid]["decided_by"] == "probability"


def test_claims_about_uncertain_futures_are_decided_by_probability(records):
    """Forecast, causal and policy claims are judged by P(claim) unless the entry says `judge: check` and why."""
    from costsim.ledger import bundled_ledger_text
    from costsim.yamlio import load_yaml

    raw = {c["id"]: c for c in load_yaml(bundled_ledger_text(), "ledger.yaml")[0]["claims"]}
    for claim in load_ledger().claims:
        r = records[claim.id]
        if claim.kind == "arithmetic" or r["verdict"] == UNTESTED:
            continue
        if raw[claim.id].get("judge") == "check":
            assert "judged by" in claim.note, claim.id
        else:
            assert r["decided_by"] == "probability", claim.id


def test_untested_reasons_name_what_is_missing(records):
    # the packaging cap exists (a branch name here once sent readers to code long merged): what is missing is the shock
    reason = records["hn.tsmc_shock"]["reason"]
    assert "race_packaging_supply" in reason and "no dated supply shock" in reason and "h/" not in reason
    for cid in ("comments.china_ppp", "hn.us_gdp_growth"):
        assert "econ.world_gdp_2024" in records[cid]["reason"]
    for r in records.values():
        assert "\n" not in r["reason"]


# ------------------------------------------------------------------ the command teaches
def test_help_teaches_the_verdicts(capsys):
    with pytest.raises(SystemExit):
        main(["claims", "--help"])
    text = capsys.readouterr().out
    for word in ("holds", "fails", "too close to call", "untested", "prior spread", "MC se", "examples:",
                 "probability band", "costsim claims --why"):
        assert word in text, word


def test_output_has_a_header_and_the_counts():
    out = _cli("claims").rstrip("\n").splitlines()
    assert out[0].split()[:3] == ["claim", "verdict", "deciding"]
    s = summary(judge())
    c = s["counts"]
    assert out[-1] == (f"{s['claims']} claims: {c.get(HOLDS, 0)} holds, {c.get(FAILS, 0)} fails, "
                       f"{c.get(CLOSE, 0)} too close to call, {c.get(UNTESTED, 0)} untested; "
                       f"{s['with_verdict']} with a verdict as of their date, "
                       f"{s['changed_with_later_data']} with another verdict on later data")


def test_docs_state_no_counts_that_drift():
    """README's ledger section and docs/CLAIMS.md: any 'N claims' equals the ledger's size; no verdict tallies."""
    n = len(load_ledger().claims)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Claims ledger"):]
    section = section[:section.index("\n## ", 3)]
    for text in (section, (ROOT / "docs" / "CLAIMS.md").read_text(encoding="utf-8")):
        for m in re.finditer(r"\b(\d+) claims\b", text):
            assert int(m.group(1)) == n, m.group(0)
        tally = re.search(r"\b\d+ (holds?|fails?|are too close|too close to call|untested|have a verdict|"
                          r"with a verdict|differ)\b", text)
        assert not tally, tally.group(0)
