"""Issue 16, Kind 3: every public function a learner calls, given a bad value (None, a name no engine
takes, a number) for each argument it needs, ends in a DockerlabError (what is wrong, what to do) or in
an answer; never a raw AttributeError, TypeError, KeyError, FileNotFoundError or docker-py error. No
engine answers here (DOCKER_HOST points nowhere): what reaches for one says so as DockerUnavailable."""
from __future__ import annotations

import importlib
import inspect

import pytest

import dockerlab as dl

# The modules a learner calls from a notebook; their __all__ is the public API.
MODULES = ["dockerlab", "dockerlab.plots", "dockerlab.running", "dockerlab.results", "dockerlab.layerfs", "dockerlab.security",
           "dockerlab.check", "dockerlab.images", "dockerlab.waste", "dockerlab.archive", "dockerlab.web", "dockerlab.registry",
           "dockerlab.compose", "dockerlab.containers", "dockerlab.bases", "dockerlab.quizzes", "dockerlab.dockerfile",
           "dockerlab.dockerignore", "dockerlab.units", "dockerlab.glossary"]
# What changes this machine or the course whatever it is given (the engine's images, files, the notebook
# kernel), or takes minutes: checked by their own tests, not by this sweep.
LEFT_OUT = {"cleanup", "prepare", "ensure", "save_bundle", "load_bundle", "load_ipython_extension", "register_in_running_kernel",
            "doctor", "record_solutions", "write", "main", "render_site", "execute", "build_site", "record_notebooks"}
BAD_VALUES = {"None": None, "a bad name": "t16 bad/..", "a number": 12345}


def public_functions():
    seen = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for attribute in getattr(module, "__all__", []):
            function = getattr(module, attribute, None)
            if inspect.isfunction(function) and attribute not in LEFT_OUT and function not in seen.values():
                seen[f"{name.removeprefix('dockerlab').lstrip('.') or 'dl'}.{attribute}"] = function
    return seen


FUNCTIONS = public_functions()


def required(function) -> list[str]:
    signature = inspect.signature(function)
    return [p.name for p in signature.parameters.values()
            if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


@pytest.mark.parametrize("value", list(BAD_VALUES))
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_a_bad_value_is_a_dockerlab_error_or_an_answer(name, value, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # a relative name resolves in an empty folder
    function = FUNCTIONS[name]
    arguments = [BAD_VALUES[value]] * len(required(function))
    try:
        function(*arguments)
    except dl.DockerlabError:
        pass
    except Exception as error:  # noqa: BLE001 - what this test looks for
        pytest.fail(f"{name}({', '.join(map(repr, arguments))}) raised {type(error).__module__}.{type(error).__name__}: {error}")


def a_registry():
    from dockerlab.registry import LocalRegistry

    return LocalRegistry(container=None, port=5999)  # never started: every check below comes before the registry is asked


# The tester's cases (issue 16, Kind 3): each refused before an engine or registry is asked, saying what is wrong.
REPORTED = {
    "run(timeout=-1)": (lambda tmp: dl.run("alpine:3.20", ["true"], timeout=-1), "timeout=-1 is not a number of seconds"),
    'serve(path="no slash")': (lambda tmp: dl.serve("alpine:3.20", path="no slash"), "path='no slash' is not the path of a web address"),
    'registry.manifest("a b", "latest")': (lambda tmp: a_registry().manifest("a b", "latest"), "'a b' is not a valid repository name"),
    'registry.push(image, "Bad")': (lambda tmp: a_registry().push("alpine:3.20", "Bad"), "'Bad' is not a valid repository name"),
    'registry.pull(repo, "x")': (lambda tmp: a_registry().pull("course/x", "x y"), "is neither a tag nor a digest"),
    "inspect_image(None)": (lambda tmp: dl.layerfs.inspect_image(None), "layerfs.inspect_image(): image= must be"),
    'running.state("")': (lambda tmp: dl.running.state(""), "running.state(): container= is an empty string"),
    'check.image_prints(None, "hi")': (lambda tmp: dl.check.image_prints(None, "hi"), "check.image_prints(): tag= must be"),
    'security.secret_variants("/nope")': (lambda tmp: dl.security.secret_variants("/nope"), "There is no folder /nope"),
    'project.up(timeout="x")': (lambda tmp: compose_project(tmp).up(timeout="x"), "ComposeProject.up(): timeout= must be a number"),
    'running.stop_times("/nope")': (lambda tmp: dl.running.stop_times("/nope"), "There is no folder /nope"),
}


def compose_project(tmp):
    (tmp / "compose.yaml").write_text("services:\n  web:\n    image: alpine:3.20\n")
    return dl.compose.project(tmp)


@pytest.mark.parametrize("name", list(REPORTED))
def test_the_reported_raw_errors_are_dockerlab_errors_before_any_engine(name, tmp_path):
    call, says = REPORTED[name]
    with pytest.raises(dl.DockerlabError) as raised:
        call(tmp_path)
    assert type(raised.value) is dl.DockerlabError and says in raised.value.message, raised.value.message
    assert raised.value.fix


# Issue 16, Kind 3 (second round): values of the right type that are still wrong, for every public function
# with such a parameter: a number that is not finite, a command line that cannot be split into words, a
# volumes mapping that is not {SOURCE: {"bind": "/path"}} with SOURCE a volume name or an absolute path.
from dockerlab.recording import arguments as _arguments  # noqa: E402 - the check under test


class _Proxy:
    """What the check takes for any class an annotation names (a recorded object stands for it)."""


def _fitting(name: str, annotation, folder) -> object:
    """A value of ``annotation`` that the argument check (and a function's own check of a path) accepts:
    a path is ``folder`` (which exists), or its ``Dockerfile`` for a Dockerfile."""
    parsed = _arguments._parse(annotation) if isinstance(annotation, str) else None
    if parsed is None:
        return _Proxy()
    kinds = [alternative for alternative in parsed[1] if alternative != ("kind", "None")] or list(parsed[1])
    if ("kind", "Path") in kinds:
        (folder / "Dockerfile").write_text("FROM alpine:3.20\n")
        return str(folder / "Dockerfile") if "dockerfile" in name else str(folder)
    first = kinds[0]
    if first[0] == "class":
        return _Proxy()
    if first[0] == "mapping":
        return {}
    if first[0] == "sequence":
        return ["x"]
    return {"str": "alpine:3.20" if name in _arguments.IMAGE_PARAMETERS else "x", "int": 1, "float": 1.0, "bool": True,
            "bytes": b"x", "Path": __import__("pathlib").Path("x")}[first[1]]


def wrong_values() -> list[tuple[str, str, object]]:
    """(function, parameter, wrong value) for every public function whose annotations take such a value."""
    cases = []
    for label, function in FUNCTIONS.items():
        for parameter in inspect.signature(function).parameters.values():
            parsed = _arguments._parse(parameter.annotation) if isinstance(parameter.annotation, str) else None
            if parsed is None:
                continue
            names = {alternative[1] for alternative in parsed[1] if alternative[0] == "kind"}
            if names & {"float"}:
                cases += [(label, parameter.name, float("inf")), (label, parameter.name, float("nan"))]
            if parameter.name in _arguments.PORT_PARAMETERS and "int" in names:
                cases += [(label, parameter.name, 0), (label, parameter.name, 70000)]
            if parameter.name in _arguments.COMMAND_PARAMETERS and "str" in names:
                cases.append((label, parameter.name, "echo 'hi"))
            if parameter.name == "volumes" and any(alternative[0] == "mapping" for alternative in parsed[1]):
                cases += [(label, parameter.name, {"./rel": {"bind": "/x"}}), (label, parameter.name, {"my-data": {}})]
    return cases


WRONG = wrong_values()


@pytest.mark.parametrize("label, parameter, wrong", WRONG, ids=[f"{label}-{parameter}={wrong!r}" for label, parameter, wrong in WRONG])
def test_a_value_of_the_right_type_that_is_still_wrong_is_refused_naming_the_parameter(label, parameter, wrong, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    function = FUNCTIONS[label]
    signature = inspect.signature(function)
    given = {}
    for each in signature.parameters.values():
        if each.name == parameter:
            given[each.name] = wrong
        elif each.default is each.empty and each.kind in (each.POSITIONAL_OR_KEYWORD, each.KEYWORD_ONLY):
            given[each.name] = _fitting(each.name, each.annotation, tmp_path)
    with pytest.raises(dl.DockerlabError) as raised:
        function(**given)
    assert f"{parameter}=" in raised.value.message and not isinstance(raised.value, dl.DockerUnavailable), raised.value.message
    assert raised.value.fix


def test_the_sweep_finds_the_reported_kinds():
    found = {(label, parameter) for label, parameter, _ in WRONG}
    assert {("dl.run", "timeout"), ("dl.run", "command"), ("dl.start", "volumes"), ("dl.start", "command"),
            ("check.command_prints", "command"), ("dl.serve", "timeout"), ("dl.serve", "container_port")} <= found


REPORTED.update({
    'build(tag="Bad Tag")': (lambda tmp: dl.build(tmp, "FROM alpine:3.20\n", tag="Bad Tag"), "build(): tag='Bad Tag' is not a name an "
                                                                                             "image can be tagged with: it contains a space"),
    'build(tag="App:1")': (lambda tmp: dl.build(tmp, "FROM alpine:3.20\n", tag="App:1"), "the repository name must be lowercase"),
    'build(tag=300 characters)': (lambda tmp: dl.build(tmp, "FROM alpine:3.20\n", tag="a" * 300), "the name is 300 characters long"),
    'build(tag=digest)': (lambda tmp: dl.build(tmp, "FROM alpine:3.20\n", tag="app@sha256:" + "0" * 64), "it names a digest"),
    'serve(container_port=0)': (lambda tmp: dl.serve("alpine:3.20", container_port=0), "serve(): container_port=0 is not a port number (1 to 65535)"),
    'registry.pull(repo, "nothex")': (lambda tmp: a_registry().pull("course/x", "nothex"), "digest='nothex' is not a digest (sha256: and 64 hex digits)"),
    'registry.pull(repo, "latest")': (lambda tmp: a_registry().pull("course/x", "latest"), "digest='latest' is not a digest"),
    'project.up(timeout=nan)': (lambda tmp: compose_project(tmp).up(timeout=float("nan")), "ComposeProject.up(): timeout=nan is not a finite number"),
    'project.up(timeout=inf)': (lambda tmp: compose_project(tmp).up(timeout=float("inf")), "ComposeProject.up(): timeout=inf is not a finite number"),
    'Container.exec("echo \'hi")': (lambda tmp: dl.containers.Container(None).exec("echo 'hi"), "Container.exec(): command=\"echo 'hi\" cannot be split"),
})


@pytest.mark.parametrize("mode", ["ro", "rw", "ro,Z", "z", "rw,rprivate", "nocopy", "ro,cached"])
def test_mount_modes_the_engine_takes_pass_the_check(mode):
    _arguments._check_value("dl.start", "volumes", {"/home/me/site": {"bind": "/site", "mode": mode}})


@pytest.mark.parametrize("mode", ["rx", "ro,rw", "", "ro,,Z", "ro,ro", 1])
def test_mount_modes_the_engine_refuses_are_refused_naming_the_mount(mode):
    with pytest.raises(dl.DockerlabError, match='optionally "mode": "ro" or "rw"') as raised:
        _arguments._check_value("dl.start", "volumes", {"/home/me/site": {"bind": "/site", "mode": mode}})
    assert "'/home/me/site'" in raised.value.message and raised.value.fix
