"""Exercise verdicts, right and wrong answers, without an engine."""
from dockerlab.check import CheckResult, judge_output, output_contains
from dockerlab.containers import RunResult


def test_right_output_passes():
    verdict = judge_output("x", 0, "Hello, Docker learner!\n", "Hello, Docker learner!")
    assert verdict.passed and bool(verdict)
    assert "✔" in verdict._repr_html_()


def test_missing_line_says_what_was_printed():
    verdict = judge_output("x", 0, "Hello, world\n", "Hello, Docker learner!")
    assert not verdict.passed
    assert "Hello, world" in verdict.messages[0] and "expected the line" in verdict.messages[0]


def test_nothing_printed_is_named():
    verdict = judge_output("x", 0, "", "Hello, Docker learner!")
    assert not verdict.passed and "(nothing)" in verdict.messages[0]


def test_a_crash_fails_even_when_the_line_appears():
    verdict = judge_output("x", 1, "Hello, Docker learner!\nTraceback ...\n", "Hello, Docker learner!")
    assert not verdict.passed and "exited with code 1" in verdict.messages[0]


def test_a_line_must_match_whole_not_as_a_substring():
    assert not judge_output("x", 0, "xVERSION_ID=3.20x\n", "VERSION_ID=3.20").passed
    assert judge_output("x", 0, "NAME=alpine\nVERSION_ID=3.20\n", "VERSION_ID=3.20").passed


def test_output_contains_judges_a_run_result():
    right = RunResult("alpine:3.20", "grep VERSION_ID /etc/os-release", 0, "VERSION_ID=3.20\n", 0.2)
    wrong = RunResult("alpine:3.20", "echo hi", 0, "hi\n", 0.2)
    assert output_contains(right, "VERSION_ID=3.20").passed
    assert not output_contains(wrong, "VERSION_ID=3.20").passed
    assert "NOT YET" in str(output_contains(wrong, "VERSION_ID=3.20"))
