"""Every exception the course raises: one base, and subclasses that carry the evidence a learner needs.

What an engine, CLI or Compose message *means* is decided in one place, :mod:`dockerlab.diagnose`.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from .hosting import folder_changed_text, missing_recording_text, stale_recording_text

__all__ = [
    "DockerlabError",
    "TableMismatch",
    "DockerUnavailable",
    "BaseImageUnavailable",
    "RegistryUnreachable",
    "BuildFailed",
    "StandInUnsupported",
    "ImageNotFound",
    "ContainerFailed",
    "ComposeFailed",
    "VmUnavailable",
    "RecordingMissing",
    "RecordingStale",
    "RecordingNotWritten",
    "DockerfileInvalid",
    "LintConfigInvalid",
    "CommandInterrupted",
    "a_kind",
]

# A name that begins with letters read one by one (OSError, HTTPError, URLError, JSONDecodeError, SSLError).
_INITIALS = re.compile(r"[A-Z]{2,}(?=[A-Z][a-z]|[^A-Za-z]|$)")


def a_kind(name: str) -> str:
    """``name`` (a class or type: ImageNotFound, int, RunResult, OSError) after the article its first sound takes, as a
    message names a value's type: "an ImageNotFound", "an int", "a RunResult", "an OSError" and "a URLError" (letters read
    one by one), "a UsageError" and "an UnboundLocalError" (u as in use, u as in up). Returns a str. Raises nothing."""
    initials = _INITIALS.match(name)
    if initials:
        return f"{'an' if name[0] in 'AEFHILMNORSX' else 'a'} {name}"
    word = name.lower()
    if word.startswith(("uni", "use", "usa", "usu", "uti", "eu", "one", "once")):
        return f"a {name}"
    if word.startswith(("hour", "honest", "honor", "heir")):
        return f"an {name}"
    return f"{'an' if word[:1] in ('a', 'e', 'i', 'o', 'u') else 'a'} {name}"


class DockerlabError(Exception):
    """Something the course could not do: says what failed, where, and what to do.

    ``fix`` is the learner's next step; it is part of ``str(error)`` so a notebook shows it.
    """

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        self.message = message
        self.fix = fix
        super().__init__(message if not fix else f"{message}\nWhat to do: {fix}")

    def _render_traceback_(self) -> list[str]:
        """In Jupyter, show the learner the message and the fix, not the library's call stack."""
        return [f"{type(self).__name__}: {self}"]


class DockerUnavailable(DockerlabError):
    """No Docker engine answered. ``tried`` lists every address that was tried and why it failed."""

    def __init__(self, tried: list[tuple[str, str]], fix: str) -> None:
        self.tried = tried
        lines = "\n".join(f"  - {where}: {why}" for where, why in tried)
        super().__init__(f"No Docker engine answered. Tried:\n{lines}", fix=fix)

    @property
    def summary(self) -> str:
        """The failure as one whole sentence (for a line or a note): where it asked and what it found."""
        tried = "; ".join(f"at {where}: {why}" for where, why in self.tried) or "at no address"
        return f"No Docker engine answered {tried.rstrip('.')}."


class RegistryUnreachable(DockerlabError):
    """A pull failed because the registry could not be used (DNS, rate limit, TLS, timeout)."""

    def __init__(self, image: str, reason: str, detail: str, fix: str) -> None:
        self.image = image
        self.reason = reason
        self.detail = detail
        super().__init__(f"Could not pull {image}: {reason} ({detail})", fix=fix)


class BaseImageUnavailable(DockerlabError):
    """A course base image is neither present, nor pullable, nor buildable as a stand-in."""

    def __init__(self, image: str, tried: list[str], fix: str) -> None:
        self.image = image
        self.tried = tried
        steps = "\n".join(f"  - {step}" for step in tried)
        super().__init__(f"Base image {image} is not available. Tried:\n{steps}", fix=fix)


class StandInUnsupported(DockerlabError):
    """This machine cannot build a stand-in (e.g. mmdebstrap needs root or user namespaces)."""


class BuildFailed(DockerlabError):
    """A docker build failed at one step. Carries the step, its instruction, exit code and log tail, and
    ``untagged``: one sentence about the tag: the failure took it off the image the course built earlier (it
    now names nothing), or left it because a container uses that image (never forced) or because the image
    under it is not one the course built (a `docker commit` or the learner's own build); "" when no image
    had the tag."""

    untagged: str = ""  # a class default: a BuildFailed recorded before the attribute existed has none

    def __init__(
        self,
        reason: str,
        *,
        step: int | None = None,
        instruction: str | None = None,
        exit_code: int | None = None,
        log_tail: list[str] | None = None,
        fix: str | None = None,
        untagged: str = "",
    ) -> None:
        self.reason = reason
        self.step = step
        self.instruction = instruction
        self.exit_code = exit_code
        self.log_tail = log_tail or []
        self.untagged = untagged
        where = f"step {step}" if step is not None else "the build"
        if instruction:
            where += f" ({instruction})"
        code = f", exit code {exit_code}" if exit_code is not None else ""
        tail = "\n".join(f"  | {line}" for line in self.log_tail)
        message = f"Build failed at {where}{code}: {reason}"
        if untagged:
            message += f"\n{untagged}"
        if tail:
            message += f"\nLast {len(self.log_tail)} log lines:\n{tail}"
        super().__init__(message, fix=fix)


class ImageNotFound(DockerlabError):
    """There is no image of that name on the engine (``image``: the name asked for)."""

    def __init__(self, image: str, fix: str = "Build it first (`docker build -t NAME .` or dl.build), or `dockerlab prepare` for a course base image.") -> None:
        self.image = image
        super().__init__(f"There is no image {image!r} on this engine.", fix=fix)


class ContainerFailed(DockerlabError):
    """A container could not be created, started or used. ``container`` names it (or the image it was
    to run), ``reason`` is what the engine said, in one line; ``exit_code``: the exit code of the command
    that failed in it (None when nothing ran); ``rule``: the name of the :data:`dockerlab.diagnose.RULES` rule
    that read the engine's refusal ("no-such-user", "no-such-command"; "unknown" when none did; "" when the
    course found the failure itself, not in an engine message): what code asks, never the reason's words."""

    exit_code: int | None = None  # recordings of errors made before it existed replay with None
    rule: str = ""  # likewise: recordings made before it existed replay with ""

    def __init__(self, container: str, action: str, reason: str, fix: str, *, exit_code: int | None = None, rule: str = "") -> None:
        self.container = container
        self.action = action
        self.reason = reason
        self.exit_code = exit_code
        self.rule = rule
        super().__init__(f"Could not {action} {container}: {reason}", fix=fix)


class ComposeFailed(DockerlabError):
    """A Compose command failed: carries the command, its exit code, its output and service logs."""

    def __init__(self, command: Sequence[str], exit_code: int, output: str, service_logs: dict[str, str], fix: str) -> None:
        self.command = list(command)
        self.exit_code = exit_code
        self.output = output
        self.service_logs = service_logs
        logs = "".join(f"\n--- logs of {name} (last lines):\n{text.strip()[-1500:]}" for name, text in service_logs.items() if text.strip())
        super().__init__(
            f"`docker compose {' '.join(self.command)}` failed with exit code {exit_code}:\n{output.strip()[-1500:]}{logs}",
            fix=fix,
        )


class VmUnavailable(DockerlabError):
    """No VM can be booted here (no qemu for this architecture), or the VM did not boot in time:
    ``qemu_output`` is then what qemu printed last (None when qemu never ran)."""

    qemu_output: str | None = None  # recordings of errors made before it existed replay with None

    def __init__(self, message: str, *, fix: str | None = None, qemu_output: str | None = None) -> None:
        self.qemu_output = qemu_output
        super().__init__(message, fix=fix)


class RecordingMissing(DockerlabError):
    """Recorded mode has no result for this call with these inputs (``call``: the course call;
    ``near``: the inputs it was recorded with, as a learner recognises them). Worded for a learner who changed a cell;
    or, when ``changed`` is given, for one whose cell is as recorded but a course folder it reads is not: ``changed``
    lists (file, "edited" | "deleted" | "added") since the recording, and the recording is stale for that folder."""

    def __init__(self, call: str, described: str, near: list[str], changed: list[tuple[str, str]] | tuple = ()) -> None:
        self.changed = list(changed)
        if self.changed:
            message, fix = folder_changed_text(call, self.changed)
        else:
            message, fix = missing_recording_text(call, described)
            if near:
                message += f" (It was recorded with other inputs: {'; '.join(near[:2])}.)"
        super().__init__(message, fix=fix)
        self.call = call
        self.near = near


class RecordingStale(DockerlabError):
    """A recording was written in another shape than the course reads now: ``what`` names the file or
    the call, ``found`` and ``expected`` the two versions; ``damaged`` when the file is not JSON at all (cut short or
    edited), not another version's. Worded for a learner: what happened, and what to do on Binder or on their own machine."""

    def __init__(self, what: str, found: str, expected: str, *, damaged: bool = False) -> None:
        self.what = what
        self.found = found
        self.expected = expected
        self.damaged = damaged
        message, fix = stale_recording_text(what, found, expected, damaged)
        super().__init__(message, fix=fix)


class RecordingNotWritten(DockerlabError, UserWarning):
    """The recording a `dockerlab record` run is making (``target``) could not be written: ``reason`` says why
    (the folder is read-only, the disk is full). Also a warning: a recorded call whose write failed still returns
    its live result, and the failure is shown once as this warning (:meth:`dockerlab.recording.store.Recording.add`);
    writing the recording at the end of a run (flush, reset) raises it."""

    def __init__(self, target: str, reason: str) -> None:
        self.target = str(target)
        self.reason = reason
        folder = str(target).rpartition("/")[0] or "."
        super().__init__(
            f"The recording {self.target} could not be written ({reason}). The results shown are live and correct; the calls "
            "recorded since its last write are kept in memory only, so the file on disk lacks them (it is never half written).",
            fix=f"Free disk space or make {folder} writable: the next recorded call writes the whole recording again. Then record "
                "again as this run did (`dockerlab record --only NOTEBOOK`, or `--exercises`) to be sure the recording is complete.")


class DockerfileInvalid(DockerlabError):
    """The Dockerfile text cannot be built as written; ``line`` is the line at fault (1-based) or None."""

    def __init__(self, message: str, *, line: int | None, fix: str) -> None:
        self.line = line
        super().__init__(message, fix=fix)


class LintConfigInvalid(DockerlabError):
    """hadolint could not read its config file (``path``: the `.hadolint.yaml` it found) and would lint without it;
    ``reason`` is hadolint's own words for what is wrong."""

    def __init__(self, path: str, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(
            f"hadolint could not read its config file {path}: {reason}. hadolint itself only prints this and lints without "
            "the file (no rule you ignored there stays ignored), so the course stops here instead of showing findings the "
            "file was meant to change.",
            fix=f"Correct {path}: it is YAML whose keys are hadolint's own (`ignored:` a list of rules such as DL3008, "
                "`override:` with `error:`/`warning:`/`info:`/`style:` lists, `trustedRegistries:`, `failure-threshold:` one "
                "of error, warning, info, style, ignore, none). Or delete it to lint with hadolint's defaults.")


class TableMismatch(DockerlabError):
    """A course function returned a table whose columns are not the ones it declares
    (:mod:`dockerlab.columns`): a bug in the course, never in the learner's input. ``table`` names the
    declaration, ``found`` and ``declared`` are the column lists."""

    def __init__(self, table: str, where: str, found: list, declared: list) -> None:
        self.table, self.found, self.declared = table, found, declared
        super().__init__(f"{where} returned {table} columns {found}, but declares {declared}.",
                         fix="This is a bug in the course, not in what you did: report it with the call that made it.")


class TextCannotSettle(Exception):
    """The exercises' static tier (dockerlab.exercises.artefacts) cannot settle from a Dockerfile's text what a
    command makes; the message says why. Control flow inside that module, never shown as an error: the static
    tier turns it into advice. Not a DockerlabError, so no public call raises it."""


class TextStopsBuild(Exception):
    """The exercises' static tier (dockerlab.exercises.artefacts) reads from a Dockerfile's text that the build stops
    at a command (a `go build` with no go.mod); the message says why, ``made`` is what the command would have made.
    Control flow inside that module: the static tier turns it into a blocking finding. Not a DockerlabError, so no
    public call raises it."""

    def __init__(self, why: str, made: list) -> None:
        super().__init__(why)
        self.made = made


class CommandInterrupted(KeyboardInterrupt):
    """A %docker command stopped by Ctrl-C (or the kernel's interrupt) after ``seconds`` (s); ``skipped``
    commands of its %%docker cell did not run. Still a KeyboardInterrupt (a notebook's Run All stops
    there), but IPython shows it as one line, not a traceback: the command was stopped (see :func:`dockerlab.magics.docker`)."""

    def __init__(self, seconds: float, skipped: int = 0) -> None:
        super().__init__(seconds, skipped)
        self.seconds, self.skipped = seconds, skipped

    def __str__(self) -> str:
        left = f"; the cell's {self.skipped} other command{'s' if self.skipped != 1 else ''} did not run" if self.skipped else ""
        return f"stopped: interrupted after {self.seconds:.1f} s{left}"

    def _render_traceback_(self) -> list[str]:  # IPython shows these lines in place of a traceback
        return [str(self)]


class PatternRefused(Exception):
    """A .dockerignore pattern the docker CLI refuses (`syntax error in pattern`), as :mod:`dockerlab.dockerignore`
    reads Go's rules: ``reason`` says why in the learner's terms, ``hint`` what to write instead. Control flow inside
    that module: read_patterns turns it into a DockerlabError naming the file, the line and the pattern. Not a
    DockerlabError, so no public call raises it."""

    def __init__(self, reason: str, hint: str, *, only_2010: bool = False, differs_2010: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.hint = reason, hint
        self.only_2010 = only_2010  # refused by the docker 20.10 CLI's regular expression only; newer CLIs accept it
        self.differs_2010 = differs_2010  # accepted by every CLI, but the 20.10 CLI leaves out other files than newer CLIs
