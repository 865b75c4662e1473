"""Where a JupyterLab terminal of the course starts: the notebooks folder (:data:`paths.TERMINAL_FOLDER`),
the folder every path a learner types is written from.

Without this, jupyter_server_terminals starts a terminal that asked for no folder (JupyterLab 4's
*File > New > Terminal*, and the launcher's *Terminal* while the file browser shows the server's root)
in the server process's own working folder: the repository root on Binder (repo2docker starts the server
there) and with `make lab` too (it runs `jupyter lab notebooks/` from the root, which moves the file
browser's root, not the process). The launcher's terminal asks for the folder the file browser shows, and a
folder's *Open in Terminal* for that folder; those are kept, except the course root, which becomes notebooks/.

The server uses :class:`CourseTerminalManager` when its config says so: ``binder/jupyter/jupyter_server_config.json``
(on Binder, ``binder/start``, which repo2docker runs before the server, and `make lab` put its folder on
``JUPYTER_CONFIG_PATH``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_server_terminals.terminalmanager import TerminalManager

from .paths import COURSE_ROOT, TERMINAL_FOLDER

__all__ = ["start_folder", "CourseTerminalManager"]


def start_folder(requested: str | None, course_root: Path | None = None) -> str | None:
    """The folder a new terminal starts in, given the folder JupyterLab asked for (``requested``: an absolute
    path as the server resolved it, or None when it asked for none).

    Returns:
        The course's notebooks folder (a str) when nothing was asked for or the course root was; otherwise
        ``requested`` unchanged. When ``course_root`` has no notebooks folder (the package installed without
        the course beside it), ``requested`` unchanged: the server's own default then applies.

    Raises:
        Nothing."""
    root = Path(course_root or COURSE_ROOT)
    notebooks = root / TERMINAL_FOLDER
    if not notebooks.is_dir():
        return requested
    if not requested or Path(requested).resolve() == root.resolve():
        return str(notebooks)
    return requested


class CourseTerminalManager(TerminalManager):
    """jupyter_server_terminals' TerminalManager whose new terminals start where :func:`start_folder` says.
    Select it with ``{"TerminalsExtensionApp": {"terminal_manager_class": "dockerlab.terminals.CourseTerminalManager"}}``."""

    def new_terminal(self, **kwargs: Any):
        """A new terminal (terminado's PtyWithClients) started in ``start_folder(kwargs.get("cwd"))``.
        Raises what terminado raises when the shell cannot start."""
        folder = start_folder(kwargs.get("cwd"))
        if folder is not None:
            kwargs["cwd"] = folder
        return super().new_terminal(**kwargs)
