# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---
# %% [markdown]
# # costsim in a notebook
#
# A percent-format script: each `# %%` starts a cell. Open it in VS Code, Spyder or PyCharm (they run
# cells), or turn it into a notebook with `jupytext --to ipynb examples/notebook_tour.py`; it also
# runs as a plain script: `python examples/notebook_tour.py`. pandas and xarray come with
# `pip install 'costsim[frames]'`.

# %%
from pathlib import Path

from costsim import plots
from costsim.engine import run
from costsim.progress import Progress
from costsim.scenario import load_scenario, scenario_from_text

HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
SCENARIOS = HERE.parent / "scenarios"

# %% [markdown]
# ## Run a bundled scenario
# In a notebook the last line of a cell shows the Results as a table (median and 90% interval);
# `print(res)` gives the short text form. `Progress` draws a bar (a widget in Jupyter).

# %%
scenario = load_scenario(SCENARIOS / "reference_r1.yaml")
res = run(scenario, n=20_000, seed=1, progress=Progress("reference_r1"))
print(res)

# %% [markdown]
# ## The summary as a pandas DataFrame
# One row per (output, bloc, year, statistic), the rows of `summary.csv`.

# %%
frame = res.to_pandas()
print(frame.head().to_string())
medians = frame[frame["statistic"] == "p50"].pivot(index="year", columns="output", values="value")
print(medians)

# %% [markdown]
# ## Every sample as an xarray Dataset
# Dims `sample` and `year` (and `bloc` for the race scenarios); units in each variable's attrs.

# %%
ds = res.to_xarray()
print(ds)
flop_2030 = ds["effective_flop"].sel(year=2030)
print(f"P(effective FLOP in 2030 > 1e29) = {float((flop_2030 > 1e29).mean()):.3f}")
print(ds["effective_flop"].attrs)

# %% [markdown]
# ## A scenario written in the notebook
# `scenario_from_text` validates YAML text with the same messages as a file.

# %%
text = """\
schema_version: 1
name: notebook_sketch
years: {start: 2025, stop: 2030}
samples: 5000
seed: 2
params:
  run_gpu_hours: {dist: lognormal_ci, low: 1.0e+6, high: 1.0e+7}
  price_usd_per_gpu_hour: {dist: uniform, low: 1.5, high: 3.0}
formulas:
  run_cost_usd: "run_gpu_hours * price_usd_per_gpu_hour"
outputs: [run_cost_usd]
"""
sketch = run(scenario_from_text(text, source="notebook"))
print(sketch.to_pandas().query("year == 2025 and statistic in ['p05', 'p50', 'p95']")[["statistic", "value"]])

# %% [markdown]
# ## Figures
# Plot functions return matplotlib Axes (no pyplot needed), so they compose in a notebook.

# %%
ax = plots.fan(res, "effective_flop")
print(ax.get_ylabel())
