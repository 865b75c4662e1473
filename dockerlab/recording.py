"""Live and recorded mode: the same notebook cells run on a real engine, or replay what one recorded.

In live mode every call goes to the engine. With ``DOCKERLAB_RECORD_TO=file.json`` (what
`dockerlab record` sets) each engine call's result is also written to that file, keyed by the
call's name and a hash of its inputs: arguments, and the content of every course file or folder
passed in (Dockerfiles, build contexts). In recorded mode (no engine, or ``DOCKERLAB_MODE=recorded``)
the same call returns the recorded result; a call with no recording for its inputs raises
:class:`RecordingMissing`. Nothing is ever invented.
"""
from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import html
import importlib
import json
import os
import platform
import subprocess
import threading
from pathlib import Path
from typing import Any, Callable

from .errors import DockerlabError
from .paths import COURSE_ROOT

__all__ = ["mode", "Mode", "recordable", "RecordingMissing", "recordings", "stale_recordings", "RECORDED_DIR"]

RECORDED_DIR = COURSE_ROOT / "data" / "recorded"
LIVE, RECORDED = "live", "recorded"
FORMAT_VERSION = 1


class RecordingMissing(DockerlabError):
    """Recorded mode has no result for this call with these inputs."""

    def __init__(self, call: str, described: str, near: list[str]) -> None:
        hint = f" Recordings of {call} exist for other inputs ({'; '.join(near[:2])}): the inputs changed since they were recorded." if near else ""
        super().__init__(
            f"No recorded result for {call}({described}).{hint}",
            fix="This needs a live Docker engine: start one and restart the kernel. A maintainer regenerates "
            "the recordings with `dockerlab record` on a machine with an engine.",
        )
        self.call = call


# --- the mode --------------------------------------------------------------------------------

_decided: str | None = None


@dataclasses.dataclass
class Mode:
    """``live`` or ``recorded``, with where recorded results came from; renders as one line or a banner."""

    name: str
    why: str
    provenance: list[dict] = dataclasses.field(default_factory=list)

    def __str__(self) -> str:
        return self.name

    def __eq__(self, other: object) -> bool:
        return self.name == (other.name if isinstance(other, Mode) else other)

    def describe(self) -> str:
        if self.name == LIVE:
            return f"Mode: live. Every result below is built and measured now, on this machine ({self.why})."
        sources = _summarise_provenance(self.provenance)
        return (
            f"Mode: recorded ({self.why}). Results are replayed from data/recorded/, recorded {sources}. "
            "To run live: start a Docker engine and restart the kernel (or set DOCKERLAB_MODE=live)."
        )

    def __repr__(self) -> str:
        return self.describe()

    def _repr_html_(self) -> str:
        if self.name == LIVE:
            return f"<p><b>{html.escape(self.describe())}</b></p>"
        return (
            # Theme variables (dockerlab.theme): readable on JupyterLab's light and dark themes; a
            # translucent tint, not a pale colour, so the background follows the theme too.
            "<div class='dockerlab-mode' style='border-left:4px solid var(--jp-warn-color1, #9a6700);"
            "background:rgba(245, 124, 0, 0.12);color:var(--jp-content-font-color0, #1f2328);padding:6px 10px'>"
            f"<b>{html.escape(self.describe())}</b></div>"
        )


def _summarise_provenance(entries: list[dict]) -> str:
    if not entries:
        return "(no recordings found)"
    dates = sorted({entry.get("recorded_at", "?")[:10] for entry in entries})
    engines = sorted({f"Docker {entry.get('engine_version', '?')} on {entry.get('os_arch', '?')}" for entry in entries})
    commits = sorted({entry.get("commit", "?")[:10] for entry in entries})
    standins = sorted({name for entry in entries for name in entry.get("stand_in_bases", [])})
    bases = f"stand-in bases for {', '.join(standins)} (no registry)" if standins else "official base images"
    return f"on {' to '.join([dates[0], dates[-1]] if len(dates) > 1 else dates)} with {'; '.join(engines)}, {bases}, course commit {', '.join(commits)}"


def _mode_name() -> tuple[str, str]:
    """(mode, why): forced by DOCKERLAB_MODE, else decided once per process by asking the engine."""
    global _decided
    forced = os.environ.get("DOCKERLAB_MODE", "").strip().lower()
    if forced and forced not in (LIVE, RECORDED):
        raise DockerlabError(f"DOCKERLAB_MODE={forced!r} is not a mode.", fix="Use DOCKERLAB_MODE=live or DOCKERLAB_MODE=recorded, or unset it.")
    if forced:
        return forced, f"DOCKERLAB_MODE={forced}"
    if _decided is None:
        from . import engine

        _decided = LIVE if engine.available() else RECORDED
    return _decided, "a Docker engine answers" if _decided == LIVE else "no Docker engine answers here"


def mode() -> Mode:
    """``live`` when an engine answers, ``recorded`` otherwise; DOCKERLAB_MODE=live|recorded forces it.

    Forced ``live`` with no engine is not switched to recorded: the first engine call raises
    DockerUnavailable, which says how to start one."""
    name, why = _mode_name()
    return Mode(name, why, _all_provenance() if name == RECORDED else [])


def _current() -> str:
    return _mode_name()[0]


# --- turning results into JSON and back ----------------------------------------------------


def _qualified(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


def _resolve(name: str) -> type:
    module, _, qualname = name.rpartition(".")
    if not module.startswith("dockerlab"):
        raise DockerlabError(f"A recording names the type {name}, which is not the course's.", fix="Regenerate the recordings with `dockerlab record`.")
    return getattr(importlib.import_module(module), qualname)


def encode(value: Any) -> Any:
    """A JSON-able form of a result: primitives, lists, dicts, dataclasses, DataFrames, Series, errors."""
    import numpy as np
    import pandas as pd

    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return {"__tuple__": [encode(item) for item in value]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {"__pairs__": [[encode(key), encode(item)] for key, item in value.items()]}
    if isinstance(value, Path):
        return {"__path__": _course_relative(value)}
    if isinstance(value, (datetime.datetime, pd.Timestamp)):
        return {"__datetime__": value.isoformat()}
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
    raise DockerlabError(f"Cannot record a {type(value).__name__}.", fix="A course function returned a type the recorder does not know; teach dockerlab.recording.encode about it.")


def decode(value: Any) -> Any:
    import pandas as pd

    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "__tuple__" in value:
        return tuple(decode(item) for item in value["__tuple__"])
    if "__pairs__" in value:
        return {_hashable(decode(key)): decode(item) for key, item in value["__pairs__"]}
    if "__path__" in value:
        return COURSE_ROOT / value["__path__"] if not value["__path__"].startswith("/") else Path(value["__path__"])
    if "__datetime__" in value:
        return datetime.datetime.fromisoformat(value["__datetime__"])
    if "__dataframe__" in value:
        columns = [decode(column) for column in value["columns"]]
        rows = [[decode(cell) for cell in row] for row in value["__dataframe__"]]
        frame = pd.DataFrame.from_records(rows, columns=range(len(columns))) if rows else pd.DataFrame(columns=range(len(columns)))
        frame.columns = pd.Index(columns, tupleize_cols=False) if any(isinstance(c, tuple) for c in columns) else columns
        frame.index = [decode(label) for label in value["index"]]
        frame.index.name = decode(value["index_name"])
        for position, dtype in enumerate(value["dtypes"]):
            if dtype in ("object", "str"):
                continue
            try:
                if dtype.startswith("datetime64"):
                    frame.isetitem(position, pd.to_datetime(frame.iloc[:, position]))
                else:
                    frame.isetitem(position, frame.iloc[:, position].astype(dtype))
            except (TypeError, ValueError):
                pass
        frame.attrs.update(decode(value["attrs"]))
        return frame
    if "__series__" in value:
        frame = decode(value["__series__"])
        series = frame.iloc[:, 0]
        return series.rename(None if series.name == 0 else series.name)
    if "__exception__" in value:
        kind = _resolve(value["__exception__"])
        error = kind.__new__(kind)
        error.args = decode(value["args"])
        for name, item in decode(value["state"]).items():
            setattr(error, name, item)
        return error
    if "__dataclass__" in value:
        kind = _resolve(value["__dataclass__"])
        instance = object.__new__(kind)
        for name, item in value["fields"].items():
            object.__setattr__(instance, name, decode(item))
        return instance
    return {key: decode(item) for key, item in value.items()}


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


# --- inputs: arguments and the course files they name ----------------------------------------


def _course_relative(path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(COURSE_ROOT).as_posix()
    except ValueError:
        return str(path)


def _files_of(path: Path) -> dict[str, str]:
    """sha256 of each file of a course file or folder (relative path -> digest)."""
    paths = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return {_course_relative(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def _digest_of_files(contents: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(contents, sort_keys=True).encode()).hexdigest()


def _course_path(value: Any) -> Path | None:
    if isinstance(value, Path) or (isinstance(value, str) and value.startswith("/") and "\n" not in value and len(value) < 4096):
        path = Path(value)
        try:
            path.resolve().relative_to(COURSE_ROOT)
        except ValueError:
            return None
        return path if path.exists() else None
    return None


def _describe_argument(value: Any, files: dict[str, str]) -> Any:
    """A stable description of one argument (the same on every machine); course paths add their files."""
    if isinstance(value, _Proxy):
        return {"object": value._recording_key}
    path = _course_path(value)
    if path is not None:
        contents = _files_of(path)
        files.update(contents)
        return {"course path": _course_relative(path), "content": _digest_of_files(contents)}
    if isinstance(value, (list, tuple)):
        return [_describe_argument(item, files) for item in value]
    if isinstance(value, dict):
        return {str(key): _describe_argument(item, files) for key, item in sorted(value.items(), key=lambda pair: str(pair[0]))}
    if callable(value):
        return "<callable>"
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def _inputs(call: str, arguments: tuple, keywords: dict) -> tuple[str, dict, dict[str, str]]:
    """The call's key (a hash of its name and described inputs), the description, and its course files."""
    files: dict[str, str] = {}
    described = {
        "arguments": [_describe_argument(value, files) for value in arguments],
        "keywords": {name: _describe_argument(value, files) for name, value in sorted(keywords.items()) if name not in _UNKEYED},
    }
    key = hashlib.sha256(json.dumps([call, described], sort_keys=True, default=str).encode()).hexdigest()[:24]
    return key, described, files


# Keywords that change how a call looks, never what it measures.
_UNKEYED = {"progress", "on_step"}


# --- the store ---------------------------------------------------------------------------------

_state = threading.local()
_lock = threading.Lock()
_replay_index: dict[tuple[str, str], list[dict]] | None = None
_replay_counts: dict[tuple[str, str], int] = {}
_record_counts: dict[tuple[str, str], int] = {}
_recorded_entries: list[dict] = []


def recordings(directory: Path | None = None) -> dict[str, dict]:
    """Every recording file: name -> its content (provenance and calls)."""
    found = {}
    for file in sorted(Path(directory or RECORDED_DIR).glob("*.json")):
        found[file.name] = json.loads(file.read_text())
    return found


def _all_provenance() -> list[dict]:
    return [content.get("provenance", {}) for content in recordings().values()]


def _load_index() -> dict[tuple[str, str], list[dict]]:
    global _replay_index
    if _replay_index is None:
        index: dict[tuple[str, str], list[dict]] = {}
        for content in recordings().values():
            for entry in content.get("calls", []):
                index.setdefault((entry["call"], entry["key"]), []).append(entry)
        for entries in index.values():
            entries.sort(key=lambda entry: entry["occurrence"])
        _replay_index = index
    return _replay_index


def reset() -> None:
    """Forget the decided mode, loaded recordings and call counters (tests, `dockerlab record`)."""
    global _decided, _replay_index
    _decided, _replay_index = None, None
    _replay_counts.clear()
    _record_counts.clear()
    _recorded_entries.clear()


def _replay(call: str, key: str, described: dict) -> tuple[Any, int]:
    """The recorded result of this call (the n-th time it is made) and which occurrence it was."""
    entries = _load_index().get((call, key))
    if not entries:
        near = sorted({_short(entry["inputs"]["arguments"]) for (name, _), found in _load_index().items() if name == call for entry in found})
        raise RecordingMissing(call, _short(described), near)
    count = _replay_counts.get((call, key), 0)
    _replay_counts[(call, key)] = count + 1
    entry = entries[min(count, len(entries) - 1)]  # a cell run again replays the last recorded result
    result = decode(entry["result"])
    if entry.get("raised"):
        raise result
    return result, entry["occurrence"]


def _short(described: dict) -> str:
    text = json.dumps(described["arguments"] + [described["keywords"]] if described["keywords"] else described["arguments"], default=str)
    return text[1:-1][:200]


def provenance(command: str = "") -> dict:
    """Where and when a recording is made: engine, OS/arch, stand-in bases, course commit."""
    from . import engine
    from .bases import CATALOGUE
    from .bases.resolve import image_state

    info = engine.info()
    commit = subprocess.run(["git", "-C", str(COURSE_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(COURSE_ROOT), "status", "--porcelain", "--", "dockerlab", "data/apps", "notebooks"], capture_output=True, text=True).stdout.strip()
    return {
        "recorded_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": commit + ("+uncommitted changes" if dirty else ""),
        "engine_version": info.version,
        "api_version": info.api_version,
        "os_arch": f"{info.os}/{info.arch}",
        "operating_system": info.operating_system,
        "kernel": info.kernel,
        "cpus": info.cpus,
        "stand_in_bases": [name for name in CATALOGUE if image_state(name)[0] == "stand-in"],
        "builder": info.builder,
        "repeat": os.environ.get("DOCKERLAB_REPEAT") or "each experiment's own (full)",
        "python": platform.python_version(),
        "command": command,
        "format": FORMAT_VERSION,
    }


def _record(call: str, key: str, described: dict, files: dict[str, str], result: Any, raised: bool) -> None:
    target = os.environ.get("DOCKERLAB_RECORD_TO")
    if not target:
        return
    with _lock:
        count = _record_counts.get((call, key), 0)
        _record_counts[(call, key)] = count + 1
        _recorded_entries.append({
            "call": call, "key": key, "occurrence": count, "inputs": {"arguments": described, "files": files},
            "raised": raised, "result": encode(result),
        })
        _update_recording(Path(target), lambda content: content.update(calls=list(_recorded_entries)))


def _update_recording(path: Path, change: Callable[[dict], None]) -> None:
    content = json.loads(path.read_text()) if path.exists() else {}
    if "provenance" not in content:
        content["provenance"] = provenance(os.environ.get("DOCKERLAB_RECORD_COMMAND", ""))
    content.setdefault("calls", [])
    content.setdefault("headlines", {})
    change(content)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=None, separators=(",", ":"), default=str) + "\n")


def record_headline(label: str, figure: dict) -> None:
    """Keep a headline figure with the recording being made (for the summary notebook in recorded mode)."""
    target = os.environ.get("DOCKERLAB_RECORD_TO")
    if target:
        with _lock:
            _update_recording(Path(target), lambda content: content["headlines"].update({label: figure}))


def _depth() -> int:
    return getattr(_state, "depth", 0)


def _unwrap(value: Any) -> Any:
    return value._recording_target if isinstance(value, _Proxy) else value


def _call_through(call: str, function: Callable, arguments: tuple, keywords: dict, stateful: bool, owner: "_Proxy | None" = None) -> Any:
    """The outermost course call is live-recorded or replayed; calls it makes inside run as they are."""
    if _depth() > 0:
        return function(*arguments, **keywords)
    recording = bool(os.environ.get("DOCKERLAB_RECORD_TO"))
    replaying = _current() == RECORDED
    if not recording and not replaying:
        return function(*arguments, **keywords)
    key, described, files = _inputs(call, ((owner,) if owner else ()) + tuple(arguments), keywords)
    if replaying:
        result, occurrence = _replay(call, key, described)
        if stateful or (isinstance(result, dict) and result.get("__recorded_object__")):
            return owner if result.get("__recorded_object__") == "self" else _Proxy(None, f"{call}:{key}:{occurrence}", call)
        return result
    _state.depth = 1
    try:
        result = function(*[_unwrap(value) for value in arguments], **{name: _unwrap(value) for name, value in keywords.items()})
    except DockerlabError as error:
        _record(call, key, described, files, error, raised=True)
        raise
    finally:
        _state.depth = 0
    if owner is not None and result is owner._recording_target:
        _record(call, key, described, files, {"__recorded_object__": "self"}, raised=False)
        return owner
    if stateful:
        occurrence = _record_counts.get((call, key), 0)
        _record(call, key, described, files, {"__recorded_object__": type(result).__name__}, raised=False)
        return _Proxy(result, f"{call}:{key}:{occurrence}", call)
    _record(call, key, described, files, result, raised=False)
    return result


def recordable(call: str, *, stateful: bool = False) -> Callable[[Callable], Callable]:
    """Mark a course function that needs an engine: recorded when recording, replayed in recorded mode.

    ``stateful`` functions return an object (a container, a registry, a Compose project) whose
    attributes and method calls are recorded and replayed one by one."""

    def decorate(function: Callable) -> Callable:
        @functools.wraps(function)
        def wrapper(*arguments, **keywords):
            return _call_through(call, function, arguments, keywords, stateful)

        wrapper.__recorded_call__ = call
        return wrapper

    return decorate


class _Proxy:
    """Stands for a stateful course object (container, registry, Compose project): forwards to it
    live, and records or replays each attribute read and method call in order."""

    def __init__(self, target: Any, key: str, call: str) -> None:
        object.__setattr__(self, "_recording_target", target)
        object.__setattr__(self, "_recording_key", key)
        object.__setattr__(self, "_recording_call", call)

    def _member(self, name: str) -> Any:
        target = self._recording_target
        member_call = f"{self._recording_call}.{name}"
        attribute_key = f"{self._recording_key}:{name}"
        if target is not None:
            value = getattr(target, name)
            if callable(value):
                return _method(self, member_call, value)
            if os.environ.get("DOCKERLAB_RECORD_TO") and _depth() == 0:
                _record(member_call, attribute_key, {"arguments": [], "keywords": {}}, {}, value, raised=False)
            return value
        if (member_call, attribute_key) in _load_index():
            return _replay(member_call, attribute_key, {"arguments": [], "keywords": {}})[0]
        return _method(self, member_call, None)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._member(name)

    def __enter__(self) -> "_Proxy":
        return self

    def __exit__(self, *exc) -> None:
        self._member("__exit__")(None, None, None)

    def __repr__(self) -> str:
        return repr(self._recording_target) if self._recording_target is not None else f"<recorded {self._recording_call}>"


def _method(proxy: _Proxy, member_call: str, method: Callable | None) -> Callable:
    def call(*arguments, **keywords):
        return _call_through(member_call, method, arguments, keywords, False, owner=proxy)

    return call


# --- staleness ---------------------------------------------------------------------------------


def _course_paths_in(described: Any) -> list[dict]:
    if isinstance(described, dict):
        if "course path" in described:
            return [described]
        return [found for value in described.values() for found in _course_paths_in(value)]
    if isinstance(described, list):
        return [found for value in described for found in _course_paths_in(value)]
    return []


def stale_recordings(directory: Path | None = None) -> list[dict]:
    """Recorded calls whose course files changed since they were recorded: a file edited, deleted,
    or added to a folder the call was given (a build context)."""
    stale = []
    for name, content in recordings(directory).items():
        for entry in content.get("calls", []):
            recorded = entry["inputs"].get("files", {})
            for argument in _course_paths_in(entry["inputs"]["arguments"]):
                path = COURSE_ROOT / argument["course path"]
                now = _files_of(path) if path.exists() else {}
                if _digest_of_files(now) == argument["content"]:
                    continue
                mine = {file: digest for file, digest in recorded.items() if file == argument["course path"] or file.startswith(argument["course path"] + "/")}
                changes = [(file, "deleted") for file in mine if file not in now]
                changes += [(file, "edited") for file in mine if file in now and now[file] != mine[file]]
                changes += [(file, "added") for file in now if file not in mine]
                for file, change in changes or [(argument["course path"], "changed")]:
                    stale.append({"recording": name, "call": entry["call"], "file": file, "change": change})
    return stale
