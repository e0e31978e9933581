"""One-line estimates: a formula whose names may be distributions written inline, Squiggle-style.

``lognormal_ci(4e7, 1e8) / uniform(3, 5) ** 2`` becomes a scenario with one parameter per
distribution call (``inline_1_x``, ``inline_2_x``, each drawn independently) and one formula,
``inline_1_x / inline_2_x ** 2``, validated by :func:`costsim.scenario.scenario_from_text` and run by
:func:`costsim.engine.run`. So the grammar, the functions and the error messages are those of
scenario formulas (docs/FORMULAS.md); errors about a distribution name the call as written::

    eval: uniform(5, 3).high: must exceed low; expected > 5.0, got 3.0

A call's arguments are the distribution's fields in order (``lognormal_ci(low, high)``,
``normal(mean, sd)``, ``triangular(low, mode, high)``, ``choice([values])``...), or by keyword
(``lognormal_ci(1e6, 1e7, credibility=0.8)``); ``to(low, high)`` is Squiggle's ``low to high``,
a lognormal with 90% of its mass in [low, high].

>>> res = estimate("lognormal_ci(4e7, 1e8) / uniform(3, 5) ** 2", n=1000, seed=1)
>>> 1e6 < float(np.median(values(res))) < 1e7
True
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import re
import warnings

import numpy as np

from costsim.distributions import DISTRIBUTIONS
from costsim.engine import run
from costsim.errors import CostsimWarning, Issue, ModelError, ScenarioError
from costsim.formulas import formula_functions
from costsim.results import Results
from costsim.scenario import Scenario, scenario_from_text
from costsim.yamlio import dump_yaml

SOURCE = "eval"
OUTPUT = "value_x"  # "_x": a dimensionless multiple, the one suffix that fits any quick estimate
ALIASES = {"to": "lognormal_ci"}  # Squiggle's `a to b`, squigglepy's sq.to(a, b)
DEFAULT_SAMPLES = 10_000
DEFAULT_SEED = 1
YEAR = 2025  # `year` in an expression; a quick estimate has one year


@dataclasses.dataclass(frozen=True)
class InlineCall:
    """One distribution written inline: its parameter name, the text as written, and its fields."""

    name: str
    text: str
    kind: str
    fields: dict


GENERATED = re.compile(r"inline_\d+_x")  # the names _param_name gives


def _param_name(i: int) -> str:
    return f"inline_{i}_x"


def _offsets(expr: str) -> list[int]:
    """Byte offset of the start of each line (ast columns count UTF-8 bytes)."""
    starts, pos = [0], 0
    for line in expr.encode("utf-8").splitlines(keepends=True):
        pos += len(line)
        starts.append(pos)
    return starts


def _fields(node: ast.Call, kind: str, text: str) -> tuple[dict, list[Issue]]:
    spec = DISTRIBUTIONS[kind]
    order = (*spec.required, *spec.optional)
    fields: dict = {}
    issues = []

    def literal(arg: ast.AST, what: str):
        try:
            value = ast.literal_eval(arg)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            issues.append(Issue(text, f"{what} must be a number written out",
                                "a number like 4e7 or -1.5 (or a [list] for choice)", ast.unparse(arg)))
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float, list, tuple)):
            issues.append(Issue(text, f"{what} must be a number", "a number like 4e7 or -1.5", value))
            return None
        return list(value) if isinstance(value, tuple) else value

    if len(node.args) > len(order):
        issues.append(Issue(text, f"too many arguments for {kind}", f"at most {len(order)}: {', '.join(order)}",
                            len(node.args)))
        return fields, issues
    for field, arg in zip(order, node.args, strict=False):
        fields[field] = literal(arg, f"argument {field}")
    for kw in node.keywords:
        if kw.arg is None:
            issues.append(Issue(text, "**arguments are not allowed", f"fields {', '.join(order)}", "**"))
            continue
        if kw.arg in fields:
            issues.append(Issue(text, f"field {kw.arg} given twice", "each field once", kw.arg))
            continue
        fields[kw.arg] = literal(kw.value, f"field {kw.arg}")
    return fields, issues


def parse_inline(expr: str) -> tuple[str, list[InlineCall]]:
    """Rewrite the inline distribution calls of ``expr``: (formula text, the calls it names).

    The rest of the expression is kept exactly as written. Text that does not parse as Python
    is returned unchanged, for the formula compiler to report in its own words.
    """
    if not isinstance(expr, str):
        raise ScenarioError(SOURCE, [Issue("", "the expression must be text", "a formula", expr)])
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return expr, []
    expr = expr.strip()
    known = set(DISTRIBUTIONS) | set(ALIASES)
    functions = set(formula_functions())
    starts = _offsets(expr)
    raw = expr.encode("utf-8")
    calls: list[tuple[ast.Call, str]] = []
    issues: list[Issue] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in known:
            calls.append((node, node.func.id))
            return  # its arguments are checked as literals, not searched for more calls
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id not in functions:
            name = node.func.id
            close = difflib.get_close_matches(name, sorted(known | functions), n=1)
            issues.append(Issue(
                "", "unknown function or distribution",
                f"a distribution ({', '.join(sorted(known))}) or a formula function "
                f"({', '.join(sorted(functions))})", name, hint=f"Did you mean {close[0]!r}?" if close else ""))
        if isinstance(node, ast.Name) and (GENERATED.fullmatch(node.id) or node.id == OUTPUT):
            # costsim's own names for the calls and the result: written by the user, they would
            # silently mean the first call (inline_1_x) or the expression itself
            issues.append(Issue("", "unknown name", "a distribution call such as uniform(1, 2), year or pi", node.id,
                                hint=f"{node.id} is a name costsim uses for the expression's own parts; write "
                                     "the distribution itself."))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    found: list[InlineCall] = []
    spans = []
    for i, (node, func) in enumerate(sorted(calls, key=lambda c: (c[0].lineno, c[0].col_offset)), start=1):
        lo = starts[node.lineno - 1] + node.col_offset
        hi = starts[node.end_lineno - 1] + node.end_col_offset
        text = raw[lo:hi].decode("utf-8")
        kind = ALIASES.get(func, func)
        fields, problems = _fields(node, kind, text)
        issues.extend(problems)
        found.append(InlineCall(_param_name(i), text, kind, fields))
        spans.append((lo, hi, _param_name(i)))
    if issues:
        raise ScenarioError(SOURCE, issues)
    for lo, hi, name in reversed(spans):
        raw = raw[:lo] + name.encode() + raw[hi:]
    return raw.decode("utf-8"), found


def scenario_dict(expr: str, n: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED,
                  design: str = "mc") -> tuple[dict, list[InlineCall]]:
    """The scenario (as plain data) that evaluates ``expr``, and the inline calls it holds."""
    formula, calls = parse_inline(expr)
    params = {c.name: {"dist": c.kind, **c.fields} for c in calls}
    data = {"schema_version": 1, "name": "eval", "description": expr, "years": {"start": YEAR, "stop": YEAR},
            "samples": int(n), "seed": int(seed), "sampling": design, "params": params,
            "formulas": {OUTPUT: formula}, "outputs": [OUTPUT]}
    return data, calls


def _rehome(exc: ScenarioError, calls: list[InlineCall]) -> ScenarioError:
    """The same problems, named by what the user wrote instead of the generated scenario's paths."""
    by_name = {c.name: c.text for c in calls}
    issues = []
    for issue in exc.issues:
        path = issue.path
        head, _, rest = path.partition(".")
        if path == "outputs" or path.startswith("outputs["):
            continue  # "unknown output": only the echo of a formula that did not compile
        if head == "params":
            name, _, field = rest.partition(".")
            path = by_name.get(name, name) + (f".{field}" if field else "")
        elif head in ("formulas", "models") or path.startswith("models["):
            path = ""
        if "has no producer" in issue.problem:  # a name that is neither a call, year nor pi
            issue = Issue("", "unknown name", "a distribution call such as uniform(1, 2), year or pi", issue.got,
                          hint="Every uncertain quantity is written as a call; see costsim eval --help.")
        got = issue.got
        if isinstance(got, str):
            got = _as_written(got, calls)
        elif dataclasses.is_dataclass(got) and isinstance(getattr(got, "text", None), str):
            got = dataclasses.replace(got, text=_as_written(got.text, calls))  # a formula's quoted snippet
        issues.append(dataclasses.replace(issue, path=path, line=None, source=None, got=got,
                                          problem=_as_written(issue.problem, calls)))
    return ScenarioError(SOURCE, issues or list(exc.issues))


def _as_written(text: str, calls: list[InlineCall]) -> str:
    """``text`` with each generated parameter name replaced by the call it stands for."""
    for call in sorted(calls, key=lambda c: -len(c.name)):  # inline_12_x before inline_1_x
        text = text.replace(call.name, call.text)
    return text


def build(expr: str, n: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED, design: str = "mc") -> Scenario:
    """The validated Scenario evaluating ``expr``; a ScenarioError names the pieces as written."""
    data, calls = scenario_dict(expr, n, seed, design)
    try:
        with warnings.catch_warnings():
            # unit warnings would be about the generated name value_x (costsim's choice of
            # suffix), not about anything the user wrote
            warnings.simplefilter("ignore", CostsimWarning)
            return scenario_from_text(dump_yaml(data), source=SOURCE)
    except ScenarioError as exc:
        raise _rehome(exc, calls) from None


def estimate(expr: str, n: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED, design: str = "mc") -> Results:
    """Evaluate an expression with inline distributions: the Results of its one-formula scenario."""
    scenario = build(expr, n, seed, design)
    try:
        return run(scenario, n=n, seed=seed)
    except ModelError as exc:
        text = _as_written(str(exc), parse_inline(expr)[1])
        raise ModelError(text.replace(f"formulas.{OUTPUT} -> {OUTPUT}: ", "the expression: ")) from None


def values(results: Results) -> np.ndarray:
    """The estimate's samples, ``(n,)``."""
    x = np.asarray(results.at_year(OUTPUT, YEAR), dtype=float)
    return x.reshape(x.shape[0], -1)[:, 0] if x.ndim > 1 else x


def histogram(x: np.ndarray, bins: int = 12, width: int = 40) -> list[str]:
    """A text histogram of the central 99% of ``x`` (all of it below 200 samples; log-spaced bins when it
    spans decades)."""
    x = x[np.isfinite(x)]
    if not x.size:
        return []
    # below 200 samples the 0.5% tails hold no whole sample: interpolated quantiles would cut off the
    # extremes themselves (n=2: both samples "beyond these bins", an empty histogram)
    lo, hi = np.quantile(x, [0.005, 0.995]) if x.size >= 200 else (float(x.min()), float(x.max()))
    if not hi > lo:
        return [f"  every sample is {lo:.4g}"]
    log = lo > 0 and hi / lo > 100
    edges = np.geomspace(lo, hi, bins + 1) if log else np.linspace(lo, hi, bins + 1)
    counts, _ = np.histogram(x, edges)
    top = max(int(counts.max()), 1)
    lines = []
    for left, count in zip(edges[:-1], counts, strict=True):
        bar = "#" * int(round(width * count / top))
        lines.append(f"  {left:>10.3g} | {bar:<{width}} {count / x.size:6.1%}")
    outside = int(np.sum((x < lo) | (x > hi)))
    scale = ", log scale" if log else ""
    lines.append(f"  {hi:>10.3g} |  ({outside / x.size:.1%} of samples beyond these bins{scale})")
    return lines


__all__ = ["ALIASES", "InlineCall", "build", "estimate", "histogram", "parse_inline", "scenario_dict", "values"]
