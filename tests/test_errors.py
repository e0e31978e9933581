"""Error types: exact rendering, ordering, builtin categories and pickling."""

import pickle

import numpy as np
import pytest

from costsim.errors import (CostsimError, DataError, Issue, ModelError, OutputError, PluginError,
                            RegistryError, ScenarioError)


def test_issue_renders_file_line_path_expected_got():
    err = ScenarioError("s.yaml", [Issue("params.halving_time_years.low", "must be positive", "> 0", -1.0, line=4)])
    assert str(err) == "s.yaml:4: params.halving_time_years.low: must be positive; expected > 0, got -1.0"


def test_issue_names_the_type_of_text_and_booleans_it_got():
    issue = Issue("samples", "must be a whole number", "a whole number", "1e4", line=2)
    assert issue.render("s.yaml") == \
        "s.yaml:2: samples: must be a whole number; expected a whole number, got '1e4' (str)"
    issue = Issue("sampling", "unknown sampling design", "one of mc, lhs, sobol", True, line=3)
    assert issue.render("s.yaml") == \
        "s.yaml:3: sampling: unknown sampling design; expected one of mc, lhs, sobol, got True (bool)"


def test_issue_without_line_path_or_got():
    assert Issue("years", "missing years", "years: {start: 2025, stop: 2035}").render("s.yaml") == \
        "s.yaml: years: missing years; expected years: {start: 2025, stop: 2035}"
    assert Issue("", "YAML syntax error: bad", line=7).render("s.yaml") == "s.yaml:7: YAML syntax error: bad"


def test_issue_with_hint_and_its_own_file():
    issue = Issue("params.a_x.dist", "unknown distribution", "one of uniform", "unifrom", line=3,
                  hint="Did you mean 'uniform'?", source="base.yaml")
    assert issue.render("child.yaml") == ("base.yaml:3: params.a_x.dist: unknown distribution; expected one of "
                                          "uniform, got 'unifrom' (str). Did you mean 'uniform'?")


def test_numpy_scalars_render_as_plain_numbers_and_long_values_are_cut():
    assert Issue("x", "p", "e", np.float64(2.5), line=1).render("s") == "s:1: x: p; expected e, got 2.5"
    text = Issue("x", "p", "e", "y" * 200, line=1).render("s")
    assert text == "s:1: x: p; expected e, got '" + "y" * 76 + "... (str)"


def test_several_issues_are_listed_by_file_then_line():
    err = ScenarioError("s.yaml", [Issue("b", "second", line=9), Issue("a", "first", line=2),
                                   Issue("c", "in the parent", line=1, source="base.yaml"),
                                   Issue("years", "missing years")])
    assert str(err) == ("4 problems in s.yaml:\n"
                        "s.yaml: years: missing years\n"
                        "s.yaml:2: a: first\n"
                        "s.yaml:9: b: second\n"
                        "base.yaml:1: c: in the parent")


@pytest.mark.parametrize("err", [
    ScenarioError("s.yaml", [Issue("name", "must be a string", "str", 3, line=1)]),
    ScenarioError("s.yaml", [Issue("years", "missing years", "years: {...}")]),  # no got: stays absent
    ModelError("models[0] (m) -> x_usd: 3 of 8 values are not finite"),
    OutputError("out: folder exists"),
    RegistryError("model 'm': every argument must be keyword-only"),
    DataError("data.csv: no column 'year'", Issue("y", "unknown column", "one of a, b", "c")),
    PluginError("plugin.py: cannot import"),
])
def test_errors_pickle_unchanged(err):
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is type(err) and str(again) == str(err)


def test_errors_are_also_builtin_categories():
    assert issubclass(ScenarioError, ValueError) and issubclass(ScenarioError, CostsimError)
    assert issubclass(ModelError, RuntimeError)
    assert issubclass(OutputError, OSError)
    assert issubclass(RegistryError, TypeError)
    assert issubclass(DataError, ValueError)
    assert issubclass(PluginError, ImportError)
    assert not issubclass(CostsimError, BaseException) or issubclass(CostsimError, Exception)


def test_issues_of_a_scenario_error_are_kept():
    issues = [Issue("a", "p", line=1)]
    err = ScenarioError("s.yaml", issues)
    assert err.source == "s.yaml" and err.issues == issues
