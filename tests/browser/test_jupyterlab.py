"""The course in a real JupyterLab, in headless Chromium (Debian's `chromium`, driven by Playwright).

Starts `jupyter lab` on 127.0.0.1 with a token, opens notebook 00, runs every cell through the UI,
checks that no cell shows an error and that the doctor's table rendered, and saves a screenshot
under build/browser/. Then opens an executed HTML page and checks that its plot is an image.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from dockerlab.paths import COURSE_ROOT

SCREENSHOTS = COURSE_ROOT / "build" / "browser"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium() -> str | None:
    return os.environ.get("DOCKERLAB_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser(request):
    executable = chromium()
    if not executable:
        message = "no Chromium: sudo bash scripts/install-browser-tools"
        if request.config.getoption("--require-browser"):
            pytest.fail(f"--require-browser: {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=FLAGS, headless=True)
        yield launched
        launched.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving a copy of notebook 00 (running it through the UI saves outputs into the copy)."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copy(COURSE_ROOT / "notebooks" / "00_start_here.ipynb", root / "00_start_here.ipynb")
    port, token = free_port(), secrets.token_hex(16)
    # Render every cell (JupyterLab 4 leaves cells outside the viewport unrendered by default) and no news toast.
    settings = root / ".settings" / "@jupyterlab"
    (settings / "notebook-extension").mkdir(parents=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False",
        "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        f"--LabApp.user_settings_dir={root / '.settings'}",
    ]
    if os.getuid() == 0:
        command.append("--allow-root")
    log = open(root / "jupyter.log", "w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "JUPYTER_CONFIG_DIR": str(root / ".jupyter")})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("jupyter lab did not start: " + (root / "jupyter.log").read_text()[-2000:])
            time.sleep(0.3)
    yield {"base": base, "token": token, "root": root}
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


def test_notebook_00_runs_in_jupyterlab_without_errors(browser, lab):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})

    def run_all() -> None:
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

    page.set_default_timeout(60_000)
    page.goto(f"{lab['base']}/lab/tree/00_start_here.ipynb?token={lab['token']}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", state="visible")
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=120_000)  # the kernel is up
    saved_file = lab["root"] / "00_start_here.ipynb"

    def executed_cells() -> tuple[int, int]:
        """(code cells with an execution count, code cells) in the notebook as last saved."""
        cells = [cell for cell in json.loads(saved_file.read_text())["cells"] if cell["cell_type"] == "code"]
        return sum(cell.get("execution_count") is not None for cell in cells), len(cells)

    started, deadline = time.monotonic(), time.monotonic() + 600
    run_all()
    while True:
        time.sleep(2)
        prompts = [text.strip() for text in page.locator(".jp-NotebookPanel .jp-CodeCell .jp-InputPrompt").all_inner_texts()]
        if "[*]:" not in prompts:
            page.keyboard.press("Control+s")
            time.sleep(1)
            done, count = executed_cells()
            if done == count:
                break
            if done == 0 and time.monotonic() - started > 20:
                run_all()  # the first click can land before the kernel connection is ready
                started = time.monotonic()
        assert time.monotonic() < deadline, f"cells did not finish: {prompts}"
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


def test_an_executed_html_page_shows_its_plot(browser, tmp_path, monkeypatch):
    from dockerlab.course import render

    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")  # reading the recordings: fast and the same plot
    render(tmp_path, only=["02"])
    page = browser.new_page()
    page.goto((tmp_path / "html" / "index.html").as_uri())
    page.get_by_role("link", name="02 · Docker core concepts").click()
    page.wait_for_load_state()
    images = page.locator("img[src^='data:image/png']")
    assert images.count() >= 1 and images.first.bounding_box()["width"] > 200
    page.screenshot(path=str(SCREENSHOTS / "02_core_concepts_html.png"))
    page.close()
