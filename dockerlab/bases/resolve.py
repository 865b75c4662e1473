"""Make catalogue images available: present -> pull -> stand-in; bundles for workshop rooms."""
from __future__ import annotations

from typing import TYPE_CHECKING

import gzip
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterable

import docker
import docker.errors
import requests.exceptions

from .. import engine
from ..builder import build
from ..buildkit import DEBIAN_CLI
from ..columns import PREPARED, declares
from ..catalogue import (
    CATALOGUE,
    HOST_BUILT,
    RECIPES,
    BaseImage,
    build_order,
    is_standin,
    normalise_tag,
    recipe_text,
    standin_labels,
)
from ..diagnose import diagnose
from ..errors import (
    BaseImageUnavailable,
    DockerlabError,
    RegistryUnreachable,
    StandInUnsupported,
)
from ..labels import built_labels
from ..paths import kernel_filesystem, partial_beside
from ..progress import progress as show_progress
from ..recording import recordable
from .hostca import HOST_CA_LABEL, host_ca_fingerprint, host_extra_cas, with_host_ca

if TYPE_CHECKING:  # the return annotations name it; pandas itself is imported where a table is made
    import pandas as pd

__all__ = [
    "Resolution",
    "RegistryStatus",
    "registry_status",
    "classify_pull_error",
    "image_state",
    "ensure",
    "prepare",
    "save_bundle",
    "load_bundle",
]

REGISTRY_PROBE = "docker.io/library/alpine:3.20"
PULL_TIMEOUT_SECONDS = 60
DEBIAN_MIRROR = os.environ.get("DOCKERLAB_DEBIAN_MIRROR", "http://deb.debian.org/debian")
DEBIAN_SECURITY_MIRROR = os.environ.get("DOCKERLAB_DEBIAN_SECURITY_MIRROR", "http://deb.debian.org/debian-security")
# Like the official slim image: no docs, man pages, locales or info pages (copyright files stay).
SLIM_DPKG_OPTIONS = [
    "path-exclude=/usr/share/man/*",
    "path-exclude=/usr/share/doc/*",
    "path-include=/usr/share/doc/*/copyright",
    "path-exclude=/usr/share/locale/*",
    "path-exclude=/usr/share/info/*",
    "path-exclude=/usr/share/groff/*",
    "path-exclude=/usr/share/linda/*",
    "path-exclude=/usr/share/lintian/*",
]


@dataclass
class Resolution:
    """How one catalogue image became available."""

    name: str
    source: str  # present | pulled | stand-in | loaded | missing
    standin: bool
    size: int | None
    seconds: float
    note: str = ""

    def as_row(self) -> dict:
        """The row of :func:`prepare`'s table (columns.PREPARED). Returns a dict. Raises nothing."""
        return {
            "image": self.name,
            "source": self.source,
            "is_stand_in": self.standin,
            "size": self.size,
            "seconds": round(self.seconds, 1),
            "note": self.note,
        }


@dataclass(frozen=True)
class RegistryStatus:
    reachable: bool
    reason: str
    detail: str = ""
    fix: str = ""


def classify_pull_error(text: str) -> tuple[str, str]:
    """(reason, fix) for a pull or registry error message from the engine (dockerlab.diagnose's rules).
    Raises nothing: a message no rule knows gets diagnose's fallback (read the message)."""
    found = diagnose(text, "pull")
    return found.meaning, found.fix


def _registry_client() -> docker.APIClient:
    target = engine.connection_target()
    return docker.APIClient(base_url=target.base_url, tls=target.tls, timeout=PULL_TIMEOUT_SECONDS)


def registry_status(probe: str = REGISTRY_PROBE) -> RegistryStatus:
    """Whether the engine can reach Docker Hub (a manifest HEAD; it does not count as a pull), as a
    RegistryStatus: reachable, and when not, the reason, the engine's detail and the fix. Raises
    DockerUnavailable when no engine answers; a registry that cannot be reached is reported, not raised."""
    engine.client()
    try:
        _registry_client().inspect_distribution(probe)
        return RegistryStatus(True, "Docker Hub answers")
    except (docker.errors.APIError, requests.exceptions.RequestException, docker.errors.DockerException) as error:
        detail = str(getattr(error, "explanation", None) or error).splitlines()[0][:300]
        reason, fix = classify_pull_error(detail)
        return RegistryStatus(False, reason, detail, fix)


def image_state(name: str) -> tuple[str, dict | None]:
    """'official' | 'stand-in' | 'missing', and the image's inspect data (None when missing). Raises
    DockerUnavailable when no engine answers."""
    try:
        data = engine.client().api.inspect_image(name)
    except docker.errors.ImageNotFound:
        return "missing", None
    labels = (data.get("Config") or {}).get("Labels") or {}
    return ("stand-in" if is_standin(name, labels) else "official"), data


def _pull(name: str, progress: bool) -> None:
    repository, _, tag = name.rpartition(":") if ":" in name.split("/")[-1] else (name, "", "latest")
    bar = show_progress(f"pull {name}", unit="B", enabled=progress)
    layers: dict[str, tuple[int, int]] = {}
    try:
        for event in _registry_client().pull(repository, tag=tag, stream=True, decode=True):
            if "error" in event:
                reason, fix = classify_pull_error(event["error"])
                raise RegistryUnreachable(name, reason, event["error"], fix)
            detail = event.get("progressDetail") or {}
            if event.get("id") and detail.get("total"):
                layers[event["id"]] = (detail.get("current", 0), detail["total"])
                bar.set_total(sum(total for _, total in layers.values()))
                bar.set_done(sum(current for current, _ in layers.values()))
    except docker.errors.APIError as error:
        text = str(error.explanation or error)
        reason, fix = classify_pull_error(text)
        raise RegistryUnreachable(name, reason, text, fix) from None
    except requests.exceptions.RequestException as error:
        reason, fix = classify_pull_error(str(error))
        raise RegistryUnreachable(name, reason, str(error), fix) from None
    finally:
        bar.close()


def _remove_quietly(image_id: str) -> None:
    try:
        engine.client().api.remove_image(image_id)
    except docker.errors.APIError:
        pass  # still used by a container or a derived image: it goes with `dockerlab clean`


def _tag_extras(image: BaseImage) -> None:
    client = engine.client()
    for extra in image.extra_tags:
        repository, _, tag = extra.rpartition(":")
        client.api.tag(image.name, repository, tag)


def _build_debian_standin(image: BaseImage, progress: bool) -> None:
    if not shutil.which("mmdebstrap"):
        raise StandInUnsupported(
            f"Building the {image.name} stand-in needs mmdebstrap on this machine, and it is missing.",
            fix="sudo apt-get install mmdebstrap (Debian/Ubuntu), or connect to a network that reaches Docker Hub, "
            "or load a room bundle: dockerlab prepare --load FILE.",
        )
    if os.geteuid() == 0:
        mode = "root"
    elif Path("/proc/sys/kernel/unprivileged_userns_clone").exists() and Path(
        "/proc/sys/kernel/unprivileged_userns_clone"
    ).read_text().strip() == "0":
        raise StandInUnsupported(
            f"Building the {image.name} stand-in needs root or user namespaces, and this machine allows neither.",
            fix="Run `sudo dockerlab prepare`, or enable user namespaces (sysctl kernel.unprivileged_userns_clone=1).",
        )
    else:
        mode = "unshare"
    mirrors = [
        f"deb {DEBIAN_MIRROR} bookworm main",
        f"deb {DEBIAN_MIRROR} bookworm-updates main",
        f"deb {DEBIAN_SECURITY_MIRROR} bookworm-security main",
    ]
    with tempfile.TemporaryDirectory(prefix="dockerlab-debian-") as work:
        tarball = Path(work) / "rootfs.tar"
        command = [
            "mmdebstrap",
            "--variant=minbase",
            f"--mode={mode}",
            "--format=tar",
            "--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr",
            *[f"--dpkgopt={option}" for option in SLIM_DPKG_OPTIONS],
            # apt's package caches (72 MB) and lists are not part of the official image either, and
            # like the official image, later apt installs keep no downloaded .deb files in layers.
            '--customize-hook=rm -rf "$1"/var/cache/apt/*.bin "$1"/var/lib/apt/lists/*',
            f"--customize-hook=copy-in {' '.join(str(path) for path in sorted((RECIPES / 'files' / 'apt').iterdir()))} /etc/apt/apt.conf.d/",
            "bookworm",
            str(tarball),
            *mirrors,
        ]
        if progress:
            print(f"building {image.name} stand-in with mmdebstrap ...", flush=True)
        finished = subprocess.run(command, capture_output=True, text=True)
        if finished.returncode != 0:
            tail = (finished.stderr or finished.stdout).strip().splitlines()[-15:]
            raise StandInUnsupported(
                f"mmdebstrap failed (exit {finished.returncode}) building {image.name}:\n" + "\n".join(tail),
                fix=f"Check that this machine reaches the Debian mirror {DEBIAN_MIRROR} (set DOCKERLAB_DEBIAN_MIRROR to another).",
            )
        labels = {**built_labels(image.name), **standin_labels(image)}
        changes = ['CMD ["bash"]', "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
        changes += [f'LABEL {key}="{value}"' for key, value in labels.items()]
        repository, _, tag = image.name.rpartition(":")
        engine.client().api.import_image(src=str(tarball), repository=repository, tag=tag, changes=changes)


def _build_standin(image: BaseImage, progress: bool) -> None:
    if image.recipe == HOST_BUILT:
        _build_debian_standin(image, progress)
    else:
        with tempfile.TemporaryDirectory(prefix="dockerlab-standin-") as context:
            shutil.copytree(RECIPES / "files", Path(context) / "files")
            build(context, recipe_text(image), tag=image.name, labels=standin_labels(image), progress=progress)
    extras = host_extra_cas()
    final_from_scratch = image.recipe != HOST_BUILT and "\nFROM scratch" in recipe_text(image)
    if extras and not final_from_scratch:
        labels = engine.client().api.inspect_image(image.name)["Config"].get("Labels") or {}
        if labels.get(HOST_CA_LABEL) != host_ca_fingerprint(extras):
            with_host_ca(image.name, progress=progress)
    _tag_extras(image)


def ensure(image: BaseImage, *, pull: bool = True, registry: RegistryStatus | None = None, progress: bool = True) -> Resolution:
    """Make one catalogue image available: present -> pull -> stand-in. Returns a Resolution (source,
    size in bytes, seconds taken). A failed pull falls through to the stand-in. Raises DockerUnavailable
    when no engine answers, and BaseImageUnavailable when the image was not pulled and its stand-in could
    not be built (its ``tried`` lists each attempt; the fix is the stand-in's, e.g. from StandInUnsupported
    or BuildFailed)."""
    started = time.perf_counter()
    state, data = image_state(image.name)
    extras_missing = any(image_state(extra)[0] == "missing" for extra in image.extra_tags)
    tried: list[str] = []
    note = ""

    if state == "official" and not extras_missing:
        return Resolution(image.name, "present", False, data["Size"], time.perf_counter() - started)

    can_pull = pull and (registry is None or registry.reachable)
    if can_pull:
        try:
            for name in image.all_tags:
                _pull(name, progress)
            if state == "stand-in":
                _remove_quietly(data["Id"])
                note = "official image replaced the stand-in"
            _, pulled = image_state(image.name)
            return Resolution(image.name, "pulled", False, pulled["Size"], time.perf_counter() - started, note)
        except RegistryUnreachable as error:
            tried.append(f"pull: {error.reason} ({error.detail})")
            note = f"not pulled: {error.reason}"

    if state == "stand-in" and not extras_missing:
        return Resolution(image.name, "present", True, data["Size"], time.perf_counter() - started, note)

    try:
        _build_standin(image, progress)
    except DockerlabError as error:
        tried.append(f"stand-in: {error.message}")
        raise BaseImageUnavailable(
            image.name,
            tried,
            fix=error.fix or "Connect to a network that reaches Docker Hub, or load a room bundle: dockerlab prepare --load FILE.",
        ) from None
    if not note:
        note = "registry not asked (--no-pull)" if not pull else f"registry unreachable: {registry.reason}" if registry else ""
    _, built = image_state(image.name)
    return Resolution(image.name, "stand-in", True, built["Size"], time.perf_counter() - started, note)


@recordable("prepare", version=2)
@declares(PREPARED)
def prepare(
    only: Iterable[str] | None = None,
    *,
    pull: bool = True,
    save: str | os.PathLike | None = None,
    load: str | os.PathLike | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Make every catalogue image (or ``only`` these) available; returns a table, one row per image.

    {columns} ``attrs["registry"]`` holds the RegistryStatus (None with ``pull=False``). ``load`` first loads a
    room bundle; ``save`` afterwards writes one. Raises DockerlabError for a name in ``only`` that is not a
    course base or a bundle that cannot be loaded or saved, DockerUnavailable when no engine answers, and
    BaseImageUnavailable when an image can be neither pulled nor built as a stand-in.
    """
    rows: list[Resolution] = []
    loaded: set[str] = set()
    if save is not None:
        check_bundle_destination(save)  # before the images, which can take minutes
    if load is not None:
        loaded = set(load_bundle(load, progress=progress))
    images = build_order(list(only) if only else None)
    registry = registry_status() if pull else None
    for image in images:
        if normalise_tag(image.name) in loaded and image_state(image.name)[0] != "missing":
            state, data = image_state(image.name)
            rows.append(Resolution(image.name, "loaded", state == "stand-in", data["Size"], 0.0))
            continue
        rows.append(ensure(image, pull=pull, registry=registry, progress=progress))
    if save is not None:
        save_bundle(save, [image.name for image in images], progress=progress)
    table = PREPARED.frame(row.as_row() for row in rows)
    table.attrs["registry"] = registry
    return table


def check_bundle_destination(path: str | os.PathLike) -> Path:
    """Check that a bundle can be written to ``path``: its folder exists and takes a new file (tried,
    so a read-only place says so even to root), and ``path`` is not a folder or a device or other
    special file (which would be replaced). Returns ``path`` as a
    Path. Raises DockerlabError naming what is wrong."""
    target = Path(path)
    where = f"Cannot save the bundle to {target}"
    if target.is_dir():
        raise DockerlabError(f"{where}: it is a folder; a bundle is one file.", fix=f"Name a file in it, e.g. {target / 'room-bundle.tar.gz'}.")
    if target.exists() and not target.is_file():  # a device (/dev/full), a socket, a pipe: never replaced
        raise DockerlabError(f"{where}: {target} is not a regular file (it is a device or another special file) and is left as it is.",
                             fix="Name a new file, or a bundle file of your own, e.g. room-bundle.tar.gz in your home folder.")
    if target.parent.exists() and not target.parent.is_dir():
        raise DockerlabError(f"{where}: {target.parent} is a file, not a folder.", fix="Name a file in a folder, e.g. room-bundle.tar.gz beside it.")
    if not target.parent.is_dir():
        raise DockerlabError(f"{where}: the folder {target.parent} does not exist.", fix="Create the folder first, or name a file in an existing one.")
    kernel = kernel_filesystem(target.parent)
    if kernel:  # creating a file there says "No such file or directory" or "Permission denied": not the reason
        raise DockerlabError(f"{where}: the folder {target.parent} is not writable: it is on the kernel's {kernel} file system "
                             "(made-up files about the running system), which stores no files.",
                             fix="Name a file in a folder you can write to, e.g. room-bundle.tar.gz in your home folder.")
    try:
        if not os.access(target.parent, os.W_OK):
            raise PermissionError("no write permission")
        tempfile.NamedTemporaryFile(dir=target.parent, prefix=".dockerlab-probe-").close()
    except OSError as error:
        reason = error.strerror or str(error)
        raise DockerlabError(f"{where}: the folder {target.parent} is not writable ({reason}).", fix="Name a file in a folder you can write to.") from None
    return target


def save_bundle(path: str | os.PathLike, names: list[str] | None = None, *, progress: bool = True) -> Path:
    """Write the catalogue images (or ``names``, with their extra tags) into one gzip-compressed `docker save`
    file (for USB sticks); returns its path. Raises DockerlabError when an image is not present, the folder
    does not exist or is not writable, there is no docker CLI, or `docker save` fails (nothing half-written
    stays behind), and DockerUnavailable when no engine answers."""
    names = names or list(CATALOGUE)
    tags = [tag for name in names for tag in CATALOGUE[name].all_tags]
    missing = [tag for tag in tags if image_state(tag)[0] == "missing"]
    if missing:
        raise DockerlabError(
            f"Cannot save a bundle: {', '.join(missing)} not present.",
            fix="Run `dockerlab prepare` first (it makes every image available), then --save.",
        )
    target = check_bundle_destination(path)
    partial = partial_beside(target)  # never a learner's own NAME.partial
    engine.client()  # DockerUnavailable first, with its fix
    cli = shutil.which("docker") or DEBIAN_CLI
    if not os.path.exists(cli):
        raise DockerlabError("Saving a bundle needs the docker CLI (`docker save` of several images in one file).",
                             fix="Install the docker CLI (Debian: apt-get install docker.io).")
    bar = show_progress(f"save {target.name}", unit="B", enabled=progress)
    environment = dict(os.environ, DOCKER_HOST=engine.connection_target().base_url)
    try:
        # `docker save` of every image at once (layers they share written once); the SDK saves one image at a time.
        with subprocess.Popen([cli, "save", *tags], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment) as saving, \
                gzip.open(partial, "xb", compresslevel=6) as out:
            for chunk in iter(lambda: saving.stdout.read(1 << 20), b""):
                out.write(chunk)
                bar.advance(len(chunk))
            said = saving.stderr.read().decode(errors="replace").strip()
        if saving.returncode != 0:
            raise OSError(f"docker save exited with {saving.returncode}: {said[-300:]}")
        check_bundle_destination(target)  # still not a device: it may have changed while saving
        partial.replace(target)
    except (docker.errors.APIError, requests.exceptions.RequestException, OSError) as error:
        partial.unlink(missing_ok=True)
        fix = ("Check free disk space and try again." if isinstance(error, OSError) and error.errno == 28
               else "Read the message above; `dockerlab doctor` checks the engine.")
        raise DockerlabError(f"Saving the bundle {target} failed: {error}", fix=fix) from None
    except BaseException:
        partial.unlink(missing_ok=True)  # interrupted (Ctrl-C): no half-written bundle stays behind
        raise
    finally:
        bar.close()
    return target


def load_bundle(path: str | os.PathLike, *, progress: bool = True) -> list[str]:
    """Load a bundle written by :func:`save_bundle`; returns the tags it brought. Raises DockerlabError when
    ``path`` is a folder or does not exist, or the engine cannot load it (e.g. a truncated file), and
    DockerUnavailable when no engine answers."""
    source = Path(path)
    if source.is_dir():
        raise DockerlabError(f"{source} is a folder; a bundle is one file.", fix="Pass the bundle file itself (made with `dockerlab prepare --save FILE`).")
    if source.exists() and not source.is_file():
        raise DockerlabError(f"{source} is not a regular file (it is a device or another special file); a bundle is a file.",
                             fix="Pass the bundle file itself (made with `dockerlab prepare --save FILE`).")
    if not source.is_file():
        raise DockerlabError(
            f"The bundle {source} does not exist.",
            fix="Pass the file the instructor gave you (made with `dockerlab prepare --save FILE`).",
        )
    client = engine.client()
    if progress:
        print(f"loading {source} ({source.stat().st_size / 1e6:.0f} MB) ...", flush=True)
    loaded: list[str] = []
    try:
        with open(source, "rb") as data:
            for event in client.api.load_image(data):
                if "error" in event:
                    raise DockerlabError(
                        f"Loading {source} failed: {event['error']}",
                        fix="The file may be truncated; copy it again from the instructor.",
                    )
                stream = event.get("stream", "")
                if stream.startswith("Loaded image:"):
                    loaded.append(stream.split(":", 1)[1].strip())
    except (docker.errors.APIError, requests.exceptions.RequestException) as error:
        raise DockerlabError(f"Loading {source} failed: {error}", fix="The file may be truncated; copy it again.") from None
    return loaded
