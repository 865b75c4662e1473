"""How the course shows numbers: sizes in B, kB, MB or GB (powers of 10, as Docker prints them), seconds with one decimal."""
from __future__ import annotations

import math
import numbers

from .errors import DockerlabError

__all__ = ["format_bytes", "megabytes"]


def megabytes(size_bytes: float) -> float:
    """Bytes to MB (10^6), the unit Docker prints. Returns a float. Raises DockerlabError for a value that is not a finite number."""
    return _number("megabytes", size_bytes) / 1e6


def format_bytes(size_bytes: float) -> str:
    """A size in the unit a learner reads, three significant figures as ``docker images`` prints them
    (docker/go-units HumanSizeWithPrecision(size, 3)): '1.23 GB', '132 MB', '74.7 MB', '812 kB', '1.38 kB',
    '16 B' (kB = 10^3, MB = 10^6, GB = 10^9 bytes). The one
    function the course formats sizes with: tables, verdicts and messages. Returns a str. Raises
    DockerlabError for a value that is not a finite number."""
    size_bytes = _number("format_bytes", size_bytes)
    magnitude = abs(size_bytes)
    if magnitude >= 999.5e6:
        return f"{size_bytes / 1e9:.2f} GB"
    if magnitude >= 999.5e3:
        return f"{size_bytes / 1e6:.3g} MB"
    if magnitude >= 1e3:
        return f"{size_bytes / 1e3:.3g} kB"
    return f"{int(size_bytes)} B"


def _number(call: str, value: object) -> float:
    """``value`` when it is a number of bytes; DockerlabError naming ``call`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise DockerlabError(f"units.{call}(): size_bytes= must be a number of bytes, not {type(value).__name__} {value!r:.40}.",
                             fix="For example size_bytes=74_500_000 (a size in bytes, as the course's tables give it).")
    if not math.isfinite(value):
        raise DockerlabError(f"units.{call}(): size_bytes={value!r} is not a finite number of bytes.",
                             fix="For example size_bytes=74_500_000 (a size in bytes, as the course's tables give it).")
    return value
