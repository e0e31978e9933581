"""User formulas: a safe expression language compiled to vectorized numpy.

A scenario's ``formulas:`` block maps an output name to an expression over parameters, other
models' outputs, other formulas and ``year``::

    formulas:
      training_cost_usd: "gpu_hours * price_usd_per_gpu_hour"
      chip_stock_chips: "cumsum(imports_chips + domestic_chips) * survival_frac"

:func:`compile_formula` turns one entry into a :class:`~costsim.registry.ModelSpec` (named
``formula:<name>``, origin ``formula``, not registered in ``MODELS``) that the graph wires by name
like any registered model.

Safety comes from construction, not from sandboxing: the text is parsed with :mod:`ast` and only
an allow-list of node types is compiled into a tree of closures over numpy ufuncs. Nothing is ever
passed to ``eval``/``exec``/``compile``, attributes and subscripts do not exist in the language,
and only the functions in :func:`formula_functions` can be called. Length and nesting are checked
on the raw text before parsing, so hostile input is rejected in microseconds.

Grammar
-------
numbers (``1``, ``2.5``, ``1e25``; read as float64), ``pi``, names, ``+ - * / **``, unary ``-``
and ``+``, comparisons (``< <= > >= == !=``, chains allowed; a comparison used as a number is 1.0
or 0.0), ``a if c else b``, and calls of::

    exp log log10 log2 sqrt abs sin cos tanh floor ceil      one argument, elementwise
    minimum(a, b) maximum(a, b) clip(x, lo, hi) where(c, a, b)
    cumsum(x) cumprod(x) diff(x) lag(x, k, fill)             along the year axis

Conditions (of ``where`` and ``if``) are true where they are non-zero. Both branches are always
evaluated (vectorized), so ``log(x) if x > 0 else 0`` is fine: the unused ``nan`` is discarded.

Shapes
------
Inputs arrive as the engine passes them: per-sample parameters ``(n, 1)``, ``year`` ``(1, T)``,
model outputs ``(n, T)``, ``(n, T, B)``, ``(n,)`` or ``(n, B)``, constants as floats. Before
evaluation every input is lifted to one rank: 3-D ``(samples, years, blocs)`` if any input has a
bloc axis, else 2-D ``(samples, years)``. The output always has the year axis: ``("year",)`` or
``("year", "bloc")`` (see :func:`output_axes`); a result that does not vary by year comes back as
``(n, 1)`` / ``(n, 1, B)`` and the engine broadcasts it.

Time functions act on axis 1 (years) after broadcasting their argument to all ``T`` years:
``cumsum``/``cumprod`` are running sums/products; ``diff(x)`` is ``x[t] - x[t-1]`` with ``0`` in the
first year (so the shape is kept); ``lag(x, k, fill)`` shifts ``x`` right by the integer literal
``k >= 0`` years and puts ``fill`` (any expression) in the first ``k`` years. A formula that uses a
time function lists ``year`` among its inputs, which is how it learns ``T``.

Numerics
--------
Constant sub-expressions are folded once, as float64 (never as Python ints, so ``10**10**10``
cannot hang); a constant part that is not finite is a validation error, and a division by a
constant zero (``x / 0``, ``x / (1 - 1)``, or ``x / c`` with a constant parameter ``c = 0``; not in
the branch of ``where``/``if`` that a constant condition discards) a validation warning (an inf
that ``minimum`` bounds is a deliberate limit). At run time overflow and
invalid operations give ``inf``/``nan`` silently, and the engine's post-run check reports them with
counts, as for any model.

Units
-----
The output name needs a unit suffix (:func:`costsim.units.suffix_of`). Where ``+``, ``-``,
``minimum``, ``maximum``, ``clip``, ``where``/``if`` or a comparison joins two different known units
(``a_usd + b_flop``), or the result's unit visibly differs from the name's, the compiled formula
carries a warning :class:`~costsim.errors.Issue` (see :func:`unit_mix_warnings`); the caller
renders it and emits a :class:`~costsim.errors.CostsimWarning`.
"""

from __future__ import annotations

import ast
import difflib
import keyword
import math
import operator
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from costsim.errors import Issue, ModelError
from costsim.registry import ModelSpec
from costsim.units import UNIT_SUFFIXES, suffix_of, unit_of

MAX_CHARS = 10_000  # longest accepted expression, checked before parsing
MAX_DEPTH = 100  # deepest accepted nesting of brackets / operators / calls

_ELEMENTWISE: dict[str, Callable] = {
    "exp": np.exp,
    "log": np.log,
    "log10": np.log10,
    "log2": np.log2,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "sin": np.sin,
    "cos": np.cos,
    "tanh": np.tanh,
    "floor": np.floor,
    "ceil": np.ceil,
}
_ARITY: dict[str, int] = {
    **{f: 1 for f in _ELEMENTWISE},
    "minimum": 2,
    "maximum": 2,
    "clip": 3,
    "where": 3,
    "cumsum": 1,
    "cumprod": 1,
    "diff": 1,
    "lag": 3,
}
_TIME_FUNCTIONS = frozenset({"cumsum", "cumprod", "diff", "lag"})
_CONSTANTS = {"pi": math.pi}

_BINOPS = {ast.Add: ("+", operator.add), ast.Sub: ("-", operator.sub),
           ast.Mult: ("*", operator.mul), ast.Div: ("/", operator.truediv),
           ast.Pow: ("**", operator.pow)}
_UNARY = {ast.USub: ("-", operator.neg), ast.UAdd: ("+", operator.pos)}
_COMPARE = {ast.Lt: ("<", np.less), ast.LtE: ("<=", np.less_equal),
            ast.Gt: (">", np.greater), ast.GtE: (">=", np.greater_equal),
            ast.Eq: ("==", np.equal), ast.NotEq: ("!=", np.not_equal)}

# the problem reported for each construct outside the grammar
_FORBIDDEN = {
    ast.Attribute: "attribute access is not allowed", ast.Subscript: "subscripts are not allowed",
    ast.Lambda: "lambdas are not allowed", ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed", ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed", ast.List: "lists are not allowed",
    ast.Tuple: "tuples are not allowed", ast.Set: "sets are not allowed",
    ast.Dict: "dicts are not allowed", ast.Starred: "starred arguments are not allowed",
    ast.NamedExpr: "assignment (:=) is not allowed", ast.JoinedStr: "strings are not allowed",
    ast.FormattedValue: "strings are not allowed", ast.BoolOp: "'and' and 'or' are not allowed",
    ast.Await: "await is not allowed", ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed", ast.Slice: "slices are not allowed",
}
_FORBIDDEN_OPS = {ast.FloorDiv: "'//'", ast.Mod: "'%'", ast.MatMult: "'@'", ast.LShift: "'<<'",
                  ast.RShift: "'>>'", ast.BitOr: "'|'", ast.BitAnd: "'&'", ast.BitXor: "'^'",
                  ast.Not: "'not'", ast.Invert: "'~'", ast.Is: "'is'", ast.IsNot: "'is not'",
                  ast.In: "'in'", ast.NotIn: "'not in'"}

# env keys for the number of years and the rank (a NUL cannot clash with an identifier)
_YEARS_T = "\0T"
_NDIM = "\0nd"
_CAL = unit_of("base_year")
_DUR = unit_of("run_years")
_DIMENSIONLESS = frozenset(UNIT_SUFFIXES[s] for s in (
    "_frac", "_ratio", "_x", "_index", "_elasticity", "_exponent", "_prob", "_flag"))
_DIMLESS = "dimensionless"
_NEUTRAL = "<number>"  # the unit of a literal: combines with anything


def formula_functions() -> tuple[str, ...]:
    """Return the names of the functions a formula may call, sorted.

    >>> formula_functions()[:4]
    ('abs', 'ceil', 'clip', 'cos')
    """
    return tuple(sorted(_ARITY))


_EXPECTED = (
    "numbers, names, + - * / **, comparisons, 'a if c else b' and calls of "
    + ", ".join(formula_functions())
)


@dataclass(frozen=True)
class Snippet:
    """A piece of formula source, shown quoted in messages (``got 'a.b'``, without ``(str)``)."""

    text: str

    def __repr__(self) -> str:
        return repr(self.text)


class _Reject(Exception):
    """Internal: one offending node; turned into an Issue by compile_formula."""

    def __init__(self, problem: str, node: ast.AST | None = None, expected: str = _EXPECTED,
                 hint: str = ""):
        super().__init__(problem)
        self.problem, self.node, self.expected, self.hint = problem, node, expected, hint


@dataclass
class _Node:
    """A compiled sub-expression: a closure ``fn(env)``, or a folded float ``const``."""

    fn: Callable | None
    const: float | None
    unit: str | None  # unit description, _NEUTRAL for literals, None when unknown
    is_bool: bool = False  # a comparison: fn returns a bool array

    def value_fn(self) -> Callable:
        """A closure returning this node's value as float (comparisons become 1.0 / 0.0)."""
        if self.is_bool:
            cmp = self.fn
            return lambda env: cmp(env).astype(np.float64)
        return self.fn


def _const(value: float, unit: str | None = _NEUTRAL) -> _Node:
    return _Node(None, float(value), unit)


_TOO_DEEP = ("expression is nested too deeply",
             f"at most {MAX_DEPTH} levels of operators, brackets and calls")


def _check_raw(text: str) -> tuple[str, str, object] | None:
    """Cheap checks on the raw text before ``ast.parse``, which recurses on deep nesting.

    Returns (problem, expected, got) or None.
    """
    if len(text) > MAX_CHARS:
        return "expression is too long", f"at most {MAX_CHARS} characters", len(text)
    depth = deepest = 0
    for char in text:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    if deepest > MAX_DEPTH:
        return (*_TOO_DEEP, deepest)
    return None


def _too_deep(tree: ast.AST) -> bool:
    """True if the expression tree is deeper than MAX_DEPTH (checked without recursion)."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                stack.append((child, depth + 1))
            elif not isinstance(child, (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop)):
                stack.append((child, depth))  # keywords, comprehension clauses...
    return False


class _Compiler:
    """Validate an expression tree and compile it into closures, folding constants."""

    def __init__(self, name: str, text: str, constants: Mapping[str, float] | None = None):
        self.name, self.text = name, text
        self.constants = dict(constants or {})  # names read as these numbers (folded like literals)
        self.names: list[str] = []  # free names, in order of first use
        self.uses_time = False
        self.unit_notes: list[tuple[str, str, ast.AST]] = []  # (problem, expected, node)
        self.discarded = 0  # > 0 inside the branch a constant condition discards (never evaluated)

    def piece(self, node: ast.AST | None) -> Snippet:
        seg = ast.get_source_segment(self.text, node) if node is not None else None
        return Snippet(seg if seg is not None else self.text)

    # -- dispatch ----------------------------------------------------------------------------
    def compile(self, node: ast.AST) -> _Node:
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name_node(node)
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.IfExp):
            return self.where(node, node.test, node.body, node.orelse, "if")
        if isinstance(node, ast.Call):
            return self.call(node)
        raise _Reject(_FORBIDDEN.get(type(node), f"{type(node).__name__} is not allowed"), node)

    def constant(self, node: ast.Constant) -> _Node:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            what = {str: "strings", bytes: "strings", complex: "complex numbers",
                    bool: "True/False", type(None): "None", type(...): "'...'"}
            kind = what.get(type(value), f"{type(value).__name__} constants")
            raise _Reject(f"{kind} are not allowed", node)
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise _Reject("number is too large", node, expected="a finite float64 (below 1.8e308)")
        return _const(number)

    def name_node(self, node: ast.Name) -> _Node:
        name = node.id
        if "__" in name:
            raise _Reject("names containing '__' are not allowed", node)
        if name in _ARITY:
            raise _Reject(f"function '{name}' is used as a value", node,
                          expected=f"a call such as {name}(...)")
        if name in _CONSTANTS:
            return _const(_CONSTANTS[name])
        if name == self.name:
            raise _Reject("formula refers to its own output", node,
                          expected="an expression over other names (a recurrence needs a "
                                   "Python model)")
        if name not in self.names:
            self.names.append(name)
        suffix = suffix_of(name)
        unit = unit_of(name) if suffix is not None else None
        if name in self.constants:
            return _const(float(self.constants[name]), unit)
        return _Node(operator.itemgetter(name), None, unit)

    # -- operators ---------------------------------------------------------------------------
    def binop(self, node: ast.BinOp) -> _Node:
        if type(node.op) not in _BINOPS:
            raise _Reject(f"operator {_FORBIDDEN_OPS.get(type(node.op), '?')} is not allowed", node)
        symbol, op = _BINOPS[type(node.op)]
        left, right = self.compile(node.left), self.compile(node.right)
        if symbol == "/" and right.const == 0.0 and left.const is None and not self.discarded:
            # x / 0, x / (1 - 1): inf or nan in every sample. A warning, not an error: an inf that
            # minimum()/clip() bounds is a deliberate limit (a free chip buys the cap); one that
            # reaches an output stops the run with the model error that names it
            self.unit_notes.append(("division by zero: the divisor is the constant 0, so this part is inf or nan "
                                    "in every sample", "a divisor that is not the constant 0 (an inf bounded "
                                    "by minimum() or clip() is fine; one that reaches an output stops the run)",
                                    node))
        unit = self.combine_units(symbol, left.unit, right.unit, node)
        return self.apply(op, (left, right), node, unit)

    def unary(self, node: ast.UnaryOp) -> _Node:
        if type(node.op) not in _UNARY:
            raise _Reject(f"operator {_FORBIDDEN_OPS.get(type(node.op), '?')} is not allowed", node)
        operand = self.compile(node.operand)
        return self.apply(_UNARY[type(node.op)][1], (operand,), node, operand.unit)

    def compare(self, node: ast.Compare) -> _Node:
        for cmpop in node.ops:
            if type(cmpop) not in _COMPARE:
                raise _Reject(f"operator {_FORBIDDEN_OPS.get(type(cmpop), '?')} is not allowed", node)
        parts = [self.compile(node.left)] + [self.compile(c) for c in node.comparators]
        for cmpop, a, b in zip(node.ops, parts, parts[1:]):
            self.combine_units(_COMPARE[type(cmpop)][0], a.unit, b.unit, node)
        ufuncs = [_COMPARE[type(c)][1] for c in node.ops]
        if all(p.const is not None for p in parts):
            values = [np.float64(p.const) for p in parts]
            truth = all(bool(f(a, b)) for f, a, b in zip(ufuncs, values, values[1:]))
            return _const(1.0 if truth else 0.0, _DIMLESS)
        getters = [_getter(p) for p in parts]
        if len(ufuncs) == 1:
            (f,), (ga, gb) = ufuncs, getters

            def fn(env):
                return f(ga(env), gb(env))
        else:
            def fn(env):
                values = [g(env) for g in getters]
                result = ufuncs[0](values[0], values[1])
                for f, a, b in zip(ufuncs[1:], values[1:], values[2:]):
                    result = np.logical_and(result, f(a, b))
                return result
        return _Node(fn, None, _DIMLESS, is_bool=True)

    def where(self, node: ast.AST, test: ast.AST, body: ast.AST, orelse: ast.AST,
              label: str) -> _Node:
        cond = self.compile(test)
        branches = []
        for branch, keep in ((body, cond.const is None or cond.const != 0), (orelse, cond.const is None
                                                                          or cond.const == 0)):
            self.discarded += not keep  # `x / c_x if c_x > 0 else 0` with the constant c_x = 0: a guard
            try:
                branches.append(self.compile(branch))
            finally:
                self.discarded -= not keep
        a, b = branches
        unit = self.combine_units(label, a.unit, b.unit, node)
        if cond.const is not None:
            return a if cond.const != 0 else b
        if cond.is_bool:
            cond_fn = cond.fn
        else:
            value = cond.fn

            def cond_fn(env):
                return np.not_equal(value(env), 0.0)
        ga, gb = _getter(a), _getter(b)
        if a.const is not None and b.const is not None:
            return _Node(lambda env: np.where(cond_fn(env), a.const, b.const), None, unit)
        return _Node(lambda env: np.where(cond_fn(env), ga(env), gb(env)), None, unit)

    # -- calls -------------------------------------------------------------------------------
    def call(self, node: ast.Call) -> _Node:
        func = node.func
        if not isinstance(func, ast.Name):
            self.compile(func)  # reports the attribute / subscript / lambda itself
            raise _Reject("only the listed functions can be called", func)
        fname = func.id
        if "__" in fname:
            raise _Reject("names containing '__' are not allowed", func)
        if fname not in _ARITY:
            close = difflib.get_close_matches(fname, formula_functions(), n=1)
            raise _Reject("unknown function", func, expected=f"one of {', '.join(formula_functions())}",
                          hint=f"Did you mean '{close[0]}'?" if close else "")
        if node.keywords:
            raise _Reject("keyword arguments are not allowed", node,
                          expected=f"{fname}() with positional arguments")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise _Reject("starred arguments are not allowed", arg)
        if len(node.args) != _ARITY[fname]:
            signature = {"minimum": "minimum(a, b)", "maximum": "maximum(a, b)",
                         "clip": "clip(x, lo, hi)", "where": "where(c, a, b)",
                         "lag": "lag(x, k, fill)"}.get(fname, f"{fname}(x)")
            count = _ARITY[fname]
            raise _Reject(f"{fname}() takes {count} argument{'s' if count > 1 else ''}", node,
                          expected=signature)
        if fname == "where":
            return self.where(node, *node.args, label="where")
        if fname in _TIME_FUNCTIONS:
            return self.time_function(fname, node)
        args = [self.compile(a) for a in node.args]
        if fname in _ELEMENTWISE:
            keeps_unit = fname in ("abs", "floor", "ceil")
            unit = args[0].unit if keeps_unit else None
            if fname in _NEEDS_A_NUMBER and _dimensional(args[0].unit):
                self.unit_notes.append((f"{fname}() of a quantity in {args[0].unit}",
                                        f"a dimensionless argument (e.g. {fname}(x / reference) or "
                                        "a rate times a duration)", node))
            if args[0].unit in _DIMENSIONLESS or args[0].unit == _DIMLESS:
                unit = _DIMLESS
            return self.apply(_ELEMENTWISE[fname], args, node, unit)
        unit = args[0].unit
        for other in args[1:]:
            unit = self.combine_units(fname, unit, other.unit, node)
        if fname == "clip" and args[1].const is not None and args[2].const is not None \
                and not args[1].const <= args[2].const:
            # numpy then returns hi everywhere: the formula would be one constant, silently
            raise _Reject(f"clip() needs lo <= hi (lo {args[1].const:g} > hi {args[2].const:g})", node,
                          expected="clip(x, lo, hi) with lo <= hi")
        ufunc = {"minimum": np.minimum, "maximum": np.maximum, "clip": _clip}[fname]
        return self.apply(ufunc, args, node, unit)

    def time_function(self, fname: str, node: ast.Call) -> _Node:
        self.uses_time = True
        x = self.compile(node.args[0])
        gx = _getter(x)
        if fname == "lag":
            k_node = node.args[1]
            if not (isinstance(k_node, ast.Constant) and type(k_node.value) is int
                    and 0 <= k_node.value <= 10_000):
                raise _Reject("lag() needs a whole number of years", k_node,
                              expected="an integer literal 0 <= k <= 10000")
            fill = self.compile(node.args[2])
            unit = self.combine_units("lag", x.unit, fill.unit, node)
            return _Node(_lag(gx, k_node.value, _getter(fill)), None, unit)
        unit = {"cumsum": _summed_over_years(x.unit), "diff": x.unit}.get(fname)
        if fname == "cumprod" and x.unit in _DIMENSIONLESS | {_DIMLESS}:
            unit = _DIMLESS
        return _Node({"cumsum": _cumsum, "cumprod": _cumprod, "diff": _diff}[fname](gx),
                     None, unit)

    # -- shared helpers ----------------------------------------------------------------------
    def apply(self, func: Callable, args: tuple | list, node: ast.AST, unit: str | None) -> _Node:
        """Combine compiled arguments with a numpy function; fold when all are constants."""
        if all(a.const is not None for a in args):
            # float64 arithmetic, never Python ints or floats: 10**10**10 is inf at once and
            # 1/0 is inf rather than ZeroDivisionError. Overflow here is reported right below.
            with np.errstate(all="ignore"):
                value = float(func(*(np.float64(a.const) for a in args)))
            if not math.isfinite(value):
                raise _Reject(f"constant part evaluates to {value}", node,
                              expected="a finite number")
            return _const(value, unit)
        if len(args) == 1:
            (g,) = (_getter(a) for a in args)
            return _Node(lambda env: func(g(env)), None, unit)
        if len(args) == 2:
            a, b = args
            if a.const is not None:
                c, gb = a.const, _getter(b)
                return _Node(lambda env: func(c, gb(env)), None, unit)
            if b.const is not None:
                ga, c = _getter(a), b.const
                return _Node(lambda env: func(ga(env), c), None, unit)
            ga, gb = _getter(a), _getter(b)
            return _Node(lambda env: func(ga(env), gb(env)), None, unit)
        getters = [_getter(a) for a in args]
        return _Node(lambda env: func(*(g(env) for g in getters)), None, unit)

    def combine_units(self, op: str, left: str | None, right: str | None,
                      node: ast.AST) -> str | None:
        """Unit of ``left op right``; note a warning where two known units are mixed."""
        if op in ("*", "/", "**"):
            if left == _NEUTRAL and right == _NEUTRAL:
                return _NEUTRAL
            dimless = {_DIMLESS} | _DIMENSIONLESS
            if left in dimless and right in dimless:
                return _DIMLESS
            if op != "**" and right in dimless and left not in (None, _NEUTRAL):
                return left  # 0.4 * x_usd is unknown (the 0.4 may carry units); frac * usd is usd
            if op == "*" and left in dimless and right not in (None, _NEUTRAL):
                return right
            return None
        if left == _NEUTRAL:
            return right
        if right == _NEUTRAL:
            return left
        if left is None or right is None:
            return None
        if left == right:
            if op == "-" and left == _CAL:
                return _DUR  # year - base_year is a duration
            return left
        if left in _DIMENSIONLESS | {_DIMLESS} and right in _DIMENSIONLESS | {_DIMLESS}:
            return _DIMLESS
        if {left, right} == {_CAL, _DUR} and (op == "+" or (op == "-" and left == _CAL)):
            return _CAL  # a calendar year plus or minus a duration
        self.unit_notes.append((f"'{op}' mixes {left} and {right}",
                                "the same unit on both sides (convert with an explicit factor)",
                                node))
        return None


def _summed_over_years(unit: str | None) -> str | None:
    """Unit of ``cumsum`` of a quantity in ``unit`` over yearly steps: a flow per year sums to its
    stock (USD/year -> USD, chips/year -> chips); any other unit is kept (chips summed are chips)."""
    if unit and unit.endswith("/year") and unit[:-len("/year")] in _KNOWN_UNITS:
        return unit[:-len("/year")]
    return unit


_KNOWN_UNITS = frozenset(UNIT_SUFFIXES.values())

# functions whose argument must be a pure number (log, sqrt and the like of a quantity are usual)
_NEEDS_A_NUMBER = frozenset({"exp", "sin", "cos", "tanh"})


def _dimensional(unit: str | None) -> bool:
    """A known unit that is not a pure number (USD, FLOP, years...): unknown and neutral are not."""
    return unit is not None and unit != _NEUTRAL and unit != _DIMLESS and unit not in _DIMENSIONLESS


def _getter(node: _Node) -> Callable:
    """A closure returning a node's value (a folded constant becomes a constant closure)."""
    if node.const is not None:
        value = node.const
        return lambda env: value
    return node.value_fn()


def _span_years(x, env):
    """Broadcast ``x`` (float or lifted array) over the year axis (axis 1)."""
    years = env[_YEARS_T]
    nd = env[_NDIM]
    x = np.asarray(x, dtype=np.float64)
    if x.ndim < nd:
        x = x.reshape((1,) * (nd - x.ndim) + x.shape)
    if x.shape[1] != years:
        x = np.broadcast_to(x, x.shape[:1] + (years,) + x.shape[2:])
    return x


def _cumsum(gx):
    return lambda env: np.cumsum(_span_years(gx(env), env), axis=1)


def _cumprod(gx):
    return lambda env: np.cumprod(_span_years(gx(env), env), axis=1)


def _diff(gx):
    def diff(env):
        x = _span_years(gx(env), env)
        out = np.zeros(x.shape)
        np.subtract(x[:, 1:], x[:, :-1], out=out[:, 1:])
        return out

    return diff


def _lag(gx, k: int, gfill):
    def lag(env):
        x = _span_years(gx(env), env)
        fill = gfill(env)
        shape = np.broadcast_shapes(x.shape, np.shape(fill))
        out = np.empty(shape)
        years = x.shape[1]
        out[:, :k] = np.broadcast_to(fill, shape)[:, :k]
        if k < years:
            out[:, k:] = x[:, : years - k]
        return out

    return lag


class CompiledFormula:
    """A compiled formula, callable as ``formula(**inputs) -> {name: array}``.

    Attributes
    ----------
    name, text : str
        The output name and the expression as written.
    inputs : tuple of str
        Free names used, in order of first use (plus ``year`` when a time function needs it).
    warnings : tuple of Issue
        Unit-mix notes found while compiling (render with ``Issue.render(source)``).
    input_axes : dict or None
        Axes of each input when known (see :func:`bind_input_axes`); else shapes decide.
    """

    def __init__(self, name: str, text: str, root: _Node, inputs: tuple[str, ...],
                 warnings: tuple[Issue, ...], path: str, line: int | None,
                 input_axes: Mapping[str, tuple[str, ...]] | None = None):
        self.name, self.text, self.inputs, self.warnings = name, text, inputs, warnings
        self.path, self.line = path, line
        self.input_axes = dict(input_axes) if input_axes is not None else None
        self._root = root
        self._fn = _getter(root) if root.const is None else None

    def __repr__(self) -> str:
        return f"<formula {self.name} = {self.text!r}>"

    def __reduce__(self):
        # closures do not pickle; a formula travels as its text and is compiled again
        return (_recompile, (self.name, self.text, self.path, self.line, self.input_axes))

    def __call__(self, **inputs) -> dict[str, np.ndarray]:
        missing = [n for n in self.inputs if n not in inputs]
        if missing:
            raise TypeError(f"formula {self.name!r}: missing inputs {missing}")
        env, nd = self._lift(inputs)
        if self._fn is None:
            return {self.name: np.full((1,) * nd, self._root.const)}
        try:
            # Overflow, 0/0 and log of negatives become inf/nan as in any model; the engine's
            # post-run check counts them. RuntimeWarnings would only repeat that (and tests turn
            # them into errors).
            with np.errstate(all="ignore"):
                out = self._fn(env)
        except CrossedBounds as exc:
            raise ModelError(f"formula {self.name!r}: {exc}") from exc
        except (ValueError, TypeError) as exc:  # shapes that do not broadcast
            shapes = ", ".join(f"{n}: {np.shape(inputs[n])}" for n in self.inputs)
            raise ModelError(
                f"formula {self.name!r}: inputs do not broadcast ({str(exc).strip()}); got shapes {shapes}"
            ) from exc
        out = np.asarray(out, dtype=np.float64)
        if out.base is not None or any(out is env[n] for n in self.inputs):
            out = out.copy()  # never hand back (a view of) an input array
        if out.ndim < nd:
            out = out.reshape((1,) * (nd - out.ndim) + out.shape)
        return {self.name: out}

    def _lift(self, inputs: Mapping[str, object]) -> tuple[dict, int]:
        """Bring every input to one rank, (n, T) or (n, T, B), with length 1 for missing axes."""
        values = {}
        for name in self.inputs:
            x = inputs[name]
            values[name] = x if isinstance(x, float) else np.asarray(x, dtype=np.float64)
        if self.input_axes is not None:
            nd = 3 if any("bloc" in self.input_axes[n] for n in self.inputs) else 2
        else:
            nd = 3 if any(np.ndim(v) == 3 for v in values.values()) else 2
        env: dict[str, object] = {_NDIM: nd}
        years = None
        for name, x in values.items():
            if isinstance(x, float) or x.ndim == 0:
                # float64, never a Python float: `c ** 20` of two Python floats raises
                # OverflowError where numpy gives inf, which the engine's post-run check reports
                env[name] = np.float64(x)
                continue
            if name == "year":
                x = x.reshape(1, -1)
                years = x.shape[1]
            elif x.ndim == 1:
                x = x[:, None]  # a per-sample scalar does not vary by year
            elif x.ndim == 2 and nd == 3 and self._is_per_bloc(name, x, values):
                x = x[:, None, :]
            if x.ndim < nd:
                x = x[:, :, None]
            if years is None and x.shape[1] > 1:
                years = x.shape[1]
            env[name] = x
        env[_YEARS_T] = years if years is not None else 1
        return env, nd

    def _is_per_bloc(self, name: str, x: np.ndarray, values: Mapping[str, object]) -> bool:
        """Is a 2-D input (n, B) rather than (n, T) or (n, 1)? Declared axes decide, else shapes."""
        if self.input_axes is not None:
            return self.input_axes[name] == ("bloc",)
        years, blocs = next(v.shape[1:] for v in values.values() if np.ndim(v) == 3)
        return x.shape[1] == blocs and x.shape[1] not in (1, years)  # T == B: taken as years


def _recompile(name, text, path, line, input_axes):
    spec, _ = compile_formula(name, text, path=path, line=line)
    if input_axes is not None:
        spec = bind_input_axes(spec, input_axes)
    return spec.func


def compile_formula(name: str, text: object, *, path: str, line: int | None,
                    require_unit: bool = True, constants: Mapping[str, float] | None = None
                    ) -> tuple[ModelSpec | None, list[Issue]]:
    """Validate one ``formulas:`` entry and compile it into an unregistered model.

    Parameters
    ----------
    name : str
        The output name (needs a unit suffix).
    text : object
        The expression as read from YAML (anything but a string is an issue).
    path : str
        The scenario file, kept so that the compiled formula can name it; issues use the dotted
        path ``formulas.<name>`` and leave the file to ``Issue.render``.
    line : int or None
        1-based line of the entry in the scenario, for messages.
    require_unit : bool
        False accepts a name without a unit suffix (its unit is unknown, so no unit check
        involves it); the scenario loader passes False unless ``strict_units`` is on.
    constants : mapping, optional
        Names to read as these numbers, folded like literals: the scenario loader passes its
        constant parameters, so a constant part that overflows (``base_flop_per_usd ** 20``) is
        refused at validation as ``costsim eval`` refuses ``2.5e17 ** 20``.

    Returns
    -------
    (ModelSpec or None, list of Issue)
        The spec (named ``formula:<name>``, origin ``formula``, ``func`` a :class:`CompiledFormula`)
        and no issues, or None and the issues found. Unit-mix warnings are not issues: they are
        in ``spec.func.warnings`` (see :func:`unit_mix_warnings`).

    Examples
    --------
    >>> spec, issues = compile_formula("cost_usd", "hours_gpu_hours * rate_usd_per_gpu_hour",
    ...                                path="s.yaml", line=3)
    >>> spec.name, spec.inputs, spec.outputs
    ('formula:cost_usd', ('hours_gpu_hours', 'rate_usd_per_gpu_hour'), ('cost_usd',))
    >>> _, issues = compile_formula("x_usd", "().__class__", path="s.yaml", line=4)
    >>> print(issues[0].render("s.yaml"))  # doctest: +ELLIPSIS
    s.yaml:4: formulas.x_usd: attribute access is not allowed; expected numbers, names, ..., got '().__class__'
    """
    where = f"formulas.{name}"
    issues: list[Issue] = []
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name) \
            or "__" in name:
        issues.append(Issue(where, "formula name must be an identifier",
                            "letters, digits and '_', not starting with a digit", name, line=line))
    elif unicodedata.normalize("NFKC", name) != name:  # other formulas (Python) would read it in NFKC form
        issues.append(Issue(where, "formula name changes under Unicode NFKC normalization (formulas would read "
                            f"it as {unicodedata.normalize('NFKC', name)!r})", "a name in NFKC form", name, line=line))
    elif name in _ARITY or name in _CONSTANTS or name == "year":
        issues.append(Issue(where, "formula name is reserved", "a name other than "
                            "year, pi and the function names", name, line=line))
    elif suffix_of(name) is None and require_unit:
        issues.append(Issue(where, "formula name has no unit suffix",
                            "a name ending in a unit suffix from costsim.units, such as _usd, "
                            "_flop, _x or _frac", name, line=line))
    if not isinstance(text, str):
        issues.append(Issue(where, "formula must be a string",
                            'a quoted expression such as "a_usd * b_x"', text, line=line,
                            hint="Write a constant under params:" if isinstance(text, (int, float))
                            else ""))
        return None, issues
    raw = _check_raw(text)
    if raw is not None:
        issues.append(Issue(where, raw[0], raw[1], raw[2], line=line))
        return None, issues
    # YAML block scalars keep line breaks; an expression may span lines like a bracketed one
    source = text.translate({ord("\n"): " ", ord("\r"): " ", ord("\t"): " "}).strip()
    if not source:
        issues.append(Issue(where, "formula is empty", "an expression", text, line=line))
        return None, issues
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        issues.append(Issue(where, f"invalid expression ({exc.msg})", _EXPECTED, Snippet(source),
                            line=line))
        return None, issues
    except (RecursionError, MemoryError, ValueError, OverflowError):
        # CPython's parser gives up on long operator chains this way (e.g. 5000 '+' terms)
        issues.append(Issue(where, *_TOO_DEEP, line=line))
        return None, issues
    if _too_deep(tree.body):
        issues.append(Issue(where, *_TOO_DEEP, line=line))
        return None, issues
    compiler = _Compiler(name, source, constants)
    try:
        root = compiler.compile(tree.body)
    except _Reject as rej:
        issues.append(Issue(where, rej.problem, rej.expected, compiler.piece(rej.node),
                            line=line, hint=rej.hint))
        return None, issues
    if issues:
        return None, issues

    target = unit_of(name) if suffix_of(name) is not None else None  # unit-less (strict_units: false)
    if target is not None and root.unit not in (None, _NEUTRAL, target) and not (
            root.unit in _DIMENSIONLESS | {_DIMLESS} and target in _DIMENSIONLESS):
        compiler.unit_notes.append(
            (f"result is in {root.unit} but the name ends in {suffix_of(name)}",
             f"a result in {target}, or a name with the result's unit suffix", tree.body))
    warnings = tuple(Issue(where, problem, expected, compiler.piece(node), line=line)
                     for problem, expected, node in compiler.unit_notes)
    inputs = tuple(compiler.names)
    if compiler.uses_time and "year" not in inputs:
        inputs += ("year",)
    func = CompiledFormula(name, compiler.text, root, inputs, warnings, path, line)
    spec = ModelSpec(name=f"formula:{name}", func=func, inputs=inputs, outputs=(name,),
                     axes={name: ("year",)}, origin="formula",
                     summary=f"{name} = {compiler.text}",
                     yearly_steps=compiler.uses_time)  # cumsum, diff, lag(x, k): per step of years:
    return spec, []


def unit_mix_warnings(spec: ModelSpec) -> list[Issue]:
    """Return the unit-mix warnings of a compiled formula (empty for other models).

    Each is an :class:`~costsim.errors.Issue`; emit it with
    ``warnings.warn(issue.render(source), CostsimWarning)``.
    """
    return list(spec.func.warnings) if isinstance(spec.func, CompiledFormula) else []


def output_axes(spec: ModelSpec, input_axes: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Axes of a formula's output given its inputs' axes: ``("year", "bloc")`` or ``("year",)``."""
    bloc = any("bloc" in input_axes.get(n, ()) for n in spec.inputs)
    return ("year", "bloc") if bloc else ("year",)


def bind_input_axes(spec: ModelSpec, input_axes: Mapping[str, tuple[str, ...]]) -> ModelSpec:
    """Return the formula's spec with its inputs' axes fixed and its output axes declared.

    ``input_axes`` maps an input name to its axes after the sample axis, as in
    :meth:`ModelSpec.axes_of` (a per-sample parameter is ``()``). Without this, shapes decide,
    which cannot tell ``(n, T)`` from ``(n, B)`` when ``T == B`` in a formula with a bloc axis.
    """
    formula = spec.func
    known = {n: tuple(input_axes.get(n, ())) for n in spec.inputs}
    func = CompiledFormula(formula.name, formula.text, formula._root, formula.inputs,
                           formula.warnings, formula.path, formula.line, known)
    name = spec.outputs[0]
    return ModelSpec(name=spec.name, func=func, inputs=spec.inputs, outputs=spec.outputs,
                     axes={name: output_axes(spec, known)}, origin=spec.origin,
                     meanings=spec.meanings, summary=spec.summary, yearly_steps=spec.yearly_steps)


class CrossedBounds(ValueError):
    """clip() met a sample whose lower bound is above its upper bound."""


def _clip(x, lo, hi):
    """``np.clip(x, lo, hi)``, refusing bounds that cross: numpy would give ``hi`` there, silently."""
    if np.any(np.greater(lo, hi)):
        _, lo_all, hi_all = np.broadcast_arrays(x, lo, hi)
        crossed = lo_all > hi_all
        first = tuple(np.argwhere(crossed)[0])
        raise CrossedBounds(f"clip(x, lo, hi) with lo > hi in at least {int(np.count_nonzero(crossed))} values "
                            f"(first: lo {float(lo_all[first]):g} > hi {float(hi_all[first]):g}); expected lo <= hi "
                            "everywhere (numpy would return hi there)")
    return np.clip(x, lo, hi)
