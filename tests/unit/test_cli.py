"""The `dockerlab` command as a user and a room script call it: version, python -m, doctor --json, exit codes."""
import json
import os
import subprocess
import sys


def run(*arguments, **environment):
    return subprocess.run(
        [sys.executable, "-m", "dockerlab", *arguments], capture_output=True, text=True, timeout=60,
        env={**os.environ, "DOCKER_HOST": "unix:///nonexistent.sock", **environment},
    )


def test_version():
    done = run("--version")
    assert done.returncode == 0 and done.stdout.startswith("dockerlab 0.")


def test_help_documents_the_exit_codes():
    done = run("--help")
    assert done.returncode == 0
    for code in ("0 ", "1 ", "2 ", "130"):
        assert f"  {code}" in done.stdout


def test_doctor_json_has_the_same_rows_and_the_exit_code():
    done = run("doctor", "--json")
    report = json.loads(done.stdout)
    assert done.returncode == 1 and report["ok"] is False
    engine = report["checks"][0]
    assert engine["check"] == "engine" and engine["status"] == "fail" and "nonexistent.sock" in engine["detail"]
    assert {"check", "status", "detail", "fix"} == set(engine)
    assert report["summary"].startswith(f"{sum(c['status'] == 'ok' for c in report['checks'])} ok")


def test_unknown_command_is_a_usage_error():
    assert run("nonsense").returncode == 2


def test_engine_commands_never_replay_recordings_and_say_how_to_start_an_engine(monkeypatch, capsys):
    from dockerlab import cli

    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
    assert cli.main(["prepare", "--quiet"]) == 1
    said = capsys.readouterr().err
    assert "No Docker engine answered" in said and "recorded" not in said.lower()


def test_piped_output_has_no_colour_codes_or_redrawn_lines_with_or_without_no_color():
    """A room script reads the doctor through a pipe: plain text, one line per row, whatever NO_COLOR says."""
    for environment in ({}, {"NO_COLOR": "1"}, {"TERM": "xterm-256color", "FORCE_COLOR": "1"}):
        done = run("doctor", **environment)
        assert done.returncode == 1 and "engine" in done.stdout
        for stream in (done.stdout, done.stderr):
            assert "\x1b" not in stream and "\r" not in stream, environment
