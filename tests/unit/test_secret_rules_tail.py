"""#22 Kind E (22ac), the long tail of a final verifier's missed forms in dockerlab.secret_rules: each true secret found once and
masked in the table, its ordinary neighbours not found (no engine)."""
import pytest

from dockerlab import secret_rules, security
from tests.unit.test_secret_rules_more import found_once_and_masked, in_env, in_history


def found_in_command(command: str, value: str) -> None:
    assert [item[2] for item in secret_rules.text_findings(command)] == value.split(), secret_rules.text_findings(command)
    table = in_history(command)
    assert len(table) == len(value.split()) and not any(part in table.to_string() for part in value.split()), table.to_string()


def in_config(config: dict):
    return security.secrets_from_layers("app", {"Config": {"Env": [], "Labels": {}, **config}}, [], [])


# --- 1: curl's -u last in a cluster of its switches ---------------------------------------------------------------------------
@pytest.mark.parametrize("command, value", [
    ("curl -fsu admin:Hc-hunter22 http://localhost:8080/actuator/health", "Hc-hunter22"),
    ("curl -sSfu admin:Hc-hunter22 -o /dev/null http://localhost:8080/", "Hc-hunter22"),
    ("curl -kLu 'ci:Hc-hunter33' https://nexus.example.com/x", "Hc-hunter33"),  # my own: quoted
])
def test_curls_u_in_a_cluster_of_switches_is_found_and_masked(command, value):
    found_in_command(command, value)


def test_curls_u_in_a_cluster_in_a_healthcheck_is_found_and_masked():
    table = in_config({"Healthcheck": {"Test": ["CMD-SHELL", "curl -fsu admin:Hc-hunter22 http://localhost:8080/health || exit 1"]}})
    found_once_and_masked(table, "Hc-hunter22")


@pytest.mark.parametrize("command", ["curl -fsSL https://example.com/install.sh -o /tmp/i.sh", "curl -du x:y http://example.com",
                                     "curl -fsu \"$USER:$PASSWORD\" http://x", "set -eu && curl -fsS http://x"])
def test_curl_without_a_user_and_password_is_not_found(command):
    assert secret_rules.text_findings(command) == []


# --- 2: a value between escaped double quotes inside a double-quoted word -------------------------------------------------------
@pytest.mark.parametrize("command, value", [
    ('echo "password: \\"Qe-hunter22\\"" > /app/c.yml', "Qe-hunter22"),
    ('echo "{\\"password\\": \\"Qj-hunter22\\"}" > /app/c.json', "Qj-hunter22"),
    ('printf "db:\\n  api_token = \\"Qt-hunter22\\"\\n" > /app/c.toml', "Qt-hunter22"),  # my own: `=`, after printf's \n
])
def test_a_value_between_escaped_quotes_is_found_and_masked(command, value):
    found_in_command(command, value)


@pytest.mark.parametrize("command", ['echo "{\\"password\\": \\"\\"}" > c.json', 'echo "{\\"password\\": \\"$DB_PASSWORD\\"}" > c.json',
                                     'echo "{\\"password_min_length\\": \\"12\\"}" > c.json', 'echo "{\\"user\\": \\"app\\"}" > c.json'])
def test_escaped_quotes_without_a_literal_secret_are_not_found(command):
    assert secret_rules.text_findings(command) == []


# --- 3: Oracle's USER/PASSWORD@DB logon ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command, value", [
    ("sqlplus -s system/Or-hunter22@//db:1521/XEPDB1 @/opt/init.sql", "Or-hunter22"),
    ("impdp system/Or-hunter22@XEPDB1 directory=DATA_PUMP_DIR dumpfile=app.dmp", "Or-hunter22"),
    ("expdp userid=system/Or-hunter33 schemas=app dumpfile=app.dmp", "Or-hunter33"),  # my own: userid=, no connect identifier
])
def test_an_oracle_logon_in_a_command_is_found_and_masked(command, value):
    found_in_command(command, value)


def test_an_oracle_jdbc_url_in_the_environment_is_found_and_masked():
    assert [inner for _, inner in secret_rules.variable_secrets("JDBC_URL", "jdbc:oracle:thin:app/Jo-hunter22@//db:1521/XEPDB1")] == ["Jo-hunter22"]
    found_once_and_masked(in_env("JDBC_URL", "jdbc:oracle:thin:app/Jo-hunter22@//db:1521/XEPDB1"), "Jo-hunter22")


@pytest.mark.parametrize("command", ["sqlplus / as sysdba @/opt/init.sql", "sqlplus -s /nolog @/opt/init.sql", "sqlplus system@db",
                                     "impdp system/$ORACLE_PASSWORD@XEPDB1",
                                     "sqlplus -s app/\"$DB_PASSWORD\"@db", "java -jar app.jar --url=jdbc:oracle:thin:@db:1521:XE"])
def test_oracle_commands_without_a_password_are_not_found(command):
    assert secret_rules.text_findings(command) == []


# --- 4: tools whose own argument is a password ---------------------------------------------------------------------------------
@pytest.mark.parametrize("command, value", [
    ("neo4j-admin dbms set-initial-password Nj-hunter22", "Nj-hunter22"),
    ("neo4j-admin set-initial-password Nj-hunter33 --require-password-change", "Nj-hunter33"),  # my own: Neo4j 4's form
    ("grafana-cli admin reset-admin-password Gf-hunter22", "Gf-hunter22"),
    ("grafana cli --homepath /usr/share/grafana admin reset-admin-password Gf-hunter33", "Gf-hunter33"),  # my own: `grafana cli`
    ("elasticsearch-users useradd ci -p Es-hunter22 -r superuser", "Es-hunter22"),
    ("mosquitto_passwd -b /etc/mosquitto/passwd sensor Mq-hunter22", "Mq-hunter22"),
    ("mosquitto_passwd -c -b /etc/mosquitto/passwd sensor Mq-hunter33", "Mq-hunter33"),  # my own
    ("openssl enc -aes-256-cbc -salt -k Oe-hunter22 -in /data/db.sql -out /data/db.sql.enc", "Oe-hunter22"),
    ("gpg --batch --yes --passphrase Gp-hunter22 --pinentry-mode loopback -d /app/secrets.gpg > /app/out", "Gp-hunter22"),
    ('useradd -m -p "$(mkpasswd -m sha-512 Mk-hunter22)" app', "Mk-hunter22"),
    ("cqlsh -u cassandra -p Cs-hunter22 -f /schema.cql db", "Cs-hunter22"),
    ("conan remote login -p Cn-hunter22 artifactory ci", "Cn-hunter22"),
    ("conan remote login artifactory ci -p Cn-hunter33", "Cn-hunter33"),  # my own
    ("vault login Vl-hunter22tokenabcdef", "Vl-hunter22tokenabcdef"),
    ("rclone config create s3 s3 provider AWS access_key_id AKIAQ3EGRIX5ZT7WLM2K secret_access_key k9Qz3Xw7Lp2Rv8Tn4Ym6Bc1Df5Gh0JsKaWu3Ei",
     "AKIAQ3EGRIX5ZT7WLM2K k9Qz3Xw7Lp2Rv8Tn4Ym6Bc1Df5Gh0JsKaWu3Ei"),
    ("rclone config update box client_secret Rc-hunter22abc", "Rc-hunter22abc"),  # my own
])
def test_a_password_given_to_a_tools_argument_is_found_and_masked(command, value):
    found_in_command(command, value)


@pytest.mark.parametrize("command", [
    "neo4j-admin dbms set-initial-password $NEO4J_PASSWORD", "grafana-cli admin reset-admin-password --password-from-stdin < /run/secrets/p",
    "grafana-cli plugins install grafana-clock-panel", "mosquitto_passwd -U /etc/mosquitto/passwd", "mosquitto_passwd -c /etc/mosquitto/passwd sensor",
    "openssl enc -aes-256-cbc -kfile /run/secrets/k -in a -out b", "gpg --batch --passphrase \"$GPG_PASS\" -d a",
    "gpg --batch --passphrase-fd 0 -d a < /run/secrets/p", "mkpasswd -s -m sha-512 < /run/secrets/pw", "mkpasswd -m help",
    "apt-get install -y mkpasswd whois", "cqlsh -u cassandra db 9042", "conan remote login artifactory ci", "vault login -method=userpass username=me",
    "vault login -", "vault login $VAULT_TOKEN", "vault secrets enable -path=kv kv-v2", "rclone config create s3 s3 provider AWS env_auth true",
])
def test_those_tools_without_a_literal_password_are_not_found(command):
    assert secret_rules.text_findings(command) == []


# --- 5: tokens by their form ---------------------------------------------------------------------------------------------------
TELEGRAM = "6123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
DISCORD = "https://discord.com/api/webhooks/1234567890123456789/aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcdefGHIJKLmnopQRSTUVwxyz01234"
SENTRY = "sntrys_eyJpYXQiOjE3MDAwMDAwMDB9_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


@pytest.mark.parametrize("command, value", [
    (f"curl -fsS https://api.telegram.org/bot{TELEGRAM}/sendMessage -d chat_id=1", TELEGRAM.partition(":")[2]),
    (f"curl -X POST {DISCORD}", DISCORD.partition("https://")[2]),
    (f"sentry-cli --auth-token {SENTRY} releases new 1.0", SENTRY),
])
def test_a_token_by_its_form_in_a_command_is_found_and_masked(command, value):
    assert [item[2] for item in secret_rules.text_findings(command)] == [value], secret_rules.text_findings(command)
    found_once_and_masked(in_history(command), value)


@pytest.mark.parametrize("name, value, secret", [("TELEGRAM_BOT", TELEGRAM, TELEGRAM.partition(":")[2]), ("SENTRY_AUTH", SENTRY, SENTRY),
                                                 ("DISCORD_HOOK", DISCORD, DISCORD.partition("https://")[2]),
                                                 ("SENTRY_TOKEN", "sntryu_" + "0a1b2c3d" * 8, "sntryu_" + "0a1b2c3d" * 8)])  # my own: a user token
def test_a_token_by_its_form_in_the_environment_is_found_and_masked(name, value, secret):
    assert [inner for _, inner in secret_rules.variable_secrets(name, value)] == [secret]
    found_once_and_masked(in_env(name, value), secret)


@pytest.mark.parametrize("text", ["curl https://api.telegram.org/bot${TG_TOKEN}/sendMessage", "12345678:abc", "1234567:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
                                  "image@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                                  "see https://discord.com/developers/docs/resources/webhook", "pip install sntrys_tools"])
def test_lookalikes_of_those_tokens_are_not_found(text):
    assert secret_rules.text_findings(text) == []
