"""Two tiers per exercise checker: a static tier on the learner's text (no engine, runs everywhere),
then the live tier that builds, runs and measures (replayed in recorded mode when that exact text
was recorded; otherwise the verdict says what the live tier would measure)."""
from __future__ import annotations

import functools
import inspect
import json
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path

from .. import recording
from ..errors import DockerlabError, DockerUnavailable, RecordingMissing, RecordingStale, a_kind
from ..hosting import changed_files_text, on_binder
from ..paths import COURSE_ROOT
from ..recording.inputs import UNKEYED, inputs
from .static import StaticReport
from .verdict import CheckResult, sentence

__all__ = ["two_tier", "combine", "check_arguments", "read_paths", "recorded_layout", "check_file_names"]



log = logging.getLogger("dockerlab.exercises")

# Why the live tier was not replayed when the recording of it cannot be used (stale or damaged: the
# maintainers' matter, logged for them; the learner gets the static verdict and this).
STALE = "recorded mode cannot build, and the recorded result of this check cannot be used here"


def _stale(checker: str, exercise: str, why: str) -> None:
    """One log line for maintainers: which check's recording is unusable, and why."""
    log.info("recorded mode: the recording of dl.check.%s (%s) is stale or damaged (%s); the learner got the static verdict. "
             "Next: `dockerlab record --exercises` on an engine.", checker, exercise, " ".join(why.split()))


def _inside_course_call() -> bool:
    """True when another course call is running this one (it records or replays the outer call)."""
    return recording.session().depth > 0


def _recorded_mode() -> bool:
    return recording.current() == recording.RECORDED


def _engine_note(static: StaticReport, measures: str, why: str, *, keep: bool = False) -> str:
    """What the live tier would measure, and why it could not (``why``: whole sentences; on Binder only "Binder has no
    Docker engine", unless ``keep``: then both)."""
    where = ("Binder has no Docker engine. " + sentence(why) if keep else "Binder has no Docker engine.") if on_binder() else sentence(why)
    lead = "Fix the points above first. The" if static.failed else "Static checks passed; the"
    return f"{lead} build-and-measure check needs a Docker engine: {where} With one, it would {measures}."


def _folder_changed(changed: list[tuple[str, str]]) -> str:
    """Why a recorded result of the learner's very text cannot replay: the app folder's files changed since
    (``changed``: (file, "edited" | "deleted" | "added")), and what to do."""
    restore = [file for file, change in changed if change != "added"]
    added = [file for file, change in changed if change == "added"]
    todo = " and ".join(part for part in (f"restore {', '.join(restore[:3])}" if restore else "", f"remove {', '.join(added[:3])}" if added else "") if part)
    return (f"a result was recorded for this exact text, but the app folder's files have changed since ({changed_files_text(changed)}), "
            f"so the recording is stale for the folder: {todo or 'put the folder back as it was'} to replay it, or update the course "
            "if you did not change them")


def _missing_note(static: StaticReport, measures: str, error: RecordingMissing) -> str:
    """The note when no recorded result replays: the text was never recorded, or it was and the app folder's files
    changed since (the recording is stale for the folder: said on Binder too)."""
    if error.changed:
        return _engine_note(static, measures, _folder_changed(error.changed), keep=True)
    return _engine_note(static, measures, "no result was recorded for this exact text, and recorded mode cannot build")


# What each checker argument must be (every checker documents its Dockerfile as "a path in the app
# folder, or the Dockerfile text"; a Compose file and a program file may be given as a path too).
_TEXT_OR_PATH = ("dockerfile", "reference_dockerfile")
_TEXT_OR_FILE = ("compose_text",)
_TEXT = ("expected_line", "service")

# The first word of a one-line Dockerfile (text, not a file name): BuildKit's instructions.
_INSTRUCTIONS = {"FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME",
                 "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"}


def _places(app_dir, name: str) -> list[Path]:
    """Where a relative path may be meant from: the app folder (the checkers' documented meaning), the
    folder the kernel runs in (a notebook's own folder), the course folder."""
    path = Path(name).expanduser()
    if path.is_absolute():
        return [path]
    bases = ([Path(app_dir)] if app_dir is not None else []) + [Path.cwd(), COURSE_ROOT]
    return list(dict.fromkeys(base / path for base in bases))


def _read_path(checker: str, name: str, value, app_dir, what: str, example: str) -> str:
    """The text of the file ``value`` names. Raises DockerlabError naming the path, where it was looked
    for, and what to pass instead, when it names no file that can be read."""
    places = _places(app_dir, str(value))
    for place in places:
        if place.is_file():
            try:
                return place.read_text()
            except (OSError, UnicodeDecodeError) as error:
                raise DockerlabError(f"dl.check.{checker}: {name} names {place}, which cannot be read as text ({type(error).__name__}: {error}).",
                                     fix=f"Pass {what} itself, e.g. {example}.") from None
    looked = ", ".join(str(place) for place in places)
    raise DockerlabError(f"dl.check.{checker}: {name} is the path {os.fspath(value)!r}, and there is no such file (looked for {looked}).",
                         fix=f"Pass {what} itself (the text you edited, e.g. {example}), or the path of a file that exists.")


def _one_line_dockerfile(text: str) -> bool:
    words = text.split(None, 1)
    return text.lstrip().startswith("#") or (len(words) == 2 and words[0].upper() in _INSTRUCTIONS)


def _looks_like_a_path(text: str) -> bool:
    """A one-line str that can only be a file's name ("compose.yml", "../x/report.py"), not one-line text."""
    return bool(re.fullmatch(r"[\w.~/\\-]+", text.strip())) and ("/" in text or bool(re.search(r"\.\w+$", text.strip())))


def check_file_names(checker: str, files: dict) -> None:
    """The names of ``files`` ({name in the app folder: text}) stay inside the copy of the app folder a
    checker builds: relative, with no ``..``. Returns None. Raises DockerlabError naming the first that
    is not (an absolute name or ``../x`` would write outside it, anywhere on this machine)."""
    for name in files:
        parts = Path(name).parts if isinstance(name, (str, os.PathLike)) else None
        if not parts or Path(name).is_absolute() or ".." in parts:
            raise DockerlabError(
                f"dl.check.{checker}(): files={{{name!r}: ...}} does not name a file inside the app folder.",
                fix="Name the file as it is inside the app folder, e.g. files={'report.py': my_report} or {'lib/util.py': text}.",
            )


def read_paths(checker: str, values: dict) -> dict:
    """The arguments that name a file instead of giving its text, read: {argument: text} (and a relative
    app folder as the absolute path it names, so it is keyed as the course folder it is). A Dockerfile
    argument that is a path (os.PathLike) or a one-line str that is not Dockerfile text; a compose file or
    a ``files`` value that is a path, or a one-line str naming a file that exists (or that can only be a
    file's name). Relative paths are looked for in the app folder, then the kernel's folder, then the course
    folder. Values of other kinds are left for :func:`check_arguments`. Raises DockerlabError naming the
    path when it names no file."""
    app_dir = values.get("app_dir")
    read = {}
    if isinstance(values.get("files"), dict):
        check_file_names(checker, values["files"])
    if isinstance(app_dir, (str, os.PathLike)) and not Path(app_dir).is_absolute():
        read["app_dir"] = app_dir = Path(app_dir).resolve()  # the course folder it names, as a recording names it
    for name in _TEXT_OR_PATH:
        value = values.get(name)
        if isinstance(value, os.PathLike) or (isinstance(value, str) and value.strip() and "\n" not in value):
            if isinstance(value, str) and _one_line_dockerfile(value):
                read[name] = value.strip() + "\n"  # one line of Dockerfile text (the builder takes text with a newline)
            else:
                read[name] = _read_path(checker, name, value, app_dir, "the Dockerfile's text",
                                        "my_dockerfile = (app / 'exercise.Dockerfile').read_text()")
    for name in _TEXT_OR_FILE:
        value = values.get(name)
        if _names_a_file(value, app_dir):
            read[name] = _read_path(checker, name, value, app_dir, "the compose file's text", "my_compose = (app / 'compose.yaml').read_text()")
    files = values.get("files")
    if isinstance(files, dict) and any(_names_a_file(text, app_dir) for text in files.values()):
        read["files"] = {file: _read_path(checker, f"files[{file!r}]", text, app_dir, "the file's text", f"my_report = (app / {file!r}).read_text()")
                         if _names_a_file(text, app_dir) else text for file, text in files.items()}
    return read


def _names_a_file(value, app_dir) -> bool:
    """A path, or a one-line str that names a file that exists or can only be a file's name."""
    if isinstance(value, os.PathLike):
        return True
    if not isinstance(value, str) or "\n" in value or not value.strip():
        return False
    return any(place.is_file() for place in _places(app_dir, value.strip())) or _looks_like_a_path(value)


def _replaced(signature: inspect.Signature, arguments: tuple, keywords: dict, read: dict) -> tuple[tuple, dict]:
    """The call's own arguments with the values in ``read`` put where the caller put them (positional or
    keyword), so a recording's key is the one the text itself gives."""
    names = list(signature.parameters)
    arguments = tuple(read.get(names[index], value) if index < len(names) else value for index, value in enumerate(arguments))
    keywords = {name: read.get(name, value) for name, value in keywords.items()}
    return arguments, keywords


def _canonical(signature: inspect.Signature, described: dict, root: Path) -> str:
    """A call's described inputs by parameter name, defaults filled in: the same for every layout of one call."""
    names = list(signature.parameters)
    by_name = dict(zip(names, described.get("arguments", []), strict=False)) | dict(described.get("keywords", {}))
    for name, parameter in signature.parameters.items():
        if name not in by_name and name not in UNKEYED and parameter.default is not inspect.Parameter.empty:
            by_name[name] = inputs("", (), {name: parameter.default}, root)[1]["keywords"][name]
    return json.dumps(by_name, sort_keys=True, default=str)


def recorded_layout(live: Callable, signature: inspect.Signature, arguments: tuple, keywords: dict, values: dict) -> tuple[tuple, dict] | None:
    """In recorded mode: the arguments laid out as a recording of the same inputs has them (positional or
    keyword, a default spelled out or left out), so the call replays; None when no recording has these inputs.
    Returns (arguments, keywords) or None. Raises RecordingStale for a recording file of another format or a damaged
    one, and OSError when a file of a course folder given as an argument cannot be read."""
    call = getattr(live, "__recorded_call__", None)
    store = recording.session().store
    if call is None:
        return None
    ours = _canonical(signature, inputs(call, arguments, keywords, store.root)[1], store.root)
    for (name, _), entries in store.index().items():
        for found in entries if name == call else ():
            described = found.entry["inputs"]["arguments"]  # its shape checked when the file was read
            if isinstance(described, dict) and _canonical(signature, described, store.root) == ours:
                names = list(signature.parameters)
                return (tuple(values[names[index]] for index in range(len(described.get("arguments", [])))),
                        {name: values[name] for name in described.get("keywords", {})})
    return None


def _check_command_arguments(refuse: Callable, values: dict) -> None:
    """The arguments of a check that runs a command in an image (dl.check.command_prints)."""
    if "image" in values and (not isinstance(values["image"], str) or not values["image"].strip()):
        refuse("image", values["image"], "an image name (a str)", 'Pass the name as the exercise cell does, e.g. "alpine:3.20".')
    command = values.get("command", "")
    if not isinstance(command, str) and not (isinstance(command, (list, tuple)) and all(isinstance(word, str) for word in command)):
        refuse("command", command, "a list of words (each a str), or one str",
               'Write the command as a list of words in quotes, e.g. ["grep", "VERSION_ID", "/etc/os-release"].')
    if values.get("reads") is not None and not isinstance(values["reads"], str):
        refuse("reads", values["reads"], "a file's path in the image (a str)", 'Pass it as the exercise cell does, e.g. reads="/etc/os-release".')


def check_arguments(checker: str, values: dict) -> None:
    """Refuse arguments a checker cannot judge before any tier runs. Raises DockerlabError naming the argument,
    what it is and what to pass (None would quietly check the app's own Dockerfile; bytes and numbers would
    fail deep inside a build)."""
    def refuse(name: str, value, expected: str, fix: str) -> None:
        raise DockerlabError(f"dl.check.{checker}: {name} must be {expected}, not {type(value).__name__} ({str(value)[:40]!r}).", fix=fix)

    app_dir = values.get("app_dir")
    if app_dir is not None and (not isinstance(app_dir, (str, os.PathLike)) or not Path(app_dir).is_dir()):
        refuse("app_dir", app_dir, "the app's folder (a path that exists)", "Pass the folder as the exercise cell does, e.g. dl.paths.app('greeter').")
    for name in _TEXT_OR_PATH:
        value = values.get(name, "")
        if isinstance(value, bytes):
            refuse(name, value, "the Dockerfile's text (a str) or its file name", "Decode it first: text.decode(), or pass the text you wrote in the cell.")
        if not isinstance(value, (str, os.PathLike)):
            refuse(name, value, "the Dockerfile's text (a str) or its file name in the app folder",
                   'Pass the text you wrote (a str with the Dockerfile\'s lines) or a file name such as "Dockerfile".')
    for name in _TEXT_OR_FILE:
        value = values.get(name, "")
        if not isinstance(value, (str, os.PathLike)):
            refuse(name, value, "the file's text (a str) or its path", "Pass the text you edited, e.g. my_compose = (app / 'compose.yaml').read_text().")
    for name in _TEXT:
        value = values.get(name, "")
        if not isinstance(value, str):
            refuse(name, value, "text (a str)", "Pass it as the exercise cell does (a str in quotes).")
    _check_command_arguments(refuse, values)
    files = values.get("files")
    if files is not None and (not isinstance(files, dict) or not all(isinstance(name, str) for name in files)):
        refuse("files", files, "a dict of file name to the file's text", "Pass {'report.py': my_report}, with my_report a str.")


def combine(exercise: str, static: StaticReport, live=None, *, tier: str, note: str = ""):
    """One verdict from both tiers: static findings first (they name lines), then what was measured. A
    static finding the text alone cannot settle (``certain`` False) does not fail a learner whose
    measurement passes: it is shown as advice. Returns a CheckResult. Raises nothing."""

    # a finding the text alone cannot settle (certain=False) fails only when nothing was measured or the
    # measurement failed too: a passing measurement decides, and the finding is kept as advice
    measured_pass = live is not None and bool(live.passed)
    failures = [finding.render() for finding in static.findings if finding.fails and (finding.certain or not measured_pass)]
    advice = [finding.render() for finding in static.findings if not finding.fails or (not finding.certain and measured_pass)]
    if live is None:
        passed = not failures
        messages = failures + advice if failures or advice else []
        if passed:
            messages = [f"from the text: {passed_check}" for passed_check in static.passed] + advice
        return CheckResult(exercise, passed, messages, live=tier, note=note)
    measured_prefix = "measured" if tier == "measured" else "measured on a real engine (recorded)"
    said = {failure[:40] for failure in failures}
    live_messages = [f"{measured_prefix}: {message}" for message in live.messages if message and message[:40] not in said]
    passed = not failures and live.passed
    if passed:
        messages = [f"from the text: {passed_check}" for passed_check in static.passed] + live_messages + advice
    else:
        messages = failures + live_messages + advice
    return CheckResult(exercise, passed, messages, log=getattr(live, "log", "") or "", live=tier, note=note,
                       log_title=getattr(live, "log_title", "") or "full log")


def two_tier(static_check: Callable[..., StaticReport], measures: Callable[..., str]) -> Callable[[Callable], Callable]:
    """Wrap a recordable live checker: the static tier judges the text first; the live checker is
    then called with exactly the caller's arguments (so recorded results keep their keys).
    Returns the decorator. Raises nothing itself; the checker it makes raises DockerlabError for arguments that do not fit the live checker's
    signature or annotations, and what the live checker raises other than RecordingMissing and DockerUnavailable (those
    give a "needs an engine" verdict)."""

    def decorate(live: Callable) -> Callable:
        signature = inspect.signature(live)

        @functools.wraps(live)
        def checker(*arguments, **keywords):
            if _inside_course_call():  # called by another course call: it judges, not this one
                return live(*arguments, **keywords)
            try:
                bound = signature.bind(*arguments, **keywords)
            except TypeError as error:
                raise DockerlabError(f"dl.check.{live.__name__}{signature}: {error}.",
                                     fix="Call it as the exercise cell does (re-run the cell as shipped to see the call).") from None
            given = dict(bound.arguments)  # what the caller passed (a default file name is the checker's own)
            bound.apply_defaults()
            values = dict(bound.arguments)
            check_arguments(live.__name__, values)
            read = read_paths(live.__name__, given)  # a file named instead of its text: judged (and replayed) as its text
            values.update(read)
            arguments, keywords = _replaced(signature, arguments, keywords, read)
            exercise = values.get("exercise", "exercise")
            static = static_check(**values)
            if static.blocking:
                return combine(exercise, static, tier="not run",
                               note="The checker did not build: the text above cannot build as written.")
            try:
                try:
                    result = live(*arguments, **keywords)
                except RecordingMissing:
                    layout = recorded_layout(live, signature, arguments, keywords, values) if _recorded_mode() else None
                    if layout is None:
                        raise
                    result = live(*layout[0], **layout[1])  # the same inputs, as the recording lays them out
            except RecordingMissing as error:
                return combine(exercise, static, tier="needs an engine", note=_missing_note(static, measures(**values), error))
            except RecordingStale as error:  # never the learner's: the static verdict, and a line in the log
                _stale(live.__name__, exercise, f"{error.what}: {error.found}, expected {error.expected}")
                return combine(exercise, static, tier="needs an engine", note=_engine_note(static, measures(**values), STALE))
            except DockerUnavailable as error:
                return combine(exercise, static, tier="needs an engine",
                               note=_engine_note(static, measures(**values), f"{error.summary} Next: {sentence(error.fix or '')}"))
            if _recorded_mode() and not isinstance(result, CheckResult):  # a recorded entry of another shape
                _stale(live.__name__, exercise, f"the replayed result is {a_kind(type(result).__name__)}, not a CheckResult")
                return combine(exercise, static, tier="needs an engine", note=_engine_note(static, measures(**values), STALE))
            return combine(exercise, static, result, tier="replayed" if _recorded_mode() else "measured")

        checker.__two_tier__ = True
        return checker

    return decorate
