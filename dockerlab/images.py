"""Look inside images: layers, sizes (also compressed, as a registry sends them), differences, waste.

Everything here reads what the engine reports (`history`, `inspect`) or the image's own layer
tars as `docker save` streams them; nothing is estimated.
"""
from __future__ import annotations

import io
import json
import re
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import docker.errors
import requests.exceptions

from . import engine
from .builder import dockerfile_text
from .catalogue import built_on_standin
from .errors import DockerlabError, ImageNotFound
from .labels import CREATED_LABELS
from .recording import recordable
from .units import format_bytes

__all__ = [
    "file_size",
    "image_id",
    "remove",
    "dockerfile_layers",
    "layers",
    "layers_from_history",
    "clean_instruction",
    "image_size",
    "compare",
    "diff",
    "wasted_space",
    "WastedSpace",
    "waste_from_layers",
    "LayerFiles",
    "layer_files",
    "replay",
    "FilesystemReplay",
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


def _image_not_found(image: str) -> DockerlabError:
    return ImageNotFound(image)


def _inspect(image: str) -> dict:
    try:
        return engine.client().api.inspect_image(image)
    except docker.errors.ImageNotFound:
        raise _image_not_found(image) from None
    except docker.errors.APIError as error:
        raise DockerlabError(
            f"Cannot inspect the image {image!r}: {error.explanation or error}",
            fix="An image name is lowercase letters, digits and the separators . _ - / : (for example myapp:1.0).",
        ) from None


@recordable("file_size")
def file_size(image: str, path: str) -> int:
    """Bytes of one file inside ``image`` (read through a created, never started, container)."""
    client = engine.client()
    container = client.api.create_container(_inspect(image)["Id"], command=["true"], labels=CREATED_LABELS)
    try:
        stream, stat = client.api.get_archive(container["Id"], path)
        for _ in stream:
            pass
        return int(stat["size"])
    except docker.errors.NotFound:
        raise DockerlabError(f"There is no {path} in {image}.", fix="Check the path (the Dockerfile's WORKDIR and COPY lines).") from None
    finally:
        client.api.remove_container(container["Id"], force=True, v=True)


@recordable("image_id")
def image_id(image: str) -> str:
    """The image's id (sha256:...): the same id means the same bytes."""
    return _inspect(image)["Id"]


@recordable("remove")
def remove(image: str) -> None:
    """Remove a tag (like `docker rmi`); the image goes when no tag or container uses it."""
    try:
        engine.client().api.remove_image(image)
    except docker.errors.ImageNotFound:
        raise _image_not_found(image) from None
    except docker.errors.APIError as error:
        raise DockerlabError(f"Cannot remove {image}: {error.explanation}", fix="Remove the containers that use it first (dl.cleanup()).") from None


def _dockerfile_instructions(text: str) -> list[str]:
    """The Dockerfile's instructions, one per entry, continuation lines joined, comments left out."""
    instructions, current = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if current and line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        instructions.append((current + line).strip())
        current = ""
    if current:
        instructions.append(current.strip())
    return instructions


@recordable("dockerfile_layers")
def dockerfile_layers(dockerfile: str | Path, image: str):
    """Each line of a single-stage Dockerfile beside the layer it made in ``image`` (with its size)."""
    import pandas as pd

    text = dockerfile_text(Path("."), dockerfile)[0]  # a path, or the Dockerfile text itself
    instructions = _dockerfile_instructions(text)
    history = layers(image)
    own = history[~history["instruction"].str.startswith("LABEL " + "org.dockerlab.course")]
    made = own.tail(len(instructions) - 1)  # FROM makes no layer of its own: it is the base's layers
    base = own.iloc[: len(own) - len(made)]
    with_files = int((base["size"] > 0).sum())
    rows = [{"Dockerfile line": instructions[0], "layer": f"the base image's layers ({with_files} with files)", "size": int(base["size"].sum())}]
    for line, (_, layer) in zip(instructions[1:], made.iterrows()):
        rows.append({"Dockerfile line": line, "layer": layer["instruction"], "size": int(layer["size"])})
    return pd.DataFrame(rows)


def layers_from_history(history: list[dict]):
    """The `layers` table from `history` JSON (newest first, as the engine returns it)."""
    import pandas as pd

    rows = []
    cumulative = 0
    for entry in reversed(history):
        size = int(entry.get("Size", 0))
        cumulative += size
        rows.append(
            {
                "instruction": clean_instruction(entry.get("CreatedBy", ""), entry.get("Comment", "")),
                "size": size,
                "cumulative_size": cumulative,
                "created": pd.to_datetime(entry.get("Created", 0), unit="s", utc=True),
                "id": entry.get("Id", "<missing>"),
            }
        )
    return pd.DataFrame(rows, columns=["instruction", "size", "cumulative_size", "created", "id"])


@recordable("layers")
def layers(image: str):
    """One row per layer, oldest first: instruction, size, cumulative size, created (as `docker history`)."""
    _inspect(image)
    table = layers_from_history(engine.client().api.history(image))
    table.attrs["image"] = image
    return table


# --- the image's own layer tars, streamed from `docker save` ---------------------------------


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
                        found = examine(path, member.size, lambda: archive.extractfile(member).read())
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
        return _saved_layers(image, list_files=True)
    return _read_saved_image(_inspect(image)["Id"], True, examine)


@dataclass
class FilesystemReplay:
    """The image's layers applied in order: what is visible at the end and what a later layer removed."""

    visible: dict[str, tuple[int, int]]  # path -> (layer index that wrote it, size)
    removed: list[tuple[str, int, int, int, str]]  # (path, size, written in, removed in, "deleted"/"overwritten")
    sizes_seen: dict[str, list[int]]


def replay(saved: list[LayerFiles]) -> FilesystemReplay:
    """Apply the layers in order, as the engine's overlay filesystem does (pure: no engine)."""
    state = FilesystemReplay({}, [], {})

    def remove(path: str, layer_index: int, kind: str) -> None:
        written_in, size = state.visible.pop(path)
        state.removed.append((path, size, written_in, layer_index, kind))
        state.sizes_seen[path].append(0)

    for index, layer in enumerate(saved):
        for directory in layer.opaque_dirs:
            prefix = directory.rstrip("/") + "/"
            for path in [p for p in state.visible if p.startswith(prefix)]:
                remove(path, index, "deleted")
        for gone in layer.whiteouts:
            prefix = gone.rstrip("/") + "/"
            for path in [p for p in state.visible if p == gone or p.startswith(prefix)]:
                remove(path, index, "deleted")
        for path, size in layer.files.items():
            if path in state.visible:
                written_in, old_size = state.visible[path]
                state.removed.append((path, old_size, written_in, index, "overwritten"))
            state.visible[path] = (index, size)
            state.sizes_seen.setdefault(path, []).append(size)
    return state


def _saved_layers(image: str, list_files: bool = False) -> list[LayerFiles]:
    """Stream `docker save` once: per layer, its compressed size and (optionally) its files."""
    image_id = _inspect(image)["Id"]
    for key in ((image_id, list_files), (image_id, True)):
        if key in _saved_cache:
            return _saved_cache[key]
    _saved_cache[(image_id, list_files)] = _read_saved_image(image_id, list_files)
    return _saved_cache[(image_id, list_files)]


def _read_saved_image(image: str, list_files: bool, examine: Examine | None = None) -> list[LayerFiles]:
    client = engine.client()
    try:
        response = client.api._get(client.api._url("/images/{0}/get", image), stream=True)
        client.api._raise_for_status(response)
    except (docker.errors.APIError, requests.exceptions.RequestException) as error:
        raise DockerlabError(f"Could not read the layers of {image}: {error}", fix="Check that the engine is running and has disk space.") from None
    response.raw.decode_content = True
    by_name: dict[str, LayerFiles] = {}
    small_files: dict[str, bytes] = {}
    with tarfile.open(fileobj=response.raw, mode="r|") as saved:
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


@recordable("image_size")
def image_size(image: str, compressed: bool = False) -> int:
    """Bytes: the engine's uncompressed size, or the gzip-compressed size of its layers (what a pull downloads)."""
    if not compressed:
        return int(_inspect(image)["Size"])
    return sum(layer.compressed_bytes for layer in _saved_layers(image))


@recordable("compare")
def compare(*images: str, compressed: bool = True):
    """A row per image: size, compressed size, layers, stand-in flag, user, entrypoint/cmd."""
    import pandas as pd

    rows = []
    for image in images:
        data = _inspect(image)
        config = data.get("Config") or {}
        saved = _saved_layers(image) if compressed else None
        command = (config.get("Entrypoint") or []) + (config.get("Cmd") or [])
        rows.append(
            {
                "image": image,
                "size": int(data["Size"]),
                "compressed": sum(layer.compressed_bytes for layer in saved) if saved is not None else None,
                "layers": len(data.get("RootFS", {}).get("Layers", [])),
                "stand-in base": built_on_standin(config.get("Labels")) or "",
                "user": config.get("User") or "root",
                "runs": " ".join(command),
            }
        )
    return pd.DataFrame(rows)


# --- differences between two images ---------------------------------------------------------


def _filesystem(image: str) -> dict[str, tuple[int, str]]:
    """path -> (size, kind) of the image's flattened filesystem, via a created (never started) container."""
    client = engine.client()
    container = client.api.create_container(_inspect(image)["Id"], command=["true"], labels=CREATED_LABELS)
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


@recordable("diff")
def diff(a: str, b: str, change: str | None = None, top: int | None = None):
    """Files added, changed or removed from image ``a`` to image ``b``, largest first.

    Directories are left out; "changed" means a different size or kind. ``change`` keeps one kind
    ("added", "changed", "removed") and ``top`` the largest rows; ``attrs["totals"]`` counts all of them.
    """
    import pandas as pd

    before, after = _filesystem(a), _filesystem(b)
    rows = []
    for path in before.keys() | after.keys():
        old, new = before.get(path), after.get(path)
        if (old and old[1] == "dir") or (new and new[1] == "dir"):
            continue
        if old is None:
            rows.append((path, "added", 0, new[0]))
        elif new is None:
            rows.append((path, "removed", old[0], 0))
        elif old != new:
            rows.append((path, "changed", old[0], new[0]))
    table = pd.DataFrame(rows, columns=["path", "change", "size_in_a", "size_in_b"])
    table["bytes"] = (table["size_in_b"] - table["size_in_a"]).abs()
    table = table.sort_values("bytes", ascending=False, ignore_index=True)
    totals = {kind: {"files": int((table["change"] == kind).sum()), "bytes": int(table.loc[table["change"] == kind, "bytes"].sum())} for kind in ("added", "changed", "removed")}
    if change is not None:
        if change not in totals:
            raise DockerlabError(f"change={change!r} is not a kind of change.", fix='Use "added", "changed" or "removed".')
        table = table[table["change"] == change].reset_index(drop=True)
    if top is not None:
        table = table.head(top)
    table.attrs.update(a=a, b=b, totals=totals)
    return table


# --- wasted space, as dive measures it -------------------------------------------------------


@dataclass
class WastedSpace:
    """Bytes an image carries that its final filesystem does not show."""

    image: str
    total_bytes: int
    image_bytes: int
    efficiency: float
    offenders: object  # DataFrame

    def _repr_html_(self) -> str:
        head = (
            f"<p><b>{self.image}</b>: {format_bytes(self.total_bytes)} wasted of {format_bytes(self.image_bytes)}; "
            f"efficiency {self.efficiency:.1%}</p>"
        )
        return head + self.offenders.head(10).to_html(index=False)


def waste_from_layers(image: str, saved: list[LayerFiles]) -> WastedSpace:
    """Wasted bytes from per-layer file lists (pure: unit-testable without an engine).

    A file's bytes are wasted when a later layer deletes it (whiteout, or an opaque directory) or
    writes the same path again: the earlier layer still ships them. The efficiency score is dive's:
    for every path, the smallest size it ever had over the sum of all sizes it had in any layer.
    """
    import pandas as pd

    state = replay(saved)
    sizes_seen = state.sizes_seen

    minimum = sum(min(sizes) for sizes in sizes_seen.values())
    cumulative = sum(sum(sizes) for sizes in sizes_seen.values())
    why = {
        "deleted": "written by `{w}`, deleted by `{r}`: the bytes stay in the earlier layer and every pull downloads them",
        "overwritten": "written by `{w}`, written again by `{r}`: both copies ship; only the later one is visible",
    }
    rows = [
        {
            "path": path,
            "wasted": size,
            "change": kind,
            "written_by": saved[written].instruction,
            "removed_by": saved[removed].instruction,
            "why": why[kind].format(w=saved[written].instruction[:60], r=saved[removed].instruction[:60]),
        }
        for path, size, written, removed, kind in state.removed
    ]
    offenders = pd.DataFrame(rows, columns=["path", "wasted", "change", "written_by", "removed_by", "why"])
    offenders = offenders.sort_values("wasted", ascending=False, ignore_index=True)
    return WastedSpace(
        image=image,
        total_bytes=int(offenders["wasted"].sum()) if len(offenders) else 0,
        image_bytes=sum(layer.uncompressed_bytes for layer in saved),
        efficiency=1.0 if cumulative == 0 else minimum / cumulative,
        offenders=offenders,
    )


@recordable("wasted_space")
def wasted_space(image: str) -> WastedSpace:
    """Bytes written in one layer and deleted or overwritten by a later one, with the top offenders."""
    return waste_from_layers(image, _saved_layers(image, list_files=True))
