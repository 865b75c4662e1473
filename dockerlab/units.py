"""How the course shows numbers: bytes as MB (10^6), seconds with one decimal."""
from __future__ import annotations

__all__ = ["format_bytes", "megabytes"]


def megabytes(size_bytes: float) -> float:
    """Bytes to MB (10^6), the unit Docker prints. Returns a float. Raises nothing."""
    return size_bytes / 1e6


def format_bytes(size_bytes: float) -> str:
    """'74.5 MB', '812 kB', '12 B'. Returns a str. Raises nothing."""
    if size_bytes >= 1e9:
        return f"{size_bytes / 1e9:.2f} GB"
    if size_bytes >= 1e6:
        return f"{size_bytes / 1e6:.1f} MB"
    if size_bytes >= 1e3:
        return f"{size_bytes / 1e3:.0f} kB"
    return f"{int(size_bytes)} B"
