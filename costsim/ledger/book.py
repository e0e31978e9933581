"""The claims ledger file: every quantitative claim of the debate once, with the check that tests it.

``costsim/data/ledger.yaml`` lists claims; each names the scenario and either a check of that
scenario (``check:``, the start of its ``claim:`` text), an inline test written like a scenario
check (``test:``), or ``untested:`` with the reason. This module reads and validates the file; it
runs nothing.
"""

from __future__ import annotations

import datetime as _dt
import functools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from costsim.errors import Issue, ScenarioError
from costsim.yamlio import load_yaml

KINDS = ("arithmetic", "forecast", "causal", "policy")
CLAIM_KEYS = {"id", "quote", "who", "date", "source", "kind", "data", "scenario", "check", "test", "untested",
              "negate", "judge", "evidence_date", "note", "curve"}
JUDGES = ("check", "probability")


@dataclass(frozen=True)
class Claim:
    """One claim of the debate and how the ledger tests it."""

    id: str
    quote: str
    who: str
    date: str  # ISO date the claim was made
    source: str  # key of claims.yaml's sources
    kind: str
    scenario: str | None = None
    check: str | None = None  # start of a scenario check's claim text
    test: dict | None = None  # an inline check mapping (output, year, stat, between/above/below, ...)
    untested: str | None = None  # the reason it is not tested
    negate: bool = False  # the claim is the opposite of the check
    judge: str = "check"  # check: the check's own verdict; probability: the ledger's probability band
    evidence_date: str | None = None  # the evidence was published after the claim (as-of verdict: untested)
    data: tuple[str, ...] = ()  # claims.yaml entries the claim is about
    note: str = ""
    curve: dict | None = None  # {output, year, thresholds: {label: value}}: P(output >= t) per threshold
    line: int | None = None

    @property
    def tested(self) -> bool:
        return self.untested is None

    @property
    def decimal_date(self) -> float:
        """The claim's date as a decimal year (2025-01-29 -> 2025.08), for ``as_of``."""
        d = _dt.date.fromisoformat(self.date)
        start = _dt.date(d.year, 1, 1)
        return d.year + (d - start).days / 365.25


@dataclass(frozen=True)
class Ledger:
    """The ledger file: its claims and settings."""

    claims: tuple[Claim, ...]
    samples: int
    probability_band: tuple[float, float]
    source: str
    settings: dict = field(default_factory=dict)

    def get(self, claim_id: str) -> Claim:
        for claim in self.claims:
            if claim.id == claim_id:
                return claim
        import difflib

        close = difflib.get_close_matches(claim_id, [c.id for c in self.claims], n=1)
        raise ScenarioError(self.source, [Issue("claims", "unknown claim id", "an id of the ledger", claim_id,
                                                hint=f"Did you mean {close[0]!r}?" if close else
                                                "List them with `costsim claims --list`.")])


def _one_line(text: object) -> str | None:
    """A folded YAML reason (``>``) as one line, without its trailing newline."""
    return None if text is None else " ".join(str(text).split())


def _iso(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def bundled_ledger_text() -> str:
    """The text of the bundled ``costsim/data/ledger.yaml``."""
    return resources.files("costsim.data").joinpath("ledger.yaml").read_text(encoding="utf-8")


def load_ledger(path: str | Path | None = None) -> Ledger:
    """Read and validate a ledger file (default: the bundled one); raise one ScenarioError listing every problem."""
    if path is None:
        text, source = bundled_ledger_text(), "costsim/data/ledger.yaml"
    else:
        text, source = Path(path).read_text(encoding="utf-8"), str(path)
    data, lines = load_yaml(text, source)
    issues: list[Issue] = []
    if not isinstance(data, dict) or not isinstance(data.get("claims"), list):
        raise ScenarioError(source, [Issue("claims", "missing the list of claims", "claims: [- id: ...]",
                                           type(data).__name__)])
    from costsim.scenario import claims_index

    index = claims_index()
    sources = _claims_sources()
    claims: list[Claim] = []
    seen: set[str] = set()
    for i, item in enumerate(data["claims"]):
        path_ = f"claims[{i}]"
        line = lines.get(path_)
        if not isinstance(item, dict):
            issues.append(Issue(path_, "must be a mapping", "id:, quote:, who:, ...", item, line=line))
            continue
        unknown = sorted(set(item) - CLAIM_KEYS)
        for key in unknown:
            issues.append(Issue(f"{path_}.{key}", "unknown claim key", f"one of {', '.join(sorted(CLAIM_KEYS))}",
                                key, line=lines.get(f"{path_}.{key}", line)))
        for key in ("id", "quote", "who", "date", "source", "kind"):
            if item.get(key) in (None, ""):
                issues.append(Issue(f"{path_}.{key}", "missing", f"a {key}", None, line=line))
        cid = str(item.get("id", ""))
        if cid in seen:
            issues.append(Issue(f"{path_}.id", "duplicate claim id", "each claim listed once", cid, line=line))
        seen.add(cid)
        quote = str(item.get("quote", ""))
        if quote.count(". ") + quote.count("? ") + quote.count("! ") > 0:
            issues.append(Issue(f"{path_}.quote", "must be one sentence at most", "a short quote", quote, line=line))
        if item.get("kind") not in KINDS:
            issues.append(Issue(f"{path_}.kind", "unknown kind", f"one of {', '.join(KINDS)}", item.get("kind"),
                                line=line))
        if item.get("source") not in sources:
            issues.append(Issue(f"{path_}.source", "unknown source", "a key of claims.yaml's sources",
                                item.get("source"), line=line))
        data_ids = item.get("data") or ()
        data_ids = (data_ids,) if isinstance(data_ids, str) else tuple(data_ids)
        for did in data_ids:
            if did not in index:
                issues.append(Issue(f"{path_}.data", "unknown claims.yaml id", "an id of costsim/data/claims.yaml",
                                    did, line=line))
        ways = [k for k in ("check", "test", "untested") if item.get(k) is not None]
        if len(ways) != 1:
            issues.append(Issue(path_, "needs exactly one of check, test, untested", "one of them", ways or None,
                                line=line))
        if item.get("untested") is None and not item.get("scenario"):
            issues.append(Issue(f"{path_}.scenario", "a tested claim needs its scenario", "a scenario name", None,
                                line=line))
        judge = item.get("judge", "check")
        if judge not in JUDGES:
            issues.append(Issue(f"{path_}.judge", "unknown judge", f"one of {', '.join(JUDGES)}", judge, line=line))
        test = item.get("test")
        if test is not None and not isinstance(test, dict):
            issues.append(Issue(f"{path_}.test", "must be a mapping", "output:, between:/above:/below:", test,
                                line=line))
            test = None
        try:
            date = _iso(item.get("date"))
            if date:
                _dt.date.fromisoformat(date)
        except ValueError:
            issues.append(Issue(f"{path_}.date", "must be an ISO date", "YYYY-MM-DD", item.get("date"), line=line))
            date = None
        claims.append(Claim(
            id=cid, quote=quote, who=str(item.get("who", "")), date=date or "", source=str(item.get("source", "")),
            kind=str(item.get("kind", "")), scenario=item.get("scenario"), check=item.get("check"), test=test,
            untested=_one_line(item.get("untested")), negate=bool(item.get("negate", False)), judge=str(judge),
            evidence_date=_iso(item.get("evidence_date")), data=data_ids, note=str(item.get("note", "")),
            curve=item.get("curve") if isinstance(item.get("curve"), dict) else None, line=line))
    band = data.get("probability_band", [0.2, 0.8])
    if (not isinstance(band, list) or len(band) != 2 or not all(isinstance(b, (int, float)) for b in band)
            or not 0 < band[0] < band[1] < 1):
        issues.append(Issue("probability_band", "must be two probabilities, low < high", "[0.2, 0.8]", band))
        band = [0.2, 0.8]
    samples = data.get("samples", 4000)
    if not isinstance(samples, int) or isinstance(samples, bool) or samples < 10:
        issues.append(Issue("samples", "must be a whole number of samples", ">= 10", samples))
        samples = 4000
    if issues:
        raise ScenarioError(source, issues)
    return Ledger(tuple(claims), int(samples), (float(band[0]), float(band[1])), source,
                  {k: v for k, v in data.items() if k != "claims"})


@functools.lru_cache(maxsize=1)
def _claims_sources() -> dict:
    """The bundled claims.yaml's sources, parsed once (read-only: the report asks for every claim's title)."""
    import yaml

    text = resources.files("costsim.data").joinpath("claims.yaml").read_text(encoding="utf-8")
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader_cls).get("sources", {})  # bundled, trusted


def source_title(key: str) -> str:
    """Title (and author) of a claims.yaml source key, for attribution."""
    entry = _claims_sources().get(key, {})
    title = entry.get("title", key)
    author = entry.get("author")
    return f"{author}, \"{title}\"" if author else f"\"{title}\""
