"""Invariants of the race's conservation, caps, channels, serving, diffusion and policy timeline.

Each property fails when its mechanism is removed: chips are conserved; a binding cap never raises
output and an infinite one reproduces the uncapped race; tightening any follower channel never
raises the follower's compute; identical blocs give no gap; diffusion delays the follower's
algorithms by the stated lag; an inference-chip ban can change what the follower fields.
"""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from race_fixtures import ALL, INF, NEUTRAL, SETTINGS, column, identical_blocs, log_uniform, race, years_st

from costsim.models.compute_race import race_algorithms, race_chip_supply, race_threshold_crossing
from costsim.models.race_limits import policy_timeline, race_inference, race_policy_timeline
from costsim.registry import MODELS

# Every mechanism switched on, with finite caps that bind in some draws.
ON = {
    **ALL,
    "cowos_wafers_count_per_year": column(log_uniform(1e3, 1e6)),
    "hbm_packages_count_per_year": column(log_uniform(1e4, 1e8)),
    "leader_power_cap_w": column(log_uniform(1e8, 1e11)),
    "follower_power_cap_w": column(log_uniform(1e7, 1e11)),
    "campus_power_cap_w": column(log_uniform(1e7, 1e10)),
    "domestic_hbm_chips_per_year": column(log_uniform(1e3, 1e7)),
    "domestic_hbm_x_per_year": column(st.floats(1.0, 2.0)),
    "follower_smuggling_budget_usd_per_year": column(log_uniform(1e8, 1e11)),
    "follower_remote_budget_usd_per_year": column(log_uniform(1e8, 1e11)),
    "remote_access_frac": column(st.floats(0.0, 0.2)),
    "electricity_usd_per_kwh": column(st.floats(0.0, 0.2)),
    "algo_efficiency_cap_x": column(log_uniform(1.0, 1e8)),
    "distillation_frac": column(st.floats(0.0, 0.5)),
    "serving_weight_exponent": column(st.floats(0.0, 1.0)),
    "leader_budget_ceiling_gdp_frac": column(log_uniform(1e-3, 0.3)),
    "follower_budget_ceiling_gdp_frac": column(log_uniform(1e-3, 0.3)),
}
on_st = st.fixed_dictionaries(ON)
# the scale-dependent gains and the post-training multiplier switched off (test_race_algorithm_options.py)
ALGO_OPTIONS_OFF = {name: NEUTRAL[name] for name in (
    "scale_dependent_algo_frac", "scale_payoff_midpoint_flop", "scale_payoff_midpoint_x_per_year",
    "scale_payoff_width_x", "post_training_x_per_year", "post_training_cap_x", "post_training_delay_years")}
SLACK = 1e-9
FOLLOWER_COMPUTE = ("stock_h100e", "usable_h100e", "largest_run_flop", "largest_run_effective_flop",
                    "fielded_effective_flop")


# ---------------------------------------------------------------------------------- conservation


@SETTINGS
@given(year=years_st, p=on_st)
def test_chips_installed_and_retired_never_exceed_production(year, p):
    """15.3: every installed chip was produced; smuggled chips come out of the leader bloc's purchases."""
    out = race(year, p)
    installed = out["installed_h100e_per_year"]
    produced = out["chips_produced_h100e_per_year"]
    assert np.all(installed.sum(axis=-1)[:, 1:] <= produced[:, 1:] * (1 + SLACK))
    assert np.all(installed >= 0.0)
    delivered = out["chip_flow_h100e_per_year"].sum(axis=-1)
    np.testing.assert_allclose(delivered, produced, rtol=1e-9)  # what the blocs receive is what was made
    assert np.all(out["chip_flow_h100e_per_year"][..., 0] >= -SLACK)  # smuggling never overdraws the leader
    # the stock is initial + installed - retired, year by year
    years = year[0]
    dt = np.diff(years)[None, :, None]
    stock = out["stock_h100e"]
    np.testing.assert_allclose(stock[:, 1:], stock[:, :-1] + (installed[:, 1:] - out["retired_h100e_per_year"][:, 1:]) * dt,
                               rtol=1e-9, atol=1e-6)


@SETTINGS
@given(year=years_st.filter(lambda y: y.shape[1] > 2), p=on_st)
def test_a_leak_takes_chips_from_the_leader(year, p):
    """With everything leaking and nothing enforced the leader's stock is lower, never unchanged."""
    q = {**p, "follower_power_cap_w": INF, "leader_power_cap_w": INF}
    sealed = race(year, {**q, "leak_frac": 0.0})
    leaking = race(year, {**q, "leak_frac": 1.0, "enforcement_frac": 0.0})
    gained = leaking["stock_h100e"][..., 1] - sealed["stock_h100e"][..., 1]
    lost = sealed["stock_h100e"][..., 0] - leaking["stock_h100e"][..., 0]
    np.testing.assert_allclose(lost, gained, rtol=1e-7, atol=1e-3)  # what the follower gains the leader loses
    assert np.all(lost >= -1e-3)


def test_smuggled_chips_cost_the_markup():
    year = np.array([[2025.0]])
    base = {name: 1.0 for name in MODELS["race_chip_supply"].inputs}
    base.update(NEUTRAL)
    base.update(year=year, market_price_usd_per_h100e=4.0e4, price_performance_doubling_years=2.5,
                leader_budget_usd_per_year=4.0e10, leader_budget_cap_usd_per_year=1e12,
                follower_budget_usd_per_year=0.0, follower_budget_cap_usd_per_year=1e12, leak_frac=0.5,
                enforcement_frac=0.0, smuggling_markup_ratio=2.0, follower_smuggling_budget_usd_per_year=4.0e9,
                domestic_capacity_chips_per_year=0.0, market_supply_cap_h100e_per_year=INF,
                bloc_h100e_power_w=np.full((1, 1, 2), 1000.0))
    base = {k: v for k, v in base.items() if k in MODELS["race_chip_supply"].inputs}
    out = race_chip_supply(**base)
    # 1e6 chips bought by the leader bloc, half would leak, but 4e9 USD at 2 x 4e4 buys 5e4
    np.testing.assert_allclose(out["follower_smuggled_h100e_per_year"], [[5.0e4]])
    np.testing.assert_allclose(out["chip_flow_h100e_per_year"][0, 0], [1.0e6 - 5.0e4, 5.0e4])
    np.testing.assert_allclose(out["follower_foreign_spend_usd_per_year"], [[4.0e9]])


# ---------------------------------------------------------------------------------- caps

CAPS = {
    "packaging": ("cowos_wafers_count_per_year",),
    "hbm": ("hbm_packages_count_per_year",),
    "leader power": ("leader_power_cap_w",),
    "follower power": ("follower_power_cap_w",),
    "campus": ("campus_power_cap_w",),
    "domestic hbm": ("domestic_hbm_chips_per_year",),
    "algorithmic ceiling": ("algo_efficiency_cap_x",),
}
# (the money ceilings cap one bloc's spending, which moves chips to the other bloc: their
# per-bloc property is in test_race_money.py; the follower's is also a channel below)


@SETTINGS
@given(year=years_st, p=on_st, which=st.sampled_from(sorted(CAPS)), k=st.floats(0.0, 1.0))
def test_a_tighter_cap_never_raises_output(year, p, which, k):
    q = {**p, "remote_access_frac": 0.0}
    loose = race(year, q)
    tight_params = dict(q)
    for name in CAPS[which]:
        floor = 1.0 if name == "algo_efficiency_cap_x" else 0.0  # the ceiling is a multiple >= 1
        # domain: a campus, and a bloc (session 8: its fleet is retired beyond its power), has power > 0
        shrink = max(k, 1e-6) if name.endswith("power_cap_w") else k
        tight_params[name] = floor + (q[name] - floor) * shrink
    tight = race(year, tight_params)
    # fielded FLOP where the follower's power never binds (the mix effect of the channel test)
    unbound = ~((tight["unpowered_h100e_per_year"][..., 1] > 0).any(axis=1)
                | (loose["unpowered_h100e_per_year"][..., 1] > 0).any(axis=1))
    for name in ("stock_h100e", "largest_run_flop", "largest_run_effective_flop", "fielded_effective_flop"):
        rows = unbound if name == "fielded_effective_flop" else slice(None)
        assert np.all((tight[name] <= loose[name] * (1 + SLACK) + 1e-300)[rows]), (which, name)


@SETTINGS
@given(year=years_st, p=st.fixed_dictionaries(ALL))
def test_infinite_caps_reproduce_the_uncapped_race(year, p):
    """inf caps give exactly the closed forms the race had without them."""
    out = race(year, p)
    elapsed = year - year[0, 0]
    price = p["market_price_usd_per_h100e"] * np.exp2(-elapsed / p["price_performance_doubling_years"])
    budget = np.minimum(p["leader_budget_usd_per_year"] * p["leader_budget_x_per_year"] ** elapsed,
                        p["leader_budget_cap_usd_per_year"])
    flow = out["chip_flow_h100e_per_year"]
    np.testing.assert_allclose(flow[..., 0] + out["follower_smuggled_h100e_per_year"], budget / price, rtol=1e-12)
    np.testing.assert_array_equal(out["installed_h100e_per_year"][:, 1:], flow[:, 1:])
    np.testing.assert_array_equal(out["unpowered_h100e_per_year"], 0.0)
    share = np.stack([p["leader_run_share_frac"], p["follower_run_share_frac"]], axis=-1)
    per_h100e = p["h100_peak_flop_per_s"] * p["utilization_frac"] * p["run_length_years"] * 365.25 * 86400
    np.testing.assert_allclose(out["largest_run_flop"], out["stock_h100e"] * share * per_h100e[..., None], rtol=1e-12)
    np.testing.assert_array_equal(out["fielded_effective_flop"], out["largest_run_effective_flop"])


# ---------------------------------------------------------------------------------- channels

CHANNELS = {
    "less allowed import": lambda p, k: {"allowed_import_frac": p["allowed_import_frac"] * k},
    "weaker allowed chip": lambda p, k: {"allowed_chip_perf_ratio": p["allowed_chip_perf_ratio"] * k},
    "less leakage": lambda p, k: {"leak_frac": p["leak_frac"] * k},
    "more enforcement": lambda p, k: {"enforcement_frac": 1.0 - (1.0 - p["enforcement_frac"]) * k},
    "dearer smuggling": lambda p, k: {"smuggling_markup_ratio": p["smuggling_markup_ratio"] / max(k, 1e-3)},
    "smaller smuggling budget": lambda p, k: {"follower_smuggling_budget_usd_per_year":
                                              p["follower_smuggling_budget_usd_per_year"] * k},
    "less remote access": lambda p, k: {"remote_access_frac": p["remote_access_frac"] * k},
    "smaller remote budget": lambda p, k: {"follower_remote_budget_usd_per_year":
                                           p["follower_remote_budget_usd_per_year"] * k},
    "smaller domestic capacity": lambda p, k: {"domestic_capacity_chips_per_year":
                                               p["domestic_capacity_chips_per_year"] * k},
    "lower domestic yield": lambda p, k: {"domestic_yield_frac": p["domestic_yield_frac"] * k},
    "less domestic hbm": lambda p, k: {"domestic_hbm_chips_per_year": p["domestic_hbm_chips_per_year"] * k},
    "less distillation": lambda p, k: {"distillation_frac": p["distillation_frac"] * k},
    "lower money ceiling": lambda p, k: {"follower_budget_ceiling_gdp_frac":
                                         p["follower_budget_ceiling_gdp_frac"] * max(k, 1e-6)},
}


HELPS_LEADER = {"less leakage", "more enforcement", "dearer smuggling", "smaller smuggling budget",
                "less remote access", "smaller remote budget", "lower money ceiling"}
FREES_PACKAGING = {"less allowed import", "lower money ceiling"}  # a lower ceiling cuts the import budget too
# the follower's import, smuggling and remote budgets share one wallet: under a binding ceiling or
# hard cap (session 8: the cap bounds their sum) a smaller budget in one leaves money to the others
# (pinned in test_race_money's substitution test)
SHARES_WALLET = {"smaller smuggling budget", "smaller remote budget"}


@SETTINGS
@given(year=years_st, p=on_st, which=st.sampled_from(sorted(CHANNELS)), k=st.floats(0.0, 1.0))
def test_tightening_any_follower_channel_never_helps_it(year, p, which, k):
    if which in HELPS_LEADER:
        # Known cross-channel effects: chips not smuggled and compute not rented stay with the
        # leader, which enlarges what the follower may rent (a follower at its power limit then
        # gains rented compute), what it may distil (when the distillation floor binds), and how
        # early the leader's AI speedup starts, whose faster algorithms the follower then copies.
        p = {**p, "follower_power_cap_w": INF, "distillation_frac": 0.0, "ai_speedup_x": 1.0}
    if which in FREES_PACKAGING:
        # Known cross-channel effect: under a binding packaging cap the slots fewer legal imports
        # free go to the leader, and leak x (1 - enforcement) of them is smuggled; the follower
        # gains when that share exceeds the allowed chip's perf ratio (pinned in its own test).
        p = {**p, "cowos_wafers_count_per_year": INF, "hbm_packages_count_per_year": INF}
    if which in SHARES_WALLET:
        p = {**p, "follower_budget_ceiling_gdp_frac": INF, "follower_budget_cap_usd_per_year": INF}
    loose = race(year, p)
    tight = race(year, {**p, **CHANNELS[which](p, k)})
    # Known mix effect: a follower at its power limit that loses low-bandwidth chips (domestic)
    # installs more high-bandwidth ones (H20s) in their place, so it can serve, and field, more.
    # Its FLOP/s compute never rises; the fielded check is made where its power never binds.
    unbound = ~((tight["unpowered_h100e_per_year"][..., 1] > 0).any(axis=1)
                | (loose["unpowered_h100e_per_year"][..., 1] > 0).any(axis=1))
    for name in FOLLOWER_COMPUTE:
        rows = unbound if name == "fielded_effective_flop" else slice(None)
        scale = SLACK * np.abs(loose[name]).max(axis=(1, 2), keepdims=True)[..., 0]  # rounding of bought - smuggled
        assert np.all((tight[name][..., 1] <= loose[name][..., 1] + scale)[rows]), (which, name)
        assert np.all((tight[name][..., 0] >= loose[name][..., 0] - scale)[rows]), (which, name)
    # the gap and the crossing read fielded FLOP, so the same rows
    assert np.all((tight["effective_flop_gap_ratio"] >= loose["effective_flop_gap_ratio"] * (1 - SLACK))[unbound])
    if which not in HELPS_LEADER:
        # past the horizon both crossings are extrapolated at the leader's final-year pace, so a
        # leader that gains chips can move the follower's extrapolated crossing either way
        assert np.all((tight["lead_at_crossing_years"] >= loose["lead_at_crossing_years"] - 1e-9)[unbound])


def test_an_import_ban_under_a_binding_packaging_cap_can_feed_smuggling():
    """The finding behind FREES_PACKAGING: freed slots go to the leader bloc, some are smuggled."""
    year = np.array([[2025.0]])
    base = {**NEUTRAL, "year": year, "market_price_usd_per_h100e": 4.0e4, "price_performance_doubling_years": 2.5,
            "leader_budget_usd_per_year": 4.0e11, "leader_budget_x_per_year": 1.0, "leader_budget_cap_usd_per_year": 1e12,
            "follower_budget_usd_per_year": 4.0e10, "follower_budget_x_per_year": 1.0,
            "follower_budget_cap_usd_per_year": 1e12, "allowed_import_frac": 1.0, "allowed_chip_perf_ratio": 0.15,
            "allowed_chip_price_ratio": 0.5, "allowed_chip_membw_ratio": 1.2, "leak_frac": 0.3, "enforcement_frac": 0.0,
            "domestic_capacity_chips_per_year": 0.0, "domestic_ramp_x_per_year": 1.0,
            "domestic_capacity_cap_chips_per_year": 0.0, "domestic_yield_frac": 0.5, "domestic_perf_ratio": 0.5,
            "domestic_perf_x_per_year": 1.0, "domestic_membw_ratio": 0.5, "domestic_price_usd_per_chip": 1e4,
            "market_supply_cap_h100e_per_year": 5.0e6, "bloc_h100e_power_w": np.full((1, 1, 2), 1000.0)}
    base = {k: v for k, v in base.items() if k in MODELS["race_chip_supply"].inputs}
    allowed = race_chip_supply(**base)
    banned = race_chip_supply(**{**base, "allowed_import_frac": 0.0})
    follower = lambda out: out["chip_flow_h100e_per_year"][0, 0, 1]  # noqa: E731
    assert follower(banned) > follower(allowed)  # 0.3 of the freed slots smuggled > 0.15 H100e per slot
    np.testing.assert_allclose(banned["chips_produced_h100e_per_year"], 5.0e6)


@SETTINGS
@given(year=years_st, p=on_st)
def test_identical_blocs_have_no_gap_with_every_cap_on(year, p):
    out = race(year, identical_blocs(p))
    np.testing.assert_allclose(out["stock_h100e"][..., 0], out["stock_h100e"][..., 1], rtol=1e-12)
    np.testing.assert_allclose(out["effective_flop_gap_ratio"], 1.0, rtol=1e-9)
    np.testing.assert_allclose(out["follower_lag_years"], 0.0, atol=1e-9)
    np.testing.assert_allclose(out["unipolar_window_years"], 0.0, atol=1e-9)


# ---------------------------------------------------------------------------------- algorithms


@SETTINGS
@given(delay=st.floats(0.0, 3.0), doubling=st.floats(0.3, 2.0), t=st.integers(2, 12))
def test_diffusion_delays_the_followers_algorithms_by_the_stated_lag(delay, doubling, t):
    """With no progress of its own the follower's algorithms are the leader's of `delay` years before."""
    years = np.arange(2025.0, 2025.0 + t)[None, :]
    out = race_algorithms(
        year=years, largest_run_flop=np.full((1, t, 2), 1e25), leader_algo_doubling_years=doubling,
        follower_algo_doubling_years=1e12, follower_initial_algo_ratio=1e-12, diffusion_delay_years=delay,
        necessity_elasticity=0.0, ai_speedup_threshold_flop=1e60, ai_speedup_x=1.0, algo_efficiency_cap_x=INF,
        distillation_frac=0.0, distillation_delay_years=0.0, capability_reference_flop=1e25, **ALGO_OPTIONS_OFF)
    expected = np.exp2((years[0] - years[0, 0] - delay) / doubling)
    np.testing.assert_allclose(out["algo_efficiency_x"][0, :, 0], np.exp2((years[0] - years[0, 0]) / doubling))
    np.testing.assert_allclose(out["algo_efficiency_x"][0, :, 1], expected, rtol=1e-6)


@SETTINGS
@given(year=years_st, p=on_st)
def test_the_algorithmic_multiplier_saturates(year, p):
    out = race(year, {**p, "follower_initial_algo_ratio": np.minimum(p["follower_initial_algo_ratio"], 1.0)})
    cap = p["algo_efficiency_cap_x"][..., None]
    assert np.all(out["algo_efficiency_x"] <= cap * (1 + SLACK))


def test_distillation_gives_the_follower_a_delayed_share_of_the_leader():
    years = np.arange(2025.0, 2031.0)[None, :]
    phys = np.stack([np.full(6, 1e27), np.full(6, 1e20)], axis=-1)[None]
    kwargs = dict(year=years, largest_run_flop=phys, leader_algo_doubling_years=1.0, follower_algo_doubling_years=1.0,
                  follower_initial_algo_ratio=1.0, diffusion_delay_years=0.0, necessity_elasticity=0.0,
                  ai_speedup_threshold_flop=1e60, ai_speedup_x=1.0, algo_efficiency_cap_x=INF,
                  distillation_delay_years=1.0, capability_reference_flop=1e25, **ALGO_OPTIONS_OFF)
    on = race_algorithms(distillation_frac=0.1, **kwargs)["largest_run_effective_flop"][0]
    off = race_algorithms(distillation_frac=0.0, **kwargs)["largest_run_effective_flop"][0]
    np.testing.assert_allclose(on[1:, 1], 0.1 * on[:-1, 0], rtol=1e-9)  # a tenth of last year's leader
    np.testing.assert_allclose(off[:, 1], 1e20 * np.exp2(np.arange(6)), rtol=1e-9)


# ---------------------------------------------------------------------------------- inference


def test_an_inference_chip_ban_changes_what_the_follower_fields():
    """H20s add no training FLOP here, only bandwidth: a ban moves the outcome through serving alone."""
    year = np.arange(2025.0, 2031.0)[None, :]
    p = {name: NEUTRAL.get(name, 1.0) for name in ALL}
    p.update(NEUTRAL)
    p.update(market_price_usd_per_h100e=4.0e4, price_performance_doubling_years=2.5,
             leader_budget_usd_per_year=1.0e11, leader_budget_x_per_year=1.5, leader_budget_cap_usd_per_year=1.0e12,
             follower_budget_usd_per_year=2.0e10, follower_budget_x_per_year=1.5,
             follower_budget_cap_usd_per_year=1.0e11, allowed_import_frac=1.0, allowed_chip_perf_ratio=0.0,
             allowed_chip_price_ratio=0.5, allowed_chip_membw_ratio=1.194, leak_frac=0.0, enforcement_frac=0.0,
             domestic_capacity_chips_per_year=1.0e5, domestic_ramp_x_per_year=1.3, domestic_capacity_cap_chips_per_year=1e6,
             domestic_yield_frac=0.5, domestic_perf_ratio=0.5, domestic_perf_x_per_year=1.1, domestic_membw_ratio=0.5,
             domestic_price_usd_per_chip=1.5e4, leader_initial_stock_h100e=5e6, follower_initial_stock_h100e=5e5,
             leader_initial_membw_ratio=1.0, follower_initial_membw_ratio=2.0, depreciation_per_year=0.2,
             leader_run_share_frac=0.02, follower_run_share_frac=0.01, utilization_frac=0.4, run_length_years=0.3,
             h100_peak_flop_per_s=9.894e14, leader_algo_doubling_years=0.7, follower_algo_doubling_years=0.7,
             follower_initial_algo_ratio=0.8, diffusion_delay_years=1.0, necessity_elasticity=0.0,
             ai_speedup_threshold_flop=1e60, ai_speedup_x=1.0, capability_reference_flop=3.8e25,
             powerful_ai_threshold_flop=1e28, extrapolation_limit_years=10.0, unipolar_window_min_years=2.0,
             follower_serving_demand_membw_h100e=2.0e6, serving_weight_exponent=1.0)
    allowed, banned = race(year, p), race(year, {**p, "allowed_import_frac": 0.0})
    np.testing.assert_array_equal(allowed["largest_run_flop"], banned["largest_run_flop"])  # no training effect
    assert np.all(banned["fielded_effective_flop"][0, 1:, 1] < allowed["fielded_effective_flop"][0, 1:, 1])
    assert np.all(banned["follower_lag_years"][0] >= allowed["follower_lag_years"][0])
    assert banned["follower_lag_years"][0, -1] > allowed["follower_lag_years"][0, -1]
    # with serving switched off the ban changes nothing
    off = {**p, "serving_weight_exponent": 0.0}
    np.testing.assert_array_equal(race(year, off)["follower_lag_years"],
                                  race(year, {**off, "allowed_import_frac": 0.0})["follower_lag_years"])


@SETTINGS
@given(share=st.floats(0.0, 1.0), demand=log_uniform(1e3, 1e9), weight=st.floats(0.0, 2.0), k=st.floats(0.0, 1.0))
def test_less_serving_bandwidth_never_fields_more(share, demand, weight, k):
    year = np.arange(2025.0, 2029.0)[None, :]
    membw = np.full((1, 4, 2), 1e6)
    eff = np.full((1, 4, 2), 1e27)
    kwargs = dict(year=year, largest_run_effective_flop=eff, leader_serving_share_frac=share,
                  follower_serving_share_frac=share, leader_serving_demand_membw_h100e=demand,
                  follower_serving_demand_membw_h100e=demand, serving_demand_x_per_year=1.5,
                  serving_weight_exponent=weight)
    full = race_inference(stock_membw_h100e=membw, **kwargs)
    less = race_inference(stock_membw_h100e=membw * k, **kwargs)
    assert np.all(less["fielded_effective_flop"] <= full["fielded_effective_flop"] * (1 + SLACK))
    assert np.all(full["fielded_effective_flop"] <= eff * (1 + SLACK))
    assert np.all((full["served_demand_frac"] >= 0.0) & (full["served_demand_frac"] <= 1.0))


# ---------------------------------------------------------------------------------- unipolar window


def test_the_window_belongs_to_the_bloc_that_crosses_first():
    """15.4: a follower ahead gives the follower a window and the leader none."""
    years = np.arange(2025.0, 2031.0)
    leader = np.linspace(25.0, 27.0, 6)
    follower = np.linspace(25.0, 30.0, 6)
    eff = 10.0 ** np.stack([leader, follower], axis=-1)[None]
    out = race_threshold_crossing(year=years[None, :], largest_run_effective_flop=eff,
                                  powerful_ai_threshold_flop=1e28, extrapolation_limit_years=10.0,
                                  unipolar_window_min_years=2.0)
    lead = out["lead_at_crossing_years"][0]
    assert lead < -2.0
    np.testing.assert_allclose(out["unipolar_window_years"][0], [0.0, -lead])
    np.testing.assert_array_equal(out["unipolar_window_flag"][0], [0.0, 1.0])


@SETTINGS
@given(year=years_st, p=on_st)
def test_only_one_bloc_has_a_window(year, p):
    window = race(year, p)["unipolar_window_years"]
    assert np.all(window >= 0.0)
    assert np.all(np.minimum(window[:, 0], window[:, 1]) == 0.0)


# ---------------------------------------------------------------------------------- policy timeline


def _timeline_inputs(values_by_regime, starts):
    kwargs = dict(zip(("rule_2022_10_year", "rule_2023_10_year", "rule_2025_04_year", "rule_2025_08_year",
                       "rule_2025_12_year"), starts, strict=True))
    for regime, value in values_by_regime.items():
        for lever in ("allowed_import_frac", "allowed_chip_perf_ratio", "allowed_chip_price_ratio",
                      "allowed_chip_membw_ratio", "leak_frac", "enforcement_frac"):
            kwargs[f"{regime}_{lever}"] = value
    return kwargs


def test_the_timeline_weights_each_regime_by_its_time_in_the_year():
    year = np.arange(2021.0, 2028.0)[None, :]
    values = {"open": 0.0, "r2022": 1.0, "r2023": 2.0, "h20ban": 3.0, "h20share": 4.0, "h200": 5.0}
    starts = (2022.75, 2023.75, 2025.25, 2025.5, 2025.9)
    out = race_policy_timeline(year=year, **_timeline_inputs(values, starts))
    expected = [0.0, 0.75 * 0.0 + 0.25 * 1.0, 0.75 * 1.0 + 0.25 * 2.0, 2.0,
                0.25 * 2.0 + 0.25 * 3.0 + 0.4 * 4.0 + 0.1 * 5.0, 5.0, 5.0]
    for lever in MODELS["race_policy_timeline"].outputs:
        np.testing.assert_allclose(out[lever][0], expected, rtol=1e-12)


@SETTINGS
@given(starts=st.lists(st.floats(2020.0, 2030.0), min_size=5, max_size=5).map(sorted), t=st.integers(1, 12))
def test_timeline_weights_sum_to_one(starts, t):
    year = np.arange(2020.0, 2020.0 + t)[None, :]
    out = policy_timeline(year, starts, {"x_frac": [1.0] * 6})
    np.testing.assert_allclose(out["x_frac"], 1.0, rtol=1e-12)
