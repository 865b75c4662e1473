"""data/recorded/: the recordings read (their format checked), indexed for replay and checked for
staleness; and the one recording being made, written as each call returns."""
from __future__ import annotations

import json
import os
import re
import threading
import warnings
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import RecordingNotWritten, RecordingStale
from ..paths import COURSE_ROOT
from .codec import encode
from .entries import entry_named, entry_problem, headline_problem, provenance_problem
from .inputs import course_paths_in, digest_of_files, files_of

__all__ = ["RECORDED_DIR", "FORMAT_VERSION", "Store", "Recording", "Recorded", "Damaged", "summarise_provenance", "format_of",
           "read_file", "write_file", "write_whole"]

RECORDED_DIR = COURSE_ROOT / "data" / "recorded"
# The layout of a recording file. A file of another format raises RecordingStale on load.
FORMAT_VERSION = 1


def format_of(content: dict) -> Any:
    """The format a recording file declares (top level; files before the split kept it in provenance):
    what the file says (an int for the course's files), None when it says nothing. Raises nothing for
    what :func:`read_file` returns (a dict whose provenance, when present, is a dict)."""
    return content.get("format", content.get("provenance", {}).get("format"))


class Recorded(NamedTuple):
    """One recorded call as replay finds it: the ``file`` it is in, its ``number`` there (0-based) and
    the ``entry`` itself (its shape checked by :func:`dockerlab.recording.entries.entry_problem`)."""

    file: str
    number: int
    entry: dict

    @property
    def named(self) -> str:
        """The file, the entry's number and its call, as an error names them."""
        return entry_named(self.file, self.number, self.entry)


class Damaged(NamedTuple):
    """A recording file the course cannot read (of another format, cut short, not a recording): ``stale`` the
    RecordingStale that says so (the file, what it holds, what the course reads) as (what, found, expected), and
    ``calls`` the names of the calls it still shows (None when nothing in it can be read: it may hold any call)."""

    stale: tuple[str, str, str]
    calls: frozenset[str] | None

    def error(self) -> RecordingStale:
        """A new RecordingStale for this file (each raise its own, with its own traceback), returned for the caller
        to raise. Raises nothing."""
        return RecordingStale(*self.stale)


class Store:
    """The recording files of one folder (``directory``) for a course rooted at ``root``. Each notebook's file is
    read on its own: one that is damaged (or of another format) fails only the calls it may hold, while the
    notebooks whose files are whole replay (:meth:`readable`, :meth:`index`); the maintainers' readers of every
    file (:meth:`files`, :meth:`stale`) refuse a damaged one."""

    def __init__(self, directory: Path | None = None, root: Path | None = None) -> None:
        self.directory = Path(directory or RECORDED_DIR)
        self.root = Path(root or COURSE_ROOT)
        self._files: dict[str, dict] | None = None
        self._damaged: dict[str, Damaged] = {}
        self._index: dict[tuple[str, str], list[Recorded]] | None = None

    def readable(self) -> dict[str, dict]:
        """name -> content (provenance, calls, headlines) of every recording file the course can read, read once;
        a damaged file is left out (:meth:`damaged_holding` names it). Returns a dict. Raises nothing: the RecordingStale
        that reading a damaged file raises is kept for :meth:`files` and :meth:`damaged_holding`, which raise or return it."""
        if self._files is None:
            found = {}
            for file in sorted(self.directory.glob("*.json")):
                try:
                    content = read_file(file)
                    if type(format_of(content)) is not int or format_of(content) != FORMAT_VERSION:  # true and 1.0 equal 1 in Python; not in a recording
                        raise RecordingStale(file.name, f"format {format_of(content)!r}", f"format {FORMAT_VERSION}")
                except RecordingStale as error:
                    self._damaged[file.name] = Damaged((error.what, error.found, error.expected), _calls_named(file))
                    continue
                found[file.name] = content
            self._files = found
        return self._files

    def files(self) -> dict[str, dict]:
        """name -> content (provenance, calls, headlines) of every recording file, read once: for what reads
        them all (the freshness check, the headline figures, `dockerlab doctor`). Returns a dict. Raises
        RecordingStale for a file written in another format, or one that is not a recording (cut short, not JSON,
        no list of calls), naming the first such file."""
        found = self.readable()
        if self._damaged:
            raise next(iter(self._damaged.values())).error()
        return found

    def damaged_holding(self, call: str) -> RecordingStale | None:
        """The error for a damaged recording file that may hold ``call`` (one whose calls, as far as they can be
        read, name it, or one of which nothing can be read), or None when no damaged file may: replay raises it in
        place of RecordingMissing, so only the notebook whose file is damaged fails. Raises nothing."""
        self.readable()
        for damaged in self._damaged.values():
            if damaged.calls is None or call in damaged.calls:
                return damaged.error()
        return None

    def index(self) -> dict[tuple[str, str], list[Recorded]]:
        """(call, key) -> its recorded entries (with the file each is in), in the order they were made, from the
        files the course can read (:meth:`readable`). Raises nothing."""
        if self._index is None:
            index: dict[tuple[str, str], list[Recorded]] = {}
            for name, content in self.readable().items():
                for number, entry in enumerate(content.get("calls", [])):
                    index.setdefault((entry["call"], entry["key"]), []).append(Recorded(name, number, entry))
            for entries in index.values():
                entries.sort(key=lambda recorded: recorded.entry["occurrence"])
            self._index = index
        return self._index

    def provenance(self) -> list[dict]:
        """The provenance of every recording file the course can read (its shape checked when read): the mode banner
        of every notebook says it, so a damaged file is left out here, not raised. Raises nothing."""
        return [content.get("provenance", {}) for content in self.readable().values()]

    def stale(self, versions: dict[str, int] | None = None) -> list[dict]:
        """Recorded calls whose course files changed since they were recorded (a file edited, deleted,
        or added to a folder the call was given), or whose result shape changed (``versions``: call ->
        the version its ``@recordable`` declares now). Rows: recording, call, file, change.
        Raises RecordingStale when a recording file is damaged or of another format (it names the file)."""
        stale = []
        for name, content in self.files().items():
            for entry in content.get("calls", []):
                stale += [{"recording": name, "call": entry["call"], **change} for change in self._changes(entry, versions or {})]
        return stale

    def changes(self, entry: dict, versions: dict[str, int] | None = None) -> list[dict]:
        """What changed since ``entry`` (a recorded call) was recorded: each file of a course folder it was given that
        was edited, deleted or added ({"file": course-relative path, "change": "edited"|"deleted"|"added"}, or the
        folder itself, "changed"), and with ``versions`` a result shape of another version. Returns a list of dicts.
        Raises OSError when a file of such a folder cannot be read."""
        return self._changes(entry, versions or {})

    def _changes(self, entry: dict, versions: dict[str, int]) -> list[dict]:
        changes = []
        now_version = _version_for(entry["call"], versions)
        if now_version is not None and entry.get("version", 1) != now_version:
            changes.append({"file": "(result shape)", "change": f"version {entry.get('version', 1)} recorded, {now_version} now"})
        recorded = entry["inputs"].get("files", {})
        for argument in course_paths_in(entry["inputs"]["arguments"]):
            path = self.root / argument["course path"]
            now = files_of(path, self.root) if path.exists() else {}
            if digest_of_files(now) == argument["content"]:
                continue
            prefix = argument["course path"]
            mine = {file: digest for file, digest in recorded.items() if file == prefix or file.startswith(prefix + "/")}
            found = [(file, "deleted") for file in mine if file not in now]
            found += [(file, "edited") for file in mine if file in now and now[file] != mine[file]]
            found += [(file, "added") for file in now if file not in mine]
            changes += [{"file": file, "change": change} for file, change in found or [(prefix, "changed")]]
        return changes


def _version_for(call: str, versions: dict[str, int]) -> int | None:
    """The declared version of ``call``, or of the stateful call whose member it is (``compose.project.up``)."""
    while call:
        if call in versions:
            return versions[call]
        call = call.rpartition(".")[0]
    return None


_CALL_NAME = re.compile(r'"call"\s*:\s*("(?:[^"\\]|\\.)*")')


def _calls_named(file: Path) -> frozenset[str] | None:
    """The call names a damaged recording file still shows (``"call":"NAME"``, even in a file cut short or of
    another format), or None when it cannot be read as text at all or shows none."""
    try:
        text = file.read_text()
    except (OSError, UnicodeDecodeError):
        return None
    names = set()
    for quoted in _CALL_NAME.findall(text):
        try:
            names.add(json.loads(quoted))
        except ValueError:
            continue
    return frozenset(names) or None


def summarise_provenance(entries: list[dict]) -> str:
    """When, where and on what the recordings were made, in one phrase. Returns a str. Raises nothing."""
    if not entries:
        return "(no recordings found)"
    dates = sorted({entry.get("recorded_at", "?")[:10] for entry in entries})
    engines = sorted({f"Docker {entry.get('engine_version', '?')} on {entry.get('os_arch', '?')}" for entry in entries})
    commits = sorted({entry.get("commit", "?")[:10] for entry in entries})
    standins = sorted({name for entry in entries for name in entry.get("stand_in_bases", [])})
    bases = f"stand-in bases for {', '.join(standins)} (no registry)" if standins else "official base images"
    when = " to ".join([dates[0], dates[-1]] if len(dates) > 1 else dates)
    builders = sorted({entry["builder"].split(" (")[0] for entry in entries if entry.get("builder")})
    built = f", images built with {' and '.join(builders)}" if builders else ""
    return f"on {when} with {'; '.join(engines)}{built}, {bases}, course commit {', '.join(commits)}"


def read_file(path: Path) -> dict:
    """One recording file's content. Returns the dict. Raises RecordingStale when the file is not a
    recording the course can read (cut short, not JSON, or without a list of calls)."""
    try:
        content = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise RecordingStale(path.name, f"a file that cannot be read ({type(error).__name__}: {str(error)[:80]})", f"format {FORMAT_VERSION}") from None
    where, problem = _not_a_recording(content, path.name)
    if problem:
        raise RecordingStale(where, f"a file that is not a recording ({problem})", f"format {FORMAT_VERSION}")
    return content


def _not_a_recording(content: Any, file: str) -> tuple[str, str | None]:
    """Where in ``content`` (the parsed ``file``) and what makes it something the course cannot read as a
    recording: (``file``, or the file and the entry at fault; the problem, None when there is none). Each part
    has to have the shape its readers read it as (:mod:`.entries`): a damaged file is stale, never a TypeError later."""
    if not isinstance(content, dict):
        return file, f"a JSON {type(content).__name__}, not an object"
    problem = provenance_problem(content.get("provenance", {}))
    if problem:
        return file, problem
    headlines, calls = content.get("headlines", {}), content.get("calls", [])
    if not isinstance(headlines, dict):
        return file, "its headlines are not an object"
    for label, figure in headlines.items():
        problem = headline_problem(figure)
        if problem:
            return f"{file}, headline {label!r}", problem
    if not isinstance(calls, list):
        return file, "no list of calls"
    for number, entry in enumerate(calls):
        problem = entry_problem(entry)
        if problem:
            return entry_named(file, number, entry), problem
    return file, None


def write_file(path: Path, content: dict) -> None:
    """Write one recording file, compact (recordings are read by code, and kept small in git), whole or
    not at all: written to a temporary file beside it, then renamed over it. Returns None.
    Raises OSError when it cannot be written (the file is then as it was)."""
    write_whole(path, _compact(content) + "\n")


def _compact(value: Any) -> str:
    return json.dumps(value, indent=None, separators=(",", ":"), default=str)


def write_whole(path: Path, text: str) -> None:
    """``text`` into ``path`` whole or not at all: a temporary file in the same folder, then os.replace over
    it (atomic on one filesystem: a reader sees the old file or the new one, never half of one). Each writer
    (process and thread) has a temporary file of its own, so two writers of one file never write into one
    temporary file: the last to finish wins, whole. Returns None. Raises OSError when it cannot be written
    (the file is then as it was, and no temporary file is left)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.writing")
    try:
        temporary.write_text(text)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)  # gone after the replace; what a failed write left


class Recording:
    """The recording a notebook run is making (``dockerlab record`` names the file): each call and headline
    is written to the file when it is kept, so a kernel that is killed keeps every call that returned.
    The file is written whole each time (atomically: :func:`write_whole`) but never read again: each call is
    turned into JSON once, and what the file held before the first write (a provenance) is read once.
    Provenance is added by the recorder, which knows the engine and the commit. A write that fails (a read-only
    folder, a full disk) never fails the call that was kept: its live result is returned, the failure is shown once
    as a :class:`RecordingNotWritten` warning, and the next write writes everything kept so far."""

    def __init__(self, target: Path) -> None:
        self.target = Path(target)
        self.calls: list[dict] = []
        self.headlines: dict[str, Any] = {}
        self.counts: dict[tuple[str, str], int] = {}
        self.lock = threading.Lock()
        self.dirty = False
        self._texts: list[str] = []  # each call as JSON, made once (calls[i] -> _texts[i])
        self._kept: dict | None = None  # what the file held besides calls and headlines, read at the first write
        self.warned = False  # a failed write was shown (once) as a RecordingNotWritten warning

    def add(self, call: str, key: str, inputs: dict, result: Any, *, raised: bool, version: int) -> int:
        """Keep one call's result and write the file; returns which occurrence of (call, key) it was.
        Raises DockerlabError when ``result`` is of a type the recorder does not know (nothing is kept) and
        RecordingStale when the file already there is not a recording. A file that cannot be written raises
        nothing: the call is kept in memory (written with the next one, or at exit) and the failure is shown
        once as a RecordingNotWritten warning (:meth:`try_write`)."""
        with self.lock:
            entry = {"call": call, "key": key, "occurrence": self.counts.get((call, key), 0), "version": version, "inputs": inputs,
                     "raised": raised, "result": encode(result)}
            self.counts[(call, key)] = entry["occurrence"] + 1
            self.calls.append(entry)
            self.dirty = True
            self._try_write()
            return entry["occurrence"]

    def headline(self, label: str, figure: dict) -> None:
        """Keep the headline figure ``label`` and write the file. Returns None. Raises what :meth:`add` raises."""
        with self.lock:
            self.headlines[label] = figure
            self.dirty = True
            self._try_write()

    def label_calls(self, since: int, **fields: Any) -> None:
        """Add ``fields`` to every call kept since the ``since``-th (0-based) and write the file
        (record_solutions names the exercise each call belongs to). Returns None. Raises what :meth:`add` raises."""
        with self.lock:
            for entry in self.calls[since:]:
                entry.update(fields)
            del self._texts[since:]  # made again from the labelled calls
            self.dirty = True
            self._try_write()

    def next_occurrence(self, call: str, key: str) -> int:
        """Which occurrence of (call, key) the next one recorded will be. Returns an int. Raises nothing."""
        return self.counts.get((call, key), 0)

    def write(self) -> None:
        """Write what was recorded and is not written yet (nothing when nothing is), keeping a provenance
        already in the file: the end of a run (flush, reset). Returns None. Raises RecordingStale when the file
        already there is not a recording, and RecordingNotWritten when it cannot be written (the file is then as it was)."""
        with self.lock:
            try:
                self._write()
            except OSError as error:
                raise self._not_written(error) from None

    def try_write(self) -> None:
        """:meth:`write`, where a failure must not end what is running (at exit, on an interrupt): a file that
        cannot be written is shown once as a RecordingNotWritten warning. Returns None. Raises RecordingStale
        when the file already there is not a recording."""
        with self.lock:
            self._try_write()

    def _try_write(self) -> None:
        """:meth:`try_write`, the lock held."""
        try:
            self._write()
        except OSError as error:
            if not self.warned:
                self.warned = True
                warnings.warn(self._not_written(error), stacklevel=2)

    def _not_written(self, error: OSError) -> RecordingNotWritten:
        return RecordingNotWritten(str(self.target), f"{type(error).__name__}: {error.strerror or error}")

    def _write(self) -> None:
        """:meth:`write`, the lock held."""
        if not self.dirty:
            return
        if self._kept is None:
            before = read_file(self.target) if self.target.exists() else {}
            self._kept = {name: value for name, value in before.items() if name not in ("format", "calls", "headlines")}
            self.target.parent.mkdir(parents=True, exist_ok=True)
        self._texts += [_compact(entry) for entry in self.calls[len(self._texts):]]
        head = _compact({"format": FORMAT_VERSION, **self._kept})[:-1]  # the object, still open
        write_whole(self.target, f'{head},"calls":[{",".join(self._texts)}],"headlines":{_compact(self.headlines)}}}\n')
        self.dirty = False
