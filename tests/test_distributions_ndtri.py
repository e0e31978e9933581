"""costsim's numpy ndtri (the Cephes algorithm scipy uses) against scipy.special.ndtri, and the
start-up it buys: a run of normal-based distributions imports no scipy."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import special

from costsim.distributions import U_MAX, U_MIN, Z_MAX, Z_MIN, make_dist, ndtri

ROOT = Path(__file__).resolve().parents[1]
ULPS = 8  # measured: at most 4 (the tails' logs: numpy's vs the C library's); the centre is exact


def _ulps(ours: np.ndarray, ref: np.ndarray) -> np.ndarray:
    return np.abs(ours - ref) / np.spacing(np.abs(ref))


def _grids() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(20251201)
    e2, e32 = np.exp(-2.0), np.exp(-32.0)
    near = [np.nextafter(c, d) for c in (e2, 1.0 - e2, e32, 1.0 - e32, 0.5) for d in (0.0, 1.0)]
    steps = np.concatenate([c + np.arange(-200, 201) * np.spacing(c) for c in (e2, 1.0 - e2, e32, 0.5)])
    return {
        "uniform": rng.random(400_000),
        "lower tail to the smallest subnormal": 10.0 ** -rng.uniform(0.0, 323.3, 200_000),
        "upper tail to 1 - 2**-53": 1.0 - 10.0 ** -rng.uniform(0.0, 15.9, 200_000),
        "branch points and their neighbours": np.concatenate([near, steps]),
        "extremes": np.array([5e-324, 2.0**-1074, 2.0**-1022, U_MIN, U_MAX, 1.0 - 2.0**-53, 0.5, 2.0**-54]),
    }


@pytest.mark.parametrize("name", list(_grids()))
def test_ndtri_agrees_with_scipy_to_a_few_ulp(name):
    y = _grids()[name]
    ours, ref = ndtri(y), special.ndtri(y)
    assert np.all(np.isfinite(ours)) and np.all(np.isfinite(ref))
    worst = _ulps(ours, ref).max()
    assert worst <= ULPS, f"{name}: {worst} ulp at y = {y[np.argmax(_ulps(ours, ref))]!r}"


def test_ndtri_edges_are_scipy_s():
    y = np.array([0.0, -0.0, 1.0, np.nan, -1e-300, -1.0, 1.0 + 2.0**-52, 2.0, -np.inf, np.inf])
    ours, ref = ndtri(y), special.ndtri(y)
    np.testing.assert_array_equal(ours, ref)  # -inf, -inf, inf, then nan for the rest
    assert ours[0] == -np.inf and ours[2] == np.inf and np.isnan(ours[3:]).all()


def test_ndtri_keeps_the_shape_and_gives_scalars_for_scalars():
    y = np.random.default_rng(1).random((3, 70_001))  # more than one block, a ragged last one
    out = ndtri(y)
    assert out.shape == y.shape and out.dtype == np.float64
    assert _ulps(out, special.ndtri(y)).max() <= ULPS
    assert ndtri(np.empty((0, 4))).shape == (0, 4)
    z = ndtri(0.975)
    assert np.ndim(z) == 0 and abs(z - special.ndtri(0.975)) <= ULPS * np.spacing(z)
    assert ndtri([0.5]).tolist() == [0.0]
    y2 = y[:, ::3]  # a strided view
    assert _ulps(ndtri(y2), special.ndtri(y2)).max() <= ULPS


def test_ndtri_is_monotone_wherever_scipy_s_is():
    # scipy's ndtri wiggles by an ulp at its branch points (0.135..., 0.864...); ours may do the
    # same there and nowhere else (copulas and Latin hypercube rely on a monotone ppf)
    y = np.sort(np.concatenate([np.random.default_rng(2).random(100_000), _grids()["branch points and their neighbours"]]))
    ours_down = np.flatnonzero(np.diff(ndtri(y)) < 0)
    scipy_down = np.flatnonzero(np.diff(special.ndtri(y)) < 0)
    assert set(ours_down) <= set(scipy_down)
    half = np.random.default_rng(3).uniform(0.5, 1.0, 10_000)  # 1 - y is exact here
    assert _ulps(ndtri(1.0 - half), -ndtri(half)).max() <= 2 * ULPS


def test_the_extreme_quantiles_costsim_checks_against_are_its_own():
    assert abs(float(ndtri(U_MIN)) - Z_MIN) <= ULPS * np.spacing(abs(Z_MIN))
    assert abs(float(ndtri(U_MAX)) - Z_MAX) <= ULPS * np.spacing(Z_MAX)


@pytest.mark.parametrize("kind, fields", [
    ("normal", {"mean": 3.0, "sd": 2.0}),
    ("lognormal", {"mu": 1.0, "sigma": 0.7}),
    ("lognormal_ci", {"low": 2.0, "high": 8.0}),
    ("normal_ci", {"low": -1.0, "high": 5.0, "credibility": 0.8}),
])
def test_normal_based_distributions_match_their_scipy_formulas(kind, fields):
    dist, issues = make_dist(kind, fields, "params.a_x", {})
    assert not issues
    u = np.concatenate([np.random.default_rng(4).random(50_000), [U_MIN, U_MAX]])
    z = special.ndtri(u)
    if kind == "normal":
        ref = fields["mean"] + fields["sd"] * z
    elif kind == "lognormal":
        ref = np.exp(fields["mu"] + fields["sigma"] * z)
    else:
        c = fields.get("credibility", 0.9)
        zc = special.ndtri(0.5 + c / 2)
        lo, hi = (np.log(fields["low"]), np.log(fields["high"])) if kind == "lognormal_ci" else (
            fields["low"], fields["high"])
        ref = 0.5 * (lo + hi) + (hi - lo) / (2 * zc) * z
        if kind == "lognormal_ci":
            ref = np.exp(ref)
    np.testing.assert_allclose(dist.ppf(u), ref, rtol=1e-13, atol=1e-13)


def test_a_run_of_normal_based_distributions_imports_no_scipy_special():
    # (the manifest's version list still imports the top-level scipy package: ~6 ms)
    code = ("import sys; from costsim.cli import main; "
            "rc = main(['run', 'scenarios/reference_r1.yaml', '-n', '2000', '--quiet']); "
            "print('IMPORTED', sorted(m for m in sys.modules if m.startswith(('scipy.special', 'scipy.stats')))); "
            "sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode in (0, 1), proc.stderr
    line = [s for s in proc.stdout.splitlines() if s.startswith("IMPORTED")][0]
    assert line == "IMPORTED []", line
