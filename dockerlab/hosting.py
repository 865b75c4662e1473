"""Where the course runs: on Binder (no Docker engine, ever), in another repo2docker image, or on a
machine of the learner's own. Messages about recorded mode use this to give advice that can be followed.

BinderHub starts each session with BINDER_LAUNCH_HOST, BINDER_REPO_URL, BINDER_REF_URL,
BINDER_REQUEST and BINDER_PERSISTENT_REQUEST set; Kubernetes adds BINDER_SERVICE_HOST on
mybinder.org. repo2docker itself sets REPO_DIR in every image it builds (also when run locally).
"""
from __future__ import annotations

import os
import sys

__all__ = ["on_binder", "in_repo2docker", "place", "running_shell", "recorded_mode_advice", "missing_recording_text", "stale_recording_text"]

BINDER_VARIABLES = ("BINDER_LAUNCH_HOST", "BINDER_REPO_URL", "BINDER_REF_URL", "BINDER_REQUEST", "BINDER_PERSISTENT_REQUEST", "BINDER_SERVICE_HOST")


def on_binder() -> bool:
    """True in a Binder session (BinderHub's environment variables are set). Raises nothing."""
    return any(os.environ.get(name) for name in BINDER_VARIABLES)


def in_repo2docker() -> bool:
    """True in an image built by repo2docker (Binder's builder), on Binder or not. Raises nothing."""
    return bool(os.environ.get("REPO_DIR")) or on_binder()


def place() -> str:
    """'binder', 'repo2docker' or 'local'. Raises nothing."""
    if on_binder():
        return "binder"
    return "repo2docker" if in_repo2docker() else "local"


def running_shell():
    """The IPython shell this process runs in (a kernel, a terminal IPython), or None (plain Python, the
    `dockerlab` command). A running shell has imported IPython already, so this never imports it: that
    would cost every ``import dockerlab`` outside a kernel about 0.1 s. Raises nothing."""
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython is not None else None


def recorded_mode_advice() -> str:
    """What a learner in recorded mode can do to run live, where they are. Returns a str. Raises nothing."""
    if on_binder():
        return ("This is Binder, which has no Docker engine: the notebooks replay results recorded on a real engine, "
                "and the exercise checks judge your text here. To build and measure yourself, run the course on a "
                "machine with Docker (see the README).")
    if in_repo2docker():
        return ("This image (built by repo2docker) has no Docker engine inside: the notebooks replay recorded results. "
                "To run live, run the course on a machine with Docker (see the README).")
    return "To run live: start a Docker engine and restart the kernel (or set DOCKERLAB_MODE=live)."


def missing_recording_text(call: str, described: str) -> tuple[str, str]:
    """(message, what to do) for a learner whose cell asks for a result no one recorded: they changed
    the cell's inputs, which recorded mode cannot measure. Raises nothing."""
    message = (f"This cell now asks for something no one has measured: `{call}` with these inputs was never run on a "
               f"real engine, so recorded mode has no result to show. The cell asked for: {described}.")
    if on_binder():
        fix = ("Binder has no Docker engine, so only the cell as shipped can replay. Undo your change to see the recorded "
               "result (Edit > Undo, or re-open the notebook from the course), or run the course on a machine with Docker to measure your version.")
    else:
        fix = ("Undo your change to see the recorded result, or start a Docker engine and restart the kernel to measure "
               "your version live (`dockerlab doctor` says how).")
    return message, fix


def stale_recording_text(what: str, found: str, expected: str) -> tuple[str, str]:
    """(message, what to do) when the recorded results were written by another version of the course than
    the code that reads them: nothing the learner did, and nothing a cell can replay. Raises nothing."""
    message = (f"The recorded results in {what} were written by another version of the course ({found}; this version "
               f"reads {expected}), so recorded mode cannot replay them. Nothing you did caused this.")
    if on_binder():
        fix = ("Binder has no Docker engine, so this cell cannot run here: launch Binder again from the course's latest version "
               "(its recordings match its code), or run the course on a machine with Docker (see the README).")
    else:
        fix = ("Update your copy of the course (`git pull`: its code and recordings then match), or start a Docker engine and "
               "restart the kernel to measure live (`dockerlab doctor` says how).")
    return message, fix + " (Course maintainers: `dockerlab record` regenerates the recordings.)"
