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


# ------------------------------------------------------------------ PRIM's quantiles from rows

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from costsim.ledger.discovery import prim, quantiles_of_rows, quantiles_of_sorted  # noqa: E402


def _prim_reference(x, y, names, alpha=0.05, min_support=0.05, min_coverage=0.5):
    """prim as it was (np.quantile of the rows inside, every peel over all rows): the reference."""
    n, d = x.shape
    total = max(int(y.sum()), 1)
    lo, hi = x.min(axis=0), x.max(axis=0)
    box_lo, box_hi = lo.copy(), hi.copy()
    inside = np.ones(n, dtype=bool)

    def make(mask):
        restricted = {names[j]: [float(box_lo[j]), float(box_hi[j])] for j in range(d)
                      if box_lo[j] > lo[j] or box_hi[j] < hi[j]}
        m = int(mask.sum())
        return {"limits": restricted, "coverage": float(y[mask].sum() / total),
                "density": float(y[mask].mean()) if m else 0.0, "support": m / n}

    trajectory = [make(inside)]
    while inside.mean() > min_support:
        lower, upper = np.quantile(x[inside], [alpha, 1 - alpha], axis=0)
        keep = np.empty((n, 2 * d), dtype=bool)
        np.greater_equal(x, lower, out=keep[:, 0::2])
        np.less_equal(x, upper, out=keep[:, 1::2])
        keep &= inside[:, None]
        count = keep.sum(axis=0)
        ok = (count != 0) & (count != inside.sum()) & ~(count / n < min_support)
        if not ok.any():
            break
        score = np.where(ok, (keep & y[:, None]).sum(axis=0) / np.maximum(count, 1), -np.inf)
        k = int(np.argmax(score))
        j, side = divmod(k, 2)
        if side == 0:
            box_lo[j] = lower[j]
        else:
            box_hi[j] = upper[j]
        inside = keep[:, k].copy()
        trajectory.append(make(inside))
    return trajectory


def _as_dicts(boxes):
    return [b.as_dict() for b in boxes]


@pytest.mark.parametrize("seed", range(12))
def test_prim_is_the_reference_box_for_box(seed):
    rng = np.random.default_rng(seed)
    n, d = int(rng.integers(50, 1500)), int(rng.integers(1, 9))
    x = rng.lognormal(size=(n, d))
    if seed % 3 == 0:
        x = np.round(x, 1) + 0.5  # ties, no zero (inputs kept sorted)
    elif seed % 3 == 1:
        x = np.round(x - 1.0, 1)  # ties among zeros of both signs (NumPy's partition steps)
    if seed % 4 == 1:
        x[:, 0] = -0.0 if seed % 8 == 1 else 0.0  # a constant input (and a signed zero)
    y = x[:, -1] + rng.normal(size=n) > np.median(x[:, -1])
    names = [f"in{j}_usd" for j in range(d)]
    alpha = (0.05, 0.1, 0.2)[seed % 3]
    chosen, trajectory = prim(x, y, names, alpha=alpha)
    want = _prim_reference(x, y, names, alpha=alpha)
    assert _as_dicts(trajectory) == want
    assert repr(_as_dicts(trajectory)) == repr(want)  # -0.0 stays -0.0
    assert chosen.as_dict() in want


def test_prim_with_non_finite_inputs_is_the_reference():
    rng = np.random.default_rng(5)
    x = rng.random((400, 3))
    x[::7, 1] = np.inf
    y = x[:, 0] > 0.4
    names = ["a_usd", "b_usd", "c_usd"]
    with np.errstate(invalid="ignore"):  # np.quantile's inf - inf, in both
        assert repr(_as_dicts(prim(x, y, names)[1])) == repr(_prim_reference(x, y, names))


@pytest.mark.parametrize("seed", range(20))
def test_quantiles_of_sorted_rows_are_numpys(seed):
    rng = np.random.default_rng(200 + seed)
    m, d = int(rng.integers(1, 80)), int(rng.integers(1, 6))
    x = rng.lognormal(size=(m, d)) * 10.0 ** rng.integers(-3, 4)
    if seed % 2:
        x = np.round(x, 1) + 0.25  # ties, no zero
    for q in ([0.05, 0.95], [0.0, 1.0], [0.5, 0.5], [0.25, 0.75], [1 / 3, 2 / 3], [0.999, 0.001]):
        want = np.quantile(x, q, axis=0)
        got = quantiles_of_sorted(np.sort(x.T, axis=1), np.asanyarray(q))
        assert got.tobytes() == want.tobytes(), q


@pytest.mark.parametrize("seed", range(20))
def test_quantiles_of_rows_are_numpys(seed):
    rng = np.random.default_rng(100 + seed)
    m, d = int(rng.integers(1, 60)), int(rng.integers(1, 6))
    x = rng.normal(size=(m, d)) * 10.0 ** rng.integers(-3, 4)
    if seed % 2:
        x = np.round(x, 0)  # ties, zeros
    for q in ([0.05, 0.95], [0.0, 1.0], [0.5, 0.5], [0.25, 0.75], [1 / 3, 2 / 3], [0.999, 0.001]):
        want = np.quantile(x, q, axis=0)
        got = quantiles_of_rows(np.ascontiguousarray(x.T), np.asanyarray(q))
        assert got.tobytes() == want.tobytes(), q
