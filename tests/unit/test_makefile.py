"""`make setup` makes the venv with pip, or stops with one sentence saying to install python3-venv,
and a half-made venv (bin/python, no pip: python3-venv missing) is not taken for a made one next time."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


def fake_python(folder: Path, *, with_pip: bool) -> Path:
    """A `python3` whose `-m venv DIR` makes DIR/bin/python, and pip only ``with_pip`` (exit 1 without, as
    Debian's python3 does when python3-venv is missing)."""
    script = folder / "fake-python3"
    pip = 'printf "#!/bin/sh\\nexit 0\\n" > "$3/bin/pip"; chmod +x "$3/bin/pip"; exit 0' if with_pip else 'echo "ensurepip is not available" >&2; exit 1'
    script.write_text(f'#!/bin/sh\nmkdir -p "$3/bin" && ln -sf /bin/true "$3/bin/python"\n{pip}\n')
    script.chmod(0o755)
    return script


@pytest.fixture
def project(tmp_path):
    if not shutil.which("make"):
        pytest.fail("make is not installed")
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def make_setup(folder: Path, python: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "setup", f"PYTHON={python}"], cwd=folder, capture_output=True, text=True, timeout=60)


def test_without_python3_venv_make_stops_with_one_sentence_every_time(project, tmp_path_factory):
    python = fake_python(tmp_path_factory.mktemp("bin"), with_pip=False)
    for _ in range(2):  # the second run does not take the half-made venv for a made one
        done = make_setup(project, python)
        assert done.returncode != 0
        said = [line for line in done.stdout.splitlines() if line.strip()]
        assert len(said) == 1 and "install python3-venv" in said[0], done.stdout + done.stderr
        assert not (project / ".venv").exists()


def test_a_venv_without_pip_is_made_again(project, tmp_path_factory):
    (project / ".venv" / "bin").mkdir(parents=True)
    (project / ".venv" / "bin" / "python").symlink_to("/bin/true")  # left by a failed venv
    done = make_setup(project, fake_python(tmp_path_factory.mktemp("bin"), with_pip=True))
    assert done.returncode == 0, done.stdout + done.stderr
    assert (project / ".venv" / "bin" / "pip").is_file() and (project / ".venv" / ".installed").exists()
