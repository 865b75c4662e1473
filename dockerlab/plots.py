"""The course's plots: matplotlib, readable defaults, each returns its Axes.

``import dockerlab`` loads this module, so matplotlib and numpy are imported inside the functions that draw
(each such import says so): a script or the `dockerlab` command that draws nothing never pays for them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import math
import textwrap
from collections.abc import Mapping, Sequence

from .experiments import RACE_CAUSES
from .images import own_layers
from .security import NO_PACKAGE_DATABASE
from .results import with_unit
from .tables import VALUE_LABELS
from .recording.arguments import check_public

__all__ = [
    "layer_sizes", "build_times", "size_comparison", "cache_timeline", "vm_vs_container", "compose_race",
    "package_counts", "attack_surface", "headlines", "stop_times",
]

MB = 1e6
STANDIN_NOTE = "* built on a course stand-in base, not the official image"
CACHED_COLOUR = "#8fbf8f"
SUCCESS_COLOUR = "#1a7f37"
MISSED_COLOUR = "#cf222e"
REBUILT_COLOUR = "#d9534f"



if TYPE_CHECKING:  # the annotations name it; pandas itself is imported where a table is made
    import pandas as pd

def _axes(ax, size=(8, 4.5)):
    import matplotlib.pyplot as plt  # lazy: matplotlib takes ~0.8 s to import

    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _wrapped(labels, width: int) -> list[str]:
    """Labels on lines of about ``width`` characters, broken at spaces only (and after a "/" in image
    names): a word longer than ``width`` keeps its own line whole rather than being cut."""
    return ["\n".join(textwrap.wrap(str(label).replace("/", "/ "), width, break_long_words=False, break_on_hyphens=False)).replace("/ ", "/")
            for label in labels]


def _plain_log(axis) -> None:
    """A log axis whose tick labels are plain numbers (1, 10, 100, 0.1; not 10^2 or 3x10^2): one per
    decade, or 1, 2, 5 per decade when the data spans less than two; no labels on the minor ticks,
    which crowd each other. Call it once the axis has its data."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # lazy: matplotlib takes ~0.8 s to import

    low, high = sorted(abs(value) for value in axis.get_view_interval())
    decades = math.log10(high / low) if low > 0 else 9
    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0) if decades < 2 else (1.0,)))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(NullFormatter())


def _legend_outside(ax, **options):
    """The axes' legend to its right, outside the plotted data."""
    return ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, **options)


def _starred(names, on_standin) -> list[str]:
    """Names with " *" where the image is built on a course stand-in (explained by STANDIN_NOTE)."""
    return [f"{name} *" if standin else name for name, standin in zip(names, on_standin, strict=True)]


def _size_text(megabytes: float) -> str:
    """A size for the eye: 131.8 MB, 42 kB, 512 B."""
    if megabytes >= 0.1:
        return f"{megabytes:.1f} MB"
    return f"{megabytes * 1000:.0f} kB" if megabytes >= 0.001 else f"{megabytes * MB:.0f} B"


LABEL_FONT_SIZES = (7, 6)  # points: a step's label on its bar, the smaller only where it lets the label fit


def _label_that_fits(figure, instruction: str, size: str, width: float, height: float):
    """A step's label for its bar (its instruction wrapped to the fewest lines whose widest fits ``width``
    pixels, then its size on a line of its own or, where that does not fit, after the last word) and its
    font size, the first of LABEL_FONT_SIZES at which the label fits ``width`` x ``height`` pixels as
    drawn; None where none fits: the step is too small to label.
    The figure must be laid out (its renderer measures the text)."""
    from matplotlib.text import Text  # lazy: matplotlib takes ~0.8 s to import

    for fontsize in LABEL_FONT_SIZES:
        probe = Text(0, 0, f"{instruction} ({size})", fontsize=fontsize)
        probe.set_figure(figure)
        line = probe.get_window_extent()
        if math.ceil(line.width / max(width, 1)) * line.height > height:  # too tall on as many lines as its width needs
            continue
        for after in ("\n{}", " ({})"):  # the size on a line of its own, else after the instruction's last word
            for characters in range(len(instruction) + len(size) + 3, 3, -1):  # wider lines first: the fewest lines
                probe.set_text(_wrapped([instruction], characters)[0] + after.format(size))
                extent = probe.get_window_extent()
                if extent.width <= width:
                    if extent.height <= height:
                        return probe.get_text(), fontsize
                    break  # narrower lines only add lines
    return None


def layer_sizes(tables: Mapping[str, object], ax=None, all_layers: bool = False):
    """Stacked bar per image, one segment per layer (MB). The base image is one segment at the bottom
    ("FROM python:3.11-slim (stand-in): 4 layers", filesystem layers as `docker inspect` counts them) and the image's own steps stack on it, unless
    ``all_layers``. A segment is labelled on its bar (its instruction and size) wherever the label fits the
    bar's height and slot as drawn (at 7 points, else 6, measured once the figure is laid out); every other one, a sliver too
    small to carry its label (a 2.8 MB pip step on a 130 MB base), is named with its size in the legend
    beside the axes, top step first, so no step of the learner's is unnamed. ``tables`` maps an image name
    to its ``dl.layers(image)`` table. Returns the Axes.
    Raises KeyError for a table without the instruction and size columns of ``dl.layers``."""
    import matplotlib.pyplot as plt  # lazy: matplotlib takes ~0.8 s to import

    ax = _axes(ax, size=(9, 4.8))
    figure = ax.figure
    names = list(tables)
    views = {name: own_layers(tables[name], all_layers=all_layers).iloc[::-1] for name in names}  # base first: the bottom
    tallest = max((float(views[name]["size"].sum()) / MB for name in names), default=0.0)
    segments = []  # (image, bar, instruction, size in MB, colour), each image's bottom first
    for position, name in enumerate(names):
        bottom = 0.0
        for index, (size, instruction) in enumerate(zip(views[name]["size"] / MB, views[name]["instruction"], strict=True)):
            if size <= 0:
                continue
            colour = f"C{index % 10}"
            bar = ax.bar(position, size, bottom=bottom, color=colour, edgecolor="white", linewidth=0.5)[0]
            segments.append((name, bar, instruction, size, colour))
            bottom += size
        ax.text(position, bottom, f"{bottom:.1f} MB", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(names)), _wrapped(names, 24), fontsize=8)
    ax.set_ylabel("size (MB, uncompressed)")
    ax.set_title("Image size by layer: the base image, then your own steps")
    ax.set_ylim(0, tallest * 1.12 or 1)  # room above the tallest bar for its total
    # Which labels fit their bars depends on the drawn size of the bars, which the legend of those that do
    # not fit takes width from: lay out, measure, and again with the legend those left out need, until no
    # more are left out (each round can only take labels away, so it ends).
    labels: dict[int, tuple[str, int]] = {index: ("", 0) for index in range(len(segments))}
    legend = None
    for _ in range(len(segments) + 1):
        if legend is not None:
            legend.remove()
        small = [segments[index] for index in range(len(segments)) if index not in labels][::-1]  # the top step first
        small.sort(key=lambda segment: names.index(segment[0]))  # image by image, in the bars' order
        legend = _legend_outside(ax, handles=[plt.Rectangle((0, 0), 1, 1, color=colour) for *_, colour in small],
                                 labels=[f"{name}: " * (len(names) > 1) + f"{_wrapped([instruction], 44)[0]} ({_size_text(size)})"
                                         for name, _, instruction, size, _ in small],
                                 fontsize=7, title="steps too small to label", title_fontsize=7) if small else None
        figure.draw_without_rendering()
        # a label may use its bar's whole slot (from midway to one neighbour to midway to the other, within the
        # axes): no other bar's label reaches into it; a point clear of the slot's sides and the bar's top and bottom
        pad = figure.dpi / 72  # a point, in pixels
        slot = min(abs(ax.transData.transform((1, 0))[0] - ax.transData.transform((0, 0))[0]), ax.get_window_extent().width) - 4 * pad
        fitting = {}
        for index in labels:
            _, bar, instruction, size, _ = segments[index]
            label = _label_that_fits(figure, instruction, _size_text(size), slot, bar.get_window_extent().height - 2 * pad)
            if label is not None:
                fitting[index] = label
        if fitting.keys() == labels.keys():
            labels = fitting
            break
        labels = fitting
    for index, (text, fontsize) in labels.items():
        _, bar, *_ = segments[index]
        ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2, text, ha="center", va="center", fontsize=fontsize)
    return ax


def build_times(summary_table: pd.DataFrame, group: str = "scenario", series: str = "dockerfile", ax=None):
    """Grouped bars of median seconds with min-max whiskers (input: ``dl.experiments.summary``).
    Returns the Axes. Raises KeyError for a table without the columns of its input (named above)."""
    import numpy as np  # lazy: numpy takes ~0.15 s to import

    ax = _axes(ax)
    groups = list(dict.fromkeys(summary_table[group]))
    names = list(dict.fromkeys(summary_table[series]))
    width = 0.8 / max(1, len(names))
    for offset, name in enumerate(names):
        part = summary_table[summary_table[series] == name].set_index(group).reindex(groups)
        x = np.arange(len(groups)) + (offset - (len(names) - 1) / 2) * width
        errors = [part["median"] - part["min"], part["max"] - part["median"]]
        bars = ax.bar(x, part["median"], width, label=str(name), yerr=errors, capsize=3)
        ax.bar_label(bars, labels=[f"{v:.2f}" if v < 10 else f"{v:.1f}" for v in part["median"]], fontsize=7, padding=2)
    ax.set_xticks(range(len(groups)), [VALUE_LABELS.get(group, {}).get(value, value) for value in groups])
    ax.set_xlabel(group)
    ax.set_ylabel("build time (s, median; whiskers min-max)")
    ax.set_title("Build time")
    ax.legend(frameon=False)
    return ax


def size_comparison(table: pd.DataFrame, ax=None, name: str = "variant", sizes: Sequence[str] = ("size", "compressed")):
    """Horizontal bars of uncompressed and compressed size per image, log scale when sizes span decades.
    Returns the Axes. Raises KeyError for a table without the ``name`` column."""
    import numpy as np  # lazy: numpy takes ~0.15 s to import

    ax = _axes(ax, size=(8, 0.6 * len(table) + 1.5))
    labels = list(table[name])
    y = np.arange(len(labels))
    present = [column for column in sizes if column in table and table[column].notna().all()]
    height = 0.8 / max(1, len(present))
    for offset, column in enumerate(present):
        values = table[column].astype(float) / MB
        positions = y + (offset - (len(present) - 1) / 2) * height
        bars = ax.barh(positions, values, height, label="uncompressed" if column == "size" else "compressed (download)")
        ax.bar_label(bars, labels=[f"{v:.1f} MB" if v >= 1 else f"{v * 1000:.0f} kB" for v in values], fontsize=7, padding=2)
    all_values = np.concatenate([table[c].astype(float).to_numpy() for c in present]) / MB
    if all_values.size and all_values.min() > 0 and all_values.max() / all_values.min() >= 10:
        ax.set_xscale("log")
        _plain_log(ax.xaxis)
        ax.set_xlabel("size (MB, log scale)")
    else:
        ax.set_xlabel("size (MB)")
    standin_column = "stand_in"
    title = "Image size"
    if standin_column in table and table[standin_column].astype(bool).any():
        labels = _starred(labels, table[standin_column].astype(bool))
        title += "\n" + STANDIN_NOTE
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.margins(x=0.15)
    ax.set_title(title, fontsize=10)
    if len(present) > 1:
        _legend_outside(ax, fontsize=8)
    else:
        ax.set_xlabel(ax.get_xlabel().replace("size (MB", f"{'uncompressed' if present == ['size'] else 'compressed'} size (MB"))
    return ax


def cache_timeline(results: pd.DataFrame, dockerfile: str | None = None, ax=None):
    """Steps x rebuilds: which steps came from the cache (green) and which ran again (red).

    ``results`` is ``dl.experiments.layer_cache(...)``; one panel per Dockerfile when ``ax`` is None.
    Returns the Axes (a list of them for several panels). Raises KeyError for a table without layer_cache's columns."""
    import matplotlib.pyplot as plt  # lazy: matplotlib takes ~0.8 s to import
    from matplotlib.patches import Patch  # lazy: matplotlib takes ~0.8 s to import

    names = [dockerfile] if dockerfile else list(dict.fromkeys(results["dockerfile"]))
    if ax is None:
        _, axes = plt.subplots(1, len(names), figsize=(6.5 * len(names), 4.5), layout="constrained", squeeze=False)
        axes = list(axes[0])
    else:
        axes = [ax]
    first_run = results["run"].min()
    for axis, name in zip(axes, names, strict=False):
        rows = results[(results["dockerfile"] == name) & (results["run"] == first_run)]
        scenarios = list(rows["scenario"])
        steps = list(rows.iloc[0]["step_detail"]["instruction"])
        for column, (_, row) in enumerate(rows.iterrows()):
            detail = row["step_detail"]
            for line, (instruction, cached) in enumerate(zip(detail["instruction"], detail["cached"], strict=True)):
                is_from = instruction.upper().startswith("FROM")
                colour = "#cccccc" if is_from else CACHED_COLOUR if cached else REBUILT_COLOUR
                axis.add_patch(plt.Rectangle((column, line), 0.95, 0.9, color=colour))
        axis.set_xlim(0, len(scenarios))
        axis.set_ylim(len(steps), 0)
        axis.set_xticks([i + 0.475 for i in range(len(scenarios))], _wrapped([VALUE_LABELS["scenario"].get(s, s) for s in scenarios], 12), fontsize=8)
        axis.set_yticks([i + 0.45 for i in range(len(steps))], _wrapped(steps, 34), fontsize=7)
        axis.set_title(f"{name}: which steps ran again")
        axis.set_xlabel("rebuild after")
        axis.set_ylabel("Dockerfile step")
        axis.tick_params(length=0)
        for side in axis.spines.values():
            side.set_visible(False)
    axes[-1].legend(
        handles=[Patch(color=CACHED_COLOUR, label="from cache"), Patch(color=REBUILT_COLOUR, label="rebuilt"), Patch(color="#cccccc", label="base image")],
        frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0),
    )
    return axes[0] if len(axes) == 1 else axes


def _log_bars(axis, names, values, unit: str, floor: float, errors=None, top: float | None = None) -> None:
    """Bars on a log axis that starts at ``floor`` (so bar heights compare), labelled with their values."""
    bars = axis.bar(names, values, yerr=errors, capsize=4 if errors is not None else 0, color=["C0", "C3", "C2", "C1"][: len(names)])
    axis.bar_label(bars, labels=[f"{v:.2f} {unit}" if v < 10 else f"{v:.1f} {unit}" for v in values], padding=3, fontsize=8)
    axis.set_yscale("log")
    axis.set_ylim(floor, (top if top is not None else float(max(values))) * 3)
    _plain_log(axis.yaxis)


def vm_vs_container(results: pd.DataFrame, reference: str | None = None):
    """Two log-scale panels: start time (median, min-max) and memory, container vs VM.
    Returns the time panel's Axes. Raises KeyError for a table without vm_vs_container's columns."""
    import matplotlib.pyplot as plt  # lazy: matplotlib takes ~0.8 s to import

    figure, (time_axis, memory_axis) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    grouped = results.groupby("kind", sort=False)
    kinds = list(grouped.groups)
    medians = grouped["seconds"].median()
    lows, highs = grouped["seconds"].min(), grouped["seconds"].max()
    _log_bars(time_axis, kinds, medians, "s", floor=0.01, errors=[medians - lows, highs - medians], top=float(highs.max()))
    time_axis.set_ylabel("seconds (log scale)\ncontainer: run to exit; VM: boot to first program")
    time_axis.set_title("Start: container run vs VM boot")
    memory = grouped["memory_bytes"].median() / MB
    _log_bars(memory_axis, kinds, memory, "MB", floor=0.1)
    memory_axis.set_ylabel("memory (MB, log scale)")
    memory_axis.set_title("Memory: idle container vs qemu process")
    accelerators = ", ".join(sorted(set(results.loc[results["kind"] != "container", "accelerator"])))
    note = f"VM accelerator: {accelerators}" + (f"; reference: {reference}" if reference else "")
    figure.supxlabel(note, fontsize=7, wrap=True)
    return time_axis


def stop_times(results: pd.DataFrame, ax=None):
    """Horizontal bars: median `docker stop` seconds per variant with min-max whiskers, the exit code
    at each bar's end, and the grace period as a dashed line (input: ``dl.running.stop_times``).
    Returns the Axes. Raises KeyError for a table without the columns of its input (named above)."""
    ax = _axes(ax, size=(8, 3.6))
    grace = float(results.attrs.get("grace", 10))
    grouped = results.groupby("variant", sort=False)
    names = list(grouped.groups)
    medians, lows, highs = grouped["seconds"].median(), grouped["seconds"].min(), grouped["seconds"].max()
    codes = grouped["exit_code"].agg(lambda values: "/".join(str(code) for code in dict.fromkeys(values)))
    positions = list(range(len(names)))[::-1]  # the first variant on top
    colours = [REBUILT_COLOUR if medians[name] >= 0.9 * grace else SUCCESS_COLOUR for name in names]
    ax.barh(positions, [medians[name] for name in names], color=colours,
            xerr=[[medians[name] - lows[name] for name in names], [highs[name] - medians[name] for name in names]], capsize=3)
    for position, name in zip(positions, names, strict=True):
        ax.text(highs[name] + grace * 0.02, position, f"{medians[name]:.2f} s, exit {codes[name]}", va="center", fontsize=8)
    ax.axvline(grace, color="grey", linestyle="--", linewidth=1)
    ax.text(grace, max(positions) + 0.55, f"grace period {grace:g} s", ha="center", va="bottom", fontsize=8, color="grey")
    ax.set_yticks(positions, names)
    ax.set_xlim(0, grace * 1.6)
    ax.set_ylim(-0.6, max(positions) + 1.1)
    ax.set_xlabel(f"seconds for `docker stop` (median of {int(grouped.size().max())}, min-max)")
    ax.set_title("docker stop: does SIGTERM reach the app?")
    return ax


# Start-up failures by cause (compose_race's `cause` and `lost_race`): the race in warm colours, failures
# that no waiting would cure (a missing setting, a wrong password: the file is wrong) in hatched greys.
# The timing panel's colour per compose file leaves red out, so red means the race alone. Every file and
# every cause shown has a colour of its own: past the named ones, as many as needed from a colour map
# (_distinct_colours), never a colour again.
FILE_COLOURS = ("C0", "C1", "C2", "C4", "C5", "C6", "C8", "C9")
# past eight files: the lighter shades of the same hues (matplotlib's tab20, red and grey still left out),
# then evenly spaced from viridis, which has no red
MORE_FILE_COLOURS = ("#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5")
# The longest compose file name (characters) that leaves the failure panel room for its bars beside the
# timing panel; a longer one (a file name is one word: it is not wrapped) puts the panels one above the other.
SIDE_BY_SIDE_NAME_LENGTH = 28
RACE_CAUSE_COLOURS = (MISSED_COLOUR, "#82071e", "#ff8182", "#fa4549", "#a40e26", "#ffaba8", "#bc4c00", "#fb8f44")
NOT_RACE_CAUSE_COLOURS = ("#6e7781", "#afb8c1", "#424a53", "#8c959f", "#24292f", "#d0d7de", "#57606a", "#32383f")
NOT_RACE_HATCHES = ("//", "\\\\", "xx", "..", "||", "--", "++", "oo")  # greys apart by their hatch too


def _distinct_colours(count: int, named: Sequence[str], colour_map: str, low: float, high: float) -> list[str]:
    """``count`` colours, no two alike: the ``named`` ones while they last, else ``count`` evenly spaced
    from ``colour_map`` between ``low`` and ``high`` (fractions of the map). Returns a list of str."""
    if count <= len(named):
        return list(named[:count])
    import matplotlib  # lazy: matplotlib takes ~0.8 s to import
    from matplotlib.colors import to_hex  # lazy: matplotlib takes ~0.8 s to import

    shades = matplotlib.colormaps[colour_map]
    return [to_hex(shades(low + (high - low) * index / (count - 1))) for index in range(count)]


def _file_colours(count: int) -> list[str]:
    """A colour per compose file, none red (red is the race's), none repeated. Returns a list of str."""
    return _distinct_colours(count, FILE_COLOURS + MORE_FILE_COLOURS, "viridis", 0.0, 0.92)


def _cause_styles(results: pd.DataFrame) -> dict[tuple[str, bool], dict]:
    """Per recorded cause and whether its run lost the race (in the order first met): its bar colour, hatch
    and legend label, from the rows' own ``lost_race`` (the first failure came before the database was
    ready, with a cause of the race), so one cause's words seen after the database was ready are drawn apart.
    No two causes shown share a colour, however many there are."""
    styles: dict[tuple[str, bool], dict] = {}
    failed = results[results["cause"].fillna("") != ""]
    keys = [key for key, _ in failed.groupby(["cause", failed["lost_race"].astype(bool)], sort=False)]
    palettes = {True: _distinct_colours(sum(1 for _, race in keys if race), RACE_CAUSE_COLOURS, "Reds", 0.35, 0.95),
                False: _distinct_colours(sum(1 for _, race in keys if not race), NOT_RACE_CAUSE_COLOURS, "Greys", 0.3, 0.85)}
    for cause, race in keys:
        used = sum(1 for style in styles.values() if style["race"] == race)
        if race:
            label = f"{cause}: lost the start-up race"
        elif cause in RACE_CAUSES:
            label = f"{cause}: not the race (not before the database was ready)"
        else:
            label = f"{cause}: not the race (fails however long it waits)"
        hatch = "" if race else NOT_RACE_HATCHES[used % len(NOT_RACE_HATCHES)]
        styles[(cause, race)] = {"race": race, "color": palettes[race][used], "hatch": hatch, "label": label}
    return styles


def compose_race(results: pd.DataFrame):
    """Two panels. Left: per compose file and run, when the api started against when the database was
    ready (seconds after the database container started). Right: the api's failed connections in each
    run, a bar per run grouped by compose file and coloured by the recorded cause of its first failure:
    race causes in warm colours, causes that are not the race (a missing setting) hatched grey, each
    named in the legend below; a run that failed with no failed connection (the api crashed first, the
    database exited) is an X at 0 in its cause's colour, never "no failed connections". Every compose file
    and every cause shown has a colour of its own however many there are, and the figure grows with its
    legends. A compose file name longer than SIDE_BY_SIDE_NAME_LENGTH puts the timing
    panel above the other, so the name is shown whole. Returns the timing panel's Axes. Raises KeyError for a table without
    compose_race's columns."""
    import matplotlib.pyplot as plt  # lazy: matplotlib takes ~0.8 s to import

    from matplotlib.lines import Line2D  # lazy: matplotlib takes ~0.8 s to import

    files = list(dict.fromkeys(results["compose_file"]))
    styles = _cause_styles(results)
    side_by_side = max(len(str(name)) for name in files) <= SIDE_BY_SIDE_NAME_LENGTH
    # each legend below its panel grows a line (about 0.2 inches) per entry past the few the figure's height was made for
    if side_by_side:
        extra = 0.2 * max(0, math.ceil((len(files) + 2) / 2) - 4, len(styles) - 4)
        figure, (timing_axis, failure_axis) = plt.subplots(1, 2, figsize=(12, 5.2 + extra), layout="constrained", width_ratios=(1, 1.1))
    else:  # a file name too long to share the width with its bars: the panels one above the other, each as wide as the figure
        extra = 0.2 * (max(0, len(files) + 2 - 6) + max(0, len(styles) - 4))
        figure, (timing_axis, failure_axis) = plt.subplots(2, 1, figsize=(12, 10.4 + extra), layout="constrained")
    colours = _file_colours(len(files))
    step = min(0.1, 0.6 / len(files))  # the files' points side by side within their run, never at the next run's
    for index, name in enumerate(files):
        part = results[results["compose_file"] == name]
        shift = (index - (len(files) - 1) / 2) * step
        timing_axis.scatter(part["run"] + shift, part["api_started_after_db_seconds"], marker="o", color=colours[index])
        timing_axis.scatter(part["run"] + shift, part["db_ready_seconds"], marker="_", s=300, color=colours[index])
    timing_axis.set_xlabel("run")
    timing_axis.xaxis.get_major_locator().set_params(integer=True)  # runs are whole numbers
    timing_axis.set_ylabel("seconds after the database\ncontainer started")  # two lines: it fits a panel its legend makes short
    timing_axis.set_title("Did the api start before the database was ready?")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colour) for colour in colours]
    handles += [Line2D([], [], marker="o", color="black", linestyle=""), Line2D([], [], marker="_", markersize=14, color="black", linestyle="")]
    # one above the other, the panels share the long names' left margin: the legend grows into it from the right
    timing_axis.legend(handles, [*files, "api started", "database ready"], loc="upper center" if side_by_side else "upper right",
                       bbox_to_anchor=(0.5 if side_by_side else 1.0, -0.14), ncol=2 if side_by_side else 1, frameon=False, fontsize=8)

    runs = max(1, int(results.groupby("compose_file").size().max()))
    height = 0.8 / runs
    right = max(1, int(results["failed_connections"].max())) * 1.15
    marked = set()  # the styles of runs that failed with no failed connection: drawn as a mark, not a bar
    for group, name in enumerate(files):
        part = results[results["compose_file"] == name].sort_values("run")
        for slot, row in enumerate(part.to_dict("records")):
            key = (row["cause"] or "", bool(row["lost_race"]))
            style = styles.get(key, {"color": "white", "hatch": ""})
            place = group + (slot - (len(part) - 1) / 2) * height
            if row["failed_connections"] or key not in styles:
                failure_axis.barh(place, row["failed_connections"], height * 0.9, facecolor=style["color"], hatch=style["hatch"], edgecolor="white")
            else:  # it failed without a failed connection (the api crashed, the database exited): a mark at 0
                failure_axis.plot(right * 0.02, place, marker="X", markersize=7, color=style["color"], linestyle="")
                marked.add(key)
        if not part["failed_connections"].any():
            causes = list(dict.fromkeys(cause for cause in part["cause"].fillna("") if cause))
            text = f"no failed connection: {', '.join(causes)}" if causes else "no failed connections"
            failure_axis.text(right * 0.05 if causes else 0.05, group, text, va="center", fontsize=8, color="grey")
    failure_axis.set_yticks(range(len(files)), files, fontsize=8)
    failure_axis.set_ylim(len(files) - 0.5, -0.5)  # the first file on top, as in the table
    failure_axis.xaxis.get_major_locator().set_params(integer=True)
    failure_axis.set_xlim(0, right)
    failure_axis.set_xlabel(f"failed connections to the database (a bar per run, 1-{runs} top down)")
    failure_axis.set_title("Why the api failed: the cause of its first error")
    if styles:
        barred = {(row["cause"] or "", bool(row["lost_race"])) for row in results[results["failed_connections"] > 0].to_dict("records")}
        failure_axis.legend([plt.Rectangle((0, 0), 1, 1, facecolor=style["color"], hatch=style["hatch"], edgecolor="white")
                             if key in barred or key not in marked else Line2D([], [], marker="X", markersize=7, color=style["color"], linestyle="")
                             for key, style in styles.items()],
                            [style["label"] for style in styles.values()], loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=1, frameon=False, fontsize=8)
    return timing_axis


def package_counts(table: pd.DataFrame, ax=None):
    """Stacked bars of packages per image by type (input: ``dl.security.package_counts``).
    Returns the Axes. Raises KeyError for a table without the columns of its input (named above)."""
    ax = _axes(ax)
    types = [column for column in table.columns if column != "total"]
    standins = table.attrs.get("stand_in", {})
    names = _starred(table.index, [bool(standins.get(image)) for image in table.index])
    bottom = None
    for index, kind in enumerate(types):
        ax.bar(names, table[kind], bottom=bottom, label=kind, color=f"C{index}")
        bottom = table[kind] if bottom is None else bottom + table[kind]
    for position, total in enumerate(table["total"]):
        ax.text(position, total, f"{total}", ha="center", va="bottom", fontsize=9)
    ax.set_ylabel("packages in the SBOM (syft)")
    ax.set_title("Software each image ships: each package is something to patch")
    ax.legend(frameon=False, fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    ax.margins(y=0.12)
    if any(standins.values()):
        ax.figure.supxlabel(STANDIN_NOTE, fontsize=7)
    return ax


def attack_surface(audit_table: pd.DataFrame):
    """Three panels of horizontal bars, one bar per image (named once, on the left): packages (a 0 with
    no package database to count from says so), setuid/setgid files, size (MB, log); red where the image
    has a shell (input: ``dl.security.audit``).
    Returns the first panel's Axes. Raises KeyError for a table without audit's columns."""
    import matplotlib.pyplot as plt  # lazy: matplotlib takes ~0.8 s to import

    figure, axes = plt.subplots(1, 3, figsize=(13, 0.45 * len(audit_table) + 2.2), layout="constrained", sharey=True)
    on_standin = [bool(base) for base in audit_table.get("stand_in", [""] * len(audit_table))]
    names = _starred(audit_table["image"], on_standin)
    has_shell = audit_table["shell"] != "none"
    colours = ["C3" if shell else "C2" for shell in has_shell]
    # an image whose packages no dpkg/apk database records reads 0 packages: say so on its bar
    uncounted = [database == NO_PACKAGE_DATABASE for database in audit_table.get("package_database", [""] * len(audit_table))]
    panels = [
        (audit_table["packages"], "installed packages (dpkg + apk + pip)", "packages", "{:.0f}"),
        (audit_table["setuid_setgid_files"], "setuid/setgid files", "files", "{:.0f}"),
        (audit_table["size"] / MB, "size (log scale)", "MB", "{:.1f}"),
    ]
    for number, (axis, (values, title, unit, label)) in enumerate(zip(axes, panels, strict=False)):
        bars = axis.barh(range(len(names)), values, color=colours)
        texts = [label.format(v) for v in values]
        if number == 0:
            texts = [f"{text}: no package database" if none else text for text, none in zip(texts, uncounted, strict=True)]
        axis.bar_label(bars, labels=texts, fontsize=8, padding=2)
        axis.set_title(title)
        axis.set_xlabel(unit)
        axis.margins(x=0.25)
    axes[0].set_yticks(range(len(names)), names, fontsize=8)
    axes[0].invert_yaxis()
    axes[2].set_xscale("log")
    _plain_log(axes[2].xaxis)
    figure.legend(handles=[plt.Rectangle((0, 0), 1, 1, color="C3"), plt.Rectangle((0, 0), 1, 1, color="C2")],
                  labels=["has a shell", "no shell"], loc="outside upper right", ncol=2, frameon=False, fontsize=8)
    if any(on_standin):
        figure.supxlabel(STANDIN_NOTE, fontsize=7)
    return axes[0]


def headlines(figures: pd.DataFrame):
    """Each headline figure against its target, on one axes: measured ÷ target on a log scale (1 is
    the target, a dashed line), a bar from the target to the figure ending in a mark (a green dot where the
    target is met, a red X where it is missed), so a figure exactly at its target (a share of 1 with
    target 1), whose bar has no length, still shows its mark on the line. Figures whose target is 0
    cannot be divided by it: the axes' note names them (their values are in the table). Input:
    ``dl.results.collected``. Returns the Axes. Raises KeyError for a table without collected's columns."""
    import matplotlib.pyplot as plt  # lazy: matplotlib takes ~0.8 s to import

    rows = [row for row in figures.to_dict("records") if row["target"]]
    zero = [row["label"] for row in figures.to_dict("records") if not row["target"]]
    figure, axis = plt.subplots(figsize=(9, 0.42 * max(1, len(rows)) + 1.4), layout="constrained")
    ratios = [max(row["value"], 1e-6) / row["target"] for row in rows]
    colours = [SUCCESS_COLOUR if row["met"] else MISSED_COLOUR for row in rows]
    positions = range(len(rows))
    axis.barh(list(positions), [ratio - 1 for ratio in ratios], left=1, color=colours, height=0.6)
    axis.axvline(1, color="black", linestyle="--", linewidth=1)
    for met, marker in ((True, "o"), (False, "X")):  # the figure itself: seen even where its bar has no length
        mine = [position for position, row in zip(positions, rows, strict=True) if bool(row["met"]) == met]
        if mine:
            axis.scatter([ratios[position] for position in mine], mine, marker=marker, s=64, zorder=3,
                         color=SUCCESS_COLOUR if met else MISSED_COLOUR, edgecolor="white", linewidth=0.8)
    axis.set_xscale("log")
    axis.margins(x=0.06)  # room for the marks at either end
    _plain_log(axis.xaxis)
    axis.set_yticks(list(positions), [f"{row['label']} ({with_unit(format(row['value'], '.3g'), row['value'], row['unit'])})" for row in rows], fontsize=8)
    axis.invert_yaxis()
    axis.set_xlabel("measured ÷ target (log scale; dashed line: the target)")
    figure.suptitle("Each headline figure against its target (green dot: met; red X: missed)", fontsize=10)  # over the figure: wider than the axes
    if zero:
        # wrapped to nine tenths of the figure's width (a 7-point character is about 4.2 points wide), as
        # matplotlib's own wrap runs to the very edge; laid out below the axes by the constrained layout
        characters = int(0.9 * figure.get_figwidth() * 72 / (0.6 * 7))
        figure.supxlabel(textwrap.fill("target 0 (see the table): " + "; ".join(zero), characters, break_long_words=False), fontsize=7)
    return axis


check_public(globals(), "plots")  # the one argument check, for every public function here
