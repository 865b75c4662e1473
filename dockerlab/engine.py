"""One place that connects to the Docker engine, the way the docker CLI chooses it.

Order, as in the CLI: ``DOCKER_HOST``; else the context named by ``DOCKER_CONTEXT`` or by
``currentContext`` in ``~/.docker/config.json``; else the platform's default socket.
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import docker
import docker.errors
import requests.exceptions
from docker.context import ContextAPI

from . import buildkit, recording
from .diagnose import diagnose
from .errors import DockerUnavailable

__all__ = ["client", "info", "available", "EngineInfo", "connection_target"]

DEFAULT_SOCKET = "unix:///var/run/docker.sock"
CONNECT_TIMEOUT_SECONDS = 4
API_TIMEOUT_SECONDS = 600

_clients: dict[str, docker.DockerClient] = {}


@dataclass(frozen=True)
class ConnectionTarget:
    """Where the engine is expected, and which setting chose it."""

    base_url: str
    chosen_by: str
    tls: object = None


@dataclass(frozen=True)
class EngineInfo:
    """What the engine says about itself."""

    host: str
    version: str
    api_version: str
    os: str
    arch: str
    kernel: str
    operating_system: str
    storage_driver: str
    data_root: str
    cpus: int
    memory_bytes: int
    builder: str  # how builds run here: "buildkit via ..." or "classic via the engine API" (dockerlab.buildkit.choice)

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><th style='text-align:left'>{k}</th><td>{v}</td></tr>" for k, v in asdict(self).items())
        return f"<table>{rows}</table>"


def _docker_config_dir() -> Path:
    return Path(os.environ.get("DOCKER_CONFIG", Path.home() / ".docker"))


def _current_context_name() -> str:
    if os.environ.get("DOCKER_CONTEXT"):
        return os.environ["DOCKER_CONTEXT"]
    config = _docker_config_dir() / "config.json"
    try:
        return json.loads(config.read_text()).get("currentContext") or "default"
    except (OSError, ValueError):
        return "default"


def connection_target() -> ConnectionTarget:
    """Which engine address the docker CLI would use here, and why (a ConnectionTarget). Raises
    DockerUnavailable when DOCKER_HOST is set with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH does not name usable
    certificates."""
    if os.environ.get("DOCKER_HOST"):
        # DOCKER_TLS_VERIFY and DOCKER_CERT_PATH as the docker CLI reads them (docker-py's own reading)
        try:
            tls = docker.utils.kwargs_from_env().get("tls")
        except docker.errors.TLSParameterError as error:
            raise DockerUnavailable([(os.environ["DOCKER_HOST"] + " (chosen by DOCKER_HOST)", str(error).splitlines()[0])],
                                    fix="DOCKER_CERT_PATH must name a folder with ca.pem, cert.pem and key.pem (or unset DOCKER_TLS_VERIFY).") from None
        return ConnectionTarget(os.environ["DOCKER_HOST"], "DOCKER_HOST", tls)
    name = _current_context_name()
    if name != "default":
        try:
            context = ContextAPI.get_context(name)
        except docker.errors.DockerException:
            context = None
        if context is not None and context.Host:
            return ConnectionTarget(context.Host, f"docker context '{name}'", context.TLSConfig)
    return ConnectionTarget(DEFAULT_SOCKET, "the default socket")


def _fix_for_this_platform(target: ConnectionTarget, failure: str) -> str:
    found = diagnose(failure, "connect")
    if found.rule == "permission-denied":
        return f"The engine runs but you may not use its socket. {found.fix}"
    if target.chosen_by == "DOCKER_HOST":
        return f"DOCKER_HOST is set to {target.base_url}. Start the engine it names, or unset DOCKER_HOST to use the local one."
    if sys.platform in ("darwin", "win32"):
        return "Start Docker Desktop and wait until it says the engine is running, then run this again."
    if shutil.which("systemctl") and Path("/run/systemd/system").exists():
        start = "sudo systemctl start docker"
    else:
        start = "sudo bash scripts/ensure-docker-engine  (installs docker.io on Debian/Ubuntu and starts dockerd)"
    return f"Start the engine: {start}. On Debian/Ubuntu without systemd: sudo bash scripts/ensure-docker-engine."


def _describe(error: BaseException) -> str:
    """A one-line reason from a docker/requests error, without the traceback (dockerlab.diagnose's rules)."""
    while error.__cause__ is not None or error.__context__ is not None:
        inner = error.__cause__ or error.__context__
        error = inner
        if isinstance(inner, (FileNotFoundError, PermissionError, ConnectionRefusedError, TimeoutError)):
            break
    text = str(error) or type(error).__name__
    found = diagnose(f"{type(error).__name__}: {text}", "connect")
    if found.rule == "connect-timeout":
        return f"no answer within {CONNECT_TIMEOUT_SECONDS}s"
    return found.meaning if found.rule != "unknown" else text.splitlines()[0][:200]


def client() -> docker.DockerClient:
    """A connected Docker SDK client (API timeout 600 seconds). Raises DockerUnavailable, saying what was
    tried and the fix, when no engine answers within 4 seconds at the address :func:`connection_target`
    chooses."""
    target = connection_target()
    cached = _clients.get(target.base_url)
    if cached is not None:
        try:
            cached.ping()
            return cached
        except Exception:  # noqa: BLE001 - engine went away; reconnect below and report cleanly
            _clients.pop(target.base_url, None)
    try:
        connected = docker.DockerClient(base_url=target.base_url, tls=target.tls, timeout=CONNECT_TIMEOUT_SECONDS)
        connected.ping()
    except (docker.errors.DockerException, requests.exceptions.RequestException, OSError) as error:
        reason = _describe(error)
        raise DockerUnavailable(
            [(f"{target.base_url} (chosen by {target.chosen_by})", reason)],
            fix=_fix_for_this_platform(target, reason),
        ) from None
    connected.api.timeout = API_TIMEOUT_SECONDS
    _clients[target.base_url] = connected
    return connected


def available() -> bool:
    """True when an engine answers. Returns a bool. Raises nothing: no engine (DockerUnavailable) is False."""
    try:
        client()
        return True
    except DockerUnavailable:
        return False


def info() -> EngineInfo:
    """Engine version, API version, OS/arch, storage driver, data root, CPUs, memory (bytes), and the builder
    used here, as an EngineInfo. Raises DockerUnavailable when no engine answers."""
    connected = client()
    system = connected.info()
    version = connected.version()
    return EngineInfo(
        host=connection_target().base_url,
        version=version.get("Version", "?"),
        api_version=version.get("ApiVersion", "?"),
        os=version.get("Os", system.get("OSType", "?")),
        arch=version.get("Arch", system.get("Architecture", "?")),
        kernel=system.get("KernelVersion", "?"),
        operating_system=system.get("OperatingSystem", "?"),
        storage_driver=system.get("Driver", "?"),
        data_root=system.get("DockerRootDir", "?"),
        cpus=int(system.get("NCPU", 0)),
        memory_bytes=int(system.get("MemTotal", 0)),
        builder=str(buildkit.choice()),
    )


def host_arch() -> str:
    """The machine's architecture in Docker's words (amd64, arm64)."""
    machine = platform.machine().lower()
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(machine, machine)


recording.use_engine_probe(available)  # recorded mode when no engine answers
