"""The validator lives in costsim/scenario/validator.py, the types in scenario/spec.py; the
package still offers every public name it had before the split (same objects)."""

import subprocess
import sys
from pathlib import Path

import costsim.scenario as package
from costsim.scenario import spec, validator

ROOT = Path(__file__).resolve().parents[1]
# every public name costsim/scenario/__init__.py defined itself before the split, and its __all__
BEFORE = ["CHECK_KEYS", "CLAIM_ONLY_KEYS", "Check", "DOMAIN_TAIL", "MAX_EXTENDS", "MAX_SAMPLES", "MAX_YEARS",
          "MODELS", "PARAM_META", "Param", "SAMPLINGS", "SCHEMA_VERSION", "STAT_RE", "Scenario", "TOP_KEYS",
          "apply_override", "claims_index", "load_raw", "load_scenario", "scenario_from_text", "validate"]


def test_every_public_name_is_still_offered_by_the_package():
    missing = [n for n in BEFORE if not hasattr(package, n)]
    assert missing == []
    assert set(package.__all__) <= set(BEFORE)
    for name in ("validate", "SAMPLINGS", "CHECK_KEYS", "PARAM_META", "SCHEMA_VERSION", "MAX_SAMPLES"):
        assert getattr(package, name) is getattr(validator, name)
    for name in ("Scenario", "Param", "Check"):
        assert getattr(package, name) is getattr(spec, name)


def test_the_validator_left_the_package_init():
    lines = (ROOT / "costsim" / "scenario" / "__init__.py").read_text(encoding="utf-8").count("\n")
    assert lines < 150, lines  # was 1,060 lines
    assert package.validate.__module__ == "costsim.scenario.validator"


def test_loading_through_the_package_and_validating_directly_agree():
    a = package.load_scenario(ROOT / "scenarios" / "reference_r1.yaml")
    data, lines, texts = package.load_raw(ROOT / "scenarios" / "reference_r1.yaml")
    b = validator.validate(data, lines, str(ROOT / "scenarios" / "reference_r1.yaml"), ROOT / "scenarios",
                           tuple(texts))
    assert isinstance(a, spec.Scenario) and a.params == b.params and a.outputs == b.outputs


def test_each_scenario_module_imports_first_in_a_fresh_interpreter():
    for module in ("costsim.scenario.validator", "costsim.scenario.spec", "costsim.scenario"):
        proc = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True,
                              timeout=60, cwd=ROOT)
        assert proc.returncode == 0, proc.stderr
