""""N layers" counts filesystem layers (the image's RootFS), not `docker history` rows: an ENV, LABEL,
CMD or a `WORKDIR /` row records a setting and adds no layer. Checked against the RootFS counts the
recordings hold (`dl.compare` and the multi-stage table read them from `docker inspect`)."""
import json
from pathlib import Path

import pytest

from dockerlab.images import own_layers
from dockerlab.matching import makes_layer, match_layers
from dockerlab.recording.codec import decode

RECORDED = Path(__file__).parents[2] / "data" / "recorded"


def recorded(notebook: str, call: str) -> list[tuple[list, object]]:
    data = json.loads((RECORDED / f"{notebook}.json").read_text())
    return [(entry["inputs"]["arguments"]["arguments"], decode(entry["result"])) for entry in data["calls"] if entry["call"] == call]


@pytest.mark.parametrize("instruction, size, expected", [
    ("(base layer: imported)", 74_494_262, True),
    ("COPY requirements.txt .", 16, True),
    ("RUN echo ok | grep -q ok", 0, True),  # BuildKit keeps a RUN's layer even when it adds 0 bytes (the alpine stand-in: 2 layers)
    ("WORKDIR /app", 0, True),  # the directory is made in a layer
    ("WORKDIR /", 0, False),  # "/" exists: BuildKit makes no layer (the scratch image: 1 layer)
    ("ENV LANG=C.UTF-8", 0, False),
    ("LABEL org.dockerlab.host-ca=2c98", 0, False),
    ('CMD ["python" "app.py"]', 0, False),
    ("EXPOSE map[8080/tcp:{}]", 0, False),
    ("ARG DEBIAN_MIRROR=http://deb.debian.org/debian", 0, False),
    ("USER 65532", 0, False),
])
def test_a_history_row_makes_a_layer_only_when_it_changes_the_filesystem(instruction, size, expected):
    assert makes_layer(instruction, size) is expected


def test_the_base_row_counts_the_stand_ins_filesystem_layers_as_docker_inspect_does():
    (_, compared), = recorded("01_works_on_my_machine", "compare")
    rootfs = dict(zip(compared["image"], compared["layers"], strict=True))  # len(RootFS.Layers)
    (_, table), = recorded("02_core_concepts", "layers")
    view = own_layers(table)
    assert (view["instruction"].iloc[-1] == f"FROM python:3.11-slim (stand-in): {rootfs['python:3.11-slim']} layers"
            == "FROM python:3.11-slim (stand-in): 4 layers")
    assert list(view["layers"]) == [1, 1, 1, 1, 0, 4]  # WORKDIR /app, COPY, RUN, COPY . ., CMD (a setting), the base


def test_every_recorded_multi_stage_image_has_as_many_layers_as_its_rootfs():
    runs = recorded("04_multi_stage_builds", "experiments.multi_stage")
    rootfs = {image: count for _, table in runs for image, count in zip(table["image"], table["layers"], strict=True)}
    tables = recorded("04_multi_stage_builds", "layers")
    assert len(tables) == 4
    for (image,), table in tables:
        assert own_layers(table)["layers"].sum() == own_layers(table, all_layers=True)["layers"].sum() == rootfs[image], image
    assert own_layers(tables[0][1])["instruction"].iloc[-1] == "FROM golang:1.21 (stand-in): 6 layers"  # 10 history rows


def test_the_dockerfile_view_counts_the_same_layers():
    (_, table), = recorded("02_core_concepts", "layers")
    dockerfile = ("FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n"
                  "COPY . .\nCMD [\"python\", \"app.py\"]\n")
    view = match_layers(dockerfile, table)
    assert view["layer"].iloc[0] == "python:3.11-slim (stand-in): 4 layers of the base image"
