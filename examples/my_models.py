"""An example costsim plugin: a Python model for what formulas cannot say (a recurrence).

Load it from the command line or the API; a scenario file never loads code by itself::

    costsim run --plugin examples/my_models.py my_scenario.yaml
    costsim models --plugin examples/my_models.py      # origin: plugin:examples/my_models.py

    import costsim.plugins
    costsim.plugins.load_plugin("examples/my_models.py")   # -> ['capped_cluster_growth']

A scenario then uses it like a built-in model::

    params:
      base_cluster_chips: 2.0e+4
      cluster_growth_x_per_year: {dist: lognormal_ci, low: 1.5, high: 3}
      fab_capacity_chips: 1.0e+6
    models:
      - use: capped_cluster_growth
    formulas:
      new_chips: "diff(cluster_chips)"
"""

import numpy as np

from costsim.registry import model


@model(outputs=("cluster_chips",), yearly_steps=True)  # compounds once per step: yearly steps only
def capped_cluster_growth(*, year, base_cluster_chips, cluster_growth_x_per_year, fab_capacity_chips):
    """Chips in the largest cluster: growing by a multiple a year, never beyond what fabs supply.

    chips(t0) = min(base, capacity); chips(t) = min(chips(t-1) * growth, capacity). The cap makes
    it a recurrence, so it loops over years (never over samples).

    Parameters
    ----------
    year : array (1, T)
        Calendar years (only their number is used).
    base_cluster_chips : array (n, 1), > 0
        Chips in the largest cluster in the first year.
    cluster_growth_x_per_year : array (n, 1), > 0
        Growth multiple of the cluster per year, before the cap.
    fab_capacity_chips : array (n, 1), > 0
        Most chips a cluster can get in any year.

    Returns
    -------
    dict with ``cluster_chips`` (n, T)
    """
    n = np.broadcast_shapes(np.shape(base_cluster_chips), np.shape(cluster_growth_x_per_year),
                            np.shape(fab_capacity_chips), (1, 1))[0]
    chips = np.empty((n, year.shape[1]))
    chips[:, :1] = np.minimum(base_cluster_chips, fab_capacity_chips)
    for t in range(1, year.shape[1]):  # recurrence: the cap binds at a different year per sample
        chips[:, t : t + 1] = np.minimum(chips[:, t - 1 : t] * cluster_growth_x_per_year, fab_capacity_chips)
    return {"cluster_chips": chips}


if __name__ == "__main__":
    # Run directly, the plugin shows its model on two hand-made samples (as a scenario would feed it).
    demo_years = np.arange(2025.0, 2031.0)[None, :]
    demo = capped_cluster_growth(year=demo_years, base_cluster_chips=np.array([[2.0e4], [5.0e4]]),
                                 cluster_growth_x_per_year=np.array([[2.0], [3.0]]), fab_capacity_chips=1.0e6)
    print("capped_cluster_growth, two samples, 2025-2030 (chips):")
    for row in demo["cluster_chips"]:
        print("  " + "  ".join(f"{x:9.3g}" for x in row))
