"""Red team 4: costsim watch options that hung, spun or ended in a traceback.

``--interval 0`` (or negative) polled in a busy loop, ``--interval inf`` never looked at the file
again, ``--port 70000`` / ``-1`` ended in an OverflowError traceback from the server's bind, a
port already taken in an OSError traceback, and ``--max-runs 0`` never stopped.
"""

import socket

import pytest

from costsim.cli import main

TEXT = """\
schema_version: 1
name: wa
years: {start: 2024, stop: 2025}
params:
  rate_x: {dist: uniform, low: 1.0, high: 2.0, source: "test"}
formulas:
  value_x: "rate_x * 2"
outputs: [value_x]
plots:
  - {kind: fan, output: value_x}
"""


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "wa.yaml"
    p.write_text(TEXT, encoding="utf-8")
    return str(p)


@pytest.mark.parametrize("argv, flag", [
    (["--interval", "0"], "--interval"), (["--interval", "-1"], "--interval"),
    (["--interval", "nan"], "--interval"), (["--interval", "inf"], "--interval"),
    (["--port", "70000"], "--port"), (["--port", "-1"], "--port"), (["--max-runs", "0"], "--max-runs"),
])
def test_bad_watch_options_exit_2_at_once(path, tmp_path, capsys, argv, flag):
    with pytest.raises(SystemExit) as info:
        main(["watch", path, "--no-serve", "-o", str(tmp_path / "out"), *argv])
    assert info.value.code == 2
    assert flag in capsys.readouterr().err


def test_a_port_in_use_exits_2_naming_it(path, tmp_path, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert main(["watch", path, "-o", str(tmp_path / "out"), "--max-runs", "1", "-n", "50",
                     "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"--port {port}" in err and "Traceback" not in err
