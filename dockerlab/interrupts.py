"""Clean-up that a second Ctrl-C cannot cut short: what a failed or interrupted call made is removed
completely, or the learner is left with half of it and no way to find the rest."""
from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

__all__ = ["held"]


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
