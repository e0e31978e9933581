"""A JSON Schema (draft 2020-12) of scenario files, generated from the validator's own tables.

Every key set, enum and distribution field comes from the tables the validator uses
(``TOP_KEYS``, ``DISTRIBUTIONS``, ``KINDS``, ``ENTRY_KEYS``, ``SENSITIVITY_KEYS``, the policy
presets...), and ``tests/test_schema.py`` checks that the schema accepts every bundled scenario
and example and refuses one file per class of mistake. What a schema cannot say (a sweep over a
parameter the scenario lacks, an impossible correlation matrix, ``min`` above ``max``) only
``costsim validate`` reports.

Point an editor at it with a first line ``# yaml-language-server: $schema=costsim.schema.json``
after ``costsim schema -o costsim.schema.json``.
"""

from __future__ import annotations

from costsim.distributions import DISTRIBUTIONS, NON_NUMERIC_FIELDS
from costsim.scenario import CHECK_KEYS, PARAM_META, SAMPLINGS, TOP_KEYS
from costsim.scenario.sections import ENTRY_KEYS, KINDS, SENSITIVITY_KEYS, SENSITIVITY_METHODS

_NUM = {"type": "number"}
_INT = {"type": "integer"}
_META = {"source": {"type": "string"}, "note": {"type": "string"}, "min": _NUM, "max": _NUM}
_SCALAR = {"type": ["number", "string", "boolean"]}


# Top-level keys the validator reads as absent when they are null (tests/test_schema.py checks the
# validator agrees, key by key).
NULLABLE_KEYS = ("extends", "summary_years", "correlations", "models", "outputs", "checks", "plots", "sweeps",
                 "sensitivity", "policy", "data", "as_of")


def _dist_schema(name: str) -> dict:
    kind = DISTRIBUTIONS[name]
    props = {"dist": {"const": name}, **_META}
    for f in (*kind.required, *kind.optional):
        props[f] = {"type": "array", "items": _NUM} if f in NON_NUMERIC_FIELDS else _NUM
    required = ["dist", *kind.required] if name != "constant" else ["value"]
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


def _param_schema() -> dict:
    numeric = sorted({f for k in DISTRIBUTIONS.values() for f in (*k.required, *k.optional)} - NON_NUMERIC_FIELDS)
    claim_props = {"claim": {"type": "string"}, "field": {"type": "string"}, "scale": _NUM,
                   "dist": {"enum": sorted(DISTRIBUTIONS)}, **_META, **{f: _NUM for f in numeric}}
    fit_props = {k: {} for k in PARAM_META} | {f: {} for f in numeric} | {"dist": {"enum": sorted(DISTRIBUTIONS)}}
    return {"oneOf": [
        _NUM,
        *(_dist_schema(n) for n in sorted(DISTRIBUTIONS)),
        {"type": "object", "required": ["claim"], "description": "a value or range from costsim/data/claims.yaml "
         "(fields written here win over the claim's)", "properties": claim_props, "additionalProperties": False},
        {"type": "object", "required": ["fit"], "description": "a growth rate fitted to a dataset",
         "properties": fit_props, "additionalProperties": False},
    ]}


def _plots_schema() -> dict:
    entry = {"type": "object", "required": ["kind"], "additionalProperties": False, "properties": {
        "kind": {"enum": list(KINDS)}, "output": {"type": "string"}, "log": {"type": "boolean"}, "year": _INT,
        "bloc": {"type": "string"}, "threshold": _NUM, "title": {"type": "string"},
        "file": {"type": "string", "pattern": "^[A-Za-z0-9_.-]+$"}}}
    missing = set(ENTRY_KEYS) - set(entry["properties"])
    if missing:
        raise RuntimeError(f"schema lacks plot entry keys {sorted(missing)}")
    return {"type": "array", "items": {"oneOf": [{"enum": list(KINDS)}, entry]}}


def _sweeps_schema() -> dict:
    rng = {"type": "object", "required": ["low", "high"], "additionalProperties": False,
           "properties": {"low": _NUM, "high": _NUM, "num": {"type": "integer", "minimum": 1}, "log": {"type": "boolean"}}}
    return {"type": "object", "minProperties": 1, "additionalProperties": {"oneOf": [
        {"type": "array", "minItems": 1, "items": _SCALAR}, {"type": "string"}, rng]}}


def _sensitivity_schema() -> dict:
    whole = {"type": "integer", "minimum": 2}
    props = {"method": {"enum": list(SENSITIVITY_METHODS)}, "outputs": {"type": "array", "items": {"type": "string"}},
             "years": {"type": "array", "items": _INT}, "n_base": whole, "resamples": whole,
             "log10": {"enum": [True, False, "auto"]}, "trajectories": whole, "levels": whole,
             "quantiles": {"type": "array", "items": _NUM, "minItems": 2, "maxItems": 2},
             "bounds": {"type": "object", "additionalProperties": {"type": "array", "items": _NUM,
                                                                   "minItems": 2, "maxItems": 2}}}
    missing = set(SENSITIVITY_KEYS) - set(props)
    if missing:
        raise RuntimeError(f"schema lacks sensitivity keys {sorted(missing)}")
    return {"type": "object", "properties": props, "additionalProperties": False}


def _policy_schema() -> dict:
    from costsim.scenario.policy import POLICY_PARAMS, load_policies

    return {"type": "object", "required": ["preset"], "additionalProperties": False, "properties": {
        "preset": {"enum": sorted(load_policies())},
        "override": {"type": "object", "additionalProperties": False,
                     "properties": {p: {"type": ["number", "object"]} for p in POLICY_PARAMS}}}}


def scenario_schema() -> dict:
    """Return the JSON Schema of the scenario format."""
    cond = {"between": {"type": "array", "items": _NUM, "minItems": 2, "maxItems": 2}, "above": _NUM, "below": _NUM}
    check_props = {"claim": {"type": "string"}, "output": {"type": "string"}, "year": _INT,
                   "bloc": {"type": "string"}, "stat": {"type": "string"},
                   "probability_of": {"type": "object", "properties": cond, "additionalProperties": False}, **cond}
    if set(check_props) != set(CHECK_KEYS):
        raise RuntimeError(f"schema check keys differ from the validator's: {sorted(set(CHECK_KEYS) ^ set(check_props))}")
    props = {
        "schema_version": {"const": 1},
        "name": {"type": "string", "pattern": "^[A-Za-z0-9_.-]+$"},
        "description": {"type": "string"},
        "extends": {"type": "string", "pattern": r"^[^/~].*\.(yaml|yml|YAML|YML)$",
                    "description": "a .yaml file relative to this one; its keys are merged under this file's"},
        "years": {"type": "object", "required": ["start", "stop"], "additionalProperties": False,
                  "properties": {"start": _INT, "stop": _INT, "step": {"type": "integer", "minimum": 1}}},
        "samples": {"type": "integer", "minimum": 1},
        "seed": {"type": "integer", "minimum": 0},
        "sampling": {"enum": list(SAMPLINGS)},
        "blocs": {"type": "array", "items": {"type": "string"}, "minItems": 2},
        "summary_years": {"type": "array", "items": _INT},
        "params": {"type": "object", "additionalProperties": _param_schema()},
        "correlations": {"type": "array", "items": {"oneOf": [
            {"type": "array", "minItems": 3, "maxItems": 3,
             "prefixItems": [{"type": "string"}, {"type": "string"}, {"type": "number", "minimum": -0.999,
                                                                      "maximum": 0.999}]},
            {"type": "object", "required": ["params", "rho"], "additionalProperties": False,
             "properties": {"params": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
                            "rho": {"type": "number", "minimum": -0.999, "maximum": 0.999}}}]}},
        "models": {"type": "array", "items": {"oneOf": [{"type": "string"}, {
            "type": "object", "required": ["use"], "additionalProperties": False,
            "properties": {"use": {"type": "string"}, "id": {"type": "string"},
                           "bind": {"type": "object", "additionalProperties": {"type": ["string", "number"]}},
                           "rename": {"type": "object", "additionalProperties": {"type": "string"}}}}]}},
        "formulas": {"type": "object", "additionalProperties": {"type": "string"}},
        "outputs": {"type": "array", "items": {"type": "string"}},
        "checks": {"type": "array", "items": {"type": "object", "required": ["claim", "output"],
                                              "additionalProperties": False, "properties": check_props}},
        "plots": _plots_schema(),
        "sweeps": _sweeps_schema(),
        "sensitivity": _sensitivity_schema(),
        "policy": _policy_schema(),
        "data": {"type": ["object", "array", "string"]},
        "as_of": {"type": "number", "description": "fit: parameters use only data published before this year"},
        "strict_units": {"type": "boolean", "description": "true: a name without a unit suffix is an error"},
    }
    for key in NULLABLE_KEYS:  # `key: null` is the same as leaving it out (in a child: drops the parent's)
        props[key] = {"anyOf": [props[key], {"type": "null"}]}
    missing = set(TOP_KEYS) - set(props)
    if missing:  # a key added to the validator must be added here too
        raise RuntimeError(f"schema lacks scenario keys {sorted(missing)}")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "costsim scenario",
            "type": "object", "properties": props, "additionalProperties": False,
            # a file that extends another inherits its years
            "if": {"not": {"required": ["extends"]}}, "then": {"required": ["years"]}}
