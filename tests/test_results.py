"""Results: statistics with Monte Carlo errors, checks, the summary table, save and load."""

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costsim.engine import run, save_results
from costsim.results import SUMMARY_QUANTILES, Results, mean_sd, quantiles_with_se
from costsim.scenario import Check, scenario_from_text


def _results(outputs, years=(2025.0, 2026.0, 2027.0), params=None, **kw):
    axes = {k: ("year",) if v.ndim == 2 else () for k, v in outputs.items()}
    return Results(np.asarray(years), params or {}, outputs, axes, meta={"scenario": "t"}, **kw)


@settings(max_examples=100, deadline=None)
@given(x=st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=200),
       qs=st.lists(st.floats(0, 1), min_size=1, max_size=5))
def test_quantiles_match_numpy(x, qs):
    x = np.asarray(x)
    values, se = quantiles_with_se(x, qs)
    np.testing.assert_allclose(values, np.quantile(x, qs), rtol=1e-12, atol=1e-9)
    assert np.all(se >= 0)


def test_quantile_error_shrinks_like_one_over_root_n(rng):
    _, se_small = quantiles_with_se(rng.standard_normal(10_000), [0.5])
    _, se_big = quantiles_with_se(rng.standard_normal(1_000_000), [0.5])
    # theory: sqrt(q (1 - q) / n) / pdf(median) = 1.2533 / sqrt(n)
    assert se_small[0] == pytest.approx(1.2533 / 100, rel=0.1)
    assert se_big[0] == pytest.approx(1.2533 / 1000, rel=0.1)


def test_one_sample_has_no_error_estimate():
    values, se = quantiles_with_se(np.array([3.0]), [0.1, 0.9])
    assert values.tolist() == [3.0, 3.0] and np.isnan(se).all()


def test_huge_values_do_not_overflow_the_statistics():
    x = np.tile([-1.7e308, 1.7e308, 1.6e308, -1.6e308, 1e308], 40)  # n = 200: every summary quantile bounded
    mean, sd = mean_sd(x)
    assert mean == pytest.approx(2e307, rel=1e-9)
    assert math.isfinite(sd) and sd > 1e308
    with np.errstate(all="raise"):
        values, se = quantiles_with_se(x, [0.5, 0.75])
    assert np.isfinite(values).all() and np.isfinite(se).all()
    res = _results({"big_x": np.tile(x[:, None], (1, 3))})
    with np.errstate(all="raise"):
        csv = res.summary_csv()
    assert "inf" not in csv and "nan" not in csv


def test_mean_sd_of_ordinary_values_are_numpy_s():
    x = np.array([1.0, 2.0, 4.0, 8.0])
    assert mean_sd(x) == (float(x.mean()), float(x.std(ddof=1)))


def test_probability_forms_and_errors():
    arr = np.array([[1.0, 10.0, 100.0], [2.0, 20.0, 200.0], [3.0, 30.0, 300.0], [4.0, 40.0, 400.0]])
    res = _results({"v_x": arr})
    assert res.probability("v_x[2026] > 15") == (0.75, pytest.approx(math.sqrt(0.75 * 0.25 / 4)))
    assert res.probability("v_x", 2027, above=200.0)[0] == 0.75  # above means >=
    assert res.probability("v_x", 2027, below=200.0)[0] == 0.25
    with pytest.raises(ValueError, match=r"^cannot read 'v_x >> 3'; expected e.g. 'effective_flop\[2030\] > 1e29'$"):
        res.probability("v_x >> 3")
    with pytest.raises(KeyError, match="year 2031 is not in 2025..2027"):
        res.at_year("v_x", 2031)
    with pytest.raises(KeyError, match="no output or parameter 'v_y'; did you mean 'v_x'"):
        res.at_year("v_y")


def test_crossing_year():
    res = _results({"v_x": np.array([[1.0, 5.0, 9.0], [6.0, 7.0, 8.0], [0.0, 0.0, 0.0]])})
    np.testing.assert_array_equal(res.crossing_year("v_x", 5.0), [2026.0, 2025.0, np.nan])


def test_arrays_are_read_only():
    res = _results({"v_x": np.ones((2, 3))})
    with pytest.raises(ValueError):
        res.outputs["v_x"][0, 0] = 2.0


def test_summary_csv_layout():
    res = _results({"v_usd": np.arange(12.0).reshape(4, 3)})
    lines = res.summary_csv().splitlines()
    assert lines[0] == "scenario,output,unit,bloc,year,statistic,value,mc_se"
    assert len(lines) == 1 + 3 * (2 + len(SUMMARY_QUANTILES))
    assert lines[1] == "t,v_usd,USD,,2025,mean,4.5,1.94"
    assert [ln.split(",")[5] for ln in lines[1:10]] == ["mean", "sd", "p05", "p10", "p25", "p50", "p75", "p90", "p95"]


def _check(**kw):
    base = dict(claim="c", output="v_x", year=2025, bloc=None, stat="median", event=None, test=("above", 0.0, 0.0))
    base.update(kw)
    return Check(**base)


def test_checks_pass_fail_and_say_when_too_close_to_call(rng):
    res = _results({"v_x": rng.normal(10.0, 1.0, (400, 3))})
    clear = res.evaluate_check(_check(test=("between", 9.0, 11.0)))
    assert clear.passed and clear.conclusive and clear.needed_samples is None
    assert clear.description == "median(v_x 2025) in [9, 11]"
    close = res.evaluate_check(_check(stat="mean", test=("above", float(res.outputs["v_x"][:, 0].mean()) + 0.01, 0)))
    assert not close.passed and not close.conclusive and close.needed_samples > 400
    prob = res.evaluate_check(_check(stat="probability", event=("above", 10.0, 10.0), test=("between", 0.4, 0.6)))
    assert prob.passed and prob.description == "P(v_x 2025 >= 10) in [0.4, 0.6]"


def test_needed_samples_never_overflows():
    res = _results({"v_x": np.array([[-1e300] * 3, [1e300] * 3, [2e-300] * 3])})
    result = res.evaluate_check(_check(stat="mean", test=("above", 1e-300, 0.0)))
    assert result.needed_samples is None and not result.conclusive


# ----------------------------------------------------------------------------- save and load
def test_save_and_load_round_trip(tmp_path, tiny_scenario_text):
    text = tiny_scenario_text + "checks:\n  - {claim: grows, output: effective_flop, year: 2028, above: 1e25}\n"
    res = run(scenario_from_text(text, "tiny.yaml"), n=50, seed=3)
    folder = save_results(res, tmp_path / "out")
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "samples.npz", "summary.csv"]
    again = Results.load(folder)
    for name in res.outputs:
        np.testing.assert_array_equal(again.outputs[name], res.outputs[name])
    for name in res.params:
        np.testing.assert_array_equal(again.params[name], res.params[name])
    assert again.axes == res.axes and again.checks == res.checks and again.summary_csv() == res.summary_csv()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["files"] == [{"path": "<string>.yaml", "text": text}]
    assert {"scenario_sha256", "extends_chain", "overrides", "seed", "n", "design", "versions", "created_utc"} \
        <= set(manifest)


def test_loading_a_damaged_folder_is_a_data_error(tmp_path, tiny_scenario_text):
    from costsim.errors import DataError

    folder = save_results(run(scenario_from_text(tiny_scenario_text, "tiny.yaml"), n=50, seed=3), tmp_path / "out")
    npz = folder / "samples.npz"
    npz.write_bytes(npz.read_bytes()[: npz.stat().st_size // 2])
    with pytest.raises(DataError, match=r"out: not a readable costsim results folder \(BadZipFile: "):
        Results.load(folder)
    (folder / "manifest.json").write_text("{")
    with pytest.raises(DataError, match=r"\(JSONDecodeError: Expecting property name"):
        Results.load(folder)
    with pytest.raises(DataError) as info:
        Results.load(tmp_path / "nowhere")
    assert str(info.value) == (f"{tmp_path / 'nowhere'}: not a readable costsim results folder (No such file or "
                               f"directory: {tmp_path / 'nowhere' / 'manifest.json'}); expected the manifest.json "
                               "and samples.npz that costsim run -o writes")


# ----------------------------------------------------------------------------- R1 closed form
# /work/shared/bench/R1.md ("Closed form"): log10 effective FLOP(t) is exactly normal with
# mean 25.5969 + 1.05360 k and variance 0.30398**2 + k**2 (0.09151**2 + 0.18302**2), k = t - 2025;
# its table of 5% / median / 95% and P(effective FLOP 2030 > 1e29) = 0.9597 are copied here.
R1_TABLE = {2025: (25.097, 25.597, 26.097), 2030: (29.109, 30.865, 32.620), 2035: (32.730, 36.133, 39.536)}
R1_P_2030_ABOVE_1E29 = 0.9597


def test_reference_r1_matches_its_closed_form():
    import pathlib

    from scipy import stats

    from costsim.scenario import load_scenario

    path = pathlib.Path(__file__).resolve().parents[1] / "scenarios" / "reference_r1.yaml"
    res = run(load_scenario(path), n=1_000_000, seed=1)  # as `costsim run reference_r1.yaml -n 1000000 --seed 1`
    for year, table in R1_TABLE.items():
        k = year - 2025
        mean, sd = 25.5969 + 1.05360 * k, math.sqrt(0.30398**2 + k**2 * (0.09151**2 + 0.18302**2))
        exact = stats.norm.ppf([0.05, 0.5, 0.95], mean, sd)
        np.testing.assert_allclose(exact, table, atol=6e-4)  # the table is the formula, rounded
        got, se = quantiles_with_se(np.log10(res.at_year("effective_flop", year)), [0.05, 0.5, 0.95])
        assert np.all(np.abs(got - exact) < 4 * se + 6e-4), (year, got, exact, se)
    p, se = res.probability("effective_flop[2030] > 1e29")
    assert abs(p - R1_P_2030_ABOVE_1E29) < max(4 * se, 0.002) and se < 0.0003
    assert all(c.passed and c.conclusive for c in res.checks)


# ----------------------------------------------------------------------------------- crossing years (15.8)
def test_a_falling_cost_crosses_below_in_a_fractional_year_on_the_log_scale():
    # "when does a GPT-4-class run fall below $1M?": $1.1M in 2026, $0.4M in 2027 -> 2026.09, not 2027
    cost = np.array([[3e6, 1.1e6, 4e5], [9e5, 5e5, 1e5], [5e6, 4e6, 3e6]])
    res = _results({"run_cost_usd": cost})
    got = res.crossing_year("run_cost_usd", 1e6, below=True)
    expected = 2026 + math.log(1e6 / 1.1e6) / math.log(4e5 / 1.1e6)
    np.testing.assert_allclose(got, [expected, 2025.0, np.nan], rtol=1e-12)
    assert 2026.0 < got[0] < 2026.1
    np.testing.assert_array_equal(res.crossing_year("run_cost_usd", 1e6, below=True, interpolate=False),
                                  [2027.0, 2025.0, np.nan])
    # the rising default never reads a falling cost as crossing at the start year
    np.testing.assert_array_equal(res.crossing_year("run_cost_usd", 1e7), [np.nan, np.nan, np.nan])


@settings(max_examples=60, deadline=None)
@given(start=st.floats(1e-3, 1e3), growth=st.floats(1.1, 10.0), frac=st.floats(0.05, 0.95))
def test_exponential_growth_crosses_exactly_where_it_reaches_the_threshold(start, growth, frac):
    years = np.arange(2025.0, 2031.0)
    values = start * growth ** (years - 2025.0)
    when = 2027.0 + frac
    threshold = start * growth ** (when - 2025.0)
    res = _results({"v_flop": values[None, :]}, years=tuple(years))
    np.testing.assert_allclose(res.crossing_year("v_flop", threshold), [when], rtol=1e-9)
    falling = _results({"v_usd": (1.0 / values)[None, :]}, years=tuple(years))
    np.testing.assert_allclose(falling.crossing_year("v_usd", 1.0 / threshold, below=True), [when], rtol=1e-9)


def test_crossing_year_per_bloc_and_for_values_through_zero():
    lead = np.array([[[1.0, 1.0], [4.0, 2.0], [16.0, 4.0]]])  # (n=1, T=3, B=2)
    res = Results(np.array([2025.0, 2026.0, 2027.0]), {}, {"stock_flop": lead}, {"stock_flop": ("year", "bloc")},
                  blocs=("us", "cn"))
    np.testing.assert_allclose(res.crossing_year("stock_flop", 8.0), [[2026.5, np.nan]])
    np.testing.assert_allclose(res.crossing_year("stock_flop", 2.0, "cn"), [2026.0])
    gap = _results({"gap_x": np.array([[-2.0, 2.0, 4.0]])})  # through zero: linear
    np.testing.assert_allclose(gap.crossing_year("gap_x", 0.0), [2025.5])


def test_statistics_are_computed_once_and_shared_by_checks_summary_and_printing():
    res = run(scenario_from_text(
        "years: {start: 2025, stop: 2027}\nsummary_years: [2026]\nparams:\n"
        "  a_usd: {dist: uniform, low: 1, high: 2}\nformulas:\n  b_usd: 'a_usd * 2 * (year - 2025)'\n"
        "checks:\n  - {claim: c, output: b_usd, year: 2026, stat: median, between: [2, 4]}\n"), n=2001, seed=3)
    assert list(res.stats_cache) == [("b_usd", 1, None)]  # the check's column, computed while checking
    stats = res.summary_stats("b_usd", 2026)
    assert stats["p50"] == (res.checks[0].value, res.checks[0].se)
    csv = res.summary_csv()
    assert len(res.stats_cache) == 3  # one entry per column, none computed twice
    row = [r for r in res.summary_rows() if r["year"] == 2026 and r["statistic"] == "p95"][0]
    assert (row["value"], row["mc_se"]) == stats["p95"]
    assert f"{stats['mean'][0]:.10g}" in csv
