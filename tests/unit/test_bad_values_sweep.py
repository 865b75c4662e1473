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
