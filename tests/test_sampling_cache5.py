"""Shared draws (``costsim.sampling.shared_draws``) and remembered distributions (``make_dist``).

Within a ``shared_draws()`` block, ``mc`` runs share the values of their uncorrelated parameters
(the ledger's swing runs change one input of ~75 at a time). These tests pin that a run in the
block gives the same Results, byte for byte, as the same run outside it, that changing any part
of what determines a parameter's draws misses the store (the values are those of a run outside
the block), and that a scenario file edited between two runs of one block (``costsim watch``'s
case) never gets the old values.
"""

from __future__ import annotations

import numpy as np
import pytest

from costsim.distributions import DISTRIBUTIONS, DistKind, make_dist
from costsim.engine import run
from costsim.sampling import RowDraws, shared_draws
from costsim.scenario import load_scenario, scenario_from_text

BASE = """
name: draws_cache
years: {start: 2025, stop: 2027}
samples: 3000
seed: 11
params:
  a_usd: {dist: uniform, low: 1.0, high: 3.0}
  b_usd: {dist: lognormal_ci, low: 2.0, high: 20.0, max: 15.0}
  c_usd: {dist: normal_ci, low: 1.0, high: 5.0, min: 1.5}
  d_usd: {dist: loguniform, low: 1.0, high: 9.0}
  e_usd: {dist: uniform, low: 0.0, high: 1.0}
  f_usd: {dist: lognormal_ci, low: 1.0, high: 4.0}
correlations:
  - [e_usd, f_usd, 0.5]
formulas:
  total_usd: "a_usd + b_usd * c_usd + d_usd - e_usd * f_usd"
"""


def scenario(text: str = BASE, *overrides: str):
    return scenario_from_text(text, "<test>", tuple(overrides))


def fingerprint(results) -> tuple:
    """Everything of a run's Results that the draws reach: outputs, draws, clip counts, checks."""
    return (tuple((k, v.dtype.str, v.shape, v.tobytes()) for k, v in sorted(results.outputs.items())),
            tuple((k, v.tobytes()) for k, v in results.params.items()),
            tuple(sorted(results.meta["clipped_samples"].items())),
            tuple((c.value, c.se, c.passed) for c in results.checks))


def test_runs_in_the_block_are_the_runs_outside_it_byte_for_byte():
    sc = scenario()
    alone = fingerprint(run(sc, threads=1))
    with shared_draws() as store:
        first = fingerprint(run(sc, threads=1))
        misses = store.misses
        second = fingerprint(run(sc, threads=1))  # every uncorrelated parameter from the store
        assert store.hits >= 4 and store.misses == misses  # a, b, c, d shared; e, f (correlated) drawn
    assert first == alone and second == alone
    assert run(sc, threads=1).meta["clipped_samples"]  # b and c are clipped: the counts are shared too


def test_chunks_and_threads_in_the_block_give_the_whole_runs_numbers():
    sc = scenario()
    alone = fingerprint(run(sc, threads=1))
    with shared_draws():
        for chunk, threads in ((3000, 1), (700, 2), (1024, 1), (700, 2), (3000, 1)):
            assert fingerprint(run(sc, chunk_size=chunk, threads=threads)) == alone, (chunk, threads)


VARIANTS = {  # each changes one thing a parameter's draws depend on
    "seed": ((), {"seed": 12}),
    "n": ((), {"n": 2000}),
    "kind": (("params.a_usd.dist=loguniform",), {}),
    "field": (("params.a_usd.high=3.0000000000000004",), {}),
    "clip max": (("params.b_usd.max=14.0",), {}),
    "clip min": (("params.c_usd.min=1.6",), {}),
    "correlation": (("correlations[0][2]=0.8",), {}),
    "design": ((), {"design": "lhs"}),
}


@pytest.mark.parametrize("part", sorted(VARIANTS))
def test_changing_each_part_of_the_key_misses_the_store(part):
    overrides, kw = VARIANTS[part]
    base, other = scenario(), scenario(BASE, *overrides)
    alone = fingerprint(run(other, threads=1, **kw))
    with shared_draws() as store:
        run(base, threads=1)
        hits = store.hits
        assert fingerprint(run(other, threads=1, **kw)) == alone
        if part in ("seed", "n", "design"):  # every parameter's key changed
            assert store.hits == hits
        assert fingerprint(run(base, threads=1)) == fingerprint(run(base, threads=1))


def test_a_renamed_parameter_draws_its_own_stream():
    renamed = BASE.replace("a_usd", "z_usd")
    alone = fingerprint(run(scenario(renamed), threads=1))
    with shared_draws():
        run(scenario(), threads=1)
        assert fingerprint(run(scenario(renamed), threads=1)) == alone


def test_a_parameter_made_constant_leaves_the_others_shared():
    swung = scenario(BASE, "params.d_usd=4.0")
    alone = fingerprint(run(swung, threads=1))
    with shared_draws() as store:
        run(scenario(), threads=1)
        hits = store.hits
        assert fingerprint(run(swung, threads=1)) == alone
        assert store.hits - hits == 3  # a, b, c


def test_a_file_edited_between_two_runs_of_one_block_gets_its_new_draws(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(BASE, encoding="utf-8")
    with shared_draws():
        before = fingerprint(run(load_scenario(path), threads=1))
        path.write_text(BASE.replace("high: 3.0}", "high: 3.5}"), encoding="utf-8")
        edited = fingerprint(run(load_scenario(path), threads=1))
    assert edited == fingerprint(run(load_scenario(path), threads=1))
    assert edited != before


def test_the_store_is_forgotten_when_the_outermost_block_ends():
    sc = scenario()
    with shared_draws() as outer:
        with shared_draws() as inner:
            run(sc, threads=1)
        assert inner.misses == outer.misses > 0
        run(sc, threads=1)
        assert outer.hits > 0
    with shared_draws() as fresh:
        run(sc, threads=1)
        assert fresh.hits == 0


def test_handed_out_values_are_copies():
    sc = scenario()
    with shared_draws():
        RowDraws(sc, 3000, 11).take(0, 3000)
        taken = RowDraws(sc, 3000, 11).take(0, 3000)
        taken["a_usd"][:] = -1.0  # a model that scribbles on its inputs
        again = RowDraws(sc, 3000, 11).take(0, 3000)
    assert np.array_equal(again["a_usd"], RowDraws(sc, 3000, 11).take(0, 3000)["a_usd"])


def test_a_small_store_forgets_the_oldest_and_keeps_the_numbers():
    sc = scenario()
    alone = fingerprint(run(sc, threads=1, chunk_size=1000))
    with shared_draws(max_bytes=3000 * 8 * 6) as store:  # room for one run's columns, not two runs'
        for _ in range(3):
            assert fingerprint(run(sc, threads=1, chunk_size=1000)) == alone
        assert store.hits > 0
        other = scenario(BASE, "seed=12")
        assert fingerprint(run(other, threads=1, chunk_size=1000)) == fingerprint(run(other, threads=1, chunk_size=1000))
        assert fingerprint(run(sc, threads=1, chunk_size=1000)) == alone


def test_a_run_larger_than_the_store_does_not_use_it():
    sc = scenario()
    alone = fingerprint(run(sc, threads=1))
    with shared_draws(max_bytes=3000 * 8 * 2) as store:  # two parameters' columns: less than one run
        for _ in range(2):
            assert fingerprint(run(sc, threads=1)) == alone
        assert store.hits == store.misses == 0


# --------------------------------------------------------------------- make_dist remembers


def fresh(kind, fields):
    return make_dist(kind, dict(fields), "params.x", {}, memo=False)


@pytest.mark.parametrize("kind, fields", [
    ("uniform", {"low": 1.0, "high": 2.0}),
    ("uniform", {"low": -0.0, "high": 2.0}),
    ("uniform", {"low": 0.0, "high": 2.0}),
    ("uniform", {"low": 1, "high": 2}),
    ("loguniform", {"low": 1.0, "high": 2.0}),
    ("lognormal_ci", {"low": 1.0, "high": 2.0}),
    ("lognormal_ci", {"low": 1.0, "high": 2.0, "credibility": 0.8}),
    ("uniform", {"high": 2.0, "low": 1.0}),
])
def test_a_remembered_dist_is_the_one_made_afresh(kind, fields):
    for _ in range(2):
        dist, issues = make_dist(kind, dict(fields), "params.x", {})
        want, want_issues = fresh(kind, fields)
        assert (repr(dist), dist.describe(), issues) == (repr(want), want.describe(), want_issues)


def test_minus_zero_and_zero_are_two_dists():
    make_dist("uniform", {"low": 0.0, "high": 2.0}, "params.x", {})
    minus = make_dist("uniform", {"low": -0.0, "high": 2.0}, "params.x", {})[0]
    assert minus.describe() == fresh("uniform", {"low": -0.0, "high": 2.0})[0].describe() == "uniform(-0, 2)"


def test_a_dist_with_issues_is_placed_each_time_and_never_remembered():
    for path in ("params.x", "params.y"):
        dist, issues = make_dist("uniform", {"low": 3.0, "high": 2.0}, path, {f"{path}.high": 7})
        assert dist is None and issues and issues[0].path.startswith(path)


def test_a_kind_defined_again_is_checked_again(monkeypatch):
    make_dist("uniform", {"low": 1.0, "high": 2.0}, "params.x", {})
    strict = DistKind("uniform", ("low", "high"), check=lambda f: [("high", "refused", "nothing", f["high"])],
                      ppf=DISTRIBUTIONS["uniform"].ppf, describe=DISTRIBUTIONS["uniform"].describe)
    monkeypatch.setitem(DISTRIBUTIONS, "uniform", strict)
    dist, issues = make_dist("uniform", {"low": 1.0, "high": 2.0}, "params.x", {})
    assert dist is None and issues[0].problem == "refused"


def test_a_scenario_validated_twice_has_the_same_parameters():
    first, second = scenario(), scenario()
    assert repr(first.params) == repr(second.params)
    assert {k: p.dist.describe() for k, p in first.params.items()} == \
        {k: p.dist.describe() for k, p in second.params.items()}
