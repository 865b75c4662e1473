"""DOCKER_HOST with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH is read as the docker CLI reads it (docker-py's kwargs_from_env)."""
import pytest

import dockerlab as dl


def test_tls_settings_travel_with_docker_host(tmp_path, monkeypatch):
    for name in ("ca.pem", "cert.pem", "key.pem"):
        (tmp_path / name).write_text("not read until a connection is made\n")
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:2376")
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", str(tmp_path))
    target = dl.engine.connection_target()
    assert target.chosen_by == "DOCKER_HOST"
    assert (target.tls.verify is True and target.tls.ca_cert == str(tmp_path / "ca.pem")
            and target.tls.cert == (str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")))
    monkeypatch.delenv("DOCKER_TLS_VERIFY")
    monkeypatch.delenv("DOCKER_CERT_PATH")
    assert not dl.engine.connection_target().tls


def test_a_cert_path_without_certificates_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:2376")
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", str(tmp_path))
    with pytest.raises(dl.DockerUnavailable) as raised:
        dl.engine.connection_target()
    assert "DOCKER_CERT_PATH" in raised.value.fix
