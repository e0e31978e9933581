"""What a plain `costsim run` imports, and that the shortcuts skipping imports lose nothing:
installed entry-point models still load, $COSTSIM_DASK_SCHEDULER still reaches the engine."""

import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

import costsim.parallel as parallel
import costsim.plugins as plugins
from costsim.commands import common
from costsim.commands.common import entry_points_may_exist, parallel_options

ROOT = Path(__file__).resolve().parents[1]

MODEL = '''
from costsim.registry import model


@model(outputs=("tripled_usd",))
def triple_cost_startup(*, cost_usd):
    """Three times a cost."""
    return {"tripled_usd": 3 * cost_usd}
'''


def _dist(folder: Path, group: str = "costsim.models", name: str = "demo_startup") -> Path:
    info = folder / f"{name}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[{group}]\ndemo = demo_startup_models\n")
    (folder / "demo_startup_models.py").write_text(textwrap.dedent(MODEL))
    return folder


def _python(code: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "COSTSIM_DASK_SCHEDULER"}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, env=env)


def test_the_shortcuts_constants_are_the_modules_own():
    assert common.SCHEDULER_ENV == parallel.SCHEDULER_ENV
    assert common.ENTRY_POINT_GROUP == plugins.ENTRY_POINT_GROUP


def test_a_plain_run_imports_neither_the_executors_nor_importlib_metadata():
    proc = _python("import sys; from costsim.cli import main; "
                   "rc = main(['run', 'scenarios/reference_r1.yaml', '-n', '500', '--quiet']); "
                   "print('IMPORTED', [m for m in ('costsim.parallel', 'importlib.metadata', 'costsim.plugins') "
                   "if m in sys.modules])")
    assert proc.returncode == 0, proc.stderr
    assert "IMPORTED []" in proc.stdout, proc.stdout


def test_an_installed_entry_point_still_loads_through_the_cli(tmp_path):
    _dist(tmp_path)
    proc = _python("import sys; from costsim.cli import main; sys.exit(main(['models', 'triple_cost_startup']))",
                   {"PYTHONPATH": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    assert "triple_cost_startup" in proc.stdout and "tripled_usd" in proc.stdout


def test_the_entry_point_check_rules_out_only_what_importlib_would_not_find(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert entry_points_may_exist([str(empty), str(tmp_path / "missing")]) is False
    other = _dist(tmp_path / "other", group="console_scripts")
    assert entry_points_may_exist([str(other)]) is False  # a distribution without the group
    declared = _dist(tmp_path / "declared")
    assert entry_points_may_exist([str(empty), str(declared)]) is True
    archive = tmp_path / "site.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("x.dist-info/entry_points.txt", "[costsim.models]\nx = y\n")
    assert entry_points_may_exist([str(archive)]) is True  # a zip: importlib decides
    egg = tmp_path / "eggs"
    (egg / "demo-0.1-py3.11.egg" / "EGG-INFO").mkdir(parents=True)
    assert entry_points_may_exist([str(egg)]) is True


def test_the_entry_point_check_never_misses_what_importlib_finds_here():
    import importlib.metadata

    if not entry_points_may_exist():
        assert list(importlib.metadata.entry_points(group=plugins.ENTRY_POINT_GROUP)) == []


@pytest.mark.parametrize("option, env", [("tcp://127.0.0.1:1", None), (None, "tcp://127.0.0.1:2"), (None, None)])
def test_the_scheduler_still_comes_from_the_option_or_the_environment(option, env, monkeypatch):
    import argparse

    monkeypatch.delenv(parallel.SCHEDULER_ENV, raising=False)
    if env:
        monkeypatch.setenv(parallel.SCHEDULER_ENV, env)
    opts = parallel_options(argparse.Namespace(workers=None, scheduler=option))
    assert opts == {"workers": None, "scheduler": option or env}
    monkeypatch.setenv(parallel.SCHEDULER_ENV, "   ")
    assert parallel_options(argparse.Namespace(workers=2, scheduler=None)) == {"workers": 2, "scheduler": None}


def test_the_command_map_is_what_the_modules_register():
    import argparse
    import importlib

    from costsim import cli

    registered = {}
    for module in cli.COMMAND_MODULES:
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(module).register(sub)
        registered.update(dict.fromkeys(sub.choices, module))
    assert cli.COMMANDS == registered


def test_a_run_imports_only_its_own_command_module_and_help_still_lists_every_command():
    proc = _python("import sys; from costsim.cli import main; "
                   "rc = main(['run', 'scenarios/reference_r1.yaml', '-n', '200', '--quiet']); "
                   "print('COMMANDS', sorted(m for m in sys.modules if m.startswith('costsim.commands.')))")
    assert proc.returncode == 0, proc.stderr
    assert "COMMANDS ['costsim.commands.common', 'costsim.commands.core']" in proc.stdout, proc.stdout
    from costsim import cli

    helped = _python("from costsim.cli import main; main(['--help'])")
    assert all(name in helped.stdout for name in cli.COMMANDS)
    wrong = _python("import sys; from costsim.cli import main; sys.exit(main(['sweeep']))")
    assert wrong.returncode == 2 and "invalid choice: 'sweeep'" in wrong.stderr and "'sweep'" in wrong.stderr


def test_the_entry_point_check_trusts_only_the_standard_metadata_finders(tmp_path, monkeypatch):
    import importlib.metadata
    from importlib.machinery import PathFinder

    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setattr(sys, "meta_path", [PathFinder, importlib.metadata.MetadataPathFinder])
    assert entry_points_may_exist([str(empty)]) is False

    class Elsewhere:  # a finder that finds distributions somewhere else than sys.path
        @staticmethod
        def find_distributions(context=None):
            return iter(())

    monkeypatch.setattr(sys, "meta_path", [PathFinder, Elsewhere])
    assert entry_points_may_exist([str(empty)]) is True
