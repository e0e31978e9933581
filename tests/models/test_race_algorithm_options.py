"""Scale-dependent algorithmic gains and the post-training / RL multiplier of race_algorithms (issue 16.6).

Each property fails when its mechanism is removed: switched off they reproduce the old race exactly;
the scale-dependent share pays off by a logistic in log10 of the largest run (more compute never
lowers it); post-training adds its own capped multiplier that reaches the follower after its delay.
"""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from race_fixtures import ALGORITHMS, INF, N, NEUTRAL, SETTINGS, column, log_uniform

from costsim.models.compute_race import race_algorithms
from costsim.registry import MODELS

OPTIONS = ("scale_dependent_algo_frac", "scale_payoff_midpoint_flop", "scale_payoff_midpoint_x_per_year",
           "scale_payoff_width_x", "post_training_x_per_year", "post_training_cap_x", "post_training_delay_years")
ON = {
    **ALGORITHMS,
    "algo_efficiency_cap_x": column(log_uniform(1.0, 1e12)),
    "scale_dependent_algo_frac": column(st.floats(0.0, 1.0)),
    "post_training_x_per_year": column(st.floats(1.0, 4.0)),
}
years_st = st.integers(2, 16).map(lambda t: np.arange(2025.0, 2025.0 + t)[None, :])


def _runs(t):
    """Largest-run physical FLOP, (N, t, 2), growing or not, each bloc on its own path."""
    start = st.lists(log_uniform(1e22, 1e28), min_size=2 * N, max_size=2 * N)
    growth = st.lists(st.floats(1.0, 4.0), min_size=2 * N, max_size=2 * N)
    return st.tuples(start, growth).map(
        lambda sg: (np.array(sg[0]).reshape(N, 1, 2) * np.array(sg[1]).reshape(N, 1, 2) ** np.arange(t)[None, :, None]))


@st.composite
def cases(draw, params=ON):
    year = draw(years_st)
    return year, draw(_runs(year.shape[1])), draw(st.fixed_dictionaries(params))


def algorithms(year, runs, p):
    inputs = MODELS["race_algorithms"].inputs
    env = {"year": year, "largest_run_flop": runs, **p}
    return race_algorithms(**{name: env[name] for name in inputs})


@SETTINGS
@given(case=cases())
def test_switched_off_the_options_reproduce_the_old_race_exactly(case):
    """Share 0 and post-training growth 1 give the same arrays as payoff 1 everywhere and a cap of 1."""
    year, runs, p = case
    off = algorithms(year, runs, {**p, "scale_dependent_algo_frac": 0.0, "post_training_x_per_year": 1.0})
    # the same race reached the other way: a midpoint far below every run (all gains pay off) and no room for post-training
    other = algorithms(year, runs, {**p, "scale_payoff_midpoint_flop": 1e-300, "scale_payoff_midpoint_x_per_year": 1.0,
                                    "post_training_cap_x": 1.0})
    for name in ("algo_efficiency_x", "largest_run_effective_flop", "bloc_capability_score"):
        np.testing.assert_array_equal(off[name], other[name], err_msg=name)
    np.testing.assert_array_equal(off["post_training_x"], 1.0)


@SETTINGS
@given(case=cases(), k=st.floats(1.0, 1e3))
def test_more_compute_never_lowers_the_payoff_or_the_efficiency(case, k):
    year, runs, p = case
    p = {**p, "post_training_x_per_year": 1.0}
    small, large = algorithms(year, runs, p), algorithms(year, runs * k, p)
    assert np.all(large["scale_payoff_frac"] >= small["scale_payoff_frac"] - 1e-12)
    assert np.all(large["algo_efficiency_x"] >= small["algo_efficiency_x"] * (1 - 1e-9))
    assert np.all((small["scale_payoff_frac"] >= 0.0) & (large["scale_payoff_frac"] <= 1.0))


@SETTINGS
@given(case=cases(), k=st.floats(0.0, 1.0))
def test_a_larger_scale_dependent_share_never_raises_the_efficiency(case, k):
    year, runs, p = case
    more = algorithms(year, runs, p)
    less = algorithms(year, runs, {**p, "scale_dependent_algo_frac": p["scale_dependent_algo_frac"] * k})
    assert np.all(more["algo_efficiency_x"] <= less["algo_efficiency_x"] * (1 + 1e-9))
    assert np.all(more["largest_run_effective_flop"] <= less["largest_run_effective_flop"] * (1 + 1e-9))


def test_the_scale_dependent_share_by_hand():
    """Leader doubling yearly, half its gains scale-dependent, a run one decade below a fixed midpoint."""
    year = np.arange(2025.0, 2030.0)[None, :]
    runs = np.stack([np.full(5, 1e24), np.full(5, 1e26)], axis=-1)[None]  # the follower at the midpoint
    p = {name: NEUTRAL.get(name, 1.0) for name in MODELS["race_algorithms"].inputs if name not in ("year", "largest_run_flop")}
    p.update(leader_algo_doubling_years=1.0, follower_algo_doubling_years=1.0, follower_initial_algo_ratio=1.0,
             diffusion_delay_years=0.0, necessity_elasticity=0.0, ai_speedup_threshold_flop=1e60, ai_speedup_x=1.0,
             algo_efficiency_cap_x=INF, distillation_frac=0.0, capability_reference_flop=1e25,
             scale_dependent_algo_frac=0.5, scale_payoff_midpoint_flop=1e25, scale_payoff_midpoint_x_per_year=1.0,
             scale_payoff_width_x=10.0)
    out = algorithms(year, runs, p)
    known = np.log10(2.0) * np.arange(5.0)  # both blocs know the leader's algorithms (no delay)
    leader_payoff = 1.0 / (1.0 + 10.0)  # one decade below the midpoint, width one decade
    follower_payoff = 1.0 / (1.0 + 0.1)  # one decade above
    np.testing.assert_allclose(out["scale_payoff_frac"][0, :, 0], leader_payoff)
    np.testing.assert_allclose(out["scale_payoff_frac"][0, :, 1], follower_payoff)
    np.testing.assert_allclose(np.log10(out["algo_efficiency_x"][0, :, 0]), known * (1 - 0.5 * (1 - leader_payoff)))
    np.testing.assert_allclose(np.log10(out["algo_efficiency_x"][0, :, 1]), known * (1 - 0.5 * (1 - follower_payoff)))


def test_post_training_grows_to_its_ceiling_and_reaches_the_follower_late():
    year = np.arange(2025.0, 2033.0)[None, :]
    runs = np.full((1, 8, 2), 1e25)
    p = {name: NEUTRAL.get(name, 1.0) for name in MODELS["race_algorithms"].inputs if name not in ("year", "largest_run_flop")}
    p.update(leader_algo_doubling_years=1e12, follower_algo_doubling_years=1e12, follower_initial_algo_ratio=1.0,
             diffusion_delay_years=0.0, necessity_elasticity=0.0, ai_speedup_threshold_flop=1e60, ai_speedup_x=1.0,
             algo_efficiency_cap_x=INF, distillation_frac=0.0, capability_reference_flop=1e25,
             scale_dependent_algo_frac=0.0, post_training_x_per_year=3.0, post_training_cap_x=100.0,
             post_training_delay_years=1.5)
    out = algorithms(year, runs, p)
    e = np.arange(8.0)
    np.testing.assert_allclose(out["post_training_x"][0, :, 0], np.minimum(3.0**e, 100.0))
    np.testing.assert_allclose(out["post_training_x"][0, :, 1], np.minimum(3.0 ** np.maximum(e - 1.5, 0.0), 100.0))
    # the pre-training trajectories are flat here, so the whole efficiency is post-training's
    np.testing.assert_allclose(out["algo_efficiency_x"][0], out["post_training_x"][0], rtol=1e-9)


@SETTINGS
@given(case=cases(), k=st.floats(0.0, 1.0), extra=st.floats(0.0, 3.0))
def test_post_training_never_lowers_effective_flop_and_a_longer_delay_never_helps_the_follower(case, k, extra):
    year, runs, p = case
    on = algorithms(year, runs, p)
    off = algorithms(year, runs, {**p, "post_training_x_per_year": 1.0})
    assert np.all(on["largest_run_effective_flop"] >= off["largest_run_effective_flop"] * (1 - 1e-9))
    assert np.all(on["post_training_x"] <= p["post_training_cap_x"][..., None] * (1 + 1e-9))
    slower = algorithms(year, runs, {**p, "post_training_x_per_year": 1.0 + (p["post_training_x_per_year"] - 1.0) * k})
    assert np.all(slower["post_training_x"] <= on["post_training_x"] * (1 + 1e-9))
    later = algorithms(year, runs, {**p, "post_training_delay_years": p["post_training_delay_years"] + extra})
    np.testing.assert_array_equal(later["post_training_x"][..., 0], on["post_training_x"][..., 0])
    assert np.all(later["post_training_x"][..., 1] <= on["post_training_x"][..., 1] * (1 + 1e-12))
