"""`%docker` and `%%docker`: the docker command a learner types, run for real (or replayed), in a notebook.

``import dockerlab`` registers them in a running IPython kernel (so does ``%load_ext dockerlab``)::

    %docker build -t hello:1 {app}
    %docker run --rm hello:1
    %%docker
    images hello
    history hello:1

Live, the real docker CLI runs and its output streams into the cell: ``docker build`` through the
builder :func:`dockerlab.buildkit.choice` picks (BuildKit, plain progress). What the command creates
carries the course's labels (one line says so), so `dockerlab clean` can remove it, and a
``-p HOST:CONTAINER`` without an address is published on 127.0.0.1 only. The result (command,
output, exit code, seconds) is the cell's value (``_``) for the next cell to measure. A command that
fails shows its output and exit code, never a Python traceback. In recorded mode the same cell
replays the output recorded on a real engine; a command that was not recorded says so, for a learner.

Each line is one docker command, run without a shell: a pipe, ``&&``, ``;``, a redirection or ``$(...)``
outside quotes is refused with one line saying where it runs (a terminal, ``!docker``, ``%%bash``). In a
``%%docker`` cell a line ending ``<<EOF`` reads the lines up to ``EOF`` as its stdin (``build -t x - <<EOF``).
"""
from __future__ import annotations

import dataclasses
import difflib
import html
import json
import os
import queue
import re
import shlex
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from collections.abc import Sequence

from pathlib import Path

from . import buildkit, tagbook
from .builder import undo_failed_build
from .compose import ComposeProject
from .errors import DockerlabError, RecordingMissing
from .interrupts import held
from .hosting import running_shell
from .labels import CALL_LABEL, CREATED_LABEL, CREATED_LABELS, built_labels
from .recording import RECORDED, current, recordable, session
from .theme import ERROR, SUCCESS, status_css

__all__ = ["CommandResult", "docker", "split", "shell_syntax", "cell_commands", "equivalent", "unknown_command", "prepare_command", "as_typed", "load_ipython_extension"]


@dataclass
class CommandResult:
    """One docker command as it ran: the command typed, what ran (with the course's additions),
    output (the course's notes, then stdout and stderr interleaved as a terminal shows them), exit
    code, wall seconds (s), and stdout and stderr each on its own (what `docker ... > out 2> err`
    would keep: an id or a table in stdout, progress and errors in stderr)."""

    command: str
    ran: str
    output: str
    exit_code: int
    seconds: float
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def __repr__(self) -> str:
        return f"docker {self.command}: exit {self.exit_code} in {self.seconds:.1f} s"

    def _repr_html_(self) -> str:
        colour = SUCCESS if self.ok else ERROR
        return f"<p style='{status_css(colour)}'><code>docker {html.escape(self.command)}</code>: exit {self.exit_code} in {self.seconds:.1f} s</p>"


_CREATING = {("run",), ("create",), ("container", "run"), ("container", "create"), ("network", "create"), ("volume", "create")}
_BUILDING = {("build",), ("image", "build"), ("buildx", "build"), ("builder", "build")}


# The docker CLI's own options (before the command): those that take a value, and those that do not.
_GLOBAL_VALUE_OPTIONS = {"-c", "--config", "--context", "-H", "--host", "-l", "--log-level", "--tlscacert", "--tlscert", "--tlskey"}
_GROUPS = {
    "network": "connect create disconnect inspect ls list prune rm remove",
    "volume": "create inspect ls list prune rm remove",
    "image": "build history import inspect load ls list prune pull push rm remove save tag",
    "container": "attach commit cp create diff exec export inspect kill logs ls list pause port prune rename restart rm remove run "
                 "start stats stop top unpause update wait",
    "builder": "build prune", "buildx": "bake build create du imagetools inspect ls prune rm stop use version",
    "system": "df events info prune", "context": "create export import inspect ls rm update use",
}
_COMMANDS = set(_GROUPS) | set(
    "attach build commit compose config cp create diff events exec export history images import info inspect kill load login "
    "logout logs manifest node pause plugin port ps pull push rename restart rm rmi run save scan search secret service stack "
    "start stats stop swarm tag top trust unpause update version wait checkpoint scout sbom init debug".split())


def _command_start(words: list[str]) -> int:
    """Where the docker command begins in ``words``: after the CLI's own options and their values
    (``--log-level error``, ``-H unix:///...``, ``-D``). Returns an index (len(words) when none)."""
    index = 0
    while index < len(words) and words[index].startswith("-"):
        option, equals, _ = words[index].partition("=")
        index += 2 if option in _GLOBAL_VALUE_OPTIONS and not equals else 1
    return index


def _subcommand(words: list[str]) -> tuple[str, ...]:
    """The docker subcommand words (`run`, `network create`), after the CLI's own options and their values."""
    start = _command_start(words)
    if start >= len(words):
        return ()
    first = words[start]
    if first in _GROUPS:
        second = next((word for word in words[start + 1:] if not word.startswith("-")), None)
        return (first, second) if second else (first,)
    return (first,)


def unknown_command(words: list[str]) -> str | None:
    """A line saying the command is not a docker command, with the nearest one (``biuld``: did you mean
    `build`?), or None when it is one (or no command is given). Returns a str or None. Raises nothing."""
    words = list(words[1:] if words[:1] == ["docker"] else words)
    sub = _subcommand(words)
    if not sub:
        return None
    if sub[0] not in _COMMANDS:
        typed, known = sub[0], sorted(_COMMANDS)
    elif len(sub) == 2 and sub[0] in _GROUPS and sub[1] not in _GROUPS[sub[0]].split():
        typed, known = " ".join(sub), [f"{sub[0]} {word}" for word in _GROUPS[sub[0]].split()]
    else:
        return None
    nearest = difflib.get_close_matches(typed, known, n=1, cutoff=0.5)
    hint = f": did you mean `{nearest[0]}`?" if nearest else " (`docker --help` lists them)."
    return f"`{typed}` is not a docker command{hint}"


# `docker run`/`create` options that take no value; every other option takes the next word (as the CLI reads them).
_FLAGS = {"--detach", "--rm", "--interactive", "--tty", "--init", "--privileged", "--publish-all", "--read-only",
          "--no-healthcheck", "--oom-kill-disable", "--quiet", "--sig-proxy",
          "--no-TTY", "--service-ports", "--use-aliases", "--no-deps", "--build", "--remove-orphans", "--quiet-pull"}  # (compose run's)
_SHORT_FLAGS = set("ditPqT")  # -d -i -t -P -q (and compose run's -T); they cluster (-dit, -dp 8080:80)
_PORTS = re.compile(r"^(?:\d+(?:-\d+)?:)?\d+(?:-\d+)?(?:/(?:tcp|udp|sctp))?$")


def _build_tag(rest: list[str]) -> str | None:
    """The first tag a `docker build` command names (-t NAME, -tNAME, --tag NAME, --tag=NAME), or None."""
    for index, word in enumerate(rest):
        if word in ("-t", "--tag"):
            return rest[index + 1] if index + 1 < len(rest) else None
        if word.startswith("--tag="):
            return word.split("=", 1)[1]
        if word.startswith("-t") and not word.startswith("--"):
            return word[2:].removeprefix("=")
    return None


def _option(word: str) -> tuple[str | None, bool]:
    """(the publish value carried in this word, whether the option takes the next word as its value)."""
    if word.startswith("--"):
        if word.startswith("--publish="):
            return word.split("=", 1)[1], False
        return None, "=" not in word and word not in _FLAGS
    letters = word[1:]
    for position, letter in enumerate(letters):
        if letter in _SHORT_FLAGS:
            continue
        rest = letters[position + 1:].removeprefix("=")
        return (rest or None) if letter == "p" else None, not rest  # -p8080:80, -p=8080:80, or -p then the value
    return None, False


_CONTAINER_MAKING = {("run",), ("create",), ("container", "run"), ("container", "create")}
_VOLUME_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+")  # the engine's rule; anything else is a path on the host


def named_volumes(words: list[str]) -> list[str]:
    """The named volumes a `docker run`/`create` command mounts (``-v NAME:/path``, ``--volume``,
    ``--mount type=volume,source=NAME``), in order, once each; none for other commands. A bind mount
    (a path) and an anonymous volume (``-v /path``) are not named volumes."""
    words = list(words)
    if words[:1] == ["docker"]:
        words = words[1:]
    sub = _subcommand(words)
    if sub not in _CONTAINER_MAKING:
        return []
    rest = words[words.index(sub[-1]) + 1:]
    found: list[str] = []
    index = 0
    while index < len(rest) and rest[index].startswith("-") and rest[index] != "-":  # options end at the image
        word = rest[index]
        _, takes_value = _option(word)
        following = rest[index + 1] if index + 1 < len(rest) else ""
        option, equals, attached = word.partition("=")
        value, kind = None, None
        if option in ("--volume", "--mount"):
            value, kind = (attached if equals else following), option
        elif not word.startswith("--"):
            letters = word[1:]
            for position, letter in enumerate(letters):
                if letter in _SHORT_FLAGS:
                    continue
                if letter == "v":
                    value, kind = letters[position + 1:].removeprefix("=") or following, "--volume"
                break
        if kind == "--volume" and value and ":" in value:
            source = value.split(":", 1)[0]
        elif kind == "--mount" and value:
            fields = dict(part.split("=", 1) for part in value.split(",") if "=" in part)
            source = (fields.get("source") or fields.get("src") or "") if fields.get("type", "volume") == "volume" else ""
        else:
            source = ""
        if _VOLUME_NAME.fullmatch(source) and source not in found:
            found.append(source)
        index += 2 if takes_value else 1
    return found


def _publish_locally(value: str) -> tuple[str, bool]:
    """`8080:80` -> `127.0.0.1:8080:80`, `80` -> `127.0.0.1::80` (a free port), ranges too; a value
    that names an address is left as it is."""
    if not _PORTS.match(value):
        return value, False
    return (f"127.0.0.1:{value}" if ":" in value else f"127.0.0.1::{value}"), True


_SHELL_OPERATORS = {"&&": "a second command", "||": "a second command", "<<": "a here-document", "$(": "a command substitution",
                    "`": "a command substitution", "|": "a pipe", ";": "a second command", "&": "a background job",
                    ">": "a redirection", "<": "a redirection", "(": "a subshell", ")": "a subshell"}


def shell_syntax(line: str) -> str | None:
    """The first piece of shell syntax (``|``, ``&&``, ``;``, ``>``, ``<<``, ``$(``, a backtick...) outside
    quotes in a command line, or None. Quoted, it is an argument (``sh -c 'a | b'`` is for the container's
    shell); after a `` #`` comment it is not read. Raises nothing."""
    quote, index = None, 0
    while index < len(line):
        char = line[index]
        if quote == "'":
            quote = None if char == "'" else quote
        elif quote == '"':
            if char == "\\":
                index += 1
            elif char == '"':
                quote = None
        elif char == "\\":
            index += 1
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return None
        else:
            for operator in _SHELL_OPERATORS:
                if line.startswith(operator, index):
                    return operator
        index += 1
    return None


def split(line: str) -> list[str]:
    """The words of a command line, as a shell splits them (a leading `docker` dropped, a `# comment`
    at the end left out). Raises DockerlabError when the line cannot be split (e.g. an unclosed quote)
    or holds shell syntax (a pipe, ``&&``, a redirection, ``$(...)``): the magic runs one docker
    command without a shell, and the error says where such a line runs instead."""
    operator = shell_syntax(line)
    if operator is not None:
        raise DockerlabError(
            f"%docker runs one docker command without a shell, so `{operator}` ({_SHELL_OPERATORS[operator]}) cannot run here: "
            "type the line in a JupyterLab terminal, or run it as `!docker ...` or in a %%bash cell"
            + (" (or in a %%docker cell, with the text on the lines below it, up to EOF)." if operator == "<<" else "."))
    try:
        words = shlex.split(line, comments=True)
    except ValueError as error:
        raise DockerlabError(f"Cannot read the command `{line}`: {error}.", fix="Check its quotes.") from None
    return words[1:] if words[:1] == ["docker"] else words


def _publish_on_localhost(rest: list[str], notes: list[str]) -> list[str]:
    """`run`/`create` options with every -p HOST:CONTAINER bound to 127.0.0.1 (options end at the image)."""
    index = 0
    while index < len(rest) and rest[index].startswith("-") and rest[index] != "-":  # options end at the image
        word = rest[index]
        value, takes_value = _option(word)
        at = index
        if takes_value and index + 1 < len(rest) and (word == "--publish" or not word.startswith("--") and word.endswith("p")):
            value, at = rest[index + 1], index + 1
        if value is not None:
            local, changed = _publish_locally(value)
            if changed:
                rest[at] = local if at != index else word[: len(word) - len(value)] + local
                notes.append(f"-p {value} is published as {local}: on 127.0.0.1 only, so nothing outside this machine can reach it")
        if word in ("-P", "--publish-all") or (not word.startswith("--") and "P" in word[1:]):
            notes.append("-P publishes every exposed port on all of this machine's addresses; the course publishes on 127.0.0.1: use -p 127.0.0.1::PORT instead")
        index += 2 if takes_value else 1
    return rest


def prepare_command(words: list[str]) -> tuple[list[str], dict[str, str], list[str]]:
    """(argv, environment additions, notes) for a docker command's words as a learner typed them.

    Adds the course's labels to what the command creates, binds published ports to 127.0.0.1, and
    runs `docker build` through the builder the course uses. Raises DockerlabError for no words."""
    words = list(words)
    if words[:1] == ["docker"]:
        words = words[1:]
    if not words:
        raise DockerlabError("No docker command given.", fix="For example: %docker images")
    sub = _subcommand(words)
    notes: list[str] = []
    environment: dict[str, str] = {}
    position = words.index(sub[-1]) + 1 if sub else 0
    added: list[str] = []
    if sub[:1] == ("compose",):
        return _compose_command(words[1:], notes)
    if sub in _BUILDING:
        chosen = buildkit.choice()
        prefix = list(chosen.command) or ["docker", "build"]
        environment = dict(chosen.env) if chosen.buildkit else {"DOCKER_BUILDKIT": "0"}
        labels = built_labels(_build_tag(words[position:]))
        added = [f"--label={key}={value}" for key, value in labels.items()]
        if chosen.buildkit and not any(word.startswith("--progress") for word in words):
            added.append("--progress=plain")
        if not chosen.buildkit and "--force-rm" not in words:
            added.append("--force-rm")  # the classic builder keeps a failed RUN's container otherwise (BuildKit never does)
        notes.append(f"built with {chosen}; the image is labelled {', '.join(f'{k}={v}' for k, v in labels.items())} so `dockerlab clean` can remove it")
        return [*prefix, *added, *words[position:]], environment, notes
    if sub in _CREATING:
        added = [f"--label={key}={value}" for key, value in CREATED_LABELS.items()]
        notes.append(f"labelled {', '.join(f'{k}={v}' for k, v in CREATED_LABELS.items())} so `dockerlab clean` can remove it")
    rest = words[position:]
    if sub in {("run",), ("create",), ("container", "run"), ("container", "create")}:
        rest = _publish_on_localhost(list(rest), notes)
    return ["docker", *words[:position], *added, *rest], environment, notes


_COMPOSE_VALUE_OPTIONS = {"-f", "--file", "--project-directory", "-p", "--project-name", "--env-file", "--profile"}


def _compose_command(words: list[str], notes: list[str]) -> tuple[list[str], dict[str, str], list[str]]:
    """`docker compose [-f FILE] [--project-directory DIR] COMMAND ...` run on the file as the course
    renders it (dl.compose): every container, network and volume labelled, ports on 127.0.0.1, and the
    project named as dl.compose.project names it, so `%docker compose` and dl.compose see one stack."""
    file, directory, index = "compose.yaml", None, 0
    while index < len(words) and words[index].startswith("-"):
        option, _, attached = words[index].partition("=")
        value = attached or (words[index + 1] if option in _COMPOSE_VALUE_OPTIONS and index + 1 < len(words) else None)
        if option in ("-f", "--file"):
            file = value
        elif option == "--project-directory":
            directory = value
        elif option in ("-p", "--project-name", "--env-file", "--profile"):
            raise DockerlabError(f"`docker compose {option}` is not supported in %docker.", fix="Use dl.compose.project(folder, file, name=...) for that.")
        index += 1 if attached or option not in _COMPOSE_VALUE_OPTIONS else 2
    if not words[index:]:
        raise DockerlabError("No compose command given.", fix="For example: %docker compose -f compose.yaml up -d")
    path = Path(file) if Path(file).is_absolute() or directory is None else Path(directory) / file
    project = ComposeProject(directory or path.parent, path.name if directory is None else file)
    notes.append(f"run as Compose project {project.name}: containers, networks and volumes labelled so `dockerlab clean` can remove them")
    notes += [f"{rebound}" for rebound in project.rebound_ports]
    command = list(words[index:])
    if command[0] == "run":  # `compose run -p 8089:80 SERVICE`: a port it publishes is local too, as the file's are
        command = ["run", *_publish_on_localhost(command[1:], notes)]
    argv = [*project.command, "-p", project.name, "-f", str(project.rendered), "--project-directory", str(project.directory), *command]
    return argv, {}, notes


@recordable("docker", version=2)
def docker(words: list[str], *, stdin: str | None = None, progress: bool = True) -> CommandResult:
    """Run one docker command (its words, as :func:`split` gives them) as a learner typed it (see
    :func:`prepare_command`), reading ``stdin`` (text, e.g. a heredoc's Dockerfile for
    ``build -``; None: nothing); with ``progress`` its output streams as it comes. Returns a
    :class:`CommandResult`; a failing command is a result with its exit code, not an exception (a failed or
    interrupted `build -t T` first takes T off the course's earlier build of it, as dl.build does, and says so).
    Raises DockerlabError when there is no command or the docker CLI is missing. Recorded by its
    words: a course file or folder among them is keyed by its content, wherever the course lives."""
    argv, additions, notes = prepare_command(words)
    if progress:
        for note in notes:
            print(f"[dockerlab] {note}")
    # A container the command creates carries a mark of this call (not shown in the result's command: it is
    # the course's bookkeeping), so on Ctrl-C it is removed with the CLI, not left running or *Created*.
    mark = uuid.uuid4().hex
    created = f"--label={CREATED_LABEL}={CREATED_LABELS[CREATED_LABEL]}"
    marked = [word for arg in argv for word in ([arg, f"--label={CALL_LABEL}={mark}"] if arg == created else [arg])]
    # The named volumes it mounts that do not exist yet are made here, labelled for the course (the engine
    # would make them unlabelled, out of `dockerlab clean`'s reach), and removed again when the command
    # fails or is interrupted, as dl.start does.
    made = _make_volumes(named_volumes(words)) if marked != argv else []  # on Ctrl-C it removes what it made
    started = time.perf_counter()
    process = _start(marked, additions, stdin, made)
    lines: list[str] = []
    kept: dict[str, list[str]] = {"stdout": [], "stderr": []}
    try:
        for stream, text in _lines_as_they_come(process):
            if buildkit.VERTEX_DIGEST.match(text):
                continue
            lines.append(text)
            kept[stream].append(text)
            if progress:
                print(text, end="", flush=True)
        code = process.wait()
    except BaseException:
        _stop(process)
        if marked != argv:
            with held():
                _remove_marked(mark)
                time.sleep(0.5)  # the engine may finish a create the CLI had asked for after the first search
                _remove_marked(mark)
                _remove_volumes(made)
        print(_noted(_build_undone(words, additions, lines)), end="")
        raise
    finally:
        process.stdout.close()
        process.stderr.close()
    _book_course_tags(words, code)
    after = _after(code, mark, made, words) if marked != argv else []
    after += _build_undone(words, additions, lines) if code != 0 else []
    if progress:
        for note in after:
            print(f"[dockerlab] {note}")
    return CommandResult(shlex.join(words), shlex.join(argv), _noted(notes) + "".join(lines) + _noted(after), code, time.perf_counter() - started,
                         "".join(kept["stdout"]), "".join(kept["stderr"]))


def _stop(process: subprocess.Popen) -> None:
    """Stop an interrupted command: SIGTERM (the CLI passes it on to the container it runs, `docker run` without
    -d; a build is cancelled), SIGKILL after 10 s. Returns once it has ended. Raises nothing."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _build_undone(words: list[str], additions: dict[str, str], lines: list[str]) -> list[str]:
    """After a `docker build` (its ``words``, as typed) failed or was interrupted, keep dl.build's promise
    (:func:`dockerlab.builder.undo_failed_build`): each -t tag no longer names the course's earlier build of it,
    and a classic build's intermediate images (named in its output ``lines``) are removed. ``additions``: the
    environment the command ran with (DOCKER_BUILDKIT=0 is the classic builder). Returns the notes to show
    (none for any other command). Raises nothing (a Ctrl-C meanwhile waits)."""
    if _subcommand(list(words[1:] if words[:1] == ["docker"] else words)) not in _BUILDING:
        return []
    return undo_failed_build(_made_tags(words), lines if additions.get("DOCKER_BUILDKIT") == "0" else ())


def _start(argv: list[str], additions: dict[str, str], stdin: str | None, made: list[str]) -> subprocess.Popen:
    """The command started, its output on pipes and ``stdin`` (text, or None: nothing) fed to it. Returns the
    process. Raises DockerlabError when its program is not installed, and KeyboardInterrupt on a Ctrl-C
    meanwhile: either way after removing the volumes ``made`` for it (nothing uses them)."""
    try:
        process = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
            text=True, errors="replace", env={**os.environ, **additions}, bufsize=1,
        )
    except FileNotFoundError:
        _remove_volumes(made)
        raise DockerlabError(f"The docker CLI ({argv[0]}) is not installed here.", fix="Install Docker (the CLI comes with it).") from None
    except BaseException:
        with held():
            _remove_volumes(made)
        raise
    if stdin is not None:
        threading.Thread(target=_feed, args=(process.stdin, stdin), daemon=True).start()  # never waits on the output pipes
    return process


def _feed(pipe, text: str) -> None:
    """Write ``text`` to a process's stdin and close it. Raises nothing (a process that exits first)."""
    try:
        pipe.write(text)
        pipe.close()
    except (OSError, ValueError):
        pass


_TAGGING = {("tag",), ("image", "tag"), ("pull",), ("image", "pull")}


def _made_tags(words: list[str]) -> list[str]:
    """The tags a successful docker command (its words, as typed) put on an image: `tag SOURCE TARGET` the
    target, `pull NAME` the name (not one pulled by digest), `build -t A -t B` each tag. Returns a list of str."""
    words = list(words[1:] if words[:1] == ["docker"] else words)
    sub = _subcommand(words)
    rest = words[words.index(sub[-1]) + 1:] if sub else []
    if sub in _BUILDING:
        tags = []
        for index, word in enumerate(rest):
            if word in ("-t", "--tag") and index + 1 < len(rest):
                tags.append(rest[index + 1])
            elif word.startswith("--tag="):
                tags.append(word.split("=", 1)[1])
            elif word.startswith("-t") and not word.startswith("--") and len(word) > 2:
                tags.append(word[2:].removeprefix("="))
        return tags
    if sub in _TAGGING:
        names = [word for word in rest if not word.startswith("-")]
        return [names[-1]] if names and "@" not in names[-1] else []
    return []


def _noted(notes: list[str]) -> str:
    """The course's notes as lines of a command's output (``[dockerlab] ...``)."""
    return "".join(f"[dockerlab] {note}\n" for note in notes)


def _book_course_tags(words: list[str], code: int) -> None:
    """After a command that succeeded (exit ``code`` 0), write the tags it made on an image the course made
    in the tag book (dockerlab.tagbook), so `dockerlab clean` removes them too; a tag of the learner's own
    image is not written."""
    if code != 0:
        return
    for tag in _made_tags(words):
        try:
            inspected = subprocess.run(["docker", "image", "inspect", tag], capture_output=True, text=True, timeout=30)
            attrs = json.loads(inspected.stdout)[0] if inspected.returncode == 0 else None
        except (OSError, subprocess.SubprocessError, ValueError, IndexError):
            attrs = None
        if attrs and _subcommand(list(words[1:] if words[:1] == ["docker"] else words)) in _BUILDING:
            tagbook.book_built(tag, attrs.get("Id"))  # the course built it: its id is the course's mark
        elif attrs:
            tagbook.book(tag, attrs)


def _after(code: int, mark: str, made: list[str], words: Sequence[str] = ()) -> list[str]:
    """After a command that creates containers (its ``words``) ended with ``code``: when docker could not
    create or start its container (125, 126, 127; or any failing code when no container of this call exists,
    e.g. `docker create --name TAKEN` exits 1), remove the container it created but could not start (the
    engine leaves it *Created*) and the volumes ``made`` for it. Returns the notes saying what was removed,
    or which volumes were made. Raises nothing (a Ctrl-C waits)."""
    # 125, 126, 127: docker could not create or start the container (its command's own exit code is a result,
    # and its volumes hold what it wrote). A `run --rm` whose command failed is gone too, so that one's
    # volumes stay (they hold what it wrote).
    if code not in (125, 126, 127) and not (code != 0 and made and "--rm" not in words and not _marked_exists(mark)):
        labels = ", ".join(f"{key}={value}" for key, value in CREATED_LABELS.items())
        return [f"made the volume(s) {', '.join(made)}, labelled {labels} so `dockerlab clean` can remove them"] if made else []
    with held():
        removed = _remove_marked(mark, never_started=True)
        gone = _remove_volumes(made)
    if not (removed or gone):
        return []
    return ["the command failed: removed " + " and ".join(
        ([f"the container it created but could not start ({', '.join(removed)})"] if removed else [])
        + ([f"the volume(s) made for it ({', '.join(gone)})"] if gone else []))]


def _marked_exists(mark: str) -> bool:
    """Whether a container of this call (its mark: ``mark``) exists, in any state. True when the docker CLI
    cannot say (then nothing is removed). Raises nothing."""
    try:
        listed = subprocess.run(["docker", "ps", "-aq", "--filter", f"label={CALL_LABEL}={mark}"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return True
    return listed.returncode != 0 or bool(listed.stdout.split())


def _remove_marked(mark: str, never_started: bool = False) -> list[str]:
    """Remove the containers an interrupted or failed command created (their mark: ``mark``; with
    ``never_started``, only those the engine created but never started, as a failed `docker run` leaves
    them), with their anonymous volumes; with the docker CLI, as the command itself ran.
    Returns the short ids removed. Raises nothing: the interrupt or failure is what the learner sees."""
    filters = ["--filter", f"label={CALL_LABEL}={mark}", *(["--filter", "status=created"] if never_started else [])]
    try:
        listed = subprocess.run(["docker", "ps", "-aq", *filters], capture_output=True, text=True, timeout=30)
        if listed.stdout.split():
            subprocess.run(["docker", "rm", "-fv", *listed.stdout.split()], capture_output=True, timeout=60)
        return listed.stdout.split()
    except (OSError, subprocess.SubprocessError):
        return []  # `dockerlab clean` finds the course label


def _make_volumes(names: list[str]) -> list[str]:
    """Of ``names``, make those no volume has yet, labelled for the course. Returns those made.
    Raises KeyboardInterrupt on a Ctrl-C meanwhile, after removing the volumes it made (the caller never
    learns their names otherwise); nothing else: a volume not made here is made by the command itself, as
    without the course."""
    made: list[str] = []
    try:
        for name in names:
            try:
                if subprocess.run(["docker", "volume", "inspect", name], capture_output=True, timeout=30).returncode == 0:
                    continue
                with held():  # a Ctrl-C waits until the volume is made and known, so it can go again
                    labels = [f"--label={key}={value}" for key, value in CREATED_LABELS.items()]
                    if subprocess.run(["docker", "volume", "create", *labels, name], capture_output=True, timeout=30).returncode == 0:
                        made.append(name)
            except (OSError, subprocess.SubprocessError):
                pass
    except BaseException:
        with held():
            _remove_volumes(made)
        raise
    return made


def _remove_volumes(names: list[str]) -> list[str]:
    """Remove the volumes ``names`` (made by :func:`_make_volumes` for a command that then failed); one a
    container still uses stays. Returns those removed. Raises nothing."""
    gone = []
    for name in names:
        try:
            if subprocess.run(["docker", "volume", "rm", name], capture_output=True, timeout=30).returncode == 0:
                gone.append(name)
        except (OSError, subprocess.SubprocessError):
            pass
    return gone


def _lines_as_they_come(process: subprocess.Popen):
    """(stream name, line) from the process's stdout and stderr as each line arrives (one reader
    thread per pipe, so neither waits on the other), as a terminal interleaves them; ends when
    both are closed."""
    arrived: queue.Queue = queue.Queue()

    def read(pipe, name: str) -> None:
        try:
            for text in pipe:
                arrived.put((name, text))
        except (OSError, ValueError):  # the pipe was closed under it (the command was interrupted)
            pass
        finally:
            arrived.put((name, None))

    readers = [threading.Thread(target=read, args=(pipe, name), daemon=True)
               for pipe, name in ((process.stdout, "stdout"), (process.stderr, "stderr"))]
    for reader in readers:
        reader.start()
    open_pipes = len(readers)
    while open_pipes:
        name, text = arrived.get()
        if text is None:
            open_pipes -= 1
        else:
            yield name, text


# Equivalent spellings of one command (for replay: a recorded command typed another correct way).
_ALIASES = {("container", "run"): ("run",), ("container", "create"): ("create",), ("image", "build"): ("build",),
            ("builder", "build"): ("build",), ("image", "ls"): ("images",), ("container", "ls"): ("ps",), ("container", "ps"): ("ps",),
            ("image", "rm"): ("rmi",), ("container", "rm"): ("rm",), ("container", "logs"): ("logs",), ("container", "exec"): ("exec",),
            ("container", "stop"): ("stop",), ("image", "tag"): ("tag",), ("image", "push"): ("push",), ("image", "pull"): ("pull",),
            ("image", "history"): ("history",)}
_RUNNING = {"--detach": "-d", "--env": "-e", "--volume": "-v", "--publish": "-p", "--interactive": "-i", "--tty": "-t",
            "--workdir": "-w", "--user": "-u", "--publish-all": "-P", "--quiet": "-q"}
# subcommand -> (its long options that have a short spelling, the short letters that take no value)
_SPELLINGS: dict[str, tuple[dict[str, str], str]] = {
    "run": (_RUNNING, "ditPq"), "create": (_RUNNING, "ditPq"), "exec": (_RUNNING, "dit"),
    "build": ({"--tag": "-t", "--file": "-f", "--quiet": "-q"}, "q"),
    "ps": ({"--all": "-a", "--quiet": "-q", "--filter": "-f", "--size": "-s", "--latest": "-l", "--last": "-n"}, "aqsl"),
    "images": ({"--all": "-a", "--quiet": "-q", "--filter": "-f"}, "aq"),
    "logs": ({"--follow": "-f", "--timestamps": "-t"}, "ft"), "rm": ({"--force": "-f", "--volumes": "-v", "--link": "-l"}, "flv"),
    "rmi": ({"--force": "-f"}, "f"), "stop": ({"--time": "-t"}, ""), "inspect": ({"--format": "-f", "--size": "-s"}, "s"),
    "compose": ({"--file": "-f"}, ""),
}
_BUILD_FLAGS = {"--no-cache", "--pull", "--quiet", "--rm", "--force-rm", "--compress", "--squash", "--load", "--push"}
_OPTIONS_END_AT_FIRST_WORD = {"run", "create", "exec", "compose"}  # then the container's (or compose's own) arguments


def _local_path(word: str) -> str:
    """A word naming an existing file or folder (relative to the working folder: a notebook's, as its
    terminal's) as its resolved absolute path; any other word as it is."""
    if not word or word == "-":
        return word
    path = Path(word) if Path(word).is_absolute() else Path.cwd() / word
    return str(path.resolve()) if path.exists() else word


def _spelled_alike(words: list[str]) -> list[str]:
    """One spelling of a docker command: aliases (`container run`) as the short command, long options that
    have a short one as the short one, ``--opt=value`` and ``-tvalue`` as two words, clustered flags
    (``-dit``) one by one, options in one order, the ``--progress=plain`` the course adds to a build left out,
    and a build's folder and file or a compose file by their resolved paths. What follows a run's image is
    kept as typed. Returns the words (options, ``--``, the rest)."""
    words = list(words[1:] if words[:1] == ["docker"] else words)
    sub = _subcommand(words)
    position = words.index(sub[-1]) + 1 if sub else 0
    name = _ALIASES.get(sub, sub)[0] if sub else ""
    shorts, flags = _SPELLINGS.get(name, ({}, ""))
    groups: list[list[str]] = []  # each option with its value; their order does not matter
    out: list[str] = []  # the other words, in order
    rest, index, options = words[position:], 0, True
    while index < len(rest):
        word = rest[index]
        index += 1
        if not options or not word.startswith("-") or word == "-":
            if name in _OPTIONS_END_AT_FIRST_WORD:
                options = False
            out.append(_local_path(word) if name == "build" and options else word)
            continue
        spelled: list[str] = []
        if word.startswith("--"):
            option, equals, value = word.partition("=")
            option = shorts.get(option, option)
            takes_value = bool(equals) or not (option in _FLAGS or option in _BUILD_FLAGS or option[1:] in flags and len(option) == 2)
            spelled = [option]
            if takes_value:
                value = value if equals else (rest[index] if index < len(rest) else "")
                index += 0 if equals else 1
                spelled.append(value)
        else:
            letters = word[1:]
            for at, letter in enumerate(letters):
                spelled = [f"-{letter}"]
                if letter not in flags:
                    value = letters[at + 1:].removeprefix("=")
                    if not value and index < len(rest):
                        value, index = rest[index], index + 1
                    spelled.append(value)
                    break
                groups.append(spelled)  # a flag of a cluster (-dit): one group each
                spelled = []
            if not spelled:
                continue
        if name == "build" and spelled == ["--progress", "plain"]:
            continue
        if len(spelled) == 2 and (name == "build" and spelled[0] == "-f" or name == "compose" and spelled[0] in ("-f", "--project-directory")):
            spelled[1] = _local_path(spelled[1])
        groups.append(spelled)
    globals_ = words[:words.index(sub[0])] if sub else []  # the CLI's own options (-H, --log-level), as typed
    return [*globals_, *_ALIASES.get(sub, sub), *(word for group in sorted(groups) for word in group), "--", *out]


def equivalent(typed: list[str], other: list[str]) -> bool:
    """Whether two docker commands (their words) are one command spelled two correct ways (see
    :func:`_spelled_alike`): `--tag` for `-t`, a folder by a relative path, `--progress=plain` added.
    Returns a bool. Raises nothing."""
    return _spelled_alike(typed) == _spelled_alike(other)


def _recorded_spelling(words: list[str]) -> list[str] | None:
    """The words of a recorded `docker` call (its course paths in this course folder) that is ``words``
    spelled another way, or None when none is. Raises nothing."""
    current = session()
    try:
        index = current.store.index()
    except DockerlabError:
        return None
    for (call, _), located in index.items():
        if call != "docker":
            continue
        for found in located:
            described = found.entry.get("inputs", {}).get("arguments", {})
            arguments = described.get("arguments") or [None]
            if described.get("keywords") or not isinstance(arguments[0], list):
                continue
            recorded = [str((current.store.root / item["course path"]).resolve()) if isinstance(item, dict) and "course path" in item else item
                        for item in arguments[0]]
            if all(isinstance(item, str) for item in recorded) and recorded != words and equivalent(words, recorded):
                return recorded
    return None


_TYPED_DOCKER = re.compile(r"^docker(?:\s+|$)")


def as_typed(result: CommandResult, words: list[str], replayed: list[str] | None = None) -> CommandResult:
    """A replayed result as the learner's own command: a course file or folder the recording machine
    named by its own path (`/work/rec/data/apps/x`, the recording's key is the folder's content) is named
    by the path the learner typed (or, when the learner's ``words`` are another spelling of the
    ``replayed`` command, its path here), in the command, in what ran and in the output. Returns a
    CommandResult (``result`` itself when nothing differs). Raises nothing."""
    replayed = words if replayed is None else replayed
    try:
        recorded = shlex.split(result.command)  # as the live call joined them: shlex.join(words)
    except ValueError:
        return result
    if len(recorded) != len(replayed):
        return result
    pairs = [(theirs, ours) for theirs, ours in zip(recorded, replayed, strict=True) if theirs != ours and theirs.startswith("/")]
    if not pairs and replayed == words:
        return result

    def mine(text: str) -> str:
        for theirs, ours in pairs:
            text = text.replace(theirs, ours)
        return text

    return dataclasses.replace(result, command=shlex.join(words), ran=mine(result.ran), output=mine(result.output),
                               stdout=mine(result.stdout), stderr=mine(result.stderr))


def _run_or_replay(words: list[str], stdin: str | None) -> tuple[CommandResult, list[str]]:
    """(the command's result, the words it ran or replayed as): in recorded mode a command recorded in
    another spelling (:func:`equivalent`) replays that recording. Raises RecordingMissing when neither
    was recorded, and what :func:`docker` raises."""
    try:
        return (docker(words) if stdin is None else docker(words, stdin=stdin)), words
    except RecordingMissing:
        replayed = _recorded_spelling(words) if stdin is None else None
        if replayed is None:
            raise
    return docker(replayed), replayed


def _run_line(line: str, stdin: str | None = None) -> CommandResult | None:
    typed = line.strip()
    line = _TYPED_DOCKER.sub("", typed, count=1)  # `%docker docker images` is shown as `docker images` (split drops the word once)
    if not line or line.startswith("#"):
        return None
    try:
        words = split(typed)
        unknown = unknown_command(words)
        if unknown:
            print(f"docker {line}\n{unknown}")
            return None
        result, replayed = _run_or_replay(words, stdin)
    except RecordingMissing:
        print(
            f"docker {line}\n"
            "This command needs a live Docker engine: it was not run when this course's results were recorded, "
            "so there is nothing to replay here. The cells around it show what the recorded commands printed; "
            "on your own machine with Docker it runs for real."
        )
        return None
    except DockerlabError as error:
        print(f"docker {line}\n{error}")
        return None
    if current() == RECORDED:
        result = as_typed(result, words, replayed)
        print(f"[recorded] docker {line}\n{result.output}", end="" if result.output.endswith("\n") else "\n")
    if not result.ok:
        print(f"[exit code {result.exit_code}]")
    return result


def _is_expression(text: str) -> bool:
    """Whether ``text`` parses as one Python expression (``app``, ``registry.host``, ``f(1)``)."""
    if not text.strip():
        return False
    try:
        compile(text.strip(), "<%docker>", "eval")
    except (SyntaxError, ValueError):
        return False
    return True


def expand(line: str, evaluate) -> str:
    """``line`` with each Python value in braces read from the notebook, the rest as typed. The rule:

    - ``{expr}`` is Python when ``expr`` parses as a Python expression (``{app}``, ``{registry.host}``):
      replaced by ``str(evaluate(expr))``;
    - ``${...}`` is the shell's (``sh -c 'echo ${HOME}'``): left as typed, for the container's shell;
    - ``{{...}}`` is a Go template (``--format '{{.Names}}'``): left as typed, for docker;
    - braces around what is not a Python expression (``awk 'BEGIN {print 1}'``, ``{}``, JSON) are left as typed.

    (IPython's own ``!cmd`` expansion also leaves what it cannot read as typed, but turns ``{{x}}`` into
    ``{x}`` and reads ``$name``; here ``$name`` is the shell's and ``{{x}}`` stays, as docker wants it.)
    Returns the line. Raises DockerlabError naming an expression that parses but fails (a NameError:
    the cell defining it has not run)."""
    out: list[str] = []
    index = 0
    while index < len(line):
        if line.startswith("{{", index):  # a Go template: as typed, up to its closing }}
            end = line.find("}}", index + 2)
            end = len(line) if end == -1 else end + 2
            out.append(line[index:end])
            index = end
            continue
        if line.startswith("${", index):  # the shell's: as typed, up to its closing }
            end = line.find("}", index + 2)
            end = len(line) if end == -1 else end + 1
            out.append(line[index:end])
            index = end
            continue
        if line[index] == "{":
            end = line.find("}", index + 1)
            inner = line[index + 1:end] if end != -1 else ""
            if end != -1 and "{" not in inner and _is_expression(inner):
                try:
                    out.append(str(evaluate(inner.strip())))
                except Exception as error:  # noqa: BLE001 - any error in the learner's expression is theirs to see
                    raise DockerlabError(f"{{{inner}}} in the command could not be read: {type(error).__name__}: {error}",
                                         fix="Run the cell that defines it first (braces around a Python name are read from the notebook; "
                                             "${NAME} is left for the shell).") from None
                index = end + 1
                continue
        out.append(line[index])
        index += 1
    return "".join(out)


_HEREDOC = re.compile(r"\s*<<(-?)\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\2\s*$")


def cell_commands(cell: str) -> list[tuple[str, str | None]]:
    """A %%docker cell's commands: (command line, its stdin text or None), one a line; a backslash at
    the end of a line continues the command, as in a shell; a line ending ``<<EOF`` (or ``<<'EOF'``,
    ``<<-EOF``) takes the lines up to the one reading ``EOF`` (the rest of the cell when none does) as its
    stdin, as a shell's here-document: ``build -t x - <<EOF`` builds the Dockerfile typed below it.
    Raises nothing."""
    lines = cell.splitlines()
    commands: list[tuple[str, str | None]] = []
    index, pending = 0, ""
    while index < len(lines):
        text = lines[index]
        index += 1
        continued = re.search(r"\\[ \t]*$", text)
        if continued:
            pending += text[:continued.start()] + " "
            continue
        text, pending = pending + text, ""
        heredoc = _HEREDOC.search(text)
        if heredoc is None:
            commands.append((text, None))
            continue
        body = []
        while index < len(lines):
            read = lines[index].lstrip("\t") if heredoc.group(1) else lines[index]
            index += 1
            if read == heredoc.group(3):
                break
            body.append(read + "\n")
        commands.append((text[:heredoc.start()], "".join(body)))
    if pending:
        commands.append((pending, None))
    return commands


def load_ipython_extension(ipython) -> None:
    """Register %docker and %%docker (``%load_ext dockerlab``, or automatic on ``import dockerlab``).
    Returns None. Raises nothing: a %docker line that fails prints its error instead."""
    # lazy: IPython calls this (so IPython is loaded); at module level it would cost every `import dockerlab` ~0.1 s
    from IPython.core.magic import no_var_expand

    def evaluate(expression: str):
        return eval(expression, ipython.user_ns)  # noqa: S307 - the learner's own notebook expression

    @no_var_expand
    def line_magic(line: str):
        if not line.strip():  # bare %docker: say how it is used rather than nothing
            print("%docker runs one docker command as you would type it in a terminal, e.g. `%docker images` or "
                  "`%docker run --rm hello-python:1`; %%docker runs one command per line.")
            return None
        try:
            line = expand(line, evaluate)
        except DockerlabError as error:
            print(error)
            return None
        return _run_line(line)

    @no_var_expand
    def cell_magic(line: str, cell: str):
        try:
            line, cell = expand(line, evaluate), expand(cell, evaluate)
        except DockerlabError as error:
            print(error)
            return None
        commands = ([(line, None)] if line.strip() else []) + cell_commands(cell)
        results = [result for result in (_run_line(text) if stdin is None else _run_line(text, stdin=stdin) for text, stdin in commands)
                   if result is not None]
        return results[-1] if results else None

    ipython.register_magic_function(line_magic, "line", "docker")
    ipython.register_magic_function(cell_magic, "cell", "docker")


def register_in_running_kernel() -> None:
    """Called by ``import dockerlab``: registers the magics when a kernel is running."""
    shell = running_shell()
    if shell is not None:
        load_ipython_extension(shell)
