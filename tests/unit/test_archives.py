"""Image analysis without an engine, on real archives in every format current engines and tools write
(made by tests/fixtures/make_image_archives.py on a 20.10 engine with skopeo and containerd's ctr).
Each must give what the engine itself said about the same image (archives/engine.json)."""
import json
import shutil
import tarfile
from pathlib import Path

import pytest

import dockerlab as dl
from dockerlab import layerfs, recording
from dockerlab.archive import archive_ref, read_archive

ARCHIVES = Path(__file__).parent.parent / "fixtures" / "archives"
ENGINE = json.loads((ARCHIVES / "engine.json").read_text())
BEFORE, AFTER = "dockerlab-test/archive-fixture:before", "dockerlab-test/archive-fixture:after"

# Every format holding AFTER, as a learner would name it.
FORMATS = {
    "docker save 20.10 (two images, named)": f"docker-archive:{ARCHIVES / 'docker-save-20.10.tar'}:{AFTER}",
    "skopeo oci-archive, gzip layers": str(ARCHIVES / "oci-archive-gzip.tar"),
    "skopeo oci-archive, zstd layers": f"oci-archive:{ARCHIVES / 'oci-archive-zstd.tar'}",
    "OCI layout folder (two tags, named)": f"oci:{ARCHIVES / 'oci-layout'}:after",
    "containerd export (Docker with the containerd store)": ARCHIVES / "containerd-export.tar",
    "Docker >= 25 save": str(ARCHIVES / "docker-25-save.tar"),
}
STORED_COMPRESSED = {"skopeo oci-archive, gzip layers": "gzip", "skopeo oci-archive, zstd layers": "zstd", "OCI layout folder (two tags, named)": "gzip"}
# Files the engine adds to every container it creates (its init layer): in an export, never in an image.
CONTAINER_INIT = {"/.dockerenv", "/dev/console", "/etc/hostname", "/etc/hosts", "/etc/mtab", "/etc/resolv.conf"}


@pytest.fixture(params=sorted(FORMATS), ids=lambda name: name.split(" (")[0].replace(" ", "-"))
def archive(request):
    return request.param, FORMATS[request.param]


def test_every_format_gives_the_engines_layers_and_size(archive):
    name, image = archive
    truth = ENGINE["images"][AFTER]
    table = dl.layers(image)
    assert table[["instruction", "size"]].to_dict("records") == truth["layers"]
    assert set(table["base"]) == {""}
    assert dl.inspect_image(image)["Size"] == truth["size"] == dl.image_size(image)
    layer_ids = dl.inspect_image(FORMATS["Docker >= 25 save"])["RootFS"]["Layers"]
    assert dl.inspect_image(image)["RootFS"]["Layers"] == layer_ids and len(layer_ids) == 4  # the same layers (diff ids)
    if name in STORED_COMPRESSED:  # skopeo writes the config again as OCI JSON: same layers, another digest
        assert dl.image_id(image) != truth["id"]
    else:  # the config's digest is the engine's image id
        assert dl.image_id(image) == truth["id"]


def test_every_format_gives_the_engines_waste_and_secrets(archive):
    _, image = archive
    truth = ENGINE["images"][AFTER]
    waste = dl.wasted_space(image)
    assert (waste.total_bytes, waste.dive_bytes) == (truth["wasted_bytes"], truth["dive_bytes"])
    assert waste.efficiency == pytest.approx(truth["efficiency"])
    assert sorted(waste.offenders["path"]) == truth["wasted_paths"]
    found = dl.security.find_secrets(image)
    rows = sorted(zip(found["where"], found["still_in_image"].astype(bool), found["visible_in_final_filesystem"].astype(bool), strict=True))
    assert [list(row) for row in rows] == truth["secrets"]


def test_every_format_gives_the_final_filesystem_a_container_sees(archive):
    _, image = archive
    exported = {path: tuple(entry) for path, entry in ENGINE["images"][AFTER]["files"].items() if path not in CONTAINER_INIT}
    assert {path: entry for path, entry in layerfs.image_files(image).items() if entry[1] != "dir"} == exported
    assert dl.images.file_size(image, "/data/keep/b") == 4
    with pytest.raises(dl.DockerlabError, match="There is no /d/f"):
        dl.images.file_size(image, "/d/f")  # its folder was replaced by a link


def test_compressed_size_is_the_blob_when_stored_compressed_and_estimated_when_plain(archive):
    name, image = archive
    saved = layerfs.saved_layers(image)
    compression = STORED_COMPRESSED.get(name, "none")
    assert {layer.compression for layer in saved} == {compression}
    assert all(layer.compressed_measured == (compression != "none") for layer in saved)
    if compression == "none":  # gzip -6 of the same tar bytes the engine streamed
        assert dl.image_size(image, compressed=True) == ENGINE["images"][AFTER]["compressed_estimate"]
    else:
        found = read_archive(archive_ref(image))
        with tarfile.open(found.ref.path) if found.ref.path.is_file() else _Folder(found.ref.path) as stored:
            blob_sizes = [stored.getmember(layer).size for layer in found.layer_names]
        assert dl.image_size(image, compressed=True) == sum(blob_sizes)


class _Folder:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass

    def getmember(self, name: str):
        return type("Member", (), {"size": (self.path / name).stat().st_size})


@pytest.mark.parametrize("a, b", [
    (f"docker-archive:{ARCHIVES / 'docker-save-20.10.tar'}:{BEFORE}", f"docker-archive:{ARCHIVES / 'docker-save-20.10.tar'}:{AFTER}"),
    (f"oci:{ARCHIVES / 'oci-layout'}:before", f"oci:{ARCHIVES / 'oci-layout'}:after"),
    (f"oci:{ARCHIVES / 'oci-layout'}:before", ARCHIVES / "oci-archive-zstd.tar"),
])
def test_diff_of_two_archives_is_the_engines(a, b):
    table = dl.diff(a, b)
    by_path = lambda rows: sorted(rows, key=lambda row: row["path"])  # noqa: E731 - equal sizes may come in any order
    assert by_path(table[["path", "change", "size_in_a", "size_in_b"]].to_dict("records")) == by_path(ENGINE["diff"])


def test_an_archive_is_analysed_in_recorded_mode_too(monkeypatch):
    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")  # Binder: no engine, recordings for the course's own images
    recording.reset()
    try:
        assert recording.current() == recording.RECORDED
        assert dl.wasted_space(ARCHIVES / "oci-archive-zstd.tar").total_bytes == ENGINE["images"][AFTER]["wasted_bytes"]
        with pytest.raises(dl.RecordingMissing):
            dl.wasted_space("dockerlab-test/never-recorded:1")  # an engine image still replays (or says it cannot)
    finally:
        recording.reset()


def test_a_name_that_is_not_an_archive_stays_an_engine_name(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    for name in ("python:3.11-slim", "myapp", str(tmp_path), tmp_path, "FROM scratch\nCOPY . /\n", str(tmp_path / "Dockerfile")):
        assert archive_ref(name) is None
    assert archive_ref(ARCHIVES / "oci-layout").transport == "oci"  # a folder is an archive when it holds an OCI layout
    assert archive_ref(str(ARCHIVES / "docker-save-20.10.tar")).transport == "docker-archive"
    assert archive_ref(str(ARCHIVES / "oci-archive-gzip.tar")).transport == "oci-archive"


@pytest.mark.parametrize("image, said", [
    (str(ARCHIVES / "docker-save-20.10.tar"), "holds 2 images"),
    (f"oci:{ARCHIVES / 'oci-layout'}", "holds 2 images"),
    (f"docker-archive:{ARCHIVES / 'docker-save-20.10.tar'}:other:1", "holds no image named 'other:1'"),
    ("oci-archive:/nonexistent/image.tar", "There is no image archive at /nonexistent/image.tar"),
    ("/nonexistent/image.tar", "There is no image archive"),
])
def test_an_archive_that_does_not_name_one_image_says_what_it_holds(image, said):
    with pytest.raises(dl.DockerlabError, match=said) as raised:
        dl.layers(image)
    assert raised.value.fix


def test_a_damaged_archive_is_a_clear_error(tmp_path):
    plain = tmp_path / "notes.tar"
    with tarfile.open(plain, "w") as out:
        out.add(__file__, arcname="notes.txt")
    with pytest.raises(dl.DockerlabError, match="not an image archive"):
        dl.layers(plain)
    truncated = tmp_path / "truncated.tar"
    data = (ARCHIVES / "docker-25-save.tar").read_bytes()
    truncated.write_bytes(data[: len(data) // 3])
    with pytest.raises(dl.DockerlabError) as raised:
        dl.wasted_space(truncated)
    assert "truncated" in str(raised.value) or "damaged" in str(raised.value) or "not a readable tar" in str(raised.value)
    folder = tmp_path / "layout"
    shutil.copytree(ARCHIVES / "oci-layout", folder)
    blobs = sorted((folder / "blobs" / "sha256").iterdir(), key=lambda path: path.stat().st_size)
    blobs[-1].unlink()  # the largest blob: a layer
    with pytest.raises(dl.DockerlabError, match="no such member|incomplete"):
        dl.wasted_space(f"oci:{folder}:after")


def test_audit_and_compare_read_an_archive_like_an_image(archive):
    _, image = archive
    row = dl.security.audit(image).iloc[0]
    assert row["image"] == str(image) and row["runs_as_root"] and row["shell"] == "none" and row["size"] == ENGINE["images"][AFTER]["size"]
    table = dl.compare(image)
    assert table.iloc[0]["size"] == ENGINE["images"][AFTER]["size"] and table.iloc[0]["layers"] == 4 and table.iloc[0]["runs"] == "/app/hello.txt"


@pytest.mark.parametrize("image", [
    f"docker-archive:{ARCHIVES / 'docker-save-20.10.tar'}:{AFTER}",  # one of two images in a docker save
    f"oci:{ARCHIVES / 'oci-layout'}:after",  # one of two tags in a layout
])
def test_one_image_of_several_is_copied_alone_and_reads_the_same(image):
    from dockerlab.archive import single_image_layout

    with single_image_layout(archive_ref(image)) as layout:
        assert dl.layers(layout)[["instruction", "size"]].to_dict("records") == ENGINE["images"][AFTER]["layers"]
        assert dl.wasted_space(layout).total_bytes == ENGINE["images"][AFTER]["wasted_bytes"]
    assert not layout.exists()
    assert list(dl.security.sbom(image).columns) == ["name", "version", "type"]  # syft reads the one image (the fixture has no packages)


def _damaged_layout(tmp_path, source: str, damage) -> str:
    folder = tmp_path / "layout"
    with tarfile.open(ARCHIVES / source) as archive:
        archive.extractall(folder, filter="data")
    found = read_archive(archive_ref(folder))
    largest = max(found.layer_names, key=lambda name: (folder / name).stat().st_size)
    data = (folder / largest).read_bytes()
    (folder / largest).write_bytes(damage(data))
    return str(folder)


@pytest.mark.parametrize("source", ["oci-archive-gzip.tar", "oci-archive-zstd.tar"])
@pytest.mark.parametrize("damage", [lambda data: data[:40] + bytes(b ^ 0x5A for b in data[40:200]) + data[200:], lambda data: data[: len(data) // 2]],
                         ids=["corrupt", "truncated"])
def test_a_damaged_compressed_layer_is_a_clear_error(tmp_path, source, damage):
    folder = _damaged_layout(tmp_path, source, damage)
    with pytest.raises(dl.DockerlabError, match="cannot be read") as raised:
        dl.wasted_space(folder)
    assert "make it again" in raised.value.fix


def test_odd_names_and_indexes_are_clear_errors(tmp_path):
    odd = tmp_path / "odd.tar"
    with tarfile.open(odd, "w") as out:
        info = tarfile.TarInfo("manifest.json")
        data = b'{"a": 1}'
        info.size = len(data)
        out.addfile(info, __import__("io").BytesIO(data))
    with pytest.raises(dl.DockerlabError, match="does not understand") as raised:
        dl.layers(odd)
    assert "KeyError" in raised.value.message and "no 0" not in raised.value.message
    empty = tmp_path / "empty-index.tar"
    with tarfile.open(empty, "w") as out:
        info = tarfile.TarInfo("manifest.json")
        info.size = 2
        out.addfile(info, __import__("io").BytesIO(b"[]"))
    with pytest.raises(dl.DockerlabError, match="holds no image"):
        dl.layers(empty)
    with pytest.raises(dl.DockerlabError, match="names no file"):
        dl.layers("docker-archive:")
    with pytest.raises(dl.DockerlabError, match="There is no image archive at python.tar"):
        dl.layers("python.tar")  # no image name ends in .tar: a missing archive, said so
    random_bytes = tmp_path / "random.tar"
    random_bytes.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(dl.DockerlabError) as raised:
        dl.layers(random_bytes)
    assert "\n" not in raised.value.message and ":)" not in raised.value.message  # one line, not tarfile's list of methods


def test_a_fetched_image_is_named_by_its_path_in_tables():
    from dockerlab.fetch import FetchedImage

    fetched = FetchedImage("example/image:1", ARCHIVES / "oci-archive-zstd.tar", True, 1, 0.1, 4)
    assert dl.compare(fetched).iloc[0]["image"] == str(ARCHIVES / "oci-archive-zstd.tar")
    assert dl.wasted_space(fetched).image == str(ARCHIVES / "oci-archive-zstd.tar")


def test_an_index_that_names_itself_is_an_error_not_a_hang(tmp_path):
    import hashlib

    folder = tmp_path / "loop"
    (folder / "blobs" / "sha256").mkdir(parents=True)
    (folder / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    # an image index whose only entry is an index naming the same digest: follow it and it never ends
    inner = (b'{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", '
             b'"manifests": [{"digest": "sha256:SELF", "platform": {"architecture": "amd64", "os": "linux"}}]}')
    digest = hashlib.sha256(inner).hexdigest()  # the digest cannot name itself; a two-blob cycle can
    other = inner.replace(b"SELF", digest.encode())
    other_digest = hashlib.sha256(other).hexdigest()
    first = inner.replace(b"SELF", other_digest.encode())
    first_digest = hashlib.sha256(first).hexdigest()
    (folder / "blobs" / "sha256" / first_digest).write_bytes(first)
    (folder / "blobs" / "sha256" / other_digest).write_bytes(other.replace(digest.encode(), first_digest.encode()))
    (folder / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": f"sha256:{first_digest}"}]}))
    with pytest.raises(dl.DockerlabError, match="nested indexes"):
        dl.layers(folder)
