"""Grid sweeps and split-independent evaluation (issue 5): same seed, same table, however the work is split."""

from pathlib import Path

import numpy as np
import pytest

import costsim.sweep as sweep_module
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
        "params.x_usd": "--over: --over: must be PATH=VALUES; expected e.g. params.x=1,2,4 or params.x=1:8:4, "
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
def test_each_point_has_its_own_spawned_seed_keyed_by_its_index():
    table = sweep(R1, GRID, n=200)
    seeds = [r["seed"] for r in table.rows if r["year"] == 2030]
    assert seeds == [point_seed(1, i) for i in range(4)]
    assert len(set(seeds)) == 4
    assert point_seed(1, 2) == int(np.random.SeedSequence(1, spawn_key=(2,)).generate_state(1, np.uint64)[0] >> 1)
    same = sweep(R1, GRID, n=200, same_seed=True)
    assert {r["seed"] for r in same.rows} == {1}


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


def test_interrupted_sweep_leaves_no_file(tmp_path, monkeypatch, capsys):
    calls = []
    real = sweep_module._run_point_scenario

    def interrupt_at_third_point(scenario, task):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(scenario, task)

    monkeypatch.setattr(sweep_module, "_run_point_scenario", interrupt_at_third_point)
    target = tmp_path / "sweep.csv"
    assert main(["sweep", str(R1), "--over", GRID[0], "--over", GRID[1], "-n", "100", "-o", str(target)]) == 130
    assert list(tmp_path.iterdir()) == []
    assert "nothing half-written" in capsys.readouterr().err


def test_cli_run_takes_workers(capsys):
    assert main(["run", str(R1), "-n", "3000", "--workers", "1", "--quiet"]) == 0
    assert main(["run", str(R1), "-n", "3000", "--workers", "0"]) == 2
    assert capsys.readouterr().err == "--workers: must be a positive number of processes; expected >= 1, got 0\n"
    assert load_scenario(R1).samples == 100_000
