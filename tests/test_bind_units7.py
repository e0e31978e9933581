"""``bind:`` and ``rename:`` keep a name's unit (its suffix), even without ``--strict``.

Found by red-team: binding ``physical_flop: base_budget_usd`` (dollars into a FLOP input) validated
with ``--strict`` and printed "effective 33.3 GFLOP"; renaming ``effective_flop`` to
``effective_usd`` printed FLOP as "$8.75e30".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from costsim.errors import ScenarioError
from costsim.scenario import scenario_from_text

R1 = Path("scenarios/reference_r1.yaml").read_text(encoding="utf-8")
LAST = "  - use: effective_flop_product\n"


def _with(model_line: str, output: str = "effective_flop"):
    assert LAST in R1
    text = R1.replace(LAST, model_line).replace("outputs: [effective_flop]", f"outputs: [{output}]")
    text = text.replace("output: effective_flop", f"output: {output}")
    return scenario_from_text(text, "r1.yaml", base_dir="scenarios")


def test_dollars_bound_to_a_flop_input_are_refused():
    with pytest.raises(ScenarioError) as err:
        _with("  - use: effective_flop_product\n    bind: {physical_flop: base_budget_usd}\n")
    text = str(err.value)
    assert "bind.physical_flop" in text and "USD" in text and "FLOP" in text


def test_flop_renamed_to_dollars_is_refused():
    with pytest.raises(ScenarioError) as err:
        _with("  - use: effective_flop_product\n    rename: {effective_flop: effective_usd}\n", "effective_usd")
    text = str(err.value)
    assert "rename.effective_flop" in text and "USD" in text
    assert "unknown output" not in text  # one problem said once, not its readers as well


def test_a_rename_in_the_same_unit_is_fine():
    s = _with("  - use: effective_flop_product\n    rename: {effective_flop: run2_effective_flop}\n",
              "run2_effective_flop")
    assert any(n.rename == {"effective_flop": "run2_effective_flop"} for n in s.nodes)


def test_a_ratio_and_a_multiple_are_one_unit():
    """A race's gap ratio may feed a model's *_gap_x input (both dimensionless multiples)."""
    text = ("schema_version: 1\nname: gap\nyears: {start: 2025, stop: 2026}\nparams:\n"
            "  race_gap_ratio: {dist: uniform, low: 2, high: 5}\n  optimal_loss: 2.0\n"
            "  chinchilla_e_loss: 1.69\n  chinchilla_alpha_exponent: 0.34\n  chinchilla_beta_exponent: 0.28\n"
            "models:\n  - use: compute_gap_to_loss_gap\n    bind: {effective_compute_gap_x: race_gap_ratio}\n")
    s = scenario_from_text(text, "gap.yaml")
    assert s.nodes[0].bind == {"effective_compute_gap_x": "race_gap_ratio"}
