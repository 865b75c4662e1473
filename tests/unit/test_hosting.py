"""Binder-aware wording: recorded mode says where it runs, and advice is one a learner can follow there."""
import pytest

from dockerlab import hosting

BINDER = ("BINDER_LAUNCH_HOST", "BINDER_REPO_URL", "BINDER_REF_URL", "BINDER_REQUEST", "BINDER_PERSISTENT_REQUEST", "BINDER_SERVICE_HOST")


@pytest.fixture
def local(monkeypatch):
    for name in BINDER + ("REPO_DIR",):
        monkeypatch.delenv(name, raising=False)


def test_a_local_machine_is_told_to_start_an_engine(local):
    assert hosting.place() == "local" and not hosting.on_binder()
    assert "start a Docker engine" in hosting.recorded_mode_advice()
    message, fix = hosting.missing_recording_text("build", '"data/apps/greeter"')
    assert "no one has measured" in message and "maintainer" not in message + fix and "start a Docker engine" in fix
    message, fix = hosting.stale_recording_text("exercises.json", "format 0", "format 1")
    assert "Nothing you did caused this" in message and "git pull" in fix and "start a Docker engine" in fix


@pytest.mark.parametrize("variable", ["BINDER_REPO_URL", "BINDER_LAUNCH_HOST", "BINDER_SERVICE_HOST"])
def test_binder_is_recognised_and_never_told_to_start_an_engine(local, monkeypatch, variable):
    monkeypatch.setenv(variable, "x")
    assert hosting.place() == "binder"
    advice = hosting.recorded_mode_advice()
    assert "This is Binder, which has no Docker engine" in advice and "start a Docker engine" not in advice
    message, fix = hosting.missing_recording_text("check.dockerfile_prints", "...")
    assert "Binder has no Docker engine" in fix and "restart the kernel" not in fix and "maintainer" not in message + fix
    message, fix = hosting.stale_recording_text("exercises.json", "format 0", "format 1")
    assert "another version of the course" in message and "Binder has no Docker engine" in fix and "launch Binder again" in fix
    assert "restart the kernel" not in fix and "git pull" not in fix


def test_a_repo2docker_image_off_binder(local, monkeypatch):
    monkeypatch.setenv("REPO_DIR", "/home/jovyan")
    assert hosting.place() == "repo2docker" and "repo2docker" in hosting.recorded_mode_advice()
