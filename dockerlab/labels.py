"""The labels dockerlab puts on everything it creates, so it can find and remove it, and the names it gives images."""
import hashlib
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
# A mark of one call on the container it creates (a random value), so a container the engine made while
# that call was interrupted (Ctrl-C before its id came back) is found and removed.
CALL_LABEL = "org.dockerlab.call"


def created_by_course(labels: dict | None, image_labels: dict | None) -> bool:
    """Whether a container was labelled by the course when it was made (``labels``: the container's,
    ``image_labels``: its image's Config.Labels), not one that merely inherits the labels from its image.

    `docker commit` of a course container copies its labels, ``org.dockerlab.created=1`` and its call
    mark too, into the new image, and every container started from that image by hand inherits them.
    So the created label counts only when the image does not carry it, or when the container's call
    mark (a value made fresh for each container the course creates; a Compose project's own name for
    its services) differs from the image's. Returns a bool."""
    labels, image_labels = labels or {}, image_labels or {}
    if labels.get(CREATED_LABEL) != "1":
        return False
    if image_labels.get(CREATED_LABEL) != "1":
        return True
    return labels.get(CALL_LABEL) is not None and labels.get(CALL_LABEL) != image_labels.get(CALL_LABEL)


# On every image the course builds, with the reference it built it as. An image built by hand FROM a
# course image inherits every label, this one too, but its value then names the parent, not the image:
# so the course knows the images it made (see cleanup.course_made) and leaves derived ones alone.
BUILT_AS_LABEL = "org.dockerlab.built-as"


def built_labels(tag: str | None) -> dict[str, str]:
    """The labels the course puts on an image it builds as ``tag`` (None: untagged): the course label
    and ``org.dockerlab.built-as`` naming the image as the engine lists it (``app`` -> ``app:latest``)."""
    return {**COURSE_LABELS, BUILT_AS_LABEL: normal_reference(tag) if tag else ""}


def normal_reference(reference: str) -> str:
    """``reference`` as the engine lists it among an image's tags: ``:latest`` added when no tag is
    given, Docker Hub's ``docker.io/`` and ``library/`` left out (``docker.io/library/alpine`` -> ``alpine:latest``)."""
    name, at, digest = reference.partition("@")
    if not at and ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    for prefix in ("docker.io/library/", "docker.io/", "index.docker.io/library/", "index.docker.io/"):
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    if name.startswith("library/"):
        name = name[len("library/"):]
    return name + at + digest


# distribution/reference's limits: a repository name of at most 255 characters, a tag of at most 128. A name with
# no registry host is counted as the engine's CLI parses it, with "docker.io/" in front: at most 245 of its own
# (checked with `docker build -t`: 245 accepted, 246 "repository name must not be more than 255 characters").
_NAME_MAX, _TAG_MAX = 255, 128
_DEFAULT_DOMAIN = "docker.io/"


# The suffixes the course adds to a name it changed: 8 hex digits of a folder name's sha256, 12 of a cut name's
# (or tag's). A name that already ends so is changed too, so that no name kept as it is reads like another one changed.
_COURSE_SUFFIX = re.compile(r"-(?:[0-9a-f]{8}|[0-9a-f]{12})$")
_CUT_SUFFIX = re.compile(r"-[0-9a-f]{12}$")


def course_tag(prefix: str, name: str | Path, tag: str = "latest") -> str:
    """A valid image reference for something the course builds, whatever ``name`` is: a variant
    ("without .dockerignore" -> dockerlab-<prefix>/without-dockerignore:latest) or a folder (a Path, or a
    path such as "." or "apps/hello": its real name, so "." and "hello world" work too). Lower-case
    letters, digits and single dashes. A folder keeps its name only when it is such a name already and does
    not end in a dash and 8 or 12 hex digits (the suffixes below); any other folder name ends with 8 hex
    digits of its name's sha256 ("My App" -> my-app-96c6f417, "my-app-96c6f417" -> my-app-96c6f417-ae0f62e3),
    so two folders whose names read alike ("My App", "my_app", "my-app", "my-app-96c6f417") never share an
    image; a name or tag past the engine's limits (245 characters for a name without a registry host, 128
    for the tag) is cut and ends with 12 hex digits of the whole one's sha256, so two long names stay two
    references; a name or tag that already ends in a dash and 12 hex digits gets them too. So a folder name kept
    as it is never ends like a changed one and never equals one, and two changed ones differ by their hashes.
    (Variants are names the course chooses, each prefix its own: they are only made valid.) Returns
    "dockerlab-PREFIX/NAME:TAG"."""
    folder = isinstance(name, Path) or (isinstance(name, str) and ("/" in name or name in (".", "..")))
    if folder:
        name = Path(name).resolve().name
    repository = f"dockerlab-{_slug(prefix, '[^a-z0-9]+', 'x')}"
    limit = _NAME_MAX - len(_DEFAULT_DOMAIN) - len(repository) - 1
    slug = _slug(str(name).lower(), "[^a-z0-9]+", "image")
    if folder and (slug != str(name) or _COURSE_SUFFIX.search(slug)):  # changed to fit, or reads like a changed name
        slug = slug[: limit - 9].rstrip("-.") + "-" + hashlib.sha256(str(name).encode()).hexdigest()[:8]
    else:
        slug = _fitted(slug, limit, str(name))
    tag_slug = _fitted(re.sub(r"[^a-zA-Z0-9_.-]+", "-", tag).strip("-.") or "latest", _TAG_MAX, tag)
    return f"{repository}/{slug}:{tag_slug}"


def _slug(text: str, pattern: str, empty: str) -> str:
    return re.sub(pattern, "-", text.lower()).strip("-") or empty


def _fitted(slug: str, limit: int, whole: str) -> str:
    if len(slug) <= limit and not _CUT_SUFFIX.search(slug):
        return slug
    return slug[: limit - 13].rstrip("-.") + "-" + hashlib.sha256(whole.encode()).hexdigest()[:12]


# distribution/reference's grammar for NAME[:TAG] (no digest: a build names its image by a tag)
_DOMAIN = re.compile(r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?")
_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_TAG = re.compile(r"[\w][\w.-]{0,127}")


def tag_problem(reference: str) -> str | None:
    """What makes ``reference`` not a name an image can be tagged with (``NAME[:TAG]``, as `docker build
    -t` takes it), in a few words; None when it is one. Raises nothing."""
    if not reference.strip():
        return "it is empty"
    if any(character.isspace() for character in reference):
        return "it contains a space; names have none"
    if "@" in reference:
        return "it names a digest (@sha256:...); an image is tagged with NAME or NAME:TAG, the engine gives it its digest"
    name, tag = reference, None
    last = reference.rsplit("/", 1)[-1]
    if ":" in last:
        name, tag = reference.rsplit(":", 1)
    if tag is not None and not _TAG.fullmatch(tag):
        return (f"the tag is {len(tag)} characters long; at most 128 are allowed" if len(tag) > 128 else
                f"the tag {tag!r} must start with a letter, digit or _ and hold only letters, digits and _ . -")
    parts = name.split("/")
    hosted = len(parts) > 1 and (("." in parts[0] or ":" in parts[0]) or parts[0] == "localhost")
    limit = _NAME_MAX if hosted else _NAME_MAX - len(_DEFAULT_DOMAIN)  # the engine counts docker.io/ in front of a name without a host
    if len(name) > limit:
        return (f"the name is {len(name)} characters long; at most {limit} are allowed"
                + ("" if hosted else f" without a registry host (the engine counts {_DEFAULT_DOMAIN} in front: {_NAME_MAX} in all)"))
    if hosted:
        if not _DOMAIN.fullmatch(parts[0]):
            return f"{parts[0]!r} is not a registry host"
        parts = parts[1:]
    if name != name.lower() and all(_COMPONENT.fullmatch(part.lower()) for part in parts):
        return "the repository name must be lowercase"
    bad = next((part for part in parts if not _COMPONENT.fullmatch(part)), None)
    if bad is not None:
        return (f"{bad!r} is not a part of a name (lowercase letters and digits, single . _ or dashes between them)" if bad
                else "it has an empty part (// or a / at an end)")
    return None
