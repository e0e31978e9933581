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
    race_algorithms         -> algo_efficiency_x, largest_run_effective_flop, bloc_capability_score,
                               scale_payoff_frac, post_training_x
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

from costsim.models.race_limits import FOLLOWER, LEADER, _by_bloc, _into
from costsim.registry import model
from costsim.units import J_PER_KWH, SECONDS_PER_YEAR

_LOG10_2 = np.log10(2.0)  # a doubling, in decades

# ---------------------------------------------------------------------------------------------
# Small helpers (structural only: shapes, interpolation, first-passage search)


def _n_rows(*values) -> int:
    """Number of sample rows the inputs broadcast to (1 when every input is a constant)."""
    shape = np.broadcast_shapes(*(np.shape(v)[:1] for v in values))
    return shape[0] if shape else 1


def _per_sample(value, rows: int) -> np.ndarray:
    """A per-sample parameter ((n, 1) array or a float) as a flat ``(rows,)`` array.

    A value that changes over the years (a formula of ``year``: ``(1, T)`` or ``(n, T)``) is refused:
    flattened, its T year values would be read as T samples' values when T equals the rows.
    """
    arr = np.asarray(value, dtype=float)
    if arr.ndim >= 2 and any(k != 1 for k in arr.shape[1:]):
        raise ValueError(f"a per-sample input has shape {arr.shape}: it changes over the years or blocs; "
                         f"expected one value per sample ((n, 1)) or a constant")
    flat = arr.reshape(-1)
    return np.broadcast_to(flat, (rows,)) if flat.size == 1 else flat


def _years_of(year) -> np.ndarray:
    """The calendar years as a flat ``(T,)`` float array."""
    return np.asarray(year, dtype=float).reshape(-1)


def _interp_rows(grid: np.ndarray, values: np.ndarray, shift: np.ndarray, left_slope: np.ndarray,
                 bloc: int | None = None, year_major: bool = False) -> np.ndarray:
    """Piecewise-linear interpolation of each row of ``values`` at that row's ``grid - shift``.

    ``grid`` is ``(T,)`` increasing, ``values`` is ``(m, T)``, or ``(m, T, B)`` read at ``bloc``;
    ``shift`` and ``left_slope`` are ``(m,)``. Returns ``(m, T)``: the values at the queries
    ``grid[None, :] - shift[:, None]``. Queries before ``grid[0]`` are extended backwards with
    ``left_slope`` (per unit of grid); queries are assumed to be at most ``grid[-1]``.
    ``year_major``: ``values`` and the result are ``(T, m)`` instead (the same numbers, transposed).
    """
    values = np.ascontiguousarray(values)
    if year_major:
        query = grid[:, None] - shift[None, :]
    else:
        query = grid[None, :] - shift[:, None]
        if values.ndim == 2:
            values, bloc = values[..., None], 0
    if grid.size == 1:
        start = values[:1] if year_major else values[:, :1, bloc]
        return start + (query - grid[0]) * (left_slope[None, :] if year_major else left_slope[:, None])
    size = grid.size
    m = shift.shape[0]
    first = grid[0]
    # a grid of whole years (exact integers): the interval of a query is the whole part of its
    # distance from grid[0], an exact difference (Sterbenz) for queries up to 2 * grid[0], and the
    # distance from grid[idx] is that less idx: the same numbers as searching the grid, fewer passes
    whole = (float(first).is_integer() and first > 0 and grid[-1] * np.finfo(float).eps < 1
             and np.array_equal(grid, np.arange(size) + first) and bool(np.isfinite(shift).all())
             and bool(np.all(grid[-1] - shift <= first + first)))  # grid[-1] - shift: each row's last query
    if not whole:
        if year_major:
            return np.ascontiguousarray(_interp_rows_search(grid, values.T, query.T, left_slope).T)
        return _interp_rows_search(grid, values[..., bloc], query, left_slope)
    elapsed = np.subtract(query, first, out=query)  # query - grid[0]
    # the columns (year-major: rows) with a query before grid[0]: where the largest shift reaches before it
    k = int(np.count_nonzero(grid - shift.max() < first))
    if k:  # the backward extension, computed only on the columns that need it
        if year_major:
            early = elapsed[:k] < 0
            before = values[:1] + elapsed[:k] * left_slope[None, :]
        else:
            early = elapsed[:, :k] < 0
            before = values[:, :1, bloc] + elapsed[:, :k] * left_slope[:, None]
    # whole part of elapsed, clipped to [0, T - 2]: truncation toward zero agrees with floor once
    # negatives are clipped to 0 (elapsed is finite here). Only the first k columns (year-major:
    # rows) can be negative, and only the last `late` ones reach grid[-1] (the smallest shift's)
    idx = elapsed.astype(np.intp)
    late = int(np.count_nonzero(grid - shift.min() >= grid[-1]))
    if year_major:
        np.maximum(idx[:k], 0, out=idx[:k])
        np.minimum(idx[size - late:], size - 2, out=idx[size - late:])
    else:
        np.maximum(idx[:, :k], 0, out=idx[:, :k])
        np.minimum(idx[:, size - late:], size - 2, out=idx[:, size - late:])
    frac = np.subtract(elapsed, idx, out=elapsed)  # query - grid[idx], over grid[idx + 1] - grid[idx] = 1
    # gathers from the flat values (np.take on a flat index is several times faster than take_along_axis)
    if year_major:
        step = m
        idx *= m
        idx += np.arange(m)[None, :]
    else:
        step = values.shape[2]
        if step > 1:
            idx *= step
        idx += (np.arange(m) * (size * step) + bloc)[:, None]
    flat_values = values.reshape(-1)
    lo = np.take(flat_values, idx)
    idx += step
    rise = np.take(flat_values, idx)
    del idx
    rise -= lo
    frac *= rise
    frac += lo  # lo + frac * (hi - lo)
    if k:
        np.copyto(frac[:k] if year_major else frac[:, :k], before, where=early)
    return frac


def _interp_rows_search(grid: np.ndarray, values: np.ndarray, query: np.ndarray, left_slope: np.ndarray) -> np.ndarray:
    """:func:`_interp_rows` on any increasing grid: ``values`` and ``query`` are ``(m, T)``."""
    idx = np.searchsorted(grid, query, side="right")
    idx -= 1
    np.clip(idx, 0, grid.size - 2, out=idx)
    flat_values = np.ascontiguousarray(values).reshape(-1)
    flat = idx + (np.arange(values.shape[0]) * grid.size)[:, None]
    lo = np.take(flat_values, flat)
    flat += 1
    rise = np.take(flat_values, flat)
    rise -= lo
    frac = query - np.take(grid, idx)
    frac /= np.take(np.diff(grid), idx)  # grid[idx + 1] - grid[idx]
    frac *= rise
    frac += lo  # lo + frac * (hi - lo)
    early = query < grid[0]
    cols = np.flatnonzero(early.any(axis=0))
    if cols.size:  # the backward extension, computed only on the columns that need it
        k = cols[-1] + 1
        before = values[:, :1] + (query[:, :k] - grid[0]) * left_slope[:, None]
        np.copyto(frac[:, :k], before, where=early[:, :k])
    return frac


def _first_reach(traj: np.ndarray, grid: np.ndarray, level: np.ndarray, start: int,
                 end_slope: np.ndarray, limit_years: np.ndarray) -> np.ndarray:
    """Earliest time ``s >= grid[start]`` at which a trajectory reaches ``level``.

    ``traj`` is ``(m, T)`` (log10 of a quantity), ``level`` and the returned times ``(m,)``.
    Between grid points the trajectory is linear. Past ``grid[-1]`` it is extended at
    ``end_slope`` (decades per year) when that is positive, and the time is capped at
    ``grid[-1] + limit_years``; a level never reached gives exactly that cap.
    """
    traj = np.ascontiguousarray(traj)
    m, size = traj.shape
    hit = traj[:, start:] >= level[:, None]
    first = np.argmax(hit, axis=1)  # 0 when never reached
    reached = np.take(hit.reshape(-1), np.arange(m) * (size - start) + first)  # flat gathers: cheaper than
    j = first + start                                                             # any() and fancy indexing
    prev = np.maximum(j - 1, start)
    flat_traj, row_start = traj.reshape(-1), np.arange(m) * size
    y0, y1 = np.take(flat_traj, row_start + prev), np.take(flat_traj, row_start + j)
    rise = np.where(j > start, y1 - y0, 1.0)
    frac = np.where(j > start, (level - y0) / rise, 0.0)
    inside = grid[prev] + frac * (grid[j] - grid[prev])
    cap = grid[-1] + limit_years
    growing = end_slope > 0
    beyond = grid[-1] + (level - traj[:, -1]) / np.where(growing, end_slope, 1.0)
    outside = np.where(growing, np.minimum(beyond, cap), cap)
    return np.where(reached, inside, outside)



def _first_reach_each(traj: np.ndarray, grid: np.ndarray, end_slope: np.ndarray,
                      limit_years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_first_reach` from every year at once, both ways: ``traj`` is ``(2, T, m)``, bloc then
    year first (leader, follower). Where the leader is at least level in year ``t`` (``ahead[t]``)
    the follower searches for the leader's level of year ``t``, elsewhere the leader for the
    follower's::

        reach[t] = _first_reach(chaser.T, grid, level[t], t, end_slope, limit_years)

    the same numbers (the same operations on each element). Returns ``reach``, ``ahead`` and
    ``capped`` (never reached within the horizon plus ``limit_years``: ``reach`` is that cap), each
    ``(T, m)``.

    The first year ``j >= t`` at which each row reaches the level of year ``t`` is found by one
    comparison of each year ``j`` against the levels of the years up to it (latest first, so the
    earliest wins), on contiguous ``(years, m)`` blocks instead of T searches, for each bloc; the
    interpolation then reads the chasing bloc's trajectory, once for both directions.
    """
    traj = np.ascontiguousarray(traj)
    _, size, m = traj.shape
    leader, follower = traj[LEADER], traj[FOLLOWER]
    ahead = leader >= follower
    levels = np.where(ahead, leader, follower)
    small = np.uint8 if size < 255 else np.intp  # byte-wide year indices: several times faster
    hit = np.empty((size, m), dtype=small)
    step = np.empty((size, m), dtype=small)
    found = []
    for chaser, target in ((follower, leader), (leader, follower)):
        j = np.full((size, m), size, dtype=small)  # size: never reached
        for k in range(size - 1, -1, -1):  # j = k where year k reaches the level (j > k before: no wrap)
            h = np.greater_equal(chaser[k], target[:k + 1], out=hit[:k + 1])
            jk = j[:k + 1]
            d = np.subtract(jk, k, out=step[:k + 1])
            d *= h
            jk -= d
        found.append(j)
    catch_up, overtaken = found
    np.copyto(overtaken, catch_up, where=ahead)
    # (the arrays below reuse a few buffers: a fresh one costs more than the arithmetic on it)
    reached = overtaken < size
    start = np.arange(size, dtype=small)[:, None]
    # as _first_reach: j = start when never reached (j is size there: j - (size - start), in bytes)
    overtaken -= np.multiply(~reached, size - start, dtype=small)
    moved = overtaken > start
    j = overtaken.astype(np.intp)
    del found, catch_up, overtaken, hit, step
    prev = np.subtract(j, 1)
    np.maximum(prev, start, out=prev)
    grid_prev = np.take(grid, prev)
    grid_next = np.take(grid, j)
    # flat positions in traj of the chaser (the follower where the leader is ahead) in years prev and j
    block = size * m
    base = np.where(ahead, FOLLOWER * block, LEADER * block)
    base += np.arange(m)[None, :]
    flat_traj = traj.reshape(-1)
    prev *= m
    prev += base
    y0 = np.take(flat_traj, prev)
    j *= m
    j += base
    rise = np.take(flat_traj, j)
    del prev, j, base
    rise -= y0
    frac = np.subtract(levels, y0, out=y0)
    with np.errstate(divide="ignore", invalid="ignore"):  # where not moved rise is 0, and frac is set to 0
        frac /= rise  # (the same numbers as dividing by np.where(moved, rise, 1.0) where moved)
    np.copyto(frac, 0.0, where=~moved)
    inside = grid_next
    inside -= grid_prev
    inside *= frac
    inside += grid_prev  # grid_prev + frac * (grid[j] - grid_prev)
    del frac, grid_prev
    cap = grid[-1] + limit_years
    growing = end_slope > 0
    last = rise  # the chaser's last year
    np.copyto(last, leader[-1])
    np.copyto(last, np.broadcast_to(follower[-1], last.shape), where=ahead)
    beyond = np.subtract(levels, last, out=levels)
    beyond /= np.where(growing, end_slope, 1.0)
    beyond += grid[-1]
    outside = np.minimum(beyond, cap, out=beyond)
    if not growing.all():
        np.copyto(outside, np.broadcast_to(cap, outside.shape), where=~growing)  # cap where not growing
    capped = outside >= cap  # not reached within the horizon plus the limit: the time is the cap
    capped &= ~reached
    np.copyto(outside, inside, where=reached)
    return outside, ahead, capped


def _year_major(values: np.ndarray) -> np.ndarray:
    """A ``(rows, T, 2)`` array as a contiguous ``(T, rows, 2)`` copy (a year's slice is then contiguous).

    The two blocs of a sample and year are moved together, viewed as one 16-byte complex number,
    which is several times faster than a float-by-float transpose; the values are only copied.
    """
    values = np.ascontiguousarray(values, dtype=float)
    if values.ndim == 3 and values.shape[2] == 2:
        pairs = values.view(np.complex128)[..., 0]
        return np.ascontiguousarray(pairs.T).view(np.float64).reshape(values.shape[1], values.shape[0], 2)
    return np.ascontiguousarray(values.transpose(1, 0, 2))


def _sample_major(values: np.ndarray) -> np.ndarray:
    """The inverse of :func:`_year_major`: a ``(T, rows, 2)`` array as a contiguous ``(rows, T, 2)`` copy."""
    return _year_major(values)


def _safe_divide(num, den, positive, fill: float, shape) -> np.ndarray:
    """``num / den`` where ``positive``, else ``fill``: an array of ``shape`` (same values as
    ``np.where(positive, num / np.where(positive, den, 1.0), fill)``, without the temporaries)."""
    if np.all(positive):  # the usual case: a plain division (a masked one costs several times more)
        return np.divide(num, den, out=np.empty(shape))
    out = np.full(shape, fill)
    np.divide(num, den, out=out, where=positive)
    return out


def _end_slope(log_traj: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Log10 growth per year over the last step of each row (0 with a single year)."""
    if grid.size < 2:
        return np.zeros(log_traj.shape[0])
    return (log_traj[:, -1] - log_traj[:, -2]) / (grid[-1] - grid[-2])


# ---------------------------------------------------------------------------------------------
# Models


def _saturating_budget(first, growth_factor, cap, ceiling, inverse_ceiling):
    """A budget trend saturating at a ceiling, anchored so that its first year is ``first``.

    ``growth_factor`` is the trend's growth since the first year (``growth ** e``),
    ``inverse_ceiling`` is ``1 / ceiling`` (both computed once for budgets that share them).
    With the hard-capped trend ``T(e) = min(first * growth ** e, cap)`` (today's budget) and the
    ceiling ``C(e)``::

        budget(e) = min(T / (1 + T * max(1 / C(e) - (T(0) / T(e)) / C(0), 0)), C(e))

    While the trend grows faster than the ceiling this is ``T' / (1 + T' / C(e))`` with
    ``T' = T / (1 - T(0) / C(0))``: the hyperbolic saturation of a trend whose saturated first
    year is the stated one. A trend that grows no faster than the ceiling keeps a falling share
    of it and is left alone (never raised). So the budget is at most the trend and the ceiling,
    is exactly ``T`` when the ceiling is inf, and never rises when the ceiling is lowered.
    """
    trend = first * growth_factor
    return _saturate(_into(np.minimum, trend, cap, own=trend), ceiling, inverse_ceiling)


def _saturate(trend, ceiling, inverse_ceiling, positive_finite=None):
    """:func:`_saturating_budget` of a given trend ``T(e)`` (its first year is the anchor).

    ``positive_finite``: whether every trend value is known to be > 0 and finite (None: look).
    """
    first_trend, first_ceiling = trend[..., :1], ceiling[..., :1]
    shape = np.broadcast_shapes(trend.shape, np.shape(ceiling))
    if positive_finite is None:
        positive_finite = _positive_finite(trend)
    if positive_finite:  # the usual case: the same values as below, without masks or copies
        bend = np.divide(first_trend, trend, out=np.empty(shape))  # T(0) / T(e)
        bend /= first_ceiling
        np.subtract(inverse_ceiling, bend, out=bend)
        np.fmax(bend, 0.0, out=bend)  # a nan (0 / 0 from zero ceilings) bends nothing, as below
        bend *= trend
        bend += 1.0  # 1 where nothing bends: T / 1 is T
        np.divide(trend, bend, out=bend)
        return np.minimum(bend, ceiling, out=bend)
    spent = (trend > 0) & np.isfinite(trend)  # an unlimited (inf) trend is held at the ceiling below
    kept = np.zeros(shape)
    np.divide(first_trend, trend, out=kept, where=spent)  # T(0) / T(e)
    kept /= first_ceiling
    np.subtract(inverse_ceiling, kept, out=kept)
    bend = np.zeros(shape)
    np.maximum(kept, 0.0, out=bend, where=spent)
    bending = bend > 0
    bent = kept  # its buffer, reused
    np.copyto(bent, trend)
    if bending.any():  # where the ceiling bends the trend: T / (1 + T * bend)
        bend *= trend
        bend += 1.0
        np.divide(trend, bend, out=bent, where=bending)
    return np.minimum(bent, ceiling, out=bent)


def _positive_finite(values) -> bool:
    """Whether every value is > 0 and finite (False for an empty array or one holding a nan)."""
    return bool(np.size(values)) and bool(np.min(values) > 0) and bool(np.max(values) < np.inf)


def _sum(arrays):
    """``arrays[0] + arrays[1] + ...`` in that order, in place where the running sum has the result's
    shape already (a later array may have more rows: one channel's budget per sample, the others constants)."""
    total = arrays[0] + arrays[1]
    for arr in arrays[2:]:
        if np.broadcast_shapes(total.shape, np.shape(arr)) == total.shape:
            total += arr
        else:
            total = total + arr
    return total


def _shared_wallet(firsts, growth_factor, cap, ceiling, inverse_ceiling):
    """Budgets that draw on one wallet: their sum is held at ``cap`` and saturates at ``ceiling``,
    each keeps its share.

    Each raw trend is ``R_i(e) = first_i * growth_factor``; the wallet's trend is their sum held at
    the hard cap, ``S = min(sum R_i, cap)``, which saturates like one budget (:func:`_saturate`,
    anchored on the first year's ``S``), and each budget is ``R_i x saturated(S) / sum R_i``. The
    cap bounds the channels' sum, not each channel (a cap on each moved money into the channels
    it did not reach when it bound one, and a lower cap could raise a bloc's compute). So the
    budgets never add up to more than the cap or the ceiling, each is at most its trend, a lower
    cap or ceiling lowers every one, and an infinite cap and ceiling (or a sum that never comes
    near them) give every trend exactly. A budget that is cut leaves room under a binding cap or
    ceiling to the others (they substitute, as money does). An infinite trend (from Python only:
    no money limit on that channel) stays out of the wallet, held at ``min(cap, ceiling)`` on its
    own, so with one the budgets' sum can exceed the cap and the ceiling (the only case).
    """
    raws = [first * growth_factor for first in firsts]
    raw_total = _sum(raws)
    total = np.minimum(raw_total, cap)
    if _positive_finite(total) and _positive_finite(raw_total):  # the usual case: no inf, nan or zero sum
        spent = _saturate(total, ceiling, inverse_ceiling, positive_finite=True)
        scale = np.divide(spent, raw_total, out=spent)  # saturated(S) / sum R_i
        return [np.multiply(raw, scale, out=raw) if raw.shape == scale.shape else raw * scale for raw in raws]
    unlimited = [np.isinf(raw) for raw in raws]
    if any(mask.any() for mask in unlimited):
        counted = [np.where(mask, 0.0, raw) for mask, raw in zip(unlimited, raws)]
        raw_total = _sum(counted)
        total = np.minimum(raw_total, cap)
    else:
        unlimited, counted = None, raws
    spent = _saturate(total, ceiling, inverse_ceiling)  # (n, T): the ceiling's shape when the trends are constants
    scale = _safe_divide(spent, raw_total, raw_total > 0, 0.0,
                         np.broadcast_shapes(np.shape(spent), raw_total.shape))
    if np.isnan(raw_total).any():  # a channel's nan spoils the wallet's split: every budget nan there, not 0
        scale[np.broadcast_to(np.isnan(raw_total), scale.shape)] = np.nan
    budgets = [raw * scale for raw in counted]
    if unlimited is not None:
        alone = np.minimum(cap, ceiling)
        for budget, mask in zip(budgets, unlimited):
            np.copyto(budget, np.broadcast_to(alone, budget.shape), where=mask)
    return budgets


@model(
    outputs=(
        "chip_flow_h100e_per_year",
        "chip_flow_membw_h100e_per_year",
        "follower_import_h100e_per_year",
        "follower_smuggled_h100e_per_year",
        "follower_domestic_h100e_per_year",
        "follower_domestic_chips_per_year",
        "follower_domestic_spend_usd_per_year",
        "follower_remote_demand_h100e",
        "market_delivered_h100e_per_year",
        "chips_produced_h100e_per_year",
        "leader_chip_spend_usd_per_year",
        "follower_foreign_spend_usd_per_year",
        "bloc_budget_usd_per_year",
        "bloc_gdp_usd",
    ),
    axes={
        "chip_flow_h100e_per_year": ("year", "bloc"),
        "chip_flow_membw_h100e_per_year": ("year", "bloc"),
        "bloc_budget_usd_per_year": ("year", "bloc"),
        "bloc_gdp_usd": ("year", "bloc"),
    },
    # a ceiling above 1 would let a bloc spend more than its GDP (inf, "no ceiling", only from Python)
    domains={"leader_budget_ceiling_gdp_frac": "(0, 1]", "follower_budget_ceiling_gdp_frac": "(0, 1]"},
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
    """Chips each bloc adds per year, in H100-equivalents of FLOP/s and of memory bandwidth.

    Chips are conserved: every chip a bloc adds was produced (by the world's packaging lines or
    the follower's own fabs) and bought by someone; a smuggled chip is taken out of the leader
    bloc's (third countries') purchases, not created. With ``e = year - year[0]``::

        price(e)         = market_price / 2 ** (e / price_performance_doubling_years)
        energy_b(e)      = bloc_h100e_power_w_b * seconds per year / J per kWh
                           * electricity_usd_per_kwh * chip_service_years   (lifetime power bill)
        gdp_b(e)         = gdp_b * gdp_x_b ** e;  ceiling_b(e) = budget_ceiling_gdp_frac_b * gdp_b(e)
        trend_L(e)       = min(budget_L * budget_x_L ** e, budget_cap_L)
        trend_F(e)       = min(sum_i R_i(e), budget_cap_F),  R_i(e) = budget_i * budget_x_F ** e
                           (import, smuggling, remote: one wallet, the cap bounds their sum)
        budget_b(e)      ~ trend'_b / (1 + trend'_b / ceiling_b(e)),
                           trend'_b = trend_b / (1 - trend_b(0) / ceiling_b(0))
        follower budgets = R_i * budget_F(e) / sum_i R_i   (each channel keeps its share)
        leader demand    = budget_L / (price + energy_L)                       (H100e)
        import demand    = allowed_import_frac * budget_F / (allowed_chip_price_ratio * price
                           + energy_F)                                         (chips)
        rationing r      = min(1, market_supply_cap / (leader demand + import demand))
        leader bought    = r * leader demand;  imports = r * import demand * allowed_chip_perf_ratio
        smuggled         = min(leak_frac * (1 - enforcement_frac) * leader bought,
                               smuggling budget / (smuggling_markup_ratio * price + energy_F))
        leader installs  = leader bought - smuggled
        domestic chips   = min(min(capacity * ramp ** e, capacity_cap) * yield,
                               domestic_hbm_chips * domestic_hbm_x ** e)
                           worth domestic_perf_ratio * domestic_perf_x ** e H100e each
        remote demand    = remote budget / (rent per H100e-year / 2 ** (e / doubling))

    The world's packaging and HBM cap (``market_supply_cap_h100e_per_year``, from
    ``race_packaging_supply``) is counted in slots of one market H100e: an allowed chip (an H20,
    a cut-down frontier die) takes a whole slot whatever its FLOP/s. A binding cap rations every
    market buyer pro rata (an assumption) and leaves demand unmet; it never creates chips.
    Every follower budget grows like the follower's own (``follower_budget_x_per_year``), and
    ``follower_budget_cap_usd_per_year`` bounds the channels' sum (a cap on each channel moved
    money into the channels it did not reach, so a lower cap could raise the follower's compute).
    Each follower channel has its own lever and price; a policy lever never enlarges another
    channel's money (the budgets share one cap and one ceiling, below).

    Money: each budget saturates at a share of its bloc's GDP (the form of
    ``budgets.gdp_saturating_budget``): it follows the trend while the trend is small next to
    ``budget_ceiling_gdp_frac x GDP`` and approaches that ceiling as the trend runs into it, so no
    budget exceeds the ceiling (a share of GDP, <= GDP) at any horizon; a ceiling of inf gives
    ``min(budget_b * budget_x_b ** e, cap)`` exactly, the hard cap alone. The trend is anchored
    so that the first year's budget is the stated one (the observed spend; a stated budget above
    the first year's ceiling is held at the ceiling): saturation bends the future, not the first
    year; a trend growing no faster than its ceiling is left alone (the exact form is in
    ``_saturating_budget``). The follower's three foreign budgets (imports, smuggling, remote
    access) draw on one wallet: their sum saturates at the follower's ceiling and each keeps its
    share of the sum (``_shared_wallet``), so together they never exceed the ceiling. Under a
    binding ceiling a smaller budget in one channel leaves money to the others (the channels
    substitute); policy levers (allowed imports, leakage, enforcement, markup, remote access)
    act after the money is split and move none of it. Domestic chips are supply-limited and
    bought outside this wallet (``follower_domestic_spend_usd_per_year``).

    Market chips are taken to carry an H100's memory bandwidth per FLOP/s (a B200 has 2.3x
    both), so their bandwidth in H100s equals their H100e count.

    Parameters
    ----------
    year : array, (1, T)
        Calendar years; the first is the reference year of every parameter below.
    market_price_usd_per_h100e : array, (n, 1), > 0
        All-in price (chip, server, network) of one H100e of market chips in the first year.
    price_performance_doubling_years : array, (n, 1), > 0
        Years for the H100e bought per dollar (and rented per dollar) to double.
    leader_budget_usd_per_year, follower_budget_usd_per_year : array, (n, 1), >= 0
        Yearly spend on AI chips in the first year: the leader's on market chips, the follower's
        on the foreign chips it may legally buy.
    leader_budget_x_per_year, follower_budget_x_per_year : array, (n, 1), > 0
    leader_budget_cap_usd_per_year, follower_budget_cap_usd_per_year : array, (n, 1), >= 0
        Hard caps on each bloc's budget trend: the leader's budget, and the sum of the
        follower's three foreign budgets (imports, smuggling, remote access) (a very large value:
        no hard cap).
    leader_gdp_usd, follower_gdp_usd : array, (n, 1), > 0
        Each bloc's GDP in the first year.
    leader_gdp_x_per_year, follower_gdp_x_per_year : array, (n, 1), > 0
    leader_budget_ceiling_gdp_frac, follower_budget_ceiling_gdp_frac : array, (n, 1), in (0, 1] (inf: none,
        from Python only: a scenario's value is validated to (0, 1])
        Share of the bloc's GDP its AI-chip budgets saturate at.
    allowed_import_frac, allowed_chip_perf_ratio, allowed_chip_price_ratio, allowed_chip_membw_ratio
        The policy's legal-import channel (``costsim/data/policies.yaml``); (n, 1) or (n, T)
        (a dated timeline, ``race_policy_timeline``).
    leak_frac, enforcement_frac : array, (n, 1) or (n, T), in [0, 1]
        Share of the leader bloc's purchases diverted to the follower when nothing is enforced,
        and the share of that diversion enforcement stops.
    smuggling_markup_ratio : array, (n, 1), >= 1
        Price of a smuggled H100e over the market price.
    follower_smuggling_budget_usd_per_year : array, (n, 1), >= 0
        What the follower is willing to spend on smuggled chips in the first year.
    follower_remote_budget_usd_per_year : array, (n, 1), >= 0
        What it spends renting compute in foreign clouds in the first year.
    remote_rent_per_h100e_usd_per_year : array, (n, 1), > 0
        Rent of one H100e for a year in the first year (falls with price-performance).
    domestic_capacity_chips_per_year, domestic_ramp_x_per_year, domestic_capacity_cap_chips_per_year
        Follower's fab capacity (chips started) in the first year, its growth and its ceiling.
    domestic_yield_frac : array, (n, 1), in [0, 1]
    domestic_hbm_chips_per_year, domestic_hbm_x_per_year : array, (n, 1)
        Working chips the follower's HBM supply can equip in the first year, and its growth.
    domestic_perf_ratio, domestic_perf_x_per_year, domestic_membw_ratio : array, (n, 1)
    domestic_price_usd_per_chip : array, (n, 1), >= 0
        Price of one working domestic chip (domestic output is supply-limited: all is bought).
    market_supply_cap_h100e_per_year : array, (n, T) or (n, 1), > 0 (inf: no cap)
    bloc_h100e_power_w : array, (n, T, 2), >= 0
        Facility power per H100e of each bloc's new chips (``race_power_supply``).
    electricity_usd_per_kwh : array, (n, 1), >= 0
    chip_service_years : array, (n, 1), >= 0
        Years a chip's power bill is counted into its price.

    Returns
    -------
    dict
        ``chip_flow_h100e_per_year``, ``chip_flow_membw_h100e_per_year`` (n, T, 2): H100e each
        bloc adds by FLOP/s and by memory bandwidth. The follower's channels (n, T): imports,
        smuggled, domestic (H100e), ``follower_domestic_chips_per_year`` (working chips),
        ``follower_domestic_spend_usd_per_year``, ``follower_remote_demand_h100e`` (H100e it can
        pay to rent). ``market_delivered_h100e_per_year`` (slots delivered by the world's lines),
        ``chips_produced_h100e_per_year`` (market H100e delivered plus domestic H100e: what can be
        installed), ``leader_chip_spend_usd_per_year`` and ``follower_foreign_spend_usd_per_year``
        (imports plus smuggling). ``bloc_budget_usd_per_year`` (n, T, 2): the leader's budget and
        the follower's import budget after saturation; ``bloc_gdp_usd`` (n, T, 2).

    References
    ----------
    Chip figures: NVIDIA datasheets; Huawei Ascend reporting (``claims.yaml``: ``chip.*``).
    Policy thresholds: ``rule.2022_10``, ``rule.2023_10``; smuggling: ``china.smuggled_chips_2024``.
    """
    elapsed_years = _years_of(year)[None, :] - _years_of(year)[0]
    cheaper = np.divide(-elapsed_years, price_performance_doubling_years)
    np.exp2(cheaper, out=cheaper)
    price = market_price_usd_per_h100e * cheaper
    power = np.asarray(bloc_h100e_power_w, dtype=float)
    kwh_price = electricity_usd_per_kwh * chip_service_years * (SECONDS_PER_YEAR / J_PER_KWH)
    energy_leader, energy_follower = power[..., LEADER] * kwh_price, power[..., FOLLOWER] * kwh_price

    # each bloc's GDP computed into its slot of the (.., T, 2) output (no stacking copy)
    gdp = np.empty(np.broadcast_shapes(np.shape(leader_gdp_usd), np.shape(leader_gdp_x_per_year),
                                       np.shape(follower_gdp_usd), np.shape(follower_gdp_x_per_year),
                                       elapsed_years.shape) + (2,))
    leader_gdp, follower_gdp = gdp[..., LEADER], gdp[..., FOLLOWER]
    np.multiply(leader_gdp_usd, leader_gdp_x_per_year**elapsed_years, out=leader_gdp)
    np.multiply(follower_gdp_usd, follower_gdp_x_per_year**elapsed_years, out=follower_gdp)

    def ceiling_of(frac, gdp):
        ceiling = frac * gdp
        ceiling = np.broadcast_to(ceiling, np.broadcast_shapes(np.shape(ceiling), elapsed_years.shape))
        return ceiling, 1.0 / ceiling

    leader_budget = _saturating_budget(leader_budget_usd_per_year, leader_budget_x_per_year**elapsed_years,
                                       leader_budget_cap_usd_per_year,
                                       *ceiling_of(leader_budget_ceiling_gdp_frac, leader_gdp))
    # every follower budget grows like the follower's own; their sum is held at the cap and saturates
    follower_growth = (follower_budget_x_per_year**elapsed_years, follower_budget_cap_usd_per_year,
                       *ceiling_of(follower_budget_ceiling_gdp_frac, follower_gdp))
    follower_budget, smuggling_budget, remote_budget = _shared_wallet(
        (follower_budget_usd_per_year, follower_smuggling_budget_usd_per_year, follower_remote_budget_usd_per_year),
        *follower_growth)

    leader_price = price + energy_leader
    leader_demand = leader_budget / leader_price
    import_price = allowed_chip_price_ratio * price
    import_price = _into(np.add, import_price, energy_follower, own=import_price)  # a cut-down die draws a full slot's power
    import_demand = allowed_import_frac * follower_budget
    import_demand = _into(np.divide, import_demand, import_price, own=import_demand)
    demand = leader_demand + import_demand
    cap = np.asarray(market_supply_cap_h100e_per_year, dtype=float)
    binding = demand > cap
    if binding.shape == leader_demand.shape == import_demand.shape and not binding.any():
        leader_bought, import_chips = leader_demand, import_demand  # nothing rationed: 1 * x is x
    else:
        rationed = _safe_divide(cap, demand, binding, 1.0, binding.shape)
        leader_bought = rationed * leader_demand
        import_chips = rationed * import_demand
    imports = import_chips * allowed_chip_perf_ratio

    smuggle_price = smuggling_markup_ratio * price
    smuggle_price = _into(np.add, smuggle_price, energy_follower, own=smuggle_price)
    smuggled = leak_frac * (1.0 - enforcement_frac) * leader_bought
    smuggled = _into(np.minimum, smuggled, _into(np.divide, smuggling_budget, smuggle_price, own=smuggling_budget),
                     own=smuggled)

    # min(yield * min(capacity * ramp ** e, capacity_cap), hbm_chips * hbm_x ** e), each step written
    # into the growth factor's buffer where the shapes allow
    capacity = _into(np.multiply, domestic_capacity_chips_per_year, domestic_ramp_x_per_year**elapsed_years)
    capacity = _into(np.minimum, capacity, domestic_capacity_cap_chips_per_year, own=capacity)
    capacity = _into(np.multiply, domestic_yield_frac, capacity)
    domestic_chips = _into(np.minimum, capacity,
                           _into(np.multiply, domestic_hbm_chips_per_year, domestic_hbm_x_per_year**elapsed_years),
                           own=capacity)
    domestic = _into(np.multiply, domestic_chips * domestic_perf_ratio, domestic_perf_x_per_year**elapsed_years)
    remote_demand = _into(np.divide, remote_budget, remote_rent_per_h100e_usd_per_year * cheaper)

    # the two (.., T, 2) flows, each bloc computed into its slot: leader_bought - smuggled;
    # imports + smuggled + domestic; import_chips * membw_ratio + smuggled + domestic_chips * membw_ratio
    leader_shape = np.broadcast_shapes(leader_bought.shape, smuggled.shape)
    follower_shape = np.broadcast_shapes(imports.shape, smuggled.shape, domestic.shape)
    membw_shape = np.broadcast_shapes(import_chips.shape, np.shape(allowed_chip_membw_ratio), smuggled.shape,
                                      domestic_chips.shape, np.shape(domestic_membw_ratio))
    flow = np.empty(np.broadcast_shapes(leader_shape, follower_shape) + (2,))
    flow_membw = np.empty(np.broadcast_shapes(leader_shape, membw_shape) + (2,))
    np.subtract(leader_bought, smuggled, out=flow[..., LEADER])
    if flow_membw.shape == flow.shape:
        np.copyto(flow_membw[..., LEADER], flow[..., LEADER])
    else:  # flow's leader slot can be broader than flow_membw's (a per-sample input of the follower's flow only)
        np.subtract(leader_bought, smuggled, out=flow_membw[..., LEADER])
    follower_flow = flow[..., FOLLOWER]
    np.add(imports, smuggled, out=follower_flow)
    follower_flow += domestic
    follower_membw = flow_membw[..., FOLLOWER]
    np.multiply(import_chips, allowed_chip_membw_ratio, out=follower_membw)
    follower_membw += smuggled
    follower_membw += domestic_chips * domestic_membw_ratio
    delivered = leader_bought + import_chips
    produced = leader_bought + imports
    produced = _into(np.add, produced, domestic, own=produced)
    foreign_spend = import_chips * import_price
    foreign_spend = _into(np.add, foreign_spend, smuggled * smuggle_price, own=foreign_spend)
    return {
        "chip_flow_h100e_per_year": flow,
        "chip_flow_membw_h100e_per_year": flow_membw,
        "follower_import_h100e_per_year": imports,
        "follower_smuggled_h100e_per_year": smuggled,
        "follower_domestic_h100e_per_year": domestic,
        "follower_domestic_chips_per_year": domestic_chips,
        "follower_domestic_spend_usd_per_year": domestic_chips * domestic_price_usd_per_chip,
        "follower_remote_demand_h100e": remote_demand,
        "market_delivered_h100e_per_year": delivered,
        "chips_produced_h100e_per_year": produced,
        "leader_chip_spend_usd_per_year": leader_bought * leader_price,
        "follower_foreign_spend_usd_per_year": foreign_spend,
        "bloc_budget_usd_per_year": _by_bloc(leader_budget, follower_budget),
        "bloc_gdp_usd": gdp,
    }


@model(
    outputs=(
        "stock_h100e",
        "stock_membw_h100e",
        "largest_run_flop",
        "installed_h100e_per_year",
        "retired_h100e_per_year",
        "unpowered_h100e_per_year",
        "stock_power_w",
        "usable_h100e",
        "follower_remote_h100e",
        "bloc_compute_share_frac",
        "largest_run_flop_x_per_year",
    ),
    axes={
        "stock_h100e": ("year", "bloc"),
        "stock_membw_h100e": ("year", "bloc"),
        "largest_run_flop": ("year", "bloc"),
        "installed_h100e_per_year": ("year", "bloc"),
        "retired_h100e_per_year": ("year", "bloc"),
        "unpowered_h100e_per_year": ("year", "bloc"),
        "stock_power_w": ("year", "bloc"),
        "usable_h100e": ("year", "bloc"),
        "bloc_compute_share_frac": ("year", "bloc"),
        "largest_run_flop_x_per_year": ("year", "bloc"),
    },
    yearly_steps=True,  # stock[t] = stock[t-1] * keep + installed[t] * dt: each step's end-year flow for the whole step
    # a bloc left with no compute (the leader renting out its whole fleet) or no bandwidth (it then
    # serves, and fields, nothing) has a log10 of -inf: the gap and the crossing are undefined
    domains={"remote_access_frac": "[0, 1)", "leader_initial_membw_ratio": "(0, inf)",
             "follower_initial_membw_ratio": "(0, inf)",
             # a bloc that puts nothing into its largest run has no run to lag or cross with
             "leader_run_share_frac": "(0, 1]", "follower_run_share_frac": "(0, 1]"},
)
def race_compute_stock(
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
    """Installed compute of each bloc under its power supply, and the FLOP of its largest run.

    The stock in the first year is the initial stock, as far as the power runs it; after that, with
    ``keep = exp(-rate dt)``::

        powered[t]   = power_cap[t] / h100e_power[t]                 (H100e the power can run)
        stock[0]     = min(initial, powered[0])
        running[t]   = min(stock[t-1] * keep, powered[t])   (kept chips beyond the power: retired)
        headroom[t]  = (powered[t] - running[t]) / dt
        installed[t] = min(flow[t], headroom[t])    (chips beyond the power: paid for, never installed)
        stock[t]     = running[t] + installed[t] * dt  = min(stock[t-1] * keep + flow[t] * dt, powered[t])
        stock_power  = stock * h100e_power  <= power_cap

    So the fleet never draws more than its bloc's power in any year: an initial stock beyond the
    first year's power, or a fleet that a falling power cap (or a costlier chip, per H100e) no longer
    runs, is retired at once, like the deliveries the power cannot take (they are not stored for
    later). An infinite cap (or chips drawing no power) gives the uncapped stock exactly, and a
    higher cap never lowers the stock.

    The fleet is counted at the power per H100e of the year's new chips: operators are taken to
    retire or refresh their least efficient chips first when power binds (an optimistic bound on
    what the power allows, and the form that keeps more chips from ever lowering a later stock).
    Memory bandwidth is installed (and retired for want of power) in the same proportion as
    FLOP/s. Remote access moves compute, not chips: the follower rents
    ``min(remote demand, remote_access_frac * leader stock)``, which the leader no longer uses::

        usable_L = stock_L - remote,  usable_F = stock_F + remote
        largest_run_flop = min(run_share * usable, run_power_limit / h100e_power)
                           * h100_peak_flop_per_s * utilization * run_length

    where ``h100e_power`` is that of the bloc's newest chips (the frontier run uses them).
    ``bloc_compute_share_frac`` is each bloc's share of the two blocs' installed H100e, and
    ``largest_run_flop_x_per_year`` the yearly growth multiple of the largest run (1 in the
    first year).

    Parameters
    ----------
    year : array, (1, T)
    chip_flow_h100e_per_year, chip_flow_membw_h100e_per_year : array, (n, T, 2)
        Chips delivered per year by FLOP/s and by memory bandwidth (``race_chip_supply``).
    follower_remote_demand_h100e : array, (n, T), >= 0
        H100e the follower can pay to rent abroad.
    bloc_power_cap_w, bloc_h100e_power_w : array, (n, T, 2)
        Power available to each bloc's AI datacenters, and facility power per H100e of its new
        chips (``race_power_supply``; inf cap: no power limit).
    run_power_limit_w : array, (n, T), > 0
        Power one campus can give a single run (inf: no limit).
    leader_initial_stock_h100e, follower_initial_stock_h100e : array, (n, 1), > 0
    leader_initial_membw_ratio, follower_initial_membw_ratio : array, (n, 1), > 0
        Bandwidth (H100s of it) per H100e of the initial stock (0 would leave a bloc nothing to serve with).
    depreciation_per_year : array, (n, 1), >= 0
        Continuous retirement rate of installed chips.
    remote_access_frac : array, (n, 1) or (n, T), in [0, 1)
        Largest share of the leader's stock the follower may rent (the remote-access lever; 1 would
        let it rent the whole fleet and leave the leader no compute).
    leader_run_share_frac, follower_run_share_frac : array, (n, 1), in (0, 1]
    utilization_frac : array, (n, 1), in (0, 1]
    run_length_years : array, (n, 1), > 0
    h100_peak_flop_per_s : array, (n, 1), > 0

    Returns
    -------
    dict
        Each (n, T, 2) except ``follower_remote_h100e`` (n, T): the stocks, the largest run,
        ``installed_h100e_per_year`` (<= delivered), ``retired_h100e_per_year`` (aged out, plus the
        chips the power no longer runs; in the first year, the initial stock beyond its power),
        ``unpowered_h100e_per_year`` (delivered and paid for, but never installed for want of power:
        race_chip_supply's spending and smuggling count them; they do not enter the stock),
        ``stock_power_w``, ``usable_h100e``, the shares and the growth of the largest run.

    References
    ----------
    Power: ``power.frontier_training_growth``, ``power.single_campus_2030`` (anchors_2025.yaml).
    """
    years = _years_of(year)
    flow = np.asarray(chip_flow_h100e_per_year, dtype=float)
    flow_membw = np.asarray(chip_flow_membw_h100e_per_year, dtype=float)
    rows = _n_rows(flow, flow_membw, follower_remote_demand_h100e, bloc_power_cap_w, bloc_h100e_power_w,
                   run_power_limit_w, leader_initial_stock_h100e, follower_initial_stock_h100e,
                   leader_initial_membw_ratio, follower_initial_membw_ratio, depreciation_per_year,
                   remote_access_frac, leader_run_share_frac, follower_run_share_frac, h100_peak_flop_per_s,
                   utilization_frac, run_length_years)  # every per-sample input: the one left free may be any
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

    # every chip drawing power (the usual case, one reduction): plain divisions, no mask
    powered = True if _positive_finite(unit_power) else unit_power > 0
    stock_cap = _safe_divide(power_cap, unit_power, powered, np.inf, shape)
    steps = np.diff(years)  # dt of each step t-1 -> t
    neg_rate = np.repeat(-rate, 2, axis=1)  # (rows, 2): the same rate for both blocs
    # the share of last year's stock kept, (T - 1, rows, 2): exp(-rate dt), per bloc so that the
    # year loops' products are plain contiguous ones
    keep_by_year = np.multiply(steps[:, None, None], neg_rate)
    np.exp(keep_by_year, out=keep_by_year)

    # the recurrences run year-major, so that each year's (rows, 2) slice is contiguous
    flow_by_year = _year_major(flow)
    cap_by_year = _year_major(stock_cap)
    unit_steps = steps == 1.0  # x / 1 and x * 1 are x: those steps skip them
    stock_by_year = np.empty((years.size, rows, 2))
    installed_by_year = np.empty((years.size, rows, 2))
    installed_by_year[0] = flow_by_year[0]  # the first year's deliveries are counted in the initial stock
    # chips the bloc's power cannot run are retired at once, the initial stock's included: the fleet
    # never draws more than the power (retired_by_year holds them, then adds the ageing below)
    retired_by_year = np.empty((years.size, rows, 2))
    np.minimum(initial, cap_by_year[0], out=stock_by_year[0])
    np.subtract(initial, stock_by_year[0], out=retired_by_year[0])
    kept = np.empty((rows, 2))
    running = np.empty((rows, 2))
    room = np.empty((rows, 2))
    for t in range(1, years.size):  # recurrence: retirement of last year's stock
        dt = steps[t - 1]
        np.multiply(stock_by_year[t - 1], keep_by_year[t - 1], out=kept)
        np.minimum(kept, cap_by_year[t], out=running)  # the kept chips the power runs
        np.subtract(kept, running, out=retired_by_year[t])  # the others: retired for want of power
        np.subtract(cap_by_year[t], running, out=room)  # >= 0: running is at most the cap
        if not unit_steps[t - 1]:
            np.divide(room, dt, out=room)  # headroom: chips the power can still run, per year
        np.minimum(flow_by_year[t], room, out=installed_by_year[t])
        if unit_steps[t - 1]:
            np.add(running, installed_by_year[t], out=stock_by_year[t])
        else:
            np.multiply(installed_by_year[t], dt, out=room)
            np.add(running, room, out=stock_by_year[t])
    # the share of each year's kept stock (and bandwidth) the power runs, where the power retired some
    unpowered = years.size > 1 and bool(retired_by_year[1:].any())
    if unpowered:
        kept_by_year = np.multiply(stock_by_year[:-1], keep_by_year)  # the loop's kept, all years at once
        run_by_power = _safe_divide(kept_by_year - retired_by_year[1:], kept_by_year, kept_by_year > 0, 1.0,
                                    kept_by_year.shape)
        del kept_by_year
    if years.size > 1:  # last year's stock * (1 - keep) / dt (plus the chips retired for want of power)
        aged = np.subtract(1.0, keep_by_year)
        aged *= stock_by_year[:-1]
        if unpowered:
            retired_by_year[1:] += aged
        else:  # nothing retired for want of power: the ageing alone (x + 0 is x)
            retired_by_year[1:] = aged
        del aged
        if not unit_steps.all():
            retired_by_year[1:] /= steps[:, None, None]

    membw_by_year = np.empty((years.size, rows, 2))
    membw_by_year[0] = stock_by_year[0] * initial_ratio  # the initial stock's bandwidth (that the power runs)
    if years.size > 1:
        # bandwidth is installed in the share of the year's FLOP/s deliveries that was installed
        moving = flow_by_year[1:] > 0
        share = _safe_divide(installed_by_year[1:], flow_by_year[1:], moving, 1.0, moving.shape)
        added = share
        added *= _year_major(flow_membw)[1:]
        if not unit_steps.all():
            added *= steps[:, None, None]  # share * flow_membw * dt
        for t in range(1, years.size):  # recurrence: retirement of last year's bandwidth
            np.multiply(membw_by_year[t - 1], keep_by_year[t - 1], out=kept)
            if unpowered:  # retired for want of power in the same proportion as FLOP/s
                kept *= run_by_power[t - 1]
            np.add(kept, added[t - 1], out=membw_by_year[t])
        del moving, share, added
    del flow_by_year, cap_by_year, stock_cap, keep_by_year  # a chunk's memory: drop each year-major copy once used
    stock = _sample_major(stock_by_year)
    del stock_by_year
    installed = _sample_major(installed_by_year)
    del installed_by_year
    retired = _sample_major(retired_by_year)
    del retired_by_year
    stock_membw = _sample_major(membw_by_year)
    del membw_by_year
    stock_power = stock * unit_power

    remote = np.minimum(np.asarray(follower_remote_demand_h100e, dtype=float),
                        np.asarray(remote_access_frac, dtype=float) * stock[..., LEADER])
    remote = np.broadcast_to(remote, (rows, years.size))
    usable = np.empty(shape)
    np.add(stock[..., LEADER], -remote, out=usable[..., LEADER])
    np.add(stock[..., FOLLOWER], remote, out=usable[..., FOLLOWER])
    run_share = _by_bloc(np.asarray(leader_run_share_frac, dtype=float).reshape(-1, 1),
                         np.asarray(follower_run_share_frac, dtype=float).reshape(-1, 1))
    limit = np.asarray(run_power_limit_w, dtype=float)
    limit = limit.reshape(limit.shape + (1,)) if limit.ndim else limit
    run_h100e = np.empty(shape)
    for bloc in (LEADER, FOLLOWER):  # bloc by bloc: (rows, T) operands iterate faster than (rows, T, 2) ones
        chips_cap = _safe_divide(limit[..., 0] if np.ndim(limit) == 3 else limit, unit_power[..., bloc],
                                 powered if powered is True else powered[..., bloc], np.inf, (rows, years.size))
        np.multiply(run_share[..., bloc], usable[..., bloc], out=run_h100e[..., bloc])
        np.minimum(run_h100e[..., bloc], chips_cap, out=run_h100e[..., bloc])
    run_flop_per_h100e = (np.asarray(h100_peak_flop_per_s * utilization_frac * run_length_years, dtype=float)
                          * SECONDS_PER_YEAR).reshape(-1, 1, 1)
    run_flop = run_h100e
    run_flop *= run_flop_per_h100e
    growth = np.empty_like(run_flop)
    growth[:, :1] = 1.0
    if years.size > 1:
        before = run_flop[:, :-1]
        grew = before > 0
        if grew.all():  # the usual case: a plain division
            np.divide(run_flop[:, 1:], before, out=growth[:, 1:])
        else:
            growth[:, 1:] = 1.0
            np.divide(run_flop[:, 1:], before, out=growth[:, 1:], where=grew)  # else 1
        exponent = 1.0 / steps
        if not np.all(exponent == 1.0):  # yearly steps: x ** 1 is x
            growth[:, 1:] **= exponent[None, :, None]
    total = stock[..., LEADER] + stock[..., FOLLOWER]
    share_of_total = np.empty(shape)
    for bloc in (LEADER, FOLLOWER):  # bloc by bloc: a (rows, T, 1) divisor iterates two values at a time
        np.divide(stock[..., bloc], total, out=share_of_total[..., bloc])
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
        "bloc_compute_share_frac": share_of_total,
        "largest_run_flop_x_per_year": growth,
    }


def _speedup_steps(years, rate_leader, rate_follower, speedup):
    """Each year's step of the two blocs' algorithms, with and without the AI speedup: ``steps[t - 1][bloc]``
    is ``(rate * speedup * dt, rate * dt)`` for ``dt = years[t] - years[t - 1]`` (computed once per
    distinct step; ``rate * 1.0`` is ``rate``, so the same numbers as ``rate * np.where(fast, speedup, 1.0) * dt``).
    """
    fast_rates = (rate_leader * speedup, rate_follower * speedup)
    rates = (rate_leader, rate_follower)
    cache = {}
    steps = []
    for t in range(1, years.size):
        dt = years[t] - years[t - 1]
        if dt not in cache:
            cache[dt] = tuple((fast_rates[bloc] * dt, rates[bloc] * dt) for bloc in (LEADER, FOLLOWER))
        steps.append(cache[dt])
    return steps


def _rows_copy(values, shape):
    """``values`` broadcast to ``shape``, as a new array (no copy when it has that shape already)."""
    if values.shape == shape:
        return values
    out = np.empty(shape)
    out[...] = values
    return out


def _scale_payoff(log_phys, years, rows, midpoint_flop, midpoint_x_per_year, width_x):
    """Logistic payoff in log10 of each bloc's largest run: 1/2 at the midpoint, (rows, T, 2)."""
    elapsed = years - years[0]
    rows = _n_rows(midpoint_flop, midpoint_x_per_year, width_x)  # 1 when the three are constants
    log_mid = (np.log10(_per_sample(midpoint_flop, rows))[:, None]
               + np.log10(_per_sample(midpoint_x_per_year, rows))[:, None] * elapsed[None, :])
    decades_per_unit = np.log10(_per_sample(width_x, rows))[:, None, None]
    # (both blocs' midpoints side by side: the subtraction then runs over whole rows, not pairs)
    z = log_phys - np.repeat(log_mid[..., None], 2, axis=-1)
    z /= decades_per_unit
    z *= np.log(10.0) * 0.5  # the same numbers as * ln 10, then * 0.5 (halving is exact)
    np.tanh(z, out=z)
    z += 1.0
    z *= 0.5
    return z  # 0.5 * (1 + tanh(z / 2)) = 1 / (1 + exp(-z)), without overflow


def _post_training_log10(years, rows, x_per_year, cap_x, delay_years):
    """Log10 of each bloc's post-training multiplier: the leader's from the first year, the follower's delayed.

    ``(1, T, 2)`` when the three parameters are constants (the same for every row), else ``(rows, T, 2)``.
    """
    rows = _n_rows(x_per_year, cap_x, delay_years)
    elapsed = (years - years[0])[None, :]
    rate = np.log10(_per_sample(x_per_year, rows))[:, None]
    ceiling = np.log10(_per_sample(cap_x, rows))[:, None]
    out = np.empty((rows, years.size, 2))
    np.minimum(rate * elapsed, ceiling, out=out[..., LEADER])
    np.minimum(rate * np.maximum(elapsed - _per_sample(delay_years, rows)[:, None], 0.0), ceiling,
               out=out[..., FOLLOWER])
    return out


@model(
    outputs=("algo_efficiency_x", "largest_run_effective_flop", "bloc_capability_score",
             "follower_distilled_effective_flop", "scale_payoff_frac", "post_training_x"),
    axes={
        "algo_efficiency_x": ("year", "bloc"),
        "largest_run_effective_flop": ("year", "bloc"),
        "bloc_capability_score": ("year", "bloc"),
        "scale_payoff_frac": ("year", "bloc"),
        "post_training_x": ("year", "bloc"),
    },
    yearly_steps=True,  # algorithms step rate * dt from last step's level (the speedup, necessity switch per step)
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

    * Saturation: neither bloc's efficiency exceeds ``algo_efficiency_cap_x`` (over the leader's
      first-year algorithms); inf switches it off.
    * Distillation: the follower's largest-run effective FLOP is at least ``distillation_frac``
      times the leader's of ``distillation_delay_years`` before (training on a leader model's
      outputs gives a share of its capability at little compute); 0 switches it off. It adds to
      the follower's effective FLOP, not to its algorithms.

    * Scale-dependent gains: a share ``scale_dependent_algo_frac`` of a bloc's pre-training
      gains beyond the leader's first-year algorithms (``max(log10 A, 0)``) pays off only at
      scale, by a logistic in log10 of the bloc's largest-run physical FLOP::

          payoff_b(t) = 1 / (1 + (midpoint(t) / largest_run_b(t)) ** (1 / log10(width)))
          midpoint(t) = scale_payoff_midpoint_flop * scale_payoff_midpoint_x_per_year ** e
          log10 A_b  -= share * (1 - payoff_b) * max(log10 A_b, 0)

      (half pays off at the midpoint; ``width`` is the multiple of compute from the midpoint to a
      payoff of 1/(1 + 1/10) ~ 0.91). The recurrences above run on what a bloc *knows*; the
      scale-dependent part of it is *used* only at scale. Share 0 switches it off; more compute
      never lowers the payoff.
    * Pre-training vs post-training: the efficiency above is pre-training's (Ho et al. measure
      pre-training only); post-training / RL adds its own multiplier, growing at
      ``post_training_x_per_year`` up to ``post_training_cap_x`` for the leader from the first
      year, and reaching the follower ``post_training_delay_years`` later (it starts from its
      first-year level, which ``follower_initial_algo_ratio`` already counts)::

          log10 P_L(t) = min(log10(post_x) * e, log10(post_cap))
          log10 P_F(t) = min(log10(post_x) * max(e - post_delay, 0), log10(post_cap))

      ``post_training_x_per_year = 1`` switches it off. It is not sped up by AI and not
      scale-dependent (an assumption: post-training gains come at small compute).

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
    algo_efficiency_cap_x : array, (n, 1), >= 1
        Ceiling on the algorithmic multiplier (a flagged assumption in the bundled scenarios).
    distillation_frac : array, (n, 1) or (n, T), in [0, 1]
        Share of the leader's delayed effective FLOP the follower gets by distillation.
    distillation_delay_years : array, (n, 1), >= 0
    scale_dependent_algo_frac : array, (n, 1), in [0, 1]
        Share of the pre-training gains that pays off only at scale (0: off).
    scale_payoff_midpoint_flop : array, (n, 1), > 0
        Largest-run physical FLOP at which half of that share pays off, in the first year.
    scale_payoff_midpoint_x_per_year : array, (n, 1), > 0
        Its growth (1: fixed; > 1: newer gains need ever larger runs).
    scale_payoff_width_x : array, (n, 1), > 1
        Multiple of compute over the midpoint at which ~91% pays off.
    post_training_x_per_year : array, (n, 1), >= 1
        Growth of the leader's post-training / RL multiplier (1: off).
    post_training_cap_x : array, (n, 1), >= 1
        Its ceiling.
    post_training_delay_years : array, (n, 1), >= 0
        Delay after which the leader's post-training gains reach the follower.
    capability_reference_flop : array, (n, 1), > 0
        Effective FLOP of a reference model (score 0).

    Returns
    -------
    dict
        ``algo_efficiency_x``, ``largest_run_effective_flop``, ``bloc_capability_score``, each (n, T, 2);
        ``follower_distilled_effective_flop`` (n, T): the distillation floor;
        ``scale_payoff_frac`` (n, T, 2): the logistic payoff of each bloc's largest run;
        ``post_training_x`` (n, T, 2): the post-training multiplier (inside ``algo_efficiency_x``).

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
    steps = _speedup_steps(years, rate_leader, rate_follower, speedup)

    # the recurrences run year-major: each year's (rows,) slice is contiguous (the same operations)
    phys_leader = np.ascontiguousarray(log_phys[..., LEADER].T)
    phys_follower = np.ascontiguousarray(log_phys[..., FOLLOWER].T)
    leader_t = np.zeros((years.size, rows))
    leader_effective_t = np.empty((years.size, rows))
    for t in range(1, years.size):  # recurrence: the speedup switches on from last year's level
        np.add(phys_leader[t - 1], leader_t[t - 1], out=leader_effective_t[t - 1])
        fast = leader_effective_t[t - 1] >= threshold
        fast_step, slow_step = steps[t - 1][LEADER]
        step = np.where(fast, fast_step, slow_step)  # rate_leader * (speedup or 1) * dt
        np.add(leader_t[t - 1], step, out=leader_t[t])
        np.minimum(leader_t[t], np.maximum(log_cap, leader_t[t - 1]), out=leader_t[t])
    np.add(phys_leader[-1], leader_t[-1], out=leader_effective_t[-1])  # phys_leader + leader_t

    copied_t = _interp_rows(years, leader_t, delay, rate_leader, year_major=True)
    scarcity_decades_t = np.subtract(phys_leader, phys_follower)
    np.maximum(scarcity_decades_t, 0.0, out=scarcity_decades_t)
    elasticity = _per_sample(necessity_elasticity, rows)[None, :]
    if not elasticity.any() and np.isfinite(scarcity_decades_t).all():
        necessity_t = None  # 10 ** (0 * finite) is 1: necessity switched off (and step * 1 is step)
    else:
        necessity_t = scarcity_decades_t
        necessity_t *= elasticity
        np.power(10.0, necessity_t, out=necessity_t)
    del scarcity_decades_t

    follower_t = np.empty((years.size, rows))
    follower_t[0] = np.maximum(np.log10(_per_sample(follower_initial_algo_ratio, rows)), copied_t[0])
    effective = np.empty(rows)
    own = np.empty(rows)
    walk = np.empty(rows)
    for t in range(1, years.size):  # recurrence: own progress builds on the best known so far,
        # and necessity and the speedup depend on last year's effective FLOP
        last = follower_t[t - 1]
        np.add(phys_follower[t - 1], last, out=effective)
        fast = effective >= threshold
        fast_step, slow_step = steps[t - 1][FOLLOWER]
        step = np.where(fast, fast_step, slow_step)  # rate_follower * (speedup or 1) * dt
        if necessity_t is None:
            pushed = step
        else:
            pushed = step * np.where(effective < leader_effective_t[t - 1], necessity_t[t - 1], 1.0)
        np.subtract(leader_effective_t[t], phys_follower[t], out=walk)  # parity
        np.maximum(np.add(last, step), walk, out=walk)
        np.add(last, pushed, out=own)
        np.minimum(own, walk, out=own)
        np.minimum(own, np.maximum(log_cap, last, out=walk), out=own)
        np.maximum(own, copied_t[t], out=follower_t[t])
    del copied_t, leader_effective_t, phys_leader, phys_follower, necessity_t

    log_eff = np.empty((rows, years.size, 2))
    log_eff[..., LEADER] = leader_t.T
    log_eff[..., FOLLOWER] = follower_t.T
    del leader_t, follower_t
    payoff = _scale_payoff(log_phys, years, rows, scale_payoff_midpoint_flop, scale_payoff_midpoint_x_per_year,
                           scale_payoff_width_x)
    share_at_scale = _per_sample(scale_dependent_algo_frac, rows)[:, None, None]
    if share_at_scale.any() or np.signbit(share_at_scale).any() or not (np.isfinite(payoff).all()
                                                                        and np.isfinite(log_eff).all()):
        unpaid = 1.0 - payoff
        np.multiply(share_at_scale, unpaid, out=unpaid)
        unpaid *= np.maximum(log_eff, 0.0)
        log_eff -= unpaid  # log_eff - share * (1 - payoff) * max(log_eff, 0)
        del unpaid
    # else a share of +0 everywhere: unpaid is +0 (finite * +0, never negative), log_eff - 0 is log_eff
    log_post = _post_training_log10(years, rows, post_training_x_per_year, post_training_cap_x,
                                    post_training_delay_years)  # (1, T, 2) when the same for every row
    log_eff += log_post
    log_effective = log_phys + log_eff
    share = np.asarray(distillation_frac, dtype=float)  # (n, 1), (n, T) or a constant: broadcast by the sum below
    log_share = np.where(share > 0, np.log10(np.where(share > 0, share, 1.0)), -np.inf)
    # before the first year the leader's effective FLOP is extended back at its algorithmic rate
    # alone (a parameter: a slope read off the capped trajectory would rise as caps tighten)
    delayed = _interp_rows(years, log_effective, _per_sample(distillation_delay_years, rows), rate_leader,
                           bloc=LEADER)
    distilled = log_share + delayed
    np.maximum(log_effective[..., FOLLOWER], distilled, out=log_effective[..., FOLLOWER])
    reference = np.log10(np.asarray(capability_reference_flop, dtype=float)).reshape(-1, 1, 1)
    # the outputs reuse the arrays no longer needed (the same numbers, fewer fresh arrays)
    effective_flop = 10.0**log_effective
    if np.broadcast_shapes(reference.shape, log_effective.shape) == log_effective.shape:
        score = np.subtract(log_effective, reference, out=log_effective)
    else:
        score = log_effective - reference
    return {
        "algo_efficiency_x": np.power(10.0, log_eff, out=log_eff),
        "largest_run_effective_flop": effective_flop,
        "bloc_capability_score": score,
        "follower_distilled_effective_flop": np.power(10.0, distilled, out=distilled),
        "scale_payoff_frac": payoff,
        "post_training_x": _rows_copy(10.0**log_post, (rows, years.size, 2)) if log_post.any()
                           else np.ones((rows, years.size, 2)),  # 10 ** 0 is 1: off
    }


@model(outputs=("effective_flop_gap_ratio", "follower_lag_years", "follower_lag_capped_flag"))
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
    within the horizon plus the limit", and ``follower_lag_capped_flag`` is 1 there (else 0): a
    median lag that equals the cap is a lower bound, not a measurement. A follower ahead has a lag
    of minus that cap; where the cap is 0 (``extrapolation_limit_years = 0``, the last year) its lag
    is -0.0, so the lag's sign bit (``np.signbit``) says who leads in every year: set exactly where
    the follower is ahead.

    Parameters
    ----------
    year : array, (1, T)
    largest_run_effective_flop : array, (n, T, 2), > 0
    extrapolation_limit_years : array, (n, 1), >= 0
        How far past the last simulated year a trajectory may be extended.

    Returns
    -------
    dict
        ``effective_flop_gap_ratio`` (n, T), ``follower_lag_years`` (n, T),
        ``follower_lag_capped_flag`` (n, T): 1.0 where the lag is the cap.
    """
    years = _years_of(year)
    flop = np.asarray(largest_run_effective_flop, dtype=float)
    rows = _n_rows(flop, extrapolation_limit_years)
    flop = np.broadcast_to(flop, (rows, years.size, 2))
    log_eff = np.log10(flop)
    traj = np.empty((2, years.size, rows))  # bloc then year first: each year's (rows,) slice contiguous
    for bloc in (LEADER, FOLLOWER):
        traj[bloc] = np.ascontiguousarray(log_eff[..., bloc]).T
    del log_eff
    leader, follower = traj[LEADER].T, traj[FOLLOWER].T  # (rows, T) views
    slope = _end_slope(leader, years)
    limit = _per_sample(extrapolation_limit_years, rows)

    # a search along each trajectory from every year t on, all years and both directions at once
    reach, ahead, capped = _first_reach_each(traj, years, slope, limit)
    capped_flag = np.ascontiguousarray(capped.T, dtype=float)
    lead = np.subtract(reach, years[:, None])  # years behind where the leader is ahead
    # else years ahead, negative: -(reach - t), the same numbers as t - reach but for a zero cap
    # (limit 0, the last year), which is -0.0 there: the sign still says the follower leads
    lag_t = np.negative(lead, out=reach)
    np.copyto(lag_t, lead, where=ahead)
    lag = np.ascontiguousarray(lag_t.T)
    ratio = np.subtract(leader, follower, out=np.empty((rows, years.size)))
    np.power(10.0, ratio, out=ratio)
    return {"effective_flop_gap_ratio": ratio, "follower_lag_years": lag, "follower_lag_capped_flag": capped_flag}


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
        "unipolar_window_years": ("bloc",),
        "unipolar_window_flag": ("bloc",),
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
    crosses first). The unipolar window belongs to the bloc that crosses first:
    ``unipolar_window_years[leader] = max(lead, 0)`` and ``[follower] = max(-lead, 0)``, how long
    that bloc alone has crossed (a check names the bloc: ``bloc: US``). When neither crosses,
    both sit at the cap and both windows are 0; when only one crosses its window is a lower
    bound. ``unipolar_window_flag[b] = 1`` when bloc b's window is at least
    ``unipolar_window_min_years``; its mean is P(b's window >= K).

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
        ``capability_crossing_year``, ``crossing_within_horizon_flag``, ``unipolar_window_years``,
        ``unipolar_window_flag`` (n, 2); ``lead_at_crossing_years`` (n,).
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
    window = np.stack([np.maximum(lead, 0.0), np.maximum(-lead, 0.0)], axis=-1)
    return {
        "capability_crossing_year": crossing,
        "crossing_within_horizon_flag": (crossing <= years[-1]).astype(float),
        "lead_at_crossing_years": lead,
        "unipolar_window_years": window,
        "unipolar_window_flag": (window >= _per_sample(unipolar_window_min_years, rows)[:, None]).astype(float),
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
