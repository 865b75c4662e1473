"""The one argument check at the public boundary: each value a learner passes to a course function
against that function's own annotations, before anything reaches an engine.

Annotations are strings here (``from __future__ import annotations``); what this understands: ``str``,
``Path``/``os.PathLike``, ``int``, ``float``, ``bool``, ``None``, ``Mapping[...]``/``dict[...]``,
``Sequence[...]``/``list[...]``/``tuple[...]`` (a string is not a sequence of strings here) and
unions of them with ``|``. An annotation with anything else in it is not checked. A parameter that
names an image (IMAGE_PARAMETERS) also takes the path of an image archive, and never an empty string.
"""
from __future__ import annotations

import functools
import inspect
import numbers
import os
from collections.abc import Callable, Mapping, Sequence

from ..errors import DockerlabError

__all__ = ["check_arguments", "checked", "IMAGE_PARAMETERS"]

IMAGE_PARAMETERS = frozenset({"image", "images", "a", "b"})  # a, b: dl.diff's two images
# Parameters that name an engine or registry object (a container, a tag, a repository, a service): a string
# given for one is never empty (the engine would read "" as "no name" and answer about something else).
NAME_PARAMETERS = frozenset({"container", "tag", "repository", "service", "reference", "digest"})

# Examples that fit the parameter's meaning, where the kind's own example would not (port=5, a dict of
# strings to whole numbers shown as {"NAME": "value"}).
PARAMETER_EXAMPLES = {
    "ports": '{"8000/tcp": 8000}', "port": "8000", "container_port": "8080", "megabytes": "100", "timeout": "60",
    "environment": '{"NAME": "value"}', "buildargs": '{"PYTHON_VERSION": "3.11"}', "labels": '{"org.example.team": "web"}',
    "volumes": '{"my-data": {"bind": "/data"}}', "repeat": "3", "grace": "10", "tail": "30",
}

# name in an annotation -> (test, what it must be, many of them, an example value)
_KINDS: dict[str, tuple[Callable[[object], bool], str, str, str]] = {
    "str": (lambda value: isinstance(value, str), "a string", "strings", '"text"'),
    "int": (lambda value: isinstance(value, numbers.Integral) and not isinstance(value, bool), "a whole number", "whole numbers", "5"),
    "float": (lambda value: isinstance(value, numbers.Real) and not isinstance(value, bool), "a number", "numbers", "2.5"),
    "bool": (lambda value: isinstance(value, bool) or type(value).__name__ == "bool_", "True or False", "True/False values", "True"),
    "None": (lambda value: value is None, "None", "None", "None"),
    "Path": (lambda value: isinstance(value, os.PathLike), "a path", "paths", 'Path("app")'),
}
_KINDS["os.PathLike"] = _KINDS["PathLike"] = _KINDS["Path"]
_MAPPINGS = {"Mapping", "dict", "typing.Mapping", "collections.abc.Mapping"}
_SEQUENCES = {"Sequence", "list", "tuple", "typing.Sequence", "collections.abc.Sequence"}


def _split(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` outside brackets."""
    parts, depth, start = [], 0, 0
    for index, character in enumerate(text):
        depth += character == "["
        depth -= character == "]"
        if character == separator and depth == 0:
            parts.append(text[start:index].strip())
            start = index + 1
    return [*parts, text[start:].strip()]


@functools.cache
def _parse(annotation: str) -> tuple | None:
    """An annotation as ("union", alternatives); each alternative ("kind", name), ("mapping", key,
    value) or ("sequence", element), element types parsed the same way (None: not checked). None
    when some part of it is not understood."""
    alternatives = []
    for part in _split(annotation, "|"):
        name, _, inner = part.partition("[")
        inner = inner[:-1] if inner.endswith("]") else inner
        if name in _KINDS and not inner:
            alternatives.append(("kind", "Path" if name in ("os.PathLike", "PathLike") else name))
        elif name in _MAPPINGS:
            arguments = _split(inner, ",") if inner else []
            if len(arguments) not in (0, 2):
                return None
            alternatives.append(("mapping", *((_parse(argument) for argument in arguments) if arguments else (None, None))))
        elif name in _SEQUENCES:
            elements = [argument for argument in (_split(inner, ",") if inner else []) if argument != "..."]
            alternatives.append(("sequence", _parse(" | ".join(dict.fromkeys(elements))) if elements else None))
        else:
            return None
    return ("union", tuple(alternatives))


def _accepts(parsed: tuple | None, value: object, image: bool = False) -> bool:
    if parsed is None:
        return True
    for alternative in parsed[1]:
        if alternative[0] == "kind":
            if alternative[1] == "str" and image and isinstance(value, os.PathLike):
                return True  # the path of an image archive
            if _KINDS[alternative[1]][0](value):
                return True
        elif alternative[0] == "mapping":
            if isinstance(value, Mapping) and all(_accepts(alternative[1], key) and _accepts(alternative[2], item) for key, item in value.items()):
                return True
        elif isinstance(value, Sequence) and not isinstance(value, (str, bytes)) and all(_accepts(alternative[1], item) for item in value):
            return True
    return False


def _describe(parsed: tuple | None, many: bool = False) -> str:
    if parsed is None:
        return "items" if many else "a value"
    words = []
    for alternative in parsed[1]:
        if alternative[0] == "kind":
            words.append(_KINDS[alternative[1]][2 if many else 1])
        elif alternative[0] == "mapping":
            words.append(("dicts" if many else "a dict") + (f" of {_describe(alternative[1], True)} to {_describe(alternative[2], True)}" if alternative[1] else ""))
        else:
            words.append(("lists" if many else "a list") + (f" of {_describe(alternative[1], True)}" if alternative[1] else ""))
    return " or ".join(dict.fromkeys(words))


def _example(parsed: tuple, image: bool, value: object = None) -> str:
    """A value that fits ``parsed``: of the shape the learner tried (a list, a dict) when one fits."""
    kinds = [alternative for alternative in parsed[1] if alternative != ("kind", "None")] or list(parsed[1])
    shape = "sequence" if isinstance(value, Sequence) and not isinstance(value, str) else "mapping" if isinstance(value, Mapping) else "kind"
    first = next((alternative for alternative in kinds if alternative[0] == shape), kinds[0])
    if first[0] == "kind":
        if first[1] == "str":
            return '"alpine:3.20"' if image else '"app"' if ("kind", "Path") in kinds else '"text"'
        return _KINDS[first[1]][3]
    if first[0] == "mapping":
        if first[1] is None:
            return '{"NAME": "value"}'
        return "{" + _example(first[1], False) + ": " + _example(first[2], False) + "}" if first[2] else '{"NAME": "value"}'
    return "[" + ", ".join([_example(first[1], False)] * 2 if first[1] else ['"a"', '"b"']) + "]"


def _shown(value: object) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


@functools.cache
def _signature(function: Callable) -> inspect.Signature:
    return inspect.signature(function)


def check_arguments(call: str, function: Callable, arguments: tuple, keywords: dict) -> None:
    """Check ``arguments`` and ``keywords`` of a call to ``function`` (known to the learner as ``call``)
    against its annotations. Returns None. Raises DockerlabError naming the call, the parameter, what
    it must be and what it got, with an example, when one does not fit (or the call does not fit the
    parameters at all: a missing or unknown one)."""
    signature = _signature(function)
    try:
        bound = signature.bind(*arguments, **keywords)
    except TypeError as error:
        raise DockerlabError(f"{call}(): {error}.", fix=f"Call it as {call}{_public(signature)} (help({call.rpartition('.')[2]}) explains each).") from None
    for name, value in bound.arguments.items():
        parameter = signature.parameters[name]
        if not isinstance(parameter.annotation, str):
            continue
        parsed = _parse(parameter.annotation)
        if parsed is None:
            continue
        image = name in IMAGE_PARAMETERS
        if parameter.kind is parameter.VAR_POSITIONAL:
            values = list(value)
        elif parameter.kind is parameter.VAR_KEYWORD:
            values = list(value.values())
        else:
            values = [value]
        for each in values:
            if not _accepts(parsed, each, image):
                expected = _describe(parsed) + (" (an image name) or the path of an image archive" if image and _accepts(parsed, "x") else "")
                example = PARAMETER_EXAMPLES.get(name) or _example(parsed, image, each)
                named = f"each of *{name}" if parameter.kind is parameter.VAR_POSITIONAL else f"{name}="
                raise DockerlabError(f"{call}(): {named} must be {expected}, not {_shown(each)}.",
                                     fix="For example " + (f"{call}({example}, ...)." if parameter.kind is parameter.VAR_POSITIONAL else f"{name}={example}."))
            if image and isinstance(each, str) and not each.strip():
                raise DockerlabError(f"{call}(): {name}= is an empty string; it must name an image.",
                                     fix=f'For example {name}="alpine:3.20" (`docker images` lists the images here).')
            if name in NAME_PARAMETERS and isinstance(each, str) and not each.strip():
                raise DockerlabError(f"{call}(): {name}= is an empty string; it must name a {name}.",
                                     fix=f"Pass the {name}'s name (`docker ps -a`, `docker images` and the registry's repositories() list them).")


def _public(signature: inspect.Signature) -> str:
    """The signature without ``self`` and annotations: what a learner types."""
    parameters = [parameter.replace(annotation=inspect.Parameter.empty) for parameter in signature.parameters.values() if parameter.name != "self"]
    return str(signature.replace(parameters=parameters, return_annotation=inspect.Signature.empty))


def checked(call: str) -> Callable[[Callable], Callable]:
    """Decorate a public course function or method that is not ``@recordable`` (which checks already)
    so that its arguments are checked the same way (:func:`check_arguments`), as ``call``.
    Returns the decorator. Raises nothing itself; the decorated function raises DockerlabError (from :func:`check_arguments`) for an argument
    that does not fit, before it runs."""

    def decorate(function: Callable) -> Callable:
        @functools.wraps(function)
        def wrapper(*arguments, **keywords):
            check_arguments(call, function, arguments, keywords)
            return function(*arguments, **keywords)

        return wrapper

    return decorate
