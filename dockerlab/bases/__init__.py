"""Every base image the course uses, and how each becomes available on this machine.
Resolution per image, in order: present locally -> pulled from its registry -> a stand-in built
from Debian packages. A stand-in is tagged with the official name (so ``FROM python:3.11-slim``
works unchanged) and labelled so that no table mistakes it for the official image.

The catalogue itself (names, recipes, what a stand-in is) is :mod:`dockerlab.catalogue`.
"""
from __future__ import annotations

from ..catalogue import (
    CATALOGUE,
    HOST_BUILT,
    RECIPES,
    BaseImage,
    build_order,
    built_on_standin,
    catalogue_image,
    catalogue_tags,
    is_standin,
    normalise_tag,
    recipe_bases,
    recipe_text,
    standin_labels,
)
from .hostca import host_extra_cas, with_host_ca
from .resolve import ensure, load_bundle, prepare, registry_status, save_bundle

__all__ = [
    "BaseImage", "CATALOGUE", "HOST_BUILT", "RECIPES", "catalogue_image", "catalogue_tags", "normalise_tag", "build_order",
    "recipe_text", "recipe_bases", "is_standin", "built_on_standin", "standin_labels",
    "host_extra_cas", "with_host_ca", "ensure", "prepare", "registry_status", "save_bundle", "load_bundle",
]
