"""Kind C of #22: a .dockerignore is read as docker/cli reads it (a UTF-8 BOM is not part of the first
pattern, CRLF lines are lines, `#` comments and blank lines are skipped), and the patterns then follow the
CLI's own matching (`**`, `!` exceptions) through docker-py's implementation of it, which the classic
builder path sends. BuildKit reads the file itself (engine tests compare both builders)."""
import pytest
from docker.utils.build import exclude_paths

from dockerlab.builder import _dockerignore_patterns


def context(tmp_path, ignore: bytes, files: list[str]):
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n")
    (tmp_path / ".dockerignore").write_bytes(ignore)
    sent = exclude_paths(str(tmp_path), _dockerignore_patterns(tmp_path))
    return sorted(path for path in sent if path != ".dockerignore" and (tmp_path / path).is_file())


@pytest.mark.parametrize("ignore, sent", [
    (b"\xef\xbb\xbfsecret.env\n", ["app.py", "logs/a.log", "logs/keep.log", "src/x.pyc"]),  # the BOM
    (b"notes.txt\r\nsecret.env\r\n", ["app.py", "logs/a.log", "logs/keep.log", "src/x.pyc"]),  # the CRLF
    (b"**/*.log\n!logs/keep.log\n", ["app.py", "logs/keep.log", "secret.env", "src/x.pyc"]),  # ** and an exception
    (b"# build outputs\n\n   **/*.pyc   \r\n\xef\xbb\xbf\n", ["app.py", "logs/a.log", "logs/keep.log", "secret.env"]),  # comment, blanks, spaces
], ids=["bom", "crlf", "double-star-and-exception", "comments-blanks-spaces"])
def test_the_context_sent_is_the_clis(tmp_path, ignore, sent):
    assert context(tmp_path, ignore, ["app.py", "secret.env", "logs/a.log", "logs/keep.log", "src/x.pyc"]) == sent
