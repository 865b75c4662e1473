"""Where a course terminal starts (dockerlab.terminals): notebooks/, the folder the course's terminal commands
are written from (paths.TERMINAL_FOLDER), when JupyterLab asks for no folder or for the course root; another
folder it asks for is kept. And the two ways the server is told to use it: binder/start (Binder) and `make lab`."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from traitlets import Type

from dockerlab.paths import COURSE_ROOT, NOTEBOOKS, TERMINAL_FOLDER
from dockerlab.terminals import CourseTerminalManager, start_folder

CONFIG_FOLDER = COURSE_ROOT / "binder" / "jupyter"


def test_no_folder_asked_for_starts_in_notebooks():
    assert start_folder(None) == str(NOTEBOOKS)
    assert start_folder("") == str(NOTEBOOKS)


def test_the_course_root_asked_for_starts_in_notebooks(tmp_path):
    assert start_folder(str(COURSE_ROOT)) == str(NOTEBOOKS)
    assert start_folder(str(COURSE_ROOT) + "/") == str(NOTEBOOKS)
    (tmp_path / "course").symlink_to(COURSE_ROOT)  # the same folder by another name
    assert start_folder(str(tmp_path / "course")) == str(NOTEBOOKS)


def test_another_folder_asked_for_is_kept():
    data = str(COURSE_ROOT / "data")
    assert start_folder(data) == data
    assert start_folder("/tmp") == "/tmp"


def test_a_root_without_notebooks_changes_nothing(tmp_path):
    assert start_folder(None, tmp_path) is None
    assert start_folder(str(tmp_path), tmp_path) == str(tmp_path)
    (tmp_path / TERMINAL_FOLDER).mkdir()
    assert start_folder(str(tmp_path), tmp_path) == str(tmp_path / TERMINAL_FOLDER)


def test_the_manager_starts_the_shell_where_the_rule_says(tmp_path):
    manager = CourseTerminalManager(shell_command=["/bin/sh", "-c", "pwd -P > \"$0\"", str(tmp_path / "pwd")])
    for asked, expected in [({}, NOTEBOOKS), ({"cwd": str(COURSE_ROOT)}, NOTEBOOKS), ({"cwd": str(tmp_path)}, tmp_path)]:
        (tmp_path / "pwd").unlink(missing_ok=True)
        terminal = manager.new_terminal(**asked)
        terminal.ptyproc.wait()
        assert (tmp_path / "pwd").read_text().strip() == str(expected.resolve()), asked


def test_the_server_config_names_the_manager():
    config = json.loads((CONFIG_FOLDER / "jupyter_server_config.json").read_text())
    named = config["TerminalsExtensionApp"]["terminal_manager_class"]
    assert Type(klass=object)._resolve_string(named) is CourseTerminalManager


def test_binder_start_puts_the_config_on_the_path_and_runs_the_server_command():
    environment = {key: value for key, value in os.environ.items() if key != "JUPYTER_CONFIG_PATH"}
    done = subprocess.run(["bash", str(COURSE_ROOT / "binder" / "start"), "sh", "-c", 'echo "$JUPYTER_CONFIG_PATH"'],
                          capture_output=True, text=True, timeout=30, env=environment)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(CONFIG_FOLDER)
    kept = subprocess.run(["bash", str(COURSE_ROOT / "binder" / "start"), "sh", "-c", 'echo "$JUPYTER_CONFIG_PATH"'],
                          capture_output=True, text=True, timeout=30, env={**environment, "JUPYTER_CONFIG_PATH": "/elsewhere"})
    assert kept.stdout.strip() == f"{CONFIG_FOLDER}:/elsewhere"  # a path already set is kept, after the course's
    assert os.access(COURSE_ROOT / "binder" / "start", os.X_OK)


def test_make_lab_serves_with_the_config_on_the_path():
    if not shutil.which("make"):
        pytest.fail("make is not installed")
    done = subprocess.run(["make", "-n", "--no-print-directory", "lab"], cwd=COURSE_ROOT, capture_output=True, text=True, timeout=60)
    line = next(line for line in done.stdout.splitlines() if "jupyter lab" in line)
    assert line.startswith(f'JUPYTER_CONFIG_PATH="{CONFIG_FOLDER}'), line
    assert Path(line.split('"')[1].split("$")[0]) == CONFIG_FOLDER


def test_the_cd_line_takes_a_shell_opened_anywhere_to_notebooks():
    from dockerlab.paths import terminal_cd

    done = subprocess.run(["sh", "-c", f"{terminal_cd()} && pwd -P && test -f ../data/apps/greeter/solution.Dockerfile"],
                          cwd="/", capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(NOTEBOOKS.resolve())


def test_the_cd_line_quotes_a_path_with_spaces(monkeypatch, tmp_path):
    from dockerlab import paths

    folder = tmp_path / "my course" / TERMINAL_FOLDER
    folder.mkdir(parents=True)
    monkeypatch.setattr(paths, "NOTEBOOKS", folder)
    done = subprocess.run(["sh", "-c", f"{paths.terminal_cd()} && pwd -P"], cwd="/", capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and done.stdout.strip() == str(folder.resolve()), done.stderr


def test_the_hints_rule_names_the_cd_line():
    from dockerlab.paths import TERMINAL_RULE, terminal_cd

    assert terminal_cd() in TERMINAL_RULE and "pwd" in TERMINAL_RULE
