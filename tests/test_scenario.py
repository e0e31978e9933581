"""Scenario validation: every problem with file, line and path; extends, --set and their precedence."""

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costsim.errors import ScenarioError
from costsim.scenario import MAX_EXTENDS, apply_override, load_scenario, scenario_from_text

Y = "years: {start: 2025, stop: 2027}\n"
F = 'formulas:\n  d_x: "a_x"\n'


def _error(text: str, **kw) -> str:
    with pytest.raises(ScenarioError) as info:
        scenario_from_text(text, "s.yaml", **kw)
    return str(info.value)


def _write(folder, files: dict[str, str]):
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


# ----------------------------------------------------------------------------- top level
def test_misspelled_key_is_an_error_with_a_suggestion():
    assert _error("yeras: {start: 2025, stop: 2027}\nparams: {a_x: 1}\n" + F) == (
        "2 problems in s.yaml:\n"
        "s.yaml: years: missing years; expected years: {start: 2025, stop: 2035}, got None\n"
        "s.yaml:1: yeras: unknown key; expected one of schema_version, name, description, extends, years, samples, "
        "seed, sampling, blocs, summary_years, params, correlations, models, formulas, outputs, checks, plots, "
        "sweeps, sensitivity, policy, data, as_of, strict_units, got 'yeras' (str). Did you mean 'years'?")


def test_run_settings_are_checked_together():
    assert _error(Y + "samples: 1.5e4\nseed: -1\nsampling: lsh\nname: 'a b'\nparams: {a_x: 1}\n" + F) == (
        "3 problems in s.yaml:\n"
        "s.yaml:3: seed: out of range; expected 0 <= value <= 9223372036854775807, got -1\n"
        "s.yaml:4: sampling: unknown sampling design; expected one of mc, lhs, sobol, got 'lsh' (str). "
        "Did you mean 'lhs'?\n"
        "s.yaml:5: name: must be a short identifier; expected letters, digits, _ . -, got 'a b' (str)")


def test_whole_numbers_may_be_written_like_1e6():
    s = scenario_from_text(Y + "samples: 1e6\nseed: 2.0\nparams: {a_x: 1}\n" + F)
    assert (s.samples, s.seed) == (1_000_000, 2) and type(s.samples) is int
    assert _error(Y + "samples: 2.5\nparams: {a_x: 1}\n" + F) == \
        "s.yaml:2: samples: must be a whole number; expected a whole number, got 2.5"


@pytest.mark.parametrize("years, message", [
    ("{start: 2030, stop: 2025}", "s.yaml:1: years.stop: must not be before start; expected >= 2030, got 2025"),
    ("{start: 2000, stop: 2500}", "s.yaml:1: years: too many years; expected at most 500, got 501"),
    ("{start: 2025.5, stop: 2030}",
     "s.yaml:1: years.start: must be a whole number; expected a whole number, got 2025.5"),
    ("[2025, 2030]",
     "s.yaml:1: years: must be a mapping; expected {start: 2025, stop: 2035, step: 1}, got [2025, 2030]"),
    ("{start: 2025, stop: 2030, stpe: 1}",
     "s.yaml:1: years.stpe: unknown years key; expected one of start, stop, step, got 'stpe' (str). "
     "Did you mean 'stop'?"),
])
def test_years(years, message):
    assert _error(f"years: {years}\nparams: {{a_x: 1}}\n" + F) == message


def test_parameter_names_need_a_unit_suffix_when_strict():
    assert _error(Y + "params: {a: 1, 1x: 2, a_x: 3}\n" + F, strict=True) == (
        "2 problems in s.yaml:\n"
        "s.yaml:2: params.1x: parameter name must be an identifier; expected letters, digits and _, got '1x' (str)\n"
        "s.yaml:2: params.a: parameter name has no unit suffix; expected a name ending in a unit such as _usd, _flop, "
        "_x_per_year, _frac (see `costsim params --units`), got 'a' (str). Or set strict_units: false to accept it "
        "without unit checks.")


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "1e999", "1" + "0" * 400])
def test_non_finite_constants_are_refused(value):
    assert _error(Y + f"params:\n  a_x: {value}\n" + F).startswith(
        "s.yaml:3: params.a_x: must be a number; expected a finite number (write 5e25 or 5.0e+25), got ")


def test_models_unknown_misbound_and_misnamed():
    assert _error(Y + "params: {a_x: 1}\nmodels:\n  - use: budget_phys_flop\n  - use: {x: 1}\n"
                  "  - use: effective_flop_product\n    bind: {phys_flop: a_x}\n"
                  "    rename: {effective_flop: bad}\n") == (
        "6 problems in s.yaml:\n"
        "s.yaml:4: models[0].use: unknown model; expected a registered model (see `costsim models`), got "
        "'budget_phys_flop' (str). Did you mean 'budget_physical_flop'?\n"
        "s.yaml:5: models[1].use: unknown model; expected a registered model (see `costsim models`), got {'x': 1}\n"
        "s.yaml:6: models[2]: input 'physical_flop' of 'effective_flop_product' has no producer; expected a parameter "
        "or a model output with that exact name, got 'physical_flop' (str). Add it under params: or add a model that "
        "outputs it (see `costsim models`).\n"
        "s.yaml:6: models[2]: input 'algorithmic_efficiency_x' of 'effective_flop_product' has no producer; expected a "
        "parameter or a model output with that exact name, got 'algorithmic_efficiency_x' (str). Add it under params: "
        "or add a model that outputs it (see `costsim models`).\n"
        "s.yaml:7: models[2].bind.phys_flop: model 'effective_flop_product' has no input 'phys_flop'; expected one of "
        "physical_flop, algorithmic_efficiency_x, got 'phys_flop' (str). Did you mean 'physical_flop'?\n"
        "s.yaml:8: models[2].rename.effective_flop: new name must be an identifier with a unit suffix; expected e.g. "
        "run2_training_cost_usd, got 'bad' (str)")


def test_outputs_checks_and_correlations_with_wrong_types():
    assert _error(Y + "params: {a_x: 1, b_x: {dist: uniform, low: 0, high: 1}}\n" + F + "outputs: [d_y]\n"
                  "checks:\n  - {claim: c, output: [1], above: 0}\n"
                  "  - {claim: c, output: d_x, year: 99999999999999999999999, above: 0}\n"
                  "correlations:\n  - [a_x, b_x, 0.5]\n  - [[1], b_x, 0.5]\n  - [b_x, b_x, 0.5]\n") == (
        "6 problems in s.yaml:\n"
        "s.yaml:5: outputs[0]: unknown output; expected an output of the scenario's models or formulas, got 'd_y' "
        "(str). Did you mean 'd_x'?\n"
        "s.yaml:7: checks[0].output: unknown output; expected an output of the scenario's models or formulas, got [1]\n"
        "s.yaml:8: checks[1].year: year not in the scenario's years; expected a whole year in 2025..2027, got "
        "99999999999999999999999\n"
        "s.yaml:10: correlations[0]: parameter 'a_x' is a constant; expected an uncertain parameter, got 'a_x' (str)\n"
        "s.yaml:11: correlations[1]: unknown parameter [1]; expected a parameter name, got [1]\n"
        "s.yaml:12: correlations[2]: a parameter cannot correlate with itself; expected two different names, "
        "got ['b_x', 'b_x']")


def test_correlations_in_mapping_form():
    head = Y + "params: {a_x: {dist: uniform, low: 0, high: 1}, b_x: {dist: uniform, low: 0, high: 1}}\n" + F
    s = scenario_from_text(head + "correlations:\n  - {params: [a_x, b_x], rho: 0.5}\n")
    assert s.correlations == (("a_x", "b_x", 0.5),)
    assert _error(head + "correlations:\n  - {params: 5, rho: 0.5}\n") == (
        "2 problems in s.yaml:\n"
        "s.yaml:6: correlations[0]: unknown parameter 5; expected a parameter name, got 5\n"
        "s.yaml:6: correlations[0]: unknown parameter None; expected a parameter name, got None")


def test_an_output_a_check_tests_is_kept():
    s = scenario_from_text(Y + 'params: {a_x: 1}\nformulas:\n  d_x: "a_x"\n  e_x: "d_x * 2"\noutputs: [d_x]\n'
                           "checks:\n  - {claim: doubled, output: e_x, above: 0}\n")
    assert s.outputs == ("d_x", "e_x")


def test_scenario_error_survives_pickling():
    with pytest.raises(ScenarioError) as info:
        scenario_from_text(Y + "params: {a: 1}\n" + F, "s.yaml", strict=True)
    again = pickle.loads(pickle.dumps(info.value))
    assert str(again) == str(info.value) and again.issues == info.value.issues


# ----------------------------------------------------------------------------- extends
BASE = "years: {start: 2025, stop: 2027}\nseed: 1\nparams:\n  a_x: {dist: uniform, low: 1, high: 2}\n  b_x: 5\n" \
       'formulas:\n  d_x: "a_x * b_x"\n'


def test_extends_merges_key_by_key(tmp_path):
    _write(tmp_path, {"base.yaml": BASE, "child.yaml": "extends: base.yaml\nseed: 2\nparams:\n  a_x: {high: 3}\n"})
    s = load_scenario(tmp_path / "child.yaml")
    assert s.seed == 2 and s.params["a_x"].dist.f == {"low": 1.0, "high": 3.0} and s.params["b_x"].value == 5.0
    assert [p for p, _ in s.texts] == [str(tmp_path / "base.yaml"), str(tmp_path / "child.yaml")]


def test_null_deletes_and_another_dist_replaces(tmp_path):
    _write(tmp_path, {"base.yaml": BASE, "child.yaml": "extends: base.yaml\nparams:\n  b_x: null\n"
                                                       "  a_x: {dist: lognormal_ci, low: 1, high: 4}\n"
                                                       'formulas:\n  d_x: "a_x * 2"\n'})
    s = load_scenario(tmp_path / "child.yaml")
    assert list(s.params) == ["a_x"] and s.params["a_x"].dist.f == {"low": 1.0, "high": 4.0, "credibility": 0.9}


def test_errors_in_a_parent_name_the_parent(tmp_path):
    _write(tmp_path, {"base.yaml": BASE.replace("high: 2}", "hihg: 2}"), "child.yaml": "extends: base.yaml\n"})
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "child.yaml")
    assert str(info.value).startswith(f"2 problems in {tmp_path / 'child.yaml'}:\n{tmp_path / 'base.yaml'}:4: "
                                      "params.a_x.")


def test_extends_cycle_is_named(tmp_path):
    _write(tmp_path, {"a.yaml": "extends: b.yaml\n", "b.yaml": "extends: c.yaml\n", "c.yaml": "extends: a.yaml\n"})
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "a.yaml", )
    assert str(info.value) == (f"{tmp_path / 'c.yaml'}:1: extends: extends cycle: a.yaml -> b.yaml -> c.yaml -> "
                               "a.yaml; expected a chain without cycles, got 'a.yaml' (str)")


def test_extends_itself(tmp_path):
    _write(tmp_path, {"a.yaml": "extends: ./a.yaml\n"})
    with pytest.raises(ScenarioError, match=r"extends cycle: a.yaml -> a.yaml"):
        load_scenario(tmp_path / "a.yaml")


def test_extends_chain_is_bounded(tmp_path):
    files = {f"l{i}.yaml": f"extends: l{i + 1}.yaml\n" for i in range(MAX_EXTENDS + 2)}
    files[f"l{MAX_EXTENDS + 2}.yaml"] = BASE
    _write(tmp_path, files)
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "l0.yaml")
    assert str(info.value) == (f"{tmp_path / f'l{MAX_EXTENDS}.yaml'}:1: extends: extends chain too long; "
                               f"expected at most {MAX_EXTENDS} files, got {MAX_EXTENDS + 1}")


@pytest.mark.parametrize("target, message", [
    ("missing.yaml", "extends: no such file: {d}/missing.yaml; expected an existing scenario file, got "
                     "'{d}/missing.yaml' (str)"),
    (".", "extends: must name a scenario file; expected a path ending in .yaml or .yml, got '.' (str)"),
    ("/dev/zero", "extends: must be a path relative to this file; expected a relative path like base.yaml, got "
                  "'/dev/zero' (str). Copy or link the parent next to the scenario."),
    ('"bad\\0name.yaml"', "extends: cannot use this path (embedded null byte); expected a relative path like "
                          "base.yaml, got 'bad\\x00name.yaml' (str)"),
    ("3", "extends: must be a file path; expected a relative path like base.yaml, got 3"),
])
def test_unreadable_parents_are_reported_at_extends(tmp_path, target, message):
    _write(tmp_path, {"child.yaml": f"years: {{start: 2025, stop: 2026}}\nextends: {target}\n"})
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "child.yaml")
    assert str(info.value) == f"{tmp_path / 'child.yaml'}:2: " + message.format(d=tmp_path)


def test_extends_from_text_is_relative_to_base_dir(tmp_path):
    _write(tmp_path, {"base.yaml": BASE})
    s = scenario_from_text("extends: base.yaml\nseed: 9\n", "t.yaml", base_dir=tmp_path)
    assert s.seed == 9 and "b_x" in s.params


# ----------------------------------------------------------------------------- --set
@pytest.mark.parametrize("assignment, message", [
    ("nonsense", "--set: override must be path=value; expected e.g. params.decline_x_per_year.high=8, "
                 "got 'nonsense' (str)"),
    ("params.a_x.high=[1", "--set: params.a_x.high: bad override value; expected a YAML value, got '[1' (str). "
                           "YAML syntax error: expected ',' or ']', but got '<stream end>'"),
    ("params.b_x.c=1", "--set: params.b_x.c: path goes through a value; expected a path through mappings, "
                       "got 'params.b_x.c' (str)"),
    ("formulas[0]=1", "--set: formulas[0]: no list item [0]; expected an existing list index, got 'formulas[0]' (str)"),
    ("a..b=1", "--set: a..b: bad override path; expected dotted keys with [i] for list items, got 'a..b' (str)"),
    ("params.a_x=!!python/name:os.system", "--set: params.a_x: bad override value; expected a YAML value, got "
                                           "'!!python/name:os.system' (str). tag refused: a scenario is plain data"),
])
def test_bad_overrides(tmp_path, assignment, message):
    _write(tmp_path, {"base.yaml": BASE})
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "base.yaml", [assignment])
    assert str(info.value) == message


def test_set_reaches_list_items():
    data = {"checks": [{"between": [1, 2]}]}
    assert apply_override(data, "checks[0].between[1]=5e3") == []
    assert data == {"checks": [{"between": [1, 5000.0]}]}


@settings(max_examples=25, deadline=None)
@given(base=st.integers(1, 1000), child=st.one_of(st.none(), st.integers(1, 1000)),
       cli=st.one_of(st.none(), st.integers(1, 1000)), where=st.sampled_from(["seed", "params.b_x"]))
def test_set_beats_extends_beats_base(tmp_path_factory, base, child, cli, where):
    folder = tmp_path_factory.mktemp("prec")
    key, _, sub = where.partition(".")

    def put(value):
        return f"{key}: {value}\n" if not sub else f"{key}:\n  {sub}: {value}\n"

    _write(folder, {"base.yaml": BASE.replace("seed: 1\n", "") + put(base) if key == "seed" else
                    BASE.replace("b_x: 5", f"b_x: {base}"),
                    "child.yaml": "extends: base.yaml\n" + (put(child) if child is not None else "")})
    s = load_scenario(folder / "child.yaml", [f"{where}={cli}"] if cli is not None else [])
    got = s.seed if key == "seed" else s.params["b_x"].value
    assert got == next(v for v in (cli, child, base) if v is not None)


def test_text_hash_covers_files_and_overrides(tmp_path):
    _write(tmp_path, {"base.yaml": BASE})
    plain = load_scenario(tmp_path / "base.yaml")
    assert load_scenario(tmp_path / "base.yaml").text_hash == plain.text_hash
    assert load_scenario(tmp_path / "base.yaml", ["seed=1"]).text_hash != plain.text_hash
    _write(tmp_path, {"base.yaml": BASE + "# a comment\n"})
    assert load_scenario(tmp_path / "base.yaml").text_hash != plain.text_hash
