"""Verdicts of the ledger's claims: run each scenario once for all its claims, as of each claim's date.

A claim is judged with the data of its own date (``as of``): parameters bound to a claims.yaml
entry that was not yet (or no longer) in force are rebound to the entry of the same ``series``
valid on that date, ``fit:`` parameters use only data published before it, and a claim whose
evidence was published later is untested as of its date. A second verdict with today's data is
kept where it differs.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from costsim.errors import Issue, ModelError, ScenarioError
from costsim.ledger.book import Claim, Ledger, load_ledger

HOLDS, FAILS, CLOSE, UNTESTED = "holds", "fails", "too close to call", "untested"


def scenario_path(name: str) -> Path:
    """The bundled scenario file of a ledger scenario name (shipped copy first, then the checkout's)."""
    from costsim.bundled import packaged_scenarios_folder

    folder = packaged_scenarios_folder()
    if folder is not None and (folder / f"{name}.yaml").is_file():
        return folder / f"{name}.yaml"
    raise ScenarioError("ledger", [Issue("scenario", "no bundled scenario of that name", "a scenarios/*.yaml name",
                                         name)])


@dataclass(frozen=True)
class Run:
    """One scenario run shared by every claim judged on it."""

    scenario: object
    results: object
    check_index: dict  # claim id -> index into results.checks


def _valid_on(entry: dict, date: _dt.date) -> bool:
    valid = entry.get("valid")
    if not isinstance(valid, dict):
        return True
    lo, hi = valid.get("from"), valid.get("until")
    lo = _dt.date.fromisoformat(str(lo)) if lo is not None else None
    hi = _dt.date.fromisoformat(str(hi)) if hi is not None else None
    return (lo is None or lo <= date) and (hi is None or date < hi)


def as_of_overrides(raw: dict, date: str) -> list[str]:
    """``--set`` overrides that make a scenario's data those in force on ``date`` (ISO).

    Every parameter citing a claims.yaml entry that is not valid on the date is rebound to the
    entry of the same ``series`` that is; a scenario with ``fit:`` parameters is run ``as_of`` the
    date (only data published before it are fitted).
    """
    from costsim.scenario import claims_index

    day = _dt.date.fromisoformat(date)
    index = claims_index()
    out: list[str] = []
    params = raw.get("params") or {}
    has_fit = False
    for name, spec in params.items():
        if not isinstance(spec, dict):
            continue
        has_fit = has_fit or "fit" in spec
        cid = spec.get("claim")
        entry = index.get(cid) if isinstance(cid, str) else None
        if entry is None or _valid_on(entry, day) or not entry.get("series"):
            continue
        for other_id, other in index.items():
            if other.get("series") == entry["series"] and other_id != cid and _valid_on(other, day):
                out.append(f"params.{name}.claim={other_id}")
                break
    if has_fit:
        out.append(f"as_of={as_of_year(date):.4f}")
    return out


def as_of_year(date: str) -> float:
    """The ``as_of`` of a claim dated ``date`` (ISO): the data's own decimal year of that day
    (:func:`costsim.calibration.data.decimal_year`), rounded down to 4 decimals, so that data of
    the claim's own day are not fitted (``year < as_of``) and data of the day before are."""
    import math

    from costsim.calibration.data import decimal_year

    return math.floor(decimal_year(_dt.date.fromisoformat(date).isoformat()) * 1e4) / 1e4


def _test_mapping(claim: Claim) -> dict:
    item = dict(claim.test)
    item["claim"] = f"[ledger {claim.id}] {claim.quote}"
    return item


def build_scenario(name: str, overrides: list[str] | tuple[str, ...], claims: list[Claim], raw: tuple | None = None):
    """The scenario ``name`` with ``overrides`` applied and the claims' inline tests added as checks.

    ``raw``: the scenario file already read (``load_raw``'s answer), used as a template (copied,
    never changed), so a caller building many variants reads and parses the file once.
    """
    import copy

    from costsim.scenario import apply_override, load_raw, validate

    path = scenario_path(name)
    data, lines, texts = load_raw(path) if raw is None else (copy.deepcopy(raw[0]), dict(raw[1]), list(raw[2]))
    issues: list[Issue] = []
    for assignment in overrides:
        issues.extend(apply_override(data, assignment))
    if issues:
        raise ScenarioError(str(path), issues)
    extra = [_test_mapping(c) for c in claims if c.test is not None]
    if extra:
        data["checks"] = list(data.get("checks") or []) + extra
    return validate(data, lines, str(path), path.parent, tuple(texts), tuple(overrides))


def match_check(scenario, claim: Claim) -> int | None:
    if claim.test is not None:
        target = f"[ledger {claim.id}]"
        hits = [i for i, c in enumerate(scenario.checks) if c.claim.startswith(target)]
    else:
        prefix = " ".join(str(claim.check).split())
        hits = [i for i, c in enumerate(scenario.checks) if " ".join(c.claim.split()).startswith(prefix)]
    return hits[0] if len(hits) == 1 else None


def samples_of(scenario, n: int, exact: bool) -> int:
    """Samples of a ledger run: ``n`` asked for (``exact``: ``costsim claims -n N``), else the
    ledger's default ``n`` at most, fewer where the scenario's own ``samples:`` is smaller."""
    return int(n) if exact else min(int(n), scenario.samples)


def run_for(name: str, claims: list[Claim], overrides: tuple[str, ...], n: int, raw: tuple | None = None,
            exact: bool = False) -> Run:
    """Run scenario ``name`` once for all ``claims`` (with ``overrides``) with its own seed, at
    :func:`samples_of` ``(scenario, n, exact)`` samples.

    ``raw``: the scenario file already read (``load_raw``'s answer), as in :func:`build_scenario`.
    """
    from costsim.engine import run

    scenario = build_scenario(name, overrides, claims, raw=raw)
    results = run(scenario, n=samples_of(scenario, n, exact))
    index = {c.id: match_check(scenario, c) for c in claims}
    return Run(scenario, results, index)


def indicator(results, check) -> np.ndarray:
    """Per-sample truth of a check: its event (probability checks) or its condition on each sample."""
    x = np.asarray(results.at_year(check.output, check.year, check.bloc), dtype=float)
    if x.ndim > 1:  # a per-bloc output without bloc: (refused by the validator): never silently the first bloc
        raise ValueError(f"check on {check.output!r} names no bloc; expected one of {results.blocs}")
    kind, a, b = check.event if check.stat == "probability" else check.test
    if kind == "above":
        return x >= a
    if kind == "below":
        return x < a if check.stat == "probability" else x <= a
    return (x >= a) & (x <= b)


def _threshold(kind: str, a: float, b: float | None) -> dict:
    return {"between": [a, b]} if kind == "between" else {kind: a}


def _threshold_text(threshold: dict) -> str:
    (kind, v), = threshold.items()
    if kind == "band":
        return f">= {v[1]:.4g} to hold, <= {v[0]:.4g} to fail (P(claim), 2 MC se clear)"
    if kind == "between":
        return f"in [{v[0]:.4g}, {v[1]:.4g}]"
    return {"above": ">= ", "below": "<= "}[kind] + f"{v:.4g}"


def _complement(event: str) -> str:
    for a, b in ((" >= ", " < "), (" < ", " >= ")):
        if a in event:
            return event.replace(a, b, 1)
    return f"not {event}"


def verdict_of(claim: Claim, ledger: Ledger, run: Run) -> dict:
    """The verdict of one claim on a run, with the statistic that decides it and its threshold.

    ``judge: check`` (default): the check's statistic (``value`` ± ``value_se``, its Monte Carlo
    standard error) against the check's ``threshold``: ``holds`` or ``fails`` when it is beyond
    twice its MC error from the threshold, else ``too close to call``. ``judge: probability``:
    the statistic is P(the claim holds) over the prior (``probability`` ± ``mc_se``) against the
    ledger's ``probability_band`` [lo, hi]: ``holds`` if P - 2 se >= hi, ``fails`` if
    P + 2 se <= lo, else ``too close to call`` (inside the band the prior spread straddles the
    claim's threshold; at a band edge the MC error does). ``probability`` is always the share of
    samples in which the claim's condition holds, whichever statistic decides.
    """
    i = run.check_index.get(claim.id)
    if i is None:
        return {"verdict": UNTESTED, "reason": f"no unique check starting {claim.check!r} in {claim.scenario}",
                "probability": None, "mc_se": None, "value": None, "value_se": None, "check": claim.check,
                "statistic": None, "threshold": None, "decided_by": None}
    check = run.scenario.checks[i]
    cr = run.results.checks[i]
    hit = indicator(run.results, check)
    n = hit.shape[0]
    p = float(hit.mean())
    if check.stat == "probability" and check.test[0] == "below":
        p = 1.0 - p  # "the event is unlikely": the claim holds in the samples without the event
    if claim.negate:
        p = 1.0 - p
    se = math.sqrt(max(p * (1 - p), 1.0 / n) / n)
    cond = {"between": " in [", "above": " >= ", "below": " <= "}[check.test[0]]
    stat_text = cr.description.rsplit(cond, 1)[0]  # the description is "STATISTIC CONDITION"
    reason = ""
    if claim.judge == "probability":
        lo, hi = ledger.probability_band
        verdict = HOLDS if p - 2 * se >= hi else FAILS if p + 2 * se <= lo else CLOSE
        flipped = check.stat == "probability" and check.test[0] == "below"
        if check.stat == "probability":
            event = stat_text[2:-1] if stat_text.startswith("P(") and stat_text.endswith(")") else stat_text
        else:  # a per-sample condition "OUTPUT CONDITION", e.g. "stock_h100e 2027 [China] <= 1e+06"
            where = stat_text[len(check.stat) + 1:-1] if stat_text.startswith(check.stat + "(") else stat_text
            event = f"{where} {_threshold_text(_threshold(*check.test))}"
        statistic = f"P({_complement(event)})" if flipped != claim.negate else f"P({event})"
        value, value_se, threshold = p, se, {"band": [lo, hi]}
        if verdict == CLOSE:
            reason = (f"P inside the band [{lo:.4g}, {hi:.4g}]: the prior spread straddles the claim's threshold"
                      if lo < p < hi else "P is within 2 MC se of a band edge: the MC error straddles it")
    else:
        statistic = stat_text
        value, value_se = cr.value, cr.se
        threshold = _threshold(*check.test)
        if claim.negate:
            threshold = {"not": threshold}
        if not cr.conclusive:
            verdict = CLOSE
            reason = "the statistic is within 2 MC se of the threshold: the MC error straddles it"
        else:
            verdict = HOLDS if cr.passed != claim.negate else FAILS
    return {"verdict": verdict, "reason": reason, "probability": p, "mc_se": se, "value": value,
            "value_se": value_se, "check": cr.description, "n": n, "statistic": statistic,
            "threshold": threshold, "decided_by": claim.judge,
            "threshold_text": ("not " + _threshold_text(threshold["not"])) if "not" in threshold
            else _threshold_text(threshold)}


def _round(x):
    return None if x is None or not math.isfinite(x) else float(f"{x:.6g}")


def _record(claim: Claim, verdict: dict) -> dict:
    rec = {"id": claim.id, "quote": claim.quote, "who": claim.who, "source": claim.source, "date": claim.date,
           "kind": claim.kind, "scenario": claim.scenario, "check": verdict.get("check", claim.check),
           "verdict": verdict["verdict"], "probability": _round(verdict.get("probability")),
           "mc_se": _round(verdict.get("mc_se")), "value": _round(verdict.get("value")),
           "value_se": _round(verdict.get("value_se")), "reason": verdict.get("reason") or claim.untested or "",
           "statistic": verdict.get("statistic"), "threshold": _round_tree(verdict.get("threshold")),
           "threshold_text": verdict.get("threshold_text"), "decided_by": verdict.get("decided_by")}
    return rec


def _round_tree(x):
    if isinstance(x, dict):
        return {k: _round_tree(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_round_tree(v) for v in x]
    return _round(x) if isinstance(x, float) else x


def run_key(name: str, overrides: tuple[str, ...], n: int, group: list[Claim], exact: bool = False) -> tuple:
    """What a ledger run of scenario ``name`` depends on besides the scenario file: its overrides, the
    samples asked for, and the claims of the group (their inline tests become checks, their ``check``
    texts pick the checks). Two runs with the same key (and the same file) are the same run."""
    return ("run", name, tuple(overrides), int(n), bool(exact),
            tuple((c.id, c.quote, repr(c.test), c.check) for c in group))


def judge(ids=None, *, ledger: Ledger | None = None, n: int | None = None, profiles=(),
          cache: dict | None = None) -> list[dict]:
    """Judge the ledger's claims; return one record per claim (the ledger -> report contract).

    Each record has ``id, quote, who, source, date, kind, scenario, check, verdict, probability,
    mc_se, value, value_se, reason``, plus ``as_of`` (the overrides that set the claim's date),
    ``later`` (the verdict with today's data, when it differs, else None) and ``profiles``
    ({profile name: verdict} for the profiles asked for). Every scenario runs once per set of
    overrides, with its own seed, so the records reproduce exactly.

    ``n``: samples per run, exactly (as ``costsim claims -n N``); by default the ledger's
    ``samples:`` at most, fewer where a scenario's own ``samples:`` is smaller. Each tested
    record says the ``n`` its verdict was judged at.

    ``cache`` (a dict the caller keeps, the one it gives :func:`costsim.ledger.why.why` too, over
    scenario files that do not change meanwhile): each file is read once, and the runs made here
    are kept (keyed by :func:`run_key`) for the whys of the same claims, whose base run is the
    claim's dated run. The records are the same with or without it.
    """
    from costsim.sampling import shared_draws

    with shared_draws():  # the profiles' and dated runs of a scenario share the draws of their unchanged inputs
        return _judge(ids, ledger, n, profiles, cache)


def _judge(ids, ledger: Ledger | None, n: int | None, profiles, cache: dict | None) -> list[dict]:
    ledger = ledger or load_ledger()
    exact = n is not None
    n = int(n or ledger.samples)
    chosen = [ledger.get(i) for i in ids] if ids else list(ledger.claims)
    from costsim.scenario import load_raw

    runs: dict[tuple, Run] = {} if cache is None else cache

    def read(name: str) -> tuple:
        key = ("raw", name)
        if key not in runs:
            runs[key] = load_raw(scenario_path(name))
        return runs[key]

    def get_run(name: str, overrides: tuple[str, ...]) -> Run:
        group = [c for c in ledger.claims if c.scenario == name and c.tested]
        key = run_key(name, overrides, n, group, exact)
        if key not in runs:
            runs[key] = run_for(name, group, overrides, n, raw=read(name), exact=exact)
        return runs[key]

    records = []
    for claim in chosen:
        if not claim.tested:
            rec = _record(claim, {"verdict": UNTESTED})
            rec.update(as_of=[], later=None, profiles={})
            records.append(rec)
            continue
        raw = read(claim.scenario)[0]
        today_run = get_run(claim.scenario, ())
        today = verdict_of(claim, ledger, today_run)
        dated = tuple(as_of_overrides(raw, claim.date))
        then_run = None  # the run the record's verdict was judged on
        if claim.evidence_date and claim.evidence_date > claim.date:
            then = {"verdict": UNTESTED, "reason": f"the evidence was published {claim.evidence_date}, after the "
                                                   f"claim", "check": today.get("check")}
        elif dated:
            then_run = get_run(claim.scenario, dated)
            then = verdict_of(claim, ledger, then_run)
        else:
            then, then_run = today, today_run
        rec = _record(claim, then)
        if then_run is not None:
            rec["n"] = then_run.results.n
        rec["as_of"] = list(dated)
        later = _record(claim, today)
        rec["later"] = ({k: later[k] for k in ("verdict", "probability", "mc_se", "value", "value_se", "check",
                                               "statistic", "threshold", "threshold_text", "reason")}
                        if (then is not today and later["verdict"] != rec["verdict"]) else None)
        rec["profiles"] = {}
        for prof in profiles:
            from costsim.ledger.profiles import profile_overrides

            over = tuple(profile_overrides(prof, raw)) + dated
            if then["verdict"] == UNTESTED:  # no evidence yet on the claim's date, whatever one believes
                rec["profiles"][prof.name] = UNTESTED
                continue
            try:
                rec["profiles"][prof.name] = verdict_of(claim, ledger, get_run(claim.scenario, over))["verdict"]
            except ModelError:  # the profile's beliefs drive the scenario's models out of their domain
                rec["profiles"][prof.name] = "model error"
        records.append(rec)
    return records


def summary(records: list[dict]) -> dict:
    """Counts of claims, verdicts and date-dependent verdicts."""
    counts: dict[str, int] = {}
    for r in records:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    tested = sum(v for k, v in counts.items() if k != UNTESTED)
    return {"claims": len(records), "with_verdict": tested, "counts": counts,
            "changed_with_later_data": sum(1 for r in records if r.get("later"))}


def claim_run(claim: Claim, ledger: Ledger | None = None, n: int | None = None, overrides=()) -> tuple:
    """The (scenario, results, check index) a tested claim is judged on, for scenario discovery."""
    ledger = ledger or load_ledger()
    group = [c for c in ledger.claims if c.scenario == claim.scenario and c.tested]
    run = run_for(claim.scenario, group, tuple(overrides), int(n or ledger.samples), exact=n is not None)
    return run.scenario, run.results, run.check_index.get(claim.id)


__all__ = ["verdict_of", "run_for", "samples_of", "as_of_year", "run_key", "Run", "match_check", "HOLDS", "FAILS", "CLOSE", "UNTESTED", "judge",
           "summary", "indicator", "as_of_overrides", "build_scenario", "scenario_path", "claim_run"]
