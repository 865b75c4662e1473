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
    assert [(row["command"], row["what"]) for row in rows] == [
        ("docker build -t <image> <app>", "build it"), ("docker images <repository>", "list"),
        ("docker history <image>", cheatsheet.SUBCOMMANDS["history"]),  # no comment, no sentence: what the subcommand does
    ]
    assert re.search(r"^\| `docker images <repository>` \| list \| 01_demo \|$", cheatsheet.text([notebook]), re.M)


def test_rows_differing_only_by_names_are_one_row_and_every_row_says_what_it_does(tmp_path):
    first, second = tmp_path / "01_a.ipynb", tmp_path / "02_b.ipynb"
    first.write_text(json.dumps({"cells": [
        {"cell_type": "markdown", "source": ["Some text. Start it in the background:"]},
        {"cell_type": "code", "source": ["%docker run -d --name one img:1 sleep 9"]},
        {"cell_type": "code", "source": ["%docker stop -t 2 one  # stop it\n", "%docker rm one"]},
        {"cell_type": "code", "source": ["%docker exec one sh -c 'echo one'"]},
    ]}))
    second.write_text(json.dumps({"cells": [
        {"cell_type": "code", "source": ["%%docker\n", "run -d --name two img:2 sleep 9\n", "rm two  # remove it"]},
        {"cell_type": "code", "source": ["%docker run --rm alpine:3.20 ps"]},
    ]}))
    rows = cheatsheet.commands([first, second])
    assert [(row["command"], row["what"], row["notebook"]) for row in rows] == [
        ("docker run -d --name <container> img:1 sleep 9", "start it in the background", "01_a"),
        ("docker stop -t 2 <container>", "stop it", "01_a"),  # -t of stop is no image name
        ("docker rm <container>", "remove it", "01_a, 02_b"),  # merged: the first comment found, from a later notebook too
        ("docker exec <container> sh -c 'echo one'", cheatsheet.SUBCOMMANDS["exec"], "01_a"),  # quoted text kept as typed
        ("docker run -d --name <container> img:2 sleep 9", cheatsheet.SUBCOMMANDS["run"], "02_b"),
        ("docker run --rm alpine:3.20 ps", cheatsheet.SUBCOMMANDS["run"], "02_b"),
    ]


def test_the_course_cheat_sheet_has_a_description_on_every_row_and_no_near_duplicates():
    rows = cheatsheet.commands()
    assert rows and all(row["what"] for row in rows)
    forms = [row["command"] for row in rows]
    assert len(forms) == len(set(forms))
    assert "docker rm <container>" in forms and not any("stop-shell" in form or "run-kill" in form for form in forms)


def test_a_heredoc_cell_is_one_command_in_the_cheat_sheet():
    from dockerlab import cheatsheet

    assert cheatsheet._command_lines("%%docker\nbuild -t x - <<EOF\nFROM alpine:3.20\nRUN echo hi\nEOF\nimages x") == ["build -t x - <<EOF", "images x"]
