"""Every dl.plots figure a notebook draws, drawn from the recordings as the notebook does (recorded
mode, in process): no text outside the figure, no overlapping tick labels, no empty axes, a title and
axis labels on every axes, and the stand-in mark on every figure about images built on stand-ins."""
from __future__ import annotations

import itertools
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import dockerlab as dl  # noqa: E402
from dockerlab import plots, recording  # noqa: E402
from dockerlab.paths import numbered_notebooks  # noqa: E402

NOTEBOOKS = [path for path in numbered_notebooks(Path(__file__).parents[2] / "notebooks") if path.name[:2] != "00"]  # 01 ... 07, and 02a
IMAGE_PLOTS = {"layer_sizes", "size_comparison", "package_counts", "attack_surface"}


def drawn_by_notebook(notebook: Path) -> list[tuple[str, object]]:
    """(plot function, figure) for each dl.plots call the notebook's cells make, replayed."""
    from IPython.core.interactiveshell import InteractiveShell

    drawn: list[tuple[str, object]] = []
    originals = {name: getattr(plots, name) for name in plots.__all__}

    def watched(name):
        def call(*arguments, **keywords):
            result = originals[name](*arguments, **keywords)
            figure = (result[0] if isinstance(result, (list, tuple)) else result)
            figure = getattr(figure, "figure", figure)
            drawn.append((name, figure))
            return result

        return call

    shell = InteractiveShell.instance()
    dl.load_ipython_extension(shell)  # %docker, as `import dockerlab` registers it in a kernel
    try:
        for name in originals:
            setattr(plots, name, watched(name))
        shell.run_line_magic("cd", str(notebook.parent))
        for cell in json.loads(notebook.read_text())["cells"]:
            if cell["cell_type"] == "code":
                outcome = shell.run_cell("".join(cell["source"]), silent=True)
                assert outcome.error_in_exec is None, f"{notebook.name}: {outcome.error_in_exec!r}"
    finally:
        for name, function in originals.items():
            setattr(plots, name, function)
    return drawn


def drawn_tick_labels(axis) -> list:
    """The tick labels matplotlib actually draws: those whose tick lies within the view limits."""
    low, high = sorted(axis.get_view_interval())
    return [tick.label1 for tick in axis.get_major_ticks() + axis.get_minor_ticks()
            if low - 1e-9 <= tick.get_loc() <= high + 1e-9 and tick.label1.get_visible() and tick.label1.get_text().strip()]


def problems(name: str, figure) -> list[str]:
    found = []
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    box = figure.bbox
    undrawn = {id(tick.label1) for axes in figure.axes for axis in (axes.xaxis, axes.yaxis)
               for tick in axis.get_major_ticks() + axis.get_minor_ticks()} - {
        id(label) for axes in figure.axes for axis in (axes.xaxis, axes.yaxis) for label in drawn_tick_labels(axis)}
    texts = [text for text in figure.findobj(matplotlib.text.Text)
             if text.get_visible() and text.get_text().strip() and id(text) not in undrawn]
    for text in texts:
        extent = text.get_window_extent(renderer)
        if extent.x0 < box.x0 - 1 or extent.y0 < box.y0 - 1 or extent.x1 > box.x1 + 1 or extent.y1 > box.y1 + 1:
            found.append(f"text outside the figure: {text.get_text()[:40]!r}")
    for axes in figure.axes:
        if not axes.get_visible():
            continue
        if not axes.has_data():
            found.append(f"an empty axes: {axes.get_title()!r}")
            continue
        if not axes.get_title() and not figure._suptitle:
            found.append("an axes without a title")
        if not (axes.get_ylabel() or axes.get_xlabel()):
            found.append(f"an axes without axis labels: {axes.get_title()!r}")
        for axis in (axes.xaxis, axes.yaxis):
            shown = [label.get_window_extent(renderer) for label in drawn_tick_labels(axis)]
            for first, second in itertools.combinations(shown, 2):
                if first.overlaps(second):
                    found.append(f"overlapping tick labels in {axes.get_title()!r}")
                    break
    if name in IMAGE_PLOTS and not any("stand-in" in text.get_text() for text in texts):
        found.append("a figure of stand-in images without its stand-in mark")
    return found


@pytest.fixture
def recorded_mode(monkeypatch):
    """Recorded mode for this test (the unit tests' own fixture makes every test live first)."""
    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
    recording.reset()
    yield
    recording.reset()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_plot_a_notebook_draws_is_readable(notebook, recorded_mode):
    drawn = drawn_by_notebook(notebook)
    found = {f"{name}: {problem}" for name, figure in drawn for problem in problems(name, figure)}
    plt.close("all")
    assert not found, sorted(found)
