"""Clean-up that a second Ctrl-C cannot cut short: what a failed or interrupted call made is removed
completely, or the learner is left with half of it and no way to find the rest."""
from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator, Sequence

import docker.errors
import requests.exceptions

from .labels import CREATED_LABELS

__all__ = ["held", "scratch_container"]


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Run the block with Ctrl-C (SIGINT) held: one that arrives meanwhile does not interrupt it, and is
    raised as KeyboardInterrupt when the block ends (unless the block is already ending with an
    exception: that one goes on). Outside the main thread, where Python delivers no signal, the block
    just runs. Yields None. Raises KeyboardInterrupt as said."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: arrived.append(number))
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        signal.signal(signal.SIGINT, previous)
        if arrived and not failed:
            raise KeyboardInterrupt


@contextlib.contextmanager
def scratch_container(client, image: str, command: Sequence[str] = ("true",)) -> Iterator[str]:
    """A created, never started, container of ``image`` (an id or a name) for reading its files, removed
    (with its anonymous volumes) when the block ends, however it ends. ``client``: a docker SDK client.
    The create runs under :func:`held`, so a Ctrl-C during it waits for the engine's answer and the
    container is known by its id; the removal too, so a second Ctrl-C does not cut it short. Yields the
    container's id. Raises what ``client.api.create_container`` raises (nothing is then left), and the
    block's own exception; a removal the engine refuses or that finds it gone is passed over."""
    container_id = None
    try:
        with held():
            container_id = client.api.create_container(image, command=list(command), labels=CREATED_LABELS)["Id"]
        yield container_id
    finally:
        if container_id is not None:
            with held():
                try:
                    client.api.remove_container(container_id, force=True, v=True)
                except (docker.errors.APIError, requests.exceptions.RequestException):
                    pass  # gone already, or the engine went away: the block's own outcome is what matters
