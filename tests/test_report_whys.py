"""The report's "what would flip it" text: the claims of one scenario share their swing runs.

`costsim report` explains each close or split claim with `costsim claims --why`'s PRIM boxes and
one-at-a-time swings. Claims judged on the same scenario swing the same inputs on the same runs;
a shared cache makes each run once. These tests pin that the answers are unchanged by it and
that the runs really are shared (counted through `costsim.engine.run`).
"""

from __future__ import annotations

import costsim.engine
from costsim.ledger.why import format_why, report_whys, why

# two claims judged on the same scenario (claims_powerful_ai_date), each with swing rows
PAIR = ("essay.powerful_ai_chips", "essay.powerful_ai_years")


def _counting(monkeypatch) -> list[int]:
    calls = [0]
    real = costsim.engine.run

    def counted(*a, **k):
        calls[0] += 1
        return real(*a, **k)

    monkeypatch.setattr(costsim.engine, "run", counted)
    return calls


def test_shared_cache_gives_the_same_answers_as_separate_calls():
    alone = [why(i) for i in PAIR]
    cache: dict = {}
    shared = [why(i, cache=cache) for i in PAIR]
    assert shared == alone
    assert all(a["swing"] for a in alone)  # the claims have swing rows, so the cache had work to share


def test_second_claim_of_a_scenario_reuses_the_swing_runs(monkeypatch):
    calls = _counting(monkeypatch)
    first = why(PAIR[0])
    runs_alone = calls[0]
    assert runs_alone == 1 + 2 * len([r for r in first["swing"] if "error" not in r])
    cache: dict = {}
    why(PAIR[0], cache=cache)
    calls[0] = 0
    why(PAIR[1], cache=cache)
    assert calls[0] == 1  # only its own base run: every swing run was made for the first claim


def test_report_whys_text_matches_claims_why():
    records = [{"id": i, "verdict": "too close to call", "profiles": {}} for i in PAIR]
    texts = report_whys(records)
    assert texts == {i: format_why(why(i)) for i in PAIR}
