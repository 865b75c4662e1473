"""dl.running on the engine: what `docker stop` does to each CMD form, a restart policy, name
resolution per network, EXPOSE vs -p; and nothing is left behind (containers, networks)."""
import pytest

import dockerlab as dl
from dockerlab.labels import CREATED_FILTER


def course_objects():
    client = dl.engine.client()
    return ({c.id for c in client.containers.list(all=True, filters={"label": CREATED_FILTER})},
            {n.id for n in client.networks.list(filters={"label": CREATED_FILTER})})


@pytest.fixture
def leaves_nothing():
    before = course_objects()
    yield
    containers, networks = course_objects()
    assert containers <= before[0] and networks <= before[1], "dl.running left containers or networks behind"


def test_a_shell_form_cmd_waits_for_the_grace_period_and_the_exec_form_does_not(leaves_nothing):
    stops = dl.running.stop_times(dl.paths.app("signals"), repeat=1, grace=3)
    rows = stops.set_index("variant")
    assert rows.loc["shell form", "pid1"].startswith("/bin/sh -c")
    assert rows.loc["shell form", "exit_code"] == 137 and rows.loc["shell form", "seconds"] >= 2.7
    assert rows.loc["exec form", "exit_code"] == 0 and rows.loc["exec form", "seconds"] < 2 and rows.loc["exec form", "sigterm_handler_ran"]
    assert rows.loc["exec form, no handler", "exit_code"] == 137  # PID 1 without a handler ignores SIGTERM
    assert rows.loc["exec form, no handler, --init", "exit_code"] == 143 and rows.loc["exec form, no handler, --init", "seconds"] < 2
    assert not rows.loc["exec form, no handler, --init", "sigterm_handler_ran"]  # SIGTERM's default action ended it: no handler line
    assert "waited the whole 3 s grace period" in dl.running.stop_verdicts(stops)[0]


def test_on_failure_restarts_a_failing_command_the_number_of_times_asked(leaves_nothing):
    crash = dl.running.restart_policy("alpine:3.20", ["sh", "-c", "echo crashing; exit 3"], retries=2)
    assert (crash["restart_count"], crash["runs"], crash["exit_code"], crash["status"]) == (2, 3, 3, "exited")


def test_names_resolve_on_a_user_defined_network_only(leaves_nothing):
    table = dl.running.name_resolution(attempts=2).set_index("network_kind")
    assert table.loc["default bridge", "resolved"] == 0 and table.loc["default bridge", "by_ip"] == 200
    assert table.loc["user-defined", "resolved"] == 2 and table.loc["user-defined", "by_name"] == 200


def test_compose_creates_one_network_on_which_services_find_each_other_by_name(leaves_nothing):
    table = dl.running.compose_network(dl.paths.app("compose-net"), attempts=2)
    assert len(table) == 1
    row = table.iloc[0]
    assert row["network"].endswith("_default") and row["driver"] == "bridge" and row["services"] == "web, worker"
    assert row["resolved"] == 2 and row["by_name"] == 200 and row["by_ip"] == 200
    assert "2 of 2 lookups by service name succeeded" in dl.running.compose_network_verdict(table)


def test_an_exposed_port_answers_only_once_published_and_on_the_bridge_only_when_published_on_all_addresses(leaves_nothing):
    table = dl.running.published_ports(dl.paths.app("web-port"))
    answered = {(row.run_with.split(" ")[1] if row.run_with.startswith("-p") else "none", row.tried.startswith("127.0.0.1:")): row.answered
                for row in table.itertuples()}
    assert answered == {
        ("none", True): "ConnectionRefusedError", ("none", False): "ConnectionRefusedError",
        ("127.0.0.1:PORT:8000", True): "HTTP 200", ("127.0.0.1:PORT:8000", False): "ConnectionRefusedError",
        ("PORT:8000", True): "HTTP 200", ("PORT:8000", False): "HTTP 200",
    }
    assert table["published"].str.contains("0.0.0.0:").sum() == 2


def test_state_of_a_missing_container_is_a_clear_error():
    with pytest.raises(dl.errors.ContainerFailed, match="Could not inspect container 'dockerlab-no-such-container': no container here has that name"):
        dl.running.state("dockerlab-no-such-container")


def _bind_folders():
    import tempfile
    from pathlib import Path

    return set(Path(tempfile.gettempdir()).glob("dockerlab-bind-*"))


def test_a_volume_and_a_bind_mount_survive_rm_and_a_tmpfs_not_even_a_restart(leaves_nothing):
    volumes_before, folders_before = {v.name for v in dl.engine.client().volumes.list()}, _bind_folders()
    table = dl.running.storage_survival().set_index("storage")
    assert table["after_restart"].to_dict() == {"writable layer": True, "named volume": True, "bind mount": True, "tmpfs": False}
    assert table["after_rm"].to_dict() == {"writable layer": False, "named volume": True, "bind mount": True, "tmpfs": False}
    assert table.loc["bind mount", "on_host"] is True and table["on_host"].isna().sum() == 3
    assert "the host keeps it" in dl.running.survival_verdict(table.reset_index())
    assert {v.name for v in dl.engine.client().volumes.list()} <= volumes_before and _bind_folders() <= folders_before


def test_write_speed_measures_each_storage(leaves_nothing):
    table = dl.running.write_speed(megabytes=8, repeat=1)
    assert list(table["storage"]) == list(dl.running.STORAGE) and (table["seconds"] > 0).all() and (table["bytes"] == 8 << 20).all()
    assert "bind mount" in set(table["storage"])


def test_an_image_built_for_another_platform_says_so_and_does_not_run_natively(leaves_nothing):
    engine_arch = dl.engine.client().version()["Arch"]
    other = "linux/arm64" if engine_arch == "amd64" else "linux/amd64"
    table = dl.running.architectures(dl.paths.app("arch-hello"), platforms=(f"linux/{engine_arch}", other), rounds=1000, repeat=1).set_index("platform")
    assert table.loc[f"linux/{engine_arch}", "exit_code"] == 0 and table.loc[f"linux/{engine_arch}", "output"] == f"hello from linux/{engine_arch}"
    assert table.loc[other, "architecture"] == other.split("/")[1]
    foreign = table.loc[other]
    emulated = dl.readiness.check_emulation(dl.engine.info()).status == dl.readiness.OK  # what the doctor says this host has
    if emulated:  # qemu-user-static in binfmt_misc (scripts/install-emulation)
        assert foreign["exit_code"] == 0 and foreign["output"] == f"hello from {other}", foreign.to_dict()
    else:
        assert "exec format error" in foreign["output"], foreign.to_dict()


def test_the_stop_exercise_fails_a_shell_form_cmd_by_its_measured_stop_time(leaves_nothing):
    from dockerlab.exercises.catalogue import EXERCISES

    exercise = EXERCISES["02a"]
    verdict = exercise.check(exercise.solution_text().replace('CMD ["python", "app.py"]', "CMD python app.py"))
    measured = [message for message in verdict.messages if message.startswith("measured:")]
    assert not verdict.passed and len(measured) == 1, str(verdict)
    assert "expected `docker stop` to take under 2 s" in measured[0] and "exit code 137" in measured[0] and "/bin/sh -c python app.py" in measured[0]


def test_the_stop_exercise_gives_a_cmd_of_one_json_string_a_verdict_not_a_traceback(leaves_nothing):
    # issue 21: CMD ["python app.py"] raised ContainerFailed from the start, and the static hint was lost
    from dockerlab.exercises.catalogue import EXERCISES

    exercise = EXERCISES["02a"]
    verdict = exercise.check(exercise.solution_text().replace('CMD ["python", "app.py"]', 'CMD ["python app.py"]'))
    measured = [message for message in verdict.messages if message.startswith("measured:")]
    assert not verdict.passed and verdict.live == "measured" and len(measured) == 1, str(verdict)
    assert "the engine could not start it" in measured[0] and "python app.py" in measured[0], measured[0]
    assert "JSON list of one string" in str(verdict), str(verdict)  # the static tier's hint, kept


@pytest.mark.parametrize(("image", "command", "pid1"), [
    ("python:3.11-slim", ["sh", "-c", "cat /proc/1/comm"], "sh"),              # dash keeps itself PID 1 (02a's shell form)
    ("python:3.11-slim", ["bash", "-c", "cat /proc/1/comm"], "cat"),           # bash execs a lone command
    ("alpine:3.20", ["sh", "-c", "cat /proc/1/comm"], "cat"),                  # so does busybox's sh
    ("alpine:3.20", ["sh", "-c", "cd / && cat /proc/1/comm"], "cat"),          # and the last of a list
    ("alpine:3.20", ["sh", "-c", "cat /proc/1/comm; true"], "sh"),             # not one a command follows
    ("python:3.11-slim", ["bash", "-c", "cat /proc/1/comm; true"], "bash"),    # in bash either
])
def test_which_process_is_pid_1_under_sh_c_depends_on_the_shell(created, image, command, pid1):
    # what notebook 02a's "Is the shell always PID 1?" cells show, and static._SHELLS's comment says
    from .conftest import run_to_exit

    code, output = run_to_exit(created, image, command)
    assert (code, output.strip()) == (0, pid1), output


def test_serve_of_a_missing_path_is_a_404_answer_at_once(leaves_nothing):
    """#16: an HTTP error status is an answer (ok False, its status), not "no answer" after the whole timeout."""
    import time

    started = time.monotonic()
    result = dl.serve("python:3.11-slim", 8080, path="/missing", timeout=60, command=["python", "-m", "http.server", "8080"])
    assert not result.ok and result.status == 404 and "HTTP 404" in str(result), result
    assert time.monotonic() - started < 30


def test_serve_whose_container_is_removed_meanwhile_is_a_container_failed(leaves_nothing):
    """#16: `docker rm -f` of serve()'s container while it waits: ContainerFailed naming it, no raw NotFound."""
    import threading
    import uuid

    from dockerlab.errors import ContainerFailed

    client = dl.engine.client()
    seconds = str(7000 + uuid.uuid4().int % 1000)  # a command no other container runs

    def remove_it() -> None:
        for _ in range(150):
            for container in client.containers.list(filters={"ancestor": "alpine:3.20"}):
                if container.attrs["Config"]["Cmd"] == ["sleep", seconds]:
                    container.remove(force=True)
                    return
            threading.Event().wait(0.2)

    remover = threading.Thread(target=remove_it)
    remover.start()
    try:
        with pytest.raises(ContainerFailed) as failed:
            dl.serve("alpine:3.20", 8080, timeout=60, command=["sleep", seconds])
    finally:
        remover.join()
    assert "alpine:3.20" in failed.value.message and "removed while serve() waited" in failed.value.fix
