"""%docker: what runs for what a learner types (no engine), and recorded mode's answer for an unrecorded command."""
import re
from pathlib import Path

import pytest

import dockerlab as dl
from dockerlab import magics
from dockerlab.buildkit import BuilderChoice


def prepared(line):
    return magics.prepare_command(magics.split(line))


def test_run_gets_the_course_labels_and_a_local_port():
    argv, environment, notes = prepared("docker run -d -p 8080:80 --name web nginx:1 nginx -g 'daemon off;'")
    assert argv[:2] == ["docker", "run"]
    assert "--label=org.dockerlab.course=1" in argv and "--label=org.dockerlab.created=1" in argv
    assert argv[argv.index("-p") + 1] == "127.0.0.1:8080:80"
    assert argv[-4:] == ["nginx:1", "nginx", "-g", "daemon off;"]  # the container's own arguments untouched
    assert any("127.0.0.1 only" in note for note in notes) and environment == {}


@pytest.mark.parametrize("flag, expected", [("-p8080:80", "-p127.0.0.1:8080:80"), ("--publish=8080:80", "--publish=127.0.0.1:8080:80")])
def test_attached_publish_forms(flag, expected):
    argv = prepared(f"run {flag} -it -p 9000:9000 nginx:1")[0]
    assert expected in argv and "127.0.0.1:9000:9000" in argv


def test_options_with_values_before_the_port_are_skipped_correctly():
    argv, _, _ = prepared("run -d --name web -e A=1 -v data:/data -p 8080:80 nginx:1")
    assert argv[argv.index("-p") + 1] == "127.0.0.1:8080:80"


def test_an_address_given_is_respected_and_arguments_after_the_image_are_not_options():
    argv, _, notes = prepared("run --rm -p 0.0.0.0:8080:80 alpine:3.20 nc -p 8080:80")
    assert "0.0.0.0:8080:80" in argv and argv[-1] == "8080:80"
    assert not any("is published as" in note for note in notes)
    assert notes == ["-p 0.0.0.0:8080:80 listens on every address of this machine, as you asked: other machines that can reach this one "
                         "can connect to port 8080; -p 127.0.0.1:8080:80 keeps it to this machine"]  # (--rm: no labels' note)


@pytest.mark.parametrize("value, said", [
    ("0.0.0.0:18091:80", "on every address of this machine"),
    ("[::]:18091:80", "on every address of this machine"),
    ("192.168.1.7:18091:80/udp", "on 192.168.1.7, an address of this machine"),
    ("0.0.0.0::80", "a free port"),
])
def test_an_address_other_machines_reach_is_kept_with_a_note_saying_so(value, said):
    argv, _, notes = prepared(f"run -d -p {value} nginx:1")
    assert argv[argv.index("-p") + 1] == value
    assert [note for note in notes if "other machines" in note] and said in notes[-1]


@pytest.mark.parametrize("value", ["127.0.0.1:18091:80", "127.0.0.1::80", "[::1]:18091:80"])
def test_a_loopback_address_given_needs_no_note(value):
    argv, _, notes = prepared(f"run -d -p {value} nginx:1")
    assert argv[argv.index("-p") + 1] == value and not any("-p" in note for note in notes)


@pytest.mark.parametrize("line, typed", [
    ("run -d -p 8080 : 80 nginx:1", "-p 8080 :"),
    ("run -d -p 8080: 80 nginx:1", "-p 8080:"),
    ("run -d -p 8080 :80 nginx:1", "-p 8080 :80"),
    ("run -d --publish=8080: 80 nginx:1", "--publish=8080:"),
])
def test_a_port_mapping_split_by_spaces_is_refused_not_half_rewritten(line, typed):
    with pytest.raises(dl.DockerlabError) as raised:
        prepared(line)
    assert f"`{typed}` is not one port mapping" in str(raised.value) and "-p 8080:80" in str(raised.value)
    assert "published as" not in str(raised.value)


def test_a_port_mapping_split_by_spaces_runs_nothing(monkeypatch, capsys):
    monkeypatch.setenv("DOCKERLAB_MODE", "live")
    monkeypatch.setattr(magics.subprocess, "Popen", lambda *a, **k: pytest.fail("ran something"))
    assert magics._run_line("run -d -p 8080 : 80 nginx:1") is None
    printed = capsys.readouterr().out
    assert "is not one port mapping" in printed and "published as" not in printed and "Traceback" not in printed


@pytest.mark.parametrize("line, noted", [
    ("run --rm alpine:3.20 true", False),                 # removed when it ends: nothing stays to clean
    ("container run --rm -it alpine:3.20 sh", False),
    ("run --rm=true alpine:3.20 true", False),
    ("run --rm -d alpine:3.20 sleep 60", True),           # stays while it runs
    ("run -dit --rm alpine:3.20 sh", True),
    ("run --rm=false alpine:3.20 true", True),
    ("run alpine:3.20 true", True),                       # a stopped container stays
    ("run alpine:3.20 echo --rm", True),                  # the container's argument, not an option
    ("create --rm alpine:3.20 true", True),               # created, not yet run: it stays
    ("network create backend", True),
])
def test_the_labelled_note_is_said_only_when_something_stays(line, noted):
    argv, _, notes = prepared(line)
    assert "--label=org.dockerlab.created=1" in argv  # labelled either way
    assert any("so `dockerlab clean` can remove it" in note for note in notes) == noted


def test_build_goes_through_the_course_builder(monkeypatch):
    chosen = BuilderChoice("buildkit", "the CLI at /usr/bin/docker", "test", command=("/usr/bin/docker", "build"), env=(("DOCKER_BUILDKIT", "1"),))
    monkeypatch.setattr(magics.buildkit, "choice", lambda: chosen)
    argv, environment, notes = prepared("build -t hello:1 /tmp/app")
    assert argv[:2] == ["/usr/bin/docker", "build"] and "--progress=plain" in argv and "--label=org.dockerlab.course=1" in argv
    assert argv[-3:] == ["-t", "hello:1", "/tmp/app"] and environment == {"DOCKER_BUILDKIT": "1"}
    assert "--label=org.dockerlab.built-as=hello:1" in argv  # the image names itself: one built FROM it does not
    assert "--label=org.dockerlab.built-as=web:latest" in prepared("build --tag=web .")[0]
    assert "--label=org.dockerlab.built-as=" in prepared("build .")[0]


def test_network_and_volume_create_are_labelled_other_commands_are_not():
    assert "--label=org.dockerlab.created=1" in prepared("network create backend")[0]
    assert prepared("network create backend")[0][:3] == ["docker", "network", "create"]
    assert "--label=org.dockerlab.created=1" in prepared("volume create data")[0]
    assert prepared("ps -a")[0] == ["docker", "ps", "-a"]


def test_bad_lines_are_clear_errors():
    with pytest.raises(dl.DockerlabError, match="quotes"):
        magics.split("run 'unbalanced")
    with pytest.raises(dl.DockerlabError, match="No docker command"):
        magics.prepare_command([])


def test_an_unrecorded_command_in_recorded_mode_speaks_to_the_learner(monkeypatch, capsys):
    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
    assert magics._run_line("run --rm alpine:3.20 echo never-recorded-4711") is None
    printed = capsys.readouterr().out
    assert "needs a live Docker engine" in printed and "Traceback" not in printed


def test_the_magics_register_in_ipython():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    magics.load_ipython_extension(shell)
    assert "docker" in shell.magics_manager.magics["line"] and "docker" in shell.magics_manager.magics["cell"]


@pytest.mark.parametrize("line, expected", [
    ("run -dp 8080:80 nginx:1", "127.0.0.1:8080:80"),           # Docker's getting-started form
    ("run -d -p=8080:80 nginx:1", "-p=127.0.0.1:8080:80"),
    ("run -d -p 8000-8001:8000-8001 nginx:1", "127.0.0.1:8000-8001:8000-8001"),
    ("run -d -p 80 nginx:1", "127.0.0.1::80"),                 # a free host port, still local
    ("run -d -p 8080:80/udp nginx:1", "127.0.0.1:8080:80/udp"),
    ("run -d -p :80 nginx:1", "127.0.0.1::80"),                # an empty host port: a free one, still local
])
def test_every_publish_form_is_bound_to_127_0_0_1(line, expected):
    argv = prepared(line)[0]
    assert expected in argv and argv[-1] == "nginx:1"


FAKE_INSPECT = """#!/bin/sh
echo "$*" >> "{log}"
case "$*" in
  *"image inspect --format {{{{json .Config.ExposedPorts}}}} nginx:1") echo '{{"443/tcp":{{}},"80/tcp":{{}}}}' ;;
  *"image inspect --format {{{{json .Config.ExposedPorts}}}} alpine:3.20") echo 'null' ;;
  *"image inspect"*) echo "Error: No such image: $5" >&2; exit 1 ;;
esac
"""


def _fake_docker_on_path(monkeypatch, tmp_path, script: str):
    """``script`` (with {log}) installed as the docker CLI, first on PATH. Returns the file its calls are logged in."""
    log = tmp_path / "calls"
    log.touch()
    fake = tmp_path / "docker"
    fake.write_text(script.format(log=log))
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    return log


@pytest.mark.parametrize("line, options", [
    ("run -dP nginx:1", ["-d"]),
    ("run -P -d nginx:1", ["-d"]),
    ("run --publish-all --rm nginx:1", ["--rm"]),
    ("run -itP --name web nginx:1", ["-it", "--name", "web"]),
    ("run -dPp8080:8080 nginx:1", ["-dp127.0.0.1:8080:8080"]),
    ("create -P --expose 9000 --expose=53/udp nginx:1", ["--expose", "9000", "--expose=53/udp"]),
    ("--log-level error run -P nginx:1", []),
])
def test_publish_all_publishes_each_exposed_port_on_127_0_0_1(line, options, monkeypatch, tmp_path):
    log = _fake_docker_on_path(monkeypatch, tmp_path, FAKE_INSPECT)
    argv, _, notes = prepared(line)
    image = argv.index("nginx:1")
    labels = [word for word in argv if word.startswith("--label=")]
    published = ["-p", "127.0.0.1::80/tcp", "-p", "127.0.0.1::443/tcp"]
    extra = (["-p", "127.0.0.1::9000/tcp", "-p", "127.0.0.1::53/udp"] if "--expose" in line else [])
    assert argv[argv.index(labels[-1]) + 1:image] == [*options, *published, *extra] and argv[image:] == ["nginx:1"]
    assert not any("P" in word for word in argv if word.startswith("-") and not word.startswith("--"))  # no -P reaches docker
    said = next(note for note in notes if note.startswith("-P "))
    assert "127.0.0.1 only" in said and "-p 127.0.0.1::80/tcp -p 127.0.0.1::443/tcp" in said and "`docker port`" in said
    cli = ["docker", "--log-level", "error"] if line.startswith("--") else ["docker"]
    assert log.read_text().splitlines() == [" ".join([*cli[1:], "image", "inspect", "--format", "{{json .Config.ExposedPorts}}", "nginx:1"])]


def test_publish_all_of_an_image_that_exposes_nothing_says_nothing_is_published(monkeypatch, tmp_path):
    _fake_docker_on_path(monkeypatch, tmp_path, FAKE_INSPECT)
    argv, _, notes = prepared("run --rm -P alpine:3.20 true")
    assert argv[-3:] == ["--rm", "alpine:3.20", "true"] and "-p" not in argv and "-P" not in argv
    assert notes[-1] == "-P publishes the ports alpine:3.20 exposes, and it exposes none: nothing is published"


def test_publish_all_of_an_image_that_is_not_here_is_refused_with_what_to_type(monkeypatch, tmp_path):
    _fake_docker_on_path(monkeypatch, tmp_path, FAKE_INSPECT)
    with pytest.raises(dl.DockerlabError) as raised:
        prepared("run -dP someone/else:2")
    said = str(raised.value)
    assert "No such image: someone/else:2" in said and "-p 127.0.0.1::PORT" in said and "all of this machine's addresses" in said


def test_compose_run_leaves_a_capital_p_to_compose(monkeypatch):
    monkeypatch.setattr(magics.subprocess, "run", lambda *a, **k: pytest.fail("inspected an image"))
    assert magics._publish_on_localhost(["-P", "api"], [], cli=None) == ["-P", "api"]


def test_build_on_a_classic_only_machine_runs_docker_build_without_buildkit(monkeypatch):
    monkeypatch.setattr(magics.buildkit, "choice", lambda: BuilderChoice("classic", "the engine API", "no buildx"))
    argv, environment, _ = prepared("build -t a:1 .")
    assert argv[:2] == ["docker", "build"] and environment == {"DOCKER_BUILDKIT": "0"} and argv[-3:] == ["-t", "a:1", "."]
    assert "--force-rm" in argv  # or a failed RUN's container stays behind (the classic CLI's default is --rm only)


def test_a_cell_joins_backslash_continued_lines(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    seen = []
    monkeypatch.setattr(magics, "_run_line", lambda line: seen.append(line))
    shell = InteractiveShell.instance()
    magics.load_ipython_extension(shell)
    shell.run_cell_magic("docker", "", "run -d \\\n  -p 8080:80 nginx:1\nps")
    assert [" ".join(line.split()) for line in seen] == ["run -d -p 8080:80 nginx:1", "ps"]


def test_python_values_are_expanded_and_go_templates_kept():
    namespace = {"app": "/course/data/apps/hello", "registry": type("Registry", (), {"host": "127.0.0.1:5000"})()}
    line = 'inspect --format "{{.State.Status}}" {registry.host}/x {app}'
    assert (magics.expand(line, lambda expression: eval(expression, namespace))
            == 'inspect --format "{{.State.Status}}" 127.0.0.1:5000/x /course/data/apps/hello')
    with pytest.raises(dl.DockerlabError, match="nothing_here"):
        magics.expand("run {nothing_here}", lambda expression: eval(expression, {}))


def test_a_trailing_comment_is_not_part_of_the_command():
    assert magics.split("docker images hello  # list them") == ["images", "hello"]


class FakeProject:
    """dl.compose's project, as the magic sees it, without Compose: records what it was given."""
    made: list = []

    def __init__(self, directory, file):
        FakeProject.made.append({"directory": str(directory), "file": file})
        self.name, self.command, self.directory = "dockerlab-api-compose", ["docker", "compose"], directory
        self.rendered, self.notes = "/course/build/compose/dockerlab-api-compose.json", []
        self.rebound_ports = ["api: 8000->8000 published on 127.0.0.1 only"]


@pytest.fixture
def fake_project(monkeypatch):
    FakeProject.made = []
    monkeypatch.setattr(magics, "ComposeProject", FakeProject)
    return FakeProject


def test_compose_runs_on_the_file_as_the_course_renders_it(fake_project, tmp_path):
    (tmp_path / "compose.yaml").write_text("services: {}\n")
    argv, _, notes = prepared(f"compose -f {tmp_path}/compose.yaml up -d --wait")
    assert fake_project.made == [{"directory": str(tmp_path), "file": "compose.yaml"}]
    assert argv == ["docker", "compose", "-p", "dockerlab-api-compose", "-f", "/course/build/compose/dockerlab-api-compose.json",
                    "--project-directory", str(tmp_path), "up", "-d", "--wait"]
    assert any("labelled" in note for note in notes) and any("127.0.0.1 only" in note for note in notes)
    with pytest.raises(dl.DockerlabError, match="not supported"):
        prepared("compose -p other up")


def test_compose_down_first_removes_what_compose_run_started_and_says_so(monkeypatch, tmp_path):
    """Compose's `down` leaves `compose run` containers (docker/compose#11711, measured on the engine: see
    tests/engine/test_magics_live.py); %docker's `compose down` removes them first, and only for `down`."""
    removed = []

    class Project:
        def __init__(self, directory, file):
            self.name, self.one_off = "dockerlab-api-compose", ["dockerlab-api-compose-api-run-0a1b2c"]

        def remove_one_off(self):
            removed.append(self.name)
            return self.one_off

    monkeypatch.setattr(magics, "ComposeProject", Project)
    file = tmp_path / "compose.yaml"  # -f must name a file that is there (%docker checks, as Compose does)
    file.write_text("services:\n  api:\n    image: alpine:3.20\n")
    notes = magics._one_off_removed(magics.split(f"docker compose -f {file} down -v"))
    assert removed == ["dockerlab-api-compose"]
    assert len(notes) == 1 and "removed dockerlab-api-compose-api-run-0a1b2c, started by `compose run`" in notes[0]
    assert "docker rm -f" in notes[0]  # what to type in a terminal, where nothing removes them
    for line in (f"compose -f {file} up -d", f"compose -f {file} ps", "run -d alpine:3.20", "ps -a"):
        assert magics._one_off_removed(magics.split(line)) == [], line
    assert removed == ["dockerlab-api-compose"]  # no other command removed anything
    Project.remove_one_off = lambda self: []
    assert magics._one_off_removed(magics.split(f"compose -f {file} down")) == []  # none: no note


@pytest.mark.parametrize("command, labelled, ports", [
    ("up -d", True, True), ("create", True, True), ("start", False, True), ("restart", False, True),
    ("run --rm api true", True, False), ("run --service-ports api", True, True),
    ("ps", False, False), ("port api 8000", False, False), ("logs api", False, False), ("down", False, False),
])
def test_compose_notes_are_said_by_the_commands_they_are_about(command, labelled, ports, fake_project, tmp_path):
    (tmp_path / "compose.yaml").write_text("services: {}\n")
    notes = prepared(f"compose -f {tmp_path}/compose.yaml {command}")[2]
    assert any("labelled" in note for note in notes) == labelled
    assert ("api: 8000->8000 published on 127.0.0.1 only" in notes) == ports


@pytest.mark.parametrize("present, found", [
    (["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"], "compose.yaml"),
    (["compose.yml", "docker-compose.yml", "docker-compose.yaml"], "compose.yml"),
    (["docker-compose.yml", "docker-compose.yaml"], "docker-compose.yml"),  # as `docker compose config` picks (checked: Compose v5.6.1)
    (["docker-compose.yaml"], "docker-compose.yaml"),
])
def test_with_no_f_the_file_is_found_in_composes_own_order(present, found, tmp_path, monkeypatch, fake_project):
    for name in present:
        (tmp_path / name).write_text("services: {}\n")
    (tmp_path / "sub").mkdir()
    assert magics.compose_file(tmp_path) == tmp_path / found
    assert magics.compose_file(tmp_path / "sub") == tmp_path / found  # and, as Compose, in the folders above
    monkeypatch.chdir(tmp_path / "sub")
    argv = prepared("compose up -d")[0]
    assert fake_project.made == [{"directory": str(tmp_path), "file": found}] and argv[-2:] == ["up", "-d"]


def test_with_no_f_and_a_project_directory_the_file_is_looked_for_there(tmp_path, monkeypatch, fake_project):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "docker-compose.yaml").write_text("services: {}\n")
    monkeypatch.chdir(tmp_path)
    prepared("compose --project-directory app ps")
    assert fake_project.made == [{"directory": "app", "file": str(tmp_path / "app" / "docker-compose.yaml")}]


def test_f_is_read_from_the_working_folder_as_compose_reads_it(tmp_path, monkeypatch, fake_project):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "stack.yaml").write_text("services: {}\n")
    monkeypatch.chdir(tmp_path)
    prepared("compose -f app/stack.yaml --project-directory app ps")
    assert fake_project.made == [{"directory": "app", "file": str(tmp_path / "app" / "stack.yaml")}]
    with pytest.raises(dl.DockerlabError, match="the file -f names"):
        prepared("compose -f stack.yaml --project-directory app ps")  # not app/stack.yaml: Compose would not read that either


def test_no_compose_file_says_what_compose_looks_for_and_mentions_f(tmp_path, monkeypatch, capsys):
    if any((folder / name).is_file() for folder in tmp_path.parents for name in magics.COMPOSE_FILE_NAMES):
        pytest.skip("a compose file lies above the test's folder on this machine")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOCKERLAB_MODE", "live")
    monkeypatch.setattr(magics.subprocess, "Popen", lambda *a, **k: pytest.fail("ran something"))
    assert magics._run_line("compose up -d") is None
    printed = capsys.readouterr().out
    assert f"There is no compose file in {tmp_path} or a folder above it" in printed
    assert "compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml" in printed and "-f" in printed and "Traceback" not in printed


def test_an_override_file_compose_would_merge_is_named(tmp_path, monkeypatch, fake_project):
    (tmp_path / "compose.yaml").write_text("services: {}\n")
    (tmp_path / "compose.override.yaml").write_text("services: {}\n")
    monkeypatch.chdir(tmp_path)
    notes = prepared("compose up -d")[2]
    assert any(note.startswith("compose.override.yaml is not read here") for note in notes)


def test_a_bare_docker_magic_says_how_it_is_used(capsys, monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    ran = []
    monkeypatch.setattr(magics, "_run_line", lambda line: ran.append(line))
    shell = InteractiveShell.instance()
    magics.load_ipython_extension(shell)
    assert shell.run_line_magic("docker", "   ") is None
    assert "%docker images" in capsys.readouterr().out and ran == []


RECORDED_IMAGES = "images hello-python"  # a %docker cell of 02, in data/recorded/02_core_concepts.json


@pytest.mark.parametrize("typed", [RECORDED_IMAGES, f"docker {RECORDED_IMAGES}"])
def test_a_recorded_cell_replays_its_output_and_a_typed_docker_word_is_accepted_once(typed, monkeypatch, capsys):
    from dockerlab import recording

    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
    recording.reset()  # the course's own recordings, read only
    result = magics._run_line(typed)
    printed = capsys.readouterr().out
    assert result is not None and result.ok and result.command == RECORDED_IMAGES
    assert printed.startswith(f"[recorded] docker {RECORDED_IMAGES}\nREPOSITORY") and "hello-python" in printed
    assert "docker docker" not in printed


def test_a_typed_docker_word_is_dropped_once_only():
    assert magics.split("docker images") == ["images"]
    assert magics.split("docker docker images") == ["docker", "images"]


def test_stdout_and_stderr_are_kept_apart_and_interleaved_in_the_output(monkeypatch):
    script = "echo one; echo warn >&2; echo two; echo fail >&2; exit 4"
    monkeypatch.setattr(magics, "prepare_command", lambda words: (["sh", "-c", script], {}, ["a note"]))
    monkeypatch.setenv("DOCKERLAB_MODE", "live")
    result = magics.docker(["ps"], progress=False)
    assert (result.stdout, result.stderr, result.exit_code) == ("one\ntwo\n", "warn\nfail\n", 4)
    assert result.output.startswith("[dockerlab] a note\n")
    shown = result.output.splitlines()[1:]
    assert sorted(shown) == sorted(["one", "warn", "two", "fail"]) and shown.index("one") < shown.index("two")


@pytest.mark.parametrize("line, expected", [
    ("run -v t16-data:/data alpine true", ["t16-data"]),
    ("run --rm -dv t16-a:/a --volume=t16-b:/b:ro --volume /anonymous -v ./here:/c -v /abs:/d alpine", ["t16-a", "t16-b"]),
    ("container create --mount type=volume,source=t16-m,target=/m --mount type=bind,src=/x,dst=/y alpine", ["t16-m"]),
    ("run -e A=1 --name x alpine -v not-an-option:/x", []),  # after the image: the container's own arguments
    ("volume create t16-v", []),
])
def test_the_named_volumes_a_run_mounts(line, expected):
    assert magics.named_volumes(magics.split(line)) == expected


FAKE_DOCKER = """#!/bin/sh
echo "$*" >> "{log}"
case "$1 $2" in
  "volume inspect") exit 1 ;;
  "volume create"|"volume rm") exit 0 ;;
  "ps -aq") echo 0a1b2c3d4e5f ;;
  "rm -fv") exit 0 ;;
  run*) echo 'docker: Error response from daemon: exec: "/nope": no such file or directory' >&2; exit 127 ;;
esac
"""


def _with_fake_docker(monkeypatch, tmp_path, script: str, line: str):
    """Run ``%docker line`` against ``script`` as the docker CLI (first on PATH; it logs each call). Returns the
    result and the calls the script saw, one line each."""
    log = _fake_docker_on_path(monkeypatch, tmp_path, script)
    result = magics.docker(magics.split(line), progress=False)
    return result, log.read_text().splitlines()


def test_a_run_that_docker_cannot_start_removes_its_container_and_the_volume_made_for_it(monkeypatch, tmp_path):
    result, calls = _with_fake_docker(monkeypatch, tmp_path, FAKE_DOCKER, "run -v t16-magvol2:/data alpine /nope")
    assert result.exit_code == 127
    assert "volume create --label=org.dockerlab.course=1 --label=org.dockerlab.created=1 t16-magvol2" in calls  # labelled, so clean finds it
    made, ran = calls.index("volume create --label=org.dockerlab.course=1 --label=org.dockerlab.created=1 t16-magvol2"), \
        next(index for index, call in enumerate(calls) if call.startswith("run "))
    assert made < ran and calls[-1] == "volume rm t16-magvol2" and "rm -fv 0a1b2c3d4e5f" in calls
    assert any("status=created" in call for call in calls if call.startswith("ps "))  # only a container that never started
    assert "removed the container it created but could not start (0a1b2c3d4e5f) and the volume(s) made for it (t16-magvol2)" in result.output


def test_a_replayed_command_names_the_learners_own_path_not_the_recorders(monkeypatch, capsys):
    from dockerlab import recording
    from dockerlab.paths import COURSE_ROOT

    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
    recording.reset()  # the course's own recordings, read only: 02 built this folder on the recording machine
    app = COURSE_ROOT / "data" / "apps" / "hello-python"
    result = magics._run_line(f"build -t hello-python:1 {app}")
    printed = capsys.readouterr().out
    assert result is not None and result.ok and printed.startswith(f"[recorded] docker build -t hello-python:1 {app}\n")
    assert result.command == f"build -t hello-python:1 {app}"  # the summary line under the output, as the echo above it
    assert repr(result) == f"docker build -t hello-python:1 {app}: exit 0 in {result.seconds:.1f} s" and str(app) in result._repr_html_()


def test_as_typed_swaps_only_the_paths_that_differ():
    result = magics.CommandResult("build -t a:1 /rec/data/apps/x", "/usr/bin/docker build --progress=plain -t a:1 /rec/data/apps/x",
                                  "#1 load build definition from /rec/data/apps/x/Dockerfile\n", 0, 0.4, "", "#1 ...")
    mine = magics.as_typed(result, ["build", "-t", "a:1", "/home/me/course/data/apps/x"])
    assert mine.command == "build -t a:1 /home/me/course/data/apps/x" and "/rec/" not in mine.ran + mine.output
    assert magics.as_typed(result, ["build", "-t", "a:1", "/rec/data/apps/x"]) is result  # nothing differs
    assert magics.as_typed(result, ["build", "-t", "b:2", "/rec/data/apps/x"]) is result  # not a path: never rewritten


def test_as_typed_names_a_course_relative_recorded_path_by_the_learners_own():
    """Recordings write the course's paths relative to the course (codec.portable_text): replayed, they read
    as the path the learner typed, in the command, what ran and the output; a longer name is left alone."""
    app = "data/apps/hello-python"
    result = magics.CommandResult(f"build -t a:1 {app}", f"docker build --progress=plain -t a:1 {app}",
                                  f"#1 load build definition from {app}/Dockerfile\nnot {app}2 nor x/{app}\n", 0, 0.4, "", "")
    mine = magics.as_typed(result, ["build", "-t", "a:1", "/home/me/course/data/apps/hello-python"])
    assert mine.command == "build -t a:1 /home/me/course/data/apps/hello-python"
    assert mine.ran == "docker build --progress=plain -t a:1 /home/me/course/data/apps/hello-python"
    assert mine.output == f"#1 load build definition from /home/me/course/{app}/Dockerfile\nnot {app}2 nor x/{app}\n"
    assert magics.as_typed(result, ["build", "-t", "b:2", app]) is result  # a tag is not a path: never rewritten


@pytest.mark.parametrize("line", [
    "run --rm alpine:3.20 sh -c 'echo ${HOME}'",            # the shell's: the container's sh reads it
    "run --rm alpine:3.20 awk 'BEGIN {print 1}'",           # braces that are not a Python expression
    "ps --format '{{.Names}}'",                             # a Go template, as --format takes it
    "inspect -f '{{range .Mounts}}{{.Name}} {{end}}' web",
    "run --rm alpine:3.20 find / -name x -exec echo {} ;",  # empty braces
    """run --rm -e 'J={"a": 1}' alpine:3.20 env""",          # JSON is not an expression
])
def test_braces_that_are_not_a_python_expression_are_left_as_typed(line):
    def evaluate(expression):
        raise AssertionError(f"evaluated {expression!r}")

    assert magics.expand(line, evaluate) == line


def test_a_python_expression_in_braces_is_read_beside_the_shells_and_go_templates():
    namespace = {"app": "/course/data/apps/hello"}
    line = "run --rm -v {app}:/app alpine:3.20 sh -c 'echo ${HOME} {{x}}'"
    assert (magics.expand(line, lambda expression: eval(expression, namespace))
            == "run --rm -v /course/data/apps/hello:/app alpine:3.20 sh -c 'echo ${HOME} {{x}}'")
    with pytest.raises(dl.DockerlabError, match="NameError"):
        magics.expand("run {nothing_here}", lambda expression: eval(expression, {}))


@pytest.mark.parametrize("line, operator", [
    ("images | grep hello", "|"),
    ("rm -f $(docker ps -aq)", "$("),
    ("rm -f `docker ps -aq`", "`"),
    ("build -t a:1 . && docker run --rm a:1", "&&"),
    ("ps; docker images", ";"),
    ("images > images.txt", ">"),
    ("logs web 2>&1", ">"),
    ("build -t x - <<EOF", "<<"),
])
@pytest.mark.parametrize("mode", ["live", "recorded"])
def test_shell_syntax_gets_one_line_saying_the_magic_runs_one_command_without_a_shell(line, operator, mode, monkeypatch, capsys):
    monkeypatch.setenv("DOCKERLAB_MODE", mode)
    monkeypatch.setattr(magics.subprocess, "Popen", lambda *a, **k: pytest.fail("ran something"))
    assert magics._run_line(line) is None
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"docker {line}" and len(printed) == 2
    assert f"`{operator}`" in printed[1] and "without a shell" in printed[1] and "terminal" in printed[1] and "!docker" in printed[1]
    assert "live Docker engine" not in printed[1]
    assert ("%%docker cell" in printed[1]) == (operator == "<<")  # a heredoc runs in a %%docker cell


@pytest.mark.parametrize("line", [
    "ps --format '{{.Names}} | {{.Status}}'", "run --rm alpine:3.20 sh -c 'ls / | wc -l; echo $(date) > /tmp/x'",
    'run --rm alpine:3.20 sh -c "echo a && echo b"', "run --rm alpine:3.20 echo a\\;b",
])
def test_shell_syntax_quoted_for_the_container_is_not_the_magics_concern(line):
    assert magics.shell_syntax(line) is None


def test_a_heredoc_cell_is_one_command_with_its_text_on_stdin(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    seen = []
    monkeypatch.setattr(magics, "_run_line", lambda line, stdin=None: seen.append((line, stdin)))
    shell = InteractiveShell.instance()
    magics.load_ipython_extension(shell)
    shell.run_cell_magic("docker", "", "build -t x - <<EOF\nFROM alpine:3.20\nRUN echo {{not a template}} ${HOME}\nEOF\nimages x")
    assert seen == [("build -t x -", "FROM alpine:3.20\nRUN echo {{not a template}} ${HOME}\n"), ("images x", None)]
    seen.clear()
    shell.run_cell_magic("docker", "", "build -t x - <<'END'\nFROM alpine:3.20\n")  # never closed: the rest of the cell
    assert seen == [("build -t x -", "FROM alpine:3.20\n")]


def test_a_command_given_stdin_reads_it(monkeypatch):
    monkeypatch.setattr(magics, "prepare_command", lambda words: (["cat"], {}, []))
    monkeypatch.setenv("DOCKERLAB_MODE", "live")
    result = magics.docker(["build", "-"], stdin="FROM alpine:3.20\n", progress=False)
    assert result.ok and result.stdout == "FROM alpine:3.20\n"


@pytest.mark.parametrize("typed", [
    "build --tag hello-python:1 ../data/apps/hello-python",         # as the terminal in notebooks/ sees the folder, --tag for -t
    "build -t hello-python:1 --progress=plain ../data/apps/hello-python/",
    "build --tag=hello-python:1 --progress plain ../data/apps/hello-python",
    "run --rm --env 'GREETING=Hello from the environment' hello-python:1 printenv GREETING",
    "run --detach --name=slice hello-python:1 sleep 600",
    "container run --rm hello-python:1",
])
def test_a_recorded_command_typed_another_correct_way_replays(typed, monkeypatch, capsys):
    from dockerlab import recording
    from dockerlab.paths import COURSE_ROOT

    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
    monkeypatch.chdir(COURSE_ROOT / "notebooks")  # where a notebook's kernel (and the course's terminal) starts
    recording.reset()  # the course's own recordings (02), read only
    result = magics._run_line(typed)
    printed = capsys.readouterr().out
    assert result is not None and result.ok, printed
    assert printed.startswith(f"[recorded] docker {typed}\n") and result.command == magics.shlex.join(magics.split(typed))


@pytest.mark.parametrize("typed", [
    "build --tag hello-python:2 ../data/apps/hello-python",          # another tag
    "build -t hello-python:1 ../data/apps/layer-cache",              # another folder
    "build -t hello-python:1 --progress=tty ../data/apps/hello-python",
    "run --rm --env GREETING=hi hello-python:1 printenv GREETING",
    "run --rm hello-python:1 --tag",                                 # the container's own argument, not an option
])
def test_a_truly_different_command_still_says_it_was_not_recorded(typed, monkeypatch, capsys):
    from dockerlab import recording
    from dockerlab.paths import COURSE_ROOT

    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
    monkeypatch.chdir(COURSE_ROOT / "notebooks")
    recording.reset()
    assert magics._run_line(typed) is None
    assert "was not run when this course's results were recorded" in capsys.readouterr().out


def test_equivalent_spellings_read_alike(monkeypatch, tmp_path):
    (tmp_path / "app").mkdir()
    monkeypatch.chdir(tmp_path)
    same = magics.equivalent
    assert same(magics.split("run -dit -p8080:80 nginx:1"), magics.split("run --detach -i --tty --publish 8080:80 nginx:1"))
    assert same(magics.split("build -t a:1 app"), magics.split(f"build --tag=a:1 {tmp_path}/app"))
    assert same(magics.split("ps -a"), magics.split("ps --all")) and same(magics.split("image build -t a:1 ."), magics.split("build -t a:1 ."))
    assert not same(magics.split("run nginx:1 -d"), magics.split("run nginx:1 --detach"))  # the container's arguments
    assert not same(magics.split("build -t a:1 app"), magics.split("build -t a:1 app2"))
    assert same(magics.split("build --no-cache -t a:1 app"), magics.split("build -t a:1 --no-cache ./app/"))


@pytest.mark.parametrize("mode", ["live", "recorded"])
@pytest.mark.parametrize("line, nearest", [("biuld -t a:1 .", "build"), ("imgaes", "images"), ("network craete backend", "network create"),
                                           ("--log-level error rnu --rm alpine:3.20", "run")])
def test_a_word_that_is_not_a_docker_command_says_so_and_the_nearest(line, nearest, mode, monkeypatch, capsys):
    monkeypatch.setenv("DOCKERLAB_MODE", mode)
    monkeypatch.setattr(magics.subprocess, "Popen", lambda *a, **k: pytest.fail("ran something"))
    assert magics._run_line(line) is None
    printed = capsys.readouterr().out
    assert "is not a docker command" in printed and f"did you mean `{nearest}`" in printed and "live" not in printed


def test_every_docker_command_the_course_uses_is_known():
    for line in ["build .", "images", "network create x", "volume ls", "compose -f x.yaml up", "container run a", "image inspect a",
                 "system df", "buildx build .", "builder prune", "top x", "wait x", "port x", "diff x", "kill x", "version"]:
        assert magics.unknown_command(magics.split(line)) is None, line


@pytest.mark.parametrize("line", ["--log-level error run -d -p 8082:80 nginx:1", "-H unix:///var/run/docker.sock run -d -p 8082:80 nginx:1",
                                  "--log-level=error -D run -d -p 8082:80 nginx:1", "--context default container run -d -p 8082:80 nginx:1"])
def test_the_clis_own_options_are_skipped_so_a_run_is_labelled_and_published_locally(line):
    argv, _, notes = prepared(line)
    assert "--label=org.dockerlab.course=1" in argv and "127.0.0.1:8082:80" in argv and argv[-1] == "nginx:1"
    assert argv.index("--label=org.dockerlab.course=1") > argv.index("run")  # an option of run, not of the CLI
    assert any("127.0.0.1 only" in note for note in notes)


def test_compose_run_publishes_on_127_0_0_1(fake_project, tmp_path):
    (tmp_path / "compose.yaml").write_text("services: {}\n")
    argv, _, notes = prepared(f"compose -f {tmp_path}/compose.yaml run --rm -T -e A=1 -p 8089:80 --publish=8090:90 api sh -c 'nc -p 1:2'")
    assert argv[argv.index("run"):] == ["run", "--rm", "-T", "-e", "A=1", "-p", "127.0.0.1:8089:80", "--publish=127.0.0.1:8090:90",
                                        "api", "sh", "-c", "nc -p 1:2"]
    assert any("-p 8089:80 is published as 127.0.0.1:8089:80" in note for note in notes)
    assert any("labelled" in note for note in notes)


def test_an_equivalent_spelling_whose_replay_is_missing_too_still_says_not_recorded(monkeypatch, capsys):
    from dockerlab import recording

    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
    recording.reset()
    monkeypatch.setattr(magics, "_recorded_spelling", lambda words: ["run", "--rm", "alpine:3.20", "echo", "never-recorded-4712"])
    assert magics._run_line("run --rm alpine:3.20 echo never-recorded-4711") is None
    printed = capsys.readouterr().out
    assert "was not run when this course's results were recorded" in printed and "Traceback" not in printed


def test_ctrl_c_while_a_runs_volume_is_made_removes_it(monkeypatch):
    """#16: the held() block made the volume and raised the Ctrl-C at its end, so docker() never learned its name
    and it stayed. Now what was made is removed before the Ctrl-C goes on."""
    import os
    import signal
    import subprocess

    volumes, calls = set(), []

    def run(argv, **_):
        calls.append(argv[1:])
        if argv[1:3] == ["volume", "inspect"]:
            return subprocess.CompletedProcess(argv, 0 if argv[-1] in volumes else 1)
        if argv[1:3] == ["volume", "create"]:
            volumes.add(argv[-1])
            if argv[-1] == "t16-second":
                os.kill(os.getpid(), signal.SIGINT)  # the learner's Ctrl-C while the engine makes it
            return subprocess.CompletedProcess(argv, 0)
        if argv[1:3] == ["volume", "rm"]:
            volumes.discard(argv[-1])
            return subprocess.CompletedProcess(argv, 0)
        raise AssertionError(argv)

    monkeypatch.setattr(magics.subprocess, "run", run)
    with pytest.raises(KeyboardInterrupt):
        magics._make_volumes(["t16-first", "t16-second", "t16-third"])
    assert volumes == set() and ["volume", "rm", "t16-first"] in calls and ["volume", "rm", "t16-second"] in calls
    assert not any(call[-1] == "t16-third" for call in calls)


FAKE_DOCKER_TAKEN = """#!/bin/sh
echo "$*" >> "{log}"
case "$1 $2" in
  "volume inspect") exit 1 ;;
  "volume create"|"volume rm") exit 0 ;;
  "ps -aq") exit 0 ;;
  create*|run*) echo 'Error response from daemon: Conflict. The container name "/taken" is already in use' >&2; exit 1 ;;
esac
"""


@pytest.mark.parametrize("line, removed", [
    ("create --name taken -v t16-newvol:/d alpine true", True),  # no container made: its volume goes
    ("run --name taken -v t16-newvol:/d alpine true", True),
    ("run --rm -v t16-newvol:/d alpine false", False),  # its command failed and --rm removed it: the volume holds what it wrote
])
def test_a_create_that_made_no_container_is_failed_whatever_its_exit_code(monkeypatch, tmp_path, line, removed):
    """#16: `%docker create --name taken -v NEWVOL:/d` exits 1 (not 125) and kept its new volume."""
    result, calls = _with_fake_docker(monkeypatch, tmp_path, FAKE_DOCKER_TAKEN, line)
    assert result.exit_code == 1
    assert ("volume rm t16-newvol" in calls) == removed, calls
    if removed:
        assert "the volume(s) made for it (t16-newvol)" in result.output


FAKE_STREAMING = """#!/bin/sh
echo "$*" >> "{log}"
case "$1" in
  logs) echo $$ > "{log}.pid"; echo "first line"; exec sleep 30 ;;
  *) echo "out of $1" ;;
esac
"""


def _interrupt_soon(seconds: float = 0.6):
    """A Ctrl-C to this process in ``seconds``, as the kernel's interrupt delivers it (SIGINT, main thread)."""
    import os
    import signal
    import threading

    timer = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    return timer


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by its parent) is not running
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def _streaming_shell_interrupted_soon(monkeypatch, tmp_path):
    """An IPython shell with %docker loaded, a fake docker whose commands stream until stopped (its log of
    commands returned too), and a Ctrl-C on its way."""
    from IPython.core.interactiveshell import InteractiveShell

    log = _fake_docker_on_path(monkeypatch, tmp_path, FAKE_STREAMING)
    monkeypatch.setenv("DOCKERLAB_MODE", "live")
    shell = InteractiveShell.instance()
    magics.load_ipython_extension(shell)
    _interrupt_soon()
    return shell, log


def test_ctrl_c_on_a_streaming_command_stops_it_and_says_one_line_not_a_traceback(monkeypatch, tmp_path, capsys):
    """#17: `%docker logs -f NAME` then Ctrl-C showed a 13-frame traceback (magics.py, queue.py, threading.py)."""
    shell, log = _streaming_shell_interrupted_soon(monkeypatch, tmp_path)
    outcome = shell.run_cell("%docker logs -f web")
    printed = capsys.readouterr()
    assert isinstance(outcome.error_in_exec, magics.CommandInterrupted) and isinstance(outcome.error_in_exec, KeyboardInterrupt)
    shown = [line for line in (printed.out + printed.err).splitlines() if line.strip()]
    assert shown[0] == "first line" and len(shown) == 2 and "Traceback" not in printed.out + printed.err
    assert re.fullmatch(r"stopped: interrupted after (\d+\.\d) s", shown[1]) and 0.3 < float(shown[1].split()[-2]) < 5
    assert not _alive(int(Path(f"{log}.pid").read_text()))  # the child was stopped, not left running


def test_ctrl_c_in_a_docker_cell_stops_the_cell_and_says_what_did_not_run(monkeypatch, tmp_path, capsys):
    shell, log = _streaming_shell_interrupted_soon(monkeypatch, tmp_path)
    with pytest.raises(magics.CommandInterrupted) as raised:
        shell.run_cell_magic("docker", "", "ps\nlogs -f web\nimages\nvolume ls")
    assert raised.value.skipped == 2 and str(raised.value).endswith("; the cell's 2 other commands did not run")
    assert log.read_text().splitlines() == ["ps", "logs -f web"]  # nothing after the interrupted command ran
    assert "out of ps" in capsys.readouterr().out


def test_a_docker_cell_shows_each_commands_exit_line(monkeypatch, tmp_path, capsys):
    from IPython.core.interactiveshell import InteractiveShell

    _fake_docker_on_path(monkeypatch, tmp_path, FAKE_STREAMING)
    monkeypatch.setenv("DOCKERLAB_MODE", "live")
    shell = InteractiveShell.instance()
    magics.load_ipython_extension(shell)
    last = shell.run_cell_magic("docker", "", "ps\n# a comment\nimages\n\nvolume ls  # the last one")
    printed = capsys.readouterr().out.splitlines()
    assert isinstance(last, magics.CommandResult) and last.command == "volume ls"  # the cell's value, shown by the cell
    assert printed[0::2] == ["out of ps", "out of images", "out of volume"] and len(printed) == 5
    assert re.fullmatch(r"docker ps: exit 0 in \d+\.\d s", printed[1]) and re.fullmatch(r"docker images: exit 0 in \d+\.\d s", printed[3])
