"""The HTML side of the course's Jupyter Book 2 site: MyST's content (AST) to static pages.

Jupyter Book 2 (mystmd) reads ``site/myst.yml``, the executed notebooks and the Markdown pages and
builds the site's content: page titles, the table of contents, each page's AST with the notebooks'
outputs, and a search index. Its default look, the ``book-theme``, is downloaded from GitHub on
first use and renders pages in a Node.js server; neither works in an offline room. The course's own
site template (``site/theme/template.yml``) declares a ``build.render`` command instead: mystmd
serves the content on localhost (``CONTENT_CDN``) and runs ``python -m dockerlab.site``, which
writes plain HTML pages into ``BUILD_DIRECTORY``, each with the real title, the table of contents,
previous/next links, search (an index shipped as a script, so it works from ``file://``) and a
Binder link, and every asset local: no page fetches anything from the internet when it is read.
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import sys
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .paths import COURSE_ROOT

__all__ = ["Content", "render_site", "main", "THEME"]

THEME = COURSE_ROOT / "site" / "theme"
FILES = "files"  # where images and downloadable notebooks go, beside the pages
ANSI = re.compile(r"\x1b(?:\[[0-9;?]*[A-Za-z]|c)")  # colours, cursor and screen codes (ESC[?7l, ESC c)
OUTPUT_PREFERENCE = ("text/html", "image/svg+xml", "image/png", "image/jpeg", "image/gif", "text/markdown", "text/latex", "text/plain")


class Content:
    """Where mystmd's site content is read from: its content server (``http://localhost:PORT``) or
    its folder on disk (``_build/site``: config.json, content/, public/, myst.search.json)."""

    def __init__(self, source: str | Path) -> None:
        self.source = str(source)
        self.remote = self.source.startswith(("http://", "https://"))

    def _read(self, remote_path: str, local_path: str) -> bytes:
        if self.remote:
            with urllib.request.urlopen(self.source.rstrip("/") + remote_path, timeout=60) as response:
                return response.read()
        return (Path(self.source) / local_path).read_bytes()

    def config(self) -> dict:
        """The site's config.json. Returns a dict. Raises OSError (urllib's URLError) when it cannot be read, and
        ValueError when it is not JSON."""
        return json.loads(self._read("/config.json", "config.json"))

    def page(self, slug: str) -> dict:
        """The page ``slug``'s JSON. Returns a dict. Raises OSError (urllib's URLError) when it cannot be read, and
        ValueError when it is not JSON."""
        return json.loads(self._read(f"/content/{slug}.json", f"content/{slug}.json"))

    def search(self) -> dict:
        """The site's search index. Returns a dict. Raises OSError (urllib's URLError) when it cannot be read, and
        ValueError when it is not JSON."""
        return json.loads(self._read("/myst.search.json", "myst.search.json"))

    def public(self, url: str) -> bytes:
        """The bytes of the public file at ``url``. Returns bytes. Raises OSError (urllib's URLError) when it cannot
        be read."""
        name = url.lstrip("/")
        return self._read("/" + urllib.parse.quote(name), f"public/{name}")


@dataclass
class Page:
    slug: str
    title: str
    level: int = 1

    @property
    def href(self) -> str:
        return f"{self.slug}.html"


@dataclass
class Site:
    title: str
    pages: list[Page]
    options: dict
    content: Content
    out: Path
    copied: set[str] = field(default_factory=set)

    def href(self, url: str) -> str:
        """A MyST URL ('/start-here#section', '/') as a relative link to a page of this site."""
        if not url.startswith("/") or url.startswith("//"):
            return url
        path, _, fragment = url.partition("#")
        slug = path.strip("/") or "index"
        known = {page.slug for page in self.pages}
        if slug not in known:
            return self.file(url)
        return f"{slug}.html" + (f"#{fragment}" if fragment else "")

    def file(self, url: str) -> str:
        """Copy a public file of the content (an image, a notebook) beside the pages; its relative link."""
        name = Path(urllib.parse.unquote(url.split("#")[0])).name
        if name not in self.copied:
            target = self.out / FILES / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(self.content.public(url))
            self.copied.add(name)
        return f"{FILES}/{urllib.parse.quote(name)}"


# --- MyST AST to HTML --------------------------------------------------------------------------

_SIMPLE = {
    "paragraph": "p", "emphasis": "em", "strong": "strong", "blockquote": "blockquote", "listItem": "li",
    "tableRow": "tr", "definitionList": "dl", "definitionDescription": "dd", "subscript": "sub",
    "superscript": "sup", "delete": "del", "underline": "u", "caption": "figcaption", "abbreviation": "abbr",
    "smallcaps": "span", "keyboard": "kbd", "footnoteDefinition": "div",
}
_SKIP = {"comment", "mystComment", "mystTarget", "footnoteDefinition_hidden"}


class Renderer:
    def __init__(self, site: Site) -> None:
        self.site = site

    def children(self, node: dict) -> str:
        return "".join(self.node(child) for child in node.get("children", []))

    def node(self, node: dict) -> str:
        kind = node.get("type", "")
        method = getattr(self, f"_{kind}", None)
        if method is not None:
            return method(node)
        if kind in _SKIP:
            return ""
        if kind in _SIMPLE:
            tag = _SIMPLE[kind]
            return f"<{tag}>{self.children(node)}</{tag}>"
        if "children" in node:
            return self.children(node)
        return html.escape(str(node.get("value", "")))

    # text and inline
    def _text(self, node):
        return html.escape(node.get("value", ""))

    def _inlineCode(self, node):
        return f"<code>{html.escape(node.get('value', ''))}</code>"

    def _inlineMath(self, node):
        return f"<code class='math'>{html.escape(node.get('value', ''))}</code>"

    def _break(self, node):
        return "<br>"

    def _html(self, node):
        return node.get("value", "")

    def _link(self, node):
        url = node.get("url", "")
        external = url.startswith(("http://", "https://"))
        extra = " rel='noopener'" if external else ""
        return f"<a href='{html.escape(self.site.href(url), quote=True)}'{extra}>{self.children(node)}</a>"

    def _span(self, node):
        # `<span id="term-layer"></span>` in Markdown (glossary.md): a link target mystmd resolves.
        anchor = node.get("html_id") or node.get("identifier") or ""
        attribute = f" id='{html.escape(anchor, quote=True)}'" if anchor else ""
        return f"<span{attribute}>{self.children(node)}</span>"

    def _crossReference(self, node):
        target = node.get("html_id") or node.get("identifier") or ""
        url = node.get("url") or ""
        if target and "#" not in url:
            # mystmd resolves a link to a target on another page (`glossary.md#term-layer`) to the
            # page's url and the target's html_id; the link needs both.
            url += "#" + target
        return f"<a class='xref' href='{html.escape(self.site.href(url), quote=True)}'>{self.children(node) or html.escape(node.get('label', ''))}</a>"

    def _footnoteReference(self, node):
        return f"<sup>[{html.escape(str(node.get('enumerator') or node.get('label', '')))}]</sup>"

    def _image(self, node):
        url, alt = node.get("url", ""), node.get("alt", "")
        if url.startswith(("http://", "https://", "//")):
            # Read offline: a remote image would be fetched when the page is read. A link instead.
            return f"<a href='{html.escape(url, quote=True)}'>{html.escape(alt or url)}</a>"
        return f"<img src='{html.escape(self.site.file(url), quote=True)}' alt='{html.escape(alt, quote=True)}'>"

    # blocks
    def _heading(self, node):
        depth = min(6, int(node.get("depth", 2)))
        anchor = node.get("html_id") or node.get("identifier") or ""
        attribute = f" id='{html.escape(anchor, quote=True)}'" if anchor else ""
        return f"<h{depth}{attribute}>{self.children(node)}</h{depth}>"

    def _code(self, node):
        language = node.get("lang") or ""
        css = f" class='language-{html.escape(language, quote=True)}'" if language else ""
        return f"<pre class='source'><code{css}>{html.escape(node.get('value', ''))}</code></pre>"

    def _math(self, node):
        return f"<pre class='math'>{html.escape(node.get('value', ''))}</pre>"

    def _thematicBreak(self, node):
        return "<hr>"

    def _list(self, node):
        tag = "ol" if node.get("ordered") else "ul"
        start = node.get("start")
        attribute = f" start='{int(start)}'" if tag == "ol" and start not in (None, 1) else ""
        return f"<{tag}{attribute}>{self.children(node)}</{tag}>"

    def _table(self, node):
        return f"<div class='table-wrap'><table>{self.children(node)}</table></div>"

    def _tableCell(self, node):
        tag = "th" if node.get("header") else "td"
        align = node.get("align")
        attribute = f" style='text-align:{html.escape(align)}'" if align else ""
        return f"<{tag}{attribute}>{self.children(node)}</{tag}>"

    def _definitionTerm(self, node):
        anchor = node.get("html_id") or node.get("identifier") or ""
        attribute = f" id='{html.escape(anchor, quote=True)}'" if anchor else ""
        return f"<dt{attribute}>{self.children(node)}</dt>"

    def _admonition(self, node):
        kind = html.escape(node.get("kind", "note"), quote=True)
        return f"<aside class='admonition {kind}'>{self.children(node)}</aside>"

    def _admonitionTitle(self, node):
        return f"<p class='admonition-title'>{self.children(node)}</p>"

    def _container(self, node):
        return f"<figure>{self.children(node)}</figure>"

    def _block(self, node):
        kind = node.get("kind") or ""
        css = "cell code" if kind == "notebook-code" else "cell"
        return f"<div class='{css}'>{self.children(node)}</div>"

    # notebook outputs
    def _outputs(self, node):
        inner = self.children(node)
        return f"<div class='outputs'>{inner}</div>" if inner else ""

    def _output(self, node):
        data = node.get("jupyter_data") or {}
        kind = data.get("output_type")
        if kind == "stream":
            stream = html.escape(data.get("name", "stdout"), quote=True)
            return f"<pre class='output stream {stream}'>{html.escape(ANSI.sub('', _text(data.get('text', ''))))}</pre>"
        if kind == "error":
            trace = "\n".join(data.get("traceback") or [f"{data.get('ename')}: {data.get('evalue')}"])
            return f"<pre class='output error'>{html.escape(ANSI.sub('', trace))}</pre>"
        bundle = data.get("data") or {}
        for mime in OUTPUT_PREFERENCE:
            if mime in bundle:
                return self._mime(mime, bundle[mime])
        return ""  # widget views and other types a static page cannot show

    def _mime(self, mime: str, item: dict) -> str:
        if mime.startswith("image/"):
            return f"<div class='output image'><img src='{html.escape(self.site.file(item['path']), quote=True)}' alt='a figure the cell drew'></div>"
        content = item.get("content")
        if content is None and item.get("path"):
            content = self.site.content.public(item["path"]).decode()
        content = _text(content or "")
        if mime == "text/html":
            return f"<div class='output html'>{content}</div>"
        return f"<pre class='output text'>{html.escape(ANSI.sub('', content))}</pre>"


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


# --- pages ---------------------------------------------------------------------------------------

def _binder(site: Site, location: str) -> str | None:
    """The Binder link that opens this page's notebook in JupyterLab (the index opens notebook 00)."""
    repository = site.options.get("binder_repo")
    if not repository:
        return None
    name = Path(location or "").name
    if not name or name == "index.md":
        name = site.options.get("binder_start", "00_start_here.ipynb")
    folder = site.options.get("binder_folder", "notebooks").strip("/")
    ref = site.options.get("binder_ref", "HEAD")
    return f"https://mybinder.org/v2/gh/{repository}/{ref}?urlpath=" + urllib.parse.quote(f"lab/tree/{folder}/{name}", safe="")


def _layout(site: Site, page: Page, body: str, data: dict) -> str:
    index = site.pages.index(page)
    previous = site.pages[index - 1] if index > 0 else None
    following = site.pages[index + 1] if index + 1 < len(site.pages) else None
    escape = html.escape
    toc = "".join(
        f"<li class='level{entry.level}'><a href='{escape(entry.href, quote=True)}'"
        f"{' aria-current=page' if entry is page else ''}>{escape(entry.title)}</a></li>"
        for entry in site.pages
    )
    actions = []
    binder = _binder(site, data.get("location", ""))
    if binder:
        actions.append(f"<a class='binder' href='{escape(binder, quote=True)}' rel='noopener'>Launch on Binder</a>")
    for export in (data.get("frontmatter") or {}).get("exports") or []:
        if export.get("format") == "ipynb" and export.get("url"):
            actions.append(f"<a class='download' href='{escape(site.file(export['url']), quote=True)}' "
                           f"download='{escape(export.get('filename', ''), quote=True)}'>Download the notebook</a>")
    pager = "".join([
        f"<a rel='prev' href='{escape(previous.href, quote=True)}'><small>Previous</small><span>{escape(previous.title)}</span></a>"
        if previous else "<span></span>",
        f"<a rel='next' href='{escape(following.href, quote=True)}'><small>Next</small><span>{escape(following.title)}</span></a>"
        if following else "<span></span>",
    ])
    title = page.title if page.slug == "index" else f"{page.title} · {site.title}"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="stylesheet" href="site.css">
</head>
<body>
<header class="topbar">
<a class="brand" href="index.html">{escape(site.title)}</a>
<form class="search" role="search" onsubmit="return false">\
<input type="search" id="search" placeholder="Search the course" aria-label="Search the course" autocomplete="off"></form>
</header>
<div class="layout">
<nav class="toc" aria-label="Table of contents"><p class="toc-title">Contents</p><ol>{toc}</ol></nav>
<main>
<section id="search-results" aria-live="polite" hidden></section>
<article>
<div class="page-actions">{''.join(actions)}</div>
<h1>{escape(page.title)}</h1>
{body}
</article>
<nav class="pager" aria-label="Previous and next">{pager}</nav>
</main>
</div>
<script src="search-index.js"></script>
<script src="search.js"></script>
</body>
</html>
"""


def _search_index(site: Site) -> str:
    """myst.search.json with links to this site's pages, as a script (fetch() is refused on file://)."""
    records: dict[str, dict] = {}  # one per section: mystmd lists a heading and its text apart
    for record in site.content.search().get("records", []):
        url = site.href(record.get("url", "/"))
        entry = records.setdefault(url, {"url": url, "hierarchy": [], "content": ""})
        entry["hierarchy"] = [value for _, value in sorted((record.get("hierarchy") or {}).items()) if value] or entry["hierarchy"]
        if record.get("content"):
            entry["content"] = (entry["content"] + "\n" + record["content"]).strip()
    return "window.DOCKERLAB_SEARCH = " + json.dumps(list(records.values()), ensure_ascii=False) + ";\n"


def render_site(content: Content, out: str | Path) -> list[Path]:
    """Write every page of ``content`` as HTML into ``out``, with the stylesheet, search and files.
    Returns the pages written. Raises OSError (URLError from mystmd's content server) when the content cannot be read or
    ``out`` cannot be written, ValueError for content that is not JSON, and KeyError for a page without its mdast."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    config = content.config()
    project = (config.get("projects") or [{}])[0]
    index_slug = project.get("index", "index")
    pages = [Page("index", "", 1)] + [Page(entry["slug"], entry.get("title") or entry["slug"], entry.get("level", 1))
                                      for entry in project.get("pages", []) if entry.get("slug")]
    site = Site(title=project.get("title") or config.get("title") or "Course", pages=pages, options=config.get("options") or {}, content=content, out=out)
    written = []
    for page in pages:
        data = content.page(index_slug if page.slug == "index" else page.slug)
        if not page.title:
            page.title = (data.get("frontmatter") or {}).get("title") or site.title
        body = Renderer(site).node(data["mdast"])
        target = out / page.href
        target.write_text(_layout(site, page, body, data))
        written.append(target)
    for asset in ("site.css", "search.js"):
        shutil.copyfile(THEME / "static" / asset, out / asset)
    (out / "search-index.js").write_text(_search_index(site))
    return written


def main() -> int:
    """``build.render`` of the course's site template: mystmd sets CONTENT_CDN and BUILD_DIRECTORY.
    Returns the exit code (2 when not run by mystmd). Raises what :func:`render_site` raises."""
    source, out = os.environ.get("CONTENT_CDN"), os.environ.get("BUILD_DIRECTORY")
    if not source or not out:
        print("dockerlab.site: run by `jupyter-book build --html` (it sets CONTENT_CDN and BUILD_DIRECTORY)", file=sys.stderr)
        return 2
    written = render_site(Content(source), out)
    print(f"dockerlab.site: {len(written)} pages written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
