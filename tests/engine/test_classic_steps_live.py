"""The classic builder's steps and dockerfile_layers where a verifier broke them (#22 kind B), against the engine's
own record (`docker history`, the image's labels): a base image's two ONBUILD triggers, build labels whose key or
value holds a newline, and `FROM BUILDER` after `AS builder` (a stage to the classic builder)."""
import subprocess

import dockerlab as dl


def _history(tag: str) -> list[tuple[int, str]]:
    """(size in bytes, CreatedBy) of each entry of `docker history`, newest first."""
    out = subprocess.run(["/usr/bin/docker", "history", "--no-trunc", "--human=false", "--format", "{{.Size}}\t{{.CreatedBy}}", tag],
                         check=True, capture_output=True, text=True).stdout
    return [(int(size), created_by) for size, _, created_by in (line.partition("\t") for line in out.splitlines())]


def test_two_onbuild_triggers_are_a_row_each_with_their_own_size(tmp_path, created):
    (tmp_path / "f.txt").write_text("hello\n")
    (tmp_path / "c.txt").write_text("c\n")
    base = created.image("dockerlab-test/classic-two-triggers:latest")
    dl.build(tmp_path, "FROM alpine:3.20\nONBUILD RUN echo one > /1\nONBUILD COPY f.txt /f.txt\n", tag=base, builder="classic", progress=False)
    child = created.image("dockerlab-test/classic-two-triggers-child:latest")
    result = dl.build(tmp_path, f"FROM {base}\nCOPY c.txt /c\n", tag=child, builder="classic", progress=False)
    steps = result.steps
    assert [text.split(" (a trigger")[0] for text in steps["instruction"]] == [
        f"FROM {base}", "RUN echo one > /1", "COPY f.txt /f.txt", "COPY c.txt /c"], steps.to_string()
    history = [size for size, created_by in _history(child) if "#(nop)  LABEL" not in created_by]  # newest first, the build labels left out
    assert list(steps["size_added"])[1:] == history[:3][::-1] == [4, 6, 2], steps.to_string()
    assert steps["seconds"].iloc[1] > 0 and steps["seconds"].iloc[2] > 0


def test_build_labels_holding_a_newline_are_no_steps_of_the_dockerfile(tmp_path, created):
    tag = created.image("dockerlab-test/classic-newline-labels:latest")
    labels = {"zz": "a\nb", "new\nline": "v", "ключ": "x"}
    result = dl.build(tmp_path, "FROM alpine:3.20\nLABEL ключ=x\n", tag=tag, builder="classic", labels=labels, progress=False)
    assert list(result.steps["instruction"]) == ["FROM alpine:3.20", "LABEL ключ=x"], result.steps.to_string()
    stored = dl.inspect_image(tag)["Config"]["Labels"]
    assert {key: stored.get(key) for key in labels} == labels  # the engine kept them, newlines and all
    appended = [step.instruction for step in result.build_steps if step.added_by_dockerlab]
    history = dl.engine.client().api.history(tag)  # newest first; a CreatedBy may hold a newline, so not the CLI's lines
    assert [entry["CreatedBy"].split("#(nop)  ", 1)[1] for entry in history[: len(appended)]][::-1] == appended
    assert appended[-1] == "LABEL ключ=x" and "LABEL zz=a\nb" in appended and "LABEL new\nline=v" in appended


def test_a_capital_from_of_an_earlier_stage_keeps_its_layer_on_the_classic_builder(tmp_path, created):
    text = "FROM alpine:3.20 AS builder\nRUN echo hi > /x\nFROM BUILDER\nRUN echo c > /c\n"
    tag = created.image("dockerlab-test/classic-capital-from:latest")
    dl.build(tmp_path, text, tag=tag, builder="classic", progress=False)
    table = dl.dockerfile_layers(text, tag)
    assert list(table["dockerfile_line"]) == ["1: FROM alpine:3.20", "2: RUN echo hi > /x (stage builder)", "3: FROM BUILDER", "4: RUN echo c > /c"]
    assert list(table["size"])[1:] == [3, 0, 2], table.to_string()
    assert int(table["size"].sum()) == sum(size for size, _ in _history(tag))


def test_a_builder_stage_leaves_no_image_and_no_build_argument_behind(tmp_path, created):
    """#22: the classic builder kept a builder stage's images (untagged, one listed as <none>, unknown to `dockerlab
    clean`), each with the build argument its RUN saw in its history; they are removed once the build is done."""
    client = dl.engine.client()
    before = {image.id for image in client.images.list(all=True)}
    tag = created.image("dockerlab-test/classic-builder-stage:latest")
    text = ("FROM alpine:3.20 AS build\nARG BUILD_TOKEN\nRUN echo \"$BUILD_TOKEN\" | wc -c > /n\n"
            "FROM alpine:3.20\nCOPY --from=build /n /n\nCMD [\"cat\", \"/n\"]\n")
    result = dl.build(tmp_path, text, tag=tag, builder="classic", buildargs={"BUILD_TOKEN": "tok-22n-secret"}, nocache=True, progress=False)
    new = [image for image in client.images.list(all=True) if image.id not in before]
    chain = {entry["Id"] for entry in client.api.history(result.image_id)}
    assert new and all(image.id in chain for image in new), [(image.short_id, image.tags) for image in new]  # the final image's own layers only
    assert not any("tok-22n-secret" in (entry.get("CreatedBy") or "") for image in new for entry in client.api.history(image.id))
