"""#22 Kind E: the secret rules themselves (dockerlab.secret_rules), on files, commands and the config alike (no engine)."""
import pytest

from dockerlab import secret_rules, security


def in_file(path: str, content: str):
    data = content.encode()
    return security._look_for_secrets(path, len(data), lambda: data)


def in_history(command: str):
    return security.secrets_from_layers("app", {"Config": {"Env": [], "Labels": {}}}, [], [command])


# --- a password assigned a literal is reported, whatever characters it has ---------------------------

@pytest.mark.parametrize("path, content, value", [
    ("/app/config.ini", "[db]\npassword = secret\n", "secret"),
    ("/app/.env", "DB_HOST=db\nDB_PASSWORD=hunter\n", "hunter"),
    ("/app/config.json", '{"user": "app", "password": "letmein"}\n', "letmein"),
    ("/app/config.yaml", "db:\n  user: app\n  password: changeme\n", "changeme"),
    ("/app/config.yaml", "db:\n  password: 'correct horse battery staple'  # the shared one\n", "correct horse battery staple"),
    ("/app/settings.py", 'DATABASES = {"default": {"PASSWORD": "pw1"}}\n', "pw1"),  # quoted in code: a literal
    ("/app/start.sh", "#!/bin/sh\nexport API_TOKEN=abc && exec ./app\n", "abc"),  # in shell, a bare word is a literal
    ("/app/application.properties", "spring.datasource.password=tiger\n", "tiger"),
    ("/app/main.go", 'const dbPassword := "gopher"\n', "gopher"),
    ("/app/config.yml", "clientSecret: swordfish\n", "swordfish"),  # camelCase: the word ends where the next begins
    ("/app/compose.yaml", "services:\n  db:\n    environment:\n      - POSTGRES_PASSWORD=secret\n", "secret"),
    ("/app/config.php", "$config['db_password'] = 'hunter';\n", "hunter"),
    ("/root/.pypirc", "[pypi]\nusername = __token__\npassword = abc\n", "abc"),
    ("/app/config.toml", '[db]\npassword = "p@ss w0rd"\n', "p@ss w0rd"),
    ("/app/.env", "MYSQL_PASSWD=abc123\n", "abc123"),  # passwd in a longer name is a password (alone, the user database)
])
def test_a_password_assigned_a_literal_is_reported_whatever_its_characters(path, content, value):
    found = in_file(path, content)
    assert found and any("assignment" in what for what, _ in found), found
    assert all(value not in evidence for _, evidence in found)  # masked, also when short


@pytest.mark.parametrize("path, content", [
    ("/app/settings.py", 'password = os.environ["X"]\n'),
    ("/app/settings.py", "password = os.environ.get('DB_PASSWORD', '')\n"),
    ("/app/settings.py", "password = get_password()\n"),
    ("/app/settings.py", "password = None\n"),
    ("/app/settings.py", "password = secret\n"),  # code: a bare word is a variable (quotes required, as detect-secrets does)
    ("/usr/local/bin/tool", "#!/usr/bin/env python3\ntoken = tstring\n"),  # code by its shebang
    ("/app/compose.yaml", "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: ${DB_PASSWORD}\n"),
    ("/app/compose.yaml", "environment:\n  POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it in .env}\n"),
    ("/app/start.sh", "#!/bin/sh\nPASSWORD=$(cat /run/secrets/x)\nTOKEN=`cat /run/secrets/t`\n"),
    ("/app/config.yaml", 'password: ""\ntoken: \'\'\nsecret:\n  name: x\n'),
    ("/app/README.md", "Log in with `mysql -u root --password=<password>`, then set password=<your password>.\n"),
    ("/app/README.md", "Password: enter the one your admin gave you.\n"),  # prose, not a mapping
    ("/app/config.yaml", "password: null\nuse_password: true\npassword_auth: no\n"),
    ("/app/config.yaml", "tokenizer: bert-base\nmax_tokens: 512\nsecretary: Ann\n"),  # the word inside a longer word
    ("/app/config.yaml", "token_ttl: 3600\npassword_min_length: 12\ntoken_url: https://auth.example.com/token\n"),
    ("/app/app.py", 'print("no API token given: pass one with -e API_TOKEN=...")\n'),  # the course's own app
    ("/app/run.sh", "mysql --password=PASSWORD app\ncurl -u me:YOUR_TOKEN x\n"),  # placeholders
    ("/app/config.yaml", "password: '{{ vault_db_password }}'\nsecret: \"%(secret)s\"\ntoken: '********'\n"),  # templates, masks
    ("/app/app.rb", 'config.password = ENV["DB_PASSWORD"]\n'),
    ("/etc/ssh/sshd_config", "PasswordAuthentication no\nPermitEmptyPasswords no\n"),  # Debian's own configs
    ("/etc/login.defs", "PASS_MAX_DAYS\t99999\nPASS_MIN_DAYS\t0\nPASS_WARN_AGE\t7\n"),
    ("/etc/nsswitch.conf", "passwd:         files\ngroup:          files\nshadow:         files\n"),  # found on the python:3.11-slim stand-in
    ("/usr/sbin/addgnupghome", "#!/bin/sh\n    cat_passwd='getent passwd'\n"),
    ("/usr/bin/pygettext3.11", "#! /usr/bin/env python3\n    _('*** Seen unexpected token \"%(token)s\"') % {'token': 'test'}\n"),
])
def test_references_placeholders_and_code_are_not_reported(path, content):
    assert in_file(path, content) is None


@pytest.mark.parametrize("command", [
    "RUN /bin/sh -c echo 'password=abc' > /app/db.ini # buildkit",
    "RUN /bin/sh -c export DB_PASSWORD=hunter && ./migrate # buildkit",
])
def test_a_short_literal_in_a_build_command_is_reported_and_masked(command):
    table = in_history(command)
    assert len(table) == 1, table.to_string()
    value = "abc" if "abc" in command else "hunter"
    assert value not in table.to_string()


# --- each content rule: one text it must find (the value it must report) and one it must not ------------
GH = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
SAMPLES = {
    "a private key": ("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIB\n-----END RSA PRIVATE KEY-----",
                      "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIB\n-----END RSA PRIVATE KEY-----",
                      "-----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY-----"),
    "an AWS access key id": ("aws_access_key_id AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE", "XAKIAIOSFODNN7EXAMPLE"),  # inside a longer word
    "a GitHub token": (f"git clone https://x-access:{GH}@github.com/o/r", GH, "ghp_short"),
    "a GitLab token": ("GL=glpat-x1Y2z3A4b5C6d7E8f9G0", "glpat-x1Y2z3A4b5C6d7E8f9G0", "aglpat-x1Y2z3A4b5C6d7E8f9G0"),
    "a Stripe live secret key": ("stripe.api_key = sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_test_4eC39HqLyjWDarjtT1zdp7dc"),
    "an API secret key (sk-...: OpenAI, Anthropic and others)": ("OPENAI=sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
                                                                "pip install task-scheduler-plugins"),
    "a Google API key": ("maps?key=AIzaSyD-1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6", "AIzaSyD-1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6", "AIzaShort"),
    "an npm token": ("//registry.npmjs.org/:_authToken=npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
                     "npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "npm_config_cache=/tmp"),
    "a PyPI token": ("password = pypi-AgEIcHlwaS5vcmc" + "A" * 60, "pypi-AgEIcHlwaS5vcmc" + "A" * 60, "pip install pypi-simple"),
    "a Slack token": ("SLACK=xoxb-1234567890-abcdefghij", "xoxb-1234567890-abcdefghij", "xoxo hugs"),
    "a credential in an Authorization header": ('curl -H "Authorization: Bearer abcdef1234567890xyz" x', "abcdef1234567890xyz",
                                                'curl -H "Authorization: Bearer YOUR_ACCESS_TOKEN_HERE" x'),
    "a password in a URL (user:password@host)": ("postgres://app:s3cretpw99@db/app", "s3cretpw99", "postgres://app:<password>@db/app"),
    "a token given as a URL's user (token@host)": ("git clone https://0123456789abcdef0123456789abcdef01234567@github.com/o/r",
                                                  "0123456789abcdef0123456789abcdef01234567", "git clone https://me@github.com/o/r"),
    "a password given as a command option (--password)": ("mysql --password=hunter22pass -e 'select 1'", "hunter22pass", "mysql --password=$DB_PASSWORD"),
    "a MySQL password given as -pPASSWORD": ("mysqldump -u root -phunter22pass app", "hunter22pass", "mysql -P3306 -h db app"),
    # #22 fresh tester: provider token formats and the commands that take a password as an argument
    "a Docker Hub access token": ("echo dckr_pat_Ab3dEf6hIj9kLm2nOp5qRs8tUv1 | docker login -u me --password-stdin", "dckr_pat_Ab3dEf6hIj9kLm2nOp5qRs8tUv1",
                                  "docker login -u me --password-stdin < /run/secrets/dckr_pat"),
    "a Hugging Face token": ("HF_TOKEN=hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh", "hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh", "pip install hf_transfer"),
    "a SendGrid API key": ("SENDGRID=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",
                           "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",
                           "cp SG.conf /etc/"),
    "a DigitalOcean token": ("doctl auth init -t dop_v1_" + "0a1b2c3d" * 8, "dop_v1_" + "0a1b2c3d" * 8, "dop_v1_short"),
    "a Slack webhook URL": ("curl -X POST https://hooks.slack.com/services/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",
                            "hooks.slack.com/services/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", "see https://api.slack.com/messaging/webhooks"),
    "a password given to a registry login (-p)": ("docker login -u me -p hunter2 registry.example.com", "hunter2",
                                                  "docker login -u me --password-stdin registry.example.com && docker run -p 8080:80 web"),
    "a password given to sshpass (-p)": ("sshpass -p 'MyP@ss' ssh user@host", "MyP@ss", "sshpass -f /run/secrets/pw ssh -p 2222 user@host"),
    "a password given to curl (-u USER:PASSWORD)": ("curl -fsS -u admin:hunter22 http://127.0.0.1/api", "hunter22",
                                                    'curl -u "$API_USER:$API_PASSWORD" http://x'),
    # #22 verifier's leftovers: redis-cli's -a, and Redis's own password settings
    "a password given to redis-cli (-a)": ("redis-cli -h cache -a S3cretRedis ping", "S3cretRedis",
                                           "redis-cli --askpass -h cache ping && redis-cli -a $REDIS_PASSWORD ping"),
    "a Redis password (requirepass, masterauth)": ("redis-server --port 6379 --requirepass hunter22", "hunter22", "# requirepass <password>"),
    "a password given to htpasswd -b": ("htpasswd -bc /etc/nginx/.htpasswd admin s3cret", "s3cret", "htpasswd -c /etc/nginx/.htpasswd admin"),
    # #22 verifier's miss: a password given to `openssl passwd` on the command line, and openssl's `pass:` argument
    "a password given to openssl passwd": ('useradd -m -p "$(openssl passwd -6 -salt x1 hunter2)" app', "hunter2",
                                           "openssl passwd -6 -salt x1 -stdin < /run/secrets/pw && openssl passwd -1 \"$PW\""),
    "a pass phrase given to openssl (pass:PASSWORD)": ("openssl req -new -key k.pem -passin pass:Sup3rS3cret -out r.csr", "Sup3rS3cret",
                                                       "openssl pkcs12 -export -passout env:P12_PASS -passin file:/run/secrets/k -out a.p12"),
    "a password piped to chpasswd": ("useradd -m app && echo 'app:changeme' | chpasswd", "changeme", "echo 'app:$6$salt$hash' | chpasswd -e"),
    "a password piped to passwd --stdin": ("echo 'Welcome1' | passwd --stdin app", "Welcome1", 'echo "$APP_PASSWORD" | passwd --stdin app'),
    # #22 leftovers: MongoDB's -p, Yarn's npmAuthIdent
    "a password given to a MongoDB tool (-p)": ("mongosh -u admin -p hunter22 --authenticationDatabase admin", "hunter22",
                                                "mongosh -u admin -p --authenticationDatabase admin && docker run --name mongo -p 27017:27017 mongo:7"),
    "a registry login (Yarn's npmAuthIdent: user:password)": ('printf \'npmAuthIdent: "me:hunter2"\\n\' >> /app/.yarnrc.yml', "me:hunter2",
                                                              'echo \'npmAuthIdent: "${NPM_IDENT}"\' > .yarnrc.yml'),
    # #22 verifier: tools whose -p/-P (or -storepass) means a password, and netrc's `password` token
    "a password or client secret given to az login (-p)": ("az login --service-principal -u id -p hunter2xyz --tenant t", "hunter2xyz",
                                                           "az login --service-principal -u id -p ./sp-cert.pem --tenant t && az vm create -n v -g g"),
    "a password given to zip or unzip (-P)": ("zip -r -P hunter22 /out/site.zip /srv/site", "hunter22", "gzip -P x f; wget -P /tmp http://x/a.zip"),
    "a password given to 7-Zip or RAR (-pPASSWORD)": ("7z a -phunter22 /out/a.7z /srv", "hunter22", "apt-get install -y p7zip-full && mkdir -p /srv/7z"),
    "a password given to keytool or jarsigner (-storepass, -keypass)": (
        "keytool -genkeypair -alias app -keystore app.jks -storepass hunter22 -dname CN=app", "hunter22",
        "keytool -importcert -cacerts -storepass changeit -noprompt -file ca.crt && keytool -list -storepass:env STOREPASS"),
    "a password given to sqlcmd or bcp (-P)": ("/opt/mssql-tools18/bin/sqlcmd -S localhost -U sa -P 'Str0ngPassw0rd!' -Q 'select 1'", "Str0ngPassw0rd!",
                                               "sqlcmd -S localhost -U sa -P \"$SA_PASSWORD\" -Q 'select 1'"),
    "a password in netrc syntax (machine HOST login USER password PASSWORD)": (
        "echo 'machine github.com login me password hunter22' > ~/.netrc", "hunter22", "default login anonymous password user@site"),
    # #22 fresh verifier (22v): SQL, JWTs, and more tools' own password arguments
    "a password set in SQL (PASSWORD 'P', IDENTIFIED BY 'P')": ("psql -c \"ALTER USER postgres WITH PASSWORD 'Pg-hunter22';\"", "Pg-hunter22",
                                                                 "psql -c \"ALTER USER app WITH PASSWORD NULL\" && echo 'set password for root'"),
    "a JSON Web Token (JWT)": ("KEY=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhcHAifQ.c2lnbmF0dXJlMTIz", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhcHAifQ.c2lnbmF0dXJlMTIz",
                               "KEY=eyJmb28iOiJiYXIifQ.eyJzdWIiOiJhcHAifQ.c2lnbmF0dXJlMTIz"),  # no "alg" in the header
    "a password given to nuget or dotnet nuget (-p, -Password)": ("nuget sources add -Name p -Source https://n/v3 -Username me -Password Nu-hunter22",
                                                                  "Nu-hunter22", "dotnet nuget add source https://n/v3/index.json -n p"),
    "a password given to an LDAP tool (-w)": ("ldapadd -x -D cn=admin,dc=example,dc=org -w Ld-hunter22 -f u.ldif", "Ld-hunter22",
                                              "ldapadd -x -D cn=admin,dc=example,dc=org -W -f u.ldif && wc -w f"),
    "a password given to rabbitmqctl (add_user, change_password)": ("rabbitmqctl add_user admin Rb-hunter22", "Rb-hunter22",
                                                                    "rabbitmqctl set_user_tags admin administrator"),
    "a password given to x11vnc -storepasswd": ("x11vnc -storepasswd Vn-hunter22 /root/.vnc/passwd", "Vn-hunter22", "x11vnc -storepasswd"),
    "a passphrase given to ssh-keygen (-N, -P)": ("ssh-keygen -t ed25519 -N 'Sk-passphrase22' -f k", "Sk-passphrase22", "ssh-keygen -t rsa -N '' -f k"),
    "a token given to curl (--oauth2-bearer)": ("curl --oauth2-bearer Ob-hunter22abcdef https://api/x", "Ob-hunter22abcdef",
                                                'curl --oauth2-bearer "$TOKEN" https://api/x'),
    "a password piped to passwd, smbpasswd or vncpasswd": ("echo Vn-hunter22 | vncpasswd -f > p", "Vn-hunter22", 'echo "$PW" | vncpasswd -f > p'),
    # #22 fresh verifier (22z): a password written to a program's input, login tools' own options
    "a password written to a program's input (--password-stdin, sudo -S, kinit)": (
        "echo 'Dk-hunter22' | docker login -u me --password-stdin r.example.com", "Dk-hunter22", "echo hunter22 | sudo tee /etc/motd"),
    "a password given as a here-string to a program that reads it (<<< P)": ("gh auth login --with-token <<< Gh-hunter22", "Gh-hunter22",
                                                                            "grep -c x <<< hunter22"),
    "a password given to a login (-p: crane, oc, twine)": ("oc login https://api.example.com:6443 -u admin -p Oc-hunter22", "Oc-hunter22",
                                                           "podman run -p 8080:80 --name oc-login app"),
    "credentials given as --creds USER:PASSWORD (skopeo, podman, buildah)": ("skopeo copy --src-creds me:Sc-hunter22 docker://a oci:/b", "Sc-hunter22",
                                                                             "skopeo copy --src-creds me docker://a oci:/b"),
    "a password given to a Samba tool (-U USER%PASSWORD)": ("smbclient //files/share -U 'me%Sb-hunter22' -c ls", "Sb-hunter22",
                                                            "smbclient //files/share -U me -c 'echo 50%'"),
    "a password given to lftp (-u USER,PASSWORD)": ("lftp -u me,Lf-hunter22 sftp://files.example.com", "Lf-hunter22", "lftp -u me sftp://x,y"),
    "a password given to HTTPie (-a USER:PASSWORD)": ("http -a me:Ht-hunter22 POST https://api.example.com/x", "Ht-hunter22",
                                                      "curl http://example.com -a me:x"),
    "a token given to cargo login": ("cargo login cioAbCdEfGh0123456789IjKlMnOpQrStUv", "cioAbCdEfGh0123456789IjKlMnOpQrStUv",
                                     "cargo login && cargo install --locked ripgrep"),
    "a password given to MongoDB's db.auth()": ("mongosh admin --eval \"db.auth('root', 'Mg-hunter22')\"", "Mg-hunter22",
                                                "mongosh admin --eval \"db.auth('root', passwordPrompt())\""),
    "a password in a .pgpass line (host:port:database:user:password)": ("echo 'db:5432:app:app:Pg-hunter22' > /root/.pgpass", "Pg-hunter22",
                                                                         "echo 'db:5432:app:app' > /tmp/notes && echo \"$PGPASS_LINE\" > ~/.pgpass"),
    "a token in Composer's auth (github-oauth, gitlab-token, bearer)": ('{"github-oauth": {"github.com": "Gh0123456789abcdef"}}', "Gh0123456789abcdef",
                                                                        '{"config": {"bearer": {}}, "require": {"php": ">=8.1"}}'),
    "a secret key given to MinIO's mc alias set": ("mc alias set local http://minio:9000 minioadmin Mn-hunter22", "Mn-hunter22",
                                                   "mc alias set local http://minio:9000 $MINIO_ACCESS $MINIO_SECRET"),
    "a registry login (base64 user:password: Docker's config.json auth, npm's _auth)": (
        '{"auths": {"https://index.docker.io/v1/": {"auth": "bWU6aHVudGVyMg=="}}}', "bWU6aHVudGVyMg==",  # me:hunter2
        '{"auths": {"https://index.docker.io/v1/": {}}, "credsStore": "desktop", "auth": "required"}'),
    # #22 final verifier's long tail (22ac): Oracle's logons
    "a password given to an Oracle tool (USER/PASSWORD@DB)": ("sqlplus -s system/Or-hunter22@//db:1521/XEPDB1 @/opt/init.sql", "Or-hunter22",
                                                              "sqlplus -s /nolog @/opt/init.sql && sqlplus / as sysdba && impdp system/$PW@X"),
    "a password in an Oracle JDBC URL (USER/PASSWORD@HOST)": ("JDBC_URL=jdbc:oracle:thin:app/Jo-hunter22@//db:1521/XEPDB1", "Jo-hunter22",
                                                              "JDBC_URL=jdbc:oracle:thin:@//db:1521/XEPDB1"),
    # (22ac) tools whose own argument is a password
    "a password given to neo4j-admin set-initial-password": ("neo4j-admin dbms set-initial-password Nj-hunter22", "Nj-hunter22",
                                                             "neo4j-admin dbms set-initial-password $NEO4J_PASSWORD"),
    "a password given to grafana-cli reset-admin-password": ("grafana-cli admin reset-admin-password Gf-hunter22", "Gf-hunter22",
                                                             "grafana-cli admin reset-admin-password --password-from-stdin < /run/secrets/p"),
    "a password given to elasticsearch-users (-p)": ("elasticsearch-users useradd ci -p Es-hunter22 -r superuser", "Es-hunter22",
                                                     "elasticsearch-users useradd ci -r superuser"),
    "a password given to mosquitto_passwd -b": ("mosquitto_passwd -b /etc/mosquitto/passwd sensor Mq-hunter22", "Mq-hunter22",
                                                "mosquitto_passwd -c /etc/mosquitto/passwd sensor && mosquitto_passwd -U /etc/mosquitto/passwd"),
    "a password given to openssl enc (-k)": ("openssl enc -aes-256-cbc -salt -k Oe-hunter22 -in db.sql -out db.enc", "Oe-hunter22",
                                             "openssl enc -aes-256-cbc -kfile /run/secrets/k -in db.sql -out db.enc"),
    "a raw key given to openssl enc (-K)": ("openssl enc -aes-256-cbc -K 6f652d68756e7465723232a1b2c3d4e5 -iv 0011223344556677 -in a -out b",
                                            "6f652d68756e7465723232a1b2c3d4e5", "openssl enc -aes-256-cbc -K $KEY -iv 0011223344556677 -in a"),
    "a passphrase given as a command option (--passphrase)": ("gpg --batch --passphrase Gp-hunter22 -d /app/s.gpg", "Gp-hunter22",
                                                              "gpg --batch --passphrase-file /run/secrets/p -d /app/s.gpg"),
    "a password given to mkpasswd": ('useradd -m -p "$(mkpasswd -m sha-512 Mk-hunter22)" app', "Mk-hunter22",
                                     "mkpasswd -s -m sha-512 < /run/secrets/pw && apt-get install -y mkpasswd whois"),
    "a password given to cqlsh (-p)": ("cqlsh -u cassandra -p Cs-hunter22 -f /schema.cql db", "Cs-hunter22", "cqlsh -u cassandra db 9042"),
    "a password given to conan (-p)": ("conan remote login -p Cn-hunter22 artifactory ci", "Cn-hunter22", "conan remote login artifactory ci"),
    "a token given to vault login": ("vault login Vl-hunter22tokenabcdef", "Vl-hunter22tokenabcdef", "vault login -method=userpass username=me"),
    "a secret given to rclone config create or update": ("rclone config create s3 s3 provider AWS secret_access_key k9Qz3Xw7Lp2Rv8Tn", "k9Qz3Xw7Lp2Rv8Tn",
                                                         "rclone config create s3 s3 provider AWS env_auth true"),
    # (22ac) token forms: Telegram's bot tokens (the part after the bot's id), Discord's webhook URLs, Sentry's auth tokens
    "a Telegram bot token": ("curl https://api.telegram.org/bot6123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
                             "curl https://api.telegram.org/bot${TG_TOKEN}/getMe && echo x123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"),
    "a Discord webhook URL": ("curl -X POST https://discord.com/api/webhooks/1234567890123456789/" + "aB3_" * 17,
                              "discord.com/api/webhooks/1234567890123456789/" + "aB3_" * 17, "see https://discord.com/developers/docs/resources/webhook"),
    "a Sentry auth token": ("SENTRY_AUTH=sntrys_eyJpYXQiOjE3MDAwMDAwMDB9_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
                            "sntrys_eyJpYXQiOjE3MDAwMDAwMDB9_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "pip install sntrys_tools sntryu_short"),
}


def test_every_content_rule_has_a_positive_and_a_negative_sample():
    assert {rule.what for rule in secret_rules.CONTENT_RULES} == set(SAMPLES)


@pytest.mark.parametrize("what", list(SAMPLES))
def test_each_content_rule_finds_its_value_and_not_a_lookalike(what):
    text, value, negative = SAMPLES[what]
    assert (what, value) in secret_rules.content_secrets(text), secret_rules.content_secrets(text)
    assert not [found for found in secret_rules.content_secrets(negative) if found[0] == what]


# --- names: which say a secret is held, which only speak about one ------------------------------------
@pytest.mark.parametrize("name, value, held", [
    ("DB_PASSWORD", "hunter", True), ("clientSecret", "x1", True), ("AWS_CREDENTIALS", "k", True), ("db_pass", "pw", True),
    ("TOKEN_TTL", "3600", False), ("PASSWORD_MIN_LENGTH", "12", False), ("TOKEN_URL", "https://auth.example.com/token", False),
    ("TOKENIZERS_PARALLELISM", "false", False), ("SECRETARY", "Ann", False), ("max_tokens", "512", False), ("API_TOKEN", "", False),
    ("USE_PASSWORD", "false", False), ("DB_PASSWORD", "<password>", False), ("PASSWORD", "PASSWORD", False),  # the assignment rule's no-values
    ("API_TOKEN", "$API_TOKEN", True), ("API_TOKEN", None, True),  # a Dockerfile's ENV API_TOKEN=$API_TOKEN bakes the argument in
])
def test_a_name_holds_a_secret_only_when_it_says_so(name, value, held):
    assert bool(secret_rules.variable_secrets(name, value)) is held


# --- masking: no column, repr or text shows a value, however short ---------------------------------------
@pytest.mark.parametrize("value, shown", [("hunter2hunter2", "hun…(14 characters)"), ("abc", "…(3 characters)"), ("x", "…(1 character)"),
                                          (GH, "ghp_…(40 characters)")])
def test_a_masked_value_shows_at_most_a_quarter_of_it(value, shown):
    assert secret_rules.mask(value) == shown


def test_a_short_password_is_masked_in_every_column_and_the_repr():
    from dockerlab.layerfs import LayerFiles

    content = b"[db]\npassword = pw9\n"
    instruction = "RUN printf '[db]\\npassword = pw9\\n' > /srv/db.ini"
    found = security._look_for_secrets("/srv/db.ini", len(content), lambda: content)
    layers = [LayerFiles(instruction, {"/srv/db.ini": len(content)}, [], [], 0, len(content), {}, {"/srv/db.ini": found}),
              LayerFiles("RUN rm /srv/db.ini  # pw9 was here", {}, ["/srv/db.ini"], [], 0, 0, {}, {})]
    table = security.secrets_from_layers("app", {"Config": {"Env": ["DB_PASS=pw9"], "Labels": {"db.password": "pw9"}}}, layers, [instruction])
    assert len(table) >= 3 and "/srv/db.ini" in set(table["where"]), table.to_string()
    for shown in (table.to_string(), repr(table), table.to_html(), str(table.to_dict())):
        assert "pw9" not in shown


def test_masked_text_masks_a_value_wherever_it_stands_as_a_word_and_not_inside_longer_words():
    # a path part is not a word of its own (#22y: `/app` stays a path)
    assert secret_rules.masked_text("echo password=app > /srv/apps.ini; ls /app") == "echo password=…(3 characters) > /srv/apps.ini; ls /app"
    assert secret_rules.masked_text("echo password=pw > /srv/pw.ini") == "echo password=…(2 characters) > /srv/pw.ini"  # 1-2 characters: where found only
    assert secret_rules.masked_text("cp /app/x /srv/hunter2x", {"hunter2x"}) == "cp /app/x /srv/…(8 characters)"


# --- the file-name rule: each name, and a lookalike that holds no secret by its name ---------------------
@pytest.mark.parametrize("name", [*secret_rules.SECRET_FILE_NAMES, ".aws/credentials"])
def test_each_secret_file_name_is_found_and_its_public_lookalike_is_not(name):
    assert secret_rules.examine_file(f"/home/app/{name}", 0, lambda: b"")[0][1] == "file name"
    lookalike = {"id_rsa": "id_rsa.pub", "id_ecdsa": "id_ecdsa.pub", "id_ed25519": "id_ed25519.pub", "id_dsa": "id_dsa.pub",
                 ".aws/credentials": "credentials"}.get(name, name + ".example")
    assert secret_rules.examine_file(f"/home/app/{lookalike}", 0, lambda: b"") is None


# --- #22 fresh tester: the forms a value is given in beyond `name = value` -------------------------------
@pytest.mark.parametrize("path, content, value", [
    ("/app/config.xml", "<config>\n  <password>S3cretPass</password>\n</config>\n", "S3cretPass"),
    ("/root/.m2/settings.xml", "<servers><server><id>nexus</id><username>ci</username><password>mvnPass1</password></server></servers>\n", "mvnPass1"),
    ("/app/app.xml", "<db><secret><![CDATA[a<b&c]]></secret></db>\n", "a<b&c"),
    ("/app/appsettings.config", '<appSettings><add key="ApiKey" value="k-123456" /></appSettings>\n', "k-123456"),
    ("/app/beans.xml", '<property name="password" value="Xy12pass"/>\n', "Xy12pass"),
    ("/app/setup.sh", "#!/bin/sh\naws configure set aws_secret_access_key wJalrXUtnFEMIK7MDENGbPxRfiCY\n", "wJalrXUtnFEMIK7MDENGbPxRfiCY"),
    ("/app/setup.sh", "#!/bin/sh\nyarn config set npmAuthToken abc123token\n", "abc123token"),
    ("/app/setup.sh", "#!/bin/sh\npoetry config pypi-token.private abc123token\n", "abc123token"),  # the word after TOKEN names the repository
    ("/root/.npmrc", "//npm.example.com/:_authToken=abc123token\n", "abc123token"),
])
def test_a_literal_in_xml_and_config_set_forms_is_reported(path, content, value):
    found = secret_rules.file_findings(path, content.encode())
    assert [item for item in found if item[2] == value], found


@pytest.mark.parametrize("path, content", [
    ("/app/config.xml", "<password>${DB_PASSWORD}</password>\n<password></password>\n<token>{{ token }}</token>\n"),
    ("/app/web.xml", '<property name="passwordEncoder" value="${encoder}"/>\n<add key="TokenLifetime" value="3600"/>\n'),
    ("/app/setup.sh", "#!/bin/sh\ngit config --global credential.helper store\naws configure set region us-east-1\n"),
    ("/app/setup.sh", '#!/bin/sh\nnpm config set //registry.npmjs.org/:_authToken "$NPM_TOKEN"\n'),
    # Debian's /etc/maven/settings.xml: its sample servers are inside <!-- -->
    ("/etc/maven/settings.xml", "<servers>\n    <!-- server\n    <server>\n      <password>repopwd</password>\n    </server>\n    -->\n</servers>\n"),
])
def test_references_in_xml_and_config_set_forms_are_not_reported(path, content):
    assert secret_rules.file_findings(path, content.encode()) == []


# --- base64: a secret encoded is still in the image ---------------------------------------------------
def test_a_token_or_url_password_written_as_base64_is_found_and_plain_base64_is_not():
    import base64

    token = base64.b64encode(GH.encode()).decode()
    assert secret_rules.content_secrets(f"echo {token} | base64 -d > /root/.token") == [("a GitHub token" + secret_rules.ENCODED, token)]
    url = base64.b64encode(b"postgres://app:s3cretpw99@db/app").decode()
    assert secret_rules.variable_secrets("DATABASE", url) == [("a password in a URL (user:password@host)" + secret_rules.ENCODED, url)]
    plain = base64.b64encode(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ").decode()  # text, but no secret in it
    assert secret_rules.content_secrets(f"echo {plain} | base64 -d") == []
    sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"  # a hash: base64 letters, binary when decoded
    assert secret_rules.text_findings(f"echo '{sha}  app.tar' | sha256sum -c") == []


def test_a_file_keeps_its_encoded_token_even_in_a_comment_and_a_program_is_not_decoded():
    import base64

    token = base64.b64encode(GH.encode()).decode()
    assert secret_rules.file_findings("/app/notes.txt", f"# old: {token}\n".encode()) == [("", "a GitHub token" + secret_rules.ENCODED, token)]
    assert secret_rules.file_findings("/usr/local/bin/tool", b"\0ELF" + token.encode()) == []


# --- the words that say "not the real one": reported where the image or its build gives the value ----------
@pytest.mark.parametrize("word", sorted(secret_rules.EXAMPLE_WORDS))
def test_an_example_word_is_a_password_in_env_arg_label_and_commands_but_not_in_a_file(word):
    # ENV POSTGRES_PASSWORD=test makes `test` the database's password: anyone who pulls the image can log in
    assert secret_rules.variable_secrets("POSTGRES_PASSWORD", word) == [("a secret-looking name", word)]
    assert secret_rules.text_findings(f"export API_TOKEN={word} && ./migrate") == [("API_TOKEN", "", word)]
    assert secret_rules.text_findings(f"mysql --password={word} app")[0][2] == word
    # in a file (a package's test fixture, a README) the word illustrates
    assert secret_rules.file_findings("/app/README.md", f"password: {word}\nmysql --password={word} app\n<password>{word}</password>\n".encode()) == []


def test_an_example_word_in_the_history_and_the_config_is_a_finding_once():
    table = security.secrets_from_layers("app", {"Config": {"Env": ["POSTGRES_PASSWORD=test"], "Labels": {"db.password": "dummy"}}}, [],
                                         ["ENV POSTGRES_PASSWORD=test", "RUN /bin/sh -c export JWT_SECRET=dummy && ./migrate # buildkit"])
    assert sorted(table["where"]) == ["ENV POSTGRES_PASSWORD", "JWT_SECRET in a build command", "LABEL db.password"], table.to_string()


@pytest.mark.parametrize("value", ["your-api-key-here", "YOUR_API_KEY", "insert_token_here", "<token>", "${API_TOKEN}"])
def test_a_placeholder_is_not_a_value_anywhere(value):
    assert secret_rules.text_findings(f"export API_TOKEN={value}") == []


@pytest.mark.parametrize("written", ['echo "<password>mvnPass1</password>" > /s.xml', "echo '<add key=\"ApiKey\" value=\"k-123456\"/>' > /a.config",
                                     "aws configure set aws_secret_access_key wJalrXUtnFEMIK7MDENG"])
def test_a_value_is_masked_once_in_the_layer_column(written):
    # found on the engine: `<password>mv…(…(17 characters)</password>`: the masked text was searched again
    table = in_history(f"RUN /bin/sh -c {written} # buildkit")
    assert len(table) == 1 and table["layer"].iloc[0].count("…(") == 1, table.to_string()


# --- a setting written inside a variable's value: judged by content, whatever the variable is called ---------
@pytest.mark.parametrize("name, value, found", [
    ("JAVA_OPTS", "-Xmx512m -Dspring.datasource.password=hunter2 -Dfile.encoding=UTF-8", "hunter2"),  # a Java system property
    ("com.example.config", '{"db": {"password": "hunter2"}}', "hunter2"),  # a JSON label
    ("APP_SETTINGS", "<appSettings><add key=\"ApiKey\" value=\"k-123456\"/></appSettings>", "k-123456"),
])
def test_a_setting_inside_an_env_or_label_value_is_found(name, value, found):
    assert secret_rules.variable_secrets(name, value) == [("a password or token assignment", found)]


@pytest.mark.parametrize("name, value", [
    ("JAVA_OPTS", "-Dspring.datasource.password=${DB_PASSWORD} -Xmx1g"),
    ("MAVEN_OPTS", "-Dmaven.repo.local=/m2 -Dhttps.protocols=TLSv1.2"),
    ("com.example.config", '{"password_file": "/run/secrets/db", "token_ttl": 3600}'),
])
def test_a_reference_or_a_setting_about_a_secret_inside_a_value_is_not(name, value):
    assert secret_rules.variable_secrets(name, value) == []


@pytest.mark.parametrize("text", [
    "mysql -uroot -pS3cr3tPassw0rd -e 'select 1'", "app --password=hunter2hunter2 x", "sshpass -p hunter2hunter2 ssh h",
    "curl -u admin:hunter2hunter2 http://x", "htpasswd -b f user hunter2hunter2", "KEY=sk-live-1234567890abcdef",
    "redis-cli -a hunter2hunter2 ping", "redis-server --requirepass hunter2hunter2",
    "openssl passwd -1 hunter2hunter2", "openssl req -new -passin pass:hunter2hunter2 -out r.csr",
    "./tool --db-password hunter2hunter2 x", "yarn config set npmAuthIdent alice:hunter2hunter2", "poetry config http-basic.R u hunter2hunter2",
    "echo 'machine h login me password hunter2hunter2' > ~/.netrc", "az login -u id -p hunter2hunter2", "zip -P hunter2hunter2 a.zip f",
    "7z a -phunter2hunter2 a.7z f", "keytool -list -storepass hunter2hunter2", "sqlcmd -U sa -P hunter2hunter2",
])
def test_masking_a_masked_text_changes_nothing(text):
    """A verifier's break: option-style rules read `-pS3c…(14` (up to the space) as a new password, so the layer
    column, masked once by the rules and once with the known values, showed `-pS…(7 characters) characters)`."""
    from dockerlab.secret_rules import masked_text

    once = masked_text(text)
    assert masked_text(once) == once and "characters) characters)" not in once and "…(" in once


# --- #22 verifier's leftovers: npm's _auth from the environment, redis-cli -a, the JDK's public default -----------
LOGIN = "bWU6aHVudGVyMg=="  # base64 of me:hunter2, what npm's _auth holds
REGISTRY_LOGIN = "a registry login (base64 user:password: Docker's config.json auth, npm's _auth)"


@pytest.mark.parametrize("name", ["NPM_CONFIG__AUTH", "npm_config__auth"])
def test_npm_auth_set_in_the_environment_is_a_registry_login(name):
    table = security.secrets_from_layers("app", {"Config": {"Env": [f"{name}={LOGIN}"], "Labels": {}}}, [], [])
    assert list(table["where"]) == [f"ENV {name}"] and REGISTRY_LOGIN in table["what"].iloc[0], table.to_string()
    assert LOGIN not in table.to_string()
    assert secret_rules.variable_secrets(name, "$NPM_AUTH") == [("a secret-looking name", "$NPM_AUTH")]  # the argument baked in
    assert secret_rules.variable_secrets(name, "") == []


def test_npm_auth_given_to_a_build_command_is_found_once():
    table = in_history(f"RUN /bin/sh -c NPM_CONFIG__AUTH={LOGIN} npm install # buildkit")
    assert len(table) == 1 and REGISTRY_LOGIN in table["what"].iloc[0] and LOGIN not in table.to_string(), table.to_string()


def test_a_password_given_to_redis_cli_in_a_build_command_is_found_and_masked():
    table = in_history("RUN /bin/sh -c redis-cli -h cache -a S3cretRedis ping # buildkit")
    assert len(table) == 1 and "redis-cli" in table["what"].iloc[0] and "S3cretRedis" not in table.to_string(), table.to_string()


@pytest.mark.parametrize("place", ["history", "JAVA_OPTS", "ENV"])
def test_the_jdk_truststore_default_password_is_not_a_secret_and_another_one_is(place):
    def found(password: str):
        if place == "history":
            return in_history(f"RUN /bin/sh -c java -Djavax.net.ssl.trustStorePassword={password} -jar app.jar # buildkit")
        env = [f"JAVA_OPTS=-Xmx1g -Djavax.net.ssl.trustStorePassword={password}"] if place == "JAVA_OPTS" else [f"JAVAX_NET_SSL_TRUSTSTOREPASSWORD={password}"]
        return security.secrets_from_layers("app", {"Config": {"Env": env, "Labels": {}}}, [], [])

    assert found("changeit").empty  # keytool's documented initial password of cacerts: public, and a truststore holds public certificates
    assert len(found("Tru5tMe-2026")) == 1


def test_changeit_for_a_keystore_is_still_a_password():
    assert secret_rules.variable_secrets("JAVA_OPTS", "-Djavax.net.ssl.keyStorePassword=changeit") == [("a password or token assignment", "changeit")]
    assert secret_rules.variable_secrets("SERVER_SSL_TRUST_STORE_PASSWORD", "changeit") == []  # Spring's spelling of the same setting


# --- #22 verifier: a name ABOUT a secret (its lifetime, header, issuer, backend...) holds none, unless its value
# looks like a key by its content ----------------------------------------------------------------------------
ABOUT = [
    ("ACCESS_TOKEN_EXPIRE_MINUTES", "30"), ("REFRESH_TOKEN_EXPIRE_DAYS", "7"), ("TOKEN_EXPIRE_SECONDS", "3600"),
    ("SESSION_SECRET_ROTATION_DAYS", "30"), ("PASSWORD_HASH_ROUNDS", "12"), ("API_KEY_HEADER", "X-Api-Key"),
    ("AUTH_TOKEN_HEADER", "X-Auth-Token"), ("TOKEN_ISSUER", "course-app"), ("TOKEN_AUDIENCE", "api://default"),
    ("PASSWORD_COMPLEXITY", "high"), ("API_KEY_REQUIRED", "1"), ("SECRETS_BACKEND", "vault"),
    # my own: camelCase, an algorithm with digits in it, an issuer URL holding a tenant id
    ("jwtAccessTokenExpiresIn", "15m"), ("PASSWORD_HASHER", "argon2id"),
    ("SE_CREATE_TOKEN_NAME", "SeCreateTokenPrivilege"),  # found in debugpy's winappdbg: camelCase words, not random letters
    ("OIDC_TOKEN_ISSUER", "https://login.microsoftonline.com/8f3a9c0e-1b2d-4f6a-8c0e-1b2d4f6a8c0e/v2.0"),
]


@pytest.mark.parametrize("name, value", ABOUT)
def test_a_setting_about_a_secret_is_not_a_finding_as_env_arg_or_command(name, value):
    assert secret_rules.variable_secrets(name, value) == []
    assert secret_rules.text_findings(f"/bin/sh -c export {name}={value} && ./app") == []
    assert secret_rules.text_findings(f"ENV {name}={value}") == []


@pytest.mark.parametrize("name, value", ABOUT[:3])
def test_a_setting_about_a_secret_is_not_a_finding_in_the_history_or_a_file(name, value):
    assert in_history(f"RUN /bin/sh -c export {name}={value} && ./app # buildkit").empty
    assert secret_rules.variable_secrets(name, None) == []  # an ARG given later is judged by its name: about a secret
    assert in_file("/app/settings.conf", f"{name}={value}\n") is None


GH_ABOUT = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"


@pytest.mark.parametrize("name, value, what", [
    ("ACCESS_TOKEN_EXPIRE_MINUTES", GH_ABOUT, "a GitHub token"),  # a token's form counts whatever the name
    ("TOKEN_TTL", "8f3a9c0e1b2d4f6a8c0e1b2d4f6a8c0e", "a random-looking value (a key's form)"),  # hex
    ("API_KEY_HEADER", "qZtLmWkXvBnRcYpHsJdF", "a random-looking value (a key's form)"),  # 20 random letters
    ("JWT_SECRET", "8f3a9c0e1b2d4f6a", "a secret-looking name"),
    ("DB_PASSWORD", "hunter22", "a secret-looking name"),
    ("PASSWORD_ADMIN", "hunter22", "a secret-looking name"),  # ADMIN is a word of its own, not MIN
    ("SECRET_KEY_BASE", "s3cr3t-base", "a secret-looking name"),  # BASE says nothing about the secret
])
def test_a_secret_is_still_found_when_its_value_or_name_says_so(name, value, what):
    assert secret_rules.variable_secrets(name, value) == [(what, value)]
    found = secret_rules.text_findings(f"/bin/sh -c export {name}={value} && ./app")
    assert [item[2] for item in found] == [value], found
    table = in_history(f"RUN /bin/sh -c export {name}={value} && ./app # buildkit")
    assert len(table) == 1 and value not in table.to_string(), table.to_string()


def test_a_password_given_to_openssl_passwd_in_a_build_command_is_found_once_and_masked():
    table = in_history("RUN /bin/sh -c openssl passwd -1 hunter2 > /etc/app.hash # buildkit")
    assert len(table) == 1 and "hunter2" not in table.to_string(), table.to_string()
    assert in_history("RUN /bin/sh -c openssl passwd -6 -stdin < /run/secrets/pw > /etc/app.hash # buildkit").empty


# --- #22 verifier: a name-only finding is judged by the words after the telling word and by the value's form -----
# Ordinary settings found reported: Rails' generated Dockerfile, Django's and PostgreSQL's password settings, an
# ARN naming a Secrets Manager secret. A word after the telling word (any word: HASHERS, COOKIE, PERMISSIONS...)
# makes a name about a secret; 0/1, an ARN and a dotted module path are no secret's form.
SETTINGS = [
    ("SECRET_KEY_BASE_DUMMY", "1"), ("PASSWORD_HASHERS", "argon2"), ("password_encryption", "scram-sha-256"),
    ("SESSION_TOKEN_COOKIE", "sessionid"), ("GITHUB_TOKEN_PERMISSIONS", "read"), ("TOKEN_CLAIM", "sub"),
    ("PASSWORD_VALIDATORS", "django.contrib.auth.password_validation"),
    ("AWS_SECRET_NAME", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"),
    ("ALLOW_EMPTY_PASSWORD", "1"),  # bitnami's flag: a name ending on PASSWORD, a value that is a flag
    ("AIRFLOW__SECRETS__BACKEND", "airflow.providers.hashicorp.secrets.vault.VaultBackend"),
]


@pytest.mark.parametrize("name, value", SETTINGS)
def test_a_setting_named_after_a_secret_is_not_a_finding_anywhere(name, value):
    assert secret_rules.variable_secrets(name, value) == []
    assert secret_rules.text_findings(f"/bin/sh -c export {name}={value} && ./app") == []
    assert in_history(f"RUN /bin/sh -c export {name}={value} && ./app # buildkit").empty
    assert in_file("/app/settings.conf", f"{name} = {value}\n") is None


@pytest.mark.parametrize("command", [
    "RUN /bin/sh -c SECRET_KEY_BASE_DUMMY=1 ./bin/rails assets:precompile # buildkit",  # Rails' generated Dockerfile
    "RUN /bin/sh -c psql -c \"ALTER SYSTEM SET password_encryption = 'scram-sha-256'\" # buildkit",
    "RUN /bin/sh -c echo \"password_encryption = scram-sha-256\" >> /etc/postgresql/postgresql.conf # buildkit",
    "RUN /bin/sh -c aws secretsmanager get-secret-value --secret-id arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf # buildkit",
])
def test_the_verifiers_build_commands_are_not_findings(command):
    assert in_history(command).empty, in_history(command).to_string()


def test_an_arn_in_a_config_file_is_not_split_at_its_secret_part():
    assert in_file("/app/config.yaml", 'db_secret_arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"\n') is None
    assert in_file("/etc/postgresql/16/main/postgresql.conf", "password_encryption = scram-sha-256\n") is None


@pytest.mark.parametrize("name, value", [
    ("DB_PASSWORD", "hunter22"), ("PASSWORD", "changeme123"), ("SECRET_KEY_BASE", "s3cr3t-base"), ("ADMIN_PASSWORD", "admin"),
    ("PASSWORD_PROD", "hunter22"),  # decided: a word saying which one (PROD, ADMIN, 2) keeps the name a secret's
    ("DB_PASSWORD_2", "hunter22"), ("SECRET_KEY", "django-insecure-dev"), ("DB_PASSWORD", "123456"),  # a weak password, a number
    ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI"), ("AUTH_TOKEN", "letmein"),
])
def test_a_name_ending_on_its_secret_word_keeps_a_word_valued_password(name, value):
    assert secret_rules.variable_secrets(name, value) == [("a secret-looking name", value)]
    assert [item[2] for item in secret_rules.text_findings(f"/bin/sh -c export {name}={value} && ./app")] == [value]
    table = in_history(f"RUN /bin/sh -c export {name}={value} && ./app # buildkit")
    assert len(table) == 1 and value not in table.to_string(), table.to_string()


@pytest.mark.parametrize("name", ["SESSION_TOKEN_COOKIE", "GITHUB_TOKEN_PERMISSIONS", "SECRET_KEY_BASE_DUMMY"])
def test_a_random_looking_value_under_a_name_about_a_secret_is_still_found(name):
    value = "8f3a9c0e1b2d4f6a8c0e1b2d4f6a8c0e"
    assert secret_rules.variable_secrets(name, value) == [("a random-looking value (a key's form)", value)]
    assert [item[2] for item in secret_rules.text_findings(f"export {name}={value}")] == [value]


def test_a_password_after_an_arn_on_the_same_line_is_still_found():
    found = secret_rules.text_findings("aws secretsmanager get-secret-value --secret-id arn:aws:secretsmanager:eu-west-1:1:secret:db"
                                       " && export DB_PASSWORD=hunter22")
    assert [item[2] for item in found] == ["hunter22"], found


def test_a_literal_given_to_kubectl_create_secret_is_found_and_masked():
    command = "RUN /bin/sh -c kubectl create secret generic db --from-literal=password=hunter2 # buildkit"
    table = in_history(command)
    assert len(table) == 1 and "hunter2" not in table.to_string(), table.to_string()
    assert secret_rules.text_findings("kubectl create secret generic db --from-literal=password=$DB_PASSWORD") == []


@pytest.mark.parametrize("name, value", [
    ("ALLOW_EMPTY_PASSWORD", "1"), ("REQUIRE_PASSWORD", "0"),  # a flag
    ("DB_SECRET", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"),  # an ARN names the secret, holds none
    ("DJANGO_PASSWORD", "django.contrib.auth.hashers.PBKDF2PasswordHasher"),  # a dotted module/class path
])
def test_a_value_plainly_not_a_secret_by_its_form_is_not_a_finding_even_under_a_secret_name(name, value):
    assert secret_rules.variable_secrets(name, value) == []
    assert secret_rules.text_findings(f"export {name}={value}") == []


# --- #22 leftovers: a password or token given as a command-line flag, and Yarn (2+)'s registry login -----------------
def _found_once_and_masked(command: str, value: str) -> None:
    """``value`` is the one finding in ``command``, and the history table shows it masked."""
    found = secret_rules.text_findings(command)
    assert [item[2] for item in found] == [value], found
    table = in_history(f"RUN /bin/sh -c {command} # buildkit")
    assert len(table) == 1 and value not in table.to_string(), table.to_string()


@pytest.mark.parametrize("command, value", [
    ("kubectl create secret docker-registry reg --docker-server=r --docker-username=u --docker-password=hunter2", "hunter2"),
    ("vault-agent --api-token=abc123xyz run", "abc123xyz"),
    ("app --db-password='s3cr3t pw' serve", "s3cr3t pw"),
    ("app --password hunter2", "hunter2"), ("app --password=hunter2", "hunter2"),
    ("app --token=YWJjZA== run", "YWJjZA=="),  # base64 padding is the value's, not another setting
    ("mysql -uroot -phunter22 app", "hunter22"), ("docker login -u me -p hunter2 registry.example.com", "hunter2"),
    ("mongodump -u backup -p s3cretMongo --out /dump", "s3cretMongo"),
    ("YARN_NPM_AUTH_IDENT=me:hunter2 yarn install", "me:hunter2"),
    ("YARN_NPM_AUTH_TOKEN=npmtok3n yarn install", "npmtok3n"),
    ("echo 'npmAuthIdent: \"me:hunter2\"' > /app/.yarnrc.yml && yarn install", "me:hunter2"),
    ('echo "npmAuthIdent: \\"me:hunter2\\"" > /app/.yarnrc.yml', "me:hunter2"),
    ("printf 'npmRegistryServer: https://npm.example.com\\nnpmAuthToken: npmtok3n\\n' > .yarnrc.yml", "npmtok3n"),
    # a shell default is the value written (the `-` or `=` is the operator, not the value's)
    ('psql "postgres://u:${DB_PASSWORD:-hunter22}@db/x"', "hunter22"), ("export DB_PASSWORD=${DB_PASSWORD:=hunter22}", "hunter22"),
])
def test_a_password_or_token_given_as_a_flag_or_yarn_setting_in_a_build_command_is_found_once_and_masked(command, value):
    _found_once_and_masked(command, value)


@pytest.mark.parametrize("command", [
    "docker login -u me --password-stdin registry.example.com < /run/secrets/pw",
    "app --password-file=/run/secrets/x", "app --token-file=/run/secrets/t serve",
    "app --password=$DB_PASSWORD", "app --password=${X}", "app --api-token=${API_TOKEN:?}",
    'kubectl create secret docker-registry reg --docker-password="$(cat /run/secrets/p)"',
    "docker build --secret=id=npmrc,src=/root/.npmrc .",  # the option's value is a NAME=VALUE spec, judged as one
    "docker run --name mongo -p 27017:27017 mongo:7", "mongosh -u admin -p --authenticationDatabase admin",
    "YARN_NPM_AUTH_IDENT=$NPM_IDENT yarn install", "echo 'npmAuthIdent: \"${NPM_IDENT}\"' > .yarnrc.yml",
    "app --password=${DB_PASSWORD:-}", "app --password=${DB_PASSWORD:-$FALLBACK}",
])
def test_a_flag_given_a_reference_a_file_or_no_value_is_not_a_finding(command):
    assert secret_rules.text_findings(command) == []
    assert in_history(f"RUN /bin/sh -c {command} # buildkit").empty


@pytest.mark.parametrize("value, what", [
    ("me:hunter2", "a registry login (Yarn's npmAuthIdent: user:password)"),
    (LOGIN, "a registry login (Yarn's npmAuthIdent: user:password)"),  # base64 of me:hunter2: Yarn takes either
    ("$NPM_IDENT", "a secret-looking name"),  # ENV YARN_NPM_AUTH_IDENT=$NPM_IDENT bakes the argument in
])
def test_yarn_npm_auth_ident_in_the_environment_is_a_registry_login(value, what):
    assert secret_rules.variable_secrets("YARN_NPM_AUTH_IDENT", value) == [(what, value)]
    table = security.secrets_from_layers("app", {"Config": {"Env": [f"YARN_NPM_AUTH_IDENT={value}"], "Labels": {}}}, [], [])
    assert list(table["where"]) == ["ENV YARN_NPM_AUTH_IDENT"] and ("$" in value or value not in table.to_string()), table.to_string()
    assert secret_rules.variable_secrets("YARN_NPM_AUTH_IDENT", "") == []


def test_yarn_npm_auth_ident_written_to_a_yarnrc_file_is_found():
    found = in_file("/app/.yarnrc.yml", 'npmRegistries:\n  "//npm.example.com":\n    npmAuthIdent: "me:hunter2"\n')
    assert found and "hunter2" not in str(found), found


# --- #22 verifier: a long option's value after a space (`--db-password V`), judged by the option's name -------------------
@pytest.mark.parametrize("command, value", [
    ("./tool --db-password hunter22", "hunter22"), ("./tool --api-key a8f7d6s5a4f3d2s1x", "a8f7d6s5a4f3d2s1x"),
    ("./tool --token abcdef123456", "abcdef123456"),
    # my own: a quoted value, camelCase-less compound names, a which-one word after the telling word
    ("az ad sp create --client-secret 'Sup3r s3cret' --years 1", "Sup3r s3cret"), ("svn checkout --username ci --password hunter22 http://svn/x", "hunter22"),
    ("wget --http-password hunter22 http://x/f", "hunter22"), ("./app --admin-token-prod tok3nvalue serve", "tok3nvalue"),
])
def test_a_long_option_given_its_secret_after_a_space_is_found_once_and_masked(command, value):
    _found_once_and_masked(command, value)


@pytest.mark.parametrize("command", [
    "psql --no-password dbname", "psql -h db -U app --password mydb", "pg_dump --password -h db app > /dump.sql",  # psql's -W: a switch
    "mysql --password mydb", "mariadb -u root --password app",  # MySQL's password only attached: `mydb` is the database
    "ansible-playbook --ask-password site.yml", "ansible-playbook -i hosts --ask-become-pass site.yml", "tool --prompt-password admin",
    "docker login -u me --password-stdin registry.example.com < /run/secrets/pw", "tool --insecure-skip-tls-verify sync",
    "tool --token -v", "tool --token $TOKEN", "tool --token ${TOKEN}", 'tool --token "$(cat /run/secrets/t)"', "tool --token < /run/secrets/t",
    "tool --token | tee x", "tool --password-file pw.txt run", "openvpn --auth-user-pass creds.txt",
    "docker service create --secret db_password --name db postgres", "docker build --secret id=npmrc,src=/root/.npmrc .",
    "tool --api-key KEY", "tool --token TOKEN", "tool --token <token>",  # a help text's metavariables and placeholders
])
def test_a_switch_or_a_reference_after_a_long_option_is_not_a_finding(command):
    assert secret_rules.text_findings(command) == []
    assert in_history(f"RUN /bin/sh -c {command} # buildkit").empty


# --- #22 verifier: a tool's `config set KEY VALUE`, read as KEY=VALUE; Poetry's and Composer's credential arguments -----------
@pytest.mark.parametrize("command, value", [
    ("yarn config set npmAuthIdent alice:hunter22", "alice:hunter22"), ("yarn config set npmAuthIdent 'alice:hunter22'", "alice:hunter22"),
    ("npm config set //registry.example.com/:_authToken xyz", "xyz"), (f"npm config set _auth {LOGIN}", LOGIN),
    ("pip config set global.index-url https://u:p@host/simple", "p"),
    ("poetry config http-basic.REPO alice hunter22", "hunter22"), ("poetry config pypi-token.REPO tok3n123", "tok3n123"),
    ("composer config http-basic.repo.example.com alice hunter22", "hunter22"),
    ("composer config --global http-basic.repo.example.com alice hunter22", "hunter22"), ("composer config -g http-basic.h alice 'hunter 22'", "hunter 22"),
    # my own: pnpm, pip with options before `set`, Yarn 2's scoped token, Composer's one-argument tokens
    ("pnpm config set //npm.example.com/:_authToken npmtok3n", "npmtok3n"),
    ("pip config --user set global.extra-index-url https://ci:hunter22@pypi.example.com/simple", "hunter22"),
    ("yarn config set npmScopes.my-org.npmAuthToken npmtok3n", "npmtok3n"),
    ("composer config -g bearer.repo.example.com abcd1234tok", "abcd1234tok"),
    ("composer config --global --auth bitbucket-oauth.bitbucket.org consumerkey consumers3cret", "consumers3cret"),
    ("npm config set --location=global //registry.example.com/:_password aHVudGVyMjI=", "aHVudGVyMjI="),
])
def test_a_secret_given_to_a_tools_config_set_is_found_once_and_masked(command, value):
    found = secret_rules.text_findings(command)
    assert [item[2] for item in found] == [value], found
    table = in_history(f"RUN /bin/sh -c {command} # buildkit")
    shown = table.to_string()
    # a value of 1-2 characters is masked where it was found, not in every word that holds its letter (`pip`)
    assert len(table) == 1 and (value not in shown if len(value) > 2 else f":{value}@" not in shown and "…(1 character)" in shown), shown


@pytest.mark.parametrize("command", [
    "yarn config set npmAuthIdent $NPM_IDENT", 'npm config set _auth "${NPM_AUTH}"', "pip config set global.index-url https://pypi.example.com/simple",
    "poetry config http-basic.REPO alice", 'poetry config http-basic.REPO "$USER" "$PASSWORD"', "composer config -g http-basic.h alice --unset",
    "yarn config set npmRegistryServer https://npm.example.com", "git config --global user.name alice", "npm config set _auth notbase64",
    "poetry config virtualenvs.in-project true",
])
def test_a_config_set_of_a_reference_or_no_credential_is_not_a_finding(command):
    assert secret_rules.text_findings(command) == []
    assert in_history(f"RUN /bin/sh -c {command} # buildkit").empty


# --- #22 verifier: netrc's `password` token, in a command and in a .netrc file ------------------------------------------
NETRC = "a password in netrc syntax (machine HOST login USER password PASSWORD)"


@pytest.mark.parametrize("command, value", [
    ("echo 'machine github.com login me password hunter22' > ~/.netrc", "hunter22"),
    ("printf 'machine github.com login me password hunter22\\n' > ~/.netrc", "hunter22"),
    ("printf 'machine git.example.com\\nlogin ci\\npassword s3cretpw\\n' >> /root/.netrc", "s3cretpw"),  # one token a line
    ("echo 'default login ci password hunter22' > ~/.netrc", "hunter22"),
])
def test_a_netrc_password_written_by_a_build_command_is_found_once_and_masked(command, value):
    found = secret_rules.text_findings(command)
    assert found == [("", NETRC, value)], found
    table = in_history(f"RUN /bin/sh -c {command} # buildkit")
    assert len(table) == 1 and value not in table.to_string(), table.to_string()


def test_a_netrc_files_own_password_is_found_and_masked():
    found = secret_rules.examine_file("/root/.netrc", 60, lambda: b"machine github.com\n  login me\n  password hunter22\n")
    assert found == [(secret_rules.SECRET_FILE_NAMES[".netrc"], "file name"), (NETRC, secret_rules.mask("hunter22"))], found
    assert secret_rules.file_findings("/root/.netrc", b"machine h login u password $NETRC_PASSWORD\n# machine h login u password old1\n") == []


# --- #22 verifier: tools whose -p / -P means a password; the common -p that does not ---------------------------------------
@pytest.mark.parametrize("command, value", [
    ("az login --service-principal -u id -p hunter2xyz", "hunter2xyz"), ("az acr login -n reg -u ci -p hunter22", "hunter22"),
    ("unzip -P hunter22 /tmp/a.zip -d /srv", "hunter22"), ("7z x -phunter2 /tmp/a.7z", "hunter2"), ("unrar x -phunter22 a.rar", "hunter22"),
    ("keytool -importkeystore -srckeystore a.p12 -srcstorepass hunter22 -destkeystore b.jks -deststorepass hunter33", "hunter22 hunter33"),
    ("jarsigner -keystore app.jks -storepass hunter22 app.jar app", "hunter22"),
    ("keytool -import -keystore /app/trust.jks -storepass changeit -file ca.crt", "changeit"),  # not the JDK's cacerts: a password
    ("sshpass -p hunter22 ssh -p 2222 me@host", "hunter22"), ("mysql -uroot -phunter22 app", "hunter22"),
    ("openssl pkcs12 -export -in c.pem -passout pass:hunter22 -out c.p12", "hunter22"),
])
def test_a_password_given_to_a_tools_own_password_option_is_found_and_masked(command, value):
    found = secret_rules.text_findings(command)
    assert [item[2] for item in found] == value.split(), found
    table = in_history(f"RUN /bin/sh -c {command} # buildkit")
    assert len(table) == len(value.split()) and not any(part in table.to_string() for part in value.split()), table.to_string()


@pytest.mark.parametrize("command", [
    "docker run -p 80:80 nginx", "ssh -p 2222 me@host", "mkdir -p /srv/app", "cp -p a b", "scp -P 2222 f me@host:", "rsync -a -e 'ssh -p 22' a b",
    "az vm create -g rg -n vm --image Ubuntu2204 --admin-username me", "az login --identity", "az login -u me@example.com",
    "zip -r /out/a.zip . -x '*.git*'", "unzip -o a.zip", "7z x a.7z -o/srv", "7z a -p a.7z f", "gzip -9 f && tar -czf a.tgz -P /srv",
    "keytool -importcert -keystore $JAVA_HOME/lib/security/cacerts -storepass changeit -noprompt -file ca.crt",  # the JDK's public default
    "keytool -genkeypair -keystore a.jks -storepass:env STOREPASS -keypass:file /run/secrets/kp", "pip install -P constraints.txt",
    "apt-get install -y zip unzip p7zip-full", "wget -P /tmp https://example.com/a.zip", "sqlcmd -S db -U sa -Q 'select 1'",
])
def test_a_common_dash_p_is_not_a_password(command):
    assert secret_rules.text_findings(command) == []
    assert in_history(f"RUN /bin/sh -c {command} # buildkit").empty


# --- #22 verifier's nit: a "which one" word after the telling word keeps the name a secret's ------------------------------
@pytest.mark.parametrize("name", ["SECRET_KEY_FALLBACKS", "API_TOKEN_FALLBACK", "DB_PASSWORD_OLD", "JWT_SECRET_PREVIOUS", "API_KEY_NEXT",
                                  "DB_PASSWORD_CURRENT", "REDIS_PASSWORD_PRIMARY", "REDIS_PASSWORD_SECONDARY", "ADMIN_PASSWORD_BACKUP", "SECRET_KEY_NEW"])
def test_a_secret_name_ending_on_a_which_one_word_holds_a_secret(name):
    assert secret_rules.variable_secrets(name, "oldkey123456") == [("a secret-looking name", "oldkey123456")]
    table = in_history(f"RUN /bin/sh -c {name}=oldkey123456 ./manage.py check # buildkit")
    assert len(table) == 1 and "oldkey123456" not in table.to_string(), table.to_string()


# --- credential files by their own format (a final verifier's misses): a line someone wrote, not the packages' comments ---------
@pytest.mark.parametrize("path, data, value", [
    ("/etc/ipsec.secrets", b'# strongSwan IPsec secrets file\n: PSK "Ip-hunter22"\n', "Ip-hunter22"),
    # strongSwan's ipsec.secrets(5): a secret may also be single-quoted, or hex (0x) or base64 (0s) without quotes
    ("/etc/ipsec.secrets", b"1.2.3.4 4.5.6.7 : PSK 'Iq-hunter22'\n", "Iq-hunter22"),
    ("/etc/ipsec.secrets", b"%any : PSK 0x68756e7465723232\n", "0x68756e7465723232"),
    ("/etc/ipsec.secrets", b"%any : PSK 0sFpZAZqEN6Ti9sqt4ZP5EWcqx\n", "0sFpZAZqEN6Ti9sqt4ZP5EWcqx"),
    ("/etc/ppp/chap-secrets", b'# client\tserver\tsecret\t\t\tIP addresses\n"bob"\t*\t"Ch-hunter22"\t*\n', "Ch-hunter22"),
    ("/etc/pgbouncer/userlist.txt", b'"app" "Pb-hunter22"\n', "Pb-hunter22"),
    ("/etc/wpa_supplicant/wpa_supplicant.conf", b'network={\n  ssid="home"\n  psk="Wp-hunter22"\n}\n', "Wp-hunter22"),
    ("/root/.vault_pass", b"Vp-hunter22\n", "Vp-hunter22"),
])
def test_a_credential_files_own_line_is_found_and_masked(path, data, value):
    found = secret_rules.examine_file(path, len(data), lambda: data)
    assert len(found) == 1 and value not in found[0][1] and found[0].value == value, found


@pytest.mark.parametrize("path, data", [
    ("/etc/ipsec.secrets", b"# /etc/ipsec.secrets - strongSwan IPsec secrets file\ninclude /var/lib/strongswan/ipsec.secrets.inc\n"),
    ("/etc/ppp/chap-secrets", b"# Secrets for authentication using CHAP\n# client\tserver\tsecret\t\t\tIP addresses\n"),
    ("/etc/ppp/pap-secrets", b'# Every regular user can use PPP\n*\thostname\t""\t*\n'),
    ("/app/userlist.txt", b'"a" "b-word"\n'),  # not pgbouncer's
    ("/root/.vault_pass", b"\n"),
])
def test_a_credential_file_as_its_package_ships_it_is_no_finding(path, data):
    assert secret_rules.examine_file(path, len(data), lambda: data) is None


# --- a final check's false positives of the tool-argument rules: prose about the tools, a redirection after sqlplus -------
@pytest.mark.parametrize("text", [
    "sqlplus -s /nolog @scripts/init.sql > logs/init.log", "sqlplus -s /nolog < sql/init.sql", "expdp parfile=exp.par 2> logs/expdp.err",
    "Run vault login to authenticate with your token.", "vault login prompts for a token when none is given.",
    "Pass the password to elasticsearch-users with -p or it prompts for one.", "openssl enc -k is deprecated; use -pass instead.",
    "Never use gpg's --passphrase option on a shared host.", "mkpasswd prompts for the password when none is given.",
    "cqlsh -p is insecure: use a cqlshrc file.", "conan user -p without a value prompts.",
    "The neo4j-admin set-initial-password command sets the first password.", "grafana-cli admin reset-admin-password resets it.",
    "mosquitto_passwd -b passwd_file username password", "sqlplus connects as user/password@db.",
])
def test_prose_about_a_tool_or_a_redirection_after_it_is_no_finding(text):
    assert secret_rules.text_findings(text) == []


def test_a_ppp_secret_read_from_a_file_and_an_executable_vault_password_file_are_no_finding():
    assert secret_rules.examine_file("/etc/ppp/chap-secrets", 40, lambda: b"bob\t*\t@/etc/ppp/bob.secret\t*\n") is None
    assert secret_rules.examine_file("/app/.vault_pass", 40, lambda: b'#!/bin/sh\necho "$ANSIBLE_VAULT_PASSWORD"\n') is None
    assert secret_rules.text_findings("cqlsh -u cassandra -p cassandra db") == [("", "a password given to cqlsh (-p)", "cassandra")]
