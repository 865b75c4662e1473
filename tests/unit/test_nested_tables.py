"""Tables kept inside a recorded result (a course object's field, a column of tables) are declared once
(dockerlab.columns: table_field + holds_tables, Column.holds) and replayed through their declarations as a
returned table is: a former key renamed, a missing column a RecordingStale naming the call and the file."""
import copy
import dataclasses
import importlib
import json
import pkgutil
import typing
from pathlib import Path

import pandas as pd
import pytest

import dockerlab
from dockerlab import columns, recording
from dockerlab.errors import RecordingStale, TableMismatch
from dockerlab.paths import COURSE_ROOT
from dockerlab.recording import decode
from dockerlab.recording.decorator import _as_declared, returned_class
from dockerlab.security import ScanResult
from dockerlab.waste import WastedSpace

RECORDED = Path(__file__).parents[2] / "data" / "recorded"

# Dataclass fields typed loosely enough to hold a DataFrame, and why each never holds one: a new such
# field has to be declared a table (table_field) or listed here with its reason.
NOT_TABLES = {
    ("dockerlab.archive", "LayerBlob", "stream"): "an open file object over a layer's bytes",
    ("dockerlab.engine", "ConnectionTarget", "tls"): "docker-py's TLSConfig, or None",
    ("dockerlab.exercises.catalogue", "Exercise", "checker"): "a function",
    ("dockerlab.layerfs", "LayerFiles", "examined"): "a dict of paths to what the examiner returned",
}


def modules():
    for module in pkgutil.walk_packages(dockerlab.__path__, "dockerlab."):
        if not module.name.endswith("__main__"):  # running it runs the CLI
            yield importlib.import_module(module.name)


def course_dataclasses() -> list[type]:
    found = {}
    for module in modules():
        for value in vars(module).values():
            if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__.startswith("dockerlab"):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return list(found.values())


def could_hold_a_table(annotation: typing.Any) -> bool:
    """Whether a field's annotation (a string under `from __future__ import annotations`, else the type) lets it hold a DataFrame."""
    if not isinstance(annotation, str):
        annotation = getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")
    words = annotation.replace("|", " ").replace("[", " ").replace("]", " ").replace(",", " ").split()
    return "DataFrame" in annotation or "pd.DataFrame" in words or any(word in ("object", "Any", "typing.Any") for word in words)


def test_every_course_object_that_can_hold_a_table_declares_it():
    """Enumerated from the package: a dataclass field typed DataFrame, object or Any is a declared table
    field of a class marked holds_tables, or listed in NOT_TABLES with why it never holds one."""
    holders, loose = {}, set()
    for kind in course_dataclasses():
        for field in dataclasses.fields(kind):
            place = (kind.__module__, kind.__qualname__, field.name)
            if "table" in field.metadata:
                assert getattr(kind, "__tables__", {}).get(field.name) is field.metadata["table"], f"{place}: its class is not marked holds_tables"
                holders[place] = field.metadata["table"]
            elif could_hold_a_table(field.type):
                loose.add(place)
    assert loose == set(NOT_TABLES), "declare the field with columns.table_field (and @holds_tables), or list it in NOT_TABLES with why"
    assert holders == {("dockerlab.waste", "WastedSpace", "offenders"): columns.WASTED,
                       ("dockerlab.security", "ScanResult", "vulnerabilities"): columns.VULNERABILITIES}


def test_a_column_of_tables_names_the_table_its_cells_hold():
    declared = [column for table in vars(columns).values() if isinstance(table, columns.Table) for column in table.columns]
    assert all((column.dtype == "table") == (column.holds is not None) for column in declared)
    assert columns.CACHE_BUILDS.columns[columns.CACHE_BUILDS.keys.index("step_detail")].holds is columns.STEPS


def declared_calls() -> dict[str, typing.Any]:
    """Recorded call name -> the function (or method of a stateful call's class) replay reads it through."""
    found = {}
    for module in modules():
        for value in vars(module).values():
            call = getattr(value, "__recorded_call__", None)
            if call:
                found[call] = value.__wrapped__
                for name, member in vars(returned_class(value) or object).items():
                    if callable(member):
                        found[f"{call}.{name}"] = member
    return found


def frames_in(value, place: str, declared: typing.Any):
    """(place, declaration) for each encoded table inside an encoded result; ``declared`` is the table
    declared at this place (None: none is)."""
    if isinstance(value, list):
        for item in value:
            yield from frames_in(item, place, None)
    elif isinstance(value, dict) and "__dataframe__" in value:
        yield place, declared
        holding = {name: column.holds for column in (declared.columns if declared is not None else ())
                   for name in (column.key, *column.formerly)}  # a column recorded under a former key holds the same
        keys = value["columns"]
        for row in value["__dataframe__"]:
            for key, cell in zip(keys, row, strict=True):
                yield from frames_in(cell, f"{place}[{key}]", holding.get(key))
    elif isinstance(value, dict) and "__dataclass__" in value:
        module, _, name = value["__dataclass__"].rpartition(".")
        tables = getattr(getattr(importlib.import_module(module), name), "__tables__", {})
        for field, item in value["fields"].items():
            yield from frames_in(item, f"{name}.{field}", tables.get(field))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from frames_in(item, f"{place}/{key}", None)


def recorded_entries():
    for file in sorted(RECORDED.glob("*.json")):
        for number, entry in enumerate(json.loads(file.read_text())["calls"]):
            if not entry["raised"]:
                yield file.name, number, entry


def test_every_table_in_the_recordings_is_at_a_declared_place():
    """Every DataFrame a recording holds, at any depth, is a declared table: the call's own, a declared
    field of a course object, or a column of tables. A new kind of holder fails here before it ships."""
    calls = declared_calls()
    undeclared, nested = [], 0
    for file, number, entry in recorded_entries():
        function = calls.get(entry["call"])
        top = getattr(function, "__table__", None)
        for place, table in frames_in(entry["result"], entry["call"], top):
            nested += place != entry["call"]
            if table is None:
                undeclared.append(f"{file}, entry {number}: {place}")
    assert undeclared == []
    assert nested >= 49  # 06's offenders and 03's 48 step tables


def test_every_recording_replays_through_its_declarations():
    """As replay reads each result (decorator._as_declared): every recorded table, nested ones too, has
    today's columns."""
    calls = declared_calls()
    nested = 0
    for file, number, entry in recorded_entries():
        replayed = _as_declared(f"{file}, entry {number}", calls.get(entry["call"]), decode(entry["result"]))
        if isinstance(replayed, WastedSpace):
            assert list(replayed.offenders.columns) == columns.WASTED.keys
            nested += 1
        if entry["call"] == "experiments.layer_cache":
            assert all(list(cell.columns) == columns.STEPS.keys for cell in replayed["step_detail"])
            nested += len(replayed)
    assert nested >= 49


def with_former_key(table: columns.Table, key: str, former: str) -> columns.Table:
    """``table`` as it reads after renaming ``former`` to ``key`` (the column keeps ``former``)."""
    return columns.Table(table.name, tuple(
        dataclasses.replace(column, formerly=(former,)) if column.key == key else column for column in table.columns))


def copy_of_recordings(tmp_path: Path, file: str, call: str, edit) -> Path:
    """data/recorded/ in tmp_path, ``edit`` applied to each encoded result of ``call`` in ``file``."""
    for found in RECORDED.glob("*.json"):
        content = json.loads(found.read_text())
        if found.name == file:
            for entry in content["calls"]:
                if entry["call"] == call:
                    edit(entry["result"])
        (tmp_path / found.name).write_text(json.dumps(content))
    return tmp_path


def rename_column(encoded: dict, key: str, to: str) -> None:
    encoded["columns"] = [to if column == key else column for column in encoded["columns"]]


def drop_column(encoded: dict, key: str) -> None:
    at = encoded["columns"].index(key)
    for part in ("columns", "dtypes"):
        del encoded[part][at]
    encoded["__dataframe__"] = [row[:at] + row[at + 1:] for row in encoded["__dataframe__"]]


@pytest.fixture
def replaying(monkeypatch):
    """Replay the recordings in a folder (recorded mode, the course's own files as inputs)."""
    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")

    def use(directory: Path) -> None:
        recording.reset(directory=directory, root=COURSE_ROOT)

    yield use
    recording.reset()


def test_an_offenders_table_recorded_under_a_former_key_replays_under_todays(tmp_path, monkeypatch, replaying):
    """06's wasted_space, recorded before a (pretend) rename of removed_by: the object comes back with today's key."""
    monkeypatch.setattr(WastedSpace, "__tables__", {"offenders": with_former_key(columns.WASTED, "removed_by", "removed by")})
    replaying(copy_of_recordings(tmp_path, "06_security.json", "wasted_space",
                                 lambda result: rename_column(result["fields"]["offenders"], "removed_by", "removed by")))
    waste = dockerlab.wasted_space("dockerlab-security/report:rm-later")
    assert list(waste.offenders.columns) == columns.WASTED.keys
    assert "/app/.env" in set(waste.offenders["path"]) and waste.offenders["removed_by"].str.len().min() > 0


def test_an_offenders_table_missing_a_declared_column_is_refused_naming_the_call_and_the_file(tmp_path, replaying):
    replaying(copy_of_recordings(tmp_path, "06_security.json", "wasted_space", lambda result: drop_column(result["fields"]["offenders"], "why")))
    with pytest.raises(RecordingStale, match=r"06_security\.json, entry \d+ \(wasted_space\)") as raised:
        dockerlab.wasted_space("dockerlab-security/report:rm-later")
    assert "(offenders) with columns ['path', 'wasted', 'change', 'written_by', 'removed_by']" in str(raised.value)
    assert "'why'" in str(raised.value)  # what it declares now


def layer_cache_runs():
    return dockerlab.experiments.layer_cache(COURSE_ROOT / "data" / "apps" / "layer-cache",
                                             {"deps first": "Dockerfile", "code first": "code-first.Dockerfile"}, builders=["buildkit", "classic"])


def test_a_step_table_recorded_under_a_former_key_replays_under_todays(tmp_path, monkeypatch, replaying):
    """03's layer_cache keeps each build's step table in a column: a (pretend) rename of its cached column replays."""
    renamed = columns.Table(columns.CACHE_BUILDS.name, tuple(
        dataclasses.replace(column, holds=with_former_key(columns.STEPS, "cached", "from cache")) if column.holds else column
        for column in columns.CACHE_BUILDS.columns))
    monkeypatch.setattr(dockerlab.experiments.layer_cache.__wrapped__, "__table__", renamed)

    def rename_in_every_step_table(result):
        at = result["columns"].index("step_detail")
        for row in result["__dataframe__"]:
            rename_column(row[at], "cached", "from cache")

    replaying(copy_of_recordings(tmp_path, "03_layer_caching.json", "experiments.layer_cache", rename_in_every_step_table))
    runs = layer_cache_runs()
    assert len(runs) == 48 and all(list(steps.columns) == columns.STEPS.keys for steps in runs["step_detail"])
    assert runs["step_detail"].iloc[1]["cached"].dtype == bool


def test_a_step_table_missing_a_declared_column_is_refused_naming_the_call_the_file_and_the_row(tmp_path, replaying):
    def drop_in_row_5(result):
        drop_column(result["__dataframe__"][5][result["columns"].index("step_detail")], "seconds")

    replaying(copy_of_recordings(tmp_path, "03_layer_caching.json", "experiments.layer_cache", drop_in_row_5))
    with pytest.raises(RecordingStale, match=r"03_layer_caching\.json, entry \d+ \(experiments\.layer_cache\)") as raised:
        layer_cache_runs()
    assert "(step_detail of row 5) with columns" in str(raised.value)


def test_a_scan_without_vulnerabilities_replays_and_one_with_a_table_of_other_columns_is_stale():
    recorded = next(entry for _, _, entry in recorded_entries() if entry["call"] == "security.scan")
    assert _as_declared("06", None, decode(recorded["result"])).vulnerabilities is None  # trivy was not there: no table, and none declared needed
    damaged = copy.deepcopy(recorded["result"])
    damaged["fields"]["vulnerabilities"] = dockerlab.recording.encode(pd.DataFrame({"id": ["CVE-1"]}))
    with pytest.raises(RecordingStale, match=r"\(vulnerabilities\) with columns \['id'\]"):
        _as_declared("06_security.json, entry 29 (security.scan)", None, decode(damaged))


def test_a_table_field_is_checked_when_the_object_is_made():
    with pytest.raises(TableMismatch, match=r"WastedSpace\.offenders"):
        WastedSpace("x", 1, 1, 1.0, columns.SBOM.frame([]))
    with pytest.raises(TableMismatch, match="not a table"):
        WastedSpace("x", 1, 1, 1.0, [])
    assert ScanResult("x", False).vulnerabilities is None
    with pytest.raises(TableMismatch, match=r"ScanResult\.vulnerabilities"):
        ScanResult("x", True, pd.DataFrame({"id": ["CVE-1"]}))


def test_a_column_of_tables_is_checked_when_its_table_is_made():
    row = ("buildkit", "deps first", "x:1", "cold", "cold build", 1, 1.0, 1, 1, [], columns.SBOM.frame([]))
    with pytest.raises(TableMismatch, match="step_detail of row 0"):
        columns.CACHE_BUILDS.check(columns.CACHE_BUILDS.frame([row]), "layer_cache")
    columns.CACHE_BUILDS.check(columns.CACHE_BUILDS.frame([row[:-1] + (None,)]), "layer_cache")  # an empty cell is fine


def test_a_field_recorded_before_it_existed_still_reads_its_default_after_replay():
    """Replay sets only the fields it adopted: 06's wasted_space without dive_bytes (recorded before it was kept) reads 0."""
    recorded = copy.deepcopy(next(entry for _, _, entry in recorded_entries() if entry["call"] == "wasted_space")["result"])
    del recorded["fields"]["dive_bytes"]
    replayed = _as_declared("06_security.json, entry 35 (wasted_space)", None, decode(recorded))
    assert "dive_bytes" not in vars(replayed) and replayed.dive_bytes == 0 and list(replayed.offenders.columns) == columns.WASTED.keys


def test_a_step_table_whose_cached_column_holds_text_is_refused_not_read_as_true(tmp_path, replaying):
    """A verifier's break: astype(bool) made any text True, so `cached` recorded as "no" replayed as True."""
    def text_in_row_5(result):
        steps = result["__dataframe__"][5][result["columns"].index("step_detail")]
        at = steps["columns"].index("cached")
        for row in steps["__dataframe__"]:
            row[at] = "no"

    replaying(copy_of_recordings(tmp_path, "03_layer_caching.json", "experiments.layer_cache", text_in_row_5))
    with pytest.raises(RecordingStale, match=r"03_layer_caching\.json, entry \d+ \(experiments\.layer_cache\)") as raised:
        layer_cache_runs()
    assert "(step_detail of row 5)" in str(raised.value) and "column cached is declared bool but holds str 'no'" in str(raised.value)
