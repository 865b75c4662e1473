"""dl.running's verdicts, summaries and plot, computed from stops measured on this project's machine
(Docker 20.10.24, python:3.11-slim stand-in, 2026-11-29), and its refusals of bad input (no engine)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from dockerlab import plots, running  # noqa: E402
from dockerlab.errors import DockerlabError  # noqa: E402

# Two runs of dl.running.stop_times on the engine here (seconds as measured).
MEASURED = [
    ("shell form", 1, "/bin/sh -c python app.py", 10.820638, 137, False),
    ("exec form", 1, "python app.py", 0.190865, 0, True),
    ("exec form, no handler", 1, "python app.py", 10.226120, 137, False),
    ("exec form, no handler, --init", 1, "/sbin/docker-init -- python app.py", 0.186019, 143, False),
    ("shell form", 2, "/bin/sh -c python app.py", 10.412201, 137, False),
    ("exec form", 2, "python app.py", 0.201734, 0, True),
    ("exec form, no handler", 2, "python app.py", 10.301877, 137, False),
    ("exec form, no handler, --init", 2, "/sbin/docker-init -- python app.py", 0.179343, 143, False),
]


@pytest.fixture
def stops():
    table = pd.DataFrame(MEASURED, columns=["variant", "run", "pid1", "seconds", "exit_code", "sigterm_handler_ran"])
    table.attrs["grace"] = 10
    return table


def test_verdicts_say_which_variants_waited_for_the_grace_period(stops):
    verdicts = dict(line.split(": ", 1) for line in running.stop_verdicts(stops))
    assert list(verdicts) == list(running.STOP_VARIANTS)
    assert "median 10.62 s over 2 stop(s), exit 137 = 128 + 9: killed by SIGKILL" in verdicts["shell form"]
    assert "waited the whole 10 s grace period" in verdicts["shell form"] and "`/bin/sh -c python app.py`" in verdicts["shell form"]
    assert "exit 0: the app stopped itself" in verdicts["exec form"] and "its handler ran" in verdicts["exec form"]
    assert "waited the whole" in verdicts["exec form, no handler"]
    # --init: tini forwards SIGTERM and the app, with no handler, is ended by its default action (exit 143,
    # no handler line in its log): the verdict says SIGTERM ended it, not that SIGTERM never came
    init = verdicts["exec form, no handler, --init"]
    assert "exit 143 = 128 + 15" in init and "SIGTERM ended the app at once" in init and "handler did not run" in init


def test_a_fast_stop_names_what_ended_it_from_the_log_and_the_exit_code(stops):
    rows = stops["variant"] == "exec form, no handler, --init"
    stops.loc[rows, "exit_code"] = 0  # fast, no handler line, not SIGTERM's code: nothing says SIGTERM ended it
    line = running.stop_verdicts(stops)[3]
    assert "the stop signal ended it at once; the app's SIGTERM handler did not run" in line and "default action" not in line
    stops.loc[stops["variant"] == "exec form", "sigterm_handler_ran"] = [True, False]
    assert "handler ran in 1 of 2 stops" in running.stop_verdicts(stops)[1]
    assert "handler never ran" in running.stop_verdicts(stops)[0]  # shell form: killed after the grace period


def test_a_stop_between_the_two_is_not_called_either(stops):
    stops.loc[stops["variant"] == "exec form", "seconds"] = 6.0
    line = next(line for line in running.stop_verdicts(stops) if line.startswith("exec form:"))
    assert "neither at once nor after the full grace period" in line


def test_a_slow_stop_that_was_not_killed_did_not_wait_for_the_grace_period(stops):
    stops.loc[stops["variant"] == "shell form", "exit_code"] = 0  # slow, but the app ended itself
    line = running.stop_verdicts(stops)[0]
    assert "exit 0" in line and "waited the whole" not in line


def test_the_summary_has_medians_pid1_and_exit_codes(stops):
    summary = running.stop_summary(stops).set_index("variant")
    assert summary.loc["shell form", "median"] == pytest.approx((10.820638 + 10.412201) / 2)
    assert summary.loc["shell form", "n"] == 2 and summary.loc["shell form", "exit_codes"] == "137"
    assert summary.loc["exec form, no handler, --init", "pid1"] == "/sbin/docker-init -- python app.py"
    assert bool(summary.loc["exec form", "sigterm_handler_ran"]) and not bool(summary.loc["shell form", "sigterm_handler_ran"])
    assert not bool(summary.loc["exec form, no handler, --init", "sigterm_handler_ran"]) and summary.loc["exec form, no handler, --init", "exit_codes"] == "143"


def test_verdicts_refuse_a_table_that_is_not_stop_times():
    with pytest.raises(DockerlabError, match="lacks"):
        running.stop_verdicts(pd.DataFrame({"variant": ["x"], "seconds": [1.0]}))


def test_the_plot_marks_the_grace_period_and_every_variant(stops):
    axes = plots.stop_times(stops)
    ticks = sorted(zip(axes.get_yticks(), (label.get_text() for label in axes.get_yticklabels()), strict=True), reverse=True)
    texts = [text.get_text() for text in axes.texts]
    assert [name for _, name in ticks] == list(running.STOP_VARIANTS)  # top to bottom, in the order measured
    assert "grace period 10 s" in texts and "10.62 s, exit 137" in texts and "0.18 s, exit 143" in texts
    assert axes.get_title() and axes.get_xlabel().startswith("seconds for `docker stop` (median of 2")
    plt.close("all")


def test_the_resolution_verdict_reads_the_rows():
    table = pd.DataFrame([
        {"network_kind": "default bridge", "server": "web-1", "attempts": 3, "resolved": 0, "by_name": "URLError", "by_ip": 200},
        {"network_kind": "user-defined", "server": "web-1", "attempts": 3, "resolved": 3, "by_name": 200, "by_ip": 200},
    ])
    assert running.resolution_verdict(table) == ("default bridge: 0 of 3 lookups of web-1 succeeded, GET by name URLError, by IP 200; "
                                                 "user-defined: 3 of 3 lookups of web-1 succeeded, GET by name 200, by IP 200.")


def test_bad_input_is_refused_before_any_engine_is_asked(tmp_path):
    with pytest.raises(DockerlabError, match="grace=0"):
        running.stop_times(tmp_path, grace=0)
    with pytest.raises(DockerlabError, match="has no shell.Dockerfile"):
        running.stop_times(tmp_path)
    with pytest.raises(DockerlabError, match="retries=0"):
        running.restart_policy(retries=0)
    with pytest.raises(DockerlabError, match="has no Dockerfile"):
        running.published_ports(tmp_path)


def test_exit_codes_of_signals():
    assert (running.SIGKILLED, running.SIGTERMED) == (137, 143)


def test_the_write_verdict_compares_each_storage_with_the_volume():
    # dl.running.write_speed on the engine here: 64 blocks of 1 MiB, 2 runs
    table = pd.DataFrame([
        ("writable layer", 1, 67108864, 0.125558), ("named volume", 1, 67108864, 0.132053), ("tmpfs", 1, 67108864, 0.043531),
        ("writable layer", 2, 67108864, 0.123249), ("named volume", 2, 67108864, 0.124083), ("tmpfs", 2, 67108864, 0.044461),
    ], columns=["storage", "run", "bytes", "seconds"])
    layer, volume, tmpfs = running.write_verdict(table)
    assert volume == "named volume: median 0.128 s for 67 MB (524 MB/s)."
    assert layer.startswith("writable layer: median 0.124 s") and "0.97x the named volume's time (within 10 %" in layer
    assert "0.34x the named volume's time." in tmpfs and "within" not in tmpfs
    with pytest.raises(DockerlabError, match="'bind mount' is not among"):
        running.write_verdict(table, reference="bind mount")


def test_the_survival_verdict_names_what_outlived_rm_and_the_host_folder():
    # dl.running.storage_survival's rows as the engine here gives them
    table = pd.DataFrame([
        ("writable layer", "/root/note.txt", True, False, None), ("named volume", "/volume/note.txt", True, True, None),
        ("bind mount", "/host-folder/note.txt", True, True, True), ("tmpfs", "/scratch/note.txt", False, False, None),
    ], columns=["storage", "path", "after_restart", "after_rm", "on_host"])
    assert running.survival_verdict(table) == (
        "Survived `docker rm` (a new container found the file): named volume, bind mount; gone with the container: writable layer, tmpfs; "
        "gone already at the restart: tmpfs. The bind mount's file was still in the host folder after the container was removed: the host keeps it.")
    recorded_before_bind_mounts = table.iloc[[0, 1, 3]].drop(columns="on_host")
    assert running.survival_verdict(recorded_before_bind_mounts).endswith("gone already at the restart: tmpfs.")
    with pytest.raises(DockerlabError, match="no after_rm column"):
        running.survival_verdict(table.drop(columns="after_rm"))


def test_write_speed_refuses_nothing_to_write():
    with pytest.raises(DockerlabError, match="megabytes=0"):
        running.write_speed(megabytes=0)


def _platform_rows(arm64_seconds, arm64_output):
    # dl.running.architectures on the engine here (linux/amd64, no emulator registered), 2 runs;
    # the emulated case changes only the arm64 rows.
    rows = []
    for run, native in ((1, 0.277314), (2, 0.282162)):
        rows.append(("linux/amd64", "amd64", "linux/amd64", run, 0, "hello from linux/amd64", native))
        rows.append(("linux/arm64", "arm64", "linux/amd64", run, 0 if arm64_seconds else 1, arm64_output, arm64_seconds))
    return pd.DataFrame(rows, columns=["platform", "architecture", "engine", "run", "exit_code", "output", "seconds"])


def test_a_foreign_platform_without_emulation_is_an_exec_format_error():
    native, foreign = running.architecture_verdicts(_platform_rows(None, "exec /hello: exec format error"))
    assert native == "linux/amd64: native, median 0.280 s for the work."
    assert foreign.startswith("linux/arm64 on this linux/amd64 engine: did not run (exec /hello: exec format error)")
    assert "no emulator for it is registered" in foreign and "no slowdown could be measured" in foreign


def test_an_emulated_platform_gets_its_slowdown():
    _, foreign = running.architecture_verdicts(_platform_rows(2.8, "hello from linux/arm64"))
    assert foreign == "linux/arm64 on this linux/amd64 engine: ran under emulation, median 2.800 s, 10.0x the native time."


def test_architecture_verdicts_refuse_a_table_that_is_not_architectures():
    with pytest.raises(DockerlabError, match=r"lacks \['engine', 'output'\]"):
        running.architecture_verdicts(_platform_rows(2.8, "x").drop(columns=["engine", "output"]))


@pytest.mark.parametrize("verdict, made_by", [(running.resolution_verdict, "name_resolution"), (running.compose_network_verdict, "compose_network")])
def test_the_network_verdicts_refuse_a_table_of_another_experiment(verdict, made_by):
    with pytest.raises(DockerlabError, match="lacks") as raised:
        verdict(pd.DataFrame({"network": ["bridge"], "attempts": [3]}))
    assert made_by in raised.value.fix


def test_architectures_needs_a_platform():
    with pytest.raises(DockerlabError, match="No platforms given"):
        running.architectures("data/apps/arch-hello", platforms=())


def test_the_compose_network_sentence_reads_the_rows():
    table = pd.DataFrame([{"network": "p_default", "driver": "bridge", "services": "web, worker", "attempts": 3, "resolved": 0,
                           "by_name": "URLError", "by_ip": 200}])
    said = running.compose_network_verdict(table)
    assert said.startswith("Compose created p_default (bridge) with web, worker on it: 0 of 3 lookups") and "GET by name URLError" in said
