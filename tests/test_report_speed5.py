"""The report's pool leaves the parent's objects out of its workers' garbage collections (``gc.freeze``)
and imports what the runs need before forking them; neither changes a byte of the report."""

from __future__ import annotations

import gc

import pytest

from costsim import report
from costsim.bundled import packaged_scenarios_folder
from costsim.report.pool import fork_available, run_jobs


def _square(x: int) -> tuple[int, int]:
    return x * x, gc.get_freeze_count()


def _fail(x: int) -> int:
    raise ValueError(f"job {x} failed")


@pytest.mark.skipif(not fork_available(), reason="the pool forks its workers")
def test_the_pool_gives_the_in_process_answers_and_unfreezes_afterwards():
    assert gc.get_freeze_count() == 0
    pooled = run_jobs(_square, [(i,) for i in range(6)], 2)
    alone = run_jobs(_square, [(i,) for i in range(6)], 1)
    assert [r[0] for r in pooled] == [r[0] for r in alone] == [i * i for i in range(6)]
    assert all(frozen > 0 for _, frozen in pooled)  # the workers inherited the frozen objects
    assert all(frozen == 0 for _, frozen in alone)  # in this process nothing is frozen
    assert gc.get_freeze_count() == 0


@pytest.mark.skipif(not fork_available(), reason="the pool forks its workers")
def test_a_failing_job_still_unfreezes_the_parent():
    with pytest.raises(ValueError, match="failed"):
        run_jobs(_fail, [(i,) for i in range(3)], 2)
    assert gc.get_freeze_count() == 0


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.skipif(not fork_available(), reason="the pool forks its workers")
def test_a_report_with_a_fit_scenario_is_the_same_in_a_pool_and_in_process(tmp_path):
    """With -j 2 the fit module is imported before the workers are forked: the same report, byte for byte."""
    folder = packaged_scenarios_folder()
    files = [folder / "claims_spending.yaml", folder / "claims_bandwidth.yaml"]  # the first has fit: parameters
    assert "fit:" in files[0].read_text(encoding="utf-8")
    pooled = report.build_report(files, tmp_path / "pooled", samples=200, jobs=2).folder
    alone = report.build_report(files, tmp_path / "alone", samples=200, jobs=1).folder
    a, b = _files(pooled), _files(alone)
    assert a.keys() == b.keys() and any(k.endswith(".png") for k in a)
    assert [k for k in a if a[k] != b[k]] == []
