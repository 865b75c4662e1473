"""A replayed course object whose fields are not what its class declares (a number where text is, another course
object where a whole number is, a field missing) is a RecordingStale naming the file, the entry and the field, never a
TypeError or AttributeError when the notebook shows it. Checked on copies of the course's own recordings."""
from __future__ import annotations

import dataclasses
import datetime
import importlib
import json
import pkgutil
import shutil
from pathlib import Path

import pandas as pd
import pytest

import dockerlab as dl
from dockerlab import recording
from dockerlab.builder import BuildResult
from dockerlab.containers import RunResult
from dockerlab.fetch import FetchedImage
from dockerlab.paths import COURSE_ROOT
from dockerlab.recording import encode
from dockerlab.recording.entries import field_types, fields_problem
from dockerlab.recording.session import Mode


@pytest.fixture
def copied(tmp_path, monkeypatch):
    """Copy the course's recordings into tmp_path, change one entry's fields in one of them (``change(fields)``) and
    replay from the copies (the course folder itself stays the root, so a build's context is read as recorded)."""

    def copy(notebook: str, number: int, change) -> Path:
        shutil.copytree(COURSE_ROOT / "data" / "recorded", tmp_path, dirs_exist_ok=True)
        target = tmp_path / f"{notebook}.json"
        content = json.loads(target.read_text())
        change(content["calls"][number]["result"]["fields"])
        target.write_text(json.dumps(content))
        monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
        monkeypatch.delenv("DOCKERLAB_RECORD_TO", raising=False)
        recording.reset(directory=tmp_path, root=COURSE_ROOT)
        return target

    yield copy
    recording.reset()


def replay_run():
    return dl.run("hello-python:1")


def replay_build():
    return dl.build(COURSE_ROOT / "data" / "apps" / "hello-python", tag="hello-python:1")


def replay_fetch():
    return dl.fetch_image("python:3.11-slim", on_failure="explain")


def replay_waste():
    return dl.wasted_space("dockerlab-security/report:rm-later")


BROKEN = {  # (notebook, entry, change, replay, the field named)
    "text that is a number": ("02_core_concepts", 4, lambda fields: fields.update(output=42), replay_run, "output"),
    "a whole number that is a course object": ("02_core_concepts", 4, lambda fields: fields.update(exit_code=encode(Mode("live", "x"))),
                                               replay_run, "exit_code"),
    "a whole number that is true": ("02_core_concepts", 4, lambda fields: fields.update(exit_code=True), replay_run, "exit_code"),
    "a field missing": ("02_core_concepts", 4, lambda fields: fields.pop("image"), replay_run, "image"),
    "a list that is text": ("02_core_concepts", 1, lambda fields: fields.update(tags="hello-python:1"), replay_build, "tags"),
    "a field of an object in a list": ("02_core_concepts", 1, lambda fields: fields["build_steps"][2]["fields"].update(number="three"),
                                       replay_build, "build_steps[2].number"),
    "a path that is text": ("02_core_concepts", 38, lambda fields: fields.update(path="/tmp/x.tar"), replay_fetch, "path"),
    "a table that is a number": ("06_security", 35, lambda fields: fields.update(offenders=5), replay_waste, "offenders"),
}


@pytest.mark.parametrize("broken", BROKEN)
def test_a_replayed_field_of_another_type_is_stale_naming_the_file_the_entry_and_the_field(copied, broken):
    notebook, number, change, replay, field = BROKEN[broken]
    copied(notebook, number, change)
    with pytest.raises(recording.RecordingStale) as raised:
        replay()
    error = raised.value
    assert error.what.startswith(f"{notebook}.json, entry {number} (")
    assert f"field {field} " in error.found, error.found
    assert f"{notebook}.json, entry {number}" in str(error) and "dockerlab record" in error.fix


def test_what_fits_the_annotations_replays(copied):
    copied("02_core_concepts", 4, lambda fields: fields.update(seconds=2))  # JSON writes 2.0 as 2: a whole number is a float too
    replayed = replay_run()
    assert isinstance(replayed, RunResult) and replayed.seconds == 2 and replayed._repr_html_()
    built = replay_build()  # untouched: a list of course objects, a list of tuples
    assert isinstance(built, BuildResult) and built.build_steps and built.tags == ["hello-python:1"]
    fetched = replay_fetch()
    assert isinstance(fetched, FetchedImage) and isinstance(fetched.path, Path)
    assert isinstance(replay_waste().offenders, pd.DataFrame)


@dataclasses.dataclass
class Sample:
    when: datetime.datetime
    maybe: int | None
    many: tuple[str, ...]
    table: pd.DataFrame | None = None


@pytest.mark.parametrize(("fields", "named"), [
    ({"when": datetime.datetime(2026, 1, 1), "maybe": None, "many": ("a",)}, None),
    ({"when": datetime.datetime(2026, 1, 1), "maybe": 3, "many": (), "table": pd.DataFrame()}, None),
    ({"when": "2026-01-01", "maybe": None, "many": ()}, "when"),
    ({"when": datetime.datetime(2026, 1, 1), "maybe": 2.5, "many": ()}, "maybe"),
    ({"when": datetime.datetime(2026, 1, 1), "maybe": None, "many": ["a"]}, "many"),
    ({"when": datetime.datetime(2026, 1, 1), "maybe": None, "many": (), "table": [[1]]}, "table"),
])
def test_optional_containers_datetimes_and_tables_are_checked_by_their_annotation(fields, named):
    sample = Sample(**fields)
    problem = fields_problem({"key": [sample]})
    assert (problem is None) if named is None else (f"field ['key'][0].{named} " in problem), problem


def test_every_course_dataclass_has_field_annotations_the_check_can_read():
    """A class whose annotations cannot be resolved would go unchecked: each one the course defines resolves."""
    unread = []
    for found in pkgutil.walk_packages(dl.__path__, "dockerlab."):
        if found.name.endswith("__main__"):
            continue
        module = importlib.import_module(found.name)
        for value in vars(module).values():
            if (isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == module.__name__
                    and set(field_types(value)) != {field.name for field in dataclasses.fields(value)}):
                unread.append(f"{module.__name__}.{value.__qualname__}")
    assert unread == []
