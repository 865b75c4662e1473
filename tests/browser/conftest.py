"""Headless Chromium (Debian's `chromium`, driven by Playwright) and JupyterLab for the browser tests."""
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
from contextlib import contextmanager
from pathlib import Path

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


@contextmanager
def jupyter_lab(root: Path, notebook: Path, environment: dict | None = None):
    """JupyterLab on 127.0.0.1 serving a copy of ``notebook`` in ``root`` (running it through the UI saves outputs into the copy)."""
    shutil.copy(notebook, root / notebook.name)
    with jupyter_server(root, root, ["--ServerApp.root_dir=" + str(root)], environment=environment) as served:
        yield {**served, "root": root}


@contextmanager
def jupyter_server(workdir: Path, state: Path, arguments: list[str], *, launcher: list[str] | None = None,
                   environment: dict | None = None):
    """`jupyter lab` on 127.0.0.1 with a token, started in ``workdir`` (by ``launcher`` + the command, when given,
    as repo2docker runs binder/start), with its user settings, config folder and log in ``state``."""
    port, token = free_port(), secrets.token_hex(16)
    # Render every cell (JupyterLab 4 leaves cells outside the viewport unrendered by default) and no news toast.
    settings = state / ".settings" / "@jupyterlab"
    (settings / "notebook-extension").mkdir(parents=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    command = [
        *(launcher or []), sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}", *arguments, "--ServerApp.open_browser=False",
        "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        f"--LabApp.user_settings_dir={state / '.settings'}",
    ]
    if os.getuid() == 0:
        command.append("--allow-root")
    log = open(state / "jupyter.log", "w")
    server = subprocess.Popen(command, cwd=workdir, stdout=log, stderr=subprocess.STDOUT,
                              env={**os.environ, **(environment or {}), "JUPYTER_CONFIG_DIR": str(state / ".jupyter")})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("jupyter lab did not start: " + (state / "jupyter.log").read_text()[-2000:])
                time.sleep(0.3)
        yield {"base": base, "token": token}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def run_all_cells(page, saved_file: Path, timeout: float = 600) -> None:
    """Run every cell through the menu; return once the saved notebook has every code cell executed."""

    def run_all() -> None:
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

    def executed_cells() -> tuple[int, int]:
        cells = [cell for cell in json.loads(saved_file.read_text())["cells"] if cell["cell_type"] == "code"]
        return sum(cell.get("execution_count") is not None for cell in cells), len(cells)

    started, deadline = time.monotonic(), time.monotonic() + timeout
    run_all()
    while True:
        time.sleep(2)
        prompts = [text.strip() for text in page.locator(".jp-NotebookPanel .jp-CodeCell .jp-InputPrompt").all_inner_texts()]
        if "[*]:" not in prompts:
            page.keyboard.press("Control+s")
            time.sleep(1)
            done, count = executed_cells()
            if done == count:
                return
            if done == 0 and time.monotonic() - started > 20:
                run_all()  # the first click can land before the kernel connection is ready
                started = time.monotonic()
        assert time.monotonic() < deadline, f"cells did not finish: {prompts}"
