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


def test_save_to_a_file_in_proc_names_the_kernels_file_system_not_a_missing_file(no_preparing, capsys):
    assert cli.main(["prepare", "--save", "/proc/version"]) == 1
    said = capsys.readouterr().err
    assert "the folder /proc is not writable: it is on the kernel's proc file system" in said
    assert "No such file or directory" not in said and "Name a file in a folder you can write to" in said


def test_kernel_filesystem_is_read_from_the_mount_table(tmp_path):
    from dockerlab.paths import kernel_filesystem

    mounts = tmp_path / "mounts"
    mounts.write_text("overlay / overlay rw 0 0\nproc /proc proc rw 0 0\nsysfs /sys sysfs ro 0 0\ntmpfs /sys/fs/x tmpfs rw 0 0\n")
    assert kernel_filesystem("/proc/self", str(mounts)) == "proc" and kernel_filesystem("/sys/kernel", str(mounts)) == "sysfs"
    assert kernel_filesystem("/sys/fs/x", str(mounts)) is None and kernel_filesystem(tmp_path, str(mounts)) is None
    assert kernel_filesystem("/proc", str(tmp_path / "none")) is None


FAKE_SAVE = "#!/bin/sh\n[ \"$1\" = save ] || exit 2\nprintf 'image bytes'\nexit {code}\n"


@pytest.mark.parametrize("code", [0, 1])
def test_save_never_touches_a_file_of_yours_named_like_its_partial_file(tmp_path, monkeypatch, code):
    fake = tmp_path / "bin" / "docker"
    fake.parent.mkdir()
    fake.write_text(FAKE_SAVE.format(code=code))
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:/usr/bin:/bin")
    monkeypatch.setattr(resolve, "image_state", lambda tag: ("stand-in", {}))
    monkeypatch.setattr(resolve.engine, "client", lambda: None)
    monkeypatch.setattr(resolve.engine, "connection_target", lambda: type("Target", (), {"base_url": "unix:///nowhere.sock"})())
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "b.tgz.partial").write_text("my own notes")
    if code == 0:
        resolve.save_bundle(folder / "b.tgz", ["alpine:3.20"], progress=False)
        import gzip

        assert gzip.decompress((folder / "b.tgz").read_bytes()) == b"image bytes"
    else:
        with pytest.raises(resolve.DockerlabError, match="docker save exited with 1"):
            resolve.save_bundle(folder / "b.tgz", ["alpine:3.20"], progress=False)
    assert (folder / "b.tgz.partial").read_text() == "my own notes"
    assert sorted(path.name for path in folder.iterdir()) == (["b.tgz", "b.tgz.partial"] if code == 0 else ["b.tgz.partial"])
