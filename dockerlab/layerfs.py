"""The layer filesystem: an image's layers read from the engine's `docker save` stream, each layer's
files, deletions (whiteouts, opaque directories) and sizes, and the layers applied in order.

Pure where it can be (``replay`` needs no engine); :mod:`dockerlab.images` builds the image tables on
it and :mod:`dockerlab.security` its scans.
"""
from __future__ import annotations

import io
import json
import re
import tarfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import docker.errors
import requests.exceptions

from . import engine
from .errors import DockerlabError, ImageNotFound
from .labels import CREATED_LABELS

__all__ = [
    "inspect_image",
    "clean_instruction",
    "LayerFiles",
    "Examine",
    "layer_files",
    "saved_layers",
    "replay",
    "FilesystemReplay",
    "exported_files",
    "GZIP_LEVEL",
]

# Docker pushes layers gzip-compressed at Go's default level, which matches zlib's level 6.
GZIP_LEVEL = 6
_NOP = re.compile(r"^/bin/sh -c #\(nop\)\s*")
_SHELL = re.compile(r"^(?:RUN )?(\|\d+ (?:\S+=\S* )*)?/bin/sh -c ")  # classic, or BuildKit's `RUN ... # buildkit`
_BUILDKIT = re.compile(r"\s*# buildkit$")


def clean_instruction(created_by: str, comment: str = "") -> str:
    """`/bin/sh -c #(nop)  CMD ["x"]` -> `CMD ["x"]`; `/bin/sh -c apt-get ...` and BuildKit's
    `RUN |1 A=b /bin/sh -c apt-get ... # buildkit` -> `RUN apt-get ...`."""
    text = _BUILDKIT.sub("", (created_by or "").strip())
    if not text:
        return "(base layer: imported)" if "import" in (comment or "").lower() else "(base layer)"
    if _NOP.match(text):
        return _NOP.sub("", text).strip()
    if _SHELL.match(text):
        return "RUN " + _SHELL.sub("", text).strip()
    return text


def inspect_image(image: str) -> dict:
    """The engine's inspect of ``image`` (a dict, as `docker image inspect` prints it).
    Raises ImageNotFound, or DockerlabError for a name that is not valid."""
    try:
        return engine.client().api.inspect_image(image)
    except docker.errors.ImageNotFound:
        raise ImageNotFound(image) from None
    except docker.errors.APIError as error:
        raise DockerlabError(
            f"Cannot inspect the image {image!r}: {error.explanation or error}",
            fix="An image name is lowercase letters, digits and the separators . _ - / : (for example myapp:1.0).",
        ) from None


@dataclass
class LayerFiles:
    """What one layer tar holds: regular files and links with sizes, and whiteouts (deletions)."""

    instruction: str
    files: dict[str, int] = field(default_factory=dict)
    whiteouts: list[str] = field(default_factory=list)
    opaque_dirs: list[str] = field(default_factory=list)
    compressed_bytes: int = 0
    uncompressed_bytes: int = 0
    special_modes: dict[str, int] = field(default_factory=dict)  # files with setuid/setgid bits: path -> mode
    examined: dict[str, object] = field(default_factory=dict)  # path -> what an `examine` hook returned


# examine(path, size, read) -> something to keep for that file, or None. `read()` gives its bytes.
Examine = Callable[[str, int, Callable[[], bytes]], object]


class _CountingCompressor(io.RawIOBase):
    """Reads a stream while gzip-compressing it in memory to count the compressed bytes."""

    def __init__(self, source, compress: bool = True) -> None:
        self._source = source
        self._compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31) if compress else None
        self.compressed = 0
        self.raw = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._source.read(len(buffer))
        if not chunk:
            return 0
        self.raw += len(chunk)
        if self._compressor:
            self.compressed += len(self._compressor.compress(chunk))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def finish(self) -> None:
        while self.readinto(bytearray(1 << 20)):
            pass
        if self._compressor:
            self.compressed += len(self._compressor.flush())


def _absolute(member_name: str) -> str:
    """'./usr/bin/' or 'usr/bin' -> '/usr/bin' (a name such as '.wh.big' keeps its dots)."""
    name = member_name[2:] if member_name.startswith("./") else member_name
    return "/" + name.strip("/")


def _read_layer(stream, list_files: bool, examine: Examine | None = None) -> LayerFiles:
    counter = _CountingCompressor(stream, compress=examine is None)  # examining needs no compressed size
    layer = LayerFiles(instruction="")
    if list_files or examine:
        with tarfile.open(fileobj=counter, mode="r|") as archive:
            for member in archive:
                path = _absolute(member.name)
                directory, _, name = path.rpartition("/")
                if name == ".wh..wh..opq":
                    layer.opaque_dirs.append(directory or "/")
                elif name.startswith(".wh."):
                    layer.whiteouts.append(f"{directory}/{name[4:]}")
                elif not member.isdir():
                    layer.files[path] = member.size
                    if member.mode & 0o6000 and member.isfile():
                        layer.special_modes[path] = member.mode
                    if examine and member.isfile():
                        found = examine(path, member.size, lambda member=member: archive.extractfile(member).read())
                        if found is not None:
                            layer.examined[path] = found
    counter.finish()
    layer.compressed_bytes = counter.compressed
    layer.uncompressed_bytes = counter.raw
    return layer


# Images are immutable, so what was read for an image id stays true: read each image once.
_saved_cache: dict[tuple[str, bool], list[LayerFiles]] = {}


def layer_files(image: str, examine: Examine | None = None) -> list[LayerFiles]:
    """Every layer of ``image``, oldest first: its files, deletions, setuid/setgid files, and what
    ``examine(path, size, read)`` kept for each file (read each image's bytes once per call).
    With ``examine``, compressed sizes are not measured (they stay 0)."""
    if examine is None:
        return saved_layers(image, list_files=True)
    return _read_saved_image(inspect_image(image)["Id"], True, examine)


@dataclass
class FilesystemReplay:
    """The image's layers applied in order: what is visible at the end and what a later layer removed."""

    visible: dict[str, tuple[int, int]]  # path -> (layer index that wrote it, size)
    removed: list[tuple[str, int, int, int, str]]  # (path, size, written in, removed in, "deleted"/"overwritten")
    sizes_seen: dict[str, list[int]]


def _parents(path: str) -> list[str]:
    """'/a/b/c' -> ['/a/b', '/a']."""
    parents = []
    parent = path.rpartition("/")[0]
    while parent:
        parents.append(parent)
        parent = parent.rpartition("/")[0]
    return parents


def replay(saved: list[LayerFiles]) -> FilesystemReplay:
    """Apply the layers in order, as the engine's overlay filesystem does (pure: no engine), by the OCI
    image spec's rules for a changeset: an opaque directory hides everything below it; a whiteout
    deletes its path and everything below it; a file (or link) written where a directory was replaces
    the directory and all it held; a file written below a path that was a file replaces that file."""
    replaying = _Replay()
    for index, layer in enumerate(saved):
        replaying.apply(index, layer)
    return replaying.state


class _Replay:
    def __init__(self) -> None:
        self.state = FilesystemReplay({}, [], {})
        self.directories: set[str] = set()  # every directory a visible path was written under (a fast "maybe")

    def remove(self, path: str, layer_index: int, kind: str) -> None:
        written_in, size = self.state.visible.pop(path)
        self.state.removed.append((path, size, written_in, layer_index, kind))
        self.state.sizes_seen[path].append(0)

    def remove_below(self, prefix: str, layer_index: int) -> None:
        for path in [p for p in self.state.visible if p.startswith(prefix)]:
            self.remove(path, layer_index, "deleted")

    def apply(self, index: int, layer: LayerFiles) -> None:
        visible = self.state.visible
        for directory in layer.opaque_dirs:
            self.remove_below(directory.rstrip("/") + "/", index)
        for gone in layer.whiteouts:
            if gone in visible:
                self.remove(gone, index, "deleted")
            if gone in self.directories:
                self.remove_below(gone.rstrip("/") + "/", index)
        for path, size in layer.files.items():
            if path in self.directories:  # a directory replaced by a file or a link
                self.remove_below(path + "/", index)
            for parent in _parents(path):
                if parent in visible:  # a file replaced by a directory
                    self.remove(parent, index, "deleted")
                self.directories.add(parent)
            if path in visible:
                written_in, old_size = visible[path]
                self.state.removed.append((path, old_size, written_in, index, "overwritten"))
            visible[path] = (index, size)
            self.state.sizes_seen.setdefault(path, []).append(size)


def saved_layers(image: str, list_files: bool = False) -> list[LayerFiles]:
    """Stream `docker save` once (cached per image id): per layer, its compressed size and (optionally) its files."""
    image_id = inspect_image(image)["Id"]
    for key in ((image_id, list_files), (image_id, True)):
        if key in _saved_cache:
            return _saved_cache[key]
    _saved_cache[(image_id, list_files)] = _read_saved_image(image_id, list_files)
    return _saved_cache[(image_id, list_files)]


def _read_saved_image(image: str, list_files: bool, examine: Examine | None = None) -> list[LayerFiles]:
    try:
        chunks = engine.client().api.get_image(image)  # `docker save`, streamed, through the SDK's public API
    except (docker.errors.APIError, requests.exceptions.RequestException) as error:
        raise DockerlabError(f"Could not read the layers of {image}: {error}", fix="Check that the engine is running and has disk space.") from None
    by_name: dict[str, LayerFiles] = {}
    small_files: dict[str, bytes] = {}
    with tarfile.open(fileobj=_IterStream(chunks), mode="r|") as saved:
        for member in saved:
            if not member.isfile():
                continue
            handle = saved.extractfile(member)
            if member.name.endswith(".json") or member.name == "repositories" or member.size < 64 * 1024 and not member.name.endswith("layer.tar"):
                small_files[member.name] = handle.read()
                continue
            by_name[member.name] = _read_layer(handle, list_files, examine)
    manifest = json.loads(small_files["manifest.json"])[0]
    config = json.loads(small_files[manifest["Config"]])
    instructions = [
        clean_instruction(entry.get("created_by", ""), entry.get("comment", ""))
        for entry in config.get("history", [])
        if not entry.get("empty_layer")
    ]
    result = []
    for index, name in enumerate(manifest["Layers"]):
        layer = by_name.get(name)
        if layer is None:  # a tiny layer read as a small file
            layer = _read_layer(io.BytesIO(small_files[name]), list_files, examine)
        layer.instruction = instructions[index] if index < len(instructions) else "(layer)"
        result.append(layer)
    return result


def exported_files(image: str) -> dict[str, tuple[int, str]]:
    """path -> (size, kind) of the image's flattened filesystem, via a created (never started) container."""
    client = engine.client()
    container = client.api.create_container(inspect_image(image)["Id"], command=["true"], labels=CREATED_LABELS)
    try:
        stream = client.api.export(container["Id"])
        raw = _IterStream(stream)
        listing: dict[str, tuple[int, str]] = {}
        with tarfile.open(fileobj=raw, mode="r|") as archive:
            for member in archive:
                kind = "dir" if member.isdir() else "link" if member.issym() or member.islnk() else "file"
                listing[_absolute(member.name)] = (member.size, kind)
        return listing
    finally:
        client.api.remove_container(container["Id"], force=True, v=True)


class _IterStream(io.RawIOBase):
    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)
        self._rest = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._rest:
            try:
                self._rest = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._rest))
        buffer[:size], self._rest = self._rest[:size], self._rest[size:]
        return size
