"""Exercise verdicts, right and wrong answers, without an engine."""
import pytest

from pathlib import Path

from dockerlab.check import judge_output, output_contains
from dockerlab.errors import DockerlabError
from dockerlab.containers import RunResult


def test_right_output_passes():
    verdict = judge_output("x", 0, "Hello, Docker learner!\n", "Hello, Docker learner!")
    assert verdict.passed and bool(verdict)
    assert "✔" in verdict._repr_html_()


def test_missing_line_says_what_was_printed():
    verdict = judge_output("x", 0, "Hello, world\n", "Hello, Docker learner!")
    assert not verdict.passed
    assert "Hello, world" in verdict.messages[0] and "expected the line" in verdict.messages[0]


def test_nothing_printed_is_named():
    verdict = judge_output("x", 0, "", "Hello, Docker learner!")
    assert not verdict.passed and "printed nothing" in verdict.messages[0] and "Next:" in verdict.messages[0]


def test_a_crash_fails_even_when_the_line_appears():
    verdict = judge_output("x", 1, "Hello, Docker learner!\nTraceback ...\n", "Hello, Docker learner!")
    assert not verdict.passed and "exited with code 1" in verdict.messages[0]


def test_a_line_must_match_whole_not_as_a_substring():
    assert not judge_output("x", 0, "xVERSION_ID=3.20x\n", "VERSION_ID=3.20").passed
    assert judge_output("x", 0, "NAME=alpine\nVERSION_ID=3.20\n", "VERSION_ID=3.20").passed


def test_output_contains_judges_a_run_result():
    right = RunResult("alpine:3.20", "grep VERSION_ID /etc/os-release", 0, "VERSION_ID=3.20\n", 0.2)
    wrong = RunResult("alpine:3.20", "echo hi", 0, "hi\n", 0.2)
    assert output_contains(right, "VERSION_ID=3.20").passed
    assert not output_contains(wrong, "VERSION_ID=3.20").passed
    assert "NOT YET" in str(output_contains(wrong, "VERSION_ID=3.20"))


def test_cache_verdicts():
    from dockerlab.check import judge_cache

    right = [("FROM python:3.11-slim", False), ("COPY requirements.txt .", True), ("RUN pip install -r requirements.txt", True), ("COPY . .", False)]
    wrong = [("FROM python:3.11-slim", False), ("COPY requirements.txt app.py ./", False), ("RUN pip install -r requirements.txt", False)]
    assert judge_cache("x", right, "pip install", "app.py").passed
    verdict = judge_cache("x", wrong, "pip install", "app.py")
    assert not verdict.passed and "ran again" in verdict.messages[0]
    missing = judge_cache("x", [("FROM python:3.11-slim", False), ("COPY . .", False)], "pip install", "app.py")
    assert not missing.passed and "must still be installed" in missing.messages[0]


def test_multi_stage_verdicts():
    from dockerlab.check import judge_multi_stage
    from dockerlab.containers import ServeResult

    answered = ServeResult("x", True, 200, "hello", None, "")
    silent = ServeResult("x", False, None, "", 127, "exec ./myapp: no such file or directory")
    assert judge_multi_stage("x", answered, 10_000_000, 700_000_000, 5).passed
    too_big = judge_multi_stage("x", answered, 300_000_000, 700_000_000, 5)
    assert not too_big.passed and "target is 5x" in too_big.messages[0]
    broken = judge_multi_stage("x", silent, 5_000_000, 700_000_000, 5)
    assert not broken.passed and "no such file" in broken.messages[0]


def test_headline_says_met_or_missed(tmp_path, monkeypatch):
    from dockerlab import results

    monkeypatch.setattr(results, "results_dir", lambda: tmp_path)
    met = results.headline("ratio", 0.04, target=0.10, direction="at most")
    missed = results.headline("size", 12.0, target=50, direction="at least", unit="x")
    assert met.met and "target met" in str(met)
    assert not missed.met and "TARGET MISSED" in str(missed)
    import json

    saved = json.loads((tmp_path / "headlines.json").read_text())
    assert saved["ratio"]["met"] is True and saved["size"]["value"] == 12.0


def test_compose_health_verdicts():
    from dockerlab.check import judge_compose_health

    healthy = [{"service": "api", "state": "running", "health": "healthy"}, {"service": "db", "state": "running", "health": "healthy"}]
    no_check = [{"service": "api", "state": "running", "health": ""}]
    crashed = [{"service": "api", "state": "exited", "health": "", "exit_code": 1}]
    assert judge_compose_health("x", "api", healthy).passed
    assert "no healthcheck" in judge_compose_health("x", "api", no_check).messages[0]
    assert "exited" in judge_compose_health("x", "api", crashed).messages[0]
    assert "no service" in judge_compose_health("x", "worker", healthy).messages[0]


def test_web_helpers_only_talk_to_this_machine(monkeypatch):
    import pytest

    import dockerlab as dl

    monkeypatch.setattr(dl.web, "STARTING_SECONDS", 1)  # the refusal is the same after 1 s as after 20

    with pytest.raises(dl.DockerlabError, match="not on this machine"):
        dl.web.get_json("http://10.0.0.1:8000/items")
    with pytest.raises(dl.DockerlabError, match="Nothing answered"):
        dl.web.get_json("http://127.0.0.1:9/items")


def test_course_tags_are_valid_whatever_the_folder_is_called(tmp_path, monkeypatch):
    import hashlib
    import re

    from dockerlab.labels import course_tag

    reference = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*/[a-z0-9]+(?:[._-]+[a-z0-9]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
    spaced = tmp_path / "Hello World"
    spaced.mkdir()
    monkeypatch.chdir(spaced)
    for name in (".", spaced, "without .dockerignore", "", "ÄÖ"):
        assert reference.match(course_tag("exercise", name, "check")), name
    # the folder "Hello World" is not a name as it is: its own hash follows (#22 leftovers: folders never share a tag)
    assert course_tag("exercise", ".", "check") == "dockerlab-exercise/hello-world-" + hashlib.sha256(b"Hello World").hexdigest()[:8] + ":check"


@pytest.mark.parametrize("install", [
    "RUN pip install -r requirements.txt", "RUN pip3 install -r requirements.txt", "RUN pip3.11 install -r requirements.txt",
    "RUN python -m pip install -r requirements.txt", "RUN python3 -m pip install --no-cache-dir -r requirements.txt",
])
def test_the_install_step_is_found_however_pip_is_called(install):
    from dockerlab.check import judge_cache

    steps = [("FROM python:3.11-slim", False), ("COPY requirements.txt .", True), (install, True), ("COPY . .", False)]
    assert judge_cache("x", steps, "pip install", "app.py").passed
    steps[2] = (install, False)
    assert not judge_cache("x", steps, "pip install", "app.py").passed


def test_a_file_named_like_the_command_is_not_the_install_step():
    from dockerlab.check import judge_cache

    assert not judge_cache("x", [("COPY pip install.txt .", True)], "pip install", "app.py").passed


def test_the_terminal_exercise_says_it_needs_an_engine_in_recorded_mode(monkeypatch):
    from dockerlab import check, recording
    from dockerlab import paths as dl_paths

    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
    recording.reset()
    result = check.image_prints("my-greeter:1", "Hello, Docker learner!", folder="greeter")
    assert not result.passed and "no Docker engine here" in result.messages[0] and "docker build -t my-greeter:1 greeter" in result.messages[0]
    assert "a terminal in the notebooks folder" in result.messages[0]  # the folder the hint's paths start from (paths.TERMINAL_FOLDER)
    assert dl_paths.terminal_cd() in result.messages[0]  # and how to get there from wherever the terminal opened


@pytest.mark.parametrize("notebook", ["01", "02", "03", "04", "05", "06", "07"])
def test_every_notebook_quiz_checks_right_wrong_and_missing_answers(notebook):
    from dockerlab import check
    from dockerlab.quizzes import quiz_of, show

    questions = quiz_of(notebook)
    assert 3 <= len(questions) <= 5 and all(correct in choices for _, choices, correct, _ in questions.values())
    right = {number: correct for number, (_, _, correct, _) in questions.items()}
    assert check.quiz(right, notebook=notebook).passed
    first = next(iter(questions))
    wrong_letter = next(letter for letter in questions[first][1] if letter != right[first])
    verdict = check.quiz({**right, first: wrong_letter}, notebook=notebook)
    assert not verdict.passed and verdict.messages[0] == f"{len(questions) - 1} of {len(questions)} right"
    assert questions[first][3] in verdict.messages[1]
    missing = check.quiz({}, notebook=notebook)
    assert not missing.passed and "no answer yet" in missing.messages[1]
    assert "1. " in show(notebook)


def test_a_quiz_for_an_unknown_notebook_is_a_clear_error():
    import dockerlab as dl

    with pytest.raises(dl.DockerlabError, match="no quiz for notebook"):
        dl.check.quiz({}, notebook="09")


@pytest.mark.parametrize("run, installs", [
    ("RUN pip install -r requirements.txt", True),
    ("RUN echo 'remember: pip install runs above' > /note", False),  # quoted text an echo prints is not a command
    ("RUN echo pip install", False),
    ("RUN apt-get update && PIP_NO_CACHE_DIR=1 /usr/local/bin/pip3.11 install -r requirements.txt", True),
    ("RUN --mount=type=cache,target=/root/.cache python3.12 -m pip install -r requirements.txt", True),
    ("RUN python -mpip install flask", True),
    ("RUN pip download -r requirements.txt -d /wheels", False),
    ("RUN pip --no-cache-dir install flask", True),
    ('RUN ["pip", "install", "flask"]', True),
    ('RUN sh -c "cd /app && pip install ."', True),
    ('RUN python -c "print(1)" | grep 1; echo "python -m pip install"', False),
    ("RUN cd /app # pip install later", False),  # a comment
    ("RUN cat req.txt | xargs echo && true || pip3 install x", True),
])
def test_the_install_step_is_a_shell_command_not_text(run, installs):
    from dockerlab.dockerfile import runs_pip_install

    assert runs_pip_install(run) is installs


def test_a_later_step_that_mentions_pip_install_does_not_fail_the_cache_check():
    from dockerlab.check import judge_cache

    steps = [("FROM python:3.11-slim", False), ("COPY requirements.txt .", True), ("RUN pip install -r requirements.txt", True),
             ("COPY . .", False), ("RUN echo 'remember: pip install runs above' > /note", False)]
    assert judge_cache("x", steps, "pip install", "app.py").passed


def test_another_dependency_step_is_found_by_its_words():
    from dockerlab.exercises.verdict import runs_step

    assert runs_step("RUN cd /app && npm ci --omit=dev", "npm ci")
    assert not runs_step("RUN echo 'npm ci' > /note", "npm ci")
    assert not runs_step("RUN npm install", "npm ci")


def test_the_static_tier_finds_the_install_step_by_its_commands():
    import dockerlab as dl
    from dockerlab.exercises import static

    text = ("FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip3 install --no-cache-dir -r requirements.txt\n"
            "COPY . .\nRUN echo 'remember: pip install runs above' > /note\nCMD [\"python\", \"app.py\"]\n")
    report = static.cache_survives_code_edit(dl.paths.app("layer-cache"), text)
    assert not [finding for finding in report.findings if finding.fails] and "line 4" in report.passed[0]
    wrong = text.replace("COPY requirements.txt .\n", "COPY . .\n", 1)
    assert [finding for finding in static.cache_survives_code_edit(dl.paths.app("layer-cache"), wrong).findings if finding.fails]


def test_a_replayed_run_of_another_shape_gives_the_static_verdict_never_recording_stale(monkeypatch):
    """command_prints' live tier raises RecordingStale for a replayed dl.run that is not a RunResult; the
    learner gets the static verdict and the note that the measuring needs an engine."""
    from dockerlab import check as check_module

    monkeypatch.setattr(check_module, "run", lambda image, command: ["a damaged recording's result"])
    verdict = check_module.command_prints("alpine:3.20", ["cat", "/etc/os-release"], "VERSION_ID=3.20", reads="/etc/os-release")
    assert verdict.live == "needs an engine" and "RecordingStale" not in str(verdict)


@pytest.mark.parametrize("name", ["/tmp/dockerlab-precious.txt", "../../../tmp/dockerlab-precious.txt", "sub/../../x.py", ""])
def test_program_prints_refuses_a_file_name_outside_the_app_copy(tmp_path, name, monkeypatch):
    # issue 16 item 5: files={"/abs/path": ...} or {"../../x": ...} wrote anywhere on the machine
    import dockerlab.check as check
    from dockerlab import paths

    precious = Path("/tmp/dockerlab-precious.txt")
    precious.write_text("mine")
    try:
        with pytest.raises(DockerlabError, match="does not name a file inside the app folder"):
            check.program_prints(paths.app("numpy-versions"), "x", files={name: "print('x')\n"})
        assert precious.read_text() == "mine"
    finally:
        precious.unlink()


def test_image_prints_of_an_image_whose_command_does_not_exist_is_a_not_yet(monkeypatch):
    # issue 16, Kind 4: it raised ContainerFailed, though the learner's own image is the learner's mistake to fix
    import dockerlab.check as check
    from dockerlab.errors import ContainerFailed

    def no_command(tag, *arguments, **keywords):
        raise ContainerFailed(tag, "start", "the command does not exist in the image (exec: \"/nope\")", "Check CMD.")

    monkeypatch.setattr(check, "current", lambda: "live")
    monkeypatch.setattr(check, "inspect_image", lambda tag: {})
    monkeypatch.setattr(check, "run", no_command)
    verdict = check.image_prints("my-greeter:1", "hello")
    assert not verdict.passed and "did not start" in str(verdict) and "docker build -t my-greeter:1" in str(verdict)


@pytest.mark.parametrize("mount, passes", [
    ("--mount=type=bind,source=requirements.txt,target=/tmp/requirements.txt", True),   # the file itself
    ("--mount=type=bind,target=/src", True),                                            # the whole context, a folder
    ("--mount=type=bind,source=nothere.txt,target=/tmp/requirements.txt", False),        # a file the context lacks
    ("--mount=type=cache,target=/tmp", False),                                           # a cache mount puts no file there
    ("--mount=type=bind,from=deps,source=/r.txt,target=/tmp/requirements.txt", False),   # from another stage: not read here
])
def test_a_bind_mount_on_the_install_puts_the_requirements_file_for_that_run(mount, passes):
    """#19: a BuildKit bind mount of requirements.txt was failed as "no COPY puts it there" (certain), over a correct answer."""
    import dockerlab as dl
    from dockerlab.exercises import static

    read = "/tmp/requirements.txt" if "/src" not in mount else "/src/requirements.txt"
    text = (f"FROM python:3.11-slim\nWORKDIR /app\nRUN {mount} pip install --no-cache-dir -r {read}\n"
            "COPY app.py .\nCMD [\"python\", \"app.py\"]\n")
    report = static.cache_survives_code_edit(dl.paths.app("layer-cache"), text)
    said = " ".join(finding.seen for finding in report.findings)
    assert ("no COPY before line 3 puts" not in said) == passes, said
