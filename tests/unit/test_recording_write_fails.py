"""A recording that cannot be written (its folder cannot be made or written, the disk is full) never takes a
learner's result away: the call returns what it measured live, the failure is shown once as a RecordingNotWritten
warning naming the file and what to do, the file on disk stays whole, and the end of the run (reset, flush, and
`dockerlab record`) says so as a course error, never as a bare OSError."""
from __future__ import annotations

import errno
import json
import warnings

import nbformat
import pytest

from dockerlab import recorder, recording
from dockerlab.containers import RunResult
from dockerlab.errors import BuildFailed, DockerlabError, RecordingNotWritten
from dockerlab.recording import recordable
from dockerlab.recording import store as store_module

ran = []


@recordable("demo.written")
def measure(label: str) -> RunResult:
    ran.append(label)
    return RunResult(label, "", 0, f"{label} ran", 0.01)


@recordable("demo.refused")
def refused(label: str) -> RunResult:
    raise BuildFailed("exit code 1", step=1, instruction="RUN false", exit_code=1, fix="Fix the RUN line.")


@pytest.fixture
def recording_to(tmp_path, monkeypatch):
    """Record into ``target`` (a path given by the test), then end the session whatever happened."""

    def start(target):
        monkeypatch.setenv("DOCKERLAB_MODE", "live")
        monkeypatch.setenv("DOCKERLAB_RECORD_TO", str(target))
        recording.reset(directory=tmp_path / "recorded", root=tmp_path)
        return recording.session().recording

    yield start
    monkeypatch.delenv("DOCKERLAB_RECORD_TO", raising=False)
    try:
        recording.reset()
    except RecordingNotWritten:
        pass  # the test's own unwritable recording, already checked


def test_a_folder_that_cannot_be_made_returns_the_result_and_warns_once_naming_the_file_and_the_fix(tmp_path, recording_to):
    # A file where the recording's folder should be: a real OSError for root too (root ignores a folder's mode bits,
    # so chmod 555 cannot stand for a read-only data/recorded/ here or in CI).
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    target = blocker / "recorded" / "demo.json"
    made = recording_to(target)
    with pytest.warns(RecordingNotWritten) as shown:
        first = measure("cold")
        second = measure("warm")
    assert first == RunResult("cold", "", 0, "cold ran", 0.01) and second.image == "warm", "the live results are returned"
    assert len(shown) == 1, [str(warning.message) for warning in shown]  # once, not per call
    warning = shown[0].message
    assert isinstance(warning, DockerlabError) and warning.target == str(target)
    assert str(target) in str(warning) and "NotADirectoryError" in warning.reason and "dockerlab record" in warning.fix
    assert str(target.parent) in warning.fix and "writable" in warning.fix
    assert [entry["call"] for entry in made.calls] == ["demo.written", "demo.written"]  # kept in memory
    with pytest.raises(RecordingNotWritten, match="demo.json"):  # the end of the run says so, as a course error
        recording.reset()
    assert blocker.read_text() == "not a folder"


def test_a_full_disk_keeps_the_file_whole_and_the_next_write_puts_everything_on_disk(tmp_path, recording_to, monkeypatch):
    target = tmp_path / "recorded" / "demo.json"
    recording_to(target)
    measure("first")
    before = target.read_text()
    real = store_module.write_whole

    def disk_full(path, text):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_module, "write_whole", disk_full)
    with pytest.warns(RecordingNotWritten, match="No space left on device"):
        assert measure("second").image == "second"
    assert target.read_text() == before and not list(target.parent.glob(".*.writing")), "the file on disk is as it was"
    monkeypatch.setattr(store_module, "write_whole", real)  # space again
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no second warning
        measure("third")
    calls = json.loads(target.read_text())["calls"]
    assert [call["result"]["fields"]["image"] for call in calls] == ["first", "second", "third"]


def test_a_recorded_error_stays_the_learners_error_when_the_write_fails(tmp_path, recording_to):
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    recording_to(blocker / "recorded" / "demo.json")
    with pytest.warns(RecordingNotWritten), pytest.raises(BuildFailed, match="RUN false"):
        refused("x")


def test_dockerlab_record_fails_a_notebook_whose_kernel_could_not_write_its_recording(tmp_path, monkeypatch):
    """The kernel's warning, as Python prints it into the executed notebook, fails `dockerlab record` for that notebook."""
    shown = warnings.formatwarning(RecordingNotWritten(str(tmp_path / "02_core_concepts.json"), "OSError: No space left on device"),
                                   RecordingNotWritten, "dockerlab/recording/store.py", 291)
    document = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("dl.build(...)", outputs=[
        nbformat.v4.new_output("stream", name="stderr", text=shown)])])
    assert recorder.unwritten_warning(document).startswith(f"The recording {tmp_path / '02_core_concepts.json'} could not be written")
    assert recorder.unwritten_warning(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])) is None
    notebook = tmp_path / "02_core_concepts.ipynb"
    monkeypatch.setattr(recorder.engine, "client", lambda: object())
    monkeypatch.setattr(recorder, "RECORDED_DIR", tmp_path / "recorded")
    monkeypatch.setattr(recorder, "notebooks", lambda only: [notebook])
    monkeypatch.setattr(recorder, "execute", lambda path, timeout: (document, 1.0))
    with pytest.raises(RecordingNotWritten, match="02_core_concepts.ipynb's kernel warned: The recording") as raised:
        recorder.record_notebooks()
    assert raised.value.target == str(tmp_path / "recorded" / "02_core_concepts.json") and "dockerlab record" in raised.value.fix


def test_a_folder_that_can_be_made_later_gets_every_kept_call_at_the_next_write(tmp_path, recording_to):
    """The folder could not be made at the first write (a file in its way); once the file is gone and a folder is
    there, the next recorded call writes the whole recording (every call kept so far), and so do flush and reset."""
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    target = blocker / "recorded" / "demo.json"
    recording_to(target)
    with pytest.warns(RecordingNotWritten, match="NotADirectoryError"):
        measure("while blocked")
    blocker.unlink()
    blocker.mkdir()  # the folder can be made now (its own folder, recorded/, is not there yet)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither a warning nor a failed write
        measure("after")
    calls = json.loads(target.read_text())["calls"]
    assert [call["result"]["fields"]["image"] for call in calls] == ["while blocked", "after"]
    recording.flush()
    recording.reset()
    assert [call["result"]["fields"]["image"] for call in json.loads(target.read_text())["calls"]] == ["while blocked", "after"]


def test_the_end_of_the_run_writes_once_the_folder_can_be_made(tmp_path, recording_to):
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    target = blocker / "recorded" / "demo.json"
    recording_to(target)
    with pytest.warns(RecordingNotWritten):
        measure("only")
    blocker.unlink()
    recording.reset()  # the folder and its parent are made now; nothing raised
    assert [call["result"]["fields"]["image"] for call in json.loads(target.read_text())["calls"]] == ["only"]
