"""`make test-live PYTEST_ARGS=notebooks/X.ipynb` runs one notebook: its pytest line (with --require-docker)
is accepted when only notebooks are collected (the option lives in the root conftest.py, which is loaded
then; tests/conftest.py is not), and a notebook that finds no engine fails instead of replaying."""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
NOTEBOOK = "notebooks/02a_running_containers.ipynb"


def test_make_test_live_with_one_notebook_accepts_its_own_options():
    """The pytest command `make test-live` runs, read from make's dry run, not retyped here."""
    if not shutil.which("make"):
        pytest.fail("make is not installed")
    dry = subprocess.run(["make", "-n", "--no-print-directory", "test-live", f"PYTEST_ARGS={NOTEBOOK}"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    lines = [line for line in dry.stdout.splitlines() if " -m pytest " in line]
    assert dry.returncode == 0 and len(lines) == 1, dry.stdout + dry.stderr
    words = shlex.split(lines[0])
    assert "--require-docker" in words and words[-1] == NOTEBOOK, words
    collected = subprocess.run([sys.executable, *words[1:], "--collect-only", "-q"], cwd=ROOT, capture_output=True,
                               text=True, timeout=120, env=os.environ | {"DOCKER_HOST": "unix:///nonexistent/dockerlab-unit-tests.sock"})
    assert collected.returncode == 0, collected.stdout[-2000:] + collected.stderr[-2000:]
    assert "unrecognized arguments" not in collected.stderr
    assert f"{NOTEBOOK}::Cell 0" in collected.stdout, collected.stdout[-2000:]


def _root_conftest():
    import importlib.util

    spec = importlib.util.spec_from_file_location("dockerlab_root_conftest", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Config:
    def __init__(self, require_docker: bool) -> None:
        self.require_docker = require_docker

    def getoption(self, name: str):
        assert name == "--require-docker", name
        return self.require_docker


class _Cell:
    def __init__(self, require_docker: bool) -> None:
        self.fspath = str(ROOT / NOTEBOOK)
        self.nodeid = f"{NOTEBOOK}::Cell 0"
        self.config = _Config(require_docker)


@pytest.mark.parametrize("require_docker", [True, False])
def test_a_notebook_with_no_engine_fails_under_require_docker_and_replays_without(require_docker):
    conftest = _root_conftest()  # the unit tests' DOCKER_HOST points nowhere: no engine answers
    cell = _Cell(require_docker)
    conftest.pytest_collection_modifyitems([cell])
    if require_docker:
        with pytest.raises(pytest.fail.Exception, match="no engine answered, so 02a_running_containers.ipynb would replay"):
            conftest.pytest_runtest_setup(cell)
    else:
        conftest.pytest_runtest_setup(cell)  # recorded mode: nothing to count, nothing to fail
