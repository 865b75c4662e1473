"""Remove what the course created: containers, networks and volumes it labelled when it made them,
and images labelled org.dockerlab.course=1 (stand-in bases only when asked)."""
from __future__ import annotations

import docker.errors

from . import engine
from .catalogue import catalogue_tags
from .labels import COURSE_FILTER, CREATED_FILTER, STANDIN_LABEL

__all__ = ["cleanup"]


def cleanup(*, bases: bool = False) -> dict:
    """Remove course containers, networks, volumes and images; returns how many of each, and what
    could not be removed (``"not removed"``: one line per object, with the engine's reason).

    Containers are removed only when the course created them (label ``org.dockerlab.created=1`` on the
    container itself): a container you started by hand from a course image inherits the image's
    course label and is left alone. Stand-in base images stay unless ``bases=True`` (they take
    minutes to build again). One object that cannot be removed does not stop the rest. Raises
    DockerUnavailable when no engine answers.
    """
    client = engine.client()
    removed: dict = {"containers": 0, "networks": 0, "volumes": 0, "images": 0, "not removed": []}

    def attempt(kind: str, name: str, action) -> None:
        try:
            action()
            removed[kind] += 1
        except docker.errors.NotFound:
            pass  # already gone (removed with its container, or by someone else meanwhile)
        except docker.errors.APIError as error:
            reason = str(error.explanation or error)
            if kind == "images" and "has dependent child images" in reason:
                return  # a layer of a kept base (or of an image built on it): it goes when they go
            removed["not removed"].append(f"{kind[:-1]} {name}: {reason}")

    for container in client.containers.list(all=True, filters={"label": CREATED_FILTER}):
        attempt("containers", container.name, lambda c=container: c.remove(force=True, v=True))
    for network in client.networks.list(filters={"label": COURSE_FILTER}):
        attempt("networks", network.name, network.remove)
    for volume in client.volumes.list(filters={"label": COURSE_FILTER}):
        attempt("volumes", volume.name, lambda v=volume: v.remove(force=True))
    # Newest first: an image built on another goes before its base.
    images = sorted(client.images.list(all=True, filters={"label": COURSE_FILTER}), key=lambda image: image.attrs.get("Created", ""), reverse=True)
    for image in images:
        labels = image.labels or {}
        if not bases and labels.get(STANDIN_LABEL) == "true" and _is_base(image):
            continue
        attempt("images", ", ".join(image.tags) or image.short_id, lambda i=image: client.api.remove_image(i.id, force=True))
    return removed


def _is_base(image) -> bool:
    """A stand-in base itself. (Its untagged parent images cannot be removed while it exists.)"""
    return bool(set(image.tags) & catalogue_tags())
