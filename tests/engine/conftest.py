"""Engine tests: everything a test creates carries the course label and is removed afterwards."""
from __future__ import annotations

import socket
import uuid

import docker.errors
import pytest

import dockerlab as dl
from dockerlab.labels import COURSE_LABELS


class Created:
    """Collects what a test creates and removes it (containers first, then networks and images)."""

    def __init__(self, client) -> None:
        self.client = client
        self.containers: list = []
        self.networks: list = []
        self.images: list[str] = []

    def name(self, prefix: str) -> str:
        return f"dockerlab-test-{prefix}-{uuid.uuid4().hex[:8]}"

    def run(self, image: str, command=None, **options):
        options.setdefault("labels", COURSE_LABELS)
        options.setdefault("detach", True)
        container = self.client.containers.run(image, command, **options)
        self.containers.append(container)
        return container

    def network(self):
        network = self.client.networks.create(self.name("net"), labels=COURSE_LABELS)
        self.networks.append(network)
        return network

    def image(self, tag: str) -> str:
        self.images.append(tag)
        return tag

    def remove_all(self) -> None:
        for container in reversed(self.containers):
            try:
                container.remove(force=True, v=True)
            except docker.errors.NotFound:
                pass
        for network in self.networks:
            try:
                network.remove()
            except docker.errors.NotFound:
                pass
        for tag in reversed(self.images):
            try:
                self.client.api.remove_image(tag, force=True)
            except docker.errors.APIError:
                pass


@pytest.fixture
def created():
    tracker = Created(dl.engine.client())
    yield tracker
    tracker.remove_all()


@pytest.fixture
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_to_exit(created: Created, image: str, command=None, **options) -> tuple[int, str]:
    """Run a container to its end; (exit code, output)."""
    container = created.run(image, command, **options)
    status = container.wait(timeout=120)
    return status["StatusCode"], container.logs().decode()
