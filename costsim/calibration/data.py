"""Reading the notable-models CSV, filters, and the selection of points to fit."""

from __future__ import annotations

import csv
import datetime
import difflib
import functools
import importlib.resources
import io
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from costsim.errors import DataError, Issue

BUNDLED = "bundled"
BUNDLED_FILE = "notable_ai_models_2025-02-24.csv"
DATE_COLUMN = "Publication date"
NAME_COLUMN = "Model"
COMPUTE_COLUMN = "Training compute (FLOP)"
COST_COLUMN = "Training compute cost (2023 USD)"
ATTRIBUTION = "Epoch AI, 'Data on Notable AI Models' (CC BY 4.0), https://epoch.ai/data/notable-ai-models"
CREDIT = "Data: Epoch AI, CC BY 4.0"
METHODS = ("ols", "robust", "envelope", "bootstrap")
METHOD_LABELS = {
    "ols": "OLS on log10(y)",
    "robust": "Theil-Sen (robust) on log10(y)",
    "envelope": "OLS on log10(y) of record-setting points (largest run to date)",
    "bootstrap": "OLS on log10(y), bootstrap percentile interval",
}
FRONTIER_STATS = ("record", "max")  # and "top<k>", e.g. "top3"
_FILTER_RE = re.compile(r"^\s*(?P<column>[^=!~<>]+?)\s*(?P<op>==|!=|!~|>=|<=|=|~|>|<)\s*(?P<value>.*?)\s*$")
_MIN_POINTS = 3



# ---------------------------------------------------------------------------------------------
# Reading the CSV


def decimal_year(text: str) -> float:
    """Convert a date string to a decimal calendar year.

    ``YYYY-MM-DD`` -> year + (day of year - 1) / days in that year; ``YYYY-MM`` -> the middle of
    that month; ``YYYY`` -> the middle of that year. A time after the date is ignored.

    Parameters
    ----------
    text : str
        The date, e.g. ``"2024-12-24"``.

    Returns
    -------
    float
        The decimal year, e.g. 2024.975 for 2024-12-24.

    Raises
    ------
    ValueError
        If ``text`` is not one of the three forms, or not a real date.

    Examples
    --------
    >>> decimal_year("2024-01-01")
    2024.0
    >>> decimal_year("2023")
    2023.5
    """
    match = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ].*)?\s*", text)
    if match is None:
        raise ValueError(f"not a date; expected YYYY-MM-DD, YYYY-MM or YYYY, got {text!r}")
    year = int(match[1])
    start = datetime.date(year, 1, 1)
    days_in_year = (datetime.date(year + 1, 1, 1) - start).days
    if match[2] is None:
        return year + 0.5
    month = int(match[2])
    if match[3] is None:
        first = datetime.date(year, month, 1)
        after = datetime.date(year + (month == 12), month % 12 + 1, 1)
        return year + ((first - start).days + (after - first).days / 2) / days_in_year
    return year + (datetime.date(year, month, int(match[3])) - start).days / days_in_year


def parse_year(value: object) -> float:
    """Read a year bound (``since``/``until``/``cutoff``): a number, or a date string.

    ``2020`` and ``"2020"`` both mean 1 January 2020 (2020.0); ``"2020-06-30"`` is a date.

    Raises
    ------
    ValueError
        If ``value`` is neither a number nor a date (booleans are refused).
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a year or a date, got {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return float(text)
        except ValueError:
            return decimal_year(text)
    raise ValueError(f"expected a year or a date, got {value!r}")


@dataclass(frozen=True, eq=False)
class Dataset:
    """A CSV of models, held column by column as strings.

    Attributes
    ----------
    label : str
        The file name, used in messages and ``source:`` notes.
    path : str
        ``"bundled"`` or the path as given.
    columns : dict[str, tuple[str, ...]]
        Column name -> cell texts, stripped, in file order.
    years : numpy.ndarray
        Decimal publication year of each row, ``nan`` where the date is missing or unreadable.
    snapshot_date : str or None
        ``YYYY-MM-DD`` taken from the file name when it has one.
    """

    label: str
    path: str
    columns: dict
    years: np.ndarray
    snapshot_date: str | None

    @property
    def n_rows(self) -> int:
        """Number of data rows."""
        return len(self.years)

    @property
    def latest_date(self) -> str:
        """The latest publication date in the file, as written there."""
        dates = [d for d, y in zip(self.columns[DATE_COLUMN], self.years) if not math.isnan(y)]
        return max(dates) if dates else "unknown"

    @property
    def data_date(self) -> str:
        """The date of the data: the snapshot date in the file name, else the latest publication."""
        return self.snapshot_date or f"latest publication {self.latest_date}"

    def column(self, name: str, *, path: str = "y") -> tuple[str, ...]:
        """Return one column's cells; an unknown name raises DataError with a did-you-mean."""
        return self.columns[self.resolve_column(name, path=path)]

    def resolve_column(self, name: str, *, path: str = "y") -> str:
        """Return the exact column name for ``name`` (exact, else unique case-insensitive match).

        Raises
        ------
        DataError
            If no column matches; the message suggests the closest names.
        """
        if name in self.columns:
            return name
        folded = [c for c in self.columns if c.casefold() == name.strip().casefold()]
        if len(folded) == 1:
            return folded[0]
        raise _data_error(
            self.label,
            path,
            "unknown column",
            f"one of the CSV's {len(self.columns)} columns (list them with `costsim fit --columns`)",
            name,
            _did_you_mean(name, list(self.columns)),
        )

    def find_model(self, name: str) -> int:
        """Return the row index of the model called ``name`` (case-insensitive, first match).

        Raises
        ------
        DataError
            If no model has that name; the message suggests the closest names.
        """
        models = self.columns[NAME_COLUMN]
        for i, model_name in enumerate(models):
            if model_name.casefold() == name.strip().casefold():
                return i
        raise _data_error(self.label, "model", "no model with that name", "a value of the Model column",
                          name, _did_you_mean(name, list(models)))

    def value(self, row: int, column: str) -> float:
        """Return a cell as a float (``nan`` when empty or not a number)."""
        return _to_float(self.column(column)[row])


def _to_float(text: str) -> float:
    try:
        return float(text.replace(",", "")) if text else math.nan
    except ValueError:
        return math.nan


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        folded = {c.casefold(): c for c in choices}
        close = [folded[m] for m in difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=0.6)]
    return f"Did you mean {close[0]!r}?" if close else ""


def _data_error(source: str, path: str, problem: str, expected: str | None = None,
                got: object = None, hint: str = "") -> DataError:
    issue = Issue(path, problem, expected, got, hint=hint, source=source)
    return DataError(issue.render(source), issue)


def load_dataset(data: str | os.PathLike | None = None) -> Dataset:
    """Read a notable-models CSV: the bundled snapshot, or any file with the same columns.

    Parameters
    ----------
    data : str or path-like, optional
        ``None`` or ``"bundled"`` for the snapshot shipped in ``costsim/data`` (Epoch AI,
        2025-02-24, CC BY 4.0); otherwise the path of a CSV exported from the same database.
        It needs a ``Publication date`` and a ``Model`` column; other columns are read as text.

    Returns
    -------
    Dataset
        Cached per file (path, size and modification time), so repeated fits read it once.

    Raises
    ------
    DataError
        If the file cannot be read or lacks the ``Publication date`` / ``Model`` columns.
    """
    if data is None or str(data) == BUNDLED:
        return _read_bundled()
    path = Path(data)
    try:
        stat = path.stat()
    except OSError as err:
        raise _data_error(str(data), "data", "cannot read the data file", "an existing CSV file or 'bundled'",
                          str(data), f"({err.strerror})") from None
    if not path.is_file():
        raise _data_error(str(data), "data", "not a file", "a CSV file or 'bundled'", str(data))
    return _read_path(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=1)
def _read_bundled() -> Dataset:
    text = (importlib.resources.files("costsim") / "data" / BUNDLED_FILE).read_text(encoding="utf-8-sig")
    return _parse_csv(text, BUNDLED_FILE, BUNDLED)


@functools.lru_cache(maxsize=8)
def _read_path(path: str, size: int, mtime_ns: int) -> Dataset:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise _data_error(path, "data", "cannot read the data file", "a UTF-8 CSV file", path, str(err)) from None
    return _parse_csv(text, Path(path).name, path)


def _parse_csv(text: str, label: str, path: str) -> Dataset:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise _data_error(label, "data", "the CSV is empty", "a header row with the column names", "") from None
    except csv.Error as err:
        raise _data_error(label, "data", "not a readable CSV", "comma-separated values", str(err)) from None
    header = [h.strip() for h in header]
    for required in (DATE_COLUMN, NAME_COLUMN):
        if required not in header:
            raise _data_error(label, "data", f"missing the {required!r} column",
                              "the columns of Epoch AI's notable-models table", header[:6],
                              _did_you_mean(required, header))
    cells: list[list[str]] = [[] for _ in header]
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            row = row + [""] * (len(header) - len(row))
            for j in range(len(header)):
                cells[j].append(row[j].strip())
    except csv.Error as err:
        raise _data_error(label, "data", f"not a readable CSV (line {reader.line_num})",
                          "comma-separated values", str(err)) from None
    columns = {name: tuple(col) for name, col in zip(header, cells)}
    years = np.array([_year_or_nan(d) for d in columns[DATE_COLUMN]], dtype=float)
    years.flags.writeable = False
    snapshot = re.search(r"(\d{4}-\d{2}-\d{2})", label)
    return Dataset(label, path, columns, years, snapshot[1] if snapshot else None)


def _year_or_nan(text: str) -> float:
    try:
        return decimal_year(text) if text else math.nan
    except ValueError:
        return math.nan


# ---------------------------------------------------------------------------------------------
# Filters


@dataclass(frozen=True)
class Filter:
    """One row filter, parsed from ``COLUMN<op>VALUE`` (see the module docstring for the syntax)."""

    column: str
    op: str
    values: tuple[str, ...]
    text: str

    def mask(self, dataset: Dataset, *, path: str = "filter") -> np.ndarray:
        """Return a boolean array, True for the rows this filter keeps.

        Raises
        ------
        DataError
            For an unknown column, a non-numeric bound of ``<``/``>``, or an ``=``/``==`` value that
            no row has (with the closest existing values as a hint).
        """
        column = dataset.resolve_column(self.column, path=path)
        cells = dataset.columns[column]
        wanted = [v.casefold() for v in self.values]
        if self.op in ("=", "!=", "=="):
            items = [[part.strip().casefold() for part in cell.split(",")] if cell else [""] for cell in cells]
            if self.op == "==":
                keep = [all(item in wanted for item in its) for its in items]
            else:
                keep = [cell.casefold() in wanted or any(item in wanted for item in its)
                        for cell, its in zip(cells, items)]
            if self.op != "!=" and not any(keep):
                existing = sorted({part.strip() for cell in cells for part in cell.split(",") if part.strip()})
                hint = _did_you_mean(self.values[0], existing)
                if not hint:
                    shown = ", ".join(repr(e) for e in existing[:8])
                    hint = f"Values in that column include {shown}{', ...' if len(existing) > 8 else ''}."
                raise _data_error(dataset.label, path, f"filter matches no row of column {column!r}",
                                  "a value that occurs in the column", self.text, hint)
            out = np.array(keep, dtype=bool)
            return ~out if self.op == "!=" else out
        if self.op in ("~", "!~"):
            out = np.array([any(w in cell.casefold() for w in wanted) for cell in cells], dtype=bool)
            return ~out if self.op == "!~" else out
        bounds = []
        for v in self.values:
            try:
                bounds.append(parse_year(v) if column == DATE_COLUMN else float(v))
            except ValueError:
                raise _data_error(dataset.label, path, f"{self.op} needs a number", "a number (or a date for "
                                  f"{DATE_COLUMN!r})", self.text) from None
        numbers = dataset.years if column == DATE_COLUMN else np.array([_to_float(c) for c in cells])
        compare = {">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal}[self.op]
        finite = ~np.isnan(numbers)
        out = np.zeros(len(cells), dtype=bool)
        for bound in bounds:
            out |= finite & compare(np.where(finite, numbers, 0.0), bound)
        return out


def parse_filter(text: str, *, path: str = "filter", source: str = "filter") -> Filter:
    """Parse ``COLUMN<op>VALUE`` into a :class:`Filter`.

    Parameters
    ----------
    text : str
        E.g. ``"Country (from Organization)=China"``, ``"Frontier model=True"``,
        ``"Domain~Language"``, ``"Confidence=Confident|Likely"``.

    Raises
    ------
    DataError
        If ``text`` has no operator or an empty column name.

    Examples
    --------
    >>> parse_filter("Confidence=Confident|Likely").values
    ('Confident', 'Likely')
    """
    if not isinstance(text, str):
        raise _data_error(source, path, "a filter must be a string", "'COLUMN=VALUE', 'COLUMN~TEXT', ...", text)
    match = _FILTER_RE.match(text)
    if match is None or not match["column"].strip():
        raise _data_error(source, path, "not a filter", "COLUMN=VALUE, COLUMN==VALUE, COLUMN!=VALUE, COLUMN~TEXT, "
                          "COLUMN!~TEXT or COLUMN>=NUMBER (also >, <, <=)", text)
    values = tuple(v.strip() for v in match["value"].split("|"))
    return Filter(match["column"].strip(), match["op"], values, text.strip())


# ---------------------------------------------------------------------------------------------
# Selecting the points to fit


@dataclass(frozen=True, eq=False)
class Selection:
    """The (year, y) points a fit uses, with the choices that produced them.

    Attributes
    ----------
    years : numpy.ndarray
        Decimal publication years, shape (n,).
    log10_y : numpy.ndarray
        log10 of the y column, shape (n,).
    names : tuple[str, ...]
        Model names, aligned with ``years``.
    y_column : str
        The column fitted, e.g. ``"Training compute (FLOP)"``.
    filters : tuple[str, ...]
        The filter texts applied (ANDed).
    since, until : float or None
        Publication-year bounds: ``since <= year < until``.
    dataset_label, data_date : str
        File name and date of the data, for ``source:`` notes.
    n_missing : int
        Rows that passed the filters and dates but have no usable y (empty, non-numeric or <= 0).
    """

    years: np.ndarray
    log10_y: np.ndarray
    names: tuple
    y_column: str
    filters: tuple = ()
    since: float | None = None
    until: float | None = None
    dataset_label: str = "arrays"
    data_date: str = ""
    n_missing: int = 0

    @property
    def n(self) -> int:
        """Number of points."""
        return len(self.years)

    def describe(self) -> str:
        """One line: filters, year range and the number of points."""
        parts = list(self.filters)
        if self.since is not None and self.until is not None:
            parts.append(f"{_fmt_year(self.since)} <= year < {_fmt_year(self.until)}")
        elif self.since is not None:
            parts.append(f"year >= {_fmt_year(self.since)}")
        elif self.until is not None:
            parts.append(f"year < {_fmt_year(self.until)}")
        parts.append(f"n = {self.n}")
        return "; ".join(parts)

    def restrict(self, *, since: float | None = None, until: float | None = None) -> Selection:
        """Return the points with ``since <= year < until`` (bounds tighten, never widen)."""
        keep = np.ones(self.n, dtype=bool)
        if since is not None:
            keep &= self.years >= since
            since = since if self.since is None else max(since, self.since)
        else:
            since = self.since
        if until is not None:
            keep &= self.years < until
            until = until if self.until is None else min(until, self.until)
        else:
            until = self.until
        return Selection(_frozen(self.years[keep]), _frozen(self.log10_y[keep]),
                         tuple(np.asarray(self.names, dtype=object)[keep]), self.y_column, self.filters,
                         since, until, self.dataset_label, self.data_date, self.n_missing)


def _fmt_year(year: float) -> str:
    return f"{year:g}" if float(year).is_integer() else f"{year:.2f}"


def _frozen(a) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.flags.writeable = False
    return a


def select(dataset: Dataset, y: str = COMPUTE_COLUMN, filters=(), *, since=None, until=None) -> Selection:
    """Pick the (year, log10 y) points: rows passing every filter, dated ``since <= year < until``.

    Parameters
    ----------
    dataset : Dataset
    y : str
        The column to fit, e.g. ``"Training compute (FLOP)"`` or ``"Training compute cost (2023 USD)"``.
    filters : str, Filter, or a sequence of them
        ANDed filters (see the module docstring for the syntax).
    since, until : float or str, optional
        Publication-year bounds, ``since <= year < until``; ``until=2020`` means before 1 Jan 2020.

    Returns
    -------
    Selection
        Rows with an empty, non-numeric or non-positive y are dropped and counted in ``n_missing``.

    Raises
    ------
    DataError
        For an unknown column, a malformed filter, a filter matching nothing, or a bad year bound.
    """
    y_column = dataset.resolve_column(y, path="y")
    parsed = [f if isinstance(f, Filter) else parse_filter(f, path=f"filter[{i}]", source=dataset.label)
              for i, f in enumerate(_as_filters_raw(filters))]
    keep = ~np.isnan(dataset.years)
    for i, flt in enumerate(parsed):
        keep &= flt.mask(dataset, path=f"filter[{i}]")
    bounds = {}
    for key, value in (("since", since), ("until", until)):
        if value is None:
            bounds[key] = None
            continue
        try:
            bounds[key] = parse_year(value)
        except ValueError:
            raise _data_error(dataset.label, key, "not a year", "a year (2018) or a date ('2018-06-30')",
                              value) from None
    if bounds["since"] is not None:
        keep &= dataset.years >= bounds["since"]
    if bounds["until"] is not None:
        keep &= dataset.years < bounds["until"]
    values = np.array([_to_float(c) for c in dataset.columns[y_column]])
    usable = keep & np.isfinite(values) & (values > 0)
    names = tuple(np.asarray(dataset.columns[NAME_COLUMN], dtype=object)[usable])
    return Selection(_frozen(dataset.years[usable]), _frozen(np.log10(values[usable])), names, y_column,
                     tuple(f.text for f in parsed), bounds["since"], bounds["until"], dataset.label,
                     dataset.data_date, int(keep.sum() - usable.sum()))


def _as_filters_raw(filters) -> list:
    if filters is None:
        return []
    if isinstance(filters, (str, Filter)):
        return [filters]
    return list(filters)


def selection_from_arrays(years, values, *, y_column: str = "y", names=None, label: str = "arrays") -> Selection:
    """Build a :class:`Selection` from arrays (for synthetic data and tests).

    Parameters
    ----------
    years : array_like, (n,)
        Decimal years.
    values : array_like, (n,)
        Positive y values (not logged).
    """
    years = np.asarray(years, dtype=float)
    values = np.asarray(values, dtype=float)
    if years.shape != values.shape or years.ndim != 1:
        raise DataError(f"{label}: years and values must be 1-D of one length; got shapes "
                        f"{years.shape} and {values.shape}")
    if not np.all(values > 0):
        raise DataError(f"{label}: values must be positive to take log10; got min {float(values.min())!r}")
    names = tuple(names) if names is not None else tuple(f"point {i}" for i in range(len(years)))
    return Selection(_frozen(years), _frozen(np.log10(values)), names, y_column, dataset_label=label)
