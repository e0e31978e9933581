"""The validated scenario's frozen types: ``Scenario``, its ``Param``s and ``Check``s.

Built only by :func:`costsim.scenario.validator.validate` (through ``load_scenario`` or
``scenario_from_text``); consumers read these, never the raw YAML.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from costsim.distributions import Dist
from costsim.graph import Node
from costsim.scenario.sections import Axis, PlotSpec, SensitivitySpec


@dataclass(frozen=True)
class Param:
    """A scenario parameter: a distribution (or constant) with its provenance."""

    name: str
    dist: Dist
    source: str = ""
    note: str = ""
    clip_min: float | None = None
    clip_max: float | None = None
    from_claim: tuple[str, ...] = ()  # fields (low, high, value, mode) the cited claim supplied

    @property
    def is_constant(self) -> bool:
        return self.dist.is_constant

    @property
    def value(self) -> float:
        return float(self.dist.f["value"])


@dataclass(frozen=True)
class Check:
    """An expectation about a statistic of an output; makes a scenario a testable claim."""

    claim: str
    output: str
    year: int | None
    bloc: str | None
    stat: str  # mean | median | sd | pNN | q0.xx | probability
    event: tuple[str, float, float] | None  # ("above"|"below"|"between", a, b)
    test: tuple[str, float, float]  # ("above"|"below"|"between", a, b)
    line: int | None = None


@dataclass(frozen=True)
class Scenario:
    """A validated scenario. Build it with :func:`load_scenario` or :func:`scenario_from_text`."""

    name: str
    description: str
    source: str
    years: np.ndarray
    samples: int
    seed: int
    sampling: str
    params: dict[str, Param]
    correlations: tuple[tuple[str, str, float], ...]
    nodes: tuple[Node, ...]
    outputs: tuple[str, ...]
    checks: tuple[Check, ...]
    blocs: tuple[str, ...]
    summary_years: tuple[int, ...]
    raw: dict = field(repr=False, default_factory=dict)
    texts: tuple[tuple[str, str], ...] = ()  # (path, text) of every file in the extends chain
    overrides: tuple[str, ...] = ()
    lines: dict = field(repr=False, default_factory=dict)
    plugins: tuple[str, ...] = ()  # absolute paths of the plugin files loaded before validation
    # the analysis sections, checked by the same pass (consumers read these, never ``raw``)
    plots: tuple[PlotSpec, ...] | None = None  # None: no plots: key, the report picks defaults
    sweeps: tuple[Axis, ...] = ()
    sensitivity: SensitivitySpec | None = None
    formulas: dict = field(repr=False, default_factory=dict)  # output name -> expression text
    fit_params: dict = field(repr=False, default_factory=dict)  # name -> raw spec of each fit: parameter
    as_of: float | None = None
    outputs_listed: bool = False  # the scenario has an outputs: list (else: every produced name)
    strict_units: bool = True

    @property
    def uncertain(self) -> list[str]:
        """Names of the sampled (non-constant) parameters, in file order."""
        return [n for n, p in self.params.items() if not p.is_constant]

    @property
    def constants(self) -> dict[str, float]:
        return {n: p.value for n, p in self.params.items() if p.is_constant}

    @property
    def text_hash(self) -> str:
        h = hashlib.sha256()
        for path, text in self.texts:
            h.update(path.encode() + b"\0" + text.encode() + b"\0")
        for o in self.overrides:
            h.update(o.encode() + b"\0")
        return h.hexdigest()

    def output_axes(self) -> dict[str, tuple[str, ...] | None]:
        """Declared axes of every produced name (None for formulas: known after evaluation)."""
        return {out: node.axes_of(out) for node in self.nodes for out in node.outputs}
