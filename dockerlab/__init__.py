"""dockerlab: build real images, measure them, and teach Docker with the numbers.

In a notebook: ``import dockerlab as dl`` then ``dl.mode()``, ``dl.doctor()``, ``dl.prepare()``, ``dl.build(...)``.
Without a Docker engine the same calls replay results recorded on a real one (``dl.mode()`` says which).
Every image analysis also reads an image archive (``docker save`` of any version, OCI archives and
layouts) with no engine at all; ``dl.fetch_image`` copies one from a registry (:mod:`dockerlab.archive`).
"""
from . import (
    archive,
    bases,
    buildkit,
    check,
    compose,
    diagnose,
    engine,
    experiments,
    layerfs,
    paths,
    plots,
    quizzes,
    registry,
    results,
    running,
    security,
    tables,
    units,
    vm,
    web,
)
from .bases import prepare
from .builder import BuildResult, build
from .cleanup import cleanup
from .containers import run, serve, start
from .fetch import FetchedImage, fetch_image
from .errors import (
    BaseImageUnavailable,
    BuildFailed,
    DockerlabError,
    DockerUnavailable,
    RecordingMissing,
)
from .differences import compare, diff
from .images import (
    dockerfile_layers,
    file_size,
    image_id,
    image_size,
    layers,
    remove,
    wasted_space,
)
from .layerfs import inspect_image
from .magics import load_ipython_extension
from .magics import register_in_running_kernel as _register_magics
from .readiness import doctor
from .recording import mode

__all__ = [
    "mode",
    "engine",
    "bases",
    "doctor",
    "prepare",
    "build",
    "buildkit",
    "BuildResult",
    "layers",
    "layerfs",
    "inspect_image",
    "archive",
    "fetch_image",
    "FetchedImage",
    "diagnose",
    "dockerfile_layers",
    "image_id",
    "remove",
    "image_size",
    "compare",
    "diff",
    "wasted_space",
    "experiments",
    "compose",
    "security",
    "web",
    "plots",
    "run",
    "start",
    "serve",
    "file_size",
    "results",
    "running",
    "check",
    "quizzes",
    "registry",
    "vm",
    "paths",
    "units",
    "cleanup",
    "DockerlabError",
    "DockerUnavailable",
    "BuildFailed",
    "BaseImageUnavailable",
    "RecordingMissing",
    "load_ipython_extension",
]

_register_magics()  # %docker and %%docker in a running kernel
# DataFrames, lists of headlines and dicts of measured facts shown with units and readable figures
tables.register_in_running_kernel({list: results.list_html, dict: tables.facts_html})
