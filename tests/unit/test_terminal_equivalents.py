"""dl.* results show the docker (or skopeo) command a learner would type in a terminal for the same answer."""
from pathlib import Path

from dockerlab.fetch import FetchedImage
from dockerlab.security import Digest, RunAsResult


def test_run_as_shows_the_runs_it_makes():
    result = RunAsResult("report:root", "uid=0(root) gid=0(root)", "/tmp/dockerlab-run-as-x/written-by-container", 0, "root")
    shown = result._repr_html_()
    assert "In a terminal:" in shown and "docker run --rm report:root id" in shown
    assert "-v &quot;$PWD/shared:/host-folder&quot; report:root touch /host-folder/written-by-container" in shown and "ls -ln shared" in shown
    assert "--user 1000 report:root id" in RunAsResult("report:root", "", "", 1000, "x", user="1000").command


def test_digest_of_shows_the_inspect_that_reads_it():
    shown = Digest("python:3.11-slim", None, "a stand-in")._repr_html_()
    assert "In a terminal:" in shown and "docker image inspect --format &#x27;{{json .RepoDigests}}&#x27; python:3.11-slim" in shown


def test_fetch_image_shows_the_skopeo_copy_even_when_it_failed():
    fetched = FetchedImage("python:3.11-slim", Path("/tmp/dockerlab-images/python-3.11-slim.tar"), ok=False, reason="no network")
    shown = fetched._repr_html_()
    assert ("In a terminal:" in shown and "skopeo copy " in shown
            and "docker://python:3.11-slim oci-archive:/tmp/dockerlab-images/python-3.11-slim.tar:python:3.11-slim" in shown)
    assert "no network" in shown
