"""Unit tests call the course's functions themselves (with fakes where an engine would answer):
never replay recordings here, never write any, and never reach an engine (CI runs them with one
running: DOCKER_HOST points nowhere, so a test that needs one fails here as well as on a laptop)."""
import pytest

from dockerlab import recording


@pytest.fixture(autouse=True)
def _live_functions(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKERLAB_MODE", "live")
    monkeypatch.setenv("DOCKERLAB_TAGBOOK", str(tmp_path / "dockerlab-tags.txt"))  # never the learner's own book
    monkeypatch.delenv("DOCKERLAB_RECORD_TO", raising=False)
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/dockerlab-unit-tests.sock")
    recording.reset()
    yield
    recording.reset()
