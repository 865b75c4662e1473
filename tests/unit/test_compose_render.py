"""How dl.compose renders a learner's file: Compose's own `config` (no engine needed), plus the course rules."""
import json
from pathlib import Path

import docker.errors
import pytest

import dockerlab as dl
from dockerlab.compose import ComposeFailed, _fix_for
from dockerlab.errors import DockerlabError


def rendered(stack) -> dict:
    return json.loads(stack.rendered.read_text())


def test_seed_file_is_rendered_with_course_rules():
    stack = dl.compose.project(dl.paths.app("compose-api"), "seed-compose.yaml")
    assert any("`version` is obsolete" in warning for warning in stack.warnings)
    config = rendered(stack)
    assert config["name"] == stack.name and stack.name.startswith("dockerlab-")
    assert config["services"]["api"]["ports"][0]["host_ip"] == "127.0.0.1"
    assert stack.rebound_ports == ["api: 8000->8000 published on 127.0.0.1 only"]
    for service in config["services"].values():
        assert service["labels"]["org.dockerlab.course"] == "1"
    assert config["networks"]["default"]["labels"]["org.dockerlab.course"] == "1"
    assert "name" not in config["networks"]["default"], "the network is named after the course project"


def test_fixed_file_reads_the_password_from_env_and_labels_the_volume():
    stack = dl.compose.project(dl.paths.app("compose-api"), "compose.yaml")
    config = rendered(stack)
    assert config["services"]["db"]["environment"]["POSTGRES_PASSWORD"] == "course-example-password"
    assert config["services"]["api"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert config["volumes"]["db-data"]["labels"]["org.dockerlab.course"] == "1"
    assert stack.rebound_ports == [], "already bound to 127.0.0.1"


def test_an_invalid_file_is_a_clear_error(tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  api:\n    image: alpine:3.20\n    portz: [1]\n")
    with pytest.raises(ComposeFailed) as caught:
        dl.compose.project(tmp_path)
    assert "portz" in str(caught.value) and caught.value.exit_code != 0


def test_a_missing_variable_names_the_env_file(tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  db:\n    image: postgres:15\n    environment:\n"
                                           "      POSTGRES_PASSWORD: ${DB_PASSWORD:?set it in .env}\n")
    with pytest.raises(ComposeFailed) as caught:
        dl.compose.project(tmp_path)
    assert ".env" in caught.value.fix


def test_missing_file_is_a_course_error(tmp_path):
    with pytest.raises(dl.DockerlabError, match="no compose file"):
        dl.compose.project(tmp_path)


def test_port_in_use_fix_names_the_address():
    fix = _fix_for("Error response from daemon: driver failed programming external connectivity: Bind for 127.0.0.1:8000 failed: port is already allocated")
    assert "127.0.0.1:8000" in fix and "already listens" in fix


def test_settings_are_copied_from_the_example_once_and_never_keyed(tmp_path):
    from dockerlab.compose import ComposeProject
    from dockerlab.recording.inputs import files_of

    (tmp_path / "compose.yaml").write_text('services:\n  web:\n    image: alpine:3.20\n    command: ["echo", "${WORD:?set it in .env}"]\n')
    (tmp_path / ".env.example").write_text("WORD=hello\n")
    project = ComposeProject(tmp_path)
    assert (tmp_path / ".env").read_text() == "WORD=hello\n" and ".env.example" in project.notes[0]
    (tmp_path / ".env").write_text("WORD=mine\n")
    assert ComposeProject(tmp_path).notes == []  # the learner's own settings are kept
    assert (tmp_path / ".env").read_text() == "WORD=mine\n"
    assert not any(name.endswith("/.env") for name in files_of(tmp_path, tmp_path.parent))


def test_a_service_behind_a_profile_is_rendered_with_its_profile(tmp_path):
    import json

    from dockerlab.compose import ComposeProject

    (tmp_path / "compose.yaml").write_text(
        'services:\n  web:\n    image: alpine:3.20\n  debug:\n    image: alpine:3.20\n    profiles: [debug]\n'
    )
    services = json.loads(ComposeProject(tmp_path).rendered.read_text())["services"]
    assert set(services) == {"web", "debug"} and services["debug"]["profiles"] == ["debug"]


@pytest.mark.parametrize("text, profiles", [
    # two profiles on one service, and a profiled service that depends on one without a profile
    ('services:\n  web:\n    image: alpine:3.20\n  tools:\n    image: alpine:3.20\n    profiles: [debug, ops]\n    depends_on: [web]\n',
     {"web": None, "tools": ["debug", "ops"]}),
    # every service behind a profile: plain `up` starts none, naming one starts it
    ('services:\n  a:\n    image: alpine:3.20\n    profiles: [one]\n  b:\n    image: alpine:3.20\n    profiles: [two]\n',
     {"a": ["one"], "b": ["two"]}),
])
def test_every_profile_is_kept_when_the_file_is_rendered(tmp_path, text, profiles):
    import json

    from dockerlab.compose import ComposeProject

    (tmp_path / "compose.yaml").write_text(text)
    services = json.loads(ComposeProject(tmp_path).rendered.read_text())["services"]
    assert {name: service.get("profiles") for name, service in services.items()} == profiles


def test_a_failing_down_at_the_end_of_with_keeps_the_up_error_with_a_note(tmp_path, monkeypatch):
    import subprocess

    from dockerlab import compose
    from dockerlab.compose import ComposeProject

    (tmp_path / "compose.yaml").write_text('services:\n  web:\n    image: alpine:3.20\n    command: ["sh", "-c", "exit 3"]\n')
    stack = ComposeProject(tmp_path)
    said = {"up": "container dockerlab-web-1 exited (3)", "down": "Error response from daemon: error while removing network: network has active endpoints"}
    called = []

    def cli(command, **options):  # the Compose CLI, stubbed: `up` and `down` fail, `logs` answers
        verb = next(word for word in command if word in ("up", "down", "logs", "ps"))
        called.append(verb)
        return subprocess.CompletedProcess(command, 1 if verb in said else 0, stdout="", stderr=said.get(verb, ""))

    monkeypatch.setattr(compose.subprocess, "run", cli)
    monkeypatch.setattr(ComposeProject, "_objects",
                        lambda self: dict.fromkeys(("containers", "one_off", "services", "networks", "volumes", "anonymous"), set()))
    monkeypatch.setattr(ComposeProject, "_undo", lambda self, before: None)  # no engine; nothing to undo
    with pytest.raises(ComposeFailed) as raised:
        with stack:
            stack.up(wait=False, build=False)
    assert raised.value.command[0] == "up" and "exited (3)" in raised.value.output  # the up error, not down's
    notes = getattr(raised.value, "__notes__", [])
    assert len(notes) == 1 and "removing the stack afterwards failed too" in notes[0] and "active endpoints" in notes[0]
    assert called.count("down") == 1


def test_every_command_but_up_reaches_every_profile(tmp_path, monkeypatch):
    import subprocess

    from dockerlab import compose
    from dockerlab.compose import ComposeProject

    (tmp_path / "compose.yaml").write_text('services:\n  web:\n    image: alpine:3.20\n  debug:\n    image: alpine:3.20\n    profiles: [debug]\n')
    stack = ComposeProject(tmp_path)
    commands = {}

    def cli(command, **options):  # the Compose CLI, stubbed: every command succeeds
        verb = next(word for word in command if word in ("up", "down", "logs", "ps", "exec"))
        commands[verb] = command
        return subprocess.CompletedProcess(command, 0, stdout="[]" if verb == "ps" else "", stderr="")

    monkeypatch.setattr(compose.subprocess, "run", cli)
    monkeypatch.setattr(ComposeProject, "_objects",
                        lambda self: {key: set() for key in ("containers", "one_off", "services", "networks", "volumes", "anonymous")})
    with stack:
        stack.up(services=["debug"], wait=False, build=False)
        stack.ps()
        stack.logs("debug")
        stack.exec("debug", "true")
    every = lambda command: command[command.index("--profile") + 1] == "*" if "--profile" in command else False  # noqa: E731
    assert not every(commands["up"]) and commands["up"][-1] == "debug"  # naming the service enables its profile, as the CLI does
    assert all(every(commands[verb]) for verb in ("down", "ps", "logs", "exec"))
    assert commands["down"].index("--profile") < commands["down"].index("down")  # a global option


class _FakeContainers:
    """Containers by their Compose project label, as the engine filters them (one label at a time)."""

    def __init__(self, projects: dict[str, str]):  # project name -> its working_dir
        self.projects = projects

    def list(self, all=False, filters=None, ignore_removed=False):  # the SDK's signature
        wanted = filters["label"].split("=", 1)[1]
        return [type("Container", (), {"labels": {"com.docker.compose.project": wanted, "com.docker.compose.project.working_dir": folder}})()
                for name, folder in self.projects.items() if name == wanted]


@pytest.mark.parametrize("running, expected", [
    ({}, "readable"),  # nothing runs: the readable name
    ({"dockerlab-v16part-compose": "/x/v16part"}, "readable"),  # this folder's own stack
    ({"dockerlab-v16part-compose": "/x/elsewhere/v16part"}, "longer"),  # another folder of the same name
    ({"dockerlab-v16part-compose": "/x/elsewhere/v16part", "LONGER": "/x/v16part"}, "longer"),
    ({"LONGER": "/x/v16part"}, "longer"),  # still the longer name once the other folder's stack is gone
])
def test_two_folders_of_the_same_name_never_share_a_project(monkeypatch, running, expected):
    import hashlib
    from pathlib import Path

    from dockerlab import compose

    longer = "dockerlab-v16part-compose-" + hashlib.sha256(b"/x/v16part").hexdigest()[:8]
    running = {longer if name == "LONGER" else name: folder for name, folder in running.items()}
    fake = type("Client", (), {"containers": _FakeContainers(running)})()
    monkeypatch.setattr(compose.engine, "client", lambda: fake)
    name = compose.distinct_name("dockerlab-v16part-compose", Path("/x/v16part"))
    assert name == {"readable": "dockerlab-v16part-compose", "longer": longer}[expected]


def test_with_no_engine_the_name_is_the_readable_one():
    from pathlib import Path

    from dockerlab import compose

    assert compose.distinct_name("dockerlab-v16part-compose", Path("/x/v16part")) == "dockerlab-v16part-compose"


def test_a_missing_env_file_of_a_service_whose_profile_is_off_does_not_stop_the_project(tmp_path):
    """Plain `docker compose up` never reads the env_file of a service whose profile is not enabled
    (issue 22 kind F): rendering it must not fail either; the file stays named for the command that
    starts that service to read."""
    import json

    from dockerlab.compose import ComposeProject

    (tmp_path / "compose.yaml").write_text(
        'services:\n  web:\n    image: alpine:3.20\n  debug:\n    image: alpine:3.20\n    profiles: [debug]\n    env_file: debug.env\n'
    )
    services = json.loads(ComposeProject(tmp_path).rendered.read_text())["services"]
    assert set(services) == {"web", "debug"}
    assert [entry["path"] for entry in services["debug"]["env_file"]] == [str((tmp_path / "debug.env").resolve())]


def test_a_compose_without_no_env_resolution_renders_as_before(tmp_path, monkeypatch):
    """A Compose older than `config --no-env-resolution` refuses the flag: the render asks again without it."""
    import subprocess

    from dockerlab import compose

    real = subprocess.run
    asked = []

    def old_compose(argv, **kwargs):
        asked.append(list(argv))
        if "--no-env-resolution" in argv:
            return subprocess.CompletedProcess(argv, 1, "", "unknown flag: --no-env-resolution\n")
        return real(argv, **kwargs)

    (tmp_path / "compose.yaml").write_text('services:\n  web:\n    image: alpine:3.20\n')
    monkeypatch.setattr(compose.subprocess, "run", old_compose)
    project = compose.ComposeProject(tmp_path)
    assert "web" in project.services()
    renders = [argv for argv in asked if "config" in argv]
    assert ["--no-env-resolution" in argv for argv in renders] == [True, False]


@pytest.mark.parametrize("name", ["../../../../tmp/dockerlab-evilname", "/tmp/dockerlab-evilname", "Upper", "-dash-first", "", "a b"])
def test_a_project_name_is_checked_as_compose_checks_it_before_anything_is_written(tmp_path, name):
    # issue 16 item 6: name="../../../../tmp/w/evilname" wrote /tmp/w/evilname.json outside build/compose/
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: alpine:3.20\n")
    with pytest.raises(dl.DockerlabError, match="not a valid Compose project name") as refused:
        dl.compose.project(tmp_path, name=name)
    assert "lowercase letters, digits" in refused.value.fix
    assert not list(Path("/tmp").glob("dockerlab-evilname*"))


def test_a_valid_project_name_is_used_as_given(tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: alpine:3.20\n")
    assert dl.compose.project(tmp_path, name="my_stack-2").name == "my_stack-2"


class _Listed:
    def __init__(self, objects):
        self.objects = objects

    def list(self, all=False, filters=None, ignore_removed=False):
        wanted = filters["label"]
        return [each for each in self.objects if f"com.docker.compose.project={each.labels.get('com.docker.compose.project')}" == wanted]

    def get(self, name):
        found = [each for each in self.objects if each.name == name]
        if not found:
            raise docker.errors.NotFound(f"no such object: {name}")
        return found[0]


def _project_engine(containers=(), networks=(), volumes=(), image_labels=None):
    def made(name, labels):
        return type("Object", (), {"name": name, "labels": labels, "attrs": {"Labels": labels, "Image": "sha256:i"}})()

    return type("Client", (), {
        "containers": _Listed([made(*each) for each in containers]),
        "networks": _Listed([made(*each) for each in networks]),
        "volumes": _Listed([made(*each) for each in volumes]),
        "images": type("Images", (), {"get": staticmethod(lambda image: type("Image", (), {"labels": image_labels or {}})())})(),
    })()


HAND = {"com.docker.compose.project": "t16-proj", "com.docker.compose.project.working_dir": "/home/me/stack"}
COURSE = {**HAND, "org.dockerlab.course": "1", "org.dockerlab.created": "1", "org.dockerlab.call": "compose-t16-proj"}


@pytest.mark.parametrize("engine, refused", [
    (dict(containers=[("t16-proj-web-1", HAND)]), "container t16-proj-web-1, started from /home/me/stack"),
    (dict(volumes=[("t16-proj_data", {"com.docker.compose.project": "t16-proj"})]), "volume t16-proj_data"),  # only its volume is left
    (dict(containers=[("t16-proj-web-1", COURSE)], networks=[("t16-proj_default", COURSE)]), None),  # the course's own stack
    # started by hand from an image committed of a course container: the labels are inherited, the call mark with them
    (dict(containers=[("t16-proj-web-1", {**HAND, "org.dockerlab.created": "1", "org.dockerlab.call": "abc"})],
          image_labels={"org.dockerlab.created": "1", "org.dockerlab.call": "abc"}), "container t16-proj-web-1"),
])
def test_a_project_name_someone_else_uses_is_refused_naming_what_is_there(monkeypatch, engine, refused):
    from dockerlab import compose

    monkeypatch.setattr(compose.engine, "client", lambda: _project_engine(**engine))
    if refused is None:
        compose.refuse_foreign_project("t16-proj")
        return
    with pytest.raises(DockerlabError, match="A Compose project named 't16-proj' is already on this engine and the course did not start it") as raised:
        compose.refuse_foreign_project("t16-proj")
    assert refused in raised.value.message and "docker compose -p t16-proj down" in raised.value.fix


def test_down_and_up_of_a_name_someone_else_took_meanwhile_remove_and_start_nothing(tmp_path, monkeypatch):
    from dockerlab import compose

    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: alpine:3.20\n")
    stack = compose.project(tmp_path, name="t16-proj")  # no engine answers: nothing to take over yet
    monkeypatch.setattr(compose.engine, "client", lambda: _project_engine(containers=[("t16-proj-web-1", HAND)]))
    monkeypatch.setattr(compose.subprocess, "run", lambda *a, **k: pytest.fail("ran compose on someone else's project"))
    for call in (stack.down, stack.up):
        with pytest.raises(DockerlabError, match="the course did not start it"):
            call()


class _Named:
    """volumes/networks by name, as client.volumes.get / client.networks.get answer."""

    def __init__(self, objects: dict[str, dict]):
        self.objects = objects

    def list(self, all=False, filters=None, ignore_removed=False):
        return []

    def get(self, name):
        if name not in self.objects:
            raise docker.errors.NotFound(f"no such object: {name}")
        return type("Object", (), {"name": name, "labels": self.objects[name], "attrs": {"Labels": self.objects[name]}})()


def _named_engine(volumes=None, networks=None):
    return type("Client", (), {"containers": _Named({}), "networks": _Named(networks or {}), "volumes": _Named(volumes or {})})()


def test_a_learners_volume_of_the_projects_name_is_refused_before_up_and_never_removed(tmp_path, monkeypatch):
    """#16: `docker volume create t16p_data` (no Compose label): Compose would adopt it as the project's volume
    `data` and `down -v` (the with-form's end) remove it. The project refuses before anything runs."""
    from dockerlab import compose

    (tmp_path / "compose.yaml").write_text("services:\n  db:\n    image: alpine:3.20\n    volumes: [data:/d]\nvolumes:\n  data: {}\n")
    stack = compose.project(tmp_path, name="t16p")  # no engine answers: nothing there yet
    assert ("volume", "t16p_data") in stack._declared() and ("network", "t16p_default") in stack._declared()
    monkeypatch.setattr(compose.engine, "client", lambda: _named_engine(volumes={"t16p_data": {}}))
    with pytest.raises(DockerlabError, match="would use volume t16p_data"):
        compose.project(tmp_path, name="t16p")  # refused once the render names its volumes
    monkeypatch.setattr(compose.subprocess, "run", lambda *a, **k: pytest.fail("ran compose with a learner's volume adopted"))
    for call in (stack.up, stack.down, lambda: stack.down(volumes=True)):
        with pytest.raises(DockerlabError, match="would use volume t16p_data") as refused:
            call()
        assert "Nothing was started" in refused.value.message and "external: true" in refused.value.fix and "name=" in refused.value.fix
    # the project's own volume (Compose's label for this project) and a network of the course's are not the learner's
    mine = {"com.docker.compose.project": "t16p"}
    monkeypatch.setattr(compose.engine, "client", lambda: _named_engine(volumes={"t16p_data": mine}, networks={"t16p_default": mine}))
    compose.refuse_foreign_project("t16p", stack._declared())
    monkeypatch.setattr(compose.engine, "client", lambda: _named_engine(networks={"t16p_default": {"com.docker.compose.project": "other"}}))
    with pytest.raises(DockerlabError, match="network t16p_default"):
        compose.refuse_foreign_project("t16p", stack._declared())


def test_an_external_volume_is_not_one_the_project_creates(tmp_path):
    from dockerlab import compose

    config = {"volumes": {"data": {}, "shared": {"external": True, "name": "mine"}}, "networks": {"back": {}}}
    assert compose._declared_names(config, "p") == [("network", "p_default"), ("network", "p_back"), ("volume", "p_data")]


def test_a_render_that_fails_leaves_no_env_copy_in_the_learners_folder(tmp_path):
    """#16: .env was copied from .env.example, then the render failed, and the copy stayed."""
    from dockerlab.compose import ComposeProject

    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: alpine:3.20\n    no_such_key: 1\n")
    (tmp_path / ".env.example").write_text("WORD=hello\n")
    with pytest.raises(DockerlabError):
        ComposeProject(tmp_path)
    assert not (tmp_path / ".env").exists() and not (tmp_path / ".env").is_symlink()


def test_a_dangling_env_link_is_never_written_through(tmp_path):
    """#16: a dangling .env symlink pointing outside the folder: the copy was written THROUGH it."""
    from dockerlab.compose import ComposeProject

    folder, outside = tmp_path / "app", tmp_path / "outside" / "stolen.env"
    folder.mkdir()
    outside.parent.mkdir()
    (folder / "compose.yaml").write_text("services:\n  web:\n    image: alpine:3.20\n")
    (folder / ".env.example").write_text("WORD=hello\n")
    (folder / ".env").symlink_to(outside)
    with pytest.raises(DockerlabError, match="symbolic link") as refused:
        ComposeProject(folder)
    assert not outside.exists() and (folder / ".env").is_symlink()
    assert f"rm {folder / '.env'}" in refused.value.fix
    outside.write_text("WORD=mine\n")  # a link to the learner's own settings is theirs: read by Compose, never written
    assert ComposeProject(folder).notes == [] and outside.read_text() == "WORD=mine\n"


def test_a_service_the_file_does_not_have_is_named_with_those_it_has(tmp_path):
    """Compose prints nothing for `logs nosuch`: the course says so, from its rendering (no engine needed)."""
    (tmp_path / "compose.yaml").write_text("services:\n  api:\n    image: alpine:3.20\n  db:\n    image: postgres:15\n")
    stack = dl.compose.project(tmp_path)
    for call in (lambda: stack.logs("nosuch"), lambda: stack.logs("nosuch", tail=5), lambda: stack.exec("nosuch", "true"), lambda: stack.container("nosuch")):
        with pytest.raises(DockerlabError) as raised:
            call()
        assert type(raised.value) is DockerlabError
        assert raised.value.message == "compose.yaml has no service 'nosuch': its services are api, db."
        assert "keys under `services:`" in raised.value.fix
    with pytest.raises(DockerlabError) as raised:
        stack.logs("api ")
    assert raised.value.fix.startswith("Did you mean 'api'?")


def test_a_port_published_on_a_free_host_port_is_noted_without_none(tmp_path):
    """#17: `ports: ["8000"]` has no published port in Compose's rendering; the note said `web: None->8000`."""
    (tmp_path / "compose.yaml").write_text('services:\n  web:\n    image: alpine:3.20\n    ports: ["8000", "8001:81"]\n')
    notes = dl.compose.project(tmp_path).rebound_ports
    assert notes == ["web: container port 8000 published on a free port of 127.0.0.1 only (`docker compose port` names it)",
                     "web: 8001->81 published on 127.0.0.1 only"]
    assert not any("None" in note for note in notes)


def test_a_refusal_names_a_command_that_removes_what_is_left():
    """A verifier's break: with only a volume left (the learner's own `compose down` ran), the fix said `docker compose
    -p NAME down`, which finds nothing to remove (Compose knows a project by its containers)."""
    from dockerlab.compose import _removing

    assert _removing("vf16g", ["container vf16g-db-1", "volume vf16g_data"]) == "docker compose -p vf16g down"
    said = _removing("vf16g", ["volume vf16g_data", "network vf16g_default"])
    assert said.startswith("docker volume rm vf16g_data && docker network rm vf16g_default (")
    assert "finds nothing to remove" in said and "data goes with it" in said


def test_services_are_listed_sorted_by_name_as_compose_renders_them_not_in_the_files_order(tmp_path):
    """Compose's `config` renders services sorted by name; `config --services` walks the dependency graph in
    parallel (its order changes between runs), so the course names the order it can keep: by name."""
    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    image: nginx:alpine\n    depends_on: [db]\n  db:\n    image: postgres:16\n"
        "  cache:\n    image: redis:7\n  admin:\n    image: adminer\n    profiles: [debug]\n")
    project = dl.compose.project(tmp_path)
    assert project.services() == ["admin", "cache", "db", "web"]
    assert list(rendered(project)["services"]) == project.services()  # Compose's own rendering, unchanged by the course
    with pytest.raises(DockerlabError, match="its services are admin, cache, db, web"):
        project._known("dbb")
