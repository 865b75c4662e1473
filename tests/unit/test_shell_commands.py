"""Which commands a RUN runs, read by a real shell grammar (tree-sitter-bash): an install is found
wherever a shell would run it (issue 22 kind D), never in text an echo prints or a comment."""
import pytest

from dockerlab.dockerfile import runs_pip_install, shell_commands

REQ = "--no-cache-dir -r requirements.txt"


@pytest.mark.parametrize("run", [
    f"RUN if [ -f requirements.txt ]; then pip install {REQ}; fi",
    f"RUN pip --retries 3 install {REQ}",
    f"RUN timeout 600 pip install {REQ}",
    f"RUN timeout -s KILL 10m pip3 install {REQ}",
    "RUN for f in requirements.txt; do pip install -r $f; done",
    f"RUN {{ pip install {REQ}; }}",
    f"RUN (cd /app && pip install {REQ})",
    f"RUN python -Im pip install {REQ}",
    f"RUN python3 -X utf8 -m pip install {REQ}",
    f'RUN bash -lc "pip install {REQ}"',
    f"RUN bash -o pipefail -c 'pip install {REQ} | tee /log'",
    f"RUN uv pip install --system {REQ}",
    f"RUN pip --proxy http://127.0.0.1:3128 --timeout=60 install {REQ}",
    f"RUN while false; do :; done; case x in x) pip install {REQ};; esac",
    f"RUN set -eux; \\\n    pip install {REQ}; \\\n    rm -rf /root/.cache",
    f"RUN env -u HOME PIP_NO_CACHE_DIR=1 sudo -u root nice -n 5 pip install {REQ}",
    f"RUN ! pip install {REQ} || true",
    f"RUN f() {{ pip install \"$@\"; }}; f {REQ}",
    "RUN xargs -a requirements.txt -n 1 pip install",
    # #22 D fresh tester: su and runuser run a command as another user (03 failed these as "no RUN installs")
    f"RUN su -c 'pip install {REQ}' root",
    f"RUN su - app -s /bin/sh -c 'pip install --user {REQ}'",
    f"RUN su --command='pip install {REQ}' app",
    f"RUN runuser -l app -c 'pip install --user {REQ}'",
    f"RUN runuser -u app -- pip install --user {REQ}",
])
def test_an_install_wherever_a_shell_runs_it_is_found(run):
    assert runs_pip_install(run), shell_commands(run)


@pytest.mark.parametrize("run", [
    "RUN echo 'if true; then pip install x; fi'",
    'RUN printf "%s\\n" "bash -lc pip install x"',
    "RUN pip --retries 3 download -r requirements.txt",
    "RUN uv pip compile requirements.in",
    "RUN timeout 600 pip list",
    "RUN python -c 'import pip' -m pip install",  # -c ends python's options: the rest are the script's arguments
    "RUN cat <<EOF > /notes\npip install x\nEOF",  # a heredoc's body is text written to a file
    "RUN true # pip install later",
    "RUN su - app",  # a login shell, no command
    "RUN su -c 'echo pip install x' app",
])
def test_text_that_only_mentions_an_install_is_not_one(run):
    assert not runs_pip_install(run), shell_commands(run)


def test_commands_are_words_as_the_shell_reads_them():
    assert shell_commands("RUN A=1 cd '/my app' && { echo \"a b\"; }") == [["cd", "/my app"], ["echo", "a b"]]
    assert shell_commands('RUN ["sh", "-c", "pip install x"]') == [["pip", "install", "x"]]


@pytest.mark.parametrize("run, installs", [
    ("RUN <<EOF\nset -e\npip install -r requirements.txt\nEOF", True),  # the shell runs a whole-heredoc RUN
    ("RUN bash <<EOF\npip install -r requirements.txt\nEOF", True),  # a shell reads its script from the heredoc
    ("RUN <<EOF\n#!/usr/bin/env python3\nprint('pip install x')\nEOF", False),  # another interpreter's script
])
def test_a_heredoc_is_a_script_only_where_a_shell_runs_it(run, installs):
    assert runs_pip_install(run) is installs, shell_commands(run)


@pytest.mark.parametrize("run, files", [
    ("RUN if [ -f requirements.txt ]; then pip install --no-cache-dir -r requirements.txt; fi", ["requirements.txt"]),
    ("RUN pip install -rreq/dev.txt && python -m pip install --requirement=base.txt", ["req/dev.txt", "base.txt"]),
    ('RUN bash -lc "pip install --requirement \'my reqs.txt\'"', ["my reqs.txt"]),
    ("RUN echo -r nothing.txt && pip install flask", []),
])
def test_the_requirements_file_is_the_word_pip_gets(run, files):
    from dockerlab.dockerfile import pip_requirement_files

    assert pip_requirement_files(run) == files


@pytest.mark.parametrize("run", [
    "RUN if [ -f requirements.txt ]; then pip install --no-cache-dir -r requirements.txt; fi",
    "RUN pip --retries 3 install --no-cache-dir -r requirements.txt",
    "RUN timeout 600 pip install --no-cache-dir -r requirements.txt",
    "RUN { python -Im pip install --no-cache-dir -r requirements.txt; }",
    "RUN su -c 'pip install --no-cache-dir -r requirements.txt' root",
])
def test_a_correct_deps_first_dockerfile_passes_03s_static_check(run):
    """Issue 22 kind D: these failed 03 ("no RUN installs the dependencies", or "reads requirements.txt;")."""
    import dockerlab as dl
    from dockerlab.exercises.static import cache_survives_code_edit

    text = f'FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt ./\n{run}\nCOPY app.py ./\nCMD ["python", "app.py"]\n'
    report = cache_survives_code_edit(dl.paths.app("layer-cache"), text)
    assert not [finding for finding in report.findings if finding.fails], report.findings


@pytest.mark.parametrize("run, steps", [
    ("RUN CGO_ENABLED=0 GOOS=linux go build -o /out/app .", [({"CGO_ENABLED": "0", "GOOS": "linux"}, ["go", "build", "-o", "/out/app", "."])]),
    ('RUN export CGO_ENABLED=0 GOBIN="/o u t" && cd /src && go install ./cmd/x',
     [({"CGO_ENABLED": "0", "GOBIN": "/o u t"}, ["export", "CGO_ENABLED=0", "GOBIN=/o u t"]), ({}, ["cd", "/src"]), ({}, ["go", "install", "./cmd/x"])]),
    ("RUN env -u HOME GOBIN=/bin sudo go install .", [({"GOBIN": "/bin"}, ["go", "install", "."])]),
    ('RUN sh -c "GOARCH=arm64 go build"', [({"GOARCH": "arm64"}, ["go", "build"])]),
    ('RUN ["go", "build", "-o", "/app"]', [({}, ["go", "build", "-o", "/app"])]),
])
def test_shell_steps_keep_the_variables_each_command_is_given(run, steps):
    """The variables written before a command (or exported before it) reach that program: `go` reads GOBIN, GOOS,
    CGO_ENABLED from them. shell_commands stays the words alone, without the exports."""
    from dockerlab.dockerfile import shell_steps

    assert shell_steps(run) == steps
    assert shell_commands(run) == [words for _, words in steps if words[0] != "export"]
