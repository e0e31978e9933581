"""costsim: uncertain, parameterized models of AI cost curves, run from YAML scenarios.

The public API, imported lazily so that ``import costsim`` (and ``costsim --help``) stay fast::

    import costsim
    scenario = costsim.load_scenario("scenarios/reference_r1.yaml")
    results = costsim.run(scenario, n=100_000, seed=1)
    costsim.sobol(scenario, n_base=2**12)
    results.to_pandas(), results.to_xarray()           # with the frames extra
    costsim.estimate("lognormal_ci(4e7, 1e8) / uniform(3, 5) ** 2")   # what `costsim eval` runs

See docs/API.md.

Sweeps and paired comparisons live in their modules (``costsim.sweep.sweep``,
``costsim.diff.diff``): a function there would be shadowed by the submodule of the same name.
"""

__version__ = "0.1.0"

_API = {
    "load_scenario": "costsim.scenario",
    "scenario_from_text": "costsim.scenario",
    "run": "costsim.engine",
    "save_results": "costsim.engine",
    "rerun": "costsim.engine",
    "Results": "costsim.results",
    "sobol": "costsim.sensitivity",
    "morris": "costsim.sensitivity",
    "tornado": "costsim.sensitivity",
    "load_plugin": "costsim.plugins",
    "model": "costsim.registry",
    "estimate": "costsim.inline",
    "Progress": "costsim.progress",
}
__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'costsim' has no attribute {name!r}")
