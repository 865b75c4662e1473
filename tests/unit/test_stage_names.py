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


def test_the_final_image_user_follows_from_as_buildkit_does_and_the_lint_knows_a_capital_from_is_a_stage_to_the_classic_builder():
    from dockerlab.security import _false_positive, _final_user_line, _stage_names

    lowered = TWO.format(name="builder", word="builder", copy="builder")
    capital = TWO.format(name="builder", word="BUILDER", copy="builder")
    assert _final_user_line(lowered) == 2  # the final stage inherits USER root from its base stage
    assert _final_user_line(capital) is None  # FROM BUILDER is no stage: nothing inherited
    lines = capital.splitlines()
    said = _false_positive({"code": "DL3006", "line": 4}, lines, _stage_names(lines))  # #22 (a verifier): it said "" (applies)
    assert "earlier stage `builder` on the classic builder" in said and "BuildKit refuses it" in said and "`FROM builder`" in said
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


@pytest.mark.parametrize("name, word, built_on", [
    ("builder", "BUILDER", True), ("Builder", "bUiLdEr", True), ("builder", "builder", True),  # the classic builder: any case
    ("builder", "0", False), ("builder", "alpine:3.20", False),
])
def test_a_from_names_a_stage_in_any_case_as_the_classic_builder_matches_it(name, word, built_on):
    """#22 (a verifier): measured with dl.build(builder='classic') and the 20.10 CLI (DOCKER_BUILDKIT=0): `FROM BUILDER`
    after `AS builder` built on the stage (its RUN's layer, 3 B, in the image)."""
    parsed = parse(TWO.format(name=name, word=word, copy="x"))
    assert (parsed.base_stage(parsed.final, "classic") is parsed.stages[0]) is built_on
    assert (parsed.base_stage(parsed.final) is parsed.stages[0]) is (word == name.lower())  # BuildKit's rule unchanged


# `docker history` (engine API, newest first) of the image the classic builder made (engine 20.10.24, 2026-11-30) from
# `FROM alpine:3.20 AS builder` / `RUN echo hi > /x` / `FROM BUILDER` / `RUN echo c > /c` with the course label
# (the course's alpine:3.20 stand-in below, built by BuildKit); then what BuildKit writes for the same lines.
CLASSIC_CAPITAL_FROM = [
    {"Id": "sha256:a65f2ea85331", "Created": 1796040221, "CreatedBy": "/bin/sh -c #(nop)  LABEL org.dockerlab.course=1", "Size": 0, "Comment": ""},
    {"Id": "sha256:87f6b13912ba", "Created": 1796040220, "CreatedBy": "/bin/sh -c echo c > /c", "Size": 2, "Comment": ""},
    {"Id": "sha256:9b1f4ef73bc3", "Created": 1796040220, "CreatedBy": "/bin/sh -c echo hi > /x", "Size": 3, "Comment": ""},
    {"Id": "sha256:fa2925a8c006", "Created": 1796040113, "CreatedBy": "CMD [\"/bin/sh\"]", "Size": 0, "Comment": "buildkit.dockerfile.v0"},
    {"Id": "<missing>", "Created": 1796040113, "CreatedBy": "RUN /bin/sh -c echo ok | grep -q ok && wget --help >/dev/null 2>&1; sh -c 'exit 0' # buildkit",
     "Size": 0, "Comment": "buildkit.dockerfile.v0"},
    {"Id": "<missing>", "Created": 1796040113, "CreatedBy": "ENV PATH=/bin", "Size": 0, "Comment": "buildkit.dockerfile.v0"},
    {"Id": "<missing>", "Created": 1796040112, "CreatedBy": "COPY /rootfs/ / # buildkit", "Size": 2207504, "Comment": "buildkit.dockerfile.v0"},
]
CAPITAL = "FROM alpine:3.20 AS builder\nRUN echo hi > /x\nFROM BUILDER\nRUN echo c > /c\n"


def _capital_table(history):
    from dockerlab.images import layers_from_history

    table = layers_from_history(history)
    table.loc[:3, "base"] = "alpine:3.20 (stand-in)"  # what layers() finds: the stand-in's 4 entries are the oldest rows
    table.attrs["base_onbuild"] = []
    return table


def test_dockerfile_layers_follow_a_capital_from_as_the_classic_builder_that_made_the_image():
    """#22 (a verifier): `FROM BUILDER` was read as the image alpine:3.20 and the builder stage's layer (3 B) was lost."""
    from dockerlab.matching import history_builder, match_layers

    assert history_builder(CLASSIC_CAPITAL_FROM) == "classic"
    table = _capital_table(CLASSIC_CAPITAL_FROM)
    assert table.attrs["builder"] == "classic"
    rows = match_layers(CAPITAL, table)
    assert list(rows["dockerfile_line"]) == ["1: FROM alpine:3.20", "2: RUN echo hi > /x (stage builder)", "3: FROM BUILDER", "4: RUN echo c > /c"]
    assert list(rows["size"]) == [2207504, 3, 0, 2] and rows["size"].sum() == sum(entry["Size"] for entry in CLASSIC_CAPITAL_FROM)


def test_history_builder_reads_the_newest_entry_as_each_builder_writes_it():
    from dockerlab.matching import history_builder

    buildkit = [{"CreatedBy": "LABEL org.dockerlab.course=1"}, {"CreatedBy": "RUN /bin/sh -c echo c > /c # buildkit"}]
    assert history_builder(buildkit) == "buildkit" and history_builder(buildkit[1:]) == "buildkit"
    assert history_builder([{"CreatedBy": "/bin/sh -o pipefail -c #(nop)  CMD [\"x\"]"}]) == "classic"  # under another SHELL
    assert history_builder([{"CreatedBy": "|1 V=2 /bin/sh -c make"}, {"CreatedBy": "COPY a /a # buildkit"}]) == "classic"
    assert history_builder([{"CreatedBy": ""}, {"CreatedBy": "/bin/sh -c #(nop)  ENV A=1"}]) == "classic"  # an empty entry says nothing
    assert history_builder([]) == "" and history_builder([{"CreatedBy": ""}]) == ""
    table = _capital_table(CLASSIC_CAPITAL_FROM[3:])  # the stand-in alone: BuildKit's
    assert table.attrs["builder"] == "buildkit"
