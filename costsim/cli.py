"""The ``costsim`` command line: the only place that prints or sets exit codes.

Exit codes: 0 ok; 1 a scenario check failed; 2 bad input (scenario, data, options, output
folder), printed without a traceback; 3 a model produced unusable values; 130 interrupted
(Ctrl-C); 143 terminated (SIGTERM). Anything else is a bug in costsim and shows its traceback.

SIGTERM, from the moment ``main`` starts, is raised in the main thread as :class:`Terminated` (a
KeyboardInterrupt), so every cleanup Ctrl-C runs runs too: the atomic writers remove their
temporary files and nothing half-written is left at any stage; a second SIGTERM is ignored
while that cleanup runs.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading

# Each module registers one or more subcommands with `register(subparsers)`. Modules import
# only argparse at load time, so `costsim --help` stays instant.
COMMAND_MODULES = (
    "costsim.commands.core",
    "costsim.commands.sensitivity",
    "costsim.commands.sweep",
    "costsim.commands.diff",
    "costsim.commands.fit",
    "costsim.commands.backtest",
    "costsim.commands.gap",
    "costsim.commands.plot",
    "costsim.commands.report",
    "costsim.commands.watch",
    "costsim.commands.claims",
    "costsim.commands.init",
    "costsim.commands.eval",
)
# The command each module registers (a test checks this against the modules): `costsim run ...`
# imports and registers only costsim.commands.core; other first words (--help, a typo) get all.
COMMANDS = {
    **dict.fromkeys(("run", "validate", "models", "params", "schema", "rerun"), "costsim.commands.core"),
    "sensitivity": "costsim.commands.sensitivity",
    "sweep": "costsim.commands.sweep",
    "diff": "costsim.commands.diff",
    "fit": "costsim.commands.fit",
    "backtest": "costsim.commands.backtest",
    "gap": "costsim.commands.gap",
    "plot": "costsim.commands.plot",
    "report": "costsim.commands.report",
    "watch": "costsim.commands.watch",
    "claims": "costsim.commands.claims",
    "init": "costsim.commands.init",
    "eval": "costsim.commands.eval",
}

DESCRIPTION = """\
costsim simulates AI cost curves under uncertainty: the claims of the 2025 debate on DeepSeek
and chip export controls as models you run from YAML scenario files.

Quick start:
  costsim run scenarios/reference_r1.yaml            run a scenario, print a summary and its checks
  costsim run reference_r1                            the same, by name (./scenarios/ or the bundled ones)
  costsim init                                        write starter.yaml, a scenario to edit into your own
  costsim eval "lognormal_ci(4e7, 1e8) / uniform(3, 5) ** 2"   a one-line estimate, Squiggle-style
  costsim validate --explain scenarios/baseline.yaml  check a file; show what each uncertain input implies
  costsim report                                      run every bundled scenario into report/index.html
  costsim models                                      every model with its inputs, outputs and units

Run `costsim COMMAND --help` for the options and examples of each command.
"""

EPILOG = """\
exit codes: 0 ok, 1 a check failed (run; sweep lists failing points, exit 0), 2 bad input (no
traceback), 3 a model produced non-finite values, 4 rerun: the summary DIFFERS, 130 interrupted
(Ctrl-C), 143 terminated (SIGTERM); interrupted or terminated, nothing half-written is left behind.
"""

EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the main thread is, so the cleanups of Ctrl-C run for it too."""


class _SigtermHandler:
    """SIGTERM -> Terminated while ``main`` runs (only where nobody else handles SIGTERM)."""

    def __init__(self) -> None:
        self.received = False
        self.previous = None

    def __call__(self, signum, frame):
        self.received = True
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut the cleanup short
        raise Terminated(f"signal {signum}")

    def __enter__(self):
        if threading.current_thread() is threading.main_thread() and \
                signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            self.previous = signal.signal(signal.SIGTERM, self)
        return self

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)
        return False



def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or only of the command ``argv`` starts with (a faster start)."""
    parser = argparse.ArgumentParser(prog="costsim", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    from costsim import __version__

    parser.add_argument("--version", action="version", version=f"costsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    first = argv[0] if argv else None
    for name in (COMMANDS[first],) if first in COMMANDS else COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # a command not shipped in this build
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``costsim`` console script."""
    with _SigtermHandler() as sigterm:
        try:
            code = _main(argv)
        except Terminated:
            code = EXIT_TERMINATED
        if sigterm.received:  # also when a command caught the KeyboardInterrupt itself (watch)
            print("\nterminated; nothing half-written was left behind", file=sys.stderr)
            return EXIT_TERMINATED
        return code


def _main(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    import warnings

    from costsim.errors import CostsimError, ModelError, OutputError, ScenarioError

    def show_warning(message, category, filename, lineno, file=None, line=None):
        print(f"warning: {message}", file=sys.stderr)

    warnings.showwarning = show_warning  # one readable line, not Python's source echo

    try:
        _check_seed(args)
        return int(args.func(args) or 0)
    except ScenarioError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ModelError as exc:
        print(f"model error: {exc}", file=sys.stderr)
        return 3
    except CostsimError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Terminated:
        raise
    except KeyboardInterrupt:
        print("\ninterrupted; nothing half-written was left behind", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0


MAX_SEED = 2**63 - 1  # as seed: in a scenario


def _check_seed(args) -> None:
    """A --seed numpy cannot take (negative, past 63 bits) is refused for every command, as seed: is.

    (It reached numpy's seeding in sweep, diff, sensitivity, fit, backtest and gap: a traceback.)
    """
    seed = getattr(args, "seed", None)
    if isinstance(seed, int) and not isinstance(seed, bool) and not 0 <= seed <= MAX_SEED:
        from costsim.errors import Issue, ScenarioError

        raise ScenarioError("--seed", [Issue("--seed", "out of range", f"0 <= seed <= {MAX_SEED}", seed)])


if __name__ == "__main__":
    sys.exit(main())
