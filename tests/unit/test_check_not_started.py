"""Every checker that starts a container of the learner's image turns a container the engine cannot start
into a failing verdict (the engine's reason in one sentence, what to do next), never a traceback; the two
tiers keep the static hints beside it (issue 21: 02a's `CMD ["python app.py"]` raised ContainerFailed).
Fakes stand in for the engine: the builds "succeed", the start fails as the engine refuses it."""
from __future__ import annotations

import pandas as pd
import pytest

import dockerlab.check as check
from dockerlab.errors import ContainerFailed
from dockerlab.exercises.catalogue import EXERCISES

REASON = ('the command does not exist in the image (OCI runtime create failed: exec: "python app.py": '
          "executable file not found in $PATH: unknown).")


def refused(image, *arguments, **keywords):
    raise ContainerFailed(image if isinstance(image, str) else "dockerlab-exercise/x:y", "start", REASON, "Check the CMD.")


@pytest.fixture
def engine_refuses_to_start(monkeypatch):
    """Builds pass; every way check.py starts a container (run, serve, _create_and_start) is refused."""
    started = []

    def refuse(*arguments, **keywords):
        started.append(arguments)
        refused(*arguments[1:] if arguments and not isinstance(arguments[0], str) else arguments)

    monkeypatch.setattr(check, "current", lambda: "live")
    monkeypatch.setattr(check, "build_replacing", lambda *arguments, **keywords: None)
    monkeypatch.setattr(check, "run", refuse)
    monkeypatch.setattr(check, "serve", refuse)
    monkeypatch.setattr(check, "_create_and_start", refuse)
    monkeypatch.setattr(check.engine, "client", lambda: object())
    monkeypatch.setattr(check, "image_size", lambda tag: 10_000_000)
    monkeypatch.setattr(check, "inspect_image", lambda tag: {})
    monkeypatch.setattr(check, "lint", lambda dockerfile, app_dir: pd.DataFrame(columns=["rule", "not_applicable"]))
    monkeypatch.setattr(check, "audit", lambda tag: pd.DataFrame([{"user": "1000", "runs_as_root": False}]))
    monkeypatch.setattr(check, "find_secrets", lambda tag: pd.DataFrame(columns=["where"]))
    return started


# every exercise whose check starts a container of the learner's image (03 only builds, 05 is Compose's)
STARTING = ["00", "01", "02", "02a", "04", "06"]


@pytest.mark.parametrize("number", STARTING)
def test_a_right_answer_whose_container_the_engine_refuses_is_a_failing_verdict_with_the_reason(number, engine_refuses_to_start):
    verdict = EXERCISES[number].check(EXERCISES[number].solution_text())
    assert engine_refuses_to_start, "the fake start was never reached: the check no longer starts a container here"
    assert not verdict.passed and verdict.live == "measured", str(verdict)
    text = str(verdict)
    assert f"{check.NOT_STARTED}: {REASON}" in text and "Next: " in text.split(check.NOT_STARTED, 1)[1], text


def test_02a_cmd_as_one_json_string_keeps_its_static_hint_beside_the_engines_reason(engine_refuses_to_start):
    wrong = EXERCISES["02a"].solution_text().replace('CMD ["python", "app.py"]', 'CMD ["python app.py"]')
    assert 'CMD ["python app.py"]' in wrong
    verdict = EXERCISES["02a"].check(wrong)
    text = str(verdict)
    assert not verdict.passed and verdict.live == "measured", text
    assert "JSON list of one string" in text, text  # the static tier's hint, kept
    assert REASON in text and 'CMD ["python", "app.py"]' in text, text


def test_image_prints_of_a_container_the_engine_refuses_is_a_not_yet(engine_refuses_to_start):
    verdict = check.image_prints("my-greeter:1", "hello")
    assert not verdict.passed and REASON.rstrip(".") in str(verdict), str(verdict)


def test_every_check_that_starts_a_container_is_covered_here():
    """A new checker that starts containers (dl.run, serve or _create_and_start, or the shared build-and-run) must
    be added to STARTING (or get a test of its own, as image_prints has) above."""
    import inspect

    starts = {name for name in check.__all__ if callable(getattr(check, name, None))
              and any(call in inspect.getsource(inspect.unwrap(getattr(check, name)))
                      for call in (" run(", " serve(", "_create_and_start(", "_builds_and_prints("))}
    covered = {name for number in STARTING for name in EXERCISES[number].checker.__code__.co_names if name in check.__all__}
    assert "keeps_running_and_stops" in starts and "command_prints" in starts, starts  # the search finds them
    assert starts <= covered | {"image_prints"}, starts - covered


def refusing(monkeypatch, reason, rule):
    """Every way check.py starts a container is refused with ``reason``, read by the diagnose rule ``rule``."""

    def refuse(*arguments, **keywords):
        raise ContainerFailed("dockerlab-exercise/x:y", "start", reason, "Create the user in the Dockerfile.", rule=rule)

    for name in ("run", "serve", "_create_and_start"):
        monkeypatch.setattr(check, name, refuse)


@pytest.mark.parametrize("number", STARTING)
def test_a_user_the_image_lacks_gets_the_users_next_step_not_the_commands(number, engine_refuses_to_start, monkeypatch):
    """A verifier's break: 02a's `USER ghost` was told to write its CMD with each word in its own string."""
    reason = "the user does not exist in the image (unable to find user ghost: no matching entries in passwd file)."
    refusing(monkeypatch, reason, "no-such-user")
    said = str(EXERCISES[number].check(EXERCISES[number].solution_text())).split(check.NOT_STARTED, 1)[1]
    assert reason in said and check.USER_MISSING_NEXT in said and "each word" not in said, said


@pytest.mark.parametrize("number", STARTING)
def test_the_next_step_follows_the_errors_diagnose_rule_not_the_words_of_its_reason(number, engine_refuses_to_start, monkeypatch):
    """The checkers ask ContainerFailed.rule (the rule that read the engine's message), never the reason's text."""
    words = "the user does not exist in the image (a command's own output, in words that only look like the rule's)."
    refusing(monkeypatch, words, "no-such-command")
    said = str(EXERCISES[number].check(EXERCISES[number].solution_text())).split(check.NOT_STARTED, 1)[1]
    assert check.USER_MISSING_NEXT not in said, said
    refusing(monkeypatch, "unable to find user ghost: no matching entries in passwd file.", "no-such-user")
    said = str(EXERCISES[number].check(EXERCISES[number].solution_text())).split(check.NOT_STARTED, 1)[1]
    assert check.USER_MISSING_NEXT in said, said


def test_the_engines_refusal_of_a_user_carries_its_rule():
    """Through the one reader of the engine's refusals (containers._wrap), with the message seen from the engine here."""
    import docker.errors

    from dockerlab import containers

    refusal = docker.errors.APIError("400 Client Error", explanation="unable to find user nosuchuser: no matching entries in passwd file")
    wrapped = containers._wrap(refusal, "dockerlab-exercise/x:y")
    assert isinstance(wrapped, ContainerFailed) and wrapped.rule == "no-such-user", vars(wrapped)
    assert check._start_step(wrapped.rule, "the command step") == check.USER_MISSING_NEXT
    unknown = containers._wrap(docker.errors.APIError("500", explanation="something new"), "dockerlab-exercise/x:y")
    assert unknown.rule == "unknown" and check._start_step(unknown.rule, "the command step") == "the command step"
    assert ContainerFailed("c", "inspect", "no such name", "fix").rule == ""  # the course's own finding: no rule
