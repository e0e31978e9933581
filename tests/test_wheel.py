"""Install anywhere: the wheel ships the bundled scenarios, and runs outside the checkout.

One module-scoped fixture builds the wheel from a copy of the sources (so nothing is written into
the checkout), installs it with ``--no-deps --no-index`` into a fresh virtual environment in a
temporary folder, and makes the dependencies visible there through a ``.pth`` file naming this
interpreter's site-packages (no network: the fresh environment gets costsim only from the wheel).
Every command then runs with that environment's ``costsim`` script in a folder with no
``scenarios/``.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "setup.py", "README.md", "costsim", "scenarios")
BIN = "Scripts" if os.name == "nt" else "bin"


def _run(cmd, cwd, timeout=300):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    return subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(costsim script, its python, the wheel, an empty working folder)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, src / name)
    dist = tmp / "dist"
    proc = _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(src), "-w", str(dist)], cwd=tmp)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (wheel,) = dist.glob("costsim-*.whl")

    venv = tmp / "venv"
    proc = _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp)
    assert proc.returncode == 0, proc.stderr[-3000:]
    python = venv / BIN / ("python.exe" if os.name == "nt" else "python")
    purelib = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp)
                   .stdout.strip())
    # the wheel first, while this environment's costsim is not visible (pip would call it installed)
    proc = _run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], cwd=tmp)
    assert proc.returncode == 0, proc.stderr[-3000:]
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], *site.getsitepackages()}
    # appended after the fresh site-packages, so the wheel's costsim comes first; .pth files in
    # these folders (an editable install's hook) are not processed from here
    (purelib / "zz_test_deps.pth").write_text("\n".join(sorted(p for p in ours if Path(p).is_dir())) + "\n")
    work = tmp / "work"
    work.mkdir()
    return venv / BIN / "costsim", python, wheel, work


def test_wheel_holds_the_bundled_scenarios(installed):
    wheel = installed[2]
    names = {Path(n).name for n in zipfile.ZipFile(wheel).namelist() if n.startswith("costsim/scenarios/")}
    assert names == {p.name for p in (ROOT / "scenarios").glob("*.yaml")}


def test_installed_costsim_is_the_wheel_not_the_checkout(installed):
    _, python, _, work = installed
    proc = _run([python, "-c", "import costsim, sys; print(costsim.__file__); print(sys.prefix)"], cwd=work)
    path, prefix = proc.stdout.split()
    assert Path(path).is_relative_to(Path(prefix)), proc.stdout
    assert not Path(path).is_relative_to(ROOT)


def test_run_bundled_scenario_by_name_outside_the_checkout(installed):
    costsim, _, _, work = installed
    assert not (work / "scenarios").exists()
    # n large enough that the MC error decides both checks (at 1,000 they are too close to call: CLOSE)
    proc = _run([costsim, "run", "reference_r1", "-n", "20000"], cwd=work)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.startswith("reference_r1: n=20,000 seed=1")
    assert "2 of 2 checks passed" in proc.stdout


def test_unknown_name_lists_the_bundled_ones(installed):
    costsim, _, _, work = installed
    proc = _run([costsim, "run", "reference_r2"], cwd=work)
    assert proc.returncode == 2
    assert "reference_r1" in proc.stderr and "Traceback" not in proc.stderr


def test_a_local_scenarios_folder_wins(installed, tmp_path):
    costsim, _, _, _ = installed
    (tmp_path / "scenarios").mkdir()
    text = (ROOT / "scenarios" / "reference_r1.yaml").read_text().replace("name: reference_r1", "name: mine")
    (tmp_path / "scenarios" / "reference_r1.yaml").write_text(text)
    proc = _run([costsim, "run", "reference_r1", "-n", "500"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.startswith("mine: n=500")


def test_init_then_run_the_starter(installed):
    costsim, _, _, work = installed
    proc = _run([costsim, "init", "study"], cwd=work)
    assert proc.returncode == 0, proc.stderr[-3000:]
    proc = _run([costsim, "run", "study/starter.yaml", "-n", "2000"], cwd=work)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 of 1 checks passed" in proc.stdout


def test_report_finds_every_packaged_scenario(installed):
    costsim, python, _, work = installed
    # an override every scenario rejects: each is found and reported as an error section, fast
    proc = _run([costsim, "report", "--set", "not_a_key=1", "-o", "rep_all", "-j", "1"], cwd=work)
    assert proc.returncode == 2, proc.stderr[-3000:]
    packaged = Path(_run([python, "-c", "from costsim.bundled import packaged_scenarios_folder as f; print(f())"],
                         cwd=work).stdout.strip())
    assert packaged.is_relative_to(installed[0].parents[1])  # inside the fresh environment
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        assert f"ERROR {path.stem} ({packaged / path.name})" in proc.stderr


def test_report_draws_figures_from_the_wheel(installed):
    costsim, python, _, work = installed
    packaged = _run([python, "-c", "from costsim.bundled import resolve_scenario as r; print(r('reference_r1'))"],
                    cwd=work).stdout.strip()
    proc = _run([costsim, "report", packaged, "-n", "500", "-o", "rep_one", "-j", "1", "--quiet", "--formats",
                 "png,svg"], cwd=work)  # both formats (the default is PNG alone): both drawn from the wheel
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert list((work / "rep_one").rglob("*.svg")) and "reference_r1" in (work / "rep_one" / "index.html").read_text()
