"""Calibration against data: log-linear trends fitted to Epoch AI's "Notable AI Models" table.

The chain mirrors the rest of costsim, one immutable value per stage::

    CSV ─ load_dataset ─► Dataset ─ select(y, filters, since, until) ─► Selection
        ─ fit_trend(method) ─► TrendFit ─► to_param_spec ─► a ``lognormal_ci`` scenario parameter
                                         ─► backtest / residual_in_sd / plots

A trend is ``log10(y) = a + b * (year - center_year)``: ``b`` is in dex (log10 units) per year and
the growth multiple per year is ``10 ** b``. Four methods share that form:

``ols``        least squares, t-based interval of the slope (n - 2 degrees of freedom)
``bootstrap``  least squares, percentile interval of the slope over resampled rows
``robust``     Theil-Sen slope (median of pairwise slopes) with its rank-based interval,
               residual spread as 1.4826 x the median absolute deviation
``envelope``   least squares on the record-setting points only (the largest run to date)

Every fit sorts its points by (year, log10 y) first, so the result does not depend on the order
of the CSV's rows, and rescaling y (FLOP -> PFLOP) moves only the intercept.

The bundled data is a snapshot of Epoch AI, "Data on Notable AI Models" (2025-02-24),
https://epoch.ai/data/notable-ai-models, licensed CC BY 4.0. Any newer export of the same table
(same column names) is read the same way.

Filters are small strings, ANDed when several are given::

    COLUMN=VALUE     the cell, or one of its comma-separated items, equals VALUE (case-insensitive)
    COLUMN==VALUE    every comma-separated item equals VALUE ("China,China" yes, "China,Canada" no)
    COLUMN!=VALUE    not COLUMN=VALUE
    COLUMN~TEXT      the cell contains TEXT (case-insensitive); COLUMN!~TEXT: it does not
    COLUMN>X  >=  <  <=   numeric comparison (dates in the date column: 2020-06-30 or 2020.5)

``VALUE`` and ``TEXT`` may list alternatives with ``|``: ``Confidence=Confident|Likely``.

References
----------
Epoch AI (2025). Data on Notable AI Models. https://epoch.ai/data/notable-ai-models (CC BY 4.0).
Sevilla, J., Roldan, E. (2024). Training compute of frontier AI models grows by 4-5x per year.
Cottier, B. et al. (2024). The rising costs of training frontier AI models. arXiv:2405.21015.
Sen, P. K. (1968). Estimates of the regression coefficient based on Kendall's tau. JASA 63(324).
"""

# The package splits what was one module; every public name is still importable from here:
# data (the CSV, filters, selections), fits, backtest, gap, params (scenario parameters from fits).
from costsim.calibration.data import (  # noqa: F401
    ATTRIBUTION,
    BUNDLED,
    BUNDLED_FILE,
    COMPUTE_COLUMN,
    COST_COLUMN,
    CREDIT,
    DATE_COLUMN,
    Dataset,
    FRONTIER_STATS,
    Filter,
    METHODS,
    METHOD_LABELS,
    NAME_COLUMN,
    Selection,
    decimal_year,
    load_dataset,
    parse_filter,
    parse_year,
    select,
    selection_from_arrays,
)
from costsim.calibration.fits import (  # noqa: F401
    TrendFit,
    fit,
    fit_trend,
    record_mask,
    residual_in_sd,
)
from costsim.calibration.backtest import (  # noqa: F401
    BacktestResult,
    backtest,
)
from costsim.calibration.gap import (  # noqa: F401
    GapResult,
    catch_up,
    gap,
)
from costsim.calibration.params import (  # noqa: F401
    FIT_KEYS,
    PARAM_KEYS,
    QUANTITIES,
    ScenarioFit,
    fit_form,
    fit_from_spec,
    is_fit_param,
    param_yaml,
    resolve_fit_param,
    scenario_fits,
    to_level_param_spec,
    to_param_spec,
)

__all__ = [
    "ATTRIBUTION",
    "BUNDLED",
    "BUNDLED_FILE",
    "COMPUTE_COLUMN",
    "COST_COLUMN",
    "CREDIT",
    "DATE_COLUMN",
    "Dataset",
    "FRONTIER_STATS",
    "Filter",
    "METHODS",
    "METHOD_LABELS",
    "NAME_COLUMN",
    "Selection",
    "decimal_year",
    "load_dataset",
    "parse_filter",
    "parse_year",
    "select",
    "selection_from_arrays",
    "TrendFit",
    "fit",
    "fit_trend",
    "record_mask",
    "residual_in_sd",
    "BacktestResult",
    "backtest",
    "GapResult",
    "catch_up",
    "gap",
    "FIT_KEYS",
    "PARAM_KEYS",
    "QUANTITIES",
    "ScenarioFit",
    "fit_form",
    "fit_from_spec",
    "is_fit_param",
    "param_yaml",
    "resolve_fit_param",
    "scenario_fits",
    "to_level_param_spec",
    "to_param_spec",
]
