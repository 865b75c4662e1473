"""Wasted space, as dive measures it: bytes an image carries that its final filesystem does not
show (files a later layer deleted or overwrote), with dive's own score beside the course's.

Reads the layers through :mod:`dockerlab.layerfs` (an engine image or an archive); the counting
itself is pure (``waste_from_layers``, ``dive_style_bytes``, ``dive_style_efficiency``).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .archive import image_name
from .columns import WASTED, holds_tables, table_field
from .layerfs import LayerFiles, replay, saved_layers
from .recording.arguments import check_public
from .recording import recordable
from .units import format_bytes

if TYPE_CHECKING:  # the field's annotation names it; pandas itself is imported where the table is made
    import pandas as pd

__all__ = ["WastedSpace", "wasted_space", "waste_from_layers", "dive_analysis", "dive_style_bytes", "dive_style_efficiency"]


@holds_tables
@dataclass
class WastedSpace:
    """Bytes an image carries that its final filesystem does not show.

    ``total_bytes``: the bytes of every copy a later layer deleted or overwrote (they ship, nobody sees
    them), following deleted and replaced directories and hard links (a file still reached by another
    name is not wasted). ``efficiency``: the course's score by the same replay, for every path the
    smallest size it had over the sum of all sizes it had (a deleted copy counts 0).
    ``dive_bytes`` and ``dive_efficiency``: dive's own "inefficient bytes" and score for the same
    layers (:func:`dive_analysis`, dive's rule from its source), so a learner can compare with `dive`.
    They differ from the course's figures by definition: dive counts every copy of a path seen in two
    or more layers, the visible one included; it visits only the leaves of each layer (a folder that
    holds something is not a copy); a deleted folder counts as one path sized as all it held; a file
    deleted while a hard link still reaches it counts (its link's tar entry has size 0).
    benchmarks/dive_compare.py and the engine tests measure both against dive.
    ``offenders``: a DataFrame, largest first. {columns}"""

    image: str
    total_bytes: int
    image_bytes: int
    efficiency: float
    offenders: pd.DataFrame = table_field(WASTED)
    dive_bytes: int = 0
    dive_efficiency: float = 1.0

    def _repr_html_(self) -> str:
        dive = getattr(self, "dive_bytes", None)  # recordings made before it was kept have none
        head = (
            f"<p><b>{self.image}</b>: {format_bytes(self.total_bytes)} wasted of {format_bytes(self.image_bytes)}; "
            f"efficiency {self.efficiency:.1%}"
            + (f" (dive would report {format_bytes(dive)} inefficient and efficiency {getattr(self, 'dive_efficiency', 1.0):.1%}: "
               "it counts every copy of a path seen in two or more layers, the visible one included, and a deleted folder as one path)"
               if dive is not None else "")
            + "</p>"
        )
        return head + self.offenders.head(10).to_html(index=False)


class _DiveNode:
    """A node of dive's file tree (dive/filetree/file_node.go): its children by name and the FileInfo
    dive keeps from the tar header (size, is_dir); a node made only as a parent on the way has dive's
    empty FileInfo{} (size 0, not a directory)."""

    __slots__ = ("children", "size", "is_dir")

    def __init__(self, size: int = 0, is_dir: bool = False) -> None:
        self.children: dict[str, _DiveNode] = {}
        self.size, self.is_dir = size, is_dir

    def copy(self) -> _DiveNode:
        twin = _DiveNode(self.size, self.is_dir)
        twin.children = {name: child.copy() for name, child in self.children.items()}
        return twin

    def add_path(self, path: str, size: int, is_dir: bool) -> None:
        """dive's FileTree.AddPath: walk (making missing parents with an empty FileInfo), stop at a
        `.wh..wh..` name (an opaque marker is never a node), put the payload on the last node (an
        existing node keeps its children)."""
        node = self
        names = [name for name in path.strip("/").split("/") if name]
        for position, name in enumerate(names):
            if name in node.children:
                node = node.children[name]
            else:
                if name.startswith(".wh..wh.."):
                    return
                node.children[name] = node = _DiveNode()
            if position == len(names) - 1:
                node.size, node.is_dir = size, is_dir

    def get(self, path: str) -> _DiveNode | None:
        node = self
        for name in (name for name in path.strip("/").split("/") if name):
            node = node.children.get(name)
            if node is None:
                return None
        return node

    def remove(self, path: str) -> None:
        parent_path, _, name = path.rstrip("/").rpartition("/")
        parent = self.get(parent_path)
        if parent is not None:
            parent.children.pop(name, None)

    def walk(self, prefix: str = "", leaves_only: bool = False) -> Iterator[tuple[str, _DiveNode]]:
        """(path, node) below this node, children first, names in sorted order (VisitDepthChildFirst),
        the node itself not included; with ``leaves_only``, nodes without children only."""
        for name in sorted(self.children):
            child = self.children[name]
            path = f"{prefix}/{name}"
            yield from child.walk(path, leaves_only)
            if not leaves_only or not child.children:
                yield path, child

    def total_size(self) -> int:
        return self.size + sum(node.size for _, node in self.walk())


def _dive_tree(layer: LayerFiles) -> _DiveNode:
    """One layer as dive reads it (dive/image/docker/image_archive.go processLayerTar): every tar member
    added by its path, a whiteout as a node named `.wh.NAME`, a hard link or symlink with the size its
    header says (0)."""
    root = _DiveNode()
    for path in layer.dirs:
        root.add_path(path, 0, True)
    for path, size in layer.files.items():
        root.add_path(path, size, False)
    for path in layer.whiteouts:
        directory, _, name = path.rpartition("/")
        root.add_path(f"{directory}/.wh.{name}", 0, False)
    for directory in layer.opaque_dirs:
        root.add_path(directory.rstrip("/") + "/.wh..wh..opq", 0, False)
    return root


def _stack(lower: _DiveNode, upper: _DiveNode) -> None:
    """dive's FileTree.Stack: every node of ``upper``, children first; a whiteout removes its path,
    anything else is added (payload replaced, children kept)."""
    for path, node in upper.walk():
        directory, _, name = path.rpartition("/")
        if name.startswith(".wh."):
            lower.remove(f"{directory}/{name[4:]}")
        else:
            lower.add_path(path, node.size, node.is_dir)


def dive_analysis(saved: list[LayerFiles]) -> tuple[int, float]:
    """(inefficient bytes, efficiency score) exactly as dive 0.13.1 computes them (pure), from
    dive/filetree/efficiency.go Efficiency() and dive/image/analysis.go:

    - each layer is its own tree of tar members; only its *leaves* (nodes without children: files,
      links, empty directories, whiteouts) are visited, children first in sorted order;
    - a leaf's size is its tar header's size (a hard link or symlink: 0); a whiteout's is 0, unless the
      path was a directory in the layers below stacked (dive's StackTreeRange, which ignores opaque
      markers and keeps a directory's children when a file is written over it): then the sum of the
      sizes of everything that directory held;
    - per path: every size seen (CumulativeSize) and the smallest (minDiscoveredSize); the score is
      sum of smallest / sum of all; "inefficient bytes" (WastedBytes) sums CumulativeSize over the
      paths seen in two or more layers;
    - a whiteout whose path is not in the layers below stops dive's visit of that layer (the visitor
      returns an error) and leaves the path with a smallest size of -1, which dive adds to the score.

    Checked against dive's own report by tests/engine/test_layer_replay_live.py and benchmarks/dive_compare.py.
    Returns (int, float). Raises nothing."""
    trees = [_dive_tree(layer) for layer in saved]
    cumulative: dict[str, int] = {}
    smallest: dict[str, int] = {}
    seen: dict[str, int] = {}
    stacked: _DiveNode | None = None
    stacked_through = -1  # the last layer stacked onto the copy of layer 0 (StackTreeRange(trees, 0, index - 1))
    for index, tree in enumerate(trees):
        for path, node in tree.walk(leaves_only=True):
            directory, _, name = path.rpartition("/")
            whiteout = name.startswith(".wh.")
            key = f"{directory}/{name[4:]}" if whiteout else path
            cumulative.setdefault(key, 0)
            smallest.setdefault(key, -1)
            size = node.size
            if whiteout:
                if stacked is None:
                    stacked = trees[0].copy()
                while stacked_through < index - 1:
                    stacked_through += 1
                    _stack(stacked, trees[stacked_through])
                previous = stacked.get(key)
                if previous is None:  # dive: "path does not exist": the rest of this layer is not visited
                    break
                size = previous.total_size() if previous.is_dir else 0
            cumulative[key] += size
            if smallest[key] < 0 or size < smallest[key]:
                smallest[key] = size
            seen[key] = seen.get(key, 0) + 1
    inefficient = sum(cumulative[path] for path, count in seen.items() if count > 1)
    total = sum(cumulative.values())
    return inefficient, 1.0 if total == 0 else sum(smallest.values()) / total


def dive_style_bytes(saved: list[LayerFiles]) -> int:
    """dive's "inefficient bytes" (pure): see :func:`dive_analysis`. Unlike the course's ``total_bytes``
    it counts every copy of a path seen in two or more layers, the visible one included, counts a file
    deleted while a hard link still reaches it, and does not count the files of a deleted directory
    (only the whiteout, sized as what the directory held). Returns an int. Raises nothing."""
    return dive_analysis(saved)[0]


def dive_style_efficiency(saved: list[LayerFiles]) -> float:
    """dive's efficiency score (pure): see :func:`dive_analysis`. Returns a float. Raises nothing."""
    return dive_analysis(saved)[1]


def waste_from_layers(image: str, saved: list[LayerFiles]) -> WastedSpace:
    """Wasted bytes from per-layer file lists (pure: unit-testable without an engine).

    A file's bytes are wasted when a later layer deletes it (whiteout, or an opaque directory) or
    writes the same path again: the earlier layer still ships them. The efficiency score is dive's:
    for every path, the smallest size it ever had over the sum of all sizes it had in any layer.
    ``offenders`` lists what wastes bytes: a removed symlink, fifo or empty file (0 bytes) is not one.
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
        if size > 0  # a symlink, fifo, device or empty file removed wastes nothing: not an offender
    ]
    offenders = WASTED.frame(rows)
    offenders = offenders.sort_values("wasted", ascending=False, ignore_index=True)
    dive_bytes, dive_efficiency = dive_analysis(saved)
    return WastedSpace(
        dive_bytes=dive_bytes,
        dive_efficiency=dive_efficiency,
        image=image_name(image),
        total_bytes=int(offenders["wasted"].sum()) if len(offenders) else 0,
        image_bytes=sum(layer.uncompressed_bytes for layer in saved),
        efficiency=1.0 if cumulative == 0 else minimum / cumulative,
        offenders=offenders,
    )


@recordable("wasted_space", version=2)
def wasted_space(image: str) -> WastedSpace:
    """Bytes written in one layer and deleted or overwritten by a later one, with the top offenders, as a
    WastedSpace (see :func:`waste_from_layers`). Raises ImageNotFound, or DockerlabError for a name that is
    not valid or layers that cannot be read."""
    return waste_from_layers(image, saved_layers(image, list_files=True))


check_public(globals(), "waste")  # the one argument check, for every public function here
