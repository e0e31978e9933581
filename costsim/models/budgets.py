"""Budgets and spending: frontier training budgets, their response to cheaper compute, and the compute they buy.

The essay argues that cheaper compute does not lower spending: savings are reinvested in larger
runs. Here that is a spend elasticity: spend grows by its own multiple per year and, in addition,
by (cost decline) ** elasticity, so a falling cost curve raises spend when the elasticity is positive.
"""

from __future__ import annotations

import numpy as np

from costsim.registry import model


@model(outputs=("frontier_budget_usd",),
       domains={"budget_base_usd": "[0, inf)", "budget_x_per_year": "(0, inf)"})
def budget_growth(*, year, base_year, budget_base_usd, budget_x_per_year):
    """Frontier training budget growing by a constant multiple per year.

    budget(year) = base * growth ** (year - base_year)

    Parameters
    ----------
    year : array, (1, T)
        Calendar years.
    base_year : float
        Year of ``budget_base_usd``.
    budget_base_usd : array, (n, 1), > 0
        Largest training budget at the base year.
    budget_x_per_year : array, (n, 1), > 0
        Growth multiple per year.

    Returns
    -------
    dict with ``frontier_budget_usd`` : array, (n, T)

    References
    ----------
    Cottier et al. (2024), "The rising costs of training frontier AI models", arXiv:2405.21015.
    """
    log_budget = np.log(budget_base_usd) + (year - base_year) * np.log(budget_x_per_year)
    return {"frontier_budget_usd": np.exp(log_budget)}


@model(outputs=("frontier_budget_usd",),
       domains={"budget_base_usd": "[0, inf)", "budget_x_per_year": "(0, inf)", "cost_decline_x": "(0, inf)"})
def budget_with_price_response(*, year, base_year, budget_base_usd, budget_x_per_year, cost_decline_x,
                               spend_price_elasticity):
    """Frontier training budget that grows, and grows more when the cost of capability falls.

    budget(year) = base * growth ** (year - base_year) * cost_decline ** elasticity

    With the cost of a fixed capability c(year) = c0 / cost_decline, spend scales as
    c ** (-elasticity): elasticity 0 is no response, elasticity > 0 is the essay's reinvestment
    (the quantity of capability bought then rises faster than the cost falls).

    Parameters
    ----------
    year : array, (1, T)
        Calendar years.
    base_year : float
        Year of ``budget_base_usd`` (where ``cost_decline_x`` should be 1).
    budget_base_usd : array, (n, 1), > 0
        Largest training budget at the base year.
    budget_x_per_year : array, (n, 1), > 0
        Growth multiple per year before the price response.
    cost_decline_x : array, (n, T), > 0
        Base cost over current cost of a fixed capability.
    spend_price_elasticity : array, (n, 1), >= 0
        Percent rise in spend per percent fall in cost.

    Returns
    -------
    dict with ``frontier_budget_usd`` : array, (n, T)

    References
    ----------
    Amodei (2025), "On DeepSeek and Export Controls" (efficiency gains are reinvested).
    """
    log_budget = (np.log(budget_base_usd) + (year - base_year) * np.log(budget_x_per_year)
                  + spend_price_elasticity * np.log(cost_decline_x))
    return {"frontier_budget_usd": np.exp(log_budget)}


@model(outputs=("physical_flop", "physical_flop_log10"),
       domains={"frontier_budget_usd": "[0, inf)", "hardware_flop_per_usd": "(0, inf)", "mfu_frac": "(0, 1]"})
def compute_from_budget(*, frontier_budget_usd, hardware_flop_per_usd, mfu_frac):
    """Model FLOP a budget buys: budget x peak FLOP per dollar x utilization.

    log10(FLOP) = log10(budget) + log10(FLOP per USD) + log10(MFU)

    Parameters
    ----------
    frontier_budget_usd : array, > 0
        Compute budget of the run.
    hardware_flop_per_usd : array, > 0
        Peak FLOP per dollar.
    mfu_frac : array or float, in (0, 1]
        Model FLOP utilization.

    Returns
    -------
    dict with
    ``physical_flop`` : array
    ``physical_flop_log10`` : array
    """
    log10_flop = np.log10(frontier_budget_usd) + np.log10(hardware_flop_per_usd) + np.log10(mfu_frac)
    return {"physical_flop": np.power(10.0, log10_flop), "physical_flop_log10": log10_flop}


@model(outputs=("frontier_budget_usd", "world_gdp_usd", "budget_gdp_frac"), domains={"budget_ceiling_gdp_frac": "(0, 1]"})
def gdp_saturating_budget(*, year, gdp_base_year, uncapped_frontier_budget_usd, world_gdp_base_usd,
                          world_gdp_x_per_year, budget_ceiling_gdp_frac):
    """A budget trend bounded by what the economy can carry: a share of world GDP saturating at a ceiling.

    gdp(year)   = world_gdp_base * world_gdp_x ** (year - gdp_base_year)
    ceiling     = budget_ceiling_gdp_frac * gdp
    budget      = uncapped / (1 + uncapped / ceiling)

    The share of GDP ``uncapped / gdp`` follows the trend while it is small and rises toward the
    ceiling share as the trend runs into it (a hyperbolic saturation), so the budget is below
    ``ceiling <= gdp`` at every horizon and rises whenever the trend does. A ceiling of inf
    reproduces the uncapped trend exactly.

    Parameters
    ----------
    year : array, (1, T)
    gdp_base_year : float
        Year of ``world_gdp_base_usd``.
    uncapped_frontier_budget_usd : array, (n, T), >= 0
        The budget trend before saturation (e.g. ``budget_with_price_response`` renamed).
    world_gdp_base_usd : array, (n, 1), > 0
    world_gdp_x_per_year : array, (n, 1), > 0
    budget_ceiling_gdp_frac : array, (n, 1), in (0, 1] (inf: no ceiling)
        Largest share of world GDP the budget can reach.

    Returns
    -------
    dict with ``frontier_budget_usd``, ``world_gdp_usd`` and ``budget_gdp_frac`` : array, (n, T)

    References
    ----------
    ``econ.world_gdp_2024`` (anchors_2025.yaml, IMF WEO 2024).
    """
    gdp = world_gdp_base_usd * world_gdp_x_per_year ** (year - gdp_base_year)
    ceiling = budget_ceiling_gdp_frac * gdp
    budget = uncapped_frontier_budget_usd / (1.0 + uncapped_frontier_budget_usd / ceiling)
    return {"frontier_budget_usd": budget, "world_gdp_usd": gdp + 0.0 * budget, "budget_gdp_frac": budget / gdp}
