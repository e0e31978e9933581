"""The notebook side of the Python API: to_pandas, to_xarray, repr, _repr_html_, progress bars."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest

from costsim.cli import main
from costsim.engine import run
from costsim.progress import Progress, as_progress
from costsim.scenario import scenario_from_text

ROOT = Path(__file__).resolve().parents[1]
R1 = ROOT / "scenarios" / "reference_r1.yaml"
RACE = ROOT / "scenarios" / "export_controls_base.yaml"

pd = pytest.importorskip("pandas")
xr = pytest.importorskip("xarray")


@pytest.fixture(scope="module")
def r1():
    return run(R1, n=2000, seed=3)


@pytest.fixture(scope="module")
def race():
    return run(RACE, n=500, seed=3)


# ----------------------------------------------------------------------------- to_pandas
def test_to_pandas_is_summary_csv_at_full_precision(race):
    frame = race.to_pandas()
    assert list(frame.columns) == ["scenario", "output", "unit", "bloc", "year", "statistic", "value", "mc_se"]
    csv = pd.read_csv(io.StringIO(race.summary_csv()), keep_default_na=False)
    assert len(frame) == len(csv)
    np.testing.assert_allclose(frame["value"].to_numpy(), csv["value"].astype(float).to_numpy(), rtol=1e-9)
    assert list(frame["statistic"]) == list(csv["statistic"])
    assert list(frame["bloc"]) == list(csv["bloc"])


def test_to_pandas_year_is_nullable_integer(race):
    frame = race.to_pandas()
    assert str(frame["year"].dtype) == "Int64"
    yearless = frame[frame["output"] == "lead_at_crossing_years"]
    assert len(yearless) and yearless["year"].isna().all()
    assert set(frame.loc[frame["output"] == "stock_h100e", "year"]) == set(range(2025, 2041))


def test_to_pandas_median_is_the_samples_median(r1):
    frame = r1.to_pandas()
    row = frame.query("output == 'effective_flop' and year == 2030 and statistic == 'p50'")
    assert len(row) == 1
    assert row["value"].iloc[0] == pytest.approx(np.median(r1.at_year("effective_flop", 2030)), rel=1e-12)
    assert row["unit"].iloc[0] == "FLOP" and row["scenario"].iloc[0] == "reference_r1"


def test_missing_pandas_says_how_to_install(r1, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(ImportError, match=r"costsim\[frames\]"):
        r1.to_pandas()


def test_missing_xarray_says_how_to_install(r1, monkeypatch):
    monkeypatch.setitem(sys.modules, "xarray", None)
    with pytest.raises(ImportError, match=r"Results.to_xarray\(\) needs xarray"):
        r1.to_xarray()


# ----------------------------------------------------------------------------- to_xarray
def test_to_xarray_dims_coords_units(race):
    ds = race.to_xarray()
    assert ds["stock_h100e"].dims == ("sample", "year", "bloc")
    assert ds["follower_lag_years"].dims == ("sample", "year")
    assert ds["lead_at_crossing_years"].dims == ("sample",)
    assert list(ds["bloc"].values) == list(race.blocs)
    assert list(ds["year"].values) == list(range(2025, 2041))
    assert ds["stock_h100e"].attrs == {"units": "H100-equivalents", "kind": "output"}
    assert ds["leak_frac"].attrs["kind"] == "parameter" and ds["leak_frac"].dims == ("sample",)
    assert ds.attrs["scenario"] == "export_controls_base" and ds.attrs["n"] == 500


def test_to_xarray_selects_the_same_samples(race):
    ds = race.to_xarray()
    np.testing.assert_array_equal(ds["stock_h100e"].sel(year=2030, bloc="China").values,
                                  race.at_year("stock_h100e", 2030, "China"))
    assert np.shares_memory(ds["stock_h100e"].values, race.outputs["stock_h100e"])  # no copy


def test_to_xarray_without_blocs_has_no_bloc_dim(r1):
    ds = r1.to_xarray()
    assert set(ds.dims) == {"sample", "year"}
    assert ds["effective_flop"].attrs["units"] == "FLOP"


# ----------------------------------------------------------------------------- repr / html
def test_repr_is_a_few_lines_without_arrays(race):
    text = repr(race)
    lines = text.splitlines()
    assert lines[0] == "<costsim Results export_controls_base: n=500 seed=3 design=mc, years 2025-2040>"
    assert len(lines) <= 12 and "array(" not in text
    first = next(iter(race.outputs))  # outputs are listed one a line: name, unit, axes
    axes = ", ".join(("sample", *race.axes_of(first)))
    assert any(line.startswith(f"  {first} [") and line.endswith(f"({axes})") for line in lines)
    assert any(line.endswith("(sample, year, bloc)") for line in lines)
    assert "more outputs" in text and "checks: " in lines[-1]


def test_html_summary_spans_outputs_without_a_year(race):
    page = race._repr_html_()
    assert "<code>lead_at_crossing_years</code>" in page and 'colspan="3"' in page
    assert "<code>stock_h100e {China}</code>" in page


def test_html_summary_escapes_and_shows_checks():
    text = (R1.read_text().replace('R1 closed form: median', 'median <b>bold</b> & R1'))
    res = run(scenario_from_text(text, source="r1.yaml"), n=500)
    page = res._repr_html_()
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; R1" in page and "<b>bold</b>" not in page
    assert page.count("<tr>") == 1 + 1 + 1 + 2  # header, effective_flop, checks header, 2 checks
    assert "<th>2025</th><th>2030</th><th>2035</th>" in page


# ----------------------------------------------------------------------------- progress
def test_progress_draws_a_bar_when_forced():
    buf = io.StringIO()
    bar = Progress("r1", after_s=0.0, stream=buf, force=True)
    run(R1, n=5000, chunk_size=1000, progress=bar)
    out = buf.getvalue()
    assert "r1" in out and "100%" in out and "5.00k/5.00k" in out


def test_progress_is_silent_when_quiet_or_not_a_terminal():
    buf = io.StringIO()
    run(R1, n=5000, chunk_size=1000, progress=Progress("r1", after_s=0.0, stream=buf, force=True, quiet=True))
    run(R1, n=5000, chunk_size=1000, progress=Progress("r1", after_s=0.0, stream=buf))  # StringIO: no tty
    assert buf.getvalue() == ""


def test_as_progress_normalizes_what_callers_pass():
    assert as_progress(None, "x") is None and as_progress(False, "x") is None
    assert isinstance(as_progress(True, "x"), Progress)

    def mine(done, total):
        return None

    assert as_progress(mine, "x") is mine
    with pytest.raises(TypeError, match="progress must be"):
        as_progress(3, "x")


def test_run_quiet_short_option(capsys):
    assert main(["run", str(R1), "-n", "500", "-q"]) in (0, 1)
    out = capsys.readouterr().out
    assert out.lstrip().startswith("checks:") and "median" not in out.split("checks:")[0]


def test_notebook_tour_runs_as_a_plain_script():
    import subprocess

    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "notebook_tour.py")], cwd=ROOT.parent,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "<costsim Results reference_r1: n=20,000" in proc.stdout
    assert "<xarray.Dataset>" in proc.stdout and "P(effective FLOP in 2030 > 1e29) = 0.9" in proc.stdout


def test_run_accepts_progress_true_and_false():
    quiet = run(R1, n=3000, chunk_size=1000, progress=False)
    shown = run(R1, n=3000, chunk_size=1000, progress=True)  # not a terminal here: nothing drawn, same numbers
    np.testing.assert_array_equal(quiet.outputs["effective_flop"], shown.outputs["effective_flop"])
