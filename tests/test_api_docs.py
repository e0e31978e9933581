"""Every ```python example of docs/API.md runs as written (from a folder holding scenarios/)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

pytest.importorskip("pandas")
pytest.importorskip("xarray")

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "API.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", DOC.read_text(encoding="utf-8"), flags=re.S | re.M)


def _title(text: str) -> str:
    """The section an example belongs to."""
    doc = DOC.read_text(encoding="utf-8")
    before = doc[: doc.index(text)]
    return re.findall(r"^## (.+)$", before, flags=re.M)[-1].split(",")[0].strip()


def test_every_documented_function_has_an_example():
    sections = re.findall(r"^## (.+)$", DOC.read_text(encoding="utf-8"), flags=re.M)
    with_examples = {_title(b) for b in BLOCKS}
    assert set(s.split(",")[0].strip() for s in sections) <= with_examples


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    here = tmp_path_factory.mktemp("api_docs")
    shutil.copytree(ROOT / "scenarios", here / "scenarios")
    return here


@pytest.mark.parametrize("code", BLOCKS, ids=[_title(b) for b in BLOCKS])
def test_example_runs(code, folder, monkeypatch):
    monkeypatch.chdir(folder)
    exec(compile(code, f"docs/API.md ({_title(code)})", "exec"), {"__name__": "__api_doc__"})
