"""Experiments a notebook runs in one line; each returns a tidy DataFrame of real measurements.

Repeated runs are kept as rows (one per run); :func:`summary` gives median with min-max.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import os
import re
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from collections.abc import Mapping, Sequence

import html
import json
from dataclasses import dataclass

import docker.errors
import requests.exceptions

from .columns import (BUILDER_BUILDS, CACHE_BUILDS, CACHE_MOUNT_BUILDS, IGNORE_BUILDS, KERNELS, MULTI_STAGE, RACE_RUNS, RACE_SUMMARY,
                      RUN_EACH, STAGE_BUILDS, STARTS, SUMMARY, VM_AND_CONTAINER_RUNS, declares, is_missing)
from . import containers, engine, recording, vm
from .builder import build, build_replacing, dockerfile_text
from .dockerfile import runs_pip_install
from .errors import ContainerFailed, DockerlabError, ImageNotFound
from .interrupts import held
from .differences import compare
from .labels import CREATED_LABELS, course_tag
from .recording import recordable
from .units import format_bytes

if TYPE_CHECKING:  # the return annotations name it; pandas itself is imported where a table is made
    import pandas as pd

__all__ = [
    "layer_cache", "compared_builders", "cache_mount", "cache_mount_verdict", "CacheMountVerdict", "CACHE_MOUNT_LABEL", "stage_skipping", "builders",
    "buildkit_over_classic", "repeats", "edit_like_a_learner", "multi_stage", "start_time", "idle_memory", "vm_vs_container", "kernels", "run_each",
    "outputs_of_each", "summary",
    "vm_to_container_ratios", "parallel_explained",
    "dockerignore", "compose_race", "race_summary", "failure_cause", "lost_the_race", "FAILURE_CAUSES", "RACE_CAUSES", "WRONG_HOST", "API_EXITED",
    "API_NOT_SERVING", "DATABASE_EXITED", "SCENARIOS",
]

SCENARIOS = ("cold", "none", "code", "requirements")
_EDIT_MEANING = {
    "cold": "first build, nothing cached",
    "none": "rebuild, nothing changed",
    "code": "rebuild after editing a source file",
    "requirements": "rebuild after editing the requirements file",
}


def compared_builders() -> tuple[str, ...]:
    """The builders notebook 03's cache experiment compares: BuildKit and the classic builder, as
    `make record` measures them; BuildKit only when ``DOCKERLAB_REPEAT=1`` in live mode (a CI run, which
    checks that the notebook runs, within its time budget; it says so when it skips the classic series).
    Recorded mode always asks for what was recorded.
    Returns a tuple of builder names. Raises DockerlabError for a DOCKERLAB_MODE that is not a mode."""
    if os.environ.get("DOCKERLAB_REPEAT", "").strip() == "1" and recording.current() == recording.LIVE:
        print("DOCKERLAB_REPEAT=1 (a CI run): the classic builder's series is left out; the recorded results have both.")
        return ("buildkit",)
    return ("buildkit", "classic")


def repeats(default: int) -> int:
    """How many times an experiment repeats when the caller does not say: ``DOCKERLAB_REPEAT`` if set
    (CI sets 1 to fit its time budget), else the experiment's own default (what `make record` measures).
    Raises DockerlabError when DOCKERLAB_REPEAT is set to anything but a positive whole number."""
    value = os.environ.get("DOCKERLAB_REPEAT", "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise DockerlabError(f"DOCKERLAB_REPEAT={value!r} is not a positive whole number.", fix="Set DOCKERLAB_REPEAT=1 (or unset it).")
    return int(value)


@declares(SUMMARY)
def summary(results, by: Sequence[str] | str, value: str = "seconds") -> pd.DataFrame:
    """Median with min and max (and n) of ``value`` (a column of ``results``, seconds by default) per
    group of the ``by`` columns: how the course reports repeated runs. One row per group, in the order
    the groups first appear. {columns} Raises DockerlabError when ``by`` or ``value`` names a column
    ``results`` does not have."""
    by = [by] if isinstance(by, str) else list(by)
    missing = [key for key in [*by, value] if key not in results.columns]
    if missing:
        raise DockerlabError(f"The table has no column {', '.join(map(repr, missing))}; its columns are {list(results.columns)}.",
                             fix="Name columns of the table the experiment returned (by=..., value=...).")
    grouped = results.groupby(by, sort=False)[value]
    table = grouped.agg(median="median", min="min", max="max", n="count").reset_index()
    return table


def edit_like_a_learner(path: Path, label: str) -> None:
    """Edit a file the way a learner would (one more comment line), with text never built before:
    BuildKit's cache is keyed by content, so an edit repeated from an earlier experiment, check or
    run of the same cell would come from the cache instead of being rebuilt.
    Returns None. Raises OSError when ``path`` cannot be read or written."""
    _append_line(path, f"# edit {label} ({uuid.uuid4().hex[:12]})")


def _append_line(path: Path, line: str) -> None:
    text = path.read_text()
    path.write_text(text + ("" if text.endswith("\n") or not text else "\n") + line + "\n")


@recordable("experiments.layer_cache")
@declares(CACHE_BUILDS)
def layer_cache(
    app_dir: str | Path,
    dockerfiles: Mapping[str, str | Path],
    edits: Sequence[str] = ("none", "code", "requirements"),
    *,
    repeat: int | None = None,
    builders: Sequence[str] = ("buildkit",),
    code_file: str = "app.py",
    requirements_file: str = "requirements.txt",
    progress: bool = False,
) -> pd.DataFrame:
    """Cold build, then a rebuild per edit, for each Dockerfile and builder, ``repeat`` times
    (default 3, or ``DOCKERLAB_REPEAT``).

    Works on a copy of ``app_dir`` (your files are never edited). One row per build. {columns}
    Raises DockerlabError for an unknown edit or a missing file, BuildFailed when a build fails.
    """

    unknown = [edit for edit in edits if edit not in SCENARIOS[1:]]
    if unknown:
        raise DockerlabError(f"Unknown edit(s) {unknown}.", fix=f"Use any of {SCENARIOS[1:]}.")
    source = Path(app_dir)
    for needed in {"code": code_file, "requirements": requirements_file}.items():
        if needed[0] in edits and not (source / needed[1]).is_file():
            raise DockerlabError(
                f"The {needed[0]} edit needs {source / needed[1]}, which does not exist.",
                fix=f"Pass {needed[0]}_file= naming a file in {source}.",
            )
    texts = {name: dockerfile_text(source, dockerfile)[0] for name, dockerfile in dockerfiles.items()}
    rows = []
    for run in range(1, (repeat or repeats(3)) + 1):
        for builder in builders:
            for name, text in texts.items():
                with tempfile.TemporaryDirectory(prefix="dockerlab-cache-") as folder:
                    context = Path(folder) / "app"
                    shutil.copytree(source, context)
                    tag = course_tag("cache", f"{name} {builder}")
                    for scenario in ("cold", *edits):
                        if scenario == "code":
                            edit_like_a_learner(context / code_file, str(run))
                        elif scenario == "requirements":
                            edit_like_a_learner(context / requirements_file, str(run))
                        result = build_replacing(context, text, tag=tag, nocache=scenario == "cold", builder=builder, progress=progress)
                        rows.append(_cache_row(result, builder, name, tag, scenario, run))
    table = CACHE_BUILDS.frame(rows)
    table.attrs["experiment"] = "layer_cache"
    return table


def _rebuilt(result) -> list:
    """The steps that ran again (not from the cache), FROM lines left out."""
    return [step for step in result.dockerfile_steps if not step.cached and not step.instruction.upper().startswith("FROM")]


def _cache_row(result, builder: str, name: str, tag: str, scenario: str, run: int) -> dict:
    rebuilt = _rebuilt(result)
    return {
        "builder": builder,
        "dockerfile": name,
        "image": tag,
        "scenario": scenario,
        "meaning": _EDIT_MEANING[scenario],
        "run": run,
        "seconds": result.seconds,
        "steps": len(result.dockerfile_steps),
        "rebuilt": len(rebuilt),
        "rebuilt_steps": [step.instruction for step in rebuilt],
        "step_detail": result.steps,
    }


CACHE_MOUNT = "--mount=type=cache,target=/root/.cache/pip"
# pip install, however pip is called: pip, pip3, pip3.11, python -m pip, python3 -m pip.


def _with_cache_mount(text: str) -> tuple[str, str]:
    """(without, with): the Dockerfile's pip install line as a plain RUN, and the same line with a cache mount.

    Only the mount differs: ``--no-cache-dir`` is dropped from both (it would leave the mount nothing to keep)."""
    lines = text.splitlines()
    for number, line in enumerate(lines):
        words = line.split()
        if words[:1] == ["RUN"] and runs_pip_install(line):
            plain = " ".join(word for word in words if word != "--no-cache-dir")
            without = "\n".join(lines[:number] + [plain] + lines[number + 1:]) + "\n"
            mounted = plain.replace("RUN ", f"RUN {CACHE_MOUNT} ", 1)
            return without, "\n".join(lines[:number] + [mounted] + lines[number + 1:]) + "\n"
    raise DockerlabError("The Dockerfile has no `RUN ... pip install` line to give a cache mount.", fix="Pass a Dockerfile that installs with pip.")


def _cache_mount_bytes(target: str) -> int | None:
    """Bytes in BuildKit's cache mount for ``target`` (its default id), measured by a probe build that
    mounts it and runs `du` (``docker system df`` works a cache mount's size out once and never
    updates it). The probe's command is unique, so it always runs; its image is removed."""
    probe = f"FROM alpine:3.20\nRUN --mount=type=cache,target={target} echo probe {uuid.uuid4().hex} && du -sk {target}\n"
    with tempfile.TemporaryDirectory(prefix="dockerlab-probe-") as folder:
        result = build(folder, probe, builder="buildkit", progress=False)
    try:
        engine.client().api.remove_image(result.image_id, force=True)
    except docker.errors.APIError:
        pass
    found = re.search(rf"^#\d+ [\d.]+ (\d+)\s+{re.escape(target)}$", result.plain_log, re.MULTILINE)
    return int(found.group(1)) * 1024 if found else None


# What pip's HTTP cache needs from the package index: a response it may store (Cache-Control) or
# revalidate (ETag). One HEAD request to the index page of one requirement, from the image that runs
# the install (so with the CA and the index it trusts): traffic only to where pip goes anyway.
_CACHE_HEADERS_PROBE = """\
import json, os, re, sys, urllib.request
name = re.sub(r"[-_.]+", "-", sys.argv[1]).lower()
url = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/") + "/" + name + "/"
try:
    request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "dockerlab cache-header probe"})
    with urllib.request.urlopen(request, timeout=30) as response:
        headers = {key.lower(): value for key, value in response.headers.items()}
        print(json.dumps({"url": url, "status": response.status, "cache-control": headers.get("cache-control"), "etag": headers.get("etag")}))
except Exception as error:
    print(json.dumps({"url": url, "error": type(error).__name__ + ": " + str(error)[:200]}))
"""


def _install_base(text: str) -> str | None:
    """The image the pip install line runs in: the last ``FROM`` before it (its name, flags left out)."""
    base = None
    for line in text.splitlines():
        words = line.split()
        if words[:1] and words[0].upper() == "FROM":
            names = [word for word in words[1:] if not word.startswith("--")]
            base = names[0] if names else None
        elif words[:1] == ["RUN"] and runs_pip_install(line):
            return base
    return base


def _first_requirement(path: Path) -> str | None:
    """The name of the first package ``path`` (a requirements file) asks for; None when it names none."""
    for line in path.read_text().splitlines():
        found = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
        if found and not line.lstrip().startswith(("#", "-")):
            return found.group(1)
    return None


def _caching_headers(image: str, requirement: str) -> dict:
    """Whether the package index answers with the headers pip's HTTP cache needs, asked from ``image``
    (one HEAD request for ``requirement``'s index page). Returns {"url", "status", "cache-control",
    "etag"} (None for a header that did not come back), or {"url", "error"} when the request failed, or
    {"error"} when the probe did not run. Raises nothing."""
    try:
        ran = containers.run(image, ["python3", "-c", _CACHE_HEADERS_PROBE, requirement], timeout=90)
    except DockerlabError as error:
        return {"error": f"the probe could not run in {image}: {error}"}
    lines = ran.output.strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, ValueError):
        return {"error": f"the probe in {image} printed no answer (exit {ran.exit_code}): {ran.output.strip()[-200:]}"}


@recordable("experiments.cache_mount")
@declares(CACHE_MOUNT_BUILDS)
def cache_mount(
    app_dir: str | Path,
    dockerfile: str | Path = "Dockerfile",
    *,
    repeat: int | None = None,
    requirements_file: str = "requirements.txt",
    progress: bool = False,
) -> pd.DataFrame:
    """A requirements edit rebuilt with and without ``RUN --mount=type=cache,target=/root/.cache/pip``
    (BuildKit), ``repeat`` times (default 3, or ``DOCKERLAB_REPEAT``), on a copy of ``app_dir``.

    Per variant and run: a cold build (``--no-cache``, which also starts the mount empty), then an
    edit of the requirements file and a rebuild, which re-runs the install either way. cache_bytes is
    measured by a probe build that mounts the cache and runs `du` (1 KiB resolution). When the mount
    held next to nothing after a cold build (see :func:`cache_mount_verdict`), one HEAD request from the
    install's base image asks the package index for the first requirement's page and keeps whether
    Cache-Control and ETag came back (pip stores only what they allow) in ``attrs["cache_headers"]``.
    One row per build. {columns}
    Raises DockerlabError when there is no pip install line or no BuildKit.
    """

    source = Path(app_dir)
    original = dockerfile_text(source, dockerfile)[0]
    without, mounted = _with_cache_mount(original)
    rows = []
    for run in range(1, (repeat or repeats(3)) + 1):
        for variant, text in (("without cache mount", without), ("with cache mount", mounted)):
            with tempfile.TemporaryDirectory(prefix="dockerlab-mount-") as folder:
                context = Path(folder) / "app"
                shutil.copytree(source, context)
                for scenario in ("cold", "requirements"):
                    if scenario == "requirements":
                        edit_like_a_learner(context / requirements_file, str(run))
                    result = build_replacing(context, text, tag=course_tag("mount", variant), nocache=scenario == "cold", builder="buildkit", progress=progress)
                    install = [step for step in result.dockerfile_steps if step.instruction.startswith("RUN") and runs_pip_install(step.instruction)]
                    rows.append(
                        {
                            "variant": variant,
                            "run": run,
                            "scenario": scenario,
                            "meaning": _EDIT_MEANING[scenario],
                            "seconds": result.seconds,
                            "install_seconds": install[0].seconds if install else None,
                            "install_bytes": install[0].size_added if install else None,
                            "cache_bytes": _cache_mount_bytes("/root/.cache/pip") if CACHE_MOUNT in text else None,
                            "dockerfile_text": text,
                        }
                    )
    table = CACHE_MOUNT_BUILDS.frame(rows)
    table.attrs["experiment"] = "cache_mount"
    held, installed = _mount_after_cold_build(table)
    base, requirement = _install_base(original), _first_requirement(source / requirements_file)
    if held is not None and held < _empty_below(installed) and base and requirement:
        table.attrs["cache_headers"] = _caching_headers(base, requirement)
    return table


CACHE_MOUNT_LABEL = "rebuild after a requirements edit, with cache mount / without"
EMPTY_MOUNT_SHARE = 0.01  # a mount holding less than 1 % of what the install added to the image kept next to nothing
EMPTY_MOUNT_FLOOR = 64_000  # bytes: an empty mount measures 4096 B (du counts the folder itself)


def _empty_below(installed: float | None) -> float:
    return max(EMPTY_MOUNT_FLOOR, EMPTY_MOUNT_SHARE * installed) if installed else EMPTY_MOUNT_FLOOR


def _mount_after_cold_build(mounts) -> tuple[int | None, int | None]:
    """(most bytes the mount held after a cold build, most bytes that build's install added to the image)."""
    cold = mounts[(mounts["variant"] == "with cache mount") & (mounts["scenario"] == "cold")]
    held = cold["cache_bytes"].dropna()
    installed = cold["install_bytes"].dropna()
    return (int(held.max()) if len(held) else None), (int(installed.max()) if len(installed) else None)


@dataclass(frozen=True)
class CacheMountVerdict:
    """What notebook 03's cache-mount experiment shows, computed from its table (:func:`cache_mount_verdict`).

    ``verdict``: "shown" when the mount held pip's downloads after the cold build (``ratio`` is then the
    figure: the with-mount rebuild's median seconds / the without-mount one's), "not shown" when it
    held next to nothing (``ratio`` is None: the two rebuilds did the same work, and their difference is
    noise). ``cache_bytes``/``install_bytes``: bytes, what the mount held and what the install added to
    the image; ``with_seconds``/``without_seconds``: median seconds of the rebuilds after the edit;
    ``cache_headers``: the index's caching headers when they were probed (None: not probed)."""

    verdict: str
    ratio: float | None
    with_seconds: float | None
    without_seconds: float | None
    runs: int
    cache_bytes: int | None
    install_bytes: int | None
    cache_headers: dict | None
    sentence: str
    label: str = CACHE_MOUNT_LABEL

    @property
    def shown(self) -> bool:
        return self.verdict == "shown"

    def __str__(self) -> str:
        return self.sentence

    def _repr_html_(self) -> str:
        return f"<p><b>cache mount: {html.escape(self.verdict)}</b>. {html.escape(self.sentence)}</p>"


def _why_empty(headers: dict | None) -> str:
    """Why pip kept nothing, from the probe of the index's caching headers."""
    if headers is None:
        return ("the index's caching headers were not probed in this run, so the cause is not measured "
                "(pip stores a download only when the index's Cache-Control or ETag header allows it)")
    if "status" not in headers:
        return f"the probe of the index's caching headers failed ({headers.get('error', 'no answer')}), so the cause is not measured"
    if not headers.get("cache-control") and not headers.get("etag"):
        return (f"the package index's answer for {headers.get('url')} came back with no Cache-Control and no ETag header "
                "(on this network a TLS-intercepting proxy strips them), and pip stores a download only when those headers "
                "allow it; on PyPI itself they are there and pip fills the mount")
    return (f"the index did send caching headers (Cache-Control: {headers.get('cache-control')}, ETag: {headers.get('etag')}), "
            "so the cause is elsewhere: run the install with pip -vvv to see what pip did with its cache")


def cache_mount_verdict(mounts) -> CacheMountVerdict:
    """The verdict on the cache mount from :func:`cache_mount`'s table (and its ``attrs["cache_headers"]``):
    "not shown" when the mount held next to nothing after the cold build (under 1 % of what the
    install added to the image, and under 64 kB at least), with the measured reason; otherwise "shown",
    with the rebuild ratio (median seconds with the mount / without, after the requirements edit).
    Returns a CacheMountVerdict. Raises DockerlabError for a table without the experiment's columns or rows."""
    missing = [key for key in CACHE_MOUNT_BUILDS.keys if key not in getattr(mounts, "columns", ())]
    if missing:
        raise DockerlabError(f"cache_mount_verdict(): the table has no column {', '.join(map(repr, missing))}.",
                             fix="Pass the table dl.experiments.cache_mount(...) returned.")
    edits = mounts[mounts["scenario"] == "requirements"]
    medians = summary(edits, "variant").set_index("variant") if len(edits) else None
    if medians is None or not {"with cache mount", "without cache mount"} <= set(medians.index):
        raise DockerlabError("cache_mount_verdict(): the table has no rebuild after a requirements edit for both variants.",
                             fix="Pass the table dl.experiments.cache_mount(...) returned.")
    with_seconds, without_seconds = float(medians.loc["with cache mount", "median"]), float(medians.loc["without cache mount", "median"])
    runs = int(medians.loc["with cache mount", "n"])
    held, installed = _mount_after_cold_build(mounts)
    headers = mounts.attrs.get("cache_headers")
    timing = (f"the rebuild after editing the requirements took {with_seconds:.3g} s with the mount and {without_seconds:.3g} s "
              f"without (median of {runs} run{'s' if runs != 1 else ''} each)")
    common = dict(with_seconds=with_seconds, without_seconds=without_seconds, runs=runs, cache_bytes=held, install_bytes=installed, cache_headers=headers)
    if held is None or held < _empty_below(installed):
        held_text = "was not measured" if held is None else f"held {format_bytes(held)}"
        installed_text = f" (the install added {format_bytes(installed)} to the image)" if installed else ""
        sentence = (f"Not shown on this network: after the cold build the cache mount {held_text}{installed_text}, so pip kept "
                    f"nothing for the rebuild to reuse and no speed-up can be measured; {timing}, the same work both times, "
                    f"so their difference is noise, not the mount. Why the mount stayed empty: {_why_empty(headers)}.")
        return CacheMountVerdict("not shown", None, sentence=sentence, **common)
    ratio = with_seconds / without_seconds
    sentence = (f"Shown: after the cold build the cache mount held {format_bytes(held)} of pip's downloads; {timing}: "
                f"with the mount the rebuild took {ratio:.2f} of the time.")
    return CacheMountVerdict("shown", ratio, sentence=sentence, **common)


@recordable("experiments.stage_skipping")
@declares(STAGE_BUILDS)
def stage_skipping(context: str | Path, dockerfile: str | Path = "Dockerfile", *, repeat: int | None = None, progress: bool = False) -> pd.DataFrame:
    """The same multi-stage Dockerfile built cold (``--no-cache``) by BuildKit and by the classic builder,
    ``repeat`` times (default 3, or ``DOCKERLAB_REPEAT``).

    BuildKit builds only the stages the final image needs; the classic builder builds every stage,
    in order. One row per build. {columns} Raises BuildFailed when a build fails.
    """

    text = dockerfile_text(Path(context), dockerfile)[0]
    rows = []
    for run in range(1, (repeat or repeats(3)) + 1):
        for builder in ("buildkit", "classic"):
            result = build_replacing(context, text, tag=course_tag("skip", builder), nocache=True, builder=builder, progress=progress)
            stages = list(dict.fromkeys(step.stage for step in result.dockerfile_steps))
            rows.append({"builder": builder, "run": run, "seconds": result.seconds, "stages_built": stages, "steps_run": len(result.dockerfile_steps)})
    table = STAGE_BUILDS.frame(rows)
    table.attrs["experiment"] = "stage_skipping"
    return table


@recordable("experiments.builders", version=2)
@declares(BUILDER_BUILDS)
def builders(context: str | Path, dockerfile: str | Path = "Dockerfile", *, repeat: int | None = None, progress: bool = False) -> pd.DataFrame:
    """Cold build time (``--no-cache``) of one Dockerfile, classic builder vs BuildKit, interleaved,
    ``repeat`` times (default 3, or ``DOCKERLAB_REPEAT``). One row per build. {columns} The engine's CPU
    count is kept in ``attrs["cpus"]``. Use :func:`summary` for the median with min-max and
    :func:`parallel_explained` for what the RUN steps spent their time on. Raises BuildFailed when a build fails."""

    text = dockerfile_text(Path(context), dockerfile)[0]
    rows = []
    for run in range(1, (repeat or repeats(3)) + 1):
        order = ("classic", "buildkit") if run % 2 else ("buildkit", "classic")  # neither always goes first
        for builder in order:
            result = build_replacing(context, text, tag=course_tag("builders", builder), nocache=True, builder=builder, progress=progress)
            ran = [{"stage": step.stage, "started": step.started, "seconds": step.seconds} for step in result.dockerfile_steps
                   if step.instruction.upper().startswith("RUN") and not step.cached]
            rows.append({"builder": builder, "run": run, "seconds": result.seconds, "image_id": result.image_id, "run_steps": ran})
    table = BUILDER_BUILDS.frame(rows)
    table.attrs["experiment"] = "builders"
    table.attrs["cpus"] = int(engine.client().info().get("NCPU", 0)) or None  # the CPUs the stages share
    return table


def parallel_explained(results) -> str:
    """What the RUN steps of :func:`builders`' table spent their time on, in a sentence computed from it:
    when BuildKit ran steps of different stages at once, how long each took side by side against alone
    (the classic builder's run of the same step), how much they overlapped, and, with the engine's CPU
    count (``attrs["cpus"]``), about how many CPUs one step kept busy alone (medians over the runs;
    assumes CPU-bound steps). Returns a str. Raises DockerlabError for a table without RUN step timings
    of both builders in at least two stages."""
    if "run_steps" not in getattr(results, "columns", ()) or "builder" not in results.columns:
        raise DockerlabError("parallel_explained(): the table has no run_steps column.", fix="Pass the table dl.experiments.builders(...) returned.")
    seconds: dict[str, dict[str, list[float]]] = {"buildkit": {}, "classic": {}}
    overlaps, together = [], []
    for row in results.to_dict("records"):
        steps = [step for step in (row["run_steps"] or []) if step.get("stage")]
        for step in steps:
            seconds.setdefault(row["builder"], {}).setdefault(step["stage"], []).append(float(step["seconds"]))
        if row["builder"] == "buildkit" and len({step["stage"] for step in steps}) >= 2:
            ends = [step["started"] + step["seconds"] for step in steps]
            overlaps.append(max(0.0, min(ends) - max(step["started"] for step in steps)))
            together.append(max(ends) - min(step["started"] for step in steps))
    stages = [stage for stage in seconds["buildkit"] if stage in seconds["classic"]]
    if len(stages) < 2 or not together:
        raise DockerlabError("parallel_explained(): the table has no RUN steps of two stages timed by both builders.",
                             fix="Measure a Dockerfile with two independent stages that RUN something, with dl.experiments.builders(...).")
    side = {stage: statistics.median(seconds["buildkit"][stage]) for stage in stages}
    alone = {stage: statistics.median(seconds["classic"][stage]) for stage in stages}
    overlap, wall = statistics.median(overlaps), statistics.median(together)
    slower = statistics.median(side[stage] / alone[stage] for stage in stages if alone[stage] > 0) if any(alone.values()) else float("nan")
    names = " and ".join(stages)
    when = (f"at the same time (overlapping {overlap:.3g} s)" if overlap >= 0.5 * min(side.values()) else
            f"with little overlap ({overlap:.3g} s)")
    sentence = (f"BuildKit ran the RUN steps of {names} {when}; side by side they took "
                f"{' and '.join(f'{side[stage]:.3g} s' for stage in stages)}, against {' and '.join(f'{alone[stage]:.3g} s' for stage in stages)} "
                f"one after the other under the classic builder: each ran {slower:.2g}x as long, so together they took {wall:.3g} s where "
                f"one after the other took {sum(alone.values()):.3g} s.")
    cpus = results.attrs.get("cpus")
    if cpus:
        busy = slower * cpus / len(stages)
        if slower >= 1.3:
            sentence += (f" Running {len(stages)} steps at once helps only when there are idle CPUs: this engine has {cpus}, and slowing down "
                         f"{slower:.2g}x means one step alone already kept about {min(busy, cpus):.2g} of them busy (for CPU-bound work), "
                         f"so the two stages shared the same CPUs.")
        else:
            sentence += f" The steps barely slowed each other: this engine's {cpus} CPUs had room for both."
    median = results.groupby("builder")["seconds"].median()
    if {"buildkit", "classic"} <= set(median.index):
        sentence += f" Whole builds: BuildKit {median['buildkit']:.3g} s, the classic builder {median['classic']:.3g} s (median of each)."
    return sentence


def buildkit_over_classic(results, value: str = "seconds") -> tuple[float, str]:
    """(BuildKit's median ``value`` / the classic builder's, a sentence saying both medians and n) from a
    table with a ``builder`` column (:func:`stage_skipping`, :func:`builders`): below 1 when BuildKit is
    faster. Raises DockerlabError when either builder has no rows."""
    times = summary(results, "builder", value).set_index("builder")
    missing = [name for name in ("buildkit", "classic") if name not in times.index]
    if missing:
        raise DockerlabError(f"No {' or '.join(missing)} builds in this table.", fix="Measure with both builders (stage_skipping or builders).")
    buildkit, classic = times.loc["buildkit"], times.loc["classic"]
    ratio, n = float(buildkit["median"] / classic["median"]), int(buildkit["n"])
    runs = f"median of {n} cold build{'s' if n != 1 else ''} each"
    return ratio, (f"BuildKit took {buildkit['median']:.3g} s and the classic builder {classic['median']:.3g} s ({runs}): "
                   f"BuildKit's time is {ratio:.2f} of the classic builder's.")


@recordable("experiments.multi_stage", version=3)
@declares(MULTI_STAGE)
def multi_stage(
    context: str | Path,
    variants: Mapping[str, str | Path],
    *,
    repeat: int = 1,
    targets: Mapping[str, str] | None = None,
    serve_port: int | None = None,
    must_run: bool = False,
    progress: bool = False,
) -> pd.DataFrame:
    """Build each variant (cold, ``repeat`` times), check it works, and measure it: one row per variant.

    With ``serve_port`` each image must answer an HTTP request on that port (published on 127.0.0.1);
    with ``must_run`` it must run to exit code 0. A variant that does not work raises instead of
    being measured, and its image is removed, as a failed build leaves none ("answer" is "" when
    neither is asked). Each repeat's build replaces the one before (:func:`dockerlab.builder.build_replacing`):
    one image per variant stays. {columns}
    Raises BuildFailed when a build fails, ContainerFailed when a variant does not answer on ``serve_port``
    or does not exit 0 with ``must_run`` (``exit_code``), and what :func:`dockerlab.containers.run` raises for it
    (ContainerFailed).
    """
    timings: dict[str, list[float]] = {}
    tags: dict[str, str] = {}
    answers: dict[str, str] = {}
    for name, dockerfile in variants.items():
        tags[name] = course_tag("stages", name)
        for _ in range(repeat):  # each repeat replaces the last: one image per variant stays, not `repeat`
            result = build_replacing(context, dockerfile, tag=tags[name], target=(targets or {}).get(name), nocache=True, progress=progress)
            timings.setdefault(name, []).append(result.seconds)
        try:
            if serve_port is not None:
                served = containers.serve(tags[name], serve_port)
                if not served.ok:
                    raise ContainerFailed(f"the {name} image", "measure", f"it does not serve requests ({served})",
                                          "Fix the Dockerfile; the log above says why the program did not start.")
                answers[name] = served.body.strip()
            elif must_run:
                ran = containers.run(tags[name])
                if not ran.ok:
                    raise ContainerFailed(f"the {name} image", "measure", f"it exits {ran.exit_code}: {ran.output.strip()[-300:]}",
                                          "Fix the Dockerfile (its output above says why the program stopped).", exit_code=ran.exit_code)
                answers[name] = ran.output.strip()
        except DockerlabError:
            _drop_refused(tags[name])  # a variant that does not work leaves no image, as a build that fails leaves none
            raise
    measured = compare(*tags.values())
    measured.insert(1, "answer", [answers.get(name, "") for name in variants])  # "" where nothing was checked
    measured.insert(0, "variant", list(variants))
    measured["build_seconds"] = measured["variant"].map({name: statistics.median(values) for name, values in timings.items()})
    measured["build_min"] = measured["variant"].map({name: min(values) for name, values in timings.items()})
    measured["build_max"] = measured["variant"].map({name: max(values) for name, values in timings.items()})
    measured.attrs["experiment"] = "multi_stage"
    return measured


def _drop_refused(tag: str) -> None:
    """Take ``tag`` off the image multi_stage built and then refused to measure (it does not serve, or does not run
    to 0), and so remove that image when no other name or container keeps it (`docker rmi TAG`, never forced).
    Raises nothing (no engine, or the engine refuses: the image stays for `dockerlab clean`)."""
    try:
        with held():
            engine.client().api.remove_image(tag)
    except (DockerlabError, docker.errors.DockerException, requests.exceptions.RequestException):
        pass


@recordable("experiments.start_time")
@declares(STARTS)
def start_time(image: str, n: int = 20, command: Sequence[str] | None = ("true",)) -> pd.DataFrame:
    """Start-to-exit latency of ``docker run --rm IMAGE COMMAND``, ``n`` times: one row per run.
    {columns} Raises ImageNotFound when the image is not here, ContainerFailed when a container cannot
    start (the command does not exist in the image), does not exit within 120 s, or exits with a code
    other than 0 (``exit_code`` and the container's output in ``reason``)."""
    client = engine.client()
    try:
        client.api.inspect_image(image)
    except docker.errors.ImageNotFound:
        raise ImageNotFound(image) from None
    rows = []
    for run in range(1, n + 1):
        started = time.perf_counter()
        # create and start as `docker run` does; a command the image lacks is a ContainerFailed, not a raw API error
        container = containers._create_and_start(client, image, list(command) if command else None, labels=CREATED_LABELS)
        try:
            status = container.wait(timeout=120)
            seconds = time.perf_counter() - started
            code = status.get("StatusCode")
            output = container.logs(stdout=True, stderr=True).decode(errors="replace") if code != 0 else ""  # evidence, read before it goes
        except requests.exceptions.RequestException:
            raise ContainerFailed(image, "time", "it did not exit within 120 s",
                                  fix="Pick a command that exits on its own (e.g. true).") from None
        finally:
            container.remove(force=True, v=True)
        if code != 0:
            raise ContainerFailed(image, f"time `{' '.join(command or [])}` in", f"it exited {code}: {output.strip()[-300:] or '(it printed nothing)'}",
                                  "Pick a command that exists in the image and exits 0 (its output above says why this one failed).",
                                  exit_code=code if isinstance(code, int) else None)
        rows.append({"image": image, "run": run, "seconds": seconds})
    table = STARTS.frame(rows)
    table.attrs["experiment"] = "start_time"
    return table


@recordable("experiments.idle_memory", version=2)
def idle_memory(image: str, command: Sequence[str] = ("sleep", "3600")) -> dict[str, int | None]:
    """Memory an idle container of ``image`` costs, measured while it runs, in bytes: cgroup (what the
    container's processes use), shim (the containerd shim that keeps it alive on the host; None where
    it cannot be seen from here), total (the two together, or the cgroup alone without a shim figure).
    Raises ImageNotFound when the image is not here, and ContainerFailed when its container cannot be
    created or started (e.g. the command does not exist in the image)."""
    with containers.start(image, list(command)) as container:
        cgroup, shim = container.memory_usage(), container.shim_memory()
    return {"cgroup": cgroup, "shim": shim, "total": cgroup + (shim or 0)}


@recordable("experiments.vm_vs_container", version=3)
@declares(VM_AND_CONTAINER_RUNS)
def vm_vs_container(image: str = "alpine:3.20", *, containers: int = 20, vms: int = 3) -> pd.DataFrame:
    """Start-to-exit seconds and memory: ``containers`` runs of ``image`` against ``vms`` boots of a small VM.

    One row per run (``attrs["container_memory"]`` has the container memory's two parts). {columns} The VM
    rows come from :mod:`dockerlab.vm` (KVM where it really works here, else software emulation
    (TCG), as the accelerator column says). When no VM can be booted here (VmUnavailable, its assets do
    not build, or it does not boot in time), the table has container rows only and
    ``attrs["vm_unavailable"]`` says why; otherwise ``attrs["vm_accelerator"]`` says which accelerator
    ran the VM and why (:func:`dockerlab.vm.accelerator`). Raises what :func:`start_time` and
    :func:`idle_memory` raise for ``image`` (ImageNotFound, DockerlabError, ContainerFailed).
    """
    import pandas as pd  # lazy: ~1 s at import, and `import dockerlab` loads this module

    container_rows = start_time(image, n=containers).assign(kind="container", accelerator="none (shares the host kernel)")
    memory = idle_memory(image)
    container_rows["memory_bytes"] = memory["total"]
    parts = [container_rows.drop(columns=["image"])]
    try:
        parts.append(vm.boot_times(vms))
        unavailable, accelerator = None, str(vm.accelerator())
    except DockerlabError as error:  # no qemu (VmUnavailable), assets that do not build, a boot past its timeout
        unavailable, accelerator = str(error), None
        print(f"No VM measured here: {unavailable}")
    table = pd.concat(parts, ignore_index=True)[["kind", "accelerator", "run", "seconds", "memory_bytes"]]
    table.attrs.update(experiment="vm_vs_container", vm_unavailable=unavailable, vm_accelerator=accelerator, container_memory=memory)
    return table


def vm_to_container_ratios(results) -> dict[str, float]:
    """From ``vm_vs_container`` rows: how many times slower a VM starts and how much more memory it
    holds than a container (medians); empty when no VM could be measured here.
    Returns a dict. Raises KeyError for a table without vm_vs_container's kind, seconds and memory_bytes columns."""
    medians = results.groupby("kind")[["seconds", "memory_bytes"]].median()
    vm_kinds = [kind for kind in medians.index if kind != "container"]
    if not vm_kinds or "container" not in medians.index:
        return {}
    vm, container = medians.loc[vm_kinds[0]], medians.loc["container"]
    return {
        "VM boot / container start (median seconds)": float(vm["seconds"] / container["seconds"]),
        "VM memory / idle container memory": float(vm["memory_bytes"] / container["memory_bytes"]),
    }


@recordable("experiments.kernels")
@declares(KERNELS)
def kernels(images: Sequence[str]) -> pd.DataFrame:
    """`uname -r` inside each image's container beside the engine host's kernel: one row per image.
    {columns} Raises
    ImageNotFound when an image is not here, and ContainerFailed when it cannot run `uname` (no such
    command in the image)."""
    host = engine.info().kernel
    rows = []
    for image in images:
        inside = containers.run(image, ["uname", "-r"]).output.strip()
        rows.append({"image": image, "kernel_inside_the_container": inside, "engine_host_kernel": host, "same_kernel": inside == host})
    return KERNELS.frame(rows)


@recordable("experiments.run_each", version=2)
@declares(RUN_EACH)
def outputs_of_each(images: Mapping[str, str], command: Sequence[str] | None = None) -> pd.DataFrame:
    """Run each image once (like `docker run --rm`); one row per environment with exit code and output.
    {columns} A non-zero exit code is
    a row, not an error. Raises ImageNotFound when an image is not here, ContainerFailed when a container
    cannot be created or started, and DockerlabError when one does not finish within 300 seconds."""
    rows = []
    for environment, image in images.items():
        result = containers.run(image, command)
        rows.append({"environment": environment, "image": image, "exit_code": result.exit_code, "output": result.output.strip()})
    return RUN_EACH.frame(rows)


def run_each(images: Mapping[str, str], command: Sequence[str] | None = None):
    """``outputs_of_each`` styled for reading: each output as the terminal showed it (a pandas Styler).
    Raises what :func:`outputs_of_each` raises."""
    table = outputs_of_each(images, command)
    return table.style.set_properties(subset=["output"], **{"white-space": "pre-wrap", "text-align": "left", "font-family": "monospace"}).hide(axis="index")


DOCKERIGNORE_LINES = (".git", "data/", "*.bin", "__pycache__")


@recordable("experiments.dockerignore")
@declares(IGNORE_BUILDS)
def dockerignore(
    app_dir: str | Path,
    dockerfile: str | Path = "Dockerfile",
    *,
    junk_megabytes: int = 100,
    ignore_lines: Sequence[str] = DOCKERIGNORE_LINES,
    progress: bool = False,
) -> pd.DataFrame:
    """What a .dockerignore changes, measured on a copy of ``app_dir`` with a large data file and a `.git` folder added.

    For each variant (without / with .dockerignore): bytes of build context sent (as the builder
    reports it), the cold build's seconds, and whether a change inside `.git` alone (a new commit)
    made `COPY . .` run again. Each variant builds from a folder of its own: BuildKit sends only what
    changed since the last build of the same folder, which would flatter the second variant.

    {columns} Raises DockerlabError when the Dockerfile cannot be read, and BuildFailed when a build fails.
    """
    text = dockerfile_text(Path(app_dir), dockerfile)[0]
    rows = []
    with tempfile.TemporaryDirectory(prefix="dockerlab-ignore-") as folder:
        staged = Path(folder) / "staged"
        shutil.copytree(app_dir, staged, ignore=shutil.ignore_patterns(".dockerignore"))
        (staged / "data").mkdir(exist_ok=True)
        with open(staged / "data" / "measurements.bin", "wb") as junk:
            for _ in range(junk_megabytes):
                junk.write(os.urandom(1_000_000))
        git = staged / ".git" / "objects"
        git.mkdir(parents=True)
        (git / "pack.bin").write_bytes(os.urandom(5_000_000))
        (staged / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
        for variant in ("without .dockerignore", "with .dockerignore"):
            context = Path(folder) / re.sub(r"[^a-z]+", "-", variant) / "app"
            shutil.copytree(staged, context)
            if variant.startswith("with "):
                (context / ".dockerignore").write_text("\n".join(ignore_lines) + "\n")
            tag = course_tag("ignore", variant)
            cold = build_replacing(context, text, tag=tag, nocache=True, progress=progress)
            (context / ".git" / "HEAD").write_text(f"ref: refs/heads/main\n# commit {len(rows)}\n")
            again = build_replacing(context, text, tag=tag, progress=progress)
            copy_steps = [step for step in again.dockerfile_steps if step.instruction.startswith("COPY . ")]
            rows.append(
                {
                    "variant": variant,
                    "image": tag,
                    "context_bytes": cold.context_bytes,
                    "cold_seconds": cold.seconds,
                    "rebuild_after_git_change_seconds": again.seconds,
                    "copy_cached_after_git_change": all(step.cached for step in copy_steps) if copy_steps else None,
                    "rebuilt_steps": [step.instruction for step in again.dockerfile_steps if not step.cached and not step.instruction.startswith("FROM")],
                }
            )
    table = IGNORE_BUILDS.frame(rows)
    table.attrs["experiment"] = "dockerignore"
    return table


def _timestamp(text: str) -> float:
    """Seconds since the epoch from Docker's RFC 3339 timestamps (nanoseconds cut to microseconds)."""
    head, _, rest = text.partition(".")
    fraction = "".join(ch for ch in rest if ch.isdigit())[:6] or "0"
    return datetime.fromisoformat(head.replace("Z", "")).timestamp() + int(fraction.ljust(6, "0")) / 1e6


# The official postgres image initialises an empty data directory with a temporary server that listens on
# its unix socket only, and says "ready to accept connections" too; its entrypoint prints INIT_COMPLETE when
# that server has stopped, before the real one starts (docker-library/postgres, docker-entrypoint.sh). The
# course's stand-in prints INIT_COMPLETE and only the real server's ready line. INITIALISING: words only
# an initialisation in progress prints (initdb's first line, pg_ctl's while it starts the temporary server),
# before the temporary server's ready line: the official image's logs as quoted in
# https://github.com/docker-library/postgres/issues/717 and https://github.com/testcontainers/testcontainers-java/issues/455
# (two ready lines: https://github.com/testcontainers/testcontainers-rs/issues/248).
READY = "database system is ready to accept connections"
INIT_COMPLETE = "PostgreSQL init process complete"
INITIALISING = ("The files belonging to this database system", "waiting for server to start")


def _ready_at(database_container) -> float | None:
    """When Postgres accepted connections for real (seconds since the epoch), from the database container's
    timestamped logs: the first ready line after INIT_COMPLETE when there is one; else, while an
    initialisation is under way (INITIALISING seen), None (a ready line then is the temporary server's,
    which no other container can reach); else the first ready line. None when not ready yet. Raises nothing."""
    lines = database_container.logs(timestamps=True).decode(errors="replace").splitlines()
    complete = next((index for index, line in enumerate(lines) if INIT_COMPLETE in line), None)
    if complete is None and any(marker in line for line in lines for marker in INITIALISING):
        return None
    ready = [line.split(" ", 1)[0] for line in lines[(complete or 0):] if READY in line]
    try:
        return _timestamp(ready[0]) if ready else None
    except ValueError:
        return None


# What the api's first failed connection says, as a cause a learner reads (first match wins).
# RACE_CAUSES are those a database that is not ready yet gives; the others fail however long the api waits.
# pg8000 wraps every socket error of its connect in one InterfaceError ("Can't create a connection to host
# ..."); the api's line adds the error it wraps ("(cause: gaierror: [Errno -2] ...)"), so the DNS failure is
# looked for before the wrapper's words. Causes with no words are not read from a line: compose_race gives
# them from what it sees of the containers.
_HOST_NOT_FOUND = ("gaierror", "Name or service not known", "Temporary failure in name resolution", "No address associated with hostname",
                   "Errno -2]", "Errno -3]", "Errno -5]")
WRONG_HOST = "wrong database host"
API_EXITED = "api exited"
API_NOT_SERVING = "api not serving"
DATABASE_EXITED = "database exited"
FAILURE_CAUSES = (
    ("missing setting", ("KeyError",)),
    ("wrong password", ("password authentication failed",)),
    # Postgres answers, but the database the api names is not there (3D000): a wrong POSTGRES_DB, not the race
    # (the image creates POSTGRES_DB before its server listens on the network)
    ("no such database", ("3D000",)),
    ("database starting up", ("the database system is starting up", "57P03")),
    # the host name does not resolve: the database's own name before its container is on the network
    ("database host not found", _HOST_NOT_FOUND),
    # pg8000's words when nothing accepts the connection yet (Postgres still initialising its data directory)
    ("database not accepting connections", ("Can't create a connection to host", "Connection refused", "Errno 111")),
    # the host the api connected to is none of the database's names or addresses (localhost, the api's own
    # name, a typo): refused or not found however long the api waits (failure_cause, given the database's names)
    (WRONG_HOST, ()),
    # the api exited (non-zero or not) without a "database connection failed" line and without serving: it
    # crashed before connecting (an import error, a bad command); first_error is its last log line
    (API_EXITED, ()),
    # the api still ran at the timeout without such a line and without serving; first_error is its last log line
    (API_NOT_SERVING, ()),
    # the database container exited before the api served (Postgres refused to start: no password, a bad
    # setting); first_error is the database's first error line (else its last line)
    (DATABASE_EXITED, ()),
)
RACE_CAUSES = ("database starting up", "database not accepting connections", "database host not found")
_NOT_REACHED = ("database host not found", "database not accepting connections")  # causes that depend on the host named


def failure_cause(line: str, database_hosts: Sequence[str] | None = None, host: str | None = None) -> str:
    """The cause of one "database connection failed ..." line from the api ("" for no line).
    ``database_hosts``: the names and addresses the database answers to (its service's, its container's,
    its aliases, its IP addresses); a connection refused or a name not found at a host that is none of
    them is WRONG_HOST, which no waiting fixes. The host is the one the line names (pg8000's "to host X
    and port"), else ``host`` (the api's configured one); None for either: not checked.
    Returns the cause (a str). Raises nothing."""
    if not line:
        return ""
    for cause, fragments in FAILURE_CAUSES:
        if fragments and any(fragment in line for fragment in fragments):
            if cause in _NOT_REACHED and database_hosts is not None:
                named = re.search(r"to host (\S+) and port", line)
                connected_to = named.group(1) if named else host
                if connected_to is not None and connected_to not in database_hosts:
                    return WRONG_HOST
            return cause
    return "other"


def lost_the_race(cause: str, first_error_after_db_seconds: float | None, db_ready_seconds: float | None) -> bool:
    """Whether a run's first failure was the start-up race, by its timing as well as its words: the api
    failed BEFORE the database was ready (both seconds after the database container started), with a
    cause a database that is not ready yet gives (RACE_CAUSES). The same words after the database was
    ready, a database never seen ready, or a cause no waiting fixes (a missing setting, a wrong host or
    database name) are not the race. Returns a bool. Raises nothing."""
    if cause not in RACE_CAUSES or is_missing(first_error_after_db_seconds) or is_missing(db_ready_seconds):
        return False
    return first_error_after_db_seconds < db_ready_seconds


def _first_failure_at(stamped_logs: str) -> float | None:
    """When the api printed its first "database connection failed" line (seconds since the epoch), from
    ``docker logs --timestamps`` text; None without one. Raises nothing."""
    for line in stamped_logs.splitlines():
        stamp, _, text = line.partition(" ")
        if "database connection failed" in text:
            try:
                return _timestamp(stamp)
            except ValueError:
                return None
    return None


def _names_of(container, service: str) -> set[str]:
    """The names and addresses ``container`` (of Compose service ``service``) answers to on its networks:
    the service, the container's name, its network aliases and DNS names, and its IP addresses.
    Returns a set. Raises nothing."""
    names = {service, container.name}
    for network in ((container.attrs.get("NetworkSettings") or {}).get("Networks") or {}).values():
        names.update((network or {}).get("Aliases") or ())
        names.update((network or {}).get("DNSNames") or ())
        names.update(address for address in ((network or {}).get("IPAddress"), (network or {}).get("GlobalIPv6Address")) if address)
    return names


def _configured_host(container, setting: str = "DB_HOST") -> str | None:
    """The database host ``container`` was given in its environment (``setting``, as the course's api
    reads it), None when it was given none. Raises nothing."""
    for entry in (container.attrs.get("Config") or {}).get("Env") or ():
        name, _, value = entry.partition("=")
        if name == setting:
            return value
    return None


def _last_line(logs: str) -> str:
    """The last non-empty line of ``logs`` ("" for none). Raises nothing."""
    return next((line.strip() for line in reversed(logs.splitlines()) if line.strip()), "")


def _database_error_line(logs: str) -> str:
    """What a database container that exited said about why: its first line with an error's words
    (Error:, FATAL:, PANIC:), else its last line ("" for no logs). Raises nothing."""
    for line in logs.splitlines():
        if any(word in line for word in ("Error:", "ERROR:", "FATAL:", "PANIC:")):
            return line.strip()
    return _last_line(logs)


@recordable("experiments.compose_race", version=3)
@declares(RACE_RUNS)
def compose_race(stack, *, runs: int | None = None, service: str = "api", database: str = "db", timeout: float = 60) -> pd.DataFrame:
    """Bring ``stack`` up from nothing ``runs`` times (default 5; DOCKERLAB_REPEAT overrides) and
    measure the start-up race.

    One row per run (cause: see FAILURE_CAUSES; lost_race: see :func:`lost_the_race`, the first failure
    before the database was ready with a cause of RACE_CAUSES). {columns} The stack is taken down (with its volumes) before each run and
    at the end. A run ends when the api serves or exits and the database is ready (see :func:`_ready_at`: the
    official image's temporary server does not count), when the database container exits, or after
    ``timeout`` seconds. Raises ComposeFailed when a Compose command fails,
    DockerlabError when ``service`` or ``database`` has no container in the stack or DOCKERLAB_REPEAT
    is not a positive whole number.
    """

    rows = []
    try:
        for run in range(1, (runs or repeats(5)) + 1):
            stack.down(volumes=True)
            stack.up(wait=False)
            deadline = time.monotonic() + timeout
            while True:
                api = stack.container(service)
                db = stack.container(database)
                logs = api.logs().decode(errors="replace")
                serving = "connected to the database" in logs
                if db.status == "exited" or time.monotonic() > deadline:
                    break  # a database that exited never becomes ready: nothing more to wait for
                if (serving or api.status == "exited") and _ready_at(db) is not None:
                    break
                time.sleep(0.2)
            api.reload()
            logs = api.logs().decode(errors="replace")
            serving = "connected to the database" in logs
            db_started = _timestamp(db.attrs["State"]["StartedAt"])
            ready = _ready_at(db)
            first_error = next((line.strip() for line in logs.splitlines() if "database connection failed" in line), "")
            failed_at = _first_failure_at(api.logs(timestamps=True).decode(errors="replace")) if first_error else None
            cause = failure_cause(first_error, _names_of(db, database), _configured_host(api))
            if not serving and db.status == "exited":
                cause, first_error = DATABASE_EXITED, _database_error_line(db.logs().decode(errors="replace"))
            elif not serving and not first_error:
                cause, first_error = (API_EXITED if api.status == "exited" else API_NOT_SERVING), _last_line(logs)
            db_ready_seconds = None if ready is None else ready - db_started
            first_error_after_db_seconds = None if failed_at is None else failed_at - db_started
            rows.append(
                {
                    "compose_file": stack.file.name,
                    "run": run,
                    "db_ready_seconds": db_ready_seconds,
                    "api_started_after_db_seconds": _timestamp(api.attrs["State"]["StartedAt"]) - db_started,
                    "first_error_after_db_seconds": first_error_after_db_seconds,
                    "failed_connections": logs.count("database connection failed"),
                    "first_error": first_error,
                    "cause": cause,
                    "lost_race": lost_the_race(cause, first_error_after_db_seconds, db_ready_seconds),
                    "api_serving": serving,
                    "api_exit_code": api.attrs["State"]["ExitCode"] if api.status == "exited" else None,
                }
            )
    finally:
        stack.down(volumes=True)
    table = RACE_RUNS.frame(rows)
    table.attrs["experiment"] = "compose_race"
    return table


@declares(RACE_SUMMARY)
def race_summary(table) -> pd.DataFrame:
    """Per compose file, from :func:`compose_race` rows. Returns a DataFrame indexed by compose file.
    {columns} Raises KeyError for a table without compose_race's columns."""
    import pandas as pd  # lazy: ~1 s at import, and `import dockerlab` loads this module

    rows = []
    for name, runs in table.groupby("compose_file", sort=False):
        causes = runs["cause"][runs["cause"] != ""].value_counts()
        rows.append({
            "compose_file": name,
            "run_count": len(runs),
            "lost_race_runs": int(runs["lost_race"].sum()),
            "other_failures": int(((runs["cause"] != "") & ~runs["lost_race"]).sum()),
            "causes": "; ".join(f"{cause} ({count})" for cause, count in causes.items()) or "none",
            "api_serving_runs": int(runs["api_serving"].sum()),
        })
    return pd.DataFrame(rows, columns=["compose_file", *RACE_SUMMARY.keys]).set_index("compose_file")

