"""Issue 16, Kind 2: a Ctrl-C while the engine creates a container (or the named volume it mounts)
leaves nothing: the engine may finish the create after the call was interrupted, so the request is
let to end, and what it made is removed by its id."""
from __future__ import annotations

import os
import signal

import pytest

from dockerlab import containers


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
