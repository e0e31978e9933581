"""Scenario parameters from fits: ``lognormal_ci`` specs, the ``fit:`` form, and their YAML."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from costsim.calibration.data import (
    BUNDLED, COMPUTE_COLUMN, METHODS, _did_you_mean, _fmt_year, load_dataset, parse_filter, parse_year, select,
)
from costsim.calibration.fits import TrendFit, fit_trend
from costsim.errors import DataError, Issue
from costsim.yamlio import dump_yaml

# ---------------------------------------------------------------------------------------------
# Scenario parameters from fits

FIT_KEYS = ("data", "y", "filter", "since", "until", "method", "quantity", "at_year", "overlay", "n_boot", "seed")
PARAM_KEYS = ("fit", "credibility", "source", "note", "min", "max")
QUANTITIES = ("growth_x_per_year", "level")


def _sig(value: float, digits: int = 6) -> float:
    return float(f"{value:.{digits}g}")


def to_param_spec(trend: TrendFit, credibility: float = 0.9) -> dict:
    """Express a fit's growth multiple per year as a ``lognormal_ci`` scenario parameter.

    Parameters
    ----------
    trend : TrendFit
    credibility : float
        The interval of the growth multiple used as ``low``/``high`` (default 0.9, the
        ``lognormal_ci`` default).

    Returns
    -------
    dict
        ``{dist: lognormal_ci, low, high, credibility, source, note}``, where ``source`` names the
        data file, its date, the y column, the filters, the years, n and the method.

    Examples
    --------
    >>> f = fit(filters=["Frontier model=True"], since=2010)
    >>> spec = to_param_spec(f)
    >>> spec["dist"], spec["low"] < f.growth_x_per_year < spec["high"]
    ('lognormal_ci', True)
    """
    lo, hi = trend.growth_interval(credibility)
    return {
        "dist": "lognormal_ci",
        "low": _sig(lo),
        "high": _sig(hi),
        "credibility": float(credibility),
        "source": trend.source_note(),
        "note": (f"growth multiple per year of {trend.y_column}: fitted {trend.growth_x_per_year:.3g}x/yr, "
                 f"{credibility:.0%} interval of the slope; residual sd {trend.residual_sd_log10:.3g} dex"),
    }


def to_level_param_spec(trend: TrendFit, year: float, credibility: float = 0.9) -> dict:
    """Express a new model's y at ``year`` (the fit's prediction interval) as a ``lognormal_ci``."""
    lo, hi = trend.prediction_interval(year, credibility)
    return {
        "dist": "lognormal_ci",
        "low": _sig(float(lo)),
        "high": _sig(float(hi)),
        "credibility": float(credibility),
        "source": trend.source_note(),
        "note": (f"{trend.y_column} of one model published at {_fmt_year(year)}: {credibility:.0%} prediction "
                 f"interval of the trend ({trend.growth_x_per_year:.3g}x/yr, residual sd "
                 f"{trend.residual_sd_log10:.3g} dex)"),
    }


def fit_form(trend: TrendFit, data: str = BUNDLED) -> dict:
    """The ``fit:`` mapping that recomputes ``trend`` when a scenario is loaded."""
    sel = trend.selection
    out: dict = {"data": data, "y": sel.y_column}
    if sel.filters:
        out["filter"] = list(sel.filters)
    if sel.since is not None:
        out["since"] = int(sel.since) if float(sel.since).is_integer() else sel.since
    if sel.until is not None:
        out["until"] = int(sel.until) if float(sel.until).is_integer() else sel.until
    out["method"] = trend.method
    return out


def param_yaml(name: str, spec: dict, fit_spec: dict | None = None) -> str:
    """Render a parameter spec as a YAML snippet for a scenario's ``params:`` (and the ``fit:`` form).

    Written by ``costsim.yamlio.dump_yaml``, so costsim's loader reads every value back unchanged
    (floats as floats, strings that look like numbers or booleans quoted). The ``fit:`` form follows
    as a commented block: uncomment it to recompute the parameter whenever the scenario loads.
    """
    text = dump_yaml({"params": {name: dict(spec)}})
    if fit_spec is not None:
        alt = dump_yaml({name: {"fit": dict(fit_spec), "credibility": spec.get("credibility", 0.9)}})
        text += "# or recompute it from the data whenever the scenario is loaded (under params:):\n"
        text += "".join(f"#   {line}\n" for line in alt.splitlines())
    return text


def is_fit_param(spec: object) -> bool:
    """True if a scenario parameter is written in the ``{fit: {...}}`` form."""
    return isinstance(spec, dict) and "fit" in spec


def _check_fit_spec(fit_spec: object, base_dir, path: str, as_of) -> tuple[dict | None, list[Issue]]:
    """Validate a ``fit:`` mapping; return normalized arguments for :func:`select`/:func:`fit_trend`."""
    issues: list[Issue] = []
    if not isinstance(fit_spec, dict):
        return None, [Issue(f"{path}.fit", "must be a mapping", "{y: COLUMN, filter: [...], since: YEAR, ...}",
                            fit_spec)]
    for key in fit_spec:
        if key not in FIT_KEYS:
            issues.append(Issue(f"{path}.fit.{key}", "unknown key", f"one of {', '.join(FIT_KEYS)}", key,
                                hint=_did_you_mean(str(key), list(FIT_KEYS))))
    args: dict = {}
    data = fit_spec.get("data", BUNDLED)
    if not isinstance(data, str) or not data.strip():
        issues.append(Issue(f"{path}.fit.data", "must be 'bundled' or a CSV path", "a string", data))
        data = None
    elif data != BUNDLED:
        candidate = Path(data)
        if not candidate.is_absolute():
            candidate = Path(base_dir if base_dir is not None else ".") / candidate
        data = str(candidate)
    args["data"] = data
    y = fit_spec.get("y", COMPUTE_COLUMN)
    if not isinstance(y, str):
        issues.append(Issue(f"{path}.fit.y", "must be a column name", "a string like 'Training compute (FLOP)'", y))
        y = None
    args["y"] = y
    filters = fit_spec.get("filter", [])
    if isinstance(filters, str):
        filters = [filters]
    if not isinstance(filters, list):
        issues.append(Issue(f"{path}.fit.filter", "must be a filter or a list of filters",
                            "'COLUMN=VALUE' or ['COLUMN=VALUE', ...]", filters))
        filters = []
    for i, text in enumerate(filters):
        try:
            parse_filter(text, path=f"{path}.fit.filter[{i}]")
        except DataError as err:
            issues.append(_rehome(err.issue, f"{path}.fit.filter[{i}]"))
    args["filters"] = filters
    for key in ("since", "until", "at_year"):
        value = fit_spec.get(key)
        if value is None:
            args[key] = None
            continue
        try:
            args[key] = parse_year(value)
        except ValueError:
            issues.append(Issue(f"{path}.fit.{key}", "not a year", "a year (2018) or a quoted date ('2018-06-30')",
                                value))
            args[key] = None
    if as_of is not None:
        as_of = parse_year(as_of)
        args["until"] = as_of if args["until"] is None else min(args["until"], as_of)
    method = fit_spec.get("method", "ols")
    if method not in METHODS:
        issues.append(Issue(f"{path}.fit.method", "unknown fit method", f"one of {', '.join(METHODS)}", method,
                            hint=_did_you_mean(str(method), list(METHODS))))
    args["method"] = method
    quantity = fit_spec.get("quantity", "growth_x_per_year")
    if quantity not in QUANTITIES:
        issues.append(Issue(f"{path}.fit.quantity", "unknown quantity", f"one of {', '.join(QUANTITIES)}", quantity,
                            hint=_did_you_mean(str(quantity), list(QUANTITIES))))
    elif quantity == "level" and args.get("at_year") is None and "at_year" not in fit_spec:
        issues.append(Issue(f"{path}.fit.at_year", "quantity 'level' needs the year to predict",
                            "a year, e.g. at_year: 2025", None))
    args["quantity"] = quantity
    overlay = fit_spec.get("overlay")
    if overlay is not None and not isinstance(overlay, str):
        issues.append(Issue(f"{path}.fit.overlay", "must be an output name", "a string like 'training_flop'", overlay))
    for key, default in (("n_boot", 2000), ("seed", 0)):
        value = fit_spec.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < (10 if key == "n_boot" else 0):
            issues.append(Issue(f"{path}.fit.{key}", "must be an integer",
                                ">= 10" if key == "n_boot" else ">= 0", value))
        args[key] = value
    return (None if issues else args), issues


def _rehome(issue: Issue | None, path: str) -> Issue:
    if issue is None:
        return Issue(path, "invalid")
    return Issue(path, issue.problem, issue.expected, issue.got, hint=issue.hint)


def fit_from_spec(fit_spec: dict, base_dir=None, *, path: str = "", as_of=None,
                  credibility: float = 0.9) -> TrendFit:
    """Recompute the fit a ``fit:`` mapping describes (for reports and plots).

    Raises
    ------
    costsim.errors.ScenarioError
        Listing every problem, with paths like ``params.x.fit.y``.
    """
    from costsim.errors import ScenarioError

    args, issues = _check_fit_spec(fit_spec, base_dir, path, as_of)
    if issues:
        raise ScenarioError(path or "fit", issues)
    try:
        return _fit_args(args, credibility)
    except DataError as err:
        raise ScenarioError(path or "fit", [_issue_from_data_error(err, path)]) from None


def _fit_args(args: dict, credibility: float) -> TrendFit:
    dataset = load_dataset(args["data"])
    selection = select(dataset, args["y"], args["filters"], since=args["since"], until=args["until"])
    return fit_trend(selection, method=args["method"], level=credibility, n_boot=args["n_boot"], seed=args["seed"])


def _issue_from_data_error(err: DataError, path: str) -> Issue:
    issue = err.issue
    if issue is None:
        return Issue(f"{path}.fit", str(err))
    sub = issue.path
    full = f"{path}.fit.{sub}" if sub else f"{path}.fit"
    return Issue(full, issue.problem, issue.expected, issue.got, hint=issue.hint)


def resolve_fit_param(spec: dict, base_dir=None, *, path: str = "", as_of=None) -> tuple[dict | None, list[Issue]]:
    """Turn a scenario parameter written as ``{fit: {...}}`` into the equivalent ``lognormal_ci`` spec.

    The form::

        frontier_flop_x_per_year:
          fit:
            data: bundled            # or a CSV path relative to the scenario file
            y: Training compute (FLOP)
            filter: [Frontier model=True]
            since: 2010              # optional; until: 2020 (before 1 Jan 2020) likewise
            method: ols              # ols | robust | envelope | bootstrap
            quantity: growth_x_per_year   # or `level` with `at_year: 2025` (a new model's y then)
            overlay: training_flop   # optional: output the report draws over this data
          credibility: 0.9           # interval written as low/high (default 0.9)
          note: ...                  # optional; min/max pass through too

    Parameters
    ----------
    spec : dict
        The parameter's mapping, as loaded from YAML.
    base_dir : str or path-like, optional
        Directory of the scenario file; a relative ``data:`` path is resolved against it.
    path : str
        Prefix of issue paths, e.g. ``"params.frontier_flop_x_per_year"``; issues end in
        ``.fit.y``, ``.fit.filter[0]``, ``.credibility``...
    as_of : float or str, optional
        Run the scenario "as of" this date: only data published before it is fitted
        (``until = min(until, as_of)``).

    Returns
    -------
    (dict or None, list[Issue])
        The ``lognormal_ci`` spec (``dist, low, high, credibility, source, note`` plus ``min``/``max``
        if given) and no issues; or ``None`` and every issue found. Issues have no line numbers:
        the loader adds them from its line map.
    """
    if not is_fit_param(spec):
        return None, [Issue(path, "not a fit parameter", "a mapping with a 'fit' key", spec)]
    issues: list[Issue] = []
    for key in spec:
        if key not in PARAM_KEYS:
            issues.append(Issue(f"{path}.{key}", "unknown key for a fitted parameter", f"one of {', '.join(PARAM_KEYS)}",
                                key, hint=_did_you_mean(str(key), list(PARAM_KEYS))))
    credibility = spec.get("credibility", 0.9)
    if isinstance(credibility, bool) or not isinstance(credibility, (int, float)) or not 0 < credibility < 1:
        issues.append(Issue(f"{path}.credibility", "must be a probability", "0 < credibility < 1", credibility))
    for key in ("source", "note"):
        if key in spec and not isinstance(spec[key], str):
            issues.append(Issue(f"{path}.{key}", "must be a string", "text", spec[key]))
    args, fit_issues = _check_fit_spec(spec["fit"], base_dir, path, as_of)
    issues += fit_issues
    if issues:
        return None, issues
    try:
        trend = _fit_args(args, float(credibility))
    except DataError as err:
        return None, [_issue_from_data_error(err, path)]
    if args["quantity"] == "level":
        out = to_level_param_spec(trend, args["at_year"], float(credibility))
    else:
        out = to_param_spec(trend, float(credibility))
    if "source" in spec:
        out["source"] = f"{spec['source']}; {out['source']}"
    if "note" in spec:
        out["note"] = f"{spec['note']} ({out['note']})"
    for key in ("min", "max"):
        if key in spec:
            out[key] = spec[key]
    return out, []


@dataclass(frozen=True, eq=False)
class ScenarioFit:
    """A scenario parameter calibrated by a ``fit:``, recomputed for the report.

    Attributes
    ----------
    name : str
        The parameter's name.
    trend : TrendFit
    quantity : str
        ``growth_x_per_year`` or ``level``.
    overlay : str or None
        The output the report should draw over the data (``fit.overlay``), if any.
    """

    name: str
    trend: TrendFit
    quantity: str
    overlay: str | None


def scenario_fits(params: dict, base_dir=None, *, as_of=None) -> list[ScenarioFit]:
    """Recompute every ``fit:`` parameter of a scenario's raw ``params`` mapping, for a report.

    Parameters that are not fits, or whose fit is invalid (the loader has already reported
    those), are skipped.

    Parameters
    ----------
    params : dict
        The scenario's ``params:`` mapping as read from YAML (before validation).
    base_dir : path-like, optional
        Directory of the scenario file.
    as_of : float or str, optional
        The same cut-off the scenario was run with, if any.

    Returns
    -------
    list[ScenarioFit]
        In ``params`` order. Draw each with ``plots.calibration.plot_fit(f.trend)``, or, when
        ``f.overlay`` names an output of the run, with ``plot_projection_over_history(f.trend, years,
        {q: results quantile of f.overlay})``.
    """
    out = []
    for name, spec in (params or {}).items():
        if not is_fit_param(spec):
            continue
        credibility = spec.get("credibility", 0.9)
        args, issues = _check_fit_spec(spec["fit"], base_dir, f"params.{name}", as_of)
        if issues or isinstance(credibility, bool) or not isinstance(credibility, (int, float)):
            continue
        try:
            trend = _fit_args(args, float(credibility))
        except (DataError, ValueError):
            continue
        out.append(ScenarioFit(name, trend, args["quantity"], spec["fit"].get("overlay")))
    return out
