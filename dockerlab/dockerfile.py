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
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

import dockerfile as buildkit_parser

from .dockerignore import _go_match, patterns_of, sent_paths
from .errors import DockerfileInvalid, DockerlabError, PatternRefused
from .recording.arguments import check_public

__all__ = ["Instruction", "Stage", "Dockerfile", "DockerfileInvalid", "parse", "context_files", "shell_commands", "shell_steps",
           "runs_pip_install", "pip_requirement_files"]

# --- what a RUN runs: its shell commands, and whether one of them installs with pip --------------
#
# A RUN is read by a real shell grammar, tree-sitter-bash (MIT, maintained with tree-sitter; wheels on
# PyPI): if/for/while/case, braces, subshells, functions, `!`, pipelines, command substitutions and
# heredocs are its job, not this module's. bashlex was the other candidate: it is GPL-3.0 (this package
# is MIT), last released in 2023, and stops with an error on constructs it does not know; tree-sitter
# reads any text and marks only the part it cannot parse.

_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
# Programs that run the command given after their own options: {program: options that take a value}.
_WRAPPERS = {
    "sudo": {"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"}, "exec": {"-a"}, "env": {"-u", "-C", "-S", "--unset", "--chdir"},
    "command": set(), "builtin": set(), "time": {"-f", "-o"}, "nice": {"-n", "--adjustment"}, "nohup": set(), "stdbuf": {"-i", "-o", "-e"},
    "timeout": {"-s", "-k", "--signal", "--kill-after"}, "xargs": {"-a", "-d", "-E", "-e", "-I", "-i", "-L", "-l", "-n", "-P", "-s", "--arg-file",
                                                                   "--delimiter", "--max-args", "--max-procs", "--replace"},
    "chroot": set(), "su-exec": set(), "gosu": set(), "setpriv": set(), "ionice": {"-c", "-n", "-p"}, "unbuffer": set(), "eatmydata": set(),
}
_POSITIONAL = {"timeout": 1, "chroot": 1, "su-exec": 1, "gosu": 1}  # words before the command: a duration, a root, a user
_SHELLS = {"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"}
# su and runuser run a command string as another user (`su -c 'pip install ...' app`, `runuser -l app -c '...'`),
# or, runuser only, the words after `-u USER --` (util-linux su(1), runuser(1)): their options that take a value
_SWITCH_USER = {"su", "runuser"}
_SWITCH_USER_VALUE_OPTIONS = {"-c", "--command", "-C", "--session-command", "-g", "--group", "-G", "--supp-group", "-s", "--shell",
                              "-u", "--user", "-w", "--whitelist-environment"}
_SHELL_VALUE_OPTIONS = {"-o", "+o", "-O", "+O", "--rcfile", "--init-file"}
_PIP = re.compile(r"pip(?:3(?:\.\d+)?)?")
_PYTHON = re.compile(r"python(?:3(?:\.\d+)?)?")
# pip's general options that take a value (`pip --retries 3 install`), from `pip --help` (pip 24)
_PIP_VALUE_OPTIONS = {"--python", "--log", "--log-file", "--local-log", "--keyring-provider", "--proxy", "--retries", "--timeout",
                      "--exists-action", "--trusted-host", "--cert", "--client-cert", "--cache-dir", "--use-feature",
                      "--use-deprecated", "--resume-retries"}
# uv's global options that take a value, before `pip` (`uv --directory app pip install`)
_UV_VALUE_OPTIONS = {"--cache-dir", "--color", "--config-file", "--directory", "--project", "--python-preference", "--python-fetch",
                     "--allow-insecure-host", "--managed-python"}
# python's own options that take a value, before -m (`python3 -X utf8 -m pip`)
_PYTHON_VALUE_OPTIONS = {"-W", "-X", "--check-hash-based-pycs"}
_WHOLE_HEREDOC_RUN = re.compile(r"^<<(-?)([\"']?)(\w+)\2[^\n]*\n(.*?)\n[ \t]*\3[ \t]*(?:\n|$)", re.DOTALL)


def shell_commands(run: str) -> list[list[str]]:
    """The simple commands a RUN runs (``RUN`` and its ``--flags`` may lead; JSON exec form too), each as
    its words as the shell reads them (quotes removed: quoted text stays one word; a $VARIABLE kept as
    written), found wherever a shell runs them: lists and pipelines, if/for/while/case bodies, braces,
    subshells, functions, command substitutions, a shell's ``-c`` string (``bash -lc "..."``) and a
    heredoc a shell reads as its script (``RUN <<EOF``, ``bash <<EOF``). Leading ``VAR=value`` words and
    wrappers with their options (sudo, env, exec, timeout 600, nice -n 5, xargs -n 1, ...) are dropped,
    and the program is named without its path. Text an echo prints, a comment, or a heredoc written to
    a file is not a command. Returns a list of word lists. Raises nothing (text the grammar cannot parse is
    read as far as it can be)."""
    return [words for _, words in shell_steps(run) if words[0] != "export"]


def shell_steps(run: str) -> list[tuple[dict[str, str], list[str]]]:
    """What :func:`shell_commands` finds, in order, each with the environment variables written for that command
    alone (``CGO_ENABLED=0 go build``, ``env GOBIN=/out go install``) as {name: value as written}; an ``export A=1
    B=2`` is a step of its own, ``(({"A": "1", "B": "2"}, ["export", "A=1", "B=2"]))``, whose values hold for the
    commands after it. Returns a list of (dict, word list). Raises nothing."""
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
            return _steps([words])
    whole = _WHOLE_HEREDOC_RUN.match(text)
    if whole:  # `RUN <<EOF`: the shell runs the heredoc's body (a `#!` body names another interpreter)
        body = whole.group(4)
        return [] if body.startswith("#!") and not re.match(r"#!\S*/(?:env )?\s*(?:" + "|".join(_SHELLS) + r")\b", body) else shell_steps(body)
    return _steps(_parsed_commands(text))


def _parser():
    import tree_sitter  # lazy: a compiled grammar, loaded only when a RUN is read
    import tree_sitter_bash  # lazy: as above

    global _PARSER
    if _PARSER is None:
        _PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))
    return _PARSER


_PARSER = None


def _parsed_commands(text: str) -> list[list[str]]:
    """Every simple command in shell ``text``, in the order written, as word lists (words unquoted)."""
    source = text.encode()
    tree = _parser().parse(source)
    found: list[list[str]] = []

    def visit(node) -> None:
        if node.type == "command":
            name = node.child_by_field_name("name")
            if name is not None:  # `A=1 B=2 go build`: the assignments lead (see _unwrapped)
                prefix = [_word(child, source) for child in node.children if child.type == "variable_assignment"]
                found.append(prefix + [_word(name, source)] + [_word(argument, source) for argument in node.children_by_field_name("argument")])
        elif node.type == "declaration_command" and node.children and node.children[0].type == "export":
            found.append(["export"] + [_word(child, source) for child in node.children[1:] if child.type in ("variable_assignment", "word", "concatenation")])
            return
        elif node.type == "redirected_statement":
            body = node.child_by_field_name("body")
            found.extend(_heredoc_script(node, body, source))
            if body is not None and body.type == "command":  # the command, then its redirections as words (`>`, `/dev/null`)
                start = len(found)
                for child in node.children:
                    if child.type not in ("heredoc_body", "comment", "file_redirect"):
                        visit(child)
                if len(found) > start:
                    found[start] = found[start] + _redirections(node, source)
                return
        for child in node.children:
            if child.type not in ("heredoc_body", "comment"):
                visit(child)

    visit(tree.root_node)
    return found


def _heredoc_script(statement, body, source: bytes) -> list[list[str]]:
    """The commands of the script a shell reads from a heredoc (`bash <<EOF`); [] for any other statement."""
    heredoc = next((child for child in statement.children if child.type == "heredoc_redirect"), None)
    if body is None or body.type != "command" or heredoc is None or body.child_by_field_name("name") is None:
        return []
    words = [each for _, each in _steps([[_word(body.child_by_field_name("name"), source)]
                                         + [_word(a, source) for a in body.children_by_field_name("argument")]])]
    if not (words and words[0][0] in _SHELLS and _script_of(words[0][1:]) is None):
        return []
    content = next((child for child in heredoc.children if child.type == "heredoc_body"), None)
    return _parsed_commands(source[content.start_byte:content.end_byte].decode(errors="replace")) if content is not None else []


def _redirections(statement, source: bytes) -> list[str]:
    """A redirected statement's file redirections as words: the operator with its descriptor when one is
    written (``>``, ``>>``, ``2>``, ``2>&``), then the destination (``/dev/null``, ``1``)."""
    words: list[str] = []
    for redirect in (child for child in statement.children if child.type == "file_redirect"):
        descriptor = redirect.child_by_field_name("descriptor")
        destination = redirect.child_by_field_name("destination")
        operator = next((child for child in redirect.children if child.type not in ("file_descriptor",) and child != destination and not child.is_named), None)
        if operator is None or destination is None:
            continue
        prefix = source[descriptor.start_byte:descriptor.end_byte].decode() if descriptor is not None else ""
        words += [prefix + source[operator.start_byte:operator.end_byte].decode(), _word(destination, source)]
    return words


def _word(node, source: bytes) -> str:
    """A word's value as the shell passes it to the program: quotes removed, backslash escapes read;
    expansions ($X, $(...)) kept as written."""
    raw = source[node.start_byte:node.end_byte].decode(errors="replace")
    kind = node.type
    if kind == "command_name":
        return "".join(_word(child, source) for child in node.children) if node.children else raw
    if kind == "raw_string":
        return raw[1:-1]
    if kind == "ansi_c_string":
        return raw[2:-1]
    if kind == "string":
        return re.sub(r'\\([$`"\\\n])', lambda m: "" if m.group(1) == "\n" else m.group(1), raw[1:-1])
    if kind == "concatenation":
        return "".join(_word(child, source) for child in node.children)
    if kind == "variable_assignment" and node.child_by_field_name("value") is not None:  # A="x y": the value unquoted
        name = node.child_by_field_name("name")
        return f"{source[name.start_byte:name.end_byte].decode(errors='replace')}={_word(node.child_by_field_name('value'), source)}"
    if kind == "word":
        return re.sub(r"\\(.)", r"\1", raw.replace("\\\n", ""), flags=re.DOTALL)
    return raw


def _script_of(arguments: list[str]) -> str | None:
    """The command string a shell runs with ``-c`` (any option cluster holding c: -c, -lc, -ec, -xec),
    after its own options (-o pipefail takes a value); None when it reads a file or its input."""
    wants_script = False
    index = 0
    while index < len(arguments):
        word = arguments[index]
        if word in _SHELL_VALUE_OPTIONS:
            index += 2
            continue
        if word == "--":
            index += 1
            break
        if re.fullmatch(r"[-+][A-Za-z]+", word):
            wants_script = wants_script or (word[0] == "-" and "c" in word[1:])
            index += 1
            continue
        if word.startswith("--"):
            index += 1
            continue
        break
    return arguments[index] if wants_script and index < len(arguments) else None


def _switch_user_command(arguments: list[str]) -> str | list[str] | None:
    """What su/runuser ``arguments`` run: the ``-c``/``--command`` string, or (runuser -u USER) the words
    after ``--`` or the options; None for a login shell alone."""
    index, user_given = 0, False
    while index < len(arguments):
        word = arguments[index]
        name, equals, value = word.partition("=")
        if word == "--":
            return arguments[index + 1:] or None
        if name in ("-c", "--command", "-C", "--session-command"):
            return value if equals else (arguments[index + 1] if index + 1 < len(arguments) else None)
        if word.startswith("-c") and not word.startswith("--") and len(word) > 2:
            return word[2:]  # -c'script'
        if name in _SWITCH_USER_VALUE_OPTIONS:
            user_given = user_given or name in ("-u", "--user")
            index += 1 if equals else 2
            continue
        if word.startswith("-"):
            index += 1
            continue
        if user_given:  # runuser -u app pip install ...
            return arguments[index:]
        index += 1  # su's user (and then its shell's arguments)
    return None


def _unwrapped(words: list[str]) -> tuple[dict[str, str], list[str]]:
    """``words`` without leading ``VAR=value`` words and wrappers with their options (see _WRAPPERS), and the
    variables those assignments (and ``env``'s) set for the command."""
    words, env = list(words), {}
    while words:
        if _ASSIGNMENT.match(words[0]):
            name, _, value = words.pop(0).partition("=")
            env[name] = value
            continue
        program = words[0].rpartition("/")[2]
        if program not in _WRAPPERS:
            break
        words.pop(0)
        while words and words[0].startswith("-") and words[0] != "-":
            option = words.pop(0)
            if option in _WRAPPERS[program] and words:
                words.pop(0)  # its value
            if option == "--":
                break
        if program == "env":
            while words and _ASSIGNMENT.match(words[0]):
                name, _, value = words.pop(0).partition("=")
                env[name] = value
        del words[: _POSITIONAL.get(program, 0)]
    return env, words


def _steps(commands: list[list[str]]) -> list[tuple[dict[str, str], list[str]]]:
    """Each command's (variables set for it alone, words): wrappers dropped, a shell's ``-c`` script read as its
    commands (which get the shell's variables too), the program named without its path."""
    found = []
    for words in commands:
        if words[:1] == ["export"]:
            found.append(({name: value for name, _, value in (word.partition("=") for word in words[1:] if "=" in word)}, words))
            continue
        env, words = _unwrapped(words)
        if not words:
            continue
        program = words[0].rpartition("/")[2]
        if program in _SHELLS or program in _SWITCH_USER:
            script = _script_of(words[1:]) if program in _SHELLS else _switch_user_command(words[1:])
            if isinstance(script, list):
                found += [({**env, **inner}, each) for inner, each in _steps([script])]
                continue
            if script is not None:
                found += [({**env, **inner}, each) for inner, each in _steps(_parsed_commands(script))]
                continue
        found.append((env, [program, *words[1:]]))
    return found


def _subcommand(arguments: list[str], value_options: set[str] = frozenset()) -> str | None:
    """The first word that is not an option (nor the value of one of ``value_options``)."""
    index = 0
    while index < len(arguments):
        word = arguments[index]
        if not word.startswith("-"):
            return word
        index += 2 if word in value_options else 1
    return None


def _python_module(arguments: list[str]) -> tuple[str, list[str]] | None:
    """(module, its arguments) when python's options run one with -m (`-m pip`, `-mpip`, `-Im pip`)."""
    index = 0
    while index < len(arguments):
        word = arguments[index]
        if word in _PYTHON_VALUE_OPTIONS:
            index += 2
            continue
        if word.startswith("-") and not word.startswith("--") and len(word) > 1:
            letters = word[1:]
            if "c" in letters.split("m", 1)[0]:
                return None  # -c CODE: python runs that, the rest are its arguments
            if "m" in letters:
                module = letters.split("m", 1)[1]
                if module:
                    return module, arguments[index + 1:]
                return (arguments[index + 1], arguments[index + 2:]) if index + 1 < len(arguments) else None
            index += 1
            continue
        if word.startswith("--"):
            index += 1
            continue
        return None  # a script: python runs it, not a module
    return None


def _pip_installs(run: str) -> list[list[str]]:
    """The arguments after ``install`` of each pip install :func:`shell_commands` finds in ``run``."""
    found = []
    for program, *arguments in shell_commands(run):
        if _PIP.fullmatch(program):
            rest = arguments
        elif _PYTHON.fullmatch(program) and (module := _python_module(arguments)) and module[0] == "pip":
            rest = module[1]
        elif program == "uv" and _subcommand(arguments, _UV_VALUE_OPTIONS) == "pip":
            rest = arguments[arguments.index("pip") + 1:]
        else:
            continue
        if _subcommand(rest, _PIP_VALUE_OPTIONS) == "install":
            found.append(rest[rest.index("install") + 1:])
    return found


def pip_requirement_files(run: str) -> list[str]:
    """The requirements files the pip installs of RUN ``run`` read (``-r FILE``, ``-rFILE``,
    ``--requirement FILE``, ``--requirement=FILE``), as the shell passes them (quotes and ``;`` are the
    shell's, not the name's). Returns a list, empty when no install reads one. Raises nothing."""
    files = []
    for arguments in _pip_installs(run):
        for index, word in enumerate(arguments):
            if word in ("-r", "--requirement") and index + 1 < len(arguments):
                files.append(arguments[index + 1])
            elif word.startswith("--requirement="):
                files.append(word.split("=", 1)[1])
            elif word.startswith("-r") and len(word) > 2 and not word.startswith("--"):
                files.append(word[2:])
    return files


def runs_pip_install(run: str) -> bool:
    """Whether the RUN ``run`` installs Python packages with pip: one of its :func:`shell_commands` is
    pip, pip3 or pip3.X (any path) whose subcommand, after pip's own options (``--retries 3``), is
    ``install``; python, python3 or python3.X running ``-m pip install`` (``-Im pip``, ``-mpip``); or
    ``uv pip install``. Text an ``echo`` prints, or a comment, is not a command. Returns a bool. Raises nothing."""
    return bool(_pip_installs(run))


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
        """The value of ``--name=value`` (``""`` for a bare ``--name``), or None when absent.
        Returns a str or None. Raises nothing."""
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
        """The stage's instructions of ``keyword`` (any case), in order. Returns a list. Raises nothing."""
        return [instruction for instruction in self.instructions if instruction.keyword == keyword.upper()]

    def last(self, keyword: str) -> Instruction | None:
        """The stage's last instruction of ``keyword`` (any case), None when it has none. Raises nothing."""
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
        """The stage a ``--from=`` names (by name in any case, or number), or None when it names an image.
        For the stage a FROM builds on, see :meth:`base_stage`. Returns the Stage or None. Raises nothing."""
        for stage in self.stages:
            if (stage.name and stage.name.lower() == reference.lower()) or str(stage.index) == reference:
                return stage
        return None

    def base_stage(self, stage: Stage, builder: str = "buildkit") -> Stage | None:
        """The earlier stage ``stage`` is built FROM, matched as BuildKit matches a FROM (dockerfile2llb's
        addState looks the FROM word up as written among the stage names, which it keeps in lowercase):
        `FROM builder` is the stage `AS Builder`, the last earlier one of that name; `FROM BUILDER` is an
        image, not the stage (BuildKit then stops: a repository name must be lowercase), and so is a number
        (only `COPY --from=` takes a stage's number, in any case). With ``builder="classic"``, as the classic
        builder matches it (its stage lookup lowercases the FROM word: `FROM BUILDER` is the stage `builder`;
        measured on engine 20.10.24), for an image that builder made. Returns the Stage or None. Raises nothing."""
        word = stage.base.lower() if builder == "classic" else stage.base
        return next((earlier for earlier in reversed(self.stages[: stage.index]) if earlier.name and earlier.name.lower() == word), None)

    def line(self, number: int) -> str:
        """Line ``number`` (1-based) of the text, stripped; "" for a number outside it. Returns a str. Raises
        nothing."""
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
        raise DockerlabError(f"{where} must be text (a str), not {type(text).__name__}.",
                             fix="Pass the Dockerfile's text, e.g. Path('Dockerfile').read_text().")
    try:
        commands = buildkit_parser.parse_string(text)
    except buildkit_parser.GoParseError as error:
        if "no instructions" in str(error):
            raise DockerfileInvalid(f"{where} is empty: it has no instructions, only comments or blank lines.", line=None,
                                    fix="Start with a FROM line, e.g. `FROM python:3.11-slim`.") from None
        raise DockerfileInvalid(f"{where} cannot be parsed: {error}", line=None,
                                fix="Check the line continuations (\\) and heredocs (<<EOF ... EOF).") from None
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


def context_files(context: str | Path, dockerfile: str | Path | None = None, *, builder: str | None = None) -> list[str]:
    """The files of a build context that a build sends (relative paths, sorted), after .dockerignore read
    and matched by the CLI's rules and walked as the CLI walks it (:mod:`dockerlab.dockerignore`: a folder
    left out is entered only for an exception that starts with its path). With ``dockerfile`` (a path, relative to
    ``context``), a ``<Dockerfile>.dockerignore`` beside it is read in place of the context's .dockerignore, as BuildKit
    (the default builder) does, unless ``builder`` is "classic", which always reads .dockerignore; with ``builder``
    "buildkit", a line BuildKit cannot send (a control character) is refused too. Returns a list. Raises
    DockerlabError when ``context`` is not a folder, ``builder`` is not one of those, or the .dockerignore cannot be
    read or has a line the CLI refuses (a lone ``!``, a pattern
    that is a syntax error to it)."""
    folder = Path(context)
    if not folder.is_dir():
        raise DockerlabError(f"The build context {context} is not a folder.",
                             fix="Pass the folder `docker build` would be given (the one holding the Dockerfile and the files it copies).")
    if builder not in (None, "buildkit", "classic"):
        raise DockerlabError(f"context_files(): unknown builder {builder!r}.", fix="Pass builder='buildkit' or builder='classic', or leave it out.")
    patterns = patterns_of(folder, buildkit=builder == "buildkit", dockerfile=dockerfile if builder != "classic" else None)
    return sorted(path for path in sent_paths(folder, patterns, always_sent=False) if (folder / path).is_file())


def _has_wildcards(source: str) -> bool:
    """Whether a COPY/ADD source is a pattern: a `*`, `?` or `[` not escaped by a backslash (moby's and fsutil's
    containsWildcards)."""
    index = 0
    while index < len(source):
        if source[index] == "\\":
            index += 1
        elif source[index] in "*?[":
            return True
        index += 1
    return False


def _copy_pattern_takes(pattern: str, file: str) -> bool:
    """Whether a COPY/ADD pattern takes ``file``: Go's filepath.Match against the file or one of its folders (a folder
    matched is copied whole); `*` and `?` never cross a `/`, so `**` is `*` (one path segment)."""
    parts = file.split("/")
    try:
        return any(_go_match(pattern, "/".join(parts[:depth])) for depth in range(1, len(parts) + 1))
    except PatternRefused:  # Go's ErrBadPattern (`a[`): the classic builder ignores it (no match), BuildKit fails
        return False


def copied_files(sources: tuple[str, ...] | list[str], files: list[str], builder: str = "buildkit") -> list[str]:
    """Which of the context's ``files`` a COPY/ADD with these ``sources`` takes, as ``builder`` ("buildkit" or
    "classic") reads a source. A source is no .dockerignore pattern: a path (a folder: all the files under it) or,
    with `*`, `?` or `[`, a Go filepath.Match pattern matched against each file and folder of the context (a folder
    matched is copied whole; `*` stays within one path segment, so `**/*.py` is `*/*.py`; no `!` exceptions: `!a` is
    the file `!a`; case matters). BuildKit first cleans the source (`src/*/` is `src/*`, `src/./*.py` is `src/*.py`,
    `../a.txt` is `a.txt`: it cannot leave the context); the classic builder only drops a leading `/` and then `./`
    from a pattern (`*/`, `src/*/`, `src/./*.py` match nothing there) and refuses a path that leaves the context
    (`../a.txt`: nothing is copied, the build fails). Returns a list, in ``files`` order. Raises DockerlabError for
    another ``builder``."""
    if builder not in ("buildkit", "classic"):
        raise DockerlabError(f"copied_files(): unknown builder {builder!r}.", fix="Pass builder='buildkit' or builder='classic'.")
    taken = []
    for source in sources:
        source = source.strip()
        if builder == "classic" and _has_wildcards(source):
            pattern = source.removeprefix("/").removeprefix("./")
            chosen = [file for file in files if _copy_pattern_takes(pattern, file)]
        else:
            # BuildKit joins a source to the context's root (/ is the root, .. cannot leave it); the classic builder
            # cleans a plain path and refuses one that leaves the context
            cleaned = posixpath.normpath(source if builder == "classic" else "/" + source.lstrip("/")).lstrip("/")
            if builder == "classic" and (cleaned == ".." or cleaned.startswith("../")):
                chosen = []
            elif _has_wildcards(cleaned):
                chosen = [file for file in files if _copy_pattern_takes(cleaned, file)]
            elif cleaned in (".", ""):
                chosen = list(files)
            else:
                chosen = [file for file in files if file == cleaned or file.startswith(cleaned + "/")]
        taken += [file for file in chosen if file not in taken]
    return taken


check_public(globals(), "dockerfile")  # the one argument check, for every public function here
