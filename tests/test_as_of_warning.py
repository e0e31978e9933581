"""`as_of` on a scenario without fit: parameters says it does nothing (it used to be silently ignored)."""

from __future__ import annotations

import warnings

import pytest

from costsim.cli import main
from costsim.errors import CostsimWarning
from costsim.scenario import scenario_from_text

TEXT = """\
schema_version: 1
name: as_of_probe
years: {start: 2025, stop: 2026}
samples: 10
as_of: 2019
params:
  a_usd: {dist: uniform, low: 1, high: 2}
formulas:
  b_usd: "2 * a_usd"
"""


def test_as_of_without_fit_parameters_warns_with_file_and_line():
    with pytest.warns(CostsimWarning, match=r"probe\.yaml:5: as_of: has no effect: no parameter of this scenario "
                                            r"has fit:"):
        scenario_from_text(TEXT, source="probe.yaml")


def test_as_of_on_the_command_line_warns_too(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("default", CostsimWarning)  # the CLI prints warnings as one line each
        assert main(["run", "reference_r1", "-n", "200", "--as-of", "2020", "--quiet"]) in (0, 1)
    assert "as_of: has no effect" in capsys.readouterr().err


def test_as_of_with_fit_parameters_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error", CostsimWarning)
        from costsim.scenario import load_scenario
        from pathlib import Path

        load_scenario(Path(__file__).resolve().parents[1] / "examples" / "calibrated_baseline.yaml", ["as_of=2020"])
