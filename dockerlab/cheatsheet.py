"""The cheat sheet: every docker command the course's notebooks type in a `%docker` cell, one row per
command form, generated from the notebooks so it cannot drift from them (`dockerlab cheatsheet` writes it).

Commands that differ only by the names the notebooks give (containers, images, networks, volumes) are one
row, with those names as ``<container>``, ``<image>``...; each row says what the command does: the
trailing ``# comment`` of its first `%docker` line, else the sentence of the markdown cell just before
a one-command cell, else what that docker subcommand does."""
from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from .magics import cell_commands, expand  # what %docker fills in from the notebook is what becomes a <placeholder>
from .paths import COURSE_ROOT, numbered_notebooks

__all__ = ["CHEATSHEET", "SUBCOMMANDS", "commands", "names", "form", "text", "write"]

CHEATSHEET = COURSE_ROOT / "notebooks" / "cheatsheet.md"
_MAGIC = re.compile(r"^%%?docker\s*(.*)$")

# What each docker subcommand does: the description of a row whose lines have no comment or sentence.
SUBCOMMANDS = {
    "build": "build an image from a folder and its Dockerfile",
    "images": "list the images here, with their tags and sizes",
    "history": "an image's layers, newest first, with the instruction that made each",
    "run": "create and start a container from an image",
    "ps": "list the running containers",
    "exec": "run a command inside a running container",
    "diff": "what a container changed in its writable layer: A added, C changed, D deleted",
    "inspect": "fields of a container's or image's record (--format picks them)",
    "image inspect": "fields of an image's record (--format picks them)",
    "logs": "what a container's main process printed",
    "top": "a container's processes, as the host sees them",
    "stop": "stop a container: SIGTERM to PID 1, then SIGKILL after a grace period",
    "kill": "SIGKILL a container's main process now",
    "wait": "wait until a container stops; prints its exit code",
    "port": "a container's published ports",
    "rm": "remove a stopped container (-f: even a running one)",
    "rmi": "remove an image's name (the image goes with its last name)",
    "tag": "give an image another name",
    "push": "upload an image's layers and manifest to a registry",
    "pull": "download an image from a registry",
    "network create": "create a user-defined network",
    "network rm": "remove a network",
    "volume create": "create a named volume",
    "volume rm": "remove a volume",
    "system df": "what images, containers, volumes and the build cache take on disk",
    "compose": "run a Compose stack's command",
}
_NAMING = {"--name": "container", "network create": "network", "volume create": "volume"}
_BUILD_NAMING = {"-t": "image", "--tag": "image"}  # `-t` names an image in `docker build` only (`docker stop -t 2`)
_QUOTED = re.compile(r"(\"[^\"]*\"|'[^']*')")


def _placeholder(expression: str) -> str:
    """`{app}` -> `<app>`, `{registry.host}` -> `<registry.host>`: what the notebook fills in."""
    return f"<{expression.strip()}>"


def _command_lines(source: str) -> list[str]:
    """The docker command lines of one cell: `%docker ...` lines, or every line of a `%%docker` cell."""
    lines = source.splitlines()
    if lines and lines[0].startswith("%%docker"):  # as the magic reads it: a heredoc's text is its command's stdin
        lines = [lines[0][len("%%docker"):], *(command + (" <<EOF" if stdin is not None else "")
                                               for command, stdin in cell_commands("\n".join(lines[1:])))]
    else:
        lines = [match.group(1) for match in map(_MAGIC.match, lines) if match]
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def _words(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:
        return command.split()


def _subcommand(words: list[str]) -> str:
    """`run`, `network create`, `compose`: the key of SUBCOMMANDS for a command's words (after `docker`)."""
    plain = [word for word in words[1:] if not word.startswith("-")]
    two = " ".join(plain[:2])
    return two if two in SUBCOMMANDS else (plain[0] if plain else "")


def names(lines: list[str]) -> dict[str, str]:
    """The names the commands give (name -> kind): ``--name`` containers, ``-t``/``tag`` images and their
    repositories, created networks and volumes.
    Returns a dict. Raises nothing (a line the shell cannot split is split at spaces)."""
    found: dict[str, str] = {}
    for command in lines:
        words = _words(command)
        naming = {**_NAMING, **(_BUILD_NAMING if _subcommand(words) == "build" else {})}
        if _subcommand(words) == "tag" and len(words) > 3:
            found[words[3]] = "image"
        for position, word in enumerate(words[:-1]):
            kind = naming.get(word) or naming.get(" ".join(words[position - 1: position + 1]) if position else "")
            if kind:
                found[words[position + 1]] = kind
    for name, kind in list(found.items()):
        if kind == "image" and ":" in name.rsplit("/", 1)[-1]:
            found.setdefault(name.rsplit(":", 1)[0], "repository")
    return found


def form(command: str, given: dict[str, str]) -> str:
    """``command`` with each name the course gave replaced by its kind (``docker rm <container>``); text
    in quotes (a command run inside, a --format template) is left as typed. Returns a str. Raises nothing."""
    parts = _QUOTED.split(command)
    for index in range(0, len(parts), 2):  # the even parts are outside quotes
        for name in sorted(given, key=len, reverse=True):
            parts[index] = re.sub(rf"(?<![\w.:/<>-]){re.escape(name)}(?![\w.<>-]|:[\w.-])", f"<{given[name]}>", parts[index])
    return "".join(parts)


def _sentence(markdown: str) -> str:
    """The last sentence of a markdown cell (a heading or a code line is no sentence)."""
    lines = [line for line in markdown.strip().splitlines() if line.strip() and not line.lstrip().startswith(("#", "%", "```"))]
    if not lines:
        return ""
    sentence = re.split(r"(?<=[.!?:])\s+", lines[-1].strip())[-1].rstrip(".:").strip()
    return sentence[:1].lower() + sentence[1:] if sentence[1:2].islower() else sentence  # a row reads as a phrase


def _lines_of(notebook: Path) -> list[dict]:
    """Each command line of a notebook's `%docker` cells: command (notebook values as <name>), what, notebook."""
    found = []
    previous = None
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] == "code":
            lines = _command_lines("".join(cell["source"]))
            before = _sentence("".join(previous["source"])) if previous and previous["cell_type"] == "markdown" and len(lines) == 1 else ""
            for line in lines:
                command, _, what = line.partition("  # ")
                command = "docker " + expand(command.strip().removeprefix("docker "), _placeholder)
                found.append({"command": command, "what": what.strip() or before, "notebook": notebook.stem})
        previous = cell
    return found


def commands(notebooks: list[Path] | None = None) -> list[dict]:
    """One row per command form of the notebooks' `%docker`/`%%docker` cells, in course order.

    Returns:
        Rows (dicts): command (the form: notebook values and the names the course gives as <...>), what
        (what it does, never empty), notebook (where it is typed, the first notebook first, comma separated).

    Raises:
        OSError for a notebook that cannot be read, ValueError (json.JSONDecodeError) for one that is not
        JSON, and KeyError for JSON without the cells of a notebook."""
    lines = [line for notebook in (notebooks or numbered_notebooks(COURSE_ROOT / "notebooks")) for line in _lines_of(notebook)]
    given = names([line["command"] for line in lines])
    rows: dict[str, dict] = {}
    for line in lines:
        shown = form(line["command"], given)
        row = rows.setdefault(shown, {"command": shown, "what": "", "notebook": line["notebook"]})
        row["what"] = row["what"] or line["what"]
        if line["notebook"] not in row["notebook"].split(", "):
            row["notebook"] += f", {line['notebook']}"
    for row in rows.values():
        row["what"] = row["what"] or SUBCOMMANDS.get(_subcommand(_words(row["command"])), "a docker command")
    return list(rows.values())


def text(notebooks: list[Path] | None = None) -> str:
    """The cheat sheet as Markdown.

    Returns:
        Its text.

    Raises:
        What :func:`commands` raises (OSError, ValueError or KeyError for a notebook that cannot be read as one)."""
    rows = commands(notebooks)
    lines = [
        "# Docker commands used in this course",
        "",
        "Every command the notebooks type in a `%docker` cell, one row per form, in the order the course meets them.",
        "`<container>`, `<image>`, `<repository>`, `<network>` and `<volume>` stand for the names the notebooks give;",
        "in a terminal, replace `<app>` (and the other `<...>`) with the folder or value the notebook names.",
        "Generated from the notebooks by `dockerlab cheatsheet`: do not edit by hand.",
        "",
        "| command | what it does | notebook |",
        "|---|---|---|",
    ]
    lines += ["| `{}` | {} | {} |".format(*(row[key].replace("|", "\\|") for key in ("command", "what", "notebook"))) for row in rows]
    return "\n".join(lines) + "\n"


def write(path: Path = CHEATSHEET) -> Path:
    """Write the cheat sheet (default notebooks/cheatsheet.md).

    Returns:
        The path written.

    Raises:
        What :func:`text` raises, and OSError when ``path`` cannot be written."""
    path.write_text(text())
    return path
