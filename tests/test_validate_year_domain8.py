"""A model's calendar-year input (the ``_year`` suffix) must be a year ``years:`` could span.

Found by red-team: ``bind: {base_year: 1e300}`` validated and every output printed 0 FLOP (the
budget's growth from year 1e300 underflowed). Calendar-year inputs of every model are now held to
the span ``years.start``/``years.stop`` accept (1900..2500), as ``_frac`` inputs are to [0, 1].
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costsim.cli import main
from costsim.errors import ScenarioError
from costsim.scenario import scenario_from_text

TEXT = """\
schema_version: 1
name: years
years: {start: 2025, stop: 2030}
samples: 200
params:
  base_budget_usd: 1.0e+8
  budget_growth_x_per_year: {dist: uniform, low: 2, high: 3}
  hardware_gain_x_per_year: 1.3
  base_flop_per_usd: 2.5e+17
%s
models:
  - use: budget_physical_flop
    bind: {base_year: %s}
"""


def test_an_absurd_base_year_bound_as_a_constant_is_refused_naming_line_path_expected_got():
    with pytest.raises(ScenarioError) as err:
        scenario_from_text(TEXT % ("", "1e300"), "y.yaml")
    [issue] = err.value.issues
    assert (issue.path, issue.line, issue.got) == ("models[0].bind.base_year", 13, 1e300)
    assert issue.expected == "1900 <= value <= 2500"
    assert "base_year" in issue.problem and "budget_physical_flop" in issue.problem


def test_the_cli_refuses_it_with_exit_2(tmp_path, capsys):
    path = tmp_path / "y.yaml"
    path.write_text(TEXT % ("", "-1.0e+300"), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:13: models[0].bind.base_year" in err and "Traceback" not in err


def test_a_parameter_drawing_years_past_the_span_is_refused():
    with pytest.raises(ScenarioError) as err:
        scenario_from_text(TEXT % ("  start_year: {dist: uniform, low: 2020, high: 3000}", "start_year"), "y.yaml")
    [issue] = err.value.issues
    assert issue.path == "params.start_year" and issue.got == 3000.0


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.floats(min_value=-1e308, max_value=1e308, allow_nan=False),
                 st.floats(min_value=1800, max_value=2600)))
def test_a_constant_base_year_is_accepted_exactly_in_the_span(year):
    text = TEXT % ("", repr(float(year)))
    if 1900 <= year <= 2500:
        s = scenario_from_text(text, "y.yaml")
        assert math.isclose(s.nodes[0].bind["base_year"], year)
    else:
        with pytest.raises(ScenarioError) as err:
            scenario_from_text(text, "y.yaml")
        assert [i.path for i in err.value.issues] == ["models[0].bind.base_year"]
