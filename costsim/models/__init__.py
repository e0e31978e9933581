"""Built-in model families. Importing this package registers every family's models."""

import importlib

FAMILIES = (
    "reference",
    "cost_decline",
    "scaling_laws",
    "training",
    "hardware",
    "budgets",
    "inference",
    "compute_race",
    "race_limits",
)

for _family in FAMILIES:
    try:
        importlib.import_module(f"costsim.models.{_family}")
    except ModuleNotFoundError as exc:  # a family not written yet
        if exc.name != f"costsim.models.{_family}":
            raise
