"""Issue 16, Kind 1: a name the learner gives finds the container of exactly that name, never one whose
id begins with it (the engine's own lookup, containers.get, falls back to id prefixes), and the course
removes only a container it created under that name."""
from __future__ import annotations

import re

import docker.errors
import pytest

from dockerlab import containers, running
from dockerlab.errors import ContainerFailed, DockerlabError

CREATED = {"org.dockerlab.course": "1", "org.dockerlab.created": "1", "org.dockerlab.call": "m1"}


class FakeContainer:
    def __init__(self, engine, container_id, name, labels):
        self.engine, self.id, self.name, self.labels = engine, container_id, name, labels
        self.status = "running"
        self.attrs = {"Image": "sha256:img", "Config": {"Image": "alpine:3.20", "Labels": labels},
                      "State": {"Status": "running", "ExitCode": 0}, "NetworkSettings": {}}

    def remove(self, **_):
        self.engine.removed.append(self.name)


class FakeContainers:
    """The engine's container lookups as it answers them: filters are regular expressions searched in
    "/NAME" and in the id; get() takes a full id, then an exact name, then a unique id prefix."""

    def __init__(self, engine, made):
        self.made = made

    def list(self, all=False, filters=None, ignore_removed=False):
        found = self.made
        if "name" in (filters or {}):
            found = [c for c in found if re.search(filters["name"], "/" + c.name)]
        if "id" in (filters or {}):
            found = [c for c in found if re.search(filters["id"], c.id)]
        return found

    def get(self, key):
        for test in (lambda c: c.id == key, lambda c: c.name == key):
            hit = [c for c in self.made if test(c)]
            if hit:
                return hit[0]
        hit = [c for c in self.made if c.id.startswith(key)]
        if len(hit) > 1:
            raise docker.errors.APIError("500 Server Error", explanation=f"Multiple IDs found with provided prefix: {key}")
        if not hit:
            raise docker.errors.NotFound(f"No such container: {key}")
        return hit[0]


class FakeEngine:
    def __init__(self):
        self.removed = []
        self.containers = FakeContainers(self, [
            FakeContainer(self, "8aebd" + "1" * 59, "t16-first", CREATED),
            FakeContainer(self, "08aa" + "2" * 60, "t16-a", CREATED),
            FakeContainer(self, "08bb" + "3" * 60, "t16-b", CREATED),
            FakeContainer(self, "77" + "4" * 62, "mine", {"org.dockerlab.course": "0"}),
        ])
        self.images = type("Images", (), {"get": staticmethod(lambda image: type("Image", (), {"labels": {}})())})()


def test_a_name_that_begins_another_containers_id_does_not_remove_that_container():
    engine = FakeEngine()
    containers._claim_name(engine, "8aeb")  # no container is named so: nothing to free
    containers._claim_name(engine, "08")
    assert engine.removed == []


def test_a_course_container_of_exactly_that_name_is_replaced_and_someone_elses_is_left_naming_it():
    engine = FakeEngine()
    containers._claim_name(engine, "t16-first")
    assert engine.removed == ["t16-first"]
    with pytest.raises(DockerlabError, match="A container named 'mine' already exists .*left alone"):
        containers._claim_name(engine, "mine")
    assert engine.removed == ["t16-first"]


def test_a_name_no_container_can_have_is_refused_before_the_engine_is_asked():
    with pytest.raises(DockerlabError, match=r"name='bad name!': the name is not valid for a container") as raised:
        containers._claim_name(None, "bad name!")
    assert "name=" in raised.value.fix


@pytest.mark.parametrize("given", ["bad name!", "a", "t16-firs", "8aebd1x"])
def test_state_of_a_name_nothing_has_says_so(monkeypatch, given):
    monkeypatch.setattr(running.engine, "client", FakeEngine)
    with pytest.raises(ContainerFailed, match="no container here has that name or id") as raised:
        running.state(given)
    assert "removed by" not in str(raised.value) and "docker ps -a" in raised.value.fix


def test_state_by_name_by_a_unique_id_prefix_and_an_ambiguous_one(monkeypatch):
    monkeypatch.setattr(running.engine, "client", FakeEngine)
    assert running.state("t16-first")["status"] == "running"
    assert running.state("8aeb")["status"] == "running"  # as `docker inspect 8aeb`
    with pytest.raises(ContainerFailed, match=r"the ids of 2 containers begin with it \(t16-a, t16-b\)"):
        running.state("08")
