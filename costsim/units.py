"""Units live in names: the suffix table, ``unit_of(name)`` and physical constants.

A variable name ends in one of the suffixes below; the longest matching suffix wins. Wiring is
by exact name, so a mismatch of units shows up as a missing input rather than a wrong number.
"""

from __future__ import annotations

import math

from costsim.errors import RegistryError

# suffix -> human-readable unit (used for axis labels and tables)
UNIT_SUFFIXES: dict[str, str] = {
    "_usd_per_flop": "USD/FLOP",
    "_flop_per_usd": "FLOP/USD",
    "_usd_per_hour": "USD/hour",
    "_usd_per_gpu_hour": "USD/GPU-hour",
    "_usd_per_kwh": "USD/kWh",
    "_usd_per_mtok": "USD per million tokens",
    "_usd_per_chip": "USD/chip",
    "_usd_per_h100e": "USD per H100-equivalent",
    "_usd_per_year": "USD/year",
    "_flop_per_s": "FLOP/s",
    "_flop_per_token": "FLOP/token",
    "_flop_per_param_per_token": "FLOP per parameter per token",
    "_bytes_per_param": "bytes/parameter",
    "_flop_per_j": "FLOP/J",
    "_bytes_per_s": "bytes/s",
    "_bytes_per_token": "bytes/token",
    "_tokens_per_s": "tokens/s",
    "_tokens_per_param": "tokens/parameter",
    "_x_per_year": "growth multiple per year",
    "_x_per_doubling": "multiple per doubling",
    "_per_year": "1/year",
    "_h100e_per_year": "H100-equivalents/year",
    "_count_per_year": "count/year",
    "_chips_per_year": "chips/year",
    "_gpu_hours": "GPU-hours",
    "_hours": "hours",
    "_days": "days",
    "_years": "years (a duration)",
    "_year": "calendar year",
    "_usd": "USD",
    "_flop": "FLOP",
    "_w": "W",
    "_kw": "kW",
    "_mw": "MW",
    "_gw": "GW",
    "_j": "J",
    "_kwh": "kWh",
    "_gwh": "GWh",
    "_s": "s",
    "_bytes": "bytes",
    "_tokens": "tokens",
    "_params": "parameters",
    "_h100e": "H100-equivalents",
    "_chips": "chips",
    "_frac": "fraction in [0, 1]",
    "_ratio": "ratio (dimensionless, >= 0)",
    "_x": "multiple (dimensionless)",
    "_count": "count",
    "_score": "capability score",
    "_loss": "loss (nats/token)",
    "_prob": "probability",
    "_log10": "log10 of the quantity",
    "_elasticity": "elasticity (dimensionless)",
    "_exponent": "exponent (dimensionless)",
    "_index": "index (dimensionless)",
    "_flag": "0/1 flag",
}
EXACT_NAMES: dict[str, str] = {"year": "calendar year"}

_BY_LENGTH = sorted(UNIT_SUFFIXES, key=len, reverse=True)

SECONDS_PER_HOUR = 3600.0
HOURS_PER_YEAR = 365.25 * 24.0  # Julian year, the same `year` pint defines
SECONDS_PER_YEAR = HOURS_PER_YEAR * SECONDS_PER_HOUR
J_PER_KWH = 3.6e6
TOKENS_PER_MTOK = 1.0e6  # the "M" of prices quoted per million tokens (_usd_per_mtok)


def suffix_of(name: str) -> str | None:
    """Return the unit suffix of ``name`` (longest match), or None if it has none."""
    if name in EXACT_NAMES:
        return name
    for suffix in _BY_LENGTH:
        if name.endswith(suffix) and len(name) > len(suffix):
            return suffix
    return None


def unit_of(name: str) -> str:
    """Return the unit declared by the suffix of a variable name.

    >>> unit_of("training_cost_usd")
    'USD'
    >>> unit_of("chip_peak_flop_per_s")
    'FLOP/s'
    """
    suffix = suffix_of(name)
    if suffix is None:
        raise RegistryError(
            f"{name!r} has no unit suffix; expected a name ending in one of "
            f"{', '.join(sorted(UNIT_SUFFIXES))}, got {name!r}"
        )
    return EXACT_NAMES.get(suffix) or UNIT_SUFFIXES[suffix]


# Short units for axis labels, where the table's explanation would clutter a plot.
LABEL_UNITS: dict[str, str] = {
    "_x_per_year": "x per year",
    "_x_per_doubling": "x per doubling",
    "_x": "x",
    "_years": "years",
    "_frac": "fraction",
    "_ratio": "ratio",
    "_per_year": "per year",
    "_log10": "log10",
    "_loss": "nats/token",
}


def label_of(name: str) -> str:
    """Return an axis label for a variable: words from the name, then the unit.

    >>> label_of("training_cost_usd")
    'training cost [USD]'
    """
    suffix = suffix_of(name)
    if suffix is None:
        return name.replace("_", " ")
    if name in EXACT_NAMES:
        return EXACT_NAMES[name]
    stem = name[: -len(suffix)].replace("_", " ").strip()
    unit = LABEL_UNITS.get(suffix, UNIT_SUFFIXES[suffix])
    if suffix in {"_score", "_index", "_elasticity", "_exponent", "_prob", "_flag"}:
        return f"{stem} {suffix[1:]}"  # dimensionless: the suffix is the noun, not a unit
    return f"{stem} [{unit}]"


def spans_decades(name: str) -> bool:
    """True for quantities that usually span orders of magnitude (plotted and analysed in log10)."""
    suffix = suffix_of(name) or ""
    return suffix in {
        "_usd", "_flop", "_flop_per_s", "_usd_per_flop", "_flop_per_usd", "_h100e", "_chips",
        "_gpu_hours", "_w", "_kw", "_mw", "_gw", "_j", "_kwh", "_gwh", "_tokens", "_params",
        "_usd_per_mtok", "_x", "_usd_per_year", "_h100e_per_year", "_count",
    }


# ----------------------------------------------------------------------------------- numbers with units
def fmt_number(x: float) -> str:
    """A number for tables and legends: 4 significant digits; 34,020; 1.67e29 and 9.8e-5 when large or small."""
    x = float(x)
    if not math.isfinite(x):
        return "n/a" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    ax = abs(x)
    if ax != 0 and (ax >= 1e5 or ax < 1e-3):
        return short_exp(f"{x:.3g}")
    if ax >= 1000:
        return f"{x:,.0f}"
    return f"{x:.4g}"


SI_UNITS = ("W", "FLOP", "FLOP/s")  # written with SI prefixes: 2.31 GW, 3.5 EFLOP
_PREFIXES = ((1e30, "Q"), (1e27, "R"), (1e24, "Y"), (1e21, "Z"), (1e18, "E"), (1e15, "P"), (1e12, "T"),
             (1e9, "G"), (1e6, "M"), (1e3, "k"))
_MONEY = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def fmt_value(x: float, unit: str = "", digits: int = 3) -> str:
    """A number with its unit as a reader writes it: '2.31 GW', '350 PFLOP/s', '$5.58M'.

    Watts and FLOP get SI prefixes (up to Q, 1e30), dollars k/M/B/T; any other unit is left to
    the table's unit column (:func:`fmt_number`, no unit written).
    """
    x = float(x)
    if unit == "USD":
        return _money(x, digits)
    if unit in SI_UNITS:
        return _si(x, unit, digits)
    return fmt_number(x)


def _si(x: float, unit: str, digits: int) -> str:
    if not math.isfinite(x):
        return fmt_number(x)
    ax = abs(x)
    if ax < 1e3:
        return f"{fmt_number(x)} {unit}"
    if ax >= 1e33:
        return f"{short_exp(f'{x:.{digits}g}')} {unit}"
    scale, prefix = next((s, p) for s, p in _PREFIXES if ax >= s * (1 - 0.5 * 10 ** -digits))
    return f"{_trim(x / scale, digits)} {prefix}{unit}"


def _money(x: float, digits: int) -> str:
    if not math.isfinite(x):
        return fmt_number(x)
    sign, ax = ("-" if x < 0 else ""), abs(x)
    if ax < 1e3:
        return f"{sign}${fmt_number(ax)}"
    if ax >= 1e15:
        return f"{sign}${short_exp(f'{ax:.{digits}g}')}"
    scale, word = next((s, w) for s, w in _MONEY if ax >= s * (1 - 0.5 * 10 ** -digits))
    return f"{sign}${_trim(ax / scale, digits)}{word}"


def _trim(v: float, digits: int) -> str:
    """``digits`` significant digits, no exponent (values here are in [1, 1000))."""
    text = f"{v:.{digits}g}"
    if "e" in text:  # 999.96 with 3 digits rounds up to 1e+03
        text = f"{v:.0f}"
    return text


def short_exp(text: str) -> str:
    """'1.67e+29' -> '1.67e29', '9.8e-05' -> '9.8e-5'."""
    if "e" not in text:
        return text
    mant, exp = text.split("e")
    return f"{mant}e{int(exp)}"
