"""#22 leftovers: which stage a FROM names, as BuildKit reads it (moby/buildkit dockerfile2llb: a stage's name is
kept in lowercase, `AS Builder` is `builder`; addState looks the FROM word up as written, so `FROM BUILDER` is an
image, and BuildKit stops: repository name must be lowercase), while `COPY --from=` and `--target` take a name in
any case (findStateByName lowercases it) or a stage's number. Every place the course follows a FROM agrees.
Measured with /usr/bin/docker build (20.10.24, 2026-11-30): `FROM alpine:3.20 AS builder` ... `FROM BUILDER` fails
under BuildKit with `failed to parse stage name "BUILDER": invalid reference format: repository name must be
lowercase`; `AS Builder` ... `FROM builder` builds; the classic builder (DOCKER_BUILDKIT=0) took FROM BUILDER as the stage."""
import pytest

from dockerlab.dockerfile import parse

TWO = "FROM alpine:3.20 AS {name}\nUSER root\nRUN true\nFROM {word}\nCOPY --from={copy} /etc/hostname /h\n"


@pytest.mark.parametrize("name, word, built_on", [
    ("builder", "builder", True), ("Builder", "builder", True),  # the name is kept in lowercase: FROM builder finds AS Builder
    ("builder", "BUILDER", False), ("Builder", "Builder", False),  # a FROM word in capitals is an image name
    ("builder", "0", False),  # a number is an image too: only COPY --from= takes a stage's number
])
def test_a_from_names_a_stage_only_as_buildkit_keeps_its_name(name, word, built_on):
    parsed = parse(TWO.format(name=name, word=word, copy=word))
    assert (parsed.base_stage(parsed.final) is parsed.stages[0]) is built_on
    assert parsed.stage(word) is parsed.stages[0]  # COPY --from=BUILDER, --from=0: the stage, in any case


def test_the_last_earlier_stage_of_a_name_is_the_one_a_from_builds_on():
    parsed = parse("FROM alpine:3.20 AS b\nFROM debian:12 AS b\nFROM b\n")
    assert parsed.base_stage(parsed.final) is parsed.stages[1]


def test_the_final_image_user_and_the_lint_follow_from_as_buildkit_does():
    from dockerlab.security import _false_positive, _final_user_line, _stage_names

    lowered = TWO.format(name="builder", word="builder", copy="builder")
    capital = TWO.format(name="builder", word="BUILDER", copy="builder")
    assert _final_user_line(lowered) == 2  # the final stage inherits USER root from its base stage
    assert _final_user_line(capital) is None  # FROM BUILDER is no stage: nothing inherited
    lines = capital.splitlines()
    assert _false_positive({"code": "DL3006", "line": 4}, lines, _stage_names(lines)) == ""  # an image without a tag, for BuildKit
    lines = lowered.splitlines()
    assert "earlier stage" in _false_positive({"code": "DL3006", "line": 4}, lines, _stage_names(lines))


def test_the_layers_a_final_image_holds_follow_from_as_buildkit_does():
    from dockerlab.builder import _final_lineage, _stages

    assert _final_lineage(_stages(TWO.format(name="Builder", word="builder", copy="x")), None) == {"builder", "stage-1"}
    assert _final_lineage(_stages(TWO.format(name="builder", word="BUILDER", copy="x")), None) == {"stage-1"}
    assert _final_lineage(_stages(TWO.format(name="builder", word="builder", copy="x")), "BUILDER") == {"builder"}  # --target: any case


def test_the_static_check_says_a_capital_from_is_no_stage(tmp_path):
    from dockerlab.exercises.static import StaticReport, _read

    (tmp_path / "main.go").write_text("package main\n")
    report = StaticReport()
    _read(tmp_path, "FROM golang:1.21 AS builder\nCOPY main.go .\nFROM BUILDER\nCMD [\"true\"]\n", report)
    said = [finding.render() for finding in report.findings if "BUILDER" in finding.render()]
    assert len(said) == 1 and "line 3" in said[0] and "write `FROM builder`" in said[0] and report.blocking, said
    report = StaticReport()
    _read(tmp_path, "FROM golang:1.21 AS Builder\nCOPY main.go .\nFROM builder\nCMD [\"true\"]\n", report)
    assert not [finding for finding in report.findings if "lowercase" in finding.render()]
