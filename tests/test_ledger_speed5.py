"""The ledger's shared work: ``judge(cache=)`` keeps its runs for ``why``'s base runs.

The report judges one scenario's claims, then explains its close ones (``why``); a claim's base
run is its dated run, which the judge has made already. These tests pin that sharing the cache
changes no answer, that the base run is really reused (runs counted through
``costsim.engine.run``), and that :func:`run_key` tells apart every run that could differ.
"""

from __future__ import annotations

import dataclasses

import costsim.engine
from costsim.ledger import judge, load_ledger
from costsim.ledger.judge import as_of_overrides, run_for, run_key, scenario_path, verdict_of
from costsim.ledger.profiles import all_profiles, profile_overrides
from costsim.ledger.why import format_why, why
from costsim.scenario import load_raw

GROUP = ("essay.powerful_ai_chips", "essay.powerful_ai_years", "marcus.dates_made_up")  # one scenario


def _counting(monkeypatch) -> list[int]:
    calls = [0]
    real = costsim.engine.run

    def counted(*a, **k):
        calls[0] += 1
        return real(*a, **k)

    monkeypatch.setattr(costsim.engine, "run", counted)
    return calls


def test_judge_with_a_cache_gives_the_records_of_judge_alone():
    profiles = all_profiles()
    alone = judge(list(GROUP), profiles=profiles)
    cache: dict = {}
    assert judge(list(GROUP), profiles=profiles, cache=cache) == alone
    assert judge(list(GROUP), profiles=profiles, cache=cache) == alone  # every run from the cache


def test_judge_records_are_the_verdicts_of_runs_made_one_by_one():
    """judge shares draws among its runs (sampling.shared_draws): each verdict is that of its run made alone."""
    ledger = load_ledger()
    profiles = all_profiles()
    records = {r["id"]: r for r in judge(list(GROUP), ledger=ledger, profiles=profiles)}
    claim = ledger.get(GROUP[0])
    group = [c for c in ledger.claims if c.scenario == claim.scenario and c.tested]
    raw = load_raw(scenario_path(claim.scenario))[0]
    dated = tuple(as_of_overrides(raw, claim.date))
    then = verdict_of(claim, ledger, run_for(claim.scenario, group, dated, ledger.samples))
    assert records[claim.id]["verdict"] == then["verdict"]
    assert records[claim.id]["probability"] == float(f"{then['probability']:.6g}")
    for prof in profiles:
        over = tuple(profile_overrides(prof, raw)) + dated
        alone = verdict_of(claim, ledger, run_for(claim.scenario, group, over, ledger.samples))
        assert records[claim.id]["profiles"][prof.name] == alone["verdict"], prof.name


def test_why_after_judge_reuses_the_judges_run_and_answers_the_same(monkeypatch):
    ledger = load_ledger()
    alone = {i: format_why(why(i, ledger=ledger)) for i in GROUP}
    cache: dict = {}
    judge(list(GROUP), ledger=ledger, cache=cache)
    calls = _counting(monkeypatch)
    first = why(GROUP[0], ledger=ledger, cache=cache)
    swung = len([r for r in first["swing"] if "error" not in r])
    assert calls[0] == 2 * swung  # the swing runs only: the base run is the judge's dated run
    shared = {GROUP[0]: format_why(first), **{i: format_why(why(i, ledger=ledger, cache=cache)) for i in GROUP[1:]}}
    assert calls[0] == 2 * swung  # the other claims (same day, same scenario) share every run
    assert shared == alone


def test_run_key_tells_apart_every_run_that_could_differ():
    ledger = load_ledger()
    group = [c for c in ledger.claims if c.scenario == "claims_powerful_ai_date" and c.tested]
    base = run_key("claims_powerful_ai_date", ("as_of=2025.0767",), 2000, group)
    assert base == run_key("claims_powerful_ai_date", ("as_of=2025.0767",), 2000, list(group))
    first = group[0]
    changed_test = dict(first.test)
    changed_test[next(iter(changed_test))] = "something else"
    others = [
        run_key("claims_bandwidth", ("as_of=2025.0767",), 2000, group),
        run_key("claims_powerful_ai_date", (), 2000, group),
        run_key("claims_powerful_ai_date", ("as_of=2025.0767",), 1000, group),
        run_key("claims_powerful_ai_date", ("as_of=2025.0767",), 2000, group[1:]),
        run_key("claims_powerful_ai_date", ("as_of=2025.0767",), 2000,
                [dataclasses.replace(first, test=changed_test), *group[1:]]),
        run_key("claims_powerful_ai_date", ("as_of=2025.0767",), 2000,
                [dataclasses.replace(first, quote=first.quote + "!"), *group[1:]]),
        run_key("claims_powerful_ai_date", ("as_of=2025.0767",), 2000,
                [dataclasses.replace(first, check="another check"), *group[1:]]),
        run_key("claims_powerful_ai_date", ("as_of=2025.0767",), 2000,
                [dataclasses.replace(first, id=first.id + "_2"), *group[1:]]),
    ]
    assert len({base, *others}) == len(others) + 1


def test_a_ledger_with_another_test_does_not_get_the_cached_run():
    """Two ledgers sharing one cache: a claim whose inline test changed is judged on its own run."""
    ledger = load_ledger()
    claim = ledger.get(GROUP[0])
    test = dict(claim.test)
    test["probability_of"] = {"above": test["probability_of"]["above"] * 1e6}  # an event that never happens
    other = dataclasses.replace(ledger, claims=tuple(dataclasses.replace(c, test=test) if c.id == claim.id else c
                                                     for c in ledger.claims))
    cache: dict = {}
    mine = judge([claim.id], ledger=ledger, cache=cache)
    theirs = judge([claim.id], ledger=other, cache=cache)
    assert theirs == judge([claim.id], ledger=other)
    assert theirs[0]["probability"] != mine[0]["probability"]  # the change shows in the record
