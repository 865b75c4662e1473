"""Exercise checkers: build and run the learner's work, and say what is wrong when it is."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from . import engine
from .builder import build_replacing
from .compose import ComposeFailed, project
from .containers import RunResult, ServeResult, _create_and_start, run, serve
from .errors import BuildFailed, ContainerFailed, DockerlabError, DockerUnavailable, ImageNotFound, RecordingStale, a_kind
from .exercises import catalogue, static
from .exercises.catalogue import solution as worked_solution
from .exercises.verdict import HARDENING_RULES, CheckResult, applicable, hardening_lint_message, runs_step, sentence
from .exercises.tiers import check_file_names, two_tier
from .experiments import edit_like_a_learner
from .images import image_size
from .labels import CREATED_LABELS, course_tag
from .layerfs import inspect_image
from .paths import TERMINAL_RULE
from .quizzes import QUIZ, quiz_of, read_answers, spoken
from .recording.arguments import check_public
from .recording import RECORDED, checked, current, recordable
from .running import remove_quietly, timed_stop
from .security import audit, find_secrets, lint
from .units import format_bytes

__all__ = [
    "CheckResult", "judge_output", "command_prints", "dockerfile_prints", "program_prints", "output_contains",
    "judge_cache", "cache_survives_code_edit", "judge_multi_stage", "multi_stage_is_smaller",
    "judge_compose_health", "compose_service_healthy", "judge_hardening", "image_is_hardened", "QUIZ", "quiz",
    "image_prints", "keeps_running_and_stops",
    "solution",
]


def _last_line(output: str) -> str:
    lines = [line.strip() for line in output.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _build_failed(exercise: str, error: BuildFailed, what: str = "your image") -> CheckResult:
    """One paragraph for a failed build: where, why, what to do; the log tail folded."""
    where = (f"step {error.step} (`{error.instruction}`)" if error.step and error.instruction
             else (f"`{error.instruction}`" if error.instruction else "the build"))
    message = f"expected {what} to build; {where} failed: {sentence(error.reason)}"
    if error.fix:
        message += f" Next: {error.fix}"
    return CheckResult(exercise, False, [message], log="\n".join(error.log_tail), log_title=f"the last {len(error.log_tail)} lines of the build log")


NOT_STARTED = "the engine could not start it"


def _not_started(exercise: str, error: ContainerFailed, expected: str, next_step: str) -> CheckResult:
    """The failing verdict on a container the engine could not create or start (a command the image does not
    have, a USER it lacks): what was expected, the engine's reason as one sentence, and ``next_step``. Every
    checker that starts a container of the learner's image turns ContainerFailed into this, never a traceback
    (the two tiers then keep the static hints beside it). ``next_step`` is the checker's step for a command the
    image lacks; a USER the image lacks (the error's diagnose rule is no-such-user) gets :data:`USER_MISSING_NEXT` instead,
    whichever checker met it. Returns a CheckResult. Raises nothing."""
    return CheckResult(exercise, False, [f"expected {expected}; {NOT_STARTED}: {sentence(error.reason)} Next: {_start_step(error.rule, next_step)}"])


def _start_step(rule: str, command_step: str) -> str:
    """The next step for a container the engine could not start, from the diagnose ``rule`` that read its refusal
    (ContainerFailed.rule): a USER the image lacks (no-such-user) gets :data:`USER_MISSING_NEXT`; anything else the
    checker's own ``command_step``."""
    return USER_MISSING_NEXT if rule == "no-such-user" else command_step


USER_MISSING_NEXT = ("the USER must exist in the image: create it before the USER line (`RUN useradd --uid 1000 app`; on "
                     "alpine `RUN adduser -D -u 1000 app`), or name a numeric id (`USER 1000`).")


def judge_output(exercise: str, exit_code: int, output: str, expected_line: str) -> CheckResult:
    """Pure verdict on a container's run: it must exit 0 and print ``expected_line`` as a line.
    Returns a CheckResult. Raises nothing."""
    lines = [line.strip() for line in output.splitlines()]
    if exit_code != 0:
        last = _last_line(output)
        seen = f"its last line was: {last}" if last else "it printed nothing"
        return CheckResult(exercise, False, [
            f"expected the container to print {expected_line!r} and exit 0; it exited with code {exit_code}, and {sentence(seen)} "
            "Next: fix what that line names (the full output is below), then check again."], log=output)
    if expected_line.strip() not in lines:
        if not output.strip():
            return CheckResult(exercise, False, [
                f"expected the line {expected_line!r}; the container exited 0 but printed nothing: its command is not the "
                "program that prints it. Next: make the container's command run that program (in a Dockerfile: a CMD in "
                "exec form, after the COPY that puts the program in the image)."])
        return CheckResult(exercise, False, [
            f"expected the line {expected_line!r}; the container exited 0 but its last line was: {sentence(_last_line(output))} "
            "Next: compare the two lines (the whole line must match); the full output is below."], log=output)
    return CheckResult(exercise, True, [f"the container printed {expected_line!r} and exited 0"])


def output_contains(result: RunResult, expected_line: str, *, exercise: str = "run exercise") -> CheckResult:
    """Judge a ``dl.run(...)`` result: exit 0 and ``expected_line`` among its lines.
    Returns a CheckResult. Raises nothing for what dl.run returns (DockerlabError for anything else)."""
    return judge_output(exercise, result.exit_code, result.output, expected_line)


@two_tier(static.command_prints, static.MEASURES["command_prints"])
def command_prints(
    image: str,
    command: str | Sequence[str],
    expected_line: str,
    *,
    reads: str | None = None,
    exercise: str = "command exercise",
) -> CheckResult:
    """Run ``command`` (a list of words, or a str split as `docker run` splits it) in a container of
    ``image``, as ``dl.run(image, command)`` does, and pass if it exits 0 printing ``expected_line``. The
    static tier first reads the command's words: it must read the file ``reads`` (when given), not print a
    text it was given. The run itself is ``dl.run``'s, so in recorded mode it replays when that exact
    command was recorded. Returns a CheckResult: an image that is not here, a command the engine cannot
    start, or no engine is a failing verdict. Raises DockerlabError for an argument of the wrong kind. Its
    live tier raises RecordingStale when a replayed ``dl.run`` is not a RunResult (a damaged recording);
    never the learner's: the two tiers give the static verdict instead (see :func:`.exercises.tiers.two_tier`)."""
    try:
        ran = run(image, command)
    except ImageNotFound as error:
        return CheckResult(exercise, False, [f"expected a container of {image}; {sentence(error.message)} Next: "
                                             f"{error.fix or 'run dl.prepare() (notebook 00) first.'}"])
    except ContainerFailed as error:  # a program the image does not have: a verdict, not a traceback
        return _not_started(exercise, error, "the container to run your command",
                            "use a program the image has" + (" (alpine has busybox's sh, cat, grep and head; no bash)." if image.startswith("alpine") else "."))
    if not isinstance(ran, RunResult):  # only a damaged recording replays something else
        raise RecordingStale("run", f"{a_kind(type(ran).__name__)} as its result", "a RunResult")
    return judge_output(exercise, ran.exit_code, ran.output, expected_line)


@two_tier(static.program_prints, static.MEASURES["program_prints"])
@recordable("check.program_prints")
def program_prints(
    app_dir: str | Path,
    expected_line: str,
    *,
    files: dict[str, str | Path] | None = None,
    buildargs: dict[str, str] | None = None,
    exercise: str = "program exercise",
) -> CheckResult:
    """Build a copy of ``app_dir`` with ``files`` replaced by the learner's versions ({name: the text, or
    the path of a file holding it}), run it, and pass if it prints ``expected_line`` (the app folder itself
    is never changed). Returns a CheckResult: a failed build, an image that does not start, or no engine is
    a failing verdict, not an exception. Raises DockerlabError when a value of ``files`` is neither text nor
    a path, or is a path that names no file, and when a name of ``files`` is absolute or has ``..`` (it
    would write outside the copy)."""
    with tempfile.TemporaryDirectory(prefix="dockerlab-check-") as folder:
        copy = Path(folder) / (Path(app_dir).resolve().name or "app")
        shutil.copytree(app_dir, copy)
        check_file_names("program_prints", files or {})
        for name, text in (files or {}).items():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)  # a new subfolder, as an editor makes it
            (copy / name).write_text(text)
        # the live check itself, once: dockerfile_prints would run both tiers again on the app's Dockerfile
        return _builds_and_prints(copy, expected_line, "Dockerfile", buildargs=buildargs, exercise=exercise)


@two_tier(static.dockerfile_prints, static.MEASURES["dockerfile_prints"])
@recordable("check.dockerfile_prints")
def dockerfile_prints(
    app_dir: str | Path,
    expected_line: str,
    dockerfile: str | Path = "Dockerfile",
    *,
    buildargs: dict[str, str] | None = None,
    exercise: str = "Dockerfile exercise",
) -> CheckResult:
    """Build ``app_dir`` with ``dockerfile`` (the Dockerfile text, or the path of a file: a name in the
    app folder, or a path; it is judged, and replayed, as its text), run the image, and pass if it prints
    ``expected_line``. Returns a CheckResult: no Dockerfile in the folder (the default name), a failed
    build, an image that does not start, or no engine is a failing verdict, not an exception.
    Raises DockerlabError for an argument of the wrong kind (a Dockerfile that is neither text nor a file name, a path that names no file,
    a missing app folder)."""
    return _builds_and_prints(app_dir, expected_line, dockerfile, buildargs=buildargs, exercise=exercise)


def _builds_and_prints(app_dir: str | Path, expected_line: str, dockerfile: str | Path, *, buildargs: dict[str, str] | None, exercise: str) -> CheckResult:
    """The live tier of dockerfile_prints and program_prints: build, run, judge the output."""
    folder, dockerfile = Path(app_dir), os.fspath(dockerfile)
    if "\n" not in dockerfile and not (folder / dockerfile).is_file():
        return CheckResult(exercise, False, [f"there is no {dockerfile} in {folder} yet: write one (FROM, COPY, CMD ...)"])
    tag = course_tag("exercise", folder, "check")
    try:
        build_replacing(folder, dockerfile, tag=tag, buildargs=buildargs, progress=False)
    except BuildFailed as error:
        return _build_failed(exercise, error)
    try:
        result = run(tag)
    except ContainerFailed as error:  # it built, but its command does not exist in it: a verdict, not a traceback
        return _not_started(exercise, error, "the image it built to run",
                            error.fix or 'the CMD must name a program the image has, each word its own string: CMD ["python", "app.py"].')
    except DockerUnavailable:
        raise  # no engine is the two tiers' note, not a verdict on the image
    except DockerlabError as error:  # e.g. it ran past dl.run's time limit
        return CheckResult(exercise, False,
                           [f"expected the image to run to its end; it built but did not: {error.message}" + (f" Next: {error.fix}" if error.fix else "")])
    return judge_output(exercise, result.exit_code, result.output, expected_line)


def judge_cache(exercise: str, steps_after_edit: list[tuple[str, bool]], dependency_step: str, code_file: str) -> CheckResult:
    """Pure verdict: after editing ``code_file`` the step containing ``dependency_step`` must come from the cache.
    Returns a CheckResult. Raises ValueError for a ``dependency_step`` the shell cannot split (an unclosed quote)."""
    matching = [(instruction, cached) for instruction, cached in steps_after_edit if runs_step(instruction, dependency_step)]
    if not matching:
        return CheckResult(exercise, False, [f"expected a step that runs `{dependency_step}`; none does, but the dependencies must still be installed. Next: "
                                             "keep the install step (RUN pip install --no-cache-dir -r requirements.txt)."])
    rebuilt = [instruction for instruction, cached in matching if not cached]
    if rebuilt:
        return CheckResult(exercise, False, [
            f"expected `{rebuilt[0][:80]}` to come from the cache after {code_file} was edited; it ran again, because an "
            f"earlier step copies {code_file}. Next: copy only the dependency file (requirements.txt) before installing, "
            "and the rest of the code after it.",
        ])
    return CheckResult(exercise, True, [f"after editing {code_file}, `{matching[0][0][:80]}` came from the cache"])


@two_tier(static.cache_survives_code_edit, static.MEASURES["cache_survives_code_edit"])
@recordable("check.cache_survives_code_edit")
def cache_survives_code_edit(
    app_dir: str | Path,
    dockerfile: str | Path,
    *,
    code_file: str = "app.py",
    dependency_step: str = "pip install",
    exercise: str = "cache exercise",
) -> CheckResult:
    """Build your Dockerfile on a copy of ``app_dir``, edit ``code_file``, rebuild: pass when the
    dependency step came from the cache. Returns a CheckResult: a failed build or no engine is a failing
    verdict, not an exception.
    Raises DockerlabError for an argument of the wrong kind (a Dockerfile that is neither text nor a file name, a path that names no file,
    a missing app folder)."""
    with tempfile.TemporaryDirectory(prefix="dockerlab-check-") as folder:
        copy = Path(folder) / (Path(app_dir).resolve().name or "app")
        shutil.copytree(app_dir, copy)
        tag = course_tag("exercise", Path(app_dir), "cache-check")
        try:
            build_replacing(copy, dockerfile, tag=tag, progress=False)
            edit_like_a_learner(copy / code_file, "by the checker")
            again = build_replacing(copy, dockerfile, tag=tag, progress=False)
        except BuildFailed as error:
            return _build_failed(exercise, error)
    return judge_cache(exercise, [(step.instruction, step.cached) for step in again.dockerfile_steps], dependency_step, code_file)


NOT_STARTED_NEXT = ("the command must exist in the final image, and scratch and distroless images have no /bin/sh: "
                    'use the exec form, CMD ["/myapp"].')


def judge_multi_stage(exercise: str, served, size: int, reference_size: int, min_ratio: float, *, start_rule: str = "") -> CheckResult:
    """Pure verdict: the image must serve its request and be at least ``min_ratio`` times smaller. ``start_rule``:
    when the engine could not start it, the diagnose rule of its refusal (ContainerFailed.rule), which picks the next step.
    Returns a CheckResult. Raises nothing."""
    messages, passed, log = [], True, ""
    if not served.ok and (served.logs or "").startswith(NOT_STARTED):
        passed = False
        messages.append(f"expected the image to answer an HTTP request; {served.logs.rstrip('.')}. Next: {_start_step(start_rule, NOT_STARTED_NEXT)}")
    elif not served.ok:
        passed = False
        last = _last_line(getattr(served, "logs", "") or "")
        messages.append(f"expected the image to answer an HTTP request; it does not ({served}). "
                        + (f"Its last log line: {sentence(last)} " if last else "")
                        + "Next: a Go binary built without CGO_ENABLED=0 cannot start in scratch, distroless or alpine; build it with CGO_ENABLED=0.")
        log = getattr(served, "logs", "") or ""
    ratio = reference_size / size if size else float("inf")
    if ratio < min_ratio:
        passed = False
        if ratio < 1.05:
            seen = f"yours is {format_bytes(size)}, as big as the single-stage image ({format_bytes(reference_size)}): it still ships the Go SDK"
        else:
            seen = f"yours is {format_bytes(size)}, {ratio:.1f}x smaller than the single-stage {format_bytes(reference_size)}"
        messages.append(f"expected an image at least {min_ratio:g}x smaller than the single-stage one (the target is {min_ratio:g}x); {seen}. "
                        "Next: build in one stage, then start a second FROM a small base and COPY --from only the built program.")
    if passed:
        messages.append(f"it serves requests and is {format_bytes(size)}: {ratio:.0f}x smaller than the single-stage image ({format_bytes(reference_size)})")
    return CheckResult(exercise, passed, messages, log=log)


@two_tier(static.multi_stage_is_smaller, static.MEASURES["multi_stage_is_smaller"])
@recordable("check.multi_stage_is_smaller")
def multi_stage_is_smaller(
    app_dir: str | Path,
    dockerfile: str | Path,
    reference_dockerfile: str | Path,
    *,
    min_ratio: float = 5,
    container_port: int = 8080,
    exercise: str = "multi-stage exercise",
) -> CheckResult:
    """Build your Dockerfile and the single-stage reference; pass when yours serves a request and is
    at least ``min_ratio`` times smaller. Returns a CheckResult: a failed build, an image that does not
    start, or no engine is a failing verdict, not an exception.
    Raises DockerlabError for an argument of the wrong kind (a Dockerfile that is neither text nor a file name, a path that names no file,
    a missing app folder)."""
    single, yours = course_tag("exercise", Path(app_dir), "single"), course_tag("exercise", Path(app_dir), "yours")
    try:
        build_replacing(app_dir, reference_dockerfile, tag=single, progress=False)
        build_replacing(app_dir, dockerfile, tag=yours, progress=False)
    except BuildFailed as error:
        return _build_failed(exercise, error)
    start_rule = ""
    try:
        served = serve(yours, container_port)
    except ContainerFailed as error:  # e.g. a shell-form CMD in an image with no shell: a verdict, not a traceback
        served = ServeResult(yours, False, None, "", None, f"{NOT_STARTED}: {error.reason}")
        start_rule = error.rule
    return judge_multi_stage(exercise, served, image_size(yours), image_size(single), min_ratio, start_rule=start_rule)


def judge_compose_health(exercise: str, service: str, states: list[dict]) -> CheckResult:
    """Pure verdict on `ps` rows: ``service`` must be running and report healthy.
    Returns a CheckResult. Raises nothing."""
    rows = [row for row in states if row.get("service") == service]
    if not rows:
        return CheckResult(exercise, False,
                           [f"expected a service {service!r}; there is no service {service!r} in your file. Next: keep the {service} service and add to it."])
    row = rows[0]
    if row.get("state") != "running":
        return CheckResult(exercise, False,
                           [f"expected {service} to be running; it is {row.get('state')} (exit code "
                            f"{row.get('exit_code')}). Next: read its logs below and fix what they name."])
    if row.get("health") != "healthy":
        health = row.get("health") or "no healthcheck"
        return CheckResult(exercise, False,
                           [f"expected {service} to report healthy; it runs but its health is: "
                            f"{health}. Next: add a healthcheck whose test passes when it serves /health."])
    return CheckResult(exercise, True, [f"{service} is running and healthy"])


@two_tier(static.compose_service_healthy, static.MEASURES["compose_service_healthy"])
@recordable("check.compose_service_healthy")
def compose_service_healthy(app_dir: str | Path, compose_text: str | Path, service: str = "api", *, exercise: str = "compose exercise") -> CheckResult:
    """Bring your compose file up (on a copy of ``app_dir``), and pass if ``service`` becomes healthy.
    ``compose_text``: the file's text, or its path (judged, and replayed, as its text). Returns a
    CheckResult: a file Compose cannot read, a failed `up`, or no engine is a failing verdict. Raises
    DockerlabError when ``compose_text`` is neither text nor a path, is a path that names no file, or
    Compose v2 is not found."""
    with tempfile.TemporaryDirectory(prefix="dockerlab-check-") as folder:
        copy = Path(folder) / (Path(app_dir).resolve().name or "app")
        shutil.copytree(app_dir, copy)
        (copy / "exercise-compose.yaml").write_text(compose_text)
        try:
            stack = project(copy, "exercise-compose.yaml", name="dockerlab-exercise-compose")
        except ComposeFailed as error:
            return CheckResult(exercise, False,
                               [f"expected Compose to read your file; it cannot: {_last_line(error.output)}. Next: fix the line it names."], log=error.output)
        with stack:
            try:
                stack.up(wait=True, timeout=60)
            except ComposeFailed as error:
                states = stack.ps().to_dict("records")
                verdict = judge_compose_health(exercise, service, states)
                logs = "".join(f"--- {name}\n{text}\n" for name, text in error.service_logs.items())
                return CheckResult(exercise, False, verdict.messages + [
                    f"expected `docker compose up --wait` to return once every service is healthy; it failed: {sentence(_last_line(error.output))} "
                    f"Next: read the {service} logs below (`docker compose logs {service}`): a healthcheck that never passes, or a container that "
                    "exits, is named there; fix that line of the file."], log=error.output + "\n" + logs)
            return judge_compose_health(exercise, service, stack.ps().to_dict("records"))


def judge_hardening(exercise: str, lint_table, audit_row: dict | None, secrets_table, run_result, expected_line: str) -> CheckResult:
    """Pure verdict: no deciding lint finding, not root, no secret in any layer, and it runs.

    ``audit_row``, ``secrets_table`` and ``run_result`` are None when the image was not built.
    Returns a CheckResult. Raises KeyError for tables or a row without the columns security.lint, audit and find_secrets
    give."""
    messages, passed = [], True
    for finding in applicable(lint_table, HARDENING_RULES).to_dict("records"):
        passed = False
        messages.append(hardening_lint_message(finding))
    if audit_row is None:
        return CheckResult(exercise, False, messages or ["the image was not built"])
    if audit_row["runs_as_root"]:
        passed = False
        messages.append(f"expected the image to run as a non-root user; the image runs as {audit_row['user']}. Next: create a user (RUN useradd --uid 1000 "
                        "...) and switch to it with USER 1000.")
    if secrets_table is not None and len(secrets_table):
        passed = False
        found = ", ".join(sorted(set(secrets_table["where"])))
        messages.append(f"expected no secret in any layer; found: {found}. Next: copy only what the "
                        "program needs (COPY app.py .), or list the secret files in .dockerignore.")
    if run_result is not None:
        judged = judge_output(exercise, run_result.exit_code, run_result.output, expected_line)
        if not judged.passed:
            passed = False
            messages.extend(judged.messages)
    if passed:
        messages.append(f"lint clean on the deciding rules, runs as {audit_row['user']}, no secret in any layer, and it prints {expected_line!r}")
    return CheckResult(exercise, passed, messages)


@two_tier(static.image_is_hardened, static.MEASURES["image_is_hardened"])
@recordable("check.image_is_hardened")
def image_is_hardened(
    app_dir: str | Path,
    dockerfile: str | Path,
    expected_line: str,
    *,
    exercise: str = "hardening exercise",
) -> CheckResult:
    """Lint your Dockerfile; when the base names a version tag, build it, audit it, look for secrets and run it.
    Returns a CheckResult: a failed build or no engine is a failing verdict. Raises DockerlabError when
    hadolint is not installed or cannot read the Dockerfile or the folder's `.hadolint.yaml` (LintConfigInvalid), or
    ``dockerfile`` is a path that names no file; a built image that cannot start (a USER
    it does not have, a missing command) is a failing verdict too."""
    lint_table = lint(dockerfile, app_dir)
    if len(applicable(lint_table, ["DL3006", "DL3007"])):
        verdict = judge_hardening(exercise, lint_table, None, None, None, expected_line)
        verdict.messages.append("expected a base named with a fixed version (a version tag; tags move, so pinning is by digest) before building; it has none, "
                                "so nothing was built, audited or run. "
                                "Next: name a version tag for the base (e.g. FROM python:3.11-slim); then the checker builds, audits and runs it.")
        return verdict
    tag = course_tag("exercise", Path(app_dir), "hardened")
    try:
        build_replacing(app_dir, dockerfile, tag=tag, progress=False)
    except BuildFailed as error:
        return _build_failed(exercise, error)
    audit_row = audit(tag).to_dict("records")[0]
    try:
        ran = run(tag)
    except ContainerFailed as error:  # a USER that does not exist (its step: _start_step), a missing command: a verdict
        return _not_started(exercise, error, "the image to run", "the command must be in the image: CMD names a program it has.")
    return judge_hardening(exercise, lint_table, audit_row, find_secrets(tag), ran, expected_line)


STOP_WITHIN = 2.0  # seconds: `docker stop` of an app that gets SIGTERM takes a fraction of one here (notebook 02a)


@two_tier(static.keeps_running_and_stops, static.MEASURES["keeps_running_and_stops"])
@recordable("check.keeps_running_and_stops")
def keeps_running_and_stops(app_dir: str | Path, dockerfile: str | Path, *, settle: float = 3.0, exercise: str = "stop exercise") -> CheckResult:
    """Build your Dockerfile, start a container, check that it is still running after ``settle``
    seconds (s), then time `docker stop` (SIGTERM, SIGKILL after 10 s): under 2 s passes. The
    container is removed. Returns a CheckResult: a failed build, a container the engine cannot start, an early
    exit or a slow stop is a failing verdict. Raises DockerlabError for an argument of the wrong kind (a Dockerfile that is neither text nor a
    file name, a path that names no file, a missing app folder)."""
    tag = course_tag("exercise", Path(app_dir), "stops")
    try:
        build_replacing(app_dir, dockerfile, tag=tag, progress=False)
    except BuildFailed as error:
        return _build_failed(exercise, error)
    try:
        container = _create_and_start(engine.client(), tag, None, labels=CREATED_LABELS)
    except ContainerFailed as error:  # e.g. CMD ["python app.py"]: no program has that name; a verdict, not a traceback
        return _not_started(exercise, error, "the container to start and keep running",
                            'the CMD must name a program the image has, each word its own string: CMD ["python", "app.py"].')
    try:
        time.sleep(settle)  # the window in which a broken command shows itself: the container exits
        container.reload()
        if container.status != "running":
            log = container.logs().decode(errors="replace")
            return CheckResult(exercise, False, [
                f"expected the container to keep running; it exited with code {container.attrs['State']['ExitCode']} within {settle:g} s, "
                f"and its log says: {_last_line(log) or '(nothing)'}. Next: read the log "
                "(`docker logs`): it names what the command could not do; fix that line."], log=log)
        stopped = timed_stop(container, grace=10)
        pid1, seconds, code = stopped["pid1"], stopped["seconds"], stopped["exit_code"]
    finally:
        remove_quietly(container)
    if seconds >= STOP_WITHIN:
        return CheckResult(exercise, False, [
            f"expected `docker stop` to take under {STOP_WITHIN:g} s; it took {seconds:.1f} s and the container ended with exit code {code}"
            f"{' (137: killed after the grace period)' if code == 137 else ''}: PID 1 was `{pid1}`, so SIGTERM never reached the app. Next: write the CMD in "
            "JSON (exec) form, so python is PID 1."])
    return CheckResult(exercise, True,
                       [f"it kept running for {settle:g} s, and `docker stop` took {seconds:.2f} s (exit code {code}): PID 1 was `{pid1}`, and it got SIGTERM"])


def quiz(answers: dict[int | str, str] | list[str], *, notebook: str = "07", exercise: str | None = None) -> CheckResult:
    """Check a notebook's quiz answers ({question number: letter}); each wrong or missing answer says why.
    Keys may be ints or strs ("1", "Q1"), letters any case with spaces or a bracket ("B", "b)"), or the
    answers a list in question order (dockerlab.quizzes.read_answers). ``notebook`` is "01" ... "07"
    (dockerlab.quizzes.QUIZZES). An answer keyed by a number that is no question of the quiz is refused:
    the result does not pass, and its message names the quiz's question numbers. Returns a CheckResult. Raises DockerlabError when ``answers`` is neither
    a dict nor a list, or the notebook has no quiz."""
    questions = quiz_of(notebook)
    exercise = exercise or f"{notebook} · quiz"
    chosen, problems = read_answers(answers, questions)
    messages, right = [], 0
    for number, (question, choices, correct, why) in questions.items():
        given = chosen.get(number, "")
        if given is not None and given == correct:
            right += 1
        elif given in choices:
            messages.append(f"question {number}: not {given} ({choices[given]}): {why}")
        elif given is None:
            continue  # answered twice: said in problems
        elif given:
            messages.append(f"question {number}: {given!r} is not one of the choices ({spoken(choices)}). "
                            f"Next: write one letter: {question} choose {spoken(choices)}.")
        else:
            messages.append(f"question {number}: no answer yet. {question} Next: choose {spoken(choices)}.")
    messages.insert(0, f"{right} of {len(questions)} right")
    return CheckResult(exercise, right == len(questions) and not problems, messages + problems)


def solution(number: str | int):
    """The worked solution to exercise ``number`` ("00" ... "06", or "02a"): the text and why each change is
    made. It renders folded in a notebook; the learner clicks to reveal it. Returns a Solution. Raises
    DockerlabError when there is no such exercise."""
    return worked_solution(number)


@checked("check.image_prints")
def image_prints(tag: str, expected_line: str, *, folder: str = "FOLDER", exercise: str = "an image built in a terminal") -> CheckResult:
    """Check an image the learner built by hand in a terminal: an image named ``tag`` exists, and a
    container of it exits 0 printing ``expected_line``. Never raises for the learner's mistakes: a
    missing image or a wrong name is a "not yet" that says which command to type (``folder``: the
    build context the hint names, as typed from the notebooks folder: paths.TERMINAL_FOLDER). Without an engine (recorded mode) it says the exercise needs one.
    A container that cannot start (its command does not exist) is a "not yet" too.
    Returns a CheckResult. Raises DockerlabError when it runs past 300 s or an argument is of the wrong kind,
    and DockerUnavailable when the engine stops answering."""
    if current() == RECORDED:
        return CheckResult(exercise, False, [
            "this exercise is done with Docker on your own machine: there is no Docker engine here (recorded mode), so there is nothing to check. "
            f"With Docker, {TERMINAL_RULE}: `docker build -t {tag} {folder}`, then `docker run --rm {tag}`."])
    try:
        inspect_image(tag)
    except ImageNotFound:
        names = sorted({t for image in engine.client().images.list() for t in image.tags if t.split(":")[0].split("/")[-1] == tag.split(":")[0].split("/")[-1]})
        seen = f" Images with that repository name here: {', '.join(names)}." if names else ""
        return CheckResult(exercise, False, [
            f"there is no image named {tag!r} yet.{seen} Type, {TERMINAL_RULE}: `docker build -t {tag} {folder}` "
            "(the `-t` name must match exactly, tag included), then run this cell again."])
    except DockerlabError as error:
        return CheckResult(exercise, False, [f"{tag!r} is not a name Docker accepts: {error.message} Image names are lowercase, for example my-greeter:1."])
    try:
        ran = run(tag)
    except ContainerFailed as error:  # the learner's image: a CMD that does not exist is their mistake, a "not yet"
        return CheckResult(exercise, False, [f"a container of {tag} did not start: {error.message} {error.fix or ''} "
                                             f"Fix the CMD in the Dockerfile, build again (`docker build -t {tag} {folder}`), then run this cell again."])
    return judge_output(exercise, ran.exit_code, ran.output, expected_line)


catalogue.use_checks(sys.modules[__name__])  # the exercises call these checkers


check_public(globals(), "check", own=["quiz"])  # the one argument check, for every public function here
