"""Where the course's files are, wherever a notebook runs from."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from .errors import DockerlabError

__all__ = ["COURSE_ROOT", "app", "results_dir", "tool"]

COURSE_ROOT = Path(__file__).resolve().parent.parent


def app(name: str) -> Path:
    """The folder of a sample app in data/apps/."""
    folder = COURSE_ROOT / "data" / "apps" / name
    if not folder.is_dir():
        available = sorted(p.name for p in (COURSE_ROOT / "data" / "apps").iterdir()) if (COURSE_ROOT / "data" / "apps").is_dir() else []
        raise DockerlabError(f"There is no sample app {name!r} in {folder.parent}.", fix=f"Use one of: {', '.join(available) or '(none found; is this a course checkout?)'}.")
    return folder


def results_dir() -> Path:
    """build/results/: where live runs keep their figures."""
    folder = COURSE_ROOT / "build" / "results"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def tool(name: str) -> str | None:
    """A command the course's packages install (hadolint, syft, docker-compose): on PATH, or in
    this Python's bin/ folder (a venv that is not activated). None when it is in neither."""
    beside_python = Path(sys.executable).parent / name
    return shutil.which(name) or (str(beside_python) if beside_python.exists() else None)
