"""Scenario files -> a validated, frozen ``Scenario`` (or one ScenarioError listing every problem).

Stages: read text (``yamlio``) -> resolve ``extends`` (key-by-key deep merge, cycles named) ->
apply ``--set`` overrides (``scenario.reading``) -> validate every key, collecting Issues
(``scenario.validator``), with claim defaults (``scenario.claims``), policy presets
(``scenario.policy``) and the analysis sections (``scenario.sections``) -> wire the models by
name. The result's types live in ``scenario.spec``; this package re-exports the public names.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from costsim.errors import Issue, ScenarioError
from costsim.registry import MODELS  # noqa: F401 (re-exported, as before the split)
from costsim.scenario.claims import claims_index
from costsim.scenario.reading import MAX_EXTENDS, Loc, _load_chain, apply_override
from costsim.scenario.sections import TOP_KEYS, Axis, PlotSpec, SensitivitySpec  # noqa: F401
from costsim.scenario.spec import Check, Param, Scenario
from costsim.scenario.validator import (  # noqa: F401 (the validator's public names, re-exported)
    CHECK_KEYS,
    CLAIM_ONLY_KEYS,
    DOMAIN_TAIL,
    MAX_SAMPLES,
    MAX_YEARS,
    PARAM_META,
    SAMPLINGS,
    SCHEMA_VERSION,
    STAT_RE,
    validate,
)
from costsim.yamlio import read_text

__all__ = [
    "CHECK_KEYS", "MAX_EXTENDS", "PARAM_META", "SAMPLINGS", "SCHEMA_VERSION", "TOP_KEYS", "Check", "Param",
    "Scenario", "apply_override", "claims_index", "load_raw", "load_scenario", "scenario_from_text", "validate",
]


def load_scenario(path: str | Path, overrides: list[str] | tuple[str, ...] = (), *,
                  reader: Callable[[Path], str] | None = None, plugins=(), source: str | None = None,
                  strict: bool = False) -> Scenario:
    """Read, merge (``extends``), override (``--set``) and validate a scenario file.

    ``plugins``: plugin files to load first (recorded on the Scenario); ``source``: the name to
    report (default: the path).
    """
    path = Path(path)
    source = source or str(path)
    data, lines, texts = _load_chain(path, source, reader, ())
    issues: list[Issue] = []
    for assignment in overrides:
        issues.extend(apply_override(data, assignment))
    if issues:
        raise ScenarioError(source, issues)
    return validate(data, lines, source, path.parent, tuple(texts), tuple(overrides), plugins, strict=strict)


def scenario_from_text(text: str, source: str = "<string>", overrides=(), base_dir: str | Path = ".", *,
                       plugins=(), strict: bool = False) -> Scenario:
    """Validate a scenario given as YAML text (``extends`` resolved relative to ``base_dir``)."""
    base = Path(base_dir)
    virtual = base / "<string>.yaml"

    def reader(p: Path) -> str:
        if p == virtual:
            return text
        return read_text(p, str(p))

    data, lines, texts = _load_chain(virtual, source, reader, ())
    issues: list[Issue] = []
    for assignment in overrides:
        issues.extend(apply_override(data, assignment))
    if issues:
        raise ScenarioError(source, issues)
    return validate(data, lines, source, base, tuple(texts), tuple(overrides), plugins, strict=strict)


def load_raw(path: str | Path, reader: Callable[[Path], str] | None = None, source: str | None = None
             ) -> tuple[dict, dict[str, Loc], list[tuple[str, str]]]:
    """Read a scenario file and its ``extends`` chain, merged but not validated.

    Returns (data, {path: (file, line)}, [(file, text), ...]); ``validate`` turns the data into a
    Scenario. Sweeps use it to parse once and validate many variants.
    """
    return _load_chain(Path(path), source or str(path), reader, ())
