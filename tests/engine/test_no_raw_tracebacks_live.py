"""The public API with bad names and bad states: every failure reaches the learner as a DockerlabError
naming the object and the fix, never a raw exception from docker-py, requests, urllib or subprocess."""
from __future__ import annotations

import socket

import pytest

import dockerlab as dl


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


BAD_CALLS = {
    "layers, invalid name": lambda tmp: dl.layers("Hello:1"),
    "layers, missing image": lambda tmp: dl.layers("dockerlab-nosuch/image:1"),
    "dockerfile_layers, missing image": lambda tmp: dl.dockerfile_layers(dl.paths.app("hello-python") / "Dockerfile", "dockerlab-nosuch/image:1"),
    "image_id, a name with a space": lambda tmp: dl.image_id("bad name"),
    "image_size compressed, missing image": lambda tmp: dl.image_size("dockerlab-nosuch/image:1", compressed=True),
    "compare, one missing image": lambda tmp: dl.compare("alpine:3.20", "dockerlab-nosuch/image:1"),
    "diff, missing image": lambda tmp: dl.diff("dockerlab-nosuch/image:1", "alpine:3.20"),
    "wasted_space, missing image": lambda tmp: dl.wasted_space("dockerlab-nosuch/image:1"),
    "file_size, missing file": lambda tmp: dl.file_size("alpine:3.20", "/no/such/file"),
    "file_size, missing image": lambda tmp: dl.file_size("dockerlab-nosuch/image:1", "/etc/hostname"),
    "file_size, empty path": lambda tmp: dl.file_size("alpine:3.20", ""),  # #16: was APIError 400
    "file_size, 5000-character path": lambda tmp: dl.file_size("alpine:3.20", "/" + "a" * 5000),  # #16: was APIError 500
    "file_size, a name past 255 characters": lambda tmp: dl.file_size("alpine:3.20", "/etc/" + "a" * 300),  # the kernel's refusal
    "remove, missing image": lambda tmp: dl.remove("dockerlab-nosuch/image:1"),
    "run, missing image": lambda tmp: dl.run("dockerlab-nosuch/image:1"),
    "run, invalid name": lambda tmp: dl.run("Hello:1"),
    "run, missing command": lambda tmp: dl.run("alpine:3.20", ["/no/such/command"]),
    "start, missing image": lambda tmp: dl.start("dockerlab-nosuch/image:1", ["true"]),
    "serve, missing image": lambda tmp: dl.serve("dockerlab-nosuch/image:1"),
    "exec in an exited container": lambda tmp: exec_after_exit(),
    "build, missing folder": lambda tmp: dl.build(tmp / "nowhere"),
    "build, invalid tag": lambda tmp: dl.build(tmp, "FROM alpine:3.20\n", tag="Bad Tag:1"),
    "build, secret file missing": lambda tmp: dl.build(tmp, "FROM alpine:3.20\nRUN true\n", secrets={"token": tmp / "nope"}),
    "build, unknown builder": lambda tmp: dl.build(tmp, "FROM alpine:3.20\n", builder="kaniko"),
    "find_secrets, missing image": lambda tmp: dl.security.find_secrets("dockerlab-nosuch/image:1"),
    "audit, missing image": lambda tmp: dl.security.audit("dockerlab-nosuch/image:1"),
    "sbom, missing image": lambda tmp: dl.security.sbom("dockerlab-nosuch/image:1"),
    "digest_of, missing image": lambda tmp: dl.security.digest_of("dockerlab-nosuch/image:1"),
    "run_as, missing image": lambda tmp: dl.security.run_as("dockerlab-nosuch/image:1"),
    "lint, missing Dockerfile": lambda tmp: dl.security.lint("nope.Dockerfile", tmp),
    "compose project, missing file": lambda tmp: dl.compose.project(tmp),
    "compose project, invalid file": lambda tmp: invalid_compose(tmp),
    "get_json, not this machine": lambda tmp: dl.web.get_json("http://example.invalid/items"),
    "get_json, nothing listening": lambda tmp: nothing_listening(),
    "registry, manifest of what is absent": lambda tmp: on_registry(lambda registry: registry.manifest("nosuch", "latest")),
    "registry, push of what is absent": lambda tmp: on_registry(lambda registry: registry.push("dockerlab-nosuch/image:1", "nosuch")),
    "registry stopped, manifest": lambda tmp: on_registry(lambda registry: registry.manifest("nosuch", "latest"), stopped=True),
    "registry stopped, repositories": lambda tmp: on_registry(lambda registry: registry.repositories(), stopped=True),
    "removed container, logs": lambda tmp: removed_container().logs(),
    "removed container, diff": lambda tmp: removed_container().diff(),
    "removed container, memory_usage": lambda tmp: removed_container().memory_usage(),
    "removed container, shim_memory": lambda tmp: removed_container().shim_memory(),
    "removed container, exec": lambda tmp: removed_container().exec("echo hi"),
    # arguments of the wrong kind (issue 16): refused at the boundary, before the engine
    "run past its timeout": lambda tmp: dl.run("alpine:3.20", ["sleep", "5"], timeout=0.5),
    "layers(None)": lambda tmp: dl.layers(None),
    'layers("")': lambda tmp: dl.layers(""),
    "layers(123)": lambda tmp: dl.layers(123),
    'image_id(["a"])': lambda tmp: dl.image_id(["a"]),
    'run(environment="x")': lambda tmp: dl.run("alpine:3.20", ["true"], environment="x"),
    'serve(timeout="x")': lambda tmp: dl.serve("alpine:3.20", timeout="x"),
    "build(123)": lambda tmp: dl.build(123),
    "build(context, 123)": lambda tmp: dl.build(tmp, 123),
    "compose.project(123)": lambda tmp: dl.compose.project(123),
    "security.lint(123)": lambda tmp: dl.security.lint(123),
    "Container.exec(123)": lambda tmp: exec_a_number(),
}
# Each says what is wrong with the input and what to do, never only "read the message above" (issue 16).
SPECIFIC = {
    "image_id of a file": (lambda tmp: dl.image_id("/etc/hostname"), "not an image archive"),
    "remove, invalid name": (lambda tmp: dl.remove("Hello:1"), "not a valid image name"),
    "registry stopped, pull": (lambda tmp: on_registry(lambda registry: registry.pull("nosuch", "sha256:" + "0" * 64), stopped=True), "does not answer"),
    "start, port 70000": (lambda tmp: dl.start("alpine:3.20", ["sleep", "5"], ports={"80/tcp": 70000}), "port is not valid"),
    "start, bad container name": (lambda tmp: dl.start("alpine:3.20", ["sleep", "5"], name="bad name!"), "name is not valid"),
    "run, missing network": (lambda tmp: dl.run("alpine:3.20", ["true"], network="dockerlab-nosuch-net"), "network does not exist"),
    "run, missing user": (lambda tmp: dl.run("alpine:3.20", ["true"], user="nosuchuser"), "user does not exist"),
    "start(None)": (lambda tmp: dl.start(None), "image= must be"),
    "local_registry(port=70000)": (lambda tmp: dl.registry.local_registry(port=70000), "not a port number"),
}
BAD_CALLS.update({name: call for name, (call, _) in SPECIFIC.items()})


def exec_a_number():
    with dl.start("alpine:3.20", ["sleep", "30"]) as box:
        box.exec(123)


def exec_after_exit():
    with dl.start("alpine:3.20", ["true"]) as box:
        import time

        time.sleep(2)
        box.exec("echo hi")


def invalid_compose(tmp):
    (tmp / "compose.yaml").write_text("services:\n  web:\n    imgae: alpine:3.20\n")
    return dl.compose.project(tmp)


def nothing_listening():
    waited, dl.web.STARTING_SECONDS = dl.web.STARTING_SECONDS, 1  # refused after 1 s as after 20
    try:
        return dl.web.get_json(f"http://127.0.0.1:{free_port()}/")
    finally:
        dl.web.STARTING_SECONDS = waited


def on_registry(call, stopped: bool = False):
    registry = dl.registry.local_registry(port=free_port(), name="dockerlab-test-registry-bad-calls")
    try:
        if stopped:
            registry.stop()
        return call(registry)
    finally:
        registry.stop()


def removed_container():
    with dl.start("alpine:3.20", ["sleep", "30"]) as box:
        pass  # the with block removed it
    return box


@pytest.mark.parametrize("name", list(BAD_CALLS))
def test_bad_input_is_a_dockerlab_error(name, tmp_path):
    try:
        answer = BAD_CALLS[name](tmp_path)
    except dl.DockerlabError as error:
        assert error.fix, f"{name}: a DockerlabError without a fix: {error}"
    except Exception as error:  # noqa: BLE001 - the point of the test
        pytest.fail(f"{name}: raised {type(error).__module__}.{type(error).__name__}: {error}")
    else:
        pytest.fail(f"{name}: raised nothing (answered {answer!r}); a bad call must be a DockerlabError with a fix")


@pytest.mark.parametrize("name", list(SPECIFIC))
def test_the_error_says_what_is_wrong(name, tmp_path):
    call, says = SPECIFIC[name]
    with pytest.raises(dl.DockerlabError) as raised:
        call(tmp_path)
    assert says in str(raised.value) and "Read the message above" not in raised.value.fix
