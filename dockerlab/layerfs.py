"""The layer filesystem: an image's layers, each layer's files, deletions (whiteouts, opaque
directories) and sizes, and the layers applied in order.

An image is an engine image name or an image archive (a `docker save` file of any Docker version, an
OCI archive or layout folder: :mod:`dockerlab.archive`). An engine image is read from its
`docker save` stream (the SDK's public ``Image.save``), spooled to a temporary file and read like
any archive: one reader, keyed by the archive's own index. Pure where it can be (``replay`` needs no
engine); :mod:`dockerlab.images` builds the image tables on it and :mod:`dockerlab.security` its scans.
"""
from __future__ import annotations

import datetime
import io
import os
import re
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import docker.errors
import requests.exceptions
from zstandard import ZstdError

from . import engine, recording
from .archive import ArchiveImage, ArchiveRef, LayerBlob, archive_ref, layer_again, map_layers, read_archive
from .diagnose import diagnose
from .errors import DockerlabError, ImageNotFound
from .interrupts import scratch_container
from .recording.arguments import check_public
from .recording import checked

__all__ = [
    "inspect_image",
    "image_history",
    "image_files",
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
_SHELL = re.compile(r"^(?:RUN )?(\|\d+ .*?)?/bin/sh -c ")  # classic, or BuildKit's `RUN ... # buildkit` (an argument's value may hold spaces)
_BUILDKIT = re.compile(r"\s*# buildkit$")


def clean_instruction(created_by: str, comment: str = "") -> str:
    """`/bin/sh -c #(nop)  CMD ["x"]` -> `CMD ["x"]`; `/bin/sh -c apt-get ...` and BuildKit's
    `RUN |1 A=b /bin/sh -c apt-get ... # buildkit` -> `RUN apt-get ...`. Returns a str. Raises nothing."""
    text = _BUILDKIT.sub("", (created_by or "").strip())
    if not text:
        return "(base layer: imported)" if "import" in (comment or "").lower() else "(base layer)"
    if _NOP.match(text):
        return _NOP.sub("", text).strip()
    if _SHELL.match(text):
        return "RUN " + _SHELL.sub("", text).strip()
    return text


@checked("layerfs.inspect_image")
def inspect_image(image: str | os.PathLike) -> dict:
    """The engine's inspect of ``image`` (a dict, as `docker image inspect` prints it). For an image
    archive, the same keys read from its config: Id (the config digest), RepoTags, Created,
    Architecture, Os, Config, RootFS, and Size (bytes: the layers' file contents, as the engine counts
    them), plus Source (the archive). Raises ImageNotFound, or DockerlabError for a name that is not
    valid or an archive that cannot be read."""
    ref = archive_ref(image)
    if ref is not None:
        return _inspect_archive(ref)
    try:
        return engine.client().api.inspect_image(image)
    except docker.errors.APIError as error:
        raise image_refusal(image, error) or DockerlabError(
            f"Cannot inspect the image {image!r}: {error.explanation or error}", fix="Check the name with `docker images`.") from None


def image_refusal(image, error: docker.errors.APIError) -> DockerlabError | None:
    """What the engine's refusal of ``image`` means, when it is about the name: the name is not valid
    (dockerlab.diagnose's rule), or there is no such image, and then, when ``image`` is a path to a
    file or folder here, that it is not an image archive (nor an image name).

    Returns:
        The learner's error, or None when the refusal is about something else (the caller says what)."""
    said = str(getattr(error, "explanation", None) or error)
    found = diagnose(said, "run")
    if found.rule == "invalid-reference":  # the engine prefixes "no such image: NAME:", which misleads
        why = said.split("invalid reference format", 1)[1].lstrip(": ") if "invalid reference format" in said else ""
        return DockerlabError(f"{image!r} is not a valid image name" + (f": {why}." if why else "."), fix=found.fix)
    if not isinstance(error, docker.errors.ImageNotFound):
        return None
    path = os.fspath(image)
    if ("/" in path or os.sep in path) and os.path.exists(path):
        return DockerlabError(f"{path!r} is a {'folder' if os.path.isdir(path) else 'file'} here that is not an image archive (nor an image name).",
                              fix="Pass an image name (`docker images` lists them, e.g. alpine:3.20) or an image archive: "
                                  "a .tar made by `docker save IMAGE -o FILE.tar`, or a folder holding an OCI layout.")
    return ImageNotFound(image)


def _inspect_archive(ref: ArchiveRef) -> dict:
    found = _archive_image(ref)
    config = found.config
    return {
        "Id": found.image_id,
        "RepoTags": found.repo_tags,
        "RepoDigests": [],
        "Created": config.get("created", ""),
        "Architecture": config.get("architecture", ""),
        "Os": config.get("os", ""),
        "Config": config.get("config") or {},
        "RootFS": {"Type": "layers", "Layers": (config.get("rootfs") or {}).get("diff_ids", [])},
        "Size": sum(layer.content_bytes for layer in saved_layers(ref, list_files=True)),
        "Source": str(ref),
    }


_archives: dict[tuple, ArchiveImage] = {}


def _archive_image(ref: ArchiveRef) -> ArchiveImage:
    if ref.key not in _archives:
        _archives[ref.key] = read_archive(ref)
    return _archives[ref.key]


@checked("layerfs.image_history")
def image_history(image: str | os.PathLike) -> list[dict]:
    """`docker history` of ``image`` as the engine's API returns it (newest first; keys Id, Created
    (seconds since the epoch), CreatedBy, Comment, Size (bytes)). For an archive it is read from the
    config's history, each layer's size counted from its files as the engine counts them.
    Returns a list of dicts. Raises ImageNotFound, DockerUnavailable when no engine answers, and DockerlabError for a
    name that is not valid or an archive (or one of its layers) that cannot be read."""
    ref = archive_ref(image)
    if ref is None:
        inspect_image(image)  # ImageNotFound first
        return engine.client().api.history(image)
    found = _archive_image(ref)
    sizes = iter([layer.content_bytes for layer in saved_layers(ref, list_files=True)])
    entries = found.config.get("history") or [{} for _ in found.layer_names]
    rows = []
    for entry in entries:
        created = entry.get("created") or ""
        rows.append({
            "Id": "<missing>",
            "Created": _epoch(created),
            "CreatedBy": entry.get("created_by", ""),
            "Comment": entry.get("comment", ""),
            "Size": 0 if entry.get("empty_layer") else next(sizes, 0),
        })
    if rows:
        rows[-1]["Id"] = found.image_id
    return rows[::-1]


def _epoch(created: str) -> int:
    if not created:
        return 0
    text = re.sub(r"(\.\d{6})\d+", r"\1", created.replace("Z", "+00:00"))  # RFC 3339 with nanoseconds
    try:
        return int(datetime.datetime.fromisoformat(text).timestamp())
    except ValueError:
        return 0


@dataclass
class LayerFiles:
    """What one layer tar holds: regular files and links with sizes, and whiteouts (deletions)."""

    instruction: str
    files: dict[str, int] = field(default_factory=dict)
    whiteouts: list[str] = field(default_factory=list)
    opaque_dirs: list[str] = field(default_factory=list)
    compressed_bytes: int = 0
    uncompressed_bytes: int = 0  # the layer tar's bytes
    special_modes: dict[str, int] = field(default_factory=dict)  # files with setuid/setgid bits: path -> mode
    examined: dict[str, object] = field(default_factory=dict)  # path -> what an `examine` hook returned
    content_bytes: int = 0  # the regular files' bytes (a hard link counts once): the size `docker history` shows
    compressed_measured: bool = False  # True: compressed_bytes is the stored blob's size; False: gzip -6 of the tar, estimated
    compression: str = "none"  # how the layer is stored: none, gzip or zstd (from its first bytes)
    links: set[str] = field(default_factory=set)  # symbolic and hard links among ``files``
    dirs: list[str] = field(default_factory=list)  # directory entries: each hides a file (or link) below at its path
    hardlinks: dict[str, str] = field(default_factory=dict)  # hard link -> its target in this layer (the same file)


# examine(path, size, read) -> something to keep for that file, or None. `read()` gives its bytes.
Examine = Callable[[str, int, Callable[[], bytes]], object]


_SKIP_BUFFER = 1 << 16


class _CountingCompressor(io.RawIOBase):
    """Reads a stream while gzip-compressing it in memory to count the compressed bytes."""

    def __init__(self, source, compress: bool = True) -> None:
        self._source = source
        self._compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31) if compress else None
        self.passthrough = not compress
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


def _read_layer(blob: LayerBlob, list_files: bool, examine: Examine | None = None,
                again: Callable[[], AbstractContextManager[LayerBlob]] | None = None) -> LayerFiles:
    """Read one layer once: its files (when asked), content bytes and, for a plain tar, its gzip size.
    With ``examine``, a hard link is examined under its own name with its target's bytes: ``again()``
    opens the layer once more to read the targets (a streamed tar cannot go back); without it a link
    only carries what its target's examination found."""
    stored_compressed = blob.compression != "none"
    # One question per pass: listing files (waste, secrets, audit) does not also estimate gzip sizes.
    counter = _CountingCompressor(blob.stream, compress=not (examine or list_files or stored_compressed))
    layer = LayerFiles(instruction="", compression=blob.compression)
    # A streamed tar skips the bytes of a file nobody reads by reading them in `bufsize` pieces: with
    # tarfile's 10 KiB that was most of find_secrets' time on a 1 GB layer; 64 KiB reads it in about
    # half the time (1 MiB is slower again: tarfile copies its whole buffer for every 512-byte header;
    # benchmarks/find_secrets.py). The gzip estimate keeps the pieces it was measured with.
    with tarfile.open(fileobj=counter, mode="r|", bufsize=_SKIP_BUFFER if counter.passthrough else tarfile.RECORDSIZE) as archive:
        for member in archive:
            if member.isreg():
                layer.content_bytes += member.size
            if not (list_files or examine):
                continue
            _list_member(layer, archive, member, examine)
    counter.finish()
    if examine and again is not None:
        _examine_links(layer, examine, again)
    layer.compressed_bytes = blob.blob_bytes if stored_compressed else counter.compressed
    layer.compressed_measured = stored_compressed
    layer.uncompressed_bytes = counter.raw
    return layer


def _list_member(layer: LayerFiles, archive: tarfile.TarFile, member: tarfile.TarInfo, examine: Examine | None) -> None:
    path = _absolute(member.name)
    directory, _, name = path.rpartition("/")
    if name == ".wh..wh..opq":
        layer.opaque_dirs.append(directory or "/")
    elif name.startswith(".wh."):
        layer.whiteouts.append(f"{directory}/{name[4:]}")
    elif member.isdir():
        layer.dirs.append(path)
    else:
        layer.files[path] = member.size  # a hard link's member has size 0: its bytes are the target's
        if member.issym() or member.islnk():
            layer.links.add(path)
        if member.islnk():
            target = _absolute(member.linkname)
            layer.hardlinks[path] = target
            if target in layer.examined:  # the same file under another name: what its content showed, it shows here
                layer.examined[path] = layer.examined[target]
        if member.mode & 0o6000 and member.isfile():
            layer.special_modes[path] = member.mode
        if member.islnk() and target in layer.special_modes:  # one file, one mode: setuid under every name
            layer.special_modes[path] = layer.special_modes[target]
        if examine and member.isfile():
            found = examine(path, member.size, lambda member=member: archive.extractfile(member).read())
            if found is not None:
                layer.examined[path] = found


def _examine_links(layer: LayerFiles, examine: Examine, again: Callable[[], AbstractContextManager[LayerBlob]]) -> None:
    """Examine each hard link as the file it is under its own name (a `.env` that is a link to
    another file is a `.env`): a second pass over the layer reads each target's bytes once, stopping
    after the last target."""
    links: dict[str, list[str]] = {}
    for link, target in layer.hardlinks.items():
        if target in layer.files and target not in layer.hardlinks:
            links.setdefault(target, []).append(link)
        else:
            layer.examined.pop(link, None)  # a target outside this layer: nothing of it was read here
    if not links:
        return
    with again() as blob, tarfile.open(fileobj=blob.stream, mode="r|", bufsize=_SKIP_BUFFER) as archive:
        for member in archive:
            target = _absolute(member.name)
            if target not in links or not member.isfile():
                continue
            data: list[bytes] = []

            def read(member=member, data=data) -> bytes:
                if not data:
                    data.append(archive.extractfile(member).read())
                return data[0]

            for link in links.pop(target):
                found = examine(link, member.size, read)
                if found is None:
                    layer.examined.pop(link, None)
                else:
                    layer.examined[link] = found
            if not links:
                break


# Images are immutable, so what was read for an image id (or an unchanged archive) stays true.
_saved_cache: dict[tuple, list[LayerFiles]] = {}


def _identity(image) -> tuple:
    ref = archive_ref(image)
    return ("archive", *ref.key) if ref is not None else ("engine", inspect_image(image)["Id"])


def layer_files(image, examine: Examine | None = None) -> list[LayerFiles]:
    """Every layer of ``image`` (a name or an archive), oldest first: its files, deletions,
    setuid/setgid files, and what ``examine(path, size, read)`` kept for each file (each layer read
    once per call, one file's bytes at a time). A plain layer's compressed size is not estimated
    here (it stays 0: :func:`saved_layers` without ``list_files`` answers that question).
    Returns a list of LayerFiles. Raises what :func:`saved_layers` raises, and what ``examine`` raises."""
    if examine is None:
        return saved_layers(image, list_files=True)
    return _read_image(image, True, examine)


@dataclass
class FilesystemReplay:
    """The image's layers applied in order: what is visible at the end and what a later layer removed.

    ``removed`` lists the files whose bytes no name reaches any more (wasted); ``unlinked`` the names
    removed while a hard link still reaches the same file (path, written in, removed in): nothing of
    those is wasted, a container reads the bytes through the other name."""

    visible: dict[str, tuple[int, int]]  # path -> (layer index that wrote it, size)
    removed: list[tuple[str, int, int, int, str]]  # (path, size, written in, removed in, "deleted"/"overwritten")
    sizes_seen: dict[str, list[int]]
    unlinked: list[tuple[str, int, int]] = field(default_factory=list)


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
    the directory and all it held; a directory (its entry, or an opaque marker) or a file written at or
    below a path that was a file (or link) replaces that file. A hard link is its target under another
    name (the target's size, in the same layer): removing one name wastes nothing while another name
    still reaches the file. Returns a FilesystemReplay. Raises nothing."""
    replaying = _Replay()
    for index, layer in enumerate(saved):
        replaying.apply(index, layer)
    return replaying.state


class _Replay:
    def __init__(self) -> None:
        self.state = FilesystemReplay({}, [], {})
        self.directories: set[str] = set()  # every directory a visible path was written under (a fast "maybe")
        self.file_of: dict[str, tuple[int, str]] = {}  # visible path -> its file: (layer, first name in that layer)
        self.names: dict[tuple[int, str], set[str]] = {}  # a file -> the visible names that reach it

    def drop(self, path: str, layer_index: int, kind: str) -> bool:
        """Take ``path`` out of the visible tree; True when that was the file's last name (its bytes are wasted)."""
        written_in, size = self.state.visible.pop(path)
        same = self.file_of.pop(path)
        names = self.names[same]
        names.discard(path)
        if names:
            self.state.unlinked.append((path, written_in, layer_index))
            return False
        self.state.removed.append((path, size, written_in, layer_index, kind))
        if same[1] != path:  # the last name was a hard link: the bytes were counted under the first name
            self.state.sizes_seen[same[1]].append(0)
        return True

    def remove(self, path: str, layer_index: int, kind: str) -> None:
        if self.drop(path, layer_index, kind):
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
        for directory in [*layer.opaque_dirs, *layer.dirs]:
            directory = directory.rstrip("/") or "/"
            if directory in visible:  # a file (or link) replaced by a directory
                self.remove(directory, index, "deleted")
            self.directories.add(directory)
        for path, size in layer.files.items():
            if path in self.directories:  # a directory replaced by a file or a link
                self.remove_below(path + "/", index)
            for parent in _parents(path):
                if parent in visible:  # a file replaced by a directory
                    self.remove(parent, index, "deleted")
                self.directories.add(parent)
            target = layer.hardlinks.get(path)
            same = (index, target) if target in layer.files and target != path else (index, path)
            carried = layer.files[target] if same[1] != path else size
            if path in visible:
                self.drop(path, index, "overwritten")
            visible[path] = (index, carried)
            self.file_of[path] = same
            self.names.setdefault(same, set()).add(path)
            self.state.sizes_seen.setdefault(path, []).append(size)  # a hard link's member holds no bytes


def saved_layers(image, list_files: bool = False) -> list[LayerFiles]:
    """Each layer of ``image`` (a name or an archive), oldest first, read once per question and cached
    per image: its content bytes and either its compressed size (measured for a compressed blob,
    estimated as gzip -6 for a plain tar) or, with ``list_files``, its files (a plain layer's
    compressed size is then not estimated: it stays 0, ``compressed_measured`` False).
    Returns a list of LayerFiles. Raises ImageNotFound, DockerUnavailable when no engine answers, and DockerlabError for
    a name that is not valid, a `docker save` that fails, or an archive (or one of its layers) that cannot be read."""
    key = (_identity(image), list_files)
    if key not in _saved_cache:
        _saved_cache[key] = _read_image(image, list_files)
    return _saved_cache[key]


def _read_image(image, list_files: bool, examine: Examine | None = None) -> list[LayerFiles]:
    with _opened(image) as found:
        instructions = [
            clean_instruction(entry.get("created_by", ""), entry.get("comment", ""))
            for entry in found.config.get("history", [])
            if not entry.get("empty_layer")
        ]
        def read(blob: LayerBlob) -> LayerFiles:
            try:
                return _read_layer(blob, list_files, examine, again=lambda: layer_again(found, blob.name))
            except (tarfile.TarError, OSError, EOFError, ValueError, zlib.error, ZstdError) as error:  # damaged or truncated data
                position = found.layer_names.index(blob.name) + 1
                raise DockerlabError(f"Layer {position} of {image} ({blob.name}, {blob.compression}) cannot be read: {error}",
                                     fix="The archive is damaged or truncated: make it again.") from None

        # Two layers at once where it pays (estimating gzip sizes); examining holds one file's bytes at a time.
        result = map_layers(found, read, workers=1 if examine else min(2, os.cpu_count() or 1))
        for index, layer in enumerate(result):
            layer.instruction = instructions[index] if index < len(instructions) else "(layer)"
        return result


@contextmanager
def _opened(image) -> Iterator[ArchiveImage]:
    """The image as an archive: the archive itself, or the engine's `docker save` spooled to a temporary file."""
    ref = archive_ref(image)
    if ref is not None:
        yield _archive_image(ref)
        return
    image_id = inspect_image(image)["Id"]
    spool = tempfile.NamedTemporaryFile(prefix="dockerlab-save-", suffix=".tar", delete=False)
    try:
        try:
            with spool:
                for chunk in engine.client().images.get(image_id).save(named=False):  # `docker save`, the SDK's public API
                    spool.write(chunk)
        except (docker.errors.APIError, requests.exceptions.RequestException, OSError) as error:
            disk = isinstance(error, OSError) and error.errno == 28
            raise DockerlabError(f"Could not read the layers of {image}: {error}",
                                 fix="Free disk space in " + tempfile.gettempdir() if disk
                                 else "Check that the engine is running (`dockerlab doctor`).") from None
        yield read_archive(ArchiveRef(Path(spool.name), None, "docker-archive"))
    finally:
        os.unlink(spool.name)


def image_files(image) -> dict[str, tuple[int, str]]:
    """path -> (size in bytes, kind: "file", "link" or "dir") of the image's final filesystem. An engine
    image is exported through a created (never started) container, so the engine applies the layers;
    an archive's layers are applied here by :func:`replay` (then only folders that hold something are listed).
    Returns a dict. Raises what :func:`exported_files` raises for an engine image, and DockerlabError for an archive (or
    one of its layers) that cannot be read."""
    ref = archive_ref(image)
    if ref is None:
        return exported_files(image)
    saved = saved_layers(ref, list_files=True)
    visible = replay(saved).visible
    listing = {parent: (0, "dir") for path in visible for parent in _parents(path)}
    # As `docker export` lists them: a hard link's member holds no bytes (its target's member does).
    listing.update({path: (0 if path in saved[written].hardlinks else size, "link" if path in saved[written].links else "file")
                    for path, (written, size) in visible.items()})
    return listing


def exported_files(image: str) -> dict[str, tuple[int, str]]:
    """path -> (size, kind) of the image's flattened filesystem, via a created (never started) container.
    Returns a dict. Raises ImageNotFound, DockerUnavailable when no engine answers, DockerlabError for a name that is
    not valid, and the engine's own docker.errors.APIError (or a requests error) when it cannot create or export the
    container."""
    client = engine.client()
    with scratch_container(client, inspect_image(image)["Id"]) as container_id:
        stream = client.api.export(container_id)
        raw = _IterStream(stream)
        listing: dict[str, tuple[int, str]] = {}
        with tarfile.open(fileobj=raw, mode="r|") as archive:
            for member in archive:
                kind = "dir" if member.isdir() else "link" if member.issym() or member.islnk() else "file"
                listing[_absolute(member.name)] = (member.size, kind)
        return listing


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


def _names_an_archive(arguments: tuple, keywords: dict) -> bool:
    values = list(arguments) + list(keywords.values())
    values += [item for value in values if isinstance(value, (list, tuple)) for item in value]
    try:
        return any(isinstance(value, (str, os.PathLike)) and archive_ref(value) is not None for value in values)
    except DockerlabError:
        return True  # a missing archive: the call itself says so, in every mode


recording.use_engine_free_inputs(_names_an_archive)


check_public(globals(), "layerfs")  # the one argument check, for every public function here
