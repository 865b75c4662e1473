"""Wasted space, as dive measures it: bytes an image carries that its final filesystem does not
show (files a later layer deleted or overwrote), with dive's own score beside the course's.

Reads the layers through :mod:`dockerlab.layerfs` (an engine image or an archive); the counting
itself is pure (``waste_from_layers``, ``dive_style_bytes``, ``dive_style_efficiency``).
"""
from __future__ import annotations

from dataclasses import dataclass

from .archive import image_name
from .columns import WASTED
from .layerfs import LayerFiles, replay, saved_layers
from .recording import recordable
from .units import format_bytes

__all__ = ["WastedSpace", "wasted_space", "waste_from_layers", "dive_style_bytes", "dive_style_efficiency"]


@dataclass
class WastedSpace:
    """Bytes an image carries that its final filesystem does not show.

    ``total_bytes``: the bytes of every copy a later layer deleted or overwrote (they ship, nobody sees
    them), following deleted and replaced directories. ``dive_bytes``: the same image by dive's rule
    ("inefficient bytes": every copy, the visible one included, of each path written or deleted in
    more than one layer; a file inside a deleted directory is not counted), so a learner can compare
    with `dive`. ``efficiency`` is dive's score. benchmarks/dive_compare.py measures both against dive.
    ``offenders``: a DataFrame, largest first. {columns}"""

    image: str
    total_bytes: int
    image_bytes: int
    efficiency: float
    offenders: object  # DataFrame
    dive_bytes: int = 0
    dive_efficiency: float = 1.0

    __doc__ = __doc__.replace("{columns}", WASTED.doc())

    def _repr_html_(self) -> str:
        dive = getattr(self, "dive_bytes", None)  # recordings made before it was kept have none
        head = (
            f"<p><b>{self.image}</b>: {format_bytes(self.total_bytes)} wasted of {format_bytes(self.image_bytes)}; "
            f"efficiency {self.efficiency:.1%}"
            + (f" (dive would report {format_bytes(dive)} inefficient and efficiency {getattr(self, 'dive_efficiency', 1.0):.1%}: "
               "it counts every copy of a path that changes, and not the files of deleted folders)" if dive is not None else "")
            + "</p>"
        )
        return head + self.offenders.head(10).to_html(index=False)


def _dive_copies(saved: list[LayerFiles]) -> dict[str, list[int]]:
    copies: dict[str, list[int]] = {}
    for layer in saved:
        for path, size in layer.files.items():
            copies.setdefault(path, []).append(size)
        for path in layer.whiteouts + layer.dirs:  # dive lists a directory entry as a copy of its path, size 0
            copies.setdefault(path, []).append(0)
    return copies


def dive_style_bytes(saved: list[LayerFiles]) -> int:
    """dive's "inefficient bytes" (pure): for each path written or whited out in more than one layer,
    the sizes of all its copies, the visible one included (a directory entry is a copy of size 0, so a
    file replaced by a directory counts). Files under a deleted directory are not counted (dive follows
    only the directory entry itself). A hard link is a tar member of size 0, so a file deleted while a
    hard link still reaches it counts here, although nothing is wasted: the course's ``total_bytes``
    does not count it. Checked against dive's own report on real
    images by benchmarks/dive_compare.py. Returns an int. Raises nothing."""
    return sum(sum(sizes) for sizes in _dive_copies(saved).values() if len(sizes) > 1)


def dive_style_efficiency(saved: list[LayerFiles]) -> float:
    """dive's efficiency score by dive's own bookkeeping (pure): the smallest size of each path over
    the sum of all its copies, whiteouts as size 0, files under a deleted directory counted once.
    Returns a float. Raises nothing."""
    copies = _dive_copies(saved)
    total = sum(sum(sizes) for sizes in copies.values())
    return 1.0 if total == 0 else sum(min(sizes) for sizes in copies.values()) / total


def waste_from_layers(image: str, saved: list[LayerFiles]) -> WastedSpace:
    """Wasted bytes from per-layer file lists (pure: unit-testable without an engine).

    A file's bytes are wasted when a later layer deletes it (whiteout, or an opaque directory) or
    writes the same path again: the earlier layer still ships them. The efficiency score is dive's:
    for every path, the smallest size it ever had over the sum of all sizes it had in any layer.
    Returns a WastedSpace. Raises nothing."""

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
    offenders = WASTED.frame(rows)
    offenders = offenders.sort_values("wasted", ascending=False, ignore_index=True)
    return WastedSpace(
        dive_bytes=dive_style_bytes(saved),
        dive_efficiency=dive_style_efficiency(saved),
        image=image_name(image),
        total_bytes=int(offenders["wasted"].sum()) if len(offenders) else 0,
        image_bytes=sum(layer.uncompressed_bytes for layer in saved),
        efficiency=1.0 if cumulative == 0 else minimum / cumulative,
        offenders=offenders,
    )


@recordable("wasted_space")
def wasted_space(image: str) -> WastedSpace:
    """Bytes written in one layer and deleted or overwritten by a later one, with the top offenders, as a
    WastedSpace (see :func:`waste_from_layers`). Raises ImageNotFound, or DockerlabError for a name that is
    not valid or layers that cannot be read."""
    return waste_from_layers(image, saved_layers(image, list_files=True))
