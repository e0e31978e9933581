"""A figure of a scenario's checks: each claim, its measured value, and PASS or FAIL."""

from __future__ import annotations

import textwrap

from costsim.plots.style import (
    FAIL_COLOR,
    MUTED,
    PASS_COLOR,
    fmt_number,
    fmt_se,
    house_style,
    new_axes,
    scenario_title,
    set_title,
)
from costsim.results import checks_text

_LINE_IN = 0.17  # inches per text line at 8 pt


def verdict(check) -> str:
    """'PASS', 'FAIL', or with '?' when the Monte Carlo error leaves it too close to call."""
    word = "PASS" if check.passed else "FAIL"
    return word if check.conclusive else word + "?"


def checks_table(results, *, ax=None, title: str | None = None, claim_width: int = 78):
    """The checks as a table figure: verdict, claim, measured value +- MC error, and the test.

    Parameters
    ----------
    results : Results or sequence of CheckResult
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default: a new Figure sized to the number of text lines).
    title : str, optional
    claim_width : int
        Characters per line of the wrapped claim.

    Returns
    -------
    matplotlib.axes.Axes
        With one verdict text per check (``ax.texts`` tagged ``gid="verdict"``).
    """
    checks = list(getattr(results, "checks", results))
    rows = []
    for c in checks:
        claim = textwrap.wrap(c.claim, claim_width) or [""]
        measured = f"{fmt_number(c.value)} ± {fmt_se(c.se)}" if c.se == c.se and c.se > 0 \
            else fmt_number(c.value)
        test = textwrap.wrap(c.description, 34) or [""]
        rows.append((c, claim, measured, test, max(len(claim), len(test) + 1)))
    total = sum(r[4] for r in rows) + 0.6 * len(rows) + 1.6
    with house_style():
        ax = new_axes(ax, figsize=(10.0, max(1.4, 0.55 + total * _LINE_IN)))
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(total, 0)
        header = {"fontsize": 8, "fontweight": "bold", "color": "0.2", "va": "top"}
        ax.text(0.005, 0.2, "verdict", **header)
        ax.text(0.085, 0.2, "claim", **header)
        ax.text(0.7, 0.2, "measured ± MC error / test", **header)
        ax.axhline(1.3, color="0.6", linewidth=0.8)
        y = 1.6
        for i, (c, claim, measured, test, lines) in enumerate(rows):
            h = lines + 0.6
            if i % 2:
                ax.axhspan(y - 0.3, y + h - 0.3, color="0.95", zorder=0, linewidth=0)
            color = PASS_COLOR if c.passed else FAIL_COLOR
            ax.text(0.005, y, verdict(c), color="white", fontsize=8, fontweight="bold", va="top", gid="verdict",
                    bbox={"boxstyle": "round,pad=0.25", "facecolor": color, "edgecolor": "none"})
            ax.text(0.085, y, "\n".join(claim), fontsize=8, va="top", linespacing=1.25)
            ax.text(0.7, y, measured, fontsize=8, va="top", fontweight="bold", color=color)
            ax.text(0.7, y + 1, "\n".join(test), fontsize=7.5, va="top", color=MUTED, linespacing=1.25)
            y += h
        head = f"checks: {checks_text(checks)}" if checks else "checks: none"
        set_title(ax, title if title is not None else scenario_title(results, head), loc="left")
    return ax
