"""What a stale or damaged recording says, and that no file of another format is kept or stamped as this one's:
the article before a type's name, the whole reason (never cut mid-sentence), a damaged file called damaged, and one
strict format check for every reader and writer that keeps a file's entries."""
from __future__ import annotations

import json
import shutil

import pytest

import dockerlab as dl
from dockerlab import recorder, recording
from dockerlab.containers import RunResult
from dockerlab.errors import ImageNotFound, RecordingStale, a_kind
from dockerlab.exercises.record import _merge
from dockerlab.paths import COURSE_ROOT
from dockerlab.recording import encode
from dockerlab.recording.entries import result_problem


@pytest.mark.parametrize(("name", "said"), [
    ("ImageNotFound", "an ImageNotFound"), ("int", "an int"), ("RunResult", "a RunResult"), ("OSError", "an OSError"),
    ("HTTPError", "an HTTPError"), ("URLError", "a URLError"), ("JSONDecodeError", "a JSONDecodeError"), ("str", "a str"),
    ("UsageError", "a UsageError"), ("UnboundLocalError", "an UnboundLocalError"), ("DataFrame", "a DataFrame"),
    ("object", "an object"), ("ArchiveRef", "an ArchiveRef"), ("Mode", "a Mode"),
])
def test_a_type_is_named_with_the_article_of_its_first_sound(name, said):
    assert a_kind(name) == said


def test_messages_that_name_a_type_use_its_article():
    assert result_problem(ImageNotFound("x:1"), raised=False, stateful=False, returns=RunResult) == "an ImageNotFound where the call returns a RunResult"
    assert result_problem(7, raised=True, stateful=False) == "it says the call raised, but its result is an int, not a course error"
    with pytest.raises(dl.DockerlabError, match=r"Cannot record an object\."):
        encode(object())


@pytest.fixture
def recordings(tmp_path, monkeypatch):
    """The course's recordings copied into tmp_path, replayed from there (``change(path)`` damages one first)."""

    def replay_from(notebook: str, change) -> None:
        shutil.copytree(COURSE_ROOT / "data" / "recorded", tmp_path, dirs_exist_ok=True)
        change(tmp_path / f"{notebook}.json")
        monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
        monkeypatch.delenv("DOCKERLAB_RECORD_TO", raising=False)
        recording.reset(directory=tmp_path, root=COURSE_ROOT)

    yield replay_from
    recording.reset()


def _set_run_result(path, result):
    content = json.loads(path.read_text())
    content["calls"][4]["result"] = result
    path.write_text(json.dumps(content))


def test_the_reason_a_recorded_result_cannot_be_read_is_given_whole(recordings):
    long_name = "dockerlab.containers." + "ThisClassWasRenamedInALaterVersionOfTheCourse" * 2
    recordings("02_core_concepts", lambda path: _set_run_result(path, {"__dataclass__": long_name, "fields": {}}))
    with pytest.raises(RecordingStale) as raised:
        dl.run("hello-python:1")
    assert raised.value.what == "02_core_concepts.json, entry 4 (run)"
    assert f"names the type {long_name!r} for a course result (a dataclass), which the course does not have (AttributeError)." in raised.value.found
    assert "What to do" not in raised.value.found, "the inner error's own fix is not repeated inside the message"


@pytest.mark.parametrize("damage", ["cut short", "not JSON"])
def test_a_file_that_is_not_json_is_called_damaged_not_another_version(recordings, damage):
    def damaged(path):
        text = path.read_text()
        path.write_text(text[: len(text) // 2] if damage == "cut short" else "<html>a proxy's error page</html>")

    recordings("02_core_concepts", damaged)
    with pytest.raises(RecordingStale) as raised:
        dl.run("hello-python:1")
    error = raised.value
    assert error.damaged and error.message.startswith("The recorded results in 02_core_concepts.json are damaged: the file was cut short or edited (not JSON: ")
    assert "another version" not in error.message and "Nothing you did" not in error.message
    assert "git pull" in error.fix and "dockerlab record" in error.fix  # the same fix as for another version's file
    with pytest.raises(RecordingStale, match="are damaged"):  # the maintainers' readers say the same
        recording.recordings()


def test_a_file_of_another_format_still_says_another_version(recordings):
    recordings("02_core_concepts", lambda path: path.write_text(json.dumps({**json.loads(path.read_text()), "format": 2})))
    with pytest.raises(RecordingStale, match=r"were written by another version of the course \(format 2;") as raised:
        dl.run("hello-python:1")
    assert not raised.value.damaged


def _recording(path, fmt):
    path.write_text(json.dumps({"format": fmt, "provenance": {"commit": "abc"}, "calls": [], "headlines": {}}))


@pytest.mark.parametrize("written", [True, 1.0, "1", 2, None])
def test_exercise_entries_of_another_format_are_never_kept_beside_new_ones(tmp_path, written):
    partial, target = tmp_path / "exercises.partial.json", tmp_path / "exercises.json"
    _recording(partial, 1)
    _recording(target, written)
    before = target.read_text()
    with pytest.raises(RecordingStale, match=r"exercises\.json .*another version of the course \(format"):
        _merge(partial, target, replaced=set())
    assert target.read_text() == before


@pytest.mark.parametrize("written", [True, 1.0, 2, None])
def test_provenance_never_stamps_this_format_on_a_file_of_another(tmp_path, monkeypatch, written):
    monkeypatch.setattr(recorder, "provenance", lambda command="": {"recorded_at": "2026-11-28T10:00:00+00:00", "commit": "abc"})
    target = tmp_path / "demo.json"
    _recording(target, written)
    before = target.read_text()
    with pytest.raises(RecordingStale, match=r"demo\.json .*another version of the course \(format"):
        recorder.add_provenance(target, "dockerlab record --only demo")
    assert target.read_text() == before
    _recording(target, 1)
    recorder.add_provenance(target, "dockerlab record --only demo")  # this format: stamped, provenance added
    assert json.loads(target.read_text())["provenance"]["commit"] == "abc"
