"""Where scenarios are found: a local ``scenarios/`` folder first, else the copy shipped with costsim.

The repository's ``scenarios/*.yaml`` are packaged into the wheel as ``costsim/scenarios/``
(see setup.py), so an installed costsim runs them from any folder::

    costsim run reference_r1          # ./scenarios/reference_r1.yaml if it exists, else the bundled one
    costsim report                    # every ./scenarios/*.yaml, else every bundled scenario

A local folder always wins, so a checkout (or a folder of your own scenarios) behaves as before.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from costsim.errors import Issue, ScenarioError

LOCAL_FOLDER = "scenarios"
_PACKAGE = Path(__file__).resolve().parent


def packaged_scenarios_folder() -> Path | None:
    """The folder of scenarios shipped with costsim, or None when there is none.

    An installed wheel holds them in ``costsim/scenarios/``; a source checkout (an editable
    install) has them in the ``scenarios/`` folder next to the package.
    """
    for folder in (_PACKAGE / "scenarios", _PACKAGE.parent / "scenarios"):
        if folder.is_dir() and any(folder.glob("*.yaml")):
            return folder
    return None


def scenarios_folder(local: str | Path = LOCAL_FOLDER) -> Path:
    """``local`` if it is a folder, else the packaged scenarios (else ``local``, which reports itself)."""
    local = Path(local)
    if local.is_dir():
        return local
    return packaged_scenarios_folder() or local


def bundled_names() -> list[str]:
    """Names of the scenarios ``costsim run NAME`` finds (local folder first, then packaged)."""
    names: dict[str, None] = {}
    for folder in (Path(LOCAL_FOLDER), packaged_scenarios_folder()):
        if folder is not None and folder.is_dir():
            names.update((p.stem, None) for p in sorted(folder.glob("*.yaml")))
    return sorted(names)


def resolve_scenario(arg: str | Path) -> str:
    """The file a command-line scenario argument names: a path, or the NAME of a bundled scenario.

    An existing file is returned unchanged. A bare name (no folder, with or without ``.yaml``)
    is looked up in ``./scenarios/`` and then in the scenarios shipped with costsim. Anything
    else is returned unchanged, so the loader reports the missing file in its usual words; a bare
    name found nowhere raises a ScenarioError listing the names there are.
    """
    text = str(arg)
    path = Path(text)
    if path.exists() or path.parent != Path(".") or text in ("", ".", "-"):
        return text
    stem = path.stem if path.suffix in (".yaml", ".yml") else path.name
    for folder in (Path(LOCAL_FOLDER), packaged_scenarios_folder()):
        if folder is None:
            continue
        for suffix in (".yaml", ".yml"):
            candidate = folder / f"{stem}{suffix}"
            if candidate.is_file():
                return str(candidate)
    names = bundled_names()
    close = difflib.get_close_matches(stem, names, n=1)
    raise ScenarioError(text, [Issue(
        "", "no such file, and no bundled scenario of that name",
        f"a scenario file or one of {', '.join(names)}" if names else "a scenario file", text,
        hint=f"Did you mean {close[0]!r}?" if close else "")])


__all__ = ["bundled_names", "packaged_scenarios_folder", "resolve_scenario", "scenarios_folder"]
