"""What a call's recording is keyed by: its name, its arguments, and the content of every course file
or folder it is given (a Dockerfile, a build context), described the same way on every machine."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .codec import course_relative

__all__ = ["inputs", "files_of", "digest_of_files", "course_paths_in", "without_contents", "UNKEYED"]

# Keywords that change how a call looks, never what it measures.
UNKEYED = {"progress", "on_step"}


def _made_locally(path: Path) -> bool:
    """A `.env` made from the `.env.example` beside it (dl.compose copies it on first use): not part of
    the course as the repository holds it, so not part of a key."""
    return path.name == ".env" and path.with_name(".env.example").is_file()


def files_of(path: Path, root: Path) -> dict[str, str]:
    """sha256 of each file of a course file or folder (course-relative path -> hex digest).
    Returns a dict. Raises OSError when a file cannot be read."""
    paths = [path] if path.is_file() else sorted(
        p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts and not _made_locally(p)
    )
    return {course_relative(p, root): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def digest_of_files(contents: dict[str, str]) -> str:
    """One sha256 hex digest of a {course-relative path: sha256} mapping (as :func:`files_of` gives), whatever its order.
    Returns a str. Raises nothing."""
    return hashlib.sha256(json.dumps(contents, sort_keys=True).encode()).hexdigest()


def _course_path(value: Any, root: Path) -> Path | None:
    if isinstance(value, Path) or (isinstance(value, str) and value.startswith("/") and "\n" not in value and len(value) < 4096):
        path = Path(value)
        try:
            path.resolve().relative_to(root)
        except ValueError:
            return None
        return path if path.exists() else None
    return None


def _describe(value: Any, files: dict[str, str], root: Path) -> Any:
    """A stable description of one argument; course paths add their files to ``files``."""
    key = getattr(value, "_recording_key", None) if type(value).__name__ == "_Proxy" else None
    if key is not None:
        return {"object": key}
    path = _course_path(value, root)
    if path is not None:
        contents = files_of(path, root)
        files.update(contents)
        return {"course path": course_relative(path, root), "content": digest_of_files(contents)}
    if isinstance(value, (list, tuple)):
        return [_describe(item, files, root) for item in value]
    if isinstance(value, dict):
        return {str(name): _describe(item, files, root) for name, item in sorted(value.items(), key=lambda pair: str(pair[0]))}
    if callable(value):
        return "<callable>"
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def inputs(call: str, arguments: tuple, keywords: dict, root: Path) -> tuple[str, dict, dict[str, str]]:
    """(key, description, files): the key hashes the call's name and described inputs.
    Raises OSError when a file of a course folder given as an argument cannot be read."""
    files: dict[str, str] = {}
    described = {
        "arguments": [_describe(value, files, root) for value in arguments],
        "keywords": {name: _describe(value, files, root) for name, value in sorted(keywords.items()) if name not in UNKEYED},
    }
    key = hashlib.sha256(json.dumps([call, described], sort_keys=True, default=str).encode()).hexdigest()[:24]
    return key, described, files


def course_paths_in(described: Any) -> list[dict]:
    """Every ``{"course path": ..., "content": ...}`` inside a call's described inputs.
    Returns a list. Raises nothing."""
    if isinstance(described, dict):
        if "course path" in described:
            return [described]
        return [found for value in described.values() for found in course_paths_in(value)]
    if isinstance(described, list):
        return [found for value in described for found in course_paths_in(value)]
    return []


def without_contents(described: Any) -> Any:
    """A call's described inputs with each course folder's content digest left out (its course path kept): two calls
    equal here differ only in what the folders they were given hold. Returns the same shape. Raises nothing."""
    if isinstance(described, dict):
        if "course path" in described:
            return {"course path": described["course path"]}
        return {name: without_contents(value) for name, value in described.items()}
    if isinstance(described, list):
        return [without_contents(value) for value in described]
    return described


def _recognisable(value: Any) -> str:
    """One described argument as the learner wrote it: a course folder by its path (no content hash),
    short text whole, longer text by its first line and size (never cut mid-word)."""
    if isinstance(value, dict) and "course path" in value:
        return value["course path"]
    if isinstance(value, dict) and "object" in value:
        return "an object from an earlier cell"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{name!r}: {_recognisable(item)}" for name, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_recognisable(item) for item in value) + "]"
    if isinstance(value, str) and ("\n" in value.strip() or len(value) > 60):
        lines = [line for line in value.splitlines() if line.strip()]
        first = lines[0].strip() if lines else ""
        return (f"a text of {len(lines)} line{'s' if len(lines) != 1 else ''} starting {first[:60]!r}" if len(first) <= 60
                else f"a text of {len(value)} characters")
    return repr(value)


def short(described: dict, limit: int = 300) -> str:
    """The inputs in one line a learner recognises (for an error message): folders by their course path,
    texts by their first line; whole arguments only, the rest counted when it grows past ``limit`` characters."""
    parts = [_recognisable(value) for value in described["arguments"]]
    parts += [f"{name}={_recognisable(value)}" for name, value in described["keywords"].items()]
    shown: list[str] = []
    for part in parts:
        if shown and len(", ".join(shown + [part])) > limit:
            return ", ".join(shown) + f", and {len(parts) - len(shown)} more"
        shown.append(part)
    return ", ".join(shown)
