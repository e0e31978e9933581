"""Red team 4: options of another sensitivity method were silently dropped.

``--method morris --n-base 64`` ran 100 trajectories (N_base is Sobol's), ``--method tornado
--design mc`` drew nothing differently, ``--trajectories 10`` with the default Sobol' ran Sobol':
another analysis than the one asked for, exit 0. Each is refused, naming its method.
"""

import pytest

from costsim.cli import main

TEXT = """\
schema_version: 1
name: so
years: {start: 2024, stop: 2025}
params:
  rate_x: {dist: uniform, low: 1.0, high: 2.0, source: "test"}
  other_x: {dist: uniform, low: 1.0, high: 2.0, source: "test"}
formulas:
  value_x: "rate_x * other_x"
outputs: [value_x]
"""


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "so.yaml"
    p.write_text(TEXT, encoding="utf-8")
    return str(p)


@pytest.mark.parametrize("argv, flag, method", [
    (["--method", "morris", "--n-base", "64"], "--n-base", "sobol"),
    (["--method", "morris", "--resamples", "10"], "--resamples", "sobol"),
    (["--method", "tornado", "--design", "mc"], "--design", "sobol"),
    (["--trajectories", "10"], "--trajectories", "morris"),
    (["--method", "tornado", "--levels", "4"], "--levels", "morris"),
    (["--method", "sobol", "--quantiles", "0.1,0.9"], "--quantiles", "tornado"),
])
def test_an_option_of_another_method_exits_2(path, capsys, argv, flag, method):
    assert main(["sensitivity", path, *argv]) == 2
    captured = capsys.readouterr()
    assert f"{flag}: is an option of --method {method}" in captured.err and captured.out == ""


@pytest.mark.parametrize("argv", [["--n-base", "64", "--design", "mc"],
                                  ["--method", "morris", "--trajectories", "10", "--levels", "4"],
                                  ["--method", "tornado", "--quantiles", "0.1,0.9"]])
def test_a_method_s_own_options_still_run(path, argv):
    assert main(["sensitivity", path, *argv]) == 0


def test_tornado_bounds_in_the_wrong_order_are_refused(tmp_path, capsys):
    # bounds [5, 2] ran and printed "low -> high input: 5 -> 2"
    p = tmp_path / "b.yaml"
    p.write_text(TEXT + "sensitivity:\n  bounds: {rate_x: [5, 2]}\n", encoding="utf-8")
    assert main(["sensitivity", str(p), "--method", "tornado"]) == 2
    assert "sensitivity.bounds.rate_x: low must not exceed high" in capsys.readouterr().err
    p.write_text(TEXT + "sensitivity:\n  bounds: {rate_x: [1, 5]}\n", encoding="utf-8")
    assert main(["sensitivity", str(p), "--method", "tornado"]) == 0
