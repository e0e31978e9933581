"""Plugin files and ``costsim.models`` entry points (issue 11)."""

import pickle
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import costsim.plugins as plugins
from costsim.errors import CostsimError, PluginError
from costsim.registry import MODELS

ROOT = Path(__file__).parents[1]

GOOD = '''
from costsim.registry import model


@model(outputs=("doubled_usd",))
def double_cost(*, cost_usd):
    """Twice a cost."""
    return {"doubled_usd": 2 * cost_usd}
'''


@pytest.fixture(autouse=True)
def clean_registry(monkeypatch):
    """Each test starts from the current registry and leaves it as it found it."""
    from costsim.registry import load_builtin_models

    load_builtin_models()  # loaded once per process: a test that loaded them first must not take them away
    saved = dict(MODELS)
    monkeypatch.setattr(plugins, "_LOADED_FILES", {})
    monkeypatch.setattr(plugins, "_LOADED_ENTRY_POINTS", {})
    modules = set(sys.modules)
    yield
    MODELS.clear()
    MODELS.update(saved)
    for name in set(sys.modules) - modules:
        if name.startswith(("costsim_plugin_", "demo_models")):
            del sys.modules[name]


def write(tmp_path, text, name="my_models.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_load_plugin_registers_with_origin(tmp_path):
    path = write(tmp_path, GOOD)
    assert plugins.load_plugin(str(path)) == ["double_cost"]
    spec = MODELS["double_cost"]
    assert spec.origin == f"plugin:{path}"
    assert spec.inputs == ("cost_usd",)
    np.testing.assert_array_equal(spec.func(cost_usd=np.ones((2, 1)))["doubled_usd"], [[2.0], [2.0]])


def test_loading_twice_runs_the_file_once(tmp_path):
    path = write(tmp_path, GOOD + "\nimport builtins\nbuiltins.costsim_test_runs = getattr(builtins, 'costsim_test_runs', 0) + 1\n")
    import builtins

    before = getattr(builtins, "costsim_test_runs", 0)
    assert plugins.load_plugin(path) == plugins.load_plugin(str(path)) == ["double_cost"]
    assert builtins.costsim_test_runs == before + 1
    del builtins.costsim_test_runs


def test_two_plugins_with_the_same_file_name_do_not_collide(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write(tmp_path / "a", GOOD, "models.py")
    second = write(tmp_path / "b", GOOD.replace("double_cost", "double_cost_again"), "models.py")
    assert plugins.load_plugin(first) == ["double_cost"]
    assert plugins.load_plugin(second) == ["double_cost_again"]


def test_missing_file(tmp_path):
    with pytest.raises(PluginError) as err:
        plugins.load_plugin("no_such_models.py")
    assert str(err.value) == "no_such_models.py: plugin file not found; expected an existing .py file"
    assert isinstance(err.value, ImportError) and isinstance(err.value, CostsimError)


def test_not_a_python_file(tmp_path):
    path = write(tmp_path, GOOD, "models.txt")
    with pytest.raises(PluginError) as err:
        plugins.load_plugin(path)
    assert str(err.value) == (f"{path}: plugin is not a Python file; expected a path ending in .py, "
                              "got 'models.txt'")


def test_exception_on_import_names_file_and_line(tmp_path):
    path = write(tmp_path, GOOD + "\n1 / 0\n")
    with pytest.raises(PluginError) as err:
        plugins.load_plugin(path)
    assert str(err.value) == f"{path}:10: plugin raised ZeroDivisionError while loading: division by zero"
    assert "double_cost" not in MODELS  # rolled back
    again = pickle.loads(pickle.dumps(err.value))
    assert str(again) == str(err.value)


def test_syntax_error(tmp_path):
    path = write(tmp_path, "def broken(:\n")
    with pytest.raises(PluginError) as err:
        plugins.load_plugin(path)
    assert str(err.value) == f"{path}:1: plugin has a syntax error: invalid syntax"


def test_badly_declared_model(tmp_path):
    path = write(tmp_path, GOOD.replace("*, cost_usd", "cost_usd"))
    with pytest.raises(PluginError) as err:
        plugins.load_plugin(path)
    assert str(err.value) == (
        f"{path}:5: plugin model is declared wrongly: model 'double_cost': every argument must be "
        "keyword-only; expected a signature starting with '*'")


def test_model_name_taken_by_another_source(tmp_path):
    first = write(tmp_path, GOOD, "one.py")
    second = write(tmp_path, GOOD, "two.py")
    plugins.load_plugin(first)
    with pytest.raises(PluginError, match=r"^.*two\.py:5: plugin model is declared wrongly: model "
                                          r"'double_cost' is already defined in plugin:.*one\.py"):
        plugins.load_plugin(second)
    assert MODELS["double_cost"].origin == f"plugin:{first}"


def test_plugin_without_models(tmp_path):
    path = write(tmp_path, "X = 1\n")
    with pytest.raises(PluginError) as err:
        plugins.load_plugin(path)
    assert str(err.value) == (f"{path}: plugin registers no models; expected at least one function "
                              "decorated with @costsim.registry.model")


def test_example_plugin_file_loads():
    assert plugins.load_plugin(ROOT / "examples" / "my_models.py") == ["capped_cluster_growth"]
    grow = MODELS["capped_cluster_growth"].func
    out = grow(year=np.arange(2025.0, 2030.0)[None, :], base_cluster_chips=np.array([[1.0], [2.0]]),
               cluster_growth_x_per_year=np.array([[2.0], [3.0]]), fab_capacity_chips=10.0)
    np.testing.assert_array_equal(out["cluster_chips"], [[1, 2, 4, 8, 10], [2, 6, 10, 10, 10]])


def fake_distribution(tmp_path, module_text, value="demo_models"):
    """An installed distribution 'demo-pkg' with a costsim.models entry point, on sys.path."""
    info = tmp_path / "demo_pkg-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-pkg\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[costsim.models]\ndemo = {value}\n")
    (tmp_path / "demo_models.py").write_text(textwrap.dedent(module_text))


def test_entry_point_models_register_with_distribution_origin(tmp_path, monkeypatch):
    fake_distribution(tmp_path, GOOD)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "double_cost" in plugins.load_entry_point_models()
    assert MODELS["double_cost"].origin == "entry-point:demo-pkg"
    assert "double_cost" in plugins.load_entry_point_models()  # idempotent


def test_entry_point_that_fails(tmp_path, monkeypatch):
    fake_distribution(tmp_path, GOOD + "\nraise RuntimeError('no licence')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError) as err:
        plugins.load_entry_point_models()
    assert str(err.value) == ("entry point 'demo' = 'demo_models' (from demo-pkg): plugin raised "
                              "RuntimeError while loading: no licence")
    assert "double_cost" not in MODELS


def test_example_package_declares_the_entry_point():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    meta = tomllib.loads((ROOT / "examples" / "plugin_package" / "pyproject.toml").read_text())
    target = meta["project"]["entry-points"]["costsim.models"]["example_models"]
    module = ROOT / "examples" / "plugin_package" / "src" / Path(*target.split("."))
    assert module.with_suffix(".py").is_file()
