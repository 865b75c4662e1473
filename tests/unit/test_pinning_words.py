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
