"""Issue 16, after a fresh tester: the course never removes, retags or overwrites what it did not make, and
what a failed or interrupted call made is removed. Each test compares with what plain docker/docker compose
does: they leave a learner's volume, tag and container alone."""
from __future__ import annotations

import socket
import subprocess
import uuid

import docker.errors
import pytest

import dockerlab as dl
from dockerlab.labels import CREATED_LABEL


def _suffix() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture
def external_volume():
    """A volume made by hand (`docker volume create`), holding a file: the learner's data."""
    client = dl.engine.client()
    name = f"dockerlab-test-ext-{_suffix()}"
    client.volumes.create(name)
    client.containers.run("alpine:3.20", ["sh", "-c", "echo precious > /e/data"], volumes={name: {"bind": "/e"}}, remove=True)
    yield name
    try:
        client.volumes.get(name).remove(force=True)
    except docker.errors.NotFound:
        pass


def _still_holds_the_data(name: str) -> bool:
    try:
        dl.engine.client().volumes.get(name)
    except docker.errors.NotFound:
        return False
    output = dl.engine.client().containers.run("alpine:3.20", ["cat", "/e/data"], volumes={name: {"bind": "/e"}}, remove=True)
    return output.decode().strip() == "precious"


EXTERNAL = ('services:\n  web:\n    image: alpine:3.20\n    command: {command}\n    volumes: [ext:/e, /anonymous]\n'
            'volumes:\n  ext: {{external: true, name: {name}}}\n')


def test_compose_never_removes_an_external_volume(tmp_path, external_volume):
    # `docker compose down -v` leaves an external volume; so must every course path that removes volumes
    before = {volume.name for volume in dl.engine.client().volumes.list()}
    (tmp_path / "compose.yaml").write_text(EXTERNAL.format(command='["sleep", "600"]', name=external_volume))
    with dl.compose.project(tmp_path) as stack:
        stack.up(timeout=60)
    assert _still_holds_the_data(external_volume)
    stack = dl.compose.project(tmp_path)
    stack.up(timeout=60)
    stack.down()
    assert _still_holds_the_data(external_volume)
    (tmp_path / "compose.yaml").write_text(EXTERNAL.format(command='["sh", "-c", "exit 3"]', name=external_volume))
    with pytest.raises(dl.compose.ComposeFailed):
        dl.compose.project(tmp_path).up(timeout=30)
    assert _still_holds_the_data(external_volume)
    assert {volume.name for volume in dl.engine.client().volumes.list()} == before  # the anonymous volumes went


def test_a_failed_build_leaves_a_tag_the_course_did_not_make(tmp_path):
    # `docker build -t T` that fails leaves T as it was; the course's promise covers only images it built as T
    client = dl.engine.client()
    alpine = client.images.get("alpine:3.20").id
    own = f"dockerlab-test-own-{_suffix()}:1"
    client.api.tag("alpine:3.20", own)
    try:
        for tag in (own, "alpine:3.20"):
            with pytest.raises(dl.BuildFailed):
                dl.build(tmp_path, "FROM alpine:3.20\nRUN exit 3\n", tag=tag, progress=False)
            assert client.images.get(tag).id == alpine, f"{tag} was untagged"
    finally:
        client.api.tag(alpine, "alpine", "3.20")  # should the promise have untagged it
        client.api.remove_image(own)


def test_a_failed_build_untags_its_earlier_image_but_never_forces_one_a_container_uses(tmp_path, created):
    client = dl.engine.client()
    tag = created.image(f"dockerlab-test/inh-{_suffix()}:1")
    dl.build(tmp_path, "FROM alpine:3.20\nRUN echo first > /f\n", tag=tag, progress=False)
    with pytest.raises(dl.BuildFailed) as failed:
        dl.build(tmp_path, "FROM alpine:3.20\nRUN exit 3\n", tag=tag, progress=False)
    with pytest.raises(docker.errors.ImageNotFound):
        client.images.get(tag)
    assert f"{tag} now names no image" in str(failed.value)
    dl.build(tmp_path, "FROM alpine:3.20\nRUN echo second > /f\n", tag=tag, progress=False)
    old = client.images.get(tag).id
    user = client.containers.create(tag, "true", name=created.name("uses-old"))
    created.containers.append(user)
    with pytest.raises(dl.BuildFailed) as failed:
        dl.build(tmp_path, "FROM alpine:3.20\nRUN exit 3\n", tag=tag, progress=False)
    assert client.images.get(tag).id == old  # #16: not forced: the tag stays while a container uses the image
    said = str(failed.value)
    assert f"{tag} still names the image of an earlier build ({old.removeprefix('sha256:')[:12]})" in said, said
    assert user.name in said and f"docker rm -f {user.name}" in said and f"docker rmi {tag}" in said, said
    user.remove(force=True)


def test_a_failed_build_leaves_a_learners_commit_under_the_courses_tag(tmp_path, created):
    """#16: `docker commit` copies org.dockerlab.built-as from the course image; a failed build under that tag,
    and `dockerlab clean`, leave the commit (the course booked another id), and the build says why."""
    client = dl.engine.client()
    tag = created.image(f"t16app-{_suffix()}:1")
    dl.build(tmp_path, "FROM alpine:3.20\nRUN echo built > /f\n", tag=tag, progress=False)
    worker = client.containers.run(tag, ["sh", "-c", "echo learner > /mine"], detach=True, name=created.name("commit-src"))
    created.containers.append(worker)
    worker.wait(timeout=30)
    commit = worker.commit(repository=tag.rsplit(":", 1)[0], tag="1")
    assert commit.labels.get("org.dockerlab.built-as") == tag  # copied from its parent
    with pytest.raises(dl.BuildFailed) as failed:
        dl.build(tmp_path, "FROM alpine:3.20\nRUN exit 3\n", tag=tag, progress=False)
    assert client.images.get(tag).id == commit.id
    assert "which the course did not build" in str(failed.value), str(failed.value)
    from dockerlab.cleanup import _own_tags, booked, course_made  # what `dockerlab clean` decides, without removing everything else
    image = client.images.get(tag)
    assert not course_made(image, client.images.list(all=True, filters={"label": "org.dockerlab.course=1"}))
    assert _own_tags(image, False, booked())[0] == []
    worker.remove(force=True)
    client.images.remove(commit.id)


def test_a_failed_push_leaves_the_learners_tag_where_it_was():
    client = dl.engine.client()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mine = f"127.0.0.1:{port}/dockerlab-test-mine"
    python = client.images.get("python:3.11-slim").id
    client.api.tag("python:3.11-slim", mine, "latest")  # the learner's own tag, made before
    try:
        registry = dl.registry.local_registry(port=port, name=f"dockerlab-test-registry-{_suffix()}")
        registry.stop()
        with pytest.raises(dl.DockerlabError):
            registry.push("alpine:3.20", "dockerlab-test-mine")
        assert client.images.get(f"{mine}:latest").id == python
    finally:
        try:
            client.api.remove_image(f"{mine}:latest")
        except docker.errors.NotFound:
            pass


def test_a_failed_start_removes_the_named_volume_it_made_and_keeps_one_that_was_there():
    client = dl.engine.client()
    new, old = f"dockerlab-test-newvol-{_suffix()}", f"dockerlab-test-oldvol-{_suffix()}"
    client.volumes.create(old)
    try:
        with socket.socket() as holder:
            holder.bind(("127.0.0.1", 0))
            holder.listen()
            before = {volume.name for volume in client.volumes.list()}
            with pytest.raises(dl.DockerlabError, match="already in use"):
                dl.start("alpine:3.20", ["sleep", "5"], ports={"80/tcp": holder.getsockname()[1]},
                         volumes={new: {"bind": "/data"}, old: {"bind": "/old"}})
            assert {volume.name for volume in client.volumes.list()} == before
    finally:
        for name in (new, old):
            try:
                client.volumes.get(name).remove(force=True)
            except docker.errors.NotFound:
                pass


def test_a_named_volume_a_course_container_makes_is_labelled_so_cleanup_finds_it():
    client = dl.engine.client()
    name = f"dockerlab-test-labelled-{_suffix()}"
    try:
        dl.run("alpine:3.20", ["true"], volumes={name: {"bind": "/data"}})
        assert client.volumes.get(name).attrs["Labels"].get(CREATED_LABEL) == "1"
    finally:
        try:
            client.volumes.get(name).remove(force=True)
        except docker.errors.NotFound:
            pass


@pytest.mark.parametrize("call", ["run", "start"])
def test_ctrl_c_as_the_create_answers_leaves_no_container(monkeypatch, call):
    # Ctrl-C that arrives while the engine creates the container: the engine has made it, the call never
    # got its id. The course finds it by the mark it gave it and removes it.
    client = dl.engine.client()
    real_create = docker.models.containers.ContainerCollection.create

    def create_then_interrupted(self, *arguments, **options):
        real_create(self, *arguments, **options)
        raise KeyboardInterrupt

    monkeypatch.setattr(docker.models.containers.ContainerCollection, "create", create_then_interrupted)
    mark = str(7000 + int(_suffix(), 16) % 1000)
    with pytest.raises(KeyboardInterrupt):
        getattr(dl, call)("alpine:3.20", ["sleep", mark])
    left = [c for c in client.containers.list(all=True) if c.attrs["Config"]["Cmd"] == ["sleep", mark]]
    for container in left:
        container.remove(force=True)
    assert not left


def test_ctrl_c_on_the_docker_run_magic_removes_the_container(tmp_path):
    # the magic runs the docker CLI; Ctrl-C ends the CLI, and the container it started must go too
    import os
    import signal
    import sys
    import time

    mark = str(6000 + int(_suffix(), 16) % 1000)
    code = f"import dockerlab.magics\ndockerlab.magics.docker(['run', '--rm', 'alpine:3.20', 'sleep', '{mark}'], progress=False)\n"
    client = dl.engine.client()

    def mine():
        return [c["Id"] for c in client.api.containers(all=True) if c["Command"] == f"sleep {mark}"]

    process = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, "DOCKERLAB_MODE": "live"},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while not mine():
            assert process.poll() is None, process.stdout.read()
            assert time.monotonic() < deadline
            time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        deadline = time.monotonic() + 15
        while mine() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not mine()
    finally:
        if process.poll() is None:
            process.kill()
        for container in mine():
            client.api.remove_container(container, force=True)


def test_a_learners_volume_of_the_projects_name_is_refused_not_adopted(tmp_path):
    """#16: `docker volume create NAME_data` by hand; a course project NAME declaring volume `data` would adopt it
    (Compose only warns) and its `down -v` remove it: the course refuses before up and leaves it."""
    client = dl.engine.client()
    name = f"t16p{_suffix()}"
    client.volumes.create(f"{name}_data")
    client.containers.run("alpine:3.20", ["sh", "-c", "echo precious > /e/data"], volumes={f"{name}_data": {"bind": "/e"}}, remove=True)
    try:
        (tmp_path / "compose.yaml").write_text("services:\n  db:\n    image: alpine:3.20\n    command: [sleep, '30']\n"
                                               "    volumes: [data:/d]\nvolumes:\n  data: {}\n")
        with pytest.raises(dl.DockerlabError, match=f"would use volume {name}_data"):
            with dl.compose.project(tmp_path, name=name) as stack:
                stack.up(timeout=30)
        assert _still_holds_the_data(f"{name}_data")
        assert not client.containers.list(all=True, filters={"label": f"com.docker.compose.project={name}"})
    finally:
        client.volumes.get(f"{name}_data").remove(force=True)
