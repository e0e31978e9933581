"""A plugin model reads read-only inputs and returns its declared axes; anything else is a model error.

Before (each exit 0, wrong numbers or labels):
- a model doing `year -= 2024` rewrote the scenario's own years (summary.csv listed years 1..5,
  the summary table came out empty, a second run of the same Scenario started at -2023);
- a model doing `a_usd *= 10` made every later reader of a_usd see ten times its value, while
  Results.params kept the drawn one;
- an output declared over the years but returned per sample, (n,), was broadcast along the
  years when n equalled the number of years (each year a different sample);
- a per-sample output returned as (n,), as the docs allow, reached the next model as (n,) while
  parameters arrive as (n, 1): `s_usd * (year - 2024)` read samples as years when n == T;
- a model returning 3 blocs in a 2-bloc scenario lost the third silently (4 blocs: a traceback).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from costsim.engine import run
from costsim.scenario import scenario_from_text

HEAD = """
schema_version: 1
name: probe
years: {start: 2025, stop: 2029}
samples: 5
seed: 1
params:
  a_usd: {dist: uniform, low: 1, high: 100, source: "test"}
"""

PLUGIN = '''
import numpy as np
from costsim.registry import model


@model(outputs=("y_usd",))
def year_mut(*, year, a_usd):
    year -= 2024.0
    return {"y_usd": a_usd * year}


@model(outputs=("m_usd",))
def param_mut(*, year, a_usd):
    a_usd *= 10
    return {"m_usd": a_usd + 0 * year}


@model(outputs=("flat_usd",))
def flat(*, a_usd):
    return {"flat_usd": np.asarray(a_usd).reshape(-1)}


@model(outputs=("s_usd",), axes={"s_usd": ()})
def per_sample(*, a_usd):
    return {"s_usd": np.asarray(a_usd).reshape(-1) * 2.0}


@model(outputs=("c_usd",))
def consume(*, year, s_usd):
    return {"c_usd": s_usd * (year - 2024.0)}


@model(outputs=("first_year",), axes={"first_year": ("bloc",)})
def keepdims_crossing(*, year, a_usd):
    x = np.stack([a_usd * (year - 2024.0), 2 * a_usd * (year - 2024.0)], axis=-1)  # (n, T, 2)
    return {"first_year": np.where(x > 50, year[..., None], 2100.0).min(axis=1, keepdims=True)}  # (n, 1, 2)


@model(outputs=("lead_years",), axes={"lead_years": ("bloc",)})
def read_per_bloc(*, first_year):
    assert first_year.ndim == 2, first_year.shape  # (n, B), as the docs promise, whatever its producer's keepdims
    return {"lead_years": first_year - first_year[:, :1]}


@model(outputs=("level_x",))
def one_element(*, a_usd):
    return {"level_x": np.atleast_1d(2.0)}


@model(outputs=("pb_usd",), axes={"pb_usd": ("year", "bloc")})
def three_blocs(*, year, a_usd):
    return {"pb_usd": np.stack([a_usd * (year - 2024.0) * k for k in (1.0, 10.0, 100.0)], axis=-1)}
'''


def _run(tmp_path, body: str, n: int = 5) -> subprocess.CompletedProcess:
    (tmp_path / "plug.py").write_text(PLUGIN, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(HEAD + textwrap.dedent(body), encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "costsim.cli", "run", "s.yaml", "--plugin", "plug.py", "-n", str(n),
                           "-o", "out"], capture_output=True, text=True, cwd=tmp_path)


@pytest.mark.parametrize("model", ["year_mut", "param_mut"])
def test_a_model_that_writes_into_its_inputs_is_a_model_error(tmp_path, model):
    out = _run(tmp_path, f"models:\n  - use: {model}\nformulas:\n  after_usd: 'a_usd * 1 + 0 * year'\n")
    assert out.returncode == 3 and "Traceback" not in out.stderr
    assert "writes into one of its inputs" in out.stderr and "plug.py" in out.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("n", [4, 5, 6])
def test_an_output_of_the_wrong_shape_is_refused_whatever_n(tmp_path, n):
    out = _run(tmp_path, "models:\n  - use: flat\n", n=n)
    assert out.returncode == 3 and "Traceback" not in out.stderr
    assert "returned 'flat_usd' with shape" in out.stderr


def test_a_per_sample_output_reaches_the_next_model_like_a_parameter(tmp_path):
    out = _run(tmp_path, "models:\n  - use: per_sample\n  - use: consume\nformulas:\n"
                         "  f_usd: 's_usd * (year - 2024)'\noutputs: [c_usd, f_usd, s_usd]\n")
    assert out.returncode == 0, out.stderr
    data = np.load(tmp_path / "out" / "samples.npz")
    c, f, s = data["output:c_usd"], data["output:f_usd"], data["output:s_usd"]
    np.testing.assert_allclose(c, f)  # the model and the formula agree sample by sample
    np.testing.assert_allclose(c, s.reshape(-1, 1) * (np.arange(2025, 2030) - 2024.0))


@pytest.mark.parametrize("blocs", ["", "blocs: [US, China, EU, India]\n"])
def test_a_model_returning_another_number_of_blocs_is_a_model_error(tmp_path, blocs):
    out = _run(tmp_path, blocs + "models:\n  - use: three_blocs\n")
    assert out.returncode == 3 and "Traceback" not in out.stderr
    assert "returned 'pb_usd' with shape" in out.stderr


def test_the_scenario_and_its_years_are_unchanged_by_a_run():
    scenario = scenario_from_text(HEAD + "formulas:\n  y_usd: 'a_usd * (year - 2024)'\n")
    years = np.array(scenario.years)
    first = run(scenario, n=50)
    again = run(scenario, n=50)
    np.testing.assert_array_equal(scenario.years, years)
    np.testing.assert_array_equal(first.outputs["y_usd"], again.outputs["y_usd"])


def test_unambiguous_shapes_still_pass(tmp_path):
    # review of a8870b4: a reduction with keepdims, (n, 1, B), and a one-element constant, (1,)
    out = _run(tmp_path, "models:\n  - use: keepdims_crossing\n  - use: read_per_bloc\n  - use: one_element\n"
                         "outputs: [first_year, lead_years, level_x]\n", n=50)
    assert out.returncode == 0, out.stderr
    data = np.load(tmp_path / "out" / "samples.npz")
    assert data["output:first_year"].shape == (50, 2) and (data["output:level_x"] == 2.0).all()
    np.testing.assert_array_equal(data["output:lead_years"], data["output:first_year"] - data["output:first_year"][:, :1])
