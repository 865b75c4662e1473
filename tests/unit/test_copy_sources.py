"""#22 kind C: a COPY/ADD source is not a .dockerignore pattern. Every expectation below was measured on engine
20.10.24 with /usr/bin/docker build (CLI 20.10.24), DOCKER_BUILDKIT=1 (BuildKit) and DOCKER_BUILDKIT=0 (classic):
`FROM alpine:3.20` / `COPY <source> /out/` / `RUN` printing every file under /out, in a context holding FILES (each
file's content is its own path, so the output names the context files copied); a .dockerignore left out only itself
and the Dockerfile. "error" rows: the classic build failed (`COPY failed: no source files were specified`, or
`forbidden path outside the build context: ../a.txt ()`), so it copies nothing."""
import pytest

from dockerlab.dockerfile import copied_files
from dockerlab.errors import DockerlabError

FILES = sorted([
    "!bang", ".hidden.txt", "[ab].txt", "a+b.txt", "a.txt", "abc", "b.txt", "deep/a/b/c.py", "dir/f", "dir/g/h",
    "sp ace.txt", "src/m.py", "src/readme.txt", "src/sub/n.py", "top/c.py", "x.py",
])
EVERYTHING = FILES

# source: (BuildKit, classic), each the sorted context files that arrived under /out
MEASURED = {
    "*.txt": [".hidden.txt", "[ab].txt", "a+b.txt", "a.txt", "b.txt", "sp ace.txt"],  # * matches a leading dot
    "**/*.py": ["src/m.py", "top/c.py"],  # ** is *: one folder down, not x.py, not deep/a/b/c.py
    "src": ["src/m.py", "src/readme.txt", "src/sub/n.py"],
    "src/*": ["src/m.py", "src/readme.txt", "src/sub/n.py"],  # a folder matched is copied whole
    "a?c": ["abc"],
    "[ab].txt": ["a.txt", "b.txt"],  # a class: the file literally named [ab].txt is not copied
    "a+b.txt": ["a+b.txt"],
    "dir/": ["dir/f", "dir/g/h"],
    "**": EVERYTHING,
    "src/**": ["src/m.py", "src/readme.txt", "src/sub/n.py"],
    "**/c.py": ["top/c.py"],
    "*/*.py": ["src/m.py", "top/c.py"],
    "*": EVERYTHING,
    ".": EVERYTHING,
    "!bang": ["!bang"],  # no exceptions: the file named !bang
    "src/*.py": ["src/m.py"],
    "src/sub/": ["src/sub/n.py"],
    "src/sub/../m.py": ["src/m.py"],
    "/src/*.py": ["src/m.py"],
    "./*.txt": [".hidden.txt", "[ab].txt", "a+b.txt", "a.txt", "b.txt", "sp ace.txt"],
    "dir/g/": ["dir/g/h"],
    "x.py/": ["x.py"],
    "deep/*/*/c.py": ["deep/a/b/c.py"],
    "sr[c]": ["src/m.py", "src/readme.txt", "src/sub/n.py"],
    "src//m.py": ["src/m.py"],
    "a.txt/.": ["a.txt"],
    "deep/**/c.py": [],  # BuildKit: built, nothing copied; classic: error
    "*.TXT": [],  # case matters (BuildKit: nothing; classic: error)
    "[^a]bc": [],  # Go's negated class (BuildKit: nothing; classic: error)
}
DIFFERENT = {  # source: (BuildKit, classic)
    "*/": (EVERYTHING, []),  # BuildKit cleans it to *; the classic builder matches `*/` as written: error
    "src/*/": (["src/m.py", "src/readme.txt", "src/sub/n.py"], []),
    "src/./*.py": (["src/m.py"], []),
    "../a.txt": (["a.txt"], []),  # BuildKit joins it to the context's root; classic: forbidden path
}


@pytest.mark.parametrize("source", list(MEASURED))
def test_a_copy_source_takes_what_both_builders_copied(source):
    for builder in ("buildkit", "classic"):
        assert sorted(copied_files([source], FILES, builder)) == MEASURED[source], builder


@pytest.mark.parametrize("source", list(DIFFERENT))
def test_a_copy_source_the_builders_read_differently(source):
    kit, classic = DIFFERENT[source]
    assert sorted(copied_files([source], FILES)) == kit  # BuildKit by default
    assert sorted(copied_files([source], FILES, "buildkit")) == kit
    assert sorted(copied_files([source], FILES, "classic")) == classic


def test_several_sources_take_each_file_once_in_the_contexts_order():
    assert copied_files(["src", "*/*.py", "x.py"], FILES) == ["src/m.py", "src/readme.txt", "src/sub/n.py", "top/c.py", "x.py"]


def test_a_pattern_go_refuses_takes_nothing_and_an_unknown_builder_is_refused():
    assert copied_files(["a["], FILES) == [] and copied_files(["a["], FILES, "classic") == []
    with pytest.raises(DockerlabError, match="unknown builder 'kaniko'"):
        copied_files(["a.txt"], FILES, "kaniko")
