"""Red team 4: validate --explain described a clipped parameter as if it were not clipped.

``lognormal, 90% in [1, 2]`` with ``max: 1.2`` was explained as "median 1.414, 90% [1, 2]" while
every draw above 1.2 is clipped to 1.2 (the run's median is 1.2); ``normal(1, 1)`` with
``min: 0`` as "90% [-0.6449, 2.645]", values the run never draws.
"""

import pytest

from costsim.cli import main

TEXT = """\
schema_version: 1
name: ex
years: {{start: 2024, stop: 2025}}
params:
  rate_x: {spec}
formulas:
  value_x: "rate_x * 1"
outputs: [value_x]
"""


@pytest.mark.parametrize("spec, expected", [
    ("{dist: lognormal_ci, low: 1, high: 2, max: 1.2, source: s}",
     "clipped to [-inf, 1.2]  ->  median 1.2, 90% [1, 1.2], 1%..99% [0.8662, 1.2]"),
    ("{dist: normal, mean: 1, sd: 1, min: 0, source: s}",
     "clipped to [0, inf]  ->  median 1, 90% [0, 2.645], 1%..99% [0, 3.326]"),
    ("{dist: uniform, low: 1, high: 2, min: 1.5, max: 1.9, source: s}",
     "clipped to [1.5, 1.9]  ->  median 1.5, 90% [1.5, 1.9], 1%..99% [1.5, 1.9]"),
])
def test_explain_shows_the_clipped_draws(tmp_path, capsys, spec, expected):
    path = tmp_path / "ex.yaml"
    path.write_text(TEXT.format(spec=spec), encoding="utf-8")
    assert main(["validate", "--explain", str(path)]) == 0
    assert expected in capsys.readouterr().out


def test_explain_of_an_unclipped_parameter_is_unchanged(tmp_path, capsys):
    path = tmp_path / "ex.yaml"
    path.write_text(TEXT.format(spec="{dist: uniform, low: 1, high: 2, source: s}"), encoding="utf-8")
    assert main(["validate", "--explain", str(path)]) == 0
    out = capsys.readouterr().out
    assert "uniform(1, 2)  ->  median 1.5, 90% [1.05, 1.95], 1%..99% [1.01, 1.99]" in out
    assert "clipped to" not in out


def test_explain_agrees_with_the_run(tmp_path, capsys):
    path = tmp_path / "ex.yaml"
    path.write_text(TEXT.format(spec="{dist: lognormal_ci, low: 1, high: 2, max: 1.2, source: s}"),
                    encoding="utf-8")
    assert main(["run", str(path), "-n", "20000"]) == 0
    assert "     1.2  [" in capsys.readouterr().out  # the run's median of the clipped draws
