"""``@recordable``: a course call that needs an engine is recorded when a recording is being made and
replayed in recorded mode; a stateful call's object (a container, a Compose project) is recorded
member by member through a proxy."""
from __future__ import annotations

import dataclasses
import functools
import inspect
import types
from collections.abc import Callable
from typing import Any

from ..errors import DockerlabError, RecordingMissing, RecordingStale, a_kind
from .arguments import check_arguments
from .codec import decode
from .entries import result_problem
from .inputs import course_paths_in, inputs, short, without_contents
from .session import RECORDED, Session, session

__all__ = ["recordable", "record_headline", "VERSIONS", "use_engine_free_inputs", "returned_class"]

# call name -> the version of its result's shape that its @recordable declares now.
VERSIONS: dict[str, int] = {}

# Set by dockerlab.layerfs: True when a call's inputs need no engine (an image archive): such a call
# runs as it is in every mode, never recorded or replayed (its inputs are on disk, not in an engine).
_engine_free: Callable[[tuple, dict], bool] | None = None


def use_engine_free_inputs(predicate: Callable[[tuple, dict], bool]) -> None:
    """Tell recording which inputs a course call can answer without an engine (image archives).
    Returns None. Raises nothing."""
    global _engine_free
    _engine_free = predicate


def recordable(call: str, *, stateful: bool = False, version: int = 1) -> Callable[[Callable], Callable]:
    """Mark a course function that needs an engine: recorded when recording, replayed in recorded mode.

    ``stateful`` functions return an object (a container, a registry, a Compose project) whose
    attributes and method calls are recorded and replayed one by one; their return annotation names its
    class (see :func:`returned_class`), whose declared tables replay checks. Raise ``version`` when the
    result's shape changes (a column renamed): recordings of the old shape then raise RecordingStale
    and the freshness test names the call. Returns the decorator. Raises nothing itself; the function it
    makes raises DockerlabError for arguments that do not fit the annotations, RecordingMissing (recorded
    mode, inputs never recorded), RecordingStale (a recording of another shape), and what ``function``
    raises (a DockerlabError it raised while recording is replayed too)."""

    def decorate(function: Callable) -> Callable:
        @functools.wraps(function)
        def wrapper(*arguments, **keywords):
            return _call_through(call, function, arguments, keywords, stateful, version)

        wrapper.__recorded_call__ = call
        wrapper.__recorded_stateful__ = stateful  # its object's class (returned_class) declares the tables its methods return
        VERSIONS[call] = version
        return wrapper

    return decorate


def record_headline(label: str, figure: dict) -> None:
    """Keep a headline figure with the recording being made (for the summary notebook in recorded mode).
    Returns None. Raises nothing."""
    recording = session().recording
    if recording is not None:
        recording.headline(label, figure)


def _replay(current: Session, call: str, key: str, described: dict, version: int, stateful: bool = False,
            returns: type | None = None) -> tuple[Any, int, str]:
    """The recorded result of this call (the n-th time it is made), which occurrence it was, and how an
    error names its entry (file, number, call). ``returns``: the class the call's annotation says it returns
    (None: not known). Raises RecordingMissing when it was never recorded with these inputs, RecordingStale
    naming the file when a damaged recording file (cut short, of another format) may hold it, RecordingStale
    (naming the file and the entry) when the entry is of another version or its result is not what the call
    returns (a damaged file, a type that is not the course's or not the one the call returns), and the recorded
    error when it raised."""
    index = current.store.index()
    entries = index.get((call, key))
    if not entries:
        damaged = current.store.damaged_holding(call)
        if damaged is not None:  # its notebook's file cannot be read: stale, not missing (other notebooks replay)
            raise damaged
        near = sorted({short(found.entry["inputs"]["arguments"]) for (name, _), located in index.items() if name == call
                       for found in located if "files" in found.entry["inputs"]})  # a call's inputs (an attribute read has none to show)
        raise RecordingMissing(call, short(described), near, _folder_changes(current, call, described))
    count = current.replay_counts.get((call, key), 0)
    current.replay_counts[(call, key)] = count + 1
    found = entries[min(count, len(entries) - 1)]  # a cell run again replays the last recorded result
    entry = found.entry
    if entry["version"] != version:
        raise RecordingStale(found.named, f"result version {entry['version']}", f"version {version}")
    try:
        result = decode(entry["result"])
    except (DockerlabError, ImportError, LookupError, TypeError, ValueError, AttributeError) as error:  # a damaged entry: stale, like a damaged file
        reason = " ".join((error.message if isinstance(error, DockerlabError) else str(error)).split())  # whole: its fix is the stale one's
        raise RecordingStale(found.named, f"a result that cannot be read ({type(error).__name__}: {reason})", f"version {version}") from None
    problem = result_problem(result, raised=entry["raised"], stateful=stateful, returns=returns)
    if problem:
        raise RecordingStale(found.named, problem, f"version {version}")
    if entry["raised"]:
        raise result
    return result, entry["occurrence"], found.named


def _folder_changes(current: Session, call: str, described: dict) -> list[tuple[str, str]]:
    """When ``call`` was recorded with these very inputs but its course folders then held other files: what changed
    since, as (file, "edited" | "deleted" | "added"), from the latest such recording. Empty when the inputs themselves
    differ (the learner changed the cell). Raises nothing (a folder that cannot be read counts as no answer)."""
    mine = without_contents(described)
    same = [found for (name, _), located in current.store.index().items() if name == call for found in located
            if "files" in found.entry["inputs"] and without_contents(found.entry["inputs"]["arguments"]) == mine]
    if not same or not course_paths_in(described):
        return []
    try:
        changes = current.store.changes(same[-1].entry)
    except OSError:
        return []
    return [(change["file"], change["change"]) for change in changes]


def _as_declared(named: str, function: Callable | None, result: Any) -> Any:
    """A replayed result read through the tables it declares, as a live call's are checked: the table its
    function returns (``__table__``, set by dockerlab.columns.declares) and every table kept inside the
    result (a column of tables, ``Column.holds``; a field of a course object, ``__tables__`` of a class
    marked dockerlab.columns.holds_tables; in lists, tuples and dicts too). A column recorded under an
    earlier key gets today's; a result that is not a table where one is declared, a table whose columns
    are still not the declared ones, or one whose column holds text where numbers are declared (or numbers
    where text is), is a recording of another shape: RecordingStale naming the entry (``named``: the file,
    the entry and its call) and where in the result the table is. Returns the result (tables adopted)."""
    table = getattr(function, "__table__", None)
    if table is not None:
        return _adopted(named, table, result, "")
    return _within(named, result, "")


def _adopted(named: str, table: Any, frame: Any, where: str) -> Any:
    """``frame`` (a recorded table, found at ``where`` in the result: "" for the result itself) adopted by
    ``table`` (a dockerlab.columns.Table), the tables its cells hold (``holds``) too. Raises RecordingStale."""
    within = f" ({where})" if where else ""
    if type(frame).__name__ != "DataFrame":
        raise RecordingStale(named, f"{a_kind(type(frame).__name__)}{within} where the call returns a table ({table.name})",
                             f"the columns {table.keys} it declares now")
    adopted = table.adopt(frame)
    if not table.matches(adopted.columns):
        raise RecordingStale(named, f"a table{within} with columns {list(adopted.columns)}", f"the columns {table.keys} it declares now")
    problem = table.family_problem(adopted)
    if problem:
        raise RecordingStale(named, f"a table{within} whose {problem}", f"the columns {table.keys} as it declares them now")
    for column in table.columns:
        inner = getattr(column, "holds", None)
        if inner is not None:
            cells = list(adopted[column.key])
            adopted = adopted.copy()  # the caller's frame keeps its cells
            adopted[column.key] = adopted[column.key].astype(object)
            at = adopted.columns.get_loc(column.key)
            for position, cell in enumerate(cells):
                if not (cell is None or (isinstance(cell, float) and cell != cell)):  # a missing value fits any column
                    adopted.iat[position, at] = _adopted(named, inner, cell, f"{where + ', ' if where else ''}{column.key} of row {position}")
    return adopted


def _within(named: str, value: Any, where: str) -> Any:
    """``value`` with each table a course object's field declares (``__tables__``) adopted, looking into
    dataclasses, lists, tuples and dict values; ``where`` names the place ("offenders", "[2].offenders").
    An undeclared table is left as it is. Raises RecordingStale as :func:`_adopted` does."""
    if isinstance(value, (list, tuple)):
        items = [_within(named, item, f"{where}[{position}]") for position, item in enumerate(value)]
        if isinstance(value, list):
            return items
        return value._make(items) if hasattr(value, "_make") else tuple(items)  # a named tuple keeps its type
    if isinstance(value, dict):
        return {key: _within(named, item, f"{where}[{key!r}]") for key, item in value.items()}
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return value
    declared = getattr(type(value), "__tables__", {})
    for field in dataclasses.fields(value):
        item = getattr(value, field.name, None)  # a field recorded before it existed reads its class default (None without)
        place = f"{where}.{field.name}" if where else field.name
        if field.name in declared:
            adopted = item if item is None and field.default is None else _adopted(named, declared[field.name], item, place)  # a field that may hold no table
        else:
            adopted = _within(named, item, place)
        if adopted is not item:  # set only what changed: a field the recording lacks keeps reading its class default
            object.__setattr__(value, field.name, adopted)
    return value


def returned_class(function: Callable) -> type | None:
    """The class a course function says it returns (its return annotation, a class of its own module): a
    stateful call's replayed object has no target, so its methods' declarations (tables) are read from it; any
    other call's replayed result must be one. Returns the class, or None when the annotation names none (no
    annotation, a union, ``list[...]``, a name the module does not hold). Raises nothing."""
    function = inspect.unwrap(function)
    annotation = getattr(function, "__annotations__", {}).get("return")
    if isinstance(annotation, str):  # `from __future__ import annotations`: the class's name
        annotation = getattr(function, "__globals__", {}).get(annotation)
    # list[int] passes isinstance(..., type) on Python 3.10, and cannot be given to isinstance()
    return annotation if isinstance(annotation, type) and not isinstance(annotation, types.GenericAlias) else None


def _unwrap(value: Any) -> Any:
    return value._recording_target if isinstance(value, _Proxy) else value


def _run_recorded(current: Session, call: str, function: Callable, arguments: tuple, keywords: dict, version: int, described_as: tuple) -> Any:
    """Run the call live (depth 1: calls inside it are not recorded); keep a DockerlabError it raises."""
    key, described, files = described_as
    current.depth = 1
    try:
        result = function(*[_unwrap(value) for value in arguments], **{name: _unwrap(value) for name, value in keywords.items()})
    except DockerlabError as error:
        current.recording.add(call, key, {"arguments": described, "files": files}, error, raised=True, version=version)
        raise
    except KeyboardInterrupt:
        current.recording.try_write()  # an interrupted run keeps what it recorded so far (a failed write is a warning, not in the interrupt's way)
        raise
    finally:
        current.depth = 0
    return result


def _call_through(call: str, function: Callable | None, arguments: tuple, keywords: dict, stateful: bool, version: int, owner: _Proxy | None = None,
                  declared: Callable | None = None) -> Any:
    """The outermost course call is live-recorded or replayed; calls it makes inside run as they are.
    Its arguments are checked first, in every mode (see :mod:`.arguments`). ``declared``: what declares
    the result's table when ``function`` is None (the method of a replayed object's class)."""
    current = session()
    if current.depth > 0:
        return function(*arguments, **keywords)
    if owner is None:
        check_arguments(call, function, arguments, keywords)
    if owner is None and _engine_free is not None and _engine_free(arguments, keywords):
        current.depth = 1  # what it calls inside runs as it is too
        try:
            return function(*arguments, **keywords)
        finally:
            current.depth = 0
    replaying = current.mode_name()[0] == RECORDED
    if current.recording is None and not replaying:
        return function(*arguments, **keywords)
    key, described, files = inputs(call, ((owner,) if owner else ()) + tuple(arguments), keywords, current.store.root)
    if replaying:
        returns = returned_class(function) if function is not None and not stateful else None
        result, occurrence, named = _replay(current, call, key, described, version, stateful, returns)
        if stateful or (isinstance(result, dict) and isinstance(result.get("__recorded_object__"), str)):
            if result.get("__recorded_object__") == "self":
                return owner
            return _Proxy(None, f"{call}:{key}:{occurrence}", call, version, returned_class(function) if function is not None else None)
        return _as_declared(named, function if function is not None else declared, result)
    result = _run_recorded(current, call, function, arguments, keywords, version, (key, described, files))
    entry_inputs = {"arguments": described, "files": files}
    if owner is not None and result is owner._recording_target:
        current.recording.add(call, key, entry_inputs, {"__recorded_object__": "self"}, raised=False, version=version)
        return owner
    if stateful:
        occurrence = current.recording.add(call, key, entry_inputs, {"__recorded_object__": type(result).__name__}, raised=False, version=version)
        return _Proxy(result, f"{call}:{key}:{occurrence}", call, version)
    current.recording.add(call, key, entry_inputs, result, raised=False, version=version)
    return result


_NO_INPUTS = {"arguments": [], "keywords": {}}


class _Proxy:
    """Stands for a stateful course object (container, registry, Compose project): forwards to it
    live, and records or replays each attribute read and method call in order. ``with`` forwards to
    the object's own ``__enter__``/``__exit__`` (the exit is recorded and replayed like a method)."""

    def __init__(self, target: Any, key: str, call: str, version: int = 1, kind: type | None = None) -> None:
        object.__setattr__(self, "_recording_target", target)
        object.__setattr__(self, "_recording_class", kind if target is None else type(target))  # whose methods declare tables
        object.__setattr__(self, "_recording_key", key)
        object.__setattr__(self, "_recording_call", call)
        object.__setattr__(self, "_recording_version", version)

    def _member(self, name: str) -> Any:
        target = self._recording_target
        member_call = f"{self._recording_call}.{name}"
        attribute_key = f"{self._recording_key}:{name}"
        current = session()
        if target is not None:
            value = getattr(target, name)
            if callable(value):
                return _method(self, member_call, value)
            if current.recording is not None and current.depth == 0:
                current.recording.add(member_call, attribute_key, _NO_INPUTS, value, raised=False, version=self._recording_version)
            return value
        if (member_call, attribute_key) in current.store.index():
            value, _, named = _replay(current, member_call, attribute_key, _NO_INPUTS, self._recording_version)
            return _as_declared(named, None, value)
        return _method(self, member_call, None, getattr(self._recording_class, name, None))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._member(name)

    def __enter__(self) -> _Proxy:
        target = self._recording_target
        if target is not None and hasattr(target, "__enter__"):
            entered = target.__enter__()
            if entered is not target:
                raise DockerlabError(f"{self._recording_call}: its `with` block returned another object.", fix="Use the object itself in `with`.")
        return self

    def __exit__(self, kind, error, traceback) -> Any:
        """The object's own ``__exit__``, recorded or replayed; what it returns is returned (True: it
        handled the block's error). Keyed by what went wrong in the block (None when nothing did), never by
        the traceback. Replayed, an error the recording never saw in this block (the learner's own, a typo)
        is not handled and goes on as itself, not as a RecordingMissing."""
        arguments = (None, None, None) if kind is None else (kind.__name__, str(error), None)
        target = self._recording_target
        exit_method = (lambda *_: target.__exit__(kind, error, traceback)) if target is not None else None
        try:
            return _call_through(f"{self._recording_call}.__exit__", exit_method, arguments, {}, False, self._recording_version, owner=self)
        except RecordingMissing:
            if kind is None:
                raise
            return False  # the block's own error propagates

    def __repr__(self) -> str:
        return repr(self._recording_target) if self._recording_target is not None else f"<recorded {self._recording_call}>"

    def _repr_html_(self) -> str | None:
        """The object's own HTML view while it is live (a recorded object has none: its repr is shown)."""
        method = getattr(self._recording_target, "_repr_html_", None)
        return method() if method is not None else None


def _method(proxy: _Proxy, member_call: str, method: Callable | None, declared: Callable | None = None) -> Callable:
    def call(*arguments, **keywords):
        return _call_through(member_call, method, arguments, keywords, False, proxy._recording_version, owner=proxy, declared=declared)

    return call
