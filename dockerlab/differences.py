"""Images side by side: :func:`compare` (a row per image: sizes, layers, user, command) and :func:`diff`
(the files added, changed or removed from one image to another). Read from what the engine reports
(`inspect`) and from the images' layers (:mod:`dockerlab.layerfs`: an engine image or an archive)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .archive import image_name
from .catalogue import built_on_standin
from .columns import COMPARE, DIFF, declares
from .errors import DockerlabError
from .layerfs import image_files, inspect_image, saved_layers
from .recording import recordable
from .recording.arguments import check_public

if TYPE_CHECKING:  # the return annotations name it; pandas itself is imported where a table is made
    import pandas as pd

__all__ = ["compare", "diff"]


@recordable("compare", version=2)
@declares(COMPARE)
def compare(*images: str, compressed: bool = True) -> pd.DataFrame:
    """A row per image (compressed as :func:`image_size` with ``compressed=True``). {columns}
    Raises ImageNotFound, or DockerlabError for a name that is not valid or layers that cannot be read."""

    rows = []
    for image in images:
        data = inspect_image(image)
        config = data.get("Config") or {}
        saved = saved_layers(image) if compressed else None
        command = (config.get("Entrypoint") or []) + (config.get("Cmd") or [])
        rows.append(
            {
                "image": image_name(image),
                "size": int(data["Size"]),
                "compressed": sum(layer.compressed_bytes for layer in saved) if saved is not None else None,
                "layers": len(data.get("RootFS", {}).get("Layers", [])),
                "stand_in": built_on_standin(config.get("Labels")) or "",
                "user": config.get("User") or "root",
                "runs": " ".join(command),
            }
        )
    return COMPARE.frame(rows)


@recordable("diff")
@declares(DIFF)
def diff(a: str, b: str, change: str | None = None, top: int | None = None) -> pd.DataFrame:
    """Files added, changed or removed from image ``a`` to image ``b``, largest first.

    Directories are left out; "changed" means a different size or kind. ``change`` keeps one kind
    ("added", "changed", "removed") and ``top`` the largest rows; ``attrs["totals"]`` counts all of
    them. Either image may be an archive. {columns} Raises DockerlabError for a ``change`` that is not one of the
    three kinds (or an image name that is not valid, or an archive that cannot be read), and ImageNotFound.
    """

    before, after = image_files(a), image_files(b)
    rows = []
    for path in before.keys() | after.keys():
        old, new = before.get(path), after.get(path)
        if (old and old[1] == "dir") or (new and new[1] == "dir"):
            continue
        if old is None:
            rows.append((path, "added", 0, new[0], new[0]))
        elif new is None:
            rows.append((path, "removed", old[0], 0, old[0]))
        elif old != new:
            rows.append((path, "changed", old[0], new[0], abs(new[0] - old[0])))
    table = DIFF.frame(rows)
    table = table.sort_values("bytes", ascending=False, ignore_index=True)
    totals = {kind: {"files": int((table["change"] == kind).sum()), "bytes": int(table.loc[table["change"] == kind, "bytes"].sum())}
              for kind in ("added", "changed", "removed")}
    if change is not None:
        if change not in totals:
            raise DockerlabError(f"change={change!r} is not a kind of change.", fix='Use "added", "changed" or "removed".')
        table = table[table["change"] == change].reset_index(drop=True)
    if top is not None:
        table = table.head(top)
    table.attrs.update(a=image_name(a), b=image_name(b), totals=totals)
    return table


check_public(globals(), "differences")  # the one argument check, for every public function here
