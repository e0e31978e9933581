"""Sobol' indices as bars with their confidence intervals."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from costsim.plots.style import PALETTE, house_style, new_axes, set_title

_KEYS = {"names": ("names", "params", "parameters"), "s1": ("S1", "s1", "first"), "st": ("ST", "st", "total"),
         "s1_conf": ("S1_conf", "s1_conf", "first_conf"), "st_conf": ("ST_conf", "st_conf", "total_conf")}


def _field(data, key: str, required: bool = True):
    for alias in _KEYS[key]:
        if isinstance(data, Mapping) and alias in data:
            return data[alias]
        if not isinstance(data, Mapping) and hasattr(data, alias):
            return getattr(data, alias)
    if required:
        raise ValueError(f"sobol_bars: no {key!r} in the data; expected one of the keys or attributes "
                         f"{', '.join(_KEYS[key])}")
    return None


def _errors(values: np.ndarray, conf) -> np.ndarray | None:
    """Matplotlib's (2, d) error extents from a half-width (d,) or [low, high] pairs (d, 2)."""
    if conf is None:
        return None
    conf = np.asarray(conf, dtype=float)
    if conf.ndim == 1:
        return np.vstack([np.abs(conf), np.abs(conf)])
    if conf.ndim == 2 and conf.shape[1] == 2:
        return np.vstack([values - conf[:, 0], conf[:, 1] - values]).clip(min=0)
    raise ValueError(f"sobol_bars: a confidence interval must be half-widths (d,) or [low, high] pairs (d, 2); "
                     f"got shape {conf.shape}")


def sobol_bars(data, *, output: str | None = None, ax=None, title: str | None = None, level: float = 0.95):
    """First-order (S1) and total (ST) Sobol' indices per parameter, with confidence intervals.

    Parameters
    ----------
    data
        A mapping or an object (e.g. SALib's ``analyze`` result plus ``names``, or the result of
        ``costsim.sensitivity.sobol`` for one output and year) with:

        * ``names``: parameter names, (d,);
        * ``S1``, ``ST``: indices, (d,);
        * optional ``S1_conf``, ``ST_conf``: either half-widths (d,) as SALib gives them, or
          ``[low, high]`` pairs (d, 2).

        Lower-case spellings (``s1``, ``st``, ``s1_conf``, ``st_conf``) are accepted too.
    output : str, optional
        The analysed output, for the title.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    level : float
        Confidence level of the intervals, for the legend (default 95%).

    Returns
    -------
    matplotlib.axes.Axes
        Two bar containers (S1, ST), parameters sorted by total index, largest on top.
    """
    names = [str(n) for n in _field(data, "names")]
    s1 = np.asarray(_field(data, "s1"), dtype=float).reshape(-1)
    st = np.asarray(_field(data, "st"), dtype=float).reshape(-1)
    if not (len(names) == s1.size == st.size):
        raise ValueError(f"sobol_bars: expected one S1 and one ST per parameter; got {len(names)} names, "
                         f"{s1.size} S1, {st.size} ST")
    s1_err = _errors(s1, _field(data, "s1_conf", required=False))
    st_err = _errors(st, _field(data, "st_conf", required=False))
    order = np.argsort(st, kind="stable")  # smallest first: barh draws bottom-up
    y = np.arange(len(names))
    h = 0.38
    with house_style():
        ax = new_axes(ax, figsize=(7.0, max(2.4, 1.0 + 0.5 * len(names))))
        ci = f" ({level:.0%} CI)" if (s1_err is not None or st_err is not None) else ""
        ax.barh(y + h / 2, st[order], height=h, color=PALETTE[1], label="total effect ST" + ci,
                xerr=None if st_err is None else st_err[:, order], capsize=3, error_kw={"elinewidth": 1.0})
        ax.barh(y - h / 2, s1[order], height=h, color=PALETTE[0], label="first order S1" + ci,
                xerr=None if s1_err is None else s1_err[:, order], capsize=3, error_kw={"elinewidth": 1.0})
        ax.set_yticks(y, [names[i] for i in order])
        ax.axvline(0, color="0.2", linewidth=0.8)
        hi = max(1.0, float(np.nanmax(np.concatenate([st, s1]))) if len(names) else 1.0)
        ax.set_xlim(min(0.0, float(np.nanmin(np.concatenate([s1, st, [0.0]])))) - 0.02, hi * 1.05)
        ax.set_xlabel("Sobol' index (share of output variance)")
        ax.grid(False, axis="y")
        set_title(ax, title if title is not None else f"Sobol' indices of {output or 'the output'}")
        ax.legend(loc="lower right")
    return ax
