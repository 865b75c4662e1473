"""The shape of what a recording file holds, checked in one place: its provenance, each recorded call
(an *entry*), each headline figure, and a replayed result against what its call returns. Every reader of
a recording (the store, replay, the freshness check, the results and figures code) asks here, so a
damaged file is a :class:`RecordingStale` naming the file and the entry, never a TypeError or KeyError
later on."""
from __future__ import annotations

import collections.abc
import dataclasses
import functools
import numbers
import types
import typing
from typing import Any

from ..errors import DockerlabError, RecordingStale, a_kind

__all__ = ["provenance_problem", "entry_problem", "headline_problem", "result_problem", "fields_problem", "field_types", "entry_named",
           "stale_entry", "PROVENANCE_TEXT"]

# Provenance fields the course reads as text (summarise_provenance, the results' conditions): a str when present.
PROVENANCE_TEXT = ("recorded_at", "commit", "engine_version", "api_version", "os_arch", "operating_system", "kernel", "builder",
                   "repeat", "python", "command", "interrupted")
_PROVENANCE_NUMBERS = ("cpus", "run_seconds")
_DIRECTIONS = ("at most", "at least")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _text_mapping(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(key, str) and isinstance(item, str) for key, item in value.items())


def provenance_problem(provenance: Any) -> str | None:
    """What makes ``provenance`` (a recording file's "provenance") unreadable, or None: an object whose
    text fields are text, ``stand_in_bases`` a list of text and ``cpus``/``run_seconds`` numbers, each
    where present. Returns the problem in words. Raises nothing."""
    if not isinstance(provenance, dict):
        return f"its provenance is a JSON {type(provenance).__name__}, not an object"
    for name in PROVENANCE_TEXT:
        if name in provenance and not isinstance(provenance[name], str):
            return f"provenance {name} is {provenance[name]!r}, not text"
    for name in _PROVENANCE_NUMBERS:
        if name in provenance and not _is_number(provenance[name]):
            return f"provenance {name} is {provenance[name]!r}, not a number"
    bases = provenance.get("stand_in_bases", [])
    if not (isinstance(bases, list) and all(isinstance(name, str) for name in bases)):
        return f"provenance stand_in_bases is {bases!r}, not a list of image names"
    return None


def _inputs_problem(inputs: Any) -> str | None:
    """A call's inputs are {"arguments": {"arguments": [...], "keywords": {...}}, "files": {path: sha256}};
    an attribute read of a recorded object has {"arguments": [], "keywords": {}}."""
    if not isinstance(inputs, dict):
        return f"its inputs are a JSON {type(inputs).__name__}, not an object"
    if set(inputs) == {"arguments", "keywords"}:
        described = inputs
    elif set(inputs) == {"arguments", "files"}:
        if not _text_mapping(inputs["files"]):
            return "its inputs' files are not a mapping of course paths to digests"
        described = inputs["arguments"]
    else:
        return f"its inputs have the keys {sorted(inputs)}, not arguments and files"
    if not (isinstance(described, dict) and isinstance(described.get("arguments"), list) and isinstance(described.get("keywords"), dict)):
        return "its inputs do not describe the call's arguments and keywords"
    return None


def entry_problem(entry: Any) -> str | None:
    """What makes ``entry`` (one recorded call of a file's "calls") unreadable, or None: an object with a
    text ``call`` and ``key``, whole-number ``occurrence`` (0 or more) and ``version``, ``inputs`` as the
    recorder writes them, a true/false ``raised``, and a ``result`` (a recorded error when ``raised``).
    Returns the problem in words. Raises nothing."""
    if not isinstance(entry, dict):
        return f"a JSON {type(entry).__name__}, not an object"
    missing = [name for name in ("call", "key", "occurrence", "version", "inputs", "raised", "result") if name not in entry]
    if missing:
        return f"no {', '.join(missing)}"
    if not (isinstance(entry["call"], str) and entry["call"]) or not isinstance(entry["key"], str):
        return "its call or key is not text"
    if not (_is_int(entry["occurrence"]) and entry["occurrence"] >= 0) or not _is_int(entry["version"]):
        return f"occurrence {entry['occurrence']!r} and version {entry['version']!r} are not both whole numbers"
    if not isinstance(entry["raised"], bool):
        return f"raised is {entry['raised']!r}, not true or false"
    if entry["raised"] and not (isinstance(entry["result"], dict) and isinstance(entry["result"].get("__exception__"), str)):
        return "it says the call raised, but its result is not a recorded error"
    return _inputs_problem(entry["inputs"])


def headline_problem(figure: Any) -> str | None:
    """What makes ``figure`` (one headline: what dockerlab.results.headline saves) unreadable, or None: an
    object with a text ``label`` and ``unit``, numbers ``value`` and ``target``, a ``direction`` of "at most"
    or "at least", a true/false ``met``, and text ``condition`` and ``mode`` where present. Returns the problem
    in words. Raises nothing."""
    if not isinstance(figure, dict):
        return f"a JSON {type(figure).__name__}, not a figure"
    missing = [name for name in ("label", "value", "target", "direction", "unit", "met") if name not in figure]
    if missing:
        return f"a figure without {', '.join(missing)}"
    if not all(isinstance(figure.get(name, ""), str) for name in ("label", "unit", "condition", "mode")):
        return "a figure whose label, unit, condition or mode is not text"
    if not (_is_number(figure["value"]) and _is_number(figure["target"])):
        return "a figure whose value or target is not a number"
    if figure["direction"] not in _DIRECTIONS or not isinstance(figure["met"], bool):
        return f"a figure whose direction is {figure['direction']!r} (not at most or at least) or whose met is not true or false"
    return None


def result_problem(result: Any, *, raised: bool, stateful: bool, returns: type | None = None) -> str | None:
    """What makes a decoded recorded ``result`` not what its call returns, or None: a recorded error
    (``raised``) is a course error; a stateful call's result is a recorded object; with ``returns`` (the class
    the call's return annotation names), a result is of that class. Returns the problem in words. Raises nothing."""
    if raised and not isinstance(result, DockerlabError):
        return f"it says the call raised, but its result is {a_kind(type(result).__name__)}, not a course error"
    if stateful and not raised and not (isinstance(result, dict) and isinstance(result.get("__recorded_object__"), str)):
        return f"{a_kind(type(result).__name__)} where the call returns an object (a container, a project)"
    if returns is not None and not raised and not stateful and not _fits(result, returns):
        return f"{a_kind(type(result).__name__)} where the call returns {a_kind(returns.__name__)}"
    return None if raised else fields_problem(result)


def fields_problem(value: Any, where: str = "") -> str | None:
    """What makes a decoded recorded result's course objects (dataclasses, in it or in its lists, tuples and dict
    values, at any depth) not what their classes declare, or None: each field is there (or has a default) and its value
    fits the field's annotation (:func:`field_types`): a union fits when one of its members does; ``list[X]``,
    ``tuple[X, ...]``, ``dict[K, V]`` by the container's type only; a whole number is a float too (JSON keeps 2.0 as
    2), a bool neither; a class (a DataFrame, a Path, a datetime, a course dataclass, whose own fields are checked in
    turn) by isinstance. A table is read against its declaration elsewhere (``dockerlab.recording.decorator``), so
    the cells of a DataFrame are not looked into. ``where``: the place of ``value`` in the result ("" for the result
    itself). Returns the problem in words, naming the field (``build_steps[2].seconds``). Raises nothing."""
    if isinstance(value, (list, tuple)):
        return next((problem for position, item in enumerate(value) if (problem := fields_problem(item, f"{where}[{position}]"))), None)
    if isinstance(value, dict):
        return next((problem for key, item in value.items() if (problem := fields_problem(item, f"{where}[{key!r}]"))), None)
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return None
    kind = type(value)
    declared = field_types(kind)
    for field in dataclasses.fields(value):
        place = f"{where}.{field.name}" if where else field.name
        if not hasattr(value, field.name):  # recorded before the class had the field, which has no default to read
            return f"{a_kind(kind.__name__)} without its field {place} (the class has it, with no default)"
        item = getattr(value, field.name)
        if field.name in declared and not _fits_annotation(item, declared[field.name]):
            return f"{a_kind(kind.__name__)} whose field {place} is {_shown(item)}, where the class declares {_annotation_text(declared[field.name])}"
        problem = fields_problem(item, place)
        if problem:
            return problem
    return None


@functools.cache
def field_types(kind: type) -> dict[str, Any]:
    """The annotation of each field of the dataclass ``kind``, resolved (``typing.get_type_hints``; a module that
    imports pandas for type checking only names it ``pd``, given here). Returns field name -> annotation, empty when
    they cannot be resolved (a unit test resolves every course dataclass's). Raises nothing."""
    try:
        return typing.get_type_hints(kind)
    except NameError:
        pass
    import pandas as pd  # lazy: ~1 s to import, and only a class whose fields name a DataFrame needs it

    try:
        return typing.get_type_hints(kind, localns={"pd": pd})
    except (NameError, TypeError, AttributeError):
        return {}


def _fits_annotation(value: Any, annotation: Any) -> bool:
    """Whether ``value`` fits a resolved field ``annotation`` (see :func:`fields_problem`): what names no class (Any,
    a type variable, a forward reference) fits anything."""
    if annotation is None or annotation is type(None):
        return value is None
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return any(_fits_annotation(value, member) for member in typing.get_args(annotation))
    if origin is typing.Literal:
        return value in typing.get_args(annotation)
    kind = origin if origin is not None else annotation  # list[str] -> list, re.Pattern[bytes] -> re.Pattern
    if kind is collections.abc.Callable:
        return callable(value)
    if not isinstance(kind, type) or kind is object:
        return True
    return _fits(value, kind)


def _annotation_text(annotation: Any) -> str:
    if isinstance(annotation, type) and typing.get_origin(annotation) is None:
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _shown(value: Any) -> str:
    """A value in a problem: its repr when short, and its type."""
    text, kind = repr(value), a_kind(type(value).__name__)
    return f"{text} ({kind})" if len(text) <= 40 else kind


def _fits(value: Any, kind: type) -> bool:
    """Whether ``value`` is a ``kind``: a whole number is a float too (JSON keeps 2.0 as 2), a bool is neither."""
    if kind is float:
        return _is_number(value)
    if kind is int:
        return _is_int(value)
    return isinstance(value, kind)


def entry_named(file: str, number: int, entry: Any) -> str:
    """How an error names one entry: its file, its place in the file and its call. Returns a str. Raises nothing."""
    call = entry.get("call") if isinstance(entry, dict) else None
    return f"{file}, entry {number}" + (f" ({call})" if isinstance(call, str) else "")


def stale_entry(file: str, number: int, entry: Any, problem: str, expected: str = "calls as the course records them") -> RecordingStale:
    """The error for a damaged entry: RecordingStale naming the file, the entry and what is wrong
    (returned, for the caller to raise). Raises nothing."""
    return RecordingStale(entry_named(file, number, entry), problem, expected)
