"""Remove what the course created: containers, networks and volumes it labelled when it made them,
and the images it built (stand-in bases only when asked), never an image built by hand on one of them."""
from __future__ import annotations

import docker.errors
import requests.exceptions

from . import engine
from .catalogue import catalogue_tags
from .diagnose import diagnose
from .containers import image_labels
from .labels import BUILT_AS_LABEL, COURSE_FILTER, CREATED_FILTER, STANDIN_LABEL, created_by_course
from .tagbook import booked, forget_missing

__all__ = ["cleanup", "course_made", "left_behind", "leftovers"]


def cleanup(*, bases: bool = False) -> dict:
    """Remove course containers, networks, volumes and images.

    Returns a dict: how many containers, networks, volumes and images were removed; ``"not removed"``,
    one line per object that could not be (with the engine's reason); ``"kept"``, one line per course
    image that stays because you tagged it too (``docker tag``, or a ``docker build`` that made the
    same image): only the course's own tags are taken off it.

    Containers, networks and volumes are removed only when the course created them (label
    ``org.dockerlab.created=1`` on the object itself, which `%docker`, dl.* and dl.compose add): a
    container you started by hand from a course image inherits the image's course label and is left
    alone, and so is one started from an image you made with `docker commit` of a course container
    (that copies the created label into the image: see labels.created_by_course), and so is a network or volume you labelled
    org.dockerlab.course=1 yourself. Images likewise only when the course built them (see
    :func:`course_made`): ``docker build -t my-app .`` FROM a stand-in base or a course image inherits
    the course label and is left alone. Tags the course put on images it made (`%docker tag`, `%docker pull`,
    a registry push: :mod:`dockerlab.tagbook`) are the course's too, while they still name that image. Stand-in base images
    stay unless ``bases=True`` (they take minutes to build again). One object that cannot be removed (the engine refuses, does not answer in
    time, or drops the connection) does not stop the rest: it is listed under ``"not removed"``. Raises
    DockerUnavailable when no engine answers.
    """
    client = engine.client()
    removed: dict = {"containers": 0, "networks": 0, "volumes": 0, "images": 0, "not removed": [], "kept": []}

    def attempt(kind: str, name: str, action, counted: bool = True) -> None:
        _attempt(removed, kind, name, action, counted)

    # ignore_removed: the SDK inspects each container it lists; one removed in between is skipped, not raised.
    # not one started by hand from an image made by `docker commit` of a course container (it inherits the labels)
    listed = client.containers.list(all=True, filters={"label": CREATED_FILTER}, ignore_removed=True)
    for container in [each for each in listed if created_by_course(each.labels, image_labels(client, each))]:
        attempt("containers", container.name, lambda c=container: c.remove(force=True, v=True))
    for network in client.networks.list(filters={"label": CREATED_FILTER}):
        attempt("networks", network.name, network.remove)
    for volume in client.volumes.list(filters={"label": CREATED_FILTER}):
        attempt("volumes", volume.name, lambda v=volume: v.remove(force=True))
    # Newest first: an image built on another goes before its base.
    labelled = client.images.list(all=True, filters={"label": COURSE_FILTER})
    book = booked()
    # decided before any is removed
    ours = [image for image in labelled if _all_booked(image, book) or _course_made_or_reported(image, labelled, removed["not removed"], book)]
    removed["kept"] += [f"image {', '.join(image.tags)}: it carries the course's labels, but the course did not build it (a `docker commit` "
                        "of a course container, or your own build under that name, copies them), so it stays; `docker rmi` it if you no longer need it"
                        for image in labelled if image not in ours and image.tags and _unbooked_built_as(image, book)]
    images = sorted(ours, key=lambda image: image.attrs.get("Created", ""), reverse=True)
    for image in images:
        labels = image.labels or {}
        if not bases and labels.get(STANDIN_LABEL) == "true" and _is_base(image):
            continue
        own, yours = _own_tags(image, bases, book)
        if yours:
            removed["kept"].append(f"image {', '.join(own) or image.short_id}: tagged by you as {', '.join(yours)}"
                                   + (" (the course's tag was taken off)" if own else ""))
            for tag in own:
                attempt("images", tag, lambda t=tag: client.api.remove_image(t), counted=False)
            continue
        attempt("images", ", ".join(own) or image.short_id, lambda i=image, o=own: _remove_image(client, i, o))
    _forget_gone(client, book)
    return removed


def _attempt(removed: dict, kind: str, name: str, action, counted: bool = True) -> None:
    """Run ``action`` (remove one object: ``kind`` "containers", "networks", "volumes" or "images", called ``name``)
    and count it in ``removed``; one already gone counts for nothing, and one that cannot be removed is listed under
    ``removed["not removed"]`` with the reason. Raises nothing the engine or the SDK raises."""
    try:
        action()
        removed[kind] += counted
    except docker.errors.NotFound:
        pass  # already gone (removed with its container, or by someone else meanwhile)
    except docker.errors.APIError as error:
        reason = str(error.explanation or error)
        found = diagnose(reason, "run")
        if kind == "images" and found.rule == "image-has-children":
            return  # a layer of a kept base (or of an image built on it): it goes when they go
        removed["not removed"].append(f"{kind[:-1]} {name}: " + (reason if found.rule == "unknown" else f"{found.meaning} ({reason}). {found.fix}"))
    except (requests.exceptions.RequestException, docker.errors.DockerException) as error:  # no answer in time, a dropped connection
        removed["not removed"].append(f"{kind[:-1]} {name}: {_no_answer(error)}")


def _forget_gone(client, book: dict[str, set[str]]) -> None:
    """Take out of the tag book the tags that no longer name the image the course put them on."""
    if book:
        forget_missing({tag: image.id for image in client.images.list() for tag in image.tags})


def _all_booked(image, book: dict[str, set[str]]) -> bool:
    """Every tag of ``image`` is one the course put on it (a course image pulled back from the local
    registry after its build tag was removed: only the registry's name is left)."""
    return bool(book and image.tags) and all(image.id in book.get(tag, ()) for tag in image.tags)


def _unbooked_built_as(image, book: dict[str, set[str]]) -> bool:
    """``image`` is tagged as its built-as label names, but the course has no record of building that id."""
    built_as = (image.labels or {}).get(BUILT_AS_LABEL)
    return bool(built_as) and built_as in image.tags and image.id not in book.get(built_as, set())


def _course_made_or_reported(image, labelled: list, not_removed: list[str], book: dict[str, set[str]] | None = None) -> bool:
    """:func:`course_made`, or False when the engine cannot say: an image gone meanwhile (nothing to
    remove), or one whose history it refuses (kept, and its reason added to ``not_removed``)."""
    try:
        return course_made(image, labelled, book)
    except docker.errors.NotFound:
        return False
    except docker.errors.APIError as error:
        not_removed.append(f"image {', '.join(image.tags) or image.short_id}: could not tell whether the course built it, so it stays "
                           f"({error.explanation or error})")
        return False
    except (requests.exceptions.RequestException, docker.errors.DockerException) as error:
        not_removed.append(f"image {', '.join(image.tags) or image.short_id}: could not tell whether the course built it, so it stays "
                           f"({_no_answer(error)})")
        return False


def _no_answer(error: Exception) -> str:
    """What an engine that did not answer (a requests error: a timeout, a dropped connection) or the SDK's own
    refusal (a DockerException) means, with its words and what to do. Raises nothing."""
    if not isinstance(error, requests.exceptions.RequestException):
        return f"the Docker SDK did not remove it ({type(error).__name__}: {error}). Run `dockerlab clean` again, or remove it by hand."
    found = diagnose(str(error), "connect")
    return f"{found.meaning} ({type(error).__name__}: {error}). {found.fix}"


def leftovers() -> dict[str, list[str]]:
    """What of the course exists now, besides images: ``{"containers": [...], "networks": [...],
    "volumes": [...]}``, each a sorted list of names: containers in any state and networks labelled
    org.dockerlab.course=1 (a container started from a course image inherits the label), and every
    volume (an image's ``VOLUME`` gives its container an anonymous, unlabelled one). Compare two calls
    with :func:`left_behind` to see what ran in between left behind. Images are not counted: what a
    notebook builds stays for the next one (``dockerlab clean`` removes them). Raises DockerUnavailable
    when no engine answers."""
    client = engine.client()
    return {
        "containers": sorted(container.name for container in client.containers.list(all=True, filters={"label": COURSE_FILTER}, ignore_removed=True)),
        "networks": sorted(network.name for network in client.networks.list(filters={"label": COURSE_FILTER})),
        "volumes": sorted(volume.name for volume in client.volumes.list()),
    }


def left_behind(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[str]:
    """The objects in ``after`` that were not in ``before`` (two :func:`leftovers` results), one line
    each ("container web-1"). Raises nothing."""
    return [f"{kind[:-1]} {name}" for kind, names in after.items() for name in names if name not in set(before.get(kind, []))]


def _own_tags(image, bases: bool, book: dict[str, set[str]] | None = None) -> tuple[list[str], list[str]]:
    """(the course's own tags on ``image``, the others: a learner's ``docker tag`` or same-image build).

    The course's own: its ``dockerlab-...`` names, those the course built or put on this image (``book``: :func:`dockerlab.tagbook.booked`),
    and (when ``bases``) the catalogue name of a stand-in base."""
    labels = image.labels or {}
    standin = bases and labels.get(STANDIN_LABEL) == "true"
    book = book or {}
    def ours(tag: str) -> bool:  # the built-as label alone does not tell: `docker commit` copies it (see course_made)
        return (tag.startswith("dockerlab-") or (tag in book and image.id in book[tag])
                or (standin and tag in catalogue_tags()))
    return [tag for tag in image.tags if ours(tag)], [tag for tag in image.tags if not ours(tag)]


def _remove_image(client, image, own: list[str]) -> None:
    """Remove ``image`` (every tag of it is the course's) without force: by its tags, so an image
    that one built on it by hand (classic builder) still needs loses its names and stays for that
    one; an untagged one by id, which the engine refuses while a child or a container needs it."""
    for tag in own:
        client.api.remove_image(tag)
    if not own:
        client.api.remove_image(image.id)


def _is_base(image) -> bool:
    """A stand-in base itself. (Its untagged parent images cannot be removed while it exists.)"""
    return bool(set(image.tags) & catalogue_tags())


def course_made(image, labelled: list, book: dict[str, set[str]] | None = None) -> bool:
    """Whether the course built ``image`` (a docker SDK Image labelled org.dockerlab.course=1), given
    every image so labelled (``labelled``) and the tag book (``book``: {tag: image ids the course built or
    tagged as it}; default :func:`dockerlab.tagbook.booked`), rather than someone building on a course image
    by hand or committing a course container.

    Every label of a base is inherited, and `docker commit` copies every label, so labels alone do not tell.
    A tagged image is the course's when the book names its id under the tag its ``org.dockerlab.built-as``
    label names, or that tag is one of the course's own ``dockerlab-...`` names, or it is a stand-in base
    under its catalogue name. An untagged image booked under any tag
    is the course's; otherwise an untagged image is an earlier course build
    whose tag has moved on, unless the image its label names is its parent (its history a prefix of
    this one's: built on it by hand), or that image is gone (then nothing tells: it stays). Images
    from before the label: the course's own names (``dockerlab-...``, catalogue stand-ins) only.
    Returns a bool. Raises docker.errors.APIError (or a requests error) when the engine does not give an image's history
    (an untagged image whose label names a tagged one)."""
    labels = image.labels or {}
    if BUILT_AS_LABEL not in labels:
        return any(tag.startswith("dockerlab-") for tag in image.tags) or (labels.get(STANDIN_LABEL) == "true" and _is_base(image))
    built_as = labels[BUILT_AS_LABEL]
    book = booked() if book is None else book
    image_id = getattr(image, "id", "")
    if image.tags:  # the course's when it booked this very id (`docker commit` and builds by hand copy the label)
        return ((built_as in image.tags and image_id in book.get(built_as, set())) or (built_as.startswith("dockerlab-") and built_as in image.tags)
                or (labels.get(STANDIN_LABEL) == "true" and _is_base(image)))
    if not built_as:
        return False
    if image_id and any(image_id in ids for ids in book.values()):
        return True
    named = [other for other in labelled if built_as in other.tags]
    return bool(named) and not _extends(image, named[0])


def _extends(image, base) -> bool:
    """Whether ``image``'s history continues ``base``'s (built FROM it): base's steps, then more."""
    def steps(of) -> list[tuple]:
        return [(step.get("Created"), step.get("CreatedBy")) for step in reversed(of.history())]
    own, theirs = steps(image), steps(base)
    return len(own) > len(theirs) and own[: len(theirs)] == theirs
