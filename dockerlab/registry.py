"""A registry of your own on 127.0.0.1: push, pull by digest, and read the manifest a pull follows."""
from __future__ import annotations

from typing import TYPE_CHECKING

import json
import re
import time
import urllib.error
import urllib.request

import docker.errors

from .columns import MANIFEST_LAYERS, declares
from . import engine, tagbook
from .containers import Container, start
from .diagnose import diagnose
from .errors import DockerlabError, ImageNotFound
from .interrupts import held
from .recording import checked, recordable
from .tables import Answer

if TYPE_CHECKING:  # the return annotations name it; pandas itself is imported where a table is made
    import pandas as pd

__all__ = ["LocalRegistry", "local_registry"]

REPOSITORY = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*")  # the distribution spec's rule
TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
    ]
)


def _push_failed(what: str, said: str) -> DockerlabError:
    """A push the engine or the registry refused (``said``: their words), with its meaning and fix from the
    one table of messages (dockerlab.diagnose, context ``push``)."""
    found = diagnose(said, "push")
    return DockerlabError(f"{what}: {said}" if found.rule == "unknown" else f"{what}: {found.meaning} ({said})", fix=found.fix)


class LocalRegistry:
    """``registry:2`` published on 127.0.0.1:``port``; remove it with ``stop()`` or a ``with`` block."""

    def __init__(self, container: Container, port: int) -> None:
        self.container = container
        self.port = port
        self.host = f"127.0.0.1:{port}"

    def _fetch(self, path: str, accept: str | None = None) -> bytes:
        request = urllib.request.Request(f"http://{self.host}{path}", headers={"Accept": accept} if accept else {})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read()

    def _check_names(self, repository: str, reference: str | None = None) -> None:
        """A repository (and tag or digest) name the registry can be asked about; DockerlabError otherwise."""
        if not REPOSITORY.fullmatch(repository):
            raise DockerlabError(f"{repository!r} is not a valid repository name.",
                                 fix="Use lowercase letters, digits and . _ - separators, parts joined by /, e.g. 'course/hello'.")
        if reference is not None and not (TAG.fullmatch(reference) or DIGEST.fullmatch(reference)):
            raise DockerlabError(f"{reference!r} is neither a tag nor a digest.", fix="A tag like 'latest' or '1.0', or a digest sha256:<64 hex digits>.")

    def _get(self, path: str, accept: str | None = None) -> bytes:
        """The registry's answer to GET ``path``. Raises urllib's HTTPError for an HTTP error status
        (the caller says what it means), and DockerlabError when the registry does not answer at all."""
        try:
            return self._fetch(path, accept)
        except urllib.error.HTTPError:
            raise
        except (urllib.error.URLError, OSError) as error:  # ConnectionError and timeouts are OSErrors
            reason = getattr(error, "reason", error)
            raise DockerlabError(
                f"The registry on {self.host} does not answer ({reason}): it was stopped, or its container is gone.",
                fix=f"Start one again: registry = dl.registry.local_registry(port={self.port}), then push the image again (a new registry is empty).",
            ) from None

    def wait_until_ready(self, timeout: float = 30) -> None:
        """Wait until the registry answers. Returns None. Raises DockerlabError (with its log) when it
        does not answer within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._fetch("/v2/")
                return
            except (urllib.error.URLError, OSError) as error:
                if time.monotonic() > deadline:
                    raise DockerlabError(
                        f"The registry on {self.host} did not answer within {timeout:.0f} s ({error}).",
                        fix=f"Its log: {self.container.logs()[-500:]}",
                    ) from None
                time.sleep(0.2)

    @checked("LocalRegistry.push")
    def push(self, image: str, repository: str, tag: str = "latest") -> str:
        """Tag ``image`` as HOST/repository:tag, push it, and return the manifest digest.

        Returns the digest (sha256:...), a str shown in a notebook below the commands that do the same
        (`docker tag`, `docker push`). Raises ImageNotFound when there is no ``image``, and
        DockerlabError for a name that is not valid or a push that fails; the HOST/repository:tag
        tag is then taken off again (also on Ctrl-C), so no tag names what the registry does not hold,
        or, when it named another image before the push, it names that image again.
        """
        self._check_names(repository, tag)
        client = engine.client()
        target = f"{self.host}/{repository}"
        try:
            earlier = client.api.inspect_image(f"{target}:{tag}")["Id"]  # a tag the learner made before: put back on failure
        except docker.errors.APIError:
            earlier = None
        try:
            client.api.tag(image, target, tag)
        except docker.errors.ImageNotFound:
            raise ImageNotFound(image) from None
        except docker.errors.APIError as error:
            raise _push_failed(f"Cannot push {image!r}", str(error.explanation or error)) from None
        try:
            digest = Answer(self._push(client, target, tag), f"docker tag {image} {target}:{tag} && docker push {target}:{tag}")
            try:
                tagbook.book(f"{target}:{tag}", client.api.inspect_image(f"{target}:{tag}"))  # so `dockerlab clean` takes the tag off
            except docker.errors.APIError:
                pass  # removed meanwhile: nothing to book
            return digest
        except BaseException:
            try:
                with held():
                    if earlier:
                        client.api.tag(earlier, target, tag)  # the tag names what it named before the push
                    else:
                        client.api.remove_image(f"{target}:{tag}")  # the tag only: the image keeps its other names
            except docker.errors.APIError:
                pass  # already gone
            raise

    def _push(self, client, target: str, tag: str) -> str:
        digest = None
        try:
            for event in client.api.push(target, tag=tag, stream=True, decode=True):
                if "error" in event:
                    raise _push_failed(f"Pushing {target}:{tag} failed", str(event["error"]))
                digest = (event.get("aux") or {}).get("Digest", digest)
        except docker.errors.APIError as error:
            raise _push_failed(f"Pushing {target}:{tag} failed", str(error.explanation or error)) from None
        if digest is None:
            raise DockerlabError(f"The push of {target}:{tag} reported no digest.", fix="Push again; check the registry's log.")
        return digest

    @checked("LocalRegistry.pull")
    def pull(self, repository: str, digest: str) -> str:
        """Pull HOST/repository@digest and return the image id (a str shown in a notebook below the
        `docker pull` that does the same). Raises DockerlabError when the registry does not answer (it
        was stopped) or does not hold that image, for a repository that is not a valid name, and for a ``digest``
        that is not sha256: and 64 hex digits (a tag is refused too: it is not what a pull by digest pins)."""
        self._check_names(repository, digest)
        if not DIGEST.fullmatch(digest):  # a tag would be pulled as it is now, not the image the digest pins
            raise DockerlabError(f"LocalRegistry.pull(): digest={digest!r} is not a digest (sha256: and 64 hex digits).",
                                 fix="Pass the digest registry.push() returned (a pull by digest gets exactly that image); to see a tag's, "
                                     "registry.manifest(repository, tag).")
        try:
            return Answer(engine.client().images.pull(f"{self.host}/{repository}@{digest}").id, f"docker pull {self.host}/{repository}@{digest}")
        except docker.errors.APIError as error:
            self._get("/v2/")  # raises "does not answer" (start it again) when that is why
            raise DockerlabError(f"Pulling {repository}@{digest} failed: {error.explanation}", fix="Check that it was pushed to this registry.") from None

    @declares(MANIFEST_LAYERS)
    @checked("LocalRegistry.manifest")
    def manifest(self, repository: str, reference: str) -> pd.DataFrame:
        """The manifest's layers: digest and compressed size (the bytes a pull downloads).

        Returns a DataFrame (``attrs["config"]``: the config's digest). {columns} Raises DockerlabError when the registry has no such manifest
        or does not answer, or the names are not valid ones."""
        self._check_names(repository, reference)

        try:
            document = json.loads(self._get(f"/v2/{repository}/manifests/{reference}", accept=MANIFEST_TYPES))
        except urllib.error.HTTPError as error:
            if error.code == 404:
                raise DockerlabError(f"The registry on {self.host} has no manifest {repository}:{reference}.",
                                     fix=f"Push it first (registry.push(image, {repository!r})); registry.repositories() lists what it holds.") from None
            raise DockerlabError(f"The registry on {self.host} answered HTTP {error.code} for {repository}:{reference}.",
                                 fix="Check the registry container's log.") from None
        table = MANIFEST_LAYERS.frame((layer["digest"], layer["size"], layer["mediaType"]) for layer in document["layers"])
        table.attrs["config"] = document["config"]["digest"]
        return table

    def repositories(self) -> list[str]:
        """The repositories the registry holds. Returns their names. Raises DockerlabError when the
        registry does not answer (e.g. after ``stop()``)."""
        try:
            return json.loads(self._get("/v2/_catalog"))["repositories"]
        except urllib.error.HTTPError as error:
            raise DockerlabError(f"The registry on {self.host} answered HTTP {error.code} for its catalogue.",
                                 fix="Check the registry container's log.") from None

    def stop(self) -> None:
        """Remove the registry's container (and what it held). Returns None. Raises ContainerFailed when the engine
        refuses to remove it."""
        self.container.remove()

    def __enter__(self) -> LocalRegistry:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


@recordable("registry.local_registry", stateful=True)
def local_registry(port: int = 5000, name: str = "dockerlab-registry") -> LocalRegistry:
    """Start ``registry:2`` on 127.0.0.1:``port`` (replacing one left by an earlier run) and wait for it.
    Returns a LocalRegistry. Raises ImageNotFound when registry:2 is not on the engine (it is not pulled),
    ContainerFailed when it cannot start (e.g. ``port`` is taken), and DockerlabError when a container named
    ``name`` exists that the course did not create, or the registry does not answer within 30 seconds (it
    is then removed)."""
    if not 1 <= port <= 65535:
        raise DockerlabError(f"registry.local_registry(): port={port} is not a port number (1 to 65535).",
                             fix="For example port=5000, or any port above 1024 that nothing else here uses.")
    registry = LocalRegistry(start("registry:2", name=name, ports={"5000/tcp": port}), port)
    try:
        registry.wait_until_ready()
    except BaseException:  # Ctrl-C too: no registry container is left half-started
        registry.stop()
        raise
    return registry
