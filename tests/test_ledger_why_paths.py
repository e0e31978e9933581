"""The ledger's why text names a scenario file by its name, not by the folder of this checkout (the
report's pages were different on every machine: '/work/.../export_controls_base.yaml:501: ...')."""

import pathlib

from costsim.cli import main

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_cannot_be_fixed_alone_names_the_file_not_the_folder(capsys):
    main(["claims", "--why", "essay.bipolar_without_controls"])
    out = capsys.readouterr().out
    fixed = [line for line in out.splitlines() if "cannot be fixed alone" in line]
    assert fixed, out  # the base scenario's correlated inputs cannot be swung alone
    assert all("cannot be fixed alone: export_controls_base.yaml:" in line for line in fixed), fixed
    assert str(ROOT) not in out
