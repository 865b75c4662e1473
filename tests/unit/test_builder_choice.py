"""Which docker CLI drives BuildKit, decided from fake CLIs that answer like the real ones."""
from __future__ import annotations

import os
import stat

import pytest

from dockerlab import buildkit


def fake_cli(folder, name, *, buildx: bool, version: str):
    path = folder / name
    path.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = buildx ]; then '
        f'{"echo github.com/docker/buildx v0.17.1 abc; exit 0" if buildx else "echo docker: unknown command: docker buildx >&2; exit 1"}; fi\n'
        f'if [ "$1" = version ]; then echo {version}; exit 0; fi\n'
        "exit 1\n"
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.fixture
def clis(tmp_path, monkeypatch):
    def use(*paths):
        monkeypatch.setattr(buildkit, "_candidates", lambda: list(paths))
        buildkit._decide.cache_clear()
        return buildkit.choice()

    yield use
    buildkit._decide.cache_clear()


def test_buildx_wins_when_present(tmp_path, clis):
    chosen = clis(fake_cli(tmp_path, "docker", buildx=True, version="28.2.2"))
    assert chosen.buildkit and chosen.command[-3:] == ("buildx", "build", "--load")
    assert "v0.17.1" in chosen.via


def test_a_20_10_cli_builds_with_built_in_buildkit_when_the_newer_one_has_no_buildx(tmp_path, clis):
    new = fake_cli(tmp_path, "docker28", buildx=False, version="28.2.2")
    old = fake_cli(tmp_path, "docker20", buildx=False, version="20.10.24+dfsg1")
    chosen = clis(new, old)
    assert chosen.buildkit and chosen.cli == old and chosen.command == (old, "build")
    assert dict(chosen.env) == {"DOCKER_BUILDKIT": "1"}
    assert "20.10.24" in chosen.via


def test_classic_only_says_why_and_names_the_cli(tmp_path, clis):
    chosen = clis(fake_cli(tmp_path, "docker", buildx=False, version="28.2.2"))
    assert not chosen.buildkit and chosen.name == "classic"
    assert "28.2.2 without buildx" in chosen.why


def test_no_cli_at_all_is_classic(clis):
    chosen = clis()
    assert chosen.name == "classic" and "no docker CLI" in chosen.why


def test_environment_adds_only_what_the_builder_needs(tmp_path, clis, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///var/run/docker.sock")
    chosen = clis(fake_cli(tmp_path, "docker20", buildx=False, version="20.10.24"))
    environment = chosen.environment()
    assert environment["DOCKER_BUILDKIT"] == "1" and environment["DOCKER_HOST"] == os.environ["DOCKER_HOST"]


@pytest.mark.parametrize("options, names", [
    ({"secrets": "token.txt"}, "secrets="), ({"secrets": ["token.txt"]}, "secrets="), ({"secrets": {1: "token.txt"}}, "secrets="),
    ({"buildargs": "VERSION=1"}, "buildargs="), ({"labels": {"team": ["web"]}}, "labels="), ({"ignore": ".env"}, "ignore="),
])
def test_options_of_the_wrong_shape_are_named_before_any_build(tmp_path, options, names):
    import dockerlab as dl

    with pytest.raises(dl.DockerlabError) as raised:
        dl.build(tmp_path, "FROM alpine:3.20\n", **options)
    assert names in str(raised.value) and "For example" in raised.value.fix


@pytest.mark.parametrize("key, said", [
    ("my key", "contains whitespaces"), ("my\tkey", "contains whitespaces"), ("", "empty name"), ("  ", "empty name"), ("a=b", "name the label 'a'"),
])
def test_a_label_name_the_cli_refuses_is_blamed_on_labels_not_the_dockerfile(tmp_path, key, said):
    """#22 leftovers: the docker 20.10 CLI refuses `--label "my key=v"` (`invalid argument "my key=v" for "--label" flag:
    label 'my key' contains whitespaces`) and `--label "=v"` (`empty name`), measured; the course reported that as a
    failed build and said to fix the Dockerfile. It is the labels= argument's, on both builders, before anything is built."""
    import dockerlab as dl

    with pytest.raises(dl.DockerlabError) as raised:
        dl.build(tmp_path, "FROM alpine:3.20\n", labels={"team": "web", key: "v"}, builder="classic")
    assert "labels=" in str(raised.value) and said in str(raised.value) and "Dockerfile" not in str(raised.value)
    assert not isinstance(raised.value, dl.BuildFailed)


def test_label_names_the_cli_takes_pass_the_check():
    from dockerlab.builder import _label_problem

    assert all(_label_problem(key) is None for key in ("team", "org.opencontainers.image.title", "k\u00e9", "x-y_z.1"))
