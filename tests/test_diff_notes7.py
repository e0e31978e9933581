"""``diff`` says when B's own seed or sample count is not used (found by red-team).

A and B run on one set of draws (A's seed and count), so a B that differs from A only in its seed
or ``samples:`` showed "0 decades, P(flip) 0.000" and said nothing; only a different sampling
design got a note.
"""

from __future__ import annotations

import warnings

import pytest

from costsim.diff import diff
from costsim.errors import CostsimWarning

R1 = "scenarios/reference_r1.yaml"


@pytest.mark.parametrize("override,said", [("seed=5", "B's seed (5) is not used"),
                                           ("samples=50", "B's samples (50) are not used")])
def test_a_b_that_differs_only_in_its_draws_is_told(override, said):
    with pytest.warns(CostsimWarning, match=said.replace("(", r"\(").replace(")", r"\)")):
        # the one it is about left unset (R1's own 100,000 samples for the count: ~0.1 s)
        diff(R1, overrides_b=(override,), n=200 if "seed" in override else None,
             seed=None if "seed" in override else 1, attribute=False)


def test_no_note_when_the_draws_are_chosen_for_both():
    with warnings.catch_warnings():
        warnings.simplefilter("error", CostsimWarning)
        diff(R1, overrides_b=("seed=5", "samples=50"), n=200, seed=7, attribute=False)
