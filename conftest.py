"""The whole repository's pytest hooks: nothing of the course is left behind.

The run as a whole, and each notebook nbval runs live, must leave no container, network or volume
behind: they are counted (``dockerlab.cleanup.leftovers``) when the session starts and ends, and before
a notebook's first cell and after its last; anything new fails the session, or that notebook's last
cell with the notebook named. Replayed (recorded mode, no engine) there is nothing to count."""
from __future__ import annotations

import pytest

_first: dict[str, str] = {}  # notebook -> node id of its first cell
_last: dict[str, str] = {}
_before: dict[str, dict] = {}


def _course_objects() -> dict[str, list[str]] | None:
    from dockerlab.cleanup import leftovers
    from dockerlab.errors import DockerUnavailable

    try:
        return leftovers()
    except DockerUnavailable:
        return None


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config._course_objects_before = _course_objects()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    before = getattr(session.config, "_course_objects_before", None)
    after = _course_objects()
    if before is None or after is None:
        return
    from dockerlab.cleanup import left_behind

    left = left_behind(before, after)
    if left:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            reporter.write_line(f"FAILED: tests or notebooks left course objects behind: {left}", red=True)
        session.exitstatus = 1


def _notebook(item: pytest.Item) -> str | None:
    path = str(item.fspath)
    return path if path.endswith(".ipynb") else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        notebook = _notebook(item)
        if notebook:
            _first.setdefault(notebook, item.nodeid)
            _last[notebook] = item.nodeid


def pytest_runtest_setup(item: pytest.Item) -> None:
    notebook = _notebook(item)
    if notebook and _first.get(notebook) == item.nodeid:
        _before[notebook] = _course_objects()


def pytest_runtest_teardown(item: pytest.Item) -> None:
    notebook = _notebook(item)
    if not notebook or _last.get(notebook) != item.nodeid or _before.get(notebook) is None:
        return
    from dockerlab.cleanup import left_behind

    after = _course_objects()
    new = left_behind(_before.pop(notebook), after) if after is not None else []
    if new:
        pytest.fail(f"{notebook} left behind: {', '.join(new)} (each notebook must remove what it creates; "
                    "`dockerlab clean` removes them now)", pytrace=False)
