"""Run a Docker build through the engine's streaming API and turn it into numbers.

The stream is parsed by :class:`BuildStreamParser` (pure, testable on recorded streams), and
:func:`build` adds the engine: context, live progress, layer sizes and clean errors.
"""
from __future__ import annotations

import io
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import docker.errors
import requests.exceptions
from docker.utils.build import tar as make_context_tar

from . import engine
from .errors import BuildFailed, DockerlabError
from .labels import COURSE_LABELS
from .recording import recordable

__all__ = ["build", "BuildResult", "BuildStep", "BuildStreamParser", "dockerfile_text"]

LOG_TAIL_LINES = 30
INLINE_DOCKERFILE_NAME = ".dockerlab.Dockerfile"
_STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")
_EXIT_CODE = re.compile(r"returned a non-zero code: (\d+)")
_LAYER_ID = re.compile(r"^ ---> ([0-9a-f]{12,64})$")


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
    added_by_dockerlab: bool = False  # the LABEL step the engine appends for build labels


@dataclass
class BuildResult:
    """What a build produced: the image, its tags, wall time, every step, and the full log."""

    image_id: str
    tags: list[str]
    seconds: float
    build_steps: list[BuildStep]
    log: list[str] = field(repr=False)
    context_bytes: int = 0

    @property
    def dockerfile_steps(self) -> list[BuildStep]:
        """The steps of the Dockerfile itself, without the course-label step the engine appends."""
        return [step for step in self.build_steps if not step.added_by_dockerlab]

    @property
    def steps(self):
        """A DataFrame of the Dockerfile's steps: step, instruction, cached, seconds, size_added (bytes)."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "step": s.number,
                    "instruction": s.instruction,
                    "cached": s.cached,
                    "seconds": round(s.seconds, 3),
                    "size_added": s.size_added,
                }
                for s in self.dockerfile_steps
            ],
            columns=["step", "instruction", "cached", "seconds", "size_added"],
        )

    @property
    def cached_steps(self) -> int:
        return sum(s.cached for s in self.dockerfile_steps)

    def _repr_html_(self) -> str:
        from .units import format_bytes

        table = self.steps.assign(
            size_added=lambda df: df["size_added"].map(lambda b: "" if b is None or b != b else format_bytes(b))
        )
        head = (
            f"<p><b>{', '.join(self.tags) or self.image_id[:19]}</b>: {len(self.dockerfile_steps)} steps, "
            f"{self.cached_steps} from cache, {self.seconds:.1f} s</p>"
        )
        return head + table.to_html(index=False)


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
        self._partial = ""

    @property
    def current(self) -> BuildStep | None:
        return self.steps[-1] if self.steps else None

    def feed(self, chunk: Mapping[str, Any], at: float) -> None:
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
        if self._partial:
            self._line(self._partial, at)
            self._partial = ""
        self._close_current(at)

    def _line(self, line: str, at: float) -> None:
        self.log.append(line)
        step = _STEP.match(line)
        if step:
            self._close_current(at)
            self.total_steps = int(step.group(2))
            self.steps.append(BuildStep(int(step.group(1)), step.group(3).strip(), started=at))
            return
        current = self.current
        if current is None:
            return
        if line.strip() == "---> Using cache":
            current.cached = True
            return
        layer = _LAYER_ID.match(line)
        if layer:
            current.image_id = layer.group(1)
            return
        if line.startswith("Successfully built "):
            self.image_id = self.image_id or line.split()[-1]
            self._close_current(at)

    def _close_current(self, at: float) -> None:
        current = self.current
        if current is not None and current.seconds == 0.0:
            current.seconds = max(0.0, at - current.started)

    def exit_code(self) -> int | None:
        if self.error_code:
            return int(self.error_code)
        found = _EXIT_CODE.search(self.error or "")
        return int(found.group(1)) if found else None


def dockerfile_text(context: str | os.PathLike, dockerfile: str | os.PathLike | None) -> tuple[str, str]:
    """The Dockerfile's text and where it came from, whether given as a path or as text."""
    if dockerfile is None:
        dockerfile = "Dockerfile"
    if isinstance(dockerfile, str) and "\n" in dockerfile:
        return dockerfile, "the Dockerfile text given"
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


def _dockerignore_patterns(context: Path) -> list[str]:
    ignore = context / ".dockerignore"
    if not ignore.exists():
        return []
    lines = (line.strip() for line in ignore.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _from_image(instruction: str | None) -> str | None:
    words = (instruction or "").split()
    if len(words) >= 2 and words[0].upper() == "FROM":
        return next((word for word in words[1:] if not word.startswith("--")), None)
    return None


def _explain(error_text: str, instruction: str | None = None) -> str:
    """The learner's next step for the build errors the course meets."""
    text = error_text.lower()
    if "no such host" in text or "dial tcp" in text or "i/o timeout" in text:
        from .bases import catalogue_image

        image = _from_image(instruction)
        try:
            catalogue_image(image or "")
        except DockerlabError:
            if image:
                return (
                    f"The FROM line names {image}, which is not on this machine, and no registry answers to pull it. "
                    "Check the name and tag; course base images come from `dockerlab prepare`."
                )
        return (
            "A base image is missing and no registry answers. Run `dockerlab prepare` "
            "(it builds stand-ins when Docker Hub is unreachable), then build again."
        )
    if "pull access denied" in text or "manifest unknown" in text or "not found: manifest" in text:
        return "The FROM line names an image that does not exist locally or in the registry. Check its spelling and tag."
    if "toomanyrequests" in text:
        return "Docker Hub's pull rate limit was hit. Wait, log in (`docker login`), or use `dockerlab prepare --load` with a room bundle."
    if "copy failed" in text or "add failed" in text or "no such file or directory" in text and "stat" in text:
        return "A COPY/ADD source is not in the build context (or .dockerignore excludes it). Check the path relative to the context folder."
    if "dockerfile parse error" in text or "unknown instruction" in text:
        return "The Dockerfile has a syntax error at the line named above. Each line starts with an instruction such as FROM, RUN, COPY."
    if "returned a non-zero code" in text:
        return "A RUN command failed inside the build. The log tail above shows its output."
    if "invalid tag" in text or "invalid reference format" in text:
        return "An image name is lowercase letters, digits and the separators . _ - (for example myapp:1.0)."
    if "certificate verify failed" in text or "x509" in text:
        return "TLS to the internet is intercepted here. Build FROM an image that trusts the host CA: dl.bases.with_host_ca(image)."
    return "Read the log tail above; fix the Dockerfile or the context and build again."


def _untag_stale(client, tag: str | None) -> None:
    """After a failed build, a tag must not keep pointing at an image from an earlier build."""
    if not tag:
        return
    try:
        client.api.remove_image(tag, noprune=True)
    except docker.errors.APIError:
        pass


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
    progress: bool = True,
    on_step: Callable[[BuildStep, int | None], None] | None = None,
) -> BuildResult:
    """Build an image from ``context`` and return its steps, timings and layer sizes.

    ``dockerfile`` is a path (relative to the context) or the Dockerfile text itself. ``ignore``
    adds patterns to the context's `.dockerignore` for this build (the folder is not changed).
    Every image carries the course label. A failing build raises :class:`BuildFailed`.
    """
    context_dir = Path(context)
    if not context_dir.is_dir():
        raise DockerlabError(
            f"The build context {context_dir} is not a folder.",
            fix="Pass the folder whose files the Dockerfile copies (often the app's folder).",
        )
    text, _ = dockerfile_text(context_dir, dockerfile)
    client = engine.client()
    all_labels = {**COURSE_LABELS, **(labels or {})}
    context_tar = make_context_tar(
        str(context_dir), exclude=_dockerignore_patterns(context_dir) + list(ignore), dockerfile=(INLINE_DOCKERFILE_NAME, text)
    )
    context_bytes = context_tar.seek(0, io.SEEK_END)
    context_tar.seek(0)

    parser = BuildStreamParser()
    bar = _ProgressBar(tag or "image") if progress else None
    started = time.perf_counter()
    try:
        stream = client.api.build(
            fileobj=context_tar,
            custom_context=True,
            dockerfile=INLINE_DOCKERFILE_NAME,
            tag=tag,
            target=target,
            buildargs=dict(buildargs or {}),
            nocache=nocache,
            labels=all_labels,
            rm=True,
            forcerm=True,
            decode=True,
        )
        seen_steps = 0
        for chunk in stream:
            parser.feed(chunk, time.perf_counter() - started)
            if len(parser.steps) != seen_steps:
                seen_steps = len(parser.steps)
                if bar:
                    bar.step(parser.current, parser.total_steps)
                if on_step:
                    on_step(parser.current, parser.total_steps)
    except docker.errors.APIError as error:
        parser.error = str(error.explanation or error)
    except requests.exceptions.RequestException as error:
        parser.error = f"lost the connection to the engine: {error}"
    except docker.errors.DockerException as error:
        parser.error = str(error)
    finally:
        elapsed = time.perf_counter() - started
        parser.finish(elapsed)
        if bar:
            bar.close()
        context_tar.close()

    if parser.error or not parser.image_id:
        _untag_stale(client, tag)
        reason = parser.error or "the engine ended the build without an image"
        current = parser.current
        raise BuildFailed(
            reason,
            step=current.number if current else None,
            instruction=current.instruction if current else None,
            exit_code=parser.exit_code(),
            log_tail=parser.log[-LOG_TAIL_LINES:],
            fix=_explain(reason, current.instruction if current else None),
        )

    # Build labels reach the classic builder as one extra LABEL step after the Dockerfile's last.
    if parser.steps and parser.steps[-1].instruction.startswith("LABEL ") and all(
        f"{key}={value}" in parser.steps[-1].instruction for key, value in all_labels.items()
    ):
        parser.steps[-1].added_by_dockerlab = True
    _fill_layer_sizes(client, parser.steps)
    image_id = parser.image_id if parser.image_id.startswith("sha256:") else client.images.get(parser.image_id).id
    return BuildResult(
        image_id=image_id,
        tags=[tag] if tag else [],
        seconds=elapsed,
        build_steps=parser.steps,
        log=parser.log,
        context_bytes=context_bytes,
    )


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
        elif size is not None and previous is not None:
            step.size_added = max(0, size - previous)
        previous = size


class _ProgressBar:
    """Step N/M, the instruction, and elapsed time; one line that updates, not a wall of log."""

    def __init__(self, name: str) -> None:
        from tqdm.auto import tqdm

        self._bar = tqdm(total=None, desc=f"build {name}", unit="step", leave=False, bar_format="{desc} {elapsed}")
        self._name = name

    def step(self, step: BuildStep | None, total: int | None) -> None:
        if step is None:
            return
        if total and self._bar.total != total:
            self._bar.total = total
        self._bar.set_description_str(f"build {self._name}: step {step.number}/{total} {step.instruction[:60]}")
        self._bar.update(1)

    def close(self) -> None:
        self._bar.close()
