"""Build hook: ship the top-level ``scenarios/`` folder inside the wheel as ``costsim/scenarios/``.

The scenario files stay where they are in the repository (``scenarios/*.yaml``, edited there);
``package_dir`` maps that folder to the package path ``costsim.scenarios``, so an installed
costsim finds them next to its code (see ``costsim.bundled``). Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["costsim", "costsim.*"]), "costsim.scenarios"],
    package_dir={"costsim.scenarios": "scenarios"},
)
