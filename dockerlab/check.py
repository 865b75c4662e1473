"""Exercise checkers: build and run the learner's work, and say what is wrong when it is."""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildFailed, DockerlabError
from .experiments import PIP_INSTALL
from .labels import course_tag
from .recording import recordable
from .theme import ERROR, SUCCESS

__all__ = [
    "CheckResult", "judge_output", "dockerfile_prints", "program_prints", "output_contains",
    "judge_cache", "cache_survives_code_edit", "judge_multi_stage", "multi_stage_is_smaller",
    "judge_compose_health", "compose_service_healthy", "judge_hardening", "image_is_hardened", "QUIZ", "quiz",
]


@dataclass
class CheckResult:
    """Passed or not, with the reasons; renders as a short verdict in a notebook."""

    exercise: str
    passed: bool
    messages: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        mark = "PASSED" if self.passed else "NOT YET"
        return f"{self.exercise}: {mark}\n" + "\n".join(f"  - {message}" for message in self.messages)

    def _repr_html_(self) -> str:
        colour, mark = (SUCCESS, "✔ passed") if self.passed else (ERROR, "✘ not yet")
        items = "".join(f"<li>{html.escape(message)}</li>" for message in self.messages)
        return f"<p><b>{html.escape(self.exercise)}</b>: <span style='color:{colour}'><b>{mark}</b></span></p><ul>{items}</ul>"


def judge_output(exercise: str, exit_code: int, output: str, expected_line: str) -> CheckResult:
    """Pure verdict on a container's run: it must exit 0 and print ``expected_line`` as a line."""
    lines = [line.strip() for line in output.splitlines()]
    messages = []
    if exit_code != 0:
        messages.append(f"the container exited with code {exit_code}; it must exit 0. Its output: {output.strip()[-300:] or '(none)'}")
    if expected_line.strip() not in lines:
        shown = output.strip()[-300:] or "(nothing)"
        messages.append(f"expected the line {expected_line!r}; the container printed: {shown}")
    if not messages:
        messages.append(f"the container printed {expected_line!r} and exited 0")
        return CheckResult(exercise, True, messages)
    return CheckResult(exercise, False, messages)


def output_contains(result, expected_line: str, *, exercise: str = "run exercise") -> CheckResult:
    """Judge a ``dl.run(...)`` result: exit 0 and ``expected_line`` among its lines."""
    return judge_output(exercise, result.exit_code, result.output, expected_line)


@recordable("check.program_prints")
def program_prints(
    app_dir: str | Path,
    expected_line: str,
    *,
    files: dict[str, str] | None = None,
    buildargs: dict[str, str] | None = None,
    exercise: str = "program exercise",
) -> CheckResult:
    """Build a copy of ``app_dir`` with ``files`` replaced by the learner's versions, run it, and
    pass if it prints ``expected_line`` (the app folder itself is never changed)."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="dockerlab-check-") as folder:
        copy = Path(folder) / (Path(app_dir).resolve().name or "app")
        shutil.copytree(app_dir, copy)
        for name, text in (files or {}).items():
            (copy / name).write_text(text)
        return dockerfile_prints(copy, expected_line, buildargs=buildargs, exercise=exercise)


@recordable("check.dockerfile_prints")
def dockerfile_prints(
    app_dir: str | Path,
    expected_line: str,
    dockerfile: str = "Dockerfile",
    *,
    buildargs: dict[str, str] | None = None,
    exercise: str = "Dockerfile exercise",
) -> CheckResult:
    """Build ``app_dir`` with ``dockerfile`` (a path in it, or the Dockerfile text), run the image,
    and pass if it prints ``expected_line``."""
    from .builder import build
    from .containers import run

    folder = Path(app_dir)
    if "\n" not in dockerfile and not (folder / dockerfile).is_file():
        return CheckResult(exercise, False, [f"there is no {dockerfile} in {folder} yet: write one (FROM, COPY, CMD ...)"])
    tag = course_tag("exercise", folder, "check")
    try:
        build(folder, dockerfile, tag=tag, buildargs=buildargs, progress=False)
    except BuildFailed as error:
        where = f"step {error.step} ({error.instruction})" if error.step else "the build"
        return CheckResult(exercise, False, [f"the image does not build: {where} failed: {error.reason}", error.fix or ""])
    try:
        result = run(tag)
    except DockerlabError as error:
        return CheckResult(exercise, False, [f"the image built but does not run: {error.message}", error.fix or ""])
    return judge_output(exercise, result.exit_code, result.output, expected_line)


def _runs(instruction: str, dependency_step: str) -> bool:
    """Whether a RUN step runs ``dependency_step``; "pip install" also as pip3, pip3.11 or python -m pip."""
    if not instruction.upper().startswith("RUN"):
        return False
    if dependency_step in instruction:
        return True
    return dependency_step == "pip install" and PIP_INSTALL.search(instruction) is not None


def judge_cache(exercise: str, steps_after_edit: list[tuple[str, bool]], dependency_step: str, code_file: str) -> CheckResult:
    """Pure verdict: after editing ``code_file`` the step containing ``dependency_step`` must come from the cache."""
    matching = [(instruction, cached) for instruction, cached in steps_after_edit if _runs(instruction, dependency_step)]
    if not matching:
        return CheckResult(exercise, False, [f"no step of your Dockerfile runs `{dependency_step}`: the dependencies must still be installed"])
    rebuilt = [instruction for instruction, cached in matching if not cached]
    if rebuilt:
        return CheckResult(exercise, False, [
            f"after editing {code_file}, `{rebuilt[0][:80]}` ran again: its cache was busted by an earlier step",
            "copy only the dependency file (requirements.txt) before installing, and the rest of the code after",
        ])
    return CheckResult(exercise, True, [f"after editing {code_file}, `{matching[0][0][:80]}` came from the cache"])


@recordable("check.cache_survives_code_edit")
def cache_survives_code_edit(
    app_dir: str | Path,
    dockerfile: str,
    *,
    code_file: str = "app.py",
    dependency_step: str = "pip install",
    exercise: str = "cache exercise",
) -> CheckResult:
    """Build your Dockerfile on a copy of ``app_dir``, edit ``code_file``, rebuild: pass when the
    dependency step came from the cache."""
    import shutil
    import tempfile

    from .builder import build
    from .experiments import edit_like_a_learner

    with tempfile.TemporaryDirectory(prefix="dockerlab-check-") as folder:
        copy = Path(folder) / (Path(app_dir).resolve().name or "app")
        shutil.copytree(app_dir, copy)
        tag = course_tag("exercise", Path(app_dir), "cache-check")
        try:
            build(copy, dockerfile, tag=tag, progress=False)
            edit_like_a_learner(copy / code_file, "by the checker")
            again = build(copy, dockerfile, tag=tag, progress=False)
        except BuildFailed as error:
            return CheckResult(exercise, False, [f"the image does not build: step {error.step} ({error.instruction}) failed: {error.reason}", error.fix or ""])
    return judge_cache(exercise, [(step.instruction, step.cached) for step in again.dockerfile_steps], dependency_step, code_file)


def judge_multi_stage(exercise: str, served, size: int, reference_size: int, min_ratio: float) -> CheckResult:
    """Pure verdict: the image must serve its request and be at least ``min_ratio`` times smaller."""
    from .units import format_bytes

    messages, passed = [], True
    if not served.ok:
        passed = False
        messages.append(f"the image does not answer HTTP requests: {served}")
    ratio = reference_size / size if size else float("inf")
    if ratio < min_ratio:
        passed = False
        messages.append(f"it is {format_bytes(size)}, {ratio:.1f}x smaller than the single-stage {format_bytes(reference_size)}; the target is {min_ratio:g}x: copy only the built program into a small runtime image")
    if passed:
        messages.append(f"it serves requests and is {format_bytes(size)}: {ratio:.0f}x smaller than the single-stage image ({format_bytes(reference_size)})")
    return CheckResult(exercise, passed, messages)


@recordable("check.multi_stage_is_smaller")
def multi_stage_is_smaller(
    app_dir: str | Path,
    dockerfile: str,
    reference_dockerfile: str,
    *,
    min_ratio: float = 5,
    container_port: int = 8080,
    exercise: str = "multi-stage exercise",
) -> CheckResult:
    """Build your Dockerfile and the single-stage reference; pass when yours serves a request and is
    at least ``min_ratio`` times smaller."""
    from .builder import build
    from .containers import serve
    from .images import image_size

    single, yours = course_tag("exercise", Path(app_dir), "single"), course_tag("exercise", Path(app_dir), "yours")
    try:
        build(app_dir, reference_dockerfile, tag=single, progress=False)
        build(app_dir, dockerfile, tag=yours, progress=False)
    except BuildFailed as error:
        return CheckResult(exercise, False, [f"the image does not build: step {error.step} ({error.instruction}) failed: {error.reason}", error.fix or ""])
    served = serve(yours, container_port)
    return judge_multi_stage(exercise, served, image_size(yours), image_size(single), min_ratio)


def judge_compose_health(exercise: str, service: str, states: list[dict]) -> CheckResult:
    """Pure verdict on `ps` rows: ``service`` must be running and report healthy."""
    rows = [row for row in states if row.get("service") == service]
    if not rows:
        return CheckResult(exercise, False, [f"there is no service {service!r} in your file"])
    row = rows[0]
    if row.get("state") != "running":
        return CheckResult(exercise, False, [f"{service} is {row.get('state')} (exit code {row.get('exit_code')}), not running"])
    if row.get("health") != "healthy":
        health = row.get("health") or "no healthcheck"
        return CheckResult(exercise, False, [f"{service} runs but its health is: {health}; add a healthcheck whose test passes when it serves /health"])
    return CheckResult(exercise, True, [f"{service} is running and healthy"])


@recordable("check.compose_service_healthy")
def compose_service_healthy(app_dir: str | Path, compose_text: str, service: str = "api", *, exercise: str = "compose exercise") -> CheckResult:
    """Bring your compose file up (on a copy of ``app_dir``), and pass if ``service`` becomes healthy."""
    import shutil
    import tempfile

    from .compose import ComposeFailed, project

    with tempfile.TemporaryDirectory(prefix="dockerlab-check-") as folder:
        copy = Path(folder) / (Path(app_dir).resolve().name or "app")
        shutil.copytree(app_dir, copy)
        (copy / "exercise-compose.yaml").write_text(compose_text)
        try:
            stack = project(copy, "exercise-compose.yaml", name="dockerlab-exercise-compose")
        except ComposeFailed as error:
            return CheckResult(exercise, False, [f"Compose cannot read your file: {error.output.strip()[-300:]}"])
        with stack:
            try:
                stack.up(wait=True, timeout=60)
            except ComposeFailed as error:
                states = stack.ps().to_dict("records")
                verdict = judge_compose_health(exercise, service, states)
                return CheckResult(exercise, False, verdict.messages + [f"`up --wait` failed: {error.output.strip()[-300:]}"])
            return judge_compose_health(exercise, service, stack.ps().to_dict("records"))


# Lint rules that decide the hardening exercise (the rest are advice).
HARDENING_RULES = {"DL3002": "the final USER is root", "DL3006": "the base image has no tag", "DL3007": "the base image is :latest", "DL3025": "CMD is in shell form"}


def _applicable(lint_table, rules):
    """The findings of ``rules`` that are not one of hadolint's known false positives."""
    if not len(lint_table):
        return lint_table
    return lint_table[(lint_table["not applicable"] == "") & lint_table["rule"].isin(list(rules))]


def judge_hardening(exercise: str, lint_table, audit_row: dict | None, secrets_table, run_result, expected_line: str) -> CheckResult:
    """Pure verdict: no deciding lint finding, not root, no secret in any layer, and it runs.

    ``audit_row``, ``secrets_table`` and ``run_result`` are None when the image was not built."""
    messages, passed = [], True
    for finding in _applicable(lint_table, HARDENING_RULES).to_dict("records"):
        passed = False
        messages.append(f"line {finding['line']}: {HARDENING_RULES[finding['rule']]} ({finding['rule']}: {finding['why it matters']})")
    if audit_row is None:
        return CheckResult(exercise, False, messages or ["the image was not built"])
    if audit_row["runs as root"]:
        passed = False
        messages.append(f"the image runs as {audit_row['user']}: create a user (useradd --uid 1000 ...) and switch to it with USER")
    if secrets_table is not None and len(secrets_table):
        passed = False
        found = ", ".join(sorted(set(secrets_table["where"])))
        messages.append(f"secrets are in the image's layers: {found}; copy only what the program needs, or list them in .dockerignore")
    if run_result is not None:
        judged = judge_output(exercise, run_result.exit_code, run_result.output, expected_line)
        if not judged.passed:
            passed = False
            messages.extend(judged.messages)
    if passed:
        messages.append(f"lint clean on the deciding rules, runs as {audit_row['user']}, no secret in any layer, and it prints {expected_line!r}")
    return CheckResult(exercise, passed, messages)


@recordable("check.image_is_hardened")
def image_is_hardened(
    app_dir: str | Path,
    dockerfile: str,
    expected_line: str,
    *,
    exercise: str = "hardening exercise",
) -> CheckResult:
    """Lint your Dockerfile; when the base is pinned, build it, audit it, look for secrets and run it."""
    from .builder import build
    from .containers import run
    from .security import audit, find_secrets, lint

    lint_table = lint(dockerfile, app_dir)
    if len(_applicable(lint_table, ["DL3006", "DL3007"])):
        verdict = judge_hardening(exercise, lint_table, None, None, None, expected_line)
        verdict.messages.append("pin the base image first; then the checker builds, audits and runs it")
        return verdict
    tag = course_tag("exercise", Path(app_dir), "hardened")
    try:
        build(app_dir, dockerfile, tag=tag, progress=False)
    except BuildFailed as error:
        return CheckResult(exercise, False, [f"the image does not build: step {error.step} ({error.instruction}) failed: {error.reason}", error.fix or ""])
    audit_row = audit(tag).to_dict("records")[0]
    return judge_hardening(exercise, lint_table, audit_row, find_secrets(tag), run(tag), expected_line)


# question, choices, the right choice, why (with the figure the course measured for it).
QUIZ = {
    1: ("You edit app.py. With requirements.txt copied and installed before `COPY . .`, which steps run again?",
        {"a": "every step", "b": "`COPY . .` and the steps after it", "c": "only `pip install`"}, "b",
        "the cache holds until the first step whose input changed; notebook 03 measured the rebuild"),
    2: ("`RUN rm .env` follows `COPY . .`. Is the .env file gone from the image?",
        {"a": "yes", "b": "no: it is still in the layer `COPY . .` made"}, "b",
        "a later layer only hides it; notebook 06 found it with find_secrets"),
    3: ("What does a container share with its host that a VM does not?",
        {"a": "the kernel", "b": "the disk image", "c": "nothing"}, "a",
        "notebook 01 showed `uname -r` giving the host's kernel in every image"),
    4: ("Which FROM line builds on the same base image every time?",
        {"a": "FROM python:latest", "b": "FROM python:3.11-slim", "c": "FROM python@sha256:..."}, "c",
        "tags move, a digest names the bytes; notebook 06 pushed two images under one tag"),
    5: ("Without a condition, what does `depends_on: [db]` wait for?",
        {"a": "the database accepts connections", "b": "the db container has started"}, "b",
        "notebook 05 counted the api's failed connections with the seed's file"),
}


def quiz(answers: dict[int, str], *, exercise: str = "07 · quiz") -> CheckResult:
    """Check quiz answers ({question number: letter}); each wrong or missing answer says why."""
    messages, right = [], 0
    for number, (question, choices, correct, why) in QUIZ.items():
        given = str(answers.get(number, "")).strip().lower()
        if given == correct:
            right += 1
        elif given in choices:
            messages.append(f"{number}: not {given} ({choices[given]}): {why}")
        else:
            messages.append(f"{number}: no answer yet ({question} choose {', '.join(choices)})")
    messages.insert(0, f"{right} of {len(QUIZ)} right")
    return CheckResult(exercise, right == len(QUIZ), messages)
