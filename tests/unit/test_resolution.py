"""The present -> pull -> stand-in order, with the engine replaced by a small fake."""
import pytest

from dockerlab.bases import CATALOGUE, resolve
from dockerlab.bases.resolve import RegistryStatus
from dockerlab.errors import RegistryUnreachable

ONLINE = RegistryStatus(True, "Docker Hub answers")
OFFLINE = RegistryStatus(False, "the registry's name does not resolve")


class FakeEngine:
    def __init__(self, monkeypatch, states: dict, pull_fails: bool = False):
        self.states = dict(states)
        self.pulled: list[str] = []
        self.built: list[str] = []
        self.removed: list[str] = []

        def image_state(name):
            return self.states.get(name, ("missing", None))

        def pull(name, progress):
            if pull_fails:
                raise RegistryUnreachable(name, "the registry's name does not resolve", "no such host", "fix")
            self.pulled.append(name)
            self.states[name] = ("official", {"Id": f"official-{name}", "Size": 1})

        def build_standin(image, progress):
            self.built.append(image.name)
            for tag in image.all_tags:
                self.states[tag] = ("stand-in", {"Id": f"standin-{tag}", "Size": 2})

        monkeypatch.setattr(resolve, "image_state", image_state)
        monkeypatch.setattr(resolve, "_pull", pull)
        monkeypatch.setattr(resolve, "_build_standin", build_standin)
        monkeypatch.setattr(resolve, "_remove_quietly", self.removed.append)


def test_present_official_image_is_used_and_never_replaced(monkeypatch):
    fake = FakeEngine(monkeypatch, {"python:3.11-slim": ("official", {"Id": "x", "Size": 1})})
    result = resolve.ensure(CATALOGUE["python:3.11-slim"], registry=ONLINE, progress=False)
    assert result.source == "present" and not result.standin
    assert fake.pulled == [] and fake.built == []


def test_missing_image_is_pulled_when_the_registry_answers(monkeypatch):
    fake = FakeEngine(monkeypatch, {})
    result = resolve.ensure(CATALOGUE["alpine:3.20"], registry=ONLINE, progress=False)
    assert result.source == "pulled" and fake.pulled == ["alpine:3.20", "alpine:latest"]
    assert fake.built == []


def test_a_pull_replaces_a_standin(monkeypatch):
    fake = FakeEngine(monkeypatch, {"registry:2": ("stand-in", {"Id": "old-standin", "Size": 2})})
    result = resolve.ensure(CATALOGUE["registry:2"], registry=ONLINE, progress=False)
    assert result.source == "pulled" and not result.standin
    assert fake.removed == ["old-standin"] and "replaced the stand-in" in result.note


def test_offline_builds_a_standin_without_trying_to_pull(monkeypatch):
    fake = FakeEngine(monkeypatch, {})
    result = resolve.ensure(CATALOGUE["postgres:15"], registry=OFFLINE, progress=False)
    assert result.source == "stand-in" and result.standin
    assert fake.pulled == [] and "does not resolve" in result.note


def test_a_failed_pull_falls_back_to_a_standin(monkeypatch):
    fake = FakeEngine(monkeypatch, {}, pull_fails=True)
    result = resolve.ensure(CATALOGUE["registry:2"], registry=ONLINE, progress=False)
    assert result.source == "stand-in" and fake.built == ["registry:2"]


def test_present_standin_is_kept_offline(monkeypatch):
    fake = FakeEngine(monkeypatch, {"registry:2": ("stand-in", {"Id": "s", "Size": 2})})
    result = resolve.ensure(CATALOGUE["registry:2"], registry=OFFLINE, progress=False)
    assert result.source == "present" and result.standin and fake.built == []


def test_a_missing_extra_tag_is_made(monkeypatch):
    fake = FakeEngine(monkeypatch, {"alpine:3.20": ("stand-in", {"Id": "s", "Size": 2})})
    resolve.ensure(CATALOGUE["alpine:3.20"], registry=OFFLINE, progress=False)
    assert fake.built == ["alpine:3.20"] and fake.states["alpine:latest"][0] == "stand-in"


def test_no_way_to_make_it_is_a_clear_error(monkeypatch):
    from dockerlab.errors import BaseImageUnavailable, StandInUnsupported

    FakeEngine(monkeypatch, {}, pull_fails=True)

    def cannot(image, progress):
        raise StandInUnsupported("mmdebstrap is missing", fix="apt-get install mmdebstrap")

    monkeypatch.setattr(resolve, "_build_standin", cannot)
    with pytest.raises(BaseImageUnavailable) as caught:
        resolve.ensure(CATALOGUE["debian:bookworm-slim"], registry=ONLINE, progress=False)
    text = str(caught.value)
    assert "pull: the registry's name does not resolve" in text and "mmdebstrap is missing" in text
    assert caught.value.fix == "apt-get install mmdebstrap"
