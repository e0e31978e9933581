"""Progress bars for long runs, through tqdm.auto: a widget in a notebook, a text bar in a terminal.

A progress reporter is any callable ``progress(done, total)``; :class:`Progress` is the one the
command line uses, and the one to pass from a notebook::

    from costsim.engine import run
    from costsim.progress import Progress
    res = run("scenarios/baseline.yaml", n=1_000_000, progress=Progress("baseline"))
"""

from __future__ import annotations

import sys
import time


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where stderr is not a terminal but a bar still renders)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython() if hasattr(ipython, "get_ipython") else None
    return shell is not None and hasattr(shell, "kernel")


class Progress:
    """A ``progress(done, total)`` callback that draws a tqdm.auto bar with counts, rate and ETA.

    Parameters
    ----------
    label : str
        Shown before the bar (a scenario name, say).
    after_s : float
        Work that is done sooner than this many seconds shows no bar at all.
    stream : file, optional
        Where a text bar goes (default: ``sys.stderr``).
    force : bool
        Draw even when ``stream`` is not a terminal (a log file, a test's buffer).
    quiet : bool
        Never draw (``costsim run -q``); wins over ``force``.

    Without ``force`` the bar shows only where someone can see it: a terminal, or a notebook.
    """

    def __init__(self, label: str, after_s: float = 1.0, stream=None, force: bool = False, quiet: bool = False):
        self.label = label
        self.after_s = after_s
        self.stream = stream or sys.stderr
        visible = (hasattr(self.stream, "isatty") and self.stream.isatty()) or in_notebook()
        self.enabled = not quiet and (force or visible)
        self.t0 = time.perf_counter()
        self.bar = None

    @property
    def shown(self) -> bool:
        """True once the bar has been drawn."""
        return self.bar is not None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if time.perf_counter() - self.t0 < self.after_s:
                return
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, initial=0, desc=self.label, file=self.stream, unit=" samples",
                            unit_scale=True, leave=True, dynamic_ncols=True)
        self.bar.total = total
        self.bar.update(done - self.bar.n)
        if done >= total:
            self.bar.close()
            self.enabled = False  # a finished bar is drawn once


def as_progress(progress, label: str):
    """A ``progress(done, total)`` callable (or None) from what an API caller passed.

    ``None`` or ``False``: no progress; ``True``: a :class:`Progress` bar shown wherever it can
    be seen (terminal or notebook); a callable: itself.
    """
    if progress is None or progress is False:
        return None
    if progress is True:
        return Progress(label)
    if not callable(progress):
        raise TypeError(f"progress must be True, False, None or a callable progress(done, total); "
                        f"got {type(progress).__name__}")
    return progress


__all__ = ["Progress", "as_progress", "in_notebook"]
