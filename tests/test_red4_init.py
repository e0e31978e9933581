"""Red team 4: costsim init with a name too long for a file, and a file name given as DIR.

Before: ``costsim init --name <300 letters>`` ended in an OSError traceback (file name too long);
``costsim init my_study.yaml`` created a folder named my_study.yaml holding starter.yaml.
"""

from costsim.cli import main


def test_a_name_too_long_for_a_file_exits_2(tmp_path, capsys):
    assert main(["init", str(tmp_path), "--name", "a" * 300]) == 2
    err = capsys.readouterr().err
    assert "--name" in err and "at most 100 characters" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_the_longest_name_allowed_is_written_and_runs(tmp_path, capsys):
    name = "a" * 100
    assert main(["init", str(tmp_path), "--name", name]) == 0
    assert main(["validate", str(tmp_path / f"{name}.yaml")]) == 0


def test_a_yaml_file_name_as_dir_is_refused_with_the_fix(tmp_path, capsys):
    assert main(["init", str(tmp_path / "my_study.yaml")]) == 2
    err = capsys.readouterr().err
    assert "not the file name" in err and "costsim init --name my_study" in err
    assert not (tmp_path / "my_study.yaml").exists()


def test_an_existing_folder_named_like_a_file_is_still_a_folder(tmp_path, capsys):
    (tmp_path / "odd.yaml").mkdir()
    assert main(["init", str(tmp_path / "odd.yaml")]) == 0
    assert (tmp_path / "odd.yaml" / "starter.yaml").is_file()
