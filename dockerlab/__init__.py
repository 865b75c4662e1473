"""dockerlab: build real images, measure them, and teach Docker with the numbers.

In a notebook: ``import dockerlab as dl`` then ``dl.doctor()``, ``dl.prepare()``, ``dl.build(...)``.
"""
from . import bases, engine, experiments, plots
from .bases import prepare
from .builder import BuildResult, build
from .cleanup import cleanup
from .images import compare, diff, image_size, layers, wasted_space
from .readiness import doctor
from .errors import BaseImageUnavailable, BuildFailed, DockerlabError, DockerUnavailable

__all__ = [
    "engine",
    "bases",
    "doctor",
    "prepare",
    "build",
    "BuildResult",
    "layers",
    "image_size",
    "compare",
    "diff",
    "wasted_space",
    "experiments",
    "plots",
    "cleanup",
    "DockerlabError",
    "DockerUnavailable",
    "BuildFailed",
    "BaseImageUnavailable",
]
