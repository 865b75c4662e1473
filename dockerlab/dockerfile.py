"""Read a Dockerfile as the engine does, without an engine: stages, instructions, flags, line numbers.

The parsing is BuildKit's own Go parser (the ``dockerfile`` package wraps it), so heredocs, line
continuations, ``# syntax``/``# escape`` directives and flags such as ``RUN --mount`` or
``COPY --from`` are read exactly as ``docker build`` reads them. That parser accepts some text the
build later refuses (an unknown instruction, a COPY without a destination); :func:`parse` refuses
those too, naming the line, so a learner hears about them before any build.
"""
from __future__ import annotations

import difflib
import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import dockerfile as buildkit_parser

from .dockerignore import excluded, patterns_of
from .errors import DockerfileInvalid, DockerlabError
from .recording.arguments import check_public

__all__ = ["Instruction", "Stage", "Dockerfile", "DockerfileInvalid", "parse", "context_files", "shell_commands", "runs_pip_install"]

# --- what a RUN runs: its shell commands, and whether one of them installs with pip --------------

_OPERATORS = {"&&", "||", ";", "|", "&", "(", ")", ";;", "|&"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_WRAPPERS = {"sudo", "exec", "env", "command", "time", "nice", "nohup"}  # run the command that follows
_SHELLS = {"sh", "bash", "ash", "dash", "zsh"}
_PIP = re.compile(r"pip(?:3(?:\.\d+)?)?")
_PYTHON = re.compile(r"python(?:3(?:\.\d+)?)?")


def shell_commands(run: str) -> list[list[str]]:
    """The simple commands of a RUN (``RUN`` and its ``--flags`` may lead; JSON exec form too), each as its
    words: split on ``&& || ; | &``, parentheses and newlines, words as a POSIX shell reads them (shlex:
    quoted text stays one word), leading ``VAR=value`` assignments and wrappers (sudo, env, exec, ...)
    dropped, and a ``sh -c "..."`` read as the commands it runs. Returns a list of word lists (a command
    the shell could not split, such as an unclosed quote, is left out). Raises nothing."""
    text = run.strip()
    if text[:3].upper() == "RUN" and (len(text) == 3 or text[3].isspace()):
        text = text[3:].lstrip()
        while text.startswith("--"):
            text = text.split(None, 1)[1] if len(text.split(None, 1)) > 1 else ""
    if text.startswith("["):
        try:
            words = json.loads(text)
        except ValueError:
            words = None
        if isinstance(words, list) and all(isinstance(word, str) for word in words):
            return _expand_shell([words])
    text = text.replace("\\\n", " ").replace("\n", " ; ")
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""  # a # starts a comment only at the start of a word (shlex would cut `a#b`)
    commands: list[list[str]] = [[]]
    comment = False
    try:
        for token in lexer:
            if token in _OPERATORS:
                commands.append([])
                comment = False
            elif comment or token.startswith("#"):
                comment = True  # to the end of the line (or the next operator)
            else:
                commands[-1].append(token)
    except ValueError:  # an unclosed quote: keep the commands read before it
        commands.pop()
    return _expand_shell([command for command in commands if command])


def _expand_shell(commands: list[list[str]]) -> list[list[str]]:
    found = []
    for words in commands:
        words = list(words)
        while words and (_ASSIGNMENT.match(words[0]) or words[0] in _WRAPPERS):
            words.pop(0)
        if not words:
            continue
        program = words[0].rpartition("/")[2]
        if program in _SHELLS and "-c" in words[1:-1]:
            found += shell_commands(words[words.index("-c", 1) + 1])
            continue
        found.append([program, *words[1:]])
    return found


def _subcommand(arguments: list[str]) -> str | None:
    return next((word for word in arguments if not word.startswith("-")), None)


def runs_pip_install(run: str) -> bool:
    """Whether the RUN ``run`` installs Python packages with pip: one of its :func:`shell_commands` is
    pip, pip3 or pip3.X (any path) with the subcommand ``install``, or python, python3 or python3.X
    with ``-m pip install``. Text an ``echo`` prints, or a comment, is not a command. Returns a bool. Raises nothing."""
    for program, *arguments in shell_commands(run):
        if _PIP.fullmatch(program) and _subcommand(arguments) == "install":
            return True
        if _PYTHON.fullmatch(program):
            for index, word in enumerate(arguments):
                module = arguments[index + 1] if word == "-m" and index + 1 < len(arguments) else word[2:] if word.startswith("-m") else None
                if module is not None:
                    if module == "pip" and _subcommand(arguments[index + (2 if word == "-m" else 1):]) == "install":
                        return True
                    break
    return False


@dataclass(frozen=True)
class Instruction:
    """One instruction: ``keyword`` upper-case, ``args`` as the parser split them, ``flags`` such as
    ``--from=builder``, ``line`` where it starts (1-based), ``json`` when written in JSON (exec) form."""

    keyword: str
    args: tuple[str, ...]
    flags: tuple[str, ...]
    line: int
    end_line: int
    json: bool
    original: str
    heredocs: tuple[str, ...] = ()

    def flag(self, name: str) -> str | None:
        """The value of ``--name=value`` (``""`` for a bare ``--name``), or None when absent."""
        for flag in self.flags:
            key, _, value = flag.lstrip("-").partition("=")
            if key.lower() == name.lower():
                return value
        return None

    @property
    def text(self) -> str:
        """The instruction as written on one line (continuations joined), for messages."""
        return " ".join(self.original.split("\n", 1)[0].split())

    @property
    def history_text(self) -> str:
        """The instruction as BuildKit writes it in the image's history (``docker history``), to find the
        entry it made. It differs from the text as written only for heredocs (read from BuildKit's
        dockerfile2llb, dispatchRun and dispatchCopy): a RUN whose whole command is one heredoc runs
        the heredoc's body (``<<-`` strips leading tabs), or ``/dev/pipes/NAME`` when the body starts
        with ``#!``; a RUN with a heredoc inside a command keeps the command, each body and its
        terminator; COPY and ADD record ``<<NAME`` without the body."""
        if not self.heredocs:
            return self.original
        first = self.original.split("\n", 1)[0]
        if self.keyword != "RUN":
            return first
        single = _WHOLE_HEREDOC.match(" ".join(self.args).strip())
        if single is None or len(self.heredocs) != 1:
            return self.original
        body = self.heredocs[0]
        if single.group(1):
            body = "\n".join(line.lstrip("\t") for line in body.split("\n"))
        if body.startswith("#!"):
            return f"RUN /dev/pipes/{single.group(3)}"
        return "RUN " + body


@dataclass
class Stage:
    """One FROM and the instructions after it."""

    index: int
    base: str
    name: str | None
    line: int
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [instruction for instruction in self.instructions if instruction.keyword == keyword.upper()]

    def last(self, keyword: str) -> Instruction | None:
        found = self.all(keyword)
        return found[-1] if found else None


@dataclass
class Dockerfile:
    """A parsed Dockerfile: ``stages`` in order (the last one is the image that ships)."""

    text: str
    instructions: list[Instruction]
    stages: list[Stage]
    global_args: dict[str, str]

    @property
    def final(self) -> Stage:
        return self.stages[-1]

    def stage(self, reference: str) -> Stage | None:
        """The stage a ``--from=`` names (by name or number), or None when it names an image."""
        for stage in self.stages:
            if (stage.name and stage.name.lower() == reference.lower()) or str(stage.index) == reference:
                return stage
        return None

    def line(self, number: int) -> str:
        lines = self.text.splitlines()
        return lines[number - 1].strip() if 0 < number <= len(lines) else ""


# `<<EOF`, `<<-EOF`, `<<"EOF"`: a heredoc that is the RUN's whole command.
_WHOLE_HEREDOC = re.compile(r"^<<(-?)([\"']?)(\w+)\2$")

_KNOWN = ("ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER",
          "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR")
_NEEDS_ARGUMENTS = {"ADD": 2, "COPY": 2, "FROM": 1, "WORKDIR": 1, "USER": 1, "ARG": 1, "ENV": 1, "RUN": 1, "EXPOSE": 1}
_VARIABLE = re.compile(r"\$(?:\{(\w+)(?::?[-+][^}]*)?\}|(\w+))")


def _expand(text: str, values: dict[str, str]) -> str:
    return _VARIABLE.sub(lambda m: values.get(m.group(1) or m.group(2), m.group(0)), text)


def parse(text: str, where: str = "your Dockerfile") -> Dockerfile:
    """Parse Dockerfile ``text`` (read by BuildKit's own parser) into a Dockerfile: its instructions,
    stages and the ARGs before the first FROM. Raises DockerfileInvalid, naming the line a build would
    stop at, for text that is empty, cannot be parsed, has an unknown instruction or one without its
    arguments, an instruction other than ARG before FROM, or no FROM; raises DockerlabError when ``text``
    is not a str."""
    if not isinstance(text, str):
        raise DockerlabError(f"{where} must be text (a str), not {type(text).__name__}.", fix="Pass the Dockerfile's text, e.g. Path('Dockerfile').read_text().")
    try:
        commands = buildkit_parser.parse_string(text)
    except buildkit_parser.GoParseError as error:
        if "no instructions" in str(error):
            raise DockerfileInvalid(f"{where} is empty: it has no instructions, only comments or blank lines.", line=None,
                                    fix="Start with a FROM line, e.g. `FROM python:3.11-slim`.") from None
        raise DockerfileInvalid(f"{where} cannot be parsed: {error}", line=None, fix="Check the line continuations (\\) and heredocs (<<EOF ... EOF).") from None
    instructions = [
        Instruction(
            keyword=command.cmd.upper(),
            args=tuple(command.value),
            flags=tuple(command.flags),
            line=command.start_line,
            end_line=command.end_line,
            json=command.json,
            original=command.original,
            heredocs=tuple(heredoc.content for heredoc in command.heredocs),
        )
        for command in commands
    ]
    stages: list[Stage] = []
    global_args: dict[str, str] = {}
    for instruction in instructions:
        if instruction.keyword not in _KNOWN:
            guess = difflib.get_close_matches(instruction.keyword, _KNOWN, n=1)
            hint = f"Did you mean {guess[0]}? " if guess else ""
            raise DockerfileInvalid(
                f"line {instruction.line} of {where}: `{instruction.text}` starts with {instruction.keyword}, which is not a Dockerfile instruction.",
                line=instruction.line, fix=f"{hint}Each instruction starts with one of {', '.join(_KNOWN)}.")
        needed = _NEEDS_ARGUMENTS.get(instruction.keyword, 0)
        if len([arg for arg in instruction.args if arg]) < needed and not instruction.heredocs:
            what = "a source and a destination" if needed == 2 else "an argument"
            raise DockerfileInvalid(
                f"line {instruction.line} of {where}: `{instruction.text}` needs {what}.",
                line=instruction.line, fix=f"Write it as e.g. `{_EXAMPLES[instruction.keyword]}`.")
        if instruction.keyword == "FROM":
            words = list(instruction.args)
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(len(stages), _expand(words[0], global_args), name, instruction.line))
        elif not stages:
            if instruction.keyword != "ARG":
                raise DockerfileInvalid(
                    f"line {instruction.line} of {where}: `{instruction.text}` comes before any FROM.",
                    line=instruction.line, fix="A Dockerfile starts with FROM (only ARG may come before it).")
            for arg in instruction.args:
                key, _, value = arg.partition("=")
                global_args[key] = value.strip("\"'")
        else:
            stages[-1].instructions.append(instruction)
    if not stages:
        raise DockerfileInvalid(f"{where} has no FROM line: it does not say which image to start from.", line=None,
                                fix="Start with a FROM line, e.g. `FROM python:3.11-slim`.")
    return Dockerfile(text, instructions, stages, global_args)


_EXAMPLES = {
    "ADD": "ADD app.tar.gz /app/", "COPY": "COPY app.py .", "FROM": "FROM python:3.11-slim", "WORKDIR": "WORKDIR /app",
    "USER": "USER 1000", "ARG": "ARG VERSION=1.0", "ENV": "ENV MODE=production", "RUN": "RUN pip install -r requirements.txt",
    "EXPOSE": "EXPOSE 8080",
}


# --- the build context, as .dockerignore leaves it ---------------------------------------------


def context_files(context: str | Path) -> list[str]:
    """The files of a build context that a build sends (relative paths), after .dockerignore read and
    matched by the CLI's rules (:mod:`dockerlab.dockerignore`). Returns a list. Raises DockerlabError
    when the .dockerignore cannot be read."""
    folder = Path(context)
    patterns = patterns_of(folder)
    return [relative for relative in (path.relative_to(folder).as_posix() for path in sorted(folder.rglob("*")) if path.is_file())
            if not excluded(relative, patterns)]


def copied_files(sources: tuple[str, ...] | list[str], files: list[str]) -> list[str]:
    """Which of the context's ``files`` a COPY/ADD with these ``sources`` takes."""
    taken = []
    for source in sources:
        source = source.strip()
        while source.startswith("./"):
            source = source[2:]
        for file in files:
            if source in (".", "") or excluded(file, [source]):  # a source names files as a pattern does
                if file not in taken:
                    taken.append(file)
    return taken


check_public(globals(), "dockerfile")  # the one argument check, for every public function here
