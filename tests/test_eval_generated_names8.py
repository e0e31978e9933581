"""`costsim eval` refuses costsim's generated names written by the user.

Before: `inline_1_x * 0 + uniform(5, 6)` ran, `inline_1_x` silently meaning the first inline
distribution (the uniform), as if the user had written it.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from costsim.errors import ScenarioError
from costsim.inline import estimate, values


@pytest.mark.parametrize("expr", ["inline_1_x * 0 + uniform(5, 6)", "uniform(1, 2) + inline_2_x",
                                  "inline_12_x", "value_x + uniform(5, 6)"])
def test_a_generated_name_is_an_unknown_name(expr):
    with pytest.raises(ScenarioError, match="unknown name"):
        estimate(expr, n=100)


def test_names_that_only_look_alike_are_still_theirs_to_judge():
    x = values(estimate("uniform(5, 6) * 2", n=200))
    assert 10 <= x.min() and x.max() <= 12
    with pytest.raises(ScenarioError, match="unknown name"):  # not a generated name, but not known either
        estimate("inline_x + uniform(5, 6)", n=100)


def test_the_cli_exits_2_without_a_traceback():
    out = subprocess.run([sys.executable, "-m", "costsim.cli", "eval", "inline_1_x * 0 + uniform(5, 6)"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "Traceback" not in out.stderr and "inline_1_x" in out.stderr
