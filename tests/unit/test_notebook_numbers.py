"""Notebook numbers with a letter (02a sits between 02 and 03): found, ordered and chosen by
`dockerlab record --only`, `dockerlab render`, the cheat sheet and the README's figure table alike."""
import pandas as pd
import pytest

from dockerlab import course, results
from dockerlab.errors import DockerlabError
from dockerlab.paths import notebook_number, numbered_notebooks


@pytest.mark.parametrize(("name", "number"), [
    ("02a_running_containers.ipynb", "02a"), ("02_core_concepts.ipynb", "02"), ("07_summary", "07"),
    ("glossary.md", None), ("2_short.ipynb", None), ("02ab_two_letters.ipynb", None), ("02A_upper.ipynb", None), ("0202_x.ipynb", None),
])
def test_the_number_of_a_notebook(name, number):
    assert notebook_number(name) == number


@pytest.fixture
def folder(tmp_path, monkeypatch):
    for name in ("03_layer_caching", "02a_running_containers", "00_start_here", "02_core_concepts", "notes", "02ab_draft"):
        (tmp_path / f"{name}.ipynb").write_text("{}")
    (tmp_path / "glossary.md").write_text("")
    monkeypatch.setattr(course, "NOTEBOOKS", tmp_path)
    return tmp_path


def test_a_lettered_notebook_sorts_after_its_number_and_before_the_next(folder):
    assert [path.stem for path in numbered_notebooks(folder)] == ["00_start_here", "02_core_concepts", "02a_running_containers", "03_layer_caching"]
    assert course.notebooks() == numbered_notebooks(folder)


@pytest.mark.parametrize(("only", "chosen"), [
    (["02"], ["02_core_concepts"]),  # a bare number is that notebook only, not 02a too
    (["02a"], ["02a_running_containers"]),
    (["02a_running_containers"], ["02a_running_containers"]),
    (["02a_running_containers.ipynb"], ["02a_running_containers"]),
    (["02_"], ["02_core_concepts"]),
    (["0"], ["00_start_here", "02_core_concepts", "02a_running_containers", "03_layer_caching"]),
    (["03", "02a"], ["02a_running_containers", "03_layer_caching"]),
])
def test_only_chooses_by_number_name_or_beginning(folder, only, chosen):
    assert [path.stem for path in course.notebooks(only)] == chosen


def test_only_with_no_match_says_which_notebooks_exist(folder):
    with pytest.raises(DockerlabError, match="No notebook matches 02b") as raised:
        course.notebooks(["02b"])
    assert "02a_running_containers" in str(raised.value)


def test_the_readme_table_names_a_lettered_notebook_by_its_number():
    figures = pd.DataFrame([{"notebook": "02a_running_containers", "label": "docker stop, shell-form CMD (median seconds)", "value": 10.2,
                             "unit": " s", "direction": "at least", "target": 9, "met": True, "conditions": "Docker 20.10"}])
    assert "| docker stop, shell-form CMD (median seconds) (02a) | 10.2 s | ≥ 9 s | met |" in results.readme_table(figures)


def test_the_course_has_the_running_containers_notebook_between_02_and_03():
    stems = [path.stem for path in numbered_notebooks()]
    assert stems.index("02a_running_containers") == stems.index("02_core_concepts") + 1 == stems.index("03_layer_caching") - 1
