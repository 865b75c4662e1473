"""BuildKit, the builder learners have: which docker CLI drives it here, and its plain progress parsed.

Docker Engine 23.0 and later build with BuildKit; the classic builder is deprecated. docker-py
cannot drive BuildKit (it has no session support), so the course runs the docker CLI itself:

- ``docker buildx build --load`` when the CLI has the buildx plugin (Docker Desktop, Docker CE);
- otherwise a CLI older than 23.0 that speaks BuildKit natively under ``DOCKER_BUILDKIT=1``
  (Debian's ``docker.io`` 20.10 at ``/usr/bin/docker`` is one);
- otherwise the classic builder through the engine's API, and the choice says why.

:func:`choice` makes that decision once per process; every course build and ``%docker build`` use it.
:class:`PlainProgressParser` reads ``--progress=plain`` output (the same format from buildx and the
20.10 built-in client) into vertices: ``#5 [builder 2/4] RUN go build`` is vertex 5, stage
``builder``, step 2 of 4 of that stage.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field

__all__ = ["BuilderChoice", "choice", "PlainProgressParser", "Vertex", "DEBIAN_CLI"]

DEBIAN_CLI = "/usr/bin/docker"
# The docker CLI dropped its built-in BuildKit client in 23.0: from then on BuildKit means buildx.
_LAST_NATIVE_MAJOR = 22


@dataclass(frozen=True)
class BuilderChoice:
    """How this machine builds: ``name`` is "buildkit" or "classic".

    ``command`` is the argv prefix of a build (e.g. ``["/usr/bin/docker", "build"]``), ``env`` the
    variables it needs, ``via`` a short description ("buildx 0.17.1", "the CLI at /usr/bin/docker
    (20.10.24, built-in BuildKit)", "the engine API"), and ``why`` the reason for this choice.
    """

    name: str
    via: str
    why: str
    command: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    cli: str | None = None

    @property
    def buildkit(self) -> bool:
        return self.name == "buildkit"

    def environment(self) -> dict[str, str]:
        """The process environment for a build: the caller's, plus what this builder needs.
        Returns a dict. Raises nothing."""
        return {**os.environ, **dict(self.env)}

    def __str__(self) -> str:
        return f"{self.name} via {self.via}"


def _run(argv: list[str], timeout: float = 15) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None


def _candidates() -> list[str]:
    """docker CLIs to consider: the one first on PATH, then Debian's (which may be a different one)."""
    found = []
    for path in (shutil.which("docker"), DEBIAN_CLI):
        if path and os.access(path, os.X_OK) and os.path.realpath(path) not in {os.path.realpath(p) for p in found}:
            found.append(path)
    return found


def _major(version: str) -> int | None:
    match = re.match(r"(\d+)\.", version.strip())
    return int(match.group(1)) if match else None


@functools.lru_cache(maxsize=4)
def _decide(host: str | None) -> BuilderChoice:
    clis = _candidates()
    if not clis:
        return BuilderChoice(
            "classic", "the engine API", "no docker CLI was found (BuildKit builds run through the CLI): install the docker CLI with the buildx plugin"
        )
    for cli in clis:
        done = _run([cli, "buildx", "version"])
        if done is not None and done.returncode == 0:
            version = (done.stdout.split() or ["buildx"])[1] if len(done.stdout.split()) > 1 else "buildx"
            return BuilderChoice(
                "buildkit", f"buildx {version} ({cli})", "the docker CLI has the buildx plugin",
                command=(cli, "buildx", "build", "--load"), cli=cli,
            )
    notes = []
    for cli in clis:
        done = _run([cli, "version", "--format", "{{.Client.Version}}"])
        version = done.stdout.strip() if done is not None and done.stdout.strip() else "?"
        major = _major(version)
        if major is not None and major <= _LAST_NATIVE_MAJOR:
            return BuilderChoice(
                "buildkit", f"the CLI at {cli} ({version}, built-in BuildKit)",
                f"no buildx plugin, but the docker CLI at {cli} is {version}, which builds with BuildKit under DOCKER_BUILDKIT=1",
                command=(cli, "build"), env=(("DOCKER_BUILDKIT", "1"),), cli=cli,
            )
        notes.append(f"{cli} is {version} without buildx")
    return BuilderChoice(
        "classic", "the engine API",
        "; ".join(notes) + ": BuildKit needs the buildx plugin (Docker Desktop has it; on Linux install docker-buildx-plugin, "
        "or Debian's docker.io gives a CLI at /usr/bin/docker with BuildKit built in)",
    )


def choice() -> BuilderChoice:
    """The builder every course build uses here (decided once per engine address, then remembered).
    Returns a BuilderChoice. Raises nothing: without a docker CLI that builds with BuildKit (none found, one
    that does not answer within 15 s, or no buildx on a CLI of 23.0 or later) it is the classic builder, and
    ``why`` says so."""
    return _decide(os.environ.get("DOCKER_HOST"))


# --- plain progress ----------------------------------------------------------------------------

_VERTEX_LINE = re.compile(r"^#(\d+) (.*)$")
# `#5 sha256:...`: Docker 20.10's client prints each vertex's digest; buildx does not.
VERTEX_DIGEST = re.compile(r"^#\d+ sha256:[0-9a-f]{64}\s*$")
# `[builder 2/4] RUN ...`; BuildKit pads the index to the total's width (`[ 3/12]`, `[builder  3/12]`) and
# names the platform first when one is given (`[linux/arm64 builder 2/4]`).
_NAME = re.compile(
    r"^\[(?:(?P<platform>[a-z0-9]+/[a-z0-9/.]+) +)?(?:(?P<stage>[^\]\s/]+) +)?\s*(?P<index>\d+)/(?P<total>\d+)\] (?P<instruction>.*)$"
)
_DONE = re.compile(r"^DONE (\d+(?:\.\d+)?)s$")
_TRANSFER = re.compile(r"^transferring context: (?:(\d+(?:\.\d+)?)([kMGT]?B) )?(?:\d+(?:\.\d+)?s )?done$")
_EXIT_CODE = re.compile(r"exit code: (\d+)")
_UNITS = {"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}


@dataclass
class Vertex:
    """One vertex of a BuildKit build graph as the plain progress showed it.

    ``stage``, ``index`` and ``total`` are set for Dockerfile steps (``[stage index/total]``);
    ``seconds`` is BuildKit's own duration from ``DONE 1.2s`` (0 when ``CACHED``); ``first_seen`` and
    ``done_at`` are arrival times (seconds since the build started) of its first and last line.
    """

    number: int
    name: str
    first_seen: float
    stage: str | None = None
    index: int | None = None
    total: int | None = None
    instruction: str | None = None
    cached: bool = False
    seconds: float | None = None
    done_at: float | None = None
    error: str | None = None
    output: list[str] = field(default_factory=list, repr=False)

    @property
    def is_step(self) -> bool:
        """A Dockerfile instruction (``[2/4] RUN ...``), not an internal vertex or the export."""
        return self.index is not None

    @property
    def interval(self) -> tuple[float, float]:
        """(start, end) in seconds since the build started, from the arrival of its lines."""
        end = self.done_at if self.done_at is not None else self.first_seen
        start = end - (self.seconds or 0.0)
        return (min(start, self.first_seen), end) if self.seconds else (end, end)


class PlainProgressParser:
    """Turns ``--progress=plain`` lines into :class:`Vertex` objects, the error and the log.

    Feed it ``(line, arrival_seconds)``; it never touches the engine. Works on both dialects:
    Docker 20.10's built-in client (``#5 sha256:...`` lines, ``executor failed running [...]: exit code: 3``)
    and buildx (``ERROR: process "/bin/sh -c ..." did not complete successfully: exit code: 3``,
    ``ERROR: failed to solve: ...``).
    """

    def __init__(self) -> None:
        self.vertices: dict[int, Vertex] = {}
        self.log: list[str] = []
        self.error: str | None = None
        self.failed_vertex: Vertex | None = None
        self.image_id: str | None = None

    def feed(self, line: str, at: float) -> Vertex | None:
        """Read one line; returns the vertex when this line introduced a new one. Raises nothing."""
        line = line.rstrip("\r\n")
        self.log.append(line)
        match = _VERTEX_LINE.match(line[2:] if line.startswith("^C#") else line)  # a Ctrl-C echoed before the vertex
        if not match:
            self._trailer(line)
            return None
        number, rest = int(match.group(1)), match.group(2)
        vertex = self.vertices.get(number)
        if vertex is None:
            vertex = Vertex(number, rest, first_seen=at)
            named = _NAME.match(rest)
            if named:
                vertex.stage = named.group("stage")
                vertex.index = int(named.group("index"))
                vertex.total = int(named.group("total"))
                vertex.instruction = named.group("instruction").strip()
            self.vertices[number] = vertex
            return vertex
        self._status(vertex, rest, at)
        return None

    def _status(self, vertex: Vertex, rest: str, at: float) -> None:
        if rest == vertex.name or rest.startswith("sha256:") and len(rest) == 71:
            return  # buildx repeats the name when a vertex resumes; 20.10 prints the vertex digest
        if rest == "CACHED":
            vertex.cached = True
            vertex.seconds = 0.0
            vertex.done_at = at
            return
        done = _DONE.match(rest)
        if done:
            vertex.seconds = float(done.group(1))
            vertex.done_at = at
            return
        if rest.startswith("ERROR:") or rest.startswith("ERROR "):
            vertex.error = rest.partition(":")[2].strip() or rest
            vertex.done_at = at
            if self.failed_vertex is None:
                self.failed_vertex = vertex
            return
        if rest == "CANCELED" or rest.endswith("CANCELED") and rest.startswith("^C"):
            vertex.done_at = at
            return
        written = re.match(r"^writing image (sha256:[0-9a-f]{64})", rest)
        if written:
            self.image_id = written.group(1)
        vertex.output.append(rest)

    def _trailer(self, line: str) -> None:
        """Lines after the vertices: the error summary of a failed build."""
        text = line.strip()
        for prefix in ("ERROR: failed to build: failed to solve: ", "ERROR: failed to solve: ", "error: failed to solve: ",
                       "failed to solve with frontend dockerfile.v0: "):
            if text.startswith(prefix):
                self.error = text[len(prefix):]
                return
        if (self.error is None and self.failed_vertex is not None and text
                and not text.startswith(("-----", ">", "Dockerfile:")) and not re.match(r"^\d+ \|", text)):
            # 20.10 repeats the failed vertex's error after the `------` block, without a prefix.
            if text == self.failed_vertex.error or text.endswith(self.failed_vertex.error or "\0"):
                self.error = text

    @property
    def steps(self) -> list[Vertex]:
        """The Dockerfile steps in the order they appeared."""
        return [vertex for vertex in self.vertices.values() if vertex.is_step]

    @property
    def reason(self) -> str | None:
        """Why the build failed, in BuildKit's words (None when nothing failed)."""
        found = self.error or (self.failed_vertex.error if self.failed_vertex is not None else None)
        return found.removeprefix("ERROR: ") if found else None  # buildx prefixes its error line

    def exit_code(self) -> int | None:
        """The exit code the build's failure names, None when it names none. Returns an int or None. Raises nothing."""
        found = _EXIT_CODE.search(self.reason or "")
        return int(found.group(1)) if found else None

    def context_bytes(self) -> int | None:
        """Bytes of build context sent, as BuildKit reports it (3 significant figures).
        Returns an int (bytes) or None when BuildKit reported none. Raises nothing."""
        for vertex in self.vertices.values():
            if vertex.name == "[internal] load build context":
                for status in vertex.output:
                    size = _TRANSFER.match(status)
                    if size and size.group(1):
                        return int(float(size.group(1)) * _UNITS[size.group(2)])
        return None

    def covered_seconds(self) -> float:
        """Seconds of the build during which at least one vertex ran (the union of their intervals).
        Returns a float. Raises nothing."""
        covered, reach = 0.0, float("-inf")
        # Each vertex's own duration, ending when its DONE line arrived (not from when it was first seen:
        # a vertex can be announced before it runs), so the durations and this union compare alike.
        ends = [(vertex.done_at if vertex.done_at is not None else vertex.first_seen, vertex.seconds) for vertex in self.vertices.values() if vertex.seconds]
        for start, end in sorted((end - seconds, end) for end, seconds in ends):
            if end > reach:
                covered += end - max(start, reach)
                reach = end
        return covered

    def outside_vertices(self, wall_seconds: float) -> float:
        """Seconds of the wall time when no vertex ran (starting the CLI, the session, waiting): the wall
        time minus the union of the vertices' intervals, never below 0. Returns a float. Raises nothing."""
        return max(0.0, wall_seconds - self.covered_seconds())

    def parallel_seconds(self) -> float:
        """Seconds counted twice because vertices ran at the same time (parallel stages, or BuildKit's own
        work beside a step), as a
        negative number (0 when they ran one after another): the union of the vertices' intervals
        minus the sum of their durations. Every vertex's seconds + this + :meth:`outside_vertices` =
        the wall time. Returns a float. Raises nothing."""
        return min(0.0, self.covered_seconds() - sum(vertex.seconds or 0.0 for vertex in self.vertices.values()))
