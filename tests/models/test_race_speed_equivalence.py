"""The race models give the same numbers, bit for bit, as their straightforward form (issue 18, SPEED).

The race models were made faster (year-major recurrences, in-place arithmetic, divisions with
``where=``, flat gathers, powers skipped where a mechanism is off). The straightforward form they
replaced is kept below as the reference (``_reference_*``, the models as they were at 50e9573); every
output of every race model must equal it exactly (``np.array_equal``, NaNs equal) on the bundled
export-control scenarios' draws, at uneven and single-year grids, with the power caps binding, a
chip drawing no power, and the switched-off mechanisms (necessity, scale payoff, post-training)
switched on and off.
"""

import numpy as np
import pytest

from costsim.engine import as_scenario
from costsim.kernel import plan
from costsim.models.compute_race import (
    race_algorithms,
    race_chip_supply,
    race_compute_stock,
    race_gap,
    race_threshold_crossing,
)
from costsim.models.race_limits import race_inference
from costsim.sampling import draw
from costsim.units import J_PER_KWH, SECONDS_PER_YEAR

LEADER = 0
FOLLOWER = 1
_LOG10_2 = np.log10(2.0)

# ------------------------------------------------------------------------ the reference (as at 50e9573)
def _n_rows(*values) -> int:
    shape = np.broadcast_shapes(*(np.shape(v)[:1] for v in values))
    return shape[0] if shape else 1


def _per_sample(value, rows: int) -> np.ndarray:
    flat = np.asarray(value, dtype=float).reshape(-1)
    return np.broadcast_to(flat, (rows,)) if flat.size == 1 else flat


def _years_of(year) -> np.ndarray:
    return np.asarray(year, dtype=float).reshape(-1)


def _by_bloc(leader, follower) -> np.ndarray:
    leader, follower = np.broadcast_arrays(np.asarray(leader, dtype=float), np.asarray(follower, dtype=float))
    return np.stack([leader, follower], axis=-1)


def _interp_rows(grid: np.ndarray, values: np.ndarray, query: np.ndarray, left_slope: np.ndarray) -> np.ndarray:
    before = values[:, :1] + (query - grid[0]) * left_slope[:, None]
    if grid.size == 1:
        return before
    idx = np.clip(np.searchsorted(grid, query, side="right") - 1, 0, grid.size - 2)
    lo = np.take_along_axis(values, idx, axis=1)
    hi = np.take_along_axis(values, idx + 1, axis=1)
    frac = (query - grid[idx]) / (grid[idx + 1] - grid[idx])
    inside = lo + frac * (hi - lo)
    return np.where(query < grid[0], before, inside)


def _first_reach(traj: np.ndarray, grid: np.ndarray, level: np.ndarray, start: int,
                 end_slope: np.ndarray, limit_years: np.ndarray) -> np.ndarray:
    rows = np.arange(traj.shape[0])
    hit = traj[:, start:] >= level[:, None]
    reached = hit.any(axis=1)
    j = np.argmax(hit, axis=1) + start
    prev = np.maximum(j - 1, start)
    y0, y1 = traj[rows, prev], traj[rows, j]
    # when j > start, y0 < level <= y1, so the rise is positive; at j == start no interpolation
    rise = np.where(j > start, y1 - y0, 1.0)
    frac = np.where(j > start, (level - y0) / rise, 0.0)
    inside = grid[prev] + frac * (grid[j] - grid[prev])
    cap = grid[-1] + limit_years
    growing = end_slope > 0
    beyond = grid[-1] + (level - traj[:, -1]) / np.where(growing, end_slope, 1.0)
    outside = np.where(growing, np.minimum(beyond, cap), cap)
    return np.where(reached, inside, outside)


def _end_slope(log_traj: np.ndarray, grid: np.ndarray) -> np.ndarray:
    if grid.size < 2:
        return np.zeros(log_traj.shape[0])
    return (log_traj[:, -1] - log_traj[:, -2]) / (grid[-1] - grid[-2])


def _saturating_budget(first, growth, cap, ceiling, elapsed_years):
    return _saturate(np.minimum(first * growth**elapsed_years, cap), ceiling)


def _saturate(trend, ceiling):
    first_trend, first_ceiling = trend[..., :1], ceiling[..., :1]
    spent = (trend > 0) & np.isfinite(trend)  # an unlimited (inf) trend is held at the ceiling below
    kept = np.where(spent, first_trend / np.where(spent, trend, 1.0), 0.0)  # T(0) / T(e)
    bend = np.where(spent, np.maximum(1.0 / ceiling - kept / first_ceiling, 0.0), 0.0)
    bent = np.where(bend > 0, trend / (1.0 + np.where(spent, trend, 0.0) * bend), trend)
    return np.minimum(bent, ceiling)


def _reference_race_chip_supply(
    *,
    year,
    market_price_usd_per_h100e,
    price_performance_doubling_years,
    leader_budget_usd_per_year,
    leader_budget_x_per_year,
    leader_budget_cap_usd_per_year,
    follower_budget_usd_per_year,
    follower_budget_x_per_year,
    follower_budget_cap_usd_per_year,
    leader_gdp_usd,
    follower_gdp_usd,
    leader_gdp_x_per_year,
    follower_gdp_x_per_year,
    leader_budget_ceiling_gdp_frac,
    follower_budget_ceiling_gdp_frac,
    allowed_import_frac,
    allowed_chip_perf_ratio,
    allowed_chip_price_ratio,
    allowed_chip_membw_ratio,
    leak_frac,
    enforcement_frac,
    smuggling_markup_ratio,
    follower_smuggling_budget_usd_per_year,
    follower_remote_budget_usd_per_year,
    remote_rent_per_h100e_usd_per_year,
    domestic_capacity_chips_per_year,
    domestic_ramp_x_per_year,
    domestic_capacity_cap_chips_per_year,
    domestic_yield_frac,
    domestic_hbm_chips_per_year,
    domestic_hbm_x_per_year,
    domestic_perf_ratio,
    domestic_perf_x_per_year,
    domestic_membw_ratio,
    domestic_price_usd_per_chip,
    market_supply_cap_h100e_per_year,
    bloc_h100e_power_w,
    electricity_usd_per_kwh,
    chip_service_years,
):
    elapsed_years = _years_of(year)[None, :] - _years_of(year)[0]
    cheaper = np.exp2(-elapsed_years / price_performance_doubling_years)
    price = market_price_usd_per_h100e * cheaper
    power = np.asarray(bloc_h100e_power_w, dtype=float)
    kwh_price = electricity_usd_per_kwh * chip_service_years * (SECONDS_PER_YEAR / J_PER_KWH)
    energy_leader, energy_follower = power[..., LEADER] * kwh_price, power[..., FOLLOWER] * kwh_price

    leader_gdp = leader_gdp_usd * leader_gdp_x_per_year**elapsed_years
    follower_gdp = follower_gdp_usd * follower_gdp_x_per_year**elapsed_years

    def grown(first, growth, cap, ceiling):
        return _saturating_budget(first, growth, cap, np.broadcast_to(ceiling, np.broadcast_shapes(
            np.shape(ceiling), elapsed_years.shape)), elapsed_years)

    leader_budget = grown(leader_budget_usd_per_year, leader_budget_x_per_year, leader_budget_cap_usd_per_year,
                          leader_budget_ceiling_gdp_frac * leader_gdp)
    follower_growth = (follower_budget_x_per_year, follower_budget_cap_usd_per_year,
                       follower_budget_ceiling_gdp_frac * follower_gdp)
    # one wallet: the three trends' sum is held at the cap and saturates, each keeps its share
    # (an inf trend: held at min(cap, ceiling) on its own). Session 8: the cap bounds the sum; it
    # capped each trend before, which moved money between the channels.
    growth, cap, ceiling = follower_growth
    ceiling = np.broadcast_to(ceiling, np.broadcast_shapes(np.shape(ceiling), elapsed_years.shape))
    raws = [first * growth**elapsed_years for first in
            (follower_budget_usd_per_year, follower_smuggling_budget_usd_per_year,
             follower_remote_budget_usd_per_year)]
    counted = [np.where(np.isinf(raw), 0.0, raw) for raw in raws]
    raw_total = counted[0] + counted[1] + counted[2]
    spent = _saturate(np.minimum(raw_total, cap), ceiling)
    scale = np.where(raw_total > 0, spent / np.where(raw_total > 0, raw_total, 1.0), 0.0)
    follower_budget, smuggling_budget, remote_budget = (
        np.where(np.isinf(raw), np.minimum(cap, ceiling), part * scale) for raw, part in zip(raws, counted))

    leader_demand = leader_budget / (price + energy_leader)
    import_price = allowed_chip_price_ratio * price + energy_follower  # a cut-down die draws a full slot's power
    import_demand = allowed_import_frac * follower_budget / import_price
    demand = leader_demand + import_demand
    cap = np.asarray(market_supply_cap_h100e_per_year, dtype=float)
    binding = demand > cap
    rationed = np.where(binding, cap / np.where(binding, demand, 1.0), 1.0)
    leader_bought = rationed * leader_demand
    import_chips = rationed * import_demand
    imports = import_chips * allowed_chip_perf_ratio

    smuggle_price = smuggling_markup_ratio * price + energy_follower
    smuggled = np.minimum(leak_frac * (1.0 - enforcement_frac) * leader_bought, smuggling_budget / smuggle_price)
    leader_flow = leader_bought - smuggled

    domestic_chips = np.minimum(
        domestic_yield_frac * np.minimum(domestic_capacity_chips_per_year * domestic_ramp_x_per_year**elapsed_years,
                                         domestic_capacity_cap_chips_per_year),
        domestic_hbm_chips_per_year * domestic_hbm_x_per_year**elapsed_years,
    )
    domestic = domestic_chips * domestic_perf_ratio * domestic_perf_x_per_year**elapsed_years
    remote_demand = remote_budget / (remote_rent_per_h100e_usd_per_year * cheaper)

    follower_flow = imports + smuggled + domestic
    follower_membw = import_chips * allowed_chip_membw_ratio + smuggled + domestic_chips * domestic_membw_ratio
    delivered = leader_bought + import_chips
    return {
        "chip_flow_h100e_per_year": _by_bloc(leader_flow, follower_flow),
        "chip_flow_membw_h100e_per_year": _by_bloc(leader_flow, follower_membw),
        "follower_import_h100e_per_year": imports,
        "follower_smuggled_h100e_per_year": smuggled,
        "follower_domestic_h100e_per_year": domestic,
        "follower_domestic_chips_per_year": domestic_chips,
        "follower_domestic_spend_usd_per_year": domestic_chips * domestic_price_usd_per_chip,
        "follower_remote_demand_h100e": remote_demand,
        "market_delivered_h100e_per_year": delivered,
        "chips_produced_h100e_per_year": leader_bought + imports + domestic,
        "leader_chip_spend_usd_per_year": leader_bought * (price + energy_leader),
        "follower_foreign_spend_usd_per_year": import_chips * import_price + smuggled * smuggle_price,
        "bloc_budget_usd_per_year": _by_bloc(leader_budget, follower_budget),
        "bloc_gdp_usd": _by_bloc(leader_gdp, follower_gdp),
    }


def _reference_race_compute_stock(
    *,
    year,
    chip_flow_h100e_per_year,
    chip_flow_membw_h100e_per_year,
    follower_remote_demand_h100e,
    bloc_power_cap_w,
    bloc_h100e_power_w,
    run_power_limit_w,
    leader_initial_stock_h100e,
    follower_initial_stock_h100e,
    leader_initial_membw_ratio,
    follower_initial_membw_ratio,
    depreciation_per_year,
    remote_access_frac,
    leader_run_share_frac,
    follower_run_share_frac,
    utilization_frac,
    run_length_years,
    h100_peak_flop_per_s,
):
    years = _years_of(year)
    flow = np.asarray(chip_flow_h100e_per_year, dtype=float)
    flow_membw = np.asarray(chip_flow_membw_h100e_per_year, dtype=float)
    rows = _n_rows(flow, flow_membw, follower_remote_demand_h100e, bloc_power_cap_w, bloc_h100e_power_w,
                   run_power_limit_w, leader_initial_stock_h100e, follower_initial_stock_h100e,
                   leader_initial_membw_ratio, follower_initial_membw_ratio, depreciation_per_year,
                   remote_access_frac)
    shape = (rows, years.size, 2)
    flow = np.broadcast_to(flow, shape)
    flow_membw = np.broadcast_to(flow_membw, shape)
    power_cap = np.broadcast_to(np.asarray(bloc_power_cap_w, dtype=float), shape)
    unit_power = np.broadcast_to(np.asarray(bloc_h100e_power_w, dtype=float), shape)
    initial = np.stack([_per_sample(leader_initial_stock_h100e, rows),
                        _per_sample(follower_initial_stock_h100e, rows)], axis=-1)
    initial_ratio = np.stack([_per_sample(leader_initial_membw_ratio, rows),
                              _per_sample(follower_initial_membw_ratio, rows)], axis=-1)
    rate = _per_sample(depreciation_per_year, rows)[:, None]

    stock = np.empty(shape)
    stock_membw = np.empty(shape)
    installed = np.zeros(shape)
    retired = np.zeros(shape)
    powered = unit_power > 0
    stock_cap = np.where(powered, power_cap / np.where(powered, unit_power, 1.0), np.inf)
    installed[:, 0] = flow[:, 0]  # the first year's deliveries are counted in the initial stock
    # session 8: chips the power cannot run are retired at once, the initial stock's included (the
    # fleet kept them, drawing more than the power, before)
    stock[:, 0] = np.minimum(initial, stock_cap[:, 0])
    retired[:, 0] = initial - stock[:, 0]
    stock_membw[:, 0] = stock[:, 0] * initial_ratio
    for t in range(1, years.size):  # recurrence: retirement of last year's stock
        dt = years[t] - years[t - 1]
        keep = np.exp(-rate * dt)
        kept = stock[:, t - 1] * keep
        running = np.minimum(kept, stock_cap[:, t])
        run_by_power = np.where(kept > 0, running / np.where(kept > 0, kept, 1.0), 1.0)
        headroom = (stock_cap[:, t] - running) / dt
        installed[:, t] = np.minimum(flow[:, t], headroom)
        share = np.where(flow[:, t] > 0, installed[:, t] / np.where(flow[:, t] > 0, flow[:, t], 1.0), 1.0)
        aged = stock[:, t - 1] * (1.0 - keep)
        retired[:, t] = np.where(kept > running, (kept - running) + aged, aged) / dt
        stock[:, t] = running + installed[:, t] * dt
        stock_membw[:, t] = stock_membw[:, t - 1] * keep * run_by_power + share * flow_membw[:, t] * dt
    stock_power = stock * unit_power

    remote = np.minimum(np.asarray(follower_remote_demand_h100e, dtype=float),
                        np.asarray(remote_access_frac, dtype=float) * stock[..., LEADER])
    remote = np.broadcast_to(remote, (rows, years.size))
    usable = stock + np.stack([-remote, remote], axis=-1)
    run_share = _by_bloc(np.asarray(leader_run_share_frac, dtype=float).reshape(-1, 1),
                         np.asarray(follower_run_share_frac, dtype=float).reshape(-1, 1))
    limit = np.asarray(run_power_limit_w, dtype=float)
    limit = limit.reshape(limit.shape + (1,)) if limit.ndim else limit
    positive = unit_power > 0
    run_chips_cap = np.where(positive, limit / np.where(positive, unit_power, 1.0), np.inf)
    run_h100e = np.minimum(run_share * usable, run_chips_cap)
    run_flop_per_h100e = (np.asarray(h100_peak_flop_per_s * utilization_frac * run_length_years, dtype=float)
                          * SECONDS_PER_YEAR).reshape(-1, 1, 1)
    run_flop = run_h100e * run_flop_per_h100e
    growth = np.ones_like(run_flop)
    if years.size > 1:
        before = run_flop[:, :-1]
        ratio = np.where(before > 0, run_flop[:, 1:] / np.where(before > 0, before, 1.0), 1.0)
        growth[:, 1:] = ratio ** (1.0 / np.diff(years))[None, :, None]
    return {
        "stock_h100e": stock,
        "stock_membw_h100e": stock_membw,
        "largest_run_flop": run_flop,
        "installed_h100e_per_year": installed,
        "retired_h100e_per_year": retired,
        "unpowered_h100e_per_year": flow - installed,
        "stock_power_w": stock_power,
        "usable_h100e": usable,
        "follower_remote_h100e": remote,
        "bloc_compute_share_frac": stock / stock.sum(axis=-1, keepdims=True),
        "largest_run_flop_x_per_year": growth,
    }


def _scale_payoff(log_phys, years, rows, midpoint_flop, midpoint_x_per_year, width_x):
    elapsed = years - years[0]
    log_mid = (np.log10(_per_sample(midpoint_flop, rows))[:, None]
               + np.log10(_per_sample(midpoint_x_per_year, rows))[:, None] * elapsed[None, :])
    decades_per_unit = np.log10(_per_sample(width_x, rows))[:, None, None]
    z = (log_phys - log_mid[..., None]) / decades_per_unit * np.log(10.0)
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # 1 / (1 + exp(-z)), without overflow


def _post_training_log10(years, rows, x_per_year, cap_x, delay_years):
    elapsed = (years - years[0])[None, :]
    rate = np.log10(_per_sample(x_per_year, rows))[:, None]
    ceiling = np.log10(_per_sample(cap_x, rows))[:, None]
    leader = np.minimum(rate * elapsed, ceiling)
    follower = np.minimum(rate * np.maximum(elapsed - _per_sample(delay_years, rows)[:, None], 0.0), ceiling)
    return _by_bloc(leader, follower)


def _reference_race_algorithms(
    *,
    year,
    largest_run_flop,
    leader_algo_doubling_years,
    follower_algo_doubling_years,
    follower_initial_algo_ratio,
    diffusion_delay_years,
    necessity_elasticity,
    ai_speedup_threshold_flop,
    ai_speedup_x,
    algo_efficiency_cap_x,
    distillation_frac,
    distillation_delay_years,
    scale_dependent_algo_frac,
    scale_payoff_midpoint_flop,
    scale_payoff_midpoint_x_per_year,
    scale_payoff_width_x,
    post_training_x_per_year,
    post_training_cap_x,
    post_training_delay_years,
    capability_reference_flop,
):
    years = _years_of(year)
    log_phys = np.log10(np.asarray(largest_run_flop, dtype=float))
    rows = _n_rows(log_phys, leader_algo_doubling_years, follower_algo_doubling_years,
                   follower_initial_algo_ratio, diffusion_delay_years, necessity_elasticity,
                   ai_speedup_threshold_flop, ai_speedup_x, algo_efficiency_cap_x, distillation_frac,
                   distillation_delay_years, scale_dependent_algo_frac, scale_payoff_midpoint_flop,
                   scale_payoff_midpoint_x_per_year, scale_payoff_width_x, post_training_x_per_year,
                   post_training_cap_x, post_training_delay_years)
    log_phys = np.broadcast_to(log_phys, (rows, years.size, 2))
    rate_leader = _LOG10_2 / _per_sample(leader_algo_doubling_years, rows)
    rate_follower = _LOG10_2 / _per_sample(follower_algo_doubling_years, rows)
    threshold = np.log10(_per_sample(ai_speedup_threshold_flop, rows))
    speedup = _per_sample(ai_speedup_x, rows)
    delay = _per_sample(diffusion_delay_years, rows)
    log_cap = np.log10(_per_sample(algo_efficiency_cap_x, rows))

    leader = np.zeros((rows, years.size))
    for t in range(1, years.size):  # recurrence: the speedup switches on from last year's level
        fast = log_phys[:, t - 1, LEADER] + leader[:, t - 1] >= threshold
        step = rate_leader * np.where(fast, speedup, 1.0) * (years[t] - years[t - 1])
        leader[:, t] = np.minimum(leader[:, t - 1] + step, np.maximum(log_cap, leader[:, t - 1]))

    copied = _interp_rows(years, leader, years[None, :] - delay[:, None], rate_leader)
    scarcity_decades = np.maximum(log_phys[..., LEADER] - log_phys[..., FOLLOWER], 0.0)
    necessity = 10.0 ** (_per_sample(necessity_elasticity, rows)[:, None] * scarcity_decades)
    leader_effective = log_phys[..., LEADER] + leader

    follower = np.empty((rows, years.size))
    follower[:, 0] = np.maximum(np.log10(_per_sample(follower_initial_algo_ratio, rows)), copied[:, 0])
    for t in range(1, years.size):  # recurrence: own progress builds on the best known so far,
        # and necessity and the speedup depend on last year's effective FLOP
        effective = log_phys[:, t - 1, FOLLOWER] + follower[:, t - 1]
        fast = effective >= threshold
        step = rate_follower * np.where(fast, speedup, 1.0) * (years[t] - years[t - 1])
        push = np.where(effective < leader_effective[:, t - 1], necessity[:, t - 1], 1.0)
        parity = leader_effective[:, t] - log_phys[:, t, FOLLOWER]
        own = np.minimum(follower[:, t - 1] + step * push, np.maximum(follower[:, t - 1] + step, parity))
        own = np.minimum(own, np.maximum(log_cap, follower[:, t - 1]))
        follower[:, t] = np.maximum(own, copied[:, t])

    log_eff = _by_bloc(leader, follower)
    payoff = _scale_payoff(log_phys, years, rows, scale_payoff_midpoint_flop, scale_payoff_midpoint_x_per_year,
                           scale_payoff_width_x)
    share_at_scale = _per_sample(scale_dependent_algo_frac, rows)[:, None, None]
    log_eff = log_eff - share_at_scale * (1.0 - payoff) * np.maximum(log_eff, 0.0)
    log_post = _post_training_log10(years, rows, post_training_x_per_year, post_training_cap_x,
                                    post_training_delay_years)
    log_eff = log_eff + log_post
    log_effective = log_phys + log_eff
    share = np.broadcast_to(np.asarray(distillation_frac, dtype=float), (rows, years.size))
    log_share = np.where(share > 0, np.log10(np.where(share > 0, share, 1.0)), -np.inf)
    lead_eff = log_effective[..., LEADER]
    # before the first year the leader's effective FLOP is extended back at its algorithmic rate
    # alone (a parameter: a slope read off the capped trajectory would rise as caps tighten)
    delayed = _interp_rows(years, lead_eff, years[None, :] - _per_sample(distillation_delay_years, rows)[:, None],
                           rate_leader)
    distilled = log_share + delayed
    log_effective = np.stack([lead_eff, np.maximum(log_effective[..., FOLLOWER], distilled)], axis=-1)
    reference = np.log10(np.asarray(capability_reference_flop, dtype=float)).reshape(-1, 1, 1)
    return {
        "algo_efficiency_x": 10.0**log_eff,
        "largest_run_effective_flop": 10.0**log_effective,
        "bloc_capability_score": log_effective - reference,
        "follower_distilled_effective_flop": 10.0**distilled,
        "scale_payoff_frac": payoff,
        "post_training_x": 10.0**log_post,
    }


def _reference_race_gap(*, year, largest_run_effective_flop, extrapolation_limit_years):
    years = _years_of(year)
    log_eff = np.log10(np.asarray(largest_run_effective_flop, dtype=float))
    rows = _n_rows(log_eff, extrapolation_limit_years)
    log_eff = np.broadcast_to(log_eff, (rows, years.size, 2))
    leader, follower = log_eff[..., LEADER], log_eff[..., FOLLOWER]
    slope = _end_slope(leader, years)
    limit = _per_sample(extrapolation_limit_years, rows)

    def capped(traj, level, t):  # never reached in the years from t on, and not before the cap beyond them
        never = ~np.any(traj[:, t:] >= level[:, None], axis=1)
        growing = slope > 0
        beyond = years[-1] + (level - traj[:, -1]) / np.where(growing, slope, 1.0)
        return never & (~growing | (beyond >= years[-1] + limit))

    lag = np.empty((rows, years.size))
    flag = np.empty((rows, years.size))
    for t in range(years.size):  # a search along each trajectory from year t on
        catch_up = _first_reach(follower, years, leader[:, t], t, slope, limit)
        overtaken = _first_reach(leader, years, follower[:, t], t, slope, limit)
        ahead = leader[:, t] >= follower[:, t]
        lag[:, t] = np.where(ahead, catch_up - years[t], -(overtaken - years[t]))  # session 8: -0.0 at a zero cap
        flag[:, t] = np.where(ahead, capped(follower, leader[:, t], t), capped(leader, follower[:, t], t))
    return {"effective_flop_gap_ratio": 10.0 ** (leader - follower), "follower_lag_years": lag,
            "follower_lag_capped_flag": flag}


def _reference_race_threshold_crossing(
    *,
    year,
    largest_run_effective_flop,
    powerful_ai_threshold_flop,
    extrapolation_limit_years,
    unipolar_window_min_years,
):
    years = _years_of(year)
    log_eff = np.log10(np.asarray(largest_run_effective_flop, dtype=float))
    rows = _n_rows(log_eff, powerful_ai_threshold_flop, extrapolation_limit_years, unipolar_window_min_years)
    log_eff = np.broadcast_to(log_eff, (rows, years.size, 2))
    level = np.log10(_per_sample(powerful_ai_threshold_flop, rows))
    slope = _end_slope(log_eff[..., LEADER], years)
    limit = _per_sample(extrapolation_limit_years, rows)

    crossing = np.stack([_first_reach(log_eff[..., bloc], years, level, 0, slope, limit)
                         for bloc in (LEADER, FOLLOWER)], axis=-1)
    lead = crossing[:, FOLLOWER] - crossing[:, LEADER]
    window = np.stack([np.maximum(lead, 0.0), np.maximum(-lead, 0.0)], axis=-1)
    return {
        "capability_crossing_year": crossing,
        "crossing_within_horizon_flag": (crossing <= years[-1]).astype(float),
        "lead_at_crossing_years": lead,
        "unipolar_window_years": window,
        "unipolar_window_flag": (window >= _per_sample(unipolar_window_min_years, rows)[:, None]).astype(float),
    }


def _elapsed(year) -> np.ndarray:
    years = np.asarray(year, dtype=float).reshape(-1)
    return (years - years[0])[None, :]


def _reference_race_inference(
    *,
    year,
    stock_membw_h100e,
    largest_run_effective_flop,
    leader_serving_share_frac,
    follower_serving_share_frac,
    leader_serving_demand_membw_h100e,
    follower_serving_demand_membw_h100e,
    serving_demand_x_per_year,
    serving_weight_exponent,
):
    elapsed = _elapsed(year)
    membw = np.asarray(stock_membw_h100e, dtype=float)
    share = _by_bloc(np.asarray(leader_serving_share_frac, dtype=float).reshape(-1, 1),
                     np.asarray(follower_serving_share_frac, dtype=float).reshape(-1, 1))
    capacity = share * membw
    demand = _by_bloc(leader_serving_demand_membw_h100e * serving_demand_x_per_year**elapsed,
                      follower_serving_demand_membw_h100e * serving_demand_x_per_year**elapsed)
    served = np.minimum(capacity / demand, 1.0)
    weight = np.asarray(serving_weight_exponent, dtype=float).reshape(-1, 1, 1)
    fielded = np.asarray(largest_run_effective_flop, dtype=float) * served**weight
    return {"serving_capacity_membw_h100e": capacity, "served_demand_frac": served, "fielded_effective_flop": fielded}


REFERENCE = {
    "race_chip_supply": (race_chip_supply, _reference_race_chip_supply),
    "race_compute_stock": (race_compute_stock, _reference_race_compute_stock),
    "race_algorithms": (race_algorithms, _reference_race_algorithms),
    "race_inference": (race_inference, _reference_race_inference),
    "race_gap": (race_gap, _reference_race_gap),
    "race_threshold_crossing": (race_threshold_crossing, _reference_race_threshold_crossing),
}
SCENARIOS = ("export_controls_base", "export_controls_critics", "export_controls_scale_and_rl",
             "export_controls_timeline_2022_2025", "export_controls_no_controls")
GRIDS = {
    "every year": slice(None),
    "uneven": [0, 1, 3, 4, -1],
    "two years": [0, -1],
    "one year": [0],
}
VARIANTS = {
    "as drawn": {},
    "power binds": {"leader_power_cap_w": 1e-3, "follower_power_cap_w": 1e-2, "campus_power_cap_w": 1e-2},
    "no power per chip, no ceiling": {"follower_h100e_power_w": 0.0, "leader_budget_ceiling_gdp_frac": np.inf,
                                      "follower_budget_ceiling_gdp_frac": np.inf},
    "follower cap binds": {"follower_budget_cap_usd_per_year": 2e10},
    "tight ceilings, mechanisms on": {"leader_budget_ceiling_gdp_frac": 1e-3, "follower_budget_ceiling_gdp_frac": 1e-4,
                                      "necessity_elasticity": 0.1, "post_training_x_per_year": 1.5,
                                      "scale_dependent_algo_frac": 0.5, "distillation_frac": 0.0},
}


def _inputs(name, rows=700, seed=3):
    scenario = as_scenario(f"scenarios/{name}.yaml")
    values, _ = draw(scenario, rows, seed)
    env = dict(scenario.constants)
    env.update({k: v[:, None] for k, v in values.items()})
    return scenario, env


def _compare(scenario, env, years):
    """Run the graph on the new models; each race model's outputs must equal the reference's on the same inputs."""
    env = dict(env, year=years[None, :])
    compared = 0
    with np.errstate(all="ignore"):
        for node in plan(scenario).nodes:
            kwargs = {inp: env[node.source_of(inp)] if isinstance(node.source_of(inp), str) else node.source_of(inp)
                      for inp in node.spec.inputs}
            kwargs = {k: np.float64(v) if type(v) in (float, int) else v for k, v in kwargs.items()}
            out = node.spec.func(**kwargs)
            if node.spec.name in REFERENCE:
                new, old = REFERENCE[node.spec.name]
                assert getattr(node.spec.func, "__wrapped__", node.spec.func) is getattr(new, "__wrapped__", new)
                expected = old(**kwargs)
                assert set(expected) == set(out)
                for key in expected:
                    got, want = np.asarray(out[key]), np.asarray(expected[key])
                    assert got.shape == want.shape, (node.spec.name, key)
                    assert np.array_equal(got, want, equal_nan=True), (node.spec.name, key)
                compared += 1
            env.update({node.rename.get(k, k): np.asarray(v, dtype=float) for k, v in out.items()})
    assert compared == len(REFERENCE)


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("grid", list(GRIDS))
@pytest.mark.parametrize("name", SCENARIOS)
def test_every_race_output_equals_the_straightforward_form(name, grid, variant):
    scenario, env = _inputs(name)
    env.update({k: np.float64(v) for k, v in VARIANTS[variant].items()})
    years = np.asarray(scenario.years, dtype=float)[GRIDS[grid]]
    assert np.all(np.diff(years) > 0)
    _compare(scenario, env, years)


def test_a_year_grid_with_fractional_steps_gives_the_same_numbers():
    scenario, env = _inputs("export_controls_base", rows=300, seed=5)
    _compare(scenario, env, np.array([2025.0, 2025.5, 2027.0, 2027.25, 2031.0, 2040.0]))


def test_the_comparison_is_exact():
    """A follower higher by 1e-12 (relative) gives other numbers: the comparison above is that fine."""
    years = np.arange(2025.0, 2041.0)
    flop = 10.0 ** np.linspace(25.0, 29.0, years.size)[None, :, None] * np.array([1.0, 0.5])
    out = race_gap(year=years[None, :], largest_run_effective_flop=flop, extrapolation_limit_years=10.0)
    higher = flop.copy()
    higher[..., FOLLOWER] *= 1.0 + 1e-12
    nudged = race_gap(year=years[None, :], largest_run_effective_flop=higher, extrapolation_limit_years=10.0)
    assert not np.array_equal(out["effective_flop_gap_ratio"], nudged["effective_flop_gap_ratio"])
