
import pytest

from dockerlab import bases
from dockerlab.bases import hostca
from dockerlab.bases.resolve import classify_pull_error
from dockerlab.labels import STANDIN_FOR_LABEL, STANDIN_LABEL

REQUIRED = [
    "debian:bookworm-slim", "python:3.11-slim", "python:3.11", "golang:1.21", "alpine:3.20",
    "gcr.io/distroless/static-debian12", "postgres:15", "registry:2",
]


def test_catalogue_has_every_course_image():
    assert set(REQUIRED) <= set(bases.CATALOGUE)
    assert bases.catalogue_image("alpine:latest").name == "alpine:3.20"


def test_every_recipe_exists_and_builds_only_on_catalogue_images():
    for image in bases.CATALOGUE.values():
        if image.recipe == bases.HOST_BUILT:
            continue
        assert (bases.RECIPES / image.recipe).is_file()
        for base in bases.recipe_bases(image):
            assert base in bases.CATALOGUE


def test_recipes_need_no_buildkit():
    for recipe in bases.RECIPES.glob("*.Dockerfile"):
        text = recipe.read_text()
        assert "RUN --mount" not in text and "COPY --link" not in text, recipe.name


def test_build_order_puts_bases_first():
    order = [image.name for image in bases.build_order()]
    assert order[0] == "debian:bookworm-slim"
    assert order.index("python:3.11-slim") < order.index("python:3.11")
    assert [image.name for image in bases.build_order(["python:3.11"])] == [
        "debian:bookworm-slim", "python:3.11-slim", "python:3.11",
    ]


def test_unknown_image_is_a_course_error():
    from dockerlab import DockerlabError

    with pytest.raises(DockerlabError, match="not one of the course's base images"):
        bases.catalogue_image("frank/python-hacked:latest")


def test_standin_labels_tell_a_standin_from_an_image_built_on_one(fixture_json):
    labels = fixture_json("image_python_slim.json")["inspect"]["Config"]["Labels"]
    assert bases.is_standin("python:3.11-slim", labels)
    assert not bases.is_standin("python:3.11", labels)
    assert bases.built_on_standin(labels) == "python:3.11-slim"
    assert not bases.is_standin("python:3.11-slim", {})
    assert bases.built_on_standin({"maintainer": "someone"}) is None


def test_standin_labels_content():
    labels = bases.standin_labels(bases.CATALOGUE["postgres:15"])
    assert labels[STANDIN_LABEL] == "true" and labels[STANDIN_FOR_LABEL] == "postgres:15"
    assert "Not the official image" in labels["org.opencontainers.image.description"]


@pytest.mark.parametrize(
    "message, words",
    [
        ('Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.0.0.53:53: no such host', "does not resolve"),
        ("toomanyrequests: You have reached your pull rate limit.", "rate limit"),
        ("Get https://registry-1.docker.io/v2/: x509: certificate signed by unknown authority", "TLS"),
        ("pull access denied for frank/python-hacked, repository does not exist", "does not exist"),
        ("net/http: request canceled (Client.Timeout exceeded while awaiting headers)", "in time"),
    ],
)
def test_pull_errors_are_recognised(message, words):
    reason, fix = classify_pull_error(message)
    assert words in reason and fix


CA_A = "MIIBAAAA" + "A" * 60
CA_B = "MIIBBBBB" + "B" * 60


def pem(body: str) -> str:
    return f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"


def test_host_extra_cas_finds_only_what_the_distribution_lacks(tmp_path):
    distribution = tmp_path / "share"
    (distribution / "mozilla").mkdir(parents=True)
    (distribution / "mozilla" / "a.crt").write_text(pem(CA_A))
    bundle = tmp_path / "bundle.crt"
    bundle.write_text(pem(CA_A) + pem(CA_B))
    extras = hostca.host_extra_cas(bundle, distribution)
    assert len(extras) == 1 and CA_B[:20] in extras[0].replace("\n", "")
    bundle.write_text(pem(CA_A))
    assert hostca.host_extra_cas(bundle, distribution) == []


def test_no_bundle_means_no_interception(tmp_path):
    assert hostca.host_extra_cas(tmp_path / "missing.crt", tmp_path) == []
