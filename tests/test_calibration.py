"""Tests of costsim.calibration, its commands (fit, backtest, gap) and its plots."""

import argparse
import pickle
import runpy
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from costsim import calibration as cal
from costsim.errors import DataError, Issue

ROOT = Path(__file__).parents[1]
FRONTIER = ["Frontier model=True"]
COUNTRY = "Country (from Organization)"


@pytest.fixture(scope="module")
def dataset():
    return cal.load_dataset()


def _synthetic(rng, n, slope, sd, start=2010.0, span=14.0):
    years = start + span * rng.random(n)
    log10_y = 20.0 + slope * (years - start) + sd * rng.standard_normal(n)
    return years, 10.0**log10_y


# --- properties ------------------------------------------------------------------------------


@settings(max_examples=8, deadline=None, derandomize=True)
@given(growth=st.floats(1.2, 8.0), sd=st.floats(0.1, 1.5), n=st.integers(12, 60),
       level=st.sampled_from([0.8, 0.9, 0.95]))
def test_ols_interval_covers_the_true_rate_at_its_stated_level(growth, sd, n, level):
    rng = np.random.default_rng(12345)
    reps = 300
    slope = np.log10(growth)
    inside = 0
    for _ in range(reps):
        years, values = _synthetic(rng, n, slope, sd)
        lo, hi = cal.fit_trend(cal.selection_from_arrays(years, values), level=level).growth_interval()
        inside += lo <= growth <= hi
    tolerance = 4 * np.sqrt(level * (1 - level) / reps)  # binomial sd: fails ~1 in 16000 by chance
    assert abs(inside / reps - level) <= tolerance


@pytest.mark.parametrize(("method", "low", "high"), [("robust", 0.82, 0.97), ("bootstrap", 0.82, 0.95)])
def test_robust_and_bootstrap_intervals_cover_roughly_at_their_level(method, low, high):
    rng = np.random.default_rng(7)
    growth, inside, reps = 4.5, 0, 200
    for _ in range(reps):
        years, values = _synthetic(rng, 40, np.log10(growth), 0.6)
        trend = cal.fit_trend(cal.selection_from_arrays(years, values), method=method, n_boot=400)
        lo, hi = trend.growth_interval()
        inside += lo <= growth <= hi
    assert low <= inside / reps <= high


def test_robust_fit_resists_outliers_that_pull_ols():
    rng = np.random.default_rng(3)
    years, values = _synthetic(rng, 80, np.log10(4.0), 0.3)
    late = np.argsort(years)[-12:][::2]
    values[late] *= 1e-4  # six late estimates 4 dex too low (say, a unit slip)
    ols = cal.fit_trend(cal.selection_from_arrays(years, values))
    robust = cal.fit_trend(cal.selection_from_arrays(years, values), method="robust")
    assert abs(ols.growth_x_per_year - 4.0) > 0.8
    assert abs(robust.growth_x_per_year - 4.0) < 0.4


def _numbers(trend):
    return np.array([trend.slope_log10_per_year, *trend.slope_interval, trend.residual_sd_log10, trend.slope_se,
                     trend.center_se, trend.center_year, trend.log10_at_center])


@settings(max_examples=20, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), method=st.sampled_from(cal.METHODS), n=st.integers(8, 50))
def test_fit_is_invariant_to_the_order_of_rows(seed, method, n):
    rng = np.random.default_rng(seed)
    years, values = _synthetic(rng, n, 0.6, 0.5)
    perm = rng.permutation(n)
    a = cal.fit_trend(cal.selection_from_arrays(years, values), method=method, n_boot=300)
    b = cal.fit_trend(cal.selection_from_arrays(years[perm], values[perm]), method=method, n_boot=300)
    np.testing.assert_allclose(_numbers(a), _numbers(b), rtol=1e-12, atol=1e-12)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), method=st.sampled_from(cal.METHODS),
       log10_scale=st.floats(-20.0, 20.0))
def test_rescaling_y_moves_only_the_intercept(seed, method, log10_scale):
    rng = np.random.default_rng(seed)
    years, values = _synthetic(rng, 30, 0.5, 0.4)
    a = cal.fit_trend(cal.selection_from_arrays(years, values), method=method, n_boot=300)
    b = cal.fit_trend(cal.selection_from_arrays(years, values * 10.0**log10_scale), method=method, n_boot=300)
    same = ["slope_log10_per_year", "slope_se", "center_se", "residual_sd_log10", "center_year"]
    np.testing.assert_allclose([getattr(b, k) for k in same], [getattr(a, k) for k in same], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(b.slope_interval, a.slope_interval, rtol=1e-8, atol=1e-10)
    assert b.log10_at_center - a.log10_at_center == pytest.approx(log10_scale, abs=1e-8)


def test_envelope_fits_only_the_records():
    years = np.array([2010.0, 2011, 2012, 2013, 2014, 2015])
    values = np.array([1.0, 10, 5, 100, 50, 1000])
    trend = cal.fit_trend(cal.selection_from_arrays(years, values), method="envelope")
    assert trend.n == 4
    assert list(trend.years) == [2010.0, 2011.0, 2013.0, 2015.0]
    assert cal.record_mask(years, values).tolist() == [True, True, False, True, False, True]


def test_backtest_on_a_known_exponential_is_calibrated():
    rng = np.random.default_rng(11)
    years, values = _synthetic(rng, 600, np.log10(3.0), 0.5, start=2000.0, span=25.0)
    result = cal.backtest(cal.selection_from_arrays(years, values), cutoff=2015)
    assert result.coverage == pytest.approx(0.9, abs=0.05)
    assert abs(result.median_error_years) < 0.5
    expected_log_score = -0.5 * np.log(2 * np.pi * 0.5**2) - 0.5  # normal log density at sd 0.5
    assert result.mean_log_score == pytest.approx(expected_log_score, abs=0.15)


# --- the bundled data ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def claims():
    return {c["id"]: c for c in yaml.safe_load((ROOT / "costsim/data/claims.yaml").read_text())["trends"]}


def test_bundled_snapshot_reads_with_its_date(dataset):
    assert dataset.n_rows == 895
    assert dataset.snapshot_date == "2025-02-24"
    assert dataset.label == cal.BUNDLED_FILE


def test_frontier_compute_fit_agrees_with_sevilla2024(dataset, claims):
    trend = cal.fit_trend(cal.select(dataset, cal.COMPUTE_COLUMN, FRONTIER, since=2010))
    published = claims["trend.frontier_compute_growth"]
    lo, hi = trend.growth_interval()
    assert trend.n == 92
    assert trend.growth_x_per_year == pytest.approx(4.54, abs=0.01)
    assert published["low"] <= trend.growth_x_per_year <= published["high"]
    assert lo < published["high"] and hi > published["low"]


def test_frontier_cost_fit_agrees_with_cottier2024(dataset, claims):
    trend = cal.fit_trend(cal.select(dataset, cal.COST_COLUMN, FRONTIER, since=2016), level=0.95)
    published = claims["trend.frontier_training_cost_growth"]
    lo, hi = trend.growth_interval()
    assert trend.n == 37
    assert lo <= published["central"] <= hi
    assert trend.growth_x_per_year == pytest.approx(published["central"], abs=0.1)


def test_all_notable_models_compute_fit(dataset):
    trend = cal.fit_trend(cal.select(dataset, cal.COMPUTE_COLUMN, since=2010))
    assert trend.n == 397
    assert 4.0 < trend.growth_x_per_year < 5.2
    assert trend.residual_sd_log10 > 1.5  # all notable models spread far more than the frontier


def test_deepseek_v3_sits_below_the_frontier_trend(dataset):
    compute = cal.fit_trend(cal.select(dataset, cal.COMPUTE_COLUMN, FRONTIER, since=2010))
    cost = cal.fit_trend(cal.select(dataset, cal.COST_COLUMN, FRONTIER, since=2016))
    placed_c = cal.residual_in_sd(compute, dataset, "DeepSeek-V3")
    placed_u = cal.residual_in_sd(cost, dataset, "deepseek-v3")
    assert placed_c["value"] == 4.56e24 and placed_u["value"] == 5.39e6
    assert placed_c["residual_sd"] == pytest.approx(-1.60, abs=0.02)
    assert placed_u["residual_sd"] == pytest.approx(-0.50, abs=0.02)


def test_backtest_2020_on_frontier_compute(dataset):
    result = cal.backtest(cal.select(dataset, cal.COMPUTE_COLUMN, FRONTIER, since=2010), cutoff=2020)
    assert result.fit.n == 48 and result.n_test == 44
    assert np.all(result.test_years >= 2020)
    assert 0.0 <= result.coverage <= 1.0
    assert result.later_fit is not None and result.later_fit.n == 44
    assert "coverage" in result.summary()


def test_gap_us_china_has_uncertainty_and_a_positive_recent_lag(dataset):
    result = cal.gap(dataset, group_a=f"{COUNTRY}==United States of America", group_b=f"{COUNTRY}==China",
                     since=2015, n_boot=200)
    assert result.labels == ("United States of America", "China")
    assert result.frontier_log10.shape == (2, len(result.years))
    i = list(result.years).index(2024.0)
    assert result.ratio[i] > 1 and result.years_behind[i] > 0
    assert result.years_behind_low[i] <= result.years_behind_high[i]
    j = list(result.years).index(2016.0)  # China first passed the US's end-2016 frontier in 2021
    assert 4.0 < result.catch_up_years[j] < 5.0
    assert result.catch_up_low[j] <= result.catch_up_years[j] <= result.catch_up_high[j]
    again = cal.gap(dataset, group_a=f"{COUNTRY}==United States of America", group_b=f"{COUNTRY}==China",
                    since=2015, n_boot=200)
    np.testing.assert_array_equal(result.ratio_low, again.ratio_low)  # same seed, same numbers
    assert "years behind" in result.summary()


def test_catch_up_matches_a_hand_computation():
    grid = np.array([2020.0, 2021, 2022, 2023])
    leader = np.array([[22.0, 23, 24, 25]])
    follower = np.array([[21.0, 21.0, 23.5, 24.0], [np.nan, np.nan, 23.0, 26.0]])
    lag = cal.catch_up(np.vstack([leader, leader]), follower, grid)
    # row 0, t=0: 22 is reached 40% of the way from 2021 (21) to 2022 (23.5) -> 1.4 years
    np.testing.assert_allclose(lag, [[1.4, 0.8, 1.0, np.inf], [2.0, 1.0, 1 / 3, 0.0]])


def test_gap_top_k_statistic(dataset):
    result = cal.gap(dataset, group_a=f"{COUNTRY}=United States of America", group_b=f"{COUNTRY}=China",
                     since=2018, frontier="top3", n_boot=100)
    assert np.isfinite(result.ratio).any()


# --- filters and files ------------------------------------------------------------------------


def test_filter_operators(dataset):
    def count(*filters):
        return cal.select(dataset, cal.COMPUTE_COLUMN, list(filters)).n

    any_china = count(f"{COUNTRY}=China")
    only_china = count(f"{COUNTRY}==China")
    assert only_china < any_china
    assert count(f"{COUNTRY}=china") == any_china  # case-insensitive
    assert count("Confidence=Confident|Likely") == count("Confidence=Confident") + count("Confidence=Likely")
    assert count("Domain~Lang") >= count("Domain=Language")
    assert count("Frontier model=True") + count("Frontier model!=True") == count()
    assert count("Publication date>=2020-01-01") == cal.select(dataset, cal.COMPUTE_COLUMN, since=2020).n
    assert count("Training compute (FLOP)>=1e25") == int(np.sum(cal.select(dataset).log10_y >= 25))


def test_unknown_column_message_suggests_the_closest(dataset):
    with pytest.raises(DataError) as info:
        cal.select(dataset, cal.COMPUTE_COLUMN, ["Contry (from Organization)=China"])
    assert str(info.value) == (
        "notable_ai_models_2025-02-24.csv: filter[0]: unknown column; expected one of the CSV's 18 columns "
        "(list them with `costsim fit --columns`), got 'Contry (from Organization)' (str). "
        "Did you mean 'Country (from Organization)'?")
    assert isinstance(info.value, ValueError)


def test_filter_matching_nothing_names_a_close_value(dataset):
    with pytest.raises(DataError) as info:
        cal.select(dataset, cal.COMPUTE_COLUMN, [f"{COUNTRY}=Chna"])
    assert str(info.value) == (
        "notable_ai_models_2025-02-24.csv: filter[0]: filter matches no row of column "
        "'Country (from Organization)'; expected a value that occurs in the column, got "
        "'Country (from Organization)=Chna' (str). Did you mean 'China'?")


def test_malformed_filter():
    with pytest.raises(DataError) as info:
        cal.parse_filter("Frontier model True")
    assert str(info.value) == (
        "filter: not a filter; expected COLUMN=VALUE, COLUMN==VALUE, COLUMN!=VALUE, COLUMN~TEXT, "
        "COLUMN!~TEXT or COLUMN>=NUMBER (also >, <, <=), got 'Frontier model True' (str)")


def test_too_few_points_says_so(dataset):
    with pytest.raises(DataError, match=r"too few record-setting points to fit a trend; expected >= 3, got 2"):
        cal.fit_trend(cal.select(dataset, cal.COST_COLUMN, FRONTIER, since=2016, until=2020), method="envelope")


def test_data_error_pickles():
    err = DataError("x.csv: y: unknown column; expected a column, got 'Y' (str)",
                    Issue("y", "unknown column", "a column", "Y", source="x.csv"))
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err) and isinstance(again, ValueError)
    assert again.issue.render("?") == err.issue.render("?") == str(err)


def test_a_newer_csv_in_the_same_format_is_accepted(tmp_path):
    text = (
        "\ufeffPublication date,Model,Training compute (FLOP),Frontier model,Extra column\n"
        "2020-01-15,A,1e22,True,x\n2021-03-01,B,5e22,,y\n2022-07-01,C,1e24,True,z\n"
        "2023-06-30,D,8e24,True,\n2024-02-01,E,,True,\n2024-12-01,F,\"6e25\",True,w\n")
    path = tmp_path / "notable_ai_models_2026-01-01.csv"
    path.write_text(text, encoding="utf-8")
    data = cal.load_dataset(str(path))
    assert data.snapshot_date == "2026-01-01"
    sel = cal.select(data, cal.COMPUTE_COLUMN, FRONTIER)
    assert sel.n == 4 and sel.n_missing == 1
    assert cal.fit_trend(sel).growth_x_per_year > 1


def test_a_csv_without_the_date_column_is_refused(tmp_path):
    path = tmp_path / "models.csv"
    path.write_text("Model,Publication_date,Training compute (FLOP)\nA,2020-01-01,1e20\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        cal.load_dataset(path)
    assert str(info.value) == (
        "models.csv: data: missing the 'Publication date' column; expected the columns of Epoch AI's "
        "notable-models table, got ['Model', 'Publication_date', 'Training compute (FLOP)']. "
        "Did you mean 'Publication_date'?")


def test_decimal_years():
    assert cal.decimal_year("2024-01-01") == 2024.0
    assert cal.decimal_year("2023-07-02") == pytest.approx(2023 + 182 / 365)
    assert cal.decimal_year("2023") == 2023.5
    assert cal.decimal_year("2024-02") == pytest.approx(2024 + (31 + 14.5) / 366)
    with pytest.raises(ValueError, match="not a date"):
        cal.decimal_year("Feb 2024")


# --- scenario parameters ----------------------------------------------------------------------


def test_param_spec_is_a_lognormal_ci_centred_on_the_fit(dataset):
    trend = cal.fit_trend(cal.select(dataset, cal.COMPUTE_COLUMN, FRONTIER, since=2010))
    spec = cal.to_param_spec(trend, credibility=0.8)
    assert spec["dist"] == "lognormal_ci" and spec["credibility"] == 0.8
    assert np.sqrt(spec["low"] * spec["high"]) == pytest.approx(trend.growth_x_per_year, rel=1e-5)
    for part in (cal.BUNDLED_FILE, "2025-02-24", "Frontier model=True", "year >= 2010", "n = 92", "ols"):
        assert part in spec["source"]


def test_param_yaml_round_trips_through_the_scenario_reader(dataset):
    from costsim.yamlio import load_yaml

    trend = cal.fit_trend(cal.select(dataset, cal.COMPUTE_COLUMN, FRONTIER, since=2010))
    spec = cal.to_param_spec(trend)
    text = cal.param_yaml("frontier_flop_x_per_year", spec, cal.fit_form(trend))
    data, _ = load_yaml(text)
    assert data["params"]["frontier_flop_x_per_year"] == spec
    commented = [line[4:] for line in text.splitlines() if line.startswith("#   ")]
    alt, _ = load_yaml("\n".join(commented))
    fit_spec = alt["frontier_flop_x_per_year"]["fit"]
    assert alt["frontier_flop_x_per_year"]["credibility"] == spec["credibility"]
    resolved, issues = cal.resolve_fit_param({"fit": fit_spec, "credibility": 0.9})
    assert issues == [] and resolved == spec


def test_resolve_fit_param_turns_a_fit_into_a_lognormal_ci():
    spec, issues = cal.resolve_fit_param(
        {"fit": {"y": cal.COMPUTE_COLUMN, "filter": FRONTIER, "since": 2010}, "credibility": 0.9, "max": 20})
    assert issues == []
    assert spec["dist"] == "lognormal_ci" and spec["max"] == 20
    assert spec["low"] < 4.54 < spec["high"]


def test_resolve_fit_param_as_of_uses_only_earlier_data():
    raw = {"fit": {"filter": "Frontier model=True", "since": 2010}}
    now, _ = cal.resolve_fit_param(raw)
    then, issues = cal.resolve_fit_param(raw, as_of=2020)
    assert issues == []
    assert "2010 <= year < 2020" in then["source"] and "n = 48" in then["source"]
    assert then["low"] > now["low"]  # 2010-2019 grew faster (5.3x/yr) than 2010-2025


def test_resolve_fit_param_level_quantity():
    spec, issues = cal.resolve_fit_param(
        {"fit": {"filter": FRONTIER, "since": 2010, "quantity": "level", "at_year": 2025}})
    assert issues == []
    assert spec["low"] < 5.6e25 < spec["high"]


def test_fit_from_spec_recomputes_the_fit_or_raises_a_scenario_error():
    from costsim.errors import ScenarioError

    trend = cal.fit_from_spec({"filter": FRONTIER, "since": 2010}, path="params.g_x_per_year")
    assert trend.growth_x_per_year == pytest.approx(4.54, abs=0.01)
    with pytest.raises(ScenarioError) as info:
        cal.fit_from_spec({"filter": ["Frontier model=True"], "since": 2030}, path="params.g_x_per_year")
    assert str(info.value).startswith("params.g_x_per_year: params.g_x_per_year.fit: too few points to fit a trend")


def test_resolve_fit_param_reports_every_problem_with_its_path():
    spec, issues = cal.resolve_fit_param(
        {"fit": {"y": cal.COMPUTE_COLUMN, "methd": "ols", "since": "soon", "method": "olz"}, "credibilty": 0.9},
        path="params.g_x_per_year")
    assert spec is None
    rendered = sorted(i.render("s.yaml") for i in issues)
    assert rendered == [
        "s.yaml: params.g_x_per_year.credibilty: unknown key for a fitted parameter; expected one of fit, "
        "credibility, source, note, min, max, got 'credibilty' (str). Did you mean 'credibility'?",
        "s.yaml: params.g_x_per_year.fit.methd: unknown key; expected one of data, y, filter, since, until, "
        "method, quantity, at_year, overlay, n_boot, seed, got 'methd' (str). Did you mean 'method'?",
        "s.yaml: params.g_x_per_year.fit.method: unknown fit method; expected one of ols, robust, envelope, "
        "bootstrap, got 'olz' (str). Did you mean 'ols'?",
        "s.yaml: params.g_x_per_year.fit.since: not a year; expected a year (2018) or a quoted date "
        "('2018-06-30'), got 'soon' (str)",
    ]


def test_resolve_fit_param_data_errors_get_fit_paths():
    _, issues = cal.resolve_fit_param({"fit": {"y": "Training compte (FLOP)"}})
    assert [i.path for i in issues] == [".fit.y"]
    assert issues[0].hint == "Did you mean 'Training compute (FLOP)'?"
    _, issues = cal.resolve_fit_param({"fit": {"filter": ["Frontier model=True", "Domain=Lnguage"]}})
    assert [i.path for i in issues] == [".fit.filter[1]"]


def test_resolve_fit_param_reads_data_relative_to_the_scenario(tmp_path):
    rows = "".join(f"{2015 + i}-06-01,M{i},{10 ** (20 + 0.6 * i):.3e}\n" for i in range(8))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "mine.csv").write_text("Publication date,Model,Training compute (FLOP)\n" + rows)
    spec, issues = cal.resolve_fit_param({"fit": {"data": "data/mine.csv"}}, tmp_path)
    assert issues == []
    assert "mine.csv" in spec["source"]
    _, issues = cal.resolve_fit_param({"fit": {"data": "data/missing.csv"}}, tmp_path)
    assert [i.path for i in issues] == [".fit.data"]


def test_calibrated_scenario_runs_and_overlays_on_history():
    engine = pytest.importorskip("costsim.engine")
    from costsim.plots.calibration import plot_projection_over_history
    from costsim.yamlio import load_yaml

    path = ROOT / "examples" / "calibrated_baseline.yaml"
    results = engine.run(path, n=64, seed=0)
    raw, _ = load_yaml(path.read_text())
    fits = cal.scenario_fits(raw["params"], path.parent)
    assert [f.name for f in fits] == ["frontier_flop_x_per_year", "base_frontier_flop", "frontier_cost_x_per_year",
                                      "base_frontier_cost_usd"]
    overlaid = [f for f in fits if f.overlay]
    assert [f.overlay for f in overlaid] == ["frontier_training_flop", "frontier_training_cost_usd"]
    for f in overlaid:
        qs = results.quantiles(f.overlay, [0.05, 0.5, 0.95])
        ax = plot_projection_over_history(f.trend, results.years, dict(zip([0.05, 0.5, 0.95], qs)))
        assert ax.get_yscale() == "log"


# --- commands ---------------------------------------------------------------------------------


def _run(module, argv):
    parser = argparse.ArgumentParser(prog="costsim")
    sub = parser.add_subparsers()
    module.register(sub)
    args = parser.parse_args(argv)
    return args.func(args)


def test_fit_command_prints_the_three_fits(capsys):
    from costsim.commands import fit

    assert _run(fit, ["fit", "--since", "2010"]) == 0
    assert _run(fit, ["fit", "--frontier", "--since", "2010", "--show", "DeepSeek-V3"]) == 0
    assert _run(fit, ["fit", "--y", cal.COST_COLUMN, "--frontier", "--since", "2016"]) == 0
    out = capsys.readouterr().out
    assert "4.58x per year, 90% CI [4.13, 5.09]" in out
    assert "4.54x per year, 90% CI [4.23, 4.88]" in out
    assert "2.36x per year, 90% CI [1.91, 2.92]" in out
    assert "DeepSeek-V3 (2024.98): 4.56e+24 vs trend 5.44e+25; residual -1.08 dex = -1.60 residual sd" in out


def test_fit_command_as_param_and_plot(capsys, tmp_path):
    from costsim.commands import fit

    png = tmp_path / "fit.png"
    code = _run(fit, ["fit", "--frontier", "--since", "2010", "--as-param", "frontier_flop_x_per_year",
                      "--plot", str(png), "--method", "robust"])
    assert code == 0 and png.stat().st_size > 10_000
    out = capsys.readouterr().out
    assert "  frontier_flop_x_per_year:\n    dist: lognormal_ci\n" in out
    assert "method: robust" in out


def test_fit_command_user_error_is_one_line_exit_2(capsys):
    from costsim.commands import fit

    assert _run(fit, ["fit", "--y", "Training compte (FLOP)"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "costsim fit: error: notable_ai_models_2025-02-24.csv: --y: unknown column; expected one of the CSV's "
        "18 columns (list them with `costsim fit --columns`), got 'Training compte (FLOP)' (str). "
        "Did you mean 'Training compute (FLOP)'?\n")


def test_backtest_command(capsys):
    from costsim.commands import backtest

    assert _run(backtest, ["backtest", "--frontier", "--since", "2010", "--cutoff", "2020", "--points"]) == 0
    out = capsys.readouterr().out
    assert "scored   44 models published 2020.1-2024.6" in out and "GPT-4 " in out


def test_gap_command(capsys):
    from costsim.commands import gap

    code = _run(gap, ["gap", "--group", f"{COUNTRY}==United States of America", "--group", f"{COUNTRY}==China",
                      "--since", "2015", "--boot", "100"])
    assert code == 0
    assert "B is" in capsys.readouterr().out
    assert _run(gap, ["gap", "--group", f"{COUNTRY}=China"]) == 2
    assert capsys.readouterr().err == (
        "costsim gap: error: --group: expected exactly two groups (leader first), got 1\n")


def test_cli_entry_point_runs_fit():
    cli = pytest.importorskip("costsim.cli")
    assert cli.main(["fit", "--frontier", "--since", "2010"]) == 0


# --- plots and example ------------------------------------------------------------------------


def test_plot_fit_axes(dataset):
    from costsim.plots.calibration import plot_fit, plot_projection_over_history

    trend = cal.fit_trend(cal.select(dataset, cal.COMPUTE_COLUMN, FRONTIER, since=2010))
    ax = plot_fit(trend)
    assert ax.get_yscale() == "log"
    assert ax.get_ylabel() == "Training compute [FLOP]"
    assert ax.get_xlabel() == "publication date [calendar year]"
    assert any("Epoch AI, CC BY 4.0" in t.get_text() for t in ax.texts)
    assert len(ax.get_legend().get_texts()) == 4
    years = np.arange(2025, 2031)
    median = 5e25 * 4.5 ** (years - 2025)
    ax = plot_projection_over_history(trend, years, {0.05: median / 10, 0.5: median, 0.95: median * 10})
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "scenario projection: median" in labels and "scenario projection: 90% band" in labels


def test_plot_backtest_and_gap(dataset):
    from costsim.plots.calibration import plot_backtest, plot_gap

    result = cal.backtest(cal.select(dataset, cal.COMPUTE_COLUMN, FRONTIER, since=2010), cutoff=2020)
    assert plot_backtest(result).get_yscale() == "log"
    gap = cal.gap(dataset, group_a=f"{COUNTRY}==United States of America", group_b=f"{COUNTRY}==China",
                  since=2015, n_boot=50)
    assert plot_gap(gap).get_yscale() == "log"


def test_calibration_example_runs(capsys):
    runpy.run_path(str(ROOT / "examples" / "calibration_example.py"), run_name="__main__")  # in-process: fast
    out = capsys.readouterr().out
    assert "DeepSeek-V3 Training compute (FLOP): 4.56e+24 vs frontier trend 5.44e+25" in out
