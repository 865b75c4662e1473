"""What a build stage's RUN lines make, read from the text: the programs and folders a later `COPY --from` should
take (the static tier of exercises 04 and 06 asks whether the image that ships takes only those).

Read, as the tools themselves document them (`go help build`, `go help install`, `pip wheel --help`,
`pip install --help`, `python -m venv --help`, gcc's manual):

- ``go build``: ``-o FILE``; ``-o DIR/`` (or a folder that exists) takes the executable named after the
  package; without ``-o`` the executable is written to the working directory, named after the first .go
  file given (``go build main.go`` writes ``main``) or the last element of the package's import path that is
  not a major version (``go build ./cmd/server`` writes ``server``; ``.`` takes the module path of go.mod or of
  ``go mod init NAME``); several packages without ``-o DIR`` are built and thrown away; ``-C DIR`` first.
- ``go install``: the executables go to $GOBIN, else $GOPATH/bin (the golang images set GOPATH=/go; Go's default
  is $HOME/go), into a GOOS_GOARCH folder there when cross-compiling.
- ``cc``/``gcc``/``clang`` (and ``g++``/``c++``/``clang++``): ``-o FILE``, else ``a.out``; ``-c``, ``-S``, ``-E``
  make no program.
- ``pip wheel``: the wheels go to ``-w DIR`` (the working directory without it); ``pip install --target DIR``,
  ``--prefix DIR``, ``--root DIR`` and ``--user`` (~/.local) install into that folder; ``python -m venv DIR``
  (``virtualenv DIR``, ``uv venv DIR``) makes the environment the later installs fill.

- ``mv``, ``cp``, ``install`` of something built (in the same RUN or a later one): it is followed to its new path
  (into the destination when that ends in ``/``, is a folder that exists, or several sources go there).

A `go build` or `go install` of a package in module mode (Go 1.16 and later, GO111MODULE unset or on) with no go.mod in
its folder or one above stops the build ('go.mod file not found'): that goes to ``StageState.stops``.

Environment variables are followed as the shell passes them: ENV and ARG defaults of the stage, ``export``,
and ``A=1 cmd`` prefixes; ``cd DIR`` changes the directory for the commands after it. What the text cannot
settle (a variable with no value, a package with no name the text gives) is returned as a sentence, never
guessed.
"""
from __future__ import annotations

import fnmatch
import posixpath
import re
from dataclasses import dataclass, field

from ..errors import TextCannotSettle as _Unsure  # the text cannot settle what a command makes
from ..errors import TextStopsBuild as _Stops  # the build stops at a command
from .. import dockerfile as parser

__all__ = ["Made", "StageState", "run_outputs", "base_state", "under"]

# The folders every Debian-based base image the course uses already has, so `go build -o /usr/local/bin`
# writes into the folder (as Go does for an existing directory), not a file named /usr/local/bin.
_BASE_FOLDERS = {"/", "/bin", "/sbin", "/usr", "/usr/bin", "/usr/sbin", "/usr/local", "/usr/local/bin", "/usr/local/sbin",
                 "/tmp", "/opt", "/srv", "/root", "/home", "/etc", "/var", "/usr/local/lib"}
_GO_VALUE_FLAGS = {"-o", "-C", "-p", "-asmflags", "-buildmode", "-compiler", "-gccgoflags", "-gcflags", "-installsuffix", "-ldflags",
                   "-mod", "-modfile", "-overlay", "-pgo", "-pkgdir", "-tags", "-toolexec", "-coverpkg", "-covermode", "-exec"}
_CC = re.compile(r"^(?:[\w.-]+-)?(?:cc|gcc|clang|g\+\+|c\+\+|clang\+\+)(?:-\d+(?:\.\d+)*)?$")
_PIP = re.compile(r"^pip(?:3(?:\.\d+)?)?$")
_PYTHON = re.compile(r"^python(?:3(?:\.\d+)?)?$")
_VARIABLE = re.compile(r"\$(?:\{(\w+)(?::?[-+][^}]*)?\}|(\w+))")


@dataclass(frozen=True)
class Made:
    """One thing a RUN makes: its absolute ``path``; ``folder`` True when it is a folder of built things (wheels,
    a venv, an install prefix: a COPY of anything under it takes part of it); ``kind`` "go", "c" or "python";
    ``static`` for a Go program: whether it is built with CGO_ENABLED=0 (or linked -static), so it starts in an
    image with no C library. ``origin``: for a copy (`cp`, `install`) or a move (`mv`, ``moved``) of something built,
    the path it came from."""

    path: str
    folder: bool
    kind: str
    static: bool = True
    origin: str = ""
    moved: bool = False


@dataclass
class StageState:
    """What the text says of a stage at one line: the working directory (None when a variable makes it unknown),
    the environment variables (None: a build argument with no default), the folders known to exist, the Go
    module path (from go.mod or `go mod init`), whether a virtual environment was made (a plain pip install fills it).
    ``go_mods``: the folders a go.mod is in (a COPY put it there, or `go mod init` made it); ``modules``: whether the
    base's Go builds in module mode by default (True for the golang images of Go 1.16 and later; None: the text
    does not say which Go it is). ``stops``: the commands the build stops at, (the command, why), one each."""

    workdir: str | None = "/"
    values: dict[str, str | None] = field(default_factory=dict)
    folders: set[str] = field(default_factory=lambda: set(_BASE_FOLDERS))
    module: str | None = None
    venv: bool = False
    go_mods: set[str] = field(default_factory=set)
    modules: bool | None = None
    stops: list[tuple[str, str]] = field(default_factory=list)

    def copy(self) -> StageState:
        """A copy a later stage built FROM this one starts with (what the earlier stage's commands stopped at stays
        with that stage). Returns a StageState. Raises nothing."""
        return StageState(self.workdir, dict(self.values), set(self.folders), self.module, self.venv, set(self.go_mods), self.modules)


def base_state(base: str, module: str | None = None) -> StageState:
    """A stage's state as its base image leaves it: the golang images set WORKDIR /go and GOPATH=/go (and have
    /go/bin); other bases start in / with Go's default GOPATH ($HOME/go, /root/go for root). ``module``: the
    module path of the context's go.mod, if any. Returns a StageState. Raises nothing."""
    image, _, tag = base.lower().split("/")[-1].partition(":")
    if image == "golang":
        return StageState("/go", {"GOPATH": "/go"}, set(_BASE_FOLDERS) | {"/go", "/go/bin", "/go/src"}, module, modules=_modules_by_default(tag))
    return StageState("/", {}, set(_BASE_FOLDERS), module)


def _modules_by_default(tag: str) -> bool:
    """Whether the Go of golang:TAG builds in module mode when GO111MODULE is not set: Go 1.16 made it the default
    (`go help modules`); a tag without a version (latest, alpine, bookworm) is a Go of today."""
    version = re.match(r"(\d+)\.(\d+)", tag.split("@")[0])
    return version is None or (int(version.group(1)), int(version.group(2))) >= (1, 16)


def _expand(text: str, values: dict[str, str | None]) -> str | None:
    """``text`` with $NAME/${NAME} replaced (${NAME:-default} by its default when unset); None when a variable
    has no value the text gives."""
    known = True

    def value(match: re.Match) -> str:
        nonlocal known
        name = match.group(1) or match.group(2)
        if values.get(name) is not None:
            return values[name]
        default = re.match(r"\$\{\w+:?-([^}]*)\}", match.group(0))
        if default and name not in values:
            return default.group(1)
        known = False
        return match.group(0)

    expanded = _VARIABLE.sub(value, text)
    return expanded if known and "`" not in expanded and "$(" not in expanded else None


def _absolute(path: str, workdir: str | None) -> str | None:
    if path.startswith("/"):
        return posixpath.normpath(path)
    return None if workdir is None else posixpath.normpath(posixpath.join(workdir, path))


def _program_name(import_path: str) -> str | None:
    """The last element of an import path that is not a major version (`example.com/foo/v2` -> foo)."""
    parts = [part for part in import_path.strip("/").split("/") if part and part != "."]
    while len(parts) > 1 and re.fullmatch(r"v\d+", parts[-1]) and parts[-1] != "v1":
        parts.pop()
    return parts[-1] if parts else None


def _go_words(arguments: list[str]) -> tuple[dict[str, str], list[str]]:
    """`go build`/`go install`'s flags (each as -name: value, a bool flag as "") and its package arguments."""
    flags, packages, index = {}, [], 0
    while index < len(arguments):
        word = arguments[index]
        if re.match(r"^\d*(?:[<>]|&>)", word):  # a redirection the shell reads (`> /dev/null`, `2>&` `1`), and its target
            index += 2
            continue
        if word.startswith("-") and len(word) > 1:
            name, equals, value = word.lstrip("-").partition("=")
            name = "-" + name
            if not equals and name in _GO_VALUE_FLAGS and index + 1 < len(arguments):
                value, index = arguments[index + 1], index + 1
            flags[name] = value
        else:
            packages.append(word)
        index += 1
    return flags, packages


def _go_name(packages: list[str], cwd: str | None, module: str | None) -> str | None:
    """The executable's name `go build` gives one main package (None: several packages, nothing kept).
    Raises _Unsure when the text does not give it."""
    if packages and all(package.endswith(".go") for package in packages):
        return posixpath.basename(packages[0])[:-3]
    if len(packages) > 1 or any("..." in package for package in packages):
        return None
    package = (packages[0] if packages else ".").split("@")[0]
    if package.startswith((".", "/")):
        if posixpath.normpath(package) in (".", "./"):
            if module:
                return _program_name(module)
            raise _Unsure("names the program after the module, and neither a go.mod in the build context nor a `go mod init NAME` "
                          "gives its name (without one, `go build` stops with 'go.mod file not found')")
        if package.startswith(("/", "..")):  # its import path depends on where the module's root is
            raise _Unsure(f"names the program after the import path of {package}, which depends on where go.mod is")
        return _program_name(posixpath.normpath(package))
    return _program_name(package)


def _go_installed(packages: list[str], values: dict[str, str | None], static: bool, name) -> list[Made]:
    """Where `go install` puts the programs: $GOBIN, else the first $GOPATH's bin (a GOOS_GOARCH folder there when
    cross-compiling). ``name``: a function giving the program's name (None: several)."""
    if any(package.endswith(".go") for package in packages) and not values.get("GOBIN"):
        raise _Unsure("installs .go files named on the command line, which Go refuses without GOBIN ('no install location')")
    if "GOBIN" in values and values["GOBIN"] is None or "GOPATH" in values and values["GOPATH"] is None:
        raise _Unsure("installs into $GOBIN or $GOPATH/bin, which a variable the text gives no value names")
    gobin = values.get("GOBIN")
    gopath = values.get("GOPATH") or (values.get("HOME") or "/root") + "/go"  # Go's default: $HOME/go
    folder = gobin or gopath.split(":")[0] + "/bin"
    if not folder.startswith("/"):
        raise _Unsure(f"installs into {folder}, which Go refuses: GOBIN and GOPATH must be absolute paths")
    cross = not gobin and any(values.get(variable) for variable in ("GOOS", "GOARCH"))
    program = None if cross else name()
    if program is None:  # several programs, or a GOOS_GOARCH folder under GOPATH/bin: the folder holds only them
        return [Made(folder, True, "go", static)]
    return [Made(posixpath.join(folder, program), False, "go", static)]


def _without_module(subcommand: str, flags: dict[str, str], packages: list[str], values: dict[str, str | None], cwd: str | None,
                    state: StageState) -> str | None:
    """Why `go build`/`go install` stops for want of a go.mod, or None: in module mode (GO111MODULE=on, or unset with a
    Go of 1.16 or later) a package (`.`, `./...`, or none named) needs a go.mod in the folder it runs in or one above;
    .go files named on the command line, `go install PKG@VERSION` and `-modfile` need none (checked with golang:1.21)."""
    mode = values.get("GO111MODULE", "")
    if "-modfile" in flags or mode in ("off", "auto") or (mode != "on" and not state.modules) or cwd is None:
        return None
    if (packages and all(package.endswith(".go") for package in packages)) or (subcommand == "install" and any("@" in package for package in packages)):
        return None
    if any(under(cwd, folder) for folder in state.go_mods):
        return None
    said = ("pattern ./...: directory prefix . does not contain main module or its selected dependencies" if any("..." in package for package in packages)
            else "go: go.mod file not found in current directory or any parent directory")
    return (f"builds {' '.join(packages) or 'the package in ' + cwd} in module mode (the default since Go 1.16), and no go.mod is in {cwd} or a folder "
            f"above it (no COPY puts one there, and no `go mod init` makes one), so the build stops with '{said}'")


def _go_outputs(words: list[str], values: dict[str, str | None], cwd: str | None, state: StageState) -> list[Made]:
    subcommand, arguments = words[1], words[2:]
    flags, packages = _go_words(arguments)
    if "-C" in flags:
        where = _expand(flags["-C"], values)
        cwd = _absolute(where, cwd) if where is not None else None
    stop = _without_module(subcommand, flags, packages, values, cwd, state)
    if stop is not None:
        try:
            made = _go_made(subcommand, flags, packages, values, cwd, state)
        except _Unsure:
            made = []
        raise _Stops(stop, made)
    return _go_made(subcommand, flags, packages, values, cwd, state)


def _go_made(subcommand: str, flags: dict[str, str], packages: list[str], values: dict[str, str | None], cwd: str | None, state: StageState) -> list[Made]:
    """What `go build`/`go install` makes, by its flags and packages (see the module's docstring). Raises _Unsure when the
    text cannot settle it."""
    ldflags, tags = flags.get("-ldflags", ""), flags.get("-tags", "")
    static = values.get("CGO_ENABLED") == "0" or "-static" in ldflags or ("netgo" in tags and "osusergo" in tags)

    def name() -> str | None:
        return _go_name(packages, cwd, state.module)

    if subcommand == "install":
        return _go_installed(packages, values, static, name)
    output = flags.get("-o")
    if output is not None:
        expanded = _expand(output, values)
        if expanded is None:
            raise _Unsure(f"writes the program to {output}, a variable the text gives no value")
        if expanded == "/dev/null":
            return []
        path = _absolute(expanded, cwd)
        if path is None:
            raise _Unsure(f"writes the program to {output} in a working directory a variable names")
        if expanded.endswith("/") or path in state.folders:  # Go writes into the folder, each program named after its package
            program = name()
            return [Made(posixpath.join(path, program), False, "go", static) if program else Made(path, True, "go", static)]
        return [Made(path, False, "go", static)]
    program = name()
    if program is None:
        return []  # several packages with no -o: Go builds them and keeps nothing
    if cwd is None:
        raise _Unsure("writes the program to the working directory, which a variable names")
    return [Made(posixpath.join(cwd, program), False, "go", static)]


def _cc_outputs(arguments: list[str], values: dict[str, str | None], cwd: str | None) -> list[Made]:
    if any(word in ("-c", "-S", "-E", "-M", "-MM", "--version", "-v") for word in arguments):
        return []
    output = "a.out"
    for index, word in enumerate(arguments):
        if word == "-o" and index + 1 < len(arguments):
            output = arguments[index + 1]
        elif word.startswith("-o") and len(word) > 2:
            output = word[2:]
    expanded = _expand(output, values)
    path = _absolute(expanded, cwd) if expanded is not None else None
    if path is None:
        raise _Unsure(f"writes the program to {output}, which a variable names")
    return [Made(path, False, "c")]


def _option(arguments: list[str], names: tuple[str, ...]) -> str | None:
    """The value of the first of ``names`` given (`-w DIR`, `-wDIR`, `--wheel-dir DIR`, `--wheel-dir=DIR`)."""
    for index, word in enumerate(arguments):
        for name in names:
            if word == name and index + 1 < len(arguments):
                return arguments[index + 1]
            if name.startswith("--") and word.startswith(name + "="):
                return word[len(name) + 1:]
            if not name.startswith("--") and word.startswith(name) and len(word) > len(name):
                return word[len(name):]
    return None


def _pip_outputs(pip: list[str], values: dict[str, str | None], cwd: str | None, venv: bool) -> list[Made]:
    """What a pip command (its words after `pip`) puts in a folder of its own (``venv``: the stage made a virtual
    environment, which a plain install fills). Raises _Unsure for an install into the base image's site-packages."""
    subcommand = parser._subcommand(pip, parser._PIP_VALUE_OPTIONS)
    if subcommand not in ("wheel", "install"):
        return []
    rest = pip[pip.index(subcommand) + 1:]
    if subcommand == "wheel":
        folder = _option(rest, ("-w", "--wheel-dir")) or "."
    elif "--user" in rest:
        folder = (values.get("HOME") or "/root") + "/.local"
    else:
        folder = _option(rest, ("-t", "--target", "--prefix", "--root"))
        if folder is None and venv:
            return []  # into the environment pip belongs to: the venv made above
        if folder is None:
            raise _Unsure("installs into the base image's own site-packages, whose path the text does not give "
                          "(/usr/local/lib/python3.11/site-packages in the official images)")
    expanded = _expand(folder, values)
    path = _absolute(expanded, cwd) if expanded is not None else None
    if path is None:
        raise _Unsure(f"puts what pip {subcommand} makes in {folder}, which a variable names")
    return [Made(path, True, "python")]


def _venv_outputs(words: list[str], values: dict[str, str | None], cwd: str | None) -> list[Made]:
    """`python -m venv DIR`, `virtualenv DIR`, `uv venv [DIR]` (uv's default: .venv)."""
    program = words[0]
    if _PYTHON.match(program):
        module = parser._python_module(words[1:])
        if module is None or module[0] not in ("venv", "virtualenv"):
            return []
        arguments = module[1]
    elif program == "virtualenv":
        arguments = words[1:]
    elif program == "uv" and words[1:2] == ["venv"]:
        arguments = words[2:] or [".venv"]
    else:
        return []
    folders = [word for word in arguments if not word.startswith("-")]
    if not folders:
        return []
    expanded = _expand(folders[0], values)
    path = _absolute(expanded, cwd) if expanded is not None else None
    if path is None:
        raise _Unsure(f"makes the virtual environment {folders[0]}, which a variable names")
    return [Made(path, True, "python")]


# Commands that copy or move files, with their options that take a value (GNU coreutils).
_MOVERS = {"mv": {"-t", "--target-directory", "-S", "--suffix"}, "cp": {"-t", "--target-directory", "-S", "--suffix"},
           "install": {"-m", "--mode", "-o", "--owner", "-g", "--group", "-S", "--suffix", "-t", "--target-directory"}}


def under(path: str, folder: str) -> bool:
    """Whether the absolute ``path`` is ``folder`` or inside it. Returns a bool. Raises nothing."""
    return folder == "/" or path == folder or path.startswith(folder.rstrip("/") + "/")


def _moved(words: list[str], values: dict[str, str | None], cwd: str | None, state: StageState, known: dict[str, Made]) -> list[Made]:
    """What `mv`/`cp`/`install` does with what was built (``known``, by path): the built things at their new paths
    (``origin`` the old one). Raises _Unsure when a source or the destination is a path the text cannot give."""
    program = words[0]
    options, operands = _mover_words(words)
    if program == "install" and ({"-d", "--directory"} & set(options)):
        state.folders.update(path for word in operands if "$" not in word for path in [_absolute(word, cwd)] if path)
        return []
    target = options.get("-t") or options.get("--target-directory")
    sources, destination = (operands, target) if target else (operands[:-1], operands[-1] if len(operands) > 1 else None)
    if destination is None or not known:
        return []
    found = []
    for source in sources:
        expanded = _expand(source, values)
        path = _absolute(expanded, cwd) if expanded is not None else None
        if path is None:
            if any(posixpath.basename(each) == posixpath.basename(source) for each in known) or "$" in source:
                raise _Unsure(f"{'moves' if program == 'mv' else 'copies'} {source}, a path the text does not give, to {destination}")
            continue
        wildcard = any(character in path for character in "*?[")
        taken = [(each, made) for each, made in known.items()
                 if each == path or under(each, path) or (wildcard and fnmatch.fnmatch(each, path)) or (made.folder and under(path, each))]
        if not taken:
            continue
        where = _expand(destination, values)
        landing = _absolute(where, cwd) if where is not None else None
        if landing is None:
            raise _Unsure(f"{'moves' if program == 'mv' else 'copies'} what the build made to {destination}, a path the text does not give")
        into = bool(target) or destination.endswith("/") or len(sources) > 1 or landing in state.folders
        for each, made in taken:
            new, folder = _landed(each, made, path, landing, into)
            found.append(Made(new, folder, made.kind, made.static, each, program == "mv" and not (made.folder and each != path and under(path, each))))
    return found


def _mover_words(words: list[str]) -> tuple[dict[str, str], list[str]]:
    """`mv`/`cp`/`install`'s options (each -x or --long: its value, or "") and operands, redirections left out."""
    options, operands, index = {}, [], 1
    while index < len(words):
        word = words[index]
        if word.startswith("-") and len(word) > 1 and not operands:
            name, equals, value = word.partition("=")
            if not equals and name in _MOVERS[words[0]] and index + 1 < len(words):
                value, index = words[index + 1], index + 1
            options[name] = value
        elif not re.match(r"^\d*(?:[<>]|&>)", word):
            operands.append(word)
        else:
            index += 1  # a redirection's target
        index += 1
    return options, operands


def _landed(each: str, made: Made, source: str, landing: str, into: bool) -> tuple[str, bool]:
    """Where the built ``each`` lands when ``source`` is copied or moved to ``landing`` (``into``: into that folder),
    and whether it is a folder there."""
    if each == source or any(character in source for character in "*?["):
        return (posixpath.join(landing, posixpath.basename(each)) if into else landing), made.folder
    if under(each, source):  # a folder that holds it
        return posixpath.join(posixpath.join(landing, posixpath.basename(source)) if into else landing, posixpath.relpath(each, source)), made.folder
    # part of a built folder (`cp /wheels/x.whl /tmp/`): a file or a folder of its own
    return (posixpath.join(landing, posixpath.basename(source)) if into else landing), True


def _command_outputs(words: list[str], values: dict[str, str | None], cwd: str | None, state: StageState, known: dict[str, Made]) -> list[Made]:
    """What one simple command makes (``known``: what was built before it, for `mv`/`cp`/`install`). Raises _Unsure
    when the text cannot settle it."""
    program = words[0]
    if program in _MOVERS:
        return _moved(words, values, cwd, state, known)
    if program == "mkdir":
        state.folders.update(path for word in words[1:] if not word.startswith("-") and "$" not in word for path in [_absolute(word, cwd)] if path)
    elif program == "go" and words[1:3] == ["mod", "init"] and len(words) > 3:
        state.module = words[3]
        if cwd is not None:
            state.go_mods.add(cwd)
    elif program == "go" and words[1:2] in (["build"], ["install"]):
        return _go_outputs(words, values, cwd, state)
    elif _CC.match(program):
        return _cc_outputs(words[1:], values, cwd)
    elif _PIP.match(program):
        return _pip_outputs(words[1:], values, cwd, state.venv)
    elif _PYTHON.match(program) and (module := parser._python_module(words[1:])) and module[0] == "pip":
        return _pip_outputs(module[1], values, cwd, state.venv)
    elif program == "uv" and words[1:2] == ["pip"]:
        return _pip_outputs(words[2:], values, cwd, state.venv)
    else:
        venvs = _venv_outputs(words, values, cwd)
        state.venv |= bool(venvs)
        return venvs
    return []


def run_outputs(run: parser.Instruction, state: StageState, built: dict[str, Made] | None = None) -> tuple[list[Made], list[str]]:
    """What one RUN makes (see the module's docstring), in order, and for each command whose output the text cannot
    settle, a sentence saying why. ``built``: what the stage's earlier RUNs made, by path, which a `mv`, `cp` or
    `install` here may move or copy (the result then names its ``origin``). Updates ``state`` (folders made, a
    `go mod init` module and its go.mod, a venv made, a command the build stops at: ``state.stops``). Raises nothing."""
    made, unsure, known = [], [], dict(built or {})
    cwd, exported = state.workdir, dict(state.values)
    for assigned, words in parser.shell_steps(run.original):
        if words[0] == "export":
            exported.update({name: _expand(value, exported) for name, value in assigned.items()})
            continue
        values = {**exported, **{name: _expand(value, exported) for name, value in assigned.items()}}
        shown = f"`{' '.join(words)[:80]}` (line {run.line})"
        if words[0] == "cd":
            target = _expand(words[1], values) if len(words) > 1 else values.get("HOME") or "/root"
            cwd = _absolute(target, cwd) if target is not None else None
            continue
        try:
            found = _command_outputs(words, values, cwd, state, known)
        except _Unsure as why:
            unsure.append(f"{shown} {why}")
            continue
        except _Stops as stop:
            state.stops.append((" ".join(words)[:80], str(stop)))
            found = stop.made
        if any(each.folder and each.path == "/" for each in found):  # `pip wheel` in /: its wheels lie among the image's own files
            unsure.append(f"{shown} puts what it makes in /, among the image's own files")
        found = [each for each in found if not (each.folder and each.path == "/")]
        for each in found:
            if each.moved:
                known.pop(each.origin, None)
            known[each.path] = each
        made += found
    return made, unsure
