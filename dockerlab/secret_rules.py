"""The rules that say what a secret looks like, in one place (pure: no engine, no pandas).

:mod:`dockerlab.security` (``find_secrets``, ``audit``) and the exercises' static tier judge files,
commands, labels and environment values with these rules and nothing else:

- :data:`CONTENT_RULES`: a secret told by its text (a token's prefix, a key's header, a password in a
  URL, a header or an option), whatever a variable is called;
- the assignment rule (:func:`text_findings`): a literal value given to a telling name
  (:data:`SECRET_WORDS`), as secret scanners' keyword rules do;
- :func:`variable_secrets`: one environment variable or build argument, by its value, then its name;
- :data:`SECRET_FILE_NAMES`: files that hold secrets whatever they contain (.env, id_rsa...);
- :func:`mask` and :func:`masked_text`: how a value is shown (never whole).
"""
from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from .recording.arguments import check_public

__all__ = [
    "Rule",
    "CONTENT_RULES",
    "ENCODED",
    "SECRET_WORDS",
    "SECRET_FILE_NAMES",
    "content_secrets",
    "variable_secrets",
    "text_findings",
    "file_findings",
    "examine_file",
    "mask",
    "masked_text",
]


@dataclass(frozen=True)
class Rule:
    """One content rule: ``what`` it finds (the table's words), its ``pattern`` (on bytes; the value is
    the group ``secret`` when there is one, else the whole match), the lower-case ``anchors`` one of
    which every match holds (a quick look before the regex), and ``by_form``: the value's form alone
    tells (a token prefix, a key header), so it counts in any file, programs and sample configs
    included; the other rules read text a person wrote. ``valid``, when given, must also hold for the
    value's bytes (a registry login's base64 must decode to `user:password`); ``context``, when given, must
    hold for the match in the text it was found in (the command it stands in: `psql --password db`)."""

    what: str
    pattern: re.Pattern[bytes]
    anchors: tuple[bytes, ...]
    by_form: bool
    valid: Callable[[bytes], bool] | None = None
    context: Callable[[bytes, re.Match[bytes]], bool] | None = None


def _decoded(value: bytes) -> bytes | None:
    """``value`` decoded from base64 when it is base64 and decodes to printable text, else None."""
    try:
        data = base64.b64decode(value + b"=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if data and all(32 <= byte < 127 or byte in (9, 10, 13) for byte in data) else None


def _user_and_password(value: bytes) -> bool:
    """True when base64 ``value`` decodes to `user:password` (Docker's and npm's `auth`)."""
    data = _decoded(value)
    return data is not None and re.fullmatch(rb"[^:\s]+:\S+", data) is not None


def _command_before(data: bytes, at: int) -> bytes:
    """The text of the simple command holding position ``at`` of ``data``, up to ``at``: from the last `;`, `&`, `|`,
    newline, `(` or backquote before it (`a && b` is two commands)."""
    start = max((data.rfind(separator, max(0, at - 4096), at) for separator in (b";", b"&", b"|", b"\n", b"(", b"`")), default=-1)
    return data[start + 1: at]


# PostgreSQL's client programs take `-W, --password` as a switch (force a password prompt: `psql --password mydb`), and
# MySQL's and MariaDB's take the password attached only (`--password=V`, `-pV`: `mysql --password mydb` asks for it and
# `mydb` is the database): in their commands the word after `--password` and a space is an argument, not a password.
_SWITCH_PASSWORD_TOOLS = re.compile(rb"(?<![\w.-])(?:psql|pg_dump(?:all)?|pg_restore|pg_basebackup|pg_receivewal|pg_recvlogical|pg_isready|pgbench"
                                    rb"|createdb|dropdb|createuser|dropuser|vacuumdb|reindexdb|clusterdb|mysql[\w-]*|mariadb[\w-]*)(?![\w.-])")


def _password_after_a_space_is_an_argument(data: bytes, at: int) -> bool:
    """True when the command holding position ``at`` is one whose `--password` takes no value after a space."""
    return _SWITCH_PASSWORD_TOOLS.search(_command_before(data, at)) is not None


def _command_end(data: bytes, at: int) -> int:
    """Where the simple command holding position ``at`` of ``data`` ends (the next `;`, `&`, `|` or newline, or the end)."""
    return min([position for position in (data.find(separator, at) for separator in (b";", b"&", b"|", b"\n")) if position >= 0] + [len(data)])


# A command that reads a password or token from its input: the option that says so (`docker login --password-stdin`, `gh
# auth login --with-token`), sudo's -S, Kerberos' kinit (it prompts on its input), cargo login without a token
_READS_A_PASSWORD = re.compile(rb"(?<![\w-])(?:--password-stdin|--with-token)(?![\w-])|(?<![\w.-])sudo(?:[ \t]+-[A-Za-z]+)*[ \t]+-[A-Za-z]*S"
                               rb"|(?<![\w.-])kinit(?![\w.-])|(?<![\w.-])cargo[ \t]+login[ \t]*$")


def _reads_a_password(command: bytes) -> bool:
    return _READS_A_PASSWORD.search(command.strip()) is not None


_PGPASS_WHAT = "a password in a .pgpass line (host:port:database:user:password)"
_PGPASS_FIELDS = rb"[^\s:'\"#]+:(?:[0-9]{1,5}|\*):[^\s:'\"]+:[^\s:'\"]+:(?P<secret>[^\s:'\"$`\\]+)"
_PGPASS_LINE = re.compile(rb"(?m)^[ \t]*" + _PGPASS_FIELDS + rb"[ \t]*\r?$")
_COMPOSER_TOKEN_KEY = re.compile(rb"\\?\"(?:github-oauth|gitlab-oauth|gitlab-token|bearer)\\?\"[ \t\r\n]*:[ \t\r\n]*$")


def _in_a_composer_token_object(data: bytes, at: int) -> bool:
    """True when position ``at`` of ``data`` is inside the object of Composer's `"github-oauth": {...}` (or gitlab-oauth,
    gitlab-token, bearer), directly: not in an object nested in it."""
    opening = data.rfind(b"{", max(0, at - 4096), at)
    if opening < 0 or b"}" in data[opening:at]:
        return False
    return _COMPOSER_TOKEN_KEY.search(data[max(0, opening - 64): opening]) is not None


def _keytool_public_default(data: bytes, match: re.Match[bytes]) -> bool:
    """False for `changeit` given as the store password of the JDK's cacerts (its documented public default)."""
    if match.group("secret") != b"changeit" or match.group("option").lower().endswith(b"keypass"):
        return True
    end = min(len(data), *(position for position in (data.find(separator, match.end()) for separator in (b";", b"&", b"|", b"\n")) if position >= 0),
              len(data))
    return b"cacerts" not in _command_before(data, match.start()) + data[match.end(): end]


def _jwt_header(value: bytes) -> bool:
    """True when the first part of ``value`` (a JWT's header) decodes from base64url to a JSON object naming an `alg`."""
    header = value.split(b".", 1)[0].replace(b"-", b"+").replace(b"_", b"/").rstrip(b"=")
    decoded = _decoded(header)
    return decoded is not None and re.match(rb"\s*\{.*\"alg\"\s*:", decoded, re.DOTALL) is not None


# The passwords a URL carries when its user is a token (GitHub: `https://TOKEN:x-oauth-basic@github.com/`; and
# `x-access-token`, the user name GitHub Apps' tokens go with, given in the password's place)
_TOKEN_AS_USER_PASSWORDS = (b"x-oauth-basic", b"x-access-token")
# A Sentry DSN's user is the project's public key (32 hex): `https://KEY@o123456.ingest.sentry.io/4505` tells an SDK where
# to send events. Sentry's docs: "DSNs are safe to keep public because they only allow submission of new events and related
# event data; they do not allow read access to any information" (docs.sentry.io/product/sentry-basics/dsn-explainer/).
# The host is Sentry's (*.sentry.io) or an ingest host (self-hosted: ingest.sentry.example.com), the path ends on the
# project's number. A legacy DSN's password (`KEY:SECRET@`, the secret key) is still the password rule's.
_SENTRY_DSN = re.compile(rb"[0-9a-f]{32}(?::[^\s@/$'\"]*)?@(?:[\w-]+\.)*(?:sentry\.io|ingest\.[\w-]+(?:\.[\w-]+)+)(?::\d+)?"
                         rb"/(?:[\w.-]+/)*\d+/?(?![^\s'\"])")


# The number before a Telegram bot token's colon (see the rule): the bot's id in the Bot API's URL, or 8 to 10 digits alone
_TELEGRAM_BOT_ID = re.compile(rb"(?:api\.telegram\.org/bot\d{5,12}|(?<![\w:/.-])\d{8,10})\Z")


# The parts of a rule for a password given to a tool on its command line: the tool's name as a word (``tool``), then
# anything up to the option within the same command (``_ARGS``), the option, then its value (``_VALUE``: quoted or not,
# not an option, not a $reference).
_ARGS = rb"[ \t][^;&|\n]*?(?<=[ \t])"
_VALUE = rb"""['\"]?(?P<secret>[^\s'\"$`-][^\s'\"$`]*)"""


# A tool's positional argument (not an option, a reference, a redirection or a pipe)
_ARG_VALUE = rb"""['\"]?(?P<secret>[^\s'\"$`<>|;&()-][^\s'\"$`;&|<>)]*)"""


def _tool(name: bytes) -> bytes:
    """``name`` as a command, not the end of a longer word or path part (``zip`` in unzip is not zip)."""
    return re.escape(name) + rb"(?<![\w.-]" + re.escape(name) + rb")"


# Words of prose, never a value someone gave a tool: a README or a LABEL that describes these tools (`Run vault login to
# authenticate`, `cqlsh -p is insecure`, `mkpasswd prompts for the password`) names no secret. A list: the tool-argument
# rules below read the word after the option, and in prose that word is one of these.
_PROSE_WORDS = frozenset("""
    a an and as at be by for from if in instead into is it of on or the then this that to when with without you your
    option options command prompts prompt resets reset asks sets password passwd pass passphrase secret token key value
""".split())


def _not_prose(value: bytes) -> bool:
    """For the tool-argument rules: False for a word of prose (:data:`_PROSE_WORDS`), which no one gave as a password."""
    return value.decode(errors="replace").strip("'\".,;:").lower() not in _PROSE_WORDS


_ARGS_NO_REDIRECTION = rb"[ \t][^;&|<>\n]*?(?<=[ \t])"  # _ARGS, not past a redirection (`> logs/init.log` is no logon)


# Each token prefix is the one the service documents for its keys. A pattern starts with its literal
# text and checks the word boundary before it with a look-behind, not a leading \b: Python's regex
# engine then jumps from one occurrence of the literal to the next instead of trying every byte
# (10 to 30 times faster per rule, measured on the programs in this machine's /usr/bin and /usr/sbin).
CONTENT_RULES = [
    Rule("a private key",
         re.compile(rb"(?s)-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"
                    rb"(?:.*?-----END [A-Z ]*PRIVATE KEY(?: BLOCK)?-----|[^\"']*)"),
         (b"private key-----", b"private key block-----"), True),
    Rule("an AWS access key id", re.compile(rb"A[KS]IA(?<![0-9A-Za-z_]A[KS]IA)[0-9A-Z]{16}\b"), (b"akia", b"asia"), True),
    Rule("a GitHub token", re.compile(rb"g(?<![0-9A-Za-z_]g)(?:h[pousr]_[A-Za-z0-9]{36,}|ithub_pat_[A-Za-z0-9_]{40,})\b"),
         (b"ghp_", b"gho_", b"ghu_", b"ghs_", b"ghr_", b"github_pat_"), True),
    Rule("a GitLab token", re.compile(rb"gl(?<![0-9A-Za-z_]gl)(?:pat|dt|ptt|rt|cbt|oas|ft|imt|soat)-[0-9A-Za-z_-]{20,}"),
         (b"glpat-", b"gldt-", b"glptt-", b"glrt-", b"glcbt-", b"gloas-", b"glft-", b"glimt-", b"glsoat-"), True),
    Rule("a Stripe live secret key", re.compile(rb"[sr]k_live_(?<![0-9A-Za-z_][sr]k_live_)[0-9A-Za-z]{16,}"), (b"k_live_",), True),
    Rule("an API secret key (sk-...: OpenAI, Anthropic and others)",
         re.compile(rb"sk-(?<![0-9A-Za-z_]sk-)(?:proj-|svcacct-|admin-|ant-(?:api\d+-)?|live-)?[A-Za-z0-9_-]{16,}"),
         (b"sk-",), True),
    Rule("a Google API key", re.compile(rb"AIza(?<![0-9A-Za-z_]AIza)[0-9A-Za-z_-]{35}"), (b"aiza",), True),
    Rule("an npm token", re.compile(rb"npm_(?<![0-9A-Za-z_]npm_)[A-Za-z0-9]{36}\b"), (b"npm_",), True),
    Rule("a PyPI token", re.compile(rb"pypi-AgEIcHlwaS5vcmc(?<![0-9A-Za-z_]pypi-AgEIcHlwaS5vcmc)[A-Za-z0-9_-]{50,}"), (b"pypi-",), True),
    Rule("a Slack token", re.compile(rb"xox(?<![0-9A-Za-z_]xox)[abposr]-[0-9A-Za-z-]{10,}"), (b"xox",), True),
    # Docker Hub personal and organisation access tokens (docs.docker.com: "dckr_pat_", "dckr_oat_")
    Rule("a Docker Hub access token", re.compile(rb"dckr_(?<![0-9A-Za-z_]dckr_)(?:pat|oat)_[A-Za-z0-9_-]{20,}"), (b"dckr_",), True),
    Rule("a Hugging Face token", re.compile(rb"hf_(?<![0-9A-Za-z_]hf_)[A-Za-z]{34}\b"), (b"hf_",), True),
    Rule("a SendGrid API key", re.compile(rb"SG\.(?<![0-9A-Za-z_]SG\.)[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])"), (b"sg.",), True),
    Rule("a DigitalOcean token", re.compile(rb"do[opr]_v1_(?<![0-9A-Za-z_]do[opr]_v1_)[a-f0-9]{64}"), (b"_v1_",), True),
    # Telegram's Bot API: "Each bot is given a unique authentication token ... something like
    # 123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11", used as https://api.telegram.org/bot<token>/METHOD_NAME
    # (core.telegram.org/bots/api, "Authorizing your bot"): the bot's number, a colon, 34 (the docs' examples) or 35
    # characters (tokens issued today). Alone, the number has 8 to 10 digits (bots' ids today); in the API's URL any number.
    # The value is the part after the colon (the number is the bot's public id); the pattern starts at the colon, the
    # number before it is checked after (a pattern starting on digits tries every byte of a file: 10 times the cost).
    Rule("a Telegram bot token", re.compile(rb":(?<=[0-9]:)(?P<secret>[A-Za-z0-9_-]{34,35})(?![A-Za-z0-9_-])"), (b":",), True,
         context=lambda data, match: _TELEGRAM_BOT_ID.search(data, max(0, match.start() - 40), match.start()) is not None),
    # Discord's Execute Webhook, POST /webhooks/{webhook.id}/{webhook.token} (discord.com/developers/docs/resources/webhook):
    # the URL holds the webhook's token, and anyone with it posts to the channel
    Rule("a Discord webhook URL", re.compile(rb"discord(?:app)?\.com/api/(?:v\d+/)?webhooks/\d+/[A-Za-z0-9_-]{60,}"), (b"/webhooks/",), True),
    # Sentry's auth tokens (docs.sentry.io/security-legal-pii/security/token-formats/): organization tokens `sntrys_`
    # (base64 of a JSON payload, `_`, the secret), user tokens `sntryu_` (64 hex)
    Rule("a Sentry auth token", re.compile(rb"sntry(?<![0-9A-Za-z_]sntry)(?:s_[A-Za-z0-9+/=_-]{40,}|u_[a-f0-9]{64})"), (b"sntrys_", b"sntryu_"), True),
    Rule("a Slack webhook URL", re.compile(rb"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56}"), (b"hooks.slack.com",), True),
    # `Authorization: SCHEME CREDENTIAL` as a header line (curl -H, git's http.extraHeader), a JSON or YAML pair
    # (`"Authorization": "Bearer ..."`) and nginx's `proxy_set_header Authorization "Basic ..."` (no colon); the schemes:
    # Bearer, Token, Basic, Elasticsearch's ApiKey (and Api-Key), Key (Firebase's legacy server key). A lower-case word is
# prose (`authorization token expiration`), not a credential.
    Rule("a credential in an Authorization header",
         re.compile(rb"(?i)authorization(?:[\"']?[ \t]*[:=][ \t]*|[ \t]+)[\"']?(?:bearer|token|basic|api-?key|key)[ \t]+"
                    rb"(?![a-z]+(?![A-Za-z0-9._~+/=-]))(?P<secret>[A-Za-z0-9._~+/=-]{12,})"), (b"authorization",), False),
    # an empty user is a user (`redis://:PASSWORD@cache:6379/0`: Redis' own URL form); GitHub's convention of a token as the
    # user and `x-oauth-basic` (or `x-access-token`) as the password is the next rule's: that password is no secret
    Rule("a password in a URL (user:password@host)", re.compile(rb"://(?<=[a-z0-9+.-]://)[^\s:/@$]*:(?P<secret>[^\s@/$]+)@[^\s/]+"), (b"://",), False,
         context=lambda data, match: match.group("secret").lower() not in _TOKEN_AS_USER_PASSWORDS),
    # A token given as a URL's user (`https://TOKEN@github.com/org/repo.git`, `https://TOKEN:x-oauth-basic@github.com/`):
    # the user is the secret when the password is GitHub's `x-oauth-basic`/`x-access-token` stand-in, or when the user
    # looks random (:func:`_looks_random`: hex, letters and digits mixed); `https://me@host`, `git@github.com` are users.
    Rule("a token given as a URL's user (token@host)",
         re.compile(rb"://(?<=[a-z0-9+.-]://)(?P<secret>[^\s:/@$'\"]+)(?::(?P<password>[^\s@/$'\"]*))?@[^\s/]+"), (b"://",), False,
         context=lambda data, match: ((match.group("password") or b"").lower() in _TOKEN_AS_USER_PASSWORDS
                                      or _looks_random(match.group("secret").decode(errors="replace")))
         and not _SENTRY_DSN.match(data, match.start("secret"))),
    Rule("a password given as a command option (--password)",
         re.compile(rb"--password(?<![^\s'\"]--password)(?P<sep>=|[ \t]+)['\"]?(?P<secret>[^\s'\"$`-][^\s'\"$`]{3,})"), (b"--password",), False,
         context=lambda data, match: match.group("sep") == b"=" or not _password_after_a_space_is_an_argument(data, match.start())),
    # mysql, mysqldump, mysqladmin, mariadb take -pVALUE (no space: `-p` alone asks for it; -P is the port)
    Rule("a MySQL password given as -pPASSWORD",
         re.compile(rb"(?:mysql(?:dump|admin)?|mariadb(?:-dump)?)(?<![0-9A-Za-z_]mysql)(?<![0-9A-Za-z_]mysqldump)(?<![0-9A-Za-z_]mysqladmin)"
                    rb"(?<![0-9A-Za-z_]mariadb)(?<![0-9A-Za-z_]mariadb-dump)\b[^;&|\n]*?[ \t]-p['\"]?(?P<secret>[^\s'\"$`-][^\s'\"$`]{3,})"),
         (b"mysql", b"mariadb"), False),
    # A password given as a command's argument where the command takes it so (each tool's own option):
    # a registry login's -p (`--password-stdin` is the way that keeps it out of the command line)
    Rule("a password given to a registry login (-p)",
         re.compile(rb"(?:docker|podman|buildah|skopeo|nerdctl|helm|oras|finch)\b[^;&|\n]*?[ \t]login[ \t]"
                    rb"[^;&|\n]*?(?<=[ \t])-p(?:[ \t]+|=)?" + _VALUE),
         (b"login",), False),
    # MongoDB's shell and database tools take `-p PASSWORD` / `--password PASSWORD` (`-p` last or before another
    # option asks for it); the long form is the --password rule's. A port mapping after the word is docker's
    # (`docker run --name mongo -p 27017:27017 mongo:7`), not a password.
    Rule("a password given to a MongoDB tool (-p)",
         re.compile(rb"mongo(?<![0-9A-Za-z_]mongo)(?:sh|dump|restore|export|import|stat|top|files)?\b[^;&|\n]*?(?<=[ \t])-p(?:[ \t]+|=)"
                    rb"['\"]?(?![0-9.:]+(?:/(?:tcp|udp|sctp))?(?:[\s'\"]|$))(?P<secret>[^\s'\"$`-][^\s'\"$`]*)"),
         (b"mongo",), False),
    # Azure CLI's `az login -u ID -p SECRET` (a user's password or a service principal's client secret; `-p` is also how a
    # certificate file is given, judged as a path) and `az acr login -u USER -p PASSWORD`. No other `az` command is meant.
    Rule("a password or client secret given to az login (-p)",
         re.compile(_tool(b"az") + rb"[ \t]+(?:acr[ \t]+)?login" + _ARGS + rb"(?:-p|--password)(?:[ \t]+|=)['\"]?"
                    rb"(?![~.]?/|\S*\.(?:pem|crt|cer|pfx|p12)(?:[\s'\"]|$))" + _VALUE),
         (b"login",), False),
    # Info-ZIP's zip and unzip encrypt and decrypt with `-P PASSWORD` (zip(1): "use password to encrypt zipfile entries
    # (insecure)"); `-e` asks for it instead
    Rule("a password given to zip or unzip (-P)",
         re.compile(rb"zip(?:(?<![\w.-]zip)|(?<=unzip)(?<![\w.-]unzip))" + _ARGS + rb"-P[ \t]*" + _VALUE),
         (b"zip",), False),
    # 7-Zip and RAR take the password attached, `-pPASSWORD` (`-p` alone asks for it)
    Rule("a password given to 7-Zip or RAR (-pPASSWORD)",
         re.compile(rb"(?:7z(?<![\w.-]7z)[arz]?|rar(?:(?<![\w.-]rar)|(?<=unrar)(?<![\w.-]unrar)))" + _ARGS + rb"-p" + _VALUE),
         (b"7z", b"rar"), False),
    # the JDK's keytool and jarsigner: `-storepass V`, `-keypass V` (and keytool's -srcstorepass, -deststorepass,
    # -srckeypass, -destkeypass); `-storepass:env VAR` and `-storepass:file F` keep it off the command line. `changeit`
    # for the JDK's own cacerts is its public default (a truststore of public certificates), not a secret.
    Rule("a password given to keytool or jarsigner (-storepass, -keypass)",
         re.compile(rb"-(?<![\w-]-)(?P<option>(?:src|dest)?(?:store|key)pass)[ \t]+['\"]?(?P<secret>[^\s'\"$`-][^\s'\"$`]*)"),
         (b"storepass", b"keypass"), False, context=_keytool_public_default),
    # SQL Server's sqlcmd and bcp: `-U USER -P PASSWORD` (sqlcmd(1): "-P password"; SQLCMDPASSWORD keeps it out)
    Rule("a password given to sqlcmd or bcp (-P)",
         re.compile(rb"(?:sqlcmd|bcp)(?<![\w.-]sqlcmd)(?<![\w.-]bcp)" + _ARGS + rb"-P[ \t]*" + _VALUE),
         (b"sqlcmd", b"bcp"), False),
    # netrc(5): `machine HOST login USER password PASSWORD` (or `default login ...`), tokens separated by spaces or
    # newlines, as written into ~/.netrc (`echo 'machine github.com login me password P' > ~/.netrc`, printf's `\n` too).
    # netrc(5)'s own anonymous FTP example (`default login anonymous password user@site`) is no secret.
    Rule("a password in netrc syntax (machine HOST login USER password PASSWORD)",
         re.compile(rb"(?:machine(?<![\w.-]machine)(?:[ \t\r\n]|\\[nt])+[^\s'\"\\]+|default(?<![\w.-]default))"
                    rb"(?:(?:[ \t\r\n]|\\[nt])+(?:login|account|port)(?:[ \t\r\n]|\\[nt])+(?!(?i:anonymous|ftp)(?:[\s'\"\\]|$))[^\s'\"\\]+)*"
                    rb"(?:[ \t\r\n]|\\[nt])+password(?:[ \t\r\n]|\\[nt])+(?P<secret>[^\s'\"$`\\]+)"),
         (b"machine", b"default"), False),
    Rule("a password given to sshpass (-p)",  # sshpass's own options come before the command (`ssh -p 2222` is a port)
         re.compile(rb"sshpass(?<![0-9A-Za-z_]sshpass)[ \t]+(?:-(?:[fdP][ \t]*\S+|[veh]\S*)[ \t]+)*-p[ \t]*['\"]?(?P<secret>[^\s'\"$`-][^\s'\"$`]*)"),
         (b"sshpass",), False),
    # `-u` alone or last in a cluster of curl's switches (`curl -fsu admin:P`, `-sSfu`): only letters of options that take
    # no value may come before it (`-du` would give -d the value `u`)
    Rule("a password given to curl (-u USER:PASSWORD)",
         re.compile(rb"curl(?<![0-9A-Za-z_]curl)[ \t][^;&|\n]*?(?<=[ \t])(?:-[fsSLkvqiIgjlNnORZ0-9]*u[ \t]*|--user(?:=|[ \t]+))"
                    rb"['\"]?[^\s:'\"$`]*:(?P<secret>[^\s'\"$`@][^\s'\"$`]*)"),
         (b"curl",), False),
    # redis-cli -a PASSWORD (or --pass PASSWORD; `--askpass` reads it from the terminal, REDISCLI_AUTH from the environment)
    Rule("a password given to redis-cli (-a)",
         re.compile(rb"redis-cli(?<![0-9A-Za-z_]redis-cli)\b[^;&|\n]*?(?<=[ \t])(?:-a|--pass)[ \t]+['\"]?(?P<secret>[^\s'\"$`-][^\s'\"$`]*)"),
         (b"redis-cli",), False),
    # Redis's own settings for its password: `requirepass V` and `masterauth V` in redis.conf, as redis-server
    # options (`redis-server --requirepass V`) and in `CONFIG SET requirepass V`; redis.conf's `<master-password>` (a
    # placeholder in `<>`, spaces too) is no value
    Rule("a Redis password (requirepass, masterauth)",
         re.compile(rb"(?<![\w-])(?:--)?(?i:requirepass|masterauth)[ \t]+['\"]?(?!<[^<>\n]*>)(?P<secret>[^\s'\"$`-][^\s'\"$`]*)"),
         (b"requirepass", b"masterauth"), False),
    # htpasswd -b FILE USER PASSWORD, or -nb USER PASSWORD (no file: the line is printed)
    Rule("a password given to htpasswd -b",
         re.compile(rb"htpasswd(?<![0-9A-Za-z_]htpasswd)[ \t]+(?=(?:-[A-Za-z]+[ \t]+)*-[A-Za-z]*b)"
                    rb"(?:(?=(?:-[A-Za-z]+[ \t]+)*-[A-Za-z]*n)(?:(?:-C[ \t]+\d+|-[A-Za-z]+)[ \t]+)+[^\s-]\S*[ \t]+"
                    rb"|(?:(?:-C[ \t]+\d+|-[A-Za-z]+)[ \t]+)+[^\s-]\S*[ \t]+[^\s-]\S*[ \t]+)"
                    rb"['\"]?(?P<secret>[^\s'\"$`-][^\s'\"$`]*)"), (b"htpasswd",), False),
    # `openssl passwd [-1|-5|-6|-apr1] [-salt S] PASSWORD` hashes the password given as its argument (-stdin and
    # -in FILE read it instead), as in `useradd -p "$(openssl passwd -6 hunter2)" app`; the options that take a
    # value are openssl-passwd(1ssl)'s own
    Rule("a password given to openssl passwd",
         re.compile(rb"openssl(?<![0-9A-Za-z_]openssl)[ \t]+passwd(?:[ \t]+(?:-(?:salt|in|rand|writerand|provider|provider-path|propquery)[ \t]+\S+"
                    rb"|-(?!(?:salt|in|rand|writerand|provider|provider-path|propquery)(?![\w-]))[\w-]+))*"
                    rb"[ \t]+['\"]?(?P<secret>[^\s'\"$`)|;&<>-][^\s'\"$`)|;&<>]*)"), (b"openssl",), False),
    # openssl's pass phrase arguments (openssl-passphrase-options(1ssl)): `-passin pass:V`, `-passout pass:V`,
    # `-pass pass:V` give the password itself (env:, file:, fd: and stdin keep it off the command line)
    Rule("a pass phrase given to openssl (pass:PASSWORD)",
         re.compile(rb"-pass(?<![\w-]-pass)(?:in|out|word)?[ \t]+['\"]?pass:(?P<secret>[^\s'\"$`)|;&<>]+)"), (b"pass:",), False),
    # `echo 'user:password' | chpasswd` (not -e: that takes a hash) and `echo password | passwd --stdin user`
    Rule("a password piped to chpasswd",
         re.compile(rb"(?:echo|printf)[ \t]+(?:-[a-z]+[ \t]+)*['\"]?[A-Za-z_][A-Za-z0-9_.-]*:(?P<secret>[^\s'\"$`:|]+)['\"]?"
                    rb"[ \t]*\|[ \t]*(?:sudo[ \t]+)?chpasswd\b(?![ \t]+(?:-e|--encrypted))"),
         (b"chpasswd",), False),
    Rule("a password piped to passwd --stdin",
         re.compile(rb"(?:echo|printf)[ \t]+(?:-[a-z]+[ \t]+)*['\"]?(?P<secret>[^\s'\"$`|]+)['\"]?[ \t]*\|[ \t]*(?:sudo[ \t]+)?passwd[ \t]+--stdin\b"),
         (b"--stdin",), False),
    # SQL that sets a password, in a command (`psql -c "ALTER USER postgres WITH PASSWORD 'P'"`, `mysql -e "CREATE USER
    # 'app'@'%' IDENTIFIED BY 'P'"`) or a script: CREATE/ALTER USER/ROLE/LOGIN ... [ENCRYPTED] PASSWORD 'P' (PostgreSQL,
    # SQL Server's `WITH PASSWORD = 'P'`), IDENTIFIED [WITH PLUGIN] BY 'P' (MySQL, MariaDB, Oracle), SET PASSWORD [FOR
    # USER] = 'P' (MySQL; `= PASSWORD('P')` too). The value is a quoted SQL literal; `IDENTIFIED BY PASSWORD '*hash'`,
    # `PASSWORD NULL` and a SCRAM or md5 hash are not passwords.
    Rule("a password set in SQL (PASSWORD 'P', IDENTIFIED BY 'P')",
         re.compile(rb"(?i:(?:(?:create|alter)[ \t]+(?:user|role|login)\b[^;]*?(?:\bpassword(?:[ \t]*=)?|\bidentified[ \t]+(?:with[ \t]+\S+[ \t]+)?by)"
                    rb"|\bset[ \t]+password\b[^;=]*=(?:[ \t]*password[ \t]*\()?))[ \t]*(?!(?i:password)\b)(?:\\?['\"])"
                    rb"(?!(?i:scram-sha-256\$|md5[0-9a-f]{32}['\"\\]|\*[0-9A-F]{40}['\"\\]))(?P<secret>[^'\"\\\n$`]+)(?:\\?['\"])"),
         (b"password", b"identified"), False),
    # a JSON Web Token by its form (gitleaks' jwt rule: three base64url parts, the first two JSON objects, `eyJ` being
    # base64 of `{"`): the header must decode to JSON naming an `alg`. A signed token is a bearer credential whatever the
    # variable is called (`SUPABASE_SERVICE_ROLE_KEY=eyJ...`, a .env line under any name).
    Rule("a JSON Web Token (JWT)",
         re.compile(rb"eyJ(?<![A-Za-z0-9_-]eyJ)[A-Za-z0-9_-]{10,}={0,2}\.eyJ[A-Za-z0-9_-]{4,}={0,2}\.[A-Za-z0-9_-]*(?![A-Za-z0-9_-])"),
         (b"eyj",), False, lambda value: _jwt_header(value)),
    # Tools whose own argument is a password (a list: each tool's documented option, as the rules above). NuGet's
    # `nuget sources add|update -Password P` and `dotnet nuget add|update source ... -p P` (the long `--password` is the
    # --password rule's); OpenLDAP's clients' `-w P` (`-W` asks, `-y FILE` reads it); `rabbitmqctl add_user NAME P` and
    # `change_password NAME P`; `x11vnc -storepasswd P FILE`; OpenSSH's `ssh-keygen -N P` / `-P P` (a key's passphrase;
    # `-N ''` is none); curl's `--oauth2-bearer TOKEN`.
    Rule("a password given to nuget or dotnet nuget (-p, -Password)",
         re.compile(_tool(b"nuget") + _ARGS + rb"(?:-p|-(?i:password))(?:[ \t]+|=)" + _VALUE),
         (b"nuget",), False),
    Rule("a password given to an LDAP tool (-w)",
         re.compile(rb"ldap(?<![\w.-]ldap)(?:add|modify|search|delete|passwd|whoami|modrdn|compare|exop|url)" + _ARGS + rb"-w[ \t]*" + _VALUE),
         (b"ldap",), False),
    Rule("a password given to rabbitmqctl (add_user, change_password)",
         re.compile(rb"rabbitmqctl(?<![\w.-]rabbitmqctl)[ \t]+(?:-[-\w]+(?:[ \t]+[^\s-]\S*)?[ \t]+)*(?:add_user|change_password)[ \t]+['\"]?[^\s'\"]+['\"]?"
                    rb"[ \t]+" + _VALUE),
         (b"rabbitmqctl",), False),
    Rule("a password given to x11vnc -storepasswd",
         re.compile(_tool(b"x11vnc") + _ARGS + rb"-storepasswd[ \t]+" + _VALUE + rb"['\"]?[ \t]+[^\s;&|-]"),
         (b"storepasswd",), False),
    Rule("a passphrase given to ssh-keygen (-N, -P)",
         re.compile(_tool(b"ssh-keygen") + _ARGS + rb"-[NP][ \t]*" + _VALUE),
         (b"ssh-keygen",), False),
    Rule("a token given to curl (--oauth2-bearer)",
         re.compile(rb"--oauth2-bearer(?:=|[ \t]+)" + _VALUE), (b"--oauth2-bearer",), False),
    # A password written to a program that reads it from its input: `echo P | vncpasswd -f`, `echo -e "P\nP" | passwd
    # root`, `(echo P; echo P) | smbpasswd -a -s app`, `printf 'P\nP\n' | passwd` (the first line is the password)
    Rule("a password piped to passwd, smbpasswd or vncpasswd",
         re.compile(rb"(?:echo|printf)(?<![\w.-]echo)(?<![\w.-]printf)[ \t]+(?:-[a-z]+[ \t]+)*['\"]?(?P<secret>[^\s'\"$`|;)\\-][^\s'\"$`|;)\\]*)"
                    rb"(?:\\n[^\s'\"|;)]*)?['\"]?(?:[ \t]*;[^()|\n]*\))?[ \t]*\|[ \t]*(?:sudo[ \t]+)?"
                    rb"(?:passwd|smbpasswd|vncpasswd|tigervncpasswd)(?![\w.-])(?![ \t]+--stdin)"),
         (b"passwd",), False),
    # Docker's ~/.docker/config.json (`"auth": base64 of user:password`, as `docker login` writes it without a
    # credential helper) and npm's .npmrc (`_auth=`; npm reads its settings from the environment too, in any
    # case: `npm_config__auth=` / `NPM_CONFIG__AUTH=` in a command): the form is checked by decoding it
    Rule("a registry login (base64 user:password: Docker's config.json auth, npm's _auth)",
         re.compile(rb"(?:\"auth\"[ \t]*:[ \t]*\"|(?<![A-Za-z0-9])(?i:_auth)[ \t]*=[ \t]*[\"']?)(?P<secret>[A-Za-z0-9+/]{4,}={0,2})"),
         (b'"auth"', b"_auth"), False, _user_and_password),
    # Yarn (2+)'s npmAuthIdent (in .yarnrc.yml, or YARN_NPM_AUTH_IDENT in the environment: Yarn reads each setting
    # from YARN_<SETTING_IN_SNAKE_CASE>), npm's `_auth` for Yarn: `user:password` itself, or base64 of it
    Rule("a registry login (Yarn's npmAuthIdent: user:password)",
         re.compile(rb"(?:(?<![A-Za-z0-9_])|(?<=\\[nrt]))(?i:npmAuthIdent|yarn_npm_auth_ident)[\"']?[ \t]*[:=][ \t]*(?:\\?[\"'])?(?P<secret>[^\s'\"$`\\]+)"),
         (b"npmauthident", b"yarn_npm_auth_ident"), False,
         lambda value: re.fullmatch(rb"[^:\s]+:\S+", value) is not None or _user_and_password(value)),
    # A password or token written to a program that reads it from its input (the option says so): `echo P | docker login
    # -u me --password-stdin` (podman, helm, oras, skopeo alike), `gh auth login --with-token`, `echo P | sudo -S cmd`,
    # `echo P | kinit user`, `echo TOKEN | cargo login`; piped by echo or printf, or a here-string (`<<< P`).
    Rule("a password written to a program's input (--password-stdin, sudo -S, kinit)",
         re.compile(rb"(?:echo|printf)(?<![\w.-]echo)(?<![\w.-]printf)[ \t]+(?:-[a-z]+[ \t]+)*['\"]?(?P<secret>[^\s'\"$`|;)\\-][^\s'\"$`|;)\\]*)"
                    rb"(?:\\n[^\s'\"|;)]*)?['\"]?[ \t]*\|[ \t]*(?P<command>[^;&|\n]*)"),
         (b"--password-stdin", b"--with-token", b"sudo", b"kinit", b"cargo"), False,
         context=lambda data, match: _reads_a_password(match.group("command"))),
    Rule("a password given as a here-string to a program that reads it (<<< P)",
         re.compile(rb"<<<[ \t]*['\"]?(?P<secret>[^\s'\"$`|;)<>-][^\s'\"$`|;)<>]*)"), (b"<<<",), False,
         context=lambda data, match: _reads_a_password(_command_before(data, match.start()) + data[match.end(): _command_end(data, match.end())])),
    # PostgreSQL's password file (~/.pgpass, PGPASSFILE): `host:port:database:user:password` lines, written by echo or
    # printf into a file named pgpass (the file's own content: :func:`file_findings`)
    Rule(_PGPASS_WHAT,
         re.compile(rb"(?:echo|printf)(?<![\w.-]echo)(?<![\w.-]printf)[ \t]+(?:-[a-z]+[ \t]+)*['\"]?" + _PGPASS_FIELDS
                    + rb"(?:\\n)?['\"]?[ \t]*>>?[ \t]*['\"]?[^\s;&|'\"]*pgpass\b"), (b"pgpass",), False),
    # Composer's auth.json and COMPOSER_AUTH (getcomposer.org, "Authentication for privately hosted packages"): `{"github-oauth":
    # {"github.com": "TOKEN"}}`, and gitlab-oauth, gitlab-token, bearer alike: each host's value is its token (http-basic's
    # `"password": "P"` is the assignment rule's)
    Rule("a token in Composer's auth (github-oauth, gitlab-token, bearer)",
         re.compile(rb"\\?\"(?P<host>[^\"\s\\:{}]+)\\?\"[ \t\r\n]*:[ \t\r\n]*\\?\"(?P<secret>[^\"\s\\$`]+)\\?\""),
         (b"github-oauth", b"gitlab-oauth", b"gitlab-token", b"\"bearer"), False, context=lambda data, match: _in_a_composer_token_object(data, match.start())),
    # Login tools' own password options: crane's and OpenShift's `oc login -u USER -p P`, twine's `-p P` (the long
    # `--password` is the --password rule's); `--creds USER:P` (skopeo's --src-creds and --dest-creds, podman's and
    # buildah's --creds); Samba's `-U USER%P` (smbclient, rpcclient, smbcacls, net, samba-tool); lftp's `-u USER,P`;
    # HTTPie's `-a USER:P` (`http`, `https`); `cargo login TOKEN`; MongoDB's shell `db.auth('USER', 'P')` and
    # `db.changeUserPassword('USER', 'P')`; MinIO's client `mc alias set NAME URL ACCESS_KEY SECRET_KEY` (and the older
    # `mc config host add`): the secret key is the fourth argument.
    Rule("a password given to a login (-p: crane, oc, twine)",
         re.compile(rb"(?:(?:" + _tool(b"crane") + rb"|" + _tool(b"oc") + rb")" + _ARGS + rb"login" + _ARGS + rb"|" + _tool(b"twine") + _ARGS + rb")"
                    rb"(?<=[ \t])-p(?:[ \t]+|=)" + _VALUE),
         (b"login", b"twine"), False),
    Rule("credentials given as --creds USER:PASSWORD (skopeo, podman, buildah)",
         re.compile(rb"--(?<![\w-]--)(?:src-|dest-)?creds(?:=|[ \t]+)['\"]?[^\s:'\"$`]*:(?P<secret>[^\s'\"$`][^\s'\"$`]*)"), (b"creds",), False),
    Rule("a password given to a Samba tool (-U USER%PASSWORD)",
         re.compile(rb"(?:" + rb"|".join(_tool(name) for name in (b"smbclient", b"rpcclient", b"smbcacls", b"smbcquotas", b"net", b"samba-tool"))
                    + rb")" + _ARGS + rb"(?:-U[ \t]*|--user(?:name)?(?:=|[ \t]+))['\"]?[^\s%'\"$`]+%(?P<secret>[^\s'\"$`][^\s'\"$`]*)"),
         (b"smbclient", b"rpcclient", b"smbcacls", b"smbcquotas", b"net ", b"samba-tool"), False),
    Rule("a password given to lftp (-u USER,PASSWORD)",
         re.compile(_tool(b"lftp") + rb"[ \t][^;&|\n]*?(?<=[ \t'\"])-u"
                    rb"[ \t]+['\"]?[^\s,'\"$`]+,(?P<secret>[^\s'\"$`][^\s'\"$`]*)"), (b"lftp",), False),
    Rule("a password given to HTTPie (-a USER:PASSWORD)",
         re.compile(rb"https?(?<![\w.-]http)(?<![\w.-]https)" + _ARGS + rb"(?:-a[ \t]*|--auth(?:=|[ \t]+))['\"]?[^\s:'\"$`]+:"
                    rb"(?P<secret>[^\s'\"$`][^\s'\"$`]*)"),
         (b"http",), False),
    Rule("a token given to cargo login",
         re.compile(_tool(b"cargo") + rb"(?:[ \t]+-[-\w]+(?:=\S+)?)*[ \t]+login(?:[ \t]+--registry(?:=|[ \t]+)\S+|[ \t]+-[-\w]+)*[ \t]+(?![;&|<>()])" + _VALUE),
         (b"cargo",), False),
    Rule("a password given to MongoDB's db.auth()",
         re.compile(rb"\.(?:(?<=[^\w.]db\.)|(?<=\)\.))(?:auth|changeUserPassword)[ \t]*\([ \t]*\\?['\"][^'\"\\\n]+\\?['\"][ \t]*,[ \t]*"
                    rb"\\?['\"](?P<secret>[^'\"\\\n$`]+)\\?['\"]"),
         (b"db.auth", b"changeuserpassword"), False),
    Rule("a secret key given to MinIO's mc alias set",
         re.compile(_tool(b"mc") + rb"(?:[ \t]+-[-\w]+(?:=\S+)?)*[ \t]+(?:alias[ \t]+set|config[ \t]+host[ \t]+add)(?:[ \t]+-[-\w]+(?:=\S+)?)*"
                    rb"[ \t]+[^\s-]\S*[ \t]+[^\s-]\S*[ \t]+['\"]?[^\s'\"]+['\"]?[ \t]+" + _VALUE),
         (b"alias", b"host"), False),
    # Oracle's logon `USER/PASSWORD[@CONNECT]` (SQL*Plus' `sqlplus -s system/P@//db:1521/XE`, Data Pump's `impdp` and `expdp`,
    # SQL*Loader's `sqlldr`; `userid=` before it too); `sqlplus / as sysdba`, `sqlplus -s /nolog` and `sqlplus system@db`
    # (it prompts) give none. A JDBC URL for Oracle's drivers carries the same logon: `jdbc:oracle:thin:app/P@//db:1521/XE`.
    Rule("a password given to an Oracle tool (USER/PASSWORD@DB)",
         re.compile(rb"(?:sqlplus|impdp|expdp|sqlldr)(?<![\w.-]sqlplus)(?<![\w.-]impdp)(?<![\w.-]expdp)(?<![\w.-]sqlldr)" + _ARGS_NO_REDIRECTION
                    + rb"['\"]?(?i:userid=)?[A-Za-z][\w$#]*/(?P<secret>[^\s/@'\"$`;&|<>()][^\s@'\"$`;&|<>()]*)(?=@|['\"]?(?:[\s;&|)]|$))"),
         (b"sqlplus", b"impdp", b"expdp", b"sqlldr"), False, valid=_not_prose),
    Rule("a password in an Oracle JDBC URL (USER/PASSWORD@HOST)",
         re.compile(rb"jdbc:oracle:(?:thin|oci8?|kprb):[A-Za-z][\w$#]*/(?P<secret>[^\s@'\"$`/][^\s@'\"$`]*)@"), (b"jdbc:oracle:",), False, valid=_not_prose),
    # More tools whose own argument is a password (each tool's documented form): Neo4j's `neo4j-admin [dbms]
    # set-initial-password P`, Grafana's `grafana-cli admin reset-admin-password P` (`--password-from-stdin` reads it),
    # Elasticsearch's `elasticsearch-users useradd NAME -p P`, Mosquitto's `mosquitto_passwd -b FILE USER P`, `openssl enc
    # -k P` (`-kfile` reads it), a `--passphrase P` (GnuPG's; `--passphrase-file`, `--passphrase-fd` read it), whois'
    # `mkpasswd [-m METHOD] [-S SALT] [-R ROUNDS] P` (`-s` reads it), Cassandra's `cqlsh -u U -p P`, Conan's `conan remote
    # login REMOTE USER -p P` (Conan 1: `conan user -p P`), `vault login TOKEN` (not `vault login -method=... k=v`), and
    # rclone's `config create|update NAME TYPE key value...` for its secret keys.
    Rule("a password given to neo4j-admin set-initial-password",
         re.compile(_tool(b"neo4j-admin") + rb"(?:[ \t]+dbms)?[ \t]+set-initial-password[ \t]+" + _ARG_VALUE),
         (b"set-initial-password",), False, valid=_not_prose),
    Rule("a password given to grafana-cli reset-admin-password",
         re.compile(rb"grafana(?:-cli|[ \t]+cli)(?<![\w.-]grafana-cli)" + _ARGS + rb"admin[ \t]+reset-admin-password[ \t]+" + _ARG_VALUE),
         (b"reset-admin-password",), False, valid=_not_prose),
    Rule("a password given to elasticsearch-users (-p)",
         re.compile(_tool(b"elasticsearch-users") + _ARGS + rb"-p[ \t]+" + _ARG_VALUE), (b"elasticsearch-users",), False, valid=_not_prose),
    Rule("a password given to mosquitto_passwd -b",
         re.compile(_tool(b"mosquitto_passwd") + rb"[ \t]+(?:(?:-[HI][ \t]+\S+|-[A-Za-z]+)[ \t]+)*?-[A-Za-z]*b[A-Za-z]*"
                    rb"(?:[ \t]+(?:-[HI][ \t]+\S+|-[A-Za-z]+))*[ \t]+[^\s-]\S*[ \t]+[^\s-]\S*[ \t]+" + _ARG_VALUE),
         (b"mosquitto_passwd",), False, valid=_not_prose),
    Rule("a password given to openssl enc (-k)",
         re.compile(_tool(b"openssl") + rb"[ \t]+(?:enc|aes[\w-]*|des[\w-]*|bf[\w-]*|camellia[\w-]*|chacha20|sm4[\w-]*)" + _ARGS + rb"-k[ \t]+"
                    + _ARG_VALUE), (b"openssl",), False, valid=_not_prose),
    # `openssl enc -K HEX -iv HEX`: the raw key itself, in hex (openssl-enc(1)); -iv is no secret
    Rule("a raw key given to openssl enc (-K)",
         re.compile(_tool(b"openssl") + rb"[ \t]+(?:enc|aes[\w-]*|des[\w-]*|bf[\w-]*|camellia[\w-]*|chacha20|sm4[\w-]*)" + _ARGS
                    + rb"-K[ \t]+['\"]?(?P<secret>[0-9a-fA-F]{16,})\b"), (b"openssl",), False),
    Rule("a passphrase given as a command option (--passphrase)",
         re.compile(rb"--passphrase(?<![\w-]--passphrase)(?:=|[ \t]+)" + _ARG_VALUE), (b"--passphrase",), False, valid=_not_prose),
    Rule("a password given to mkpasswd",
         re.compile(_tool(b"mkpasswd") + rb"(?:[ \t]+(?:-[mSRP][ \t]*[^\s-]\S*|--(?:method|salt|rounds|password-fd)(?:=|[ \t]+)\S+"
                    rb"|-(?![A-Za-z]*[mSRP](?:[ \t]|$))[A-Za-z]+|--[\w-]+))*[ \t]+" + _ARG_VALUE), (b"mkpasswd",), False, valid=_not_prose,
         context=lambda data, match: _command_before(data, match.start()).strip() in (b"", b"sudo")),  # the command, not an argument
    Rule("a password given to cqlsh (-p)",
         re.compile(_tool(b"cqlsh") + _ARGS + rb"-p[ \t]+" + _ARG_VALUE), (b"cqlsh",), False, valid=_not_prose),
    Rule("a password given to conan (-p)",
         re.compile(_tool(b"conan") + rb"[ \t]+(?:remote[ \t]+login|user)" + _ARGS + rb"-p(?:[ \t]+|=)" + _ARG_VALUE), (b"conan",), False, valid=_not_prose),
    Rule("a token given to vault login",
         re.compile(_tool(b"vault") + rb"(?:[ \t]+-\S+)*[ \t]+login(?:[ \t]+-(?!method\b)\S+)*[ \t]+['\"]?"
                    rb"(?P<secret>[^\s'\"$`=<>|;&()-][^\s'\"$`=;&|<>)]*)(?=['\"]?(?:[\s;&|)]|$))"), (b"vault",), False, valid=_not_prose),
    Rule("a secret given to rclone config create or update",
         re.compile(_tool(b"rclone") + rb"(?:[ \t]+-\S+)*[ \t]+config[ \t]+(?:create|update)" + _ARGS
                    + rb"(?:secret_access_key|pass|password|token|client_secret|key)[ \t]+" + _ARG_VALUE), (b"rclone",), False, valid=_not_prose),
]

# A name that says its value is a secret, in any case: DB_PASSWORD, db_pass, X-API-Key, _authToken,
# clientSecret, aws_credentials. The word ends the name or a part of it (a separator, a digit, or a
# camelCase capital follows): `tokenizer`, `max_tokens` and `secretary` are other words.
# KEY alone is no telling word (GPG_KEY, a public key, a key's id or path); a compound secret name with KEY is: Rails'
# RAILS_MASTER_KEY, Airflow's and Django's FERNET_KEY, ENCRYPTION_KEY, SIGNING_KEY (git's `user.signingkey` is a key's id:
# see :func:`_about_a_secret`), Azure Storage's ACCOUNT_KEY (`--account-key`, `AccountKey=` in a connection string), and
# Laravel's APP_KEY at the start of a name (PUSHER_APP_KEY is Pusher's public app key).
SECRET_WORDS = (r"(?:PASSWORD|PASSWD|SECRETS?|TOKEN|API[_-]?KEY|ACCESS[_-]?KEY|PRIVATE[_-]?KEY|CREDENTIALS?|AUTH[_-]?KEY"
                r"|MASTER[_-]?KEY|FERNET[_-]?KEY|ENCRYPTION[_-]?KEY|SIGNING[_-]?KEY|ACCOUNT[_-]?KEY|(?<![\w.-])APP[_-]?KEY)"
                r"(?-i:(?!(?<=[a-z])[a-z]|(?<=[A-Z])[A-Z]))"
                r"|(?<![A-Za-z])(?:PASS|PWD)(?![A-Za-z])")
_SECRET_NAME = re.compile(f"(?:{SECRET_WORDS})", re.IGNORECASE)
# A registry login set from the environment, whose value is the login itself: npm's `_auth` (base64 user:password;
# npm reads npm_config_<setting>, in any case) and Yarn's npmAuthIdent (YARN_NPM_AUTH_IDENT: user:password)
_NPM_AUTH_NAME = re.compile(r"(?:npm_config_)?_auth|yarn_npm_auth_ident", re.IGNORECASE)
_NAME_ANCHORS = re.compile(rb"pass|pwd|secret|token|key|credential", re.IGNORECASE)

# A name holds a secret only when it ends on its (last) telling word: DB_PASSWORD, clientSecret, API_TOKEN. Any
# other word after that word makes the name *about* a secret, and it holds none: where the secret is
# (TOKEN_FILE=/run/secrets/token), what it is called (secretName: tls, AWS_SECRET_NAME=arn:...), how long it
# lasts (TOKEN_TTL=3600, ACCESS_TOKEN_EXPIRE_MINUTES=30), how it is made or checked (PASSWORD_HASHERS=argon2,
# PostgreSQL's `password_encryption = scram-sha-256`, PASSWORD_VALIDATORS=django.contrib...), what carries it
# (SESSION_TOKEN_COOKIE=sessionid, API_KEY_HEADER=X-Api-Key), what it may do (GITHUB_TOKEN_PERMISSIONS=read,
# TOKEN_CLAIM=sub), whether it is a stand-in (Rails' generated `SECRET_KEY_BASE_DUMMY=1`). A list of such words
# (the rule before this one) misses every word it does not list; this rule misses a secret named with a word
# after its telling word that is not listed below, and only when its value does not look like a key by its
# content (:func:`_looks_random`: such a value stays a finding whatever the name).
# Two kinds of words after the telling word keep the name a secret's:
# - the rest of a compound secret name: SECRET_KEY, SECRET_KEY_BASE (Rails' own name; the telling words
#   API_KEY, ACCESS_KEY, PRIVATE_KEY, AUTH_KEY are one word already: AUTH_TOKEN, AWS_SECRET_ACCESS_KEY end on one);
# - a word that says whose or which one it is, not what about it: PASSWORD_ADMIN, PASSWORD_PROD, TOKEN_2, Django's
#   SECRET_KEY_FALLBACKS (the previous keys, still accepted).
#   Decided: PASSWORD_PROD=hunter22 is a finding (the production password), like DB_PASSWORD=hunter22.
# And Poetry's `pypi-token.REPOSITORY` (`poetry config pypi-token.pypi V`) is the repository's token.
_WHICH_WORDS = frozenset("""
    ADMIN ADMINISTRATOR ROOT SUPERUSER SU SYSTEM SYS MASTER PRIMARY SECONDARY REPLICA BACKUP
    PROD PRODUCTION STAGING STAGE DEV DEVELOPMENT QA UAT LIVE LOCAL REMOTE
    OLD NEW CURRENT PREVIOUS PREV NEXT DEFAULT INITIAL FALLBACK FALLBACKS
""".split())
# A word right before SECRET(S) that makes the name one of a Kubernetes Secret *object*, not a secret's value: Helm charts'
# `auth.existingSecret: db-credentials`, `tlsSecret: app-tls`, `imagePullSecrets`, a SealedSecret's or an ExternalSecret's
# name (the words after, `secretName`, `secretRef`, are the "about" words below). The value must also not look random.
_SECRET_OBJECT_WORDS = frozenset({"EXISTING", "TLS", "PULL", "SEALED", "EXTERNAL", "K8S", "KUBE", "KUBERNETES"})
# The words of a name: camelCase parts, capitals, digits (`accessTokenExpireMinutes`, `TOKEN_TTL`, `secretName`).
_NAME_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")


def _about_name(name: str) -> bool:
    """True when a word after the last telling word of ``name`` says the name is about a secret: any word
    but the rest of a compound secret name (SECRET_KEY_BASE) and :data:`_WHICH_WORDS` (PASSWORD_ADMIN, TOKEN_2)."""
    words = list(_SECRET_NAME.finditer(name))
    # Poetry's `pypi-token.REPOSITORY` and POETRY_PYPI_TOKEN_<REPOSITORY>: the word after names the repository
    if not words or name.lower().startswith(("pypi-token.", "poetry_pypi_token_")):
        return False
    if words[-1].group(0).upper().startswith("SECRET") and (_NAME_WORDS.findall(name[: words[-1].start()]) or [""])[-1].upper() in _SECRET_OBJECT_WORDS:
        return True  # existingSecret, tlsSecret, imagePullSecrets: the name of a Kubernetes Secret object
    after = [word.upper() for word in _NAME_WORDS.findall(name[words[-1].end():])]
    if words[-1].group(0).upper().startswith("SECRET") and after[:1] == ["KEY"]:  # SECRET_KEY, SECRET_KEY_BASE
        after = after[1:]
        if after[:1] == ["BASE"]:
            after = after[1:]
    return any(not (word.isdigit() or word in _WHICH_WORDS) for word in after)


# A value whose form is plainly not a secret, whatever its name (the name alone made it a finding): a flag
# (0 or 1; true, false, yes, no, on, off are :data:`_NOT_A_VALUE`), an Amazon Resource Name (an ARN names a
# resource, a Secrets Manager secret too: `arn:aws:secretsmanager:...:secret:prod/db-AbCdEf`), a dotted module or
# class path (`django.contrib.auth.password_validation`, `airflow.providers.hashicorp.secrets.vault.VaultBackend`).
# Other numbers stay findings under a name that holds a secret: DB_PASSWORD=123456 is a password (a weak one).
_NOT_A_SECRET_FORM = re.compile(r"[01]|arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:\S+"
                                r"|[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+\.[A-Za-z_][A-Za-z0-9_]*")


# A value "looks like a secret by its content" when a run of its letters and digits is random: one that
# switches between letters and digits 3 times or more in 8 characters or more (hex, `a1B2c3...`: `argon2id`,
# `HS256`, `hunter22` are words), or 16 characters or more whose Shannon entropy is 3.5 bits a character or
# more (gitleaks' threshold for its generic-api-key rule; `correcthorsebatterystaple` is 3.36) unless it is
# camelCase words of 4 letters or more on average (random capitals cut it into parts of 2 on average). A URL without
# credentials is judged by its query and fragment only (an issuer's or audience's URL often holds a tenant id);
# credentials in it are a content rule's.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s/@?#]*(?P<path>[^\s?#]*)(?P<rest>[?#]\S*)?")


def _entropy(text: str) -> float:
    return -sum(text.count(char) / len(text) * math.log2(text.count(char) / len(text)) for char in set(text))


def _looks_random(value: str) -> bool:
    value = value.strip()
    url = _URL.fullmatch(value)
    if url is not None:
        value = url.group("rest") or ""
    for run in re.findall(r"[A-Za-z0-9]+", value):
        if len(run) >= 8 and len(re.findall(r"[A-Za-z]+|[0-9]+", run)) >= 4:
            return True
        words = _NAME_WORDS.findall(run)  # `SeAssignPrimaryTokenPrivilege` (Windows' privilege names) is camelCase words
        if len(run) >= 16 and _entropy(run) >= 3.5 and not (len(words) > 1 and len(run) / len(words) >= 4):
            return True
    return False


# A setting whose value is a well-known public default, not a secret anyone chose: the JDK's truststore
# password `changeit` (keytool's documentation: "The initial password of the cacerts keystore file is
# changeit"; a truststore holds public certificates only), in every spelling of the setting:
# -Djavax.net.ssl.trustStorePassword, JAVAX_NET_SSL_TRUSTSTOREPASSWORD, Spring's server.ssl.trust-store-password,
# Kafka's ssl.truststore.password, Tomcat's truststorePass.
_PUBLIC_DEFAULTS = ((re.compile(r"trust[_.-]?store[_.-]?pass(?:word)?$", re.IGNORECASE), frozenset({"changeit"})),)


def _about_a_secret(name: str, value: str) -> bool:
    # `passwd` alone names the user database (`passwd: files systemd` in every Debian /etc/nsswitch.conf)
    if any(setting.search(name) and value.strip() in values for setting, values in _PUBLIC_DEFAULTS):
        return True
    # sudoers' tags (`app ALL=(ALL) NOPASSWD: ALL`, `PASSWD: /usr/bin/apt-get`): NOPASSWD says there is no password,
    # and what follows a tag is a command (ALL, a path) or another tag (`NOPASSWD: SETENV: ALL`)
    if re.fullmatch(r"no[_-]?passw(?:or)?d", name, re.IGNORECASE) or (name == "PASSWD" and re.fullmatch(r"ALL|[A-Z_]+:", value.strip())):
        return True
    if name.lower() == "passwd" or value.startswith(("/", "./", "../", "~/")) or _NOT_A_SECRET_FORM.fullmatch(value.strip()):
        return True
    if re.fullmatch(r"(?:user\.)?signingkey", name, re.IGNORECASE):  # git's signing key: a GPG key's id or a public key's path
        return True
    return _about_name(name) and not _looks_random(value)


# --- the assignment rule ---------------------------------------------------------------------
# A literal given to a telling name, as the keyword rules of detect-secrets (Yelp, plugins/keyword.py:
# FOLLOWED_BY_EQUAL_SIGNS / FOLLOWED_BY_COLON / ..._QUOTES_REQUIRED) and gitleaks (generic-api-key:
# keyword, operator, value) phrase it: `name = value`, `name: value`, `"name": "value"`, `name := "value"`,
# `name => 'value'`, `$config['name'] = 'value'` (detect-secrets' CLOSING), `export NAME=value`, an option's
# `--opt=NAME=value` (`kubectl create secret generic db --from-literal=password=v`, `--env=TOKEN=v`), a Java
# system property (`-Dspring.datasource.password=value` in JAVA_OPTS, CATALINA_OPTS, MAVEN_OPTS). Unlike
# gitleaks (which asks for 10+ characters and entropy 3.5) a value of any length and any characters
# counts: `password = secret` is the leak the course warns about. A name starts a line also after an escaped
# newline or tab (printf's and echo -e's `\n`: `printf 'host: h\npassword: v\n' > app.yml`), and an option's own
# name counts as one (`--docker-password=v`, `--api-token=v`) unless its value is a NAME=VALUE spec of its own
# (`--secret=id=npmrc,src=...`: the spec is judged as the assignment it holds, as `--from-literal=` is).
# What is not a literal is not reported:
# - in a program's source (by its file name or its #! line) only a quoted value is a literal, as
#   detect-secrets requires quotes for its code file types: `password = secret` there reads a variable;
# - a value followed by `(`, `[` or `.name(` is code (`get_password()`, `os.environ["X"]`): the bare
#   value must end where a shell word or a config value ends;
# - a reference or template: `$X`, `${X}`, `$(cat ...)`, backquotes, `{{ x }}`, `%(x)s`, `{x}`;
# - a placeholder: `<password>`, `...`, `****`, `xxxx`, `your-api-key-here`, an all-capitals
#   metavariable naming a secret (`--password PASSWORD`, YOUR_TOKEN), the words of detect-secrets'
#   FALSE_POSITIVES that are no value at all (None, null, true, false, yes, no...), and a value that
#   holds its name's telling word, alone or as a word among words: it names the thing (`password:
#   password`, `cat_passwd='getent passwd'` in Debian's addgnupghome);
# - in a file's content only, the words that say a value is not the real one (:data:`EXAMPLE_WORDS`:
#   test, dummy, example, sample, fake). Why only there: a file in an image is often a package's test
#   fixture or documentation (Python's own pygettext has `{'token': 'test'}` in its help), which is
#   why detect-secrets skips these words in source code. A value the image or its build *gives*, an
#   ENV, ARG or LABEL value or a command's (`ENV POSTGRES_PASSWORD=test`, `RUN export API_KEY=dummy`),
#   is the credential the container really uses: anyone who pulls the image reads it and can log in
#   with it, whatever word it is. The course teaches "never put a password in an image", so there
#   `test` and `dummy` are reported like any other password;
# - empty (`password: ""`), and after `name:` a bare value with more words behind it (prose such as
#   `Password: enter the one ...`; YAML's value is the rest of the line, a header's the rest of its string).
_ASSIGNMENT = (
    r"(?:^|(?<=[\s;&|(\"'{,:?])|(?<=\\[nrt]))(?:export[ \t]+|-[DP]|--[A-Za-z][\w-]*=|--(?=[A-Za-z][\w.-]*=(?![A-Za-z_][\w.-]*=(?!=))))?"
    r"(?P<name>(?=[A-Za-z_])[A-Za-z0-9_.-]*?(?:" + SECRET_WORDS + r")[A-Za-z0-9_.-]*)[\]'\"]{0,2}"
    r"[ \t]*(?P<sep>:=|=>|=(?![=~])|:(?![:=]))[ \t]*"
    r"(?:\"(?P<double>[^\"\n]*)\"|'(?P<single>[^'\n]*)'"
    r"|(?P<bare>[^\s'\"`$;&|,(){}\[\]<>\\*!%@#][^\s'\"`$;&|,(){}\[\]<>\\]*)(?=$|[\s'\"`;&|,)\]}\\]))"
)
# The same literal in the other forms a value is given in: an XML element (`<password>v</password>`,
# Maven's settings.xml; CDATA too), an XML name/value pair (`<add key="ApiKey" value="v"/>` in .NET's
# appSettings, `<property name="password" value="v"/>` in Spring and Ant), and a long option whose value follows
# after a space (`--db-password V`, `--api-key V`, `--token V`: :data:`_OPTION_VALUE`): the value in group double,
# single or bare. A tool's `config set KEY VALUE` is read as `KEY=VALUE` (:func:`_tool_settings`).
_NAMED = r"(?P<name>(?=[A-Za-z_])[\w.:-]*?(?:" + SECRET_WORDS + r")[\w.:-]*)"
_XML_ELEMENT = (r"<" + _NAMED + r"(?:[ \t][^<>]*)?>[ \t]*(?:<!\[CDATA\[(?P<single>[^\]\n]*)\]\]>|(?P<double>[^<>\n]*?))[ \t]*</(?P=name)[ \t]*>")
_XML_PAIR = (r"(?<![\w-])(?:name|key)[ \t]*=[ \t]*[\"']" + _NAMED + r"[\"'][ \t]+value[ \t]*=[ \t]*(?:\"(?P<double>[^\"\n]*)\"|'(?P<single>[^'\n]*)')")
# A long option whose name holds a secret by the name rule (it ends on its telling word or a :data:`_WHICH_WORDS` word),
# its value after a space: `--db-password V`, `--api-key V`, `--client-secret V`. The next word is no value when it
# starts with `-`, is a reference (`$X`, `${X}`, `$(...)`), a redirection or a pipe; and the option is a switch,
# not a setting, when a word after its telling word says what about it (`--password-stdin`, `--token-file`: the
# name rule's "about" words) or a word before it says what to do (:data:`_SWITCH_WORDS`: `--no-password`,
# `--ask-password`, `--prompt-password`, Ansible's `--ask-become-pass`). Checked in :func:`_option_holds_a_value`.
_OPTION_VALUE = (r"(?<![\w-])(?P<option>--)(?P<name>(?=[A-Za-z])[\w.-]*?(?:" + SECRET_WORDS + r")[\w.-]*)[ \t]+"
                 r"(?:\"(?P<double>[^\"\n]*)\"|'(?P<single>[^'\n]*)'"
                 r"|(?P<bare>[^\s'\"`$;&|,(){}\[\]<>\\*!%@#-][^\s'\"`$;&|(){}\[\]<>\\]*)(?=$|[\s'\"`;&|)\]}\\]))")
# A literal given to a telling name in a program's own syntax (the value is quoted: a literal, not code):
# - a PHP or Perl variable or a PHP property: `$db_password = 'v';`, `my $password = "v";`, `$this->password = 'v';`;
# - a constant: PHP's `define( 'DB_PASSWORD', 'v' );` (WordPress' wp-config.php: DB_PASSWORD, AUTH_KEY...);
# - the default of a lookup by name, the name being the variable's: Laravel's `env('DB_PASSWORD', 'v')`, PHP's
#   `getenv`, the official WordPress image's `getenv_docker('WORDPRESS_DB_PASSWORD', 'v')`, Python's
#   `os.getenv("DB_PASSWORD", "v")`, `os.environ.get(...)`, `os.environ.setdefault(...)`, django-environ's
#   `env.str("SECRET_KEY", default="v")`, Ruby's `ENV.fetch("DB_PASSWORD", "v")`; Node's `process.env.DB_PASSWORD
#   || 'v'` (and `??`, `process.env["DB_PASSWORD"]`).
_QUOTED = r"""(?:"(?P<double>[^"\n]*)"|'(?P<single>[^'\n]*)')"""
_CODE_VARIABLE = r"(?:\$(?<![^\s;({,]\$)|->)" + _NAMED + r"[ \t]*=(?![=~>])[ \t]*" + _QUOTED
_CONSTANT = r"define(?<![\w$>]define)[ \t]*\([ \t]*[\"']" + _NAMED + r"[\"'][ \t]*,[ \t]*" + _QUOTED + r"[ \t]*\)"
_LOOKUP_DEFAULT = (r"\((?:(?<=\.get\()|(?<=\.fetch\()|(?<=\.setdefault\()|(?<=\.str\()|(?<=getenv\()(?<![\w$]getenv\()"
                   r"|(?<=getenv_docker\()(?<![\w$]getenv_docker\()|(?<=env\()(?<![\w$]env\())[ \t]*[\"']" + _NAMED
                   + r"[\"'][ \t]*,[ \t]*(?:default[ \t]*=[ \t]*)?" + _QUOTED)
_NODE_DEFAULT = r"process\.env(?<![\w$.]process\.env)(?:\.|\[[\"'])" + _NAMED + r"(?:[\"']\])?[ \t]*(?:\|\||\?\?)[ \t]*" + _QUOTED
# A value between escaped double quotes inside a double-quoted shell word, the name's quotes escaped too or none: `echo
# "password: \\"V\\"" > c.yml`, `echo "{\\"password\\": \\"V\\"}" > c.json` (the shell writes `password: "V"`)
_ESCAPED_ASSIGNMENT = (r"(?:^|(?<=[\s;&|(\"'{,:?])|(?<=\\[nrt]))(?:\\\")?"
                       r"(?P<name>(?=[A-Za-z_])[A-Za-z0-9_.-]*?(?:" + SECRET_WORDS + r")[A-Za-z0-9_.-]*)(?:\\\")?"
                       r"[ \t]*(?P<sep>:=|=>|=(?![=~])|:(?![:=]))[ \t]*\\\"(?P<double>[^\"\\\n]*)\\\"")
_FORMS = [_ASSIGNMENT, _XML_ELEMENT, _XML_PAIR, _OPTION_VALUE, _CODE_VARIABLE, _CONSTANT, _LOOKUP_DEFAULT, _NODE_DEFAULT, _ESCAPED_ASSIGNMENT]
_FORMS_TEXT = [re.compile(form, re.IGNORECASE | re.MULTILINE) for form in _FORMS]
_FORMS_BYTES = [re.compile(form.encode(), re.IGNORECASE | re.MULTILINE) for form in _FORMS]
# Words before an option's telling word that make it a switch: what to do about the secret, not the secret
_SWITCH_WORDS = frozenset("""
    NO WITHOUT ASK PROMPT PROMPTS SKIP DISABLE ENABLE ALLOW REQUIRE USE FORCE RESET CHANGE GENERATE RANDOM EMPTY SHOW PRINT
    READ KEEP CLEAR SAVE STORE FORGET REMEMBER REVEAL STDIN INTERACTIVE INSECURE IGNORE
""".split())
# A file name as an option's value (`--auth-user-pass creds.txt`, OpenVPN's): the option names a file, not a secret
_FILE_NAME = re.compile(r"[\w.-]+\.(?:txt|pem|key|crt|cer|p12|pfx|jks|json|ya?ml|conf|cfg|ini|env|properties|toml|xml)")


def _option_holds_a_value(text: str | bytes, match: re.Match, name: str, value: str) -> bool:
    """For :data:`_OPTION_VALUE`: True when ``value``, the word after option ``--name`` and a space, is the option's
    value and could be a secret: the option is no switch (see :data:`_OPTION_VALUE`), not Docker's `--secret`
    (a secret's id or a `id=...,src=...` spec, never its value), the command is not one whose `--password` takes no
    value after a space (`psql --password mydb`), and the value is not a `NAME=VALUE` spec, a file name, nor an
    all-capitals metavariable (`--api-key KEY` in a help text)."""
    words = [word.upper() for word in _NAME_WORDS.findall(name)]
    telling = [word.upper() for word in _NAME_WORDS.findall(name[: list(_SECRET_NAME.finditer(name))[-1].start()])]
    if _about_name(name) or any(word in _SWITCH_WORDS for word in telling) or words in (["SECRET"], ["SECRETS"]):
        return False
    data = text if isinstance(text, bytes) else text.encode(errors="replace")
    at = match.start("option") if isinstance(text, bytes) else len(text[: match.start("option")].encode(errors="replace"))
    if words[-1:] in (["PASSWORD"], ["PASS"]) and _password_after_a_space_is_an_argument(data, at):
        return False
    value = value.strip()
    # a base64 value's padding (`q8Vd...==`) is no NAME=VALUE spec
    return not (re.match(r"[A-Za-z_][\w.-]*=(?!=*$)", value) or _FILE_NAME.fullmatch(value) or re.fullmatch(r"[A-Z][A-Z_]*", value))


# (and GitHub Actions' permission and reuse words: `id-token: write`, `secrets: inherit`)
_NOT_A_VALUE = {"none", "null", "nil", "undefined", "undef", "true", "false", "yes", "no", "on", "off", "required", "optional",
                "string", "str", "prompt", "redacted", "hidden", "masked", "todo", "read", "write", "inherit", "read-all", "write-all"}
EXAMPLE_WORDS = frozenset({"test", "dummy", "example", "sample", "fake"})
_MASKED = re.compile(r"…\(\d+(?: characters?\))?")  # a value :func:`mask` already hid (or its first word: `S3c…(14`,
# what an option rule reads up to the space): a text is masked once
_REFERENCE = re.compile(r"\$[{(A-Za-z0-9_@*#?$!-]|`|\{\{|\{%|%\(|%s|^\{[A-Za-z_][A-Za-z0-9_.]*\}$")
# (WordPress' wp-config-sample.php and the official image's wp-config-docker.php: `'put your unique phrase here'`)
_PLACEHOLDER = re.compile(r"<[^<>]*>|[.*…•xX_-]+|(?i:your[-_.][A-Za-z0-9_.-]*|[A-Za-z0-9_.-]*[-_]here|(?:[a-z ]+ )?your [a-z ]+ here)")
_METAVARIABLE = re.compile(r"[A-Z][A-Z0-9_]*")
_CODE_SUFFIXES = (".py", ".pyw", ".pyi", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".java", ".kt", ".scala", ".groovy", ".go", ".rb",
                  ".php", ".c", ".h", ".cc", ".cpp", ".hpp", ".cs", ".swift", ".rs", ".pl", ".pm", ".lua", ".tf", ".ps1")
_CODE_SHEBANG = re.compile(rb"#![^\n]*\b(?:python[0-9.]*|node|perl|ruby|php|lua|pwsh)\b")


def _not_a_value(value: str, references: bool = True, examples: bool = False) -> bool:
    """True for what a person did not write as a secret: empty, a reference or template (unless
    ``references`` is False: a value already given), a placeholder (an all-capitals metavariable counts
    only when it names a secret: PASSWORD, YOUR_TOKEN), and with ``examples`` one of
    :data:`EXAMPLE_WORDS` (in a file's content only: see the assignment rule's comment)."""
    value = value.strip()
    if not value or value.lower() in _NOT_A_VALUE or (examples and value.lower() in EXAMPLE_WORDS) or _MASKED.search(value):
        return True
    if (references and _REFERENCE.search(value)) or _PLACEHOLDER.fullmatch(value):
        return True
    return bool(_METAVARIABLE.fullmatch(value)) and (bool(_SECRET_NAME.search(value)) or value.startswith(("YOUR_", "MY_")))


def _names_itself(name: str, value: str) -> bool:
    """True when ``value`` is the telling word of ``name`` (`password: password`), or words among which
    that word stands on its own (`getent passwd`); `course-example-password` is a value."""
    word = _SECRET_NAME.search(name)
    if not word or not value.strip():
        return False
    if value.strip().lower() == word.group(0).lower():
        return True
    return " " in value.strip() and re.search(r"(?<![A-Za-z])" + re.escape(word.group(0)) + r"(?![A-Za-z])", value, re.IGNORECASE) is not None


def _is_code(path: str, data: bytes) -> bool:
    return path.endswith(_CODE_SUFFIXES) or bool(_CODE_SHEBANG.match(data[:128]))


# An ARN's parts are `:`-separated (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME): a name right after one of
# them is the ARN's resource type, not a setting (`secret:prod/db-AbCdEf`)
_ARN_PATTERN = r"(?:^|[\s'\"=,;(\[{])arn:[a-z-]+:[a-z0-9-]*:[a-z0-9-]*:[0-9]*:(?:[^\s'\"=,;:]*:)*$"
_ARN_BEFORE = {str: re.compile(_ARN_PATTERN), bytes: re.compile(_ARN_PATTERN.encode())}


def _quoted_name_ends_in_its_separator(text: str | bytes, match: re.Match, group: str) -> bool:
    """True when the name opens a quoted text that its separator ends (`expect "password:"; send "x"`, `grep -q 'password: '
    f || echo`): the quote after the separator closes the name's text, so what the form read as a quoted value is the
    text between two quoted strings. `"password": "x"` closes the name before its separator: a value."""
    at = match.start("name")
    if group == "bare" or "sep" not in match.re.groupindex:
        return False
    quote = text[at - 1: at] if at else text[:0]
    if quote not in ("'", '"', b"'", b'"'):
        return False
    between = text[match.end("name"): match.start("sep")]
    opening = text[match.start(group) - 1: match.start(group)]
    return quote not in between and opening == quote and not text[match.end("sep"): match.start(group) - 1].strip()


def _in_an_arn(text: str | bytes, at: int) -> bool:
    """True when the name starting at ``at`` in ``text`` follows an ARN's `:`-separated parts."""
    return _ARN_BEFORE[type(text)].search(text[max(0, at - 256): at]) is not None


# An option named for secrets whose value names them, never holds them: `--secret=db-password` (gcloud's secret's id),
# `--set-secrets=DB_PASS=db-pass:latest,API_KEY=api-key:2` and `--update-secrets=` (Cloud Run: ENV=SECRET:VERSION,
# references to Secret Manager), `--secrets=...`; the word holding the assignment starts with such an option
_SECRETS_OPTION = {str: re.compile(r"(?:^|[\s'\"])-{1,2}(?:[\w-]*[_-])?secrets?=[^\s'\"]*$", re.IGNORECASE),
                   bytes: re.compile(rb"(?:^|[\s'\"])-{1,2}(?:[\w-]*[_-])?secrets?=[^\s'\"]*$", re.IGNORECASE)}


def _names_secrets(text: str | bytes, at: int, name: str) -> bool:
    """True when the assignment whose name starts at ``at`` is an option named secret(s) (`--secret=NAME`) or in the
    value of one (`--set-secrets=NAME=secret:version`): see :data:`_SECRETS_OPTION`."""
    before = text[max(0, at - 512): at]
    if name.lower() in ("secret", "secrets") and before[-1:] in ("-", b"-"):
        return True
    return _SECRETS_OPTION[type(text)].search(before) is not None


_ESCAPED_END = {str: re.compile(r"\\[nrt]"), bytes: re.compile(rb"\\[nrt]")}
_EXPANSION_BEFORE = {str: re.compile(r"\$\{$"), bytes: re.compile(rb"\$\{$")}


def _assignments(text: str | bytes, quoted_only: bool = False, examples: bool = False) -> list[tuple[str, str, int]]:
    """(name, value, where the value starts) for each literal given to a telling name in ``text``, in
    every form (:data:`_FORMS`); ``examples``: skip :data:`EXAMPLE_WORDS` (a file's content)."""
    newline = b"\n" if isinstance(text, bytes) else "\n"
    found, starts = [], set()
    for match in (match for pattern in (_FORMS_BYTES if isinstance(text, bytes) else _FORMS_TEXT) for match in pattern.finditer(text)):
        group = "double" if match.group("double") is not None else "single" if match.group("single") is not None else "bare"
        if group == "bare" and quoted_only:
            continue
        name, value = (item.decode(errors="replace") if isinstance(item, bytes) else item for item in match.group("name", group))
        if group == "bare" and "sep" in match.re.groupindex and match.group("sep") in (":", b":"):  # `name: value` is the rest of the line, else it is prose
            end = text.find(newline, match.end())
            rest = text[match.end(): end if end >= 0 else len(text)].strip()
            if rest and rest[:1] not in (("#", ",", "}", "]", '"', "'", "`") if isinstance(rest, str) else (b"#", b",", b"}", b"]", b'"', b"'", b"`")):
                if not _ESCAPED_END[type(rest)].match(rest):  # printf's `\n` ends the line it writes
                    continue
            if group == "bare" and _EXPANSION_BEFORE[type(text)].search(text[max(0, match.start("name") - 2): match.start("name")]):
                if value.startswith(("?", "+")):  # `${API_TOKEN:?set it}`, `${X:+y}`: the shell's message or alternative
                    continue
                if value.startswith(("-", "=")):  # `${DB_PASSWORD:-hunter2}`, `${X:=v}`: the default is the value written
                    value = value[1:]
        # `arn:aws:secretsmanager:...:secret:prod/db`: the ARN's resource type; `--secret=NAME`: the option names a secret
        if _in_an_arn(text, match.start("name")) or _names_secrets(text, match.start("name"), name):
            continue
        if "option" in match.re.groupindex and not _option_holds_a_value(text, match, name, value):
            continue
        if _quoted_name_ends_in_its_separator(text, match, group) or _about_a_secret(name, value) \
                or _not_a_value(value, examples=examples) or _names_itself(name, value) or match.start(group) in starts:
            continue
        starts.add(match.start(group))  # `<add key="password" value="v"/>`: the pair, not also `password" value=`
        found.append((name, value, match.start(group)))
    found.sort(key=lambda item: item[2])
    return found


# A tool's `config set KEY VALUE` is read as `KEY=VALUE` and judged by the rules above (the assignment rule and the
# content rules): `aws configure set aws_secret_access_key V`, `npm config set //host/:_authToken V` (pnpm's and Yarn
# 1's alike), `npm config set _auth BASE64`, `yarn config set npmAuthIdent user:password`, `pip config set
# global.index-url https://user:password@host/simple`, `poetry config pypi-token.pypi V`; options may come before
# and after `set` (`npm config set --location=global`, `pip config --user set`, `composer config --global`). The keys
# whose value is a credential whatever the rules say of the name: Poetry's and Composer's `http-basic.REPO USER
# PASSWORD` and Composer's `bitbucket-oauth.HOST KEY SECRET` (the second argument), Composer's `github-oauth.HOST
# TOKEN`, `gitlab-oauth.HOST TOKEN`, `gitlab-token.HOST TOKEN`, `bearer.HOST TOKEN` and Poetry's `pypi-token.REPO TOKEN`.
_SETTING_VALUE = (r"(?:\"(?P<double>[^\"\n]*)\"|'(?P<single>[^'\n]*)'"
                  r"|(?P<bare>[^\s'\"`$;&|(){}\[\]<>\\-][^\s'\"`$;&|(){}\[\]<>\\]*)(?=$|[\s;&|)]))")
_SETTING_OPTIONS = r"(?:-{1,2}[A-Za-z][\w-]*(?:=[^\s;&|'\"]*)?[ \t]+)*"
# `set` is the word `set`: kubectl's `config set-credentials NAME`, `set-context NAME`, `set-cluster NAME` (and its other
# verb-noun subcommands: `use-context`, `delete-user`, `get-contexts`, `rename-context`) name an entry, they set no key;
# their secrets are options (`--password=V`, `--token=V`), judged as such
_NOT_A_SUBCOMMAND = r"(?!(?:set|unset|get|delete|use|rename|current)-[\w-]+(?:$|[ \t;&|]))"
_CONFIG_SET = (r"(?<![\w-])config(?:ure)?[ \t]+" + _SETTING_OPTIONS + r"(?:set[ \t]+)?" + _SETTING_OPTIONS + _NOT_A_SUBCOMMAND
               + r"(?:\"(?P<qkey>[^\"\n=]+)\"|'(?P<skey>[^'\n=]+)'|(?P<key>[^\s'\"=;&|<>()`$\\-][^\s'\"=;&|<>()`$\\]*))[ \t]+" + _SETTING_VALUE)
_CONFIG_SET_FORM = {str: re.compile(_CONFIG_SET, re.IGNORECASE), bytes: re.compile(_CONFIG_SET.encode(), re.IGNORECASE)}
_NEXT_VALUE = {str: re.compile(r"[ \t]+" + _SETTING_VALUE), bytes: re.compile((r"[ \t]+" + _SETTING_VALUE).encode())}
_CREDENTIAL_PAIR_KEY = re.compile(r"(?:http-basic|bitbucket-oauth)\..+", re.IGNORECASE)
_CREDENTIAL_KEY = re.compile(r"(?:github-oauth|gitlab-oauth|gitlab-token|bearer|pypi-token)\..+", re.IGNORECASE)
# Bundler's credentials for a gem host: `bundle config set [--global] gems.example.com USER:PASSWORD` (or a token), and
# from the environment BUNDLE_<HOST>=USER:PASSWORD, the host's dots written `__` (BUNDLE_GEMS__EXAMPLE__COM; Bundler's
# docs, "Credentials for gem sources"). Bundler's own dotted settings are not hosts: build.GEM, mirror.URL, local.GEM.
_BUNDLER_BEFORE = {str: re.compile(r"bundler?[ \t]+$"), bytes: re.compile(rb"bundler?[ \t]+$")}
_BUNDLER_HOST = re.compile(r"(?!(?:build|mirror|local)\.)(?:https?://)?[\w-]+(?:\.[\w-]+)+/?", re.IGNORECASE)
_BUNDLER_HOST_NAME = re.compile(r"BUNDLE_(?!(?:BUILD|MIRROR|LOCAL)__)[A-Z0-9_]*?[A-Z0-9]__[A-Z0-9][A-Z0-9_]*")
_USER_AND_PASSWORD = re.compile(r"[^:\s]+:\S+")


def _bundler_credential(text: str | bytes, at: int, key: str, value: str | bytes) -> bool:
    """True when `config` at ``at`` is Bundler's (`bundle config`) and sets ``key``, a gem host, to a credential."""
    if not (_BUNDLER_BEFORE[type(text)].search(text[max(0, at - 16): at]) and _BUNDLER_HOST.fullmatch(key)):
        return False
    value = value.decode(errors="replace") if isinstance(value, bytes) else value
    return bool(_USER_AND_PASSWORD.fullmatch(value) or _looks_random(value))


def _value_of(match: re.Match) -> tuple[str | None, str | bytes | None]:
    group = next((name for name in ("double", "single", "bare") if match.group(name) is not None), None)
    return group, match.group(group) if group else None


def _tool_settings(text: str | bytes, rules: list[Rule] | None, quoted_only: bool, examples: bool, decode: bool) -> list[list]:
    """[name, what, value, where the value starts] for each secret a tool's `config set KEY VALUE` in ``text`` gives
    (see :data:`_CONFIG_SET`); ``quoted_only``: a bare value is a variable (a program's source)."""
    found = []
    for match in _CONFIG_SET_FORM[type(text)].finditer(text):
        key = next(item for item in match.group("qkey", "skey", "key") if item is not None)
        key = key.decode(errors="replace") if isinstance(key, bytes) else key
        group, value = _value_of(match)
        at = match.start(group)
        if _CREDENTIAL_PAIR_KEY.fullmatch(key):  # USER PASSWORD: the password is the next word
            second = _NEXT_VALUE[type(text)].match(text, match.end())
            if second is None:
                continue
            group, value = _value_of(second)
            at = second.start(group)
        if group == "bare" and quoted_only:
            continue
        value = value.decode(errors="replace") if isinstance(value, bytes) else value
        if _CREDENTIAL_PAIR_KEY.fullmatch(key) or _CREDENTIAL_KEY.fullmatch(key) or _bundler_credential(text, match.start(), key, value):
            if not _not_a_value(value, examples=examples):
                found.append([key, "", value, at])
            continue
        for name, what, inner, inner_at in _findings(f"{key}={value}", rules, examples=examples, decode=decode, settings=False):
            offset = inner_at - len(key) - 1
            if 0 <= offset and offset + len(inner) <= len(value):
                found.append([name, what, inner, at + offset])
    return found


# A base64 text (24 characters or more, standalone) is decoded and searched again: a token written as
# `echo Z2hwXz... | base64 -d > /token` or a Kubernetes-style `data:` value is still in the image, readable
# by anyone who decodes it (gitleaks decodes base64 the same way since 8.19). Once: no base64 in base64.
_BASE64 = re.compile(rb"(?<![A-Za-z0-9+/=_.-])[A-Za-z0-9+/]{24,}={0,2}(?![A-Za-z0-9+/=_.-])")
ENCODED = " (base64-encoded)"


def _content_matches(data: bytes, rules: list[Rule] | None = None, decode: bool = True, examples: bool = False) -> list[tuple[Rule, str, str, int]]:
    """(rule, what, value, where it starts) for each content rule's match in ``data``, and in each base64
    text of it decoded (what then ends in :data:`ENCODED`, the value is the encoded text); a rule that
    needs a person's value (not ``by_form``) skips placeholders and references (and with ``examples``
    :data:`EXAMPLE_WORDS`)."""
    lowered = data.lower()  # a substring test per anchor is much faster than any regex over the whole file
    found = []
    for rule in rules if rules is not None else CONTENT_RULES:
        if not any(anchor in lowered for anchor in rule.anchors):
            continue
        group = "secret" if "secret" in rule.pattern.groupindex else 0
        for match in rule.pattern.finditer(data):
            value = match.group(group).decode(errors="replace")
            if not rule.by_form and _not_a_value(value, examples=examples):
                continue
            if rule.valid is not None and not rule.valid(match.group(group)):
                continue
            if rule.context is not None and not rule.context(data, match):
                continue
            found.append((rule, rule.what, value, match.start(group)))
    if decode:
        for match in _BASE64.finditer(data):
            decoded = _decoded(match.group(0))
            if decoded is not None:
                inner = {(rule.what, rule) for rule, _, _, _ in _content_matches(decoded, rules, decode=False)}
                found += [(rule, what + ENCODED, match.group(0).decode(), match.start()) for what, rule in sorted(inner, key=lambda item: item[0])]
    return found


def content_secrets(text: str | bytes) -> list[tuple[str, str]]:
    """(what, the text that matched) for each content rule (:data:`CONTENT_RULES`: private keys,
    well-known token formats, credentials in URLs, headers and options) that ``text`` matches, whatever a
    variable is called; each (what, value) once. Returns a list. Raises nothing."""
    data = text if isinstance(text, bytes) else text.encode(errors="replace")
    found = []
    for _, what, value, _ in _content_matches(data):
        if (what, value) not in found:
            found.append((what, value))
    return found


def variable_secrets(name: str, value: str | None) -> list[tuple[str, str]]:
    """(what, evidence) for one variable (ENV, ARG, `export NAME=value`): the content rules on its value
    and the settings written inside it (`JAVA_OPTS=-Ddb.password=v`, a JSON value's `"password": "v"`)
    first, else its name (:data:`SECRET_WORDS`) unless the name says something about a secret (a word after its
    telling word: _FILE, _TTL, _HASHERS, _COOKIE...; not SECRET_KEY_BASE, nor :data:`_WHICH_WORDS`: _ADMIN, _PROD)
    and the value does not look random (:func:`_looks_random`), the value is a path, its form is plainly no secret
    (0 or 1, an ARN, a dotted module path), or it is no value by the assignment rule's words (empty, false, none,
    `<password>`, PASSWORD: the name's own word). A reference is a value here:
    `ENV API_TOKEN=$API_TOKEN` writes the build argument into the image. ``value`` None: given later (an ARG
    without a default), judged by name. Returns a list (empty: no secret). Raises nothing."""
    found = content_secrets(value or "")
    if _NPM_AUTH_NAME.fullmatch(name):  # npm's _auth or Yarn's npmAuthIdent from the environment: its value is the login itself
        found += [item for item in content_secrets(f"{name}={value or ''}") if item not in found]
    # a setting inside the value: JAVA_OPTS=-Dx.password=v, a JSON label
    found += [(what or "a password or token assignment", inner) for _, what, inner in text_findings(value or "")
              if (what or "a password or token assignment", inner) not in found and not any(inner in held for _, held in found)]
    if found:
        return found
    if _BUNDLER_HOST_NAME.fullmatch(name) and value and not _not_a_value(value) and (_USER_AND_PASSWORD.fullmatch(value) or _looks_random(value)):
        return [("a gem host's credentials for Bundler (BUNDLE_<HOST>)", value)]
    if not (_SECRET_NAME.search(name) or _NPM_AUTH_NAME.fullmatch(name)) or _about_a_secret(name, value or ""):
        return []
    if value is not None and (_not_a_value(value, references=False) or _names_itself(name, value)):
        return []
    if _about_name(name):  # a name about a secret, and a value that looks like a key by its content
        return [("a random-looking value (a key's form)", value or "")]
    return [("a secret-looking name", value or "")]


def _findings(text: str | bytes, rules: list[Rule] | None = None, quoted_only: bool = False,
              assignments: bool = True, examples: bool = False, decode: bool = True, settings: bool = True) -> list[tuple[str, str, str, int]]:
    named = []
    if assignments and (not isinstance(text, bytes) or _NAME_ANCHORS.search(text)):
        named = [[name, "", value, at] for name, value, at in _assignments(text, quoted_only, examples)]
    if assignments and settings and ("config" in text.lower() if isinstance(text, str) else b"config" in text.lower()):
        for item in _tool_settings(text, rules, quoted_only, examples, decode):
            same = next((held for held in named if held[3] == item[3] or held[2] == item[2]), None)
            if same is None:
                named.append(item)
            elif not same[1]:
                same[1] = item[1]
    data = text if isinstance(text, bytes) else text.encode(errors="replace")
    found = list(named)
    for _, what, value, at in _content_matches(data, rules, decode, examples):
        same = next((item for item in named if value in item[2] or item[2] in value), None)
        if same is not None:  # one value is one finding: the rule names the name's finding
            same[1] = same[1] or what
        elif not any(item[2] == value for item in found):  # nor two rules matching one value (a token in a header)
            found.append(["", what, value, at])
    if ("sed" if isinstance(text, str) else b"sed") in text:
        found = _judged_as_sed_writes_it(text, found, rules, quoted_only, assignments, examples, decode, settings)
    if isinstance(text, str) and "printf" in text and "%s" in text:
        found += [item for item in _printf_findings(text, rules, examples) if not any(held[2] == item[2] for held in found)]
    return [tuple(item) for item in found]


# sed's `s/PATTERN/REPLACEMENT/FLAGS` (any delimiter: `s|a|b|`) in a sed command's arguments: the pattern is what sed
# looks for (redis.conf's commented default: `s/^# requirepass foobared/requirepass V/`), the replacement what it writes
# into the file. The replacement is judged as a text of its own (a value ends at the delimiter); a value read in the
# pattern is a finding only by its form (a token's prefix: still in the command). `\1` and `&` (what the pattern
# matched) are no values.
_SED_WORD = r"(?:'[^'\n]*'|\"(?:\\.|[^\"\\\n])*\"|[^\s'\";&|()<>])+"
_SED_COMMAND = r"(?<![\w.-])sed(?![\w.-])(?:[ \t]+" + _SED_WORD + r")+"
_SED_SUBSTITUTION = (r"(?<=[\s'\"=;{}!/0-9$])s(?P<d>[^\w\s\\'\"])(?P<pattern>(?:\\.|(?!(?P=d))[^\n])*)(?P=d)"
                     r"(?P<replacement>(?:\\.|(?!(?P=d))[^\n])*)(?P=d)")
_SED = {str: (re.compile(_SED_COMMAND), re.compile(_SED_SUBSTITUTION)),
        bytes: (re.compile(_SED_COMMAND.encode()), re.compile(_SED_SUBSTITUTION.encode()))}
_SED_BACK_REFERENCE = re.compile(r"\\[0-9]|(?<!\\)&")


def _judged_as_sed_writes_it(text: str | bytes, found: list[list], rules: list[Rule] | None, quoted_only: bool, assignments: bool,
                             examples: bool, decode: bool, settings: bool) -> list[list]:
    """``found`` (the findings of ``text``) without those read in a sed substitution (see :data:`_SED_SUBSTITUTION`) but
    by a token's form, and with those of each substitution's replacement, where it stands in ``text``."""
    command, substitution = _SED[type(text)]
    expressions = [expression for match in command.finditer(text) for expression in substitution.finditer(text, match.start(), match.end())]
    if not expressions:
        return found
    kept = [item for item in found if not any(expression.start() <= item[3] < expression.end() for expression in expressions)
            or (item[1] and _RULE_OF[item[1]].by_form)]
    for expression in expressions:
        for name, what, value, at in _findings(expression.group("replacement"), rules, quoted_only, assignments, examples, decode, settings):
            if not _SED_BACK_REFERENCE.search(value) and not any(held[2] == value for held in kept):
                kept.append([name, what, value, expression.start("replacement") + at])
    return kept


# `printf FORMAT ARGUMENT...` writes its arguments into the format (`printf 'machine %s login %s password %s\n' host me P
# > ~/.netrc`, `printf 'password: %s\n' P > app.yml`): the text it writes is judged as written, each value found where
# the argument stands in the command. Only `%s` (and `%b`) is filled; a command with another conversion is left alone.
_PRINTF = re.compile(r"printf(?<![\w.-]printf)[ \t]+(?:\"(?P<double>[^\"\n]*)\"|'(?P<single>[^'\n]*)')"
                     r"(?P<arguments>(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s'\";&|<>()]+))*)")
_PRINTF_ARGUMENT = re.compile(r"\"([^\"\n]*)\"|'([^'\n]*)'|([^\s'\";&|<>()]+)")


def _printf_findings(text: str, rules: list[Rule] | None, examples: bool) -> list[list]:
    found = []
    for match in _PRINTF.finditer(text):
        form = match.group("double") if match.group("double") is not None else match.group("single")
        if re.search(r"%(?![sb%])", form):
            continue
        arguments = [next(item for item in argument.groups() if item is not None) for argument in _PRINTF_ARGUMENT.finditer(match.group("arguments"))]
        pieces = re.split(r"%[sb]", form.replace("%%", "\0"))
        if len(arguments) < len(pieces) - 1:
            continue
        written = "".join(piece + (arguments[index] if index < len(pieces) - 1 else "") for index, piece in enumerate(pieces)).replace("\0", "%")
        for name, what, value, _ in _findings(written.replace("\\n", "\n"), rules, examples=examples, settings=False):
            at = text.find(value, match.start("arguments"), match.end())
            if at >= 0 and any(value in argument for argument in arguments):
                found.append([name, what, value, at])
    return found


def text_findings(text: str | bytes) -> list[tuple[str, str, str]]:
    """(name or "", what or "", value) for each secret in a text a person or a build wrote (a command
    line, a label, a value): each literal given to a telling name (the assignment rule above) and each
    content rule's match (:data:`CONTENT_RULES`). One value is one finding: a content rule matching the
    value a name was given fills that finding's ``what``; "" means the assignment rule alone found it.
    Returns a list. Raises nothing."""
    return [(name, what, value) for name, what, value, _ in _findings(text)]


_FORM_RULES = [rule for rule in CONTENT_RULES if rule.by_form]
_RULE_OF = {what: rule for rule in CONTENT_RULES for what in (rule.what, rule.what + ENCODED)}
# Configuration files a distribution ships with documented example values (OpenSSL's sample CA
# `secret = pass:insta`): judged by token forms only, so every Debian image is not "leaking" them.
_EXAMPLE_CONFIGS = {"/etc/ssl/openssl.cnf", "/usr/lib/ssl/openssl.cnf", "/etc/pki/tls/openssl.cnf"}


def file_findings(path: str, data: bytes) -> list[tuple[str, str, str]]:
    """:func:`text_findings` of a file's bytes, without what a person did not write as a secret: in a
    program (a NUL byte in the first 8 KiB: help text such as `--password PASSWORD`) and in a
    distribution's sample config only the ``by_form`` rules count (no base64 decoded in a program); a
    commented-out line (`#`, `;`, `//` in code or before a space) or XML comment is skipped for the others; in source code (by suffix or #! line)
    only quoted values are literals; :data:`EXAMPLE_WORDS` (`password: test`) are not values here.
    Returns a list of (name or "", what or "", value). Raises nothing."""
    if path in _EXAMPLE_CONFIGS or b"\0" in data[:8192]:
        return [(name, what, value) for name, what, value, _ in _findings(data, _FORM_RULES, assignments=False, decode=False)]
    kept, code = [], _is_code(path, data)
    for name, what, value, at in _findings(data, quoted_only=code, examples=True):
        if not (what and _RULE_OF[what].by_form):  # a token's form counts even in a comment
            line = data[data.rfind(b"\n", 0, at) + 1: at].lstrip()
            # `//` starts a comment in code, or before a space; .npmrc's `//registry.example/:_authToken=` is a setting
            if line.startswith((b"#", b";")) or (line.startswith(b"//") and (code or line[2:3] in (b" ", b"\t"))):
                continue
            if data.rfind(b"<!--", 0, at) > data.rfind(b"-->", 0, at):  # inside an XML/HTML comment (Maven's sample <server>)
                continue
        kept.append((name, what, value))
    if path.rpartition("/")[2] in (".pgpass", "pgpass"):  # PostgreSQL's password file: each line's last field
        kept += [("", _PGPASS_WHAT, match.group("secret").decode(errors="replace")) for match in _PGPASS_LINE.finditer(data)
                 if not _not_a_value(match.group("secret").decode(errors="replace"))]
    return kept


SECRET_FILE_NAMES = {
    ".env": "an environment file (often holds passwords and API tokens)",
    "id_rsa": "an SSH private key",
    "id_ecdsa": "an SSH private key",
    "id_ed25519": "an SSH private key",
    "id_dsa": "an SSH private key",
    ".netrc": "login credentials for hosts",
    ".pypirc": "package index credentials",
    ".npmrc": "npm registry credentials",
    ".git-credentials": "git credentials",
    ".pgpass": "PostgreSQL passwords (host:port:database:user:password lines)",
}
# Content is searched in files up to this size outside the package manager's own trees.
_SEARCHED_BYTES = 256 * 1024
_PACKAGE_TREES = ("/usr/share/", "/usr/lib/", "/usr/include/", "/var/lib/dpkg/", "/usr/local/lib/python", "/usr/local/go/",
                  "/usr/local/include/", "/etc/ssl/certs/")


def examine_file(path: str, size: int, read: Callable[[], bytes]) -> list[tuple[str, str]] | None:
    """(what, masked evidence) for one file of a layer (the hook :func:`dockerlab.layerfs.layer_files`
    calls): by its name (:data:`SECRET_FILE_NAMES`, ~/.aws/credentials), and by its content
    (:func:`file_findings`) when it is at most 256 KiB and outside the package manager's trees. None when
    nothing was found. Raises what ``read`` raises."""
    name = path.rpartition("/")[2]
    found = []
    if name in SECRET_FILE_NAMES or (name == "credentials" and "/.aws/" in path):
        found.append((SECRET_FILE_NAMES.get(name, "AWS credentials"), "file name"))
    if size <= _SEARCHED_BYTES and not path.startswith(_PACKAGE_TREES):
        data = read()
        for _, what, value in file_findings(path, data):
            found.append(Found(what or "a password or token assignment", mask(value.strip()), value.strip()))
        for what, value in _credential_file_lines(path, data):
            found.append(Found(what, mask(value), value))
    return found or None


# Files whose own format holds passwords, one per line (comments `#`): the value each line gives, by the file's name. The
# packages that install them ship them with comments only (strongswan's /etc/ipsec.secrets, ppp's chap-secrets), so only
# a line someone wrote is a finding.
_CREDENTIAL_LINES = {
    # strongSwan/libreswan ipsec.secrets(5): `[ids] : PSK "secret"` (also EAP, XAUTH, and a private key's passphrase); the
    # secret in double or single quotes, or unquoted as hex (0x...) or base64 (0s...), as strongSwan's man page gives them
    "ipsec.secrets": ("an IPsec pre-shared key or password (ipsec.secrets)",
                      re.compile(rb"^[^#\n]*:[ \t]*(?:PSK|EAP|XAUTH|NTLM|P12|RSA[ \t]+\S+|ECDSA[ \t]+\S+)[ \t]+"
                                 rb"(?:\"(?P<secret>[^\"\n]+)\"|'(?P<single>[^'\n]+)'|(?P<key>0[xX][0-9a-fA-F]+|0s[A-Za-z0-9+/]+=*)(?![^\s#]))",
                                 re.M)),
    # pppd(8): chap-secrets and pap-secrets lines `client server secret [addresses]`
    "chap-secrets": ("a PPP password (chap-secrets)", re.compile(rb"^[ \t]*(?!#)\S+[ \t]+\S+[ \t]+\"?(?P<secret>[^\s\"#]+)\"?", re.M)),
    "pap-secrets": ("a PPP password (pap-secrets)", re.compile(rb"^[ \t]*(?!#)\S+[ \t]+\S+[ \t]+\"?(?P<secret>[^\s\"#*-][^\s\"#]*)\"?", re.M)),
    # PgBouncer's auth_file: `"user" "password"` (a SCRAM or md5 hash there is not reported: `$` reads as a reference)
    "userlist.txt": ("PgBouncer user passwords (auth_file)", re.compile(rb"^[ \t]*\"[^\"\n]+\"[ \t]+\"(?P<secret>[^\"\n]+)\"", re.M)),
    # wpa_supplicant.conf(5): `psk="passphrase"` (quoted: a passphrase; 64 hex digits unquoted: the derived key)
    "wpa_supplicant.conf": ("a Wi-Fi passphrase or key (wpa_supplicant.conf)",
                            re.compile(rb"^[ \t]*(?:psk|password)=(?:\"(?P<secret>[^\"\n]+)\"|(?P<key>[0-9a-fA-F]{64})\b)", re.M)),
}
# Ansible's vault password files (ansible-vault --vault-password-file): the whole first line is the password
_VAULT_PASSWORD_FILES = (".vault_pass", ".vault_pass.txt", "vault_pass.txt", ".vault_password", ".vault-password", "vault_password")


def _credential_file_lines(path: str, data: bytes) -> list[tuple[str, str]]:
    """(what, value) for each password a credential file's own format gives (:data:`_CREDENTIAL_LINES`, by its name;
    pgbouncer's userlist.txt only under a folder naming pgbouncer), and an Ansible vault password file's first line."""
    name = path.rpartition("/")[2]
    if name in _VAULT_PASSWORD_FILES:
        first = data.split(b"\n", 1)[0].strip().decode(errors="replace")
        script = first.startswith("#!")  # an executable vault password file is a script Ansible runs: its output is the password
        return [("an Ansible vault password", first)] if first and not script and not _not_a_value(first) else []
    rule = _CREDENTIAL_LINES.get(name)
    if rule is None or (name == "userlist.txt" and "pgbouncer" not in path.lower()):
        return []
    what, pattern = rule
    found = []
    for match in pattern.finditer(data):
        groups = match.groupdict()
        value = (groups.get("secret") or groups.get("single") or groups.get("key") or b"").decode(errors="replace")
        if value and not _not_a_value(value) and not (name.endswith("-secrets") and value.startswith("@")):  # pppd: @FILE reads it
            found.append((what, value))
    return found


class Found(tuple):
    """One finding of :func:`examine_file`: the pair (what, masked evidence), with the raw ``value`` kept beside it (not
    in the pair) so a table can mask that value wherever else it shows it (the command that wrote the file)."""

    value: str

    def __new__(cls, what: str, evidence: str, value: str = "") -> Found:  # noqa: D102 - the pair, and the value beside it
        found = super().__new__(cls, (what, evidence))
        found.value = value
        return found


def mask(value: str) -> str:
    """``value`` as a table shows it: its length and, from 12 characters on, at most its first quarter (never more
    than 4 characters): `hunter2hunter2` -> `hun…(14 characters)`, `postgres` -> `…(8 characters)` (the first letters
    and the length of a short value tell too much of it: `po…(8 characters)`). Returns a str. Raises nothing."""
    shown = value[: min(4, len(value) // 4)] if len(value) >= _SHOWN_FROM else ""
    return f"{shown}…({len(value)} character{'s' if len(value) != 1 else ''})"


# A value shorter than this shows none of its characters, its length only (`root` -> `…(4 characters)`, not `r…`): at
# least 9 characters stay hidden when 3 show.
_SHOWN_FROM = 12
# Shorter values are masked where a rule found them only, not wherever the same letters appear (`pw`).
_MASKED_ANYWHERE = 3
# Elsewhere (a value found in another text, or again in this one), a value is masked where it stands as a whole
# argument or value: a shell word, a `=`/`:`/`,` value, the user or password of a URL, a quoted text, glued to a
# one-letter option (`mysqladmin -uroot -pMy-hunter22`, `-proot`); never as a part of a path or of a longer word
# (`postgres` in /var/lib/postgresql, `redis` in redis-server and /etc/redis/redis.conf, `app` in /app).
_WHOLE_BEFORE = r"(?:(?<![^\s'\"=:,;&|()`<>])|(?<=://)|(?<=(?<![\w-])-[A-Za-z]))"
_WHOLE_AFTER = r"(?![^\s'\",;&|()`<>:@])"
# A value of 6 characters or more with a digit or a sign in it (not a word: `hunter22`, `Pg-hunter22`) is masked inside
# longer text too (`echo xPg-hunter22x`, `/srv/hunter2x`): such letters are the secret wherever they stand, where a word
# (`postgres`, `redis`) is also a part of paths and programs' names.
_MASKED_INSIDE_WORDS = 6
_A_WORD = re.compile(r"[A-Za-z]+(?:[-_.][A-Za-z]+)*")
# A word of 12 letters or more (a passphrase: `correcthorsebattery`) is no part of a path or a program's name either:
# masked inside longer text too (`sed -i 's/PLACEHOLDER/correcthorsebattery/'`, where `/` is no boundary)
_LONG_WORD = 12


def masked_text(text: str, known: set[str] | frozenset[str] = frozenset()) -> str:
    """``text`` (a command, a path) with every secret value in it masked (:func:`mask`): each value the
    rules find in it (:func:`text_findings`) where they find it, and each of those and the ``known``
    values (found elsewhere: the image config, the history) of 3 characters or more at every other occurrence
    where it stands as a whole argument or value (a word, a `=` or `:` value, a URL's user or password, glued to a
    one-letter option: `-pVALUE`), not as a part of a path or a longer word (`postgres` in /var/lib/postgresql); one of
    6 characters or more that is not a word (a digit or a sign in it: `hunter22`), or of 12 or more, also inside longer text.
    Returns a str. Raises nothing."""
    found = _findings(text)
    spans = sorted(((at, at + len(value)) for _, _, value, at in found if value and text[at: at + len(value)] == value), reverse=True)
    before = len(text) + 1
    for start, end in spans:  # the rules' own finds, from the end so the positions hold
        if end <= before:  # one span inside another is masked with it
            text = text[:start] + mask(text[start:end]) + text[end:]
            before = start
    values = set(known) | {value for _, _, value, _ in found}
    for value in sorted((value for value in values if len(value) >= _MASKED_ANYWHERE), key=len, reverse=True):
        if value in text:
            shown = mask(value)
            if len(value) >= _LONG_WORD or (len(value) >= _MASKED_INSIDE_WORDS and not _A_WORD.fullmatch(value)):
                text = text.replace(value, shown)
            else:
                text = re.sub(_WHOLE_BEFORE + re.escape(value) + _WHOLE_AFTER, lambda _, shown=shown: shown, text)
    return text


check_public(globals(), "secret_rules")  # the one argument check, for every public function here
