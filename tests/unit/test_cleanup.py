"""Which images cleanup counts as the course's: those it built, never one built on them by hand."""
from __future__ import annotations

import importlib

import docker
import docker.errors
import requests.exceptions

from dockerlab import tagbook
from dockerlab.cleanup import course_made
from dockerlab.labels import BUILT_AS_LABEL, built_labels, normal_reference


class FakeImage:
    def __init__(self, tags, labels, steps=(), image_id=None):
        self.tags, self.labels, self._steps = list(tags), dict(labels), list(steps)
        self.id = image_id or "sha256:" + format(abs(hash((tuple(tags), tuple(steps)))), "064x")[:64]

    def history(self):  # newest first, as the engine gives it
        return [{"Created": number, "CreatedBy": step} for number, step in reversed(list(enumerate(self._steps)))]


BASE_STEPS = ["ADD rootfs", "CMD sh"]
BASE = FakeImage(["alpine:3.20"], {**built_labels("alpine:3.20"), "org.dockerlab.standin": "true"}, BASE_STEPS)


def test_an_image_built_by_hand_on_a_course_base_is_not_the_courses():
    mine = FakeImage(["my-greeter:1"], BASE.labels, [*BASE_STEPS, "COPY greet /"])  # every label inherited
    assert not course_made(mine, [BASE, mine])
    assert course_made(BASE, [BASE, mine])


def test_an_image_the_course_built_names_itself_even_with_another_tag_too():
    ours = FakeImage(["dockerlab-cache/app:latest", "copy:1"], built_labels("dockerlab-cache/app"), [*BASE_STEPS, "RUN x"])
    assert course_made(ours, [BASE, ours], {"dockerlab-cache/app:latest": {ours.id}})


def test_a_commit_or_a_hand_build_under_the_courses_tag_is_not_the_courses():
    """#16: `docker commit CONTAINER t16app:1` copies org.dockerlab.built-as=t16app:1 from its parent (so does
    a build by hand FROM t16app:1 -t t16app:1): only the id the course booked when it built t16app:1 is its."""
    built = FakeImage([], built_labels("t16app:1"), [*BASE_STEPS, "RUN x"], image_id="sha256:" + "a" * 64)
    commit = FakeImage(["t16app:1"], built_labels("t16app:1"), [*BASE_STEPS, "RUN x", "sh"], image_id="sha256:" + "c" * 64)
    book = {"t16app:1": {built.id}}
    assert not course_made(commit, [BASE, built, commit], book)
    assert not course_made(commit, [BASE, commit], {})
    assert course_made(built, [BASE, built, commit], book)  # the course's own earlier build, untagged by the commit
    from dockerlab.cleanup import _own_tags
    assert _own_tags(commit, False, book) == ([], ["t16app:1"])


def test_an_untagged_earlier_build_is_the_courses_an_untagged_derived_one_is_not():
    current = FakeImage(["app:1"], built_labels("app:1"), [*BASE_STEPS, "RUN new"])
    earlier = FakeImage([], built_labels("app:1"), [*BASE_STEPS, "RUN old"])
    derived = FakeImage([], built_labels("app:1"), [*BASE_STEPS, "RUN new", "CMD x"])
    orphan = FakeImage([], built_labels("gone:1"), [*BASE_STEPS, "RUN y"])
    everything = [BASE, current, earlier, derived, orphan]
    book = {"app:1": {current.id}}
    assert course_made(current, everything, book)
    assert course_made(earlier, everything, book)
    assert not course_made(derived, everything, book)
    assert not course_made(orphan, everything, book)  # nothing tells whose it is: it stays


def test_images_from_before_the_label_count_only_under_the_courses_own_names():
    legacy = {"org.dockerlab.course": "1"}
    assert course_made(FakeImage(["dockerlab-exercise/app:check"], legacy), [])
    assert course_made(FakeImage(["alpine:3.20"], {**legacy, "org.dockerlab.standin": "true"}), [])
    assert not course_made(FakeImage(["my-greeter:1"], {**legacy, "org.dockerlab.standin": "true"}), [])


def test_the_label_names_the_image_as_the_engine_lists_it():
    assert normal_reference("app") == "app:latest"
    assert normal_reference("docker.io/library/alpine:3.20") == "alpine:3.20"
    assert normal_reference("localhost:5000/app") == "localhost:5000/app:latest"
    assert built_labels(None)[BUILT_AS_LABEL] == ""


class FakeEngine:
    """Just enough of a docker client for cleanup(): no containers, networks or volumes; these images."""

    def __init__(self, images):
        self._images, self.removed = images, []
        nothing = type("Nothing", (), {"list": staticmethod(lambda **_: [])})()
        self.containers = self.networks = self.volumes = nothing
        self.images = type("Images", (), {"list": staticmethod(lambda **_: list(self._images))})()
        self.api = type("Api", (), {"remove_image": self._remove_image})()

    def _remove_image(self, reference, force=False, noprune=False):
        assert not force, "cleanup never forces: force takes every tag, a learner's too"
        self.removed.append(reference)


def test_cleanup_takes_off_only_the_courses_tag_of_an_image_you_tagged_too(monkeypatch):
    cleanup_module = importlib.import_module("dockerlab.cleanup")  # the package exports the function under the same name
    ours = FakeImage(["v16-course:1", "v16-mytag:1", "v16-my-own:5"], built_labels("v16-course:1"), [*BASE_STEPS, "RUN x"])
    ours.id, ours.short_id, ours.attrs = "sha256:ours", "sha256:ours"[:12], {"Created": "2"}
    alone = FakeImage(["dockerlab-cache/app:latest"], built_labels("dockerlab-cache/app"), [*BASE_STEPS, "RUN y"])
    alone.id, alone.short_id, alone.attrs = "sha256:alone", "sha256:alone"[:12], {"Created": "1"}
    tagbook.book_built("v16-course:1", ours.id)  # as dl.build does
    fake = FakeEngine([ours, alone])
    monkeypatch.setattr(cleanup_module.engine, "client", lambda: fake)
    result = cleanup_module.cleanup()
    assert fake.removed == ["v16-course:1", "dockerlab-cache/app:latest"]  # by name, never the id with force
    assert result["images"] == 1
    assert result["kept"] == ["image v16-course:1: tagged by you as v16-mytag:1, v16-my-own:5 (the course's tag was taken off)"]


class LowLevelApi:
    """The engine's HTTP API as the docker SDK's models call it: two course containers listed, one of
    which is gone by the time the SDK inspects it (removed by someone else meanwhile)."""

    def __init__(self):
        self.removed = []

    def containers(self, **_):
        return [{"Id": "gone"}, {"Id": "still-here"}]

    def inspect_container(self, container_id):
        if container_id == "gone":
            raise docker.errors.NotFound("No such container: gone")
        return {"Id": container_id, "Name": f"/{container_id}", "Config": {"Labels": {"org.dockerlab.created": "1", "org.dockerlab.call": "x"}}}

    def remove_container(self, container_id, **_):
        self.removed.append(container_id)

    def networks(self, **_):
        return []

    def volumes(self, **_):
        return {"Volumes": []}

    def images(self, **_):
        return []


class CommittedImageApi(LowLevelApi):
    """Three containers the engine lists under org.dockerlab.created=1: one the course made from a plain
    image; one started by hand from an image `docker commit` made of a course container (it inherits
    the created label and that container's call mark from the image); one the course made from that
    same image (its own, fresh call mark)."""

    CONTAINERS = {"ours": ("sha256:plain", "a"), "by-hand": ("sha256:committed", "b"), "ours-too": ("sha256:committed", "c")}
    IMAGES = {"sha256:plain": {}, "sha256:committed": {"org.dockerlab.course": "1", "org.dockerlab.created": "1", "org.dockerlab.call": "b"}}

    def containers(self, **_):
        return [{"Id": name} for name in self.CONTAINERS]

    def inspect_container(self, container_id):
        image, mark = self.CONTAINERS[container_id]
        return {"Id": container_id, "Name": f"/{container_id}", "Image": image,
                "Config": {"Labels": {"org.dockerlab.course": "1", "org.dockerlab.created": "1", "org.dockerlab.call": mark}}}

    def inspect_image(self, image):
        return {"Id": image, "Config": {"Labels": self.IMAGES[image]}}



def _cleanup_over(api, monkeypatch):
    """dl.cleanup() run against ``api`` (a fake low-level API) through the SDK's own models: (client, result)."""
    cleanup_module = importlib.import_module("dockerlab.cleanup")
    client = docker.DockerClient.__new__(docker.DockerClient)
    client.api = api
    monkeypatch.setattr(cleanup_module.engine, "client", lambda: client)
    return client, cleanup_module.cleanup()

def test_cleanup_leaves_a_container_that_inherits_the_created_label_from_a_committed_image(monkeypatch):
    client, result = _cleanup_over(CommittedImageApi(), monkeypatch)
    assert client.api.removed == ["ours", "ours-too"] and result["containers"] == 2


def test_cleanup_goes_on_past_a_container_that_went_away_while_it_listed_them(monkeypatch):
    client, result = _cleanup_over(LowLevelApi(), monkeypatch)
    assert client.api.removed == ["still-here"] and result["containers"] == 1 and result["not removed"] == []
    assert importlib.import_module("dockerlab.cleanup").leftovers()["containers"] == ["still-here"]


class HistoryFails(FakeImage):
    def __init__(self, tags, labels, error):
        super().__init__(tags, labels)
        self.error, self.id, self.short_id, self.attrs = error, "sha256:untagged", "sha256:untag", {"Created": "1"}

    def history(self):
        raise self.error


def test_cleanup_goes_on_when_it_cannot_tell_whose_an_image_is(monkeypatch):
    cleanup_module = importlib.import_module("dockerlab.cleanup")
    current = FakeImage(["app:1"], built_labels("app:1"), [*BASE_STEPS, "RUN new"])
    current.id, current.short_id, current.attrs = "sha256:current", "sha256:curr", {"Created": "2"}
    gone = HistoryFails([], built_labels("app:1"), docker.errors.NotFound("No such image: sha256:untagged"))
    refused = HistoryFails([], built_labels("app:1"), docker.errors.APIError("500 Server Error: Internal Server Error (\"layer store busy\")"))
    tagbook.book_built("app:1", current.id)
    fake = FakeEngine([current, gone, refused])
    monkeypatch.setattr(cleanup_module.engine, "client", lambda: fake)
    result = cleanup_module.cleanup()
    assert fake.removed == ["app:1"] and result["images"] == 1  # the rest is still removed
    assert len(result["not removed"]) == 1 and result["not removed"][0].startswith("image sha256:untag: ")
    assert "layer store busy" in result["not removed"][0]  # the engine's reason; the image gone meanwhile is not reported


def test_compose_down_goes_on_past_a_container_that_went_away_while_it_listed_them(monkeypatch):
    from dockerlab import compose

    client = docker.DockerClient.__new__(docker.DockerClient)
    client.api = LowLevelApi()
    monkeypatch.setattr(compose.engine, "client", lambda: client)
    stack = compose.ComposeProject.__new__(compose.ComposeProject)  # no compose file needed: `down` itself is faked
    stack.name, ran = "demo", []
    monkeypatch.setattr(stack, "_run", lambda *arguments, **keywords: ran.append(arguments))
    assert stack._objects()["containers"] == {"still-here"}
    stack.down()
    assert ran and ran[0][0] == "down"


def test_cleanup_takes_off_the_tags_the_course_booked_and_an_image_only_they_name(monkeypatch):
    """#17: `%docker tag`/`pull` and a registry push book the tags they put on a course image; cleanup removes
    them (and an image pulled back under such a name only), never a tag the book does not list for that image."""

    cleanup_module = importlib.import_module("dockerlab.cleanup")
    ours = FakeImage(["hello:1", "127.0.0.1:5000/course/hello:cli", "mine:1"], built_labels("hello:1"), [*BASE_STEPS, "RUN x"])
    ours.id, ours.short_id, ours.attrs = "sha256:ours", "sha256:ours"[:12], {"Created": "2"}
    pulled = FakeImage(["127.0.0.1:5000/course/old:cli"], built_labels("old:1"), [*BASE_STEPS, "RUN y"])  # its build tag was removed
    pulled.id, pulled.short_id, pulled.attrs = "sha256:pulled", "sha256:pulled"[:12], {"Created": "1"}
    moved = FakeImage(["127.0.0.1:5000/course/moved:cli"], built_labels("other:1"), [*BASE_STEPS, "RUN z"])  # booked for another image
    moved.id, moved.short_id, moved.attrs = "sha256:moved", "sha256:moved"[:12], {"Created": "0"}
    tagbook.book_built("hello:1", ours.id)
    tagbook.book_built("old:1", pulled.id)
    for tag, image in [("127.0.0.1:5000/course/hello:cli", ours), ("127.0.0.1:5000/course/old:cli", pulled), ("127.0.0.1:5000/course/moved:cli", ours)]:
        assert tagbook.book(tag, {"Id": image.id, "RepoTags": image.tags + ["old:1"], "Config": {"Labels": image.labels}})
    fake = FakeEngine([ours, pulled, moved])
    monkeypatch.setattr(cleanup_module.engine, "client", lambda: fake)
    result = cleanup_module.cleanup()
    assert fake.removed == ["hello:1", "127.0.0.1:5000/course/hello:cli", "127.0.0.1:5000/course/old:cli"], fake.removed
    assert result["kept"] == ["image hello:1, 127.0.0.1:5000/course/hello:cli: tagged by you as mine:1 (the course's tag was taken off)"]


def test_a_tag_of_a_learners_own_image_is_never_booked():

    labels = built_labels("alpine:3.20")  # inherited from the stand-in base it was built on by hand
    assert not tagbook.book("mine:2", {"Id": "sha256:mine", "RepoTags": ["mine:1"], "Config": {"Labels": labels}})
    assert not tagbook.book("theirs:2", {"Id": "sha256:theirs", "RepoTags": ["theirs:1"], "Config": {"Labels": {}}})
    assert tagbook.booked() == {}


def test_the_tags_a_docker_command_makes_are_read_from_its_words():
    from dockerlab.magics import _made_tags, split

    assert _made_tags(split("tag hello:1 127.0.0.1:5000/course/hello:cli")) == ["127.0.0.1:5000/course/hello:cli"]
    assert _made_tags(split("docker pull 127.0.0.1:5000/course/hello:cli")) == ["127.0.0.1:5000/course/hello:cli"]
    assert _made_tags(split("pull 127.0.0.1:5000/course/hello@sha256:" + "a" * 64)) == []
    assert _made_tags(split("build -t a:1 --tag b:2 --tag=c -td:1 .")) == ["a:1", "b:2", "c", "d:1"]
    assert _made_tags(split("run -t alpine:3.20 sh")) == [] and _made_tags(split("images")) == []


class EngineStopsAnswering(LowLevelApi):
    """Four course containers and a course volume: the engine does not answer in time while removing one container
    (ReadTimeout), drops the connection for another (ConnectionError), the SDK refuses the volume (a DockerException),
    and removes the rest."""

    def containers(self, **_):
        return [{"Id": name} for name in ("slow", "cut-off", "still-here", "also-here")]

    def remove_container(self, container_id, **_):
        if container_id == "slow":
            raise requests.exceptions.ReadTimeout("UnixHTTPConnectionPool(host='localhost', port=None): Read timed out. (read timeout=60)")
        if container_id == "cut-off":
            raise requests.exceptions.ConnectionError("('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))")
        self.removed.append(container_id)

    def volumes(self, **_):
        return {"Volumes": [{"Name": "course-data", "Labels": {"org.dockerlab.created": "1"}}]}

    def remove_volume(self, name, force=False):
        raise docker.errors.DockerException(f"Error while removing {name}: the SDK gave up")


def test_cleanup_goes_on_past_an_engine_that_does_not_answer_for_one_object_and_says_which(monkeypatch):
    client, result = _cleanup_over(EngineStopsAnswering(), monkeypatch)
    assert client.api.removed == ["still-here", "also-here"] and result["containers"] == 2 and result["volumes"] == 0
    slow, cut_off, volume = result["not removed"]
    assert slow.startswith("container slow: no answer in time") and "ReadTimeout" in slow and "DOCKER_HOST" in slow
    assert cut_off.startswith("container cut-off: ") and "Connection reset by peer" in cut_off
    assert cut_off.startswith("container cut-off: no answer (ConnectionError: ")
    assert volume.startswith("volume course-data: the Docker SDK did not remove it") and "the SDK gave up" in volume


def test_cleanup_goes_on_when_the_engine_does_not_answer_whose_an_image_is(monkeypatch):
    cleanup_module = importlib.import_module("dockerlab.cleanup")
    current = FakeImage(["app:1"], built_labels("app:1"), [*BASE_STEPS, "RUN new"])
    current.id, current.short_id, current.attrs = "sha256:current", "sha256:curr", {"Created": "2"}
    slow = HistoryFails([], built_labels("app:1"), requests.exceptions.ReadTimeout("Read timed out. (read timeout=60)"))
    tagbook.book_built("app:1", current.id)
    fake = FakeEngine([current, slow])
    monkeypatch.setattr(cleanup_module.engine, "client", lambda: fake)
    result = cleanup_module.cleanup()
    assert fake.removed == ["app:1"] and result["images"] == 1
    assert len(result["not removed"]) == 1 and result["not removed"][0].startswith("image sha256:untag: could not tell")
    assert "Read timed out" in result["not removed"][0]
