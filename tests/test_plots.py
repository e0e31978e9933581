"""Tests of costsim.plots: each figure on small Results, the plots: entries, deterministic files."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from costsim import plots
from costsim.errors import ScenarioError
from costsim.plots.style import compact, fmt_number, fmt_se, power_of_ten
from costsim.results import CheckResult, Results

N = 300
YEARS = np.arange(2025.0, 2031.0)


@pytest.fixture
def res() -> Results:
    """Small Results with one output of every shape: over years, per bloc, per sample."""
    rng = np.random.default_rng(5)
    growth = rng.lognormal(1.0, 0.3, (N, 1))
    base = rng.lognormal(np.log(1e8), 0.5, (N, 1))
    cost = base * growth ** (YEARS - 2025)  # spans several decades: log axis
    share = np.clip(rng.uniform(0.2, 0.6, (N, 1)) + 0.01 * (YEARS - 2025), 0, 1)  # a fraction: linear axis
    leader = 1e26 * growth ** (YEARS - 2025)
    flop = np.stack([leader, leader / rng.lognormal(2.0, 0.3, (N, 1))], axis=-1)
    crossing = np.stack([2026 + rng.gamma(2, 1, N), 2028 + rng.gamma(2, 1, N)], axis=-1)
    checks = (CheckResult("Cost stays under $1B (a '$' must not start math text)", "median(cost_usd 2030) <= 1e+09",
                          5e8, 1e7, True, True, None),
              CheckResult("Share is above one half", "median(share_frac 2025) >= 0.5", 0.4, 0.01, False, True, None))
    return Results(YEARS, {"growth_x_per_year": growth[:, 0], "base_usd": base[:, 0]},
                   {"cost_usd": cost, "share_frac": share, "largest_run_flop": flop,
                    "capability_crossing_year": crossing, "lead_years": crossing[:, 1] - crossing[:, 0]},
                   {"cost_usd": ("year",), "share_frac": ("year",), "largest_run_flop": ("year", "bloc"),
                    "capability_crossing_year": ("bloc",), "lead_years": ()},
                   ("US", "China"), {"scenario": "tiny"}, checks)


def _bars(ax) -> list:
    from matplotlib.container import BarContainer

    return [c for c in ax.containers if isinstance(c, BarContainer)]


def _legend_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


# ------------------------------------------------------------------------------ fan charts
def test_fan_has_median_three_bands_units_and_log_scale(res):
    ax = plots.fan(res, "cost_usd")
    assert ax.get_ylabel() == "cost [USD]"
    assert ax.get_xlabel() == "year"
    assert ax.get_yscale() == "log"
    assert len(ax.lines) == 1
    assert len(ax.collections) == 3
    assert _legend_texts(ax) == ["median", "50% interval", "80% interval", "90% interval"]
    assert ax.get_title() == "tiny: cost_usd"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), np.median(res.outputs["cost_usd"], axis=0))


def test_fan_of_a_fraction_is_linear_and_log_can_be_forced(res):
    assert plots.fan(res, "share_frac").get_yscale() == "linear"
    assert plots.fan(res, "share_frac", log=True).get_yscale() == "log"
    assert plots.fan(res, "cost_usd", log=False).get_yscale() == "linear"


def test_fan_of_a_per_bloc_output_needs_a_bloc(res):
    with pytest.raises(ValueError, match=r"^'largest_run_flop' has one series per bloc \(US, China\); pass bloc="):
        plots.fan(res, "largest_run_flop")
    ax = plots.fan(res, "largest_run_flop", bloc="China")
    assert ax.get_title() == "tiny: largest_run_flop [China]"


def test_fan_refuses_a_per_sample_output(res):
    with pytest.raises(ValueError, match=r"^'lead_years' has no year axis"):
        plots.fan(res, "lead_years")


def test_fan_draws_on_a_given_axes(res):
    ax = plots.new_axes()
    assert plots.fan(res, "cost_usd", ax=ax) is ax


def test_fan_compare_overlays_one_median_and_band_per_scenario(res):
    ax = plots.fan_compare([res, res], "cost_usd", labels=["a", "b"])
    assert len(ax.lines) == 2
    assert len(ax.collections) == 2
    assert _legend_texts(ax) == ["a", "b"]
    assert ax.get_yscale() == "log"
    with pytest.raises(ValueError, match=r"^labels: expected 2 labels \(one per Results\), got 1$"):
        plots.fan_compare([res, res], "cost_usd", labels=["a"])


def test_distribution_marks_median_and_interval(res):
    ax = plots.distribution(res, "cost_usd", year=2030)
    assert ax.get_xlabel() == "cost [USD]"
    assert ax.get_xscale() == "log"
    assert len(ax.lines) == 3  # median and the two ends of the 90% interval
    assert ax.get_title() == "tiny: cost_usd (2030)"


def test_distribution_of_a_constant_draws_one_line(res):
    const = Results(YEARS, {}, {"x_usd": np.full((10, len(YEARS)), 5.0)}, {"x_usd": ("year",)})
    ax = plots.distribution(const, "x_usd")
    assert len(ax.lines) == 1
    assert _legend_texts(ax) == ["$5 in every sample"]  # dollars are written as dollars


# ------------------------------------------------------------------------------ race and CDFs
def test_race_draws_each_bloc(res):
    ax = plots.race(res, "largest_run_flop")
    assert len(ax.lines) == 2
    assert len(ax.collections) == 2
    assert _legend_texts(ax) == ["US: median", "US: 80% interval", "China: median", "China: 80% interval"]
    assert ax.get_ylabel() == "largest run [FLOP]"
    assert ax.get_yscale() == "log"


def test_race_needs_a_year_and_bloc_output(res):
    with pytest.raises(ValueError, match=r"^'cost_usd' has axes \('year',\); a race chart needs"):
        plots.race(res, "cost_usd")


def test_crossing_cdf_has_one_curve_per_bloc(res):
    ax = plots.crossing_cdf(res)
    steps = [ln for ln in ax.lines if ln.get_linestyle() == "-"]
    assert len(steps) == 2
    assert ax.get_ylabel() == "P(crossed by year x)"
    assert ax.get_xlabel() == "capability crossing [calendar year]"
    assert _legend_texts(ax)[0].startswith("US: median 20")
    assert ax.get_ylim() == (0.0, 1.02)


def test_cdf_of_a_scalar_and_of_a_threshold_crossing(res):
    assert len(plots.cdf(res, "lead_years").lines) == 1
    ax = plots.cdf(res, "cost_usd", threshold=1e9)
    assert ax.get_xlabel() == "year cost_usd first reaches $1B [calendar year]"
    with pytest.raises(ValueError, match=r"^'cost_usd' is an output over the years; pass threshold="):
        plots.cdf(res, "cost_usd")


# ------------------------------------------------------------------------------ tornado and Sobol
@pytest.mark.parametrize("form", ["mapping", "columns", "object", "rows"])
def test_tornado_accepts_every_documented_form(form):
    names, low, high = ["a_x", "b_frac", "c_usd"], [1.0, 4.0, 2.5], [9.0, 6.0, 3.0]
    data = {"mapping": dict(zip(names, zip(low, high, strict=True), strict=True)),
            "columns": {"names": names, "low": low, "high": high, "base": 5.0},
            "object": SimpleNamespace(names=names, low=low, high=high, base=5.0),
            "rows": list(zip(names, low, high, strict=True))}[form]
    ax = plots.tornado(data, output="training_cost_usd", log=False)
    assert len(ax.containers) == 2
    assert [t.get_text() for t in ax.get_yticklabels()] == ["c_usd", "b_frac", "a_x"]  # widest on top
    assert ax.get_xlabel().startswith("training cost [USD]")


def test_tornado_from_samples_finds_the_driver(res):
    data = plots.tornado_from_samples(res, "cost_usd", year=2030)
    assert data["names"] == ["growth_x_per_year", "base_usd"]
    assert data["low"][0] < data["base"] < data["high"][0]
    ax = plots.tornado(data, output="cost_usd", transform=None)
    assert ax.get_xscale() == "log"
    assert plots.tornado(data, output="cost_usd", transform="log10").get_xlabel().startswith("log10 of cost [USD]")


def test_sobol_bars_with_half_widths_and_with_intervals():
    salib = {"names": ["x1", "x2", "x3"], "S1": [0.31, 0.44, 0.0], "ST": [0.56, 0.44, 0.24],
             "S1_conf": [0.05, 0.04, 0.02], "ST_conf": [0.06, 0.05, 0.03]}
    ax = plots.sobol_bars(salib, output="effective_flop")
    assert len(_bars(ax)) == 2
    assert len(ax.containers) == 4
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x3", "x2", "x1"]
    assert _legend_texts(ax) == ["total effect ST (95% CI)", "first order S1 (95% CI)"]
    pairs = SimpleNamespace(names=["x1", "x2"], s1=[0.3, 0.4], st=[0.5, 0.4],
                            s1_conf=[[0.2, 0.4], [0.3, 0.5]], st_conf=[[0.4, 0.6], [0.3, 0.5]])
    assert len(_bars(plots.sobol_bars(pairs))) == 2


def test_sobol_bars_names_a_missing_field():
    with pytest.raises(ValueError, match=r"^sobol_bars: no 'st' in the data; expected one of the keys or attributes "
                                         r"ST, st, total$"):
        plots.sobol_bars({"names": ["a"], "S1": [0.1]})


# ------------------------------------------------------------------------------ sweeps
def test_sweep_heatmap_has_one_image_colorbar_and_labels():
    x, y = np.array([1.5, 2, 4, 8]), np.array([0.1, 0.5, 0.9])
    z = 1e27 * np.outer(1 + y, x**3)
    ax = plots.sweep_heatmap(x, y, z, x_name="cost_decline_x_per_year", y_name="leak_frac", output="effective_flop")
    assert len(ax.images) == 1
    assert ax.get_xlabel() == "cost decline [x per year]"
    assert ax.get_ylabel() == "leak [fraction]"
    assert len(ax.figure.axes) == 2  # the colour bar
    assert ax.figure.axes[1].get_ylabel() == "median of effective [FLOP]"
    assert len(ax.texts) == 12


def test_sweep_heatmap_checks_the_grid_shape():
    with pytest.raises(ValueError, match=r"^sweep_heatmap: z must have shape \(len\(y\), len\(x\)\) = \(2, 3\); "
                                         r"got \(3, 2\)$"):
        plots.sweep_heatmap([1, 2, 3], [1, 2], np.ones((3, 2)), x_name="a_x", y_name="b_x")


def test_sweep_lines_one_and_several_series():
    x = np.array([1.0, 2.0, 4.0])
    ax = plots.sweep_lines(x, {"median": x, "low": x / 2, "high": x * 2}, x_name="a_x", output="cost_usd")
    assert len(ax.lines) == 1
    assert len(ax.collections) == 1
    ax = plots.sweep_lines(x, {"US": {"median": x}, "China": {"median": x / 3, "p05": x / 4, "p95": x / 2}},
                           x_name="a_x", output="cost_usd")
    assert len(ax.lines) == 2
    assert len(ax.collections) == 1
    assert ax.get_ylabel() == "cost [USD]"


# ------------------------------------------------------------------------------ checks table
def test_checks_table_shows_each_verdict_and_keeps_dollar_signs(res):
    ax = plots.checks_table(res)
    verdicts = [t.get_text() for t in ax.texts if t.get_gid() == "verdict"]
    assert verdicts == ["PASS", "FAIL"]
    claim = next(t for t in ax.texts if "$1B" in t.get_text())
    assert not claim.get_parse_math()
    assert ax.get_title(loc="left") == "tiny: checks: 1 of 2 passed"


# ------------------------------------------------------------------------------ plots: entries
def _parse(raw, res, lines=None):
    outputs = {n: res.axes_of(n) for n in res.outputs}
    return plots.parse_plots(raw, outputs, res.years, res.blocs, source="s.yaml", lines=lines)


def test_parse_plots_reads_valid_entries(res):
    specs = _parse([{"kind": "fan", "output": "cost_usd", "log": True}, {"kind": "race", "output": "largest_run_flop"},
                    {"kind": "cdf", "output": "capability_crossing_year"}, "checks",
                    {"kind": "hist", "output": "largest_run_flop", "bloc": "US", "year": 2027}], res)
    assert [s.kind for s in specs] == ["fan", "race", "cdf", "checks", "hist"]
    assert specs[0].log is True
    assert specs[4].stem == "hist_largest_run_flop_US_2027"


def test_parse_plots_collects_every_problem_with_lines(res):
    raw = [{"kind": "fann", "output": "cost_usd"}, {"kind": "fan", "output": "cost_us"},
           {"kind": "race", "output": "cost_usd"}, {"kind": "fan", "output": "lead_years"},
           {"kind": "hist", "output": "cost_usd", "year": 2040, "colour": "red"}]
    lines = {f"plots[{i}]": 10 + i for i in range(5)} | {"plots[4].colour": 20}
    with pytest.raises(ScenarioError) as err:
        _parse(raw, res, lines)
    assert str(err.value) == "\n".join([
        "6 problems in s.yaml:",
        ("s.yaml:10: plots[0].kind: unknown figure kind; expected one of fan, hist, race, cdf, tornado, checks, "
        "got 'fann' (str). Did you mean 'fan'?"),
        ("s.yaml:11: plots[1].output: unknown output; expected one of the scenario's outputs (outputs:), "
        "got 'cost_us' (str). Did you mean 'cost_usd'?"),
        ("s.yaml:12: plots[2].output: a race chart needs an output with axes (year, bloc); this one is axes (year); "
        "expected axes (year, bloc), got 'cost_usd' (str)"),
        ("s.yaml:13: plots[3].output: a fan chart needs an output over the years; this one is a per-sample value; "
        "expected an output with a year axis, got 'lead_years' (str)"),
        "s.yaml:14: plots[4].year: must be a year of the scenario; expected a whole year in 2025..2030, got 2040",
        ("s.yaml:20: plots[4].colour: unknown key; expected one of kind, output, log, year, bloc, threshold, title, "
        "file, got 'colour' (str)"),
    ])


def test_parse_plots_refuses_a_non_list_and_duplicates(res):
    with pytest.raises(ScenarioError, match=r"^s.yaml: plots: must be a list of figure entries"):
        _parse({"kind": "fan"}, res)
    with pytest.raises(ScenarioError, match=r"plots\[1\]: draws the same file as an earlier entry"):
        _parse([{"kind": "fan", "output": "cost_usd"}, {"kind": "fan", "output": "cost_usd", "log": True}], res)


def test_default_specs_follow_the_shapes_of_the_outputs(res):
    kinds = [(s.kind, s.output) for s in plots.default_specs(res)]
    assert kinds == [("fan", "cost_usd"), ("fan", "share_frac"), ("race", "largest_run_flop"),
                     ("cdf", "capability_crossing_year"), ("cdf", "lead_years"), ("tornado", "cost_usd"),
                     ("checks", None)]
    last = [(s.kind, s.output) for s in plots.default_specs(res, prefer="last")]
    assert last[-2] == ("tornado", "lead_years")  # the most downstream output


def test_every_default_spec_draws(res):
    for spec in plots.default_specs(res):
        assert plots.draw(spec, res).figure is not None


# ------------------------------------------------------------------------------ files
def _write_all(res, folder):
    ax = plots.fan(res, "cost_usd")
    return plots.save_figure(ax, folder / "f.svg", folder / "f.pdf", folder / "f.png")


def test_saved_files_are_byte_identical(res, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = _write_all(res, tmp_path / "a")
    second = _write_all(res, tmp_path / "b")
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes(), one.name
    svg = first[0].read_text(encoding="utf-8")
    assert "<dc:date>" not in svg
    assert "Matplotlib" not in svg
    assert b"CreationDate" not in first[1].read_bytes()


def test_save_figure_refuses_an_unknown_format(res, tmp_path):
    with pytest.raises(ValueError, match=r"f\.jpg: unknown figure format '\.jpg'; expected one of "
                                         r"\.png, \.svg, \.pdf$"):
        plots.save_figure(plots.fan(res, "cost_usd"), tmp_path / "f.jpg")


def test_number_and_tick_formats():
    assert fmt_number(1.67e29) == "1.67e29"
    assert fmt_number(34020.4) == "34,020"
    assert fmt_number(0.5967) == "0.5967"
    assert fmt_number(float("nan")) == "n/a"
    assert fmt_se(9.8e-5) == "9.8e-5"
    assert compact(2.5e7) == "2.5e7"
    assert compact(250) == "250"
    assert power_of_ten(1e26) == "10²⁶"
    assert power_of_ten(1e-3) == "10⁻³"


def test_importing_and_drawing_never_loads_pyplot():
    code = ("import sys, numpy as np; from costsim import plots; from costsim.results import Results;"
            "r = Results(np.arange(2025., 2028.), {}, {'x_usd': np.ones((5, 3))}, {'x_usd': ('year',)});"
            "plots.fan(r, 'x_usd'); print('matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_calibration_figures_are_re_exported():
    from costsim.plots import calibration

    assert plots.plot_fit is calibration.plot_fit
    assert plots.plot_projection_over_history is calibration.plot_projection_over_history
