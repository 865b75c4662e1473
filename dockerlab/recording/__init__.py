"""Live and recorded mode: the same notebook cells run on a real engine, or replay what one recorded.

In live mode every call goes to the engine. With ``DOCKERLAB_RECORD_TO=file.json`` (what
`dockerlab record` sets) each engine call's result is also kept, keyed by the call's name and a hash
of its inputs: arguments, and the content of every course file or folder passed in (Dockerfiles,
build contexts), and the file is written (whole, atomically) as each call returns, so a killed kernel
keeps what it recorded. In recorded mode (no engine, or
``DOCKERLAB_MODE=recorded``) the same call returns the recorded result; a call with no recording
for its inputs raises :class:`RecordingMissing`, a recording of another format or result version
:class:`RecordingStale`. Nothing is ever invented.

Layers: ``codec`` (results as JSON), ``inputs`` (what a call is keyed by), ``store`` (the files),
``session`` (mode and state), ``decorator`` (``@recordable``). This package imports nothing of the
course above ``errors`` and ``paths``.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import RecordingMissing, RecordingStale
from .arguments import checked
from .codec import decode, encode
from .decorator import VERSIONS, record_headline, recordable, use_engine_free_inputs
from .session import (
    LIVE,
    RECORDED,
    Mode,
    Session,
    current,
    flush,
    mode,
    reset,
    session,
    use_engine_probe,
)
from .store import FORMAT_VERSION, RECORDED_DIR, Store, summarise_provenance

__all__ = [
    "mode", "Mode", "current", "recordable", "record_headline", "recordings", "stale_recordings", "reset", "flush",
    "session", "Session", "Store", "encode", "decode", "summarise_provenance", "use_engine_probe", "use_engine_free_inputs", "checked",
    "RecordingMissing", "RecordingStale", "RECORDED_DIR", "FORMAT_VERSION", "LIVE", "RECORDED",
]


def recordings(directory: Path | None = None) -> dict[str, dict]:
    """Every recording file: name -> its content (provenance, calls, headlines).
    Raises RecordingStale for a file of another format."""
    return (Store(directory) if directory else session().store).files()


def stale_recordings(directory: Path | None = None) -> list[dict]:
    """Recorded calls whose course files or result shape changed since they were recorded.
    Rows (dicts): recording, call, file, change. Raises RecordingStale for a file of another format."""
    return (Store(directory) if directory else session().store).stale(VERSIONS)
