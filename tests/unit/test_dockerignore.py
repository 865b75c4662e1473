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
