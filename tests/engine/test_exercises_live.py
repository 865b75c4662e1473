"""Notebooks 03-04: the experiments and checkers on a real engine, each checker with a right and a wrong answer."""
import uuid

import docker.errors
import pytest

import dockerlab as dl

RIGHT_CACHE = ("FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n"
               "COPY . .\nCMD [\"python\", \"app.py\"]\n")
WRONG_CACHE = ("FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt app.py ./\nRUN pip install --no-cache-dir -r requirements.txt\n"
               "CMD [\"python\", \"app.py\"]\n")


@pytest.fixture
def small_app(tmp_path):
    (tmp_path / "requirements.txt").write_text("# nothing to install\n")
    (tmp_path / "app.py").write_text('print("hi")\n')
    return tmp_path


def test_cache_exercise_right_and_wrong(small_app):
    assert dl.check.cache_survives_code_edit(small_app, RIGHT_CACHE).passed
    wrong = dl.check.cache_survives_code_edit(small_app, WRONG_CACHE)
    assert not wrong.passed and any("ran again" in message for message in wrong.messages)
    assert (small_app / "app.py").read_text() == 'print("hi")\n'


@pytest.mark.parametrize("lines", [
    "COPY requirements.txt /tmp/req.txt\nRUN pip install --no-cache-dir -r /tmp/req.txt",
    "ARG REQ=requirements.txt\nCOPY $REQ .\nRUN pip install --no-cache-dir -r $REQ",
    "COPY requirements/ requirements/\nRUN pip install --no-cache-dir -r requirements/base.txt",
])
def test_a_deps_first_dockerfile_passes_wherever_it_copies_the_requirements(small_app, lines):
    # #22 D1: these failed from the text while the measurement said the install came from the cache
    (small_app / "requirements").mkdir()
    (small_app / "requirements" / "base.txt").write_text("# nothing to install\n")
    text = f"FROM python:3.11-slim\nWORKDIR /app\n{lines}\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"
    result = dl.check.cache_survives_code_edit(small_app, text)
    assert result.passed, result.messages


def test_the_course_exercise_dockerfile_is_the_wrong_answer():
    app = dl.paths.app("layer-cache")
    shipped = (app / "exercise.Dockerfile").read_text()
    assert "COPY requirements.txt app.py ./" in shipped  # the mistake the learner fixes


def test_dockerignore_shrinks_the_context_and_keeps_the_cache(small_app, created):
    table = dl.experiments.dockerignore(small_app, RIGHT_CACHE, junk_megabytes=20).set_index("variant")
    for tag in table["image"]:
        created.image(tag)
    without, with_ignore = table.loc["without .dockerignore"], table.loc["with .dockerignore"]
    assert without["context_bytes"] > 20_000_000 > with_ignore["context_bytes"]
    assert not without["copy_cached_after_git_change"]
    assert with_ignore["copy_cached_after_git_change"]


def test_seed_go_dockerfile_as_written_does_not_serve_and_the_fix_does():
    app = dl.paths.app("go-hello")
    seed = (app / "Dockerfile").read_text()
    dl.build(app, seed, tag="go-hello:seed", progress=False)
    answer = dl.serve("go-hello:seed")
    assert not answer.ok and "no such file or directory" in answer.logs
    dl.build(app, seed.replace("RUN go build", "RUN CGO_ENABLED=0 go build"), tag="go-hello:fixed", progress=False)
    fixed = dl.serve("go-hello:fixed")
    assert fixed.ok and fixed.status == 200 and fixed.body.startswith("hello from")


def test_multi_stage_exercise_right_and_wrong():
    app = dl.paths.app("go-hello")
    single = (app / "single.Dockerfile").read_text()
    right = (
        "FROM golang:1.21 AS builder\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o myapp main.go\n"
        "FROM scratch\nCOPY --from=builder /app/myapp /myapp\nCMD [\"/myapp\"]\n"
    )
    assert dl.check.multi_stage_is_smaller(app, right, single).passed
    wrong = dl.check.multi_stage_is_smaller(app, single, single)
    assert not wrong.passed and "target is 5x" in " ".join(wrong.messages)
    not_serving = dl.check.multi_stage_is_smaller(app, right.replace("CGO_ENABLED=0 ", ""), single)
    assert not not_serving.passed and any("expected the image to answer an HTTP request" in message for message in not_serving.messages)
    assert "no such file or directory" in not_serving.log


def test_scratch_image_is_its_binary():
    app = dl.paths.app("go-hello")
    dockerfile = (
        "FROM golang:1.21 AS builder\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o myapp main.go\n"
        "FROM scratch\nCOPY --from=builder /app/myapp /myapp\nCMD [\"/myapp\"]\n"
    )
    dl.build(app, dockerfile, tag="go-hello:scratch", progress=False)
    binary = dl.file_size("go-hello:scratch", "/myapp")
    assert binary > 1_000_000 and dl.image_size("go-hello:scratch") / binary <= 1.05
    with pytest.raises(dl.DockerlabError, match="no /missing"):
        dl.file_size("go-hello:scratch", "/missing")


def test_multi_stage_refuses_to_measure_a_variant_that_does_not_work():
    # a variant that starts and exits without serving: no Go build (multi_stage builds without the cache, ~15 s for the seed);
    # that the seed as written does not serve is test_seed_go_dockerfile_as_written_does_not_serve_and_the_fix_does
    app = dl.paths.app("go-hello")
    with pytest.raises(dl.DockerlabError, match="does not serve requests"):
        dl.experiments.multi_stage(app, {"no server": 'FROM alpine:3.20\nCMD ["sh", "-c", "echo no server here; exit 1"]\n'}, serve_port=8080)
    with pytest.raises(docker.errors.ImageNotFound):  # the refused variant leaves no image (#22)
        dl.engine.client().api.inspect_image(dl.labels.course_tag("stages", "no server"))



def test_a_second_attempt_of_a_check_leaves_one_image_not_two(tmp_path):
    """#22: each attempt rebuilt the tag and left the one before as <none>; now the earlier attempt's image goes."""
    client, word = dl.engine.client(), uuid.uuid4().hex[:8]
    tag = dl.labels.course_tag("exercise", tmp_path, "check")
    try:
        (tmp_path / "Dockerfile").write_text(f'FROM alpine:3.20\nCMD ["echo", "first {word}"]\n')
        assert not dl.check.dockerfile_prints(tmp_path, "hello").passed
        first = client.api.inspect_image(tag)["Id"]
        (tmp_path / "Dockerfile").write_text(f'FROM alpine:3.20\nCMD ["echo", "hello"]\nLABEL attempt={word}\n')
        assert dl.check.dockerfile_prints(tmp_path, "hello").passed
        assert client.api.inspect_image(tag)["Id"] != first
        with pytest.raises(docker.errors.ImageNotFound):
            client.api.inspect_image(first)
    finally:
        try:
            client.api.remove_image(tag)
        except docker.errors.APIError:
            pass
