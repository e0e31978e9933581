"""Wire models and formulas by name, order them (graphlib), and evaluate them over arrays.

A *node* is one use of a registered model (or a compiled formula) in a scenario, with optional
``bind`` (input -> another name or a constant) and ``rename`` (output -> new name). The wiring
rule is exact names: an input is fed by a parameter, ``year``, or exactly one node's output.
"""

from __future__ import annotations

import difflib
import graphlib
from dataclasses import dataclass, field

import numpy as np

from costsim.errors import CostsimError, Issue, ModelError
from costsim.registry import ModelSpec

BUILTIN_NAMES = ("year",)


@dataclass(frozen=True)
class Node:
    """One model or formula in a scenario's graph."""

    label: str  # "models[2] (training_cost)" or "formulas.training_cost_usd"
    path: str  # scenario path used in messages: "models[2]" or "formulas.training_cost_usd"
    spec: ModelSpec
    bind: dict[str, object] = field(default_factory=dict)
    rename: dict[str, str] = field(default_factory=dict)
    line: int | None = None

    @property
    def outputs(self) -> tuple[str, ...]:
        return tuple(self.rename.get(o, o) for o in self.spec.outputs)

    def source_of(self, name: str) -> object:
        """The variable name (str) or constant (float) that feeds input ``name``."""
        return self.bind.get(name, name)

    def axes_of(self, out_name: str) -> tuple[str, ...] | None:
        inverse = {v: k for k, v in self.rename.items()}
        if self.spec.origin == "formula":
            return None  # inferred from the evaluated shape
        return self.spec.axes_of(inverse.get(out_name, out_name))


def wire(nodes: list[Node], param_names: set[str], lines: dict[str, int] | None = None
         ) -> tuple[list[Node], dict[str, Node], list[Issue]]:
    """Order nodes so every input is produced before use; collect wiring problems.

    Returns (ordered nodes, {output name: producing node}, issues).
    """
    lines = lines or {}
    issues: list[Issue] = []
    producer: dict[str, Node] = {}
    for node in nodes:
        for out in node.outputs:
            if out in param_names:
                issues.append(Issue(node.path, f"output {out!r} has the same name as a parameter",
                                    "a name produced in one place only", out, line=node.line,
                                    hint="Rename the output with rename: or drop the parameter."))
            elif out in producer:
                issues.append(Issue(node.path, f"output {out!r} is also produced by {producer[out].label}",
                                    "each output produced by one model", out, line=node.line,
                                    hint="Use rename: {" + f"{out}: another_name" + "} on one of them."))
            else:
                producer[out] = node
    known = set(param_names) | set(producer) | set(BUILTIN_NAMES)
    deps: dict[int, set[int]] = {}
    index = {id(n): i for i, n in enumerate(nodes)}
    for i, node in enumerate(nodes):
        deps[i] = set()
        for inp in node.spec.inputs:
            src = node.source_of(inp)
            if not isinstance(src, str):
                continue
            if src in producer:
                deps[i].add(index[id(producer[src])])
            elif src not in known:
                # never the node's own outputs: a node cannot read what it produces
                close = difflib.get_close_matches(src, sorted(known - set(node.outputs)), n=1, cutoff=0.75)
                where = f"{node.path}.bind.{inp}" if inp in node.bind else node.path
                issues.append(Issue(
                    where, f"input {src!r} of {node.spec.name!r} has no producer",
                    "a parameter or a model output with that exact name", src,
                    line=lines.get(where, node.line),
                    hint=f"Did you mean {close[0]!r}?" if close else
                    f"Add it under params: or add a model that outputs it (see `costsim models`)."))
    if issues:
        return list(nodes), producer, issues
    sorter = graphlib.TopologicalSorter({i: deps[i] for i in deps})
    try:
        order = list(sorter.static_order())
    except graphlib.CycleError as exc:
        cycle = exc.args[1]
        names = " -> ".join(nodes[i].label for i in cycle)
        return list(nodes), producer, [Issue(nodes[cycle[0]].path, f"model cycle: {names}",
                                             line=nodes[cycle[0]].line,
                                             hint="Break the loop: one of these must come from a parameter.")]
    return [nodes[i] for i in order], producer, []


@dataclass
class BadValues:
    """Running tally of non-finite values of one output across chunks."""

    node: Node
    name: str
    count: int = 0
    total: int = 0
    first_sample: int = -1
    first_index: tuple = ()
    first_value: float = 0.0
    first_inputs: dict = field(default_factory=dict)
    per_sample: int = 1


def evaluate(ordered: list[Node], env: dict[str, object], *, offset: int = 0,
             bad: dict[str, BadValues] | None = None, dims: tuple[int, int, int] | None = None
             ) -> dict[str, object]:
    """Evaluate nodes in order over the arrays in ``env`` (modified in place and returned).

    ``offset`` is the index of this chunk's first sample, used in messages. Non-finite outputs
    are tallied into ``bad`` (name -> BadValues) rather than raised on the first element.

    ``dims`` (samples, years, blocs of the chunk): each model output is checked against its
    declared axes (:func:`conform`) before any other model reads it, so a wrong shape is an error
    naming the model instead of numpy broadcasting it into other numbers; and every output is
    passed on read-only, so a model that writes into its inputs fails instead of changing what
    later models read.

    Constants reach models as ``numpy.float64`` (a ``float`` subclass, same IEEE arithmetic), so
    ``a / 0.0`` or ``10.0 ** 400`` in a model gives inf, which is reported like any non-finite
    output, instead of raising ZeroDivisionError or OverflowError as Python floats do.
    """
    for node in ordered:
        kwargs = {}
        for inp in node.spec.inputs:
            src = node.source_of(inp)
            value = env[src] if isinstance(src, str) else src
            kwargs[inp] = np.float64(value) if type(value) is float or type(value) is int else value
        try:
            result = node.spec.func(**kwargs)
        except ModelError:
            raise  # already says which model and why (a formula's own messages)
        except (ValueError, TypeError, IndexError, FloatingPointError, ZeroDivisionError) as exc:
            if isinstance(exc, ValueError) and "read-only" in str(exc):
                raise ModelError(f"{node.label} writes into one of its inputs{_raised_at(exc, node)}; a model must "
                                 "not change what it reads (year, parameters, other models' outputs are "
                                 "read-only): compute a new array instead") from exc
            raise ModelError(f"{node.label} failed: {type(exc).__name__}: {exc}{_raised_at(exc, node)}") from exc
        except MemoryError as exc:
            raise ModelError(f"{node.label} ran out of memory{_raised_at(exc, node)}; run fewer samples (-n) or keep "
                             "fewer outputs") from exc
        except CostsimError:
            raise  # raised on purpose, with its own message and exit code
        except Exception as exc:  # any other error of a model (a plugin's own bug): where it was raised
            raise ModelError(f"{node.label} failed: {type(exc).__name__}: {exc}{_raised_at(exc, node)}") from exc
        except SystemExit as exc:  # a model that exits would end costsim with its code and nothing said
            raise ModelError(f"{node.label} called sys.exit({exc.code!r}) while evaluating{_raised_at(exc, node)}; "
                             "a model returns its outputs or raises an error") from exc
        if not isinstance(result, dict) or set(result) != set(node.spec.outputs):
            got = sorted(result) if isinstance(result, dict) else type(result).__name__
            raise ModelError(f"{node.label} returned {got!r}; expected a dict with keys "
                             f"{sorted(node.spec.outputs)!r}")
        for out, value in result.items():
            name = node.rename.get(out, out)
            if not isinstance(value, np.ndarray):
                try:
                    value = np.asarray(value, dtype=float)
                except (TypeError, ValueError) as exc:
                    raise ModelError(f"{node.label} returned {out!r} as {type(value).__name__}; expected numbers "
                                     f"(an array or a float): {exc}") from exc
            elif value.dtype.kind not in _NUMERIC_KINDS:
                raise ModelError(f"{node.label} returned {out!r} as an array of {value.dtype} ({value.dtype.kind!r}); "
                                 "expected numbers (float, int or bool)")
            if dims is not None:
                if node.spec.origin != "formula":  # a formula's shape follows its inputs' (bound axes)
                    value = conform(node, out, value, dims)
                value = read_only(value)
            env[name] = value
            if bad is not None and not np.isfinite(value).all():
                _tally(bad, node, name, value, kwargs, offset)
    return env


def read_only(arr: np.ndarray) -> np.ndarray:
    """A read-only view of ``arr`` (its own data untouched): what models read, so none writes into it."""
    if not arr.flags.writeable:
        return arr
    view = arr.view()
    view.flags.writeable = False
    return view


def conform(node: Node, out: str, value: np.ndarray, dims: tuple[int, int, int]) -> np.ndarray:
    """``value`` as model output ``out`` of ``node``: checked against its declared axes.

    With the chunk's ``dims`` (m samples, T years, B blocs), an output of axes ``ax`` must have
    one dimension per axis after the samples', each of its full size or 1 (constant along it); a
    0-d value is a constant. A per-sample output (axes ``()``) may be ``(m,)``, as the docs allow:
    it is passed on as ``(m, 1)``, the shape of a parameter, so no later model reads its samples
    along the year axis.
    """
    m, t, b = dims
    axes = node.spec.axes_of(out)
    target = (m,) + tuple(t if a == "year" else b for a in axes)
    shape = value.shape
    if not shape:
        return value
    if value.size == 1:  # a constant, whatever its number of dimensions: one 1 per axis (samples (m, 1))
        return value.reshape((1,) * max(len(target), 2))
    if axes == () and len(shape) == 1 and shape[0] == m:
        return value.reshape(m, 1)
    if axes == ("bloc",) and len(shape) == 3 and shape[1] == 1 and shape[0] in (m, 1) and shape[2] in (b, 1):
        return value.reshape(shape[0], shape[2])  # a reduction over the years with keepdims: passed on as (m, B)
    if len(shape) == len(target) and all(d in (full, 1) for d, full in zip(shape, target, strict=True)):
        return value
    if axes == () and len(shape) == 2 and shape[0] in (m, 1) and shape[1] == 1:
        return value
    names = ", ".join(("samples",) + tuple(axes))
    raise ModelError(f"{node.label} returned {out!r} with shape {shape}; expected {target} ({names}), or 1 along "
                     f"any of them (declared axes: {axes or 'per sample'})")


_NUMERIC_KINDS = frozenset("fiub")  # float, int, unsigned, bool: what np.isfinite and the statistics read


def _raised_at(exc: BaseException, node: Node) -> str:
    """`` (at FILE:LINE)``: the innermost line of the model's own file that ``exc`` passed through
    (the plugin's line, not numpy's or importlib's), else the innermost frame; '' without one."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    code = getattr(node.spec.func, "__code__", None)
    own = [f for f in frames if code is not None and f.filename == code.co_filename]
    frame = (own or frames[-1:] or [None])[-1]
    return f" (at {frame.filename}:{frame.lineno})" if frame is not None else ""


def _tally(bad, node, name, value, kwargs, offset):
    mask = ~np.isfinite(value)
    entry = bad.setdefault(name, BadValues(node, name))
    entry.count += int(np.count_nonzero(mask))
    entry.total += int(value.size)
    entry.per_sample = int(value.size // value.shape[0]) if value.ndim else 1
    if entry.first_sample < 0:
        idx = tuple(int(i) for i in np.argwhere(mask)[0])
        entry.first_sample = offset + (idx[0] if value.ndim and value.shape[0] > 1 else 0)
        entry.first_index = idx
        entry.first_value = float(value[idx])
        row = idx[0] if value.ndim else 0
        for k, v in kwargs.items():
            arr = np.asarray(v)
            if arr.ndim and arr.shape[0] > 1:
                arr = arr[row]
            elif arr.ndim:
                arr = arr[0]
            flat = arr.ravel()
            if flat.size == 1:
                entry.first_inputs[k] = float(flat[0])
            else:  # the first values, and how many there are (a row of 11 years is not one of 6)
                shown = ", ".join(f"{float(x):.6g}" for x in flat[:6])
                entry.first_inputs[k] = f"[{shown}{f', ... ({flat.size} values)' if flat.size > 6 else ''}]"
