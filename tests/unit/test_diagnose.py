"""One table decides what an engine, CLI, registry or Compose message means: tested on real messages
captured on this machine (tests/fixtures/engine_messages.json) and through each caller."""
import json
from pathlib import Path

import pytest

from dockerlab import builder, compose, containers, engine
from dockerlab.bases.resolve import classify_pull_error
from dockerlab.diagnose import CONTEXTS, RULES, diagnose
from dockerlab.errors import ContainerFailed, DockerlabError

CAPTURED = json.loads((Path(__file__).parents[1] / "fixtures" / "engine_messages.json").read_text())


# "messages": captured on this machine's engine by tests/fixtures/record_engine_messages.py, word for word;
# "quoted": what this machine cannot provoke (Docker Hub's rate limit; the engine's own TLS refusal), quoted
# from a public bug report whose address is the case's "source".
EVIDENCE = [("captured", case) for case in CAPTURED["messages"]] + [("quoted", case) for case in CAPTURED["quoted"]]
ONLY_QUOTED = {"rate-limit"}  # every other rule has a message captured here


@pytest.mark.parametrize(("kind", "case"), EVIDENCE, ids=lambda value: value if isinstance(value, str) else f"{value['context']}-{value['how']}")
def test_each_message_gets_its_rule_in_its_context(kind, case):
    assert diagnose(case["message"], case["context"]).rule == case["expect"], f"{kind}: {case['message']}"


def test_every_rule_has_a_real_message_captured_here_or_quoted_with_its_source():
    captured = {case["expect"] for case in CAPTURED["messages"]}
    quoted = {case["expect"] for case in CAPTURED["quoted"]}
    assert [rule.name for rule in RULES if rule.name not in captured | quoted] == []
    assert quoted - captured == ONLY_QUOTED
    assert {case["context"] for case in CAPTURED["messages"]} == set(CONTEXTS)
    assert all(case["source"].startswith("https://github.com/") for case in CAPTURED["quoted"])
    assert not any("source" in case for case in CAPTURED["messages"])


def test_rule_names_are_unique_and_every_rule_has_a_fix():
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    assert all(rule.fix and rule.meaning and rule.contexts for rule in RULES)


def test_the_port_is_named_in_the_fix():
    port = next(case for case in CAPTURED["messages"] if case["expect"] == "port-in-use" and case["context"] == "compose")
    assert "127.0.0.1:18931" in diagnose(port["message"], "compose").fix


def test_an_unknown_message_says_to_read_it_and_a_bad_context_is_an_error():
    assert diagnose("something new", "build").rule == "unknown"
    with pytest.raises(DockerlabError, match="no such context"):
        diagnose("x", "elsewhere")


def message(rule, context):
    return next(case["message"] for case in CAPTURED["messages"] if case["expect"] == rule and case["context"] == context)


def test_every_caller_uses_the_table():
    assert "build context" in builder._explain(message("missing-build-source", "build"))
    assert "does not resolve" in classify_pull_error(message("registry-offline", "pull"))[0]
    assert "healthcheck" in compose._fix_for(message("unhealthy", "compose"))
    assert engine._describe(FileNotFoundError(2, "No such file or directory")) == "the socket does not exist (no engine is running there)"

    class Refusal(Exception):
        explanation = message("port-in-use", "run")

    wrapped = containers._wrap(Refusal(), "alpine:3.20")
    assert isinstance(wrapped, ContainerFailed) and "already in use" in str(wrapped) and "127.0.0.1:18931" in wrapped.fix


def test_a_removed_containers_methods_are_container_failed_with_a_fix():
    import docker.errors

    class Removed:
        name = "dockerlab-web"

        def _gone(self, *args, **kwargs):
            raise docker.errors.NotFound("404", explanation="No such container: 0123abcd")

        logs = diff = stats = reload = exec_run = _gone

    box = containers.Container(Removed())
    for call in (box.logs, box.diff, box.memory_usage, box.shim_memory, lambda: box.exec("echo hi")):
        with pytest.raises(ContainerFailed, match="container dockerlab-web: the container no longer exists") as raised:
            call()
        assert "dl.start" in raised.value.fix


# Messages seen from the engine here (20.10.24) for the rules added in issue 16, word for word.
SEEN = {
    "image-in-use": ('conflict: unable to remove repository reference "dockerlab-test/inherited:latest" (must force) - '
                     "container 8796e10feb21 is using its referenced image 9340738a6ae0", "run"),
    "invalid-port": ('invalid port specification: "70000"', "run"),
    "invalid-container-name": ("Invalid container name (bad name!), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", "run"),
    "no-such-network": ("network dockerlab-nosuch-net not found", "run"),
    "no-such-user": ("unable to find user nosuchuser: no matching entries in passwd file", "run"),
    "invalid-reference": ("invalid reference format: repository name must be lowercase", "run"),
}


@pytest.mark.parametrize("rule", list(SEEN))
def test_messages_seen_since_the_captures_get_their_rule(rule):
    text, context = SEEN[rule]
    assert diagnose(text, context).rule == rule


def test_a_refused_image_name_says_what_is_wrong_with_it():
    import docker.errors

    from dockerlab.layerfs import image_refusal

    invalid = docker.errors.APIError("400", explanation="invalid reference format: repository name must be lowercase")
    assert image_refusal("Hello:1", invalid).message == "'Hello:1' is not a valid image name: repository name must be lowercase."
    missing = docker.errors.ImageNotFound("404", explanation="No such image: /etc/hostname:latest")
    assert "is a file here that is not an image archive" in image_refusal("/etc/hostname", missing).message
    assert "is a folder here" in image_refusal("/etc", missing).message
    assert type(image_refusal("dockerlab-nosuch/image:1", missing)).__name__ == "ImageNotFound"
    assert image_refusal("alpine:3.20", docker.errors.APIError("500", explanation="something else")) is None


def test_a_pull_from_a_registry_that_does_not_answer_says_start_it_again(monkeypatch):
    import socket

    import docker.errors

    from dockerlab import registry

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    refusing = type("Images", (), {"pull": staticmethod(lambda *a, **k: (_ for _ in ()).throw(docker.errors.APIError(
        "500", explanation=f"Get http://127.0.0.1:{port}/v2/: dial tcp 127.0.0.1:{port}: connect: connection refused")))})()
    monkeypatch.setattr(registry.engine, "client", lambda: type("Client", (), {"images": refusing})())
    with pytest.raises(DockerlabError, match="does not answer") as raised:
        registry.LocalRegistry(None, port).pull("app", "sha256:" + "0" * 64)
    assert "local_registry" in raised.value.fix


def test_a_registry_port_out_of_range_is_refused_before_the_engine():
    import dockerlab as dl

    with pytest.raises(DockerlabError, match="not a port number") as raised:
        dl.registry.local_registry(port=70000)
    assert "port=5000" in raised.value.fix


def test_an_image_with_children_is_left_for_later_by_its_rule():
    # moby daemon/images/image_delete.go's wording for an image another image is built on
    said = "conflict: unable to delete 3f2b7c1f1a5e (cannot be forced) - image has dependent child images"
    assert diagnose(said, "run").rule == "image-has-children"


# A bind mount whose host folder is missing or cannot be made: the engine's words (moby's
# daemon/volumes and volume/mounts validation), with paths of this machine's kind.
BIND_MOUNT_FAILURES = [
    "docker: Error response from daemon: error while creating mount source path '/x': mkdir /x: no such file or directory.",
    "Error response from daemon: error while creating mount source path '/var/lib/docker': mkdir /var/lib/docker: read-only file system",
    'docker: Error response from daemon: invalid mount config for type "bind": bind source path does not exist: /home/me/data.',
]


@pytest.mark.parametrize("text", BIND_MOUNT_FAILURES)
@pytest.mark.parametrize("context", ["run", "compose"])
def test_a_bind_mount_failure_is_named_as_one_not_as_a_missing_command(text, context):
    found = diagnose(text, context)
    assert found.rule == "bind-mount-source" and "host" in found.meaning and "mkdir -p" in found.fix


def test_a_missing_command_is_the_oci_runtimes_exec_failure_only():
    assert diagnose(message("no-such-command", "run"), "run").rule == "no-such-command"  # captured: exec: "/nope": stat /nope: no such file ...
    exec_missing = ('OCI runtime exec failed: exec failed: unable to start container process: exec: "nope": '
                    'executable file not found in $PATH: unknown')
    assert diagnose(exec_missing, "run").rule == "no-such-command"
    assert diagnose("open /etc/app/config.yaml: no such file or directory", "run").rule != "no-such-command"


def test_a_syntax_frontend_that_cannot_be_pulled_is_not_called_a_missing_base_image():
    """Issue 22: `# syntax=docker/dockerfile:1` offline, as /usr/bin/docker 20.10 with DOCKER_BUILDKIT=1 says it (2026-11-29)."""
    said = ('failed to solve with frontend dockerfile.v0: failed to solve with frontend gateway.v0: failed to do request: Head '
            '"https://registry-1.docker.io/v2/docker/dockerfile/manifests/1": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host')
    found = diagnose(said, "build")
    assert found.rule == "syntax-frontend" and "# syntax=" in found.fix and "prepare" not in found.fix
    base = diagnose('failed to solve with frontend dockerfile.v0: failed to create LLB definition: failed to do request: Head '
                    '"https://registry-1.docker.io/v2/library/nosuch/manifests/1": dial tcp: lookup registry-1.docker.io: no such host', "build")
    assert base.rule != "syntax-frontend"


# --- which service failed, and how: a dependency that exited is not an unhealthy one ------------


def test_a_dependency_that_exited_is_not_called_unhealthy():
    # Compose v2's words when the service another waits for (depends_on) exits: captured on this machine
    exited = message("dependency-exited", "compose")
    assert "dependency failed to start: container dockerlab-msgcapture-db-1 exited (1)" in exited
    found = diagnose(exited, "compose")
    assert found.rule == "dependency-exited" and "exited" in found.meaning and "exit" in found.fix
    assert diagnose(message("unhealthy", "compose"), "compose").rule == "unhealthy"  # captured: "... is unhealthy"
    assert diagnose(message("service-exited", "compose"), "compose").rule == "service-exited"  # captured: "container X exited (3)"
    assert "healthcheck" not in compose._fix_for(exited)


def test_compose_asks_the_table_about_an_unknown_flag_and_a_command_that_timed_out(tmp_path, monkeypatch):
    import subprocess

    from dockerlab.errors import ComposeFailed

    assert diagnose("unknown flag: --no-env-resolution\n", "compose").rule == "no-env-resolution-unknown"
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: alpine:3.20\n")
    stack = compose.ComposeProject(tmp_path)

    def hangs(command, **options):
        if "logs" in command or "ps" in command:
            return subprocess.CompletedProcess(command, 0, stdout="", stderr="")
        raise subprocess.TimeoutExpired(command, 5, output=" Container demo-web-1 Waiting \n")

    monkeypatch.setattr(compose.subprocess, "run", hangs)
    with pytest.raises(ComposeFailed) as raised:
        stack._run("up", "--wait", timeout=5)
    assert "(no answer within 5 s)" in raised.value.output
    assert raised.value.fix == diagnose(raised.value.output, "compose").fix and diagnose(raised.value.output, "compose").rule == "compose-timeout"


@pytest.mark.parametrize("where", ["stream", "api"])
def test_a_push_the_registry_does_not_answer_gets_its_meaning_and_fix_from_the_table(monkeypatch, where):
    import docker.errors

    from dockerlab import registry

    said = "Get http://127.0.0.1:5000/v2/: dial tcp 127.0.0.1:5000: connect: connection refused"

    class Api:
        untagged = []

        def inspect_image(self, name):
            raise docker.errors.ImageNotFound("404", explanation=f"No such image: {name}")

        def tag(self, *arguments):
            return True

        def push(self, *arguments, **keywords):
            if where == "api":
                raise docker.errors.APIError("500", explanation=said)
            return iter([{"status": "The push refers to repository [127.0.0.1:5000/app]"}, {"error": said}])

        def remove_image(self, name):
            self.untagged.append(name)

    monkeypatch.setattr(registry.engine, "client", lambda: type("Client", (), {"api": Api()})())
    with pytest.raises(DockerlabError) as raised:
        registry.LocalRegistry(None, 5000).push("alpine:3.20", "app")
    assert diagnose(said, "push").rule == "push-registry-unreachable"
    assert "did not answer the push" in raised.value.message and "connection refused" in raised.value.message
    assert raised.value.fix == diagnose(said, "push").fix and Api.untagged == ["127.0.0.1:5000/app:latest"]


def test_compose_exec_of_a_service_that_is_not_up_says_to_start_it():
    found = diagnose('service "web" is not running', "compose")  # Compose 2's words here for `exec -T web ...` before `up`
    assert found.rule == "service-not-running" and found.fix.startswith("Start the stack first (.up()")
