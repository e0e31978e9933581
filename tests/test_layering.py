"""Layering: a module imports only modules of lower layers, with absolute imports; no import cycle.

The order below follows the data: errors and units, the model registry and models, the scenario
(reading, validation), sampling and results, then the run path (``kernel`` evaluates chunks,
``budget`` sizes a job, ``recipe`` rebuilds a scenario elsewhere, ``parallel`` chooses where work
runs, ``engine`` runs a scenario), analyses (sensitivity, sweep, diff), plots and the report,
and the command line. ``calibration`` sits below ``scenario`` because a scenario's ``fit:``
parameters use it, and ``formulas``/``plugins`` sit just above ``registry``, whose specs they build.

Packages listed in ``SUBLAYERS`` are ordered inside too: a module of ``models/`` may import only
lower layers (never the scenario), and a sibling only if it comes earlier in its package's list
(the package's ``__init__`` comes last: it re-exports its modules).

One upward import is allowed, and only inside a function (so importing the lower module never
imports the upper one): ``registry -> models``: ``load_builtin_models()`` imports the built-in
families, which register themselves.
"""

import ast
import pathlib
import subprocess
import sys
import textwrap

LAYERS = ["errors", "callers", "arrays", "cores", "units", "progress", "distributions", "registry", "formulas", "plugins",
          "models", "yamlio", "graph", "calibration", "bundled", "scenario", "schema", "sampling", "frames", "results",
          "store", "kernel", "budget", "recipe", "parallel", "engine", "sensitivity", "ledger", "sweep", "diff",
          "inline", "plots", "report", "testing", "commands", "cli"]
SUBLAYERS = {
    "models": ["reference", "cost_decline", "scaling_laws", "training", "hardware", "budgets", "inference",
               "race_limits", "compute_race", "__init__"],
    "scenario": ["claims", "policy", "sections", "reading", "spec", "validator", "__init__"],
    "sensitivity": ["common", "sobol_indices", "morris_screening", "one_at_a_time", "__init__"],
    "plots": ["style", "notebook", "checks", "fan", "race", "sobol", "sweep", "tornado", "calibration", "specs",
              "__init__"],
    "commands": ["__init__", "common", "fit", "backtest", "gap", "sensitivity", "sweep", "diff", "core", "plot",
                 "report", "watch", "claims", "init", "eval"],
}
RANK = {name: i for i, name in enumerate(LAYERS)}
LAZY_UPWARD_ALLOWED = {("registry", "models")}
PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "costsim"


def module_of(path: pathlib.Path, package: pathlib.Path = PACKAGE) -> tuple[str, str | None]:
    """(layer, sub-module or None) of a file: ``models/training.py`` -> ``("models", "training")``."""
    parts = path.relative_to(package).parts
    if len(parts) == 1:
        return parts[0].removesuffix(".py"), None
    return parts[0], parts[1].removesuffix(".py")


def _target(module: str, names, package: pathlib.Path):
    """(layer, sub-module or None) of each costsim module an import statement reaches."""
    parts = module.split(".")[1:]
    if not parts:  # from costsim import x
        yield from ((n, None) for n in names)
        return
    layer = parts[0]
    if len(parts) > 1:
        yield layer, parts[1]
    elif (package / layer).is_dir():  # from costsim.plots import x: a sub-module or the package's __init__
        for n in names:
            yield layer, n if (package / layer / f"{n}.py").is_file() else "__init__"
    else:
        yield layer, None


def imports(tree: ast.AST, package: pathlib.Path = PACKAGE):
    """((layer, sub) or '<relative import>', inside a function?) for every costsim import."""

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.ImportFrom):
                if child.level:
                    yield "<relative import>", inner
                elif child.module and (child.module == "costsim" or child.module.startswith("costsim.")):
                    yield from ((t, inner) for t in _target(child.module, [a.name for a in child.names], package))
            elif isinstance(child, ast.Import):
                for a in child.names:
                    if a.name.startswith("costsim."):
                        yield from ((t, inner) for t in _target(a.name, [], package))
            yield from visit(child, inner)

    yield from visit(tree, False)


def wrong_imports(where: tuple[str, str | None], tree: ast.AST, label: str,
                  package: pathlib.Path = PACKAGE) -> list[str]:
    """Every import of ``tree`` (the module ``where``) that points up a layer or sub-layer."""
    layer, sub = where
    wrong = []
    for target, lazy in imports(tree, package):
        if target == "<relative import>":
            wrong.append(f"{label}: a relative import")
            continue
        t_layer, t_sub = target
        if t_layer != layer:
            if t_layer in RANK and RANK[t_layer] > RANK[layer]:
                if lazy and (layer, t_layer) in LAZY_UPWARD_ALLOWED:
                    continue
                wrong.append(f"{label}: imports {t_layer} ({'inside a function' if lazy else 'at module level'}), "
                             f"a higher layer than {layer}")
        elif layer in SUBLAYERS and sub is not None and t_sub is not None and t_sub != sub:
            order = SUBLAYERS[layer]
            if t_sub in order and sub in order and order.index(t_sub) > order.index(sub):
                wrong.append(f"{label}: imports {layer}.{t_sub}, a higher sub-layer than {layer}.{sub}")
    return wrong


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__init__.py" and path.parent == PACKAGE:
            continue  # the package itself holds only the version
        yield path, module_of(path), ast.parse(path.read_text(encoding="utf-8"))


def test_every_module_has_a_layer():
    unknown = sorted({layer for _, (layer, _), _ in _modules()} - set(RANK))
    assert not unknown, f"add these to LAYERS in tests/test_layering.py: {unknown}"
    unordered = sorted(f"{layer}.{sub}" for _, (layer, sub), _ in _modules()
                       if layer in SUBLAYERS and sub not in SUBLAYERS[layer])
    assert not unordered, f"add these to SUBLAYERS in tests/test_layering.py: {unordered}"


def test_imports_only_point_downstream():
    wrong = []
    for path, where, tree in _modules():
        wrong += wrong_imports(where, tree, str(path.relative_to(PACKAGE.parent)))
    assert not wrong, "\n".join(wrong)


def test_the_checker_sees_sub_layers(tmp_path):
    # a model module importing scenario code, a plot style importing a plot, a command's helpers
    # importing a command: each must fail, however the import is spelled
    pkg = tmp_path / "costsim"
    for sub in ("models", "plots", "commands"):
        (pkg / sub).mkdir(parents=True)
    (pkg / "plots" / "fan.py").write_text("")
    cases = {
        ("models", "training"): ["from costsim.scenario import load_scenario", "import costsim.scenario",
                                 "from costsim import scenario", "def f():\n    from costsim.engine import run"],
        ("plots", "style"): ["from costsim.plots.fan import fan", "from costsim.plots import fan"],
        ("commands", "common"): ["from costsim.commands.core import cmd_run"],
    }
    for where, sources in cases.items():
        for source in sources:
            assert wrong_imports(where, ast.parse(source), "x", pkg), f"{where}: {source!r} passed"
    fine = {("models", "training"): "from costsim.units import SECONDS_PER_YEAR\nfrom costsim.registry import model",
            ("plots", "fan"): "from costsim.plots.style import new_axes\nfrom costsim.results import Results",
            ("commands", "core"): "from costsim.commands.common import fmt\nfrom costsim.engine import run"}
    for where, source in fine.items():
        assert wrong_imports(where, ast.parse(source), "x", pkg) == []


def test_every_module_imports_first_in_a_fresh_interpreter():
    # an import cycle shows only when a module of the cycle is imported first: import each one
    # first, with every costsim module forgotten before it (numpy and friends stay loaded)
    script = textwrap.dedent("""
        import importlib, pkgutil, sys, traceback
        import costsim
        names = sorted(m.name for m in pkgutil.walk_packages(costsim.__path__, "costsim."))
        failed = []
        for name in names:
            for loaded in [m for m in sys.modules if m == "costsim" or m.startswith("costsim.")]:
                del sys.modules[loaded]
            try:
                importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if (exc.name or "").split(".")[0] == "costsim":
                    failed.append(name + ": " + traceback.format_exc(limit=-3))
                # else: an optional extra that is not installed here, not a cycle
            except Exception:
                failed.append(name + ": " + traceback.format_exc(limit=-3))
        print(len(names))
        print("\\n".join(failed))
        sys.exit(1 if failed else 0)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert int(proc.stdout.split()[0]) >= len(list(_modules()))


def test_a_serial_run_does_not_import_the_executors():
    code = ("import sys; from costsim.engine import run; run('scenarios/reference_r1.yaml', n=100); "
            "print(sorted(m for m in ('costsim.parallel', 'scipy.special', 'scipy.stats') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=PACKAGE.parent)
    assert proc.returncode == 0, proc.stderr
    assert "costsim.parallel" not in proc.stdout


def test_only_plots_import_matplotlib_at_module_level():
    wrong = []
    for path, (layer, _), tree in _modules():
        if layer == "plots":
            continue
        for node in tree.body:
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(n.split(".")[0] == "matplotlib" for n in names):
                wrong.append(str(path.relative_to(PACKAGE.parent)))
    assert not wrong, f"matplotlib imported at module level outside costsim/plots: {wrong}"
