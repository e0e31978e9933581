"""Fuzzing: generated and mutated scenarios end in Results, a located ScenarioError or a ModelError.

``test_mutated_scenarios_end_cleanly`` runs 2,000 examples in CI; ``--runslow`` adds a
20,000-example run. The strategies live in ``costsim.testing`` so users can fuzz their own
scenarios and models the same way.
"""

import pathlib
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from costsim import testing
from costsim.errors import Issue, ModelError, ScenarioError
from costsim.results import Results
from costsim.testing import assert_clean_outcome, check_scenario_error, mutated_scenarios, valid_scenarios

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                      HealthCheck.filter_too_much])


@pytest.fixture(scope="module")
def extends_dir(tmp_path_factory):
    """Targets for the ``extends`` mutation: a good parent, a cycle, a parent with errors."""
    folder = tmp_path_factory.mktemp("extends")
    (folder / "base.yaml").write_text('years: {start: 2025, stop: 2026}\nparams: {a_x: 1}\n'
                                      'formulas: {b_x: "a_x * 2"}\n')
    (folder / "cycle_a.yaml").write_text("extends: cycle_b.yaml\n")
    (folder / "cycle_b.yaml").write_text("extends: cycle_a.yaml\n")
    (folder / "deep").mkdir()
    return folder


@settings(FUZZ, max_examples=1400)
@given(text=mutated_scenarios())
def test_mutated_scenarios_end_cleanly(text, extends_dir):
    assert_clean_outcome(text, base_dir=extends_dir)


@settings(FUZZ, max_examples=100)
@given(text=valid_scenarios())
def test_valid_scenarios_validate_and_run(text):
    outcome = assert_clean_outcome(text)
    assert isinstance(outcome, (Results, ModelError)), str(outcome)


@settings(FUZZ, max_examples=50)
@given(text=valid_scenarios(formulas=False, max_years=2, kinds=testing.POSITIVE_KINDS))
@example(text="years: {start: 2000, stop: 2000}\nparams:\n  base_budget_usd: 1.0\n  budget_growth_x_per_year: 1.0\n"
              "  base_flop_per_usd: {dist: beta, a: 1.0, b: 1.0}\n  hardware_gain_x_per_year: 1.0\n"
              "models:\n- use: budget_physical_flop\n  bind: {base_year: 2000}\n")  # growth constant, scale not
def test_valid_scenarios_of_the_reference_models_give_results(text):
    # R1's models over positive inputs of moderate size never overflow
    assert isinstance(assert_clean_outcome(text), Results)


@pytest.mark.slow
@settings(FUZZ, max_examples=20_000)
@given(text=mutated_scenarios(max_mutations=4))
def test_mutated_scenarios_end_cleanly_long(text, extends_dir):
    assert_clean_outcome(text, base_dir=extends_dir)


@settings(FUZZ, max_examples=30)
@given(text=mutated_scenarios(base=st.sampled_from([p.read_text() for p in sorted(
    (pathlib.Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml"))]), allow_bytes=False))
def test_mutations_of_the_bundled_scenarios(text):
    assert_clean_outcome(text, n=16, base_dir=pathlib.Path(__file__).resolve().parents[1] / "scenarios")


def test_every_distribution_can_be_generated():
    from costsim.distributions import DISTRIBUTIONS

    assert set(testing.FIELD_STRATEGIES) == set(DISTRIBUTIONS)


def test_valid_scenarios_name_unknown_models():
    @given(valid_scenarios(models=("no_such_model",)))
    def generate(text):
        pass

    with pytest.raises(ValueError, match=r"unknown models \['no_such_model'\]"):
        generate()


@settings(FUZZ, max_examples=20)
@given(text=valid_scenarios(models=("decline_algorithmic_efficiency",), formulas=False, kinds=testing.POSITIVE_KINDS))
def test_valid_scenarios_of_chosen_models(text):
    assert "use: decline_algorithmic_efficiency" in text or "- decline_algorithmic_efficiency" in text
    assert isinstance(assert_clean_outcome(text), Results)


# ----------------------------------------------------------------------------- the checker itself
def test_an_unlocated_issue_is_not_clean():
    with pytest.raises(AssertionError, match="issue located by neither path nor line: s.yaml: something"):
        check_scenario_error(ScenarioError("s.yaml", [Issue("", "something")]))


def test_other_exceptions_are_not_clean(monkeypatch, tiny_scenario_text):
    import costsim.engine

    def broken(*args, **kwargs):
        raise KeyError("oops")

    monkeypatch.setattr(costsim.engine, "run", broken)
    with pytest.raises(AssertionError, match="unclean outcome KeyError: 'oops'"):
        assert_clean_outcome(tiny_scenario_text)


def test_a_model_that_raises_is_not_clean(monkeypatch, tiny_scenario_text):
    from costsim.registry import MODELS

    spec = MODELS["effective_flop_product"]

    def broken(**kwargs):
        raise ValueError("operands could not be broadcast together")

    monkeypatch.setitem(MODELS, "effective_flop_product", type(spec)(**{**spec.__dict__, "func": broken}))
    with pytest.raises(AssertionError, match=r"^a model raised on validated inputs: models\[2\] "
                                             r"\(effective_flop_product\) failed: ValueError: operands could not"):
        assert_clean_outcome(tiny_scenario_text)
    assert isinstance(assert_clean_outcome(tiny_scenario_text, allow_model_exceptions=True), ModelError)


def test_runtime_warnings_are_not_clean(monkeypatch, tiny_scenario_text):
    import numpy as np

    import costsim.engine

    real = costsim.engine.run

    def noisy(*args, **kwargs):
        np.log(np.zeros(1))  # divide by zero, warned
        return real(*args, **kwargs)

    monkeypatch.setattr(costsim.engine, "run", noisy)
    with pytest.raises(AssertionError, match="RuntimeWarning at .*divide by zero"):
        assert_clean_outcome(tiny_scenario_text)
    assert isinstance(assert_clean_outcome(tiny_scenario_text, allow_runtime_warnings=True), Results)


def test_importing_testing_without_hypothesis_says_what_to_install():
    code = ("import sys; sys.modules['hypothesis'] = None\n"
            "try:\n    import costsim.testing\nexcept ImportError as exc:\n    print(exc)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout == ("costsim.testing needs the 'hypothesis' package, which is part of costsim's test extra; "
                           "install it with: pip install 'costsim[test]'  (or: pip install hypothesis)\n")


# ----------------------------------------------------------------------------- valid mutations: validate == run
VALID_MUTATIONS = 240


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cases")


@settings(FUZZ, max_examples=VALID_MUTATIONS)
@given(case=testing.valid_mutations())
def test_validate_accepts_exactly_when_run_does_not_exit_2(case, case_dir):
    testing.check_validate_agrees_with_run(case, case_dir)


def _cli_exit_code(path, overrides, n):
    import contextlib
    import io
    import warnings

    from costsim.cli import main
    from costsim.errors import CostsimWarning

    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err), warnings.catch_warnings():
        warnings.simplefilter("ignore", CostsimWarning)
        code = main(["run", str(path), "-n", str(n), "--quiet", *(x for o in overrides for x in ("--set", o))])
    return code, err.getvalue()


@settings(FUZZ, max_examples=60)
@given(case=testing.valid_mutations())
def test_validate_accepts_exactly_when_the_cli_run_does_not_exit_2(case, case_dir):
    testing.check_validate_agrees_with_run(case, case_dir, runner=_cli_exit_code)


@settings(FUZZ, max_examples=60)
@given(case=testing.valid_mutations(base=testing.scenario_dicts(models=tuple(sorted(
    {"years_to_close_gap", "budget_physical_flop", "decline_algorithmic_efficiency", "effective_flop_product"})))))
def test_validate_agrees_with_run_over_models_with_domains(case, case_dir):
    testing.check_validate_agrees_with_run(case, case_dir)


def _bundled_dicts():
    from costsim.yamlio import load_yaml

    found = []
    for path in sorted((pathlib.Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml")):
        data, _ = load_yaml(path.read_text(encoding="utf-8"), str(path))
        if "extends" not in data:
            found.append(data)
    return found


@settings(FUZZ, max_examples=40)
@given(case=testing.valid_mutations(base=st.sampled_from(_bundled_dicts())))
def test_validate_agrees_with_run_over_valid_mutations_of_the_bundled_scenarios(case, case_dir):
    testing.check_validate_agrees_with_run(case, case_dir)


@pytest.mark.slow
@settings(FUZZ, max_examples=20_000)
@given(case=testing.valid_mutations(max_mutations=4))
def test_validate_accepts_exactly_when_run_does_not_exit_2_long(case, case_dir):
    testing.check_validate_agrees_with_run(case, case_dir)
