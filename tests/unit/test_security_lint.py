"""dl.security.lint runs the real hadolint (no engine needed)."""
import pytest

import dockerlab as dl
from dockerlab import security

SEED = 'FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nCMD ["python", "app.py"]\n'


def test_latest_is_dl3007():
    table = security.lint("FROM alpine:latest\nCMD [\"true\"]\n")
    row = table[table["rule"] == "DL3007"].iloc[0]
    assert row["line"] == 1 and "moves" in row["why_it_matters"]


def test_a_sloppy_dockerfile_gets_the_rules_that_matter():
    table = security.lint("FROM python:3.11-slim\nRUN apt-get update && apt-get install -y curl\nRUN pip install requests\nCMD python app.py\n")
    assert {"DL3008", "DL3009", "DL3015", "DL3042", "DL3025"} <= set(table["rule"])
    assert (table["why_it_matters"] != "").all()


def test_the_seed_dockerfile_is_clean():
    assert security.lint(SEED).empty


def test_stage_references_are_marked_not_applicable():
    dockerfile = (
        "FROM golang:1.21 AS builder\nUSER root\nRUN echo build\n"
        "FROM builder AS tested\nRUN echo test\n"
        "FROM alpine:3.20\nCOPY --from=tested /etc/hostname /x\nUSER 65532\nCMD [\"true\"]\n"
    )
    table = security.lint(dockerfile)
    build_stage_root = table[table["rule"] == "DL3002"]
    assert len(build_stage_root) >= 1, "hadolint flags USER root in a build stage"
    assert build_stage_root["not_applicable"].str.contains("build stage").all()
    final_root = security.lint("FROM alpine:3.20\nUSER root\nCMD [\"true\"]\n")
    assert (final_root.loc[final_root["rule"] == "DL3002", "not_applicable"] == "").all(), "a root final stage is a real finding"


def test_a_path_is_read_relative_to_the_context():
    app = dl.paths.app("layer-cache")
    table = security.lint("exercise.Dockerfile", context=app)
    assert list(table.columns)[:3] == ["rule", "line", "severity"]


def test_a_root_user_the_final_stage_inherits_applies_and_a_build_stages_does_not():
    from dockerlab import security

    inherited = "FROM alpine:3.20 AS base\nUSER root\nRUN true\n\nFROM base\nCMD [\"sh\"]\n"
    findings = security.lint(inherited)
    row = findings[findings["rule"] == "DL3002"]
    assert len(row) == 1 and row["not_applicable"].iloc[0] == ""  # the final image runs as root
    build_only = "FROM alpine:3.20 AS build\nUSER root\nRUN true\n\nFROM alpine:3.20\nUSER 1000\nCMD [\"sh\"]\n"
    findings = security.lint(build_only)
    assert (findings[findings["rule"] == "DL3002"]["not_applicable"] != "").all()


def test_hadolint_reads_the_learners_own_config_in_their_folder(tmp_path):
    from dockerlab import security

    (tmp_path / "Dockerfile").write_text("FROM alpine:latest\nCMD sh\n")
    assert "DL3007" in set(security.lint("Dockerfile", tmp_path)["rule"])
    (tmp_path / ".hadolint.yaml").write_text("ignored:\n  - DL3007\n")
    assert "DL3007" not in set(security.lint("Dockerfile", tmp_path)["rule"])


@pytest.mark.parametrize("config", [".hadolint.yaml", ".hadolint.yml"])
def test_hadolint_reads_the_config_beside_a_dockerfile_in_a_subfolder(tmp_path, config):
    from dockerlab import security

    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "Dockerfile").write_text("FROM alpine:latest\nRUN apk add curl\n")
    assert "DL3007" in set(security.lint("sub/Dockerfile", tmp_path)["rule"])
    (sub / config).write_text("ignored:\n  - DL3007\n")
    # `hadolint Dockerfile` run in sub/ reads sub's config: so does the course, whatever the context
    assert "DL3007" not in set(security.lint("sub/Dockerfile", tmp_path)["rule"])
    assert "DL3007" not in set(security.lint(str(sub / "Dockerfile"), tmp_path)["rule"])
    # a config in the context folder but not beside the Dockerfile is not the one hadolint reads there
    (sub / config).unlink()
    (tmp_path / config).write_text("ignored:\n  - DL3007\n")
    assert "DL3007" in set(security.lint("sub/Dockerfile", tmp_path)["rule"])


# Measured on engine 20.10.24 with /usr/bin/docker build (CLI 20.10.24): `FROM alpine:3.20 AS <name>` / `USER root` /
# `RUN echo stage > /marker` / `FROM <word>` / `RUN cat /marker && id -u`. DOCKER_BUILDKIT=0 (classic) built every pair
# below on the stage and printed uid 0; DOCKER_BUILDKIT=1 built (uid 0) only where <word> is lowercase, and stopped at
# the others with `failed to parse stage name "BUILDER": invalid reference format: repository name must be lowercase`.
_ROOT_STAGE = "FROM alpine:3.20 AS {name}\nUSER root\nRUN echo stage > /marker\nFROM {word}\nRUN cat /marker && id -u\n"


@pytest.mark.parametrize("name, word, on_buildkit", [
    ("builder", "BUILDER", False), ("Builder", "BUILDER", False), ("builder", "Builder", False),
    ("Builder", "builder", True), ("BUILDER", "builder", True),
])
def test_dl3002_in_a_stage_the_final_from_names_applies_as_each_builder_matches_the_name(name, word, on_buildkit):
    text = _ROOT_STAGE.format(name=name, word=word)
    classic = security.lint(text, builder="classic")
    row = classic[classic["rule"] == "DL3002"]
    assert list(row["line"]) == [2] and row["not_applicable"].iloc[0] == ""  # classic: the final image runs as uid 0
    kit = security.lint(text, builder="buildkit")
    row = kit[kit["rule"] == "DL3002"]
    assert list(row["line"]) == [2]
    if on_buildkit:
        assert row["not_applicable"].iloc[0] == ""
    else:  # BuildKit builds no final image from it; the finding says why and what the classic builder would do
        said = row["not_applicable"].iloc[0]
        assert f"`FROM {word}` is not the stage `{word.lower()}`" in said and "classic builder the final image would run as this root USER" in said


def test_lint_follows_the_builder_builds_use_here_when_none_is_named(monkeypatch):
    from dockerlab import buildkit

    text = _ROOT_STAGE.format(name="builder", word="BUILDER")
    for name, applies in (("classic", True), ("buildkit", False)):
        monkeypatch.setattr(buildkit, "choice", lambda name=name: buildkit.BuilderChoice(name, "test", "test"))
        row = security.lint(text).query("rule == 'DL3002'")
        assert (row["not_applicable"].iloc[0] == "") is applies


def test_lint_refuses_an_unknown_builder():
    from dockerlab.errors import DockerlabError

    with pytest.raises(DockerlabError, match="unknown builder 'kaniko'"):
        security.lint("FROM alpine:3.20\n", builder="kaniko")


# --- #22 leftover: a broken `.hadolint.yaml` beside the Dockerfile is said, not silently dropped ------------------
@pytest.mark.parametrize("config, config_name", [
    ("ignored: [DL3018\n  bad: : :\n", ".hadolint.yaml"),  # invalid YAML
    ("ignored: [DL3025\n", ".hadolint.yaml"),  # invalid YAML whose reason names a newline: `Unexpected '\\n'`
    ("failure-threshold: bogus\n", ".hadolint.yaml"),  # a value hadolint refuses
    ("ignored:\n  - DL3007\noverride:\n  error: DL3008\n", ".hadolint.yml"),  # a list expected, a word given
])
def test_a_config_hadolint_cannot_read_is_an_error_naming_the_file_and_quoting_hadolint(tmp_path, config, config_name):
    import json
    import subprocess

    from dockerlab import security
    from dockerlab.errors import LintConfigInvalid

    (tmp_path / "Dockerfile").write_text("FROM alpine:latest\nRUN apk add curl\n")
    (tmp_path / config_name).write_text(config)
    # what `hadolint Dockerfile` does in that folder: says the file is unreadable, and lints without it
    ran = subprocess.run([security._hadolint(), "--no-fail", "-f", "json", "Dockerfile"], cwd=tmp_path, capture_output=True, text=True)
    said = json.loads(ran.stderr.strip())  # one quoted string, escapes and all
    assert "Error parsing your config file" in said and str(tmp_path / config_name) in said, said
    assert json.loads(ran.stdout) and ran.returncode == 0  # and lints without the file
    with pytest.raises(LintConfigInvalid) as raised:
        security.lint("Dockerfile", tmp_path)
    error = raised.value
    assert error.path == str(tmp_path / config_name) and str(tmp_path / config_name) in str(error)
    # hadolint's own words after its help text, as it prints them
    assert error.reason and ran.stderr.strip().strip('"').removesuffix("\\n").endswith(error.reason) and error.reason in str(error)
    assert "It should contain one of the keys" not in error.reason
    assert error.fix and "What to do:" in str(error)
    with pytest.raises(LintConfigInvalid):  # the Dockerfile given as text, linted in that folder
        security.lint("FROM alpine:3.20\n", tmp_path)


def test_a_config_hadolint_reads_without_complaint_is_no_error(tmp_path):
    """hadolint (2.15) ignores a key it does not know, silently; the course lints as it does, not stricter."""
    from dockerlab import security

    (tmp_path / "Dockerfile").write_text("FROM alpine:latest\nCMD sh\n")
    (tmp_path / ".hadolint.yaml").write_text("ignoredd:\n  - DL3007\n")  # misspelled: hadolint applies nothing, says nothing
    assert "DL3007" in set(security.lint("Dockerfile", tmp_path)["rule"])


def test_an_exercise_check_says_the_broken_config_as_advice_and_still_judges(tmp_path):
    from dockerlab.exercises import static

    (tmp_path / "greet.py").write_text('print("hello")\n')
    (tmp_path / "Dockerfile").write_text("FROM python:3.11-slim\nWORKDIR /app\nCOPY greet.py .\nCMD python greet.py\n")
    (tmp_path / ".hadolint.yaml").write_text("ignored: [DL3025\n")
    report = static.dockerfile_prints(str(tmp_path), "hello")
    said = [finding.text for finding in report.findings if finding.text.startswith("hadolint's advice is skipped")]
    assert not report.blocking and len(said) == 1 and str(tmp_path / ".hadolint.yaml") in said[0] and "Next:" in said[0], report
    assert not any(finding.fails for finding in report.findings if finding.text in said)
