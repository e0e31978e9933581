"""Error and warning types of costsim, and the Issue record that scenario errors collect.

Every error costsim raises on purpose derives from :class:`CostsimError` and also from the
builtin category it belongs to (pint style), so callers can catch either. All are picklable,
so they cross process-pool and Dask boundaries intact.
"""

from __future__ import annotations

from dataclasses import dataclass


class CostsimError(Exception):
    """Base class for every error costsim raises on purpose."""


class RegistryError(CostsimError, TypeError):
    """A model function is declared wrongly (raised when it is registered)."""


class ModelError(CostsimError, RuntimeError):
    """Model outputs are unusable (non-finite, wrong shape) after evaluation."""


class OutputError(CostsimError, OSError):
    """A result could not be written (existing folder, disk full, permissions)."""


class CostsimWarning(UserWarning):
    """Something is usable but doubtful (few Sobol rows, capped samples, unit mix)."""


def _short_repr(value: object, limit: int = 80) -> str:
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        value = value.item()  # numpy scalar: NumPy 2 would print np.float64(...)
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class TypeName(str):
    """The type of a value that has the wrong type, as an Issue's ``got``: rendered ``got a list``, not
    ``got 'list' (str)`` (the value is a list, not the string 'list')."""

    @classmethod
    def of(cls, value: object) -> TypeName:
        return cls(type(value).__name__)

    def __repr__(self) -> str:
        name = str(self)
        if name == "NoneType":
            return "nothing (null)"
        return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"


class _Missing:
    """Marks an Issue without a 'got' value; pickles as the same singleton."""

    def __repr__(self) -> str:
        return "<missing>"

    def __reduce__(self):
        return "_MISSING"


_MISSING = _Missing()


@dataclass(frozen=True)
class Issue:
    """One problem in a scenario, located by parameter path and (when known) line."""

    path: str
    problem: str
    expected: str | None = None
    got: object = _MISSING
    line: int | None = None
    hint: str = ""
    source: str | None = None  # the file this issue belongs to, when not the scenario's own

    def render(self, source: str) -> str:
        """Return ``file:line: path: problem; expected X, got Y. Hint``."""
        src = self.source or source
        where = f"{src}:{self.line}" if self.line else src
        # an option's issue reported under the option's own name (``--name``) names it once, not twice
        text = f"{where}: {self.path}: {self.problem}" if self.path and self.path != where else f"{where}: {self.problem}"
        if self.expected is not None:
            got = "" if self.got is _MISSING else f", got {_short_repr(self.got)}"
            if isinstance(self.got, (str, bool)) and not isinstance(self.got, TypeName) and self.got is not _MISSING:
                got += f" ({type(self.got).__name__})"
            text += f"; expected {self.expected}{got}"
        return f"{text}. {self.hint}" if self.hint else text


class ScenarioError(CostsimError, ValueError):
    """A scenario (or a formula, or a command-line override) is invalid.

    Raised once, before any sampling, listing every Issue found.
    """

    def __init__(self, source: str, issues: list[Issue]):
        super().__init__(source, issues)
        self.source = source
        self.issues = sorted(issues, key=lambda i: (i.source or "", i.line or 0, i.path))

    def __str__(self) -> str:
        lines = [issue.render(self.source) for issue in self.issues]
        if len(lines) == 1:
            return lines[0]
        return f"{len(lines)} problems in {self.source}:\n" + "\n".join(lines)

    def __reduce__(self):
        return (self.__class__, (self.source, self.issues))


class DataError(CostsimError, ValueError):
    """A data file (CSV) is unusable, or a fit asked of it is impossible.

    Raised for an unreadable file, a missing or misspelled column, a filter that matches no row,
    or too few points to fit. ``issue`` holds the structured problem when there is one (its path
    names the fit field: ``y``, ``filter[0]``, ``since``...), so a scenario loader can re-home it
    under the parameter that asked for the fit.
    """

    def __init__(self, message: str, issue: Issue | None = None):
        super().__init__(message, issue)
        self.message = message
        self.issue = issue

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        return (self.__class__, (self.message, self.issue))


class PluginError(CostsimError, ImportError):
    """A plugin file or a ``costsim.models`` entry point could not be loaded."""
