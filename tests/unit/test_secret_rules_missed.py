"""#22 Kind E (22z), a fresh verifier's misses in dockerlab.secret_rules: each true secret found once and masked in the
table, its ordinary neighbours not found (no engine)."""
import pytest

from dockerlab import secret_rules
from tests.unit.test_secret_rules_more import found_once_and_masked, in_env, in_file, in_history


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


def found_in_command(command: str, value: str) -> None:
    assert [item[2] for item in secret_rules.text_findings(command)] == value.split(), secret_rules.text_findings(command)
    table = in_history(command)
    assert len(table) == len(value.split()) and not any(part in table.to_string() for part in value.split()), table.to_string()


# --- 2: a password written to a program that reads it from its input ---------------------------------------------------------
@pytest.mark.parametrize("command, value", [
    ("echo 'Dk-hunter22' | docker login -u me --password-stdin registry.example.com", "Dk-hunter22"),
    ("echo Su-hunter22 | sudo -S apt-get install -y build-essential", "Su-hunter22"),
    ("printf 'Su-hunter22\\n' | sudo -k -S true", "Su-hunter22"),  # my own
    ("echo 'Kb-hunter22' | kinit admin@EXAMPLE.COM", "Kb-hunter22"),
    ("gh auth login --with-token <<< Gh-notaform-hunter22", "Gh-notaform-hunter22"),
    ("docker login -u me --password-stdin registry.example.com <<< 'Dk-hunter33'", "Dk-hunter33"),  # my own
    ("echo Cg-token22abc | cargo login", "Cg-token22abc"),  # my own
])
def test_a_password_written_to_a_programs_input_is_found_and_masked(command, value):
    found_in_command(command, value)


# --- 3: login tools' own password options ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("command, value", [
    ("crane auth login registry.example.com -u me -p Cr-hunter22", "Cr-hunter22"),
    ("oc login https://api.ocp.example.com:6443 -u admin -p Oc-hunter22 --insecure-skip-tls-verify", "Oc-hunter22"),
    ("twine upload --repository-url https://pypi.example.com/ -u me -p Tw-hunter22 dist/*", "Tw-hunter22"),
    ("skopeo copy --src-creds me:Sc-hunter22 docker://registry.example.com/app:1 docker-archive:/tmp/app.tar", "Sc-hunter22"),
    ("skopeo copy --dest-creds=me:Sd-hunter22 oci:/tmp/app docker://registry.example.com/app:1", "Sd-hunter22"),
    ("podman pull --creds me:Pc-hunter22 quay.io/org/app:1", "Pc-hunter22"),
    ("smbclient //files/share -U 'me%Sb-hunter22' -c 'get report.csv /tmp/report.csv'", "Sb-hunter22"),
    ("net ads join -U Administrator%Nt-hunter22", "Nt-hunter22"),  # my own
    ("lftp -u me,Lf-hunter22 -e 'mirror /pub /data; quit' sftp://files.example.com", "Lf-hunter22"),
    ("http -a me:Ht-hunter22 POST https://api.example.com/deploy", "Ht-hunter22"),
    ("https --auth=me:Hs-hunter22 api.example.com/deploy", "Hs-hunter22"),  # my own
    ("cargo login cioAbCdEfGh0123456789IjKlMnOpQrStUv", "cioAbCdEfGh0123456789IjKlMnOpQrStUv"),
    ("cargo login --registry my-registry Cr-token22abc", "Cr-token22abc"),  # my own
    ("mongosh admin --eval \"db.auth('root', 'Mg-hunter22')\"", "Mg-hunter22"),
    ("mongosh --eval \"db.getSiblingDB('admin').changeUserPassword('app', 'Mg-hunter33')\"", "Mg-hunter33"),  # my own
    ("mc alias set local http://minio:9000 minioadmin Mn-hunter22", "Mn-hunter22"),
    ("mc alias set s3 https://s3.amazonaws.com AKIAIOSFODNN7EXAMPL3 wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz3k9q2LmN",
     "AKIAIOSFODNN7EXAMPL3 wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz3k9q2LmN"),
])
def test_a_password_given_to_a_login_tool_is_found_and_masked(command, value):
    found_in_command(command, value)


@pytest.mark.parametrize("command", [
    "echo \"$DOCKER_PASSWORD\" | docker login -u \"$DOCKER_USERNAME\" --password-stdin", "echo hello | sudo tee /etc/motd",
    "echo 'deb http://deb.example.com stable main' | sudo tee -a /etc/apt/sources.list", "cat <<< hello", "grep x <<< \"$Y\"",
    "docker login -u me --password-stdin < /run/secrets/pw", "echo $PW | sudo -S true", "gh auth login --with-token < /run/secrets/gh",
    "cargo login", "cargo build --release", "skopeo copy --src-creds me docker://a docker://b", "skopeo copy --src-creds \"$CREDS\" a b",
    "http POST https://api.example.com/x a=b", "curl http://example.com -a", "mc alias set local http://minio:9000 $ACCESS $SECRET",
    "oc login --token=$TOKEN https://api.example.com", "docker run -p 8080:80 nginx", "twine upload dist/*", "smbclient -L //host -N",
    "lftp -e 'mirror /pub /data' sftp://files.example.com", "echo 50% done", "podman run -p 8080:80 --name oc-login app",
])
def test_ordinary_commands_of_those_tools_are_not_found(command):
    assert secret_rules.text_findings(command) == []


# --- 4: compound key names that hold a secret (KEY alone does not) ------------------------------------------------------------
@pytest.mark.parametrize("name, value", [
    ("RAILS_MASTER_KEY", "0b1c5f6e8a9d2e3f4a5b6c7d8e9f0a1b"), ("AIRFLOW__CORE__FERNET_KEY", "81HqDtbqAywKSOumSha3BhWNOdQ26slT6K0YaZeZyPs="),
    ("ENCRYPTION_KEY", "f3a9c1e7b5d2a8c4e6f0b1d3a5c7e9f2"), ("SIGNING_KEY", "MC4CAQAwBQYDK2VwBCIEIHx3uJp9y7dXhq2Zy5m0v1lQkWn8rT4aB6cD0eF2gH3i"),
    ("APP_KEY", "base64:2fl+Ktvkfl+Fuz4Qp/A75G2RTiWVA/ZoKZvp6fiiM10="),
    ("AZURE_STORAGE_ACCOUNT_KEY", "q8Vd3kZ1pL0mXyT7rW2sN5bC9fG4hJ6kA1zQ3xE8uY0iO7pL2mN4bV6cX9zA1="),
    ("MASTER_KEY", "Mk-hunter22"),  # my own: a plain value under the name
])
def test_a_compound_key_name_holds_a_secret(name, value):
    assert secret_rules.variable_secrets(name, value)
    found_once_and_masked(in_env(name, value), value)


@pytest.mark.parametrize("name, value", [
    ("GPG_KEY", "A035C8C19219BA821ECEA86B64E628F8D684696D"), ("JWT_PUBLIC_KEY", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"),
    ("PYTHON_SHA256", "abc123def456abc123def456"), ("NGINX_GPGKEY", "573BFD6B3D8FBC641079A6ABABF5BD827BD9BF62"),
    ("PUSHER_APP_KEY", "a1b2c3d4e5f6a7b8c9d0"), ("ENCRYPTION_KEY_FILE", "/run/secrets/k"), ("KMS_ENCRYPTION_KEY_ID", "alias/app"),
    ("SIGNING_KEY_PATH", "keys/sign.pem"), ("GOOGLE_SERVICE_ACCOUNT_KEY_FILE", "sa.json"),
])
def test_key_names_that_hold_no_secret_are_not_found(name, value):
    assert secret_rules.variable_secrets(name, value) == []


@pytest.mark.parametrize("command, value", [
    ("az storage blob upload --account-name acct --account-key 'q8Vd3kZ1pL0mXyT7rW2sN5bC9fG4hJ6kA1zQ3xE8uY0iO7pL2mN4bV6cX9zA1==' -c c -f f -n f",
     "q8Vd3kZ1pL0mXyT7rW2sN5bC9fG4hJ6kA1zQ3xE8uY0iO7pL2mN4bV6cX9zA1=="),  # a base64 value's padding is no NAME=VALUE spec
    ("export RAILS_MASTER_KEY=0b1c5f6e8a9d2e3f4a5b6c7d8e9f0a1b && bin/rails assets:precompile", "0b1c5f6e8a9d2e3f4a5b6c7d8e9f0a1b"),
])
def test_a_compound_key_name_in_a_command_is_found_and_masked(command, value):
    found_in_command(command, value)


@pytest.mark.parametrize("command", ["git config --global user.signingkey 3AA5C34371567BD2 && git config --global commit.gpgsign true",
                                     "git config user.signingKey ~/.ssh/id_ed25519.pub"])
def test_gits_signing_key_is_a_keys_id_not_a_secret(command):
    assert secret_rules.text_findings(command) == []
    assert secret_rules.file_findings("/root/.gitconfig", b"[user]\n\tsigningkey = 3AA5C34371567BD2\n") == []


# --- 5: connection strings and Authorization headers ------------------------------------------------------------------------------
AZURE_KEY = "q8Vd3kZ1pL0mXyT7rW2sN5bC9fG4hJ6kA1zQ3xE8uY0iO7pL2mN4bV6cX9zA1=="


@pytest.mark.parametrize("name, value, secret", [
    ("AZURE_STORAGE_CONNECTION_STRING", f"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={AZURE_KEY};EndpointSuffix=core.windows.net",
     AZURE_KEY),
    ("SERVICEBUS_CONNECTION", "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
     "SharedAccessKey=Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z=", "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z="),  # my own
    ("DB_CONNECTION", "Server=tcp:db,1433;Database=app;User ID=sa;Password=Ms-hunter22;Encrypt=True", "Ms-hunter22"),  # my own: ADO.NET
    ("ODBC_CONNECTION", "Driver={ODBC Driver 18 for SQL Server};Server=db;Uid=sa;Pwd=Ms-hunter33;", "Ms-hunter33"),  # my own: ODBC
])
def test_a_key_or_password_in_a_connection_string_is_found_and_masked(name, value, secret):
    assert [inner for _, inner in secret_rules.variable_secrets(name, value)] == [secret]
    found_once_and_masked(in_env(name, value), secret)


@pytest.mark.parametrize("command, value", [
    ("curl -H 'Authorization: ApiKey Zm9vYmFyOmJhenF1eDEyMzQ1Njc4OQ==' https://es.example.com:9200/_cluster/health", "Zm9vYmFyOmJhenF1eDEyMzQ1Njc4OQ=="),
    ("echo '{\"Authorization\": \"Bearer abcdef1234567890xyz\"}' > /app/headers.json", "abcdef1234567890xyz"),  # my own: a JSON pair
])
def test_more_authorization_forms_are_found_and_masked(command, value):
    found_in_command(command, value)


def test_nginx_proxy_set_header_authorization_is_found_and_masked():
    content = 'location / {\n  proxy_pass http://backend;\n  proxy_set_header Authorization "Basic dXNlcjpOZy1odW50ZXIyMg==";\n}\n'
    assert in_file("/etc/nginx/conf.d/default.conf", content) == [("a credential in an Authorization header", secret_rules.mask("dXNlcjpOZy1odW50ZXIyMg=="))]


@pytest.mark.parametrize("text", [
    "proxy_set_header Authorization $http_authorization;", 'add_header Access-Control-Allow-Headers "Authorization, Content-Type";',
                                  "The authorization token expiration is configurable", 'curl -H "Authorization: Bearer $TOKEN" https://api.example.com'])
def test_authorization_without_a_credential_is_not_found(text):
    assert secret_rules.text_findings(text) == []


# --- 6: credential files by their content -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("command, value", [
    ("echo 'db:5432:app:app:Pg-hunter22' > /root/.pgpass && chmod 600 /root/.pgpass", "Pg-hunter22"),
    ("echo '*:*:*:postgres:Pg-hunter33' >> ~/.pgpass", "Pg-hunter33"),  # my own: wildcards, appended
    ("printf 'db:5432:*:app:Pg-hunter44\\n' > \"$HOME/.pgpass\"", "Pg-hunter44"),  # my own: printf
    ("COMPOSER_AUTH='{\"github-oauth\": {\"github.com\": \"0123456789abcdef0123456789abcdef01234567\"}}' composer install",
     "0123456789abcdef0123456789abcdef01234567"),
    ("echo '{\"bearer\": {\"repo.example.com\": \"Br-hunter22abc\"}}' > /root/.composer/auth.json", "Br-hunter22abc"),  # my own
])
def test_a_credential_file_line_written_by_a_command_is_found_and_masked(command, value):
    found_in_command(command, value)


@pytest.mark.parametrize("value, secret", [
    ('{"gitlab-token": {"gitlab.example.com": "Tk-hunter22abcdef"}}', "Tk-hunter22abcdef"),
    ('{"http-basic": {"repo.example.com": {"username": "me", "password": "Cp-hunter22"}}}', "Cp-hunter22"),
])
def test_composer_auth_in_the_environment_is_found_and_masked(value, secret):
    assert [inner for _, inner in secret_rules.variable_secrets("COMPOSER_AUTH", value)] == [secret]
    found_once_and_masked(in_env("COMPOSER_AUTH", value), secret)


@pytest.mark.parametrize("path, content, values", [
    ("/root/.pgpass", "db:5432:app:app:Pg-hunter22\n# a comment\n*:*:*:other:Pg-hunter55\n", ["Pg-hunter22", "Pg-hunter55"]),
    ("/root/.composer/auth.json", '{\n  "github-oauth": {\n    "github.com": "0123456789abcdef0123456789abcdef01234567"\n  }\n}\n',
     ["0123456789abcdef0123456789abcdef01234567"]),
])
def test_a_credential_files_content_is_found(path, content, values):
    assert file_values(path, content) == values
    assert all(secret_rules.mask(value) in str(in_file(path, content)) and value not in str(in_file(path, content)) for value in values)


@pytest.mark.parametrize("path, content", [
    ("/etc/shadow", "root:*:19000:0:99999:7:::\n"), ("/tmp/times.txt", "12:30:45:10:99\n"),
    ("/app/composer.json", '{"require": {"php": ">=8.1", "laravel/framework": "^10.0"}, "config": {"bearer": false}}'),
    ("/app/package.json", '{"name": "x", "dependencies": {"passport-http-bearer": "^1.0.4", "express": "^4"}}'),
])
def test_colon_lines_and_json_that_are_no_credential_file_are_not_found(path, content):
    assert secret_rules.file_findings(path, content.encode()) == []


@pytest.mark.parametrize("command", ["echo \"db:5432:app:app:$PGPASSWORD\" > ~/.pgpass", "echo 'a:1:c:d:e' > /tmp/x",
                                     "composer config --global github-protocols https && composer install --no-dev"])
def test_no_literal_pgpass_or_composer_token_is_not_found(command):
    assert secret_rules.text_findings(command) == []
