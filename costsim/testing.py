"""Hypothesis strategies for property-testing scenarios, and the clean-outcome assertion.

costsim promises that a scenario file, however broken or hostile, ends in one of three clean
outcomes and never in a traceback:

- a :class:`~costsim.results.Results`;
- a :class:`~costsim.errors.ScenarioError` whose every Issue is located (a path or a line) and
  renders as ``file:line: path: problem`` (``file: path: problem`` when no line applies);
- a :class:`~costsim.errors.ModelError`: valid but extreme numbers (a growth of 1e300 per year,
  say) can make a model's outputs overflow or turn into NaN. That is reported after the run with
  counts and the first bad sample's inputs, which is a clean outcome too: whether 1e300 is absurd
  depends on the model, so it cannot be refused at validation. Parameters themselves are checked
  at validation (a distribution whose tails reach inf is refused there).

Use the strategies to test your own scenarios and models::

    from pathlib import Path
    from hypothesis import given, settings, strategies as st
    from costsim.testing import assert_clean_outcome, mutated_scenarios, valid_scenarios

    @settings(max_examples=500, deadline=None)
    @given(mutated_scenarios(base=valid_scenarios(models=("my_model",))))
    def test_my_model_never_crashes(text):
        assert_clean_outcome(text)

    @given(mutated_scenarios(base=st.just(Path("my.yaml").read_text())))
    def test_my_file_survives_edits(text):
        assert_clean_outcome(text, base_dir="scenarios")

This module is part of the ``test`` extra: it needs ``hypothesis`` (``pip install costsim[test]``).
"""

from __future__ import annotations

import copy
import functools
import math
import pickle
import warnings
from dataclasses import dataclass
from pathlib import Path

try:
    from hypothesis import strategies as st
except ImportError as _exc:  # pragma: no cover - exercised by a subprocess test
    raise ImportError(
        "costsim.testing needs the 'hypothesis' package, which is part of costsim's test extra; "
        "install it with: pip install 'costsim[test]'  (or: pip install hypothesis)"
    ) from _exc

import numpy as np
import yaml

from costsim.distributions import DISTRIBUTIONS
from costsim.errors import CostsimWarning, ModelError, ScenarioError
from costsim.registry import load_builtin_models
from costsim.results import Results
from costsim.scenario import TOP_KEYS
from costsim.scenario.sections import PlotSpec
from costsim.yamlio import Dumper

__all__ = [
    "FIELD_STRATEGIES", "POSITIVE_KINDS", "REFERENCE_MODELS", "Case", "assert_clean_outcome", "check_scenario_error",
    "check_validate_agrees_with_run", "distributions", "mutated_scenarios", "scenario_dicts", "valid_mutations",
    "valid_scenarios",
]

REFERENCE_MODELS = ("budget_physical_flop", "decline_algorithmic_efficiency", "effective_flop_product")

# ----------------------------------------------------------------------------- numbers
_finite = dict(allow_nan=False, allow_infinity=False)


def _moderate(lo: float = 0.1, hi: float = 10.0):
    """Positive floats spread evenly in log space between lo and hi (rounded to 6 digits)."""
    return st.floats(math.log(lo), math.log(hi), **_finite).map(lambda x: float(f"{math.exp(x):.6g}"))


def _pair(lo: float = 0.1, hi: float = 10.0):
    """(low, high) with 0 < low < high, well apart."""
    return st.tuples(_moderate(lo, hi), st.floats(1.05, 8.0, **_finite)).map(
        lambda t: (t[0], float(f"{t[0] * t[1]:.6g}")))


def _triple():
    """(low, mode, high) with low <= mode <= high and low < high."""
    return st.tuples(_pair(), st.floats(0.0, 1.0, **_finite)).map(
        lambda t: (t[0][0], float(t[0][0] + t[1] * (t[0][1] - t[0][0])), t[0][1])).map(
        lambda t: (t[0], min(max(t[1], t[0]), t[2]), t[2]))


def _fields_uniform():
    return _pair().map(lambda p: {"low": p[0], "high": p[1]})


def _fields_normal():
    return st.tuples(_moderate(1.0, 10.0), _moderate(0.01, 0.3)).map(
        lambda t: {"mean": t[0], "sd": float(f"{t[0] * t[1]:.6g}")})


def _fields_lognormal():
    return st.tuples(st.floats(-2.0, 2.0, **_finite), st.floats(0.01, 1.0, **_finite)).map(
        lambda t: {"mu": round(t[0], 4), "sigma": round(t[1], 4)})


def _fields_ci():
    return st.tuples(_pair(), st.one_of(st.none(), st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99]))).map(
        lambda t: {"low": t[0][0], "high": t[0][1], **({} if t[1] is None else {"credibility": t[1]})})


def _fields_triangular():
    return _triple().map(lambda t: {"low": t[0], "mode": t[1], "high": t[2]})


def _fields_pert():
    return st.tuples(_triple(), st.one_of(st.none(), st.floats(0.5, 10.0, **_finite))).map(
        lambda t: {"low": t[0][0], "mode": t[0][1], "high": t[0][2],
                   **({} if t[1] is None else {"lamb": round(t[1], 3)})})


def _fields_beta():
    return st.tuples(st.floats(0.5, 5.0, **_finite), st.floats(0.5, 5.0, **_finite),
                     st.one_of(st.none(), _pair())).map(
        lambda t: {"a": round(t[0], 3), "b": round(t[1], 3),
                   **({} if t[2] is None else {"low": t[2][0], "high": t[2][1]})})


def _fields_choice():
    return st.lists(_moderate(), min_size=1, max_size=5).flatmap(
        lambda vals: st.one_of(st.none(), st.lists(st.integers(1, 5), min_size=len(vals), max_size=len(vals))).map(
            lambda w: {"values": vals, **({} if w is None else {"weights": w})}))


def _fields_constant():
    return _moderate().map(lambda v: {"value": v})


#: Valid fields of every distribution kind, over positive values (so models that take logs
#: work). A distribution added to DISTRIBUTIONS needs an entry here; tests check that.
FIELD_STRATEGIES = {
    "constant": _fields_constant,
    "uniform": _fields_uniform,
    "loguniform": _fields_uniform,
    "normal": _fields_normal,
    "lognormal": _fields_lognormal,
    "lognormal_ci": _fields_ci,
    "normal_ci": _fields_ci,
    "triangular": _fields_triangular,
    "pert": _fields_pert,
    "beta": _fields_beta,
    "choice": _fields_choice,
}


@functools.lru_cache(maxsize=None)
def distributions(kinds: tuple[str, ...] | None = None):
    """A parameter mapping ``{dist: kind, field: value, ...}`` of a random known distribution."""
    names = sorted(k for k in (kinds or DISTRIBUTIONS) if k in FIELD_STRATEGIES)
    return st.one_of(*(FIELD_STRATEGIES[k]().map(functools.partial(_with_dist, k)) for k in names))


def _with_dist(kind: str, fields: dict) -> dict:
    return {"dist": kind, **fields}


def _is_calendar_year(name: str) -> bool:
    return name == "year" or name.endswith("_year") and not name.endswith("_per_year")


#: Kinds whose draws are always positive with the fields FIELD_STRATEGIES makes.
POSITIVE_KINDS = tuple(sorted(set(FIELD_STRATEGIES) - {"normal", "normal_ci"}))


@functools.lru_cache(maxsize=None)
def _param_spec(category: str, kinds: tuple[str, ...] | None = None):
    """A valid parameter value for a model input of a category (see :func:`_category`)."""
    if category == "frac":
        return st.one_of(st.floats(0.05, 0.95, **_finite).map(lambda x: round(x, 4)),
                         st.tuples(st.floats(0.05, 0.5, **_finite), st.floats(0.5, 0.95, **_finite)).map(
                             lambda t: {"dist": "uniform", "low": round(t[0], 4), "high": round(t[1], 4) + 0.001}))
    if category == "count":
        return st.integers(1, 1000)
    if category == "flag":
        return st.sampled_from([0, 1])
    return st.one_of(_moderate().map(float), distributions(kinds),
                     distributions(kinds).map(lambda d: {**d, "source": "fuzz", "note": "generated"}))


#: Kinds that can draw zero or less with the fields FIELD_STRATEGIES makes (beta: on [0, 1] by default).
_REACH_ZERO = {"normal", "normal_ci", "beta"}
_REACH_NEGATIVE = {"normal", "normal_ci"}


def _kinds_within(kinds: tuple[str, ...] | None, domains) -> tuple[str, ...] | None:
    """``kinds`` less those whose draws may leave a model input's declared domain (valid means valid)."""
    if not domains:
        return kinds
    drop = set()
    for d in domains:
        if d.low > 0 or (d.low == 0 and d.low_open):
            drop |= _REACH_ZERO
        elif d.low == 0:
            drop |= _REACH_NEGATIVE
    keep = tuple(sorted(k for k in (kinds or DISTRIBUTIONS) if k in FIELD_STRATEGIES and k not in drop))
    return keep or ("constant",)


def _category(name: str) -> str:
    if name.endswith(("_frac", "_prob")):
        return "frac"
    if name.endswith("_count"):
        return "count"
    if name.endswith("_flag"):
        return "flag"
    return "positive"


# ----------------------------------------------------------------------------- formulas
_UNARY = ("exp", "log", "sqrt", "abs", "log10", "tanh")
_BINARY = ("minimum", "maximum")


@functools.lru_cache(maxsize=256)
def _expression(names: tuple[str, ...], depth: int = 2):
    """Random formula text over ``names``: arithmetic, functions, where() and cumsum().

    Every sub-expression contains a name, so no part is a constant (a constant part that is
    not finite, such as ``log(0)``, is a validation error by design).
    """
    leaf = st.sampled_from(names)
    if depth <= 0:
        return leaf
    sub = _expression(names, depth - 1)
    number = st.floats(0.1, 10.0, **_finite).map(lambda x: f"{x:.3g}")
    return st.one_of(
        leaf,
        st.tuples(sub, st.sampled_from(["+", "-", "*", "/"]), st.one_of(sub, number)).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(_UNARY), sub).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(_BINARY), sub, sub).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        st.tuples(sub, sub).map(lambda t: f"where({t[0]} > 1, {t[0]}, {t[1]})"),
        sub.map(lambda s: f"cumsum({s})"),
    )


# ----------------------------------------------------------------------------- scenarios
@st.composite
def scenario_dicts(draw, models: tuple[str, ...] | None = None, formulas: bool = True,
                   max_years: int = 4, samples: int = 8, kinds: tuple[str, ...] | None = None):
    """A valid scenario as plain data (a dict ready for ``yaml.safe_dump``).

    ``models`` are registered model names to choose from (default: the three R1 models);
    a non-empty subset is used, with every input that no chosen model produces given as a
    parameter: calendar years as constants, ``_frac`` in (0, 1), anything else a constant or a
    random distribution of ``kinds`` (default: all; :data:`POSITIVE_KINDS` keeps every draw
    positive). ``formulas`` adds 0-2 random formulas over the names.
    """
    registry = load_builtin_models()
    pool = tuple(models or REFERENCE_MODELS)
    unknown = [m for m in pool if m not in registry]
    if unknown:
        raise ValueError(f"unknown models {unknown}; expected names listed by `costsim models`")
    chosen = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=len(pool), unique=True))
    specs = [registry[m] for m in chosen]
    produced = {o for s in specs for o in s.outputs}
    inputs = list(dict.fromkeys(i for s in specs for i in s.inputs if i not in produced and i != "year"))

    start = draw(st.integers(2000, 2040))
    stop = start + draw(st.integers(0, max_years - 1))
    years = {"start": start, "stop": stop}
    if draw(st.booleans()):
        years["step"] = 1
    data: dict = {}
    if draw(st.booleans()):
        data["schema_version"] = 1
    data["name"] = draw(st.from_regex(r"\A[A-Za-z0-9_][A-Za-z0-9_.-]{0,15}\Z"))
    if draw(st.booleans()):
        data["description"] = draw(st.text(max_size=40))
    data["years"] = years
    data["samples"] = samples
    data["seed"] = draw(st.integers(0, 2**63 - 1))
    data["sampling"] = draw(st.sampled_from(["mc", "lhs", "sobol"]))
    params = {}
    for name in inputs:
        params[name] = start if _is_calendar_year(name) else draw(
            _param_spec(_category(name), _kinds_within(kinds, [s.domains[name] for s in specs if name in s.domains])))
    data["params"] = params
    uncertain = [n for n, v in params.items() if isinstance(v, dict) and v.get("dist") != "constant"]
    if len(uncertain) >= 2 and draw(st.booleans()):
        a, b = draw(st.lists(st.sampled_from(uncertain), min_size=2, max_size=2, unique=True))
        data["correlations"] = [[a, b, round(draw(st.floats(-0.9, 0.9, **_finite)), 3)]]
    model_list = []
    for m in chosen:
        spec = registry[m]
        bind = {i: start for i in spec.inputs if i == "base_year"}
        item: dict = {"use": m}
        if bind:
            item["bind"] = bind
            params.pop("base_year", None)
        model_list.append(item if (bind or draw(st.booleans())) else m)
    data["models"] = model_list
    outs = sorted(produced)
    if formulas and draw(st.booleans()):
        names = [n for n in (*params, *outs) if n != "base_year"]
        data["formulas"] = {}
        for i in range(draw(st.integers(1, 2))):
            fname = f"f{i}_x"
            data["formulas"][fname] = draw(_expression(tuple(names)))
            names.append(fname)
        outs += list(data["formulas"])
    if draw(st.booleans()):
        data["outputs"] = draw(st.lists(st.sampled_from(outs), min_size=1, max_size=len(outs), unique=True))
    if draw(st.booleans()):
        out = draw(st.sampled_from(outs))
        check = {"claim": draw(st.text(min_size=1, max_size=20).filter(str.strip)), "output": out,
                 "year": draw(st.integers(start, stop))}
        if draw(st.booleans()):
            check["probability_of"] = {"above": 1.0}
            check["between"] = [0.0, 1.0]
        else:
            check["stat"] = draw(st.sampled_from(["mean", "median", "sd", "p5", "p95", "q0.25"]))
            check["above"] = 0.0
        data["checks"] = [check]
    if draw(st.booleans()):
        data["summary_years"] = sorted({start, stop})
    return data


# costsim's own dumper: it quotes strings costsim's loader would read as numbers ("0E0", "1e5")
_DUMPER = Dumper


def _dump(data: object, flow: bool) -> str:
    return yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True,
                     default_flow_style=None if flow else False, width=10_000)


@st.composite
def valid_scenarios(draw, models: tuple[str, ...] | None = None, formulas: bool = True,
                    max_years: int = 4, samples: int = 8, kinds: tuple[str, ...] | None = None):
    """YAML text of a small valid scenario (see :func:`scenario_dicts`), in block or flow style."""
    data = draw(scenario_dicts(models=models, formulas=formulas, max_years=max_years, samples=samples,
                               kinds=kinds))
    text = _dump(data, draw(st.booleans()))
    if draw(st.booleans()):  # the forms people type: 1e25 rather than PyYAML's 1.0e+25
        text = text.replace(".0e+", "e")
    return text


# ----------------------------------------------------------------------------- mutations
EXTREME_NUMBERS = (1e308, -1e308, 1.7976931348623157e308, 5e-324, -5e-324, 0, -0.0, 1e-300, -1,
                   10**400, -(10**400), 2**63, 2**64, float("nan"), float("inf"), float("-inf"),
                   "nan", ".nan", "NaN", "inf", "-.inf", "1e999", "0x10", "1_000", "yes", "on")
_EXTENDS_TARGETS = ("base.yaml", "cycle_a.yaml", "missing.yaml", "", ".", "..", "/dev/zero",
                    "/dev/null", "/", "nul\0byte.yaml", "deep/../base.yaml")
_TAGS = ("!!python/object/apply:os.system ['true']", "!!python/name:os.system", "!!binary aGk=",
         "!!set {a, b}", "!!timestamp 2025-01-01", "!local 3", "!!float 1", "!!str 3", "!!int '7'",
         "!<tag:yaml.org,2002:python/object:object> {}", "!!omap [a: 1]", "2025-01-01")


def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    """Every location in nested data: a tuple of keys / indices (the root is ``()``)."""
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _get(node: object, path: tuple) -> object:
    for key in path:
        node = node[key]
    return node


def _set(root: object, path: tuple, value: object) -> object:
    if not path:
        return value
    _get(root, path[:-1])[path[-1]] = value
    return root


@functools.lru_cache(maxsize=None)
def _json_like():
    """Random plain data of any type, including unicode text and odd keys."""
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
                        st.sampled_from(EXTREME_NUMBERS))
    keys = st.one_of(st.text(max_size=8), st.integers(-5, 5), st.sampled_from([*TOP_KEYS, "dist", "low", "high"]))
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(keys, inner, max_size=3)),
                        max_leaves=8)


@st.composite
def _mutate_data(draw, data: object) -> object:
    """One structural mutation of parsed scenario data (returns the new root)."""
    import copy

    data = copy.deepcopy(data)
    paths = _paths(data)
    kind = draw(st.sampled_from(["wrong_type", "missing_key", "extreme", "unicode", "deep", "add_key",
                                 "swap", "dist_name", "extends"]))
    if kind == "missing_key":
        keyed = [p for p in paths if p and isinstance(_get(data, p[:-1]), dict)]
        if keyed:
            p = draw(st.sampled_from(keyed))
            del _get(data, p[:-1])[p[-1]]
        return data
    if kind == "extreme":
        numeric = [p for p in paths if isinstance(_get(data, p), (int, float)) and not isinstance(_get(data, p), bool)]
        p = draw(st.sampled_from(numeric or paths))
        return _set(data, p, draw(st.sampled_from(EXTREME_NUMBERS)))
    if kind == "unicode":
        p = draw(st.sampled_from(paths))
        target = _get(data, p)
        text = draw(st.text(min_size=0, max_size=20))
        if isinstance(target, dict) and draw(st.booleans()):
            target[text] = draw(_json_like())
            return data
        return _set(data, p, text)
    if kind == "deep":
        p = draw(st.sampled_from(paths))
        value = _get(data, p)
        for _ in range(draw(st.integers(1, 100))):
            value = [value] if draw(st.booleans()) else {"k": value}
        return _set(data, p, value)
    if kind == "add_key":
        maps = [p for p in paths if isinstance(_get(data, p), dict)]
        if maps:
            target = _get(data, draw(st.sampled_from(maps)))
            key = draw(st.one_of(st.sampled_from([*TOP_KEYS, "dist", "low", "high", "value", "claim", "fit",
                                                  "min", "max", "bind", "rename", "use", "id", "step"]),
                                 st.text(max_size=10)))
            target[key] = draw(_json_like())
        return data
    if kind == "swap":  # a value moved to another place (right type, wrong meaning)
        a, b = draw(st.sampled_from(paths)), draw(st.sampled_from(paths))
        va = _get(data, a)
        if b[: len(a)] == a:  # b inside a: would build a cycle
            return data
        return _set(data, b, copy.deepcopy(va))
    if kind == "dist_name":
        dists = [p for p in paths if p and p[-1] == "dist"]
        if dists:
            name = draw(st.one_of(st.sampled_from(sorted(DISTRIBUTIONS)), st.text(max_size=12)))
            return _set(data, draw(st.sampled_from(dists)), name)
        return data
    if kind == "extends":
        if isinstance(data, dict):
            data["extends"] = draw(st.one_of(st.sampled_from(_EXTENDS_TARGETS), st.text(max_size=12), _json_like()))
        return data
    p = draw(st.sampled_from(paths))  # wrong_type
    return _set(data, p, draw(_json_like()))


@st.composite
def _mutate_text(draw, text: str) -> str:
    """One mutation of the YAML text itself: what a careless edit or a hostile file looks like."""
    lines = text.splitlines(keepends=True) or ["\n"]
    kind = draw(st.sampled_from(["duplicate_line", "tag", "alias", "laughs", "truncate", "insert_chars",
                                 "delete_line", "indent", "comment", "anchor_cycle", "alias_depth"]))
    i = draw(st.integers(0, len(lines) - 1))
    if kind == "duplicate_line":
        return "".join(lines[: i + 1] + [lines[i]] + lines[i + 1:])
    if kind == "delete_line":
        return "".join(lines[:i] + lines[i + 1:])
    if kind == "indent":
        return "".join(lines[:i] + [" " * draw(st.integers(1, 5)) + lines[i]] + lines[i + 1:])
    if kind == "tag":
        line = lines[i]
        if ": " in line:
            key = line.split(": ", 1)[0]
            line = f"{key}: {draw(st.sampled_from(_TAGS))}\n"
        else:
            line = f"{draw(st.sampled_from(_TAGS))}\n" if i == 0 and len(lines) == 1 else line
        return "".join(lines[:i] + [line] + lines[i + 1:])
    if kind == "alias":  # anchor one value, reuse it somewhere else
        j = draw(st.integers(0, len(lines) - 1))
        a, b = lines[i], lines[j]
        if ": " not in a or ": " not in b or i == j:
            return text
        ka, va = a.rstrip("\n").split(": ", 1)
        kb, _ = b.rstrip("\n").split(": ", 1)
        out = list(lines)
        out[i] = f"{ka}: &x {va}\n"
        out[j] = f"{kb}: *x\n"
        return "".join(out)
    if kind == "laughs":
        depth = draw(st.integers(2, 12))
        bomb = ["lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"]
        for d in range(1, depth):
            bomb.append(f"lol{d}: &l{d} [" + ", ".join([f"*l{d - 1}"] * 9) + "]\n")
        return "".join(bomb) + text
    if kind == "alias_depth":  # nesting that only aliases make deep
        width, count = draw(st.integers(1, 40)), draw(st.integers(2, 30))
        deep = [f"d0: &d0 {'[' * width}1{']' * width}\n"]
        deep += [f"d{k}: &d{k} {'[' * width}*d{k - 1}{']' * width}\n" for k in range(1, count)]
        return "".join(deep) + text
    if kind == "anchor_cycle":
        return "loop: &loop [*loop]\n" + text if draw(st.booleans()) else "loop: &loop {me: *loop}\n" + text
    if kind == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    if kind == "comment":
        return "".join(lines[:i] + ["# " + lines[i]] + lines[i + 1:])
    pos = draw(st.integers(0, len(text)))  # insert_chars
    chars = draw(st.one_of(st.text(min_size=1, max_size=6),
                           st.sampled_from(["\x00", "\x07", "\ufeff", "\u2028", "\t", "\r", "{", "[", "&", "*", "!",
                                            "%YAML 1.2\n---\n", "---\n", "...\n", "'", '"', "\\", "? ", "|\n",
                                            ' "\\U0011FFFF"', ' "\\ud800"', ' "\\x"', ",", "0x", "1_"])))
    return text[:pos] + chars + text[pos:]


@st.composite
def _mutate_bytes(draw, text: str) -> bytes:
    data = bytearray(text.encode("utf-8"))
    kind = draw(st.sampled_from(["random_bytes", "latin1", "utf16", "flip"]))
    if kind == "latin1":
        try:
            return text.encode("latin-1", errors="replace") + "# café\n".encode("latin-1")
        except UnicodeError:
            return bytes(data)
    if kind == "utf16":
        return text.encode("utf-16")
    if kind == "flip" and data:
        i = draw(st.integers(0, len(data) - 1))
        data[i] ^= draw(st.integers(1, 255))
        return bytes(data)
    pos = draw(st.integers(0, len(data)))
    return bytes(data[:pos]) + draw(st.binary(min_size=1, max_size=16)) + bytes(data[pos:])


@st.composite
def mutated_scenarios(draw, base=None, max_mutations: int = 3, allow_bytes: bool = True):
    """A broken variant of a scenario: ``str`` YAML text, or ``bytes`` for encoding mutations.

    ``base`` is a strategy of YAML texts (default :func:`valid_scenarios`); pass
    ``st.just(path.read_text())`` to mutate your own file. Mutations, 1 to ``max_mutations`` of
    them: wrong types, missing keys, extreme numbers (1e308, -1e308, 10**400, nan/inf and their
    strings), random unicode keys and values, deep nesting, added keys, swapped values, unknown
    distributions and ``extends`` targets (applied to the parsed data); duplicate lines, tags
    (``!!python/object/apply`` ...), aliases, alias bombs, recursive anchors, truncation and
    random characters (applied to the text); random or flipped bytes, Latin-1 and UTF-16
    (as bytes, when ``allow_bytes``).
    """
    from costsim.yamlio import load_yaml

    data, text = (draw(scenario_dicts()), None) if base is None else (None, draw(base))
    levels = ["data", "data", "text", "bytes"] if allow_bytes else ["data", "data", "text"]
    for _ in range(draw(st.integers(1, max_mutations))):
        level = draw(st.sampled_from(levels))
        if level == "data":
            if data is None:
                try:
                    data, _ = load_yaml(text, "base")
                except ScenarioError:
                    level = "text"
            if data is not None:
                data, text = draw(_mutate_data(data)), None
        if text is None:
            text, data = _dump(data, draw(st.booleans())), (data if level == "data" else None)
        if level == "text":
            text = draw(_mutate_text(text))
        elif level == "bytes":
            return draw(_mutate_bytes(text))
    return text


# ----------------------------------------------------------------------------- valid mutations
@dataclass(frozen=True)
class Case:
    """A generated scenario with its command line: the file's text, ``--set`` overrides and,
    when the case uses ``extends:``, the text of its parent ``parent.yaml``."""

    text: str
    overrides: tuple[str, ...] = ()
    parent: str | None = None

    def write(self, folder: str | Path) -> Path:
        """Write ``case.yaml`` (and ``parent.yaml``) into ``folder``; return the case's path."""
        folder = Path(folder)
        if self.parent is not None:
            (folder / "parent.yaml").write_text(self.parent, encoding="utf-8")
        path = folder / "case.yaml"
        path.write_text(self.text, encoding="utf-8")
        return path


def _flow(value: object) -> str:
    """A value as one line of YAML, as typed after ``--set path=``."""
    return yaml.dump(value, Dumper=_DUMPER, default_flow_style=True, width=10_000).strip().removesuffix("...").strip()


def _outputs_with_years(data: dict) -> list[str]:
    registry = load_builtin_models()
    outs = []
    for item in data.get("models") or []:
        use = item if isinstance(item, str) else item.get("use")
        spec = registry.get(use)
        if spec is not None:
            outs += [o for o in spec.outputs if spec.axes_of(o) == ("year",)]
    listed = data.get("outputs")
    return [o for o in outs if o in listed] if isinstance(listed, list) else outs


@st.composite
def valid_mutations(draw, base=None, max_mutations: int = 3, kinds: tuple[str, ...] | None = None):
    """A :class:`Case` that stays valid by construction, so most cases reach the models.

    Starts from :func:`scenario_dicts` (or ``base``, a strategy of scenario dicts) and applies
    1..``max_mutations`` edits that keep values in their allowed domains: a parameter redrawn
    (a new constant or distribution of its category), a ``--set`` of a parameter, a field or a
    top-level setting (``seed``, ``sampling``, bare names as well as ``params.`` paths), a
    random section (``plots``, ``sensitivity``, ``sweeps``, ``summary_years``), or a split
    into a parent file and a child that ``extends:`` it. A declared model domain (``> 1``) may
    still refuse a redrawn value: validation and the run must then agree.
    """
    data = copy.deepcopy(draw(base if base is not None else scenario_dicts(kinds=kinds)))
    params = data.setdefault("params", {})
    overrides: list[str] = []
    parent = None
    start, stop = data["years"]["start"], data["years"]["stop"]
    correlated = {x for pair in data.get("correlations") or () for x in pair[:2]}
    free = [n for n in params if not _is_calendar_year(n) and n not in correlated]
    for _ in range(draw(st.integers(1, max_mutations))):
        kind = draw(st.sampled_from(["redraw", "set", "set_field", "set_top", "plots", "sensitivity", "sweeps",
                                     "summary_years", "extends"]))
        if kind == "redraw" and free:
            name = draw(st.sampled_from(free))
            params[name] = draw(_param_spec(_category(name), kinds))
        elif kind == "set" and free:
            name = draw(st.sampled_from(free))
            value = draw(_param_spec(_category(name), kinds))
            prefix = draw(st.sampled_from(["params.", ""]))
            overrides.append(f"{prefix}{name}={_flow(value)}")
        elif kind == "set_field" and free:
            name = draw(st.sampled_from(free))
            spec = params[name]
            if isinstance(spec, dict) and "high" in spec and isinstance(spec["high"], (int, float)):
                factor = draw(st.floats(1.0, 3.0, **_finite))
                high = float(f"{spec['high'] * factor:.6g}")
                overrides.append(f"{draw(st.sampled_from(['params.', '']))}{name}.high={high!r}")
                params[name] = {**spec, "high": high}  # later edits see it
        elif kind == "set_top":
            key = draw(st.sampled_from(["seed", "sampling", "samples"]))
            value = {"seed": draw(st.integers(0, 2**32)), "sampling": draw(st.sampled_from(["mc", "lhs", "sobol"])),
                     "samples": draw(st.integers(1, 64))}[key]
            overrides.append(f"{key}={value}")
        elif kind == "plots":
            outs = _outputs_with_years(data)
            if outs:
                out = draw(st.sampled_from(outs))
                entry = draw(st.sampled_from([{"kind": "fan", "output": out}, {"kind": "hist", "output": out,
                                                                              "year": stop},
                                              {"kind": "tornado", "output": out},
                                              {"kind": "cdf", "output": out, "threshold": 1.0}]))
                data.setdefault("plots", []).append(entry)
                stems = [PlotSpec(**e).stem for e in data["plots"]]
                if len(set(stems)) != len(stems):
                    data["plots"].pop()
        elif kind == "sensitivity":
            outs = _outputs_with_years(data)
            block: dict = {"method": draw(st.sampled_from(["sobol", "morris", "tornado"]))}
            if outs and draw(st.booleans()):
                block["outputs"] = [draw(st.sampled_from(outs))]
            if draw(st.booleans()):
                block["years"] = [draw(st.integers(start, stop))]
            data["sensitivity"] = block
        elif kind == "sweeps" and free:
            name = draw(st.sampled_from(free))
            values = draw(st.lists(_param_spec(_category(name), kinds).filter(
                lambda x: isinstance(x, (int, float))), min_size=1, max_size=3))
            data["sweeps"] = {draw(st.sampled_from([f"params.{name}", name])): values}
        elif kind == "summary_years":
            data["summary_years"] = sorted(set(draw(st.lists(st.integers(start, stop), min_size=1, max_size=3))))
        elif kind == "extends" and parent is None:
            moved = draw(st.lists(st.sampled_from([k for k in data if k not in ("name",)]), unique=True))
            parent_data = {k: data[k] for k in data if k in moved}
            parent = _dump(parent_data, draw(st.booleans()))
            data = {"extends": "parent.yaml", **{k: v for k, v in data.items() if k not in moved}}
            params = data.setdefault("params", {})
            free = [n for n in params if not _is_calendar_year(n) and n not in correlated]
    return Case(_dump(data, draw(st.booleans())), tuple(overrides), parent)


def check_validate_agrees_with_run(case: Case, folder: str | Path, n: int = 8, runner=None) -> str:
    """Assert that validation accepts ``case`` exactly when running it does not exit 2.

    Validation is :func:`costsim.scenario.load_scenario`; the run is ``runner(path, overrides, n)``
    returning an exit code, by default :func:`costsim.engine.run` on a freshly loaded scenario (0,
    1 when a check fails, 2 for a ScenarioError anywhere on the run path, 3 for a ModelError);
    tests pass ``costsim.cli.main`` wrapped the same way. Returns the outcome: ``invalid``, ``ok``,
    ``check_failed`` or ``model_error``.
    """
    from costsim.scenario import load_scenario

    path = case.write(folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CostsimWarning)
        try:
            load_scenario(path, case.overrides)
            valid = True
        except ScenarioError as exc:
            check_scenario_error(exc)
            valid = False
        code, detail = (runner or _engine_exit_code)(path, case.overrides, n)
    if valid != (code != 2):
        raise AssertionError(f"validation {'accepts' if valid else 'refuses'} but the run exits {code}: "
                             f"{detail.strip()[:500]}\n--- case.yaml\n{case.text}\n--- --set {case.overrides}"
                             + (f"\n--- parent.yaml\n{case.parent}" if case.parent is not None else ""))
    if code not in (0, 1, 2, 3):
        raise AssertionError(f"the run exits {code}: {detail[:500]}")
    return {0: "ok", 1: "check_failed", 2: "invalid", 3: "model_error"}[code]


def _engine_exit_code(path: Path, overrides: tuple[str, ...], n: int) -> tuple[int, str]:
    """The exit code ``costsim run`` gives, computed through the public Python functions."""
    from costsim.engine import run
    from costsim.scenario import load_scenario

    try:
        results = run(load_scenario(path, overrides), n=n)
        results.summary_csv()
    except ScenarioError as exc:
        return 2, str(exc)
    except ModelError as exc:
        return 3, str(exc)
    return (1 if any(c.verdict == "FAIL" for c in results.checks) else 0), ""  # CLOSE is neither, as in run


# ----------------------------------------------------------------------------- outcome
def check_scenario_error(err: ScenarioError) -> None:
    """Assert that a ScenarioError is one an editor of the file can act on.

    Every Issue has a path or a line, and renders as ``file:line: path: problem`` (or
    ``file: path: problem`` without a line, ``file:line: problem`` without a path); the
    error's text is non-empty and it survives pickling.
    """
    if not err.issues:
        raise AssertionError(f"ScenarioError without issues: {err!r}")
    for issue in err.issues:
        rendered = issue.render(err.source)
        if not (issue.path or issue.line):
            raise AssertionError(f"issue located by neither path nor line: {rendered}")
        src = issue.source or err.source
        head = f"{src}:{issue.line}: " if issue.line else f"{src}: "
        if issue.path:
            head += f"{issue.path}: "
        if not rendered.startswith(head):
            raise AssertionError(f"issue renders as {rendered!r}; expected it to start with {head!r}")
        if issue.line is not None and (not isinstance(issue.line, int) or issue.line < 1):
            raise AssertionError(f"issue line {issue.line!r} is not a 1-based line number: {rendered}")
    text = str(err)
    again = pickle.loads(pickle.dumps(err))
    if str(again) != text:
        raise AssertionError("ScenarioError does not survive pickling unchanged")


def assert_clean_outcome(text: str | bytes, n: int = 8, *, seed: int = 0, source: str = "fuzz.yaml",
                         base_dir: str | Path = ".", allow_runtime_warnings: bool = False,
                         allow_model_exceptions: bool = False, summarize: bool = True):
    """Validate and run ``text`` with ``n`` samples; assert the outcome is a clean one.

    Returns the Results, ScenarioError or ModelError. Any other exception fails with an
    AssertionError naming it, and so do, unless allowed:

    - a NumPy RuntimeWarning (``allow_runtime_warnings``): overflow should be handled, not warned;
    - a ModelError raised because a model function itself raised (``allow_model_exceptions``):
      on inputs that passed validation that is a bug in the model (a shape it did not expect,
      say), unlike non-finite outputs, which the engine reports with counts.

    CostsimWarnings are allowed. ``summarize`` also builds the summary table, as
    ``costsim run -o`` would write it.
    """
    from costsim.engine import run
    from costsim.scenario import scenario_from_text
    from costsim.yamlio import decode

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if isinstance(text, bytes):
                text = decode(text, source)
            scenario = scenario_from_text(text, source, base_dir=base_dir)
            outcome: object = run(scenario, n=n, seed=seed)
            if summarize:
                outcome.summary_csv()
        except ScenarioError as exc:
            check_scenario_error(exc)
            outcome = exc
        except ModelError as exc:
            if not str(exc).strip():
                raise AssertionError("ModelError with an empty message") from exc
            if exc.__cause__ is not None and not allow_model_exceptions:
                raise AssertionError(f"a model raised on validated inputs: {exc}") from exc.__cause__
            outcome = exc
        except Exception as exc:
            raise AssertionError(f"unclean outcome {type(exc).__name__}: {exc}") from exc
    numeric = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    if numeric and not allow_runtime_warnings:
        w = numeric[0]
        raise AssertionError(f"RuntimeWarning at {w.filename}:{w.lineno}: {w.message}")
    others = [w for w in caught if not issubclass(w.category, (RuntimeWarning, CostsimWarning, DeprecationWarning))]
    if others:
        w = others[0]
        raise AssertionError(f"unexpected {w.category.__name__} at {w.filename}:{w.lineno}: {w.message}")
    if isinstance(outcome, Results):
        for name, arr in outcome.outputs.items():
            if not np.isfinite(arr).all():
                raise AssertionError(f"Results hold non-finite values of {name!r} without a ModelError")
    return outcome
