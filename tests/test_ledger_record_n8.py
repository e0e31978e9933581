"""A ledger record's n is the n of the run its verdict was judged on; an untested record needs no run.

Review of 1b0be32: filling `n` ran the claim's dated scenario even for a claim whose evidence came
after its date (untested, never judged on it): an extra run, and a ScenarioError where that run
cannot be built (a fitted claim dated before its data), where the answer is "untested".
"""

from __future__ import annotations

import dataclasses

from costsim.ledger import judge, load_ledger

CLAIM = "essay.spend_rises_with_efficiency"  # a fitted (as_of-dated) claim of the bundled ledger


def _ledger_with(**changes):
    ledger = load_ledger()
    claims = [dataclasses.replace(c, **changes) if c.id == CLAIM else c for c in ledger.claims]
    return dataclasses.replace(ledger, claims=type(ledger.claims)(claims))


def test_a_claim_dated_before_its_evidence_and_its_data_is_untested_without_error():
    early = _ledger_with(date="1955-01-01", evidence_date="2025-09-01")
    (rec,) = judge([CLAIM], ledger=early)
    assert rec["verdict"] == "untested" and "after the claim" in rec["reason"]
    assert "n" not in rec


def test_a_judged_record_has_the_n_of_its_run():
    (rec,) = judge([CLAIM], n=700)
    assert rec["verdict"] != "untested" and rec["n"] == 700
