"""dl.serve without an engine (issue 16): an HTTP error status is an answer, at once; a container removed
while serve() waits gives a ContainerFailed naming it, never a raw docker.errors traceback."""
from __future__ import annotations

import io
import time
import urllib.error

import docker.errors
import pytest

import dockerlab as dl
from dockerlab import containers
from dockerlab.errors import ContainerFailed


class Served:
    """A running container publishing 8080 on 127.0.0.1:49999, or one removed meanwhile (``gone``)."""

    short_id = "0a1b2c3d4e5f"

    def __init__(self, gone: bool = False) -> None:
        self.gone, self.removed = gone, False
        self.status = "running"
        self.attrs = {"State": {"ExitCode": None}, "NetworkSettings": {"Ports": {"8080/tcp": [{"HostPort": "49999"}]}}}

    def reload(self):
        if self.gone:
            raise docker.errors.NotFound("404 Client Error: Not Found (\"No such container: 0a1b2c3d4e5f\")",
                                         explanation="No such container: 0a1b2c3d4e5f")

    def logs(self):
        return b"listening on 8080\n"

    def remove(self, force=False, v=False):
        if self.gone:
            raise docker.errors.NotFound("No such container: 0a1b2c3d4e5f", explanation="No such container: 0a1b2c3d4e5f")
        self.removed = True


def _serving(monkeypatch, container):
    monkeypatch.setattr(containers.engine, "client", lambda: object())
    monkeypatch.setattr(containers, "_create_and_start", lambda *a, **k: container)


def test_a_404_is_an_answer_at_once_not_a_wait_for_the_timeout(monkeypatch):
    container = Served()
    _serving(monkeypatch, container)

    def answer(url, timeout):
        raise urllib.error.HTTPError(url, 404, "Not Found", {}, io.BytesIO(b"no such page"))

    monkeypatch.setattr(containers.urllib.request, "urlopen", answer)
    started = time.monotonic()
    result = dl.serve("t16app:1", path="/missing", timeout=20)
    assert time.monotonic() - started < 5
    assert result.ok is False and result.status == 404 and result.body == "no such page"
    assert result.url == "http://127.0.0.1:49999/missing" and "HTTP 404" in str(result) and "no answer" not in str(result)
    assert container.removed


def test_a_container_removed_meanwhile_is_a_container_failed_naming_it(monkeypatch):
    _serving(monkeypatch, Served(gone=True))
    with pytest.raises(ContainerFailed) as failed:
        dl.serve("t16app:1", timeout=5)
    assert "0a1b2c3d4e5f" in failed.value.message and "t16app:1" in failed.value.message
    assert "no longer exists" in failed.value.message and "removed while serve() waited" in failed.value.fix
    assert failed.value.__suppress_context__  # no docker.errors traceback under it
