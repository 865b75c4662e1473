"""`dockerlab prepare --save/--load` with a wrong path says what is wrong, before any image is made
(preparing the images can take minutes). No engine: what would need one fails the test if reached."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from dockerlab import cli
from dockerlab.bases import resolve


@pytest.fixture
def no_preparing(monkeypatch):
    def reached(*args, **kwargs):
        raise AssertionError("prepared images before checking the bundle's path")

    for name in ("ensure", "registry_status", "load_bundle"):
        monkeypatch.setattr(resolve, name, reached)


def read_only_folder(tmp_path: Path) -> Path:
    if os.geteuid() == 0:
        return Path("/sys")  # root writes through file modes; sysfs takes no new file even from root
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o555)
    return folder


def test_save_to_a_missing_folder_says_so_before_preparing(tmp_path, no_preparing, capsys):
    target = tmp_path / "nowhere" / "room.tar.gz"
    assert cli.main(["prepare", "--save", str(target)]) == 1
    said = capsys.readouterr().err
    assert f"the folder {target.parent} does not exist" in said and "Create the folder first" in said
    assert "disk space" not in said


def test_save_to_a_read_only_folder_says_so_before_preparing(tmp_path, no_preparing, capsys):
    folder = read_only_folder(tmp_path)
    assert cli.main(["prepare", "--save", str(folder / "room.tar.gz")]) == 1
    said = capsys.readouterr().err
    assert f"the folder {folder} is not writable" in said and "folder you can write to" in said
    assert not list(folder.glob(".dockerlab-probe-*")) and not (folder / "room.tar.gz").exists()


def test_save_to_a_folder_itself_says_to_name_a_file(tmp_path, no_preparing, capsys):
    assert cli.main(["prepare", "--save", str(tmp_path)]) == 1
    assert "is a folder; a bundle is one file" in capsys.readouterr().err


def test_load_of_a_folder_says_it_is_a_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(resolve, "ensure", lambda *a, **k: pytest.fail("prepared images after a bad --load"))
    assert cli.main(["prepare", "--no-pull", "--load", str(tmp_path)]) == 1
    said = capsys.readouterr().err
    assert f"{tmp_path} is a folder; a bundle is one file" in said and "does not exist" not in said


def test_save_to_a_device_or_other_special_file_is_refused_and_it_stays(no_preparing, capsys):
    # issue 16 item 2: --save /dev/full replaced the device node with a 29 MB regular file
    assert cli.main(["prepare", "--save", "/dev/full"]) == 1
    said = capsys.readouterr().err
    assert "/dev/full is not a regular file" in said and "Name a new file" in said
    assert Path("/dev/full").is_char_device()


def test_save_below_a_file_says_it_is_a_file_not_a_missing_folder(tmp_path, no_preparing, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert cli.main(["prepare", "--save", str(tmp_path / "notes.txt" / "room.tar.gz")]) == 1
    said = capsys.readouterr().err
    assert f"{tmp_path / 'notes.txt'} is a file, not a folder" in said and "does not exist" not in said


def test_load_of_a_device_says_it_is_not_a_bundle_file(monkeypatch, capsys):
    monkeypatch.setattr(resolve, "ensure", lambda *a, **k: pytest.fail("prepared images after a bad --load"))
    assert cli.main(["prepare", "--no-pull", "--load", "/dev/null"]) == 1
    said = capsys.readouterr().err
    assert "/dev/null is not a regular file" in said and "does not exist" not in said
