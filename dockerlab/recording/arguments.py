"""The one argument check at the public boundary: each value a learner passes to a course function
against that function's own annotations, before anything reaches an engine.

Annotations are strings here (``from __future__ import annotations``); what this understands: ``str``,
``Path``/``os.PathLike``, ``int``, ``float``, ``bool``, ``None``, ``Mapping[...]``/``dict[...]``,
``Sequence[...]``/``list[...]``/``tuple[...]`` (a string is not a sequence of strings here), ``bytes``,
a class (``pd.DataFrame``, ``RunResult``: by its name, a recorded object standing for it) and unions of
them with ``|``. An annotation with anything else in it (Callable, a type alias) is not checked.
:func:`check_public` gives every public function of a module the check. A parameter that
names an image (IMAGE_PARAMETERS) also takes the path of an image archive, and never an empty string.
Beyond types, every value is checked for what a value of the right type can still get wrong (see
_check_value): numbers that are not finite, ports outside 1..65535, command strings with an unclosed quote, malformed ``volumes``.
"""
from __future__ import annotations

import functools
import inspect
import math
import numbers
import os
import re
import shlex
from collections.abc import Callable, Mapping, Sequence

from ..errors import DockerlabError, a_kind

__all__ = ["check_arguments", "checked", "check_public", "IMAGE_PARAMETERS"]

IMAGE_PARAMETERS = frozenset({"image", "images", "a", "b"})  # a, b: dl.diff's two images
# Parameters that name an engine or registry object (a container, a tag, a repository, a service): a string
# given for one is never empty (the engine would read "" as "no name" and answer about something else).
NAME_PARAMETERS = frozenset({"container", "tag", "repository", "service", "reference", "digest"})
# Parameters whose string value is a command line, split into words as `docker run` splits it.
COMMAND_PARAMETERS = frozenset({"command", "entrypoint"})
# Parameters that are one port number (a container's or this machine's): 1 to 65535.
PORT_PARAMETERS = frozenset({"port", "container_port", "serve_port"})
_VOLUME_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+")  # the engine's rule for a volume name
# The options a bind or volume mount's mode may join with commas, as the engine reads `-v SRC:DST:MODE`
# (moby volume/mounts/linux_parser.go): ro/rw, SELinux relabelling z/Z (Fedora, RHEL), propagation, nocopy,
# and the consistency words Docker Desktop once used (accepted and ignored on Linux).
_MOUNT_OPTIONS = frozenset({"ro", "rw", "z", "Z", "shared", "rshared", "slave", "rslave", "private", "rprivate",
                            "nocopy", "consistent", "cached", "delegated"})

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
    "bytes": (lambda value: isinstance(value, (bytes, bytearray)), "bytes", "bytes", 'b"text"'),
    "Path": (lambda value: isinstance(value, os.PathLike), "a path", "paths", 'Path("app")'),
}
_KINDS["os.PathLike"] = _KINDS["PathLike"] = _KINDS["Path"]
_MAPPINGS = {"Mapping", "dict", "typing.Mapping", "collections.abc.Mapping"}
_SEQUENCES = {"Sequence", "list", "tuple", "typing.Sequence", "collections.abc.Sequence"}
# Classes the course's annotations name where they are imported for type checking only (not at run time):
# a value is checked by its class's name. Any other class name is checked when it names a class in the
# function's module; a name that names nothing there, or something else (a type alias), is not checked.
_TYPE_CHECKING_CLASSES = {"pd.DataFrame", "Container"}
# Names that stand for no one class: an annotation with one of them is not checked.
_UNCHECKED = {"Any", "Callable", "Iterable", "Iterator", "Generator", "Literal", "object", "Optional", "Union", "type", "T"}


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
        elif not inner and name.rpartition(".")[2][:1].isupper() and name.rpartition(".")[2] not in _UNCHECKED and name.replace(".", "").isidentifier():
            alternatives.append(("class", name))  # a class (pd.DataFrame, RunResult): see _classes_known
        else:
            return None
    return ("union", tuple(alternatives))


def _accepts(parsed: tuple | None, value: object, image: bool = False) -> bool:
    if parsed is None:
        return True
    for alternative in parsed[1]:
        if alternative[0] == "class":
            short = alternative[1].rpartition(".")[2]
            if type(value).__name__ == "_Proxy" or any(kind.__name__ == short for kind in type(value).__mro__):  # a recorded object stands for its class
                return True
        elif alternative[0] == "kind":
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


def _classes_known(parsed: tuple | None, function: Callable) -> bool:
    """Whether every class an annotation names is one this check can test (see _TYPE_CHECKING_CLASSES)."""
    if parsed is None:
        return True
    for alternative in parsed[1]:
        if alternative[0] == "class":
            name = alternative[1]
            if name not in _TYPE_CHECKING_CLASSES:
                found: object = getattr(inspect.unwrap(function), "__globals__", {}).get(name.partition(".")[0])
                for part in name.split(".")[1:]:
                    found = getattr(found, part, None)
                if not inspect.isclass(found):
                    return False
        elif not all(_classes_known(inner, function) for inner in alternative[1:]):
            return False
    return True


def _describe(parsed: tuple | None, many: bool = False) -> str:
    if parsed is None:
        return "items" if many else "a value"
    words = []
    for alternative in parsed[1]:
        if alternative[0] == "class":
            short = alternative[1].rpartition(".")[2]
            words.append(f"{short}s" if many else a_kind(short))
        elif alternative[0] == "kind":
            words.append(_KINDS[alternative[1]][2 if many else 1])
        elif alternative[0] == "mapping":
            words.append(("dicts" if many else "a dict")
                         + (f" of {_describe(alternative[1], True)} to {_describe(alternative[2], True)}" if alternative[1] else ""))
        else:
            words.append(("lists" if many else "a list") + (f" of {_describe(alternative[1], True)}" if alternative[1] else ""))
    return " or ".join(dict.fromkeys(words))


def _example(parsed: tuple, image: bool, value: object = None) -> str:
    """A value that fits ``parsed``: of the shape the learner tried (a list, a dict) when one fits."""
    kinds = [alternative for alternative in parsed[1] if alternative != ("kind", "None")] or list(parsed[1])
    shape = "sequence" if isinstance(value, Sequence) and not isinstance(value, str) else "mapping" if isinstance(value, Mapping) else "kind"
    first = next((alternative for alternative in kinds if alternative[0] == shape), kinds[0])
    if first[0] == "class":
        return f"<the {first[1].rpartition('.')[2]} a course call returned>"
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
        if parsed is None or not _classes_known(parsed, function):
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
            _check_value(call, name, each, parameter.default)


def _check_value(call: str, name: str, value: object, default: object = None) -> None:
    """What a value of the right type can still get wrong, for every public function alike: a number that
    is not finite (inf, nan: no engine, timer or port takes one), a port number outside 1..65535, a command string that cannot be split
    into words as `docker run` splits it (an unclosed quote), a ``volumes`` mapping that is not
    {SOURCE: {"bind": "/path/inside", "mode": "ro" or "rw"}} with SOURCE a volume name or an absolute
    path. ``default``: the parameter's default, shown as the example where it is one. Raises
    DockerlabError naming the parameter."""
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, numbers.Integral)) and not math.isfinite(value):
        raise DockerlabError(f"{call}(): {name}={value!r} is not a finite number.",
                             fix=f"Pass a number, e.g. {name}={PARAMETER_EXAMPLES.get(name, '5')}.")
    if name in PORT_PARAMETERS and isinstance(value, numbers.Integral) and not isinstance(value, bool) and not 1 <= value <= 65535:
        raise DockerlabError(f"{call}(): {name}={value!r} is not a port number (1 to 65535).",
                             fix="Pass a port number from 1 to 65535, e.g. "
                                 f"{name}={default if isinstance(default, int) else PARAMETER_EXAMPLES.get(name, '8080')}.")
    if name in COMMAND_PARAMETERS and isinstance(value, str):
        try:
            shlex.split(value)
        except ValueError as error:
            raise DockerlabError(f"{call}(): {name}={value!r} cannot be split into words ({error}).",
                                 fix=f'Close the quote, or pass the words as a list, e.g. {name}=["sh", "-c", "echo hi"].') from None
    if name == "volumes" and isinstance(value, Mapping):
        for source, mount in value.items():
            _check_mount(call, source, mount)


def _check_mount(call: str, source: object, mount: object) -> None:
    example = 'For example volumes={"my-data": {"bind": "/data"}} (a named volume) or {"/home/me/site": {"bind": "/site", "mode": "ro"}} (a folder).'
    bind = mount.get("bind") if isinstance(mount, Mapping) else None
    mode = mount.get("mode", "rw") if isinstance(mount, Mapping) else None
    options = mode.split(",") if isinstance(mode, str) else [None]
    if (not (isinstance(bind, str) and bind.startswith("/")) or not set(options) <= _MOUNT_OPTIONS
            or len(set(options) & {"ro", "rw"}) > 1 or len(options) != len(set(options))):
        raise DockerlabError(f"{call}(): volumes= gives {source!r} the mount {mount!r}; it needs \"bind\": the absolute path inside "
                             'the container, and optionally "mode": "ro" or "rw", with other options after a comma '
                             '("ro,Z" relabels for SELinux).', fix=example)
    if not (isinstance(source, str) and (_VOLUME_NAME.fullmatch(source) or source.startswith("/"))):
        absolute = f' (here: "{os.path.abspath(source)}")' if isinstance(source, str) and source else ""
        raise DockerlabError(f"{call}(): volumes= has the source {source!r}, which is neither a volume name nor an absolute path: "
                             "the engine takes a folder of its machine by its full path, and does not resolve a relative one.",
                             fix=f"Give the folder's full path{absolute}, or a volume name (two or more letters, digits and _ . -). {example}")


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

        wrapper.__checked_call__ = call
        return wrapper

    return decorate


def check_public(namespace: dict, prefix: str, own: Sequence[str] = ()) -> None:
    """Give every public function of a module (its ``__all__``, defined in it) the one argument check, as
    ``prefix.name``: call it at the end of the module. A function that is ``@recordable`` or
    ``@checked`` already, or named in ``own`` (it checks its arguments itself, with its own words), is left
    as it is. Returns None. Raises nothing itself; the functions then raise
    DockerlabError for an argument that does not fit their annotations, before they run."""
    for name in namespace.get("__all__", ()):
        function = namespace.get(name)
        if (inspect.isfunction(function) and function.__module__ == namespace["__name__"]
                and not hasattr(function, "__recorded_call__") and not hasattr(function, "__checked_call__") and name not in own):
            namespace[name] = checked(f"{prefix}.{name}")(function)
