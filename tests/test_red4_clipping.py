"""Red team 4: a min:/max: past every draw of its distribution made the parameter one constant.

``uniform(1, 2)`` with ``min: 3`` validated and ran with every sample clipped to 3 (the spread
the user wrote was silently gone); the validator refused only max <= min.
"""

import pytest

from costsim.cli import main
from costsim.errors import ScenarioError
from costsim.scenario import scenario_from_text

TEXT = """\
schema_version: 1
name: clip
years: {{start: 2024, stop: 2025}}
samples: 200
seed: 1
params:
  rate_x:
    {spec}
    source: "test"
formulas:
  value_x: "rate_x * 2"
outputs: [value_x]
"""


@pytest.mark.parametrize("spec, bound", [
    ("dist: uniform\n    low: 1\n    high: 2\n    min: 3", "min"),
    ("dist: uniform\n    low: 1\n    high: 2\n    max: 0.5", "max"),
    ("dist: normal\n    mean: 0\n    sd: 1\n    min: 10", "min"),
    ("dist: choice\n    values: [1, 2]\n    max: 1", "max"),
    ("dist: lognormal_ci\n    low: 1\n    high: 2\n    max: 0.001", "max"),
])
def test_a_bound_past_every_draw_is_refused_with_its_line(spec, bound):
    with pytest.raises(ScenarioError) as info:
        scenario_from_text(TEXT.format(spec=spec), "clip.yaml")
    text = str(info.value)
    assert f"params.rate_x.{bound}" in text and "every sample would be clipped" in text
    assert "clip.yaml:" in text


def test_validate_refuses_it_like_run(tmp_path, capsys):
    path = tmp_path / "clip.yaml"
    path.write_text(TEXT.format(spec="dist: uniform\n    low: 1\n    high: 2"), encoding="utf-8")
    assert main(["validate", str(path), "--set", "rate_x.min=3"]) == 2
    assert "rate_x.min" in capsys.readouterr().err
    assert main(["run", str(path), "--set", "rate_x.min=3"]) == 2


@pytest.mark.parametrize("spec", [
    "dist: uniform\n    low: 1\n    high: 2\n    min: 1.5",
    "dist: normal\n    mean: 0\n    sd: 1\n    min: 3",
    "dist: uniform\n    low: 1\n    high: 2\n    min: 0\n    max: 5",
])
def test_a_bound_inside_the_draws_is_kept(spec):
    s = scenario_from_text(TEXT.format(spec=spec), "clip.yaml")
    assert s.params["rate_x"].clip_min is not None
