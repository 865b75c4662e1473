"""Short checked quizzes at the end of notebooks 01-06 (07's is dockerlab.check.QUIZ), each about
what that notebook just measured. `dl.check.quiz(answers, notebook="03")` checks the answers.

Each question: (question, choices, the right choice, why, naming where the notebook measured it).
No figure is written here: the figures are the notebook's own, measured or replayed."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from .errors import DockerlabError
from .recording.arguments import check_public

__all__ = ["QUIZZES", "quiz_of", "show", "read_answers", "spoken"]

QUIZZES: dict[str, dict[int, tuple[str, dict[str, str], str, str]]] = {
    "01": {
        1: ("The report worked with numpy 1.26 and crashed with numpy 2.1. What differed between the two images?",
            {"a": "report.py", "b": "the numpy version pip installed (REQUIREMENTS picked the pin)", "c": "the Python version"}, "b",
            "both images were built FROM python:3.11-slim with the same report.py; only the requirements file differed"),
        2: ("`uname -r` ran in containers from different images. What did it print?",
            {"a": "each image's own kernel version", "b": "the host's kernel version, the same in every container"}, "b",
            "a container is a process on the host's kernel; the images bring files, not a kernel"),
        3: ("Which started in less time and needed less memory in this notebook's measurement?",
            {"a": "the container", "b": "the VM", "c": "neither: they were about the same"}, "a",
            "the VM boots a kernel of its own; the container starts one process on the running kernel"),
    },
    "02": {
        1: ("You wrote a file inside a container, then removed the container. Where is the file now?",
            {"a": "in the image", "b": "gone: it was in the container's thin writable layer", "c": "in a volume"}, "b",
            "`docker diff` listed it in the container's layer; the image never changed"),
        2: ("`docker diff` marked a path with A. What does A mean?",
            {"a": "added in the container", "b": "archived", "c": "in the image's first layer"}, "a",
            "A = added, C = changed, D = deleted, relative to the image"),
        3: ("You pulled the image back from your registry by digest. What does the digest name?",
            {"a": "whatever the tag points at today", "b": "exact bytes: one digest can never name different content"}, "b",
            "a digest is a hash of the content, which is why the pull gave back the very image pushed"),
    },
    "03": {
        1: ("After an edit of app.py, which Dockerfile rebuilt faster in the experiment?",
            {"a": "deps-first (requirements, install, then the code)", "b": "code-first (COPY . . before the install)", "c": "neither"}, "a",
            "deps-first keeps the install cached; code-first re-runs it on every code edit (the headline divides the two times)"),
        2: ("After an edit of requirements.txt, does the deps-first order still skip the install?",
            {"a": "yes", "b": "no: the install's own input changed, so it runs again"}, "b",
            "that is what a cache mount is for: the install runs, but reads pip's downloads from "
            "disk when pip could keep them (the experiment's verdict says whether it could here)"),
        3: ("What does a cache mount (RUN --mount=type=cache,...) add to the image?",
            {"a": "pip's downloaded wheels", "b": "nothing: the folder survives between builds but is never part of the image"}, "b",
            "the mount exists only while that RUN step runs"),
        4: ("With .dockerignore listing .git, what happened to `COPY . .` after a change in .git?",
            {"a": "it came from the cache", "b": "it ran again"}, "a",
            "an ignored file is not in the build context, so the COPY's input did not change"),
    },
    "04": {
        1: ("Which image came out about the size of the Go program alone?",
            {"a": "single stage", "b": "alpine", "c": "scratch"}, "c",
            "scratch is empty: the binary copied --from the builder is the only file in it"),
        2: ("The seed's alpine runner, as written, did not serve. Why?",
            {"a": "alpine has no network", "b": "the binary was built with cgo and needs a C library alpine does not have",
             "c": "the port was not exposed"}, "b",
            "it failed with 'no such file or directory' until go build ran with CGO_ENABLED=0"),
        3: ("A `tests` stage that the final stage does not copy from: what does BuildKit do with it?",
            {"a": "builds it first", "b": "skips it", "c": "builds it last"}, "b",
            "BuildKit builds only the stages the final image needs; the classic builder built them all"),
        4: ("What did `dl.diff` find in the single-stage image that the multi-stage one does not carry?",
            {"a": "the Go toolchain, the C compiler, git and the source code", "b": "only a larger copy of the binary"}, "a",
            "everything the build used ships with a single-stage image"),
    },
    "05": {
        1: ("With the seed's compose file as written, why did the api fail to connect in every run?",
            {"a": "the database was not ready yet", "b": "a missing setting: the api was given no POSTGRES_PASSWORD",
             "c": "publishing port 8000 failed"}, "b",
            "the first error was KeyError: 'POSTGRES_PASSWORD' (cause: missing setting): the seed gives the password to db only; "
            "the race itself (`depends_on: [db]` waits for the container, not for PostgreSQL) shows once the api has credentials"),
        2: ("After `docker compose down` and `up` again (no -v), were the items still there?",
            {"a": "yes: they are in the named volume", "b": "no: down deletes the data"}, "a",
            "named volumes outlive the containers; `down -v` is what deletes them"),
        3: ("Where does the fixed file's POSTGRES_PASSWORD come from?",
            {"a": "it is written in compose.yaml", "b": "the .env file beside it; Compose refuses to start without it"}, "b",
            "`${POSTGRES_PASSWORD:?set it in .env}` keeps the secret out of the file and out of git"),
    },
    "06": {
        1: ("A container with no USER line writes a file into a bind mount. Who owns the file on the host?",
            {"a": "your user", "b": "root"}, "b",
            "without USER the process runs as root, and the file it writes is root's on the host"),
        2: ("Two different images were pushed under one tag. What does a pull by that tag give?",
            {"a": "the first one pushed", "b": "the last one pushed: tags move", "c": "an error"}, "b",
            "a tag is a name its owner can repoint; only a digest always names the same bytes"),
        3: ("In the audit of five bases, which kind had no shell at all?",
            {"a": "python:3.11-slim", "b": "debian:bookworm-slim", "c": "distroless"}, "c",
            "distroless ships the program's run-time needs and no shell or package manager"),
        4: ("A build step needed an API token. Of the four ways the notebook built and searched, which left no trace of it in the image?",
            {"a": "ARG API_TOKEN", "b": "ENV API_TOKEN=...", "c": "COPY token.txt, then RUN rm token.txt",
             "d": "a BuildKit secret mount (RUN --mount=type=secret)"}, "d",
            "the search found the ARG in the history, the ENV in the config and the "
            "copied file in its layer; a secret mount exists only while its RUN step runs"),
    },
}


def quiz_of(notebook: str | int):
    """The questions of a notebook's quiz ("01" ... "07"; 7 or "7" also work), as a dict {question number:
    (question, {letter: choice}, the right letter, why)}. Raises DockerlabError when that notebook has no quiz."""
    key = f"{int(notebook):02d}" if str(notebook).isdigit() else str(notebook)
    if key == "07":
        return QUIZ
    if key not in QUIZZES:
        raise DockerlabError(f"There is no quiz for notebook {notebook!r}.", fix=f"Use one of: {', '.join([*QUIZZES, '07'])}.")
    return QUIZZES[key]


def show(notebook: str | int) -> str:
    """The questions and choices, as text to print in the notebook. Raises DockerlabError when that
    notebook has no quiz."""
    lines = []
    for number, (question, choices, _, _) in quiz_of(notebook).items():
        lines.append(f"{number}. {question}")
        lines += [f"     {letter}) {text}" for letter, text in choices.items()]
    return "\n".join(lines)


def spoken(letters: str | Sequence[str] | Mapping[str, object]) -> str:
    """Letters as a learner reads them: "a, b or c". Returns a str. Raises IndexError for no letters."""
    letters = list(letters)
    return letters[0] if len(letters) == 1 else f"{', '.join(letters[:-1])} or {letters[-1]}"


_NUMBER = re.compile(r"^(?:q|question|no\.?)?\s*#?\s*(\d+)\s*[.):]?$")


def _number(key) -> int | None:
    """The question a key names: 1, "1", " 1 ", "Q1", "question 1", "1." (None: it names no number)."""
    if isinstance(key, int) and not isinstance(key, bool):
        return key
    found = _NUMBER.match(key.strip().lower()) if isinstance(key, str) else None
    return int(found.group(1)) if found else None


def _letter(value, choices: dict[str, str]) -> str:
    """The choice an answer names: "b", " B ", "b)", "(b)", "b." or the choice's own words; "" when blank;
    otherwise the answer as typed (stripped), which names no choice."""
    if value is None:
        return ""
    text = " ".join(str(value).split()).lower()
    bare = text.strip("().[]: ")
    if bare in choices:
        return bare
    worded = [letter for letter, choice in choices.items() if choice.lower() == text]
    return worded[0] if worded else text


def read_answers(answers, questions: dict) -> tuple[dict[int, str | None], list[str]]:
    """The learner's answers as {question number: what they chose}, and a sentence for each key that
    names no question (refused: the quiz then does not pass) or question answered twice with different letters.
    ``answers``: a dict keyed by question number (an int, or a str such as "1", "Q1", "question 1") or a list/tuple in question order;
    each answer a letter in any case, with spaces or a bracket ("B", "b)", "(b)"), or the choice's words.
    A chosen value is a letter of the question's choices, "" (no answer), the text as typed (no choice), or
    None (answered twice with different letters: a sentence says so).
    Raises DockerlabError when ``answers`` is neither a dict nor a list."""
    listed = isinstance(answers, (list, tuple))
    if listed:
        answers = dict(zip(questions, answers, strict=False)) | {len(questions) + extra + 1: value for extra, value in enumerate(answers[len(questions):])}
    if not isinstance(answers, Mapping):
        raise DockerlabError(f"Quiz answers must be a dict such as {{1: 'a', 2: 'b'}} (or a list in question order), not {type(answers).__name__}.",
                             fix="Fill in a letter for each question number: my_answers = {1: 'a', 2: 'b', ...}.")
    chosen: dict[int, str | None] = {}
    problems: list[str] = []
    numbers = f"1 to {len(questions)}" if list(questions) == list(range(1, len(questions) + 1)) else spoken(map(str, questions))
    for key, value in answers.items():
        number = _number(key)
        if number not in questions:
            shown = number if number is not None else repr(key)
            if _letter(value, {}) != "" or not listed:  # a blank left over at the end of a list names nothing
                given = f"answer {value!r}" if listed else f"{{{key!r}: {value!r}}}"
                step = (f"give one answer per question, {len(questions)} in all, in question order" if listed
                        else f"key each answer by one of the question numbers ({numbers})")
                problems.append(f"there is no question {shown} in this quiz (its questions are {numbers}): {given} was refused, not counted. Next: {step}.")
            continue
        letter = _letter(value, questions[number][1])
        earlier = chosen.get(number, "")
        if letter and earlier and earlier != letter:
            problems.append(f"question {number}: answered twice ({earlier} and {letter}); keep one of them")
            chosen[number] = None
        elif number not in chosen or earlier == "":
            chosen[number] = letter
    return chosen, problems


# question, choices, the right choice, why (with the figure the course measured for it).
QUIZ = {
    1: ("You edit app.py. With requirements.txt copied and installed before `COPY . .`, which steps run again?",
        {"a": "every step", "b": "`COPY . .` and the steps after it", "c": "only `pip install`"}, "b",
        "the cache holds until the first step whose input changed; notebook 03 measured the rebuild"),
    2: ("`RUN rm .env` follows `COPY . .`. Is the .env file gone from the image?",
        {"a": "yes", "b": "no: it is still in the layer `COPY . .` made"}, "b",
        "a later layer only hides it; notebook 06 found it with find_secrets"),
    3: ("What does a container share with its host that a VM does not?",
        {"a": "the kernel", "b": "the disk image", "c": "nothing"}, "a",
        "notebook 01 showed `uname -r` giving the host's kernel in every image"),
    4: ("Which FROM line builds on the same base image every time?",
        {"a": "FROM python:latest", "b": "FROM python:3.11-slim", "c": "FROM python@sha256:..."}, "c",
        "tags move, a digest names the bytes; notebook 06 pushed two images under one tag"),
    5: ("Without a condition, what does `depends_on: [db]` wait for?",
        {"a": "the database accepts connections", "b": "the db container has started"}, "b",
        "notebook 05 gave the seed's file the api's missing password and counted the runs where the api lost the race"),
}


check_public(globals(), "quizzes")  # the one argument check, for every public function here
