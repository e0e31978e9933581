"""``costsim claims --why ID``: what would flip a claim's verdict (PRIM boxes and one-at-a-time swings)."""

from __future__ import annotations

import numpy as np

from costsim.errors import ScenarioError
from costsim.ledger.book import Ledger, load_ledger
from costsim.ledger.discovery import prim, swing_values
from costsim.ledger.judge import (Run, as_of_overrides, build_scenario, indicator, match_check, run_key, samples_of,
                                  scenario_path, verdict_of)

DECADES = tuple(10.0 ** k for k in range(26, 37))


def why(claim_id: str, *, ledger: Ledger | None = None, n: int | None = None, swing: bool = True,
        cache: dict | None = None) -> dict:
    """Scenario discovery on a claim's pass/fail over its scenario's samples, as of the claim's date.

    Returns a dict with ``id``, ``verdict``, ``probability``, ``holds_box`` and ``fails_box``
    (PRIM boxes around the samples where the claim holds / fails: inputs, ranges, coverage,
    density), ``swing`` (per uncertain input: the claim's statistic and verdict with the input
    fixed at its 5th and 95th percentile, sorted by size of the swing), and ``curve`` (P(output >=
    t) per threshold) when the ledger entry declares one. An untested claim gets its reason.

    ``cache`` (a dict the caller keeps between calls) shares the work among the claims of one
    scenario: the file is parsed once, and each swing run is made once and judged for every
    claim of the scenario (the claims of a scenario swing the same inputs); the base run (the
    claim's dated run) is kept under :func:`costsim.ledger.judge.run_key`, where
    ``judge(cache=)`` leaves its runs. The answers are the same with or without it.
    """
    ledger = ledger or load_ledger()
    claim = ledger.get(claim_id)
    if not claim.tested:
        return {"id": claim.id, "verdict": "untested", "reason": claim.untested}
    from costsim.sampling import shared_draws

    with shared_draws():  # the swing runs change one input each: the others' draws are made once
        return _why(claim, ledger, n, swing, cache)


def _why(claim, ledger: Ledger, n: int | None, swing: bool, cache: dict | None) -> dict:
    from costsim.engine import run
    from costsim.scenario import load_raw

    exact = n is not None  # as judge: -n N exactly, else the ledger's samples: at most
    n = int(n or ledger.samples)
    cache = {} if cache is None else cache
    read = cache.get(("raw", claim.scenario))
    if read is None:
        read = cache[("raw", claim.scenario)] = load_raw(scenario_path(claim.scenario))
    raw = read[0]
    dated = tuple(as_of_overrides(raw, claim.date))
    group = [c for c in ledger.claims if c.scenario == claim.scenario and c.tested]

    def run_with(overrides):
        scenario = build_scenario(claim.scenario, overrides, group, raw=read)
        results = run(scenario, n=samples_of(scenario, n, exact))
        return Run(scenario, results, {c.id: match_check(scenario, c) for c in group})

    def swing_verdict(overrides):
        """The claim's verdict on the run with ``overrides``; each run judged once for every claim of the group."""
        # what the verdicts read: the run, the ledger's band, each claim's negate and judge (a cache
        # shared by two ledgers, or by claims of the same id in two files, must not mix them)
        key = ("verdicts", run_key(claim.scenario, overrides, n, group, exact), tuple(ledger.probability_band),
               tuple((c.id, c.negate, c.judge, c.scenario) for c in group))
        if key not in cache:
            r = run_with(overrides)  # a ScenarioError is raised (and not kept) before anything is cached
            judged = {}
            for c in group:
                try:
                    judged[c.id] = verdict_of(c, ledger, r)
                except Exception as exc:  # noqa: BLE001  raised again for the claim it belongs to
                    judged[c.id] = exc
            cache[key] = judged
        v = cache[key][claim.id]
        if isinstance(v, Exception):
            raise v
        return v

    base_key = run_key(claim.scenario, dated, n, group, exact)  # judge(cache=) made it already, or a close claim did
    base = cache.get(base_key)
    if base is None:
        base = cache[base_key] = run_with(dated)
    verdict = verdict_of(claim, ledger, base)
    i = base.check_index.get(claim.id)
    out = {"id": claim.id, "scenario": claim.scenario, "as_of": list(dated), "n": base.results.n, **verdict}
    if i is None:
        return out
    check = base.scenario.checks[i]
    holds = indicator(base.results, check)
    if check.stat == "probability" and check.test[0] == "below":
        holds = ~holds
    if claim.negate:
        holds = ~holds
    names = [k for k in base.scenario.uncertain if k in base.results.params
             and np.asarray(base.results.params[k]).ndim == 1]
    if names:
        x = np.column_stack([np.asarray(base.results.params[k], dtype=float) for k in names])
        out["holds_box"] = prim(x, holds, names)[0].as_dict() if holds.any() else None
        out["fails_box"] = prim(x, ~holds, names)[0].as_dict() if (~holds).any() else None
    out["swing"] = []
    if swing:
        for name, (lo, hi) in swing_values(base.results.params, names).items():
            row = {"input": name, "low": lo, "high": hi}
            try:
                for tag, value in (("at_low", lo), ("at_high", hi)):
                    v = swing_verdict(dated + (f"params.{name}={value!r}",))
                    stat = v["probability"] if claim.judge == "probability" else v["value"]
                    row[tag] = {"statistic": stat, "verdict": v["verdict"]}
            except ScenarioError as exc:  # e.g. a correlated input cannot be fixed alone
                row["error"] = _without_folder(str(exc).splitlines()[-1],
                                               [exc.source, *(issue.source for issue in exc.issues)])
                out["swing"].append(row)
                continue
            a, b = row["at_low"]["statistic"], row["at_high"]["statistic"]
            row["swing"] = abs(b - a) if a is not None and b is not None else 0.0
            row["flips"] = row["at_low"]["verdict"] != row["at_high"]["verdict"] or \
                verdict["verdict"] not in (row["at_low"]["verdict"], row["at_high"]["verdict"])
            out["swing"].append(row)
        out["swing"].sort(key=lambda r: -r.get("swing", -1.0))
    if claim.curve:
        x = np.asarray(base.results.at_year(claim.curve["output"], claim.curve.get("year")), dtype=float)
        named = {str(k): float(v) for k, v in (claim.curve.get("thresholds") or {}).items()}
        out["curve"] = {"output": claim.curve["output"], "year": claim.curve.get("year"),
                        "named": {k: float((x >= t).mean()) for k, t in named.items()},
                        "grid": {f"{t:.0e}": float((x >= t).mean()) for t in DECADES}}
    return out


def format_why(info: dict) -> str:
    """Plain-text rendering of ``why``'s answer."""
    lines = [f"{info['id']}: {info['verdict']}"]
    if info.get("reason"):
        lines.append(f"  {info['reason']}")
        if info["verdict"] == "untested":
            return "\n".join(lines)
    if info.get("statistic"):
        from costsim.ledger.render import deciding_text

        lines.append(f"  decided by: {deciding_text(info)}")
    if info.get("probability") is not None and info.get("decided_by") != "probability":
        lines.append(f"  share of samples in which the claim's condition holds: {info['probability']:.3f} "
                     f"± {info['mc_se']:.3f} (how much of the prior agrees; it does not decide the verdict)")
    if info.get("as_of"):
        lines.append(f"  as of the claim's date: {' '.join(info['as_of'])}")
    for key, label in (("holds_box", "holds where"), ("fails_box", "fails where")):
        box = info.get(key)
        if box is None:
            lines.append(f"  {label}: (no sample)")
            continue
        lims = ", ".join(f"{k} in [{a:.4g}, {b:.4g}]" for k, (a, b) in box["limits"].items()) or "(everywhere)"
        lines.append(f"  {label}: {lims}  (coverage {box['coverage']:.2f}, density {box['density']:.2f})")
    if info.get("swing"):
        lines.append("  one-at-a-time swing (input fixed at its 5th / 95th percentile):")
        for row in info["swing"]:
            if "error" in row:
                lines.append(f"    {row['input']:40s} cannot be fixed alone: {row['error']}")
                continue
            lo, hi = row["at_low"], row["at_high"]
            flag = "  <- flips" if row.get("flips") else ""
            lines.append(f"    {row['input']:40s} {row['low']:.4g} -> {_fmt(lo['statistic'])} ({lo['verdict']}); "
                         f"{row['high']:.4g} -> {_fmt(hi['statistic'])} ({hi['verdict']}){flag}")
    if info.get("curve"):
        c = info["curve"]
        lines.append(f"  P({c['output']} >= threshold) in {c['year']}:")
        for label, p in c["named"].items():
            lines.append(f"    {p:6.3f}  {label}")
        lines.append("    by decade: " + ", ".join(f"{t}: {p:.2f}" for t, p in c["grid"].items()))
    return "\n".join(lines)


def _fmt(x) -> str:
    return "n/a" if x is None else f"{x:.4g}"


def needs_why(r: dict) -> bool:
    """Whether the report explains what would flip a record: too close to call, or profiles that disagree."""
    from costsim.ledger.render import profile_agreement

    return r["verdict"] == "too close to call" or profile_agreement(r) not in ("", "all agree")


def report_whys(records: list[dict]) -> dict[str, str]:
    """``costsim claims --why`` text (PRIM boxes, one-at-a-time swings) of every record :func:`needs_why`."""
    cache: dict = {}  # shared: the claims of one scenario swing the same runs
    return {r["id"]: format_why(why(r["id"], cache=cache)) for r in records
            if needs_why(r) and r["verdict"] != "untested"}


__all__ = ["why", "format_why", "needs_why", "report_whys"]


def _without_folder(message: str, sources) -> str:
    """``message`` with each scenario file named by its file name, not the folder it was read from
    (the ledger's text is then the same on every machine and in every checkout)."""
    import os

    for source in sources:
        text = str(source or "")
        if text and os.sep in text:
            message = message.replace(text, os.path.basename(text))
    return message

