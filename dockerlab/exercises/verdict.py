"""What an exercise check concludes, and the rules both tiers judge by (no engine, no builds here):
the :class:`CheckResult`, which RUN steps install dependencies, and the hardening rules."""
from __future__ import annotations

import html
import shlex
from dataclasses import dataclass, field

from ..dockerfile import runs_pip_install, shell_commands
from ..theme import ERROR, SUCCESS, WARN, status_css

__all__ = ["CheckResult", "sentence", "runs_step", "HARDENING_RULES", "HARDENING_FIXES", "hardening_lint_message", "applicable"]


@dataclass
class CheckResult:
    """Passed or not, with the reasons; renders as a short verdict in a notebook.

    ``live`` says what the build-and-measure tier did: "measured" (on this engine), "replayed" (from
    data/recorded/), "needs an engine" (recorded mode, text never recorded: only the static tier
    judged it; ``note`` says what the live tier would measure), "not run" (the text cannot build),
    or "" (a result recorded before the course had two tiers). ``log`` is the output behind a
    failure, shown folded under ``log_title`` (a build failure keeps only the log's last lines, and says so)."""

    exercise: str
    passed: bool
    messages: list[str] = field(default_factory=list)
    log: str = ""
    live: str = ""
    note: str = ""
    log_title: str = "full log"

    def __bool__(self) -> bool:
        return self.passed

    @property
    def complete(self) -> bool:
        """Both tiers judged it (or it failed): False only when the live tier still needs an engine."""
        return not (self.passed and self.live == "needs an engine")

    def _mark(self) -> str:
        if not self.passed:
            return "NOT YET"
        return "PASSED" if self.complete else "STATIC CHECKS PASSED"

    def __str__(self) -> str:
        text = f"{self.exercise}: {self._mark()}\n" + "\n".join(f"  - {message}" for message in self.messages)
        if self.note:
            text += f"\n  {self.note}"
        if self.log:
            text += f"\n  {self.log_title}:\n" + "\n".join(f"    | {line}" for line in self.log.rstrip().splitlines())
        return text

    def _repr_html_(self) -> str:
        colour = ERROR if not self.passed else (SUCCESS if self.complete else WARN)
        mark = {"NOT YET": "✘ not yet", "PASSED": "✔ passed", "STATIC CHECKS PASSED": "✔ static checks passed"}[self._mark()]
        items = "".join(f"<li>{html.escape(message)}</li>" for message in self.messages)
        note = f"<p><i>{html.escape(self.note)}</i></p>" if self.note else ""
        log = (f"<details><summary>{html.escape(self.log_title)} ({len(self.log.splitlines())} lines)</summary><pre>{html.escape(self.log)}</pre></details>"
               if self.log else "")
        return f"<p><b>{html.escape(self.exercise)}</b>: <span style='{status_css(colour)}'>{mark}</span></p><ul>{items}</ul>{note}{log}"


def sentence(text: str) -> str:
    """``text`` as a whole sentence: one full stop at the end, never two (a quoted line may end in its own).
    Returns a str. Raises nothing."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def runs_step(instruction: str, dependency_step: str) -> bool:
    """Whether a RUN step runs ``dependency_step`` as one of its shell commands (never text an echo
    prints): "pip install" is pip, pip3, pip3.X or python -m pip with install
    (:func:`dockerlab.dockerfile.runs_pip_install`); another step, a command whose words start with its
    words (the program compared by name, whatever its path). Returns a bool.
    Raises ValueError for a ``dependency_step`` the shell cannot split (an unclosed quote)."""
    if not instruction.upper().startswith("RUN"):
        return False
    if dependency_step == "pip install":
        return runs_pip_install(instruction)
    wanted = shlex.split(dependency_step)
    if not wanted:
        return False
    wanted[0] = wanted[0].rpartition("/")[2]
    return any(command[: len(wanted)] == wanted for command in shell_commands(instruction))


# Lint rules that decide the hardening exercise (the rest are advice).
HARDENING_RULES = {"DL3002": "the final USER is root", "DL3006": "the base image has no tag", "DL3007": "the base image is :latest",
                   "DL3025": "CMD is in shell form"}


def hardening_lint_message(finding: dict) -> str:
    """One paragraph for a deciding hadolint finding (the static and live tiers word it alike).
    Returns a str. Raises KeyError for a finding of a rule not in HARDENING_RULES."""
    return (f"line {finding['line']}: {HARDENING_RULES[finding['rule']]} ({finding['rule']}: {finding['why_it_matters']}). "
            f"Next: {HARDENING_FIXES[finding['rule']]}")


HARDENING_FIXES = {
    "DL3002": "end with USER set to a non-root user, e.g. USER 1000.",
    "DL3006": "name a fixed version with a tag (FROM python:3.11-slim); tags move, so pinning is by digest (FROM python@sha256:...).",
    "DL3007": "name a fixed version with a tag instead of :latest (FROM python:3.11-slim); tags move, so pinning is by digest.",
    "DL3025": "write CMD in JSON form, e.g. CMD [\"python\", \"app.py\"].",
}


def applicable(lint_table, rules):
    """The findings of ``rules`` that are not one of hadolint's known false positives.
    Returns the rows (a DataFrame). Raises KeyError for a non-empty table without security.lint's rule and
    not_applicable columns."""
    if not len(lint_table):
        return lint_table
    return lint_table[(lint_table["not_applicable"] == "") & lint_table["rule"].isin(list(rules))]
