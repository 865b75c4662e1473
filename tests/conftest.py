"""Two tiers: unit tests parse recorded JSON without an engine; tests marked `docker` run on one.

`--require-docker` (what `make test` and CI pass; registered in the root conftest.py, so a run of
notebooks alone accepts it too) turns "no engine" into a failure instead of a skip, so engine tests can
never pass by not running.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parts[-2:-1] == ("engine",):
            item.add_marker(pytest.mark.docker)
        if Path(str(item.fspath)).parts[-2:-1] == ("browser",):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def engine_available(request: pytest.FixtureRequest) -> bool:
    import dockerlab as dl

    try:
        dl.engine.client()
        return True
    except dl.DockerUnavailable as error:
        if request.config.getoption("--require-docker"):
            pytest.fail(f"--require-docker: no engine answered.\n{error}", pytrace=False)
        return False


@pytest.fixture(autouse=True)
def _needs_engine(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("docker") is None:
        return
    if not request.getfixturevalue("engine_available"):
        pytest.skip("no Docker engine answers (run with --require-docker to make this a failure)")


@pytest.fixture(autouse=True)
def _recording_session_left_as_found():
    """A test that starts the in-process recording session under a changed environment (recorded
    mode, another folder) must reset it before it ends: otherwise every later test in the process
    replays recordings instead of running live (87 engine tests failed so in one CI run)."""
    import importlib
    import os

    sessions = importlib.import_module("dockerlab.recording.session")  # the module (the package exports a function of that name)

    yield
    left = sessions._session
    if left is None:
        return
    pointed_elsewhere = any(value is not None for value in sessions._where.values())
    if left.forced != os.environ.get("DOCKERLAB_MODE", "").strip().lower() or pointed_elsewhere:
        sessions.reset()
        pytest.fail("this test left the recording session in another mode or folder than the environment says: "
                    "call dockerlab.recording.reset() when it ends", pytrace=False)


@pytest.fixture
def fixture_json():
    def load(name: str) -> dict:
        return json.loads((FIXTURES / name).read_text())

    return load
