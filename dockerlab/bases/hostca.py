"""Networks that intercept TLS: make images trust the CA the host trusts.

Company proxies (and this project's CI) re-sign HTTPS with their own CA. The host trusts it;
an image does not, so ``pip install`` inside a build fails with CERTIFICATE_VERIFY_FAILED.
The fix is a small derived layer that carries the host's bundle and points pip, requests and
OpenSSL at it.
"""
from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path

from ..builder import build
from ..layerfs import inspect_image

__all__ = ["HOST_BUNDLE", "host_extra_cas", "host_ca_fingerprint", "with_host_ca", "HOST_CA_LABEL"]

HOST_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
DISTRIBUTION_CAS = Path("/usr/share/ca-certificates")
HOST_CA_LABEL = "org.dockerlab.host-ca"
_PEM = re.compile(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.DOTALL)

_WITH_HOST_CA = """\
# A layer over {base} that trusts the CAs this machine trusts and Debian's bundle lacks
# (a TLS-intercepting proxy). update-ca-certificates keeps the files in
# /usr/local/share/ca-certificates when a later apt install rebuilds the bundle.
FROM {base}
COPY host-ca/ /usr/local/share/ca-certificates/dockerlab-host/
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \\
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \\
    REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
LABEL {label}={fingerprint}
"""


def _pem_blocks(text: str) -> list[str]:
    return [re.sub(r"\s+", "", block) for block in _PEM.findall(text)]


def _as_pem(block: str) -> str:
    lines = [block[i : i + 64] for i in range(0, len(block), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def host_extra_cas(bundle: Path = HOST_BUNDLE, distribution: Path = DISTRIBUTION_CAS) -> list[str]:
    """PEM certificates the host trusts that its distribution's CA package does not ship.

    Empty when there is no interception (or no Debian-style bundle to compare with).
    Returns a list of PEM texts. Raises OSError when the host's bundle exists but cannot be read (a distribution
    certificate that cannot be read is skipped)."""
    if not bundle.exists() or not distribution.is_dir():
        return []
    shipped: set[str] = set()
    for certificate in distribution.rglob("*.crt"):
        try:
            shipped.update(_pem_blocks(certificate.read_text(errors="replace")))
        except OSError:
            continue
    extras = [block for block in _pem_blocks(bundle.read_text(errors="replace")) if block not in shipped]
    return [_as_pem(block) for block in dict.fromkeys(extras)]


def host_ca_fingerprint(extras: list[str]) -> str:
    """A short fingerprint (16 hex characters of the SHA-256) of the PEM certificates ``extras``, in their order.
    Returns a str. Raises nothing."""
    return hashlib.sha256("".join(extras).encode()).hexdigest()[:16]


def with_host_ca(image: str, *, tag: str | None = None, progress: bool = False) -> str:
    """Derive ``image`` so it trusts the host's extra CAs; tagged ``tag`` (default: the same name).

    Returns the tag. Does nothing when the host has no extra CA or the image already trusts it. Raises
    DockerUnavailable when no engine answers, ImageNotFound when ``image`` is not on the engine,
    DockerlabError for a name that is not valid, and BuildFailed when the derived image does not build.
    """
    extras = host_extra_cas()
    tag = tag or image
    if not extras:
        return image
    fingerprint = host_ca_fingerprint(extras)
    labels = (inspect_image(image).get("Config") or {}).get("Labels") or {}  # ImageNotFound, or an invalid name said as such
    if labels.get(HOST_CA_LABEL) == fingerprint and tag == image:
        return tag
    with tempfile.TemporaryDirectory(prefix="dockerlab-hostca-") as context:
        folder = Path(context)
        (folder / "host-ca").mkdir()
        for number, pem in enumerate(extras):
            (folder / "host-ca" / f"host-ca-{number}.crt").write_text(pem)
        (folder / "ca-certificates.crt").write_text(HOST_BUNDLE.read_text())
        dockerfile = _WITH_HOST_CA.format(base=image, label=HOST_CA_LABEL, fingerprint=fingerprint)
        build(folder, dockerfile, tag=tag, progress=progress)
    return tag
