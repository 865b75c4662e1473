"""#22 Kind E (22z), a fresh verifier's misses in dockerlab.secret_rules: each true secret found once and masked in the
table, its ordinary neighbours not found (no engine)."""
import pytest

from dockerlab import secret_rules
from tests.unit.test_secret_rules_more import in_file


def file_values(path: str, content: str) -> list[str]:
    return [value for _, _, value in secret_rules.file_findings(path, content.encode())]


# --- 1: a literal given to a telling name in a program's own syntax ----------------------------------------------------------
@pytest.mark.parametrize("path, content, value", [
    ("/var/www/html/wp-config.php", "<?php\ndefine( 'DB_NAME', 'wordpress' );\ndefine( 'DB_PASSWORD', 'Wp-hunter22' );\n", "Wp-hunter22"),
    ("/var/www/html/wp-config.php", "<?php\ndefine(\"AUTH_KEY\", \"Ak-hunter22xyz\");\n", "Ak-hunter22xyz"),
    ("/var/www/html/config.php", "<?php\n$db_host = 'db';\n$db_password = 'Ph-hunter22';\n$dbh = new PDO($dsn, $db_user, $db_password);\n",
     "Ph-hunter22"),
    ("/var/www/html/Db.php", "<?php\nclass Db {\n  function __construct() { $this->api_token = 'Tk-hunter22'; }\n}\n", "Tk-hunter22"),  # my own
    ("/app/lib/db.pl", '#!/usr/bin/perl\nmy $password = "Pl-hunter22";\n', "Pl-hunter22"),
    ("/app/config/database.php", "<?php\nreturn ['mysql' => ['password' => env('DB_PASSWORD', 'Lv-hunter22'), 'host' => env('DB_HOST', '127.0.0.1')]];\n",
     "Lv-hunter22"),
    ("/app/config.js", "module.exports = {\n  db: { password: process.env.DB_PASSWORD || 'Nd-hunter22' },\n};\n", "Nd-hunter22"),
    ("/app/config.js", "const token = process.env['API_TOKEN'] ?? \"Nt-hunter22\";\n", "Nt-hunter22"),  # my own
    ("/app/settings.py", 'import os\nDB = os.getenv("DB_PASSWORD", "Py-hunter22")\n', "Py-hunter22"),
    ("/app/settings.py", 'import os\nKEY = os.environ.get("SECRET_KEY", "Sk-hunter22")\n', "Sk-hunter22"),
    ("/app/settings.py", 'KEY = env.str("API_KEY", default="Ek-hunter22")\n', "Ek-hunter22"),  # my own: django-environ
    ("/app/config/app.rb", 'PW = ENV.fetch("DB_PASSWORD", "Rb-hunter22")\n', "Rb-hunter22"),  # my own: Ruby
])
def test_a_literal_in_a_programs_own_syntax_is_found_and_masked(path, content, value):
    assert file_values(path, content) == [value]
    assert in_file(path, content) == [("a password or token assignment", secret_rules.mask(value))]


@pytest.mark.parametrize("path, content", [
    # the official WordPress image's wp-config-docker.php and WordPress' own sample: no value, placeholders
    ("/usr/src/wordpress/wp-config-docker.php", "<?php\ndefine( 'DB_PASSWORD', getenv_docker('WORDPRESS_DB_PASSWORD', 'example password') );\n"
     "define( 'AUTH_KEY',         getenv_docker('WORDPRESS_AUTH_KEY',         'put your unique phrase here') );\n"),
    ("/usr/src/wordpress/wp-config-sample.php",
     "<?php\ndefine( 'DB_PASSWORD', 'password_here' );\ndefine( 'AUTH_KEY',         'put your unique phrase here' );\n"),
    ("/app/config/database.php", "<?php\n'password' => env('DB_PASSWORD', ''),\n'key' => env('APP_KEY'),\n$password = $_POST['password'];\n"
     "$hash = password_hash($password, PASSWORD_DEFAULT);\n"),
    ("/app/x.js", "const pw = process.env.DB_PASSWORD || '';\nconst f = process.env.TOKEN_FILE || '/run/secrets/token';\n"),
    ("/app/s.py", 'X = os.getenv("DB_PASSWORD_FILE", "/run/secrets/db")\nY = os.environ.get("DB_PASSWORD")\nZ = os.getenv("DB_HOST", "db")\n'),
])
def test_lookups_without_a_literal_secret_are_not_found(path, content):
    assert secret_rules.file_findings(path, content.encode()) == []


@pytest.mark.parametrize("command", ['[ "$DB_PASSWORD" = "" ] && exit 1', "test $PASSWORD = $EXPECTED"])
def test_a_shell_comparison_without_a_literal_is_not_found(command):
    assert secret_rules.text_findings(command) == []
