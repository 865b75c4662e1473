"""`dockerlab record`: run every notebook live and keep each engine call's result in data/recorded/."""
from __future__ import annotations

from typing import TYPE_CHECKING

import datetime
import os
import platform
import subprocess
from pathlib import Path

from . import engine
from .bases.resolve import image_state
from .catalogue import CATALOGUE
from .columns import RECORDED_NOTEBOOKS, declares
from .course import execute, notebooks
from .errors import DockerlabError, RecordingNotWritten
from .paths import COURSE_ROOT
from .recording import FORMAT_VERSION, RECORDED_DIR
from .recording.store import check_format, read_file, write_file

if TYPE_CHECKING:  # the return annotations name it; pandas itself is imported where a table is made
    import pandas as pd

__all__ = ["record_notebooks", "recorded_bytes", "provenance", "add_provenance", "unwritten_warning", "MAX_RECORDED_BYTES"]

MAX_RECORDED_BYTES = 2_000_000


def recorded_bytes() -> int:
    """What data/recorded/ holds, in bytes (int). Raises nothing (no folder: 0)."""
    return sum(path.stat().st_size for path in RECORDED_DIR.glob("*.json"))


def provenance(command: str = "") -> dict:
    """Where and when a recording is made: engine, OS/arch, builder, stand-in bases, course commit
    (``+uncommitted changes`` when dockerlab/, data/apps or notebooks/ differ from it), repeat count.
    Returns a dict. Raises DockerUnavailable when no engine answers, and OSError (FileNotFoundError) when
    git is not installed."""
    info = engine.info()
    git = ["git", "-C", str(COURSE_ROOT)]
    commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run([*git, "status", "--porcelain", "--", "dockerlab", "data/apps", "notebooks"], capture_output=True, text=True).stdout.strip()
    return {
        "recorded_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": commit + ("+uncommitted changes" if dirty else ""),
        "engine_version": info.version,
        "api_version": info.api_version,
        "os_arch": f"{info.os}/{info.arch}",
        "operating_system": info.operating_system,
        "kernel": info.kernel,
        "cpus": info.cpus,
        "stand_in_bases": [name for name in CATALOGUE if image_state(name)[0] == "stand-in"],
        "builder": info.builder,
        "repeat": os.environ.get("DOCKERLAB_REPEAT") or "each experiment's own (full)",
        "python": platform.python_version(),
        "command": command,
        "format": FORMAT_VERSION,
    }


def add_provenance(target: Path, command: str, interrupted: str = "", seconds: float | None = None) -> None:
    """Put the provenance into a recording the notebook's kernel wrote (nothing when it wrote none), with
    ``run_seconds``: how long the notebook took to execute live (s), when given.
    Returns None. Raises what :func:`provenance` raises (DockerUnavailable, OSError without git),
    RecordingStale when ``target`` is not a recording the course can read (cut short, not JSON, of another format: a
    file of another format is never stamped with this one), and OSError when it cannot be written."""
    if not target.exists():
        return
    content = read_file(target)
    check_format(content, target.name)
    content["provenance"] = {**provenance(command), **({"interrupted": interrupted} if interrupted else {}),
                             **({"run_seconds": round(seconds, 1)} if seconds is not None else {})}
    content["format"] = FORMAT_VERSION
    write_file(target, content)


def unwritten_warning(document) -> str | None:
    """What a notebook's kernel said when its recording could not be written (the RecordingNotWritten warning it
    showed, in an output of ``document``, an executed notebook), or None when it said nothing of the kind. Returns
    the warning's text. Raises nothing."""
    for cell in document.cells:
        for output in cell.get("outputs", []):
            text = output.get("text", "") if output.get("output_type") == "stream" else ""
            if "RecordingNotWritten: " in text:
                return " ".join(text.split("RecordingNotWritten: ", 1)[1].split())
    return None


@declares(RECORDED_NOTEBOOKS)
def record_notebooks(only: list[str] | None = None, timeout: int = 1800) -> pd.DataFrame:
    """Execute the notebooks live, each writing data/recorded/<notebook>.json; a table of what was written,
    one row per notebook. {columns}
    Raises DockerUnavailable without an engine, DockerlabError when a notebook fails (what it recorded
    is kept, its provenance marked interrupted) or data/recorded/ grows past its size limit, and RecordingNotWritten
    when a notebook's kernel could not write its recording (a read-only folder, a full disk)."""
    engine.client()  # recording needs a live engine: DockerUnavailable says how to get one
    RECORDED_DIR.mkdir(parents=True, exist_ok=True)
    rows = []
    saved = {name: os.environ.get(name) for name in ("DOCKERLAB_MODE", "DOCKERLAB_RECORD_TO")}
    try:
        for notebook in notebooks(only):
            target = RECORDED_DIR / f"{notebook.stem}.json"
            target.unlink(missing_ok=True)
            command = f"dockerlab record --only {notebook.stem}"
            os.environ.update(DOCKERLAB_MODE="live", DOCKERLAB_RECORD_TO=str(target))
            try:
                document, seconds = execute(notebook, timeout)
            except BaseException as error:  # the kernel wrote what it recorded before it stopped
                add_provenance(target, command, interrupted=(str(error).splitlines() or [type(error).__name__])[0][:200])
                raise
            said = unwritten_warning(document)
            if said is not None:  # the notebook ran, but its recording lacks what a failed write did not put on disk
                try:
                    add_provenance(target, command, interrupted="its recording could not be written whole")
                except OSError:
                    pass  # the folder is still not writable: the error below says so
                raise RecordingNotWritten(str(target), f"{notebook.name}'s kernel warned: {said[:300]}")
            add_provenance(target, command, seconds=seconds)
            size = target.stat().st_size if target.exists() else 0
            rows.append({"notebook": notebook.name, "seconds": round(seconds, 1),
                         "file": str(target.relative_to(COURSE_ROOT)) if size else "(no engine calls)", "bytes": size})
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    total = recorded_bytes()
    if total > MAX_RECORDED_BYTES:
        raise DockerlabError(f"data/recorded/ holds {total / 1e6:.2f} MB; the limit is {MAX_RECORDED_BYTES / 1e6:.0f} MB.",
                             fix="Record less: large build logs or tables should be trimmed by the recorder.")
    return RECORDED_NOTEBOOKS.frame(rows)
