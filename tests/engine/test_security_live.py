"""dl.security on a real engine: audit, secrets in deleted layers, SBOM, run_as, the hardening checker."""
import subprocess

import docker
import pytest

import dockerlab as dl

APP = dl.paths.app("secret-leak")


@pytest.fixture(scope="module")
def leak_images():
    """The secret-leak app built four ways; removed afterwards."""
    tags = {}
    for name, dockerfile, ignore in [
        ("copied", "Dockerfile", ()),
        ("rm-later", "rm-later.Dockerfile", ()),
        ("ignored", "Dockerfile", [".env"]),
        ("hardened", "hardened.Dockerfile", ()),
    ]:
        tags[name] = dl.build(APP, dockerfile, tag=f"dockerlab-test-security/{name}", ignore=ignore, progress=False).tags[0]
    yield tags
    for tag in tags.values():
        dl.remove(tag)


def test_audit_tells_root_from_non_root(leak_images):
    table = dl.security.audit(leak_images["copied"], leak_images["hardened"]).set_index("image")
    assert table.loc[leak_images["copied"], "runs_as_root"]
    assert not table.loc[leak_images["hardened"], "runs_as_root"]
    assert table.loc[leak_images["hardened"], "user"] == "appuser (uid 1000)"
    assert (table["dpkg_packages"] > 50).all() and (table["shell"] != "none").all()


def test_a_key_in_a_deleted_layer_is_found_and_a_clean_image_has_none(leak_images):
    deleted = dl.security.find_secrets(leak_images["rm-later"])
    assert len(deleted) == 1 and "an AWS access key id" in deleted["what"].iloc[0].split("; ")  # one row for the file, every reason
    assert (deleted["removed_by"] == "RUN rm .env").all()
    assert dl.security.find_secrets(leak_images["ignored"]).empty
    assert dl.security.find_secrets(leak_images["hardened"]).empty


def test_a_file_written_by_root_in_a_container_is_root_owned_on_the_host(leak_images):
    rooted = dl.security.run_as(leak_images["copied"])
    assert rooted.root_on_host and "uid=0(root)" in rooted.user_inside
    hardened = dl.security.run_as(leak_images["hardened"])
    assert hardened.host_owner_uid == 1000 and "uid=1000(appuser)" in hardened.user_inside
    # the owner in words that hold on every machine (it is recorded): never the host's name for uid 1000
    assert rooted.host_owner == "root" and hardened.host_owner in (dl.security.host_owner(1000, True), dl.security.host_owner(1000, False))


def test_sbom_counts_packages_of_python_slim():
    table = dl.security.sbom("python:3.11-slim")
    assert (table["type"] == "deb").sum() > 50
    assert "python" in set(table["type"])


def test_distroless_has_no_shell_and_fewer_packages():
    table = dl.security.audit("gcr.io/distroless/static-debian12", "python:3.11-slim", "alpine:3.20").set_index("image")
    assert table.loc["gcr.io/distroless/static-debian12", "shell"] == "none"
    assert table.loc["gcr.io/distroless/static-debian12", "packages"] < table.loc["python:3.11-slim", "packages"]
    assert table.loc["gcr.io/distroless/static-debian12", "package_database"] == "dpkg status.d"
    assert table.loc["python:3.11-slim", "package_database"] == "dpkg"
    # the official alpine counts its apk packages; the stand-in (busybox from Debian) has no database to count from
    alpine = table.loc["alpine:3.20"]
    if alpine["stand_in"]:
        assert (alpine["package_database"], alpine["packages"]) == (dl.security.NO_PACKAGE_DATABASE, 0)
    else:
        assert alpine["package_database"] == "apk" and alpine["apk_packages"] > 0


def test_hardening_checker_right_and_wrong():
    assert dl.check.image_is_hardened(APP, "hardened.Dockerfile", "report service ready").passed
    leaky = dl.check.image_is_hardened(APP, "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n", "report service ready")
    assert not leaky.passed and any("runs as root" in m for m in leaky.messages) and any("/app/.env" in m for m in leaky.messages)
    assert not dl.check.image_is_hardened(APP, "exercise.Dockerfile", "report service ready").passed
    dl.remove("dockerlab-exercise/secret-leak:hardened")


def test_a_secret_build_argument_is_found_in_the_history(tmp_path, created):
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nARG API_TOKEN\nRUN echo building > /built\n")
    tag = created.image("dockerlab-test-security/build-arg")
    dl.build(tmp_path, tag=tag, buildargs={"API_TOKEN": "s3cr3t-build-token"}, progress=False)
    found = dl.security.find_secrets(tag)
    row = found[found["where"] == "ARG API_TOKEN"].iloc[0]
    assert row["layer"] == "RUN echo building > /built" and "s3cr" in row["evidence"] and "token" not in row["evidence"]


GH = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
# Dockerfile after FROM alpine:3.20 -> the one finding find_secrets must give (where, part of what) and the
# secret's text, which `docker history --no-trunc` or `docker inspect` must hold (the ground truth: it ships).
SECRET_PLACES = {
    "arg-with-spaces": (f'ARG NOTE="two words"\nARG API_TOKEN={GH}\nRUN true\nRUN echo done\n', ("ARG API_TOKEN", "build argument"), GH),
    "export-stripe": ("RUN export API_KEY=sk_live_1234567890abcdefXYZ && true\n", ("API_KEY in a build command", "Stripe"), "sk_live_1234567890abcdefXYZ"),
    "label": (f"LABEL deploy.token={GH}\n", ("LABEL deploy.token", "GitHub token"), GH),
    "cmd-exec-form": ('CMD ["sh", "-c", "mysql -h db -pS3cr3tPassw0rd"]\n', ("CMD", "MySQL"), "S3cr3tPassw0rd"),
    "entrypoint-url": ('ENTRYPOINT ["wget", "https://deploy:Pa55word99@example.com/x"]\n', ("ENTRYPOINT", "password in a URL"), "Pa55word99"),
    "onbuild": (f"ONBUILD RUN export GITHUB_TOKEN={GH} && true\n", ("ONBUILD (GITHUB_TOKEN)", "GitHub token"), GH),
    "shell-then-run-and-label": ('SHELL ["/bin/sh", "-o", "pipefail", "-c"]\nLABEL deploy.note=1\nRUN export API_KEY=sk_live_1234567890abcdefXYZ && true\n',
                                 ("API_KEY in a build command", "Stripe"), "sk_live_1234567890abcdefXYZ"),
    "healthcheck": ("HEALTHCHECK CMD wget -q -O- https://admin:hunter22pw@localhost/health\n", ("HEALTHCHECK", "password in a URL"), "hunter22pw"),
}


@pytest.mark.parametrize(("case", "builder"), [(case, "buildkit") for case in SECRET_PLACES]
                         + [(case, "classic") for case in ("arg-with-spaces", "label", "onbuild", "shell-then-run-and-label")])
def test_a_secret_anywhere_in_the_config_or_history_is_found_once(case, builder, tmp_path, created):
    text, (where, said), secret = SECRET_PLACES[case]
    tag = created.image(f"dockerlab-test-security/secret-{case}-{builder}")
    dl.build(tmp_path, "FROM alpine:3.20\n" + text, tag=tag, builder=builder, progress=False)
    shipped = subprocess.run(["docker", "history", "--no-trunc", "--format", "{{.CreatedBy}}", tag], capture_output=True, text=True, check=True).stdout
    shipped += subprocess.run(["docker", "image", "inspect", tag], capture_output=True, text=True, check=True).stdout
    assert secret in shipped  # the engine keeps it: every pull downloads it
    found = dl.security.find_secrets(tag)
    assert list(found["where"]) == [where] and said in found.iloc[0]["what"], found.to_string()
    assert secret not in found.to_string()


def test_files_written_with_secrets_are_found_visible_and_no_column_shows_the_value(tmp_path, created):
    # #22 E1/E2: the container can read both files; the table names them, visible, and masks every column
    text = ("FROM alpine:3.20\n"
            'RUN mkdir /app && echo "API_KEY=sk_live_0123456789abcdefXYZ" > /app/.env\n'
            f'RUN echo "token={GH}" > /app/settings.ini\n'
            "RUN printf 'password = S3cretP4ssword\\n' > /app/config.ini\n")
    tag = created.image("dockerlab-test-security/secret-files")
    dl.build(tmp_path, text, tag=tag, progress=False)
    seen = subprocess.run(["docker", "run", "--rm", "--label", "org.dockerlab.course=1", tag, "cat", "/app/.env", "/app/settings.ini", "/app/config.ini"],
                          capture_output=True, text=True, check=True).stdout
    found = dl.security.find_secrets(tag)
    files = found[found["where"].str.startswith("/app/")]
    assert sorted(files["where"]) == ["/app/.env", "/app/config.ini", "/app/settings.ini"] and files["visible_in_final_filesystem"].all(), found.to_string()
    for secret in ("sk_live_0123456789abcdefXYZ", GH, "S3cretP4ssword"):
        assert secret in seen and secret not in found.to_string(max_colwidth=None)


def test_letters_only_passwords_in_files_are_found_and_references_are_not(tmp_path, created):
    # #22 E (follow-up): a literal password of any characters, in the formats a container reads it from
    files = {"app/db.ini": "[db]\npassword = secret\n", "app/.env.prod": "DB_PASSWORD=hunter\n", "app/config.json": '{"password": "letmein"}\n',
             "app/config.yaml": "db:\n  password: changeme\n",
             "app/settings.py": 'password = os.environ["X"]\ntoken = get_password()\nsecret = None\n',
             "app/compose.yaml": "environment:\n  POSTGRES_PASSWORD: ${DB_PASSWORD}\n  API_TOKEN: ''\n",
             "app/start.sh": "#!/bin/sh\nPASSWORD=$(cat /run/secrets/x)\nmysql --password=<password>\n"}
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    tag = created.image("dockerlab-test-security/letters-only")
    dl.build(tmp_path, "FROM alpine:3.20\nCOPY app /app\n", tag=tag, progress=False)
    seen = subprocess.run(["docker", "run", "--rm", "--label", "org.dockerlab.course=1", tag, "cat", "/app/db.ini", "/app/.env.prod", "/app/config.json",
                           "/app/config.yaml"], capture_output=True, text=True, check=True).stdout
    found = dl.security.find_secrets(tag)
    assert sorted(found["where"]) == ["/app/.env.prod", "/app/config.json", "/app/config.yaml", "/app/db.ini"], found.to_string()
    for password in ("secret", "hunter", "letmein", "changeme"):
        assert password in seen and password not in " ".join(found["evidence"])


def test_the_course_base_images_hold_no_secret():
    # the stand-ins are Debian packages: their programs, scripts and configs must not be "leaks" (#22)
    for image in ("python:3.11-slim", "python:3.11"):
        try:
            found = dl.security.find_secrets(image)
        except docker.errors.ImageNotFound:
            pytest.skip(f"{image} is not on this engine (dl.bases.prepare() builds it)")
        assert found.empty, found.to_string()
