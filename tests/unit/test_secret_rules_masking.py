"""#22 Kind E (22y), a fresh verifier's breaks: over-masking (a found value masked inside paths and longer words),
`kubectl config set-credentials`, sed's s/// expressions and Sentry's public DSNs (no engine)."""
import pytest

from dockerlab import secret_rules
from tests.unit.test_secret_rules_more import found_once_and_masked, in_env, in_file, in_history


# --- 1. a value found somewhere is masked elsewhere where it stands whole, never as a part of a path or a longer word ------------
@pytest.mark.parametrize("text, known, masked, intact", [
    ("cp /root/id /var/lib/postgresql/.ssh/id_ed25519 && su postgres", {"postgres"}, "su …(8 characters)", "/var/lib/postgresql/.ssh/id_ed25519"),
    ("export REDIS_PASSWORD=redis && redis-server /etc/redis/redis.conf", set(), "REDIS_PASSWORD=…(5 characters)", "redis-server /etc/redis/redis.conf"),
    ("export DB_PASSWORD=app && cd /app && chown -R app:app /app", set(), "chown -R …(3 characters):…(3 characters) /app",
     "cd /app &&"),
    ("mysql -uroot -proot -e 'select 1' && chown root /root/.my.cnf", set(), "-p…(4 characters) -e", "/root/.my.cnf"),
    ("psql postgres://app:redis@db/redis -c 'select 1'", {"redis"}, "app:…(5 characters)@db", "@db/redis"),  # my own: a URL's path
    ("echo 'redis' > /etc/redis/pw && ./run --pw=redis,x", {"redis"}, "echo '…(5 characters)' > /etc/redis/pw && ./run --pw=…(5 characters),x",
     "/etc/redis/pw"),  # my own: quoted, a `=` value up to a comma
])
def test_a_found_value_is_masked_where_it_stands_whole_and_a_path_holding_it_stays_intact(text, known, masked, intact):
    shown = secret_rules.masked_text(text, known)
    assert masked in shown and intact in shown, shown


def test_a_password_named_like_a_path_word_is_found_once_and_the_paths_stay_readable():
    table = in_history("export POSTGRES_PASSWORD=postgres && install -d /var/lib/postgresql/.ssh && chown postgres /var/lib/postgresql/.ssh")
    found_once_and_masked(table, "=postgres")
    layer = table["layer"].iloc[0]
    assert "/var/lib/postgresql/.ssh" in layer and "chown …(8 characters) /var" in layer, layer


def test_a_value_with_digits_or_signs_is_masked_inside_longer_text_too():
    # the earlier verifier's case: glued to -p in two commands, both masked
    command = "mysqld --initialize-insecure && mysql -uroot -pMy-hunter22 -e 'select 1' && mysqladmin -uroot -pMy-hunter22 shutdown"
    assert secret_rules.masked_text(command).count("-p…(11 characters)") == 2
    assert secret_rules.masked_text("tar -C /srv/Pg-hunter22.d -x", {"Pg-hunter22"}) == "tar -C /srv/…(11 characters).d -x"


@pytest.mark.parametrize("value, shown", [("root", "…(4 characters)"), ("postgres", "…(8 characters)"), ("Kc-hunter22", "…(11 characters)"),
                                          ("Kc-hunter22x", "Kc-…(12 characters)")])
def test_a_short_value_shows_no_character_of_it(value, shown):
    assert secret_rules.mask(value) == shown


# --- 2. `config set` is the word `set`: kubectl's `config set-credentials NAME` names a user, its options hold the secrets ----------
@pytest.mark.parametrize("command", [
    'kubectl config set-credentials ci-bot --token="$(cat /run/secrets/k8s_token)" && kubectl config set-context ci --user=ci-bot',
    "kubectl config set-credentials cluster-admin --client-certificate=/certs/admin.crt --client-key=/certs/admin.key --embed-certs=true",
    "kubectl config set-cluster prod --server=https://k:6443 && kubectl config use-context prod",  # my own
])
def test_kubectl_config_subcommands_name_entries_and_are_no_finding(command):
    assert secret_rules.text_findings(command) == []
    assert in_history(command).empty


@pytest.mark.parametrize("command, value", [
    ("kubectl config set-credentials admin --username=admin --password=Kc-hunter22 && kubectl config set-cluster k --server=https://k:6443",
     "Kc-hunter22"),
    ("kubectl config set-credentials ci-bot --token=Kt-hunter22abcdef", "Kt-hunter22abcdef"),
    ("kubectl config set users.admin.token Kt-hunter22abcdef", "Kt-hunter22abcdef"),  # my own: `config set KEY VALUE` itself
])
def test_kubectl_credentials_given_as_options_are_found_once_and_the_user_name_stays(command, value):
    assert [item[2] for item in secret_rules.text_findings(command)] == [value]
    table = in_history(command)
    found_once_and_masked(table, value)
    assert "admin" in table["layer"].iloc[0] or "ci-bot" in table["layer"].iloc[0]


# --- 3. sed's s/// writes its replacement: the pattern is judged by a token's form only, a value ends at the delimiter -------------
@pytest.mark.parametrize("command", [
    "sed -i 's/^# requirepass foobared/requirepass ${REDIS_PASSWORD}/' /etc/redis/redis.conf",
    "sed -i -e 's/^# masterauth <master-password>/masterauth ${MASTER_PW}/' /etc/redis/redis.conf",
    "sed -i 's/^password=.*/password=\\1/' /app/app.conf",  # my own: a back-reference
    "echo 'masterauth <master password>' >> /etc/redis/redis.conf",  # my own: a placeholder with a space
])
def test_a_sed_pattern_or_a_placeholder_is_no_finding(command):
    assert secret_rules.text_findings(command) == []
    assert in_history(command).empty


@pytest.mark.parametrize("command, value", [
    ("sed -i 's/^# requirepass foobared/requirepass Rd-hunter22/' /etc/redis/redis.conf", "Rd-hunter22"),
    ("sed -i 's|^#\\s*requirepass .*|requirepass Rd-hunter22|' /etc/redis/redis.conf", "Rd-hunter22"),  # my own: another delimiter
    ("sed -i -e 's/x/y/' -e \"s/^DB_PASSWORD=.*/DB_PASSWORD=Sd-hunter22/\" /app/.env", "Sd-hunter22"),  # my own: the assignment rule
    ("sed -i 's/ghp_0123456789abcdefABCDEF0123456789abcd/REDACTED/' /app/.env", "ghp_0123456789abcdefABCDEF0123456789abcd"),  # a form
])
def test_the_value_a_sed_replacement_writes_is_found_once_and_masked(command, value):
    assert [item[2] for item in secret_rules.text_findings(command)] == [value]
    found_once_and_masked(in_history(command), value)


def test_a_sed_replacement_in_a_script_is_judged_as_written():
    script = "#!/bin/sh\nsed -i 's/^# requirepass foobared/requirepass Rd-hunter22/' /etc/redis/redis.conf\n"
    assert [item[2] for item in secret_rules.file_findings("/docker-entrypoint.sh", script.encode())] == ["Rd-hunter22"]
    assert in_file("/docker-entrypoint.sh", script) == [("a Redis password (requirepass, masterauth)", "…(11 characters)")]


# --- 4. a Sentry DSN's public key is public (docs.sentry.io/product/sentry-basics/dsn-explainer/) -------------------------------
KEY = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize("value", [f"https://{KEY}@o123456.ingest.sentry.io/4505", f"https://{KEY}@o1.ingest.us.sentry.io/42",
                                   f"https://{KEY}@ingest.sentry.example.com/7"])  # my own: a regional and a self-hosted ingest host
def test_a_sentry_dsn_is_no_finding(value):
    assert secret_rules.variable_secrets("SENTRY_DSN", value) == []
    assert in_env("SENTRY_DSN", value).empty


@pytest.mark.parametrize("value, secret", [
    (f"https://{KEY}:fedcba9876543210fedcba9876543210@o1.ingest.sentry.io/42", "fedcba9876543210fedcba9876543210"),  # a legacy secret key
    (f"https://{KEY}@git.example.com/org/repo.git", KEY),  # the same user on another host is a token
])
def test_a_sentry_dsns_secret_key_and_a_hex_user_elsewhere_are_still_found(value, secret):
    assert [item[1] for item in secret_rules.variable_secrets("APP_URL", value)] == [secret]
    found_once_and_masked(in_env("APP_URL", value), secret)
