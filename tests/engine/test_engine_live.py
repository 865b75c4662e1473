import shutil

import dockerlab as dl
from dockerlab.readiness import DISK_MINIMUM_BYTES, DISK_NEEDED_BYTES


def _apart_from_disk(report) -> list:
    """The report's checks that failed, leaving out disk, which says how full this machine is (CI's
    may have a few GB free): the disk row is checked against the free space measured here instead."""
    rows = {check.name: check for check in report.checks}
    free = shutil.disk_usage(dl.engine.info().data_root).free
    expected = "fail" if free < DISK_MINIMUM_BYTES else "warn" if free < DISK_NEEDED_BYTES else "ok"
    assert rows["disk"].status == expected, (rows["disk"], free)
    return [check for check in report.checks if check.name != "disk" and check.status == "fail"]


def test_engine_info_describes_the_engine():
    info = dl.engine.info()
    assert info.version and info.api_version and info.storage_driver
    assert info.os == "linux" and info.cpus >= 1 and info.memory_bytes > 0


def test_doctor_passes_on_a_prepared_machine():
    report = dl.doctor()
    rows = {check.name: check for check in report.checks}
    assert not _apart_from_disk(report), report.text()
    assert rows["engine"].status == "ok"
    assert rows["compose"].status == "ok", rows["compose"]
    assert all(rows[f"base {name}"].status == "ok" for name in dl.bases.CATALOGUE)
    assert rows["mode"].detail.startswith("live")


def test_prepare_is_idempotent():
    table = dl.prepare(progress=False)
    assert set(table["image"]) == set(dl.bases.CATALOGUE)
    assert (table["source"] == "present").all(), table.to_string()


def test_room_doctor_passes_on_a_prepared_machine_within_ten_seconds():
    report = dl.doctor(room=True)
    assert not _apart_from_disk(report), report.text()
    names = {check.name for check in report.checks}
    assert {"run a container", "published port", "line endings", "base python:3.11"} <= names
    assert report.summary().startswith("ROOM CHECK PASSED" if report.ok else "ROOM CHECK FAILED: 1 of")
    assert report.seconds < 10
