"""A Dask scheduler address nobody listens at is reported at once, not after Client's 30 s of retries."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("distributed")

COSTSIM = Path(sys.executable).with_name("costsim")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again on exit: a connect is refused


def test_a_refused_scheduler_is_an_error_well_before_the_clients_timeout():
    address = f"tcp://127.0.0.1:{_closed_port()}"
    # 20 s: far above a refused connect (milliseconds) plus start-up, below distributed's 30 s retry
    proc = subprocess.run([str(COSTSIM), "run", "reference_r1", "-n", "100", "-q", "--scheduler", address],
                          capture_output=True, text=True, timeout=20, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert proc.returncode == 2
    assert f"cannot reach the Dask scheduler '{address}'" in proc.stderr
    assert "refused" in proc.stderr.lower()
    assert "Traceback" not in proc.stderr
