"""The whole repository's pytest hooks. nbval runs each notebook's cells as tests; run live, a notebook
must leave no container, network or volume behind: the course's objects are counted before its first
cell and after its last (``dockerlab.cleanup.leftovers``), and anything new fails its last cell.
Replayed (recorded mode, no engine) there is nothing to count."""
from __future__ import annotations

import pytest

_first: dict[str, str] = {}  # notebook -> node id of its first cell
_last: dict[str, str] = {}
_before: dict[str, dict] = {}


def _notebook(item: pytest.Item) -> str | None:
    path = str(item.fspath)
    return path if path.endswith(".ipynb") else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        notebook = _notebook(item)
        if notebook:
            _first.setdefault(notebook, item.nodeid)
            _last[notebook] = item.nodeid


def _count() -> dict | None:
    from dockerlab.cleanup import leftovers
    from dockerlab.errors import DockerUnavailable

    try:
        return leftovers()
    except DockerUnavailable:
        return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    notebook = _notebook(item)
    if notebook and _first.get(notebook) == item.nodeid:
        _before[notebook] = _count()


def pytest_runtest_teardown(item: pytest.Item) -> None:
    notebook = _notebook(item)
    if not notebook or _last.get(notebook) != item.nodeid or _before.get(notebook) is None:
        return
    from dockerlab.cleanup import left_behind

    after = _count()
    new = left_behind(_before.pop(notebook), after) if after is not None else []
    if new:
        pytest.fail(f"{notebook} left behind: {', '.join(new)} (each notebook must remove what it creates; "
                    "`dockerlab clean` removes them now)", pytrace=False)
