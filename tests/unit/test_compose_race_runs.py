"""compose_race against containers whose timestamped logs grow as a (fake) clock runs, as the engine's do:
when a run stops waiting, which "ready" line is the database's, and the cause of runs that fail in ways the
api's "database connection failed" line does not say (a wrong host that resolves, an api that crashes
first, a database that exits)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from dockerlab import experiments, plots  # noqa: E402
from dockerlab.experiments import API_EXITED, API_NOT_SERVING, DATABASE_EXITED, FAILURE_CAUSES, RACE_CAUSES, WRONG_HOST  # noqa: E402

STARTED = datetime(2026, 11, 30, 10, 0, 0, tzinfo=timezone.utc)  # the database container's start; the clock's 0
READY = "LOG:  database system is ready to accept connections"
COMPLETE = "PostgreSQL init process complete; ready for start up."
# the official image's first start (docker-library/postgres docker-entrypoint.sh): initdb, the temporary
# server on the unix socket only (its own ready line), then the real server
OFFICIAL = [(0.1, 'The files belonging to this database system will be owned by user "postgres".'),
            (0.9, "waiting for server to start...."), (1.0, READY), (1.1, " done"), (1.2, "server started"),
            (2.4, "waiting for server to shut down.... done"), (2.5, COMPLETE),
            (2.9, 'LOG:  listening on IPv4 address "0.0.0.0", port 5432'), (3.0, READY)]
STAND_IN = [(2.0, COMPLETE), (2.1, READY)]  # the course's stand-in sends the temporary server's log to /dev/null


def refused(host: str = "db") -> str:
    return (f"database connection failed (attempt 1): InterfaceError: Can't create a connection to host {host} and port 5432 "
            "(timeout is 5 and source_address is None). (cause: ConnectionRefusedError: [Errno 111] Connection refused)")


class Clock:
    """time.monotonic and time.sleep for compose_race: sleeping moves the clock, nothing waits."""

    def __init__(self):
        self.now = 0.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def stamp(seconds: float) -> str:
    return (STARTED + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"


class Container:
    """A container whose log lines (seconds after the clock's 0, text) appear when the clock reaches them,
    exiting at ``exits_at`` (None: it keeps running)."""

    def __init__(self, clock, name, lines, *, started=0.0, exits_at=None, exit_code=1, env=(), ip="172.18.0.2"):
        self.clock, self.name, self.lines, self.exits_at, self.exit_code = clock, name, lines, exits_at, exit_code
        self.attrs = {"State": {"StartedAt": stamp(started), "ExitCode": 0}, "Config": {"Env": list(env)},
                      "NetworkSettings": {"Networks": {"race_default": {"Aliases": [name, name.split("-")[1]], "IPAddress": ip}}}}

    @property
    def status(self):
        return "exited" if self.exits_at is not None and self.clock.now >= self.exits_at else "running"

    def logs(self, timestamps=False):
        shown = [(at, text) for at, text in self.lines if at <= self.clock.now]
        return "".join(f"{stamp(at)} {text}\n" if timestamps else f"{text}\n" for at, text in shown).encode()

    def reload(self):
        self.attrs["State"]["ExitCode"] = self.exit_code if self.status == "exited" else 0


class Stack:
    file = Path("race.yaml")

    def __init__(self, clock, api, db):
        self.clock, self.containers = clock, {"api": api, "db": db}

    def down(self, volumes=False):
        pass

    def up(self, wait=False):
        self.clock.now = 0.0

    def container(self, service):
        return self.containers[service]


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(experiments, "time", clock)
    return clock


def race(clock, db_lines, api_lines, *, api_exits_at=None, api_exit_code=1, api_env=(), db_exits_at=None, timeout=60):
    """One compose_race run; returns its row and the clock (how long the run waited)."""
    db = Container(clock, "race-db-1", db_lines, exits_at=db_exits_at)
    api = Container(clock, "race-api-1", api_lines, started=0.4, exits_at=api_exits_at, exit_code=api_exit_code, env=api_env)
    return experiments.compose_race(Stack(clock, api, db), runs=1, timeout=timeout).iloc[0]


def test_the_official_images_temporary_server_is_not_the_database_being_ready(clock):
    """/tmp/v18-fake.py's scenario with the official image's words: the temporary server says ready at
    1.0 s, the api is refused at 1.6 s and exits, the real server is ready at 3.0 s. The run waits for 3.0 s
    and the api lost the race."""
    run = race(clock, OFFICIAL, [(1.6, refused())], api_exits_at=1.7)
    assert run["db_ready_seconds"] == pytest.approx(3.0) and run["first_error_after_db_seconds"] == pytest.approx(1.6)
    assert run["cause"] == "database not accepting connections" and bool(run["lost_race"]) is True
    assert 3.0 <= clock.now < 3.5  # it waited for the real server's line, and no longer


def test_before_init_completes_the_official_image_is_not_ready(clock):
    """Stopped (by the timeout) between the temporary server's ready line and the real one: not ready."""
    run = race(clock, OFFICIAL, [(1.6, refused())], api_exits_at=1.7, timeout=2.0)
    assert pd.isna(run["db_ready_seconds"]) and bool(run["lost_race"]) is False


@pytest.mark.parametrize("lines, ready_at", [
    (STAND_IN, 2.1),  # the stand-in: the ready line after "init process complete"
    ([(0.5, READY), (4.0, READY)], 0.5),  # a data directory that existed (no initialisation): the first ready line
], ids=["stand-in", "no initialisation"])
def test_without_a_temporary_servers_line_the_first_ready_line_counts(clock, lines, ready_at):
    run = race(clock, lines, [(1.6, refused())], api_exits_at=1.7)
    assert run["db_ready_seconds"] == pytest.approx(ready_at)


@pytest.mark.parametrize("host, env, cause", [
    ("localhost", ["DB_HOST=localhost"], WRONG_HOST),  # the api's own loopback: refused however long it waits
    ("api", ["DB_HOST=api"], WRONG_HOST),  # the api's own service name resolves, to the api
    ("db", [], "database not accepting connections"),  # the database's service name: the race
    ("race-db-1", ["DB_HOST=race-db-1"], "database not accepting connections"),  # its container name
    ("172.18.0.2", ["DB_HOST=172.18.0.2"], "database not accepting connections"),  # its address
], ids=["localhost", "the api's name", "service", "container name", "ip"])
def test_a_refused_connection_is_the_race_only_at_the_databases_host(clock, host, env, cause):
    run = race(clock, STAND_IN, [(0.6, refused(host))], api_exits_at=0.7, api_env=env)
    assert run["cause"] == cause and bool(run["lost_race"]) is (cause in RACE_CAUSES)


def test_the_configured_host_counts_when_the_line_names_none():
    from dockerlab.experiments import failure_cause

    line = "database connection failed (attempt 1): ConnectionRefusedError: [Errno 111] Connection refused"
    assert failure_cause(line, {"db", "race-db-1"}, "localhost") == WRONG_HOST
    assert failure_cause(line, {"db", "race-db-1"}, "db") == "database not accepting connections"
    assert failure_cause(line, {"db", "race-db-1"}) == "database not accepting connections"  # no host known: not checked
    assert failure_cause(refused("localhost"), {"db"}, "db") == WRONG_HOST  # the host the line names is where it connected


CRASH = [(0.8, "Traceback (most recent call last):"), (0.8, '  File "<string>", line 1, in <module>'),
         (0.8, "ModuleNotFoundError: No module named 'pg8000.missing_module'")]


def test_an_api_that_crashes_before_connecting_is_an_other_failure_with_its_last_line(clock):
    run = race(clock, STAND_IN, CRASH, api_exits_at=0.9)
    assert run["cause"] == API_EXITED and run["first_error"] == "ModuleNotFoundError: No module named 'pg8000.missing_module'"
    assert bool(run["lost_race"]) is False and run["failed_connections"] == 0 and run["api_exit_code"] == 1
    summary = experiments.race_summary(pd.DataFrame([run])).loc["race.yaml"]
    assert (summary["lost_race_runs"], summary["other_failures"], summary["causes"]) == (0, 1, "api exited (1)")


def test_an_api_that_never_serves_nor_fails_is_an_other_failure(clock):
    run = race(clock, STAND_IN, [(0.5, "starting the api")], timeout=5)
    assert run["cause"] == API_NOT_SERVING and run["first_error"] == "starting the api" and not run["api_serving"]


def test_an_api_that_serves_has_no_cause(clock):
    run = race(clock, STAND_IN, [(2.5, "connected to the database; serving on :8000")])
    assert run["cause"] == "" and run["first_error"] == "" and run["api_serving"]


NO_PASSWORD = [(0.2, "Error: Database is uninitialized and superuser password is not specified."),
               (0.2, "       Set POSTGRES_PASSWORD (docker run -e POSTGRES_PASSWORD=...),"),
               (0.2, "       or POSTGRES_HOST_AUTH_METHOD=trust to allow every connection without a password.")]


def test_a_database_that_exits_ends_the_run_at_once_with_its_error(clock):
    run = race(clock, NO_PASSWORD, [(0.6, refused())], api_exits_at=0.7, db_exits_at=0.3)
    assert clock.now < 2  # not the 60 s timeout
    assert run["cause"] == DATABASE_EXITED and run["first_error"] == NO_PASSWORD[0][1]
    assert bool(run["lost_race"]) is False and pd.isna(run["db_ready_seconds"])


def test_every_cause_compose_race_gives_is_declared():
    declared = [cause for cause, _ in FAILURE_CAUSES]
    assert {WRONG_HOST, API_EXITED, API_NOT_SERVING, DATABASE_EXITED, *RACE_CAUSES} <= set(declared)
    assert len(declared) == len(set(declared))


def test_a_run_that_failed_without_a_failed_connection_is_drawn_as_a_failure():
    rows = pd.DataFrame({
        "compose_file": ["crash.yaml", "crash.yaml", "race.yaml"], "run": [1, 2, 1],
        "db_ready_seconds": [2.0, 2.0, 2.0], "api_started_after_db_seconds": [0.5, 0.5, 0.5],
        "first_error_after_db_seconds": [None, None, 0.6], "failed_connections": [0, 0, 1],
        "first_error": ["ModuleNotFoundError: x", "ModuleNotFoundError: x", refused()],
        "cause": [API_EXITED, API_EXITED, "database not accepting connections"],
        "lost_race": [False, False, True], "api_serving": [False, False, False], "api_exit_code": [1, 1, 1],
    })
    timing_axis = plots.compose_race(rows)
    failure_axis = next(axes for axes in timing_axis.figure.axes if axes is not timing_axis)
    texts = [text.get_text() for text in failure_axis.texts]
    assert "no failed connections" not in texts and "no failed connection: api exited" in texts
    marks = [line for line in failure_axis.lines if line.get_marker() == "X"]
    assert len(marks) == 2 and {line.get_color() for line in marks} == {plots.NOT_RACE_CAUSE_COLOURS[0]}
    legend = [text.get_text() for text in failure_axis.get_legend().get_texts()]
    assert legend == ["api exited: not the race (fails however long it waits)", "database not accepting connections: lost the start-up race"]
    plt.close("all")


def test_the_plot_with_such_runs_stays_readable():
    from tests.unit.test_plots_readable import problems

    rows = pd.DataFrame([{"compose_file": name, "run": run, "db_ready_seconds": 2.1, "api_started_after_db_seconds": 0.5,
                          "first_error_after_db_seconds": None, "failed_connections": 0, "first_error": "x", "cause": cause,
                          "lost_race": False, "api_serving": False, "api_exit_code": 1}
                         for name, cause in (("v-api-crash.yaml", API_EXITED), ("v-db-exits.yaml", DATABASE_EXITED)) for run in (1, 2, 3)])
    found = problems("compose_race", plots.compose_race(rows).figure, (rows,))
    plt.close("all")
    assert not found, sorted(found)
