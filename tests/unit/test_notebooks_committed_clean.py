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
