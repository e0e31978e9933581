"""Model input domains (issue 15.5): declared on @model, checked at validation for constants and distributions."""

import pathlib

import pytest

from costsim.cli import main
from costsim.errors import RegistryError, ScenarioError
from costsim.registry import MODELS, Domain, load_builtin_models, model
from costsim.scenario import load_scenario

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOZENS = ROOT / "scenarios" / "dozens_of_gpus.yaml"


def test_years_to_close_gap_declares_its_domain():
    load_builtin_models()
    assert MODELS["years_to_close_gap"].domains["decline_x_per_year"] == Domain(1.0, float("inf"), True, True)


def test_a_decline_below_one_is_an_exit_2_error_naming_the_parameter(capsys):
    assert main(["validate", str(DOZENS), "--set", "params.essay_decline_x_per_year=0.9"]) == 2
    err = capsys.readouterr().err
    assert err == ("--set: params.essay_decline_x_per_year: out of the model's domain (input 'decline_x_per_year' "
                   "of years_to_close_gap must be > 1; models[6], models[10]); expected > 1, got 0.9\n")


def test_a_decline_of_exactly_one_is_refused():
    with pytest.raises(ScenarioError, match="must be > 1"):
        load_scenario(DOZENS, ["params.essay_decline_x_per_year=1"])


def test_a_distribution_reaching_below_one_is_refused():
    with pytest.raises(ScenarioError) as info:
        load_scenario(DOZENS, ["params.essay_decline_x_per_year={dist: uniform, low: 0.95, high: 3}"])
    assert "uniform(0.95, 3) draws values out of the model's domain" in str(info.value)
    assert "expected a distribution with every draw > 1, got 0.95" in str(info.value)


def test_clipping_into_the_domain_is_accepted():
    load_scenario(DOZENS, ["params.essay_decline_x_per_year={dist: uniform, low: 0.95, high: 3, min: 1.01}"])


def test_the_bundled_scenario_is_inside_the_domain():
    load_scenario(DOZENS)


@pytest.mark.parametrize("text", ["(1, inf)", "[0, 1]", "(-inf, 0]", "[2, 3)"])
def test_domain_notation_round_trips(text):
    d = Domain.parse(text)
    assert d.contains(d.low) is not d.low_open or d.low == float("-inf")


def test_a_bad_domain_declaration_fails_at_import():
    with pytest.raises(RegistryError, match="domains names 'nope_x', which is not an input"):
        @model(outputs=("y_x",), domains={"nope_x": "(0, 1)"}, name="_domain_probe_a")
        def probe_a(*, a_x):
            return {"y_x": a_x}
    with pytest.raises(RegistryError, match="expected an interval"):
        @model(outputs=("y_x",), domains={"a_x": "> 0"}, name="_domain_probe_b")
        def probe_b(*, a_x):
            return {"y_x": a_x}
