"""Results as JSON and back: primitives, lists, dicts, tuples, paths, datetimes, DataFrames, Series,
answers (a str with its docker command),
the course's dataclasses and its errors (which replay raised, with their evidence)."""
from __future__ import annotations

import dataclasses
import datetime
import importlib
import re
import tempfile
from pathlib import Path
from typing import Any

# numpy and pandas are imported when a value is encoded, not at import: `import dockerlab` stays fast
# for the CLI, which never records a DataFrame.
from ..errors import DockerlabError, a_kind
from ..paths import COURSE_ROOT
from ..answers import Answer

__all__ = ["encode", "decode", "course_relative", "portable_text", "TEMPORARY_FOLDER"]


def course_relative(path: Path, root: Path = COURSE_ROOT) -> str:
    """``path`` relative to the course folder when it is inside it, else as given. Returns a str. Raises nothing."""
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


# A folder tempfile made for the course (TemporaryDirectory(prefix="dockerlab-run-as-"): the prefix, then
# tempfile's 8 random characters), written as TEMPORARY_FOLDER: it was deleted when the call returned.
_TEMPORARY = re.compile(re.escape(tempfile.gettempdir().rstrip("/")) + r"/dockerlab-[a-z]+(?:-[a-z]+)*-[a-z0-9_]{8}(?![\w.-])")
TEMPORARY_FOLDER = "<temp folder>"
_PATH_CHARACTER = r"[\w.-]"


def portable_text(text: str, root: Path | None = None) -> str:
    """``text`` as a recording keeps it: the course folder's path in it (``root``, where this checkout
    lives) written relative to the course as :func:`course_relative` writes a path (``/work/wt18/data/apps/x``
    reads ``data/apps/x``, the folder itself ``.``), and a temporary folder of the course's as
    TEMPORARY_FOLDER, so a recording names no machine's checkout and no random folder. Only a whole path
    is rewritten: not one that merely begins with the folder's name (``/work/wt180``), nor one inside
    another path. ``root``: None for this checkout's. Returns a str. Raises nothing."""
    root = COURSE_ROOT if root is None else root
    text = _TEMPORARY.sub(TEMPORARY_FOLDER, text)
    if str(root) not in text:
        return text
    pattern = rf"(?<![\w./-]){re.escape(str(root).rstrip('/'))}(?:/(?={_PATH_CHARACTER})|(?!{_PATH_CHARACTER}))"
    return re.sub(pattern, lambda found: "" if found.group(0).endswith("/") else ".", text)


def _qualified(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


# Modules a recording may never make replay import: importing dockerlab.__main__ runs the `dockerlab` command, and
# dockerlab.cli is that command (nothing it defines is ever a recorded result).
_NEVER_IMPORTED = ("dockerlab.__main__", "dockerlab.cli")
_REGENERATE = "Regenerate the recordings with `dockerlab record` (a maintainer's step; a learner updates the course: `git pull`)."


def _course_module(module: str) -> bool:
    """Whether ``module`` is the course's package or one of its modules (``dockerlab``, ``dockerlab.x.y``; not
    ``dockerlabx``), and one replay may import (never __main__ or the CLI)."""
    parts = module.split(".")
    return (parts[0] == "dockerlab" and all(part.isidentifier() for part in parts) and "__main__" not in parts
            and not any(module == never or module.startswith(never + ".") for never in _NEVER_IMPORTED))


def _resolve(name: Any, kind: str) -> type:
    """The class a recording names for a recorded error (``kind`` "error": a DockerlabError subclass) or a recorded
    course object (``kind`` "dataclass": a dataclass), from the course's own modules only. Raises DockerlabError
    naming the type when it is anything else (another package's, dockerlab.__main__'s, not a class, not of that kind)."""
    module, _, qualname = name.rpartition(".") if isinstance(name, str) else ("", "", "")
    what = "a course error (a DockerlabError)" if kind == "error" else "a course result (a dataclass)"
    if not (qualname and _course_module(module)):
        raise DockerlabError(f"A recording names the type {name!r} for {what}, which is not one of the course's modules.", fix=_REGENERATE)
    try:
        found = getattr(importlib.import_module(module), qualname)
    except (ImportError, AttributeError) as error:
        raise DockerlabError(f"A recording names the type {name!r} for {what}, which the course does not have "
                             f"({type(error).__name__}).", fix=_REGENERATE) from None
    fits = isinstance(found, type) and (issubclass(found, DockerlabError) if kind == "error" else dataclasses.is_dataclass(found))
    if not fits:
        raise DockerlabError(f"A recording names the type {name!r} for {what}, and it is not one.", fix=_REGENERATE)
    return found


def _tagged(value: Any) -> dict | None:
    """The JSON form of an answer, a path or a datetime (None for any other value)."""
    if isinstance(value, Answer):
        return {"__answer__": portable_text(str(value)), "command": portable_text(value.command)}
    if isinstance(value, Path):
        return {"__path__": course_relative(value)}
    if isinstance(value, datetime.datetime):
        return {"__datetime__": value.isoformat()}
    return None


def encode(value: Any) -> Any:
    """A JSON-able form of a result, its text made portable (:func:`portable_text`: no path of this
    checkout, no temporary folder's random name). Raises DockerlabError for a type the recorder does not know."""
    # lazy: numpy and pandas take ~1 s to import, and `import dockerlab` loads this module
    import numpy as np
    import pandas as pd

    tagged = _tagged(value)
    if tagged is not None:
        return tagged
    if isinstance(value, str):
        return portable_text(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return {"__tuple__": [encode(item) for item in value]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {"__pairs__": [[encode(key), encode(item)] for key, item in value.items()]}
    if isinstance(value, pd.DataFrame):
        return {
            "__dataframe__": [[encode(cell) for cell in row] for row in value.itertuples(index=False, name=None)],
            "columns": [encode(column) for column in value.columns],
            "index": [encode(label) for label in value.index],
            "index_name": encode(value.index.name),
            "dtypes": [str(dtype) for dtype in value.dtypes],
            "attrs": encode(dict(value.attrs)),
        }
    if isinstance(value, pd.Series):
        return {"__series__": encode(value.to_frame(name=value.name if value.name is not None else 0))}
    if isinstance(value, BaseException):
        return {"__exception__": _qualified(type(value)), "state": encode(dict(vars(value))), "args": encode(tuple(value.args))}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"__dataclass__": _qualified(type(value)), "fields": {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    raise DockerlabError(f"Cannot record {a_kind(type(value).__name__)}.",
                         fix="A course function returned a type the recorder does not know; teach dockerlab.recording.codec.encode about it.")


def _decode_frame(value: dict) -> Any:
    import pandas as pd  # lazy: ~1 s to import, and `import dockerlab` loads this module

    columns = [decode(column) for column in value["columns"]]
    rows = [[decode(cell) for cell in row] for row in value["__dataframe__"]]
    frame = pd.DataFrame.from_records(rows, columns=range(len(columns))) if rows else pd.DataFrame(columns=range(len(columns)))
    frame.columns = pd.Index(columns, tupleize_cols=False) if any(isinstance(c, tuple) for c in columns) else columns
    frame.index = [decode(label) for label in value["index"]]
    frame.index.name = decode(value["index_name"])
    for position, dtype in enumerate(value["dtypes"]):
        if dtype in ("object", "str"):
            continue
        if dtype == "bool" and not all(isinstance(cell, bool) for cell in frame.iloc[:, position]):
            continue  # astype(bool) would make any text True ("no" -> True): kept as recorded, for the declarations to judge
        try:
            if dtype.startswith("datetime64"):
                frame.isetitem(position, pd.to_datetime(frame.iloc[:, position]))
            else:
                frame.isetitem(position, frame.iloc[:, position].astype(dtype))
        except (TypeError, ValueError):
            pass
    frame.attrs.update(decode(value["attrs"]))
    return frame


def _decode_object(value: dict) -> Any:
    if "__exception__" in value:
        kind = _resolve(value["__exception__"], "error")
        error = kind.__new__(kind)
        error.args = decode(value["args"])
        for name, item in decode(value["state"]).items():
            setattr(error, name, item)
        return error
    kind = _resolve(value["__dataclass__"], "dataclass")
    instance = object.__new__(kind)
    for name, item in value["fields"].items():
        object.__setattr__(instance, name, decode(item))
    return instance


def decode(value: Any) -> Any:
    """The value :func:`encode` was given (a DataFrame keeps its columns, dtypes, index and attrs). Raises
    DockerlabError when it names an error type that is not a course error (a DockerlabError subclass) or an object
    type that is not a course dataclass, each from the course's own modules (dockerlab.*, never dockerlab.__main__ or
    the CLI: no module outside them is ever imported to read a recording)."""
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "__tuple__" in value:
        return tuple(decode(item) for item in value["__tuple__"])
    if "__pairs__" in value:
        return {_hashable(decode(key)): decode(item) for key, item in value["__pairs__"]}
    if "__answer__" in value:
        return Answer(value["__answer__"], value["command"])
    if "__path__" in value:
        return COURSE_ROOT / value["__path__"] if not value["__path__"].startswith("/") else Path(value["__path__"])
    if "__datetime__" in value:
        return datetime.datetime.fromisoformat(value["__datetime__"])
    if "__dataframe__" in value:
        return _decode_frame(value)
    if "__series__" in value:
        series = decode(value["__series__"]).iloc[:, 0]
        return series.rename(None if series.name == 0 else series.name)
    if "__exception__" in value or "__dataclass__" in value:
        return _decode_object(value)
    return {key: decode(item) for key, item in value.items()}


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
