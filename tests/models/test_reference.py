"""The R1 models: broadcasting whichever inputs vary by sample, and the closed form."""

import numpy as np
import pytest

from costsim.models.reference import budget_physical_flop, decline_algorithmic_efficiency, effective_flop_product

YEARS = np.arange(2025.0, 2031.0)[None, :]


@pytest.mark.parametrize("varying", ["base_budget_usd", "budget_growth_x_per_year", "base_flop_per_usd",
                                     "hardware_gain_x_per_year", None])
def test_physical_flop_broadcasts_whichever_input_varies(varying):
    args = {"base_budget_usd": 1.0e8, "budget_growth_x_per_year": 3.0, "base_flop_per_usd": 2.5e17,
            "hardware_gain_x_per_year": 1.3}
    if varying:
        args[varying] = np.full((4, 1), args[varying])
    for year in (YEARS, YEARS[:, :1]):
        out = budget_physical_flop(year=year, base_year=2025.0, **args)["physical_flop"]
        k = year - 2025.0
        expected = 1.0e8 * 2.5e17 * (3.0 * 1.3) ** k
        np.testing.assert_allclose(np.broadcast_to(out, np.broadcast_shapes(out.shape, expected.shape)),
                                   np.broadcast_to(expected, np.broadcast_shapes(out.shape, expected.shape)),
                                   rtol=1e-12)
        if varying:
            assert out.shape[0] == 4


def test_hardware_gain_cancels_in_effective_flop():
    hw = np.array([[1.1], [1.3], [1.7]])
    phys = budget_physical_flop(year=YEARS, base_year=2025.0, base_budget_usd=1.0e8, budget_growth_x_per_year=3.0,
                                base_flop_per_usd=2.5e17, hardware_gain_x_per_year=hw)["physical_flop"]
    algo = decline_algorithmic_efficiency(year=YEARS, base_year=2025.0, cost_decline_x_per_year=4.0,
                                          hardware_gain_x_per_year=hw)["algorithmic_efficiency_x"]
    eff = effective_flop_product(physical_flop=phys, algorithmic_efficiency_x=algo)["effective_flop"]
    np.testing.assert_allclose(eff, np.broadcast_to(eff[:1], eff.shape), rtol=1e-12)
    np.testing.assert_allclose(eff[0], 1.0e8 * 2.5e17 * 12.0 ** (YEARS[0] - 2025.0), rtol=1e-12)
