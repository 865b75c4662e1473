"""Run a Docker build and turn it into numbers, with BuildKit (the default) or the classic builder.

BuildKit builds run the docker CLI that :mod:`dockerlab.buildkit` picks (``docker buildx build --load``,
or a CLI with BuildKit built in) with ``--progress=plain``, parsed by
:class:`~dockerlab.buildkit.PlainProgressParser`. Classic builds use the engine's streaming API,
parsed by :class:`BuildStreamParser`. Both parsers are pure and tested on real recorded logs;
:func:`build` adds the engine: context, live progress, layer sizes and clean errors.
"""
from __future__ import annotations

import datetime
import io
import os
import queue
import re
import shlex
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from collections.abc import Callable, Iterable, Mapping, Sequence

import docker.errors
import requests.exceptions

from . import buildkit, dockerignore, engine, tagbook
from .catalogue import catalogue_image
from .columns import PHASES, STEPS, declares
from .diagnose import diagnose
from .dockerfile import parse as parse_dockerfile
from .site import ANSI  # terminal colour codes: one pattern for the course
from .errors import BuildFailed, DockerlabError
from .interrupts import held
from .labels import BUILT_AS_LABEL, STANDIN_FOR_LABEL, built_labels, normal_reference, tag_problem
from .progress import progress as show_progress
from .recording import recordable
from .tables import command_html, display_frame
from .units import format_bytes

if TYPE_CHECKING:  # the return annotations name it; pandas itself is imported where a table is made
    import pandas as pd

__all__ = ["build", "build_replacing", "BuildResult", "BuildStep", "BuildStreamParser", "dockerfile_text", "undo_failed_build", "BUILDERS"]

BUILDERS = ("buildkit", "classic")

LOG_TAIL_LINES = 30
INLINE_DOCKERFILE_NAME = ".dockerlab.Dockerfile"
_STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")
_EXIT_CODE = re.compile(r"returned a non-zero code: (\d+)")
_LAYER_ID = re.compile(r"^ ---> ([0-9a-f]{12,64})$")
_RUNNING_IN = re.compile(r"^ ---> Running in ([0-9a-f]{12,64})$")
# The classic builder runs a base image's ONBUILD triggers inside the FROM step, after `# Executing N build
# trigger(s)`; all N triggers end at one ` ---> ID` (the image the last one committed; each earlier one's is its
# Parent), each prints ` ---> Using cache` when the cache served it, and only a RUN prints `Running in` (engine 20.10,
# measured with two RUN triggers, and a RUN then a COPY trigger)
_TRIGGERS = re.compile(r"^# Executing (\d+) build triggers?$")
_TRIGGER_STEP = re.compile(r"^\(ONBUILD trigger (\d+) of (\d+)\)")
# How long a cancelled classic build's step container may take to be killed and removed by the engine (its
# --force-rm on cancel), before the images the build made are removed (an image a container uses stays).
_CANCEL_WAIT_SECONDS = 15
def _without_digests(log: list[str]) -> list[str]:
    return [line for line in log if not buildkit.VERTEX_DIGEST.match(line)]


@dataclass
class BuildStep:
    """One Dockerfile instruction as the engine ran it."""

    number: int
    instruction: str
    started: float
    cached: bool = False
    seconds: float = 0.0
    image_id: str | None = None
    size_added: int | None = None
    added_by_dockerlab: bool = False  # the LABEL step the classic builder appends for build labels
    stage: str | None = None  # the stage's name (``FROM ... AS name``) or BuildKit's ``stage-N``
    vertex: int | None = None  # BuildKit's ``#N`` for this step (None on the classic builder)


@dataclass
class BuildResult:
    """What a build produced: the image, its tags, wall time (s), every step, and the full log.

    ``builder`` is "buildkit" or "classic"; ``phases`` lists (name, seconds) of the time not spent
    in a Dockerfile step (BuildKit: loading the definition and context, exporting the image, each at
    BuildKit's own duration, the time covered by no vertex, and, when stages ran in parallel, the
    seconds two vertices ran at once as a negative row; classic: the time outside every step), so
    ``steps.seconds.sum() + overhead.seconds.sum()`` is the wall time (within 10% in the tests: the
    durations are BuildKit's own, the intervals come from when its lines arrive).

    The builders differ in what they show: BuildKit has no step for config-only instructions (CMD,
    ENV, USER, EXPOSE...), shows a FROM shared by two stages once, and skips stages the target does
    not need; ``context_bytes`` is what BuildKit sent (only what changed since the last build of the
    same folder, 3 significant figures) or the whole context tar on the classic builder.
    """

    image_id: str
    tags: list[str]
    seconds: float
    build_steps: list[BuildStep]
    log: list[str] = field(repr=False)
    context_bytes: int = 0
    builder: str = "classic"
    phases: list[tuple[str, float]] = field(default_factory=list)
    command: str = ""  # the `docker build` a learner would type for it

    @property
    def dockerfile_steps(self) -> list[BuildStep]:
        """The steps of the Dockerfile itself, without the course-label step the engine appends."""
        return [step for step in self.build_steps if not step.added_by_dockerlab]

    @property
    @declares(STEPS)
    def steps(self) -> pd.DataFrame:
        """A DataFrame, one row per Dockerfile step that ran or came from the cache. {columns}"""
        return STEPS.frame(
            [
                {
                    "step": s.number,
                    "stage": s.stage,
                    "vertex": s.vertex,
                    "instruction": s.instruction,
                    "cached": s.cached,
                    "seconds": round(s.seconds, 3),
                    "size_added": s.size_added,
                }
                for s in self.dockerfile_steps
            ]
        )

    @property
    @declares(PHASES)
    def overhead(self) -> pd.DataFrame:
        """A DataFrame of the time outside the Dockerfile's steps. {columns}"""
        return PHASES.frame({"phase": name, "seconds": round(seconds, 3)} for name, seconds in self.phases)

    @property
    def plain_log(self) -> str:
        """The build's output as `docker build --progress=plain` shows it (20.10's vertex digests left out)."""
        return "\n".join(_without_digests(self.log))

    @property
    def cached_steps(self) -> int:
        return sum(s.cached for s in self.dockerfile_steps)

    def _repr_html_(self) -> str:
        import pandas as pd  # lazy: ~1 s at import; a BuildResult's steps brought it already

        steps = self.steps
        table = display_frame(steps)  # headers in words with units (size added, seconds), as every course table
        table["size added"] = ["" if b is None or b != b else format_bytes(b) for b in steps["size_added"]]  # None: a stage the image does not hold
        head = (
            f"<p><b>{', '.join(self.tags) or self.image_id[:19]}</b>: {len(self.dockerfile_steps)} steps, "
            f"{self.cached_steps} from cache, {self.seconds:.1f} s ({self.builder})</p>"
        )
        command = getattr(self, "command", "")  # recordings made before it was kept have none
        with pd.option_context("display.max_colwidth", None):
            return head + command_html(command) + table.to_html(index=False)


class BuildStreamParser:
    """Turns the classic builder's JSON stream into steps, log lines and the image id.

    Feed it ``(chunk, arrival_seconds)`` pairs; it never touches the engine.
    """

    def __init__(self) -> None:
        self.steps: list[BuildStep] = []
        self.total_steps: int | None = None
        self.log: list[str] = []
        self.image_id: str | None = None
        self.error: str | None = None
        self.error_code: int | None = None
        self.made_images: list[str] = []  # short ids of the images this build committed (not from cache, not a base), in order
        # (id, count): the image that ended a base image's ONBUILD triggers and how many of its Parents this build committed too
        # (the earlier triggers', which the stream names no id of)
        self.made_parents: list[tuple[str, int]] = []
        self.container: str | None = None  # the last step container the engine ran ("Running in ...")
        self.containers: list[str] = []  # every step container the stream named, in order (an image records the one it was committed from)
        self._ids_in_step = 0
        self._trigger: tuple[int, int] | None = None  # (k, n) while the FROM runs the base image's ONBUILD trigger k of n
        self._trigger_cache = 0  # the ` ---> Using cache` lines of the ONBUILD triggers so far (the first ones the cache served)
        self._label_steps: list[str] = []  # the build labels' LABEL steps the engine appends, in its order
        self._label_lines = 0  # lines still to come of a build label's LABEL step (a key or value holding a newline)
        self._partial = ""

    @property
    def current(self) -> BuildStep | None:
        return self.steps[-1] if self.steps else None

    def feed(self, chunk: Mapping[str, Any], at: float) -> None:
        """Read one chunk of the engine's build stream (a dict of its JSON) that arrived at ``at`` (s, a monotonic
        clock): steps, log lines, the image id, an error. Returns None. Raises nothing."""
        if "error" in chunk or "errorDetail" in chunk:
            detail = chunk.get("errorDetail") or {}
            self.error = (detail.get("message") or chunk.get("error") or "unknown error").strip()
            self.error_code = detail.get("code")
            self.log.append(self.error)
            self._close_current(at)
            return
        aux = chunk.get("aux")
        if isinstance(aux, dict) and aux.get("ID"):
            self.image_id = aux["ID"]
        text = chunk.get("stream")
        if not text:
            return
        text = self._partial + text
        lines = text.split("\n")
        self._partial = lines.pop()
        for line in lines:
            self._line(line.rstrip("\r"), at)

    def finish(self, at: float) -> None:
        """Close the last step at ``at`` (s): the stream ended. Returns None. Raises nothing."""
        if self._partial:
            self._line(self._partial, at)
            self._partial = ""
        self._close_current(at)

    def expect_labels(self, labels: Mapping[str, str]) -> None:
        """The build labels the build was given: the classic builder appends one `LABEL key=value` step per label,
        sorted by key (as Go sorts strings: by their UTF-8 bytes), as the last steps of the build; those steps are
        known by their number (the last ``len(labels)`` of `Step N/M`), whatever their text holds (a newline in a
        key or value runs the step's text on over more lines of the stream). Returns None. Raises nothing."""
        keys = sorted(labels, key=lambda key: str(key).encode("utf-8", "surrogatepass"))
        self._label_steps = [f"LABEL {key}={labels[key]}" for key in keys]

    def _line(self, line: str, at: float) -> None:
        line = ANSI.sub("", line)  # the engine colours a RUN's stderr red (ESC[91m): the log keeps the text
        self.log.append(line)
        if self._label_lines:  # the rest of a build label's step text, not a line of the build's output
            self._label_lines -= 1
            return
        step = _STEP.match(line)
        if step:
            self._start_step(int(step.group(1)), int(step.group(2)), step.group(3).strip(), at)
            return
        current = self.current
        if current is None:
            return
        triggers = _TRIGGERS.match(line)
        if triggers and current.instruction.upper().startswith("FROM"):
            self._start_trigger(1, int(triggers.group(1)), at)
            return
        if line.strip() == "---> Using cache":
            current.cached = True
            if self._trigger:
                self._trigger_cache += 1
            return
        running = _RUNNING_IN.match(line)
        if running:
            self.container = running.group(1)
            self.containers.append(running.group(1))
            return
        layer = _LAYER_ID.match(line)
        if layer:
            current.image_id = layer.group(1)
            self._ids_in_step += 1
            # a FROM's first id is the base (not this build's); after it, the base's ONBUILD triggers commit new ones
            from_base = current.instruction.upper().startswith("FROM") and self._ids_in_step == 1
            served = self._trigger_cache >= self._trigger[1] if self._trigger else current.cached  # a trigger block: its last trigger's
            if not served and not from_base:
                self.made_images.append(layer.group(1))
            if self._trigger:
                self._end_triggers(layer.group(1), at)
            return
        if line.startswith("Successfully built "):
            self.image_id = self.image_id or line.split()[-1]
            self._close_current(at)

    def _start_step(self, number: int, total: int, text: str, at: float) -> None:
        self._close_current(at)
        self.total_steps = total
        self.steps.append(BuildStep(number, text, started=at))
        self._ids_in_step, self._trigger = 0, None
        label = number - (total - len(self._label_steps)) - 1
        if 0 <= label < len(self._label_steps):  # the engine's own record: the last steps are the build labels'
            self.current.instruction = self._label_steps[label]
            self.current.added_by_dockerlab = True
            self._label_lines = self._label_steps[label].count("\n")

    def _start_trigger(self, k: int, n: int, at: float) -> None:
        """A step of its own for the base image's ONBUILD trigger ``k`` of ``n`` (the FROM's number: the classic
        builder runs it inside the FROM); its text is the base image's, named after the build (``_name_triggers``)."""
        self._close_current(at)
        number = self.current.number if self.current else 1
        self.steps.append(BuildStep(number, f"(ONBUILD trigger {k} of {n}){_ONBUILD_TRIGGER}", started=at))
        self._ids_in_step, self._trigger, self._trigger_cache = 0, (k, n), 0

    def _end_triggers(self, image_id: str, at: float) -> None:
        """The ` ---> ID` that ends the FROM's N triggers: a step for each of triggers 2..N (the stream does not
        say where one ends and the next begins: the first holds their time until ``_name_triggers`` splits it by the
        engine's record), the first ones the cache served marked cached, the last holding the image all N made."""
        (_, n), served = self._trigger, self._trigger_cache
        first = self.current
        first.cached = served >= 1
        for k in range(2, n + 1):
            self._start_trigger(k, n, at)
            self.current.cached = served >= k
        first.image_id = None if n > 1 else image_id
        if served < n and n - 1 - served > 0:
            self.made_parents.append((image_id, n - 1 - served))
        self.current.image_id = image_id
        self._ids_in_step, self._trigger, self._trigger_cache = 1, None, 0

    def _close_current(self, at: float) -> None:
        current = self.current
        if current is not None and current.seconds == 0.0:
            current.seconds = max(0.0, at - current.started)

    def exit_code(self) -> int | None:
        """The exit code of the failed step (the engine's error code, or the one its message names), None when there
        is none. Returns an int or None. Raises nothing."""
        if self.error_code:
            return int(self.error_code)
        found = _EXIT_CODE.search(self.error or "")
        return int(found.group(1)) if found else None


_TEXT_GIVEN = "the Dockerfile text given"


def _same_on_every_cli(context_dir: Path, patterns: list[str]) -> None:
    """Refuse ``patterns`` when the docker 20.10 CLI and newer CLIs would send different files of ``context_dir`` with
    them (:func:`dockerlab.dockerignore.sent_paths`), on either builder. Raises DockerlabError then; a folder that
    cannot be listed is left to the builder, which says so as it does."""
    try:
        dockerignore.sent_paths(context_dir, patterns)
    except OSError:
        pass


def dockerfile_text(context: str | os.PathLike, dockerfile: str | os.PathLike | None) -> tuple[str, str]:
    """The Dockerfile's text and where it came from, whether given as a path or as text (text contains a
    newline; a relative path is read from ``context``). Raises DockerlabError when the file cannot be read."""
    if dockerfile is None:
        dockerfile = "Dockerfile"
    if isinstance(dockerfile, str) and "\n" in dockerfile:
        return dockerfile, _TEXT_GIVEN
    path = Path(dockerfile)
    if not path.is_absolute():
        path = Path(context) / path
    try:
        return path.read_text(), str(path)
    except OSError as error:
        raise DockerlabError(
            f"Cannot read the Dockerfile {path}: {error.strerror or error}",
            fix="Pass the path of an existing Dockerfile, or the Dockerfile text itself (it must contain a newline).",
        ) from None


def _from_image(instruction: str | None) -> str | None:
    words = (instruction or "").split()
    if len(words) >= 2 and words[0].upper() == "FROM":
        return next((word for word in words[1:] if not word.startswith("--")), None)
    return None


def _explain(error_text: str, instruction: str | None = None) -> str:
    """The learner's next step for a build error (the rules are dockerlab.diagnose's); when no registry
    answers, whether the FROM image is one `dockerlab prepare` can make."""
    found = diagnose(error_text, "build")
    if found.rule in ("registry-offline", "build-registry-unreachable"):
        image = _from_image(instruction)
        try:
            catalogue_image(image or "")
        except DockerlabError:
            if image:
                return (
                    f"The FROM line names {image}, which is not on this machine, and no registry answers to pull it. "
                    "Check the name and tag; course base images come from `dockerlab prepare`."
                )
        return "A base image is missing and no registry answers. " + found.fix
    if found.rule == "unknown":
        return found.fix
    return f"{found.meaning[0].upper()}{found.meaning[1:]}. {found.fix}"


def _untag_stale(client, tag: str | None) -> str:
    """After a failed or interrupted build, ``tag`` must not keep naming an image from an earlier build: it is
    taken off, without force (`docker rmi TAG`), and only when it names the very image the course built as
    ``tag`` (its id is in the tag book, :func:`dockerlab.tagbook.built_here`). A `docker commit` or a build by
    hand under the same tag inherits the course's labels but has another id: it is the learner's and stays,
    and so do a tag the learner put on another image and a base image's own name.

    Returns one sentence for the BuildFailed message: the tag was taken off and now names no image; or the tag
    still names the earlier build because a container uses it (the engine keeps the tag then, and the course
    never forces), and which; or the tag names an image the course did not build, which stays ("" when no
    image has that tag). Raises nothing (the engine's refusals are swallowed: the build's own failure is what
    the learner needs to hear)."""
    if not tag:
        return ""
    try:
        inspected = client.api.inspect_image(tag)
    except docker.errors.APIError:
        return ""  # no image under that name: nothing is stale
    labels = inspected.get("Config", {}).get("Labels") or {}
    image_id = inspected.get("Id", "")
    short = image_id.removeprefix("sha256:")[:12]
    if labels.get(STANDIN_FOR_LABEL) == normal_reference(tag):
        return ""  # a stand-in base itself: its name is kept
    if not tagbook.built_here(tag, image_id):
        if labels.get(BUILT_AS_LABEL) != normal_reference(tag):
            return ""  # a tag of the learner's own image: `docker build` leaves it as it was
        return (f"{tag} still names the image {short}, which the course did not build (a `docker commit` or a build of yours "
                f"under the same name copies the course's labels), so it was left as it is: {tag} is not this Dockerfile's image.")
    try:
        users = [entry for entry in client.api.containers(all=True, filters={"ancestor": image_id}) if entry.get("ImageID") == image_id] if image_id else []
    except docker.errors.APIError:
        users = []
    try:
        with held():
            client.api.remove_image(tag, noprune=True)  # never forced: a tag a container's image needs stays
    except docker.errors.APIError:
        return _kept_sentence(tag, short, users)
    try:
        kept = bool(image_id) and bool(client.api.inspect_image(image_id))
    except docker.errors.APIError:
        kept = False  # the tag was its only name and nothing used it: the earlier build is gone with it
    return _untagged_sentence(tag, image_id, users, kept)


def undo_failed_build(tags: Sequence[str], classic_output: Sequence[str] = (), before: set[str] | None = None) -> list[str]:
    """What a failed or interrupted build of the docker CLI (`%docker build`) must undo, as :func:`build` does
    for its own: each of ``tags`` is taken off the course's earlier build of it (the same rule and sentence as
    :class:`BuildFailed`'s ``untagged``), and, given the output lines of a classic-builder build
    (``classic_output``: "Step 1/3 : ...", " ---> 1a2b..."), the intermediate images it committed are removed;
    with ``before`` (the image ids the engine held when the build began), also those committed after the last line
    the output holds (a Ctrl-C stops the CLI before it prints every line the engine sent).
    Returns the sentences to show, one per tag it concerned (none when nothing was tagged before). Raises nothing:
    with no engine answering there is nothing it can undo (the command's own output says what failed)."""
    try:
        client = engine.client()
    except DockerlabError:
        return []
    said = []
    with held():
        if classic_output:
            parser = BuildStreamParser()
            for line in classic_output:
                parser.feed({"stream": line if line.endswith("\n") else line + "\n"}, 0.0)
            _discard_unreported(client, parser, before)
            _discard_half_built(client, parser)
        for tag in tags:
            try:
                said.append(_untag_stale(client, tag))
            except (docker.errors.DockerException, requests.exceptions.RequestException):
                continue  # the engine went away meanwhile: nothing more can be undone
    return [sentence for sentence in said if sentence]


def build_replacing(context: str | os.PathLike, dockerfile: str | os.PathLike | None = None, *, tag: str, **options) -> BuildResult:
    """:func:`build` as one attempt of many under the same ``tag`` (an exercise check, an experiment's repeat): once it
    has built, the image the course built as ``tag`` before (its id in the tag book under that tag), which the new
    build left untagged, is removed, so ten attempts leave one image, not ten ``<none>`` ones. It stays when a
    container uses it, when it still has a name (a learner's `docker tag`), or when the engine refuses (then
    `dockerlab clean` removes it later); a learner's own image under the tag (a `docker commit`, a build by hand) is
    never touched. The removal is `docker rmi ID`'s, which also removes the untagged classic-builder layers only it
    needed. ``options`` are build()'s. Returns build()'s BuildResult. Raises what :func:`build` raises."""
    earlier = _course_image_under(tag)
    result = build(context, dockerfile, tag=tag, **options)
    if earlier and earlier != result.image_id:
        _remove_replaced(engine.client(), earlier)
    return result


def _course_image_under(tag: str) -> str | None:
    """The id of the image ``tag`` names now when the course built it as ``tag`` (the tag book says so); None when the
    tag names no image, an image the course did not build, or no engine answers. Raises nothing."""
    try:
        image_id = engine.client().api.inspect_image(tag).get("Id", "")
    except (DockerlabError, docker.errors.DockerException, requests.exceptions.RequestException):
        return None
    return image_id if tagbook.built_here(tag, image_id) else None


def _remove_replaced(client, image_id: str) -> bool:
    """Remove ``image_id``, an earlier course build whose tag a new build took, when no tag names it and no container
    uses it; never forced. Returns whether it was removed. Raises nothing (a refusal leaves it, for `dockerlab clean`)."""
    try:
        if client.api.inspect_image(image_id).get("RepoTags"):
            return False  # it has another name: someone still means it
        if [entry for entry in client.api.containers(all=True, filters={"ancestor": image_id}) if entry.get("ImageID") == image_id]:
            return False  # a container runs it: the learner replaces that container, then `dockerlab clean`
        with held():
            client.api.remove_image(image_id)
    except (docker.errors.DockerException, requests.exceptions.RequestException):
        return False
    return True


def _kept_sentence(tag: str, short: str, users: list[dict]) -> str:
    """Why a failed build left ``tag`` on the earlier build (image id ``short``): the engine refused to take it
    off without force, because of the containers ``users`` (their engine entries)."""
    names = [", ".join(name.lstrip("/") for name in entry.get("Names") or []) or entry.get("Id", "")[:12] for entry in users]
    why = (f"your container{'' if len(names) == 1 else 's'} {', '.join(names)} use{'s' if len(names) == 1 else ''} it" if names
           else "the engine refused to untag it")
    return (f"{tag} still names the image of an earlier build ({short}), not this Dockerfile's: {why}, and the course does not force-remove. "
            "Once the build passes it names the new image; to drop the earlier one now, remove "
            f"{'those containers' if len(names) > 1 else 'that container' if names else 'what uses it'}"
            + (f" (`docker rm -f {' '.join(names)}`)" if names else "") + f", then `docker rmi {tag}`.")


def _untagged_sentence(tag: str, image_id: str, users: list[dict], kept: bool) -> str:
    """What the failed build did to ``tag``, for its BuildFailed message (``users``: the engine's container
    entries, Names and State, of the containers that use the earlier image ``image_id``; ``kept``: that image
    is still on the engine, untagged)."""
    short = image_id.removeprefix("sha256:")[:12]
    said = (f"{tag} named the image of an earlier build{f' ({short})' if short else ''}; since this build failed, the course took {tag} off it, "
            f"so {tag} now names no image (`docker run {tag}` would look for it in a registry) rather than code this Dockerfile did not build")
    if not users:
        return said + "."
    names = [", ".join(name.lstrip("/") for name in entry.get("Names") or []) or entry.get("Id", "")[:12] for entry in users]
    states = [f"{name} ({entry.get('State') or 'created'})" for name, entry in zip(names, users, strict=True)]
    one = len(names) == 1
    them = "it" if one else "them"
    where = (f"The earlier image stays, untagged, because your container{'' if one else 's'} {', '.join(states)} "
             f"use{'s' if one else ''} it" if kept else f"Your container{'' if one else 's'} {', '.join(states)} used it")
    return (f"{said}. {where}: {'it' if one else 'they'} still run{'s' if one else ''} that earlier build, not this Dockerfile. "
            f"Once the build passes, replace {them} (`docker rm -f {' '.join(names)}`, then start a new one from {tag}).")


@recordable("build")
def build(
    context: str | os.PathLike,
    dockerfile: str | os.PathLike | None = None,
    *,
    tag: str | None = None,
    target: str | None = None,
    buildargs: Mapping[str, str] | None = None,
    nocache: bool = False,
    labels: Mapping[str, str] | None = None,
    ignore: Sequence[str] = (),
    secrets: Mapping[str, str | os.PathLike] | None = None,
    builder: str | None = None,
    progress: bool = True,
    on_step: Callable[[BuildStep, int | None], None] | None = None,
) -> BuildResult:
    """Build an image from ``context`` and return its steps, timings and layer sizes.

    ``dockerfile`` is a path (relative to the context) or the Dockerfile text itself. ``ignore``
    adds patterns to the context's `.dockerignore` for this build (the folder is not changed).
    ``secrets`` maps a secret id to a file (``RUN --mount=type=secret,id=ID`` reads it; nothing of
    it is stored in the image). ``builder`` is "buildkit" (the default where the machine has it,
    see :func:`dockerlab.buildkit.choice`) or "classic". Every image carries the course label and
    ``org.dockerlab.built-as`` naming ``tag``, and the image's id is written in the tag book
    (:func:`dockerlab.tagbook.book_built`): labels are copied by `docker commit` and builds on it by
    hand, the id is how a failed build and cleanup know the image is the course's. On the classic builder, the images a
    build committed for stages the final image is not built on (a builder stage read by COPY --from) are removed once it
    has built: they would stay untagged, unknown to `dockerlab clean`, with the build arguments their RUN steps saw in
    their history; the next classic build runs those stages again (their cache is gone).

    Returns a :class:`BuildResult`. Raises :class:`BuildFailed` (with step, instruction, exit code
    and log tail; the tag no longer names the course's earlier build of it, unless a container uses that image, and a learner's own image under the
    tag is left alone: ``untagged`` says which; on the classic builder the intermediate images the build committed are removed too, as on a Ctrl-C,
    when the engine has also killed and removed the step's container) when the build fails, and :class:`DockerlabError` for a ``tag`` an image
    cannot be tagged with, a label name the docker CLI refuses (a space, a tab, an = or nothing), a ``target`` the Dockerfile has no stage of, a
    missing context, an unknown builder, secrets on the classic builder, or a .dockerignore (or an ``ignore`` entry) the docker CLI refuses (a lone
    ``!``, a pattern that is a syntax error to it: :func:`dockerlab.dockerignore.read_patterns`) or, on BuildKit, one holding a control character
    (``\\x1f``: BuildKit cannot send it; the classic builder reads it).
    """
    problem = tag_problem(tag) if tag is not None else None
    if problem:  # before anything is built: the engine would say so only after the build, as a failed build
        raise DockerlabError(f"build(): tag={tag!r} is not a name an image can be tagged with: {problem}.",
                             fix='Use NAME or NAME:TAG: lowercase letters, digits and . _ - in the name, '
                                 'up to 128 letters, digits, _ . - in the tag, e.g. tag="my-app:1.0".')
    for key in labels or {}:  # the CLI checks --label before anything: the Dockerfile is not at fault
        said = _label_problem(key)
        if said:
            raise DockerlabError(f"build(): labels= has a label `docker build --label` refuses, {key!r}: {said}.",
                                 fix='Name each label without spaces or tabs and without =, e.g. labels={"my-key": "a value"} (the value may hold spaces).')
    context_dir = Path(context)
    if not context_dir.is_dir():
        raise DockerlabError(
            f"The build context {context_dir} is not a folder.",
            fix="Pass the folder whose files the Dockerfile copies (often the app's folder).",
        )
    text, source = dockerfile_text(context_dir, dockerfile)
    if target is not None:
        _check_target(text, target)
    # a .dockerignore the CLI refuses stops both builders before anything is sent, and so does such an ignore= entry
    patterns = dockerignore.patterns_of(context_dir) + _ignore_patterns(ignore)
    given = Path(source) if source != _TEXT_GIVEN else None
    own_ignore = dockerignore.ignore_file(context_dir, given)  # a <Dockerfile>.dockerignore beside a Dockerfile given as a path:
    own_ignore = own_ignore if own_ignore != context_dir / ".dockerignore" else None  # BuildKit reads it instead of .dockerignore
    if own_ignore is None or builder == "classic":  # the files the build sends follow .dockerignore: checked before any engine call
        _same_on_every_cli(context_dir, patterns)
    chosen = _builder_for(builder, secrets)
    if chosen.buildkit:  # BuildKit cannot send a pattern holding a control character, which the classic builder reads
        bk_patterns = dockerignore.patterns_of(context_dir, buildkit=True, dockerfile=given) + _ignore_patterns(ignore, buildkit=True)
        if own_ignore is not None:
            _same_on_every_cli(context_dir, bk_patterns)
    else:
        if own_ignore is not None and builder != "classic":  # the classic builder was chosen: it reads .dockerignore only
            _same_on_every_cli(context_dir, patterns)
        own_ignore = None
    all_labels = {**built_labels(tag), **{key: value for key, value in (labels or {}).items() if key != BUILT_AS_LABEL}}
    options = dict(
        tag=tag, target=target, buildargs=dict(buildargs or {}), nocache=nocache, labels=all_labels, progress=progress, on_step=on_step
    )
    if chosen.buildkit:
        result = _build_buildkit(chosen, context_dir, text, ignore=ignore, own_ignore=own_ignore, secrets=dict(secrets or {}), **options)
    else:
        result = _build_classic(context_dir, text, patterns=patterns, **options)
    result.command = cli_equivalent(context_dir, dockerfile, tag=tag, target=target, buildargs=buildargs, nocache=nocache, secrets=secrets)
    tagbook.book_built(tag, result.image_id)  # the course's mark: a failed build or `dockerlab clean` removes only this id
    return result


def cli_equivalent(context: Path, dockerfile: str | Path = "Dockerfile", *, tag=None, target=None, buildargs=None, nocache=False, secrets=None) -> str:
    """The `docker build` command a learner would type for the same build (course labels left out)."""
    words = ["docker", "build"]
    if tag:
        words += ["-t", tag]
    if isinstance(dockerfile, (str, Path)) and "\n" not in str(dockerfile) and str(dockerfile) != "Dockerfile":
        words += ["-f", str(Path(context) / dockerfile)]
    elif isinstance(dockerfile, str) and "\n" in dockerfile:
        words += ["-f", "-"]  # the Dockerfile text, given on stdin
    if target:
        words += ["--target", target]
    words += [f"--build-arg={key}={value}" for key, value in (buildargs or {}).items()]
    words += [f"--secret=id={key},src={value}" for key, value in (secrets or {}).items()]
    if nocache:
        words.append("--no-cache")
    return shlex.join([*words, str(context)])


def _label_problem(key: str) -> str | None:
    """What the docker CLI (20.10, measured) says of ``--label KEY=VALUE`` for this ``key``, in a few words; None when
    it takes it. The CLI reads the name up to the first = and trims spaces and tabs before it. Raises nothing."""
    name = key.lstrip(" \t")
    if not name:
        return "its name is empty (the CLI: `invalid label '=...': empty name`)"
    if any(character in " \t" for character in name):
        return f"its name holds a space or a tab (the CLI: `label {name!r} contains whitespaces`)"
    if "=" in key:
        return f"its name holds =, so `--label {key}=...` would name the label {key.split('=', 1)[0]!r}"
    return None


def _check_target(text: str, target: str) -> None:
    """Raise DockerlabError, naming the stages the Dockerfile has, when no stage is called ``target`` (both
    builders match `--target` to a stage's name, without case): before anything is built, where the engine
    would say only "target stage nosuch could not be found". A Dockerfile that cannot be parsed is left to
    the build, which says what is wrong with it."""
    try:
        stages = parse_dockerfile(text).stages
    except DockerlabError:
        return
    names = [stage.name for stage in stages if stage.name]
    if not any(name.lower() == target.lower() for name in names):
        raise DockerlabError(
            f"build(): target={target!r}: the Dockerfile has no stage of that name "
            f"({'its named stages: ' + ', '.join(names) if names else 'none of its stages has a name'}).",
            fix="Pass the name a `FROM IMAGE AS NAME` line gives its stage, or leave target out to build the last stage.",
        )


def _builder_for(builder: str | None, secrets: Mapping | None) -> buildkit.BuilderChoice:
    if builder not in (None, *BUILDERS):
        raise DockerlabError(f"Unknown builder {builder!r}.", fix=f"Use one of {BUILDERS}, or leave it out for BuildKit where it is available.")
    available = buildkit.choice()
    if builder == "classic":
        if secrets:
            raise DockerlabError("Build secrets need BuildKit; the classic builder has no --secret.",
                                 fix="Leave builder= out (BuildKit), or pass the value another way.")
        return buildkit.BuilderChoice("classic", "the engine API", "asked for builder='classic'")
    if builder == "buildkit" and not available.buildkit:
        raise DockerlabError(f"BuildKit is not available here: {available.why}.", fix="Install the buildx plugin, or build with builder='classic'.")
    if secrets and not available.buildkit:
        raise DockerlabError(f"Build secrets need BuildKit, which is not available here: {available.why}.", fix="Install the buildx plugin.")
    return available


def _stages(text: str) -> list[tuple[str, str]]:
    """(name, base) of each stage in Dockerfile order; unnamed stages are called BuildKit's way, stage-N."""
    joined = re.sub(r"\\\r?\n", " ", text)
    stages = []
    for line in joined.splitlines():
        words = line.split()
        if not words or words[0].upper() != "FROM":
            continue
        args = [word for word in words[1:] if not word.startswith("--")]
        base = args[0] if args else ""
        name = args[2] if len(args) >= 3 and args[1].upper() == "AS" else f"stage-{len(stages)}"
        stages.append((name.lower(), base))
    return stages


def _final_lineage(stages: list[tuple[str, str]], target: str | None) -> set[str]:
    """The stages whose layers the final image contains: the target (or last stage) and those it is FROM."""
    names = [name for name, _ in stages]
    current = (target or "").lower() or (names[-1] if names else None)
    lineage: set[str] = set()
    bases = dict(stages)
    while current in bases and current not in lineage:
        lineage.add(current)
        current = bases[current]  # a FROM names a stage only as BuildKit keeps its name, in lowercase
    return lineage


def _follow_classic(stream, parser: BuildStreamParser, started: float, bar, on_step) -> None:
    """Feed the engine's JSON build stream to the parser, reporting each new step. The stream is read by a thread of
    its own, so a Ctrl-C never lands inside a read (urllib3 then drops the connection and whatever the engine had sent
    but the course had not read: the ` ---> ID` of a step it committed). On a Ctrl-C the build is cancelled by closing
    the connection's sending side only (:func:`_cancel_and_drain`), and the stream is read to its end, so the parser
    knows every image the build committed. Raises what the stream raises, and KeyboardInterrupt."""
    response = getattr(getattr(stream, "gi_frame", None), "f_locals", {}).get("response")  # docker-py's _stream_helper(response, ...)
    chunks: queue.Queue = queue.Queue()

    def read() -> None:
        try:
            for chunk in stream:
                chunks.put(chunk)
        except BaseException as error:  # noqa: BLE001 - handed to the caller's thread, which raises it
            chunks.put(error)
        finally:
            chunks.put(_END_OF_STREAM)

    reader = threading.Thread(target=read, name="dockerlab-build-stream", daemon=True)
    reader.start()
    seen_steps = 0
    try:
        while True:
            chunk = chunks.get()
            if chunk is _END_OF_STREAM:
                return
            if isinstance(chunk, BaseException):
                raise chunk
            _feed_chunk(parser, chunk, time.perf_counter() - started)
            if len(parser.steps) != seen_steps:
                seen_steps = len(parser.steps)
                if bar:
                    bar.step(f"step {parser.current.number}/{parser.total_steps} {parser.current.instruction}")
                if on_step:
                    on_step(parser.current, parser.total_steps)
    except KeyboardInterrupt:
        with held():  # a second Ctrl-C does not cut the cancel short
            _cancel_and_drain(response, chunks, reader, lambda chunk: parser.feed(chunk, time.perf_counter() - started))
        raise


_END_OF_STREAM = object()


def _feed_chunk(parser: BuildStreamParser, chunk, at: float) -> None:
    """One chunk of the build stream to the parser (one place, so a test can make the reading lag behind the engine)."""
    parser.feed(chunk, at)


def _cancel_and_drain(response, chunks: queue.Queue, reader: threading.Thread, feed) -> None:
    """Cancel a classic build after a Ctrl-C and read its stream to the end: the connection's sending side is shut
    (the engine sees the client gone and cancels: measured on engine 20.10, the running step is killed and the stream
    ends with its error within 0.2 s), while everything the engine writes until then, each committed step's ` ---> ID`
    included, is still read and fed (``feed``). After 15 s, or where the connection cannot be half-closed, it is closed
    whole (the engine cancels just the same; what it sends after is lost). Raises nothing."""
    raw = getattr(getattr(getattr(getattr(response, "raw", None), "_fp", None), "fp", None), "raw", None)
    sock = getattr(raw, "_sock", raw)
    try:
        sock.shutdown(socket.SHUT_WR)
    except (AttributeError, OSError, ValueError):
        sock = None
        _close_response(response)
    deadline = time.monotonic() + _CANCEL_WAIT_SECONDS
    while True:
        try:
            chunk = chunks.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            break
        if chunk is _END_OF_STREAM or isinstance(chunk, BaseException):
            break
        feed(chunk)
    if reader.is_alive():
        try:
            if sock is not None:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        _close_response(response)


def _close_response(response) -> None:
    if response is not None:
        try:
            response.close()
        except Exception:  # noqa: BLE001 - a connection that is already gone is what we want
            pass


def _mark_classic_steps(steps: list[BuildStep], text: str) -> None:
    """Name each step's stage (the build labels' steps are marked as they arrive: BuildStreamParser.expect_labels)."""
    names = iter(name for name, _ in _stages(text))
    stage = None
    for step in steps:
        if step.instruction.upper().startswith("FROM"):
            stage = next(names, stage)
        step.stage = stage


def _ignore_patterns(ignore, *, buildkit: bool = False) -> list[str]:
    """build()'s ``ignore`` entries read as the CLI reads the lines of a .dockerignore (BuildKit builds write them
    into one), so the classic context leaves out the same files: ``/a.txt`` is a.txt, ``../a.txt`` matches nothing.
    Returns a list. Raises DockerlabError for an entry the CLI refuses (with ``buildkit``, also one BuildKit cannot send)."""
    return dockerignore.read_patterns("\n".join(ignore).encode(), "build()'s ignore= argument", item="entry", buildkit=buildkit)


def _build_classic(context_dir, text, *, patterns, tag, target, buildargs, nocache, labels, progress, on_step) -> BuildResult:
    client = engine.client()
    context_tar = dockerignore.context_tar(context_dir, patterns, (INLINE_DOCKERFILE_NAME, text))
    context_bytes = context_tar.seek(0, io.SEEK_END)
    context_tar.seek(0)

    parser = BuildStreamParser()
    parser.expect_labels(labels)
    bar = _ProgressBar(tag or "image") if progress else None
    started = time.perf_counter()
    interrupted = False
    stream = None
    before = _image_ids(client)  # what existed before: an interrupted build's images its stream had not yet named are the new ones
    try:
        stream = client.api.build(
            fileobj=context_tar,
            custom_context=True,
            dockerfile=INLINE_DOCKERFILE_NAME,
            tag=tag,
            target=target,
            buildargs=buildargs,
            nocache=nocache,
            labels=labels,
            rm=True,
            forcerm=True,
            decode=True,
        )
        _follow_classic(stream, parser, started, bar, on_step)
    except docker.errors.APIError as error:
        parser.error = str(error.explanation or error)
    except requests.exceptions.RequestException as error:
        parser.error = f"lost the connection to the engine: {error}"
    except docker.errors.DockerException as error:
        parser.error = str(error)
    except BaseException:
        interrupted = True
        raise
    finally:
        elapsed = time.perf_counter() - started
        parser.finish(elapsed)
        if bar:
            bar.close()
        context_tar.close()
        if interrupted:
            with held():  # a second Ctrl-C does not cut the clean-up short
                _close_stream(stream)
                _discard_unreported(client, parser, before)  # first: a step image the stream named cannot go while its child is there
                _discard_half_built(client, parser)
                _untag_stale(client, tag)

    if parser.error or not parser.image_id:
        _discard_half_built(client, parser)
        untagged = _untag_stale(client, tag)
        reason = parser.error or "the engine ended the build without an image"
        current = parser.current
        raise BuildFailed(
            reason,
            step=current.number if current else None,
            instruction=current.instruction if current else None,
            exit_code=parser.exit_code(),
            log_tail=parser.log[-LOG_TAIL_LINES:],
            fix=_explain(reason, current.instruction if current else None),
            untagged=untagged,
        )

    _mark_classic_steps(parser.steps, text)
    _name_triggers(client, parser.steps)
    _fill_layer_sizes(client, parser.steps)
    image_id = parser.image_id if parser.image_id.startswith("sha256:") else client.images.get(parser.image_id).id
    _discard_other_stages(client, parser, image_id)  # a builder stage's images: no tag, no record, its build arguments in history
    in_steps = sum(step.seconds for step in parser.steps if not step.added_by_dockerlab)
    return BuildResult(
        image_id=image_id,
        tags=[tag] if tag else [],
        seconds=elapsed,
        build_steps=parser.steps,
        log=parser.log,
        context_bytes=context_bytes,
        builder="classic",
        phases=[("outside any step (sending the context, the label step, committing)", max(0.0, elapsed - in_steps))],
    )


def _close_stream(stream) -> None:
    """Close the connection of a classic build's stream (the generator ``client.api.build`` returned, or None),
    so the engine sees the client gone and cancels the build: after a Ctrl-C :func:`_cancel_and_drain` has done so
    already; this is for anything else that ends the build early (an ``on_step`` that raises), which would leave the
    build running on the engine while the kernel lives. Raises nothing."""
    frame = getattr(stream, "gi_frame", None)
    _close_response(frame.f_locals.get("response") if frame is not None else None)  # docker-py's _stream_helper(response, ...)


def _discard_half_built(client, parser: BuildStreamParser) -> None:
    """After a classic build failed or was interrupted, remove the images it committed on the way (the
    ``<none>`` intermediates `docker images` would list, which no tag names and no clean-up could tell apart
    from the learner's): only the ids its own stream reported as new (never a cached step's, never a base), and
    only untagged ones, without force and without pruning parents, newest first. The step container the engine
    ran is waited for first (on a cancelled build the engine kills and removes it: --force-rm), since an image a
    container uses cannot be removed. Raises nothing (a refusal leaves that image: the build's own failure is
    what the learner needs to hear)."""
    if not parser.made_images:
        return
    deadline = time.monotonic() + _CANCEL_WAIT_SECONDS
    while parser.container and time.monotonic() < deadline:
        try:
            client.api.inspect_container(parser.container)
        except docker.errors.NotFound:
            break
        except (docker.errors.APIError, requests.exceptions.RequestException):
            return
        time.sleep(0.2)
    _remove_untagged(client, _made(client, parser))


def _image_ids(client=None) -> set[str] | None:
    """The ids of every image the engine holds now (intermediate ones too), for :func:`undo_failed_build`'s ``before``;
    None when no engine answers. Raises nothing."""
    try:
        client = client or engine.client()
        return {image["Id"] for image in client.api.images(all=True)}
    except (DockerlabError, docker.errors.APIError, requests.exceptions.RequestException):
        return None


def _discard_unreported(client, parser: BuildStreamParser, before: set[str] | None) -> list[str]:
    """After a Ctrl-C, remove the images the interrupted classic build committed that its stream (or the CLI's output
    the course read) named no id of: a base image's ONBUILD triggers (the stream names no id before or between them),
    or a step whose ` ---> ID` line the docker CLI had not printed when it was stopped. An image is taken only when the
    engine's record says this build made it: new since the build began (not in ``before``), untagged, and committed
    from a step container the stream named (`Running in ID`; container ids are unique, so another process's image
    built on the same base, even from the same Dockerfile, is never taken). Waits for those containers to go first
    (the engine removes them on a cancelled build). Returns the ids removed. Raises nothing (a refusal leaves that image)."""
    if before is None or not parser.containers:
        return []
    try:
        new = [image for image in client.api.images(all=True)
               if image["Id"] not in before and set(image.get("RepoTags") or [None]) <= {None, "<none>:<none>"}]  # the list says <none>:<none>
        parents = {image["Id"]: image.get("ParentId") or "" for image in new}

        def depth(image_id: str) -> int:  # how many of the new images it is built on: `Created` is whole seconds, so no order
            count, current = 0, parents.get(image_id, "")
            while current in parents and count < len(parents):
                count, current = count + 1, parents[current]
            return count

        ours = []
        for image in sorted(new, key=lambda image: depth(image["Id"])):  # a parent before its children
            container = client.api.inspect_image(image["Id"]).get("Container") or ""
            if container and any(container.startswith(short) for short in parser.containers):
                ours.append(image["Id"])
        deadline = time.monotonic() + _CANCEL_WAIT_SECONDS
        while ours and time.monotonic() < deadline and any(client.api.containers(all=True, filters={"ancestor": image_id}) for image_id in ours):
            time.sleep(0.2)
    except (docker.errors.APIError, requests.exceptions.RequestException):
        return []
    return _remove_untagged(client, ours)


def _made(client, parser: BuildStreamParser) -> list[str]:
    """The ids of the images a classic build committed, in order: those its stream reported as new, with the earlier
    ONBUILD triggers' images (the Parents of the last one's, which the stream names no id of) before it. Raises nothing."""
    made = list(parser.made_images)
    for image_id, count in parser.made_parents:  # the earlier ONBUILD triggers' images: the Parents of the last one's
        parents, current = [], image_id
        try:
            while len(parents) < count:
                current = client.api.inspect_image(current).get("Parent") or ""
                if not current:
                    break
                parents.append(current)
        except (docker.errors.APIError, requests.exceptions.RequestException):
            pass
        position = made.index(image_id) if image_id in made else len(made)
        made[position:position] = parents[::-1]
    return made


def _remove_untagged(client, made: list[str]) -> list[str]:
    """Remove each of ``made`` (image ids, oldest first) that no tag names, newest first, without force and without
    pruning parents. Returns the ids removed. Raises nothing (the engine refuses one a child or a container needs)."""
    removed = []
    for image_id in reversed(made):
        try:
            if not client.api.inspect_image(image_id).get("RepoTags"):
                client.api.remove_image(image_id, noprune=True)
                removed.append(image_id)
        except (docker.errors.APIError, requests.exceptions.RequestException):
            continue
    return removed


def _discard_other_stages(client, parser: BuildStreamParser, image_id: str) -> list[str]:
    """After a classic build succeeded, remove the images it committed for the stages the final image is not built on (a
    builder stage that a COPY --from reads): the engine keeps them as the classic builder's cache, but they are untagged
    and `docker images` lists the last of each as <none>; they carry the course's label only when their base did, so
    `dockerlab clean` cannot tell them from the learner's; and each keeps in its history the build arguments its RUN
    steps saw (``|1 BUILD_TOKEN=...``), where no one looks. The cost: the next classic build of the same Dockerfile runs
    those stages' steps again instead of taking them from the cache (BuildKit keeps its cache apart from images, and
    the course's classic multi-stage builds are cold, --no-cache, anyway). Only images this build's own stream reported
    as new, not in the final image's history, not tagged, never forced (a hand build on one keeps it). Returns the ids
    removed. Raises nothing (the build itself succeeded: an image the engine will not remove stays)."""
    if not parser.made_images:
        return []
    try:
        final = {str(entry.get("Id") or "").removeprefix("sha256:")[:12] for entry in client.api.history(image_id)}
    except (docker.errors.APIError, requests.exceptions.RequestException):
        return []
    others = [made for made in _made(client, parser) if made.removeprefix("sha256:")[:12] not in final]
    with held():
        return _remove_untagged(client, others)


def _buildkit_command(chosen, context_dir, dockerfile_path, iidfile, *, tag, target, buildargs, nocache, labels, secrets) -> list[str]:
    command = [*chosen.command, "--progress=plain", "-f", str(dockerfile_path), "--iidfile", str(iidfile)]
    if tag:
        command += ["-t", tag]
    if target:
        command += ["--target", target]
    if nocache:
        command.append("--no-cache")
    for key, value in labels.items():
        command += ["--label", f"{key}={value}"]
    for key, value in buildargs.items():
        command += ["--build-arg", f"{key}={value}"]
    for secret_id, path in secrets.items():
        command += ["--secret", f"id={secret_id},src={Path(path).resolve()}"]
    command.append(str(context_dir))
    return command


def _check_secrets(secrets: dict[str, str | Path]) -> None:
    for secret_id, path in secrets.items():
        if not Path(path).is_file():
            raise DockerlabError(f"The secret {secret_id!r} names {path}, which is not a file.", fix="Pass the path of the file that holds the secret.")


def _write_dockerfile(folder: Path, context_dir: Path, text: str, ignore, own_ignore: Path | None = None) -> Path:
    """The Dockerfile, outside the context. BuildKit reads the context's .dockerignore itself; extra
    patterns go to <Dockerfile>.dockerignore beside it (read in place of the context's), so they
    never touch the learner's folder; so does the learner's own ``own_ignore`` (their <Dockerfile>.dockerignore,
    which BuildKit reads in place of the context's .dockerignore)."""
    dockerfile_path = folder / "Dockerfile"
    dockerfile_path.write_text(text)
    if ignore or own_ignore is not None:
        # The learner's file, byte for byte (the CLI's rules read it: BOM, CRLF, `!`, `**`), then ours.
        source = own_ignore if own_ignore is not None else context_dir / ".dockerignore"
        own = source.read_bytes() if source.is_file() else b""
        separator = b"\n" if own and not own.endswith(b"\n") else b""
        (folder / "Dockerfile.dockerignore").write_bytes(own + separator + ("\n".join(ignore or []) + "\n").encode())
    return dockerfile_path


def _buildkit_failure(parser: buildkit.PlainProgressParser, ordered: list, returncode: int, untagged: str = "") -> BuildFailed:
    """BuildFailed from a BuildKit log: the failed step numbered as in the step table, its stage named
    (``untagged``: what the failure did to the tag, from :func:`_untag_stale`)."""
    reason = parser.reason or _last_words(parser.log) or f"the docker CLI exited {returncode} without an image"
    failed = parser.failed_vertex
    if failed is not None and failed.is_step:
        step, instruction = ordered.index(failed) + 1, failed.instruction + (f" (stage {failed.stage})" if failed.stage else "")
    else:
        step, instruction = None, _from_of_metadata(failed) or (failed.name if failed else None)
    return BuildFailed(
        reason,
        step=step,
        instruction=instruction,
        exit_code=parser.exit_code(),
        log_tail=_without_digests(parser.log)[-LOG_TAIL_LINES:],
        fix=_explain(reason, failed.instruction if failed and failed.is_step else _from_of_metadata(failed)),
        untagged=untagged,
    )


def _build_buildkit(chosen, context_dir, text, *, ignore, own_ignore=None, secrets, tag, target, buildargs, nocache, labels, progress, on_step) -> BuildResult:
    _check_secrets(secrets)
    parser = buildkit.PlainProgressParser()
    bar = _ProgressBar(tag or "image") if progress else None
    stage_order = {name: position for position, (name, _) in enumerate(_stages(text))}
    with tempfile.TemporaryDirectory(prefix="dockerlab-build-") as folder:
        dockerfile_path = _write_dockerfile(Path(folder), context_dir, text, ignore, own_ignore)
        iidfile = Path(folder) / "image-id"
        command = _buildkit_command(
            chosen, context_dir, dockerfile_path, iidfile, tag=tag, target=target, buildargs=buildargs, nocache=nocache, labels=labels, secrets=secrets
        )
        started = time.perf_counter()
        try:
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, errors="replace",
                env=chosen.environment(), bufsize=1,
            )
        except OSError as error:
            raise DockerlabError(f"Could not start the docker CLI ({command[0]}): {error}",
                                 fix="`dockerlab doctor` shows which builder this machine has.") from None
        steps_seen = 0
        try:
            for line in process.stdout:
                vertex = parser.feed(line, time.perf_counter() - started)
                if vertex is not None and vertex.is_step:
                    steps_seen += 1
                    if bar:
                        bar.step(f"#{vertex.number} {vertex.name}")
                    if on_step:
                        on_step(_step_of(vertex, steps_seen), None)
            returncode = process.wait()
        except BaseException:
            # Interrupted (Ctrl-C): stop the CLI, which cancels the build, and keep the tag promise.
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            _untag_stale(engine.client(), tag)
            raise
        finally:
            elapsed = time.perf_counter() - started
            process.stdout.close()
            if bar:
                bar.close()
        image_id = iidfile.read_text().strip() if iidfile.exists() else None

    only_stage = next(iter(stage_order), None) if len(stage_order) == 1 else None
    ordered = sorted(parser.steps, key=lambda v: (stage_order.get((v.stage or only_stage or "").lower(), len(stage_order)), v.index))
    if returncode != 0 or not image_id:
        untagged = _untag_stale(engine.client(), tag)  # DockerUnavailable, clearly, when the engine is what failed
        raise _buildkit_failure(parser, ordered, returncode, untagged)

    steps = [_step_of(vertex, number, default_stage=only_stage) for number, vertex in enumerate(ordered, start=1)]
    _fill_sizes_from_history(engine.client, image_id, steps, _final_lineage(_stages(text), target), single_stage=len(stage_order) <= 1)
    _mark_onbuild_triggers(steps, ordered)
    internal = [(vertex.name, vertex.seconds or 0.0) for vertex in parser.vertices.values() if not vertex.is_step]
    phases = internal + [("outside any vertex (starting the CLI, the session, waiting)", parser.outside_vertices(elapsed))]
    if parser.parallel_seconds() < -0.0005:  # counted twice above: stages that ran at the same time
        phases.append(("vertices that ran at the same time (parallel stages, or BuildKit's own work beside a step), counted once", parser.parallel_seconds()))
    context_bytes = parser.context_bytes()
    return BuildResult(
        image_id=image_id,
        tags=[tag] if tag else [],
        seconds=elapsed,
        build_steps=steps,
        log=parser.log,
        context_bytes=context_bytes if context_bytes is not None else 0,
        builder="buildkit",
        phases=phases,
    )


# BuildKit runs a base image's ONBUILD triggers right after the FROM, as steps of the child's stage,
# numbered as if they were its next lines: `[1/2] FROM base`, `[2/2] RUN trigger`, `[3/2] RUN own`
# (engine 20.10, measured). They are the base's lines, not the learner's.
_ONBUILD_TRIGGER = " (a trigger of the base image's ONBUILD, not a line of this Dockerfile)"


def _mark_onbuild_triggers(steps: list[BuildStep], vertices: list[buildkit.Vertex]) -> None:
    """Mark the steps that are a base image's ONBUILD triggers (``steps`` and ``vertices`` in the same
    order): in a stage whose steps run past its count by N (`[3/2]`), steps 2..N+1, the ones after its
    FROM. Returns None. Raises nothing."""
    over: dict[str | None, int] = {}
    for vertex in vertices:
        if vertex.index is not None and vertex.total is not None:
            over[vertex.stage] = max(over.get(vertex.stage, 0), vertex.index - vertex.total)
    for step, vertex in zip(steps, vertices, strict=False):
        if vertex.index is not None and 2 <= vertex.index <= 1 + over.get(vertex.stage, 0) and not step.instruction.endswith(_ONBUILD_TRIGGER):
            step.instruction += _ONBUILD_TRIGGER


def _step_of(vertex: buildkit.Vertex, number: int, default_stage: str | None = None) -> BuildStep:
    return BuildStep(
        number=number,
        instruction=vertex.instruction or vertex.name,
        started=vertex.interval[0],
        cached=vertex.cached,
        seconds=vertex.seconds or 0.0,
        stage=vertex.stage or default_stage,
        vertex=vertex.number,
    )


def _from_of_metadata(vertex: buildkit.Vertex | None) -> str | None:
    """`[internal] load metadata for docker.io/library/x:1` -> `FROM docker.io/library/x:1` (for the hint)."""
    if vertex is None:
        return None
    prefix = "[internal] load metadata for "
    if not vertex.name.startswith(prefix):
        return None
    image = vertex.name[len(prefix):]
    for registry in ("docker.io/library/", "docker.io/"):
        if image.startswith(registry):
            return f"FROM {image[len(registry):]}"  # as the learner wrote it
    return f"FROM {image}"


_CLI_HELP = re.compile(r"^See '.*--help'\.?$")


def _last_words(log: list[str]) -> str | None:
    """The CLI's own last message (not a progress line, not its "See 'docker build --help'." pointer)."""
    words = [line.strip() for line in log if line.strip() and not line.startswith("#") and not _CLI_HELP.match(line.strip())]
    return words[-1] if words else None


# Instructions that change only the image config: BuildKit shows no vertex for them, history has an entry.
_CONFIG_ONLY = {"CMD", "ENTRYPOINT", "ENV", "EXPOSE", "USER", "ARG", "LABEL", "HEALTHCHECK", "STOPSIGNAL", "VOLUME", "SHELL", "ONBUILD", "MAINTAINER"}


# The classic builder records a COPY/ADD by a digest of what it copied: `COPY file:<sha256> in /p`,
# `ADD dir:<sha256> in /d`, `COPY --chown=1:1multi:<sha256> in /m/` (flags run into it, no space).
_CLASSIC_COPY = re.compile(r"(?:file|dir|multi):[0-9a-f]{64} in (.+)$")


def normalised_instruction(instruction: str) -> tuple[str, str]:
    """(KEYWORD, arguments) with flags, build arguments, shell prefix and quoting removed, to match a
    step to its history entry (`RUN |1 A=b /bin/sh -c x # buildkit` and `RUN x` are the same step).
    A COPY or ADD is known by its destination alone, ``in DEST`` (the classic builder records no sources:
    `COPY file:<sha256> in /p` and `COPY --from=b /p /p` are the same step). Returns the pair."""
    text = instruction.strip()
    if text.endswith("# buildkit"):
        text = text[: -len("# buildkit")].strip()
    text = re.sub(r"^/bin/sh -c #\(nop\)\s+", "", text)
    if re.match(r"^(\|\d+ |/bin/sh -c )", text):
        text = "RUN " + text  # the classic builder records RUN without its keyword
    keyword, _, rest = text.partition(" ")
    keyword = keyword.upper()
    classic = _CLASSIC_COPY.search(rest) if keyword in ("COPY", "ADD") else None
    if classic:
        return keyword, "in " + classic.group(1).strip()
    words = rest.split()
    while words and words[0].startswith("--"):
        words.pop(0)
    rest = " ".join(words)
    rest = re.sub(r"^\|\d+ (?:\S+=\S* )*", "", rest)  # the build arguments a RUN saw
    rest = re.sub(r"^/\S*/?(?:sh|bash|ash|dash|zsh|pwsh|powershell)(?:\.exe)? -(?:c|Command) ", "", rest)  # SHELL's prefix
    rest = re.sub(r'[\[\]",]', " ", rest)
    words = rest.split()
    if keyword in ("COPY", "ADD") and words:
        return keyword, "in " + words[-1]
    return keyword, " ".join(words)


_HISTORY: dict[str, list[dict]] = {}


def _fill_sizes_from_history(connect, image_id: str, steps: list[BuildStep], lineage: set[str], *, single_stage: bool) -> None:
    """Bytes each step added, read from the final image's history and matched by instruction text.

    Steps of stages the final image does not contain keep ``size_added = None``; a FROM adds 0.
    """
    history = _HISTORY.get(image_id)  # an image id names its content: its history never changes
    if history is None:
        try:
            history = connect().api.history(image_id)  # newest first
        except (docker.errors.APIError, requests.exceptions.RequestException):
            return  # sizes stay unknown; the build itself succeeded
        if len(_HISTORY) > 256:
            _HISTORY.clear()
        _HISTORY[image_id] = history
    entries = [(normalised_instruction(entry.get("CreatedBy") or ""), int(entry.get("Size") or 0)) for entry in history]
    position = 0
    for step in reversed(steps):
        keyword, rest = normalised_instruction(step.instruction)
        if keyword == "FROM":
            step.size_added = 0
            continue
        if not single_stage and (step.stage or "").lower() not in lineage:
            continue
        found = next((offset for offset in range(position, len(entries)) if entries[offset][0] == (keyword, rest)), None)
        if found is None:
            # The same step with other text: BuildKit's vertex names expand $VARIABLES, history keeps them.
            # Take the next entry that is not config-only, if it is the same instruction.
            offset = position
            while offset < len(entries) and entries[offset][0][0] in _CONFIG_ONLY and keyword not in _CONFIG_ONLY:
                offset += 1
            if offset < len(entries) and entries[offset][0][0] == keyword:
                found = offset
        if found is not None:
            step.size_added = entries[found][1]
            position = found + 1


def _name_triggers(client, steps: list[BuildStep]) -> None:
    """Give the classic builder's steps of a base image's N ONBUILD triggers what the engine recorded of each: its
    image (the last trigger's is the ` ---> ID` that ended them; each earlier one's is its Parent, and the first one's
    Parent is the base, which becomes the FROM step's image, so each size is the trigger's own), the trigger's text
    (the base image's Config.OnBuild, in order), and its time: a trigger that ran after another that ran took the
    time between their images' commits (the engine's Created); the first that ran takes the rest of the time the
    stream gave them all (a trigger the cache served, 0). A step whose images cannot be read keeps
    `(ONBUILD trigger K of N)` and the first the time of all. Raises nothing."""
    for index, step in enumerate(steps):
        found = _TRIGGER_STEP.match(step.instruction)
        if not found or found.group(1) != "1" or index == 0:
            continue
        n = int(found.group(2))
        block = steps[index:index + n]
        if len(block) != n or not all(_TRIGGER_STEP.match(one.instruction) for one in block) or not block[-1].image_id:
            continue  # a build that stopped inside its triggers
        ids, chain = [block[-1].image_id], []  # the last trigger's image, then its Parents
        try:
            while len(chain) <= n and ids[-1]:
                chain.append(client.api.inspect_image(ids[-1]))
                ids.append(chain[-1].get("Parent") or "")
        except (docker.errors.APIError, requests.exceptions.RequestException):
            continue
        if len(chain) <= n:
            continue
        chain.reverse()  # the base, trigger 1, ..., trigger N
        ids = ids[: n + 1][::-1]
        onbuild = (chain[0].get("Config") or {}).get("OnBuild") or []
        if steps[index - 1].instruction.upper().startswith("FROM") and not steps[index - 1].image_id:
            steps[index - 1].image_id = ids[0]
        for k, one in enumerate(block):
            one.image_id = ids[k + 1]
            if k < len(onbuild):
                one.instruction = onbuild[k] + _ONBUILD_TRIGGER
        _split_trigger_time(block, chain)


def _split_trigger_time(block: list[BuildStep], chain: list[dict]) -> None:
    """The time of each of a FROM's trigger steps (``block``; ``chain``: `docker inspect` of the base, then each
    trigger's image): a trigger the cache served 0, one that ran after another that ran the time between their
    commits (Created), the first that ran (else the first) the rest of the time the stream gave them all."""
    served = sum(one.cached for one in block)
    first = served if served < len(block) else 0
    total = sum(one.seconds for one in block)
    for k, one in enumerate(block):
        if k < served:
            one.seconds = 0.0
        elif k > first:
            between = _created(chain[k + 1]) - _created(chain[k])
            one.seconds = max(0.0, between) if between == between else 0.0
    block[first].seconds = max(0.0, total - sum(one.seconds for k, one in enumerate(block) if k != first))


_CREATED = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$")


def _created(inspected: dict) -> float:
    """An image's Created (RFC 3339 with up to nanoseconds, as the engine writes it) in seconds since the epoch;
    NaN when it cannot be read. Raises nothing."""
    found = _CREATED.match(str(inspected.get("Created") or ""))
    if not found:
        return float("nan")
    zone = "+00:00" if found.group(3) == "Z" else found.group(3)
    whole = datetime.datetime.fromisoformat(found.group(1) + zone).timestamp()
    return whole + float("0." + (found.group(2) or "0"))


def _fill_layer_sizes(client, steps: Iterable[BuildStep]) -> None:
    """Bytes each step added: its image's size minus the previous step's (per stage)."""
    previous: int | None = None
    for step in steps:
        size = None
        if step.image_id:
            try:
                size = int(client.api.inspect_image(step.image_id)["Size"])
            except docker.errors.APIError:
                size = None
        if step.instruction.upper().startswith("FROM"):
            step.size_added = 0
            if size is None and step.instruction.split()[1:2] == ["scratch"]:
                size = 0  # the empty image has no id of its own on the classic builder
        elif size is not None and previous is not None:
            step.size_added = max(0, size - previous)
        previous = size


class _ProgressBar:
    """Step N/M and the instruction (:mod:`dockerlab.progress` draws it: a bar in a live kernel,
    a line per step in a terminal, nothing in an executed notebook)."""

    def __init__(self, name: str) -> None:
        self._progress = show_progress(f"build {name}", unit="step")

    def step(self, description: str) -> None:
        self._progress.advance(1, note=description)

    def close(self) -> None:
        self._progress.close()
