"""Figures that told the reader something untrue (issue 15.7-15.9) and the report's figure pipeline."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SCENARIOS, TINY_SCENARIO

from costsim import plots, report
from costsim.plots.style import fmt_value, save_figure
from costsim.results import Results

YEARS = np.arange(2025.0, 2036.0)


def _bar_names(ax) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


# ------------------------------------------------------------------------------ 15.7 tornado
def test_report_tornado_of_deepseek_capex_draws_no_bar_for_parameters_without_effect():
    section = report.run_section(SCENARIOS / "deepseek_v3.yaml", samples=2000)
    plan = next(p for p in report.section_plans(section)
                if p.spec.kind == "tornado" and p.spec.output == "cluster_capex_usd")
    ax = plan.make()
    names = _bar_names(ax)
    assert "capex_usd_per_chip" in names
    for idle in ("pue_ratio", "electricity_usd_per_kwh", "mfu_frac", "server_overhead_ratio"):
        assert idle not in names
        assert idle in ax.get_xlabel()  # named as having no effect
    assert "one at a time" in ax.get_xlabel()  # the figure says which method it is


def test_report_tornado_is_the_same_swing_as_the_sensitivity_command():
    from costsim.scenario import load_scenario
    from costsim.sensitivity import tornado

    section = report.run_section(SCENARIOS / "deepseek_v3.yaml", samples=500)
    (key, data), = [(k, v) for k, v in section.tornados.items() if k[0] == "cluster_capex_usd"]
    year = key[1]
    ref = tornado(load_scenario(SCENARIOS / "deepseek_v3.yaml"), outputs=("cluster_capex_usd",), log10=False)
    at = ref.at("cluster_capex_usd", year if "year" in ref.outputs["cluster_capex_usd"].axes else None)
    np.testing.assert_array_equal(data["low"], at["low"])
    np.testing.assert_array_equal(data["high"], at["high"])


def test_tornado_from_samples_leaves_out_bars_within_their_mc_error():
    rng = np.random.default_rng(3)
    n = 4000
    driver, idle = rng.uniform(1, 2, n), rng.uniform(0, 1, n)
    y = (driver * 1e6 * rng.lognormal(0, 0.3, n))[:, None]
    res = Results(np.array([2025.0]), {"driver_usd": driver, "idle_frac": idle}, {"cost_usd": y},
                  {"cost_usd": ("year",)}, (), {"scenario": "s"})
    data = plots.tornado_from_samples(res, "cost_usd")
    ax = plots.tornado(data, output="cost_usd")
    assert _bar_names(ax) == ["driver_usd"]
    assert "within 2 MC errors of no effect: idle_frac" in ax.get_xlabel()


# ------------------------------------------------------------------------------ 15.8 falling crossings
@pytest.fixture
def falling() -> Results:
    rng = np.random.default_rng(1)
    n = 500
    start = 10 ** rng.uniform(6.3, 7.0, (n, 1))  # $2M-$10M in 2025
    decline = rng.uniform(1.5, 3.0, (n, 1))
    cost = start / decline ** (YEARS - 2025)
    return Results(YEARS, {"decline_x_per_year": decline[:, 0]}, {"run_cost_usd": cost}, {"run_cost_usd": ("year",)},
                   (), {"scenario": "falling"})


def test_cdf_of_a_falling_cost_draws_when_it_falls_below_with_fractional_years(falling):
    ax = plots.cdf(falling, "run_cost_usd", threshold=1e6)
    lo, hi = ax.get_xlim()
    assert 2024 <= lo < 2025.01 and 2035 <= hi <= 2036  # the simulated years, not 1920-2130
    xs = ax.lines[0].get_xdata()
    assert len(np.unique(xs)) > 20  # a spread of fractional crossing years, not one jump at the start year
    assert np.all((xs > 2025) & (xs < 2035))
    assert not np.allclose(xs, np.round(xs))
    assert "falls below $1M" in ax.get_xlabel()


def test_cdf_direction_can_be_forced_and_a_rising_quantity_reaches(falling):
    ax = plots.cdf(falling, "run_cost_usd", threshold=1e6, below=False)
    assert "reaches" in ax.get_xlabel()
    lo, hi = ax.get_xlim()
    assert lo > 2020 and hi < 2040


def test_cli_plot_cdf_threshold_below(tmp_path, capsys):
    from costsim.cli import main

    path = tmp_path / "t.yaml"
    path.write_text(TINY_SCENARIO, encoding="utf-8")
    out = tmp_path / "c.svg"
    assert main(["plot", str(path), "--kind", "cdf", "--output", "effective_flop", "--threshold", "1e30",
                 "--below", "-n", "64", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<?xml")


# ------------------------------------------------------------------------------ 15.9 labels
def test_single_value_output_gets_no_year_in_its_title():
    flat = np.repeat(np.linspace(1, 3, 200)[:, None], len(YEARS), axis=1)
    res = Results(YEARS, {}, {"shortfall_2030_x": flat}, {"shortfall_2030_x": ("year",)}, (), {"scenario": "s"})
    title = plots.distribution(res, "shortfall_2030_x").get_title()
    assert "2025" not in title
    assert "2030" in title  # the name itself keeps its year


def test_overlay_axis_keeps_the_noun_of_a_count_unit():
    rng = np.random.default_rng(0)
    runs = [Results(YEARS, {}, {"effective_flop": 1e25 * rng.lognormal(0, 1, (50, 1)) * 3.0 ** (YEARS - 2025)},
                    {"effective_flop": ("year",)}, (), {"scenario": s}) for s in ("a", "b")]
    ax = plots.fan_compare(runs, "effective_flop")
    assert ax.get_ylabel() == "effective FLOP [FLOP]"
    assert plots.fan(runs[0], "effective_flop").get_ylabel() == "effective FLOP [FLOP]"


@pytest.mark.parametrize(("value", "unit", "text"), [
    (2.31e9, "W", "2.31 GW"), (3.5e18, "FLOP", "3.5 EFLOP"), (9.8e14, "FLOP/s", "980 TFLOP/s"),
    (5.58e6, "USD", "$5.58M"), (1.2e11, "USD", "$120B"), (-4e3, "USD", "-$4k"), (512.0, "USD", "$512"),
    (999.96e6, "W", "1 GW"), (250.0, "W", "250 W"), (0.4, "fraction in [0, 1]", "0.4"),
])
def test_watts_flop_and_dollars_get_si_prefixes(value, unit, text):
    assert fmt_value(value, unit) == text


def test_linear_watts_axis_ticks_carry_the_prefix():
    rng = np.random.default_rng(0)
    power = np.linspace(1.8e9, 2.6e9, 11)[None, :] * rng.uniform(0.95, 1.05, (100, 1))
    res = Results(YEARS, {}, {"cluster_power_w": power}, {"cluster_power_w": ("year",)}, (), {"scenario": "s"})
    ax = plots.fan(res, "cluster_power_w")
    ax.figure.canvas.draw() if hasattr(ax.figure.canvas, "draw") else None
    labels = [ax.yaxis.get_major_formatter()(v) for v in ax.get_yticks()]
    assert any(label.endswith(" GW") for label in labels)
    assert not any("e9" in label for label in labels)


def test_report_tables_use_si_prefixes(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(TINY_SCENARIO, encoding="utf-8")
    section = report.run_section(path, samples=64)
    html = report.section_html(section)
    assert "PFLOP" in html or "EFLOP" in html or "ZFLOP" in html or "YFLOP" in html


# ------------------------------------------------------------------------------ 14.11 escaping
def test_report_markdown_escapes_scenario_text(tmp_path):
    text = TINY_SCENARIO.replace("description: Three R1 models over four years.",
                                 "description: '<script>alert(1)</script> <img src=x onerror=alert(2)> `x` | y'")
    path = tmp_path / "evil.yaml"
    path.write_text(text, encoding="utf-8")
    summary = report.build_report([path], tmp_path / "r", samples=32, jobs=1)
    md = (summary.folder / "report.md").read_text(encoding="utf-8")
    page = (summary.folder / "index.html").read_text(encoding="utf-8")
    for out in (md, page):
        assert "<script" not in out
        assert "<img src=x" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md


# ------------------------------------------------------------------------------ the pipeline
def test_save_figure_lays_a_figure_out_once_for_every_format(tmp_path):
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    calls = []

    class Counting(ConstrainedLayoutEngine):
        def execute(self, fig):
            calls.append(1)
            return super().execute(fig)

    ax = plots.fan(_small(), "cost_usd")
    ax.figure.set_layout_engine(Counting())
    save_figure(ax, tmp_path / "a.png", tmp_path / "a.svg", tmp_path / "a.pdf")
    assert 1 <= len(calls) <= 2  # one layout (a second only when a title had to be re-wrapped)
    assert all((tmp_path / f"a.{x}").stat().st_size > 0 for x in ("png", "svg", "pdf"))


def _small() -> Results:
    rng = np.random.default_rng(2)
    cost = 1e8 * rng.lognormal(0, 0.5, (100, 1)) * 2.0 ** (YEARS - 2025)
    return Results(YEARS, {}, {"cost_usd": cost}, {"cost_usd": ("year",)}, (), {"scenario": "small"})


def _tiny(folder, name="tiny", extra=""):
    path = folder / f"{name}.yaml"
    path.write_text(TINY_SCENARIO.replace("name: tiny", f"name: {name}") + extra, encoding="utf-8")
    return path


def test_unchanged_figures_are_copied_from_the_report_they_replace(tmp_path):
    a, b = _tiny(tmp_path, "a"), _tiny(tmp_path, "b")
    out = tmp_path / "r"
    first = report.build_report([a, b], out, samples=64, jobs=1)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    said = []
    report.build_report([a, b], out, samples=64, jobs=1, force=True, progress=said.append)
    n_figs = sum(len(s.figures) for s in first.sections) + len(first.comparisons)
    assert f"figures: 0 to draw, {n_figs} unchanged" in said
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    # change one scenario: its figures are drawn again, the other's are not
    b.write_text(b.read_text(encoding="utf-8").replace("high: 8}", "high: 9}"), encoding="utf-8")
    said.clear()
    again = report.build_report([a, b], out, samples=64, jobs=1, force=True, progress=said.append)
    (line,) = [x for x in said if x.startswith("figures:")]
    drawn, kept = (int(w) for w in line.replace(",", "").split() if w.isdigit())
    # b's effective_flop figures and their comparison are drawn again; a's figures, and b's
    # physical_flop (which does not depend on the decline) are not
    assert drawn >= 2
    assert kept >= len(again.sections[0].figures) + 1
    assert drawn + kept == n_figs
    fresh = report.build_report([a, b], tmp_path / "fresh", samples=64, jobs=1)
    for p in fresh.folder.rglob("*"):
        if p.is_file():
            assert p.read_bytes() == (out / p.relative_to(fresh.folder)).read_bytes(), p


def test_figure_formats_are_configurable(tmp_path):
    summary = report.build_report([_tiny(tmp_path)], tmp_path / "r", samples=32, jobs=1, formats=("svg",))
    files = {p.suffix for p in (summary.folder / "figures").rglob("*") if p.is_file()}
    assert files == {".svg"}
    page = (summary.folder / "index.html").read_text(encoding="utf-8")
    assert '<img src="figures/tiny/' in page and '.svg"' in page
    assert all(not r.endswith(".png") for r in report.html_references(page))


def test_unknown_figure_format_is_refused_before_any_run(tmp_path):
    from costsim.errors import ScenarioError

    with pytest.raises(ScenarioError, match=r"^--formats: unknown figure format; expected some of png, "
                                            r"svg, pdf, got 'gif' \(str\)$"):
        report.build_report([_tiny(tmp_path)], tmp_path / "r", samples=32, formats=("png", "gif"))


def test_check_values_of_watts_and_dollars_are_written_with_prefixes(tmp_path):
    section = report.run_section(SCENARIOS / "millions_of_chips.yaml", samples=500)
    page = report.section_html(section)
    assert " GW ± " in page and "B ± $" in page
