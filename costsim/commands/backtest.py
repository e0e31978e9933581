"""`costsim backtest`: fit up to a cut-off year, project, and score against what came after."""

from __future__ import annotations

import argparse

from costsim.commands.fit import FILTER_HELP, METHODS, add_data_arguments, fail, filters_of, save_figure, year_arg

EPILOG = f"""\
scores (over the models published on or after the cut-off, from the same file and filters):
  coverage        share inside the central --level prediction interval (0.90 when calibrated)
  log score       mean log density of each model's log10 y under the predictive t (nats; higher is better)
  median error    (observed - projected log10 y) / slope: years of trend growth the data came in
                  ahead (+) or behind (-) the projection; also the median absolute error
  later fit       the same method fitted on the later models alone, to compare growth rates
  With --method envelope the later models scored are the later record-setting ones.

{FILTER_HELP}
examples:
  costsim backtest --frontier --since 2010 --cutoff 2020
  costsim backtest --since 2010 --cutoff 2020 --method robust --points
  costsim backtest --y "Training compute cost (2023 USD)" --frontier --since 2016 --cutoff 2020
  costsim backtest --frontier --since 2010 --cutoff 2018 --horizon 3 --plot backtest.png
"""


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``backtest`` subcommand."""
    parser = subparsers.add_parser(
        "backtest", help="fit the data before a cut-off year and score the projection on what came after",
        description="Fit a trend on models published before --cutoff, project it with its uncertainty, and "
                    "score the projection against the models published after: interval coverage, log score "
                    "and median error in years.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_arguments(parser)
    parser.add_argument("--cutoff", type=year_arg, required=True, metavar="YEAR",
                        help="fit on models published before YEAR (2020 = before 1 Jan 2020), score the rest")
    parser.add_argument("--method", choices=METHODS, default="ols", help="fit method (default ols)")
    parser.add_argument("--horizon", type=float, metavar="YEARS",
                        help="score only models published within YEARS after the cut-off")
    parser.add_argument("--points", action="store_true", help="list every scored model with its error")
    parser.add_argument("--plot", metavar="PATH", help="save a figure of the fit, the projection and later models")
    parser.set_defaults(func=main)
    return parser


def main(args) -> int:
    """Run `costsim backtest`; return the exit code (2 on a data or option error)."""
    from costsim import calibration
    from costsim.errors import DataError

    try:
        dataset = calibration.load_dataset(args.data)
        selection = calibration.select(dataset, args.y, filters_of(args), since=args.since, until=args.until)
        result = calibration.backtest(selection, cutoff=args.cutoff, method=args.method, level=args.level,
                                      horizon=args.horizon, n_boot=args.n_boot, seed=args.seed)
        print(result.summary())
        if args.points:
            print(f"  {'model':<34} {'year':>8} {'observed':>10} {'projected':>10} {'z':>6} {'error [years]':>14}")
            for i, name in enumerate(result.test_names):
                err_years = (result.test_log10_y[i] - result.loc[i]) / result.fit.slope_log10_per_year
                print(f"  {name[:34]:<34} {result.test_years[i]:>8.2f} {10 ** result.test_log10_y[i]:>10.3g} "
                      f"{10 ** result.loc[i]:>10.3g} {result.z[i]:>+6.2f} {err_years:>+14.2f}")
        if args.plot:
            from costsim.plots.calibration import plot_backtest

            save_figure(plot_backtest(result), args.plot, args.force)
            print(f"wrote {args.plot}")
    except DataError as err:
        return fail("backtest", err)
    return 0
