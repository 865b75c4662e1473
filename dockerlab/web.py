"""Talk to the services the course runs, through ports published on this machine only."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from .errors import DockerlabError
from .recording import recordable

__all__ = ["get_json", "post_json"]

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _request(url: str, data: bytes | None = None, timeout: float = 10):
    host = urllib.parse.urlparse(url).hostname
    if host not in LOCAL_HOSTS:
        raise DockerlabError(f"{url} is not on this machine.", fix="The course only talks to services it publishes on 127.0.0.1.")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raise DockerlabError(f"{url} answered HTTP {error.code}: {error.read().decode(errors='replace')[:300]}", fix="Check the request, and the service's logs.") from None
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        raise DockerlabError(f"Nothing answered at {url} ({getattr(error, 'reason', error)}).", fix="Is the service up, and is its port published? stack.ps() shows both.") from None


@recordable("web.get_json")
def get_json(url: str):
    """GET ``url`` (on 127.0.0.1) and return the JSON it answers."""
    return _request(url)


@recordable("web.post_json")
def post_json(url: str, payload):
    """POST ``payload`` as JSON to ``url`` (on 127.0.0.1) and return the JSON it answers."""
    return _request(url, json.dumps(payload).encode())
