"""The course's exercises (notebooks 00-06, and 02a): the starting text, the worked solution with a sentence
per change, and how each notebook calls its checker (so a recorded result replays for the same text)."""
from __future__ import annotations

import ast
import difflib
import html
import json
import os
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable

from ..errors import DockerlabError
from ..paths import COURSE_ROOT, app

__all__ = ["Exercise", "EXERCISES", "exercise", "Solution", "solution"]

SOLUTIONS = COURSE_ROOT / "data" / "exercises"


@dataclass(frozen=True)
class Exercise:
    number: str
    notebook: str
    label: str  # the exercise= text the notebook passes (part of a recording's key)
    edits: str  # what the learner edits
    starting: Callable[[], str]
    solution_file: Path
    changes: tuple[tuple[str, str], ...]  # (the change, why)
    checker: Callable[[str], object]  # calls dl.check.* exactly as the notebook cell does

    def solution_text(self) -> str:
        """The reference solution's text. Returns a str. Raises OSError when its file (data/exercises/) cannot be
        read."""
        return self.solution_file.read_text()

    def check(self, text: str | os.PathLike):
        """Check ``text`` (or the file a path names: it is judged as its text) as the notebook's exercise cell does.
        Returns the checker's verdict (a CheckResult). Raises what that checker raises (DockerlabError for a path that
        cannot be read, DockerUnavailable for a live check with no engine; see dockerlab.check)."""
        return self.checker(text)


def _read(app_name: str, file: str) -> Callable[[], str]:
    return lambda: (app(app_name) / file).read_text()


# dockerlab.check hands itself over when it is imported (it sits above this module: it imports the
# catalogue for dl.check.solution, so the catalogue cannot import it back).
_checks: dict[str, object] = {}


def use_checks(module) -> None:
    """Called by dockerlab.check: the module whose checkers the exercises call."""
    _checks["module"] = module


def _check():
    if "module" not in _checks:
        raise DockerlabError("The exercise checkers are not loaded.", fix="import dockerlab (it loads dockerlab.check).")
    return _checks["module"]


def command_of(text: str | os.PathLike):
    """The container command a learner wrote as text: a JSON (or Python) list of words as a list, otherwise
    the str itself (split as `docker run IMAGE ...` splits it). A path is read first (00's solution file).
    Raises DockerlabError when a path names no file."""
    if isinstance(text, os.PathLike):
        try:
            text = Path(text).read_text()
        except OSError as error:
            raise DockerlabError(f"The command file {os.fspath(text)!r} cannot be read: {error.strerror or error}.",
                                 fix='Pass the command itself, e.g. ["grep", "VERSION_ID", "/etc/os-release"], or the path of a file that exists.') from None
    stripped = text.strip()
    if stripped.startswith("["):
        for parse in (json.loads, ast.literal_eval):
            try:
                words = parse(stripped)
            except (ValueError, SyntaxError):
                continue
            if isinstance(words, list):
                return words
    return stripped


RUN_START = '["echo", "replace this command"]\n'  # notebook 00's exercise cell: my_command = ["echo", "replace this command"]

GREETER_START = """
FROM python:3.11-slim
# TODO: copy greet.py into the image and make running it the command
"""

EXERCISES: dict[str, Exercise] = {
    "00": Exercise(
        "00", "00_start_here", "00 · read the image's OS release", "the command (a list of words)",
        lambda: RUN_START, SOLUTIONS / "00-os-release.json",
        (("`grep` instead of `echo`", "echo prints whatever text it is given, so its output says nothing about the image; grep reads a file "
          "in the container's own filesystem and prints the lines that match."),
         ('`"VERSION_ID"`', "is the pattern: grep keeps only the lines that contain it, so of the file's lines just VERSION_ID=3.20 is printed "
          "(cat would print every line, and passes too: the check looks for the line among the output)."),
         ('`"/etc/os-release"`', "is the file in which a Linux distribution records its name and version; read inside the container it "
          "gives the image's release, not the host's (a container shares the host's kernel, not its files).")),
        lambda text: _check().command_prints("alpine:3.20", command_of(text), "VERSION_ID=3.20", reads="/etc/os-release",
                                             exercise="00 · read the image's OS release"),
    ),
    "01": Exercise(
        "01", "01_works_on_my_machine", "01 · works on the server too", "report.py",
        _read("numpy-versions", "report.py"), SOLUTIONS / "01-report.py",
        (("`np.float_` becomes `np.float64`.",
          "NumPy 2.0 removed the `np.float_` alias (its error message names the replacement); `np.float64` is the same type "
          "under the name that exists in numpy 1.26 and 2.x, so the one file now works in both environments."),),
        lambda text: _check().program_prints(app("numpy-versions"), "order total: 28.50", files={"report.py": text},
                                             buildargs={"REQUIREMENTS": "requirements-server.txt"}, exercise="01 · works on the server too"),
    ),
    "02": Exercise(
        "02", "02_core_concepts", "02 · containerize the greeter", "the Dockerfile",
        lambda: GREETER_START, app("greeter") / "solution.Dockerfile",
        (("`WORKDIR /app`", "gives the program a folder of its own, so COPY and CMD can use short relative paths."),
         ("`COPY greet.py .`", "puts the program into the image: without it the image holds only Python, and nothing prints the greeting."),
         ('`CMD ["python", "greet.py"]`', "makes running the program the container's command; without it the container runs the "
          "base image's default command and prints nothing. JSON (exec) form runs python directly, with no shell in between.")),
        lambda text: _check().dockerfile_prints(app("greeter"), "Hello, Docker learner!", dockerfile=text, exercise="02 · containerize the greeter"),
    ),
    "02a": Exercise(
        "02a", "02a_running_containers", "02a · a container that stops on time", "exercise.Dockerfile",
        _read("signals", "exercise.Dockerfile"), SOLUTIONS / "02a-signals.Dockerfile",
        (("`app.py` instead of `service.py`",
          "the log said python could not open /app/service.py: the program the image holds is app.py, so the container stopped at once."),
         ('`CMD ["python", "app.py"]` in JSON (exec) form', "runs python itself as PID 1, so `docker stop`'s SIGTERM reaches its handler and it stops "
          "in a fraction of a second; in shell form this Debian-based image's /bin/sh (dash) is PID 1, ignores SIGTERM, and every stop waits the full 10 s.")),
        lambda text: _check().keeps_running_and_stops(app("signals"), text, exercise="02a · a container that stops on time"),
    ),
    "03": Exercise(
        "03", "03_layer_caching", "03 · keep the install cached", "exercise.Dockerfile",
        _read("layer-cache", "exercise.Dockerfile"), SOLUTIONS / "03-layer-cache.Dockerfile",
        (("`COPY requirements.txt .` alone before the install",
          "a step's cache holds while its inputs are unchanged; the install's only input is now requirements.txt, so editing app.py leaves it cached."),
         ("`COPY app.py .` after the install",
          "the code still gets into the image, in a layer that is cheap to rebuild when app.py changes.")),
        lambda text: _check().cache_survives_code_edit(app("layer-cache"), text, code_file="app.py", exercise="03 · keep the install cached"),
    ),
    "04": Exercise(
        "04", "04_multi_stage_builds", "04 · ship only the program", "single.Dockerfile",
        _read("go-hello", "single.Dockerfile"), SOLUTIONS / "04-go-hello.Dockerfile",
        (("`FROM golang:1.21 AS builder`", "names the build stage, so the final stage can copy from it; the SDK stays in this stage and never ships."),
         ("`FROM scratch`", "starts the image that ships from nothing at all: the program is the only file in it. The build already "
          "sets CGO_ENABLED=0, so the binary is static and needs no C library there (built with cgo, it fails with 'no such file or directory')."),
         ("`COPY --from=builder /app/myapp /myapp`", "takes just the built binary out of the build stage."),
         ('`CMD ["/myapp"]`', "runs it; JSON form is required, since scratch has no shell to run a shell-form command.")),
        lambda text: _check().multi_stage_is_smaller(app("go-hello"), text, (app("go-hello") / "single.Dockerfile").read_text(),
                                                     min_ratio=5, exercise="04 · ship only the program"),
    ),
    "05": Exercise(
        "05", "05_docker_compose", "05 · a healthy api", "compose.yaml",
        _read("compose-api", "compose.yaml"), SOLUTIONS / "05-compose.yaml",
        (("a `healthcheck:` under `api`", "Compose only reports a service healthy when it has a healthcheck whose test passes."),
         ("`test: [\"CMD\", \"python\", \"-c\", \"... urlopen('http://127.0.0.1:8000/health' ...\"]`",
          "asks the api's own /health endpoint, which answers only when the database does; it uses python because the api "
          "image (FROM python:3.11-slim) has no curl. A failed request raises, so python exits non-zero and the check fails."),
         ("`interval: 2s`, `timeout: 3s`, `retries: 15`", "checks often enough that `up --wait` sees healthy within seconds, "
          "and gives a slow start some tries before calling it unhealthy.")),
        lambda text: _check().compose_service_healthy(app("compose-api"), text, service="api", exercise="05 · a healthy api"),
    ),
    "06": Exercise(
        "06", "06_security", "06 · harden the report service", "exercise.Dockerfile",
        _read("secret-leak", "exercise.Dockerfile"), SOLUTIONS / "06-hardened.Dockerfile",
        (("`FROM python:3.11-slim` instead of `FROM python`", "names a fixed version (3.11) rather than whatever `python` means today; the tag is not a pin: "
                                                              "tags move (a rebuilt python:3.11-slim gets the same name), "
                                                              "so pinning is by digest (FROM python:3.11-slim@sha256:...)."),
         ("`RUN useradd --create-home --uid 1000 appuser`", "creates an unprivileged user in the image."),
         ("`COPY app.py .` instead of `COPY . .`", "copies only the program, so the folder's .env (API token, AWS keys) never enters a layer."),
         ("`USER 1000`", "runs the program as that user, not root; a numeric USER lets Kubernetes verify runAsNonRoot."),
         ('`CMD ["python", "app.py"]`', "JSON form runs python as PID 1 with no shell in between, so `docker stop` reaches it.")),
        lambda text: _check().image_is_hardened(app("secret-leak"), text, "report service ready", exercise="06 · harden the report service"),
    ),
}


def exercise(number: str | int) -> Exercise:
    """The Exercise of notebook ``number`` ("00" ... "06", or "02a"; 6 or "6" also work). Raises DockerlabError when there is none."""
    key = f"{int(number):02d}" if str(number).isdigit() else str(number)
    if key not in EXERCISES:
        raise DockerlabError(f"There is no exercise {number!r}.", fix=f"Use one of: {', '.join(EXERCISES)} (the notebook's number).")
    return EXERCISES[key]


@dataclass
class Solution:
    """A worked solution: the text, a sentence per change, and the diff from the starting text.
    In a notebook it renders folded: the learner clicks to reveal it."""

    exercise: Exercise

    @property
    def text(self) -> str:
        return self.exercise.solution_text()

    def diff(self) -> str:
        """The solution against the exercise's starting text, as a unified diff. Returns a str. Raises OSError when
        a file of the exercise cannot be read."""
        start = self.exercise.starting().strip("\n").splitlines()
        return "\n".join(difflib.unified_diff(start, self.text.strip("\n").splitlines(), "starting text", "solution", lineterm="", n=1))

    def __str__(self) -> str:
        changes = "\n".join(f"  - {change}: {why}" for change, why in self.exercise.changes)
        return f"Worked solution to {self.exercise.label} ({self.exercise.edits}):\n\n{self.text}\nWhat changed, and why:\n{changes}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        changes = "".join(f"<li><b>{html.escape(change)}</b>: {html.escape(why)}</li>" for change, why in self.exercise.changes)
        return (f"<details><summary><b>Reveal the worked solution to {html.escape(self.exercise.label)}</b> "
                "(try the exercise first: the checker's hints name the lines to change)</summary>"
                f"<pre>{html.escape(self.text)}</pre><p>What changed, and why:</p><ul>{changes}</ul>"
                f"<details><summary>as a diff from the starting text</summary><pre>{html.escape(self.diff())}</pre></details></details>")


def solution(number: str | int) -> Solution:
    """The worked solution to exercise ``number`` ("00" ... "06", or "02a"), folded until the learner reveals
    it, as a Solution. Raises DockerlabError when there is no such exercise."""
    return Solution(exercise(number))
