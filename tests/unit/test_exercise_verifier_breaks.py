"""Breaks a verifier of the exercise checkers found (issue #19), each by its kind: a right answer is judged right,
a wrong one wrong, with a hint that names the line and what to change. No engine: recorded mode on an empty
data/recorded/, so only the static tier judges."""
import json

import pytest

from dockerlab import recording
from dockerlab.hosting import BINDER_VARIABLES
from dockerlab.exercises.catalogue import EXERCISES

RUN_AS_1000 = "RUN useradd --uid 1000 appuser\nUSER 1000\nCMD [\"python\", \"app.py\"]\n"


@pytest.fixture
def nothing_recorded(tmp_path, monkeypatch):
    """Recorded mode with an empty data/recorded/ (not on Binder): every live tier is missing."""
    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
    for name in BINDER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    recording.reset(directory=tmp_path)


def said(verdict) -> str:
    return " ".join(verdict.messages)


# --- variables in COPY/ADD sources: read as the build reads them (ARG/ENV defaults) ---------------------

@pytest.mark.parametrize("text, line, written", [
    ("FROM python:3.11-slim\nARG TOKEN_FILE=.env\nRUN useradd --uid 1000 appuser\nWORKDIR /app\nCOPY app.py .\nCOPY ${TOKEN_FILE} .\n"
     "USER 1000\nCMD [\"python\", \"app.py\"]\n", 6, "${TOKEN_FILE}"),
    ("FROM python:3.11-slim\nWORKDIR /app\nENV FILES=.env\nCOPY app.py $FILES /app/\n" + RUN_AS_1000, 4, "$FILES"),
    # an ENV is kept by a stage built FROM the stage that sets it
    ("FROM python:3.11-slim AS base\nENV F=.env\nFROM base\nWORKDIR /app\nCOPY app.py .\nCOPY $F .\n" + RUN_AS_1000, 6, "$F"),
    # `ARG F` in the stage takes the default of the ARG before the first FROM
    ("ARG F=.env\nFROM python:3.11-slim\nARG F\nWORKDIR /app\nCOPY app.py .\nCOPY ${F} .\n" + RUN_AS_1000, 6, "${F}"),
    ("FROM python:3.11-slim\nWORKDIR /app\nCOPY app.py ${SECRETS:-.env} ./\n" + RUN_AS_1000, 3, "${SECRETS:-.env}"),
    # quotes, as BuildKit's lexer reads them: "double" substitutes, and both are taken off
    ("FROM python:3.11-slim\nENV F=\".env\"\nWORKDIR /app\nCOPY \"app.py\" \"${F}\" ./\n" + RUN_AS_1000, 4, '"${F}"'),
])
def test_a_secret_copied_through_a_variable_fails_06_naming_the_line(text, line, written, nothing_recorded):
    verdict = EXERCISES["06"].check(text)
    assert not verdict.passed, str(verdict)
    assert f"line {line} `COPY" in said(verdict) and "it copies .env (secrets" in said(verdict)
    assert f"`{written}` is .env" in said(verdict) and "Next: copy just the program (`COPY app.py .`)" in said(verdict)


@pytest.mark.parametrize("text", [
    "FROM python:3.11-slim\nARG PROGRAM=app.py\nRUN useradd --uid 1000 appuser\nWORKDIR /app\nCOPY ${PROGRAM} .\nUSER 1000\nCMD [\"python\", \"app.py\"]\n",
    # an ARG is not kept by a stage built FROM the one that declares it: $F is empty there, and copies no secret
    "FROM python:3.11-slim AS base\nARG F=.env\nFROM base\nWORKDIR /app\nCOPY app.py .\n" + RUN_AS_1000,
])
def test_a_program_copied_through_a_variable_passes_06(text, nothing_recorded):
    verdict = EXERCISES["06"].check(text)
    assert verdict.passed, str(verdict)


def test_a_variable_names_the_program_02_copies(nothing_recorded):
    right = EXERCISES["02"].check("FROM python:3.11-slim\nWORKDIR /app\nARG SCRIPT=greet.py\nCOPY $SCRIPT .\nCMD [\"python\", \"greet.py\"]\n")
    assert right.passed, str(right)
    wrong = EXERCISES["02"].check("FROM python:3.11-slim\nWORKDIR /app\nARG SCRIPT=greeter.py\nCOPY $SCRIPT .\nCMD [\"python\", \"greet.py\"]\n")
    assert not wrong.passed and "line 4 `COPY $SCRIPT .`: there is no greeter.py in the build context" in said(wrong)


# --- a --from that names no stage above it: one finding, the nearest stage's name, nothing contradictory -----

GO_BUILD = "FROM golang:1.21 AS builder\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o myapp main.go\n\n"


@pytest.mark.parametrize("text, seen, change", [
    (GO_BUILD + "FROM scratch\nCOPY --from=biulder /app/myapp /myapp\nCMD [\"/myapp\"]\n",
     "line 7 `COPY --from=biulder /app/myapp /myapp`: there is no stage biulder (the stages above it: builder)", "write `--from=builder`"),
    (GO_BUILD.replace("AS builder", "AS build") + "FROM scratch\nCOPY --from=biuld /app/myapp /myapp\nCMD [\"/myapp\"]\n",
     "there is no stage biuld (the stages above it: build)", "write `--from=build`"),
    (GO_BUILD.replace(" AS builder", "") + "FROM scratch\nCOPY --from=builder /app/myapp /myapp\nCMD [\"/myapp\"]\n",
     "there is no stage builder: no stage above it has a name", "name the build stage (`FROM ... AS builder` on its FROM line)"),
    (GO_BUILD + "FROM scratch AS final\nCOPY --from=final /app/myapp /myapp\nCMD [\"/myapp\"]\n",
     "--from=final names the stage this COPY is in (line 6)", "with the name of the stage that builds what you copy (builder)"),
])
def test_a_from_naming_no_stage_says_so_once_and_names_the_stage(text, seen, change, nothing_recorded):
    verdict = EXERCISES["04"].check(text)
    assert not verdict.passed and verdict.live == "not run"
    assert len(verdict.messages) == 1, verdict.messages  # nothing beside it ("copies from the image ...", "remove line 7")
    assert seen in verdict.messages[0] and change in verdict.messages[0]
    assert "remove line" not in said(verdict) and "from the image" not in said(verdict)


def test_the_stage_name_spelled_right_passes(nothing_recorded):
    verdict = EXERCISES["04"].check(GO_BUILD + "FROM scratch\nCOPY --from=builder /app/myapp /myapp\nCMD [\"/myapp\"]\n")
    assert verdict.passed, str(verdict)


# --- a numeric --from names the stage of that index (the first FROM is 0) -------------------------------------

def test_from_0_names_the_first_stage_and_passes(nothing_recorded):
    verdict = EXERCISES["04"].check(GO_BUILD + "FROM scratch\nCOPY --from=0 /app/myapp /myapp\nCMD [\"/myapp\"]\n")
    assert verdict.passed, str(verdict)


@pytest.mark.parametrize("number, seen", [
    ("1", "--from=1 names the stage this COPY is in, stage 1 (line 6)"),
    ("2", "there is no stage 2: the Dockerfile has 2 stages, stage 0 (builder, line 1), stage 1 (line 6)"),
])
def test_a_from_number_that_is_no_stage_above_gets_one_next_step(number, seen, nothing_recorded):
    verdict = EXERCISES["04"].check(GO_BUILD + f"FROM scratch\nCOPY --from={number} /app/myapp /myapp\nCMD [\"/myapp\"]\n")
    assert not verdict.passed and len(verdict.messages) == 1, verdict.messages
    assert f"line 7 `COPY --from={number} /app/myapp /myapp`: {seen}" in verdict.messages[0]
    assert "Next: write `--from=0`, the build stage on line 1 (`--from=builder` names it too)." in verdict.messages[0]
    assert "remove line" not in said(verdict) and "from the image" not in said(verdict)


def test_a_from_number_naming_a_later_stage_says_it_comes_after(nothing_recorded):
    text = ("FROM golang:1.21\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o myapp main.go\n"
            "FROM alpine:3.20\nCOPY --from=2 /x /x\nFROM scratch\nCOPY --from=0 /app/myapp /myapp\nCMD [\"/myapp\"]\n")
    verdict = EXERCISES["04"].check(text)
    assert not verdict.passed, str(verdict)
    assert "line 6 `COPY --from=2 /x /x`: --from=2 names stage 2 (line 7), which comes after this line" in said(verdict)
    assert "Next: write `--from=0`, the build stage on line 1." in said(verdict)


def test_a_stage_typo_in_02_is_not_followed_by_what_no_copy_puts_there(nothing_recorded):
    text = "FROM python:3.11-slim AS src\nCOPY greet.py /x/\nFROM python:3.11-slim\nCOPY --from=scr /x/greet.py .\nCMD [\"python\", \"greet.py\"]\n"
    verdict = EXERCISES["02"].check(text)
    assert not verdict.passed and "line 4" in verdict.messages[0] and "write `--from=src`" in verdict.messages[0]
    assert "no COPY puts" not in said(verdict) and "nothing from greeter/ is copied" not in said(verdict)


# --- a COPY --from of a path the build stage does not have: name where the stage makes its artefact -----------

GO_BUILD_STAGE = "FROM golang:1.21 AS build\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o myapp main.go\n\nFROM scratch\n"


@pytest.mark.parametrize("path", ["/wrong/path", "/app/main", "/go/bin/myapp", "/tmp/myapp"])
def test_a_wrong_from_path_names_the_path_the_build_stage_makes(path, nothing_recorded):
    verdict = EXERCISES["04"].check(GO_BUILD_STAGE + f"COPY --from=build {path} /app\nCMD [\"/app\"]\n")
    assert not verdict.passed, str(verdict)
    assert f"line 7 `COPY --from=build {path} /app`: stage build has nothing at {path}: line 4 builds the program at /app/myapp" in said(verdict)
    assert "Next: copy it from there: `COPY --from=build /app/myapp /app`." in said(verdict)
    assert "remove line 7" not in said(verdict)


def test_the_path_the_build_stage_makes_passes_and_the_sdk_is_still_named(nothing_recorded):
    right = EXERCISES["04"].check(GO_BUILD_STAGE + "COPY --from=build /app/myapp /app\nCMD [\"/app\"]\n")
    assert right.passed, str(right)
    sdk = EXERCISES["04"].check(GO_BUILD_STAGE + "COPY --from=build /usr/local/go/bin/go /app\nCMD [\"/app\"]\n")
    assert not sdk.passed and "it is part of the golang:1.21 build image" in said(sdk) and "remove line 7" in said(sdk)


# --- a file that reaches the image that ships through another stage (a venv built apart, COPY --from) ----------

VENV_STAGE = "FROM python:3.11-slim AS build\nCOPY requirements.txt .\nRUN python -m venv /venv && /venv/bin/pip install -r requirements.txt\n\n"


@pytest.mark.parametrize("final", [
    "FROM python:3.11-slim\nWORKDIR /app\nCOPY --from=build /venv /venv\nCOPY app.py .\nCMD [\"/venv/bin/python\", \"app.py\"]\n",
    "FROM python:3.11-slim\nCOPY --from=build /venv /venv\nWORKDIR /app\nCOPY . .\nCMD [\"/venv/bin/python\", \"app.py\"]\n",
])
def test_a_venv_answer_to_03_that_copies_the_code_in_the_final_stage_is_not_told_nothing_copies_it(final, nothing_recorded):
    verdict = EXERCISES["03"].check(VENV_STAGE + final)
    assert verdict.passed, str(verdict)
    assert "nothing copies app.py" not in said(verdict)


def test_a_venv_answer_to_03_whose_final_stage_lacks_the_code_is_told_where_to_copy_it(nothing_recorded):
    verdict = EXERCISES["03"].check(VENV_STAGE + "FROM python:3.11-slim\nCOPY --from=build /venv /venv\nCMD [\"/venv/bin/python\", \"app.py\"]\n")
    assert ("the image that ships (FROM python:3.11-slim, line 5): nothing copies app.py into the image" in said(verdict)
            and "Next: add `COPY app.py .` (or `COPY . .`) in the final stage (after line 5)." in said(verdict))


def test_a_venv_answer_to_03_that_copies_the_code_before_the_install_fails(nothing_recorded):
    text = ("FROM python:3.11-slim AS build\nCOPY requirements.txt app.py ./\nRUN python -m venv /venv && /venv/bin/pip install -r requirements.txt\n\n"
            "FROM python:3.11-slim\nCOPY --from=build /venv /venv\nCOPY app.py .\nCMD [\"/venv/bin/python\", \"app.py\"]\n")
    verdict = EXERCISES["03"].check(text)
    assert not verdict.passed and "line 2 `COPY requirements.txt app.py ./`: it copies app.py" in said(verdict)
    assert "before the install on line 3" in said(verdict)


def test_02_sees_the_program_a_copy_from_carries_in(nothing_recorded):
    stage = "FROM python:3.11-slim AS src\nCOPY greet.py /x/\nFROM python:3.11-slim\nWORKDIR /app\n"
    right = EXERCISES["02"].check(stage + "COPY --from=src /x/greet.py .\nCMD [\"python\", \"greet.py\"]\n")
    assert right.passed, str(right)
    elsewhere = EXERCISES["02"].check(stage + "COPY --from=src /x/greet.py /opt/\nCMD [\"python\", \"greet.py\"]\n")
    assert not elsewhere.passed and "line 6 `CMD" in said(elsewhere) and "puts it at /opt/greet.py" in said(elsewhere)
    assert "run `/opt/greet.py`" in said(elsewhere)


# --- `go build` of a package with no go.mod: Go 1.16 and later stop with 'go.mod file not found' --------------
# (checked with the golang:1.21 image: `go build -o myapp` and `go build -o myapp .` exit 1 with that message;
# `go build -o myapp main.go`, GO111MODULE=off or auto, and `go mod init hello` first all build)

SHIP = "\nFROM scratch\nCOPY --from=builder /app/myapp /myapp\nCMD [\"/myapp\"]\n"


@pytest.mark.parametrize("build, said_by_go", [
    ("FROM golang:1.21 AS builder\nWORKDIR /app\nCOPY main.go .\nRUN CGO_ENABLED=0 go build -o myapp\n", "go.mod file not found"),
    ("FROM golang:1.21 AS builder\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o myapp .\n", "go.mod file not found"),
    ("FROM golang:1.21 AS builder\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app/ ./...\n", "does not contain main module"),
    ("FROM golang:1.21 AS builder\nWORKDIR /app\nCOPY . .\nENV GO111MODULE=on\nRUN CGO_ENABLED=0 go build -o myapp .\n", "go.mod file not found"),
])
def test_a_go_build_with_no_go_mod_fails_04_naming_the_line(build, said_by_go, nothing_recorded):
    verdict = EXERCISES["04"].check(build + SHIP)
    assert not verdict.passed and verdict.live == "not run", str(verdict)
    line = build.count("\n")
    assert f"line {line} `RUN" in said(verdict) and "no go.mod is in /app or a folder above it" in said(verdict) and said_by_go in said(verdict)
    assert "Next: name the file, as the single-stage Dockerfile does (`go build -o myapp main.go`)" in said(verdict)
    assert f"`RUN go mod init hello` before line {line}" in said(verdict)


@pytest.mark.parametrize("build", [
    "FROM golang:1.21 AS builder\nWORKDIR /app\nCOPY main.go .\nRUN CGO_ENABLED=0 go build -o myapp main.go\n",
    "FROM golang:1.21 AS builder\nWORKDIR /app\nCOPY main.go .\nRUN go mod init hello && CGO_ENABLED=0 go build -o myapp\n",
    "FROM golang:1.21 AS builder\nWORKDIR /app\nCOPY main.go .\nRUN go mod init hello\nRUN CGO_ENABLED=0 go build -o myapp .\n",
    "FROM golang:1.21 AS builder\nWORKDIR /app\nCOPY main.go .\nRUN GO111MODULE=off CGO_ENABLED=0 go build -o myapp\n",
    "FROM golang:1.21 AS builder\nENV GO111MODULE=auto CGO_ENABLED=0\nWORKDIR /app\nCOPY main.go .\nRUN go build -o myapp\n",
    "FROM golang:1.15 AS builder\nWORKDIR /app\nCOPY main.go .\nRUN CGO_ENABLED=0 go build -o myapp\n",  # before modules by default
])
def test_a_go_build_that_finds_its_package_passes_04(build, nothing_recorded):
    verdict = EXERCISES["04"].check(build + SHIP)
    assert verdict.passed, str(verdict)
    assert "go.mod" not in said(verdict)


def test_a_go_mod_in_the_context_copied_in_is_a_module(tmp_path, nothing_recorded):
    from dockerlab.exercises import static

    (tmp_path / "main.go").write_text("package main\nfunc main() {}\n")
    (tmp_path / "go.mod").write_text("module example.com/hello\n\ngo 1.21\n")
    build = "FROM golang:1.21 AS builder\nWORKDIR /app\nCOPY {} .\nRUN CGO_ENABLED=0 go build -o myapp .\n"
    with_mod = static.multi_stage_is_smaller(tmp_path, build.format("go.mod main.go") + SHIP, "FROM golang:1.21\n")
    assert not with_mod.failed, [finding.render() for finding in with_mod.findings]
    without = static.multi_stage_is_smaller(tmp_path, build.format("main.go") + SHIP, "FROM golang:1.21\n")
    assert without.blocking and "go.mod file not found" in " ".join(finding.render() for finding in without.findings)


# --- hadolint's advice never repeats the course's own finding nor contradicts its hint -------------------------

def advice(verdict) -> list[str]:
    return [message for message in verdict.messages if message.startswith("advice, not required (hadolint")]


def test_the_table_gives_a_reason_for_every_rule_it_drops():
    from dockerlab.exercises.static import LINT_NOT_REPEATED

    assert {("multi_stage_is_smaller", "DL3006"), ("multi_stage_is_smaller", "DL3025"), ("keeps_running_and_stops", "DL3025"),
            ("beside the course's finding", "DL3025")} <= set(LINT_NOT_REPEATED)
    assert all(len(why.split()) >= 8 for why in LINT_NOT_REPEATED.values())


@pytest.mark.parametrize("final, course_says", [
    ("FROM scratch\nCOPY --from=builder /app/myapp /myapp\nCMD /myapp\n", "CMD is in shell form in an image FROM scratch"),
    ("FROM gcr.io/distroless/static-debian12\nCOPY --from=builder /app/myapp /myapp\nCMD /myapp\n",
     "CMD is in shell form in an image FROM gcr.io/distroless/static-debian12, which has no shell"),
])
def test_04_says_the_command_form_once_and_never_tag_the_distroless_image_it_suggests(final, course_says, nothing_recorded):
    verdict = EXERCISES["04"].check(GO_BUILD + final)
    assert not verdict.passed and course_says in said(verdict) and 'Next: write it in JSON form.' in said(verdict)
    assert not [each for each in advice(verdict) if "DL3025" in each or "DL3006" in each], advice(verdict)


def test_04_a_distroless_answer_passes_with_no_advice_to_tag_it(nothing_recorded):
    verdict = EXERCISES["04"].check(GO_BUILD + "FROM gcr.io/distroless/static-debian12\nCOPY --from=builder /app/myapp /myapp\nCMD [\"/myapp\"]\n")
    assert verdict.passed and not advice(verdict), str(verdict)
    debug = EXERCISES["04"].check(GO_BUILD + "FROM gcr.io/distroless/static-debian12:debug\nCOPY --from=builder /app/myapp /myapp\nCMD /myapp\n")
    assert debug.passed, str(debug)  # the :debug images have a shell (busybox)


def test_02a_and_02_never_add_dl3025_beside_their_own_command_finding(nothing_recorded):
    start = EXERCISES["02a"].check(EXERCISES["02a"].starting())
    assert "shell form" in said(start) and not [each for each in advice(start) if "DL3025" in each]
    not_json = EXERCISES["02"].check("FROM python:3.11-slim\nWORKDIR /app\nCOPY greet.py .\nCMD [python, greet.py]\n")
    assert "line 4 `CMD [python, greet.py]`: CMD looks like JSON but is not" in said(not_json)
    assert not [each for each in advice(not_json) if "DL3025" in each], advice(not_json)
    # where the course has nothing to say about a shell-form CMD, hadolint's advice stays
    shell = EXERCISES["02"].check("FROM python:3.11-slim\nWORKDIR /app\nCOPY greet.py .\nCMD python greet.py\n")
    assert shell.passed and [each for each in advice(shell) if "DL3025" in each and "line 4" in each], str(shell)


# --- recorded mode: the learner's text as recorded, the app folder not: the recording is stale for the folder ---

def test_a_recorded_text_whose_app_folder_changed_gets_the_folder_note_not_undo(tmp_path, monkeypatch):
    import shutil

    import dockerlab as dl
    from dockerlab import recorder
    from dockerlab.check import CheckResult
    from dockerlab.exercises import static
    from dockerlab.exercises.tiers import two_tier
    from dockerlab.recording import recordable

    monkeypatch.setattr(recorder, "provenance", lambda command="": {
        "recorded_at": "2026-11-28T10:00:00+00:00", "commit": "abc", "engine_version": "20.10.24", "os_arch": "linux/amd64",
        "stand_in_bases": [], "command": command, "format": 1})

    @two_tier(static.dockerfile_prints, static.MEASURES["dockerfile_prints"])
    @recordable("demo.folder_check")
    def checker(app_dir, expected_line, dockerfile="Dockerfile", *, buildargs=None, exercise="demo"):
        return CheckResult(exercise, True, ["the container printed 'Hello, Docker learner!' and exited 0"], live="measured")

    greeter = tmp_path / "data" / "apps" / "greeter"
    shutil.copytree(dl.paths.app("greeter"), greeter)
    solution = (greeter / "solution.Dockerfile").read_text()
    monkeypatch.setenv("DOCKERLAB_RECORD_TO", str(tmp_path / "data" / "recorded" / "demo.json"))
    recording.reset(directory=tmp_path / "data" / "recorded", root=tmp_path)
    assert checker(greeter, "Hello, Docker learner!", dockerfile=solution).passed
    monkeypatch.delenv("DOCKERLAB_RECORD_TO")
    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
    recording.reset(directory=tmp_path / "data" / "recorded", root=tmp_path)
    assert checker(greeter, "Hello, Docker learner!", dockerfile=solution).live == "replayed"

    (greeter / "greet.py").write_text((greeter / "greet.py").read_text() + "\n# my note\n")
    recording.reset(directory=tmp_path / "data" / "recorded", root=tmp_path)
    verdict = checker(greeter, "Hello, Docker learner!", dockerfile=solution)
    assert verdict.passed and verdict.live == "needs an engine"
    assert "a result was recorded for this exact text, but the app folder's files have changed since (data/apps/greeter/greet.py edited)" in verdict.note
    assert "stale for the folder: restore data/apps/greeter/greet.py to replay it" in verdict.note
    assert "no result was recorded for this exact text" not in verdict.note
    other = checker(greeter, "Hello, Docker learner!", dockerfile=solution.replace("WORKDIR /app", "WORKDIR /srv"))
    assert "no result was recorded for this exact text" in other.note  # a changed text is the learner's change


# --- a JSON-form command whose program string holds a space: one rule for every exercise that reads it ---------

@pytest.mark.parametrize("number, right, wrong, fixed", [
    ("02", 'CMD ["python", "greet.py"]', 'CMD ["python greet.py"]', 'CMD ["python", "greet.py"]'),
    ("02a", 'CMD ["python", "app.py"]', 'CMD ["python app.py"]', 'CMD ["python", "app.py"]'),
    ("04", 'CMD ["/myapp"]', 'CMD ["/myapp --port 8080"]', 'CMD ["/myapp", "--port", "8080"]'),
    ("06", 'CMD ["python", "app.py"]', 'CMD ["python app.py"]', 'CMD ["python", "app.py"]'),
    ("06", 'CMD ["python", "app.py"]', 'ENTRYPOINT ["python app.py"]', 'ENTRYPOINT ["python", "app.py"]'),
])
def test_a_command_list_of_one_spaced_string_fails_with_the_words_split(number, right, wrong, fixed, nothing_recorded):
    solution = EXERCISES[number].solution_text()
    assert right in solution
    verdict = EXERCISES[number].check(solution.replace(right, wrong))
    assert not verdict.passed, str(verdict)
    (message,) = [message for message in verdict.messages if "JSON list of one string" in message]
    keyword, listed = wrong.split(None, 1)
    assert f"`{wrong}`: {keyword} is a JSON list of one string, `{json.loads(listed)[0]}`" in message
    assert f"Next: put each word in its own string: `{fixed}`." in message
    assert " runs it" not in said(verdict)  # nothing says the program starts


def test_a_spaced_string_passed_as_an_argument_to_an_entrypoint_is_not_the_program(nothing_recorded):
    solution = EXERCISES["06"].solution_text().replace('CMD ["python", "app.py"]', 'ENTRYPOINT ["sh", "-c"]\nCMD ["exec python app.py"]')
    verdict = EXERCISES["06"].check(solution)
    assert "JSON list" not in said(verdict), str(verdict)


HEALTH = "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"


def test_05_a_healthcheck_test_with_the_whole_command_in_one_string_after_cmd_fails(nothing_recorded):
    solution = EXERCISES["05"].solution_text()
    right = f'["CMD", "python", "-c", "{HEALTH}"]'
    assert right in solution
    verdict = EXERCISES["05"].check(solution.replace(right, f'["CMD", "python -c \\"{HEALTH}\\""]'))
    assert not verdict.passed, str(verdict)
    (message,) = [message for message in verdict.messages if "JSON list of one string" in message]
    assert message.startswith('the api healthcheck (line 10): its test (after "CMD") is a JSON list of one string, `python -c "import')
    assert f"Next: put each word in its own string: `test: {right}`" in message
    shell = EXERCISES["05"].check(solution.replace(right, f'["CMD-SHELL", "python -c \\"{HEALTH}\\""]'))
    assert "JSON list" not in said(shell), str(shell)


# --- hadolint's message is what it saw; the next step is a step ------------------------------------------------

@pytest.mark.parametrize("copy, step", [
    ("COPY greet.py app/", "Next: set the folder first (`WORKDIR /app` before the COPY), or copy to an absolute path (`COPY greet.py /app/`)."),
    ("COPY greet.py .", "Next: set the folder first: `WORKDIR /app` before the COPY (it copies into / now)."),
])
def test_dl3045_advice_quotes_hadolint_and_gives_a_step(copy, step, nothing_recorded):
    run = "app/greet.py" if "app/" in copy else "greet.py"
    verdict = EXERCISES["02"].check(f"FROM python:3.11-slim\n{copy}\nCMD [\"python\", \"{run}\"]\n")
    (message,) = [each for each in advice(verdict) if "DL3045" in each]
    assert f"line 2 `{copy}`: hadolint says: `COPY` to a relative destination without `WORKDIR` set. {step}" in message
    assert "Next: `COPY`" not in message


def test_every_rule_gets_a_step_not_hadolints_message():
    from dockerlab.exercises.static import LINT_NEXT_STEPS, lint_next_step

    assert lint_next_step("DL9999").startswith("change the line as hadolint's page on the rule says (https://github.com/hadolint/hadolint/wiki/DL9999)")
    assert lint_next_step("DL3045", "COPY app.py ./srv/") == ("set the folder first (`WORKDIR /app` before the COPY), "
                                                             "or copy to an absolute path (`COPY app.py /srv/`).")
    assert all(step.endswith(".") and step[0].islower() for step in LINT_NEXT_STEPS.values())
