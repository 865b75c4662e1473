"""Progress for long operations (pulls, builds, bundle saves), drawn to suit where the code runs.

- In a live Jupyter kernel: a tqdm bar (a widget) that updates in place.
- In a terminal (``dockerlab prepare``, a script): one line per step on stderr, no carriage returns,
  so logs and CI output stay readable.
- In a notebook executed without a person watching (``dockerlab render``/``record`` run notebooks
  with ``DOCKERLAB_PROGRESS=off``): nothing, so no widget output or widget state ends up in a
  saved notebook or in the HTML course. (Recorded mode replays results: nothing runs that draws.)

``DOCKERLAB_PROGRESS=bar|lines|off`` forces one. Every caller goes through :func:`progress`.
"""
from __future__ import annotations

import os
import sys
import time
from typing import TextIO
from .hosting import running_shell
from .units import format_bytes

__all__ = ["progress", "style", "Progress", "ENVIRONMENT"]

ENVIRONMENT = "DOCKERLAB_PROGRESS"
BAR, LINES, OFF = "bar", "lines", "off"
_STYLES = (BAR, LINES, OFF)


def _in_kernel() -> bool:
    """True inside an IPython kernel (JupyterLab, VS Code, nbclient), not a terminal IPython."""
    instance = running_shell()
    return instance is not None and getattr(instance, "kernel", None) is not None


def style() -> str:
    """``bar``, ``lines`` or ``off`` for this process (see the module's docstring). Returns a str. Raises nothing."""
    forced = os.environ.get(ENVIRONMENT, "").strip().lower()
    if forced in _STYLES:
        return forced
    return BAR if _in_kernel() else LINES


class Progress:
    """One operation's progress. ``advance(n)`` counts units (bytes, steps); ``note(text)`` says what
    it is doing now; ``set_total`` when the total becomes known; ``close()`` (or ``with``) ends it."""

    def __init__(self, description: str, *, total: float | None = None, unit: str = "it", kind: str = LINES,
                 stream: TextIO | None = None, every: float = 5.0) -> None:
        self.description = description
        self.total = total
        self.unit = unit
        self.kind = kind
        self.done = 0.0
        self._note = ""
        self._stream = stream
        self._every = every
        self._last_line = float("-inf")  # the first update always prints (monotonic() may be < every after boot)
        self._bar = None
        if kind == BAR:
            from tqdm.auto import tqdm  # lazy: only a bar needs it, and in a kernel it loads ipywidgets

            bytes_like = unit == "B"
            self._bar = tqdm(total=total, desc=description, unit=unit, unit_scale=bytes_like, leave=False,
                             bar_format=None if bytes_like or total else "{desc} {elapsed}")

    # --- what callers use --------------------------------------------------------------------

    def set_total(self, total: float | None) -> None:
        """Set how many units the whole takes (None: not known). Returns None. Raises nothing."""
        self.total = total
        if self._bar is not None:
            self._bar.total = total
            self._bar.refresh()

    def advance(self, amount: float = 1, note: str | None = None) -> None:
        """``amount`` more units done; with ``note`` (a build step, say) a terminal prints a line for it.
        Returns None. Raises nothing."""
        self.done += amount
        if note is not None:
            self._note = note
        if self._bar is not None:
            if note is not None:
                self._bar.set_description_str(f"{self.description}: {note[:70]}", refresh=False)
            self._bar.update(amount)
        elif self.kind == LINES:
            now = time.monotonic()
            if note is not None or now - self._last_line >= self._every:
                self._last_line = now
                self._line()

    def set_done(self, done: float) -> None:
        """Absolute progress (a pull reports how much of each layer it has). Returns None. Raises nothing."""
        self.advance(done - self.done)

    def close(self) -> None:
        """End the bar (a terminal prints its last line). Returns None. Raises nothing."""
        if self._bar is not None:
            self._bar.close()
        elif self.kind == LINES and self.done:
            self._note = "done"
            self._line()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    # --- one terminal line ---------------------------------------------------------------------

    def _amount(self) -> str:

        if self.unit == "B":
            done = format_bytes(self.done)
            return f"{done} of {format_bytes(self.total)}" if self.total else done
        return f"{self.done:.0f}/{self.total:.0f} {self.unit}" if self.total else ""

    def _line(self) -> None:
        parts = [part for part in (self._amount() if self.unit == "B" else "", self._note) if part]
        stream = self._stream or sys.stderr
        print(f"{self.description}: {' · '.join(parts) or '...'}", file=stream, flush=True)


def progress(description: str, *, total: float | None = None, unit: str = "it", enabled: bool = True) -> Progress:
    """A :class:`Progress` drawn as :func:`style` says (``enabled=False``: draws nothing).
    Returns the Progress. Raises nothing."""
    return Progress(description, total=total, unit=unit, kind=style() if enabled else OFF)
