"""The two-bloc export-control compute race: chips, installed compute, algorithms, gap, crossing.

A *leader* bloc (index 0 on the ``bloc`` axis: the US and allies) and a *follower* (index 1:
China) build AI compute year by year. The leader buys chips with its budget at the market price
of an H100-equivalent (H100e, counted by dense BF16 FLOP/s). The follower's chips come from three
channels whose sizes an export-control *policy* sets (presets in ``costsim/data/policies.yaml``):

* legal imports of the best chip the policy allows (an H800 under the 2022 rules, an H20 under
  the 2023 rules, nothing under strict controls), bought with the follower's budget;
* a leaked (smuggled, diverted) share of the controlled chips the leader buys, less what
  enforcement stops;
* domestic chips (Ascend) from a production capacity that ramps, at a yield, a performance
  ratio to an H100 and a price.

Memory bandwidth is tracked next to FLOP/s (``*_membw_h100e``, in H100s of bandwidth), since a
chip like the H20 is weak for training and strong for memory-bound inference.

Five models, wired by name; a scenario lists them in this order::

    race_chip_supply        -> chip_flow_h100e_per_year, chip_flow_membw_h100e_per_year, ...
    race_compute_stock      -> stock_h100e, stock_membw_h100e, largest_run_flop
    race_algorithms         -> algo_efficiency_x, largest_run_effective_flop, bloc_capability_score
    race_gap                -> effective_flop_gap_ratio, follower_lag_years
    race_threshold_crossing -> capability_crossing_year, lead_at_crossing_years,
                               unipolar_window_years, unipolar_window_flag, ...

All quantities are described at the first simulated year (``year[0]``); growth is counted from
there. Per-sample parameters arrive as ``(n, 1)``, ``year`` as ``(1, T)``. Outputs with a bloc
axis are ``(n, T, 2)`` (leader, follower). The models loop over years only where the state of
year ``t`` depends on year ``t - 1`` (the stock, the follower's algorithms, the AI-speedup
switch, the search along a trajectory), never over samples.

This module also turns a named policy preset plus overrides into parameter specs
(:func:`policy_params`, :func:`expand_policy`), which the scenario loader calls for a scenario's
top-level ``policy:`` key.
"""

from __future__ import annotations

import numpy as np

from costsim.registry import model
from costsim.units import SECONDS_PER_YEAR

LEADER = 0
FOLLOWER = 1
_LOG10_2 = np.log10(2.0)  # a doubling, in decades

# ---------------------------------------------------------------------------------------------
# Small helpers (structural only: shapes, interpolation, first-passage search)


def _n_rows(*values) -> int:
    """Number of sample rows the inputs broadcast to (1 when every input is a constant)."""
    shape = np.broadcast_shapes(*(np.shape(v)[:1] for v in values))
    return shape[0] if shape else 1


def _per_sample(value, rows: int) -> np.ndarray:
    """A per-sample parameter ((n, 1) array or a float) as a flat ``(rows,)`` array."""
    flat = np.asarray(value, dtype=float).reshape(-1)
    return np.broadcast_to(flat, (rows,)) if flat.size == 1 else flat


def _years_of(year) -> np.ndarray:
    """The calendar years as a flat ``(T,)`` float array."""
    return np.asarray(year, dtype=float).reshape(-1)


def _by_bloc(leader, follower) -> np.ndarray:
    """Stack two ``(.., T)`` arrays on a trailing bloc axis: ``(rows, T, 2)``."""
    leader, follower = np.broadcast_arrays(np.asarray(leader, dtype=float), np.asarray(follower, dtype=float))
    return np.stack([leader, follower], axis=-1)


def _interp_rows(grid: np.ndarray, values: np.ndarray, query: np.ndarray, left_slope: np.ndarray) -> np.ndarray:
    """Piecewise-linear interpolation of each row of ``values`` at that row's ``query`` points.

    ``grid`` is ``(T,)`` increasing, ``values`` and ``query`` are ``(m, T)``. Queries before
    ``grid[0]`` are extended backwards with ``left_slope`` (``(m,)``, per unit of grid); queries
    are assumed to be at most ``grid[-1]``.
    """
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
    """Earliest time ``s >= grid[start]`` at which a trajectory reaches ``level``.

    ``traj`` is ``(m, T)`` (log10 of a quantity), ``level`` and the returned times ``(m,)``.
    Between grid points the trajectory is linear. Past ``grid[-1]`` it is extended at
    ``end_slope`` (decades per year) when that is positive, and the time is capped at
    ``grid[-1] + limit_years``; a level never reached gives exactly that cap.
    """
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
    """Log10 growth per year over the last step of each row (0 with a single year)."""
    if grid.size < 2:
        return np.zeros(log_traj.shape[0])
    return (log_traj[:, -1] - log_traj[:, -2]) / (grid[-1] - grid[-2])


# ---------------------------------------------------------------------------------------------
# Models


@model(
    outputs=(
        "chip_flow_h100e_per_year",
        "chip_flow_membw_h100e_per_year",
        "follower_import_h100e_per_year",
        "follower_smuggled_h100e_per_year",
        "follower_domestic_h100e_per_year",
        "follower_domestic_spend_usd_per_year",
    ),
    axes={
        "chip_flow_h100e_per_year": ("year", "bloc"),
        "chip_flow_membw_h100e_per_year": ("year", "bloc"),
    },
)
def race_chip_supply(
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
    allowed_import_frac,
    allowed_chip_perf_ratio,
    allowed_chip_price_ratio,
    allowed_chip_membw_ratio,
    leak_frac,
    enforcement_frac,
    domestic_capacity_chips_per_year,
    domestic_ramp_x_per_year,
    domestic_capacity_cap_chips_per_year,
    domestic_yield_frac,
    domestic_perf_ratio,
    domestic_perf_x_per_year,
    domestic_membw_ratio,
    domestic_price_usd_per_chip,
):
    """Chips each bloc adds per year, in H100-equivalents of FLOP/s and of memory bandwidth.

    With ``e = year - year[0]``::

        price(e)        = market_price / 2 ** (e / price_performance_doubling_years)
        budget_b(e)     = min(budget_b * budget_x_b ** e, budget_cap_b)
        leader flow     = budget_L / price                                   (market chips)
        imports         = allowed_import_frac * budget_F / (allowed_chip_price_ratio * price)
                          chips, worth allowed_chip_perf_ratio H100e each
        smuggled        = leak_frac * (1 - enforcement_frac) * leader flow
        domestic chips  = min(capacity * ramp_x ** e, capacity_cap) * yield
                          worth domestic_perf_ratio * domestic_perf_x ** e H100e each

    Market chips (bought by the leader, smuggled, or imported with no controls) are taken to
    carry an H100's memory bandwidth per FLOP/s (a B200 has 2.3x both), so their bandwidth in
    H100s equals their H100e count. The three follower channels add up; none draws on another's
    budget, so tightening one never enlarges another.

    Parameters
    ----------
    year : array, (1, T)
        Calendar years; the first is the reference year of every parameter below.
    market_price_usd_per_h100e : array, (n, 1), > 0
        All-in price (chip, server, network) of one H100e of market chips in the first year.
    price_performance_doubling_years : array, (n, 1), > 0
        Years for the H100e bought per dollar to double.
    leader_budget_usd_per_year, follower_budget_usd_per_year : array, (n, 1), >= 0
        Yearly spend on AI chips in the first year: the leader's on market chips, the follower's
        on the foreign chips it may legally buy.
    leader_budget_x_per_year, follower_budget_x_per_year : array, (n, 1), > 0
        Growth multiple of each budget per year.
    leader_budget_cap_usd_per_year, follower_budget_cap_usd_per_year : array, (n, 1), >= 0
        Ceiling on each yearly budget.
    allowed_import_frac : array, (n, 1), in [0, 1]
        Share of the follower's budget that licensing lets it spend (0 = all denied).
    allowed_chip_perf_ratio : array, (n, 1), >= 0
        Training FLOP/s of the best chip the policy allows, per H100.
    allowed_chip_price_ratio : array, (n, 1), > 0
        Its all-in price per chip, per market H100e (moves with the market price).
    allowed_chip_membw_ratio : array, (n, 1), >= 0
        Its memory bandwidth, per H100.
    leak_frac : array, (n, 1), in [0, 1]
        Share of the leader's controlled chip purchases diverted to the follower when nothing
        is enforced (0 when nothing is controlled).
    enforcement_frac : array, (n, 1), in [0, 1]
        Share of that diversion enforcement stops.
    domestic_capacity_chips_per_year : array, (n, 1), >= 0
        Follower's domestic accelerator production capacity in the first year (chips started).
    domestic_ramp_x_per_year : array, (n, 1), > 0
        Growth multiple of that capacity per year.
    domestic_capacity_cap_chips_per_year : array, (n, 1), >= 0
        Ceiling on the capacity (fabs, HBM supply).
    domestic_yield_frac : array, (n, 1), in [0, 1]
        Share of chips started that work.
    domestic_perf_ratio : array, (n, 1), >= 0
        Training FLOP/s of a domestic chip per H100 in the first year.
    domestic_perf_x_per_year : array, (n, 1), > 0
        Growth multiple of that ratio per year.
    domestic_membw_ratio : array, (n, 1), >= 0
        Memory bandwidth of a domestic chip per H100.
    domestic_price_usd_per_chip : array, (n, 1), >= 0
        Price of one working domestic chip (for the spend output only: domestic output is
        taken to be supply-limited, every working chip is bought).

    Returns
    -------
    dict
        ``chip_flow_h100e_per_year`` (n, T, 2): H100e added per year by FLOP/s.
        ``chip_flow_membw_h100e_per_year`` (n, T, 2): the same by memory bandwidth.
        ``follower_import_h100e_per_year``, ``follower_smuggled_h100e_per_year``,
        ``follower_domestic_h100e_per_year`` (n, T): the follower's channels by FLOP/s.
        ``follower_domestic_spend_usd_per_year`` (n, T): what the domestic chips cost.

    References
    ----------
    Chip figures: NVIDIA datasheets; Huawei Ascend reporting (``claims.yaml``: ``chip.*``).
    Policy thresholds: BIS rules of 2022-10-07 and 2023-10-17 (``rule.2022_10``, ``rule.2023_10``).
    """
    elapsed_years = _years_of(year)[None, :] - _years_of(year)[0]
    price = market_price_usd_per_h100e * np.exp2(-elapsed_years / price_performance_doubling_years)
    leader_budget = np.minimum(leader_budget_usd_per_year * leader_budget_x_per_year**elapsed_years,
                               leader_budget_cap_usd_per_year)
    follower_budget = np.minimum(follower_budget_usd_per_year * follower_budget_x_per_year**elapsed_years,
                                 follower_budget_cap_usd_per_year)
    leader_flow = leader_budget / price

    import_chips = allowed_import_frac * follower_budget / (allowed_chip_price_ratio * price)
    imports = import_chips * allowed_chip_perf_ratio
    smuggled = leak_frac * (1.0 - enforcement_frac) * leader_flow
    domestic_chips = domestic_yield_frac * np.minimum(
        domestic_capacity_chips_per_year * domestic_ramp_x_per_year**elapsed_years,
        domestic_capacity_cap_chips_per_year,
    )
    domestic = domestic_chips * domestic_perf_ratio * domestic_perf_x_per_year**elapsed_years

    follower_flow = imports + smuggled + domestic
    follower_membw = import_chips * allowed_chip_membw_ratio + smuggled + domestic_chips * domestic_membw_ratio
    return {
        "chip_flow_h100e_per_year": _by_bloc(leader_flow, follower_flow),
        "chip_flow_membw_h100e_per_year": _by_bloc(leader_flow, follower_membw),
        "follower_import_h100e_per_year": imports,
        "follower_smuggled_h100e_per_year": smuggled,
        "follower_domestic_h100e_per_year": domestic,
        "follower_domestic_spend_usd_per_year": domestic_chips * domestic_price_usd_per_chip,
    }


@model(
    outputs=("stock_h100e", "stock_membw_h100e", "largest_run_flop"),
    axes={
        "stock_h100e": ("year", "bloc"),
        "stock_membw_h100e": ("year", "bloc"),
        "largest_run_flop": ("year", "bloc"),
    },
)
def race_compute_stock(
    *,
    year,
    chip_flow_h100e_per_year,
    chip_flow_membw_h100e_per_year,
    leader_initial_stock_h100e,
    follower_initial_stock_h100e,
    leader_initial_membw_ratio,
    follower_initial_membw_ratio,
    depreciation_per_year,
    leader_run_share_frac,
    follower_run_share_frac,
    utilization_frac,
    run_length_years,
    h100_peak_flop_per_s,
):
    """Installed compute of each bloc, and the physical FLOP of its largest training run.

    The stock in the first year is the initial stock; after that::

        stock[t] = stock[t-1] * exp(-depreciation_per_year * dt) + flow[t] * dt

    with ``dt`` the step between years. The largest run uses a share of the stock::

        largest_run_flop = run_share * stock * h100_peak_flop_per_s * utilization * run_length

    Parameters
    ----------
    year : array, (1, T)
    chip_flow_h100e_per_year, chip_flow_membw_h100e_per_year : array, (n, T, 2)
        Chips added per year by FLOP/s and by memory bandwidth (``race_chip_supply``).
    leader_initial_stock_h100e, follower_initial_stock_h100e : array, (n, 1), > 0
        Installed stock in the first year, H100e by FLOP/s.
    leader_initial_membw_ratio, follower_initial_membw_ratio : array, (n, 1), >= 0
        Memory bandwidth of that stock per H100e of FLOP/s (a stock rich in H20s is above 1).
    depreciation_per_year : array, (n, 1), >= 0
        Continuous retirement rate of installed chips.
    leader_run_share_frac, follower_run_share_frac : array, (n, 1), in (0, 1]
        Share of the bloc's stock one frontier run can use.
    utilization_frac : array, (n, 1), in (0, 1]
        Model FLOP utilization of that run.
    run_length_years : array, (n, 1), > 0
        Length of the run.
    h100_peak_flop_per_s : array, (n, 1), > 0
        Dense BF16 peak of one H100, which defines the H100e.

    Returns
    -------
    dict
        ``stock_h100e``, ``stock_membw_h100e``, ``largest_run_flop``, each (n, T, 2).
    """
    years = _years_of(year)
    flow = np.asarray(chip_flow_h100e_per_year, dtype=float)
    flow_membw = np.asarray(chip_flow_membw_h100e_per_year, dtype=float)
    rows = _n_rows(flow, flow_membw, leader_initial_stock_h100e, follower_initial_stock_h100e,
                   leader_initial_membw_ratio, follower_initial_membw_ratio, depreciation_per_year)
    flow = np.broadcast_to(flow, (rows, years.size, 2))
    flow_membw = np.broadcast_to(flow_membw, (rows, years.size, 2))
    initial = np.stack([_per_sample(leader_initial_stock_h100e, rows),
                        _per_sample(follower_initial_stock_h100e, rows)], axis=-1)
    initial_ratio = np.stack([_per_sample(leader_initial_membw_ratio, rows),
                              _per_sample(follower_initial_membw_ratio, rows)], axis=-1)
    rate = _per_sample(depreciation_per_year, rows)[:, None]

    stock = np.empty((rows, years.size, 2))
    stock_membw = np.empty((rows, years.size, 2))
    stock[:, 0] = initial
    stock_membw[:, 0] = initial * initial_ratio
    for t in range(1, years.size):  # recurrence: retirement of last year's stock
        dt = years[t] - years[t - 1]
        keep = np.exp(-rate * dt)
        stock[:, t] = stock[:, t - 1] * keep + flow[:, t] * dt
        stock_membw[:, t] = stock_membw[:, t - 1] * keep + flow_membw[:, t] * dt

    run_share = _by_bloc(np.asarray(leader_run_share_frac, dtype=float).reshape(-1, 1),
                         np.asarray(follower_run_share_frac, dtype=float).reshape(-1, 1))
    run_flop_per_h100e = (np.asarray(h100_peak_flop_per_s * utilization_frac * run_length_years, dtype=float)
                          * SECONDS_PER_YEAR).reshape(-1, 1, 1)
    return {
        "stock_h100e": stock,
        "stock_membw_h100e": stock_membw,
        "largest_run_flop": stock * run_share * run_flop_per_h100e,
    }


@model(
    outputs=("algo_efficiency_x", "largest_run_effective_flop", "bloc_capability_score"),
    axes={
        "algo_efficiency_x": ("year", "bloc"),
        "largest_run_effective_flop": ("year", "bloc"),
        "bloc_capability_score": ("year", "bloc"),
    },
)
def race_algorithms(
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
    capability_reference_flop,
):
    """Algorithmic efficiency of each bloc, effective FLOP of its largest run, and a capability score.

    Efficiency multiplies physical FLOP (1 = the leader's algorithms in the first year). In
    log10, with ``r_b = log10(2) / doubling_b``::

        leader[t]   = leader[t-1] + r_L * s_L[t-1] * dt
        follower[t] = max(own[t], leader(year[t] - diffusion_delay_years))
        own[t]      = min(follower[t-1] + r_F * N[t-1] * s_F[t-1] * dt,
                          max(follower[t-1] + r_F * s_F[t-1] * dt, parity[t]))
        follower[0] = max(log10(follower_initial_algo_ratio), leader(year[0] - delay))

    * ``leader(.)`` is the leader's trajectory read between years (linearly in log) and, before
      the first year, extended back at ``r_L``: what the follower can copy from open weights
      and papers after the delay.
    * Necessity: ``N = (leader / follower largest-run physical FLOP) ** necessity_elasticity``
      in the previous year, while the follower is behind in effective FLOP; else 1. Elasticity
      0 switches it off. Chip scarcity drives the push for efficiency, and the push carries the
      follower at most to parity: ``parity[t]`` is the efficiency at which the follower's
      effective FLOP equals the leader's in year ``t``. The chip gap persists, so without that
      stop the follower's algorithms would pull away without bound.
    * AI speeding up AI: ``s_b = ai_speedup_x`` once the bloc's effective FLOP reached
      ``ai_speedup_threshold_flop`` in the previous year, else 1; 1 switches it off.

    The leader is taken to be at the frontier and copies nothing from the follower.
    ``bloc_capability_score`` is the decades of effective FLOP above ``capability_reference_flop``
    (a score of 1 is ten times the reference).

    Parameters
    ----------
    year : array, (1, T)
    largest_run_flop : array, (n, T, 2), > 0
        Physical FLOP of each bloc's largest run (``race_compute_stock``).
    leader_algo_doubling_years, follower_algo_doubling_years : array, (n, 1), > 0
        Years for each bloc's own algorithms to halve the compute a given result needs.
    follower_initial_algo_ratio : array, (n, 1), > 0
        Follower's efficiency over the leader's in the first year.
    diffusion_delay_years : array, (n, 1), >= 0
        Delay after which the leader's algorithms are available to the follower.
    necessity_elasticity : array, (n, 1), >= 0
        Elasticity of the follower's own rate of progress to its chip scarcity (the leader's
        largest-run physical FLOP over its own).
    ai_speedup_threshold_flop : array, (n, 1), > 0
        Effective FLOP of a bloc's largest run after which AI speeds up its algorithmic progress.
    ai_speedup_x : array, (n, 1), >= 1
        Multiple of the rate of progress after that threshold.
    capability_reference_flop : array, (n, 1), > 0
        Effective FLOP of a reference model (score 0).

    Returns
    -------
    dict
        ``algo_efficiency_x``, ``largest_run_effective_flop``, ``bloc_capability_score``, each (n, T, 2).

    References
    ----------
    Ho et al. (2024), "Algorithmic progress in language models", https://arxiv.org/abs/2403.05812
    (``trend.algorithmic_halving_time_lm``); Amodei (2025), "On DeepSeek and Export Controls"
    (``essay.bipolar_vs_unipolar``); Marcus (2025) (``marcus.controls_paradox``).
    """
    years = _years_of(year)
    log_phys = np.log10(np.asarray(largest_run_flop, dtype=float))
    rows = _n_rows(log_phys, leader_algo_doubling_years, follower_algo_doubling_years,
                   follower_initial_algo_ratio, diffusion_delay_years, necessity_elasticity,
                   ai_speedup_threshold_flop, ai_speedup_x)
    log_phys = np.broadcast_to(log_phys, (rows, years.size, 2))
    rate_leader = _LOG10_2 / _per_sample(leader_algo_doubling_years, rows)
    rate_follower = _LOG10_2 / _per_sample(follower_algo_doubling_years, rows)
    threshold = np.log10(_per_sample(ai_speedup_threshold_flop, rows))
    speedup = _per_sample(ai_speedup_x, rows)
    delay = _per_sample(diffusion_delay_years, rows)

    leader = np.zeros((rows, years.size))
    for t in range(1, years.size):  # recurrence: the speedup switches on from last year's level
        fast = log_phys[:, t - 1, LEADER] + leader[:, t - 1] >= threshold
        leader[:, t] = leader[:, t - 1] + rate_leader * np.where(fast, speedup, 1.0) * (years[t] - years[t - 1])

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
        follower[:, t] = np.maximum(own, copied[:, t])

    log_eff = _by_bloc(leader, follower)
    log_effective = log_phys + log_eff
    reference = np.log10(np.asarray(capability_reference_flop, dtype=float)).reshape(-1, 1, 1)
    return {
        "algo_efficiency_x": 10.0**log_eff,
        "largest_run_effective_flop": 10.0**log_effective,
        "bloc_capability_score": log_effective - reference,
    }


@model(outputs=("effective_flop_gap_ratio", "follower_lag_years"))
def race_gap(*, year, largest_run_effective_flop, extrapolation_limit_years):
    """The follower's gap: a ratio of effective FLOP, and years behind read off the trajectories.

    ``effective_flop_gap_ratio = leader / follower`` largest-run effective FLOP.

    ``follower_lag_years`` at year ``t``: when the leader is ahead (or level), the time ``s - t``
    until the follower first reaches the leader's effective FLOP of year ``t`` (``s >= t``,
    log10 trajectory linear between years); when the follower is ahead, minus the time until the
    leader reaches the follower's level. So it is >= 0 exactly when the leader is at least level,
    and 0 for identical blocs.

    Past the last simulated year both trajectories are extended at the *leader's* final-year
    log growth (the frontier's pace: using the follower's own would let a lower trajectory with a
    steeper end overtake a higher one), and the time is capped at ``extrapolation_limit_years``
    past the last year: a lag of ``year[-1] + extrapolation_limit_years - t`` means "not reached
    within the horizon plus the limit".

    Parameters
    ----------
    year : array, (1, T)
    largest_run_effective_flop : array, (n, T, 2), > 0
    extrapolation_limit_years : array, (n, 1), >= 0
        How far past the last simulated year a trajectory may be extended.

    Returns
    -------
    dict
        ``effective_flop_gap_ratio`` (n, T), ``follower_lag_years`` (n, T).
    """
    years = _years_of(year)
    log_eff = np.log10(np.asarray(largest_run_effective_flop, dtype=float))
    rows = _n_rows(log_eff, extrapolation_limit_years)
    log_eff = np.broadcast_to(log_eff, (rows, years.size, 2))
    leader, follower = log_eff[..., LEADER], log_eff[..., FOLLOWER]
    slope = _end_slope(leader, years)
    limit = _per_sample(extrapolation_limit_years, rows)

    lag = np.empty((rows, years.size))
    for t in range(years.size):  # a search along each trajectory from year t on
        catch_up = _first_reach(follower, years, leader[:, t], t, slope, limit)
        overtaken = _first_reach(leader, years, follower[:, t], t, slope, limit)
        lag[:, t] = np.where(leader[:, t] >= follower[:, t], catch_up - years[t], years[t] - overtaken)
    return {"effective_flop_gap_ratio": 10.0 ** (leader - follower), "follower_lag_years": lag}


@model(
    outputs=(
        "capability_crossing_year",
        "crossing_within_horizon_flag",
        "lead_at_crossing_years",
        "unipolar_window_years",
        "unipolar_window_flag",
    ),
    axes={
        "capability_crossing_year": ("bloc",),
        "crossing_within_horizon_flag": ("bloc",),
        "lead_at_crossing_years": (),
        "unipolar_window_years": (),
        "unipolar_window_flag": (),
    },
)
def race_threshold_crossing(
    *,
    year,
    largest_run_effective_flop,
    powerful_ai_threshold_flop,
    extrapolation_limit_years,
    unipolar_window_min_years,
):
    """When each bloc's largest run crosses a capability threshold, and the lead at crossing.

    ``capability_crossing_year[b]``: the first time the bloc's largest-run effective FLOP
    reaches ``powerful_ai_threshold_flop`` (log10 linear between years; ``year[0]`` when it is
    already there). Past the last year the trajectory is extended at the leader's final-year
    log growth, and a threshold not reached within ``extrapolation_limit_years`` after the last
    year gives ``year[-1] + extrapolation_limit_years`` (flagged by ``crossing_within_horizon_flag
    = 0``). Everything stays finite.

    ``lead_at_crossing_years = crossing[follower] - crossing[leader]`` (negative when the follower
    crosses first). ``unipolar_window_years = |lead|``: how long one bloc alone has crossed.
    When neither crosses, both sit at the cap and the window is 0; when only the leader crosses
    the window is a lower bound. ``unipolar_window_flag = 1`` when the window is at least
    ``unipolar_window_min_years``; its mean is P(window >= K).

    Parameters
    ----------
    year : array, (1, T)
    largest_run_effective_flop : array, (n, T, 2), > 0
    powerful_ai_threshold_flop : array, (n, 1), > 0
        Effective FLOP of a run that makes AI "smarter than almost all humans at almost all things".
    extrapolation_limit_years : array, (n, 1), >= 0
    unipolar_window_min_years : array, (n, 1), >= 0
        The K in P(unipolar window >= K years).

    Returns
    -------
    dict
        ``capability_crossing_year``, ``crossing_within_horizon_flag`` (n, 2);
        ``lead_at_crossing_years``, ``unipolar_window_years``, ``unipolar_window_flag`` (n,).
    """
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
    window = np.abs(lead)
    return {
        "capability_crossing_year": crossing,
        "crossing_within_horizon_flag": (crossing <= years[-1]).astype(float),
        "lead_at_crossing_years": lead,
        "unipolar_window_years": window,
        "unipolar_window_flag": (window >= _per_sample(unipolar_window_min_years, rows)).astype(float),
    }


# ---------------------------------------------------------------------------------------------
# Policy presets: the loader lives in costsim.scenario.policy (it reads costsim/data/policies.yaml);
# the names of the policy parameters stay with the models that use them.

POLICY_PARAMS = (
    "allowed_import_frac",
    "allowed_chip_perf_ratio",
    "allowed_chip_price_ratio",
    "allowed_chip_membw_ratio",
    "leak_frac",
    "enforcement_frac",
)
