"""Red team 4: years that two runs do not share, or that a run does not have.

diff compared A's and B's per-year outputs by position, so A's 2024 was set against B's 2025
when the horizons were shifted; diff and sweep given a year outside the horizon printed no
table and exited 0; sweep --show of a year that was not summarised printed nothing either.
"""

import numpy as np
import pytest

from costsim.cli import main
from costsim.diff import diff
from costsim.errors import ScenarioError
from costsim.scenario import scenario_from_text

TEXT = """\
schema_version: 1
name: {name}
years: {{start: {start}, stop: {stop}}}
samples: 400
seed: 3
params:
  rate_x: {{dist: uniform, low: 1.0, high: 2.0, source: "test"}}
formulas:
  value_x: "rate_x ** (year - 2023)"
outputs: [value_x]
"""


def _write(tmp_path, name, start, stop):
    path = tmp_path / f"{name}.yaml"
    path.write_text(TEXT.format(name=name, start=start, stop=stop), encoding="utf-8")
    return path


def _scenario(name, start, stop):
    return scenario_from_text(TEXT.format(name=name, start=start, stop=stop), f"{name}.yaml")


def test_diff_of_shifted_horizons_compares_the_same_calendar_year():
    a = _scenario("a", 2024, 2027)
    b = _scenario("b", 2025, 2028)  # the same formula: every shared year is identical
    res = diff(a, b, years=(2025, 2026, 2027), log10=False)
    for year in (2025, 2026, 2027):
        row = res.row("value_x", year)
        assert row["mean"] == 0.0 and row["p05"] == 0.0 and row["p95"] == 0.0
    assert any("years differ" in s for s in res.structure)


def test_diff_attribution_of_shifted_horizons_is_year_aligned():
    a = _scenario("a", 2024, 2027)
    b = scenario_from_text(TEXT.format(name="b", start=2025, stop=2028).replace("high: 2.0", "high: 3.0"), "b.yaml")
    res = diff(a, b, years=(2026,), log10=False)
    # value = rate ** 3 in 2026 for both; B's rate is drawn from the same uniforms, stretched to [1, 3]
    u = _u(a, 400)
    row = res.row("value_x", 2026)
    assert row["mean"] == pytest.approx(np.mean((1 + 2 * u) ** 3 - (1 + u) ** 3), rel=1e-9)
    parts = res.contributions("value_x", 2026)
    assert parts["rate_x"] == pytest.approx(row["mean"], rel=1e-9)


def _u(a, n):
    from costsim.sampling import draw

    values, _ = draw(a, n, 3)
    return values["rate_x"] - 1.0  # the uniform in [0, 1] behind A's draws


def test_diff_cli_default_years_are_the_shared_ones(tmp_path, capsys):
    _write(tmp_path, "a", 2024, 2027)
    _write(tmp_path, "b", 2025, 2028)
    assert main(["diff", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), "--linear"]) == 0
    out = capsys.readouterr().out
    assert "B - A" in out and "median 0," in out
    assert "P(B > A) 0.000" in out and "P(B > A) 1.000" not in out


@pytest.mark.parametrize("argv", [["--years", "2099"], ["--years", "2024"]])
def test_diff_year_outside_either_horizon_exits_2(tmp_path, capsys, argv):
    _write(tmp_path, "a", 2024, 2027)
    _write(tmp_path, "b", 2025, 2028)
    assert main(["diff", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), *argv]) == 2
    err = capsys.readouterr().err
    assert "not a year of both scenarios" in err and "2025-2027" in err and argv[1] in err


def test_diff_of_scenarios_sharing_no_year_exits_2(tmp_path, capsys):
    _write(tmp_path, "a", 2024, 2025)
    _write(tmp_path, "b", 2030, 2031)
    assert main(["diff", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")]) == 2
    assert "share no year" in capsys.readouterr().err


def test_diff_years_of_one_scenario_outside_its_horizon_exits_2(tmp_path, capsys):
    _write(tmp_path, "a", 2024, 2027)
    assert main(["diff", str(tmp_path / "a.yaml"), "--set-b", "rate_x.high=3", "--years", "2099"]) == 2
    assert "2099" in capsys.readouterr().err


def test_sweep_years_outside_the_horizon_exit_2(tmp_path, capsys):
    _write(tmp_path, "a", 2024, 2027)
    assert main(["sweep", str(tmp_path / "a.yaml"), "--over", "rate_x.high=2,3", "--years", "2099"]) == 2
    err = capsys.readouterr().err
    assert "not a year of the scenario" in err and "2099" in err and "2024-2027" in err


def test_sweep_years_missing_at_one_point_names_the_point(tmp_path, capsys):
    _write(tmp_path, "a", 2024, 2027)
    assert main(["sweep", str(tmp_path / "a.yaml"), "--over", "years.stop=2026,2030", "--years", "2027"]) == 2
    assert "years.stop=2026" in capsys.readouterr().err


def test_sweep_over_the_horizon_with_default_years_still_runs(tmp_path, capsys):
    _write(tmp_path, "a", 2024, 2027)
    assert main(["sweep", str(tmp_path / "a.yaml"), "--over", "years.stop=2026,2030"]) == 0


def test_sweep_show_of_a_year_not_summarised_exits_2(tmp_path, capsys):
    _write(tmp_path, "a", 2024, 2027)
    assert main(["sweep", str(tmp_path / "a.yaml"), "--over", "rate_x.high=2,3", "--years", "2025",
                 "--show", "2026"]) == 2
    err = capsys.readouterr().err
    assert "--show" in err and "2026" in err


def test_sweep_api_year_outside_the_horizon_raises():
    from costsim.sweep import sweep

    with pytest.raises(ScenarioError, match="2099"):
        sweep(_scenario("a", 2024, 2027), ["rate_x.high=2,3"], years=(2099,))
