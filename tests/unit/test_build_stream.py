"""The build stream parser on streams recorded from a real engine (tests/fixtures/record_fixtures.py)."""
from types import SimpleNamespace

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
        return {"RepoTags": self.images[image_id], "Parent": getattr(self, "parents", {}).get(image_id, "")}

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


# The classic builder's stream for `FROM dockerlab-w22j/runrun:1` (a base with `ONBUILD RUN echo one > /1` and
# `ONBUILD RUN echo two2 > /2`), then `RUN echo c > /c`, as the engine (20.10.24, API build) sent it on 2026-11-30,
# cold then warm, with its arrival times; then the same with a RUN then a COPY trigger (`ONBUILD COPY f.txt /f.txt`,
# 6 bytes): the N triggers end at one ` ---> ID`, a COPY prints no `Running in`, the cache prints one line per trigger.
TWO_TRIGGERS_COLD = [(0.05, "Step 1/3 : FROM dockerlab-w22j/runrun:1\n"), (0.053, "# Executing 2 build trigger"), (0.053, "s"), (0.054, "\n"),
                     (0.059, " ---> Running in c74d601cadf6\n"), (0.538, "Removing intermediate container c74d601cadf6\n"),
                     (0.549, " ---> Running in 298294a78851\n"), (1.017, "Removing intermediate container 298294a78851\n"),
                     (1.018, " ---> 1f2f3ad8e5dc\n"), (1.018, "Step 2/3 : RUN echo c > /c\n"), (1.029, " ---> Running in 444400b34e9b\n"),
                     (1.454, "Removing intermediate container 444400b34e9b\n"), (1.454, " ---> 5351f5e8d0e7\n"),
                     (1.454, "Step 3/3 : LABEL org.dockerlab.course=1\n"), (1.462, " ---> Running in e51d688eac95\n"),
                     (1.549, "Removing intermediate container e51d688eac95\n"), (1.551, " ---> a2afd64417a2\n"), (1.552, "Successfully built a2afd64417a2\n")]
TWO_TRIGGERS_WARM = [(0.065, "Step 1/3 : FROM dockerlab-w22j/runrun:1\n"), (0.065, "# Executing 2 build triggers\n"), (0.065, " ---> Using cache\n"),
                     (0.065, " ---> Using cache\n"), (0.065, " ---> 1f2f3ad8e5dc\n"), (0.065, "Step 2/3 : RUN echo c > /c\n"), (0.065, " ---> Using cache\n"),
                     (0.065, " ---> 5351f5e8d0e7\n"), (0.065, "Step 3/3 : LABEL org.dockerlab.course=1\n"), (0.065, " ---> Using cache\n"),
                     (0.065, " ---> a2afd64417a2\n"), (0.065, "Successfully built a2afd64417a2\n")]
RUN_COPY_COLD = [(0.048, "Step 1/3 : FROM dockerlab-w22j/runcopy:1\n"), (0.049, "# Executing 2 build triggers\n"),
                 (0.065, " ---> Running in 76d5b7835c1e\n"), (0.685, "Removing intermediate container 76d5b7835c1e\n"), (0.785, " ---> 52b00358c5dc\n"),
                 (0.786, "Step 2/3 : RUN echo c > /c\n"), (0.819, " ---> Running in 8d2be32ee6df\n"), (1.438, "Removing intermediate container 8d2be32ee6df\n"),
                 (1.438, " ---> c8c809ac8b91\n"), (1.438, "Step 3/3 : LABEL org.dockerlab.course=1\n"), (1.467, " ---> Running in 5c6c5eccf1e6\n"),
                 (1.595, "Removing intermediate container 5c6c5eccf1e6\n"), (1.599, " ---> d6d46150a79e\n"), (1.599, "Successfully built d6d46150a79e\n")]
# `docker inspect` of the images (Parent, Created, Size) and the bases' Config.OnBuild, as the engine gave them then
TWO_TRIGGER_IMAGES = {
    "a2afd64417a2": {"Parent": "sha256:5351f5e8d0e7", "Created": "2026-11-30T12:02:12.622442448Z", "Size": 2207515},
    "5351f5e8d0e7": {"Parent": "sha256:1f2f3ad8e5dc", "Created": "2026-11-30T12:02:12.552956611Z", "Size": 2207515},
    "1f2f3ad8e5dc": {"Parent": "sha256:856948de0107", "Created": "2026-11-30T12:02:12.11120626Z", "Size": 2207513},
    "sha256:856948de0107": {"Parent": "sha256:3f3eb13401f0", "Created": "2026-11-30T12:02:11.631035059Z", "Size": 2207508},
    "sha256:3f3eb13401f0": {"Parent": "sha256:700b04d6606f", "Created": "2026-11-30T12:02:11.097493236Z", "Size": 2207504,
                            "Config": {"OnBuild": ["RUN echo one > /1", "RUN echo two2 > /2"]}},
    "c8c809ac8b91": {"Parent": "sha256:52b00358c5dc", "Created": "2026-11-30T12:02:14.476654445Z", "Size": 2207516},
    "d6d46150a79e": {"Parent": "sha256:c8c809ac8b91", "Created": "2026-11-30T12:02:14.694685461Z", "Size": 2207516},
    "52b00358c5dc": {"Parent": "sha256:c80c5cdd0378", "Created": "2026-11-30T12:02:13.893472347Z", "Size": 2207514},
    "sha256:c80c5cdd0378": {"Parent": "sha256:4462e441c712", "Created": "2026-11-30T12:02:13.736627223Z", "Size": 2207508},
    "sha256:4462e441c712": {"Parent": "sha256:d8f5202449a6", "Created": "2026-11-30T12:02:13.101127447Z", "Size": 2207504,
                            "Config": {"OnBuild": ["RUN echo one > /1", "COPY f.txt /f.txt"]}},
}


def _classic_steps(stream):
    from dockerlab.builder import _fill_layer_sizes, _name_triggers

    class Api:
        def inspect_image(self, image):
            return TWO_TRIGGER_IMAGES[image]

    parser = BuildStreamParser()
    parser.expect_labels({"org.dockerlab.course": "1"})
    for at, text in stream:
        parser.feed({"stream": text}, at)
    parser.finish(stream[-1][0])
    client = type("Client", (), {"api": Api()})()
    _name_triggers(client, parser.steps)
    _fill_layer_sizes(client, parser.steps)
    return parser


@pytest.mark.parametrize("stream, second, sizes", [(TWO_TRIGGERS_COLD, "RUN echo two2 > /2", [0, 4, 5, 2]),
                                                   (RUN_COPY_COLD, "COPY f.txt /f.txt", [0, 4, 6, 2])])
def test_each_of_two_onbuild_triggers_is_a_row_with_its_own_text_image_size_and_time_on_the_classic_builder(stream, second, sizes):
    """#22 (a verifier): with two triggers the rows were `(ONBUILD trigger 1 of 2)`, the first had both triggers' time
    and the second's size, the second and the next step no size; docker history says 4 B, 5 B (6 B for the COPY), 2 B."""
    parser = _classic_steps(stream)
    steps = [step for step in parser.steps if not step.added_by_dockerlab]
    base = stream[0][1].split(" : ")[1].strip()
    assert [step.instruction.split(" (a trigger")[0] for step in steps] == [base, "RUN echo one > /1", second, "RUN echo c > /c"]
    assert [step.size_added for step in steps] == sizes
    first, other = steps[1], steps[2]
    block = next(at for at, text in stream if text.startswith("Step 2/")) - first.started  # from the `# Executing` line to the next step
    committed = {"RUN echo two2 > /2": 12.11120626 - 11.631035059, "COPY f.txt /f.txt": 13.893472347 - 13.736627223}[second]
    assert other.seconds == pytest.approx(committed, abs=1e-5)  # between the two triggers' commits, as the engine recorded them
    assert first.seconds == pytest.approx(block - committed, abs=1e-5) and first.seconds > other.seconds
    assert not any(step.cached for step in steps)


def test_two_onbuild_triggers_the_cache_served_are_cached_rows_of_their_own():
    parser = _classic_steps(TWO_TRIGGERS_WARM)
    steps = [step for step in parser.steps if not step.added_by_dockerlab]
    assert [(step.instruction.split(" (a trigger")[0], step.cached, step.size_added) for step in steps] == [
        ("FROM dockerlab-w22j/runrun:1", False, 0), ("RUN echo one > /1", True, 4), ("RUN echo two2 > /2", True, 5), ("RUN echo c > /c", True, 2)]
    assert [step.seconds for step in steps[1:3]] == [0.0, 0.0]  # not the earlier build's times between commits


def test_onbuild_triggers_whose_images_cannot_be_read_keep_their_numbers():
    import docker.errors
    from dockerlab.builder import _name_triggers

    class Api:
        def inspect_image(self, image):
            raise docker.errors.ImageNotFound("gone")

    parser = BuildStreamParser()
    for at, text in TWO_TRIGGERS_COLD:
        parser.feed({"stream": text}, at)
    parser.finish(2.0)
    _name_triggers(type("Client", (), {"api": Api()})(), parser.steps)
    assert [step.instruction.split(" (a trigger")[0] for step in parser.steps[:4]] == [
        "FROM dockerlab-w22j/runrun:1", "(ONBUILD trigger 1 of 2)", "(ONBUILD trigger 2 of 2)", "RUN echo c > /c"]
    assert parser.steps[2].image_id == "1f2f3ad8e5dc" and parser.steps[1].image_id is None


# The classic builder's stream for `FROM alpine:3.20` / `RUN echo a > /a` / `LABEL ключ=x` built with the labels
# {"org.dockerlab.course": "1", "zz": "a\nb", "new\nline": "v", "ключ": "x"} (engine 20.10.24, API build, 2026-11-30):
# one `LABEL key=value` step per label, sorted by key's bytes, its text running on over a line per newline it holds.
LABELS_STREAM = ["Step 1/7 : FROM alpine:3.20", "\n", " ---> fa2925a8c006\n", "Step 2/7 : RUN echo a > /a", "\n", " ---> Running in 28653df75b75\n",
                 "Removing intermediate container 28653df75b75\n", " ---> d372d7f864d4\n", "Step 3/7 : LABEL ключ=x", "\n",
                 " ---> Running in f5eee195a038\n", "Removing intermediate container f5eee195a038\n", " ---> 9020ad8d3987\n",
                 "Step 4/7 : LABEL new\nline=v", "\n", " ---> Running in e7d9913e8399\n", "Removing intermediate container e7d9913e8399\n",
                 " ---> d973e6451d2d\n", "Step 5/7 : LABEL org.dockerlab.course=1", "\n", " ---> Running in 9231bb71de29\n",
                 "Removing intermediate container 9231bb71de29\n", " ---> 41b02cb5dd0b\n", "Step 6/7 : LABEL zz=a\nb", "\n",
                 " ---> Running in a84f7abc646a\n", "Removing intermediate container a84f7abc646a\n", " ---> 962f65d29fed\n",
                 "Step 7/7 : LABEL ключ=x", "\n", " ---> Running in 6459241f72a1\n", "Removing intermediate container 6459241f72a1\n",
                 " ---> eb424223a456\n", "Successfully built eb424223a456\n"]
LABELS = {"org.dockerlab.course": "1", "zz": "a\nb", "new\nline": "v", "ключ": "x"}


def test_the_build_labels_steps_are_known_by_their_number_whatever_their_text_holds():
    """#22 (a verifier): a newline in a label's key or value gave rows `LABEL zz=a`, `LABEL new`, the course's own
    labels as rows, and a label the Dockerfile also sets could be taken for a build label's step (or lose its row)."""
    parser = BuildStreamParser()
    parser.expect_labels(LABELS)
    for at, text in enumerate(LABELS_STREAM):
        parser.feed({"stream": text}, at / 10)
    parser.finish(4.0)
    ours = [step for step in parser.steps if not step.added_by_dockerlab]
    assert [(step.number, step.instruction) for step in ours] == [(1, "FROM alpine:3.20"), (2, "RUN echo a > /a"), (3, "LABEL ключ=x")]
    assert [step.instruction for step in parser.steps if step.added_by_dockerlab] == [
        "LABEL new\nline=v", "LABEL org.dockerlab.course=1", "LABEL zz=a\nb", "LABEL ключ=x"]
    assert [step.image_id for step in parser.steps if step.added_by_dockerlab] == ["d973e6451d2d", "41b02cb5dd0b", "962f65d29fed", "eb424223a456"]
    assert "line=v" in parser.log and "b" in parser.log  # the log keeps the stream's lines as they came


def test_a_build_labels_text_that_looks_like_a_step_is_not_taken_for_one():
    label = "x\nStep 9/9 : RUN rm -rf /\n ---> Using cache"
    parser = BuildStreamParser()
    parser.expect_labels({"a": label, "org.dockerlab.course": "1"})
    stream = ["Step 1/3 : FROM alpine:3.20\n", " ---> fa2925a8c006\n", f"Step 2/3 : LABEL a={label}\n", " ---> Running in 1\n", " ---> 2222222222ab\n",
              "Step 3/3 : LABEL org.dockerlab.course=1\n", " ---> Running in 3\n", " ---> 3333333333ab\n", "Successfully built 3333333333ab\n"]
    for at, text in enumerate(stream):
        parser.feed({"stream": text}, float(at))
    parser.finish(9.0)
    assert [(step.number, step.instruction, step.added_by_dockerlab, step.cached) for step in parser.steps] == [
        (1, "FROM alpine:3.20", False, False), (2, f"LABEL a={label}", True, False), (3, "LABEL org.dockerlab.course=1", True, False)]
    assert parser.total_steps == 3


def test_a_failed_classic_build_also_removes_the_images_of_the_earlier_onbuild_triggers_it_ran():
    """The N triggers end at one ` ---> ID`: the earlier triggers' images this build committed are its Parents."""
    parser = BuildStreamParser()
    for at, text in TWO_TRIGGERS_COLD[:10]:  # up to `Step 2/3 : RUN echo c > /c`, which then fails
        parser.feed({"stream": text}, at)
    parser.feed({"error": "The command '/bin/sh -c echo c > /c' returned a non-zero code: 1"}, 1.1)
    assert parser.made_images == ["1f2f3ad8e5dc"] and parser.made_parents == [("1f2f3ad8e5dc", 1)]
    fake = _Engine({"1f2f3ad8e5dc": [], "trigger1": [], "base": ["dockerlab-w22j/runrun:1"]})
    fake.parents = {"1f2f3ad8e5dc": "trigger1", "trigger1": "base"}
    build_module._discard_half_built(fake, parser)
    assert fake.removed == ["1f2f3ad8e5dc", "trigger1"] and set(fake.images) == {"base"}  # newest first; never the base


def test_onbuild_triggers_the_cache_served_are_not_this_builds_images():
    parser = BuildStreamParser()
    for at, text in TWO_TRIGGERS_WARM:
        parser.feed({"stream": text}, at)
    assert parser.made_images == [] and parser.made_parents == []


def test_a_classic_builds_other_stages_images_are_removed_and_the_final_chain_kept():
    """#22: the images a classic build committed for a stage the final image is not built on (a builder stage read by
    COPY --from) go once it built: untagged ones, newest first, never forced, never pruning; the final image's own
    layers, a cached step's image, a base and a tagged one stay."""
    parser = BuildStreamParser()
    for line in ["Step 1/6 : FROM alpine:3.20 AS build", " ---> fa2925a8c006", "Step 2/6 : ARG BUILD_TOKEN", " ---> Using cache",
                 " ---> c622b1eb9cbb", "Step 3/6 : RUN make", " ---> Running in 0123456789ab", " ---> f827b549457c",
                 "Step 4/6 : RUN strip", " ---> Running in 0123456789ac", " ---> 772aa205db45",
                 "Step 5/6 : FROM alpine:3.20", " ---> fa2925a8c006", "Step 6/6 : COPY --from=build /out /out", " ---> 2637a2e0731a",
                 "Successfully built 2637a2e0731a"]:
        parser.feed({"stream": line + "\n"}, 0.0)
    assert parser.made_images == ["f827b549457c", "772aa205db45", "2637a2e0731a"]
    final = "sha256:2637a2e0731a" + "0" * 52

    class Api:
        removed: list = []

        def history(self, image_id):
            assert image_id == final
            return [{"Id": final}, {"Id": "sha256:fa2925a8c006" + "1" * 52}, {"Id": "<missing>"}]

        def inspect_image(self, image_id):
            return {"RepoTags": ["mine:1"] if image_id == "f827b549457c" else []}

        def remove_image(self, image_id, force=False, noprune=False):
            self.removed.append((image_id, force, noprune))

    client = SimpleNamespace(api=Api())
    assert build_module._discard_other_stages(client, parser, final) == ["772aa205db45"]
    assert client.api.removed == [("772aa205db45", False, True)]  # f827... is tagged (mine:1), c622... came from the cache
