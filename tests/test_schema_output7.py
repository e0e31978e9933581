"""``costsim schema -o FILE`` never writes over a user's file unasked (found by red-team: it did)."""

from __future__ import annotations

import json

from costsim.cli import main


def test_an_existing_file_is_kept_without_force(tmp_path, capsys):
    target = tmp_path / "schema.json"
    target.write_text('{"mine": 1}', encoding="utf-8")
    assert main(["schema", "-o", str(target)]) == 2
    assert target.read_text(encoding="utf-8") == '{"mine": 1}'
    assert "--force" in capsys.readouterr().err


def test_force_replaces_it_with_the_schema(tmp_path):
    target = tmp_path / "schema.json"
    target.write_text('{"mine": 1}', encoding="utf-8")
    assert main(["schema", "-o", str(target), "--force"]) == 0
    assert json.loads(target.read_text(encoding="utf-8"))["$schema"].startswith("https://json-schema.org/")
    assert [p.name for p in tmp_path.iterdir()] == ["schema.json"]  # no temporary file left beside it


def test_claims_refuses_zero_samples(capsys):
    """``claims -n 0`` quietly ran at the ledger's default count (found by red-team); -n -5 was refused."""
    import pytest

    with pytest.raises(SystemExit) as exc:
        main(["claims", "-n", "0", "--list"])
    assert exc.value.code == 2 and ">= 1" in capsys.readouterr().err
