"""One argument check at the public boundary (dockerlab.recording.arguments): a value of the wrong
kind is a DockerlabError naming the call, the parameter, what it must be and what it got, with an
example, before any engine is reached (DOCKER_HOST points nowhere here)."""
from __future__ import annotations

import pytest
import requests.exceptions

import dockerlab as dl
from dockerlab.containers import Container
from dockerlab.recording.arguments import check_arguments, checked

BAD = {
    "layers(None)": (lambda tmp: dl.layers(None), "layers(): image= must be", "NoneType None"),
    'layers("")': (lambda tmp: dl.layers(""), "layers(): image= is an empty string", None),
    "layers(123)": (lambda tmp: dl.layers(123), "layers(): image= must be", "int 123"),
    'image_id(["a"])': (lambda tmp: dl.image_id(["a"]), "image_id(): image= must be", "list ['a']"),
    'run(environment="x")': (lambda tmp: dl.run("alpine:3.20", ["true"], environment="x"), "run(): environment= must be a dict", "str 'x'"),
    'serve(timeout="x")': (lambda tmp: dl.serve("alpine:3.20", timeout="x"), "serve(): timeout= must be a number", "str 'x'"),
    "build(123)": (lambda tmp: dl.build(123), "build(): context= must be a string or a path", "int 123"),
    "build(ctx, 123)": (lambda tmp: dl.build(tmp, 123), "build(): dockerfile= must be", "int 123"),
    "compose.project(123)": (lambda tmp: dl.compose.project(123), "compose.project(): project_dir= must be", "int 123"),
    "security.lint(123)": (lambda tmp: dl.security.lint(123), "security.lint(): dockerfile= must be", "int 123"),
    "Container.exec(123)": (lambda tmp: Container(object()).exec(123), "Container.exec(): command= must be", "int 123"),
    "compare(..., 3)": (lambda tmp: dl.compare("alpine:3.20", 3), "compare(): each of *images must be", "int 3"),
    "run(command with a number)": (lambda tmp: dl.run("alpine:3.20", ["sleep", 5]), "run(): command= must be", "list ['sleep', 5]"),
    "an unknown keyword": (lambda tmp: dl.run("alpine:3.20", bogus=1), "run(): got an unexpected keyword argument 'bogus'", None),
}


@pytest.mark.parametrize("name", list(BAD))
def test_a_wrong_kind_of_argument_is_named_before_the_engine(name, tmp_path):
    call, says, got = BAD[name]
    with pytest.raises(dl.DockerlabError) as raised:
        call(tmp_path)
    assert type(raised.value) is dl.DockerlabError  # not DockerUnavailable: no engine was asked
    assert raised.value.message.startswith(says) and (got is None or got in raised.value.message)
    assert raised.value.fix.startswith(("For example", "Call it as"))


def annotated(image: str, command: str | Sequence[str] | None = None, *, environment: Mapping[str, str] | None = None,  # noqa: F821
              ports: dict[str, int] | None = None, timeout: float = 1, flag: bool = False, where: str | os.PathLike = ".",  # noqa: F821
              pair: tuple[int, ...] = (), on_step: Callable[[int], None] | None = None, odd: Widget = None):  # noqa: F821
    """Annotations as strings (this module has `from __future__ import annotations`), names never imported."""


@pytest.mark.parametrize("keywords", [
    {"command": "echo hi"}, {"command": ("sh", "-c", "true")}, {"environment": {}}, {"ports": {"80/tcp": 8080}},
    {"timeout": 3}, {"flag": True}, {"pair": (1, 2, 3)}, {"on_step": print}, {"odd": object()}, {"image": dl.paths.COURSE_ROOT},
])
def test_what_fits_the_annotation_passes_and_what_is_not_understood_is_not_checked(keywords):
    check_arguments("annotated", annotated, () if "image" in keywords else ("alpine:3.20",), keywords)  # a Path image: an archive


@pytest.mark.parametrize("keywords", [
    {"command": 5}, {"command": ["sh", 1]}, {"environment": {"A": 1}}, {"ports": {"80/tcp": "x"}},
    {"timeout": True}, {"flag": "yes"}, {"where": 3}, {"pair": "12"},
])
def test_what_does_not_fit_is_refused(keywords):
    with pytest.raises(dl.DockerlabError, match=f"annotated\\(\\): {next(iter(keywords))}= must be"):
        check_arguments("annotated", annotated, ("alpine:3.20",), keywords)


def test_a_string_is_not_a_sequence_of_strings():
    @checked("words")
    def words(items: Sequence[str]) -> int:  # noqa: F821
        return len(items)

    assert words(["a", "b"]) == 2
    with pytest.raises(dl.DockerlabError, match="items= must be a list of strings, not str 'ab'"):
        words("ab")


def test_a_run_past_its_timeout_says_it_did_not_finish(monkeypatch):
    from dockerlab import containers
    from dockerlab.diagnose import diagnose

    class Box:
        def start(self):
            pass

        def wait(self, timeout):  # what docker-py raises when the engine's answer is cut off after its headers
            raise requests.exceptions.ConnectionError("UnixHTTPConnectionPool(host='localhost', port=None): Read timed out.")

        def remove(self, **options):
            pass

    fake = type("Client", (), {"containers": type("Containers", (), {"create": staticmethod(lambda *a, **k: Box())})()})()
    monkeypatch.setattr(containers.engine, "client", lambda: fake)
    asked = []
    monkeypatch.setattr(containers, "diagnose", lambda text, context: asked.append((text, context)) or diagnose(text, context))
    with pytest.raises(dl.DockerlabError, match=r"did not finish within 0.5 s") as raised:
        dl.run("alpine:3.20", ["sleep", "5"], timeout=0.5)
    assert "timeout=" in raised.value.fix
    assert asked == [("UnixHTTPConnectionPool(host='localhost', port=None): Read timed out.", "connect")]  # the one table says what it means


@pytest.mark.parametrize("call, example", [
    (lambda: dl.start("alpine:3.20", ports={"80/tcp": "x"}), 'ports={"8000/tcp": 8000}'),
    (lambda: dl.registry.local_registry(port="x"), "port=8000"),
    (lambda: dl.run("alpine:3.20", ["true"], timeout="x"), "timeout=60"),
])
def test_the_example_fits_the_parameter(call, example):
    # issue 16, Kind 4: "ports= must be a dict of strings to whole numbers ... For example ports={"NAME": "value"}", "port=5"
    with pytest.raises(dl.DockerlabError) as raised:
        call()
    assert raised.value.fix == f"For example {example}."


def test_exec_of_no_command_says_so_not_that_the_container_is_not_running():
    from types import SimpleNamespace

    with pytest.raises(dl.DockerlabError) as raised:
        Container(SimpleNamespace(name="web", status="running")).exec([])
    assert "no command was given" in raised.value.message and "running container" not in raised.value.fix


def test_get_json_of_something_that_is_not_a_web_address_says_so():
    with pytest.raises(dl.DockerlabError) as raised:
        dl.web.get_json("not a url")
    assert "is not a web address" in raised.value.message and "not on this machine" not in raised.value.message
