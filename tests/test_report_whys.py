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
    # no run: every swing run was made for the first claim, and so was the base run (both claims
    # were made the same day, so they are judged on the same dated run)
    assert calls[0] == 0


def test_report_whys_text_matches_claims_why():
    records = [{"id": i, "verdict": "too close to call", "profiles": {}} for i in PAIR]
    texts = report_whys(records)
    assert texts == {i: format_why(why(i)) for i in PAIR}


def _prim_by_scan(x, y, names, alpha=0.05, min_support=0.05, min_coverage=0.5):
    """PRIM written as the plain scan over inputs and sides (first best peel kept): the reference."""
    import numpy as np

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
        best = None
        lower = np.quantile(x[inside], alpha, axis=0)
        upper = np.quantile(x[inside], 1 - alpha, axis=0)
        for j in range(d):
            for side, cut in (("lo", lower[j]), ("hi", upper[j])):
                keep = inside & ((x[:, j] >= cut) if side == "lo" else (x[:, j] <= cut))
                if keep.sum() in (0, inside.sum()) or keep.mean() < min_support:
                    continue
                score = y[keep].mean()
                if best is None or score > best[0]:
                    best = (score, j, side, cut, keep)
        if best is None:
            break
        _, j, side, cut, keep = best
        if side == "lo":
            box_lo[j] = cut
        else:
            box_hi[j] = cut
        inside = keep
        trajectory.append(make(inside))
    good = [b for b in trajectory if b["coverage"] >= min_coverage]
    chosen = max(good, key=lambda b: (b["density"], b["coverage"])) if good else trajectory[0]
    return chosen, trajectory


def test_prim_peels_exactly_as_the_plain_scan_does():
    """The vectorised peel (every input and side at once) keeps the same boxes, ties included."""
    import numpy as np

    from costsim.ledger.discovery import prim

    rng = np.random.default_rng(18)
    for trial in range(40):
        n, d = int(rng.integers(20, 2500)), int(rng.integers(1, 40))
        x = rng.normal(size=(n, d))
        if trial % 3 == 0:
            x = np.round(x, 1)  # ties at the cut
        if trial % 5 == 0:
            x[:, : min(2, d)] = 1.0  # inputs that cannot be peeled
        y = (x[:, 0] + rng.normal(size=n)) > 0.5 if trial % 4 else rng.random(n) < 0.01
        names = [f"p{i}" for i in range(d)]
        chosen, trajectory = prim(x, y, names)
        ref_chosen, ref_trajectory = _prim_by_scan(x, y, names)
        assert [b.as_dict() for b in trajectory] == ref_trajectory, trial
        assert chosen.as_dict() == ref_chosen, trial
