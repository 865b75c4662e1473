"""Image tables: layers, sizes (also compressed, as a registry sends them); images side by side and
their differences are :mod:`dockerlab.differences`, wasted space :mod:`dockerlab.waste` (re-exported here). Read from what the engine reports (`history`,
`inspect`) or from the image's layers (:mod:`dockerlab.layerfs`: an engine image or an archive).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import datetime
import shlex
from pathlib import Path

import docker.errors

from . import engine
from .builder import dockerfile_text
from .catalogue import catalogue_tags, is_standin
from .errors import DockerlabError
from .labels import STANDIN_FOR_LABEL, normal_reference
from .matching import NO_HISTORY_ONBUILD, history_builder, history_instruction, makes_layer, match_layers, named_base  # noqa: F401 - the image tables' API
from .diagnose import diagnose
from .interrupts import scratch_container
from .archive import archive_ref, image_name
from .layerfs import image_files, image_history, image_refusal, inspect_image, saved_layers
from .recording.arguments import check_public
from .recording import recordable
from .columns import DOCKERFILE_LAYERS, LAYERS, OWN_LAYERS, declares
from .tables import COMMAND, Answer
from .waste import WastedSpace, dive_style_bytes, dive_style_efficiency, waste_from_layers, wasted_space  # noqa: F401 - the image tables' API

if TYPE_CHECKING:  # the return annotations name it; pandas itself is imported where a table is made
    import pandas as pd

__all__ = [
    "file_size",
    "image_id",
    "remove",
    "dockerfile_layers",
    "match_layers",
    "layers",
    "own_layers",
    "history_command",
    "layers_from_history",
    "image_size",
    "wasted_space",
    "WastedSpace",
    "waste_from_layers",
    "dive_style_bytes",
    "dive_style_efficiency",
]

PATH_MAX = 4096  # Linux's longest path, in bytes (limits.h): the engine's kernel refuses a longer one


@recordable("file_size")
def file_size(image: str, path: str) -> int:
    """Bytes of one file inside ``image`` (read through a created, never started, container; for an
    image archive, from its layers applied in order). Raises DockerlabError when ``path`` is empty or
    longer than a path can be (4096 characters), when there is no such file, and when the engine refuses
    to read it (its reason, what it means and the fix)."""
    if not path.strip():
        raise DockerlabError(f"file_size({image!r}, {path!r}): the path is empty, so it names no file in the image.",
                             fix='Pass the path of a file in the image, e.g. dl.file_size(image, "/app/main.py").')
    if len(path) > PATH_MAX:
        raise DockerlabError(f"file_size({image!r}, path of {len(path)} characters): no file in an image has a path that long "
                             f"(at most {PATH_MAX} characters).", fix="Check the path: `docker run --rm IMAGE find / -name NAME` finds a file by its name.")
    if archive_ref(image) is not None:
        found = image_files(image).get("/" + path.strip("/"))
        if found is None:
            raise DockerlabError(f"There is no {path} in {image}.", fix="Check the path (the Dockerfile's WORKDIR and COPY lines).")
        return found[0]
    client = engine.client()
    with scratch_container(client, inspect_image(image)["Id"]) as container_id:
        try:
            stream, stat = client.api.get_archive(container_id, path)
            for _ in stream:
                pass
            return int(stat["size"])
        except docker.errors.NotFound:
            raise DockerlabError(f"There is no {path} in {image}.", fix="Check the path (the Dockerfile's WORKDIR and COPY lines).") from None
        except docker.errors.APIError as error:  # e.g. 400 for a path the engine cannot take, 500 for one the kernel refuses
            said = str(error.explanation or error)
            found = diagnose(said, "run")
            raise DockerlabError(f"The engine could not read {path!r} in {image}: {said}" + ("" if found.rule == "unknown" else f" ({found.meaning})."),
                                 fix=found.fix if found.rule != "unknown" else
                                 "Check the path (the Dockerfile's WORKDIR and COPY lines); `docker run --rm IMAGE ls -l PATH` shows what is there.") from None


@recordable("image_id")
def image_id(image: str) -> Answer:
    """The image's id (sha256:...): the same id means the same bytes. A str, shown in a notebook below
    the command that prints it (`docker image inspect --format '{{.Id}}' IMAGE`). Raises ImageNotFound,
    or DockerlabError for a name that is not valid or an archive that cannot be read."""
    return Answer(inspect_image(image)["Id"], f"docker image inspect --format '{{{{.Id}}}}' {shlex.quote(str(image))}")


@recordable("remove")
def remove(image: str) -> None:
    """Remove a tag (like `docker rmi`); the image goes when no tag or container uses it. Raises
    ImageNotFound when there is no such image, and DockerlabError when the engine refuses (e.g. a
    container still uses it) or ``image`` is the name of a course base image (a stand-in every notebook
    builds on: minutes to make again; `docker rmi` removes it if that is really meant)."""
    client = engine.client()
    try:
        labels = (client.api.inspect_image(image).get("Config") or {}).get("Labels") or {}
    except docker.errors.APIError:
        labels = {}  # no such image, or an invalid name: the removal below says which
    if labels.get(STANDIN_FOR_LABEL) and labels.get(STANDIN_FOR_LABEL) == normal_reference(image):
        raise DockerlabError(
            f"{image} is a course base image (a stand-in `dockerlab prepare` built): the notebooks build on it, and it takes minutes "
            "to make again, so dl.remove leaves it.",
            fix=f"Remove your own images instead; if you really mean to remove the base, `docker rmi {image}` does it "
                "(`dockerlab prepare` makes it again), and `dockerlab clean --bases` removes every base.",
        )
    try:
        client.api.remove_image(image)
    except docker.errors.APIError as error:
        raise image_refusal(image, error) or DockerlabError(
            f"Cannot remove {image}: {error.explanation}",
            fix=f"Remove the containers that use it first: `docker ps -a --filter ancestor={image}` lists them, `docker rm -f NAME` removes one.",
        ) from None


@recordable("dockerfile_layers", version=2)
@declares(DOCKERFILE_LAYERS)
def dockerfile_layers(dockerfile: str | Path, image: str, target: str | None = None, buildargs: dict[str, str] | None = None) -> pd.DataFrame:
    """Each instruction of the Dockerfile's final stage (or the ``target`` stage, as `docker build
    --target` built it) beside the history entry it made in ``image`` (see :func:`match_layers`;
    ``buildargs``: the values the image was built with, when known; without them a build argument in a
    COPY/ADD destination matches whatever value the history records).
    A base image's ONBUILD trigger (the base the Dockerfile names, or the one :func:`layers` finds) is a
    row under the FROM that ran it. ``dockerfile``: a path, or the Dockerfile text itself. Raises ImageNotFound, or DockerlabError when the
    Dockerfile cannot be read, has no stage ``target``, or the image name is not valid. {columns}"""
    text = dockerfile_text(Path("."), dockerfile)[0]
    table = layers(image)
    named = named_base(text, target, buildargs, table.attrs.get("builder") or "buildkit")  # the builder that made the image follows a FROM
    if named and not table.attrs.get("base_onbuild"):  # a base without layers of its own (ONBUILD only) looks like its own base
        try:
            table.attrs["base_onbuild"] = list((inspect_image(named).get("Config") or {}).get("OnBuild") or [])
        except DockerlabError:  # the base the Dockerfile names is not here (or not a valid name): no triggers known
            pass
    return match_layers(text, table, target=target, buildargs=buildargs)


@declares(LAYERS)
def layers_from_history(history: list[dict]) -> pd.DataFrame:
    """The `layers` table from `history` JSON (newest first, as the engine returns it), oldest first,
    ``base`` left "". Returns a DataFrame. {columns}
    Raises nothing for the history JSON the engine (or :func:`dockerlab.layerfs.image_history`) gives."""
    import pandas as pd  # lazy: ~1 s at import, and `import dockerlab` loads this module

    rows = []
    cumulative = 0
    for entry in reversed(history):
        size = int(entry.get("Size", 0))
        cumulative += size
        rows.append(
            {
                "instruction": history_instruction(entry.get("CreatedBy", ""), entry.get("Comment", "")),
                "size": size,
                "cumulative_size": cumulative,
                "created": pd.to_datetime(entry.get("Created", 0), unit="s", utc=True),
                "id": entry.get("Id", "<missing>"),
                "base": "",
            }
        )
    table = LAYERS.frame(rows)
    table.attrs["builder"] = history_builder(history)  # "classic", "buildkit" or "": how a FROM names a stage (match_layers)
    return table


@recordable("layers", version=2)
@declares(LAYERS)
def layers(image: str) -> pd.DataFrame:
    """One row per layer, oldest first (as `docker history`, reversed). {columns} ``image`` may be
    an image archive (see :mod:`dockerlab.archive`): its history is read from its config and the base
    column stays "" (no local images to match). attrs: image, command (the `docker history` a learner
    types; none for an archive) and base_onbuild (the base image's ONBUILD triggers, when the base is known). Raises ImageNotFound or
    DockerlabError for a name that is not valid or an archive that cannot be read."""
    own = inspect_image(image)
    table = layers_from_history(image_history(image))
    table.attrs["image"] = image_name(image)
    if archive_ref(image) is not None:
        return table
    table.attrs[COMMAND] = history_command(table)
    client = engine.client()
    base = _base_image(client, own)
    if base is not None:
        known = catalogue_tags()
        name = next((tag for tag in base.tags if tag in known), (base.tags or [base.id[:19]])[0])
        count = len(client.api.history(base.id))  # the base's own history entries are the oldest rows
        table.loc[: count - 1, "base"] = name + (" (stand-in)" if is_standin(name, base.labels) else "")
        table.attrs["base_onbuild"] = list((base.attrs.get("Config") or {}).get("OnBuild") or [])  # the FROM ran these (match_layers)
    return table


def _base_image(client, inspected: dict):
    """The tagged local image whose layers are the longest proper prefix of this image's layers: the
    image it was built FROM (None for an image built FROM scratch, or whose base is not here)."""
    layers = inspected.get("RootFS", {}).get("Layers", [])
    known = catalogue_tags()
    candidates = []
    for candidate in client.images.list():
        theirs = candidate.attrs.get("RootFS", {}).get("Layers", [])
        if candidate.id == inspected["Id"] or not candidate.tags or not theirs or layers[: len(theirs)] != theirs:
            continue
        if len(theirs) == len(layers) and not any(tag in known for tag in candidate.tags):
            continue  # as many layers and not a base the course knows: a sibling, not the base
        # longest prefix first; among equals, a course base image, then the oldest
        candidates.append((len(theirs), any(tag in known for tag in candidate.tags), -_created(candidate), candidate))
    return max(candidates, key=lambda item: item[:3])[3] if candidates else None


def _created(image) -> float:
    return datetime.datetime.fromisoformat(image.attrs["Created"][:19]).timestamp()


def history_command(table: pd.DataFrame) -> str:
    """The `docker history IMAGE` a learner types for a :func:`layers` table, from its attrs (a table
    recorded before the command was kept has the image's name).

    Returns:
        The command, or "" for an image archive (`docker history` reads the engine's images only).

    Raises:
        DockerlabError for an archive reference (in the table's attrs) whose file no longer exists."""
    if table.attrs.get(COMMAND):
        return table.attrs[COMMAND]
    image = table.attrs.get("image")
    return f"docker history {shlex.quote(image)}" if isinstance(image, str) and archive_ref(image) is None else ""


@declares(OWN_LAYERS)
def own_layers(table: pd.DataFrame, all_layers: bool = False) -> pd.DataFrame:
    """The learner's view of a :func:`layers` table: the image's own steps first (oldest first),
    then the base image as one row ("FROM python:3.11-slim (stand-in): 4 layers"), unless ``all_layers``.
    A layer is a filesystem layer (one of RootFS's, as `docker inspect` counts them; see
    :func:`dockerlab.matching.makes_layer`): a row that only records a setting (ENV, LABEL, CMD) has 0.
    {columns} attrs["command"]: the `docker history` it summarises.
    Raises KeyError for a table without the instruction and size columns of :func:`layers`."""
    collapse = not all_layers and "base" in table  # tables recorded before the base column show every layer
    own = table[table["base"] == ""] if collapse else table
    rows = [{"instruction": row["instruction"], "size": row["size"], "layers": int(makes_layer(row["instruction"], row["size"]))}
            for row in own.to_dict("records")]
    if collapse:
        for name, part in table[table["base"] != ""].groupby("base", sort=False):
            count = sum(makes_layer(instruction, size) for instruction, size in zip(part["instruction"], part["size"], strict=True))
            rows.append({"instruction": f"FROM {name}: {count} layer{'s' * (count != 1)}", "size": int(part["size"].sum()), "layers": count})
    shown = OWN_LAYERS.frame(rows)
    shown.attrs[COMMAND] = history_command(table)
    return shown


# --- sizes from the layers (an engine image or an archive) ----------------------------------


@recordable("image_size")
def image_size(image: str, compressed: bool = False) -> int:
    """Bytes: the engine's uncompressed size, or the compressed size of its layers (what a pull
    downloads): each stored blob's own size when the layer is stored compressed (gzip or zstd, in an
    OCI archive), gzip -6 of the layer tar, measured here, when it is stored plain (`docker save`).
    Raises ImageNotFound, or DockerlabError for a name that is not valid or layers that cannot be read."""
    if not compressed:
        return int(inspect_image(image)["Size"])
    return sum(layer.compressed_bytes for layer in saved_layers(image))


check_public(globals(), "images")  # the one argument check, for every public function here
