"""Recipes: everything needed to rebuild a Scenario elsewhere (a worker process, a rerun).

A recipe carries the text of every file of the scenario's ``extends`` chain, the ``--set``
overrides, the source name and the plugin files (``Scenario.plugins``), never the Scenario
itself: formula models hold closures that do not pickle. :func:`build` rebuilds the Scenario,
once per process (parsed files and built scenarios are cached), and ``costsim rerun`` rebuilds a
saved run the same way from its manifest.
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from costsim.errors import Issue, ScenarioError
from costsim.scenario import Scenario


@dataclass(frozen=True)
class Recipe:
    """Everything needed to rebuild a Scenario in another process (hashable, picklable).

    ``texts`` are ``(path, text)`` of the extends chain (top file last), ``root`` the directory
    relative paths were given from, ``plugins`` absolute paths of plugin files to load first.
    """

    texts: tuple[tuple[str, str], ...]
    overrides: tuple[str, ...]
    source: str
    root: str
    plugins: tuple[str, ...] = ()

    def with_overrides(self, extra: Iterable[str]) -> Recipe:
        """The same recipe with more ``--set`` overrides applied after the existing ones."""
        return Recipe(self.texts, (*self.overrides, *extra), self.source, self.root, self.plugins)


def recipe_of(scenario: Scenario) -> Recipe:
    """The recipe of a Scenario built from files or text (``load_scenario``, ``scenario_from_text``)."""
    if not scenario.texts:
        raise ScenarioError(scenario.source, [Issue(
            "", "this scenario has no stored file text, so it cannot be rebuilt in another process",
            "a scenario from load_scenario() or scenario_from_text()", None,
            hint="Run it without workers/scheduler, or load it from a file.")])
    return Recipe(tuple((str(p), str(t)) for p, t in scenario.texts), tuple(scenario.overrides),
                  scenario.source, os.getcwd(), scenario.plugins)


def _norm(root: str, path: str) -> str:
    return os.path.normpath(os.path.join(root, path))


@functools.lru_cache(maxsize=8)
def _parsed(texts: tuple[tuple[str, str], ...], source: str, root: str):
    """Parse (YAML) and merge the extends chain once per process: ``(data, lines, texts, top)``."""
    from costsim import scenario as scenario_module

    files = {_norm(root, p): t for p, t in texts}
    top = Path(_norm(root, texts[-1][0]))

    def reader(p: Path) -> str:
        return files[os.path.normpath(str(p))]

    # The YAML parse is ~95% of loading a scenario; a sweep re-validates one parse per point.
    data, lines, chain = scenario_module.load_raw(top, reader, source)
    return data, lines, tuple(chain), top


@functools.lru_cache(maxsize=64)
def build(recipe: Recipe) -> Scenario:
    """Rebuild (and cache, per process) the Scenario of a recipe: parse, override, validate."""
    from costsim.scenario import apply_override, validate

    data0, lines, texts, top = _parsed(recipe.texts, recipe.source, recipe.root)
    data = copy.deepcopy(data0)  # validation expands policy presets in place
    issues: list[Issue] = []
    for assignment in recipe.overrides:
        issues.extend(apply_override(data, assignment))
    if issues:
        raise ScenarioError(recipe.source, issues)
    return validate(data, lines, recipe.source, top.parent, texts, tuple(recipe.overrides), recipe.plugins)


def build_in_worker(recipe: Recipe) -> Scenario:
    """:func:`build` without re-showing the scenario's CostsimWarnings (the parent has shown them)."""
    import warnings

    from costsim.errors import CostsimWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CostsimWarning)
        return build(recipe)


