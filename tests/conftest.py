"""Two tiers: unit tests parse recorded JSON without an engine; tests marked `docker` run on one.

`--require-docker` (what `make test` and CI pass) turns "no engine" into a failure instead of a skip,
so engine tests can never pass by not running.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--require-docker",
        action="store_true",
        help="fail (not skip) tests marked `docker` when no Docker engine answers",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parts[-2:-1] == ("engine",):
            item.add_marker(pytest.mark.docker)


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


@pytest.fixture
def fixture_json():
    def load(name: str) -> dict:
        return json.loads((FIXTURES / name).read_text())

    return load
