import json
import logging
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from app import create_app
from app.config import DEFAULT_MESSAGE, Settings

API_DIR = Path(__file__).resolve().parents[1]


def test_healthz_is_ok_without_any_settings():
    client = create_app(Settings()).test_client()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readiness_reports_database_configured_but_never_the_url(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"] == {"configured": True}
    assert body["version"] == "1.2.3"
    assert "s3cret" not in response.get_data(as_text=True)
    assert "db.internal" not in response.get_data(as_text=True)


def test_readiness_reports_missing_database():
    response = create_app(Settings()).test_client().get("/api/health")
    assert response.get_json()["database"] == {"configured": False}


def test_message_returns_message_version_and_hostname(client):
    response = client.get("/api/message")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.get_json() == {"message": "hi from tests", "version": "1.2.3", "hostname": socket.gethostname()}


def test_settings_from_env_with_defaults_and_empty_values():
    assert Settings.from_env({}) == Settings(message=DEFAULT_MESSAGE, version="dev", database_url=None)
    s = Settings.from_env({"APP_MESSAGE": "m", "APP_VERSION": "abc123", "DATABASE_URL": ""})
    assert (s.message, s.version, s.database_url) == ("m", "abc123", None)


def test_create_app_reads_environment(monkeypatch):
    monkeypatch.setenv("APP_MESSAGE", "from env")
    monkeypatch.setenv("APP_VERSION", "sha-1")
    body = create_app().test_client().get("/api/message").get_json()
    assert (body["message"], body["version"]) == ("from env", "sha-1")


def test_settings_repr_and_logs_hide_database_url(settings, caplog):
    assert "s3cret" not in repr(settings)
    assert settings.database_target() == "postgresql://db.internal:5432/app"
    with caplog.at_level(logging.DEBUG):
        create_app(settings)
    assert "s3cret" not in caplog.text
    assert "postgresql://u:" not in caplog.text


def test_echo_round_trips_json(client):
    response = client.post("/api/echo", json={"a": [1, 2]})
    assert response.status_code == 200
    assert response.get_json()["echo"] == {"a": [1, 2]}


def test_echo_rejects_non_json(client):
    response = client.post("/api/echo", data="plain", content_type="text/plain")
    assert response.status_code == 400
    assert "JSON" in response.get_json()["error"]


def test_unknown_path_and_wrong_method_answer_json(client):
    missing = client.get("/api/nope")
    assert missing.status_code == 404
    assert missing.get_json() == {"error": "not found", "path": "/api/nope"}
    wrong = client.post("/api/message")
    assert wrong.status_code == 405
    assert wrong.get_json()["method"] == "POST"


def _run_migrate(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "app.migrate", *args],
        cwd=API_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_migrate_prints_plan_and_exits_zero_without_leaking_credentials():
    result = _run_migrate({"DATABASE_URL": "postgresql://u:s3cret@db.internal:5432/app", "APP_VERSION": "v9"})
    assert result.returncode == 0, result.stderr
    assert "would apply 0001_create_messages" in result.stdout
    assert "postgresql://db.internal:5432/app" in result.stdout
    assert "s3cret" not in result.stdout + result.stderr


def test_migrate_without_database_is_a_dry_run_unless_required():
    dry = _run_migrate({})
    assert dry.returncode == 0
    assert "DATABASE_URL is not set" in dry.stderr
    assert "dry run" in dry.stdout
    strict = _run_migrate({}, "--require-database")
    assert strict.returncode == 1
    assert "would apply" not in strict.stdout


def test_gunicorn_config_binds_port_8000_and_logs_to_stdout(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    namespace: dict = {}
    exec((API_DIR / "gunicorn.conf.py").read_text(), namespace)
    assert namespace["bind"] == "0.0.0.0:8000"
    assert namespace["workers"] == 3
    assert namespace["accesslog"] == "-"
    assert namespace["control_socket_disable"] is True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_serves_the_app_and_writes_access_log_to_stdout():
    """Start the real server (loopback only, overriding the container bind) and call /api/message."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "app.wsgi:app"],
        cwd=API_DIR,
        env={"APP_MESSAGE": "through gunicorn", "GUNICORN_WORKERS": "1", "DATABASE_URL": "postgresql://u:s3cret@h/db"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = None
        deadline = time.monotonic() + 20
        while body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/message", timeout=2) as response:
                    body = json.load(response)
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert body["message"] == "through gunicorn"
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=30)
    assert '"GET /api/message HTTP/1.1" 200' in output
    assert "s3cret" not in output
