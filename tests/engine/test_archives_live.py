"""Images without an engine, end to end: an image pushed to the course's registry on 127.0.0.1 is
fetched with skopeo (dl.fetch_image), then analysed with the engine hidden; the figures equal the
engine's own for the same image. And the engine's own images are read through the same reader."""
import json
import os

import pytest

import dockerlab as dl
from dockerlab import recording

DOCKERFILE = (
    "FROM alpine:3.20\n"
    "RUN head -c 300000 /dev/urandom > /big && mkdir -p /d && echo x > /d/f\n"
    "RUN rm /big && rm -rf /d && ln -s /etc /d\n"
)


@pytest.fixture
def pushed(tmp_path, created, free_port):
    tag = created.image("dockerlab-test/fetch-me:1")
    dl.build(tmp_path, DOCKERFILE, tag=tag, progress=False)
    with dl.registry.local_registry(port=free_port, name="dockerlab-test-fetch-registry") as registry:
        registry.push(tag, "course/fetch-me", "1")
        created.image(f"{registry.host}/course/fetch-me:1")
        yield tag, registry


def test_an_image_fetched_from_a_registry_is_analysed_with_no_engine(pushed, tmp_path, monkeypatch):
    tag, registry = pushed
    truth = {
        "layers": dl.layers(tag)[["instruction", "size"]].to_dict("records"),
        "size": dl.image_size(tag),
        "wasted": dl.wasted_space(tag).total_bytes,
        "packages": sorted(dl.security.sbom(tag)["name"]),
    }
    compressed = int(registry.manifest("course/fetch-me", "1")["compressed_size"].sum())  # what the registry stores
    fetched = dl.fetch_image(f"{registry.host}/course/fetch-me:1", to=tmp_path / "fetched.tar", progress=False)
    assert (fetched and fetched.path.is_file() and fetched.bytes == fetched.path.stat().st_size
            and fetched.layers == len(dl.inspect_image(tag)["RootFS"]["Layers"]))
    assert not list(tmp_path.glob("*.partial"))

    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/engine-hidden.sock")  # as on Binder: no engine
    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
    recording.reset()
    try:
        assert not dl.engine.available()
        assert dl.layers(fetched)[["instruction", "size"]].to_dict("records") == truth["layers"]
        assert dl.image_size(fetched) == truth["size"]
        assert dl.image_size(fetched, compressed=True) == compressed  # the blobs as the registry stores them, not an estimate
        assert dl.wasted_space(fetched).total_bytes == truth["wasted"] >= 300000
        assert sorted(dl.security.sbom(fetched)["name"]) == truth["packages"] and truth["packages"]
    finally:
        recording.reset()


def test_a_fetch_that_fails_leaves_nothing_and_says_why(free_port, tmp_path):
    with dl.registry.local_registry(port=free_port, name="dockerlab-test-fetch-empty"):
        target = tmp_path / "absent.tar"
        with pytest.raises(dl.DockerlabError, match="Could not fetch 127.0.0.1:") as raised:
            dl.fetch_image(f"127.0.0.1:{free_port}/course/absent:1", to=target, progress=False)
        assert "skopeo inspect" in raised.value.fix or "reaches" in raised.value.fix
        assert not target.exists() and not list(tmp_path.iterdir())
        explained = dl.fetch_image(f"127.0.0.1:{free_port}/course/absent:1", to=target, progress=False, on_failure="explain")
        assert not explained and "Could not fetch" in explained.reason


def test_the_engines_own_save_is_read_by_its_index(created, tmp_path):
    """An engine image is spooled from `docker save` and read like any archive: same answers as that archive."""
    tag = created.image("dockerlab-test/spooled:1")
    dl.build(tmp_path, DOCKERFILE, tag=tag, progress=False)
    saved = tmp_path / "saved.tar"
    with open(saved, "wb") as out:
        for chunk in dl.engine.client().images.get(tag).save(named=True):
            out.write(chunk)
    assert json.loads(dl.layers(tag)[["instruction", "size"]].to_json()) == json.loads(dl.layers(saved)[["instruction", "size"]].to_json())
    assert dl.image_size(tag, compressed=True) == dl.image_size(saved, compressed=True)
    assert dl.wasted_space(tag).total_bytes == dl.wasted_space(saved).total_bytes
    leftovers = [name for name in os.listdir(os.environ.get("TMPDIR", "/tmp")) if name.startswith("dockerlab-save-")]
    assert leftovers == []  # the spooled save is removed
