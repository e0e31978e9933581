"""Plots: a histogram without a year draws the first year, as documented; a log axis asked for
over values <= 0 is refused instead of silently dropping them.

Before: `costsim plot --kind hist` without --year on an output over the years ended in a
traceback (and a scenario's `plots: [{kind: hist, ...}]` drew nothing in the report); `--log` on
an output that crosses zero drew a fan whose first years had vanished, without a word.
"""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from costsim.engine import run  # noqa: E402
from costsim.plots import distribution, fan  # noqa: E402
from costsim.scenario import scenario_from_text  # noqa: E402

TEXT = """
schema_version: 1
name: neg
years: {start: 2025, stop: 2030}
samples: 500
seed: 1
params:
  a_usd: {dist: normal, mean: 0, sd: 1.0e+6, source: "test"}
formulas:
  margin_usd: "a_usd + 1.0e+6 * (year - 2027)"
outputs: [margin_usd]
"""


@pytest.fixture(scope="module")
def results():
    return run(scenario_from_text(TEXT), n=500)


def test_a_histogram_without_a_year_is_the_first_years(results):
    ax = distribution(results, "margin_usd")
    assert "(2025)" in ax.get_title()
    first = results.at_year("margin_usd", 2025)
    median_line = [ln for ln in ax.get_lines() if ln.get_label().startswith("median")][0]
    shown = median_line.get_xdata()[0]
    assert shown == pytest.approx(float(np.quantile(first, 0.5)))


def test_a_log_axis_over_values_at_or_below_zero_is_refused(results):
    with pytest.raises(ValueError, match="log axis cannot show"):
        fan(results, "margin_usd", log=True)
    with pytest.raises(ValueError, match="log axis cannot show"):
        distribution(results, "margin_usd", year=2025, log=True)


def test_a_positive_output_still_draws_on_a_log_axis(results):
    ax = fan(results, "margin_usd", log=False)
    assert ax.get_yscale() == "linear"
    late = run(scenario_from_text(TEXT.replace("(year - 2027)", "(year - 2020)").replace("sd: 1.0e+6", "sd: 1.0e+5")),
               n=200)
    assert fan(late, "margin_usd", log=True).get_yscale() == "log"


def test_the_cli_says_so_without_a_traceback(tmp_path):
    (tmp_path / "neg.yaml").write_text(TEXT, encoding="utf-8")
    log = subprocess.run([sys.executable, "-m", "costsim.cli", "plot", "neg.yaml", "--kind", "fan", "--output",
                          "margin_usd", "--log", "-o", "f.png"], capture_output=True, text=True, cwd=tmp_path)
    assert log.returncode == 2 and "Traceback" not in log.stderr
    assert "log axis cannot show" in log.stderr and not (tmp_path / "f.png").exists()
    hist = subprocess.run([sys.executable, "-m", "costsim.cli", "plot", "neg.yaml", "--kind", "hist", "--output",
                           "margin_usd", "-o", "h.png"], capture_output=True, text=True, cwd=tmp_path)
    assert hist.returncode == 0, hist.stderr
    assert (tmp_path / "h.png").stat().st_size > 0
