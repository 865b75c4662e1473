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
    content = json.loads((folder / "exercises.json").read_text())
    assert content["provenance"]["command"] == "dockerlab record --exercises"
    assert [call["call"] for call in content["calls"]] == ["demo.solution_check"]


def test_a_failing_solution_is_not_recorded(one_exercise):
    folder, solution = one_exercise
    solution.write_text("# not a Dockerfile\n")
    with pytest.raises(dl.DockerlabError, match="did not pass"):
        record.record_solutions()
    assert not (folder / "exercises.json").exists()
