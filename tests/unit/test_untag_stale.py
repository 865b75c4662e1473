"""Which tag a failed or interrupted build takes off (issue 16 items 3 and 10), without an engine: only an
image the course built under that very tag, also when a container uses it (forced, as `docker rmi -f TAG`);
never a tag the learner put on another image, nor a stand-in base's own name. The engine tests in
tests/engine/test_not_ours_live.py compare the same with plain docker."""
from __future__ import annotations

from types import SimpleNamespace

import docker.errors
import pytest

from dockerlab.builder import _untag_stale


class FakeApi:
    def __init__(self, labels: dict | None) -> None:
        self.labels, self.removed = labels, []

    def inspect_image(self, tag):
        if self.labels is None:
            raise docker.errors.ImageNotFound("no such image")
        return {"Config": {"Labels": self.labels}}

    def remove_image(self, tag, force=False, noprune=False):
        self.removed.append((tag, force, noprune))


def untagged(tag: str, labels: dict | None) -> list:
    api = FakeApi(labels)
    _untag_stale(SimpleNamespace(api=api), tag)
    return api.removed


def test_the_courses_own_earlier_image_is_untagged_even_when_a_container_uses_it():
    assert untagged("dockerlab-test/inh:1", {"org.dockerlab.built-as": "dockerlab-test/inh:1"}) == [("dockerlab-test/inh:1", True, True)]


@pytest.mark.parametrize("tag, labels", [
    ("t16own:1", {"org.dockerlab.built-as": "python:3.11-slim", "org.dockerlab.standin-for": "python:3.11-slim"}),  # docker tag python:3.11-slim t16own:1
    ("python:3.11-slim", {"org.dockerlab.built-as": "python:3.11-slim", "org.dockerlab.standin-for": "python:3.11-slim"}),  # a base itself
    ("my-app:1", {"org.dockerlab.course": "1"}),  # built by hand FROM a course image
    ("my-app:1", {}),
    ("nothing-here:1", None),
])
def test_a_tag_the_course_did_not_make_stays(tag, labels):
    assert untagged(tag, labels) == []


def test_an_image_built_on_a_stand_in_under_its_own_tag_is_the_courses():
    labels = {"org.dockerlab.built-as": "app:latest", "org.dockerlab.standin-for": "alpine:3.20"}  # inherited from FROM alpine:3.20
    assert untagged("app", labels) == [("app", True, True)]
