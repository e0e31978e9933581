"""Every claim or anchor id a bundled file cites exists in the bundled data (a typo'd or invented id
would send a reader to nothing: "cite the id of every number you use")."""

import pathlib
import re

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA = ROOT / "costsim" / "data"
CITING = (sorted((ROOT / "scenarios").glob("*.yaml")) + [DATA / "ledger.yaml", DATA / "policies.yaml"]
          + sorted(DATA.glob("profile_*.yaml")))
ID = re.compile(r"\b([a-z][a-z0-9_]*)\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)(\*?)")
# the id right after "claims:" or "anchors:" is an id whatever its family (a typo'd family too)
NAMED = re.compile(r"\b(?:claims|anchors(?:_2025)?):?\s+([a-z][a-z0-9_]*\.[A-Za-z0-9_.]+\*?)")


def _ids(path: pathlib.Path) -> set[str]:
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("id"), str):
                found.add(node["id"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


KNOWN = _ids(DATA / "claims.yaml") | _ids(DATA / "anchors_2025.yaml") | _ids(DATA / "ledger.yaml")
PREFIXES = {known.split(".")[0] for known in KNOWN}


def cited_ids(text: str) -> set[str]:
    """Dotted names whose first part is an id family (``chip.``, ``econ.``, ...), and whatever follows
    ``claims:`` or ``anchors:``: ``supply.cowos_*`` is a family."""
    return ({m.group(0).rstrip(".") for m in ID.finditer(text) if m.group(1) in PREFIXES}
            | {m.group(1).rstrip(".") for m in NAMED.finditer(text)})


def unknown(cited: set[str]) -> list[str]:
    missing = []
    for name in sorted(cited):
        if name.endswith("*"):
            if not any(known.startswith(name[:-1]) for known in KNOWN):
                missing.append(name)
        elif name not in KNOWN:
            missing.append(name)
    return missing


@pytest.mark.parametrize("path", CITING, ids=lambda p: p.name)
def test_every_cited_id_exists(path):
    cited = cited_ids(path.read_text(encoding="utf-8"))
    assert unknown(cited) == [], f"{path.name} cites ids that are in no bundled data file"


def test_the_scan_finds_ids_and_flags_a_made_up_one():
    text = 'source: "anchors: econ.us_gdp_2024 (cf. econ.world_gdp_2024); supply.cowos_*; chip.H100_SXM."'
    assert cited_ids(text) == {"econ.us_gdp_2024", "econ.world_gdp_2024", "supply.cowos_*", "chip.H100_SXM"}
    assert unknown(cited_ids(text)) == []
    assert unknown(cited_ids("cf. econ.mars_gdp_2024 and supply.nothing_*")) == ["econ.mars_gdp_2024",
                                                                                 "supply.nothing_*"]
    # a typo in the family itself, named as a claim or an anchor
    assert unknown(cited_ids('source: "anchors: ecom.us_gdp_2024; claims: chips.H100_SXM"')) == [
        "chips.H100_SXM", "ecom.us_gdp_2024"]


def test_the_race_gdps_cite_their_anchors():
    text = (ROOT / "scenarios" / "export_controls_base.yaml").read_text(encoding="utf-8")
    assert {"econ.us_gdp_2024", "econ.china_gdp_2024"} <= cited_ids(text)


DOCS = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
URL = re.compile(r"https?://\S+")


def prose(markdown: str) -> str:
    """A Markdown page without its fenced code blocks (Python such as ``trend.shape``) and URLs."""
    return URL.sub(" ", FENCE.sub(" ", markdown))


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_every_id_the_docs_cite_exists(path):
    cited = cited_ids(prose(path.read_text(encoding="utf-8")))
    assert unknown(cited) == [], f"{path.name} cites ids that are in no bundled data file"


def test_the_docs_scan_skips_code_and_urls_but_not_prose():
    page = ("See econ.mars_gdp_2024.\n```python\ntrend.made_up_attr\n```\nhttps://epoch.ai/data\n"
            "and `chip.H100_SXM`.\n")
    assert unknown(cited_ids(prose(page))) == ["econ.mars_gdp_2024"]
