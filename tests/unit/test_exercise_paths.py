"""A learner who passes the path of a file instead of its text (a pathlib.Path, an absolute path, a name
in the app folder, a path from the course folder or from the notebook's folder) gets the verdict the text
gets: in recorded mode the shipped recording of the starting text and of the solution replays. A path that
names no file is a clear DockerlabError naming the path and what to pass."""
import os
from pathlib import Path

import pytest

import dockerlab as dl
from dockerlab.exercises.catalogue import EXERCISES
from dockerlab.paths import COURSE_ROOT, app

from .test_exercises_static import use_recordings

# The file each exercise's starting text comes from (02 starts from text in the notebook: none).
STARTING_FILES = {
    "01": app("numpy-versions") / "report.py",
    "02a": app("signals") / "exercise.Dockerfile",
    "03": app("layer-cache") / "exercise.Dockerfile",
    "04": app("go-hello") / "single.Dockerfile",
    "05": app("compose-api") / "compose.yaml",
    "06": app("secret-leak") / "exercise.Dockerfile",
}
FILE_EXERCISES = sorted(number for number in EXERCISES if number in STARTING_FILES or number == "02")


@pytest.fixture
def shipped_recordings(monkeypatch):
    """Recorded mode (as on Binder) on the course's own data/recorded/ (read only)."""
    from dockerlab.recording import RECORDED_DIR

    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
    monkeypatch.delenv("DOCKERLAB_RECORD_TO", raising=False)
    use_recordings(RECORDED_DIR, monkeypatch)


def path_forms(path: Path, app_dir: Path) -> dict[str, object]:
    forms = {
        "pathlib.Path": path,
        "absolute str": str(path),
        "from the course folder": str(path.relative_to(COURSE_ROOT)),
        "from the notebooks folder": os.path.relpath(path, COURSE_ROOT / "notebooks"),
    }
    if path.parent == app_dir:
        forms["a name in the app folder"] = path.name
    return forms


def the_files(number: str) -> list[tuple[str, Path]]:
    exercise = EXERCISES[number]
    files = [("solution", exercise.solution_file)]
    if number in STARTING_FILES:
        files.append(("starting", STARTING_FILES[number]))
    return files


def app_of(number: str) -> Path:
    return {"01": app("numpy-versions"), "02": app("greeter"), "02a": app("signals"), "03": app("layer-cache"),
            "04": app("go-hello"), "05": app("compose-api"), "06": app("secret-leak")}[number]


@pytest.mark.parametrize("number", FILE_EXERCISES)
def test_a_path_replays_like_its_text(number, shipped_recordings, monkeypatch):
    monkeypatch.chdir(COURSE_ROOT / "notebooks")  # where a notebook's kernel runs
    exercise = EXERCISES[number]
    for which, path in the_files(number):
        by_text = exercise.check(path.read_text())
        assert by_text.live == "replayed", f"{number} {which}: the text itself is not replayed: {by_text}"
        for form, value in path_forms(path, app_of(number)).items():
            by_path = exercise.check(value)
            assert (by_path.passed, by_path.live, str(by_path)) == (by_text.passed, by_text.live, str(by_text)), f"{number} {which} as {form}: {by_path}"


def test_the_reference_dockerfile_of_04_may_be_its_file_name(shipped_recordings):
    go_app = app("go-hello")
    solution = EXERCISES["04"].solution_text()
    verdict = dl.check.multi_stage_is_smaller(go_app, solution, "single.Dockerfile", min_ratio=5, exercise="04 · ship only the program")
    assert verdict.passed and verdict.live == "replayed", str(verdict)


@pytest.mark.parametrize("call, named", [
    (lambda: dl.check.cache_survives_code_edit(app("layer-cache"), "exercises/03/solution.Dockerfile", exercise="03 · keep the install cached"),
     "exercises/03/solution.Dockerfile"),
    (lambda: dl.check.keeps_running_and_stops(app("signals"), Path("/no/such/exercise.Dockerfile")), "/no/such/exercise.Dockerfile"),
    (lambda: dl.check.dockerfile_prints(app("greeter"), "Hello, Docker learner!", dockerfile="solution.Dockerfle"), "solution.Dockerfle"),
    (lambda: dl.check.multi_stage_is_smaller(app("go-hello"), EXERCISES["04"].solution_text(), "singel.Dockerfile"), "singel.Dockerfile"),
    (lambda: dl.check.compose_service_healthy(app("compose-api"), Path("compose.yml")), "compose.yml"),
    (lambda: dl.check.compose_service_healthy(app("compose-api"), "../data/apps/compose-api/compose.yml"), "compose.yml"),
    (lambda: dl.check.program_prints(app("numpy-versions"), "order total: 28.50", files={"report.py": Path("reprot.py")}), "reprot.py"),
    (lambda: dl.check.image_is_hardened(app("secret-leak"), "hardend.Dockerfile", "report service ready"), "hardend.Dockerfile"),
], ids=["03 relative", "02a Path", "02 name", "04 reference", "05 Path", "05 str", "01 files", "06 name"])
def test_a_path_that_names_no_file_is_a_clear_error(call, named, shipped_recordings):
    with pytest.raises(dl.DockerlabError) as raised:
        call()
    error = raised.value
    assert type(error).__name__ == "DockerlabError", repr(error)  # not RecordingMissing, not a raw OSError
    assert named in error.message and "no such file" in error.message, error.message
    assert "looked" in error.message and ".read_text()" in error.fix and "text" in error.fix, (error.message, error.fix)


def test_one_line_dockerfile_text_is_text_not_a_path(shipped_recordings):
    verdict = dl.check.dockerfile_prints(app("greeter"), "Hello, Docker learner!", dockerfile="FROM python:3.11-slim")
    assert not verdict.passed and "greet.py" in " ".join(verdict.messages), str(verdict)


def test_one_line_compose_and_program_text_stay_text(shipped_recordings):
    compose = dl.check.compose_service_healthy(app("compose-api"), "services: {api: {image: 'python:3.11-slim'}}")
    assert not compose.passed and "no healthcheck" in " ".join(compose.messages), str(compose)
    program = dl.check.program_prints(app("numpy-versions"), "order total: 28.50", files={"report.py": "print('order total: 28.50')"})
    assert program.passed and program.live == "needs an engine", str(program)


def test_the_live_tier_gets_the_text_not_the_path(monkeypatch, tmp_path):
    """Live, the build is given the file's text: the key a recording is made under is the text's."""
    from dockerlab import check, recording

    monkeypatch.setenv("DOCKERLAB_MODE", "live")
    recording.reset(directory=tmp_path)
    built = []
    monkeypatch.setattr(check, "build_replacing", lambda folder, dockerfile, **_: built.append(dockerfile) or (_ for _ in ()).throw(
        check.BuildFailed("stop here", step=1, instruction="FROM x", exit_code=1, log_tail=[])))
    solution = EXERCISES["03"].solution_file
    check.cache_survives_code_edit(app("layer-cache"), solution, exercise="03 · keep the install cached")
    assert built == [solution.read_text()]


# --- the same inputs laid out another way (positional or keyword, a default spelled out or left out) ---

LAYOUTS = {
    "03 code_file left out": lambda text: dl.check.cache_survives_code_edit(app("layer-cache"), text, exercise="03 · keep the install cached"),
    "03 all keywords": lambda text: dl.check.cache_survives_code_edit(app_dir=app("layer-cache"), dockerfile=text, code_file="app.py",
                                                                      exercise="03 · keep the install cached"),
    "03 default step spelled out": lambda text: dl.check.cache_survives_code_edit(app("layer-cache"), text, code_file="app.py", dependency_step="pip install",
                                                                                  exercise="03 · keep the install cached"),
    "03 app folder as a relative str": lambda text: dl.check.cache_survives_code_edit("../data/apps/layer-cache", text, code_file="app.py",
                                                                                      exercise="03 · keep the install cached"),
    "02 dockerfile positional": lambda text: dl.check.dockerfile_prints(app("greeter"), "Hello, Docker learner!", text,
                                                                        exercise="02 · containerize the greeter"),
    "05 service left out": lambda text: dl.check.compose_service_healthy(app("compose-api"), text, exercise="05 · a healthy api"),
    "02a settle spelled out": lambda text: dl.check.keeps_running_and_stops(app("signals"), text, settle=3.0, exercise="02a · a container that stops on time"),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_the_same_inputs_laid_out_another_way_replay(layout, shipped_recordings, monkeypatch):
    monkeypatch.chdir(COURSE_ROOT / "notebooks")
    number = layout.split()[0]
    text = EXERCISES[number].solution_text()
    verdict = LAYOUTS[layout](text)
    assert verdict.passed and verdict.live == "replayed", str(verdict)
    assert str(verdict) == str(EXERCISES[number].check(text))


def test_other_inputs_are_not_replayed_as_the_recorded_ones(shipped_recordings):
    text = EXERCISES["03"].solution_text()
    other = dl.check.cache_survives_code_edit(app("layer-cache"), text, code_file="requirements.txt", exercise="03 · keep the install cached")
    assert other.live == "needs an engine", str(other)
    unlabelled = dl.check.cache_survives_code_edit(app("layer-cache"), text, code_file="app.py")
    assert unlabelled.live == "needs an engine", str(unlabelled)  # the exercise label is part of what was recorded
