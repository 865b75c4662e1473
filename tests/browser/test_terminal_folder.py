"""A terminal opened the way a learner opens one (JupyterLab's File > New > Terminal, in headless Chromium)
starts in notebooks/, where the course's terminal commands are written from, with the server started as on
Binder: repo2docker's entrypoint runs binder/start, then the server, in the repository root (its root folder).
The paths in notebook 02's terminal exercise are then found from there. No engine needed: the commands'
paths are checked, not the builds."""
from __future__ import annotations

import json
import re
import shlex
import time

import pytest

from dockerlab.paths import COURSE_ROOT, NOTEBOOKS

from .conftest import jupyter_server


def exercise_paths() -> list[str]:
    """The relative paths in notebook 02's terminal exercise (its ```bash block), as the learner types them."""
    cells = json.loads((NOTEBOOKS / "02_core_concepts.ipynb").read_text())["cells"]
    text = "".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    commands = re.search(r"```bash\n(.*?)```", text[text.index("## Exercise in a terminal"):], re.DOTALL).group(1)
    return [word for line in commands.splitlines() for word in shlex.split(line) if "/" in word]


@pytest.fixture(scope="module")
def binder_lab(tmp_path_factory):
    with jupyter_server(COURSE_ROOT, tmp_path_factory.mktemp("binder-lab"), [], launcher=["bash", str(COURSE_ROOT / "binder" / "start")]) as served:
        yield served


def test_file_new_terminal_starts_in_notebooks_where_the_exercise_paths_are(browser, binder_lab, tmp_path):
    paths = exercise_paths()
    assert paths and all(path.startswith("../") for path in paths), paths
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.set_default_timeout(60_000)
    page.goto(f"{binder_lab['base']}/lab?token={binder_lab['token']}")
    page.get_by_role("menuitem", name="File", exact=True).click()
    page.locator(".lm-Menu-item", has=page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^New$"))).first.click()
    page.locator(".lm-Menu-item", has=page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Terminal$"))).first.click()
    page.locator(".jp-Terminal .xterm").first.click()
    missing = " ".join(shlex.quote(path) for path in paths)
    page.keyboard.type(f"pwd -P > {tmp_path}/pwd; for p in {missing}; do test -e \"$p\" || echo \"$p\"; done > {tmp_path}/missing\n")
    deadline = time.monotonic() + 30
    while not (tmp_path / "missing").exists() and time.monotonic() < deadline:
        time.sleep(0.3)
    time.sleep(0.5)  # the loop's output is written before the file is closed
    page.close()
    assert (tmp_path / "pwd").read_text().strip() == str(NOTEBOOKS.resolve())
    assert (tmp_path / "missing").read_text() == ""
