"""One exception base for the course; each subclass carries the evidence a learner needs."""
from __future__ import annotations

__all__ = [
    "DockerlabError",
    "DockerUnavailable",
    "BaseImageUnavailable",
    "RegistryUnreachable",
    "BuildFailed",
    "StandInUnsupported",
]


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
    """A docker build failed at one step. Carries the step, its instruction, exit code and log tail."""

    def __init__(
        self,
        reason: str,
        *,
        step: int | None = None,
        instruction: str | None = None,
        exit_code: int | None = None,
        log_tail: list[str] | None = None,
        fix: str | None = None,
    ) -> None:
        self.reason = reason
        self.step = step
        self.instruction = instruction
        self.exit_code = exit_code
        self.log_tail = log_tail or []
        where = f"step {step}" if step is not None else "the build"
        if instruction:
            where += f" ({instruction})"
        code = f", exit code {exit_code}" if exit_code is not None else ""
        tail = "\n".join(f"  | {line}" for line in self.log_tail)
        message = f"Build failed at {where}{code}: {reason}"
        if tail:
            message += f"\nLast {len(self.log_tail)} log lines:\n{tail}"
        super().__init__(message, fix=fix)
