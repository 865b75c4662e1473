"""Recorded mode without an engine: results survive the round trip to JSON, replay in order, and a
stale or missing recording is an error that names the call (and the file that changed)."""
import json

import pandas as pd
import pytest

import dockerlab as dl
from dockerlab import columns, recorder, recording
from dockerlab.check import CheckResult
from dockerlab.containers import RunResult
from dockerlab.errors import BuildFailed
from dockerlab.recorder import MAX_RECORDED_BYTES, recorded_bytes
from dockerlab.recording import RecordingMissing, decode, encode, recordable


def roundtrip(value):
    return decode(json.loads(json.dumps(encode(value))))


def test_dataframes_keep_columns_types_index_and_attrs():
    frame = pd.DataFrame({"image": ["a", "b"], "size": [1, 2], "ok": [True, False], "seconds": [0.5, float("nan")]}).set_index("image")
    frame.attrs["registry"] = RunResult("x", "true", 0, "", 0.1)
    back = roundtrip(frame)
    pd.testing.assert_frame_equal(back.drop(columns=[]), frame, check_like=False)
    assert back.attrs["registry"] == frame.attrs["registry"]


def test_dataclasses_tuples_and_dict_keys_survive():
    value = {"check": CheckResult("x", False, ["a", "b"]), ("tuple", 1): (1, 2.5, None), "series": pd.Series([1, 2], index=["p", "q"], name="n")}
    back = roundtrip(value)
    assert back["check"] == value["check"] and back[("tuple", 1)] == (1, 2.5, None)
    pd.testing.assert_series_equal(back["series"], value["series"])


def test_a_recorded_error_is_raised_again_with_its_evidence():
    error = BuildFailed("exit code 3", log_tail=["boom"], step=2, instruction="RUN false", exit_code=3, fix="fix it")
    back = roundtrip(error)
    assert isinstance(back, BuildFailed) and back.step == 2 and back.log_tail == ["boom"] and back.fix == "fix it" and "exit code 3" in str(back)


def test_an_encoded_docker_note_from_another_checkout_holds_no_absolute_path(tmp_path, monkeypatch):
    """A recording names the course's files relative to the course, wherever the checkout that recorded it
    lives, and a temporary folder (run_as's bind mount) by a placeholder, not its random name."""
    import tempfile

    from dockerlab.magics import CommandResult
    from dockerlab.recording import codec

    checkout = tmp_path / "wt99"  # where another checkout recorded from
    monkeypatch.setattr(codec, "COURSE_ROOT", checkout)
    shared = f"{tempfile.gettempdir()}/dockerlab-run-as-6eq1snlq"
    result = CommandResult(
        f"compose -f {checkout}/data/apps/compose-api/compose.yaml up -d --wait",
        f"docker compose -p api -f {checkout}/build/compose/api.json --project-directory={checkout}/data/apps/compose-api up -d --wait",
        f"[dockerlab] copied {checkout}/data/apps/compose-api/.env.example to .env\nwrote {shared}/written-by-container\ncd {checkout}\n",
        0, 1.5, "", f"from {checkout}/data/apps/compose-api\n")
    encoded = json.dumps(encode(result))
    assert str(checkout) not in encoded and str(tmp_path) not in encoded and "6eq1snlq" not in encoded
    texts = decode(json.loads(encoded))
    assert not [word for text in (texts.command, texts.ran, texts.output, texts.stderr) for word in text.replace("=", " ").split() if word.startswith("/")]
    assert texts.command == "compose -f data/apps/compose-api/compose.yaml up -d --wait"
    assert "--project-directory=data/apps/compose-api " in texts.ran and " -f build/compose/api.json " in texts.ran
    assert texts.output.splitlines()[1:] == ["wrote <temp folder>/written-by-container", "cd ."]


@pytest.mark.parametrize("text", ["/work/wt180/data", "/mnt/work/wt18/data", "ls /work/wt18x", "/tmp/dockerlab-06-shared:/data",
                                  "/tmp/dockerlab-images/python.tar"])
def test_only_a_whole_path_of_the_checkout_or_a_temporary_folder_is_rewritten(text):
    from pathlib import Path

    from dockerlab.recording.codec import portable_text

    assert portable_text(text, Path("/work/wt18")) == text
    assert portable_text("/work/wt18/data/apps/x and /work/wt18", Path("/work/wt18")) == "data/apps/x and ."


def test_unknown_types_are_refused():
    with pytest.raises(dl.DockerlabError, match="Cannot record"):
        encode(object())


@pytest.fixture
def recorded_dir(tmp_path, monkeypatch):
    """An empty data/recorded/ and a course root in tmp_path, with a sample app folder."""
    app = tmp_path / "data" / "apps" / "demo"
    app.mkdir(parents=True)
    (app / "Dockerfile").write_text("FROM alpine:3.20\n")
    (app / "app.py").write_text("print('hi')\n")
    monkeypatch.setattr(recorder, "provenance",
                        lambda command="": {"recorded_at": "2026-11-28T10:00:00+00:00", "commit": "abc", "engine_version": "20.10.24", "os_arch": "linux/amd64",
                                            "stand_in_bases": ["alpine:3.20"], "format": 1})
    use(tmp_path)
    return tmp_path


def use(root):
    """A new session (it reads DOCKERLAB_MODE and DOCKERLAB_RECORD_TO) on the recordings under ``root``."""
    recording.reset(directory=root / "data" / "recorded", root=root)


calls = []


@recordable("demo.measure")
def measure(context, label: str, progress: bool = True):
    calls.append(label)
    return RunResult(label, "", 0, f"{label} run {len(calls)}", 0.01 * len(calls))


def record(root, monkeypatch, make):
    """Run ``make(app)`` live, recording into data/recorded/demo.json under ``root``. Returns (app, what
    ``make`` returned, the recording file)."""
    monkeypatch.setenv("DOCKERLAB_MODE", "live")
    target = root / "data" / "recorded" / "demo.json"
    monkeypatch.setenv("DOCKERLAB_RECORD_TO", str(target))
    use(root)
    app = root / "data" / "apps" / "demo"
    made = make(app)
    monkeypatch.delenv("DOCKERLAB_RECORD_TO")
    use(root)  # ends the recording session (each call was written as it returned)
    recorder.add_provenance(target, "test")
    return app, made, target


def record_two_runs(root, monkeypatch):
    app, (first, second), _ = record(root, monkeypatch, lambda app: (measure(app, "cold"), measure(app, "cold", progress=False)))
    return app, first, second


def replaying(root, monkeypatch):
    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
    use(root)


def test_recorded_calls_replay_in_order_without_running(recorded_dir, monkeypatch):
    app, first, second = record_two_runs(recorded_dir, monkeypatch)
    replaying(recorded_dir, monkeypatch)
    before = len(calls)
    assert measure(app, "cold") == first
    assert measure(app, "cold") == second  # the second time the same call is made, the second result
    assert measure(app, "cold") == second  # a cell run again replays the last one
    assert len(calls) == before, "recorded mode never runs the function"


def test_every_recording_file_has_provenance_and_the_mode_banner_says_where(recorded_dir, monkeypatch):
    record_two_runs(recorded_dir, monkeypatch)
    content = recording.recordings()["demo.json"]
    assert content["provenance"]["engine_version"] == "20.10.24"
    replaying(recorded_dir, monkeypatch)
    banner = dl.mode().describe()
    assert "recorded" in banner and "Docker 20.10.24 on linux/amd64" in banner and "stand-in bases for alpine:3.20" in banner
    assert "commit abc" in banner and "DOCKERLAB_MODE=live" in banner


def test_a_call_with_other_inputs_is_missing_and_says_so(recorded_dir, monkeypatch):
    app, _, _ = record_two_runs(recorded_dir, monkeypatch)
    replaying(recorded_dir, monkeypatch)
    with pytest.raises(RecordingMissing, match="demo.measure") as raised:
        measure(app, "warm")
    assert "no one has measured" in str(raised.value) and "recorded with other inputs" in str(raised.value)
    assert "Undo your change" in raised.value.fix and "Docker engine" in raised.value.fix
    # the inputs as the learner wrote them: the folder by its course path, no content hash, nothing cut mid-string
    assert "The cell asked for: data/apps/demo, 'warm'." in raised.value.message
    assert "(It was recorded with other inputs: data/apps/demo, 'cold'.)" in raised.value.message
    assert "content" not in raised.value.message and not any(len(word) >= 24 and word.isalnum() for word in raised.value.message.split())


def test_a_long_text_input_is_named_by_its_first_line_and_long_inputs_are_counted_not_cut():
    from dockerlab.recording.inputs import short

    dockerfile = "FROM python:3.11-slim\nWORKDIR /app\nCOPY greet.py .\nCMD [\"python\", \"greet.py\"]\n"
    described = {"arguments": [{"course path": "data/apps/greeter", "content": "f" * 64}, "Hello, Docker learner!"],
                 "keywords": {"dockerfile": dockerfile, "exercise": "02 · containerize the greeter"}}
    said = short(described)
    assert said == ("data/apps/greeter, 'Hello, Docker learner!', dockerfile=a text of 4 lines starting 'FROM python:3.11-slim', "
                    "exercise='02 · containerize the greeter'")
    assert short(described, limit=60) == "data/apps/greeter, 'Hello, Docker learner!', and 2 more"


def test_editing_a_file_of_the_context_makes_the_recording_stale_and_missing(recorded_dir, monkeypatch):
    app, _, _ = record_two_runs(recorded_dir, monkeypatch)
    assert recording.stale_recordings() == []
    (app / "Dockerfile").write_text("FROM alpine:3.20\nRUN echo changed\n")
    (app / "new.txt").write_text("x")
    stale = recording.stale_recordings()
    assert {(row["call"], row["file"], row["change"]) for row in stale} >= {
        ("demo.measure", "data/apps/demo/Dockerfile", "edited"),
        ("demo.measure", "data/apps/demo/new.txt", "added"),
    }
    replaying(recorded_dir, monkeypatch)
    with pytest.raises(RecordingMissing):
        measure(app, "cold")


def test_a_cell_as_recorded_whose_folder_changed_is_told_the_recording_is_stale_for_the_folder(recorded_dir, monkeypatch):
    app, _, _ = record_two_runs(recorded_dir, monkeypatch)
    (app / "app.py").write_text("print('changed')\n")
    (app / "new.txt").write_text("x")
    replaying(recorded_dir, monkeypatch)
    with pytest.raises(RecordingMissing) as raised:
        measure(app, "cold")  # the cell as recorded
    error = raised.value
    assert error.changed == [("data/apps/demo/app.py", "edited"), ("data/apps/demo/new.txt", "added")]
    assert "recorded with exactly these inputs" in error.message and "stale for this folder" in error.message
    assert "data/apps/demo/app.py edited, data/apps/demo/new.txt added" in error.message
    assert "Undo your change" not in error.fix and "no one has measured" not in error.message
    assert "restore data/apps/demo/app.py (`git checkout -- FILE` puts a file back) and remove data/apps/demo/new.txt" in error.fix
    assert "`git pull`" in error.fix
    with pytest.raises(RecordingMissing) as changed_cell:  # a cell the learner changed is still theirs to undo
        measure(app, "warm")
    assert not changed_cell.value.changed and "Undo your change" in changed_cell.value.fix


def test_on_binder_a_changed_folder_says_to_launch_the_course_again(recorded_dir, monkeypatch):
    app, _, _ = record_two_runs(recorded_dir, monkeypatch)
    (app / "app.py").unlink()
    replaying(recorded_dir, monkeypatch)
    monkeypatch.setenv("BINDER_REPO_URL", "https://example.org/course")
    with pytest.raises(RecordingMissing) as raised:
        measure(app, "cold")
    assert raised.value.changed == [("data/apps/demo/app.py", "deleted")]
    assert "launch the course again to get the files back" in raised.value.fix and "launch Binder again" in raised.value.fix
    assert "git" not in raised.value.fix


def test_forced_live_never_replays_and_a_bad_mode_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("DOCKERLAB_MODE", "live")
    recording.reset()
    assert dl.mode() == "live"
    monkeypatch.setenv("DOCKERLAB_MODE", "sometimes")
    recording.reset()
    with pytest.raises(dl.DockerlabError, match="not a mode"):
        dl.mode()


def test_no_engine_means_recorded(monkeypatch):
    monkeypatch.delenv("DOCKERLAB_MODE")
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    recording.reset()
    assert dl.mode() == "recorded"


# --- the course's own recordings ---------------------------------------------------------------


def test_the_course_recordings_are_fresh():
    stale = recording.stale_recordings()
    assert stale == [], "run `dockerlab record` for: " + "; ".join(f"{row['recording']} {row['call']} ({row['file']} {row['change']})" for row in stale[:10])


def test_the_course_recordings_have_provenance_and_stay_small():
    found = recording.recordings()
    assert found, "data/recorded/ is empty: run `dockerlab record`"
    for name, content in found.items():
        for field in ("recorded_at", "commit", "engine_version", "os_arch", "stand_in_bases"):
            assert field in content["provenance"], f"{name} lacks provenance field {field}"
    assert recorded_bytes() <= MAX_RECORDED_BYTES


def test_a_table_in_a_cell_of_a_table_survives():
    steps = pd.DataFrame({"instruction": ["FROM x", "RUN y"], "cached": [True, False], "seconds": [0.0, 1.5]})
    runs = pd.DataFrame({"dockerfile": ["deps first"], "run": [1], "step_detail": [steps]})
    back = roundtrip(runs)
    assert list(back["step_detail"].iloc[0]["instruction"]) == ["FROM x", "RUN y"]
    assert back["run"].dtype == runs["run"].dtype and back["step_detail"].iloc[0]["cached"].dtype == bool


# --- versions: of the file format, and of each call's result shape -----------------------------


def test_a_recording_of_another_format_is_stale_and_says_so(recorded_dir, monkeypatch):
    record_two_runs(recorded_dir, monkeypatch)
    target = recorded_dir / "data" / "recorded" / "demo.json"
    content = json.loads(target.read_text())
    content["format"] = 99
    target.write_text(json.dumps(content))
    replaying(recorded_dir, monkeypatch)
    with pytest.raises(recording.RecordingStale, match=r"results in demo.json were written by another version of the course \(format 99") as raised:
        recording.recordings()
    assert "dockerlab record" in raised.value.fix and "Nothing you did caused this" in raised.value.message
    assert "git pull" in raised.value.fix and "start a Docker engine" in raised.value.fix
    with pytest.raises(recording.RecordingStale):
        measure(recorded_dir / "data" / "apps" / "demo", "cold")


@pytest.mark.parametrize("written", [True, 1.0, "1"])
def test_a_format_that_only_compares_equal_is_another_format(recorded_dir, monkeypatch, written):
    """A verifier's break: `true` and `1.0` compare equal to format 1 in Python; a recording's format is the int."""
    record_two_runs(recorded_dir, monkeypatch)
    target = recorded_dir / "data" / "recorded" / "demo.json"
    content = json.loads(target.read_text())
    assert content["format"] == 1
    content["format"] = written
    target.write_text(json.dumps(content))
    replaying(recorded_dir, monkeypatch)
    with pytest.raises(recording.RecordingStale, match=r"another version of the course \(format"):
        recording.recordings()


@pytest.mark.parametrize("damage", ["cut short", "not a recording"])
def test_a_damaged_recording_is_a_course_error_not_a_json_traceback(recorded_dir, monkeypatch, damage):
    record_two_runs(recorded_dir, monkeypatch)
    target = recorded_dir / "data" / "recorded" / "demo.json"
    text = target.read_text()
    target.write_text(text[: len(text) // 2] if damage == "cut short" else json.dumps({"format": 1, "calls": [{"no": "key"}]}))
    replaying(recorded_dir, monkeypatch)
    with pytest.raises(recording.RecordingStale, match="demo.json") as raised:
        recording.recordings()
    assert raised.value.fix


def test_provenance_is_not_added_to_a_damaged_recording(recorded_dir):
    target = recorded_dir / "data" / "recorded" / "cut.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text('{"format": 1, "calls": [{"call": "x"')
    with pytest.raises(recording.RecordingStale, match="cut.json"):
        recorder.add_provenance(target, "dockerlab record --only cut")
    assert target.read_text() == '{"format": 1, "calls": [{"call": "x"'


@pytest.mark.parametrize("damage", ["a type that is not the course's", "fields missing", "inputs missing"])
def test_a_damaged_entry_is_stale_or_missing_never_a_raw_error(recorded_dir, monkeypatch, damage):
    app, _, _ = record_two_runs(recorded_dir, monkeypatch)
    target = recorded_dir / "data" / "recorded" / "demo.json"
    content = json.loads(target.read_text())
    for entry in content["calls"]:
        if damage == "inputs missing":
            del entry["inputs"]
        else:
            entry["result"] = ({"__dataclass__": "dockerlab.no_such_module.Thing", "fields": {}} if damage.startswith("a type")
                               else {"__dataclass__": entry["result"]["__dataclass__"]})
    target.write_text(json.dumps(content))
    replaying(recorded_dir, monkeypatch)
    with pytest.raises(recording.RecordingStale, match=r"demo\.json, entry 0 \(demo\.measure\)"):  # the file and the entry
        measure(app, "warm" if damage == "inputs missing" else "cold")


def test_a_recording_file_is_written_whole_or_not_at_all(tmp_path):
    from dockerlab.recording.store import read_file, write_file

    target = tmp_path / "x.json"
    write_file(target, {"format": 1, "calls": []})
    assert read_file(target) == {"format": 1, "calls": []} and [path.name for path in tmp_path.iterdir()] == ["x.json"]


def test_a_changed_result_version_names_the_call(recorded_dir, monkeypatch):
    app, _, _ = record_two_runs(recorded_dir, monkeypatch)
    monkeypatch.setitem(recording.VERSIONS, "demo.measure", 2)
    stale = recording.stale_recordings()
    assert [(row["call"], row["change"]) for row in stale] == [("demo.measure", "version 1 recorded, 2 now")] * 2

    @recordable("demo.measure", version=2)
    def measure_v2(context, label, progress=True):
        raise AssertionError("recorded mode never runs the function")

    replaying(recorded_dir, monkeypatch)
    with pytest.raises(recording.RecordingStale, match="demo.measure"):
        measure_v2(app, "cold")


RENAMED = columns.Table("demo row", (columns.Column("image", "str", "a name"),
                                     columns.Column("stand_in", "bool", "a flag", formerly=("stand-in",))))


@recordable("demo.table")
@columns.declares(RENAMED)
def demo_table(context, flag: bool):
    return RENAMED.frame([("alpine:3.20", flag)])


def test_a_table_recorded_under_a_former_column_key_replays_with_todays(recorded_dir, monkeypatch):
    app, _, target = record(recorded_dir, monkeypatch, lambda app: demo_table(app, True))
    content = json.loads(target.read_text())
    content["calls"][0]["result"]["columns"] = ["image", "stand-in"]  # as an earlier course recorded it
    target.write_text(json.dumps(content))
    replaying(recorded_dir, monkeypatch)
    table = demo_table(app, True)
    assert list(table.columns) == ["image", "stand_in"] and bool(table["stand_in"].iloc[0])


class Holder:
    """A stateful object with a `with` block of its own."""

    def __init__(self):
        self.log = []

    def __enter__(self):
        self.log.append("enter")
        return self

    def __exit__(self, kind, error, traceback):
        self.log.append(("exit", kind.__name__ if kind else None))

    def ping(self):
        return "pong"


holders = []


@recordable("demo.holder", stateful=True)
def holder():
    holders.append(Holder())
    return holders[-1]


def test_with_forwards_to_the_object_and_replays(recorded_dir, monkeypatch):
    monkeypatch.setenv("DOCKERLAB_MODE", "live")
    monkeypatch.setenv("DOCKERLAB_RECORD_TO", str(recorded_dir / "data" / "recorded" / "demo.json"))
    use(recorded_dir)
    with holder() as held:
        assert held.ping() == "pong"
    with pytest.raises(ValueError), holder():
        raise ValueError("inside")
    assert holders[-2].log == ["enter", ("exit", None)] and holders[-1].log == ["enter", ("exit", "ValueError")]
    monkeypatch.delenv("DOCKERLAB_RECORD_TO")
    use(recorded_dir)
    recorder.add_provenance(recorded_dir / "data" / "recorded" / "demo.json", "test")
    replaying(recorded_dir, monkeypatch)
    before = len(holders)
    with holder() as held:
        assert held.ping() == "pong"
    with pytest.raises(ValueError), holder():
        raise ValueError("inside")
    assert len(holders) == before


def test_mode_is_hashable():
    assert len({dl.mode(), dl.mode()}) == 1


class Suppressing(Holder):
    """A `with` object that says it handled what went wrong in its block (its ``__exit__`` returns True)."""

    def __exit__(self, kind, error, traceback):
        super().__exit__(kind, error, traceback)
        return True


@recordable("demo.suppressing", stateful=True)
def suppressing():
    return Suppressing()


def test_what_the_objects_exit_returns_is_what_the_with_block_sees(recorded_dir, monkeypatch):
    def block():
        with suppressing():
            raise ValueError("handled by the object itself")
        return "went on"

    _, made, _ = record(recorded_dir, monkeypatch, lambda app: block())
    assert made == "went on"
    replaying(recorded_dir, monkeypatch)
    assert block() == "went on"  # the same error in the same block: the recorded exit handles it again


def test_the_learners_own_error_in_a_replayed_with_block_is_raised_as_itself(recorded_dir, monkeypatch):
    def block(typo):
        with holder() as held:
            held.ping()
            if typo:
                undefined_name  # noqa: B018, F821  (the learner's typo)

    def handled(typo):
        with suppressing():
            if typo:
                undefined_name  # noqa: B018, F821

    record(recorded_dir, monkeypatch, lambda app: (block(False), handled(False)))
    replaying(recorded_dir, monkeypatch)
    block(False)
    with pytest.raises(NameError, match="undefined_name"):
        block(True)
    with pytest.raises(NameError):  # a recorded object never handles an error it was not recorded with
        handled(True)


# --- a replayed table is read against the table its function declares, like a live one ----------


def test_a_replayed_table_whose_columns_differ_from_its_declaration_is_stale(recorded_dir, monkeypatch):
    app, _, target = record(recorded_dir, monkeypatch, lambda app: demo_table(app, True))
    content = json.loads(target.read_text())
    content["calls"][0]["result"]["columns"] = ["image", "is_standin"]  # renamed in a recording, its version unchanged
    target.write_text(json.dumps(content))
    replaying(recorded_dir, monkeypatch)
    with pytest.raises(recording.RecordingStale, match=r"demo\.table") as raised:
        demo_table(app, True)
    assert "is_standin" in raised.value.found and "stand_in" in raised.value.expected


class TableHolder:
    """A stateful object with a method that returns a declared table."""

    @columns.declares(RENAMED)
    def table(self):
        return RENAMED.frame([("alpine:3.20", True)])


@recordable("demo.tableholder", stateful=True)
def table_holder() -> TableHolder:
    return TableHolder()


@pytest.mark.parametrize("recorded_as", [["image", "stand-in"], ["image", "is_standin"]])
def test_a_table_a_recorded_object_returns_is_read_against_its_methods_declaration(recorded_dir, monkeypatch, recorded_as):
    _, _, target = record(recorded_dir, monkeypatch, lambda app: table_holder().table())
    content = json.loads(target.read_text())
    for entry in content["calls"]:
        if entry["call"] == "demo.tableholder.table":
            entry["result"]["columns"] = recorded_as
    target.write_text(json.dumps(content))
    replaying(recorded_dir, monkeypatch)
    if "stand-in" in recorded_as:  # the declared former key: today's key
        assert list(table_holder().table().columns) == ["image", "stand_in"]
    else:
        with pytest.raises(recording.RecordingStale, match=r"demo\.tableholder\.table"):
            table_holder().table()


DAMAGES = {
    "provenance a string": lambda content: (content.pop("format"), content.update(provenance="x")),
    "format a list": lambda content: content.update(format=[1]),
    "headlines a list": lambda content: content.update(headlines=["x"]),
    "a call that is a list": lambda content: content["calls"][0].update(call=["demo.measure"]),
    "a key that is a number": lambda content: content["calls"][0].update(key=7),
    "occurrences of mixed types": lambda content: content["calls"][1].update(occurrence="1"),
    "a version that is a string": lambda content: content["calls"][0].update(version="1"),
    "inputs that are a string": lambda content: content["calls"][0].update(inputs="x"),
    "a builder that is a number": lambda content: content["provenance"].update(builder=3),
    "provenance text that is null": lambda content: content["provenance"].update(recorded_at=None, commit=None, engine_version=None),
    "raised over a plain result": lambda content: content["calls"][0].update(raised=True),
    "raised that is a string": lambda content: content["calls"][0].update(raised="no"),
    "inputs that are empty": lambda content: content["calls"][0].update(inputs={}),
    "inputs without files": lambda content: content["calls"][0]["inputs"].pop("files"),
    "a result missing": lambda content: content["calls"][0].pop("result"),
    "a headline that is a string": lambda content: content.update(headlines={"x": "y"}),
    "a headline that is empty": lambda content: content.update(headlines={"x": {}}),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_recording_with_a_field_of_the_wrong_type_is_stale_and_names_the_file(recorded_dir, monkeypatch, damage):
    app, _, _ = record_two_runs(recorded_dir, monkeypatch)
    target = recorded_dir / "data" / "recorded" / "demo.json"
    content = json.loads(target.read_text())
    DAMAGES[damage](content)
    target.write_text(json.dumps(content))
    replaying(recorded_dir, monkeypatch)
    with pytest.raises(recording.RecordingStale, match="demo.json"):
        recording.recordings()
    assert dl.mode().describe().startswith("Mode: recorded"), "the banner of every notebook shows (only a damaged file's calls fail)"
    with pytest.raises(recording.RecordingStale, match="demo.json"):
        measure(app, "cold")
    with pytest.raises(recording.RecordingStale, match="demo.json"):
        recording.stale_recordings()


def test_a_stateful_result_that_is_not_a_recorded_object_is_stale_and_names_the_file_and_entry(recorded_dir, monkeypatch):
    _, _, target = record(recorded_dir, monkeypatch, lambda app: holder().ping())
    content = json.loads(target.read_text())
    assert content["calls"][0]["call"] == "demo.holder"
    content["calls"][0]["result"] = "a container"  # a stateful call's recorded object, replaced by a str
    target.write_text(json.dumps(content))
    replaying(recorded_dir, monkeypatch)
    with pytest.raises(recording.RecordingStale, match=r"demo\.json, entry 0 \(demo\.holder\)") as raised:
        holder()
    assert "a str where the call returns an object" in raised.value.found and raised.value.fix


def test_a_recorded_error_that_decodes_to_no_course_error_is_stale(recorded_dir, monkeypatch):
    app, _, _ = record_two_runs(recorded_dir, monkeypatch)
    target = recorded_dir / "data" / "recorded" / "demo.json"
    content = json.loads(target.read_text())
    content["calls"][0].update(raised=True, result={"__exception__": "dockerlab.containers.RunResult", "state": {"__pairs__": []}, "args": {"__tuple__": []}})
    target.write_text(json.dumps(content))
    replaying(recorded_dir, monkeypatch)
    with pytest.raises(recording.RecordingStale, match=r"demo\.json, entry 0 \(demo\.measure\)"):
        measure(app, "cold")


SIZED = columns.Table("demo sized row", (columns.Column("image", "str", "a name"), columns.Column("size", "int", "its size", "bytes")))


@recordable("demo.sized")
@columns.declares(SIZED)
def demo_sized(context):
    return SIZED.frame([("alpine:3.20", 7_000_000), ("python:3.11", 1_000_000_000)])


def _damage_table(target, change):
    content = json.loads(target.read_text())
    change(content["calls"][0])
    target.write_text(json.dumps(content))


@pytest.mark.parametrize("damage", ["a str for the table", "a list of rows for the table", "text in a number column",
                                    "a number in a text column"])
def test_a_replayed_table_of_another_kind_or_dtype_family_is_stale(recorded_dir, monkeypatch, damage):
    app, table, target = record(recorded_dir, monkeypatch, lambda app: demo_sized(app))
    replaying(recorded_dir, monkeypatch)
    pd.testing.assert_frame_equal(demo_sized(app), table)  # undamaged, it replays as it was
    _damage_table(target, {
        "a str for the table": lambda entry: entry.update(result="image size"),
        "a list of rows for the table": lambda entry: entry.update(result=[["alpine:3.20", 7]]),
        "text in a number column": lambda entry: entry["result"]["__dataframe__"][1].__setitem__(1, "1 GB"),
        "a number in a text column": lambda entry: entry["result"]["__dataframe__"][0].__setitem__(0, 3.2),
    }[damage])
    replaying(recorded_dir, monkeypatch)
    with pytest.raises(recording.RecordingStale, match=r"demo\.json, entry 0 \(demo\.sized\)") as raised:
        demo_sized(app)
    assert ("table" in raised.value.found) and raised.value.fix


def test_missing_values_fit_any_declared_column():
    frame = SIZED.frame([("alpine:3.20", None), (None, 5)])
    assert SIZED.family_problem(frame) is None
    assert "size is declared int but holds str" in SIZED.family_problem(SIZED.frame([("alpine:3.20", "5 MB")]))


# --- which types a recording may name (a verifier's break: `dockerlabx`, `dockerlab.__main__`) ----------------


@pytest.mark.parametrize("named", ["dockerlabx.containers.RunResult", "dockerlab_other.RunResult", "dockerlab.__main__.main",
                                   "dockerlab.cli.main", "dockerlab.recording.store.Store", "dockerlab.no_such_module.Thing",
                                   "dockerlab.containers.NoSuchThing", "dockerlab.containers.run", "pathlib.Path", "RunResult", 7])
def test_a_recorded_object_is_only_ever_a_course_dataclass(named, monkeypatch):
    import sys

    monkeypatch.setattr(sys, "argv", ["dockerlab", "doctor"])  # what importing dockerlab.__main__ would run
    monkeypatch.delitem(sys.modules, "dockerlab.__main__", raising=False)
    with pytest.raises(dl.DockerlabError, match="dockerlab record") as raised:
        decode({"__dataclass__": named, "fields": {}})
    assert repr(named) in str(raised.value)
    assert "dockerlab.__main__" not in sys.modules, "reading a recording imported dockerlab.__main__, which runs the CLI"


@pytest.mark.parametrize("named", ["dockerlab.containers.RunResult", "dockerlab.errors.TextCannotSettle", "builtins.ValueError",
                                   "dockerlabx.errors.BuildFailed", "dockerlab.__main__.BuildFailed"])
def test_a_recorded_error_is_only_ever_a_course_error(named):
    with pytest.raises(dl.DockerlabError, match="dockerlab record") as raised:
        decode({"__exception__": named, "state": {"__pairs__": []}, "args": {"__tuple__": []}})
    assert f"names the type {named!r} for a course error" in str(raised.value)


def test_a_course_dataclass_and_error_still_decode():
    assert isinstance(decode({"__exception__": "dockerlab.errors.BuildFailed", "state": {"__pairs__": []}, "args": {"__tuple__": []}}), BuildFailed)
    assert isinstance(decode({"__dataclass__": "dockerlab.containers.RunResult", "fields": {}}), RunResult)


@recordable("demo.typed")
def typed_measure(context, label: str) -> RunResult:
    return RunResult(label, "", 0, f"{label} ran", 0.01)


def test_a_replayed_result_of_another_class_than_the_call_returns_is_stale(recorded_dir, monkeypatch):
    app, _, target = record(recorded_dir, monkeypatch, lambda app: typed_measure(app, "cold"))
    replaying(recorded_dir, monkeypatch)
    assert typed_measure(app, "cold") == RunResult("cold", "", 0, "cold ran", 0.01)
    content = json.loads(target.read_text())
    content["calls"][0]["result"] = encode(CheckResult("x", True, ["a course dataclass, but not a RunResult"]))
    target.write_text(json.dumps(content))
    replaying(recorded_dir, monkeypatch)
    with pytest.raises(recording.RecordingStale, match=r"demo\.json, entry 0 \(demo\.typed\)") as raised:
        typed_measure(app, "cold")
    assert "a CheckResult where the call returns a RunResult" in raised.value.found and "dockerlab record" in raised.value.fix


# --- one damaged file fails its own notebook, not every notebook (a verifier's break) -----------------------


@recordable("demo.other")
def other_notebook(label: str) -> RunResult:
    return RunResult(label, "", 0, f"{label} from the other notebook", 0.02)


DAMAGED_FILES = {
    "not JSON": lambda text: "this is not JSON {",
    "cut short": lambda text: text[: len(text) // 2],
    "another format": lambda text: json.dumps({**json.loads(text), "format": 99}),
}


@pytest.mark.parametrize("damage", DAMAGED_FILES)
def test_one_damaged_recording_fails_only_its_own_notebook(recorded_dir, monkeypatch, damage):
    _, first, written = record(recorded_dir, monkeypatch, lambda app: other_notebook("x"))
    written.rename(written.with_name("other.json"))
    app, _, damaged = record(recorded_dir, monkeypatch, lambda app: measure(app, "cold"))
    damaged.write_text(DAMAGED_FILES[damage](damaged.read_text()))
    replaying(recorded_dir, monkeypatch)
    assert other_notebook("x") == first, "a whole notebook's recording replays beside a damaged one"
    assert dl.mode().describe().startswith("Mode: recorded") and recording.session().store.provenance()
    with pytest.raises(recording.RecordingStale, match=r"demo\.json") as raised:  # the damaged notebook: its file named
        measure(app, "cold")
    assert "other.json" not in str(raised.value) and "dockerlab record" in raised.value.fix
    with pytest.raises(recording.RecordingStale, match=r"demo\.json"):  # the maintainers' readers still refuse it
        recording.stale_recordings()
    if damage != "not JSON":  # the damaged file still names its calls: a call it does not hold is missing, as before
        with pytest.raises(RecordingMissing):
            other_notebook("never recorded")
    else:  # nothing of it can be read: it may hold any call, so stale names it
        with pytest.raises(recording.RecordingStale, match=r"demo\.json"):
            other_notebook("never recorded")
