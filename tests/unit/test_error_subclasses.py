"""Where an engine, a container or a build fails, the error is the subclass that carries its evidence
(ContainerFailed, BuildFailed, VmUnavailable), not a bare DockerlabError; fakes stand for the engine."""
from __future__ import annotations

import docker.errors
import pytest

from dockerlab import containers, experiments, running, vm
from dockerlab.containers import RunResult
from dockerlab.errors import BuildFailed, ContainerFailed, VmUnavailable


class SdkContainer:
    """Just enough of a docker SDK container for Container.exec."""

    def __init__(self, status="running", exit_code=0, output=b"", refusal=None):
        self.name, self.id, self.status, self.attrs = "web", "abc123", status, {}
        self._exit_code, self._output, self._refusal = exit_code, output, refusal

    def exec_run(self, command, user=""):
        if self._refusal:
            raise docker.errors.APIError("409 Client Error", explanation=self._refusal)
        return type("ExecResult", (), {"exit_code": self._exit_code, "output": self._output})()

    def reload(self):
        pass


def test_exec_into_a_container_that_is_not_running_is_container_failed_with_the_engines_words():
    container = containers.Container(SdkContainer(status="exited", refusal="Container abc123 is not running"))
    with pytest.raises(ContainerFailed) as raised:
        container.exec("echo hi")
    assert raised.value.container == "container web" and "is not running" in raised.value.reason and "exited" in raised.value.reason
    assert "running container" in raised.value.fix


def test_a_command_that_exits_non_zero_inside_is_container_failed_with_its_exit_code_and_output():
    container = containers.Container(SdkContainer(exit_code=3, output=b"sh: nope: not found\n"))
    with pytest.raises(ContainerFailed) as raised:
        container.exec("nope")
    assert raised.value.exit_code == 3 and "not found" in raised.value.reason and "exited 3" in str(raised.value)


class Refusing(SdkContainer):
    """A container the engine will not remove (``refusal``), or one already gone (``gone``)."""

    def __init__(self, refusal=None, gone=False):
        super().__init__(refusal=refusal)
        self.gone = gone

    def remove(self, force=False, v=False):
        if self.gone:
            raise docker.errors.NotFound("404 Client Error", explanation="No such container: abc123")
        raise docker.errors.APIError("500 Server Error", explanation=self._refusal)


def test_a_container_the_engine_will_not_remove_is_container_failed_and_one_already_gone_is_fine():
    refusal = 'driver "overlay2" failed to remove root filesystem for abc123: unlinkat /var/lib/docker/overlay2/x/merged: device or resource busy'
    with pytest.raises(ContainerFailed) as raised:
        containers.Container(Refusing(refusal)).remove()
    assert raised.value.container == "container web" and raised.value.action == "remove" and "device or resource busy" in raised.value.reason
    assert raised.value.fix
    with pytest.raises(ContainerFailed), containers.Container(Refusing(refusal)):
        pass  # the `with` block's exit removes it: the same error
    assert containers.Container(Refusing(gone=True)).remove() is None


def test_state_of_a_container_that_is_not_there_is_container_failed_saying_no_container_has_the_name(monkeypatch):
    class Missing:
        def list(self, **_):
            return []

    monkeypatch.setattr(running.engine, "client", lambda: type("Client", (), {"containers": Missing()})())
    with pytest.raises(ContainerFailed, match="no container here has that name or id") as raised:
        running.state("ghost")
    assert raised.value.container == "container 'ghost'"


@pytest.mark.parametrize("output, rule_fix", [
    ("#9 [2/3] RUN go build\n#9 0.201 exec /bin/sh: exec format error\nERROR: process \"/bin/sh -c go build\" did not complete successfully: exit code: 1",
     "Its output is in the log tail above"),
    ("ERROR: failed to solve: failed to compute cache key: \"/main.go\" not found: not found", ".dockerignore"),
])
def test_a_cross_platform_build_that_fails_is_build_failed_with_the_fix_for_what_failed(monkeypatch, tmp_path, output, rule_fix):
    monkeypatch.setattr(running, "docker_command", lambda arguments, progress=False: RunResult("docker build", " ".join(arguments), 1, output, 0.1))
    with pytest.raises(BuildFailed) as raised:
        running._build_for(tmp_path, "linux/arm64", "dockerlab-arch/app:arm64")
    assert raised.value.exit_code == 1 and raised.value.log_tail[-1] == output.splitlines()[-1] and rule_fix in raised.value.fix


def test_a_variant_that_exits_non_zero_is_container_failed_not_measured(monkeypatch, tmp_path):
    monkeypatch.setattr(experiments, "build_replacing", lambda *arguments, **keywords: type("Built", (), {"seconds": 1.0})())
    monkeypatch.setattr(experiments.containers, "run", lambda image: RunResult(image, "", 2, "panic: no config", 0.1))
    with pytest.raises(ContainerFailed) as raised:
        experiments.multi_stage(tmp_path, {"single": "Dockerfile"}, must_run=True)
    assert "exits 2" in raised.value.reason and "panic: no config" in raised.value.reason and raised.value.container.startswith("the single image")


def test_a_vm_that_does_not_boot_in_time_is_vm_unavailable_with_what_qemu_said(monkeypatch, tmp_path):
    monkeypatch.setattr(vm, "_qemu", lambda: "qemu-system-x86_64")
    monkeypatch.setattr(vm, "assets", lambda: (tmp_path / "kernel", tmp_path / "initramfs"))

    class Silent:
        """A qemu that prints its BIOS banner and never reaches userspace."""
        pid = 0

        def __init__(self, *arguments, **keywords):
            import os
            self._read, write = os.pipe()
            os.write(write, b"SeaBIOS\r\nBooting from ROM...\r\n")
            os.close(write)
            self.stdout = os.fdopen(self._read, "rb")

        def poll(self):
            return None

        def kill(self):
            pass

        def wait(self, timeout=None):
            return 0

        terminate = kill

    monkeypatch.setattr(vm.subprocess, "Popen", Silent)
    with pytest.raises(VmUnavailable) as raised:
        vm.boot("tcg", timeout=0.3)
    assert "did not reach userspace under tcg" in str(raised.value) and "Booting from ROM" in raised.value.qemu_output


def test_a_start_time_command_that_exits_non_zero_is_container_failed_with_its_exit_code_and_output(monkeypatch):
    removed = []

    class Exits:
        def wait(self, timeout):
            return {"StatusCode": 127}

        def logs(self, stdout=True, stderr=True):
            return b"/bin/sh: nope: not found\n"

        def remove(self, force=False, v=False):
            removed.append(True)

    api = type("Api", (), {"inspect_image": staticmethod(lambda image: {"Id": "sha256:1"})})()
    monkeypatch.setattr(experiments.engine, "client", lambda: type("Client", (), {"api": api})())
    monkeypatch.setattr(experiments.containers, "_create_and_start", lambda *arguments, **keywords: Exits())
    with pytest.raises(ContainerFailed) as raised:
        experiments.start_time("alpine:3.20", n=2, command=["nope"])
    assert raised.value.exit_code == 127 and "nope: not found" in raised.value.reason and raised.value.container == "alpine:3.20"
    assert "`nope`" in str(raised.value) and raised.value.fix and removed == [True]
