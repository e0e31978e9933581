"""PNG files written by costsim's own encoder (plots.style.png_bytes): the pixels matplotlib's PNG would hold."""

from __future__ import annotations

import io
import zlib

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from costsim.plots.style import house_style, png_bytes, save_figure


def _figure(seed: int = 0):
    rng = np.random.default_rng(seed)
    with house_style():
        fig = Figure(figsize=(4.0, 2.6), layout="constrained")
        ax = fig.add_subplot()
        x = np.arange(2025, 2036)
        ax.fill_between(x, x - 3, x + 3 * rng.random(x.size), alpha=0.3)
        ax.plot(x, x + rng.normal(size=x.size), label="median $5.6M")
        ax.set_title("a title with text, to render glyphs")
        ax.legend()
    return fig


def _decoded(data: bytes):
    img = Image.open(io.BytesIO(data))
    img.load()
    return img.mode, img.size, img.info.get("dpi"), np.asarray(img)


def test_saved_png_has_the_pixels_and_dpi_of_matplotlibs_png(tmp_path):
    mine = save_figure(_figure(), tmp_path / "mine.png")[0].read_bytes()
    ref = _figure()
    buf = io.BytesIO()
    with house_style():
        ref.savefig(buf, format="png")  # laid out by savefig itself: the same layout engine, same dpi
    a, b = _decoded(mine), _decoded(buf.getvalue())
    assert a[0] == b[0] == "RGBA"
    assert a[1] == b[1]
    assert a[2] == pytest.approx(b[2])
    assert np.array_equal(a[3], b[3])


def test_saved_png_is_the_same_bytes_every_time(tmp_path):
    one = save_figure(_figure(3), tmp_path / "1.png")[0].read_bytes()
    two = save_figure(_figure(3), tmp_path / "2.png")[0].read_bytes()
    assert one == two
    assert one != save_figure(_figure(4), tmp_path / "3.png")[0].read_bytes()


def test_png_bytes_round_trips_any_rgba_pixels():
    rng = np.random.default_rng(1)
    for shape in ((1, 1, 4), (7, 3, 4), (40, 65, 4)):
        pixels = rng.integers(0, 256, size=shape, dtype=np.uint8)
        mode, size, dpi, back = _decoded(png_bytes(pixels, 150.0))
        assert (mode, size) == ("RGBA", (shape[1], shape[0]))
        assert np.array_equal(back, pixels)
        pil = io.BytesIO()
        Image.fromarray(pixels, "RGBA").save(pil, format="png", dpi=(150.0, 150.0))
        assert dpi == _decoded(pil.getvalue())[2]  # pHYs rounded as Pillow rounds it


def test_png_bytes_chunks_are_well_formed():
    data = png_bytes(np.zeros((5, 6, 4), dtype=np.uint8), 100.0)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    i, kinds = 8, []
    while i < len(data):
        n = int.from_bytes(data[i:i + 4], "big")
        kind, body, crc = data[i + 4:i + 8], data[i + 8:i + 8 + n], data[i + 8 + n:i + 12 + n]
        assert int.from_bytes(crc, "big") == zlib.crc32(kind + body)
        kinds.append(kind)
        i += 12 + n
    assert kinds == [b"IHDR", b"pHYs", b"IDAT", b"IEND"]


def test_png_bytes_refuses_pixels_that_are_not_rgba():
    with pytest.raises(ValueError, match="RGBA"):
        png_bytes(np.zeros((4, 4, 3), dtype=np.uint8), 150.0)


def _texts_figure():
    """The same strings at other sizes, weights, alignments, rotations and line spacings: a layout
    memo keyed on too little would reuse a wrong box, and the pixels would differ."""
    with house_style():
        fig = Figure(figsize=(5.0, 3.4), layout="constrained")
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1])
        base = {"fontsize": 7, "fontweight": "normal", "ha": "left", "va": "top", "rotation": 0,
                "rotation_mode": "default", "linespacing": 1.2}
        variants = [{}, {"fontsize": 11}, {"fontweight": "bold"}, {"ha": "right"}, {"va": "bottom"},
                    {"rotation": 30}, {"rotation": 30, "rotation_mode": "anchor"}, {"linespacing": 2.0},
                    {"fontfamily": "DejaVu Serif"}, {"fontstyle": "italic"}]
        for i, change in enumerate(variants):  # each differs from the first in one property
            ax.text(0.05 + 0.09 * i, 0.95 - 0.08 * i, "same text\nline two", **{**base, **change})
        ax.text(0.5, 0.1, "same text\nline two", bbox={"boxstyle": "round", "facecolor": "0.9"}, **base)
        ax.set_xticks([0, 0.5, 1], ["zero", "half", "one"], rotation=45, ha="right")
        ax.set_title("same text\nline two")
        ax.set_ylabel("same text")
    return fig


def test_texts_differing_in_one_property_keep_every_pixel(tmp_path):
    mine = save_figure(_texts_figure(), tmp_path / "t.png")[0].read_bytes()
    ref = _texts_figure()
    buf = io.BytesIO()
    with house_style():
        ref.savefig(buf, format="png")
    assert np.array_equal(_decoded(mine)[3], _decoded(buf.getvalue())[3])


def test_every_format_from_one_layout_is_what_matplotlib_draws_from_that_layout(tmp_path):
    """PNG, SVG and PDF of one save (three renderers measuring text their own way) against the same
    layout saved by matplotlib alone: no format may reuse another's text layout."""
    from costsim.plots.style import layout_once

    paths = save_figure(_texts_figure(), tmp_path / "m.png", tmp_path / "m.svg", tmp_path / "m.pdf")
    ref = _texts_figure()
    with house_style():
        layout_once(ref)
        ref.savefig(tmp_path / "r.png", format="png", metadata={"Software": None})
        ref.savefig(tmp_path / "r.svg", format="svg", metadata={"Date": None, "Creator": None})
        ref.savefig(tmp_path / "r.pdf", format="pdf",
                    metadata={"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None})
    assert np.array_equal(_decoded(paths[0].read_bytes())[3], _decoded((tmp_path / "r.png").read_bytes())[3])
    assert paths[1].read_bytes() == (tmp_path / "r.svg").read_bytes()
    assert paths[2].read_bytes() == (tmp_path / "r.pdf").read_bytes()
