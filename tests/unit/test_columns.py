"""Each table's columns are declared once (dockerlab.columns): the code builds the table from the
declaration, the docstring lists it, and what the recordings hold has exactly those columns."""
import importlib
import json
import pkgutil
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import dockerlab
from dockerlab import columns, recording, tables
from dockerlab.paths import COURSE_ROOT
from dockerlab.recording import decode
from dockerlab.recording.decorator import _as_declared, returned_class

RECORDED = Path(__file__).parents[2] / "data" / "recorded"


def modules():
    for module in pkgutil.walk_packages(dockerlab.__path__, "dockerlab."):
        if not module.name.endswith("__main__"):  # running it runs the CLI
            yield importlib.import_module(module.name)


def declared_calls() -> dict[str, columns.Table]:
    """Recorded call name -> the table its function declares; for the object a stateful call returns (a
    container, a registry, a Compose project), ``call.method`` -> the table its method declares."""
    found = {}
    for module in modules():
        for value in vars(module).values():
            call, table = getattr(value, "__recorded_call__", None), getattr(value, "__table__", None)
            if call and table:
                found[call] = table
            for name, member in vars(returned_class(value) or object).items() if call else ():
                if getattr(member, "__table__", None) is not None:
                    found[f"{call}.{name}"] = member.__table__
    return found


def recorded_results():
    for file in sorted(RECORDED.glob("*.json")):
        for entry in json.loads(file.read_text())["calls"]:
            if not entry.get("raised"):
                yield file.stem, entry["call"], entry


def test_the_main_tables_are_declared():
    assert {"layers", "dockerfile_layers", "compare", "diff", "security.audit", "security.find_secrets", "security.sbom"} <= set(declared_calls())


def test_the_tables_of_recorded_objects_are_declared_too():
    """Replay reads a container's, a registry's and a Compose project's tables through their methods'
    declarations: each stateful call names the class it returns."""
    assert {"start.diff", "registry.local_registry.manifest", "compose.project.ps"} <= set(declared_calls())
    stateful = [value for module in modules() for value in vars(module).values() if getattr(value, "__recorded_stateful__", False)]
    assert len(stateful) >= 3 and all(returned_class(value) is not None for value in stateful), stateful


def test_every_recorded_table_has_exactly_the_declared_columns():
    """As replay reads them: through the declaration, a column recorded under an earlier key renamed."""
    declared = declared_calls()
    checked = 0
    for notebook, call, entry in recorded_results():
        if call in declared:
            result = decode(entry["result"])
            if isinstance(result, pd.DataFrame):
                assert declared[call].matches(declared[call].adopt(result).columns), f"{notebook}: {call}"
                assert declared[call].family_problem(declared[call].adopt(result)) is None, f"{notebook}: {call}"
                checked += 1
    assert checked >= 10  # the course's recordings hold many of them


def test_each_declaring_function_lists_its_columns_in_its_docstring():
    assert columns.TABLES and len(_declaring_functions()) >= len({id(t) for t in columns.TABLES.values()})
    for function in _declaring_functions():
        text = " ".join((function.__doc__ or "").split())
        assert "{columns}" not in text, function
        for column in function.__table__.columns:
            assert f"{column.key} ({column.dtype}" in text, (function, column.key)


def _declaring_functions():
    seen = []
    for module in modules():
        for value in vars(module).values():
            members = vars(value).values() if isinstance(value, type) else ()
            candidates = [value] + [member.fget if isinstance(member, property) else member for member in members]
            for candidate in candidates:
                if getattr(candidate, "__table__", None) is not None and candidate not in seen:
                    seen.append(candidate)
    return seen


def test_units_declared_are_the_units_shown():
    for table in {id(t): t for t in columns.TABLES.values()}.values():
        for column in table.columns:
            shown = tables.unit_in(column.key, table.keys)
            if column.unit == "bytes":
                assert shown is tables.MB, (table.name, column.key)
            elif column.unit == "s":
                assert shown is tables.SECONDS, (table.name, column.key)
            else:
                assert shown is None, (table.name, column.key)


def test_a_row_with_other_keys_is_refused():
    with pytest.raises(dockerlab.errors.TableMismatch, match="declares"):
        columns.SBOM.frame([{"name": "x", "version": "1"}])
    assert list(columns.SBOM.frame([("x", "1", "deb")]).columns) == ["name", "version", "type"]


def test_a_function_whose_table_drifts_from_its_declaration_fails_when_called():
    @columns.declares(columns.SBOM)
    def drifted():
        table = columns.SBOM.frame([("x", "1", "deb")])
        table["size_MB"] = 1.0  # a column added in the code alone
        return table

    with pytest.raises(dockerlab.errors.TableMismatch, match="size_MB"):
        drifted()
    assert drifted.__table__ is columns.SBOM


def test_a_run_of_columns_named_by_the_data_stands_for_a_many_column():
    assert columns.PACKAGE_COUNTS.matches(["deb", "python", "total"]) and columns.PACKAGE_COUNTS.matches(["total"])
    assert not columns.PACKAGE_COUNTS.matches(["deb", "python"])  # no total
    assert not columns.PACKAGE_COUNTS.matches(["total", "deb"])  # total is last
    assert not columns.PACKAGE_COUNTS.matches(["total", "total"])  # a declared key is not a package type
    assert columns.SUMMARY.matches(["builder", "scenario", "median", "min", "max", "n"])
    assert not columns.SUMMARY.matches(["builder", "median", "max", "min", "n"])


def test_summary_is_its_declared_table_and_names_a_column_it_cannot_find():
    runs = pd.DataFrame({"builder": ["buildkit", "buildkit", "classic"], "run": [1, 2, 1], "seconds": [2.0, 4.0, 9.0]})
    table = dockerlab.experiments.summary(runs, "builder")
    assert list(table.columns) == ["builder", "median", "min", "max", "n"]
    assert table.set_index("builder").loc["buildkit", "median"] == 3.0 and list(table["n"]) == [2, 1]
    with pytest.raises(dockerlab.DockerlabError, match="no column 'scenario'"):
        dockerlab.experiments.summary(runs, ["builder", "scenario"])


def test_the_former_key_of_a_column_is_renamed_and_nothing_else():
    recorded = pd.DataFrame({"image": ["alpine:3.20"], "source": ["present"], "stand-in": [True], "size": [1], "seconds": [0.0], "note": [""]})
    recorded.attrs["registry"] = None
    adopted = columns.PREPARED.adopt(recorded)
    assert list(adopted.columns) == columns.PREPARED.keys and "registry" in adopted.attrs
    assert columns.PREPARED.adopt(adopted) is adopted


def declared_tables() -> list[columns.Table]:
    return list({id(t): t for t in vars(columns).values() if isinstance(t, columns.Table)}.values())


def test_a_column_key_means_one_thing_in_every_table():
    """One dtype and unit per key: a count in a summary of per-run flags, or a shown text of a number,
    has a key of its own (race_summary's lost_race_runs, shown's target_text)."""
    meanings: dict[str, set] = {}
    for table in declared_tables():
        for column in table.columns:
            meanings.setdefault(column.key, set()).add((column.dtype, column.unit))
    assert sorted(key for key, kinds in meanings.items() if len(kinds) > 1) == []


SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")

# Each key renamed since the course recorded under it: (table, former key, today's key). A recording made
# before a rename replays (Table.adopt), so none had to be recorded again.
RENAMED = [
    (columns.DOCKERFILE_LAYERS, "Dockerfile line", "dockerfile_line"),
    *[(table, "why this target", "why_this_target") for table in (columns.HEADLINES, columns.HEADLINES_SHOWN, columns.COLLECTED, columns.COLLECTED_RECORDED)],
    (columns.SEED_CLAIM_VERDICTS, "seed section", "seed_section"),
    (columns.SEED_CLAIM_VERDICTS, "the seed says", "the_seed_says"),
    (columns.SEED_CLAIM_VERDICTS, "we measured", "we_measured"),
    (columns.SEED_CLAIM_VERDICTS, "the data says", "the_data_says"),
    (columns.IGNORE_BUILDS, "COPY . . cached after a .git change", "copy_cached_after_git_change"),
    (columns.KERNELS, "kernel inside the container", "kernel_inside_the_container"),
    (columns.KERNELS, "engine host kernel", "engine_host_kernel"),
    (columns.KERNELS, "same kernel", "same_kernel"),
    (columns.RACE_RUNS, "compose file", "compose_file"),
    (columns.RACE_SUMMARY, "runs", "run_count"),
    (columns.RACE_SUMMARY, "lost_race", "lost_race_runs"),
    (columns.RACE_SUMMARY, "api_serving", "api_serving_runs"),
    (columns.STOP_SUMMARY, "exit_code", "exit_codes"),
    (columns.STOPS, "app_got_sigterm", "sigterm_handler_ran"),
    (columns.HEADLINES_SHOWN, "target", "target_text"),
    (columns.PUBLISHED_PORTS, "run", "run_with"),
    (columns.CACHE_MOUNT_BUILDS, "dockerfile", "dockerfile_text"),
    (columns.SECRET_VARIANT_FINDINGS, "dockerfile", "dockerfile_text"),
    (columns.CONTAINER_CHANGES, "kind", "change_kind"),
    (columns.NAME_LOOKUPS, "network", "network_kind"),
    (columns.PREPARED, "stand-in", "is_stand_in"),
]


def test_every_declared_key_is_snake_case():
    """Keys are snake_case in the code; the words a learner reads are labels (tables.label_of). A ``many``
    column's key says in angle brackets what names its columns."""
    for table in declared_tables():
        for column in table.columns:
            if column.many:
                assert re.fullmatch(r"<[a-z ]+>", column.key), (table.name, column.key)
            else:
                assert SNAKE_CASE.fullmatch(column.key), (table.name, column.key)


def test_every_former_key_declared_is_a_rename_listed_here():
    declared = {(table.name, former, column.key) for table in declared_tables() for column in table.columns for former in column.formerly}
    listed = {(table.name, former, key) for table, former, key in RENAMED}
    assert declared - listed == {(columns.PREPARED.name, "stand_in", "is_stand_in")}  # stand-in became stand_in, then is_stand_in
    assert listed <= declared


@pytest.mark.parametrize("table, former, key", RENAMED, ids=[f"{former}->{key}" for _, former, key in RENAMED])
def test_each_renamed_key_keeps_its_former_key_and_replays_from_it(table, former, key):
    column = next(column for column in table.columns if column.key == key)
    assert former in column.formerly and former not in table.keys
    recorded = pd.DataFrame([[None] * len(table.keys)], columns=[former if name == key else name for name in table.keys])
    assert list(table.adopt(recorded).columns) == table.keys


def test_a_key_reads_the_same_in_every_table_and_no_two_columns_of_a_table_read_alike():
    labels: dict[str, set] = {}
    for table in declared_tables():
        for column in table.columns:
            labels.setdefault(column.key, set()).add(column.label)
            assert column.label != column.key.replace("_", " "), f"{column.key}: a label that is the key's own words is not needed"
        shown = [tables.label_of(key) for key in table.keys]
        assert len(set(shown)) == len(shown), (table.name, shown)
    assert {key: found for key, found in labels.items() if len(found) > 1} == {}
    assert columns.LABELS == {key: label for key, (label,) in labels.items() if label}


# Keys of different tables that read alike, each read in its own table: a header is words over one table's
# rows, and in the table that has one of them the other is not there to be confused with. The units a
# header shows set apart what the words do not (size and bytes both read "size", shown with "(MB)"). A label
# shared across tables by a new key has to be added here, with its reason.
SHARED_ACROSS_TABLES = {
    "size": {"size", "bytes"},  # both "size (MB)" on screen: a file's or a layer's bytes
    "run": {"run", "run_with"},  # published ports' "run" is how the container was run, in a table with no repeats
    "runs": {"runs", "run_count"},  # an image's entrypoint and command; the race summary's count of runs
    "target": {"target", "target_text"},  # the same target, as a number or with its unit and ≤/≥
    "kind": {"kind", "change_kind"},  # a VM or container; a docker diff change (A, C, D) as `docker diff` heads it
    "network": {"network", "network_kind"},  # a Compose network's name; the kind of network a lookup was tried on
    "lost race": {"lost_race", "lost_race_runs"},  # per run, or the runs that did in the race summary
    "api serving": {"api_serving", "api_serving_runs"},  # per run, or the runs that did in the race summary
}


def test_no_two_keys_share_a_label_in_one_table_and_across_tables_only_as_listed():
    """The rule that holds: within one table every header is its own (a learner reading a row never meets
    two columns under one name). Across all declarations it does not hold, and need not: each pair in
    SHARED_ACROSS_TABLES is read in tables that hold only one of the two, and the list is closed, so a new
    one (exit_codes read "exit code" beside exit_code's "exit code", one code against several) is seen."""
    keys_by_label: dict[str, set] = {}
    for table in declared_tables():
        shown = [tables.label_of(key) for key in table.keys]
        assert len(set(shown)) == len(shown), (table.name, shown)
        for column in table.columns:
            if not column.many:
                keys_by_label.setdefault(tables.label_of(column.key), set()).add(column.key)
    assert {label: keys for label, keys in keys_by_label.items() if len(keys) > 1} == SHARED_ACROSS_TABLES
    assert tables.label_of("exit_codes") == "exit codes" and tables.label_of("exit_code") == "exit code"


def test_a_declared_label_is_the_header_a_learner_reads():
    frame = columns.IGNORE_BUILDS.frame([("with .dockerignore", "x:1", 1_000, 1.0, 0.5, True, [])])
    shown = tables.display_frame(frame)
    assert "COPY . . cached after a .git change" in shown.columns and "rebuild after git change (s)" in shown.columns
    assert tables.label_of("dockerfile_line") == "Dockerfile line" and tables.label_of("same_kernel") == "same kernel"
    summary = dockerlab.experiments.race_summary(columns.RACE_RUNS.frame([("compose.yaml", 1, 1.0, 0.5, None, 0, "", "", False, True, None)]))
    shown = tables.display_frame(summary)
    assert shown.index.name == "compose file" and list(shown.columns) == ["runs", "lost race", "other failures", "causes", "api serving"]


def _as_recorded_before_the_renames(result: dict, table: columns.Table) -> dict:
    """An encoded table with each column under its former key (as the course recorded it before)."""
    former = {column.key: column.formerly[0] for column in table.columns if column.formerly}
    return {**result, "columns": [former.get(key, key) for key in result["columns"]]}


def test_every_recorded_table_replays_from_its_former_keys_under_todays():
    """Replay reads each recorded table through its declaration (decorator._as_declared): rewritten to the
    keys the course recorded before each rename, every one still replays, with today's keys."""
    declared = declared_calls()
    renamed = 0
    for notebook, call, entry in recorded_results():
        table = declared.get(call)
        if table is None or not isinstance(entry["result"], dict) or "__dataframe__" not in entry["result"]:
            continue
        before = _as_recorded_before_the_renames(entry["result"], table)
        replayed = _as_declared(f"{notebook}: {call}", SimpleNamespace(__table__=table), decode(before))
        assert list(replayed.columns) == list(table.adopt(decode(entry["result"])).columns), f"{notebook}: {call}"
        renamed += bool({former for column in table.columns for former in column.formerly} & set(before["columns"]))
    assert renamed >= 8  # kernels, dockerignore, compose_race (4), dockerfile_layers, name_resolution, published_ports, ...


def test_a_course_call_recorded_under_the_former_keys_replays_under_todays(tmp_path, monkeypatch):
    """The course's own functions, replaying recordings whose columns are under the former keys (as
    01, 02 and 03 were recorded): the tables come back with today's keys, nothing recorded again."""
    declared = declared_calls()
    for file in sorted(RECORDED.glob("*.json")):
        content = json.loads(file.read_text())
        for entry in content["calls"]:
            if entry["call"] in declared and not entry.get("raised") and "__dataframe__" in entry["result"]:
                entry["result"] = _as_recorded_before_the_renames(entry["result"], declared[entry["call"]])
        (tmp_path / file.name).write_text(json.dumps(content))
    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
    recording.reset(directory=tmp_path, root=COURSE_ROOT)
    try:
        kernels = dockerlab.experiments.kernels(["alpine:3.20", "python:3.11-slim", "debian:bookworm-slim"])
        lines = dockerlab.dockerfile_layers(COURSE_ROOT / "data" / "apps" / "hello-python" / "Dockerfile", "hello-python:1")
        ignored = dockerlab.experiments.dockerignore(COURSE_ROOT / "data" / "apps" / "layer-cache", "Dockerfile", junk_megabytes=100)
    finally:
        recording.reset()
    assert list(kernels.columns) == columns.KERNELS.keys and kernels["same_kernel"].all()
    assert list(lines.columns) == columns.DOCKERFILE_LAYERS.keys and lines["dockerfile_line"].iloc[0] == "2: FROM python:3.11-slim"
    assert list(ignored.columns) == columns.IGNORE_BUILDS.keys
    assert list(ignored["copy_cached_after_git_change"]) == [False, True]  # without .dockerignore a .git change reruns COPY . .
