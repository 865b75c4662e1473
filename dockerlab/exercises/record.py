"""`dockerlab record --exercises`: check every exercise's reference solution live and keep the
results in data/recorded/exercises.json, so recorded mode (Binder) replays them. The starting texts
are recorded with their notebooks (the exercise cells run them)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import os

from .. import engine, recording
from ..columns import SOLUTION_CHECKS, declares
from ..errors import DockerlabError
from ..paths import COURSE_ROOT
from ..recorder import add_provenance
from ..recording.store import FORMAT_VERSION, check_format, read_file, write_file
from . import catalogue

if TYPE_CHECKING:  # the return annotations name it; pandas itself is imported where a table is made
    import pandas as pd

__all__ = ["record_solutions", "RECORDING_NAME"]

RECORDING_NAME = "exercises.json"


def _label_of(entry: dict) -> str | None:
    """The exercise a recorded call belongs to: the label record_solutions kept with it, or the exercise=
    label its checker was given (entries recorded before the label was kept). ``entry`` is as read_file
    checked it (recording.entries): a call's inputs describe its arguments; an attribute read of a recorded
    object's have none. Returns the label or None. Raises nothing."""
    described = entry["inputs"]["arguments"]
    return entry.get("exercise") or (described["keywords"].get("exercise") if isinstance(described, dict) else None)


@declares(SOLUTION_CHECKS)
def record_solutions(only: list[str] | None = None) -> pd.DataFrame:
    """Run each reference solution through its notebook's checker on the engine, recording the result;
    a table of what was measured. With ``only``, the chosen exercises' entries in exercises.json are replaced
    and every other exercise's entry is kept as it was. A solution that does not pass is an error, and then
    exercises.json is left as it was (nothing wrong is kept). One row per exercise checked. {columns}
    Raises DockerUnavailable when no engine answers, and DockerlabError for a number in ``only`` that is not
    an exercise or when a reference solution does not pass."""
    engine.client()  # DockerUnavailable says how to get an engine
    chosen = [catalogue.exercise(number) for number in only] if only else list(catalogue.EXERCISES.values())
    store = recording.session().store
    where = {"directory": store.directory, "root": store.root}
    target = store.directory / RECORDING_NAME
    partial = store.directory / f"{RECORDING_NAME}.partial"  # not *.json: the store never reads it
    partial.unlink(missing_ok=True)
    saved = {name: os.environ.get(name) for name in ("DOCKERLAB_MODE", "DOCKERLAB_RECORD_TO")}
    rows, failed = [], []
    try:
        os.environ.update(DOCKERLAB_MODE="live", DOCKERLAB_RECORD_TO=str(partial))
        recording.reset(**where)  # a new session reads the environment set above
        for item in chosen:
            made = recording.session().recording
            before = len(made.calls) if made is not None else 0
            checked = item.check(item.solution_text())
            if made is not None:
                made.label_calls(before, exercise=item.label)  # so --only replaces it, also a call with no exercise= of its own (00's dl.run)
            rows.append({"exercise": item.label, "passed": checked.passed, "live": checked.live, "messages": " | ".join(checked.messages)[:200]})
            if not checked.passed:
                failed.append(f"{item.label}: {checked}")
    finally:
        recording.reset(**where)  # writes what the session recorded (where it writes at the end)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        recording.reset(**where)
    if failed:
        partial.unlink(missing_ok=True)
        raise DockerlabError("A reference solution did not pass its live check, so nothing was recorded:\n" + "\n".join(failed),
                             fix=f"Fix the solution in {(COURSE_ROOT / 'data' / 'exercises').relative_to(COURSE_ROOT)}/ (or the checker), then record again.")
    _merge(partial, target, {item.label for item in chosen} if only else None)
    add_provenance(target, "dockerlab record --exercises" + (f" --only {' '.join(only)}" if only else ""))
    return SOLUTION_CHECKS.frame(rows)


def _merge(partial, target, replaced: set[str] | None) -> None:
    """Move the new recording to ``target``, keeping the entries of exercises not in ``replaced`` (None:
    replace them all) from the file already there, with when and at which commit they were recorded."""
    new = read_file(partial) if partial.exists() else {"calls": [], "headlines": {}}
    partial.unlink(missing_ok=True)
    old = read_file(target) if replaced is not None and target.exists() else {}
    if old:  # entries of another format cannot be kept beside new ones
        check_format(old, target.name)
    kept = [entry for entry in old.get("calls", []) if _label_of(entry) not in replaced] if old else []
    if kept:
        earlier = old.get("provenance", {})
        new["kept_from_earlier_recording"] = {"exercises": sorted({_label_of(entry) or entry["call"] for entry in kept}),
                                              "recorded_at": earlier.get("recorded_at"), "commit": earlier.get("commit")}
    new["calls"] = kept + new.get("calls", [])
    new["format"] = FORMAT_VERSION
    write_file(target, new)
