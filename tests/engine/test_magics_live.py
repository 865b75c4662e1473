"""%docker on the engine: what it creates is labelled, published on 127.0.0.1 only, and removed by cleanup."""
from __future__ import annotations

import subprocess
import time
import uuid

import docker.errors
import pytest

import dockerlab as dl
from dockerlab import magics


def test_build_then_run_published_locally_and_cleaned_up(tmp_path, free_port, created):
    (tmp_path / "Dockerfile").write_text('FROM alpine:3.20\nCMD ["sleep", "60"]\n')
    tag = created.image("dockerlab-test/magic:1")
    built = magics.docker(magics.split(f"docker build -t {tag} {tmp_path}"), progress=False)
    assert built.ok and "DONE" in built.output, built.output  # BuildKit plain progress
    client = dl.engine.client()
    assert client.images.get(tag).labels["org.dockerlab.course"] == "1"
    ran = magics.docker(magics.split(f"run -d -p {free_port}:80 {tag}"), progress=False)
    assert ran.ok, ran.output
    container = client.containers.get(ran.stdout.strip())  # stdout holds the container id and nothing else
    binding = container.attrs["HostConfig"]["PortBindings"]["80/tcp"][0]
    assert binding == {"HostIp": "127.0.0.1", "HostPort": str(free_port)}
    assert container.labels["org.dockerlab.created"] == "1"
    dl.cleanup()
    assert not client.containers.list(all=True, filters={"id": container.id})


def test_a_failing_command_is_a_result_with_its_exit_code():
    result = magics.docker(magics.split("run --rm alpine:3.20 sh -c 'echo going; echo broken >&2; exit 3'"), progress=False)
    assert result.exit_code == 3 and "going" in result.output and "broken" in result.output
    assert result.stdout == "going\n" and result.stderr == "broken\n"


def test_compose_through_docker_is_labelled_local_and_leaves_nothing(tmp_path, free_port):
    (tmp_path / "compose.yaml").write_text(
        f'services:\n  web:\n    image: alpine:3.20\n    command: ["sleep", "60"]\n    ports: ["{free_port}:80"]\n'
        "    volumes: [data:/data]\nvolumes:\n  data: {}\n"
    )
    client = dl.engine.client()
    counts = lambda: (len(client.containers.list(all=True)), len(client.networks.list()), len(client.volumes.list()))  # noqa: E731
    before = counts()
    up = magics.docker(magics.split(f"compose -f {tmp_path}/compose.yaml up -d --wait"), progress=False)
    try:
        assert up.ok, up.output
        container = client.containers.list(filters={"label": "com.docker.compose.service=web"})[0]
        assert container.labels["org.dockerlab.created"] == "1"
        assert container.attrs["HostConfig"]["PortBindings"]["80/tcp"][0]["HostIp"] == "127.0.0.1"
        listed = magics.docker(magics.split(f"compose -f {tmp_path}/compose.yaml ps"), progress=False)
        assert listed.ok and "web" in listed.output
    finally:
        down = magics.docker(magics.split(f"compose -f {tmp_path}/compose.yaml down -v"), progress=False)
    assert down.ok, down.output
    assert counts() == before


def test_compose_down_removes_a_container_compose_run_started(tmp_path):
    """Compose's own `down` leaves a `compose run -d` container running, and the network it is on, with or
    without --remove-orphans (docker/compose#11711); `%docker compose down` removes both and says so."""
    (tmp_path / "compose.yaml").write_text('services:\n  worker:\n    image: alpine:3.20\n    command: ["sleep", "60"]\n')
    client = dl.engine.client()
    ran = magics.docker(magics.split(f"compose -f {tmp_path}/compose.yaml run -d worker"), progress=False)
    name = dl.compose.project(tmp_path).name
    left = lambda: (client.containers.list(all=True, filters={"label": f"com.docker.compose.project={name}"})  # noqa: E731
                    + client.networks.list(filters={"label": f"com.docker.compose.project={name}"}))
    try:
        assert ran.ok, ran.output
        one_off = client.containers.get(ran.stdout.strip())
        assert one_off.labels["com.docker.compose.oneoff"] == "True" and one_off.labels["org.dockerlab.created"] == "1"
        down = magics.docker(magics.split(f"compose -f {tmp_path}/compose.yaml down"), progress=False)
        assert down.ok, down.output
        assert f"removed {one_off.name}, started by `compose run`" in down.output
        assert left() == []
    finally:
        for thing in left():
            thing.remove(force=True) if hasattr(thing, "status") else thing.remove()


def test_an_image_built_in_a_terminal_is_checked(tmp_path, created):
    (tmp_path / "Dockerfile").write_text('FROM alpine:3.20\nCMD ["echo", "hello from my image"]\n')
    tag = created.image("dockerlab-test/terminal-exercise:1")
    assert dl.check.image_prints(tag, "hello from my image").passed is False  # not built yet: a hint, no exception
    missing = dl.check.image_prints(tag, "hello from my image")
    assert f"docker build -t {tag}" in missing.messages[0]
    built = magics.docker(magics.split(f"build -t {tag} {tmp_path}"), progress=False)
    assert built.ok, built.output
    assert dl.check.image_prints(tag, "hello from my image").passed
    wrong = dl.check.image_prints(tag, "something else")
    assert not wrong.passed and "hello from my image" in wrong.messages[0]
    assert "lowercase" in dl.check.image_prints("My-Greeter:1", "x").messages[0]


def test_cleanup_removes_the_tags_the_course_made_and_keeps_a_learners_own(tmp_path, created, monkeypatch):
    """#17: `%docker tag` (and pull, a registry push) names a course image anew; those names go with `dockerlab
    clean`, also when only such a name is left (the image pulled back after its build tag was removed), while a
    tag of the learner's own image, made with `%docker tag` too, stays."""
    monkeypatch.setenv("DOCKERLAB_TAGBOOK", str(tmp_path / "tags.txt"))
    suffix = uuid.uuid4().hex[:8]
    client = dl.engine.client()
    (tmp_path / "Dockerfile").write_text('FROM alpine:3.20\nCMD ["echo", "hello"]\n')
    ours, alone = created.image(f"dockerlab-test/tagged-{suffix}:1"), created.image(f"dockerlab-test/alone-{suffix}:1")
    copies = [created.image(f"127.0.0.1:5000/t17-{suffix}/hello:cli"), created.image(f"t17-copy-{suffix}:2")]
    (tmp_path / "alone").mkdir()
    (tmp_path / "alone" / "Dockerfile").write_text('FROM alpine:3.20\nCMD ["echo", "alone"]\n')
    assert magics.docker(magics.split(f"build -t {ours} {tmp_path}"), progress=False).ok
    assert magics.docker(magics.split(f"build -t {alone} {tmp_path / 'alone'}"), progress=False).ok
    for copy in copies:
        assert magics.docker(magics.split(f"tag {ours} {copy}"), progress=False).ok
    left = created.image(f"127.0.0.1:5000/t17-{suffix}/alone:cli")
    assert magics.docker(magics.split(f"tag {alone} {left}"), progress=False).ok
    assert magics.docker(magics.split(f"rmi {alone}"), progress=False).ok  # only the registry's name is left, as after a pull
    mine = created.image(f"t17-mine-{suffix}:1")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "Dockerfile").write_text(f'FROM alpine:3.20\nCMD ["echo", "mine {suffix}"]\n')
    subprocess.run(["/usr/bin/docker", "build", "-q", "-t", mine, str(tmp_path / "mine")], check=True, capture_output=True)  # by hand: no course labels
    my_copy = created.image(f"t17-mine-{suffix}:2")
    assert magics.docker(magics.split(f"tag {mine} {my_copy}"), progress=False).ok  # the learner's own image, tagged through %docker
    dl.cleanup()
    for tag in [ours, *copies, left]:
        with pytest.raises(docker.errors.ImageNotFound):
            client.images.get(tag)
    assert sorted(client.images.get(mine).tags) == sorted([mine, my_copy])


def _everything(client) -> tuple[set[str], set[str]]:
    return {container.id for container in client.containers.list(all=True)}, {volume.name for volume in client.volumes.list()}


def test_a_run_whose_start_fails_leaves_no_container_and_no_volume_and_a_successful_one_labels_its_volume():
    import uuid

    client = dl.engine.client()
    volume = f"dockerlab-test-magvol-{uuid.uuid4().hex[:8]}"
    before = _everything(client)
    failed = magics.docker(magics.split(f"run -v {volume}:/data alpine:3.20 /nope"), progress=False)
    assert failed.exit_code == 127 and f"the volume(s) made for it ({volume})" in failed.output, failed.output
    assert _everything(client) == before
    ran = magics.docker(magics.split(f"run --rm -v {volume}:/data alpine:3.20 true"), progress=False)
    try:
        assert ran.ok and client.volumes.get(volume).attrs["Labels"]["org.dockerlab.created"] == "1"  # `dockerlab clean` finds it
    finally:
        client.volumes.get(volume).remove()


def test_ctrl_c_during_a_run_with_a_new_volume_leaves_nothing():
    import uuid

    from .test_interrupts_live import interrupt_when

    client = dl.engine.client()
    volume = f"dockerlab-test-magvol-{uuid.uuid4().hex[:8]}"
    before = _everything(client)
    code = f"from dockerlab import magics\nmagics.docker(magics.split('run -v {volume}:/data alpine:3.20 sleep 60'), progress=False)\n"
    interrupt_when(code, lambda: client.containers.list(filters={"volume": volume}), timeout=60)
    assert _everything(client) == before


def test_a_create_whose_name_is_taken_leaves_no_volume():
    """#16: `%docker create --name TAKEN -v NEWVOL:/d` made no container (the CLI exits 1, not 125): its volume goes."""
    client = dl.engine.client()
    suffix = uuid.uuid4().hex[:8]
    taken = client.containers.create("alpine:3.20", "true", name=f"dockerlab-test-taken-{suffix}")
    volume = f"dockerlab-test-magvol-{suffix}"
    try:
        before = _everything(client)
        failed = magics.docker(magics.split(f"create --name {taken.name} -v {volume}:/d alpine:3.20 true"), progress=False)
        assert not failed.ok and f"the volume(s) made for it ({volume})" in failed.output, failed.output
        assert _everything(client) == before
    finally:
        taken.remove(force=True)


def test_a_failed_docker_magic_build_takes_the_tag_off_the_courses_earlier_build(tmp_path, created):
    """`%docker build -t T` keeps dl.build's tag promise: a failed build leaves T naming no earlier build of the
    course's, and says so."""
    tag = created.image("dockerlab-test/magic-failed:1")
    dl.build(tmp_path, "FROM alpine:3.20\nRUN echo first > /f\n", tag=tag, progress=False)
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nRUN exit 3\n")
    result = magics.docker(magics.split(f"build -t {tag} {tmp_path}"), progress=False)
    assert result.exit_code != 0
    with pytest.raises(docker.errors.ImageNotFound):
        dl.engine.client().images.get(tag)
    assert f"[dockerlab] {tag} named the image of an earlier build" in result.output


def test_publish_all_publishes_every_exposed_port_on_127_0_0_1_only(tmp_path, created):
    """#17: `%docker run -P` published on 0.0.0.0 and [::] (ss showed both). Now each port the image exposes,
    and each --expose, is published on 127.0.0.1 alone."""
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nEXPOSE 80 5353/udp\n")
    tag = created.image(f"dockerlab-test/exposes:{uuid.uuid4().hex[:8]}")
    assert magics.docker(magics.split(f"build -t {tag} {tmp_path}"), progress=False).ok
    name = created.name("publish-all")
    ran = magics.docker(magics.split(f"run -dP --expose 9000 --name {name} {tag} sleep 30"), progress=False)
    container = dl.engine.client().containers.get(name)
    created.containers.append(container)
    assert ran.ok, ran.output
    ports = container.attrs["NetworkSettings"]["Ports"]
    assert set(ports) == {"80/tcp", "5353/udp", "9000/tcp"}
    assert all(binding["HostIp"] == "127.0.0.1" for bindings in ports.values() for binding in bindings), ports  # no 0.0.0.0, no ::
    assert all(len(bindings) == 1 and int(bindings[0]["HostPort"]) > 0 for bindings in ports.values())
    assert "on 127.0.0.1 only, so it ran as -p 127.0.0.1::80/tcp -p 127.0.0.1::5353/udp -p 127.0.0.1::9000/tcp" in ran.output


def test_an_address_asked_for_is_kept_and_noted(free_port, created):
    """#17: `-p 0.0.0.0:PORT:80` is what the learner asked for (02a teaches it): kept, with a note that other machines
    can reach it. Checked on a created container, never started, so nothing listens beyond 127.0.0.1."""
    name = created.name("address")
    made = magics.docker(magics.split(f"create -p 0.0.0.0:{free_port}:80 --name {name} alpine:3.20 true"), progress=False)
    container = dl.engine.client().containers.get(name)
    created.containers.append(container)
    assert made.ok, made.output
    assert container.attrs["HostConfig"]["PortBindings"]["80/tcp"] == [{"HostIp": "0.0.0.0", "HostPort": str(free_port)}]
    assert f"-p 0.0.0.0:{free_port}:80 listens on every address of this machine, as you asked: other machines" in made.output


def test_ctrl_c_on_logs_follow_stops_it_with_one_line(created, monkeypatch, capsys):
    """#17: `%docker logs -f NAME` blocks until interrupted (as docker does); the interrupt showed a 13-frame traceback."""
    import os
    import signal
    import threading

    from IPython.core.interactiveshell import InteractiveShell

    container = created.run("alpine:3.20", ["sh", "-c", "echo ready; sleep 60"], name=created.name("follow"))
    started: list[subprocess.Popen] = []
    popen = magics.subprocess.Popen

    def recorded(*arguments, **options):
        started.append(popen(*arguments, **options))
        return started[-1]

    monkeypatch.setattr(magics.subprocess, "Popen", recorded)
    monkeypatch.setenv("DOCKERLAB_MODE", "live")
    shell = InteractiveShell.instance()
    magics.load_ipython_extension(shell)
    timer = threading.Timer(2.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    outcome = shell.run_cell(f"%docker logs -f {container.name}")
    timer.join()
    printed = capsys.readouterr()
    shown = [line for line in (printed.out + printed.err).splitlines() if line.strip()]
    assert isinstance(outcome.error_in_exec, magics.CommandInterrupted), shown
    assert shown[0] == "ready" and shown[-1].startswith("stopped: interrupted after ") and len(shown) == 2, shown
    assert len(started) == 1 and started[0].poll() is not None  # `docker logs -f` itself was stopped
    container.reload()
    assert container.status == "running"  # following its logs never touched the container


def test_a_failed_classic_docker_magic_build_leaves_no_container_and_no_intermediate_image(tmp_path, monkeypatch):
    """Where the machine has no BuildKit, `%docker build` runs the classic CLI: --force-rm, and the images its
    output names as new are removed as dl.build's are."""
    monkeypatch.setattr(magics.buildkit, "choice", lambda: magics.buildkit.BuilderChoice("classic", "the engine API", "a test"))
    (tmp_path / "Dockerfile").write_text(f"FROM alpine:3.20\nRUN echo {uuid.uuid4().hex} > /made\nRUN exit 3\n")
    client = dl.engine.client()
    images, containers = {i.id for i in client.images.list(all=True)}, {c.id for c in client.containers.list(all=True)}
    result = magics.docker(magics.split(f"build {tmp_path}"), progress=False)
    assert result.exit_code == 3 and "Step 2/" in result.output  # the classic builder's own words: it ran
    assert {i.id for i in client.images.list(all=True)} == images
    assert {c.id for c in client.containers.list(all=True)} == containers


def test_a_classic_docker_magic_build_interrupted_before_its_last_lines_were_read_leaves_no_intermediate_image(tmp_path, monkeypatch):
    """A Ctrl-C lands while the course has not taken every line the CLI printed: the lines still on their way are read
    once the CLI is stopped, so the images they name are removed too. Here the course stops taking lines at `Step 3/`
    and is interrupted once the last step runs (step 3's ` ---> ID` and `Running in` lines unread)."""
    monkeypatch.setattr(magics.buildkit, "choice", lambda: magics.buildkit.BuilderChoice("classic", "the engine API", "a test"))
    mark = uuid.uuid4().hex
    (tmp_path / "Dockerfile").write_text(f"FROM alpine:3.20\nRUN echo {mark} > /made\nRUN echo {mark} > /also\nRUN sleep 6018\n")
    every_line = magics._lines_as_they_come
    client = dl.engine.client()

    def cut_short(process):
        lines = every_line(process)

        class Lagging:  # the course stops taking lines at `Step 3/`; a Ctrl-C lands once the last step runs
            rest = lines.rest

            def __iter__(self):
                for stream, text in lines:
                    yield stream, text
                    if text.startswith("Step 3/"):
                        deadline = time.monotonic() + 60
                        while not any("sleep 6018" in c["Command"] for c in client.api.containers(all=True)):
                            assert time.monotonic() < deadline
                            time.sleep(0.1)
                        raise KeyboardInterrupt

        return Lagging()

    monkeypatch.setattr(magics, "_lines_as_they_come", cut_short)
    images, containers = {i.id for i in client.images.list(all=True)}, {c.id for c in client.containers.list(all=True)}
    with pytest.raises(KeyboardInterrupt):
        magics.docker(magics.split(f"build {tmp_path}"), progress=False)
    assert {i.id for i in client.images.list(all=True)} == images
    assert {c.id for c in client.containers.list(all=True)} == containers
