"""A recording being made is on disk as each call returns: a `dockerlab record` kernel that is killed
keeps every call it made, and the file is never seen half written."""
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dockerlab.errors import RecordingStale
from dockerlab.recording.store import FORMAT_VERSION, Recording, read_file

ROOT = Path(__file__).resolve().parents[2]

# A process recording two calls, as a notebook's kernel does: it says when each has returned, then waits
# for a line on stdin before the next (and never exits by itself after the second: it is killed).
RECORDER = textwrap.dedent("""
    import sys
    from dockerlab.recording import recordable

    @recordable("demo.persisted")
    def measure(label):
        return {"label": label, "bytes": 1024}

    for label in ("first", "second"):
        measure(label)
        print(f"returned {label}", flush=True)
        sys.stdin.readline()
    sys.stdin.readline()
""")


def recorded_labels(target: Path) -> list[str]:
    return [dict(call["result"]["__pairs__"])["label"] for call in read_file(target)["calls"]]


def test_a_second_process_sees_each_call_once_it_returns_and_a_killed_recorder_keeps_them(tmp_path):
    target = tmp_path / "demo.json"
    environment = {**os.environ, "DOCKERLAB_MODE": "live", "DOCKERLAB_RECORD_TO": str(target), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-c", RECORDER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=environment, cwd=tmp_path)
    try:
        assert process.stdout.readline().strip() == "returned first"
        assert recorded_labels(target) == ["first"]  # before the recorder exits, read by this process
        process.stdin.write("\n")
        process.stdin.flush()
        assert process.stdout.readline().strip() == "returned second"
        assert recorded_labels(target) == ["first", "second"]
        process.send_signal(signal.SIGKILL)  # a killed kernel: no atexit
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    content = read_file(target)
    assert process.returncode == -signal.SIGKILL and content["format"] == FORMAT_VERSION
    assert [call["occurrence"] for call in content["calls"]] == [0, 0] and not list(tmp_path.glob(".*.writing"))


def test_each_write_holds_every_call_and_headline_and_keeps_what_the_file_held(tmp_path):
    target = tmp_path / "demo.json"
    target.write_text(json.dumps({"format": FORMAT_VERSION, "calls": [], "headlines": {}, "provenance": {"commit": "abc"}}))
    made = Recording(target)
    inputs = {"arguments": {"arguments": [], "keywords": {}}, "files": {}}
    assert made.add("demo.a", "k", inputs, 1, raised=False, version=1) == 0
    target.unlink()  # written again whole from memory, not read again: the provenance read at the first write stays
    made.headline("speed-up", {"label": "speed-up", "value": 2.0, "target": 1.5, "direction": "at least", "unit": "x", "met": True})
    assert made.add("demo.a", "k", inputs, 2, raised=False, version=1) == 1
    made.label_calls(1, exercise="02")
    content = read_file(target)
    assert content["provenance"] == {"commit": "abc"} and list(content["headlines"]) == ["speed-up"]
    assert [(call["result"], call.get("exercise")) for call in content["calls"]] == [(1, None), (2, "02")]
    assert content == json.loads(target.read_text()) and not made.dirty


def test_a_file_already_there_that_is_not_a_recording_is_refused_at_the_first_call(tmp_path):
    target = tmp_path / "demo.json"
    target.write_text("not json")
    with pytest.raises(RecordingStale, match="demo.json"):
        Recording(target).add("demo.a", "k", {"arguments": {"arguments": [], "keywords": {}}, "files": {}}, 1, raised=False, version=1)
    assert target.read_text() == "not json"


def test_two_writers_of_one_file_never_share_a_temporary_file(tmp_path):
    """A verifier's break: the temporary file had one fixed name, so two processes writing one recording wrote
    into one temporary file (a reader saw a damaged file; a writer's os.replace found its file gone). Each
    writer now has its own, and every read sees one writer's whole text."""
    from dockerlab.recording.store import write_whole

    target = tmp_path / "r.json"
    write_whole(target, json.dumps({"writer": "first", "pad": "x" * 200_000}))
    code = ("import json, sys\nfrom pathlib import Path\nfrom dockerlab.recording.store import write_whole\n"
            "for n in range(150):\n    write_whole(Path(sys.argv[1]), json.dumps({'writer': sys.argv[2], 'n': n, 'pad': 'x' * 200_000}))\n")
    import dockerlab

    here = {**os.environ, "PYTHONPATH": str(Path(dockerlab.__file__).parents[1])}  # this checkout's package, wherever the test runs from
    writers = [subprocess.Popen([sys.executable, "-c", code, str(target), name], stderr=subprocess.PIPE, text=True, env=here) for name in ("a", "b")]
    damaged = 0
    while any(writer.poll() is None for writer in writers):
        try:
            json.loads(target.read_text())
        except json.JSONDecodeError:
            damaged += 1
    errors = [writer.stderr.read() for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0], errors
    assert damaged == 0
    assert json.loads(target.read_text())["writer"] in ("a", "b")
    assert list(tmp_path.glob(".*writing")) == []  # no temporary file is left
