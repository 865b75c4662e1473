"""How the course's tables read on screen. A DataFrame keeps its raw numbers (bytes, seconds) and its
snake_case column keys; in a notebook sizes are shown with their unit in each cell (``16 B``, ``1.38 kB``,
``634.4 MB``: :func:`dockerlab.units.format_bytes`), seconds with the unit in the header, about three
significant figures, so no learner reads ``634404010``, ``0.000016`` MB or ``0.413579307999953``.

``import dockerlab`` registers :func:`to_html` as the notebook's HTML view of every DataFrame; columns
it does not know are shown as they are.
"""
from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

from .hosting import running_shell
from .answers import Answer, command_html  # noqa: F401 - the tables' API too
from .columns import LABELS
from .units import format_bytes

__all__ = ["Answer", "Unit", "unit_of", "unit_in", "label_of", "significant", "display_frame", "to_html", "facts_html",
           "register_in_running_kernel", "VALUE_LABELS",
           "command_html", "COMMAND"]


@dataclass(frozen=True)
class Unit:
    """How a column's numbers are shown: divided by ``scale``, with ``symbol`` in the header."""

    symbol: str
    scale: float


MB = Unit("MB", 1e6)
SECONDS = Unit("s", 1.0)

# Byte columns by name (and any column whose key ends in "bytes"); second columns likewise ("seconds").
_BYTE_KEYS = {"size", "size_added", "cumulative_size", "compressed", "compressed_size", "wasted", "size_in_a", "size_in_b"}
_SECOND_KEYS = {"median", "build_min", "build_max", "mean", "min_seconds", "max_seconds"}
_SUFFIX = re.compile(r"(_bytes| \(bytes\)|_seconds)$")


def unit_of(key: object) -> Unit | None:
    """The unit a column is shown in (None: shown as it is). Raises nothing."""
    if not isinstance(key, str):
        return None
    if key in _BYTE_KEYS or key.endswith("bytes") or key.endswith("(bytes)"):
        return MB
    if key == "seconds" or key.endswith("_seconds") or key in _SECOND_KEYS:
        return SECONDS
    return None


def unit_in(key: object, keys) -> Unit | None:
    """The unit column ``key`` is shown in, in a table of columns ``keys``: as :func:`unit_of`, except that
    min and max beside a median are seconds (a summary of timed runs, :func:`dockerlab.experiments.summary`).
    Raises nothing."""
    if key in ("min", "max") and "median" in list(keys):
        return SECONDS
    return unit_of(key)


def label_of(key: object) -> object:
    """The header a learner reads: ``size_added`` -> ``size added``, ``cache_bytes`` -> ``cache size`` (each size carries its own unit),
    ``db_ready_seconds`` -> ``db ready (s)``, ``runs_as_root`` -> ``runs as root`` (snake_case keys in the
    code, words on screen); a column declared with a label reads it (``dockerfile_line`` -> ``Dockerfile
    line``: :data:`dockerlab.columns.LABELS`). Returns the header (``key`` itself when it is not a str).
    Raises nothing."""
    if isinstance(key, str) and key in LABELS:
        return LABELS[key]
    unit = unit_of(key)
    if unit is None:
        return key.replace("_", " ") if isinstance(key, str) else key
    words = _SUFFIX.sub("", key).replace("_", " ")
    if unit is MB:  # cache_bytes -> "cache size"; size_added stays "size added"
        if words == "bytes":
            return "size"
        return words if "size" in words or not _SUFFIX.search(key) else f"{words} size"
    if words == "seconds":
        return "seconds"  # the header already names the unit
    if words == "bytes":
        words = "size"
    return f"{words} ({unit.symbol})"


def significant(value: object) -> object:
    """About three significant figures: 634.4 -> '634', 12.345 -> '12.3', 0.01234 -> '0.0123',
    12345.6 -> '12,346' (whole numbers at and above 100). Non-numbers are returned as they are. Raises nothing."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if value != value:  # NaN
        return ""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if 0 < abs(value) < 0.001:  # 16 bytes in MB: 0.000016, not 1.6e-05
        decimals = 1 - math.floor(math.log10(abs(value)))
        return f"{value:.{decimals}f}"
    return f"{value:.3g}"


# Values shown in words a learner reads (the DataFrame keeps the short keys the code uses).
VALUE_LABELS = {
    "scenario": {"cold": "first build (nothing cached)", "none": "no change", "code": "edit the code",
                 "requirements": "edit requirements.txt"},
}


def display_frame(frame):
    """A copy of ``frame`` for the eye: unit columns scaled and rounded, headers with units.
    Returns a DataFrame. Raises nothing."""
    import pandas as pd  # lazy: ~1 s at import; `import dockerlab` loads this module, and ``frame`` brought pandas already

    if isinstance(frame.columns, pd.MultiIndex):
        return frame
    shown = frame.copy()
    for key in frame.columns:
        unit = unit_in(key, frame.columns)
        if unit is not None and pd.api.types.is_numeric_dtype(frame[key]) and not pd.api.types.is_bool_dtype(frame[key]):
            if unit is MB:  # a size in the unit that reads (16 B, 1.38 kB, 634.4 MB), never 0.000016 MB
                shown[key] = [format_bytes(value) if value == value else "" for value in frame[key]]
            else:
                shown[key] = [significant(value / unit.scale) if value == value else "" for value in frame[key]]
    for key, words in VALUE_LABELS.items():
        if key in shown.columns:
            shown[key] = [words.get(value, value) if isinstance(value, str) else value for value in shown[key]]
    if shown.index.name in VALUE_LABELS:
        shown.index = [VALUE_LABELS[shown.index.name].get(value, value) for value in shown.index]
        shown.index.name = frame.index.name
    if isinstance(frame.index.name, str):  # a table indexed by a key (race_summary's compose_file) reads its words too
        shown.index.name = label_of(frame.index.name)
    shown.columns = _distinct([_header(key, frame) for key in frame.columns], list(frame.columns), shown.index.name)
    for key in shown.columns:
        if pd.api.types.is_float_dtype(shown[key]):
            shown[key] = [significant(value) for value in shown[key]]
    return shown


def _header(key: object, frame) -> object:
    """A column's header on screen: :func:`label_of`, min and max of timed runs in seconds, and a column
    about image a or b (``size_in_a`` of :func:`dockerlab.differences.diff`) naming the image its attrs hold."""
    if key in ("min", "max") and unit_in(key, frame.columns) is SECONDS:
        return f"{key} (s)"
    label = label_of(key)
    if isinstance(key, str) and key.endswith(("_in_a", "_in_b")) and isinstance(frame.attrs.get(key[-1]), str):
        return f"{label[:-1]}{frame.attrs[key[-1]]} ({key[-1]})"
    return label


def _distinct(headers: list, keys: list, index_header: object = None) -> list:
    """``headers`` (one per column of ``keys``) made distinct: labels are global (:func:`label_of`), so two keys of
    one table may read alike (``median_seconds`` and ``median`` both read ``median (s)``: a summary of a column of
    seconds); the first keeps its header, a later one reads its key, or its key numbered when that is taken too (never
    a header another column reads, nor the index's). Returns the list. Raises nothing."""
    if len(set(headers)) == len(headers) and index_header not in headers:
        return headers
    claimed = set(headers)  # no fallback takes a header a later column reads
    used = {index_header} if index_header is not None else set()
    distinct = []
    for header, key in zip(headers, keys, strict=True):
        if header in used:
            candidates = itertools.chain([key], (f"{key} ({number})" for number in itertools.count(2)))
            header = next(candidate for candidate in candidates if candidate not in used and candidate not in claimed)
        used.add(header)
        distinct.append(header)
    return distinct


# The attrs key of a DataFrame that holds the docker command a learner would type for it (`docker history IMAGE`).
COMMAND = "command"


def to_html(frame) -> str:
    """The notebook's HTML view of a DataFrame (JupyterLab's usual table look), every cell in full (pandas
    would cut text longer than 50 characters with "..."), below the docker command a learner would type
    for it when the frame's ``attrs["command"]`` names one.

    Returns:
        The HTML text.

    Raises:
        Nothing."""
    import pandas as pd  # lazy: ~1 s at import; `import dockerlab` loads this module, and ``frame`` brought pandas already

    command = frame.attrs.get(COMMAND)
    with pd.option_context("display.max_colwidth", None):
        return (command_html(command) if isinstance(command, str) else "") + display_frame(frame)._repr_html_()


def facts_html(value) -> str | None:
    """The notebook's HTML view of a dict of measured facts (``dl.running.restart_policy``'s): when it is
    flat (every value a number, text, bool or None) and has a field with a unit (seconds, bytes), one row
    per field, sizes and seconds with their unit to about three significant figures (``seconds``
    2.214699 -> ``2.21 s``); the dict keeps its raw numbers. Returns None for any other dict, which
    IPython then shows as it always does. Raises nothing."""
    import pandas as pd  # lazy: ~1 s at import; `import dockerlab` loads this module

    if not isinstance(value, dict) or not value or not all(isinstance(key, str) for key in value):
        return None
    if not all(item is None or isinstance(item, (str, int, float, bool)) for item in value.values()):
        return None
    if not any(unit_of(key) is not None for key in value):
        return None
    rows = []
    for key, item in value.items():
        unit = unit_of(key)
        if unit is MB and isinstance(item, (int, float)) and not isinstance(item, bool):
            shown = format_bytes(item)
        elif unit is SECONDS and isinstance(item, (int, float)) and not isinstance(item, bool):
            shown = f"{significant(item)} s"
        else:
            shown = significant(item)
        rows.append({"field": key.replace("_", " "), "value": "" if shown is None else str(shown)})
    with pd.option_context("display.max_colwidth", None):
        return pd.DataFrame(rows, columns=["field", "value"])._repr_html_()


def register_in_running_kernel(formatters=None) -> None:
    """Called by ``import dockerlab``: DataFrames in this kernel render through :func:`to_html`, and each
    ``{type: function}`` in ``formatters`` renders that type (a function returning None leaves a value to
    IPython's own view). Returns nothing; outside IPython it does nothing. Raises nothing."""
    shell = running_shell()
    if shell is None:
        return
    import pandas as pd  # lazy: only in a kernel, whose tables need pandas anyway (~1 s that `import dockerlab` spares a script)

    html = shell.display_formatter.formatters["text/html"]
    html.for_type(pd.DataFrame, to_html)
    for kind, function in (formatters or {}).items():
        html.for_type(kind, function)
