"""``costsim init [DIR]``: write a starter scenario that runs as is, to edit into your own."""

from __future__ import annotations

import argparse
import re
import sys

EPILOG = """\
examples:
  costsim init                       write ./starter.yaml
  costsim init my_study              write my_study/starter.yaml (the folder is created)
  costsim init . --name gpu_costs    write ./gpu_costs.yaml (scenario name gpu_costs)

Then: costsim run starter.yaml, edit it, run it again. An existing file is never replaced
without --force.
"""

# The starter: formulas only (no Python), one uncertain input of each common kind, one check.
# Its numbers are placeholders, marked as such in their source: lines.
STARTER = """\
# A starter costsim scenario. It runs as is:   costsim run {file}
# Edit it into your own: params: are your inputs (a number, or a distribution), formulas: your
# model (one line each, over params, other formulas and `year`), outputs: what to summarize and
# checks: the claims to test. Every name ends in a unit suffix (costsim params --units lists them).
# Format: docs/SCENARIO_FORMAT.md and docs/FORMULAS.md of costsim; `costsim validate {file}`
# shows every problem with its line.
schema_version: 1
name: {name}
description: >
  Starter: the cost of one large training run, GPU-hours times the rental price, with the
  price of a GPU-hour falling every year.
years: {{start: 2025, stop: 2030}}
samples: 10000
seed: 1
sampling: lhs
summary_years: [2025, 2030]

params:
  run_gpu_hours:
    dist: lognormal_ci          # 90% of the draws fall between low and high
    low: 1.0e+6
    high: 1.0e+7
    source: "placeholder: replace with your estimate and where it comes from"
  price_usd_per_gpu_hour:
    dist: uniform
    low: 1.5
    high: 3.0
    source: "placeholder"
  price_decline_x_per_year:
    dist: lognormal_ci
    low: 1.1
    high: 1.6
    source: "placeholder"
  price_base_year: 2025         # a constant

formulas:
  run_cost_usd: "run_gpu_hours * price_usd_per_gpu_hour / price_decline_x_per_year ** (year - price_base_year)"

outputs: [run_cost_usd]

checks:
  - claim: "In 2025 such a run costs $1M-$30M (median)"
    output: run_cost_usd
    year: 2025
    stat: median
    between: [1.0e+6, 3.0e+7]
"""

NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
MAX_NAME = 100  # the file name (+ .yaml and an atomic write's temporary suffix) stays under 255 bytes


def register(sub) -> None:
    p = sub.add_parser("init", help="write a starter scenario to edit into your own",
                       description="Write a starter scenario file that runs as is (formulas only, three "
                                   "uncertain inputs, one check), with comments on what to edit.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("folder", nargs="?", default=".", metavar="DIR", help="where to write it (default: here)")
    p.add_argument("--name", default="starter", help="scenario name and file name (default: starter)")
    p.add_argument("--force", action="store_true", help="replace an existing file of that name")
    p.set_defaults(func=cmd_init)


def starter_text(name: str = "starter", file: str = "starter.yaml") -> str:
    """The starter scenario's YAML text, named ``name``."""
    return STARTER.format(name=name, file=file)


def cmd_init(args) -> int:
    from pathlib import Path

    from costsim.errors import Issue, ScenarioError
    from costsim.store import atomic_write

    if not NAME_RE.match(args.name) or len(args.name) > MAX_NAME:  # past MAX_NAME: an OSError traceback
        raise ScenarioError("--name", [Issue("--name", "must be a plain name", "letters, digits, _ or -, "
                                             f"starting with a letter, at most {MAX_NAME} characters", args.name)])
    folder = Path(args.folder)
    if folder.suffix.lower() in (".yaml", ".yml") and not folder.is_dir():
        # `costsim init my_study.yaml` made a folder my_study.yaml/ holding starter.yaml
        raise ScenarioError("DIR", [Issue("DIR", "is the folder to write into, not the file name",
                                          "a folder; name the file with --name", args.folder,
                                          hint=f"Write: costsim init --name {folder.stem}" if NAME_RE.match(
                                              folder.stem) else "")])
    target = folder / f"{args.name}.yaml"
    text = starter_text(args.name, str(target))
    atomic_write(target, lambda tmp: tmp.write_text(text, encoding="utf-8"), force=args.force)
    print(f"wrote {target}: edit its params: (your inputs) and formulas: (your model), then\n"
          f"  costsim run {target}", file=sys.stdout)
    return 0
