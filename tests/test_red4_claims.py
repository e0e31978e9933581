"""Red team 4: costsim claims with a missing ledger file, the --list its errors point at, and an
empty --profile-set answer.

Before: ``--ledger /nonexistent`` ended in a FileNotFoundError traceback; an unknown id said
"List them with `costsim claims --list`", an option that did not exist (argparse error);
``--profile-set essay FILE`` for a scenario the profile does not touch printed nothing, exit 0.
"""

from costsim.cli import main


def test_a_missing_ledger_file_exits_2_naming_it(tmp_path, capsys):
    missing = tmp_path / "none.yaml"
    assert main(["claims", "--ledger", str(missing)]) == 2
    err = capsys.readouterr().err
    assert "--ledger" in err and "no such file" in err and "Traceback" not in err
    assert main(["claims", "--ledger", str(tmp_path)]) == 2
    assert "not a file" in capsys.readouterr().err


def test_the_list_the_unknown_id_error_points_at_exists(capsys):
    assert main(["claims", "no.such_claim"]) == 2
    assert "costsim claims --list" in capsys.readouterr().err
    assert main(["claims", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("essay.cost_decline_per_year ") for line in lines)
    assert len(lines) > 20


def test_profile_set_that_sets_nothing_says_so(tmp_path, capsys):
    path = tmp_path / "plain.yaml"
    path.write_text("schema_version: 1\nname: plain\nyears: {start: 2024, stop: 2025}\nparams:\n  rate_x: 2\n"
                    "formulas:\n  value_x: \"rate_x * 1\"\noutputs: [value_x]\n", encoding="utf-8")
    assert main(["claims", "--profile-set", "essay", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "sets no parameter" in captured.err
