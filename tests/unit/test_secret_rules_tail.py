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
