"""The course glossary (notebooks/glossary.md) and the links to it from the notebooks.

glossary.md is one paragraph per term, ``<span id="term-build-context"></span>**build context**: text``.
The HTML anchor works in both places the glossary is read: JupyterLab's Markdown preview (its
sanitizer keeps ``id``) and the course site (mystmd takes the span as a link target, so a notebook's
``glossary.md#term-build-context`` resolves, and :mod:`dockerlab.site` writes
``glossary.html#term-build-context`` and the ``<span id=...>``).
Each notebook links the first use of each term in its Markdown cells to the term's anchor;
:func:`first_uses` finds them and :func:`link_first_uses` adds the missing links.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .errors import DockerlabError
from .paths import NOTEBOOKS
from .recording.arguments import check_public

__all__ = ["GLOSSARY", "Term", "anchor", "terms", "first_uses", "link_first_uses"]

GLOSSARY = NOTEBOOKS / "glossary.md"
_ENTRY = re.compile(r'^(?:<span id="(?P<anchor>[^"]+)"></span>)?\*\*(?P<term>[^*]+)\*\*:', re.M)
# Markdown a term inside does not count as a use: fenced code, inline code, links (text and target),
# HTML tags and headings.
_NOT_PROSE = re.compile(r"```.*?```|`[^`\n]*`|!?\[[^\]\n]*\]\([^)\n]*\)|<[^>\n]+>|^#+ [^\n]*$", re.S | re.M)


@dataclass(frozen=True)
class Term:
    """One glossary entry: the term as written, its anchor in glossary.md (None when it has none)."""

    term: str
    anchor: str | None

    @property
    def pattern(self) -> re.Pattern:
        """The term in prose: any case, whole words, plural too (``images``, ``registries``)."""
        words = r"[\s-]+".join(re.escape(word) for word in re.split(r"[\s-]+", self.term))
        words = words[:-1] + "(?:y|ies)" if self.term.endswith("y") else words + "(?:s|es)?"
        return re.compile(rf"(?<![\w/.-])({words})(?![\w-])", re.I)


def anchor(term: str) -> str:
    """The anchor a term gets in glossary.md: ``term-`` and its words in lower case, joined by ``-``
    ("build context" -> "term-build-context"). Returns a str. Raises nothing."""
    return "term-" + "-".join(re.findall(r"[a-z0-9]+", term.lower()))


def terms(path: Path | None = None) -> list[Term]:
    """The glossary's terms in the order written. Returns a list of :class:`Term` (each with the
    anchor written before it, None when missing). Raises OSError when the glossary cannot be read."""
    text = Path(path or GLOSSARY).read_text()
    return [Term(found.group("term").strip(), found.group("anchor")) for found in _ENTRY.finditer(text)]


def _prose_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` is prose a term can be used in: between code, links, HTML tags and headings."""
    spans, start = [], 0
    for skipped in _NOT_PROSE.finditer(text):
        spans.append((start, skipped.start()))
        start = skipped.end()
    spans.append((start, len(text)))
    return spans


def _uses(text: str, known: list[Term]) -> dict[Term, tuple[int, int]]:
    """The first use of each term in a Markdown text, longest terms first ("layer cache" is not a
    use of "layer"): {term: (start, end)}."""
    taken: list[tuple[int, int]] = []
    found: dict[Term, tuple[int, int]] = {}
    for term in sorted(known, key=lambda t: -len(t.term)):
        for start, end in _prose_spans(text):
            for match in term.pattern.finditer(text, start, end):
                span = match.span(1)
                if any(span[0] < other[1] and other[0] < span[1] for other in taken):
                    continue
                taken.append(span)
                found.setdefault(term, span)
    return found


def _linked(source: str, term: Term) -> int | None:
    """Where the first link to ``term``'s glossary anchor starts in ``source``, None without one."""
    found = re.search(rf"\[[^\]\n]*\]\(glossary\.md#{re.escape(term.anchor or '')}\)", source)
    return found.start() if found else None


def first_uses(notebook: Path, path: Path | None = None) -> list[dict]:
    """Each glossary term a notebook's Markdown cells use, where it is first used and whether that
    first use links the glossary. Returns a list of dicts: ``term``, ``anchor``, ``cell`` (index of
    the Markdown cell of the first use or link), ``text`` (the words used), ``linked`` (True when
    the term's first appearance, used or linked, is a link to ``glossary.md#anchor``).
    Raises OSError when the notebook or the glossary cannot be read, and nbformat's errors for a file that is not a
    notebook."""
    document = nbformat.read(notebook, as_version=4)
    known = terms(path)
    rows: dict[str, dict] = {}
    for index, cell in enumerate(document.cells):
        if cell.cell_type != "markdown":
            continue
        uses = _uses(cell.source, known)
        for term in known:
            if term.term in rows:
                continue
            link = _linked(cell.source, term) if term.anchor else None
            use = uses.get(term)
            if link is None and use is None:
                continue
            linked = link is not None and (use is None or link < use[0])
            text = cell.source[use[0]:use[1]] if use and not linked else term.term
            rows[term.term] = {"term": term.term, "anchor": term.anchor, "cell": index, "text": text, "linked": linked}
    return list(rows.values())


def link_first_uses(notebook: Path, path: Path | None = None) -> list[str]:
    """Link the first use of each glossary term in ``notebook`` that is not linked yet (the words
    become ``[words](glossary.md#anchor)``), writing the notebook back with its cell ids. Returns
    the terms linked. Raises DockerlabError when a term used has no anchor in the glossary."""
    document = nbformat.read(notebook, as_version=4)
    changed = []
    for row in first_uses(notebook, path):
        if row["linked"]:
            continue
        if not row["anchor"]:
            raise DockerlabError(f"The glossary term {row['term']!r} has no anchor.",
                                 fix=f'Write <span id="{anchor(row["term"])}"></span> before it in glossary.md.')
        cell = document.cells[row["cell"]]
        span = _uses(cell.source, terms(path))[next(t for t in terms(path) if t.term == row["term"])]
        cell.source = f"{cell.source[:span[0]]}[{cell.source[span[0]:span[1]]}](glossary.md#{row['anchor']}){cell.source[span[1]:]}"
        changed.append(row["term"])
    if changed:
        nbformat.write(document, notebook)
    return changed


if __name__ == "__main__":  # python -m dockerlab.glossary notebooks/*.ipynb
    import sys

    for name in sys.argv[1:]:
        print(name, link_first_uses(Path(name)))


check_public(globals(), "glossary")  # the one argument check, for every public function here
