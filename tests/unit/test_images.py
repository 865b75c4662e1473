"""Image tables from recorded `history`/`inspect` JSON, and the wasted-space arithmetic."""
from types import SimpleNamespace

import docker.errors
import pytest

from dockerlab import images
from dockerlab.errors import DockerlabError
from dockerlab.experiments import summary
from dockerlab.images import layers_from_history, waste_from_layers
from dockerlab.layerfs import LayerFiles, clean_instruction
from dockerlab.matching import history_instruction


@pytest.mark.parametrize(
    "created_by, expected",
    [
        ('/bin/sh -c #(nop)  CMD ["python3"]', 'CMD ["python3"]'),
        ("/bin/sh -c #(nop) WORKDIR /app", "WORKDIR /app"),
        ("/bin/sh -c #(nop) COPY file:abc in /app ", "COPY file:abc in /app"),
        ("/bin/sh -c apt-get update && apt-get install -y x", "RUN apt-get update && apt-get install -y x"),
        ("|2 A=1 B=2 /bin/sh -c make", "RUN make"),
        ("RUN /bin/sh -c pip install x # buildkit", "RUN pip install x"),
    ],
)
def test_clean_instruction(created_by, expected):
    assert clean_instruction(created_by) == expected


def test_imported_base_layer_is_named():
    assert clean_instruction("", "Imported from -") == "(base layer: imported)"


def test_layers_table_matches_history_and_inspect(fixture_json):
    recorded = fixture_json("image_python_slim.json")
    table = layers_from_history(recorded["history"])
    assert len(table) == len(recorded["history"])
    assert table["instruction"].iloc[0] == "(base layer: imported)"
    assert table["cumulative_size"].iloc[-1] == recorded["inspect"]["Size"]
    assert table["size"].sum() == recorded["inspect"]["Size"]
    assert table["cumulative_size"].is_monotonic_increasing
    assert any(instruction.startswith("RUN apt-get update") for instruction in table["instruction"])
    assert not any("#(nop)" in instruction for instruction in table["instruction"])


def layer(instruction, files=None, whiteouts=(), opaque=()):
    files = files or {}
    return LayerFiles(instruction, dict(files), list(whiteouts), list(opaque), 0, sum(files.values()))


def test_a_file_deleted_later_is_wasted():
    waste = waste_from_layers("x", [
        layer("FROM base", {"/bin/sh": 100}),
        layer("RUN write", {"/big": 10_000_000}),
        layer("RUN rm /big", whiteouts=["/big"]),
    ])
    assert waste.total_bytes == 10_000_000
    row = waste.offenders.iloc[0]
    assert (row["path"], row["change"], row["written_by"], row["removed_by"]) == ("/big", "deleted", "RUN write", "RUN rm /big")
    assert "every pull downloads them" in row["why"]
    assert waste.efficiency == pytest.approx(100 / 10_000_100)


def test_an_overwritten_file_wastes_its_first_copy():
    waste = waste_from_layers("x", [layer("A", {"/f": 300}), layer("B", {"/f": 200})])
    assert waste.total_bytes == 300 and waste.offenders.iloc[0]["change"] == "overwritten"
    assert waste.efficiency == pytest.approx(200 / 500)


def test_deleting_a_directory_wastes_everything_below_it():
    waste = waste_from_layers("x", [
        layer("A", {"/cache/a": 5, "/cache/sub/b": 7, "/keep": 1}),
        layer("B", whiteouts=["/cache"]),
    ])
    assert waste.total_bytes == 12 and set(waste.offenders["path"]) == {"/cache/a", "/cache/sub/b"}


def test_an_opaque_directory_hides_what_was_below():
    waste = waste_from_layers("x", [
        layer("A", {"/app/old.py": 50}),
        layer("B", {"/app/new.py": 20}, opaque=["/app"]),
    ])
    assert waste.total_bytes == 50 and list(waste.offenders["path"]) == ["/app/old.py"]


def test_no_waste_scores_one():
    waste = waste_from_layers("x", [layer("A", {"/a": 1}), layer("B", {"/b": 2})])
    assert waste.total_bytes == 0 and waste.efficiency == 1.0 and waste.offenders.empty


def test_summary_is_median_with_min_and_max():
    import pandas as pd

    runs = pd.DataFrame({"scenario": ["code"] * 3 + ["none"] * 3, "seconds": [3.0, 1.0, 2.0, 0.1, 0.3, 0.2]})
    table = summary(runs, "scenario").set_index("scenario")
    assert table.loc["code", ["median", "min", "max", "n"]].tolist() == [2.0, 1.0, 3.0, 3]
    assert table.loc["none", "median"] == pytest.approx(0.2)


def test_experiment_tags_are_valid_image_names():
    from docker.utils.build import match_tag

    from dockerlab.labels import course_tag

    for name in ["without .dockerignore", "with .dockerignore", "single stage (python:3.11)", "deps first", "..."]:
        assert match_tag(course_tag("x", name)), course_tag("x", name)


def test_clean_instruction_reads_buildkit_history():
    from dockerlab.layerfs import clean_instruction

    assert clean_instruction("RUN /bin/sh -c pip install -r requirements.txt # buildkit") == "RUN pip install -r requirements.txt"
    assert clean_instruction("RUN |1 API_TOKEN=x /bin/sh -c echo hi # buildkit") == "RUN echo hi"
    assert clean_instruction("COPY . . # buildkit") == "COPY . ."
    assert clean_instruction("WORKDIR /app") == "WORKDIR /app"


def test_own_layers_puts_the_learners_steps_first_and_the_base_in_one_row():
    import pandas as pd

    from dockerlab.images import own_layers

    table = pd.DataFrame({
        "instruction": ["(base layer)", "RUN apt-get install python3", "WORKDIR /app", "RUN pip install -r requirements.txt"],
        "size": [74_000_000, 57_000_000, 0, 2_800_000],
        "base": ["python:3.11-slim (stand-in)", "python:3.11-slim (stand-in)", "", ""],
    })
    view = own_layers(table)
    assert list(view["instruction"]) == ["WORKDIR /app", "RUN pip install -r requirements.txt", "FROM python:3.11-slim (stand-in): 2 layers"]
    assert list(view["size"]) == [0, 2_800_000, 131_000_000] and list(view["layers"]) == [1, 1, 2]
    assert len(own_layers(table, all_layers=True)) == 4


def test_a_directory_replaced_by_a_link_hides_and_wastes_what_it_held():
    from dockerlab.images import waste_from_layers
    from dockerlab.layerfs import LayerFiles, replay

    # FROM alpine / RUN mkdir /d && head -c 1000000 /dev/urandom > /d/f / RUN rm -rf /d && ln -s /etc /d
    layers = [LayerFiles("base", files={"/etc/os-release": 100}), LayerFiles("RUN mkdir /d && head -c ...", files={"/d/f": 1_000_000}),
              LayerFiles("RUN rm -rf /d && ln -s /etc /d", files={"/d": 0})]
    state = replay(layers)
    assert "/d/f" not in state.visible and "/d" in state.visible
    assert waste_from_layers("x", layers).total_bytes == 1_000_000


def test_a_file_replaced_by_a_directory_is_gone():
    from dockerlab.layerfs import LayerFiles, replay

    layers = [LayerFiles("a", files={"/data": 500}), LayerFiles("b", files={"/data/new": 10})]
    state = replay(layers)
    assert "/data" not in state.visible and state.visible["/data/new"] == (1, 10)


def test_a_whiteout_of_a_directory_deletes_what_it_held_and_a_file_whiteout_only_itself():
    from dockerlab.layerfs import LayerFiles, replay

    layers = [LayerFiles("a", files={"/x/one": 1, "/x/two": 2, "/xy": 3}), LayerFiles("b", whiteouts=["/x"])]
    assert set(replay(layers).visible) == {"/xy"}


def _history(rows):
    import pandas as pd

    return pd.DataFrame(rows, columns=["instruction", "size", "base"])


def test_dockerfile_lines_are_matched_by_the_engines_record_not_by_position():
    from dockerlab.images import match_layers

    text = (
        "# syntax=docker/dockerfile:1\n"
        "ARG VERSION=3.20\n"
        "FROM alpine:${VERSION} AS build\n"
        "RUN echo build > /b\n"
        "\n"
        "FROM alpine:3.20\n"
        "# a comment between steps\n"
        "RUN apk add \\\n"
        "    curl\n"
        "COPY --from=build /b /b\n"
        'CMD ["sh"]\n'
    )
    table = _history([
        ("COPY /rootfs/ /", 2_200_000, "alpine:3.20 (stand-in)"),
        ("RUN apk add     curl", 1_000, ""),
        ("LABEL org.dockerlab.course=1", 0, ""),  # a build label the course adds: not the Dockerfile's
        ("COPY /b /b # buildkit", 6, ""),
        ('CMD ["sh"]', 0, ""),
    ])
    shown = match_layers(text, table)
    assert list(shown["dockerfile_line"]) == [
        "2: ARG VERSION=3.20", "6: FROM alpine:3.20", "8: RUN apk add     curl", "10: COPY --from=build /b /b", '11: CMD ["sh"]',
    ]  # the parser joins a continued line; the first stage is not the image's
    assert list(shown["size"]) == [0, 2_200_000, 1_000, 6, 0]
    assert shown["layer"].iloc[0].startswith("before FROM") and shown["layer"].iloc[1].startswith("alpine:3.20 (stand-in): 1 layer of the base image")


def test_a_step_without_a_history_entry_says_so_instead_of_shifting_the_rest():
    from dockerlab.images import match_layers

    text = "FROM alpine:3.20\nRUN echo a > /a\nRUN echo b > /b\n"
    table = _history([("COPY /rootfs/ /", 100, "alpine:3.20"), ("RUN echo b > /b", 2, "")])
    shown = match_layers(text, table)
    assert list(shown["layer"])[1:] == ["(no history entry)", "RUN echo b > /b"] and list(shown["size"])[1:] == [0, 2]


# dive 0.13.1's own report on the six images of benchmarks/dive_compare.py, built here (2026-11-29):
# (layers as the course reads them, dive's inefficient bytes, dive's efficiency)
DIVE_MEASURED = {
    "overwrite": ([{"/f": 100_000}, {"/f": 200_000}], [[], []], 300_000),
    "delete": ([{"/f": 300_000}, {}], [[], ["/f"]], 300_000),
    "directory delete": ([{"/d/a": 100_000, "/d/b": 50_000}, {}], [[], ["/d"]], 0),
    "directory replaced by symlink": ([{"/d/f": 1_000_000}, {"/d": 0}], [[], []], 0),
    "hard link": ([{"/h": 100_000, "/h2": 0}, {}], [[], ["/h"]], 100_000),
}


@pytest.mark.parametrize("case", list(DIVE_MEASURED))
def test_dives_definition_is_reproduced_and_the_courses_own_is_kept(case):
    from dockerlab.images import dive_style_bytes, waste_from_layers
    from dockerlab.layerfs import LayerFiles

    files, whiteouts, dive_bytes = DIVE_MEASURED[case]
    base = LayerFiles("base", files={"/bin/busybox": 1_000_000})
    layers = [base] + [LayerFiles(f"step {i}", files=f, whiteouts=w) for i, (f, w) in enumerate(zip(files, whiteouts, strict=True))]
    assert dive_style_bytes(layers) == dive_bytes
    waste = waste_from_layers("x", layers)
    assert waste.dive_bytes == dive_bytes
    if case.startswith("directory"):  # dive does not follow deleted folders; the course does
        assert waste.total_bytes > 0 and waste.dive_efficiency == 1.0 and waste.efficiency < 1.0


# What BuildKit writes in the history for a heredoc (moby/buildkit frontend/dockerfile/dockerfile2llb/convert.go:
# dispatchRun runs a whole-command heredoc's body with the shell, a body starting with #! from /dev/pipes/NAME,
# and keeps command + bodies + terminators otherwise; dispatchCopy records `<<NAME` without the body). The
# engine here (20.10's built-in frontend) cannot build heredocs, so these are BuildKit's own rules as tests.
HEREDOC_DOCKERFILE = (
    "FROM alpine:3.20\n"
    "RUN <<EOF\n"
    "echo hi > /a\n"
    "echo there >> /a\n"
    "EOF\n"
    "RUN <<-EOT\n"
    "\tapk add curl\n"
    "EOT\n"
    "RUN cat <<EOF > /x\n"
    "line 1\n"
    "EOF\n"
    "RUN <<EOF\n"
    "#!/bin/sh\n"
    "echo from a script\n"
    "EOF\n"
    "COPY <<EOF /etc/motd\n"
    "hello\n"
    "EOF\n"
)


def test_heredoc_lines_are_matched_to_the_history_buildkit_writes_for_them():
    from dockerlab.images import match_layers
    from dockerlab.layerfs import clean_instruction

    history = [  # CreatedBy as BuildKit writes it, oldest first
        "RUN /bin/sh -c echo hi > /a\necho there >> /a\n # buildkit",
        "RUN /bin/sh -c apk add curl\n # buildkit",
        "RUN /bin/sh -c cat <<EOF > /x\nline 1\nEOF # buildkit",
        "RUN /bin/sh -c /dev/pipes/EOF # buildkit",
        "COPY <<EOF /etc/motd # buildkit",
    ]
    table = _history([("COPY /rootfs/ /", 100, "alpine:3.20")] + [(clean_instruction(text), 10 + n, "") for n, text in enumerate(history)])
    shown = match_layers(HEREDOC_DOCKERFILE, table)
    assert list(shown["size"]) == [100, 10, 11, 12, 13, 14]
    assert list(shown["dockerfile_line"])[1:3] == ["2: RUN <<EOF (echo hi > /a...)", "6: RUN <<-EOT (apk add curl)"]
    assert "(no history entry)" not in set(shown["layer"])


def test_a_heredoc_written_differently_from_the_history_is_not_matched():
    from dockerlab.images import match_layers

    table = _history([("COPY /rootfs/ /", 100, "alpine:3.20"), ("RUN echo something else", 5, "")])
    shown = match_layers("FROM alpine:3.20\nRUN <<EOF\necho hi\nEOF\n", table)
    assert list(shown["layer"])[1:] == ["(no history entry)"] and list(shown["size"])[1:] == [0]


def test_an_image_a_container_uses_says_how_to_free_it_without_cleanup(monkeypatch):
    def refuse(image):
        raise docker.errors.APIError("409",
                                     explanation=f'conflict: unable to remove repository reference "{image}" '
                                                 '(must force) - container 0123abcd is using its referenced image')
    monkeypatch.setattr(images.engine, "client", lambda: SimpleNamespace(api=SimpleNamespace(remove_image=refuse, inspect_image=lambda image: {})))
    with pytest.raises(DockerlabError, match="container 0123abcd") as raised:
        images.remove("my-app:1")
    assert "cleanup" not in raised.value.fix  # cleanup removes far more than the one image's containers
    assert "docker ps -a --filter ancestor=my-app:1" in raised.value.fix


def test_a_classic_builders_copy_entry_is_matched_by_keyword_and_destination():
    from dockerlab.builder import normalised_instruction
    from dockerlab.images import match_layers

    digest = "311f507dedbed9189da3efe1de718fba93998bf175740d3aa5a3c9a4debeb2b2"
    # as `DOCKER_BUILDKIT=0 docker build` records them (engine 20.10): flags run into the digest
    assert normalised_instruction(f"/bin/sh -c #(nop) COPY --chown=1:1multi:{digest} in /m/ ") == normalised_instruction("COPY --chown=1:1 a d/y /m/")
    assert normalised_instruction(f"ADD dir:{digest} in /d") == normalised_instruction("ADD d /d")
    assert normalised_instruction(f"COPY file:{digest} in /p") != normalised_instruction("ADD p /p")
    assert normalised_instruction(f"COPY file:{digest} in /p") != normalised_instruction("COPY p /q")
    text = "FROM alpine:3.20 AS b\nRUN head -c 1000 /dev/urandom > /p\nFROM scratch\nCOPY --from=b /p /p\nCOPY --from=b /p /q/\n"
    table = _history([(f"COPY file:{digest} in /p ", 1000, ""), (f"COPY file:{digest} in /q/ ", 1000, ""),
                      ("LABEL org.dockerlab.course=1", 0, "")])
    shown = match_layers(text, table)
    assert list(shown["size"]) == [0, 1000, 1000]
    assert list(shown["layer"])[1:] == [f"COPY file:{digest} in /p ", f"COPY file:{digest} in /q/ "]


def test_a_stage_built_from_an_earlier_stage_shows_that_stages_lines_first():
    from dockerlab.images import match_layers

    text = ("FROM alpine:3.20 AS base\nRUN head -c 500000 /dev/urandom > /big\n"
            "FROM base AS mid\nRUN echo mid > /m\nFROM mid\nRUN echo small > /s\n")
    table = _history([
        ("COPY /rootfs/ /", 2_200_000, "alpine:3.20 (stand-in)"),
        ("RUN head -c 500000 /dev/urandom > /big", 500_000, ""),
        ("RUN echo mid > /m", 4, ""),
        ("RUN echo small > /s", 6, ""),
    ])
    shown = match_layers(text, table)
    assert list(shown["dockerfile_line"]) == [
        "1: FROM alpine:3.20", "2: RUN head -c 500000 /dev/urandom > /big (stage base)", "3: FROM base (stage mid)",
        "4: RUN echo mid > /m (stage mid)", "5: FROM mid", "6: RUN echo small > /s",
    ]
    assert list(shown["size"]) == [2_200_000, 500_000, 0, 4, 0, 6]
    assert shown["size"].sum() == table["size"].sum()


# --- issue 22 kind B: lines matched to the entries both builders really wrote ----------------------

def _measured(case: str, builder: str, base_known: bool = True):
    import json
    from pathlib import Path

    data = json.loads((Path(__file__).parents[1] / "fixtures" / "history_constructs.json").read_text())
    history = data["history"][f"{case}/{builder}"]
    table = layers_from_history(history)
    if base_known:
        table.loc[:3, "base"] = "alpine:3.20 (stand-in)"
    return data["cases"][case], table, history


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
@pytest.mark.parametrize("base_known", [True, False])
def test_every_line_finds_the_entry_its_builder_wrote(builder, base_known):
    """SHELL, ARG values with spaces (`RUN |2 GREETING=hello world ...`), exec-form RUN, variables in
    WORKDIR/EXPOSE/USER/VOLUME/ADD, shell-form CMD/ENTRYPOINT, HEALTHCHECK, legacy `env A 1`: each line
    gets its own entry (as `docker history` lists them), and the sizes add up to the image's own bytes."""
    from dockerlab.images import match_layers

    text, table, history = _measured("constructs", builder, base_known)
    shown = match_layers(text, table)
    by_line = {row["dockerfile_line"].split(":", 1)[0]: row for row in shown.to_dict("records")}
    missing = [line for line, row in by_line.items() if row["layer"].startswith("(no history entry")]
    assert missing == (["21"] if builder == "buildkit" else []), shown.to_string()  # BuildKit writes no ONBUILD entry
    assert by_line["10"]["size"] == 4000 and by_line["11"]["size"] == 3000 and by_line["29"]["size"] == 2000, shown.to_string()
    assert by_line["22"]["size"] == 5 and by_line["23"]["size"] == 5
    assert by_line["9"]["layer"] == "SHELL [/bin/sh -o pipefail -c]"
    assert by_line["7"]["layer"] == "WORKDIR /srv/app" and by_line["8"]["layer"] == "WORKDIR /srv/app/sub"
    assert by_line["5"]["layer"] == "ENV A=1" and by_line["2"]["layer"] == "ARG GREETING=hello world"
    assert by_line["13"]["layer"] in ("EXPOSE map[8080/tcp:{} 9090/udp:{}]", "EXPOSE 8080 9090/udp")
    assert by_line["24"]["layer"] == 'CMD ["/bin/sh" "-o" "pipefail" "-c" "echo hi"]' and by_line["27"]["layer"] == 'CMD ["a" "b c"]'
    assert by_line["19"]["layer"].startswith("HEALTHCHECK &{[\"CMD-SHELL\" \"true\"] \"5s\"") and by_line["20"]["layer"].startswith('HEALTHCHECK &{["NONE"]')
    assert int(shown["size"].iloc[1:].sum()) == int(table.iloc[4:]["size"].sum())  # every byte the Dockerfile added


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_identical_runs_under_two_shells_keep_their_order(builder):
    """Three identical RUN lines, one after a SHELL change: each takes its own entry in order (the one
    after SHELL the entry under /bin/ash), none is left without one."""
    from dockerlab.images import match_layers

    text, table, _ = _measured("same_runs", builder)
    shown = match_layers(text, table)
    assert list(shown["size"])[1:] == [0, 0, 1000, 1000, 0, 1500, 1000], shown.to_string()
    assert "(no history entry)" not in set(shown["layer"])
    assert shown["layer"].iloc[-1] == "RUN head -c 1000 /dev/urandom > /one"


@pytest.mark.parametrize("created_by, expected", [
    ("/bin/sh -o pipefail -c #(nop)  LABEL a=b c d=e f", "LABEL a=b c d=e f"),  # classic, under a SHELL
    ("/bin/ash -eo pipefail -c #(nop)  SHELL [/bin/ash -eo pipefail -c]", "SHELL [/bin/ash -eo pipefail -c]"),
    ("|2 GREETING=hello world N=1 /bin/sh -o pipefail -c head -c 4000 /dev/urandom | cat > /p", "RUN head -c 4000 /dev/urandom | cat > /p"),
    ("RUN |1 GREETING=hello world /bin/sh -c echo $GREETING # buildkit", "RUN echo $GREETING"),
    ("|2 GREETING=hello world N=1 true", "RUN true"),  # an exec-form RUN: its words
    ("RUN |2 X=a b Y= /bin/ash -eo pipefail -c head -c 1 /dev/zero # buildkit", "RUN head -c 1 /dev/zero"),
    ("/bin/sh -o pipefail -c #(nop) COPY file:abc in /d.bin ", "COPY file:abc in /d.bin"),
    ("powershell -Command #(nop)  CMD [\"x\"]", 'CMD ["x"]'),
])
def test_a_history_entry_reads_as_its_instruction_under_any_shell(created_by, expected):
    from dockerlab.matching import history_instruction

    assert history_instruction(created_by) == expected


# --- #22 B1/B2: build arguments given on the command line, in COPY/ADD destinations and FROM ---
DIGEST = "311f507dedbed9189da3efe1de718fba93998bf175740d3aa5a3c9a4debeb2b2"
BASE = [("", 7_800_000, "alpine:3.20")]


@pytest.mark.parametrize("text, recorded", [
    ("FROM alpine:3.20\nARG DEST=/app\nCOPY a.txt $DEST/\n", ["COPY a.txt /srv/ # buildkit", f"COPY file:{DIGEST} in /srv/ "]),
    ("FROM alpine:3.20\nARG V=1\nADD a.txt /v$V/\n", ["ADD a.txt /v2/ # buildkit", f"ADD file:{DIGEST} in /v2/ "]),
    ("FROM alpine:3.20\nARG DEST\nENV TARGET=${DEST}/data\nCOPY a.txt ${TARGET}\n", ["COPY a.txt /srv/data # buildkit", f"COPY file:{DIGEST} in /srv/data "]),
    ("ARG DEST=/app\nFROM alpine:3.20\nARG DEST\nWORKDIR /w\nCOPY [\"a.txt\", \"${DEST}/a\"]\n",
     ["COPY a.txt /srv/a # buildkit", f"COPY file:{DIGEST} in /srv/a "]),
])
def test_a_build_argument_given_on_the_command_line_still_matches_its_copy(text, recorded):
    from dockerlab.images import match_layers

    for created_by in recorded:  # BuildKit's entry, then the classic builder's
        history = BASE + ([("WORKDIR /w", 0, "")] if "WORKDIR" in text else []) + [(history_instruction(created_by), 2, "")]
        shown = match_layers(text, _history(history))
        copy = shown[shown["dockerfile_line"].str.contains(" COPY | ADD ", regex=True)].iloc[0]
        assert copy["size"] == 2 and copy["layer"] == history_instruction(created_by), shown.to_string()


def test_a_build_argument_given_is_used_and_a_default_still_matches():
    from dockerlab.images import match_layers

    text = "FROM alpine:3.20\nARG DEST=/app\nCOPY a.txt $DEST/\nCOPY b.txt /fixed/\n"
    table = _history(BASE + [("COPY a.txt /app/", 2, ""), ("COPY b.txt /fixed/", 3, "")])
    assert list(match_layers(text, table)["size"]) == [7_800_000, 0, 2, 3]
    # told the value built: only that value's entry is its own (the /app/ entry is not this line's)
    assert list(match_layers(text, table, buildargs={"DEST": "/srv"})["size"]) == [7_800_000, 0, 0, 3]
    # a destination that is not a value the argument could give stays unmatched
    wrong = _history(BASE + [("COPY a.txt /elsewhere/x", 2, "")])
    assert list(match_layers("FROM alpine:3.20\nARG DEST=/app\nCOPY a.txt $DEST/\n", wrong)["size"]) == [7_800_000, 0, 0]


@pytest.mark.parametrize("buildargs, shown", [(None, "FROM alpine:3.20"), ({"TAG": "3.20"}, "FROM alpine:3.20")])
def test_the_base_row_shows_the_image_built_not_the_default(buildargs, shown):
    from dockerlab.images import match_layers

    text = "ARG TAG=3.19\nFROM alpine:${TAG} AS one\nRUN true\n"
    table = _history(BASE + [("RUN true", 0, "")])
    rows = match_layers(text, table, buildargs=buildargs)
    assert rows["dockerfile_line"].iloc[1] == "2: " + shown and rows["layer"].iloc[1].startswith("alpine:3.20")
    # a base the course made a stand-in for is named as written, its "(stand-in)" left to the layer column
    standin = match_layers(text, _history([("", 7_800_000, "alpine:3.20 (stand-in)"), ("RUN true", 0, "")]))
    assert standin["dockerfile_line"].iloc[1] == "2: FROM alpine:3.20"
    # with no base the history names and no value given, the default is what was built
    assert match_layers(text, _history([("RUN true", 0, "")]))["dockerfile_line"].iloc[1] == "2: FROM alpine:3.19"


@pytest.mark.parametrize("trigger", ["RUN /bin/sh -c head -c 1234 /dev/urandom > /ob # buildkit", "/bin/sh -c head -c 1234 /dev/urandom > /ob"])
def test_a_base_images_onbuild_trigger_layer_is_a_row_so_the_sizes_add_up(trigger):
    """#22 B (fresh tester): FROM a base with `ONBUILD RUN head -c 1234 ...`: `docker history` of the child
    shows the trigger's 1,234-byte layer after the base's (both builders, engine 20.10); it was left out."""
    from dockerlab.images import match_layers

    table = _history([("COPY /rootfs/ /", 2_207_504, "base:1"), ("RUN /bin/sh -c head -c 100 /dev/urandom > /base", 100, "base:1"),
                      (trigger, 1234, ""), ("RUN /bin/sh -c head -c 3000 /dev/urandom > /b", 3000, ""), ("LABEL org.dockerlab.course=1", 0, ""),
                      ("LABEL zz=1", 0, "")])  # a build label the classic builder records: no layer, no row
    table.attrs["base_onbuild"] = ["RUN head -c 1234 /dev/urandom > /ob"]  # the base's config OnBuild
    shown = match_layers("FROM base:1\nRUN head -c 3000 /dev/urandom > /b\n", table)
    assert list(shown["dockerfile_line"]) == ["1: FROM base:1", "1: FROM base:1 (ran the base image's ONBUILD trigger)",
                                              "2: RUN head -c 3000 /dev/urandom > /b"]
    assert list(shown["size"]) == [2_207_604, 1234, 3000] and shown["size"].sum() == table["size"].sum()


def test_an_entry_no_line_wrote_is_a_trigger_row_only_when_the_base_has_that_trigger():
    from dockerlab.images import match_layers

    table = _history([("COPY /rootfs/ /", 100, "base:1"), ("RUN /bin/sh -c echo other > /o", 5, ""), ("RUN /bin/sh -c echo b > /b", 2, "")])
    table.attrs["base_onbuild"] = ["RUN echo trigger > /t"]  # another trigger: the entry is not it (a Dockerfile that differs from the image)
    assert list(match_layers("FROM base:1\nRUN echo b > /b\n", table)["dockerfile_line"]) == ["1: FROM base:1", "2: RUN echo b > /b"]


@pytest.mark.parametrize("text, target, buildargs, named", [
    ("FROM base:1\nRUN true\n", None, None, "base:1"),
    ("ARG V=3.20\nFROM alpine:${V} AS a\nRUN true\nFROM a\nRUN true\n", None, {"V": "3.19"}, "alpine:3.19"),  # through the stage a
    ("FROM alpine:3.20 AS a\nFROM scratch\nCOPY --from=a / /\n", None, None, None),
    ("FROM alpine:3.20 AS a\nFROM scratch\n", "a", None, "alpine:3.20"),
    ("FROM alpine:3.20\n", "nosuch", None, None),
])
def test_the_base_a_dockerfile_names_is_read_through_its_stages(text, target, buildargs, named):
    from dockerlab.matching import named_base

    assert named_base(text, target, buildargs) == named


def test_remove_leaves_a_course_base_under_its_own_name_and_removes_another_name_of_it(monkeypatch):
    """A careless dl.remove("alpine:3.20") took the stand-in base every notebook builds on (minutes to make again)."""
    standin = {"Config": {"Labels": {"org.dockerlab.standin": "true", "org.dockerlab.standin-for": "alpine:3.20"}}}
    removed = []
    api = SimpleNamespace(inspect_image=lambda image: standin, remove_image=removed.append)
    monkeypatch.setattr(images.engine, "client", lambda: SimpleNamespace(api=api))
    for name in ("alpine:3.20", "docker.io/library/alpine:3.20"):
        with pytest.raises(DockerlabError, match="is a course base image") as raised:
            images.remove(name)
        assert f"`docker rmi {name}`" in raised.value.fix
    images.remove("my-alpine:1")  # the learner's own tag of the same image: only that tag goes
    assert removed == ["my-alpine:1"]
