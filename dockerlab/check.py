"""Exercise checkers: build and run the learner's work, and say what is wrong when it is."""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildFailed, DockerlabError

__all__ = ["CheckResult", "judge_output", "dockerfile_prints", "program_prints", "output_contains"]


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
        colour, mark = ("#1a7f37", "✔ passed") if self.passed else ("#cf222e", "✘ not yet")
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
        copy = Path(folder) / Path(app_dir).name
        shutil.copytree(app_dir, copy)
        for name, text in (files or {}).items():
            (copy / name).write_text(text)
        return dockerfile_prints(copy, expected_line, buildargs=buildargs, exercise=exercise)


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
    tag = f"dockerlab-exercise/{folder.name.lower()}:check"
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
