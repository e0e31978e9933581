"""clip(x, lo, hi) with uncertain bounds that cross in some samples is a model error, not hi there
(numpy's clip returns hi wherever lo > hi: those samples silently became their upper bound)."""

import numpy as np

from costsim import engine
from costsim.cli import main

SCENARIO = """\
schema_version: 1
name: c
years: {start: 2025, stop: 2026}
samples: 400
params:
  x_usd: {dist: uniform, low: 0, high: 10, source: "assumption: a test"}
  lo_usd: {dist: uniform, low: 0, high: LO_HIGH, source: "assumption: a test"}
  hi_usd: {dist: uniform, low: 3, high: 8, source: "assumption: a test"}
formulas:
  y_usd: "clip(x_usd, lo_usd, hi_usd)"
outputs: [y_usd]
"""


def test_crossed_uncertain_bounds_are_a_model_error(tmp_path, capsys):
    path = tmp_path / "c.yaml"
    path.write_text(SCENARIO.replace("LO_HIGH", "8"), encoding="utf-8")
    assert main(["run", str(path)]) == 3
    err = capsys.readouterr().err
    assert "formula 'y_usd'" in err and "lo > hi" in err and "Traceback" not in err


def test_bounds_that_never_cross_clip_as_numpy_does(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(SCENARIO.replace("LO_HIGH", "3"), encoding="utf-8")
    res = engine.run(path, keep_params=("x_usd", "lo_usd", "hi_usd"))
    p = res.params
    want = np.clip(p["x_usd"], p["lo_usd"], p["hi_usd"])
    np.testing.assert_array_equal(res.at_year("y_usd", 2025), want)
