"""Property tests of the cost-of-a-fixed-capability family (costsim.models.cost_decline)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from costsim.models.cost_decline import (
    decline_from_components,
    exponential_capability_cost,
    fixed_capability_cost,
    on_trend_cost,
    price_performance_trend,
    x_per_year_from_doubling_time,
    years_to_close_gap,
)

BASE_YEAR = 2024.0
YEARS = np.arange(2015.0, 2061.0)[None, :]
FAST = settings(max_examples=40, deadline=None)

decline = st.floats(min_value=1.0, max_value=20.0)
shape = st.sampled_from([0.0, 1.0, 2.0])


def _col(x):
    return np.array([[x]], dtype=float)


def _mixture(**overrides):
    args = dict(
        year=YEARS, base_year=BASE_YEAR, capability_base_cost_usd=_col(4.0e7), decline_x_per_year=_col(4.0),
        shape_choice_index=_col(0.0), decline_ceiling_x=_col(1.0e4), experience_decline_x_per_doubling=_col(1.25),
        budget_x_per_year=_col(2.4), spend_price_elasticity=_col(0.0), decline_cap_x=1.0e12,
    )
    args.update(overrides)
    return fixed_capability_cost(**args)


@FAST
@given(
    base=st.floats(min_value=1.0, max_value=1.0e12),
    rate=decline,
    shape_index=shape,
    ceiling=st.floats(min_value=1.5, max_value=1.0e10),
    per_doubling=st.floats(min_value=1.05, max_value=2.0),
    spend_growth=st.floats(min_value=0.5, max_value=5.0),
    elasticity=st.floats(min_value=0.0, max_value=2.0),
    cap=st.floats(min_value=10.0, max_value=1.0e15),
)
def test_cost_never_rises_and_equals_base_at_base_year(base, rate, shape_index, ceiling, per_doubling,
                                                        spend_growth, elasticity, cap):
    out = _mixture(capability_base_cost_usd=_col(base), decline_x_per_year=_col(rate),
                   shape_choice_index=_col(shape_index), decline_ceiling_x=_col(ceiling),
                   experience_decline_x_per_doubling=_col(per_doubling), budget_x_per_year=_col(spend_growth),
                   spend_price_elasticity=_col(elasticity), decline_cap_x=cap)
    cost = out["capability_cost_usd"]
    assert np.all(np.isfinite(cost)) and np.all(cost > 0)
    assert np.all(np.diff(cost, axis=1) <= 1e-12 * cost[:, :-1])
    base_col = int(np.nonzero(YEARS[0] == BASE_YEAR)[0][0])
    assert cost[0, base_col] == base
    assert out["cost_decline_x"][0, base_col] == 1.0
    assert np.all(out["cost_decline_x"] <= cap * (1 + 1e-12))


def test_mixture_returns_samples_by_years_and_each_shape_differs():
    out = _mixture(shape_choice_index=np.array([[0.0], [1.0], [2.0]]))
    assert out["capability_cost_usd"].shape == (3, YEARS.shape[1])
    assert out["capped_flag"].shape == (3, YEARS.shape[1])
    last = out["cost_decline_x"][:, -1]
    assert len(set(np.round(np.log10(last), 6))) == 3


@FAST
@given(rate=st.floats(min_value=1.01, max_value=20.0))
def test_all_shapes_share_the_initial_rate(rate):
    year = np.array([[BASE_YEAR, BASE_YEAR + 1e-6]])
    out = _mixture(year=year, decline_x_per_year=_col(rate), shape_choice_index=np.array([[0.0], [1.0], [2.0]]))
    slope = np.log(out["cost_decline_x"][:, 1]) / 1e-6
    np.testing.assert_allclose(slope, np.log(rate), rtol=1e-3)


def test_exponential_shape_is_a_constant_rate():
    out = _mixture(decline_x_per_year=_col(4.0), decline_cap_x=1.0e40)
    np.testing.assert_allclose(out["cost_decline_x"][0], 4.0 ** (YEARS[0] - BASE_YEAR), rtol=1e-12)
    ref = exponential_capability_cost(year=YEARS, base_year=BASE_YEAR, capability_base_cost_usd=_col(4.0e7),
                                      decline_x_per_year=_col(4.0))
    np.testing.assert_allclose(out["capability_cost_usd"], ref["capability_cost_usd"], rtol=1e-12)


@FAST
@given(rate=st.floats(min_value=1.1, max_value=10.0), ceiling=st.floats(min_value=10.0, max_value=1.0e6))
def test_logistic_shape_saturates_at_its_ceiling(rate, ceiling):
    out = _mixture(year=np.array([[BASE_YEAR + 5000.0]]), decline_x_per_year=_col(rate),
                   shape_choice_index=_col(1.0), decline_ceiling_x=_col(ceiling))
    np.testing.assert_allclose(out["cost_decline_x"], ceiling, rtol=1e-6)


@FAST
@given(
    rate=st.floats(min_value=1.2, max_value=8.0),
    per_doubling=st.floats(min_value=1.1, max_value=1.6),
    spend_growth=st.floats(min_value=1.0, max_value=3.0),
    elasticity=st.floats(min_value=0.0, max_value=0.6),
)
def test_experience_curve_matches_its_differential_equation(rate, per_doubling, spend_growth, elasticity):
    """Closed form vs a numerical solution of dx/dt = u0 e^(g t) x^k, L = lam ln x."""
    lam = np.log2(per_doubling)
    k = lam * (1 + elasticity)
    u0, g = np.log(rate) / lam, np.log(spend_growth)
    horizon = 3.0
    sol = solve_ivp(lambda t, lx: u0 * np.exp(g * t + (k - 1) * lx), (0.0, horizon), [0.0],
                    t_eval=[1.0, 2.0, horizon], rtol=1e-10, atol=1e-12)
    if not sol.success or not np.all(np.isfinite(sol.y)) or lam * sol.y.max() > np.log(1.0e12):
        return  # diverged or capped: covered by the capping test
    out = _mixture(year=BASE_YEAR + np.array([[1.0, 2.0, horizon]]), decline_x_per_year=_col(rate),
                   shape_choice_index=_col(2.0), experience_decline_x_per_doubling=_col(per_doubling),
                   budget_x_per_year=_col(spend_growth), spend_price_elasticity=_col(elasticity))
    np.testing.assert_allclose(np.log(out["cost_decline_x"][0]), lam * sol.y[0], rtol=1e-5)


def test_finite_time_blow_up_is_capped_and_flagged():
    # lam = log2(1.6) = 0.68, k = lam * (1 + 1) = 1.36 > 1: diverges in finite time
    out = _mixture(year=np.arange(2024.0, 2031.0)[None, :], shape_choice_index=np.array([[2.0], [0.0]]),
                   experience_decline_x_per_doubling=_col(1.6), spend_price_elasticity=_col(1.0), decline_cap_x=1.0e9)
    assert np.all(np.isfinite(out["capability_cost_usd"]))
    assert out["capped_flag"][0, -1] == 1.0 and out["capped_flag"][1, -1] == 0.0
    np.testing.assert_allclose(out["cost_decline_x"][0, -1], 1.0e9)
    assert np.all(np.diff(out["capped_flag"], axis=1) >= 0)  # once capped, stays capped


def test_components_multiply_and_halving_times_convert():
    hw = x_per_year_from_doubling_time(doubling_time_years=_col(2.5))["growth_x_per_year"]
    algo = x_per_year_from_doubling_time(doubling_time_years=_col(8.0 / 12.0))["growth_x_per_year"]
    np.testing.assert_allclose(hw ** 2.5, 2.0)
    total = decline_from_components(hardware_flop_per_usd_x_per_year=hw, algorithmic_efficiency_x_per_year=algo)
    np.testing.assert_allclose(total["decline_x_per_year"], hw * algo)
    np.testing.assert_allclose(total["decline_x_per_year"], 3.7, rtol=0.02)  # ~ the essay's ~4x


def test_price_performance_grows_from_its_base():
    out = price_performance_trend(year=YEARS, base_year=BASE_YEAR, base_hardware_flop_per_usd=_col(1.8e18),
                                  hardware_flop_per_usd_x_per_year=_col(1.32))["hardware_flop_per_usd"]
    np.testing.assert_allclose(out[0], 1.8e18 * 1.32 ** (YEARS[0] - BASE_YEAR), rtol=1e-12)


def test_on_trend_reproduces_the_essays_8x():
    out = on_trend_cost(reference_cost_usd=_col(4.0e7), lag_years=_col(1.0), decline_x_per_year=_col(4.0),
                        effective_compute_gap_x=_col(2.0))
    np.testing.assert_allclose(out["on_trend_cheaper_x"], 8.0)
    np.testing.assert_allclose(out["on_trend_cost_usd"], 5.0e6)


@FAST
@given(shortfall=st.floats(min_value=1e-3, max_value=1e12), rate=st.floats(min_value=1.05, max_value=20.0))
def test_catch_up_years_close_the_gap(shortfall, rate):
    years = years_to_close_gap(compute_shortfall_x=_col(shortfall), decline_x_per_year=_col(rate))["catch_up_years"]
    assert np.all(years >= 0)
    remaining = shortfall / rate ** years
    np.testing.assert_allclose(remaining, min(shortfall, 1.0), rtol=1e-9)
