"""Which tag a failed or interrupted build takes off (issue 16 items 3 and 10), without an engine: only the
image the course built under that very tag (its id in the tag book), never forced (a container's image keeps
its tag, and the message says why); never a learner's `docker commit` or hand build under that tag (it copies
the labels), a tag the learner put on another image, nor a stand-in base's own name. The engine tests in
tests/engine/test_not_ours_live.py compare the same with plain docker."""
from __future__ import annotations

from types import SimpleNamespace

import docker.errors
import pytest

from dockerlab import tagbook
from dockerlab.builder import _untag_stale

EARLIER = "sha256:" + "ab" * 32


class FakeApi:
    def __init__(self, labels: dict | None, image_id: str = EARLIER) -> None:
        self.labels, self.removed, self.image_id = labels, [], image_id

    def inspect_image(self, tag):
        if self.labels is None:
            raise docker.errors.ImageNotFound("no such image")
        return {"Id": self.image_id, "Config": {"Labels": self.labels}}

    def containers(self, all=False, filters=None):
        return []

    def remove_image(self, tag, force=False, noprune=False):
        self.removed.append((tag, force, noprune))


def untagged(tag: str, labels: dict | None, image_id: str = EARLIER) -> list:
    api = FakeApi(labels, image_id)
    _untag_stale(SimpleNamespace(api=api), tag)
    return api.removed


@pytest.fixture(autouse=True)
def _built_earlier():
    """The course built EARLIER as each tag these tests use (the unit conftest gives each test its own book)."""
    for tag in ("dockerlab-test/inh:1", "app", "hello:1", "t16app:1"):
        tagbook.book_built(tag, EARLIER)


def test_the_courses_own_earlier_image_is_untagged_never_forced():
    assert untagged("dockerlab-test/inh:1", {"org.dockerlab.built-as": "dockerlab-test/inh:1"}) == [("dockerlab-test/inh:1", False, True)]


def test_a_commit_under_the_courses_tag_is_the_learners_and_stays():
    """#16: `docker commit C t16app:1` copies org.dockerlab.built-as=t16app:1 from its parent: it has another id
    than the one the course built as t16app:1, so a failed build leaves it, and says so."""
    api = FakeApi({"org.dockerlab.course": "1", "org.dockerlab.built-as": "t16app:1"}, image_id="sha256:" + "cd" * 32)
    said = _untag_stale(SimpleNamespace(api=api), "t16app:1")
    assert api.removed == []
    assert "t16app:1 still names the image cdcdcdcdcdcd, which the course did not build" in said and "earlier build" not in said, said


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
    assert untagged("app", labels) == [("app", False, True)]


class UsedApi(FakeApi):
    """An earlier course image that a container uses: removing the tag leaves the image (``kept``) or not."""

    def __init__(self, users: list[dict], kept: bool) -> None:
        super().__init__({"org.dockerlab.built-as": "hello:1"})
        self.users, self.kept = users, kept

    def inspect_image(self, reference):
        if reference.startswith("sha256:") and not self.kept:  # asked by id after the tag was taken off
            raise docker.errors.ImageNotFound("no such image")
        return {"Id": "sha256:" + "ab" * 32, "Config": {"Labels": self.labels}}

    def remove_image(self, tag, force=False, noprune=False):
        super().remove_image(tag, force, noprune)
        if self.users and not force:  # the engine keeps a tag a container's image needs unless forced
            raise docker.errors.APIError("conflict: unable to remove repository reference (must force)")

    def containers(self, all=False, filters=None):
        assert all and filters == {"ancestor": "sha256:" + "ab" * 32}
        return self.users


def test_a_tag_a_container_needs_stays_and_the_failure_says_why():
    """#16: never forced: the engine keeps the tag while a container uses the earlier image; the BuildFailed
    message says the tag still names the earlier build, which container holds it and what to do."""
    from dockerlab.builder import _buildkit_failure
    from dockerlab.buildkit import PlainProgressParser

    users = [{"Id": "c" * 64, "Names": ["/web"], "State": "running", "ImageID": "sha256:" + "ab" * 32},
             {"Id": "d" * 64, "Names": ["/child"], "State": "running", "ImageID": "sha256:" + "ef" * 32}]  # built FROM it: not a user
    api = UsedApi(users, kept=True)
    said = _untag_stale(SimpleNamespace(api=api), "hello:1")
    assert api.removed == [("hello:1", False, True)]
    assert "hello:1 still names the image of an earlier build (abababababab)" in said, said
    assert "your container web uses it" in said and "does not force-remove" in said and "docker rm -f web" in said and "docker rmi hello:1" in said, said
    assert "child" not in said
    failure = _buildkit_failure(PlainProgressParser(), [], 1, said)
    assert failure.untagged == said and said in str(failure)


def test_an_untagged_image_no_container_uses_says_only_that_the_tag_names_nothing():
    said = _untag_stale(SimpleNamespace(api=UsedApi([], kept=False)), "hello:1")
    assert said.endswith("rather than code this Dockerfile did not build.") and "container" not in said


def test_nothing_untagged_says_nothing():
    assert _untag_stale(SimpleNamespace(api=FakeApi({})), "my-app:1") == ""
