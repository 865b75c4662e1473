"""What notebook 02a's recorded run shows, asserted on data/recorded/ (read as replay reads it): the facts its
cells print and its prose states. These held as `# NBVAL_CHECK_OUTPUT` cells, which compared nothing (notebooks
are committed without outputs); a new recording that measured otherwise fails here, and the engine tests
(tests/engine/test_running_live.py) assert the same of a live run."""
from __future__ import annotations

import pytest

from dockerlab.columns import NAME_LOOKUPS, PUBLISHED_PORTS, STOPS, STORAGE_SURVIVAL
from dockerlab.recording import decode, recordings

NOTEBOOK = "02a_running_containers.json"


def recorded(call: str):
    """The one recorded result of ``call`` in 02a's recording, decoded."""
    results = [decode(entry["result"]) for entry in recordings()[NOTEBOOK]["calls"] if entry["call"] == call]
    assert len(results) == 1, f"{call}: {len(results)} recorded results in {NOTEBOOK}"
    return results[0]


def test_the_stop_exit_codes_are_the_ones_the_notebook_explains():
    # 02a: 137 = 128 + SIGKILL (the engine gave up waiting), 143 = 128 + SIGTERM, 0 = the app shut down by itself
    stops = STOPS.adopt(recorded("running.stop_times"))
    codes = {variant: sorted(set(rows)) for variant, rows in stops.groupby("variant", sort=False)["exit_code"]}
    assert codes == {"shell form": [137], "exec form": [0], "exec form, no handler": [137], "exec form, no handler, --init": [143]}, codes


def test_on_failure_3_restarted_three_times_and_gave_up():
    crash = recorded("running.restart_policy")
    assert (crash["restart_count"], crash["runs"], crash["exit_code"], crash["status"]) == (3, 4, 3, "exited"), crash


def test_names_resolved_on_the_user_defined_network_only():
    lookups = NAME_LOOKUPS.adopt(recorded("running.name_resolution")).set_index("network_kind")
    assert lookups.loc["default bridge", "resolved"] == 0 and lookups.loc["user-defined", "resolved"] == lookups.loc["user-defined", "attempts"] > 0


def test_an_exposed_port_answered_only_once_published_and_on_the_bridge_only_on_all_addresses():
    ports = PUBLISHED_PORTS.adopt(recorded("running.published_ports"))
    answered = {(row.run_with, row.tried.startswith("127.")): row.answered.startswith("HTTP") for row in ports.itertuples()}
    assert answered == {
        ("EXPOSE 8000 only (no -p)", True): False, ("EXPOSE 8000 only (no -p)", False): False,
        ("-p 127.0.0.1:PORT:8000", True): True, ("-p 127.0.0.1:PORT:8000", False): False,
        ("-p PORT:8000 (all addresses)", True): True, ("-p PORT:8000 (all addresses)", False): True,
    }, answered


@pytest.mark.parametrize(("column", "expected"), [
    ("after_restart", {"writable layer": True, "named volume": True, "bind mount": True, "tmpfs": False}),
    ("after_rm", {"writable layer": False, "named volume": True, "bind mount": True, "tmpfs": False}),
])
def test_what_outlived_a_restart_and_rm(column, expected):
    kept = STORAGE_SURVIVAL.adopt(recorded("running.storage_survival")).set_index("storage")
    assert {storage: bool(value) for storage, value in kept[column].items()} == expected


def test_the_recording_machine_is_the_one_02a_describes_amd64_emulating_arm64_only():
    # 02a's platform cells say the recording machine was amd64, arm64 ran emulated and riscv64 gave exec format error
    from dockerlab.columns import PLATFORM_RUNS

    assert recordings()[NOTEBOOK]["provenance"]["os_arch"] == "linux/amd64"
    runs = PLATFORM_RUNS.adopt(recorded("running.architectures"))
    ran = {platform: (set(rows["engine"]), set(rows["exit_code"]), rows["output"].iloc[0]) for platform, rows in runs.groupby("platform")}
    assert ran["linux/amd64"][:2] == ({"linux/amd64"}, {0}) and ran["linux/arm64"][:2] == ({"linux/amd64"}, {0}), ran
    assert "exec format error" in ran["linux/riscv64"][2] and ran["linux/riscv64"][1] != {0}, ran
