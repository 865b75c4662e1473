"""#22 leftovers: an attempt that rebuilds the same tag (an exercise check, an experiment's repeat) removes the image
the course built as that tag before, so ten attempts leave one image; never a learner's image under the tag, one a
container uses, or one that still has a name. And multi_stage removes a variant it refuses to measure. Without an
engine: a fake one that moves tags as a build does."""
from __future__ import annotations

from types import SimpleNamespace

import docker.errors
import pytest

from dockerlab import builder, experiments, tagbook
from dockerlab.errors import ContainerFailed, DockerUnavailable

TAG = "dockerlab-exercise/app:check"
EARLIER, NEW = "sha256:" + "ab" * 32, "sha256:" + "cd" * 32


class FakeEngine:
    """Images by id with their tags; containers by the image id they run; remove_image as the engine does it
    (a tag: untag, and delete the image when it was its last name; an id: delete it, refused while it is named)."""

    def __init__(self, images: dict[str, list[str]], users: dict[str, str] | None = None) -> None:
        self.images, self.users, self.removed = images, users or {}, []
        self.api = self

    def _id(self, reference: str) -> str:
        if reference in self.images:
            return reference
        found = [image_id for image_id, tags in self.images.items() if reference in tags]
        if not found:
            raise docker.errors.ImageNotFound(f"No such image: {reference}")
        return found[0]

    def inspect_image(self, reference):
        image_id = self._id(reference)
        return {"Id": image_id, "RepoTags": list(self.images[image_id])}

    def containers(self, all=False, filters=None):
        wanted = (filters or {}).get("ancestor")
        return [{"Id": name, "ImageID": image_id, "Names": [f"/{name}"]} for name, image_id in self.users.items() if image_id == wanted]

    def remove_image(self, reference, force=False, noprune=False):
        image_id = self._id(reference)
        self.removed.append((reference, force))
        if reference != image_id:
            self.images[image_id].remove(reference)
            if self.images[image_id]:
                return
        elif self.images[image_id] or image_id in self.users.values():
            raise docker.errors.APIError("conflict: unable to delete (must be forced)")
        del self.images[image_id]

    def build(self, tag: str, image_id: str):
        """What a build does: ``tag`` moves to ``image_id``."""
        for tags in self.images.values():
            if tag in tags:
                tags.remove(tag)
        self.images.setdefault(image_id, []).append(tag)
        return SimpleNamespace(image_id=image_id, seconds=1.0)


@pytest.fixture
def attempt(monkeypatch):
    def attempt(fake: FakeEngine, built: str = NEW):
        monkeypatch.setattr(builder.engine, "client", lambda: fake)
        monkeypatch.setattr(builder, "build", lambda context, dockerfile=None, *, tag, **options: fake.build(tag, built))
        return builder.build_replacing("ctx", "Dockerfile", tag=TAG, progress=False)
    return attempt


def test_the_earlier_attempts_image_goes_when_the_tag_moves_on(attempt):
    tagbook.book_built(TAG, EARLIER)
    fake = FakeEngine({EARLIER: [TAG]})
    assert attempt(fake).image_id == NEW
    assert fake.images == {NEW: [TAG]} and fake.removed == [(EARLIER, False)]  # by id, never forced


def test_ten_attempts_leave_one_image(attempt):
    fake = FakeEngine({})
    for number in range(10):
        built = f"sha256:{number:064x}"
        attempt(fake, built)
        tagbook.book_built(TAG, built)  # as build() books each one
    assert list(fake.images) == [f"sha256:{9:064x}"]


def test_a_build_that_gives_the_same_image_removes_nothing(attempt):
    tagbook.book_built(TAG, EARLIER)
    fake = FakeEngine({EARLIER: [TAG]})
    attempt(fake, EARLIER)
    assert fake.images == {EARLIER: [TAG]} and fake.removed == []


@pytest.mark.parametrize("images, users", [
    ({EARLIER: [TAG, "mine:1"]}, {}),  # the learner tagged it too: it keeps that name
    ({EARLIER: [TAG]}, {"web": EARLIER}),  # a container runs it
])
def test_an_earlier_image_someone_still_uses_stays(attempt, images, users):
    tagbook.book_built(TAG, EARLIER)
    fake = FakeEngine(images, users)
    attempt(fake)
    assert EARLIER in fake.images and fake.removed == []


def test_a_learners_image_under_the_courses_tag_is_never_touched(attempt):
    """A `docker commit` or a build by hand under the tag: the book has no record of its id."""
    fake = FakeEngine({EARLIER: [TAG]})
    attempt(fake)
    assert EARLIER in fake.images and fake.removed == []


def test_an_engine_that_refuses_leaves_the_earlier_image_and_the_result_stands(attempt):
    tagbook.book_built(TAG, EARLIER)

    class Refusing(FakeEngine):
        def remove_image(self, reference, force=False, noprune=False):
            raise docker.errors.APIError("conflict: image has dependent child images")

    fake = Refusing({EARLIER: [TAG]})
    assert attempt(fake).image_id == NEW and EARLIER in fake.images


def test_no_engine_before_the_build_is_build_s_own_answer(monkeypatch):
    """DOCKER_HOST points nowhere here: looking for the earlier image says nothing; the build itself says what failed."""
    asked = []
    monkeypatch.setattr(builder, "build", lambda *arguments, **options: asked.append(options) or builder.engine.client())
    with pytest.raises(DockerUnavailable):
        builder.build_replacing("ctx", tag=TAG)
    assert asked == [{"tag": TAG}]


@pytest.mark.parametrize("served", [False, None])
def test_multi_stage_removes_the_image_of_a_variant_it_refuses(monkeypatch, tmp_path, served):
    """It built, but does not run to 0 (must_run) or does not start at all (containers.run raises): no image of it stays."""
    fake = FakeEngine({})
    monkeypatch.setattr(experiments.engine, "client", lambda: fake)
    monkeypatch.setattr(experiments, "build_replacing", lambda context, dockerfile, *, tag, **options: fake.build(tag, NEW))

    def run(image):
        if served is None:
            raise ContainerFailed(image, "run", "exec: no such file", "Fix the CMD.")
        return SimpleNamespace(ok=False, exit_code=2, output="panic")

    monkeypatch.setattr(experiments.containers, "run", run)
    with pytest.raises(ContainerFailed):
        experiments.multi_stage(tmp_path, {"broken": "Dockerfile"}, must_run=True)
    assert fake.images == {} and fake.removed == [(experiments.course_tag("stages", "broken"), False)]
