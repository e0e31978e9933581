"""Warnings that point at the caller's line, not into costsim (the first frame outside the package).

Python 3.12's ``warnings.warn(..., skip_file_prefixes=...)`` does this; costsim supports 3.11.
"""

from __future__ import annotations

import os
import sys
import warnings

from costsim.errors import CostsimWarning

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def outside_level() -> int:
    """The ``stacklevel`` (for a warn call in the caller of this function) of the first frame outside costsim."""
    frame = sys._getframe(2)  # the caller of the function that asks
    level = 2
    while frame is not None and frame.f_code.co_filename.startswith(PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    return level


def warn(message: str, category: type[Warning] = CostsimWarning) -> None:
    """``warnings.warn`` attributed to the user's code that called into costsim."""
    warnings.warn(message, category, stacklevel=outside_level())
