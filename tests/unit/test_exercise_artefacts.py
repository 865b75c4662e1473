"""What a build stage makes, read from the text (dockerlab.exercises.artefacts), as exercises 04 and 06 judge it:
for each way of writing the build, a correct answer is judged right and a wrong one is judged wrong, naming the
line and what to change. What the text cannot settle is advice, never a failure."""
import pytest

import dockerlab as dl
from dockerlab import dockerfile as parser
from dockerlab.exercises import artefacts, static
from dockerlab.exercises.catalogue import EXERCISES

_GO = "FROM golang:1.21 AS build\nWORKDIR /src\nCOPY . .\n{run}\n\nFROM scratch\nCOPY --from=build {program} /app\nCMD [\"/app\"]\n"

# (how the build is written, where the program lands): each is a correct answer to exercise 04
GO_FORMS = {
    "go build without -o, a file named": ("RUN CGO_ENABLED=0 go build main.go", "/src/main"),
    "go build -o into a folder (trailing slash)": ("RUN CGO_ENABLED=0 go build -o /out/ main.go", "/out/main"),
    "go build -o into a folder the image has": ("RUN CGO_ENABLED=0 go build -o /usr/local/bin main.go", "/usr/local/bin/main"),
    "go build -o into a folder mkdir made": ("RUN mkdir -p /out && CGO_ENABLED=0 go build -o /out main.go", "/out/main"),
    "go build of the module (go mod init, major version)": ("RUN go mod init example.com/hello/v2 && CGO_ENABLED=0 go build", "/src/hello"),
    "go build ./cmd-style package path": ("RUN mkdir -p cmd/hello && mv main.go cmd/hello/ && go mod init hello && CGO_ENABLED=0 go build ./cmd/hello",
                                          "/src/hello"),
    "go install with GOBIN": ("RUN go mod init example.com/hello && CGO_ENABLED=0 GOBIN=/out go install .", "/out/hello"),
    "go install to GOPATH/bin (the golang image's /go)": ("RUN go mod init hello && export CGO_ENABLED=0 && go install", "/go/bin/hello"),
    "go install cross-compiled (GOOS_GOARCH folder)": ("RUN go mod init hello && CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go install",
                                                       "/go/bin/linux_arm64/hello"),
    "env prefixes and a cd in an && chain": ("RUN cd / && CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -o bin/app /src/main.go", "/bin/app"),
    "exec form": ('ENV CGO_ENABLED=0\nRUN ["go", "build", "-o", "/app", "main.go"]', "/app"),
    "exec form through sh -c": ('RUN ["sh", "-c", "CGO_ENABLED=0 go build -o /app main.go"]', "/app"),
    "build arguments with defaults": ("ARG CGO_ENABLED=0\nARG OUT=/app\nRUN go build -o $OUT main.go", "/app"),
    "no WORKDIR: the golang image's /go": ("RUN CGO_ENABLED=0 go build -o app /src/main.go", "/go/app"),
    "built, then moved with mv": ("RUN CGO_ENABLED=0 go build -o app main.go && mv app /usr/local/bin/", "/usr/local/bin/app"),
    "built, then moved by a later RUN": ("RUN CGO_ENABLED=0 go build -o app main.go\nRUN mv app /usr/local/bin/hello", "/usr/local/bin/hello"),
    "built, then installed with install -m": ("RUN CGO_ENABLED=0 go build -o app main.go && install -m 0755 app /opt/bin/app", "/opt/bin/app"),
    "built, then copied with cp -t": ("RUN CGO_ENABLED=0 go build -o app main.go && cp -t /usr/bin app", "/usr/bin/app"),
}


def _texts(form: str) -> tuple[str, str]:
    run, program = GO_FORMS[form]
    text = _GO.format(run=run, program=program)
    if "no WORKDIR" in form:
        text = text.replace("WORKDIR /src\nCOPY . .", "COPY . /src")
    return text, program


def _failures(verdict) -> str:
    return " ".join(verdict.messages)


@pytest.mark.parametrize("form", sorted(GO_FORMS))
def test_04_a_correct_build_written_this_way_passes(form):
    text, program = _texts(form)
    verdict = EXERCISES["04"].check(text)
    assert verdict.passed, (form, verdict.messages)
    assert not any("cannot be told" in message for message in verdict.messages), verdict.messages


@pytest.mark.parametrize("form", sorted(GO_FORMS))
def test_04_a_wrong_copy_after_a_build_written_this_way_fails_naming_the_line_and_the_program(form):
    """The final stage takes the build stage's whole source folder instead of the program."""
    text, program = _texts(form)
    wrong = text.replace(f"COPY --from=build {program} /app", "COPY --from=build /src /srv")
    line = wrong.splitlines().index("COPY --from=build /src /srv") + 1
    verdict = EXERCISES["04"].check(wrong)
    said = _failures(verdict)
    assert not verdict.passed, said
    assert f"line {line} `COPY --from=build /src /srv`" in said and "main.go (the source)" in said, said
    shown = program if "cross" not in form else "/go/bin/"  # cross-compiled: the folder GOPATH/bin holds only the programs
    assert f"copy just the program: `COPY --from=build {shown}" in said or ("cp" in form and shown in said and "copy just the program" in said), said


def test_04_a_copy_of_the_sdk_beside_the_program_names_what_the_build_made():
    text, _ = _texts("go install to GOPATH/bin (the golang image's /go)")
    wrong = text.replace("CMD", "COPY --from=build /usr/lib/go-1.21 /usr/lib/go\nCMD")
    said = _failures(EXERCISES["04"].check(wrong))
    assert "line 8 `COPY --from=build /usr/lib/go-1.21 /usr/lib/go`" in said and "not the program line 4 builds (/go/bin/hello)" in said, said
    assert "remove line 8" in said, said


@pytest.mark.parametrize("run", [
    "RUN go build -o /app main.go",                                 # cgo on by default
    "RUN CGO_ENABLED=0; go build -o /app main.go",                  # a shell variable, not exported: go never sees it
    "RUN GOBIN=/ go install main.go",
])
def test_04_a_program_built_with_cgo_for_scratch_is_named_however_the_build_is_written(run):
    program = "/main" if "install" in run else "/app"
    verdict = EXERCISES["04"].check(_GO.format(run=run, program=program))
    said = _failures(verdict)
    assert not verdict.passed and f"line 4 `{run}`" in said and "built with cgo" in said, said
    assert "CGO_ENABLED=0" in said


@pytest.mark.parametrize("run", [
    "RUN export CGO_ENABLED=0 && go build -o /app main.go",
    "RUN go build -ldflags '-extldflags \"-static\"' -o /app main.go",
    "RUN go build -tags netgo,osusergo -o /app main.go",
])
def test_04_a_static_program_is_not_called_a_cgo_one(run):
    verdict = EXERCISES["04"].check(_GO.format(run=run, program="/app"))
    assert verdict.passed, verdict.messages


@pytest.mark.parametrize("run, copied, why", [
    ("ARG OUT\nRUN CGO_ENABLED=0 go build -o $OUT main.go", "/out/app", "writes the program to $OUT"),
    ("RUN CGO_ENABLED=0 make", "/src/bin/app", "no RUN in stage build builds in a way this check reads"),
    ("RUN CGO_ENABLED=0 go install main.go", "/go/bin/main", "which Go refuses without GOBIN"),
])
def test_04_what_the_text_cannot_settle_is_advice_not_a_failure(run, copied, why):
    verdict = EXERCISES["04"].check(_GO.format(run=run, program=copied))
    advice = [message for message in verdict.messages if "cannot be told" in message]
    assert verdict.passed, verdict.messages
    assert advice and why in advice[0] and "COPY --from=build" in advice[0], verdict.messages


@pytest.mark.parametrize("run, copied", [("RUN CGO_ENABLED=0 go build", "/src/src"), ("RUN CGO_ENABLED=0 go build -o /out/ /src", "/out/src")])
def test_04_a_package_built_with_no_go_mod_in_the_context_stops_the_build(run, copied):
    # go-hello has no go.mod: golang:1.21 stops both with 'go: go.mod file not found in current directory or any parent directory'
    verdict = EXERCISES["04"].check(_GO.format(run=run, program=copied))
    assert not verdict.passed and "line 4" in verdict.messages[0] and "go.mod file not found" in verdict.messages[0], verdict.messages


# --- Python: the build stage makes a venv, wheels or an install folder; the program is its own source ------------

_PY = ("FROM python:3.11 AS builder\nWORKDIR /build\nCOPY requirements.txt .\n{run}\n\n"
       "FROM python:3.11-slim\n{take}\nWORKDIR /app\nCOPY app.py .\nCMD [\"python\", \"app.py\"]\n")

PYTHON_FORMS = {
    "python -m venv, then installs": ("RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir -r requirements.txt",
                                      "COPY --from=builder /opt/venv /opt/venv\nENV PATH=/opt/venv/bin:$PATH"),
    "a venv on PATH, then pip install": ("RUN python -m venv /opt/venv\nENV PATH=/opt/venv/bin:$PATH\nRUN pip install --no-cache-dir -r requirements.txt",
                                         "COPY --from=builder /opt/venv /opt/venv\nENV PATH=/opt/venv/bin:$PATH"),
    "pip wheel -w": ("RUN pip wheel --no-cache-dir -w /wheels -r requirements.txt",
                     "COPY --from=builder /wheels /wheels\nRUN pip install --no-cache-dir /wheels/*.whl"),
    "pip wheel --wheel-dir=, copied by wildcard": ("RUN pip wheel --wheel-dir=/wheels -r requirements.txt",
                                                   "COPY --from=builder /wheels/*.whl /tmp/\nRUN pip install /tmp/*.whl"),
    "pip wheel into the working directory": ("RUN pip wheel -r requirements.txt", "COPY --from=builder /build/*.whl /tmp/\nRUN pip install /tmp/*.whl"),
    "pip install --prefix": ("RUN pip install --prefix=/install -r requirements.txt", "COPY --from=builder /install /usr/local"),
    "pip install --target": ("RUN python -m pip install -t /deps -r requirements.txt", "COPY --from=builder /deps /deps\nENV PYTHONPATH=/deps"),
    "pip install --user": ("RUN pip install --user -r requirements.txt", "COPY --from=builder /root/.local /root/.local"),
}


@pytest.mark.parametrize("form", sorted(PYTHON_FORMS))
def test_a_python_build_written_this_way_passes_and_a_copy_of_the_toolchain_fails(form):
    app = dl.paths.app("python-wheels")
    run, take = PYTHON_FORMS[form]
    text = _PY.format(run=run, take=take)
    report = static.multi_stage_is_smaller(app, text, "single.Dockerfile")
    assert not report.failed and not [finding for finding in report.findings if not finding.certain], [f.render() for f in report.findings]
    wrong = _PY.format(run=run, take="COPY --from=builder /usr/lib/gcc /usr/lib/gcc\n" + take)
    line = wrong.splitlines().index("COPY --from=builder /usr/lib/gcc /usr/lib/gcc") + 1
    said = " ".join(finding.render() for finding in static.multi_stage_is_smaller(app, wrong, "single.Dockerfile").findings if finding.fails)
    assert f"line {line} `COPY --from=builder /usr/lib/gcc /usr/lib/gcc`" in said and f"remove line {line}" in said, said
    assert "which is not what line" in said, said


def test_a_python_build_into_the_base_images_site_packages_is_advice():
    app = dl.paths.app("python-wheels")
    site = "/usr/local/lib/python3.11/site-packages"
    text = _PY.format(run="RUN pip install -r requirements.txt", take=f"COPY --from=builder {site} {site}")
    report = static.multi_stage_is_smaller(app, text, "single.Dockerfile")
    assert not report.failed, [finding.render() for finding in report.findings]
    assert any("installs into the base image's own site-packages" in finding.render() for finding in report.findings if not finding.fails)


def test_the_course_python_wheels_dockerfile_passes():
    app = dl.paths.app("python-wheels")
    assert not static.multi_stage_is_smaller(app, "Dockerfile", "single.Dockerfile").failed


# --- C: cc/gcc -o, and a.out without it ---------------------------------------------------------------------------


@pytest.fixture
def c_app(tmp_path):
    app = tmp_path / "hello-c"
    app.mkdir()
    (app / "hello.c").write_text('#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n')
    return app


@pytest.mark.parametrize("run, program", [
    ("RUN gcc -static -O2 -o /hello hello.c", "/hello"),
    ("RUN cc -static hello.c", "/src/a.out"),
    ("RUN x86_64-linux-gnu-gcc-12 -static -ohello hello.c && strip hello", "/src/hello"),
    ("RUN cc -c hello.c && cc -static -o hello hello.o", "/src/hello"),
])
def test_a_c_build_passes_and_a_copy_of_its_source_fails(c_app, run, program):
    text = f"FROM gcc:13 AS build\nWORKDIR /src\nCOPY hello.c .\n{run}\n\nFROM scratch\nCOPY --from=build {program} /hello\nCMD [\"/hello\"]\n"
    assert not static.multi_stage_is_smaller(c_app, text, "x").failed
    wrong = text.replace(f"COPY --from=build {program} /hello", "COPY --from=build /src /")
    said = " ".join(finding.render() for finding in static.multi_stage_is_smaller(c_app, wrong, "x").findings if finding.fails)
    assert "line 7 `COPY --from=build /src /`" in said and "hello.c (the source)" in said and "copy just the program" in said, said


# --- 06: a build stage's venv is what it made; the folder with the secrets is not ---------------------------------

_HARDENED = ("FROM python:3.11-slim AS build\nWORKDIR /src\nCOPY . .\nRUN python -m venv /venv && python -m py_compile app.py\n\n"
             "FROM python:3.11-slim\nRUN useradd --create-home --uid 1000 appuser\nWORKDIR /app\n{copies}\nUSER 1000\nCMD [\"/venv/bin/python\", \"app.py\"]\n")


def test_06_a_hardened_image_that_takes_the_venv_and_the_program_passes():
    verdict = EXERCISES["06"].check(_HARDENED.format(copies="COPY --from=build /venv /venv\nCOPY --from=build /src/app.py ."))
    assert verdict.passed, verdict.messages


def test_06_taking_the_build_folder_with_the_secrets_names_the_line_the_program_and_the_venv():
    verdict = EXERCISES["06"].check(_HARDENED.format(copies="COPY --from=build /venv /venv\nCOPY --from=build /src /app"))
    said = _failures(verdict)
    assert not verdict.passed
    assert "line 10 `COPY --from=build /src /app`" in said and ".env" in said, said
    assert "`COPY --from=build /src/app.py .`" in said and "what the stage built (`COPY --from=build /venv /venv`)" in said, said


# --- the reader itself ----------------------------------------------------------------------------------------------


def _made(text: str) -> tuple[list[artefacts.Made], list[str]]:
    parsed = parser.parse(text)
    state = artefacts.base_state(parsed.stages[0].base)
    made, unsure = [], []
    for instruction in parsed.stages[0].instructions:
        if instruction.keyword == "WORKDIR":
            state.workdir = instruction.args[0]
        elif instruction.keyword == "RUN":
            found, why = artefacts.run_outputs(instruction, state)
            made, unsure = made + found, unsure + why
    return made, unsure


@pytest.mark.parametrize("text, made", [
    ("FROM golang:1.21\nRUN go build -o /out/app ./cmd/app", [artefacts.Made("/out/app", False, "go", False)]),
    ("FROM golang:1.21\nRUN go build ./...", []),  # several packages, no -o: built and thrown away
    ("FROM golang:1.21\nRUN go build -o /bin/ ./...", [artefacts.Made("/bin", True, "go", False)]),
    ("FROM golang:1.21\nRUN go build -o /dev/null .", []),
    ("FROM golang:1.21\nWORKDIR /w\nRUN go build -C tools -o x .", [artefacts.Made("/w/tools/x", False, "go", False)]),
    ("FROM debian:12\nRUN GOPATH=/gp go install example.com/tool@v1.2.3", [artefacts.Made("/gp/bin/tool", False, "go", False)]),
    ("FROM debian:12\nRUN go install example.com/tool@latest", [artefacts.Made("/root/go/bin/tool", False, "go", False)]),
    ("FROM python:3.11\nRUN uv venv /v && uv pip install --target /t x", [artefacts.Made("/v", True, "python"), artefacts.Made("/t", True, "python")]),
    ("FROM python:3.11\nRUN virtualenv /env", [artefacts.Made("/env", True, "python")]),
    ("FROM gcc:13\nRUN gcc -E x.c > x.i", []),
    ("FROM golang:1.21\nRUN go build -o /x main.go 2>&1 > /dev/null", [artefacts.Made("/x", False, "go", False)]),  # redirections are not packages
])
def test_run_outputs_reads_what_each_command_makes(text, made):
    assert _made(text) == (made, [])


def test_a_gobin_that_is_not_absolute_is_unsure_not_guessed():
    made, unsure = _made("FROM golang:1.21\nRUN GOBIN=bin go install example.com/tool@latest")
    assert made == [] and "must be absolute" in unsure[0] and "(line 2)" in unsure[0]


def test_04_a_passing_verdict_names_the_program_it_ships_and_the_line_that_built_it():
    text, _ = _texts("go install to GOPATH/bin (the golang image's /go)")
    verdict = EXERCISES["04"].check(text)
    assert verdict.passed and any("takes only what the build made: /go/bin/hello (line 4)" in message for message in verdict.messages), verdict.messages


def test_wheels_built_in_the_root_folder_are_unsure_not_the_whole_image():
    made, unsure = _made("FROM python:3.11\nRUN pip wheel -r requirements.txt")
    assert made == [] and "puts what it makes in /, among the image's own files" in unsure[0]


def test_04_go_build_into_the_folder_a_copy_made_writes_the_program_inside_it():
    text = _GO.format(run="RUN CGO_ENABLED=0 go build -o /src main.go", program="/src/main").replace("WORKDIR /src\nCOPY . .", "COPY . /src/")
    verdict = EXERCISES["04"].check(text)
    assert verdict.passed and any("/src/main (line 3)" in message for message in verdict.messages), verdict.messages


def test_04_the_path_a_program_was_moved_away_from_is_not_the_program():
    text = _GO.format(run="RUN CGO_ENABLED=0 go build -o app main.go\nRUN mv app /usr/local/bin/hello", program="/src/app")
    said = _failures(EXERCISES["04"].check(text))
    assert "line 8 `COPY --from=build /src/app /app`" in said and "(/usr/local/bin/hello)" in said, said


def test_04_a_program_copied_to_a_path_the_text_does_not_give_is_advice():
    text = _GO.format(run="ARG D\nRUN CGO_ENABLED=0 go build -o app main.go && cp app $D", program="/x/app")
    verdict = EXERCISES["04"].check(text)
    assert verdict.passed and any("`cp app $D` (line 5) copies what the build made to $D" in message for message in verdict.messages), verdict.messages
