"""``engine.run`` takes a path, a Scenario, a dict or YAML text; warnings point at the caller (issue 19)."""

import warnings
from pathlib import Path

import numpy as np
import pytest

from costsim.engine import as_scenario, run
from costsim.errors import CostsimWarning
from costsim.scenario import load_scenario
from costsim.yamlio import load_yaml

R1 = Path(__file__).parents[1] / "scenarios" / "reference_r1.yaml"


def test_run_takes_a_path_a_scenario_a_dict_or_yaml_text(tiny_scenario_text, tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(tiny_scenario_text)
    data, _ = load_yaml(tiny_scenario_text)
    runs = [run(path, n=300, seed=4), run(str(path), n=300, seed=4), run(load_scenario(path), n=300, seed=4),
            run(data, n=300, seed=4), run(tiny_scenario_text, n=300, seed=4)]
    for res in runs[1:]:
        for name in runs[0].outputs:
            np.testing.assert_array_equal(res.outputs[name], runs[0].outputs[name])
    assert runs[3].meta["source"] == "<dict>" and runs[4].meta["source"] == "<string>"
    assert runs[3].meta["files"] and runs[4].meta["files"]  # texts stored: rerun and workers can rebuild them


def test_overrides_apply_to_every_kind_of_input(tiny_scenario_text):
    data, _ = load_yaml(tiny_scenario_text)
    a = run(data, n=50, seed=1, overrides=["params.base_flop_per_usd=3e17"])
    b = run(tiny_scenario_text, n=50, seed=1, overrides=["params.base_flop_per_usd=3e17"])
    c = run(as_scenario(tiny_scenario_text), n=50, seed=1, overrides=["params.base_flop_per_usd=3e17"])
    assert a.summary_csv().split("\n", 1)[1] == b.summary_csv().split("\n", 1)[1]
    assert b.summary_csv() == c.summary_csv()
    assert b.meta["overrides"] == ["params.base_flop_per_usd=3e17"]


def test_anything_else_is_a_type_error():
    with pytest.raises(TypeError, match=r"^run\(\) takes a Scenario, a path, a dict or YAML text; got int$"):
        run(42)


def test_warnings_point_at_the_callers_line():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run(R1, n=1000, design="sobol")  # not a power of two: a CostsimWarning
    mine = [w for w in caught if issubclass(w.category, CostsimWarning)]
    assert mine and all(w.filename == __file__ for w in mine), [(w.filename, w.lineno) for w in mine]
