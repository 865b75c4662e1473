"""Two tiers per exercise checker: a static tier on the learner's text (no engine, runs everywhere),
then the live tier that builds, runs and measures (replayed in recorded mode when that exact text
was recorded; otherwise the verdict says what the live tier would measure)."""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable

from .. import recording
from ..errors import DockerUnavailable, RecordingMissing
from ..hosting import on_binder
from .static import StaticReport
from .verdict import CheckResult, sentence

__all__ = ["two_tier", "combine"]



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


def combine(exercise: str, static: StaticReport, live=None, *, tier: str, note: str = ""):
    """One verdict from both tiers: static findings first (they name lines), then what was measured."""

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
    return CheckResult(exercise, passed, messages, log=getattr(live, "log", "") or "", live=tier, note=note)


def two_tier(static_check: Callable[..., StaticReport], measures: Callable[..., str]) -> Callable[[Callable], Callable]:
    """Wrap a recordable live checker: the static tier judges the text first; the live checker is
    then called with exactly the caller's arguments (so recorded results keep their keys)."""

    def decorate(live: Callable) -> Callable:
        signature = inspect.signature(live)

        @functools.wraps(live)
        def checker(*arguments, **keywords):
            if _inside_course_call():  # called by another course call: it judges, not this one
                return live(*arguments, **keywords)
            bound = signature.bind(*arguments, **keywords)
            bound.apply_defaults()
            values = dict(bound.arguments)
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
