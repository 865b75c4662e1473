"""dl.fetch_image's decisions that need no registry: where the archive may go, which registry a name
means, and what a failure says (the copy itself is tested against the course's registry on 127.0.0.1)."""
import pytest

import dockerlab as dl
from dockerlab import fetch


@pytest.mark.parametrize("name, registry", [
    ("python:3.11-slim", "Docker Hub"), ("library/python:3.11", "Docker Hub"), ("owner/app:1", "Docker Hub"),
    ("ghcr.io/owner/app:1", "ghcr.io"), ("127.0.0.1:5000/course/x:1", "127.0.0.1:5000"), ("localhost/x", "localhost"),
])
def test_the_registry_a_name_means(name, registry):
    assert fetch._registry_of(name) == registry


def test_a_destination_that_cannot_be_written_is_refused_before_copying(tmp_path):
    for to, said in ((tmp_path, "is a folder"), (tmp_path / "nodir" / "x.tar", "does not exist"), ("/proc/x.tar", "not writable")):
        with pytest.raises(dl.DockerlabError, match=said):
            fetch._target_for("python:3.11-slim", to)
        explained = dl.fetch_image("python:3.11-slim", to=to, on_failure="explain")  # nothing is fetched: no traffic
        assert not explained and said in explained.reason
    with pytest.raises(dl.DockerlabError, match="is an empty string"):  # the course's one argument check (fetch_image is recorded)
        dl.fetch_image("  ")


def test_no_reference_is_said_so_before_skopeo_runs():
    for reference in ("", "docker://", "  "):
        with pytest.raises(dl.DockerlabError, match="No image reference|reference= is an empty string"):
            dl.fetch_image(reference)
    with pytest.raises(dl.DockerlabError, match="is text, not NoneType|must be a string, not NoneType"):
        dl.fetch_image(None)


def test_in_recorded_mode_the_notebook_cell_replays_without_network_or_skopeo(tmp_path, monkeypatch):
    # notebook 02's cell: dl.fetch_image("python:3.11-slim", on_failure="explain"), with the engine hidden
    import socket
    import subprocess

    from dockerlab import recorder, recording

    monkeypatch.setattr(recorder, "provenance", lambda command="": {"recorded_at": "2026-11-30T00:00:00+00:00", "commit": "abc", "format": 1})
    target = tmp_path / "data" / "recorded" / "02_core_concepts.json"
    target.parent.mkdir(parents=True)
    real_skopeo = fetch._skopeo
    monkeypatch.setattr(fetch, "_skopeo", lambda: (_ for _ in ()).throw(dl.DockerlabError("no registry answers here.", fix="Try where one does.")))
    monkeypatch.setenv("DOCKERLAB_RECORD_TO", str(target))
    recording.reset(directory=target.parent, root=tmp_path)
    recorded = dl.fetch_image("python:3.11-slim", on_failure="explain")
    monkeypatch.delenv("DOCKERLAB_RECORD_TO")
    recording.reset(directory=target.parent, root=tmp_path)  # the recording is written
    assert not recorded and "no registry answers" in recorded.reason and target.exists()

    def forbidden(*args, **kwargs):
        raise AssertionError(f"recorded mode reached out: {args[:2]}")

    monkeypatch.setattr(fetch, "_skopeo", real_skopeo)  # the real skopeo again: only the replay may answer
    monkeypatch.setattr(socket.socket, "connect", forbidden)
    monkeypatch.setattr(socket, "create_connection", forbidden)
    monkeypatch.setattr(socket, "getaddrinfo", forbidden)
    monkeypatch.setattr(subprocess, "Popen", forbidden)
    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
    monkeypatch.delenv("DOCKERLAB_RECORD_TO", raising=False)
    recording.reset(directory=target.parent, root=tmp_path)
    try:
        replayed = dl.fetch_image("python:3.11-slim", on_failure="explain")
    finally:
        recording.reset()
    assert replayed == recorded and not replayed
