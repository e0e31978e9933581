"""The data the ledger judges with: claims.yaml's notes agree with the models, validity dates are consistent."""

import datetime as dt
import re

import numpy as np
import pytest

from costsim.models.scaling_laws import chinchilla_optimal
from costsim.scenario import claims_index


@pytest.mark.parametrize(("claim_id", "flop"), [("scaling.chinchilla_hoffmann", 1e24),
                                                ("scaling.chinchilla_besiroglu", 1e23)])
def test_chinchilla_notes_state_the_fits_own_tokens_per_parameter(claim_id, flop):
    entry = claims_index()[claim_id]
    p = entry["params"]
    out = chinchilla_optimal(training_flop=np.array([[flop]]), train_flop_per_param_per_token=6.0,
                             chinchilla_e_loss=p["E"], chinchilla_a_loss=p["A"], chinchilla_b_loss=p["B"],
                             chinchilla_alpha_exponent=p["alpha"], chinchilla_beta_exponent=p["beta"])
    ratio = float(np.squeeze(out["optimal_tokens"] / out["optimal_params"]))
    stated = re.search(r"~(\d+) tokens per parameter", entry["note"])
    assert stated, entry["note"]
    assert ratio == pytest.approx(float(stated.group(1)), rel=0.1)


def test_price_series_are_consecutive_without_overlap():
    series: dict[str, list] = {}
    for cid, entry in claims_index().items():
        if entry.get("series"):
            series.setdefault(entry["series"], []).append((cid, entry.get("valid") or {}))
    assert series, "no dated series in claims.yaml"
    for name, entries in series.items():
        spans = sorted((dt.date.fromisoformat(str(v.get("from"))),
                        dt.date.fromisoformat(str(v["until"])) if v.get("until") else dt.date.max, cid)
                       for cid, v in entries)
        for (a_from, a_until, a), (b_from, _, b) in zip(spans, spans[1:]):
            assert a_until == b_from, f"{name}: {a} ends {a_until}, {b} starts {b_from}"
