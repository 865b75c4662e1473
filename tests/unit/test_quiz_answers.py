"""dl.check.quiz reads answers in the forms a learner types: int or str question numbers, letters in
any case with spaces or a bracket, the choice's own words, or a list in question order; an answer that is
really missing, or a key that names no question, is named."""
import pytest

import dockerlab as dl
from dockerlab.quizzes import quiz_of


def spoken(choices) -> str:
    letters = list(choices)
    return f"{', '.join(letters[:-1])} or {letters[-1]}"


def right_answers(notebook: str) -> dict[int, str]:
    return {number: correct for number, (_, _, correct, _) in quiz_of(notebook).items()}


@pytest.mark.parametrize("notebook", ["01", "02", "03", "04", "05", "06", "07"])
@pytest.mark.parametrize("form", [
    lambda number, letter: (str(number), letter),  # {"1": "b"}
    lambda number, letter: (f" {number} ", f" {letter.upper()} "),  # {" 1 ": " B "}
    lambda number, letter: (f"Q{number}", f"{letter})"),  # {"Q1": "b)"}
    lambda number, letter: (f"question {number}", f"({letter})"),  # {"question 1": "(b)"}
    lambda number, letter: (f"{number}.", f"{letter}."),  # {"1.": "b."}
], ids=["str keys", "spaces and capitals", "Q1 and b)", "question 1 and (b)", "1. and b."])
def test_every_quiz_accepts_the_forms_a_learner_types(notebook, form):
    answers = dict(form(number, letter) for number, letter in right_answers(notebook).items())
    verdict = dl.check.quiz(answers, notebook=notebook)
    assert verdict.passed, str(verdict)
    assert verdict.messages[0] == f"{len(answers)} of {len(answers)} right"


def test_a_list_in_question_order_and_the_choice_text_are_answers():
    answers = right_answers("03")
    assert dl.check.quiz(list(answers.values()), notebook="03").passed
    assert dl.check.quiz(tuple(letter.upper() for letter in answers.values()), notebook="03").passed
    _, choices, correct, _ = quiz_of("03")[2]
    worded = {**answers, 2: f"  {choices[correct].upper()} "}
    assert dl.check.quiz(worded, notebook="03").passed


def test_a_wrong_answer_in_another_form_is_judged_wrong_not_missing():
    answers = {str(number): letter for number, letter in right_answers("01").items()}
    wrong = next(letter for letter in quiz_of("01")[1][1] if letter != answers["1"])
    verdict = dl.check.quiz({**answers, "1": wrong.upper()}, notebook="01")
    assert not verdict.passed and verdict.messages[0] == "2 of 3 right"
    assert verdict.messages[1].startswith(f"question 1: not {wrong} (") and "no answer yet" not in str(verdict)


def test_a_missing_answer_names_its_question_and_its_choices():
    answers = right_answers("05")
    del answers[2]
    verdict = dl.check.quiz({**answers, 3: "  "}, notebook="05")
    missing = [message for message in verdict.messages if "no answer yet" in message]
    assert [message.split(":")[0] for message in missing] == ["question 2", "question 3"], str(verdict)
    question, choices, _, _ = quiz_of("05")[2]
    assert question in missing[0] and f"choose {spoken(choices)}" in missing[0]


def test_a_letter_that_is_no_choice_and_a_key_that_is_no_question_are_named():
    answers = right_answers("02")
    verdict = dl.check.quiz({**answers, 2: "e", 7: "a", "x": "b"}, notebook="02")
    said = " | ".join(verdict.messages)
    assert not verdict.passed and verdict.messages[0] == "2 of 3 right"
    assert f"question 2: 'e' is not one of the choices ({spoken(quiz_of('02')[2][1])})" in said, said
    assert "there is no question 7 in this quiz (its questions are 1 to 3)" in said, said
    assert "there is no question 'x' in this quiz" in said, said


def test_one_question_answered_twice_differently_is_named():
    answers = right_answers("02")
    other = next(letter for letter in quiz_of("02")[1][1] if letter != answers[1])
    verdict = dl.check.quiz({**answers, "1": other}, notebook="02")
    assert not verdict.passed and any(message.startswith("question 1: answered twice") for message in verdict.messages), str(verdict)
    same = dl.check.quiz({**answers, "1": answers[1].upper()}, notebook="02")
    assert same.passed, str(same)


@pytest.mark.parametrize("answers", ["b", 3, None])
def test_answers_of_another_kind_are_a_clear_error(answers):
    with pytest.raises(dl.DockerlabError, match="Quiz answers must be a dict"):
        dl.check.quiz(answers, notebook="01")


@pytest.mark.parametrize("notebook", ["01", "07"])
def test_an_answer_to_a_question_the_quiz_does_not_have_is_refused_naming_the_questions(notebook):
    answers = right_answers(notebook)
    count = len(quiz_of(notebook))
    verdict = dl.check.quiz({**answers, count + 1: "a"}, notebook=notebook)
    said = " | ".join(verdict.messages)
    assert not verdict.passed, said
    assert f"there is no question {count + 1} in this quiz (its questions are 1 to {count})" in said and "refused" in said and "Next:" in said
    listed = dl.check.quiz([*answers.values(), "a"], notebook=notebook)
    assert not listed.passed and f"{count} in all" in " | ".join(listed.messages)
    assert dl.check.quiz([*answers.values(), ""], notebook=notebook).passed  # a blank left at the end of a list names nothing
