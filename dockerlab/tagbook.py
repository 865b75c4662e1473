"""The tags the course put on images it made besides the one it built them as: `%docker tag`, `%docker pull`,
a second `%docker build -t`, and LocalRegistry.push (``127.0.0.1:5000/course/hello-python:cli``).

A tag carries no label, so the engine cannot say who made it: the course writes each such tag, with the id of
the image it named, in a small file (one ``TAG IMAGE-ID`` line each), and cleanup removes a tag only while it
still names that image. Only a tag of an image the course made is written: a learner's own tag of their own
image, made with `%docker tag` or not, is never the course's.
"""
from __future__ import annotations

import os
from pathlib import Path

from .labels import BUILT_AS_LABEL, COURSE_LABEL, normal_reference

__all__ = ["book_file", "booked", "book", "course_image", "forget_missing"]


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
    """Whether an image (its ``docker image inspect`` attrs: ``Id``, ``RepoTags``, ``Config.Labels``) is one the
    course made: labelled by the course and still under the tag it was built as, or named by a tag in the
    book (``known``; default: :func:`booked`). An image built by hand on a course image inherits the labels,
    but its built-as label names the parent, not one of its own tags. Returns a bool. Raises nothing."""
    labels = (attrs.get("Config") or {}).get("Labels") or {}
    if labels.get(COURSE_LABEL) != "1":
        return False
    image_id = attrs.get("Id", "")
    if labels.get(BUILT_AS_LABEL) and labels[BUILT_AS_LABEL] in (attrs.get("RepoTags") or []):
        return True
    return any(image_id in ids for ids in (booked() if known is None else known).values())


def book(tag: str, attrs: dict) -> bool:
    """Write ``tag`` in the book as the course's, naming the image ``attrs`` describes (see :func:`course_image`),
    when that image is the course's; a learner's own image is left out. Returns whether it was written.
    Raises nothing (a book that cannot be written: the tag is left, as before, for the learner to remove)."""
    if not course_image(attrs):
        return False
    reference = normal_reference(tag)
    if attrs["Id"] in booked().get(reference, set()):
        return True
    try:
        book_file().parent.mkdir(parents=True, exist_ok=True)
        with book_file().open("a") as file:
            file.write(f"{reference} {attrs['Id']}\n")
    except OSError:
        return False
    return True


def forget_missing(existing: dict[str, str]) -> None:
    """Keep in the book only the tags that still name the image they were written with (``existing``: {tag:
    the image id it names now}). Raises nothing."""
    kept = [f"{tag} {image_id}" for tag, ids in booked().items() for image_id in sorted(ids) if existing.get(tag) == image_id]
    try:
        if book_file().exists():
            book_file().write_text("".join(f"{line}\n" for line in kept))
    except OSError:
        pass
