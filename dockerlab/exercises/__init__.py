"""Exercises: a static tier that judges the learner's text with no engine, the live tier that builds
and measures, and a worked solution for each (``dl.check.solution("03")``)."""
from __future__ import annotations

from .catalogue import EXERCISES, exercise, solution

__all__ = ["solution", "exercise", "EXERCISES"]
