"""Every exercise on a real engine, as its notebook cell calls it: the reference solution passes both
tiers (measured now), and the starting text fails with a hint that names what to change."""
import pytest

from dockerlab.exercises.catalogue import EXERCISES

# What the measured (live) verdict on the starting text must say, besides the static hint.
MEASURED = {
    "00": "its last line was: replace this command",
    "01": "exited with code 1",
    "02": "printed nothing",
    "02a": "exited with code 2",
    "03": "ran again",
    "04": "target is 5x",
    "05": "no healthcheck",
    "06": "nothing was built, audited or run",
}
STATIC = {"00": "reads nothing from the image", "01": "np.float64", "02": "COPY greet.py", "02a": "service.py", "03": "COPY requirements.txt .",
          "04": "FROM scratch", "05": "/health", "06": "USER 1000"}


@pytest.mark.parametrize("number", sorted(EXERCISES))
def test_the_solution_passes_live_and_the_starting_text_fails_with_a_hint(number):
    exercise = EXERCISES[number]
    solved = exercise.check(exercise.solution_text())
    assert solved.passed and solved.live == "measured" and solved.complete, str(solved)
    assert any(message.startswith("measured:") for message in solved.messages), str(solved)
    start = exercise.check(exercise.starting())
    assert not start.passed and start.live == "measured", str(start)
    said = " ".join(start.messages)
    assert STATIC[number] in said and MEASURED[number] in said, str(start)
    assert all("Next:" in message for message in start.messages), str(start)
    for verdict in (solved, start):
        said = " | ".join(verdict.messages)  # each tier ran once: no "measured: measured:", "measured: from the text:"
        assert "measured: measured" not in said and "measured: from the text" not in said, said


def test_a_program_the_engine_cannot_start_is_a_verdict_not_an_error():
    exercise = EXERCISES["04"]
    verdict = exercise.check(exercise.solution_text().replace('CMD ["/myapp"]', "CMD /myapp"))
    assert not verdict.passed and verdict.live == "measured", str(verdict)
    measured = [message for message in verdict.messages if message.startswith("measured:")]
    assert len(measured) == 1 and "could not start it" in measured[0] and "/bin/sh" in measured[0], str(verdict)


def test_a_hardened_image_whose_user_does_not_exist_is_a_verdict():
    exercise = EXERCISES["06"]
    solution = exercise.solution_text()
    user_lines = [line for line in solution.splitlines() if line.startswith("USER ")]
    assert user_lines, solution
    verdict = exercise.check(solution.replace(user_lines[-1], "USER nobody-here"))
    assert not verdict.passed and verdict.live == "measured", str(verdict)
    assert any("could not start it" in message and "USER must exist" in message for message in verdict.messages), str(verdict)


def test_start_time_of_a_command_the_image_lacks_is_a_course_error():
    import dockerlab as dl

    with pytest.raises(dl.DockerlabError) as raised:  # ContainerFailed, not a raw docker APIError
        dl.experiments.start_time("alpine:3.20", n=1, command=["/no/such/program"])
    assert type(raised.value).__name__ == "ContainerFailed" and "command does not exist" in str(raised.value)


# Exercise 00's static tier judges a command from its words: what it says must be what the container does.
COMMANDS_00 = [
    ["grep", "VERSION_ID", "/etc/os-release"], ["cat", "/etc/os-release"], ["sh", "-c", "grep '^VERSION_ID=' /etc/os-release"],
    ["sh", "-c", "cat /etc/*release"], ["grep", "-i", "version_id", "/etc/os-release"], ["grep", "-w", "VERSION_ID", "/etc/os-release"],
    ["grep", "-x", "VERSION_ID=3.20", "/etc/os-release"], ["grep", "-E", "VERSION_ID|NAME", "/etc/os-release"],
    ["grep", r"VERSION_ID\|NAME", "/etc/os-release"], ["grep", "-F", "VERSION_ID=3", "/etc/os-release"],
    ["echo", "replace this command"], ["uname", "-r"], [], ["bash", "-c", "cat /etc/os-release"], ["cat", "/etc/*release"],
    ["grep", "-c", "VERSION", "/etc/os-release"], ["grep", "-q", "VERSION", "/etc/os-release"], ["grep", "-v", "VERSION", "/etc/os-release"],
    ["grep", "-o", "VERSION", "/etc/os-release"], ["grep", "-x", "VERSION_ID", "/etc/os-release"], ["grep", "VERSION_ID=3.21", "/etc/os-release"],
    ["grep", "VERSION+", "/etc/os-release"], ["sh", "-c", "cat /etc/os-release > /dev/null"],
]


@pytest.mark.parametrize("command", COMMANDS_00, ids=[" ".join(command) or "(none)" for command in COMMANDS_00])
def test_00_the_static_tier_says_what_the_container_does(command):
    import dockerlab as dl
    from dockerlab.exercises import static

    said_ok = not static.command_prints("alpine:3.20", command, "VERSION_ID=3.20", reads="/etc/os-release").failed
    try:
        ran = dl.run("alpine:3.20", command or None)
        does = dl.check.judge_output("00", ran.exit_code, ran.output, "VERSION_ID=3.20").passed
    except dl.DockerlabError as error:  # ContainerFailed: a program the image does not have
        assert type(error).__name__ == "ContainerFailed", repr(error)
        does = False
    assert said_ok == does, (f"{command}: the static tier says {'it prints' if said_ok else 'it does not print'} the line, "
                             f"the container {'does' if does else 'does not'}")
