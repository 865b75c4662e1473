"""Every dl.plots figure a notebook draws, drawn from the recordings as the notebook does (recorded
mode, in process): no text outside the figure or touching its edge, no text over other text (tick
labels, legend entries, bar labels, titles), no legend over plotted data, no label cut ("...", or a word
cut or wrapped in the middle), no crowded log-axis tick labels (no minor-tick labels, no "3x10^2"), no
empty axes, a title on every axes, every step of a layer plot named (on its bar or, only where its label
does not fit the bar as drawn, in the legend of steps too small to label), every headline figure marked,
and the stand-in mark on every figure about images built on stand-ins.

Axis labels: every axes has an x and a y label, with one exception: an axis whose ticks are the
categories' own names (image names, "container"/"VM", headline labels) may go without one, since its
tick labels already say what is on it; an axis of numbers always names its quantity and unit."""
from __future__ import annotations

import inspect
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


def drawn_by_notebook(notebook: Path) -> list[tuple[str, object, tuple]]:
    """(plot function, figure, its arguments) for each dl.plots call the notebook's cells make, replayed."""
    from IPython.core.interactiveshell import InteractiveShell

    drawn: list[tuple[str, object, tuple]] = []
    originals = {name: getattr(plots, name) for name in plots.__all__}

    def watched(name):
        def call(*arguments, **keywords):
            result = originals[name](*arguments, **keywords)
            figure = (result[0] if isinstance(result, (list, tuple)) else result)
            figure = getattr(figure, "figure", figure)
            drawn.append((name, figure, (*arguments, *keywords.values())))
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


PUNCTUATION = "()[]{},:;\"'*`"
# Text nearer than this to the figure's edge touches it (points): the constrained layout keeps 3 points clear, so text
# this near was placed past its margin (an axis label longer than its axes, a wrapped note running to the edge).
EDGE_MARGIN_POINTS = 2.5


def words_of(text: str) -> list[str]:
    return [word for word in (word.strip(PUNCTUATION) for word in text.split()) if word]


def vocabulary(arguments) -> set[str]:
    """Every word of every text the plot was given (table cells, nested tables, index, mapping keys), and
    of what the course derives from them for the eye (the base image's one row, scenario names)."""
    import pandas as pd

    from dockerlab.images import own_layers
    from dockerlab.tables import VALUE_LABELS

    found: set[str] = set()

    def walk(value):
        if isinstance(value, str):
            found.update(words_of(value))
        elif isinstance(value, pd.DataFrame):
            if {"instruction", "size"} <= set(value.columns):
                walk(list(own_layers(value)["instruction"]))
            walk(list(value.columns))
            walk(list(value.index))
            for column in value.columns:
                walk(list(value[column]))
        elif isinstance(value, pd.Series):
            walk(list(value))
            walk(list(value.index))
        elif isinstance(value, dict):
            walk(list(value.keys()))
            walk(list(value.values()))
        elif isinstance(value, (list, tuple, set)):
            for item in value:
                walk(item)

    walk(list(arguments))
    walk([word for words in VALUE_LABELS.values() for word in words.values()])
    walk(inspect.getsource(plots))  # the words the plot writes itself
    return {word for word in found if word}


def cut_words(text: str, known: set[str]) -> list[str]:
    """Words of ``text`` cut short or wrapped in the middle, judged against the words it was drawn from
    (``known``: the data's and the plot code's own): a line break inside a word (other than after "/"),
    a line that ends in only the start of a known word, or one that begins with only the end of one."""
    if "..." in text or "\u2026" in text:
        return [f"cut with an ellipsis: {text!r}"]
    lines = [words_of(line) for line in text.split("\n")]
    found = []
    for upper, lower in itertools.pairwise(lines):
        if upper and lower and upper[-1] + lower[0] in known and not upper[-1].endswith("/"):
            found.append(f"wrapped mid-word: {upper[-1]!r} + {lower[0]!r} in {text!r}")
    def unknown(word):
        return len(word) >= 2 and any(character.isalpha() for character in word) and word not in known and not word.endswith("/")

    for number, line in enumerate(lines):
        if line and unknown(line[-1]) and any(other != line[-1] and other.startswith(line[-1]) for other in known):
            found.append(f"a word cut short: {line[-1]!r} in {text!r}")
        after_slash = number and lines[number - 1] and lines[number - 1][-1].endswith("/")  # image names break after "/"
        if number and line and not after_slash and unknown(line[0]) and any(other != line[0] and other.endswith(line[0]) for other in known):
            found.append(f"a word cut at its start: {line[0]!r} in {text!r}")
    return found


def data_extents(figure, renderer) -> list:
    """Display boxes of everything plotted: bars and patches, line and marker points, scatter points."""
    from matplotlib.transforms import Bbox

    boxes = []
    for axes in figure.axes:
        for patch in axes.patches:
            extent = patch.get_window_extent(renderer)
            if extent.width > 0.5 and extent.height > 0.5:
                boxes.append(extent)
        points = []
        for line in axes.lines:
            points += list(line.get_transform().transform(line.get_xydata()))
        for collection in axes.collections:
            if len(collection.get_offsets()):
                points += list(collection.get_offset_transform().transform(collection.get_offsets()))
            for segment in getattr(collection, "get_segments", list)():
                points += list(collection.get_transform().transform(segment))
        boxes += [Bbox.from_extents(x - 2, y - 2, x + 2, y + 2) for x, y in points]
    return boxes


def is_categorical(labels) -> bool:
    """Tick labels that name categories (words), not numbers (none drawn: not categorical)."""
    def number(text):
        try:
            float(text.replace(",", "").replace("\u2212", "-"))
            return True
        except ValueError:
            return False

    return bool(labels) and not any(number(label.get_text()) for label in labels)


def drawn_texts(figure) -> list:
    """Every text the figure shows: titles, axis labels, drawn tick labels, legend entries, annotations."""
    undrawn = {id(tick.label1) for axes in figure.axes for axis in (axes.xaxis, axes.yaxis)
               for tick in axis.get_major_ticks() + axis.get_minor_ticks()} - {
        id(label) for axes in figure.axes for axis in (axes.xaxis, axes.yaxis) for label in drawn_tick_labels(axis)}
    return [text for text in figure.findobj(matplotlib.text.Text)
            if text.get_visible() and text.get_text().strip() and id(text) not in undrawn]


def axis_problems(figure, axes, renderer) -> list[str]:
    """An axis without its label (unless its ticks name categories), crowded log ticks, overlapping ticks."""
    found = []
    for axis, letter in ((axes.xaxis, "x"), (axes.yaxis, "y")):
        siblings = (axes.get_shared_x_axes() if letter == "x" else axes.get_shared_y_axes()).get_siblings(axes)
        named_by_ticks = any(is_categorical(drawn_tick_labels(other.xaxis if letter == "x" else other.yaxis)) for other in siblings)
        if not axis.get_label_text() and not named_by_ticks:  # shared axes: the panel that shows the names names them
            found.append(f"an axes without an {letter} label (its ticks are numbers): {axes.get_title()!r}")
        if axis.get_scale() == "log":
            minor = {id(tick.label1) for tick in axis.get_minor_ticks()}
            crowded = [label.get_text() for label in drawn_tick_labels(axis)
                       if id(label) in minor or "times" in label.get_text() or "^" in label.get_text()]
            found += [f"a crowded log-axis tick label {crowded[0]!r} in {axes.get_title()!r}"] if crowded else []
        shown = [label.get_window_extent(renderer) for label in drawn_tick_labels(axis)]
        if any(first.overlaps(second) for first, second in itertools.combinations(shown, 2)):
            found.append(f"overlapping tick labels in {axes.get_title()!r}")
    return found


def text_problems(figure, texts, renderer, arguments) -> list[str]:
    """Text outside the figure, text over text, a legend over plotted data, a word cut or wrapped mid-word."""
    found = []
    box = figure.bbox
    margin = EDGE_MARGIN_POINTS * figure.dpi / 72  # in pixels
    for text in texts:
        extent = text.get_window_extent(renderer)
        if extent.x0 < box.x0 - 1 or extent.y0 < box.y0 - 1 or extent.x1 > box.x1 + 1 or extent.y1 > box.y1 + 1:
            found.append(f"text outside the figure: {text.get_text()[:40]!r}")
        elif min(extent.x0 - box.x0, extent.y0 - box.y0, box.x1 - extent.x1, box.y1 - extent.y1) < margin:
            found.append(f"text touching the figure's edge: {text.get_text()[:40]!r}")
    for first, second in itertools.combinations(texts, 2):
        one, other = first.get_window_extent(renderer), second.get_window_extent(renderer)
        if one.shrunk(0.98, 0.9).overlaps(other.shrunk(0.98, 0.9)):
            found.append(f"text over text: {first.get_text()[:40]!r} and {second.get_text()[:40]!r}")
    plotted = data_extents(figure, renderer)
    for legend in [axes.get_legend() for axes in figure.axes if axes.get_legend()] + list(figure.legends):
        frame = legend.get_window_extent(renderer)
        if any(frame.overlaps(extent) for extent in plotted):
            found.append(f"a legend over plotted data: {[text.get_text() for text in legend.get_texts()][:3]}")
    known = vocabulary(arguments)
    own = {part for axes in figure.axes for part in (axes.get_title(), axes.get_xlabel(), axes.get_ylabel())}
    for text in texts:
        if text.get_text() not in own:  # titles and axis labels are the plot's own words, not the data's
            found += cut_words(text.get_text(), known)
    return found


def unlabelled_steps(texts, tables) -> list[str]:
    """Layer plots: each of the image's own steps (and its base row) named on its bar or in the legend."""
    from dockerlab.images import own_layers

    def flat(text):  # one line, as wrapping at spaces and after "/" leaves it
        return " ".join(text.split()).replace("/ ", "/")

    shown = " ".join(flat(text.get_text()) for text in texts)
    return [f"a step of {image} without its label: {step!r}" for image, table in tables.items()
            for step in own_layers(table).query("size > 0")["instruction"] if flat(step) not in shown]


SMALLEST_LABEL_POINTS = 6  # the smallest font a layer plot labels a bar in


def needlessly_unlabelled(figure, renderer, images) -> list[str]:
    """Layer plots: steps listed as too small to label whose label would fit their bar as drawn: as tall as
    the bar, as wide as its slot (one bar's spacing, within the axes: no other label reaches into it), a point
    clear of the edges; at SMALLEST_LABEL_POINTS, the instruction wrapped at spaces to some width, then its
    size on a line of its own or after the last word. ``images``: the plot's image names (an entry's prefix)."""
    import re
    import textwrap

    from matplotlib.colors import to_hex
    from matplotlib.text import Text

    found = []
    pad = figure.dpi / 72
    for axes in figure.axes:
        legend = axes.get_legend()
        if legend is None or legend.get_title().get_text() != "steps too small to label":
            continue
        for handle, entry in zip(legend.legend_handles, legend.get_texts(), strict=True):
            text = " ".join(entry.get_text().replace("/\n", "/").split())  # one line, as wrapped at spaces and after "/"
            text = next((text[len(image) + 2:] for image in images if len(images) > 1 and text.startswith(f"{image}: ")), text)
            instruction, size = re.fullmatch(r"(.+) \((\S+ (?:MB|kB|B))\)", text).groups()
            bars = [patch.get_window_extent(renderer) for patch in axes.patches
                    if to_hex(patch.get_facecolor()) == to_hex(handle.get_facecolor()) and plots._size_text(patch.get_height()) == size]
            assert bars, f"no bar of {size} for {text!r}"
            slot = min(abs(axes.transData.transform((1, 0))[0] - axes.transData.transform((0, 0))[0]), axes.get_window_extent(renderer).width)
            width, height = slot - 4 * pad, max(bar.height for bar in bars) - 2 * pad
            probe = Text(0, 0, "", fontsize=SMALLEST_LABEL_POINTS)
            probe.set_figure(figure)
            for after, characters in itertools.product(("\n{}", " ({})"), range(len(instruction) + len(size) + 3, 3, -1)):
                probe.set_text(textwrap.fill(instruction, characters, break_long_words=False) + after.format(size))
                extent = probe.get_window_extent(renderer)
                if extent.width <= width and extent.height <= height:
                    found.append(f"a step listed as too small to label whose label fits its bar ({bars[0].height:.0f} px tall): {text!r}")
                    break
    return found


def unmarked_rows(axes, renderer) -> list[str]:
    """Headlines: the rows (y tick labels) that show no mark of their figure inside the axes: neither a
    bar with a drawn length and height on the row nor a point (a marker) on it."""
    frame = axes.get_window_extent(renderer)
    bars = [patch.get_window_extent(renderer) for patch in axes.patches]
    bars = [bar for bar in bars if bar.width > 1 and bar.height > 1 and bar.x1 > frame.x0 and bar.x0 < frame.x1]
    points = [point for line in axes.lines if line.get_marker() not in (None, "", "None", " ")
              for point in line.get_transform().transform(line.get_xydata())]
    points += [point for collection in axes.collections if len(collection.get_offsets())
               for point in collection.get_offset_transform().transform(collection.get_offsets())]
    points = [(x, y) for x, y in points if frame.x0 - 1 <= x <= frame.x1 + 1]
    found = []
    for label in drawn_tick_labels(axes.yaxis):
        row = label.get_window_extent(renderer)
        middle, half = (row.y0 + row.y1) / 2, row.height / 2
        if not any(bar.y0 <= middle <= bar.y1 for bar in bars) and not any(abs(y - middle) <= half for _, y in points):
            found.append(f"a row without a mark of its figure: {label.get_text()[:50]!r}")
    return found


def problems(name: str, figure, arguments=()) -> list[str]:
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    texts = drawn_texts(figure)
    found = text_problems(figure, texts, renderer, arguments)
    for axes in figure.axes:
        if not axes.get_visible():
            continue
        if not axes.has_data():
            found.append(f"an empty axes: {axes.get_title()!r}")
            continue
        if not axes.get_title() and not figure._suptitle:
            found.append("an axes without a title")
        found += axis_problems(figure, axes, renderer)
    if name == "layer_sizes":
        found += unlabelled_steps(texts, arguments[0])
        found += needlessly_unlabelled(figure, renderer, list(arguments[0]))
    if name == "headlines":
        found += [problem for axes in figure.axes for problem in unmarked_rows(axes, renderer)]
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
    found = {f"{name}: {problem}" for name, figure, arguments in drawn for problem in problems(name, figure, arguments)}
    plt.close("all")
    assert not found, sorted(found)


def _race_runs(files: list[str]):
    """compose_race rows for ``files``, three runs each: the api refused before the database was ready."""
    import pandas as pd

    return pd.DataFrame([{"compose_file": name, "run": run, "db_ready_seconds": 2.1, "api_started_after_db_seconds": 0.5,
                          "first_error_after_db_seconds": 0.7, "failed_connections": run, "first_error": "database connection failed",
                          "cause": "database not accepting connections", "lost_race": True, "api_serving": False, "api_exit_code": 1}
                         for name in files for run in (1, 2, 3)])


@pytest.mark.parametrize("long_name", [
    "race-2-healthy-and-retries.yaml",  # just past what fits beside the timing panel
    "compose-with-a-healthcheck-and-retries-for-the-api-and-the-database.yaml",
    "a-learners-copy-of-the-compose-file-with-every-change-tried-so-far-named-in-its-file-name-for-later.yaml",
], ids=["31 characters", "72 characters", "103 characters"])
def test_the_start_up_race_plot_keeps_a_long_compose_file_name_inside_the_figure(long_name):
    table = _race_runs(["seed-compose.yaml", long_name])
    found = problems("compose_race", plots.compose_race(table).figure, (table,))
    plt.close("all")
    assert not found, sorted(found)


def _headline_figures(rows):
    """dl.results.collected rows (label, value, unit, target, met) for the headlines plot."""
    import pandas as pd

    return pd.DataFrame([{"label": label, "value": value, "unit": unit, "target": target, "met": met} for label, value, unit, target, met in rows])


def test_a_headline_figure_exactly_at_its_target_shows_its_mark_and_reads_as_met():
    from matplotlib.colors import to_hex

    figures = _headline_figures([("share of lookups that succeeded", 1.0, "", 1.0, True), ("seconds saved", 20.0, "s", 10.0, True),
                                 ("parallel / serial", 0.8, "x", 0.75, False)])
    axis = plots.headlines(figures)
    found = problems("headlines", axis.figure, (figures,))
    at_target = [(to_hex(colour), tuple(offset)) for collection in axis.collections
                 for offset, colour in zip(collection.get_offsets(), itertools.cycle(collection.get_facecolors()))
                 if tuple(offset) == (1.0, 0.0)]
    plt.close("all")
    assert not found, sorted(found)
    assert at_target == [(plots.SUCCESS_COLOUR, (1.0, 0.0))]  # on the target line, in the colour of a met target


def test_a_layer_big_enough_to_see_is_labelled_on_its_bar_and_only_slivers_are_listed_as_too_small():
    """04's shape: a 69.5 MB build step on a 565 MB base beside three images of a few MB."""
    import pandas as pd

    def layers(*rows):  # (instruction, bytes, base): dl.layers' columns that the plot reads
        return pd.DataFrame([{"instruction": instruction, "size": size, "base": base} for instruction, size, base in rows])

    go = "golang:1.21 (stand-in)"
    tables = {"single stage": layers(("COPY . .", 424, ""), ("RUN CGO_ENABLED=0 go build -o myapp main.go", 69_500_000, ""),
                                     ("RUN apt-get install golang-1.21-go", 490_000_000, go), ("(base layer: imported)", 74_900_000, go)),
              "alpine": layers(("COPY /app/myapp .", 6_718_394, ""), ("COPY /rootfs/ /", 2_207_504, "alpine:3.20 (stand-in)")),
              "scratch": layers(("COPY /app/myapp .", 6_718_394, ""),),
              "distroless": layers(("COPY /app/myapp .", 6_718_394, ""), ("COPY /rootfs/ /", 882_252, "gcr.io/distroless/static-debian12 (stand-in)"))}
    axis = plots.layer_sizes(tables)
    found = problems("layer_sizes", axis.figure, (tables,))
    listed = [" ".join(text.get_text().split()) for text in axis.get_legend().get_texts()]
    on_bars = [" ".join(text.get_text().split()) for text in axis.texts]
    plt.close("all")
    assert not found, sorted(found)
    assert any(text.startswith("RUN CGO_ENABLED=0 go build -o myapp main.go") and "69.5 MB" in text for text in on_bars), on_bars
    assert not any("go build" in text for text in listed) and "single stage: COPY . . (424 B)" in listed
