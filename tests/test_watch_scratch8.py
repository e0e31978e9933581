"""`costsim watch` leaves no scratch folder (.drawing) in the report folder when it stops.

Before: an empty `.drawing/` stayed after a clean --max-runs exit, and `.drawing/<key>/...`
after SIGTERM in the middle of a redraw, though it printed that nothing half-written was left.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

R1 = Path(__file__).parents[1] / "scenarios" / "reference_r1.yaml"


def test_a_clean_exit_leaves_no_scratch(tmp_path):
    (tmp_path / "r1.yaml").write_text(R1.read_text(encoding="utf-8"), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "costsim.cli", "watch", "r1.yaml", "-o", "out", "-n", "300",
                          "--no-serve", "--max-runs", "1"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "out" / "index.html").is_file()
    assert not (tmp_path / "out" / ".drawing").exists()


def test_sigterm_leaves_no_scratch(tmp_path):
    (tmp_path / "r1.yaml").write_text(R1.read_text(encoding="utf-8"), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "costsim.cli", "watch", "r1.yaml", "-o", "out", "-n", "300",
                             "--no-serve", "--interval", "0.05"], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "out" / "index.html").is_file() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (tmp_path / "out" / "index.html").is_file()
        (tmp_path / "r1.yaml").write_text(R1.read_text(encoding="utf-8").replace("seed: 1", "seed: 2"),
                                          encoding="utf-8")  # a redraw under way, or about to start
        time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143
    assert not (tmp_path / "out" / ".drawing").exists()
