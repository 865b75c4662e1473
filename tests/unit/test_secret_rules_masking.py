"""#22 Kind E (22y), a fresh verifier's breaks: over-masking (a found value masked inside paths and longer words),
`kubectl config set-credentials`, sed's s/// expressions and Sentry's public DSNs (no engine)."""
import pytest

from dockerlab import secret_rules
from tests.unit.test_secret_rules_more import found_once_and_masked, in_history


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
