"""The catalogue images do what a learner's Dockerfiles expect of the official ones."""
import time

import pytest

import dockerlab as dl
from dockerlab.bases import host_extra_cas, normalise_tag
from dockerlab.bases.resolve import image_state

from .conftest import run_to_exit

GO_PROGRAM = """package main

import (
\t"fmt"
\t"runtime"
)

func main() { fmt.Println("hello from Go", runtime.Version()) }
"""


def test_standins_are_labelled_and_sized_as_promised():
    limits_mb = {
        "debian:bookworm-slim": 80, "python:3.11-slim": 155, "alpine:3.20": 8,
        "gcr.io/distroless/static-debian12": 5, "postgres:15": 400, "registry:2": 120,
    }
    for name, limit in limits_mb.items():
        state, data = image_state(name)
        assert state != "missing", name
        if state == "stand-in":
            labels = data["Config"]["Labels"]
            assert labels["org.dockerlab.standin-for"] == name
            assert "Not the official image" in labels["org.opencontainers.image.description"]
            assert data["Size"] <= limit * 1e6, f"{name}: {data['Size'] / 1e6:.1f} MB > {limit} MB"
    assert image_state("alpine:latest")[1]["Id"] == image_state("alpine:3.20")[1]["Id"]


def test_pip_install_works_in_python_slim(tmp_path, created):
    tag = created.image("dockerlab-test/pip:latest")
    dl.build(tmp_path, "FROM python:3.11-slim\nRUN pip install --no-cache-dir requests\n", tag=tag, progress=False)
    code, output = run_to_exit(created, tag, ["python", "-c", "import requests; print(requests.__version__)"])
    assert code == 0 and output.strip()


def test_without_the_host_ca_pip_fails_behind_an_intercepting_proxy(tmp_path, created):
    if not host_extra_cas():
        pytest.skip("this host's TLS is not intercepted: nothing to show")
    dockerfile = (
        "FROM python:3.11-slim\n"
        "RUN rm -rf /usr/local/share/ca-certificates/dockerlab-host && update-ca-certificates --fresh >/dev/null"
        " && pip install --no-cache-dir --retries 0 --timeout 20 requests\n"
    )
    with pytest.raises(dl.BuildFailed) as caught:
        dl.build(tmp_path, dockerfile, tag=created.image("dockerlab-test/nocas:latest"), progress=False)
    assert "CERTIFICATE_VERIFY_FAILED" in "\n".join(caught.value.log_tail)


@pytest.mark.parametrize("runner", ["alpine:3.20", "alpine:latest", "gcr.io/distroless/static-debian12"])
def test_go_builds_and_a_static_binary_runs_on_small_runners(tmp_path, created, runner):
    (tmp_path / "main.go").write_text(GO_PROGRAM)
    dockerfile = (
        "FROM golang:1.21 AS builder\nWORKDIR /app\nCOPY main.go .\n"
        "RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /app/hello main.go\n"
        f"FROM {runner}\nCOPY --from=builder /app/hello /hello\nCMD [\"/hello\"]\n"
    )
    tag = created.image(f"dockerlab-test/go-{runner.replace('/', '-').replace(':', '-')}:latest")
    dl.build(tmp_path, dockerfile, tag=tag, progress=False)
    code, output = run_to_exit(created, tag)
    assert code == 0 and output.startswith("hello from Go go1.21"), output


def _psql(created, network, sql: str, password: str = "secret") -> tuple[int, str]:
    return run_to_exit(
        created, "postgres:15", ["psql", "-h", "db", "-U", "postgres", "-tA", "-c", sql],
        entrypoint=[], environment={"PGPASSWORD": password}, network=network.name,
    )


def test_postgres_takes_a_password_login_and_keeps_rows_across_restart(created):
    network = created.network()
    database = created.run("postgres:15", environment={"POSTGRES_PASSWORD": "secret"}, network=network.name, name=created.name("db"))
    network.disconnect(database)
    network.connect(database, aliases=["db"])
    deadline = time.monotonic() + 60
    while database.attrs["State"].get("Health", {}).get("Status") != "healthy":
        assert time.monotonic() < deadline, database.logs().decode()[-2000:]
        time.sleep(0.5)
        database.reload()
    assert _psql(created, network, "CREATE TABLE items (name text); INSERT INTO items VALUES ('kept');")[0] == 0
    code, output = _psql(created, network, "SELECT 1", password="wrong")
    assert code != 0 and "password authentication failed" in output
    database.restart(timeout=10)
    deadline = time.monotonic() + 30
    while True:
        code, output = _psql(created, network, "SELECT name FROM items")
        if code == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert (code, output.strip()) == (0, "kept")


def test_postgres_refuses_to_start_without_a_password(created):
    code, output = run_to_exit(created, "postgres:15")
    assert code == 1 and "POSTGRES_PASSWORD" in output


def test_registry_takes_a_push_and_serves_a_pull_by_digest(created, free_port):
    client = dl.engine.client()
    created.run("registry:2", ports={"5000/tcp": ("127.0.0.1", free_port)})
    repository = f"127.0.0.1:{free_port}/course/alpine"
    deadline = time.monotonic() + 30
    import urllib.request

    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{free_port}/v2/", timeout=2).read()
            break
        except OSError:
            assert time.monotonic() < deadline
            time.sleep(0.3)
    client.api.tag("alpine:3.20", repository, "pushed")
    created.image(f"{repository}:pushed")
    events = list(client.api.push(repository, tag="pushed", stream=True, decode=True))
    assert not any("error" in event for event in events), events
    digest = next(event["aux"]["Digest"] for event in events if "aux" in event and "Digest" in event["aux"])
    client.api.remove_image(f"{repository}:pushed")
    pulled = client.images.pull(f"{repository}@{digest}")
    created.image(f"{repository}@{digest}")
    assert pulled.id == client.images.get("alpine:3.20").id
    assert f"{repository}@{digest}" in pulled.attrs["RepoDigests"]


def test_bundle_save_then_load_restores_images(tmp_path):
    names = ["alpine:3.20", "gcr.io/distroless/static-debian12"]
    client = dl.engine.client()
    before = {tag: client.images.get(tag).id for name in names for tag in dl.bases.CATALOGUE[name].all_tags}
    bundle = dl.bases.save_bundle(tmp_path / "room.tar.gz", names, progress=False)
    assert bundle.stat().st_size > 100_000
    for tag in before:
        client.api.remove_image(tag)
    try:
        loaded = dl.bases.load_bundle(bundle, progress=False)
    finally:
        # whatever happened, the machine keeps its bases
        missing = [tag for tag in before if image_state(tag)[0] == "missing"]
        if missing:
            dl.prepare(names, pull=False, progress=False)
    assert set(loaded) == {normalise_tag(tag) for tag in before}
    assert {tag: client.images.get(tag).id for tag in before} == before


def test_loading_a_missing_bundle_is_a_clear_error(tmp_path):
    with pytest.raises(dl.DockerlabError, match="does not exist"):
        dl.bases.load_bundle(tmp_path / "nope.tar.gz")
