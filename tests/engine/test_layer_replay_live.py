"""The course's layer replay against what the engine's own filesystem shows (`docker export` of a
created container) and against dive, for a file replaced by a directory and a hard-linked key."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

import dockerlab as dl
from dockerlab.layerfs import exported_files, layer_files, replay

KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\\nAAAAB3NzaC1yc2EAAAADAQABAAABAQC\\n-----END OPENSSH PRIVATE KEY-----"
# What the engine's init layer adds to every container (not the image's).
CONTAINER_INIT = {"/.dockerenv", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf", "/etc/mtab", "/dev/console"}
CASES = {
    "file-replaced-by-directory": "FROM alpine:3.20\nRUN head -c 1000000 /dev/urandom > /x\nRUN rm /x && mkdir /x\n",
    "hard-linked-key": (f"FROM alpine:3.20\nRUN mkdir -p /root/.ssh && printf '{KEY}\\n' > /root/.ssh/id_rsa && ln /root/.ssh/id_rsa /zz_keep\n"
                        "RUN rm /root/.ssh/id_rsa\n"),
}


def _dive(image: str, tmp_path: Path) -> int:
    out = tmp_path / "dive.json"
    subprocess.run([str(Path(sys.executable).with_name("dive")), image, "--json", str(out)], check=True, capture_output=True, timeout=300)
    return int(json.loads(out.read_text())["image"]["inefficientBytes"])


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_the_replay_shows_what_docker_export_shows(case, builder, tmp_path, created):
    tag = created.image(f"dockerlab-test/replay-{case}-{builder}:latest")
    dl.build(tmp_path, CASES[case], tag=tag, builder=builder, progress=False)
    exported = {path: kind for path, (_, kind) in exported_files(tag).items() if kind != "dir" and path not in CONTAINER_INIT}
    visible = replay(layer_files(tag)).visible
    assert set(visible) == set(exported)
    waste = dl.wasted_space(tag)
    secrets = dl.security.find_secrets(tag)
    if case == "file-replaced-by-directory":
        assert exported_files(tag)["/x"][1] == "dir"
        assert waste.total_bytes == 1_000_000
    else:
        assert "/zz_keep" in exported and "/root/.ssh/id_rsa" not in exported
        shown = dict(zip(secrets["where"], secrets["visible_in_final_filesystem"], strict=True))
        assert shown.get("/zz_keep") is True and shown.get("/root/.ssh/id_rsa") is False
        assert waste.total_bytes == 0  # a container still reads the key through /zz_keep
    assert waste.dive_bytes == _dive(tag, tmp_path)
