"""The Sobol' design's warning about a base row count that is not a power of two suggests the nearest one.

Before: n_base=1000 suggested 512 (the power below), though 1024 is nearer.
"""

from __future__ import annotations

import warnings

import pytest

from costsim.errors import CostsimWarning
from costsim.sensitivity import saltelli_uniforms


@pytest.mark.parametrize("n_base, suggested", [(1000, 1024), (600, 512), (768, 512), (769, 1024), (3, 2)])
def test_the_suggestion_is_the_nearest_power_of_two(n_base, suggested):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CostsimWarning)
        saltelli_uniforms(["a", "b"], n_base, seed=1)
    (w,) = [c for c in caught if issubclass(c.category, CostsimWarning)]
    assert f"(e.g. {suggested})" in str(w.message)


def test_a_power_of_two_draws_no_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CostsimWarning)
        saltelli_uniforms(["a", "b"], 256, seed=1)
    assert not [c for c in caught if issubclass(c.category, CostsimWarning)]
