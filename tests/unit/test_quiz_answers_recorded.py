"""A quiz's right answer says what the recording measured, not what the course expected to measure."""
from __future__ import annotations

from dockerlab.columns import RACE_RUNS
from dockerlab.quizzes import quiz_of
from dockerlab.recording import decode, recordings


def recorded_races() -> dict[str, list[dict]]:
    """compose_file -> the recorded runs of 05's start-up race (rows of experiments.compose_race), read
    as replay reads them (a column recorded under an earlier key renamed)."""
    runs: dict[str, list[dict]] = {}
    for call in recordings()["05_docker_compose.json"]["calls"]:
        if call["call"] == "experiments.compose_race":
            for row in RACE_RUNS.adopt(decode(call["result"])).to_dict("records"):
                runs.setdefault(row["compose_file"], []).append(row)
    return runs


def test_05_question_1_names_the_cause_the_seed_runs_recorded():
    seed_runs = recorded_races()["seed-compose.yaml"]
    causes = {row["cause"] for row in seed_runs}
    assert len(causes) == 1 and all(row["failed_connections"] for row in seed_runs), causes
    (cause,) = causes
    question, choices, right, _ = quiz_of("05")[1]
    assert "seed" in question
    assert cause in choices[right], (cause, choices[right])
    assert not any(cause in text for letter, text in choices.items() if letter != right)
