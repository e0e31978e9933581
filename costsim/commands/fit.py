"""`costsim fit`: fit a log-linear growth trend to the notable-models data (Epoch AI, CC BY 4.0).

Also holds the data options shared by `costsim backtest` and `costsim gap`. Module-level imports
are argparse only, so `costsim --help` stays instant; numpy and the calibration code load in main.
"""

from __future__ import annotations

import argparse
import math

METHODS = ("ols", "robust", "envelope", "bootstrap")

FILTER_HELP = """\
filters (--filter, repeatable, ANDed):
  COLUMN=VALUE    the cell, or one of its comma-separated items, equals VALUE (case-insensitive)
  COLUMN==VALUE   every comma-separated item equals VALUE ("China,China" yes, "China,Canada" no)
  COLUMN!=VALUE   the opposite of COLUMN=VALUE
  COLUMN~TEXT     the cell contains TEXT; COLUMN!~TEXT: it does not
  COLUMN>=X       numeric comparison, also >, <, <= (dates for "Publication date")
  VALUE|VALUE     alternatives: "Confidence=Confident|Likely"
  useful columns: "Frontier model" (True), "Country (from Organization)", "Organization",
  "Domain", "Confidence", "Model accessibility" (list all: costsim fit --columns)
"""

EPILOG = f"""\
{FILTER_HELP}
methods:
  ols        least squares on log10(y); t-based interval of the slope (default)
  bootstrap  least squares; percentile interval over resampled models (--boot, --seed)
  robust     Theil-Sen slope, robust to outliers; spread = 1.4826 x MAD
  envelope   least squares on the record-setting models only (the largest run to date)

examples:
  costsim fit --since 2010                                     all notable models
  costsim fit --frontier --since 2010                          frontier models
  costsim fit --y "Training compute cost (2023 USD)" --frontier --since 2016
  costsim fit --frontier --since 2010 --show DeepSeek-V3       place a model against the trend
  costsim fit --filter "Country (from Organization)==China" --since 2018 --method robust
  costsim fit --frontier --since 2010 --as-param frontier_flop_x_per_year   YAML for a scenario
  costsim fit newer_export.csv --frontier --since 2010 --plot fit.png       a newer Epoch CSV

DATA is the bundled snapshot of Epoch AI's "Notable AI Models" (2025-02-24, CC BY 4.0;
https://epoch.ai/data/notable-ai-models) unless a CSV with the same columns is given.
"""


def year_arg(text: str) -> float:
    """argparse type: a year (2018, 2020.5) or a date (2020-06-30) -> decimal year."""
    import datetime

    try:
        value = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected a year (2018) or a date (2018-06-30), got {text!r}")
        return value
    try:
        date = datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a year (2018) or a date (2018-06-30), got {text!r}") from None
    start = datetime.date(date.year, 1, 1)
    return date.year + (date - start).days / (datetime.date(date.year + 1, 1, 1) - start).days


def probability_arg(text: str) -> float:
    """argparse type: a probability strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a probability 0 < p < 1, got {text!r}")
    return value


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """DATA, --y, --filter, --frontier, --since, --until, --level, --boot, --seed, --force."""
    parser.add_argument("--force", action="store_true", help="replace an existing --plot file")
    parser.add_argument("data", nargs="?", default="bundled", metavar="DATA",
                        help="notable-models CSV (default: 'bundled', the shipped Epoch AI snapshot)")
    parser.add_argument("--y", default="Training compute (FLOP)", metavar="COLUMN",
                        help="column to fit (default: 'Training compute (FLOP)'; also "
                             "'Training compute cost (2023 USD)', 'Parameters', ...)")
    parser.add_argument("--filter", dest="filters", action="append", default=[], metavar="EXPR",
                        help="keep rows matching EXPR, e.g. 'Country (from Organization)=China' (repeatable, ANDed)")
    parser.add_argument("--frontier", action="store_true", help="shorthand for --filter 'Frontier model=True'")
    parser.add_argument("--since", type=year_arg, metavar="YEAR",
                        help="only models published in or after YEAR (2010 = from 1 Jan 2010; a date works too)")
    parser.add_argument("--until", type=year_arg, metavar="YEAR",
                        help="only models published before YEAR (2020 = before 1 Jan 2020)")
    parser.add_argument("--level", type=probability_arg, default=0.9,
                        help="credibility of the intervals (default 0.9)")
    parser.add_argument("--boot", dest="n_boot", type=int, default=2000, metavar="N",
                        help="bootstrap resamples (--method bootstrap: default 2000; gap: default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")


def filters_of(args) -> list[str]:
    """The filter texts of the parsed arguments, with --frontier expanded."""
    filters = list(args.filters)
    if getattr(args, "frontier", False):
        filters.append("Frontier model=True")
    return filters


_CLI_NAMES = {"horizon": "--horizon", "n_boot": "--boot", "seed": "--seed", "y": "--y", "since": "--since", "until": "--until", "data": "DATA", "method": "--method",
              "level": "--level", "cutoff": "--cutoff", "model": "--show", "frontier": "--stat",
              "group": "--group", "group_a": "--group", "group_b": "--group"}


def error_message(err) -> str:
    """Render a DataError with command-line option names in place of fit-field paths."""
    from costsim.errors import Issue

    issue = getattr(err, "issue", None)
    if issue is None:
        return str(err)
    path = issue.path
    if path.startswith("filter["):
        path = "--filter"
    path = _CLI_NAMES.get(path, path)
    return Issue(path, issue.problem, issue.expected, issue.got, hint=issue.hint).render(issue.source or "data")


def fail(command: str, err) -> int:
    """Print a one-line error (no traceback) for a user mistake; return exit code 2."""
    import sys

    print(f"costsim {command}: error: {error_message(err)}", file=sys.stderr)
    return 2


def save_figure(ax, path: str, force: bool = False) -> None:
    """Save the figure holding ``ax`` as every costsim figure is saved.

    Deterministic bytes (costsim.plots.save_figure, format from the extension), written through a
    temporary file and renamed, never over an existing file unless ``force`` (``--force``).
    """
    from costsim.errors import OutputError
    from costsim.plots import save_figure as save
    from costsim.store import atomic_write

    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if suffix not in ("png", "svg", "pdf"):
        raise OutputError(f"{path}: unknown figure format; expected a name ending in .png, .svg or .pdf")
    atomic_write(path, lambda tmp: save(ax, tmp), force=force)


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``fit`` subcommand."""
    parser = subparsers.add_parser(
        "fit", help="fit a growth trend (x per year, with its interval) to the notable-models data",
        description="Fit log10(y) against publication year and print the growth multiple per year with its "
                    "interval, the residual spread and the trend level; optionally as a scenario parameter.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_arguments(parser)
    parser.add_argument("--method", choices=METHODS, default="ols", help="fit method (default ols; see below)")
    parser.add_argument("--at", type=year_arg, metavar="YEAR", help="print the trend level at YEAR "
                        "(default: the year after the last point)")
    parser.add_argument("--show", action="append", default=[], metavar="MODEL",
                        help="place a model of the file against the trend: residual in dex and in residual sd "
                             "(repeatable; e.g. --show DeepSeek-V3)")
    parser.add_argument("--as-param", metavar="NAME",
                        help="also print a lognormal_ci scenario parameter NAME (a growth multiple per year, "
                             "so name it *_x_per_year) and the equivalent fit: form")
    parser.add_argument("--plot", metavar="PATH", help="save a figure of the data, the trend and its band")
    parser.add_argument("--columns", action="store_true", help="list the CSV's columns and exit")
    parser.set_defaults(func=main)
    return parser


def main(args) -> int:
    """Run `costsim fit`; return the exit code (2 on a data or option error)."""
    from costsim import calibration
    from costsim.errors import DataError

    if args.as_param is not None:
        import unicodedata

        name = args.as_param
        if not name.isidentifier() or unicodedata.normalize("NFKC", name) != name:
            import sys

            from costsim.errors import Issue

            # the printed YAML would be refused by the scenario loader
            print("costsim fit: error: " + Issue("--as-param", "parameter name must be an identifier",
                                                  "letters, digits and _, e.g. frontier_flop_x_per_year",
                                                  name).render("--as-param"), file=sys.stderr)
            return 2
    try:
        dataset = calibration.load_dataset(args.data)
        if args.columns:
            print(f"{dataset.label}: {dataset.n_rows} rows; columns:")
            for name, cells in dataset.columns.items():
                print(f"  {name!r} ({sum(1 for c in cells if c)} filled)")
            return 0
        selection = calibration.select(dataset, args.y, filters_of(args), since=args.since, until=args.until)
        trend = calibration.fit_trend(selection, method=args.method, level=args.level, n_boot=args.n_boot,
                                      seed=args.seed)
        print(trend.summary(at_year=args.at))
        for model in args.show:
            placed = calibration.residual_in_sd(trend, dataset, model)
            print(f"  {placed['model']} ({placed['year']:.2f}): {placed['value']:.3g} vs trend "
                  f"{placed['trend_value']:.3g}; residual {placed['residual_log10']:+.2f} dex = "
                  f"{placed['residual_sd']:+.2f} residual sd (percentile {placed['predictive_percentile']:.0f} "
                  f"of the predictive distribution)")
        if args.as_param:
            spec = calibration.to_param_spec(trend, args.level)
            data = "bundled" if dataset.path == calibration.BUNDLED else dataset.path
            print()
            print(calibration.param_yaml(args.as_param, spec, calibration.fit_form(trend, data)), end="")
        if args.plot:
            from costsim.plots.calibration import plot_fit

            save_figure(plot_fit(trend, label_points=tuple(args.show)), args.plot, args.force)
            print(f"wrote {args.plot}")
    except DataError as err:
        return fail("fit", err)
    return 0
