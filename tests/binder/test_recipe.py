"""Binder's own recipe: `jupyter-repo2docker --no-build` generates the Dockerfile mybinder.org would
build from this repository (no engine needed). It must come from binder/ (environment.yml, postBuild),
not from the root environment.yml, which is there for conda users."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def repo2docker() -> str:
    found = shutil.which("jupyter-repo2docker") or str(Path(sys.executable).parent / "jupyter-repo2docker")
    if not Path(found).exists():
        pytest.fail("jupyter-repo2docker is not installed: pip install -e '.[test]' (it is in the test extra)", pytrace=False)
    return found


def recipe(folder: Path) -> str:
    """The Dockerfile repo2docker generates for ``folder``, without building it (or asking an engine)."""
    environment = dict(os.environ, DOCKER_HOST="unix:///nonexistent.sock")
    finished = subprocess.run([repo2docker(), "--no-build", "--debug", str(folder)], capture_output=True, text=True, timeout=300, env=environment)
    assert finished.returncode == 0, f"repo2docker --no-build failed ({finished.returncode}):\n{finished.stderr[-2000:]}"
    assert "FROM " in finished.stdout, f"repo2docker printed no recipe:\n{finished.stdout[-2000:]}\n{finished.stderr[-2000:]}"
    return finished.stdout


def binder_problems(text: str) -> list[str]:
    """What is wrong with a generated recipe for this course (empty when it uses binder/ as meant)."""
    problems = []
    if "src/binder/environment.yml" not in text:
        problems.append("the conda environment does not come from binder/environment.yml")
    if 'file "environment.yml"' in text or "src/environment.yml" in text:
        problems.append("the root environment.yml is used: repo2docker did not see binder/")
    if "./binder/postBuild" not in text:
        problems.append("binder/postBuild is not run, so the course (pyproject.toml) is not installed")
    if not re.search(r"^ENV R2D_ENTRYPOINT=\S*/binder/start\"?$", text, re.MULTILINE):
        problems.append("binder/start does not run before the server, so a terminal starts at the repository root, not in notebooks/")
    if not re.search(r"apt-get install[^\n]*\bskopeo\b", text):  # one line, no nested repeats: linear time
        problems.append("skopeo is not installed from binder/apt.txt, so dl.fetch_image cannot copy images")
    return problems


def test_the_repository_recipe_uses_binder_and_installs_the_course():
    text = recipe(ROOT)
    assert binder_problems(text) == []
    postbuild = (ROOT / "binder" / "postBuild").read_text()
    assert "pip install" in postbuild and " -e ." in postbuild, "postBuild must install the course from pyproject.toml"


def test_the_check_fails_when_binder_is_ignored(tmp_path):
    """The same files without binder/: repo2docker falls back to the root environment.yml, and the check says so."""
    with_binder = tmp_path / "with"
    without = tmp_path / "without"
    for folder in (with_binder, without):
        folder.mkdir()
        for name in ("environment.yml", "pyproject.toml"):
            shutil.copy(ROOT / name, folder / name)
    shutil.copytree(ROOT / "binder", with_binder / "binder")
    assert binder_problems(recipe(with_binder)) == []
    problems = binder_problems(recipe(without))
    assert "the root environment.yml is used: repo2docker did not see binder/" in problems
    assert any("postBuild" in problem for problem in problems)
    assert any("binder/start" in problem for problem in problems)
