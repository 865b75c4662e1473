"""How the BuildKit experiments are set up: one thing changed at a time, repeat counts from the environment."""
from pathlib import Path

import pytest

import dockerlab as dl
from dockerlab import experiments


def test_cache_mount_variants_differ_only_by_the_mount():
    text = (dl.paths.app("layer-cache") / "Dockerfile").read_text()
    without, mounted = experiments._with_cache_mount(text)
    assert "--no-cache-dir" not in without and "--no-cache-dir" not in mounted
    changed = [(a, b) for a, b in zip(without.splitlines(), mounted.splitlines(), strict=False) if a != b]
    assert changed == [("RUN pip install -r requirements.txt", "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt")]
    assert len(without.splitlines()) == len(mounted.splitlines()) == len(text.splitlines())


def test_cache_mount_needs_a_pip_install_line():
    with pytest.raises(dl.DockerlabError, match="pip install"):
        experiments._with_cache_mount("FROM alpine:3.20\nRUN true\n")


def test_repeat_count_comes_from_the_environment_when_not_given(monkeypatch):
    monkeypatch.delenv("DOCKERLAB_REPEAT", raising=False)
    assert experiments.repeats(3) == 3
    monkeypatch.setenv("DOCKERLAB_REPEAT", "1")
    assert experiments.repeats(3) == 1
    monkeypatch.setenv("DOCKERLAB_REPEAT", "zero")
    with pytest.raises(dl.DockerlabError, match="DOCKERLAB_REPEAT"):
        experiments.repeats(3)


def test_the_stages_app_has_a_stage_the_final_image_does_not_need():
    from dockerlab.builder import _final_lineage, _stages

    stages = _stages((dl.paths.app("stages") / "Dockerfile").read_text())
    assert [name for name, _ in stages] == ["build", "tests", "stage-2"]
    assert "tests" not in _final_lineage(stages, None)


def test_the_parallel_app_has_two_independent_stages_the_final_one_copies_from():
    """Neither work stage is built FROM the other, their commands differ (identical ones BuildKit would
    solve once), and the final stage needs both: all BuildKit can do is run them side by side."""
    from dockerlab.builder import _stages

    text = (dl.paths.app("parallel") / "Dockerfile").read_text()
    stages = _stages(text)
    assert [name for name, _ in stages] == ["part-a", "part-b", "stage-2"]
    assert {base for _, base in stages} == {"alpine:3.20"}
    runs = [line for line in text.splitlines() if line.startswith("RUN ")]
    assert len(runs) == 2 and runs[0] != runs[1] and all("sleep" not in run for run in runs)
    assert [line.split()[1] for line in text.splitlines() if line.startswith("COPY ")] == ["--from=part-a", "--from=part-b"]


def test_each_edit_is_text_never_built_before(tmp_path):
    """BuildKit's cache is keyed by content: the same edit twice would be a cache hit, not a rebuild."""
    target = tmp_path / "app.py"
    target.write_text("print(1)\n")
    experiments.edit_like_a_learner(target, "1")
    first = target.read_text()
    target.write_text("print(1)\n")
    experiments.edit_like_a_learner(target, "1")
    assert first != target.read_text() and first.startswith("print(1)\n# edit 1 (")


def test_a_failed_connection_gets_its_cause_from_the_line_itself():
    from dockerlab.experiments import RACE_CAUSES, failure_cause

    # the api's real first lines, recorded by notebook 05 (data/recorded/05_docker_compose.json)
    assert failure_cause("database connection failed (attempt 1): KeyError: 'POSTGRES_PASSWORD'") == "missing setting"
    refused = ("database connection failed (attempt 1): InterfaceError: Can't create a connection to host db and port 5432 "
               "(timeout is 5 and source_address is None).")
    assert failure_cause(refused) == "database not accepting connections" and failure_cause(refused) in RACE_CAUSES
    assert failure_cause("") == "" and failure_cause("database connection failed: something new") == "other"


# pg8000 1.31.2 (core.py) wraps any socket error of create_connection in the same InterfaceError; the api's
# failure_line adds the wrapped error, which says why: a DNS failure (gaierror) or a refused connection.
_CANT_CONNECT = ("database connection failed (attempt 1): InterfaceError: Can't create a connection to host db and port 5432 "
                 "(timeout is 5 and source_address is None).")


@pytest.mark.parametrize("cause, expected", [
    (" (cause: gaierror: [Errno -2] Name or service not known)", "database host not found"),
    (" (cause: gaierror: [Errno -3] Temporary failure in name resolution)", "database host not found"),
    (" (cause: gaierror: [Errno -5] No address associated with hostname)", "database host not found"),
    (" (cause: ConnectionRefusedError: [Errno 111] Connection refused)", "database not accepting connections"),
    ("", "database not accepting connections"),
])
def test_pg8000s_wrapped_error_is_read_by_what_it_wraps(cause, expected):
    from dockerlab.experiments import RACE_CAUSES, failure_cause

    assert failure_cause(_CANT_CONNECT + cause) == expected and expected in RACE_CAUSES


def test_a_name_that_does_not_resolve_is_a_wrong_host_unless_it_is_the_databases():
    from dockerlab.experiments import RACE_CAUSES, WRONG_HOST, failure_cause

    unresolved = " (cause: gaierror: [Errno -2] Name or service not known)"
    assert failure_cause(_CANT_CONNECT + unresolved, {"db", "compose-api-db-1"}) == "database host not found"
    wrong = _CANT_CONNECT.replace("host db and", "host dbb and") + unresolved
    assert failure_cause(wrong, {"db", "compose-api-db-1"}) == WRONG_HOST and WRONG_HOST not in RACE_CAUSES
    # a wrong POSTGRES_DB: Postgres answers that the database does not exist (3D000), whatever the timing
    missing_database = ("database connection failed (attempt 1): DatabaseError: {'S': 'FATAL', 'V': 'FATAL', 'C': '3D000', "
                        "'M': 'database \"itemz\" does not exist', 'F': 'postinit.c', 'L': '1029', 'R': 'InitPostgres'}")
    assert failure_cause(missing_database, {"db"}) == "no such database" and "no such database" not in RACE_CAUSES


_REFUSED = _CANT_CONNECT + " (cause: ConnectionRefusedError: [Errno 111] Connection refused)"
_WRONG_HOST = _CANT_CONNECT.replace("host db and", "host dbb and") + " (cause: gaierror: [Errno -2] Name or service not known)"
_NO_PASSWORD = "database connection failed (attempt 1): KeyError: 'POSTGRES_PASSWORD' (cause: KeyError: b'POSTGRES_PASSWORD')"


class _Container:
    """What compose_race reads of a container: its logs (with or without timestamps), status, State and names."""

    def __init__(self, name, started, lines, status="running", exit_code=0):
        self.name, self.status, self.lines = name, status, lines
        self.attrs = {"State": {"StartedAt": started, "ExitCode": exit_code},
                      "NetworkSettings": {"Networks": {"race_default": {"Aliases": [name, "db"] if "db" in name else [name]}}}}

    def logs(self, timestamps=False):
        return "".join(f"{stamp} {text}\n" if timestamps else f"{text}\n" for stamp, text in self.lines).encode()

    def reload(self):
        pass


class _Stack:
    file = Path("race.yaml")

    def __init__(self, api, db):
        self.containers = {"api": api, "db": db}

    def down(self, volumes=False):
        pass

    def up(self, wait=False):
        pass

    def container(self, service):
        return self.containers[service]


def _run_with(first_error, failed_at):
    """One compose_race run against containers whose logs say so: the database container started at 10:00:00,
    Postgres ready at 10:00:02.3 (the official image's initdb temporary server said so first at 10:00:01.2,
    before the entrypoint's "init process complete"), the api failing at ``failed_at`` (seconds after 10:00)
    with ``first_error``."""
    ready = "LOG:  database system is ready to accept connections"
    db = _Container("race-db-1", "2026-11-30T10:00:00.000000000Z",
                    [("2026-11-30T10:00:00.100000000Z", 'The files belonging to this database system will be owned by user "postgres".'),
                     ("2026-11-30T10:00:01.000000000Z", "waiting for server to start...."),
                     ("2026-11-30T10:00:01.200000000Z", ready),
                     ("2026-11-30T10:00:02.200000000Z", "PostgreSQL init process complete; ready for start up."),
                     ("2026-11-30T10:00:02.300000000Z", ready)])
    api = _Container("race-api-1", "2026-11-30T10:00:00.400000000Z",
                     [(f"2026-11-30T10:00:{failed_at:09.6f}000Z", first_error)], status="exited", exit_code=1)
    return experiments.compose_race(_Stack(api, db), runs=1, timeout=5).iloc[0]


@pytest.mark.parametrize("first_error, failed_at, lost", [
    (_REFUSED, 0.6, True),  # refused while Postgres was still initialising: the race
    (_REFUSED, 3.1, False),  # the same words after the database was ready: not the race
    (_WRONG_HOST, 0.6, False),  # a host that is not the database's never resolves, however long the api waits
    (_NO_PASSWORD, 0.6, False),  # a missing setting fails before and after the database is ready alike
], ids=["race before ready", "same cause after ready", "wrong host", "missing setting"])
def test_a_run_lost_the_race_only_when_it_failed_before_the_database_was_ready_for_a_race_cause(first_error, failed_at, lost):
    run = _run_with(first_error, failed_at)
    assert run["db_ready_seconds"] == pytest.approx(2.3) and run["first_error_after_db_seconds"] == pytest.approx(failed_at)
    assert run["first_error"] == first_error and bool(run["lost_race"]) is lost


def test_the_race_summary_of_such_runs_counts_the_others_as_other_failures():
    import pandas as pd

    from dockerlab.experiments import race_summary

    runs = pd.DataFrame([_run_with(error, at) for error, at in [(_REFUSED, 0.6), (_REFUSED, 3.1), (_WRONG_HOST, 0.6), (_NO_PASSWORD, 0.6)]])
    summary = race_summary(runs).loc["race.yaml"]
    assert (summary["lost_race_runs"], summary["other_failures"], summary["run_count"]) == (1, 3, 4)
    assert summary["causes"] == "database not accepting connections (2); wrong database host (1); missing setting (1)"


def test_lost_the_race_needs_both_times_and_a_race_cause():
    from dockerlab.experiments import lost_the_race

    assert lost_the_race("database starting up", 1.0, 2.0)
    assert not lost_the_race("database starting up", 2.5, 2.0)
    assert not lost_the_race("database starting up", 1.0, None)  # the database never seen ready: no race to lose
    assert not lost_the_race("database starting up", None, 2.0)
    assert not lost_the_race("database starting up", float("nan"), 2.0)
    assert not lost_the_race("wrong password", 1.0, 2.0) and not lost_the_race("", None, 2.0)


def test_the_recorded_race_runs_have_causes_from_their_evidence():
    import json
    from pathlib import Path

    from dockerlab.experiments import failure_cause
    from dockerlab.recording import decode

    recorded = json.loads((Path(__file__).parents[2] / "data" / "recorded" / "05_docker_compose.json").read_text())
    races = [decode(entry["result"]) for entry in recorded["calls"] if entry["call"] == "experiments.compose_race"]
    assert races
    for table in races:
        assert list(table["cause"]) == [failure_cause(line) for line in table["first_error"]]
        assert "other" not in set(table["cause"]), "a first error the course cannot name yet"


def test_the_race_summary_counts_only_race_failures_as_lost_races():
    import pandas as pd

    from dockerlab.experiments import race_summary

    runs = pd.DataFrame({
        "compose_file": ["seed.yaml"] * 2 + ["race-1.yaml"] * 3,
        "cause": ["missing setting", "missing setting", "database not accepting connections", "", "database starting up"],
        "lost_race": [False, False, True, False, True],
        "api_serving": [False, False, False, True, False],
    })
    summary = race_summary(runs)
    assert summary.loc["seed.yaml", "lost_race_runs"] == 0 and summary.loc["seed.yaml", "other_failures"] == 2
    assert summary.loc["race-1.yaml", "lost_race_runs"] == 2 and summary.loc["race-1.yaml", "api_serving_runs"] == 1
    assert summary.loc["race-1.yaml", "run_count"] == 3
    assert summary.loc["seed.yaml", "causes"] == "missing setting (2)"


def test_a_ci_run_skips_the_classic_series_live_but_replays_what_was_recorded(monkeypatch):
    from dockerlab import experiments, recording

    monkeypatch.setenv("DOCKERLAB_REPEAT", "1")
    assert experiments.compared_builders() == ("buildkit",)  # unit tests run live
    monkeypatch.setenv("DOCKERLAB_MODE", "recorded")
    recording.reset()
    assert experiments.compared_builders() == ("buildkit", "classic")
    monkeypatch.delenv("DOCKERLAB_REPEAT")
    monkeypatch.setenv("DOCKERLAB_MODE", "live")
    recording.reset()
    assert experiments.compared_builders() == ("buildkit", "classic")


def test_buildkit_over_classic_is_the_ratio_of_medians_in_one_sentence():
    import pandas as pd

    table = pd.DataFrame({"builder": ["classic", "buildkit", "buildkit", "classic", "classic", "buildkit"],
                          "seconds": [14.0, 8.0, 7.0, 15.0, 13.0, 9.0]})
    ratio, sentence = experiments.buildkit_over_classic(table)
    assert ratio == pytest.approx(8.0 / 14.0)
    assert sentence == "BuildKit took 8 s and the classic builder 14 s (median of 3 cold builds each): BuildKit's time is 0.57 of the classic builder's."
    with pytest.raises(dl.DockerlabError, match="classic"):
        experiments.buildkit_over_classic(table[table["builder"] == "buildkit"])


def _leaves(value, path=()):
    """Every leaf of a Compose file as (path, value): a list of names (`depends_on: [db]`) as a mapping."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value) and path[-1:] == ("depends_on",):
        value = {item: {} for item in value}
    if isinstance(value, dict):
        found = {}
        for key, item in value.items():
            found.update(_leaves(item, (*path, key)) if item != {} else {(*path, key): "present"})
        return found
    return {path: value}


def _changes(parent: str, child: str) -> set[tuple]:
    import yaml

    app = Path(__file__).parents[2] / "data" / "apps" / "compose-api"
    before, after = (_leaves(yaml.safe_load((app / name).read_text())) for name in (parent, child))
    return {key[:3] for key in before.keys() ^ after.keys() | {key for key in before.keys() & after.keys() if before[key] != after[key]}}


@pytest.mark.parametrize("parent, child, changed", [
    ("seed-compose.yaml", "race-1-credentials.yaml", {("services", "api", "environment")}),  # the password, nothing else
    ("race-1-credentials.yaml", "race-2-healthy.yaml", {("services", "db", "healthcheck"), ("services", "api", "depends_on")}),  # waiting for healthy
    ("race-1-credentials.yaml", "race-3-retries.yaml", {("services", "api", "environment")}),  # retries alone, no healthcheck
])
def test_each_race_file_changes_one_thing_from_the_one_it_is_measured_against(parent, child, changed):
    assert _changes(parent, child) == changed


def test_the_retries_file_adds_only_connect_retries_to_the_credentials_file():
    import yaml

    app = Path(__file__).parents[2] / "data" / "apps" / "compose-api"
    retries, credentials = (yaml.safe_load((app / name).read_text()) for name in ("race-3-retries.yaml", "race-1-credentials.yaml"))
    assert retries["services"]["api"]["environment"] == {**credentials["services"]["api"]["environment"], "CONNECT_RETRIES": "10"}
    assert "healthcheck" not in retries["services"]["db"] and retries["services"]["api"]["depends_on"] == ["db"]
