"""The images the course built (under the tag it built them as) and the tags the course put on images it made
besides: `%docker tag`, `%docker pull`, a second `%docker build -t`, and LocalRegistry.push
(``127.0.0.1:5000/course/hello-python:cli``).

Labels do not tell: `docker commit` of a course container, or a build by hand FROM a course image under the
same tag, copies every label, ``org.dockerlab.built-as`` too. So each build the course makes writes its tag
and the id of the image it built (:func:`book_built`), and only an image whose id is written is the course's.

A tag carries no label, so the engine cannot say who made it: the course writes each such tag, with the id of
the image it named, in a small file (one ``TAG IMAGE-ID`` line each), and cleanup removes a tag only while it
still names that image. Only a tag of an image the course made is written: a learner's own tag of their own
image, made with `%docker tag` or not, is never the course's.
"""
from __future__ import annotations

import os
from pathlib import Path

from .labels import COURSE_LABEL, normal_reference

__all__ = ["book_file", "booked", "book", "book_built", "built_here", "course_image", "forget_missing"]


def book_file() -> Path:
    """The file of the course's tags: ``$DOCKERLAB_TAGBOOK``, or ``tags.txt`` in ``$XDG_STATE_HOME/dockerlab``
    (``~/.local/state/dockerlab``). Returns a Path (it may not exist yet). Raises nothing."""
    if os.environ.get("DOCKERLAB_TAGBOOK"):
        return Path(os.environ["DOCKERLAB_TAGBOOK"])
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "dockerlab" / "tags.txt"


def booked() -> dict[str, set[str]]:
    """The tags the course made: {tag as the engine lists it: the image ids it named}. An unreadable or
    missing file is an empty book (nothing is then removed as the course's). Raises nothing."""
    found: dict[str, set[str]] = {}
    try:
        lines = book_file().read_text().splitlines()
    except (OSError, UnicodeDecodeError):
        return found
    for line in lines:
        tag, _, image_id = line.strip().partition(" ")
        if tag and image_id.startswith("sha256:"):
            found.setdefault(tag, set()).add(image_id)
    return found


def course_image(attrs: dict, known: dict[str, set[str]] | None = None) -> bool:
    """Whether an image (its ``docker image inspect`` attrs: ``Id``, ``Config.Labels``) is one the course made:
    labelled by the course and its id in the book (``known``; default: :func:`booked`) -- written when the
    course built it (:func:`book_built`) or tagged it. An image built by hand on a course image, or made by
    `docker commit` of a course container, inherits every label but has another id. Returns a bool. Raises nothing."""
    labels = (attrs.get("Config") or {}).get("Labels") or {}
    if labels.get(COURSE_LABEL) != "1":
        return False
    image_id = attrs.get("Id", "")
    return bool(image_id) and any(image_id in ids for ids in (booked() if known is None else known).values())


def built_here(tag: str, image_id: str, known: dict[str, set[str]] | None = None) -> bool:
    """Whether the course built (or tagged) the image ``image_id`` as ``tag``: the book names that id under that
    tag (``known``; default: :func:`booked`). A `docker commit` or a build by hand under the same tag has
    another id. Returns a bool. Raises nothing."""
    return bool(image_id) and image_id in (booked() if known is None else known).get(normal_reference(tag), set())


def book_built(tag: str | None, image_id: str | None) -> bool:
    """Write that the course built ``image_id`` (``sha256:...``) as ``tag`` (None: untagged, nothing written).
    Returns whether it is in the book. Raises nothing (a book that cannot be written: the image is then not
    known as the course's, so a failed build or `dockerlab clean` leaves it alone)."""
    if not tag or not image_id or not image_id.startswith("sha256:"):
        return False
    return _write(normal_reference(tag), image_id)


def _write(reference: str, image_id: str) -> bool:
    if image_id in booked().get(reference, set()):
        return True
    try:
        book_file().parent.mkdir(parents=True, exist_ok=True)
        with book_file().open("a") as file:
            file.write(f"{reference} {image_id}\n")
    except OSError:
        return False
    return True


def book(tag: str, attrs: dict) -> bool:
    """Write ``tag`` in the book as the course's, naming the image ``attrs`` describes (see :func:`course_image`),
    when that image is the course's; a learner's own image is left out. Returns whether it was written.
    Raises nothing (a book that cannot be written: the tag is left, as before, for the learner to remove)."""
    if not course_image(attrs):
        return False
    return _write(normal_reference(tag), attrs["Id"])


def forget_missing(existing: dict[str, str]) -> None:
    """Keep in the book only the tags that still name the image they were written with (``existing``: {tag:
    the image id it names now}). Raises nothing."""
    kept = [f"{tag} {image_id}" for tag, ids in booked().items() for image_id in sorted(ids) if existing.get(tag) == image_id]
    try:
        if book_file().exists():
            book_file().write_text("".join(f"{line}\n" for line in kept))
    except OSError:
        pass
