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


class UsedApi(FakeApi):
    """An earlier course image that a container uses: removing the tag leaves the image (``kept``) or not."""

    def __init__(self, users: list[dict], kept: bool) -> None:
        super().__init__({"org.dockerlab.built-as": "hello:1"})
        self.users, self.kept = users, kept

    def inspect_image(self, reference):
        if reference.startswith("sha256:") and not self.kept:  # asked by id after the tag was taken off
            raise docker.errors.ImageNotFound("no such image")
        return {"Id": "sha256:" + "ab" * 32, "Config": {"Labels": self.labels}}

    def containers(self, all=False, filters=None):
        assert all and filters == {"ancestor": "sha256:" + "ab" * 32}
        return self.users


def test_the_failure_says_the_tag_names_nothing_now_and_what_your_container_still_runs():
    """#16: the BuildFailed message says the earlier image was untagged and which container still runs it."""
    from dockerlab.builder import _buildkit_failure
    from dockerlab.buildkit import PlainProgressParser

    users = [{"Id": "c" * 64, "Names": ["/web"], "State": "running", "ImageID": "sha256:" + "ab" * 32},
             {"Id": "d" * 64, "Names": ["/child"], "State": "running", "ImageID": "sha256:" + "ef" * 32}]  # built FROM it: not a user
    api = UsedApi(users, kept=True)
    said = _untag_stale(SimpleNamespace(api=api), "hello:1")
    assert api.removed == [("hello:1", True, True)]
    assert "hello:1 now names no image" in said and "abababababab" in said, said
    assert "your container web (running) uses it" in said and "still runs that earlier build" in said and "docker rm -f web" in said, said
    assert "child" not in said
    failure = _buildkit_failure(PlainProgressParser(), [], 1, said)
    assert failure.untagged == said and said in str(failure)


def test_an_untagged_image_no_container_uses_says_only_that_the_tag_names_nothing():
    said = _untag_stale(SimpleNamespace(api=UsedApi([], kept=False)), "hello:1")
    assert said.endswith("rather than code this Dockerfile did not build.") and "container" not in said


def test_nothing_untagged_says_nothing():
    assert _untag_stale(SimpleNamespace(api=FakeApi({})), "my-app:1") == ""
