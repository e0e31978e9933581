"""Red team 4: costsim eval's histogram at small n showed no sample at all.

At -n 2 both samples lay outside the "central 99%" (interpolated 0.5% / 99.5% quantiles), so the
histogram was twelve empty bins and "(100.0% of samples beyond these bins)"; at -n 5, 40%.
Below 200 samples the bins now span every sample; at 200 and more nothing changes.
"""

import numpy as np
import pytest

from costsim.cli import main
from costsim.inline import histogram


@pytest.mark.parametrize("n", ["2", "5", "50", "199"])
def test_small_samples_are_all_in_the_bins(capsys, n):
    assert main(["eval", "uniform(1, 2)", "-n", n]) == 0
    out = capsys.readouterr().out
    assert "(0.0% of samples beyond these bins)" in out


def test_the_bins_count_every_sample_below_200():
    x = np.array([1.0, 3.0])
    lines = histogram(x)
    shares = [float(line.rsplit(" ", 1)[-1].rstrip("%")) for line in lines[:-1]]
    assert sum(shares) == pytest.approx(100.0)


def test_large_samples_keep_the_central_99_percent(capsys):
    x = np.linspace(1.0, 2.0, 10_001)
    assert histogram(x)[-1].endswith("(1.0% of samples beyond these bins)")  # linear bins
