"""Grid sweeps and split-independent evaluation (issue 5): same seed, same table, however the work is split."""

import time
from pathlib import Path

import numpy as np
import pytest

from costsim import parallel
from costsim.cli import main
from costsim.engine import run
from costsim.errors import ModelError, ScenarioError
from costsim.scenario import load_scenario, scenario_from_text
from costsim.sweep import Axis, axes_from_scenario, parse_over, point_seed, sweep

ROOT = Path(__file__).parents[1]
R1 = ROOT / "scenarios" / "reference_r1.yaml"
GRID = ["params.cost_decline_x_per_year.high=6,12", "base_budget_usd=1e8:1e9:2:log"]


# ----------------------------------------------------------------------------------- axes
def test_over_reads_values_linear_and_log_ranges():
    assert parse_over("params.x_usd=1,2,4,8") == Axis("params.x_usd", (1, 2, 4, 8), ("1", "2", "4", "8"))
    assert parse_over("params.x_usd=1:4:4").values == (1, 2, 3, 4)  # integer ends, integer steps: ints
    assert parse_over("params.x_usd=0:1:3").values == (0.0, 0.5, 1.0)
    assert parse_over("params.x_usd=1e8:1e10:3:log").values == (1e8, 1e9, 1e10)
    assert parse_over("policy.preset=strict,leaky").values == ("strict", "leaky")
    assert parse_over("x_usd.high=5e25").values == (5e25,)
    assert parse_over("x_usd.high=5e25").path == "params.x_usd.high"  # a bare parameter name means params.


def test_over_errors_are_reported_exactly():
    cases = {
        "params.x_usd": "--over: must be PATH=VALUES; expected e.g. params.x=1,2,4 or params.x=1:8:4, "
                        "got 'params.x_usd' (str)",
        "params.x_usd=1,,2": "--over: --over params.x_usd: empty value in the list; expected comma-separated "
                             "values, e.g. 1,2,4,8, got '1,,2' (str)",
        "params.x_usd=0:10:3:log": "--over: --over params.x_usd: a log-spaced range needs positive ends; "
                                   "expected low > 0 and high > 0, got [0, 10]",
        "params.x_usd=1:a:3": "--over: --over params.x_usd: cannot read the range; expected lo:hi:num with numbers, "
                              "e.g. 1:8:4 or 1e8:1e10:3:log, got '1:a:3' (str)",
    }
    for text, message in cases.items():
        with pytest.raises(ScenarioError) as err:
            parse_over(text)
        assert str(err.value) == message


def test_sweeps_block_forms_and_its_errors():
    base = R1.read_text()
    text = base + ("\nsweeps:\n  cost_decline_x_per_year.high: [6, 12]\n"
                   "  params.base_budget_usd: {low: 1.0e+8, high: 1.0e+10, num: 3, log: true}\n"
                   "  params.budget_growth_x_per_year.high: '3:5:3'\n")
    axes = axes_from_scenario(scenario_from_text(text, base_dir=R1.parent))
    assert [(a.path, a.values) for a in axes] == [
        ("params.cost_decline_x_per_year.high", (6, 12)), ("params.base_budget_usd", (1e8, 1e9, 1e10)),
        ("params.budget_growth_x_per_year.high", (3, 4, 5))]
    bad = base + "\nsweeps:\n  params.base_budget_usd: {low: 1.0e+8, hihg: 1.0e+10}\n"
    with pytest.raises(ScenarioError) as err:
        axes_from_scenario(scenario_from_text(bad, source="s.yaml", base_dir=R1.parent))
    line = bad.splitlines().index("  params.base_budget_usd: {low: 1.0e+8, hihg: 1.0e+10}") + 1
    assert str(err.value) == (f"s.yaml:{line}: sweeps.params.base_budget_usd: unknown range key 'hihg'; expected "
                              "low, high, num, log, got 'hihg' (str)")


def test_bad_points_are_all_reported_before_any_run():
    with pytest.raises(ScenarioError) as err:
        sweep(scenario_from_text(R1.read_text(), source="r1.yaml", base_dir=R1.parent),
              ["cost_decline_x_per_year.high=1,8", "base_budget_usd=1,2"], n=10)
    assert str(err.value) == (
        "--set: params.cost_decline_x_per_year.high: must exceed low (sweep point 0: "
        "params.cost_decline_x_per_year.high=1, params.base_budget_usd=1; and 1 more point); expected > 2.0, got 1.0")


# ----------------------------------------------------------------------------------- seeds
def test_independent_seeds_give_each_point_its_own_spawned_seed_keyed_by_its_index():
    table = sweep(R1, GRID, n=200, independent_seeds=True)
    seeds = [r["seed"] for r in table.rows if r["year"] == 2030]
    assert seeds == [point_seed(1, i) for i in range(4)]
    assert len(set(seeds)) == 4
    assert point_seed(1, 2) == int(np.random.SeedSequence(1, spawn_key=(2,)).generate_state(1, np.uint64)[0] >> 1)
    assert sweep(R1, GRID, n=200, same_seed=False).rows == table.rows
    same = sweep(R1, GRID, n=200)  # the default: common random numbers
    assert {r["seed"] for r in same.rows} == {1}
    assert sweep(R1, GRID, n=200, same_seed=True).rows == same.rows


def test_table_is_indexed_by_the_swept_values():
    table = sweep(R1, GRID, n=2000, years=(2030,))
    assert table.columns == ("point", "params.cost_decline_x_per_year.high", "params.base_budget_usd", "seed", "n",
                             "output", "bloc", "year", "mean", "sd", "p05", "p50", "p95")
    assert [(r["params.cost_decline_x_per_year.high"], r["params.base_budget_usd"]) for r in table.rows] == [
        (6, 1e8), (6, 1e9), (12, 1e8), (12, 1e9)]
    med = table.grid("effective_flop", "p50", year=2030)
    assert med.shape == (2, 2)
    assert np.all(np.diff(np.log10(med), axis=1) > 0.9)  # 10x the base budget: ~10x the FLOP
    assert table.to_csv().splitlines()[0] == ",".join(table.columns)


# ----------------------------------------------------------------------------------- splits
def test_same_seed_same_table_for_chunk_sizes_1000_and_100000():
    small = sweep(R1, GRID, n=3500, chunk_size=1_000, years=())
    large = sweep(R1, GRID, n=3500, chunk_size=100_000, years=())
    assert small.rows == large.rows
    assert small.checks == large.checks
    assert small.to_csv() == large.to_csv()


def test_same_seed_same_table_for_1_or_2_workers_and_run_in_chunks_on_2_workers():
    one = sweep(R1, GRID, n=3500, chunk_size=1_000, workers=1)
    two = sweep(R1, GRID, n=3500, chunk_size=100_000, workers=2)
    assert one.to_csv() == two.to_csv()
    assert one.checks == two.checks
    # one run, its chunks spread over 2 processes: the same arrays, and progress counts every sample
    seen = []
    serial = run(R1, n=5000, seed=9)
    pooled = run(R1, n=5000, seed=9, workers=2, chunk_size=1_000, progress=lambda done, total: seen.append(done))
    np.testing.assert_array_equal(serial.outputs["effective_flop"], pooled.outputs["effective_flop"])
    assert serial.summary_csv() == pooled.summary_csv()
    assert sorted(seen) == [1000, 2000, 3000, 4000, 5000]
    # bad values: the same aggregate message (counts, first bad sample) as in one process
    bad = scenario_from_text("years: {start: 2025, stop: 2027}\nsamples: 3000\nparams:\n"
                             "  x_index: {dist: uniform, low: -1, high: 1}\n"
                             "formulas:\n  y_index: 'log(x_index + 0.99)'\n")
    with pytest.raises(ModelError) as serial_err:
        run(bad, seed=2)
    with pytest.raises(ModelError) as pooled_err:
        run(bad, seed=2, workers=2, chunk_size=700)
    assert str(pooled_err.value) == str(serial_err.value)
    assert "values are not finite (first: sample" in str(serial_err.value)


# ----------------------------------------------------------------------------------- CLI
def test_cli_sweep_writes_the_table_atomically(tmp_path, capsys):
    target = tmp_path / "sweep.csv"
    argv = ["sweep", str(R1), "--over", GRID[0], "--over", GRID[1], "-n", "500", "-o", str(target)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "sweep of 4 points over params.cost_decline_x_per_year.high (2) x params.base_budget_usd (2)" in out
    assert target.read_text() == sweep(R1, [parse_over(g) for g in GRID], n=500).to_csv()
    assert main(argv) == 2  # an existing file is not replaced without --force
    assert [p.name for p in tmp_path.iterdir()] == ["sweep.csv"]


INTERRUPTING_PLUGIN = '''\
from costsim.registry import model


@model(outputs=("echo_x",))
def sweep_interrupt_at_three(*, stop_x):
    """Echo the input; Ctrl-C (as if pressed) at the point where it is 3."""
    if float(stop_x) == 3.0:
        raise KeyboardInterrupt
    return {"echo_x": stop_x * 1.0}
'''


def test_interrupted_sweep_leaves_no_file(tmp_path, capsys):
    # the interruption comes from a plugin model (a public seam) at the third point, not from a patch
    plugin = tmp_path / "interrupt.py"
    plugin.write_text(INTERRUPTING_PLUGIN)
    scenario = tmp_path / "s.yaml"
    scenario.write_text("years: {start: 2025, stop: 2026}\nparams:\n  stop_x: 1.0\n"
                        "models:\n  - use: sweep_interrupt_at_three\n")
    target = tmp_path / "out" / "sweep.csv"
    assert main(["sweep", str(scenario), "--plugin", str(plugin), "--over", "stop_x=1,2,3,4", "-n", "10",
                 "-o", str(target)]) == 130
    assert not target.parent.exists()
    assert "nothing half-written" in capsys.readouterr().err


def test_cli_run_takes_workers(capsys):
    assert main(["run", str(R1), "-n", "3000", "--workers", "1", "--quiet"]) == 0
    assert main(["run", str(R1), "-n", "3000", "--workers", "0"]) == 2
    assert capsys.readouterr().err == "--workers: must be a positive number of processes; expected >= 1, got 0\n"
    assert load_scenario(R1).samples == 100_000


# ----------------------------------------------------------------------------------- common random numbers
def test_a_sweep_over_a_parameter_without_effect_gives_identical_rows():
    # issue 15.2: with a spawned seed per point these rows differed by Monte Carlo noise (5.46 / 5.434 / 5.437)
    # a parameter no model reads, declared in the file (a --set may not add one: it would change nothing)
    text = Path(R1).read_text(encoding="utf-8").replace("\nparams:\n", "\nparams:\n  unused_usd: 1.0\n", 1)
    scenario = scenario_from_text(text, base_dir=Path(R1).parent)
    assert "unused_usd" in scenario.params
    table = sweep(scenario, ["params.unused_usd=1,2,3"], n=500, years=())
    by_point: dict[int, list] = {}
    for row in table.rows:
        by_point.setdefault(row["point"], []).append({k: v for k, v in row.items()
                                                     if k not in ("point", "params.unused_usd")})
    assert by_point[0] == by_point[1] == by_point[2]
    spawned = sweep(scenario, ["params.unused_usd=1,2,3"], n=500, years=(), independent_seeds=True)
    assert [r["p50"] for r in spawned.rows if r["point"] == 0] != [r["p50"] for r in spawned.rows if r["point"] == 1]


def _always_pool(monkeypatch):
    # the public knobs of the in-process/pool choice, set so the pool always wins
    monkeypatch.setattr(parallel, "MIN_PARALLEL_WORK", 0)
    monkeypatch.setattr(parallel, "PARALLEL_MARGIN", 0.0)


def test_common_random_numbers_hold_on_workers_too(monkeypatch):
    _always_pool(monkeypatch)
    one = sweep(R1, GRID, n=800, workers=1)
    two = sweep(R1, GRID, n=800, workers=2)
    assert one.to_csv() == two.to_csv()


def test_chunks_on_a_pool_match_in_process_bit_for_bit(monkeypatch):
    _always_pool(monkeypatch)
    seen = []
    serial = run(R1, n=5000, seed=9)
    pooled = run(R1, n=5000, seed=9, workers=2, chunk_size=1_000, progress=lambda done, total: seen.append(done))
    np.testing.assert_array_equal(serial.outputs["effective_flop"], pooled.outputs["effective_flop"])
    assert sorted(seen) == [1000, 2000, 3000, 4000, 5000]
    bad = scenario_from_text("years: {start: 2025, stop: 2027}\nsamples: 3000\nparams:\n"
                             "  x_index: {dist: uniform, low: -1, high: 1}\n"
                             "formulas:\n  y_index: 'log(x_index + 0.99)'\n")
    with pytest.raises(ModelError) as serial_err:
        run(bad, seed=2)
    with pytest.raises(ModelError) as pooled_err:
        run(bad, seed=2, workers=2, chunk_size=700)
    assert str(pooled_err.value) == str(serial_err.value)


def test_small_runs_stay_in_process_whatever_workers_says():
    scenario = load_scenario(R1)
    assert not parallel.worth_parallel(scenario, 10_000, 2, None)
    assert parallel.worth_parallel(scenario, 10_000_000, 2, None)
    assert parallel.worth_parallel(scenario, 10, None, "tcp://x:1")
    assert not parallel.worth_parallel(scenario, 10_000_000, 1, None)
    # above the threshold, the timed first chunk decides: a pool pays only for enough work per byte
    assert parallel.pool_pays(10.0, 2, 1e6, idle=2)
    assert not parallel.pool_pays(10.0, 2, 1e6, idle=1)  # a busy machine: no core to share the work
    assert not parallel.pool_pays(0.2, 2, 1e8, idle=2)  # R1 at 1e6: moving 100 MB costs more than it saves


# ----------------------------------------------------------------------------------- size limits
def test_a_grid_of_a_billion_points_is_refused_at_once_without_listing_it(capsys):
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    axes = [f"params.cost_decline_x_per_year.high={i}:{i + 10}:1000" for i in (3,)] + \
        ["base_budget_usd=1e8:1e9:1000:log", "params.budget_growth_x_per_year.high=3:5:1000"]
    t0 = time.process_time()  # CPU seconds: other processes' load does not count (wall time did)
    argv = ["sweep", str(R1), *sum((["--over", a] for a in axes), []), "-n", "100"]
    assert main(argv) == 2
    assert time.process_time() - t0 < 5.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB: no 4-8 GB product list
    err = capsys.readouterr().err
    assert err == (f"{R1}: sweeps: the grid has 1,000,000,000 points (1,000 x 1,000 x 1,000), about 1.1e+12 "
                   "sample-years of work; expected at most 10,000 points, got 1000000000. Sweep fewer values, or "
                   "allow it with --max-points N (sweep(..., max_points=N)).\n")


def test_max_points_allows_a_larger_grid():
    with pytest.raises(ScenarioError, match="the grid has 4 points"):
        sweep(R1, GRID, n=50, max_points=3)
    assert sweep(R1, GRID, n=50, max_points=4).meta["points"] == 4


def test_validation_of_the_points_reports_progress():
    seen = []
    sweep(R1, GRID, n=50, validate_progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]


def test_grid_refuses_to_pick_one_of_several_rows_per_point():
    # a per-year output read without year= used to keep whichever year came last, silently
    table = sweep(load_scenario(R1), ["params.base_budget_usd=1e8,1e9"], n=200)
    with pytest.raises(KeyError, match="several rows per point"):
        table.grid("effective_flop", "p50")
    at_2030 = table.grid("effective_flop", "p50", year=2030)
    rows = {r["point"]: r["p50"] for r in table.rows if r["output"] == "effective_flop" and r["year"] == 2030}
    assert list(at_2030) == [rows[0], rows[1]]
