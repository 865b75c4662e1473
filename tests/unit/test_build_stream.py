"""The build stream parser on streams recorded from a real engine (tests/fixtures/record_fixtures.py)."""
import pytest

from dockerlab import builder as build_module
from dockerlab.builder import BuildStreamParser, dockerfile_text
from dockerlab.errors import BuildFailed, DockerlabError


def parse(recorded: dict) -> BuildStreamParser:
    parser = BuildStreamParser()
    for item in recorded["chunks"]:
        parser.feed(item["chunk"], item["at"])
    parser.finish(recorded["chunks"][-1]["at"])
    return parser


def test_cold_build_has_every_step_uncached(fixture_json):
    parser = parse(fixture_json("stream_build_ok_cold.json"))
    # five Dockerfile lines, then the LABEL step the engine adds for the course label
    assert [step.number for step in parser.steps] == [1, 2, 3, 4, 5, 6]
    assert parser.total_steps == 6
    assert parser.steps[0].instruction == "FROM alpine:3.20"
    assert parser.steps[-1].instruction.startswith("LABEL org.dockerlab.course")
    assert not any(step.cached for step in parser.steps[1:])
    assert parser.image_id and parser.error is None
    assert all(step.image_id for step in parser.steps)


def test_warm_build_takes_every_step_from_cache(fixture_json):
    parser = parse(fixture_json("stream_build_ok_warm.json"))
    assert all(step.cached for step in parser.steps[1:])


def test_step_seconds_add_up_to_the_stream_duration(fixture_json):
    recorded = fixture_json("stream_build_ok_cold.json")
    parser = parse(recorded)
    total = recorded["chunks"][-1]["at"] - parser.steps[0].started
    assert sum(step.seconds for step in parser.steps) == pytest.approx(total, rel=0.10, abs=0.05)
    run_step = parser.steps[3]
    assert run_step.instruction.startswith("RUN") and run_step.seconds > 0


def test_failing_step_exit_code_and_log(fixture_json):
    parser = parse(fixture_json("stream_build_fail_exit3_cold.json"))
    assert parser.error and "non-zero code: 3" in parser.error
    assert parser.exit_code() == 3
    assert parser.current.number == 3 and parser.current.instruction == "RUN exit 3"
    assert "about to fail" in parser.log


def test_multistage_steps_span_both_stages(fixture_json):
    parser = parse(fixture_json("stream_build_multistage_cold.json"))
    instructions = [step.instruction for step in parser.steps]
    assert instructions[0].startswith("FROM alpine:3.20") and "FROM scratch" in instructions


def test_lines_split_across_chunks_are_joined():
    parser = BuildStreamParser()
    for text in ["Step 1/2 : FR", "OM alpine", "\n", " ---> abcdef123456\n", "Step 2/2 : RUN true\n", " ---> Using cache\n"]:
        parser.feed({"stream": text}, 0.0)
    parser.finish(1.0)
    assert parser.steps[0].instruction == "FROM alpine"
    assert parser.steps[0].image_id == "abcdef123456"
    assert parser.steps[1].cached


def test_dockerfile_given_as_text_or_path(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    assert dockerfile_text(tmp_path, None)[0] == "FROM scratch\n"
    assert dockerfile_text(tmp_path, "FROM alpine:3.20\nCMD true\n")[0].startswith("FROM alpine")
    with pytest.raises(DockerlabError, match="Cannot read the Dockerfile"):
        dockerfile_text(tmp_path, "Missing.Dockerfile")


def test_build_failed_message_carries_the_evidence():
    error = BuildFailed("boom", step=3, instruction="RUN exit 3", exit_code=3, log_tail=["a", "b"], fix="do this")
    text = str(error)
    assert "step 3 (RUN exit 3)" in text and "exit code 3" in text and "| b" in text and "do this" in text


@pytest.mark.parametrize(
    "error, words",
    [
        ('failed to resolve: lookup registry-1.docker.io: no such host', "dockerlab prepare"),
        ("COPY failed: file not found in build context or excluded by .dockerignore: stat nope.txt: file does not exist", "build context"),
        ("dockerfile parse error line 2: unknown instruction: FORM", "syntax error"),
        ("The command '/bin/sh -c exit 3' returned a non-zero code: 3", "RUN command failed"),
        ("invalid tag 'my app:latest': invalid reference format", "lowercase letters"),
    ],
)
def test_build_errors_get_a_next_step(error, words):
    assert words in build_module._explain(error)


def test_offline_unknown_base_is_not_sent_to_prepare():
    offline = "dial tcp: lookup registry-1.docker.io: no such host"
    assert "dockerlab prepare" in build_module._explain(offline, "FROM python:3.11-slim")
    fix = build_module._explain(offline, "FROM frank/python-hacked:latest AS base")
    assert "frank/python-hacked:latest" in fix and "Check the name" in fix


def test_the_engines_colour_codes_are_not_kept_in_the_log():
    """The classic builder colours a RUN's stderr (ESC[91m ... ESC[0m): the log and its tail keep the words."""
    parser = BuildStreamParser()
    parser.feed({"stream": "Step 1/1 : RUN echo boom >&2 && exit 3\n"}, 0.0)
    parser.feed({"stream": "\x1b[91mboom\n\x1b[0m"}, 0.1)
    parser.finish(0.2)
    assert "boom" in parser.log and not any("\x1b" in line for line in parser.log)


def test_the_images_a_build_committed_are_the_new_ones_only(fixture_json):
    """What a failed or interrupted classic build removes: the ids its stream reported as new, never the
    base's (a FROM's id) nor a cached step's (an earlier build's, maybe the learner's)."""
    cold = parse(fixture_json("stream_build_ok_cold.json"))
    assert cold.made_images == [step.image_id for step in cold.steps[1:]]
    assert "2003a044cd27" not in cold.made_images  # the alpine base
    assert cold.container == "5271815e29b7"  # the last step's container
    warm_failed = parse(fixture_json("stream_build_fail_exit3_warm.json"))
    assert warm_failed.made_images == []  # step 2 came from the cache, step 3 failed before a commit
    assert warm_failed.container == "bcd1724b3fc2"


def test_a_bases_onbuild_trigger_commits_an_image_of_this_build():
    parser = BuildStreamParser()
    for line in ["Step 1/2 : FROM base:1", " ---> aaaaaaaaaaaa", "# Executing 1 build trigger", " ---> Running in cccccccccccc",
                 "Removing intermediate container cccccccccccc", " ---> bbbbbbbbbbbb", "Step 2/2 : RUN sleep 60", " ---> Running in dddddddddddd"]:
        parser.feed({"stream": line + "\n"}, 0.0)
    assert parser.made_images == ["bbbbbbbbbbbb"] and parser.container == "dddddddddddd"


class _Engine:
    """The two engine calls _discard_half_built makes, on a fake: images by short id with their tags."""

    def __init__(self, images: dict[str, list[str]], container_polls: int = 0):
        self.images = images
        self.container_polls = container_polls
        self.removed: list[str] = []
        self.api = self

    def inspect_container(self, container_id):
        import docker.errors

        if self.container_polls <= 0:
            raise docker.errors.NotFound("gone")
        self.container_polls -= 1
        return {"Id": container_id}

    def inspect_image(self, image_id):
        import docker.errors

        if image_id not in self.images:
            raise docker.errors.ImageNotFound("no such image")
        return {"RepoTags": self.images[image_id]}

    def remove_image(self, image_id, noprune=False):
        assert noprune, "a parent the build did not make must never be pruned with it"
        assert self.container_polls <= 0, "removed while the step container still used it"
        self.removed.append(image_id)
        del self.images[image_id]


def test_a_half_built_classic_build_loses_its_untagged_images_newest_first():
    parser = BuildStreamParser()
    parser.made_images, parser.container = ["a1", "b2", "c3"], "step-container"
    fake = _Engine({"a1": [], "b2": ["learner:tagged"], "c3": [], "cached": []}, container_polls=3)
    build_module._discard_half_built(fake, parser)
    assert fake.removed == ["c3", "a1"]  # b2 was tagged meanwhile: it stays; the cached image is not this build's
    assert set(fake.images) == {"b2", "cached"}


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_a_target_the_dockerfile_has_no_stage_of_is_refused_before_building_naming_its_stages(tmp_path, monkeypatch, builder):
    def no_build(*args, **kwargs):
        raise AssertionError("built although the target does not exist")

    monkeypatch.setattr(build_module, "_build_buildkit", no_build)
    monkeypatch.setattr(build_module, "_build_classic", no_build)
    monkeypatch.setattr(build_module.buildkit, "choice", lambda: build_module.buildkit.BuilderChoice("buildkit", "a test", "a test"))
    text = "FROM alpine:3.20 AS deps\nRUN true\nFROM deps AS Tests\nRUN true\nFROM alpine:3.20\n"
    with pytest.raises(DockerlabError) as raised:
        build_module.build.__wrapped__(tmp_path, text, target="nosuch", builder=builder, progress=False)
    assert raised.value.message == "build(): target='nosuch': the Dockerfile has no stage of that name (its named stages: deps, Tests)."
    with pytest.raises(AssertionError, match="built although"):  # a name in another case is that stage: the build goes on
        build_module.build.__wrapped__(tmp_path, text, target="tests", builder=builder, progress=False)


# The classic builder's stream for `FROM dockerlab-t22/onbuild-base:1` (a base with `ONBUILD RUN echo trig > /t`),
# then `RUN cat /t`, as /usr/bin/docker build (DOCKER_BUILDKIT=0, engine 20.10.24) printed it on 2026-11-30: the
# trigger runs inside step 1, after `# Executing 1 build trigger`, and no base id is printed.
ONBUILD_STREAM = """Step 1/3 : FROM dockerlab-t22/onbuild-base:1
# Executing 1 build trigger
 ---> Running in 0e5dfaca15b9
Removing intermediate container 0e5dfaca15b9
 ---> d13d27aeb4b1
Step 2/3 : RUN cat /t
 ---> Running in bd559931a465
trig
Removing intermediate container bd559931a465
 ---> 92ca60d15062
Step 3/3 : LABEL org.dockerlab.course=1
 ---> Running in 28708f9c5e22
Removing intermediate container 28708f9c5e22
 ---> d44e769f55e2
Successfully built d44e769f55e2
"""


def test_a_base_images_onbuild_trigger_is_a_row_of_its_own_on_the_classic_builder():
    """#22 leftovers: the classic steps table had no row for the trigger (its time and layer were the FROM's)."""
    from dockerlab.builder import _name_triggers

    parser = BuildStreamParser()
    for at, line in enumerate(ONBUILD_STREAM.splitlines(keepends=True)):
        parser.feed({"stream": line}, float(at))
    parser.finish(20.0)
    assert [(step.number, step.instruction.split(" (a trigger")[0]) for step in parser.steps] == [
        (1, "FROM dockerlab-t22/onbuild-base:1"), (1, "(ONBUILD trigger 1 of 1)"), (2, "RUN cat /t"), (3, "LABEL org.dockerlab.course=1")]
    trigger = parser.steps[1]
    assert trigger.image_id == "d13d27aeb4b1" and parser.steps[0].image_id is None and trigger.seconds == 4.0  # from its `# Executing` line to the next step
    assert "d13d27aeb4b1" in parser.made_images  # this build's commit: a failed build removes it too

    class Api:
        images = {"d13d27aeb4b1": {"Parent": "sha256:base"}, "sha256:base": {"Config": {"OnBuild": ["RUN echo trig > /t"]}}}

        def inspect_image(self, image):
            return self.images[image]

    client = type("Client", (), {"api": Api()})()
    _name_triggers(client, parser.steps)
    assert trigger.instruction == "RUN echo trig > /t (a trigger of the base image's ONBUILD, not a line of this Dockerfile)"
    assert parser.steps[0].image_id == "sha256:base"  # the FROM's size is the base's, the trigger's layer its own
