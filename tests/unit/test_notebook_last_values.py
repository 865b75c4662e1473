"""What a code cell shows as its value is meant for the learner: not the byte count `Path.write_text`
returns (a stray `20` under the cell), nor a raw Python list where a sentence or a table reads."""
import ast
import io
import json
import tokenize
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parents[2] / "notebooks").glob("*.ipynb"))
WRITES = {"write_text", "write_bytes", "write"}  # they return how much they wrote
LISTS = {"warnings", "rebound_ports"}  # ComposeProject's lists of notes: printed one a line in the notebooks


def hidden(source: str) -> bool:
    """IPython's rule: a cell whose last code token (comments aside) is `;` shows no value."""
    kinds = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.DEDENT, tokenize.INDENT)
    tokens = [token for token in tokenize.generate_tokens(io.StringIO(source).readline) if token.type not in kinds]
    return bool(tokens) and tokens[-1].string == ";"


def last_values(notebook: Path):
    for number, cell in enumerate(json.loads(notebook.read_text())["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        if any(line.lstrip().startswith(("%", "!")) for line in source.splitlines()):
            continue  # magics: not Python ast can read, and they show their own output
        if hidden(source):
            continue
        body = ast.parse(source).body
        if body and isinstance(body[-1], ast.Expr):
            yield number, body[-1].value


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_no_cell_shows_a_write_count_or_a_raw_list_of_notes(notebook):
    shown = []
    for number, value in last_values(notebook):
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in WRITES:
            shown.append((number, f".{value.func.attr}(...) shows the count it returns: end the line with ;"))
        if isinstance(value, ast.Attribute) and value.attr in LISTS:
            shown.append((number, f".{value.attr} shows a Python list: print its items"))
    assert not shown, shown
