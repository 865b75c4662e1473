"""05's start-up error panel tells the seed's missing-setting failures (the api has no password: it fails
however long it waits) from race failures (connection refused while the database starts): each bar is
coloured by its run's recorded cause, the legend names each cause and whether it is the race, and the
colours come from the rows' own ``lost_race``, not from which compose file they belong to."""
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from dockerlab import plots  # noqa: E402
from dockerlab.experiments import FAILURE_CAUSES, RACE_CAUSES  # noqa: E402
from dockerlab.recording import decode  # noqa: E402

RECORDED = Path(__file__).parents[2] / "data" / "recorded" / "05_docker_compose.json"


@pytest.fixture
def races():
    """The four compose files 05 plots together (seed, + credentials, + service_healthy, + retries), as recorded."""
    calls = json.loads(RECORDED.read_text())["calls"]
    return pd.concat([decode(entry["result"]) for entry in calls if entry["call"] == "experiments.compose_race"][:4])


def failure_bars(timing_axis):
    """(compose file, failed connections, face colour, hatch) of each bar of the failure panel, top down."""
    failure_axis = next(axes for axes in timing_axis.figure.axes if axes is not timing_axis)
    names = {round(tick): label.get_text() for tick, label in zip(failure_axis.get_yticks(), failure_axis.get_yticklabels(), strict=True)}
    return failure_axis, [(names[round(bar.get_y() + bar.get_height() / 2)], bar.get_width(), to_hex(bar.get_facecolor()), bar.get_hatch() or "")
                          for bar in failure_axis.patches if bar.get_height() < 1]


def test_the_seeds_missing_setting_is_drawn_apart_from_the_race(races):
    assert set(races.loc[races["compose_file"] == "seed-compose.yaml", "cause"]) == {"missing setting"}  # the recording this reads
    failure_axis, bars = failure_bars(plots.compose_race(races))
    seed = {(colour, hatch) for name, _, colour, hatch in bars if name == "seed-compose.yaml"}
    race = {(colour, hatch) for name, _, colour, hatch in bars if name == "race-1-credentials.yaml"}
    assert len(seed) == len(race) == 1 and seed != race
    assert seed.pop()[1] and not race.pop()[1]  # hatched: not the race; solid: the race
    legend = [text.get_text() for text in failure_axis.get_legend().get_texts()]
    assert legend == ["missing setting: not the race (fails however long it waits)", "database not accepting connections: lost the start-up race"]
    assert ([width for name, width, _, _ in bars if name == "race-3-retries.yaml"]
            == list(races.loc[races["compose_file"] == "race-3-retries.yaml", "failed_connections"]))
    assert any(text.get_text() == "no failed connections" for text in failure_axis.texts)  # race-2-healthy: nothing to colour
    plt.close("all")


def test_the_colour_follows_the_cause_not_the_file():
    rows = pd.DataFrame({
        "compose_file": ["a.yaml", "a.yaml", "b.yaml"], "run": [1, 2, 1],
        "db_ready_seconds": [2.0, 2.0, 2.0], "api_started_after_db_seconds": [0.5, 0.5, 3.0], "failed_connections": [1, 1, 2],
        "first_error": ["x", "y", "z"], "cause": ["wrong password", "database starting up", "database starting up"],
        "lost_race": [False, True, True], "api_serving": [False, False, False], "api_exit_code": [1, 1, 1],
    })
    _, bars = failure_bars(plots.compose_race(rows))
    assert bars[0][2:] == (plots.NOT_RACE_CAUSE_COLOURS[0], "//")
    assert bars[1][2:] == bars[2][2:] == (plots.RACE_CAUSE_COLOURS[0], "")  # one cause, one colour, whichever file
    assert "C3" not in plots.FILE_COLOURS  # tab:red: red in this figure means the race only
    plt.close("all")


def test_one_causes_words_before_and_after_the_database_was_ready_are_drawn_apart():
    """lost_race rests on timing too: the same refused connection after the database was ready is not
    the race, and its bar and legend entry say so."""
    refused = "database not accepting connections"
    rows = pd.DataFrame({
        "compose_file": ["a.yaml", "a.yaml"], "run": [1, 2],
        "db_ready_seconds": [2.0, 2.0], "api_started_after_db_seconds": [0.5, 2.5], "failed_connections": [1, 1],
        "first_error": ["x", "y"], "cause": [refused, refused],
        "lost_race": [True, False], "api_serving": [False, False], "api_exit_code": [1, 1],
    })
    failure_axis, bars = failure_bars(plots.compose_race(rows))
    assert bars[0][2:] == (plots.RACE_CAUSE_COLOURS[0], "") and bars[1][2:] == (plots.NOT_RACE_CAUSE_COLOURS[0], "//")
    legend = [text.get_text() for text in failure_axis.get_legend().get_texts()]
    assert legend == [f"{refused}: lost the start-up race", f"{refused}: not the race (not before the database was ready)"]
    plt.close("all")


def _many_runs(files, causes):
    """Three runs per file, file i failing with causes[i % len(causes)] (cause, lost_race), failed connections 1-3."""
    return pd.DataFrame([{"compose_file": name, "run": run, "db_ready_seconds": 2.1, "api_started_after_db_seconds": 0.5,
                          "first_error_after_db_seconds": 0.7, "failed_connections": run, "first_error": "x",
                          "cause": causes[index % len(causes)][0], "lost_race": causes[index % len(causes)][1], "api_serving": False,
                          "api_exit_code": 1} for index, name in enumerate(files) for run in (1, 2, 3)])


EVERY_CAUSE = [(cause, False) for cause, _ in FAILURE_CAUSES] + [(cause, True) for cause in RACE_CAUSES]


@pytest.mark.parametrize("files", [[f"race-{number}.yaml" for number in range(11)],
                                   [f"race-{number}-with-a-healthcheck-and-retries.yaml" for number in range(11)]],
                         ids=["side by side", "one above the other"])
def test_eleven_files_and_every_cause_each_have_a_colour_of_their_own_and_stay_readable(files):
    from tests.unit.test_plots_readable import problems

    rows = _many_runs(files, EVERY_CAUSE)
    timing_axis = plots.compose_race(rows)
    failure_axis, bars = failure_bars(timing_axis)
    dots = [to_hex(collection.get_facecolor()[0]) for collection in timing_axis.collections if collection.get_sizes()[0] != 300]
    cause_of = {name: (cause, race) for name, (cause, race) in zip(files, EVERY_CAUSE * 2, strict=False)}
    drawn = {cause_of[name]: colour for name, _, colour, _ in bars}
    legend = [to_hex(handle.get_facecolor()) for handle in failure_axis.get_legend().legend_handles]
    found = problems("compose_race", timing_axis.figure, (rows,))
    plt.close("all")
    assert len(dots) == len(set(dots)) == 11  # one colour per compose file, none twice
    assert all(to_hex(colour) != to_hex("C3") for colour in dots)  # and none red: red is the race's
    assert len(drawn) == len(set(drawn.values())) == 11 and len(legend) == len(set(legend)) == 11  # one colour per cause shown
    assert not found, sorted(found)
