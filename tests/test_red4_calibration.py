"""Red team 4: fit/backtest/gap options that crashed or printed an interval of nothing.

``costsim fit --method bootstrap --boot 0`` (and backtest) ended in an IndexError traceback;
``--boot 1`` printed a 90% CI of one resample ([2.01, 2.01]) and a prediction interval of
'nan to nan'; ``--seed -1`` was a ValueError traceback in fit, backtest and gap; ``--since nan``
was taken as a year; ``--as-param 9bad`` printed YAML that the scenario loader refuses.
"""

import pytest

from costsim import calibration as cal
from costsim.cli import main
from costsim.errors import DataError

US = "Country (from Organization)==United States of America"
CN = "Country (from Organization)==China"


@pytest.mark.parametrize("argv, what", [
    (["fit", "--method", "bootstrap", "--boot", "0"], "--boot"),
    (["fit", "--method", "bootstrap", "--boot", "1"], "--boot"),
    (["fit", "--method", "bootstrap", "--seed", "-1"], "--seed"),
    (["backtest", "--cutoff", "2020", "--method", "bootstrap", "--boot", "0"], "--boot"),
    (["gap", "--group", US, "--group", CN, "--since", "2015", "--seed", "-3"], "--seed"),
    (["gap", "--group", US, "--group", CN, "--since", "2015", "--boot", "0"], "--boot"),
])
def test_bad_bootstrap_options_exit_2_naming_the_option(argv, what, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert what in err and "Traceback" not in err


def test_fit_trend_refuses_too_few_resamples():
    sel = cal.selection_from_arrays([2010, 2012, 2014, 2016, 2018], [1e20, 1e21, 1e22, 1e23, 1e24])
    with pytest.raises(DataError, match="n_boot"):
        cal.fit_trend(sel, method="bootstrap", n_boot=1)
    lo, hi = cal.fit_trend(sel, method="bootstrap", n_boot=10).slope_interval
    assert lo <= hi


@pytest.mark.parametrize("year", ["nan", "inf", "-inf"])
def test_a_year_that_is_not_finite_is_refused(year, capsys):
    with pytest.raises(SystemExit) as info:
        main(["fit", "--since", year])
    assert info.value.code == 2
    assert "--since" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["9bad", "a: b", "x-y"])
def test_as_param_must_be_a_parameter_name(name, capsys):
    assert main(["fit", "--frontier", "--since", "2010", "--as-param", name]) == 2
    captured = capsys.readouterr()
    assert "--as-param" in captured.err and "params:" not in captured.out


def test_as_param_output_loads_as_a_scenario_parameter(capsys):
    assert main(["fit", "--frontier", "--since", "2010", "--as-param", "flop_x_per_year"]) == 0
    assert "  flop_x_per_year:\n    dist: lognormal_ci" in capsys.readouterr().out


@pytest.mark.parametrize("horizon", ["0", "-3", "nan"])
def test_backtest_horizon_of_no_years_names_the_horizon(horizon, capsys):
    # was "--cutoff: no points after the cut-off to score": the wrong option blamed
    assert main(["backtest", "--cutoff", "2020", "--horizon", horizon]) == 2
    err = capsys.readouterr().err
    assert "--horizon" in err and "--cutoff" not in err


def test_backtest_with_a_horizon_still_scores(capsys):
    assert main(["backtest", "--cutoff", "2020", "--horizon", "3"]) == 0
    assert "coverage" in capsys.readouterr().out


def test_robust_fit_of_three_points_does_not_claim_a_perfect_line():
    # Theil-Sen puts two of three points on its line: the MAD was 0 and the spread printed as
    # "residual sd 1e-12 dex (a factor of 1 either way)" for points that are not on one line
    sel = cal.selection_from_arrays([2020.0, 2021.0, 2022.5], [1e22, 1e23, 3e23])
    trend = cal.fit_trend(sel, method="robust")
    assert trend.residual_sd_log10 > 0.01
    assert "a factor of 1 either way" not in trend.summary()


def test_robust_fit_of_a_perfect_line_keeps_its_floor():
    sel = cal.selection_from_arrays([2020.0, 2021.0, 2022.0, 2023.0], [1e22, 1e23, 1e24, 1e25])
    assert cal.fit_trend(sel, method="robust").residual_sd_log10 == 1e-12
