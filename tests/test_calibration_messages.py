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
