"""Running containers, measured: how `docker stop` reaches (or misses) the app, restart policies,
what `docker inspect` says, name resolution on the default bridge vs a user-defined network, and
`EXPOSE` vs `-p`.

Every container and network created here carries the course's labels (``CREATED_LABELS``) and is
removed before the function returns, also after an error or an interrupt. Times are wall seconds (s)
measured on the engine; nothing is estimated.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import contextlib
import json
import os
import re
import socket
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

import docker.errors

from . import engine
from .builder import build
from .compose import project
from .containers import _create_and_start, named
from .columns import COMPOSE_NETWORK, NAME_LOOKUPS, PLATFORM_RUNS, PUBLISHED_PORTS, STOP_SUMMARY, STOPS, STORAGE_SURVIVAL, WRITES, declares
from .diagnose import diagnose
from .errors import BuildFailed, ContainerFailed, DockerlabError
from .experiments import repeats
from .labels import CREATED_LABELS
from .magics import docker as docker_command
from .recording.arguments import check_public
from .recording import recordable

if TYPE_CHECKING:  # the return annotations name it; pandas itself is imported where a table is made
    import pandas as pd
    from docker.models.containers import Container  # the SDK's (the course's Container has the same name)

__all__ = [
    "GRACE_SECONDS", "STOP_VARIANTS", "SIGKILLED", "SIGTERMED", "timed_stop", "remove_quietly", "stop_times", "stop_summary", "stop_verdicts",
    "restart_policy", "state", "name_resolution", "resolution_verdict", "compose_network", "compose_network_verdict", "published_ports",
    "STORAGE", "storage_survival", "survival_verdict", "write_speed", "write_verdict", "architectures", "architecture_verdicts",
]

GRACE_SECONDS = 10  # `docker stop` waits this long after SIGTERM before it sends SIGKILL (its default -t)
_HEX = re.compile(r"[0-9a-f]{1,64}")  # a container id, or its first digits
SIGKILLED, SIGTERMED = 128 + 9, 128 + 15  # exit codes of a process ended by SIGKILL (137) and SIGTERM (143)

# name -> (Dockerfile in the app folder, environment, --init)
STOP_VARIANTS: dict[str, tuple[str, dict[str, str], bool]] = {
    "shell form": ("shell.Dockerfile", {}, False),
    "exec form": ("exec.Dockerfile", {}, False),
    "exec form, no handler": ("exec.Dockerfile", {"HANDLE_SIGTERM": "0"}, False),
    "exec form, no handler, --init": ("exec.Dockerfile", {"HANDLE_SIGTERM": "0"}, True),
}


def remove_quietly(container: Container) -> None:
    """Remove ``container`` and its anonymous volumes, if it is still there.
    Returns None. Raises nothing for the engine's refusal (a container already gone is fine); requests' errors when the
    engine does not answer."""
    try:
        container.remove(force=True, v=True)
    except docker.errors.APIError:
        pass


def _wait_for_log(container, text: str, timeout: float) -> str:
    """The container's log once it contains ``text``. Raises DockerlabError (with the log) when it
    exits first or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        logs = container.logs().decode(errors="replace")
        if text in logs:
            return logs
        container.reload()
        if container.status not in ("created", "running") or time.monotonic() > deadline:
            raise DockerlabError(
                f"{container.name} did not print {text!r} within {timeout:.0f} s (it is {container.status}); its log: {logs.strip()[-400:] or '(empty)'}",
                fix="Run the image by hand (`docker run --rm IMAGE`) and read what it prints.",
            )
        time.sleep(0.05)


def _pid1(container) -> str:
    """The command line of the container's PID 1 (as /proc/1/cmdline inside it has it)."""
    found = container.exec_run(["cat", "/proc/1/cmdline"])
    return found.output.decode(errors="replace").strip("\0").replace("\0", " ") if found.exit_code == 0 else "?"


def timed_stop(container: Container, grace: int = 10) -> dict:
    """`docker stop -t grace` of a running container (SIGTERM, SIGKILL after ``grace`` seconds), timed:
    pid1 (PID 1's command line, read before the stop), seconds (s), exit_code.
    Returns a dict. Raises docker.errors.APIError (NotFound for a container that is gone) and requests' errors when the
    engine does not answer."""
    pid1 = _pid1(container)
    started = time.perf_counter()
    container.stop(timeout=grace)
    seconds = time.perf_counter() - started
    container.reload()
    return {"pid1": pid1, "seconds": seconds, "exit_code": int(container.attrs["State"]["ExitCode"])}


def _one_stop(client, image: str, environment: Mapping[str, str], init: bool, grace: int) -> dict:
    container = _create_and_start(client, image, None, environment=dict(environment), init=init, labels=CREATED_LABELS)
    try:
        _wait_for_log(container, "ready", timeout=60)
        stopped = timed_stop(container, grace)
        # the app prints this line from its SIGTERM handler only: SIGTERM that ends it by its default action
        # (no handler, e.g. forwarded by --init's tini) leaves no line, and shows as exit 143 instead
        return {**stopped, "sigterm_handler_ran": "SIGTERM received" in container.logs().decode(errors="replace")}
    finally:
        remove_quietly(container)


@recordable("running.stop_times")
@declares(STOPS)
def stop_times(app_dir: str | Path, *, repeat: int | None = None, grace: int = GRACE_SECONDS, progress: bool = False) -> pd.DataFrame:
    """How long `docker stop` takes for each of :data:`STOP_VARIANTS`, ``repeat`` times (default 3, or
    ``DOCKERLAB_REPEAT``).

    Builds ``shell.Dockerfile`` and ``exec.Dockerfile`` of ``app_dir`` (the app prints ``ready`` and
    sleeps; it exits 0 on SIGTERM unless ``HANDLE_SIGTERM=0``), then for each variant starts a
    container, waits for ``ready``, and times ``docker stop -t grace`` (the engine sends SIGTERM, waits
    ``grace`` seconds, then SIGKILL). One row per stop. {columns}
    Raises DockerlabError for a missing folder or Dockerfile, a container that never gets ready or ``grace`` < 1;
    BuildFailed when a build fails.
    """

    if grace < 1:
        raise DockerlabError(f"grace={grace} is not a number of seconds `docker stop` can wait.",
                             fix="Pass grace=10 (docker stop's default) or another whole number >= 1.")
    app = Path(app_dir)
    if not app.is_dir():
        raise DockerlabError(f"There is no folder {app}.", fix="Pass the folder of the signals app: dl.paths.app('signals').")
    images = {}
    for dockerfile in dict.fromkeys(variant[0] for variant in STOP_VARIANTS.values()):
        if not (app / dockerfile).is_file():
            raise DockerlabError(f"{app} has no {dockerfile}.", fix="Pass the folder of the signals app: dl.paths.app('signals').")
        images[dockerfile] = build(app, dockerfile, tag=f"dockerlab-signals/{dockerfile.split('.')[0]}:latest", progress=progress).image_id
    client = engine.client()
    rows = []
    for run in range(1, (repeat or repeats(3)) + 1):
        for name, (dockerfile, environment, init) in STOP_VARIANTS.items():
            rows.append({"variant": name, "run": run, **_one_stop(client, images[dockerfile], environment, init, grace)})
    table = STOPS.frame(rows)
    table.attrs.update(experiment="stop_times", grace=grace)
    return table


_STOP_COLUMNS = ("variant", "seconds", "exit_code", "pid1", "sigterm_handler_ran")


def _require(table, needed: Sequence[str], made_by: str) -> None:
    """Raises DockerlabError when ``table`` lacks a column of ``needed`` (what ``made_by`` returns)."""
    missing = [key for key in needed if key not in table.columns]
    if missing:
        raise DockerlabError(f"The table lacks {sorted(missing)}.", fix=f"Pass what {made_by} returned.")


@declares(STOP_SUMMARY)
def stop_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Median, min and max seconds (and n) per variant, with PID 1, the exit code(s) seen and whether
    the app's SIGTERM handler ran in every run (input: :func:`stop_times`); one row per variant, in the table's order, with its
    attrs. {columns} Raises DockerlabError for a table without the columns stop_times gives."""
    _require(table, _STOP_COLUMNS, "dl.running.stop_times")
    grouped = table.groupby("variant", sort=False)
    summary = grouped["seconds"].agg(median="median", min="min", max="max", n="count").reset_index()
    summary["pid1"] = grouped["pid1"].agg(lambda values: " | ".join(dict.fromkeys(values))).to_numpy()
    summary["exit_codes"] = grouped["exit_code"].agg(lambda values: "/".join(str(code) for code in dict.fromkeys(values))).to_numpy()
    summary["sigterm_handler_ran"] = grouped["sigterm_handler_ran"].all().to_numpy()
    summary.attrs.update(table.attrs)
    return summary


def _meaning(codes: list[int]) -> str:
    if codes == [SIGKILLED]:
        return f"exit {SIGKILLED} = 128 + 9: killed by SIGKILL"
    if codes == [SIGTERMED]:
        return f"exit {SIGTERMED} = 128 + 15: ended by SIGTERM's default action"
    if codes == [0]:
        return "exit 0: the app stopped itself"
    return "exit codes " + "/".join(str(code) for code in codes)


def _fast_stop(handled: int, runs: int, codes: list[int]) -> str:
    """What ended a container that stopped at once: its app's handler (a line in its log, in ``handled``
    of ``runs``) or SIGTERM's default action (no handler line, exit 143)."""
    if handled == runs:
        return "SIGTERM reached the app, its handler ran and the app shut down at once"
    if not handled and codes == [SIGTERMED]:
        return "SIGTERM ended the app at once; the app's own handler did not run"
    if not handled:
        return "the stop signal ended it at once; the app's SIGTERM handler did not run"
    return f"it stopped at once; the app's SIGTERM handler ran in {handled} of {runs} stops"


def stop_verdicts(table: pd.DataFrame, grace: float | None = None) -> list[str]:
    """One sentence per variant, computed from :func:`stop_times` rows: did `docker stop` wait for
    the grace period (median ≥ 90 % of it, every exit 137) or did the stop signal end the container,
    and was it the app's own SIGTERM handler (its log line) or SIGTERM's default action (exit 143)?
    Raises DockerlabError for a table without the columns stop_times gives."""
    _require(table, _STOP_COLUMNS, "dl.running.stop_times")
    grace = float(grace or table.attrs.get("grace", GRACE_SECONDS))
    lines = []
    for name, rows in table.groupby("variant", sort=False):
        median = float(rows["seconds"].median())
        codes = sorted(set(int(code) for code in rows["exit_code"]))
        pid1 = " | ".join(dict.fromkeys(rows["pid1"]))
        handled = int(rows["sigterm_handler_ran"].sum())
        if median >= 0.9 * grace and codes == [SIGKILLED]:
            what = f"waited the whole {grace:.0f} s grace period, then the engine killed it" + ("; the app's SIGTERM handler never ran" if not handled else "")
        elif median < 0.5 * grace:
            what = _fast_stop(handled, len(rows), codes)
        else:
            what = "stopped neither at once nor after the full grace period"
        lines.append(f"{name}: median {median:.2f} s over {len(rows)} stop(s), {_meaning(codes)}; PID 1 was `{pid1}`: {what}.")
    return lines


@recordable("running.restart_policy")
def restart_policy(image: str = "alpine:3.20", command: Sequence[str] = ("sh", "-c", "echo crashing; exit 3"),
                   *, retries: int = 3, timeout: float = 60) -> dict:
    """Run ``command`` (one that fails) under ``--restart on-failure:RETRIES`` and wait until the engine
    gives up. Returns restart_count (what `docker inspect` reports), exit_code, status, runs (how many
    times the command ran, counted from its log lines) and seconds (s) until the engine gave up.
    Raises DockerlabError when it is still restarting after ``timeout`` seconds or ``retries`` < 1."""
    if retries < 1:
        raise DockerlabError(f"retries={retries}: on-failure needs at least one retry.", fix="Pass retries=3.")
    client = engine.client()
    started = time.perf_counter()
    container = _create_and_start(client, image, list(command), labels=CREATED_LABELS,
                                  restart_policy={"Name": "on-failure", "MaximumRetryCount": retries})
    try:
        deadline = time.monotonic() + timeout
        while True:
            container.reload()
            state = container.attrs["State"]
            if state["Status"] == "exited" and not state.get("Restarting") and container.attrs.get("RestartCount", 0) >= retries:
                break
            if time.monotonic() > deadline:
                raise DockerlabError(f"The container was still {state['Status']} after {timeout:.0f} s ({container.attrs.get('RestartCount')} restarts).",
                                     fix="Pass a longer timeout=, or a command that fails at once.")
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        logs = container.logs().decode(errors="replace")
        return {"policy": f"on-failure:{retries}", "restart_count": int(container.attrs.get("RestartCount", 0)),
                "exit_code": int(state["ExitCode"]), "status": state["Status"], "runs": len([line for line in logs.splitlines() if line.strip()]),
                "seconds": seconds}
    finally:
        remove_quietly(container)


@recordable("running.state")
def state(container: str) -> dict:
    """What `docker inspect` says about a container, the fields one reads when debugging: status,
    exit_code, restart_count, started_at, mounts (destination list), ip_addresses (network -> IP),
    published (container port -> host address:port). ``container``: its exact name, or its id (the
    first digits of it are enough when no other container's id begins with them, as for `docker
    inspect`). Raises ContainerFailed when no container has that name or id, and when several ids
    begin with the digits given."""
    client = engine.client()
    found = named(client, container)
    if found is None and _HEX.fullmatch(container):
        begin = [each for each in client.containers.list(all=True, filters={"id": container}, ignore_removed=True) if each.id.startswith(container)]
        if len(begin) > 1:
            raise ContainerFailed(f"container {container!r}", "inspect",
                                  f"no container is named so, and the ids of {len(begin)} containers begin with it "
                                  f"({', '.join(sorted(each.name for each in begin))})",
                                  "Pass the container's name, or more digits of its id (`docker ps -a` lists both).")
        found = begin[0] if begin else None
    if found is None:
        raise ContainerFailed(f"container {container!r}", "inspect", "no container here has that name or id",
                              "Check the name (`docker ps -a` lists the containers here); a course "
                              "container is gone once its `with` block ended or dl.cleanup() ran.")
    attrs = found.attrs
    networks = (attrs.get("NetworkSettings") or {}).get("Networks") or {}
    ports = (attrs.get("NetworkSettings") or {}).get("Ports") or {}
    return {
        "status": attrs["State"]["Status"],
        "exit_code": attrs["State"]["ExitCode"],
        "restart_count": attrs.get("RestartCount", 0),
        "started_at": attrs["State"].get("StartedAt", ""),
        "mounts": [mount.get("Destination") for mount in attrs.get("Mounts") or []],
        "ip_addresses": {name: settings.get("IPAddress") for name, settings in networks.items()},
        "published": {inside: [f"{b['HostIp']}:{b['HostPort']}" for b in bindings] if bindings else None for inside, bindings in ports.items()},
    }


# A client's lookups: N times getaddrinfo(name), then one HTTP GET by name (or by IP when the name
# does not resolve), printed as one JSON line.
_CLIENT = """
import json, socket, sys, time, urllib.request
name, address, attempts = sys.argv[1], sys.argv[2], int(sys.argv[3])
resolved, errors = 0, []
for _ in range(attempts):
    started = time.perf_counter()
    try:
        socket.getaddrinfo(name, 8000)
        resolved += 1
    except OSError as error:
        errors.append(str(error))
answers = {}
for target in (name, address):
    try:
        answers[target] = urllib.request.urlopen(f"http://{target}:8000/", timeout=5).status
    except Exception as error:
        answers[target] = type(error).__name__
print(json.dumps({"resolved": resolved, "errors": sorted(set(errors)), "answers": answers}))
"""


def _run_client(client, image: str, network: str, arguments: list[str], timeout: float = 120) -> dict:
    container = _create_and_start(client, image, ["python", "-c", _CLIENT, *arguments], network=network, labels=CREATED_LABELS)
    try:
        container.wait(timeout=timeout)
        output = container.logs().decode(errors="replace").strip()
    finally:
        remove_quietly(container)
    try:
        return json.loads(output.splitlines()[-1])
    except (ValueError, IndexError):
        raise DockerlabError(f"The lookup client printed no result: {output[-400:] or '(nothing)'}",
                             fix="Check that the image has python (python:3.11-slim).") from None


@recordable("running.name_resolution")
@declares(NAME_LOOKUPS)
def name_resolution(image: str = "python:3.11-slim", *, attempts: int | None = None) -> pd.DataFrame:
    """Can one container find another by name? One server (``python -m http.server 8000``) is attached
    to the default bridge and to a new user-defined network; a client on each network looks its name
    up ``attempts`` times (default 3, or ``DOCKERLAB_REPEAT``) and GETs it by name and by IP.
    One row per network. {columns} Everything created is removed. Raises DockerlabError when the client prints no result."""

    attempts = attempts or repeats(3)
    client = engine.client()
    suffix = uuid.uuid4().hex[:8]
    server_name = f"web-{suffix}"
    network = client.networks.create(f"dockerlab-net-{suffix}", driver="bridge", labels=CREATED_LABELS)
    server = None
    try:
        server = _create_and_start(client, image, ["python", "-m", "http.server", "8000"], name=server_name, labels=CREATED_LABELS)
        network.connect(server)
        _wait_for_port(server, 8000)
        server.reload()
        addresses = {name: settings["IPAddress"] for name, settings in server.attrs["NetworkSettings"]["Networks"].items()}
        rows = []
        for label, net in (("default bridge", "bridge"), ("user-defined", network.name)):
            found = _run_client(client, image, net, [server_name, addresses[net], str(attempts)])
            rows.append({"network_kind": label, "network_name": net, "server": server_name, "attempts": attempts,
                         "resolved": found["resolved"], "error": "; ".join(found["errors"]),
                         "by_name": found["answers"][server_name], "by_ip": found["answers"][addresses[net]]})
    finally:
        if server is not None:
            remove_quietly(server)
        try:
            network.remove()
        except docker.errors.APIError:
            pass
    table = NAME_LOOKUPS.frame(rows)
    table.attrs["experiment"] = "name_resolution"
    return table


@recordable("running.compose_network")
@declares(COMPOSE_NETWORK)
def compose_network(project_dir: str | Path, file: str = "compose.yaml", *, server: str = "web",
                    client: str = "worker", attempts: int | None = None) -> pd.DataFrame:
    """What `docker compose up` creates for a file that names no network, and whether its services find
    each other by name on it: the stack is started (course labels, ports on 127.0.0.1), the networks
    labelled with its project are listed, and ``client`` looks ``server``'s service name up ``attempts``
    times (default 3, or ``DOCKERLAB_REPEAT``) and GETs it by name and by IP on port 8000; then the
    stack is removed. Returns a DataFrame, one row per network the project created. {columns} Raises ComposeFailed when the stack does
    not start, and DockerlabError when the client prints no result."""
    attempts = attempts or repeats(3)
    rows = []
    with project(project_dir, file) as stack:
        stack.up(build=False)
        web = stack.container(server)
        _wait_for_port(web, 8000)
        web.reload()
        networks = engine.client().networks.list(filters={"label": f"com.docker.compose.project={stack.name}"})
        for network in networks:
            network.reload()
            attached = sorted(engine.client().containers.get(container_id).labels.get("com.docker.compose.service", attached_to["Name"])
                              for container_id, attached_to in (network.attrs.get("Containers") or {}).items())
            address = web.attrs["NetworkSettings"]["Networks"][network.name]["IPAddress"]
            found = json.loads(stack.exec(client, ["python", "-c", _CLIENT, server, address, str(attempts)]).strip().splitlines()[-1])
            rows.append({"network": network.name, "driver": network.attrs.get("Driver", ""), "services": ", ".join(attached),
                         "attempts": attempts, "resolved": found["resolved"], "by_name": found["answers"][server],
                         "by_ip": found["answers"][address]})
    table = COMPOSE_NETWORK.frame(rows)
    table.attrs["experiment"] = "compose_network"
    return table


def compose_network_verdict(table: pd.DataFrame) -> str:
    """One sentence from :func:`compose_network`'s rows: the network Compose made and what resolved on it.
    Returns a str. Raises DockerlabError for a table without the columns compose_network gives."""
    _require(table, ("network", "driver", "services", "attempts", "resolved", "by_name", "by_ip"), "dl.running.compose_network")
    return "; ".join(f"Compose created {row.network} ({row.driver}) with {row.services} on it: {row.resolved} of {row.attempts} "
                     f"lookups by service name succeeded, GET by name {row.by_name}, by IP {row.by_ip}" for row in table.itertuples()) + "."


def _wait_for_port(container, port: int, timeout: float = 30) -> None:
    """Wait until ``port`` listens inside the container (python checks from inside). Raises DockerlabError."""
    probe = f"import socket; socket.create_connection(('127.0.0.1', {port}), 1)"
    deadline = time.monotonic() + timeout
    while container.exec_run(["python", "-c", probe]).exit_code != 0:
        if time.monotonic() > deadline:
            raise DockerlabError(f"Nothing listened on port {port} in {container.name} after {timeout:.0f} s; its log: "
                                 f"{container.logs().decode(errors='replace')[-300:]}",
                                 fix="Check the server's command.")
        time.sleep(0.1)


def resolution_verdict(table: pd.DataFrame) -> str:
    """One sentence from :func:`name_resolution`'s rows: on which network the name resolved. Returns a str.
    Raises DockerlabError for a table without the columns name_resolution gives."""
    _require(table, ("network_kind", "server", "attempts", "resolved", "by_name", "by_ip"), "dl.running.name_resolution")
    parts = []
    for row in table.itertuples():
        parts.append(f"{row.network_kind}: {row.resolved} of {row.attempts} lookups of {row.server} succeeded, "
                     f"GET by name {row.by_name}, by IP {row.by_ip}")
    return "; ".join(parts) + "."


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(host: str, port: int) -> str:
    """"HTTP 200" when an HTTP server answers at host:port, else the connection error's name."""
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/", timeout=3) as response:
            return f"HTTP {response.status}"
    except Exception as error:  # noqa: BLE001 - the error is the measurement
        reason = getattr(error, "reason", error)
        return type(reason).__name__


def _bridge_address(client, container) -> str | None:
    """This machine's address on Docker's default bridge (its gateway, e.g. 172.17.0.1): an address
    of this machine that is not loopback, on the network Docker made for its containers. Read from the
    running ``container`` (what it routes through), else from the bridge's IPAM config: a freshly started
    engine lists the bridge's subnet there without its gateway."""
    gateway = (container.attrs.get("NetworkSettings") or {}).get("Gateway")
    if gateway:
        return gateway
    try:
        configs = client.networks.get("bridge").attrs.get("IPAM", {}).get("Config") or []
    except docker.errors.APIError:
        return None
    return next((config["Gateway"] for config in configs if config.get("Gateway")), None)


@recordable("running.published_ports", version=2)
@declares(PUBLISHED_PORTS)
def published_ports(app_dir: str | Path, *, port: int = 8000, progress: bool = False) -> pd.DataFrame:
    """``EXPOSE`` vs ``-p``: builds ``app_dir`` (a web server whose Dockerfile has ``EXPOSE port``) and
    runs it three times, on the same free host port (PORT in the ``run_with`` column): without ``-p``, with
    ``-p 127.0.0.1:PORT:port`` and with ``-p PORT:port`` (all of this machine's IPv4 addresses, as
    ``docker run -p`` does by default). From this machine it tries 127.0.0.1:PORT and this machine's
    address on Docker's bridge (not loopback: a port published on 127.0.0.1 only does not answer
    there, one published on all addresses does, as it would on the machine's network address).
    One row per try. {columns} Raises DockerlabError for a missing Dockerfile."""

    app = Path(app_dir)
    if not (app / "Dockerfile").is_file():
        raise DockerlabError(f"{app} has no Dockerfile.", fix="Pass the web-port app: dl.paths.app('web-port').")
    image = build(app, tag="dockerlab-web-port/server:latest", progress=progress).image_id
    client = engine.client()
    host_port = _free_port()
    rows = []
    runs = ((f"EXPOSE {port} only (no -p)", {}),
            (f"-p 127.0.0.1:PORT:{port}", {f"{port}/tcp": ("127.0.0.1", host_port)}),
            (f"-p PORT:{port} (all addresses)", {f"{port}/tcp": ("0.0.0.0", host_port)}))
    for label, ports in runs:
        container = _create_and_start(client, image, None, ports=ports, labels=CREATED_LABELS)
        try:
            _wait_for_port(container, port)
            container.reload()
            bindings = container.attrs["NetworkSettings"]["Ports"] or {}
            published = ", ".join(f"{inside} -> {b['HostIp']}:{b['HostPort']}" for inside, found in bindings.items() for b in (found or [])) or "nothing"
            outside = _bridge_address(client, container)
            for address in ("127.0.0.1", *([outside] if outside else [])):
                rows.append({"run_with": label, "exposed": ", ".join(bindings) or "nothing", "published": published,
                             "tried": f"{address}:{host_port}", "answered": _answers(address, host_port)})
        finally:
            remove_quietly(container)
    table = PUBLISHED_PORTS.frame(rows)
    table.attrs["experiment"] = "published_ports"
    return table


# --- storage -----------------------------------------------------------------------------------

STORAGE = {  # name -> where a container sees it
    "writable layer": "/root",
    "named volume": "/volume",
    "bind mount": "/host-folder",
    "tmpfs": "/scratch",
}


def _storage_container(client, image: str, volume_name: str, host_folder: str, command: Sequence[str]):
    volumes = {volume_name: {"bind": STORAGE["named volume"], "mode": "rw"}, host_folder: {"bind": STORAGE["bind mount"], "mode": "rw"}}
    return _create_and_start(client, image, list(command), labels=CREATED_LABELS, volumes=volumes, tmpfs={STORAGE["tmpfs"]: ""})


def _present(container, path: str) -> bool:
    return container.exec_run(["test", "-f", path]).exit_code == 0


@contextlib.contextmanager
def _course_volume(client):
    """A named volume for one experiment, labelled for the course, removed afterwards."""
    volume = client.volumes.create(name=f"dockerlab-vol-{uuid.uuid4().hex[:8]}", labels=CREATED_LABELS)
    try:
        yield volume
    finally:
        try:
            volume.remove(force=True)
        except docker.errors.APIError:
            pass


@contextlib.contextmanager
def _host_folder():
    """A temporary folder of this machine for one experiment's bind mount, removed afterwards. Its
    mode lets any user in the container write; a container empties it before it goes (files a
    container's root writes belong to root on the host, notebook 06)."""
    with tempfile.TemporaryDirectory(prefix="dockerlab-bind-", ignore_cleanup_errors=True) as folder:
        os.chmod(folder, 0o777)
        yield folder


@recordable("running.storage_survival", version=2)
@declares(STORAGE_SURVIVAL)
def storage_survival(image: str = "alpine:3.20") -> pd.DataFrame:
    """Where a container's file survives. One container writes a file into its writable layer, a
    named volume, a bind mount of a temporary host folder and a tmpfs mount; it is stopped and started
    again (like `docker restart`), then removed, and a new container of the same image with the same
    volume and host folder looks for the files. Returns a DataFrame, one row per storage. {columns} The volume, the host
    folder and both containers are removed. Raises DockerlabError when the image cannot run."""

    client = engine.client()
    files = {name: f"{path}/note.txt" for name, path in STORAGE.items()}
    with _course_volume(client) as volume, _host_folder() as host_folder:
        first = _storage_container(client, image, volume.name, host_folder, ["sleep", "600"])
        try:
            written = first.exec_run(["sh", "-c", " && ".join(f"echo kept > {path}" for path in files.values())])
            if written.exit_code != 0:
                raise DockerlabError(f"Could not write the files in {image}: {written.output.decode(errors='replace').strip()}",
                                     fix="Use an image with a shell (alpine:3.20).")
            first.stop(timeout=0)  # SIGKILL at once: sleep as PID 1 would ignore SIGTERM
            first.start()
            after_restart = {name: _present(first, path) for name, path in files.items()}
        finally:
            remove_quietly(first)
        on_host = (Path(host_folder) / "note.txt").is_file()  # the writing container is gone
        second = _storage_container(client, image, volume.name, host_folder, ["sleep", "600"])
        try:
            after_rm = {name: _present(second, path) for name, path in files.items()}
            second.exec_run(["rm", "-f", files["bind mount"]])  # written by the container's user: its owner removes it
        finally:
            remove_quietly(second)
    table = STORAGE_SURVIVAL.frame([{"storage": name, "path": files[name], "after_restart": after_restart[name], "after_rm": after_rm[name],
                                     "on_host": on_host if name == "bind mount" else None} for name in STORAGE])
    table.attrs["experiment"] = "storage_survival"
    return table


def survival_verdict(table: pd.DataFrame) -> str:
    """One sentence from :func:`storage_survival` rows: which storages kept the file through a restart
    and through `docker rm`, and whether the host folder of a bind mount still held it after the
    container was removed. Returns the sentence. Raises DockerlabError when a column is missing."""
    missing = {"storage", "after_restart", "after_rm"} - set(table.columns)
    if missing:
        raise DockerlabError(f"Not a storage_survival table: no {', '.join(sorted(missing))} column.", fix="Pass dl.running.storage_survival()'s result.")

    def names(rows) -> str:
        return ", ".join(rows["storage"]) or "none"

    kept, lost = table[table["after_rm"].astype(bool)], table[~table["after_rm"].astype(bool)]
    restart_lost = table[~table["after_restart"].astype(bool)]
    sentence = f"Survived `docker rm` (a new container found the file): {names(kept)}; gone with the container: {names(lost)}"
    sentence += f"; gone already at the restart: {names(restart_lost)}." if len(restart_lost) else "; every one survived the restart."
    if "on_host" in table.columns:
        for row in table[table["on_host"].notna()].itertuples():
            sentence += (f" The {row.storage}'s file was still in the host folder after the container was removed: the host keeps it."
                         if row.on_host else f" The {row.storage}'s file was not in the host folder after the container was removed.")
    return sentence


# Writes MEGABYTES of zeros in 1 MB blocks and fsyncs, timed inside the container (no exec overhead).
_WRITER = """
import os, sys, time
path, megabytes = sys.argv[1], int(sys.argv[2])
block = bytes(1 << 20)
started = time.perf_counter()
with open(path, "wb") as file:
    for _ in range(megabytes):
        file.write(block)
    file.flush()
    os.fsync(file.fileno())
print(time.perf_counter() - started)
os.remove(path)
"""


@recordable("running.write_speed", version=2)
@declares(WRITES)
def write_speed(image: str = "python:3.11-slim", megabytes: int = 64, *, repeat: int | None = None) -> pd.DataFrame:
    """Seconds to write ``megabytes`` blocks of 2^20 bytes (``bytes`` in all) and fsync them in a container's writable
    layer, a named volume, a bind mount of a temporary host folder and a tmpfs, ``repeat`` times each (default 3, or ``DOCKERLAB_REPEAT``),
    timed by python inside the container. Returns a DataFrame, one row per write. {columns} Raises DockerlabError for ``megabytes`` < 1 or a failed write."""

    if megabytes < 1:
        raise DockerlabError(f"megabytes={megabytes}: nothing to write.", fix="Pass megabytes=64.")
    client = engine.client()
    rows = []
    with _course_volume(client) as volume, _host_folder() as host_folder:
        container = _storage_container(client, image, volume.name, host_folder, ["sleep", "600"])
        try:
            for run in range(1, (repeat or repeats(3)) + 1):
                for name, path in STORAGE.items():
                    done = container.exec_run(["python", "-c", _WRITER, f"{path}/written.bin", str(megabytes)])
                    text = done.output.decode(errors="replace").strip()
                    if done.exit_code != 0:
                        raise DockerlabError(f"Writing {megabytes} MB to the {name} failed: {text[-300:]}",
                                             fix="Check the free disk space (`docker system df`).")
                    seconds = float(text.splitlines()[-1])
                    rows.append({"storage": name, "run": run, "bytes": megabytes << 20, "seconds": seconds, "mb_per_s": (megabytes << 20) / 1e6 / seconds})
        finally:
            remove_quietly(container)
    table = WRITES.frame(rows)
    table.attrs["experiment"] = "write_speed"
    return table


def write_verdict(table: pd.DataFrame, reference: str = "named volume") -> list[str]:
    """One sentence per storage from :func:`write_speed` rows: median seconds, MB/s and the ratio to
    ``reference``'s median. Raises DockerlabError when ``reference`` was not measured."""
    medians = table.groupby("storage", sort=False)["seconds"].median()
    if reference not in medians:
        raise DockerlabError(f"{reference!r} is not among the measured storages ({', '.join(medians.index)}).", fix="Pass reference= one of them.")
    size = float(table["bytes"].iloc[0])
    lines = []
    for name, median in medians.items():
        ratio = median / medians[reference]
        compared = "" if name == reference else (
            f", {ratio:.2f}x the {reference}'s time" + (" (within 10 %: the same, as far as this measures)" if abs(ratio - 1) <= 0.10 else ""))
        lines.append(f"{name}: median {median:.3f} s for {size / 1e6:.0f} MB ({size / 1e6 / median:.0f} MB/s){compared}.")
    return lines


# --- architectures ------------------------------------------------------------------------------

def _build_for(app: Path, platform: str, tag: str) -> None:
    """`docker build --platform PLATFORM -t TAG APP` as a learner types it (BuildKit, course labels).
    Returns None. Raises BuildFailed (the CLI's exit code, the output's last lines, the fix diagnose gives
    for them) when it fails."""
    result = docker_command(["build", "--platform", platform, "-t", tag, str(app)], progress=False)
    if not result.ok:
        tail = result.output.strip().splitlines()[-12:]
        found = diagnose("\n".join(tail), "build")
        raise BuildFailed(f"`docker build --platform {platform}`: {found.meaning}", exit_code=result.exit_code, log_tail=tail, fix=found.fix)


def _run_to_end(client, image: str, command: Sequence[str], timeout: float = 120) -> tuple[int, str]:
    """(exit code, output) of a container run to its end; a container the engine cannot start gives
    the engine's refusal as output and exit code -1."""
    try:
        container = _create_and_start(client, image, list(command), labels=CREATED_LABELS)
    except DockerlabError as error:
        return -1, str(error.message)
    try:
        status = container.wait(timeout=timeout)
        return int(status.get("StatusCode", -1)), container.logs().decode(errors="replace").strip()
    finally:
        remove_quietly(container)


@recordable("running.architectures")
@declares(PLATFORM_RUNS)
def architectures(app_dir: str | Path, platforms: Sequence[str] = ("linux/amd64", "linux/arm64"), *,
                  rounds: int = 200_000_000, repeat: int | None = None) -> pd.DataFrame:
    """Build the Go program of ``app_dir`` for each platform (``docker build --platform``, BuildKit
    cross-compiling into scratch) and run each image here, ``repeat`` times (default 3, or
    ``DOCKERLAB_REPEAT``) with ``rounds`` rounds of integer work. One row per run. {columns} A platform the engine cannot run gives `exec format error` unless
    emulation (qemu-user-static registered in binfmt_misc) is set up on the engine's host.
    Raises BuildFailed when a build fails, DockerlabError when ``platforms`` is empty."""
    if not platforms:
        raise DockerlabError("No platforms given.", fix='Pass platforms=("linux/amd64", "linux/arm64").')
    app = Path(app_dir)
    client = engine.client()
    version = client.version()
    here = f"{version.get('Os', '?')}/{version.get('Arch', '?')}"
    rows = []
    tags = {}
    for platform in platforms:
        tag = f"dockerlab-arch/{app.name}:{platform.split('/')[-1]}"
        _build_for(app, platform, tag)
        tags[platform] = tag
    for run in range(1, (repeat or repeats(3)) + 1):
        for platform, tag in tags.items():
            architecture = client.images.get(tag).attrs.get("Architecture", "?")
            code, output = _run_to_end(client, tag, [str(rounds)])
            timed = re.search(r"rounds in ([\d.]+) s", output)
            rows.append({"platform": platform, "architecture": architecture, "engine": here, "run": run, "exit_code": code,
                         "output": output.splitlines()[0] if output else "", "seconds": float(timed.group(1)) if timed else None})
    table = PLATFORM_RUNS.frame(rows)
    table.attrs.update(experiment="architectures", rounds=rounds)
    return table


def architecture_verdicts(table: pd.DataFrame) -> list[str]:
    """One sentence per platform from :func:`architectures` rows: ran natively, ran under emulation
    (with the median slowdown against the engine's own platform), or could not run (and why). Returns a
    list of str. Raises DockerlabError for a table without the columns architectures gives."""
    _require(table, ("platform", "engine", "seconds", "output"), "dl.running.architectures")
    native = table[table["platform"] == table["engine"]]
    native_median = native["seconds"].median() if len(native) and native["seconds"].notna().any() else None
    lines = []
    for platform, rows in table.groupby("platform", sort=False):
        engine_platform = rows["engine"].iloc[0]
        if rows["seconds"].isna().any():
            said = rows["output"].iloc[0]
            found = diagnose(said, "run")
            why = found.meaning if found.rule == "exec-format" else "see the output"
            lines.append(f"{platform} on this {engine_platform} engine: did not run ({said}): {why}; no slowdown could be measured here.")
        elif platform == engine_platform:
            lines.append(f"{platform}: native, median {rows['seconds'].median():.3f} s for the work.")
        else:
            slowdown = f", {rows['seconds'].median() / native_median:.1f}x the native time" if native_median else ""
            lines.append(f"{platform} on this {engine_platform} engine: ran under emulation, median {rows['seconds'].median():.3f} s{slowdown}.")
    return lines


check_public(globals(), "running")  # the one argument check, for every public function here
