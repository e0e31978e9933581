"""costsim's figures: the only package that imports matplotlib.

Every plot function takes its data (a ``Results``, or plain arrays and mappings for sensitivity
and sweep results), draws on ``ax`` when given, else on a new ``Figure`` (no pyplot, so no
display or backend is needed), and returns the Axes, so notebooks can compose them::

    from costsim.engine import run
    from costsim import plots

    res = run("scenarios/reference_r1.yaml", n=20_000)
    ax = plots.fan(res, "effective_flop")
    plots.save_figure(ax, "effective_flop.svg")   # PNG, SVG or PDF; byte-identical on rerun

Axis labels carry units from the names (``training_cost_usd`` -> "training cost [USD]"), and
quantities spanning decades get a log axis unless ``log=`` says otherwise.

Figures of a Results: :func:`fan`, :func:`fan_compare`, :func:`distribution`, :func:`race`,
:func:`cdf` / :func:`crossing_cdf`, :func:`checks_table`. Of analysis results given as arrays:
:func:`tornado` (with :func:`tornado_from_samples`), :func:`sobol_bars`, :func:`sweep_heatmap`,
:func:`sweep_lines`. The ``plots:`` key of a scenario: :func:`parse_plots`, :func:`default_specs`,
:func:`draw`. Calibration figures (``plot_fit``, ``plot_projection_over_history``, ``plot_backtest``,
``plot_gap``) live in :mod:`costsim.plots.calibration` and are re-exported here.
"""

from __future__ import annotations

from costsim.plots.checks import checks_table
from costsim.plots.fan import distribution, fan, fan_compare
from costsim.plots.race import cdf, crossing_cdf, race
from costsim.plots.sobol import sobol_bars
from costsim.plots.specs import KINDS, PlotSpec, default_specs, draw, parse_plots
from costsim.plots.style import (
    PALETTE,
    STYLE,
    close,
    house_style,
    new_axes,
    save_figure,
)
from costsim.plots.notebook import show_in_notebook
from costsim.plots.sweep import sweep_heatmap, sweep_lines
from costsim.plots.tornado import tornado, tornado_from_samples

_CALIBRATION = ("plot_fit", "plot_projection_over_history", "plot_backtest", "plot_gap")

__all__ = [
    "KINDS", "PALETTE", "STYLE", "PlotSpec", "cdf", "checks_table", "close", "crossing_cdf", "default_specs",
    "distribution", "draw", "fan", "fan_compare", "house_style", "new_axes", "parse_plots", "race", "save_figure",
    "show_in_notebook", "sobol_bars", "sweep_heatmap", "sweep_lines", "tornado", "tornado_from_samples", *_CALIBRATION,
]


def __getattr__(name: str):
    # Calibration figures load the calibration module (and its data) only when asked for.
    if name in _CALIBRATION:
        from costsim.plots import calibration

        return getattr(calibration, name)
    raise AttributeError(f"module 'costsim.plots' has no attribute {name!r}")


show_in_notebook()  # in a Jupyter kernel, an Axes or Figure left as a cell's value shows as a picture
