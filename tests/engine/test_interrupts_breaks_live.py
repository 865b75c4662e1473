"""The clean-up of interrupted and failed classic builds, as a fresh verifier broke it (session 13): it must never remove
another process's untagged image built on the same base (a learner's `docker commit`, another build), and a Ctrl-C
right before config-only steps or during a base image's ONBUILD triggers must leave no image the build made."""
from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
import uuid

import docker.errors

import dockerlab as dl
from dockerlab import magics


def image_ids() -> set[str]:
    return {image["Id"] for image in dl.engine.client().api.images(all=True)}


def own_base(created) -> str:
    """A base image of this test's own (so the course's clean-up can only ever reach this test's images)."""
    tag = created.image(f"dockerlab-test/verify13-base-{uuid.uuid4().hex[:8]}:1")
    dl.engine.client().images.build(fileobj=__import__("io").BytesIO(f"FROM alpine:3.20\nLABEL mark={uuid.uuid4().hex}\n".encode()),
                                    tag=tag, rm=True)
    return tag


def commit_untagged(base: str) -> str:
    client = dl.engine.client()
    container = client.containers.create(base, "true")
    try:
        return client.api.commit(container.id)["Id"]
    finally:
        container.remove()


def remove_if_there(image_id: str) -> None:
    try:
        dl.engine.client().api.remove_image(image_id)
    except docker.errors.NotFound:
        pass


def test_ctrl_c_of_a_classic_build_keeps_an_untagged_commit_the_learner_made_meanwhile(tmp_path, created):
    base = own_base(created)
    (tmp_path / "Dockerfile").write_text(f"FROM {base}\nRUN echo {uuid.uuid4().hex} > /made\nRUN sleep 6050\n")
    code = f"import dockerlab as dl\ndl.build({str(tmp_path)!r}, tag='dockerlab-test/v13:1', builder='classic', progress=False)\n"
    process = subprocess.Popen([sys.executable, "-c", code], env={**__import__("os").environ, "DOCKERLAB_MODE": "live"})
    client = dl.engine.client()
    mine = ""
    try:
        deadline = time.monotonic() + 60
        while not any("sleep 6050" in c["Command"] for c in client.api.containers(all=True)):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        mine = commit_untagged(base)  # a learner's `docker commit` (no tag) in a terminal, while the build runs
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        assert mine in image_ids(), "the course removed an untagged image another process made during its build"
    finally:
        if process.poll() is None:
            process.kill()
        if mine:
            remove_if_there(mine)


def test_a_failed_classic_docker_magic_build_keeps_an_untagged_commit_the_learner_made_meanwhile(tmp_path, created, monkeypatch):
    monkeypatch.setattr(magics.buildkit, "choice", lambda: magics.buildkit.BuilderChoice("classic", "the engine API", "a test"))
    base = own_base(created)
    mark = uuid.uuid4().hex[:8]
    (tmp_path / "Dockerfile").write_text(f"FROM {base}\nRUN sleep 2 # {mark}\nRUN exit 3\n")
    client = dl.engine.client()
    made = {}

    def learner():
        while not any(mark in c["Command"] for c in client.api.containers(all=True)):
            time.sleep(0.1)
        made["id"] = commit_untagged(base)

    thread = threading.Thread(target=learner)
    thread.start()
    try:
        result = magics.docker(magics.split(f"build -t dockerlab-test/v13-magic:1 {tmp_path}"), progress=False)
        thread.join(timeout=30)
        assert result.exit_code == 3
        assert made["id"] in image_ids(), "a FAILED %docker build removed an untagged image another process made meanwhile"
    finally:
        thread.join(timeout=30)
        if made.get("id"):
            remove_if_there(made["id"])


def test_ctrl_c_right_after_a_step_committed_before_metadata_steps_leaves_no_intermediate_image(tmp_path, created):
    base = own_base(created)
    labels = "".join(f"LABEL l{n}={n}\n" for n in range(20))
    (tmp_path / "Dockerfile").write_text(f"FROM {base}\nRUN echo {uuid.uuid4().hex} > /made\n{labels}RUN sleep 6051\n")
    before = image_ids()
    code = f"import dockerlab as dl\ndl.build({str(tmp_path)!r}, tag='dockerlab-test/v13-meta:1', builder='classic', progress=False)\n"
    process = subprocess.Popen([sys.executable, "-c", code], env={**__import__("os").environ, "DOCKERLAB_MODE": "live"})
    left: set[str] = set()
    try:
        deadline = time.monotonic() + 60
        while not image_ids() - before:  # the RUN step is committed: a Ctrl-C now
            assert time.monotonic() < deadline
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        time.sleep(1)
        left = image_ids() - before
        assert not left, f"{len(left)} images of the interrupted build were left"
    finally:
        if process.poll() is None:
            process.kill()
        for image_id in sorted(left, key=lambda i: -len(dl.engine.client().api.history(i)) if i in image_ids() else 0):
            remove_if_there(image_id)


def test_ctrl_c_during_a_base_images_second_onbuild_trigger_leaves_no_intermediate_image(tmp_path, created):
    # the classic stream names no image id before or between the triggers: the first trigger's image is known by its record
    mark = uuid.uuid4().hex
    base = created.image(f"dockerlab-test/verify13-onbuild-{mark[:8]}:1")
    dl.engine.client().images.build(fileobj=__import__("io").BytesIO(
        f"FROM alpine:3.20\nONBUILD RUN echo {mark} > /t1\nONBUILD RUN sleep 6052\n".encode()), tag=base, rm=True)
    (tmp_path / "Dockerfile").write_text(f"FROM {base}\nRUN echo hi > /a\n")
    before, containers = image_ids(), {c["Id"] for c in dl.engine.client().api.containers(all=True)}
    code = f"import dockerlab as dl\ndl.build({str(tmp_path)!r}, tag='dockerlab-test/v13-onbuild-child:1', builder='classic', progress=False)\n"
    process = subprocess.Popen([sys.executable, "-c", code], env={**__import__("os").environ, "DOCKERLAB_MODE": "live"})
    client = dl.engine.client()
    left: set[str] = set()
    try:
        deadline = time.monotonic() + 60
        while not any("sleep 6052" in c["Command"] for c in client.api.containers(all=True)):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        left = image_ids() - before
        assert not left, f"{len(left)} images of the interrupted build were left"
        assert {c["Id"] for c in client.api.containers(all=True)} <= containers, "the trigger's step container was left"
    finally:
        if process.poll() is None:
            process.kill()
        for image_id in sorted(left, key=lambda i: -len(client.api.history(i)) if i in image_ids() else 0):
            remove_if_there(image_id)


def _interrupted_build_with(tmp_path, created, dockerfile: str, running: str, meanwhile) -> tuple[str, set[str]]:
    """Start a course classic build of ``dockerfile`` in a subprocess, wait for a container running ``running``, call
    ``meanwhile()`` (another process's work: returns the ids of the images it made), Ctrl-C the build; returns the ids
    and what the engine holds after."""
    (tmp_path / "Dockerfile").write_text(dockerfile)
    code = f"import dockerlab as dl\ndl.build({str(tmp_path)!r}, tag='dockerlab-test/v13b:1', builder='classic', progress=False)\n"
    process = subprocess.Popen([sys.executable, "-c", code], env={**__import__("os").environ, "DOCKERLAB_MODE": "live"})
    client = dl.engine.client()
    theirs: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while not any(running in c["Command"] for c in client.api.containers(all=True)):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        theirs = meanwhile()
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        return theirs, image_ids()
    finally:
        if process.poll() is None:
            process.kill()
        for image_id in reversed(theirs):
            remove_if_there(image_id)


def test_ctrl_c_of_a_classic_build_keeps_another_builds_image_made_on_a_step_it_took_from_the_cache(tmp_path, created):
    """Another folder's Dockerfile shares its first lines (a `docker build` without -t, classic builder): it takes the
    interrupted build's committed step from the cache and commits its own last step on it. That image is not the
    course build's, though its parent is."""
    base, mark = own_base(created), uuid.uuid4().hex
    other = tmp_path / "other"
    other.mkdir()
    (other / "Dockerfile").write_text(f"FROM {base}\nRUN echo {mark} > /m\nRUN echo other > /o\n")

    def other_build() -> list[str]:
        subprocess.run(["docker", "build", "-q", "--iidfile", str(other / "iid"), str(other)], check=True, capture_output=True,
                       env={**__import__("os").environ, "DOCKER_BUILDKIT": "0"})
        return [(other / "iid").read_text().strip()]

    build = tmp_path / "build"
    build.mkdir()
    theirs, after = _interrupted_build_with(build, created, f"FROM {base}\nRUN echo {mark} > /m\nRUN sleep 6051\n", "sleep 6051",
                                            other_build)
    assert theirs[0] in after, "the course removed the untagged image another build made on a step it took from the cache"


def test_ctrl_c_of_a_classic_build_keeps_a_learners_commit_whose_command_is_the_step_it_was_at(tmp_path, created):
    """A learner's `docker commit` (no tag) on the same base, of a container whose command is the very step the build
    is at (the course's "by hand first, then as a Dockerfile" pattern): its history records that step word for word
    (`sh -c sleep 6052`), but another process made it."""
    base = own_base(created)

    def learner_commit() -> list[str]:
        client = dl.engine.client()
        container = client.containers.create(base, ["sh", "-c", "sleep 6052"])
        try:
            return [client.api.commit(container.id)["Id"]]
        finally:
            container.remove()

    theirs, after = _interrupted_build_with(tmp_path, created, f"FROM {base}\nRUN sleep 6052\n", "sleep 6052", learner_commit)
    assert theirs[0] in after, "the course removed a learner's untagged commit whose history records the step it was at"
