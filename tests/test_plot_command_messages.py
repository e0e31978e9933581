"""`costsim plot` errors speak in the command's options, not in the scenario file's plots: keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from costsim.cli import main

BASE = str(Path(__file__).resolve().parents[1] / "scenarios" / "export_controls_base.yaml")


@pytest.mark.parametrize("kind, expected", [
    ("hist", "add --bloc; expected --bloc NAME (one of US, China)"),
    ("fan", "add --bloc or use --kind race; expected --bloc NAME (one of US, China)"),
    ("cdf", "needs --threshold (its crossing year); expected --threshold NUMBER"),
])
def test_a_missing_option_is_named_as_the_option(capsys, tmp_path, kind, expected):
    code = main(["plot", BASE, "--kind", kind, "--output", "stock_h100e", "-o", str(tmp_path / "f.png"), "-n", "200"])
    assert code == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "bloc:" not in err and "threshold:" not in err  # the YAML spellings
    assert not (tmp_path / "f.png").exists()


def test_the_option_named_in_the_message_works(capsys, tmp_path):
    out = tmp_path / "f.png"
    assert main(["plot", BASE, "--kind", "hist", "--output", "stock_h100e", "--bloc", "China", "--year", "2030",
                 "-o", str(out), "-n", "200"]) == 0
    assert out.stat().st_size > 0
