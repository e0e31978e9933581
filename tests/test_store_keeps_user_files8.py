"""`--force` replaces costsim's files in a results or report folder, never the files a user added.

Before: `run -o DIR --force` swapped in a new folder and deleted the old one whole, with a
notes.txt or a folder of plots the user had put there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from costsim.store import atomic_folder, kept_entries


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "costsim.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_run_force_keeps_what_the_user_added(tmp_path):
    first = _cli("run", "reference_r1", "-n", "100", "-q", "-o", "out", cwd=tmp_path)
    assert first.returncode in (0, 1), first.stderr
    out = tmp_path / "out"
    (out / "notes.txt").write_text("my notes\n", encoding="utf-8")
    (out / "mine").mkdir()
    (out / "mine" / "plot.png").write_bytes(b"\x89PNG user bytes")
    again = _cli("run", "reference_r1", "-n", "200", "-q", "-o", "out", "--force", cwd=tmp_path)
    assert again.returncode in (0, 1), again.stderr
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my notes\n"
    assert (out / "mine" / "plot.png").read_bytes() == b"\x89PNG user bytes"
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["n"] == 200  # costsim's files are new
    assert "kept what you had added: mine, notes.txt" in again.stdout
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]  # no temporary left behind


def test_atomic_folder_replaces_its_own_files_and_carries_the_rest(tmp_path):
    target = tmp_path / "res"
    with atomic_folder(target) as tmp:
        (tmp / "manifest.json").write_text(json.dumps({"costsim_version": "x", "n": 1}), encoding="utf-8")
        (tmp / "summary.csv").write_text("old\n", encoding="utf-8")
    assert kept_entries(target) == ()
    (target / "user.txt").write_text("u", encoding="utf-8")
    os.symlink("user.txt", target / "link")
    with atomic_folder(target, force=True) as tmp:
        (tmp / "manifest.json").write_text(json.dumps({"costsim_version": "x", "n": 2}), encoding="utf-8")
        (tmp / "summary.csv").write_text("new\n", encoding="utf-8")
    assert (target / "summary.csv").read_text(encoding="utf-8") == "new\n"  # a name costsim writes: the new file
    assert (target / "user.txt").read_text(encoding="utf-8") == "u"
    assert os.readlink(target / "link") == "user.txt"
    assert kept_entries(target) == ("link", "user.txt")
    with atomic_folder(target, force=True) as tmp:  # nothing of the user's left to keep
        (tmp / "manifest.json").write_text(json.dumps({"costsim_version": "x", "n": 3}), encoding="utf-8")
        (tmp / "user.txt").write_text("costsim's now", encoding="utf-8")
        (tmp / "link").write_text("also", encoding="utf-8")
    assert kept_entries(target) == ()
    assert (target / "user.txt").read_text(encoding="utf-8") == "costsim's now"
    assert not (target / "summary.csv").exists()  # a results folder's name, no longer written: dropped, not kept


def test_report_force_keeps_what_the_user_added(tmp_path):
    (tmp_path / "s.yaml").write_text((Path(__file__).parents[1] / "scenarios" / "reference_r1.yaml").read_text(
        encoding="utf-8"), encoding="utf-8")
    args = ("report", "s.yaml", "-o", "rep", "-n", "200", "--no-ledger")
    first = _cli(*args, cwd=tmp_path)
    assert first.returncode in (0, 1), first.stderr
    (tmp_path / "rep" / "draft.md").write_text("mine", encoding="utf-8")
    again = _cli(*args, "--force", cwd=tmp_path)
    assert again.returncode in (0, 1), again.stderr
    assert (tmp_path / "rep" / "draft.md").read_text(encoding="utf-8") == "mine"
    assert "kept what you had added: draft.md" in again.stdout


def test_a_failed_write_leaves_the_old_folder_and_the_users_files(tmp_path):
    target = tmp_path / "res"
    with atomic_folder(target) as tmp:
        (tmp / "manifest.json").write_text(json.dumps({"costsim_version": "x"}), encoding="utf-8")
    (target / "user.txt").write_text("u", encoding="utf-8")
    try:
        with atomic_folder(target, force=True) as tmp:
            (tmp / "manifest.json").write_text("{}", encoding="utf-8")
            raise RuntimeError("the run failed")
    except RuntimeError:
        pass
    assert sorted(p.name for p in target.iterdir()) == ["manifest.json", "user.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]


def test_a_report_over_a_results_folder_drops_the_runs_files_and_keeps_the_users(tmp_path):
    run = _cli("run", "reference_r1", "-n", "100", "-q", "-o", "out", cwd=tmp_path)
    assert run.returncode in (0, 1), run.stderr
    (tmp_path / "out" / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "s.yaml").write_text((Path(__file__).parents[1] / "scenarios" / "reference_r1.yaml").read_text(
        encoding="utf-8"), encoding="utf-8")
    rep = _cli("report", "s.yaml", "-o", "out", "-n", "200", "--no-ledger", "--force", cwd=tmp_path)
    assert rep.returncode in (0, 1), rep.stderr
    names = {p.name for p in (tmp_path / "out").iterdir()}
    assert {"index.html", "notes.txt"} <= names
    assert not names & {"summary.csv", "samples.npz", "manifest.json"}  # costsim's, of the other kind: not kept
    assert "kept what you had added: notes.txt" in rep.stdout


def test_watch_starting_over_in_its_folder_keeps_what_the_user_added(tmp_path):
    (tmp_path / "r1.yaml").write_text((Path(__file__).parents[1] / "scenarios" / "reference_r1.yaml").read_text(
        encoding="utf-8"), encoding="utf-8")
    args = ("watch", "r1.yaml", "-o", "w", "-n", "200", "--no-serve", "--max-runs", "1")
    assert _cli(*args, cwd=tmp_path).returncode == 0
    (tmp_path / "w" / "notes.txt").write_text("mine", encoding="utf-8")
    again = _cli(*args, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "w" / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (tmp_path / "w" / "index.html").is_file()


def test_a_users_folders_named_like_a_reports_stay_in_a_results_folder(tmp_path):
    # final review: figures/ and data/ are costsim's names in a report, a user's in a results folder
    first = _cli("run", "reference_r1", "-n", "100", "-q", "-o", "r", cwd=tmp_path)
    assert first.returncode in (0, 1), first.stderr
    (tmp_path / "r" / "figures").mkdir()
    (tmp_path / "r" / "figures" / "my.png").write_bytes(b"png")
    (tmp_path / "r" / "data").mkdir()
    (tmp_path / "r" / "data" / "input.csv").write_text("d", encoding="utf-8")
    again = _cli("run", "reference_r1", "-n", "100", "-q", "-o", "r", "--force", cwd=tmp_path)
    assert again.returncode in (0, 1), again.stderr
    assert (tmp_path / "r" / "figures" / "my.png").read_bytes() == b"png"
    assert (tmp_path / "r" / "data" / "input.csv").read_text(encoding="utf-8") == "d"
    assert "kept what you had added: data, figures" in again.stdout


def test_a_users_summary_csv_stays_in_a_watch_folder(tmp_path):
    (tmp_path / "r1.yaml").write_text((Path(__file__).parents[1] / "scenarios" / "reference_r1.yaml").read_text(
        encoding="utf-8"), encoding="utf-8")
    args = ("watch", "r1.yaml", "-o", "w", "-n", "200", "--no-serve", "--max-runs", "1")
    assert _cli(*args, cwd=tmp_path).returncode == 0
    (tmp_path / "w" / "summary.csv").write_text("mine", encoding="utf-8")
    assert _cli(*args, cwd=tmp_path).returncode == 0
    assert (tmp_path / "w" / "summary.csv").read_text(encoding="utf-8") == "mine"
