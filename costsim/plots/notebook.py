"""Figures show themselves in a Jupyter notebook.

costsim draws on plain ``matplotlib.figure.Figure`` objects, never through pyplot, so the
notebook's inline backend (which hooks pyplot) does not know them: a cell ending in
``plots.fan(res, "x")`` would print ``<Axes: ...>`` instead of the picture. When an IPython
kernel is running, this module registers PNG display formatters for matplotlib's Axes (the
return value of every plot function) and, unless the notebook has one already, for Figure.
Nothing happens outside a kernel, and nothing here imports IPython by itself.
"""

from __future__ import annotations

import sys

DPI = 100  # the notebook preview's resolution; files saved with save_figure keep their own


def _png(fig) -> bytes:
    from io import BytesIO

    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
    return buffer.getvalue()


def show_in_notebook(shell=None) -> bool:
    """Register the PNG formatters in ``shell`` (default: the running IPython kernel, if any).

    Returns True when formatters were registered, False outside a notebook kernel.
    """
    if shell is None:
        ipython = sys.modules.get("IPython")
        get = getattr(ipython, "get_ipython", None) if ipython is not None else None
        shell = get() if get is not None else None
        if shell is None or getattr(shell, "kernel", None) is None:  # a terminal IPython shows windows itself
            return False
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    png = shell.display_formatter.formatters["image/png"]
    png.for_type(Axes, lambda ax: _png(ax.figure))
    if not _has_type(png, Figure):  # the inline backend's own formatter, when pyplot was imported, stays
        png.for_type(Figure, _png)
    return True


def _has_type(formatter, cls) -> bool:
    try:
        formatter.lookup_by_type(cls)
    except KeyError:
        return False
    return True
