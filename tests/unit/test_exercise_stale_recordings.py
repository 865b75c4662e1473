"""In recorded mode an exercise check never hands a learner RecordingStale (a maintainer's matter): when the
recordings are stale or damaged (another format, another result version, keys that no longer match, a file
cut short, entries with parts missing), the static tier still judges the text and the verdict says the
build-and-measure check needs a Docker engine."""
import json
import shutil

import pytest

from dockerlab import recording
from dockerlab.exercises.catalogue import EXERCISES
from dockerlab.recording import RECORDED_DIR


def damage_format(content):
    content["format"] = 99


def damage_version(content):
    for entry in content["calls"]:
        entry["version"] = 99


def damage_keys(content):
    for entry in content["calls"]:
        entry["key"] = "0" * 24


def damage_entries(content):
    for entry in content["calls"]:
        entry.pop("inputs", None)
        entry["key"] = "1" * 24


def damage_results(content):
    for entry in content["calls"]:
        entry["result"] = {"__dataclass__": "dockerlab.no_such_module.Verdict", "fields": {}}


def damage_result_shape(content):
    for entry in content["calls"]:
        entry["result"] = ["a list, not a verdict"]


DAMAGES = {"format": damage_format, "result version": damage_version, "keys": damage_keys, "entries without inputs": damage_entries,
           "results of an unknown type": damage_results, "results of another shape": damage_result_shape}


def stale_copy(tmp_path, damage=None, *, cut_short=False, files=("exercises.json",)):
    folder = tmp_path / "recorded"
    shutil.copytree(RECORDED_DIR, folder)
    for name in files:
        path = folder / name
        if cut_short:
            path.write_text(path.read_text()[: len(path.read_text()) // 2])
            continue
        content = json.loads(path.read_text())
        damage(content)
        path.write_text(json.dumps(content))
    return folder


@pytest.fixture
def recorded_mode(monkeypatch):
    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
    monkeypatch.delenv("DOCKERLAB_RECORD_TO", raising=False)
    for name in ("BINDER_LAUNCH_HOST", "BINDER_REPO_URL", "BINDER_REF_URL", "BINDER_REQUEST", "BINDER_PERSISTENT_REQUEST", "BINDER_SERVICE_HOST"):
        monkeypatch.delenv(name, raising=False)


def assert_static_verdict_with_the_engine_note(exercise, which):
    text = getattr(exercise, which)()
    verdict = exercise.check(text)  # no exception
    shown = str(verdict)
    assert "maintainer" not in shown.lower() and "regenerat" not in shown.lower() and "RecordingStale" not in shown, shown
    if which == "solution_text":
        assert verdict.passed and verdict.live == "needs an engine" and not verdict.complete, shown
        assert verdict.note.startswith("Static checks passed; the build-and-measure check needs a Docker engine"), shown
        assert "it would " in verdict.note, shown
    else:
        assert not verdict.passed, shown
        assert verdict.live in ("needs an engine", "not run"), shown
        if verdict.live == "needs an engine":
            assert verdict.note.startswith("Fix the points above first. The build-and-measure check needs a Docker engine"), shown


# Every file that holds an exercise's check: exercises.json, and the notebooks whose cells run the checks too.
EXERCISE_FILES = tuple(dict.fromkeys(("exercises.json",) + tuple(f"{exercise.notebook}.json" for exercise in EXERCISES.values()
                                                                 if (RECORDED_DIR / f"{exercise.notebook}.json").exists())))


@pytest.mark.parametrize("damage", list(DAMAGES), ids=list(DAMAGES))
@pytest.mark.parametrize("which", ["solution_text", "starting"])
def test_stale_exercise_recordings_give_the_static_verdict(damage, which, tmp_path, recorded_mode):
    recording.reset(directory=stale_copy(tmp_path, DAMAGES[damage], files=EXERCISE_FILES))
    try:
        for exercise in EXERCISES.values():
            assert_static_verdict_with_the_engine_note(exercise, which)
    finally:
        recording.reset()


@pytest.mark.parametrize("which", ["solution_text", "starting"])
def test_a_recording_cut_short_gives_the_static_verdict(which, tmp_path, recorded_mode):
    recording.reset(directory=stale_copy(tmp_path, cut_short=True, files=EXERCISE_FILES))
    try:
        for exercise in EXERCISES.values():
            assert_static_verdict_with_the_engine_note(exercise, which)
    finally:
        recording.reset()


def test_another_notebook_s_stale_recording_does_not_reach_the_exercise(tmp_path, recorded_mode):
    """06_security.json of another format fails only what it holds: every exercise's check is in exercises.json, which
    is whole, so each replays its recorded verdict (before, one damaged file refused the whole store)."""
    recording.reset(directory=stale_copy(tmp_path, damage_format, files=("06_security.json",)))
    try:
        for exercise in EXERCISES.values():
            verdict = exercise.check(exercise.solution_text())
            assert verdict.passed and verdict.live == "replayed" and "RecordingStale" not in str(verdict), str(verdict)
    finally:
        recording.reset()


def test_the_stale_recording_is_logged_for_maintainers_in_one_line(tmp_path, recorded_mode, caplog):
    import logging

    recording.reset(directory=stale_copy(tmp_path, damage_format))
    try:
        with caplog.at_level(logging.INFO, logger="dockerlab.exercises"):
            EXERCISES["03"].check(EXERCISES["03"].solution_text())
    finally:
        recording.reset()
    lines = [record.getMessage() for record in caplog.records if record.name == "dockerlab.exercises"]
    assert len(lines) == 1 and "\n" not in lines[0] and "exercises.json" in lines[0], lines
