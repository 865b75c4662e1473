"""The compose api's failed-connection line carries the underlying cause, so 05's `cause` column reads
evidence (ConnectionRefusedError, a timeout) rather than only pg8000's wrapper message."""
from __future__ import annotations

import ast

from dockerlab import paths
from dockerlab.experiments import RACE_CAUSES, failure_cause


def failure_line():
    """api.py's failure_line, compiled alone (the module itself connects to a database on import)."""
    tree = ast.parse((paths.app("compose-api") / "api.py").read_text())
    function = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "failure_line")
    space: dict = {}
    exec(compile(ast.Module([function], []), "api.py", "exec"), space)
    return space["failure_line"]


def test_a_wrapped_connection_error_prints_its_cause():
    try:
        try:
            raise ConnectionRefusedError(111, "Connection refused")
        except ConnectionRefusedError as refused:
            raise RuntimeError("Can't create a connection to host db and port 5432") from refused
    except RuntimeError as error:
        line = failure_line()(0, error)
    assert line.startswith("database connection failed (attempt 1): RuntimeError: Can't create a connection")
    assert "(cause: ConnectionRefusedError: [Errno 111] Connection refused)" in line
    assert failure_cause(line) in RACE_CAUSES


def test_an_error_with_no_cause_prints_only_itself():
    line = failure_line()(2, KeyError("POSTGRES_PASSWORD"))
    assert line == "database connection failed (attempt 3): KeyError: 'POSTGRES_PASSWORD'" and failure_cause(line) == "missing setting"
