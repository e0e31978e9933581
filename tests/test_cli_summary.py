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


def test_did_you_mean_for_a_missing_formula_input_is_not_the_formula_itself(tmp_path, capsys):
    # issue 15.9: `total_usd: a_usd * totl_usd` suggested 'total_usd', the formula's own name
    path = tmp_path / "f.yaml"
    path.write_text("name: t\nyears: {start: 2025, stop: 2027}\nparams:\n  a_usd: 1.0\n  tot_usd: 2.0\n"
                    "formulas:\n  total_usd: a_usd * totl_usd\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "input 'totl_usd'" in err and "Did you mean 'tot_usd'?" in err and "'total_usd'?" not in err
