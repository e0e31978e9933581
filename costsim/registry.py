"""The ``@model`` registry: pure vectorized functions with named inputs and outputs.

A model is a module-level function with keyword-only arguments. Its argument names are its
inputs and ``outputs=`` names what it returns (a dict with exactly those keys). The engine
wires models to parameters and to each other by these names (see ``costsim.graph``).

Axes: every input arrives with a leading sample axis. Per-sample parameters arrive as
``(n, 1)``, ``year`` as ``(1, T)``, constants as Python floats. An output's shape is
``(n,) + axes`` where ``axes`` defaults to ``("year",)``; a model that reports per bloc
declares ``axes={"x_flop": ("year", "bloc")}`` and returns ``(n, T, B)``, and a per-sample
scalar (a crossing year, say) declares ``()`` or ``("bloc",)``.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from costsim.errors import RegistryError
from costsim.units import unit_of

AXES_ALLOWED = {(), ("year",), ("bloc",), ("year", "bloc")}
_INTERVAL = re.compile(r"^\s*([\[(])\s*([^,\s]+)\s*,\s*([^,\s]+)\s*([\])])\s*$")


@dataclass(frozen=True)
class Domain:
    """The values a model input may take: an interval, each end open or closed (``"(1, inf)"``)."""

    low: float
    high: float
    low_open: bool
    high_open: bool

    @classmethod
    def parse(cls, text: str) -> Domain:
        """Read interval notation: ``"(1, inf)"``, ``"[0, 1]"``, ``"(0, inf)"``, ``"[-inf, 0)"``."""
        match = _INTERVAL.match(text) if isinstance(text, str) else None
        try:
            low, high = (float(match.group(2)), float(match.group(3))) if match else (None, None)
        except ValueError:
            low = high = None
        if match is None or low is None or not low < high:
            raise ValueError(f"expected an interval such as '(1, inf)' or '[0, 1]', got {text!r}")
        return cls(low, high, match.group(1) == "(", match.group(4) == ")")

    def contains(self, value: float) -> bool:
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return bool(above and below)

    def describe(self) -> str:
        """The rule as an error message states it: ``> 1``, ``0 <= value <= 1``."""
        lo = "" if self.low == float("-inf") else f"{self.low:g} {'<' if self.low_open else '<='} "
        hi = "" if self.high == float("inf") else f" {'<' if self.high_open else '<='} {self.high:g}"
        if lo and hi:
            return f"{lo}value{hi}"
        if lo:
            return f"{'>' if self.low_open else '>='} {self.low:g}"
        return f"{'<' if self.high_open else '<='} {self.high:g}"


@dataclass(frozen=True)
class ModelSpec:
    """A registered model: its function, the names it reads and writes, and where it came from."""

    name: str
    func: Callable[..., dict]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    axes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    origin: str = "builtin"
    meanings: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    domains: dict[str, Domain] = field(default_factory=dict)  # input -> the values it may take
    yearly_steps: bool = False  # its outputs sum or compound per step of years: (valid for step 1 only)

    def axes_of(self, output: str) -> tuple[str, ...]:
        """Axes of an output after the sample axis (default: years)."""
        return self.axes.get(output, ("year",))


MODELS: dict[str, ModelSpec] = {}

_PARAM_LINE = re.compile(r"^\s{0,8}([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$")


def _docstring_meanings(doc: str | None) -> dict[str, str]:
    """Read ``name : type`` entries and the first line of their description from numpydoc."""
    meanings: dict[str, str] = {}
    if not doc:
        return meanings
    lines = inspect.cleandoc(doc).splitlines()
    current = None
    for line in lines:
        match = _PARAM_LINE.match(line)
        if match and not line.startswith(" "):
            current = match.group(1)
            meanings.setdefault(current, "")
            continue
        if current and line.strip() and line.startswith(" ") and not meanings[current]:
            meanings[current] = line.strip()
        elif not line.strip():
            current = None if current and meanings.get(current) else current
    return {k: v for k, v in meanings.items() if v}


def model(*, outputs: tuple[str, ...], axes: dict[str, tuple[str, ...]] | None = None,
          origin: str | None = None, name: str | None = None, domains: dict[str, str] | None = None,
          yearly_steps: bool = False):
    """Register a pure, vectorized model function under its own name.

    Parameters
    ----------
    outputs : tuple of str
        Names of the arrays the function returns, each with a unit suffix.
    axes : dict, optional
        Output name -> axes after the sample axis, for outputs not shaped ``(n, T)``.
    origin : str, optional
        Where the model comes from (set by the plugin loader); default ``builtin``.
    name : str, optional
        Registry name; default the function's ``__name__``.
    domains : dict, optional
        Input name -> the interval it must lie in, in interval notation (``{"decline_x_per_year":
        "(1, inf)"}``). The scenario validator checks constants and the range each distribution
        draws from against it (an exit-2 error naming the parameter), so the model body need not.
    yearly_steps : bool, optional
        True for a model whose outputs sum or compound over the steps of ``year`` as if each step
        were one year (a stock adding each step's flow, a recurrence stepping once per year): the
        scenario validator refuses a scenario whose ``years: step`` is not 1 when such a model is in
        its graph, instead of printing a stock 1.2-1.3x too high at step 2.
    """
    if not isinstance(yearly_steps, bool):
        raise RegistryError(f"yearly_steps must be True or False, got {yearly_steps!r}")
    axes = dict(axes or {})
    domains = dict(domains or {})

    def register(func):
        model_name = name or func.__name__
        params = inspect.signature(func).parameters.values()
        if any(p.kind is not inspect.Parameter.KEYWORD_ONLY for p in params):
            raise RegistryError(
                f"model {model_name!r}: every argument must be keyword-only; "
                "expected a signature starting with '*'"
            )
        if any(p.default is not inspect.Parameter.empty for p in params):
            raise RegistryError(
                f"model {model_name!r}: arguments may not have defaults; "
                "expected numbers to come from scenarios"
            )
        inputs = tuple(p.name for p in params)
        for var in inputs + tuple(outputs):
            unit_of(var)
        for out, ax in axes.items():
            if out not in outputs:
                raise RegistryError(f"model {model_name!r}: axes names {out!r}, which is not an output")
            if tuple(ax) not in AXES_ALLOWED:
                raise RegistryError(
                    f"model {model_name!r}: axes of {out!r}; expected one of {sorted(AXES_ALLOWED)}, got {ax!r}"
                )
        parsed_domains = {}
        for var, text in domains.items():
            if var not in inputs:
                raise RegistryError(f"model {model_name!r}: domains names {var!r}, which is not an input; "
                                    f"expected one of {', '.join(inputs)}")
            try:
                parsed_domains[var] = Domain.parse(text)
            except ValueError as exc:
                raise RegistryError(f"model {model_name!r}: domain of {var!r}: {exc}") from None
        where = origin or ("builtin" if func.__module__.startswith("costsim.") else func.__module__)
        if model_name in MODELS and MODELS[model_name].func is not func:
            prev = MODELS[model_name]
            if prev.func.__module__ != func.__module__ or prev.func.__qualname__ != func.__qualname__:
                raise RegistryError(
                    f"model {model_name!r} is already defined in {prev.origin} ({prev.func.__module__}); "
                    "expected a new name"
                )
        doc = inspect.getdoc(func) or ""
        MODELS[model_name] = ModelSpec(
            name=model_name,
            func=func,
            inputs=inputs,
            outputs=tuple(outputs),
            axes={k: tuple(v) for k, v in axes.items()},
            origin=where,
            meanings=_docstring_meanings(doc),
            summary=doc.splitlines()[0] if doc else "",
            domains=parsed_domains,
            yearly_steps=yearly_steps,
        )
        return func

    return register


def load_builtin_models() -> dict[str, ModelSpec]:
    """Import the built-in model families (which register themselves) and return the registry."""
    import costsim.models  # noqa: F401  (import registers)

    return MODELS
