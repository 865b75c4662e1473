"""Remove what the course created: everything labelled org.dockerlab.course=1."""
from __future__ import annotations

import docker.errors

from . import engine
from .labels import COURSE_FILTER, STANDIN_LABEL

__all__ = ["cleanup"]


def cleanup(*, keep_bases: bool = False) -> dict[str, int]:
    """Remove course containers, networks, volumes and images; returns how many of each.

    ``keep_bases`` keeps the stand-in base images (they take minutes to build again).
    """
    client = engine.client()
    filters = {"label": COURSE_FILTER}
    removed = {"containers": 0, "networks": 0, "volumes": 0, "images": 0}
    for container in client.containers.list(all=True, filters=filters):
        container.remove(force=True, v=True)
        removed["containers"] += 1
    for network in client.networks.list(filters=filters):
        try:
            network.remove()
            removed["networks"] += 1
        except docker.errors.APIError:
            pass
    for volume in client.volumes.list(filters=filters):
        try:
            volume.remove(force=True)
            removed["volumes"] += 1
        except docker.errors.APIError:
            pass
    # Newest first: an image built on another goes before its base.
    images = sorted(client.images.list(all=True, filters=filters), key=lambda image: image.attrs.get("Created", ""), reverse=True)
    for image in images:
        labels = image.labels or {}
        if keep_bases and labels.get(STANDIN_LABEL) == "true" and _is_base(image):
            continue
        try:
            client.api.remove_image(image.id, force=True)
            removed["images"] += 1
        except docker.errors.APIError:
            pass
    return removed


def _is_base(image) -> bool:
    """A stand-in base itself. (Its untagged parent images cannot be removed while it exists.)"""
    from .bases import catalogue_tags

    return bool(set(image.tags) & catalogue_tags())
