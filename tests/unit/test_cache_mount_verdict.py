"""Notebook 03's cache-mount verdict is computed from the data: a mount that held next to nothing after
the cold build shows no speed-up (whatever the two rebuild times were), a filled one gives the ratio."""
import json
from pathlib import Path

import pandas as pd
import pytest

import dockerlab as dl
from dockerlab import experiments
from dockerlab.columns import CACHE_MOUNT_BUILDS
from dockerlab.recording import decode

RECORDED = Path(__file__).parents[2] / "data" / "recorded" / "03_layer_caching.json"


def recorded_mounts() -> pd.DataFrame:
    calls = [entry for entry in json.loads(RECORDED.read_text())["calls"] if entry["call"] == "experiments.cache_mount"]
    assert calls, "03's recording has no cache_mount call"
    return CACHE_MOUNT_BUILDS.adopt(decode(calls[-1]["result"]))  # as replay reads it: a former key renamed


def synthetic(cache_bytes: int, with_seconds=(20.0, 22.0, 21.0), without_seconds=(40.0, 41.0, 39.0), headers=None) -> pd.DataFrame:
    rows = []
    for run in (1, 2, 3):
        for variant, seconds in (("without cache mount", without_seconds), ("with cache mount", with_seconds)):
            for scenario in ("cold", "requirements"):
                rows.append({"variant": variant, "run": run, "scenario": scenario, "meaning": scenario,
                             "seconds": 60.0 if scenario == "cold" else seconds[run - 1], "install_seconds": 30.0,
                             "install_bytes": 386_000_000, "cache_bytes": cache_bytes if variant == "with cache mount" else None,
                             "dockerfile_text": "FROM python:3.11-slim\n"})
    table = CACHE_MOUNT_BUILDS.frame(rows)
    if headers is not None:
        table.attrs["cache_headers"] = headers
    return table


def test_the_recorded_run_whose_mount_held_4096_bytes_is_not_shown():
    mounts = recorded_mounts()
    assert set(mounts.loc[mounts["variant"] == "with cache mount", "cache_bytes"]) == {4096}  # what was recorded
    found = experiments.cache_mount_verdict(mounts)
    assert found.verdict == "not shown" and not found.shown and found.ratio is None
    assert found.cache_bytes == 4096 and "4.1 kB" in str(found) and "Not shown" in str(found)
    assert "met" not in found._repr_html_().split()


def test_a_filled_mount_gives_the_ratio_computed_as_before():
    mounts = synthetic(cache_bytes=95_000_000)
    found = experiments.cache_mount_verdict(mounts)
    edit = dl.experiments.summary(mounts[mounts["scenario"] == "requirements"], "variant").set_index("variant")["median"]
    assert found.verdict == "shown" and found.shown
    assert found.ratio == pytest.approx(edit["with cache mount"] / edit["without cache mount"]) == pytest.approx(21.0 / 40.0)
    assert "95.0 MB" in str(found) or "95 MB" in str(found)


def test_an_empty_mount_is_not_shown_even_when_the_rebuild_happened_to_be_faster():
    found = experiments.cache_mount_verdict(synthetic(cache_bytes=4096))
    assert found.verdict == "not shown" and found.with_seconds < found.without_seconds


def test_the_reason_comes_from_the_probed_headers():
    stripped = {"url": "https://pypi.org/simple/numpy/", "status": 200, "cache-control": None, "etag": None}
    assert "no Cache-Control and no ETag" in str(experiments.cache_mount_verdict(synthetic(4096, headers=stripped)))
    sent = {"url": "https://pypi.org/simple/numpy/", "status": 200, "cache-control": "max-age=600, public", "etag": '"abc"'}
    assert "pip -vvv" in str(experiments.cache_mount_verdict(synthetic(4096, headers=sent)))
    assert "not probed" in str(experiments.cache_mount_verdict(synthetic(4096)))


def test_the_probe_asks_for_the_first_requirement_from_the_install_base(tmp_path):
    (tmp_path / "requirements.txt").write_text("# pinned\n--index-url https://example.invalid\n\nnumpy==2.1.3\npandas==2.2.3\n")
    assert experiments._first_requirement(tmp_path / "requirements.txt") == "numpy"
    text = "FROM golang:1.21 AS tools\nRUN true\nFROM --platform=linux/amd64 python:3.11-slim\nRUN pip install -r requirements.txt\n"
    assert experiments._install_base(text) == "python:3.11-slim"


def test_a_table_that_is_not_the_experiments_is_refused():
    with pytest.raises(dl.DockerlabError, match="cache_mount"):
        experiments.cache_mount_verdict(pd.DataFrame({"seconds": [1.0]}))
