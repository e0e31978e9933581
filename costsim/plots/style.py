"""The house style of costsim figures, new axes without pyplot, and deterministic saving.

No module here touches ``matplotlib.pyplot``: figures are plain ``matplotlib.figure.Figure``
objects, so nothing depends on a display or on the user's backend, and files are written by
the format's own canvas (Agg for PNG). Saved files are byte-identical for identical inputs:
SVG ids come from a fixed hash salt and no file carries a date or a software version stamp.
"""

from __future__ import annotations

import math
import struct
import zlib
from contextlib import contextmanager
from pathlib import Path

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from costsim.units import SI_UNITS, fmt_number, fmt_value, short_exp, spans_decades  # noqa: F401 (re-exported)

# rcParams applied while a figure is built and while it is saved (ticks are created at draw time).
STYLE: dict[str, object] = {
    "font.family": "DejaVu Sans",  # ships with matplotlib: the same glyphs on every machine
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.0,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "legend.fontsize": 8.0,
    "legend.frameon": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "figure.dpi": 100.0,
    "savefig.dpi": 150.0,
    "savefig.facecolor": "white",
    "figure.facecolor": "white",
    "svg.hashsalt": "costsim",  # stable element ids, so SVG output is byte-identical
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "path.simplify": True,
    "text.parse_math": False,  # claims and names contain '$' ("$5.6M"), which must not start mathtext
}

# Colour-blind-safe (Okabe-Ito), in the order series are drawn.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
PASS_COLOR = "#1a7f37"
FAIL_COLOR = "#cf222e"
MUTED = "0.35"

FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
# Metadata that would otherwise carry a date or the matplotlib version into the file.
_METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
             "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}}
# PNG: rows stored unfiltered, zlib level 3 (see _write_png): the pixels Pillow would write, files
# about as large as Pillow's at level 3, a third of its time (Pillow tries four row filters per row)
PNG_ZLIB_LEVEL = 3


@contextmanager
def house_style():
    """Apply costsim's rcParams inside the block (``with house_style(): ...``)."""
    with mpl.rc_context(STYLE):
        yield


def new_axes(ax=None, figsize: tuple[float, float] = (7.0, 4.2)):
    """Return ``ax``, or the Axes of a new Figure (constrained layout, costsim's style)."""
    if ax is not None:
        return ax
    with house_style():
        fig = Figure(figsize=figsize, layout="constrained")
        return fig.add_subplot()


def save_figure(fig, *paths: str | Path) -> list[Path]:
    """Write a Figure (or the Figure of an Axes) to PNG, SVG or PDF files, chosen by extension.

    The same figure gives the same bytes: no timestamps or version strings in the metadata,
    a fixed SVG hash salt and a fixed dpi. The layout is computed once, at the saving dpi
    (titles that the layout pushed past the edge are re-wrapped, then laid out once more), and
    every format is written from that one layout (layout is the costly half of saving).
    """
    if not paths:
        raise TypeError("save_figure: expected at least one file path")
    out = [Path(p) for p in paths]
    for path in out:
        if path.suffix.lower() not in FORMATS:
            raise ValueError(f"{path}: unknown figure format {path.suffix!r}; expected one of .png, .svg, .pdf")
    fig = getattr(fig, "figure", fig)
    with house_style():
        layout_once(fig)
        for path in out:
            fmt = FORMATS[path.suffix.lower()]
            if fmt == "png":
                _write_png(fig, path)
            else:
                fig.savefig(path, format=fmt, metadata=_METADATA[fmt])
    return out


class _Pixels:
    """A file-like target for ``savefig(format="rgba")``: keeps the Agg buffer (rows, columns, RGBA)."""

    pixels: np.ndarray | None = None

    def write(self, data) -> int:
        # Agg hands over a view of its buffer (the view keeps the buffer alive); png_bytes copies it once
        self.pixels = np.asarray(data, dtype=np.uint8)
        return self.pixels.nbytes

    def seek(self, *args) -> int:  # matplotlib passes objects with a seek through as file handles
        return 0


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(pixels: np.ndarray, dpi: float, level: int = PNG_ZLIB_LEVEL) -> bytes:
    """A PNG (8-bit RGBA, rows unfiltered, one IDAT) of ``pixels`` ``(rows, columns, 4)`` uint8.

    The chunks Pillow writes for matplotlib's ``savefig``: IHDR, pHYs (``dpi``, in pixels per
    metre, rounded as Pillow does), the image data, IEND; no text or time chunks.
    """
    pixels = np.asarray(pixels, dtype=np.uint8)
    if pixels.ndim != 3 or pixels.shape[2] != 4:
        raise ValueError(f"png_bytes: expected (rows, columns, 4) RGBA pixels, got shape {pixels.shape}")
    h, w, _ = pixels.shape
    rows = np.empty((h, 4 * w + 1), dtype=np.uint8)
    rows[:, 0] = 0  # filter type 0 (none) on every row
    rows[:, 1:] = pixels.reshape(h, 4 * w)
    per_metre = int(dpi / 0.0254 + 0.5)
    return b"".join((b"\x89PNG\r\n\x1a\n",
                     _png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)),
                     _png_chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
                     _png_chunk(b"IDAT", zlib.compress(rows, level)),
                     _png_chunk(b"IEND", b"")))


def _write_png(fig, path: Path) -> None:
    """Draw ``fig`` with Agg exactly as ``savefig(path, format="png")`` would, and write the PNG here."""
    dpi = mpl.rcParams["savefig.dpi"]
    if dpi == "figure":
        dpi = getattr(fig, "_original_dpi", fig.dpi)
    grab = _Pixels()
    fig.savefig(grab, format="rgba", dpi=dpi)  # the same draw as format="png"; only the encoding differs
    with open(path, "wb") as fh:
        fh.write(png_bytes(grab.pixels, float(dpi)))


def layout_once(fig) -> None:
    """Lay a figure out at the saving dpi, fit its titles, and freeze the result.

    Afterwards the figure has no layout engine, so saving it (in any number of formats) draws
    it without laying it out again. Call inside :func:`house_style`.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    engine = fig.get_layout_engine()
    if engine is None or not hasattr(engine, "execute") or type(engine).__name__ == "PlaceHolderLayoutEngine":
        return
    fig.set_dpi(float(mpl.rcParams["savefig.dpi"]))  # text extents at the dpi the files are drawn at
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    engine.execute(fig)
    if _fit_titles(fig, canvas.get_renderer()):
        engine.execute(fig)
    # None, not "none": "none" leaves a placeholder engine that still triggers a pre-draw on save
    fig.set_layout_engine(None)


def _fit_titles(fig, renderer) -> bool:
    """Re-wrap any axes title that the layout pushed past the figure's edge; True if one changed.

    ``set_title`` wraps to the axes' width when the title is set, but constrained layout later
    moves the axes (long tick labels push a bar chart to the right), and a centred title can then
    overflow. This measures the titles after layout and wraps the ones that stick out.
    """
    import textwrap

    width = fig.bbox.width
    changed = False
    for ax in fig.axes:
        title = ax.title
        text = title.get_text()
        if not text:
            continue
        box = title.get_window_extent(renderer)
        if box.x0 >= 0 and box.x1 <= width:
            continue
        centre = (box.x0 + box.x1) / 2
        room = 1.9 * min(centre, width - centre)  # centred over the axes: twice the nearer edge distance
        longest = max(len(line) for line in text.split("\n"))
        chars = max(20, int(longest * room / max(box.width, 1.0)))
        title.set_text("\n".join(textwrap.wrap(" ".join(text.split()), chars)))
        changed = True
    return changed


def close(fig) -> None:
    """Release a figure's memory (figures made here are not tracked by pyplot, so this is cheap)."""
    fig = getattr(fig, "figure", fig)
    fig.clear()


# ----------------------------------------------------------------------------------- helpers
def use_log(name: str | None, values, log: bool | None) -> bool:
    """Log scale: as asked, else for quantities that span decades (by their unit) and do here.

    A name whose unit usually spans decades (``units.spans_decades``) gets a log axis when its
    positive values span more than two decades; any positive quantity spanning more than four
    decades gets one too (a linear axis would show only its top). A log axis asked for
    (``log=True``) with values <= 0 among those drawn is refused (ValueError): matplotlib would drop
    them from the figure without a word.
    """
    if log is not None and not log:
        return False
    v = np.concatenate([np.asarray(a, dtype=float).ravel() for a in values]) if isinstance(values, (list, tuple)) \
        else np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    if log:
        bad = int(np.count_nonzero(v <= 0))
        if bad:
            raise ValueError(f"{name or 'the values'}: a log axis cannot show {bad} of the {v.size} values drawn, which "
                             f"are <= 0 (smallest {float(np.min(v)):.4g}); draw it without log (--log / log: true)")
        return True
    if v.size == 0 or np.min(v) <= 0:
        return False
    ratio = float(np.max(v) / np.min(v))
    decades = math.log10(ratio) if ratio > 0 else 0.0
    return (name is not None and spans_decades(name) and decades > 2) or decades > 4


def unit_for(name: str | None) -> str | None:
    """The unit of a variable name, or None when the name declares none."""
    from costsim.units import suffix_of, unit_of

    return unit_of(name) if name and suffix_of(name) else None


def axis_label(name: str) -> str:
    """An axis label from a variable name that keeps what the quantity is.

    ``units.label_of`` turns the unit suffix into the bracket ('training_cost_usd' -> 'training
    cost [USD]'); when that leaves a lone adjective ('effective_flop' -> 'effective [FLOP]'), the
    unit is also the noun (a count: FLOP, tokens, chips), so it stays in the words:
    'effective FLOP [FLOP]'. 'cost_usd' stays 'cost [USD]'.
    """
    from costsim.units import label_of, suffix_of

    label = label_of(name)
    suffix = suffix_of(name) or ""
    if suffix in _COUNT_NOUNS and label.endswith("]"):
        stem, unit = label[:-1].rsplit(" [", 1)
        if " " not in stem.strip():
            return f"{stem} {_COUNT_NOUNS[suffix]} [{unit}]"
    return label


# units that are also the noun of the quantity: 'effective_flop' is effective FLOP, not 'effective'
_COUNT_NOUNS = {"_flop": "FLOP", "_tokens": "tokens", "_chips": "chips", "_params": "parameters",
                "_h100e": "H100-equivalents", "_gpu_hours": "GPU-hours"}


def si_formatter(unit: str):
    """A tick formatter writing values with their unit and prefix (``fmt_value``), or None for other units."""
    from matplotlib.ticker import FuncFormatter

    if unit != "USD" and unit not in SI_UNITS:
        return None
    return FuncFormatter(lambda v, _pos=None: "0" if v == 0 else fmt_value(v, unit))


def fmt_se(x: float) -> str:
    """A Monte Carlo error: two significant digits."""
    x = float(x)
    if not math.isfinite(x):
        return "n/a"
    return short_exp(f"{x:.2g}")


def year_ticks(ax) -> None:
    """Whole calendar years on the x axis, never '2,025.5'."""
    from matplotlib.ticker import MaxNLocator, ScalarFormatter

    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8, steps=[1, 2, 5, 10]))
    fmt = ScalarFormatter(useOffset=False)
    fmt.set_scientific(False)
    ax.xaxis.set_major_formatter(fmt)


def scenario_title(results, text: str) -> str:
    """'scenario: text' when the Results knows its scenario."""
    name = (getattr(results, "meta", None) or {}).get("scenario")
    return f"{name}: {text}" if name else text


def set_title(ax, text: str, **kw) -> None:
    """Set a title, wrapped to the axes' width so a long one is never cut off at the figure edge."""
    import textwrap

    width_in = ax.get_position().width * ax.figure.get_figwidth()
    chars = max(30, int(width_in * 72 / 5.7))  # bold 10 pt DejaVu Sans averages ~5.7 pt a character
    ax.set_title("\n".join(textwrap.wrap(text, chars)) if len(text) > chars else text, **kw)


def legend_above(ax, handles=None, labels=None, ncol: int | None = None) -> None:
    """A legend in rows between the title and the plot: it can never hide data.

    ``loc="best"`` has no free spot on a fan chart whose bands fill the width; above the axes
    the legend costs a line or two of height instead.
    """
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    longest = max(len(str(lab)) for lab in labels)
    width_in = ax.get_position().width * ax.figure.get_figwidth()
    fit = max(1, int(width_in * 72 // (longest * 4.6 + 36)))  # 8 pt text ~4.6 pt a character, + handle
    ncol = ncol or min(len(handles), fit, 4)
    rows = -(-len(handles) // ncol)
    ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=ncol, borderaxespad=0.3,
              columnspacing=1.2, handlelength=2.4)
    title = ax.title
    ax.set_title(title.get_text(), pad=10 + 14.5 * rows, loc="center")


def compact(x: float, _pos=None) -> str:
    """Tick text without matplotlib's detached '1e7' offset: 1.5e7, 250, 0.03."""
    if x == 0:
        return "0"
    ax = abs(x)
    if 1e-3 <= ax < 1e5:
        return f"{x:.4g}"
    return short_exp(f"{x:.3g}")


_SUPERSCRIPT = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def power_of_ten(x: float, _pos=None) -> str:
    """'10²⁶' in plain Unicode (mathtext would look the same and cost a parser run per label)."""
    if x <= 0:
        return ""
    exp = math.log10(x)
    if abs(exp - round(exp)) > 1e-9:
        return compact(x)
    return "10" + str(int(round(exp))).translate(_SUPERSCRIPT)


def plain_ticks(axis, unit: str | None = None) -> None:
    """Tick labels a reader takes in at a glance, and cheap to draw.

    Linear axes: every tick written out (no '1e7' offset text in a corner); watts, FLOP and
    dollars with their SI prefix ('2.5 GW', '$300M'). Log axes: major ticks at powers of ten, at
    most about eight of them, written as 10²⁶ (FLOP, and units without prefixes) or with the
    prefix ('1 GW', '$10M'); no minor tick labels.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter, NullLocator

    si = si_formatter(unit) if unit else None
    if axis.get_scale() == "linear":
        axis.set_major_formatter(si or FuncFormatter(compact))
    elif axis.get_scale() == "log":
        axis.set_major_locator(LogLocator(base=10, numticks=9))
        # FLOP counts past 1e21 read better as 10²⁶ than as 100 YFLOP; watts and dollars keep prefixes
        axis.set_major_formatter(si if si is not None and unit in ("W", "USD") else FuncFormatter(power_of_ten))
        axis.set_minor_formatter(NullFormatter())
        lo, hi = axis.axes.get_ylim() if axis is axis.axes.yaxis else axis.axes.get_xlim()
        if lo > 0 and hi > 0 and abs(math.log10(hi / lo)) > 2:
            axis.set_minor_locator(NullLocator())  # dozens of unlabelled minor ticks only add clutter
