"""Uncertain-parameter distributions: field validation and a vectorized inverse CDF.

Every distribution maps uniform draws ``u`` in (0, 1) to values through ``ppf(u)``, so one code
path serves Monte Carlo, Latin hypercube, Sobol and Saltelli designs.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from costsim.errors import Issue


class _LazySpecial:
    """scipy.special, imported on first use (beta and PERT only): a run of normal-based
    distributions needs no scipy (fast CLI start)."""

    def __getattr__(self, name):
        from scipy import special as _special

        return getattr(_special, name)


special = _LazySpecial()

# Standard normal quantile: a numpy port of Cephes' ndtri (S. L. Moshier, Cephes Math Library 2.1,
# 1989), the algorithm scipy.special.ndtri uses (scipy/xsf include/xsf/cephes/ndtri.h). Same
# rational approximations, same branch points and the same order of operations, evaluated on
# arrays in cache-sized blocks; so a run needs no scipy (importing scipy.special cost ~0.1 s of
# a 1e4-sample run). The central branch (0.135 < y < 0.865) is bit-identical to scipy's; the
# tails go through numpy's log, which differs from the C library's by an ulp now and then
# (measured: at most 4 ulp in the result; tests/test_distributions_ndtri.py bounds it).
_SQRT_2PI = 2.50662827463100050242e0
_EXP_M2 = 0.13533528323661269189  # exp(-2): below it (or above 1 - it) the tail forms apply
# |y - 0.5| <= 3/8: x / sqrt(2 pi) = w + w^3 P0(w^2) / Q0(w^2), w = y - 0.5
_P0 = (-5.99633501014107895267e1, 9.80010754185999661536e1, -5.66762857469070293439e1,
       1.39312609387279679503e1, -1.23916583867381258016e0)
_Q0 = (1.95448858338141759834e0, 4.67627912898881538453e0, 8.63602421390890590575e1,
       -2.25462687854119370527e2, 2.00260212380060660359e2, -8.20372256168333339912e1,
       1.59056225126211695515e1, -1.18331621121330003142e0)  # leading coefficient 1 omitted
# z = sqrt(-2 log y) in [2, 8): y in (exp(-32), exp(-2)]
_P1 = (4.05544892305962419923e0, 3.15251094599893866154e1, 5.71628192246421288162e1,
       4.40805073893200834700e1, 1.46849561928858024014e1, 2.18663306850790267539e0,
       -1.40256079171354495875e-1, -3.50424626827848203418e-2, -8.57456785154685413611e-4)
_Q1 = (1.57799883256466749731e1, 4.53907635128879210584e1, 4.13172038254672030440e1,
       1.50425385692907503408e1, 2.50464946208309415979e0, -1.42182922854787788574e-1,
       -3.80806407691578277194e-2, -9.33259480895457427372e-4)
# z in [8, 64): y down to exp(-2048), below every float64
_P2 = (3.23774891776946035970e0, 6.91522889068984211695e0, 3.93881025292474443415e0,
       1.33303460815807542389e0, 2.01485389549179081538e-1, 1.23716634817820021358e-2,
       3.01581553508235416007e-4, 2.65806974686737550832e-6, 6.23974539184983293730e-9)
_Q2 = (6.02427039364742014255e0, 3.67983563856160859403e0, 1.37702099489081330271e0,
       2.16236993594496635890e-1, 1.34204006088543189037e-2, 3.28014464682127739104e-4,
       2.89247864745380683936e-6, 6.79019408009981274425e-9)


def _horner(x: np.ndarray, coef: tuple[float, ...], monic: bool, out: np.ndarray) -> np.ndarray:
    """Cephes' polevl (monic=False) and p1evl (monic=True: a leading coefficient 1 left out of
    ``coef``), in their order: ans = ans * x + c, into ``out``."""
    if monic:
        np.add(x, coef[0], out=out)
    else:
        out.fill(coef[0])
    for c in coef[1:]:
        out *= x
        out += c
    return out


def _tail(t: np.ndarray, negate: np.ndarray) -> np.ndarray:
    """x0 - z P(z) / Q(z) with x = sqrt(-2 log t), x0 = x - log(x) / x, z = 1 / x (t <= exp(-2))."""
    x = np.log(t)
    x *= -2.0
    np.sqrt(x, out=x)
    x0 = np.log(x)
    x0 /= x
    np.subtract(x, x0, out=x0)
    z = np.divide(1.0, x)
    num = _horner(z, _P1, False, np.empty_like(z))
    num *= z
    num /= _horner(z, _Q1, True, np.empty_like(z))
    far = np.flatnonzero(x >= 8.0)  # t < exp(-32) ~ 1.3e-14: rare
    if far.size:
        zf = z[far]
        nf = _horner(zf, _P2, False, np.empty_like(zf))
        nf *= zf
        nf /= _horner(zf, _Q2, True, np.empty_like(zf))
        num[far] = nf
    x0 -= num
    return np.where(negate, np.negative(x0), x0)  # a masked negative costs ~10x this select


_BLOCK = 1 << 15  # values per pass: the temporaries stay in cache (~2x faster than whole arrays)


def ndtri(y):
    """The standard normal quantile Phi^-1(y), elementwise, of any shape (scipy.special.ndtri's
    algorithm and results; see the comment above).

    0 -> -inf, 1 -> inf, nan or outside [0, 1] -> nan; a 0-d input gives a float64 scalar.
    """
    y0 = np.asarray(y, dtype=np.float64)
    flat = y0.reshape(-1)
    n = flat.size
    out = np.empty(n)
    size = max(1, min(_BLOCK, n))
    t_buf, w2_buf, p_buf, q_buf = (np.empty(size) for _ in range(4))
    upper_buf, central_buf = np.empty(size, bool), np.empty(size, bool)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        for start in range(0, n, size):
            y_b = flat[start:start + size]
            o = out[start:start + size]
            m = y_b.size
            # y > 1 - exp(-2): the upper tail, computed from t = 1 - y and negated back
            upper = np.greater(y_b, 1.0 - _EXP_M2, out=upper_buf[:m])
            t = np.where(upper, np.subtract(1.0, y_b, out=t_buf[:m]), y_b)  # (a select: cheaper than a masked copy)
            central = np.greater(t, _EXP_M2, out=central_buf[:m])
            # the central form x = sqrt(2 pi) (w + w (w^2 P0(w^2) / Q0(w^2))), w = t - 0.5, on the
            # whole block (cheaper than gathering); the tail values are overwritten below
            w = np.subtract(t, 0.5, out=o)
            w2 = np.multiply(w, w, out=w2_buf[:m])
            r = _horner(w2, _P0, False, p_buf[:m])
            r *= w2
            r /= _horner(w2, _Q0, True, q_buf[:m])
            r *= w
            r += w
            np.multiply(r, _SQRT_2PI, out=o)
            if not central.all():
                idx = np.flatnonzero(~central)
                np.put(o, idx, _tail(np.take(t, idx), ~np.take(upper, idx)))
        # the domain, as scipy: the formulas above reach these only by accident (draws in (0, 1),
        # the usual case, need none of it: two reductions tell, NaN failing both comparisons)
        if n and not (flat.min() > 0.0 and flat.max() < 1.0):
            out[flat == 0.0] = -np.inf
            out[flat == 1.0] = np.inf
            out[(flat < 0.0) | (flat > 1.0)] = np.nan
    return out.reshape(y0.shape) if y0.ndim else out[0]


_NUM = "a finite number (write 5e25 or 5.0e+25)"
# The extreme uniform draws the samplers make: 2**-54 and the largest float64 below 1. Every
# distribution must map both to finite numbers, which make_dist checks.
U_MIN = 2.0**-54
U_MAX = 1.0 - 2.0**-53
# Standard normal quantiles of U_MIN and U_MAX (ndtri above = scipy.special.ndtri; a test checks them)
Z_MIN = -8.292361075813597
Z_MAX = 8.209536151601387


def _is_number(x: object) -> bool:
    if not isinstance(x, (int, float)) or isinstance(x, bool):
        return False
    try:
        return math.isfinite(float(x))
    except OverflowError:  # an int beyond float64's range
        return False


@functools.lru_cache(maxsize=1024)
def _z_of(credibility: float) -> float:
    """The z of a credible interval (a pure function: computed once per credibility, not per chunk)."""
    return float(ndtri(0.5 + credibility / 2.0))


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


def _exp_of_z(mu: float, sigma: float, x):
    """exp(mu + sigma * z), in the buffer of ``z`` (which it overwrites) when it is an array."""
    if not isinstance(x, np.ndarray):
        x = np.float64(x)
        return np.exp(x * sigma + mu)
    x *= sigma
    x += mu
    return np.exp(x, out=x)


# The normal-based kinds, as functions of z = Phi^-1(u): ppf(f, u) = OF_NORMAL[kind](f, ndtri(u)), so
# the quantiles of many parameters may be computed in one ndtri call (sampling.RowDraws) with the
# same numbers. Each may overwrite z.
OF_NORMAL: dict[str, Callable] = {
    "normal": lambda f, z: f["mean"] + f["sd"] * z,
    "lognormal": lambda f, z: _exp_of_z(f["mu"], f["sigma"], z),
    "lognormal_ci": lambda f, z: _exp_of_z(*_lognormal_ci_musigma(f), z),
    "normal_ci": lambda f, z: 0.5 * (f["low"] + f["high"])
    + (f["high"] - f["low"]) / (2.0 * _z_of(f["credibility"])) * z,
}


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
                 ppf=lambda f, u: OF_NORMAL["normal"](f, ndtri(u)),
                 describe=lambda f: f"normal(mean {f['mean']:g}, sd {f['sd']:g})"),
        DistKind("lognormal", ("mu", "sigma"), check=lambda f: _pos(f, "sigma"),
                 ppf=lambda f, u: OF_NORMAL["lognormal"](f, ndtri(u)),
                 describe=lambda f: f"lognormal(ln-mean {f['mu']:g}, ln-sd {f['sigma']:g})"),
        DistKind("lognormal_ci", ("low", "high"), {"credibility": 0.9},
                 check=lambda f: _pos(f, "low") or _order(f) or _cred(f),
                 ppf=lambda f, u: OF_NORMAL["lognormal_ci"](f, ndtri(u)),
                 describe=lambda f: f"lognormal, {f['credibility']:.0%} in [{f['low']:g}, {f['high']:g}]"),
        DistKind("normal_ci", ("low", "high"), {"credibility": 0.9},
                 check=lambda f: _order(f) or _cred(f),
                 ppf=lambda f, u: OF_NORMAL["normal_ci"](f, ndtri(u)),
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
    """The lowest, median and highest values the samplers can draw.

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
    """ndtri(0.5 + credibility / 2), the z of a credible interval (the sampler's own ndtri).

    A float64, so that dividing by it gives inf rather than raising when a tiny credibility
    (5e-324) makes it 0. Remembered per credibility by :func:`_z_of` (a handful per scenario,
    asked for by every validation of every parameter: the ledger's swing runs validate a scenario
    ~140 times).
    """
    return np.float64(_z_of(float(credibility)))


_DIST_MEMO: dict[tuple, tuple[object, Dist]] = {}
_DIST_MEMO_MAX = 4096  # distinct valid distributions remembered (then forgotten all at once)


def _dist_key(kind: object, fields: dict) -> tuple | None:
    """What a valid Dist of ``kind`` with ``fields`` is made of: the kind, and each field's name, type
    and exact value (``repr``: -0.0 is not 0.0, 1 is not 1.0), in the order given. None (not
    remembered) for anything but plain ``str`` names and ``int``/``float`` values."""
    if type(kind) is not str:
        return None
    items = []
    for name, value in fields.items():
        if type(name) is not str or type(value) not in (int, float):
            return None
        items.append((name, type(value), repr(value)))
    return (kind, tuple(items))


def make_dist(kind: object, fields: dict, path: str, lines: dict[str, int], *, memo: bool = True
              ) -> tuple[Dist | None, list[Issue]]:
    """Validate a distribution's name and fields; return the Dist or the Issues found.

    A valid Dist is remembered (``memo``) by its kind, its fields' names, types and exact values
    and the kind's definition in :data:`DISTRIBUTIONS` (a kind defined again is checked again), and
    given again for the same fields: the ledger's swing runs validate a scenario of ~75 parameters
    some 300 times, one parameter changed each time. Dists are immutable; ``path`` and ``lines``
    only place Issues, and a distribution with Issues is never remembered.
    """
    key = _dist_key(kind, fields) if memo else None
    spec = DISTRIBUTIONS.get(kind) if key is not None else None
    if key is not None:
        hit = _DIST_MEMO.get(key)
        if hit is not None and hit[0] is spec:
            return hit[1], []
    dist, issues = _make_dist(kind, fields, path, lines)
    if key is not None and spec is not None and dist is not None and not issues:
        if len(_DIST_MEMO) >= _DIST_MEMO_MAX:
            _DIST_MEMO.clear()
        _DIST_MEMO[key] = (spec, dist)
    return dist, issues


def _make_dist(kind: object, fields: dict, path: str, lines: dict[str, int]) -> tuple[Dist | None, list[Issue]]:
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
