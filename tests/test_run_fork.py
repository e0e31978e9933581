"""A run's chunks on forked processes (Linux): the serial loop's numbers, tallies, errors and progress.

Threads share one GIL, which the race's many small year-by-year steps hold most of the time, so
an in-process run with more than one lane forks: each process fills its own rows of shared
arrays. These tests compare that path with the threads (COSTSIM_FORK=0) and with one thread, and
see the rows' process ids through a plugin model.
"""

from __future__ import annotations

import os
import sys
import textwrap
import threading

import numpy as np
import pytest

from costsim.engine import run
from costsim.errors import ModelError, ScenarioError
from costsim.scenario import load_scenario, scenario_from_text

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked chunks are Linux only")
CHILD_ENV = "COSTSIM_TEST_RUN_FORK_FRESH"


def _other_threads() -> list:
    return [t for t in threading.enumerate() if t is not threading.main_thread()
            and type(t).__name__ != "TMonitor"]


@pytest.fixture(scope="module", autouse=True)
def thread_free_process():
    """Forking is off where other threads run (a Dask client's, a pool's, from earlier tests in the
    suite): then this file runs again in a fresh process, whose result is this module's."""
    others = _other_threads()
    if others and not os.environ.get(CHILD_ENV):
        import subprocess

        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__],
                              env={**os.environ, CHILD_ENV: "1"}, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
        pytest.skip(f"passed in a fresh process (here {len(others)} other threads run, so forking is off)")
    assert not others, f"threads run here, forking is off: {others}"
    yield

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RACE = os.path.join(ROOT, "scenarios", "export_controls_base.yaml")


def _children() -> set[int]:
    """Pids of this process's children, zombies (exited, not reaped) included (Linux /proc)."""
    me, found = os.getpid(), set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == me:
                        found.add(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return found


_BEFORE: list[set[int]] = []


@pytest.fixture(autouse=True)
def children_before():
    """This process's children when the test starts (other tests' pools, e.g. a fork server, may
    live on: only children a test leaves behind count)."""
    _BEFORE[:] = [_children()]
    yield


def _no_children_left() -> bool:
    """No child this test started is left, running or unreaped."""
    return _children() <= _BEFORE[0]


def _same(a, b) -> None:
    assert a.outputs.keys() == b.outputs.keys()
    for k in a.outputs:
        assert np.array_equal(a.outputs[k], b.outputs[k], equal_nan=True), k
    assert a.params.keys() == b.params.keys()
    for k in a.params:
        assert np.array_equal(a.params[k], b.params[k]), k
    assert a.meta.get("clipped_samples") == b.meta.get("clipped_samples")
    assert [(c.value, c.passed) for c in a.checks] == [(c.value, c.passed) for c in b.checks]


@pytest.mark.parametrize("threads", [2, 3])
def test_the_race_on_forked_processes_is_the_serial_run_bit_for_bit(monkeypatch, threads):
    monkeypatch.setenv("COSTSIM_FORK", "1")
    forked = run(RACE, n=9000, seed=3, chunk_size=700, threads=threads)
    monkeypatch.setenv("COSTSIM_FORK", "0")
    on_threads = run(RACE, n=9000, seed=3, chunk_size=700, threads=threads)
    serial = run(RACE, n=9000, seed=3, chunk_size=700, threads=1)
    _same(forked, serial)
    _same(on_threads, serial)
    assert _no_children_left()


def test_kept_years_and_check_columns_are_filled_by_the_children(monkeypatch):
    monkeypatch.setenv("COSTSIM_FORK", "1")
    a = run(RACE, n=6000, seed=5, chunk_size=500, threads=2, keep_years=[2030], keep_params=())
    b = run(RACE, n=6000, seed=5, chunk_size=500, threads=1, keep_years=[2030], keep_params=())
    _same(a, b)


PLUGIN = """
    import os
    from costsim.registry import model

    @model(outputs=("pid_count",))
    def {name}(*, a_usd):
        if {action} and os.getpid() != {parent}:
            {effect}
        return {{"pid_count": a_usd * 0 + os.getpid()}}
"""

SCENARIO = """\
schema_version: 1
name: fork_probe
years: {start: 2025, stop: 2026}
samples: 20000
params:
  a_usd: {dist: uniform, low: 1, high: 2, min: 1.2}
models:
  - use: NAME
"""


def _probe(tmp_path, name, action="False", effect="pass"):
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(PLUGIN.format(name=name, action=action, parent=os.getpid(), effect=effect)))
    return scenario_from_text(SCENARIO.replace("NAME", name), source="probe.yaml", plugins=(str(path),))


def test_rows_are_evaluated_in_another_process_and_clip_counts_add_up(tmp_path, monkeypatch):
    monkeypatch.setenv("COSTSIM_FORK", "1")
    s = _probe(tmp_path, "fork_probe_pids")
    steps = []
    res = run(s, n=20000, chunk_size=1000, threads=2, progress=lambda done, total: steps.append((done, total)))
    pids = set(np.unique(res.outputs["pid_count"]).astype(int))
    assert os.getpid() in pids and len(pids) == 2  # this process and one child
    # the child's rows of the kept draws and its clipped samples came back
    serial = run(s, n=20000, chunk_size=1000, threads=1)
    assert np.array_equal(res.params["a_usd"], serial.params["a_usd"])
    assert res.meta["clipped_samples"] == serial.meta["clipped_samples"] and serial.meta["clipped_samples"]["a_usd"] > 0
    # progress: rows stored here and in the child, increasing, ending at n
    dones = [d for d, _ in steps]
    assert dones == sorted(dones) and dones[-1] == 20000 and all(t == 20000 for _, t in steps)
    assert _no_children_left()


def test_no_fork_when_turned_off_or_when_another_thread_runs(tmp_path, monkeypatch):
    s = _probe(tmp_path, "fork_probe_off")
    monkeypatch.setenv("COSTSIM_FORK", "0")
    res = run(s, n=20000, chunk_size=1000, threads=2)
    assert set(np.unique(res.outputs["pid_count"]).astype(int)) == {os.getpid()}
    monkeypatch.setenv("COSTSIM_FORK", "1")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # e.g. a server's thread: a fork would copy its locks
    other.start()
    try:
        res = run(s, n=20000, chunk_size=1000, threads=2)
    finally:
        stop.set()
        other.join()
    assert set(np.unique(res.outputs["pid_count"]).astype(int)) == {os.getpid()}


@pytest.mark.parametrize("value", ["2", "yes", "-1"])
def test_costsim_fork_must_be_0_or_1(tmp_path, monkeypatch, value):
    monkeypatch.setenv("COSTSIM_FORK", value)
    with pytest.raises(ScenarioError, match="COSTSIM_FORK"):
        run(_probe(tmp_path, f"fork_probe_env{value.replace('-', 'm')}"), n=20000, chunk_size=1000, threads=2)


def test_an_error_in_a_child_is_raised_here_naming_the_model(tmp_path, monkeypatch):
    monkeypatch.setenv("COSTSIM_FORK", "1")
    s = _probe(tmp_path, "fork_probe_raises", action="True", effect="raise ValueError('no rows for children')")
    with pytest.raises(ModelError, match="fork_probe_raises") as info:
        run(s, n=20000, chunk_size=1000, threads=2)
    assert "no rows for children" in str(info.value)
    assert _no_children_left()


def test_a_child_that_dies_is_an_error_not_a_hang_or_missing_rows(tmp_path, monkeypatch):
    monkeypatch.setenv("COSTSIM_FORK", "1")
    s = _probe(tmp_path, "fork_probe_dies", action="True", effect="os.kill(os.getpid(), 9)")
    with pytest.raises(ModelError, match="ended without its results .*signal 9"):
        run(s, n=20000, chunk_size=1000, threads=2)
    assert _no_children_left()


def test_non_finite_values_in_a_child_are_tallied_as_the_serial_loop_tallies_them(monkeypatch):
    # a formula that is not finite on about half the rows: the message counts every bad value and
    # names the first bad sample, whichever process found them
    bad = """\
schema_version: 1
name: fork_bad
years: {start: 2025, stop: 2027}
samples: 30000
params:
  a_usd: {dist: uniform, low: 0, high: 1}
formulas:
  b_usd: "log(a_usd - 0.5)"
"""
    sc = scenario_from_text(bad, source="bad.yaml")
    messages = []
    for fork, threads in (("1", 2), ("0", 2), ("0", 1)):
        monkeypatch.setenv("COSTSIM_FORK", fork)
        with pytest.raises(ModelError) as info:
            run(sc, n=30000, chunk_size=1000, threads=threads)
        messages.append(str(info.value))
    assert messages[0] == messages[1] == messages[2]
    assert "not finite" in messages[0]


def test_interrupting_a_forked_run_leaves_no_child(tmp_path, monkeypatch):
    monkeypatch.setenv("COSTSIM_FORK", "1")
    s = _probe(tmp_path, "fork_probe_interrupt")
    calls = []

    def progress(done, total):
        calls.append(done)
        if len(calls) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(s, n=20000, chunk_size=1000, threads=2, progress=progress)
    assert _no_children_left()


def test_local_workers_fork_here_and_the_pool_stays_for_where_forking_is_off(tmp_path, monkeypatch):
    from costsim import parallel

    monkeypatch.setenv("COSTSIM_FORK", "1")
    s = _probe(tmp_path, "fork_probe_workers")
    monkeypatch.setattr("os.getloadavg", lambda: (0.0, 0.0, 0.0))  # idle cores
    res = run(s, n=20000, chunk_size=1000, workers=2)
    assert len(set(np.unique(res.outputs["pid_count"]).astype(int))) == 2  # this process and a forked child
    # a machine whose cores are busy: more processes would only share them (as the pool decides)
    monkeypatch.setattr("os.getloadavg", lambda: (float(os.cpu_count() or 1) + 1.0, 0.0, 0.0))
    res = run(s, n=20000, chunk_size=1000, workers=2)
    assert set(np.unique(res.outputs["pid_count"]).astype(int)) == {os.getpid()}
    serial = run(RACE, n=6000, seed=4, chunk_size=500, threads=1)
    _same(run(RACE, n=6000, seed=4, chunk_size=500, workers=2), serial)
    assert _no_children_left()
    # forking off: the process pool (forced here for a small run), the same numbers
    monkeypatch.setenv("COSTSIM_FORK", "0")
    monkeypatch.setattr(parallel, "MIN_PARALLEL_WORK", 0)
    monkeypatch.setattr(parallel, "PARALLEL_MARGIN", 0.0)
    pooled = run(RACE, n=6000, seed=4, chunk_size=500, workers=2)
    for k in serial.outputs:
        assert np.array_equal(pooled.outputs[k], serial.outputs[k]), k
    for t in _other_threads():  # the pool's manager thread, ending: the next tests fork again
        t.join(timeout=30)
    assert not _other_threads()


def test_a_progress_bars_monitor_thread_does_not_turn_forking_off(tmp_path, monkeypatch):
    import io

    from tqdm import tqdm

    monkeypatch.setenv("COSTSIM_FORK", "1")
    s = _probe(tmp_path, "fork_probe_tqdm")
    bar = tqdm(total=2, file=io.StringIO())  # starts tqdm's monitor thread (a bar of an earlier run, say)
    try:
        assert any(type(t).__name__ == "TMonitor" for t in threading.enumerate())
        res = run(s, n=20000, chunk_size=1000, threads=2)
    finally:
        bar.close()
    assert len(set(np.unique(res.outputs["pid_count"]).astype(int))) == 2


# ------------------------------------------------------------------ hazards of forking (a review's findings)
def _plugin(tmp_path, name, body, outputs=("y_usd",)):
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(body).replace("NAME", name))
    text = SCENARIO.replace("NAME", name).replace("a_usd: {dist: uniform, low: 1, high: 2, min: 1.2}",
                                                  "a_usd: {dist: uniform, low: 1, high: 2}")
    return scenario_from_text(text, source="probe.yaml", plugins=(str(path),)), path


def test_a_plugin_using_numpys_global_random_state_gets_its_own_stream_in_each_lane(tmp_path, monkeypatch):
    # a copy of the parent's global state in every child repeated the same noise (26194 distinct
    # values of 40000 before); by default a plugin's scenario runs in one lane anyway
    monkeypatch.setenv("COSTSIM_FORK", "1")
    s, _ = _plugin(tmp_path, "fork_noisy", """
        import numpy as np
        from costsim.registry import model

        @model(outputs=("y_usd",))
        def NAME(*, a_usd):
            return {"y_usd": a_usd + np.random.standard_normal(np.shape(a_usd))}
    """)
    for threads in (2, None):
        res = run(s, n=40000, chunk_size=1000, threads=threads)
        noise = res.outputs["y_usd"][:, 0] - res.params["a_usd"]
        assert len(np.unique(noise)) == 40000, threads


def test_a_thread_started_by_the_first_chunk_keeps_the_rest_here_and_nothing_hangs(tmp_path, monkeypatch):
    # a plugin starting a thread that holds a lock on its first call: a child forked after it would
    # wait for that lock forever (the run hung, and a killed parent left the child behind)
    monkeypatch.setenv("COSTSIM_FORK", "1")
    s, _ = _plugin(tmp_path, "fork_locky", """
        import threading, time
        from costsim.registry import model
        LOCK = threading.Lock()
        STOP = threading.Event()
        _started = []

        def _refresher():
            while not STOP.is_set():
                with LOCK:
                    time.sleep(0.005)
                time.sleep(0.0001)

        @model(outputs=("y_usd",))
        def NAME(*, a_usd):
            if not _started:
                _started.append(threading.Thread(target=_refresher, daemon=True))
                _started[0].start()
            with LOCK:
                pass
            return {"y_usd": a_usd * 2}
    """)
    import signal

    def hung(*_):
        raise TimeoutError("the run hung: a child forked after the plugin's thread waits for its lock")

    before = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)  # a regression fails here instead of hanging the suite
    try:
        res = run(s, n=20000, chunk_size=1000, threads=2)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)
    module = next(m for m in list(sys.modules.values()) if str(getattr(m, "__file__", "")).endswith("fork_locky.py"))
    module.STOP.set()
    module._started[0].join()
    assert np.array_equal(res.outputs["y_usd"], 2 * res.params["a_usd"][:, None] * np.ones((1, 2)))


def test_a_fork_that_fails_evaluates_the_rest_here(tmp_path, monkeypatch):
    monkeypatch.setenv("COSTSIM_FORK", "1")

    def no_more_processes():
        raise BlockingIOError(11, "Resource temporarily unavailable")  # a container's pids.max

    monkeypatch.setattr(os, "fork", no_more_processes)
    forked = run(RACE, n=6000, seed=2, chunk_size=500, threads=2)
    monkeypatch.undo()
    _same(forked, run(RACE, n=6000, seed=2, chunk_size=500, threads=1))


CHILD_SCRIPT = """
import sys, warnings
from costsim.engine import run
from costsim.scenario import scenario_from_text
s = scenario_from_text(open(sys.argv[1]).read(), source="probe.yaml", plugins=(sys.argv[2],))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    run(s, n=20000, chunk_size=1000, threads=int(sys.argv[3]))
print("recorded", len(caught), file=sys.stderr)
run(s, n=20000, chunk_size=1000, threads=int(sys.argv[3]), seed=5)  # default filters: shown once
"""


def test_a_childs_prints_and_warnings_reach_this_process_as_the_serial_loops_do(tmp_path, monkeypatch):
    import subprocess

    s_text = SCENARIO.replace("NAME", "fork_talker").replace(", min: 1.2", "")
    (tmp_path / "s.yaml").write_text(s_text)
    plugin = tmp_path / "fork_talker.py"
    plugin.write_text(textwrap.dedent("""
        import warnings
        from costsim.registry import model

        @model(outputs=("y_usd",))
        def fork_talker(*, a_usd):
            print("chunk of", len(a_usd))
            warnings.warn("a doubtful chunk", UserWarning)
            return {"y_usd": a_usd * 2}
    """))
    (tmp_path / "child.py").write_text(CHILD_SCRIPT)
    outs = {}
    for threads in ("1", "2"):
        env = {**os.environ, "COSTSIM_FORK": "1", "PYTHONUNBUFFERED": ""}
        env.pop("PYTHONUNBUFFERED")
        with open(tmp_path / f"out{threads}.txt", "w") as out:  # a file: block-buffered stdout
            done = subprocess.run([sys.executable, str(tmp_path / "child.py"), str(tmp_path / "s.yaml"), str(plugin),
                                   threads], stdout=out, stderr=subprocess.PIPE, text=True, timeout=300, env=env)
        assert done.returncode == 0, done.stderr
        outs[threads] = ((tmp_path / f"out{threads}.txt").read_text().count("chunk of"),
                         done.stderr.count("recorded 20"), done.stderr.count("UserWarning: a doubtful chunk"))
    # 20 chunks printed twice (two runs), 20 warnings recorded, and shown once under default filters
    assert outs["1"] == outs["2"] == (40, 1, 1)


def test_a_child_terminated_alone_is_a_model_error_naming_the_signal(tmp_path):
    import subprocess

    (tmp_path / "s.yaml").write_text(SCENARIO.replace("NAME", "fork_termed").replace(", min: 1.2", "")
                                     .replace("stop: 2026", "stop: 2100"))  # 76 years: many default chunks
    plugin = tmp_path / "fork_termed.py"
    plugin.write_text(textwrap.dedent(f"""
        import os, signal
        from costsim.registry import model

        @model(outputs=("y_usd",))
        def fork_termed(*, a_usd):
            if os.getpid() != int(os.environ["PARENT_PID"]):
                os.kill(os.getpid(), signal.SIGTERM)
            return {{"y_usd": a_usd * 2}}
    """))
    code = ("import os, sys; os.environ['PARENT_PID'] = str(os.getpid()); from costsim.cli import main; "
            "sys.exit(main(sys.argv[1:]))")
    done = subprocess.run([sys.executable, "-c", code, "run", str(tmp_path / "s.yaml"), "--plugin", str(plugin),
                           "-n", "40000", "-q"], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COSTSIM_FORK": "1", "COSTSIM_THREADS": "2"})
    # before: the child raised the command's own "terminated" in the parent: exit 143, nothing said
    assert done.returncode == 3, (done.returncode, done.stderr)
    assert "killed by signal 15" in done.stderr
