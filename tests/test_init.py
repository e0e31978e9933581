"""``costsim init`` writes a starter that runs as is; ``costsim run NAME`` finds bundled scenarios."""

from __future__ import annotations

from pathlib import Path

from costsim.cli import main
from costsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def test_init_writes_a_starter_that_validates_runs_and_passes(tmp_path, capsys):
    assert main(["init", str(tmp_path / "study")]) == 0
    starter = tmp_path / "study" / "starter.yaml"
    assert "costsim run" in capsys.readouterr().out
    assert main(["validate", str(starter)]) == 0
    assert main(["run", str(starter), "-n", "2000"]) == 0
    out = capsys.readouterr().out
    assert "1 of 1 checks passed" in out and "run cost [USD]" in out


def test_init_never_replaces_a_file_without_force(tmp_path, capsys):
    mine = tmp_path / "starter.yaml"
    mine.write_text("my own work\n")
    assert main(["init", str(tmp_path)]) == 2
    assert "--force" in capsys.readouterr().err
    assert mine.read_text() == "my own work\n"
    assert main(["init", str(tmp_path), "--force"]) == 0
    assert load_scenario(mine).name == "starter"


def test_init_name_sets_file_and_scenario_name(tmp_path):
    assert main(["init", str(tmp_path), "--name", "gpu_costs"]) == 0
    assert load_scenario(tmp_path / "gpu_costs.yaml").name == "gpu_costs"


def test_init_rejects_a_name_that_is_a_path(tmp_path, capsys):
    assert main(["init", str(tmp_path), "--name", "../elsewhere"]) == 2
    assert "--name" in capsys.readouterr().err
    assert not list(tmp_path.parent.glob("elsewhere.yaml"))


def test_run_by_name_from_a_folder_without_scenarios(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "reference_r1", "-n", "500"]) == 0
    assert capsys.readouterr().out.startswith("reference_r1: n=500")
    assert main(["run", "reference_r1.yaml", "-n", "500"]) == 0


def test_a_local_scenarios_folder_wins_over_the_bundled_one(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenarios").mkdir()
    text = (ROOT / "scenarios" / "reference_r1.yaml").read_text().replace("name: reference_r1", "name: local_r1")
    (tmp_path / "scenarios" / "reference_r1.yaml").write_text(text)
    assert main(["run", "reference_r1", "-n", "500"]) == 0
    assert capsys.readouterr().out.startswith("local_r1: n=500")


def test_unknown_name_says_which_names_exist(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "refrence_r1"]) == 2
    err = capsys.readouterr().err
    assert "no bundled scenario of that name" in err and "Did you mean 'reference_r1'?" in err


def test_a_missing_path_is_still_reported_as_a_missing_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "nowhere/reference_r1.yaml"]) == 2
    assert "nowhere/reference_r1.yaml" in capsys.readouterr().err
