"""Subcommands of the costsim CLI, one module each, registered in costsim.cli."""
