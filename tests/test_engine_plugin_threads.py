"""A plugin's model runs on one thread unless asked: it may keep state that threads would race on."""

from __future__ import annotations

import os
import textwrap

import pytest

from costsim.engine import run
from costsim.scenario import scenario_from_text

SCENARIO = """\
schema_version: 1
name: plugin_threads
years: {start: 2025, stop: 2026}
samples: 40000
params:
  a_usd: {dist: uniform, low: 1, high: 2}
models:
  - use: {name}
"""


def _plugin(tmp_path, name):
    log = tmp_path / "threads.txt"
    path = tmp_path / "probe_models.py"
    path.write_text(textwrap.dedent(f"""
        import os
        import threading
        from costsim.registry import model

        @model(outputs=("b_usd",))
        def {name}(*, a_usd):
            with open({str(log)!r}, "a") as f:
                f.write(str(os.getpid()) + ":" + threading.current_thread().name + "\\n")
            return {{"b_usd": 2 * a_usd}}
    """))
    return path, log


@pytest.mark.parametrize("threads_env", [None, "2"])
def test_plugin_models_run_on_the_main_thread_unless_threads_are_asked_for(tmp_path, monkeypatch, threads_env):
    name = f"thread_probe_{'env' if threads_env else 'auto'}"  # one registry per process: a name per case
    path, log = _plugin(tmp_path, name)
    if threads_env is None:
        monkeypatch.delenv("COSTSIM_THREADS", raising=False)
        monkeypatch.setattr("os.getloadavg", lambda: (0.0, 0.0, 0.0))  # two idle cores: builtins would use 2
    else:
        monkeypatch.setenv("COSTSIM_THREADS", threads_env)
    res = run(scenario_from_text(SCENARIO.replace("{name}", name), source="t.yaml", plugins=(str(path),)), chunk_size=1000)
    assert res.n == 40000
    names = set(log.read_text().split())
    here = f"{os.getpid()}:MainThread"
    if threads_env is None:
        assert names == {here}
    else:
        assert names != {here}  # asked for: the chunks go to threads (or, on Linux, forked processes)
