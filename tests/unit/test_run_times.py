"""The "recorded run" columns of README.md and the instructor guide come from the recordings' provenance."""
from __future__ import annotations

from dockerlab.paths import COURSE_ROOT
from dockerlab.results import fill_run_times

TABLE = """| block | notebook | recorded run | plan for |
|---|---|---|---|
| start | 00 · Start here | 9 s | 10 min |
| morning | 02a · Running containers | 1 s² | 45 min |
| wrap-up | 07 · Summary | 2 s | 15 min |
| **total** | | **0 s** | 1 h |

| notebook | time |
|---|---|
| 03_layer_caching | 30 min |"""


def test_each_row_gets_its_notebooks_time_with_its_footnote_and_the_total_the_sum():
    filled = fill_run_times(TABLE, {"00": 2.4, "02a": 130.0, "03": 99.0})
    assert "| start | 00 · Start here | 2 s | 10 min |" in filled
    assert "| morning | 02a · Running containers | 130 s² | 45 min |" in filled
    assert "| wrap-up | 07 · Summary | — | 15 min |" in filled  # no recorded time: no invented one
    assert "| **total** | | **132 s (2 min)** | 1 h |" in filled
    assert filled.endswith("| 03_layer_caching | 30 min |")  # a table without the column is left alone
    assert fill_run_times(filled, {"00": 2.4, "02a": 130.0}) == filled


def test_readme_and_the_instructor_guide_show_the_recorded_run_times():
    for document in (COURSE_ROOT / "README.md", COURSE_ROOT / "docs" / "instructor.md"):
        text = document.read_text()
        assert fill_run_times(text) == text, f"{document.name}: run `dockerlab figures` (its run times differ from data/recorded/)"
