"""The printed run summary writes watts and dollars as a reader does (issue 15.9): 2.3 GW, $80.5B."""

import re

from costsim.cli import main


def test_printed_summary_uses_si_prefixes_for_watts_and_dollars(capsys):
    assert main(["run", "scenarios/millions_of_chips.yaml", "-n", "500", "--seed", "1"]) in (0, 1)
    out = capsys.readouterr().out
    power = next(line for line in out.splitlines() if line.startswith("facility power [W]"))
    assert re.search(r"\d GW +\[\d[\d.]* GW, \d[\d.]* GW\]", power), power
    capex = next(line for line in out.splitlines() if line.startswith("cluster capex [USD]"))
    assert re.search(r"\$\d[\d.]*B +\[\$\d[\d.]*B, \$\d[\d.]*B\]", capex), capex
    assert "e+09" not in power and "e+10" not in capex
