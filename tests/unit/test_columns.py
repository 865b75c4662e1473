"""Each table's columns are declared once (dockerlab.columns): the code builds the table from the
declaration, the docstring lists it, and what the recordings hold has exactly those columns."""
import importlib
import json
import pkgutil
from pathlib import Path

import pandas as pd
import pytest

import dockerlab
from dockerlab import columns, tables
from dockerlab.recording import decode
from dockerlab.recording.decorator import returned_class

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
