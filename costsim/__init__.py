"""costsim: uncertain, parameterized models of AI cost curves, run from YAML scenarios."""

__version__ = "0.1.0"
