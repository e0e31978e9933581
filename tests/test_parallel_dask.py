"""Dask (issue 5): a 2-worker LocalCluster on loopback gives exactly the in-process results.

Needs the optional extra ``costsim[dask]``; CI installs it (``.ci/run``: ``pip install ".[test,dask]"``).
"""

import os
from pathlib import Path

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from costsim.cli import main  # noqa: E402
from costsim.engine import run  # noqa: E402
from costsim.sensitivity import sobol  # noqa: E402
from costsim.sweep import sweep  # noqa: E402

pytestmark = pytest.mark.dask
ROOT = Path(__file__).parents[1]
R1 = ROOT / "scenarios" / "reference_r1.yaml"
ISHIGAMI = ROOT / "examples" / "ishigami.yaml"


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        yield client.scheduler.address


def test_run_on_a_dask_cluster_is_identical_to_the_in_process_run(scheduler):
    local = run(R1, n=6000, seed=5)
    remote = run(R1, n=6000, seed=5, scheduler=scheduler, chunk_size=1000)
    np.testing.assert_array_equal(local.outputs["effective_flop"], remote.outputs["effective_flop"])
    assert local.summary_csv() == remote.summary_csv()
    # a formula model (a closure: the scenario is rebuilt on the worker from its text)
    a = run(ISHIGAMI, n=2048)
    b = run(ISHIGAMI, n=2048, scheduler=scheduler, chunk_size=500)
    np.testing.assert_array_equal(a.outputs["ishigami_index"], b.outputs["ishigami_index"])


def test_sweep_points_and_sobol_rows_on_dask_are_identical(scheduler):
    grid = ["params.cost_decline_x_per_year.high=6,12", "base_budget_usd=1e8,1e9"]
    assert sweep(R1, grid, n=2000).to_csv() == sweep(R1, grid, n=2000, scheduler=scheduler).to_csv()
    local = sobol(R1, n_base=1024, num_resamples=20)
    remote = sobol(R1, n_base=1024, num_resamples=20, scheduler=scheduler, chunk_size=2048)
    for key, value in local.outputs["effective_flop"].stats.items():
        np.testing.assert_array_equal(value, remote.outputs["effective_flop"].stats[key])


def test_cli_reads_the_scheduler_from_the_environment(scheduler, monkeypatch, capsys):
    argv = ["run", str(R1), "-n", "4000", "--seed", "3"]
    assert main(argv) == 0
    local = capsys.readouterr().out.splitlines()
    monkeypatch.setenv("COSTSIM_DASK_SCHEDULER", scheduler)
    assert os.environ["COSTSIM_DASK_SCHEDULER"] == scheduler
    assert main(argv) == 0
    remote = capsys.readouterr().out.splitlines()
    assert local[1:] == remote[1:]  # all but the first line, which has the wall time
