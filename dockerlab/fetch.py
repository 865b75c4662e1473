"""Images from a registry into an archive, without an engine: `skopeo copy`, then analyse the archive.

On Binder there is no Docker engine but there is the internet: ``dl.fetch_image("python:3.11-slim")``
copies the real official image (its layers as the registry stores them, compressed) into an OCI
archive, and every analysis (``layers``, ``wasted_space``, ``image_size(compressed=True)``, ``diff``,
``security.find_secrets``, ``security.audit``, ``security.sbom``) reads that archive.
"""
from __future__ import annotations

import html
import math
import numbers
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .answers import command_html
from .archive import MACHINE_ARCH, archive_ref, read_archive
from .diagnose import diagnose
from .errors import DockerlabError
from .hosting import on_binder
from .paths import kernel_filesystem, partial_beside
from .recording import recordable

__all__ = ["FetchedImage", "fetch_image", "FETCH_DIR"]

FETCH_DIR = Path(tempfile.gettempdir()) / "dockerlab-images"
_LOCAL_REGISTRY = re.compile(r"^(?:127\.0\.0\.1|localhost)(?::\d+)?/")
_FATAL = re.compile(r'^time="[^"]*" level=\w+ msg="(.*)"$')


@dataclass
class FetchedImage:
    """An image copied from a registry into an OCI archive (``path``): ``bytes`` on disk, ``seconds``
    it took, ``layers``. Pass it (or its path) to any analysis. When the copy could not be made and
    ``on_failure="explain"`` was asked for, ``ok`` is False and ``reason`` says why (it is then falsy)."""

    reference: str
    path: Path
    ok: bool = True
    bytes: int = 0
    seconds: float = 0.0
    layers: int = 0
    reason: str = ""

    def __bool__(self) -> bool:
        return self.ok

    def __fspath__(self) -> str:
        if not self.ok:
            raise DockerlabError(f"{self.reference} was not fetched: {self.reason}", fix="Fetch it again where a registry answers.")
        return str(self.path)

    def __str__(self) -> str:
        if not self.ok:
            return f"{self.reference} was not fetched: {self.reason}"
        rate = self.bytes / self.seconds / 1e6 if self.seconds else 0
        return (f"{self.reference} -> {self.path}: {self.bytes / 1e6:.1f} MB ({self.layers} layers, compressed as the registry "
                f"stores them) in {self.seconds:.1f} s ({rate:.1f} MB/s)")

    @property
    def command(self) -> str:
        """The skopeo command that makes this archive in a terminal (no engine needed). Returns a str."""
        return shlex.join(["skopeo", *copy_arguments(self.reference, self.path)[1:]])

    def _repr_html_(self) -> str:
        return command_html(self.command) + f"<pre>{html.escape(str(self))}</pre>"


def copy_arguments(reference: str, target: Path, skopeo: str = "skopeo") -> list[str]:
    """The skopeo command (argv) that copies ``reference`` into an OCI archive at ``target`` for this
    machine's platform (the course's own registry on 127.0.0.1 over plain HTTP). Raises nothing."""
    source = reference if "://" in reference else f"docker://{reference}"
    name = source.split("://", 1)[1]
    command = [skopeo, "copy", "--retry-times", "2", "--override-os", "linux", "--override-arch", MACHINE_ARCH]
    if _LOCAL_REGISTRY.match(name):
        command.append("--src-tls-verify=false")  # the course's own registry on this machine speaks plain HTTP
    return [*command, source, f"oci-archive:{target}:{name}"]


def _skopeo() -> str:
    found = shutil.which("skopeo")
    if not found:
        where = ("Binder installs it from binder/apt.txt; rebuild the Binder image" if on_binder()
                 else "sudo apt-get install skopeo (or `make machine`; macOS: brew install skopeo)")
        raise DockerlabError("skopeo is not installed, and fetching an image without an engine needs it.", fix=where)
    return found


def _target_for(reference: str, to: str | os.PathLike | None) -> Path:
    """Where the archive goes; a DockerlabError before anything is copied when it cannot go there."""
    if to is None:
        FETCH_DIR.mkdir(parents=True, exist_ok=True)
        return FETCH_DIR / (re.sub(r"[^A-Za-z0-9_.-]+", "-", reference).strip("-") + ".tar")
    target = Path(to)
    if target.is_dir():
        raise DockerlabError(f"{target} is a folder; fetch_image writes one archive file.", fix=f"Name a file, e.g. {target / 'image.tar'}.")
    if not target.parent.is_dir():
        raise DockerlabError(f"Cannot write {target}: the folder {target.parent} does not exist.",
                             fix="Create the folder first, or name a file in an existing one.")
    kernel = kernel_filesystem(target.parent)
    if kernel:
        raise DockerlabError(f"Cannot write {target}: the folder {target.parent} is not writable: it is on the kernel's {kernel} file system "
                             "(made-up files about the running system), which stores no files.", fix="Name a file in a folder you can write to.")
    if not os.access(target.parent, os.W_OK):
        raise DockerlabError(f"Cannot write {target}: the folder {target.parent} is not writable.", fix="Name a file in a folder you can write to.")
    return target


def _registry_of(name: str) -> str:
    """The registry a reference names: its first part when that is a host (has . or : or is localhost), else Docker Hub."""
    first, slash, _ = name.partition("/")
    return first if slash and ("." in first or ":" in first or first == "localhost") else "Docker Hub"


NETWORK_RULES = {"registry-offline", "registry-unreachable", "registry-timeout", "tls-intercepted", "rate-limit"}


@recordable("fetch_image")
def fetch_image(reference: str, to: str | os.PathLike | None = None, *, progress: bool = True,
                on_failure: str = "raise", timeout: float = 900) -> FetchedImage:
    """Copy ``reference`` (``python:3.11-slim``, ``ghcr.io/owner/image:tag``, ``docker://...``) from its
    registry into an OCI archive at ``to`` (default: a file under the temporary folder), for this
    machine's platform, with skopeo: no engine needed. Layers keep the compression the registry
    stores them with, so ``image_size(archive, compressed=True)`` is what a pull downloads.

    Progress lines are printed as skopeo copies each blob. TLS is verified with the host's CA bundle
    (a company proxy's CA included, as the host trusts it); a registry on 127.0.0.1 or localhost is
    reached over plain HTTP (the course's own registry). The archive appears only complete: a failed
    or interrupted copy leaves nothing behind.

    In recorded mode it replays what the recording machine got (the archive it made, or why it could
    not make one), with no network and no skopeo; fetch the real image live, or with skopeo in a terminal
    and read its archive with ``dl.layers("python.tar")``.

    Returns a :class:`FetchedImage`. Raises DockerlabError for a ``timeout`` that is not a number of seconds above 0 (always), and when skopeo is
    missing or the copy fails (what the registry said and what to do), unless ``on_failure="explain"``: then the result is
    falsy and says why, so a notebook cell can go on with the recorded figures."""
    if on_failure not in ("raise", "explain"):
        raise DockerlabError(f"on_failure={on_failure!r} is not a choice.", fix='Use on_failure="raise" or on_failure="explain".')
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real) or not math.isfinite(timeout) or timeout <= 0:
        raise DockerlabError(f"fetch_image(): timeout={timeout!r} is not a number of seconds above 0.", fix="For example timeout=900 (the default).")
    if not isinstance(reference, str):
        raise DockerlabError(f"An image reference is text, not {type(reference).__name__}.", fix='For example dl.fetch_image("python:3.11-slim").')
    source = reference if "://" in reference else f"docker://{reference}"
    target = Path(to) if to is not None else FETCH_DIR / "image.tar"
    try:
        if not source.split("://", 1)[1].strip():
            raise DockerlabError("No image reference given.", fix='Name one, e.g. dl.fetch_image("python:3.11-slim").')
        target = _target_for(reference, to)
        return _copy(_skopeo(), reference, source, target, progress, timeout)
    except DockerlabError as error:
        if on_failure == "raise":
            raise
        return FetchedImage(reference, target, ok=False, reason=f"{error.message} {error.fix}".strip())


def _copy(skopeo: str, reference: str, source: str, target: Path, progress: bool, timeout: float) -> FetchedImage:
    partial = partial_beside(target)  # new: never a learner's own NAME.partial, which stays as it is
    name = source.split("://", 1)[1]
    command = copy_arguments(source, partial, skopeo)
    environment = dict(os.environ)
    bundle = Path("/etc/ssl/certs/ca-certificates.crt")
    if bundle.is_file():
        environment.setdefault("SSL_CERT_FILE", str(bundle))  # the host's trust, a TLS-intercepting proxy's CA included
    scratch = tempfile.mkdtemp(prefix="dockerlab-skopeo-")  # skopeo's own temporary files (it uses TMPDIR)
    environment["TMPDIR"] = scratch
    started = time.perf_counter()
    lines: list[str] = []
    try:
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment) as process:
            for line in process.stdout:
                lines.append(line.rstrip())
                if progress and line.strip():
                    print(f"  {line.rstrip()}", flush=True)
                if time.perf_counter() - started > timeout:
                    process.kill()
                    raise DockerlabError(f"Fetching {reference} took longer than {timeout:.0f} s and was stopped.",
                                         fix="Try again on a faster network, or a smaller image.")
            code = process.wait()
    except BaseException:
        partial.unlink(missing_ok=True)  # interrupted or failed: no half-written archive stays
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    seconds = time.perf_counter() - started
    if code != 0:
        partial.unlink(missing_ok=True)
        said = next((line for line in reversed(lines) if line.strip()), f"skopeo exited with {code}")
        said = _FATAL.sub(r"\1", said).replace('\\"', '"')  # skopeo's log wrapper: time=... level=fatal msg="..."
        found = diagnose(said, "pull")
        registry = _registry_of(name)
        if found.rule in NETWORK_RULES:
            raise DockerlabError(f"Could not fetch {reference}: {found.meaning} ({said[-300:]}).",
                                 fix=found.fix if found.rule in ("tls-intercepted", "rate-limit") else
                                 f"Fetching needs a network that reaches {registry} (Binder and most home networks do); "
                                 "until then the recorded figures stand for the image.")
        what = said[-400:] if found.rule == "unknown" else f"{found.meaning} ({said[-300:]})"
        raise DockerlabError(f"Could not fetch {reference}: {what}.",
                             fix=f"Check the name and tag (lowercase, as {registry} lists it): skopeo inspect {source}")
    partial.replace(target)
    layers = len(read_archive(archive_ref(target)).layer_names)
    return FetchedImage(reference, target, True, target.stat().st_size, seconds, layers)
