"""Sensitivity of outputs to uncertain parameters: tornado, Sobol' indices and Morris screening.

Every design goes through costsim's own sampling path (uniform draws -> the scenario's copula ->
each parameter's inverse CDF), so distributions, ``min``/``max`` clipping and correlations are
the scenario's, and constants never appear. All three methods report per output and per year
(and per bloc), vectorized over all of them at once.

Outputs that usually span orders of magnitude (``costsim.units.spans_decades``: ``_usd``,
``_flop``...) are analysed as ``log10`` by default; variance-based indices of the raw values
would be dominated by the upper tail. ``log10=False`` analyses raw values, ``log10=True`` forces
log10 everywhere. An output with values <= 0 is analysed raw, with a warning.

Methods
-------
tornado
    One at a time: each uncertain parameter moved to its 5th and 95th percentiles (or given
    bounds) while all others stay at their medians; the swing of each output. Cheap (1 + 2d rows).
sobol
    First-order (S1) and total (ST) indices with bootstrap confidence intervals, from a
    Saltelli design of ``(d + 2) * n_base`` rows: matrices A and B from one scrambled Sobol'
    sequence over 2d dimensions (or Monte Carlo streams), and AB_i = A with column i from B.
    The estimators are SALib's (``SALib.analyze.sobol`` with ``calc_second_order=False``):
    Saltelli et al. (2010) for S1 and Jansen (1999) for ST, on the output standardised first
    (per year), with the same bootstrap. They are written here in numpy, vectorised over years
    and outputs, and tested against SALib on the same Y; ``estimator="salib"`` calls SALib itself.
morris
    Elementary effects along SALib Morris trajectories (``SALib.sample.morris``) on a p-level
    grid; level ``k`` of ``p`` is mapped to the quantile ``(k + 1/2) / p`` of each parameter (the
    grid's cell centres, so unbounded distributions stay finite), and ``SALib.analyze.morris``
    gives mu, mu* and sigma. Effects are per unit of the [0, 1] Morris grid.

Correlations: Sobol' indices assume independent inputs. With ``correlations:`` the designs are
built on the independent uniform factors *behind* the Gaussian copula, so every row is still a
draw from the scenario's joint distribution, but the index of a parameter is that of its own
factor: the first parameter of a correlated group also carries what it induces in the others.
A CostsimWarning says so, and the result's ``meta["correlated"]`` is True.

References
----------
Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M., Tarantola, S. (2010). Variance
based sensitivity analysis of model output. Computer Physics Communications 181(2), 259-270.
doi:10.1016/j.cpc.2009.09.018
Jansen, M. J. W. (1999). Analysis of variance designs for model output. Computer Physics
Communications 117, 35-43. doi:10.1016/S0010-4655(98)00154-4
Morris, M. D. (1991). Factorial sampling plans for preliminary computational experiments.
Technometrics 33(2), 161-174. doi:10.1080/00401706.1991.10484804
Campolongo, F., Cariboni, J., Saltelli, A. (2007). An effective screening design for sensitivity
analysis of large models. Environmental Modelling & Software 22(10), 1509-1518.
doi:10.1016/j.envsoft.2006.10.004
Herman, J., Usher, W. (2017). SALib: An open-source Python library for sensitivity analysis.
Journal of Open Source Software 2(9), 97. doi:10.21105/joss.00097
Layout
------
``common`` (result types, options, helpers), then one module per method, as SALib does:
``sobol_indices`` (:func:`sobol`, :func:`sobol_estimates`, :func:`saltelli_uniforms`),
``morris_screening`` (:func:`morris`) and ``one_at_a_time`` (:func:`tornado`).
"""

from costsim.sensitivity.common import (
    METHODS,
    OPTION_KEYS,
    RANK_BY,
    STATS,
    OutputIndices,
    SensitivityResult,
    default_n_base,
    options,
)
from costsim.sensitivity.morris_screening import morris
from costsim.sensitivity.one_at_a_time import tornado
from costsim.sensitivity.sobol_indices import saltelli_uniforms, sobol, sobol_estimates

__all__ = ["METHODS", "OPTION_KEYS", "RANK_BY", "STATS", "OutputIndices", "SensitivityResult", "default_n_base",
           "morris", "options", "saltelli_uniforms", "sobol", "sobol_estimates", "tornado"]
