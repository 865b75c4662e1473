"""The glossary's terms have stable anchors, and every notebook links the first use of each term to
them (dockerlab.glossary). No engine."""
from __future__ import annotations

import re

import nbformat
import pytest

from dockerlab import glossary
from dockerlab.errors import DockerlabError
from dockerlab.paths import NOTEBOOKS, numbered_notebooks

TERMS = glossary.terms()
NUMBERED = numbered_notebooks()
LINK = re.compile(r"\]\(glossary\.md#([^)\s]+)\)")


def test_every_term_has_its_anchor_once():
    assert len(TERMS) >= 25
    assert [term.anchor for term in TERMS] == [glossary.anchor(term.term) for term in TERMS]
    anchors = re.findall(r'<span id="([^"]+)"></span>', glossary.GLOSSARY.read_text())
    assert len(anchors) == len(set(anchors)) == len(TERMS)


@pytest.mark.parametrize("page", [*NUMBERED, NOTEBOOKS / "cheatsheet.md"], ids=lambda path: path.stem)
def test_every_glossary_link_has_a_target(page):
    text = page.read_text()
    if page.suffix == ".ipynb":
        text = "\n".join(cell.source for cell in nbformat.read(page, as_version=4).cells if cell.cell_type == "markdown")
    anchors = {term.anchor for term in TERMS}
    assert not [target for target in LINK.findall(text) if target not in anchors]


@pytest.mark.parametrize("notebook", NUMBERED, ids=lambda path: path.stem)
def test_each_notebook_links_the_first_use_of_each_term(notebook):
    rows = glossary.first_uses(notebook)
    assert rows, f"{notebook.name} uses no glossary term"
    missing = [f"{row['term']!r} (cell {row['cell']}: {row['text']!r})" for row in rows if not row["linked"]]
    assert not missing, (f"{notebook.name}: the first use of {', '.join(missing)} does not link the glossary; "
                         f"`python -m dockerlab.glossary notebooks/{notebook.name}` links it")


GLOSSARY = """# Glossary

<span id="term-image"></span>**image**: a stack of layers.

<span id="term-image-id"></span>**image id**: the hash of an image's config.

<span id="term-registry"></span>**registry**: a server that stores images.

**layer**: one change set.
"""


def _notebook(tmp_path, *sources):
    document = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(source) for source in sources])
    path = tmp_path / "00_x.ipynb"
    nbformat.write(document, path)
    return path, [cell.id for cell in document.cells]


def test_first_use_skips_code_headings_and_longer_terms(tmp_path):
    (tmp_path / "glossary.md").write_text(GLOSSARY)
    notebook, _ = _notebook(tmp_path, "# Images\n\nThe `image` and the image id.", "Two registries store images.")
    rows = {row["term"]: row for row in glossary.first_uses(notebook, tmp_path / "glossary.md")}
    assert rows["image id"]["cell"] == 0 and rows["image"]["cell"] == 1 and rows["image"]["text"] == "images"
    assert rows["registry"]["text"] == "registries" and not any(row["linked"] for row in rows.values())
    assert "layer" not in rows


def test_link_first_uses_links_once_and_keeps_cell_ids(tmp_path):
    (tmp_path / "glossary.md").write_text(GLOSSARY)
    notebook, ids = _notebook(tmp_path, "An image id, then an image.", "Another image and its image id.")
    assert sorted(glossary.link_first_uses(notebook, tmp_path / "glossary.md")) == ["image", "image id"]
    document = nbformat.read(notebook, as_version=4)
    assert [cell.id for cell in document.cells] == ids
    assert document.cells[0].source == "An [image id](glossary.md#term-image-id), then an [image](glossary.md#term-image)."
    assert document.cells[1].source == "Another image and its image id."
    assert glossary.link_first_uses(notebook, tmp_path / "glossary.md") == []


def test_a_used_term_without_an_anchor_is_an_error(tmp_path):
    (tmp_path / "glossary.md").write_text(GLOSSARY)
    notebook, _ = _notebook(tmp_path, "One layer.")
    with pytest.raises(DockerlabError, match="term-layer"):
        glossary.link_first_uses(notebook, tmp_path / "glossary.md")


# Terms no notebook links, each with the reason (none now: issue 21 found four unlinked and linked each first use).
UNLINKED = {}


def test_every_term_is_linked_from_some_notebook():
    # a term whose words the notebooks never use ("port publishing": they say publish, -p) is linked by hand at its first use
    linked = {target for notebook in NUMBERED for cell in nbformat.read(notebook, as_version=4).cells
              if cell.cell_type == "markdown" for target in LINK.findall(cell.source)}
    orphans = sorted(term.anchor for term in TERMS if term.anchor not in linked and term.anchor not in UNLINKED)
    assert not orphans, (f"glossary terms no notebook links: {orphans}; link the first use of each (dockerlab.glossary links the "
                         "term's own words), or list it in UNLINKED with the reason")
    assert not set(UNLINKED) & linked, "a term listed as unlinked is linked now: take it out of UNLINKED"
