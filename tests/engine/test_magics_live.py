"""%docker on the engine: what it creates is labelled, published on 127.0.0.1 only, and removed by cleanup."""
from __future__ import annotations

import dockerlab as dl
from dockerlab import magics


def test_build_then_run_published_locally_and_cleaned_up(tmp_path, free_port, created):
    (tmp_path / "Dockerfile").write_text('FROM alpine:3.20\nCMD ["sleep", "60"]\n')
    tag = created.image("dockerlab-test/magic:1")
    built = magics.docker(magics.split(f"docker build -t {tag} {tmp_path}"), progress=False)
    assert built.ok and "DONE" in built.output, built.output  # BuildKit plain progress
    client = dl.engine.client()
    assert client.images.get(tag).labels["org.dockerlab.course"] == "1"
    ran = magics.docker(magics.split(f"run -d -p {free_port}:80 {tag}"), progress=False)
    assert ran.ok, ran.output
    container = client.containers.get(ran.output.strip().splitlines()[-1])
    binding = container.attrs["HostConfig"]["PortBindings"]["80/tcp"][0]
    assert binding == {"HostIp": "127.0.0.1", "HostPort": str(free_port)}
    assert container.labels["org.dockerlab.created"] == "1"
    dl.cleanup()
    assert not client.containers.list(all=True, filters={"id": container.id})


def test_a_failing_command_is_a_result_with_its_exit_code():
    result = magics.docker(magics.split("run --rm alpine:3.20 sh -c 'echo going; exit 3'"), progress=False)
    assert result.exit_code == 3 and "going" in result.output
