"""Calibration against data: log-linear trends fitted to Epoch AI's "Notable AI Models" table.

The chain mirrors the rest of costsim, one immutable value per stage::

    CSV ─ load_dataset ─► Dataset ─ select(y, filters, since, until) ─► Selection
        ─ fit_trend(method) ─► TrendFit ─► to_param_spec ─► a ``lognormal_ci`` scenario parameter
                                         ─► backtest / residual_in_sd / plots

A trend is ``log10(y) = a + b * (year - center_year)``: ``b`` is in dex (log10 units) per year and
the growth multiple per year is ``10 ** b``. Four methods share that form:

``ols``        least squares, t-based interval of the slope (n - 2 degrees of freedom)
``bootstrap``  least squares, percentile interval of the slope over resampled rows
``robust``     Theil-Sen slope (median of pairwise slopes) with its rank-based interval,
               residual spread as 1.4826 x the median absolute deviation
``envelope``   least squares on the record-setting points only (the largest run to date)

Every fit sorts its points by (year, log10 y) first, so the result does not depend on the order
of the CSV's rows, and rescaling y (FLOP -> PFLOP) moves only the intercept.

The bundled data is a snapshot of Epoch AI, "Data on Notable AI Models" (2025-02-24),
https://epoch.ai/data/notable-ai-models, licensed CC BY 4.0. Any newer export of the same table
(same column names) is read the same way.

Filters are small strings, ANDed when several are given::

    COLUMN=VALUE     the cell, or one of its comma-separated items, equals VALUE (case-insensitive)
    COLUMN==VALUE    every comma-separated item equals VALUE ("China,China" yes, "China,Canada" no)
    COLUMN!=VALUE    not COLUMN=VALUE
    COLUMN~TEXT      the cell contains TEXT (case-insensitive); COLUMN!~TEXT: it does not
    COLUMN>X  >=  <  <=   numeric comparison (dates in the date column: 2020-06-30 or 2020.5)

``VALUE`` and ``TEXT`` may list alternatives with ``|``: ``Confidence=Confident|Likely``.

References
----------
Epoch AI (2025). Data on Notable AI Models. https://epoch.ai/data/notable-ai-models (CC BY 4.0).
Sevilla, J., Roldan, E. (2024). Training compute of frontier AI models grows by 4-5x per year.
Cottier, B. et al. (2024). The rising costs of training frontier AI models. arXiv:2405.21015.
Sen, P. K. (1968). Estimates of the regression coefficient based on Kendall's tau. JASA 63(324).
"""

from __future__ import annotations

import csv
import datetime
import difflib
import functools
import importlib.resources
import io
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import stats

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


# ---------------------------------------------------------------------------------------------
# Fitting


@dataclass(frozen=True, eq=False)
class TrendFit:
    """A log-linear trend ``log10(y) = log10_at_center + slope * (year - center_year)``.

    Attributes
    ----------
    selection : Selection
        All the points offered to the fit (for ``envelope``, ``used`` marks the records).
    used : numpy.ndarray
        Boolean mask over ``selection`` of the points fitted.
    method : str
        One of ``ols``, ``robust``, ``envelope``, ``bootstrap``.
    level : float
        Credibility of ``slope_interval`` (0.9 = central 90%).
    center_year, log10_at_center : float
        The line passes through (center_year, log10_at_center); center_year is the mean fitted year.
    slope_log10_per_year, slope_se : float
        Slope in dex per year and its standard error.
    center_se : float
        Standard error of the line's height at ``center_year``.
    slope_interval : tuple[float, float]
        Interval of the slope at ``level`` (dex per year).
    residual_sd_log10 : float
        Spread of the points around the line, in dex (``robust``: 1.4826 x MAD).
    df : int
        Degrees of freedom of the predictive t distribution (n - 2).
    boot_slopes : numpy.ndarray or None
        Bootstrap replicates of the slope (``bootstrap`` only).
    """

    selection: Selection
    used: np.ndarray
    method: str
    level: float
    center_year: float
    log10_at_center: float
    slope_log10_per_year: float
    slope_se: float
    center_se: float
    slope_interval: tuple
    residual_sd_log10: float
    df: int
    boot_slopes: np.ndarray | None = None
    seed: int | None = None

    # -- derived numbers ---------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of points fitted."""
        return int(self.used.sum())

    @property
    def years(self) -> np.ndarray:
        """Years of the fitted points."""
        return self.selection.years[self.used]

    @property
    def log10_y(self) -> np.ndarray:
        """log10 y of the fitted points."""
        return self.selection.log10_y[self.used]

    @property
    def y_column(self) -> str:
        """The column fitted."""
        return self.selection.y_column

    @property
    def growth_x_per_year(self) -> float:
        """Growth multiple per year, ``10 ** slope``."""
        return float(10.0 ** self.slope_log10_per_year)

    @property
    def doubling_time_years(self) -> float:
        """Years for y to double along the trend (``inf`` if it does not grow)."""
        return float(np.log10(2.0) / self.slope_log10_per_year) if self.slope_log10_per_year > 0 else math.inf

    def slope_interval_at(self, level: float | None = None) -> tuple[float, float]:
        """Interval of the slope (dex per year) at ``level`` (default: the fit's own)."""
        level = self.level if level is None else float(level)
        if not 0.0 < level < 1.0:
            raise DataError(f"level must be a probability; expected 0 < level < 1, got {level!r}")
        if level == self.level:
            return tuple(self.slope_interval)
        if self.method == "bootstrap" and self.boot_slopes is not None:
            lo, hi = np.quantile(self.boot_slopes, [0.5 - level / 2, 0.5 + level / 2])
            return float(lo), float(hi)
        if self.method == "robust":
            _, _, lo, hi = stats.theilslopes(self.log10_y, self.years, alpha=level)
            return float(lo), float(hi)
        half = stats.t.ppf(0.5 + level / 2, self.df) * self.slope_se
        return self.slope_log10_per_year - half, self.slope_log10_per_year + half

    def growth_interval(self, level: float | None = None) -> tuple[float, float]:
        """Interval of the growth multiple per year at ``level`` (default: the fit's own)."""
        lo, hi = self.slope_interval_at(level)
        return float(10.0 ** lo), float(10.0 ** hi)

    def predict_log10(self, year) -> np.ndarray:
        """The trend's log10 y at ``year`` (any shape)."""
        return self.log10_at_center + self.slope_log10_per_year * (np.asarray(year, dtype=float) - self.center_year)

    def predictive_scale(self, year) -> np.ndarray:
        """Scale of the predictive t distribution of a new point's log10 y at ``year``.

        ``sqrt(residual_sd**2 + center_se**2 + (year - center_year)**2 * slope_se**2)``: the spread
        of points around the line plus the uncertainty of the line itself.
        """
        dx = np.asarray(year, dtype=float) - self.center_year
        return np.sqrt(self.residual_sd_log10**2 + self.center_se**2 + (dx * self.slope_se) ** 2)

    def line_scale(self, year) -> np.ndarray:
        """Standard error of the trend line's log10 y at ``year`` (no point-to-point spread)."""
        dx = np.asarray(year, dtype=float) - self.center_year
        return np.sqrt(self.center_se**2 + (dx * self.slope_se) ** 2)

    def prediction_interval(self, year, level: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Central ``level`` interval of a new model's y (not logged) at ``year``."""
        level = self.level if level is None else level
        half = stats.t.ppf(0.5 + level / 2, self.df) * self.predictive_scale(year)
        mid = self.predict_log10(year)
        return 10.0 ** (mid - half), 10.0 ** (mid + half)

    def line_interval(self, year, level: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Central ``level`` interval of the trend line itself (y, not logged) at ``year``."""
        level = self.level if level is None else level
        half = stats.t.ppf(0.5 + level / 2, self.df) * self.line_scale(year)
        mid = self.predict_log10(year)
        return 10.0 ** (mid - half), 10.0 ** (mid + half)

    def residual_in_sd(self, year: float, value: float) -> float:
        """How far ``value`` at ``year`` is from the trend, in residual standard deviations."""
        return float((np.log10(value) - self.predict_log10(year)) / self.residual_sd_log10)

    # -- text --------------------------------------------------------------------------------
    def source_note(self) -> str:
        """The ``source:`` text of a parameter taken from this fit: data, filter, years, n, method."""
        sel = self.selection
        data = (f"Epoch AI 'Notable AI Models' (CC BY 4.0), {sel.dataset_label}"
                if sel.dataset_label != "arrays" else "arrays")
        date = f" (data as of {sel.data_date})" if sel.data_date else ""
        return (f"{data}{date}; y = {sel.y_column}; {sel.describe().replace(f'n = {sel.n}', f'n = {self.n}')}; "
                f"{self.method}: {METHOD_LABELS[self.method]}")

    def summary(self, *, at_year: float | None = None) -> str:
        """A few lines describing the fit, as `costsim fit` prints them."""
        sel = self.selection
        lo, hi = self.growth_interval()
        pct = f"{self.level:.0%}"
        unit = _unit_of_column(sel.y_column)
        lines = [f"{sel.y_column}: log-linear trend, {METHOD_LABELS[self.method]}"]
        if sel.dataset_label != "arrays":
            lines.append(f"  data    {sel.dataset_label} ({CREDIT}; data as of {sel.data_date})")
        rows = sel.describe().replace(f"n = {sel.n}", f"n = {self.n}")
        if self.method == "envelope":
            rows += f" record-setting points of {sel.n}"
        span = f"{self.years.min():.1f}-{self.years.max():.1f}" if self.n else "-"
        lines.append(f"  rows    {rows} (published {span})")
        doubling = self.doubling_time_years
        dbl = f"doubling every {doubling * 12:.1f} months" if math.isfinite(doubling) else "not growing"
        lines.append(f"  growth  {self.growth_x_per_year:.3g}x per year, {pct} CI [{lo:.3g}, {hi:.3g}]  ({dbl})")
        lines.append(f"  spread  residual sd {self.residual_sd_log10:.3g} dex (a factor of "
                     f"{10 ** self.residual_sd_log10:.3g} either way)")
        year = at_year if at_year is not None else math.floor(float(self.years.max())) + 1.0
        plo, phi = self.prediction_interval(year)
        lines.append(f"  trend   {10 ** float(self.predict_log10(year)):.3g} {unit} at {_fmt_year(year)}; "
                     f"{pct} prediction interval for one model {float(plo):.3g} to {float(phi):.3g}")
        if sel.n_missing:
            rows_text = "row matches" if sel.n_missing == 1 else "rows match"
            lines.append(f"  note    {sel.n_missing} {rows_text} but without a usable {sel.y_column!r} (skipped)")
        return "\n".join(lines)


def _unit_of_column(column: str) -> str:
    match = re.search(r"\(([^)]*)\)\s*$", column)
    return match[1] if match else ""


def _canonical_order(sel: Selection) -> Selection:
    order = np.lexsort((sel.log10_y, sel.years))
    return Selection(_frozen(sel.years[order]), _frozen(sel.log10_y[order]),
                     tuple(np.asarray(sel.names, dtype=object)[order]), sel.y_column, sel.filters, sel.since,
                     sel.until, sel.dataset_label, sel.data_date, sel.n_missing)


def record_mask(years, log10_y) -> np.ndarray:
    """Mark the record-setting points: larger than every point published before them.

    Points are taken in (year, log10 y) order; the first point is a record.

    Returns
    -------
    numpy.ndarray of bool, aligned with the inputs.
    """
    years = np.asarray(years, dtype=float)
    log10_y = np.asarray(log10_y, dtype=float)
    order = np.lexsort((log10_y, years))
    ordered = log10_y[order]
    previous_max = np.concatenate(([-np.inf], np.maximum.accumulate(ordered)[:-1]))
    out = np.zeros(len(years), dtype=bool)
    out[order] = ordered > previous_max
    return out


def fit_trend(selection: Selection, *, method: str = "ols", level: float = 0.9, n_boot: int = 2000,
              seed: int | None = 0) -> TrendFit:
    """Fit ``log10(y) = a + b * (year - center)`` to a selection.

    Parameters
    ----------
    selection : Selection
    method : {"ols", "robust", "envelope", "bootstrap"}
        See the module docstring.
    level : float
        Credibility of the slope interval, 0 < level < 1 (default 0.9).
    n_boot : int
        Bootstrap replicates (``bootstrap`` only).
    seed : int or None
        Seed of the bootstrap's ``numpy.random.Generator`` (``bootstrap`` only).

    Returns
    -------
    TrendFit

    Raises
    ------
    DataError
        For an unknown method, a level outside (0, 1), fewer than 3 points, or a single year.
    """
    if method not in METHODS:
        raise _data_error(selection.dataset_label, "method", "unknown fit method", f"one of {', '.join(METHODS)}",
                          method, _did_you_mean(str(method), list(METHODS)))
    if isinstance(level, bool) or not 0.0 < level < 1.0:
        raise _data_error(selection.dataset_label, "level", "must be a probability", "0 < level < 1", level)
    sel = _canonical_order(selection)
    used = record_mask(sel.years, sel.log10_y) if method == "envelope" else np.ones(sel.n, dtype=bool)
    used.flags.writeable = False
    x, y = sel.years[used], sel.log10_y[used]
    what = "record-setting points" if method == "envelope" else "points"
    if len(x) < _MIN_POINTS:
        raise _data_error(sel.dataset_label, "", f"too few {what} to fit a trend", f">= {_MIN_POINTS}",
                          len(x), f"Loosen the filters or the year range ({sel.describe()}).")
    if np.ptp(x) == 0:
        raise _data_error(sel.dataset_label, "", "all points share one date; a trend needs a spread of years",
                          "two or more distinct years", float(x[0]))
    n = len(x)
    df = n - 2
    center = float(x.mean())
    dx = x - center
    sxx = float(dx @ dx)
    slope = float(dx @ (y - y.mean()) / sxx)
    height = float(y.mean())
    resid = y - height - slope * dx
    # all-equal residuals (a perfect line) give sd 0: keep a tiny floor so z-scores stay finite
    sd = max(float(np.sqrt(resid @ resid / df)), 1e-12) if df > 0 else 1e-12
    slope_se = sd / math.sqrt(sxx)
    center_se = sd / math.sqrt(n)
    tq = float(stats.t.ppf(0.5 + level / 2, df))
    interval = (slope - tq * slope_se, slope + tq * slope_se)
    boot = None
    if method == "robust":
        ts = stats.theilslopes(y, x, alpha=level)
        slope = float(ts.slope)
        height = float(ts.intercept + slope * center)
        interval = (float(ts.low_slope), float(ts.high_slope))
        resid = y - height - slope * dx
        sd = max(1.4826 * float(np.median(np.abs(resid - np.median(resid)))), 1e-12)
        slope_se = (interval[1] - interval[0]) / (2 * float(stats.norm.ppf(0.5 + level / 2)))
        center_se = math.sqrt(math.pi / 2) * sd / math.sqrt(n)  # the median's efficiency under normality
    elif method == "bootstrap":
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, n, size=(n_boot, n))
        xb, yb = x[idx], y[idx]
        xm, ym = xb.mean(axis=1, keepdims=True), yb.mean(axis=1, keepdims=True)
        bsxx = ((xb - xm) ** 2).sum(axis=1)
        ok = bsxx > 0  # a resample of one repeated year has no slope
        boot = ((xb - xm) * (yb - ym)).sum(axis=1)[ok] / bsxx[ok]
        heights = ym[ok, 0] + boot * (center - xm[ok, 0])
        lo, hi = np.quantile(boot, [0.5 - level / 2, 0.5 + level / 2])
        interval = (float(lo), float(hi))
        slope_se = float(boot.std(ddof=1))
        center_se = float(heights.std(ddof=1))
        boot.flags.writeable = False
    return TrendFit(sel, used, method, float(level), center, height, slope, slope_se, center_se,
                    (float(interval[0]), float(interval[1])), sd, df, boot, seed if method == "bootstrap" else None)


def fit(data=None, *, y: str = COMPUTE_COLUMN, filters=(), since=None, until=None, method: str = "ols",
        level: float = 0.9, n_boot: int = 2000, seed: int | None = 0) -> TrendFit:
    """Load, select and fit in one call (see :func:`load_dataset`, :func:`select`, :func:`fit_trend`).

    Examples
    --------
    >>> f = fit(y="Training compute (FLOP)", filters=["Frontier model=True"], since=2010)
    >>> 4.0 < f.growth_x_per_year < 5.0
    True
    """
    selection = select(load_dataset(data), y, filters, since=since, until=until)
    return fit_trend(selection, method=method, level=level, n_boot=n_boot, seed=seed)


def residual_in_sd(trend: TrendFit, dataset: Dataset, model: str, column: str | None = None) -> dict:
    """Place one model of the dataset against a trend: its residual in dex and in residual sds.

    Parameters
    ----------
    trend : TrendFit
    dataset : Dataset
    model : str
        A value of the Model column, e.g. ``"DeepSeek-V3"`` (need not pass the fit's filters).
    column : str, optional
        The column to read (default: the trend's y column).

    Returns
    -------
    dict
        ``model, year, value, trend_value, residual_log10, residual_sd, predictive_percentile``.
        ``residual_sd`` is (log10 value - trend) / residual_sd_log10; ``predictive_percentile`` is
        where the value falls in the predictive t distribution at that date (0-100).
    """
    row = dataset.find_model(model)
    column = trend.y_column if column is None else column
    year = float(dataset.years[row])
    value = dataset.value(row, column)
    if not (value > 0):
        raise _data_error(dataset.label, "model", f"no usable {column!r} for this model", "a positive number",
                          dataset.column(column)[row])
    mid = float(trend.predict_log10(year))
    resid = math.log10(value) - mid
    pct = 100 * float(stats.t.cdf(resid / float(trend.predictive_scale(year)), trend.df))
    return {"model": dataset.columns[NAME_COLUMN][row], "year": year, "value": value, "trend_value": 10**mid,
            "residual_log10": resid, "residual_sd": resid / trend.residual_sd_log10, "predictive_percentile": pct}


# ---------------------------------------------------------------------------------------------
# Backtest


@dataclass(frozen=True, eq=False)
class BacktestResult:
    """A trend fitted on data before a cut-off, scored on the points published after it.

    Attributes
    ----------
    fit : TrendFit
        The fit on points before ``cutoff``.
    cutoff : float
    test_years, test_log10_y : numpy.ndarray
        The later points (for ``envelope``: the later record-setting points, records counted
        over the whole series).
    test_names : tuple[str, ...]
    loc, scale : numpy.ndarray
        The predictive t distribution (df = ``fit.df``) of each later point's log10 y.
    level : float
        Credibility of the interval whose coverage is scored.
    coverage : float
        Share of later points inside the central ``level`` prediction interval.
    mean_log_score : float
        Mean log predictive density of the later points' log10 y (nats; higher is better).
    median_error_years : float
        Median of (observed - projected log10 y) / slope: how many years of trend growth the data
        came in above (+) or below (-) the projection.
    median_abs_error_years : float
    later_fit : TrendFit or None
        The same method fitted on the later points alone (when there are >= 3 of them).
    """

    fit: TrendFit
    cutoff: float
    test_years: np.ndarray
    test_log10_y: np.ndarray
    test_names: tuple
    loc: np.ndarray
    scale: np.ndarray
    level: float
    coverage: float
    mean_log_score: float
    median_error_years: float
    median_abs_error_years: float
    later_fit: TrendFit | None

    @property
    def n_test(self) -> int:
        """Number of later points scored."""
        return len(self.test_years)

    @property
    def z(self) -> np.ndarray:
        """Standardized errors (observed - projected) / predictive scale."""
        return (self.test_log10_y - self.loc) / self.scale

    def summary(self) -> str:
        """A few lines describing the backtest, as `costsim backtest` prints them."""
        f = self.fit
        lo, hi = f.growth_interval()
        pct = f"{self.level:.0%}"
        inside = int(round(self.coverage * self.n_test))
        what = "record-setting models" if f.method == "envelope" else "models"
        lines = [
            f"Backtest of {f.y_column}: {METHOD_LABELS[f.method]}",
            f"  fit      before {_fmt_year(self.cutoff)}: {f.growth_x_per_year:.3g}x per year, "
            f"{f.level:.0%} CI [{lo:.3g}, {hi:.3g}], n = {f.n}, residual sd {f.residual_sd_log10:.3g} dex",
        ]
        if self.later_fit is not None:
            llo, lhi = self.later_fit.growth_interval()
            lines.append(f"  later    from {_fmt_year(self.cutoff)} alone: {self.later_fit.growth_x_per_year:.3g}x "
                         f"per year, {f.level:.0%} CI [{llo:.3g}, {lhi:.3g}], n = {self.later_fit.n}")
        span = f"{self.test_years.min():.1f}-{self.test_years.max():.1f}"
        lines += [
            f"  scored   {self.n_test} {what} published {span}",
            f"  coverage {self.coverage:.2f} inside the {pct} prediction interval ({inside} of {self.n_test}; "
            f"{self.level:.2f} if calibrated)",
            f"  log score {self.mean_log_score:.3f} nats per model (mean log density of log10 y)",
            f"  error    median {self.median_error_years:+.2f} years of trend growth "
            f"({'data ahead of' if self.median_error_years > 0 else 'data behind'} the projection); "
            f"median |error| {self.median_abs_error_years:.2f} years",
        ]
        return "\n".join(lines)


def backtest(selection: Selection, *, cutoff, method: str = "ols", level: float = 0.9, horizon=None,
             n_boot: int = 2000, seed: int | None = 0) -> BacktestResult:
    """Fit on points published before ``cutoff`` and score the projection on the points after it.

    Parameters
    ----------
    selection : Selection
        The full series (both sides of the cut-off), as :func:`select` returns it.
    cutoff : float or str
        The cut-off year or date; the fit sees ``year < cutoff``.
    method : str
        Fit method (see :func:`fit_trend`). For ``envelope`` the later points scored are the later
        record-setting points, records being counted over the whole series.
    level : float
        Credibility of the scored prediction interval (default 0.9).
    horizon : float, optional
        Score only points with ``cutoff <= year < cutoff + horizon``.

    Returns
    -------
    BacktestResult

    Raises
    ------
    DataError
        If either side of the cut-off has too few points.
    """
    try:
        cutoff = parse_year(cutoff)
    except ValueError:
        raise _data_error(selection.dataset_label, "cutoff", "not a year", "a year (2020) or a date",
                          cutoff) from None
    train = selection.restrict(until=cutoff)
    trend = fit_trend(train, method=method, level=level, n_boot=n_boot, seed=seed)
    later = selection.restrict(since=cutoff, until=None if horizon is None else cutoff + float(horizon))
    if method == "envelope":
        records = record_mask(selection.years, selection.log10_y)
        keep = records & (selection.years >= cutoff)
        if horizon is not None:
            keep &= selection.years < cutoff + float(horizon)
        years, log10_y = selection.years[keep], selection.log10_y[keep]
        names = tuple(np.asarray(selection.names, dtype=object)[keep])
    else:
        years, log10_y, names = later.years, later.log10_y, later.names
    if len(years) == 0:
        raise _data_error(selection.dataset_label, "cutoff", "no points after the cut-off to score",
                          f"a cut-off before the last point ({selection.years.max():.2f})", cutoff)
    order = np.lexsort((log10_y, years))
    years, log10_y = _frozen(years[order]), _frozen(log10_y[order])
    names = tuple(np.asarray(names, dtype=object)[order])
    loc = _frozen(trend.predict_log10(years))
    scale = _frozen(trend.predictive_scale(years))
    z = (log10_y - loc) / scale
    tq = float(stats.t.ppf(0.5 + level / 2, trend.df))
    coverage = float(np.mean(np.abs(z) <= tq))
    log_score = float(np.mean(stats.t.logpdf(z, trend.df) - np.log(scale)))
    err_years = (log10_y - loc) / trend.slope_log10_per_year
    try:
        later_fit = fit_trend(later, method=method, level=level, n_boot=n_boot, seed=seed)
    except DataError:  # too few later points for a fit of their own: the scores still stand
        later_fit = None
    return BacktestResult(trend, cutoff, years, log10_y, names, loc, scale, float(level), coverage, log_score,
                          float(np.median(err_years)), float(np.median(np.abs(err_years))), later_fit)


# ---------------------------------------------------------------------------------------------
# Gap between two groups


@dataclass(frozen=True, eq=False)
class GapResult:
    """The gap in frontier y between a leading group A and a following group B, year by year.

    Attributes
    ----------
    labels : tuple[str, str]
        Names of groups A and B.
    years : numpy.ndarray, (T,)
        Calendar years (integers as floats).
    frontier_log10 : numpy.ndarray, (2, T)
        Each group's frontier log10 y in each year (``nan`` before its first model).
    counts : numpy.ndarray, (2, T)
        Models per group and year.
    ratio, ratio_low, ratio_high : numpy.ndarray, (T,)
        Frontier of A / frontier of B, with its bootstrap interval at ``level``.
    years_behind, years_behind_low, years_behind_high : numpy.ndarray, (T,)
        log10(ratio) / A's frontier slope: how many years of A's frontier growth B is behind.
    catch_up_years, catch_up_low, catch_up_high : numpy.ndarray, (T,)
        The export-control race model's ``follower_lag_years`` read off the data: the time from
        year t until B's frontier first reaches A's frontier of year t (log10 linear between
        years). ``inf`` when B had not reached it by the end of the data (at least the time left).
    growth_x_per_year : tuple[float, float]
        Frontier growth of A and B (OLS of each frontier series on year).
    growth_interval : tuple[tuple[float, float], tuple[float, float]]
    trend_ratio, trend_years_behind : tuple[float, float, float]
        The gap between the two fitted frontier trends at the last year: (point, low, high).
    record_lags : list[dict]
        For each record set by B: its date, level, the date A first reached that level, and the lag.
    frontier : str
        ``record`` (largest model to date), ``max`` (largest of the year) or ``top<k>`` (mean log10
        of the year's k largest).
    """

    labels: tuple
    y_column: str
    years: np.ndarray
    frontier_log10: np.ndarray
    counts: np.ndarray
    ratio: np.ndarray
    ratio_low: np.ndarray
    ratio_high: np.ndarray
    years_behind: np.ndarray
    years_behind_low: np.ndarray
    years_behind_high: np.ndarray
    catch_up_years: np.ndarray
    catch_up_low: np.ndarray
    catch_up_high: np.ndarray
    growth_x_per_year: tuple
    growth_interval: tuple
    trend_ratio: tuple
    trend_years_behind: tuple
    record_lags: list
    frontier: str
    level: float
    n_boot: int
    selections: tuple = field(default=())

    def summary(self) -> str:
        """A table of the gap by year, as `costsim gap` prints it."""
        a, b = self.labels
        pct = f"{self.level:.0%}"
        fr = {"record": "largest model to date", "max": "largest model of the year"}.get(
            self.frontier, f"mean log10 of the year's {self.frontier[3:]} largest models")
        lines = [
            f"Gap in {self.y_column}: A = {a}, B = {b}",
            f"  frontier = {fr}; {pct} bootstrap intervals over models ({self.n_boot} resamples)",
            f"  {'year':>6} {'n A':>4} {'n B':>4} {'frontier A':>11} {'frontier B':>11} "
            f"{'A/B ratio':>10} {pct + ' interval':>20} {'years behind':>13} {pct + ' interval':>16} "
            f"{'catch-up':>9} {pct + ' interval':>16}",
        ]
        for t in range(len(self.years)):
            fa, fb = self.frontier_log10[:, t]
            if np.isnan(fa) and np.isnan(fb):
                continue
            lines.append(
                f"  {int(self.years[t]):>6} {int(self.counts[0, t]):>4} {int(self.counts[1, t]):>4} "
                f"{_e(fa):>11} {_e(fb):>11} {_num(self.ratio[t]):>10} "
                f"{'[' + _num(self.ratio_low[t]) + ', ' + _num(self.ratio_high[t]) + ']':>20} "
                f"{_yr(self.years_behind[t]):>13} "
                f"{'[' + _yr(self.years_behind_low[t]) + ', ' + _yr(self.years_behind_high[t]) + ']':>16} "
                f"{_lag(self.catch_up_years[t]):>9} "
                f"{'[' + _lag(self.catch_up_low[t]) + ', ' + _lag(self.catch_up_high[t]) + ']':>16}")
        (ga, gb), ((la, ha), (lb, hb)) = self.growth_x_per_year, self.growth_interval
        r, rl, rh = self.trend_ratio
        yb, yl, yh = self.trend_years_behind
        lines.append("  years behind = log10(A/B) / A's frontier slope; catch-up = time until B first reached A's "
                     "frontier of that year (the race model's follower_lag_years; '>' not yet reached)")
        lines += [
            f"  frontier growth: A {ga:.3g}x/yr [{la:.3g}, {ha:.3g}], B {gb:.3g}x/yr [{lb:.3g}, {hb:.3g}]",
            f"  fitted trends at {int(self.years[-1])}: A/B = {_num(r)} [{_num(rl)}, {_num(rh)}], "
            f"B is {_yr(yb)} years behind [{_yr(yl)}, {_yr(yh)}]",
        ]
        if self.record_lags:
            lines.append("  records set by B, and when A had first reached that level:")
            for lag in self.record_lags:
                reached = f"{lag['a_year']:.2f} ({lag['a_model']})" if lag["a_model"] else "never (A below)"
                lag_text = f"{lag['lag_years']:+.2f} years" if lag["a_model"] else "B ahead"
                lines.append(f"    {lag['b_year']:.2f} {lag['b_model']:<28} {10 ** lag['log10_y']:.3g}: "
                             f"A reached it {reached} -> {lag_text}")
        return "\n".join(lines)


def _e(log10_value: float) -> str:
    return "-" if np.isnan(log10_value) else f"{10 ** log10_value:.3g}"


def _num(value: float) -> str:
    return "-" if not np.isfinite(value) else f"{value:.3g}"


def _yr(value: float) -> str:
    return "-" if not np.isfinite(value) else f"{value:+.2f}"


def _lag(value: float) -> str:
    if np.isnan(value):
        return "-"
    return ">" if np.isinf(value) else f"{value:.2f}"


def _catch_up(leader: np.ndarray, follower: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Years from grid[t] until ``follower`` first reaches ``leader[:, t]``: (R, T) -> (R, T).

    log10 is linear between grid years; 0 if the follower is already level or ahead; ``inf`` if it
    never gets there within the grid; ``nan`` if the leader has no value in year t.
    """
    rows, size = leader.shape
    out = np.full((rows, size), np.inf)
    for t in range(size):
        target = leader[:, t]
        open_ = np.isfinite(target)
        out[~open_, t] = np.nan
        first = open_ & (follower[:, t] >= target)
        out[first, t] = 0.0
        open_ &= ~first
        for s in range(t + 1, size):
            prev, cur = follower[:, s - 1], follower[:, s]
            hit = open_ & (cur >= target)
            if not hit.any():
                continue
            with np.errstate(invalid="ignore", divide="ignore"):  # a nan start (no model yet) jumps to s
                frac = np.where(np.isfinite(prev) & (cur > prev), (target - prev) / (cur - prev), 1.0)
            out[hit, t] = (s - 1 - t) + np.clip(frac[hit], 0.0, 1.0) * (grid[s] - grid[s - 1])
            open_ &= ~hit
    return out


def _frontier_by_year(years_b, log10_b, grid, frontier: str) -> np.ndarray:
    """Frontier log10 y per calendar year, vectorized over bootstrap rows: (B, n) -> (B, T)."""
    out = np.full((years_b.shape[0], len(grid)), np.nan)
    k = int(frontier[3:]) if frontier.startswith("top") else 1
    for t, year in enumerate(grid):
        mask = years_b < year + 1 if frontier == "record" else (years_b >= year) & (years_b < year + 1)
        masked = np.where(mask, log10_b, -np.inf)
        if k == 1:
            best = masked.max(axis=1)
        else:
            top = -np.sort(-masked, axis=1)[:, :k]
            finite = np.isfinite(top)
            count = finite.sum(axis=1)
            best = np.where(count > 0, np.where(finite, top, 0.0).sum(axis=1) / np.maximum(count, 1), -np.inf)
        out[:, t] = np.where(np.isfinite(best), best, np.nan)
    return out


def _slopes_ignoring_nan(grid, series) -> tuple[np.ndarray, np.ndarray]:
    """OLS slope and intercept of each row of ``series`` (B, T) on ``grid`` (T,), skipping nan cells."""
    w = np.isfinite(series)
    count = w.sum(axis=1)
    safe = np.where(w, series, 0.0)
    xm = (w * grid).sum(axis=1) / np.maximum(count, 1)
    ym = safe.sum(axis=1) / np.maximum(count, 1)
    dx = np.where(w, grid - xm[:, None], 0.0)
    sxx = (dx**2).sum(axis=1)
    slope = np.full(series.shape[0], np.nan)
    ok = (count >= 2) & (sxx > 0)
    slope[ok] = (dx * (safe - ym[:, None])).sum(axis=1)[ok] / sxx[ok]
    return slope, ym - slope * xm


def gap(dataset: Dataset, *, group_a, group_b, y: str = COMPUTE_COLUMN, filters=(), since=None, until=None,
        frontier: str = "record", level: float = 0.9, n_boot: int = 1000, seed: int | None = 0,
        labels: tuple | None = None) -> GapResult:
    """Measure, year by year, how far group B's frontier is behind group A's.

    Parameters
    ----------
    dataset : Dataset
    group_a, group_b : str or sequence of str
        Filters defining each group, e.g. ``"Country (from Organization)==United States of America"``
        and ``"Country (from Organization)==China"``; ANDed with ``filters``.
    y : str
        Column compared (default training compute).
    since, until : optional
        Publication-year bounds of the models considered.
    frontier : {"record", "max", "top<k>"}
        ``record``: largest model to date (default); ``max``: largest of the year; ``top3``: mean
        log10 of the year's three largest.
    level : float
        Credibility of the bootstrap intervals.
    n_boot : int
        Bootstrap resamples (models resampled with replacement within each group).
    seed : int or None

    Returns
    -------
    GapResult
        ``ratio`` is A's frontier / B's; ``years_behind`` = log10(ratio) / (A's frontier slope in
        dex per year). A bootstrap of a maximum is biased low (a resample misses the top model
        about a third of the time), more so for the group with fewer models: read the intervals
        as a spread, not an exact coverage.
    """
    if not (frontier in FRONTIER_STATS or re.fullmatch(r"top[1-9]\d*", str(frontier))):
        raise _data_error(dataset.label, "frontier", "unknown frontier statistic", "record, max or top<k> (top3)",
                          frontier)
    base = _as_filters_raw(filters)
    sels = []
    for key, group in (("group_a", group_a), ("group_b", group_b)):
        group_filters = _as_filters_raw(group)
        if not group_filters:
            raise _data_error(dataset.label, key, "a group needs at least one filter", "'COLUMN=VALUE'", group)
        for flt in group_filters:  # checked here first so a mistake is reported against the group
            (flt if isinstance(flt, Filter) else parse_filter(flt, path=key, source=dataset.label)).mask(
                dataset, path=key)
        sels.append(_canonical_order(select(dataset, y, base + group_filters, since=since, until=until)))
    if labels is None:
        labels = tuple(" & ".join(parse_filter(f).values[0] if isinstance(f, str) else f.values[0]
                                  for f in _as_filters_raw(g)) for g in (group_a, group_b))
    for label, sel in zip(labels, sels):
        if sel.n < 2:
            raise _data_error(dataset.label, "group", f"too few models in group {label!r}", ">= 2", sel.n)
    start = math.floor(min(float(s.years.min()) for s in sels))
    stop = math.floor(max(float(s.years.max()) for s in sels))
    grid = np.arange(start, stop + 1, dtype=float)
    rng = np.random.default_rng(seed)
    point, boots, counts = [], [], []
    for sel in sels:
        point.append(_frontier_by_year(sel.years[None, :], sel.log10_y[None, :], grid, frontier)[0])
        idx = rng.integers(0, sel.n, size=(n_boot, sel.n))
        boots.append(_frontier_by_year(sel.years[idx], sel.log10_y[idx], grid, frontier))
        counts.append(np.array([np.sum((sel.years >= g) & (sel.years < g + 1)) for g in grid]))
    pa, pb = point
    ba, bb = boots
    slope_a, icpt_a = _slopes_ignoring_nan(grid, np.vstack([pa, ba]))
    slope_b, icpt_b = _slopes_ignoring_nan(grid, np.vstack([pb, bb]))
    lo_q, hi_q = 0.5 - level / 2, 0.5 + level / 2
    diff = np.vstack([pa - pb, ba - bb])  # (1 + B, T)
    with np.errstate(divide="ignore", invalid="ignore"):  # a flat or falling A frontier has no "years behind"
        behind = diff / np.where(slope_a > 0, slope_a, np.nan)[:, None]

    def band(rows):
        finite = np.isfinite(rows)
        lo = np.full(rows.shape[1], np.nan)
        hi = np.full(rows.shape[1], np.nan)
        for t in range(rows.shape[1]):
            if finite[:, t].sum() >= 2:
                lo[t], hi[t] = np.quantile(rows[finite[:, t], t], [lo_q, hi_q])
        return lo, hi

    rlo, rhi = band(diff[1:])
    blo, bhi = band(behind[1:])
    catch = _catch_up(np.vstack([pa, ba]), np.vstack([pb, bb]), grid)
    defined = ~np.isnan(catch[1:])
    catch_lo = np.full(len(grid), np.nan)
    catch_hi = np.full(len(grid), np.nan)
    for t in range(len(grid)):
        if defined[:, t].sum() >= 2:  # inf (not reached yet) sorts last, as the longest lag
            catch_lo[t], catch_hi[t] = np.quantile(catch[1:][defined[:, t], t], [lo_q, hi_q], method="inverted_cdf")
    last = grid[-1]
    trend_diff = (icpt_a + slope_a * last) - (icpt_b + slope_b * last)
    with np.errstate(divide="ignore", invalid="ignore"):
        trend_behind = trend_diff / np.where(slope_a > 0, slope_a, np.nan)

    def point_band(values):
        rest = values[1:][np.isfinite(values[1:])]
        lo, hi = np.quantile(rest, [lo_q, hi_q]) if len(rest) >= 2 else (np.nan, np.nan)
        return float(values[0]), float(lo), float(hi)

    def growth(slopes):
        p, lo, hi = point_band(slopes)
        return 10**p, (10**lo, 10**hi)

    ga, gia = growth(slope_a)
    gb, gib = growth(slope_b)
    td = point_band(trend_diff)
    return GapResult(
        tuple(labels), sels[0].y_column, _frozen(grid), np.vstack([pa, pb]), np.vstack(counts),
        10 ** diff[0], 10**rlo, 10**rhi, behind[0], blo, bhi, catch[0], catch_lo, catch_hi, (ga, gb), (gia, gib),
        tuple(10**v for v in td), point_band(trend_behind), _record_lags(sels[0], sels[1]), str(frontier),
        float(level), int(n_boot), tuple(sels))


def _record_lags(a: Selection, b: Selection) -> list[dict]:
    lags = []
    rec_b = record_mask(b.years, b.log10_y)
    for i in np.flatnonzero(rec_b):
        reached = np.flatnonzero(a.log10_y >= b.log10_y[i])
        if len(reached):
            j = reached[np.argmin(a.years[reached])]
            lags.append({"b_year": float(b.years[i]), "b_model": b.names[i], "log10_y": float(b.log10_y[i]),
                         "a_year": float(a.years[j]), "a_model": a.names[j],
                         "lag_years": float(b.years[i] - a.years[j])})
        else:
            lags.append({"b_year": float(b.years[i]), "b_model": b.names[i], "log10_y": float(b.log10_y[i]),
                         "a_year": math.nan, "a_model": "", "lag_years": math.nan})
    return lags


# ---------------------------------------------------------------------------------------------
# Scenario parameters from fits

FIT_KEYS = ("data", "y", "filter", "since", "until", "method", "quantity", "at_year", "overlay", "n_boot", "seed")
PARAM_KEYS = ("fit", "credibility", "source", "note", "min", "max")
QUANTITIES = ("growth_x_per_year", "level")


def _sig(value: float, digits: int = 6) -> float:
    return float(f"{value:.{digits}g}")


def to_param_spec(trend: TrendFit, credibility: float = 0.9) -> dict:
    """Express a fit's growth multiple per year as a ``lognormal_ci`` scenario parameter.

    Parameters
    ----------
    trend : TrendFit
    credibility : float
        The interval of the growth multiple used as ``low``/``high`` (default 0.9, the
        ``lognormal_ci`` default).

    Returns
    -------
    dict
        ``{dist: lognormal_ci, low, high, credibility, source, note}``, where ``source`` names the
        data file, its date, the y column, the filters, the years, n and the method.

    Examples
    --------
    >>> f = fit(filters=["Frontier model=True"], since=2010)
    >>> spec = to_param_spec(f)
    >>> spec["dist"], spec["low"] < f.growth_x_per_year < spec["high"]
    ('lognormal_ci', True)
    """
    lo, hi = trend.growth_interval(credibility)
    return {
        "dist": "lognormal_ci",
        "low": _sig(lo),
        "high": _sig(hi),
        "credibility": float(credibility),
        "source": trend.source_note(),
        "note": (f"growth multiple per year of {trend.y_column}: fitted {trend.growth_x_per_year:.3g}x/yr, "
                 f"{credibility:.0%} interval of the slope; residual sd {trend.residual_sd_log10:.3g} dex"),
    }


def to_level_param_spec(trend: TrendFit, year: float, credibility: float = 0.9) -> dict:
    """Express a new model's y at ``year`` (the fit's prediction interval) as a ``lognormal_ci``."""
    lo, hi = trend.prediction_interval(year, credibility)
    return {
        "dist": "lognormal_ci",
        "low": _sig(float(lo)),
        "high": _sig(float(hi)),
        "credibility": float(credibility),
        "source": trend.source_note(),
        "note": (f"{trend.y_column} of one model published at {_fmt_year(year)}: {credibility:.0%} prediction "
                 f"interval of the trend ({trend.growth_x_per_year:.3g}x/yr, residual sd "
                 f"{trend.residual_sd_log10:.3g} dex)"),
    }


def fit_form(trend: TrendFit, data: str = BUNDLED) -> dict:
    """The ``fit:`` mapping that recomputes ``trend`` when a scenario is loaded."""
    sel = trend.selection
    out: dict = {"data": data, "y": sel.y_column}
    if sel.filters:
        out["filter"] = list(sel.filters)
    if sel.since is not None:
        out["since"] = int(sel.since) if float(sel.since).is_integer() else sel.since
    if sel.until is not None:
        out["until"] = int(sel.until) if float(sel.until).is_integer() else sel.until
    out["method"] = trend.method
    return out


def param_yaml(name: str, spec: dict, fit_spec: dict | None = None) -> str:
    """Render a parameter spec as a YAML snippet for a scenario's ``params:`` (and the ``fit:`` form).

    Strings are written JSON-quoted, which YAML reads back unchanged; numbers use ``repr``-exact
    forms with a dot and a signed exponent where needed, so costsim's loader reads them as floats.
    """
    lines = ["params:", f"  {name}:"]
    for key, value in spec.items():
        lines.append(f"    {key}: {_yaml_scalar(value)}")
    if fit_spec is not None:
        lines.append("  # or recompute it from the data whenever the scenario is loaded:")
        lines.append(f"  # {name}:")
        lines.append(f"  #   fit: {_yaml_flow(fit_spec)}")
        lines.append(f"  #   credibility: {_yaml_scalar(spec.get('credibility', 0.9))}")
    return "\n".join(lines) + "\n"


def _yaml_scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        if "e" in text:
            mant, exp = text.split("e")
            mant = mant if "." in mant else mant + ".0"
            exp = exp if exp.startswith(("+", "-")) else "+" + exp
            text = f"{mant}e{exp}"
        return text
    text = str(value)
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


_YAML_WORDS = {"yes", "no", "true", "false", "on", "off", "null", "y", "n"}


def _yaml_flow(mapping: dict) -> str:
    parts = []
    for key, value in mapping.items():
        if isinstance(value, (list, tuple)):
            rendered = "[" + ", ".join(_yaml_scalar(v) for v in value) + "]"
        else:
            rendered = _yaml_scalar(value)
        parts.append(f"{key}: {rendered}")
    return "{" + ", ".join(parts) + "}"


def is_fit_param(spec: object) -> bool:
    """True if a scenario parameter is written in the ``{fit: {...}}`` form."""
    return isinstance(spec, dict) and "fit" in spec


def _check_fit_spec(fit_spec: object, base_dir, path: str, as_of) -> tuple[dict | None, list[Issue]]:
    """Validate a ``fit:`` mapping; return normalized arguments for :func:`select`/:func:`fit_trend`."""
    issues: list[Issue] = []
    if not isinstance(fit_spec, dict):
        return None, [Issue(f"{path}.fit", "must be a mapping", "{y: COLUMN, filter: [...], since: YEAR, ...}",
                            fit_spec)]
    for key in fit_spec:
        if key not in FIT_KEYS:
            issues.append(Issue(f"{path}.fit.{key}", "unknown key", f"one of {', '.join(FIT_KEYS)}", key,
                                hint=_did_you_mean(str(key), list(FIT_KEYS))))
    args: dict = {}
    data = fit_spec.get("data", BUNDLED)
    if not isinstance(data, str) or not data.strip():
        issues.append(Issue(f"{path}.fit.data", "must be 'bundled' or a CSV path", "a string", data))
        data = None
    elif data != BUNDLED:
        candidate = Path(data)
        if not candidate.is_absolute():
            candidate = Path(base_dir if base_dir is not None else ".") / candidate
        data = str(candidate)
    args["data"] = data
    y = fit_spec.get("y", COMPUTE_COLUMN)
    if not isinstance(y, str):
        issues.append(Issue(f"{path}.fit.y", "must be a column name", "a string like 'Training compute (FLOP)'", y))
        y = None
    args["y"] = y
    filters = fit_spec.get("filter", [])
    if isinstance(filters, str):
        filters = [filters]
    if not isinstance(filters, list):
        issues.append(Issue(f"{path}.fit.filter", "must be a filter or a list of filters",
                            "'COLUMN=VALUE' or ['COLUMN=VALUE', ...]", filters))
        filters = []
    for i, text in enumerate(filters):
        try:
            parse_filter(text, path=f"{path}.fit.filter[{i}]")
        except DataError as err:
            issues.append(_rehome(err.issue, f"{path}.fit.filter[{i}]"))
    args["filters"] = filters
    for key in ("since", "until", "at_year"):
        value = fit_spec.get(key)
        if value is None:
            args[key] = None
            continue
        try:
            args[key] = parse_year(value)
        except ValueError:
            issues.append(Issue(f"{path}.fit.{key}", "not a year", "a year (2018) or a quoted date ('2018-06-30')",
                                value))
            args[key] = None
    if as_of is not None:
        as_of = parse_year(as_of)
        args["until"] = as_of if args["until"] is None else min(args["until"], as_of)
    method = fit_spec.get("method", "ols")
    if method not in METHODS:
        issues.append(Issue(f"{path}.fit.method", "unknown fit method", f"one of {', '.join(METHODS)}", method,
                            hint=_did_you_mean(str(method), list(METHODS))))
    args["method"] = method
    quantity = fit_spec.get("quantity", "growth_x_per_year")
    if quantity not in QUANTITIES:
        issues.append(Issue(f"{path}.fit.quantity", "unknown quantity", f"one of {', '.join(QUANTITIES)}", quantity,
                            hint=_did_you_mean(str(quantity), list(QUANTITIES))))
    elif quantity == "level" and args.get("at_year") is None and "at_year" not in fit_spec:
        issues.append(Issue(f"{path}.fit.at_year", "quantity 'level' needs the year to predict",
                            "a year, e.g. at_year: 2025", None))
    args["quantity"] = quantity
    overlay = fit_spec.get("overlay")
    if overlay is not None and not isinstance(overlay, str):
        issues.append(Issue(f"{path}.fit.overlay", "must be an output name", "a string like 'training_flop'", overlay))
    for key, default in (("n_boot", 2000), ("seed", 0)):
        value = fit_spec.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < (10 if key == "n_boot" else 0):
            issues.append(Issue(f"{path}.fit.{key}", "must be an integer",
                                ">= 10" if key == "n_boot" else ">= 0", value))
        args[key] = value
    return (None if issues else args), issues


def _rehome(issue: Issue | None, path: str) -> Issue:
    if issue is None:
        return Issue(path, "invalid")
    return Issue(path, issue.problem, issue.expected, issue.got, hint=issue.hint)


def fit_from_spec(fit_spec: dict, base_dir=None, *, path: str = "", as_of=None,
                  credibility: float = 0.9) -> TrendFit:
    """Recompute the fit a ``fit:`` mapping describes (for reports and plots).

    Raises
    ------
    costsim.errors.ScenarioError
        Listing every problem, with paths like ``params.x.fit.y``.
    """
    from costsim.errors import ScenarioError

    args, issues = _check_fit_spec(fit_spec, base_dir, path, as_of)
    if issues:
        raise ScenarioError(path or "fit", issues)
    try:
        return _fit_args(args, credibility)
    except DataError as err:
        raise ScenarioError(path or "fit", [_issue_from_data_error(err, path)]) from None


def _fit_args(args: dict, credibility: float) -> TrendFit:
    dataset = load_dataset(args["data"])
    selection = select(dataset, args["y"], args["filters"], since=args["since"], until=args["until"])
    return fit_trend(selection, method=args["method"], level=credibility, n_boot=args["n_boot"], seed=args["seed"])


def _issue_from_data_error(err: DataError, path: str) -> Issue:
    issue = err.issue
    if issue is None:
        return Issue(f"{path}.fit", str(err))
    sub = issue.path
    full = f"{path}.fit.{sub}" if sub else f"{path}.fit"
    return Issue(full, issue.problem, issue.expected, issue.got, hint=issue.hint)


def resolve_fit_param(spec: dict, base_dir=None, *, path: str = "", as_of=None) -> tuple[dict | None, list[Issue]]:
    """Turn a scenario parameter written as ``{fit: {...}}`` into the equivalent ``lognormal_ci`` spec.

    The form::

        frontier_flop_x_per_year:
          fit:
            data: bundled            # or a CSV path relative to the scenario file
            y: Training compute (FLOP)
            filter: [Frontier model=True]
            since: 2010              # optional; until: 2020 (before 1 Jan 2020) likewise
            method: ols              # ols | robust | envelope | bootstrap
            quantity: growth_x_per_year   # or `level` with `at_year: 2025` (a new model's y then)
            overlay: training_flop   # optional: output the report draws over this data
          credibility: 0.9           # interval written as low/high (default 0.9)
          note: ...                  # optional; min/max pass through too

    Parameters
    ----------
    spec : dict
        The parameter's mapping, as loaded from YAML.
    base_dir : str or path-like, optional
        Directory of the scenario file; a relative ``data:`` path is resolved against it.
    path : str
        Prefix of issue paths, e.g. ``"params.frontier_flop_x_per_year"``; issues end in
        ``.fit.y``, ``.fit.filter[0]``, ``.credibility``...
    as_of : float or str, optional
        Run the scenario "as of" this date: only data published before it is fitted
        (``until = min(until, as_of)``).

    Returns
    -------
    (dict or None, list[Issue])
        The ``lognormal_ci`` spec (``dist, low, high, credibility, source, note`` plus ``min``/``max``
        if given) and no issues; or ``None`` and every issue found. Issues have no line numbers:
        the loader adds them from its line map.
    """
    if not is_fit_param(spec):
        return None, [Issue(path, "not a fit parameter", "a mapping with a 'fit' key", spec)]
    issues: list[Issue] = []
    for key in spec:
        if key not in PARAM_KEYS:
            issues.append(Issue(f"{path}.{key}", "unknown key for a fitted parameter", f"one of {', '.join(PARAM_KEYS)}",
                                key, hint=_did_you_mean(str(key), list(PARAM_KEYS))))
    credibility = spec.get("credibility", 0.9)
    if isinstance(credibility, bool) or not isinstance(credibility, (int, float)) or not 0 < credibility < 1:
        issues.append(Issue(f"{path}.credibility", "must be a probability", "0 < credibility < 1", credibility))
    for key in ("source", "note"):
        if key in spec and not isinstance(spec[key], str):
            issues.append(Issue(f"{path}.{key}", "must be a string", "text", spec[key]))
    args, fit_issues = _check_fit_spec(spec["fit"], base_dir, path, as_of)
    issues += fit_issues
    if issues:
        return None, issues
    try:
        trend = _fit_args(args, float(credibility))
    except DataError as err:
        return None, [_issue_from_data_error(err, path)]
    if args["quantity"] == "level":
        out = to_level_param_spec(trend, args["at_year"], float(credibility))
    else:
        out = to_param_spec(trend, float(credibility))
    if "source" in spec:
        out["source"] = f"{spec['source']}; {out['source']}"
    if "note" in spec:
        out["note"] = f"{spec['note']} ({out['note']})"
    for key in ("min", "max"):
        if key in spec:
            out[key] = spec[key]
    return out, []


@dataclass(frozen=True, eq=False)
class ScenarioFit:
    """A scenario parameter calibrated by a ``fit:``, recomputed for the report.

    Attributes
    ----------
    name : str
        The parameter's name.
    trend : TrendFit
    quantity : str
        ``growth_x_per_year`` or ``level``.
    overlay : str or None
        The output the report should draw over the data (``fit.overlay``), if any.
    """

    name: str
    trend: TrendFit
    quantity: str
    overlay: str | None


def scenario_fits(params: dict, base_dir=None, *, as_of=None) -> list[ScenarioFit]:
    """Recompute every ``fit:`` parameter of a scenario's raw ``params`` mapping, for a report.

    Parameters that are not fits, or whose fit is invalid (the loader has already reported
    those), are skipped.

    Parameters
    ----------
    params : dict
        The scenario's ``params:`` mapping as read from YAML (before validation).
    base_dir : path-like, optional
        Directory of the scenario file.
    as_of : float or str, optional
        The same cut-off the scenario was run with, if any.

    Returns
    -------
    list[ScenarioFit]
        In ``params`` order. Draw each with ``plots.calibration.plot_fit(f.trend)``, or, when
        ``f.overlay`` names an output of the run, with ``plot_projection_over_history(f.trend, years,
        {q: results quantile of f.overlay})``.
    """
    out = []
    for name, spec in (params or {}).items():
        if not is_fit_param(spec):
            continue
        credibility = spec.get("credibility", 0.9)
        args, issues = _check_fit_spec(spec["fit"], base_dir, f"params.{name}", as_of)
        if issues or isinstance(credibility, bool) or not isinstance(credibility, (int, float)):
            continue
        try:
            trend = _fit_args(args, float(credibility))
        except (DataError, ValueError):
            continue
        out.append(ScenarioFit(name, trend, args["quantity"], spec["fit"].get("overlay")))
    return out
