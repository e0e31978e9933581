"""A parameter an ``extends:`` child adds, and nothing reads, is refused (it would change nothing).

Found by red-team: a child of export_controls_base.yaml that misspelt an override
(``diffusion_dealy_years: 3.0`` for ``diffusion_delay_years``) validated, and ran the parent's
value unchanged. A plain file may keep unread parameters on purpose (claims_sonnet_cost.yaml
cites the claim's other field as ``sonnet_high_usd``), so only a child's new ones are refused.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costsim.errors import ScenarioError
from costsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]

PARENT = """\
schema_version: 1
name: parent
years: {start: 2025, stop: 2030}
samples: 200
params:
  base_budget_usd: 1.0e+8
  budget_growth_x_per_year: {dist: uniform, low: 2, high: 3}
  hardware_gain_x_per_year: 1.3
  base_flop_per_usd: 2.5e+17
  kept_for_the_record_usd: 5.0
models:
  - use: budget_physical_flop
    bind: {base_year: 2025}
"""


def _write(tmp_path: Path, child: str) -> Path:
    (tmp_path / "parent.yaml").write_text(PARENT)
    path = tmp_path / "child.yaml"
    path.write_text(textwrap.dedent(child))
    return path


def test_a_misspelt_override_in_a_child_is_refused_with_file_line_path_and_suggestion(tmp_path):
    path = _write(tmp_path, """\
        name: child
        extends: parent.yaml
        params:
          budget_growht_x_per_year: 5.0
        """)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    [issue] = err.value.issues
    assert issue.path == "params.budget_growht_x_per_year"
    assert issue.line == 4
    assert issue.got == "budget_growht_x_per_year"
    assert "parent.yaml" in issue.problem and "no model or formula uses" in issue.problem
    assert "budget_growth_x_per_year" in issue.hint


def test_the_cli_refuses_it_with_exit_2_and_no_traceback(tmp_path):
    path = _write(tmp_path, """\
        name: child
        extends: parent.yaml
        params:
          budget_growht_x_per_year: 5.0
        """)
    proc = subprocess.run([sys.executable, "-m", "costsim.cli", "validate", str(path)], capture_output=True,
                          text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert f"{path}:4: params.budget_growht_x_per_year" in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("child", [
    # an override of the parent's parameter
    "name: child\nextends: parent.yaml\nparams:\n  budget_growth_x_per_year: 5.0\n",
    # a new parameter a child's formula reads
    "name: child\nextends: parent.yaml\nparams:\n  extra_usd: 2.0\nformulas:\n  total_usd: \"extra_usd * 2\"\n",
    # a new parameter bound to a parent's model input
    "name: child\nextends: parent.yaml\nparams:\n  other_flop_per_usd: 1.0e+17\n"
    "models:\n  - use: budget_physical_flop\n    bind: {base_year: 2025, base_flop_per_usd: other_flop_per_usd}\n",
    # a new parameter a new model reads
    "name: child\nextends: parent.yaml\nparams:\n  cost_decline_x_per_year: 4.0\nmodels:\n"
    "  - use: budget_physical_flop\n    bind: {base_year: 2025}\n  - use: decline_algorithmic_efficiency\n"
    "    bind: {base_year: 2025}\n",
    # an override of the parent's unread parameter: the parent keeps it on purpose
    "name: child\nextends: parent.yaml\nparams:\n  kept_for_the_record_usd: 6.0\n",
])
def test_legitimate_uses_in_a_child_are_accepted(tmp_path, child):
    load_scenario(_write(tmp_path, child))


def test_an_unread_parameter_of_a_file_without_extends_is_still_accepted(tmp_path):
    (tmp_path / "parent.yaml").write_text(PARENT)
    s = load_scenario(tmp_path / "parent.yaml")
    assert "kept_for_the_record_usd" in s.params


def test_a_grandchild_is_checked_against_its_whole_chain(tmp_path):
    _write(tmp_path, "name: child\nextends: parent.yaml\nparams:\n  budget_growth_x_per_year: 5.0\n")
    grand = tmp_path / "grand.yaml"
    grand.write_text("name: grand\nextends: child.yaml\nparams:\n  hardware_gain_x_per_year: 1.4\n"
                     "  hardwre_gain_x_per_year: 1.5\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(grand)
    assert [i.path for i in err.value.issues] == ["params.hardwre_gain_x_per_year"]
    assert "child.yaml" in err.value.issues[0].problem


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stem=st.from_regex(r"[a-z]{1,8}(_[a-z]{1,6}){0,2}", fullmatch=True),
       suffix=st.sampled_from(["_usd", "_flop", "_x_per_year", "_frac", "_years"]))
def test_any_new_unread_parameter_of_a_child_is_refused(tmp_path, stem, suffix):
    name = stem + suffix
    if name in PARENT:
        return
    path = _write(tmp_path, f"name: child\nextends: parent.yaml\nparams:\n  {name}: 0.5\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert [i.path for i in err.value.issues] == [f"params.{name}"]
