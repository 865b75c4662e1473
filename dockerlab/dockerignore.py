"""The docker CLI's .dockerignore rules, in one place: how the file is read and which paths it leaves out.

Reading follows docker/cli's ``ReadAll``: a UTF-8 byte order mark is not part of the first pattern,
lines end at LF (a CR before it is whitespace), a line whose first character is ``#`` is a comment
(checked before spaces are trimmed: `` #x`` is a pattern), blank lines are skipped, ``!`` marks an
exception (spaces after it are trimmed), and each pattern is cleaned like Go's ``filepath.Clean``
with a leading ``/`` removed (patterns are anchored at the context root).

Matching reuses docker-py's ``PatternMatcher`` (the CLI's rules: the last matching pattern wins, a
pattern that matches a folder leaves out everything in it, ``!`` exceptions, ``**``) and fixes its two
gaps against moby's patternmatcher: docker-py lower-cases names and patterns (Docker on Linux does
not: ``Secret.ENV`` does not leave out ``secret.env``) and has no ``\\`` escape (``\\#hash.txt`` names
the file ``#hash.txt``). A pattern is Go's ``filepath.Match``: ``*`` and ``?`` stop at ``/``,
``[a-z]`` and ``[^a]`` are classes (``!`` is not negation), every other character is itself. (The
docker 20.10 CLI still passes ``+ ( ) | { }`` into its regular expression, so there ``a+b.txt`` leaves
out ``aab.txt``; newer CLIs and this module read them as themselves.) Likewise a UTF-8 byte order
mark is dropped from the first line only: a BOM at the start of a later line is part of that line's
pattern (``a.txt`` then ``\ufeffsecret.env`` leaves out a.txt and sends secret.env), as docker/cli 28
and moby's patternmatcher read it; the docker 20.10 CLI (the one this machine builds with under
BuildKit) was measured dropping it there too, so on that CLI secret.env is left out. Write a
.dockerignore without BOMs to get the same on every CLI.
"""
from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

from docker.utils.build import Pattern, PatternMatcher, create_archive

from .errors import DockerlabError
from .recording.arguments import check_public

__all__ = ["read_patterns", "patterns_of", "excluded", "sent_paths", "context_tar"]

_BOM = b"\xef\xbb\xbf"


def read_patterns(data: bytes) -> list[str]:
    """The patterns of a .dockerignore file's bytes, as docker/cli reads them (see the module: a BOM is
    dropped from the first line only; the 20.10 CLI differs). Returns a list. Raises DockerlabError, naming the line, for a lone ``!``
    (the CLI refuses it on both builders)."""
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    patterns = []
    for number, line in enumerate(data.decode("utf-8", errors="surrogateescape").split("\n"), start=1):
        if line.startswith("#"):
            continue
        pattern = line.strip()
        if not pattern:
            continue
        invert = pattern.startswith("!")
        if invert:
            pattern = pattern[1:].strip()
            if not pattern:  # docker/cli's ReadAll refuses it, so both builders stop before sending anything
                raise DockerlabError(f'line {number} of .dockerignore is a lone "!": the docker CLI refuses the build with '
                                     f'`illegal exclusion pattern: "!"`.',
                                     fix="Remove that line, or write the path to keep after the !, e.g. `!keep.txt`.")
        if pattern:
            pattern = _clean(pattern)
            if len(pattern) > 1 and pattern.startswith("/"):
                pattern = pattern[1:]
        patterns.append("!" + pattern if invert else pattern)
    return patterns


def _clean(path: str) -> str:
    """Go's ``filepath.Clean``: no repeated or trailing slash, no ``.``, ``..`` resolved lexically."""
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def patterns_of(context: str | Path) -> list[str]:
    """The patterns of ``context``'s .dockerignore (none without one). Returns a list. Raises
    DockerlabError when the file exists but cannot be read."""
    ignore = Path(context) / ".dockerignore"
    if not ignore.exists():
        return []
    try:
        return read_patterns(ignore.read_bytes())
    except OSError as error:
        raise DockerlabError(f"Cannot read {ignore}: {error.strerror or error}", fix="Make .dockerignore a readable text file.") from None


def _regex(pattern: str) -> re.Pattern:
    """moby's patternmatcher translation of one pattern (``/`` as the separator)."""
    out, index = "^", 0
    while index < len(pattern):
        char = pattern[index]
        index += 1
        if char == "*":
            if pattern[index:index + 1] == "*":
                index += 1
                if pattern[index:index + 1] == "/":
                    index += 1
                out += ".*" if index >= len(pattern) else "(.*/)?"
            else:
                out += "[^/]*"
        elif char == "?":
            out += "[^/]"
        elif char == "\\":
            out += re.escape(pattern[index]) if index < len(pattern) else "\\\\"
            index += 1
        elif char in "[]^-":  # character classes pass through, as in Go's regexp
            out += char
        else:
            out += re.escape(char)
    try:
        return re.compile(out + "$", re.DOTALL)
    except re.error:
        return re.compile(re.escape(pattern) + "$")  # a malformed class: the text itself


class _CasePattern(Pattern):
    def __init__(self, pattern_str: str) -> None:
        super().__init__(pattern_str)
        self.regex = _regex(self.cleaned_pattern)

    def match(self, filepath: str) -> bool:
        return self.regex.match(filepath) is not None


class _Matcher(PatternMatcher):
    def __init__(self, patterns, always_sent: bool = True) -> None:  # noqa: D107 - docker-py's parent rule, our patterns and walk
        self.patterns = [pattern for pattern in (_CasePattern(p) for p in patterns) if pattern.dirs]
        if always_sent:
            self.patterns.append(_CasePattern("!.dockerignore"))

    def walk(self, root):
        """The paths (relative, ``/``-separated) a build sends, walked as moby's archive walk does: a
        folder left out is entered only when an exception pattern, with ``/`` added, starts with the
        folder's path and ``/`` (so ``!src/**/*.py`` enters src/ but not src/sub/); a link is not followed."""
        def visit(folder: str):
            for name in sorted(os.listdir(os.path.join(root, folder))):
                relative = f"{folder}/{name}" if folder else name
                left_out = self.matches(relative)
                if not left_out:
                    yield relative
                full = os.path.join(root, relative)
                if not os.path.isdir(full) or os.path.islink(full):
                    continue
                if left_out and not any(pattern.exclusion and (pattern.cleaned_pattern + "/").startswith(relative + "/") for pattern in self.patterns):
                    continue
                yield from visit(relative)

        yield from visit("")


def excluded(path: str, patterns: list[str]) -> bool:
    """True when ``path`` (relative to the context, ``/``-separated) is left out by ``patterns``.
    Returns a bool. Raises nothing."""
    return _Matcher(patterns, always_sent=False).matches(path)


def sent_paths(context: str | Path, patterns: list[str], dockerfile: str | None = None, *, always_sent: bool = True) -> set[str]:
    """The paths (files and folders, relative) of ``context`` a build sends with ``patterns``; the
    .dockerignore and the Dockerfile (``dockerfile``, when it is in the context) are always sent, as the
    CLI does (unless ``always_sent`` is False: then only what the patterns keep). Returns a set. Raises
    OSError when a folder of ``context`` cannot be listed."""
    kept = list(patterns) + ([f"!{dockerfile}"] if dockerfile else [])
    return set(_Matcher(kept, always_sent=always_sent).walk(str(context)))


def context_tar(context: str | Path, patterns: list[str], dockerfile: tuple[str, str]):
    """The build context as a tar file object (as docker-py's ``tar`` makes it, with our matching):
    ``dockerfile`` (name, text) is added beside the context, with a .dockerignore that lists
    ``patterns`` and the Dockerfile's name. Returns the file object, at its start.
    Raises OSError when a file of the context cannot be read (docker-py's "Can not read file in context") or a folder
    cannot be listed."""
    name, text = dockerfile
    extra = [(".dockerignore", "\n".join((patterns or [".dockerignore"]) + [name])), (name, text)]
    root = str(Path(context).resolve())
    return create_archive(root, files=sorted(sent_paths(root, patterns, name)), extra_files=extra)


check_public(globals(), "dockerignore")  # the one argument check, for every public function here
