"""`dockerlab record`: run every notebook live and keep each engine call's result in data/recorded/."""
from __future__ import annotations

import os

from . import engine
from .course import execute, notebooks
from .errors import DockerlabError
from .paths import COURSE_ROOT
from .recording import RECORDED_DIR

__all__ = ["record_notebooks", "recorded_bytes", "MAX_RECORDED_BYTES"]

MAX_RECORDED_BYTES = 2_000_000


def recorded_bytes() -> int:
    """What data/recorded/ holds, in bytes."""
    return sum(path.stat().st_size for path in RECORDED_DIR.glob("*.json"))


def record_notebooks(only: list[str] | None = None, timeout: int = 1800):
    """Execute the notebooks live, each writing data/recorded/<notebook>.json; a table of what was written."""
    import pandas as pd

    engine.client()  # recording needs a live engine: DockerUnavailable says how to get one
    RECORDED_DIR.mkdir(parents=True, exist_ok=True)
    rows = []
    saved = {name: os.environ.get(name) for name in ("DOCKERLAB_MODE", "DOCKERLAB_RECORD_TO", "DOCKERLAB_RECORD_COMMAND")}
    try:
        for notebook in notebooks(only):
            target = RECORDED_DIR / f"{notebook.stem}.json"
            target.unlink(missing_ok=True)
            os.environ.update(DOCKERLAB_MODE="live", DOCKERLAB_RECORD_TO=str(target), DOCKERLAB_RECORD_COMMAND=f"dockerlab record --only {notebook.stem}")
            _, seconds = execute(notebook, timeout)
            size = target.stat().st_size if target.exists() else 0
            rows.append({"notebook": notebook.name, "seconds": round(seconds, 1), "file": str(target.relative_to(COURSE_ROOT)) if size else "(no engine calls)", "bytes": size})
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    total = recorded_bytes()
    if total > MAX_RECORDED_BYTES:
        raise DockerlabError(f"data/recorded/ holds {total / 1e6:.2f} MB; the limit is {MAX_RECORDED_BYTES / 1e6:.0f} MB.", fix="Record less: large build logs or tables should be trimmed by the recorder.")
    return pd.DataFrame(rows)
