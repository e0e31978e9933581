"""race_gap's lag searches from every year at once (year-major, byte-wide year indices: issue 18, RACE4)
give the numbers, byte for byte, of the year-by-year search they replaced.

The reference below is the search as it was before (one ``_first_reach`` per year and direction).
Trajectories: rising, falling, flat, crossing, with ties (rounded values), on even, uneven and
single-year grids, and a grid of 300 years (past the byte-wide indices: the wide path).
"""

import numpy as np
import pytest

from costsim.models.compute_race import race_gap


def _first_reach(traj, grid, level, start, end_slope, limit_years):
    traj = np.ascontiguousarray(traj)
    m, size = traj.shape
    hit = traj[:, start:] >= level[:, None]
    first = np.argmax(hit, axis=1)
    reached = hit[np.arange(m), first]
    j = first + start
    prev = np.maximum(j - 1, start)
    y0, y1 = traj[np.arange(m), prev], traj[np.arange(m), j]
    rise = np.where(j > start, y1 - y0, 1.0)
    frac = np.where(j > start, (level - y0) / rise, 0.0)
    inside = grid[prev] + frac * (grid[j] - grid[prev])
    cap = grid[-1] + limit_years
    growing = end_slope > 0
    beyond = grid[-1] + (level - traj[:, -1]) / np.where(growing, end_slope, 1.0)
    outside = np.where(growing, np.minimum(beyond, cap), cap)
    return np.where(reached, inside, outside)


def _reference_lag(years, flop, limit):
    log_eff = np.log10(flop)
    leader, follower = np.ascontiguousarray(log_eff[..., 0]), np.ascontiguousarray(log_eff[..., 1])
    slope = ((leader[:, -1] - leader[:, -2]) / (years[-1] - years[-2]) if years.size > 1
             else np.zeros(leader.shape[0]))
    lag = np.empty(leader.shape)
    for t in range(years.size):
        catch_up = _first_reach(follower, years, leader[:, t], t, slope, limit)
        overtaken = _first_reach(leader, years, follower[:, t], t, slope, limit)
        # a leading follower's lag is -(overtaken - t): the same numbers as t - overtaken but at a zero
        # cap, -0.0 (session 8: +0.0 before, the sign of a leader ahead)
        lag[:, t] = np.where(leader[:, t] >= follower[:, t], catch_up - years[t], -(overtaken - years[t]))
    return lag


def _trajectories(rows, years, seed, ties):
    rng = np.random.default_rng(seed)
    steps = rng.normal(0.3, 0.5, (rows, years.size, 2))  # rising on average, often falling
    steps[rows // 4: rows // 2] = 0.0  # flat
    log = 25 + np.cumsum(steps, axis=1)
    log[rows // 2: 3 * rows // 4, :, 1] = log[rows // 2: 3 * rows // 4, :, 0]  # identical blocs
    if ties:
        log = np.round(log, 0)  # many equal levels: reached exactly, first of several
    return 10.0 ** log


GRIDS = {
    "yearly": np.arange(2025.0, 2041.0),
    "uneven": np.array([2025.0, 2026.0, 2028.0, 2029.5, 2033.0, 2040.0]),
    "two": np.array([2025.0, 2030.0]),
    "one": np.array([2030.0]),
    "300 years": np.arange(2025.0, 2325.0),
}


@pytest.mark.parametrize("grid", list(GRIDS))
@pytest.mark.parametrize("ties", [False, True])
def test_the_lag_equals_the_year_by_year_search(grid, ties):
    years = GRIDS[grid]
    rows = 64 if grid == "300 years" else 400
    flop = _trajectories(rows, years, seed=len(grid) + ties, ties=ties)
    limit = np.where(np.arange(rows) % 3 == 0, 0.0, 12.5)
    with np.errstate(all="ignore"):
        out = race_gap(year=years[None, :], largest_run_effective_flop=flop, extrapolation_limit_years=limit[:, None])
        ref = _reference_lag(years, flop, limit)
    assert out["follower_lag_years"].shape == ref.shape
    assert out["follower_lag_years"].tobytes() == ref.tobytes()
    assert out["follower_lag_years"].flags.c_contiguous


def test_a_single_sample_and_a_constant_limit():
    years = GRIDS["yearly"]
    flop = _trajectories(1, years, seed=9, ties=False)
    with np.errstate(all="ignore"):
        out = race_gap(year=years[None, :], largest_run_effective_flop=flop, extrapolation_limit_years=10.0)
        ref = _reference_lag(years, flop, np.full(1, 10.0))
    assert out["follower_lag_years"].tobytes() == ref.tobytes()
