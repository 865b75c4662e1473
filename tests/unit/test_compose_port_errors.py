"""A compose file's refused port reaches the learner as a sentence: which service, which `ports:` entry as it
was written, what is wrong and what to write instead; never a Python value (ports={...}, a list, a tuple).
The messages are Compose's and the engine's own, seen here (Compose 2, engine 20.10.24)."""
import json
from pathlib import Path

import pytest

from dockerlab import compose

CAPTURED = json.loads((Path(__file__).parents[1] / "fixtures" / "engine_messages.json").read_text())
PYTHON_SYNTAX = ("ports={", "{'", "['", "('", "': ")


def fix_for(tmp_path, ports: str, message: str) -> str:
    file = tmp_path / "compose.yaml"
    file.write_text(f"services:\n  web:\n    image: alpine:3.20\n    ports: {ports}\n  db:\n    image: postgres:15\n")
    fix = compose._fix_for(message, file)
    assert not any(mark in fix for mark in PYTHON_SYNTAX), fix
    return fix


@pytest.mark.parametrize(("ports", "message", "said"), [
    ('["abc:80"]', "invalid hostPort: abc", 'service web publishes "abc:80": abc is not a host port.'),
    ('["70000:80"]', "invalid hostPort: 70000", 'service web publishes "70000:80": 70000 is not a host port.'),
    ('["8080:80/xyz"]', "invalid proto: xyz", 'service web publishes "8080:80/xyz": xyz is not a protocol (tcp or udp).'),
    ("[{target: 80, published: x}]", 'Error response from daemon: invalid port specification: "x"',
     'service web publishes "published: x, target: 80": x is not a port.'),
    ('["8080-8081:80-82"]', "invalid ranges specified for container and host Ports: 80-82 and 8080-8081",
     'service web publishes "8080-8081:80-82": the host range 8080-8081 and the container range 80-82 differ in length.'),
])
def test_an_invalid_port_names_the_service_and_the_entry(tmp_path, ports, message, said):
    fix = fix_for(tmp_path, ports, message)
    assert fix.startswith(f"In compose.yaml, {said}") and 'for example "8080:80"' in fix


def test_a_busy_port_names_the_service_that_publishes_it(tmp_path):
    message = ("Error response from daemon: driver failed programming external connectivity on endpoint x-web-1 (3c61): "
               "Error starting userland proxy: listen tcp4 127.0.0.1:60311: bind: address already in use")
    fix = fix_for(tmp_path, '["60311:80"]', message)
    assert fix.startswith('In compose.yaml, service web publishes "60311:80": something else already listens on 127.0.0.1:60311. Stop that')


def test_two_services_of_the_file_on_one_port_are_both_named(tmp_path):
    message = next(case["message"] for case in CAPTURED["messages"] if case["expect"] == "port-in-use" and case["context"] == "compose")
    (tmp_path / "compose.yaml").write_text('services:\n  a:\n    image: alpine:3.20\n    ports: ["18931:80"]\n'
                                           '  b:\n    image: alpine:3.20\n    ports: ["127.0.0.1:18931:81"]\n')
    fix = compose._fix_for(message, tmp_path / "compose.yaml")
    assert fix.startswith('In compose.yaml, service a publishes "18931:80"; service b publishes "127.0.0.1:18931:81": one host port can be published once')


def test_a_port_given_through_a_variable_still_gets_the_rule_without_python(tmp_path):
    fix = fix_for(tmp_path, '["${PORT}:80"]', "invalid hostPort: abc")
    assert fix.startswith('Write each `ports:` entry as "HOST:CONTAINER"')
    assert compose._fix_for("invalid hostPort: abc", tmp_path / "missing.yaml").startswith("Write each")  # unreadable: the rule alone


def test_a_busy_host_port_is_not_blamed_on_a_service_whose_container_port_it_is(tmp_path):
    (tmp_path / "compose.yaml").write_text('services:\n  web:\n    image: alpine:3.20\n    ports: ["8080:80"]\n'
                                           '  proxy:\n    image: alpine:3.20\n    ports: ["80"]\n')
    message = "Bind for 127.0.0.1:8080 failed: port is already allocated"
    assert compose._fix_for(message, tmp_path / "compose.yaml").startswith('In compose.yaml, service web publishes "8080:80": something else')
    busy_80 = "Bind for 127.0.0.1:80 failed: port is already allocated"
    assert compose._fix_for(busy_80, tmp_path / "compose.yaml").startswith("Something else already listens on 127.0.0.1:80")


# `up` of a service whose image is neither here nor pullable, as Compose 2 printed it on this machine (no registry)
NO_IMAGE = (' Image dockerlab-nosuch/img:1 Pulling \n Image dockerlab-nosuch/img:1 Error Get "https://registry-1.docker.io/v2/": '
            "dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host\n"
            'Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host')


def test_a_missing_image_no_prepare_makes_is_named_with_its_service_not_sent_to_prepare(tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: dockerlab-nosuch/img:1\n  db:\n    image: postgres:15\n")
    fix = compose._fix_for(NO_IMAGE, tmp_path / "compose.yaml")
    assert fix.startswith("In compose.yaml, service web uses dockerlab-nosuch/img:1, which is not on this machine")
    assert "makes only the course's base images" in fix
    base_missing = NO_IMAGE.replace("dockerlab-nosuch/img:1", "postgres:15")
    assert compose._fix_for(base_missing, tmp_path / "compose.yaml").startswith("Run `dockerlab prepare`")  # a course base: prepare makes it
