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
    assert secret_rules.masked_text("cp /x/ahunter22b /y", {"hunter22"}) == "cp /x/a…(8 characters)b /y"


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


# --- C7-C12: true secrets a rule missed (each found once and masked) -------------------------------------------------------------
JWT = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIiwiaXNzIjoic3VwYWJhc2UiLCJpYXQiOjE3MDAwMDAwMDB9"
       ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U")


@pytest.mark.parametrize("command, value", [
    # C7: dotted long options, Gradle's -P properties (the last dotted or camelCase part decides, as for -D)
    ("jupyter lab --ServerApp.token=Jt-hunter22 --ip=0.0.0.0", "Jt-hunter22"),
    ("java -jar app.jar --spring.datasource.password=Sp-hunter22", "Sp-hunter22"),
    ("./gradlew publish -PsonatypePassword=Gr-hunter22 -PsigningPassword=Sg-hunter22", "Gr-hunter22 Sg-hunter22"),
    ("./gradlew publish -Psigning.password=Sg-hunter22", "Sg-hunter22"),
    ("java -jar app.jar --spring.datasource.password Sp-hunter22", "Sp-hunter22"),  # my own: after a space
    # C8: an empty URL user, a secret as the first query parameter
    ("redis-cli -u redis://:Rd-hunter22@cache:6379/0 ping", "Rd-hunter22"),
    ('curl -fsS -X POST "https://api.example.com/v1/deploy?api_key=Ak-hunter22abc&env=prod"', "Ak-hunter22abc"),
    ("wget -q 'https://api.example.com/x?access_token=At-hunter22'", "At-hunter22"),  # my own
    # C9: SQL in a command
    ('psql -U postgres -c "ALTER USER postgres WITH PASSWORD \'Pg-hunter22\';"', "Pg-hunter22"),
    ('mysql -uroot -e "CREATE USER \'app\'@\'%\' IDENTIFIED BY \'My-hunter22\'; GRANT ALL ON app.* TO \'app\'@\'%\';"', "My-hunter22"),
    ('psql -c "CREATE ROLE app LOGIN ENCRYPTED PASSWORD \'Pg-hunter22\'"', "Pg-hunter22"),
    ('mysql -e "SET PASSWORD FOR \'root\'@\'localhost\' = \'My-hunter22\'"', "My-hunter22"),
    ('sqlcmd -S db -Q "CREATE LOGIN app WITH PASSWORD = \'Ms-hunter22!\'"', "Ms-hunter22!"),  # my own: SQL Server
    ("mysql -e \"ALTER USER 'root'@'%' IDENTIFIED WITH mysql_native_password BY 'My-hunter22'\"", "My-hunter22"),  # my own
    # C10: a JWT by its form
    ('curl -H "apikey: ' + JWT + '" https://x.supabase.co/rest/v1/', JWT),
    # C11: Bundler
    ("bundle config set --global gems.contribsys.com abcd1234:efgh5678", "abcd1234:efgh5678"),
    ("bundle config https://gems.example.com/ deploy:Bd-hunter22", "deploy:Bd-hunter22"),  # my own: the URL form
    # C12: tools' own password arguments (a list)
    ("dotnet nuget add source https://nuget.example.com/v3/index.json -n priv -u me -p Nu-hunter22 --store-password-in-clear-text", "Nu-hunter22"),
    ("nuget sources add -Name priv -Source https://nuget.example.com/v3/index.json -Username me -Password Nu-hunter22", "Nu-hunter22"),
    ("openssl pkcs12 -export -in cert.pem -inkey key.pem -out /app/keystore.p12 -password pass:Op-hunter22 -name app", "Op-hunter22"),
    ("ldapadd -x -D cn=admin,dc=example,dc=org -w Ld-hunter22 -f /tmp/users.ldif", "Ld-hunter22"),
    ("ldapmodify -x -D cn=admin -w Ld-hunter22 -f m.ldif", "Ld-hunter22"), ("ldapsearch -x -D cn=admin -wLd-hunter22 -b dc=x", "Ld-hunter22"),
    ("rabbitmqctl add_user admin Rb-hunter22 && rabbitmqctl set_user_tags admin administrator", "Rb-hunter22"),
    ("rabbitmqctl change_password admin Rb-hunter33", "Rb-hunter33"),  # my own
    ("x11vnc -storepasswd Vn-hunter22 /root/.vnc/passwd", "Vn-hunter22"),
    ("echo Vn-hunter22 | vncpasswd -f > /root/.vnc/passwd", "Vn-hunter22"),
    ("(echo Sm-hunter22; echo Sm-hunter22) | smbpasswd -a -s app", "Sm-hunter22"),
    ('echo -e "Pw-hunter22\\nPw-hunter22" | passwd root', "Pw-hunter22"),
    ("printf 'Pw-hunter22\\nPw-hunter22\\n' | passwd app", "Pw-hunter22"),  # my own
    ("echo 'root:Docker!' | chpasswd", "Docker!"),
    ("ssh-keygen -t ed25519 -N 'Sk-passphrase22' -f /root/.ssh/id_ed25519", "Sk-passphrase22"),
    ("curl --oauth2-bearer Ob-hunter22abcdef https://api.example.com/v1/me", "Ob-hunter22abcdef"),
    ("printf 'machine %s login %s password %s\\n' github.com me Nr-hunter22 > ~/.netrc", "Nr-hunter22"),
    ("printf 'db:\\n  password: %s\\n' Yp-hunter22 > /app/config.yml", "Yp-hunter22"),  # my own: printf into YAML
])
def test_a_secret_a_rule_missed_is_found_once_and_masked(command, value):
    assert [item[2] for item in secret_rules.text_findings(command)] == value.split(), secret_rules.text_findings(command)
    table = in_history(command)
    assert len(table) == len(value.split()) and not any(part in table.to_string() for part in value.split()), table.to_string()


@pytest.mark.parametrize("name, value, secret", [
    ("SUPABASE_SERVICE_ROLE_KEY", JWT, JWT),  # C10
    ("NEXT_PUBLIC_ANON", JWT, JWT),  # my own: a neutral name
    ("REDIS_URL", "redis://:Rd-hunter22@cache:6379/0", "Rd-hunter22"),  # C8
    ("BUNDLE_GEMS__CONTRIBSYS__COM", "abcd1234:efgh5678", "abcd1234:efgh5678"),  # C11
    ("BUNDLE_RUBYGEMS__PKG__GITHUB__COM", "x-access-token:Bt-hunter22", "x-access-token:Bt-hunter22"),  # my own
    ("POETRY_PYPI_TOKEN_PRIVATE", "Pt-hunter22", "Pt-hunter22"),
    ("POETRY_HTTP_BASIC_PRIVATE_PASSWORD", "Pt-hunter22", "Pt-hunter22"),
])
def test_a_secret_in_an_env_value_or_a_tools_variable_is_found_once_and_masked(name, value, secret):
    assert secret_rules.variable_secrets(name, value)
    found_once_and_masked(in_env(name, value), secret)


def test_a_jwt_in_an_env_file_under_a_neutral_name_is_found_and_masked():
    findings = in_file("/app/settings.env", f"ANON={JWT}\n")
    assert findings == [("a JSON Web Token (JWT)", secret_rules.mask(JWT))]


@pytest.mark.parametrize("command", [
    "ssh-keygen -t rsa -N '' -f /etc/ssh/ssh_host_rsa_key", "bundle config set --global path vendor/bundle",
    "bundle config build.nokogiri --use-system-libraries", "bundle config set mirror.https://rubygems.org https://mirror.example.com",
    "printf '%s\\n' hello > /tmp/a", "echo \"$PW\" | passwd --stdin app",
    "mysql -e \"CREATE USER 'app'@'%' IDENTIFIED BY PASSWORD '*0123456789ABCDEF0123456789ABCDEF01234567'\"",
    "jupyter notebook --NotebookApp.token='' --NotebookApp.password='' --ip=0.0.0.0", "./gradlew -Pversion=1.2 build",
    "curl 'https://api.example.com/x?token_type=bearer&page=2'",
])
def test_lookalikes_of_those_secrets_are_not_found(command):
    assert secret_rules.text_findings(command) == []


@pytest.mark.parametrize("name, value", [("BUNDLE_BUILD__NOKOGIRI", "--use-system-libraries"), ("BUNDLE_PATH", "/usr/local/bundle"),
                                         ("BUNDLE_MIRROR__HTTPS://RUBYGEMS__ORG/", "https://mirror.example.com"), ("POETRY_PYPI_TOKEN_PRIVATE", "")])
def test_bundler_and_poetry_settings_that_hold_no_credential_are_not_found(name, value):
    assert secret_rules.variable_secrets(name, value) == []
