"""What an engine, CLI, registry or Compose message means, and the learner's next step: one table.

Every place that turns a message from outside the course into an error asks :func:`diagnose` with the
message and where it came from (``build``, ``run``, ``pull``, ``push``, ``compose``, ``connect``). Every rule is
tested against real messages captured on this machine (tests/fixtures/engine_messages.json, made by
tests/fixtures/record_engine_messages.py); the few this machine cannot provoke (Docker Hub's rate limit) are
quoted there from public bug reports, each with its address.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import DockerlabError

__all__ = ["Rule", "Diagnosis", "RULES", "diagnose", "CONTEXTS"]

CONTEXTS = ("build", "run", "pull", "push", "compose", "connect")


@dataclass(frozen=True)
class Rule:
    """One kind of message. ``when``: alternatives, each a tuple of lowercase fragments that must all
    occur; ``contexts``: where the rule applies; ``meaning`` and ``fix`` may name ``{address}``, the
    first ip:port in the message."""

    name: str
    contexts: tuple[str, ...]
    when: tuple[tuple[str, ...], ...]
    meaning: str
    fix: str

    def matches(self, text: str) -> bool:
        """Whether one of the rule's alternatives has all its fragments in ``text`` (lowercase already). Returns a
        bool. Raises nothing."""
        return any(all(fragment in text for fragment in alternative) for alternative in self.when)


@dataclass(frozen=True)
class Diagnosis:
    """The rule that matched (``rule``: its name, or ``unknown``), what it means and the fix."""

    rule: str
    meaning: str
    fix: str


def _any(*fragments: str) -> tuple[tuple[str, ...], ...]:
    return tuple((fragment,) for fragment in fragments)


RULES: tuple[Rule, ...] = (
    # --- reaching the engine ------------------------------------------------------------------
    Rule("socket-missing", ("connect",), _any("no such file or directory", "filenotfounderror"),
         "the socket does not exist (no engine is running there)",
         "Start the engine (Linux: `sudo bash scripts/ensure-docker-engine`; Docker Desktop: open it)."),
    Rule("permission-denied", ("connect",), _any("permission denied", "permissionerror"),
         "Permission denied on the socket", "Add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again), or use Docker Desktop."),
    Rule("connection-refused", ("connect",), _any("connection refused", "connectionrefusederror"),
         "connection refused (nothing listens there)", "Start the engine, or check DOCKER_HOST."),
    Rule("connect-timeout", ("connect",), _any("timed out", "timeout"),
         "no answer in time", "Check that the engine is running and that DOCKER_HOST names it."),
    # --- registries -----------------------------------------------------------------------------
    # `# syntax=IMAGE` asks BuildKit to pull that frontend image before it reads the Dockerfile: not a base image
    Rule("syntax-frontend", ("build",), (("failed to solve with frontend gateway",), ("resolve image config for", "docker/dockerfile")),
         "the Dockerfile's first line `# syntax=...` names a Dockerfile frontend image, and it "
         "could not be pulled (it is not a base image: `dockerlab prepare` does not provide it)",
         "Delete the `# syntax=` line: the builder's built-in Dockerfile frontend then reads the file. Or load that frontend image here (`docker load`) from a "
         "machine that reaches its registry."),
    Rule("rate-limit", ("pull", "build", "compose"), _any("toomanyrequests", "rate limit"),
         "Docker Hub's pull rate limit was reached",
         "Wait an hour, `docker login` (authenticated pulls have a higher limit), or load a room bundle: dockerlab prepare --load FILE."),
    Rule("registry-offline", ("pull", "build", "run", "compose"),
         _any("no such host", "server misbehaving", "temporary failure in name resolution"),
         "the registry's name does not resolve (no DNS, offline, or firewalled)",
         "Run `dockerlab prepare` (it builds stand-ins when Docker Hub is unreachable); for official images, connect to a network that reaches Docker Hub."),
    Rule("build-registry-unreachable", ("build",), _any("dial tcp", "i/o timeout"),
         "a base image is missing and no registry answers",
         "Run `dockerlab prepare` (it builds stand-ins when Docker Hub is unreachable), then build again."),
    Rule("tls-intercepted", ("pull", "build", "compose"), _any("x509", "certificate verify failed", "certificate signed by unknown authority"),
         "TLS to the registry or the internet failed (a proxy that intercepts TLS?)",
         "Give the engine your proxy's CA (/etc/docker/certs.d/ or the system store, then restart "
         "it); in builds, start FROM an image that trusts it: dl.bases.with_host_ca(image)."),
    Rule("registry-timeout", ("pull",), _any("i/o timeout", "timed out", "deadline exceeded", "timeout"),
         "the registry did not answer in time", "Check the network or proxy; stand-ins are built meanwhile."),
    Rule("registry-unreachable", ("pull",), _any("connection refused", "network is unreachable", "dial tcp"),
         "the registry cannot be reached", "Check the network or proxy; stand-ins are built meanwhile."),
    # A push goes to the course's own registry on 127.0.0.1 (dl.registry.local_registry): not Docker Hub.
    Rule("push-registry-unreachable", ("push",), _any("connection refused", "dial tcp", "no such host", "i/o timeout", "timed out", "eof"),
         "the registry did not answer the push (it was stopped, or nothing listens on its address)",
         "Check that the registry still runs (registry.repositories()) and read its log (registry.container.logs()); "
         "dl.registry.local_registry() starts a new one."),
    # BuildKit (20.10) names a FROM tag the registry does not have in its own words: "failed to create LLB
    # definition: 127.0.0.1:PORT/nosuch:1: not found" (captured here).
    Rule("no-such-remote-image", ("pull", "build", "run", "compose"),
         (("pull access denied",), ("manifest unknown",), ("not found: manifest",), ("manifest for", "not found"), ("repository does not exist",),
          ("failed to create llb definition", ": not found")),
         "the image or tag does not exist locally or in the registry", "Check the image name and tag (`docker images` lists what is here)."),
    # Not logged in at all, the engine says only "no basic auth credentials" (captured here); a wrong login, "unauthorized: ...".
    Rule("unauthorized", ("pull", "push", "build", "compose"), _any("unauthorized", "authentication required", "no basic auth credentials"),
         "the registry asks for credentials", "Run `docker login` for that registry."),
    # --- builds ---------------------------------------------------------------------------------
    Rule("buildkit-only", ("build",), (("requires buildkit",), ("buildkit", "enable"), ("the --mount option requires buildkit",)),
         "the Dockerfile uses a BuildKit feature (RUN --mount, secrets) and the classic builder cannot build it",
         "Build with BuildKit: leave builder= out, or builder='buildkit'."),
    Rule("missing-build-source", ("build",),
         (("copy failed",), ("add failed",), ("no such file or directory", "stat"), ("failed to compute cache key", "not found")),
         "a COPY/ADD source is not in the build context (or .dockerignore excludes it)",
         "Check the path relative to the context folder, and .dockerignore."),
    Rule("dockerfile-syntax", ("build",), _any("dockerfile parse error", "unknown instruction", "failed to parse dockerfile"),
         "the Dockerfile has a syntax error at the line named above",
         "Each line starts with an instruction such as FROM, RUN, COPY; a long command continues with a trailing backslash."),
    Rule("run-step-failed", ("build",), _any("returned a non-zero code", "did not complete successfully", "executor failed running"),
         "a RUN command failed inside the build", "Its output is in the log tail above: fix the command, then build again."),
    Rule("invalid-reference", ("build", "run", "pull", "push"), _any("invalid tag", "invalid reference format", "repository name must be lowercase"),
         "an image name is not valid", "An image name is lowercase letters, digits and the separators . _ - / (for example myapp:1.0)."),
    # --- containers -----------------------------------------------------------------------------
    Rule("port-in-use", ("run", "compose"), _any("port is already allocated", "address already in use"),
         "a port it publishes is already in use ({address})",
         "Something else already listens on {address}: stop it (`docker ps` shows containers publishing it) or publish another port."),
    Rule("name-in-use", ("run", "compose"), (("conflict", "is already in use by container"),),
         "a container of that name already exists", "Pick another name, or remove that container if it is yours (`docker rm NAME`)."),
    Rule("invalid-port", ("run",), _any("invalid port specification", "invalid hostport", "invalid containerport", "invalid proto"),
         "a port is not valid", "A port is a whole number from 1 to 65535, with /tcp or /udp after the container's (for example ports={{'80/tcp': 8080}})."),
    # The same refusals of a compose file's `ports:` (from `compose config`, or the engine at `up`), in its own words.
    Rule("compose-invalid-port", ("compose",),
         _any("invalid port specification", "invalid hostport", "invalid containerport", "invalid proto", "invalid ranges specified"),
         "a `ports:` entry of the compose file is not valid",
         'Write each `ports:` entry as "HOST:CONTAINER", two whole numbers from 1 to 65535, for example "8080:80" (add /udp after the '
         'container port for UDP: "8080:80/udp"); a range maps to a range of the same length ("8080-8081:80-81").'),
    Rule("invalid-container-name", ("run", "compose"), _any("invalid container name"),
         "the container name is not valid",
         "A container name starts with a letter or digit, then letters, digits and _ . - only (for example name='web-1')."),
    Rule("no-such-network", ("run",), (("network", "not found"),),
         "the network does not exist",
         "Create it first (`docker network create NAME`), or leave network= out for the default one; `docker network ls` lists them."),
    Rule("no-such-user", ("run",), _any("unable to find user", "no matching entries in passwd file"),
         "the user does not exist in the image",
         "Create the user in the Dockerfile (RUN adduser -D NAME), or pass a numeric id (user='1000')."),
    Rule("image-in-use", ("run",), (("container", "is using its referenced image"), ("image is being used by",)),
         "a container uses the image (one started by hand: the course leaves it alone)",
         "Remove that container first (`docker rm -f CONTAINER`) if you no longer need it, then clean up again."),
    Rule("image-has-children", ("run",), _any("has dependent child images"),
         "the image is a layer of another image that stays (a kept base, or an image built on it)",
         "Nothing to do: it goes when the images built on it go."),
    Rule("no-such-container", ("run",), _any("no such container"),
         "the container no longer exists (it was removed: by a `with` block, dl.cleanup() or `docker rm`)",
         "Start a new one (dl.start(...)) and use it inside its `with` block; a removed container's logs and files are gone."),
    Rule("bind-mount-source", ("run", "compose"), _any("error while creating mount source path", "bind source path does not exist"),
         "a bind mount's folder on the host does not exist, or the engine cannot make it there",
         "Create the folder first (`mkdir -p PATH` on the machine the engine runs on: the source of a bind mount is a path there, "
         "not in the image), check its spelling, or use a named volume instead."),
    # The OCI runtime's exec failure only (`exec: "CMD": ... no such file or directory`, or not in $PATH):
    # a bare "no such file or directory" is said of mounts and files too.
    Rule("no-such-command", ("run",), (("executable file not found",), ('exec: "', "no such file or directory")),
         "the command does not exist in the image", "Check the command, or the image's CMD/ENTRYPOINT."),
    Rule("container-not-running", ("run",), (("is not running",), ("container", "is restarting")),
         "the container is not running", "Start it first (`docker start NAME`), or run a new one."),
    Rule("exec-format", ("run", "compose"), _any("exec format error"),
         "the image is built for another CPU architecture than this machine's, and no emulator for it is registered on the engine's host",
         "Build for this machine's platform (`docker build --platform linux/amd64`), or enable emulation (binfmt/qemu)."),
    # --- compose --------------------------------------------------------------------------------
    # A Compose older than `config --no-env-resolution` refuses the flag (dl.compose then renders without it).
    Rule("no-env-resolution-unknown", ("compose",), (("no-env-resolution",),),
         "this Compose is older than the `--no-env-resolution` flag", "Nothing to do: the course renders the file without it."),
    # `compose exec` of a service with no running container: 'service "web" is not running' (Compose 2, seen here)
    Rule("service-not-running", ("compose",), (("service", "is not running"),),
         "the service is not running (the stack is not up, or the service exited)",
         "Start the stack first (.up(), or `docker compose up -d`); if the service exited, .logs(SERVICE) says why."),
    # "dependency failed to start: container X exited (1)": the service another waits for exited; only
    # "... is unhealthy" is a healthcheck that never passed. So this rule comes before `unhealthy`.
    Rule("dependency-exited", ("compose",), (("dependency failed to start", "exited"),),
         "a service another one depends on exited instead of starting: it stopped, it was not left running unhealthy",
         "Read that service's logs above: why did it exit (a wrong command, a crash, a missing setting)?"),
    Rule("unhealthy", ("compose",), _any("is unhealthy"),
         "a service's healthcheck never passed", "Read its logs above: why does its healthcheck fail?"),
    # `depends_on: {X: {condition: service_completed_successfully}}` and X exits non-zero: 'service "X" didn't
    # complete successfully: exit 1' (Compose's words, captured here).
    Rule("dependency-failed", ("compose",), _any("dependency failed to start", "didn't complete successfully"),
         "a service another one depends on did not start, or did not finish with exit code 0 (depends_on: condition: service_completed_successfully)",
         "Read that service's logs above: why did it not start, or why did it exit with that code?"),
    Rule("service-exited", ("compose",), _any("exited with code", "exited ("),
         "a service exited", "Its logs above say why (a wrong command, a crash, a missing setting)."),
    # dl.compose's own words when a command gave no answer in time (`(no answer within 480 s)`), and Compose's:
    # `up --wait --wait-timeout 2` says "application not healthy after 2s" (captured here).
    Rule("compose-timeout", ("compose",), _any("no answer within", "timed out", "timeout waiting", "not healthy after"),
         "a service did not become ready in time", "Read its logs above: what is it waiting for, or why does it not become healthy?"),
    Rule("missing-variable", ("compose",), _any("required variable", "set it in .env"),
         "a variable the file needs is not set", "Put it in the project's .env file."),
    Rule("invalid-compose-file", ("compose",), _any("yaml", "validating", "additional property", "additional properties"),
         "the compose file is not valid", "Check the indentation and key names against the error above."),
)

_FALLBACK = {
    "build": ("the build failed", "Read the log tail above; fix the Dockerfile or the context and build again."),
    "run": ("the engine refused", "Read the message above; `dockerlab doctor` checks the engine."),
    "pull": ("the pull failed", "Read the detail above."),
    "push": ("the push failed", "Read the detail above; registry.container.logs() shows what the registry said."),
    "compose": ("a Compose command failed", "Read the output above; `dockerlab doctor` checks the engine and Compose."),
    "connect": ("no answer", "Check that the engine runs; `dockerlab doctor` says how to start one."),
}
_ADDRESS = re.compile(r"(\d+\.\d+\.\d+\.\d+:\d+)")


def diagnose(message: str, context: str) -> Diagnosis:
    """The first rule of ``context`` whose fragments occur in ``message`` (case-insensitive), with
    ``{address}`` filled in; a fallback that says to read the message when none does. Returns a
    Diagnosis (rule name, meaning, fix; rule "unknown" for the fallback). Raises DockerlabError for a
    ``context`` that is not one of CONTEXTS."""
    if context not in CONTEXTS:
        raise DockerlabError(f"diagnose(..., {context!r}): no such context.", fix=f"Use one of {CONTEXTS}.")
    text = message.lower()
    for rule in RULES:
        if context in rule.contexts and rule.matches(text):
            found = _ADDRESS.search(message)
            address = found.group(1) if found else "that port"
            return Diagnosis(rule.name, rule.meaning.format(address=address), rule.fix.format(address=address))
    meaning, fix = _FALLBACK[context]
    return Diagnosis("unknown", meaning, fix)
