"""One table decides what an engine, CLI, registry or Compose message means: tested on real messages
captured on this machine (tests/fixtures/engine_messages.json) and through each caller."""
import json
from pathlib import Path

import pytest

from dockerlab import builder, compose, containers, engine
from dockerlab.bases.resolve import classify_pull_error
from dockerlab.diagnose import RULES, diagnose
from dockerlab.errors import ContainerFailed, DockerlabError

CAPTURED = json.loads((Path(__file__).parents[1] / "fixtures" / "engine_messages.json").read_text())


@pytest.mark.parametrize("case", CAPTURED["messages"], ids=lambda case: f"{case['context']}-{case['how']}")
def test_each_captured_message_gets_its_rule(case):
    assert diagnose(case["message"], case["context"]).rule == case["expect"]


def test_the_captures_cover_every_context_and_most_rules():
    assert {case["context"] for case in CAPTURED["messages"]} == {"build", "run", "pull", "compose", "connect"}
    covered = {case["expect"] for case in CAPTURED["messages"]}
    assert len(covered) >= 15, sorted(covered)


def test_rule_names_are_unique_and_every_rule_has_a_fix():
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    assert all(rule.fix and rule.meaning and rule.contexts for rule in RULES)


def test_the_port_is_named_in_the_fix():
    port = next(case for case in CAPTURED["messages"] if case["expect"] == "port-in-use" and case["context"] == "compose")
    assert "127.0.0.1:18931" in diagnose(port["message"], "compose").fix


def test_an_unknown_message_says_to_read_it_and_a_bad_context_is_an_error():
    assert diagnose("something new", "build").rule == "unknown"
    with pytest.raises(DockerlabError, match="no such context"):
        diagnose("x", "elsewhere")


def message(rule, context):
    return next(case["message"] for case in CAPTURED["messages"] if case["expect"] == rule and case["context"] == context)


def test_every_caller_uses_the_table():
    assert "build context" in builder._explain(message("missing-build-source", "build"))
    assert "does not resolve" in classify_pull_error(message("registry-offline", "pull"))[0]
    assert "healthcheck" in compose._fix_for(message("unhealthy", "compose"))
    assert engine._describe(FileNotFoundError(2, "No such file or directory")) == "the socket does not exist (no engine is running there)"

    class Refusal(Exception):
        explanation = message("port-in-use", "run")

    wrapped = containers._wrap(Refusal(), "alpine:3.20")
    assert isinstance(wrapped, ContainerFailed) and "already in use" in str(wrapped) and "127.0.0.1:18931" in wrapped.fix


def test_a_removed_containers_methods_are_container_failed_with_a_fix():
    import docker.errors

    class Removed:
        name = "dockerlab-web"

        def _gone(self, *args, **kwargs):
            raise docker.errors.NotFound("404", explanation="No such container: 0123abcd")

        logs = diff = stats = reload = exec_run = _gone

    box = containers.Container(Removed())
    for call in (box.logs, box.diff, box.memory_usage, box.shim_memory, lambda: box.exec("echo hi")):
        with pytest.raises(ContainerFailed, match="container dockerlab-web: the container no longer exists") as raised:
            call()
        assert "dl.start" in raised.value.fix


# Messages seen from the engine here (20.10.24) for the rules added in issue 16, word for word.
SEEN = {
    "image-in-use": ('conflict: unable to remove repository reference "dockerlab-test/inherited:latest" (must force) - '
                     "container 8796e10feb21 is using its referenced image 9340738a6ae0", "run"),
}


@pytest.mark.parametrize("rule", list(SEEN))
def test_messages_seen_since_the_captures_get_their_rule(rule):
    text, context = SEEN[rule]
    assert diagnose(text, context).rule == rule
