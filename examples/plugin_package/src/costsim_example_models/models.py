"""Energy bill of a training cluster: an example of models shipped in an installed package."""

from costsim.registry import model
from costsim.units import HOURS_PER_YEAR, J_PER_KWH


@model(outputs=("cluster_energy_cost_usd",))
def cluster_energy_cost(*, cluster_chips, chip_power_w, pue_ratio, electricity_usd_per_kwh, run_length_years):
    """Electricity bill of one run: chips * power * PUE * duration * price.

    energy_kwh = chips * chip_power_w * pue * run_length_years * HOURS_PER_YEAR / 1000

    Parameters
    ----------
    cluster_chips : array (n, 1) or (n, T), >= 0
        Chips in the cluster.
    chip_power_w : array (n, 1), > 0
        Power per chip, including its share of the server.
    pue_ratio : array (n, 1), >= 1
        Power usage effectiveness of the data centre.
    electricity_usd_per_kwh : array (n, 1), > 0
        Price of electricity.
    run_length_years : array (n, 1), > 0
        Duration of the run.

    Returns
    -------
    dict with ``cluster_energy_cost_usd`` (n, T)
    """
    energy_j = cluster_chips * chip_power_w * pue_ratio * run_length_years * (HOURS_PER_YEAR * 3600.0)
    return {"cluster_energy_cost_usd": energy_j / J_PER_KWH * electricity_usd_per_kwh}
