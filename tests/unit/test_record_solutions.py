"""`dockerlab record --exercises` keeps each reference solution's live result, and refuses to keep a failing one."""
import dataclasses
import json

import pytest

import dockerlab as dl
from dockerlab.check import CheckResult
from dockerlab.exercises import catalogue, record
from dockerlab.recording import recordable

from .test_exercises_static import fake_provenance, use_recordings


@recordable("demo.solution_check")
def demo_check(text: str, exercise: str = "demo"):
    return CheckResult(exercise, "FROM" in text, ["measured"], live="measured")


@pytest.fixture
def one_exercise(tmp_path, monkeypatch):
    fake_provenance(monkeypatch)
    use_recordings(tmp_path, monkeypatch)
    monkeypatch.setattr(dl.engine, "client", lambda: None)
    solution = tmp_path / "solution.Dockerfile"
    solution.write_text("FROM alpine:3.20\n")
    fake = dataclasses.replace(catalogue.EXERCISES["02"], solution_file=solution, checker=lambda text: demo_check(text))
    monkeypatch.setattr(catalogue, "EXERCISES", {"02": fake})
    return tmp_path, solution


def test_the_solutions_are_recorded_with_provenance(one_exercise):
    folder, _ = one_exercise
    table = record.record_solutions()
    assert list(table["passed"]) == [True]
    # what the check said; its verdict is passed
    assert list(table.columns) == ["exercise", "passed", "live", "messages"] and list(table["messages"]) == ["measured"]
    content = json.loads((folder / "exercises.json").read_text())
    assert content["provenance"]["command"] == "dockerlab record --exercises"
    assert [call["call"] for call in content["calls"]] == ["demo.solution_check"]


def test_a_failing_solution_is_not_recorded(one_exercise):
    folder, solution = one_exercise
    solution.write_text("# not a Dockerfile\n")
    with pytest.raises(dl.DockerlabError, match="did not pass"):
        record.record_solutions()
    assert not (folder / "exercises.json").exists()


@pytest.fixture
def two_exercises(tmp_path, monkeypatch):
    """Exercises 02 and 03 with stand-in checkers (no engine), each recorded under its own label."""
    fake_provenance(monkeypatch)
    use_recordings(tmp_path, monkeypatch)
    monkeypatch.setattr(dl.engine, "client", lambda: None)
    fakes = {}
    for number in ("02", "03"):
        solution = tmp_path / f"{number}.Dockerfile"
        solution.write_text(f"FROM alpine:3.20\n# {number}\n")
        label = catalogue.EXERCISES[number].label
        fakes[number] = dataclasses.replace(catalogue.EXERCISES[number], solution_file=solution,
                                            checker=lambda text, label=label: demo_check(text, exercise=label))
    monkeypatch.setattr(catalogue, "EXERCISES", fakes)
    return tmp_path


def recorded_texts(folder):
    content = json.loads((folder / "exercises.json").read_text())
    return {call["inputs"]["arguments"]["keywords"]["exercise"]: call["inputs"]["arguments"]["arguments"][0] for call in content["calls"]}, content


def test_only_replaces_the_chosen_exercises_and_keeps_the_others(two_exercises):
    folder = two_exercises
    record.record_solutions()
    before, _ = recorded_texts(folder)
    label_02, label_03 = catalogue.EXERCISES["02"].label, catalogue.EXERCISES["03"].label
    (folder / "03.Dockerfile").write_text("FROM alpine:3.20\n# 03, changed\n")
    table = record.record_solutions(["3"])
    assert list(table["exercise"]) == [label_03]
    after, content = recorded_texts(folder)
    assert after == {label_02: before[label_02], label_03: "FROM alpine:3.20\n# 03, changed\n"}
    assert len(content["calls"]) == 2 and content["provenance"]["command"] == "dockerlab record --exercises --only 3"
    assert content["kept_from_earlier_recording"]["exercises"] == [label_02]
    assert not (folder / "exercises.json.partial").exists()


def test_a_failing_solution_leaves_the_earlier_recording_as_it_was(two_exercises):
    folder = two_exercises
    record.record_solutions()
    earlier = (folder / "exercises.json").read_text()
    (folder / "03.Dockerfile").write_text("# not a Dockerfile\n")
    with pytest.raises(dl.DockerlabError, match="did not pass"):
        record.record_solutions(["03"])
    assert (folder / "exercises.json").read_text() == earlier and not (folder / "exercises.json.partial").exists()


@recordable("demo.run")
def demo_run(command: str):
    """A course call with no exercise= keyword (exercise 00's checker records dl.run's own call)."""
    return CheckResult("demo", True, [command], live="measured")


def test_a_call_without_an_exercise_label_is_kept_under_its_exercise_and_replaced_by_only(two_exercises, monkeypatch):
    folder = two_exercises
    fake = dataclasses.replace(catalogue.EXERCISES["02"], checker=lambda text: demo_run(text))
    monkeypatch.setitem(catalogue.EXERCISES, "02", fake)
    record.record_solutions()
    content = json.loads((folder / "exercises.json").read_text())
    assert {call["call"]: call.get("exercise") for call in content["calls"]} == {"demo.run": fake.label, "demo.solution_check": catalogue.EXERCISES["03"].label}
    (folder / "02.Dockerfile").write_text("FROM alpine:3.20\n# 02, changed\n")
    record.record_solutions(["02"])
    content = json.loads((folder / "exercises.json").read_text())
    runs = [call for call in content["calls"] if call["call"] == "demo.run"]
    assert [call["inputs"]["arguments"]["arguments"] for call in runs] == [["FROM alpine:3.20\n# 02, changed\n"]], runs  # the old one is gone
    assert content["kept_from_earlier_recording"]["exercises"] == [catalogue.EXERCISES["03"].label]


def test_an_attribute_read_of_a_recorded_object_belongs_to_no_exercise_by_its_inputs():
    from dockerlab.exercises.record import _label_of
    from dockerlab.recording.entries import entry_problem

    read = {"call": "start.name", "key": "k", "occurrence": 0, "version": 1, "inputs": {"arguments": [], "keywords": {}}, "raised": False, "result": "web"}
    checked = {**read, "call": "check.image_runs", "inputs": {"arguments": {"arguments": [], "keywords": {"exercise": "03"}}, "files": {}}}
    assert entry_problem(read) is None and entry_problem(checked) is None  # both shapes the recorder writes
    assert _label_of(read) is None and _label_of({**read, "exercise": "02a"}) == "02a" and _label_of(checked) == "03"
