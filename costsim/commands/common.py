"""Options and output helpers shared by the subcommands (imports stay light: argparse, sys, time)."""

from __future__ import annotations

import argparse
import sys
import time


def add_scenario_options(p: argparse.ArgumentParser, *, samples: bool = True) -> None:
    """-n, --seed, --set, --plugin, --design, --workers, --scheduler: what every scenario-running command takes."""
    if samples:
        p.add_argument("-n", "--samples", type=int, metavar="N",
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
    from costsim.parallel import resolve_scheduler

    return {"workers": workers, "scheduler": resolve_scheduler(getattr(args, "scheduler", None))}


def load_plugins(args) -> None:
    """Load plugins named on the command line and installed entry-point models."""
    paths = getattr(args, "plugins", None) or []
    try:
        from costsim.plugins import load_entry_point_models, load_plugin
    except ImportError:
        if paths:
            raise
        return
    load_entry_point_models()
    for path in paths:
        load_plugin(path)


class Progress:
    """A progress line on stderr with counts and ETA; silent unless stderr is a terminal and the
    work takes more than ``after_s`` seconds."""

    def __init__(self, label: str, after_s: float = 1.0, stream=None, force: bool = False):
        self.label = label
        self.after_s = after_s
        self.stream = stream or sys.stderr
        self.enabled = force or (hasattr(self.stream, "isatty") and self.stream.isatty())
        self.t0 = time.perf_counter()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.t0
        if elapsed < self.after_s and done < total:
            return
        if elapsed < self.after_s and not self.shown:
            return
        frac = done / total if total else 1.0
        eta = elapsed * (1 - frac) / frac if frac > 0 else 0.0
        width = 28
        bar = "#" * int(width * frac) + "-" * (width - int(width * frac))
        self.stream.write(f"\r{self.label} [{bar}] {done:,}/{total:,} {frac:5.1%} "
                          f"elapsed {elapsed:5.1f}s eta {eta:5.1f}s")
        self.shown = True
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def fmt(x: float) -> str:
    """A number in 4 significant digits, scientific when large or small."""
    if x != x:
        return "nan"
    ax = abs(x)
    if ax != 0 and (ax >= 1e5 or ax < 1e-3):
        return f"{x:.3e}"
    return f"{x:.4g}"
