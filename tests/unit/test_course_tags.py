"""course_tag always makes a reference the engine accepts (issue 22 kind D): distribution/reference's
grammar, a repository name of at most 255 characters and a tag of at most 128, whatever the folder
or variant is called; two long names that differ stay two references."""
import re

import pytest

from dockerlab.labels import course_tag

# github.com/distribution/reference (regexp.go): path components, a tag, and NameTotalLengthMax = 255
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REFERENCE = re.compile(rf"^(?P<name>{_COMPONENT}(?:/{_COMPONENT})*):(?P<tag>[\w][\w.-]{{0,127}})$")


def _valid(reference: str) -> bool:
    match = _REFERENCE.match(reference)
    return bool(match) and len(match.group("name")) <= 255


@pytest.mark.parametrize("name", [
    "a" * 250, "é" * 300, "x" * 1000, "hello world " * 40, "..", "-_-", "UPPER/lower", "名前", "a" * 255 + "!",
])
def test_a_tag_for_any_folder_name_is_a_valid_reference(name, tmp_path):
    folder = tmp_path / name.replace("/", "_")[:200]  # a file name has its own limit (255 bytes)
    assert _valid(course_tag("exercise", name, "check")), course_tag("exercise", name, "check")
    assert _valid(course_tag("exercise", folder, "check"))


@pytest.mark.parametrize("tag", ["x" * 300, "-.-", "wê ird", "_ok"])
def test_the_tag_part_is_valid_too(tag):
    assert _valid(course_tag("exercise", "app", tag)), course_tag("exercise", "app", tag)


def test_long_names_that_differ_give_different_references():
    first, second = course_tag("exercise", "a" * 300 + "1"), course_tag("exercise", "a" * 300 + "2")
    assert first != second and _valid(first) and _valid(second)
    assert course_tag("exercise", "hello world") == "dockerlab-exercise/hello-world:latest"  # short names read as before


def test_a_long_folder_name_fits_the_engines_limit_with_docker_io_in_front():
    """A verifier's break: a folder of 250 characters gave a 255-character name, which `docker build -t` refuses
    ("repository name must not be more than 255 characters": the CLI counts docker.io/ in front; 245 was accepted)."""
    from dockerlab.labels import course_tag, tag_problem

    tag = course_tag("exercise", "x" * 250, "check")
    name = tag.rsplit(":", 1)[0]
    assert len("docker.io/" + name) <= 255 and tag_problem(tag) is None
    assert tag_problem("dockerlab-exercise/" + "x" * (245 - len("dockerlab-exercise/"))) is None  # 245: accepted by the CLI
    said = tag_problem("dockerlab-exercise/" + "x" * (246 - len("dockerlab-exercise/")))  # 246: refused
    assert said and "at most 245" in said and "docker.io/" in said
    assert tag_problem("127.0.0.1:5000/" + "x" * 240) is None  # a name with a registry host is counted as it is


def test_folders_whose_names_read_alike_never_share_a_tag(tmp_path):
    """#22 leftovers: "My App" and "my-app" both gave dockerlab-exercise/my-app:check, so a check of one folder
    built over the other's image. A folder whose name is not already a name carries its own name's hash."""
    import hashlib

    names = ["my-app", "My App", "my_app", "MY-APP", "my app", "my--app"]
    tags = [course_tag("exercise", tmp_path / name, "check") for name in names]
    assert len(set(tags)) == len(names) and all(_valid(tag) for tag in tags), tags
    assert tags[0] == "dockerlab-exercise/my-app:check"  # a name that is one already stays as it is
    assert tags[1] == "dockerlab-exercise/my-app-" + hashlib.sha256(b"My App").hexdigest()[:8] + ":check"
    assert course_tag("exercise", tmp_path / "My App") == course_tag("exercise", str(tmp_path / "My App"))  # a Path or a path: the same
    assert course_tag("ignore", "without .dockerignore") == "dockerlab-ignore/without-dockerignore:latest"  # a variant: as before
    long_upper, long_lower = (course_tag("exercise", tmp_path / ("X" * 240), "check"), course_tag("exercise", tmp_path / ("x" * 240), "check"))
    assert long_upper != long_lower and _valid(long_upper) and _valid(long_lower)
    assert len("docker.io/" + long_upper.rsplit(":", 1)[0]) <= 255 and len("docker.io/" + long_lower.rsplit(":", 1)[0]) <= 255


def test_a_folder_named_like_another_folders_changed_name_gets_its_own_tag(tmp_path):
    """#22 leftover: "My App" gave my-app-96c6f417 (8 hex of its name's sha256), and a folder literally named
    my-app-96c6f417 kept its name: two folders, one image tag. A valid name that ends like a changed one (a dash
    and 8 or 12 hex digits, the course's own suffixes) is changed too, with its own hash."""
    import hashlib

    def h(text: str, digits: int) -> str:
        return hashlib.sha256(text.encode()).hexdigest()[:digits]

    changed = course_tag("exercise", tmp_path / "My App", "check")
    assert changed == f"dockerlab-exercise/my-app-{h('My App', 8)}:check" == "dockerlab-exercise/my-app-96c6f417:check"
    lookalike = course_tag("exercise", tmp_path / "my-app-96c6f417", "check")
    assert lookalike == f"dockerlab-exercise/my-app-96c6f417-{h('my-app-96c6f417', 8)}:check" and lookalike != changed
    # the cut form (12 hex digits) too: a folder named like a long name's cut result keeps apart from it
    long_name = "a" * 300
    cut = course_tag("exercise", "x/" + long_name, "check")  # a path as a string: a file name has its own limit (255 bytes)
    cut_slug = cut.split("/", 1)[1].rsplit(":", 1)[0]
    assert cut_slug.endswith("-" + h(long_name, 12))
    named_like_it = course_tag("exercise", "x/" + cut_slug, "check")
    assert named_like_it != cut and _valid(named_like_it)
    # names that only look hex-ish, or carry a hex run that is not the suffix form, stay as they are
    for kept in ["my-app", "build-2024", "app-deadbeef1", "app-deadbee", "cafe-babe", "app-deadbeef-v2"]:
        assert course_tag("exercise", tmp_path / kept, "check") == f"dockerlab-exercise/{kept}:check"


@pytest.mark.parametrize("names", [
    ["My App", "my-app-96c6f417", "my app", "my-app"],
    ["Hello World", "hello-world-" + __import__("hashlib").sha256(b"Hello World").hexdigest()[:8], "hello-world"],
    ["API", "api-" + __import__("hashlib").sha256(b"API").hexdigest()[:8], "api"],
])
def test_no_folder_name_shares_a_tag_with_another_whatever_the_names(names, tmp_path):
    tags = [course_tag("exercise", tmp_path / name, "check") for name in names]
    assert len(set(tags)) == len(names) and all(_valid(tag) for tag in tags), tags
