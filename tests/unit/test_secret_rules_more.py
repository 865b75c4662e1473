"""#22 Kind E, a fresh verifier's breaks (dockerlab.secret_rules, security's masking): each input found once and masked
everywhere the table shows it, or not found (no engine)."""
import pytest

from dockerlab import secret_rules, security


def in_history(command: str):
    return security.secrets_from_layers("app", {"Config": {"Env": [], "Labels": {}}}, [], [f"RUN /bin/sh -c {command} # buildkit"])


def in_env(name: str, value: str):
    return security.secrets_from_layers("app", {"Config": {"Env": [f"{name}={value}"], "Labels": {}}}, [], [])


def in_file(path: str, content: str):
    data = content.encode()
    return security._look_for_secrets(path, len(data), lambda: data)


def found_once_and_masked(table, value: str) -> None:
    assert len(table) == 1, table.to_string()
    assert value not in table.to_string(), table.to_string()


# --- A1: a token given as a URL's user name ---------------------------------------------------------------------------------
TOKEN_HEX = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize("command, value", [
    (f'git config --global url."https://{TOKEN_HEX}:x-oauth-basic@github.com/".insteadOf "https://github.com/"', TOKEN_HEX),
    (f"git clone https://{TOKEN_HEX}@github.com/org/repo.git /src", TOKEN_HEX),
    (f"git clone https://{TOKEN_HEX}:x-access-token@github.com/org/repo.git", TOKEN_HEX),
    ("pip install git+https://a8F3kQ9zL2mX7wP4tR6y@gitlab.example.com/g/p.git", "a8F3kQ9zL2mX7wP4tR6y"),  # my own: a random user, no password
])
def test_a_token_given_as_a_urls_user_is_found_and_masked(command, value):
    assert [item[2] for item in secret_rules.text_findings(command)] == [value], secret_rules.text_findings(command)
    found_once_and_masked(in_history(command), value)


@pytest.mark.parametrize("command", [
    "git clone https://me@github.com/org/repo.git", "git clone ssh://git@github.com/org/repo.git",
    "pip install git+https://deploy-bot@gitlab.example.com/g/p.git", "curl https://example.com/a@b",
])
def test_a_plain_urls_user_is_no_token(command):
    assert secret_rules.text_findings(command) == []


# --- A2: a known value masked at every occurrence, glued to an option letter or other text too -------------------------------
@pytest.mark.parametrize("command, value", [
    ("mysqld --initialize-insecure && mysql -uroot -pMy-hunter22 -e 'select 1' && mysqladmin -uroot -pMy-hunter22 shutdown", "My-hunter22"),
    ("export DB_PASSWORD=Pg-hunter22 && psql postgres://app:Pg-hunter22@db/app -c 'select 1'", "Pg-hunter22"),
    ("export DB_PASSWORD=Pg-hunter22 && echo xPg-hunter22x > /tmp/log", "Pg-hunter22"),  # my own: glued inside other text
])
def test_a_found_value_is_masked_at_every_occurrence(command, value):
    found_once_and_masked(in_history(command), value)


def test_a_short_value_is_masked_after_an_option_letter_and_not_inside_a_word():
    assert secret_rules.masked_text("mysql -uroot -papp app; ls /srv/apps", {"app"}) == \
        "mysql -uroot -p…(3 characters) …(3 characters); ls /srv/apps"
    assert secret_rules.masked_text("cp /x/ahunter22b /y", {"hunter22"}) == "cp /x/ahu…(8 characters)b /y"


# --- B3-B6: names that speak about a secret or name one; they hold none -------------------------------------------------------
@pytest.mark.parametrize("command", [
    'echo "app ALL=(ALL) NOPASSWD:ALL" >> /etc/sudoers',  # B3: sudoers' tags
    'echo "app ALL=(ALL:ALL) NOPASSWD: ALL" > /etc/sudoers.d/app && chmod 0440 /etc/sudoers.d/app',
    "echo 'deploy ALL=(root) NOPASSWD: SETENV: ALL, PASSWD: ALL' >> /etc/sudoers",  # my own: a tag after a tag, PASSWD
    "gcloud secrets versions access latest --secret=db-password > /dev/null",  # B4: --secret=NAME names the secret
    "gcloud secrets versions access latest --secret db-password > /dev/null",
    "gcloud functions deploy f --secrets=API_KEY=api-key:latest",  # my own
    "gcloud run deploy app --image gcr.io/p/app --set-secrets=DB_PASS=db-pass:latest,API_KEY=api-key:2",  # B5: Secret Manager refs
    "gcloud run services update app --update-secrets=DB_PASSWORD=db-password:3",
    "helm install db bitnami/postgresql --set auth.existingSecret=db-credentials --set auth.secretKeys.adminPasswordKey=postgres-password",  # B6
    "helm install web ./chart --set ingress.tlsSecret=app-tls --set imagePullSecrets=regcred",  # my own
])
def test_a_name_about_or_naming_a_secret_is_no_finding(command):
    assert secret_rules.text_findings(command) == []
    assert in_history(command).empty


@pytest.mark.parametrize("path, content", [
    ("/etc/sudoers.d/app", "app ALL=(ALL) NOPASSWD:ALL\n"),
    ("/etc/sudoers", "root\tALL=(ALL:ALL) ALL\n%sudo\tALL=(ALL:ALL) ALL\ndocker ALL=(ALL) NOPASSWD: ALL\n"),
    ("/app/chart/values.yaml", "auth:\n  existingSecret: db-credentials\n  secretKeys:\n    adminPasswordKey: postgres-password\n"),
    ("/app/chart/values.yaml", "ingress:\n  tls:\n    - secretName: app-tls\n  tlsSecret: app-tls\n"),
    ("/app/k8s/app.yaml", "envFrom:\n  - secretRef:\n      name: app-env\nsealedSecret: app-sealed\n"),  # my own
])
def test_a_sudoers_tag_or_a_kubernetes_secret_name_in_a_file_is_no_finding(path, content):
    assert secret_rules.file_findings(path, content.encode()) == []
    assert in_file(path, content) is None


def test_all_after_a_sudoers_tag_is_never_masked():
    assert secret_rules.masked_text("echo 'app ALL=(ALL) NOPASSWD:ALL' >> /etc/sudoers") == "echo 'app ALL=(ALL) NOPASSWD:ALL' >> /etc/sudoers"


@pytest.mark.parametrize("command, value", [
    ("echo 'clientSecret: abc123XYZ789def' > /app/config.yml", "abc123XYZ789def"),
    ("SECRET=hunter22 ./run", "hunter22"), ("./app --client-secret=hunter22", "hunter22"),
    ("helm install x ./c --set auth.existingSecret=Zq8v1Lm3Xp7Rt5Wn2Ky9", "Zq8v1Lm3Xp7Rt5Wn2Ky9"),  # a random value is a value
    ("echo 'DB_PASSWD: hunter22' >> /app/config.yml", "hunter22"),
])
def test_true_secrets_next_to_those_names_are_still_found(command, value):
    assert [item[2] for item in secret_rules.text_findings(command)] == [value]
    found_once_and_masked(in_history(command), value)
