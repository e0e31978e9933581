"""Policy presets of the compute race: ``costsim/data/policies.yaml`` -> parameter specs.

A scenario's ``policy: {preset: NAME, override: {...}}`` is expanded here, in the scenario
layer, into ``params:`` entries before validation; the models only see the parameters
(:data:`costsim.models.compute_race.POLICY_PARAMS`). The file is read through
:mod:`costsim.yamlio`, like every other YAML text.
"""

from __future__ import annotations

import copy
import difflib
import functools
from importlib import resources

from costsim.errors import Issue, ScenarioError
from costsim.models.compute_race import POLICY_PARAMS
from costsim.yamlio import load_yaml

__all__ = ["POLICY_PARAMS", "expand_policy", "load_policies", "policy_params"]

_POLICY_KEYS = ("preset", "override")
_POLICIES_FILE = "costsim/data/policies.yaml"


def _check_numbers(node, path: str, issues: list[Issue]) -> None:
    """Flag strings where a spec needs a number (a quoted "1e5" stays text)."""
    if isinstance(node, dict):
        for key, value in node.items():
            _check_numbers(value, f"{path}.{key}", issues)
    elif isinstance(node, str) and _is_numeric_field(path):
        issues.append(Issue(path, "must be a number", "a number (write 1.0e+5)", node, source=_POLICIES_FILE))


def _is_numeric_field(path: str) -> bool:
    """True for the fields of a parameter spec that hold numbers."""
    return path.rsplit(".", 1)[-1] in {"value", "low", "high", "mode", "mean", "sd", "mu", "sigma",
                                       "credibility", "a", "b", "lamb", "min", "max", "scale"}


@functools.lru_cache(maxsize=1)
def _policies_cached() -> dict:
    text = resources.files("costsim").joinpath("data", "policies.yaml").read_text(encoding="utf-8")
    data, _ = load_yaml(text, _POLICIES_FILE)
    issues: list[Issue] = []
    presets = data.get("presets") if isinstance(data, dict) else None
    if not isinstance(presets, dict) or not presets:
        raise ScenarioError(_POLICIES_FILE, [Issue("presets", "must be a mapping of preset names",
                                                   "a mapping", presets)])
    for name, preset in presets.items():
        params = preset.get("params") if isinstance(preset, dict) else None
        if not isinstance(params, dict):
            issues.append(Issue(f"presets.{name}.params", "must be a mapping", "a mapping", params))
            continue
        missing = [p for p in POLICY_PARAMS if p not in params]
        extra = [p for p in params if p not in POLICY_PARAMS]
        if missing:
            issues.append(Issue(f"presets.{name}.params", "misses policy parameters",
                                f"all of {', '.join(POLICY_PARAMS)}", missing))
        if extra:
            issues.append(Issue(f"presets.{name}.params", "has unknown parameters",
                                f"only {', '.join(POLICY_PARAMS)}", extra))
        _check_numbers(params, f"presets.{name}.params", issues)
    if issues:
        raise ScenarioError(_POLICIES_FILE, issues)
    return presets


def load_policies() -> dict:
    """Return the policy presets of ``costsim/data/policies.yaml``: ``{name: {description, params}}``.

    A fresh deep copy on every call, so callers may change it freely.
    """
    return copy.deepcopy(_policies_cached())


def _hint(name: object, choices) -> str:
    close = difflib.get_close_matches(str(name), list(choices), n=1)
    return f"Did you mean {close[0]!r}?" if close else ""


def _expand(raw, lines: dict | None) -> tuple[dict, list[Issue]]:
    lines = lines or {}

    def issue(path, problem, expected=None, got=None, hint=""):
        return Issue(path, problem, expected, got, line=lines.get(path), hint=hint)

    if not isinstance(raw, dict):
        return {}, [issue("policy", "must be a mapping", "{preset: <name>, override: {...}}", raw)]
    issues = [issue(f"policy.{key}", "unknown key", f"one of {', '.join(_POLICY_KEYS)}", key,
                    _hint(key, _POLICY_KEYS)) for key in raw if key not in _POLICY_KEYS]
    presets = _policies_cached()
    name = raw.get("preset")
    if not isinstance(name, str) or name not in presets:
        expected = f"one of {', '.join(sorted(presets))}"
        problem = "is required" if "preset" not in raw else "unknown policy preset"
        issues.append(issue("policy.preset", problem, expected, name, _hint(name, presets)))
    override = raw.get("override") or {}
    if not isinstance(override, dict):
        issues.append(issue("policy.override", "must be a mapping of policy parameters",
                            "{name: number or parameter spec}", override))
        override = {}
    for key, spec in override.items():
        if key not in POLICY_PARAMS:
            issues.append(issue(f"policy.override.{key}", "not a policy parameter",
                                f"one of {', '.join(POLICY_PARAMS)}", key, _hint(key, POLICY_PARAMS)))
        elif isinstance(spec, bool) or not isinstance(spec, (int, float, dict)):
            issues.append(issue(f"policy.override.{key}", "must be a number or a parameter spec",
                                "a number or {dist: ..., ...}", spec))
    if not isinstance(name, str) or name not in presets:
        return {}, issues
    params = copy.deepcopy(presets[name]["params"])
    for key, spec in override.items():
        if key in POLICY_PARAMS and isinstance(spec, (int, float, dict)) and not isinstance(spec, bool):
            params[key] = copy.deepcopy(spec)
    return params, issues


def policy_params(preset_name: str, overrides: dict | None = None) -> dict:
    """Parameter specs of a policy preset, with some of them replaced.

    Parameters
    ----------
    preset_name : str
        A preset of ``costsim/data/policies.yaml`` (``no_controls``, ``rules_2022``,
        ``rules_2023``, ``strict``, ``leaky``, ...).
    overrides : dict, optional
        Policy parameter -> a number or a parameter spec (``{dist: ..., source: ...}``); each
        replaces the preset's spec whole.

    Returns
    -------
    dict
        One spec per name in :data:`POLICY_PARAMS`, in the scenario ``params:`` format.

    Raises
    ------
    ScenarioError
        For an unknown preset or override name (with a "did you mean" hint).

    Examples
    --------
    >>> policy_params("strict")["allowed_import_frac"]["value"]
    0.0
    >>> policy_params("strict", {"leak_frac": 0.01})["leak_frac"]
    0.01
    """
    params, issues = _expand({"preset": preset_name, "override": dict(overrides or {})}, None)
    if issues:
        raise ScenarioError("policy", issues)
    return params


def expand_policy(raw_policy_mapping, lines: dict | None = None) -> tuple[dict, list[Issue]]:
    """Expand a scenario's ``policy:`` value into parameter specs, collecting problems.

    ``policy: {preset: strict, override: {leak_frac: {dist: uniform, low: 0.0, high: 0.02}}}``
    gives the preset's spec for every name in :data:`POLICY_PARAMS`, each override replacing
    the preset's spec whole. The scenario loader merges the result into ``params`` before
    validation (see ``docs/EXPORT_CONTROLS.md`` for the rules).

    Parameters
    ----------
    raw_policy_mapping : object
        The raw value of the scenario's ``policy`` key.
    lines : dict, optional
        ``{dotted.path: line}`` from the YAML reader, to put lines on the issues.

    Returns
    -------
    (dict, list of Issue)
        The parameter specs and the issues, with paths under ``policy.`` (``policy.preset``,
        ``policy.override.<name>``). With a known preset the specs are complete even when some
        override is wrong (the preset's spec stands in for it), so the loader reports only the
        real problem; with an unknown preset they are empty.
    """
    return _expand(raw_policy_mapping, lines)
