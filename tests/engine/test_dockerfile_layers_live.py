"""dockerfile_layers on both builders against `docker history`: the classic builder's COPY records
(`COPY file:<sha256> in /p`) and a final stage built FROM an earlier stage."""
import subprocess

import pytest

import dockerlab as dl


def _history_sizes(tag: str) -> int:
    out = subprocess.run(["/usr/bin/docker", "history", "--no-trunc", "--human=false", "--format", "{{.Size}}", tag],
                         check=True, capture_output=True, text=True).stdout
    return sum(int(size) for size in out.split())


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_a_copy_from_a_stage_shows_its_bytes(builder, tmp_path, created):
    (tmp_path / "a.txt").write_text("hello\n")
    text = ("FROM alpine:3.20 AS b\nRUN head -c 1000 /dev/urandom > /p\n"
            "FROM scratch\nCOPY --from=b /p /p\nCOPY a.txt /a.txt\n")
    tag = created.image(f"dockerlab-test/df-layers-copy-{builder}:latest")
    dl.build(tmp_path, text, tag=tag, builder=builder, progress=False)
    table = dl.dockerfile_layers(text, tag)
    assert list(table["size"]) == [0, 1000, 6], table.to_string()
    assert "(no history entry)" not in set(table["layer"])
    assert int(table["size"].sum()) == _history_sizes(tag)


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_a_stage_built_from_an_earlier_stage_keeps_that_stages_layers(builder, tmp_path, created):
    text = "FROM alpine:3.20 AS base\nRUN head -c 500000 /dev/urandom > /big\nFROM base\nRUN echo small > /s\n"
    tag = created.image(f"dockerlab-test/df-layers-stage-{builder}:latest")
    dl.build(tmp_path, text, tag=tag, builder=builder, progress=False)
    table = dl.dockerfile_layers(text, tag)
    lines = list(table["dockerfile_line"])
    assert lines == ["1: FROM alpine:3.20", "2: RUN head -c 500000 /dev/urandom > /big (stage base)", "3: FROM base", "4: RUN echo small > /s"]
    assert list(table["size"])[1:] == [500_000, 0, 6], table.to_string()
    assert int(table["size"].sum()) == _history_sizes(tag)


def _copied_by_build(context, names: list[str], dockerignore: str, tag: str, builder: str) -> list[str]:
    """Write ``names`` and ``dockerignore`` into ``context``, build `COPY . /ctx` with ``builder``, and list
    (sorted, relative) the files the image holds: what the build really sent."""
    for name in names:
        (context / name).parent.mkdir(parents=True, exist_ok=True)
        (context / name).write_text("x\n")
    (context / ".dockerignore").write_text(dockerignore)
    dl.build(context, "FROM alpine:3.20\nCOPY . /ctx\n", tag=tag, builder=builder, progress=False)
    out = subprocess.run(["/usr/bin/docker", "run", "--rm", "--label", "org.dockerlab.course=1", tag, "find", "/ctx", "-type", "f"],
                         check=True, capture_output=True, text=True).stdout
    return sorted(line.removeprefix("/ctx/") for line in out.split() if not line.endswith((".dockerignore", "Dockerfile")))


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_dl_build_sends_what_the_cli_sends(builder, tmp_path, created):
    from dockerlab.dockerfile import context_files

    tag = created.image(f"dockerlab-test/ignore-{builder}:latest")
    copied = _copied_by_build(tmp_path, ["#hash.txt", "keep.txt", "notes.tmp", "sub/deep/x.tmp", "Secret.ENV"],
                              "\\#hash.txt\n*.tmp\nsecret.env\n", tag, builder)
    assert copied == ["Secret.ENV", "keep.txt", "sub/deep/x.tmp"]
    assert sorted(path for path in context_files(tmp_path) if path != ".dockerignore") == copied


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_every_construct_finds_its_entry_in_docker_history(builder, tmp_path, created):
    """SHELL with options, an ARG value with a space, exec-form RUN, variables in WORKDIR/EXPOSE/ADD,
    shell-form CMD, HEALTHCHECK, legacy `env A 1` (issue 22 kind B): every line but BuildKit's ONBUILD
    has an entry, and the sizes add up to what `docker history` lists above the base image."""
    import json
    from pathlib import Path

    cases = json.loads((Path(__file__).parents[1] / "fixtures" / "history_constructs.json").read_text())["cases"]
    (tmp_path / "data.bin").write_text("data\n")
    for case, text in cases.items():
        tag = created.image(f"dockerlab-test/df-layers-{case}-{builder}:latest")
        dl.build(tmp_path, text, tag=tag, builder=builder, progress=False)
        table = dl.dockerfile_layers(text, tag)
        missing = [line for line, layer in zip(table["dockerfile_line"], table["layer"], strict=True) if layer.startswith("(no history entry")]
        assert missing == (["21: ONBUILD RUN echo x"] if builder == "buildkit" and case == "constructs" else []), table.to_string()
        assert int(table["size"].sum()) == _history_sizes(tag), table.to_string()


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_dl_build_sends_what_the_cli_sends_when_a_left_out_folder_holds_exceptions(builder, tmp_path, created):
    """Issue 22 kind C: `*` then `!src/**/*.py`: the CLI skips the left-out src/sub, so only src/a.py is sent."""
    from dockerlab.dockerfile import context_files

    tag = created.image(f"dockerlab-test/ignore-walk-{builder}:latest")
    copied = _copied_by_build(tmp_path, ["src/a.py", "src/sub/b.py", "top.py"], "*\n!src/**/*.py\n", tag, builder)
    assert copied == ["src/a.py"] == context_files(tmp_path)


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_a_lone_exclamation_mark_stops_both_builders_as_the_cli_does(builder, tmp_path):
    import os

    (tmp_path / "secret.env").write_text("KEY=x\n")
    (tmp_path / ".dockerignore").write_text("secret.env\n!\n")
    cli = subprocess.run(["/usr/bin/docker", "build", "-q", str(tmp_path), "-f", "-"], input="FROM alpine:3.20\nCOPY . /ctx\n",
                         capture_output=True, text=True, env={**os.environ, "DOCKER_BUILDKIT": "1" if builder == "buildkit" else "0"})
    assert cli.returncode != 0 and 'illegal exclusion pattern: "!"' in cli.stderr
    with pytest.raises(dl.DockerlabError, match='illegal exclusion pattern: "!"'):
        dl.build(tmp_path, "FROM alpine:3.20\nCOPY . /ctx\n", tag="dockerlab-test/lone-bang:latest", builder=builder, progress=False)


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_a_build_argument_given_for_a_copy_destination_still_matches(builder, tmp_path, created):
    # #22 B1: `docker history` says `COPY a.txt /srv/`, 2 B, when DEST=/srv was given
    (tmp_path / "a.txt").write_text("a\n")
    text = "ARG TAG=3.19\nFROM alpine:${TAG}\nARG DEST=/app\nCOPY a.txt $DEST/\n"
    tag = created.image(f"dockerlab-test/df-layers-buildarg-{builder}:latest")
    dl.build(tmp_path, text, tag=tag, builder=builder, buildargs={"DEST": "/srv", "TAG": "3.20"}, progress=False)
    table = dl.dockerfile_layers(text, tag)
    assert list(table["dockerfile_line"])[1] == "2: FROM alpine:3.20"  # the base built, not the default 3.19
    copy = table.iloc[-1]
    assert copy["size"] == 2 and "/srv/" in copy["layer"], table.to_string()


def test_an_onbuild_trigger_is_marked_as_the_base_images(tmp_path, created):
    base = created.image("dockerlab-test/df-onbuild-base:latest")
    dl.build(tmp_path, "FROM alpine:3.20\nONBUILD RUN echo trigger > /t\n", tag=base, builder="buildkit", progress=False)
    child = created.image("dockerlab-test/df-onbuild-child:latest")
    steps = dl.build(tmp_path, f"FROM {base}\nRUN echo own > /o\n", tag=child, builder="buildkit", progress=False).steps
    marked = {instruction.split(" (")[0]: "ONBUILD" in instruction for instruction in steps["instruction"]}
    assert marked == {f"FROM docker.io/{base}": False, "RUN echo trigger > /t": True, "RUN echo own > /o": False}, steps.to_string()
    # #22 B: dockerfile_layers shows the trigger's layer under the FROM that ran it: its rows add up to the image
    table = dl.images.dockerfile_layers(f"FROM {base}\nRUN echo own > /o\n", child)
    assert list(table["layer"])[1:] == ["RUN echo trigger > /t", "RUN echo own > /o"], table.to_string()
    assert "ONBUILD trigger" in table["dockerfile_line"].iloc[1] and table["size"].sum() == dl.images.image_size(child), table.to_string()


def test_an_onbuild_trigger_is_a_row_of_its_own_on_the_classic_builder_too(tmp_path, created):
    """#22 leftovers: the classic builder runs the trigger inside its FROM step; the steps table shows it as BuildKit's does."""
    base = created.image("dockerlab-test/df-onbuild-base-classic:latest")
    dl.build(tmp_path, "FROM alpine:3.20\nONBUILD RUN echo trigger > /t\n", tag=base, builder="classic", progress=False)
    child = created.image("dockerlab-test/df-onbuild-child-classic:latest")
    steps = dl.build(tmp_path, f"FROM {base}\nRUN echo own > /o\n", tag=child, builder="classic", progress=False).steps
    assert [instruction.split(" (")[0] for instruction in steps["instruction"]] == [f"FROM {base}", "RUN echo trigger > /t", "RUN echo own > /o"]
    assert "ONBUILD" in steps["instruction"].iloc[1] and list(steps["size_added"]) == [0, 8, 4], steps.to_string()  # "trigger\n", "own\n"
