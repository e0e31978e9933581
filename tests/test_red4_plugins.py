"""Red team 4: a plugin that calls sys.exit() while loading ended costsim with that code and no word.

A user's script loaded as a plugin (sys.exit(0) at the end, or argparse at import) made
``costsim run --plugin it.py scenario.yaml`` exit 0 having run nothing: success, silently.
"""

import pytest

from costsim import plugins
from costsim.cli import main
from costsim.errors import PluginError

SCENARIO = ("schema_version: 1\nname: p\nyears: {start: 2024, stop: 2025}\nparams:\n  rate_x: 2\n"
            "formulas:\n  value_x: \"rate_x * 1\"\noutputs: [value_x]\n"
            "checks:\n  - {claim: c, output: value_x, year: 2025, above: 100}\n")


@pytest.mark.parametrize("code", [0, 5, "'bye'"])
def test_sys_exit_at_load_is_a_plugin_error_with_its_line(tmp_path, capsys, code):
    plugin = tmp_path / f"exits_{abs(hash(str(code)))}.py"
    plugin.write_text(f"import sys\n\nsys.exit({code})\n", encoding="utf-8")
    scenario = tmp_path / "p.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    assert main(["run", "--plugin", str(plugin), str(scenario)]) == 2
    err = capsys.readouterr().err
    assert f"{plugin}:3" in err and "sys.exit(" in err and "__main__" in err


def test_the_api_raises_plugin_error_and_registers_nothing(tmp_path):
    plugin = tmp_path / "half.py"
    plugin.write_text("import sys\nfrom costsim.registry import model\n\n\n@model(outputs=('half_x',))\n"
                      "def red4_half(*, year, rate_x):\n    return {'half_x': rate_x * year}\n\n\nsys.exit(0)\n",
                      encoding="utf-8")
    from costsim.registry import MODELS

    with pytest.raises(PluginError, match="sys.exit"):
        plugins.load_plugin(plugin)
    assert "red4_half" not in MODELS


def test_ctrl_c_while_loading_is_still_an_interrupt(tmp_path):
    plugin = tmp_path / "ctrl_c.py"
    plugin.write_text("raise KeyboardInterrupt\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        plugins.load_plugin(plugin)


def test_a_plugin_reusing_a_builtin_name_is_refused_at_its_own_line(tmp_path, capsys):
    # plugins loaded before the built-ins: the built-in module was the one refused, with the
    # message "'x_per_year_from_doubling_time' is already defined in plugin:..." and no plugin line
    plugin = tmp_path / "override.py"
    plugin.write_text("from costsim.registry import model\n\n\n@model(outputs=('growth_x_per_year',))\n"
                      "def x_per_year_from_doubling_time(*, year, doubling_time_years):\n"
                      "    return {'growth_x_per_year': doubling_time_years * 0 + 1000.0}\n", encoding="utf-8")
    scenario = tmp_path / "p.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    assert main(["run", "--plugin", str(plugin), str(scenario)]) == 2
    err = capsys.readouterr().err
    assert f"{plugin}:4" in err and "already defined in builtin" in err
