"""Belief profiles: named overlays of parameter values that any scenario can be run under.

A profile (``costsim/data/profile_NAME.yaml``, or any file of the same layout) maps parameter
names to parameter specs. Applied to a scenario it becomes ``--set params.NAME=SPEC`` overrides
for the parameters the scenario has; the rest are ignored. So a profile needs no change to the
scenario format or the validator, and ``costsim run FILE --set ...`` reproduces any profile run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from costsim.errors import Issue, ScenarioError
from costsim.yamlio import load_yaml


@dataclass(frozen=True)
class Profile:
    """A named set of beliefs: parameter name -> parameter spec (a mapping or a number)."""

    name: str
    description: str
    params: dict
    source: str


def profile_names() -> list[str]:
    """Names of the bundled profiles."""
    folder = resources.files("costsim.data")
    return sorted(p.name.removeprefix("profile_").removesuffix(".yaml") for p in folder.iterdir()
                  if p.name.startswith("profile_") and p.name.endswith(".yaml"))


def load_profile(name_or_path: str | Path) -> Profile:
    """A bundled profile by name (essay, critics, neutral) or a profile file by path."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        text, source = path.read_text(encoding="utf-8"), str(path)
    else:
        names = profile_names()
        if str(name_or_path) not in names:
            raise ScenarioError("--profile", [Issue("", "unknown belief profile", f"one of {', '.join(names)} "
                                                    "or a profile file", str(name_or_path))])
        source = f"costsim/data/profile_{name_or_path}.yaml"
        text = resources.files("costsim.data").joinpath(f"profile_{name_or_path}.yaml").read_text(encoding="utf-8")
    data, _ = load_yaml(text, source)
    if not isinstance(data, dict) or not isinstance(data.get("params"), dict) or not data.get("name"):
        raise ScenarioError(source, [Issue("", "not a belief profile", "name: and params: {NAME: spec}",
                                           type(data).__name__)])
    return Profile(str(data["name"]), str(data.get("description", "")), dict(data["params"]), source)


def profile_overrides(profile: Profile, raw: dict) -> list[str]:
    """``--set`` overrides that put a scenario's raw data (``load_raw``) under ``profile``.

    Only parameters the scenario declares are overridden; the order is the profile's.
    """
    params = raw.get("params") or {}
    return [f"params.{name}={json.dumps(spec, sort_keys=True)}" for name, spec in profile.params.items()
            if name in params]


def all_profiles() -> list[Profile]:
    """Every bundled profile (essay, critics, neutral), in name order."""
    return [load_profile(name) for name in profile_names()]
