"""The course site as `make run` builds it, read in headless Chromium with the network blocked.

Renders every notebook in recorded mode (the recordings, no engine: about a minute), builds the
site with Jupyter Book 2, then opens the index and every page from file:// with every request that
is not a local file refused and counted: each page must show its title, the table of contents,
previous/next links and, where the notebook drew plots, a plot that really loaded; the search must
find "BuildKit". Screenshots of a page in the light and the dark colour scheme go to build/browser/.
"""
from __future__ import annotations

import json

import pytest

from dockerlab import recording

from .conftest import SCREENSHOTS


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from dockerlab.course import render

    out = tmp_path_factory.mktemp("course")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DOCKERLAB_MODE", "recorded")  # reading the recordings: fast and the same plots
        recording.reset()
        try:
            render(out)
        finally:
            recording.reset()  # later tests in this process read the environment again (live)
    run = json.loads((out / "executed" / "timings.json").read_text())
    return out / "html", run["notebooks"]


@pytest.fixture
def offline(browser):
    """A page whose every request other than a local file is aborted and recorded."""
    refused: list[str] = []

    def route(route):
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context = browser.new_context(offline=True, viewport={"width": 1300, "height": 900})
    context.route("**/*", route)
    page = context.new_page()
    page.refused = refused
    yield page
    context.close()


def test_every_page_reads_offline_with_title_navigation_and_plots(offline, site):
    html, notebooks = site
    page = offline
    page.goto((html / "index.html").as_uri())
    assert page.locator("h1").inner_text().startswith("dockerlab")
    toc = page.locator("nav.toc a")
    entries = [(link.inner_text(), link.get_attribute("href")) for link in toc.all()]
    titles = [title for title, _ in entries]
    assert titles[1 : 1 + len(notebooks)] == [row["title"] for row in notebooks]  # every notebook, in order, by its real title
    assert titles[1 + len(notebooks):] == ["Glossary", "Docker commands used in this course"]  # then the reference pages
    for position, (title, href) in enumerate(entries):
        page.goto((html / href).as_uri())
        assert page.locator("article h1").inner_text() == title
        assert title in page.title()
        assert page.locator("nav.toc a[aria-current=page]").inner_text() == title
        if position > 0:
            assert page.locator(".pager a[rel=prev]").get_attribute("href") == entries[position - 1][1]
        if position + 1 < len(entries):
            assert page.locator(".pager a[rel=next]").get_attribute("href") == entries[position + 1][1]
        if href.endswith(".html") and any(row["title"] == title for row in notebooks):
            assert page.locator("a.binder").get_attribute("href").startswith("https://mybinder.org/v2/gh/")
        row = next((row for row in notebooks if row["title"] == title), None)
        if row and row["plots"]:
            plots = page.locator(".output.image img")
            assert plots.count() == row["plots"], title
            plots.first.scroll_into_view_if_needed()
            loaded = plots.first.evaluate("image => image.complete && image.naturalWidth")
            assert loaded > 200 and plots.first.bounding_box()["width"] > 200, title
    assert page.refused == [], f"pages asked the internet for {page.refused}"


def test_search_finds_buildkit_offline(offline, site):
    html, _ = site
    page = offline
    page.goto((html / "index.html").as_uri())
    assert page.locator("#search-results").is_hidden()
    page.fill("#search", "BuildKit")
    results = page.locator("#search-results li a")
    results.first.wait_for()
    assert results.count() >= 1
    first = results.first.inner_text()
    results.first.click()
    page.wait_for_load_state()
    assert "buildkit" in page.locator("article").inner_text().lower(), first
    page.fill("#search", "no-such-word-anywhere")
    assert page.locator("#search-results").inner_text().startswith("0 results")
    assert page.refused == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_page_in_the_light_and_the_dark_scheme(browser, site, scheme):
    html, _ = site
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1300, "height": 900})
    page = context.new_page()
    page.goto((html / "core-concepts.html").as_uri())
    page.locator(".dockerlab-mode").first.scroll_into_view_if_needed()
    colours = page.evaluate("[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.querySelector('.dockerlab-mode')).color]")
    assert colours == (["rgb(255, 255, 255)", "rgb(0, 0, 0)"] if scheme == "light" else ["rgb(17, 17, 17)", "rgb(255, 255, 255)"])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"site_core_concepts_{scheme}.png"))
    context.close()
