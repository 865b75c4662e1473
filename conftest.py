"""The whole repository's pytest hooks: nothing of the course is left behind.

The run as a whole, and each notebook nbval runs live, must leave no container, network or volume
behind: they are counted (``dockerlab.cleanup.leftovers``) when the session starts and ends, and before
a notebook's first cell and after its last; anything new fails the session, or that notebook's last
cell with the notebook named. Replayed (recorded mode, no engine) there is nothing to count; under
``--require-docker`` (registered here, so `make test-live PYTEST_ARGS=notebooks/X.ipynb` accepts it) a
notebook whose first cell finds no engine fails instead of replaying.

CI's machine may have little disk (a few GB free besides the images): with ``DOCKERLAB_FREE_DISK=1``
(``.ci/run`` sets it), when the session starts and before each notebook, if less than the course's
15 GB is free under the engine's data root, the images earlier parts built are removed
(``dockerlab.cleanup``, bases kept) and the build cache pruned, with one line saying how much was freed.
With room enough nothing is removed (a later notebook reuses an earlier part's image: 01's VM disk is
built by an engine test first). Off by default: pruning the build cache touches what is not the course's."""
from __future__ import annotations

import contextlib
import os

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


def _free_disk(config: pytest.Config, before: str) -> None:
    """Under DOCKERLAB_FREE_DISK=1, with an engine and less than the course's 15 GB free under its data root:
    remove the course's images (bases kept) and prune the build cache, and say how much that freed."""
    if os.environ.get("DOCKERLAB_FREE_DISK") != "1":
        return
    import shutil

    from dockerlab import engine
    from dockerlab.cleanup import cleanup
    from dockerlab.readiness import DISK_NEEDED_BYTES
    from dockerlab.units import format_bytes

    if not engine.available():
        return
    root = engine.info().data_root
    free = shutil.disk_usage(root).free
    if free >= DISK_NEEDED_BYTES:
        return  # room enough: keep the images, a later part may build on them (notebook 01 on the VM disk)
    removed = cleanup()
    pruned = engine.client().api.prune_builds(all=True).get("SpaceReclaimed") or 0
    now = shutil.disk_usage(root).free
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")  # a test's setup is captured: say it past that
    if reporter:
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            reporter.write_line(f"\nDOCKERLAB_FREE_DISK before {before}: {removed['images']} course images removed, "
                                f"{format_bytes(pruned)} of build cache pruned; {format_bytes(free)} -> {format_bytes(now)} free")


def pytest_addoption(parser: pytest.Parser) -> None:
    """The options `make test-live` passes, registered here (not in tests/): a run of notebooks alone
    (`make test-live PYTEST_ARGS=notebooks/02a_running_containers.ipynb`) loads only this conftest."""
    parser.addoption(
        "--require-docker",
        action="store_true",
        help="fail (not skip) tests marked `docker` when no Docker engine answers",
    )
    parser.addoption(
        "--require-browser",
        action="store_true",
        help="fail (not skip) tests marked `browser` when no Chromium is installed",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C back to Python's KeyboardInterrupt when the run started with SIGINT ignored (a background
    `make test &` or nohup: the shell ignores SIGINT for it): the tests of interrupted calls send SIGINT to
    this process and to Python children, which would inherit the ignoring and never see it."""
    import signal

    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_sessionstart(session: pytest.Session) -> None:
    _free_disk(session.config, "the tests")
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
        _free_disk(item.config, os.path.basename(notebook))
        _before[notebook] = _course_objects()
        if _before[notebook] is None and item.config.getoption("--require-docker"):
            pytest.fail(f"--require-docker: no engine answered, so {os.path.basename(notebook)} would replay its recording "
                        "instead of running live. Next: start the engine (`make machine`), then run it again.", pytrace=False)


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
