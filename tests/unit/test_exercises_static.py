"""Every exercise with no engine: the starting text fails with a hint that names what to change, the
reference solution passes, and a correct variant no one recorded gets "static checks passed" and the
note on what the live tier would measure. Recorded mode runs here on an empty data/recorded/, so
nothing is replayed (and nothing is built)."""
from pathlib import Path

import pytest

import dockerlab as dl
from dockerlab import recording
from dockerlab.check import CheckResult
from dockerlab.errors import DockerUnavailable
from dockerlab.exercises import static
from dockerlab.exercises.catalogue import EXERCISES
from dockerlab.exercises.tiers import two_tier
from dockerlab.recording import recordable

# A correct answer each, written differently from the reference solution (so never recorded).
VARIANTS = {
    "00": lambda start: '["sh", "-c", "cat /etc/os-release"]\n',
    "01": lambda start: start.replace("np.float_", "float"),
    "02": lambda start: "# syntax=docker/dockerfile:1\nFROM python:3.11-slim\nCOPY greet.py /opt/greet.py\nCMD python /opt/greet.py\n",
    "02a": lambda start: start.replace("CMD python service.py", 'ENTRYPOINT ["python", "/app/app.py"]'),
    "03": lambda start: (
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt ./\n"
        "RUN --mount=type=cache,target=/root/.cache/pip \\\n    pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"),
    "04": lambda start: (
        "FROM golang:1.21 AS build\nWORKDIR /src\nCOPY main.go .\nENV CGO_ENABLED=0\nRUN go build -o /out/server main.go\n"
        "FROM gcr.io/distroless/static-debian12\nCOPY --from=build /out/server /server\nUSER 65532\nENTRYPOINT [\"/server\"]\n"),
    "05": lambda start: start.replace(
        '      CONNECT_RETRIES: "10"\n',
        '      CONNECT_RETRIES: "10"\n    healthcheck:\n'
        "      test: python -c \"import urllib.request as u; u.urlopen('http://localhost:8000/health')\"\n      interval: 5s\n", 1),
    "06": lambda start: (
        "FROM python:3.11-slim@sha256:" + "a" * 64 + "\nRUN adduser --disabled-password --uid 10001 reporter\nWORKDIR /app\n"
        "COPY --chown=reporter app.py ./\nUSER reporter\nCMD [\"python\", \"app.py\"]\n"),
}

# What the hint for the starting text must name: the line and the change.
START_HINTS = {
    "00": ["`echo 'replace this command'`", "reads nothing from the image", "reads /etc/os-release", '["grep", "VERSION_ID", "/etc/os-release"]'],
    "01": ["report.py line 6", "np.float_", "np.float64"],
    "02": ["COPY greet.py", 'CMD ["python", "greet.py"]'],
    "02a": ["line 5", "service.py", "the folder has app.py", 'CMD ["python", "app.py"]', "shell form", "JSON (exec) form"],
    "03": ["line 4", "COPY requirements.txt app.py ./", "before the install on line 5", "COPY requirements.txt ."],
    "04": ["line 2", "one stage", "FROM scratch", "COPY --from=builder"],
    "05": ["api service (line 4)", "no healthcheck", "/health"],
    "06": ["line 6", "DL3006", "line 9", "JSON form", "no USER line", "line 8 `COPY . .`", ".env"],
}


def use_recordings(directory, monkeypatch):
    """A new recording session on the recordings in ``directory`` (reads DOCKERLAB_MODE/_RECORD_TO again)."""
    recording.reset(directory=directory)


def fake_provenance(monkeypatch):
    from dockerlab import recorder

    def provenance(command=""):
        return {"recorded_at": "2026-11-28T10:00:00+00:00", "commit": "abc", "engine_version": "20.10.24", "os_arch": "linux/amd64", "stand_in_bases": [],
                "command": command, "format": 1}

    monkeypatch.setattr(recorder, "provenance", provenance)


@pytest.fixture
def nothing_recorded(tmp_path, monkeypatch):
    """Recorded mode, as on Binder, with an empty data/recorded/: every live tier is missing."""
    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
    for name in ("BINDER_LAUNCH_HOST", "BINDER_REPO_URL", "BINDER_REF_URL", "BINDER_REQUEST", "BINDER_PERSISTENT_REQUEST", "BINDER_SERVICE_HOST"):
        monkeypatch.delenv(name, raising=False)
    use_recordings(tmp_path, monkeypatch)


@pytest.mark.parametrize("number", sorted(EXERCISES))
def test_the_starting_text_fails_with_a_hint_that_names_the_change(number, nothing_recorded):
    exercise = EXERCISES[number]
    verdict = exercise.check(exercise.starting())
    assert isinstance(verdict, CheckResult) and not verdict.passed
    said = " ".join(verdict.messages)
    for hint in START_HINTS[number]:
        assert hint in said, f"{number}: the hint lacks {hint!r}: {said}"
    assert all("Next:" in message for message in verdict.messages), verdict.messages
    assert "maintainer" not in str(verdict).lower()


@pytest.mark.parametrize("number", sorted(EXERCISES))
def test_the_reference_solution_passes_the_static_tier(number, nothing_recorded):
    exercise = EXERCISES[number]
    verdict = exercise.check(exercise.solution_text())
    assert verdict.passed, str(verdict)
    assert verdict.messages and all(message.startswith("from the text:") for message in verdict.messages if "Next:" not in message)


@pytest.mark.parametrize("number", sorted(EXERCISES))
def test_a_correct_variant_never_recorded_gets_static_checks_passed_and_the_live_note(number, nothing_recorded):
    exercise = EXERCISES[number]
    variant = VARIANTS[number](exercise.starting())
    assert variant not in (exercise.starting(), exercise.solution_text())
    verdict = exercise.check(variant)
    assert verdict.passed and verdict.live == "needs an engine" and not verdict.complete, str(verdict)
    assert "STATIC CHECKS PASSED" in str(verdict) and "static checks passed" in verdict._repr_html_()
    assert verdict.note.startswith("Static checks passed; the build-and-measure check needs a Docker engine")
    assert "it would " in verdict.note and "maintainer" not in verdict.note


def test_on_binder_the_note_says_binder_has_no_engine(nothing_recorded, monkeypatch):
    monkeypatch.setenv("BINDER_REPO_URL", "https://example.org/course")
    exercise = EXERCISES["03"]
    verdict = exercise.check(exercise.solution_text())
    assert "Binder has no Docker engine" in verdict.note


@pytest.mark.parametrize("text, hint", [
    ("FRM python:3.11-slim\n", "Did you mean FROM?"),
    ("FROM python:3.11-slim\nCOPY greeter.py .\nCMD [\"python\", \"greeter.py\"]\n", "there is no greeter.py in the build context"),
    ("", "is empty"),
    ("# only a comment\n", "is empty"),
    ("RUN echo hi\nFROM python:3.11-slim\n", "comes before any FROM"),
])
def test_text_that_cannot_build_is_not_built_and_says_why(text, hint, nothing_recorded):
    verdict = EXERCISES["02"].check(text)
    assert not verdict.passed and verdict.live == "not run"
    assert hint in " ".join(verdict.messages)


def test_a_stage_name_typo_and_a_cgo_binary_in_alpine_are_named(nothing_recorded):
    text = ("FROM golang:1.21 AS builder\nWORKDIR /app\nCOPY . .\nRUN go build -o myapp main.go\n"
            "FROM alpine:3.20\nCOPY --from=bulder /app/myapp .\nCMD [\"./myapp\"]\n")
    said = " ".join(EXERCISES["04"].check(text).messages)
    assert "there is no stage bulder (the stages above it: builder)" in said and "write `--from=builder`" in said
    assert "line 4" in said and "CGO_ENABLED=0" in said


def test_hardening_names_an_uncreated_user_and_a_secret_argument(nothing_recorded):
    text = "FROM python:3.11-slim\nARG API_TOKEN\nWORKDIR /app\nCOPY app.py .\nUSER appuser\nCMD [\"python\", \"app.py\"]\n"
    verdict = EXERCISES["06"].check(text)
    said = " ".join(verdict.messages)
    assert not verdict.passed and "no RUN creates the user appuser" in said and "line 2 `ARG API_TOKEN`" in said
    assert "Fix the points above first" in verdict.note


def test_compose_text_that_compose_cannot_read_names_the_line(nothing_recorded):
    verdict = EXERCISES["05"].check("services:\n  api: [\n")
    assert not verdict.passed and verdict.live == "not run" and "line 3" in verdict.messages[0]


def test_a_curl_healthcheck_in_a_python_slim_image_is_named(nothing_recorded):
    start = EXERCISES["05"].starting()
    text = start.replace('      CONNECT_RETRIES: "10"\n',
                         '      CONNECT_RETRIES: "10"\n    healthcheck:\n      test: curl -f http://localhost:8000/health\n', 1)
    said = " ".join(EXERCISES["05"].check(text).messages)
    assert "runs curl" in said and "python" in said


def test_a_syntax_error_in_the_program_names_its_line(nothing_recorded):
    verdict = EXERCISES["01"].check("import numpy as np\nprint(np.float64(1)\n")
    assert not verdict.passed and verdict.live == "not run" and "report.py line" in verdict.messages[0]


def test_bad_arguments_are_a_clear_error(nothing_recorded):
    with pytest.raises(dl.DockerlabError, match="must be the file's text"):
        dl.check.compose_service_healthy(dl.paths.app("compose-api"), 42)
    with pytest.raises(dl.DockerlabError, match="no exercise '09'"):
        dl.check.solution("09")


# --- the live tier: replayed when that exact text was recorded, measured when an engine answers ---


@two_tier(static.dockerfile_prints, static.MEASURES["dockerfile_prints"])
@recordable("demo.check")
def fake_checker(app_dir, expected_line, dockerfile="Dockerfile", *, buildargs=None, exercise="demo"):
    fake_checker.calls += 1
    return CheckResult(exercise, True, ["the container printed 'Hello, Docker learner!' and exited 0"], live="measured")


fake_checker.calls = 0


def test_recorded_text_replays_the_live_tier_and_other_text_gets_the_note(tmp_path, monkeypatch):
    fake_provenance(monkeypatch)
    greeter = dl.paths.app("greeter")
    solution = (greeter / "solution.Dockerfile").read_text()
    monkeypatch.setenv("DOCKERLAB_RECORD_TO", str(tmp_path / "demo.json"))
    use_recordings(tmp_path, monkeypatch)
    recorded = fake_checker(greeter, "Hello, Docker learner!", dockerfile=solution)
    assert recorded.passed and recorded.live == "measured" and fake_checker.calls == 1
    monkeypatch.delenv("DOCKERLAB_RECORD_TO")
    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
    use_recordings(tmp_path, monkeypatch)
    replayed = fake_checker(greeter, "Hello, Docker learner!", dockerfile=solution)
    assert replayed.passed and replayed.live == "replayed" and replayed.complete and fake_checker.calls == 1
    assert any(message.startswith("measured on a real engine (recorded):") for message in replayed.messages)
    other = fake_checker(greeter, "Hello, Docker learner!", dockerfile=solution.replace("WORKDIR /app", "WORKDIR /srv"))
    assert other.passed and other.live == "needs an engine" and fake_checker.calls == 1


def test_no_engine_in_live_mode_gives_the_note_not_an_exception(monkeypatch):
    @two_tier(static.dockerfile_prints, static.MEASURES["dockerfile_prints"])
    def unreachable(app_dir, expected_line, dockerfile="Dockerfile", *, buildargs=None, exercise="demo"):
        raise DockerUnavailable([("unix:///nonexistent.sock", "no such file")], fix="Start Docker.")

    greeter = dl.paths.app("greeter")
    verdict = unreachable(greeter, "Hello, Docker learner!", dockerfile=(greeter / "solution.Dockerfile").read_text())
    assert verdict.passed and verdict.live == "needs an engine" and "No Docker engine answered" in verdict.note
    # whole sentences: where it asked, what it found, and the next step (not cut at "Tried:")
    assert "Tried:" not in verdict.note and "at unix:///nonexistent.sock: no such file." in verdict.note
    assert "Next: Start Docker." in verdict.note and ".." not in verdict.note


def test_a_last_line_that_ends_a_sentence_gets_no_second_full_stop():
    output = "AttributeError: `np.float_` was removed in the NumPy 2.0 release. Use `np.float64` instead.\n"
    failed = dl.check.judge_output("x", 1, output, "order total: 28.50")
    assert "Use `np.float64` instead. Next:" in failed.messages[0] and ".." not in failed.messages[0]
    other = dl.check.judge_output("x", 0, "Hello.\n", "Hi")
    assert "was: Hello. Next:" in other.messages[0]
    bare = dl.check.judge_output("x", 0, "Hello\n", "Hi")
    assert "was: Hello. Next:" in bare.messages[0]


def test_a_failed_run_is_one_paragraph_with_the_full_log_folded():
    output = "Traceback (most recent call last):\n  File \"/app/report.py\", line 6\nAttributeError: `np.float_` was removed\n"
    verdict = dl.check.judge_output("x", 1, output, "order total: 28.50")
    assert len(verdict.messages) == 1 and verdict.messages[0].count("np.float_") == 1
    assert "exited with code 1" in verdict.messages[0] and "Next:" in verdict.messages[0]
    assert verdict.log == output and "<details>" in verdict._repr_html_() and output.splitlines()[1].strip() in str(verdict)


def test_a_result_recorded_before_the_tiers_still_renders():
    old = object.__new__(CheckResult)
    for name, value in {"exercise": "x", "passed": False, "messages": ["m"]}.items():
        object.__setattr__(old, name, value)
    assert old.log == "" and old.live == "" and old.complete and "NOT YET" in str(old) and "✘" in old._repr_html_()


# --- worked solutions ---------------------------------------------------------------------------


@pytest.mark.parametrize("number", sorted(EXERCISES))
def test_every_exercise_has_a_worked_solution_with_a_reason_per_change(number):
    shown = dl.check.solution(number)
    assert shown.text.strip() and shown.text != EXERCISES[number].starting()
    assert EXERCISES[number].changes and all(why.endswith(".") for _, why in EXERCISES[number].changes)
    page = shown._repr_html_()
    assert page.startswith("<details>") and "Reveal the worked solution" in page
    assert "+" in shown.diff() and "What changed, and why" in str(shown)


def test_solution_accepts_a_number():
    assert dl.check.solution(3).exercise.number == "03"


def test_the_compose_exercise_reads_in_a_fresh_clone_without_a_settings_file(tmp_path, monkeypatch):
    import shutil

    from dockerlab import paths
    from dockerlab.exercises.static import render_compose

    app = tmp_path / "compose-api"
    shutil.copytree(paths.app("compose-api"), app, ignore=shutil.ignore_patterns(".env"))
    assert not (app / ".env").exists() and (app / ".env.example").exists()
    rendered, error = render_compose(app, (app / "compose.yaml").read_text())
    assert error == "" and "api" in rendered["services"]
    assert not (app / ".env").exists()  # the learner's folder is left as it was


@pytest.mark.parametrize("user", ["nobody", "www-data"])
def test_a_user_the_debian_base_already_has_needs_no_useradd(user):
    import re

    from dockerlab.exercises.catalogue import EXERCISES

    solution = EXERCISES["06"].solution_text()
    variant = re.sub(r"^USER \S+", f"USER {user}", solution, flags=re.M)
    assert variant != solution
    verdict = EXERCISES["06"].check(variant)
    assert verdict.passed and not any("no RUN creates" in message for message in verdict.messages)


def test_an_alias_numpy_removed_earlier_and_an_empty_program_are_caught():
    from dockerlab.exercises.catalogue import EXERCISES

    exercise = EXERCISES["01"]
    older = exercise.check(exercise.solution_text().replace("np.float64", "np.float"))
    assert not older.passed and "np.float` was removed" in older.messages[0] and "np.float64" in older.messages[0]
    empty = exercise.check("")
    assert not empty.passed and "empty" in empty.messages[0]


@pytest.mark.parametrize("number, right, wrong, said", [
    ("02", 'CMD ["python", "greet.py"]', "CMD [python, greet.py]", "looks like JSON but is not"),
    ("04", 'CMD ["/myapp"]', "CMD /myapp", "no shell to run it"),
])
def test_a_command_that_would_not_start_is_named(number, right, wrong, said):
    from dockerlab.exercises.catalogue import EXERCISES

    solution = EXERCISES[number].solution_text()
    assert right in solution
    verdict = EXERCISES[number].check(solution.replace(right, wrong))
    assert not verdict.passed and said in verdict.messages[0]


# --- 01's checker runs each tier once (it used to call the two-tier dockerfile_prints inside) ---


@pytest.fixture
def live_mode(tmp_path, monkeypatch):
    """Live mode with nothing recorded or recording: the checker's live tier runs as it is."""
    monkeypatch.setenv("DOCKERLAB_MODE", "live")
    monkeypatch.delenv("DOCKERLAB_RECORD_TO", raising=False)
    use_recordings(tmp_path, monkeypatch)


def test_the_program_checker_builds_once_and_says_measured_once(live_mode, monkeypatch):
    from types import SimpleNamespace

    from dockerlab import check

    built = []
    monkeypatch.setattr(check, "build_replacing", lambda folder, dockerfile, **_: built.append((Path(folder).name, dockerfile)))
    monkeypatch.setattr(check, "run", lambda tag: SimpleNamespace(exit_code=0, output="order total: 28.50\n"))
    exercise = EXERCISES["01"]
    verdict = exercise.check(exercise.solution_text())
    assert verdict.passed and verdict.live == "measured", str(verdict)
    assert built == [("numpy-versions", "Dockerfile")]
    said = " | ".join(verdict.messages)
    assert said.count("measured:") == 1 and "measured: measured" not in said and "measured: from the text" not in said, said
    assert "measured: the container printed 'order total: 28.50' and exited 0" in said


def test_the_program_checker_with_no_engine_in_live_mode_measures_nothing(live_mode, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    exercise = EXERCISES["01"]
    verdict = exercise.check(exercise.solution_text())
    assert verdict.live == "needs an engine" and not verdict.complete, str(verdict)
    assert "PASSED" not in str(verdict).replace("STATIC CHECKS PASSED", "") and "measured" not in " ".join(verdict.messages)
    assert "No Docker engine answered at unix:///nonexistent.sock" in verdict.note


# --- arguments a checker cannot judge are a clear error before either tier runs ---------------------

GREETER_CALL = ("dockerfile_prints", lambda value: dict(app_dir=dl.paths.app("greeter"), expected_line="Hello, Docker learner!", dockerfile=value))
BAD_DOCKERFILES = [42, b"FROM python:3.11-slim\n", None, ["FROM python:3.11-slim"]]


@pytest.mark.parametrize("value", BAD_DOCKERFILES, ids=["int", "bytes", "None", "list"])
@pytest.mark.parametrize("checker, call", [
    GREETER_CALL,
    ("cache_survives_code_edit", lambda value: dict(app_dir=dl.paths.app("layer-cache"), dockerfile=value)),
    ("multi_stage_is_smaller", lambda value: dict(app_dir=dl.paths.app("go-hello"), dockerfile=value, reference_dockerfile="single.Dockerfile")),
    ("keeps_running_and_stops", lambda value: dict(app_dir=dl.paths.app("signals"), dockerfile=value)),
    ("image_is_hardened", lambda value: dict(app_dir=dl.paths.app("secret-leak"), dockerfile=value, expected_line="report service ready")),
])
def test_a_dockerfile_that_is_not_text_or_a_file_name_is_a_clear_error(checker, call, value, nothing_recorded):
    with pytest.raises(dl.DockerlabError) as raised:
        getattr(dl.check, checker)(**call(value))
    assert f"dl.check.{checker}: dockerfile must be the Dockerfile's text" in raised.value.message
    assert type(value).__name__ in raised.value.message and raised.value.fix


@pytest.mark.parametrize("keywords, said", [
    (dict(app_dir="/no/such/folder", expected_line="x", dockerfile="FROM a\n"), "app_dir must be the app's folder"),
    (dict(app_dir=dl.paths.app("greeter"), expected_line=42, dockerfile="FROM a\n"), "expected_line must be text"),
])
def test_other_arguments_of_the_wrong_kind_are_named(keywords, said, nothing_recorded):
    with pytest.raises(dl.DockerlabError, match=said):
        dl.check.dockerfile_prints(**keywords)


def test_a_program_file_that_is_not_text_and_a_wrong_call_are_clear_errors(nothing_recorded):
    app = dl.paths.app("numpy-versions")
    with pytest.raises(dl.DockerlabError, match="must be the file's text, not bytes"):
        dl.check.program_prints(app, "order total: 28.50", files={"report.py": b"print(1)\n"})
    with pytest.raises(dl.DockerlabError, match="files must be a dict"):
        dl.check.program_prints(app, "order total: 28.50", files=["report.py"])
    with pytest.raises(dl.DockerlabError, match=r"dl.check.program_prints\(app_dir"):
        dl.check.program_prints(app, "order total: 28.50", "report.py")


def test_a_dockerfile_given_as_a_path_is_read(nothing_recorded):
    greeter = dl.paths.app("greeter")
    verdict = dl.check.dockerfile_prints(greeter, "Hello, Docker learner!", dockerfile=greeter / "solution.Dockerfile")
    assert verdict.passed and verdict.live == "needs an engine", str(verdict)


def test_a_script_the_folder_lacks_is_named_with_what_the_folder_has_and_one_it_has_but_not_copied_asks_for_a_copy(nothing_recorded):
    start = EXERCISES["02a"].starting()
    said = " ".join(EXERCISES["02a"].check(start).messages)
    assert "no service.py in signals/ (the folder has app.py)" in said and "COPY service.py" not in said
    not_copied = start.replace("COPY app.py .", "COPY exec.Dockerfile .").replace("CMD python service.py", 'CMD ["python", "app.py"]')
    said = " ".join(EXERCISES["02a"].check(not_copied).messages)
    assert "no COPY puts app.py in the image" in said and "add `COPY app.py .` before line 5" in said


@pytest.fixture
def shipped_recordings(monkeypatch):
    """Recorded mode on the course's own data/recorded/ (read only: nothing records here)."""
    from dockerlab.recording import RECORDED_DIR

    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
    monkeypatch.delenv("DOCKERLAB_RECORD_TO", raising=False)
    use_recordings(RECORDED_DIR, monkeypatch)


@pytest.mark.parametrize("number, which", [(number, which) for number in sorted(EXERCISES) for which in ("starting", "solution_text")])
def test_the_shipped_recordings_replay_the_starting_text_and_the_solution(number, which, shipped_recordings):
    """A changed solution or starting file (or checker call) no longer matches its recording: record again."""
    exercise = EXERCISES[number]
    verdict = exercise.check(getattr(exercise, which)())
    assert verdict.live == "replayed", f"{number} {which}: not replayed from data/recorded/ (re-record it): {verdict}"
    assert verdict.passed == (which == "solution_text"), str(verdict)


# --- 02: where the COPY puts the program and where the command looks; a heredoc provides a file ---


@pytest.mark.parametrize("text, said", [
    ('FROM python:3.11-slim\nCOPY greet.py /app/\nCMD ["python", "greet.py"]\n',
     "line 3 `CMD [\"python\", \"greet.py\"]`: it runs greet.py, which python looks for at /greet.py (the working directory is /: no WORKDIR is set), "
     "but line 2 `COPY greet.py /app/` puts it at /app/greet.py"),
    ('FROM python:3.11-slim\nWORKDIR /srv\nCOPY greet.py /app/\nCMD ["python", "greet.py"]\n', "looks for at /srv/greet.py (the working directory is /srv)"),
    ('FROM python:3.11-slim\nWORKDIR /app\nCOPY greet.py .\nCMD ["python", "/greet.py"]\n',
     "it runs /greet.py, but line 3 `COPY greet.py .` puts it at /app/greet.py"),
])
def test_a_command_path_where_the_copy_did_not_put_the_program_names_both_lines(text, said, nothing_recorded):
    verdict = EXERCISES["02"].check(text)
    assert not verdict.passed, str(verdict)
    assert said in " ".join(verdict.messages) and "Next:" in verdict.messages[0]


def test_the_workdir_fix_is_suggested_for_a_relative_command_path(nothing_recorded):
    verdict = EXERCISES["02"].check('FROM python:3.11-slim\nCOPY greet.py /app/\nCMD ["python", "greet.py"]\n')
    assert "add `WORKDIR /app` before line 2, or run `/app/greet.py`" in verdict.messages[0]


@pytest.mark.parametrize("text", [
    'FROM python:3.11-slim\nCOPY <<EOF /greet.py\nprint("Hello, Docker learner!")\nEOF\nCMD ["python", "/greet.py"]\n',
    'FROM python:3.11-slim\nWORKDIR /app\nCOPY <<greet.py ./\nprint("Hello, Docker learner!")\ngreet.py\nCMD ["python", "greet.py"]\n',
    'FROM python:3.11-slim\nCOPY greet.py /opt\nCMD ["python", "/opt/greet.py"]\n',
    'FROM python:3.11-slim\nCOPY . /srv/\nWORKDIR /srv\nCMD ["python", "greet.py"]\n',
])
def test_a_program_the_text_puts_where_the_command_looks_passes(text, nothing_recorded):
    verdict = EXERCISES["02"].check(text)
    assert verdict.passed and verdict.live == "needs an engine", str(verdict)
    assert "greet.py is copied in" in verdict.messages[0]


def test_compose_depends_on_findings_name_the_line(nothing_recorded):
    solution = EXERCISES["05"].solution_text()
    line = next(number for number, text in enumerate(solution.splitlines(), 1) if text.strip() == "depends_on:")
    started = EXERCISES["05"].check(solution.replace("condition: service_healthy", "condition: service_started"))
    assert not started.passed and any(message.startswith(f"api's depends_on (line {line}): it waits only for db to start")
                                      for message in started.messages), str(started)
    db_health = solution[solution.index("  db:"):]
    check_block = db_health[db_health.index("    healthcheck:"):db_health.index("    volumes:")]
    no_db_check = EXERCISES["05"].check(solution.replace(check_block, ""))
    assert not no_db_check.passed and any(message.startswith(f"api's depends_on (line {line}): it waits for db to be healthy, but db has no healthcheck")
                                          for message in no_db_check.messages), str(no_db_check)


# --- hadolint as advice in 02, 02a, 03 and 04 (06 decides by it) ---


def test_hadolint_findings_are_advice_that_names_the_line_not_a_failure(nothing_recorded):
    text = EXERCISES["03"].solution_text().replace("pip install --no-cache-dir", "pip install")
    assert text != EXERCISES["03"].solution_text()
    verdict = EXERCISES["03"].check(text)
    advice = [message for message in verdict.messages if message.startswith("advice, not required (hadolint DL3042")]
    assert verdict.passed and len(advice) == 1 and "line 5 `RUN pip install" in advice[0] and "Next:" in advice[0], str(verdict)


def test_a_rule_the_exercise_decides_itself_is_not_said_twice(nothing_recorded):
    said = " ".join(EXERCISES["02a"].check(EXERCISES["02a"].starting()).messages)
    assert "shell form" in said and "DL3025" not in said


@pytest.mark.parametrize("number", ["02", "02a", "03", "04"])
def test_without_hadolint_the_advice_is_skipped_with_a_sentence(number, nothing_recorded, monkeypatch):
    monkeypatch.setattr(static, "tool", lambda name: None)
    verdict = EXERCISES[number].check(EXERCISES[number].solution_text())
    assert verdict.passed, str(verdict)
    assert any(message.startswith("hadolint is not installed here, so its advice on this Dockerfile is skipped") for message in verdict.messages)


# --- feedback nits ---


def test_a_failed_build_labels_its_log_as_the_tail_and_the_combined_verdict_keeps_the_label():
    from dockerlab.check import _build_failed
    from dockerlab.errors import BuildFailed
    from dockerlab.exercises.tiers import combine

    error = BuildFailed("exit code 1", step=3, instruction="RUN pip install -r requirements.txt", exit_code=1, log_tail=["line"] * 30)
    verdict = _build_failed("x", error)
    assert verdict.log_title == "the last 30 lines of the build log"
    assert "the last 30 lines of the build log:" in str(verdict) and "full log" not in str(verdict)
    combined = combine("x", static.StaticReport(), verdict, tier="measured")
    assert "<summary>the last 30 lines of the build log (30 lines)</summary>" in combined._repr_html_()


def test_every_change_of_a_worked_solution_names_something_the_solution_changes():
    import re

    for number, exercise in EXERCISES.items():
        changed = [line[1:] for line in dl.check.solution(number).diff().splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
        for change, _ in exercise.changes:
            # each `snippet` the change names ("..." elides part of a long line)
            named = [piece.strip(' "[]') for snippet in re.findall(r"`([^`]+)`", change) for piece in snippet.split("...")]
            named = [piece for piece in named if len(piece) > 3]
            assert any(snippet in line for snippet in named for line in changed), f"{number}: {change!r} is not a change of the starting text"


def test_the_06_quiz_asks_about_what_notebook_06_measures():
    import nbformat

    from dockerlab.paths import COURSE_ROOT
    from dockerlab.quizzes import QUIZZES

    notebook = "\n".join(cell.source for cell in nbformat.read(COURSE_ROOT / "notebooks" / "06_security.ipynb", as_version=4).cells)
    assert "runAsNonRoot" not in str(QUIZZES["06"])
    assert "secret mount" in QUIZZES["06"][4][0] + str(QUIZZES["06"][4][1]) and "secret_variants" in notebook
    assert dl.check.quiz({1: "b", 2: "b", 3: "c", 4: "d"}, notebook="06").passed


def test_a_failing_compose_up_wait_says_what_to_do_next(live_mode, monkeypatch):
    import pandas as pd

    from dockerlab import check
    from dockerlab.errors import ComposeFailed

    class Stack:
        def __enter__(self):
            return self

        def __exit__(self, *_):
            return None

        def up(self, **_):
            raise ComposeFailed(["up", "--wait"], 1, "container compose-api-1 is unhealthy", {"api": "Traceback ...\n"}, fix="Read the logs.")

        def ps(self):
            return pd.DataFrame([{"service": "api", "state": "running", "health": "unhealthy", "exit_code": 0}])

    monkeypatch.setattr(check, "project", lambda *_, **__: Stack())
    exercise = EXERCISES["05"]
    verdict = exercise.check(exercise.solution_text())
    wait = [message for message in verdict.messages if "`docker compose up --wait`" in message]
    assert not verdict.passed and len(wait) == 1, str(verdict)
    assert "it failed: container compose-api-1 is unhealthy. Next: read the api logs below (`docker compose logs api`)" in wait[0]
    assert "--- api" in verdict.log


@pytest.mark.parametrize("user_lines, passed, said", [
    (("", "USER 1000"), True, "USER comes after CMD"),  # CMD is metadata: the USER after it still applies: advice
    (("USER 1000", "USER root"), False, "line 8 `USER root`: the last USER is root"),
    (("USER 1000", "USER 0:0"), False, "line 8 `USER 0:0`: the last USER is root"),
    (("USER root", ""), False, "line 6 `USER root`: the last USER is root"),
    (("", ""), False, "the final stage (line 1): there is no USER line"),
])
def test_the_final_user_decides_and_a_user_after_cmd_is_only_advice(user_lines, passed, said, nothing_recorded):
    before, after = user_lines
    text = (f"FROM python:3.11-slim@sha256:{'a' * 64}\nRUN useradd --create-home --uid 1000 appuser\nWORKDIR /app\nCOPY app.py .\n\n"
            f"{before}\nCMD [\"python\", \"app.py\"]\n{after}\n")
    verdict = EXERCISES["06"].check(text)
    assert verdict.passed == passed and said in " ".join(verdict.messages), str(verdict)
    if not passed:
        assert any(said in message and "Next:" in message for message in verdict.messages)


@pytest.mark.parametrize("cmd, passes", [
    ('CMD exec python app.py', True),  # exec replaces the shell: python is PID 1 (the notebook's own advice)
    ('CMD ["python", "app.py"]', True),
    ('CMD ["sh", "-c", "python app.py"]', False),  # the shell is PID 1, python its child
    ('CMD ["python app.py"]', False),  # one string: no program has that name
    ('CMD python app.py', False),
])
def test_02a_judges_who_is_pid_1_from_the_text(cmd, passes):
    from dockerlab import paths
    from dockerlab.exercises import static

    text = "FROM python:3.11-slim\nWORKDIR /app\nCOPY app.py .\n" + cmd + "\n"
    report = static.keeps_running_and_stops(paths.app("signals"), text)
    assert (not report.failed) == passes, [finding.render() for finding in report.findings]


@pytest.mark.parametrize("base, cmd, certain", [
    ("python:3.11-slim", 'CMD python app.py', True),                 # dash stays PID 1 (02a measures it)
    ("python:3.11-slim", 'CMD ["sh", "-c", "python app.py"]', True),
    ("python:3.11-alpine", 'CMD python app.py', False),              # busybox's sh execs a last command: measured, not assumed
    ("python:3.11-alpine", 'CMD ["sh", "-c", "python app.py"]', False),
    ("python:3.11-slim", 'CMD ["ash", "-c", "python app.py"]', False),
    ("python:3.11-alpine", 'CMD ["dash", "-c", "python app.py"]', True),
])
def test_02a_a_shell_as_pid_1_is_certain_only_where_sh_is_dash(base, cmd, certain):
    from dockerlab import paths
    from dockerlab.exercises import static

    report = static.keeps_running_and_stops(paths.app("signals"), f"FROM {base}\nWORKDIR /app\nCOPY app.py .\n{cmd}\n")
    (finding,) = [finding for finding in report.findings if "PID 1" in finding.render()]
    assert finding.fails and finding.certain == certain, finding.render()


def test_03_an_install_of_a_requirements_file_no_copy_brought_is_named():
    from dockerlab import paths
    from dockerlab.exercises import static

    early = "FROM python:3.11-slim\nWORKDIR /app\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"
    report = static.cache_survives_code_edit(paths.app("layer-cache"), early)
    assert report.findings and "no COPY before line 3 puts requirements.txt" in report.findings[0].render()
    right = "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"
    assert not static.cache_survives_code_edit(paths.app("layer-cache"), right).failed


def test_05_a_misspelled_key_is_named_with_its_line_and_no_temporary_path():
    from dockerlab import paths
    from dockerlab.exercises import static

    bad = "services:\n  api:\n    image: python:3.11-slim\n    helthcheck:\n      test: [\"CMD\", \"true\"]\n"
    rendered, said = static.render_compose(paths.app("compose-api"), bad)
    assert rendered is None and "helthcheck" in said and "line 4" in said and "dockerlab-static-" not in said


# --- #19's acceptance, as a learner without Docker meets it: no engine at all, the mode left to the course ---


@pytest.fixture
def no_engine_at_all(monkeypatch):
    """No DOCKERLAB_MODE (the course picks the mode: recorded, since no engine answers) and DOCKER_HOST pointing nowhere."""
    monkeypatch.delenv("DOCKERLAB_MODE", raising=False)
    monkeypatch.delenv("DOCKERLAB_RECORD_TO", raising=False)
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    recording.reset()
    yield
    recording.reset()


@pytest.mark.parametrize("number", sorted(EXERCISES))
def test_without_an_engine_the_starting_text_fails_the_solution_passes_and_a_variant_gets_the_note(number, no_engine_at_all):
    assert recording.current() == recording.RECORDED
    exercise = EXERCISES[number]
    start = exercise.check(exercise.starting())
    assert not start.passed and all(hint in " ".join(start.messages) for hint in START_HINTS[number]), str(start)
    solved = exercise.check(exercise.solution_text())
    assert solved.passed, str(solved)
    variant = exercise.check(VARIANTS[number](exercise.starting()))
    assert variant.passed and variant.live == "needs an engine" and variant.note.startswith("Static checks passed; the build-and-measure "
                                                                                            "check needs a Docker engine"), str(variant)
    for verdict in (start, solved, variant):
        assert "maintainer" not in str(verdict).lower()


# --- #19: the secret rule follows files through stages; 04 names every extra copy into the final stage ---

_HARDENED_FINAL = "FROM python:3.11-slim\nRUN useradd --create-home --uid 1000 appuser\nWORKDIR /app\n{copy}\nUSER 1000\nCMD [\"python\", \"app.py\"]\n"


@pytest.mark.parametrize("stages, copy, line, said", [
    ("FROM python:3.11-slim AS builder\nWORKDIR /app\nCOPY . .\n\n", "COPY --from=builder /app /app", 8,
     ["line 8 `COPY --from=builder /app /app`", ".env", "line 3 `COPY . .` put it in stage builder", "COPY --from=builder /app/app.py ."]),
    ("FROM python:3.11-slim AS builder\nWORKDIR /app\nCOPY . .\n\n", "COPY --from=builder /app/.env* ./", 8, [".env", "line 3 `COPY . .`"]),
    ("FROM python:3.11-slim AS a\nWORKDIR /src\nCOPY . .\nFROM python:3.11-slim AS b\nCOPY --from=a /src /stuff\n", "COPY --from=b /stuff/ ./", 9,
     ["line 9 `COPY --from=b /stuff/ ./`", ".env", "line 3 `COPY . .` put it in stage a"]),
])
def test_a_secret_copied_into_a_build_stage_and_taken_into_the_final_one_is_named(stages, copy, line, said, nothing_recorded):
    text = stages + _HARDENED_FINAL.format(copy=copy)
    assert text.splitlines()[line - 1] == copy
    verdict = EXERCISES["06"].check(text)
    messages = " ".join(verdict.messages)
    assert not verdict.passed, messages
    for part in said:
        assert part in messages, (part, messages)


@pytest.mark.parametrize("stages, copy", [
    ("FROM python:3.11-slim AS builder\nWORKDIR /app\nCOPY . .\n\n", "COPY --from=builder /app/app.py ."),  # only the program leaves the stage
    ("FROM python:3.11-slim AS builder\nWORKDIR /app\nCOPY . .\nRUN rm -f .env\n\n", "COPY --from=builder /app /app"),  # gone before the copy
])
def test_a_build_stage_that_holds_a_secret_the_final_stage_does_not_take_passes(stages, copy, nothing_recorded):
    verdict = EXERCISES["06"].check(stages + _HARDENED_FINAL.format(copy=copy))
    assert verdict.passed, str(verdict)


_GO_BUILDER = "FROM golang:1.21 AS builder\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o myapp main.go\n\nFROM scratch\n"


@pytest.mark.parametrize("extra, said", [
    ("COPY --from=builder /usr/local/go /usr/local/go", ["line 8 `COPY --from=builder /usr/local/go /usr/local/go`", "/usr/local/go",
                                                         "not the program line 4 builds (/app/myapp)"]),
    ("COPY --from=builder /app /app", ["line 8 `COPY --from=builder /app /app`", "main.go"]),
    ("COPY --from=golang:1.21 /usr/local/go/bin/go /go", ["line 8", "from the image golang:1.21"]),
])
def test_04_an_extra_copy_into_the_final_stage_is_named_with_its_line(extra, said, nothing_recorded):
    text = _GO_BUILDER + f"COPY --from=builder /app/myapp /myapp\n{extra}\nCMD [\"/myapp\"]\n"
    verdict = EXERCISES["04"].check(text)
    messages = " ".join(verdict.messages)
    assert not verdict.passed, messages
    for part in said:
        assert part in messages, (part, messages)
    assert "line 7" not in messages  # the copy of the program itself is right


def test_04_a_certificate_bundle_copied_beside_the_program_is_advice_not_a_failure(nothing_recorded):
    text = _GO_BUILDER + "COPY --from=builder /app/myapp /myapp\nCOPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nCMD [\"/myapp\"]\n"
    verdict = EXERCISES["04"].check(text)
    assert verdict.passed, str(verdict)
    assert any("line 8" in message and "ca-certificates.crt" in message for message in verdict.messages), verdict.messages


# --- #22 D1: where a COPY puts the requirements file, and where pip reads it; unsure is not a failure ---
_DEPS_FIRST = "FROM python:3.11-slim\nWORKDIR /app\n{copy}\nRUN pip install --no-cache-dir -r {reads}\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"


@pytest.mark.parametrize("copy, reads", [
    ("COPY requirements.txt /tmp/req.txt", "/tmp/req.txt"),                     # renamed, absolute
    ("COPY requirements.txt /tmp/", "/tmp/requirements.txt"),                   # into a folder
    ("COPY requirements.txt deps/req.txt", "/app/deps/req.txt"),                # relative to WORKDIR
    ("COPY requirements.txt ./deps/", "deps/requirements.txt"),
    ("COPY requirements.txt .", "./requirements.txt"),
    ("ARG REQ=requirements.txt\nCOPY $REQ .", "$REQ"),                          # a build argument's default
    ("ARG REQ=requirements.txt\nCOPY ${REQ} /deps/${REQ}", "/deps/${REQ}"),
    ("ENV DEPS=/opt/deps\nCOPY requirements.txt $DEPS/", "$DEPS/requirements.txt"),
    ("COPY requirements.* ./", "requirements.txt"),                             # a wildcard source
    ("WORKDIR /srv\nCOPY requirements.txt .\nWORKDIR /app", "/srv/requirements.txt"),
])
def test_03_a_deps_first_dockerfile_passes_wherever_its_copy_puts_the_file(copy, reads):
    from dockerlab import paths
    from dockerlab.exercises import static

    report = static.cache_survives_code_edit(paths.app("layer-cache"), _DEPS_FIRST.format(copy=copy, reads=reads))
    assert not report.failed, [finding.render() for finding in report.findings]


def test_03_a_folder_copied_keeps_its_files_paths(tmp_path):
    import shutil

    from dockerlab import paths
    from dockerlab.exercises import static

    app = tmp_path / "app"
    shutil.copytree(paths.app("layer-cache"), app)
    (app / "requirements").mkdir()
    shutil.copy(app / "requirements.txt", app / "requirements" / "base.txt")
    good = _DEPS_FIRST.format(copy="COPY requirements/ requirements/", reads="requirements/base.txt")
    assert not static.cache_survives_code_edit(app, good).failed
    wrong = _DEPS_FIRST.format(copy="COPY requirements/ deps/", reads="requirements/base.txt")  # it lands in deps/
    found = static.cache_survives_code_edit(app, wrong).findings
    assert found and found[0].certain and "/app/requirements/base.txt" in found[0].render()


@pytest.mark.parametrize("copy, reads", [
    ("COPY requirements.txt /tmp/req.txt", "/tmp/other.txt"),
    ("COPY requirements.txt /tmp/req.txt", "req.txt"),                          # relative: /app/req.txt
    ("ARG REQ=requirements.txt\nCOPY $REQ /deps/", "$REQ"),                      # /app/requirements.txt
])
def test_03_an_install_reading_a_path_no_copy_put_there_fails_for_sure(copy, reads):
    from dockerlab import paths
    from dockerlab.exercises import static

    report = static.cache_survives_code_edit(paths.app("layer-cache"), _DEPS_FIRST.format(copy=copy, reads=reads))
    assert report.failed and all(finding.certain for finding in report.findings if finding.fails)


@pytest.mark.parametrize("copy, reads", [
    ("ARG REQ\nCOPY requirements.txt .", "$REQ"),                               # no value: given on the command line
    ("COPY requirements.txt /opt", "/opt/requirements.txt"),                   # /opt: a file, or a folder the base has
])
def test_03_text_that_cannot_be_judged_does_not_fail_a_passing_measurement(copy, reads):
    from dockerlab import paths
    from dockerlab.exercises import static
    from dockerlab.exercises.tiers import combine
    from dockerlab.exercises.verdict import CheckResult

    report = static.cache_survives_code_edit(paths.app("layer-cache"), _DEPS_FIRST.format(copy=copy, reads=reads))
    assert report.findings and not any(finding.certain for finding in report.findings if finding.fails)
    assert combine("03", report, CheckResult("03", True, ["the install came from the cache"]), tier="measured").passed
    failed_live = combine("03", report, CheckResult("03", False, ["the install ran again"]), tier="measured")
    assert not failed_live.passed and any("cannot be told" in message for message in failed_live.messages)


def test_03_the_exercise_starts_failing_and_its_solutions_pass():
    from dockerlab import paths
    from dockerlab.exercises import static

    app = paths.app("layer-cache")
    assert static.cache_survives_code_edit(app, (app / "exercise.Dockerfile").read_text()).failed
    assert static.cache_survives_code_edit(app, (app / "code-first.Dockerfile").read_text()).failed
    assert not static.cache_survives_code_edit(app, (app / "Dockerfile").read_text()).failed
