"""Run containers the way `docker run` does, labelled for the course and removed when done."""
from __future__ import annotations

from typing import TYPE_CHECKING

import html
import shlex
import re
import time
import uuid
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from dataclasses import dataclass
from collections.abc import Mapping, Sequence

import docker.errors
import requests.exceptions

from .columns import CONTAINER_CHANGES, declares
from . import engine
from .diagnose import diagnose
from .errors import ContainerFailed, DockerlabError, ImageNotFound
from .interrupts import held
from .labels import CALL_LABEL, CREATED_LABELS, created_by_course
from .recording.arguments import check_public
from .recording import checked, recordable
from .tables import COMMAND, command_html

if TYPE_CHECKING:  # the return annotations name it; pandas itself is imported where a table is made
    import pandas as pd

__all__ = ["run", "start", "serve", "Container", "RunResult", "ServeResult", "run_command"]


@dataclass
class RunResult:
    """What `docker run --rm` gave: exit code, output (stdout and stderr), wall seconds."""

    image: str
    command: str
    exit_code: int
    output: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def __str__(self) -> str:
        return self.output

    def _repr_html_(self) -> str:
        head = f"<code>docker run --rm {html.escape(self.image)} {html.escape(self.command)}</code> → exit {self.exit_code}"
        return f"<p>{head}</p><pre>{html.escape(self.output)}</pre>"


def _command_text(command) -> str:
    if command is None:
        return ""
    return command if isinstance(command, str) else " ".join(command)


def run_command(
    image: str,
    command: str | Sequence[str] | None = None,
    *,
    name: str | None = None,
    ports: Mapping[str, int | None] | None = None,
    environment: Mapping[str, str] | None = None,
    network: str | None = None,
    volumes: Mapping[str, dict] | None = None,
) -> str:
    """The `docker run -d` a learner types to start what :func:`start` (or :func:`serve`) starts:
    ``ports`` {"8080/tcp": 8080} as ``-p 127.0.0.1:8080:8080`` (None: a free port, ``-p 127.0.0.1::8080``),
    the course labels left out.

    Returns:
        The command line.

    Raises:
        DockerlabError (the one argument check) for a ``command`` string the shell cannot split (an
        unclosed quote) or ``volumes`` not of the form {SOURCE: {"bind": "/path"}}."""
    words = ["docker", "run", "-d"]
    if name:
        words += ["--name", name]
    for inside, outside in (ports or {}).items():
        words += ["-p", f"127.0.0.1:{outside or ''}:{str(inside).removesuffix('/tcp')}"]
    for key, value in (environment or {}).items():
        words += ["-e", f"{key}={value}"]
    if network:
        words += ["--network", network]
    for source, mount in (volumes or {}).items():
        words += ["-v", f"{source}:{mount.get('bind', '')}" + (":ro" if mount.get("mode") == "ro" else "")]
    words.append(image)
    if command is not None:
        words += shlex.split(command) if isinstance(command, str) else [str(word) for word in command]
    return shlex.join(words)


def _wrap(error: Exception, image: str, action: str | None = None) -> DockerlabError:
    """The engine's refusal to create or start a container of ``image`` (or, with ``action``, to do
    that to the container named ``image``), as the learner's error."""
    if isinstance(error, docker.errors.ImageNotFound) and action is None:
        return ImageNotFound(image)
    text = str(getattr(error, "explanation", None) or error)
    found = diagnose(text, "run")
    if found.rule == "unknown":
        return ContainerFailed(image, action or "run", text, found.fix, rule=found.rule)
    return ContainerFailed(image, action or "start", f"{found.meaning} ({text}).", found.fix, rule=found.rule)


@recordable("run")
def run(
    image: str,
    command: str | Sequence[str] | None = None,
    *,
    environment: Mapping[str, str] | None = None,
    user: str | None = None,
    volumes: Mapping[str, dict] | None = None,
    network: str | None = None,
    entrypoint: str | Sequence[str] | None = None,
    timeout: float = 300,
) -> RunResult:
    """Run ``image`` to the end (like ``docker run --rm``) and return its output and exit code, as a
    RunResult (output: stdout and stderr together; seconds: wall time). A non-zero exit code is a
    result, not an error. Raises ImageNotFound when the image is not here (it is not pulled),
    ContainerFailed when the engine cannot create or start the container (e.g. its command does not
    exist), and DockerlabError when it does not finish within ``timeout`` seconds (a ``timeout`` that is not
    more than 0 is refused before anything runs)."""
    if not timeout > 0:
        raise DockerlabError(f"run(): timeout={timeout!r} is not a number of seconds to wait.",
                             fix="Pass a number above 0, e.g. timeout=60 (the default is 300).")
    client = engine.client()
    started = time.perf_counter()
    container = None
    made: list[str] = []
    finished = False
    try:
        container, made = _create(
            client, image, command, environment=dict(environment or {}), user=user, volumes=volumes,
            network=network, entrypoint=entrypoint, labels=CREATED_LABELS,
        )
        container.start()
        status = container.wait(timeout=timeout)
        seconds = time.perf_counter() - started
        output = container.logs(stdout=True, stderr=True).decode(errors="replace")
        finished = True
    except (docker.errors.APIError, docker.errors.ImageNotFound) as error:
        raise _wrap(error, image) from None
    except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError) as error:
        # Past the timeout the engine's answer is cut off: ReadTimeout before its headers, a
        # ConnectionError ("Read timed out") once they came. Any other ConnectionError is not a timeout
        # (what the message means is dockerlab.diagnose's to say).
        if not isinstance(error, requests.exceptions.ReadTimeout) and diagnose(str(error), "connect").rule != "connect-timeout":
            raise
        raise DockerlabError(f"{image} did not finish within {timeout:g} s (it was stopped and removed).",
                             fix="Check that its command ends, or pass a longer timeout=.") from None
    finally:
        # the container always goes (like --rm); the named volumes this call made go too when it failed
        _remove_container_and_volumes(container, client, [] if finished else made)
    return RunResult(image, _command_text(command), int(status.get("StatusCode", -1)), output, seconds)


class Container:
    """A running course container (like ``docker run -d``). Use as a context manager to remove it.
    ``command``: the `docker run -d` a learner types for it (see :func:`run_command`)."""

    def __init__(self, container, command: str = "") -> None:
        self._container = container
        self.command = command

    @property
    def id(self) -> str:
        return self._container.id

    @property
    def name(self) -> str:
        return self._container.name

    @property
    def image_id(self) -> str:
        return self._container.attrs["Image"]

    def _engine(self, action: str, call):
        """``call()``'s answer; the engine's refusal (the container was removed, ...) as ContainerFailed
        saying what could not be done to this container, through the one table of messages."""
        try:
            return call()
        except docker.errors.APIError as error:
            raise _wrap(error, f"container {self.name}", action) from None

    @checked("Container.exec")
    def exec(self, command: str | Sequence[str], user: str | None = None) -> str:
        """Run a command inside (like ``docker exec``). Returns its output. Raises DockerlabError when no
        command is given, and ContainerFailed when it exits non-zero (``exit_code``, its output in
        ``reason``), when the container is not running (its status and the engine's words), and when the
        container is gone."""
        if isinstance(command, str):
            command = ["sh", "-c", command]
        if not command or not str(command[0]).strip():
            raise DockerlabError(f"Container.exec(): no command was given to run in {self.name}.",
                                 fix='Pass the command, e.g. .exec("ls /app") or .exec(["cat", "/etc/hostname"]).')
        try:
            result = self._container.exec_run(command, user=user or "")
        except docker.errors.NotFound as error:
            raise _wrap(error, f"container {self.name}", f"run `{' '.join(command)}` in") from None
        except docker.errors.APIError as error:
            self._engine(f"run `{' '.join(command)}` in", self._container.reload)
            raise ContainerFailed(
                f"container {self.name}", f"run `{' '.join(command)}` in", f"{error.explanation or error} (the container is {self._container.status}).",
                "`docker exec` needs a running container: start one whose command keeps running, and read its logs (.logs()) to see why it stopped.",
            ) from None
        output = result.output.decode(errors="replace")
        if result.exit_code != 0:
            raise ContainerFailed(f"container {self.name}", f"run `{' '.join(command)}` in", f"it exited {result.exit_code}: {output.strip()}",
                                  "Check the command (its output above says why it failed).", exit_code=result.exit_code)
        return output

    @declares(CONTAINER_CHANGES)
    def diff(self) -> pd.DataFrame:
        """What changed in the container's writable layer (like ``docker diff``); attrs["command"]: the
        `docker diff NAME` a learner types. Returns a DataFrame. {columns} Raises ContainerFailed when
        the container is gone."""

        kinds = {0: "C", 1: "A", 2: "D"}
        changes = self._engine("read the changes of", self._container.diff) or []
        table = CONTAINER_CHANGES.frame((kinds.get(c["Kind"], "?"), c["Path"]) for c in changes)
        table.attrs[COMMAND] = f"docker diff {self.name}"
        return table

    def memory_usage(self) -> int:
        """Bytes of memory the container uses now (its cgroup's usage, minus page cache where reported).
        Returns an int. Raises ContainerFailed when the container is gone."""
        stats = self._engine("measure the memory of", lambda: self._container.stats(stream=False))["memory_stats"]
        usage = int(stats.get("usage", 0))
        cache = int((stats.get("stats") or {}).get("total_inactive_file", (stats.get("stats") or {}).get("inactive_file", 0)))
        return max(0, usage - cache)

    def shim_memory(self) -> int | None:
        """Bytes of resident memory of the process that keeps this container alive on the host (its
        containerd shim, the parent of the container's first process), read from /proc; None where
        the engine's processes are not visible from here (Docker Desktop, a remote engine). Raises
        ContainerFailed when the container is gone."""
        self._engine("measure the shim of", self._container.reload)
        pid = self._container.attrs["State"].get("Pid") or 0
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            parent = int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))
            shim = Path(f"/proc/{parent}/status").read_text()
            if "containerd-shim" not in Path(f"/proc/{parent}/cmdline").read_bytes().decode(errors="replace"):
                return None
            return int(next(line.split()[1] for line in shim.splitlines() if line.startswith("VmRSS:"))) * 1024
        except (OSError, StopIteration, ValueError):
            return None

    def logs(self) -> str:
        """What the container printed (stdout and stderr). Returns the text. Raises ContainerFailed
        when the container is gone."""
        return self._engine("read the logs of", self._container.logs).decode(errors="replace")

    def remove(self) -> None:
        """Stop and remove the container with its anonymous volumes (like ``docker rm -f -v``); one already
        gone (``docker rm``, dl.cleanup()) is left at that. Returns None. Raises ContainerFailed when the
        engine refuses (its words and the fix, through dockerlab.diagnose: a filesystem still busy, ...)."""

        def remove_unless_gone() -> None:
            try:
                self._container.remove(force=True, v=True)
            except docker.errors.NotFound:
                pass  # already removed: what was asked for

        self._engine("remove", remove_unless_gone)

    def __enter__(self) -> Container:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()

    def __repr__(self) -> str:
        return f"<Container {self.name} ({self.id[:12]})>"

    def _repr_html_(self) -> str:
        return command_html(self.command) + f"<p>container <code>{html.escape(self.name)}</code> ({self.id[:12]})</p>"


@recordable("start", stateful=True)
def start(
    image: str,
    command: str | Sequence[str] | None = None,
    *,
    name: str | None = None,
    ports: Mapping[str, int] | None = None,
    environment: Mapping[str, str] | None = None,
    network: str | None = None,
    volumes: Mapping[str, dict] | None = None,
) -> Container:
    """Start ``image`` in the background; ``ports`` {"5000/tcp": 5000} are published on 127.0.0.1 only.
    Returns a Container (``with`` removes it). Raises DockerlabError when a container named ``name``
    exists that the course did not create (it is left alone), ImageNotFound when the image is not here
    (it is not pulled), and ContainerFailed when it cannot be created or started (e.g. a busy port; a
    container that fails to start is removed)."""
    client = engine.client()
    published = {inside: ("127.0.0.1", outside) for inside, outside in (ports or {}).items()}
    if name:
        _claim_name(client, name)
    container = _create_and_start(
        client, image, command, name=name, ports=published, environment=dict(environment or {}),
        network=network, volumes=volumes, labels=CREATED_LABELS,
    )
    typed = run_command(image, command, name=name, ports=ports, environment=environment, network=network, volumes=volumes)
    return Container(container, typed)


CONTAINER_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+")  # the engine's rule for `docker run --name`


def named(client, name: str):
    """The container whose name is exactly ``name`` (the SDK container), or None when none has it.

    Not ``client.containers.get(name)``: when no container has the name, the engine answers that with
    the container whose *id* begins with ``name`` (so ``name="8aeb"`` finds another container), or
    refuses with an HTTP 500 when several ids begin with it. Raises docker's errors when the engine
    does not answer."""
    if not CONTAINER_NAME.fullmatch(name):
        return None  # no container can have it
    # The engine's name filter is a regular expression over "/NAME"; only "." in a valid name means more
    # than itself there, so the match is checked exactly too.
    for container in client.containers.list(all=True, filters={"name": f"^/{name}$"}, ignore_removed=True):
        if container.name == name:
            return container
    return None


def image_labels(client, container) -> dict:
    """The labels of ``container``'s image (Config.Labels); {} when the image is gone. Raises docker's
    errors when the engine does not answer."""
    image = container.attrs.get("Image")
    if not image:
        return {}
    try:
        return client.images.get(image).labels or {}
    except docker.errors.NotFound:
        return {}


def _claim_name(client, name: str) -> None:
    """Free ``name`` for a new course container: remove a container the course created earlier under
    exactly that name; never touch anyone else's (raise, naming it). A name no container may have is
    refused before anything is asked."""
    if not CONTAINER_NAME.fullmatch(name):
        raise DockerlabError(f"start(): name={name!r}: the name is not valid for a container.",
                             fix="Use letters, digits and _ . - (at least two characters, starting "
                                 "with a letter or digit), e.g. name='web-1', or leave name= out.")
    old = named(client, name)
    if old is None:
        return
    if created_by_course(old.labels, image_labels(client, old)):
        old.remove(force=True, v=True)  # a course container left by an earlier run
        return
    image = (old.attrs.get("Config") or {}).get("Image", "?")
    raise DockerlabError(
        f"A container named {name!r} already exists ({old.status}, image {image}) and the course did not create it; it was left alone.",
        fix=f"Pass another name=, or remove it yourself if you no longer need it: docker rm -f {name}",
    )


def _create_and_start(client, image: str, command, **options):
    """``docker run -d`` in two steps, so that a container whose start fails (a busy port, a missing
    command) or is interrupted is removed, not left behind as *Created*, with the named volumes the
    call made for it. A missing image is not pulled."""
    try:
        container, made = _create(client, image, command, **options)
    except (docker.errors.APIError, docker.errors.ImageNotFound) as error:
        raise _wrap(error, image) from None
    try:
        container.start()
    except BaseException as error:
        _remove_container_and_volumes(container, client, made)
        if isinstance(error, docker.errors.APIError):
            raise _wrap(error, image) from None
        raise
    return container


_VOLUME_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+")  # the engine's rule; anything else is a path on the host


def _create(client, image: str, command, *, volumes=None, labels=CREATED_LABELS, **options):
    """``docker create``: the container (its labels: ``labels`` and a mark of this call) and the named
    volumes of ``volumes`` that did not exist, made here with the course labels so cleanup finds them
    (the engine would make them unlabelled). On any failure, Ctrl-C too, nothing stays: a Ctrl-C during
    a create request waits for the engine's answer (else the engine finishes the create after the call
    gave up on it), then the container is removed by its id, and any other the engine made with this
    call's mark by the mark, with the volumes.

    Returns:
        (the SDK container, the names of the volumes made)."""
    made: list[str] = []
    mark = uuid.uuid4().hex
    container = None
    try:
        for source in (volumes or {}):
            if isinstance(source, str) and _VOLUME_NAME.fullmatch(source):
                try:
                    client.volumes.get(source)
                except docker.errors.NotFound:
                    with held():  # a Ctrl-C waits for the engine's answer, so the volume it makes is known
                        client.volumes.create(source, labels=CREATED_LABELS)
                        made.append(source)
        # Held too: an interrupt mid-request would leave the engine to finish the create after the search
        # for the mark below has run (the container stays *Created*). Held, the request ends, the
        # container is known by its id, and the Ctrl-C is raised after it, removing it here.
        with held():
            container = client.containers.create(image, command, volumes=volumes, labels={**labels, CALL_LABEL: mark}, **options)
        return container, made
    except BaseException:
        with held():
            try:
                left = client.containers.list(all=True, filters={"label": f"{CALL_LABEL}={mark}"})
            except (docker.errors.DockerException, requests.exceptions.RequestException):
                left = []
            if container is not None and container.id not in {each.id for each in left}:
                left.append(container)
            for each in left:
                _remove_container_and_volumes(each, client, [])
            _remove_container_and_volumes(None, client, made)
        raise


def _remove_container_and_volumes(container, client, volumes: Sequence[str]) -> None:
    """Remove ``container`` (None: none) with its anonymous volumes, then the named ``volumes``; what is
    already gone, or still used elsewhere, is passed over. A Ctrl-C meanwhile waits for its end."""
    with held():
        if container is not None:
            try:
                container.remove(force=True, v=True)
            except docker.errors.APIError:
                pass
        for name in volumes:
            try:
                client.volumes.get(name).remove()
            except docker.errors.APIError:
                pass


@dataclass
class ServeResult:
    """One HTTP request to a service container published on 127.0.0.1."""

    image: str
    ok: bool
    status: int | None
    body: str
    exit_code: int | None
    logs: str
    url: str = ""  # where it answered
    container_port: int = 8080  # recordings made before it was kept have serve()'s default, which they used
    command: str | None = None  # the container's command, as given (None: its own; recordings made before it was kept)

    @property
    def docker_command(self) -> str:
        """The `docker run -d -p 127.0.0.1:HOST:CONTAINER IMAGE ...` a learner types for the same container
        (HOST: the port it answered on; left empty, a free port, when it did not)."""
        host = urllib.parse.urlsplit(self.url).port if self.url else None
        return run_command(self.image, self.command or None, ports={f"{self.container_port}/tcp": host})

    def __str__(self) -> str:
        if self.ok:
            return f"{self.image}: HTTP {self.status}: {self.body.strip()}"
        if self.status is not None:  # it answered, with an error status
            return f"{self.image}: HTTP {self.status} (an answer, but an error: check the path) from {self.url}: {self.body.strip()[:400]}"
        log = self.logs.strip()[-400:]
        said = f"; its log: {log}" if log else "; its log is empty"
        if self.exit_code is None:  # it was still running when serve stopped waiting
            return (f"{self.image}: no answer on port {self.container_port}: the container was still running but nothing answered "
                    f"there{said}. Check which port the program listens on (container_port=), or give it longer (timeout=).")
        return f"{self.image}: no answer: the container exited with code {self.exit_code}{said}"

    def _repr_html_(self) -> str:
        return command_html(self.docker_command) + f"<pre>{html.escape(str(self))}</pre>"


@recordable("serve")
def serve(
    image: str, container_port: int = 8080, path: str = "/", timeout: float = 30, command: str | Sequence[str] | None = None
) -> ServeResult:
    """Start ``image`` (with ``command``, default: its own), publish ``container_port`` on 127.0.0.1
    (a free port), GET ``path``, remove it. Returns a ServeResult; a container that exits, or does not
    answer within ``timeout`` seconds, gives ok=False with its logs rather than an exception, and an answer
    with an error status (404, 500) gives ok=False with that status at once. Raises ImageNotFound when the
    image is not here, ContainerFailed when the container cannot be created or started, or is removed
    while serve() waits for it, and DockerlabError for a ``path`` that does not start with ``/`` or a ``timeout`` not above 0 (before anything starts)."""
    if not path.startswith("/") or any(character.isspace() for character in path):
        raise DockerlabError(f"serve(): path={path!r} is not the path of a web address.",
                             fix='It starts with / and has no spaces, e.g. path="/" or path="/items?limit=5".')
    if not timeout > 0:
        raise DockerlabError(f"serve(): timeout={timeout!r} is not a number of seconds to wait.", fix="Pass a number above 0, e.g. timeout=30 (the default).")
    typed = {"container_port": container_port, "command": command if command is None or isinstance(command, str) else shlex.join(command)}
    client = engine.client()
    container = _create_and_start(client, image, command, ports={f"{container_port}/tcp": ("127.0.0.1", None)}, labels=CREATED_LABELS)
    try:
        return _serve_poll(container, image, container_port, path, timeout, typed)
    except docker.errors.APIError as error:  # removed meanwhile (`docker rm -f`, dl.cleanup()), or refused
        said = str(error.explanation or error)
        found = diagnose(said, "run")
        if found.rule == "no-such-container":
            fix = ("It was removed while serve() waited for its answer (`docker rm -f`, dl.cleanup() or `dockerlab clean` meanwhile): "
                   "call dl.serve(...) again and leave its container alone until it returns.")
        else:
            fix = found.fix if found.rule != "unknown" else "Call dl.serve(...) again; `dockerlab doctor` checks the engine."
        raise ContainerFailed(f"the container serve() started from {image} ({container.short_id})", "reach",
                              said if found.rule == "unknown" else f"{found.meaning} ({said})", fix) from None
    finally:
        with held():
            try:
                container.remove(force=True, v=True)
            except docker.errors.NotFound:
                pass  # removed by someone else meanwhile: nothing left to remove


def _serve_poll(container, image: str, container_port: int, path: str, timeout: float, typed: dict) -> ServeResult:
    """serve()'s wait for an answer: the first HTTP answer (any status: a 404 is an answer, ok False), the
    container's exit, or the deadline. Returns a ServeResult. Raises docker.errors.APIError (NotFound when
    the container was removed meanwhile)."""
    deadline = time.monotonic() + timeout
    while True:
        container.reload()
        if container.status == "exited":
            code = container.attrs["State"]["ExitCode"]
            return ServeResult(image, False, None, "", code, container.logs().decode(errors="replace"), **typed)
        binding = (container.attrs["NetworkSettings"]["Ports"] or {}).get(f"{container_port}/tcp")
        if binding:
            url = f"http://127.0.0.1:{binding[0]['HostPort']}{path}"
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    body = response.read().decode(errors="replace")
                    return ServeResult(image, True, response.status, body, None, container.logs().decode(errors="replace"), url, **typed)
            except urllib.error.HTTPError as answered:  # an answer with an error status (404, 500): the service runs
                body = answered.read().decode(errors="replace") if answered.fp else ""
                return ServeResult(image, False, answered.code, body, None, container.logs().decode(errors="replace"), url, **typed)
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
        if time.monotonic() > deadline:
            return ServeResult(image, False, None, "", None, container.logs().decode(errors="replace"), **typed)
        time.sleep(0.2)


check_public(globals(), "containers")  # the one argument check, for every public function here
