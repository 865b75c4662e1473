import sys
import time

import pytest

import dockerlab as dl
from dockerlab import engine


def test_docker_host_wins(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:1")
    monkeypatch.setenv("DOCKER_CONTEXT", "elsewhere")
    target = engine.connection_target()
    assert target.base_url == "tcp://127.0.0.1:1"
    assert target.chosen_by == "DOCKER_HOST"


def test_default_socket_without_settings(monkeypatch, tmp_path):
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.delenv("DOCKER_CONTEXT", raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    assert engine.connection_target().base_url == engine.DEFAULT_SOCKET


def test_current_context_from_config(monkeypatch, tmp_path):
    """A Docker Desktop style context chosen in ~/.docker/config.json is honoured like the CLI does."""
    import hashlib
    import json

    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.delenv("DOCKER_CONTEXT", raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "desktop-linux"}))
    meta = tmp_path / "contexts" / "meta" / hashlib.sha256(b"desktop-linux").hexdigest()
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(
        json.dumps({"Name": "desktop-linux", "Metadata": {}, "Endpoints": {"docker": {"Host": "unix:///tmp/desktop.sock", "SkipTLSVerify": False}}})
    )
    import docker.context.config as context_config

    monkeypatch.setattr(context_config, "get_context_dir", lambda: str(tmp_path / "contexts"))
    target = engine.connection_target()
    assert target.base_url == "unix:///tmp/desktop.sock"
    assert "desktop-linux" in target.chosen_by


def test_missing_socket_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    started = time.monotonic()
    with pytest.raises(dl.DockerUnavailable) as caught:
        engine.client()
    assert time.monotonic() - started < 5
    error = caught.value
    assert "unix:///nonexistent.sock" in str(error)
    assert "does not exist" in str(error)
    assert "DOCKER_HOST" in error.fix
    assert error.__cause__ is None and error.__suppress_context__, "no chained requests/urllib3 traceback"
    assert isinstance(error, dl.DockerlabError)


def test_refused_tcp_port_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")
    with pytest.raises(dl.DockerUnavailable) as caught:
        engine.client()
    assert "refused" in str(caught.value)


@pytest.mark.parametrize(
    "platform, words",
    [("darwin", "Docker Desktop"), ("win32", "Docker Desktop"), ("linux", "ensure-docker-engine")],
)
def test_fix_names_the_learners_platform(monkeypatch, platform, words):
    monkeypatch.setattr(sys, "platform", platform)
    target = engine.ConnectionTarget(engine.DEFAULT_SOCKET, "the default socket")
    assert words in engine._fix_for_this_platform(target, "the socket does not exist")


def test_permission_denied_fix_mentions_docker_group():
    target = engine.ConnectionTarget(engine.DEFAULT_SOCKET, "the default socket")
    assert "docker group" in engine._fix_for_this_platform(target, "Permission denied on the socket")
