"""Layering: a module imports only modules of lower layers, with absolute imports.

The order below is the one the code actually follows (STYLE.md's list, extended with the modules
added since): ``calibration`` sits below ``scenario`` because a scenario's ``fit:`` parameters
use it, and ``formulas``/``plugins`` sit just above ``registry``, whose specs they build.

Two upward imports are allowed, and only inside a function (so importing the lower module never
imports the upper one):

- ``registry -> models``: ``load_builtin_models()`` imports the built-in families, which
  register themselves;
- ``engine -> parallel``: ``run(workers=..., scheduler=...)`` hands its chunks to ``parallel``,
  which itself builds on the engine.
"""

import ast
import pathlib

LAYERS = ["errors", "units", "progress", "distributions", "registry", "formulas", "plugins", "models", "yamlio",
          "graph", "calibration", "bundled", "scenario", "schema", "sampling", "frames", "results", "store",
          "engine", "parallel", "sensitivity", "ledger", "sweep", "diff", "inline", "plots", "report", "testing",
          "commands", "cli"]
RANK = {name: i for i, name in enumerate(LAYERS)}
LAZY_UPWARD_ALLOWED = {("registry", "models"), ("engine", "parallel")}
PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "costsim"


def _layer(path: pathlib.Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imports(tree: ast.AST):
    """(imported costsim module or '<relative import>', inside a function?) for every import."""

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.ImportFrom):
                if child.level:
                    yield "<relative import>", inner
                elif child.module == "costsim":
                    yield from ((a.name, inner) for a in child.names)
                elif child.module and child.module.startswith("costsim."):
                    yield child.module.split(".")[1], inner
            elif isinstance(child, ast.Import):
                yield from ((a.name.split(".")[1], inner) for a in child.names if a.name.startswith("costsim."))
            yield from visit(child, inner)

    yield from visit(tree, False)


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__init__.py" and path.parent == PACKAGE:
            continue  # the package itself holds only the version
        yield path, _layer(path), ast.parse(path.read_text(encoding="utf-8"))


def test_every_module_has_a_layer():
    unknown = sorted({layer for _, layer, _ in _modules()} - set(RANK))
    assert not unknown, f"add these to LAYERS in tests/test_layering.py: {unknown}"


def test_imports_only_point_downstream():
    wrong = []
    for path, layer, tree in _modules():
        for imported, lazy in _imports(tree):
            if imported == "<relative import>":
                wrong.append(f"{path.relative_to(PACKAGE.parent)}: a relative import")
            elif imported in RANK and RANK[imported] > RANK[layer]:
                if lazy and (layer, imported) in LAZY_UPWARD_ALLOWED:
                    continue
                wrong.append(f"{path.relative_to(PACKAGE.parent)}: imports {imported} "
                             f"({'inside a function' if lazy else 'at module level'}), a higher layer than {layer}")
    assert not wrong, "\n".join(wrong)


def test_only_plots_import_matplotlib_at_module_level():
    wrong = []
    for path, layer, tree in _modules():
        if layer == "plots":
            continue
        for node in tree.body:
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(n.split(".")[0] == "matplotlib" for n in names):
                wrong.append(str(path.relative_to(PACKAGE.parent)))
    assert not wrong, f"matplotlib imported at module level outside costsim/plots: {wrong}"
