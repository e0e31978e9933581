"""Calibration commands: the error a mistaken cut-off gets names the real mistake."""

from __future__ import annotations

from costsim.cli import main


def test_a_cutoff_before_since_says_so_instead_of_an_empty_year_range(capsys):
    assert main(["backtest", "--since", "2020", "--cutoff", "2010"]) == 2
    err = capsys.readouterr().err
    assert "--cutoff: the cut-off comes before the first selected point" in err
    assert "expected a cut-off after 2020." in err and "got 2010" in err
    assert "2020 <= year < 2010" not in err  # the old message: an impossible year range


def test_a_cutoff_inside_the_range_still_backtests(capsys):
    assert main(["backtest", "--frontier", "--since", "2010", "--cutoff", "2020"]) == 0
    assert "scored" in capsys.readouterr().out


US = "Country (from Organization)==United States of America"
CN = "Country (from Organization)==China"


def test_a_bootstrap_range_of_a_maximum_that_ends_at_the_point_is_marked_one_sided(capsys):
    # 2016: China has one model, so resampling can only lower the US frontier: the ratio's range ends at 223.
    assert main(["gap", "--group", US, "--group", CN, "--since", "2015", "--boot", "200"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.strip().startswith("2016"))
    assert "223]*" in row
    assert "a bootstrap of a maximum is one-sided there" in out
    assert "not as a 90% confidence interval" in out
    assert "90% interval" not in out  # the columns are ranges, not confidence intervals


def test_a_two_sided_range_is_not_marked(capsys):
    assert main(["gap", "--group", US, "--group", CN, "--since", "2015", "--boot", "200"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.strip().startswith("2021"))
    assert "*" not in row
