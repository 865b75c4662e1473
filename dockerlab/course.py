"""The course's notebooks as files: find them, execute them, and publish them as static HTML."""
from __future__ import annotations

import html
import json
import os
import time
from pathlib import Path

from .errors import DockerlabError
from .paths import COURSE_ROOT

__all__ = ["NOTEBOOKS", "notebooks", "execute", "render"]

NOTEBOOKS = COURSE_ROOT / "notebooks"


def notebooks(only: list[str] | None = None) -> list[Path]:
    """The numbered notebooks in order; ``only`` keeps those whose name starts with one of the prefixes."""
    found = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if not only:
        return found
    chosen = [path for path in found if any(path.name.startswith(prefix) or path.stem == prefix for prefix in only)]
    if not chosen:
        raise DockerlabError(f"No notebook matches {' '.join(only)}.", fix=f"Use names or prefixes of: {', '.join(p.stem for p in found)}.")
    return chosen


def execute(notebook: Path, timeout: int = 1800):
    """Run every cell of ``notebook`` in a fresh kernel (working folder: notebooks/); (document, seconds).

    No one watches the kernel: it draws no progress (no widget outputs or state in the document)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from .progress import ENVIRONMENT, OFF

    document = nbformat.read(notebook, as_version=4)
    started = time.perf_counter()
    try:
        client = NotebookClient(document, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}})
        client.execute(env={**os.environ, ENVIRONMENT: OFF})
    except CellExecutionError as error:
        raise DockerlabError(f"{notebook.name} failed: {str(error)[-600:]}", fix="Run it in JupyterLab to see the failing cell; `dockerlab doctor` checks the machine.") from None
    return document, time.perf_counter() - started


def _title(document) -> str:
    for cell in document.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def render(out: Path | None = None, only: list[str] | None = None, timeout: int = 1800):
    """Execute the notebooks, keep them in ``out``/executed/, and publish ``out``/html/ with an index
    page, so the course can be read with real outputs without running it. A table of run times."""
    import nbformat
    import pandas as pd
    from nbconvert import HTMLExporter

    from .recording import mode

    out = Path(out or COURSE_ROOT / "build")
    executed_dir, html_dir = out / "executed", out / "html"
    executed_dir.mkdir(parents=True, exist_ok=True)
    html_dir.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter()
    rows = []
    for notebook in notebooks(only):
        document, seconds = execute(notebook, timeout)
        nbformat.write(document, executed_dir / notebook.name)
        body, _ = exporter.from_notebook_node(document)
        (html_dir / f"{notebook.stem}.html").write_text(body)
        plots = sum(1 for cell in document.cells if cell.cell_type == "code" for output in cell.get("outputs", []) if "image/png" in output.get("data", {}))
        rows.append({"notebook": notebook.stem, "title": _title(document), "seconds": round(seconds, 1), "plots": plots})
    table = pd.DataFrame(rows)
    current = mode()
    run = {"mode": current.name, "described": current.describe(), "finished_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "notebooks": rows}
    (executed_dir / "timings.json").write_text(json.dumps(run, indent=1))
    items = "".join(
        f"<li><a href='{html.escape(row['notebook'])}.html'>{html.escape(row['title'] or row['notebook'])}</a> "
        f"<small>({row['seconds']:.0f} s to run, {row['plots']} plots)</small></li>"
        for row in rows
    )
    (html_dir / "index.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>dockerlab: the executed course</title></head>"
        "<body style='font-family:sans-serif;max-width:50em;margin:2em auto'>"
        "<h1>dockerlab: Docker &amp; containerization, executed</h1>"
        f"<p>{html.escape(current.describe())}</p><p>Executed {html.escape(run['finished_at'])}.</p><ol>{items}</ol></body></html>"
    )
    return table
