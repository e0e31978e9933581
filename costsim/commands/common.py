"""Options and output helpers shared by the subcommands (light imports: tqdm loads only once a bar shows)."""

from __future__ import annotations

import argparse
import os
import sys

from costsim.progress import Progress  # noqa: F401 (the commands' progress bar, re-exported)


def count(text: str) -> int:
    """argparse type of -n and other counts: a whole number, written as in YAML too (``1e5``, ``100_000``)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if value != value or value in (float("inf"), float("-inf")) or value != int(value):
        raise argparse.ArgumentTypeError(f"expected a whole number such as 100000 or 1e5, got {text!r}")
    return int(value)


def count_at_least(low: int):
    """argparse type: :func:`count` and at least ``low`` (0 must not quietly mean 'the default')."""
    def parse(text: str) -> int:
        value = count(text)
        if value < low:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {low}, got {text!r}")
        return value

    parse.__name__ = f"count >= {low}"
    return parse


def add_scenario_options(p: argparse.ArgumentParser, *, samples: bool = True) -> None:
    """-n, --seed, --set, --plugin, --design, --workers, --scheduler: what every scenario-running command takes."""
    if samples:
        p.add_argument("-n", "--samples", type=count, metavar="N",
                       help="number of Monte Carlo samples (default: the scenario's samples:)")
    p.add_argument("--seed", type=int, help="root seed (default: the scenario's seed:); same seed, same numbers")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                   help="override any scenario value without editing the file, e.g. "
                        "--set params.cost_decline_x_per_year.high=8 (repeatable)")
    p.add_argument("--plugin", dest="plugins", action="append", default=[], metavar="FILE.py",
                   help="load @model functions from a Python file before running (repeatable). "
                        "A scenario file never loads code by itself.")
    p.add_argument("--design", choices=("mc", "lhs", "sobol"), help="sampling design (default: the scenario's)")
    p.add_argument("--as-of", dest="overrides", action="append", type=lambda y: f"as_of={y}", metavar="YEAR",
                   help="run as of YEAR: fit: parameters are fitted only to data published before it "
                        "(the same as --set as_of=YEAR; kept in the manifest, so rerun reproduces it)")
    p.add_argument("--workers", type=int, metavar="N",
                   help="evaluate in N local processes (results are identical for any N; default: in this process)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786 (default: $COSTSIM_DASK_SCHEDULER; "
                        "needs `pip install 'costsim[dask]'`)")


def parallel_options(args) -> dict:
    """``workers`` and ``scheduler`` for the API, from --workers, --scheduler or $COSTSIM_DASK_SCHEDULER."""
    workers = getattr(args, "workers", None)
    if workers is not None and workers < 1:
        from costsim.errors import Issue, ScenarioError

        raise ScenarioError("--workers", [Issue("", "must be a positive number of processes", ">= 1",
                                                workers)])
    scheduler = getattr(args, "scheduler", None)
    if not scheduler and not os.environ.get(SCHEDULER_ENV, "").strip():
        return {"workers": workers, "scheduler": None}  # importing the executors waits for a pool
    from costsim.parallel import resolve_scheduler

    return {"workers": workers, "scheduler": resolve_scheduler(scheduler)}


SCHEDULER_ENV = "COSTSIM_DASK_SCHEDULER"  # = costsim.parallel.SCHEDULER_ENV (a test checks)
ENTRY_POINT_GROUP = "costsim.models"  # = costsim.plugins.ENTRY_POINT_GROUP (a test checks)
_METADATA_SUFFIXES = (".dist-info", ".egg-info")


def entry_points_may_exist(path: list[str] | None = None) -> bool:
    """False only when no installed distribution can declare a ``costsim.models`` entry point.

    What importlib.metadata would read, without importing it (~15-20 ms of every run): the
    ``entry_points.txt`` of each ``*.dist-info`` / ``*.egg-info`` folder in the ``sys.path``
    directories. Anything it cannot rule out cheaply (a zip or egg on the path, a metadata
    finder other than the standard path finder) answers True, and the caller asks
    importlib.metadata.
    """
    for finder in sys.meta_path:
        if callable(getattr(finder, "find_distributions", None)) and not _reads_sys_path(finder):
            return True
    for entry in sys.path if path is None else path:
        folder = entry or "."
        try:
            names = os.listdir(folder)
        except NotADirectoryError:
            return True  # a zip file on the path
        except OSError:
            continue  # missing folders, path-hook markers: importlib finds nothing there either
        for name in names:
            low = name.lower()
            if low.endswith(".egg") or low == "egg-info":
                return True
            if not low.endswith(_METADATA_SUFFIXES):
                continue
            try:
                with open(os.path.join(folder, name, "entry_points.txt"), "rb") as fh:
                    if ENTRY_POINT_GROUP.encode() in fh.read():
                        return True
            except FileNotFoundError:
                continue
            except OSError:  # NotADirectoryError (an egg-info file), permissions: let importlib decide
                return True
    return False


def _reads_sys_path(finder) -> bool:
    """The standard metadata finders: the stdlib's PathFinder, and the MetadataPathFinder of
    importlib.metadata or of its backport importlib_metadata (which dask's dependencies may
    install in place of the stdlib's); each reads the *.dist-info / *.egg-info of sys.path."""
    from importlib.machinery import PathFinder

    if finder is PathFinder:
        return True
    name = getattr(finder, "__qualname__", type(finder).__qualname__)
    module = getattr(finder, "__module__", "") or ""
    return name == "MetadataPathFinder" and module.rsplit(".", 1)[-1] in ("metadata", "importlib_metadata")


def load_plugins(args) -> None:
    """Load plugins named on the command line and installed entry-point models."""
    paths = getattr(args, "plugins", None) or []
    if not paths and not entry_points_may_exist():
        return
    try:
        from costsim.plugins import load_entry_point_models, load_plugin
    except ImportError:
        if paths:
            raise
        return
    load_entry_point_models()
    for path in paths:
        load_plugin(path)


def kept_note(folder) -> str:
    """'; kept what you had added: a, b' when --force replaced a folder holding files costsim had not written."""
    from costsim.store import kept_entries

    kept = kept_entries(folder)
    return f"; kept what you had added: {', '.join(kept)}" if kept else ""


def fmt(x: float) -> str:
    """A number in 4 significant digits, scientific when large or small."""
    if x != x:
        return "nan"
    ax = abs(x)
    if ax != 0 and (ax >= 1e5 or ax < 1e-3):
        return f"{x:.3e}"
    return f"{x:.4g}"
