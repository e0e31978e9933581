"""Load users' own ``@model`` functions: plugin files and installed ``costsim.models`` packages.

A scenario file never runs code by itself. Python models come only from

* a plugin file named on the command line (``costsim run --plugin my_models.py``) or passed to
  :func:`load_plugin` in the API, or
* an installed package that declares an entry point in the ``costsim.models`` group, loaded by
  :func:`load_entry_point_models`::

      [project.entry-points."costsim.models"]
      my_models = "my_costsim_models.models"     # a module; importing it registers its models

Every model loaded this way records where it came from in ``ModelSpec.origin``
(``plugin:<path as given>`` or ``entry-point:<distribution>``), which ``costsim models`` shows.
Loading is all-or-nothing: if the file raises, the models it registered before failing are removed
again. Loading the same file or entry point twice returns the same names without running it again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import importlib.util
import sys
import traceback
from pathlib import Path

from costsim.errors import PluginError, RegistryError
from costsim.registry import MODELS

ENTRY_POINT_GROUP = "costsim.models"

_LOADED_FILES: dict[Path, list[str]] = {}  # resolved path -> model names it registered
_LOADED_ENTRY_POINTS: dict[tuple[str, str], list[str]] = {}  # (name, value) -> model names


def _line_in(exc: BaseException, filename: str) -> int | None:
    """The last line of ``filename`` in the exception's traceback (where the plugin failed)."""
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        return exc.lineno
    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__)
             if frame.filename == filename]
    return lines[-1] if lines else None


def _run_registering(run, origin: str, label: str, filename: str | None) -> list[str]:
    """Run ``run()`` (an import); return the models it registered, stamped with ``origin``."""
    # the built-in models first: a plugin reusing a built-in name is then refused at its own line
    # (loaded later, the built-ins were refused instead: "'x' is already defined in plugin:...")
    from costsim.registry import load_builtin_models

    load_builtin_models()
    before = {name: spec for name, spec in MODELS.items()}
    try:
        run()
    except BaseException as exc:
        for name in [n for n in MODELS if before.get(n) is not MODELS[n]]:  # roll back
            if name in before:
                MODELS[name] = before[name]
            else:
                del MODELS[name]
        if not isinstance(exc, (Exception, SystemExit)):
            raise  # KeyboardInterrupt (Ctrl-C, SIGTERM): not the plugin's error to report
        line = _line_in(exc, filename) if filename else None
        where = f"{label}:{line}" if line else label
        if isinstance(exc, SystemExit):
            # a script's sys.exit() or argparse at import: costsim ended with its code (0: success) and no word
            problem = (f"plugin called sys.exit({exc.code!r}) while loading; expected a module that only defines "
                       "models (put script code under if __name__ == '__main__':)")
        elif isinstance(exc, RegistryError):
            problem = f"plugin model is declared wrongly: {exc}"
        elif isinstance(exc, SyntaxError):
            problem = f"plugin has a syntax error: {exc.msg}"
        else:
            problem = f"plugin raised {type(exc).__name__} while loading: {exc}"
        raise PluginError(f"{where}: {problem}") from exc
    added = [name for name, spec in MODELS.items() if before.get(name) is not spec]
    for name in added:
        MODELS[name] = dataclasses.replace(MODELS[name], origin=origin)
    return added


def load_plugin(path: str | Path) -> list[str]:
    """Import a Python file of ``@model`` functions and return the names it registered.

    Parameters
    ----------
    path : str or Path
        A ``.py`` file. Its models get ``origin = "plugin:<path>"`` (the path as given).

    Returns
    -------
    list of str
        Names of the models the file registered, in registration order.

    Raises
    ------
    PluginError
        The file is missing or not ``.py``, raises while importing (message: file, line, the
        exception), declares a model wrongly, or registers no model at all.
    """
    label = str(path)
    file = Path(path)
    if not file.is_file():
        raise PluginError(f"{label}: plugin file not found; expected an existing .py file")
    if file.suffix != ".py":
        raise PluginError(f"{label}: plugin is not a Python file; expected a path ending in .py, "
                          f"got {file.name!r}")
    resolved = file.resolve()
    if resolved in _LOADED_FILES:
        return list(_LOADED_FILES[resolved])
    # a unique module name per file, so two plugins called models.py do not collide
    digest = hashlib.sha1(str(resolved).encode()).hexdigest()[:10]
    module_name = f"costsim_plugin_{''.join(c if c.isalnum() else '_' for c in file.stem)}_{digest}"
    spec = importlib.util.spec_from_file_location(module_name, resolved)
    if spec is None or spec.loader is None:
        raise PluginError(f"{label}: plugin cannot be imported; expected a Python source file")
    module = importlib.util.module_from_spec(spec)

    def run():
        sys.modules[module_name] = module  # dataclasses and pickling look modules up here
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(module_name, None)
            raise

    names = _run_registering(run, f"plugin:{label}", label, str(resolved))
    if not names:
        sys.modules.pop(module_name, None)
        raise PluginError(f"{label}: plugin registers no models; expected at least one function "
                          "decorated with @costsim.registry.model")
    _LOADED_FILES[resolved] = names
    return list(names)


def load_entry_point_models() -> list[str]:
    """Import every installed ``costsim.models`` entry point; return the model names registered.

    Each entry point names a module (``"pkg.models"``) whose import registers models; they get
    ``origin = "entry-point:<distribution name>"``.

    Raises
    ------
    PluginError
        An entry point fails to import (message names the entry point and its distribution).
    """
    names: list[str] = []
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        key = (ep.name, ep.value)
        if key not in _LOADED_ENTRY_POINTS:
            dist = ep.dist.name if ep.dist is not None else ep.name
            label = f"entry point {ep.name!r} = {ep.value!r} (from {dist})"
            _LOADED_ENTRY_POINTS[key] = _run_registering(
                ep.load, f"entry-point:{dist}", label, None)
        names.extend(_LOADED_ENTRY_POINTS[key])
    return names

