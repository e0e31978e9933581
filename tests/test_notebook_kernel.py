"""The notebook tour, executed cell by cell in a real Jupyter kernel (nbclient + ipykernel).

examples/notebook_tour.py is a percent-format script (the source of truth, readable in a diff);
here it becomes an .ipynb in a temporary folder and runs in a kernel, as a user's notebook would:
the Results display as an HTML table, figures come back as images, and no cell raises.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest


TOUR = Path(__file__).resolve().parents[1] / "examples" / "notebook_tour.py"


def test_outside_a_kernel_importing_the_plots_neither_imports_ipython_nor_registers_anything():
    code = "import sys, costsim.plots as p; print('IPython' in sys.modules, p.show_in_notebook())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["False", "False"], out.stderr


def percent_to_notebook(text: str):
    """Cells of a percent-format script: '# %%' code cells, '# %% [markdown]' markdown cells."""
    nbformat = pytest.importorskip("nbformat")
    cells = []
    for chunk in re.split(r"^# %%", text, flags=re.M)[1:]:
        head, _, body = chunk.partition("\n")
        if "[markdown]" in head:
            cells.append(nbformat.v4.new_markdown_cell(
                "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in body.strip().splitlines())))
        else:
            cells.append(nbformat.v4.new_code_cell(body.strip()))
    return nbformat.v4.new_notebook(cells=cells)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    folder = tmp_path_factory.mktemp("nb")
    nb = percent_to_notebook(TOUR.read_text())
    # the tour finds the scenarios next to itself through __file__, which a kernel has not: cd there instead
    nb.cells.insert(0, nbformat.v4.new_code_cell(f"import os; os.chdir({str(TOUR.parent)!r})"))
    nb.cells.append(nbformat.v4.new_code_cell("res"))  # the last expression of a cell: the kernel displays it
    # a plot function's Axes as the cell's value: the picture, not "<Axes: ...>" (costsim draws without pyplot)
    nb.cells.append(nbformat.v4.new_code_cell("plots.fan(res, 'effective_flop')"))
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
    client.execute()
    nbformat.write(nb, folder / "notebook_tour.ipynb")
    return nb


def _outputs(nb, kind):
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
            if out.get("output_type") == kind]


def test_every_cell_of_the_tour_runs_in_a_kernel_without_an_error(executed):
    assert _outputs(executed, "error") == []
    code_cells = [c for c in executed.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code_cells)


def test_results_display_as_an_html_table_in_the_kernel(executed):
    html = [out["data"]["text/html"] for out in _outputs(executed, "execute_result") if "text/html" in out["data"]]
    assert html, "the Results object showed no HTML in the notebook"
    assert "effective_flop" in html[-1] and "<table" in html[-1]


def test_the_tour_prints_the_closed_form_probability_and_draws_a_figure(executed):
    text = "".join(out.get("text", "") for out in _outputs(executed, "stream"))
    match = re.search(r"P\(effective FLOP in 2030 > 1e29\) = (0\.\d+)", text)
    assert match and abs(float(match.group(1)) - 0.96) < 0.02  # R1's closed form: 0.9597
    last = executed.cells[-1]["outputs"]
    assert [out["output_type"] for out in last] == ["execute_result"]
    assert last[0]["data"]["image/png"], "a costsim Axes as a cell's value showed no picture"
    assert last[0]["data"]["text/plain"].startswith("<Axes")
