"""A model (a plugin's) that raises an unexpected error, exits, or returns non-numbers: a model error
naming the model and the plugin's line, exit 3, never a traceback or a silent exit 0 (red-team 4)."""

import textwrap

import pytest

from costsim.cli import main

SCENARIO = """\
schema_version: 1
name: p
years: {start: 2024, stop: 2026}
samples: 100
params:
  rate_x: {dist: uniform, low: 1, high: 2, source: "assumption: a test"}
models:
  - use: MODEL
outputs: [out_x]
checks:
  - {claim: "never true", output: out_x, year: 2026, stat: median, above: 100}
"""

BODIES = {
    "value_error": ("raise ValueError('mine')", r"models\[0\] \(MODEL\) failed: ValueError: mine \(at .*MODEL\.py:\d+\)"),
    "raises": ("raise RuntimeError('boom')", r"models\[0\] \(MODEL\) failed: RuntimeError: boom \(at .*MODEL\.py:\d+\)"),
    "exits": ("sys.exit(0)", r"models\[0\] \(MODEL\) called sys.exit\(0\) while evaluating \(at .*MODEL\.py:\d+\)"),
    "strings": ("return {'out_x': np.full(np.broadcast_shapes(rate_x.shape, year.shape), 'a')}",
                r"models\[0\] \(MODEL\) returned 'out_x' as an array of <U1 .*expected numbers"),
    "objects": ("return {'out_x': object()}", r"models\[0\] \(MODEL\) returned 'out_x' as object; expected numbers"),
}


@pytest.mark.parametrize("kind", sorted(BODIES))
def test_a_failing_plugin_model_is_a_model_error(tmp_path, capsys, kind):
    name = f"m_{kind}"
    body, message = BODIES[kind]
    plugin = tmp_path / f"{name}.py"
    plugin.write_text(textwrap.dedent(f"""\
        import sys
        import numpy as np
        from costsim.registry import model

        @model(outputs=("out_x",))
        def {name}(*, year, rate_x):
            {body}
        """), encoding="utf-8")
    scenario = tmp_path / "p.yaml"
    scenario.write_text(SCENARIO.replace("MODEL", name), encoding="utf-8")
    rc = main(["run", "--plugin", str(plugin), str(scenario)])
    err = capsys.readouterr().err
    assert rc == 3, err
    assert "Traceback" not in err
    import re
    assert re.search(message.replace("MODEL", name), err), err


def test_a_working_plugin_model_still_runs(tmp_path, capsys):
    plugin = tmp_path / "m_ok.py"
    plugin.write_text(textwrap.dedent("""\
        from costsim.registry import model

        @model(outputs=("out_x",))
        def m_ok(*, year, rate_x):
            return {"out_x": rate_x * (year - year[0, 0] + 1.0)}
        """), encoding="utf-8")
    scenario = tmp_path / "p.yaml"
    scenario.write_text(SCENARIO.replace("MODEL", "m_ok"), encoding="utf-8")
    assert main(["run", "--plugin", str(plugin), str(scenario)]) == 1  # ran; its check fails
    assert "FAIL" in capsys.readouterr().out
