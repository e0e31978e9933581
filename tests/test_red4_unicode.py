"""Red team 4: names that Python's parser rewrites (Unicode NFKC) were read as another name.

Formulas are parsed as Python, which reads identifiers in NFKC form: a formula written with
'ﬁrate_x' (the 'ﬁ' ligature) read the parameter 'firate_x' and printed its numbers, though a
parameter 'ﬁrate_x' of its own was declared; such names are now refused where they are declared.
"""

import pytest

from costsim.engine import run
from costsim.errors import ScenarioError
from costsim.scenario import scenario_from_text

LIG = "\ufb01"  # 'ﬁ', NFKC 'fi'

TWO_PARAMS = f"""\
schema_version: 1
name: lig
years: {{start: 2024, stop: 2025}}
params:
  firate_x: 1
  {LIG}rate_x: 100
formulas:
  value_x: "{LIG}rate_x * 1"
outputs: [value_x]
"""


def test_a_parameter_whose_name_nfkc_rewrites_is_refused_with_its_line():
    with pytest.raises(ScenarioError) as info:
        s = scenario_from_text(TWO_PARAMS, "lig.yaml")
        # the old code ran, and the formula read firate_x (1), not the declared 'ﬁrate_x' (100)
        assert float(run(s, n=4).outputs["value_x"][0, 0]) == 100.0
    text = str(info.value)
    assert "lig.yaml:6" in text and "NFKC" in text and "'firate_x'" in text


def test_a_formula_whose_name_nfkc_rewrites_is_refused():
    text = TWO_PARAMS.replace(f"  {LIG}rate_x: 100\n", "").replace(
        f'  value_x: "{LIG}rate_x * 1"', f'  {LIG}v_x: "firate_x * 1"\n  value_x: "{LIG}v_x * 1"')
    with pytest.raises(ScenarioError) as info:
        scenario_from_text(text, "lig.yaml")
    assert f"formulas.{LIG}v_x" in str(info.value) and "NFKC" in str(info.value)


def test_other_unicode_names_are_still_accepted():
    text = TWO_PARAMS.replace(f"{LIG}rate_x", "r\u00e1te_x")  # 'á' is NFKC already
    s = scenario_from_text(text, "lig.yaml")
    assert float(run(s, n=4).outputs["value_x"][0, 0]) == 100.0
