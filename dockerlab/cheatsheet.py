"""The cheat sheet: every docker command the course's notebooks type in a `%docker` cell, one line
each, generated from the notebooks so it cannot drift from them (`dockerlab cheatsheet` writes it)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from .magics import PYTHON_VALUE  # what %docker fills in from the notebook is what becomes a <placeholder>
from .paths import COURSE_ROOT, numbered_notebooks

__all__ = ["CHEATSHEET", "commands", "text", "write"]

CHEATSHEET = COURSE_ROOT / "notebooks" / "cheatsheet.md"
_MAGIC = re.compile(r"^%%?docker\s*(.*)$")


def _placeholder(match: re.Match) -> str:
    """`{app}` -> `<app>`, `{registry.host}` -> `<registry.host>`: what the notebook fills in."""
    return f"<{match.group(1).strip()}>"


def _command_lines(source: str) -> list[str]:
    """The docker command lines of one cell: `%docker ...` lines, or every line of a `%%docker` cell."""
    lines = source.splitlines()
    if lines and lines[0].startswith("%%docker"):
        lines = [lines[0][len("%%docker"):], *lines[1:]]
    else:
        lines = [match.group(1) for match in map(_MAGIC.match, lines) if match]
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def commands(notebooks: list[Path] | None = None) -> list[dict]:
    """Each distinct command of the notebooks' `%docker`/`%%docker` cells, in course order.
    Rows (dicts): command (as typed, notebook values as <name>), what (its trailing comment), notebook."""
    found: dict[str, dict] = {}
    for notebook in notebooks or numbered_notebooks(COURSE_ROOT / "notebooks"):
        for cell in json.loads(notebook.read_text())["cells"]:
            if cell["cell_type"] == "code":
                for line in _command_lines("".join(cell["source"])):
                    command, _, what = line.partition("  # ")
                    command = "docker " + PYTHON_VALUE.sub(_placeholder, command.strip().removeprefix("docker "))
                    found.setdefault(command, {"command": command, "what": what.strip(), "notebook": notebook.stem})
    return list(found.values())


def text(notebooks: list[Path] | None = None) -> str:
    """The cheat sheet as Markdown."""
    rows = commands(notebooks)
    lines = [
        "# Docker commands used in this course",
        "",
        "Every command the notebooks type in a `%docker` cell, in the order the course meets them. In a terminal, replace",
        "`<app>` (and the other `<...>`) with the folder or value the notebook names. Generated from the notebooks by",
        "`dockerlab cheatsheet`: do not edit by hand.",
        "",
        "| command | what it does | notebook |",
        "|---|---|---|",
    ]
    lines += ["| `{}` | {} | {} |".format(row["command"].replace("|", "\\|"), row["what"], row["notebook"]) for row in rows]
    return "\n".join(lines) + "\n"


def write(path: Path = CHEATSHEET) -> Path:
    """Write the cheat sheet (default notebooks/cheatsheet.md); returns the path."""
    path.write_text(text())
    return path
