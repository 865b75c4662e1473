"""The cheat sheet is generated from the notebooks' %docker cells, so it cannot drift from them."""
import json
import re

from dockerlab import cheatsheet
from dockerlab.paths import notebook_number, numbered_notebooks

NOTEBOOKS = [path for path in numbered_notebooks() if "01" <= notebook_number(path.name) <= "06"]  # 01, 02, 02a, 03 ... 06


def docker_lines(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    return [line for cell in cells if cell["cell_type"] == "code" for line in cheatsheet._command_lines("".join(cell["source"]))]


def test_the_committed_cheat_sheet_is_the_generated_one():
    assert cheatsheet.CHEATSHEET.read_text() == cheatsheet.text(), "run `dockerlab cheatsheet` and commit notebooks/cheatsheet.md"


def test_every_notebook_01_to_06_types_docker_commands():
    counts = {notebook.stem: len(docker_lines(notebook)) for notebook in NOTEBOOKS}
    assert len(counts) == 7 and "02a_running_containers" in counts and all(counts.values()), counts
    assert sum(counts.values()) >= 25, counts


def test_cell_forms_and_placeholders(tmp_path):
    notebook = tmp_path / "01_demo.ipynb"
    cells = [
        {"cell_type": "code", "source": ["%docker build -t a:1 {app}  # build it\n", "x = 1"]},
        {"cell_type": "code", "source": ["%%docker\n", "images a  # list\n", "# a comment line\n", "history a:1"]},
        {"cell_type": "markdown", "source": ["%docker not code"]},
    ]
    notebook.write_text(json.dumps({"cells": cells}))
    rows = cheatsheet.commands([notebook])
    assert [(row["command"], row["what"]) for row in rows] == [("docker build -t a:1 <app>", "build it"), ("docker images a", "list"), ("docker history a:1", "")]
    assert re.search(r"^\| `docker images a` \| list \| 01_demo \|$", cheatsheet.text([notebook]), re.M)
