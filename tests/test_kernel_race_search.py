"""The race's trajectory searches against a plain search per sample and year (issue 18).

`race_gap` finds, for every year t, when the follower first reaches the leader's level of year t
(and the other way round). A vectorized search over the years was tried for speed (issue 18) and
measured no faster than the loop over t; these tests, written for it, pin the numbers of any
rewrite: they compare the model, sample by sample and year by year, with a direct reading of its
docstring, on trajectories that rise, fall, tie, cross and stall.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from costsim.models.compute_race import race_gap, race_threshold_crossing


def _reach(traj, years, level, start, slope, limit):
    """First time s >= years[start] a log10 trajectory (linear between years) reaches level."""
    for j in range(start, len(years)):
        if traj[j] >= level:
            if j == start:
                return years[start]
            return years[j - 1] + (level - traj[j - 1]) / (traj[j] - traj[j - 1]) * (years[j] - years[j - 1])
    cap = years[-1] + limit
    if slope > 0:
        return min(years[-1] + (level - traj[-1]) / slope, cap)
    return cap


def _lag_reference(log_eff, years, limit):
    n, t = log_eff.shape[:2]
    out = np.empty((n, t))
    for r in range(n):
        lead, follow = log_eff[r, :, 0], log_eff[r, :, 1]
        slope = (lead[-1] - lead[-2]) / (years[-1] - years[-2])
        for k in range(t):
            if lead[k] >= follow[k]:
                out[r, k] = _reach(follow, years, lead[k], k, slope, limit) - years[k]
            else:
                out[r, k] = -(_reach(lead, years, follow[k], k, slope, limit) - years[k])  # -0.0 at a zero cap
    return out


def _trajectories(rng, n, t):
    steps = rng.normal(0.3, 0.4, size=(n, t, 2))
    steps[: n // 4] = np.abs(steps[: n // 4])  # rising
    steps[n // 4: n // 2, -3:] = 0.0  # stalling at the end (no extrapolation slope)
    log_eff = 24.0 + np.cumsum(steps, axis=1)
    log_eff[n // 2: n // 2 + 5, :, 1] = log_eff[n // 2: n // 2 + 5, :, 0]  # identical blocs
    log_eff[n // 2 + 5: n // 2 + 10, :, 1] = log_eff[n // 2 + 5: n // 2 + 10, :, 0] + 0.5  # the follower ahead
    log_eff[-5:, -1, 0] = log_eff[-5:, -2, 0] - 0.2  # a falling last step for the leader
    return log_eff


@pytest.mark.parametrize("t", [2, 3, 16])
def test_follower_lag_matches_a_search_per_sample_and_year(t):
    rng = np.random.default_rng(t)
    years = 2025.0 + np.arange(t)
    log_eff = _trajectories(rng, 200, t)
    out = race_gap(year=years[None, :], largest_run_effective_flop=10.0 ** log_eff,
                   extrapolation_limit_years=np.full((200, 1), 7.5))
    expected = _lag_reference(np.log10(10.0 ** log_eff), years, 7.5)
    np.testing.assert_allclose(out["follower_lag_years"], expected, rtol=0, atol=1e-9)
    assert np.isfinite(out["follower_lag_years"]).all()


def test_follower_lag_on_uneven_years_and_per_sample_limits():
    rng = np.random.default_rng(7)
    years = np.array([2025.0, 2026.0, 2028.0, 2031.0, 2035.0])
    log_eff = _trajectories(rng, 120, years.size)
    limits = rng.uniform(0.0, 20.0, size=(120, 1))
    out = race_gap(year=years[None, :], largest_run_effective_flop=10.0 ** log_eff, extrapolation_limit_years=limits)
    log_eff = np.log10(10.0 ** log_eff)
    for r in range(120):
        expected = _lag_reference(log_eff[r:r + 1], years, float(limits[r, 0]))
        np.testing.assert_allclose(out["follower_lag_years"][r], expected[0], rtol=0, atol=1e-9)


def test_crossing_year_matches_a_search_per_sample():
    rng = np.random.default_rng(3)
    years = 2025.0 + np.arange(16)
    log_eff = _trajectories(rng, 100, 16)
    level = rng.uniform(24.0, 30.0, size=(100, 1))
    out = race_threshold_crossing(year=years[None, :], largest_run_effective_flop=10.0 ** log_eff,
                                  powerful_ai_threshold_flop=10.0 ** level, extrapolation_limit_years=10.0,
                                  unipolar_window_min_years=2.0)
    log_eff, level = np.log10(10.0 ** log_eff), np.log10(10.0 ** level)
    for r in range(100):
        slope = (log_eff[r, -1, 0] - log_eff[r, -2, 0]) / 1.0
        for b in (0, 1):
            want = _reach(log_eff[r, :, b], years, level[r, 0], 0, slope, 10.0)
            assert math.isclose(out["capability_crossing_year"][r, b], want, rel_tol=0, abs_tol=1e-9)
