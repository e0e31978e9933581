"""``claim:``-cited parameters: the bundled ``data/claims.yaml`` by id, and its values as defaults."""

from __future__ import annotations

import difflib
import functools
import math

from costsim.errors import Issue
from costsim.yamlio import load_yaml


def finite(value: int | float) -> bool:
    """True for a number that is a finite float64 (an int beyond 1.8e308 is not: float() overflows)."""
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


@functools.lru_cache(maxsize=1)
def claims_index() -> dict[str, dict]:
    """Every entry of the bundled ``data/claims.yaml`` by id, with its section and source title."""
    from importlib import resources

    text = resources.files("costsim.data").joinpath("claims.yaml").read_text(encoding="utf-8")
    data, _ = load_yaml(text, "costsim/data/claims.yaml", dates=True)
    data = data if isinstance(data, dict) else {}
    sources = data.get("sources", {})
    index: dict[str, dict] = {}
    for section, entries in data.items():
        if section == "sources" or not isinstance(entries, list):
            continue
        for entry in entries:
            if isinstance(entry, dict) and "id" in entry:
                item = dict(entry)
                item["_section"] = section
                item["_source_title"] = sources.get(entry.get("source"), {}).get("title", "")
                index[entry["id"]] = item
    return index


def _resolve_claim(spec: dict, path: str, line: int | None) -> tuple[dict | None, tuple[str, ...], list[Issue]]:
    """Turn ``{claim: id, field: f, scale: s, dist: ...}`` into a plain parameter mapping.

    The claim supplies defaults: ``value`` (a number), or ``low``/``high`` (and ``mode`` for
    pert/triangular) from a range, each times ``scale``. Fields the scenario writes itself (in the
    file, through ``extends:`` or ``--set``) win and are taken as written, in the parameter's
    unit (``scale`` converts only the claim's numbers). Returns (mapping, fields taken from the
    claim, issues).
    """
    claim_id = spec.get("claim")
    index = claims_index()
    if not isinstance(claim_id, str) or claim_id not in index:
        close = difflib.get_close_matches(str(claim_id), sorted(index), n=1, cutoff=0.6)
        return None, (), [Issue(f"{path}.claim", "unknown claim id", "an id of costsim/data/claims.yaml",
                                claim_id, line=line, hint=f"Did you mean {close[0]!r}?" if close else
                                "List them with `costsim params --claims`.")]
    entry = index[claim_id]
    value: object = entry
    fld = spec.get("field")
    if fld is not None:
        for part in str(fld).split("."):
            if isinstance(value, dict) and part in value:
                value = value[part]
            else:
                keys = sorted(k for k in value if not str(k).startswith("_")) if isinstance(value, dict) else []
                return None, (), [Issue(f"{path}.field", f"claim {claim_id!r} has no field {fld!r}",
                                        f"one of {', '.join(map(str, keys))}" if keys else "a field path", fld,
                                        line=line)]
    elif "value" in entry:
        value = entry["value"]
    scale = spec.get("scale", 1.0)
    if not isinstance(scale, (int, float)) or isinstance(scale, bool) or not finite(scale) or scale == 0:
        return None, (), [Issue(f"{path}.scale", "must be a non-zero number", "e.g. 1.0e+12 (TFLOP/s -> FLOP/s)",
                                scale, line=line)]
    src = f"claims: {claim_id} ({entry.get('kind', '?')}, {entry.get('source', '?')}"
    src += f": {entry['_source_title']})" if entry.get("_source_title") else ")"
    if entry.get("approx"):
        src += " [approx]"
    out = {k: v for k, v in spec.items() if k not in {"claim", "field", "scale"}}
    dist = spec.get("dist")
    supplied: dict[str, float] = {}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if dist not in (None, "constant"):
            written = [k for k in ("low", "high", "mode") if k in spec]
            if not written:
                return None, (), [Issue(f"{path}.dist", f"claim {claim_id!r} gives one number, not a range",
                                        "dist: constant (or no dist), or low: and high: of your own", dist,
                                        line=line)]
        else:
            out["dist"] = "constant"
            supplied["value"] = float(value) * scale
    elif isinstance(value, dict) and "low" in value and "high" in value:
        if dist is None or dist == "constant":
            if "value" not in spec:
                return None, (), [Issue(f"{path}.dist", f"claim {claim_id!r} gives a range",
                                        "a distribution for it: lognormal_ci, uniform, loguniform, normal_ci, pert, "
                                        "triangular (or value: of your own)", dist, line=line)]
            out["dist"] = "constant"
        else:
            supplied["low"] = float(value["low"]) * scale
            supplied["high"] = float(value["high"]) * scale
            if dist in ("pert", "triangular"):
                central = value.get("central", value.get("value"))
                if central is not None:
                    supplied["mode"] = float(central) * scale
                elif "mode" not in spec:
                    return None, (), [Issue(f"{path}.dist", f"claim {claim_id!r} has no central value for a mode",
                                            "lognormal_ci or uniform, or mode: of your own", dist, line=line)]
    elif not any(k in spec for k in ("value", "low", "high")):
        return None, (), [Issue(f"{path}.field", f"claim {claim_id!r} is not a number or a low/high range here",
                                "a field holding a number, e.g. field: total", type(value).__name__, line=line)]
    taken = tuple(k for k in supplied if k not in spec)
    for key in taken:
        out[key] = supplied[key]
    own = [k for k in supplied if k in spec]
    if taken:
        src += f"; from the claim: {', '.join(taken)}"
    if own:
        src += f"; set in the scenario: {', '.join(own)}"
    out.setdefault("source", src)
    return out, taken, []
