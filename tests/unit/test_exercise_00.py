"""Exercise 00 (run a container that prints VERSION_ID=3.20): a static tier that reads the command's words,
a live tier that is dl.run's own run (so the starting command replays from notebook 00's recording), and a
worked solution."""
import pytest

import dockerlab as dl
from dockerlab import check
from dockerlab.containers import RunResult
from dockerlab.errors import ContainerFailed, ImageNotFound
from dockerlab.exercises import static
from dockerlab.exercises.catalogue import EXERCISES, command_of

LINE, READS = "VERSION_ID=3.20", "/etc/os-release"


def judged(command):
    return static.command_prints("alpine:3.20", command, LINE, reads=READS)


@pytest.mark.parametrize("command", [
    ["grep", "VERSION_ID", READS],
    ["cat", READS],
    ["sh", "-c", f"grep '^VERSION_ID=' {READS}"],
    ["sh", "-c", "cat /etc/*release"],  # sh expands the wildcard
    ["grep", "-i", "version_id", READS],
    ["grep", "-w", "VERSION_ID", READS],
    ["grep", "-x", LINE, READS],
    ["grep", "-E", "VERSION_ID|NAME", READS],
    ["grep", r"VERSION_ID\|NAME", READS],  # a GNU basic regular expression's alternation
    ["grep", "-F", "VERSION_ID=3", READS],
    f"grep VERSION_ID {READS}",  # one str, split as `docker run alpine:3.20 grep ...` splits it
])
def test_a_command_that_reads_the_line_from_the_file_passes_the_static_tier(command):
    report = judged(command)
    assert not report.failed and report.passed and f"reads {READS}" in report.passed[0], [finding.render() for finding in report.findings]


@pytest.mark.parametrize("command, said", [
    (["echo", "replace this command"], "echo prints the text it is given ('replace this command'), and reads nothing from the image"),
    (["echo", LINE], "that is the expected line, but typed by you"),
    (["sh", "-c", f"echo {LINE}"], "reads nothing from the image"),
    (["uname", "-r"], f"it does not read {READS}"),
    ([], "there is none, so the image's own default command runs"),
    (["bash", "-c", f"cat {READS}"], "it runs bash, which alpine:3.20 does not have"),
    (["cat", "/etc/*release"], "no shell runs a command given as a list, so nothing expands the wildcard"),
    (["grep", "-c", "VERSION", READS], "grep -c prints a count of the matching lines, not the line"),
    (["grep", "-q", "VERSION", READS], "grep -q prints nothing"),
    (["grep", "-v", "VERSION", READS], "grep -v prints the lines 'VERSION' does NOT match"),
    (["grep", "-o", "VERSION", READS], "grep -o prints only the part 'VERSION' matches"),
    (["grep", "-x", "VERSION_ID", READS], "grep -x keeps only lines that 'VERSION_ID' matches whole"),
    (["grep", "VERSION_ID=3.21", READS], "grep's pattern 'VERSION_ID=3.21' does not match the line 'VERSION_ID=3.20'"),
    (["grep", "VERSION+", READS], "grep's pattern 'VERSION+' does not match"),  # + is itself in a basic regular expression
    (["sh", "-c", f"cat {READS} > /dev/null"], "cat's output is sent to /dev/null"),
])
def test_a_command_that_cannot_print_the_line_is_named_with_the_next_step(command, said):
    report = judged(command)
    rendered = [finding.render() for finding in report.findings if finding.fails]
    assert report.failed and any(said in text for text in rendered), rendered
    assert all("Next:" in text for text in rendered), rendered


def test_the_exercise_text_is_the_command_as_a_list():
    assert command_of('["grep", "VERSION_ID", "/etc/os-release"]\n') == ["grep", "VERSION_ID", "/etc/os-release"]
    assert command_of("['cat', '/etc/os-release']") == ["cat", "/etc/os-release"]  # Python quotes, as typed in the cell
    assert command_of("cat /etc/os-release") == "cat /etc/os-release"
    assert command_of(EXERCISES["00"].starting()) == ["echo", "replace this command"]  # notebook 00's recorded run
    assert command_of(EXERCISES["00"].solution_file) == ["grep", "VERSION_ID", "/etc/os-release"]  # a path is read
    with pytest.raises(dl.DockerlabError, match="no-such-00.json"):
        command_of(EXERCISES["00"].solution_file.with_name("no-such-00.json"))


@pytest.fixture
def fake_engine(monkeypatch):
    ran = []

    def run(image, command):
        ran.append((image, command))
        if command == ["/no/such/program"]:
            raise ContainerFailed(image, "start", "exec: \"/no/such/program\": stat /no/such/program: no such file or directory", fix="")
        if image == "alpine:9.99":
            raise ImageNotFound(image)
        output = "NAME=x\nVERSION_ID=3.20\n" if "cat" in command or "grep" in command else "replace this command\n"
        return RunResult(image, " ".join(command), 0, output, 0.1)

    monkeypatch.setattr(check, "run", run)
    return ran


def test_the_live_tier_runs_the_command_as_dl_run_does(fake_engine):
    solved = EXERCISES["00"].check(EXERCISES["00"].solution_text())
    assert solved.passed and solved.live == "measured" and solved.complete, str(solved)
    assert fake_engine == [("alpine:3.20", ["grep", "VERSION_ID", "/etc/os-release"])]
    assert "measured: the container printed 'VERSION_ID=3.20' and exited 0" in solved.messages


def test_a_command_the_image_lacks_and_a_missing_image_are_verdicts(fake_engine):
    missing = dl.check.command_prints("alpine:3.20", ["/no/such/program"], LINE)
    assert not missing.passed and "could not start it" in " ".join(missing.messages) and "no bash" in " ".join(missing.messages), str(missing)
    absent = dl.check.command_prints("alpine:9.99", ["cat", READS], LINE, reads=READS)
    assert not absent.passed and "There is no image 'alpine:9.99'" in " ".join(absent.messages), str(absent)


@pytest.mark.parametrize("keywords, said", [
    (dict(image="alpine:3.20", command=42, expected_line=LINE), "command= must be a string or a list of strings"),
    (dict(image="alpine:3.20", command=["cat", 3], expected_line=LINE), "command= must be a string or a list of strings"),
    (dict(image=3.20, command=["cat"], expected_line=LINE), "image= must be a string \\(an image name\\)"),
    (dict(image="alpine:3.20", command=["cat"], expected_line=LINE, reads=1), "reads= must be a string or None"),
])
def test_arguments_of_the_wrong_kind_are_named(keywords, said):
    with pytest.raises(dl.DockerlabError, match=said):
        dl.check.command_prints(**keywords)


def test_the_worked_solution_explains_each_word():
    shown = dl.check.solution("00")
    assert shown.text.strip() == '["grep", "VERSION_ID", "/etc/os-release"]'
    assert "-[\"echo\", \"replace this command\"]" in shown.diff() and "+[\"grep\", \"VERSION_ID\", \"/etc/os-release\"]" in shown.diff()
    assert "<details>" in shown._repr_html_() and "Reveal the worked solution to 00" in shown._repr_html_()
