"""Notebooks are committed without outputs or execution counts (nbval-lax runs them; outputs come from the run)."""
import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parents[2] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_committed_without_outputs(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    dirty = [number for number, cell in enumerate(cells) if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert not dirty, f"{notebook.name}: cells {dirty} have outputs or execution counts; clear them before committing"


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 8


# nbval's markers that ask it to compare (or ignore) a cell's stored output: a comment line, or a cell tag
OUTPUT_MARKERS = ("NBVAL_CHECK_OUTPUT", "NBVAL_IGNORE_OUTPUT")
OUTPUT_TAGS = ("nbval-check-output", "nbval-ignore-output")


def output_markers(cell: dict) -> list[str]:
    """The nbval output markers a cell carries (comment lines of its source, or tags)."""
    source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
    comments = [line.strip().lstrip("#").strip() for line in source.splitlines() if line.strip().startswith("#")]
    tags = cell.get("metadata", {}).get("tags", [])
    return [marker for marker in OUTPUT_MARKERS if marker in comments] + [tag for tag in OUTPUT_TAGS if tag in tags]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_no_output_marker_on_a_cell_without_stored_output(notebook):
    # nbval compares a cell's new output with its stored one, and skips the comparison when nothing is stored:
    # on a committed notebook (no outputs) `# NBVAL_CHECK_OUTPUT` checks nothing and can never fail (issue 21).
    # What such a cell shows is asserted on the recorded data or on the engine instead (tests/unit/test_running_recorded.py).
    cells = json.loads(notebook.read_text())["cells"]
    marked = {number: output_markers(cell) for number, cell in enumerate(cells)
              if cell["cell_type"] == "code" and not cell.get("outputs") and output_markers(cell)}
    assert not marked, (f"{notebook.name}: cells {marked} carry an nbval output marker but no stored output, so nbval "
                        "compares nothing; remove the marker and assert what the cell shows in a unit test on data/recorded/ or an engine test")


def test_output_markers_are_found_as_comments_and_as_tags():
    assert output_markers({"source": ["# NBVAL_CHECK_OUTPUT\n", "print(1)\n"], "metadata": {}}) == ["NBVAL_CHECK_OUTPUT"]
    assert output_markers({"source": "print(1)", "metadata": {"tags": ["nbval-check-output"]}}) == ["nbval-check-output"]
    assert output_markers({"source": "print('NBVAL_CHECK_OUTPUT')", "metadata": {}}) == []
