"""Example costsim model package; the models live in :mod:`costsim_example_models.models`."""
