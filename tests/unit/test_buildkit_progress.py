"""BuildKit's plain progress parsed from real logs: this machine's 20.10 client
(tests/fixtures/record_buildkit_logs.py) and buildx logs from public bug reports (tests/fixtures/buildkit/public)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from dockerlab import builder as build_module
from dockerlab.buildkit import PlainProgressParser
from dockerlab.builder import BuildStep

HERE = Path(__file__).parents[1] / "fixtures" / "buildkit"


def parse(name: str, folder: Path = HERE) -> PlainProgressParser:
    parser = PlainProgressParser()
    for number, line in enumerate((folder / name).read_text().splitlines()):
        parser.feed(line, number * 0.01)
    return parser


def meta(name: str) -> dict:
    return json.loads((HERE / f"{name}.json").read_text())


def test_cold_build_steps_stages_and_timings():
    parser = parse("ok.log")
    steps = parser.steps
    # CMD changes only the image config: BuildKit shows no vertex for it
    assert [v.instruction for v in steps] == ["FROM docker.io/library/alpine:3.20", "WORKDIR /app", "COPY hello.txt .", "RUN head -c 1000 /dev/urandom > /r"]
    assert [(v.index, v.total) for v in steps] == [(i, 4) for i in range(1, 5)]
    assert all(v.stage is None for v in steps)  # a single unnamed stage has no stage label
    assert not any(v.cached for v in steps[1:])
    assert all(v.seconds is not None for v in steps)
    assert parser.reason is None and parser.exit_code() is None
    assert parser.context_bytes() is not None


def test_rebuild_reports_every_step_cached():
    parser = parse("ok_cached.log")
    assert [v.cached for v in parser.steps[1:]] == [True, True, True]
    assert all(v.seconds == 0.0 for v in parser.steps[1:])


def test_failing_run_step_exit_code_and_vertex():
    parser = parse("fail_exit3.log")
    assert parser.failed_vertex.instruction == "RUN exit 3"
    assert (parser.failed_vertex.index, parser.failed_vertex.total) == (3, 3)
    assert parser.exit_code() == 3
    assert "exit code: 3" in parser.reason


def test_multi_stage_names_stages_and_skips_the_unused_one():
    parser = parse("multistage_skip.log")
    assert [(v.stage, v.instruction.split()[0]) for v in parser.steps] == [("builder", "FROM"), ("builder", "RUN"), ("stage-2", "COPY")]
    assert not any("slow tests" in (v.instruction or "") for v in parser.steps)  # BuildKit never ran the tests stage


def test_secret_mount_step_is_parsed_with_its_flag():
    parser = parse("secret_mount.log")
    assert parser.steps[-1].instruction.startswith("RUN --mount=type=secret,id=token")
    assert parser.reason is None


@pytest.mark.parametrize(
    "name, words",
    [("missing_copy_source", "not found"), ("missing_base", "dockerlab-nosuch/base"), ("parse_error", "unknown instruction: RUNN")],
)
def test_failures_before_or_outside_run_steps_keep_their_reason(name, words):
    parser = parse(f"{name}.log")
    assert meta(name)["returncode"] != 0
    assert words in parser.reason


def test_fix_for_buildkit_messages():
    assert "COPY/ADD source" in build_module._explain(parse("missing_copy_source.log").reason)
    assert "syntax error" in build_module._explain(parse("parse_error.log").reason)
    assert "RUN command failed" in build_module._explain(parse("fail_exit3.log").reason)
    classic = "the --mount option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled"
    assert "BuildKit" in build_module._explain(classic)


def test_time_outside_vertices_is_wall_minus_covered():
    parser = PlainProgressParser()
    for at, line in [(0.5, "#1 [1/2] FROM x"), (0.6, "#1 DONE 0.1s"), (1.0, "#2 [2/2] RUN a"), (3.0, "#2 DONE 2.0s")]:
        parser.feed(line, at)
    # vertex 1 covers 0.5-0.6, vertex 2 covers 1.0-3.0: 2.1 s of 4.0 s
    assert parser.outside_vertices(4.0) == pytest.approx(1.9)


def engine_with_history(history: list[dict]):
    """A stand-in for the engine connection whose image history is ``history`` (newest first)."""

    class Engine:
        class api:
            @staticmethod
            def history(image_id):
                return history

    return lambda: Engine


def test_sizes_come_from_history_matched_by_text():
    recorded = meta("ok")
    steps = [
        BuildStep(1, "FROM docker.io/library/alpine:3.20", 0, stage="stage-0"),
        BuildStep(2, "WORKDIR /app", 0, stage="stage-0"),
        BuildStep(3, "COPY hello.txt .", 0, stage="stage-0"),
        BuildStep(4, "RUN head -c 1000 /dev/urandom > /r", 0, stage="stage-0"),
        BuildStep(5, 'CMD ["cat", "hello.txt"]', 0, stage="stage-0"),
    ]

    build_module._fill_sizes_from_history(engine_with_history(recorded["history"]), f"sha256:{id(steps)}", steps, {"stage-0"}, single_stage=True)
    sizes = {step.instruction.split()[0]: step.size_added for step in steps}
    assert sizes["RUN"] == 1000 and sizes["COPY"] == 6 and sizes["FROM"] == 0


def test_stages_and_final_lineage():
    text = "ARG V=1\nFROM alpine:3.20 AS base\nRUN x\nFROM base AS tests\nFROM golang:1.21 as Build\nFROM base\nCOPY --from=build /a /a\n"
    stages = build_module._stages(text)
    assert [name for name, _ in stages] == ["base", "tests", "build", "stage-3"]
    assert build_module._final_lineage(stages, None) == {"stage-3", "base"}
    assert build_module._final_lineage(stages, "tests") == {"tests", "base"}


PUBLIC = HERE / "public"  # buildx logs from public reports; sources in its README.md


def test_buildx_success_with_cached_base_and_export():
    parser = parse("jenkins-java-success-cached.log", PUBLIC)
    assert parser.reason is None
    assert parser.steps[0].instruction.startswith("FROM ") and parser.steps[0].cached
    assert parser.image_id and parser.image_id.startswith("sha256:")
    assert any(vertex.name == "exporting to image" and vertex.seconds is not None for vertex in parser.vertices.values())


def test_buildx_multi_stage_failure_names_the_stage_and_the_exit_code():
    parser = parse("nextjs-multistage-run-fail.log", PUBLIC)
    failed = parser.failed_vertex
    assert (failed.stage, failed.index, failed.total, failed.instruction) == ("builder", 4, 4, "RUN npm run build")
    assert parser.exit_code() == 1
    assert parser.reason == 'process "/bin/sh -c npm run build" did not complete successfully: exit code: 1'
    assert {"base", "deps", "builder"} <= {v.stage for v in parser.steps}


def test_docker_desktop_failure_without_a_failed_to_solve_line():
    parser = parse("desktop-linux-run-fail.log", PUBLIC)
    assert parser.failed_vertex.instruction == "RUN rg --debug alpinelinux.org"
    assert parser.exit_code() == 1
    assert "did not complete successfully" in parser.reason
    assert parser.vertices[6].cached  # WORKDIR /etc


def test_interrupted_buildx_build_with_a_cache_mount():
    parser = parse("buildx-container-cache-mount-canceled.log", PUBLIC)
    assert parser.reason == "Canceled: context canceled"
    assert any((v.instruction or "").startswith("RUN --mount=type=cache") for v in parser.steps)
    assert parser.vertices[2].name == "[internal] load metadata for docker.io/library/debian:bookworm"  # resumed, not renamed
    assert parser.exit_code() is None


def test_a_missing_base_image_is_named_as_the_learner_wrote_it():
    parser = parse("missing_base.log")
    assert build_module._from_of_metadata(parser.failed_vertex) == "FROM dockerlab-nosuch/base:1"
    assert "dockerlab-nosuch/base:1" in build_module._explain(parser.reason, "FROM dockerlab-nosuch/base:1")


def test_padded_step_numbers_of_a_long_stage_are_steps():
    """BuildKit pads the index to the total's width: `[ 3/12]`, `[builder  3/12]`."""
    parser = PlainProgressParser()
    for number, line in enumerate(["#5 [ 1/12] FROM docker.io/library/alpine:3.20", "#6 [builder  3/12] RUN echo x", "#7 [builder 10/12] RUN echo y",
                                   "#8 [linux/arm64 builder 2/4] RUN uname -m"]):
        parser.feed(line, number)
    assert [(v.stage, v.index, v.total, v.instruction) for v in parser.steps] == [
        (None, 1, 12, "FROM docker.io/library/alpine:3.20"), ("builder", 3, 12, "RUN echo x"), ("builder", 10, 12, "RUN echo y"),
        ("builder", 2, 4, "RUN uname -m")
    ]


@pytest.mark.parametrize("step, created_by", [
    ("RUN pip install -r requirements.txt", "RUN |1 REQUIREMENTS=requirements.txt /bin/sh -c pip install -r requirements.txt # buildkit"),
    ("RUN echo hi", "|1 A=b /bin/sh -c echo hi"),  # classic builder
    ("RUN echo hi", "RUN /bin/bash -c echo hi # buildkit"),  # after SHELL ["/bin/bash", "-c"]
    ("COPY --from=build /p /p", "COPY /p /p # buildkit"),
])
def test_a_step_and_its_history_entry_normalise_alike(step, created_by):
    assert build_module.normalised_instruction(step) == build_module.normalised_instruction(created_by)


def test_a_step_whose_variables_were_expanded_still_gets_its_size():
    """BuildKit's vertex names expand $VARIABLES; history keeps them as written."""
    history = [
        {"CreatedBy": 'CMD ["ls"]', "Size": 0},
        {"CreatedBy": "RUN /bin/sh -c mkdir $D && head -c 500 /dev/urandom > $D/x # buildkit", "Size": 500},
        {"CreatedBy": "ENV D=/app", "Size": 0},
    ]

    steps = [BuildStep(1, "FROM docker.io/library/alpine:3.20", 0, stage="stage-0"),
             BuildStep(2, "RUN mkdir /app && head -c 500 /dev/urandom > /app/x", 0, stage="stage-0")]
    build_module._fill_sizes_from_history(engine_with_history(history), f"sha256:{id(steps)}", steps, {"stage-0"}, single_stage=True)
    assert steps[1].size_added == 500


def test_a_real_12_step_stage_has_all_its_steps():
    parser = parse("long_stage.log")  # recorded here: [ 1/12] ... [12/12]
    assert [v.index for v in parser.steps] == list(range(1, 13))
    assert all(v.total == 12 for v in parser.steps)


def test_the_reason_is_the_clis_message_not_its_help_pointer():
    log = [
        "#1 [internal] load build definition from Dockerfile",
        'invalid argument "V14Test/Upper:1" for "-t, --tag" flag: invalid reference format: repository name must be lowercase',
        "See 'docker build --help'.",
    ]
    assert "repository name must be lowercase" in build_module._last_words(log)
    assert "lowercase letters" in build_module._explain(build_module._last_words(log))


def test_heredoc_steps_get_their_sizes_from_the_history_buildkit_writes():
    """BuildKit names a heredoc step `RUN <<EOF (first line...)` and records its body in the history
    (dockerfile2llb's dispatchRun); neither text holds the other, so the step takes the next RUN entry."""
    history = [  # newest first, as the engine returns it
        {"CreatedBy": "COPY <<EOF /etc/motd # buildkit", "Size": 6},
        {"CreatedBy": "RUN /bin/sh -c cat <<EOF > /x\nline 1\nEOF # buildkit", "Size": 7},
        {"CreatedBy": "RUN /bin/sh -c echo hi > /a\necho there >> /a\n # buildkit", "Size": 20},
    ]

    steps = [BuildStep(1, "FROM docker.io/library/alpine:3.20", 0, stage="stage-0"),
             BuildStep(2, "RUN <<EOF (echo hi > /a...)", 0, stage="stage-0"),
             BuildStep(3, "RUN cat <<EOF > /x", 0, stage="stage-0"),
             BuildStep(4, "COPY <<EOF /etc/motd", 0, stage="stage-0")]
    build_module._fill_sizes_from_history(engine_with_history(history), f"sha256:{id(steps)}", steps, {"stage-0"}, single_stage=True)
    assert [step.size_added for step in steps] == [0, 20, 7, 6]


def test_vertices_that_ran_at_the_same_time_are_counted_once():
    parser = PlainProgressParser()
    lines = [(0.0, "#1 [a 1/1] RUN work"), (0.5, "#2 [b 1/1] RUN work"), (2.0, "#1 DONE 2.0s"), (2.5, "#2 DONE 2.0s")]
    for at, line in lines:
        parser.feed(line, at)
    # #1 ran 0.0-2.0, #2 ran 0.5-2.5: covered 2.5 s, durations 4.0 s, so 1.5 s were counted twice
    assert parser.covered_seconds() == pytest.approx(2.5)
    assert parser.parallel_seconds() == pytest.approx(-1.5)
    assert parser.outside_vertices(3.0) == pytest.approx(0.5)
    assert 4.0 + parser.parallel_seconds() + parser.outside_vertices(3.0) == pytest.approx(3.0)


def test_vertices_one_after_another_have_nothing_counted_twice():
    parser = PlainProgressParser()
    for at, line in [(0.0, "#1 [1/2] RUN a"), (1.0, "#1 DONE 1.0s"), (1.0, "#2 [2/2] RUN b"), (3.0, "#2 DONE 2.0s")]:
        parser.feed(line, at)
    assert parser.parallel_seconds() == 0.0 and parser.outside_vertices(3.5) == pytest.approx(0.5)


def test_a_base_images_onbuild_trigger_is_marked_as_the_bases_not_the_dockerfiles():
    # engine 20.10, BuildKit's plain progress for `FROM w22c/onbase:1` / `RUN echo own2` / `CMD ["sh"]` on a
    # base with `ONBUILD RUN echo trigger > /t`: the trigger runs after FROM and pushes the own line past the count
    lines = ["#4 [1/2] FROM docker.io/w22c/onbase:1", "#4 DONE 0.0s", "#5 [2/2] RUN echo trigger > /t", "#5 DONE 0.3s",
             "#6 [3/2] RUN echo own2", "#6 DONE 0.2s",
             "#7 [build 1/2] FROM docker.io/library/alpine:3.20", "#7 DONE 0.0s", "#8 [build 2/2] RUN echo plain", "#8 DONE 0.1s"]
    parser = PlainProgressParser()
    for number, line in enumerate(lines):
        parser.feed(line, number * 0.01)
    ordered = list(parser.steps)
    steps = [build_module._step_of(vertex, number) for number, vertex in enumerate(ordered, start=1)]
    build_module._mark_onbuild_triggers(steps, ordered)
    marked = {step.instruction.split(" (")[0]: step.instruction.endswith(build_module._ONBUILD_TRIGGER) for step in steps}
    assert marked == {"FROM docker.io/w22c/onbase:1": False, "RUN echo trigger > /t": True, "RUN echo own2": False,
                      "FROM docker.io/library/alpine:3.20": False, "RUN echo plain": False}
    before = [step.instruction for step in steps]
    build_module._mark_onbuild_triggers(steps, ordered)  # once only
    assert [step.instruction for step in steps] == before and "ONBUILD" in before[1]
