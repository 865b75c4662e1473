"""BuildKit on the engine here: the builder chosen, cache, secrets, stage skipping, and the classic builder beside it."""
from __future__ import annotations

import io
import tarfile
import time

import pytest

import dockerlab as dl

APP = "FROM alpine:3.20\nWORKDIR /app\nCOPY hello.txt .\nRUN head -c 3000000 /dev/urandom > /r\nRUN wc -c hello.txt > size.txt\nCMD [\"cat\", \"size.txt\"]\n"


@pytest.fixture
def app(tmp_path):
    (tmp_path / "hello.txt").write_text("hello\n")
    return tmp_path


def test_buildkit_is_the_default_and_a_rebuild_is_cached(app, created):
    tag = created.image("dockerlab-test/bk-cache:latest")
    cold = dl.build(app, APP, tag=tag, nocache=True, progress=False)
    warm = dl.build(app, APP, tag=tag, progress=False)
    assert cold.builder == warm.builder == "buildkit"
    runs = warm.steps[warm.steps["instruction"].str.startswith("RUN")]
    assert len(runs) == 2 and runs["cached"].all()
    assert not cold.steps[cold.steps["instruction"].str.startswith("RUN")]["cached"].any()
    # the cached column agrees with BuildKit's own CACHED lines
    assert warm.cached_steps == sum(line.endswith(" CACHED") for line in warm.log)
    assert cold.image_id == dl.engine.client().images.get(tag).id
    assert cold.steps.loc[cold.steps["instruction"].str.startswith("RUN head"), "size_added"].iloc[0] == 3_000_000


def test_step_seconds_plus_overhead_add_up_to_the_wall_time(app, created):
    text = APP.replace("RUN head", "RUN sleep 2 && head")
    result = dl.build(app, text, tag=created.image("dockerlab-test/bk-time:latest"), nocache=True, progress=False)
    assert result.steps["seconds"].sum() + result.overhead["seconds"].sum() == pytest.approx(result.seconds, rel=0.10)
    assert result.steps["seconds"].max() >= 2


PARALLEL = (
    "FROM alpine:3.20 AS left\nRUN sleep 2 && echo left > /left\n"
    "FROM alpine:3.20 AS right\nRUN sleep 2 && echo right > /right\n"
    "FROM alpine:3.20\nCOPY --from=left /left /left\nCOPY --from=right /right /right\n"
)


def test_parallel_stages_are_counted_once_so_steps_and_overhead_still_add_up(app, created):
    result = dl.build(app, PARALLEL, tag=created.image("dockerlab-test/bk-parallel:latest"), nocache=True, progress=False)
    assert result.steps["seconds"].sum() > result.seconds - 1  # two 2 s stages in about 2 s: they overlapped
    parallel = result.overhead[result.overhead["phase"].str.contains("at the same time")]
    assert len(parallel) == 1 and parallel["seconds"].iloc[0] < -1
    assert result.steps["seconds"].sum() + result.overhead["seconds"].sum() == pytest.approx(result.seconds, rel=0.10)


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_both_builders_give_the_same_step_table_shape(app, created, builder):
    result = dl.build(app, APP, tag=created.image(f"dockerlab-test/bk-shape-{builder}:latest"), builder=builder, progress=False)
    assert result.builder == builder
    assert list(result.steps.columns) == ["step", "stage", "vertex", "instruction", "cached", "seconds", "size_added"]
    # CMD is a step of its own on the classic builder only (BuildKit shows no vertex for config-only steps)
    kinds = [instruction.split()[0] for instruction in result.steps["instruction"]]
    assert kinds[:5] == ["FROM", "WORKDIR", "COPY", "RUN", "RUN"]
    assert result.steps.loc[result.steps["instruction"].str.startswith("RUN head"), "size_added"].iloc[0] == 3_000_000


def _layer_bytes(tag: str) -> bytes:
    """Every file of every layer of the image, concatenated (docker save stream)."""
    stream = io.BytesIO(b"".join(dl.engine.client().images.get(tag).save()))
    everything = []
    with tarfile.open(fileobj=stream) as outer:
        for member in outer:
            if member.name.endswith("layer.tar"):
                with tarfile.open(fileobj=outer.extractfile(member)) as layer:
                    for file in layer:
                        if file.isfile():
                            everything.append(layer.extractfile(file).read())
    return b"".join(everything)


def test_a_secret_mount_leaves_nothing_in_the_image(tmp_path, created):
    secret = tmp_path / "token"
    secret.write_text("API_TOKEN=sk-live-dockerlab-0123456789abcdef\n")
    context = tmp_path / "app"
    context.mkdir()
    tag = created.image("dockerlab-test/bk-secret:latest")
    text = "FROM alpine:3.20\nRUN --mount=type=secret,id=api_token grep -c sk-live /run/secrets/api_token > /used\n"
    dl.build(context, text, tag=tag, secrets={"api_token": secret}, progress=False)
    assert len(dl.security.find_secrets(tag)) == 0
    assert b"sk-live-dockerlab" not in _layer_bytes(tag)
    assert b"1" in _layer_bytes(tag)  # the step did read the secret


def test_buildkit_skips_a_stage_the_target_does_not_need(tmp_path, created):
    text = (
        "FROM alpine:3.20 AS slow-tests\nRUN sleep 20\n"
        "FROM alpine:3.20 AS app\nRUN echo built > /built\n"
    )
    started = time.perf_counter()
    result = dl.build(tmp_path, text, tag=created.image("dockerlab-test/bk-skip:latest"), target="app", nocache=True, progress=False)
    assert time.perf_counter() - started < 10
    assert set(result.steps["stage"]) == {"app"}


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_a_failed_build_leaves_no_stale_tag(app, created, builder):
    tag = created.image(f"dockerlab-test/bk-fail-{builder}:latest")
    dl.build(app, APP, tag=tag, builder=builder, progress=False)
    with pytest.raises(dl.BuildFailed) as failed:
        dl.build(app, APP + "RUN exit 3\n", tag=tag, builder=builder, progress=False)
    assert failed.value.exit_code == 3 and failed.value.instruction == "RUN exit 3"
    assert failed.value.log_tail
    assert not dl.engine.client().images.list(name=tag)


def test_a_buildkit_only_dockerfile_on_the_classic_builder_says_to_use_buildkit(app):
    text = "FROM alpine:3.20\nRUN --mount=type=cache,target=/cache true\n"
    with pytest.raises(dl.BuildFailed) as failed:
        dl.build(app, text, builder="classic", progress=False)
    assert "BuildKit" in failed.value.fix


def test_secrets_on_the_classic_builder_are_refused(app, tmp_path):
    (tmp_path / "s").write_text("x")
    with pytest.raises(dl.DockerlabError, match="BuildKit"):
        dl.build(app, APP, builder="classic", secrets={"s": tmp_path / "s"}, progress=False)


def test_a_code_first_dockerfile_fails_the_cache_check_every_time(tmp_path):
    """BuildKit's cache is keyed by content: a checker that made the same edit twice would pass a
    code-first Dockerfile on the second try (its install step cached from the first)."""
    (tmp_path / "app.py").write_text("print('hi')\n")
    (tmp_path / "requirements.txt").write_text("# none\n")
    code_first = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
    for _ in range(2):
        assert not dl.check.cache_survives_code_edit(tmp_path, code_first).passed


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_build_labels_add_no_rows_to_the_step_table(app, created, builder):
    """The classic builder appends a LABEL step per build label; none of them is the learner's step."""
    tag = created.image(f"dockerlab-test/bk-labels-{builder}:latest")
    result = dl.build(app, APP, tag=tag, labels={"x": "y z: w", "a": "b"}, builder=builder, progress=False)
    assert not any(instruction.startswith("LABEL") for instruction in result.steps["instruction"])
    assert dl.engine.client().images.get(tag).labels["x"] == "y z: w"


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_a_copy_into_scratch_has_the_size_docker_history_gives(tmp_path, created, builder):
    text = "ARG VERSION=3.20\nFROM alpine:${VERSION} AS b\nRUN head -c 1000 /dev/urandom > /p\nFROM scratch\nCOPY --from=b /p /p\n"
    result = dl.build(tmp_path, text, tag=created.image(f"dockerlab-test/bk-scratch-{builder}:latest"), builder=builder, progress=False)
    copy = result.steps[result.steps["instruction"].str.startswith("COPY")].iloc[0]
    assert copy["size_added"] == 1000 and copy["stage"] == "stage-1"


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
@pytest.mark.parametrize("ignore_file", [b"\xef\xbb\xbfsecret.env\n", b"notes.txt\r\nsecret.env\r\n"], ids=["bom", "crlf"])
def test_dockerignore_read_as_the_cli_reads_it(tmp_path, created, builder, ignore_file):
    (tmp_path / "secret.env").write_text("TOKEN=x\n")
    (tmp_path / "keep.txt").write_text("kept\n")
    (tmp_path / ".dockerignore").write_bytes(ignore_file)
    tag = created.image(f"dockerlab-test/bk-ignore-{builder}:latest")
    for extra in ((), ("keep.txt",)):
        dl.build(tmp_path, "FROM alpine:3.20\nCOPY . /ctx/\n", tag=tag, ignore=extra, builder=builder, progress=False)
        listing = dl.run(tag, ["ls", "/ctx"]).output.split()
        assert "secret.env" not in listing
        assert ("keep.txt" in listing) == (not extra)


def test_what_a_cache_mount_holds_is_measured_after_every_build(tmp_path, created):
    """docker system df computes a cache mount's size once and never updates it; the probe build reads it anew."""
    import uuid

    from dockerlab.experiments import _cache_mount_bytes

    target = f"/dockerlab-test-cache-{uuid.uuid4().hex[:8]}"
    for written in (300_000, 600_000):
        tag = created.image(f"dockerlab-test/cache-mount-{written}:latest")  # removed afterwards, not left untagged
        dl.build(tmp_path,
                 f"FROM alpine:3.20\nRUN --mount=type=cache,target={target} head -c 300000 /dev/urandom > {target}/f{written}\n", tag=tag, progress=False)
        assert _cache_mount_bytes(target) >= written


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_every_line_of_a_dockerfile_with_directives_onbuild_and_a_target_finds_its_layer(tmp_path, created, builder):
    """Kind B: a parser directive (escape=`), ONBUILD, a backtick continuation, comments and blank lines,
    ARG before FROM, and `--target` of a stage that is not the last: each line is matched by the
    engine's own history, none shifted."""
    text = (
        "# escape=`\n"
        "ARG VERSION=3.20\n"
        "FROM alpine:${VERSION} AS tools\n"
        "# the stage the image is built with (--target tools)\n"
        "ONBUILD RUN echo for the child image\n"
        "\n"
        "RUN head -c 2000 /dev/urandom > /two-k && `\n"
        "    echo joined\n"
        "ENV GREETING=hi\n"
        "FROM scratch AS last\n"
        "COPY --from=tools /two-k /two-k\n"
    )
    tag = created.image(f"dockerlab-test/bk-target-{builder}:latest")
    dl.build(tmp_path, text, tag=tag, target="tools", builder=builder, progress=False)
    table = dl.dockerfile_layers(text, tag, target="tools")
    lines = [line.split(": ", 1)[1] for line in table["dockerfile_line"]]
    assert lines == ["ARG VERSION=3.20", "FROM alpine:3.20", "ONBUILD RUN echo for the child image",
                     "RUN head -c 2000 /dev/urandom > /two-k &&     echo joined", "ENV GREETING=hi"], lines
    onbuild = "ONBUILD RUN echo for the child image" if builder == "classic" else dl.images.NO_HISTORY_ONBUILD  # BuildKit writes none
    assert list(table["layer"])[2:] == [onbuild, lines[3], "ENV GREETING=hi"], table.to_string()
    assert list(table["size"])[2:] == [0, 2000, 0]
    assert dl.inspect_image(tag)["Config"]["OnBuild"] == ["RUN echo for the child image"]
    with pytest.raises(dl.DockerlabError, match="no stage named 'missing'"):
        dl.dockerfile_layers(text, tag, target="missing")


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_a_dockerfile_s_own_ignore_file_is_read_as_each_builder_reads_it(tmp_path, created, builder):
    # BuildKit reads <Dockerfile>.dockerignore in place of the context's .dockerignore; the classic builder never reads it
    for name in ("a", "x", "keep.txt"):
        (tmp_path / name).write_text(name)
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nCOPY . /ctx/\n")
    (tmp_path / ".dockerignore").write_text("a\n")
    (tmp_path / "Dockerfile.dockerignore").write_text("x\n")
    tag = created.image(f"dockerlab-test/own-ignore-{builder}:latest")
    for extra in ((), ("keep.txt",)):
        dl.build(tmp_path, "Dockerfile", tag=tag, ignore=extra, builder=builder, progress=False)
        listing = set(dl.run(tag, ["ls", "-a", "/ctx"]).output.split()) - {".", ".."}
        expected = set(dl.dockerfile.context_files(tmp_path, "Dockerfile", builder=builder)) - set(extra)
        assert listing == expected, (listing, expected)
        assert ("a" in listing, "x" in listing) == ((True, False) if builder == "buildkit" else (False, True))
