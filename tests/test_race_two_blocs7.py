"""The race's models compute two blocs: a scenario that names three is refused by validate.

Found by red-team: ``blocs: [US, China, EU]`` on the export-control race validated, then ``run``
printed a traceback (an IndexError in the results' columns), and with ``-q`` said "8 of 8 checks
passed" with the third bloc silently ignored.
"""

from __future__ import annotations

import pytest

from costsim.cli import main
from costsim.errors import ScenarioError
from costsim.scenario import load_scenario

BASE = "scenarios/export_controls_base.yaml"


def test_three_blocs_on_the_race_are_refused_naming_the_line_and_the_blocs(tmp_path, capsys):
    import shutil

    shutil.copy(BASE, tmp_path / "export_controls_base.yaml")
    f = tmp_path / "three.yaml"
    f.write_text("schema_version: 1\nextends: export_controls_base.yaml\nname: three\n"
                 "blocs: [US, China, EU]\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(f)
    text = str(err.value)
    assert "three.yaml:4" in text and "two blocs" in text and "EU" in text
    assert main(["run", str(f), "-n", "50", "-q"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_the_race_with_its_two_blocs_still_validates():
    assert load_scenario(BASE).blocs == ("US", "China")
