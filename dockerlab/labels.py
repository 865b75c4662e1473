"""The labels dockerlab puts on everything it creates, so it can find and remove it, and the names it gives images."""
import re
from pathlib import Path

COURSE_LABEL = "org.dockerlab.course"
COURSE_LABELS = {COURSE_LABEL: "1"}
COURSE_FILTER = f"{COURSE_LABEL}=1"
STANDIN_LABEL = "org.dockerlab.standin"
STANDIN_FOR_LABEL = "org.dockerlab.standin-for"
DESCRIPTION_LABEL = "org.opencontainers.image.description"
# Only on the containers, networks and volumes the course itself creates, never on an image: a
# container started by hand from a course image inherits COURSE_LABELS from the image, not this.
CREATED_LABEL = "org.dockerlab.created"
CREATED_LABELS = {**COURSE_LABELS, CREATED_LABEL: "1"}
CREATED_FILTER = f"{CREATED_LABEL}=1"


def course_tag(prefix: str, name: str | Path, tag: str = "latest") -> str:
    """A valid image reference for something the course builds, whatever ``name`` is: a variant
    ("without .dockerignore" -> dockerlab-<prefix>/without-dockerignore:latest) or a folder (its
    real name, so "." and "hello world" work too)."""
    if isinstance(name, Path) or (isinstance(name, str) and ("/" in name or name in (".", ".."))):
        name = Path(name).resolve().name
    slug = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-") or "image"
    tag_slug = re.sub(r"[^a-zA-Z0-9_.-]+", "-", tag).strip("-.") or "latest"
    return f"dockerlab-{prefix}/{slug}:{tag_slug}"
