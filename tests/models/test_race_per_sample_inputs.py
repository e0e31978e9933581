"""A race model's per-sample input bound to a value that changes over the years is refused.

The race models read parameters such as ``diffusion_delay_years`` as one value per sample. Bound
to a formula of ``year`` (a ``(1, T)`` array), the model flattened it; when the run had exactly
as many samples as years, the T year values were silently read as the T samples' delays (found
by session 6's review). It is now a model error that says what shape was given and expected,
whatever the sample count.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from costsim.engine import run
from costsim.errors import ModelError
from costsim.scenario import load_scenario

PATH = Path(__file__).resolve().parents[2] / "scenarios" / "export_controls_base.yaml"

YEARLY = ["formulas={delay_in_time_years: '1.5 + 0 * (year - 2025)'}", "checks=[]", "plots=[]"]


def _race(bind: str):
    models = yaml.safe_load(PATH.read_text(encoding="utf-8"))["models"]
    index = next(i for i, m in enumerate(models) if m["use"] == "race_algorithms")
    return load_scenario(PATH, [*YEARLY, f"models[{index}].bind.{bind}=delay_in_time_years"])


@pytest.mark.parametrize("bind", ["diffusion_delay_years", "distillation_delay_years"])
def test_a_yearly_value_for_a_per_sample_input_is_a_model_error(bind):
    scenario = _race(bind)
    years = len(scenario.years)
    for n in (years, years + 3):  # as many samples as years: it used to run, reading years as samples
        with pytest.raises(ModelError, match=r"race_algorithms.*per-sample input has shape \(1, \d+\)"):
            run(scenario, n=n, seed=1)


def test_per_sample_and_constant_values_still_run():
    scenario = load_scenario(PATH, ["params.diffusion_delay_years=1.5", "checks=[]", "plots=[]"])
    res = run(scenario, n=len(scenario.years), seed=1)
    assert res.n == len(scenario.years)
