"""dl.fetch_image's decisions that need no registry: where the archive may go, which registry a name
means, and what a failure says (the copy itself is tested against the course's registry on 127.0.0.1)."""
import pytest

import dockerlab as dl
from dockerlab import fetch


@pytest.mark.parametrize("name, registry", [
    ("python:3.11-slim", "Docker Hub"), ("library/python:3.11", "Docker Hub"), ("owner/app:1", "Docker Hub"),
    ("ghcr.io/owner/app:1", "ghcr.io"), ("127.0.0.1:5000/course/x:1", "127.0.0.1:5000"), ("localhost/x", "localhost"),
])
def test_the_registry_a_name_means(name, registry):
    assert fetch._registry_of(name) == registry


def test_a_destination_that_cannot_be_written_is_refused_before_copying(tmp_path):
    for to, said in ((tmp_path, "is a folder"), (tmp_path / "nodir" / "x.tar", "does not exist"), ("/proc/x.tar", "not writable")):
        with pytest.raises(dl.DockerlabError, match=said):
            fetch._target_for("python:3.11-slim", to)
        explained = dl.fetch_image("python:3.11-slim", to=to, on_failure="explain")  # nothing is fetched: no traffic
        assert not explained and said in explained.reason
    with pytest.raises(dl.DockerlabError, match="No image reference"):
        dl.fetch_image("  ")


def test_no_reference_is_said_so_before_skopeo_runs():
    for reference in ("", "docker://", "  "):
        with pytest.raises(dl.DockerlabError, match="No image reference"):
            dl.fetch_image(reference)
    with pytest.raises(dl.DockerlabError, match="is text, not NoneType"):
        dl.fetch_image(None)
