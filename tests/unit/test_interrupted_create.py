"""Issue 16, Kind 2: a Ctrl-C while the engine creates a container (or the named volume it mounts)
leaves nothing: the engine may finish the create after the call was interrupted, so the request is
let to end, and what it made is removed by its id."""
from __future__ import annotations

import os
import signal

import docker.errors
import pytest

from dockerlab import containers
from dockerlab.errors import DockerlabError


class Made:
    def __init__(self, engine, container_id):
        self.engine, self.id = engine, container_id

    def remove(self, force=False, v=False):
        assert force and v, "anonymous volumes go with it"
        self.engine.alive.remove(self.id)


class SlowEngine:
    """An engine whose answer to create comes after a Ctrl-C reached the caller, and which finishes the
    create on its own only after the caller looked for it (the tester's 25-40 ms after the call)."""

    def __init__(self):
        self.alive, self.pending, self.volumes_alive = [], [], []
        engine = self

        class Containers:
            def create(self, image, command, **options):
                engine.pending.append(f"c{len(engine.alive) + len(engine.pending)}")
                os.kill(os.getpid(), signal.SIGINT)  # the learner's Ctrl-C, while the request is on its way
                engine.finish()
                return Made(engine, engine.alive[-1])

            def list(self, **_):
                found = [Made(engine, each) for each in engine.alive]
                engine.finish()  # the engine gets there only now
                return found

        class Volume:
            def __init__(self, name):
                self.name = name

            def remove(self, force=False):
                engine.volumes_alive.remove(self.name)

        class Volumes:
            def get(self, name):
                import docker.errors

                if name not in engine.volumes_alive:
                    raise docker.errors.NotFound(f"no such volume {name}")
                return Volume(name)

            def create(self, name, labels=None):
                engine.volumes_alive.append(name)

        self.containers, self.volumes = Containers(), Volumes()

    def finish(self):
        self.alive += self.pending
        self.pending = []


def test_ctrl_c_during_create_leaves_no_container_and_no_volume_the_call_made():
    engine = SlowEngine()
    with pytest.raises(KeyboardInterrupt):
        containers._create(engine, "postgres:15", None, volumes={"t16-data": {"bind": "/data", "mode": "rw"}})
    assert engine.alive == [] and engine.pending == [] and engine.volumes_alive == []


def test_ctrl_c_during_start_leaves_no_container():
    engine = SlowEngine()
    with pytest.raises(KeyboardInterrupt):
        containers._create_and_start(engine, "alpine:3.20", ["sleep", "5"])
    assert engine.alive == []


class ScratchApi:
    """The engine's low-level API as file_size, exported_files and vm.assets use it: the learner's Ctrl-C
    arrives while the engine creates the scratch container (it is made all the same)."""

    def __init__(self):
        self.alive = []

    def create_container(self, image, command=None, labels=None):
        self.alive.append(f"c{len(self.alive)}")
        os.kill(os.getpid(), signal.SIGINT)
        return {"Id": self.alive[-1]}

    def remove_container(self, container_id, force=False, v=False):
        assert force and v
        self.alive.remove(container_id)

    def get_archive(self, container_id, path):
        raise AssertionError("not reached: the Ctrl-C ends the call after the create")

    export = get_archive


def _scratch_client(monkeypatch, module):
    api = ScratchApi()
    client = type("Client", (), {"api": api})()
    monkeypatch.setattr(module.engine, "client", lambda: client)
    monkeypatch.setattr(module, "inspect_image", lambda image: {"Id": "sha256:" + "ab" * 32}, raising=False)
    return api


@pytest.mark.parametrize("call", ["file_size", "exported_files", "vm_assets"])
def test_ctrl_c_while_a_scratch_container_is_created_leaves_none(monkeypatch, tmp_path, call):
    """#16: dl.file_size (and layerfs.exported_files, vm.assets) created the container, then removed it in a
    finally, not under held(): a Ctrl-C during the create left it *Created*."""
    from dockerlab import images, layerfs, vm

    if call == "file_size":
        api = _scratch_client(monkeypatch, images)
        action = lambda: images.file_size("t16app:1", "/app/main.py")  # noqa: E731
    elif call == "exported_files":
        api = _scratch_client(monkeypatch, layerfs)
        action = lambda: layerfs.exported_files("t16app:1")  # noqa: E731
    else:
        api = _scratch_client(monkeypatch, vm)
        monkeypatch.setattr(vm, "CACHE", tmp_path / "vm")
        monkeypatch.setattr(vm, "build", lambda *a, **k: None)
        action = lambda: vm.assets()  # noqa: E731
    with pytest.raises(KeyboardInterrupt):
        action()
    assert api.alive == []


class RefusingApi(ScratchApi):
    """The engine refusing get_archive for a path, as it answered the tester (400 for "", 500 for a long one)."""

    def __init__(self, error):
        super().__init__()
        self.error = error

    def create_container(self, image, command=None, labels=None):
        self.alive.append(f"c{len(self.alive)}")
        return {"Id": self.alive[-1]}

    def get_archive(self, container_id, path):
        raise self.error


@pytest.mark.parametrize("path, error, said", [
    ("", None, "the path is empty"),
    ("/" + "a" * 5000, None, "no file in an image has a path that long"),
    ("/app/x", docker.errors.APIError("500 Server Error", explanation="lstat /var/lib/docker/overlay2/x/merged/app/x: file name too long"),
     "The engine could not read '/app/x' in t16app:1: lstat"),
])
def test_file_size_of_a_path_the_engine_refuses_is_a_dockerlab_error(monkeypatch, path, error, said):
    """#16: dl.file_size(image, "") raised docker.errors.APIError 400, a 5000-character path APIError 500."""
    from dockerlab import images

    api = _scratch_client(monkeypatch, images)
    refusing = RefusingApi(error)
    monkeypatch.setattr(images.engine, "client", lambda: type("Client", (), {"api": refusing})())
    with pytest.raises(DockerlabError) as refused:
        images.file_size("t16app:1", path)
    assert said in refused.value.message and refused.value.fix, refused.value.message
    assert refusing.alive == [] and api.alive == []
