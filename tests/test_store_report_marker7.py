"""``report -o DIR --force`` replaces only a report costsim wrote.

Found by red-team: a folder holding an ``index.html`` and a ``report.json`` of any content was taken
for a costsim report, and ``--force`` deleted it with the user's other files. The report's manifest
must now be costsim's (it names ``costsim_version``), as a results folder's already had to be.
"""

from __future__ import annotations

import json

import pytest

from costsim.errors import OutputError
from costsim.store import check_target, is_costsim_folder


def _folder(tmp_path, manifest: str):
    d = tmp_path / "site"
    d.mkdir()
    (d / "index.html").write_text("<html>my own page</html>", encoding="utf-8")
    (d / "report.json").write_text(manifest, encoding="utf-8")
    (d / "notes.txt").write_text("mine", encoding="utf-8")
    return d


@pytest.mark.parametrize("manifest", ['{"title": "my report"}', "not json", "[]"])
def test_a_users_page_with_a_report_json_is_not_replaced(tmp_path, manifest):
    d = _folder(tmp_path, manifest)
    assert not is_costsim_folder(d)
    with pytest.raises(OutputError, match="not written by costsim"):
        check_target(d, force=True)
    assert (d / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_costsim_report_is_still_replaced_with_force(tmp_path):
    d = _folder(tmp_path, json.dumps({"costsim_version": "0.1.0", "kind": "report"}))
    assert is_costsim_folder(d)
    assert check_target(d, force=True) == d
