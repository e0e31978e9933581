"""Uncertain-parameter distributions: field validation and a vectorized inverse CDF.

Every distribution maps uniform draws ``u`` in (0, 1) to values through ``ppf(u)``, so one code
path serves Monte Carlo, Latin hypercube, Sobol and Saltelli designs.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from costsim.errors import Issue



class _LazySpecial:
    """scipy.special, imported on first use: validating a scenario needs no scipy (fast CLI start)."""

    def __getattr__(self, name):
        from scipy import special as _special

        return getattr(_special, name)


special = _LazySpecial()

_NUM = "a finite number (write 5e25 or 5.0e+25)"
# The extreme uniform draws the samplers make: 2**-54 and the largest float64 below 1. Every
# distribution must map both to finite numbers, which make_dist checks.
U_MIN = 2.0**-54
U_MAX = 1.0 - 2.0**-53
# Standard normal quantiles of U_MIN and U_MAX (scipy.special.ndtri; a test checks them), so the
# check of a distribution's extremes needs no scipy
Z_MIN = -8.292361075813597
Z_MAX = 8.209536151601387


def _is_number(x: object) -> bool:
    if not isinstance(x, (int, float)) or isinstance(x, bool):
        return False
    try:
        return math.isfinite(float(x))
    except OverflowError:  # an int beyond float64's range
        return False


def _z_of(credibility: float) -> float:
    return float(special.ndtri(0.5 + credibility / 2.0))


@dataclass(frozen=True)
class DistKind:
    """A family of distributions: its fields, support checks, inverse CDF and a description."""

    name: str
    required: tuple[str, ...]
    optional: dict[str, float] = field(default_factory=dict)
    check: Callable[[dict], list[tuple[str, str, str, object]]] = lambda f: []
    ppf: Callable[[dict, np.ndarray], np.ndarray] | None = None
    describe: Callable[[dict], str] = lambda f: ""


def _pos(fields, *names):
    return [(n, "must be positive", "> 0", fields[n]) for n in names if not fields[n] > 0]


def _order(fields, lo="low", hi="high"):
    if not fields[hi] > fields[lo]:
        return [(hi, f"must exceed {lo}", f"> {fields[lo]!r}", fields[hi])]
    return []


def _cred(fields):
    c = fields["credibility"]
    # 0.5 + c / 2 must differ from 0.5 and 1 in float64, or the interval's z is 0 or infinite
    if 0 < c < 1 and 0.5 < 0.5 + c / 2 < 1:
        return []
    return [("credibility", "must be a probability", "0 < credibility < 1", c)]


def _mode(fields):
    out = _order(fields)
    if not out and not fields["low"] <= fields["mode"] <= fields["high"]:
        out.append(("mode", "must lie between low and high", f"{fields['low']!r} <= mode <= {fields['high']!r}",
                    fields["mode"]))
    return out


def _triangular_ppf(f, u):
    low, mode, high = f["low"], f["mode"], f["high"]
    width = high - low
    c = (mode - low) / width
    left = low + np.sqrt(u * width * (mode - low))
    right = high - np.sqrt((1.0 - u) * width * (high - mode))
    return np.where(u < c, left, right)


def _pert_ab(f):
    low, mode, high, lamb = f["low"], f["mode"], f["high"], f["lamb"]
    width = high - low
    return 1.0 + lamb * (mode - low) / width, 1.0 + lamb * (high - mode) / width


def _lognormal_ci_musigma(f):
    z = _z_of(f["credibility"])
    mu = 0.5 * (math.log(f["low"]) + math.log(f["high"]))
    return mu, (math.log(f["high"]) - math.log(f["low"])) / (2.0 * z)


def _exp_normal(mu: float, sigma: float, u):
    """exp(mu + sigma * Phi^-1(u)), computed in one buffer (the hot path of lognormal sampling)."""
    x = special.ndtri(u)
    x *= sigma
    x += mu
    return np.exp(x, out=x) if isinstance(x, np.ndarray) else np.exp(x)


def _choice_ppf(f, u):
    values = np.asarray(f["values"], dtype=float)
    weights = np.asarray(f["weights"] if f.get("weights") is not None else np.ones(len(values)), dtype=float)
    order = np.argsort(values, kind="stable")  # a quantile function is monotone: copulas and LHS rely on it
    values, weights = values[order], weights[order]
    cum = np.cumsum(weights / weights.sum())
    idx = np.searchsorted(cum, u, side="right")
    return values[np.minimum(idx, len(values) - 1)]


def _choice_check(f):
    values, weights = f["values"], f.get("weights")
    if not isinstance(values, list) or not values or not all(_is_number(v) for v in values):
        return [("values", "must be a non-empty list of numbers", "[1, 2, 4]", values)]
    if weights is not None:
        if not isinstance(weights, list) or len(weights) != len(values):
            return [("weights", "must be a list as long as values", f"{len(values)} numbers", weights)]
        if not all(_is_number(w) and w >= 0 for w in weights) or not sum(weights) > 0:
            return [("weights", "must be non-negative numbers with a positive sum", ">= 0", weights)]
    return []


DISTRIBUTIONS: dict[str, DistKind] = {
    k.name: k
    for k in [
        DistKind("constant", ("value",), describe=lambda f: f"{f['value']:g}"),
        DistKind("uniform", ("low", "high"), check=_order,
                 ppf=lambda f, u: f["low"] + (f["high"] - f["low"]) * u,
                 describe=lambda f: f"uniform({f['low']:g}, {f['high']:g})"),
        DistKind("loguniform", ("low", "high"), check=lambda f: _pos(f, "low") or _order(f),
                 ppf=lambda f, u: np.exp(math.log(f["low"]) + u * (math.log(f["high"]) - math.log(f["low"]))),
                 describe=lambda f: f"loguniform({f['low']:g}, {f['high']:g})"),
        DistKind("normal", ("mean", "sd"), check=lambda f: _pos(f, "sd"),
                 ppf=lambda f, u: f["mean"] + f["sd"] * special.ndtri(u),
                 describe=lambda f: f"normal(mean {f['mean']:g}, sd {f['sd']:g})"),
        DistKind("lognormal", ("mu", "sigma"), check=lambda f: _pos(f, "sigma"),
                 ppf=lambda f, u: _exp_normal(f["mu"], f["sigma"], u),
                 describe=lambda f: f"lognormal(ln-mean {f['mu']:g}, ln-sd {f['sigma']:g})"),
        DistKind("lognormal_ci", ("low", "high"), {"credibility": 0.9},
                 check=lambda f: _pos(f, "low") or _order(f) or _cred(f),
                 ppf=lambda f, u: _exp_normal(*_lognormal_ci_musigma(f), u),
                 describe=lambda f: f"lognormal, {f['credibility']:.0%} in [{f['low']:g}, {f['high']:g}]"),
        DistKind("normal_ci", ("low", "high"), {"credibility": 0.9},
                 check=lambda f: _order(f) or _cred(f),
                 ppf=lambda f, u: 0.5 * (f["low"] + f["high"])
                 + (f["high"] - f["low"]) / (2.0 * _z_of(f["credibility"])) * special.ndtri(u),
                 describe=lambda f: f"normal, {f['credibility']:.0%} in [{f['low']:g}, {f['high']:g}]"),
        DistKind("triangular", ("low", "mode", "high"), check=_mode, ppf=_triangular_ppf,
                 describe=lambda f: f"triangular({f['low']:g}, {f['mode']:g}, {f['high']:g})"),
        DistKind("pert", ("low", "mode", "high"), {"lamb": 4.0},
                 check=lambda f: _mode(f) or _pos(f, "lamb"),
                 ppf=lambda f, u: f["low"] + (f["high"] - f["low"]) * special.betaincinv(*_pert_ab(f), u),
                 describe=lambda f: f"PERT({f['low']:g}, {f['mode']:g}, {f['high']:g})"),
        DistKind("beta", ("a", "b"), {"low": 0.0, "high": 1.0},
                 check=lambda f: _pos(f, "a", "b") or _order(f),
                 ppf=lambda f, u: f["low"] + (f["high"] - f["low"]) * special.betaincinv(f["a"], f["b"], u),
                 describe=lambda f: f"beta(a {f['a']:g}, b {f['b']:g}) on [{f['low']:g}, {f['high']:g}]"),
        DistKind("choice", ("values",), {"weights": None}, check=_choice_check, ppf=_choice_ppf,
                 describe=lambda f: f"choice of {f['values']}"),
    ]
}

NON_NUMERIC_FIELDS = {"values", "weights"}


@dataclass(frozen=True)
class Dist:
    """A validated distribution: its kind name and numeric fields."""

    kind: str
    fields: tuple[tuple[str, object], ...]

    @property
    def f(self) -> dict:
        return dict(self.fields)

    @property
    def is_constant(self) -> bool:
        return self.kind == "constant"

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Map uniform draws ``u`` in (0, 1) to values, elementwise, any shape."""
        if self.is_constant:
            return np.full(np.shape(u), float(self.f["value"]))
        return np.asarray(DISTRIBUTIONS[self.kind].ppf(self.f, u), dtype=float)

    def describe(self) -> str:
        return DISTRIBUTIONS[self.kind].describe(self.f)


def _extremes(dist: Dist) -> list[float]:
    """The lowest, median and highest values the samplers can draw (without importing scipy).

    Normal-based kinds use the normal quantiles of the extreme draws; beta and PERT lie in
    [low, high], computed as low + (high - low) * x; the others evaluate their own ppf.
    """
    f = dist.f
    with np.errstate(all="ignore"):  # overflow is what this looks for
        z = np.array([Z_MIN, 0.0, Z_MAX])
        if dist.kind in ("normal", "lognormal", "normal_ci", "lognormal_ci"):
            if dist.kind == "normal":
                x = f["mean"] + f["sd"] * z
            elif dist.kind == "lognormal":
                x = np.exp(f["mu"] + f["sigma"] * z)
            elif dist.kind == "normal_ci":
                x = 0.5 * (f["low"] + f["high"]) + (f["high"] - f["low"]) / (2.0 * _z_fast(f["credibility"])) * z
            else:
                mu = 0.5 * (math.log(f["low"]) + math.log(f["high"]))
                sigma = (math.log(f["high"]) - math.log(f["low"])) / (2.0 * _z_fast(f["credibility"]))
                x = np.exp(mu + sigma * z)
        elif dist.kind in ("beta", "pert"):
            width = np.float64(f["high"]) - np.float64(f["low"])
            x = np.array([f["low"], f["low"] + 0.5 * width, f["low"] + width])
        else:
            x = dist.ppf(np.array([U_MIN, 0.5, U_MAX]))
    return [float(v) for v in x]


def _z_fast(credibility: float) -> np.float64:
    """ndtri(0.5 + credibility / 2) by the standard library (scipy agrees to ~1e-15).

    A float64, so that dividing by it gives inf rather than raising when a tiny credibility
    (5e-324) makes it 0.
    """
    return np.float64(statistics.NormalDist().inv_cdf(0.5 + credibility / 2.0))


def make_dist(kind: object, fields: dict, path: str, lines: dict[str, int]) -> tuple[Dist | None, list[Issue]]:
    """Validate a distribution's name and fields; return the Dist or the Issues found."""
    import difflib

    issues: list[Issue] = []
    if not isinstance(kind, str) or kind not in DISTRIBUTIONS:
        names = sorted(DISTRIBUTIONS)
        close = difflib.get_close_matches(str(kind), names, n=1) if isinstance(kind, str) else []
        issues.append(Issue(f"{path}.dist", "unknown distribution", f"one of {', '.join(names)}", kind,
                            line=lines.get(f"{path}.dist"), hint=f"Did you mean {close[0]!r}?" if close else ""))
        return None, issues
    spec = DISTRIBUTIONS[kind]
    allowed = set(spec.required) | set(spec.optional)
    values: dict[str, object] = {}
    for name in spec.required:
        if name not in fields:
            issues.append(Issue(f"{path}.{name}", f"missing field of a {kind} distribution",
                                f"fields {', '.join(spec.required)}", None, line=lines.get(f"{path}.dist")))
    for name, value in fields.items():
        fpath = f"{path}.{name}"
        if name not in allowed:
            close = difflib.get_close_matches(str(name), sorted(allowed), n=1)
            issues.append(Issue(fpath, f"unknown field of a {kind} distribution",
                                f"one of {', '.join(sorted(allowed))}", name, line=lines.get(fpath),
                                hint=f"Did you mean {close[0]!r}?" if close else ""))
            continue
        if name not in NON_NUMERIC_FIELDS and not _is_number(value):
            issues.append(Issue(fpath, "must be a number", _NUM, value, line=lines.get(fpath)))
            continue
        values[name] = float(value) if name not in NON_NUMERIC_FIELDS else value
    if issues:
        return None, issues
    for name, default in spec.optional.items():
        values.setdefault(name, default)
    for fname, problem, expected, got in spec.check(values):
        issues.append(Issue(f"{path}.{fname}", problem, expected, got, line=lines.get(f"{path}.{fname}")))
    if issues:
        return None, issues
    ordered = tuple((k, values[k]) for k in (*spec.required, *spec.optional))
    dist = Dist(kind, ordered)
    if spec.ppf is not None:
        bad = [(q, x) for q, x in zip(("lowest", "median", "highest"), _extremes(dist), strict=True)
               if not math.isfinite(x)]
        if bad:
            where, value = bad[0]
            return None, [Issue(path, f"the {where} draw of this distribution is beyond float64's range",
                                "finite values at every draw (fields of smaller magnitude)", value,
                                line=lines.get(path, lines.get(f"{path}.dist")))]
    return dist, []
