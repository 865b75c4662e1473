"""Talk to the services the course runs, through ports published on this machine only."""
from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from .errors import DockerlabError
from .recording.arguments import check_public
from .recording import recordable

__all__ = ["get_json", "post_json"]

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


# A service whose container is running may not listen yet (its port is published by the engine
# before the program inside accepts): a refused or reset connection is tried again for this long.
STARTING_SECONDS = 20


def _request(url: str, data: bytes | None = None, timeout: float = 10):
    parts = urllib.parse.urlparse(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(character.isspace() for character in url):
        raise DockerlabError(f"{url!r} is not a web address.", fix="Write it in full, e.g. http://127.0.0.1:8000/items (stack.ps() shows the published port).")
    host = parts.hostname
    if host not in LOCAL_HOSTS:
        raise DockerlabError(f"{url} is not on this machine.", fix="The course only talks to services it publishes on 127.0.0.1.")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"} if data else {})
    deadline = time.monotonic() + STARTING_SECONDS
    while True:
        try:
            return _send(request, timeout)
        except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected) as error:
            if time.monotonic() > deadline:
                raise DockerlabError(f"Nothing answered at {url} within {STARTING_SECONDS} s ({error}).",
                                     fix="Is the service up, and is its port published? stack.ps() shows both; its logs say why.") from None
            time.sleep(0.5)  # polling a real service until it listens, not a stand-in for a measurement


def _send(request: urllib.request.Request, timeout: float):
    url = request.full_url
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raise DockerlabError(f"{url} answered HTTP {error.code}: {error.read().decode(errors='replace')[:300]}",
                             fix="Check the request, and the service's logs.") from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, (ConnectionRefusedError, ConnectionResetError)):
            raise error.reason from None
        raise DockerlabError(f"Nothing answered at {url} ({error.reason}).",
                             fix="Is the service up, and is its port published? stack.ps() shows both.") from None
    except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected):
        raise
    except (ConnectionError, TimeoutError) as error:
        raise DockerlabError(f"Nothing answered at {url} ({getattr(error, 'reason', error)}).",
                             fix="Is the service up, and is its port published? stack.ps() shows both.") from None


@recordable("web.get_json")
def get_json(url: str):
    """GET ``url`` (on 127.0.0.1) and return the JSON it answers (a refused connection is retried for 20
    seconds, while the service starts). Raises DockerlabError when ``url`` is not a web address or not on this machine, the
    service answers an HTTP error, or nothing answers."""
    return _request(url)


@recordable("web.post_json")
def post_json(url: str, payload):
    """POST ``payload`` as JSON to ``url`` (on 127.0.0.1) and return the JSON it answers (a refused connection is
    retried for 20 seconds). Raises DockerlabError when ``url`` is not a web address or not on this machine, the service answers an
    HTTP error, or nothing answers."""
    return _request(url, json.dumps(payload).encode())


check_public(globals(), "web")  # the one argument check, for every public function here
