"""Shared fixtures; paths are relative to this folder, so tests run from any working directory.

Tests marked ``@pytest.mark.slow`` (long fuzz runs, million-sample checks) are skipped unless
pytest is given ``--runslow``.
"""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

TESTS = pathlib.Path(__file__).resolve().parent
ROOT = TESTS.parent
SCENARIOS = ROOT / "scenarios"

TINY_SCENARIO = """\
schema_version: 1
name: tiny
description: Three R1 models over four years.
years: {start: 2025, stop: 2028}
samples: 64
seed: 7
params:
  cost_decline_x_per_year: {dist: lognormal_ci, low: 2, high: 8}
  hardware_gain_x_per_year: {dist: lognormal_ci, low: 1.25, high: 1.45}
  budget_growth_x_per_year: {dist: lognormal_ci, low: 2, high: 4}
  base_budget_usd: {dist: lognormal_ci, low: 5e7, high: 5e8}
  base_flop_per_usd: 2.5e+17
models:
  - use: budget_physical_flop
    bind: {base_year: 2025}
  - use: decline_algorithmic_efficiency
    bind: {base_year: 2025}
  - use: effective_flop_product
outputs: [effective_flop, physical_flop]
"""


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False,
                     help="also run tests marked slow (long fuzz runs, million-sample checks)")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: longer property/fuzz runs (need --runslow)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow; run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def rng() -> np.random.Generator:
    """A fixed-seed generator for test data (never for costsim's own draws)."""
    return np.random.default_rng(20250101)


@pytest.fixture
def years() -> np.ndarray:
    """Calendar years as models receive them: shape (1, T)."""
    return np.arange(2025.0, 2031.0)[None, :]


@pytest.fixture
def tiny_scenario_text() -> str:
    """A small valid scenario (R1's models, 4 years, 64 samples) as YAML text."""
    return TINY_SCENARIO


@pytest.fixture
def tiny_scenario_file(tmp_path, tiny_scenario_text) -> pathlib.Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(tiny_scenario_text, encoding="utf-8")
    return path


# The property and fuzz tests run on a fixed sequence of examples by default (the README's test
# command, CI and a newcomer's run give the same verdict on the same code); `pytest
# --hypothesis-profile=explore` draws new examples each time and keeps exploring (how the failures
# pinned in the tests' comments were found).
from hypothesis import settings  # noqa: E402

# No per-example deadline: Hypothesis' default (200 ms of wall time per example) is a hidden
# wall-clock bound that a loaded CI machine trips (DeadlineExceeded / Flaky) without anything being
# wrong; no property test here is about speed (speed lives in benchmarks/).
settings.register_profile("fixed", derandomize=True, print_blob=True, deadline=None)
settings.register_profile("explore", deadline=None, print_blob=True)
settings.load_profile("fixed")
