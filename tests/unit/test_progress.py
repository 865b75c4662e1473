"""Progress knows where it runs: lines in a terminal, a bar in a live kernel, nothing in an executed notebook."""
from __future__ import annotations

import io

import nbformat
import pytest

from dockerlab import progress as progress_module
from dockerlab.course import execute
from dockerlab.progress import BAR, LINES, OFF, Progress, progress, style


def test_a_terminal_gets_lines(monkeypatch):
    monkeypatch.delenv("DOCKERLAB_PROGRESS", raising=False)
    monkeypatch.setattr(progress_module, "_in_kernel", lambda: False)
    assert style() == LINES


def test_a_live_kernel_gets_a_bar(monkeypatch):
    monkeypatch.delenv("DOCKERLAB_PROGRESS", raising=False)
    monkeypatch.setattr(progress_module, "_in_kernel", lambda: True)
    assert style() == BAR


@pytest.mark.parametrize("forced", [BAR, LINES, OFF])
def test_the_environment_forces_a_style(monkeypatch, forced):
    monkeypatch.setenv("DOCKERLAB_PROGRESS", forced)
    monkeypatch.setattr(progress_module, "_in_kernel", lambda: forced != BAR)
    assert style() == forced


def test_lines_print_one_line_per_step_and_no_carriage_return():
    out = io.StringIO()
    with Progress("build hello:1", unit="step", kind=LINES, stream=out) as shown:
        shown.advance(1, note="step 1/3 FROM alpine:3.20")
        shown.advance(1, note="step 2/3 RUN true")
        shown.advance(1, note="step 3/3 CMD sh")
    lines = out.getvalue().splitlines()
    assert lines == [
        "build hello:1: step 1/3 FROM alpine:3.20",
        "build hello:1: step 2/3 RUN true",
        "build hello:1: step 3/3 CMD sh",
        "build hello:1: done",
    ]
    assert "\r" not in out.getvalue()


def test_byte_counts_are_throttled_and_the_last_line_says_the_total():
    out = io.StringIO()
    shown = Progress("pull python:3.11-slim", unit="B", kind=LINES, stream=out, every=3600)
    shown.set_total(50e6)
    for _ in range(50):
        shown.advance(1e6)
    shown.close()
    lines = out.getvalue().splitlines()
    assert len(lines) == 2  # the first update, then the end: not fifty
    assert lines[-1] == "pull python:3.11-slim: 50 MB of 50 MB · done"


def test_off_draws_nothing(capsys):
    shown = progress("save bundle.tar.gz", unit="B", enabled=False)
    shown.advance(10)
    shown.close()
    assert shown.kind == OFF and shown._bar is None
    assert capsys.readouterr() == ("", "")


def _notebook(tmp_path):
    document = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from dockerlab.progress import progress, style\n"
        "print(style())\n"
        "shown = progress('build demo', unit='step')\n"
        "shown.advance(1, note='step 1/1 FROM scratch')\n"
        "shown.close()"
    )])
    path = tmp_path / "progress.ipynb"
    nbformat.write(document, path)
    return path


def test_an_executed_notebook_keeps_no_progress_output(tmp_path, monkeypatch):
    monkeypatch.delenv("DOCKERLAB_PROGRESS", raising=False)
    document, _ = execute(_notebook(tmp_path), timeout=120)
    outputs = document.cells[0].outputs
    assert [output.get("text") for output in outputs] == ["off\n"]
    assert "widgets" not in document.metadata


def test_the_same_cell_in_a_watched_kernel_draws_a_bar(tmp_path, monkeypatch):
    """The control: without render's setting, a kernel gets tqdm's widget bar (what used to end up in the HTML)."""
    from nbclient import NotebookClient

    monkeypatch.delenv("DOCKERLAB_PROGRESS", raising=False)
    document = nbformat.read(_notebook(tmp_path), as_version=4)
    NotebookClient(document, timeout=120, kernel_name="python3").execute()
    outputs = document.cells[0].outputs
    assert outputs[0].get("text") == "bar\n"
    assert any("application/vnd.jupyter.widget-view+json" in output.get("data", {}) for output in outputs[1:])
