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
``-p HOST:CONTAINER`` without an address is published on 127.0.0.1 only (one naming an address is kept,
with a note when other machines can reach it); ``-P`` runs as ``-p 127.0.0.1::PORT`` for each port the
image exposes (read from the local image: -P itself would publish them on every address). The result (command,
output, exit code, seconds) is the cell's value (``_``) for the next cell to measure; in a ``%%docker``
cell each command's exit line shows under its output, and the last command's result is the value. A
command that fails shows its output and exit code, never a Python traceback; one stopped with Ctrl-C
(the kernel's interrupt: ``logs -f`` runs until then) is stopped with its child process and says one
line, ``stopped: interrupted after N s`` (a :class:`CommandInterrupted`, so Run All stops there). In recorded mode the same cell
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
from .builder import _image_ids, undo_failed_build
from .compose import ComposeProject
from .errors import CommandInterrupted, DockerlabError, RecordingMissing
from .interrupts import held
from .hosting import running_shell
from .labels import CALL_LABEL, CREATED_LABEL, CREATED_LABELS, built_labels
from .paths import COURSE_ROOT
from .recording import RECORDED, current, recordable, session
from .theme import ERROR, SUCCESS, status_css

__all__ = ["CommandResult", "CommandInterrupted", "docker", "compose_file", "COMPOSE_FILE_NAMES", "split", "shell_syntax", "cell_commands", "equivalent",
           "unknown_command", "prepare_command", "as_typed", "load_ipython_extension"]


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
_PORTS = re.compile(r"^(?:(?:\d+(?:-\d+)?)?:)?\d+(?:-\d+)?(?:/(?:tcp|udp|sctp))?$")  # [HOST]:CONTAINER, no address


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
    """`8080:80` -> `127.0.0.1:8080:80`, `80` -> `127.0.0.1::80` and `:80` -> `127.0.0.1::80` (a free
    port), ranges too; a value that names an address is left as it is."""
    if not _PORTS.match(value):
        return value, False
    return (f"127.0.0.1:{value}" if ":" in value else f"127.0.0.1::{value}"), True


_ADDRESSED = re.compile(r"^(\[[0-9A-Fa-f:.]*\]|[0-9.]+):(\d*(?:-\d+)?):(\d+(?:-\d+)?)(?:/(?:tcp|udp|sctp))?$")


def _address_note(value: str) -> str | None:
    """The note for a -p value that names its address (`0.0.0.0:18091:80`, `[::]:8080:80`): one a learner
    asked for explicitly is kept, but when other machines can reach it the note says so. None for a
    loopback address (127.x, [::1]) or a value of another form. Raises nothing."""
    matched = _ADDRESSED.match(value)
    if not matched:
        return None
    address, host, container = matched.groups()
    if address.startswith("127.") or address == "[::1]":
        return None
    where = "on every address of this machine" if address in ("0.0.0.0", "[::]") else f"on {address}, an address of this machine"
    port = f"port {host}" if host else "a free port (`docker port` names it)"
    return (f"-p {value} listens {where}, as you asked: other machines that can reach this one can connect to {port}; "
            f"-p 127.0.0.1:{host}:{container} keeps it to this machine")


def _exposed_ports(cli: list[str], image: str) -> list[str]:
    """The ports ``image`` (a local image) exposes, as `80/tcp`, read with ``cli`` (`docker` and the CLI's
    own options as typed). Raises DockerlabError when they cannot be read (no such image here, no engine)."""
    try:
        inspected = subprocess.run([*cli, "image", "inspect", "--format", "{{json .Config.ExposedPorts}}", image],
                                   capture_output=True, text=True, timeout=30)
        ports = json.loads(inspected.stdout) if inspected.returncode == 0 else None
    except (OSError, subprocess.SubprocessError, ValueError):
        ports, inspected = None, None
    if inspected is None or inspected.returncode != 0:
        said = (inspected.stderr.strip().splitlines() or [""])[0] if inspected is not None else "the docker CLI did not answer"
        raise DockerlabError(
            f"-P publishes every port {image} exposes on all of this machine's addresses; the course publishes them on 127.0.0.1 "
            f"only, but the ports {image} exposes cannot be read here ({said}).",
            fix=f"Pull or build {image} first, or publish each port yourself: -p 127.0.0.1::PORT (e.g. -p 127.0.0.1::80).")
    return sorted(ports or {}, key=lambda port: (int(re.split(r"[-/]", port)[0]) if port[0].isdigit() else 0, port))


def _short_flags(word: str) -> str:
    """The value-less letters a short option word starts with (``-dit`` -> ``dit``, ``-dp8080:80`` -> ``d``)."""
    if word.startswith("--") or not word.startswith("-"):
        return ""
    letters = word[1:]
    count = 0
    while count < len(letters) and letters[count] in _SHORT_FLAGS:
        count += 1
    return letters[:count]


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


def _publish_value(words: list[str], value: str, following: str, notes: list[str]) -> list[str]:
    """One -p option (``words``: the option, and its value when it is the next word) with its ``value``
    bound to 127.0.0.1, or kept when it names an address (the note says when other machines reach it).
    ``following`` is the word after it. Returns the words. Raises DockerlabError for a mapping split by a
    space (`-p 8080 : 80`): what cannot be read as a whole is not rewritten, and Docker's own error for it
    (`invalid reference format`) does not say why."""
    if value.endswith(":") or following.startswith(":"):
        typed = " ".join([*words, following] if following.startswith(":") else words)
        raise DockerlabError(f"`{typed}` is not one port mapping: Docker reads a mapping as one word, HOST:CONTAINER, "
                             "with no space around the colon.", fix="Write it as one word, e.g. -p 8080:80.")
    local, changed = _publish_locally(value)
    if changed:
        notes.append(f"-p {value} is published as {local}: on 127.0.0.1 only, so nothing outside this machine can reach it")
        return [words[0], local] if len(words) == 2 else [words[0][: len(words[0]) - len(value)] + local]
    said = _address_note(value)
    if said is not None:
        notes.append(said)
    return words


def _without_publish_all(words: list[str]) -> list[str]:
    """An option's words with -P left out (``--publish-all`` gone, ``-dP`` as ``-d``)."""
    if words[0].startswith("--"):
        return words[1:]
    flags = _short_flags(words[0])
    first = "-" + flags.replace("P", "") + words[0][1 + len(flags):]
    return ([first] if first != "-" else []) + words[1:]


def _publish_exposed(cli: list[str], image: str, exposed: list[str], notes: list[str]) -> list[str]:
    """What -P publishes, on 127.0.0.1: ``-p 127.0.0.1::PORT`` for each port ``image`` exposes and each
    ``--expose`` value in ``exposed``, and the note saying so. Returns the words. Raises DockerlabError
    when the image's ports cannot be read (see :func:`_exposed_ports`)."""
    ports = _exposed_ports(cli, image)
    for port in exposed:
        spelled = port if "/" in port else f"{port}/tcp"
        if spelled not in ports:
            ports.append(spelled)
    if not ports:
        notes.append(f"-P publishes the ports {image} exposes, and it exposes none: nothing is published")
        return []
    published = [word for port in ports for word in ("-p", f"127.0.0.1::{port}")]
    notes.append(f"-P publishes each port {image} exposes on a free port of every address of this machine; the course publishes "
                 f"them on 127.0.0.1 only, so it ran as {' '.join(published)} (`docker port` names the free ports)")
    return published


def _publish_on_localhost(rest: list[str], notes: list[str], cli: Sequence[str] | None = ("docker",)) -> list[str]:
    """`run`/`create` options with every -p HOST:CONTAINER bound to 127.0.0.1 (options end at the image),
    and -P (--publish-all) run as one ``-p 127.0.0.1::PORT`` for each port the image exposes (read with
    ``cli``, the docker CLI as typed; None: the command has no -P, as `compose run`, and it is left to it).
    A -p naming an address is kept; the note says when other machines can reach it. Returns the options
    and the rest. Raises DockerlabError for a -p that is not one word (`-p 8080 : 80`) and for a -P whose
    image's ports cannot be read."""
    rest = list(rest)
    out: list[str] = []
    publish_all, exposed, index = False, [], 0
    while index < len(rest) and rest[index].startswith("-") and rest[index] != "-":  # options end at the image
        word = rest[index]
        value, takes_value = _option(word)
        words = rest[index:index + 2] if takes_value else [word]
        if takes_value and len(words) == 2 and (word == "--publish" or not word.startswith("--") and word.endswith("p")):
            value = words[1]
        option, equals, attached = word.partition("=")
        if option == "--expose":
            exposed.append(attached if equals else words[-1])
        if value is not None:
            words = _publish_value(words, value, rest[index + len(words)] if index + len(words) < len(rest) else "", notes)
        if cli is not None and (option == "--publish-all" and attached in ("", "true") or "P" in _short_flags(word)):
            publish_all, words = True, _without_publish_all(words)
        out += words
        index += 2 if takes_value else 1
    if publish_all and index < len(rest):  # (with no image, docker's own error says so)
        out += _publish_exposed(list(cli), rest[index], exposed, notes)
    return out + rest[index:]


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
        if not _gone_when_done(sub, words[position:]):
            notes.append(f"labelled {', '.join(f'{k}={v}' for k, v in CREATED_LABELS.items())} so `dockerlab clean` can remove it")
    rest = words[position:]
    if sub in {("run",), ("create",), ("container", "run"), ("container", "create")}:
        rest = _publish_on_localhost(list(rest), notes, cli=["docker", *words[:_command_start(words)]])
    return ["docker", *words[:position], *added, *rest], environment, notes


def _gone_when_done(sub: tuple[str, ...], rest: list[str]) -> bool:
    """Whether a `run` (its options and the rest: ``rest``) leaves no container: --rm and not -d (its
    container is removed when it ends, or on Ctrl-C). Named volumes it makes have a note of their own."""
    if sub not in (("run",), ("container", "run")):
        return False
    given: set[str] = set()
    index = 0
    while index < len(rest) and rest[index].startswith("-") and rest[index] != "-":  # options end at the image
        word = rest[index]
        _, takes_value = _option(word)
        option, _, attached = word.partition("=")
        if option.startswith("--") and attached in ("", "true"):
            given.add(option)
        given.update(f"-{letter}" for letter in _short_flags(word))
        index += 2 if takes_value else 1
    return "--rm" in given and not given & {"-d", "--detach"}


_COMPOSE_VALUE_OPTIONS = {"-f", "--file", "--project-directory", "-p", "--project-name", "--env-file", "--profile"}


# Compose's own lookup when no -f is given (`docker compose` v2: compose-go's default names, in this order),
# in the project directory (or the working folder) and then each folder above it; and the override files it merges.
COMPOSE_FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
COMPOSE_OVERRIDE_NAMES = ("compose.override.yml", "compose.override.yaml", "docker-compose.override.yml", "docker-compose.override.yaml")
_COMPOSE_CREATING = {"up", "create", "run"}  # what makes containers, networks or volumes
_COMPOSE_PUBLISHING = {"up", "create", "start", "restart"}  # what publishes the file's ports (run: with --service-ports)


def compose_file(start: str | Path) -> Path:
    """The compose file plain `docker compose` reads with no -f, from folder ``start``: the first of
    COMPOSE_FILE_NAMES there, else in the nearest folder above that has one. Returns its path. Raises
    DockerlabError naming the folder and the names looked for, and saying to name a file with -f."""
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        for name in COMPOSE_FILE_NAMES:
            if (folder / name).is_file():
                return folder / name
    raise DockerlabError(
        f"There is no compose file in {start} or a folder above it: with no -f, Compose looks for {', '.join(COMPOSE_FILE_NAMES)} "
        "(in that order).",
        fix="Name the file with -f, e.g. %docker compose -f path/to/compose.yaml up -d.")


def _compose_options(words: list[str]) -> tuple[str | None, str | None, int]:
    """(the -f file, the --project-directory, where the compose command starts) in `docker compose`'s
    words. Raises DockerlabError for an option the course's project naming cannot take (-p, --env-file,
    --profile) and for no command."""
    file, directory, index = None, None, 0
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
    return file, directory, index


def _compose_project(words: list[str]) -> tuple[ComposeProject, list[str], Path, bool]:
    """The course's Compose project a `docker compose [-f FILE] [--project-directory DIR] COMMAND ...` names
    (its words after `compose`): (the project, its COMMAND's words, the compose file's path, whether -f named
    it). The file is found as Compose finds it (-f read from the working folder; with no -f, see
    :func:`compose_file`). Raises DockerlabError for an option %docker does not support, no command, or no
    such file, and what dl.compose.project raises for the file."""
    file, directory, index = _compose_options(words)
    if file is None:
        path = compose_file(directory or Path.cwd())
    else:
        path = Path(file).resolve()  # as Compose reads -f: from the working folder, --project-directory or not
        if not path.is_file():
            raise DockerlabError(f"There is no compose file {path} (the file -f names).", fix="Check the path after -f (it is read from the working folder).")
    project = ComposeProject(directory or path.parent, str(path) if directory else path.name)
    return project, list(words[index:]), path, file is not None


def _compose_command(words: list[str], notes: list[str]) -> tuple[list[str], dict[str, str], list[str]]:
    """`docker compose [-f FILE] [--project-directory DIR] COMMAND ...` run on the file as the course
    renders it (dl.compose): every container, network and volume labelled, ports on 127.0.0.1, and the
    project named as dl.compose.project names it, so `%docker compose` and dl.compose see one stack.
    The file is found as Compose finds it (-f relative to the working folder; with no -f, see
    :func:`compose_file`). The notes say what is labelled on a command that creates something, and which
    ports are published on 127.0.0.1 on one that publishes them."""
    project, command, path, named = _compose_project(words)
    notes += project.notes  # a .env copied from .env.example
    overrides = [name for name in COMPOSE_OVERRIDE_NAMES if not named and (path.parent / name).is_file()]
    if overrides:
        notes.append(f"{overrides[0]} is not read here: plain `docker compose` merges it into {path.name}; %docker reads {path.name} alone "
                     f"(name both with -f to see them merged by `docker compose config`)")
    if command[0] in _COMPOSE_CREATING:
        notes.append(f"run as Compose project {project.name}: containers, networks and volumes labelled so `dockerlab clean` can remove them")
    if command[0] in _COMPOSE_PUBLISHING or command[0] == "run" and "--service-ports" in command:
        notes += project.rebound_ports
    if command[0] == "run":  # `compose run -p 8089:80 SERVICE`: a port it publishes is local too, as the file's are
        command = ["run", *_publish_on_localhost(command[1:], notes, cli=None)]  # compose run has no -P
    argv = [*project.command, "-p", project.name, "-f", str(project.rendered), "--project-directory", str(project.directory), *command]
    return argv, {}, notes


@recordable("docker", version=2)
def docker(words: list[str], *, stdin: str | None = None, progress: bool = True) -> CommandResult:
    """Run one docker command (its words, as :func:`split` gives them) as a learner typed it (see
    :func:`prepare_command`), reading ``stdin`` (text, e.g. a heredoc's Dockerfile for
    ``build -``; None: nothing); with ``progress`` its output streams as it comes. Returns a
    :class:`CommandResult`; a failing command is a result with its exit code, not an exception (a failed or
    interrupted `build -t T` first takes T off the course's earlier build of it, as dl.build does, and says so).
    Before `compose ... down` it removes the containers `compose run` started in the project, which
    Compose's own `down` leaves (a note says so when there were any).
    Raises DockerlabError when there is no command or the docker CLI is missing, and KeyboardInterrupt
    (its ``seconds``: when it came) on Ctrl-C, once the command is stopped and what it created removed. Recorded by its
    words: a course file or folder among them is keyed by its content, wherever the course lives."""
    argv, additions, notes = prepare_command(words)
    notes = [*notes, *_one_off_removed(words)]
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
    before = _image_ids() if _classic_build(words, additions) else None  # on a Ctrl-C: what the build committed is among what is new
    started = time.perf_counter()
    process = _start(marked, additions, stdin, made)
    lines: list[str] = []
    kept: dict[str, list[str]] = {"stdout": [], "stderr": []}
    source = _lines_as_they_come(process)
    try:
        for stream, text in source:
            if buildkit.VERTEX_DIGEST.match(text):
                continue
            lines.append(text)
            kept[stream].append(text)
            if progress:
                print(text, end="", flush=True)
        code = process.wait()
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt):
            error.seconds = time.perf_counter() - started  # when it came (the stop below may take seconds)
        with held():  # a second Ctrl-C does not leave the child running
            _stop(process)
            rest = getattr(source, "rest", None)
            lines += [text for _, text in (rest() if rest else []) if not buildkit.VERTEX_DIGEST.match(text)]  # printed, not yet read
        if marked != argv:
            with held():
                _remove_marked(mark)
                time.sleep(0.5)  # the engine may finish a create the CLI had asked for after the first search
                _remove_marked(mark)
                _remove_volumes(made)
        print(_noted(_build_undone(words, additions, lines, before)), end="")
        raise
    finally:
        process.stdout.close()
        process.stderr.close()
    _book_course_tags(words, code)
    after = _after(code, mark, made, words) if marked != argv else []
    after += _build_undone(words, additions, lines) if code != 0 else []  # it ran to its end: its output names every image it made
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


def _classic_build(words: list[str], additions: dict[str, str]) -> bool:
    """Whether ``words`` (as typed) build an image with the classic builder (``additions``, the environment the command
    runs with, hold DOCKER_BUILDKIT=0). Raises nothing."""
    return _building(words) and additions.get("DOCKER_BUILDKIT") == "0"


def _building(words: list[str]) -> bool:
    return _subcommand(list(words[1:] if words[:1] == ["docker"] else words)) in _BUILDING


def _build_undone(words: list[str], additions: dict[str, str], lines: list[str], before: set[str] | None = None) -> list[str]:
    """After a `docker build` (its ``words``, as typed) failed or was interrupted, keep dl.build's promise
    (:func:`dockerlab.builder.undo_failed_build`): each -t tag no longer names the course's earlier build of it,
    and a classic build's intermediate images (named in its output ``lines``, or new since ``before``, the image ids
    held when it began, and built on one the lines name) are removed. ``additions``: the environment the command ran
    with (DOCKER_BUILDKIT=0 is the classic builder). Returns the notes to show (none for any other command). Raises
    nothing (a Ctrl-C meanwhile waits)."""
    if not _building(words):
        return []
    classic = _classic_build(words, additions)
    return undo_failed_build(_made_tags(words), lines if classic else (), before if classic else None)


def _one_off_removed(words: list[str]) -> list[str]:
    """Before `compose ... down` (``words`` as typed): the containers `compose run` started in the project
    removed (ComposeProject.remove_one_off), since Compose's own `down` leaves them running and its network
    with them. Returns the notes saying so (none for another command, or when there were none). Raises
    DockerUnavailable when no engine answers."""
    words = list(words[1:] if words[:1] == ["docker"] else words)
    if _subcommand(words)[:1] != ("compose",):
        return []
    _, _, index = _compose_options(words[1:])
    if words[1 + index:][:1] != ["down"]:  # decided from the words: no project is rendered for another command
        return []
    names = _compose_project(words[1:])[0].remove_one_off()
    if not names:
        return []
    return [f"removed {', '.join(names)}, started by `compose run`: Compose's own `down` leaves such containers, with or without "
            "--remove-orphans (docker/compose issue 11711); in a terminal remove them with `docker rm -f NAME`"]


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
        if attrs and _building(words):
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


class _LinesAsTheyCome:
    """(stream name, line) from the process's stdout and stderr as each line arrives (one reader thread per pipe, so
    neither waits on the other), as a terminal interleaves them: iterate it; it ends when both are closed. After a
    Ctrl-C, :meth:`rest` gives what the process printed that was not taken yet (a Ctrl-C landing while the course waits
    for a line loses none)."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.arrived: queue.Queue = queue.Queue()
        self.open_pipes = 0
        for pipe, name in ((process.stdout, "stdout"), (process.stderr, "stderr")):
            threading.Thread(target=self._read, args=(pipe, name), daemon=True).start()
            self.open_pipes += 1

    def _read(self, pipe, name: str) -> None:
        try:
            for text in pipe:
                self.arrived.put((name, text))
        except (OSError, ValueError):  # the pipe was closed under it (the command was interrupted)
            pass
        finally:
            self.arrived.put((name, None))

    def __iter__(self):
        while self.open_pipes:
            name, text = self.arrived.get()
            if text is None:
                self.open_pipes -= 1
            else:
                yield name, text

    def rest(self, timeout: float = 5.0) -> list[tuple[str, str]]:
        """Once the process has ended: the lines not taken yet, until both pipes are closed or ``timeout`` (s) passes.
        Returns a list of (stream name, line). Raises nothing."""
        taken, deadline = [], time.monotonic() + timeout
        while self.open_pipes:
            try:
                name, text = self.arrived.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if text is None:
                self.open_pipes -= 1
            else:
                taken.append((name, text))
        return taken


def _lines_as_they_come(process: subprocess.Popen) -> _LinesAsTheyCome:
    """The lines of ``process`` as they come (:class:`_LinesAsTheyCome`). Raises nothing."""
    return _LinesAsTheyCome(process)


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


def _recorded_path(word: str) -> bool:
    """Whether a word of a recorded command is a path: an absolute one (as the recording machine named a
    course file), or one relative to the course folder that names a file or folder in it here (as a
    recording writes the course's own paths: :func:`dockerlab.recording.codec.portable_text`). Raises nothing."""
    if word.startswith("/"):
        return True
    if word.startswith("-") or ":" in word:  # an option, an image, a tag or a mount: not a course path
        return False
    try:
        return (COURSE_ROOT / word).exists()
    except (OSError, ValueError):
        return False


def as_typed(result: CommandResult, words: list[str], replayed: list[str] | None = None) -> CommandResult:
    """A replayed result as the learner's own command: a course file or folder the recording machine
    named by its own path (`/work/rec/data/apps/x`, or `data/apps/x` relative to the course as recordings
    now write it; the recording's key is the folder's content) is named
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
    pairs = [(theirs, ours) for theirs, ours in zip(recorded, replayed, strict=True) if theirs != ours and _recorded_path(theirs)]
    if not pairs and replayed == words:
        return result

    def mine(text: str) -> str:
        for theirs, ours in pairs:  # a whole path, or one below it; not a longer name, not inside another path
            text = re.sub(rf"(?<![\w./-]){re.escape(theirs)}(?![\w.-])", lambda _, path=ours: path, text)
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
    """Run (or replay) one line of a %docker magic, printing what it printed; its result, or None when it
    could not run (the reason is printed). Raises CommandInterrupted on Ctrl-C, once the command is stopped."""
    started = time.perf_counter()
    try:
        return _run_typed(line, stdin)
    except KeyboardInterrupt as error:
        raise CommandInterrupted(getattr(error, "seconds", time.perf_counter() - started)) from None


def _run_typed(line: str, stdin: str | None) -> CommandResult | None:
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
    from IPython.display import display

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
        commands = [(text, stdin) for text, stdin in ([(line, None)] if line.strip() else []) + cell_commands(cell)
                    if text.strip() and not text.strip().startswith("#")]
        for position, (text, stdin) in enumerate(commands):
            try:
                result = _run_line(text) if stdin is None else _run_line(text, stdin=stdin)
            except CommandInterrupted as stopped:
                stopped.skipped = len(commands) - position - 1
                raise
            if position == len(commands) - 1:
                return result  # the cell's value (`_`), shown as its exit line
            if result is not None:
                display(result)  # each command's exit line under its own output
        return None

    ipython.register_magic_function(line_magic, "line", "docker")
    ipython.register_magic_function(cell_magic, "cell", "docker")


def register_in_running_kernel() -> None:
    """Called by ``import dockerlab``: registers the magics when a kernel is running."""
    shell = running_shell()
    if shell is not None:
        load_ipython_extension(shell)
