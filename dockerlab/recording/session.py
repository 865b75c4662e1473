"""The recording session of this process: its mode (live or recorded, and why), the store it replays
from, the recording it writes, and how deep in course calls the current thread is."""
from __future__ import annotations

import atexit
import dataclasses
import html
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from ..errors import DockerlabError
from ..hosting import on_binder, recorded_mode_advice
from .store import Recording, Store, summarise_provenance

__all__ = ["LIVE", "RECORDED", "Mode", "Session", "session", "reset", "mode", "current", "flush", "use_engine_probe"]

LIVE, RECORDED = "live", "recorded"

# Set by dockerlab.engine when it is imported: recording sits below the engine and cannot ask it itself.
_engine_probe: Callable[[], bool] | None = None
_session: Session | None = None
_where: dict[str, Path | None] = {"directory": None, "root": None}
_session_lock = threading.Lock()


def use_engine_probe(probe: Callable[[], bool]) -> None:
    """Tell recording how to learn whether an engine answers (``dockerlab.engine.available``).
    Returns None. Raises nothing."""
    global _engine_probe
    _engine_probe = probe


@dataclasses.dataclass
class Mode:
    """``live`` or ``recorded``, with where recorded results came from; renders as one line or a banner."""

    name: str
    why: str
    provenance: list[dict] = dataclasses.field(default_factory=list)

    def __str__(self) -> str:
        return self.name

    def __eq__(self, other: object) -> bool:
        return self.name == (other.name if isinstance(other, Mode) else other)

    def __hash__(self) -> int:
        return hash(self.name)

    def describe(self) -> str:
        """The mode as a notebook's banner says it: live, or recorded with where and when the results were recorded
        and what to do for live ones. Returns a str. Raises nothing."""
        if self.name == LIVE:
            return f"Mode: live. Every result below is built and measured now, on this machine ({self.why})."
        return (
            f"Mode: recorded ({self.why}). Results are replayed from data/recorded/, recorded {summarise_provenance(self.provenance)}. "
            + recorded_mode_advice()
        )

    def __repr__(self) -> str:
        return self.describe()

    def _repr_html_(self) -> str:
        if self.name == LIVE:
            return f"<p><b>{html.escape(self.describe())}</b></p>"
        return (
            # Theme variables: readable on JupyterLab's light and dark themes; a translucent tint, not a
            # pale colour, so the background follows the theme too.
            "<div class='dockerlab-mode' style='border-left:4px solid var(--jp-warn-color1, #9a6700);"
            "background:rgba(245, 124, 0, 0.12);color:var(--jp-content-font-color0, #1f2328);padding:6px 10px'>"
            f"<b>{html.escape(self.describe())}</b></div>"
        )


class Session:
    """What recording needs to know, read once from the environment when the session starts:
    ``DOCKERLAB_MODE`` (live | recorded | unset: ask the engine) and ``DOCKERLAB_RECORD_TO`` (the file
    a `dockerlab record` run writes). :func:`reset` starts a new session (after changing either)."""

    def __init__(self, environ: Mapping[str, str] | None = None, *, directory: Path | None = None, root: Path | None = None) -> None:
        environ = os.environ if environ is None else environ
        self.forced = environ.get("DOCKERLAB_MODE", "").strip().lower()
        target = environ.get("DOCKERLAB_RECORD_TO", "")
        self.store = Store(directory, root)
        self.recording = Recording(Path(target)) if target else None
        self.replay_counts: dict[tuple[str, str], int] = {}
        self._decided: str | None = None
        self._local = threading.local()
        if self.recording is not None:
            atexit.register(self.recording.try_write)  # each call is written as it returns; this writes one a failed write left pending

    def mode_name(self) -> tuple[str, str]:
        """(mode, why). Raises DockerlabError for a DOCKERLAB_MODE that is not a mode."""
        if self.forced and self.forced not in (LIVE, RECORDED):
            raise DockerlabError(f"DOCKERLAB_MODE={self.forced!r} is not a mode.", fix="Use DOCKERLAB_MODE=live or DOCKERLAB_MODE=recorded, or unset it.")
        if self.forced:
            return self.forced, f"DOCKERLAB_MODE={self.forced}"
        if self._decided is None:
            self._decided = LIVE if _engine_probe is None or _engine_probe() else RECORDED
        if self._decided == LIVE:
            return LIVE, "a Docker engine answers"
        return RECORDED, "this is Binder, which has no Docker engine" if on_binder() else "no Docker engine answers here"

    @property
    def depth(self) -> int:
        """How many course calls the current thread is inside (only the outermost is recorded)."""
        return getattr(self._local, "depth", 0)

    @depth.setter
    def depth(self, value: int) -> None:
        self._local.depth = value

    def flush(self) -> None:
        """Write what the recording being made has not written yet (nothing when none is). Returns None. Raises RecordingStale when the file
        it adds to is not a recording, and RecordingNotWritten when it cannot be written."""
        if self.recording is not None:
            self.recording.write()


def session() -> Session:
    """This process's session (started on first use). Returns the Session. Raises nothing."""
    global _session
    with _session_lock:
        if _session is None:
            _session = Session(**_where)
        return _session


def reset(*, directory: Path | None = None, root: Path | None = None) -> None:
    """Write what the current session recorded and end it; the next one starts on first use and reads
    the environment again (tests, `dockerlab record`). ``directory``/``root`` point it at other
    recordings and another course folder (tests); without them, the course's own.
    Returns None. Raises RecordingStale when the recording being made adds to a file that is not a recording, and
    RecordingNotWritten when it cannot be written (the session is ended all the same)."""
    global _session
    with _session_lock:
        ending, _session = _session, None  # ended even when its recording cannot be written
        _where.update(directory=directory, root=root)
        if ending is not None:
            ending.flush()


def flush() -> None:
    """Write what the recording being made has not written yet (each call is written as it returns).
    Returns None. Raises what :func:`reset` raises when it writes (RecordingStale, RecordingNotWritten)."""
    session().flush()


def mode() -> Mode:
    """``live`` when an engine answers, ``recorded`` otherwise; DOCKERLAB_MODE=live|recorded forces it.

    Forced ``live`` with no engine is not switched to recorded: the first engine call raises
    DockerUnavailable, which says how to start one. Raises DockerlabError for an unknown mode."""
    current_session = session()
    name, why = current_session.mode_name()
    return Mode(name, why, current_session.store.provenance() if name == RECORDED else [])


def current() -> str:
    """``live`` or ``recorded``, as a string. Raises DockerlabError for a DOCKERLAB_MODE that is not a mode."""
    return session().mode_name()[0]
