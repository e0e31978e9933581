"""Hypothesis strategies and a runner for the whole two-bloc race (imported by the race tests).

``race(year, p)`` runs every race model in scenario order on a parameter dict; ``params_st``
draws every input, with the caps (packaging, HBM, power, campus, algorithmic ceiling) at inf and
distillation, remote access and serving switched off, so the uncapped race is the default and a
test switches a mechanism on explicitly.
"""

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from costsim.models.compute_race import (
    race_algorithms,
    race_chip_supply,
    race_compute_stock,
    race_gap,
    race_threshold_crossing,
)
from costsim.models.race_limits import race_inference, race_packaging_supply, race_power_supply
from costsim.registry import MODELS

INF = float("inf")

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
N = 3  # samples per example: rows must not interact


def log_uniform(lo, hi):
    return st.floats(np.log10(lo), np.log10(hi)).map(lambda e: 10.0**e)


def column(strategy):
    """A per-sample parameter: an (N, 1) array."""
    return st.lists(strategy, min_size=N, max_size=N).map(lambda v: np.array(v, dtype=float)[:, None])


SUPPLY = {
    "market_price_usd_per_h100e": column(log_uniform(1e4, 1e5)),
    "price_performance_doubling_years": column(st.floats(1.0, 5.0)),
    "leader_budget_usd_per_year": column(log_uniform(1e9, 1e12)),
    "leader_budget_x_per_year": column(st.floats(1.0, 2.5)),
    "leader_budget_cap_usd_per_year": column(log_uniform(1e10, 1e13)),
    "follower_budget_usd_per_year": column(log_uniform(1e8, 1e12)),
    "follower_budget_x_per_year": column(st.floats(1.0, 2.5)),
    "follower_budget_cap_usd_per_year": column(log_uniform(1e9, 1e13)),
    "leader_gdp_usd": column(log_uniform(1e12, 1e14)),
    "follower_gdp_usd": column(log_uniform(1e12, 1e14)),
    "leader_gdp_x_per_year": column(st.floats(1.0, 1.1)),
    "follower_gdp_x_per_year": column(st.floats(1.0, 1.1)),
    "leader_budget_ceiling_gdp_frac": st.just(INF),
    "follower_budget_ceiling_gdp_frac": st.just(INF),
    "allowed_import_frac": column(st.floats(0.0, 1.0)),
    "allowed_chip_perf_ratio": column(st.floats(0.0, 1.0)),
    "allowed_chip_price_ratio": column(st.floats(0.2, 1.5)),
    "allowed_chip_membw_ratio": column(st.floats(0.0, 1.5)),
    "leak_frac": column(st.floats(0.0, 0.3)),
    "enforcement_frac": column(st.floats(0.0, 1.0)),
    "domestic_capacity_chips_per_year": column(log_uniform(1e3, 1e7)),
    "domestic_ramp_x_per_year": column(st.floats(1.0, 3.0)),
    "domestic_capacity_cap_chips_per_year": column(log_uniform(1e4, 1e8)),
    "domestic_yield_frac": column(st.floats(0.0, 1.0)),
    "domestic_perf_ratio": column(st.floats(0.0, 1.0)),
    "domestic_perf_x_per_year": column(st.floats(1.0, 1.5)),
    "domestic_membw_ratio": column(st.floats(0.0, 1.0)),
    "domestic_price_usd_per_chip": column(log_uniform(1e3, 1e5)),
    "domestic_hbm_chips_per_year": st.just(INF),
    "domestic_hbm_x_per_year": st.just(1.0),
    "smuggling_markup_ratio": column(st.floats(1.0, 3.0)),
    "follower_smuggling_budget_usd_per_year": st.just(INF),
    "follower_remote_budget_usd_per_year": st.just(0.0),
    "remote_rent_per_h100e_usd_per_year": column(log_uniform(5e3, 5e4)),
    "electricity_usd_per_kwh": st.just(0.0),
    "chip_service_years": column(st.floats(1.0, 6.0)),
}
PACKAGING = {
    "cowos_wafers_count_per_year": st.just(INF),
    "cowos_wafers_x_per_year": column(st.floats(1.0, 2.0)),
    "packages_per_wafer_count": column(st.floats(9.0, 30.0)),
    "package_yield_frac": column(st.floats(0.5, 1.0)),
    "hbm_packages_count_per_year": st.just(INF),
    "hbm_packages_x_per_year": column(st.floats(1.0, 2.0)),
    "frontier_package_h100e_ratio": column(st.floats(1.0, 2.5)),
    "frontier_package_perf_x_per_year": column(st.floats(1.0, 1.5)),
}
POWER = {
    "leader_power_cap_w": st.just(INF),
    "follower_power_cap_w": st.just(INF),
    "leader_power_x_per_year": column(st.floats(1.0, 2.0)),
    "follower_power_x_per_year": column(st.floats(1.0, 2.0)),
    "leader_h100e_power_w": column(st.floats(500.0, 2000.0)),
    "follower_h100e_power_w": column(st.floats(500.0, 4000.0)),
    "power_efficiency_x_per_year": column(st.floats(1.0, 1.4)),
    "campus_power_cap_w": st.just(INF),
    "campus_power_x_per_year": column(st.floats(1.0, 2.0)),
}
STOCK = {
    "leader_initial_stock_h100e": column(log_uniform(1e4, 1e8)),
    "follower_initial_stock_h100e": column(log_uniform(1e3, 1e8)),
    "leader_initial_membw_ratio": column(st.floats(0.5, 3.0)),
    "follower_initial_membw_ratio": column(st.floats(0.5, 3.0)),
    "depreciation_per_year": column(st.floats(0.0, 0.5)),
    "leader_run_share_frac": column(st.floats(0.001, 1.0)),
    "follower_run_share_frac": column(st.floats(0.001, 1.0)),
    "utilization_frac": column(st.floats(0.1, 0.6)),
    "run_length_years": column(st.floats(0.1, 1.0)),
    "h100_peak_flop_per_s": st.just(9.894e14),
    "remote_access_frac": st.just(0.0),
}
ALGORITHMS = {
    "leader_algo_doubling_years": column(st.floats(0.3, 3.0)),
    "follower_algo_doubling_years": column(st.floats(0.3, 3.0)),
    "follower_initial_algo_ratio": column(st.floats(0.1, 2.0)),
    "diffusion_delay_years": column(st.floats(0.0, 3.0)),
    "necessity_elasticity": st.just(0.0),
    "ai_speedup_threshold_flop": column(log_uniform(1e24, 1e32)),
    "ai_speedup_x": column(st.floats(1.0, 3.0)),
    "capability_reference_flop": st.just(3.8e25),
    "algo_efficiency_cap_x": st.just(INF),
    "distillation_frac": st.just(0.0),
    "distillation_delay_years": column(st.floats(0.0, 2.0)),
    "scale_dependent_algo_frac": st.just(0.0),
    "scale_payoff_midpoint_flop": column(log_uniform(1e23, 1e30)),
    "scale_payoff_midpoint_x_per_year": column(st.floats(1.0, 3.0)),
    "scale_payoff_width_x": column(st.floats(1.5, 1000.0)),
    "post_training_x_per_year": st.just(1.0),
    "post_training_cap_x": column(log_uniform(1.0, 1e3)),
    "post_training_delay_years": column(st.floats(0.0, 2.0)),
}
SERVING = {
    "leader_serving_share_frac": column(st.floats(0.1, 0.9)),
    "follower_serving_share_frac": column(st.floats(0.1, 0.9)),
    "leader_serving_demand_membw_h100e": column(log_uniform(1e4, 1e8)),
    "follower_serving_demand_membw_h100e": column(log_uniform(1e4, 1e8)),
    "serving_demand_x_per_year": column(st.floats(1.0, 3.0)),
    "serving_weight_exponent": st.just(0.0),
}
REPORTING = {
    "powerful_ai_threshold_flop": column(log_uniform(1e24, 1e32)),
    "extrapolation_limit_years": column(st.floats(0.0, 20.0)),
    "unipolar_window_min_years": st.just(2.0),
}
ALL = {**PACKAGING, **POWER, **SUPPLY, **STOCK, **ALGORITHMS, **SERVING, **REPORTING}
years_st = st.integers(2, 12).map(lambda t: np.arange(2025.0, 2025.0 + t)[None, :])
params_st = st.fixed_dictionaries(ALL)


RACE_MODELS = (race_packaging_supply, race_power_supply, race_chip_supply, race_compute_stock, race_algorithms,
               race_inference, race_gap, race_threshold_crossing)
READS_FIELDED = ("race_gap", "race_threshold_crossing")  # as the bundled scenarios bind them


def race(year, p):
    """Run the race models in scenario order; return every output."""
    out = {}
    for spec in RACE_MODELS:
        inputs = MODELS[spec.__name__].inputs
        env = {"year": year, **p, **out}
        if spec.__name__ in READS_FIELDED:
            env["largest_run_effective_flop"] = out["fielded_effective_flop"]
        out.update(spec(**{name: env[name] for name in inputs}))
    return out


def identical_blocs(p):
    """Make the follower a copy of the leader: open market, same budget, stock, shares, algorithms."""
    q = dict(p)
    q.update(
        follower_budget_usd_per_year=p["leader_budget_usd_per_year"],
        follower_budget_x_per_year=p["leader_budget_x_per_year"],
        follower_budget_cap_usd_per_year=p["leader_budget_cap_usd_per_year"],
        follower_gdp_usd=p["leader_gdp_usd"], follower_gdp_x_per_year=p["leader_gdp_x_per_year"],
        follower_budget_ceiling_gdp_frac=p["leader_budget_ceiling_gdp_frac"],
        allowed_import_frac=1.0, allowed_chip_perf_ratio=1.0, allowed_chip_price_ratio=1.0,
        allowed_chip_membw_ratio=1.0, leak_frac=0.0, enforcement_frac=0.0,
        # one budget, like the leader's: nothing else draws on the follower's wallet
        follower_smuggling_budget_usd_per_year=np.zeros_like(np.asarray(p["follower_smuggling_budget_usd_per_year"], dtype=float)),
        follower_remote_budget_usd_per_year=np.zeros_like(np.asarray(p["follower_remote_budget_usd_per_year"], dtype=float)),
        domestic_capacity_chips_per_year=0.0,
        follower_power_cap_w=p["leader_power_cap_w"], follower_power_x_per_year=p["leader_power_x_per_year"],
        follower_h100e_power_w=p["leader_h100e_power_w"],
        follower_serving_share_frac=p["leader_serving_share_frac"],
        follower_serving_demand_membw_h100e=p["leader_serving_demand_membw_h100e"],
        remote_access_frac=0.0, distillation_frac=0.0,
        follower_initial_stock_h100e=p["leader_initial_stock_h100e"],
        follower_initial_membw_ratio=p["leader_initial_membw_ratio"],
        follower_run_share_frac=p["leader_run_share_frac"],
        follower_algo_doubling_years=p["leader_algo_doubling_years"],
        follower_initial_algo_ratio=1.0,
    )
    return q



# Every input that switches a new mechanism off, as plain numbers (for hand-written examples).
NEUTRAL = {
    "cowos_wafers_count_per_year": INF, "cowos_wafers_x_per_year": 1.0, "packages_per_wafer_count": 10.0,
    "package_yield_frac": 1.0, "hbm_packages_count_per_year": INF, "hbm_packages_x_per_year": 1.0,
    "frontier_package_h100e_ratio": 1.0, "frontier_package_perf_x_per_year": 1.0,
    "leader_power_cap_w": INF, "follower_power_cap_w": INF, "leader_power_x_per_year": 1.0,
    "follower_power_x_per_year": 1.0, "leader_h100e_power_w": 1000.0, "follower_h100e_power_w": 1000.0,
    "power_efficiency_x_per_year": 1.0, "campus_power_cap_w": INF, "campus_power_x_per_year": 1.0,
    "domestic_hbm_chips_per_year": INF, "domestic_hbm_x_per_year": 1.0, "smuggling_markup_ratio": 1.5,
    "follower_smuggling_budget_usd_per_year": INF, "follower_remote_budget_usd_per_year": 0.0,
    "remote_rent_per_h100e_usd_per_year": 2.0e4, "electricity_usd_per_kwh": 0.0, "chip_service_years": 4.0,
    "leader_gdp_usd": 3.0e13, "follower_gdp_usd": 2.0e13, "leader_gdp_x_per_year": 1.03,
    "follower_gdp_x_per_year": 1.04, "leader_budget_ceiling_gdp_frac": INF, "follower_budget_ceiling_gdp_frac": INF,
    "remote_access_frac": 0.0, "algo_efficiency_cap_x": INF, "distillation_frac": 0.0,
    "distillation_delay_years": 1.0, "scale_dependent_algo_frac": 0.0, "scale_payoff_midpoint_flop": 1.0e26,
    "scale_payoff_midpoint_x_per_year": 1.0, "scale_payoff_width_x": 10.0, "post_training_x_per_year": 1.0,
    "post_training_cap_x": 10.0, "post_training_delay_years": 0.5,
    "leader_serving_share_frac": 0.5, "follower_serving_share_frac": 0.5,
    "leader_serving_demand_membw_h100e": 1.0e6, "follower_serving_demand_membw_h100e": 1.0e6,
    "serving_demand_x_per_year": 1.5, "serving_weight_exponent": 0.0,
}


def hand_race(**changes):
    """One hand-written race, every input a number (NEUTRAL's mechanisms off, the rest 1.0 unless
    set here): a leader with 10x the follower's budget and stock, 1% leakage, no necessity."""
    p = {name: 1.0 for name in ALL}
    p.update(NEUTRAL)
    p.update(market_price_usd_per_h100e=4.0e4, leader_budget_usd_per_year=1.0e11, follower_budget_usd_per_year=1.0e10,
             leader_budget_cap_usd_per_year=1.0e12, follower_budget_cap_usd_per_year=1.0e11,
             domestic_capacity_chips_per_year=1.0e5, domestic_capacity_cap_chips_per_year=1.0e6,
             leader_initial_stock_h100e=1.0e6, follower_initial_stock_h100e=1.0e5, leak_frac=0.01,
             leader_run_share_frac=0.02, follower_run_share_frac=0.01, utilization_frac=0.4, run_length_years=0.3,
             h100_peak_flop_per_s=9.894e14, depreciation_per_year=0.2, ai_speedup_threshold_flop=1.0e28,
             capability_reference_flop=3.8e25, powerful_ai_threshold_flop=1.0e28, extrapolation_limit_years=10.0,
             unipolar_window_min_years=2.0, necessity_elasticity=0.0, diffusion_delay_years=1.0)
    p.update(changes)
    return p
