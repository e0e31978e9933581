"""SIGTERM at any point of `costsim run`: exit 143, nothing half-written, previous results intact.

Each child process sends SIGTERM to itself at a known point (a plugin file while it loads, a
plugin model while the samples are evaluated, the first line of the printed summary), never
after a delay. The write stages themselves are covered in tests/test_hardening.py.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from costsim.results import Results

ROOT = Path(__file__).resolve().parents[1]

KILL = "import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n"
PLUGIN_AT_LOAD = KILL + textwrap.dedent('''
    from costsim.registry import model


    @model(outputs=("copied_flop",))
    def copy_flop_sigterm(*, effective_flop):
        """The same FLOP."""
        return {"copied_flop": effective_flop}
    ''')
PLUGIN_AT_EVALUATION = textwrap.dedent('''
    import os
    import signal

    from costsim.registry import model


    @model(outputs=("copied_flop",))
    def copy_flop_sigterm(*, effective_flop):
        """The same FLOP; sends SIGTERM to its own process while the samples are evaluated."""
        os.kill(os.getpid(), signal.SIGTERM)
        return {"copied_flop": effective_flop}
    ''')
PLUGIN_HARMLESS = PLUGIN_AT_EVALUATION.replace("os.kill(os.getpid(), signal.SIGTERM)", "pass")

# the child: `costsim run` through cli.main; with "print:TEXT", SIGTERM comes as soon as a line
# containing TEXT is printed
DRIVER = """
import os, signal, sys
from costsim.cli import main

class KillOnPrint:
    def __init__(self, stream, text):
        self.stream, self.text, self.sent = stream, text, False
    def write(self, text):
        out = self.stream.write(text)
        if not self.sent and self.text in text:
            self.sent = True
            os.kill(os.getpid(), signal.SIGTERM)
        return out
    def flush(self):
        self.stream.flush()

if sys.argv[1].startswith("print:"):
    sys.stdout = KillOnPrint(sys.stdout, sys.argv[1][6:])
sys.exit(main(sys.argv[2:]))
"""


def _scenario(tmp_path: Path, tiny_scenario_text: str) -> Path:
    text = tiny_scenario_text.replace("  - use: effective_flop_product\n",
                                      "  - use: effective_flop_product\n  - use: copy_flop_sigterm\n")
    text = text.replace("outputs: [effective_flop, physical_flop]", "outputs: [effective_flop, copied_flop]")
    path = tmp_path / "tiny.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _child(mode: str, argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", DRIVER, mode, *argv], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".out"))


POINTS = {  # point -> (plugin text, driver mode, are the new results written?)
    "plugin load": (PLUGIN_AT_LOAD, "plain", False),
    "evaluation": (PLUGIN_AT_EVALUATION, "plain", False),
    "printing the summary": (PLUGIN_HARMLESS, "print:effective", False),  # printed before the write
    "after the write": (PLUGIN_HARMLESS, "print:saved to", True),
}


@pytest.mark.parametrize("point", list(POINTS))
@pytest.mark.parametrize("previous", [True, False], ids=["over old results", "new folder"])
def test_sigterm_at_any_point_of_a_run_exits_143_and_leaves_nothing_half_written(
        tmp_path, tiny_scenario_text, point, previous):
    plugin = tmp_path / "plugin.py"
    plugin.write_text(PLUGIN_HARMLESS, encoding="utf-8")
    scenario = _scenario(tmp_path, tiny_scenario_text)
    out = tmp_path / "out"
    argv = ["run", str(scenario), "--plugin", str(plugin), "-o", str(out), "--force"]
    if previous:
        made = _child("plain", [*argv, "-n", "100", "--quiet"])
        assert made.returncode == 0, made.stderr
    text, mode, written = POINTS[point]
    plugin.write_text(text, encoding="utf-8")
    proc = _child(mode, [*argv, "-n", "400"])
    assert proc.returncode == 143, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.endswith("terminated; nothing half-written was left behind\n")
    assert _leftovers(tmp_path) == []
    if written or previous:
        assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "samples.npz", "summary.csv"]
        res = Results.load(out)
        assert res.n == (400 if written else 100)  # the new results, whole, or the old ones
        assert (out / "summary.csv").read_text(encoding="utf-8") == res.summary_csv()
    else:
        assert not out.exists()


def test_sigterm_without_an_output_folder_exits_143(tmp_path, tiny_scenario_text):
    plugin = tmp_path / "plugin.py"
    plugin.write_text(PLUGIN_AT_EVALUATION, encoding="utf-8")
    proc = _child("plain", ["run", str(_scenario(tmp_path, tiny_scenario_text)), "--plugin", str(plugin),
                            "-n", "200", "--quiet"])
    assert proc.returncode == 143, proc.stderr
    assert proc.stderr.endswith("terminated; nothing half-written was left behind\n")


def test_a_sigterm_handler_of_the_caller_is_left_in_charge(tmp_path, tiny_scenario_text):
    # main() installs its handler only where SIGTERM has the default action
    plugin = tmp_path / "plugin.py"
    plugin.write_text(PLUGIN_AT_EVALUATION, encoding="utf-8")
    code = ("import signal, sys\nseen = []\nsignal.signal(signal.SIGTERM, lambda s, f: seen.append(s))\n"
            "from costsim.cli import main\n"
            f"rc = main(['run', {str(_scenario(tmp_path, tiny_scenario_text))!r}, '--plugin', {str(plugin)!r}, "
            "'-n', '200', '--quiet'])\n"
            "print('SEEN', len(seen) > 0, 'HANDLER KEPT', signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL)\n"
            "sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode in (0, 1), proc.stderr
    assert "SEEN True HANDLER KEPT True" in proc.stdout


def test_main_restores_the_default_action_when_it_returns():
    code = ("import signal; from costsim.cli import main; main(['models', 'effective_flop_product']); "
            "print('DEFAULT', signal.getsignal(signal.SIGTERM) is signal.SIG_DFL)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "DEFAULT True" in proc.stdout
