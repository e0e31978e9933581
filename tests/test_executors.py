"""The generic job executor (``parallel.map_jobs``): the report's figure jobs and any other job list."""

import os

import pytest

from costsim import parallel


def square(x):
    return x * x


def add(a, b):
    return a + b


def pid_of(_):
    return os.getpid()


def fail_on_three(x):
    if x == 3:
        raise ValueError("three")
    return x


@pytest.mark.parametrize("workers", [None, 1, 2])
def test_results_come_back_in_the_order_of_the_jobs(workers):
    assert parallel.map_jobs(square, [3, 1, 2], workers=workers) == [9, 1, 4]
    assert parallel.map_jobs(add, [(1, 2), (3, 4)], workers=workers, star=True) == [3, 7]


def test_cost_orders_a_pools_submissions_and_on_result_gets_the_job_index():
    jobs = [1, 5, 3]
    seen = []
    out = parallel.map_jobs(square, jobs, cost=lambda i: jobs[i], on_result=lambda i, r: seen.append((i, r)))
    assert out == [1, 25, 9]
    assert seen == [(0, 1), (1, 25), (2, 9)]  # in this process: in the order given
    seen.clear()
    assert parallel.map_jobs(square, jobs, workers=2, cost=lambda i: jobs[i],
                             on_result=lambda i, r: seen.append((i, r))) == [1, 25, 9]
    assert sorted(seen) == [(0, 1), (1, 25), (2, 9)]


@pytest.mark.parametrize("start_method", [None, "fork"])
def test_two_workers_are_other_processes(start_method):
    pids = parallel.map_jobs(pid_of, range(6), workers=2, start_method=start_method)
    assert os.getpid() not in pids


def test_a_failing_job_raises_in_the_caller():
    with pytest.raises(ValueError, match="three"):
        parallel.map_jobs(fail_on_three, [1, 2, 3, 4], workers=2)
