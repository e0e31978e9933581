"""`costsim gap`: the gap in frontier training compute between two groups, as a ratio and in years."""

from __future__ import annotations

import argparse

from costsim.commands.fit import FILTER_HELP, add_data_arguments, fail, filters_of, save_figure

EPILOG = f"""\
output, per calendar year:
  frontier A, B   each group's frontier (--stat): record = largest model to date (default),
                  max = largest model of the year, top3 = mean log10 of the year's 3 largest
  A/B ratio       frontier of A / frontier of B, with a bootstrap range (models resampled
                  within each group; a resampled maximum is biased low, so read it as a spread;
                  '*' marks a range that ends at the point estimate: one-sided by construction)
  years behind    log10(ratio) / A's frontier slope: years of A's frontier growth B is behind,
                  comparable to the export-control race model's leader/follower gap
  then each group's frontier growth, the gap between the fitted frontier trends in the last
  year, and for every record B set, when A had first reached that level (the lag).

{FILTER_HELP}
examples:
  costsim gap --group "Country (from Organization)==United States of America" \\
              --group "Country (from Organization)==China" --since 2015
  costsim gap --group "Country (from Organization)=United States of America" \\
              --group "Country (from Organization)=China" --since 2018 --stat top3 --filter "Domain~Language"
"""


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``gap`` subcommand."""
    parser = subparsers.add_parser(
        "gap", help="gap in frontier compute between two groups (e.g. US vs China): ratio and years behind",
        description="Compare the frontier of two groups of models year by year: the ratio A/B and how many "
                    "years B is behind, with bootstrap ranges.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_arguments(parser)
    parser.set_defaults(n_boot=1000)
    parser.add_argument("--group", dest="groups", action="append", default=[], metavar="EXPR",
                        help="a filter defining a group; give exactly two, the leader (A) first")
    parser.add_argument("--stat", default="record", metavar="record|max|topK",
                        help="frontier statistic per year (default record: the largest model to date)")
    parser.add_argument("--plot", metavar="PATH", help="save a figure of both frontiers and the years behind")
    parser.set_defaults(func=main)
    return parser


def main(args) -> int:
    """Run `costsim gap`; return the exit code (2 on a data or option error)."""
    import sys

    if len(args.groups) != 2:
        print(f"costsim gap: error: --group: expected exactly two groups (leader first), got {len(args.groups)}",
              file=sys.stderr)
        return 2
    from costsim import calibration
    from costsim.errors import DataError

    try:
        dataset = calibration.load_dataset(args.data)
        result = calibration.gap(dataset, group_a=args.groups[0], group_b=args.groups[1], y=args.y,
                                 filters=filters_of(args), since=args.since, until=args.until, frontier=args.stat,
                                 level=args.level, n_boot=args.n_boot, seed=args.seed)
        print(result.summary())
        if args.plot:
            from costsim.plots.calibration import plot_gap

            save_figure(plot_gap(result), args.plot, args.force)
            print(f"wrote {args.plot}")
    except DataError as err:
        return fail("gap", err)
    return 0
