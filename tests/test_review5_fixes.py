"""Two findings of a review of session 5's caches (each test fails on the code before)."""

from __future__ import annotations

import dataclasses
import gc

from costsim.ledger.book import load_ledger
from costsim.ledger.why import why
from costsim.report.pool import run_jobs


def test_a_why_cache_shared_by_two_ledgers_keeps_each_ledgers_verdicts():
    # the swing verdicts were cached under (scenario, n, overrides) only: a second ledger with
    # another probability band read the first one's verdicts (6 swing rows differed)
    first = load_ledger()
    second = dataclasses.replace(first, probability_band=(0.001, 0.002))
    cache: dict = {}
    under_first = why("essay.powerful_ai_years", ledger=first, n=200, cache=cache)
    shared = why("essay.powerful_ai_years", ledger=second, n=200, cache=cache)
    alone = why("essay.powerful_ai_years", ledger=second, n=200)
    assert under_first["swing"] != alone["swing"]  # the band decides these verdicts: not vacuous
    assert shared["swing"] == alone["swing"]


def _square(x):
    return x * x


def test_the_report_pool_leaves_a_callers_frozen_objects_frozen():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        assert run_jobs(_square, [(1,), (2,), (3,)], 2) == [1, 4, 9]
        # before: 0, the pool thawed the caller's objects too (a frozen object that dies leaves the
        # count, so it may fall a little while the pool runs)
        assert gc.get_freeze_count() > frozen // 2
    finally:
        gc.unfreeze()
