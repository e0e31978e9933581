"""Frontier compute from a budget, hardware price-performance and algorithmic progress.

The three models of the R1 reference scenario (``scenarios/reference_r1.yaml``), usable on
their own: physical FLOP bought by a growing budget at improving FLOP per dollar, the
algorithmic multiplier implied by a total cost decline, and effective FLOP.
"""

import numpy as np

from costsim.registry import model


@model(outputs=("physical_flop",),
       domains={"base_budget_usd": "[0, inf)", "budget_growth_x_per_year": "(0, inf)",
                "base_flop_per_usd": "[0, inf)", "hardware_gain_x_per_year": "(0, inf)"})
def budget_physical_flop(*, year, base_year, base_budget_usd, budget_growth_x_per_year, base_flop_per_usd,
                         hardware_gain_x_per_year):
    """Physical FLOP of the largest run: budget times hardware FLOP per dollar, both growing.

    physical_flop = base_budget * budget_growth**k * base_flop_per_usd * hardware_gain**k,  k = year - base_year

    Parameters
    ----------
    year : array (1, T)
        Calendar years.
    base_year : float
        Year of the base budget and base price-performance.
    base_budget_usd : array (n, 1), > 0
        Largest training budget in the base year.
    budget_growth_x_per_year : array (n, 1), > 0
        Growth multiple of that budget per year.
    base_flop_per_usd : array (n, 1), > 0
        Hardware FLOP per dollar in the base year.
    hardware_gain_x_per_year : array (n, 1), > 0
        Growth multiple of hardware FLOP per dollar per year.

    Returns
    -------
    dict with ``physical_flop`` (n, T)
    """
    k = year - base_year
    log_growth = np.log(budget_growth_x_per_year * hardware_gain_x_per_year)
    scale = base_budget_usd * base_flop_per_usd
    flop = k * log_growth  # usually (n, T): the one large temporary, reused in place below
    np.exp(flop, out=flop)
    if np.shape(flop) == np.broadcast_shapes(np.shape(flop), np.shape(scale)):
        flop *= scale
    else:  # only the scale varies by sample (growth rates are constants): a new array is needed
        flop = flop * scale
    return {"physical_flop": flop}


@model(outputs=("algorithmic_efficiency_x",),
       domains={"cost_decline_x_per_year": "(0, inf)", "hardware_gain_x_per_year": "(0, inf)"})
def decline_algorithmic_efficiency(*, year, base_year, cost_decline_x_per_year, hardware_gain_x_per_year):
    """Algorithmic efficiency multiplier implied by a total cost decline and a hardware share.

    The cost of a fixed capability falls by ``cost_decline`` a year; hardware price-performance
    explains ``hardware_gain`` of it, algorithms the rest:
    algorithmic_efficiency = (cost_decline / hardware_gain)**k. It may be < 1 when hardware
    alone exceeds the decline; it is kept as is.

    Parameters
    ----------
    year : array (1, T)
        Calendar years.
    base_year : float
        Year in which the multiplier is 1.
    cost_decline_x_per_year : array (n, 1), > 0
        Factor by which the cost of a fixed capability falls each year.
    hardware_gain_x_per_year : array (n, 1), > 0
        Growth multiple of hardware FLOP per dollar per year.

    Returns
    -------
    dict with ``algorithmic_efficiency_x`` (n, T)
    """
    k = year - base_year
    multiplier = k * np.log(cost_decline_x_per_year / hardware_gain_x_per_year)
    np.exp(multiplier, out=multiplier)
    return {"algorithmic_efficiency_x": multiplier}


@model(outputs=("effective_flop",),
       domains={"physical_flop": "[0, inf)", "algorithmic_efficiency_x": "(0, inf)"})
def effective_flop_product(*, physical_flop, algorithmic_efficiency_x):
    """Effective compute: physical FLOP times the algorithmic efficiency multiplier.

    Parameters
    ----------
    physical_flop : array (n, T)
        Physical training FLOP.
    algorithmic_efficiency_x : array (n, T)
        Compute-equivalent multiplier of algorithmic progress relative to the base year.

    Returns
    -------
    dict with ``effective_flop`` (n, T)
    """
    return {"effective_flop": physical_flop * algorithmic_efficiency_x}
