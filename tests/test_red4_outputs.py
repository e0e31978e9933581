"""Red team 4: output paths the final write refused after all the work was done.

Before: ``sweep -o FOLDER --force`` (also diff/sensitivity --csv) ran the whole grid and then
failed "is a folder" at the write, the results lost; so did a path through a file
(``--csv scenario.yaml/out.csv``); ``-o ""`` ran and wrote nothing, silently; ``costsim plot``
ran the scenario before finding that -o existed or had an unknown format.
"""

import pytest

from costsim.cli import main

TEXT = """\
schema_version: 1
name: outs
years: {start: 2024, stop: 2025}
samples: 50
params:
  rate_x: {dist: uniform, low: 1.0, high: 2.0, source: "test"}
formulas:
  value_x: "rate_x * 2"
outputs: [value_x]
"""


@pytest.fixture
def scenario(tmp_path):
    path = tmp_path / "outs.yaml"
    path.write_text(TEXT, encoding="utf-8")
    return path


def _commands(scenario, target):
    return [["sweep", str(scenario), "--over", "rate_x.high=3,4", "-o", target, "--force"],
            ["diff", str(scenario), "--set-b", "rate_x.high=3", "--csv", target, "--force"],
            ["sensitivity", str(scenario), "--n-base", "16", "--csv", target, "--force"]]


@pytest.mark.parametrize("which", [0, 1, 2])
def test_a_folder_as_the_csv_is_refused_before_any_work(scenario, tmp_path, capsys, which):
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine", encoding="utf-8")
    assert main(_commands(scenario, str(folder))[which]) == 2
    captured = capsys.readouterr()
    assert "is a folder" in captured.err
    assert captured.out == ""  # nothing was run (a run prints its table first)
    assert (folder / "keep.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("which", [0, 1, 2])
def test_a_path_through_a_file_is_refused_before_any_work(scenario, capsys, which):
    assert main(_commands(scenario, str(scenario) + "/out.csv")[which]) == 2
    captured = capsys.readouterr()
    assert "is a file, not a folder" in captured.err and captured.out == ""


@pytest.mark.parametrize("which", [0, 1, 2])
def test_an_empty_file_name_is_refused(scenario, capsys, which):
    assert main(_commands(scenario, "")[which]) == 2
    assert "empty file name" in capsys.readouterr().err


def test_plot_refuses_an_existing_figure_before_running_the_scenario(tmp_path, capsys):
    broken = tmp_path / "broken.yaml"
    broken.write_text(TEXT.replace("value_x: \"rate_x * 2\"", "value_x: \"rate_x *\""), encoding="utf-8")
    figure = tmp_path / "f.png"
    figure.write_bytes(b"mine")
    assert main(["plot", str(broken), "--kind", "fan", "--output", "value_x", "-o", str(figure)]) == 2
    err = capsys.readouterr().err
    assert "file exists" in err and "invalid expression" not in err
    assert main(["plot", str(broken), "--kind", "fan", "--output", "value_x", "-o", str(tmp_path / "f.jpg")]) == 2
    assert "unknown figure format" in capsys.readouterr().err
    assert figure.read_bytes() == b"mine"


def test_a_new_csv_in_a_new_folder_is_still_written(scenario, tmp_path, capsys):
    target = tmp_path / "new" / "table.csv"
    assert main(_commands(scenario, str(target))[0]) == 0
    assert target.read_text(encoding="utf-8").startswith("point,")
