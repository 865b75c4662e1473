"""Image archives read without an engine: every format current engines and tools write.

- ``docker save`` of Docker 20.10–24: ``manifest.json`` naming ``<id>/layer.tar`` members and the config.
- ``docker save`` of Docker >= 25, and containerd's exporter (the containerd image store): an OCI image
  layout (``oci-layout``, ``index.json``, ``blobs/sha256/...``) that keeps ``manifest.json`` too.
- ``skopeo copy ... oci-archive:FILE`` and ``oci:FOLDER``: an OCI image layout only, as a tar or a folder.

An image is found through the archive's own index (``manifest.json``, else ``index.json`` -> image
index -> manifest -> config and layer descriptors; https://github.com/opencontainers/image-spec,
image-layout.md), never by the size or the order of its members. Layer blobs may be plain tar, gzip or
zstd; the compression is read from the blob's first bytes (magic numbers), not from its media type.

Names accepted where an image name is (see :func:`archive_ref`): a path to a ``.tar`` (or
``.tar.gz``) file or an OCI layout folder, or a skopeo-style transport reference
``docker-archive:PATH``, ``oci-archive:PATH[:REFERENCE]``, ``oci:FOLDER[:REFERENCE]``.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import platform
import shutil
import tarfile
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import zstandard  # a maintained binding of the reference zstd library

from .errors import DockerlabError
from .recording.arguments import check_public

T = TypeVar("T")

__all__ = ["ArchiveRef", "ArchiveImage", "archive_ref", "is_archive", "read_archive", "open_layer", "map_layers", "layer_again", "image_name",
           "single_image_layout", "COMPRESSIONS", "MACHINE_ARCH"]

TRANSPORTS = ("docker-archive", "oci-archive", "oci")
GZIP_MAGIC, ZSTD_MAGIC = b"\x1f\x8b", b"\x28\xb5\x2f\xfd"
COMPRESSIONS = ("none", "gzip", "zstd")
_INDEX_TYPES = ("application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json")
MACHINE_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm"}.get(platform.machine(), platform.machine())


@dataclass(frozen=True)
class ArchiveRef:
    """Where an image archive is: ``path`` (a tar file or a layout folder), ``reference`` (which image
    in it, or None for the only one) and the skopeo transport that names it."""

    path: Path
    reference: str | None = None
    transport: str = ""

    def __str__(self) -> str:
        return f"{self.transport}:{self.path}" + (f":{self.reference}" if self.reference else "")

    @property
    def key(self) -> tuple:
        """What identifies the bytes read: the file's path, size and modification time, and the reference."""
        stat = self.path.stat()
        return (str(self.path.resolve()), stat.st_size, stat.st_mtime_ns, self.reference)


def _split_reference(rest: str) -> tuple[str, str | None]:
    """'file.tar:myapp:1' -> ('file.tar', 'myapp:1'); a path that exists as given keeps its colons."""
    if os.path.exists(rest) or ":" not in rest:
        return rest, None
    path, reference = rest.split(":", 1)
    return path, reference or None


ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz")


def archive_ref(image) -> ArchiveRef | None:
    """An :class:`ArchiveRef` when ``image`` names an archive, None when it names an engine image.

    An archive is named by a transport reference (``docker-archive:``, ``oci-archive:``, ``oci:``), or
    by a path (a string or ``pathlib.Path``) to a ``.tar``/``.tar.gz``/``.tgz`` file or to a folder
    holding an OCI layout (its ``oci-layout`` file); other folders and files (a build context, a
    Dockerfile) are not archives. Raises DockerlabError for an archive that does not exist."""
    if isinstance(image, ArchiveRef):
        return image
    if not isinstance(image, (str, os.PathLike)):
        return None
    text = os.fspath(image)
    if not isinstance(text, str) or "\n" in text or "\0" in text or len(text) > 4096:
        return None  # Dockerfile text, bytes: not a name
    for transport in TRANSPORTS:
        if isinstance(image, str) and text.startswith(transport + ":"):
            path, reference = _split_reference(text[len(transport) + 1:])
            if not path:
                raise DockerlabError(f"{text!r} names no file after {transport}:.", fix=f"Write the archive's path after it: {transport}:PATH.")
            if not Path(path).exists():
                return _missing(Path(path), text)
            return ArchiveRef(Path(path), reference, transport)
    path = Path(text)
    if path.name.endswith(ARCHIVE_SUFFIXES):  # image names do not end in .tar: this names an archive
        return ArchiveRef(path, None, _transport_of(path)) if path.exists() else _missing(path, text)
    try:
        if (path / "oci-layout").is_file():
            return ArchiveRef(path, None, "oci")
    except OSError:  # a name too long for a path, say
        return None
    return None


def image_name(image) -> str:
    """How tables name ``image``: an archive (or a fetched image) by its path, an engine image by its name.
    Returns a str. Raises nothing."""
    return os.fspath(image) if isinstance(image, os.PathLike) else str(image)


def is_archive(image) -> bool:
    """True when ``image`` names an image archive rather than an image in the engine.
    Returns a bool. Raises DockerlabError, as :func:`archive_ref` does, for an archive reference whose file does not
    exist."""
    return archive_ref(image) is not None


def _missing(path: Path, given: str):
    raise DockerlabError(
        f"There is no image archive at {path} (from {given!r}).",
        fix="Check the path: make one with `docker save IMAGE -o FILE.tar`, `skopeo copy` or dl.fetch_image(REFERENCE, to=FILE).",
    )


def _transport_of(path: Path) -> str:
    if path.is_dir():
        return "oci"
    with _Container.open(path) as container:
        return "docker-archive" if "manifest.json" in container.names else "oci-archive"


class _Container:
    """The members of a tar file, or the files of a layout folder, by their names inside it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tar: tarfile.TarFile | None = None
        if path.is_dir():
            self.names = {str(p.relative_to(path)) for p in path.rglob("*") if p.is_file()}
            self._members: dict[str, tarfile.TarInfo] = {}
            return
        try:
            self.tar = tarfile.open(path, "r:*")  # random access: a member's data is read only when asked for
            members = self.tar.getmembers()
        except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
            if self.tar is not None:
                self.tar.close()
            raise DockerlabError(f"{path} is not a readable tar file ({str(error).splitlines()[0].rstrip(': ')}).",
                                 fix="Make the archive again (`docker save IMAGE -o FILE.tar`); a copy may be truncated.") from None
        by_name = {_normal(member.name): member for member in members}
        self._members = {}
        for name, member in by_name.items():
            seen = 0
            while member is not None and (member.issym() or member.islnk()) and seen < 8:  # Docker >= 25 links <id>/layer.tar to its blob
                target = member.linkname if member.islnk() else os.path.join(os.path.dirname(name), member.linkname)
                member, seen = by_name.get(_normal(os.path.normpath(target))), seen + 1
            if member is not None and member.isfile():
                self._members[name] = member
        self.names = set(self._members)

    @classmethod
    @contextmanager
    def open(cls, path: Path) -> Iterator[_Container]:
        container = cls(path)
        try:
            yield container
        finally:
            container.close()

    def close(self) -> None:
        if self.tar is not None:
            self.tar.close()

    def layer(self, name: str) -> LayerBlob:
        """The stored blob ``name`` opened as an uncompressed tar stream."""
        return open_layer(self.stream(name), self.size(name), name)

    def size(self, name: str) -> int:
        return self._members[name].size if self.tar is not None else (self.path / name).stat().st_size

    def stream(self, name: str):
        if name not in self.names:
            raise DockerlabError(f"{self.path} names {name} in its index, but has no such member.",
                                 fix="The archive is incomplete: make it again.")
        if self.tar is not None:
            return self.tar.extractfile(self._members[name])
        return open(self.path / name, "rb")

    def json(self, name: str):
        with self.stream(name) as handle:
            try:
                return json.loads(handle.read())
            except ValueError as error:
                raise DockerlabError(f"{name} in {self.path} is not JSON ({error}).", fix="The archive is damaged: make it again.") from None


def _normal(name: str) -> str:
    return name[2:] if name.startswith("./") else name.lstrip("/")


def _blob(digest: str) -> str:
    algorithm, _, hexadecimal = digest.partition(":")
    return f"blobs/{algorithm}/{hexadecimal}"


@dataclass
class ArchiveImage:
    """One image found in an archive: its config (the image config JSON), its id (the config's
    digest, as the engine names images), its tags, and its layers as names inside the archive, oldest first."""

    ref: ArchiveRef
    config: dict
    image_id: str
    layer_names: list[str]
    repo_tags: list[str] = field(default_factory=list)
    index_kind: str = ""  # "manifest.json" or "index.json": what located the image


def _matches(wanted: str, names: list[str]) -> bool:
    short = wanted.removeprefix("docker.io/").removeprefix("library/")
    return any(name == wanted or name.removeprefix("docker.io/").removeprefix("library/") == short for name in names)


def _from_manifest_json(container: _Container, ref: ArchiveRef) -> ArchiveImage:
    entries = container.json("manifest.json")
    if ref.reference:
        chosen = [entry for entry in entries if _matches(ref.reference, entry.get("RepoTags") or [])]
    else:
        chosen = entries
    if len(chosen) != 1:
        return _choose_error(ref, [tag for entry in entries for tag in (entry.get("RepoTags") or ["(untagged)"])], bool(chosen))
    entry = chosen[0]
    config_name = _normal(entry["Config"])
    digest = config_name.rsplit("/", 1)[-1].removesuffix(".json")
    return ArchiveImage(ref, container.json(config_name), f"sha256:{digest}", [_normal(name) for name in entry["Layers"]],
                        list(entry.get("RepoTags") or []), "manifest.json")


def _names_of(descriptor: dict) -> list[str]:
    annotations = descriptor.get("annotations") or {}
    return [name for name in (annotations.get("io.containerd.image.name"), annotations.get("org.opencontainers.image.ref.name")) if name]


def _from_index_json(container: _Container, ref: ArchiveRef) -> ArchiveImage:
    descriptors = container.json("index.json").get("manifests") or []
    if ref.reference:
        chosen = [d for d in descriptors if _matches(ref.reference, _names_of(d)) or ref.reference in _names_of(d)]
    else:
        chosen = descriptors
    if len(chosen) != 1:
        return _choose_error(ref, [name for d in descriptors for name in (_names_of(d)[:1] or ["(untagged)"])], bool(chosen))
    descriptor = chosen[0]
    tags = _names_of(descriptor)[:1]
    manifest = container.json(_blob(descriptor["digest"]))
    for _ in range(8):  # an index may name an index (per platform); a cycle or a deeper nesting is no image
        if not (manifest.get("mediaType") in _INDEX_TYPES or "manifests" in manifest):
            break
        manifest = container.json(_blob(_platform_manifest(container, manifest, ref)["digest"]))
    else:
        raise DockerlabError(f"{ref.path}'s index.json leads through more than 8 nested indexes (a cycle?) to no image manifest.",
                             fix="Make the archive again with `docker save` or `skopeo copy`.")
    config = manifest["config"]
    return ArchiveImage(ref, container.json(_blob(config["digest"])), config["digest"],
                        [_blob(layer["digest"]) for layer in manifest.get("layers", [])], tags, "index.json")


def _platform_manifest(container: _Container, index: dict, ref: ArchiveRef) -> dict:
    """Of a multi-platform image index, the manifest the archive holds for this machine (or its only one)."""
    present = [d for d in index.get("manifests", []) if _blob(d["digest"]) in container.names
               and (d.get("platform") or {}).get("architecture") != "unknown"]  # attestations are "unknown/unknown"
    mine = [d for d in present if (d.get("platform") or {}).get("architecture") == MACHINE_ARCH]
    if mine or len(present) == 1:
        return (mine or present)[0]
    platforms = sorted({"{os}/{architecture}".format(**d.get("platform", {"os": "?", "architecture": "?"})) for d in present})
    raise DockerlabError(f"{ref} holds an image for {', '.join(platforms) or 'no platform'}; none is this machine's ({MACHINE_ARCH}).",
                         fix="Save or fetch the image for this platform (skopeo copy --override-arch ..., docker save --platform ...).")


def _choose_error(ref: ArchiveRef, names: list[str], several: bool):
    if not names:
        raise DockerlabError(f"{ref.path} holds no image: its index lists none.", fix="Make the archive again with `docker save IMAGE -o FILE.tar`.")
    if ref.reference and not several:
        raise DockerlabError(f"{ref.path} holds no image named {ref.reference!r}; it holds: {', '.join(names) or 'no tagged image'}.",
                             fix="Name one of those after the path, e.g. oci-archive:FILE:NAME, or leave the name out when there is one image.")
    raise DockerlabError(f"{ref.path} holds {len(names)} images ({', '.join(names)}); say which one.",
                         fix=f"Name it after the path: docker-archive:{ref.path}:{names[0] if names else 'NAME'}.")


def read_archive(ref: ArchiveRef) -> ArchiveImage:
    """Find the image ``ref`` names in its archive (config and layer names); layers are not read here.
    Raises DockerlabError for a file that is no image archive, or a reference it does not hold."""
    with _Container.open(ref.path) as container:
        try:
            if "manifest.json" in container.names:
                return _from_manifest_json(container, ref)
            if "index.json" in container.names:
                return _from_index_json(container, ref)
        except (KeyError, IndexError, TypeError, AttributeError) as error:
            raise DockerlabError(f"{ref.path} has an image index this reader does not understand (a field docker save and the OCI "
                                 f"image layout write is missing or of another kind: {type(error).__name__}).",
                                 fix="Make the archive again with `docker save` or `skopeo copy`.") from None
    raise DockerlabError(f"{ref.path} is not an image archive: it has neither manifest.json (docker save) nor index.json (OCI layout).",
                         fix="Pass a file written by `docker save`, `skopeo copy ... oci-archive:FILE` or an OCI layout folder.")


@dataclass
class LayerBlob:
    """One layer as stored: ``stream`` yields the uncompressed tar; ``blob_bytes`` is the stored size and
    ``compression`` what the first bytes say ("none", "gzip", "zstd")."""

    name: str
    stream: object
    blob_bytes: int
    compression: str


def map_layers(image: ArchiveImage, read: Callable[[LayerBlob], T], workers: int = 1) -> list[T]:
    """``read(layer)`` for each layer of ``image``, results oldest first. Each layer is streamed from
    the archive (nothing is held but what ``read`` keeps). With ``workers`` > 1, that many layers are
    read at once, each thread with its own handle on the archive: decompressing and compressing
    (zlib, zstd) release the GIL, so a 2-core machine reads a large image about twice as fast.
    Returns a list. Raises DockerlabError for an archive that is not a readable tar file or lacks a layer its index
    names, and what ``read`` raises."""
    names = image.layer_names
    workers = max(1, min(workers, len(names)))
    if workers == 1:
        with _Container.open(image.ref.path) as container:
            return [read(container.layer(name)) for name in names]
    local, opened = threading.local(), []
    lock = threading.Lock()

    def one(name: str) -> T:
        if not hasattr(local, "container"):
            local.container = _Container(image.ref.path)
            with lock:
                opened.append(local.container)
        return read(local.container.layer(name))

    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dockerlab-layer") as pool:
            return list(pool.map(one, names))
    finally:
        for container in opened:
            container.close()


@contextmanager
def layer_again(image: ArchiveImage, name: str) -> Iterator[LayerBlob]:
    """The layer ``name`` of ``image`` opened once more, as a new uncompressed tar stream (a second pass
    over one layer: a hard link's target read again for the link's own name).
    Yields a LayerBlob. Raises DockerlabError for an archive that is not a readable tar file or lacks the layer
    ``name``."""
    with _Container.open(image.ref.path) as container:
        yield container.layer(name)


def open_layer(raw, blob_bytes: int, name: str = "layer") -> LayerBlob:
    """Wrap a stored layer blob so it reads as an uncompressed tar, by its magic bytes.
    Returns a LayerBlob. Raises DockerlabError when ``raw`` is not a file, OSError when ``raw`` cannot be read (a damaged compressed stream fails later,
    when the blob is read)."""
    if not hasattr(raw, "read"):
        raise DockerlabError(f"archive.open_layer(): raw= must be a file opened for reading in binary mode, not {type(raw).__name__}.",
                             fix="Pass the open file of the layer blob, e.g. archive.open_layer(open(path, 'rb'), size).")
    buffered = raw if hasattr(raw, "peek") else io.BufferedReader(raw)
    head = buffered.peek(4)[:4]
    if head.startswith(GZIP_MAGIC):
        return LayerBlob(name, gzip.GzipFile(fileobj=buffered, mode="rb"), blob_bytes, "gzip")
    if head.startswith(ZSTD_MAGIC):
        return LayerBlob(name, zstandard.ZstdDecompressor().stream_reader(buffered, read_across_frames=True), blob_bytes, "zstd")
    return LayerBlob(name, buffered, blob_bytes, "none")


_LAYER_TYPES = {"none": "application/vnd.oci.image.layer.v1.tar", "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
                "zstd": "application/vnd.oci.image.layer.v1.tar+zstd"}


@contextmanager
def single_image_layout(ref: ArchiveRef) -> Iterator[Path]:
    """The image ``ref`` names, alone, as a temporary OCI layout folder (removed afterwards): for tools
    that read one image per archive and no gzip-compressed archive file (syft). Blobs are copied as
    stored, one at a time, their digests computed on the way.
    Yields the folder. Raises DockerlabError for an archive that cannot be read (see :func:`read_archive`) or lacks a
    layer its index names, and OSError when the temporary folder cannot be written (a full disk)."""
    found = read_archive(ref)
    folder = Path(tempfile.mkdtemp(prefix="dockerlab-layout-"))
    try:
        (folder / "blobs" / "sha256").mkdir(parents=True)

        def copy(stream) -> tuple[str, int]:
            digest, size = hashlib.sha256(), 0
            partial = folder / "blobs" / "partial"
            with stream, open(partial, "wb") as out:
                for chunk in iter(lambda: stream.read(1 << 20), b""):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            partial.rename(folder / "blobs" / "sha256" / digest.hexdigest())
            return "sha256:" + digest.hexdigest(), size

        with _Container.open(ref.path) as container:
            layers = []
            for name in found.layer_names:
                compression = container.layer(name).compression
                digest, size = copy(container.stream(name))
                layers.append({"mediaType": _LAYER_TYPES[compression], "digest": digest, "size": size})
        config = json.dumps(found.config).encode()
        config_digest, _ = copy(io.BytesIO(config))
        manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                               "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": len(config)},
                               "layers": layers}).encode()
        manifest_digest, _ = copy(io.BytesIO(manifest))
        (folder / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest, "size": len(manifest)}]}))
        (folder / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


check_public(globals(), "archive")  # the one argument check, for every public function here
