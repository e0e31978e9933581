"""Red team 4: command-line counts and seeds that crashed, or that 0 silently turned into a default.

Before: ``diff -n 0`` a KeyError traceback, ``diff -n -1`` a ValueError traceback; ``--seed -1``
a numpy traceback in sweep, diff and sensitivity (only run refused it); ``sensitivity --n-base 0``
ran N_base=256, ``--trajectories 0`` ran 100, ``--trajectories 1`` printed sigma nan,
``--resamples -1`` a traceback; ``sweep --chunk-size 0`` / ``--max-points 0`` meant the defaults.
"""

import pytest

from costsim import sensitivity as sa
from costsim.cli import main
from costsim.diff import diff
from costsim.errors import ScenarioError
from costsim.scenario import scenario_from_text

TEXT = """\
schema_version: 1
name: opts
years: {start: 2024, stop: 2025}
samples: 200
seed: 1
params:
  rate_x: {dist: uniform, low: 1.0, high: 2.0, source: "test"}
  other_x: {dist: uniform, low: 1.0, high: 3.0, source: "test"}
formulas:
  value_x: "rate_x * other_x ** (year - 2023)"
outputs: [value_x]
"""


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "opts.yaml"
    p.write_text(TEXT, encoding="utf-8")
    return str(p)


@pytest.mark.parametrize("argv", [
    ["diff", "{p}", "--set-b", "rate_x.high=3", "-n", "0"],
    ["diff", "{p}", "--set-b", "rate_x.high=3", "-n", "-1"],
    ["diff", "{p}", "--set-b", "rate_x.high=3", "--seed", "-1"],
    ["sweep", "{p}", "--over", "rate_x.high=3,4", "--seed", "-1"],
    ["sensitivity", "{p}", "--seed", "-1"],
    ["sensitivity", "{p}", "--method", "morris", "--seed", "-1"],
])
def test_bad_counts_and_seeds_exit_2_without_a_traceback(path, argv, capsys):
    assert main([a.format(p=path) for a in argv]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and ("seed" in err or "samples" in err)


@pytest.mark.parametrize("argv", [
    ["sensitivity", "{p}", "--n-base", "0"],
    ["sensitivity", "{p}", "--resamples", "-1"],
    ["sensitivity", "{p}", "--method", "morris", "--trajectories", "0"],
    ["sensitivity", "{p}", "--method", "morris", "--trajectories", "1"],
    ["sensitivity", "{p}", "--method", "morris", "--levels", "0"],
    ["sweep", "{p}", "--over", "rate_x.high=3,4", "--chunk-size", "0"],
    ["sweep", "{p}", "--over", "rate_x.high=3,4", "--max-points", "0"],
])
def test_a_zero_count_is_refused_not_read_as_the_default(path, argv, capsys):
    with pytest.raises(SystemExit) as info:
        main([a.format(p=path) for a in argv])
    assert info.value.code == 2
    assert argv[-2] in capsys.readouterr().err


def test_api_zero_or_one_is_refused_not_the_default():
    s = scenario_from_text(TEXT, "opts.yaml")
    with pytest.raises(ScenarioError, match="n_base"):
        sa.sobol(s, n_base=0)
    with pytest.raises(ScenarioError, match="trajectories"):
        sa.morris(s, trajectories=0)
    with pytest.raises(ScenarioError, match="trajectories"):
        sa.morris(s, trajectories=1)
    with pytest.raises(ScenarioError, match="levels"):
        sa.morris(s, trajectories=4, num_levels=0)
    with pytest.raises(ScenarioError, match="samples"):
        diff(s, overrides_b=("rate_x.high=3",), n=0)


def test_the_defaults_still_apply_when_nothing_is_given(path, capsys):
    assert main(["sensitivity", path, "--method", "morris"]) == 0
    assert "100 trajectories on 4 levels" in capsys.readouterr().out
