"""The course never touches what is not its own, and a failed start leaves nothing behind (issue: reliability)."""
from __future__ import annotations

import socket
import subprocess
import uuid

import docker.errors
import pytest

import dockerlab as dl
from dockerlab.labels import CREATED_LABEL, CREATED_LABELS


def _containers(client) -> set[str]:
    return {container.id for container in client.containers.list(all=True)}


def test_a_name_conflict_with_someone_elses_container_leaves_it_intact():
    client = dl.engine.client()
    mine = client.containers.create("alpine:3.20", "true", name="dockerlab-test-mine", labels={"org.dockerlab.course": "0"})
    try:
        with pytest.raises(dl.DockerlabError, match="did not create it; it was left alone"):
            dl.start("alpine:3.20", ["sleep", "5"], name="dockerlab-test-mine")
        assert client.containers.get("dockerlab-test-mine").id == mine.id
    finally:
        mine.remove(force=True)


def test_a_course_container_left_under_the_name_is_replaced():
    first = dl.start("alpine:3.20", ["sleep", "30"], name="dockerlab-test-again")
    with dl.start("alpine:3.20", ["sleep", "30"], name="dockerlab-test-again") as second:
        assert second.id != first.id
        with pytest.raises(docker.errors.NotFound):
            dl.engine.client().containers.get(first.id)


def test_cleanup_leaves_a_container_started_by_hand_from_a_course_image(tmp_path, created):
    client = dl.engine.client()
    tag = created.image("dockerlab-test/inherited:latest")
    dl.build(tmp_path, "FROM alpine:3.20\nCMD [\"sleep\", \"600\"]\n", tag=tag, progress=False)
    by_hand = client.containers.run(tag, detach=True, name=created.name("by-hand"))  # like `docker run -d`
    created.containers.append(by_hand)
    assert by_hand.labels.get("org.dockerlab.course") == "1" and CREATED_LABEL not in by_hand.labels  # inherited from the image
    ours = dl.start("alpine:3.20", ["sleep", "30"])
    result = dl.cleanup()
    assert client.containers.get(by_hand.id).status == "running"
    with pytest.raises(docker.errors.NotFound):
        client.containers.get(ours.id)
    assert result["containers"] >= 1
    # the hand-started container's image stays, reported with why, and cleanup went on past it
    assert len(result["not removed"]) == 1 and tag in result["not removed"][0] and "a container uses the image" in result["not removed"][0]


def test_cleanup_leaves_an_image_built_by_hand_on_a_stand_in_base_or_a_course_image(tmp_path, created):
    client = dl.engine.client()
    suffix = uuid.uuid4().hex[:8]
    ours = created.image(f"dockerlab-test/course-built-{suffix}:1")
    dl.build(tmp_path, 'FROM alpine:3.20\nCMD ["echo", "hello"]\n', tag=ours, progress=False)
    mine = {}
    for base in ("alpine:3.20", ours):
        (tmp_path / "Dockerfile").write_text(f'FROM {base}\nCMD ["echo", "mine"]\n')
        mine[base] = created.image(f"my-greeter-{suffix}:{len(mine) + 1}")
        subprocess.run(["/usr/bin/docker", "build", "-q", "-t", mine[base], str(tmp_path)], check=True, capture_output=True)  # no course labels
        assert client.images.get(mine[base]).labels.get("org.dockerlab.course") == "1"  # inherited from the base
    dl.cleanup()
    for tag in mine.values():
        assert client.images.get(tag).tags == [tag]
    with pytest.raises(docker.errors.ImageNotFound):
        client.images.get(ours)


def test_cleanup_keeps_the_stand_in_bases_unless_asked():
    dl.cleanup()
    assert dl.engine.client().images.list(name="alpine:3.20")


def test_a_failed_start_leaves_no_container():
    client = dl.engine.client()
    before = _containers(client)
    with pytest.raises(dl.DockerlabError, match="command does not exist"):
        dl.start("alpine:3.20", ["/nope"])
    with pytest.raises(dl.DockerlabError, match="command does not exist"):
        dl.serve("alpine:3.20", command=["/nope"])
    assert _containers(client) == before


def test_a_busy_port_leaves_no_container():
    client = dl.engine.client()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        before = _containers(client)
        with pytest.raises(dl.DockerlabError, match="already in use") as failed:
            dl.start("alpine:3.20", ["sleep", "5"], ports={"80/tcp": port})
        assert "cleanup" not in (failed.value.fix or "")
        assert _containers(client) == before


def test_a_missing_image_is_named_the_same_way_by_run_start_and_serve():
    messages = set()
    for call in (lambda: dl.run("dockerlab-nosuch/image:1"), lambda: dl.start("dockerlab-nosuch/image:1"), lambda: dl.serve("dockerlab-nosuch/image:1")):
        with pytest.raises(dl.DockerlabError) as failed:
            call()
        messages.add(failed.value.message)
    assert messages == {"There is no image 'dockerlab-nosuch/image:1' on this engine."}  # one wording: ImageNotFound


def test_bad_names_and_states_reach_the_learner_as_dockerlab_errors():
    with pytest.raises(dl.DockerlabError, match="lowercase") as raised:
        dl.layers("Hello:1")
    assert raised.value.message == "'Hello:1' is not a valid image name: repository name must be lowercase."  # not "no such image"
    with dl.start("alpine:3.20", ["true"]) as finished:
        dl.engine.client().containers.get(finished.id).wait(timeout=30)
        with pytest.raises(dl.DockerlabError, match="exited"):
            finished.exec("echo hi")


def test_cleanup_keeps_your_own_tags_on_a_course_image(tmp_path, created):
    client = dl.engine.client()
    suffix = uuid.uuid4().hex[:8]
    ours = created.image(f"dockerlab-test-v16-course-{suffix}:1")
    dl.build(tmp_path, 'FROM alpine:3.20\nCMD ["echo", "hello"]\n', tag=ours, progress=False)
    mytag, my_own = created.image(f"v16-mytag-{suffix}:1"), created.image(f"v16-my-own-{suffix}:5")
    subprocess.run(["/usr/bin/docker", "tag", ours, mytag], check=True)
    (tmp_path / "Dockerfile").write_text(f"FROM {ours}\n")  # the same image under another name
    subprocess.run(["/usr/bin/docker", "build", "-q", "-t", my_own, str(tmp_path)], check=True, capture_output=True)
    image_id = client.images.get(ours).id
    result = dl.cleanup()
    assert sorted(client.images.get(image_id).tags) == sorted([mytag, my_own])
    assert any(line.startswith(f"image {ours}: tagged by you as") and mytag in line and my_own in line for line in result["kept"])


def test_cleanup_leaves_a_network_and_a_volume_labelled_by_hand_and_removes_the_courses():
    client = dl.engine.client()
    suffix = uuid.uuid4().hex[:8]
    hand_network = client.networks.create(f"mine-net-{suffix}", labels={"org.dockerlab.course": "1"})  # docker network create --label ...
    hand_volume = client.volumes.create(f"mine-vol-{suffix}", labels={"org.dockerlab.course": "1"})
    course_network = client.networks.create(f"dockerlab-net-test-{suffix}", labels=CREATED_LABELS)
    try:
        dl.cleanup()
        assert client.networks.get(hand_network.id) and client.volumes.get(hand_volume.name)
        with pytest.raises(docker.errors.NotFound):
            client.networks.get(course_network.id)
    finally:
        for remove in (hand_network.remove, hand_volume.remove, course_network.remove):
            try:
                remove()
            except docker.errors.NotFound:
                pass


def test_a_name_that_begins_another_containers_id_leaves_that_container(created):
    client = dl.engine.client()
    first = dl.start("alpine:3.20", ["sleep", "60"], name=created.name("first"))
    created.containers.append(first._container)
    with dl.start("alpine:3.20", ["sleep", "5"], name=first.id[:5]) as second:  # no container had that name
        assert second.name == first.id[:5] and second.id != first.id
    assert client.containers.get(first.id).status == "running"


def test_cleanup_leaves_a_container_started_by_hand_from_a_committed_course_container(created):
    client = dl.engine.client()
    tag = created.image(f"t16-committed-{uuid.uuid4().hex[:8]}:1")
    with dl.start("alpine:3.20", ["sleep", "60"]) as ours:
        subprocess.run(["/usr/bin/docker", "commit", ours.id, tag], check=True, capture_output=True)
    by_hand = client.containers.run(tag, ["sleep", "60"], detach=True, name=created.name("from-commit"))  # like `docker run -d TAG`
    created.containers.append(by_hand)
    assert by_hand.labels.get(CREATED_LABEL) == "1"  # inherited from the committed image
    ours_too = dl.start(tag, ["sleep", "60"])  # the course's own container of the same image still goes
    dl.cleanup()
    assert client.containers.get(by_hand.id).status == "running"
    with pytest.raises(docker.errors.NotFound):
        client.containers.get(ours_too.id)


def test_a_compose_project_started_by_hand_under_the_name_is_refused_and_left_running(tmp_path):
    (tmp_path / "compose.yaml").write_text('services:\n  web:\n    image: alpine:3.20\n    command: ["sleep", "60"]\n')
    name = f"t16-proj-{uuid.uuid4().hex[:8]}"
    compose = [*dl.compose.compose_command(), "-p", name, "-f", str(tmp_path / "compose.yaml")]
    subprocess.run([*compose, "up", "-d"], check=True, capture_output=True)
    try:
        with pytest.raises(dl.DockerlabError, match=f"A Compose project named '{name}' is already on this engine and the course did not start it") as refused:
            dl.compose.project(tmp_path, name=name)
        assert f"docker compose -p {name} down" in refused.value.fix and str(tmp_path) in refused.value.message
        running = dl.engine.client().containers.list(filters={"label": f"com.docker.compose.project={name}"})
        assert [container.status for container in running] == ["running"]
    finally:
        subprocess.run([*compose, "down", "-v", "-t", "0"], capture_output=True)
