"""A tag is a name its owner can move; only a digest pins a base. The course's exercise texts say so."""
from __future__ import annotations

import re

from dockerlab.exercises import catalogue
from dockerlab.exercises.verdict import HARDENING_FIXES

CALLS_A_TAG_PINNED = re.compile(r"pinned base|pins? the base (to|with) a version tag", re.IGNORECASE)


def course_texts() -> dict[str, str]:
    texts = {f"fix for {rule}": fix for rule, fix in HARDENING_FIXES.items()}
    for number, exercise in catalogue.EXERCISES.items():
        texts[f"{number} solution"] = exercise.solution_text()
        texts.update({f"{number} reason for {change}": reason for change, reason in exercise.changes})
    return texts


def test_no_exercise_text_calls_a_version_tag_pinned():
    wrong = {where: text for where, text in course_texts().items() if CALLS_A_TAG_PINNED.search(text)}
    assert not wrong, wrong


def test_the_hardening_solution_says_tags_move_and_digests_pin():
    hardening = catalogue.EXERCISES["06"]
    first_line = hardening.solution_text().splitlines()[0]
    tag_reason = next(reason for change, reason in hardening.changes if "FROM python:3.11-slim" in change)
    for text in (first_line, tag_reason, HARDENING_FIXES["DL3006"], HARDENING_FIXES["DL3007"]):
        assert "tags move" in text and "digest" in text, text


def test_the_exercise_asks_for_a_fixed_version_and_keeps_pinning_for_the_digest():
    import json
    from pathlib import Path

    notebook = json.loads((Path(__file__).parents[2] / "notebooks" / "06_security.ipynb").read_text())
    exercise = next("".join(cell["source"]) for cell in notebook["cells"] if "Harden `exercise.Dockerfile`" in "".join(cell["source"]))
    assert "pin the base image" not in exercise and "fixed version" in exercise and "digest" in exercise
    texts = {**course_texts(), "the exercise in 06": exercise}
    asks_for_a_tag = {where: text for where, text in texts.items() if re.search(r"\bpin(ned|s)?\b[^.;]*\bversion tag", text, re.IGNORECASE)}
    assert not asks_for_a_tag, asks_for_a_tag  # "pin ... a version tag": a tag is a fixed version, not a pin
