"""The course in a real JupyterLab, in headless Chromium (Debian's `chromium`, driven by Playwright).

Starts `jupyter lab` on 127.0.0.1 with a token, opens notebook 00, runs every cell through the UI,
checks that no cell shows an error and that the doctor's table rendered, and saves a screenshot
under build/browser/. Then, in recorded mode, screenshots notebook 00 in the light and the dark
theme and checks that the recorded-mode banner's text is legible in both (contrast ratio >= 4.5).
"""
from __future__ import annotations

import json
import re

import pytest

from dockerlab.paths import COURSE_ROOT

from .conftest import SCREENSHOTS, jupyter_lab, run_all_cells

NOTEBOOK_00 = COURSE_ROOT / "notebooks" / "00_start_here.ipynb"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a copy of notebook 00 (live when an engine answers, as a learner has it)."""
    with jupyter_lab(tmp_path_factory.mktemp("lab"), NOTEBOOK_00) as served:
        yield served


def test_notebook_00_runs_in_jupyterlab_without_errors(browser, lab):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})

    page.set_default_timeout(60_000)
    page.goto(f"{lab['base']}/lab/tree/00_start_here.ipynb?token={lab['token']}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", state="visible")
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=120_000)  # the kernel is up
    saved_file = lab["root"] / "00_start_here.ipynb"
    run_all_cells(page, saved_file)
    news = page.get_by_role("button", name="No", exact=True)
    if news.count() and news.first.is_visible():  # in case the news toast still shows, it would cover the outputs
        news.first.click()
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
    assert not [text for text in errors if "Traceback" in text or "Error" in text], errors
    doctor = page.locator(".jp-OutputArea-output table").first
    doctor.scroll_into_view_if_needed()
    assert doctor.is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "00_start_here.png"
    page.screenshot(path=str(shot), full_page=True)  # the doctor's table with the cells around it
    assert shot.stat().st_size > 20_000
    assert {"check", "status"} <= {header.strip() for header in doctor.locator("th").all_inner_texts()}
    assert "engine" in doctor.inner_text()

    saved = json.loads(saved_file.read_text())  # the outputs as saved have no error either
    outputs = [output for cell in saved["cells"] if cell["cell_type"] == "code" for output in cell.get("outputs", [])]
    assert outputs and not [output for output in outputs if output["output_type"] == "error"]
    page.close()


# --- the recorded-mode banner in the light and the dark theme ----------------------------------

# WCAG 2 contrast of an element's text on what is really behind it: the element's and its
# ancestors' background colours composited (the banner's tint is translucent), from computed styles.
CONTRAST = """element => {
  const parse = text => {
    const parts = text.match(/rgba?\\(([^)]+)\\)/)[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const layers = [];
  for (let node = element; node; node = node.parentElement) {
    const colour = parse(getComputedStyle(node).backgroundColor);
    if (colour[3] > 0) layers.push(colour);
    if (colour[3] >= 1) break;
  }
  let background = [255, 255, 255, 1];
  for (let i = layers.length - 1; i >= 0; i--) background = over(layers[i], background);
  const text = over(parse(getComputedStyle(element.querySelector('b') || element).color), background);
  const luminance = rgb => {
    const [r, g, b] = rgb.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(text), luminance(background)].sort((a, b) => b - a);
  return {ratio: (light + 0.05) / (dark + 0.05), text: text.slice(0, 3), background: background.slice(0, 3)};
}"""


@pytest.fixture(scope="module")
def recorded_lab(tmp_path_factory):
    """JupyterLab whose kernels run in recorded mode, so notebook 00 shows the recorded-mode banner."""
    with jupyter_lab(tmp_path_factory.mktemp("recorded-lab"), NOTEBOOK_00, {"DOCKERLAB_MODE": "recorded"}) as served:
        yield served


def _switch_theme(page, lab: dict, name: str) -> None:
    """The theme as a learner's settings choose it (user settings), then the page reloaded with it."""
    settings = lab["root"] / ".settings" / "@jupyterlab" / "apputils-extension" / "themes.jupyterlab-settings"
    settings.write_text(json.dumps({"theme": name}))
    page.reload()
    page.wait_for_function(f"document.body.dataset.jpThemeName === {name!r}")
    page.wait_for_selector(".jp-OutputArea-output .dockerlab-mode")
    page.wait_for_timeout(500)  # the theme's stylesheet applies


def test_the_recorded_banner_is_legible_in_the_light_and_the_dark_theme(browser, recorded_lab):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(f"{recorded_lab['base']}/lab/tree/00_start_here.ipynb?token={recorded_lab['token']}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", state="visible")
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=120_000)
    run_all_cells(page, recorded_lab["root"] / "00_start_here.ipynb")
    page.keyboard.press("Control+s")  # saved by the learner: its outputs stay trusted when it reopens
    banner = page.locator(".jp-OutputArea-output .dockerlab-mode").first
    banner.wait_for()
    assert "Mode: recorded" in banner.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    measured, status_contrast = {}, {}
    for theme, light in (("JupyterLab Light", True), ("JupyterLab Dark", False)):
        _switch_theme(page, recorded_lab, theme)
        assert page.evaluate("document.body.dataset.jpThemeLight") == ("true" if light else "false")
        banner.scroll_into_view_if_needed()
        shot = SCREENSHOTS / f"00_start_here_banner_{'light' if light else 'dark'}.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 20_000
        measured[theme] = banner.evaluate(CONTRAST)
        # the doctor's status words (ok, warn, fail, info) are text too, on the table's own rows
        statuses = page.locator(".jp-OutputArea-output table td").filter(has_text=re.compile(r"^\s*(ok|warn|fail|info)\s*$"))
        assert statuses.count() >= 3
        status_contrast[theme] = [cell.evaluate(CONTRAST) for cell in statuses.all()]
    print("recorded-mode banner contrast:", measured)
    for theme, found in measured.items():
        assert found["ratio"] >= 4.5, f"{theme}: text {found['text']} on {found['background']}: {found['ratio']:.2f}"
    for theme, cells in status_contrast.items():
        for found in cells:
            assert found["ratio"] >= 4.5, f"{theme}: a doctor status, text {found['text']} on {found['background']}: {found['ratio']:.2f}"
    # the themes really differ behind the banner (the test would pass trivially otherwise)
    assert sum(measured["JupyterLab Light"]["background"]) > 600 > sum(measured["JupyterLab Dark"]["background"])
    page.close()
