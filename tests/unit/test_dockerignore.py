"""Kind C of #22: one implementation of the CLI's .dockerignore rules (dockerlab.dockerignore), used by
the classic builder path (what it sends) and by context_files (the static exercise checks). Every
expected list below is what `/usr/bin/docker build` (docker 20.10 CLI, DOCKER_BUILDKIT=0 and =1 gave the
same) sent for that .dockerignore: a context of FILES, `COPY . /ctx`, then `find /ctx -type f` in the image."""
from pathlib import Path

import pytest

from dockerlab.dockerfile import context_files
from dockerlab.dockerignore import patterns_of, read_patterns, sent_paths

FILES = ["app.py", "#hash.txt", "aab.txt", "Secret.ENV", "secret.env", "notes.tmp", "sub/deep/x.tmp", "sub/y.tmp",
         "docs/readme.md", "docs/keep.md", "logs/a.log", "logs/keep.log", "abc.txt", "abd.txt", "sp ace.txt", "[x].txt",
         "a*b.txt", "x.txt"]


def _left_out(*names):
    return sorted(set(FILES) - set(names))


CLI = [  # (.dockerignore bytes, the files the CLI did not send)
    (b"\\#hash.txt\n", ["#hash.txt"]),  # an escaped # is a pattern, not a comment
    (b"  #hash.txt\n", ["#hash.txt"]),  # a comment starts at the first character: spaces first make it a pattern
    (b"*.tmp\n", ["notes.tmp"]),  # anchored at the root: sub/deep/x.tmp and sub/y.tmp are sent
    (b"**/*.tmp\n", ["notes.tmp", "sub/deep/x.tmp", "sub/y.tmp"]),
    (b"Secret.ENV\n", ["Secret.ENV"]),  # case matters
    (b"docs\n!docs/keep.md\n", ["docs/readme.md"]),  # a folder, with an exception inside it
    (b"sub/**\n", ["sub/deep/x.tmp", "sub/y.tmp"]),
    (b"/logs/*.log\n!logs/keep.log\n", ["logs/a.log"]),  # a leading / is the root
    (b"\xef\xbb\xbfsecret.env\r\n*.tmp\r\n", ["notes.tmp", "secret.env"]),  # BOM and CRLF
    (b"a?c.txt\n", ["abc.txt"]),
    (b"[!a]bc.txt\n", ["abc.txt"]),  # Go's classes: ! is a character, not negation
    (b"[^a]bd.txt\n", []),  # ^ negates
    (b"[x].txt\n", ["x.txt"]),
    (b"\\[x\\].txt\n", ["[x].txt"]),
    (b"a\\*b.txt\n", ["a*b.txt"]),
    (b"! app.py\n*.py\n!  app.py\n", []),  # spaces after ! are trimmed; the last matching pattern wins
]


def _context(tmp_path: Path, ignore: bytes) -> Path:
    for name in FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n")
    (tmp_path / ".dockerignore").write_bytes(ignore)
    return tmp_path


@pytest.mark.parametrize("ignore, left_out", CLI, ids=[repr(ignore)[2:-1] for ignore, _ in CLI])
def test_context_files_and_the_classic_context_leave_out_what_the_cli_leaves_out(tmp_path, ignore, left_out):
    folder = _context(tmp_path, ignore)
    sent = sorted(path for path in context_files(folder) if path != ".dockerignore")
    assert sent == _left_out(*left_out)
    classic = sent_paths(folder, patterns_of(folder), "Dockerfile")
    assert sorted(path for path in classic if (folder / path).is_file() and path != ".dockerignore") == sent


def test_reading_follows_the_cli():
    assert read_patterns(b"\xef\xbb\xbf# c\r\n\r\n  spaced  \r\n!  ./a/../b/\n/root\n#x\n \t#y\n") == ["spaced", "!b", "root", "#y"]


def test_the_classic_build_context_tar_leaves_out_escaped_and_anchored_patterns(tmp_path):
    import tarfile

    from dockerlab.dockerignore import context_tar

    folder = _context(tmp_path, b"\\#hash.txt\n*.tmp\n")
    with tarfile.open(fileobj=context_tar(folder, patterns_of(folder), ("Dockerfile.inline", "FROM alpine:3.20\n"))) as archive:
        names = set(archive.getnames())
    assert "#hash.txt" not in names and "notes.tmp" not in names
    assert {"sub/deep/x.tmp", "sub/y.tmp", "Dockerfile.inline", "app.py"} <= names


# What /usr/bin/docker 20.10 sent with DOCKER_BUILDKIT=1 and =0 (the same on both; `COPY . /ctx`, then
# `find /ctx -type f` in the image, 2026-11-29): a folder left out is not walked unless an exception
# pattern starts with the folder's path (docker/cli, moby's archive walk), so `!src/**/*.py` keeps
# src/a.py but not src/sub/b.py, and `!*/keep.txt` keeps nothing.
@pytest.mark.parametrize("ignore, files, sent", [
    ("*\n!src/**/*.py\n", ["src/a.py", "src/sub/b.py", "top.py"], ["src/a.py"]),
    ("*\n!*/keep.txt\n", ["a/keep.txt", "keep.txt", "b/c/keep.txt"], []),
    ("docs\n!docs/keep.md\n", ["docs/keep.md", "docs/x.md", "other.txt"], ["docs/keep.md", "other.txt"]),
    ("src\n!src/subway/x.py\n", ["src/sub/x.py", "src/subway/x.py", "src/y.py"], ["src/subway/x.py"]),
    ("**/*.py\n!app/**\n", ["app/m.py", "app/d/n.py", "lib/o.py"], ["app/d/n.py", "app/m.py"]),
])
def test_context_files_are_what_the_cli_sends_when_a_left_out_folder_holds_exceptions(tmp_path, ignore, files, sent):
    from dockerlab.dockerfile import context_files

    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n")
    (tmp_path / ".dockerignore").write_text(ignore)
    assert [path for path in context_files(tmp_path) if path != ".dockerignore"] == sent


@pytest.mark.parametrize("ignore", ["secret.env\n!\n", "!  \n", "a\r\n!\r\n"])
def test_a_lone_exclamation_mark_is_refused_as_the_cli_refuses_it(tmp_path, ignore):
    """Both builders stop: `illegal exclusion pattern: "!"` (measured with /usr/bin/docker 20.10)."""
    from dockerlab.dockerfile import context_files
    from dockerlab.errors import DockerlabError

    (tmp_path / ".dockerignore").write_text(ignore)
    with pytest.raises(DockerlabError, match=r'illegal exclusion pattern: "!"') as raised:
        context_files(tmp_path)
    assert ".dockerignore" in str(raised.value) and "line 2" in str(raised.value) if ignore != "!  \n" else "line 1" in str(raised.value)
    assert "!" in raised.value.fix


def test_a_bom_is_dropped_from_the_first_line_only():
    from dockerlab import dockerignore

    assert dockerignore.read_patterns(b"\xef\xbb\xbfsecret.env\n") == ["secret.env"]
    # a later line's BOM stays part of its pattern; where every CLI skips it (a pattern with a wildcard: Go's text/scanner
    # drops a BOM at the start of what it scans) it is accepted, and matched without it (measured, see DIFFERS below)
    assert dockerignore.read_patterns(b"a.txt\n\xef\xbb\xbfsecret*.env\n") == ["a.txt", "\ufeffsecret*.env"]


# --- patterns the CLI refuses: `syntax error in pattern`, on both builders -------------------------------------
# The CLI checks each pattern twice (moby/patternmatcher, docker/docker pkg/fileutils in 20.10): Go's
# filepath.Match(pattern, ".") (path/filepath/match.go: getEsc, matchChunk), then regexp.Compile of the
# regular expression it makes of the pattern (a `\` before a character stays an escape there). Each rule.
# Checked with /usr/bin/docker build (docker 20.10.24 CLI, Go 1.19; 2026-11-30) on a tiny context:
#   [z-a]      BuildKit: `error from sender: failed to match excludepatterns: syntax error in pattern`;
#              classic (DOCKER_BUILDKIT=0): `error checking context: syntax error in pattern`
#   sub\x.env  the same two messages (the regexp step: the pattern passes filepath.Match)
#   [abc       BuildKit: `error from sender: invalid excludepatterns: [[abc]: syntax error in pattern`
#              (the filepath.Match step); classic: `error checking context: syntax error in pattern`
#   `*` then `[z-a]` (and `*.tmp`, `!app.py`, `[z-a]`): refused the same way, so this CLI checks every pattern
# and nothing was built or sent in any of them.
REFUSED = [
    ("[abc", "is not closed"),  # getEsc: the class runs out before its ]
    ("[]", "is empty"),  # getEsc: ] where the first class character is due (a class must be non-empty)
    ("[^]", "is empty"),  # the same after the ^
    ("[a-]", "has no end"),  # getEsc: the range's high end is the ]
    ("[-a]", "no character before it"),  # getEsc: a - where a class character is due
    ("secret.env\\", "escapes nothing"),  # matchChunk: a trailing \ (Linux: \ escapes, it is no separator)
    ("[z-a]", "runs backwards"),  # filepath.Match accepts it (lo <= c <= hi never holds); Go's regexp refuses z-a
    ("sub\\x.env", "hexadecimal"),  # filepath.Match accepts \x (= x); the regexp reads \x\. as a bad hex escape
    ("\\1.txt", "back-reference"),  # Go's regexp: \1 not followed by an octal digit
    ("[[:word2:]]", "not a class"),  # Go's regexp: an unknown POSIX class name
    # two of this change's own inputs: a Windows-style path (\o is no escape Go's regexp has) and an unclosed
    # class in a later folder after a star (filepath.Match checks the chunks after a failed match too, Go >= 1.16)
    ("build\\output", "\\o"),
    ("logs/*/[abc.txt", "is not closed"),
]


@pytest.mark.parametrize("pattern, reason", REFUSED, ids=[pattern for pattern, _ in REFUSED])
def test_a_pattern_the_cli_refuses_is_refused_naming_the_file_line_and_pattern(tmp_path, pattern, reason):
    from dockerlab.errors import DockerlabError

    (tmp_path / "app.py").write_text("x\n")
    (tmp_path / ".dockerignore").write_text(f"# comment\n*.tmp\n{pattern}\n")
    with pytest.raises(DockerlabError) as raised:
        context_files(tmp_path)
    message = str(raised.value)
    assert str(tmp_path / ".dockerignore") in message and "line 3" in message and repr(pattern) in message
    assert "syntax error in pattern" in message and reason in message
    assert "line 3" in raised.value.fix
    with pytest.raises(DockerlabError, match="line 3"):  # the classic builder's context reads the same patterns
        patterns_of(tmp_path)


@pytest.mark.parametrize("pattern", ["!sub\\x.env", "!  [abc"])
def test_an_exception_pattern_the_cli_refuses_is_refused_too(pattern):
    from dockerlab.errors import DockerlabError

    with pytest.raises(DockerlabError, match="line 2 of .dockerignore"):
        read_patterns(f"*\n{pattern}\n".encode())


def test_a_build_ignore_entry_the_cli_refuses_names_the_argument_before_any_build(tmp_path):
    import dockerlab as dl

    with pytest.raises(dl.DockerlabError) as raised:
        dl.build(tmp_path, "FROM alpine:3.20\n", ignore=["*.tmp", "[z-a]"])
    assert "entry 2 of build()'s ignore= argument" in str(raised.value) and "'[z-a]'" in str(raised.value)


# Patterns the CLI accepts are matched as it matches them (checked with the same CLI, BuildKit, `-o type=local`:
# `logs\d.txt` left out logs1.txt and sent logsd.txt; `a[^x]b` left out a/b and ayb): an escape is a regexp escape (\d a digit,
# \t a tab), classes are Go's ([[:digit:]], [\d], [^a] also matches /), a class holding * or ? holds what
# the translation wrote there ([*] is the class [[^/] then *), and moby/patternmatcher compares a pattern
# without * ? [ ] \ as text (a^b names the file a^b, where a regexp ^ would match nothing).
@pytest.mark.parametrize("pattern, files, left_out", [
    ("logs\\d.txt", ["logs1.txt", "logsd.txt"], ["logs1.txt"]),
    ("x\\ty.txt", ["x\ty.txt", "xty.txt"], ["x\ty.txt"]),
    ("[[:digit:]].txt", ["1.txt", "a.txt"], ["1.txt"]),
    ("[\\d_].txt", ["1.txt", "_.txt", "d.txt"], ["1.txt", "_.txt"]),
    ("a[^x]b", ["a/b", "ayb", "axb"], ["a/b", "ayb"]),
    ("\\x41.txt", ["A.txt", "x41.txt"], ["A.txt"]),
    ("\\pL.txt", ["é.txt", "1.txt"], ["é.txt"]),
])
def test_accepted_patterns_match_as_the_cli_matches_them(tmp_path, pattern, files, left_out):
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n")
    (tmp_path / ".dockerignore").write_text(pattern + "\n")
    sent = [path for path in context_files(tmp_path) if path != ".dockerignore"]
    assert sorted(sent) == sorted(set(files) - set(left_out))


# --- cleaning: docker/cli's ReadAll runs Go's filepath.Clean, then filepath.ToSlash, and drops a leading / -----
# Clean keeps a leading `..` (a relative path cannot climb above its start), so such a pattern names no path of the
# context. Measured by the verifier with /usr/bin/docker 20.10 (classic and BuildKit `-o type=local`): `../a.txt` sent
# a.txt and b.txt; `../../sub/a.txt` sent sub/a.txt; `*` then `!../b.txt` sent nothing. The other rows are what Go's
# Clean gives for this change's own inputs (path/filepath Clean: `.` dropped, `a/..` resolved, `//` one slash).
CLEANED = [
    ("../a.txt\n", ["a.txt", "b.txt", "sub/a.txt"], ["a.txt", "b.txt", "sub/a.txt"]),  # measured
    ("../../sub/a.txt\n", ["a.txt", "b.txt", "sub/a.txt"], ["a.txt", "b.txt", "sub/a.txt"]),  # measured
    ("*\n!../b.txt\n", ["a.txt", "b.txt"], []),  # measured
    ("./a.txt\n", ["a.txt", "b.txt"], ["b.txt"]),  # Clean: a.txt
    ("sub/../b.txt\n", ["a.txt", "b.txt", "sub/b.txt"], ["a.txt", "sub/b.txt"]),  # Clean: b.txt
    ("/a.txt\n", ["a.txt", "sub/a.txt"], ["sub/a.txt"]),  # Clean keeps /a.txt; ReadAll drops the /
    ("sub//a.txt\n", ["a.txt", "sub/a.txt"], ["a.txt"]),  # Clean: sub/a.txt
    ("../sub\n", ["sub/a.txt", "b.txt"], ["b.txt", "sub/a.txt"]),  # a folder under ..: nothing left out
]


@pytest.mark.parametrize("ignore, files, sent", CLEANED, ids=[ignore.strip().replace("\n", " ") for ignore, _, _ in CLEANED])
def test_patterns_are_cleaned_as_go_cleans_them_and_a_leading_dotdot_matches_nothing(tmp_path, ignore, files, sent):
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n")
    (tmp_path / ".dockerignore").write_text(ignore)
    assert [path for path in context_files(tmp_path) if path != ".dockerignore"] == sent
    classic = sent_paths(tmp_path, patterns_of(tmp_path), "Dockerfile")  # what a classic dl.build puts in its context tar
    assert sorted(path for path in classic if (tmp_path / path).is_file() and path != ".dockerignore") == sent


def test_reading_keeps_a_leading_dotdot_as_go_clean_does():
    assert read_patterns(b"../a.txt\n!../../b\n./c\na/../d\n/e\nf//g\n") == ["../a.txt", "!../../b", "c", "d", "e", "f/g"]


@pytest.mark.parametrize("ignore", ["!/\n", "!//\n", "! /..\n"])
def test_an_exception_for_the_root_is_refused_as_a_lone_exclamation_mark(ignore):
    """ReadAll keeps the pattern "/" (its leading-/ rule needs two characters); moby's NewPatternMatcher cleans
    "!/" again to "!" and refuses it: `illegal exclusion pattern: "!"` (from the source; not measured)."""
    from dockerlab.errors import DockerlabError

    with pytest.raises(DockerlabError, match=r'root folder.*illegal exclusion pattern: "!"'):
        read_patterns(ignore.encode())


def test_build_ignore_entries_are_read_as_lines_of_a_dockerignore_for_the_classic_context(tmp_path):
    from dockerlab.builder import _ignore_patterns

    # BuildKit builds write the entries into a .dockerignore the CLI reads; the classic context reads them the same way
    assert _ignore_patterns(["/a.txt", "../b.txt", "#c", " d.txt "]) == ["a.txt", "../b.txt", "d.txt"]
    for name in ("a.txt", "b.txt", "c", "d.txt"):
        (tmp_path / name).write_text("x\n")
    sent = sent_paths(tmp_path, _ignore_patterns(["/a.txt", "../b.txt", "#c", " d.txt "]), always_sent=False)
    assert sorted(sent) == ["b.txt", "c"]


def test_copy_sources_name_context_paths_whatever_their_slashes_and_dots():
    from dockerlab.dockerfile import copied_files

    files = ["app/x.py", "a.txt", "b.txt"]
    assert copied_files(["/app/"], files) == ["app/x.py"]
    assert copied_files(["./a.txt", "../b.txt"], files) == ["a.txt", "b.txt"]  # BuildKit: .. cannot leave the context
    assert copied_files(["app/../a.txt"], files) == ["a.txt"]
    assert copied_files(["/"], files) == files


# --- ( ) | + { }: the docker 20.10 CLI's regular expression passes them through as regexp syntax ---------------
# Measured by the verifier: `a(b.txt` and `a)b.txt` stop /usr/bin/docker 20.10 with `syntax error in pattern` on both
# builders (its pkg/fileutils translation escapes only . and $; Go's regexp.Compile then refuses the unbalanced
# parenthesis); CLI 28.x accepts both. The other refused rows follow from the same translation and Go's
# regexp/syntax parser (parse.go: stacked repetitions, counts over 1000, nested counts over 1000 copies, a
# repetition after `(`): from the source, not measured.
REFUSED_2010 = [
    ("a(b.txt", "`(` is not closed"),  # measured
    ("a)b.txt", "`)` closes no `(`"),  # measured
    ("(a\\).txt", "`(` is not closed"),  # measured (2026-11-30): an escaped ) closes nothing
    ("c++.txt", "follows another repetition"),  # ^c++\.txt$
    ("*+.txt", "follows another repetition"),  # ^[^/]*+\.txt$
    ("x{1001}.txt", "repetition count"),
    ("(x{50}){30}", "more than 1000 copies"),
    ("a({2}).txt", "repeats nothing"),
]


@pytest.mark.parametrize("pattern, reason", REFUSED_2010, ids=[pattern for pattern, _ in REFUSED_2010])
def test_a_pattern_the_2010_cli_refuses_is_refused_saying_why(tmp_path, pattern, reason):
    from dockerlab.errors import DockerlabError

    (tmp_path / ".dockerignore").write_text(f"*.tmp\n{pattern}\n")
    with pytest.raises(DockerlabError) as raised:
        context_files(tmp_path)
    message = str(raised.value)
    assert "line 2" in message and repr(pattern) in message and "docker 20.10 CLI refuses" in message and reason in message
    assert "syntax error in pattern" in message and "( ) | + { }" in message and "Newer CLIs" in message
    assert "\\(" in raised.value.fix and "line 2" in raised.value.fix
    with pytest.raises(DockerlabError, match="docker 20.10 CLI refuses"):  # an exception is checked alike
        read_patterns(f"*\n!{pattern}\n".encode())


def test_a_build_ignore_entry_the_2010_cli_refuses_stops_before_any_build(tmp_path):
    import dockerlab as dl

    with pytest.raises(dl.DockerlabError, match=r"entry 1 of build\(\)'s ignore= argument, 'a\(b.txt'.*docker 20.10 CLI"):
        dl.build(tmp_path, "FROM alpine:3.20\n", ignore=["a(b.txt"])


# An escaped \( is ( on every CLI (measured for the rows of ESCAPED below).
@pytest.mark.parametrize("pattern, files, left_out", [
    ("a\\(b.txt", ["a(b.txt", "ab.txt"], ["a(b.txt"]),
    ("a\\)b.txt", ["a)b.txt", "ab.txt"], ["a)b.txt"]),
    ("c\\+\\+.txt", ["c++.txt", "c.txt"], ["c++.txt"]),
])
def test_parentheses_the_2010_cli_compiles_are_accepted(tmp_path, pattern, files, left_out):
    for name in files:
        (tmp_path / name).write_text("x\n")
    (tmp_path / ".dockerignore").write_text(pattern + "\n")
    assert sorted(path for path in context_files(tmp_path) if path != ".dockerignore") == sorted(set(files) - set(left_out))


# --- patterns every CLI accepts but the 20.10 CLI reads otherwise: refused on every builder ---------------------
# Measured (2026-11-30): one context holding all of MEASURED_FILES, `FROM scratch` + `COPY . /`, each .dockerignore
# built with /usr/bin/docker 20.10.24 (DOCKER_BUILDKIT=1 and =0: the same every time) and /usr/local/bin/docker 28.2.2
# (classic: its own patternmatcher makes the tar), then `docker export` listed. "2010" and "28" are what each left out.
MEASURED_FILES = ["backup (1).zip", "backup 1.zip", "a1.txt", "a.txt", "aa.txt", "a+.txt", "b.txt", "a|b.txt", "xx.txt",
                  "x{2}.txt", "(a).txt", "^a.txt", "^a1.txt", "c.py", ".py", "sub/d.py", "barfoo", "foo", "a{b}.txt",
                  "\ufeffb.txt"]
DIFFERS = [  # (.dockerignore, what 20.10 left out, what 28 left out, the reason the course gives)
    ("backup (1).zip", ["backup 1.zip"], ["backup (1).zip"], "`(` means a group"),
    ("*(1).zip", ["backup 1.zip"], ["backup (1).zip"], "`(` means a group"),
    ("a|b.txt", ["a.txt", "a1.txt", "aa.txt", "a+.txt", "a|b.txt", "a{b}.txt", "b.txt", "\ufeffb.txt"], ["a|b.txt"], "`|` means a choice"),
    ("a+.txt", ["a.txt", "aa.txt"], ["a+.txt"], "`+` means one or more"),
    ("x{2}.txt", ["xx.txt"], ["x{2}.txt"], "`{` means a count"),
    ("(a).txt", ["a.txt"], ["(a).txt"], "`(` means a group"),
    ("^a.txt", ["a.txt"], ["^a.txt"], "`^` means the start of the name"),
    ("**.py", [".py", "sub/d.py"], ["c.py", ".py", "sub/d.py"], "`**` followed by `.py`"),
    ("**foo", ["foo"], ["foo", "barfoo"], "`**` followed by `foo`"),
    ("nothing\n\ufeffb.txt", ["b.txt"], ["\ufeffb.txt"], "byte order mark"),
    ("*.txt\n!\ufeffa.txt", [f for f in MEASURED_FILES if f.endswith(".txt") and f != "a.txt"],
     [f for f in MEASURED_FILES if f.endswith(".txt")], "byte order mark"),
]
AGREE = [  # every CLI left out the same files: accepted, and the course leaves out those (measured)
    ("^a*.txt", ["a.txt", "a1.txt", "aa.txt", "a+.txt", "a|b.txt", "a{b}.txt"]),  # with a wildcard newer CLIs pass ^ through too
    ("a{b}.txt", ["a{b}.txt"]),  # not a count: a { to every CLI
    ("*.txt\n!\ufeffa*.txt", ["b.txt", "xx.txt", "x{2}.txt", "(a).txt", "^a.txt", "^a1.txt", "\ufeffb.txt"]),  # the BOM is skipped
    ("nothing\n\ufeffb*.txt", ["b.txt"]),
    # the fixes the refusals suggest (measured: the same on both CLIs)
    ("backup \\(1\\).zip", ["backup (1).zip"]),
    ("a\\+.txt", ["a+.txt"]),
    ("x\\{2\\}.txt", ["x{2}.txt"]),
    ("\\^a.txt", ["^a.txt"]),
    ("a\\|b.txt", ["a|b.txt"]),
    ("**/*.py", ["c.py", ".py", "sub/d.py"]),
    ("**/.py", [".py"]),
]


def _measured_context(tmp_path, ignore, files=MEASURED_FILES):
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    (tmp_path / ".dockerignore").write_text(ignore)


@pytest.mark.parametrize("ignore, left_out_2010, left_out_28, reason", DIFFERS, ids=[row[0] for row in DIFFERS])
def test_a_pattern_the_2010_cli_reads_otherwise_is_refused_saying_why(tmp_path, ignore, left_out_2010, left_out_28, reason):
    from dockerlab.errors import DockerlabError

    assert sorted(left_out_2010) != sorted(left_out_28)  # the measurement this refusal rests on
    _measured_context(tmp_path, ignore)
    line = ignore.count("\n") + 1
    with pytest.raises(DockerlabError) as raised:
        context_files(tmp_path)
    message = str(raised.value)
    written = ignore.split("\n")[-1]
    assert f"line {line} of" in message and repr(written) in message and "means different files to different docker CLIs" in message
    assert reason in message and "20.10" in message and "same wherever it is built" in message
    assert f"line {line}" in raised.value.fix
    with pytest.raises(DockerlabError, match="means different files"):  # build(ignore=) entries are read alike
        read_patterns("\n".join(ignore.split("\n")).encode(), "build()'s ignore= argument", item="entry")


@pytest.mark.parametrize("ignore, left_out", AGREE, ids=[row[0] for row in AGREE])
def test_a_pattern_every_cli_reads_alike_is_matched_as_measured(tmp_path, ignore, left_out):
    _measured_context(tmp_path, ignore)
    sent = [path for path in context_files(tmp_path) if path != ".dockerignore"]
    assert sorted(sent) == sorted(set(MEASURED_FILES) - set(left_out))


def test_each_refusal_suggests_a_form_every_cli_reads_alike():
    from dockerlab.errors import DockerlabError

    for pattern, suggested in [("a+.txt", "\\+"), ("backup (1).zip", "\\("), ("x{2}.txt", "\\{"), ("^a.txt", "\\^"),
                               ("a|b.txt", "\\|"), ("**.py", "**/*.py")]:
        with pytest.raises(DockerlabError) as raised:
            read_patterns(pattern.encode())
        assert f"`{suggested}" in raised.value.fix, (pattern, raised.value.fix)


# --- spaces: Go's strings.TrimSpace (unicode.IsSpace), not Python's str.strip ---------------------------------
# Measured by the verifier: `a.txt\x1f` made the classic 20.10 CLI send a.txt (Go keeps U+001F; Python's strip
# removes U+001C-U+001F). NBSP, NEL and U+3000 are Go spaces (unicode.IsSpace: Latin-1's \t \n \v \f \r, space,
# U+0085, U+00A0, then the White_Space table), so they are trimmed and a.txt is left out (from the source).
@pytest.mark.parametrize("line, a_sent", [
    ("a.txt\x1f", True),  # measured
    ("\x1ca.txt", True),
    ("a.txt\xa0", False),
    ("\x85a.txt", False),
    ("a.txt\u3000", False),
    ("! \xa0a.txt", False),  # after `*`: the exception keeps a.txt, trimmed the same way
])
def test_patterns_are_trimmed_as_go_trims_them(tmp_path, line, a_sent):
    (tmp_path / "a.txt").write_text("x\n")
    (tmp_path / "b.txt").write_text("x\n")
    ignore = f"*\n{line}\n" if line.startswith("!") else f"{line}\n"
    (tmp_path / ".dockerignore").write_bytes(ignore.encode())
    sent = [path for path in context_files(tmp_path) if path != ".dockerignore"]
    if line.startswith("!"):
        assert sent == ["a.txt"]
    else:
        assert ("a.txt" in sent) is a_sent and "b.txt" in sent
    assert sorted(set(sent_paths(tmp_path, patterns_of(tmp_path), always_sent=False)) - {".dockerignore"}) == sent


def test_go_spaces_are_exactly_unicode_is_space():
    from dockerlab.dockerignore import _GO_SPACE

    # Go's unicode White_Space table: 0009-000D, 0020, 0085, 00A0, 1680, 2000-200A, 2028, 2029, 202F, 205F, 3000
    expected = {*range(0x9, 0xE), 0x20, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000}
    assert {ord(char) for char in _GO_SPACE} == expected
    assert not {0x1C, 0x1D, 0x1E, 0x1F} & expected and all(chr(point).isspace() for point in (0x1C, 0x1F))


# --- control characters: the classic builder reads them, BuildKit cannot send them -----------------------------------
# Measured by the verifier (/usr/bin/docker 20.10.24): each of these .dockerignore lines made `DOCKER_BUILDKIT=1 docker
# build` fail at "load build context" with `rpc error: ... RST_STREAM with error code: PROTOCOL_ERROR` (the patterns
# travel in a gRPC header); the classic builder accepted them. A tab or an é inside a pattern built fine.
CONTROL_LINES = [("a.txt\x1f", "\\x1f"), ("\x1cb.txt", "\\x1c"), ("a\x01b.txt", "\\x01"), ("x\x7f.txt", "\\x7f")]


@pytest.mark.parametrize("line, code", CONTROL_LINES)
def test_a_control_character_is_refused_for_buildkit_naming_file_line_and_character(tmp_path, line, code):
    from dockerlab.errors import DockerlabError

    (tmp_path / ".dockerignore").write_bytes(f"*.tmp\n{line}\n".encode())
    with pytest.raises(DockerlabError) as raised:
        patterns_of(tmp_path, buildkit=True)
    said = str(raised.value)
    assert f"line 2 of {tmp_path / '.dockerignore'}" in said and repr(line) in said
    assert f"control character {code}" in said and "gRPC header" in said and "classic builder accepts it" in said
    assert raised.value.fix.startswith(f"Remove the {code} from line 2")


@pytest.mark.parametrize("line, code", CONTROL_LINES)
def test_the_classic_reading_keeps_a_control_character(tmp_path, line, code):
    (tmp_path / ".dockerignore").write_bytes(f"*.tmp\n{line}\n".encode())
    assert patterns_of(tmp_path) == ["*.tmp", line]
    (tmp_path / line).write_text("x\n")  # a file of that very name is left out, as the classic builder leaves it out
    (tmp_path / "kept.txt").write_text("x\n")
    assert context_files(tmp_path) == [".dockerignore", "kept.txt"]


@pytest.mark.parametrize("line", ["a\tb.txt", "caf\xe9.txt", "!\tx\xe9.txt"])
def test_a_tab_or_an_accent_inside_a_pattern_is_fine_for_buildkit(line):
    assert read_patterns(f"*\n{line}\n".encode(), buildkit=True) == ["*", line.replace("!\t", "!")]


def test_every_ascii_control_but_the_tab_is_refused_for_buildkit():
    from dockerlab.dockerignore import _NOT_IN_A_HEADER

    # Go's httpguts.ValidHeaderFieldValue, which an HTTP/2 header value must pass: no CTL (0x00-0x1f, 0x7f) but HTAB
    assert _NOT_IN_A_HEADER == {chr(point) for point in range(0x20) if point != 0x09} | {"\x7f"}


def _build_stubbed(monkeypatch, chosen):
    import dockerlab as dl
    from dockerlab import builder, buildkit

    monkeypatch.setattr(builder, "_builder_for", lambda *_: buildkit.BuilderChoice(chosen, "a test", "a test"))

    def reached(*_, **__):
        raise AssertionError(f"the {chosen} build ran")

    monkeypatch.setattr(builder, "_build_buildkit", reached)
    monkeypatch.setattr(builder, "_build_classic", reached)
    return dl


@pytest.mark.parametrize("line, code", CONTROL_LINES)
def test_a_buildkit_build_refuses_a_control_character_before_it_runs(tmp_path, monkeypatch, line, code):
    dl = _build_stubbed(monkeypatch, "buildkit")
    (tmp_path / ".dockerignore").write_bytes(f"{line}\n".encode())
    with pytest.raises(dl.DockerlabError, match=rf"line 1 of {tmp_path}/.dockerignore, .* holds the control character \{code}"):
        dl.build(tmp_path, "FROM alpine:3.20\n")
    (tmp_path / ".dockerignore").unlink()
    with pytest.raises(dl.DockerlabError, match=rf"entry 2 of build\(\)'s ignore= argument, .* holds the control character \{code}"):
        dl.build(tmp_path, "FROM alpine:3.20\n", ignore=["*.tmp", line])


def test_a_classic_build_goes_on_with_a_control_character(tmp_path, monkeypatch):
    dl = _build_stubbed(monkeypatch, "classic")
    (tmp_path / ".dockerignore").write_bytes(b"a.txt\x1f\n")
    with pytest.raises(AssertionError, match="the classic build ran"):
        dl.build(tmp_path, "FROM alpine:3.20\n", ignore=["a\x01b.txt"])


# --- a pattern for a folder: the docker 20.10 CLI and newer CLIs walk the context differently ---------------------
# Measured (2026-11-30) as DIFFERS above, on a context of WALK_FILES: /usr/bin/docker 20.10.24 (both builders: the same)
# against /usr/local/bin/docker 28.2.2 (classic). 20.10 checks each pattern against a file and its folders; newer CLIs
# (moby/patternmatcher MatchesUsingParentResults) decide a file from its folder's results.
WALK_FILES = ["a.txt", "a.py", "src/a.txt", "src/a.py", "src/sub/b.txt", "src/sub/b.py", "src/sub/deep/c.txt", "docs/x.md", "docs/sub/y.md"]
ALL = WALK_FILES
WALKS_DIFFER = [  # (.dockerignore, what 20.10 sent, what 28 sent), measured
    ("src/sub\n!src", ALL, ["a.py", "a.txt", "docs/sub/y.md", "docs/x.md", "src/a.py", "src/a.txt"]),
    ("docs/**\n!docs", ALL, ["a.py", "a.txt", "src/a.py", "src/a.txt", "src/sub/b.py", "src/sub/b.txt", "src/sub/deep/c.txt"]),
    ("**/*.py\n!src", [p for p in ALL if p != "a.py"], ["a.txt", "docs/sub/y.md", "docs/x.md", "src/a.txt", "src/sub/b.txt", "src/sub/deep/c.txt"]),
    ("src/sub/deep\n!src/sub", ALL, [p for p in ALL if p != "src/sub/deep/c.txt"]),
    ("*/*.txt\n!src", ALL, ["a.py", "a.txt", "docs/sub/y.md", "docs/x.md", "src/a.py", "src/sub/b.py", "src/sub/b.txt", "src/sub/deep/c.txt"]),
    ("src/**/*.txt\n!src/*", ALL, ["a.py", "a.txt", "docs/sub/y.md", "docs/x.md", "src/a.py", "src/a.txt", "src/sub/b.py"]),
    ("src\n!src/sub/**\nsrc/sub", ["a.py", "a.txt", "docs/sub/y.md", "docs/x.md"],  # here newer CLIs send more
     ["a.py", "a.txt", "docs/sub/y.md", "docs/x.md", "src/sub/b.py", "src/sub/b.txt", "src/sub/deep/c.txt"]),
    ("**/*.txt\n!src/sub", ["a.py", "docs/sub/y.md", "docs/x.md", "src/a.py", "src/sub/b.py", "src/sub/b.txt", "src/sub/deep/c.txt"],
     ["a.py", "docs/sub/y.md", "docs/x.md", "src/a.py", "src/sub/b.py"]),
]
WALKS_AGREE = [  # the fixes the refusals suggest, and exceptions every CLI reads alike: what all of them sent (measured)
    ("**/*.py\n!src/**", [p for p in ALL if p != "a.py"]),
    ("src/sub\n!src/**", ALL),
    ("src\n!src/sub/**\nsrc/sub/**", ["a.py", "a.txt", "docs/sub/y.md", "docs/x.md"]),
    ("src\n!src/**/*.py", ["a.py", "a.txt", "docs/sub/y.md", "docs/x.md", "src/a.py"]),
    ("src/**\n!src/sub", ["a.py", "a.txt", "docs/sub/y.md", "docs/x.md", "src/sub/b.py", "src/sub/b.txt", "src/sub/deep/c.txt"]),
    ("src\n!src/sub/", ["a.py", "a.txt", "docs/sub/y.md", "docs/x.md", "src/sub/b.py", "src/sub/b.txt", "src/sub/deep/c.txt"]),
]


def _walk_context(tmp_path, ignore):
    _measured_context(tmp_path, ignore, WALK_FILES)


@pytest.mark.parametrize("ignore, sent_2010, sent_28", WALKS_DIFFER, ids=[row[0] for row in WALKS_DIFFER])
def test_a_folder_pattern_the_clis_walk_differently_is_refused_naming_files_and_pattern(tmp_path, ignore, sent_2010, sent_28):
    from dockerlab import dockerignore
    from dockerlab.errors import DockerlabError

    _walk_context(tmp_path, ignore)
    patterns = dockerignore.patterns_of(tmp_path)
    matcher = dockerignore._Matcher(patterns, always_sent=False)
    # the two walks model the two CLIs: each gives what that CLI sent
    assert sorted(p for p in matcher.walk(str(tmp_path)) if p in WALK_FILES) == sorted(sent_2010)
    assert sorted(p for p in matcher.walk(str(tmp_path), newer=True) if p in WALK_FILES) == sorted(sent_28)
    with pytest.raises(DockerlabError) as raised:
        context_files(tmp_path)
    message, first = str(raised.value), sorted(set(sent_2010) ^ set(sent_28))[0]
    assert "sends different files with different docker CLIs" in message and first in message and "20.10" in message
    assert "/**`" in raised.value.fix


@pytest.mark.parametrize("ignore, sent", WALKS_AGREE, ids=[row[0] for row in WALKS_AGREE])
def test_folder_patterns_every_cli_walks_alike_are_matched_as_measured(tmp_path, ignore, sent):
    _walk_context(tmp_path, ignore)
    assert [path for path in context_files(tmp_path) if path in WALK_FILES] == sorted(sent)


def test_a_build_refuses_a_context_the_clis_walk_differently_before_any_engine_call(tmp_path, monkeypatch):
    import dockerlab as dl
    from dockerlab import builder

    _walk_context(tmp_path, "**/*.py\n!src\n")
    monkeypatch.setattr(builder, "_builder_for", lambda *_: (_ for _ in ()).throw(AssertionError("reached the builder")))
    with pytest.raises(dl.DockerlabError, match="sends different files with different docker CLIs"):
        dl.build(tmp_path, "FROM alpine:3.20\n")
    (tmp_path / ".dockerignore").unlink()
    with pytest.raises(dl.DockerlabError, match="`!src` names a folder"):  # ignore= entries count as .dockerignore lines
        dl.build(tmp_path, "FROM alpine:3.20\n", ignore=["**/*.py", "!src"])


def test_a_buildkit_build_with_its_own_ignore_file_is_not_refused_for_the_context_dockerignore_it_does_not_read(tmp_path, monkeypatch):
    """A Dockerfile given as a path with a <Dockerfile>.dockerignore beside it: BuildKit reads that file in place of the
    context's .dockerignore, so a context .dockerignore the CLIs walk differently is no reason to refuse it there (the
    classic builder reads .dockerignore only: refused)."""
    import dockerlab as dl
    from dockerlab import builder

    _walk_context(tmp_path, "**/*.py\n!src\n")
    (tmp_path / "app.Dockerfile").write_text("FROM alpine:3.20\n")
    (tmp_path / "app.Dockerfile.dockerignore").write_text("*.md\n")
    reached = []
    chosen = builder.buildkit.BuilderChoice("buildkit", "/usr/bin/docker", "a test")
    monkeypatch.setattr(builder, "_builder_for", lambda *_: reached.append(True) or chosen)
    monkeypatch.setattr(builder, "_build_buildkit", lambda *_, **__: (_ for _ in ()).throw(AssertionError("built")))
    with pytest.raises(AssertionError, match="built"):
        dl.build(tmp_path, "app.Dockerfile", builder="buildkit")
    assert reached
    with pytest.raises(dl.DockerlabError, match="sends different files with different docker CLIs"):
        dl.build(tmp_path, "app.Dockerfile", builder="classic")
    classic = builder.buildkit.BuilderChoice("classic", "the engine API", "a test")
    monkeypatch.setattr(builder, "_builder_for", lambda *_: classic)  # no builder named: the classic one chosen after all
    with pytest.raises(dl.DockerlabError, match="sends different files with different docker CLIs"):
        dl.build(tmp_path, "app.Dockerfile")
    (tmp_path / "app.Dockerfile.dockerignore").write_text("**/*.py\n!src\n")  # its own file walked differently: refused
    monkeypatch.setattr(builder, "_builder_for", lambda *_: chosen)
    with pytest.raises(dl.DockerlabError, match="sends different files with different docker CLIs"):
        dl.build(tmp_path, "app.Dockerfile", builder="buildkit")


@pytest.mark.parametrize("ignore, sent_2010, sent_28", WALKS_DIFFER, ids=[row[0] for row in WALKS_DIFFER])
def test_the_line_a_walk_refusal_suggests_makes_both_walks_agree_on_what_20_10_sent(tmp_path, ignore, sent_2010, sent_28):
    import re

    from dockerlab.errors import DockerlabError

    _walk_context(tmp_path, ignore)
    with pytest.raises(DockerlabError) as raised:
        context_files(tmp_path)
    added, after = re.search(r"Add the line `([^`]+)` right after `([^`]+)`", raised.value.fix).groups()
    lines = ignore.split("\n")
    lines.insert(lines.index(after) + 1, added)  # the line kept: only the files under its folder are named again
    (tmp_path / ".dockerignore").write_text("\n".join(lines))
    # accepted (the two walks agree), sending what the 20.10 CLI sent for the original (from the two walks' models)
    assert [path for path in context_files(tmp_path) if path in WALK_FILES] == sorted(sent_2010)


# --- <Dockerfile>.dockerignore: BuildKit reads it in place of the context's .dockerignore; the classic builder does not -----
# Measured (2026-11-30, a verifier): `docker build .` on BuildKit (20.10 CLI) in a folder holding a, x, `.dockerignore` = a
# and `Dockerfile.dockerignore` = x sent a, not x; the classic builder reads .dockerignore only. The engine test
# test_a_dockerfile_s_own_ignore_file_is_read_as_each_builder_reads_it checks dl.build sends what context_files says.
def test_a_dockerfile_s_own_ignore_file_replaces_the_context_s_on_buildkit_only(tmp_path):
    from dockerlab import dockerignore

    for name in ("a", "x", "app.Dockerfile"):
        (tmp_path / name).write_text("x")
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / ".dockerignore").write_text("a\n")
    assert context_files(tmp_path, "Dockerfile") == [".dockerignore", "Dockerfile", "app.Dockerfile", "x"]  # no own file yet
    (tmp_path / "Dockerfile.dockerignore").write_text("x\n")
    (tmp_path / "app.Dockerfile.dockerignore").write_text("a\nx\n")
    assert dockerignore.ignore_file(tmp_path, "Dockerfile") == tmp_path / "Dockerfile.dockerignore"
    assert dockerignore.ignore_file(tmp_path, tmp_path / "app.Dockerfile") == tmp_path / "app.Dockerfile.dockerignore"
    assert dockerignore.ignore_file(tmp_path) == tmp_path / ".dockerignore"
    assert "a" in context_files(tmp_path, "Dockerfile") and "x" not in context_files(tmp_path, "Dockerfile")
    assert "a" not in context_files(tmp_path, "Dockerfile", builder="classic") and "x" in context_files(tmp_path, "Dockerfile", builder="classic")
    assert not {"a", "x"} & set(context_files(tmp_path, "app.Dockerfile"))
    assert "a" not in context_files(tmp_path)  # no Dockerfile named: the context's .dockerignore
