"""dl.security's audit, secret finder and hardening verdict, on hand-made layers (no engine)."""
import datetime
import json
from pathlib import Path

import pandas as pd
import pytest

from dockerlab import check, secret_rules, security
from dockerlab.containers import RunResult
from dockerlab.layerfs import LayerFiles

FIXTURES = Path(__file__).parent.parent / "fixtures"
PASSWD = b"root:x:0:0:root:/root:/bin/bash\nappuser:x:1000:1000::/home/appuser:/bin/sh\n"
STATUS = b"Package: bash\nStatus: install ok installed\n\nPackage: gone\nStatus: deinstall ok config-files\n\nPackage: dash\nStatus: install ok installed\n"


def layer(instruction, files=None, whiteouts=(), special=None, examined=None):
    files = files or {}
    return LayerFiles(instruction, dict(files), list(whiteouts), [], 0, sum(files.values()), dict(special or {}), dict(examined or {}))


def inspect(user="", env=(), ports=None, created="2026-11-20T10:00:00.123456789Z"):
    return {"Created": created, "Size": 1234, "Config": {"User": user, "Env": list(env), "ExposedPorts": ports, "Labels": {}}}


def base_layers(package_records: bool = True):
    """A base layer and a pip layer; with the package records audit's examine hook keeps."""
    examined = {"/etc/passwd": PASSWD, "/var/lib/dpkg/status": STATUS} if package_records else {}
    return [
        layer("(base layer)", {"/usr/bin/sh": 0, "/usr/bin/su": 70000, "/etc/passwd": len(PASSWD), "/var/lib/dpkg/status": len(STATUS)},
              special={"/usr/bin/su": 0o4755}, examined=examined),
        layer("RUN pip install requests", {"/usr/local/lib/python3.11/site-packages/requests-2.32.3.dist-info/METADATA": 10}),
    ]


NOW = datetime.datetime(2026, 11, 28, 10, 0, tzinfo=datetime.timezone.utc)


def test_default_user_is_root_and_everything_is_counted():
    row = security.audit_from_layers("app", inspect(ports={"8000/tcp": {}}), base_layers(), now=NOW)
    assert row["runs_as_root"] and row["user"] == "root (uid 0)"
    assert row["shell"] == "/usr/bin/sh"
    assert row["setuid_setgid_files"] == 1 and row["setuid_setgid_paths"] == ["/usr/bin/su"]
    assert (row["dpkg_packages"], row["pip_packages"], row["packages"]) == (2, 1, 3)
    assert row["exposed_ports"] == "8000/tcp"
    assert row["age_days"] == 8.0


def test_a_named_user_is_resolved_through_the_images_passwd():
    row = security.audit_from_layers("app", inspect(user="appuser"), base_layers(), now=NOW)
    assert not row["runs_as_root"] and row["user"] == "appuser (uid 1000)"
    assert security.audit_from_layers("app", inspect(user="0:0"), base_layers(), now=NOW)["runs_as_root"]
    unknown = security.audit_from_layers("app", inspect(user="ghost"), base_layers(), now=NOW)
    assert unknown["runs_as_root"] is False and unknown["user"] == "ghost"


def test_a_deleted_shell_and_setuid_file_no_longer_count():
    layers = base_layers() + [layer("RUN rm /usr/bin/su /usr/bin/sh", whiteouts=["/usr/bin/su", "/usr/bin/sh"])]
    row = security.audit_from_layers("app", inspect(), layers, now=NOW)
    assert row["shell"] == "none" and row["setuid_setgid_files"] == 0


def test_secret_env_names_are_reported_without_values():
    row = security.audit_from_layers("app", inspect(env=["PATH=/usr/bin", "DB_PASSWORD=hunter22", "API_TOKEN="]), base_layers(), now=NOW)
    assert row["secret_looking_env"] == "DB_PASSWORD"


def test_distroless_style_package_records_are_counted():
    examined = {"/var/lib/dpkg/status.d/tzdata": b"Package: tzdata\n", "/var/lib/dpkg/status.d/netbase": b"Package: netbase\n"}
    row = security.audit_from_layers("d", inspect(user="65532"), [layer("COPY rootfs", {path: 10 for path in examined}, examined=examined)], now=NOW)
    assert row["dpkg_packages"] == 2 and row["user"] == "uid 65532" and row["shell"] == "none"


def test_the_package_database_says_where_the_counts_come_from_and_when_none_could_be_read():
    assert security.audit_from_layers("app", inspect(), base_layers(), now=NOW)["package_database"] == "dpkg"
    examined = {"/var/lib/dpkg/status.d/tzdata": b"Package: tzdata\n"}
    distroless = security.audit_from_layers("d", inspect(), [layer("COPY rootfs", {path: 10 for path in examined}, examined=examined)], now=NOW)
    assert distroless["package_database"] == "dpkg status.d" and distroless["packages"] == 1
    apk = b"P:musl\nV:1.2.5\n\nP:busybox\nV:1.36\n"
    alpine = security.audit_from_layers("a", inspect(), [layer("ADD rootfs", {"/bin/busybox": 900, "/lib/apk/db/installed": len(apk)},
                                                               examined={"/lib/apk/db/installed": apk})], now=NOW)
    assert (alpine["package_database"], alpine["apk_packages"]) == ("apk", 2)
    # busybox built from Debian packages, without apk's database (the course's alpine stand-in), or scratch:
    # 0 packages, and the row says that nothing recorded them rather than that there are none
    busybox = security.audit_from_layers("b", inspect(), [layer("ADD rootfs", {"/bin/busybox": 900, "/bin/sh": 0})], now=NOW)
    assert busybox["packages"] == 0 and busybox["package_database"] == security.NO_PACKAGE_DATABASE
    assert "not counted" in security.NO_PACKAGE_DATABASE
    # a database deleted in a later layer is gone from the image: no longer counted from
    removed = base_layers() + [layer("RUN rm /var/lib/dpkg/status", whiteouts=["/var/lib/dpkg/status"])]
    assert security.audit_from_layers("app", inspect(), removed, now=NOW)["package_database"] == security.NO_PACKAGE_DATABASE


def test_the_attack_surface_plot_says_which_zero_has_no_package_database():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from dockerlab import plots
    from dockerlab.columns import AUDIT

    rows = [security.audit_from_layers(image, inspect(), layers, now=NOW) for image, layers in
            [("python:3.11-slim", base_layers()), ("alpine:3.20", [layer("ADD rootfs", {"/bin/busybox": 900, "/bin/sh": 0})])]]
    table = AUDIT.frame([{key: value for key, value in row.items() if key != "setuid_setgid_paths"} for row in rows])
    labels = [text.get_text() for text in plots.attack_surface(table).texts]
    assert labels == ["3", "0: no package database"]
    plt.close("all")


def test_the_recorded_python_slim_inspect_parses():
    recorded = json.loads((FIXTURES / "image_python_slim.json").read_text())
    row = security.audit_from_layers("python:3.11-slim", recorded["inspect"], base_layers())
    assert row["size"] == recorded["inspect"]["Size"] and row["age_days"] >= 0


ENV_FILE = b"# dev\nAPI_TOKEN=dl-demo-7f3a9c2e5b1d4f60\nAWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"


SECRET_FILE_REASON = secret_rules.SECRET_FILE_NAMES[".env"]


def secret_layers(deleted: bool):
    examined = {"/app/.env": security._look_for_secrets("/app/.env", len(ENV_FILE), lambda: ENV_FILE)}
    layers = base_layers(package_records=False) + [layer("COPY . .", {"/app/.env": len(ENV_FILE), "/app/app.py": 10}, examined=examined)]
    if deleted:
        layers.append(layer("RUN rm .env", whiteouts=["/app/.env"]))
    return layers


def test_a_secret_deleted_in_a_later_layer_is_still_found():
    table = security.secrets_from_layers("app", inspect(), secret_layers(deleted=True))
    # one row for the file, every reason in it: its name, the AWS key id, the token assignment
    assert list(table["where"]) == ["/app/.env"]
    assert set(table["what"].iloc[0].split("; ")) == {SECRET_FILE_REASON, "an AWS access key id", "a password or token assignment"}
    assert (table["removed_by"] == "RUN rm .env").all() and not table["visible_in_final_filesystem"].any()
    assert not table["evidence"].str.contains("EXAMPLE").any()  # evidence is shortened, never the whole key


def test_a_visible_secret_says_so():
    table = security.secrets_from_layers("app", inspect(), secret_layers(deleted=False))
    assert table["visible_in_final_filesystem"].all() and (table["where"] == "/app/.env").all()


def test_private_keys_are_found_by_content_and_public_certificates_are_not():
    key = b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn...\n"
    # the whole key block is the secret (so a RUN that wrote it is masked whole), shown shortened
    assert security._look_for_secrets("/app/deploy.pem", len(key), lambda: key) == [("a private key", "----…(45 characters)")]
    cert = b"-----BEGIN CERTIFICATE-----\nMIIB...\n"
    assert security._look_for_secrets("/app/ca.pem", len(cert), lambda: cert) is None
    assert security._look_for_secrets("/home/app/.ssh/id_rsa", 0, lambda: b"")[0][0] == "an SSH private key"


def test_placeholders_and_variable_references_are_not_secrets():
    text = b'PASSWORD=""\nTOKEN=$TOKEN_FROM_ENV\nDB_PASSWORD=${DB_PASSWORD}\n'
    assert security._look_for_secrets("/app/start.sh", len(text), lambda: text) is None


def test_build_args_and_env_values_are_reported():
    layers = base_layers(package_records=False) + [layer("RUN echo build", {"/x": 1})]
    history = ["|1 API_TOKEN=abcdef123456 /bin/sh -c echo build", "/bin/sh -c #(nop)  ARG API_TOKEN"]  # raw, newest first
    table = security.secrets_from_layers("app", inspect(env=["DB_PASSWORD=hunter2222"]), layers, history)
    assert {"ENV DB_PASSWORD", "ARG API_TOKEN"} <= set(table["where"])


def test_a_clean_image_has_no_findings():
    assert security.secrets_from_layers("app", inspect(), base_layers(package_records=False)).empty


def test_scan_without_trivy_says_how_to_get_it(monkeypatch):
    monkeypatch.setattr(security, "tool", lambda name: None)
    result = security.scan("python:3.11-slim")
    assert not result.available and result.vulnerabilities is None
    assert "not installed" in str(result) and "trivy image" in str(result)


def lint_rows(*rules):
    return pd.DataFrame([{"rule": r, "line": 1, "not_applicable": "", "why_it_matters": security.RULES.get(r, "")} for r in rules],
                        columns=["rule", "line", "not_applicable", "why_it_matters"])


def test_hardening_verdict_passes_only_when_everything_holds():
    good_run = RunResult("x", "", 0, "report service ready\n", 0.1)
    audit_ok = {"runs_as_root": False, "user": "appuser (uid 1000)"}
    no_secrets = pd.DataFrame(columns=["where"])
    assert check.judge_hardening("h", lint_rows("DL3008"), audit_ok, no_secrets, good_run, "report service ready").passed
    rooted = check.judge_hardening("h", lint_rows(), {"runs_as_root": True, "user": "root (uid 0)"}, no_secrets, good_run, "report service ready")
    assert not rooted.passed and "USER" in rooted.messages[0]
    leaky = check.judge_hardening("h", lint_rows(), audit_ok, pd.DataFrame({"where": ["/app/.env"]}), good_run, "report service ready")
    assert not leaky.passed and "/app/.env" in leaky.messages[0]
    shell_cmd = check.judge_hardening("h", lint_rows("DL3025"), audit_ok, no_secrets, good_run, "report service ready")
    assert not shell_cmd.passed and "shell form" in shell_cmd.messages[0]
    unbuilt = check.judge_hardening("h", lint_rows("DL3007"), None, None, None, "report service ready")
    assert not unbuilt.passed and ":latest" in unbuilt.messages[0]


def test_a_buildkit_build_arg_is_found_once_and_masked_everywhere():
    history = [  # as BuildKit records them, newest first: the argument is repeated on every later RUN
        "RUN |1 API_TOKEN=sk-live-abcdef123456 /bin/sh -c echo again # buildkit",
        "RUN |1 API_TOKEN=sk-live-abcdef123456 /bin/sh -c echo using it # buildkit",
        "ARG API_TOKEN",
    ]
    table = security.secrets_from_layers("app", inspect(), base_layers(package_records=False), history)
    assert list(table["where"]) == ["ARG API_TOKEN"]
    assert table.iloc[0]["layer"].endswith("echo using it")  # where it first appears
    assert "sk-live-abcdef123456" not in table.to_string()


@pytest.mark.parametrize("command", [
    "RUN /bin/sh -c export API_KEY=sk-live-1234567890abcdef && true # buildkit",
    "/bin/sh -c curl -H x && DB_PASSWORD=correcthorse ./migrate",
    "RUN /bin/sh -c aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE # buildkit",
])
def test_a_secret_written_into_a_build_command_is_found_by_content(command):
    table = security.secrets_from_layers("app", inspect(), base_layers(package_records=False), [command])
    assert len(table) == 1 and "RUN command" in table.iloc[0]["what"]


@pytest.mark.parametrize("command, secret, said", [
    ('RUN /bin/sh -c curl -fsSL -H "Authorization: Bearer ghp_16C7e42F292c6912E7710c838347Ae178B4a" https://api.github.com/x # buildkit',
     "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "GitHub token"),
    ("RUN /bin/sh -c pip install --index-url https://deploy:s3cretPassw0rd@pypi.example.com/simple app # buildkit",
     "s3cretPassw0rd", "password in a URL"),
    ('RUN /bin/sh -c wget --header "Authorization: Basic ZGVwbG95OnMzY3JldA==" https://example.com/f # buildkit',
     "ZGVwbG95OnMzY3JldA==", "Authorization header"),
])
def test_a_secret_with_no_telling_name_is_found_by_its_form_and_masked(command, secret, said):
    table = security.secrets_from_layers("app", inspect(), base_layers(package_records=False), [command])
    assert len(table) >= 1 and any(said in what for what in table["what"]), table.to_string()
    assert secret not in table.to_string()


def test_variable_references_in_commands_are_not_secrets():
    history = ['RUN /bin/sh -c export API_KEY="$API_KEY_FROM_SECRET" && TOKEN=${TOKEN} ./x # buildkit',
               'RUN /bin/sh -c curl -H "Authorization: Bearer $GITHUB_TOKEN" https://api.github.com # buildkit',
               "RUN /bin/sh -c pip install --index-url https://pypi.example.com/simple app # buildkit",
               "RUN /bin/sh -c git clone https://$USER:$PASSWORD@git.example.com/repo # buildkit"]
    assert security.secrets_from_layers("app", inspect(), base_layers(package_records=False), history).empty


def test_an_env_secret_is_reported_once_as_the_image_configs():
    history = ["ENV API_TOKEN=sk-live-abcdef123456"]
    table = security.secrets_from_layers("app", inspect(env=["API_TOKEN=sk-live-abcdef123456"]), base_layers(package_records=False), history)
    assert list(table["where"]) == ["ENV API_TOKEN"]


@pytest.mark.parametrize("env, said", [
    ("DATABASE_URL=postgres://app:s3cretpw99@db/app", "password in a URL"),
    ("SLACK_HOOK=xoxb-1234567890-abcdefghij", "Slack token"),
    ("PAYMENTS=sk_live_4eC39HqLyjWDarjtT1zdp7dc", "Stripe"),
    ("MYSQL_OPTS=--password=hunter22pass", "--password"),
    ("DB_PASSWORD=hunter2222", "secret-looking environment variable"),
])
def test_env_values_are_judged_by_content_and_by_name(env, said):
    table = security.secrets_from_layers("app", inspect(env=[env]), base_layers(package_records=False))
    assert len(table) == 1 and said in table.iloc[0]["what"] and table.iloc[0]["where"] == "ENV " + env.partition("=")[0]
    assert env.partition("=")[2] not in table.to_string()
    assert security.audit_from_layers("app", inspect(env=[env]), base_layers(), now=NOW)["secret_looking_env"] == env.partition("=")[0]


@pytest.mark.parametrize("env", ["TOKEN_FILE=/run/secrets/token", "API_KEY_PATH=/etc/app/key", "SECRET_DIR=secrets",
                                 "DB_PASSWORD=/run/secrets/db", "DATABASE_URL=postgres://db/app", "PATH=/usr/bin", "API_TOKEN="])
def test_a_variable_that_says_where_a_secret_is_is_not_one(env):
    assert security.secrets_from_layers("app", inspect(env=[env]), base_layers(package_records=False)).empty


@pytest.mark.parametrize("command, said", [
    ("RUN /bin/sh -c mysql --password=hunter22pass -e 'select 1' # buildkit", "--password"),
    ("RUN /bin/sh -c mysqldump -u root -phunter22pass app > /dump.sql # buildkit", "-pPASSWORD"),
    ("/bin/sh -c curl -d key=sk_live_4eC39HqLyjWDarjtT1zdp7dc https://api.stripe.com", "Stripe"),
    ("RUN /bin/sh -c curl -H 'Authorization: x' -d token=xoxp-1234567890-abcdefghij https://slack.com # buildkit", "Slack"),
])
def test_more_secrets_are_found_in_build_commands_by_their_form(command, said):
    table = security.secrets_from_layers("app", inspect(), base_layers(package_records=False), [command])
    assert any(said in what for what in table["what"]), table.to_string()


@pytest.mark.parametrize("command", [
    "RUN /bin/sh -c export TOKEN_FILE=/run/secrets/token && ./start # buildkit",
    "RUN /bin/sh -c mysql -p -u root app # buildkit",  # -p alone asks for the password
    "RUN /bin/sh -c mysql -P3306 -h db app # buildkit",  # -P is the port
    'RUN /bin/sh -c mysql --password="$DB_PASSWORD" app # buildkit',
    "RUN /bin/sh -c echo $DB_PASSWORD | docker login --password-stdin -u me # buildkit",
    "RUN /bin/sh -c pip install slack-sdk stripe # buildkit",
])
def test_commands_that_hold_no_secret_give_no_finding(command):
    assert security.secrets_from_layers("app", inspect(), base_layers(package_records=False), [command]).empty


def test_the_static_tier_judges_env_and_arg_values_alike():
    from dockerlab.dockerfile import parse
    from dockerlab.exercises.static import _secret_findings

    parsed = parse("FROM alpine:3.20\nENV DATABASE_URL=postgres://app:s3cretpw99@db/app TOKEN_FILE=/run/secrets/token\nARG API_TOKEN\nARG KEY_PATH=/k\n")
    said = sorted(finding.seen for finding in _secret_findings(parsed, parsed.stages, []))
    assert len(said) == 2 and said[0].startswith("API_TOKEN looks like a secret") and said[1].startswith("DATABASE_URL holds a password in a URL"), said


# --- Kind E (#22): secrets judged by content wherever the build's record or the config holds them ---
GH = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"


def secrets(config=None, history=()):
    return security.secrets_from_layers("app", {"Config": {"Env": [], "Labels": {}, **(config or {})}}, base_layers(package_records=False), list(history))


@pytest.mark.parametrize("history", [
    # BuildKit, newest first: ARG NOTE="two words" / ARG API_TOKEN=... / RUN true / RUN echo done (the quotes are gone in the record)
    [f"RUN |2 NOTE=two words API_TOKEN={GH} /bin/sh -c echo done # buildkit", f"RUN |2 NOTE=two words API_TOKEN={GH} /bin/sh -c true # buildkit"],
    # the classic builder: sorted, no RUN prefix, and an ARG entry of its own with the default
    [f"|2 API_TOKEN={GH} NOTE=two words /bin/sh -c echo done", f"|2 API_TOKEN={GH} NOTE=two words /bin/sh -c true",
     f"/bin/sh -c #(nop)  ARG API_TOKEN={GH}", '/bin/sh -c #(nop)  ARG NOTE="two words"'],
])
def test_a_secret_build_argument_beside_a_value_with_spaces_is_one_finding(history):
    table = secrets(history=history)
    assert list(table["where"]) == ["ARG API_TOKEN"], table.to_string()
    assert GH not in table.to_string()


def test_build_arguments_are_split_by_their_count_even_with_spaces_and_equals_signs():
    assert (security.build_args(f"RUN |2 NOTE=two words API_TOKEN={GH} /bin/sh -c true # buildkit")
            == ([("NOTE", "two words"), ("API_TOKEN", GH)], "/bin/sh -c true"))
    assert security.build_args("|1 OPTS=a=b c /bin/bash -o pipefail -c make") == ([("OPTS", "a=b c")], "/bin/bash -o pipefail -c make")
    assert security.build_args("RUN |2 A=x B=y echo hi # buildkit") == ([("A", "x"), ("B", "y")], "echo hi")  # exec form
    assert security.build_args("RUN /bin/sh -c A=b ./x # buildkit") == ([], "/bin/sh -c A=b ./x")


@pytest.mark.parametrize("command", ["RUN /bin/sh -c export API_KEY=sk_live_1234567890abcdefXYZ && true # buildkit",
                                     "/bin/sh -c export API_KEY=sk_live_1234567890abcdefXYZ && true",
                                     "/bin/bash -o pipefail -c export API_KEY=sk_live_1234567890abcdefXYZ && true"])  # classic, after a SHELL
def test_one_value_matched_by_two_rules_is_one_finding(command):
    table = secrets(history=[command])
    assert table[["where"]].values.tolist() == [["API_KEY in a build command"]] and "Stripe" in table.iloc[0]["what"], table.to_string()


def test_two_secrets_in_one_command_are_two_findings():
    table = secrets(history=[f"RUN /bin/sh -c export GITHUB_TOKEN={GH} && mysql -h db -pS3cr3tPassw0rd app # buildkit"])
    assert sorted(table["where"]) == ["GITHUB_TOKEN in a build command", "a build command"] and len(table) == 2


@pytest.mark.parametrize("config, history, where, said", [
    ({"Labels": {"deploy.token": GH}}, [f"LABEL deploy.token={GH}"], "LABEL deploy.token", "GitHub token"),
    ({"Labels": {"db.password": "hunter2hunter2"}}, ["/bin/sh -c #(nop)  LABEL db.password=hunter2hunter2"], "LABEL db.password", "secret-looking label"),
    ({"Cmd": ["sh", "-c", "mysql -h db -pS3cr3tPassw0rd"]}, ['CMD ["sh" "-c" "mysql -h db -pS3cr3tPassw0rd"]'], "CMD", "MySQL password"),
    ({"Entrypoint": ["wget", "https://deploy:Pa55word99@example.com/x"]}, ['ENTRYPOINT ["wget" "https://deploy:Pa55word99@example.com/x"]'],
     "ENTRYPOINT", "password in a URL"),
    ({"OnBuild": [f"RUN export GITHUB_TOKEN={GH} && true"]}, [f"ONBUILD RUN export GITHUB_TOKEN={GH} && true"], "ONBUILD (GITHUB_TOKEN)", "GitHub token"),
    ({"Healthcheck": {"Test": ["CMD-SHELL", "curl -f https://admin:hunter22@localhost/health"]}}, [], "HEALTHCHECK", "password in a URL"),
    ({"WorkingDir": f"/srv/{GH}"}, [f"WORKDIR /srv/{GH}"], "WORKDIR", "GitHub token"),
])
def test_secrets_in_labels_commands_and_triggers_of_the_config_are_found_once(config, history, where, said):
    table = secrets(config, history)
    assert list(table["where"]) == [where] and said in table.iloc[0]["what"], table.to_string()
    assert bool(table.iloc[0]["visible_in_final_filesystem"]) and "docker inspect" in table.iloc[0]["what"]
    assert all(value not in table.to_string() for value in (GH, "S3cr3tPassw0rd", "Pa55word99", "hunter2hunter2", "hunter22"))


def test_instructions_recorded_after_a_shell_change_are_read_as_instructions():
    history = [f"/bin/bash -o pipefail -c #(nop)  LABEL deploy.note={GH}", '/bin/sh -c #(nop)  SHELL [/bin/bash -o pipefail -c]']
    assert list(secrets(history=history)["where"]) == ["LABEL in the history"]


def test_a_label_overwritten_later_is_still_in_the_history():
    table = secrets({"Labels": {"deploy.note": "rotated"}}, ["LABEL deploy.note=rotated", f"LABEL deploy.note={GH}"])
    assert list(table["where"]) == ["LABEL in the history"] and "GitHub token in the LABEL instruction" in table.iloc[0]["what"]
    assert not table.iloc[0]["visible_in_final_filesystem"]


@pytest.mark.parametrize("labels", [{"org.opencontainers.image.source": "https://github.com/docker/app"}, {"secret.file": "/run/secrets/x"},
                                    {"org.dockerlab.course": "1", "maintainer": "me@example.com"}])
def test_ordinary_labels_are_not_secrets(labels):
    assert secrets({"Labels": labels, "Cmd": ["python", "app.py", "--password-file", "/run/secrets/pw"]}).empty


# --- #22 E1-E3: every text the table shows is masked; files, config and history searched by one rule set ---
STRIPE = "sk_live_0123456789abcdefXYZ"
KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----"


def written(path, content, instruction):
    data = content.encode()
    found = security._look_for_secrets(path, len(data), lambda: data)  # layer_files keeps only what it returns
    examined = {path: found} if found is not None else {}
    return base_layers(package_records=False) + [layer(instruction, {path: len(data)}, examined=examined)]


@pytest.mark.parametrize("path, content, instruction, secret", [
    ("/app/.env", f"API_KEY={STRIPE}\n", f'RUN mkdir /app && echo "API_KEY={STRIPE}" > /app/.env', STRIPE),
    ("/root/.ssh/id_rsa", KEY + "\n", f'RUN mkdir -p /root/.ssh && printf "{KEY}" > /root/.ssh/id_rsa', "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"),
    ("/app/settings.ini", f"token={GH}\n", f'RUN echo "token={GH}" > /app/settings.ini', GH),
])
def test_the_command_that_wrote_a_secret_file_is_masked_in_every_row(path, content, instruction, secret):
    layers = written(path, content, instruction)
    layers.append(layer(f"RUN rm {path} # was: {content.strip()}", whiteouts=[path]))  # a later layer's text masked too
    table = security.secrets_from_layers("app", inspect(), layers, [instruction])
    assert (table["where"] == path).any(), table.to_string()
    assert secret not in table.to_string() and not table.astype(str).apply(lambda column: column.str.contains(secret, regex=False)).any().any()


@pytest.mark.parametrize("path, content, said", [
    ("/app/settings.ini", f"[github]\ntoken={GH}\n", "GitHub token"),
    ("/app/config.ini", "[db]\npassword = S3cretP4ssword\n", "password or token assignment"),
    ("/app/config.yaml", "db:\n  Password: S3cretP4ssword\n", "password or token assignment"),
    ("/srv/app.conf", "upstream = https://deploy:Pa55word99@git.example.com/x\n", "password in a URL"),
    ("/srv/keys.txt", "AIzaSyD-1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6\n", "Google API key"),
])
def test_a_file_holding_a_secret_is_found_by_its_content(path, content, said):
    table = security.secrets_from_layers("app", inspect(), written(path, content, f"COPY x {path}"))
    found = table[table["where"] == path]
    assert len(found) == 1 and said in found.iloc[0]["what"] and bool(found.iloc[0]["visible_in_final_filesystem"]), table.to_string()


@pytest.mark.parametrize("content", ["password = os.environ['DB_PASSWORD']\n", "secretName: app-tls\n", "token: ${TOKEN}\n",
                                     "PASSTHROUGH=enabled-always\n", "password_file = /run/secrets/db\n"])
def test_files_that_only_name_or_reference_a_secret_are_not_reported(content):
    assert security.secrets_from_layers("app", inspect(), written("/app/settings.py", content, "COPY . /app")).empty


@pytest.mark.parametrize("config, history, where, said, secret", [
    ({"Env": ["OPENAI_KEY=sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"]}, [], "ENV OPENAI_KEY", "sk-", "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"),
    ({"Env": ["DB_PASS=hunter2hunter2"]}, [], "ENV DB_PASS", "secret-looking environment variable", "hunter2hunter2"),
    ({"Env": ["X=sk-live-1234567890abcdef"]}, [], "ENV X", "sk-", "1234567890abcdef"),
    ({"Env": ["GOOGLE_MAPS=AIzaSyD-1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6"]}, [], "ENV GOOGLE_MAPS", "Google API key", "1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6"),
    ({"Labels": {"deploy": "glpat-x1Y2z3A4b5C6d7E8f9G0"}}, [], "LABEL deploy", "GitLab token", "x1Y2z3A4b5C6d7E8f9G0"),
    ({}, ["RUN /bin/sh -c npm config set //registry.npmjs.org/:_authToken=npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8 # buildkit"],
     "_authToken in a build command", "npm token", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"),  # npm's `//host/:_authToken=`: the name after ":" counts
    ({}, ['RUN /bin/sh -c curl -H "X-API-Key: 9f8e7d6c5b4a3f2e1d0c" http://127.0.0.1:9 # buildkit'], "X-API-Key in a build command",
     "RUN command", "9f8e7d6c5b4a3f2e1d0c"),
])
def test_config_and_history_values_are_judged_by_the_same_rules(config, history, where, said, secret):
    table = secrets(config, history)
    assert list(table["where"]) == [where] and said in table.iloc[0]["what"], table.to_string()
    assert secret not in table.to_string()


@pytest.mark.parametrize("path, content", [
    ("/usr/sbin/useradd", b"\x7fELF\x00\x00  -p, --password PASSWORD  encrypted password of the new account\n"),  # a program's help text
    ("/usr/bin/su", b"\x7fELF\x00\x00 Password: %s  \n"),
    ("/etc/ssl/openssl.cnf", b"# Passwords for private keys\n# input_password = secret\n# output_password = secret\n"),
    ("/usr/bin/pygettext3.11", b"#!/usr/bin/python3\n    token = tstring\n"),
    ("/app/run.sh", b"mysql --password=PASSWORD app\n"),  # a placeholder
])
def test_programs_comments_and_bare_words_in_files_are_not_secrets(path, content):
    # #22: found on the python:3.11-slim stand-in when files were first searched with the command rules
    assert security._look_for_secrets(path, len(content), lambda: content) is None


def test_a_token_in_a_program_is_still_found_by_its_form():
    content = b"\x7fELF\x00\x00 " + GH.encode() + b"\n"
    assert security._look_for_secrets("/usr/local/bin/tool", len(content), lambda: content)[0][0] == "a GitHub token"


def test_the_distributions_openssl_sample_config_is_judged_by_token_forms_only():
    content = b"secret = pass:insta # can be used for both client and server side\n"
    assert security._look_for_secrets("/etc/ssl/openssl.cnf", len(content), lambda: content) is None
    assert security._look_for_secrets("/app/openssl.cnf", len(content), lambda: content) is not None  # the learner's own
    keyed = content + b"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n"
    assert security._look_for_secrets("/etc/ssl/openssl.cnf", len(keyed), lambda: keyed)[0][0] == "a private key"


# --- a value found only in a file's content is masked in the commands the table shows too (a verifier's break) ---------
def test_a_value_found_only_in_a_files_content_is_masked_in_the_layer_and_removed_by_columns():
    pgpass = b"db:5432:*:app:Pp-hunter22\n"
    env = b"API_SECRET=Rm-hunter22\n"
    examined = {"/root/.pgpass": security._look_for_secrets("/root/.pgpass", len(pgpass), lambda: pgpass)}
    written = layer("RUN echo 'db:5432:*:app:Pp-hunter22' | tee /root/.pgpass", {"/root/.pgpass": len(pgpass)}, examined=examined)
    env_layer = layer("COPY .env /app/.env", {"/app/.env": len(env)},
                      examined={"/app/.env": security._look_for_secrets("/app/.env", len(env), lambda: env)})
    removed = layer("RUN grep -q Rm-hunter22 /app/.env && rm /app/.env", whiteouts=["/app/.env"])
    table = security.secrets_from_layers("app", inspect(), base_layers(package_records=False) + [written, env_layer, removed])
    shown = " ".join(str(cell) for cell in table.to_numpy().ravel())
    assert set(table["where"]) == {"/root/.pgpass", "/app/.env"}
    assert "Pp-hunter22" not in shown and "Rm-hunter22" not in shown, shown
    assert "tee /root/.pgpass" in shown and "rm /app/.env" in shown  # the rest of each command stays readable


@pytest.mark.parametrize("text", [
    'expect -c \'spawn passwd app; expect "password:"; send "$env(APP_PW)\\r"; expect eof\'',  # the name's quoted text ends at its colon
    "grep -q 'password: ' /etc/app.yml || echo 'password:' >> /etc/app.yml",
])
def test_a_name_whose_quoted_text_ends_at_its_separator_gives_no_value(text):
    assert secret_rules.text_findings(text) == []
    assert secret_rules.text_findings('{"password": "Js-hunter22"}') == [("password", "", "Js-hunter22")]  # a closed name: a value


def test_github_actions_permission_and_reuse_words_are_no_secret():
    workflow = (b"permissions:\n  id-token: write\n  contents: read\njobs:\n  call:\n    uses: org/repo/.github/workflows/b.yml@main\n"
                b"    secrets: inherit\n")
    assert secret_rules.file_findings("/app/.github/workflows/release.yml", workflow) == []


def test_a_long_letters_only_value_a_file_holds_is_masked_in_the_sed_that_wrote_it():
    ini = b"[db]\npassword = correcthorsebattery\n"
    examined = {"/app/settings.ini": security._look_for_secrets("/app/settings.ini", len(ini), lambda: ini)}
    written = layer("RUN sed -i 's/PLACEHOLDER/correcthorsebattery/' /app/settings.ini", {"/app/settings.ini": len(ini)}, examined=examined)
    table = security.secrets_from_layers("app", inspect(), base_layers(package_records=False) + [written])
    shown = " ".join(str(cell) for cell in table.to_numpy().ravel())
    assert "correcthorsebattery" not in shown and "/app/settings.ini" in shown, shown
    assert secret_rules.masked_text("ls /var/lib/postgresql", {"postgres"}) == "ls /var/lib/postgresql"  # a short word stays
