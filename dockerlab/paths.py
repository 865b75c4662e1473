"""Where the course's files are, wherever a notebook runs from."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
import uuid
from pathlib import Path

from .errors import DockerlabError

__all__ = ["COURSE_ROOT", "NOTEBOOKS", "app", "results_dir", "tool", "notebook_number", "numbered_notebooks", "in_course_terms", "TERMINAL_FOLDER",
           "TERMINAL_RULE", "terminal_cd",
           "kernel_filesystem", "partial_beside"]

COURSE_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = COURSE_ROOT / "notebooks"
# A course notebook's file name starts with its number: two digits, and a letter for one placed between
# two others (02a_running_containers sorts after 02_core_concepts and before 03_layer_caching).
_NUMBER = re.compile(r"^(\d{2}[a-z]?)_")


_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/-])/[^\s'\",;=]+")
# A path relative to the course folder, as recordings write the course's own paths (data/apps/x): a word
# with a slash that starts with a name, not with /, . or -.
_COURSE_RELATIVE_PATH = re.compile(r"(?<![\w.:/=-])[\w][\w.-]*/[^\s'\",;=]*")


# The one rule for a path a learner types in a terminal (the "In a terminal:" lines, the exercise hints):
# it is written from the notebooks folder, where a notebook runs, so a course app is ../data/apps/NAME.
# A JupyterLab terminal starts there with `make lab` and on Binder because their server config
# (binder/jupyter/) says so (dockerlab.terminals); JupyterLab alone would start it in the server's own working
# folder, the repository root in both. A terminal started anywhere else gets there with `cd`, which the hint
# names with this machine's path: so every command works wherever the terminal opened.
TERMINAL_FOLDER = "notebooks"


def terminal_cd() -> str:
    """The command that takes a terminal to the folder the course's terminal commands are written from
    (:data:`TERMINAL_FOLDER` of this checkout), wherever it opened: ``cd /home/me/dockerlab/notebooks``
    (the path quoted for a POSIX shell where it needs it). Raises nothing."""
    return f"cd {shlex.quote(str(NOTEBOOKS))}"


TERMINAL_RULE = ("in a terminal in the notebooks folder (JupyterLab's File > New > Terminal starts there with `make lab` "
                 f"and on Binder; if `pwd` shows another folder, first `{terminal_cd()}`)")


def in_course_terms(text: str, root: Path | None = None) -> str:
    """``text`` (a command) with each absolute path of a course file shown as a learner types it in a
    terminal opened in :data:`TERMINAL_FOLDER`: ``/home/me/dockerlab/data/apps/go-hello`` -> ``../data/apps/go-hello``.
    A path recorded on another machine is recognised by its tail, which names a file or folder of this
    course (``/work/main/data/apps/go-hello`` -> ``../data/apps/go-hello``), and so is a path relative to the
    course folder, as recordings write them (``data/apps/go-hello`` -> ``../data/apps/go-hello``); other paths
    are left as they are.

    Returns:
        The text with those paths rewritten.

    Raises:
        Nothing."""
    root = Path(root or COURSE_ROOT)

    def relative(match: re.Match) -> str:
        parts = Path(match.group(0)).parts[1:]
        for start in range(len(parts)):
            tail = Path(*parts[start:])
            if (root / parts[start]).is_dir() and (root / tail).exists():
                return Path(os.path.relpath(root / tail, root / TERMINAL_FOLDER)).as_posix()
        return match.group(0)

    def from_course(match: re.Match) -> str:
        word = match.group(0)
        first = word.split("/", 1)[0]
        if first != TERMINAL_FOLDER and (root / first).is_dir() and (root / word).exists():
            return Path(os.path.relpath(root / word, root / TERMINAL_FOLDER)).as_posix()
        return word

    return _COURSE_RELATIVE_PATH.sub(from_course, _ABSOLUTE_PATH.sub(relative, text))


def notebook_number(name: str | Path) -> str | None:
    """The course number of a notebook ("02a" for 02a_running_containers.ipynb), None for a file
    that is not a numbered notebook. Raises nothing."""
    found = _NUMBER.match(Path(name).name)
    return found.group(1) if found else None


def numbered_notebooks(folder: Path | None = None) -> list[Path]:
    """The numbered notebooks of ``folder`` (default notebooks/), in course order (their names sort
    so: "02_" before "02a_" before "03_"). Returns a list of Paths. Raises nothing (no folder: an empty list)."""
    return sorted(path for path in Path(folder or NOTEBOOKS).glob("[0-9][0-9]*_*.ipynb") if notebook_number(path.name))


def app(name: str) -> Path:
    """The folder of a sample app in data/apps/ (a Path). Raises DockerlabError naming the apps there
    when there is no app ``name``."""
    folder = COURSE_ROOT / "data" / "apps" / name
    if not folder.is_dir():
        available = sorted(p.name for p in (COURSE_ROOT / "data" / "apps").iterdir()) if (COURSE_ROOT / "data" / "apps").is_dir() else []
        raise DockerlabError(f"There is no sample app {name!r} in {folder.parent}.",
                             fix=f"Use one of: {', '.join(available) or '(none found; is this a course checkout?)'}.")
    return folder


def results_dir() -> Path:
    """build/results/: where live runs keep their figures.
    Returns the Path. Raises OSError when the folder cannot be created."""
    folder = COURSE_ROOT / "build" / "results"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def tool(name: str) -> str | None:
    """A command the course's packages install (hadolint, syft, docker-compose): on PATH, or in
    this Python's bin/ folder (a venv that is not activated). None when it is in neither. Raises nothing."""
    beside_python = Path(sys.executable).parent / name
    return shutil.which(name) or (str(beside_python) if beside_python.exists() else None)


# File systems the kernel makes up (its processes, devices, settings): no one's files are stored there.
KERNEL_FILESYSTEMS = frozenset({"proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "debugfs", "tracefs", "securityfs",
                                "configfs", "pstore", "bpf", "mqueue", "fusectl", "hugetlbfs", "binfmt_misc", "efivarfs", "autofs"})


def kernel_filesystem(folder: str | Path, mounts: str = "/proc/mounts") -> str | None:
    """The type of the kernel's own file system ``folder`` is on (``proc`` for /proc, ``sysfs`` for
    /sys, ...: see KERNEL_FILESYSTEMS), or None when it is on an ordinary one or ``mounts`` cannot be
    read. Returns the type, a str, or None. Raises nothing."""
    try:
        table = Path(mounts).read_text()
        where = Path(folder).resolve()
    except (OSError, RuntimeError):
        return None
    found, longest = None, -1
    for line in table.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = Path(fields[1].replace("\\040", " "))
        if (where == point or where.is_relative_to(point)) and len(point.parts) > longest:
            found, longest = fields[2], len(point.parts)
    return found if found in KERNEL_FILESYSTEMS else None


def partial_beside(target: Path) -> Path:
    """A name for the file being written before it becomes ``target``: in the same folder (so the last
    step is a rename), hidden, and new (``.NAME.<8 hex digits>.partial``), never a file of the learner's
    such as ``NAME.partial``. Returns the Path; nothing is created. Raises nothing."""
    return target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.partial")
