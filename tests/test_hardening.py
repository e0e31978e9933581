"""Hostile and broken input, interruptions, provenance: nothing executes, nothing is lost.

The interruption tests start real ``costsim run -o DIR --force`` processes against an existing
results folder and signal them at a known point of the write: a write observer
(``costsim.store.observe_writes``, a public seam) sends the signal when ``samples.npz`` starts.
"""

import contextlib
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from costsim import engine, store, yamlio
from costsim.cli import main
from costsim.engine import rerun, run, save_results
from costsim.errors import OutputError, ScenarioError
from costsim.results import Results
from costsim.scenario import load_scenario, scenario_from_text

LAUGHS = "".join(
    [f"lol0: &l0 [{', '.join(['lol'] * 9)}]\n"]
    + [f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10)]
)  # 9**10 = 3.5e9 strings once expanded


def _error(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        scenario_from_text(text, "s.yaml")
    return info.value


# ----------------------------------------------------------------------------- loader safety
def _cpu_and_peak(fn):
    """(result, CPU seconds of this process, peak traced bytes) of ``fn()``: measures that do not
    grow when other processes load the machine (wall-clock bounds did, and flaked under CI load)."""
    import tracemalloc

    tracemalloc.start()
    t0 = time.process_time()
    try:
        out = fn()
    finally:
        cpu = time.process_time() - t0
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return out, cpu, peak


def test_billion_laughs_is_refused_in_under_a_second():
    # CPU time and traced memory, not wall time: expanding the 3.5e9 strings takes minutes of CPU
    # and gigabytes, so either bound fails on a loader that expands first
    err, cpu, peak = _cpu_and_peak(lambda: _error(LAUGHS))
    assert cpu < 1.0 and peak < 64 * 2**20
    assert str(err) == "s.yaml:6: refused: expands to more than 200,000 values (alias bomb?)"


def test_billion_laughs_file_via_the_cli(tmp_path, capsys):
    path = tmp_path / "lol.yaml"
    path.write_text(LAUGHS)
    code, cpu, peak = _cpu_and_peak(lambda: main(["run", str(path)]))
    assert code == 2
    assert cpu < 1.0 and peak < 64 * 2**20
    assert "alias bomb" in capsys.readouterr().err


def test_python_object_apply_is_refused_and_never_runs(tmp_path, capsys):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.yaml"
    path.write_text(f"years: {{start: 2025, stop: 2026}}\n"
                    f"name: !!python/object/apply:os.system ['touch {marker}']\n")
    assert main(["run", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"{path}:2: tag refused: a scenario is plain data; expected no tags (plain mappings, lists, numbers, text), "
        f"got 'tag:yaml.org,2002:python/object/apply:os.system' (str). costsim never constructs objects or runs "
        "code from a file.\n")
    assert not marker.exists()


@pytest.mark.parametrize("payload", [
    "!!python/object/new:os.system [true]", "!!python/name:os.system", "!!python/module:os",
    "!!python/object:__main__.X {}", "!<tag:yaml.org,2002:python/object/apply:os.system> [true]",
])
def test_every_python_tag_is_refused(payload):
    assert "tag refused: a scenario is plain data" in str(_error(f"name: {payload}\n"))


def test_non_utf8_and_binary_files(tmp_path):
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("years: {start: 2025, stop: 2026}\ndescription: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(latin)
    assert str(info.value) == (f"{latin}:2: file is not valid UTF-8; expected UTF-8 text, got 'byte 0xe9 at offset 49' "
                               "(str). Save the file as UTF-8.")
    binary = tmp_path / "model.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ScenarioError) as info:
        load_scenario(binary)
    assert str(info.value) == \
        f"{binary}:1: binary data, not a YAML text file; expected UTF-8 text, got 'a NUL byte' (str)"


def test_oversized_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as fh:
        fh.truncate(yamlio.MAX_BYTES + 1)  # sparse: costs nothing to make
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == f"{path}: file is too large; expected at most 2,000,000 bytes, got 2000001"
    # "before reading": a sparse 1 TiB file, which a loader that reads first could neither read in
    # a CPU-second nor hold in 64 MiB (2 MB were read in milliseconds: the old 0.5 s wall bound
    # could not tell, and it could flake under load)
    tera = tmp_path / "tera.yaml"
    with open(tera, "wb") as fh:
        fh.truncate(2**40)

    def load_tera():
        with pytest.raises(ScenarioError) as info:
            load_scenario(tera)
        return info

    info, cpu, peak = _cpu_and_peak(load_tera)
    assert str(info.value) == f"{tera}: file is too large; expected at most 2,000,000 bytes, got {2**40}"
    assert cpu < 0.5 and peak < 64 * 2**20


def test_extends_cycle_named_and_chain_bounded(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    with pytest.raises(ScenarioError, match=r"b\.yaml:1: extends: extends cycle: a\.yaml -> b\.yaml -> a\.yaml; "):
        load_scenario(tmp_path / "a.yaml")
    for i in range(30):
        (tmp_path / f"c{i}.yaml").write_text(f"extends: c{i + 1}.yaml\n")
    with pytest.raises(ScenarioError, match=r"c10\.yaml:1: extends: extends chain too long; expected at most 10 files"):
        load_scenario(tmp_path / "c0.yaml")


def test_extends_to_a_device_or_fifo_does_not_hang(tmp_path):
    # each load in a child process with a pipe for stdin that never ends: a loader that blocks on
    # the FIFO or reads /dev/zero forever is killed at the timeout and fails the test (a wall bound
    # of 1 s in this process could neither interrupt a hang nor stay true under load)
    os.mkfifo(tmp_path / "pipe.yaml")
    code = ("import sys\nfrom costsim.errors import ScenarioError\nfrom costsim.scenario import load_scenario\n"
            "try:\n    load_scenario(sys.argv[1])\nexcept ScenarioError as e:\n    print(e)\n    sys.exit(2)\n")
    for target in ("/dev/zero", "/dev/stdin", "pipe.yaml"):
        (tmp_path / "x.yaml").write_text(f"extends: {target}\n")
        with subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "x.yaml")], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=Path(__file__).parents[1]) as proc:
            try:
                out, err = proc.communicate(timeout=30)  # never closing stdin
            except subprocess.TimeoutExpired:
                proc.kill()
                pytest.fail(f"extends: {target} hangs")
        assert proc.returncode == 2, err
        assert "extends: " in out, out


# ----------------------------------------------------------------------------- numeric safety
def test_nan_and_inf_are_refused_wherever_a_number_goes():
    err = _error("years: {start: 2025, stop: 2027}\nparams:\n  a_x: .nan\n"
                 "  b_x: {dist: uniform, low: .nan, high: .inf}\n"
                 "  c_x: {dist: uniform, low: 0, high: 1, min: .nan, max: -.inf}\n"
                 "  d_x_per_year: {dist: uniform, low: 0.5, high: 1}\n  e_x: {dist: normal, mean: 0, sd: 1}\n"
                 "correlations:\n  - [d_x_per_year, e_x, .nan]\nmodels:\n  - use: decline_algorithmic_efficiency\n"
                 "    bind: {base_year: .nan, cost_decline_x_per_year: .inf, hardware_gain_x_per_year: d_x_per_year}\n"
                 'formulas:\n  f_x: "d_x_per_year * 2"\nchecks:\n  - {claim: c, output: f_x, above: .nan}\n'
                 "  - {claim: c, output: f_x, probability_of: {above: .inf}, between: [0, 1]}\n")
    finite = "must be a number; expected a finite number (write 5e25 or 5.0e+25), got"
    assert str(err) == (
        "10 problems in s.yaml:\n"
        f"s.yaml:3: params.a_x: {finite} nan\n"
        f"s.yaml:4: params.b_x.high: {finite} inf\n"
        f"s.yaml:4: params.b_x.low: {finite} nan\n"
        f"s.yaml:5: params.c_x.max: {finite} -inf\n"
        f"s.yaml:5: params.c_x.min: {finite} nan\n"
        f"s.yaml:9: correlations[0]: {finite} nan\n"
        f"s.yaml:12: models[0].bind.base_year: {finite} nan\n"
        f"s.yaml:12: models[0].bind.cost_decline_x_per_year: {finite} inf\n"
        f"s.yaml:16: checks[0].above: {finite} nan\n"
        f"s.yaml:17: checks[1].probability_of.above: {finite} inf")


def test_overflowing_model_outputs_are_a_model_error_not_inf_results(tiny_scenario_text):
    text = tiny_scenario_text.replace("base_flop_per_usd: 2.5e+17", "base_flop_per_usd: 1e300")
    with pytest.raises(engine.ModelError) as info:
        run(scenario_from_text(text, "big.yaml"), n=100, seed=1)
    assert str(info.value).startswith("models[0] (budget_physical_flop) -> physical_flop: ")
    assert "values are not finite (first: sample " in str(info.value) and "base_flop_per_usd=1e+300" in str(info.value)


def test_constants_follow_ieee_arithmetic_in_models(tmp_path):
    # both inputs constant: a model computing a / b divides two floats (decline_algorithmic_efficiency,
    # the model this used, now declares hardware_gain_x_per_year > 0, so a model without a domain does it)
    plugin = tmp_path / "ieee_models.py"
    plugin.write_text("import numpy as np\nfrom costsim.registry import model\n\n\n"
                      "@model(outputs=('ieee_ratio_x',))\ndef ieee_ratio(*, year, base_year, top_x, bottom_x):\n"
                      "    return {'ieee_ratio_x': (top_x / bottom_x) * (year - base_year + 1) * 0}\n")
    text = ("years: {start: 2025, stop: 2028}\nparams:\n  top_x: 1.0\n"
            "  bottom_x: -0.0\nmodels:\n- use: ieee_ratio\n"
            "  bind: {base_year: 2025}\n")
    with pytest.raises(engine.ModelError) as info:
        run(scenario_from_text(text, "z.yaml", plugins=[plugin]), n=8)
    assert info.value.__cause__ is None  # reported as non-finite values, not a ZeroDivisionError
    assert str(info.value).startswith("models[0] (ieee_ratio) -> ieee_ratio_x: "
                                      "4 of 32 values are not finite (first: sample 0, year 2025, value nan)")


def test_huge_but_finite_outputs_summarize_without_overflow(tiny_scenario_text):
    text = tiny_scenario_text.replace("base_flop_per_usd: 2.5e+17", "base_flop_per_usd: 1e280")
    text = text.replace("high: 5e8}", "high: 5e8}\n  # budget up to 5e8, flop/usd 1e280: outputs near 1e300")
    with np.errstate(all="raise"):
        res = run(scenario_from_text(text.replace("stop: 2028", "stop: 2025"), "big.yaml"), n=200, seed=1)
        csv = res.summary_csv()
    assert "inf" not in csv and "nan" not in csv


def test_memory_refusal_before_the_run_starts(tiny_scenario_file, monkeypatch, capsys):
    monkeypatch.setenv("COSTSIM_MAX_MEMORY_GB", "0.001")
    code, cpu, peak = _cpu_and_peak(lambda: main(["run", str(tiny_scenario_file), "-n", "100000000"]))
    assert code == 2
    assert cpu < 2.0 and peak < 64 * 2**20  # nothing was sampled (one parameter's draws: 800 MB)
    assert capsys.readouterr().err == (
        # without -o the run keeps only the 3 printed years of the 4 (issue 18: run(keep_years=...)) and no
        # draws (run(keep_params=()): drawn chunk by chunk, none kept)
        f"{tiny_scenario_file}: samples: the run would need about 6.8 GiB at its peak (kept outputs "
        "4.5 GiB, temporaries 2.3 GiB); expected at most about 1.0 MiB (set by COSTSIM_MAX_MEMORY_GB), got 100000000. "
        "Use fewer samples (-n 1,383 fits), keep fewer outputs (outputs:), or fewer years; or set "
        "COSTSIM_MAX_MEMORY_GB if you know better.\n")
    monkeypatch.setenv("COSTSIM_MAX_MEMORY_GB", "lots")
    assert main(["run", str(tiny_scenario_file), "-n", "10"]) == 2
    assert capsys.readouterr().err == \
        "environment: COSTSIM_MAX_MEMORY_GB: must be a positive number of GiB; expected e.g. 16, got 'lots' (str)\n"


def _limited_run(argv, limit_bytes, timeout=60):
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    env = {k: v for k, v in os.environ.items() if k != "COSTSIM_MAX_MEMORY_GB"}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "costsim.cli", *argv], capture_output=True, text=True,
                          preexec_fn=limit, env=env, timeout=timeout, cwd=Path(__file__).parents[1])
    return proc, time.perf_counter() - t0


def test_a_run_too_big_for_the_address_space_limit_is_refused_at_once(tmp_path):
    # issue 14.3: under `ulimit -v 8388608` (8 GiB) this passed the old check (kept arrays only, no
    # RLIMIT_AS) and died two minutes later with an _ArrayMemoryError traceback. Saved (-o), the run
    # keeps every year (without -o it keeps only the printed years, and fits since issue 18)
    proc, wall = _limited_run(["run", "scenarios/reference_r1.yaml", "-n", "100000000", "-o", str(tmp_path / "out")],
                              8 * 2**30)
    assert proc.returncode == 2, proc.stderr
    assert wall < 15.0  # nothing was drawn
    assert "Traceback" not in proc.stderr
    err = proc.stderr
    assert err.startswith("scenarios/reference_r1.yaml: samples: the run would need about 13.5 GiB at its peak "
                          "(draws 3.0 GiB, kept outputs 8.2 GiB, temporaries 2.3 GiB); expected at most about "), err
    assert "GiB (left under the address-space limit (ulimit -v)), got 100000000. Use fewer samples (-n " in err
    fit = int(err.split("(-n ")[1].split(" fits")[0].replace(",", ""))
    assert 10_000_000 < fit < 100_000_000
    proc, _ = _limited_run(["run", "scenarios/reference_r1.yaml", "-n", str(fit // 8), "--quiet"], 8 * 2**30,
                           timeout=300)
    assert proc.returncode in (0, 1), proc.stderr  # what the message says fits does run


def test_the_memory_limits_are_read_from_rlimit_and_the_cgroup():
    from costsim import budget

    labels = [label for label, _ in budget.limits()]
    assert any("MemAvailable" in label for label in labels)
    assert budget.available()[1] > 0


# ----------------------------------------------------------------------------- nothing lost
def _tiny_results(text, n=20, seed=1):
    return run(scenario_from_text(text, "tiny.yaml"), n=n, seed=seed)


def test_existing_folder_needs_force(tmp_path, tiny_scenario_text):
    out = tmp_path / "out"
    save_results(_tiny_results(tiny_scenario_text), out)
    before = (out / "summary.csv").read_text()
    with pytest.raises(OutputError) as info:
        save_results(_tiny_results(tiny_scenario_text, seed=2), out)
    assert str(info.value) == (f"{out}: folder exists; expected a new folder, or --force to replace it (the old "
                               "results stay intact until the new ones are complete)")
    assert (out / "summary.csv").read_text() == before
    save_results(_tiny_results(tiny_scenario_text, seed=2), out, force=True)
    assert (out / "summary.csv").read_text() != before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary or old folder left


def test_force_never_replaces_a_folder_costsim_did_not_write(tmp_path, tiny_scenario_text):
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.tex").write_text("years of work")
    with pytest.raises(OutputError) as info:
        save_results(_tiny_results(tiny_scenario_text), mine, force=True)
    assert str(info.value) == (f"{mine}: folder exists and was not written by costsim; refusing to replace it even "
                               "with --force. Choose another -o folder.")
    assert (mine / "chapter1.tex").read_text() == "years of work"
    (mine / "manifest.json").write_text('{"not": "costsim"}')  # a manifest, but not ours
    with pytest.raises(OutputError, match="was not written by costsim"):
        save_results(_tiny_results(tiny_scenario_text), mine, force=True)
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(OutputError, match="exists and is not a folder"):
        save_results(_tiny_results(tiny_scenario_text), afile, force=True)
    empty = tmp_path / "empty"
    empty.mkdir()
    save_results(_tiny_results(tiny_scenario_text), empty, force=True)  # an empty folder holds nothing to lose
    assert Results.load(empty).n == 20


def test_the_cli_refuses_before_running(tmp_path, tiny_scenario_file, capsys):
    out = tmp_path / "out"
    assert main(["run", str(tiny_scenario_file), "-n", "10", "-o", str(out), "--quiet"]) == 0
    capsys.readouterr()
    # a run of 10^13 samples would be refused by the memory budget: the folder check came first
    code, cpu, peak = _cpu_and_peak(lambda: main(["run", str(tiny_scenario_file), "-n", str(10**13), "-o", str(out)]))
    assert code == 2
    assert cpu < 2.0 and peak < 64 * 2**20  # nothing ran
    err = capsys.readouterr().err
    assert "folder exists; expected a new folder, or --force" in err and "would need" not in err


def test_disk_full_is_reported_and_leaves_old_results(tmp_path, tiny_scenario_text):
    out = tmp_path / "out"
    save_results(_tiny_results(tiny_scenario_text), out)
    before = (out / "summary.csv").read_text()

    def full(stage, path):
        if stage == "samples.npz":
            Path(path).write_bytes(b"partial")
            raise OSError(errno.ENOSPC, "No space left on device")

    with store.observe_writes(full), pytest.raises(OutputError) as info:
        save_results(_tiny_results(tiny_scenario_text, seed=2), out, force=True)
    assert str(info.value) == f"{out}: disk full while writing; previous results (if any) are untouched"
    assert (out / "summary.csv").read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@contextlib.contextmanager
def _tiny_tmpfs(folder: Path, size: str = "64k"):
    folder.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)


def test_disk_full_on_a_real_tiny_file_system(tmp_path, tiny_scenario_file, capsys):
    with _tiny_tmpfs(tmp_path / "small") as disk:
        out = disk / "out"
        assert main(["run", str(tiny_scenario_file), "-n", "10", "-o", str(out), "--quiet"]) == 0
        before = (out / "summary.csv").read_text()
        assert main(["run", str(tiny_scenario_file), "-n", "20000", "-o", str(out), "--force", "--quiet"]) == 2
        assert capsys.readouterr().err == \
            f"error: {out}: disk full while writing; previous results (if any) are untouched\n"
        assert (out / "summary.csv").read_text() == before and Results.load(out).n == 10
        assert [p.name for p in disk.iterdir()] == ["out"]


def _write_scenario(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(text)
    return path


SIGNAL_AT = """
import os, signal, sys
from costsim import store
from costsim.cli import main

# Ctrl-C as a terminal delivers it: a test run started in the background (bash without job control)
# inherits SIGINT ignored, and then the signal would never arrive
signal.signal(signal.SIGINT, signal.default_int_handler)

def send(stage, path):
    if stage == sys.argv[2]:
        os.kill(os.getpid(), getattr(signal, sys.argv[1]))

with store.observe_writes(send):
    sys.exit(main(sys.argv[3:]))
"""


def _start(scenario: Path, out: Path, n: int, signal_name: str | None = None, at: str = "samples.npz"
           ) -> subprocess.Popen:
    """``costsim run ... -o out --force`` in a new process; it signals itself when the write reaches ``at``."""
    argv = ["run", str(scenario), "-n", str(n), "-o", str(out), "--force", "--quiet"]
    head = [sys.executable, "-m", "costsim.cli"] if signal_name is None else \
        [sys.executable, "-c", SIGNAL_AT, signal_name, at]
    return subprocess.Popen(head + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _assert_intact(out: Path, allowed_n: set[int]) -> int:
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "samples.npz", "summary.csv"]
    res = Results.load(out)
    assert res.n in allowed_n
    assert (out / "summary.csv").read_text() == res.summary_csv()  # the files belong together
    return res.n


N_OLD, N_NEW = 1000, 4000


@pytest.mark.parametrize("at", ["summary.csv", "samples.npz", "manifest.json", "swap"])
def test_kill_during_the_write_leaves_the_previous_results(tmp_path, tiny_scenario_text, at):
    scenario = _write_scenario(tmp_path, tiny_scenario_text)
    out = tmp_path / "out"
    save_results(run(load_scenario(scenario), n=N_OLD, seed=7), out)
    proc = _start(scenario, out, N_NEW, "SIGKILL", at)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    _assert_intact(out, {N_OLD})
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.tmp-")]  # the killed writer's
    # what the killed writers left behind goes with the next write to the same folder
    proc = _start(scenario, out, N_OLD)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert _assert_intact(out, {N_OLD}) == N_OLD
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("at", ["summary.csv", "samples.npz", "manifest.json", "swap"])
def test_ctrl_c_or_sigterm_during_the_write_exits_130_or_143_and_leaves_nothing_half_written(
        tmp_path, tiny_scenario_text, at, signal_name):
    # the signal arrives at a known stage of the write (an observer sends it), not after a delay
    scenario = _write_scenario(tmp_path, tiny_scenario_text)
    out = tmp_path / "out"
    save_results(run(load_scenario(scenario), n=N_OLD, seed=7), out)
    proc = _start(scenario, out, N_NEW, signal_name, at)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == {"SIGINT": 130, "SIGTERM": 143}[signal_name]
    assert "Traceback" not in stderr
    said = {"SIGINT": "interrupted", "SIGTERM": "terminated"}[signal_name]
    assert stderr.endswith(f"{said}; nothing half-written was left behind\n")
    _assert_intact(out, {N_OLD})
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_ctrl_c_in_process_cleans_up(tmp_path, tiny_scenario_text):
    out = tmp_path / "out"
    save_results(_tiny_results(tiny_scenario_text), out)
    before = (out / "summary.csv").read_text()

    def interrupted(stage, path):
        if stage == "samples.npz":
            Path(path).write_bytes(b"half")
            raise KeyboardInterrupt

    with store.observe_writes(interrupted), pytest.raises(KeyboardInterrupt):
        save_results(_tiny_results(tiny_scenario_text, seed=2), out, force=True)
    assert (out / "summary.csv").read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_stale_temporary_folders_of_dead_writers_are_removed(tmp_path, tiny_scenario_text):
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(proc.stdout)
    stale = tmp_path / f".out.tmp-{dead}-abc123"
    stale.mkdir()
    (stale / "samples.npz").write_bytes(b"half")
    alive = tmp_path / f".out.tmp-{os.getpid()}-xyz789"  # a writer still at work: left alone
    alive.mkdir()
    save_results(_tiny_results(tiny_scenario_text), tmp_path / "out")
    assert not stale.exists() and alive.exists()


def test_results_of_a_writer_killed_between_two_renames_are_put_back(tmp_path, tiny_scenario_text):
    # where the atomic exchange is missing, the swap takes two renames; a kill between them
    # leaves the old results in .out.old-<pid>-*: the next write restores them first
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    old = tmp_path / f".out.old-{int(proc.stdout)}-abc123"
    save_results(_tiny_results(tiny_scenario_text), old)
    with pytest.raises(OutputError, match="folder exists"):
        save_results(_tiny_results(tiny_scenario_text, seed=2), tmp_path / "out")
    assert Results.load(tmp_path / "out").n == 20 and not old.exists()


def test_results_folders_get_the_usual_permissions(tmp_path, tiny_scenario_text):
    out = save_results(_tiny_results(tiny_scenario_text), tmp_path / "out")
    mask = os.umask(0o022)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~mask


def test_atomic_swap_falls_back_to_two_renames(tmp_path, tiny_scenario_text):
    out = tmp_path / "out"
    save_results(_tiny_results(tiny_scenario_text), out)
    save_results(_tiny_results(tiny_scenario_text, n=30), out, force=True, swap="rename")
    assert Results.load(out).n == 30 and [p.name for p in tmp_path.iterdir()] == ["out"]


# ----------------------------------------------------------------------------- provenance
def test_manifest_records_how_the_results_were_made(tmp_path, tiny_scenario_text, capsys):
    (tmp_path / "base.yaml").write_text(tiny_scenario_text)
    child = tmp_path / "child.yaml"
    child.write_text("extends: base.yaml\nseed: 11\nsampling: lhs\n")
    out = tmp_path / "out"
    assert main(["run", str(child), "-n", "300", "--set", "params.base_flop_per_usd=3e17", "-o", str(out),
                 "--quiet"]) == 0
    meta = json.loads((out / "manifest.json").read_text())
    scenario = load_scenario(child, ["params.base_flop_per_usd=3e17"])
    assert meta["scenario_sha256"] == scenario.text_hash
    assert meta["files"] == [{"path": str(tmp_path / "base.yaml"), "text": tiny_scenario_text},
                             {"path": str(child), "text": child.read_text()}]
    assert meta["extends_chain"] == [str(tmp_path / "base.yaml"), str(child)]
    assert meta["overrides"] == ["params.base_flop_per_usd=3e17"]
    assert (meta["seed"], meta["n"], meta["design"]) == (11, 300, "lhs")
    assert set(meta["versions"]) >= {"costsim", "numpy", "scipy", "python"}
    assert time.strptime(meta["created_utc"], "%Y-%m-%dT%H:%M:%SZ")


def test_rerun_reproduces_summary_byte_for_byte(tmp_path, tiny_scenario_text, capsys):
    (tmp_path / "base.yaml").write_text(tiny_scenario_text)
    (tmp_path / "child.yaml").write_text("extends: base.yaml\nseed: 5\n")
    out = tmp_path / "out"
    assert main(["run", str(tmp_path / "child.yaml"), "-n", "500", "--set", "params.base_flop_per_usd=3e17",
                 "-o", str(out), "--quiet"]) == 0
    original = (out / "summary.csv").read_text()
    # the manifest holds the texts: editing or deleting the scenario files changes nothing
    (tmp_path / "base.yaml").write_text(tiny_scenario_text.replace("high: 8", "high: 80"))
    (tmp_path / "child.yaml").unlink()
    capsys.readouterr()
    assert main(["rerun", str(out), "-o", str(tmp_path / "again")]) == 0
    assert capsys.readouterr().out.startswith(f"rerun of {out}: n=500 seed=5: summary.csv identical, byte for byte\n")
    assert (tmp_path / "again" / "summary.csv").read_text() == original
    assert rerun(out).summary_csv() == original
    np.testing.assert_array_equal(Results.load(tmp_path / "again").outputs["effective_flop"],
                                  Results.load(out).outputs["effective_flop"])


def test_rerun_of_a_folder_without_manifest(tmp_path, capsys):
    assert main(["rerun", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{tmp_path}: manifest.json: cannot read the run's manifest; expected a results folder "
                          "written by costsim run -o, got ")


def test_atomic_write_of_single_files(tmp_path):
    target = tmp_path / "table.csv"
    store.atomic_write(target, lambda p: p.write_text("v1"))
    mask = os.umask(0o022)
    os.umask(mask)
    assert target.read_text() == "v1" and target.stat().st_mode & 0o777 == 0o666 & ~mask
    with pytest.raises(OutputError, match=r"table.csv: file exists; expected a new file name, or --force"):
        store.atomic_write(target, lambda p: p.write_text("v2"))

    def full(p):
        p.write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OutputError, match=r"table.csv: disk full while writing$"):
        store.atomic_write(target, full, force=True)

    def interrupted(p):
        p.write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store.atomic_write(target, interrupted, force=True)
    assert target.read_text() == "v1" and [p.name for p in tmp_path.iterdir()] == ["table.csv"]
    store.atomic_write(target, lambda p: p.write_text("v2"), force=True)
    assert target.read_text() == "v2"
    with pytest.raises(OutputError, match="cannot create the output folder or file"):
        store.atomic_write(target / "inside.csv", lambda p: p.write_text("x"))


PLUGIN = '''\
from costsim.registry import model


@model(outputs=("doubled_x",))
def hardening_doubled(*, base_x):
    """Twice the input."""
    return {"doubled_x": base_x * 2.0}
'''


def test_rerun_loads_plugin_code_only_when_asked(tmp_path, capsys):
    plugin = tmp_path / "double_plugin.py"
    plugin.write_text(PLUGIN)
    scenario = tmp_path / "s.yaml"
    scenario.write_text("years: {start: 2025, stop: 2026}\nparams:\n  base_x: {dist: uniform, low: 1, high: 2}\n"
                        "models:\n  - use: hardening_doubled\n")
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--plugin", str(plugin), "-n", "50", "-o", str(out), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["rerun", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"{out}: manifest.json: the run used plugin code, which costsim loads only when asked; expected --plugin for "
        f"each plugin file. Read the files, then: costsim rerun {out} --plugin {plugin}\n")
    assert main(["rerun", str(out), "--plugin", str(plugin)]) == 0
    assert "summary.csv identical, byte for byte" in capsys.readouterr().out


@pytest.mark.parametrize("damage", [
    lambda m: m.pop("n"), lambda m: m.update(files=[{"path": "x.yaml"}]), lambda m: m.update(seed=-1),
    lambda m: m.update(design="nope"), lambda m: m.update(extends_chain=[]), lambda m: m.update(files="x"),
])
def test_rerun_of_a_damaged_manifest_exits_2(tmp_path, tiny_scenario_file, capsys, damage):
    out = tmp_path / "out"
    assert main(["run", str(tiny_scenario_file), "-n", "20", "-o", str(out), "--quiet"]) == 0
    meta = json.loads((out / "manifest.json").read_text())
    damage(meta)
    (out / "manifest.json").write_text(json.dumps(meta))
    capsys.readouterr()
    assert main(["rerun", str(out)]) == 2
    assert capsys.readouterr().err.startswith(f"{out}: manifest.json: manifest is incomplete or damaged; expected a "
                                              "results folder written by costsim run -o, got ")
