"""Where the course runs: on Binder (no Docker engine, ever), in another repo2docker image, or on a
machine of the learner's own. Messages about recorded mode use this to give advice that can be followed.

BinderHub starts each session with BINDER_LAUNCH_HOST, BINDER_REPO_URL, BINDER_REF_URL,
BINDER_REQUEST and BINDER_PERSISTENT_REQUEST set; Kubernetes adds BINDER_SERVICE_HOST on
mybinder.org. repo2docker itself sets REPO_DIR in every image it builds (also when run locally).
"""
from __future__ import annotations

import os
import sys

__all__ = ["on_binder", "in_repo2docker", "place", "running_shell", "recorded_mode_advice", "missing_recording_text", "folder_changed_text",
           "changed_files_text", "stale_recording_text"]

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


def changed_files_text(changed: list[tuple[str, str]], limit: int = 4) -> str:
    """The files that changed, as a learner reads them: "data/apps/demo/Dockerfile edited, data/apps/demo/new.txt
    added" (the first ``limit``, then how many more). Returns a str. Raises nothing."""
    said = ", ".join(f"{file} {change}" for file, change in changed[:limit])
    return said + (f", and {len(changed) - limit} more" if len(changed) > limit else "")


def folder_changed_text(call: str, changed: list[tuple[str, str]]) -> tuple[str, str]:
    """(message, what to do) for a learner whose cell is as recorded while a course folder it reads is not
    (``changed``: (file, "edited" | "deleted" | "added")): the recording is stale for that folder. Nothing in the
    cell to undo; the files to put back, or a course whose recordings are older than its files. Raises nothing."""
    message = (f"`{call}` was recorded with exactly these inputs, but files it reads have changed since: {changed_files_text(changed)}. "
               "Recorded mode replays a result only for the files it was measured with, so the recording is stale for this folder "
               "(the cell itself is as recorded).")
    edited = [file for file, change in changed if change in ("edited", "deleted")]
    added = [file for file, change in changed if change == "added"]
    parts = []
    if edited:
        parts.append(f"restore {', '.join(edited[:3])}" + (" (launch the course again to get the files back)" if on_binder()
                                                           else " (`git checkout -- FILE` puts a file back)"))
    if added:
        parts.append(f"remove {', '.join(added[:3])}")
    restore = " and ".join(parts) or "put them back as they were"
    if on_binder():
        fix = (f"If you changed those files, {restore} and run the cell again. If you did not, this copy of the course has recordings "
               "older than its files: launch Binder again from the course's latest version. (Binder has no Docker engine to measure the changed folder.)")
    else:
        fix = (f"If you changed those files, {restore} and run the cell again. If you did not, the recordings are older than the course's "
               "files: update the course (`git pull`), or start a Docker engine and restart the kernel to measure this folder live "
               "(`dockerlab doctor` says how).")
    return message, fix + " (Course maintainers: `dockerlab record` regenerates the recordings.)"


def stale_recording_text(what: str, found: str, expected: str, damaged: bool = False) -> tuple[str, str]:
    """(message, what to do) when the recorded results were written by another version of the course than
    the code that reads them: nothing the learner did, and nothing a cell can replay; or, ``damaged``, when the file
    is not JSON at all (cut short or edited), with the same fix. Raises nothing."""
    if damaged:
        message = (f"The recorded results in {what} are damaged: the file was cut short or edited ({found}; this version "
                   f"reads {expected}), so recorded mode cannot replay them.")
    else:
        message = (f"The recorded results in {what} were written by another version of the course ({found}; this version "
                   f"reads {expected}), so recorded mode cannot replay them. Nothing you did caused this.")
    if on_binder():
        fix = ("Binder has no Docker engine, so this cell cannot run here: launch Binder again from the course's latest version "
               "(its recordings match its code), or run the course on a machine with Docker (see the README).")
    else:
        fix = ("Update your copy of the course (`git pull`: its code and recordings then match), or start a Docker engine and "
               "restart the kernel to measure live (`dockerlab doctor` says how).")
    return message, fix + " (Course maintainers: `dockerlab record` regenerates the recordings.)"
