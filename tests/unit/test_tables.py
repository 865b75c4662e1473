"""Tables read in units a learner reads: every DataFrame the recordings hold, rendered as a notebook
shows it, has no raw byte counts and no six-decimal seconds; the DataFrame itself keeps raw numbers."""
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from dockerlab.recording import decode
from dockerlab.tables import display_frame, label_of, significant, to_html

RECORDED = Path(__file__).parents[2] / "data" / "recorded"


def frames(value):
    if isinstance(value, pd.DataFrame):
        yield value
        for cell in value.to_numpy().ravel():
            yield from frames(cell)
    elif isinstance(value, dict):
        for item in value.values():
            yield from frames(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from frames(item)
    elif hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            yield from frames(getattr(value, name))


def recorded_frames():
    for file in sorted(RECORDED.glob("*.json")):
        for entry in json.loads(file.read_text())["calls"]:
            if not entry.get("raised"):
                for number, frame in enumerate(frames(decode(entry["result"]))):
                    yield pytest.param(frame, id=f"{file.stem}-{entry['call']}-{entry['occurrence']}-{number}")


RAW_BYTES = re.compile(r"<td>-?\d{7,}</td>")  # 634404010, not 634 (MB)
DECIMAL = re.compile(r"<td>-?(\d+\.\d+)</td>")


def significant_digits(text: str) -> int:
    return len(text.replace(".", "").lstrip("0"))


@pytest.mark.parametrize("frame", list(recorded_frames()))
def test_no_recorded_table_shows_raw_bytes_or_long_decimals(frame):
    shown = to_html(frame)
    assert not RAW_BYTES.search(shown), RAW_BYTES.search(shown).group(0)
    long = [number for number in DECIMAL.findall(shown) if significant_digits(number) > 3]
    assert not long, long[:3]


def test_headers_carry_units_and_the_frame_keeps_raw_numbers():
    frame = pd.DataFrame({"size_added": [2_800_000], "db_ready_seconds": [1.7166], "bytes": [33_342_568], "layers": [8]})
    shown = display_frame(frame)
    assert list(shown.columns) == ["size added", "db ready (s)", "size", "layers"]
    assert label_of("runs_as_root") == "runs as root"
    assert shown.iloc[0].tolist() == ["2.8 MB", "1.72", "33.3 MB", 8]
    assert frame["size_added"].iloc[0] == 2_800_000
    assert RAW_BYTES.search(frame._repr_html_()) and not RAW_BYTES.search(to_html(frame))  # the check can fail
    assert label_of("image") == "image" and label_of("seconds") == "seconds"
    assert label_of("cache_bytes") == "cache size" and label_of("compressed_size") == "compressed size" and label_of("context (bytes)") == "context size"


def test_small_sizes_read_in_kilobytes_or_bytes_not_millionths_of_a_megabyte():
    # notebook 02's layer table showed COPY requirements.txt as 0.000016 MB
    frame = pd.DataFrame({"instruction": ["COPY requirements.txt .", "COPY . .", "RUN pip install", "base"],
                          "size": [16, 1383, 2_760_988, 131_756_250]})
    shown = display_frame(frame)
    assert shown["size"].tolist() == ["16 B", "1.38 kB", "2.76 MB", "132 MB"]
    assert "0.0000" not in to_html(frame) and frame["size"].tolist()[0] == 16


@pytest.mark.parametrize("size, text", [(0, "0 B"), (999, "999 B"), (1000, "1 kB"), (16_400, "16.4 kB"), (812_000, "812 kB"),
                                        (999_600, "1 MB"), (131_756_250, "132 MB"), (1_234_000_000, "1.23 GB")])
def test_one_size_format_for_every_size(size, text):
    from dockerlab.units import format_bytes

    assert format_bytes(size) == text


@pytest.mark.parametrize("value, text",
                         [(634.4, "634"), (12.345, "12.3"), (0.01234, "0.0123"), (12345.6, "12,346"), (1.6e-05, "0.000016"), (True, True), ("x", "x")])
def test_significant_figures(value, text):
    assert significant(value) == text


def test_min_and_max_beside_a_median_are_seconds():
    frame = pd.DataFrame({"scenario": ["none"], "median": [0.41357], "min": [0.4], "max": [0.5]})
    shown = display_frame(frame)
    assert list(shown.columns) == ["scenario", "median (s)", "min (s)", "max (s)"] and shown["scenario"].iloc[0] == "no change"


def test_an_answer_is_its_text_and_shows_the_command_that_gives_it():
    from dockerlab.tables import Answer

    answer = Answer("sha256:abc", "docker image inspect --format '{{.Id}}' hello:1")
    assert answer == "sha256:abc" and {answer: 1}["sha256:abc"] == 1 and repr(answer) == "'sha256:abc'"
    shown = answer._repr_html_()
    assert "In a terminal: <code>docker image inspect --format &#x27;{{.Id}}&#x27; hello:1</code>" in shown and "sha256:abc" in shown


def test_an_answer_replays_with_its_command():
    from dockerlab.recording.codec import decode, encode
    from dockerlab.tables import Answer

    replayed = decode(encode(Answer("sha256:abc", "docker pull x@sha256:abc")))
    assert isinstance(replayed, Answer) and replayed == "sha256:abc" and replayed.command == "docker pull x@sha256:abc"


CRASH = {"policy": "on-failure:3", "restart_count": 3, "exit_code": 3, "status": "exited", "runs": 4, "seconds": 2.214699408999877}


def test_a_dict_of_measured_facts_shows_seconds_readably_and_keeps_raw_numbers():
    # notebook 02a showed dl.running.restart_policy's dict with 'seconds': 2.214699408999877
    from dockerlab.tables import facts_html

    shown = facts_html(CRASH)
    assert "2.21 s" in shown and "2.2146" not in shown and "on-failure:3" in shown and "restart count" in shown
    assert CRASH["seconds"] == 2.214699408999877
    assert "1.38 kB" in facts_html({"image": "x", "size": 1383})
    assert facts_html({"status": "running", "exit_code": 0}) is None  # no field with a unit: IPython's own view
    assert facts_html({"seconds": 1.0, "mounts": ["/data"]}) is None and facts_html({}) is None and facts_html([1]) is None


def test_the_kernel_renders_dicts_of_measured_facts_through_the_table():
    from IPython.core.interactiveshell import InteractiveShell

    from dockerlab import results, tables

    shell = InteractiveShell.instance()
    tables.register_in_running_kernel({list: results.list_html, dict: tables.facts_html})
    data, _ = shell.display_formatter.format(CRASH)
    assert "2.21 s" in data["text/html"]
    assert "text/html" not in shell.display_formatter.format({"a": 1})[0]


def test_a_diffs_headers_name_its_two_images():
    diffs = [decode(entry["result"]) for entry in json.loads((RECORDED / "04_multi_stage_builds.json").read_text())["calls"] if entry["call"] == "diff"]
    assert diffs
    for table in diffs:
        shown = list(display_frame(table).columns)
        assert f"size in {table.attrs['a']} (a)" in shown and f"size in {table.attrs['b']} (b)" in shown, shown
        assert "size in a" not in shown and list(table.columns)[2:4] == ["size_in_a", "size_in_b"]  # the keys stay


def test_no_two_columns_read_alike_when_two_keys_share_a_label():
    """A verifier's break: labels are global, so summary() of a column of seconds named median_seconds showed two
    columns both labelled "median (s)"."""
    from dockerlab.experiments import summary

    runs = pd.DataFrame({"median_seconds": [1.0, 1.0, 2.0], "seconds": [0.5, 0.7, 0.9]})
    shown = list(display_frame(summary(runs, "median_seconds")).columns)
    assert shown == ["median (s)", "median", "min (s)", "max (s)", "n"], shown
    frame = pd.DataFrame({"target_text": ["≤ 1 s"], "target": ["t"], "a_b": [1], "a b": [2]})  # target_text is declared to read "target"
    assert list(display_frame(frame).columns) == ["target", "target (2)", "a b", "a b (2)"]
    indexed = display_frame(frame.set_index("target"))  # the index's header counts too
    assert indexed.index.name == "target" and list(indexed.columns) == ["target_text", "a b", "a b (2)"]
    assert "median (s)</th>" in to_html(summary(runs, "median_seconds")) and to_html(summary(runs, "median_seconds")).count("median (s)</th>") == 1
