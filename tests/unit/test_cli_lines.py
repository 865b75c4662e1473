"""dl.* results show the docker command a learner would type, above their HTML: fresh results, and results
replayed from data/recorded/ (recorded before the line existed: it is computed when they are shown), with
course paths as a learner types them in a terminal opened in notebooks/ (paths.TERMINAL_FOLDER), never the
recording machine's absolute path. And data/recorded/ itself holds none of the recording machine's
accounts: no user name, no home folder."""
import getpass
import json
import os
import pwd
import re
import subprocess
from types import SimpleNamespace

import pandas as pd
import pytest

import dockerlab as dl
from dockerlab import tables
from dockerlab.containers import Container, ServeResult, run_command
from dockerlab.images import own_layers
from dockerlab.paths import COURSE_ROOT, in_course_terms
from dockerlab.recording import decode


def recorded(notebook: str, call: str):
    """The first recorded result of ``call`` in data/recorded/``notebook``.json, decoded (read only)."""
    entries = json.loads((COURSE_ROOT / "data" / "recorded" / f"{notebook}.json").read_text())["calls"]
    return decode(next(entry for entry in entries if entry["call"] == call)["result"])


def test_course_paths_are_shown_relative_to_the_course_wherever_they_were_recorded():
    here = COURSE_ROOT / "data" / "apps" / "go-hello"
    assert (in_course_terms(f"docker build -f {here}/scratch.Dockerfile {here}")
            == "docker build -f ../data/apps/go-hello/scratch.Dockerfile ../data/apps/go-hello")
    assert in_course_terms("docker build /elsewhere/checkout/data/apps/go-hello") == "docker build ../data/apps/go-hello"
    assert (in_course_terms("docker build --secret=id=k,src=/x/data/apps/secret-leak/app.py .")
            == "docker build --secret=id=k,src=../data/apps/secret-leak/app.py .")
    assert in_course_terms(f"docker build {COURSE_ROOT / 'notebooks'}") == "docker build ."  # the terminal's own folder
    kept = "docker run 127.0.0.1:5000/course/hello:1 ls /app /nowhere/data/apps/no-such-app"
    assert in_course_terms(kept) == kept


def test_a_recorded_build_shows_its_command_with_course_relative_paths():
    result = recorded("02_core_concepts", "build")
    # recorded course-relative (the recorder writes no checkout path); older recordings held the machine's path
    assert result.command == "docker build -t hello-python:1 data/apps/hello-python"
    shown = result._repr_html_()
    assert "In a terminal: <code>docker build -t hello-python:1 ../data/apps/hello-python</code>" in shown
    assert not re.search(r"[ >]/\S*/data/apps", shown)  # never the recording machine's absolute path


def test_a_recorded_serve_shows_docker_run():
    result = recorded("04_multi_stage_builds", "serve")  # the seed's image, which exits: no port it answered on
    assert not result.ok and not result.url
    assert "<code>docker run -d -p 127.0.0.1::8080 go-hello:seed</code>" in result._repr_html_()


def test_recorded_layers_show_docker_history_above_the_table():
    table = recorded("02_core_concepts", "layers")
    assert table.attrs.get("command") == "docker history hello-python:1"
    del table.attrs["command"]  # as a recording made before the command was kept: derived from attrs['image']
    shown = tables.to_html(own_layers(table))
    assert shown.startswith("<p><small>In a terminal: <code>docker history hello-python:1</code></small></p>")
    assert shown.count("In a terminal") == 1 and "<table" in shown


def test_a_frame_without_a_command_has_no_line_and_a_command_is_escaped():
    frame = pd.DataFrame({"a": [1]})
    assert "In a terminal" not in tables.to_html(frame)
    frame.attrs["command"] = "docker inspect --format '{{.Id}}' a<b"
    assert "<code>docker inspect --format &#x27;{{.Id}}&#x27; a&lt;b</code>" in tables.to_html(frame)


def test_a_fresh_serve_result_shows_its_port_and_command():
    answered = ServeResult("app:1", True, 200, "hi", None, "", "http://127.0.0.1:49153/", container_port=5000, command="python app.py --debug")
    assert "<code>docker run -d -p 127.0.0.1:49153:5000 app:1 python app.py --debug</code>" in answered._repr_html_()
    silent = ServeResult("app:1", False, None, "", 1, "boom")
    assert silent.docker_command == "docker run -d -p 127.0.0.1::8080 app:1", "no answer: a free port, as serve asks for"


def test_run_command_reads_as_typed():
    command = run_command("hello:1", ["sh", "-c", "echo hi; sleep 9"], name="box", ports={"80/tcp": 8080},
                          environment={"MODE": "dev"}, network="course", volumes={"data": {"bind": "/data", "mode": "ro"}})
    assert command == ("docker run -d --name box -p 127.0.0.1:8080:80 -e MODE=dev --network course -v data:/data:ro hello:1 "
                       "sh -c 'echo hi; sleep 9'")


class FakeEngineContainer:
    id = "0123456789abcdef0123"
    name = "slice"

    def diff(self):
        return [{"Kind": 1, "Path": "/app/note.txt"}]


def test_a_container_shows_docker_run_and_its_diff_shows_docker_diff():
    box = Container(FakeEngineContainer(), run_command("hello-python:1", ["sleep", "600"], name="slice"))
    assert "<code>docker run -d --name slice hello-python:1 sleep 600</code>" in box._repr_html_()
    changes = box.diff()
    assert changes.attrs["command"] == "docker diff slice" and "<code>docker diff slice</code>" in tables.to_html(changes)


def test_start_keeps_the_command_a_learner_types(monkeypatch):
    from dockerlab import containers

    monkeypatch.setattr(containers.engine, "client", lambda: None)
    monkeypatch.setattr(containers, "_create_and_start", lambda client, image, command, **options: FakeEngineContainer())
    box = dl.start("hello-python:1", "sleep 600", ports={"5000/tcp": 5000})
    assert box.command == "docker run -d -p 127.0.0.1:5000:5000 hello-python:1 sleep 600"


def test_compose_up_and_ps_show_the_compose_command_on_the_learners_file(monkeypatch):
    stack = dl.compose.project(dl.paths.app("compose-api"), "compose.yaml")
    ps_json = json.dumps([{"Service": "api", "State": "running", "Name": "x-api-1", "ExitCode": 0, "Publishers": []}])
    monkeypatch.setattr(stack, "_objects", lambda: (set(), set()))
    monkeypatch.setattr(stack, "_run", lambda *args, **_: subprocess.CompletedProcess(args, 0, ps_json, ""))
    shown = stack.up()._repr_html_()
    assert "<code>docker compose -f ../data/apps/compose-api/compose.yaml up -d --build --wait</code>" in shown
    assert "<code>docker compose -f ../data/apps/compose-api/compose.yaml ps</code>" in tables.to_html(stack.ps())


@pytest.mark.parametrize("image", ["hello:1", "registry.local:5000/a/b:2"])
def test_history_command_of_a_fresh_layers_table(image):
    table = pd.DataFrame({"instruction": ["RUN x"], "size": [1], "base": [""]})
    table.attrs["image"] = image
    assert own_layers(table).attrs["command"] == f"docker history {image}"
    table.attrs["command"] = "docker history kept"
    assert own_layers(table).attrs["command"] == "docker history kept"


def test_a_live_proxy_shows_its_objects_html_and_a_recorded_one_its_repr():
    from dockerlab.recording.decorator import _Proxy

    live = SimpleNamespace(_repr_html_=lambda: "<p>live</p>")
    assert _Proxy(live, "k", "start")._repr_html_() == "<p>live</p>"
    assert _Proxy(None, "k", "start")._repr_html_() is None


def test_a_build_table_reads_with_words_and_units_in_its_headers():
    shown = recorded("02_core_concepts", "build")._repr_html_()
    assert "size_added" not in shown and "<th>size added</th>" in shown and "<th>seconds</th>" in shown
    assert "16 B" in shown and "2.76 MB" in shown  # sizes with their unit, as every course table shows them


# --- the recording machine's accounts stay out of data/recorded/ ---------------------------------

RECORDED = COURSE_ROOT / "data" / "recorded"


def course_text() -> str:
    """Everything the course itself writes (its package, notebooks and apps): a word found there cannot
    be told from a leak when a recording holds it (a host user called "appuser" or "runner")."""
    files = [*(COURSE_ROOT / "dockerlab").rglob("*.py"), *(COURSE_ROOT / "notebooks").glob("*.ipynb"),
             *(path for path in (COURSE_ROOT / "data" / "apps").rglob("*") if path.is_file())]
    return "\n".join(path.read_text(errors="replace") for path in files)


def this_machines_accounts() -> tuple[set[str], set[str]]:
    """(user names, home folders) of this machine: the user running the tests ($USER, $LOGNAME,
    $SUDO_USER, its passwd entry, $HOME) and every regular account (uid 1000 to 65533), which is what a
    uid resolves to on the host. Without root and /root, which every container has too."""
    names = {os.environ.get(variable, "") for variable in ("USER", "LOGNAME", "SUDO_USER")} | {getpass.getuser()}
    homes = {os.environ.get("HOME", ""), os.path.expanduser("~")}
    for account in pwd.getpwall():
        if account.pw_uid == os.getuid() or 1000 <= account.pw_uid < 65534:
            names.add(account.pw_name)
            homes.add(account.pw_dir)
    return {name for name in names if name and name != "root"}, {home.rstrip("/") for home in homes if home.rstrip("/") not in ("", "/root")}


def leaks(text: str, names: set[str], homes: set[str], known: str) -> list[str]:
    """The names and homes of ``names``/``homes`` that ``text`` holds, a name as a whole word (not inside
    "appuser", not "app" of "app.py"); skipping those the course writes itself (``known``)."""
    found = [home for home in homes if home not in known and re.search(re.escape(home) + r"(?![\w.-])", text)]
    return found + [name for name in names if not re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-]|\.\w)", known)
                    and re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-]|\.\w)", text)]


def test_the_leak_scan_finds_a_user_name_and_a_home_and_not_the_courses_own_words():
    text = json.dumps({"host_owner": "alice", "ran": "docker build /home/alice/course/data/apps/x", "user": "uid=1000(appuser)"})
    assert sorted(leaks(text, {"alice", "app"}, {"/home/alice"}, "")) == ["/home/alice", "alice"]
    assert leaks(text, {"alice"}, {"/home/alice"}, known="alice /home/alice") == []  # words the course writes: not told apart
    assert leaks("owned by alice.", {"alice"}, set(), "") == ["alice"] and leaks("alice.txt alice-2 malice", {"alice"}, set(), "") == []


def test_the_recordings_hold_no_user_name_or_home_of_this_machine():
    names, homes = this_machines_accounts()
    known = course_text()
    found = {path.name: leaks(path.read_text(), names, homes, known) for path in sorted(RECORDED.glob("*.json"))}
    assert {name: words for name, words in found.items() if words} == {}, "recordings hold this machine's accounts: record again after the fix"


def test_recorded_file_owners_are_words_that_hold_on_every_machine():
    """run_as's host_owner is computed from the uid (root, or an unprivileged user), never the host's name
    for it: the check that holds wherever the tests run, whoever recorded."""
    from dockerlab.security import NO_OWNER, UNPRIVILEGED_OWNER, host_owner

    owners = [decode(entry["result"]) for path in sorted(RECORDED.glob("*.json"))
              for entry in json.loads(path.read_text())["calls"] if entry["call"] == "security.run_as" and not entry["raised"]]
    assert owners, "06 records run_as"
    for result in owners:
        assert result.host_owner == host_owner(result.host_owner_uid, result.host_owner != NO_OWNER), result
        assert result.host_owner in ("root", UNPRIVILEGED_OWNER, NO_OWNER)
        assert f"(uid {result.host_owner_uid})" in str(result)
