"""Exercises: a static tier that judges the learner's text with no engine, the live tier that builds
and measures, and a worked solution for each (``dl.check.solution("03")``)."""
from __future__ import annotations

import importlib

__all__ = ["solution", "exercise", "EXERCISES"]


def __getattr__(name: str):
    # The catalogue calls dl.check, which imports this package: load it on first use.
    if name in ("solution", "exercise", "EXERCISES"):
        return getattr(importlib.import_module(f"{__name__}.catalogue"), name)
    raise AttributeError(name)
