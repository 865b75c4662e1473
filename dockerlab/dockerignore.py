"""The docker CLI's .dockerignore rules, in one place: how the file is read and which paths it leaves out.

Reading follows docker/cli's ``ReadAll``: a UTF-8 byte order mark is not part of the first pattern,
lines end at LF (a CR before it is whitespace), a line whose first character is ``#`` is a comment
(checked before spaces are trimmed: `` #x`` is a pattern), blank lines are skipped, ``!`` marks an
exception (spaces after it are trimmed), and each pattern is cleaned like Go's ``filepath.Clean``
with a leading ``/`` removed (patterns are anchored at the context root). Spaces are Go's
(``strings.TrimSpace``: ``unicode.IsSpace``, which keeps U+001C-U+001F where Python's ``str.strip`` trims
them, so ``a.txt\\x1f`` names no file a.txt). Clean keeps a leading ``..``: ``../a.txt`` stays
``../a.txt`` and matches no path of the context, so a.txt is sent (``./a.txt``, ``a/../a.txt``,
``/a.txt`` and ``a//a.txt`` are all ``a.txt``); an exception for the root itself, ``!/``, is a lone ``!``
to the CLI's pattern matcher, which cleans each pattern again with its ``!``.

Matching reuses docker-py's ``PatternMatcher`` (the CLI's rules: the last matching pattern wins, a
pattern that matches a folder leaves out everything in it, ``!`` exceptions, ``**``) and fixes its three
gaps against moby's patternmatcher: docker-py lower-cases names and patterns (Docker on Linux does
not: ``Secret.ENV`` does not leave out ``secret.env``), has no ``\\`` escape (``\\#hash.txt`` names
the file ``#hash.txt``) and cleans patterns its own way (a leading ``..`` dropped, Python's spaces trimmed).
A pattern is Go's ``filepath.Match``: ``*`` and ``?`` stop at ``/``,
``[a-z]`` and ``[^a]`` are classes (``!`` is not negation), every other character is itself.

Where the docker 20.10 CLI (Debian's docker.io: the course's BuildKit builds go through it where buildx is missing)
and newer CLIs read one pattern differently, this module refuses the pattern on every builder, saying why and what to
write instead, so a .dockerignore means the same image wherever it is built (:func:`_check_same_on_2010`, each case
measured with CLI 20.10 against CLI 28). That CLI makes a regular expression of every pattern and escapes only ``.`` and
``$``: ``+ | ( )``, a ``{`` starting a count and (in a pattern without wildcards, which newer CLIs compare as text) ``^``
are regexp syntax there (``a+.txt`` leaves out aa.txt, ``backup (1).zip`` leaves out backup 1.zip) and characters to
newer CLIs; an escaped ``\\(`` is ``(`` on every CLI. Where the regular expression does not compile (``a(b.txt``,
``a)b.txt``, ``c++.txt``) the 20.10 CLI refuses the build (measured for the first two, on both builders) while CLI 28
accepts it: refused here too. A leading ``**`` followed by text (``**.py``) is any path ending in it to newer CLIs and
that exact name in any folder to 20.10 (``**/*.py`` means every .py file to both). A UTF-8 byte order mark is dropped
from the first line only, by every CLI; at the start of a later pattern Go's text/scanner skips it when the pattern
becomes a regular expression (always on 20.10, with a wildcard on newer CLIs), so ``\\ufeffb*.txt`` leaves out b.txt
everywhere while ``\\ufeffb.txt`` leaves out b.txt on 20.10 and nothing visible on newer CLIs: refused.
The two also walk the context differently where a pattern names a folder: 20.10 checks each pattern against a file
and its folders, in order; newer CLIs (moby/patternmatcher ``MatchesUsingParentResults``) decide a file from its
folder's results and check later patterns against the file alone, so ``**/*.py`` then ``!src`` sends src/a.py on
20.10 only, and ``src``, ``!src/sub/**``, ``src/sub`` sends src/sub/b.py on newer CLIs only (measured).
:func:`sent_paths` walks both ways and refuses a context they send differently, naming the files and the pattern.

A pattern the CLI refuses is refused here too, as a DockerlabError naming the file, the line and the
pattern (the CLI stops the build with ``syntax error in pattern`` on both builders). The CLI checks a
pattern twice, and so does this module: first with Go's ``filepath.Match(pattern, ".")`` (ported here:
an unclosed ``[abc``, an empty class ``[]`` or ``[^]``, ``[a-]``, a ``\\`` at the end), then by
compiling the regular expression moby's patternmatcher makes of it with Go's ``regexp`` (ported here
for what that translation can produce: ``[z-a]`` is a backwards range; ``\\`` before a letter is a
regexp escape, so ``sub\\x.env`` (``\\x`` wants two hex digits) and ``build\\output`` are refused while
``logs\\d.txt`` reads ``\\d`` as a digit). A pattern that compiles is matched with that same
translation, so an escape means what it means to the CLI (``\\t`` a tab, ``\\pL`` a letter); and
as in moby's patternmatcher, a pattern without ``* ? [ ] \\`` is compared as text, ``foo**`` as a prefix
and ``**...`` without other wildcards as a suffix (``**/name``; ``**text`` is refused, above). Newer CLIs
compile a pattern only when a path comes to be checked against it (a ``[z-a]`` after ``*`` may then never be);
the 20.10 CLI was measured refusing it there too, and so does this module: as written it cannot work.
Unicode classes follow the Go of that CLI (1.19): one capital letter (``\\pL``); Go 1.25 also accepts ``\\pl``.

An ASCII control character inside a pattern (``a.txt\\x1f``, ``a\\x01b.txt``, ``x\\x7f.txt``; a tab is not one here)
is read by the classic builder like any other character, but BuildKit receives the patterns in a gRPC header, which
cannot carry it: the 20.10 CLI's BuildKit build was measured failing at `load build context` with
``rpc error: ... RST_STREAM with error code: PROTOCOL_ERROR`` for \\x01, \\x1c, \\x1f and \\x7f, and accepting a tab or
an é inside a pattern. ``read_patterns(..., buildkit=True)`` refuses such a line, naming it; the classic reading
(:func:`dockerlab.dockerfile.context_files`) keeps it.
"""
from __future__ import annotations

import functools
import os
import posixpath
import re
import unicodedata
from pathlib import Path

from docker.utils.build import Pattern, PatternMatcher, create_archive

from .errors import DockerlabError
from .errors import PatternRefused as _BadPattern  # a pattern the CLI refuses: reason and hint
from .recording.arguments import check_public

__all__ = ["read_patterns", "ignore_file", "patterns_of", "excluded", "sent_paths", "context_tar"]

_BOM = b"\xef\xbb\xbf"
# Go's unicode.IsSpace, which strings.TrimSpace trims: Latin-1's '\t' '\n' '\v' '\f' '\r' ' ' U+0085 U+00A0, then the
# White_Space table (U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000). Python's str.strip() also trims
# U+001C-U+001F, which Go keeps as part of the pattern (the 20.10 CLI sent a.txt for `a.txt\x1f`, measured).
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680" + "".join(chr(point) for point in range(0x2000, 0x200B)) + "\u2028\u2029\u202f\u205f\u3000"


# ASCII control characters a BuildKit build cannot send: its patterns travel in a gRPC (HTTP/2) header, whose values
# may hold no control character but the tab (Go's httpguts.ValidHeaderFieldValue); \x01, \x1c, \x1f and \x7f were
# measured (the 20.10 CLI, DOCKER_BUILDKIT=1: `PROTOCOL_ERROR` at `load build context`), a tab and é pass.
_NOT_IN_A_HEADER = frozenset(chr(point) for point in (*range(0x20), 0x7F)) - {"\t"}


def _trim(text: str) -> str:
    """Go's ``strings.TrimSpace``."""
    return text.strip(_GO_SPACE)


def read_patterns(data: bytes, source: str = ".dockerignore", *, item: str = "line", buildkit: bool = False) -> list[str]:
    """The patterns of a .dockerignore file's bytes, as docker/cli reads them (see the module: a BOM is
    dropped from the first line only). ``source`` names the file (or argument) in
    messages, ``item`` what its lines are called there. Returns a list. Raises DockerlabError, naming
    ``source``, the line and the pattern, for a lone ``!``, for a pattern the CLI refuses as a syntax
    error (both builders stop before sending anything), for one the docker 20.10 CLI and newer CLIs read as
    different files (``a+.txt``, ``backup (1).zip``, ``**.py``, a later line starting with a BOM), and with ``buildkit`` (the patterns of a BuildKit
    build) for a pattern holding an ASCII control character other than a tab, which BuildKit cannot receive."""
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    patterns = []
    for number, line in enumerate(data.decode("utf-8", errors="surrogateescape").split("\n"), start=1):
        if line.startswith("#"):
            continue
        pattern = _trim(line)
        if not pattern:
            continue
        written = pattern
        invert = pattern.startswith("!")
        if invert:
            pattern = _trim(pattern[1:])
            # a lone ! is refused (illegal exclusion pattern, both builders stop before sending anything); so is `!/`
            # (and `!//`, `!/..`): ReadAll keeps the pattern "/" whole, and the pattern matcher's own filepath.Clean
            # makes "!/" the lone "!" (moby's NewPatternMatcher, 20.10 and patternmatcher alike)
            if not pattern or _clean(pattern) == "/":
                what = 'a lone "!"' if not pattern else f'{written!r}, an exception for the context\'s root folder, which the CLI reads as a lone "!"'
                raise DockerlabError(f'{item} {number} of {source} is {what}: the docker CLI refuses the build with '
                                     f'`illegal exclusion pattern: "!"`.',
                                     fix=f"Remove that {item}, or write the path to keep after the !, e.g. `!keep.txt`.")
        control = next((char for char in written if char in _NOT_IN_A_HEADER), None) if buildkit else None
        if control is not None:
            shown = written.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")
            code = f"\\x{ord(control):02x}"
            raise DockerlabError(f"{item} {number} of {source}, {shown!r}, holds the control character {code}: a BuildKit build cannot send it "
                                 f"(its patterns travel to the builder in a gRPC header, which may not hold control characters), so the build "
                                 f"would stop at `load build context` with `rpc error: ... PROTOCOL_ERROR`. The classic builder accepts it "
                                 f"as part of the pattern.",
                                 fix=f"Remove the {code} from {item} {number} (an editor or a paste often leaves such a character unseen), "
                                     f"or build with builder='classic'.")
        if pattern:
            pattern = _clean(pattern)
            if len(pattern) > 1 and pattern.startswith("/"):
                pattern = pattern[1:]
        try:
            _check(pattern)
        except _BadPattern as bad:
            raise _refused(bad, item, number, source, written.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")) from None
        patterns.append("!" + pattern if invert else pattern)
    return patterns


def _refused(bad: _BadPattern, item: str, number: int, source: str, shown: str) -> DockerlabError:
    """The DockerlabError for a pattern refused as ``bad`` says, naming ``source``, the ``item`` and its ``number``."""
    if bad.differs_2010:
        return DockerlabError(f"{item} {number} of {source}, {shown!r}, means different files to different docker CLIs: {bad.reason}. "
                          f"The course's BuildKit builds go through the docker 20.10 CLI where buildx is missing (Debian's docker.io) "
                          f"and its classic builds read patterns as newer CLIs do, so one context would make two different images: "
                          f"the course refuses such a pattern on every builder, so the .dockerignore means the same wherever it is built.",
                          fix=f"Correct {item} {number}: {bad.hint}")
    if bad.only_2010:
        return DockerlabError(f"{item} {number} of {source}, {shown!r}, is a pattern the docker 20.10 CLI refuses (Debian's docker.io, "
                          f"which the course's BuildKit builds use where buildx is missing): the build stops with `syntax error in pattern` "
                          f"before anything is sent, because that CLI makes a regular expression of each pattern and passes ( ) | + {{ }} into "
                          f"it as regexp syntax: {bad.reason}. Newer CLIs read these characters as themselves and accept it; the course "
                          f"refuses it on every builder, so the .dockerignore means the same wherever it is built.",
                          fix=f"Correct {item} {number}: {bad.hint}")
    return DockerlabError(f"{item} {number} of {source}, {shown!r}, is a pattern the docker CLI refuses: the build stops "
                          f"with `syntax error in pattern` (both builders, before anything is sent): {bad.reason}.",
                          fix=f"Correct or remove {item} {number}: {bad.hint}")


def _clean(path: str) -> str:
    """Go's ``filepath.Clean``: no repeated or trailing slash, no ``.``, ``..`` resolved lexically."""
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def ignore_file(context: str | Path, dockerfile: str | Path | None = None) -> Path:
    """The file a BuildKit build reads its patterns from: ``<Dockerfile>.dockerignore`` beside a Dockerfile given
    as a path (``dockerfile``: relative to ``context`` or absolute; ``app.Dockerfile`` reads
    ``app.Dockerfile.dockerignore``) when that file exists, in place of the context's (BuildKit's rule since Docker
    19.03, measured with the 20.10 CLI: `Dockerfile.dockerignore` holding ``x`` sent the file the context's
    .dockerignore left out); otherwise ``context``'s .dockerignore (which may not exist), the one file the classic
    builder reads (pass no ``dockerfile`` for it). Returns a Path. Raises nothing."""
    if dockerfile is not None:
        path = Path(dockerfile) if Path(dockerfile).is_absolute() else Path(context) / dockerfile
        own = path.with_name(path.name + ".dockerignore")
        if own.is_file():
            return own
    return Path(context) / ".dockerignore"


def patterns_of(context: str | Path, *, buildkit: bool = False, dockerfile: str | Path | None = None) -> list[str]:
    """The patterns of ``context``'s .dockerignore (none without one), or of ``<Dockerfile>.dockerignore`` where
    ``dockerfile`` (a path: pass it for a BuildKit build) has one (:func:`ignore_file`); ``buildkit`` for a BuildKit
    build, which cannot send a control character. Returns a list. Raises DockerlabError when the file exists but cannot be read,
    or holds a line the CLI (or, with ``buildkit``, BuildKit) refuses (:func:`read_patterns`)."""
    ignore = ignore_file(context, dockerfile)
    if not ignore.exists():
        return []
    try:
        return read_patterns(ignore.read_bytes(), str(ignore), buildkit=buildkit)
    except OSError as error:
        raise DockerlabError(f"Cannot read {ignore}: {error.strerror or error}", fix=f"Make {ignore.name} a readable text file.") from None


_CLASS_HINT = "close every [ with ] and put at least one character in it (`[abc]`, `[a-z]`, `[^a]`); write \\[ for a [ itself."
_ESCAPE_HINT = ("on Linux a \\ escapes the next character (it is not a folder separator: use /); escape only punctuation "
                "(`\\*`, `\\?`, `\\[`, `\\#`) or write the character itself.")


# --- Go's filepath.Match (Go 1.16 and later: the whole pattern is checked), on Linux -----------------------------


def _get_esc(chunk: str) -> tuple[str, str]:
    """Go's getEsc: one possibly escaped character of a [class], and the rest of the chunk."""
    if not chunk:
        raise _BadPattern("a [ is not closed by ]", _CLASS_HINT)
    if chunk[0] == "-":
        raise _BadPattern("a - in a [class] has no character before it", "write a range as low-high, e.g. `[a-z]`, and an escaped \\- for a - itself.")
    if chunk[0] == "]":
        raise _BadPattern("a [class] is empty (`[]`, `[^]`) or a range in it has no end (`[a-]`)", _CLASS_HINT)
    if chunk[0] == "\\":
        chunk = chunk[1:]
        if not chunk:
            raise _BadPattern("a \\ at the end escapes nothing", _ESCAPE_HINT)
    if "\udc80" <= chunk[0] <= "\udcff":
        raise _BadPattern("a [class] holds a byte that is not UTF-8", "save .dockerignore as UTF-8.")
    if len(chunk) == 1:
        raise _BadPattern("a [ is not closed by ]", _CLASS_HINT)
    return chunk[0], chunk[1:]


def _scan_chunk(pattern: str) -> tuple[bool, str, str]:
    """Go's scanChunk: leading stars, then the chunk up to the next * outside a class, then the rest."""
    rest = pattern.lstrip("*")
    star, pattern, inrange, index = len(rest) != len(pattern), rest, False, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 1 if index + 1 < len(pattern) else 0
        elif char == "[":
            inrange = True
        elif char == "]":
            inrange = False
        elif char == "*" and not inrange:
            return star, pattern[:index], pattern[index:]
        index += 1
    return star, pattern, ""


def _match_chunk(chunk: str, name: str) -> str | None:
    """Go's matchChunk: the rest of ``name`` after ``chunk`` matched its start, or None; the whole chunk
    is checked for syntax even after a failed match. Raises _BadPattern."""
    failed = False
    while chunk:
        failed = failed or not name
        if chunk[0] == "[":
            char = None
            if not failed:
                char, name = name[0], name[1:]
            chunk = chunk[1:]
            negated = chunk[:1] == "^"
            if negated:
                chunk = chunk[1:]
            matched, ranges = False, 0
            while not (chunk[:1] == "]" and ranges > 0):
                low, chunk = _get_esc(chunk)
                high = low
                if chunk[0] == "-":
                    high, chunk = _get_esc(chunk[1:])
                matched = matched or (char is not None and low <= char <= high)
                ranges += 1
            chunk = chunk[1:]
            failed = failed or matched == negated
        elif chunk[0] == "?":
            if not failed:
                failed, name = name[0] == "/", name[1:]
            chunk = chunk[1:]
        else:
            if chunk[0] == "\\":
                chunk = chunk[1:]
                if not chunk:
                    raise _BadPattern("a \\ at the end escapes nothing", _ESCAPE_HINT)
            if not failed:
                failed, name = chunk[0] != name[0], name[1:]
            chunk = chunk[1:]
    return None if failed else name


def _go_match(pattern: str, name: str) -> bool:
    """Go's ``filepath.Match(pattern, name)`` on Linux. Returns a bool. Raises _BadPattern where Go returns ErrBadPattern."""
    while pattern:
        star, chunk, pattern = _scan_chunk(pattern)
        if star and not chunk:
            return "/" not in name
        rest = _match_chunk(chunk, name)
        if rest is not None and (not rest or pattern):
            name = rest
            continue
        if star:
            found = None
            for index, char in enumerate(name):
                if char == "/":
                    break
                rest = _match_chunk(chunk, name[index + 1:])
                if rest is not None and (pattern or not rest):
                    found = rest
                    break
            if found is not None:
                name = found
                continue
        while pattern:
            _, chunk, pattern = _scan_chunk(pattern)
            _match_chunk(chunk, "")
        return False
    return not name


# --- moby's patternmatcher: a pattern as text, prefix, suffix or Go regular expression ---------------------------


def _scanned(char: str) -> str:
    """A character as Go's text/scanner reads it: a byte that is not UTF-8 (a surrogate escape here) is U+FFFD."""
    return "\ufffd" if "\udc80" <= char <= "\udcff" else char


def _moby_regexp(pattern: str) -> tuple[str, str]:
    """moby/patternmatcher's ``compile`` on Linux: the match type ("exact", "prefix", "suffix" or
    "regexp") and, for "regexp", the Go regular expression it makes of ``pattern``. Raises nothing."""
    out, kind, index, token = "^", "exact", int(pattern[:1] == "\ufeff"), 0  # Go's text/scanner skips a leading BOM
    while index < len(pattern):
        char = _scanned(pattern[index])
        index += 1
        if char == "*" and pattern[index:index + 1] == "*":  # some flavour of **: a following / is eaten
            index += 2 if pattern[index + 1:index + 2] == "/" else 1
            if index < len(pattern):
                out, kind = out + "(.*/)?", "regexp"
            else:  # ** at the end: everything (a prefix when nothing before it needed a regexp)
                out, kind = (out, "prefix") if kind == "exact" else (out + ".*", "regexp")
            kind = "suffix" if token == 0 else kind
        elif char in "*?":
            out, kind = out + ("[^/]*" if char == "*" else "[^/]"), "regexp"
        elif char in ".+()|{}$":
            out += "\\" + char
        elif char == "\\":
            if index < len(pattern):
                out, kind = out + "\\" + _scanned(pattern[index]), "regexp"
                index += 1
            else:
                out += "\\"
        else:
            out, kind = out + char, ("regexp" if char in "[]" else kind)
        token += 1
    return kind, (out + "$" if kind == "regexp" else out)


# --- Go's regexp syntax (regexp.Compile: Perl flags), for what _moby_regexp makes, as a Python regex -----------

_MAX_RUNE = 0x10FFFF
_PERL_GROUPS = {"d": ((0x30, 0x39),), "s": ((0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)),
                "w": ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))}
_POSIX_GROUPS = {
    "alnum": ((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)), "alpha": ((0x41, 0x5A), (0x61, 0x7A)), "ascii": ((0x00, 0x7F),),
    "blank": ((0x09, 0x09), (0x20, 0x20)), "cntrl": ((0x00, 0x1F), (0x7F, 0x7F)), "digit": ((0x30, 0x39),),
    "graph": ((0x21, 0x7E),), "lower": ((0x61, 0x7A),), "print": ((0x20, 0x7E),),
    "punct": ((0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)), "space": ((0x09, 0x0D), (0x20, 0x20)),
    "upper": ((0x41, 0x5A),), "word": ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)),
    "xdigit": ((0x30, 0x39), (0x41, 0x46), (0x61, 0x66)),
}
_C_ESCAPES = {"a": "\a", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _negated(ranges) -> list[tuple[int, int]]:
    out, low = [], 0
    for start, end in sorted(ranges):
        if start > low:
            out.append((low, start - 1))
        low = max(low, end + 1)
    return out + ([(low, _MAX_RUNE)] if low <= _MAX_RUNE else [])


@functools.lru_cache(maxsize=8)
def _unicode_ranges(category: str) -> tuple[tuple[int, int], ...]:
    """The code points of a one-letter Unicode category (Go's ``unicode.Categories``: C is Cc Cf Co Cs)."""
    out: list[tuple[int, int]] = []
    for point in range(_MAX_RUNE + 1):
        found = unicodedata.category(chr(point))
        if found[0] == category and found != "Cn":
            if out and out[-1][1] == point - 1:
                out[-1] = (out[-1][0], point)
            else:
                out.append((point, point))
    return tuple(out)


def _python_class(ranges) -> str:
    if not ranges:
        return "(?!)"
    return "[" + "".join(f"\\U{low:08x}" + (f"-\\U{high:08x}" if high != low else "") for low, high in ranges) + "]"


class _GoRegexp:
    """Go's regexp parser (``regexp.Compile``: Perl flags) for the expressions moby's patternmatcher
    makes: each construct is checked as Go checks it and written as the Python expression that matches
    the same strings."""

    def __init__(self, text: str) -> None:
        self.text = text

    def bad(self, what: str, hint: str = _ESCAPE_HINT) -> _BadPattern:
        return _BadPattern(what, hint)

    def python(self) -> str:
        """The Python expression. Raises _BadPattern where Go's regexp.Compile fails."""
        text, out, index = self.text, [], 0
        while index < len(text):
            char = text[index]
            if char == "\\":
                following = text[index + 1:index + 2]
                simple = {"A": r"\A", "b": r"\b", "B": r"\B", "z": r"\Z"}
                if following in simple:
                    out.append(simple[following])
                    index += 2
                elif following == "C":
                    raise self.bad("\\C is an escape Go's regular expressions refuse")
                elif following == "Q":  # \Q...\E: literal text
                    end = text.find("\\E", index + 2)
                    out.append(re.escape(text[index + 2:] if end < 0 else text[index + 2:end]))
                    index = len(text) if end < 0 else end + 2
                else:
                    ranges, index = self.group(index)
                    if ranges is None:
                        char, index = self.escape(index)
                        out.append(re.escape(char))
                    else:
                        out.append(_python_class(ranges))
            elif char == "[":
                ranges, index = self.character_class(index)
                out.append(_python_class(ranges))
            else:
                out.append({"^": r"\A", "$": r"\Z", ".": "[^\n]"}.get(char, char if char in "()*?" else re.escape(char)))
                index += 1
        return "".join(out)

    def group(self, index: int) -> tuple[list[tuple[int, int]] | None, int]:
        """A \\d \\s \\w \\D \\S \\W or \\pX \\PX at ``index``: its ranges and the index after it, or None."""
        text = self.text
        letter = text[index + 1:index + 2]
        if letter and letter.lower() in _PERL_GROUPS:
            ranges = list(_PERL_GROUPS[letter.lower()])
            return (ranges if letter.islower() else _negated(ranges)), index + 2
        if letter in ("p", "P"):
            name = text[index + 2:index + 3]
            negate = letter == "P"
            if name == "{":  # not made by moby's translation ({ is escaped), checked all the same
                end = text.find("}", index)
                name = text[index + 3:end] if end >= 0 else ""
                after = end + 1
            else:
                after = index + 3
            if name.startswith("^"):
                negate, name = not negate, name[1:]
            if name not in ("C", "L", "M", "N", "P", "S", "Z"):
                raise self.bad(f"\\{letter}{text[index + 2:after]} is not a Unicode class Go's regular expressions know "
                               f"(\\pL, \\pN, ... one capital letter)")
            ranges = list(_unicode_ranges(name))
            return (_negated(ranges) if negate else ranges), after
        return None, index

    def escape(self, index: int) -> tuple[str, int]:
        """Go's parseEscape at ``index`` (a backslash): the character and the index after it."""
        text = self.text
        if index + 1 >= len(text):
            raise self.bad("a \\ at the end escapes nothing")
        char, after = text[index + 1], index + 2
        if char < "\x80" and not char.isalnum():
            return char, after
        if "1" <= char <= "7" and not ("0" <= text[after:after + 1] <= "7" and text[after:after + 1]):
            raise self.bad(f"\\{char} is a back-reference in a regular expression, which Go's refuse")
        if "0" <= char <= "7":
            value = int(char)
            for _ in range(2):
                digit = text[after:after + 1]
                if not digit or not "0" <= digit <= "7":
                    break
                value, after = value * 8 + int(digit), after + 1
            return chr(value), after
        if char == "x":
            digits = text[after:after + 2]
            if len(digits) == 2 and all(c in "0123456789abcdefABCDEF" for c in digits):
                return chr(int(digits, 16)), after + 2
            raise self.bad("\\x starts a hexadecimal escape in the regular expression the CLI makes of each pattern "
                           "(\\x41 is A), and what follows it is not two hex digits")
        if char in _C_ESCAPES:
            return _C_ESCAPES[char], after
        raise self.bad(f"\\{char} is an escape Go's regular expressions refuse (the CLI turns each pattern into one)")

    def class_char(self, index: int, start: int) -> tuple[str, int]:
        if index >= len(self.text):
            raise self.bad("a [ is not closed by ]", _CLASS_HINT)
        if self.text[index] == "\\":
            return self.escape(index)
        return self.text[index], index + 1

    def character_class(self, start: int) -> tuple[list[tuple[int, int]], int]:
        """Go's parseClass at ``start`` (a ``[``): the class's ranges and the index after its ``]``."""
        text, index, ranges, first = self.text, start + 1, [], True
        negate = text[index:index + 1] == "^"
        index += negate
        while index >= len(text) or text[index] != "]" or first:
            first = False
            if len(text) - index > 2 and text[index:index + 2] == "[:":
                end = text.find(":]", index + 2)
                if end >= 0:
                    name = text[index:end + 2]
                    inner = name[2:-2]
                    group = _POSIX_GROUPS.get(inner[1:] if inner.startswith("^") else inner)
                    if group is None:
                        raise self.bad(f"{name} is not a class Go's regular expressions know ([:alpha:], [:digit:], ...)", _CLASS_HINT)
                    ranges += _negated(group) if inner.startswith("^") else group
                    index = end + 2
                    continue
            if text[index:index + 1] == "\\":
                group, after = self.group(index)
                if group is not None:
                    ranges += group
                    index = after
                    continue
            low, index = self.class_char(index, start)
            high = low
            if len(text) - index >= 2 and text[index] == "-" and text[index + 1] != "]":
                high, index = self.class_char(index + 1, start)
                if high < low:
                    raise self.bad(f"the range {low}-{high} in a [class] runs backwards", "write a range low-high, e.g. `[a-z]`.")
            ranges.append((ord(low), ord(high)))
        return (_negated(ranges) if negate else ranges), index + 1


def _compile(pattern: str):
    """How moby's patternmatcher matches a (cleaned) pattern: a function of a relative path. Raises
    _BadPattern when Go's regexp refuses the expression made of it."""
    kind, text = _moby_regexp(pattern)
    if kind == "exact":
        return pattern.__eq__
    if kind == "prefix":
        return lambda path: path.startswith(pattern[:-2])
    if kind == "suffix":
        suffix = pattern[2:]
        return lambda path: path.endswith(suffix) or (suffix[:1] == "/" and path == suffix[1:])
    try:
        expression = re.compile(_GoRegexp(text).python(), re.ASCII)  # \\b as Go's: ASCII word characters
    except re.error as error:  # nothing moby's translation makes should get here; Go would refuse it too
        raise _BadPattern(f"its regular expression does not compile ({error})", _ESCAPE_HINT) from None
    return lambda path: expression.match(path) is not None


def _check(pattern: str) -> None:
    """Raise _BadPattern when the CLI refuses ``pattern`` (cleaned, without its ``!``): Go's Match check, then the regexp
    (as newer CLIs make it, then as the 20.10 CLI makes it: :class:`_Refused2010`)."""
    if pattern:
        _go_match(pattern, ".")
        _compile(pattern)
        _check_2010(pattern)
        _check_same_on_2010(pattern)


# --- the docker 20.10 CLI's regular expression: ( ) | + { } are regexp syntax there ------------------------------


def _Refused2010(reason: str, hint: str) -> _BadPattern:  # noqa: N802 - raised like the class it stands for
    """A pattern newer CLIs accept and the docker 20.10 CLI refuses (its regular expression does not compile)."""
    return _BadPattern(reason, hint, only_2010=True)


_HINT_2010 = ("write `\\(` `\\)` `\\|` `\\+` `\\{` `\\}` for the character itself (every docker CLI reads an escaped one as that "
              "character: `a\\(b.txt` names the file a(b.txt), with 20.10 and with newer CLIs), or use `?` in its place.")


def _regexp_2010(pattern: str, passed: set[int] | None = None) -> str:
    """The regular expression docker 20.10's pkg/fileutils makes of a (cleaned) pattern on Linux: only ``.`` and
    ``$`` are escaped, so ``+ ( ) | { } ^`` are regexp syntax; ``**`` (a following ``/`` eaten) is ``(.*/)?``,
    or ``.*`` at the end; ``*`` is ``[^/]*``, ``?`` is ``[^/]``, ``\\x`` stays ``\\x``; a BOM at the start is skipped
    (Go's text/scanner). ``passed``, when given, receives the positions in the expression of the pattern's own
    characters written there unescaped. Raises nothing."""
    out, index = "^", int(pattern[:1] == "\ufeff")
    while index < len(pattern):
        char = _scanned(pattern[index])
        index += 1
        if char == "*" and pattern[index:index + 1] == "*":
            index += 2 if pattern[index + 1:index + 2] == "/" else 1
            out += ".*" if index >= len(pattern) else "(.*/)?"
        elif char in "*?":
            out += "[^/]*" if char == "*" else "[^/]"
        elif char in ".$":
            out += "\\" + char
        elif char == "\\" and index < len(pattern):
            out, index = out + "\\" + _scanned(pattern[index]), index + 1
        else:
            if passed is not None:
                passed.add(len(out))
            out += char
    return out + "$"


def _repeat_2010(text: str) -> tuple[int, int, int] | None:
    """Go's parseRepeat at the start of ``text`` (a ``{``): (min, max or -1 for none, length), or None when the
    ``{`` is a literal there (no digits, a leading zero, no closing ``}``)."""
    found = re.match(r"\{(0|[1-9][0-9]*)(,(0|[1-9][0-9]*)?)?\}", text)
    if not found:
        return None
    low = int(found.group(1))
    high = low if found.group(2) is None else (-1 if found.group(3) is None else int(found.group(3)))
    return low, high, found.end()


def _check_repeat_2010(written: str, repeat: tuple[int, int, int] | None, last: str, inner: int) -> int:
    """Go's checks of a repetition ``written`` (``+``, ``*``, ``?`` or a ``{n,m}`` read as ``repeat``) after ``last``
    ("atom", "open" for ``(`` or ``|``, "repeat") of an item needing ``inner`` copies (Go's repeatIsValid: nested
    counts multiply, 1000 at most). Returns the copies the repeated item needs. Raises _Refused2010."""
    if repeat and (repeat[0] > 1000 or repeat[1] > 1000 or (repeat[1] >= 0 and repeat[0] > repeat[1])):
        raise _Refused2010(f"`{written}` is a repetition count Go's regular expressions refuse (at most 1000, the smaller first)", _HINT_2010)
    if last == "open":
        raise _Refused2010(f"`{written}` repeats nothing (it follows `(` or `|`)", _HINT_2010)
    if last == "repeat":
        raise _Refused2010(f"`{written}` follows another repetition, which Go's regular expressions refuse (as in `a++`)", _HINT_2010)
    if not repeat:
        return inner
    low, high, _ = repeat
    count = high if high >= 0 else low
    if high == 0:
        return 0
    needed = max(count, count * inner) if count else inner
    if (low >= 2 or high >= 2) and needed > 1000:
        raise _Refused2010(f"`{written}` repeats a group that repeats too: Go's regular expressions refuse more than 1000 copies in all", _HINT_2010)
    return needed


def _check_2010(pattern: str) -> None:
    """Raise _Refused2010 when Go's ``regexp.Compile`` refuses the docker 20.10 CLI's expression for ``pattern`` where
    newer CLIs' compiles (checked first): what 20.10 passes through, ``( ) | + { }``, parsed as Go's regexp/syntax
    parses it (Perl flags; parse.go's repeat, parseRepeat, parseRightParen): a ``)`` without its ``(``, a ``(`` never
    closed, a repetition (``+ * ? {n,m}``) with nothing before it (after ``(`` or ``|``) or right after another one
    (``a++``, ``*+``, ``x{2}{3}``: Go refuses stacked repetitions), a count over 1000 or ``{3,2}``, and nested counts
    over 1000 copies (``(x{50}){30}``). A balanced ``a(b)c.txt`` compiles (as the group ``(b)``: it leaves out abc.txt
    there, a(b)c.txt here and on newer CLIs). Not checked: Go 1.19's limits on nesting depth (1000) and program size."""
    text = _regexp_2010(pattern)
    parser, last, index = _GoRegexp(text), "atom", 1  # after ^, an atom to Go (OpBeginText)
    groups = [[0, 0]]  # per open group: the copies its items need at most, and those of its last item
    while index < len(text):
        char = text[index]
        repeat = _repeat_2010(text[index:]) if char == "{" else None
        if char in "*+?" or repeat:
            written = text[index:index + repeat[2]] if repeat else char
            needed = _check_repeat_2010(written, repeat, last, groups[-1][1])
            groups[-1] = [max(groups[-1][0], needed), needed]
            last, index = "repeat", index + len(written)
            continue
        if char == "\\":
            end = text.find("\\E", index + 2) if text[index + 1:index + 2] == "Q" else index
            index = len(text) if end < 0 else end + 2
        elif char == "[":
            _, index = parser.character_class(index)
        else:
            index += 1
        if char in "(|":
            groups += [[0, 0]] if char == "(" else []
            last = "open"
            continue
        if char == ")":
            if len(groups) == 1:
                raise _Refused2010("a `)` closes no `(`", _HINT_2010)
            inner = groups.pop()[0]
            groups[-1] = [max(groups[-1][0], inner), inner]
        else:
            groups[-1][1] = 0
        last = "atom"
    if len(groups) > 1:
        raise _Refused2010("a `(` is not closed by `)`", _HINT_2010)


# --- patterns every CLI accepts but the 20.10 CLI reads otherwise: refused, so a context means one image ----------

_MEANING_2010 = {
    "+": ("one or more of the character before it", "`a+.txt` leaves out a.txt and aa.txt there, not a+.txt"),
    "|": ("a choice between the text on its two sides", "`a|b.txt` leaves out every name starting with a, and b.txt"),
    "(": ("a group, which matches what is inside it without the parentheses", "`backup (1).zip` leaves out backup 1.zip there, not backup (1).zip"),
    ")": ("a group, which matches what is inside it without the parentheses", "`backup (1).zip` leaves out backup 1.zip there, not backup (1).zip"),
    "{": ("a count of the character before it", "`x{2}.txt` leaves out xx.txt there, not x{2}.txt"),
    "^": ("the start of the name, not a character", "`^a.txt` leaves out a.txt there, not ^a.txt"),
}


def _check_same_on_2010(pattern: str) -> None:
    """Raise _BadPattern (``differs_2010``) when the docker 20.10 CLI and newer CLIs both accept ``pattern`` (cleaned,
    without its ``!``, checked by :func:`_check_2010` first) but leave out different files with it. Measured with
    /usr/bin/docker 20.10 (both builders) against /usr/local/bin/docker 28 (classic): ``backup (1).zip``, ``*(1).zip``,
    ``a|b.txt``, ``a+.txt``, ``x{2}.txt``, ``(a).txt``, ``^a.txt``, ``**.py``, ``**foo`` and a later line starting with a
    BOM differ; ``^a*.txt`` and ``a{b}.txt`` (not a count) do not. The cases: a character 20.10 passes into its regular
    expression as syntax where newer CLIs read it as itself (``+ | ( )``, a ``{`` that starts a count, and ``^`` in a
    pattern newer CLIs compare as text: with a wildcard they too pass ``^`` through); a leading ``**`` followed by text
    other than ``/`` (newer CLIs: any path ending in that text; 20.10: that exact name in any folder); a leading BOM in
    a pattern newer CLIs compare as text (20.10 skips it, as Go's text/scanner skips a BOM at the start)."""
    kind, _ = _moby_regexp(pattern)
    if pattern.startswith("\ufeff") and kind != "regexp":
        raise _BadPattern("it starts with an invisible byte order mark (U+FEFF): the docker 20.10 CLI skips it (a BOM at the start of "
                          "a line names the file without it there: measured), while newer CLIs read it as part of the name, which no "
                          "file you can see has", "delete the byte order mark at the start of that line (pasting one file into another "
                          "often leaves one; editors show it as <U+FEFF> or \u00ef\u00bb\u00bf, `sed -i 's/^\\xEF\\xBB\\xBF//' .dockerignore` removes it).",
                          differs_2010=True)
    if kind == "suffix" and pattern[2:3] not in ("", "/"):
        rest = pattern[2:]
        raise _BadPattern(f"a leading `**` followed by `{rest}` is read as `any path ending in {rest}` by newer CLIs (`**.py` leaves out "
                          f"every .py file) but as `a name that is exactly {rest}, in any folder` by the docker 20.10 CLI (`**.py` "
                          f"leaves out only files named .py: measured)",
                          f"write `**/*{rest}` for every name ending in {rest}, in any folder, or `**/{rest}` for that exact name: both "
                          f"mean the same on every CLI.", differs_2010=True)
    passed: set[int] = set()
    text = _regexp_2010(pattern, passed)
    parser, index = _GoRegexp(text), 1
    while index < len(text):
        char = text[index]
        if char == "\\":
            end = text.find("\\E", index + 2) if text[index + 1:index + 2] == "Q" else index
            index = len(text) if end < 0 else end + 2
            continue
        if char == "[":
            _, index = parser.character_class(index)
            continue
        syntax = index in passed and (char in "+|()" or (char == "{" and _repeat_2010(text[index:])) or (char == "^" and kind != "regexp"))
        if syntax:
            meaning, example = _MEANING_2010[char]
            written = "{" if char == "{" else char
            raise _BadPattern(f"the docker 20.10 CLI makes a regular expression of each pattern in which `{written}` means {meaning} "
                              f"({example}), while newer CLIs read `{written}` as the character itself",
                              f"write `\\{written}` for the character itself (every docker CLI reads an escaped character as that "
                              f"character: `a\\{written}b` names the file a{written}b on 20.10 and on newer CLIs), or use `?` in its place.",
                              differs_2010=True)
        index += 1


class _CasePattern(Pattern):
    """One pattern as moby's pattern matcher holds it (``NewPatternMatcher``, 20.10 and patternmatcher alike): trimmed
    and cleaned again (Go's strings.TrimSpace and filepath.Clean, the ``!`` still in front), then the ``!`` taken
    off; its folders are its ``/``-separated parts, as written. docker-py's Pattern is not used for this: its
    normalize drops a leading ``..`` (``../a.txt`` would leave out a.txt, where the CLI keeps the pattern
    ``../a.txt``, which matches no path of the context) and trims with Python's str.strip."""

    def __init__(self, pattern_str: str) -> None:  # noqa: D107 - the fields docker-py's PatternMatcher reads
        trimmed = _trim(pattern_str)
        pattern = _clean(trimmed) if trimmed else ""
        self.exclusion = pattern.startswith("!")
        self.cleaned_pattern = pattern[1:] if self.exclusion else pattern
        self.dirs = self.cleaned_pattern.split("/")
        try:
            self._matches = _compile(self.cleaned_pattern)
        except _BadPattern:  # read_patterns refuses these; a COPY source (excluded()) that is no pattern names itself
            self._matches = self.cleaned_pattern.__eq__

    def match(self, filepath: str) -> bool:
        return self._matches(filepath)


class _Matcher(PatternMatcher):
    def __init__(self, patterns, always_sent: bool = True) -> None:  # noqa: D107 - docker-py's parent rule, our patterns and walk
        self.patterns = [pattern for pattern in (_CasePattern(p) for p in patterns) if pattern.cleaned_pattern]
        if always_sent:
            self.patterns.append(_CasePattern("!.dockerignore"))

    def walk(self, root, *, newer: bool = False):
        """The paths (relative, ``/``-separated) a build sends, walked as moby's archive walk does: a
        folder left out is entered only when an exception pattern, with ``/`` added, starts with the
        folder's path and ``/`` (so ``!src/**/*.py`` enters src/ but not src/sub/); a link is not followed.
        Each path is matched as the docker 20.10 CLI matches it, or with ``newer`` as newer CLIs do (moby/go-archive
        ``TarWithOptions``: with its parent folder's results, :meth:`matches_newer`, so an exception for a folder,
        ``!src/sub``, sends the folder, not files an earlier pattern leaves out inside it, ``**/*.txt``)."""
        def visit(folder: str, parent: list[bool] | None):
            for name in sorted(os.listdir(os.path.join(root, folder))):
                relative = f"{folder}/{name}" if folder else name
                left_out, info = self.matches_newer(relative, parent) if newer else (self.matches(relative), None)
                if not left_out:
                    yield relative
                full = os.path.join(root, relative)
                if not os.path.isdir(full) or os.path.islink(full):
                    continue
                if left_out and not any(pattern.exclusion and (pattern.cleaned_pattern + "/").startswith(relative + "/") for pattern in self.patterns):
                    continue
                yield from visit(relative, info)

        yield from visit("", None)

    def matches_newer(self, path: str, parent: list[bool] | None) -> tuple[bool, list[bool]]:
        """moby/patternmatcher's ``MatchesUsingParentResults`` (newer CLIs' archive walk): whether ``path`` is left
        out, and per pattern whether it matched ``path`` or a parent. A pattern that matched the parent folder
        matches; otherwise it is checked (unless it cannot change the answer) against ``path`` alone, and against
        each parent folder only for a path with no parent results (the top level)."""
        matched, info = False, [False] * len(self.patterns)
        for index, pattern in enumerate(self.patterns):
            match = bool(parent) and parent[index]
            if not match:
                if pattern.exclusion != matched:
                    continue
                match = pattern.match(path)
                if not match and not parent and "/" in path:
                    parts = path.split("/")[:-1]
                    match = any(pattern.match("/".join(parts[:count])) for count in range(1, len(parts) + 1))
            info[index] = match
            if match:
                matched = not pattern.exclusion
        return matched, info


def excluded(path: str, patterns: list[str]) -> bool:
    """True when ``path`` (relative to the context, ``/``-separated) is left out by ``patterns``.
    Returns a bool. Raises nothing."""
    return _Matcher(patterns, always_sent=False).matches(path)


def sent_paths(context: str | Path, patterns: list[str], dockerfile: str | None = None, *, always_sent: bool = True,
               same_on_every_cli: bool = True) -> set[str]:
    """The paths (files and folders, relative) of ``context`` a build sends with ``patterns``; the
    .dockerignore and the Dockerfile (``dockerfile``, when it is in the context) are always sent, as the
    CLI does (unless ``always_sent`` is False: then only what the patterns keep). Returns a set. Raises
    OSError when a folder of ``context`` cannot be listed, and DockerlabError when the docker 20.10 CLI and newer
    CLIs would send different files (a pattern for a folder: ``**/*.py`` then ``!src``; see :meth:`_Matcher.walk`),
    unless ``same_on_every_cli`` is False (checked before: the context is walked once)."""
    kept = list(patterns) + ([f"!{_clean(dockerfile)}"] if dockerfile else [])
    matcher = _Matcher(kept, always_sent=always_sent)
    sent = set(matcher.walk(str(context)))
    newer = set(matcher.walk(str(context), newer=True)) if same_on_every_cli else sent
    if sent != newer:  # named by their files (a folder's entry differs with them), unless only folders differ
        only_2010, only_newer = sorted(sent - newer), sorted(newer - sent)
        files = [path for path in only_2010 + only_newer if not os.path.isdir(os.path.join(context, path))]
        raise _walks_differ(matcher, context, [path for path in only_2010 if path in files] or only_2010,
                            [path for path in only_newer if path in files] or ([] if files else only_newer))
    return sent


def _folder_pattern(matcher: _Matcher, path: str) -> _CasePattern | None:
    """The last pattern that decides ``path`` through one of its folders on the docker 20.10 CLI (it matches a folder
    of ``path``, not ``path`` itself): the one newer CLIs read otherwise."""
    parts = path.split("/")[:-1]
    found = None
    for pattern in matcher.patterns:
        if not pattern.match(path) and len(pattern.dirs) <= len(parts) and pattern.match("/".join(parts[:len(pattern.dirs)])):
            found = pattern
    return found


def _walks_differ(matcher: _Matcher, context, only_2010: list[str], only_newer: list[str]) -> DockerlabError:
    """The DockerlabError for a .dockerignore with which the docker 20.10 CLI and newer CLIs send different files."""
    def some(paths: list[str]) -> str:
        return ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")

    first = (only_2010 or only_newer)[0]
    pattern = _folder_pattern(matcher, first)
    written = ("!" if pattern.exclusion else "") + pattern.cleaned_pattern if pattern else "?"
    sides = ([f"the docker 20.10 CLI sends {some(only_2010)}, which newer CLIs leave out"] if only_2010 else []) + (
        [f"newer CLIs send {some(only_newer)}, which the docker 20.10 CLI leaves out"] if only_newer else [])
    return DockerlabError(
        f"The .dockerignore of {context} sends different files with different docker CLIs: {'; '.join(sides)}. The pattern `{written}` "
        f"names a folder of {first}: the docker 20.10 CLI checks each pattern against a file and against the file's folders, in order, "
        f"so a pattern for a folder decides the files in it after the patterns before it; newer CLIs decide a file from its folder's "
        f"result and check the later patterns against the file alone (so `**/*.py` then `!src` sends src/a.py on 20.10 only: measured). "
        f"The course's BuildKit builds go through the docker 20.10 CLI where buildx is missing (Debian's docker.io), so one context "
        f"would make two different images: the course refuses it on every builder.",
        fix=(f"Add the line `{written}/**` right after `{written}`: it names every file under that folder itself, so every docker CLI "
             f"decides those files alike (keep `{written}` for what it matches directly)."
             if pattern else "Write each pattern for the files it is meant for (`src/**` as well as `src`), so every CLI reads it alike."))


def context_tar(context: str | Path, patterns: list[str], dockerfile: tuple[str, str]):
    """The build context as a tar file object (as docker-py's ``tar`` makes it, with our matching):
    ``dockerfile`` (name, text) is added beside the context, with a .dockerignore that lists
    ``patterns`` and the Dockerfile's name (:func:`dockerlab.build` has refused patterns the docker CLIs read as different
    files before). Returns the file object, at its start.
    Raises OSError when a file of the context cannot be read (docker-py's "Can not read file in context") or a folder
    cannot be listed."""
    name, text = dockerfile
    extra = [(".dockerignore", "\n".join((patterns or [".dockerignore"]) + [name])), (name, text)]
    root = str(Path(context).resolve())
    return create_archive(root, files=sorted(sent_paths(root, patterns, name, same_on_every_cli=False)), extra_files=extra)


check_public(globals(), "dockerignore")  # the one argument check, for every public function here
