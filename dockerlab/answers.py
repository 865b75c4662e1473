"""A value (an image id, a digest) shown with the docker command a learner would type for it: the
answer's HTML and the one line a table shows above itself. At the bottom of the package (beside
paths), so recordings can keep an answer's command."""
from __future__ import annotations

import html

from .paths import in_course_terms

__all__ = ["Answer", "command_html"]


def command_html(command: str) -> str:
    """One line above a result: the docker command a learner would type in a terminal for it, its
    course paths as typed from the notebooks folder, where the terminal opens (paths.TERMINAL_FOLDER),
    wherever it was recorded.

    Returns:
        An HTML paragraph, or "" for no command.

    Raises:
        Nothing."""
    if not command:
        return ""
    return f"<p><small>In a terminal: <code>{html.escape(in_course_terms(command))}</code></small></p>"


class Answer(str):
    """A str (an image id, a digest) that a notebook shows below the docker command a learner would type
    for the same answer (``command``); otherwise an ordinary str (equal to, and hashed as, its text)."""

    command: str

    def __new__(cls, value: str, command: str) -> Answer:
        answer = super().__new__(cls, value)
        answer.command = command
        return answer

    def _repr_html_(self) -> str:
        return command_html(self.command) + f"<pre>{html.escape(str.__repr__(self))}</pre>"
