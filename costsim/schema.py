"""A JSON Schema (draft 2020-12) of scenario files, generated from the validator's own tables."""

from __future__ import annotations

from costsim.distributions import DISTRIBUTIONS, NON_NUMERIC_FIELDS
from costsim.scenario import CHECK_KEYS, SAMPLINGS, TOP_KEYS

_NUM = {"type": "number"}
_META = {"source": {"type": "string"}, "note": {"type": "string"}, "min": _NUM, "max": _NUM}


def _dist_schema(name: str) -> dict:
    kind = DISTRIBUTIONS[name]
    props = {"dist": {"const": name}, **_META}
    for f in (*kind.required, *kind.optional):
        props[f] = {"type": "array", "items": _NUM} if f in NON_NUMERIC_FIELDS else _NUM
    required = ["dist", *kind.required] if name != "constant" else ["value"]
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


def scenario_schema() -> dict:
    """Return the JSON Schema of the scenario format."""
    param = {"oneOf": [
        _NUM,
        *(_dist_schema(n) for n in sorted(DISTRIBUTIONS)),
        {"type": "object", "required": ["claim"], "description": "a value or range from costsim/data/claims.yaml",
         "properties": {"claim": {"type": "string"}, "field": {"type": "string"}, "scale": _NUM,
                        "dist": {"type": "string"}, **_META}},
        {"type": "object", "required": ["fit"], "description": "a growth rate fitted to a dataset"},
    ]}
    cond = {"between": {"type": "array", "items": _NUM, "minItems": 2, "maxItems": 2}, "above": _NUM, "below": _NUM}
    props = {
        "schema_version": {"const": 1},
        "name": {"type": "string", "pattern": "^[A-Za-z0-9_.-]+$"},
        "description": {"type": "string"},
        "extends": {"type": "string"},
        "years": {"type": "object", "required": ["start", "stop"], "additionalProperties": False,
                  "properties": {"start": {"type": "integer"}, "stop": {"type": "integer"},
                                 "step": {"type": "integer", "minimum": 1}}},
        "samples": {"type": "integer", "minimum": 1},
        "seed": {"type": "integer", "minimum": 0},
        "sampling": {"enum": list(SAMPLINGS)},
        "blocs": {"type": "array", "items": {"type": "string"}, "minItems": 2},
        "summary_years": {"type": "array", "items": {"type": "integer"}},
        "params": {"type": "object", "additionalProperties": param},
        "correlations": {"type": "array", "items": {"type": "array", "minItems": 3, "maxItems": 3}},
        "models": {"type": "array", "items": {"type": "object", "required": ["use"], "additionalProperties": False,
                                              "properties": {"use": {"type": "string"}, "id": {"type": "string"},
                                                             "bind": {"type": "object"},
                                                             "rename": {"type": "object"}}}},
        "formulas": {"type": "object", "additionalProperties": {"type": "string"}},
        "outputs": {"type": "array", "items": {"type": "string"}},
        "checks": {"type": "array", "items": {
            "type": "object", "required": ["claim", "output"], "additionalProperties": False,
            "properties": {"claim": {"type": "string"}, "output": {"type": "string"}, "year": {"type": "integer"},
                           "bloc": {"type": "string"}, "stat": {"type": "string"},
                           "probability_of": {"type": "object", "properties": cond, "additionalProperties": False},
                           **cond}}},
        "plots": {}, "sweeps": {}, "sensitivity": {}, "policy": {}, "data": {},
        "as_of": {"type": "number", "description": "fit: parameters use only data published before this year"},
        "strict_units": {"type": "boolean", "description": "true: a name without a unit suffix is an error"},
    }
    missing = set(TOP_KEYS) - set(props)
    if missing:  # a key added to the validator must be added here too
        raise RuntimeError(f"schema lacks scenario keys {sorted(missing)}")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "costsim scenario",
            "type": "object", "properties": props, "required": ["years"], "additionalProperties": False}
