"""Two tiers per exercise checker: a static tier on the learner's text (no engine, runs everywhere),
then the live tier that builds, runs and measures (replayed in recorded mode when that exact text
was recorded; otherwise the verdict says what the live tier would measure)."""
from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable
from pathlib import Path

from .. import recording
from ..errors import DockerlabError, DockerUnavailable, RecordingMissing
from ..hosting import on_binder
from .static import StaticReport
from .verdict import CheckResult, sentence

__all__ = ["two_tier", "combine", "check_arguments"]



def _inside_course_call() -> bool:
    """True when another course call is running this one (it records or replays the outer call)."""
    return recording.session().depth > 0


def _recorded_mode() -> bool:
    return recording.current() == recording.RECORDED


def _engine_note(static: StaticReport, measures: str, why: str) -> str:
    """What the live tier would measure, and why it could not (``why``: whole sentences)."""
    where = "Binder has no Docker engine." if on_binder() else sentence(why)
    lead = "Fix the points above first. The" if static.failed else "Static checks passed; the"
    return f"{lead} build-and-measure check needs a Docker engine: {where} With one, it would {measures}."


# What each checker argument must be (every checker documents its Dockerfile as "a path in the app
# folder, or the Dockerfile text"; Compose files and program files are text only).
_TEXT_OR_PATH = ("dockerfile", "reference_dockerfile")
_TEXT = ("compose_text", "expected_line", "service")


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
    for name in _TEXT:
        value = values.get(name, "")
        if not isinstance(value, str):
            refuse(name, value, "text (a str)", "Pass it as the exercise cell does (a str in quotes).")
    files = values.get("files")
    if files is not None and (not isinstance(files, dict) or not all(isinstance(name, str) for name in files)):
        refuse("files", files, "a dict of file name to the file's text", "Pass {'report.py': my_report}, with my_report a str.")


def combine(exercise: str, static: StaticReport, live=None, *, tier: str, note: str = ""):
    """One verdict from both tiers: static findings first (they name lines), then what was measured.
    Returns a CheckResult. Raises nothing."""

    failures = [finding.render() for finding in static.findings if finding.fails]
    advice = [finding.render() for finding in static.findings if not finding.fails]
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
            bound.apply_defaults()
            values = dict(bound.arguments)
            check_arguments(live.__name__, values)
            exercise = values.get("exercise", "exercise")
            static = static_check(**values)
            if static.blocking:
                return combine(exercise, static, tier="not run",
                               note="The checker did not build: the text above cannot build as written.")
            try:
                result = live(*arguments, **keywords)
            except RecordingMissing:
                return combine(exercise, static, tier="needs an engine",
                               note=_engine_note(static, measures(**values), "no result was recorded for this exact text, and recorded mode cannot build"))
            except DockerUnavailable as error:
                return combine(exercise, static, tier="needs an engine",
                               note=_engine_note(static, measures(**values), f"{error.summary} Next: {sentence(error.fix or '')}"))
            return combine(exercise, static, result, tier="replayed" if _recorded_mode() else "measured")

        checker.__two_tier__ = True
        return checker

    return decorate
