"""The repository's conftest fails a notebook run that leaves a course container, network or volume behind."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import nbformat

import dockerlab as dl

ROOT = Path(__file__).resolve().parents[2]


def _notebook(path: Path, *sources: str) -> None:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)


def _run(folder: Path) -> subprocess.CompletedProcess:
    shutil.copy(ROOT / "conftest.py", folder / "conftest.py")
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax", str(folder)],
                          cwd=folder, env=environment, capture_output=True, text=True, timeout=300)


def test_a_volume_left_behind_fails_the_notebook_and_a_removed_one_does_not(tmp_path):
    name = f"dockerlab-test-left-{uuid.uuid4().hex[:8]}"
    create = f"import docker\nclient = docker.from_env()\nvolume = client.volumes.create(name={name!r}, labels={{'org.dockerlab.course': '1'}})"
    try:
        _notebook(tmp_path / "leaves.ipynb", create, "1 + 1")
        left = _run(tmp_path)
        assert left.returncode == 1 and f"left behind: volume {name}" in left.stdout, left.stdout[-2000:]
        dl.engine.client().volumes.get(name).remove()
        (tmp_path / "leaves.ipynb").unlink()
        _notebook(tmp_path / "tidy.ipynb", create, "volume.remove()")
        tidy = _run(tmp_path)
        assert tidy.returncode == 0, tidy.stdout[-2000:]
    finally:
        try:
            dl.engine.client().volumes.get(name).remove()
        except Exception:  # noqa: BLE001 - already removed, as it should be
            pass
