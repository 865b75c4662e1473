"""Every base image the course uses, and how each becomes available on this machine.

Resolution per image, in order: present locally -> pulled from its registry -> a stand-in built
from Debian packages. A stand-in is tagged with the official name (so ``FROM python:3.11-slim``
works unchanged) and labelled so that no table mistakes it for the official image.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import DockerlabError
from .labels import DESCRIPTION_LABEL, STANDIN_FOR_LABEL, STANDIN_LABEL
from .recording.arguments import check_public

__all__ = [
    "BaseImage",
    "CATALOGUE",
    "RECIPES",
    "catalogue_image",
    "catalogue_tags",
    "normalise_tag",
    "build_order",
    "recipe_text",
    "recipe_bases",
    "is_standin",
    "built_on_standin",
    "standin_labels",
]

RECIPES = Path(__file__).parent / "bases" / "recipes"
HOST_BUILT = "mmdebstrap"


@dataclass(frozen=True)
class BaseImage:
    """One image of the catalogue and how its stand-in is made."""

    name: str
    recipe: str
    description: str
    extra_tags: tuple[str, ...] = ()

    @property
    def all_tags(self) -> tuple[str, ...]:
        return (self.name, *self.extra_tags)


CATALOGUE: dict[str, BaseImage] = {
    image.name: image
    for image in [
        BaseImage(
            "debian:bookworm-slim",
            HOST_BUILT,
            "Debian 12 minbase made by mmdebstrap on the host (docs, man pages and locales left out, as in the official slim image)",
        ),
        BaseImage(
            "python:3.11-slim",
            "python-3.11-slim.Dockerfile",
            "Debian bookworm's python3.11, pip and venv on the debian:bookworm-slim stand-in",
        ),
        BaseImage(
            "python:3.11",
            "python-3.11.Dockerfile",
            "the python:3.11-slim stand-in plus gcc, make, git and common -dev headers",
        ),
        BaseImage(
            "golang:1.21",
            "golang-1.21.Dockerfile",
            "Debian's golang-1.21 from bookworm-backports with gcc and git",
        ),
        BaseImage(
            "alpine:3.20",
            "alpine-3.20.Dockerfile",
            "busybox (Debian busybox-static) and CA certificates; no apk, no musl",
            extra_tags=("alpine:latest",),
        ),
        BaseImage(
            "gcr.io/distroless/static-debian12",
            "distroless-static-debian12.Dockerfile",
            "FROM scratch with CA certificates, time zones, /etc/services and the nonroot user (65532)",
        ),
        BaseImage(
            "postgres:15",
            "postgres-15.Dockerfile",
            "Debian's postgresql-15 with an entrypoint that honours POSTGRES_PASSWORD, POSTGRES_USER, POSTGRES_DB",
        ),
        BaseImage(
            "registry:2",
            "registry-2.Dockerfile",
            "Debian's docker-registry (Distribution 2.8) on :5000 without authentication",
        ),
    ]
}


def normalise_tag(name: str) -> str:
    """'gcr.io/distroless/static-debian12' -> '...:latest', as the engine lists tags. Returns a str. Raises nothing."""
    return name if ":" in name.rsplit("/", 1)[-1] or "@" in name else f"{name}:latest"


def catalogue_tags() -> set[str]:
    """Every tag the catalogue puts on the engine, as the engine lists them. Raises nothing."""
    return {normalise_tag(tag) for image in CATALOGUE.values() for tag in image.all_tags}


def catalogue_image(name: str) -> BaseImage:
    """The catalogue entry for ``name`` (also accepts an extra tag such as alpine:latest).
    Raises DockerlabError when it is not a course base."""

    for image in CATALOGUE.values():
        if normalise_tag(name) in {normalise_tag(tag) for tag in image.all_tags}:
            return image
    raise DockerlabError(
        f"{name} is not one of the course's base images.",
        fix=f"Use one of: {', '.join(CATALOGUE)}.",
    )


def recipe_text(image: BaseImage) -> str:
    """The stand-in recipe (a Dockerfile a learner can read).
    Returns the text. Raises OSError when the recipe file is missing from the installed package."""
    return (RECIPES / image.recipe).read_text()


_FROM = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)", re.IGNORECASE | re.MULTILINE)


def recipe_bases(image: BaseImage) -> list[str]:
    """The catalogue images a stand-in recipe builds FROM (its stand-in dependencies). Raises DockerlabError
    when the recipe builds FROM an image that is not in the catalogue."""
    if image.recipe == HOST_BUILT:
        return []
    found = []
    for name in _FROM.findall(recipe_text(image)):
        if name != "scratch" and name not in found:
            found.append(catalogue_image(name).name)
    return found


def build_order(names: list[str] | None = None) -> list[BaseImage]:
    """Catalogue images in an order where every stand-in's bases come first. Raises DockerlabError when one
    of ``names`` is not a course base image."""
    wanted = [catalogue_image(name) for name in (names or list(CATALOGUE))]
    ordered: list[BaseImage] = []

    def visit(image: BaseImage) -> None:
        if image in ordered:
            return
        for base in recipe_bases(image):
            visit(CATALOGUE[base])
        ordered.append(image)

    for image in wanted:
        visit(image)
    return ordered


def is_standin(name: str, labels: dict[str, str] | None) -> bool:
    """True when the image tagged ``name`` (with its ``labels``) is itself a course stand-in. Returns a
    bool. Raises nothing: a name outside the catalogue (a learner's image built on a stand-in) is False."""
    labels = labels or {}
    if labels.get(STANDIN_LABEL) != "true":
        return False
    standin_for = labels.get(STANDIN_FOR_LABEL, "")
    try:
        return standin_for == catalogue_image(name).name
    except Exception:  # noqa: BLE001 - a learner's own image built on a stand-in
        return False


def built_on_standin(labels: dict[str, str] | None) -> str | None:
    """The stand-in an image was built on (labels are inherited), or None for official bases. Raises nothing."""
    labels = labels or {}
    if labels.get(STANDIN_LABEL) == "true":
        return labels.get(STANDIN_FOR_LABEL)
    return None


def standin_labels(image: BaseImage) -> dict[str, str]:
    """The labels a stand-in for ``image`` carries: that it is a stand-in, for which image, and a description.
    Returns a dict. Raises nothing."""
    return {
        STANDIN_LABEL: "true",
        STANDIN_FOR_LABEL: image.name,
        DESCRIPTION_LABEL: f"dockerlab stand-in for {image.name}: {image.description}. Not the official image.",
    }


check_public(globals(), "bases")  # the one argument check, for every public function here
