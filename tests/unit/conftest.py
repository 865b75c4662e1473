"""Unit tests call the course's functions themselves (with fakes where an engine would answer):
never replay recordings here, never write any."""
import pytest

from dockerlab import recording


@pytest.fixture(autouse=True)
def _live_functions(monkeypatch):
    monkeypatch.setenv("DOCKERLAB_MODE", "live")
    monkeypatch.delenv("DOCKERLAB_RECORD_TO", raising=False)
    recording.reset()
    yield
    recording.reset()
